/**
 * Per-source limits on Certificate calls: token buckets for request rate, and a cool-down for
 * sources that keep presenting invalid tokens.
 *
 * A source is an IPv4 address (an IPv4-mapped IPv6 address counts as its IPv4 address) or an IPv6
 * /64: a /64 is what one host (or one customer) is given, so counting single IPv6 addresses would
 * let one host use 2^64 of them to dodge a cool-down and fill the tables.
 *
 * A caller with a valid token is never refused because of other callers' failures: behind a load
 * balancer or NAT, hundreds of workers share one source address, and during a token rotation some
 * of them still present the removed token. So calls with a valid token and calls without one spend
 * separate buckets, and the cool-down refuses only calls without a valid token.
 *
 * State is bounded, and a cool-down is never forgotten early: bucket and failure-count state is a
 * least-recently-used table of at most {@linkcode MAX_TRACKED_ADDRESSES} entries (evicting one only
 * resets its counters, which fails open), while cool-downs live in a second table of the same
 * bound, ordered by expiry. When that table is full, further cool-downs become one shared cool-down
 * for every caller without a valid token, so an attacker with many addresses can neither grow
 * memory nor push a cooling address out. Measured worst case (docs/security.md): about 460 bytes
 * per tracked source and 80–90 per cool-down, so about 5.4 MB for both tables full at the default
 * bound, under a tenth of the 64 MB heap the `start` task allows.
 *
 * @module
 */
import { formatIp, parseIp } from "./ip_address.ts";

/** Every limit that can refuse a call (metrics start each at 0); all map to `RESOURCE_EXHAUSTED`. */
export const LIMIT_REASONS = ["rate", "auth-failures", "in-flight"] as const;

/** Why a call was limited. */
export type LimitReason = typeof LIMIT_REASONS[number];

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

/**
 * Entries kept at most per table by default; memory stays bounded whatever the callers do (about
 * 4.6 MB for a full source table and 0.9 MB for a full cool-down table).
 */
export const MAX_TRACKED_ADDRESSES = 10_000;
const WINDOW_MS = 60_000;

interface Bucket {
  tokens: number;
  refilledAt: number;
}

interface AddressState {
  /** Calls that presented a valid token. */
  valid: Bucket;
  /** Calls that did not. */
  other: Bucket;
  /** Times of recent invalid-token calls (at most the failure limit). */
  failures: number[];
}

/** Per-address rate and auth-failure limits. Time is passed in, so tests need no clock. */
export class AbuseLimits {
  readonly #rate: number;
  readonly #burst: number;
  readonly #failureLimit: number;
  readonly #cooldownMs: number;
  readonly #capacity: number;
  /** Least recently used first. */
  readonly #states = new Map<string, AddressState>();
  /** Address -> end of its cool-down; insertion order is expiry order (the length is fixed). */
  readonly #coolingUntil = new Map<string, number>();
  /** End of the shared cool-down started when {@linkcode #coolingUntil} was full. */
  #overflowUntil = 0;

  /**
   * @param options the limits
   * @param maxTrackedAddresses addresses tracked at most, in each table (tests make it small)
   * @throws {RangeError} when a limit is negative or not a number
   */
  constructor(options: AbuseLimitOptions = {}, maxTrackedAddresses = MAX_TRACKED_ADDRESSES) {
    this.#rate = nonNegative("rate", options.ratePerSecond ?? 100);
    this.#burst = Math.max(1, nonNegative("burst", options.burst ?? 500));
    this.#failureLimit = nonNegative("auth failure limit", options.authFailureLimit ?? 10);
    this.#cooldownMs = nonNegative("cool-down", options.authFailureCooldownMs ?? 60_000);
    this.#capacity = Math.max(
      1,
      nonNegative("tracked addresses", maxTrackedAddresses),
    );
  }

  /**
   * Admits or refuses a call from `peer` at time `now` (ms), spending one token of the bucket of
   * its source ({@linkcode limitedSource}) for its kind of call. Call it after the token check and
   * before answering, whatever the check said: a call without a valid token is refused here while
   * its source cools down.
   *
   * @param peer the caller's address
   * @param now the current time in ms
   * @param validToken whether the call presented a valid token
   * @throws {RateLimitedError} `auth-failures` for a call without a valid token while its address
   * cools down, `rate` when the bucket for its kind of call is empty
   */
  admit(peer: string, now: number, validToken: boolean): void {
    const address = limitedSource(peer);
    if (!validToken) {
      const until = this.#coolDownEnd(address, now);
      if (until > now) {
        const from = this.#coolingUntil.has(address) ? address : "many addresses";
        throw new RateLimitedError(
          "auth-failures",
          until - now,
          `too many invalid tokens from ${from}`,
        );
      }
    }
    if (this.#rate === 0) return;
    const state = this.#state(address, now);
    const bucket = validToken ? state.valid : state.other;
    bucket.tokens = Math.min(
      this.#burst,
      bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.#rate,
    );
    bucket.refilledAt = now;
    if (bucket.tokens < 1) {
      throw new RateLimitedError(
        "rate",
        ((1 - bucket.tokens) / this.#rate) * 1000,
        `rate limit exceeded for ${address}`,
      );
    }
    bucket.tokens -= 1;
  }

  /**
   * Records an invalid-token call; the limit-th within a minute starts the source's cool-down.
   *
   * @param peer the caller's address
   * @param now the current time in ms
   */
  recordAuthFailure(peer: string, now: number): void {
    if (this.#failureLimit === 0 || this.#cooldownMs === 0) return;
    const address = limitedSource(peer);
    const state = this.#state(address, now);
    state.failures = state.failures.filter((t) => now - t < WINDOW_MS);
    state.failures.push(now);
    if (state.failures.length >= this.#failureLimit) {
      state.failures = [];
      this.#startCoolDown(address, now);
    }
  }

  /** Addresses with bucket or failure state (for tests and metrics). */
  get trackedAddresses(): number {
    return this.#states.size;
  }

  /** Addresses cooling down individually (for tests and metrics). */
  get coolingAddresses(): number {
    return this.#coolingUntil.size;
  }

  #coolDownEnd(address: string, now: number): number {
    this.#expireCoolDowns(now);
    return Math.max(this.#coolingUntil.get(address) ?? 0, this.#overflowUntil);
  }

  #startCoolDown(address: string, now: number): void {
    this.#expireCoolDowns(now);
    this.#coolingUntil.delete(address);
    if (this.#coolingUntil.size >= this.#capacity) {
      this.#overflowUntil = now + this.#cooldownMs;
    } else {
      this.#coolingUntil.set(address, now + this.#cooldownMs);
    }
  }

  #expireCoolDowns(now: number): void {
    for (const [address, until] of this.#coolingUntil) {
      if (until > now) break;
      this.#coolingUntil.delete(address);
    }
  }

  #state(address: string, now: number): AddressState {
    let state = this.#states.get(address);
    if (state) {
      // Re-insert so iteration order is least-recently-used first.
      this.#states.delete(address);
    } else {
      state = {
        valid: { tokens: this.#burst, refilledAt: now },
        other: { tokens: this.#burst, refilledAt: now },
        failures: [],
      };
      this.#evict(now);
    }
    this.#states.set(address, state);
    return state;
  }

  /** Drops idle entries from the old end, then the oldest if still full (cool-downs are kept). */
  #evict(now: number): void {
    for (const [address, state] of this.#states) {
      if (!this.#idle(state, now) && this.#states.size < this.#capacity) break;
      this.#states.delete(address);
    }
  }

  #idle(state: AddressState, now: number): boolean {
    const full = (bucket: Bucket) =>
      this.#rate === 0 ||
      bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.#rate >= this.#burst;
    return state.failures.every((t) => now - t >= WINDOW_MS) && full(state.valid) &&
      full(state.other);
  }
}

/**
 * The source a caller's address is limited as: an IPv4 address as itself (also when written as an
 * IPv4-mapped IPv6 address), an IPv6 address as its /64, anything else (not an IP) unchanged.
 *
 * @param address the caller's address
 * @returns e.g. `10.0.0.7` or `2001:db8:1:2::/64`
 * @example
 * ```ts
 * limitedSource("2001:db8:1:2:aaaa::7"); // "2001:db8:1:2::/64"
 * limitedSource("::ffff:10.0.0.7"); // "10.0.0.7"
 * ```
 */
export function limitedSource(address: string): string {
  const bytes = parseIp(address);
  if (!bytes) return address;
  if (bytes.length === 4) return formatIp(bytes);
  const network = new Uint8Array(16);
  network.set(bytes.subarray(0, 8));
  return `${formatIp(network)}/64`;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be 0 or more, got ${value}`);
  }
  return value;
}
