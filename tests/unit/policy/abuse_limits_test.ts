import { AbuseLimits, RateLimitedError } from "../../../src/policy/abuse_limits.ts";
import { assert, assertEquals, assertThrows } from "../../support/assert.ts";

const VALID = true;
const INVALID = false;

/** Makes `address` cool down by failing `limit` times at `now`. */
function coolDown(limits: AbuseLimits, address: string, limit: number, now: number): void {
  for (let i = 0; i < limit; i++) {
    limits.admit(address, now, INVALID);
    limits.recordAuthFailure(address, now);
  }
}

function refused(limits: AbuseLimits, address: string, now: number, validToken = INVALID) {
  try {
    limits.admit(address, now, validToken);
    return undefined;
  } catch (error) {
    assert(error instanceof RateLimitedError, String(error));
    return error.reason;
  }
}

Deno.test("AbuseLimits.admit() throttles a burst from one address while another address still passes", () => {
  const limits = new AbuseLimits({ ratePerSecond: 10, burst: 5 });
  for (let i = 0; i < 5; i++) limits.admit("10.0.0.1", 0, VALID);
  const error = assertThrows(
    () => limits.admit("10.0.0.1", 0, VALID),
    RateLimitedError,
    "rate limit exceeded for 10.0.0.1; retry after 1s",
  );
  assertEquals(error.reason, "rate");
  assertEquals(error.retryAfterMs, 100);
  limits.admit("10.0.0.2", 0, VALID);
});

Deno.test("AbuseLimits.admit() refills at the sustained rate", () => {
  const limits = new AbuseLimits({ ratePerSecond: 10, burst: 1 });
  limits.admit("a", 0, VALID);
  assertThrows(() => limits.admit("a", 50, VALID), RateLimitedError);
  limits.admit("a", 150, VALID);
});

Deno.test("AbuseLimits with rate 0 never throttles", () => {
  const limits = new AbuseLimits({ ratePerSecond: 0, burst: 1 });
  for (let i = 0; i < 10_000; i++) limits.admit("a", 0, VALID);
});

Deno.test("AbuseLimits.admit() keeps calls without a valid token from emptying the valid-token bucket of a shared address", () => {
  const limits = new AbuseLimits({ ratePerSecond: 1, burst: 3, authFailureLimit: 0 });
  for (let i = 0; i < 3; i++) limits.admit("nat", 0, INVALID);
  assertEquals(refused(limits, "nat", 0, INVALID), "rate");
  for (let i = 0; i < 3; i++) limits.admit("nat", 0, VALID);
  assertEquals(refused(limits, "nat", 0, VALID), "rate");
});

Deno.test("AbuseLimits cools an address down after the auth failure limit within a minute, for calls without a valid token only", () => {
  const limits = new AbuseLimits({ authFailureLimit: 3, authFailureCooldownMs: 30_000 });
  limits.recordAuthFailure("a", 0);
  limits.recordAuthFailure("a", 1000);
  limits.admit("a", 1000, INVALID);
  limits.recordAuthFailure("a", 2000);
  const error = assertThrows(
    () => limits.admit("a", 2000, INVALID),
    RateLimitedError,
    "too many invalid tokens from a; retry after 30s",
  );
  assertEquals(error.reason, "auth-failures");
  limits.admit("a", 2000, VALID);
  limits.admit("b", 2000, INVALID);
  assertEquals(refused(limits, "a", 31_999), "auth-failures");
  limits.admit("a", 32_000, INVALID);
});

Deno.test("AbuseLimits never refuses a valid token from an address in cool-down, however long the failures go on", () => {
  const limits = new AbuseLimits({ authFailureLimit: 2, authFailureCooldownMs: 60_000 });
  for (let t = 0; t < 600_000; t += 250) {
    if (refused(limits, "nat", t) === undefined) limits.recordAuthFailure("nat", t);
    limits.admit("nat", t, VALID);
  }
  assertEquals(refused(limits, "nat", 600_000), "auth-failures");
});

Deno.test("AbuseLimits forgets auth failures older than a minute", () => {
  const limits = new AbuseLimits({ authFailureLimit: 2 });
  limits.recordAuthFailure("a", 0);
  limits.recordAuthFailure("a", 61_000);
  limits.admit("a", 61_000, INVALID);
});

Deno.test("AbuseLimits drops idle addresses so memory stays bounded", () => {
  const limits = new AbuseLimits({ ratePerSecond: 100, burst: 10 });
  for (let i = 0; i < 1000; i++) limits.admit(`10.0.${i >> 8}.${i & 255}`, 0, VALID);
  limits.admit("late", 60_000, VALID);
  assertEquals(limits.trackedAddresses, 1);
});

Deno.test("AbuseLimits keeps a cool-down through traffic from many other addresses and a full table", () => {
  const limits = new AbuseLimits({
    authFailureLimit: 3,
    authFailureCooldownMs: 60_000,
  }, 50);
  coolDown(limits, "victim-of-its-own-guesses", 3, 0);
  for (let i = 0; i < 5000; i++) {
    const now = i * 10; // 50 s of traffic from 5,000 addresses, valid and not
    limits.admit(`10.1.${i >> 8}.${i & 255}`, now, i % 2 === 0);
    if (i % 2) limits.recordAuthFailure(`10.1.${i >> 8}.${i & 255}`, now);
    assert(limits.trackedAddresses <= 50, `${limits.trackedAddresses} addresses tracked`);
  }
  assertEquals(refused(limits, "victim-of-its-own-guesses", 50_000), "auth-failures");
  assertEquals(refused(limits, "victim-of-its-own-guesses", 60_000), undefined);
});

Deno.test("AbuseLimits bounds cool-downs too: once the cooling table is full, every caller without a valid token shares one cool-down", () => {
  const limits = new AbuseLimits({
    authFailureLimit: 1,
    authFailureCooldownMs: 60_000,
  }, 100);
  for (let i = 0; i < 10_000; i++) {
    const address = `2001:db8::${i.toString(16)}`;
    if (refused(limits, address, i) === undefined) limits.recordAuthFailure(address, i);
    assert(limits.coolingAddresses <= 100 && limits.trackedAddresses <= 100);
  }
  const error = assertThrows(
    () => limits.admit("2001:db8::ffff:1", 10_000, INVALID),
    RateLimitedError,
    "too many invalid tokens from many addresses",
  );
  assertEquals(error.reason, "auth-failures");
  assertEquals(
    refused(limits, "2001:db8::0", 10_000),
    "auth-failures",
    "the first cool-down holds",
  );
  limits.admit("2001:db8::ffff:1", 10_000, VALID);
  assertEquals(refused(limits, "2001:db8::ffff:1", 200_000), undefined);
});

Deno.test("AbuseLimits refuses negative or non-numeric limits with RangeError", () => {
  assertThrows(() => new AbuseLimits({ burst: -1 }), RangeError, "burst must be 0 or more");
  assertThrows(
    () => new AbuseLimits({}, NaN),
    RangeError,
    "tracked addresses must be 0 or more",
  );
});
