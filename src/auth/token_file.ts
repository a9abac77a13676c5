/**
 * The token file: one token per line, so a new token can be added beside the old one while workers
 * are rolled over, then the old one removed. Blank lines and `#` comments are ignored.
 *
 * @module
 */

/**
 * Parses a token file's text.
 *
 * @param text the file's content
 * @returns the tokens, in file order (their slot numbers follow this order)
 */
export function parseTokenFile(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) =>
    line !== "" && !line.startsWith("#")
  );
}
