/**
 * `request` as the one-command check of a worker's configuration: every address a worker dials,
 * the worker's own machine configuration, which value disagrees with the signer, and the files a
 * user can inspect with openssl.
 */
import { lookup } from "node:dns/promises";
import { parseAllDocuments } from "yaml";
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { workerTargets } from "../../src/cli/worker_targets.ts";
import { parseMachineConfig } from "../../src/config/machine_config.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { readTalosSecrets, REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { makeCa } from "../support/keys.ts";
import { renderWorkerConfig, WORKER_FIXTURE } from "../support/machine_config.ts";
import { runWithInput } from "../support/process.ts";
import { runMain, startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());

async function request(args: string[]) {
  const result = await runMain(["request", ...args]);
  return { ...result, lines: result.stdout.trim().split("\n") };
}

function line(stdout: string, pattern: RegExp) {
  assertMatch(stdout, pattern);
}

async function withSigner(
  args: string[],
  body: (port: number, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "request-" });
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`, ...args]);
  try {
    await body(server.port, dir);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("request --out DIR saves the key, CSR, issued certificate and CA bundle, which openssl reads and verifies", async () => {
  await withSigner([], async (port, dir) => {
    const out = `${dir}/out`;
    const result = await request([
      `--endpoint=127.0.0.1:${port}`,
      `--ca=${TALOS_SECRETS_PATH}`,
      `--out=${out}`,
    ]);
    assertEquals(result.code, 0, result.stdout + result.stderr);
    line(result.stdout, new RegExp(`saved worker.key, worker.csr, worker.crt, ca.crt in ${out}`));
    assertEquals((await Deno.stat(`${out}/worker.key`)).mode! & 0o777, 0o600);
    const ssl = (...args: string[]) => runWithInput("openssl", args, "");
    const text = await ssl("x509", "-noout", "-text", "-in", `${out}/worker.crt`);
    assertEquals(text.code, 0, text.stderr);
    assertMatch(text.stdout, /TLS Web Server Authentication/);
    assertMatch(text.stdout, /IP Address:127\.0\.0\.1/);
    const verify = await ssl("verify", "-CAfile", `${out}/ca.crt`, `${out}/worker.crt`);
    assertEquals(verify.stdout.trim(), `${out}/worker.crt: OK`, verify.stderr);
    const csr = await ssl("req", "-verify", "-noout", "-in", `${out}/worker.csr`);
    assertEquals(csr.code, 0, csr.stderr);
    const keyPub = await ssl("pkey", "-pubout", "-in", `${out}/worker.key`);
    const certPub = await ssl("x509", "-noout", "-pubkey", "-in", `${out}/worker.crt`);
    assertEquals(keyPub.stdout, certPub.stdout, "the saved key is the certificate's");
    assertEquals(await Deno.readTextFile(`${out}/ca.crt`), bundle.caCertificatePem);
  });
});

Deno.test("request --endpoint is repeatable and checks each address the way a worker verifies it", async () => {
  // Listening on every address, the certificate names 127.0.0.1 only: 127.0.0.2 is refused by a
  // worker's TLS verification, although the signer answers there.
  await withSigner(["--listen-address=0.0.0.0", "--server-sans=127.0.0.1"], async (port) => {
    const result = await request([
      `--endpoint=127.0.0.1:${port}`,
      `--endpoint=127.0.0.2:${port}`,
      `--ca=${TALOS_SECRETS_PATH}`,
    ]);
    assertEquals(result.code, 1, result.stdout);
    const [first, second] = result.stdout.split(/^== /m).slice(1);
    assertMatch(first!, new RegExp(`^127\\.0\\.0\\.1:${port} \\(--endpoint\\)`));
    assertMatch(first!, /PASS {2}TLS: serving certificate verified for 127\.0\.0\.1/);
    assertMatch(first!, /PASS {2}crt chains to ca/);
    assertMatch(second!, new RegExp(`^127\\.0\\.0\\.2:${port} \\(--endpoint\\)`));
    assertMatch(second!, /FAIL {2}TLS: .*not valid for name "127\.0\.0\.2"/);
    assertMatch(second!, /hint: the serving certificate does not name the address you dialled/);
    assertEquals(result.lines.at(-1), `FAIL: 127.0.0.1:${port}, 127.0.0.2:${port}`);
  });
});

Deno.test("request --endpoint NAME dials every address the name resolves to, and the name itself", async () => {
  await withSigner([], async (port) => {
    const result = await request([
      `--endpoint=localhost:${port}`,
      `--ca=${TALOS_SECRETS_PATH}`,
      "--json",
    ]);
    const report = JSON.parse(result.stdout);
    const addresses = (await lookup("localhost", { all: true })).map((a) =>
      a.family === 6 ? `[${a.address}]:${port}` : `${a.address}:${port}`
    );
    assertEquals(
      report.endpoints.map((e: { address: string }) => e.address),
      [...new Set(addresses), `localhost:${port}`],
    );
    const tls = (target: string) =>
      report.steps.find((s: { target: string; name: string }) =>
        s.target === target && s.name === "TLS"
      );
    assertEquals(tls(`127.0.0.1:${port}`).ok, true);
    assertEquals(tls(`localhost:${port}`).ok, true, "the DNS SAN localhost, dialled by name");
  });
});

Deno.test("workerTargets() expands a name into its addresses plus the name, an IP into itself, without duplicates", async () => {
  const resolve = (name: string) =>
    Promise.resolve(name === "cp.example.com" ? ["10.0.0.10", "fd00::10"] : []);
  const targets = await workerTargets([
    { host: "cp.example.com", port: 50001, source: "cluster.controlPlane.endpoint" },
    { host: "10.0.0.10", port: 50001, source: "--endpoint" },
    { host: "10.0.0.11", port: 50001, source: "--endpoint" },
  ], resolve);
  assertEquals(targets.map((t) => t.host), [
    "10.0.0.10",
    "fd00::10",
    "cp.example.com",
    "10.0.0.11",
  ]);
});

/** A minimal JSON-schema check for the extract: type, enum, pattern, properties, $ref. */
function validate(
  schema: Record<string, unknown>,
  defs: Record<string, unknown>,
  value: unknown,
  path: string,
): string[] {
  // deno-lint-ignore no-explicit-any
  const s = (schema.$ref ? defs[(schema.$ref as string).split("/").at(-1)!] : schema) as any;
  const problems: string[] = [];
  if (s.enum && !s.enum.includes(value)) problems.push(`${path}: ${value} not in ${s.enum}`);
  if (s.type === "string" && typeof value !== "string") problems.push(`${path}: not a string`);
  if (s.pattern && !new RegExp(s.pattern).test(String(value))) problems.push(`${path}: pattern`);
  if (s.type === "object" && s.properties) {
    // machine.acceptedCAs: the Go type is a list, and the schema describes each item.
    const items = Array.isArray(value) ? value : [value];
    for (const [i, item] of items.entries()) {
      const at = Array.isArray(value) ? `${path}[${i}]` : path;
      if (typeof item !== "object" || item === null) {
        problems.push(`${at}: not an object`);
        continue;
      }
      for (const [key, child] of Object.entries(item)) {
        if (s.properties[key]) {
          problems.push(...validate(s.properties[key], defs, child, `${at}.${key}`));
        } else if (s.additionalProperties === false) problems.push(`${at}.${key}: not allowed`);
      }
    }
  }
  return problems;
}

Deno.test("the worker.yaml fixture, filled in, follows Talos's published v1alpha1 schema and parses", async () => {
  const extract = JSON.parse(
    await Deno.readTextFile(`${REPO_ROOT}tests/fixtures/talos/v1alpha1_schema_extract.json`),
  );
  assertMatch(extract.$comment, /siderolabs\/talos v1\.13\.9 \(commit 3ebd10a7c1bd/);
  const header = (await Deno.readTextFile(WORKER_FIXTURE)).split("\n").slice(0, 12).join("\n");
  assertMatch(header, /3ebd10a7c1bd0f81742bdcd0c3fe56d727db7401/);
  const other = await makeCa();
  const text = await renderWorkerConfig({
    token: bundle.token,
    caPem: bundle.caCertificatePem,
    acceptedCaPems: [other.certificatePem],
    endpoint: "https://cp.example.com:6443",
  });
  const [document] = parseAllDocuments(text).map((d) => d.toJS());
  const root = { $ref: "#/$defs/v1alpha1.Config" };
  assertEquals(validate(root, extract.$defs, document, ""), []);
  const broken = structuredClone(document);
  broken.cluster.controlPlane.endpoint = "cp.example.com:6443";
  broken.machine.ca.crtt = "x";
  assertEquals(validate(root, extract.$defs, broken, "").length, 2, "the check catches typos");
  const worker = parseMachineConfig(text);
  assertEquals(worker.token, bundle.token);
  assertEquals(worker.caPem, bundle.caCertificatePem);
  assertEquals(worker.acceptedCaPems, [other.certificatePem]);
  assertEquals(worker.endpointHost, "cp.example.com");
});

Deno.test("request --machine-config checks exactly what that worker will do, and says which value disagrees", async (t) => {
  const other = await makeCa();
  await withSigner([], async (port, dir) => {
    const check = async (name: string, values: Parameters<typeof renderWorkerConfig>[0]) => {
      const path = `${dir}/${name}.yaml`;
      await Deno.writeTextFile(path, await renderWorkerConfig(values));
      return { path, ...(await request([`--machine-config=${path}`, `--port=${port}`])) };
    };
    const endpoint = "https://127.0.0.1:6443";
    await t.step("matching token and CA: PASS", async () => {
      const r = await check("good", {
        token: bundle.token,
        caPem: bundle.caCertificatePem,
        endpoint,
      });
      assertEquals(r.code, 0, r.stdout + r.stderr);
      line(r.stdout, /PASS {2}TLS: serving certificate verified for 127\.0\.0\.1/);
      line(r.stdout, /PASS {2}ca includes machine\.ca\.crt/);
      line(r.stdout, /PASS {2}machine\.ca\.crt: /);
      line(r.stdout, /PASS {2}machine\.token: the signer accepts machine\.token/);
      assertEquals(r.lines.at(-1), `PASS: 127.0.0.1:${port}`);
      assert(!r.stdout.includes(bundle.token), "the token is never printed");
    });
    await t.step("another token: the report names machine.token", async () => {
      const r = await check("token", {
        token: "wrong0.0000000000000000",
        caPem: bundle.caCertificatePem,
        endpoint,
      });
      assertEquals(r.code, 1, r.stdout);
      line(r.stdout, /FAIL {2}Certificate call: UNAUTHENTICATED: invalid token/);
      line(
        r.stdout,
        new RegExp(
          `FAIL {2}machine\\.token: machine\\.token of ${r.path} is not accepted by the signer`,
        ),
      );
      line(r.stdout, /hint: set machine\.token of the worker config to the signer's token/);
      line(r.stdout, /PASS {2}machine\.ca\.crt: /);
    });
    await t.step("another CA: the report names machine.ca.crt", async () => {
      const r = await check("ca", { token: bundle.token, caPem: other.certificatePem, endpoint });
      assertEquals(r.code, 1, r.stdout);
      line(r.stdout, /FAIL {2}TLS: invalid peer certificate/);
      line(
        r.stdout,
        new RegExp(
          `FAIL {2}machine\\.ca\\.crt: machine\\.ca\\.crt \\(and machine\\.acceptedCAs\\) of ${r.path} do not match the signer's CA`,
        ),
      );
      line(r.stdout, /hint: give the worker the signer's CA as machine\.ca\.crt/);
      assert(!/machine\.token:/.test(r.stdout), "the token cannot be judged without TLS");
    });
    await t.step(
      "the signer's CA only in machine.acceptedCAs: TLS works, but apid would lock out talosctl",
      async () => {
        const r = await check("accepted", {
          token: bundle.token,
          caPem: other.certificatePem,
          acceptedCaPems: [bundle.caCertificatePem],
          endpoint,
        });
        assertEquals(r.code, 1, r.stdout);
        line(r.stdout, /PASS {2}TLS: /);
        line(
          r.stdout,
          /FAIL {2}ca includes machine\.ca\.crt: the returned CA bundle lacks machine\.ca\.crt/,
        );
      },
    );
    await t.step("--machine-config with --ca is refused", async () => {
      const r = await request([`--machine-config=${dir}/good.yaml`, `--ca=${TALOS_SECRETS_PATH}`]);
      assertEquals(r.code, 2);
      assertMatch(r.stderr, /^request: --ca conflicts with --machine-config/);
    });
  });
});
