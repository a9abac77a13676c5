/**
 * The RBAC a Talos worker needs on a control plane that is not Talos (contract §5): its kubelet
 * identity watches the `default/kubernetes` EndpointSlice to learn every API server address, and
 * dials trustd on each. Talos control planes grant this themselves; kubeadm and Kamaji do not, and
 * then workers log "kubernetes endpoint watch error" and only ever know the endpoint host.
 *
 * @module
 */
import type { KubernetesObject } from "./kubernetes_object.ts";

/** The group every kubelet's identity is in. */
export const NODES_GROUP = "system:nodes";

/**
 * Builds the ClusterRole (get, list, watch on `discovery.k8s.io` endpointslices) and the
 * ClusterRoleBinding that grants it to the group `system:nodes`.
 *
 * @param name base name of both objects
 * @param labels labels of both objects
 * @returns the ClusterRole, then the ClusterRoleBinding
 */
export function buildWorkerRbac(
  name: string,
  labels: Record<string, string>,
): KubernetesObject[] {
  const roleName = `${name}:worker-endpointslices`;
  return [{
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: roleName, labels },
    rules: [{
      apiGroups: ["discovery.k8s.io"],
      resources: ["endpointslices"],
      verbs: ["get", "list", "watch"],
    }],
  }, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: roleName, labels },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: NODES_GROUP }],
  }];
}
