/**
 * Process metrics under their standard names (those of Prometheus client libraries and
 * prom-client's Node.js collectors), for the dashboard and the alerts.
 *
 * CPU time comes from `process.cpuUsage()`, memory from `Deno.memoryUsage()` (Deno refuses
 * `/proc/self` without `--allow-all`, even with `--allow-read`). `process_open_fds` is not exposed:
 * counting file descriptors would need `--allow-all`, which would undo the sandbox (cAdvisor's
 * `container_file_descriptors` or node_exporter's process collector count them from outside).
 * Event-loop lag is sampled by {@linkcode EventLoopLag}, in fixed memory.
 *
 * @module
 */
import process from "node:process";
import { EventLoopLag } from "./event_loop_lag.ts";
import { Counter, Gauge, type Registry } from "./prometheus/mod.ts";

/** The process metrics {@linkcode registerProcessMetrics} adds, in page order. */
export const PROCESS_METRIC_NAMES: readonly string[] = [
  "process_cpu_user_seconds_total",
  "process_cpu_system_seconds_total",
  "process_cpu_seconds_total",
  "process_start_time_seconds",
  "process_resident_memory_bytes",
  "nodejs_eventloop_lag_seconds",
  "nodejs_eventloop_lag_p50_seconds",
  "nodejs_eventloop_lag_p90_seconds",
  "nodejs_eventloop_lag_p99_seconds",
  "nodejs_eventloop_lag_max_seconds",
  "nodejs_heap_size_total_bytes",
  "nodejs_heap_size_used_bytes",
  "nodejs_external_memory_bytes",
];

/** What {@linkcode registerProcessMetrics} started. */
export interface ProcessMetrics {
  /** Stops the event-loop sampler's timer (it is unref'd: it never keeps the process alive). */
  stop(): void;
}

/**
 * Adds the process metrics to `registry` and starts sampling the event loop every 20 ms.
 *
 * @param registry where the signer's metrics are exposed
 * @returns a handle to stop the sampler
 */
export function registerProcessMetrics(registry: Registry): ProcessMetrics {
  const lag = new EventLoopLag({ intervalMs: 20 });
  lag.start();
  const cpu = (read: (usage: NodeJS.CpuUsage) => number) => () => read(process.cpuUsage()) / 1e6;
  new Counter({
    name: "process_cpu_user_seconds_total",
    help: "Total user CPU time spent in seconds.",
    registry,
    read: cpu((u) => u.user),
  });
  new Counter({
    name: "process_cpu_system_seconds_total",
    help: "Total system CPU time spent in seconds.",
    registry,
    read: cpu((u) => u.system),
  });
  new Counter({
    name: "process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds.",
    registry,
    read: cpu((u) => u.user + u.system),
  });
  const started = performance.timeOrigin / 1000;
  new Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since unix epoch in seconds.",
    registry,
    read: () => started,
  });
  const memory = (read: (usage: Deno.MemoryUsage) => number) => () => read(Deno.memoryUsage());
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes (from Deno.memoryUsage().rss).",
    registry,
    read: memory((m) => m.rss),
  });
  // Like prom-client: the lag now, measured as how long a setImmediate callback waits, and the
  // delays the sampler recorded since the previous scrape.
  // The lag gauge reads the sampler; the percentile gauges, registered after it, show that read.
  let since = lag.read();
  new Gauge({
    name: "nodejs_eventloop_lag_seconds",
    help: "Lag of event loop in seconds, measured at scrape time.",
    registry,
    read: () => {
      since = lag.read();
      const start = performance.now();
      return new Promise((resolve) =>
        setImmediate(() => resolve((performance.now() - start) / 1000))
      );
    },
  });
  for (
    const [key, label] of [["p50", "50th percentile"], ["p90", "90th percentile"], [
      "p99",
      "99th percentile",
    ], ["max", "maximum"]] as const
  ) {
    new Gauge({
      name: `nodejs_eventloop_lag_${key}_seconds`,
      help: `The ${label} of the event loop delays sampled every 20 ms since the previous scrape.`,
      registry,
      read: () => since[key],
    });
  }
  new Gauge({
    name: "nodejs_heap_size_total_bytes",
    help: "Process heap size from V8 in bytes.",
    registry,
    read: memory((m) => m.heapTotal),
  });
  new Gauge({
    name: "nodejs_heap_size_used_bytes",
    help: "Process heap size used from V8 in bytes.",
    registry,
    read: memory((m) => m.heapUsed),
  });
  new Gauge({
    name: "nodejs_external_memory_bytes",
    help: "Node.js external memory size in bytes.",
    registry,
    read: memory((m) => m.external),
  });
  return { stop: () => lag.stop() };
}
