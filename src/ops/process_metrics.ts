/**
 * Process metrics under their standard names, for the dashboard and the alerts.
 *
 * prom-client's default collectors are used where they work under Deno: CPU time, start time,
 * event-loop lag and V8 heap. Its resident-memory and open-file collectors read `/proc/self`,
 * which Deno refuses without `--allow-all` (even with `--allow-read`), so they would report 0:
 * resident memory comes from `Deno.memoryUsage().rss` instead, and `process_open_fds` is not
 * exposed (granting `--allow-all` to count file descriptors would undo the sandbox; cAdvisor's
 * `container_file_descriptors` or node_exporter's process collector count them from outside).
 *
 * @module
 */
import { collectDefaultMetrics, Gauge, type Registry } from "prom-client";
import { Registry as PromRegistry } from "prom-client";

/** The prom-client default metrics that report true values under Deno, and are exposed. */
export const DEFAULT_COLLECTORS_KEPT: readonly string[] = [
  "process_cpu_user_seconds_total",
  "process_cpu_system_seconds_total",
  "process_cpu_seconds_total",
  "process_start_time_seconds",
  "nodejs_eventloop_lag_seconds",
  "nodejs_eventloop_lag_p50_seconds",
  "nodejs_eventloop_lag_p90_seconds",
  "nodejs_eventloop_lag_p99_seconds",
  "nodejs_eventloop_lag_max_seconds",
  "nodejs_heap_size_total_bytes",
  "nodejs_heap_size_used_bytes",
  "nodejs_external_memory_bytes",
];

/**
 * Adds the process metrics to `registry`. Call once per process: prom-client's event-loop
 * monitor runs for the life of the process.
 *
 * @param registry where the signer's metrics are exposed
 */
export function registerProcessMetrics(registry: Registry): void {
  const defaults = new PromRegistry();
  // Sampling the event loop every 20 ms (prom-client: 10) halves the idle cost.
  collectDefaultMetrics({ register: defaults, eventLoopMonitoringPrecision: 20 });
  for (const name of DEFAULT_COLLECTORS_KEPT) {
    const metric = defaults.getSingleMetric(name);
    if (metric) registry.registerMetric(metric);
  }
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes (from Deno.memoryUsage().rss).",
    registers: [registry],
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
}
