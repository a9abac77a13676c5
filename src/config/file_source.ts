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
      processGid: processGid(),
    };
  },
};

/**
 * The process's group id (needs `--allow-sys=gid`); null when not permitted or not POSIX, which
 * makes the permission check strict (group-readable files refused).
 */
function processGid(): number | null {
  try {
    return Deno.gid();
  } catch {
    return null;
  }
}
