/**
 * CSRs built byte by byte, with a valid signature over whatever subject, key encoding or SANs a
 * test wants: the shapes a hostile token holder can send and no CSR library would make.
 *
 * @module
 */
import { concat, encode, encodeOid, TAG } from "../../src/pki/der.ts";
import type { KeyType } from "../../src/pki/key_type.ts";
import { encodePem } from "../../src/pki/pem.ts";
import { signatureAlgorithmFor, signForX509 } from "../../src/pki/signature_algorithm.ts";

const encoder = new TextEncoder();

/** An AttributeTypeAndValue: `oid` with a value of `tag` and `content` (text is UTF-8 encoded). */
export function attribute(oid: string, tag: number, content: string | Uint8Array): Uint8Array {
  const bytes = typeof content === "string" ? encoder.encode(content) : content;
  return encode(TAG.sequence, encodeOid(oid), encode(tag, bytes));
}

/** A Name from RDNs, each a list of encoded attributes (an empty list makes an empty SET). */
export function name(...rdns: Uint8Array[][]): Uint8Array {
  return encode(TAG.sequence, ...rdns.map((rdn) => encode(TAG.set, ...rdn)));
}

/** A GeneralNames value from DNS names (raw text, not checked) and IPv4/IPv6 byte strings. */
export function generalNames(dns: string[], ips: Uint8Array[] = []): Uint8Array {
  return encode(
    TAG.sequence,
    ...dns.map((d) => encode(0x82, encoder.encode(d))),
    ...ips.map((ip) => encode(0x87, ip)),
  );
}

/** What {@linkcode rawCsr} builds. */
export interface RawCsrParts {
  /** The signing key pair. */
  keys: CryptoKeyPair;
  /** Its type. */
  type: KeyType;
  /** The subject Name DER. */
  subject: Uint8Array;
  /** The SubjectPublicKeyInfo to put in, DER. @default the key's own */
  spki?: Uint8Array;
  /** A subjectAltName value (GeneralNames DER) to request. */
  sans?: Uint8Array;
}

/**
 * Builds and signs a CSR from raw parts.
 *
 * @param parts key, subject, optional SPKI override and SANs
 * @returns the CSR as PEM
 */
export async function rawCsr(parts: RawCsrParts): Promise<string> {
  const spki = parts.spki ??
    new Uint8Array(await crypto.subtle.exportKey("spki", parts.keys.publicKey));
  const extensions = parts.sans
    ? [
      encode(
        TAG.sequence,
        encodeOid("1.2.840.113549.1.9.14"),
        encode(
          TAG.set,
          encode(
            TAG.sequence,
            encode(TAG.sequence, encodeOid("2.5.29.17"), encode(TAG.octetString, parts.sans)),
          ),
        ),
      ),
    ]
    : [];
  const info = encode(
    TAG.sequence,
    new Uint8Array([TAG.integer, 1, 0]),
    parts.subject,
    spki,
    encode(0xa0, ...extensions),
  );
  const signature = await signForX509(parts.keys.privateKey, parts.type, info);
  return encodePem(
    "CERTIFICATE REQUEST",
    encode(
      TAG.sequence,
      info,
      signatureAlgorithmFor(parts.type).identifier,
      encode(TAG.bitString, concat(new Uint8Array([0]), signature)),
    ),
  );
}

/**
 * The SubjectPublicKeyInfo of a P-256 key with its point compressed (valid X9.62, which Go
 * cannot parse).
 *
 * @param publicKey an extractable P-256 public key
 * @returns the SPKI DER
 */
export async function compressedP256Spki(publicKey: CryptoKey): Promise<Uint8Array> {
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", publicKey));
  const point = concat(new Uint8Array([2 + (raw[64]! & 1)]), raw.subarray(1, 33));
  return encode(
    TAG.sequence,
    encode(TAG.sequence, encodeOid("1.2.840.10045.2.1"), encodeOid("1.2.840.10045.3.1.7")),
    encode(TAG.bitString, concat(new Uint8Array([0]), point)),
  );
}
