import {
  decodeOid,
  DerError,
  encode,
  encodeOid,
  encodeUnsignedInteger,
  OidArcError,
  readOnly,
  readValue,
  TAG,
} from "../../../src/pki/der.ts";
import { derToP1363, p1363ToDer } from "../../../src/pki/ecdsa_signature.ts";
import { formatIpBytes, parseIpBytes } from "../../../src/pki/ip_text.ts";
import { encodeTime } from "../../../src/pki/certificate_der.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

Deno.test("readValue() reads short and long lengths", () => {
  assertEquals(readValue(bytes(0x30, 0x01, 0x00)).next, 3);
  const long = new Uint8Array([0x04, 0x81, 0x80, ...new Uint8Array(128)]);
  assertEquals(readValue(long).value.content.length, 128);
});

const malformed: [string, Uint8Array, string][] = [
  ["indefinite length", bytes(0x30, 0x80, 0x00, 0x00), "indefinite length"],
  ["non-minimal long form", bytes(0x04, 0x81, 0x05, 1, 2, 3, 4, 5), "non-minimal length"],
  [
    "leading zero length byte",
    bytes(0x04, 0x82, 0x00, 0x85, ...new Uint8Array(0x85)),
    "non-minimal length",
  ],
  ["length past the end", bytes(0x04, 0x05, 1, 2), "runs past the end"],
  ["giant length", bytes(0x30, 0x84, 0xff, 0xff, 0xff, 0xff), "runs past the end"],
  ["length of 5 bytes", bytes(0x30, 0x85, 1, 1, 1, 1, 1), "length of 5 bytes"],
  ["multi-byte tag", bytes(0x1f, 0x81, 0x00), "multi-byte tag"],
  ["truncated header", bytes(0x30), "truncated"],
];

for (const [name, input, message] of malformed) {
  Deno.test(`readValue() refuses ${name}`, () => {
    assertThrows(() => readValue(input), DerError, message);
  });
}

Deno.test("readOnly() refuses trailing bytes and a wrong tag", () => {
  assertThrows(() => readOnly(bytes(0x30, 0x00, 0x00), TAG.sequence), DerError, "1 trailing bytes");
  assertThrows(() => readOnly(bytes(0x31, 0x00), TAG.sequence), DerError, "expected tag 0x30");
});

Deno.test("encode() and encodeOid() produce what openssl reads back", async () => {
  const der = encode(
    TAG.sequence,
    encodeOid("1.2.840.113549.1.9.14"),
    encodeOid("2.5.29.17"),
    encode(TAG.octetString, new Uint8Array(300)),
  );
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/x.der`, der);
  const out = await new Deno.Command("openssl", {
    args: ["asn1parse", "-inform", "DER", "-in", `${dir}/x.der`],
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(
    /:Extension Request/.test(text) && /:X509v3 Subject Alternative Name/.test(text) &&
      /l= 300/.test(text),
    true,
    text,
  );
  assertEquals(decodeOid(readValue(encodeOid("2.999.1")).value.content), "2.999.1");
  await Deno.remove(dir, { recursive: true });
});

const oidOf = (text: string) => decodeOid(readValue(encodeOid(text)).value.content);

Deno.test("decodeOid() accepts subidentifiers up to 2^31 - 1, the largest Go's crypto/x509 reads", () => {
  assertEquals(oidOf("1.3.6.1.4.1.2147483647"), "1.3.6.1.4.1.2147483647");
  // The first subidentifier is 80 + the second arc under 2.
  assertEquals(oidOf("2.2147483567"), "2.2147483567");
});

for (
  const oid of [
    "1.3.6.1.4.1.2147483648",
    "1.3.6.1.4.1.4294967301",
    "2.2147483568",
    "2.5.4.3.70368744177",
  ]
) {
  Deno.test(`decodeOid() refuses ${oid} (a subidentifier of 2^31 or more), naming it`, () => {
    const error = assertThrows(
      () => oidOf(oid),
      OidArcError,
      "has a subidentifier of 2^31 or more",
    );
    assertEquals(error.oid, oid);
    assertEquals(error instanceof DerError, true);
  });
}

Deno.test("decodeOid() refuses arcs past 2^46 as too large, before losing precision", () => {
  assertThrows(() => oidOf("1.2.9007199254740991"), DerError, "OBJECT IDENTIFIER arc too large");
});

Deno.test("encodeUnsignedInteger() is minimal and positive", () => {
  assertEquals(encodeUnsignedInteger(bytes(0, 0, 0x7f)), bytes(2, 1, 0x7f));
  assertEquals(encodeUnsignedInteger(bytes(0x80)), bytes(2, 2, 0, 0x80));
  assertEquals(encodeUnsignedInteger(bytes(0, 0)), bytes(2, 1, 0));
});

Deno.test("p1363ToDer() and derToP1363() round-trip, refusing oversized values", () => {
  const raw = crypto.getRandomValues(new Uint8Array(64));
  raw[0] = 0x80;
  raw[32] = 0x00;
  assertEquals(derToP1363(p1363ToDer(raw), 32), raw);
  assertThrows(
    () => derToP1363(p1363ToDer(crypto.getRandomValues(new Uint8Array(96))), 32),
    DerError,
    "too large",
  );
});

Deno.test("formatIpBytes() follows RFC 5952 and parseIpBytes() reads it back", () => {
  for (
    const [text, expected] of [
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["0:0:0:0:0:0:0:1", "::1"],
      ["fe80::", "fe80::"],
      ["1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"],
      ["::ffff:10.1.2.3", "::ffff:a01:203"],
    ]
  ) {
    assertEquals(formatIpBytes(parseIpBytes(text!)!), expected);
  }
  assertEquals(parseIpBytes("::ffff:10.1.2.3")!.length, 16);
  assertEquals(parseIpBytes("10.1.2.3"), bytes(10, 1, 2, 3));
});

Deno.test("encodeTime() writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280)", () => {
  const text = (date: string) =>
    new TextDecoder().decode(readValue(encodeTime(new Date(date))).value.content);
  assertEquals(text("2049-12-31T23:59:59.999Z"), "491231235959Z");
  assertEquals(readValue(encodeTime(new Date("2049-12-31T23:59:59Z"))).value.tag, TAG.utcTime);
  assertEquals(text("2050-01-01T00:00:00Z"), "20500101000000Z");
  assertEquals(
    readValue(encodeTime(new Date("2050-01-01T00:00:00Z"))).value.tag,
    TAG.generalizedTime,
  );
});
