/**
 * Caller text quoted for error messages: a message that names a bad value must not carry the
 * value's control, bidi or line-break characters to a terminal or a log reader.
 *
 * @module
 */

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}"\\]/gu;

/**
 * Quotes `text` with double quotes, escaping `"`, `\` and every control, format (bidi) and line
 * separator character as `\u{…}`, and shortening it to `max` characters.
 *
 * @param text the caller's text
 * @param max most characters shown before an ellipsis
 * @returns the quoted text
 * @example
 * ```ts
 * quoted("a\nb"); // "\"a\\u{a}b\""
 * ```
 */
export function quoted(text: string, max = 80): string {
  const shown = [...text].length > max ? [...text].slice(0, max).join("") + "…" : text;
  return `"${
    shown.replace(
      UNSAFE,
      (c) => (c === '"' || c === "\\" ? `\\${c}` : `\\u{${c.codePointAt(0)!.toString(16)}}`),
    )
  }"`;
}
