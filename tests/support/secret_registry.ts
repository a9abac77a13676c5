/**
 * Every secret the suite creates, loads or presents (tokens, CA and serving keys), written to a
 * shared folder so tests/after_suite can search every server log of the whole suite for each one,
 * in every spelling a careless log line might use.
 *
 * Each test process appends to its own file, so parallel test files never interleave writes.
 *
 * @module
 */
import { REPO_ROOT } from "./fixtures.ts";
import { decodePem } from "../../src/pki/pem.ts";
import { parsePrivateKey } from "../../src/pki/private_key.ts";
import { importParams } from "../../src/pki/key_type.ts";

/**
 * Where every server process's output is also written, for the suite-wide "no secret in any log"
 * check in tests/after_suite (`deno task test` empties it first).
 */
export const SUITE_LOG_DIR = Deno.env.get("SUITE_LOG_DIR") ?? `${REPO_ROOT}.test-logs`;

/** Where the registered secrets go (one JSON-lines file per test process). */
export const SECRETS_DIR = `${SUITE_LOG_DIR}/secrets`;

/** What a registered secret is. */
export type SecretKind = "token" | "key";

/** One registered secret. */
export interface RegisteredSecret {
  /** Token text, or a private key's PEM. */
  value: string;
  /** Which kind. */
  kind: SecretKind;
  /** Where the test got it, for the failure message. */
  source: string;
}

/**
 * Tokens shorter than this are not searched: "x" or "wrong" occur in ordinary log text, and such
 * strings are never real tokens (Talos makes 23 characters).
 */
export const MIN_SEARCHED_TOKEN = 10;

/**
 * Records secrets for the after-suite log check.
 *
 * @param kind token or key
 * @param values the secrets; empty and too-short tokens are skipped
 * @param source where they come from
 */
export function registerSecrets(kind: SecretKind, values: readonly string[], source: string): void {
  const lines = values
    .map((value) => value.trim())
    .filter((value) => kind === "key" ? value.includes("PRIVATE KEY") : value.length > 0)
    .map((value) => JSON.stringify({ value, kind, source }) + "\n");
  if (lines.length === 0) return;
  Deno.mkdirSync(SECRETS_DIR, { recursive: true });
  Deno.writeTextFileSync(`${SECRETS_DIR}/${Deno.pid}.jsonl`, lines.join(""), { append: true });
}

/**
 * Records the tokens of a token file's text (one per line, `#` comments ignored).
 *
 * @param text the file's content
 * @param source where it comes from
 */
export function registerTokenFile(text: string, source: string): void {
  const tokens = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  registerSecrets("token", tokens, source);
}

/**
 * Reads every secret registered so far, by any process, without duplicates.
 *
 * @returns the secrets
 */
export async function readRegisteredSecrets(): Promise<RegisteredSecret[]> {
  const byValue = new Map<string, RegisteredSecret>();
  try {
    for await (const entry of Deno.readDir(SECRETS_DIR)) {
      const text = await Deno.readTextFile(`${SECRETS_DIR}/${entry.name}`);
      for (const line of text.split("\n").filter(Boolean)) {
        const secret = JSON.parse(line) as RegisteredSecret;
        byValue.set(secret.value, secret);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return [...byValue.values()];
}

/**
 * The ways a token could show up in a log line: as is, upper-cased, its first 8 characters (the Go
 * seed's mistake), its secret half, base64, hex and URL-encoded.
 *
 * @param token the token
 * @returns the strings no log line may contain; none for tokens too short to search
 */
export function tokenSpellings(token: string): string[] {
  if (token.length < MIN_SEARCHED_TOKEN) return [];
  const bytes = new TextEncoder().encode(token);
  const secretHalf = token.slice(token.indexOf(".") + 1);
  return [
    ...new Set([
      token,
      token.toUpperCase(),
      ...(token.length >= 16 ? [token.slice(0, 8)] : []),
      ...(secretHalf !== token && secretHalf.length >= 12 ? [secretHalf] : []),
      bytes.toBase64(),
      bytes.toBase64({ alphabet: "base64url", omitPadding: true }),
      bytes.toHex(),
      encodeURIComponent(token),
    ]),
  ];
}

/**
 * The ways a private key could show up in a log line: a run of its PEM base64 past the common
 * header, and the private value itself (JWK `d`) in hex, base64 and base64url.
 *
 * @param keyPem a private key in any label `serve` accepts
 * @returns the strings no log line may contain
 */
export async function keySpellings(keyPem: string): Promise<string[]> {
  const block = decodePem(keyPem).find((b) => b.label.endsWith("PRIVATE KEY"));
  if (!block) return [];
  const base64 = block.der.toBase64();
  const spellings = [base64.slice(24, 56)];
  const material = parsePrivateKey(keyPem);
  const key = await crypto.subtle.importKey(
    "pkcs8",
    material.pkcs8,
    importParams(material.type),
    true,
    ["sign"],
  );
  const d = (await crypto.subtle.exportKey("jwk", key)).d;
  if (d) {
    const secret = Uint8Array.fromBase64(d, { alphabet: "base64url" }).subarray(0, 24);
    spellings.push(
      secret.toHex(),
      secret.toBase64(),
      secret.toBase64({ alphabet: "base64url", omitPadding: true }),
    );
  }
  return spellings;
}
