/**
 * The CA that signs: its certificate, its non-extractable key, and everything derivable from them
 * computed once at load (contract §3.5, §3.8, §4).
 *
 * @module
 */
import { expectTag, readAll, readOnly, TAG } from "./der.ts";
import { parseCertificate, type ParsedCertificate } from "./certificate.ts";
import { decodePem, encodePem } from "./pem.ts";
import { importSigningKey, parsePrivateKey } from "./private_key.ts";
import { type KeyType, keyTypeOfSpki } from "./key_type.ts";
import { keyMatchesCertificate } from "./key_match.ts";
import { MaterialError } from "./material_error.ts";
import type { LeafTemplate } from "./leaf_template.ts";
import {
  buildIssuerProfile,
  encodeCertificate,
  encodeTbsCertificate,
  type IssuerProfile,
} from "./certificate_der.ts";
import { signatureAlgorithmFor } from "./signature_algorithm.ts";
import { buildCaSigner, type CaSigner } from "./ca_signer.ts";

/** A loaded, checked issuing CA. Build it with {@linkcode buildIssuingCa}. */
export interface IssuingCa {
  /** The CA certificate. */
  certificate: ParsedCertificate;
  /** The CA certificate as PEM (newline-terminated). */
  certificatePem: string;
  /** The CA key type; it decides the signature algorithm of everything we issue. */
  keyType: KeyType;
  /** The CA's signing key (not extractable). */
  signingKey: CryptoKey;
  /** Signs with that key the cheapest way for its type (see `ca_signer.ts`). */
  sign: CaSigner;
  /** Key identifier for the AuthorityKeyIdentifier of issued certificates. */
  keyIdentifier: Uint8Array<ArrayBuffer>;
  /** SHA-256 fingerprint of the CA certificate, hex, for logs and audit. */
  fingerprint: string;
  /** The CA's share of every certificate it issues, encoded once. */
  profile: IssuerProfile;
}

/**
 * Builds an issuing CA from PEM text, refusing material a worker could not use: a certificate that
 * is not a CA, or a key that does not belong to it.
 *
 * @param certificatePem the CA certificate (first CERTIFICATE block is used)
 * @param keyPem the CA private key in any label {@linkcode parsePrivateKey} accepts
 * @returns the checked CA
 * @throws {MaterialError} naming the input at fault
 */
export async function buildIssuingCa(certificatePem: string, keyPem: string): Promise<IssuingCa> {
  const certificate = parseCaCertificate(certificatePem);
  let keyType: KeyType;
  try {
    keyType = keyTypeOfSpki(certificate.publicKey);
  } catch (cause) {
    throw new MaterialError("certificate", (cause as Error).message, { cause });
  }
  let signingKey: CryptoKey;
  let sign: CaSigner;
  try {
    const material = parsePrivateKey(keyPem);
    if (material.type !== keyType) {
      throw new TypeError(`key is ${material.type} but the certificate's key is ${keyType}`);
    }
    signingKey = await importSigningKey(material);
    sign = buildCaSigner(material, signingKey);
  } catch (cause) {
    throw new MaterialError("key", `Cannot load CA key: ${(cause as Error).message}`, { cause });
  }
  if (!(await keyMatchesCertificate(certificate.publicKey, signingKey, keyType))) {
    throw new MaterialError("key", "Cannot load CA key: it does not match the CA certificate");
  }
  const der = certificate.der;
  const keyIdentifier = await keyIdentifierOf(certificate);
  return {
    certificate,
    certificatePem: encodePem("CERTIFICATE", der),
    keyType,
    signingKey,
    sign,
    keyIdentifier,
    fingerprint: new Uint8Array(await crypto.subtle.digest("SHA-256", der)).toHex(),
    profile: buildIssuerProfile(
      certificate.subject,
      signatureAlgorithmFor(keyType).identifier,
      keyIdentifier,
    ),
  };
}

/**
 * Signs a template with the CA, adding the fixed worker profile: KeyUsage digitalSignature only
 * (RFC 9295 forbids keyEncipherment on Ed25519), ExtKeyUsage serverAuth only, no
 * BasicConstraints, and an AuthorityKeyIdentifier.
 *
 * @param ca the issuing CA
 * @param template the certificate content
 * @returns the issued certificate, DER
 */
export async function signLeaf(
  ca: IssuingCa,
  template: LeafTemplate,
): Promise<Uint8Array<ArrayBuffer>> {
  const tbs = encodeTbsCertificate(ca.profile, template);
  const signature = await ca.sign(tbs);
  return encodeCertificate(tbs, ca.profile.signatureAlgorithm, signature);
}

function parseCaCertificate(pem: string): ParsedCertificate {
  let certificate: ParsedCertificate;
  try {
    const block = decodePem(pem).find((b) => b.label === "CERTIFICATE");
    if (!block) throw new TypeError("no PEM CERTIFICATE block found");
    certificate = parseCertificate(block.der);
  } catch (cause) {
    throw new MaterialError(
      "certificate",
      `Cannot load CA certificate: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (!certificate.isCa) {
    throw new MaterialError(
      "certificate",
      `Cannot load CA certificate: ${certificate.subjectText} is not a CA (BasicConstraints CA:TRUE missing)`,
    );
  }
  return certificate;
}

async function keyIdentifierOf(certificate: ParsedCertificate): Promise<Uint8Array<ArrayBuffer>> {
  if (certificate.subjectKeyId) return certificate.subjectKeyId.slice();
  // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING contents.
  const [, bits] = readAll(readOnly(certificate.publicKey, TAG.sequence).content);
  const key = expectTag(bits, TAG.bitString).content.slice(1);
  return new Uint8Array(await crypto.subtle.digest("SHA-1", key));
}
