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

/** Event-loop turns a connection's writes are held: the turns a unary answer is written over. */
export const COALESCE_TURNS = 3;

/** The part of a socket that {@linkcode coalesceWrites} uses. */
export type CorkableSocket = Pick<Socket, "write" | "cork" | "uncork" | "destroyed">;

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
  const release = (left: number) => {
    if (left > 1) {
      setImmediate(release, left - 1);
      return;
    }
    held = false;
    socket.uncork();
  };
  socket.write = function (this: CorkableSocket, ...args: unknown[]) {
    if (!held && !socket.destroyed) {
      held = true;
      socket.cork();
      setImmediate(release, turns);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Socket["write"];
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
