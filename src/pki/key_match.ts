/**
 * Proof that a private key belongs to a certificate: sign a random challenge, verify it with the
 * certificate's public key. Works for every key type without exporting the private key.
 *
 * @module
 */
import { importParams, type KeyType, signParams } from "./key_type.ts";

/**
 * Tells whether `signingKey` is the private half of the key in `spki`.
 *
 * @param spki the certificate's SubjectPublicKeyInfo DER
 * @param signingKey the private key (usage `sign`)
 * @param keyType their key type
 * @returns true when they match
 */
export async function keyMatchesCertificate(
  spki: BufferSource,
  signingKey: CryptoKey,
  keyType: KeyType,
): Promise<boolean> {
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const params = signParams(keyType);
  const signature = await crypto.subtle.sign(params, signingKey, challenge);
  const publicKey = await crypto.subtle.importKey("spki", spki, importParams(keyType), false, [
    "verify",
  ]);
  return await crypto.subtle.verify(params, publicKey, signature, challenge);
}
