/**
 * Event-loop lag, sampled by a timer, in memory that does not grow.
 *
 * Deno's `perf_hooks.monitorEventLoopDelay` keeps its samples in a native high-resolution histogram
 * that starts at 2 MB and grows with every larger delay it sees, up to about 10 MB after a
 * 64-connection burst, and never gives it back (its `reset()` only zeroes it). This sampler keeps
 * the last {@linkcode EventLoopLagOptions.capacity} delays in one fixed `Float64Array` (32 KB by
 * default) and the largest delay since the last read.
 *
 * @module
 */

/** Options for {@linkcode EventLoopLag}. */
export interface EventLoopLagOptions {
  /** Timer period, ms: the delay recorded is how late each tick fires. @default 20 */
  intervalMs?: number;
  /** How many of the latest delays are kept for the percentiles. @default 4096 */
  capacity?: number;
  /** The clock, ms. @default () => performance.now() */
  now?: () => number;
}

/** Delays since the last read, seconds. */
export interface LagSummary {
  /** Median delay of the kept samples. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** Largest delay since the last read (every sample, not only the kept ones). */
  max: number;
  /** Samples recorded since the last read. */
  count: number;
}

/**
 * Samples how late a periodic timer fires. The timer is unref'd, so it never keeps the process
 * alive; {@linkcode EventLoopLag.stop} ends it.
 *
 * @example
 * ```ts
 * const lag = new EventLoopLag();
 * lag.start();
 * const { p99 } = lag.read(); // since the previous read
 * lag.stop();
 * ```
 */
export class EventLoopLag {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #samples: Float64Array;
  #count = 0;
  #max = 0;
  #last = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param options timer period, how many samples are kept, and the clock
   * @throws {RangeError} when the period or the capacity is not a positive number
   */
  constructor(options: EventLoopLagOptions = {}) {
    const intervalMs = options.intervalMs ?? 20;
    const capacity = options.capacity ?? 4096;
    if (!(intervalMs > 0) || !(Number.isInteger(capacity) && capacity > 0)) {
      throw new RangeError("Cannot sample the event loop: interval and capacity must be positive");
    }
    this.#intervalMs = intervalMs;
    this.#now = options.now ?? (() => performance.now());
    this.#samples = new Float64Array(capacity);
  }

  /** Starts the timer (again after a stop). */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#last = this.#now();
    const timer = setInterval(() => this.tick(), this.#intervalMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Records one timer tick: its delay is the time since the previous tick minus the period.
   * The timer calls it; tests call it with a fake clock.
   */
  tick(): void {
    const now = this.#now();
    const delayMs = Math.max(0, now - this.#last - this.#intervalMs);
    this.#last = now;
    this.#samples[this.#count % this.#samples.length] = delayMs / 1000;
    this.#count++;
    if (delayMs / 1000 > this.#max) this.#max = delayMs / 1000;
  }

  /**
   * Summarises the delays recorded since the previous read, then starts afresh (as prom-client's
   * collector resets Node's histogram at each scrape).
   *
   * @returns percentiles of the kept samples, the maximum and the count; zeros when none
   */
  read(): LagSummary {
    const kept = this.#samples.slice(0, Math.min(this.#count, this.#samples.length)).sort();
    const at = (p: number) => kept.length ? kept[Math.ceil((p / 100) * kept.length) - 1]! : 0;
    const summary = { p50: at(50), p90: at(90), p99: at(99), max: this.#max, count: this.#count };
    this.#count = 0;
    this.#max = 0;
    return summary;
  }
}
