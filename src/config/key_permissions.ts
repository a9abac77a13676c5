/**
 * Whether a secret file (CA key, secrets bundle, token file) is private enough to load.
 *
 * A CA key readable by other local users lets any of them mint worker identities. Readable by the
 * file's group is acceptable only when that group is the signer's own (the Kubernetes pattern: a
 * Secret volume with `defaultMode: 0440` and the pod's `fsGroup` set to the signer's group, since
 * kubelet writes Secret files owned by root). Kubernetes mounts Secrets 0644 through `..data`
 * symlinks unless the volume sets `defaultMode`, which is the common way to get this wrong, so that
 * case gets its own advice.
 *
 * @module
 */

/** What the file system says about a secret file. */
export interface FilePermissions {
  /** POSIX permission bits, or `null` where the platform has none (Windows). */
  mode: number | null;
  /** True when the path resolves through a Kubernetes Secret volume's `..data` link. */
  kubernetesSecretMount: boolean;
  /** The file's group id, where known. */
  gid?: number | null;
  /** The signer process's group id, where known. */
  processGid?: number | null;
}

/**
 * Checks a secret file's permissions.
 *
 * @param permissions the file's permission facts
 * @returns `undefined` when private, else what is wrong and how to fix it
 */
export function checkSecretFilePermissions(permissions: FilePermissions): string | undefined {
  if (permissions.mode === null) return undefined;
  const ownGroup = permissions.gid != null && permissions.gid === permissions.processGid;
  const othersRead = (permissions.mode & 0o007) !== 0;
  const groupRead = (permissions.mode & 0o070) !== 0;
  if (!othersRead && (!groupRead || ownGroup)) return undefined;
  const mode = (permissions.mode & 0o777).toString(8).padStart(4, "0");
  const fix = permissions.kubernetesSecretMount
    ? "this is a Kubernetes Secret mount: set defaultMode: 0440 on the Secret volume and the pod's fsGroup to the signer's group (talos-csr-signer manifests does both)"
    : "chmod 600 the file (or 640 with the signer's own group)";
  return `is readable by group or others (mode ${mode}); ${fix}, or set ALLOW_INSECURE_KEY_PERMISSIONS=true`;
}
