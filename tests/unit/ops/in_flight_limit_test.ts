import { InFlightLimit } from "../../../src/ops/in_flight_limit.ts";
import { RateLimitedError } from "../../../src/policy/abuse_limits.ts";
import { assertEquals, assertRejects } from "../../support/assert.ts";

Deno.test("InFlightLimit.run() lets waiting calls in as slots free, in order", async () => {
  const limit = new InFlightLimit(2, 1000);
  const order: number[] = [];
  const gates = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
  const running = [0, 1].map((i) =>
    limit.run(async () => {
      await gates[i]!.promise;
      order.push(i);
    })
  );
  const third = limit.run(() => {
    order.push(2);
    return Promise.resolve();
  });
  assertEquals(limit.active, 2);
  gates[1]!.resolve();
  await third;
  gates[0]!.resolve();
  await Promise.all(running);
  assertEquals(order, [1, 2, 0]);
  assertEquals(limit.active, 0);
});

Deno.test("InFlightLimit.run() refuses with RESOURCE_EXHAUSTED's error after the wait", async () => {
  const limit = new InFlightLimit(1, 20);
  const gate = Promise.withResolvers<void>();
  const busy = limit.run(() => gate.promise);
  const error = await assertRejects(
    () => limit.run(() => Promise.resolve()),
    RateLimitedError,
    "server busy: 1 calls in flight",
  );
  assertEquals(error.reason, "in-flight");
  gate.resolve();
  await busy;
  await limit.run(() => Promise.resolve());
});
