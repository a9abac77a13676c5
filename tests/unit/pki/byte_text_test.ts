import { byteText } from "../../../src/pki/byte_text.ts";
import { assertEquals } from "../../support/assert.ts";

function oneByOne(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

Deno.test("byteText() reads every byte value as the code point of the same number (ISO 8859-1)", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assertEquals(byteText(all), oneByOne(all));
  assertEquals(byteText(all).charCodeAt(0x80), 0x80); // not windows-1252's U+20AC
  assertEquals(byteText(new Uint8Array(0)), "");
});

Deno.test("byteText() reads inputs longer than one chunk whole and in order", () => {
  for (const length of [8191, 8192, 8193, 70_000]) {
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 7) & 0xff);
    assertEquals(byteText(bytes), oneByOne(bytes), `${length} bytes`);
  }
});
