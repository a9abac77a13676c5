import { Counter, Registry } from "../../../../src/ops/prometheus/mod.ts";
import { assertEquals, assertThrows } from "../../../support/assert.ts";
import { promtoolCheck } from "./_promtool.ts";

Deno.test("Counter renders HELP, TYPE and one line per label set, in first-seen order", async () => {
  const registry = new Registry();
  const calls = new Counter({
    name: "calls_total",
    help: "Calls, by code.",
    labelNames: ["method", "code"],
    registry,
  });
  calls.inc({ method: "/a", code: "OK" });
  calls.inc({ method: "/a", code: "INTERNAL" }, 0);
  calls.inc({ method: "/a", code: "OK" }, 2);
  assertEquals(
    await registry.render(),
    "# HELP calls_total Calls, by code.\n# TYPE calls_total counter\n" +
      'calls_total{method="/a",code="OK"} 3\ncalls_total{method="/a",code="INTERNAL"} 0\n',
  );
});

Deno.test("Counter without labels shows 0 before its first inc, and reads an outside total", async () => {
  const registry = new Registry();
  new Counter({ name: "issued_total", help: "Issued.", registry });
  let cpu = 1.5;
  new Counter({ name: "cpu_seconds_total", help: "CPU.", registry, read: () => cpu });
  cpu = 2.25;
  const page = await registry.render();
  assertEquals(page.split("\n").filter((l) => !l.startsWith("#")), [
    "issued_total 0",
    "cpu_seconds_total 2.25",
    "",
  ]);
  assertEquals((await promtoolCheck(page)).code, 0);
});

Deno.test("Counter refuses a negative amount, labels that do not match, and bad names", () => {
  const registry = new Registry();
  const c = new Counter({ name: "x_total", help: "X.", labelNames: ["reason"], registry });
  assertThrows(() => c.inc({ reason: "a" }, -1), RangeError, "Cannot increase counter x_total");
  assertThrows(() => c.inc({ reason: "a" }, NaN), RangeError);
  assertThrows(() => c.inc(), RangeError, "labels must be exactly [reason]");
  assertThrows(
    () => c.inc({ reason: "a", other: "b" } as unknown as { reason: string }),
    RangeError,
  );
  assertThrows(() => new Counter({ name: "1bad", help: "", registry }), RangeError, "bad name");
  assertThrows(
    () => new Counter({ name: "y_total", help: "", labelNames: ["__x"], registry }),
    RangeError,
    "bad label name",
  );
  assertThrows(
    () => new Counter({ name: "x_total", help: "", registry }),
    RangeError,
    "already registered",
  );
});
