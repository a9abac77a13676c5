import { encode, readOnly, TAG } from "../../../src/pki/der.ts";
import { derTree, writeDer } from "../../../src/pki/der_tree.ts";
import { encodeTime } from "../../../src/pki/certificate_der.ts";
import { assertEquals } from "../../support/assert.ts";

const filled = (length: number) => new Uint8Array(length).map((_, i) => i & 0xff);

Deno.test("writeDer() writes the bytes nested encode() calls give, at every length form", () => {
  // Short form, and long forms of one, two and three length octets.
  for (const size of [0, 1, 127, 128, 255, 256, 65_535, 65_536, 70_000]) {
    const inner = filled(size);
    const expected = encode(TAG.sequence, encode(TAG.octetString, inner), encode(TAG.null));
    const written = writeDer(
      derTree(TAG.sequence, [derTree(TAG.octetString, [inner]), derTree(TAG.null, [])]),
    );
    assertEquals(written, expected, `contents of ${size} bytes`);
  }
});

Deno.test("writeDer() keeps parts in order and mixes bytes with nested values", () => {
  const a = Uint8Array.of(1, 2, 3);
  const b = encode(TAG.integer, Uint8Array.of(5));
  const tree = derTree(0xa3, [a, derTree(TAG.set, [b, a]), b]);
  assertEquals(writeDer(tree), encode(0xa3, a, encode(TAG.set, b, a), b));
  assertEquals(tree.length, 3 + 2 + 6 + 3);
});

Deno.test("encodeTime() writes the ISO 8601 fields of every year from 0001 to 9999, UTC", () => {
  for (let i = 0; i < 2000; i++) {
    const ms = -62_135_596_800_000 + Math.random() * (253_402_300_799_000 + 62_135_596_800_000);
    const date = new Date(Math.floor(ms));
    const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
    const digits = iso.slice(0, 19).replace(/[-T:]/g, "");
    const year = date.getUTCFullYear();
    const utc = year >= 1950 && year < 2050;
    const encoded = encodeTime(date);
    assertEquals(encoded[0], utc ? TAG.utcTime : TAG.generalizedTime, iso);
    assertEquals(
      new TextDecoder().decode(readOnly(encoded, encoded[0]!).content),
      `${utc ? digits.slice(2) : digits}Z`,
      iso,
    );
  }
});
