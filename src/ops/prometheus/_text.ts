/**
 * The Prometheus text exposition format (version 0.0.4): names, escaping and numbers, shared by
 * the metric types of this folder.
 *
 * @module
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Refuses a metric or label name Prometheus cannot parse, at construction rather than at scrape.
 *
 * @param name the metric name
 * @param labelNames its label names
 * @throws {RangeError} naming the bad name
 */
export function checkNames(name: string, labelNames: readonly string[]): void {
  if (!METRIC_NAME.test(name)) throw new RangeError(`Cannot define metric: bad name "${name}"`);
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label) || label.startsWith("__")) {
      throw new RangeError(`Cannot define metric ${name}: bad label name "${label}"`);
    }
  }
  if (new Set(labelNames).size !== labelNames.length) {
    throw new RangeError(`Cannot define metric ${name}: a label name is repeated`);
  }
}

/**
 * The `# HELP` and `# TYPE` lines of a family.
 *
 * @param name the metric name
 * @param help its description (backslashes and line breaks are escaped)
 * @param type `counter`, `gauge` or `histogram`
 * @returns two lines, each ending in a line feed
 */
export function familyHeader(name: string, help: string, type: string): string {
  const escaped = help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
  return `# HELP ${name} ${escaped}\n# TYPE ${name} ${type}\n`;
}

/**
 * A sample value as Prometheus parses it (`+Inf`, `-Inf`, `NaN` spelled its way).
 *
 * @param value the number
 * @returns its text
 */
export function formatValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/**
 * The `{name="value",...}` part of a sample line, empty when there are no labels.
 *
 * @param pairs label names and values, in output order
 * @returns the label set, values escaped
 */
export function labelSet(pairs: readonly (readonly [string, string])[]): string {
  if (!pairs.length) return "";
  const escape = (value: string) =>
    value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
  return `{${pairs.map(([name, value]) => `${name}="${escape(value)}"`).join(",")}}`;
}
