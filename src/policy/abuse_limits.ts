/**
 * Per-address limits on Certificate calls: a token bucket for request rate, and a cool-down for
 * addresses that keep presenting invalid tokens.
 *
 * Behind a load balancer or NAT, hundreds of workers can share one source address, so the
 * defaults are generous: a rack rebooting at once must never be throttled into an outage. State
 * is bounded: idle entries are dropped, and at most {@linkcode MAX_TRACKED_ADDRESSES} are kept.
 *
 * @module
 */

/** Why a call was limited; every reason maps to `RESOURCE_EXHAUSTED`. */
export type LimitReason = "rate" | "auth-failures" | "in-flight";

/** A call refused by a limit. The message carries a retry hint. */
export class RateLimitedError extends Error {
  /** Which limit refused the call. */
  readonly reason: LimitReason;
  /** How long the caller should wait before retrying, in ms. */
  readonly retryAfterMs: number;
  /**
   * @param reason which limit
   * @param retryAfterMs suggested wait
   * @param message explanation, without the retry hint (added here)
   */
  constructor(reason: LimitReason, retryAfterMs: number, message: string) {
    super(`${message}; retry after ${Math.max(1, Math.ceil(retryAfterMs / 1000))}s`);
    this.name = "RateLimitedError";
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Options for {@linkcode AbuseLimits}. */
export interface AbuseLimitOptions {
  /** Sustained Certificate calls per second per address; 0 turns rate limiting off. @default 100 */
  ratePerSecond?: number;
  /** Bucket size: calls allowed in a burst. @default 500 */
  burst?: number;
  /** Invalid-token calls per address per minute before a cool-down; 0 turns it off. @default 10 */
  authFailureLimit?: number;
  /** Length of the cool-down, ms. @default 60000 */
  authFailureCooldownMs?: number;
}

/** Entries kept at most; beyond it the oldest are dropped (fail open, never unbounded memory). */
export const MAX_TRACKED_ADDRESSES = 100_000;
const WINDOW_MS = 60_000;

interface AddressState {
  tokens: number;
  refilledAt: number;
  failures: number[];
  blockedUntil: number;
}

/** Per-address rate and auth-failure limits. Time is passed in, so tests need no clock. */
export class AbuseLimits {
  readonly #rate: number;
  readonly #burst: number;
  readonly #failureLimit: number;
  readonly #cooldownMs: number;
  readonly #states = new Map<string, AddressState>();

  /**
   * @param options the limits
   * @throws {RangeError} when a limit is negative or not a number
   */
  constructor(options: AbuseLimitOptions = {}) {
    this.#rate = nonNegative("rate", options.ratePerSecond ?? 100);
    this.#burst = Math.max(1, nonNegative("burst", options.burst ?? 500));
    this.#failureLimit = nonNegative("auth failure limit", options.authFailureLimit ?? 10);
    this.#cooldownMs = nonNegative("cool-down", options.authFailureCooldownMs ?? 60_000);
  }

  /**
   * Admits or refuses a call from `address` at time `now` (ms), spending one token.
   *
   * @param address the caller's address
   * @param now the current time in ms
   * @throws {RateLimitedError} `auth-failures` while the address cools down, `rate` when its bucket
   * is empty
   */
  admit(address: string, now: number): void {
    const state = this.#state(address, now);
    if (state.blockedUntil > now) {
      throw new RateLimitedError(
        "auth-failures",
        state.blockedUntil - now,
        `too many invalid tokens from ${address}`,
      );
    }
    if (this.#rate === 0) return;
    state.tokens = Math.min(
      this.#burst,
      state.tokens + ((now - state.refilledAt) / 1000) * this.#rate,
    );
    state.refilledAt = now;
    if (state.tokens < 1) {
      throw new RateLimitedError(
        "rate",
        ((1 - state.tokens) / this.#rate) * 1000,
        `rate limit exceeded for ${address}`,
      );
    }
    state.tokens -= 1;
  }

  /**
   * Records an invalid-token call; the limit-th within a minute starts the cool-down.
   *
   * @param address the caller's address
   * @param now the current time in ms
   */
  recordAuthFailure(address: string, now: number): void {
    if (this.#failureLimit === 0) return;
    const state = this.#state(address, now);
    state.failures = state.failures.filter((t) => now - t < WINDOW_MS);
    state.failures.push(now);
    if (state.failures.length >= this.#failureLimit) {
      state.blockedUntil = now + this.#cooldownMs;
      state.failures = [];
    }
  }

  /** Number of addresses currently tracked (for tests and metrics). */
  get trackedAddresses(): number {
    return this.#states.size;
  }

  #state(address: string, now: number): AddressState {
    let state = this.#states.get(address);
    if (state) {
      // Re-insert so iteration order is least-recently-used first.
      this.#states.delete(address);
    } else {
      state = { tokens: this.#burst, refilledAt: now, failures: [], blockedUntil: 0 };
      this.#evict(now);
    }
    this.#states.set(address, state);
    return state;
  }

  #evict(now: number): void {
    for (const [address, state] of this.#states) {
      const idle = state.blockedUntil <= now && state.failures.every((t) => now - t >= WINDOW_MS) &&
        (this.#rate === 0 ||
          state.tokens + ((now - state.refilledAt) / 1000) * this.#rate >= this.#burst);
      if (idle || this.#states.size >= MAX_TRACKED_ADDRESSES) this.#states.delete(address);
      else break;
    }
  }
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be 0 or more, got ${value}`);
  }
  return value;
}
