/**
 * Reloading the signer's material when its files change, without flooding the log while a bad
 * file stays in place.
 *
 * A refused reload is logged once, again when the problem changes (or on SIGHUP, which an
 * operator sends to ask), and otherwise only as a reminder every {@linkcode ReloadOptions.reminderMs}.
 * Files identical to the ones last refused (same content and permissions) are not even rebuilt,
 * however often the watcher or the periodic re-check fires.
 *
 * @module
 */
import type { FileSource } from "../config/file_source.ts";
import { ConfigErrors } from "../config/config_error.ts";
import type { Config } from "../config/parse_config.ts";
import type { Logger } from "./log.ts";
import { buildMaterial, type LoadedMaterial, snapshotMaterial } from "./material.ts";
import type { SignerState } from "./signer_state.ts";

/** How often a refusal that has not changed is logged again. */
export const RELOAD_REMINDER_MS = 5 * 60_000;

/** What a reload needs. */
export interface ReloadOptions {
  /** The configuration naming the files. */
  config: Config;
  /** The file system. */
  files: FileSource;
  /** The signer state (material in use, last refusal). */
  state: SignerState;
  /** Swaps new material in (state and TLS). */
  apply: (next: LoadedMaterial) => void;
  /** Where reloads are logged. */
  logger: Logger;
  /** Counts reloads. */
  metrics: { reloadSucceeded(at: Date): void; reloadFailed(): void };
  /** The time source. */
  clock: () => Date;
  /** Receives warnings about tolerated insecure permissions. */
  warn?: (message: string) => void;
  /** An unchanged refusal is logged again after this long, ms. @default 300000 */
  reminderMs?: number;
}

interface Refusal {
  /** The digest of the files refused, when they could be read. */
  digest: string | undefined;
  problems: string[];
  since: Date;
  loggedAt: number;
}

/**
 * Creates the reload function the file watcher, the periodic re-check and SIGHUP call.
 *
 * @param options what a reload needs
 * @returns reloads once; `cause` is logged ("file change", "interval", "SIGHUP")
 */
export function createReload(options: ReloadOptions): (cause: string) => Promise<void> {
  const { config, files, state, logger, metrics, clock } = options;
  const reminderMs = options.reminderMs ?? RELOAD_REMINDER_MS;
  let refused: Refusal | undefined;
  const remind = (cause: string, now: Date) => {
    if (!refused) return;
    refused.loggedAt = now.getTime();
    logger.log("error", "reload still refused; the current material keeps serving", {
      cause,
      since: refused.since.toISOString(),
      problems: refused.problems,
    });
  };
  return async (cause) => {
    const now = clock();
    const asked = cause === "SIGHUP";
    let digest: string | undefined;
    try {
      const snapshot = await snapshotMaterial(config, files);
      digest = snapshot.digest;
      if (digest === state.material.digest) {
        if (refused) {
          refused = undefined;
          state.reloadRecovered();
          logger.log("info", "reload: the files match the material in use again", { cause });
        } else if (asked) {
          logger.log("info", "reload: nothing changed", { cause });
        }
        return;
      }
      if (refused && digest === refused.digest) {
        if (asked || now.getTime() - refused.loggedAt >= reminderMs) remind(cause, now);
        return;
      }
      const next = await buildMaterial(config, snapshot, now, state.material, options.warn);
      options.apply(next);
      refused = undefined;
      metrics.reloadSucceeded(now);
      logger.log("info", "reloaded", {
        cause,
        ca_fingerprint: next.authority.issuingCa.fingerprint,
        accepted_cas: next.authority.acceptedCas.certificates.length,
        tokens: next.authority.tokens.digests.length,
        serving_mode: next.serving.mode,
        serving_not_after: next.serving.notAfter.toISOString(),
      });
    } catch (error) {
      const problems = error instanceof ConfigErrors
        ? error.errors.map((e) => (e as Error).message)
        : [String(error)];
      metrics.reloadFailed();
      state.reloadRefused(problems.join("; "));
      const same = refused !== undefined && refused.problems.join("\n") === problems.join("\n");
      if (same) {
        refused!.digest = digest;
        if (asked || now.getTime() - refused!.loggedAt >= reminderMs) remind(cause, now);
        return;
      }
      refused = { digest, problems, since: now, loggedAt: now.getTime() };
      logger.log("error", "reload refused; the current material keeps serving", {
        cause,
        problems,
      });
    }
  };
}
