/**
 * `deno task mutants`: plants each bug of the catalogue (scripts/mutant_catalogue.ts), one at a
 * time, in a temporary copy of the tree, runs the tests that should catch it, and prints which
 * ones the suite caught and the kill rate over non-equivalent mutants.
 *
 * The working tree is never changed. Exit status 1 when a mutant survives, is stale (its snippet
 * is no longer in the code: update the catalogue) or does not type-check; 0 otherwise.
 *
 * Usage: `deno task mutants [--only=id,id] [--jobs=1] [--no-baseline] [--dry-run]`. Slow (see README); not
 * part of `deno task check`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { CATALOGUE } from "./mutant_catalogue.ts";
import {
  applyMutant,
  checkCatalogue,
  failedFiles,
  failedTests,
  type Mutant,
  type Outcome,
  summarize,
} from "./mutation.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** A hung mutated suite counts as caught after this long. */
const MUTANT_TIMEOUT_MS = 10 * 60_000;
/** The baseline runs every listed file at once, unfiltered: most of the suite. */
const BASELINE_TIMEOUT_MS = 45 * 60_000;

function print(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
}

/** Copies the tracked (and new, unignored) files into a temporary folder that shares node_modules. */
async function copyTree(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "talos-mutants-" });
  const listed = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  if (!listed.success) throw new Error("Cannot list the tree: git ls-files failed");
  for (const path of new TextDecoder().decode(listed.stdout).split("\0").filter(Boolean)) {
    const target = `${dir}/${path}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    try {
      await Deno.copyFile(`${ROOT}${path}`, target);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error; // deleted, not yet committed
    }
  }
  await Deno.symlink(`${ROOT}node_modules`, `${dir}/node_modules`);
  return dir;
}

/** Runs `deno test` on `files` in the copy; resolves to its outcome, or "timeout". */
async function runTests(
  tree: string,
  files: string[],
  filter?: string,
  timeoutMs = MUTANT_TIMEOUT_MS,
): Promise<{ ok: boolean; output: string } | "timeout"> {
  const logDir = await Deno.makeTempDir({ prefix: "talos-mutant-logs-" });
  const env = {
    NO_COLOR: "1",
    // The fixtures live beside the real tree, not beside the copy.
    SHARED_DIR: sharedDir()!,
    SUITE_LOG_DIR: logDir,
    DIFF_PER_CA: "60",
  };
  // A mutant is caught by its first failure: stop there (the baseline runs everything).
  const failFast = timeoutMs === MUTANT_TIMEOUT_MS ? ["--fail-fast"] : [];
  const run = async (args: string[]) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["test", "--allow-all", ...failFast, ...args],
      cwd: tree,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const output = await child.output();
    clearTimeout(timer);
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    return output.signal === "SIGKILL" ? "timeout" as const : { ok: output.success, output: text };
  };
  try {
    const during = files.filter((f) => !f.startsWith("tests/after_suite/"));
    const after = files.filter((f) => f.startsWith("tests/after_suite/"));
    const filtered = filter === undefined ? during : [`--filter=${filter}`, ...during];
    const first = during.length > 0 ? await run(filtered) : { ok: true, output: "" };
    if (first === "timeout" || !first.ok || after.length === 0) return first;
    const second = await run(after);
    return second === "timeout" ? second : { ok: second.ok, output: first.output + second.output };
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
}

async function judge(tree: string, mutant: Mutant): Promise<Outcome> {
  const path = `${tree}/${mutant.file}`;
  let original: string;
  try {
    original = await Deno.readTextFile(path);
  } catch {
    return { kind: "stale", reason: `${mutant.file} does not exist` };
  }
  const applied = applyMutant(original, mutant);
  if ("stale" in applied) return { kind: "stale", reason: applied.stale };
  if (mutant.equivalent) return { kind: "equivalent", reason: mutant.equivalent };
  const started = performance.now();
  await Deno.writeTextFile(path, applied.text);
  try {
    const result = await runTests(tree, mutant.tests, mutant.filter);
    const seconds = Math.round((performance.now() - started) / 1000);
    if (result === "timeout") return { kind: "killed", by: ["(timed out)"], seconds };
    if (result.ok && /^ok \| 0 passed \| 0 failed/m.test(result.output)) {
      return { kind: "invalid", reason: `no test matches --filter=${mutant.filter}` };
    }
    if (result.ok) return { kind: "survived", seconds };
    if (/TS\d{4} \[ERROR\]/.test(result.output)) {
      return { kind: "invalid", reason: result.output.match(/TS\d{4} \[ERROR\].*/)![0] };
    }
    const by = failedTests(result.output);
    if (Deno.env.get("MUTANTS_VERBOSE")) print(result.output);
    return { kind: "killed", by: by.length > 0 ? by : ["(run failed)"], seconds };
  } finally {
    await Deno.writeTextFile(path, original);
  }
}

function describe(mutant: Mutant, outcome: Outcome): string {
  const head = `${mutant.id} (${mutant.rule}, ${mutant.file})`;
  switch (outcome.kind) {
    case "killed":
      return `KILLED     ${head} in ${outcome.seconds}s by: ${outcome.by[0]!.slice(0, 100)}`;
    case "survived":
      return `SURVIVED   ${head} after ${outcome.seconds}s: ${mutant.tests.join(", ")} all passed`;
    case "stale":
      return `STALE      ${head}: ${outcome.reason}`;
    case "invalid":
      return `INVALID    ${head}: ${outcome.reason}`;
    case "equivalent":
      return `EQUIVALENT ${head}: ${outcome.reason}`;
  }
}

/** Checks every snippet against the working tree without running anything. */
async function dryRun(selected: readonly Mutant[]): Promise<number> {
  let stale = 0;
  for (const mutant of selected) {
    const text = await Deno.readTextFile(`${ROOT}${mutant.file}`).catch(() => "");
    const applied = applyMutant(text, mutant);
    if ("stale" in applied) {
      stale++;
      print(describe(mutant, { kind: "stale", reason: applied.stale }));
    }
  }
  print(`${selected.length} mutants, ${stale} stale`);
  return stale === 0 ? 0 : 1;
}

/** The shared fixtures folder, as tests/support/fixtures.ts finds it from the real tree. */
function sharedDir(): string | undefined {
  const dir = Deno.env.get("SHARED_DIR") ?? `${ROOT}../shared/`;
  try {
    return Deno.statSync(`${dir}/fixtures/talos-secrets.yaml`).isFile ? dir : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      only: { type: "string" },
      jobs: { type: "string", default: "1" },
      "no-baseline": { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
    },
  });
  if (!sharedDir()) {
    print("Cannot run mutants: no fixtures/talos-secrets.yaml in SHARED_DIR (or ../shared)");
    return 1;
  }
  const problems = checkCatalogue(CATALOGUE);
  if (problems.length > 0) {
    for (const problem of problems) print(`catalogue: ${problem}`);
    return 1;
  }
  const only = values.only?.split(",");
  const selected = only ? CATALOGUE.filter((m) => only.includes(m.id)) : CATALOGUE;
  const jobs = Math.max(1, Number(values.jobs) || 1);
  const started = performance.now();
  if (values["dry-run"]) return dryRun(selected);
  const trees = await Promise.all(Array.from({ length: jobs }, copyTree));
  try {
    if (!values["no-baseline"]) {
      const files = [...new Set(selected.filter((m) => !m.equivalent).flatMap((m) => m.tests))];
      print(`baseline: running ${files.length} test files on the unmutated copy`);
      let baseline = await runTests(trees[0]!, files, undefined, BASELINE_TIMEOUT_MS);
      if (baseline !== "timeout" && !baseline.ok) {
        // A loaded machine makes the odd timing-sensitive test fail: retry the failed files once.
        const failed = failedFiles(baseline.output);
        print(`baseline: ${failed.join(", ") || "the run"} failed; retrying once`);
        const retry = failed.length > 0 ? failed : files;
        baseline = await runTests(trees[0]!, retry, undefined, BASELINE_TIMEOUT_MS);
      }
      if (baseline === "timeout" || !baseline.ok) {
        print(baseline === "timeout" ? "baseline timed out" : baseline.output);
        print("baseline failed: fix the suite before judging mutants");
        return 1;
      }
    }
    const outcomes: Outcome[] = new Array(selected.length);
    let next = 0;
    await Promise.all(trees.map(async (tree) => {
      while (next < selected.length) {
        const index = next++;
        const mutant = selected[index]!;
        outcomes[index] = await judge(tree, mutant);
        print(describe(mutant, outcomes[index]!));
      }
    }));
    const s = summarize(outcomes);
    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    print(
      `\n${s.total} mutants: ${s.killed} killed, ${s.survived} survived, ${s.equivalent} equivalent, ` +
        `${s.stale} stale, ${s.invalid} invalid; kill rate ${s.killRate} % of non-equivalent ` +
        `mutants, in ${minutes} min with --jobs=${jobs}`,
    );
    return s.survived + s.stale + s.invalid === 0 ? 0 : 1;
  } finally {
    for (const tree of trees) await Deno.remove(tree, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await main());
