/**
 * The key types a Talos machine CA can have, and the WebCrypto parameters for each.
 *
 * Talos workers since 1.10.3 make their key match the CA's type (Ed25519, ECDSA P-256 or RSA);
 * older ones always use Ed25519. Every place that imports, generates or signs therefore asks this
 * module, so that adding a type is one table row.
 *
 * @module
 */
import { decodeOid, DerError, expectTag, readAll, readOnly, TAG } from "./der.ts";

/** A key type we can sign with and accept in CSRs. */
export type KeyType = "Ed25519" | "ECDSA-P256" | "ECDSA-P384" | "RSA";

const OID_ED25519 = "1.3.101.112";
const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const CURVE_OIDS: Record<string, KeyType> = {
  "1.2.840.10045.3.1.7": "ECDSA-P256",
  "1.3.132.0.34": "ECDSA-P384",
};

/** Object identifiers that name each key type in SubjectPublicKeyInfo and PKCS#8. */
export const KEY_TYPE_OIDS = {
  ed25519: OID_ED25519,
  ecPublicKey: OID_EC_PUBLIC_KEY,
  rsaEncryption: OID_RSA_ENCRYPTION,
} as const;

/**
 * Names the key type from an algorithm OID and, for EC keys, the named-curve OID.
 *
 * @param algorithmOid the AlgorithmIdentifier OID of the key
 * @param curveOid the named-curve OID for EC keys
 * @returns the key type
 * @throws {TypeError} when the algorithm or curve is not supported
 */
export function keyTypeFromOids(algorithmOid: string, curveOid?: string): KeyType {
  if (algorithmOid === OID_ED25519) return "Ed25519";
  if (algorithmOid === OID_RSA_ENCRYPTION) return "RSA";
  if (algorithmOid === OID_EC_PUBLIC_KEY) {
    const type = curveOid === undefined ? undefined : CURVE_OIDS[curveOid];
    if (type) return type;
    throw new TypeError(`Cannot use EC key: curve ${curveOid ?? "(none)"} is not P-256 or P-384`);
  }
  throw new TypeError(`Cannot use key: algorithm ${algorithmOid} is not Ed25519, ECDSA or RSA`);
}

/**
 * Names the key type of a DER SubjectPublicKeyInfo (a certificate's or a CSR's key).
 *
 * @param spki SubjectPublicKeyInfo DER
 * @returns the key type
 * @throws {TypeError} when the algorithm or curve is not supported
 * @throws {DerError} when the DER is malformed
 */
export function keyTypeOfSpki(spki: Uint8Array): KeyType {
  const [algorithmId] = readAll(readOnly(spki, TAG.sequence).content);
  const [oid, parameters] = readAll(expectTag(algorithmId, TAG.sequence).content);
  const algorithm = decodeOid(expectTag(oid, TAG.oid).content);
  const curve = algorithm === OID_EC_PUBLIC_KEY && parameters?.tag === TAG.oid
    ? decodeOid(parameters.content)
    : undefined;
  return keyTypeFromOids(algorithm, curve);
}

/**
 * Returns the named-curve OID of an ECDSA key type, for wrapping SEC1 keys.
 *
 * @param type an ECDSA key type
 * @returns the curve OID
 */
export function curveOidOf(type: "ECDSA-P256" | "ECDSA-P384"): string {
  return type === "ECDSA-P256" ? "1.2.840.10045.3.1.7" : "1.3.132.0.34";
}

/**
 * WebCrypto parameters to import or generate a key of `type`.
 *
 * RSA keys carry their hash in WebCrypto; SHA-256 is what Talos's own RSA signing uses.
 *
 * @param type the key type
 * @returns the import parameters
 */
export function importParams(
  type: KeyType,
): Algorithm | EcKeyImportParams | RsaHashedImportParams {
  switch (type) {
    case "Ed25519":
      return { name: "Ed25519" };
    case "ECDSA-P256":
      return { name: "ECDSA", namedCurve: "P-256" };
    case "ECDSA-P384":
      return { name: "ECDSA", namedCurve: "P-384" };
    case "RSA":
      return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  }
}

/**
 * WebCrypto parameters to generate a fresh key pair of `type` (for the serving certificate and the
 * development CA).
 *
 * @param type the key type
 * @returns the generation parameters
 */
export function generateParams(
  type: KeyType,
): Algorithm | EcKeyGenParams | RsaHashedKeyGenParams {
  if (type !== "RSA") return importParams(type);
  return {
    name: "RSASSA-PKCS1-v1_5",
    hash: "SHA-256",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
  };
}

/**
 * WebCrypto parameters to sign with a key of `type`: PureEd25519, ECDSA with the curve's matching
 * hash, or RSA PKCS#1 v1.5 with SHA-256.
 *
 * @param type the key type
 * @returns the signing parameters
 */
export function signParams(type: KeyType): Algorithm | EcdsaParams | RsaHashedImportParams {
  switch (type) {
    case "Ed25519":
      return { name: "Ed25519" };
    case "ECDSA-P256":
      return { name: "ECDSA", hash: "SHA-256" };
    case "ECDSA-P384":
      return { name: "ECDSA", hash: "SHA-384" };
    case "RSA":
      return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  }
}

const EC_POINT_LENGTH: Record<string, number> = { "ECDSA-P256": 65, "ECDSA-P384": 97 };
const NULL = Uint8Array.of(0x05, 0x00);

/**
 * Checks that a SubjectPublicKeyInfo is encoded the way Go's `crypto/x509` and OpenSSL both parse
 * it, since the certificate copies it verbatim: exactly an AlgorithmIdentifier and a BIT STRING;
 * Ed25519 with no parameters and 32 bytes; RSA with NULL parameters, a 2048–8192-bit modulus and
 * an exponent Go accepts; ECDSA with an uncompressed point of the curve's size (Go cannot parse
 * compressed points).
 *
 * @param spki SubjectPublicKeyInfo DER
 * @param type its key type, from {@linkcode keyTypeOfSpki}
 * @throws {DerError} naming what is wrong
 */
export function checkSpkiEncoding(spki: Uint8Array, type: KeyType): void {
  const fields = readAll(readOnly(spki, TAG.sequence).content);
  if (fields.length !== 2) throw new DerError("SubjectPublicKeyInfo has extra fields");
  const [oid, parameters, extra] = readAll(expectTag(fields[0], TAG.sequence).content);
  const bits = expectTag(fields[1], TAG.bitString).content;
  if (extra || !oid) throw new DerError("key AlgorithmIdentifier has extra fields");
  if (bits[0] !== 0) throw new DerError("public key BIT STRING has unused bits");
  const key = bits.subarray(1);
  if (type === "Ed25519") {
    if (parameters) throw new DerError("Ed25519 key has parameters");
    if (key.length !== 32) throw new DerError(`Ed25519 key of ${key.length} bytes, not 32`);
  } else if (type === "RSA") {
    if (
      !parameters || !NULL.every((b, i) => parameters.encoded[i] === b) ||
      parameters.encoded.length !== 2
    ) {
      throw new DerError("RSA key parameters are not NULL");
    }
    checkRsaPublicKey(key);
  } else {
    if (key[0] === 0x02 || key[0] === 0x03) {
      throw new DerError("compressed EC point (Go cannot parse it): send an uncompressed key");
    }
    if (key[0] !== 0x04 || key.length !== EC_POINT_LENGTH[type]) {
      throw new DerError(`EC point is not an uncompressed ${type} point`);
    }
  }
}

function checkRsaPublicKey(key: Uint8Array): void {
  const [modulus, exponent, extra] = readAll(readOnly(key, TAG.sequence).content);
  const n = expectTag(modulus, TAG.integer).content;
  const e = expectTag(exponent, TAG.integer).content;
  if (extra) throw new DerError("RSA public key has extra fields");
  const bits = n[0] === 0 ? (n.length - 1) * 8 : n.length * 8 - Math.clz32(n[0]!) + 24;
  if (n[0]! & 0x80 || (n[0] === 0 && n.length > 1 && !(n[1]! & 0x80)) || n.length === 0) {
    throw new DerError("RSA modulus is not a minimal positive INTEGER");
  }
  if (bits < 2048 || bits > 8192) throw new DerError(`RSA key of ${bits} bits (2048–8192 allowed)`);
  const value = e.reduce((v, b) => v * 256 + b, 0);
  if (e.length === 0 || e[0]! & 0x80 || e.length > 4 || value < 3 || value % 2 === 0) {
    throw new DerError("RSA public exponent is not an odd number from 3 to 2^31-1");
  }
}
