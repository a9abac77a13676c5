/**
 * Validates custom resources against a CustomResourceDefinition's OpenAPI v3 schema with ajv, the
 * way the API server's strict field validation (`kubectl apply`/`patch` default) treats them:
 * a field the structural schema does not declare is an error unless the schema preserves unknown
 * fields there. CEL rules (`x-kubernetes-validations`) are not evaluated.
 *
 * @module
 */
import { Ajv } from "ajv";
import { parse } from "yaml";

/** A JSON schema node of a CRD. */
type SchemaNode = Record<string, unknown>;

/**
 * Builds a validator for one version of a CRD.
 *
 * @param crdYaml the CustomResourceDefinition, as YAML
 * @param version the served version, e.g. `v1alpha1`
 * @returns a function giving ajv's error messages for an object (empty when valid)
 */
export function crdValidator(
  crdYaml: string,
  version: string,
): (object: unknown) => string[] {
  const crd = parse(crdYaml);
  const served = crd.spec.versions.find((v: { name: string }) => v.name === version);
  if (!served) throw new Error(`the CRD serves no version ${version}`);
  const schema = forbidUndeclaredFields(structuredClone(served.schema.openAPIV3Schema));
  // Kubernetes extensions (x-kubernetes-*) are not JSON Schema keywords; formats such as int32
  // are Kubernetes-specific and not checked.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  return (object) =>
    validate(object)
      ? []
      : (validate.errors ?? []).map((e) =>
        `${e.instancePath || "/"} ${e.message}${
          e.params && "additionalProperty" in e.params ? `: ${e.params.additionalProperty}` : ""
        }`
      );
}

function forbidUndeclaredFields(node: SchemaNode): SchemaNode {
  if (
    node.properties && node.additionalProperties === undefined &&
    node["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    node.additionalProperties = false;
  }
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      value.forEach((v) => typeof v === "object" && v && forbidUndeclaredFields(v));
    } else if (typeof value === "object" && value !== null) {
      forbidUndeclaredFields(value as SchemaNode);
    }
  }
  return node;
}
