/**
 * IP addresses and CIDR ranges as bytes, for policy checks.
 *
 * An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is treated as the IPv4 address it carries, so a
 * dual-stack peer or SAN cannot slip past an IPv4 range (or be refused by one) through notation.
 *
 * @module
 */

/** A parsed address: 4 or 16 bytes. */
export type IpBytes = Uint8Array;

/** A parsed CIDR range. */
export interface CidrRange {
  /** The network address bytes (host bits zero). */
  network: IpBytes;
  /** Prefix length in bits. */
  prefix: number;
  /** The range as written, normalised, for messages. */
  text: string;
}

/**
 * Parses an IPv4 or IPv6 address.
 *
 * @param text dotted-quad or RFC 4291 text (brackets and a zone index are not accepted)
 * @returns 4 bytes for IPv4 (also for IPv4-mapped IPv6), 16 for IPv6; `undefined` if invalid
 */
export function parseIp(text: string): IpBytes | undefined {
  const v4 = parseIpv4(text);
  if (v4) return v4;
  const v6 = parseIpv6(text);
  if (!v6) return undefined;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

/**
 * Parses a CIDR range such as `10.0.0.0/8` or `fd00::/8`. A bare address is a single-host range.
 *
 * @param text the range
 * @returns the range, or `undefined` if invalid
 */
export function parseCidr(text: string): CidrRange | undefined {
  const [address = "", prefixText, extra] = text.trim().split("/");
  if (extra !== undefined) return undefined;
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  const bits = bytes.length * 8;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const network = mask(bytes, prefix);
  return { network, prefix, text: `${formatIp(network)}/${prefix}` };
}

/**
 * Tells whether `ip` lies in `range` (both of the same family).
 *
 * @param range the range
 * @param ip the address
 * @returns true when inside
 */
export function cidrContains(range: CidrRange, ip: IpBytes): boolean {
  if (ip.length !== range.network.length) return false;
  const masked = mask(ip, range.prefix);
  return masked.every((b, i) => b === range.network[i]);
}

/**
 * Compares two addresses for equality.
 *
 * @param a first address
 * @param b second address
 * @returns true when the same address
 */
export function ipEquals(a: IpBytes, b: IpBytes): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * Formats address bytes as text (IPv6 in full hexadecimal groups, compressed by the URL parser).
 *
 * @param bytes 4 or 16 bytes
 * @returns the address text
 */
export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return bytes.join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
}

function mask(bytes: IpBytes, prefix: number): IpBytes {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return b & (0xff << (8 - keep)) & 0xff;
  });
}

function parseIpv4(text: string): IpBytes | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIpv6(text: string): IpBytes | undefined {
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
