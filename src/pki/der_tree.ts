/**
 * DER written in one piece: a value is described as a tree of parts first, then written into one
 * buffer of the exact size.
 *
 * Building a certificate with {@linkcode encode} allocates a new byte array for every nested value
 * and copies each part once per level above it. Byte arrays are costly to allocate here (each has
 * its own backing store, counted as external memory that prompts garbage collection), and a
 * TBSCertificate has about thirty nested values, so issuance builds a tree of plain objects and
 * allocates its bytes once.
 *
 * @module
 */

/** A part of a value: bytes already encoded, or a nested value still to be written. */
export type DerPart = Uint8Array | DerTree;

/** A value still to be written. Build it with {@linkcode derTree}. */
export interface DerTree {
  /** The identifier octet. */
  readonly tag: number;
  /** The contents, in order. */
  readonly parts: readonly DerPart[];
  /** Length of the contents octets. */
  readonly length: number;
}

/**
 * Describes a value from its parts; nothing is copied until {@linkcode writeDer}.
 *
 * @param tag the identifier octet
 * @param parts the contents, in order
 * @returns the value
 * @example
 * ```ts
 * const validity = derTree(TAG.sequence, [encodeTime(notBefore), encodeTime(notAfter)]);
 * ```
 */
export function derTree(tag: number, parts: readonly DerPart[]): DerTree {
  let length = 0;
  for (let i = 0; i < parts.length; i++) length += sizeOf(parts[i]!);
  return { tag, parts, length };
}

/**
 * Writes a value: identifier, minimal length, contents, the same bytes {@linkcode encode} would
 * give for the same nesting.
 *
 * @param tree the value
 * @returns its DER, in one buffer
 * @example
 * ```ts
 * const der = writeDer(derTree(TAG.sequence, [encodeOid("2.5.29.17")]));
 * ```
 */
export function writeDer(tree: DerTree): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(sizeOf(tree));
  writeTree(tree, out, 0);
  return out;
}

function sizeOf(part: DerPart): number {
  if (part instanceof Uint8Array) return part.length;
  return headerSize(part.length) + part.length;
}

function headerSize(length: number): number {
  if (length < 0x80) return 2;
  let octets = 0;
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets++;
  return 2 + octets;
}

function writeTree(tree: DerTree, out: Uint8Array, offset: number): number {
  const header = headerSize(tree.length);
  out[offset] = tree.tag;
  if (header === 2) {
    out[offset + 1] = tree.length;
  } else {
    out[offset + 1] = 0x80 | (header - 2);
    for (
      let i = offset + header - 1, n = tree.length;
      i > offset + 1;
      i--, n = Math.floor(n / 256)
    ) {
      out[i] = n & 0xff;
    }
  }
  let at = offset + header;
  for (let i = 0; i < tree.parts.length; i++) {
    const part = tree.parts[i]!;
    if (part instanceof Uint8Array) {
      out.set(part, at);
      at += part.length;
    } else {
      at = writeTree(part, out, at);
    }
  }
  return at;
}
