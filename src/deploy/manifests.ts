/**
 * Kubernetes manifests for the signer, built from a secrets bundle: the Secret with the CA and
 * token, and the workload for one of three ways to run it. Pure: returns objects; the CLI turns
 * them into YAML.
 *
 * @module
 */
import { decodePem, encodePem } from "../pki/pem.ts";
import type { SecretsBundle } from "../config/secrets_bundle.ts";

/** How the signer runs next to the control plane. */
export type DeployMode = "daemonset" | "kamaji-sidecar" | "deployment";

/** What the manifests are built from. */
export interface ManifestOptions {
  /** The parsed `talosctl gen secrets` bundle. */
  bundle: SecretsBundle;
  /** Namespace of every object. */
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
}

/** A Kubernetes object, as plain data. */
export type KubernetesObject = Record<string, unknown>;

const PORT = 50001;
const HTTP_PORT = 9090;
const MOUNT = "/etc/talos-ca";
/** The distroless nonroot user and group the image runs as. */
export const SIGNER_UID = 65532;
/** Secret files: owner (root) and the pod's fsGroup may read; see docs/security.md. */
export const SECRET_MODE = 0o440;

/**
 * Builds the manifests.
 *
 * @param options bundle, names, endpoint and mode
 * @returns the objects, Secret first
 */
export function buildManifests(options: ManifestOptions): KubernetesObject[] {
  const secretName = `${options.name}-ca`;
  const labels = {
    "app.kubernetes.io/name": "talos-csr-signer",
    "app.kubernetes.io/instance": options.name,
  };
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: secretName, namespace: options.namespace, labels },
    type: "Opaque",
    stringData: {
      "ca.crt": options.bundle.caCertificatePem,
      // Relabelled from Talos's `ED25519 PRIVATE KEY` to the RFC 7468 label other tools expect.
      "ca.key": relabelKey(options.bundle.caKeyPem),
      token: `${options.bundle.token}\n`,
    },
  };
  const container = signerContainer(options);
  const volume = { name: "talos-ca", secret: { secretName, defaultMode: SECRET_MODE } };
  const podSecurity = {
    runAsNonRoot: true,
    runAsUser: SIGNER_UID,
    runAsGroup: SIGNER_UID,
    fsGroup: SIGNER_UID,
  };
  const podSpec = { securityContext: podSecurity, containers: [container], volumes: [volume] };
  const meta = { name: options.name, namespace: options.namespace, labels };
  switch (options.mode) {
    case "daemonset":
      return [secret, {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: meta,
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              ...podSpec,
              containers: [{
                ...container,
                ports: [{ ...portOf(container), hostPort: PORT }, httpPortOf(container)],
              }],
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
      }];
    case "deployment":
      return [secret, {
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
          ports: [{ name: "trustd", port: PORT, targetPort: "trustd", protocol: "TCP" }],
        },
      }];
    case "kamaji-sidecar":
      return [secret, {
        apiVersion: "kamaji.clastix.io/v1alpha1",
        kind: "TenantControlPlane",
        metadata: { name: options.tenant ?? options.name, namespace: options.namespace },
        spec: {
          controlPlane: {
            deployment: {
              additionalContainers: [container],
              additionalVolumes: [volume],
              podSecurityContext: { fsGroup: SIGNER_UID },
            },
            service: {
              additionalPorts: [{ name: "trustd", port: PORT, targetPort: PORT, protocol: "TCP" }],
            },
          },
        },
      }];
  }
}

function signerContainer(options: ManifestOptions): Record<string, unknown> {
  const sans = [options.endpoint, ...options.sans].join(",");
  return {
    name: "talos-csr-signer",
    image: options.image,
    args: ["serve"],
    env: [
      { name: "CA_CERT_PATH", value: `${MOUNT}/ca.crt` },
      { name: "CA_KEY_PATH", value: `${MOUNT}/ca.key` },
      { name: "TALOS_TOKEN_FILE", value: `${MOUNT}/token` },
      { name: "SERVER_SANS", value: sans },
      { name: "HTTP_ADDR", value: `0.0.0.0:${HTTP_PORT}` },
    ],
    ports: [
      { name: "trustd", containerPort: PORT, protocol: "TCP" },
      { name: "http", containerPort: HTTP_PORT, protocol: "TCP" },
    ],
    volumeMounts: [{ name: "talos-ca", mountPath: MOUNT, readOnly: true }],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: SIGNER_UID,
      runAsGroup: SIGNER_UID,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    resources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "256Mi" } },
    livenessProbe: {
      httpGet: { path: "/healthz", port: "http" },
      periodSeconds: 10,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: "/readyz", port: "http" },
      periodSeconds: 5,
      failureThreshold: 2,
    },
  };
}

function portOf(container: Record<string, unknown>) {
  return (container.ports as Record<string, unknown>[])[0]!;
}

function httpPortOf(container: Record<string, unknown>) {
  return (container.ports as Record<string, unknown>[])[1]!;
}

function relabelKey(pem: string): string {
  const block = decodePem(pem).find((b) => b.label.endsWith("PRIVATE KEY"));
  if (!block) throw new TypeError("Cannot build manifests: the bundle's CA key has no PEM block");
  return block.label === "ED25519 PRIVATE KEY" ? encodePem("PRIVATE KEY", block.der) : pem;
}
