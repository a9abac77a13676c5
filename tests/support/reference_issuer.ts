/**
 * The reference issuer for differential tests: the same template signed through `@peculiar/x509`'s
 * generic certificate generator. The production path (`src/pki/certificate_der.ts`) must produce
 * the same fields.
 *
 * @module
 */
import { x509 } from "../../src/pki/_x509.ts";
import type { IssuingCa } from "../../src/pki/issuing_ca.ts";
import { signParams } from "../../src/pki/key_type.ts";
import type { LeafTemplate } from "../../src/pki/leaf_template.ts";

/**
 * Issues `template` with the generic library.
 *
 * @param ca the issuing CA
 * @param template the certificate content
 * @returns the certificate
 */
export function referenceSignLeaf(
  ca: IssuingCa,
  template: LeafTemplate,
): Promise<x509.X509Certificate> {
  const subject = new x509.Name(template.subject);
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(["1.3.6.1.5.5.7.3.1"]),
    new x509.AuthorityKeyIdentifierExtension(ca.keyIdentifier.toHex()),
  ];
  const names: x509.JsonGeneralName[] = [
    ...template.dnsNames.map((value) => ({ type: "dns" as const, value })),
    ...template.ipAddresses.map((value) => ({ type: "ip" as const, value })),
  ];
  if (names.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(names, subject.toJSON().length === 0));
  }
  return x509.X509CertificateGenerator.create({
    serialNumber: template.serial,
    subject,
    issuer: new x509.Name(ca.certificate.subject as Uint8Array<ArrayBuffer>),
    notBefore: template.validity.notBefore,
    notAfter: template.validity.notAfter,
    publicKey: template.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm: signParams(ca.keyType),
    extensions,
  });
}
