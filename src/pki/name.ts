/**
 * X.501 Names as DER, without a general ASN.1 library: the subject edits issuance makes (remove
 * Organization, contract §3.3), the Common Name for logs, and RFC 4514 text for audit records.
 * Attribute values keep their original encodings.
 *
 * @module
 */
import { concat, decodeOid, encode, encodeOid, expectTag, readAll, readOnly, TAG } from "./der.ts";

const OID_CN = "2.5.4.3";
const OID_O = "2.5.4.10";
const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "STREET",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "E",
};

interface Attribute {
  oid: string;
  value: { tag: number; content: Uint8Array; encoded: Uint8Array };
  encoded: Uint8Array;
}

function parseName(der: Uint8Array): Attribute[][] {
  return readAll(readOnly(der, TAG.sequence).content).map((rdn) =>
    readAll(expectTag(rdn, TAG.set).content).map((entry) => {
      const [type, value] = readAll(expectTag(entry, TAG.sequence).content);
      return {
        oid: decodeOid(expectTag(type, TAG.oid).content),
        value: value!,
        encoded: entry.encoded,
      };
    })
  );
}

/**
 * Removes every Organization attribute, dropping RDNs left empty.
 *
 * @param der a DER Name
 * @returns the DER Name without Organization
 * @throws {DerError} when `der` is not a Name
 */
export function removeOrganization(der: Uint8Array): Uint8Array {
  return encodeName(withoutOrganization(parseName(der)));
}

/** What issuance needs from a requested subject, from a single parse. */
export interface IssuedSubject {
  /** The first CN as requested ("" when none). */
  commonName: string;
  /** The subject to issue: the request's without Organization, DER. */
  der: Uint8Array<ArrayBuffer>;
  /** That subject as RFC 4514 text, for logs and audit records. */
  text: string;
}

/**
 * Parses a requested subject once and derives everything issuance uses from it.
 *
 * @param der the requested DER Name
 * @returns its CN, and the subject to issue as DER and text
 * @throws {DerError} when `der` is not a Name
 */
export function issuedSubject(der: Uint8Array): IssuedSubject {
  const rdns = parseName(der);
  const kept = withoutOrganization(rdns);
  return { commonName: firstCommonName(rdns), der: encodeName(kept), text: formatRdns(kept) };
}

function withoutOrganization(rdns: Attribute[][]): Attribute[][] {
  return rdns.map((rdn) => rdn.filter((attribute) => attribute.oid !== OID_O)).filter((rdn) =>
    rdn.length > 0
  );
}

function encodeName(rdns: Attribute[][]): Uint8Array<ArrayBuffer> {
  return encode(
    TAG.sequence,
    ...rdns.map((rdn) => encode(TAG.set, ...rdn.map((attribute) => attribute.encoded))),
  );
}

function firstCommonName(rdns: Attribute[][]): string {
  const cn = rdns.flat().find((attribute) => attribute.oid === OID_CN);
  return cn ? decodeString(cn.value.tag, cn.value.content) : "";
}

/**
 * The first Common Name's text.
 *
 * @param der a DER Name
 * @returns the CN, or "" when there is none
 * @throws {DerError} when `der` is not a Name
 */
export function commonNameOf(der: Uint8Array): string {
  return firstCommonName(parseName(der));
}

/**
 * RFC 4514-style text of a Name, in encoded order (as OpenSSL and @peculiar/x509 print it).
 *
 * @param der a DER Name
 * @returns e.g. `CN=worker-1, OU=nodes`
 * @throws {DerError} when `der` is not a Name
 */
export function formatName(der: Uint8Array): string {
  return formatRdns(parseName(der));
}

function formatRdns(rdns: Attribute[][]): string {
  return rdns
    .map((rdn) =>
      rdn.map((a) => {
        const type = SHORT_NAMES[a.oid] ?? a.oid;
        const text = SHORT_NAMES[a.oid]
          ? escape(decodeString(a.value.tag, a.value.content))
          : `#${a.value.encoded.toHex()}`;
        return `${type}=${text}`;
      }).join("+")
    )
    .join(", ");
}

/**
 * A Name with one Common Name, for certificates we name ourselves.
 *
 * @param commonName the CN
 * @returns the DER Name
 */
export function buildCommonNameSubject(commonName: string): Uint8Array {
  const value = encode(TAG.utf8String, new TextEncoder().encode(commonName));
  return encode(
    TAG.sequence,
    encode(TAG.set, encode(TAG.sequence, concat(encodeOid(OID_CN), value))),
  );
}

function decodeString(tag: number, content: Uint8Array): string {
  if (tag === 0x1e) {
    // BMPString: UTF-16BE
    let text = "";
    for (let i = 0; i + 1 < content.length; i += 2) {
      text += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
    }
    return text;
  }
  if (tag === TAG.utf8String) return new TextDecoder().decode(content);
  return String.fromCharCode(...content);
}

function escape(text: string): string {
  return text
    .replace(/([,+"\\<>;=])/g, "\\$1")
    .replace(/^([ #])/, "\\$1")
    .replace(/ $/, "\\ ");
}
