/**
 * The set of metric families one `/metrics` page shows, in the order they were registered.
 *
 * @module
 */

/** A metric family that can render itself. */
export interface MetricFamily {
  /** The metric name (unique in a registry). */
  readonly name: string;
  /**
   * Renders `# HELP`, `# TYPE` and the samples, each line ending in a line feed. May read values
   * first (a gauge read at scrape time), hence the promise.
   */
  render(): string | Promise<string>;
}

/** The families of one exposition page. */
export class Registry {
  /** The content type of the text format this registry renders (version 0.0.4). */
  readonly contentType = "text/plain; version=0.0.4; charset=utf-8";
  readonly #families = new Map<string, MetricFamily>();

  /**
   * Adds a family.
   *
   * @param family the family
   * @throws {RangeError} when a family of the same name is already registered: Prometheus refuses
   *   a page that repeats one
   */
  register(family: MetricFamily): void {
    if (this.#families.has(family.name)) {
      throw new RangeError(`Cannot register metric ${family.name}: already registered`);
    }
    this.#families.set(family.name, family);
  }

  /**
   * Renders the page.
   *
   * @returns the text exposition format, every family in registration order
   */
  async render(): Promise<string> {
    const parts = await Promise.all([...this.#families.values()].map((f) => f.render()));
    return parts.join("");
  }
}
