/**
 * IP addresses and CIDR ranges as bytes, for policy checks.
 *
 * An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is treated as the IPv4 address it carries, so a
 * dual-stack peer or SAN cannot slip past an IPv4 range (or be refused by one) through notation.
 *
 * @module
 */
import { formatIpBytes, parseIpBytes } from "../pki/ip_text.ts";

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
  const v6 = parseIpBytes(text);
  if (!v6 || v6.length === 4) return v6;
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
 * Formats address bytes as text (RFC 5952 for IPv6).
 *
 * @param bytes 4 or 16 bytes
 * @returns the address text
 */
export function formatIp(bytes: IpBytes): string {
  return formatIpBytes(bytes);
}

function mask(bytes: IpBytes, prefix: number): IpBytes {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return b & (0xff << (8 - keep)) & 0xff;
  });
}
