/**
 * A Prometheus gauge: a value per label set that is set, or read when the page is rendered.
 *
 * @module
 */
import type { Labels } from "./_series.ts";
import { renderScalar, type ScalarSeries, scalarSeries } from "./_scalar.ts";
import type { MetricFamily, Registry } from "./registry.ts";

/** How to define a {@linkcode Gauge}. */
export interface GaugeOptions<L extends string> {
  /** The metric name. */
  name: string;
  /** One line saying what it measures. */
  help: string;
  /** Label names, in output order. @default [] */
  labelNames?: readonly L[];
  /** The registry that shows it. */
  registry: Registry;
  /**
   * Reads the value at each scrape, for a gauge without labels whose value lives elsewhere
   * (readiness, certificate expiry, memory); `set` is then not used.
   */
  read?: () => number | Promise<number>;
}

/** A gauge. Without labels its one series is shown (at 0 until set, or as `read` returns). */
export class Gauge<L extends string = never> implements MetricFamily {
  /** The metric name. */
  readonly name: string;
  readonly #help: string;
  readonly #series: ScalarSeries<L>;
  readonly #read: (() => number | Promise<number>) | undefined;

  /**
   * @param options name, help, label names, registry, and how to read it at scrape time
   * @throws {RangeError} for a name Prometheus cannot parse, one already registered, or `read`
   *   given with labels
   */
  constructor(options: GaugeOptions<L>) {
    this.#series = scalarSeries("gauge", options);
    this.name = options.name;
    this.#help = options.help;
    this.#read = options.read;
    options.registry.register(this);
  }

  /**
   * Sets a series.
   *
   * @param labels a value for each label name (omit for a gauge without labels)
   * @param value the new value
   */
  set(labels: Labels<L> | undefined, value: number): void {
    this.#series.get(labels, () => ({ value: 0 })).value = value;
  }

  /** @returns the family's text, after reading the value when the gauge reads it */
  async render(): Promise<string> {
    if (this.#read) this.set(undefined, await this.#read());
    return renderScalar("gauge", this.name, this.#help, this.#series);
  }
}
