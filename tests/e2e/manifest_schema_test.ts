/**
 * Every object `manifests` prints in every mode, and every object in deploy/kubernetes/, passes the
 * Kubernetes OpenAPI schemas (kubernetes-models) and has no field the schemas do not declare (the
 * TypeScript compiler's excess-property check); and the validators catch injected typos. The
 * Kamaji patch is validated against the TenantControlPlane CRD in kamaji_patch_test.ts.
 */
import { parseAllDocuments } from "yaml";
import { renderDeployFiles } from "../../scripts/gen_deploy.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { schemaErrors, unknownFieldErrors } from "../support/kubernetes_schema.ts";
import { runMain } from "../support/server_process.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const COMMON = [`--secrets=${TALOS_SECRETS_PATH}`, "--endpoint=10.0.0.10", "--san=cp.example.com"];

async function printed(args: string[]): Promise<Json[]> {
  const result = await runMain(["manifests", ...COMMON, ...args]);
  assertEquals(result.code, 0, result.stderr);
  return parseAllDocuments(result.stdout).map((d) => d.toJS());
}

async function kamajiObjects(): Promise<Json[]> {
  const dir = await Deno.makeTempDir({ prefix: "schema-kamaji-" });
  try {
    const args = ["--mode=kamaji-sidecar", "--tenant=t", "--namespace=tenants", `--out=${dir}`];
    const result = await runMain(["manifests", ...COMMON, ...args]);
    assertEquals(result.code, 0, result.stderr);
    const objects: Json[] = [];
    for (const file of ["secret.yaml", "worker-rbac.yaml"]) {
      const text = await Deno.readTextFile(`${dir}/${file}`);
      objects.push(...parseAllDocuments(text).map((d) => d.toJS()));
    }
    return objects;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Everything `manifests` and deploy/kubernetes/ produce that is a Kubernetes object. */
async function everyObject(): Promise<Json[]> {
  const objects = [
    ...(await printed(["--mode=daemonset"])),
    ...(await printed(["--mode=deployment"])),
    ...(await printed(["--mode=daemonset", "--no-worker-rbac", "--name=other", "--namespace=x"])),
    ...(await kamajiObjects()),
  ];
  for (const [name, text] of Object.entries(renderDeployFiles())) {
    if (name === "kamaji-tenant-patch.yaml") continue; // a merge patch, not an object
    objects.push(...parseAllDocuments(text).map((d) => d.toJS()));
  }
  return objects;
}

Deno.test("every object manifests and deploy/kubernetes produce passes the Kubernetes schemas, with no unknown field", async () => {
  const objects = await everyObject();
  const kinds = new Set(objects.map((o) => o.kind));
  for (const kind of ["Secret", "ClusterRole", "ClusterRoleBinding", "DaemonSet", "Deployment"]) {
    assert(kinds.has(kind), `${kind} covered`);
  }
  assert(kinds.has("Service"), "Service covered");
  assertEquals(schemaErrors(objects), []);
  assertEquals(await unknownFieldErrors(objects), "");
});

Deno.test("the schema validators catch injected typos", async () => {
  const [ds] = (await printed(["--mode=daemonset"])).filter((o) => o.kind === "DaemonSet");
  const container = () => structuredClone(ds);
  const inContainer = (edit: (c: Json) => void) => {
    const copy = container();
    edit(copy.spec.template.spec.containers[0]);
    return copy;
  };

  const misspeltRequired = inContainer((c) => {
    c.ports[0].containerPrt = c.ports[0].containerPort;
    delete c.ports[0].containerPort;
  });
  assertMatch(schemaErrors([misspeltRequired]).join(), /must have required property containerPort/);

  const badEnum = inContainer((c) => (c.ports[0].protocol = "TPC"));
  assertMatch(
    schemaErrors([badEnum]).join(),
    /protocol must be equal to one of the allowed values/,
  );

  const wrongType = inContainer((c) => (c.ports[0].hostPort = "50001"));
  assertMatch(schemaErrors([wrongType]).join(), /hostPort must be integer/);

  const misspeltOptional = inContainer((c) => {
    c.securityContext.readOnlyRootFilesytem = true;
    delete c.securityContext.readOnlyRootFilesystem;
  });
  // The OpenAPI schemas allow unknown fields; the declared types do not (like kubectl's strict
  // field validation).
  assertMatch(
    await unknownFieldErrors([misspeltOptional]),
    /'"readOnlyRootFilesytem"' does not exist/,
  );

  const wrongKind = { ...container(), kind: "DeamonSet" };
  assertEquals(schemaErrors([wrongKind]), [
    "DeamonSet talos-csr-signer: no Kubernetes schema for apps/v1/DeamonSet",
  ]);
});
