/**
 * Whether the signer can answer workers right now. Readiness is about the material in use, not the
 * files on disk: a half-written replacement is refused and the old set keeps serving, so a failed
 * reload is reported (in /readyz text and metrics) without taking a working signer out of rotation.
 *
 * @module
 */
import type { Authority } from "../authority.ts";

/** The facts readiness is judged on. */
export interface ReadinessInput {
  /** The authority in use. */
  authority: Authority;
  /** NotAfter of the serving certificate in use. */
  servingNotAfter: Date;
  /** True once shutdown has begun. */
  shuttingDown: boolean;
}

/** The verdict. */
export interface Readiness {
  /** True when workers can get certificates. */
  ready: boolean;
  /** Why not, when not ready; "ready" otherwise. */
  reason: string;
}

/**
 * Judges readiness at `now`.
 *
 * @param input the material in use and the shutdown flag
 * @param now the current time
 * @returns ready, or the first reason it is not
 */
export function checkReadiness(input: ReadinessInput, now: Date): Readiness {
  const ca = input.authority.issuingCa.certificate;
  const reasons = [
    input.shuttingDown && "shutting down",
    ca.notAfter <= now && `issuing CA expired at ${ca.notAfter.toISOString()}`,
    ca.notBefore > now && `issuing CA is not valid until ${ca.notBefore.toISOString()}`,
    input.servingNotAfter <= now &&
    `serving certificate expired at ${input.servingNotAfter.toISOString()}`,
    input.authority.tokens.digests.length === 0 && "no token configured",
  ].filter((r): r is string => typeof r === "string");
  return reasons.length === 0
    ? { ready: true, reason: "ready" }
    : { ready: false, reason: reasons[0]! };
}
