/**
 * Host-name syntax for DNS SANs and host-name-like Common Names: the preferred name syntax of
 * RFC 1034 §3.5 as RFC 5280 requires for dNSName (letters, digits and hyphens in dot-separated
 * labels of 1–63 characters, no hyphen at either end of a label), with one optional trailing dot.
 *
 * @module
 */

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
 * ```
 */
export function hostNameProblem(name: string): string | undefined {
  if (/[^\x21-\x7e]/.test(name)) {
    return "contains spaces, control or non-ASCII characters (use punycode)";
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

/**
 * Whether a Common Name could be taken for a host name: clients that fall back to the CN (OpenSSL,
 * curl, Python) would match it against the name they dial, so it must pass the DNS-name rules.
 * Anything made only of host-name and wildcard characters counts.
 *
 * @param commonName the CN
 * @returns whether the DNS-name rules apply to it
 */
export function looksLikeHostName(commonName: string): boolean {
  return /^[A-Za-z0-9*._-]+$/.test(commonName);
}
