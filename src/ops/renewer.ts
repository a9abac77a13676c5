/**
 * Renews the self-issued serving certificate at half its remaining lifetime, as native trustd
 * does (24 h certificates renewed every 12 h), retrying a failed renewal a minute later.
 *
 * @module
 */
import type { Logger } from "./log.ts";

/** Retry delay after a failed renewal. */
export const RETRY_MS = 60_000;

/**
 * Schedules renewals until cancelled.
 *
 * @param renew issues and installs a new certificate and returns its NotAfter
 * @param notAfter the current certificate's NotAfter
 * @param logger where failures are reported
 * @param clock the time source
 * @param minDelayMs the shortest wait between renewals, so a certificate that cannot outlive its
 * CA never turns this into a busy loop
 * @returns a function that cancels the schedule
 */
export function scheduleRenewal(
  renew: () => Promise<Date>,
  notAfter: Date,
  logger: Logger,
  clock: () => Date = () => new Date(),
  minDelayMs = RETRY_MS,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelled = false;
  const plan = (delayMs: number) => {
    if (cancelled) return;
    // setTimeout overflows past 2^31-1 ms; a long wait simply re-plans.
    timer = setTimeout(run, Math.min(Math.max(0, delayMs), 2 ** 31 - 1));
    Deno.unrefTimer(timer as unknown as number);
  };
  const run = () => {
    renew().then(
      (next) => {
        logger.log("info", "serving certificate renewed", { not_after: next.toISOString() });
        plan(Math.max(minDelayMs, halfRemaining(next, clock())));
      },
      (error: unknown) => {
        logger.log("error", "serving certificate renewal failed", { error: String(error) });
        plan(RETRY_MS);
      },
    );
  };
  plan(halfRemaining(notAfter, clock()));
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}

/**
 * The shortest wait between renewals for a lifetime: a minute, or a quarter of a lifetime shorter
 * than four minutes, so short test lifetimes still renew before they expire.
 *
 * @param lifetimeMs the serving certificate lifetime
 * @returns the minimum delay for {@linkcode scheduleRenewal}
 */
export function renewalFloorMs(lifetimeMs: number): number {
  return Math.min(RETRY_MS, lifetimeMs / 4);
}

/**
 * The delay until half of the remaining lifetime has passed.
 *
 * @param notAfter end of validity
 * @param now the current time
 * @returns milliseconds to wait
 */
export function halfRemaining(notAfter: Date, now: Date): number {
  return (notAfter.getTime() - now.getTime()) / 2;
}
