/**
 * The validity window of an issued certificate.
 *
 * Workers renew every 12 h and never look at expiry, so a lifetime of 12 h or less would leave
 * nodes with expired certificates; a certificate must also never outlive the CA that signs it.
 *
 * @module
 */

/** The NotBefore/NotAfter pair of a certificate. */
export interface Validity {
  /** Start of validity: issuance time minus the clock-skew backdate. */
  notBefore: Date;
  /** End of validity: issuance time plus the lifetime, capped at the CA's own NotAfter. */
  notAfter: Date;
}

/** Default leaf lifetime: 24 h, as native trustd issues. */
export const DEFAULT_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Lifetimes must exceed the workers' 12 h renewal period. */
export const MIN_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** NotBefore is set this far in the past so a worker whose clock runs slow still accepts it. */
export const BACKDATE_MS = 60 * 1000;

/** Options for {@linkcode buildValidity}. */
export interface ValidityOptions {
  /** The issuance time. */
  now: Date;
  /** Requested lifetime in milliseconds. @default {DEFAULT_LIFETIME_MS} */
  lifetimeMs?: number;
  /** The issuing CA's NotAfter; the result never goes past it. */
  caNotAfter: Date;
}

/**
 * Computes the validity window for a certificate issued at `now`.
 *
 * @param options issuance time, lifetime and the CA's expiry
 * @returns the window, with NotAfter capped at the CA's NotAfter
 * @throws {RangeError} when the CA has already expired at `now`
 */
export function buildValidity(options: ValidityOptions): Validity {
  const { now, lifetimeMs = DEFAULT_LIFETIME_MS, caNotAfter } = options;
  if (caNotAfter.getTime() <= now.getTime()) {
    throw new RangeError(`Cannot issue: the CA expired at ${caNotAfter.toISOString()}`);
  }
  const notAfter = Math.min(now.getTime() + lifetimeMs, caNotAfter.getTime());
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(notAfter) };
}

/**
 * Checks a configured lifetime against the workers' 12 h renewal period.
 *
 * @param lifetimeMs the lifetime to check
 * @returns `undefined` when acceptable, else the reason it is not
 */
export function checkLifetime(lifetimeMs: number): string | undefined {
  if (!Number.isFinite(lifetimeMs) || lifetimeMs <= MIN_LIFETIME_MS) {
    return "must be longer than 12h, because Talos workers renew every 12h";
  }
  return undefined;
}
