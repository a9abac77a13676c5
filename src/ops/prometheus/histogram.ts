/**
 * A Prometheus histogram: per label set, cumulative bucket counts, a sum and a count.
 *
 * @module
 */
import { type Labels, SeriesMap } from "./_series.ts";
import { checkNames, familyHeader, formatValue, labelSet } from "./_text.ts";
import type { MetricFamily, Registry } from "./registry.ts";

/** How to define a {@linkcode Histogram}. */
export interface HistogramOptions<L extends string> {
  /** The metric name (the page shows `_bucket`, `_sum` and `_count` series). */
  name: string;
  /** One line saying what it measures. */
  help: string;
  /** Label names, in output order; `le` is reserved. @default [] */
  labelNames?: readonly L[];
  /** Upper bounds of the buckets, increasing and finite; `+Inf` is added. */
  buckets: readonly number[];
  /** The registry that shows it. */
  registry: Registry;
}

interface Observations {
  counts: Float64Array;
  sum: number;
  count: number;
}

/** A histogram with fixed buckets. A series appears on its first `observe` or `zero`. */
export class Histogram<L extends string = never> implements MetricFamily {
  /** The metric name. */
  readonly name: string;
  readonly #help: string;
  readonly #bounds: readonly number[];
  readonly #series: SeriesMap<L, Observations>;

  /**
   * @param options name, help, label names, bucket bounds and registry
   * @throws {RangeError} for a bad name, an `le` label, or bounds that are not increasing and finite
   */
  constructor(options: HistogramOptions<L>) {
    const labelNames = options.labelNames ?? [];
    checkNames(options.name, labelNames);
    const { buckets } = options;
    const increasing = buckets.every((b, i) =>
      Number.isFinite(b) && (i === 0 || b > buckets[i - 1]!)
    );
    if ((labelNames as readonly string[]).includes("le") || !buckets.length || !increasing) {
      throw new RangeError(
        `Cannot define histogram ${options.name}: no "le" label, and finite increasing buckets`,
      );
    }
    this.name = options.name;
    this.#help = options.help;
    this.#bounds = [...buckets];
    this.#series = new SeriesMap(options.name, labelNames);
    options.registry.register(this);
  }

  /**
   * Records one observation.
   *
   * @param labels a value for each label name (omit for a histogram without labels)
   * @param value the observed value
   */
  observe(labels: Labels<L> | undefined, value: number): void {
    const series = this.#get(labels);
    const index = this.#bounds.findIndex((bound) => value <= bound);
    if (index >= 0) series.counts[index]!++;
    series.sum += value;
    series.count++;
  }

  /**
   * Makes a series appear with every bucket at 0, so `rate()` sees its first observation.
   *
   * @param labels a value for each label name
   */
  zero(labels?: Labels<L>): void {
    this.#get(labels);
  }

  #get(labels: Labels<L> | undefined): Observations {
    const empty = () => ({ counts: new Float64Array(this.#bounds.length), sum: 0, count: 0 });
    return this.#series.get(labels, empty);
  }

  /** @returns the family's text: cumulative buckets, then `+Inf`, sum and count per series */
  render(): string {
    let text = familyHeader(this.name, this.#help, "histogram");
    for (const { pairs, value } of this.#series.entries()) {
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += value.counts[i]!;
        const le = labelSet([...pairs, ["le", formatValue(bound)]]);
        text += `${this.name}_bucket${le} ${cumulative}\n`;
      });
      text += `${this.name}_bucket${labelSet([...pairs, ["le", "+Inf"]])} ${value.count}\n`;
      text += `${this.name}_sum${labelSet(pairs)} ${formatValue(value.sum)}\n`;
      text += `${this.name}_count${labelSet(pairs)} ${value.count}\n`;
    }
    return text;
  }
}
