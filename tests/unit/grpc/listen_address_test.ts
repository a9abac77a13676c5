import {
  bindListenAddress,
  formatHostPort,
  isIpv6Unavailable,
} from "../../../src/grpc/listen_address.ts";
import { assertEquals, assertRejects } from "../../support/assert.ts";

/** A bind that refuses IPv6 the way grpc-js reports it on a kernel without IPv6. */
function ipv4OnlyHost(bound: string[]) {
  return (address: string) => {
    bound.push(address);
    if (address.startsWith("[")) {
      return Promise.reject(
        new Error(
          "No address added out of total 1 resolved errors: [listen EAFNOSUPPORT: address family not supported :::50001]",
        ),
      );
    }
    return Promise.resolve(50001);
  };
}

Deno.test("bindListenAddress() binds :: as given where IPv6 works", async () => {
  const bound: string[] = [];
  const fallbacks: string[] = [];
  const result = await bindListenAddress("::", 0, (a) => {
    bound.push(a);
    return Promise.resolve(40000);
  }, (why) => fallbacks.push(why));
  assertEquals(result, { host: "::", port: 40000, address: "[::]:0" });
  assertEquals([bound, fallbacks], [["[::]:0"], []]);
});

Deno.test("bindListenAddress() falls back to 0.0.0.0 and says why on a host without IPv6", async () => {
  const bound: string[] = [];
  const fallbacks: string[] = [];
  const result = await bindListenAddress(
    "::",
    50001,
    ipv4OnlyHost(bound),
    (w) => fallbacks.push(w),
  );
  assertEquals(result, { host: "0.0.0.0", port: 50001, address: "0.0.0.0:50001" });
  assertEquals(bound, ["[::]:50001", "0.0.0.0:50001"]);
  assertEquals(fallbacks.length, 1);
});

Deno.test("bindListenAddress() does not fall back for another address or another error", async () => {
  await assertRejects(
    () => bindListenAddress("::1", 50001, ipv4OnlyHost([]), () => {}),
    Error,
    "EAFNOSUPPORT",
  );
  await assertRejects(
    () =>
      bindListenAddress(
        "::",
        50001,
        () => Promise.reject(new Error("listen EADDRINUSE: address already in use :::50001")),
        () => {},
      ),
    Error,
    "EADDRINUSE",
  );
});

Deno.test("isIpv6Unavailable() and formatHostPort()", () => {
  assertEquals(isIpv6Unavailable(new Error("listen EADDRNOTAVAIL: ::")), true);
  assertEquals(isIpv6Unavailable(new Error("listen EACCES: permission denied")), false);
  assertEquals(formatHostPort("::1", 50001), "[::1]:50001");
  assertEquals(formatHostPort("127.0.0.1", 50001), "127.0.0.1:50001");
});
