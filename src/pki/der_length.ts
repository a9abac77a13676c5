/**
 * The outer length of a DER value, so that untrusted input with trailing bytes is refused
 * before any parser sees it (lenient BER parsers ignore what follows the first value).
 *
 * @module
 */

/**
 * Returns the total byte length (header plus contents) of the DER value that starts `der`.
 *
 * @param der bytes that should hold exactly one DER value
 * @returns the encoded length, or `undefined` when the header is malformed, uses the indefinite
 * form, is not minimal, or claims more bytes than `der` holds
 */
export function derValueLength(der: Uint8Array): number | undefined {
  if (der.length < 2) return undefined;
  const first = der[1]!;
  if (first < 0x80) return 2 + first <= der.length ? 2 + first : undefined;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || der.length < 2 + count) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + der[2 + i]!;
  if (der[2] === 0 || length < 0x80) return undefined;
  const total = 2 + count + length;
  return total <= der.length ? total : undefined;
}
