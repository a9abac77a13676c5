/**
 * The Kamaji sidecar applies with one command: the patch `manifests --mode kamaji-sidecar` writes,
 * merged by a real RFC 7396 implementation (npm json-merge-patch) into Kamaji's own sample
 * TenantControlPlane, is valid against the TenantControlPlane CRD of the minimum Kamaji release,
 * and refused by the release before it. The CRDs and sample are Kamaji's files
 * (tests/fixtures/kamaji/README.md).
 */
import mergePatch from "json-merge-patch";
import { parse, parseAllDocuments } from "yaml";
import { MIN_KAMAJI_VERSION } from "../../src/deploy/kamaji_patch.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { crdValidator } from "../support/crd_schema.ts";
import { runMain } from "../support/server_process.ts";
import { docCommands } from "../support/doc_commands.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const FIXTURES = `${REPO_ROOT}tests/fixtures/kamaji`;
const crd = (release: string) =>
  crdValidator(
    Deno.readTextFileSync(`${FIXTURES}/tenantcontrolplanes-crd-${release}.yaml`),
    "v1alpha1",
  );
const sample = (): Json =>
  parse(Deno.readTextFileSync(`${FIXTURES}/tenantcontrolplane-sample-26.6.4-edge.yaml`));

async function writtenPatch(): Promise<{ patch: Json; commands: string }> {
  const dir = await Deno.makeTempDir({ prefix: "kamaji-patch-" });
  try {
    const result = await runMain([
      "manifests",
      `--secrets=${TALOS_SECRETS_PATH}`,
      "--endpoint=203.0.113.10",
      "--mode=kamaji-sidecar",
      "--tenant=k8s-133",
      "--namespace=tenants",
      `--out=${dir}`,
    ]);
    assertEquals(result.code, 0, result.stderr);
    const documents = parseAllDocuments(await Deno.readTextFile(`${dir}/tenant-patch.yaml`));
    assertEquals(documents.length, 1);
    return { patch: documents[0]!.toJS(), commands: result.stdout.replaceAll(dir, "DIR") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test(`the TenantControlPlane patch, merged by RFC 7396, is valid for Kamaji ${MIN_KAMAJI_VERSION} and keeps the tenant's own settings`, async () => {
  const { patch, commands } = await writtenPatch();
  assert(
    commands.includes(
      "kubectl patch tenantcontrolplane k8s-133 --namespace tenants --type merge --patch-file DIR/tenant-patch.yaml",
    ),
    commands,
  );
  const validate = crd(MIN_KAMAJI_VERSION);
  assertEquals(validate(sample()), [], "Kamaji's own sample is valid (the validator works)");
  const merged = mergePatch.apply(sample(), patch);
  assertEquals(validate(merged), []);
  const deployment = merged.spec.controlPlane.deployment;
  assertEquals(deployment.replicas, 2, "the sample's replicas survive the merge");
  assertEquals(merged.spec.controlPlane.service.serviceType, "LoadBalancer");
  assertEquals(merged.spec.kubernetes.version, "v1.33.0");
  assertEquals(deployment.additionalContainers[0].name, "talos-csr-signer");
  assertEquals(deployment.additionalVolumes[0].secret.secretName, "talos-csr-signer-ca");
  assertEquals(deployment.podSecurityContext, { fsGroup: 65532 });
  assertEquals(merged.spec.controlPlane.service.additionalPorts[0].port, 50001);
});

Deno.test("the release before the minimum Kamaji version refuses the merged TenantControlPlane", async () => {
  const { patch } = await writtenPatch();
  const errors = crd("26.6.3-edge")(mergePatch.apply(sample(), patch));
  assertEquals(errors, [
    "/spec/controlPlane/deployment must NOT have additional properties: podSecurityContext",
  ]);
});

Deno.test("the CRD validation catches a typo in the patch", async () => {
  const { patch } = await writtenPatch();
  const deployment = patch.spec.controlPlane.deployment;
  deployment.podSecurityContxt = deployment.podSecurityContext;
  delete deployment.podSecurityContext;
  patch.spec.controlPlane.service.additionalPorts[0].protocol = "TPC";
  const errors = crd(MIN_KAMAJI_VERSION)(mergePatch.apply(sample(), patch));
  assert(
    errors.includes(
      "/spec/controlPlane/deployment must NOT have additional properties: podSecurityContxt",
    ),
    errors.join("\n"),
  );
  assertMatch(
    errors.join("\n"),
    /additionalPorts\/0\/protocol must be equal to one of the allowed/,
  );
});

Deno.test("docs/kamaji.md runs manifests as written and shows exactly the commands it prints", async () => {
  const guide = await Deno.readTextFile(`${REPO_ROOT}docs/kamaji.md`);
  const [args] = docCommands(guide, "talos-csr-signer manifests");
  assert(args?.includes("talos-csr-signer"), "the guide writes into talos-csr-signer/");
  const dir = await Deno.makeTempDir({ prefix: "kamaji-guide-" });
  try {
    const out = `${dir}/talos-csr-signer`;
    const result = await runMain([
      "manifests",
      ...args!.map((a) =>
        a === "secrets.yaml" ? TALOS_SECRETS_PATH : a === "talos-csr-signer" ? out : a
      ),
    ]);
    assertEquals(result.code, 0, result.stderr);
    const commands = result.stdout.split("\n").filter((l) => l.startsWith("kubectl "));
    assertEquals(commands.length, 3);
    for (const command of commands) {
      const asWritten = command.replaceAll(out, "talos-csr-signer");
      assert(guide.split("\n").includes(asWritten), `docs/kamaji.md lacks: ${asWritten}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
