/**
 * Structured log lines on stderr: one object per event in `json` mode, `key=value` pairs in
 * `text` mode. Callers pass fields, never secrets; nothing here knows what a token is, so the
 * rule is kept where the fields are chosen (see `grpc/security_service.ts`).
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
        write(JSON.stringify({ time, level, msg: message, ...fields }));
        return;
      }
      const pairs = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${formatValue(v!)}`);
      write([time, level.toUpperCase(), message, ...pairs].join(" "));
    },
  };
}

function formatValue(value: string | number | boolean | string[]): string {
  const text = Array.isArray(value) ? value.join(",") : String(value);
  return /[\s"=]/.test(text) || text === "" ? JSON.stringify(text) : text;
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
