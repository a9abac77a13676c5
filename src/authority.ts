/**
 * The signing authority: one immutable snapshot of everything issuance needs, and the one function
 * that turns a worker's CSR into the `{ca, crt}` answer (contract §3).
 *
 * A request reads the snapshot once; a reload builds a new one and swaps it in, so a request never
 * sees a CA from one load and a bundle from another.
 *
 * @module
 */
import type { TokenSet } from "./auth/token_set.ts";
import { type AcceptedCas, buildAcceptedCas } from "./pki/accepted_cas.ts";
import { parseCsr } from "./pki/csr.ts";
import { buildIssuingCa, type IssuingCa, signLeaf } from "./pki/issuing_ca.ts";
import { buildLeafTemplate } from "./pki/leaf_template.ts";
import { encodePem } from "./pki/pem.ts";
import { randomSerial } from "./pki/serial.ts";
import { buildValidity, DEFAULT_LIFETIME_MS } from "./pki/validity.ts";
import {
  buildIssuancePolicy,
  checkIssuance,
  type IssuancePolicy,
  type PolicyWarning,
} from "./policy/issuance_policy.ts";

/** Everything needed to authenticate and sign, loaded and checked. */
export interface Authority {
  /** The CA that signs. */
  issuingCa: IssuingCa;
  /** The CAs returned to workers as `ca`, issuing CA last. */
  acceptedCas: AcceptedCas;
  /** The tokens callers may present. */
  tokens: TokenSet;
  /** Lifetime of issued certificates, in milliseconds. */
  leafLifetimeMs: number;
  /** Which names may be issued to whom. */
  policy: IssuancePolicy;
}

/** The PEM inputs an {@linkcode Authority} is built from. */
export interface AuthorityMaterial {
  /** Issuing CA certificate, PEM. */
  caCertificatePem: string;
  /** Issuing CA private key, PEM, any supported label. */
  caKeyPem: string;
  /** Further accepted CA certificates, PEM bundle (may be empty). */
  acceptedCasPem?: string;
  /** The accepted tokens. */
  tokens: TokenSet;
  /** Lifetime of issued certificates, in milliseconds. @default {DEFAULT_LIFETIME_MS} */
  leafLifetimeMs?: number;
  /** The issuance policy. @default no restriction beyond the built-in limits */
  policy?: IssuancePolicy;
}

/**
 * Builds an authority from PEM material, checking the CA as {@linkcode buildIssuingCa} does.
 *
 * @param material the CA, bundle and tokens
 * @returns the authority snapshot
 * @throws {MaterialError} when the CA certificate or key is unusable
 * @throws {TypeError} when the accepted-CA bundle is unusable
 */
export async function buildAuthority(material: AuthorityMaterial): Promise<Authority> {
  const issuingCa = await buildIssuingCa(material.caCertificatePem, material.caKeyPem);
  return {
    issuingCa,
    acceptedCas: buildAcceptedCas(issuingCa.certificatePem, material.acceptedCasPem),
    tokens: material.tokens,
    leafLifetimeMs: material.leafLifetimeMs ?? DEFAULT_LIFETIME_MS,
    policy: material.policy ?? buildIssuancePolicy(),
  };
}

/** The answer to a Certificate call, with the facts worth logging. */
export interface IssuedCertificate {
  /** The response's `ca`: every accepted CA, PEM. */
  caPem: string;
  /** The response's `crt`: the issued leaf, PEM. */
  certificatePem: string;
  /** Serial, hex. */
  serial: string;
  /** Subject as issued (Organization removed), RFC 4514 text. */
  subject: string;
  /** CN requested, for logs. */
  commonName: string;
  /** DNS SANs issued. */
  dnsNames: string[];
  /** IP SANs issued. */
  ipAddresses: string[];
  /** Validity start. */
  notBefore: Date;
  /** Validity end. */
  notAfter: Date;
  /** Policy rules that would have refused, in `warn` mode. */
  warnings: PolicyWarning[];
}

/**
 * Issues a worker certificate: parse and verify the CSR, apply the policy, build the template,
 * sign. The token must already have been checked.
 *
 * @param authority the snapshot to sign with
 * @param csr the request's `csr` bytes (PEM)
 * @param now the issuance time
 * @param peerAddress the caller's source address, for peer binding
 * @returns the response and its loggable facts
 * @throws {CsrError} when the CSR is unusable
 * @throws {PolicyDeniedError} when the policy refuses a name
 * @throws {RangeError} when the CA has expired
 */
export async function issueCertificate(
  authority: Authority,
  csr: Uint8Array,
  now: Date,
  peerAddress?: string,
): Promise<IssuedCertificate> {
  const parsed = await parseCsr(csr);
  const warnings = checkIssuance(authority.policy, { ...parsed, peerAddress });
  const validity = buildValidity({
    now,
    lifetimeMs: authority.leafLifetimeMs,
    caNotAfter: authority.issuingCa.certificate.notAfter,
  });
  const template = buildLeafTemplate(parsed, randomSerial(), validity);
  const certificate = await signLeaf(authority.issuingCa, template);
  return {
    caPem: authority.acceptedCas.pem,
    certificatePem: encodePem("CERTIFICATE", certificate),
    serial: template.serial,
    subject: template.subjectText,
    commonName: parsed.commonName,
    dnsNames: template.dnsNames,
    ipAddresses: template.ipAddresses,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    warnings,
  };
}
