import { halfRemaining, renewalFloorMs, scheduleRenewal } from "../../../src/ops/renewer.ts";
import { createLogger } from "../../../src/ops/log.ts";
import { assert, assertEquals } from "../../support/assert.ts";

Deno.test("halfRemaining() waits half of what is left, like native trustd's 12 h of 24 h", () => {
  const now = new Date("2030-01-01T00:00:00Z");
  assertEquals(halfRemaining(new Date("2030-01-02T00:00:00Z"), now), 12 * 3600_000);
});

Deno.test("scheduleRenewal() renews when half the lifetime has passed, then plans from the new expiry", async () => {
  const lines: string[] = [];
  const renewed: number[] = [];
  const cancel = scheduleRenewal(
    () => {
      renewed.push(Date.now());
      // Each renewal yields a certificate valid for one more second: the next renewal is due
      // half a second later, which only a re-plan from this new expiry gives.
      return Promise.resolve(new Date(Date.now() + 1_000));
    },
    new Date(Date.now() + 80),
    createLogger("json", (l) => lines.push(l)),
    () => new Date(),
    10,
  );
  // The first renewal is due after 40 ms, the second 500 ms later; a loaded machine may be slow,
  // so only the lower bounds of the waits are checked (timers never fire early).
  for (let i = 0; i < 1500 && renewed.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  cancel();
  assert(renewed.length >= 3, `${renewed.length} renewals; expected a re-plan after each one`);
  for (const gap of [renewed[1]! - renewed[0]!, renewed[2]! - renewed[1]!]) {
    assert(gap >= 450, `renewed ${gap} ms after the previous one, before half of its lifetime`);
  }
  assertEquals(JSON.parse(lines[0]!).msg, "serving certificate renewed");
});

Deno.test("renewalFloorMs() is a minute, or a quarter of a lifetime shorter than four minutes", () => {
  assertEquals(renewalFloorMs(24 * 3600_000), 60_000);
  assertEquals(renewalFloorMs(10_000), 2_500);
});

Deno.test("scheduleRenewal() never renews more often than the minimum delay", async () => {
  let renewals = 0;
  // A certificate capped at an expiring CA: every renewal returns an already-past NotAfter.
  const cancel = scheduleRenewal(
    () => {
      renewals++;
      return Promise.resolve(new Date(0));
    },
    new Date(0),
    createLogger("json", () => {}),
    () => new Date(),
    100,
  );
  await new Promise((r) => setTimeout(r, 250));
  cancel();
  assertEquals(renewals >= 1 && renewals <= 3, true, `${renewals} renewals in 250 ms`);
});
