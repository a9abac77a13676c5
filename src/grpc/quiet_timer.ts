/**
 * The limits that apply to an HTTP/2 connection while it carries no stream: `REQUEST_TIMEOUT`
 * before its first call, and `CONNECTION_IDLE_TIMEOUT` once its last stream has closed.
 *
 * A connection must start a call in time: HEADERS that never end (a CONTINUATION flood) or no
 * request at all never reach a stream's own deadline. And workers never reuse a connection, so an
 * idle one is only a cost. The idle limit used to be grpc-js's (`grpc.max_connection_idle_ms`):
 * per session a `setTimeout`, a Map entry, a bound closure and trace strings built from the peer's
 * address, and a timer refresh at every stream close. Here both limits are deadlines in shared
 * {@linkcode DeadlineQueue}s, at most one pending per connection, for less CPU per fresh connection
 * (docs/performance.md, issue 12).
 *
 * @module
 */
import type { Http2Session } from "node:http2";
import type { Deadline, DeadlineQueue } from "./deadline_queue.ts";

/** The deadlines of every connection of one listener. */
export interface QuietDeadlines {
  /** `REQUEST_TIMEOUT` (its duration; 0: off). */
  firstCall: DeadlineQueue;
  /** `CONNECTION_IDLE_TIMEOUT` (its duration; 0: off). */
  idle: DeadlineQueue;
  /** The two durations, ms, to pick the shorter before the first call. */
  requestTimeoutMs: number;
  /** See {@linkcode QuietDeadlines.requestTimeoutMs}. */
  connectionIdleTimeoutMs: number;
}

/** What the HTTP/2 wiring tells the timer. */
export interface QuietTimer {
  /** A stream opened on the connection (every stream, refused ones too). */
  opened(): void;
  /** A stream counted by {@linkcode opened} closed. */
  closed(): void;
}

/**
 * Destroys `session` (without GOAWAY) when it stays quiet too long: no first stream within
 * `REQUEST_TIMEOUT` (reported through `onLateFirstCall`), or no stream for
 * `CONNECTION_IDLE_TIMEOUT` after its last one closed. Before the first stream the shorter limit
 * applies; on a tie the connection counts as idle, as when grpc-js's idle timer ran beside ours.
 *
 * @param session a new server session
 * @param deadlines the listener's deadline queues
 * @param onLateFirstCall called when the first stream did not arrive in time, before the close
 * @returns where the session's stream handler reports streams opening and closing
 */
export function quietTimer(
  session: Http2Session,
  deadlines: QuietDeadlines,
  onLateFirstCall: () => void,
): QuietTimer {
  const { requestTimeoutMs, connectionIdleTimeoutMs } = deadlines;
  let open = 0;
  let pending: Deadline | undefined;
  const expire = (late: boolean) => {
    pending = undefined;
    if (session.destroyed) return;
    if (late) onLateFirstCall();
    // destroy(null): no error and no code, so Deno skips its GOAWAY path.
    session.destroy(null as unknown as Error);
  };
  const idleFirst = connectionIdleTimeoutMs > 0 &&
    (requestTimeoutMs <= 0 || connectionIdleTimeoutMs <= requestTimeoutMs);
  pending = idleFirst
    ? deadlines.idle.add(() => expire(false))
    : deadlines.firstCall.add(() => expire(true));
  session.once("close", () => pending?.cancel());
  return {
    opened() {
      if (open++ === 0) pending?.cancel();
    },
    closed() {
      if (--open === 0 && !session.destroyed) pending = deadlines.idle.add(() => expire(false));
    },
  };
}
