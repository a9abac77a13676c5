/**
 * Whether a secret file (CA key, secrets bundle, token file) is private enough to load.
 *
 * A CA key readable by other local users lets any of them mint worker identities. Kubernetes mounts
 * Secrets 0644 through `..data` symlinks unless the volume sets `defaultMode`, which is the common
 * way to get this wrong, so that case gets its own advice.
 *
 * @module
 */

/** What the file system says about a secret file. */
export interface FilePermissions {
  /** POSIX permission bits, or `null` where the platform has none (Windows). */
  mode: number | null;
  /** True when the path resolves through a Kubernetes Secret volume's `..data` link. */
  kubernetesSecretMount: boolean;
}

/**
 * Checks a secret file's permissions.
 *
 * @param permissions the file's permission facts
 * @returns `undefined` when private, else what is wrong and how to fix it
 */
export function checkSecretFilePermissions(permissions: FilePermissions): string | undefined {
  if (permissions.mode === null || (permissions.mode & 0o077) === 0) return undefined;
  const mode = (permissions.mode & 0o777).toString(8).padStart(4, "0");
  const fix = permissions.kubernetesSecretMount
    ? "this is a Kubernetes Secret mount: set defaultMode: 0400 on the Secret volume"
    : "chmod 600 the file";
  return `is readable by group or others (mode ${mode}); ${fix}, or set ALLOW_INSECURE_KEY_PERMISSIONS=true`;
}
