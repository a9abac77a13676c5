/**
 * The file system as configuration loading sees it. The real one is here; tests may pass their own.
 *
 * @module
 */
import type { FilePermissions } from "./key_permissions.ts";

/** Reads files and their permissions. */
export interface FileSource {
  /** Reads a UTF-8 text file. */
  readText(path: string): Promise<string>;
  /** Reads a file's permission facts (following symlinks). */
  permissions(path: string): Promise<FilePermissions>;
}

/** The local file system. */
export const LOCAL_FILES: FileSource = {
  readText: (path) => Deno.readTextFile(path),
  async permissions(path) {
    const [info, real] = await Promise.all([Deno.stat(path), Deno.realPath(path)]);
    return {
      mode: info.mode,
      kubernetesSecretMount: real.includes("/.."),
      gid: info.gid,
      processGid: await processGid(),
    };
  },
};

let ownGid: Promise<number | null> | undefined;

/** The process's real group id, from /proc (Linux); null elsewhere. Needs no extra permission. */
function processGid(): Promise<number | null> {
  ownGid ??= Deno.readTextFile("/proc/self/status").then(
    (status) => Number(/^Gid:\s+(\d+)/m.exec(status)?.[1] ?? NaN),
    () => null,
  ).then((gid) => (gid === null || Number.isNaN(gid) ? null : gid));
  return ownGid;
}
