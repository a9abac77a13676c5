import { ConfigErrors } from "../../../src/config/config_error.ts";
import { parseConfig } from "../../../src/config/parse_config.ts";
import { parseDuration } from "../../../src/config/duration.ts";
import { classifyName } from "../../../src/config/host_names.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

const base = { TALOS_TOKEN_FILE: "/run/token" };

Deno.test("parseConfig() defaults: every address of both families (like native trustd), port 50001, /etc/talos-ca files", () => {
  const config = parseConfig([], base);
  assertEquals(config.host, "::");
  assertEquals(config.port, 50001);
  assertEquals(config.ca, {
    kind: "files",
    certPath: "/etc/talos-ca/tls.crt",
    keyPath: "/etc/talos-ca/tls.key",
  });
  assertEquals(config.serving, { kind: "self-issued", names: { dnsNames: [], ipAddresses: [] } });
  assertEquals(config.leafLifetimeMs, 24 * 3600_000);
  assertEquals(config.servingLifetimeMs, 24 * 3600_000);
});

Deno.test("parseConfig() takes SERVING_CERT_LIFETIME down to 10s and names it when shorter", () => {
  assertEquals(
    parseConfig([], { ...base, SERVING_CERT_LIFETIME: "10s" }).servingLifetimeMs,
    10_000,
  );
  const error = assertThrows(
    () => parseConfig([], { ...base, SERVING_CERT_LIFETIME: "9s" }),
    ConfigErrors,
  );
  assertEquals(error.errors.map((e) => (e as Error).message), [
    "SERVING_CERT_LIFETIME: 9s is shorter than the 10s minimum",
  ]);
});

Deno.test("parseConfig() lets a flag win over its environment variable", () => {
  assertEquals(parseConfig(["--port", "6000"], { ...base, PORT: "5000" }).port, 6000);
  assertEquals(parseConfig([], { ...base, PORT: "5000" }).port, 5000);
});

Deno.test("parseConfig() takes the CA and token from a secrets bundle", () => {
  const config = parseConfig(["--secrets", "/s.yaml"], {});
  assertEquals(config.ca, { kind: "bundle", secretsPath: "/s.yaml" });
});

Deno.test("parseConfig() classifies SERVER_SANS into IPs and DNS names", () => {
  const config = parseConfig([], {
    ...base,
    SERVER_SANS: "10.0.0.10, CP.Example.com., 2001:DB8::1",
  });
  assertEquals(config.serving, {
    kind: "self-issued",
    names: { dnsNames: ["cp.example.com"], ipAddresses: ["10.0.0.10", "2001:db8::1"] },
  });
});

Deno.test("parseConfig() reports every problem at once, one line each naming the setting", () => {
  const error = assertThrows(
    () =>
      parseConfig(["--secrets", "/s.yaml", "--ca-cert", "/c"], {
        PORT: "70000",
        TLS_CERT_PATH: "/tls.crt",
        CERT_LIFETIME: "12h",
        LOG_FORMAT: "xml",
        SERVER_SANS: "bad_name!",
      }),
    ConfigErrors,
  );
  const lines = error.message.split("\n");
  assertEquals(lines, [
    'PORT: "70000" is not a whole number from 0 to 65535',
    "CA_CERT_PATH: conflicts with TALOS_SECRETS_PATH; set one or the other",
    "TLS_KEY_PATH: TLS_CERT_PATH and TLS_KEY_PATH must be set together",
    'SERVER_SANS: "bad_name!" is neither an IP address nor a DNS name',
    "CERT_LIFETIME: 12h must be longer than 12h, because Talos workers renew every 12h",
    'LOG_FORMAT: "xml" is not json or text',
  ]);
});

Deno.test("parseConfig() reads the listener limits and refuses a signing wait past REQUEST_TIMEOUT", () => {
  const config = parseConfig(["--token=t", "--request-timeout=3s", "--max-open-streams=9"], {
    MAX_CONNECTIONS_PER_ADDRESS: "7",
  });
  assertEquals(config.listenerLimits, {
    requestTimeoutMs: 3000,
    maxConnections: 512,
    maxConnectionsPerAddress: 7,
    maxStreamsPerConnection: 4,
    maxOpenStreams: 9,
    maxHealthWatches: 64,
  });
  assertThrows(
    () => parseConfig(["--token=t", "--request-timeout=2s", "--max-in-flight-wait=2s"], {}),
    ConfigErrors,
    "MAX_IN_FLIGHT_WAIT: must be shorter than REQUEST_TIMEOUT",
  );
});

Deno.test("parseConfig() requires a token source", () => {
  assertThrows(() => parseConfig([], {}), ConfigErrors, "TALOS_TOKEN: no token configured");
});

Deno.test("parseConfig() refuses unknown flags", () => {
  assertThrows(() => parseConfig(["--bogus", "1"], base), ConfigErrors, "arguments:");
});

Deno.test("parseDuration() reads s, m, h, d and compounds", () => {
  assertEquals(parseDuration("24h"), 86_400_000);
  assertEquals(parseDuration("1d12h"), 129_600_000);
  assertEquals(parseDuration("90m"), 5_400_000);
  assertEquals(parseDuration("24"), undefined);
  assertEquals(parseDuration("h"), undefined);
});

Deno.test("classifyName() canonicalises IPv6 and refuses junk", () => {
  assertEquals(classifyName("[2001:0db8:0:0::1]"), { kind: "ip", value: "2001:db8::1" });
  assertEquals(classifyName("256.1.1.1").kind, "dns"); // a numeric-looking label is still a legal DNS label
  assertEquals(classifyName("a..b"), { kind: "invalid" });
  assertEquals(classifyName("-a.b"), { kind: "invalid" });
  assertEquals(classifyName("fe80::1::2"), { kind: "invalid" });
});
