/**
 * Prometheus metrics in the text exposition format (version 0.0.4): counters, gauges and
 * histograms with fixed label names, rendered by a registry.
 *
 * Why not prom-client: the signer needs three metric types and one page, and prom-client (with its
 * default collectors, cluster aggregation, summaries and pushgateway) costs about 4 MB of resident
 * memory at idle, about 6 % of the whole process. Its event-loop collector also holds a native
 * histogram that grows by megabytes under load (see `../event_loop_lag.ts`).
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * const calls = new Counter({ name: "calls_total", help: "Calls.", labelNames: ["code"], registry });
 * calls.inc({ code: "OK" });
 * const page = await registry.render();
 * ```
 *
 * @module
 */
export * from "./counter.ts";
export * from "./gauge.ts";
export * from "./histogram.ts";
export * from "./registry.ts";
