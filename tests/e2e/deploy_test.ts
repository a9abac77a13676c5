/**
 * From secrets.yaml to a verified signer: the `request` smoke test and its hints, the systemd unit,
 * and the compile task. `manifests` and the Kubernetes files are in manifests_test.ts and
 * worker_addresses_test.ts.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { makeCa } from "../support/keys.ts";
import { runMain, startServer } from "../support/server_process.ts";

async function request(args: string[]) {
  const result = await runMain(["request", ...args]);
  return { ...result, lines: result.stdout.trim().split("\n") };
}

Deno.test("request passes against a signer started from the secrets bundle, and says why it fails otherwise", async (t) => {
  const server = await startServer([
    `--secrets=${TALOS_SECRETS_PATH}`,
    "--allowed-ip-cidrs=10.5.0.0/16",
  ]);
  const endpoint = `--endpoint=127.0.0.1:${server.port}`;
  try {
    await t.step("PASS, with every check listed", async () => {
      const result = await request([endpoint, `--ca=${TALOS_SECRETS_PATH}`]);
      assertEquals(result.code, 0, result.stdout + result.stderr);
      assertEquals(result.lines.at(-1), `PASS: 127.0.0.1:${server.port}`);
      for (
        const check of [
          "TLS",
          "crt chains to ca",
          "crt certifies our key",
          "crt is for server auth",
          "apid-style TLS with the issued certificate",
        ]
      ) {
        assert(
          result.lines.some((l) => l.startsWith(`PASS  ${check}:`)),
          `${check} missing in ${result.stdout}`,
        );
      }
    });
    await t.step("--json", async () => {
      const result = await request([
        endpoint,
        `--ca=${TALOS_SECRETS_PATH}`,
        "--json",
        "--key-type=ecdsa",
      ]);
      const report = JSON.parse(result.stdout);
      assertEquals(report.result, "PASS");
      assert(report.steps.length >= 10);
    });
    const failures: [string, string[], RegExp, RegExp][] = [
      [
        "wrong token",
        [endpoint, `--ca=${TALOS_SECRETS_PATH}`, "--token=wrong0.0000000000000000"],
        /FAIL {2}Certificate call: UNAUTHENTICATED: invalid token/,
        /hint: wrong token: the worker's machine.token/,
      ],
      [
        "a name the policy refuses",
        [endpoint, `--ca=${TALOS_SECRETS_PATH}`, "--san=192.168.7.7"],
        /FAIL {2}Certificate call: PERMISSION_DENIED: IP SAN 192\.168\.7\.7 is outside ALLOWED_IP_CIDRS/,
        /hint: the signer's issuance policy refused a name/,
      ],
      [
        "nothing listening",
        ["--endpoint=127.0.0.1:1", `--ca=${TALOS_SECRETS_PATH}`],
        /FAIL {2}TLS: Connection refused/,
        /hint: nothing listens there/,
      ],
    ];
    for (const [name, args, failure, hint] of failures) {
      await t.step(name, async () => {
        const result = await request(args);
        assertEquals(result.code, 1, result.stdout + result.stderr);
        assertMatch(result.stdout, failure);
        assertMatch(result.stdout, hint);
      });
    }
    await t.step("dialled address not in the serving certificate", async () => {
      const other = await startServer([
        `--secrets=${TALOS_SECRETS_PATH}`,
        "--listen-address=127.0.0.2",
      ]);
      try {
        const result = await request([
          `--endpoint=127.0.0.2:${other.port}`,
          `--ca=${TALOS_SECRETS_PATH}`,
        ]);
        assertEquals(result.code, 1);
        assertMatch(result.stdout, /FAIL {2}TLS: .*not valid for name "127\.0\.0\.2"/);
        assertMatch(
          result.stdout,
          /hint: the serving certificate does not name the address you dialled: add it to SERVER_SANS/,
        );
      } finally {
        await other.stop();
      }
    });
    await t.step("the wrong CA", async () => {
      const dir = await Deno.makeTempDir();
      await Deno.writeTextFile(`${dir}/other.crt`, (await makeCa()).certificatePem);
      const result = await request([endpoint, `--ca=${dir}/other.crt`, "--token=x"]);
      await Deno.remove(dir, { recursive: true });
      assertEquals(result.code, 1);
      // Another cluster's Talos CA has the same subject (O=talos): rustls reports a bad signature.
      assertMatch(result.stdout, /FAIL {2}TLS: invalid peer certificate: BadSignature/);
      assertMatch(result.stdout, /hint: the signer's serving certificate does not chain to --ca/);
    });
    await t.step("bad usage exits 2 with the usage text", async () => {
      const result = await request(["--ca=x"]);
      assertEquals(result.code, 2);
      assertMatch(
        result.stderr,
        /request: --endpoint or --machine-config is required\n\nUsage: talos-csr-signer request/,
      );
    });
  } finally {
    await server.stop();
  }
});

Deno.test("the systemd unit passes systemd-analyze verify and keeps its hardening", async () => {
  const unit = await Deno.readTextFile(`${REPO_ROOT}deploy/systemd/talos-csr-signer.service`);
  for (
    const line of [
      "DynamicUser=yes",
      "ProtectSystem=strict",
      "NoNewPrivileges=yes",
      "LoadCredential=ca.key:",
      "LoadCredential=token:",
      "Restart=always",
      "CapabilityBoundingSet=",
    ]
  ) {
    assert(unit.includes(line), `missing ${line}`);
  }
  const dir = await Deno.makeTempDir();
  try {
    // systemd-analyze checks that ExecStart exists: point it at a real executable.
    await Deno.writeTextFile(
      `${dir}/talos-csr-signer.service`,
      unit.replace("/usr/local/bin/talos-csr-signer", Deno.execPath()),
    );
    const output = await new Deno.Command("systemd-analyze", {
      args: ["verify", `${dir}/talos-csr-signer.service`],
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    assertEquals(output.code, 0, text);
    assertEquals(text.trim(), "", "systemd-analyze reports nothing");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const env = await Deno.readTextFile(`${REPO_ROOT}deploy/systemd/talos-csr-signer.env.example`);
  for (const line of env.split("\n").filter((l) => /^[A-Z_]+=/.test(l))) {
    const name = line.split("=")[0]!;
    assert(
      (await Deno.readTextFile(`${REPO_ROOT}docs/configuration.md`)).includes(`\`${name}\``),
      `${name} is a documented setting`,
    );
  }
});

Deno.test("deno task compile refuses a DENORT_BIN that does not exist, naming it", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-run",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      `${REPO_ROOT}scripts/compile.ts`,
    ],
    env: { DENORT_BIN: "/nonexistent/denort" },
    cwd: REPO_ROOT,
  }).output();
  assertEquals(output.code, 2);
  assertMatch(new TextDecoder().decode(output.stderr), /^DENORT_BIN: \/nonexistent\/denort: /);
});

Deno.test("docs/troubleshooting.md lists every request hint", async () => {
  const { HINTS } = await import("../../src/cli/request_hints.ts");
  const page = await Deno.readTextFile(`${REPO_ROOT}docs/troubleshooting.md`);
  for (const { hint } of HINTS) assert(page.includes(hint), `missing hint: ${hint}`);
});
