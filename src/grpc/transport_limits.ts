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
 * Refusals never send GOAWAY (Deno 2.9 can abort on it, see http2_sessions.ts): a connection over
 * a limit is closed before its TLS handshake, a stream over the limit gets RST_STREAM
 * REFUSED_STREAM (which gRPC clients retry), and a connection with a late call is destroyed.
 *
 * @module
 */
import { constants } from "node:http2";
import type { Http2Server, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { Socket } from "node:net";

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

/** Counts open connections in total and per address. Pure bookkeeping. */
export class ConnectionBudget {
  readonly #limits: Pick<TransportLimits, "maxConnections" | "maxConnectionsPerAddress">;
  readonly #perAddress = new Map<string, number>();
  #total = 0;

  /**
   * @param limits total and per-address maximums (0: no limit)
   * @throws {RangeError} when a limit is negative or not an integer
   */
  constructor(limits: Pick<TransportLimits, "maxConnections" | "maxConnectionsPerAddress">) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 0) {
        throw new RangeError(`Cannot limit connections: ${name} must be 0 or more, got ${value}`);
      }
    }
    this.#limits = limits;
  }

  /**
   * Takes a slot for a new connection from `address`.
   *
   * @param address the peer's address
   * @returns undefined when admitted (call {@linkcode release} once it closes), else the limit hit
   */
  admit(address: string): LimitRefusalReason | undefined {
    const { maxConnections, maxConnectionsPerAddress } = this.#limits;
    if (maxConnections > 0 && this.#total >= maxConnections) return "max-connections";
    const fromAddress = this.#perAddress.get(address) ?? 0;
    if (maxConnectionsPerAddress > 0 && fromAddress >= maxConnectionsPerAddress) {
      return "max-connections-per-address";
    }
    this.#total++;
    this.#perAddress.set(address, fromAddress + 1);
    return undefined;
  }

  /**
   * Gives back the slot of a closed connection.
   *
   * @param address the address it was admitted for
   */
  release(address: string): void {
    const fromAddress = this.#perAddress.get(address) ?? 0;
    if (fromAddress <= 0) return;
    this.#total--;
    if (fromAddress === 1) this.#perAddress.delete(address);
    else this.#perAddress.set(address, fromAddress - 1);
  }

  /** Open connections now. */
  get total(): number {
    return this.#total;
  }

  /** Addresses with an open connection now (the map never outgrows the connections). */
  get addresses(): number {
    return this.#perAddress.size;
  }
}

/**
 * Enforces `limits` on one HTTP/2 server behind grpc-js.
 *
 * @param http2Server the server (from the grpc-js server's `http2Servers`)
 * @param limits the limits
 * @param longLived request paths whose streams stay open by design once their request arrived
 * @param onRefused called for each refusal
 * @returns the connection budget, for tests and metrics
 */
export function applyTransportLimits(
  http2Server: Http2Server,
  limits: TransportLimits,
  longLived: ReadonlySet<string>,
  onRefused: (refusal: LimitRefusal) => void,
): ConnectionBudget {
  const budget = new ConnectionBudget(limits);
  let openStreams = 0;
  http2Server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const refused = budget.admit(address);
    if (refused) {
      socket.destroy();
      onRefused({ reason: refused, address });
      return;
    }
    socket.once("close", () => budget.release(address));
  });
  http2Server.on("session", (session: Http2Session) => {
    const address = remoteAddressOf(session);
    // A connection must start a call in time too: HEADERS that never end (a CONTINUATION flood)
    // or no request at all never reach the per-stream deadline below.
    const firstCall = expireSession(session, limits.requestTimeoutMs, () => {
      onRefused({ reason: "request-timeout", address });
    });
    session.once("stream", firstCall.cancel);
    session.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      const lasting = longLived.has(String(headers[":path"]));
      if (!lasting && limits.maxOpenStreams > 0 && openStreams >= limits.maxOpenStreams) {
        stream.close(constants.NGHTTP2_REFUSED_STREAM);
        onRefused({ reason: "max-open-streams", address });
        return;
      }
      if (!lasting) {
        openStreams++;
        stream.once("close", () => openStreams--);
      }
      watchDeadline(session, stream, lasting, limits.requestTimeoutMs, () => {
        onRefused({ reason: "request-timeout", address });
      });
    });
  });
  return budget;
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

/**
 * Destroys the session when the stream's request has not arrived complete (or, unless long-lived,
 * the stream is not closed) within `timeoutMs`: slow-drip DATA, unfinished messages and peers that
 * stop reading answers all end here, and with them everything the connection held.
 */
function watchDeadline(
  session: Http2Session,
  stream: ServerHttp2Stream,
  lasting: boolean,
  timeoutMs: number,
  onExpired: () => void,
): void {
  // The stream closes when its session does, so the session itself needs no listener here.
  const deadline = expireSession(session, timeoutMs, onExpired, false);
  stream.once("close", deadline.cancel);
  if (lasting) stream.once("end", deadline.cancel);
}

/** Destroys `session` after `timeoutMs` (0: never) unless cancelled first or already closed. */
function expireSession(
  session: Http2Session,
  timeoutMs: number,
  onExpired: () => void,
  cancelOnClose = true,
): { cancel: () => void } {
  if (timeoutMs <= 0) return { cancel: () => {} };
  const timer = setTimeout(() => {
    if (session.destroyed) return;
    onExpired();
    // destroy(null): no error and no code, so Deno skips its GOAWAY path.
    session.destroy(null as unknown as Error);
  }, timeoutMs);
  const cancel = () => clearTimeout(timer);
  if (cancelOnClose) session.once("close", cancel);
  return { cancel };
}
