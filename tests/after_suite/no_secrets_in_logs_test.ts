/**
 * Runs after the rest of the suite (see the `test` task): no log line any server process wrote
 * during the whole suite contains a token or CA key material.
 */
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { decodePem } from "../../src/pki/pem.ts";
import { assert } from "../support/assert.ts";
import { readTalosSecrets } from "../support/fixtures.ts";
import { SUITE_LOG_DIR } from "../support/server_process.ts";
import { TEST_TOKENS } from "../support/test_tokens.ts";

Deno.test("no log output of the whole suite contains a token, a token prefix or CA key bytes", async () => {
  const bundle = parseSecretsBundle(await readTalosSecrets());
  const keyDer = decodePem(bundle.caKeyPem)[0]!.der;
  const secrets = [
    ...[bundle.token, ...TEST_TOKENS].flatMap((t) => [t, t.slice(0, 8)]),
    keyDer.toBase64().slice(8, 40),
    keyDer.subarray(16).toHex(),
  ];
  let lines = 0;
  for await (const entry of Deno.readDir(SUITE_LOG_DIR)) {
    const text = await Deno.readTextFile(`${SUITE_LOG_DIR}/${entry.name}`);
    lines += text.split("\n").length;
    for (const secret of secrets) {
      assert(
        !text.includes(secret),
        `${entry.name} contains secret material ${secret.slice(0, 3)}…`,
      );
    }
  }
  assert(
    lines > 1000,
    `expected the suite's server logs, found ${lines} lines in ${SUITE_LOG_DIR}`,
  );
});
