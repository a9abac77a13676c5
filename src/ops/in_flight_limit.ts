/**
 * A global cap on concurrent signing work. Excess calls wait briefly in order, then get
 * `RESOURCE_EXHAUSTED`, so a flood cannot queue unbounded work or memory.
 *
 * @module
 */
import { RateLimitedError } from "../policy/abuse_limits.ts";

/** A counting semaphore with a bounded wait. */
export class InFlightLimit {
  readonly #max: number;
  readonly #waitMs: number;
  #active = 0;
  readonly #waiting: { resolve: () => void; timer: ReturnType<typeof setTimeout> }[] = [];

  /**
   * @param max most calls signing at once; 0 means no limit
   * @param waitMs longest time a call waits for a slot
   */
  constructor(max: number, waitMs: number) {
    if (!Number.isInteger(max) || max < 0) {
      throw new RangeError(`max in flight must be 0 or more, got ${max}`);
    }
    this.#max = max;
    this.#waitMs = waitMs;
  }

  /**
   * Runs `work` in a slot, waiting up to the configured time for one.
   *
   * @param work the signing work
   * @returns its result
   * @throws {RateLimitedError} `in-flight` when no slot frees in time
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#max === 0) return await work();
    if (this.#active >= this.#max) await this.#wait();
    else this.#active++;
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  /** Calls signing now. */
  get active(): number {
    return this.#active;
  }

  #wait(): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(entry), 1);
          reject(
            new RateLimitedError(
              "in-flight",
              this.#waitMs,
              `server busy: ${this.#max} calls in flight`,
            ),
          );
        }, this.#waitMs),
      };
      this.#waiting.push(entry);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) {
      // Hand the slot straight to the next waiter; the active count stays the same.
      clearTimeout(next.timer);
      next.resolve();
    } else {
      this.#active--;
    }
  }
}
