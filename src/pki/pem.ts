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

const BLOCK = /-----BEGIN ([^\r\n-]*)-----\r?\n([\s\S]*?)-----END ([^\r\n-]*)-----/g;

/**
 * Decodes every PEM block in `text`, in order. Text around the blocks is ignored, as OpenSSL and
 * Go's `pem.Decode` do, so bundles with comments load.
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
  for (const match of text.matchAll(BLOCK)) {
    const [, label = "", body = "", endLabel = ""] = match;
    if (label !== endLabel) {
      throw new SyntaxError(`Cannot decode PEM: BEGIN ${label} is closed by END ${endLabel}`);
    }
    const base64 = body.replace(/\s+/g, "");
    try {
      blocks.push({ label, der: Uint8Array.fromBase64(base64) });
    } catch {
      throw new SyntaxError(`Cannot decode PEM: the ${label} block is not valid base64`);
    }
  }
  return blocks;
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
