/**
 * Paths to shared test data. The Talos secrets bundle is a real `talosctl gen secrets` output
 * (a Talos test fixture, not a live secret), loaded unmodified.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** Repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The shared folder: `SHARED_DIR`, or `../shared` beside the repository. */
export const SHARED_DIR = Deno.env.get("SHARED_DIR") ??
  fileURLToPath(new URL("../../../shared/", import.meta.url));

/** Path of the Talos secrets bundle fixture. */
export const TALOS_SECRETS_PATH = `${SHARED_DIR.replace(/\/$/, "")}/fixtures/talos-secrets.yaml`;

/**
 * Reads the Talos secrets bundle fixture.
 *
 * @returns its YAML text
 */
export function readTalosSecrets(): Promise<string> {
  return Deno.readTextFile(TALOS_SECRETS_PATH);
}
