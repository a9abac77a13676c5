/**
 * X.501 Names as DER, without a general ASN.1 library: the subject edits issuance makes (remove
 * Organization, contract §3.3, and emailAddress, §3.4), the Common Name for logs, and RFC 4514
 * text for audit records. Attribute values keep their original encodings.
 *
 * @module
 */
import {
  concat,
  decodeOid,
  type DerValue,
  encode,
  encodeOid,
  expectTag,
  OidArcError,
  readAll,
  readOnly,
  TAG,
} from "./der.ts";
import { quoted } from "./quoted.ts";
import { byteText } from "./byte_text.ts";

const OID_CN = "2.5.4.3";
const OID_O = "2.5.4.10";
const OID_EMAIL = "1.2.840.113549.1.9.1";
/**
 * Attributes never issued: Organization decides Talos API roles (CVE-2022-36103), and
 * emailAddress is an identity the contract does not grant (§3.4: only DNS and IP), which OpenSSL's
 * `-verify_email` and S/MIME clients accept when a certificate has no email SAN.
 */
const DROPPED = new Set([OID_O, OID_EMAIL]);
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
      const [type, value, extra] = readAll(expectTag(entry, TAG.sequence).content);
      const oid = attributeType(type);
      if (!value || extra) {
        throw new SubjectError(
          nameOf(oid),
          `attribute ${nameOf(oid)} has ${value ? "more than one value" : "no value"}`,
        );
      }
      return { oid, value, encoded: entry.encoded };
    })
  );
}

function attributeType(type: DerValue | undefined): string {
  try {
    return decodeOid(expectTag(type, TAG.oid).content);
  } catch (cause) {
    if (!(cause instanceof OidArcError)) throw cause;
    throw new SubjectError(cause.oid, `attribute type ${cause.message}`);
  }
}

/** A requested subject that cannot be issued; the message names the attribute (`INVALID_ARGUMENT`). */
export class SubjectError extends Error {
  /** The attribute at fault (`CN`, `OU`, an OID), or `RDN` / `subject` for the structure. */
  readonly attribute: string;
  /**
   * @param attribute the attribute at fault
   * @param message what is wrong with it, naming it and its value (quoted)
   */
  constructor(attribute: string, message: string) {
    super(message);
    this.name = "SubjectError";
    this.attribute = attribute;
  }
}

/** What {@linkcode checkSubject} found in an acceptable subject. */
export interface CheckedSubject {
  /** The Common Name ("" when none). */
  commonName: string;
  /** Attributes other than Organization and emailAddress, i.e. what the issued subject keeps. */
  keptAttributes: number;
  /**
   * The subject to issue (Organization and emailAddress removed), as DER and text, derived from
   * the same parse as the checks: a second parse of the subject cost every call about 4 µs.
   */
  issued: IssuedSubject;
}

/** PrintableString's character set (X.680 §41.4). */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
/** Control, format (bidi, zero-width) and line/paragraph separator characters. */
const NON_PRINTING = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** One decoder for every call: without `stream`, each decode() stands alone. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const STRING_TYPES: Record<number, string> = {
  [TAG.printableString]: "PrintableString",
  [TAG.utf8String]: "UTF8String",
  [TAG.ia5String]: "IA5String",
};

/**
 * Checks a requested subject strictly, so that nothing is signed that Go's `crypto/x509` or
 * OpenSSL would refuse to parse: every RDN non-empty, every attribute one value of a known string
 * type (PrintableString, UTF8String, IA5String) with valid encoding, its type's character set, no
 * control or format characters, and not empty; at most one Common Name.
 *
 * @param der the requested DER Name
 * @returns the Common Name, how many attributes the issued subject keeps, and that subject
 * @throws {SubjectError} naming the attribute and its value when one is unacceptable
 * @throws {DerError} when `der` is not a Name
 */
export function checkSubject(der: Uint8Array): CheckedSubject {
  const rdns = parseName(der);
  if (rdns.some((rdn) => rdn.length === 0)) {
    throw new SubjectError("RDN", "subject has an empty RDN (a SET with no attribute)");
  }
  const attributes = rdns.flat();
  const values = attributes.map((attribute) => checkedValue(attribute));
  const commonNames = attributes.flatMap((a, i) => (a.oid === OID_CN ? [values[i]!] : []));
  if (commonNames.length > 1) {
    throw new SubjectError(
      "CN",
      `subject has ${commonNames.length} Common Names (${
        commonNames.map((cn) => quoted(cn)).join(", ")
      }); at most one is allowed`,
    );
  }
  const kept = withoutDroppedAttributes(rdns);
  return {
    commonName: commonNames[0] ?? "",
    keptAttributes: attributes.filter((a) => !DROPPED.has(a.oid)).length,
    issued: { der: encodeName(kept), text: formatRdns(kept) },
  };
}

function checkedValue({ oid, value }: Attribute): string {
  const name = nameOf(oid);
  const type = STRING_TYPES[value.tag];
  if (!type) {
    throw new SubjectError(
      name,
      `attribute ${name} is encoded as ${
        tagName(value.tag)
      }, not a PrintableString, UTF8String or IA5String`,
    );
  }
  let text: string;
  try {
    text = value.tag === TAG.utf8String
      ? strictUtf8.decode(value.content)
      : byteText(value.content);
  } catch {
    throw new SubjectError(name, `attribute ${name} is a UTF8String that is not valid UTF-8`);
  }
  const problem = text === ""
    ? "is empty"
    : value.tag === TAG.printableString && !PRINTABLE.test(text)
    ? "is a PrintableString with characters outside its set"
    : value.tag === TAG.ia5String && /[^\x20-\x7e]/.test(text)
    ? "is an IA5String with characters outside printable ASCII"
    : NON_PRINTING.test(text)
    ? "contains control or format characters"
    : undefined;
  if (problem) throw new SubjectError(name, `attribute ${name} ${problem}: ${quoted(text)}`);
  return text;
}

function nameOf(oid: string): string {
  return SHORT_NAMES[oid] ?? oid;
}

function tagName(tag: number): string {
  const names: Record<number, string> = {
    0x12: "a NumericString",
    0x14: "a TeletexString",
    0x1c: "a UniversalString",
    0x1e: "a BMPString",
    [TAG.sequence]: "a SEQUENCE",
    [TAG.set]: "a SET",
  };
  return names[tag] ?? `ASN.1 tag 0x${tag.toString(16).padStart(2, "0")}`;
}

/**
 * Removes every attribute that is never issued (Organization and emailAddress), dropping RDNs left
 * empty.
 *
 * @param der a DER Name
 * @returns the DER Name without Organization and emailAddress
 * @throws {DerError} when `der` is not a Name
 */
export function removeDroppedAttributes(der: Uint8Array): Uint8Array {
  return encodeName(withoutDroppedAttributes(parseName(der)));
}

/** The subject to issue: the request's without Organization and emailAddress. */
export interface IssuedSubject {
  /** The Name, DER. */
  der: Uint8Array<ArrayBuffer>;
  /** That Name as RFC 4514 text, for logs and audit records. */
  text: string;
}

function withoutDroppedAttributes(rdns: Attribute[][]): Attribute[][] {
  return rdns.map((rdn) => rdn.filter((attribute) => !DROPPED.has(attribute.oid))).filter((rdn) =>
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
  return byteText(content);
}

function escape(text: string): string {
  return text
    .replace(/([,+"\\<>;=])/g, "\\$1")
    .replace(/^([ #])/, "\\$1")
    .replace(/ $/, "\\ ");
}
