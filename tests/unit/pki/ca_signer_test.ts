import { buildCaSigner } from "../../../src/pki/ca_signer.ts";
import { importSigningKey, parsePrivateKey } from "../../../src/pki/private_key.ts";
import { verifyX509Signature } from "../../../src/pki/signature_algorithm.ts";
import { signatureAlgorithmFor } from "../../../src/pki/signature_algorithm.ts";
import { parseSecretsBundle } from "../../../src/config/secrets_bundle.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { readTalosSecrets } from "../../support/fixtures.ts";
import { KEY_TYPES, makeCa } from "../../support/keys.ts";

async function spkiOf(keys: CryptoKeyPair): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
}

Deno.test("buildCaSigner() signs the Talos bundle's Ed25519 key with WebCrypto's exact bytes (RFC 8032 is deterministic)", async () => {
  const material = parsePrivateKey(parseSecretsBundle(await readTalosSecrets()).caKeyPem);
  const webCryptoKey = await importSigningKey(material);
  const sign = buildCaSigner(material, webCryptoKey);
  for (const size of [0, 1, 400, 1100]) {
    const tbs = crypto.getRandomValues(new Uint8Array(size));
    const expected = new Uint8Array(await crypto.subtle.sign("Ed25519", webCryptoKey, tbs));
    assertEquals(new Uint8Array(await sign(tbs)), expected);
  }
});

Deno.test("buildCaSigner() gives signatures that verify under the CA certificate's key, for every key type", async () => {
  for (const type of KEY_TYPES) {
    const ca = await makeCa({ type });
    const material = parsePrivateKey(ca.keyPem);
    const sign = buildCaSigner(material, await importSigningKey(material));
    const tbs = crypto.getRandomValues(new Uint8Array(300));
    const signature = await sign(tbs);
    const algorithm = signatureAlgorithmFor(type);
    const spki = await spkiOf(ca.keys);
    assert(await verifyX509Signature(spki, type, algorithm, tbs, signature), type);
    const tampered = tbs.slice();
    tampered[0]! ^= 1;
    assert(!(await verifyX509Signature(spki, type, algorithm, tampered, signature)), type);
  }
});
