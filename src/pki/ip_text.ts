/**
 * IP address bytes as text, the form SANs are logged, checked and compared in.
 *
 * @module
 */
import { DerError } from "./der.ts";

const DOT = 0x2e;
const ZERO = 0x30;

/**
 * Formats a 4- or 16-byte address (RFC 5952 for IPv6).
 *
 * @param bytes the address
 * @returns its text
 * @throws {DerError} for any other length
 */
export function formatIpBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join(".");
  if (bytes.length !== 16) throw new DerError(`iPAddress of ${bytes.length} bytes`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: compress the longest run (at least two) of zero groups, the first if tied.
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}

/**
 * Parses IPv4 dotted-quad or RFC 4291 IPv6 text (brackets and zone indexes are not accepted).
 * IPv4-mapped IPv6 stays 16 bytes: a SAN is encoded as written.
 *
 * @param text the address
 * @returns 4 or 16 bytes, or `undefined` when not an address
 */
export function parseIpBytes(text: string): Uint8Array | undefined {
  return parseIpv4(text) ?? parseIpv6(text);
}

/**
 * Dotted-quad IPv4: four decimal numbers of at most 255 without leading zeros. A character scan,
 * not a split and a regular expression per part: every call parses each SAN and the peer address.
 */
function parseIpv4(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : DOT; // the end closes the last part
    if (code === DOT) {
      if (digits === 0 || part === 4) return undefined;
      bytes[part++] = value;
      value = 0;
      digits = 0;
    } else if (code >= ZERO && code <= ZERO + 9) {
      if (digits > 0 && value === 0) return undefined; // a leading zero
      value = value * 10 + (code - ZERO);
      digits++;
      if (value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return part === 4 ? bytes : undefined;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let hexText = text;
  if (text.includes(".")) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes its two hexadecimal groups.
    const cut = text.lastIndexOf(":");
    const v4 = parseIpv4(text.slice(cut + 1));
    if (!v4) return undefined;
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    hexText = `${text.slice(0, cut + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = hexText.split("::");
  if (halves.length > 2) return undefined;
  const split = (half: string) => (half === "" ? [] : half.split(":"));
  const head = split(halves[0]!);
  const rest = halves.length === 2 ? split(halves[1]!) : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const explicit = head.length + rest.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const groups = [...head, ...new Array(8 - explicit).fill("0"), ...rest].map((g) =>
    parseInt(g, 16)
  );
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}
