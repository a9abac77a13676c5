/**
 * PEM text (RFC 7468) in and out.
 *
 * Talos writes key files with labels that RFC 7468 does not know (`ED25519 PRIVATE KEY`), and
 * workers send CSRs whose label nobody checks, so decoding keeps the label and lets the caller
 * decide what it accepts.
 *
 * @module
 */

/** One decoded PEM block: its label and the DER bytes it carries. */
export interface PemBlock {
  /** The text between `BEGIN ` and the closing dashes, e.g. `CERTIFICATE`. */
  label: string;
  /** The base64-decoded body. */
  der: Uint8Array<ArrayBuffer>;
}

const BEGIN = "-----BEGIN ";
const END = "-----END ";
const DASHES = "-----";

/**
 * Decodes every PEM block in `text`, in order. Text around the blocks is ignored, as OpenSSL and
 * Go's `pem.Decode` do, so bundles with comments load.
 *
 * The scan is linear in the length of `text` whatever it holds: every search starts where the
 * previous one stopped, so a peer sending thousands of unterminated `-----BEGIN` lines costs one
 * pass, not one pass per line.
 *
 * @param text PEM text, possibly several blocks
 * @returns the blocks found; empty when there are none
 * @throws {SyntaxError} when a block's END label differs from its BEGIN label or its body is not
 * base64
 * @example
 * ```ts
 * const [block] = decodePem(await Deno.readTextFile("ca.crt"));
 * ```
 */
export function decodePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let from = 0;
  for (;;) {
    const begin = findBoundary(text, BEGIN, from);
    if (begin === undefined) return blocks;
    from = begin.next;
    const bodyStart = lineBreakEnd(text, begin.next);
    if (bodyStart === undefined) continue;
    const end = findBoundary(text, END, bodyStart);
    // No END line after this BEGIN: no later BEGIN can be closed either.
    if (end === undefined) return blocks;
    from = end.next;
    if (begin.label !== end.label) {
      throw new SyntaxError(
        `Cannot decode PEM: BEGIN ${shown(begin.label)} at ${lineOf(text, begin.start)} ` +
          `is closed by END ${shown(end.label)} at ${lineOf(text, end.start)}`,
      );
    }
    try {
      blocks.push({ label: begin.label, der: base64Body(text.slice(bodyStart, end.start)) });
    } catch {
      throw new SyntaxError(
        `Cannot decode PEM: the ${shown(begin.label)} block at ${lineOf(text, begin.start)} ` +
          `is not valid base64`,
      );
    }
  }
}

/**
 * The bytes of a block's body. `fromBase64` skips ASCII whitespace itself, which is all a PEM body
 * normally holds, so the body is decoded as it is; only when that fails are the other whitespace
 * characters `\s` matches (vertical tab, no-break space...) removed first, as before, for the same
 * result in one pass on every CSR.
 */
function base64Body(body: string): Uint8Array<ArrayBuffer> {
  try {
    return Uint8Array.fromBase64(body);
  } catch {
    return Uint8Array.fromBase64(body.replace(/\s+/g, ""));
  }
}

interface Boundary {
  /** Where the boundary line's `-----` starts. */
  start: number;
  /** The label between the keyword and the closing dashes. */
  label: string;
  /** Just past the closing dashes. */
  next: number;
}

/**
 * Finds the next `-----BEGIN label-----` (or END) at or after `from`, skipping occurrences whose
 * label runs into a line break or a dash, as RFC 7468 labels cannot hold either.
 */
function findBoundary(text: string, keyword: string, from: number): Boundary | undefined {
  for (let start = text.indexOf(keyword, from); start >= 0; start = text.indexOf(keyword, from)) {
    const labelStart = start + keyword.length;
    let i = labelStart;
    while (i < text.length && !"\r\n-".includes(text[i]!)) i++;
    if (text.startsWith(DASHES, i)) {
      return { start, label: text.slice(labelStart, i), next: i + DASHES.length };
    }
    // The label scan stopped at a break or at the next line's dashes: resume there, not after
    // the keyword, so the characters scanned are never scanned again.
    from = Math.max(i, start + 1);
  }
  return undefined;
}

/** The index after an optional CR and a required LF at `at`, or undefined. */
function lineBreakEnd(text: string, at: number): number | undefined {
  const i = text[at] === "\r" ? at + 1 : at;
  return text[i] === "\n" ? i + 1 : undefined;
}

/** `line N` of `offset`, for errors that must point at a place without quoting it. */
function lineOf(text: string, offset: number): string {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return `line ${line}`;
}

/** A label as error messages show it: only the characters real labels use, so no content leaks. */
function shown(label: string): string {
  return /^[A-Z0-9 ]{0,40}$/.test(label) ? label : "(unreadable label)";
}

/**
 * Encodes DER bytes as one PEM block with 64-character lines and a final newline, the form every
 * TLS stack and `openssl` reads.
 *
 * @param label the block label, e.g. `CERTIFICATE`
 * @param der the bytes to wrap
 * @returns the PEM text, newline-terminated
 */
export function encodePem(label: string, der: Uint8Array): string {
  const base64 = der.toBase64();
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
