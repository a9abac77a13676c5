/**
 * Our own TLS serving certificate, issued from the Talos machine CA (contract §5, §6).
 *
 * Workers verify port 50001 against the machine CA with the dialled host as server name, so the
 * serving certificate must chain to that CA and name every address a worker dials. Issuing it here
 * removes the cert-manager dependency of the Go original.
 *
 * @module
 */
import { parseCertificate } from "./certificate.ts";
import { type IssuingCa, signLeaf } from "./issuing_ca.ts";
import { generateParams, keyTypeOfSpki } from "./key_type.ts";
import { keyMatchesCertificate } from "./key_match.ts";
import { importSigningKey, parsePrivateKey } from "./private_key.ts";
import { decodePem } from "./pem.ts";
import { buildCommonNameSubject } from "./name.ts";
import { MaterialError } from "./material_error.ts";
import { encodePem } from "./pem.ts";
import { randomSerial } from "./serial.ts";
import { buildValidity } from "./validity.ts";

/** Names a serving certificate is valid for. */
export interface ServerNames {
  /** DNS SANs. */
  dnsNames: string[];
  /** IP SANs. */
  ipAddresses: string[];
}

/** A serving certificate with its key, ready for a TLS server. */
export interface ServingCertificate {
  /** Leaf certificate, PEM. */
  certificatePem: string;
  /** Its private key, PKCS#8 PEM (`PRIVATE KEY`). */
  keyPem: string;
  /** Names it carries. */
  names: ServerNames;
  /** Validity start (with notAfter, the lifetime the renewal alert measures against). */
  notBefore: Date;
  /** Validity end. */
  notAfter: Date;
}

/** Native trustd's serving certificate lifetime; it renews at half of it. */
export const SERVING_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** The shortest serving lifetime accepted: short lifetimes let tests watch renewal happen. */
export const MIN_SERVING_LIFETIME_MS = 10_000;

/** Names every serving certificate carries, because workers and probes dial them locally. */
export const ALWAYS_SERVED_NAMES: ServerNames = {
  dnsNames: ["localhost"],
  ipAddresses: ["127.0.0.1", "::1"],
};

/**
 * Adds the always-served names to configured ones, without duplicates.
 *
 * @param configured the names from configuration
 * @returns configured names followed by any missing always-served ones
 */
export function withAlwaysServedNames(configured: ServerNames): ServerNames {
  const merge = (a: string[], b: string[]) => [...new Set([...a, ...b])];
  return {
    dnsNames: merge(configured.dnsNames, ALWAYS_SERVED_NAMES.dnsNames),
    ipAddresses: merge(configured.ipAddresses, ALWAYS_SERVED_NAMES.ipAddresses),
  };
}

/**
 * Issues a fresh serving certificate: a new key of the CA's type, serverAuth, the given names.
 *
 * @param ca the issuing CA
 * @param names the SANs; the first DNS name (or `talos-csr-signer`) becomes the CN
 * @param now the issuance time
 * @param lifetimeMs how long it is valid (capped at the CA's NotAfter)
 * @returns the certificate and its key
 */
export async function issueServingCertificate(
  ca: IssuingCa,
  names: ServerNames,
  now: Date,
  lifetimeMs: number = SERVING_LIFETIME_MS,
): Promise<ServingCertificate> {
  const keys = await crypto.subtle.generateKey(generateParams(ca.keyType), true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const commonName = names.dnsNames[0] ?? "talos-csr-signer";
  const validity = buildValidity({
    now,
    lifetimeMs,
    caNotAfter: ca.certificate.notAfter,
  });
  const certificate = await signLeaf(ca, {
    serial: randomSerial(),
    subject: buildCommonNameSubject(commonName) as Uint8Array<ArrayBuffer>,
    subjectText: `CN=${commonName}`,
    publicKey: new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)),
    validity,
    dnsNames: names.dnsNames,
    ipAddresses: names.ipAddresses,
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return {
    certificatePem: encodePem("CERTIFICATE", certificate),
    keyPem: encodePem("PRIVATE KEY", pkcs8),
    names,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
  };
}

/**
 * Checks an operator-provided serving certificate and key before they are used: a TLS stack given
 * a key that does not match would fail every handshake, so this refuses them up front.
 *
 * @param certificatePem the chain, leaf first
 * @param keyPem the leaf's private key, any supported label
 * @returns the material with the leaf's names and expiry
 * @throws {MaterialError} naming the input at fault
 */
export async function checkServingCertificate(
  certificatePem: string,
  keyPem: string,
): Promise<ServingCertificate> {
  const leaf = blame("certificate", () => {
    const block = decodePem(certificatePem).find((b) => b.label === "CERTIFICATE");
    if (!block) {
      throw new TypeError("Cannot use serving certificate: no PEM CERTIFICATE block found");
    }
    return parseCertificate(block.der);
  });
  const keyType = blame("certificate", () => keyTypeOfSpki(leaf.publicKey));
  const key = blame("key", () => parsePrivateKey(keyPem));
  if (key.type !== keyType) {
    throw new MaterialError(
      "key",
      `Cannot use serving key: it is ${key.type} but the certificate's key is ${keyType}`,
    );
  }
  if (!(await keyMatchesCertificate(leaf.publicKey, await importSigningKey(key), keyType))) {
    throw new MaterialError(
      "key",
      "Cannot use serving key: it does not match the serving certificate",
    );
  }
  const names: ServerNames = {
    dnsNames: [...leaf.names.dnsNames],
    ipAddresses: [...leaf.names.ipAddresses],
  };
  return { certificatePem, keyPem, names, notBefore: leaf.notBefore, notAfter: leaf.notAfter };
}

function blame<T>(input: "certificate" | "key", run: () => T): T {
  try {
    return run();
  } catch (cause) {
    if (cause instanceof MaterialError) throw cause;
    throw new MaterialError(input, (cause as Error).message, { cause });
  }
}
