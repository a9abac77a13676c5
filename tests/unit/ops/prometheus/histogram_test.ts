import { Histogram, Registry } from "../../../../src/ops/prometheus/mod.ts";
import { assertEquals, assertThrows } from "../../../support/assert.ts";
import { promtoolCheck } from "./_promtool.ts";

Deno.test("Histogram renders cumulative buckets with le last, +Inf, sum and count; promtool agrees", async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: "duration_seconds",
    help: "Time.",
    labelNames: ["method"],
    buckets: [0.001, 0.01, 0.1],
    registry,
  });
  h.zero({ method: "/b" });
  for (const v of [0.0005, 0.001, 0.05, 3]) h.observe({ method: "/a" }, v);
  const page = await registry.render();
  assertEquals(page.split("\n"), [
    "# HELP duration_seconds Time.",
    "# TYPE duration_seconds histogram",
    'duration_seconds_bucket{method="/b",le="0.001"} 0',
    'duration_seconds_bucket{method="/b",le="0.01"} 0',
    'duration_seconds_bucket{method="/b",le="0.1"} 0',
    'duration_seconds_bucket{method="/b",le="+Inf"} 0',
    'duration_seconds_sum{method="/b"} 0',
    'duration_seconds_count{method="/b"} 0',
    'duration_seconds_bucket{method="/a",le="0.001"} 2',
    'duration_seconds_bucket{method="/a",le="0.01"} 2',
    'duration_seconds_bucket{method="/a",le="0.1"} 3',
    'duration_seconds_bucket{method="/a",le="+Inf"} 4',
    'duration_seconds_sum{method="/a"} 3.0515',
    'duration_seconds_count{method="/a"} 4',
    "",
  ]);
  const verdict = await promtoolCheck(page);
  assertEquals(verdict.code, 0, verdict.output);
});

Deno.test("Histogram refuses an le label and buckets that are not finite and increasing", () => {
  const registry = new Registry();
  const define = (labelNames: string[], buckets: number[]) => () =>
    new Histogram({
      name: `h${registry.toString().length}`,
      help: "",
      labelNames,
      buckets,
      registry,
    });
  assertThrows(define(["le"], [1]), RangeError, 'no "le" label');
  assertThrows(define([], [2, 1]), RangeError);
  assertThrows(define([], [1, Infinity]), RangeError);
  assertThrows(define([], []), RangeError);
});
