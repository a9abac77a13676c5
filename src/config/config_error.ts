/**
 * Configuration problems, each tied to the setting at fault so the message tells the operator
 * exactly what to change.
 *
 * @module
 */

/** One invalid setting or input file. Startup stops on it. */
export class ConfigError extends Error {
  /** The setting at fault, as its environment variable name (e.g. `CA_KEY_PATH`). */
  readonly setting: string;
  /**
   * @param setting the environment variable name of the setting at fault
   * @param message what is wrong, without the setting name
   * @param options the underlying error
   */
  constructor(setting: string, message: string, options?: ErrorOptions) {
    super(`${setting}: ${message}`, options);
    this.name = "ConfigError";
    this.setting = setting;
  }
}

/** Several configuration problems found at once, reported together, one line each. */
export class ConfigErrors extends AggregateError {
  /** @param errors the problems found */
  constructor(errors: ConfigError[]) {
    super(errors, errors.map((e) => e.message).join("\n"));
    this.name = "ConfigErrors";
  }
}
