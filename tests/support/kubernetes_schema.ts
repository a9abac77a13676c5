/**
 * Validates Kubernetes objects against the Kubernetes OpenAPI schemas, with code we did not write:
 *
 * - `kubernetes-models` (pinned in deno.json; its 5.x schemas are Kubernetes v1.36's OpenAPI,
 *   precompiled to ajv validators): types, required fields, enums and formats. Those schemas do not
 *   forbid unknown fields, which `kubectl apply` (strict field validation) refuses, so:
 * - the TypeScript compiler (`deno check`) checks each object as an object literal of the model's
 *   declared type, generated from the same schemas: an unknown or misspelt field name is an
 *   excess-property error.
 *
 * @module
 */
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { REPO_ROOT } from "./fixtures.ts";

/** A model class of kubernetes-models: validates the object it is built from. */
type Model = new (data: never) => { validate(): void };

/**
 * The models by `apiVersion/kind`, which is also each model's module path in kubernetes-models;
 * its declared type is `I<kind>`.
 */
const MODELS: Record<string, Model> = {
  "v1/Secret": Secret,
  "v1/Service": Service,
  "apps/v1/DaemonSet": DaemonSet,
  "apps/v1/Deployment": Deployment,
  "rbac.authorization.k8s.io/v1/ClusterRole": ClusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ClusterRoleBinding,
};

function modelKey(object: Record<string, unknown>): string {
  const key = `${object.apiVersion}/${object.kind}`;
  if (!MODELS[key]) throw new Error(`no Kubernetes schema for ${key}`);
  return key;
}

/**
 * Validates objects against the schemas at run time.
 *
 * @param objects the objects
 * @returns one message per invalid object (empty when all are valid)
 */
export function schemaErrors(objects: Record<string, unknown>[]): string[] {
  const errors: string[] = [];
  for (const object of objects) {
    try {
      new MODELS[modelKey(object)]!(object as never).validate();
    } catch (error) {
      const name = (object.metadata as { name?: string } | undefined)?.name;
      errors.push(`${object.kind} ${name}: ${(error as Error).message}`);
    }
  }
  return errors;
}

/**
 * Checks that every field name of every object is one the schemas declare, with the TypeScript
 * compiler's excess-property check.
 *
 * @param objects the objects
 * @returns the compiler's error output (empty when every field is known)
 */
export async function unknownFieldErrors(objects: Record<string, unknown>[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "k8s-fields-" });
  try {
    const keys = objects.map(modelKey);
    const type = (key: string) => `I${key.split("/").at(-1)}`;
    const imports = [...new Set(keys)].map((k) =>
      `import type { ${type(k)} } from "kubernetes-models/${k}";`
    );
    const checks = objects.map((o, i) =>
      `export const object${i}: ${type(keys[i]!)} = ${JSON.stringify(o)};`
    );
    await Deno.writeTextFile(`${dir}/objects.ts`, [...imports, ...checks].join("\n") + "\n");
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", `${REPO_ROOT}deno.json`, `${dir}/objects.ts`],
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    return output.code === 0 ? "" : new TextDecoder().decode(output.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
