/**
 * CA private keys as Talos and common tools write them.
 *
 * `talosctl gen secrets` labels its Ed25519 key `ED25519 PRIVATE KEY` around ordinary PKCS#8
 * bytes; OpenSSL and Go write `PRIVATE KEY`, `EC PRIVATE KEY` (SEC1) and `RSA PRIVATE KEY`
 * (PKCS#1). All four load here as they are, so nobody has to `sed` a key file before use.
 *
 * @module
 */
import { decodeOid, encode, encodeOid, expectTag, readAll, readOnly, TAG } from "./der.ts";
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
  const [version, algorithm] = readAll(readOnly(der, TAG.sequence).content);
  expectTag(version, TAG.integer);
  const [oid, parameters] = readAll(expectTag(algorithm, TAG.sequence).content);
  const algorithmOid = decodeOid(expectTag(oid, TAG.oid).content);
  const curve = algorithmOid === KEY_TYPE_OIDS.ecPublicKey && parameters?.tag === TAG.oid
    ? decodeOid(parameters.content)
    : undefined;
  return { type: keyTypeFromOids(algorithmOid, curve), pkcs8: der };
}

function fromSec1(der: Uint8Array<ArrayBuffer>): PrivateKeyMaterial {
  // ECPrivateKey ::= SEQUENCE { version, privateKey, [0] EXPLICIT parameters, [1] publicKey }
  const parameters = readAll(readOnly(der, TAG.sequence).content).find((f) => f.tag === 0xa0);
  const curveValue = parameters ? readOnly(parameters.content, TAG.oid) : undefined;
  const type = keyTypeFromOids(
    KEY_TYPE_OIDS.ecPublicKey,
    curveValue && decodeOid(curveValue.content),
  );
  if (type !== "ECDSA-P256" && type !== "ECDSA-P384") throw new TypeError("not an ECDSA key");
  return { type, pkcs8: wrapPkcs8(KEY_TYPE_OIDS.ecPublicKey, encodeOid(curveOidOf(type)), der) };
}

function fromPkcs1(der: Uint8Array<ArrayBuffer>): PrivateKeyMaterial {
  readOnly(der, TAG.sequence);
  return {
    type: "RSA",
    pkcs8: wrapPkcs8(KEY_TYPE_OIDS.rsaEncryption, new Uint8Array([TAG.null, 0]), der),
  };
}

/** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, privateKey OCTET STRING } */
function wrapPkcs8(
  algorithm: string,
  parameters: Uint8Array,
  inner: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const version = new Uint8Array([TAG.integer, 1, 0]);
  const algorithmIdentifier = encode(TAG.sequence, encodeOid(algorithm), parameters);
  return encode(TAG.sequence, version, algorithmIdentifier, encode(TAG.octetString, inner));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
