/**
 * Reading X.509 certificates we are given (the CA, accepted CAs, an operator's serving
 * certificate): only the fields the signer uses, from strict DER.
 *
 * @module
 */
import { decodeOid, DerError, type DerValue, expectTag, readAll, readOnly, TAG } from "./der.ts";
import { type GeneralNames, parseGeneralNames } from "./general_names.ts";
import { formatName } from "./name.ts";
import { byteText } from "./byte_text.ts";

/** The parts of a certificate the signer uses. */
export interface ParsedCertificate {
  /** The whole certificate, DER. */
  der: Uint8Array<ArrayBuffer>;
  /** Subject Name, DER. */
  subject: Uint8Array;
  /** Subject as RFC 4514 text, for logs. */
  subjectText: string;
  /** Validity start. */
  notBefore: Date;
  /** Validity end. */
  notAfter: Date;
  /** SubjectPublicKeyInfo, DER. */
  publicKey: Uint8Array<ArrayBuffer>;
  /** BasicConstraints cA. */
  isCa: boolean;
  /** SubjectKeyIdentifier, when present. */
  subjectKeyId?: Uint8Array;
  /** DNS and IP SANs. */
  names: GeneralNames;
}

const OID_BASIC_CONSTRAINTS = "2.5.29.19";
const OID_SUBJECT_KEY_ID = "2.5.29.14";
const OID_SUBJECT_ALT_NAME = "2.5.29.17";

/**
 * Parses a certificate.
 *
 * @param der the certificate DER
 * @returns its fields
 * @throws {DerError} when it is not a well-formed certificate
 */
export function parseCertificate(der: Uint8Array<ArrayBuffer>): ParsedCertificate {
  const [tbs, algorithm, signature, extra] = readAll(readOnly(der, TAG.sequence).content);
  expectTag(algorithm, TAG.sequence);
  expectTag(signature, TAG.bitString);
  if (extra) throw new DerError("Certificate has extra fields");
  const fields = readAll(expectTag(tbs, TAG.sequence).content);
  if (fields[0]?.tag === 0xa0) fields.shift(); // [0] version
  const [serial, _signature, _issuer, validity, subject, spki, ...optional] = fields;
  expectTag(serial, TAG.integer);
  const [notBefore, notAfter] = readAll(expectTag(validity, TAG.sequence).content);
  const extensions = new Map<string, Uint8Array>();
  const extensionsField = optional.find((f) => f.tag === 0xa3);
  if (extensionsField) {
    for (const extension of readAll(readOnly(extensionsField.content, TAG.sequence).content)) {
      const parts = readAll(expectTag(extension, TAG.sequence).content);
      const oid = decodeOid(expectTag(parts[0], TAG.oid).content);
      extensions.set(oid, expectTag(parts[parts.length - 1], TAG.octetString).content);
    }
  }
  const subjectDer = expectTag(subject, TAG.sequence).encoded;
  return {
    der,
    subject: subjectDer,
    subjectText: formatName(subjectDer),
    notBefore: parseTime(notBefore),
    notAfter: parseTime(notAfter),
    publicKey: expectTag(spki, TAG.sequence).encoded.slice(),
    isCa: isCa(extensions.get(OID_BASIC_CONSTRAINTS)),
    subjectKeyId: extensions.has(OID_SUBJECT_KEY_ID)
      ? readOnly(extensions.get(OID_SUBJECT_KEY_ID)!, TAG.octetString).content
      : undefined,
    names: extensions.has(OID_SUBJECT_ALT_NAME)
      ? parseGeneralNames(extensions.get(OID_SUBJECT_ALT_NAME)!)
      : { dnsNames: [], ipAddresses: [] },
  };
}

function isCa(value: Uint8Array | undefined): boolean {
  if (!value) return false;
  const [first] = readAll(readOnly(value, TAG.sequence).content);
  return first?.tag === TAG.boolean && first.content[0] === 0xff;
}

/**
 * Parses a UTCTime or GeneralizedTime in the forms RFC 5280 allows (UTC, whole seconds).
 *
 * @param value the time value
 * @returns the time
 * @throws {DerError} when it is not such a time
 */
export function parseTime(value: DerValue | undefined): Date {
  const text = byteText(value?.content ?? new Uint8Array(0));
  const utc = value?.tag === TAG.utcTime &&
    /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  const general = value?.tag === TAG.generalizedTime &&
    /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  const match = utc || general;
  if (!match) throw new DerError(`not an RFC 5280 time: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const year = utc ? (y! < 50 ? 2000 + y! : 1900 + y!) : y!;
  return new Date(Date.UTC(year, mo! - 1, d!, h!, mi!, s!));
}
