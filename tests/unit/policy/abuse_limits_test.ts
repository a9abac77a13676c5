import {
  AbuseLimits,
  limitedSource,
  MAX_TRACKED_ADDRESSES,
  RateLimitedError,
} from "../../../src/policy/abuse_limits.ts";
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
    const address = `2001:db8:${i.toString(16)}::1`; // one /64 each
    if (refused(limits, address, i) === undefined) limits.recordAuthFailure(address, i);
    assert(limits.coolingAddresses <= 100 && limits.trackedAddresses <= 100);
  }
  const error = assertThrows(
    () => limits.admit("2001:db8:ffff::1", 10_000, INVALID),
    RateLimitedError,
    "too many invalid tokens from many addresses",
  );
  assertEquals(error.reason, "auth-failures");
  assertEquals(
    refused(limits, "2001:db8:0::2", 10_000),
    "auth-failures",
    "the first cool-down holds",
  );
  limits.admit("2001:db8:ffff::1", 10_000, VALID);
  assertEquals(refused(limits, "2001:db8:ffff::1", 200_000), undefined);
});

Deno.test("AbuseLimits refuses negative or non-numeric limits with RangeError", () => {
  assertThrows(() => new AbuseLimits({ burst: -1 }), RangeError, "burst must be 0 or more");
  assertThrows(
    () => new AbuseLimits({}, NaN),
    RangeError,
    "tracked addresses must be 0 or more",
  );
});

const sources: [string, string][] = [
  ["10.0.0.7", "10.0.0.7"],
  ["::ffff:10.0.0.7", "10.0.0.7"],
  ["2001:db8:1:2:aaaa:bbbb:cccc:7", "2001:db8:1:2::/64"],
  ["2001:0db8:0001:0002::0009", "2001:db8:1:2::/64"],
  ["::1", "::/64"],
  ["fe80::1", "fe80::/64"],
  ["not-an-ip", "not-an-ip"],
];
for (const [address, source] of sources) {
  Deno.test(`limitedSource() limits ${address} as ${source}`, () => {
    assertEquals(limitedSource(address), source);
  });
}

Deno.test("AbuseLimits counts an IPv6 /64 as one source: two addresses in one /64 share a cool-down, the next /64 does not", () => {
  const limits = new AbuseLimits({ authFailureLimit: 2, authFailureCooldownMs: 60_000 });
  limits.recordAuthFailure("2001:db8:1:2::a", 0);
  limits.recordAuthFailure("2001:db8:1:2:ffff::b", 1000);
  const error = assertThrows(
    () => limits.admit("2001:db8:1:2:1234::c", 1000, INVALID),
    RateLimitedError,
    "too many invalid tokens from 2001:db8:1:2::/64; retry after 60s",
  );
  assertEquals(error.reason, "auth-failures");
  assertEquals(refused(limits, "2001:db8:1:3::a", 1000), undefined, "the next /64 is not cooled");
  assertEquals(limits.coolingAddresses, 1);
});

Deno.test("AbuseLimits never refuses a valid token from an address in a cooling /64", () => {
  const limits = new AbuseLimits({ authFailureLimit: 1, authFailureCooldownMs: 60_000 });
  limits.recordAuthFailure("2001:db8:1:2::bad", 0);
  assertEquals(refused(limits, "2001:db8:1:2::bad", 10), "auth-failures");
  assertEquals(refused(limits, "2001:db8:1:2::900d", 10), "auth-failures");
  assertEquals(refused(limits, "2001:db8:1:2::900d", 10, VALID), undefined);
  assertEquals(refused(limits, "2001:db8:1:2::bad", 10, VALID), undefined);
});

Deno.test("AbuseLimits spends one rate bucket per IPv6 /64, and an IPv4-mapped address spends its IPv4 address's", () => {
  const limits = new AbuseLimits({ ratePerSecond: 1, burst: 2 });
  limits.admit("2001:db8:1:2::1", 0, VALID);
  limits.admit("2001:db8:1:2::2", 0, VALID);
  assertThrows(
    () => limits.admit("2001:db8:1:2::3", 0, VALID),
    RateLimitedError,
    "rate limit exceeded for 2001:db8:1:2::/64",
  );
  limits.admit("10.0.0.7", 0, VALID);
  limits.admit("::ffff:10.0.0.7", 0, VALID);
  assertEquals(refused(limits, "10.0.0.7", 0, VALID), "rate");
  assertEquals(limits.trackedAddresses, 2);
});

for (const family of ["ipv4", "ipv6"]) {
  Deno.test(`AbuseLimits at its default bound (${family}): with 3 x ${MAX_TRACKED_ADDRESSES} sources cooling and as many more failing, each table holds ${MAX_TRACKED_ADDRESSES} and the heap grows under 8 MB (an eighth of the start task's 64 MB)`, async () => {
    const script = new URL("../../support/limiter_memory.ts", import.meta.url).pathname;
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--v8-flags=--expose-gc,--max-old-space-size=64,--max-semi-space-size=2",
        script,
        family,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assertEquals(output.code, 0, stderr);
    const report = JSON.parse(new TextDecoder().decode(output.stdout));
    assertEquals([report.tracked, report.cooling], [MAX_TRACKED_ADDRESSES, MAX_TRACKED_ADDRESSES]);
    assert(report.heapGrowth < 8 * 1024 * 1024, `heap grew ${report.heapGrowth} bytes`);
  });
}
