/**
 * From secrets.yaml to a verified signer: the `request` smoke test and its hints, `manifests` for
 * each mode (and the Secret it prints accepted by `serve` unchanged), the systemd unit, and the
 * committed example files.
 */
import { parseAllDocuments } from "yaml";
import { renderDeployFiles } from "../../scripts/gen_deploy.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { makeCa } from "../support/keys.ts";
import { runMain, startServer } from "../support/server_process.ts";
import { writeSecretVolume } from "../support/secret_volume.ts";

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
        /request: --endpoint is required\n\nUsage: talos-csr-signer request/,
      );
    });
  } finally {
    await server.stop();
  }
});

async function manifests(mode: string, extra: string[] = []) {
  const result = await runMain([
    "manifests",
    `--secrets=${TALOS_SECRETS_PATH}`,
    "--endpoint=10.0.0.10",
    "--san=cp.example.com",
    `--mode=${mode}`,
    ...extra,
  ]);
  assertEquals(result.code, 0, result.stderr);
  return parseAllDocuments(result.stdout).map((d) => d.toJS());
}

// deno-lint-ignore no-explicit-any
function checkContainer(container: any) {
  assertEquals(container.args, ["serve"]);
  assertEquals(container.securityContext.readOnlyRootFilesystem, true);
  assertEquals(container.securityContext.runAsNonRoot, true);
  assertEquals(container.securityContext.allowPrivilegeEscalation, false);
  assertEquals(container.livenessProbe.httpGet, { path: "/healthz", port: "http" });
  assertEquals(container.readinessProbe.httpGet, { path: "/readyz", port: "http" });
  assert(container.resources.requests.cpu && container.resources.requests.memory);
  const env = Object.fromEntries(
    container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  assertEquals(env.SERVER_SANS, "10.0.0.10,cp.example.com");
  assertEquals(env.HTTP_ADDR, "0.0.0.0:9090");
  return env;
}

Deno.test("manifests prints a Secret and a hardened workload for each mode", async (t) => {
  await t.step("Secret: CA, key relabelled to PRIVATE KEY, token", async () => {
    const [secret] = await manifests("daemonset");
    assertEquals([secret.apiVersion, secret.kind, secret.metadata.name], [
      "v1",
      "Secret",
      "talos-csr-signer-ca",
    ]);
    assertMatch(secret.stringData["ca.key"], /^-----BEGIN PRIVATE KEY-----\n/);
    assertMatch(secret.stringData["ca.crt"], /^-----BEGIN CERTIFICATE-----\n/);
    assertMatch(secret.stringData.token, /^[a-z0-9]{6}\.[a-z0-9]{16}\n$/);
  });
  await t.step("daemonset: control-plane nodes, hostPort 50001", async () => {
    const [, ds] = await manifests("daemonset");
    assertEquals(ds.kind, "DaemonSet");
    const pod = ds.spec.template.spec;
    assertEquals(pod.nodeSelector, { "node-role.kubernetes.io/control-plane": "" });
    assert(
      pod.tolerations.some((t: { key: string }) =>
        t.key === "node-role.kubernetes.io/control-plane"
      ),
    );
    assertEquals(pod.containers[0].ports[0], {
      name: "trustd",
      containerPort: 50001,
      protocol: "TCP",
      hostPort: 50001,
    });
    assertEquals(pod.volumes[0].secret, { secretName: "talos-csr-signer-ca", defaultMode: 0o440 });
    assertEquals(pod.securityContext.fsGroup, 65532);
    assertEquals(ds.spec.selector.matchLabels, ds.spec.template.metadata.labels);
    checkContainer(pod.containers[0]);
  });
  await t.step(
    "deployment: two replicas and a LoadBalancer Service keeping client addresses",
    async () => {
      const [, deployment, service] = await manifests("deployment");
      assertEquals([deployment.kind, deployment.spec.replicas], ["Deployment", 2]);
      checkContainer(deployment.spec.template.spec.containers[0]);
      assertEquals([service.kind, service.spec.type, service.spec.externalTrafficPolicy], [
        "Service",
        "LoadBalancer",
        "Local",
      ]);
      assertEquals(service.spec.ports[0], {
        name: "trustd",
        port: 50001,
        targetPort: "trustd",
        protocol: "TCP",
      });
      assertEquals(service.spec.selector, deployment.spec.template.metadata.labels);
    },
  );
  await t.step(
    "kamaji-sidecar: a TenantControlPlane patch with container, volume and service port",
    async () => {
      const [, tcp] = await manifests("kamaji-sidecar", [
        "--tenant=tenant-a",
        "--namespace=tenants",
      ]);
      assertEquals([tcp.apiVersion, tcp.kind, tcp.metadata.name, tcp.metadata.namespace], [
        "kamaji.clastix.io/v1alpha1",
        "TenantControlPlane",
        "tenant-a",
        "tenants",
      ]);
      checkContainer(tcp.spec.controlPlane.deployment.additionalContainers[0]);
      assertEquals(tcp.spec.controlPlane.deployment.additionalVolumes[0].secret.defaultMode, 0o440);
      assertEquals(tcp.spec.controlPlane.service.additionalPorts, [{
        name: "trustd",
        port: 50001,
        targetPort: 50001,
        protocol: "TCP",
      }]);
      const missing = await runMain([
        "manifests",
        `--secrets=${TALOS_SECRETS_PATH}`,
        "--endpoint=10.0.0.10",
        "--mode=kamaji-sidecar",
      ]);
      assertEquals(missing.code, 2);
      assertMatch(missing.stderr, /--tenant is required/);
    },
  );
});

Deno.test("the Secret that manifests prints, mounted the way kubelet does, is accepted by serve unchanged", async () => {
  const [secret, ds] = await manifests("daemonset");
  const env = checkContainer(ds.spec.template.spec.containers[0]);
  const dir = await Deno.makeTempDir({ prefix: "mounted-" });
  try {
    await writeSecretVolume(
      `${dir}/etc/talos-ca`,
      secret.stringData,
      ds.spec.template.spec.volumes[0].secret.defaultMode,
    );
    const mounted = Object.fromEntries(
      Object.entries(env).map((
        [k, v],
      ) => [k, String(v).replace(/^\/etc\/talos-ca/, `${dir}/etc/talos-ca`)]),
    );
    const server = await startServer([], {
      ...mounted,
      HTTP_ADDR: "127.0.0.1:0",
      SERVER_SANS: "127.0.0.1",
    });
    try {
      const result = await request([
        `--endpoint=127.0.0.1:${server.port}`,
        `--ca=${dir}/etc/talos-ca/ca.crt`,
        `--token-file=${dir}/etc/talos-ca/token`,
      ]);
      assertEquals(result.code, 0, result.stdout);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("manifests --mode files writes the credentials the systemd unit loads, private, and serve accepts them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "files-" });
  try {
    const result = await runMain([
      "manifests",
      `--secrets=${TALOS_SECRETS_PATH}`,
      "--mode=files",
      `--out=${dir}/etc`,
    ]);
    assertEquals(result.code, 0, result.stderr);
    for (const name of ["ca.crt", "ca.key", "token"]) {
      assertEquals((await Deno.stat(`${dir}/etc/${name}`)).mode! & 0o777, 0o600);
    }
    const server = await startServer([
      `--ca-cert=${dir}/etc/ca.crt`,
      `--ca-key=${dir}/etc/ca.key`,
      `--token-file=${dir}/etc/token`,
    ]);
    try {
      const check = await request([
        `--endpoint=127.0.0.1:${server.port}`,
        `--ca=${dir}/etc/ca.crt`,
        `--token-file=${dir}/etc/token`,
      ]);
      assertEquals(check.code, 0, check.stdout);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
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

Deno.test("deploy/kubernetes files are what `deno task deploy-files` generates, and parse", async () => {
  for (const [name, text] of Object.entries(renderDeployFiles())) {
    const committed = await Deno.readTextFile(`${REPO_ROOT}deploy/kubernetes/${name}`);
    assertEquals(committed, text, `run \`deno task deploy-files\` (${name})`);
    assert(parseAllDocuments(committed).every((d) => d.errors.length === 0));
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
