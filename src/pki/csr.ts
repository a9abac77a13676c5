/**
 * Certificate signing requests from workers: decode, parse strictly, check the self-signature,
 * and keep only what issuance may use.
 *
 * @module
 */
import { x509 } from "./_x509.ts";
import { decodePem } from "./pem.ts";
import { derValueLength } from "./der_length.ts";

/** Why a CSR was refused; every reason maps to `INVALID_ARGUMENT`. */
export type CsrErrorReason = "decode" | "parse" | "signature";

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
  /** The subject Name as requested, DER; issuance removes Organization from it. */
  subject: Uint8Array<ArrayBuffer>;
  /** The requested SubjectPublicKeyInfo, DER; the CSR signature proves the caller holds its key. */
  publicKey: Uint8Array<ArrayBuffer>;
  /** DNS SANs as requested, in order. */
  dnsNames: string[];
  /** IP SANs in canonical text form, in order. */
  ipAddresses: string[];
  /** The subject's first Common Name, for logs; empty when there is none. */
  commonName: string;
}

const SAN_OID = "2.5.29.17";

/**
 * Parses and verifies a worker's CSR.
 *
 * The first PEM block is used and its label is not checked, as native trustd does. The DER must be
 * exactly one value (no trailing bytes) and the self-signature must verify.
 *
 * @param request the `csr` bytes of the request (PEM text)
 * @returns the fields issuance may use
 * @throws {CsrError} with reason `decode`, `parse` or `signature`
 */
export async function parseCsr(request: Uint8Array): Promise<ParsedCsr> {
  const der = decodeFirstBlock(request);
  if (derValueLength(der) !== der.length) {
    throw new CsrError("parse", "failed to parse CSR: not exactly one DER value");
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
  } catch (cause) {
    throw new CsrError("parse", `failed to parse CSR: ${describe(cause)}`, { cause });
  }
  let valid: boolean;
  try {
    valid = await csr.verify();
  } catch (cause) {
    throw new CsrError("signature", `failed to verify CSR signature: ${describe(cause)}`, {
      cause,
    });
  }
  if (!valid) throw new CsrError("signature", "failed to verify CSR signature: signature mismatch");
  return toParsedCsr(csr);
}

function decodeFirstBlock(request: Uint8Array): Uint8Array<ArrayBuffer> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(request);
  } catch {
    throw new CsrError("decode", "failed to decode CSR: not PEM text");
  }
  let blocks;
  try {
    blocks = decodePem(text);
  } catch (cause) {
    throw new CsrError("decode", `failed to decode CSR: ${describe(cause)}`, { cause });
  }
  const first = blocks[0];
  if (!first) throw new CsrError("decode", "failed to decode CSR: no PEM block found");
  return first.der;
}

function toParsedCsr(csr: x509.Pkcs10CertificateRequest): ParsedCsr {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const san = csr.extensions.find((e) => e.type === SAN_OID);
  if (san instanceof x509.SubjectAlternativeNameExtension) {
    for (const name of san.names.items) {
      if (name.type === "dns") dnsNames.push(name.value);
      if (name.type === "ip") ipAddresses.push(name.value);
    }
  } else if (san) {
    throw new CsrError("parse", "failed to parse CSR: malformed subjectAltName extension");
  }
  return {
    subject: new Uint8Array(csr.subjectName.toArrayBuffer()),
    publicKey: new Uint8Array(csr.publicKey.rawData),
    dnsNames,
    ipAddresses,
    commonName: csr.subjectName.getField("CN")[0] ?? "",
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
