/**
 * What an issued certificate says, decided from a verified CSR (contract §3.3, §3.4).
 *
 * Only the subject (minus Organization, removed by `checkSubject()` in the same parse that checks
 * it), DNS and IP SANs and the public key are taken from the CSR. Organization decides Talos API roles, so a signer that kept `O=os:impersonator` would let
 * any token holder mint privileged identities (CVE-2022-36103). Everything else a CSR asks for is
 * dropped; the fixed extensions are added by {@linkcode signLeaf} in `issuing_ca.ts`.
 *
 * @module
 */
import type { ParsedCsr } from "./csr.ts";
import type { Validity } from "./validity.ts";

/** The subject-dependent content of a certificate, before the CA adds its fixed profile. */
export interface LeafTemplate {
  /** Serial number, hex. */
  serial: string;
  /** Subject Name DER. */
  subject: Uint8Array<ArrayBuffer>;
  /** The subject as RFC 4514 text, for logs and audit records. */
  subjectText: string;
  /** SubjectPublicKeyInfo DER of the key the certificate certifies. */
  publicKey: Uint8Array<ArrayBuffer>;
  /** Validity window. */
  validity: Validity;
  /** DNS SANs. */
  dnsNames: string[];
  /** IP SANs, canonical text. */
  ipAddresses: string[];
}

/**
 * Builds the template for a worker certificate from its verified CSR.
 *
 * @param csr the verified CSR
 * @param serial the serial to use (hex)
 * @param validity the validity window
 * @returns the template; its subject has no Organization attribute
 */
export function buildLeafTemplate(
  csr: ParsedCsr,
  serial: string,
  validity: Validity,
): LeafTemplate {
  return {
    serial,
    subject: csr.issuedSubject.der,
    subjectText: csr.issuedSubject.text,
    publicKey: csr.publicKey,
    validity,
    dnsNames: [...csr.dnsNames],
    ipAddresses: [...csr.ipAddresses],
  };
}
