/**
 * The issued certificate, encoded directly from DER pieces (RFC 5280 §4.1).
 *
 * Everything that depends only on the CA (issuer Name, signature AlgorithmIdentifier, the fixed
 * KeyUsage/ExtKeyUsage/AuthorityKeyIdentifier extensions) is encoded once per loaded CA in an
 * {@linkcode IssuerProfile}; per request only serial, validity, subject, key and SANs are encoded.
 * A differential test checks every field against `@peculiar/x509` on thousands of certificates.
 *
 * @module
 */
import { concat, encode, encodeOid, encodeUnsignedInteger, TAG } from "./der.ts";
import { encodeGeneralNames } from "./general_names.ts";
import type { LeafTemplate } from "./leaf_template.ts";

/** The CA's share of every certificate it issues, encoded once. */
export interface IssuerProfile {
  /** The issuer Name (the CA certificate's subject), DER. */
  issuer: Uint8Array;
  /** The signature AlgorithmIdentifier, DER. */
  signatureAlgorithm: Uint8Array;
  /** KeyUsage, ExtKeyUsage and AuthorityKeyIdentifier extensions, DER, concatenated. */
  fixedExtensions: Uint8Array;
}

const OID_KEY_USAGE = "2.5.29.15";
const OID_EXT_KEY_USAGE = "2.5.29.37";
const OID_AUTHORITY_KEY_ID = "2.5.29.35";
const OID_SUBJECT_ALT_NAME = "2.5.29.17";
const OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const TRUE = new Uint8Array([TAG.boolean, 1, 0xff]);
/** KeyUsage BIT STRING with only digitalSignature (bit 0) set: 7 unused bits, 0b1000_0000. */
const DIGITAL_SIGNATURE_ONLY = new Uint8Array([TAG.bitString, 2, 7, 0x80]);
const VERSION_3 = new Uint8Array([0xa0, 3, TAG.integer, 1, 2]);

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return encode(
    TAG.sequence,
    encodeOid(oid),
    ...(critical ? [TRUE] : []),
    encode(TAG.octetString, value),
  );
}

/**
 * Encodes the CA's share of every certificate: KeyUsage digitalSignature only (critical),
 * ExtKeyUsage serverAuth only, AuthorityKeyIdentifier (contract §3.5); no BasicConstraints.
 *
 * @param issuer the CA certificate's subject Name, DER
 * @param signatureAlgorithm the CA's signature AlgorithmIdentifier, DER
 * @param keyIdentifier the CA's key identifier
 * @returns the profile
 */
export function buildIssuerProfile(
  issuer: Uint8Array,
  signatureAlgorithm: Uint8Array,
  keyIdentifier: Uint8Array,
): IssuerProfile {
  return {
    issuer,
    signatureAlgorithm,
    fixedExtensions: concat(
      extension(OID_KEY_USAGE, true, DIGITAL_SIGNATURE_ONLY),
      extension(OID_EXT_KEY_USAGE, false, encode(TAG.sequence, encodeOid(OID_SERVER_AUTH))),
      extension(OID_AUTHORITY_KEY_ID, false, encode(TAG.sequence, encode(0x80, keyIdentifier))),
    ),
  };
}

/**
 * Encodes a TBSCertificate.
 *
 * @param profile the issuing CA's profile
 * @param template the certificate's content
 * @returns the TBSCertificate DER, ready to sign
 * @throws {TypeError} when an IP SAN is not an address
 */
export function encodeTbsCertificate(
  profile: IssuerProfile,
  template: LeafTemplate,
): Uint8Array<ArrayBuffer> {
  // RFC 5280 §4.2.1.6: the SAN extension is critical when the subject is empty.
  const emptySubject = template.subject.length === 2;
  const hasNames = template.dnsNames.length + template.ipAddresses.length > 0;
  const san = hasNames
    ? [extension(OID_SUBJECT_ALT_NAME, emptySubject, encodeGeneralNames(template))]
    : [];
  return encode(
    TAG.sequence,
    VERSION_3,
    encodeUnsignedInteger(
      Uint8Array.fromHex(template.serial.length % 2 ? `0${template.serial}` : template.serial),
    ),
    profile.signatureAlgorithm,
    profile.issuer,
    encode(
      TAG.sequence,
      encodeTime(template.validity.notBefore),
      encodeTime(template.validity.notAfter),
    ),
    template.subject,
    template.publicKey,
    encode(0xa3, encode(TAG.sequence, profile.fixedExtensions, ...san)),
  );
}

/**
 * Wraps a signed TBSCertificate into a Certificate.
 *
 * @param tbs the TBSCertificate DER
 * @param signatureAlgorithm the AlgorithmIdentifier DER (same as inside the TBS)
 * @param signature the signature value
 * @returns the Certificate DER
 */
export function encodeCertificate(
  tbs: Uint8Array,
  signatureAlgorithm: Uint8Array,
  signature: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return encode(
    TAG.sequence,
    tbs,
    signatureAlgorithm,
    encode(TAG.bitString, new Uint8Array([0]), signature),
  );
}

/**
 * Encodes a validity time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5),
 * whole seconds, UTC.
 *
 * @param date the time
 * @returns the DER time value
 */
export function encodeTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  const two = (n: number) => String(n).padStart(2, "0");
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${
    two(date.getUTCMinutes())
  }${two(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) {
    return encode(TAG.utcTime, new TextEncoder().encode(`${two(year % 100)}${rest}`));
  }
  return encode(
    TAG.generalizedTime,
    new TextEncoder().encode(`${String(year).padStart(4, "0")}${rest}`),
  );
}
