/**
 * The gRPC listener: TLS (ALPN h2), the SecurityService, and start/stop.
 *
 * @module
 */
import { Server, status } from "@grpc/grpc-js";
import { http2ServersOf, trackSessions } from "./http2_sessions.ts";
import {
  type AppliedLimits,
  applyTransportLimits,
  DEFAULT_LISTENER_LIMITS,
  type LimitRefusal,
  type ListenerLimits,
} from "./transport_limits.ts";
import { SampledLog } from "../ops/sampled_log.ts";
import { healthService, type HealthSource } from "./health_service.ts";
import { SECURITY_SERVICE } from "./service_definitions.ts";
import { coalesceConnectionWrites, flushHeldWrites } from "./write_coalescing.ts";
import { ReplaceableTlsCredentials, type ServingTls } from "./tls_credentials.ts";
import {
  CERTIFICATE_METHOD,
  type CertificateServiceDeps,
  createCertificateHandler,
} from "./security_service.ts";
import { ANSWERED_CODES } from "./status.ts";
import { bindListenAddress } from "./listen_address.ts";

export type { ServingTls };

/** Options for {@linkcode serveSigner}. */
export interface SignerServerOptions extends CertificateServiceDeps {
  /** Address to bind. */
  host: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** TLS material. */
  tls: ServingTls;
  /** Oldest TLS version accepted. @default "TLSv1.2" */
  tlsMinVersion?: "TLSv1.2" | "TLSv1.3";
  /** Connections not through the TLS handshake by then are closed, ms. @default 10000 */
  tlsHandshakeTimeoutMs?: number;
  /** Connections without a call for this long are closed, ms. @default 60000 */
  connectionIdleTimeoutMs?: number;
  /** Readiness for the grpc.health.v1 service; the service is not offered when absent. */
  health?: HealthSource;
  /** What a peer may hold before it authenticates. @default DEFAULT_LISTENER_LIMITS */
  listenerLimits?: ListenerLimits;
  /** Called for every connection or call refused by a listener limit (for metrics). */
  onLimitRefusal?: (refusal: LimitRefusal) => void;
}

/** A running signer listener. */
export interface SignerServer {
  /** The bound port. */
  port: number;
  /** The bound address: the configured one, or 0.0.0.0 when `::` fell back on a host without IPv6. */
  host: string;
  /** Calls open right now (request streams; long-lived Health/Watch streams excluded). */
  readonly inFlight: number;
  /** Swaps the serving certificate for new handshakes; open connections keep theirs. */
  updateTls(tls: ServingTls): void;
  /**
   * Stops accepting connections and waits up to `graceMs` for calls in flight to finish. Open
   * connections are not closed with GOAWAY (Deno 2.9's HTTP/2 can abort the process doing that,
   * denoland/deno#36788): the caller exits the process next, which closes them.
   *
   * @returns the number of calls still in flight when it gave up (0 after a clean drain)
   */
  shutdown(graceMs: number): Promise<number>;
}

/**
 * Every (method, code) pair this server answers: each code of a Certificate call, and the
 * transport's answer to methods it does not have. Metrics start each at 0.
 */
export const ANSWERED_CALLS: readonly { method: string; code: string }[] = [
  ...ANSWERED_CODES.map((code) => ({ method: CERTIFICATE_METHOD, code })),
  { method: "(unknown)", code: status[status.UNIMPLEMENTED] },
];

/** Largest request accepted: a CSR is under 4 KiB, so 64 KiB leaves room and bounds memory. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Starts the signer on `host:port`.
 *
 * @param options address, TLS material and handler dependencies
 * @returns the running server
 * @throws {Error} when the address cannot be bound
 */
export async function serveSigner(options: SignerServerOptions): Promise<SignerServer> {
  const limits = options.listenerLimits ?? DEFAULT_LISTENER_LIMITS;
  const server = new Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_concurrent_streams": limits.maxStreamsPerConnection,
    // Channelz (on by default) registers every connection and counts every call for a debugging
    // service this server does not offer: per connection a registry entry, a trace event built
    // from the peer's address, and per call counters and timestamps. Off, a fresh-connection call
    // costs less CPU (docs/performance.md, issue 12).
    "grpc.enable_channelz": 0,
  });
  // Filled once the ports are bound; a call with a valid token marks its connection there.
  const applied: AppliedLimits[] = [];
  const onAuthenticated = (peer: string) => {
    for (const limits of applied) limits.authenticated(peer);
    options.onAuthenticated?.(peer);
  };
  server.addService(SECURITY_SERVICE, {
    Certificate: createCertificateHandler({ ...options, onAuthenticated }),
  });
  if (options.health) {
    const health = healthService(options.health, limits.maxHealthWatches);
    server.addService(health.definition, health.implementation as never);
  }
  const credentials = new ReplaceableTlsCredentials(options.tls, {
    minVersion: options.tlsMinVersion,
    handshakeTimeoutMs: options.tlsHandshakeTimeoutMs,
  });
  const bind = (address: string) =>
    new Promise<number>((resolve, reject) => {
      server.bindAsync(address, credentials, (error, bound) =>
        error ? reject(error) : resolve(bound));
    });
  const { host, port, address } = await bindListenAddress(
    options.host,
    options.port,
    bind,
    (why) =>
      options.logger.log("warn", "IPv6 is not available on this host: listening on IPv4 only", {
        address: "0.0.0.0",
        error: why,
      }),
  );
  const refusals = limitRefusalLog(options.logger);
  for (const http2Server of http2ServersOf(server)) {
    coalesceConnectionWrites(http2Server);
    // The idle limit is ours (quiet_timer.ts), not grpc-js's `grpc.max_connection_idle_ms`.
    const connectionIdleTimeoutMs = options.connectionIdleTimeoutMs ?? 60_000;
    const transportLimits = { ...limits, connectionIdleTimeoutMs };
    applied.push(
      applyTransportLimits(http2Server, transportLimits, LONG_LIVED_METHODS, (refusal) => {
        refusals.record(refusal);
        options.onLimitRefusal?.(refusal);
      }),
    );
  }
  const streams = trackSessions(server, {
    servedMethods: new Set([
      CERTIFICATE_METHOD,
      ...(options.health ? ["/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"] : []),
    ]),
    onRefused: (refusal) => {
      // The path of an unknown method is the caller's text: it is reported as "(unknown)".
      const details = refusal.method === "(unknown)" ? "unknown method" : refusal.details;
      options.logger.log("warn", "certificate request", {
        peer: refusal.peer,
        method: refusal.method,
        code: status[refusal.code],
        error: details,
      });
      options.observe?.({ method: refusal.method, code: String(status[refusal.code]), seconds: 0 });
    },
  });
  return {
    port,
    host,
    get inFlight() {
      return streams.openStreams;
    },
    updateTls(tls) {
      credentials.replace(tls);
    },
    async shutdown(graceMs) {
      server.unbind(address.replace(/:0$/, `:${port}`));
      // Wait until every handled call's answer has been written (its stream closed), not only
      // until the handlers returned: the process exits next.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([streams.idle(), expired]);
      clearTimeout(timer);
      await flushHeldWrites();
      refusals.flush();
      return streams.openStreams;
    },
  };
}

/** Streams that stay open by design once their request has arrived. */
const LONG_LIVED_METHODS: ReadonlySet<string> = new Set(["/grpc.health.v1.Health/Watch"]);

/** One warning per kind of refusal, then a count every 10 s while the flood lasts. */
function limitRefusalLog(logger: SignerServerOptions["logger"]) {
  const log = new SampledLog(10_000, ({ count, fields }) => {
    const refusal = fields as unknown as LimitRefusal;
    logger.log("warn", MESSAGES[refusal.reason], {
      reason: refusal.reason,
      peer: refusal.address,
      ...(count > 1 ? { count, window_s: 10 } : {}),
    });
  });
  return {
    record: (refusal: LimitRefusal) => log.record(refusal.reason, { ...refusal }),
    flush: () => log.flush(),
  };
}

const MESSAGES: Record<LimitRefusal["reason"], string> = {
  "max-connections": "connection refused: MAX_CONNECTIONS reached",
  "max-connections-per-address": "connection refused: MAX_CONNECTIONS_PER_ADDRESS reached",
  "max-open-streams": "call refused: MAX_OPEN_STREAMS reached",
  "request-timeout": "connection closed: call not complete within REQUEST_TIMEOUT",
  "evicted-unauthenticated":
    "connection closed: connection limit reached, oldest connection without a valid token makes room",
};
