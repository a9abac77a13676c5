/**
 * The `talosctl gen secrets` bundle (contract §4): the Talos machine CA and the machine token,
 * read straight from the file an operator already has, with no `yq` or `sed` step.
 *
 * @module
 */
import { parse } from "yaml";

/** What the signer takes from a secrets bundle. */
export interface SecretsBundle {
  /** `certs.os.crt`, decoded from base64: the CA certificate PEM. */
  caCertificatePem: string;
  /** `certs.os.key`, decoded from base64: the CA key PEM (`ED25519 PRIVATE KEY`). */
  caKeyPem: string;
  /** `trustdinfo.token`: the machine token. */
  token: string;
}

/**
 * Parses a secrets bundle's YAML text.
 *
 * @param yamlText the file's content
 * @returns the CA and token
 * @throws {TypeError} naming the missing or malformed field (never its value)
 */
export function parseSecretsBundle(yamlText: string): SecretsBundle {
  let document: unknown;
  try {
    document = parse(yamlText);
  } catch (cause) {
    throw new TypeError(`Cannot read secrets bundle: not YAML (${(cause as Error).message})`, {
      cause,
    });
  }
  return {
    caCertificatePem: base64Field(document, ["certs", "os", "crt"]),
    caKeyPem: base64Field(document, ["certs", "os", "key"]),
    token: stringField(document, ["trustdinfo", "token"]),
  };
}

function stringField(document: unknown, path: string[]): string {
  let node = document;
  for (const key of path) {
    node = typeof node === "object" && node !== null
      ? (node as Record<string, unknown>)[key]
      : undefined;
  }
  if (typeof node !== "string" || node.length === 0) {
    throw new TypeError(`Cannot read secrets bundle: ${path.join(".")} is missing`);
  }
  return node;
}

function base64Field(document: unknown, path: string[]): string {
  const value = stringField(document, path);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.fromBase64(value.trim()));
  } catch {
    throw new TypeError(`Cannot read secrets bundle: ${path.join(".")} is not base64 PEM`);
  }
}
