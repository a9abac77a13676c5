import { createLogger, type LogFields } from "../../../src/ops/log.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const CLOCK = () => new Date("2026-01-02T03:04:05.000Z");

function lineOf(format: "json" | "text", fields: LogFields, message = "certificate request") {
  const lines: string[] = [];
  createLogger(format, (line) => lines.push(line), CLOCK).log("info", message, fields);
  assertEquals(lines.length, 1);
  return lines[0]!;
}

/** Characters a caller could put in a CSR name to paint, hide or reorder a terminal's text. */
const HOSTILE: [string, string][] = [
  ["ESC (ANSI colour and cursor sequences)", "\x1b[2J\x1b[31m"],
  ["NUL", "\0"],
  ["CR and LF (forged lines)", "\r\nINFO forged"],
  ["DEL", "\x7f"],
  ["C1 NEL (U+0085)", "\u0085"],
  ["C1 CSI (U+009B)", "\u009b"],
  ["RIGHT-TO-LEFT OVERRIDE (U+202E)", "\u202e"],
  ["RIGHT-TO-LEFT ISOLATE (U+2067)", "\u2067"],
  ["ARABIC LETTER MARK (U+061C)", "\u061c"],
  ["ZERO WIDTH SPACE (U+200B)", "\u200b"],
  ["LINE SEPARATOR (U+2028)", "\u2028"],
  ["NO-BREAK SPACE (U+00A0)", "\u00a0"],
  ["BOM (U+FEFF)", "\ufeff"],
  ["a private-use character (U+E000)", "\ue000"],
  ["TAG LATIN SMALL LETTER A (U+E0061, astral format character)", "\u{e0061}"],
];

/** Every character in `line` that a terminal would not print as itself. */
function rawUnsafe(line: string): string[] {
  return [...line].filter((c) => /[\p{C}\p{Z}]/u.test(c) && c !== " ");
}

for (const format of ["json", "text"] as const) {
  for (const [name, chars] of HOSTILE) {
    Deno.test(`createLogger("${format}") writes ${name} as an escape, in values, lists and the message`, () => {
      const value = `worker${chars}-1`;
      const line = lineOf(format, { dns_names: [value, "b"], subject: value }, `note ${chars}`);
      assertEquals(rawUnsafe(line), [], JSON.stringify(line));
      if (format === "json") {
        const record = JSON.parse(line);
        assertEquals(record.subject, value, "JSON escapes decode back to the exact value");
        assertEquals(record.dns_names, [value, "b"]);
        assertEquals(record.msg, `note ${chars}`);
      } else {
        const subject = /subject=("(?:[^"\\]|\\.)*")/.exec(line)?.[1];
        assertEquals(JSON.parse(subject!), value, "text values are JSON strings when quoted");
      }
    });
  }
}

Deno.test('createLogger("text") writes lists so one name with a comma differs from two names', () => {
  const one = lineOf("text", { dns_names: ["evil.example,worker-1"] });
  const two = lineOf("text", { dns_names: ["evil.example", "worker-1"] });
  assert(one !== two, one);
  assert(one.endsWith(' dns_names=["evil.example,worker-1"]'), one);
  assert(two.endsWith(' dns_names=["evil.example","worker-1"]'), two);
  assert(lineOf("text", { dns_names: [] }).endsWith(" dns_names=[]"));
  assert(lineOf("text", { dns_names: [""] }).endsWith(' dns_names=[""]'));
});

Deno.test('createLogger("text") quotes a scalar that could be read as a list or as more fields', () => {
  const line = lineOf("text", {
    a: "plain.example",
    b: "x,y",
    c: "k=v",
    d: "two words",
    e: "[x]",
    f: "back\\slash",
    g: "",
    n: 3,
  });
  assert(
    line.endsWith(
      ' a=plain.example b="x,y" c="k=v" d="two words" e="[x]" f="back\\\\slash" g="" n=3',
    ),
    line,
  );
});

Deno.test('createLogger("json") writes one JSON object per line with the fields given', () => {
  const record = JSON.parse(lineOf("json", { peer: "127.0.0.1", slot: 0, ok: true }));
  assertEquals(record, {
    time: "2026-01-02T03:04:05.000Z",
    level: "info",
    msg: "certificate request",
    peer: "127.0.0.1",
    slot: 0,
    ok: true,
  });
});
