/**
 * Kubernetes manifests for the signer, built from a secrets bundle, as files each applied by one
 * command: the Secret with the CA and token, the workers' RBAC, and the workload of one of three
 * ways to run it (or, for Kamaji, a TenantControlPlane merge patch). Pure: returns objects; the
 * CLI turns them into YAML.
 *
 * @module
 */
import { decodePem, encodePem } from "../pki/pem.ts";
import type { SecretsBundle } from "../config/secrets_bundle.ts";
import type { KubernetesObject } from "./kubernetes_object.ts";
import {
  buildSecretVolume,
  buildSignerContainer,
  POD_SECURITY_CONTEXT,
  TRUSTD_PORT,
} from "./signer_pod.ts";
import { buildWorkerRbac } from "./worker_rbac.ts";
import { buildTenantPatch } from "./kamaji_patch.ts";

export type { KubernetesObject };
export { SECRET_MODE, SIGNER_UID } from "./signer_pod.ts";

/** How the signer runs next to the control plane. */
export type DeployMode = "daemonset" | "kamaji-sidecar" | "deployment";

/** What the manifests are built from. */
export interface ManifestOptions {
  /** The parsed `talosctl gen secrets` bundle. */
  bundle: SecretsBundle;
  /** Namespace of every namespaced object (for Kamaji: the TenantControlPlane's). */
  namespace: string;
  /** Base name of every object. */
  name: string;
  /** The host of `cluster.controlPlane.endpoint` (IP or DNS name), which workers dial. */
  endpoint: string;
  /** Further names and addresses workers may dial. */
  sans: string[];
  /** The workload kind. */
  mode: DeployMode;
  /** The container image. */
  image: string;
  /** For `kamaji-sidecar`: the TenantControlPlane to patch. */
  tenant?: string;
  /** Whether to include the workers' EndpointSlice RBAC. @default true */
  workerRbac?: boolean;
}

/** One file of the output, applied with one command. */
export interface ManifestFile {
  /** File name under `--out`. */
  file: string;
  /** What it is for, one line. */
  purpose: string;
  /** Its documents: Kubernetes objects, or for the Kamaji patch the merge patch body. */
  documents: KubernetesObject[];
  /** The command that applies it, given its path. */
  applyCommand(path: string): string;
}

const VOLUME = "talos-ca";

/**
 * Builds the manifest files, in the order they are applied: Secret, RBAC, workload.
 *
 * @param options bundle, names, endpoint and mode
 * @returns the files
 */
export function buildManifests(options: ManifestOptions): ManifestFile[] {
  const secretName = `${options.name}-ca`;
  const labels = {
    "app.kubernetes.io/name": "talos-csr-signer",
    "app.kubernetes.io/instance": options.name,
  };
  const apply = (path: string) => `kubectl apply -f ${path}`;
  const secret: ManifestFile = {
    file: "secret.yaml",
    purpose: "the CA certificate, CA key and token: keep it private",
    documents: [buildCaSecret(options.bundle, secretName, options.namespace, labels)],
    applyCommand: apply,
  };
  const rbac: ManifestFile[] = options.workerRbac === false ? [] : [{
    file: "worker-rbac.yaml",
    purpose: options.mode === "kamaji-sidecar"
      ? "lets workers watch the API server addresses: apply it in the TENANT cluster"
      : "lets workers watch the API server addresses (EndpointSlices)",
    documents: buildWorkerRbac(options.name, labels),
    applyCommand: options.mode === "kamaji-sidecar"
      ? (path) => `kubectl --kubeconfig tenant.kubeconfig apply -f ${path}`
      : apply,
  }];
  const container = buildSignerContainer({
    image: options.image,
    volumeName: VOLUME,
    sans: [options.endpoint, ...options.sans],
    nodeIps: options.mode === "daemonset",
  });
  const volume = buildSecretVolume(VOLUME, secretName);
  if (options.mode === "kamaji-sidecar") {
    const tenant = options.tenant ?? options.name;
    return [secret, {
      file: "tenant-patch.yaml",
      purpose: `merge patch adding the signer to TenantControlPlane ${tenant}`,
      documents: [buildTenantPatch(container, volume)],
      applyCommand: (path) =>
        `kubectl patch tenantcontrolplane ${tenant} --namespace ${options.namespace} --type merge --patch-file ${path}`,
    }, ...rbac];
  }
  const podSpec = {
    securityContext: POD_SECURITY_CONTEXT,
    containers: [container],
    volumes: [volume],
  };
  const meta = { name: options.name, namespace: options.namespace, labels };
  const workload = options.mode === "daemonset"
    ? [buildDaemonSet(meta, labels, podSpec, container)]
    : buildDeployment(meta, labels, podSpec);
  return [secret, ...rbac, {
    file: "signer.yaml",
    purpose: `the signer ${options.mode === "daemonset" ? "DaemonSet" : "Deployment and Service"}`,
    documents: workload,
    applyCommand: apply,
  }];
}

function buildCaSecret(
  bundle: SecretsBundle,
  name: string,
  namespace: string,
  labels: Record<string, string>,
): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace, labels },
    type: "Opaque",
    stringData: {
      "ca.crt": bundle.caCertificatePem,
      // Relabelled from Talos's `ED25519 PRIVATE KEY` to the RFC 7468 label other tools expect.
      "ca.key": relabelKey(bundle.caKeyPem),
      token: `${bundle.token}\n`,
    },
  };
}

/** On every control-plane node, with hostPort 50001: workers dial the node IPs (EndpointSlice). */
function buildDaemonSet(
  meta: KubernetesObject,
  labels: Record<string, string>,
  podSpec: KubernetesObject,
  container: KubernetesObject,
): KubernetesObject {
  const [trustd, http] = container.ports as KubernetesObject[];
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta,
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          ...podSpec,
          containers: [{ ...container, ports: [{ ...trustd, hostPort: TRUSTD_PORT }, http] }],
          nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
          tolerations: [
            {
              key: "node-role.kubernetes.io/control-plane",
              operator: "Exists",
              effect: "NoSchedule",
            },
            { key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" },
          ],
        },
      },
    },
  };
}

/** Two replicas behind a LoadBalancer Service that is the control-plane endpoint's address. */
function buildDeployment(
  meta: KubernetesObject,
  labels: Record<string, string>,
  podSpec: KubernetesObject,
): KubernetesObject[] {
  return [{
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta,
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: podSpec },
    },
  }, {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta,
    spec: {
      type: "LoadBalancer",
      // Keep the worker's address visible to the signer (PEER_BINDING, per-address limits).
      externalTrafficPolicy: "Local",
      selector: labels,
      ports: [{ name: "trustd", port: TRUSTD_PORT, targetPort: "trustd", protocol: "TCP" }],
    },
  }];
}

function relabelKey(pem: string): string {
  const block = decodePem(pem).find((b) => b.label.endsWith("PRIVATE KEY"));
  if (!block) throw new TypeError("Cannot build manifests: the bundle's CA key has no PEM block");
  return block.label === "ED25519 PRIVATE KEY" ? encodePem("PRIVATE KEY", block.der) : pem;
}
