/**
 * The Grafana dashboard, as data: every panel's PromQL in one place, rendered to
 * deploy/monitoring/grafana-dashboard.json. A test runs each query on a real Prometheus scraping
 * a real signer.
 *
 * @module
 */
import { JOB_SELECTOR } from "./alerts.ts";

/** One query of a panel. */
export interface PanelQuery {
  /** PromQL, with Grafana's `$instance` and `$__rate_interval`. */
  expr: string;
  /** Series name in the legend. */
  legend: string;
}

/** One panel. */
export interface PanelSpec {
  /** Title. */
  title: string;
  /** `timeseries` for rates and levels, `stat` for a time to expiry. */
  type: "timeseries" | "stat";
  /** Grafana unit id. */
  unit: string;
  /** The queries. */
  queries: readonly PanelQuery[];
}

const SEL = `${JOB_SELECTOR}, instance=~"$instance"`;
const RATE = "[$__rate_interval]";
const CERTIFICATE = 'method="/securityapi.SecurityService/Certificate"';

function rateBy(label: string, counter: string): PanelQuery {
  return {
    expr: `sum by (${label}) (rate(${counter}{${SEL}}${RATE}))`,
    legend: `{{${label}}}`,
  };
}

function latency(quantile: number): PanelQuery {
  return {
    expr: `histogram_quantile(${quantile}, sum by (le) ` +
      `(rate(talos_csr_signer_request_duration_seconds_bucket{${SEL}, ${CERTIFICATE}}${RATE})))`,
    legend: `p${quantile * 100}`,
  };
}

/** The panels, in reading order (two per row). */
export const DASHBOARD_PANELS: readonly PanelSpec[] = [
  {
    title: "Calls by code",
    type: "timeseries",
    unit: "reqps",
    queries: [rateBy("code", "talos_csr_signer_requests_total")],
  },
  {
    title: "Certificates issued",
    type: "timeseries",
    unit: "ops",
    queries: [{
      expr: `sum(rate(talos_csr_signer_certificates_issued_total{${SEL}}${RATE}))`,
      legend: "issued",
    }],
  },
  {
    title: "Certificate call latency",
    type: "timeseries",
    unit: "s",
    queries: [latency(0.5), latency(0.9), latency(0.99)],
  },
  {
    title: "Calls in flight",
    type: "timeseries",
    unit: "short",
    queries: [{
      expr: `sum by (instance) (talos_csr_signer_in_flight_requests{${SEL}})`,
      legend: "{{instance}}",
    }],
  },
  {
    title: "Auth failures by reason",
    type: "timeseries",
    unit: "reqps",
    queries: [rateBy("reason", "talos_csr_signer_auth_failures_total")],
  },
  {
    title: "Policy rejections by rule",
    type: "timeseries",
    unit: "reqps",
    queries: [rateBy("rule", "talos_csr_signer_policy_rejections_total")],
  },
  {
    title: "Calls refused by a limit",
    type: "timeseries",
    unit: "reqps",
    queries: [rateBy("reason", "talos_csr_signer_rate_limited_total")],
  },
  {
    title: "Refused by the transport (before any token)",
    type: "timeseries",
    unit: "reqps",
    queries: [rateBy("reason", "talos_csr_signer_transport_refusals_total")],
  },
  {
    title: "Up and ready",
    type: "timeseries",
    unit: "short",
    queries: [
      { expr: `up{${SEL}}`, legend: "up {{instance}}" },
      { expr: `talos_csr_signer_ready{${SEL}}`, legend: "ready {{instance}}" },
    ],
  },
  {
    title: "Issuing CA expires in",
    type: "stat",
    unit: "dtdurations",
    queries: [{ expr: `min(talos_csr_signer_ca_expiry_seconds{${SEL}})`, legend: "CA" }],
  },
  {
    title: "Serving certificate expires in",
    type: "stat",
    unit: "dtdurations",
    queries: [{
      expr: `min by (instance) (talos_csr_signer_serving_certificate_expiry_seconds{${SEL}})`,
      legend: "{{instance}}",
    }],
  },
  {
    title: "Reloads",
    type: "timeseries",
    unit: "short",
    queries: [
      {
        expr: `talos_csr_signer_last_reload_successful{${SEL}}`,
        legend: "last reload ok {{instance}}",
      },
      {
        expr: `sum by (instance) (increase(talos_csr_signer_reload_failures_total{${SEL}}${RATE}))`,
        legend: "refused {{instance}}",
      },
    ],
  },
  {
    title: "Since the last successful load",
    type: "timeseries",
    unit: "s",
    queries: [{
      expr: `time() - talos_csr_signer_last_reload_success_timestamp_seconds{${SEL}}`,
      legend: "{{instance}}",
    }],
  },
  {
    title: "Memory",
    type: "timeseries",
    unit: "bytes",
    queries: [
      { expr: `process_resident_memory_bytes{${SEL}}`, legend: "resident {{instance}}" },
      { expr: `nodejs_heap_size_used_bytes{${SEL}}`, legend: "V8 heap {{instance}}" },
    ],
  },
  {
    title: "CPU",
    type: "timeseries",
    unit: "short",
    queries: [{
      expr: `rate(process_cpu_seconds_total{${SEL}}${RATE})`,
      legend: "cores {{instance}}",
    }],
  },
  {
    title: "Event-loop lag",
    type: "timeseries",
    unit: "s",
    queries: [
      { expr: `nodejs_eventloop_lag_seconds{${SEL}}`, legend: "at scrape {{instance}}" },
      { expr: `nodejs_eventloop_lag_p99_seconds{${SEL}}`, legend: "p99 {{instance}}" },
    ],
  },
];

/** The metric the `instance` variable lists values from. */
export const INSTANCE_VARIABLE_METRIC = `talos_csr_signer_build_info{${JOB_SELECTOR}}`;

/**
 * Builds the dashboard JSON (Grafana's import format, schema 39).
 *
 * @returns the dashboard object
 */
export function buildDashboard(): Record<string, unknown> {
  const datasource = { type: "prometheus", uid: "${datasource}" };
  return {
    title: "talos-csr-signer",
    uid: "talos-csr-signer",
    tags: ["talos", "talos-csr-signer"],
    timezone: "utc",
    schemaVersion: 39,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    templating: {
      list: [
        { name: "datasource", label: "Data source", type: "datasource", query: "prometheus" },
        {
          name: "instance",
          label: "Instance",
          type: "query",
          datasource,
          query: `label_values(${INSTANCE_VARIABLE_METRIC}, instance)`,
          refresh: 2,
          multi: true,
          includeAll: true,
          allValue: ".+",
          current: { text: "All", value: "$__all" },
        },
      ],
    },
    panels: DASHBOARD_PANELS.map((panel, index) => ({
      id: index + 1,
      title: panel.title,
      type: panel.type,
      datasource,
      gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      options: panel.type === "stat" ? { reduceOptions: { calcs: ["lastNotNull"] } } : {},
      targets: panel.queries.map((query, q) => ({
        refId: String.fromCharCode(65 + q),
        datasource,
        expr: query.expr,
        legendFormat: query.legend,
      })),
    })),
  };
}
