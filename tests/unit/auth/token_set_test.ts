import {
  AuthError,
  buildTokenSet,
  checkToken,
  constantTimeEqual,
} from "../../../src/auth/token_set.ts";
import { assertEquals, assertRejects, assertThrows } from "../../support/assert.ts";

Deno.test("checkToken() returns the slot of the matching token", async () => {
  const set = await buildTokenSet(["aaaaaa.aaaaaaaaaaaaaaaa", "bbbbbb.bbbbbbbbbbbbbbbb"]);
  assertEquals(checkToken(set, "aaaaaa.aaaaaaaaaaaaaaaa"), 0);
  assertEquals(checkToken(set, "bbbbbb.bbbbbbbbbbbbbbbb"), 1);
});

Deno.test("checkToken() refuses absent metadata as missing and anything else as invalid (contract §2)", async () => {
  const set = await buildTokenSet(["aaaaaa.aaaaaaaaaaaaaaaa"]);
  assertEquals(
    assertThrows(() => checkToken(set, undefined), AuthError, "missing token").reason,
    "missing",
  );
  for (
    const wrong of [
      "",
      "aaaaaa.aaaaaaaaaaaaaaab",
      "AAAAAA.AAAAAAAAAAAAAAAA",
      "aaaaaa.aaaaaaaaaaaaaaaa ",
    ]
  ) {
    assertEquals(
      assertThrows(() => checkToken(set, wrong), AuthError, "invalid token").reason,
      "invalid",
    );
  }
});

Deno.test("buildTokenSet() keeps digests only, never the tokens", async () => {
  const set = await buildTokenSet(["aaaaaa.aaaaaaaaaaaaaaaa"]);
  assertEquals(JSON.stringify(set).includes("aaaaaa"), false);
  assertEquals(set.digests[0]!.length, 32);
});

Deno.test("buildTokenSet() refuses an empty token list or an empty token", async () => {
  await assertRejects(() => buildTokenSet([]), RangeError, "no token configured");
  await assertRejects(() => buildTokenSet([""]), RangeError, "is empty");
});

Deno.test("constantTimeEqual() compares bytes and lengths", () => {
  assertEquals(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
  assertEquals(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
  assertEquals(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 0])), false);
});
