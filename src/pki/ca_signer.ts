/**
 * The CA's signing operation, chosen once per loaded CA key.
 *
 * Every issued certificate is signed here, so the cost of one signature is paid on every call. For
 * Ed25519 (every Talos machine CA before 1.10.3, and most since) the key is held as a `node:crypto`
 * `KeyObject` and signs synchronously: WebCrypto's `sign()` sends the same computation to a thread
 * pool and back through a promise, which costs more than the signature itself (about 50 µs against
 * 20 µs here). Ed25519 signatures are deterministic (RFC 8032), so both give the same bytes for the
 * same key and data. ECDSA and RSA keep WebCrypto, which is as fast or faster for them in Deno.
 *
 * The `KeyObject` lives only inside the returned closure: nothing in the process can reach its
 * `export()`, just as the WebCrypto key is not extractable.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createPrivateKey, sign } from "node:crypto";
import type { PrivateKeyMaterial } from "./private_key.ts";
import { signForX509 } from "./signature_algorithm.ts";

/** Signs a TBSCertificate with the CA key; returns the signature as X.509 carries it. */
export type CaSigner = (tbs: Uint8Array<ArrayBuffer>) => Uint8Array | Promise<Uint8Array>;

/**
 * Builds the signing operation for a CA key: synchronous `node:crypto` for Ed25519, WebCrypto
 * (with DER conversion for ECDSA) otherwise.
 *
 * @param material the parsed CA key (its PKCS#8 bytes are read once, here)
 * @param signingKey the same key imported into WebCrypto
 * @returns the signer
 * @throws {TypeError} when `node:crypto` cannot read the Ed25519 key
 * @example
 * ```ts
 * const sign = buildCaSigner(material, await importSigningKey(material));
 * const signature = await sign(tbs);
 * ```
 */
export function buildCaSigner(material: PrivateKeyMaterial, signingKey: CryptoKey): CaSigner {
  if (material.type !== "Ed25519") {
    const type = material.type;
    return (tbs) => signForX509(signingKey, type, tbs);
  }
  const key = createPrivateKey({ key: Buffer.from(material.pkcs8), format: "der", type: "pkcs8" });
  return function signEd25519(tbs) {
    return sign(null, tbs, key);
  };
}
