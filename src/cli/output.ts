/**
 * Plain text to the terminal, for CLI output that is not a log line.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Writes text to stdout.
 *
 * @param text what to print, including its newline
 */
export function printOut(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text));
}

/**
 * Writes text to stderr.
 *
 * @param text what to print, including its newline
 */
export function printErr(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text));
}
