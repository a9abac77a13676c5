/**
 * The HTTP listener for probes and scraping: `/healthz` (the process is alive), `/readyz` (able to
 * sign, 503 with the reason otherwise) and `/metrics` (Prometheus text format).
 *
 * @module
 */
import type { SignerMetrics } from "./metrics.ts";
import type { SignerState } from "./signer_state.ts";

/**
 * Creates the request handler.
 *
 * @param state the signer state
 * @param metrics the metrics
 * @param clock the time source
 * @returns a fetch-style handler
 */
export function createHttpHandler(
  state: SignerState,
  metrics: SignerMetrics,
  clock: () => Date = () => new Date(),
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    switch (new URL(request.url).pathname) {
      case "/healthz":
        return text("ok\n", 200);
      case "/readyz": {
        const readiness = state.readiness(clock());
        const note = state.lastReloadError ? `last reload refused: ${state.lastReloadError}\n` : "";
        return text(`${readiness.reason}\n${note}`, readiness.ready ? 200 : 503);
      }
      case "/metrics":
        return new Response(await metrics.render(), {
          headers: { "content-type": metrics.registry.contentType },
        });
      default:
        return text("not found\n", 404);
    }
  };
}

/** A running HTTP listener. */
export interface HttpListener {
  /** The bound port. */
  port: number;
  /** Stops it. */
  shutdown(): Promise<void>;
}

/**
 * Serves `handler` on `hostname:port`.
 *
 * @param address where to listen
 * @param handler the request handler
 * @returns the running listener
 */
export function serveHttp(
  address: { hostname: string; port: number },
  handler: (request: Request) => Promise<Response>,
): Promise<HttpListener> {
  return new Promise((resolve, reject) => {
    try {
      const server = Deno.serve({
        hostname: address.hostname,
        port: address.port,
        onListen: ({ port }) => resolve({ port, shutdown: () => server.shutdown() }),
      }, handler);
    } catch (error) {
      reject(error);
    }
  });
}

function text(body: string, status: number): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
