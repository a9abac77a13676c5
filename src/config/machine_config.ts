/**
 * The parts of a Talos worker's machine configuration (v1alpha1, as `talosctl gen config` writes
 * it) that decide whether it gets its apid certificate: the token it sends, the CAs it trusts when
 * it dials trustd, and the control-plane endpoint whose host it dials on port 50001.
 *
 * Field paths follow siderolabs/talos `pkg/machinery/config/types/v1alpha1/v1alpha1_types.go`
 * (`machine.token`, `machine.ca.crt`, `machine.acceptedCAs[].crt`, `cluster.controlPlane.endpoint`);
 * certificates are base64 of PEM, as in the secrets bundle.
 *
 * @module
 */
import { LineCounter, parseAllDocuments } from "yaml";
import { describeYamlProblem, quietYamlOptions } from "./yaml_problem.ts";

/** What a worker uses to reach trustd. */
export interface WorkerTrust {
  /** `machine.token`. Secret. */
  token: string;
  /** `machine.ca.crt`, decoded: the issuing CA the worker trusts. */
  caPem: string;
  /** `machine.acceptedCAs[].crt`, decoded, in order. */
  acceptedCaPems: string[];
  /** The host of `cluster.controlPlane.endpoint` (brackets removed from an IPv6 address). */
  endpointHost: string;
}

/**
 * Parses a machine configuration's YAML text (one or more documents; the v1alpha1 one is used).
 *
 * @param yamlText the file's content
 * @returns the token, CAs and endpoint host
 * @throws {TypeError} naming the missing or malformed field (never its value)
 * @example
 * ```ts
 * const worker = parseMachineConfig(await Deno.readTextFile("worker.yaml"));
 * worker.endpointHost; // "10.0.0.10"
 * ```
 */
export function parseMachineConfig(yamlText: string): WorkerTrust {
  // The parser's own messages quote the file (the token among it): only position and kind go out.
  const lines = new LineCounter();
  const parsed = parseAllDocuments(yamlText, quietYamlOptions(lines));
  for (const document of parsed) {
    const problem = document.errors[0] ?? document.warnings[0];
    if (problem) {
      throw new TypeError(`Cannot read machine config: ${describeYamlProblem(problem, lines)}`);
    }
  }
  let documents: unknown[];
  try {
    documents = parsed.map((d) => d.toJS());
  } catch (cause) {
    throw new TypeError("Cannot read machine config: its aliases cannot be resolved", { cause });
  }
  const config = documents.find((d) => field(d, ["version"]) === "v1alpha1");
  if (config === undefined) {
    throw new TypeError("Cannot read machine config: no document with version: v1alpha1");
  }
  const accepted = field(config, ["machine", "acceptedCAs"]) ?? [];
  if (!Array.isArray(accepted)) {
    throw new TypeError("Cannot read machine config: machine.acceptedCAs is not a list");
  }
  return {
    token: text(config, ["machine", "token"]),
    caPem: pem(text(config, ["machine", "ca", "crt"]), "machine.ca.crt"),
    acceptedCaPems: accepted.map((entry, i) =>
      pem(text(entry, ["crt"], `machine.acceptedCAs[${i}].crt`), `machine.acceptedCAs[${i}].crt`)
    ),
    endpointHost: endpointHost(text(config, ["cluster", "controlPlane", "endpoint"])),
  };
}

function field(node: unknown, path: string[]): unknown {
  for (const key of path) {
    node = typeof node === "object" && node !== null
      ? (node as Record<string, unknown>)[key]
      : undefined;
  }
  return node;
}

function text(node: unknown, path: string[], name = path.join(".")): string {
  const value = field(node, path);
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`Cannot read machine config: ${name} is missing`);
  }
  return value;
}

function pem(base64: string, name: string): string {
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.fromBase64(base64.trim()),
    );
  } catch {
    throw new TypeError(`Cannot read machine config: ${name} is not base64`);
  }
  if (!decoded.includes("-----BEGIN CERTIFICATE-----")) {
    throw new TypeError(`Cannot read machine config: ${name} is not a PEM certificate`);
  }
  return decoded;
}

function endpointHost(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(
      `Cannot read machine config: cluster.controlPlane.endpoint "${endpoint}" is not a URL`,
    );
  }
  if (url.protocol !== "https:") {
    throw new TypeError(
      `Cannot read machine config: cluster.controlPlane.endpoint "${endpoint}" is not https://`,
    );
  }
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}
