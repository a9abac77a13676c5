/**
 * Fills {@linkcode AbuseLimits} with three times its default bound of sources in the costliest
 * state (a bucket spent, nine recent failures; and as many sources in cool-down), then prints
 * how many entries each table holds and how much the V8 heap grew, as JSON. Run it with
 * `--v8-flags=--expose-gc` and the `start` task's heap limit.
 *
 * @module
 */
import { AbuseLimits, MAX_TRACKED_ADDRESSES } from "../../src/policy/abuse_limits.ts";

const gc = (globalThis as unknown as { gc: () => void }).gc;
const ipv6 = Deno.args[0] === "ipv6";
/** Distinct sources: IPv4 addresses, or IPv6 addresses in distinct /64s. */
const source = (i: number) =>
  ipv6
    ? `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::${(i % 7) + 1}`
    : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;

gc();
const before = Deno.memoryUsage().heapUsed;
const limits = new AbuseLimits({ authFailureLimit: 10 });
const sources = 3 * MAX_TRACKED_ADDRESSES;
for (let i = 0; i < sources; i++) {
  for (let k = 0; k < 10; k++) limits.recordAuthFailure(source(i), 1000);
}
for (let i = sources; i < 2 * sources; i++) {
  limits.admit(source(i), 1000, true);
  for (let k = 0; k < 9; k++) limits.recordAuthFailure(source(i), 1000 + k);
}
gc();
const report = {
  tracked: limits.trackedAddresses,
  cooling: limits.coolingAddresses,
  heapGrowth: Deno.memoryUsage().heapUsed - before,
};
Deno.stdout.writeSync(new TextEncoder().encode(`${JSON.stringify(report)}\n`));
