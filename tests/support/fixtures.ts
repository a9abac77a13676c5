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

/** Path of the shared Talos secrets bundle fixture (read-only, mode 0444). */
export const SHARED_TALOS_SECRETS_PATH = `${
  SHARED_DIR.replace(/\/$/, "")
}/fixtures/talos-secrets.yaml`;

/**
 * Path of a byte-for-byte copy of the fixture with mode 0600, as `talosctl gen secrets` writes it:
 * the signer refuses a secrets bundle other users can read, and the shared copy is 0444.
 */
export const TALOS_SECRETS_PATH: string = (() => {
  const dir = Deno.makeTempDirSync({ prefix: "talos-secrets-" });
  const path = `${dir}/secrets.yaml`;
  try {
    Deno.copyFileSync(SHARED_TALOS_SECRETS_PATH, path);
    Deno.chmodSync(path, 0o600);
  } catch (error) {
    // The bench imports test support without needing the fixture; a test that does fails when it
    // reads this path, naming it.
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return path;
})();

/**
 * Reads the Talos secrets bundle fixture.
 *
 * @returns its YAML text
 */
export function readTalosSecrets(): Promise<string> {
  return Deno.readTextFile(SHARED_TALOS_SECRETS_PATH);
}
