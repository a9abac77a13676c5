/**
 * Telling IP addresses from DNS names in configured SAN lists.
 *
 * @module
 */

/** A configured name, classified. */
export type ClassifiedName =
  | { kind: "ip"; value: string }
  | { kind: "dns"; value: string }
  | { kind: "invalid" };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Classifies a name as an IP address (canonical text) or a DNS name (lowercase, no trailing dot).
 *
 * @param text the configured name
 * @returns its kind and normalised value
 */
export function classifyName(text: string): ClassifiedName {
  if (IPV4.test(text)) return { kind: "ip", value: text };
  const unbracketed = text.replace(/^\[(.*)\]$/, "$1");
  if (unbracketed.includes(":")) {
    try {
      // The URL parser canonicalises IPv6 text (RFC 5952) and rejects anything else.
      const host = new URL(`http://[${unbracketed}]/`).hostname;
      return { kind: "ip", value: host.slice(1, -1) };
    } catch {
      return { kind: "invalid" };
    }
  }
  const name = text.toLowerCase().replace(/\.$/, "");
  if (name.length > 0 && name.length <= 253 && name.split(".").every((l) => DNS_LABEL.test(l))) {
    return { kind: "dns", value: name };
  }
  return { kind: "invalid" };
}
