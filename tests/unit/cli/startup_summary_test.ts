import { checkServedAddresses } from "../../../src/cli/startup_summary.ts";
import { parseConfig } from "../../../src/config/parse_config.ts";
import { withAlwaysServedNames } from "../../../src/pki/serving_cert.ts";
import { assertEquals } from "../../support/assert.ts";

const served = withAlwaysServedNames({ dnsNames: ["cp.example.com"], ipAddresses: ["10.0.0.10"] });

function warnings(flags: string[], names = served): string[] {
  return checkServedAddresses(parseConfig(["--token=t", ...flags], {}), names).map((l) =>
    l.message.split(":")[0]!
  );
}

Deno.test("checkServedAddresses() warns when a specific listen address is not in the certificate", () => {
  assertEquals(warnings(["--listen-address=10.0.0.11", "--server-sans=10.0.0.10"]), [
    "the serving certificate does not name the listen address",
  ]);
  assertEquals(warnings(["--listen-address=cp2.example.com", "--server-sans=10.0.0.10"]), [
    "the serving certificate does not name the listen address",
  ]);
});

Deno.test("checkServedAddresses() compares IPs in canonical form and names without case", () => {
  assertEquals(warnings(["--listen-address=0:0::1", "--server-sans=10.0.0.10"]), []);
  assertEquals(warnings(["--listen-address=CP.example.com", "--server-sans=10.0.0.10"]), []);
  assertEquals(warnings(["--listen-address=10.0.0.10", "--server-sans=10.0.0.10"]), []);
});

Deno.test("checkServedAddresses() warns about an empty SERVER_SANS only with a wildcard listener", () => {
  const loopbackOnly = withAlwaysServedNames({ dnsNames: [], ipAddresses: [] });
  assertEquals(warnings([], loopbackOnly), ["SERVER_SANS is empty"]);
  assertEquals(warnings(["--listen-address=0.0.0.0"], loopbackOnly), ["SERVER_SANS is empty"]);
  assertEquals(warnings(["--server-sans=127.0.0.1"], loopbackOnly), []);
  assertEquals(warnings(["--listen-address=127.0.0.1"], loopbackOnly), []);
});
