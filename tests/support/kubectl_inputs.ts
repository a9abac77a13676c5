/**
 * The `kubectl` commands of the Kubernetes guides, checked without a cluster: each file they apply
 * exists where the guide's previous command wrote it and passes the schemas (Kubernetes objects:
 * kubernetes-models; the Kamaji patch: merged by RFC 7396 into Kamaji's sample TenantControlPlane
 * and validated against the CRD of the minimum Kamaji release), and each resource or field they name
 * exists.
 *
 * @module
 */
import mergePatch from "json-merge-patch";
import { parse, parseAllDocuments } from "yaml";
import { MIN_KAMAJI_VERSION } from "../../src/deploy/kamaji_patch.ts";
import { assert, assertEquals } from "./assert.ts";
import { crdValidator } from "./crd_schema.ts";
import { REPO_ROOT } from "./fixtures.ts";
import { schemaErrors } from "./kubernetes_schema.ts";

const KAMAJI = `${REPO_ROOT}tests/fixtures/kamaji`;

/**
 * Checks one `kubectl` command of a guide.
 *
 * @param words the words after `kubectl`, as written (a pipe stays in as `|`)
 * @param cwd the reader's working directory, holding the files earlier commands wrote
 * @throws {Error} for a command this check does not know
 */
export async function checkKubectlCommand(words: string[], cwd: string): Promise<void> {
  const args = [...words];
  const kubeconfig = args[0] === "--kubeconfig" ? args.splice(0, 2)[1]! : undefined;
  if (kubeconfig) await Deno.stat(`${cwd}/${kubeconfig}`);
  const option = (name: string) => args[args.indexOf(name) + 1]!;
  const readDocuments = async (path: string) =>
    parseAllDocuments(await Deno.readTextFile(`${cwd}/${path}`)).map((d) => d.toJS());
  const tenantCrd = () =>
    crdValidator(
      Deno.readTextFileSync(`${KAMAJI}/tenantcontrolplanes-crd-${MIN_KAMAJI_VERSION}.yaml`),
      "v1alpha1",
    );
  switch (args[0]) {
    case "apply": {
      const objects = await readDocuments(option("-f"));
      assert(objects.length > 0, `${option("-f")} holds objects`);
      assertEquals(schemaErrors(objects), []);
      return;
    }
    case "patch": {
      assertEquals([args[1], option("--type")], ["tenantcontrolplane", "merge"]);
      const [patch] = await readDocuments(option("--patch-file"));
      const sample = parse(
        Deno.readTextFileSync(`${KAMAJI}/tenantcontrolplane-sample-${MIN_KAMAJI_VERSION}.yaml`),
      );
      assertEquals(tenantCrd()(mergePatch.apply(sample, patch)), []);
      return;
    }
    case "explain": {
      const [resource, ...path] = args[1]!.split(".");
      assertEquals(resource, "tenantcontrolplane");
      const crd = parse(
        Deno.readTextFileSync(`${KAMAJI}/tenantcontrolplanes-crd-${MIN_KAMAJI_VERSION}.yaml`),
      );
      let node = crd.spec.versions[0].schema.openAPIV3Schema;
      for (const field of path) {
        node = node.properties?.[field];
        assert(node, `${args[1]}: no field ${field} in Kamaji ${MIN_KAMAJI_VERSION}`);
      }
      return;
    }
    case "get": {
      // kubectl get secret <tenant>-admin-kubeconfig ... -o jsonpath='{.data.admin\.conf}' |
      //   base64 -d > FILE: Kamaji's admin kubeconfig Secret and key, saved for --kubeconfig.
      assertEquals(args[1], "secret");
      assert(args[2]!.endsWith("-admin-kubeconfig"), args[2]);
      assert(option("-o").includes("admin\\.conf"), option("-o"));
      assertEquals(args.slice(args.indexOf("|")), ["|", "base64", "-d", ">", args.at(-1)!]);
      await Deno.writeTextFile(`${cwd}/${args.at(-1)}`, "");
      return;
    }
    default:
      throw new Error(`no test covers: kubectl ${words.join(" ")}`);
  }
}
