/**
 * Runs after the rest of the suite (see the `test` task): no log line any server process wrote
 * during the whole suite contains any token or private key the suite created, loaded, rotated in
 * or out, or presented (wrong ones included), in any spelling (tests/support/secret_registry.ts).
 */
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { assert } from "../support/assert.ts";
import { readTalosSecrets, REPO_ROOT } from "../support/fixtures.ts";
import {
  keySpellings,
  readRegisteredSecrets,
  type RegisteredSecret,
  SUITE_LOG_DIR,
  tokenSpellings,
} from "../support/secret_registry.ts";
import { TEST_TOKENS } from "../support/test_tokens.ts";

/** Token-shaped literals (Talos's `[a-z0-9]{6}.[a-z0-9]{16}`) written anywhere in the tests. */
async function tokensInTestSources(dir = `${REPO_ROOT}tests`): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...await tokensInTestSources(path));
    else if (/\.(ts|mjs|py|go)$/.test(entry.name)) {
      const text = await Deno.readTextFile(path);
      found.push(...text.matchAll(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g).map((m) => m[0]));
    }
  }
  return found;
}

async function everySecret(): Promise<RegisteredSecret[]> {
  const bundle = parseSecretsBundle(await readTalosSecrets());
  const literal = (value: string, source: string) => ({ value, kind: "token" as const, source });
  return [
    literal(bundle.token, "fixture bundle"),
    { value: bundle.caKeyPem, kind: "key", source: "fixture bundle" },
    ...TEST_TOKENS.map((t) => literal(t, "test_tokens.ts")),
    ...(await tokensInTestSources()).map((t) => literal(t, "a literal in tests/")),
    ...await readRegisteredSecrets(),
  ];
}

Deno.test("no log output of the whole suite contains any token or private key the suite used, in any spelling", async () => {
  const secrets = await everySecret();
  const registered = await readRegisteredSecrets();
  const count = (kind: string) => registered.filter((s) => s.kind === kind).length;
  // The registry is what makes this test see rotated-out, generated and wrong tokens: make sure
  // the suite did fill it, so a broken registry cannot pass silently.
  assert(count("token") >= 5, `only ${count("token")} tokens registered`);
  assert(count("key") >= 5, `only ${count("key")} keys registered`);
  const needles = new Map<string, string>();
  for (const secret of secrets) {
    const spellings = secret.kind === "token"
      ? tokenSpellings(secret.value)
      : await keySpellings(secret.value);
    for (const spelling of spellings) needles.set(spelling, `${secret.kind} from ${secret.source}`);
  }
  let lines = 0;
  for await (const entry of Deno.readDir(SUITE_LOG_DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".log")) continue;
    const text = await Deno.readTextFile(`${SUITE_LOG_DIR}/${entry.name}`);
    lines += text.split("\n").length;
    for (const [needle, what] of needles) {
      assert(!text.includes(needle), `${entry.name} contains a ${what}: ${needle.slice(0, 3)}…`);
    }
  }
  assert(
    lines > 1000,
    `expected the suite's server logs, found ${lines} lines in ${SUITE_LOG_DIR}`,
  );
});
