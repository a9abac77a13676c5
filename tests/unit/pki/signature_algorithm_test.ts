import {
  signatureAlgorithmFor,
  verifyX509Signature,
} from "../../../src/pki/signature_algorithm.ts";
import { assertEquals } from "../../support/assert.ts";
import { generateKeyPair } from "../../support/keys.ts";

const ED25519 = signatureAlgorithmFor("Ed25519");
const SPKI_PREFIX = Uint8Array.fromHex("302a300506032b6570032100");
const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function spkiOf(point: Uint8Array): Uint8Array<ArrayBuffer> {
  const spki = new Uint8Array(44);
  spki.set(SPKI_PREFIX);
  spki.set(point, 12);
  return spki;
}

function littleEndian(value: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++, value >>= 8n) bytes[i] = Number(value & 255n);
  return bytes;
}

function signatureOf(r: Uint8Array, s: Uint8Array): Uint8Array {
  const signature = new Uint8Array(64);
  signature.set(r);
  signature.set(s, 32);
  return signature;
}

async function webCryptoVerdict(
  spki: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
  signature: Uint8Array,
) {
  try {
    const key = await crypto.subtle.importKey("spki", spki, "Ed25519", false, ["verify"]);
    return await crypto.subtle.verify("Ed25519", key, signature as Uint8Array<ArrayBuffer>, data);
  } catch {
    return false;
  }
}

Deno.test("verifyX509Signature() reaches WebCrypto's verdict on malleable, small-order and non-canonical Ed25519 signatures", async () => {
  const data = new TextEncoder().encode("CertificationRequestInfo");
  const keys = await generateKeyPair("Ed25519");
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const valid = new Uint8Array(await crypto.subtle.sign("Ed25519", keys.privateKey, data));
  const s = valid.subarray(32).reduceRight((n, b) => n * 256n + BigInt(b), 0n);
  const identity = littleEndian(1n);
  const zero = new Uint8Array(32);
  const cases: [string, Uint8Array<ArrayBuffer>, Uint8Array, boolean][] = [
    ["a valid signature", spki, valid, true],
    [
      "S + L (malleated, RFC 8032 §5.1.7 requires S < L)",
      spki,
      signatureOf(valid.subarray(0, 32), littleEndian(s + L)),
      false,
    ],
    ["a truncated signature", spki, valid.subarray(0, 63), false],
    [
      "a signature one byte too long",
      spki,
      Uint8Array.of(...valid, 0),
      false,
    ],
    [
      "the identity key with R = identity, S = 0 (cofactorless, accepted as by Go's crypto/ed25519)",
      spkiOf(identity),
      signatureOf(identity, zero),
      true,
    ],
    [
      "an order-2 key with R = identity, S = 0",
      spkiOf(littleEndian(P - 1n)),
      signatureOf(identity, zero),
      true,
    ],
    [
      "a non-canonical key encoding (y = p + 1)",
      spkiOf(littleEndian(P + 1n)),
      signatureOf(identity, zero),
      false,
    ],
    [
      "a non-canonical R (y = p + 1)",
      spkiOf(identity),
      signatureOf(littleEndian(P + 1n), zero),
      false,
    ],
    ["an all-zero key and signature", spkiOf(zero), new Uint8Array(64), false],
  ];
  for (const [name, key, signature, expected] of cases) {
    const ours = await verifyX509Signature(key, "Ed25519", ED25519, data, signature).catch(() =>
      false
    );
    assertEquals(ours, await webCryptoVerdict(key, data, signature), name);
    assertEquals(ours, expected, name);
  }
});
