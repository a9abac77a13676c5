import {
  hostNameProblem,
  hostNameReadings,
  looksLikeHostName,
} from "../../../src/policy/host_name.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { runWithInput } from "../../support/process.ts";

/**
 * Every non-ASCII code point that Python folds into host-name characters with `str.lower()`,
 * `str.upper().lower()`, `str.casefold()` or NFKC: the independent list of what a client may
 * read as ASCII.
 */
async function pythonFoldsToAscii(): Promise<number[]> {
  const script = `
import json, unicodedata
found = []
for cp in range(0x80, 0x30000):
    c = chr(cp)
    nfkc = unicodedata.normalize("NFKC", c)
    for f in (c.lower(), c.upper().lower(), c.casefold(), nfkc.lower(), nfkc.casefold()):
        if f and all(ch.isascii() and (ch.isalnum() or ch in ".-_*") for ch in f):
            found.append(cp)
            break
print(json.dumps(found))
`;
  const result = await runWithInput("/usr/bin/python3", ["-c", script], "");
  assertEquals(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

Deno.test("looksLikeHostName() counts every character Python folds to ASCII (lower, casefold, NFKC), even in a single label", async () => {
  const folding = await pythonFoldsToAscii();
  assert(folding.includes(0x212a) && folding.includes(0x17f), "the list has the Kelvin sign");
  const missed = folding.filter((cp) => !looksLikeHostName(`ban${String.fromCodePoint(cp)}`));
  assertEquals(missed.map((cp) => `U+${cp.toString(16)}`), []);
  for (const cp of folding) {
    const problem = hostNameProblem(`login.ban${String.fromCodePoint(cp)}.example`);
    assert(
      problem?.startsWith("contains non-ASCII characters"),
      `U+${cp.toString(16)}: ${problem}`,
    );
  }
});

Deno.test("hostNameReadings() reads the Kelvin sign as k, fullwidth letters and an ideographic full stop as ASCII", () => {
  assert(hostNameReadings("login.ban\u212a.example").includes("login.bank.example"));
  assert(
    hostNameReadings("\uff4c\uff4f\uff47\uff49\uff4e\u3002bank.example").includes(
      "login.bank.example",
    ),
  );
  assert(hostNameReadings("\u1e9ee.example").includes("sse.example"));
});

const readings: [string, boolean][] = [
  ["worker-1", true],
  ["w1.example.com", true],
  ["*.bank.example", true],
  ["w\u00e9rker.bank.example", true], // an international host name
  ["login.ban\u212a.example", true],
  ["Talos worker (rack 7)", false],
  ["w\u00e9rker \u2603", false],
  ["Z\u00fcrich", false],
  ["os:admin", false],
  ["x@login.bank.example", false],
];
for (const [commonName, expected] of readings) {
  Deno.test(`looksLikeHostName() is ${expected} for ${JSON.stringify(commonName)}`, () => {
    assertEquals(looksLikeHostName(commonName), expected);
  });
}

Deno.test("hostNameProblem() names the ASCII name a folded CN reads as, and asks for punycode otherwise", () => {
  assertEquals(
    hostNameProblem("login.ban\u212a.example"),
    'contains non-ASCII characters that clients may read as "login.bank.example"',
  );
  assertEquals(
    hostNameProblem("w\u00e9rker.example"),
    "contains spaces, control or non-ASCII characters (use punycode)",
  );
  assertEquals(hostNameProblem("login.bank.example"), undefined);
});
