import { cidrContains, formatIp, parseCidr, parseIp } from "../../../src/policy/ip_address.ts";
import { assertEquals } from "../../support/assert.ts";

const addresses: [string, string | undefined][] = [
  ["10.0.0.1", "10.0.0.1"],
  ["::1", "::1"],
  ["::", "::"],
  ["FD00::1:2", "fd00::1:2"],
  ["2001:db8:0:0:0:0:0:1", "2001:db8::1"],
  ["::ffff:10.1.2.3", "10.1.2.3"], // IPv4-mapped IPv6 is the IPv4 address
  ["64:ff9b::1.2.3.4", "64:ff9b::102:304"],
  ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
  ["1::2::3", undefined],
  ["1:2:3:4:5:6:7:8:9", undefined],
  ["::ffff:1.2.3", undefined],
  ["01.2.3.4", undefined],
  ["256.0.0.1", undefined],
  ["0.0.0.0", "0.0.0.0"],
  ["255.255.255.255", "255.255.255.255"],
  ["10.0.0.00", undefined],
  ["10.0.0.1000", undefined],
  ["10.0.0.1.", undefined],
  ["10..0.1", undefined],
  [".10.0.0", undefined],
  ["10.0.0.1.2", undefined],
  ["10.0.0", undefined],
  ["10.0.0.+1", undefined],
  ["10.0.0.1 ", undefined],
  ["fe80::1%eth0", undefined],
  ["", undefined],
];

for (const [text, expected] of addresses) {
  Deno.test(`parseIp() reads ${JSON.stringify(text)} as ${expected ?? "invalid"}`, () => {
    const bytes = parseIp(text);
    assertEquals(bytes ? formatIp(bytes) : undefined, expected);
  });
}

Deno.test("parseCidr() zeroes host bits and refuses bad prefixes", () => {
  assertEquals(parseCidr("10.1.2.3/8")?.text, "10.0.0.0/8");
  assertEquals(parseCidr("fd00:1::/8")?.text, "fd00::/8");
  assertEquals(parseCidr("10.0.0.7")?.text, "10.0.0.7/32");
  assertEquals(parseCidr("10.0.0.0/33"), undefined);
  assertEquals(parseCidr("10.0.0.0/-1"), undefined);
  assertEquals(parseCidr("10.0.0.0/8/8"), undefined);
});

Deno.test("cidrContains() matches within a family only, IPv4-mapped as IPv4", () => {
  const v4 = parseCidr("10.0.0.0/8")!;
  const v6 = parseCidr("fd00::/8")!;
  assertEquals(cidrContains(v4, parseIp("10.255.0.1")!), true);
  assertEquals(cidrContains(v4, parseIp("11.0.0.1")!), false);
  assertEquals(cidrContains(v4, parseIp("::ffff:10.9.9.9")!), true);
  assertEquals(cidrContains(v6, parseIp("fdff::1")!), true);
  assertEquals(cidrContains(v6, parseIp("fe00::1")!), false);
  assertEquals(cidrContains(v6, parseIp("10.0.0.1")!), false);
  assertEquals(cidrContains(parseCidr("0.0.0.0/0")!, parseIp("192.0.2.1")!), true);
});
