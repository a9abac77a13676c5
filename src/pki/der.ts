/**
 * Strict DER reading and writing, the few pieces X.509 issuance needs.
 *
 * Reading refuses everything DER forbids and lenient BER parsers accept: indefinite lengths,
 * non-minimal length encodings, lengths past the end of the input, and (at the top level) trailing
 * bytes. Untrusted CSRs go through here.
 *
 * @module
 */

/** Tag numbers used here (universal class unless noted). */
export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** A DER value read from a buffer. */
export interface DerValue {
  /** The identifier octet (single-byte tags only; X.509 needs no others). */
  tag: number;
  /** The contents octets. */
  content: Uint8Array;
  /** The whole encoding: identifier, length and contents. */
  encoded: Uint8Array;
}

/** Malformed DER; the message says where and what. */
export class DerError extends Error {
  /** @param message what is wrong */
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

/**
 * Reads the value at `offset`.
 *
 * @param input the buffer
 * @param offset where the value starts
 * @returns the value and the offset just after it
 * @throws {DerError} on any encoding error
 */
export function readValue(input: Uint8Array, offset = 0): { value: DerValue; next: number } {
  if (offset + 2 > input.length) throw new DerError(`truncated value at byte ${offset}`);
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at byte ${offset}`);
  let length = input[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new DerError(`indefinite length at byte ${offset}`);
    if (count > 4) throw new DerError(`length of ${count} bytes at byte ${offset}`);
    if (offset + 2 + count > input.length) throw new DerError(`truncated length at byte ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + input[offset + 2 + i]!;
    if (input[offset + 2] === 0 || length < 0x80) {
      throw new DerError(`non-minimal length at byte ${offset}`);
    }
    header += count;
  }
  const end = offset + header + length;
  if (end > input.length) throw new DerError(`value at byte ${offset} runs past the end`);
  return { value: new ReadDerValue(input, tag, offset, offset + header, end), next: end };
}

/**
 * A value read from a buffer, whose views are made when first asked for: a CSR parse reads about
 * fifty values and looks at the whole encoding of only a few, and every view is an allocation.
 */
class ReadDerValue implements DerValue {
  readonly tag: number;
  readonly #input: Uint8Array;
  readonly #start: number;
  readonly #contentStart: number;
  readonly #end: number;
  #content: Uint8Array | undefined;
  #encoded: Uint8Array | undefined;

  constructor(input: Uint8Array, tag: number, start: number, contentStart: number, end: number) {
    this.tag = tag;
    this.#input = input;
    this.#start = start;
    this.#contentStart = contentStart;
    this.#end = end;
  }

  get content(): Uint8Array {
    return this.#content ??= this.#input.subarray(this.#contentStart, this.#end);
  }

  get encoded(): Uint8Array {
    return this.#encoded ??= this.#input.subarray(this.#start, this.#end);
  }
}

/**
 * Reads exactly one value filling all of `input`.
 *
 * @param input the buffer
 * @param tag the expected tag
 * @returns the value
 * @throws {DerError} when the tag differs, the encoding is bad, or bytes follow
 */
export function readOnly(input: Uint8Array, tag: number): DerValue {
  const { value, next } = readValue(input, 0);
  if (next !== input.length) throw new DerError(`${input.length - next} trailing bytes`);
  return expectTag(value, tag);
}

/**
 * Reads all values in a constructed value's contents.
 *
 * @param content the contents octets
 * @returns the values, in order
 * @throws {DerError} on any encoding error
 */
export function readAll(content: Uint8Array): DerValue[] {
  const values: DerValue[] = [];
  for (let offset = 0; offset < content.length;) {
    const { value, next } = readValue(content, offset);
    values.push(value);
    offset = next;
  }
  return values;
}

/**
 * Checks a value's tag.
 *
 * @param value the value
 * @param tag the expected tag
 * @returns the value
 * @throws {DerError} when it differs
 */
export function expectTag(value: DerValue | undefined, tag: number): DerValue {
  if (!value) throw new DerError(`missing value (expected tag 0x${tag.toString(16)})`);
  if (value.tag !== tag) {
    throw new DerError(`expected tag 0x${tag.toString(16)}, found 0x${value.tag.toString(16)}`);
  }
  return value;
}

/** Largest subidentifier Go's `encoding/asn1` and `crypto/x509` (cryptobyte) read: 2^31 - 1. */
export const MAX_OID_SUBIDENTIFIER = 0x7fffffff;

/**
 * An OBJECT IDENTIFIER with a subidentifier of 2^31 or more: well-formed DER, but Go's
 * `crypto/x509` refuses any certificate carrying it, so nothing with it may be signed.
 */
export class OidArcError extends DerError {
  /** The OID as dotted text. */
  readonly oid: string;
  /** @param oid the OID as dotted text */
  constructor(oid: string) {
    super(
      `OBJECT IDENTIFIER ${oid} has a subidentifier of 2^31 or more, which Go's crypto/x509 cannot parse`,
    );
    this.name = "OidArcError";
    this.oid = oid;
  }
}

/**
 * Decodes an OBJECT IDENTIFIER's contents to dotted text. Every subidentifier (the first one
 * combines two arcs) must be below 2^31, as Go requires.
 *
 * @param content the contents octets
 * @returns the OID, e.g. `2.5.29.17`
 * @throws {OidArcError} when a subidentifier is 2^31 or more
 * @throws {DerError} when malformed
 */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new DerError("empty OBJECT IDENTIFIER");
  // Built as text directly (no arrays of arcs): every CSR carries about ten OIDs.
  let oid = "";
  let tooLarge = false;
  let value = 0;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i]!;
    if (value === 0 && byte === 0x80) throw new DerError("non-minimal OBJECT IDENTIFIER arc");
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) {
      throw new DerError("OBJECT IDENTIFIER arc too large (at most 2^31 - 1)");
    }
    if (!(byte & 0x80)) {
      if (value > MAX_OID_SUBIDENTIFIER) tooLarge = true;
      // The first subidentifier combines two arcs.
      oid += oid !== ""
        ? `.${value}`
        : value < 40
        ? `0.${value}`
        : value < 80
        ? `1.${value - 40}`
        : `2.${value - 80}`;
      value = 0;
    } else if (i === content.length - 1) {
      throw new DerError("truncated OBJECT IDENTIFIER");
    }
  }
  if (tooLarge) throw new OidArcError(oid);
  return oid;
}

/**
 * Encodes a value: identifier, minimal length, contents.
 *
 * @param tag the identifier octet
 * @param parts the contents, concatenated
 * @returns the encoding
 */
export function encode(tag: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const header = length < 0x80 ? [tag, length] : [tag, ...lengthOctets(length)];
  const out = new Uint8Array(header.length + length);
  out.set(header);
  let offset = header.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function lengthOctets(length: number): number[] {
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/**
 * Encodes an OBJECT IDENTIFIER from dotted text.
 *
 * @param oid e.g. `2.5.29.17`
 * @returns the full encoding (tag, length, contents)
 */
export function encodeOid(oid: string): Uint8Array<ArrayBuffer> {
  const [a = 0, b = 0, ...rest] = oid.split(".").map(Number);
  const bytes: number[] = [];
  for (const arc of [a * 40 + b, ...rest]) {
    const chunk = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) {
      chunk.unshift((n & 0x7f) | 0x80);
    }
    bytes.push(...chunk);
  }
  return encode(TAG.oid, new Uint8Array(bytes));
}

/**
 * Encodes a non-negative INTEGER from big-endian magnitude bytes, minimally.
 *
 * @param magnitude the unsigned value's bytes
 * @returns the full encoding
 */
export function encodeUnsignedInteger(magnitude: Uint8Array): Uint8Array<ArrayBuffer> {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const body = trimmed.length === 0
    ? new Uint8Array([0])
    : trimmed[0]! & 0x80
    ? concat(new Uint8Array([0]), trimmed)
    : trimmed;
  return encode(TAG.integer, body);
}

/**
 * Concatenates byte arrays.
 *
 * @param parts the arrays
 * @returns one array
 */
export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
