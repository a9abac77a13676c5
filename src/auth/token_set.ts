/**
 * The machine tokens a caller may present (contract §2).
 *
 * Tokens are kept only as SHA-256 digests and compared in constant time, so neither the time a
 * comparison takes nor a memory dump of this object reveals them. A set holds several tokens so
 * that an operator can roll a new one out before removing the old.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Every reason a caller is refused (metrics start each at 0); all map to `UNAUTHENTICATED`. */
export const AUTH_FAILURE_REASONS = ["missing", "invalid"] as const;

/** Why a caller was refused. */
export type AuthErrorReason = typeof AUTH_FAILURE_REASONS[number];

/** A refused caller. The message never contains any part of a token. */
export class AuthError extends Error {
  /** `missing`: no `token` metadata; `invalid`: it matched no configured token. */
  readonly reason: AuthErrorReason;
  /** @param reason why the caller was refused */
  constructor(reason: AuthErrorReason) {
    super(reason === "missing" ? "missing token" : "invalid token");
    this.name = "AuthError";
    this.reason = reason;
  }
}

/** The accepted tokens, as digests. Build with {@linkcode buildTokenSet}. */
export interface TokenSet {
  /** SHA-256 digests of the accepted tokens, in configuration order (the slot numbers). */
  readonly digests: readonly Uint8Array[];
}

/** SHA-256, synchronously: on the request path an async WebCrypto digest cost ~80 µs a call. */
function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text, "utf8").digest());
}

/**
 * Builds a token set from the configured tokens.
 *
 * @param tokens the accepted tokens, in slot order
 * @returns the set of their digests
 * @throws {RangeError} when no token is given or one is empty
 */
export function buildTokenSet(tokens: readonly string[]): Promise<TokenSet> {
  if (tokens.length === 0) {
    return Promise.reject(new RangeError("Cannot build token set: no token configured"));
  }
  if (tokens.some((t) => t.length === 0)) {
    return Promise.reject(new RangeError("Cannot build token set: a configured token is empty"));
  }
  return Promise.resolve({ digests: tokens.map(sha256) });
}

/**
 * Checks a presented token and returns the slot it matched. Every slot is compared, in constant
 * time each, so the answer's timing does not depend on which slot matched or how much of a
 * digest agreed.
 *
 * @param set the accepted tokens
 * @param presented the first `token` metadata value, or `undefined` when absent
 * @returns the index of the matching slot
 * @throws {AuthError} `missing` when no token was presented, `invalid` when it matches no slot
 * (an empty token is invalid, as in native trustd)
 */
export function checkToken(set: TokenSet, presented: string | undefined): number {
  if (presented === undefined) throw new AuthError("missing");
  const digest = sha256(presented);
  let slot = -1;
  set.digests.forEach((candidate, index) => {
    if (constantTimeEqual(candidate, digest) && slot < 0) slot = index;
  });
  if (slot < 0) throw new AuthError("invalid");
  return slot;
}

/**
 * Compares two byte arrays in time that depends only on their length.
 *
 * @param a first array
 * @param b second array
 * @returns whether they are equal
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
