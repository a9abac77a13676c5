/**
 * YAML errors told without quoting the file. The `yaml` parser's messages (and its pretty-printed
 * excerpts) repeat the lines around an error, which in a secrets bundle or machine configuration
 * are tokens and keys; only an error's code and position are safe to pass on.
 *
 * @module
 */
import type { LineCounter, YAMLError } from "yaml";

/** What a YAML error code means, in words that quote nothing from the file. */
const YAML_PROBLEMS: Partial<Record<YAMLError["code"], string>> = {
  TAB_AS_INDENT: "a tab is used for indentation",
  BAD_INDENT: "wrong indentation",
  BAD_DQ_ESCAPE: "a bad escape in a double-quoted value",
  BAD_SCALAR_START: "a value starts with a reserved character",
  BAD_ALIAS: "a bad alias",
  ALIAS_PROPS: "an alias with a tag or anchor",
  BLOCK_AS_IMPLICIT_KEY: "a block used as a key",
  BLOCK_IN_FLOW: "a block inside a flow collection",
  DUPLICATE_KEY: "a key that appears twice",
  MISSING_CHAR: "a missing closing quote, bracket or colon",
  MULTILINE_IMPLICIT_KEY: "a key that runs over more than one line",
  MULTIPLE_ANCHORS: "several anchors on one node",
  MULTIPLE_DOCS: "more than one YAML document",
  MULTIPLE_TAGS: "several tags on one node",
  TAG_RESOLVE_FAILED: "an unknown tag",
  UNEXPECTED_TOKEN: "an unexpected character",
  KEY_OVER_1024_CHARS: "a key longer than 1024 characters",
};

/**
 * Options for parsing untrusted-to-print YAML: errors keep no excerpt, warnings are never written
 * to stderr (the parser's default), and keys must be unique.
 *
 * @param lineCounter records line starts, for {@linkcode describeYamlProblem}
 * @returns options for `parseDocument` / `parseAllDocuments`
 */
export function quietYamlOptions(lineCounter: LineCounter) {
  return { lineCounter, prettyErrors: false, logLevel: "error", uniqueKeys: true } as const;
}

/**
 * `line L, column C` of an offset.
 *
 * @param lines the parse's line counter
 * @param offset a character offset in the text
 * @returns the position in words
 */
export function describePosition(lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset);
  return `line ${line}, column ${col}`;
}

/**
 * Describes a YAML error or warning by position and kind only.
 *
 * @param problem the parser's error or warning
 * @param lines the parse's line counter
 * @param near the field nearest the error, when known (e.g. `trustdinfo.token`)
 * @returns e.g. `line 8, column 1 (near trustdinfo.token): a tab is used for indentation (YAML TAB_AS_INDENT)`
 */
export function describeYamlProblem(
  problem: YAMLError,
  lines: LineCounter,
  near?: string,
): string {
  return `${describePosition(lines, problem.pos[0])}${near ? ` (near ${near})` : ""}: ` +
    `${YAML_PROBLEMS[problem.code] ?? "invalid YAML"} (YAML ${problem.code})`;
}
