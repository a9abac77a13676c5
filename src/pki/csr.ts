/**
 * Certificate signing requests from workers: decode, parse strictly, check the self-signature,
 * and keep only what issuance may use (contract §3.1, §3.2, §3.4).
 *
 * Parsing is a direct walk over strict DER (`der.ts`), not a general ASN.1 library: it is the hot
 * path of every request and it reads untrusted input, so it does exactly what PKCS#10 needs and
 * refuses the rest.
 *
 * @module
 */
import { decodeOid, DerError, type DerValue, expectTag, readAll, readOnly, TAG } from "./der.ts";
import { type GeneralNames, parseGeneralNames } from "./general_names.ts";
import { checkSpkiEncoding, keyTypeOfSpki } from "./key_type.ts";
import { checkSubject, type IssuedSubject, SubjectError } from "./name.ts";
import { decodePem } from "./pem.ts";
import { parseSignatureAlgorithm, verifyX509Signature } from "./signature_algorithm.ts";

/** Why a CSR was refused; every reason maps to `INVALID_ARGUMENT`. */
export type CsrErrorReason = "decode" | "parse" | "signature" | "subject";

/** A CSR that cannot be used. The message is safe to return to the caller. */
export class CsrError extends Error {
  /** The step that refused the CSR. */
  readonly reason: CsrErrorReason;
  /**
   * @param reason the step that refused the CSR
   * @param message what was wrong, for the caller and the log
   * @param options the underlying error, if any
   */
  constructor(reason: CsrErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CsrError";
    this.reason = reason;
  }
}

/** What a verified CSR offers to issuance; nothing else from it reaches a certificate. */
export interface ParsedCsr {
  /** The subject Name as requested, DER. */
  subject: Uint8Array<ArrayBuffer>;
  /** The subject to issue: the request's without Organization and emailAddress, DER and text. */
  issuedSubject: IssuedSubject;
  /** The requested SubjectPublicKeyInfo, DER; the CSR signature proves the caller holds its key. */
  publicKey: Uint8Array<ArrayBuffer>;
  /** DNS SANs as requested, in order. */
  dnsNames: string[];
  /** IP SANs in canonical text form, in order. */
  ipAddresses: string[];
  /** The subject's first Common Name, for logs; empty when there is none. */
  commonName: string;
}

const OID_EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const OID_SAN = "2.5.29.17";
const CONTEXT_0_CONSTRUCTED = 0xa0;
/** One decoder for every call: without `stream`, each decode() stands alone. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses and verifies a worker's CSR.
 *
 * The first PEM block is used and its label is not checked, as native trustd does. The DER must be
 * exactly one value (no trailing bytes) and the self-signature must verify.
 *
 * @param request the `csr` bytes of the request (PEM text)
 * @returns the fields issuance may use
 * @throws {CsrError} with reason `decode`, `parse`, `signature` or `subject`
 */
export async function parseCsr(request: Uint8Array): Promise<ParsedCsr> {
  const der = decodeFirstBlock(request);
  let parsed: ReturnType<typeof parseStructure>;
  try {
    parsed = parseStructure(der);
  } catch (cause) {
    if (cause instanceof SubjectError) {
      throw new CsrError("subject", `invalid CSR subject: ${cause.message}`, { cause });
    }
    throw new CsrError("parse", `failed to parse CSR: ${describe(cause)}`, { cause });
  }
  if (
    parsed.keptAttributes === 0 && parsed.dnsNames.length === 0 && parsed.ipAddresses.length === 0
  ) {
    throw new CsrError(
      "subject",
      "invalid CSR subject: empty (after removing Organization and emailAddress) and no DNS or IP SAN, so the certificate would name nothing",
    );
  }
  let valid: boolean;
  try {
    valid = await verifyX509Signature(
      parsed.spki,
      parsed.keyType,
      parsed.algorithm,
      parsed.signedBytes,
      parsed.signature,
    );
  } catch (cause) {
    const why = cause instanceof DerError ? cause.message : "the public key cannot be used";
    throw new CsrError("signature", `failed to verify CSR signature: ${why}`, { cause });
  }
  if (!valid) throw new CsrError("signature", "failed to verify CSR signature: signature mismatch");
  return {
    subject: parsed.subject,
    issuedSubject: parsed.issuedSubject,
    publicKey: parsed.spki,
    dnsNames: parsed.dnsNames,
    ipAddresses: parsed.ipAddresses,
    commonName: parsed.commonName,
  };
}

function parseStructure(der: Uint8Array<ArrayBuffer>) {
  const [info, algorithmValue, signatureValue, extra] = readAll(
    readOnly(der, TAG.sequence).content,
  );
  if (extra) throw new DerError("CertificationRequest has extra fields");
  const [version, subject, spki, attributes, extraInfo] = readAll(
    expectTag(info, TAG.sequence).content,
  );
  if (extraInfo) throw new DerError("CertificationRequestInfo has extra fields");
  const versionContent = expectTag(version, TAG.integer).content;
  if (versionContent.length !== 1 || versionContent[0] !== 0) {
    throw new DerError("version is not 1 (0)");
  }
  const subjectDer = expectTag(subject, TAG.sequence).encoded;
  const spkiDer = expectTag(spki, TAG.sequence).encoded;
  let keyType;
  try {
    keyType = keyTypeOfSpki(spkiDer);
  } catch (cause) {
    throw cause instanceof TypeError ? new DerError(cause.message) : cause;
  }
  checkSpkiEncoding(spkiDer, keyType);
  const subjectInfo = checkSubject(subjectDer);
  const names = requestedNames(expectTag(attributes, CONTEXT_0_CONSTRUCTED));
  const bits = expectTag(signatureValue, TAG.bitString).content;
  if (bits.length < 1 || bits[0] !== 0) throw new DerError("signature BIT STRING has unused bits");
  return {
    subject: copy(subjectDer),
    spki: copy(spkiDer),
    keyType,
    algorithm: parseSignatureAlgorithm(algorithmValue!),
    signedBytes: copy(info!.encoded),
    signature: bits.subarray(1),
    commonName: subjectInfo.commonName,
    keptAttributes: subjectInfo.keptAttributes,
    issuedSubject: subjectInfo.issued,
    ...names,
  };
}

function requestedNames(attributes: DerValue): GeneralNames {
  const names: GeneralNames = { dnsNames: [], ipAddresses: [] };
  for (const attribute of readAll(attributes.content)) {
    const [type, values] = readAll(expectTag(attribute, TAG.sequence).content);
    if (decodeOid(expectTag(type, TAG.oid).content) !== OID_EXTENSION_REQUEST) continue;
    for (const extensions of readAll(expectTag(values, TAG.set).content)) {
      for (const extension of readAll(expectTag(extensions, TAG.sequence).content)) {
        const fields = readAll(expectTag(extension, TAG.sequence).content);
        if (decodeOid(expectTag(fields[0], TAG.oid).content) !== OID_SAN) continue;
        const found = parseGeneralNames(
          expectTag(fields[fields.length - 1], TAG.octetString).content,
        );
        names.dnsNames.push(...found.dnsNames);
        names.ipAddresses.push(...found.ipAddresses);
      }
    }
  }
  return names;
}

function decodeFirstBlock(request: Uint8Array): Uint8Array<ArrayBuffer> {
  let text: string;
  try {
    text = strictUtf8.decode(request);
  } catch {
    throw new CsrError("decode", "failed to decode CSR: not PEM text");
  }
  let blocks;
  try {
    blocks = decodePem(text);
  } catch (cause) {
    const why = cause instanceof SyntaxError ? cause.message : "malformed PEM";
    throw new CsrError("decode", `failed to decode CSR: ${why}`, { cause });
  }
  const first = blocks[0];
  if (!first) throw new CsrError("decode", "failed to decode CSR: no PEM block found");
  return first.der;
}

function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.slice();
}

/** Our own parse errors are safe and useful to show; anything else is a bug, never shown raw. */
function describe(error: unknown): string {
  return error instanceof DerError ? error.message : "malformed structure";
}
