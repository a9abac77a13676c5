/**
 * Typed reads of raw setting text, collecting one {@linkcode ConfigError} per bad value instead of
 * stopping at the first, so an operator sees every problem at once.
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";
import { parseDuration } from "./duration.ts";
import { type RawSettings, type SettingKey, SETTINGS } from "./settings.ts";

/** Reads settings by type; problems accumulate in {@linkcode SettingReader.errors}. */
export class SettingReader {
  /** Problems found so far. */
  readonly errors: ConfigError[] = [];
  readonly #values: RawSettings;
  readonly #explicit: ReadonlySet<SettingKey>;

  /**
   * @param values the raw values
   * @param explicit the settings given by flag or environment
   */
  constructor(values: RawSettings, explicit: ReadonlySet<SettingKey>) {
    this.#values = values;
    this.#explicit = explicit;
  }

  /**
   * Whether the setting was given explicitly.
   *
   * @param key the setting
   * @returns true when set by flag or environment
   */
  has(key: SettingKey): boolean {
    return this.#explicit.has(key);
  }

  /**
   * The raw text.
   *
   * @param key the setting
   * @returns its value (the default when not given)
   */
  text(key: SettingKey): string {
    return this.#values[key];
  }

  /**
   * A comma-separated list, trimmed, empty items dropped.
   *
   * @param key the setting
   * @returns the items
   */
  list(key: SettingKey): string[] {
    return this.text(key).split(",").map((s) => s.trim()).filter(Boolean);
  }

  /**
   * `true` or `false`.
   *
   * @param key the setting
   * @returns the boolean (false after reporting a bad value)
   */
  boolean(key: SettingKey): boolean {
    const value = this.text(key).toLowerCase();
    if (value !== "true" && value !== "false") {
      this.fail(key, `"${this.text(key)}" is not true or false`);
    }
    return value === "true";
  }

  /**
   * A whole number within bounds.
   *
   * @param key the setting
   * @param min smallest allowed
   * @param max largest allowed
   * @returns the number (`min` after reporting a bad value)
   */
  integer(key: SettingKey, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const value = Number(this.text(key));
    if (!/^\d+$/.test(this.text(key)) || value < min || value > max) {
      this.fail(key, `"${this.text(key)}" is not a whole number from ${min} to ${max}`);
      return min;
    }
    return value;
  }

  /**
   * A duration such as `10s` or `24h`.
   *
   * @param key the setting
   * @returns milliseconds (0 after reporting a bad value)
   */
  duration(key: SettingKey): number {
    const value = parseDuration(this.text(key));
    if (value === undefined) {
      this.fail(key, `"${this.text(key)}" is not a duration like 10s, 5m or 24h`);
      return 0;
    }
    return value;
  }

  /**
   * One of a fixed set of words.
   *
   * @param key the setting
   * @param choices the allowed words
   * @returns the value (the first choice after reporting a bad value)
   */
  oneOf<T extends string>(key: SettingKey, choices: readonly T[]): T {
    const value = this.text(key) as T;
    if (choices.includes(value)) return value;
    this.fail(
      key,
      `"${this.text(key)}" is not ${choices.join(", ").replace(/, ([^,]*)$/, " or $1")}`,
    );
    return choices[0]!;
  }

  /**
   * Records a problem with a setting.
   *
   * @param key the setting
   * @param message what is wrong
   */
  fail(key: SettingKey, message: string): void {
    this.errors.push(new ConfigError(envOf(key), message));
  }
}

/**
 * The environment variable name of a setting, the name used in every message.
 *
 * @param key the setting
 * @returns its environment variable
 */
export function envOf(key: SettingKey): string {
  return SETTINGS.find((s) => s.key === key)!.env;
}
