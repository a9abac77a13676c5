/**
 * ECDSA signatures between the two encodings in play: WebCrypto speaks IEEE P1363 (`r || s`,
 * fixed width), X.509 and PKCS#10 carry `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`.
 *
 * @module
 */
import {
  DerError,
  encode,
  encodeUnsignedInteger,
  expectTag,
  readAll,
  readOnly,
  TAG,
} from "./der.ts";

/**
 * Converts a WebCrypto ECDSA signature to DER.
 *
 * @param raw `r || s`, each half the curve's field size
 * @returns the DER ECDSA-Sig-Value
 */
export function p1363ToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return encode(
    TAG.sequence,
    encodeUnsignedInteger(raw.subarray(0, half)),
    encodeUnsignedInteger(raw.subarray(half)),
  );
}

/**
 * Converts a DER ECDSA signature to WebCrypto's form.
 *
 * @param der the DER ECDSA-Sig-Value
 * @param size the curve's field size in bytes (32 for P-256, 48 for P-384)
 * @returns `r || s`
 * @throws {DerError} when the DER is malformed or a value does not fit the curve
 */
export function derToP1363(der: Uint8Array, size: number): Uint8Array {
  const [r, s, extra] = readAll(readOnly(der, TAG.sequence).content);
  if (extra) throw new DerError("ECDSA signature has extra fields");
  const out = new Uint8Array(size * 2);
  [r, s].forEach((value, index) => {
    const content = expectTag(value, TAG.integer).content;
    if (content.length === 0 || content[0]! & 0x80) {
      throw new DerError("ECDSA signature value is not positive");
    }
    if (content.length > 1 && content[0] === 0 && !(content[1]! & 0x80)) {
      throw new DerError("non-minimal INTEGER");
    }
    const magnitude = content[0] === 0 ? content.subarray(1) : content;
    if (magnitude.length > size) throw new DerError("ECDSA signature value too large");
    out.set(magnitude, index * size + size - magnitude.length);
  });
  return out;
}
