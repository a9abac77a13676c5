/**
 * `manifests`: a Secret, the workers' RBAC and a hardened workload for each mode, one file per
 * kubectl command with `--out`, the credentials files for systemd, the same checks on the secrets
 * bundle as `serve`, and the committed deploy/kubernetes examples.
 */
import { parseAllDocuments } from "yaml";
import { renderDeployFiles } from "../../scripts/gen_deploy.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { runMain, startServer } from "../support/server_process.ts";
import { docCommands } from "../support/doc_commands.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function manifests(mode: string, extra: string[] = []): Promise<Json[]> {
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

/** What `--mode daemonset` prints, in order. */
const DAEMONSET_KINDS = ["Secret", "ClusterRole", "ClusterRoleBinding", "DaemonSet"];

function byKind(objects: Json[], kind: string): Json {
  return objects.find((o) => o.kind === kind);
}

function checkContainer(container: Json, sans = "10.0.0.10,cp.example.com") {
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
  assertEquals(env.SERVER_SANS, sans);
  assertEquals(env.HTTP_ADDR, "0.0.0.0:9090");
}

/** The ClusterRole and binding that let every kubelet watch EndpointSlices (contract §5). */
function checkWorkerRbac(objects: Json[]) {
  const role = byKind(objects, "ClusterRole");
  const binding = byKind(objects, "ClusterRoleBinding");
  assertEquals(role.rules, [{
    apiGroups: ["discovery.k8s.io"],
    resources: ["endpointslices"],
    verbs: ["get", "list", "watch"],
  }]);
  assertEquals(binding.roleRef, {
    apiGroup: "rbac.authorization.k8s.io",
    kind: "ClusterRole",
    name: role.metadata.name,
  });
  assertEquals(binding.subjects, [{
    apiGroup: "rbac.authorization.k8s.io",
    kind: "Group",
    name: "system:nodes",
  }]);
}

Deno.test("manifests prints a Secret, the workers' RBAC and a hardened workload for each mode", async (t) => {
  await t.step("Secret: CA, key relabelled to PRIVATE KEY, token", async () => {
    const secret = byKind(await manifests("daemonset"), "Secret");
    assertEquals([secret.apiVersion, secret.metadata.name], ["v1", "talos-csr-signer-ca"]);
    assertMatch(secret.stringData["ca.key"], /^-----BEGIN PRIVATE KEY-----\n/);
    assertMatch(secret.stringData["ca.crt"], /^-----BEGIN CERTIFICATE-----\n/);
    assertMatch(secret.stringData.token, /^[a-z0-9]{6}\.[a-z0-9]{16}\n$/);
  });
  await t.step("daemonset: control-plane nodes, hostPort 50001, the node's IPs named", async () => {
    const objects = await manifests("daemonset");
    assertEquals(objects.map((o) => o.kind), DAEMONSET_KINDS);
    checkWorkerRbac(objects);
    const ds = byKind(objects, "DaemonSet");
    const pod = ds.spec.template.spec;
    assertEquals(pod.nodeSelector, { "node-role.kubernetes.io/control-plane": "" });
    assert(pod.tolerations.some((t: Json) => t.key === "node-role.kubernetes.io/control-plane"));
    assertEquals(pod.containers[0].ports[0], {
      name: "trustd",
      containerPort: 50001,
      protocol: "TCP",
      hostPort: 50001,
    });
    assertEquals(pod.volumes[0].secret, { secretName: "talos-csr-signer-ca", defaultMode: 0o440 });
    assertEquals(pod.securityContext.fsGroup, 65532);
    assertEquals(ds.spec.selector.matchLabels, ds.spec.template.metadata.labels);
    assertEquals(pod.containers[0].env[0], {
      name: "NODE_IPS",
      valueFrom: { fieldRef: { fieldPath: "status.hostIPs" } },
    });
    checkContainer(pod.containers[0], "$(NODE_IPS),10.0.0.10,cp.example.com");
  });
  await t.step("deployment: two replicas and a LoadBalancer keeping client addresses", async () => {
    const objects = await manifests("deployment");
    checkWorkerRbac(objects);
    const deployment = byKind(objects, "Deployment");
    const service = byKind(objects, "Service");
    assertEquals(deployment.spec.replicas, 2);
    checkContainer(deployment.spec.template.spec.containers[0]);
    assertEquals([service.spec.type, service.spec.externalTrafficPolicy], [
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
  });
  await t.step("--no-worker-rbac leaves the ClusterRole and binding out", async () => {
    for (const mode of ["daemonset", "deployment"]) {
      const kinds = (await manifests(mode, ["--no-worker-rbac"])).map((o) => o.kind);
      assert(!kinds.includes("ClusterRole") && !kinds.includes("ClusterRoleBinding"), mode);
    }
  });
});

Deno.test("manifests --mode kamaji-sidecar --out writes the Secret, the merge patch and the tenant RBAC as separate files, with the exact commands", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kamaji-out-" });
  try {
    const args = ["--tenant=tenant-a", "--namespace=tenants", `--out=${dir}/out`];
    const result = await runMain([
      "manifests",
      `--secrets=${TALOS_SECRETS_PATH}`,
      "--endpoint=10.0.0.10",
      "--san=cp.example.com",
      "--mode=kamaji-sidecar",
      ...args,
    ]);
    assertEquals(result.code, 0, result.stderr);
    const read = async (name: string) => {
      assertEquals((await Deno.stat(`${dir}/out/${name}`)).mode! & 0o777, 0o600, name);
      return parseAllDocuments(await Deno.readTextFile(`${dir}/out/${name}`)).map((d) => d.toJS());
    };
    const [secret] = await read("secret.yaml");
    assertEquals([secret.kind, secret.metadata.namespace], ["Secret", "tenants"]);
    const patch = await read("tenant-patch.yaml");
    assertEquals(patch.length, 1);
    assertEquals(Object.keys(patch[0]), ["spec"], "a merge patch body: spec only");
    const deployment = patch[0].spec.controlPlane.deployment;
    checkContainer(deployment.additionalContainers[0]);
    assertEquals(deployment.additionalVolumes[0].secret.defaultMode, 0o440);
    assertEquals(deployment.podSecurityContext, { fsGroup: 65532 });
    assertEquals(patch[0].spec.controlPlane.service.additionalPorts, [{
      name: "trustd",
      port: 50001,
      targetPort: 50001,
      protocol: "TCP",
    }]);
    checkWorkerRbac(await read("worker-rbac.yaml"));
    for (
      const line of [
        `kubectl apply -f ${dir}/out/secret.yaml`,
        `kubectl patch tenantcontrolplane tenant-a --namespace tenants --type merge --patch-file ${dir}/out/tenant-patch.yaml`,
        `kubectl --kubeconfig tenant.kubeconfig apply -f ${dir}/out/worker-rbac.yaml`,
      ]
    ) {
      assert(result.stdout.split("\n").includes(line), `missing "${line}" in\n${result.stdout}`);
    }
    assertMatch(result.stdout, /apply it in the TENANT cluster/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("manifests --mode kamaji-sidecar refuses to run without --tenant or --out", async () => {
  const base = ["manifests", `--secrets=${TALOS_SECRETS_PATH}`, "--endpoint=10.0.0.10"];
  const noTenant = await runMain([...base, "--mode=kamaji-sidecar", "--out=/nonexistent"]);
  assertEquals(noTenant.code, 2);
  assertMatch(noTenant.stderr, /^manifests: --tenant is required with --mode kamaji-sidecar\n/);
  const noOut = await runMain([...base, "--mode=kamaji-sidecar", "--tenant=t"]);
  assertEquals(noOut.code, 2);
  assertMatch(noOut.stderr, /^manifests: --out DIR is required with --mode kamaji-sidecar/);
});

Deno.test("manifests --secrets reports a missing or group-readable bundle in the same one line as serve", async () => {
  const dir = await Deno.makeTempDir({ prefix: "manifests-secrets-" });
  try {
    await Deno.copyFile(TALOS_SECRETS_PATH, `${dir}/open.yaml`);
    await Deno.chmod(`${dir}/open.yaml`, 0o644);
    for (const path of [`${dir}/missing.yaml`, `${dir}/open.yaml`]) {
      const fromManifests = await runMain([
        "manifests",
        `--secrets=${path}`,
        "--endpoint=10.0.0.10",
      ]);
      const fromServe = await runMain(["serve", `--secrets=${path}`, "--port=0"]);
      assertEquals(fromManifests.code, 2);
      assertEquals(fromManifests.stdout, "", "nothing printed");
      const line = fromManifests.stderr.trim();
      assertEquals(line.split("\n").length, 1, fromManifests.stderr);
      assertMatch(line, /^configuration error: TALOS_SECRETS_PATH: /);
      assert(
        fromServe.stderr.includes(line),
        `serve says\n${fromServe.stderr}\nmanifests: ${line}`,
      );
    }
    const tolerated = await runMain(
      ["manifests", `--secrets=${dir}/open.yaml`, "--endpoint=10.0.0.10"],
      { ALLOW_INSECURE_KEY_PERMISSIONS: "true" },
    );
    assertEquals(tolerated.code, 0, tolerated.stderr);
    assertMatch(tolerated.stderr, /^warning: TALOS_SECRETS_PATH: .*readable by group or others/);
    // The setting the message names works as the default of --secrets, as for serve.
    await Deno.chmod(`${dir}/open.yaml`, 0o600);
    const fromEnvironment = await runMain(["manifests", "--endpoint=10.0.0.10"], {
      TALOS_SECRETS_PATH: `${dir}/open.yaml`,
    });
    assertEquals(fromEnvironment.code, 0, fromEnvironment.stderr);
    assertMatch(fromEnvironment.stdout, /kind: Secret/);
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
      const check = await runMain([
        "request",
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

Deno.test("deploy/kubernetes files are what `deno task deploy-files` generates", async () => {
  const committed = [...Deno.readDirSync(`${REPO_ROOT}deploy/kubernetes`)].map((e) => e.name);
  assertEquals(committed.sort(), Object.keys(renderDeployFiles()).sort());
  for (const [name, text] of Object.entries(renderDeployFiles())) {
    const file = await Deno.readTextFile(`${REPO_ROOT}deploy/kubernetes/${name}`);
    assertEquals(file, text, `run \`deno task deploy-files\` (${name})`);
  }
});

Deno.test("docs/kubeadm.md's manifests command, run as written, prints the Secret, the workers' RBAC and the DaemonSet", async () => {
  const guide = await Deno.readTextFile(`${REPO_ROOT}docs/kubeadm.md`);
  const [args] = docCommands(guide, "talos-csr-signer manifests");
  const redirect = args!.indexOf(">");
  assert(redirect > 0, "the guide saves the output to a file");
  const result = await runMain([
    "manifests",
    ...args!.slice(0, redirect).map((a) => a === "secrets.yaml" ? TALOS_SECRETS_PATH : a),
  ]);
  assertEquals(result.code, 0, result.stderr);
  const objects = parseAllDocuments(result.stdout).map((d) => d.toJS());
  assertEquals(objects.map((o) => o.kind), DAEMONSET_KINDS);
  checkWorkerRbac(objects);
});
