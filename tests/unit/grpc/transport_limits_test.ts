import { connect } from "node:http2";
import { createServer, type Http2Server, type ServerHttp2Stream } from "node:http2";
import { applyTransportLimits } from "../../../src/grpc/transport_limits.ts";
import { assertEquals } from "../../support/assert.ts";

const LIMITS = {
  maxConnections: 0,
  maxConnectionsPerAddress: 0,
  maxOpenStreams: 0,
  requestTimeoutMs: 60_000,
  connectionIdleTimeoutMs: 60_000,
};

async function listen(server: Http2Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 30_000) throw new Error(`Cannot finish the test: ${what} never happened`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("applyTransportLimits() holds no deadline once connections with different start times have closed, whether they made a call, have one open, or never started one", async () => {
  const server = createServer();
  let sessions = 0;
  let hanging = 0;
  server.on("session", (session) => {
    sessions++;
    session.once("close", () => sessions--);
  });
  server.on("stream", (stream: ServerHttp2Stream, headers) => {
    stream.on("data", () => {});
    if (headers[":path"] === "/hang") {
      hanging++;
      return; // never answered: open when its client goes
    }
    stream.on("end", () => {
      stream.respond({ ":status": 200 });
      stream.end("ok");
    });
  });
  const applied = applyTransportLimits(server, LIMITS, new Set(), () => {});
  const port = await listen(server);
  try {
    const clients = [];
    for (let i = 0; i < 12; i++) {
      const client = connect(`http://127.0.0.1:${port}`);
      client.on("error", () => {});
      if (i % 3 !== 0) {
        // Every third connection never starts a call; the others make one and stay open.
        await new Promise<void>((resolve, reject) => {
          const request = client.request({ ":method": "POST", ":path": "/a" });
          request.on("data", () => {});
          request.on("error", reject);
          request.on("close", resolve);
          request.end("x");
        });
      }
      if (i % 4 === 1) {
        // Some connections go with a call still open on them.
        const hanging = client.request({ ":method": "POST", ":path": "/hang" });
        hanging.on("error", () => {});
        hanging.write("x");
      }
      clients.push(client);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await waitFor(() => sessions === 12 && hanging === 3, "12 sessions, 3 with a call open");
    assertEquals(applied.heldDeadlines() > 0, true, "each open connection has its quiet deadline");
    for (const client of clients) client.destroy();
    await waitFor(() => sessions === 0, "every session closing");
    assertEquals(applied.heldDeadlines(), 0);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
