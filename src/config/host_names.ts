/**
 * Telling IP addresses from DNS names in configured SAN lists.
 *
 * @module
 */
import { formatIpBytes, parseIpBytes } from "../pki/ip_text.ts";

/** A configured name, classified. */
export type ClassifiedName =
  | { kind: "ip"; value: string }
  | { kind: "dns"; value: string }
  | { kind: "invalid" };

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Classifies a name as an IP address (canonical text) or a DNS name (lowercase, no trailing dot).
 *
 * @param text the configured name
 * @returns its kind and normalised value
 */
export function classifyName(text: string): ClassifiedName {
  const unbracketed = text.replace(/^\[(.*)\]$/, "$1");
  const ip = parseIpBytes(unbracketed);
  if (ip) return { kind: "ip", value: formatIpBytes(ip) };
  if (unbracketed.includes(":")) return { kind: "invalid" };
  const name = text.toLowerCase().replace(/\.$/, "");
  if (name.length > 0 && name.length <= 253 && name.split(".").every((l) => DNS_LABEL.test(l))) {
    return { kind: "dns", value: name };
  }
  return { kind: "invalid" };
}
