/**
 * The protobuf wire format (proto3), as much of it as the signer's messages use: length-delimited
 * and varint fields, and skipping every other wire type. The served messages are tiny (a
 * CertificateRequest is one bytes field), so the service definitions encode and decode them with
 * this instead of loading protobufjs and parsing `.proto` files at start-up (about 3 MB of RSS).
 *
 * @module
 */

/** A field as read from the wire: length-delimited fields as bytes, varints as numbers. */
export type WireValue = Uint8Array | number;

/** Raised for bytes that are not a well-formed protobuf message. */
export class WireFormatError extends Error {
  /** @param message what is wrong, without the bytes */
  constructor(message: string) {
    super(message);
    this.name = "WireFormatError";
  }
}

/**
 * Reads the fields of one message. Varint values above 2^53 are read as approximations (no field
 * the signer reads is that large); fixed32/fixed64 fields are skipped.
 *
 * @param bytes the encoded message
 * @returns each field number with its last value (proto3: the last occurrence wins)
 * @throws {WireFormatError} when a tag, length or value runs past the end or is malformed
 */
export function readFields(bytes: Uint8Array): Map<number, WireValue> {
  const fields = new Map<number, WireValue>();
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (offset >= bytes.length) {
        throw new WireFormatError("Cannot read message: truncated varint");
      }
      const byte = bytes[offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new WireFormatError("Cannot read message: varint longer than 10 bytes");
  };
  const skip = (length: number) => {
    if (length > bytes.length - offset) {
      throw new WireFormatError("Cannot read message: field runs past the end");
    }
    offset += length;
  };
  while (offset < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    if (field < 1 || field > 0x1fffffff) {
      throw new WireFormatError(`Cannot read message: invalid field number ${field}`);
    }
    switch (tag % 8) {
      case 0:
        fields.set(field, varint());
        break;
      case 1:
        skip(8);
        break;
      case 2: {
        const length = varint();
        const start = offset;
        skip(length);
        fields.set(field, bytes.subarray(start, offset));
        break;
      }
      case 5:
        skip(4);
        break;
      default:
        throw new WireFormatError(`Cannot read message: unsupported wire type ${tag % 8}`);
    }
  }
  return fields;
}

function varintSize(value: number): number {
  let size = 1;
  for (; value >= 0x80; value = Math.floor(value / 0x80)) size++;
  return size;
}

function writeVarint(out: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    out[offset++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  out[offset++] = value;
  return offset;
}

/** One field to write. */
export type WireField = [field: number, value: WireValue];

/**
 * Encodes fields in the order given; numbers as varints (non-negative integers), bytes as
 * length-delimited. Proto3 leaves out scalar fields at their default, so callers omit zeros.
 *
 * @param fields field numbers and values
 * @returns the encoded message
 */
export function writeFields(fields: readonly WireField[]): Uint8Array {
  // Sized first, then written into one buffer: the answer carries about 2 KB of PEM every call.
  let size = 0;
  for (const [field, value] of fields) {
    const isBytes = value instanceof Uint8Array;
    size += varintSize(field * 8 + (isBytes ? 2 : 0)) + varintSize(isBytes ? value.length : value);
    if (isBytes) size += value.length;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const [field, value] of fields) {
    const isBytes = value instanceof Uint8Array;
    offset = writeVarint(out, offset, field * 8 + (isBytes ? 2 : 0));
    offset = writeVarint(out, offset, isBytes ? value.length : value);
    if (isBytes) {
      out.set(value, offset);
      offset += value.length;
    }
  }
  return out;
}
