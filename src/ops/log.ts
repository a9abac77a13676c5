/**
 * Structured log lines on stderr: one object per event in `json` mode, `key=value` pairs in
 * `text` mode. Callers pass fields, never secrets; nothing here knows what a token is, so the
 * rule is kept where the fields are chosen (see `grpc/security_service.ts`).
 *
 * Field values often come from callers (names in a CSR), so both formats write every character
 * that does not print, or that reorders or hides text on a terminal (C0 and C1 controls, DEL,
 * bidi and zero-width format characters, line and paragraph separators, non-ASCII spaces), as a
 * `\uXXXX` escape, and a list is always written so that its elements cannot be confused.
 *
 * @module
 */

/** Field values a log line may carry. */
export type LogFields = Record<string, string | number | boolean | string[] | undefined>;

/** Severity of a line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const SEVERITY: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes log lines. */
export interface Logger {
  /** Logs one event. */
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/**
 * Creates a logger writing one line per event.
 *
 * @param format `json` or `text`
 * @param write where lines go; stderr by default
 * @param clock the time source for timestamps
 * @param minimum the least severe level written
 * @returns the logger
 */
export function createLogger(
  format: "json" | "text",
  write: (line: string) => void = writeStderr,
  clock: () => Date = () => new Date(),
  minimum: LogLevel = "info",
): Logger {
  return {
    log(level, message, fields = {}) {
      if (SEVERITY[level] < SEVERITY[minimum]) return;
      const time = clock().toISOString();
      if (format === "json") {
        write(escapeUnsafe(JSON.stringify({ time, level, msg: message, ...fields })));
        return;
      }
      const pairs = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${escapeUnsafe(k)}=${formatValue(v!)}`);
      const shownMessage = escapeUnsafe(message.replaceAll("\\", "\\\\"));
      write([time, level.toUpperCase(), shownMessage, ...pairs].join(" "));
    },
  };
}

/**
 * Characters a log line never carries raw: controls (C0, DEL, C1), format characters (bidi
 * overrides and isolates, zero-width joiners, BOM), surrogates, private-use and unassigned code
 * points, line/paragraph separators and every space but U+0020.
 */
const UNSAFE =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu;

/** Printable ASCII only: nothing to escape. Far cheaper to test than {@linkcode UNSAFE}. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Text with every unsafe character written as `\uXXXX` (a surrogate pair for astral ones). */
function escapeUnsafe(text: string): string {
  // Nearly every line is printable ASCII (JSON.stringify has already escaped C0 controls).
  if (PRINTABLE_ASCII.test(text)) return text;
  return text.replace(UNSAFE, (char) => {
    let escaped = "";
    for (let i = 0; i < char.length; i++) {
      escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
    }
    return escaped;
  });
}

/** A JSON string literal, ASCII controls escaped by JSON and every other unsafe character by us. */
function quote(text: string): string {
  return escapeUnsafe(JSON.stringify(text));
}

/**
 * A text-mode scalar: bare when it is printable ASCII with no space, `"`, `=`, `\\` or `,` and
 * does not start with `[` (so it cannot be read as a list or as two fields), else a quoted JSON
 * string.
 */
function formatScalar(text: string): string {
  return /^[\x21-\x7e]+$/.test(text) && !/["=\\,]/.test(text) && !text.startsWith("[")
    ? text
    : quote(text);
}

/**
 * A text-mode value. A list is a JSON array (`["a","b"]`), so `["evil.example,worker-1"]` (one
 * name) and `["evil.example","worker-1"]` (two) cannot be confused, and `[]` is an empty list.
 */
function formatValue(value: string | number | boolean | string[]): string {
  return Array.isArray(value) ? `[${value.map(quote).join(",")}]` : formatScalar(String(value));
}

const encoder = new TextEncoder();
const pending: string[] = [];
let flushTimer: ReturnType<typeof setTimeout> | undefined;

/** Lines are batched for this long, so a burst of requests costs few write calls. */
export const LOG_BATCH_MS = 5;

function writeStderr(line: string): void {
  pending.push(line);
  if (flushTimer === undefined) {
    const timer = setTimeout(flushLogs, LOG_BATCH_MS);
    Deno.unrefTimer(timer as unknown as number);
    flushTimer = timer;
  }
}

/**
 * Writes every batched log line now. Called before the process exits; between flushes at most
 * {@linkcode LOG_BATCH_MS} of lines wait in memory.
 */
export function flushLogs(): void {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  if (pending.length === 0) return;
  let bytes = encoder.encode(pending.join("\n") + "\n");
  pending.length = 0;
  while (bytes.length > 0) bytes = bytes.subarray(Deno.stderr.writeSync(bytes));
}
