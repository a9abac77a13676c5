/**
 * The `talosctl gen secrets` bundle (contract §4): the Talos machine CA and the machine token,
 * read straight from the file an operator already has, with no `yq` or `sed` step.
 *
 * The bundle holds every secret of a Talos cluster, so no error about it ever repeats its text:
 * a problem is told as the field, line and column at fault and what kind of problem it is. The
 * YAML parser's own messages quote the source (a tab before `token:` used to print the token), so
 * they are never passed on; only their error code and position are.
 *
 * @module
 */
import { isScalar, LineCounter, parseDocument } from "yaml";
import { describePosition, describeYamlProblem, quietYamlOptions } from "./yaml_problem.ts";

/** What the signer takes from a secrets bundle. */
export interface SecretsBundle {
  /** `certs.os.crt`, decoded from base64: the CA certificate PEM. */
  caCertificatePem: string;
  /** `certs.os.key`, decoded from base64: the CA key PEM (`ED25519 PRIVATE KEY`). */
  caKeyPem: string;
  /** `trustdinfo.token`: the machine token. */
  token: string;
  /**
   * Where each field sits, for messages about its content: `certs.os.key (line 23, column 14)`.
   * Set by {@linkcode parseSecretsBundle}; absent in bundles built in code.
   */
  fields?: { caCertificate: string; caKey: string; token: string };
}

/** The keys a `talosctl gen secrets` bundle has: only these are ever named in a message. */
const KNOWN_KEYS = new Set([
  "cluster",
  "id",
  "secret",
  "secrets",
  "bootstraptoken",
  "secretboxencryptionsecret",
  "aescbcencryptionsecret",
  "trustdinfo",
  "token",
  "certs",
  "etcd",
  "k8s",
  "k8saggregator",
  "k8sserviceaccount",
  "os",
  "crt",
  "key",
]);

/**
 * Parses a secrets bundle's YAML text.
 *
 * @param yamlText the file's content
 * @param source how messages name the file, e.g. `--secrets secrets.yaml` (callers that already
 * name it, like configuration errors, leave it out)
 * @returns the CA, the token and where each sits
 * @throws {SyntaxError} naming the line, column, nearest field and kind of a YAML problem
 * @throws {TypeError} naming the missing or malformed field and its position (never its value)
 * @example
 * ```ts
 * const { token } = parseSecretsBundle(await Deno.readTextFile("secrets.yaml"), "secrets.yaml");
 * ```
 */
export function parseSecretsBundle(yamlText: string, source?: string): SecretsBundle {
  const prefix = `Cannot read secrets bundle${source ? ` ${source}` : ""}`;
  const lines = new LineCounter();
  // parseDocument() never writes warnings to stderr (parse() does, quoting the file), and the
  // document is read node by node, so aliases are never expanded.
  const document = parseDocument(yamlText, quietYamlOptions(lines));
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) {
    const near = fieldAt(yamlText, lines, problem.pos[0]);
    throw new SyntaxError(`${prefix}: ${describeYamlProblem(problem, lines, near)}`);
  }
  const field = (path: string[]) => readField(document, lines, path, prefix);
  const crt = field(["certs", "os", "crt"]);
  const key = field(["certs", "os", "key"]);
  const token = field(["trustdinfo", "token"]);
  return {
    caCertificatePem: decodeBase64Pem(crt, prefix),
    caKeyPem: decodeBase64Pem(key, prefix),
    token: token.value,
    fields: { caCertificate: crt.name, caKey: key.name, token: token.name },
  };
}

interface Field {
  /** The dotted path and position, e.g. `certs.os.crt (line 22, column 14)`. */
  name: string;
  value: string;
}

function readField(
  document: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: string[],
  prefix: string,
): Field {
  const dotted = path.join(".");
  const node = document.getIn(path, true);
  if (node === undefined || node === null) throw new TypeError(`${prefix}: ${dotted} is missing`);
  const offset = (node as { range?: [number, number, number] }).range?.[0];
  const name = offset === undefined ? dotted : `${dotted} (${describePosition(lines, offset)})`;
  if (!isScalar(node) || typeof node.value !== "string") {
    throw new TypeError(`${prefix}: ${name} is not a string`);
  }
  if (node.value.length === 0) throw new TypeError(`${prefix}: ${name} is empty`);
  return { name, value: node.value };
}

function decodeBase64Pem(field: Field, prefix: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.fromBase64(field.value.trim()),
    );
  } catch {
    throw new TypeError(`${prefix}: ${field.name} is not base64 PEM`);
  }
}

/**
 * The dotted path of bundle keys enclosing `offset`, read from the indentation of the lines above
 * it; only known bundle keys are named, so a damaged line never has its text repeated.
 */
function fieldAt(text: string, lines: LineCounter, offset: number): string | undefined {
  const all = text.split("\n");
  const keyLine = (i: number) => /^([ \t]*)([a-z0-9]+):([ \t]*\S)?/.exec(all[i] ?? "");
  const path: string[] = [];
  let limit = Infinity;
  for (let i = Math.min(lines.linePos(offset).line - 1, all.length - 1); i >= 0 && limit > 0; i--) {
    const match = keyLine(i);
    if (!match) continue;
    let indent = match[1]!.length;
    if (match[1]!.includes("\t")) {
      // A stray tab is the usual damage, so this line's depth is unknown: take it from the line
      // above (its first child when that line opens a map, else its sibling).
      const above = keyLine(i - 1);
      indent = above ? above[1]!.length + (above[3] === undefined ? 1 : 0) : 0;
    }
    if (indent >= limit) continue;
    limit = indent;
    if (!KNOWN_KEYS.has(match[2]!)) return undefined;
    path.unshift(match[2]!);
  }
  return path.length > 0 ? path.join(".") : undefined;
}
