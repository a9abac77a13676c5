/**
 * Real keys, CSRs and CAs made per test with WebCrypto and `@peculiar/x509`.
 *
 * @module
 */
import { x509 } from "../../src/pki/_x509.ts";
import { generateParams, type KeyType, signParams } from "../../src/pki/key_type.ts";
import { encodePem } from "../../src/pki/pem.ts";
import { registerSecrets } from "./secret_registry.ts";

/** Every key type a CA or CSR may use. */
export const KEY_TYPES: readonly KeyType[] = ["Ed25519", "ECDSA-P256", "ECDSA-P384", "RSA"];

/**
 * Generates a key pair.
 *
 * @param type the key type
 * @returns an extractable key pair
 */
export async function generateKeyPair(type: KeyType): Promise<CryptoKeyPair> {
  return await crypto.subtle.generateKey(generateParams(type), true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
}

/** Options for {@linkcode makeCsr}. */
export interface CsrOptions {
  /** Key type. @default "Ed25519" */
  type?: KeyType;
  /** Subject, RFC 4514 text. @default "CN=worker-1, O=os:impersonator" */
  subject?: string;
  /** SANs to request. */
  names?: x509.JsonGeneralName[];
  /** Extra extensions to request. */
  extensions?: x509.Extension[];
}

/** A CSR with the key that signed it. */
export interface MadeCsr {
  /** PEM text. */
  pem: string;
  /** The key pair. */
  keys: CryptoKeyPair;
}

/**
 * Makes a worker-style CSR.
 *
 * @param options key type, subject and SANs
 * @returns the CSR and its keys
 */
export async function makeCsr(options: CsrOptions = {}): Promise<MadeCsr> {
  const type = options.type ?? "Ed25519";
  const keys = await generateKeyPair(type);
  const extensions = [...(options.extensions ?? [])];
  const names = options.names ?? [
    { type: "ip", value: "10.5.0.2" },
    { type: "ip", value: "127.0.0.1" },
    { type: "ip", value: "::1" },
    { type: "dns", value: "worker-1" },
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: options.subject ?? "CN=worker-1, O=os:impersonator",
    keys,
    signingAlgorithm: signParams(type),
    extensions,
  });
  return { pem: csr.toString("pem"), keys };
}

/** A CA made for a test, in PEM. */
export interface MadeCa {
  /** Certificate PEM. */
  certificatePem: string;
  /** PKCS#8 key PEM (`PRIVATE KEY`). */
  keyPem: string;
  /** The key pair. */
  keys: CryptoKeyPair;
}

/** Options for {@linkcode makeCa}. */
export interface CaOptions {
  /** Key type. @default "Ed25519" */
  type?: KeyType;
  /** Whether to mark it a CA. @default true */
  isCa?: boolean;
  /** Validity end. @default ten years from now */
  notAfter?: Date;
  /** Subject. @default "O=talos" */
  subject?: string;
}

/**
 * Makes a self-signed CA shaped like the Talos OS CA.
 *
 * @param options key type and flags
 * @returns the CA
 */
export async function makeCa(options: CaOptions = {}): Promise<MadeCa> {
  const type = options.type ?? "Ed25519";
  const keys = await generateKeyPair(type);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: options.subject ?? "O=talos",
    keys,
    signingAlgorithm: signParams(type),
    notBefore: new Date(now - 60_000),
    notAfter: options.notAfter ?? new Date(now + 10 * 365 * 86_400_000),
    extensions: [
      new x509.BasicConstraintsExtension(options.isCa ?? true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = encodePem("PRIVATE KEY", pkcs8);
  registerSecrets("key", [keyPem], "makeCa()");
  return { certificatePem: certificate.toString("pem") + "\n", keyPem, keys };
}
