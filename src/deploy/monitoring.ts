/**
 * prometheus-operator objects for the signer: a `PodMonitor` that scrapes each signer pod's
 * `/metrics` (the daemonset has no Service, so a ServiceMonitor could not reach every replica), and
 * the `PrometheusRule` with the alerts. Pure: returns objects; the CLI turns them into YAML.
 *
 * @module
 */
import { buildRuleGroups } from "./alerts.ts";
import type { DeployMode, KubernetesObject } from "./manifests.ts";

/** What the monitoring objects are built from. */
export interface MonitoringOptions {
  /** Namespace of the signer's pods and of both objects. */
  namespace: string;
  /** Base name of the signer's objects (`--name`). */
  name: string;
  /** How the signer runs; decides which pod labels select it. */
  mode: DeployMode;
  /** For `kamaji-sidecar`: the TenantControlPlane whose pods carry the signer. */
  tenant?: string;
}

/** The scrape job name the alerts and the dashboard select (`job=~".*talos-csr-signer.*"`). */
export const SCRAPE_JOB = "talos-csr-signer";

/**
 * Builds the PodMonitor and the PrometheusRule.
 *
 * @param options namespace, name and deploy mode
 * @returns `[PodMonitor, PrometheusRule]`
 */
export function buildMonitoringObjects(options: MonitoringOptions): KubernetesObject[] {
  const labels = {
    "app.kubernetes.io/name": "talos-csr-signer",
    "app.kubernetes.io/instance": options.name,
  };
  // Kamaji labels each TenantControlPlane's pods with its name; the signer is a sidecar there.
  const selector = options.mode === "kamaji-sidecar"
    ? { "kamaji.clastix.io/name": options.tenant ?? options.name }
    : labels;
  return [
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: options.name, namespace: options.namespace, labels },
      spec: {
        selector: { matchLabels: selector },
        podMetricsEndpoints: [{
          port: "http",
          path: "/metrics",
          interval: "30s",
          // One job name whatever the object is called, so the alerts and dashboard find it.
          relabelings: [{ action: "replace", targetLabel: "job", replacement: SCRAPE_JOB }],
        }],
      },
    },
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: options.name, namespace: options.namespace, labels },
      spec: buildRuleGroups(),
    },
  ];
}
