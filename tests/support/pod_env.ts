/**
 * The environment a container gets from its `env` list, resolved the way kubelet does: downward
 * API `fieldRef` values filled in, then `$(NAME)` references to variables defined earlier in the
 * list expanded (`$$` escapes a `$`; a reference to an undefined name is left as written).
 *
 * @module
 */

/** One `env` entry of a container. */
export interface EnvVar {
  /** The variable name. */
  name: string;
  /** A literal value, which may reference earlier variables. */
  value?: string;
  /** A downward API reference. */
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

/**
 * Resolves a container's environment.
 *
 * @param env the container's `env` list
 * @param fields the value of each downward API field path the pod would see
 * @returns the variables, by name
 * @throws {Error} for a field path without a value in `fields`
 */
export function resolvePodEnv(
  env: EnvVar[],
  fields: Record<string, string>,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const entry of env) {
    const path = entry.valueFrom?.fieldRef?.fieldPath;
    if (path !== undefined) {
      if (!(path in fields)) throw new Error(`no value for downward API field ${path}`);
      resolved[entry.name] = fields[path]!;
    } else {
      resolved[entry.name] = expand(entry.value ?? "", resolved);
    }
  }
  return resolved;
}

function expand(value: string, defined: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
    (match, name: string | undefined) =>
      match === "$$" ? "$" : name !== undefined && name in defined ? defined[name]! : match,
  );
}
