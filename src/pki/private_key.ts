/**
 * CA private keys as Talos and common tools write them.
 *
 * `talosctl gen secrets` labels its Ed25519 key `ED25519 PRIVATE KEY` around ordinary PKCS#8
 * bytes; OpenSSL and Go write `PRIVATE KEY`, `EC PRIVATE KEY` (SEC1) and `RSA PRIVATE KEY`
 * (PKCS#1). All four load here as they are, so nobody has to `sed` a key file before use.
 *
 * @module
 */
import {
  AlgorithmIdentifier,
  AsnConvert,
  ECParameters,
  ECPrivateKey,
  OctetString,
  PrivateKeyInfo,
} from "./_x509.ts";
import { decodePem } from "./pem.ts";
import {
  curveOidOf,
  importParams,
  KEY_TYPE_OIDS,
  type KeyType,
  keyTypeFromOids,
} from "./key_type.ts";

/** A private key in PKCS#8 form with its type named. */
export interface PrivateKeyMaterial {
  /** The key type, which decides the signature algorithm. */
  type: KeyType;
  /** PKCS#8 PrivateKeyInfo DER, whatever the file's original encoding was. */
  pkcs8: Uint8Array<ArrayBuffer>;
}

/** PEM labels accepted for private keys. */
export const PRIVATE_KEY_LABELS = [
  "PRIVATE KEY",
  "ED25519 PRIVATE KEY",
  "EC PRIVATE KEY",
  "RSA PRIVATE KEY",
] as const;

/**
 * Parses the first private key in `pem` into PKCS#8, whatever its label.
 *
 * @param pem the key file's text
 * @returns the key's type and PKCS#8 bytes
 * @throws {TypeError} when there is no key block, the key is encrypted, or it cannot be parsed
 */
export function parsePrivateKey(pem: string): PrivateKeyMaterial {
  const block = decodePem(pem).find((b) => b.label.endsWith("PRIVATE KEY"));
  if (!block) throw new TypeError("Cannot read private key: no PEM PRIVATE KEY block found");
  try {
    switch (block.label) {
      case "PRIVATE KEY":
      case "ED25519 PRIVATE KEY":
        return fromPkcs8(block.der);
      case "EC PRIVATE KEY":
        return fromSec1(block.der);
      case "RSA PRIVATE KEY":
        return fromPkcs1(block.der);
    }
  } catch (cause) {
    throw new TypeError(`Cannot read private key: ${block.label} block: ${message(cause)}`, {
      cause,
    });
  }
  throw new TypeError(
    `Cannot read private key: label ${block.label} is not one of ${PRIVATE_KEY_LABELS.join(", ")}` +
      (block.label.includes("ENCRYPTED") ? " (encrypted keys are not supported)" : ""),
  );
}

/**
 * Imports parsed key material for signing. The key is not extractable: once loaded, the process
 * can use it but never hand its bytes back out.
 *
 * @param key the parsed key
 * @returns a WebCrypto signing key
 */
export function importSigningKey(key: PrivateKeyMaterial): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", key.pkcs8, importParams(key.type), false, ["sign"]);
}

function fromPkcs8(der: Uint8Array<ArrayBuffer>): PrivateKeyMaterial {
  const info = AsnConvert.parse(der, PrivateKeyInfo);
  const algorithm = info.privateKeyAlgorithm;
  let curve: string | undefined;
  if (algorithm.algorithm === KEY_TYPE_OIDS.ecPublicKey && algorithm.parameters) {
    curve = AsnConvert.parse(algorithm.parameters, ECParameters).namedCurve;
  }
  return { type: keyTypeFromOids(algorithm.algorithm, curve), pkcs8: der };
}

function fromSec1(der: Uint8Array<ArrayBuffer>): PrivateKeyMaterial {
  const sec1 = AsnConvert.parse(der, ECPrivateKey);
  const curve = sec1.parameters?.namedCurve;
  const type = keyTypeFromOids(KEY_TYPE_OIDS.ecPublicKey, curve);
  if (type !== "ECDSA-P256" && type !== "ECDSA-P384") throw new TypeError("not an ECDSA key");
  const parameters = AsnConvert.serialize(new ECParameters({ namedCurve: curveOidOf(type) }));
  return { type, pkcs8: wrapPkcs8(KEY_TYPE_OIDS.ecPublicKey, parameters, der) };
}

function fromPkcs1(der: Uint8Array<ArrayBuffer>): PrivateKeyMaterial {
  const asnNull = new Uint8Array([0x05, 0x00]).buffer;
  return { type: "RSA", pkcs8: wrapPkcs8(KEY_TYPE_OIDS.rsaEncryption, asnNull, der) };
}

function wrapPkcs8(
  algorithm: string,
  parameters: ArrayBuffer,
  inner: Uint8Array<ArrayBuffer>,
): Uint8Array<ArrayBuffer> {
  const info = new PrivateKeyInfo({
    privateKeyAlgorithm: new AlgorithmIdentifier({ algorithm, parameters }),
    privateKey: new OctetString(inner),
  });
  return new Uint8Array(AsnConvert.serialize(info));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
