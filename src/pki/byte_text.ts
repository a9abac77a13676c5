/**
 * Bytes read as text one character per byte (ISO 8859-1), the way ASN.1's ASCII string types
 * (PrintableString, IA5String, dNSName) are turned into strings before their character set is
 * checked.
 *
 * `String.fromCharCode(...bytes)` does the same but goes through the iterator protocol and an
 * argument array for every call: about 1.7 KB of garbage for a 25-byte name, on every CSR.
 *
 * @module
 */

/** Bytes per `fromCharCode` call, well under any engine's argument limit. */
const CHUNK = 8192;

/**
 * Reads each byte as the character with that code (U+0000 to U+00FF).
 *
 * @param bytes the string's contents octets
 * @returns the text, one character per byte
 * @example
 * ```ts
 * byteText(Uint8Array.of(0x77, 0x31)); // "w1"
 * ```
 */
export function byteText(bytes: Uint8Array): string {
  if (bytes.length <= CHUNK) {
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  let text = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return text;
}
