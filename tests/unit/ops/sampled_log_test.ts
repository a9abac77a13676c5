import { type SampledLine, SampledLog } from "../../../src/ops/sampled_log.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

Deno.test("SampledLog.record() writes the first event of a kind at once and counts the rest into one summary", async () => {
  const lines: SampledLine[] = [];
  const log = new SampledLog(50, (line) => lines.push(line));
  for (let i = 0; i < 1000; i++) log.record("refused", { n: i });
  log.record("other", { n: -1 });
  assertEquals(lines, [
    { key: "refused", count: 1, fields: { n: 0 } },
    { key: "other", count: 1, fields: { n: -1 } },
  ]);
  await new Promise((resolve) => setTimeout(resolve, 120));
  assertEquals(lines[2], { key: "refused", count: 999, fields: { n: 999 } });
  assertEquals(lines.length, 3);
  log.flush();
});

Deno.test("SampledLog.flush() writes pending summaries and stops its timers", () => {
  const lines: SampledLine[] = [];
  const log = new SampledLog(60_000, (line) => lines.push(line));
  log.record("refused", { n: 1 });
  log.record("refused", { n: 2 });
  log.flush();
  assertEquals(lines.map((l) => l.count), [1, 1]);
});

Deno.test("SampledLog() refuses an interval that is not positive", () => {
  assertThrows(() => new SampledLog(0, () => {}), RangeError, "interval must be positive");
});
