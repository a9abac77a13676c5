/**
 * One TLS record for a unary answer instead of three.
 *
 * Deno's `node:http2` hands each batch of frames nghttp2 produces to the socket as its own write,
 * and its TLS socket turns every write into a TLS record and a `sendto`. A unary gRPC answer is
 * written over three event-loop turns (measured: HEADERS and DATA flushed separately, the trailers
 * two `setImmediate` turns later), so it left as three records; SETTINGS and its ACK as two more.
 * Holding a connection's writes (cork) from its first write until three turns later (uncork)
 * sends them as one: fewer records to seal, fewer syscalls and wake-ups on both ends. Nothing waits
 * on time: the hold ends after a fixed number of turns, so a busy loop flushes as quickly as an
 * idle one, and a write that would need more turns simply leaves in the next batch.
 *
 * @module
 */
import type { Http2SecureServer, Http2Server } from "node:http2";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";

/** Event-loop turns a connection's writes are held: the turns a unary answer is written over. */
export const COALESCE_TURNS = 3;

/** The part of a socket that {@linkcode coalesceWrites} uses. */
export type CorkableSocket = Pick<
  Writable,
  "write" | "cork" | "uncork" | "destroy" | "destroyed" | "writableLength"
>;

/** Sockets holding writes right now, so shutdown can let them go before the process exits. */
const holding = new Map<CorkableSocket, () => void>();

/**
 * Holds the writes of `socket` made within `turns` event-loop turns of the first, then lets them
 * go as one write.
 *
 * @param socket the connection (a `node:tls` socket under an HTTP/2 session)
 * @param turns how many `setImmediate` turns to hold
 * @example
 * ```ts
 * http2Server.prependListener("secureConnection", (socket) => coalesceWrites(socket));
 * ```
 */
export function coalesceWrites(socket: CorkableSocket, turns = COALESCE_TURNS): void {
  let held = false;
  const write = socket.write;
  const letGo = () => {
    if (!held) return;
    held = false;
    holding.delete(socket);
    socket.uncork();
  };
  const release = (left: number) => {
    if (left > 1) setImmediate(release, left - 1);
    else letGo();
  };
  socket.write = function (this: CorkableSocket, ...args: unknown[]) {
    if (!held && !socket.destroyed) {
      held = true;
      holding.set(socket, letGo);
      socket.cork();
      setImmediate(release, turns);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Writable["write"];
  // Destroying a socket drops what it holds: an HTTP/2 session closed right after its last answer
  // (or a health Watch's NOT_SERVING at shutdown) would lose it. Let go first, destroy a turn later.
  const destroy = socket.destroy;
  socket.destroy = function (this: CorkableSocket, ...args: unknown[]) {
    if (!held) return (destroy as (...a: unknown[]) => CorkableSocket).apply(this, args);
    letGo();
    setImmediate(() => (destroy as (...a: unknown[]) => CorkableSocket).apply(this, args));
    return this;
  } as Writable["destroy"];
}

/**
 * Applies {@linkcode coalesceWrites} to every connection a TLS HTTP/2 server accepts, before the
 * HTTP/2 session writes its first frame.
 *
 * @param http2Server one of the grpc-js server's HTTP/2 servers
 */
export function coalesceConnectionWrites(http2Server: Http2Server | Http2SecureServer): void {
  http2Server.prependListener("secureConnection", (socket: Socket) => coalesceWrites(socket));
}

/**
 * Lets every held write go now and waits (at most `maxTurns` event-loop turns) until the sockets
 * have handed them on: shutdown calls it last, since the process exits next and a held answer
 * (or a health Watch's NOT_SERVING) would otherwise never leave.
 *
 * @param maxTurns the most `setImmediate` turns to wait for the writes to complete
 */
export async function flushHeldWrites(maxTurns = 100): Promise<void> {
  // Writes the HTTP/2 layer is still producing (a turn or two after a stream is answered) first.
  for (let turn = 0; turn <= COALESCE_TURNS; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  const sockets = [...holding.keys()];
  for (const letGo of [...holding.values()]) letGo();
  for (let turn = 0; turn < maxTurns; turn++) {
    if (sockets.every((socket) => socket.destroyed || socket.writableLength === 0)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
