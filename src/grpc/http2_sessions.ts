/**
 * The HTTP/2 sessions behind grpc-js: closed without GOAWAY, and their open streams counted so
 * shutdown can wait until every answer has been written.
 *
 * Why no GOAWAY: Deno 2.9's `node:http2` can abort the whole process while sending one (nghttp2
 * assertion in `find_stream_on_goaway_func`, denoland/deno#36788). Measured before this module:
 * about one abort per 600–2,000 short connections from Node.js or Deno grpc-js clients (grpc-go
 * clients, which Talos workers use, did not trigger it in 15,000 calls). A session that would be
 * closed gracefully (the peer sent GOAWAY, the idle timer fired) is instead destroyed without an
 * error code once its streams are done, which skips Deno's GOAWAY path. Nothing is lost: a unary
 * call is complete when its stream closes, and a peer that sent GOAWAY opens no new streams.
 *
 * @module
 */
import type { Http2Server, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";

/** Streams that stay open by design and must not hold up shutdown. */
const LONG_LIVED = new Set(["/grpc.health.v1.Health/Watch"]);

/** A call the transport refused before any handler ran (unknown method, oversized message). */
export interface TransportRefusal {
  /** The request path, or "(unknown)" when it is not a served method (never attacker text). */
  method: string;
  /** The caller's address. */
  peer: string;
  /** The gRPC status code sent. */
  code: number;
  /** The status message sent. */
  details: string;
}

/** Options for {@linkcode trackSessions}. */
export interface TrackOptions {
  /** The methods handlers serve (they log their own outcomes). */
  servedMethods?: ReadonlySet<string>;
  /** Called for calls refused by the transport itself, so they too get a log line. */
  onRefused?: (refusal: TransportRefusal) => void;
}

/** Counts of the streams in flight across all sessions. */
export interface StreamTracker {
  /** Request streams open right now (long-lived watch streams excluded). */
  readonly openStreams: number;
  /** Resolves once no request stream is open. */
  idle(): Promise<void>;
}

/**
 * The HTTP/2 servers behind a grpc-js `Server` (grpc-js keeps them in a private map).
 *
 * @param grpcServer the grpc-js server, after its ports are bound
 * @returns its HTTP/2 servers
 */
export function http2ServersOf(grpcServer: object): Http2Server[] {
  const servers = (grpcServer as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  return servers instanceof Map ? [...servers.keys()] : [];
}

/**
 * Takes over the sessions of every HTTP/2 server behind a grpc-js `Server`.
 *
 * @param grpcServer the grpc-js server, after its ports are bound
 * @param options served methods and where transport refusals are reported
 * @returns the stream counts
 */
export function trackSessions(grpcServer: object, options: TrackOptions = {}): StreamTracker {
  let open = 0;
  const waiters: (() => void)[] = [];
  const closed = () => {
    if (--open === 0) { for (const resolve of waiters.splice(0)) resolve(); }
  };
  for (const http2Server of http2ServersOf(grpcServer)) {
    http2Server.on("session", (session: Http2Session) => {
      closeWithoutGoaway(session, () => open++, closed);
      if (options.onRefused) {
        reportRefusals(session, options.servedMethods ?? new Set(), options.onRefused);
      }
    });
  }
  return {
    get openStreams() {
      return open;
    },
    idle: () => open === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve)),
  };
}

function closeWithoutGoaway(session: Http2Session, opened: () => void, closed: () => void): void {
  let sessionStreams = 0;
  let closing = false;
  // destroy(null): no error and no code, so Deno skips its GOAWAY(last stream 0) path.
  const finish = () => session.destroy(null as unknown as Error);
  session.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const counted = !LONG_LIVED.has(String(headers[":path"]));
    sessionStreams++;
    if (counted) opened();
    stream.once("close", () => {
      if (counted) closed();
      if (--sessionStreams === 0 && closing) finish();
    });
  });
  session.close = function close(callback?: () => void) {
    if (callback) session.once("close", callback);
    closing = true;
    if (sessionStreams === 0) finish();
  };
}

function reportRefusals(
  session: Http2Session,
  served: ReadonlySet<string>,
  onRefused: (refusal: TransportRefusal) => void,
): void {
  session.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const path = String(headers[":path"]);
    stream.once("close", () => {
      const sent = {
        ...(stream as { sentHeaders?: object }).sentHeaders,
        ...(stream as { sentTrailers?: object }).sentTrailers,
      } as Record<string, unknown>;
      const code = Number(sent["grpc-status"] ?? 0);
      const details = decodeURIComponent(String(sent["grpc-message"] ?? ""));
      const tooLarge = details.startsWith("Received message larger than max");
      if (code === 0 || (served.has(path) && !tooLarge)) return;
      let peer = "";
      try {
        peer = `${session.socket?.remoteAddress ?? ""}:${session.socket?.remotePort ?? ""}`;
      } catch {
        // the socket may already be gone
      }
      onRefused({ method: served.has(path) ? path : "(unknown)", peer, code, details });
    });
  });
}
