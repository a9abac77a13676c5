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
import { type DerPart, derTree, writeDer } from "./der_tree.ts";
import { generalNamesTree } from "./general_names.ts";
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
const SUBJECT_ALT_NAME = encodeOid(OID_SUBJECT_ALT_NAME);
const NO_UNUSED_BITS = new Uint8Array([0]);

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
  const extensions: DerPart[] = [profile.fixedExtensions];
  if (template.dnsNames.length + template.ipAddresses.length > 0) {
    const names = derTree(TAG.octetString, [generalNamesTree(template)]);
    extensions.push(
      derTree(
        TAG.sequence,
        emptySubject ? [SUBJECT_ALT_NAME, TRUE, names] : [SUBJECT_ALT_NAME, names],
      ),
    );
  }
  // One tree, written into one buffer: see der_tree.ts for why.
  return writeDer(derTree(TAG.sequence, [
    VERSION_3,
    encodeUnsignedInteger(
      Uint8Array.fromHex(template.serial.length % 2 ? `0${template.serial}` : template.serial),
    ),
    profile.signatureAlgorithm,
    profile.issuer,
    derTree(TAG.sequence, [
      encodeTime(template.validity.notBefore),
      encodeTime(template.validity.notAfter),
    ]),
    template.subject,
    template.publicKey,
    derTree(0xa3, [derTree(TAG.sequence, extensions)]),
  ]));
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
  return writeDer(derTree(TAG.sequence, [
    tbs,
    signatureAlgorithm,
    derTree(TAG.bitString, [NO_UNUSED_BITS, signature]),
  ]));
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
  const utc = year >= 1950 && year < 2050;
  const digits = utc ? 12 : 14;
  const out = new Uint8Array(2 + digits + 1);
  out[0] = utc ? TAG.utcTime : TAG.generalizedTime;
  out[1] = digits + 1;
  let at = 2;
  const put = (value: number, width: number) => {
    for (let i = at + width - 1; i >= at; i--, value = Math.floor(value / 10)) {
      out[i] = 0x30 + value % 10;
    }
    at += width;
  };
  put(utc ? year % 100 : year, utc ? 2 : 4);
  put(date.getUTCMonth() + 1, 2);
  put(date.getUTCDate(), 2);
  put(date.getUTCHours(), 2);
  put(date.getUTCMinutes(), 2);
  put(date.getUTCSeconds(), 2);
  out[at] = 0x5a; // "Z"
  return out;
}
