/**
 * The signer's container and pod settings shared by every deployment mode: hardened security
 * context, the CA Secret mounted read-only, probes on the HTTP port, and SERVER_SANS naming what
 * workers dial.
 *
 * @module
 */
import type { KubernetesObject } from "./kubernetes_object.ts";

/** The trustd port workers dial. */
export const TRUSTD_PORT = 50001;
/** The health and metrics port inside the pod. */
export const HTTP_PORT = 9090;
/** Where the CA Secret is mounted. */
export const SECRET_MOUNT = "/etc/talos-ca";
/** The distroless nonroot user and group the image runs as. */
export const SIGNER_UID = 65532;
/** Secret files: owner (root) and the pod's fsGroup may read; see docs/security.md. */
export const SECRET_MODE = 0o440;
/**
 * The environment variable the DaemonSet fills from the downward API `status.hostIPs` (every IP of
 * the node, both families, comma-separated; Kubernetes 1.29 or later).
 */
export const NODE_IPS_ENV = "NODE_IPS";

/** What the container is built from. */
export interface SignerContainerOptions {
  /** The container image. */
  image: string;
  /** The Secret volume's name. */
  volumeName: string;
  /** IPs and names for SERVER_SANS, in order. */
  sans: string[];
  /** Whether SERVER_SANS starts with the node's own IPs (DaemonSet with hostPort). */
  nodeIps: boolean;
}

/**
 * Builds the signer container.
 *
 * @param options image, volume and names
 * @returns the container
 */
export function buildSignerContainer(options: SignerContainerOptions): KubernetesObject {
  const sans = [...(options.nodeIps ? [`$(${NODE_IPS_ENV})`] : []), ...options.sans].join(",");
  return {
    name: "talos-csr-signer",
    image: options.image,
    args: ["serve"],
    env: [
      // Kubernetes expands $(NODE_IPS) in later values only when it is defined earlier in the list.
      ...(options.nodeIps
        ? [{ name: NODE_IPS_ENV, valueFrom: { fieldRef: { fieldPath: "status.hostIPs" } } }]
        : []),
      { name: "CA_CERT_PATH", value: `${SECRET_MOUNT}/ca.crt` },
      { name: "CA_KEY_PATH", value: `${SECRET_MOUNT}/ca.key` },
      { name: "TALOS_TOKEN_FILE", value: `${SECRET_MOUNT}/token` },
      { name: "SERVER_SANS", value: sans },
      { name: "HTTP_ADDR", value: `0.0.0.0:${HTTP_PORT}` },
    ],
    ports: [
      { name: "trustd", containerPort: TRUSTD_PORT, protocol: "TCP" },
      { name: "http", containerPort: HTTP_PORT, protocol: "TCP" },
    ],
    volumeMounts: [{ name: options.volumeName, mountPath: SECRET_MOUNT, readOnly: true }],
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

/**
 * The volume that mounts the CA Secret, readable by the pod's fsGroup only.
 *
 * @param volumeName the volume's name
 * @param secretName the Secret's name
 * @returns the volume
 */
export function buildSecretVolume(volumeName: string, secretName: string): KubernetesObject {
  return { name: volumeName, secret: { secretName, defaultMode: SECRET_MODE } };
}

/** The pod security context: non-root, and the fsGroup that may read the Secret files. */
export const POD_SECURITY_CONTEXT: Readonly<KubernetesObject> = {
  runAsNonRoot: true,
  runAsUser: SIGNER_UID,
  runAsGroup: SIGNER_UID,
  fsGroup: SIGNER_UID,
};
