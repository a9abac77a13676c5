/**
 * A Prometheus counter: a value per label set that only goes up.
 *
 * @module
 */
import type { Labels } from "./_series.ts";
import { renderScalar, type ScalarSeries, scalarSeries } from "./_scalar.ts";
import type { MetricFamily, Registry } from "./registry.ts";

/** How to define a {@linkcode Counter}. */
export interface CounterOptions<L extends string> {
  /** The metric name; by convention it ends in `_total`. */
  name: string;
  /** One line saying what it counts. */
  help: string;
  /** Label names, in output order. @default [] */
  labelNames?: readonly L[];
  /** The registry that shows it. */
  registry: Registry;
  /**
   * Reads the total at each scrape, for a counter without labels whose total lives elsewhere (the
   * CPU time the kernel counts); `inc` is then not used.
   */
  read?: () => number;
}

/**
 * A counter. Without labels its one series is shown at 0 from the start; with labels, a series
 * appears on its first `inc` (use `inc(labels, 0)` to show it at 0, so `rate()` sees the first
 * event).
 */
export class Counter<L extends string = never> implements MetricFamily {
  /** The metric name. */
  readonly name: string;
  readonly #help: string;
  readonly #series: ScalarSeries<L>;
  readonly #read: (() => number) | undefined;

  /**
   * @param options name, help, label names, registry, and how to read it at scrape time
   * @throws {RangeError} for a name Prometheus cannot parse, one already registered, or `read`
   *   given with labels
   */
  constructor(options: CounterOptions<L>) {
    this.#series = scalarSeries("counter", options);
    this.name = options.name;
    this.#help = options.help;
    this.#read = options.read;
    options.registry.register(this);
  }

  /**
   * Adds to a series.
   *
   * @param labels a value for each label name (omit for a counter without labels)
   * @param by how much; 0 makes the series appear
   * @throws {RangeError} for a negative or non-finite amount, or labels that do not match
   */
  inc(labels?: Labels<L>, by = 1): void {
    if (!(by >= 0 && Number.isFinite(by))) {
      throw new RangeError(
        `Cannot increase counter ${this.name}: ${by} is not a finite amount >= 0`,
      );
    }
    this.#series.get(labels, () => ({ value: 0 })).value += by;
  }

  /** @returns the family's text, after reading the total when the counter reads it */
  render(): string {
    if (this.#read) this.#series.get(undefined, () => ({ value: 0 })).value = this.#read();
    return renderScalar("counter", this.name, this.#help, this.#series);
  }
}
