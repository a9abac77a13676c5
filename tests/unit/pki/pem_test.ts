import { decodePem, encodePem } from "../../../src/pki/pem.ts";
import { assert, assertEquals, assertThrows } from "../../support/assert.ts";

const WORKER = new URL("../../support/pem_timing_worker.ts", import.meta.url);

/** Decodes `text` in a worker; resolves with its answer, or "gave up" after `limitMs`. */
function decodeInWorker(
  text: string,
  limitMs: number,
): Promise<{ blocks: number } | { error: string } | "gave up"> {
  const worker = new Worker(WORKER, { type: "module" });
  return new Promise<{ blocks: number } | { error: string } | "gave up">((resolve) => {
    const timer = setTimeout(() => resolve("gave up"), limitMs);
    worker.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data);
    };
    worker.postMessage(text);
  }).finally(() => worker.terminate());
}

const MIB = 1024 * 1024;

/** Repeats `unit` until the text is about `bytes` long. */
function flood(unit: string, bytes: number, tail = ""): string {
  return unit.repeat(Math.ceil(bytes / unit.length)) + tail;
}

// Each input is 2 MiB. A decoder that rescans the rest of the text for every BEGIN line (the old
// lazy regex took ~75 ms per 64 KiB of such lines, growing with the square of the size) needs over
// a minute here; a linear one takes milliseconds. The 20 s limit is only there so that a quadratic
// decoder fails instead of hanging: it leaves a margin of several hundred times for a busy machine.
const ADVERSARIAL: [string, string][] = [
  ["empty-label BEGIN lines", flood("-----BEGIN -----\n", 2 * MIB)],
  ["unterminated CERTIFICATE BEGIN lines", flood("-----BEGIN CERTIFICATE-----\n", 2 * MIB)],
  ["BEGIN keywords without closing dashes", flood("-----BEGIN ", 2 * MIB)],
  ["BEGIN lines with CRLF", flood("-----BEGIN X-----\r\n", 2 * MIB)],
  [
    "one BEGIN and END lines without closing dashes",
    "-----BEGIN X-----\n" + flood("-----END X\n", 2 * MIB),
  ],
  ["dashes only", flood("-", 2 * MIB)],
  ["a body of base64 that never ends", "-----BEGIN X-----\n" + flood("QUJD\n", 2 * MIB)],
];

for (const [name, text] of ADVERSARIAL) {
  Deno.test(`decodePem() takes time linear in its input: 2 MiB of ${name}`, async () => {
    const answer = await decodeInWorker(text, 20_000);
    assert(answer !== "gave up", "decoding 2 MiB of adversarial PEM did not finish within 20 s");
  });
}

Deno.test("decodePem() reads blocks with comments around them, CRLF line ends and several blocks", () => {
  const a = encodePem("CERTIFICATE", new Uint8Array([1, 2, 3]));
  const b = encodePem("ED25519 PRIVATE KEY", new Uint8Array([4, 5]));
  const text = `# comment\n${a}between -----BEGIN nothing\n${b.replaceAll("\n", "\r\n")}trailer`;
  assertEquals(decodePem(text).map((block) => [block.label, [...block.der]]), [
    ["CERTIFICATE", [1, 2, 3]],
    ["ED25519 PRIVATE KEY", [4, 5]],
  ]);
});

Deno.test("decodePem() skips a BEGIN line that is not closed by dashes and reads the next block", () => {
  const text = `-----BEGIN BROKEN\n${encodePem("CERTIFICATE", new Uint8Array([9]))}`;
  assertEquals(decodePem(text).map((block) => block.label), ["CERTIFICATE"]);
});

Deno.test("decodePem() returns no block when no END line follows", () => {
  assertEquals(decodePem("-----BEGIN CERTIFICATE-----\nAQID\n"), []);
});

Deno.test("decodePem() never repeats a label that could be content in its errors", () => {
  const label = "c2VjcmV0LXRva2Vu";
  const error = assertThrows(
    () => decodePem(`-----BEGIN ${label}-----\nAQID\n-----END CERTIFICATE-----\n`),
    SyntaxError,
    "is closed by END CERTIFICATE",
  );
  assert(!error.message.includes(label), error.message);
});

Deno.test("decodePem() names the line of a bad block instead of quoting it", () => {
  const good = encodePem("CERTIFICATE", new Uint8Array([1]));
  assertThrows(
    () => decodePem(`${good}-----BEGIN CERTIFICATE-----\nAQ*D\n-----END CERTIFICATE-----\n`),
    SyntaxError,
    "Cannot decode PEM: the CERTIFICATE block at line 4 is not valid base64",
  );
  assertThrows(
    () => decodePem(`# a\n-----BEGIN CERTIFICATE-----\nAQID\n-----END PRIVATE KEY-----\n`),
    SyntaxError,
    "BEGIN CERTIFICATE at line 2 is closed by END PRIVATE KEY at line 4",
  );
});

Deno.test("decodePem() ignores every whitespace character inside a body, not only ASCII's", () => {
  const der = Uint8Array.from({ length: 100 }, (_, i) => i);
  const pem = encodePem("CERTIFICATE", der);
  for (const space of [" ", "\t", "\r", "\f", "\v", "\u00a0", "\u2028", "\ufeff"]) {
    const spaced = pem.replace(/\n(?=[A-Za-z0-9+/])/g, `\n${space}`);
    assertEquals(decodePem(spaced)[0]?.der, der, JSON.stringify(space));
  }
  assertThrows(() => decodePem(pem.replace("\nAA", "\n*A")), SyntaxError, "not valid base64");
});
