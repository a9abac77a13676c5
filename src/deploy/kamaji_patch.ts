/**
 * The Kamaji sidecar: a JSON merge patch (RFC 7396) for an existing TenantControlPlane that adds
 * the signer container next to the tenant's API server, mounts the CA Secret, lets the pod's
 * fsGroup read it, and exposes port 50001 on the tenant's Service. Workers dial the tenant's
 * endpoint, and the tenant's `default/kubernetes` EndpointSlice holds that same advertised address,
 * so every address a worker dials reaches this sidecar.
 *
 * @module
 */
import type { KubernetesObject } from "./kubernetes_object.ts";
import { SIGNER_UID, TRUSTD_PORT } from "./signer_pod.ts";

/**
 * The oldest Kamaji release whose TenantControlPlane CRD has every field the patch sets:
 * `deployment.podSecurityContext` arrived in 26.6.4-edge (clastix/kamaji commit 5e57607),
 * `service.additionalPorts` in edge-25.11.2.
 */
export const MIN_KAMAJI_VERSION = "26.6.4-edge";

/**
 * Builds the merge patch body: only `spec`, so `kubectl patch --type merge` leaves everything
 * else of the TenantControlPlane alone. A merge patch replaces lists whole: a tenant that already
 * has additional containers, volumes or ports must list them in the patch too.
 *
 * @param container the signer container
 * @param volume the Secret volume
 * @returns the patch
 */
export function buildTenantPatch(
  container: KubernetesObject,
  volume: KubernetesObject,
): KubernetesObject {
  return {
    spec: {
      controlPlane: {
        deployment: {
          additionalContainers: [container],
          additionalVolumes: [volume],
          podSecurityContext: { fsGroup: SIGNER_UID },
        },
        service: {
          additionalPorts: [
            { name: "trustd", port: TRUSTD_PORT, targetPort: TRUSTD_PORT, protocol: "TCP" },
          ],
        },
      },
    },
  };
}
