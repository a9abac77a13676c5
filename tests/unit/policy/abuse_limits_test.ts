import { AbuseLimits, RateLimitedError } from "../../../src/policy/abuse_limits.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

Deno.test("AbuseLimits.admit() throttles a burst from one address while another address still passes", () => {
  const limits = new AbuseLimits({ ratePerSecond: 10, burst: 5 });
  for (let i = 0; i < 5; i++) limits.admit("10.0.0.1", 0);
  const error = assertThrows(
    () => limits.admit("10.0.0.1", 0),
    RateLimitedError,
    "rate limit exceeded for 10.0.0.1; retry after 1s",
  );
  assertEquals(error.reason, "rate");
  assertEquals(error.retryAfterMs, 100);
  limits.admit("10.0.0.2", 0);
});

Deno.test("AbuseLimits.admit() refills at the sustained rate", () => {
  const limits = new AbuseLimits({ ratePerSecond: 10, burst: 1 });
  limits.admit("a", 0);
  assertThrows(() => limits.admit("a", 50), RateLimitedError);
  limits.admit("a", 150);
});

Deno.test("AbuseLimits with rate 0 never throttles", () => {
  const limits = new AbuseLimits({ ratePerSecond: 0, burst: 1 });
  for (let i = 0; i < 10_000; i++) limits.admit("a", 0);
});

Deno.test("AbuseLimits cools an address down after the auth failure limit within a minute", () => {
  const limits = new AbuseLimits({ authFailureLimit: 3, authFailureCooldownMs: 30_000 });
  limits.recordAuthFailure("a", 0);
  limits.recordAuthFailure("a", 1000);
  limits.admit("a", 1000);
  limits.recordAuthFailure("a", 2000);
  const error = assertThrows(
    () => limits.admit("a", 2000),
    RateLimitedError,
    "too many invalid tokens from a; retry after 30s",
  );
  assertEquals(error.reason, "auth-failures");
  limits.admit("b", 2000);
  limits.admit("a", 32_000);
});

Deno.test("AbuseLimits forgets auth failures older than a minute", () => {
  const limits = new AbuseLimits({ authFailureLimit: 2 });
  limits.recordAuthFailure("a", 0);
  limits.recordAuthFailure("a", 61_000);
  limits.admit("a", 61_000);
});

Deno.test("AbuseLimits drops idle addresses so memory stays bounded", () => {
  const limits = new AbuseLimits({ ratePerSecond: 100, burst: 10 });
  for (let i = 0; i < 1000; i++) limits.admit(`10.0.${i >> 8}.${i & 255}`, 0);
  limits.admit("late", 60_000);
  assertEquals(limits.trackedAddresses, 1);
});
