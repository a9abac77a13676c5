/**
 * Every address a worker dials is served (contract §5): the DaemonSet's pods name their own node's
 * IPs, and the default listener takes both address families, as native trustd does. The worker
 * side is the Go worker-style client (crypto/tls verifying the dialled address, grpc-go).
 */
import { parseAllDocuments } from "yaml";
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { readTalosSecrets, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { goCall } from "../support/go_worker.ts";
import { type EnvVar, resolvePodEnv } from "../support/pod_env.ts";
import { writeSecretVolume } from "../support/secret_volume.ts";
import { runMain, startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());
/** Stands in for the node's IP: a loopback address other than 127.0.0.1. */
const NODE_IP = "127.0.0.3";

function listening(logs: string[]) {
  return JSON.parse(logs.find((l) => l.includes('"msg":"listening"'))!);
}

Deno.test("a DaemonSet pod, started with exactly the environment the DaemonSet sets, serves a worker dialling its node IP", async () => {
  const printed = await runMain([
    "manifests",
    `--secrets=${TALOS_SECRETS_PATH}`,
    "--endpoint=10.0.0.10",
    "--san=cp.example.com",
    "--mode=daemonset",
  ]);
  assertEquals(printed.code, 0, printed.stderr);
  const objects = parseAllDocuments(printed.stdout).map((d) => d.toJS());
  const secret = objects.find((o) => o.kind === "Secret");
  const pod = objects.find((o) => o.kind === "DaemonSet").spec.template.spec;
  const container = pod.containers[0];
  const env = resolvePodEnv(container.env as EnvVar[], { "status.hostIPs": NODE_IP });
  assertEquals(env.SERVER_SANS, `${NODE_IP},10.0.0.10,cp.example.com`);
  const dir = await Deno.makeTempDir({ prefix: "daemonset-pod-" });
  const mount = container.volumeMounts[0].mountPath as string;
  try {
    await writeSecretVolume(`${dir}${mount}`, secret.stringData, pod.volumes[0].secret.defaultMode);
    const podEnv = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v.replace(mount, `${dir}${mount}`)]),
    );
    // Only the test harness's own flags are added: any free port instead of 50001 and 9090.
    const server = await startServer([], podEnv, "serve", undefined, { listenDefault: true });
    try {
      assertEquals(listening(server.logs).address, "::");
      const viaNode = await goCall(
        server.port,
        bundle.caCertificatePem,
        bundle.token,
        "ed25519",
        "",
        NODE_IP,
      );
      assertEquals(viaNode.code, 0, JSON.stringify(viaNode));
      assert(viaNode.report.ok, JSON.stringify(viaNode.report));
      // Control: an address the pod's certificate does not name fails verification.
      const other = await runMain([
        "request",
        `--endpoint=127.0.0.4:${server.port}`,
        `--ca=${TALOS_SECRETS_PATH}`,
      ]);
      assertEquals(other.code, 1, other.stdout + other.stderr);
      assertMatch(other.stdout, /FAIL {2}TLS: .*not valid for name "127\.0\.0\.4"/);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with the default listen address a worker is served over IPv6 loopback and over IPv4", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`], {}, "serve", undefined, {
    listenDefault: true,
  });
  try {
    const line = listening(server.logs);
    assertEquals([line.address, line.families], ["::", "ipv4+ipv6"]);
    assert(line.serving_ips.includes("::1") && line.serving_ips.includes("127.0.0.1"));
    for (const host of ["::1", "127.0.0.1"]) {
      const result = await goCall(
        server.port,
        bundle.caCertificatePem,
        bundle.token,
        "ed25519",
        "",
        host,
      );
      assertEquals(result.code, 0, `${host}: ${JSON.stringify(result)}`);
      assert(result.report.ok, JSON.stringify(result.report));
    }
  } finally {
    await server.stop();
  }
});

Deno.test("serve warns at start-up when the serving certificate does not name the listen address", async () => {
  const server = await startServer([
    `--secrets=${TALOS_SECRETS_PATH}`,
    "--listen-address=127.0.0.2",
    "--server-sans=cp.example.com",
  ]);
  try {
    const warning = server.logs.map((l) => JSON.parse(l)).find((r) =>
      r.msg.startsWith("the serving certificate does not name the listen address")
    );
    assertEquals(warning?.level, "warn");
    assertEquals(warning?.address, "127.0.0.2");
  } finally {
    await server.stop();
  }
});
