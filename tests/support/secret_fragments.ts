/**
 * Finds secret material from the Talos secrets bundle in text a test captured (stderr, logs,
 * /readyz, /metrics), including pieces of it: a leak rarely quotes a whole value, so every value
 * is cut into overlapping fragments and the text is searched for any of them, both as written and
 * with whitespace, quotes and escapes taken out (an excerpt may wrap or quote a base64 run).
 *
 * @module
 */
import { parse } from "yaml";
import { decodePem } from "../../src/pki/pem.ts";

/** Fragments this long of any secret value count as a leak. */
export const FRAGMENT_CHARS = 8;

/** Hex-encoded DER leaks are searched as runs of this many hex digits (8 bytes). */
const HEX_FRAGMENT_CHARS = 16;

/** The secret fragments of a secrets bundle. */
export interface SecretFragments {
  /** Every fragment, each mapped to a short description of where it comes from. */
  readonly fragments: ReadonlyMap<string, string>;
}

/**
 * Cuts every value of a secrets bundle into fragments: each string value (tokens, bootstrap token,
 * cluster secrets, every certificate and key as base64), the base64 body of each PEM they hold,
 * and the DER bytes of each block as hex.
 *
 * @param yamlText the bundle as `talosctl gen secrets` wrote it
 * @param isSecret which values (by dotted path) are secret; all of them by default
 * @returns the fragments
 */
export function secretFragmentsOf(
  yamlText: string,
  isSecret: (path: string) => boolean = () => true,
): SecretFragments {
  const fragments = new Map<string, string>();
  const add = (value: string, where: string, length = FRAGMENT_CHARS) => {
    for (let i = 0; i + length <= value.length; i++) {
      fragments.set(value.slice(i, i + length), where);
    }
  };
  for (const [path, value] of leaves(parse(yamlText), [])) {
    if (!isSecret(path)) continue;
    add(value, path);
    let pem: string;
    try {
      pem = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.fromBase64(value));
    } catch {
      continue;
    }
    for (const block of decodePem(pem)) {
      add(block.der.toBase64(), `${path} (PEM body)`);
      add(block.der.toHex(), `${path} (DER as hex)`, HEX_FRAGMENT_CHARS);
    }
  }
  return { fragments };
}

/**
 * The first secret fragment found in `text`, if any.
 *
 * @param secrets the fragments to look for
 * @param text what was captured
 * @returns where the leaked fragment comes from (never the fragment itself), or undefined
 */
export function findSecretFragment(secrets: SecretFragments, text: string): string | undefined {
  const compact = text.replace(/\\[nrtu]|[\s"'\\]/g, "");
  for (const candidate of [text, compact, text.toLowerCase()]) {
    for (const length of [FRAGMENT_CHARS, HEX_FRAGMENT_CHARS]) {
      for (let i = 0; i + length <= candidate.length; i++) {
        const where = secrets.fragments.get(candidate.slice(i, i + length));
        if (where !== undefined) return `${where}, at offset ${i}`;
      }
    }
  }
  return undefined;
}

function* leaves(node: unknown, path: string[]): Generator<[string, string]> {
  if (typeof node === "string") {
    yield [path.join("."), node];
  } else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) yield* leaves(value, [...path, key]);
  }
}
