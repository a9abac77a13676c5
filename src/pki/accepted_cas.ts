/**
 * The CA certificates a worker is told to trust (contract §3.9, §4).
 *
 * The worker stores the response's `ca` verbatim as the pool its apid uses to verify talosctl
 * clients. During a CA rotation it must hold both the old and the new CA, or operators are locked
 * out of the node, so `ca` is every accepted CA followed by the issuing CA, never empty.
 *
 * @module
 */
import { parseCertificate, type ParsedCertificate } from "./certificate.ts";
import { decodePem, encodePem } from "./pem.ts";

/** The accepted CA bundle, ready to send. */
export interface AcceptedCas {
  /** The certificates, accepted ones first and the issuing CA last, without duplicates. */
  certificates: ParsedCertificate[];
  /** Their PEM concatenation, newline-terminated: the response's `ca` field. */
  pem: string;
}

/**
 * Builds the accepted CA bundle.
 *
 * @param issuingCaPem the issuing CA certificate, PEM
 * @param acceptedPem an optional PEM bundle of further accepted CAs (for rotation)
 * @returns the bundle, issuing CA last
 * @throws {TypeError} when the extra bundle holds a block that is not a certificate
 * @throws {DerError} when a certificate is malformed
 */
export function buildAcceptedCas(issuingCaPem: string, acceptedPem = ""): AcceptedCas {
  const issuing = decodePem(issuingCaPem).find((b) => b.label === "CERTIFICATE");
  if (!issuing) throw new TypeError("Cannot build accepted CAs: no issuing CA certificate");
  const byDer = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const block of decodePem(acceptedPem)) {
    if (block.label !== "CERTIFICATE") {
      throw new TypeError(`Cannot read accepted CAs: unexpected PEM block ${block.label}`);
    }
    byDer.set(block.der.toBase64(), block.der);
  }
  // The issuing CA goes last even when the bundle already lists it.
  byDer.delete(issuing.der.toBase64());
  byDer.set(issuing.der.toBase64(), issuing.der);
  const ders = [...byDer.values()];
  return {
    certificates: ders.map(parseCertificate),
    pem: ders.map((der) => encodePem("CERTIFICATE", der)).join(""),
  };
}
