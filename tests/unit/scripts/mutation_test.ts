import {
  applyMutant,
  checkCatalogue,
  failedFiles,
  failedTests,
  type Mutant,
  summarize,
} from "../../../scripts/mutation.ts";
import { CATALOGUE } from "../../../scripts/mutant_catalogue.ts";
import { REPO_ROOT } from "../../support/fixtures.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const mutant = (find: string, replace: string): Mutant => ({
  id: "m",
  rule: "§0",
  file: "f.ts",
  find,
  replace,
  tests: ["t.ts"],
});

Deno.test("applyMutant() replaces the one occurrence of its snippet", () => {
  assertEquals(applyMutant("a <= b;", mutant("<=", "<")), { text: "a < b;" });
});

Deno.test("applyMutant() reports a missing or ambiguous snippet as stale, never guesses", () => {
  assertEquals(applyMutant("a < b;", mutant("<=", "<")), { stale: "snippet not found in f.ts" });
  assertEquals(applyMutant("a <= b <= c", mutant("<=", "<")), {
    stale: "snippet occurs more than once in f.ts",
  });
});

Deno.test("failedTests() names failed tests and modules that failed to load", () => {
  const output = [
    "a test ... ok (3ms)",
    "issueCertificate() removes Organization ... FAILED (12ms)",
    "./tests/unit/x_test.ts (uncaught error)",
    "slow test ...'slow test' has been running for over (1m0s)",
    " FAILED (2m2s)",
    "slow test => ./tests/e2e/renewal_test.ts:40:6",
  ].join("\n");
  assertEquals(failedTests(output), [
    "issueCertificate() removes Organization",
    "slow test",
    "./tests/unit/x_test.ts (uncaught error)",
  ]);
});

Deno.test("failedFiles() names the files of failed tests, for a retry", () => {
  const output = [
    " ERRORS ",
    "rotating tokens => ./tests/e2e/operations_test.ts:54:6",
    "./tests/unit/x_test.ts (uncaught error)",
    " FAILURES ",
    "rotating tokens => ./tests/e2e/operations_test.ts:54:6",
  ].join("\n");
  assertEquals(failedFiles(output), ["tests/e2e/operations_test.ts", "tests/unit/x_test.ts"]);
});

Deno.test("summarize() leaves equivalent, stale and invalid mutants out of the kill rate", () => {
  const summary = summarize([
    { kind: "killed", by: ["t"], seconds: 1 },
    { kind: "killed", by: ["t"], seconds: 1 },
    { kind: "survived", seconds: 1 },
    { kind: "equivalent", reason: "timing" },
    { kind: "stale", reason: "gone" },
  ]);
  assertEquals(summary.killRate, 66.6);
  assertEquals([summary.total, summary.equivalent, summary.stale], [5, 1, 1]);
});

Deno.test("the mutant catalogue has unique ids, and every test file it names exists", async () => {
  assertEquals(checkCatalogue(CATALOGUE), []);
  assertEquals(checkCatalogue([mutant("a", "b"), mutant("c", "d")]), ["m: duplicate id"]);
  for (const file of new Set(CATALOGUE.flatMap((m) => m.tests))) {
    assert((await Deno.stat(`${REPO_ROOT}${file}`)).isFile, file);
  }
  for (const m of CATALOGUE) assert(m.equivalent === undefined || m.equivalent.length > 20, m.id);
});
