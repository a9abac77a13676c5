/**
 * Contract §2: never log any part of a token, including the one a caller presents. A wrong token
 * is often a real token of another cluster, or the right one mistyped, so it is as secret as the
 * configured one.
 */
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { readTalosSecrets, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { callBatch } from "../support/grpc_client.ts";
import { makeCsr } from "../support/keys.ts";
import { tokenSpellings } from "../support/secret_registry.ts";
import { startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());

/** A token-shaped random string, as `talosctl gen secrets` makes them. */
function randomToken(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const pick = (n: number) =>
    Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => alphabet[b % 36]).join("");
  return `${pick(6)}.${pick(16)}`;
}

Deno.test("a wrong token a caller presents appears in no log line, in any spelling, and neither does the right one", async () => {
  const last = bundle.token.at(-1) === "a" ? "b" : "a";
  const wrong = [
    randomToken(),
    `${bundle.token.slice(0, -1)}${last}`, // the right token, mistyped
    bundle.token.toUpperCase(),
  ];
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  let logs: string[];
  try {
    const csr = (await makeCsr()).pem;
    const results = await callBatch(server.port, bundle.caCertificatePem, [
      ...wrong.map((token) => ({ token, csr })),
      { token: bundle.token, csr },
    ]);
    assertEquals(results.map((r) => r.ok), [false, false, false, true]);
  } finally {
    logs = (await server.stop()).logs;
  }
  const refused = logs.filter((l) => l.includes('"code":"UNAUTHENTICATED"'));
  assertEquals(refused.length, wrong.length, "each refused call is logged");
  for (const token of [...wrong, bundle.token]) {
    for (const spelling of tokenSpellings(token)) {
      const line = logs.find((l) => l.includes(spelling));
      assert(line === undefined, `a log line carries "${spelling.slice(0, 3)}…": ${line}`);
    }
  }
});
