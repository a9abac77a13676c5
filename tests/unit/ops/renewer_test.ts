import { halfRemaining, scheduleRenewal } from "../../../src/ops/renewer.ts";
import { createLogger } from "../../../src/ops/log.ts";
import { assertEquals } from "../../support/assert.ts";

Deno.test("halfRemaining() waits half of what is left, like native trustd's 12 h of 24 h", () => {
  const now = new Date("2030-01-01T00:00:00Z");
  assertEquals(halfRemaining(new Date("2030-01-02T00:00:00Z"), now), 12 * 3600_000);
});

Deno.test("scheduleRenewal() renews when half the lifetime has passed, then plans from the new expiry", async () => {
  const lines: string[] = [];
  const renewed: number[] = [];
  let now = Date.now();
  const cancel = scheduleRenewal(
    () => {
      renewed.push(Date.now());
      now = Date.now();
      return Promise.resolve(new Date(now + 60_000));
    },
    new Date(now + 80),
    createLogger("json", (l) => lines.push(l)),
    () => new Date(now),
  );
  // Renewal is due after 40 ms; allow a loaded machine plenty of slack.
  for (let i = 0; i < 100 && renewed.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  cancel();
  assertEquals(renewed.length, 1);
  assertEquals(JSON.parse(lines[0]!).msg, "serving certificate renewed");
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
