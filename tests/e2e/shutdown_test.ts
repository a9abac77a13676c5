/**
 * A stopping signer tells load balancers before it goes: health watchers see NOT_SERVING as soon
 * as SIGTERM arrives, while calls in flight still drain.
 */
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { assertEquals } from "../support/assert.ts";
import { readTalosSecrets, REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());

Deno.test("SIGTERM turns a health Watch to NOT_SERVING before the stream ends, and the server exits 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "shutdown-" });
  await Deno.writeTextFile(`${dir}/ca.pem`, bundle.caCertificatePem);
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  const watcher = new Deno.Command("node", {
    args: [
      `${REPO_ROOT}tests/interop/node/health_watch_client.mjs`,
      String(server.port),
      `${dir}/ca.pem`,
    ],
    env: { NODE_NO_WARNINGS: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = watcher.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const seen: unknown[] = [];
  let buffer = "";
  const next = async () => {
    while (!buffer.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) return undefined;
      buffer += value;
    }
    const line = buffer.slice(0, buffer.indexOf("\n"));
    buffer = buffer.slice(line.length + 1);
    return JSON.parse(line);
  };
  try {
    seen.push(await next());
    assertEquals(seen, [{ status: "SERVING" }]);
    const stopped = server.stop();
    for (let message = await next(); message !== undefined; message = await next()) {
      seen.push(message);
    }
    assertEquals((await stopped).code, 0);
    assertEquals(seen.slice(0, 2), [{ status: "SERVING" }, { status: "NOT_SERVING" }]);
  } finally {
    await server.stop();
    await lines.cancel().catch(() => {});
    await watcher.status;
    await Deno.remove(dir, { recursive: true });
  }
});
