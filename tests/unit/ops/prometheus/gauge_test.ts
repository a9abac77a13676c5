import { Gauge, Registry } from "../../../../src/ops/prometheus/mod.ts";
import { assertEquals, assertThrows } from "../../../support/assert.ts";
import { promtoolCheck } from "./_promtool.ts";

Deno.test("Gauge escapes help text and label values as the text format requires; promtool agrees", async () => {
  const registry = new Registry();
  const info = new Gauge({
    name: "build_info",
    help: "Build \\ facts\nsecond line.",
    labelNames: ["version"],
    registry,
  });
  info.set({ version: 'a"b\\c\nd' }, 1);
  const page = await registry.render();
  assertEquals(
    page,
    "# HELP build_info Build \\\\ facts\\nsecond line.\n# TYPE build_info gauge\n" +
      'build_info{version="a\\"b\\\\c\\nd"} 1\n',
  );
  const verdict = await promtoolCheck(page);
  assertEquals(verdict.code, 0, verdict.output);
});

Deno.test("Gauge reads its value at each scrape, sync or async, and spells infinities and NaN as Prometheus does", async () => {
  const registry = new Registry();
  let value = 1;
  new Gauge({ name: "a", help: "A.", registry, read: () => value });
  new Gauge({ name: "b", help: "B.", registry, read: () => Promise.resolve(-Infinity) });
  const c = new Gauge({ name: "c", help: "C.", registry });
  c.set(undefined, NaN);
  const d = new Gauge({ name: "d", help: "D.", registry });
  d.set(undefined, Infinity);
  value = 0.5;
  const lines = (await registry.render()).split("\n").filter((l) => l && !l.startsWith("#"));
  assertEquals(lines, ["a 0.5", "b -Inf", "c NaN", "d +Inf"]);
});

Deno.test("Gauge refuses read() with labels", () => {
  assertThrows(
    () =>
      new Gauge({
        name: "g",
        help: "",
        labelNames: ["x"],
        registry: new Registry(),
        read: () => 1,
      }),
    RangeError,
    "read() is for a gauge without labels",
  );
});
