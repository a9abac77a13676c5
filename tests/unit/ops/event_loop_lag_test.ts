import { EventLoopLag } from "../../../src/ops/event_loop_lag.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

Deno.test("EventLoopLag records how late each tick fired, and read() starts afresh", () => {
  let now = 0;
  const lag = new EventLoopLag({ intervalMs: 20, now: () => now });
  lag.start();
  lag.stop();
  for (const late of [0, 1, 2, 3, 4, 5, 6, 7, 8, 90]) {
    now += 20 + late;
    lag.tick();
  }
  now += 10; // early: counts as 0, never negative
  lag.tick();
  assertEquals(lag.read(), { p50: 0.004, p90: 0.008, p99: 0.09, max: 0.09, count: 11 });
  assertEquals(lag.read(), { p50: 0, p90: 0, p99: 0, max: 0, count: 0 });
});

Deno.test("EventLoopLag keeps a fixed number of samples, but the maximum of all since the last read", () => {
  let now = 0;
  const lag = new EventLoopLag({ intervalMs: 10, capacity: 4, now: () => now });
  lag.start();
  lag.stop();
  for (const late of [500, 1, 1, 1, 1, 1]) {
    now += 10 + late;
    lag.tick();
  }
  const summary = lag.read();
  assertEquals(summary.max, 0.5);
  assertEquals(summary.p99, 0.001);
  assertEquals(summary.count, 6);
});

Deno.test("EventLoopLag samples the real event loop with an unref'd timer", async () => {
  const lag = new EventLoopLag({ intervalMs: 5 });
  lag.start();
  await new Promise((resolve) => setTimeout(resolve, 60));
  const busyUntil = performance.now() + 30;
  while (performance.now() < busyUntil) { /* block the loop */ }
  await new Promise((resolve) => setTimeout(resolve, 30));
  lag.stop();
  const summary = lag.read();
  // A 30 ms block makes at least one tick at least 20 ms late, whatever the machine's speed.
  assertEquals(summary.count > 0 && summary.max >= 0.02, true, JSON.stringify(summary));
});

Deno.test("EventLoopLag refuses a period or capacity that is not positive", () => {
  assertThrows(() => new EventLoopLag({ intervalMs: 0 }), RangeError, "Cannot sample");
  assertThrows(() => new EventLoopLag({ capacity: 0 }), RangeError);
  assertThrows(() => new EventLoopLag({ capacity: 1.5 }), RangeError);
});
