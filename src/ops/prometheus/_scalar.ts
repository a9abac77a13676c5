/**
 * What counters and gauges share: one number per label set, checked and rendered the same way.
 *
 * @module
 */
import { SeriesMap } from "./_series.ts";
import { checkNames, familyHeader, formatValue, labelSet } from "./_text.ts";

/** The series of a counter or gauge: one number per label set. */
export type ScalarSeries<L extends string> = SeriesMap<L, { value: number }>;

/**
 * Makes a counter's or gauge's series after checking its definition, so both refuse the same
 * mistakes with the same words. A family without labels has its one series from the start: it is
 * shown at 0 before the first event, which is what `rate()` and alerts need.
 *
 * @param kind `counter` or `gauge`, for the error message
 * @param options the name, the label names and whether the value is read at scrape time
 * @returns the empty (or single, at 0) series
 * @throws {RangeError} for a name Prometheus cannot parse, or `read` given with labels
 */
export function scalarSeries<L extends string>(
  kind: "counter" | "gauge",
  options: { name: string; labelNames?: readonly L[]; read?: unknown },
): ScalarSeries<L> {
  const labelNames = options.labelNames ?? [];
  checkNames(options.name, labelNames);
  if (options.read && labelNames.length) {
    throw new RangeError(
      `Cannot define ${kind} ${options.name}: read() is for a ${kind} without labels`,
    );
  }
  const series = new SeriesMap<L, { value: number }>(options.name, labelNames);
  if (!labelNames.length) series.get(undefined, () => ({ value: 0 }));
  return series;
}

/**
 * The exposition text of a counter or gauge.
 *
 * @param kind the TYPE line's word
 * @param name the metric name
 * @param help the HELP line's text
 * @param series its series
 * @returns HELP, TYPE and one line per series
 */
export function renderScalar<L extends string>(
  kind: "counter" | "gauge",
  name: string,
  help: string,
  series: ScalarSeries<L>,
): string {
  let text = familyHeader(name, help, kind);
  for (const { pairs, value } of series.entries()) {
    text += `${name}${labelSet(pairs)} ${formatValue(value.value)}\n`;
  }
  return text;
}
