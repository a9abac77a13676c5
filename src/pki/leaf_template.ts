/**
 * What an issued certificate says, decided from a verified CSR (contract §3.3, §3.4).
 *
 * Only the subject (minus Organization), DNS and IP SANs and the public key are taken from the
 * CSR. Organization decides Talos API roles, so a signer that kept `O=os:impersonator` would let
 * any token holder mint privileged identities (CVE-2022-36103). Everything else a CSR asks for is
 * dropped; the fixed extensions are added by {@linkcode signLeaf} in `issuing_ca.ts`.
 *
 * @module
 */
import { AsnConvert, AsnName, RelativeDistinguishedName } from "./_x509.ts";
import type { ParsedCsr } from "./csr.ts";
import type { Validity } from "./validity.ts";

/** The subject-dependent content of a certificate, before the CA adds its fixed profile. */
export interface LeafTemplate {
  /** Serial number, hex. */
  serial: string;
  /** Subject Name DER. */
  subject: Uint8Array<ArrayBuffer>;
  /** SubjectPublicKeyInfo DER of the key the certificate certifies. */
  publicKey: Uint8Array<ArrayBuffer>;
  /** Validity window. */
  validity: Validity;
  /** DNS SANs. */
  dnsNames: string[];
  /** IP SANs, canonical text. */
  ipAddresses: string[];
}

const ORGANIZATION_OID = "2.5.4.10";

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
    subject: removeOrganization(csr.subject),
    publicKey: csr.publicKey,
    validity,
    dnsNames: [...csr.dnsNames],
    ipAddresses: [...csr.ipAddresses],
  };
}

/**
 * Removes every Organization attribute from a DER Name, keeping the other attributes and their
 * original string encodings, and dropping RDNs left empty.
 *
 * @param subject a DER-encoded Name
 * @returns the DER-encoded Name without Organization
 */
export function removeOrganization(subject: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const name = AsnConvert.parse(subject, AsnName);
  const kept = new AsnName();
  for (const rdn of name) {
    const attributes = rdn.filter((attribute) => attribute.type !== ORGANIZATION_OID);
    if (attributes.length > 0) kept.push(new RelativeDistinguishedName(attributes));
  }
  return new Uint8Array(AsnConvert.serialize(kept));
}
