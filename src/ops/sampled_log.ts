/**
 * Log lines for events an attacker can cause at will (refused connections, closed floods): the
 * first event of each kind is logged at once, later ones within the interval are only counted and
 * reported in one summary line, so a flood never becomes a log flood.
 *
 * @module
 */

/** One line to write: the first event of a burst (`count` 1) or a summary of the rest. */
export interface SampledLine {
  /** The kind of event. */
  key: string;
  /** Events this line stands for. */
  count: number;
  /** Fields of the first (or, for a summary, the latest) event. */
  fields: Record<string, unknown>;
}

interface Burst {
  timer: ReturnType<typeof setTimeout>;
  count: number;
  fields: Record<string, unknown>;
}

/** Samples events per key; see the module doc. */
export class SampledLog {
  readonly #intervalMs: number;
  readonly #write: (line: SampledLine) => void;
  readonly #bursts = new Map<string, Burst>();

  /**
   * @param intervalMs how long after a logged event the same kind is only counted
   * @param write writes one line
   * @throws {RangeError} when the interval is not positive
   */
  constructor(intervalMs: number, write: (line: SampledLine) => void) {
    if (!(intervalMs > 0)) {
      throw new RangeError(`Cannot sample log lines: interval must be positive, got ${intervalMs}`);
    }
    this.#intervalMs = intervalMs;
    this.#write = write;
  }

  /**
   * Logs the event now, or counts it into the summary of the current burst.
   *
   * @param key the kind of event (a fixed name, never caller text: keys are kept until the burst ends)
   * @param fields what to log about it
   */
  record(key: string, fields: Record<string, unknown>): void {
    const burst = this.#bursts.get(key);
    if (burst) {
      burst.count++;
      burst.fields = fields;
      return;
    }
    this.#write({ key, count: 1, fields });
    this.#open(key);
  }

  #open(key: string): void {
    const timer = setTimeout(() => {
      const burst = this.#bursts.get(key)!;
      this.#bursts.delete(key);
      if (burst.count > 0) {
        this.#write({ key, count: burst.count, fields: burst.fields });
        this.#open(key);
      }
    }, this.#intervalMs);
    // Never keep the process alive for a summary line.
    Deno.unrefTimer(timer);
    this.#bursts.set(key, { timer, count: 0, fields: {} });
  }

  /** Writes pending summaries and stops the timers (on shutdown). */
  flush(): void {
    for (const [key, burst] of this.#bursts) {
      clearTimeout(burst.timer);
      if (burst.count > 0) this.#write({ key, count: burst.count, fields: burst.fields });
    }
    this.#bursts.clear();
  }
}
