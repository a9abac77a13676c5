/**
 * What a peer may hold before any handler runs, and so before it shows a token: connections (in
 * total and per source address), request streams open at once across all connections, and the
 * time a call may take to arrive and be answered.
 *
 * Without these, one TLS connection opening ~10,000 streams that each carry the first bytes of a
 * message and never finish exhausts the 64 MB V8 heap in seconds. The HTTP/2 stream limit per
 * connection is advertised in SETTINGS by grpc-js (`grpc.max_concurrent_streams`); nghttp2 ends a
 * connection that exceeds it.
 *
 * A connection cap that is full makes room by closing the oldest connection at that scope that
 * never carried a call with a valid token (see {@linkcode ConnectionBudget}): without that, peers
 * with no token holding every slot alive with health checks locked every worker out.
 *
 * Refusals never send GOAWAY (Deno 2.9 can abort on it, see http2_sessions.ts): a connection over
 * a limit is closed before its TLS handshake, a stream over the limit gets RST_STREAM
 * REFUSED_STREAM (which gRPC clients retry), and a connection with a late call is destroyed.
 *
 * @module
 */
import { constants } from "node:http2";
import type { Http2Server, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { Socket } from "node:net";
import { ConnectionBudget, type HeldConnection } from "./connection_budget.ts";
import { type Deadline, DeadlineQueue } from "./deadline_queue.ts";
import { type QuietDeadlines, quietTimer } from "./quiet_timer.ts";

/** The limits; 0 turns a count limit off. */
export interface TransportLimits {
  /** Open connections in total. */
  maxConnections: number;
  /** Open connections from one source address. */
  maxConnectionsPerAddress: number;
  /** Request streams open at once across all connections (long-lived streams excluded). */
  maxOpenStreams: number;
  /** Time for a call to arrive complete and, unless long-lived, be answered, ms. */
  requestTimeoutMs: number;
  /** Time a connection may stay without a stream after its last one closed, ms. @default 0 */
  connectionIdleTimeoutMs?: number;
}

/** Every limit of the gRPC listener: {@linkcode TransportLimits} plus the two grpc-js applies. */
export interface ListenerLimits extends TransportLimits {
  /** SETTINGS_MAX_CONCURRENT_STREAMS advertised to each connection (workers use one stream). */
  maxStreamsPerConnection: number;
  /** grpc.health.v1 `Watch` streams open at once (they need no token and last until cancelled). */
  maxHealthWatches: number;
}

/** The defaults, sized so the live set stays far below the 64 MB heap (docs/security.md). */
export const DEFAULT_LISTENER_LIMITS: ListenerLimits = {
  maxConnections: 512,
  maxConnectionsPerAddress: 64,
  maxOpenStreams: 512,
  requestTimeoutMs: 10_000,
  maxStreamsPerConnection: 4,
  maxHealthWatches: 64,
};

/** Every reason the transport refuses or closes something; metrics start each at 0. */
export const LIMIT_REFUSAL_REASONS = [
  "max-connections",
  "max-connections-per-address",
  "max-open-streams",
  "request-timeout",
  "evicted-unauthenticated",
] as const;

/** Why the transport refused or closed something. */
export type LimitRefusalReason = typeof LIMIT_REFUSAL_REASONS[number];

/** A refusal, for the log and metrics. */
export interface LimitRefusal {
  /** Which limit. */
  reason: LimitRefusalReason;
  /** The peer's address (no port). */
  address: string;
}

/** The limits applied to one HTTP/2 server. */
export interface AppliedLimits {
  /** The connection budget, for tests and metrics. */
  budget: ConnectionBudget;
  /** Deadlines held (cancelled ones not yet dropped included), for tests: 0 once all are closed. */
  heldDeadlines(): number;
  /**
   * Marks the connection of a call that presented a valid token, so it is never evicted.
   *
   * @param peer the call's `getPeer()` (`address:port`, the key of its connection)
   */
  authenticated(peer: string): void;
}

/**
 * Enforces `limits` on one HTTP/2 server behind grpc-js.
 *
 * @param http2Server the server (from the grpc-js server's `http2Servers`)
 * @param limits the limits
 * @param longLived request paths whose streams stay open by design once their request arrived
 * @param onRefused called for each refusal (and each eviction)
 * @returns the budget, and where calls with a valid token mark their connection
 */
export function applyTransportLimits(
  http2Server: Http2Server,
  limits: TransportLimits,
  longLived: ReadonlySet<string>,
  onRefused: (refusal: LimitRefusal) => void,
): AppliedLimits {
  const budget = new ConnectionBudget<TrackedConnection>(limits);
  const byPeer = new Map<string, TrackedConnection>();
  let openStreams = 0;
  const requestDeadlines = new DeadlineQueue(limits.requestTimeoutMs);
  const quiet: QuietDeadlines = {
    firstCall: requestDeadlines,
    idle: new DeadlineQueue(limits.connectionIdleTimeoutMs ?? 0),
    requestTimeoutMs: limits.requestTimeoutMs,
    connectionIdleTimeoutMs: limits.connectionIdleTimeoutMs ?? 0,
  };
  http2Server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const peer = `${address}:${socket.remotePort}`;
    const connection: TrackedConnection = { address, authenticated: false, socket };
    const { refused, evicted } = budget.admit(connection);
    if (refused) {
      socket.destroy();
      onRefused({ reason: refused, address });
      return;
    }
    if (evicted) {
      closeConnection(evicted);
      onRefused({ reason: "evicted-unauthenticated", address: evicted.address });
    }
    byPeer.set(peer, connection);
    socket.once("close", () => {
      budget.release(connection);
      if (byPeer.get(peer) === connection) byPeer.delete(peer);
    });
  });
  http2Server.on("session", (session: Http2Session) => {
    const address = remoteAddressOf(session);
    const connection = byPeer.get(`${address}:${remotePortOf(session)}`);
    if (connection) connection.session = session;
    const lateCall = () => onRefused({ reason: "request-timeout", address });
    const timer = quietTimer(session, quiet, lateCall);
    session.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      timer.opened();
      const lasting = longLived.has(String(headers[":path"]));
      if (!lasting && limits.maxOpenStreams > 0 && openStreams >= limits.maxOpenStreams) {
        stream.once("close", timer.closed);
        stream.close(constants.NGHTTP2_REFUSED_STREAM);
        onRefused({ reason: "max-open-streams", address });
        return;
      }
      if (!lasting) openStreams++;
      const deadline = watchDeadline(session, stream, lasting, requestDeadlines, lateCall);
      // One listener per stream for everything that ends with it.
      stream.once("close", () => {
        if (!lasting) openStreams--;
        deadline.cancel();
        timer.closed();
      });
    });
  });
  return {
    budget,
    heldDeadlines: () => requestDeadlines.held + quiet.idle.held,
    authenticated(peer) {
      const connection = byPeer.get(peer);
      if (connection) connection.authenticated = true;
    },
  };
}

/** A connection as the listener tracks it. */
interface TrackedConnection extends HeldConnection {
  socket: Socket;
  session?: Http2Session;
}

/** Closes an evicted connection: its HTTP/2 session without GOAWAY, or the bare socket. */
function closeConnection(connection: TrackedConnection): void {
  const { session, socket } = connection;
  // destroy(null): no error and no code, so Deno skips its GOAWAY path.
  if (session && !session.destroyed) session.destroy(null as unknown as Error);
  else socket.destroy();
}

/**
 * The peer's address, read once: Deno's `session.socket` throws once the socket is detached, and
 * an exception in an event handler would end the process.
 */
function remoteAddressOf(session: Http2Session): string {
  try {
    return session.socket?.remoteAddress ?? "";
  } catch {
    return "";
  }
}

/** The peer's port, read like {@linkcode remoteAddressOf}. */
function remotePortOf(session: Http2Session): number | undefined {
  try {
    return session.socket?.remotePort;
  } catch {
    return undefined;
  }
}

/**
 * Destroys the session when the stream's request has not arrived complete (or, unless long-lived,
 * the stream is not closed) within `REQUEST_TIMEOUT` (the queue's duration): slow-drip DATA, unfinished messages and peers that
 * stop reading answers all end here, and with them everything the connection held.
 *
 * @returns the deadline, for the caller to cancel when the stream closes
 */
function watchDeadline(
  session: Http2Session,
  stream: ServerHttp2Stream,
  lasting: boolean,
  deadlines: DeadlineQueue,
  onExpired: () => void,
): Deadline {
  const deadline = deadlines.add(() => {
    if (session.destroyed) return;
    onExpired();
    // destroy(null): no error and no code, so Deno skips its GOAWAY path.
    session.destroy(null as unknown as Error);
  });
  if (lasting) stream.once("end", deadline.cancel);
  return deadline;
}
