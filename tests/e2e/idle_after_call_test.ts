/**
 * CONNECTION_IDLE_TIMEOUT after a call: the idle limit starts again when a connection's last
 * stream closes (src/grpc/quiet_timer.ts), not only before its first call.
 */
import { connect } from "node:http2";
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { readTalosSecrets, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());

/** A grpc.health.v1 Check on `session`; resolves with the grpc-status trailer. */
function healthCheck(session: ReturnType<typeof connect>): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": "POST",
      ":path": "/grpc.health.v1.Health/Check",
      "content-type": "application/grpc",
      te: "trailers",
    });
    let code: string | undefined;
    stream.on("trailers", (trailers) => (code = String(trailers["grpc-status"])));
    stream.on("data", () => {});
    stream.on("error", reject);
    stream.on("close", () => resolve(code));
    stream.end(new Uint8Array(5)); // an empty HealthCheckRequest
  });
}

Deno.test("a connection that made a call and then stays quiet is closed after CONNECTION_IDLE_TIMEOUT, whatever REQUEST_TIMEOUT is", async () => {
  const server = await startServer([
    `--secrets=${TALOS_SECRETS_PATH}`,
    "--connection-idle-timeout=1s",
    "--request-timeout=60s",
  ]);
  try {
    const session = connect(`https://127.0.0.1:${server.port}`, {
      ca: bundle.caCertificatePem,
      servername: "localhost",
    });
    session.on("error", () => {});
    const closed = new Promise<void>((resolve) => session.on("close", resolve));
    // Keeps the test from hanging if the limit never fires; the assertion below then fails.
    const giveUp = setTimeout(() => session.destroy(), 20_000);
    assertEquals(await healthCheck(session), "0");
    const quietSince = Date.now();
    await closed;
    clearTimeout(giveUp);
    const quietMs = Date.now() - quietSince;
    assert(quietMs >= 900 && quietMs < 15_000, `closed ${quietMs} ms after the call`);
  } finally {
    await server.stop();
  }
});
