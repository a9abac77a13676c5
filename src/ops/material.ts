/**
 * Loading the signer's material (CA, accepted CAs, tokens, serving certificate) as one consistent
 * set, at start-up and on every reload.
 *
 * All files are read once into a snapshot first; the set is built from that snapshot, so a file
 * replaced halfway through a reload cannot mix old and new content. A digest of the snapshot tells
 * whether anything changed, so the periodic re-check costs a few file reads.
 *
 * @module
 */
import type { Authority } from "../authority.ts";
import type { FileSource } from "../config/file_source.ts";
import { loadAuthority, loadServingMaterial, type ServingMaterial } from "../config/load.ts";
import type { Config } from "../config/parse_config.ts";

/** A complete, checked set of material. */
export interface LoadedMaterial {
  /** The signing authority. */
  authority: Authority;
  /** The serving certificate in use. */
  serving: ServingMaterial;
  /** SHA-256 over every input file's path and content. */
  digest: string;
}

/**
 * The files a configuration reads.
 *
 * @param config the configuration
 * @returns their paths, in a fixed order
 */
export function materialPaths(config: Config): string[] {
  const paths = config.ca.kind === "bundle"
    ? [config.ca.secretsPath]
    : [config.ca.certPath, config.ca.keyPath];
  if (config.tokenFile !== undefined) paths.push(config.tokenFile);
  if (config.acceptedCasPath !== undefined) paths.push(config.acceptedCasPath);
  if (config.serving.kind === "files") paths.push(config.serving.certPath, config.serving.keyPath);
  return paths;
}

/**
 * Loads the material, or reports that nothing changed since `previous`.
 *
 * A self-issued serving certificate is kept while the CA stays the same (it is renewed on its own
 * schedule) and issued anew when the CA changes.
 *
 * @param config the configuration
 * @param files the file system
 * @param now the current time
 * @param previous the material in use, if any
 * @param warn receives warnings (tolerated insecure permissions)
 * @returns the new material, or `"unchanged"`
 * @throws {ConfigErrors} naming each setting and file at fault
 */
export async function loadMaterial(
  config: Config,
  files: FileSource,
  now: Date,
  previous?: LoadedMaterial,
  warn?: (message: string) => void,
): Promise<LoadedMaterial | "unchanged"> {
  const snapshot = await snapshotFiles(materialPaths(config), files);
  if (previous && snapshot.digest === previous.digest) return "unchanged";
  const authority = await loadAuthority(config, snapshot.source, warn);
  const sameCa = previous?.authority.issuingCa.fingerprint === authority.issuingCa.fingerprint;
  const serving = previous && sameCa && config.serving.kind === "self-issued"
    ? previous.serving
    : await loadServingMaterial(config, authority, snapshot.source, now);
  return { authority, serving, digest: snapshot.digest };
}

interface Snapshot {
  digest: string;
  source: FileSource;
}

async function snapshotFiles(paths: string[], files: FileSource): Promise<Snapshot> {
  const texts = new Map<string, Promise<string>>();
  for (const path of new Set(paths)) {
    const text = files.readText(path);
    text.catch(() => {}); // surfaced when the loader reads it
    texts.set(path, text);
  }
  const parts = await Promise.all(
    [...texts].map(async ([path, text]) => `${path}\0${await text.catch((e) => `!${e}`)}`),
  );
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0"))),
  ).toHex();
  return {
    digest,
    source: {
      readText: (path) => texts.get(path) ?? files.readText(path),
      permissions: (path) => files.permissions(path),
    },
  };
}
