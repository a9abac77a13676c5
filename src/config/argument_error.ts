/**
 * Plain words for the command-line parser's errors. `node:util` `parseArgs` answers an unknown flag
 * with advice about positional arguments; an operator who typed `--secret` wants to hear that the
 * flag is `--secrets`.
 *
 * @module
 */
import { closestName } from "./closest_name.ts";

/**
 * Describes a `parseArgs` error in one line.
 *
 * @param error what `parseArgs` threw
 * @param flags the verb's flags, without the leading dashes
 * @returns e.g. `unknown option --secret (did you mean --secrets?)`, `option --ca needs a value`,
 *   or the error's own message for anything else
 * @example
 * ```ts
 * describeArgumentError(error, ["secrets", "endpoint"]);
 * // "unknown option --secret (did you mean --secrets?)"
 * ```
 */
export function describeArgumentError(error: unknown, flags: readonly string[]): string {
  const { code, message } = error as { code?: string; message?: string };
  const option = /'(-[^' ]+)/.exec(message ?? "")?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) {
    const nearest = closestName(option.replace(/^-+/, ""), flags);
    return `unknown option ${option} (${nearest ? `did you mean --${nearest}?` : "see --help"})`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    return /does not take an argument/.test(message!)
      ? `option ${option} takes no value`
      : `option ${option} needs a value`;
  }
  return String(message ?? error);
}
