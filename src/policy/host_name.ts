/**
 * Host-name syntax for DNS SANs and host-name-like Common Names: the preferred name syntax of
 * RFC 1034 §3.5 as RFC 5280 requires for dNSName (letters, digits and hyphens in dot-separated
 * labels of 1–63 characters, no hyphen at either end of a label), with one optional trailing dot.
 *
 * @module
 */
import { quoted } from "../pki/quoted.ts";

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Says what makes `name` not a well-formed host name.
 *
 * @param name a DNS SAN or Common Name (wildcards are refused before this is asked)
 * @returns the problem, phrased to follow the name, or `undefined` when it is well-formed
 * @example
 * ```ts
 * hostNameProblem(".example.com"); // "has an empty label"
 * hostNameProblem("worker-1"); // undefined
 * hostNameProblem("login.ban\u212a.example"); // 'contains non-ASCII characters that clients may read as "login.bank.example"'
 * ```
 */
export function hostNameProblem(name: string): string | undefined {
  if (/[^\x21-\x7e]/.test(name)) {
    const ascii = hostNameReadings(name).find((reading) => /^[\x21-\x7e]+$/.test(reading));
    return ascii === undefined
      ? "contains spaces, control or non-ASCII characters (use punycode)"
      : `contains non-ASCII characters that clients may read as ${quoted(ascii.toLowerCase())}`;
  }
  const labels = name.replace(/\.$/, "").split(".");
  if (labels.some((label) => label === "")) return "has an empty label";
  if (labels.some((label) => label.length > 63)) return "has a label over 63 characters";
  if (labels.some((label) => /[^a-z0-9-]/i.test(label))) {
    return "contains characters other than letters, digits, '-' and '.'";
  }
  if (labels.some((label) => !LABEL.test(label))) return "has a label starting or ending with '-'";
  return undefined;
}

/** Full stops that IDNA (UTS #46) maps to `.`, after NFKC (which already maps U+FF0E). */
const IDEOGRAPHIC_STOPS = /[\u3002\uff61]/g;
const HOST_NAME_CHARACTERS = /^[A-Za-z0-9*._-]+$/;
/** Letters, marks and digits of any script in dot-separated labels: an international host name. */
const INTERNATIONAL_HOST_NAME = /^[\p{L}\p{M}\p{N}*_-]+(?:\.[\p{L}\p{M}\p{N}*_-]*)+$/u;

/**
 * The ways a client may read a Common Name when it compares it with a host name: as written; after
 * NFKC and IDNA's full stops (fullwidth letters and `。` become ASCII); lowercased, as Python's
 * `str.lower()` does (U+212A KELVIN SIGN becomes `k`); and upper- then lowercased, as a
 * case-insensitive compare or full case folding may do (U+017F LONG S becomes `s`, `ß` `ss`).
 *
 * @param commonName the CN
 * @returns its readings, the original first
 */
export function hostNameReadings(commonName: string): string[] {
  const mapped = commonName.normalize("NFKC").replace(IDEOGRAPHIC_STOPS, ".");
  return [
    commonName,
    mapped,
    mapped.toLowerCase().normalize("NFKC"),
    mapped.toUpperCase().toLowerCase().normalize("NFKC"),
    // Full case folding (Python's str.casefold()): U+1E9E CAPITAL SHARP S becomes "ss".
    mapped.toLowerCase().toUpperCase().toLowerCase().normalize("NFKC"),
  ];
}

/**
 * Whether a Common Name could be taken for a host name: clients that fall back to the CN (OpenSSL,
 * curl, Python) would match it against the name they dial, so it must pass the DNS-name rules.
 * It counts when any of its {@linkcode hostNameReadings} is made only of host-name and wildcard
 * characters (so `login.ban\u212a.example`, which Python reads as `login.bank.example`, counts),
 * or looks like an international host name (letters of any script in dot-separated labels). The
 * DNS-name rules then refuse every non-ASCII one (`use punycode`).
 *
 * @param commonName the CN
 * @returns whether the DNS-name rules apply to it
 * @example
 * ```ts
 * looksLikeHostName("login.ban\u212a.example"); // true
 * looksLikeHostName("rack 7 (a-b)"); // false
 * ```
 */
export function looksLikeHostName(commonName: string): boolean {
  // The first reading is the name as written; most CNs are plain host names, decided without
  // computing the four normalised readings.
  if (HOST_NAME_CHARACTERS.test(commonName)) return true;
  return hostNameReadings(commonName).some((reading) =>
    HOST_NAME_CHARACTERS.test(reading) || INTERNATIONAL_HOST_NAME.test(reading)
  );
}
