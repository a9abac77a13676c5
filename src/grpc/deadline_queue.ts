/**
 * Many deadlines of one fixed duration behind a single runtime timer.
 *
 * Every connection needs a few deadlines (its first call, each stream's `REQUEST_TIMEOUT`, its idle
 * time), and almost all are cancelled long before they expire. In Deno 2.9 a `setTimeout` goes
 * through the Node.js `Timeout` compatibility layer (async ids, closures, property definitions,
 * a core timer and its ops): the profile put 15–35 µs on each, several per fresh connection. Since
 * every deadline in a queue has the same duration, they expire in the order they were added: a
 * FIFO whose head alone needs a timer gives the same expiry times for the cost of an array push.
 *
 * @module
 */

/** A pending deadline. */
export interface Deadline {
  /** Stops it; its callback will not run. A second call, or a call after expiry, does nothing. */
  cancel(): void;
}

interface Entry extends Deadline {
  /** `performance.now()` value at which it expires (monotonic: a wall-clock step cannot delay it). */
  at: number;
  /** What runs at expiry; null once cancelled or run. */
  onExpired: (() => void) | null;
}

const NEVER: Deadline = { cancel() {} };

/**
 * The longest delay a runtime timer takes (2^31 - 1 ms, about 24.8 days): a longer one is set to
 * 1 ms, and the queue would wake every millisecond to find its deadline not yet due. Longer
 * durations wait in steps of at most this.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Deadlines that all last `durationMs`; each runs its callback unless cancelled first. */
export class DeadlineQueue {
  readonly #durationMs: number;
  /** Oldest first, from `#head` on; cancelled entries stay until passed or compacted. */
  #entries: Entry[] = [];
  #head = 0;
  #live = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param durationMs how long each deadline lasts; 0 turns them off (never expire)
   * @throws {RangeError} when the duration is negative or not a number
   */
  constructor(durationMs: number) {
    if (!(durationMs >= 0)) {
      throw new RangeError(`Cannot make deadlines: duration must be 0 or more, got ${durationMs}`);
    }
    this.#durationMs = durationMs;
  }

  /** Deadlines neither expired nor cancelled. */
  get pending(): number {
    return this.#live;
  }

  /** Entries held, cancelled ones included (bounded: see `#cancelled`). */
  get held(): number {
    return this.#entries.length - this.#head;
  }

  /**
   * Starts a deadline that runs `onExpired` after the queue's duration unless cancelled.
   *
   * @param onExpired what to do at expiry
   * @returns the deadline, to cancel
   */
  add(onExpired: () => void): Deadline {
    if (this.#durationMs <= 0) return NEVER;
    const entry: Entry = {
      at: performance.now() + this.#durationMs,
      onExpired,
      cancel: () => {
        if (entry.onExpired === null) return;
        entry.onExpired = null;
        this.#cancelled();
      },
    };
    this.#entries.push(entry);
    this.#live++;
    this.#timer ??= setTimeout(this.#expire, Math.min(this.#durationMs, MAX_TIMER_MS));
    return entry;
  }

  /**
   * One deadline fewer pending. With none left the timer goes and the array starts over; when
   * cancelled entries outnumber live ones, they are dropped, so the array stays within twice the
   * live deadlines (plus 1,024) however many are cancelled.
   */
  #cancelled(): void {
    if (--this.#live === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#entries = [];
      this.#head = 0;
    } else if (this.held > 1024 + 2 * this.#live) {
      this.#entries = this.#entries.slice(this.#head).filter((entry) => entry.onExpired !== null);
      this.#head = 0;
    }
  }

  /** Runs what is due, oldest first, then waits for the next live entry. */
  #expire = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head]!;
      if (entry.onExpired !== null && entry.at > now) {
        // A callback may have added an entry (and a timer for the full duration): this one is due first.
        clearTimeout(this.#timer);
        this.#timer = setTimeout(this.#expire, Math.min(entry.at - now, MAX_TIMER_MS));
        if (this.#head > 1024) {
          this.#entries = this.#entries.slice(this.#head);
          this.#head = 0;
        }
        return;
      }
      this.#head++;
      const run = entry.onExpired;
      if (run === null) continue;
      entry.onExpired = null;
      this.#live--;
      run();
    }
    this.#entries = [];
    this.#head = 0;
  };
}
