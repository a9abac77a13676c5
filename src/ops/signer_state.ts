/**
 * The signer's current material and lifecycle, shared by the request handler, health checks,
 * metrics and reloads. A reload replaces the whole set at once; each request reads it once.
 *
 * @module
 */
import type { LoadedMaterial } from "./material.ts";
import { checkReadiness, type Readiness } from "./readiness.ts";

/** Current material, shutdown flag and the last reload problem. */
export class SignerState {
  #material: LoadedMaterial;
  #shuttingDown = false;
  #lastReloadError: string | undefined;
  readonly #listeners = new Set<() => void>();

  /** @param material the material loaded at start-up */
  constructor(material: LoadedMaterial) {
    this.#material = material;
  }

  /** The material in use. */
  get material(): LoadedMaterial {
    return this.#material;
  }

  /** The last refused reload's reason, until a reload succeeds. */
  get lastReloadError(): string | undefined {
    return this.#lastReloadError;
  }

  /**
   * Swaps in a new set of material.
   *
   * @param material the new set
   */
  replace(material: LoadedMaterial): void {
    this.#material = material;
    this.#lastReloadError = undefined;
    this.notify();
  }

  /**
   * Records a refused reload (the current set keeps serving).
   *
   * @param reason what was wrong
   */
  reloadRefused(reason: string): void {
    this.#lastReloadError = reason;
  }

  /** Forgets the last refusal: the files are back to the material in use. */
  reloadRecovered(): void {
    this.#lastReloadError = undefined;
  }

  /** Marks the signer not ready because it is stopping. */
  beginShutdown(): void {
    this.#shuttingDown = true;
    this.notify();
  }

  /**
   * Judges readiness now.
   *
   * @param now the current time
   * @returns the verdict
   */
  readiness(now: Date): Readiness {
    const { authority, serving } = this.#material;
    return checkReadiness({
      authority,
      servingNotAfter: serving.notAfter,
      shuttingDown: this.#shuttingDown,
    }, now);
  }

  /**
   * Subscribes to changes that may affect readiness.
   *
   * @param listener called after each change
   * @returns a function that unsubscribes
   */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells subscribers to re-check (also called periodically, as expiry depends on time). */
  notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
