/**
 * Signature algorithms on both sides of issuance: verifying a CSR's self-signature (whatever
 * algorithm the worker chose) and signing with the CA (the algorithm follows the CA key, contract
 * §3.8), with their AlgorithmIdentifier encodings.
 *
 * @module
 */
import {
  concat,
  decodeOid,
  DerError,
  type DerValue,
  encode,
  encodeOid,
  expectTag,
  readAll,
  TAG,
} from "./der.ts";
import { Buffer } from "node:buffer";
import { createPublicKey, verify } from "node:crypto";
import { derToP1363, p1363ToDer } from "./ecdsa_signature.ts";
import { importParams, type KeyType, signParams } from "./key_type.ts";

type Hash = "SHA-256" | "SHA-384" | "SHA-512";

/** A signature algorithm as X.509 names it. */
export interface SignatureAlgorithm {
  /** Which key family signs with it. */
  family: "Ed25519" | "ECDSA" | "RSA";
  /** The digest, for ECDSA and RSA. */
  hash?: Hash;
  /** The AlgorithmIdentifier DER, as we write it. */
  identifier: Uint8Array;
}

const NULL = new Uint8Array([TAG.null, 0]);
const FAMILIES: Record<string, Omit<SignatureAlgorithm, "identifier">> = {
  "1.3.101.112": { family: "Ed25519" },
  "1.2.840.10045.4.3.2": { family: "ECDSA", hash: "SHA-256" },
  "1.2.840.10045.4.3.3": { family: "ECDSA", hash: "SHA-384" },
  "1.2.840.10045.4.3.4": { family: "ECDSA", hash: "SHA-512" },
  "1.2.840.113549.1.1.11": { family: "RSA", hash: "SHA-256" },
  "1.2.840.113549.1.1.12": { family: "RSA", hash: "SHA-384" },
  "1.2.840.113549.1.1.13": { family: "RSA", hash: "SHA-512" },
};

/** Every supported algorithm with its identifier, encoded once: every CSR names one. */
const ALGORITHMS: ReadonlyMap<string, Readonly<SignatureAlgorithm>> = new Map(
  Object.entries(FAMILIES).map(([oid, known]) => {
    const parameters = known.family === "RSA" ? concat(encodeOid(oid), NULL) : encodeOid(oid);
    return [oid, Object.freeze({ ...known, identifier: encode(TAG.sequence, parameters) })];
  }),
);

/**
 * Reads a signature AlgorithmIdentifier.
 *
 * @param value the AlgorithmIdentifier SEQUENCE
 * @returns the algorithm
 * @throws {DerError} when malformed or not supported
 */
export function parseSignatureAlgorithm(value: DerValue): SignatureAlgorithm {
  const [oidValue, parameters, extra] = readAll(expectTag(value, TAG.sequence).content);
  const oid = decodeOid(expectTag(oidValue, TAG.oid).content);
  const known = ALGORITHMS.get(oid);
  if (!known) throw new DerError(`unsupported signature algorithm ${oid}`);
  const nullParameters = parameters?.tag === TAG.null && parameters.content.length === 0;
  if (extra || (parameters && !(known.family === "RSA" && nullParameters))) {
    throw new DerError(`unexpected parameters for signature algorithm ${oid}`);
  }
  return known;
}

/**
 * The algorithm a CA key of `type` signs with: PureEd25519, ECDSA with the curve's hash, or
 * RSA PKCS#1 v1.5 with SHA-256.
 *
 * @param type the CA key type
 * @returns the algorithm
 */
export function signatureAlgorithmFor(type: KeyType): SignatureAlgorithm {
  const oid = {
    "Ed25519": "1.3.101.112",
    "ECDSA-P256": "1.2.840.10045.4.3.2",
    "ECDSA-P384": "1.2.840.10045.4.3.3",
    "RSA": "1.2.840.113549.1.1.11",
  }[type];
  return ALGORITHMS.get(oid)!;
}

/**
 * Signs `data` and returns the signature as X.509 carries it (DER for ECDSA).
 *
 * @param key the private key
 * @param type its key type
 * @param data the bytes to sign (a TBSCertificate)
 * @returns the signature value
 */
export async function signForX509(
  key: CryptoKey,
  type: KeyType,
  data: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array> {
  const raw = new Uint8Array(await crypto.subtle.sign(signParams(type), key, data));
  return type.startsWith("ECDSA") ? p1363ToDer(raw) : raw;
}

const CURVE_SIZE: Partial<Record<KeyType, number>> = { "ECDSA-P256": 32, "ECDSA-P384": 48 };

/**
 * Verifies an X.509-encoded signature.
 *
 * Ed25519 (what workers send) is verified synchronously with `node:crypto`: WebCrypto would send
 * the key import and the check to a thread pool and back through two promises, which costs more
 * than the check. Both reach the same verdict on every input, the malleable and small-order ones
 * included (`tests/unit/pki/signature_algorithm_test.ts`). ECDSA and RSA keep WebCrypto.
 *
 * @param spki the signer's SubjectPublicKeyInfo DER
 * @param type the signer's key type
 * @param algorithm the signature algorithm
 * @param data the signed bytes
 * @param signature the signature value (DER for ECDSA)
 * @returns whether it verifies
 * @throws {DerError} when the algorithm does not fit the key or the signature is malformed
 */
export async function verifyX509Signature(
  spki: Uint8Array<ArrayBuffer>,
  type: KeyType,
  algorithm: SignatureAlgorithm,
  data: Uint8Array<ArrayBuffer>,
  signature: Uint8Array,
): Promise<boolean> {
  const family = type === "Ed25519" ? "Ed25519" : type === "RSA" ? "RSA" : "ECDSA";
  if (family !== algorithm.family) {
    throw new DerError(`a ${type} key cannot make a ${algorithm.family} signature`);
  }
  if (family === "Ed25519") {
    const key = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
    return verify(null, data, key, signature);
  }
  const base = importParams(type);
  const params = algorithm.hash ? { ...base, hash: algorithm.hash } : base;
  const key = await crypto.subtle.importKey("spki", spki, params, false, ["verify"]);
  const value = family === "ECDSA" ? derToP1363(signature, CURVE_SIZE[type]!) : signature;
  const verifyParams = family === "ECDSA" ? { name: "ECDSA", hash: algorithm.hash } : params;
  return await crypto.subtle.verify(verifyParams, key, value as Uint8Array<ArrayBuffer>, data);
}
