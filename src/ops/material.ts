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
import type { FilePermissions } from "../config/key_permissions.ts";
import type { Config } from "../config/parse_config.ts";

/** A complete, checked set of material. */
export interface LoadedMaterial {
  /** The signing authority. */
  authority: Authority;
  /** The serving certificate in use. */
  serving: ServingMaterial;
  /** SHA-256 over every input file's path, permissions and content. */
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
 * Loads the material at start-up. Reloads go through `reload.ts`, which compares snapshot digests
 * before building anything.
 *
 * @param config the configuration
 * @param files the file system
 * @param now the current time
 * @param warn receives warnings (tolerated insecure permissions)
 * @returns the material
 * @throws {ConfigErrors} naming each setting and file at fault
 */
export async function loadMaterial(
  config: Config,
  files: FileSource,
  now: Date,
  warn?: (message: string) => void,
): Promise<LoadedMaterial> {
  return await buildMaterial(config, await snapshotMaterial(config, files), now, undefined, warn);
}

/** Every input file's content and permissions, read once. */
export interface MaterialSnapshot {
  /** SHA-256 over each file's path, permissions and content (or the error reading it). */
  digest: string;
  /** Serves the snapshot's reads. */
  source: FileSource;
}

/**
 * Reads every file the configuration names, with its permissions, into a snapshot. Permissions
 * are part of the digest, so a CA key made readable by others is noticed as a change even though
 * its content stayed the same.
 *
 * @param config the configuration
 * @param files the file system
 * @returns the snapshot
 */
export async function snapshotMaterial(
  config: Config,
  files: FileSource,
): Promise<MaterialSnapshot> {
  const texts = new Map<string, Promise<string>>();
  const permissions = new Map<string, Promise<FilePermissions>>();
  for (const path of new Set(materialPaths(config))) {
    const text = files.readText(path);
    const facts = files.permissions(path);
    // Surfaced when the loader reads them.
    text.catch(() => {});
    facts.catch(() => {});
    texts.set(path, text);
    permissions.set(path, facts);
  }
  const parts = await Promise.all(
    [...texts].map(async ([path, text]) => {
      const facts = await permissions.get(path)!.then(
        (p) => JSON.stringify([p.mode, p.gid ?? null, p.kubernetesSecretMount]),
        (e) => `!${e}`,
      );
      return `${path}\0${facts}\0${await text.catch((e) => `!${e}`)}`;
    }),
  );
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0"))),
  ).toHex();
  return {
    digest,
    source: {
      readText: (path) => texts.get(path) ?? files.readText(path),
      permissions: (path) => permissions.get(path) ?? files.permissions(path),
    },
  };
}

/**
 * Builds a complete set of material from a snapshot.
 *
 * @param config the configuration
 * @param snapshot the files, read once
 * @param now the current time
 * @param previous the material in use, if any (its self-issued serving certificate is kept while
 * the CA stays the same)
 * @param warn receives warnings (tolerated insecure permissions)
 * @returns the material
 * @throws {ConfigErrors} naming each setting and file at fault
 */
export async function buildMaterial(
  config: Config,
  snapshot: MaterialSnapshot,
  now: Date,
  previous?: LoadedMaterial,
  warn?: (message: string) => void,
): Promise<LoadedMaterial> {
  const authority = await loadAuthority(config, snapshot.source, warn);
  const sameCa = previous?.authority.issuingCa.fingerprint === authority.issuingCa.fingerprint;
  const serving = previous && sameCa && config.serving.kind === "self-issued"
    ? previous.serving
    : await loadServingMaterial(config, authority, snapshot.source, now);
  return { authority, serving, digest: snapshot.digest };
}
