/**
 * The series of one metric family, one per combination of label values.
 *
 * @module
 */

/** Label values by label name. */
export type Labels<L extends string> = Readonly<Record<L, string>>;

/**
 * Series keyed by their label values, in the order they were first seen (so the page is stable).
 */
export class SeriesMap<L extends string, V> {
  readonly #name: string;
  readonly #labelNames: readonly L[];
  readonly #series = new Map<string, { pairs: [L, string][]; value: V }>();

  /**
   * @param name the metric name, for error messages
   * @param labelNames the family's label names, in output order
   */
  constructor(name: string, labelNames: readonly L[]) {
    this.#name = name;
    this.#labelNames = labelNames;
  }

  /**
   * The series for `labels`, made with `create` the first time.
   *
   * @param labels a value for every label name of the family, and nothing else
   * @param create makes the series' initial value
   * @returns the stored value
   * @throws {RangeError} when a label is missing or unknown
   */
  get(labels: Labels<L> | undefined, create: () => V): V {
    const given = labels ?? ({} as Labels<L>);
    const keys = Object.keys(given);
    const known = keys.every((key) => this.#labelNames.includes(key as L));
    if (keys.length !== this.#labelNames.length || !known) {
      throw new RangeError(
        `Cannot update metric ${this.#name}: labels must be exactly [${
          this.#labelNames.join(", ")
        }]`,
      );
    }
    const pairs = this.#labelNames.map((name) => [name, String(given[name])] as [L, string]);
    const key = JSON.stringify(pairs.map(([, value]) => value));
    let entry = this.#series.get(key);
    if (!entry) this.#series.set(key, entry = { pairs, value: create() });
    return entry.value;
  }

  /** @returns each series' label pairs and value, in first-seen order */
  entries(): IterableIterator<{ pairs: [L, string][]; value: V }> {
    return this.#series.values();
  }
}
