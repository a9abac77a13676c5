/**
 * Planted bugs ("mutants") and what the suite made of them: the pure half of `deno task mutants`.
 *
 * A mutant names a file, an exact snippet of it and the snippet's replacement, so the catalogue
 * reads like a list of bugs and goes stale loudly (instead of silently testing nothing) when the
 * code it targets changes.
 *
 * @module
 */

/** One planted bug. */
export interface Mutant {
  /** Short unique name, e.g. `keep-organization`. */
  id: string;
  /** The rule it breaks: a contract section (`§3.3`) or a feature (`limit`, `reload`, ...). */
  rule: string;
  /** Path relative to the repository root. */
  file: string;
  /** Exact text that must occur exactly once in `file`. */
  find: string;
  /** What `find` is replaced by. */
  replace: string;
  /** Test files (relative to the root) that should catch it; keep it short, runs are slow. */
  tests: string[];
  /** Only tests whose name contains this run (`deno test --filter`), to keep slow files fast. */
  filter?: string;
  /** Why this mutant cannot change observable behaviour, when it cannot; excluded from the rate. */
  equivalent?: string;
}

/** What happened to one mutant. */
export type Outcome =
  | { kind: "killed"; by: string[]; seconds: number }
  | { kind: "survived"; seconds: number }
  | { kind: "stale"; reason: string }
  | { kind: "invalid"; reason: string }
  | { kind: "equivalent"; reason: string };

/**
 * Applies a mutant to a file's text.
 *
 * @param text the original file content
 * @param mutant the planted bug
 * @returns the mutated text, or why the mutant is stale (snippet missing or ambiguous)
 */
export function applyMutant(text: string, mutant: Mutant): { text: string } | { stale: string } {
  const first = text.indexOf(mutant.find);
  if (first < 0) return { stale: `snippet not found in ${mutant.file}` };
  if (text.indexOf(mutant.find, first + 1) >= 0) {
    return { stale: `snippet occurs more than once in ${mutant.file}` };
  }
  if (mutant.find === mutant.replace) return { stale: "replacement equals the snippet" };
  return { text: text.slice(0, first) + mutant.replace + text.slice(first + mutant.find.length) };
}

/**
 * Checks a catalogue for mistakes that would make a run meaningless.
 *
 * @param catalogue the mutants
 * @returns one message per problem (duplicate ids, no tests listed)
 */
export function checkCatalogue(catalogue: readonly Mutant[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const mutant of catalogue) {
    if (ids.has(mutant.id)) problems.push(`${mutant.id}: duplicate id`);
    ids.add(mutant.id);
    if (mutant.tests.length === 0 && !mutant.equivalent) problems.push(`${mutant.id}: no tests`);
  }
  return problems;
}

/**
 * Names the tests a `deno test` run reported as failed.
 *
 * @param output the run's combined output, colours removed
 * @returns the names of failed tests (or of failed modules), without duplicates
 */
export function failedTests(output: string): string[] {
  const names = [
    ...[...output.matchAll(/^(.+?) \.\.\. FAILED/gm)].map((m) => m[1]!.trim()),
    // A slow test's "... FAILED" lands on another line; the error report names it too.
    ...[...output.matchAll(/^(.+?) => \.\/tests\/\S+:\d+:\d+$/gm)].map((m) => m[1]!.trim()),
    ...[...output.matchAll(/^(\S+) \(uncaught error\)$/gm)].map((m) => `${m[1]} (uncaught error)`),
  ];
  return [...new Set(names)];
}

/**
 * Names the test files of a `deno test` run that had a failure.
 *
 * @param output the run's combined output, colours removed
 * @returns paths relative to the root, without duplicates
 */
export function failedFiles(output: string): string[] {
  const files = [
    ...[...output.matchAll(/ => \.\/(tests\/[^:\s]+):\d+:\d+$/gm)].map((m) => m[1]!),
    ...[...output.matchAll(/^\.\/(tests\/\S+) \(uncaught error\)$/gm)].map((m) => m[1]!),
  ];
  return [...new Set(files)];
}

/** Totals of a run. */
export interface Summary {
  /** Mutants in the catalogue that were run or judged. */
  total: number;
  /** Caught by at least one failing test. */
  killed: number;
  /** Passed every listed test: a gap in the suite. */
  survived: number;
  /** Snippet missing or ambiguous: the catalogue needs updating. */
  stale: number;
  /** The mutated tree does not type-check: the mutant itself is wrong. */
  invalid: number;
  /** Marked equivalent, excluded from the rate. */
  equivalent: number;
  /** killed / (killed + survived), in percent; 100 when nothing counted. */
  killRate: number;
}

/**
 * Adds up outcomes.
 *
 * @param outcomes one per mutant
 * @returns the totals and the kill rate over non-equivalent mutants that ran
 */
export function summarize(outcomes: readonly Outcome[]): Summary {
  const count = (kind: Outcome["kind"]) => outcomes.filter((o) => o.kind === kind).length;
  const killed = count("killed");
  const survived = count("survived");
  const counted = killed + survived;
  return {
    total: outcomes.length,
    killed,
    survived,
    stale: count("stale"),
    invalid: count("invalid"),
    equivalent: count("equivalent"),
    killRate: counted === 0 ? 100 : Math.floor((killed / counted) * 1000) / 10,
  };
}
