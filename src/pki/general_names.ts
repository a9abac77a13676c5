/**
 * The DNS names and IP addresses in a subjectAltName value, for CSRs and certificates alike.
 *
 * @module
 */
import { DerError, expectTag, readAll, readValue, TAG } from "./der.ts";
import { type DerTree, derTree, writeDer } from "./der_tree.ts";
import { formatIpBytes, parseIpBytes } from "./ip_text.ts";
import { quoted } from "./quoted.ts";
import { byteText } from "./byte_text.ts";

const DNS_NAME = 0x82;
const IP_ADDRESS = 0x87;
const encoder = new TextEncoder();

/** DNS and IP names, in encoded order; other name forms are skipped. */
export interface GeneralNames {
  /** dNSName entries. */
  dnsNames: string[];
  /** iPAddress entries, canonical text. */
  ipAddresses: string[];
}

/**
 * Parses a subjectAltName extension value (the OCTET STRING's contents).
 *
 * @param value the extension value
 * @returns the DNS names and IP addresses
 * @throws {DerError} when malformed
 */
export function parseGeneralNames(value: Uint8Array): GeneralNames {
  const { value: sequence, next } = readValue(value);
  if (next !== value.length) throw new DerError("trailing bytes in subjectAltName");
  const names: GeneralNames = { dnsNames: [], ipAddresses: [] };
  for (const name of readAll(expectTag(sequence, TAG.sequence).content)) {
    if (name.tag === DNS_NAME) names.dnsNames.push(ia5(name.content));
    if (name.tag === IP_ADDRESS) names.ipAddresses.push(formatIpBytes(name.content));
  }
  return names;
}

function ia5(content: Uint8Array): string {
  const text = byteText(content);
  if (content.some((byte) => byte > 0x7f)) {
    throw new DerError(`dNSName ${quoted(text)} is not IA5 (ASCII); use punycode`);
  }
  return text;
}

/**
 * Encodes DNS names and IP addresses as a GeneralNames SEQUENCE (the subjectAltName value).
 *
 * @param names the DNS names and IP addresses (text)
 * @returns the DER SEQUENCE
 * @throws {TypeError} when an IP address is not one
 */
export function encodeGeneralNames(names: GeneralNames): Uint8Array<ArrayBuffer> {
  return writeDer(generalNamesTree(names));
}

/**
 * The GeneralNames SEQUENCE of {@linkcode encodeGeneralNames}, not yet written, for a caller that
 * writes it inside a larger value in one piece (see `der_tree.ts`).
 *
 * @param names the DNS names and IP addresses (text)
 * @returns the SEQUENCE as a tree
 * @throws {TypeError} when an IP address is not one
 */
export function generalNamesTree(names: GeneralNames): DerTree {
  const parts: DerTree[] = [];
  for (const name of names.dnsNames) parts.push(derTree(DNS_NAME, [encoder.encode(name)]));
  for (const ip of names.ipAddresses) {
    const bytes = parseIpBytes(ip);
    if (!bytes) throw new TypeError(`"${ip}" is not an IP address`);
    parts.push(derTree(IP_ADDRESS, [bytes]));
  }
  return derTree(TAG.sequence, parts);
}
