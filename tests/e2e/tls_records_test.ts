/**
 * How many TLS records the server spends on a worker's call, counted on the wire by a loopback
 * relay between a grpc-go worker client and the real server process.
 */
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { readTalosSecrets, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { goCall } from "../support/go_worker.ts";
import { startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());

/** TLS record content types (RFC 8446 §5.1). */
const APPLICATION_DATA = 23;

/** A TLS record header. */
interface TlsRecord {
  /** Content type. */
  type: number;
  /** Length of the (encrypted) fragment. */
  length: number;
}

/**
 * Reads TLS record headers from a byte stream, across chunk boundaries.
 *
 * @returns a function fed each chunk, and the record headers seen so far
 */
function recordCounter(): { feed(chunk: Uint8Array): void; records: TlsRecord[] } {
  const records: TlsRecord[] = [];
  let pending = new Uint8Array(0);
  let skip = 0;
  return {
    records,
    feed(chunk) {
      let bytes = new Uint8Array(pending.length + chunk.length);
      bytes.set(pending);
      bytes.set(chunk, pending.length);
      const skipped = Math.min(skip, bytes.length);
      skip -= skipped;
      bytes = bytes.subarray(skipped);
      while (bytes.length >= 5) {
        const length = (bytes[3]! << 8) | bytes[4]!;
        records.push({ type: bytes[0]!, length });
        const available = Math.min(length, bytes.length - 5);
        skip = length - available;
        bytes = bytes.subarray(5 + available);
      }
      pending = bytes.slice();
    },
  };
}

/**
 * Relays one connection from a loopback port to `targetPort`, counting the records the target sends.
 *
 * @returns the relay's port and the headers of the records the server sent
 */
function countingRelay(targetPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const fromServer = recordCounter();
  const done = (async () => {
    const client = await listener.accept();
    listener.close();
    const server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
    const toServer = client.readable.pipeTo(server.writable).catch(() => {});
    const toClient = server.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          fromServer.feed(chunk);
          controller.enqueue(chunk);
        },
      }),
    ).pipeTo(client.writable).catch(() => {});
    await Promise.all([toServer, toClient]);
  })();
  return { port: (listener.addr as Deno.NetAddr).port, records: fromServer.records, done };
}

Deno.test("the answer to a worker's call leaves the server in one TLS record: HEADERS, DATA and trailers together", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  try {
    const relay = countingRelay(server.port);
    const call = await goCall(relay.port, bundle.caCertificatePem, bundle.token);
    assertEquals(call.code, 0, call.stderr);
    assert(call.report?.ok, JSON.stringify(call.report));
    await relay.done;
    // TLS 1.3: after ServerHello (22) and ChangeCipherSpec (20) every record is application data
    // (23): first the encrypted handshake flight, then HTTP/2. An HTTP/2 control frame (SETTINGS,
    // its ACK, PING ACK) or close_notify is under 48 bytes encrypted; the HEADERS of the answer,
    // its DATA (the certificates) and its trailers are each more. Written as the runtime's HTTP/2
    // produces them they are three records; coalesced, one.
    const encrypted = relay.records.filter((r) => r.type === APPLICATION_DATA).slice(1);
    const carrying = encrypted.filter((r) => r.length >= 48);
    assertEquals(carrying.length, 1, `records after the handshake: ${JSON.stringify(encrypted)}`);
  } finally {
    await server.stop();
  }
});
