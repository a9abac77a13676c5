import {
  buildIssuancePolicy,
  checkIssuance,
  type IssuancePolicyOptions,
  PolicyDeniedError,
  type PolicyRequest,
  type PolicyRule,
} from "../../../src/policy/issuance_policy.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";

const worker: PolicyRequest = {
  commonName: "worker-1",
  dnsNames: ["worker-1"],
  ipAddresses: ["10.5.0.2", "127.0.0.1", "::1"],
};

const restricted: IssuancePolicyOptions = {
  allowedIpCidrs: ["10.5.0.0/16", "fd00:5::/32"],
  allowedDnsSuffixes: ["example.com", "Cluster.Local."],
};

const ok: [string, IssuancePolicyOptions, Partial<PolicyRequest>][] = [
  ["ok/default policy allows any worker request", {}, {}],
  ["ok/default policy allows any public IP and name (native behaviour)", {}, {
    dnsNames: ["anything.example.org"],
    ipAddresses: ["203.0.113.9"],
  }],
  ["ok/IPs inside the ranges, loopback always allowed", restricted, {}],
  ["ok/IPv6 inside the range", restricted, { ipAddresses: ["fd00:5::9", "::1"] }],
  ["ok/IPv4-mapped IPv6 inside an IPv4 range", restricted, { ipAddresses: ["::ffff:10.5.1.1"] }],
  ["ok/suffix equal to the name", restricted, { dnsNames: ["example.com"] }],
  ["ok/subdomain on a label boundary", restricted, { dnsNames: ["w1.nodes.example.com"] }],
  ["ok/uppercase and trailing dot are normalised", restricted, { dnsNames: ["W1.EXAMPLE.COM."] }],
  ["ok/suffix written with uppercase and trailing dot", restricted, {
    dnsNames: ["svc.cluster.local"],
  }],
  ["ok/single-label host name allowed by default", restricted, { dnsNames: ["worker-1"] }],
  ["ok/punycode name under a Unicode suffix", { allowedDnsSuffixes: ["bücher.example"] }, {
    dnsNames: ["n1.xn--bcher-kva.example"],
  }],
  ["ok/peer among the IP SANs", { peerBinding: "enforce" }, { peerAddress: "10.5.0.2" }],
  ["ok/IPv4-mapped peer matches its IPv4 SAN", { peerBinding: "enforce" }, {
    peerAddress: "::ffff:10.5.0.2",
  }],
  ["ok/exactly the SAN limit", { maxSans: 4 }, {
    dnsNames: ["a"],
    ipAddresses: ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
  }],
];

for (const [name, options, request] of ok) {
  Deno.test(`checkIssuance() ${name}`, () => {
    assertEquals(checkIssuance(buildIssuancePolicy(options), { ...worker, ...request }), []);
  });
}

const fail: [string, IssuancePolicyOptions, Partial<PolicyRequest>, PolicyRule, string][] = [
  [
    "fail/IP outside every range",
    restricted,
    { ipAddresses: ["192.168.1.10"] },
    "allowed-ip-cidrs",
    "IP SAN 192.168.1.10 is outside ALLOWED_IP_CIDRS",
  ],
  [
    "fail/IPv6 outside the range",
    restricted,
    { ipAddresses: ["fd00:6::1"] },
    "allowed-ip-cidrs",
    "IP SAN fd00:6::1",
  ],
  [
    "fail/IPv4-mapped IPv6 outside the IPv4 range",
    restricted,
    { ipAddresses: ["::ffff:192.168.0.1"] },
    "allowed-ip-cidrs",
    "::ffff:192.168.0.1",
  ],
  [
    "fail/suffix without a label boundary",
    restricted,
    { dnsNames: ["evil-example.com"] },
    "allowed-dns-suffixes",
    "DNS SAN evil-example.com does not end with",
  ],
  [
    "fail/suffix as a prefix",
    restricted,
    { dnsNames: ["example.com.evil.net"] },
    "allowed-dns-suffixes",
    "example.com.evil.net",
  ],
  [
    "fail/single-label name when switched off",
    { ...restricted, allowSingleLabelNames: false },
    {},
    "single-label-names",
    "DNS SAN worker-1 is a single-label name",
  ],
  [
    "fail/wildcard DNS name",
    {},
    { dnsNames: ["*.example.com"] },
    "wildcard",
    "*.example.com is a wildcard",
  ],
  ["fail/wildcard CN", {}, { commonName: "*" }, "wildcard", "CN * is a wildcard"],
  [
    "fail/CN over 253 characters",
    {},
    { commonName: "a".repeat(254) },
    "name-length",
    "CN is 254 characters",
  ],
  [
    "fail/DNS name over 253 characters",
    {},
    { dnsNames: ["a".repeat(300)] },
    "name-length",
    "DNS SAN is 300 characters",
  ],
  [
    "fail/non-ASCII DNS name",
    {},
    { dnsNames: ["bücher.example"] },
    "dns-syntax",
    "is not an ASCII host name",
  ],
  [
    "fail/more SANs than the limit",
    { maxSans: 3 },
    {},
    "max-sans",
    "4 SANs requested, at most 3 allowed",
  ],
  [
    "fail/peer not among the IP SANs",
    { peerBinding: "enforce" },
    { peerAddress: "10.9.9.9" },
    "peer-binding",
    "caller address 10.9.9.9 is not among the CSR's IP SANs",
  ],
  [
    "fail/peer unknown under enforce",
    { peerBinding: "enforce" },
    { peerAddress: undefined },
    "peer-binding",
    "caller address unknown",
  ],
];

for (const [name, options, request, rule, message] of fail) {
  Deno.test(`checkIssuance() ${name} -> ${rule}`, () => {
    const error = assertThrows(
      () => checkIssuance(buildIssuancePolicy(options), { ...worker, ...request }),
      PolicyDeniedError,
      message,
    );
    assertEquals(error.rule, rule);
  });
}

Deno.test("checkIssuance() only warns about the peer in warn mode", () => {
  const warnings = checkIssuance(buildIssuancePolicy({ peerBinding: "warn" }), {
    ...worker,
    peerAddress: "10.9.9.9",
  });
  assertEquals(warnings, [{
    rule: "peer-binding",
    message: "caller address 10.9.9.9 is not among the CSR's IP SANs (PEER_BINDING)",
  }]);
});

Deno.test("buildIssuancePolicy() refuses bad ranges and suffixes, naming them", () => {
  assertThrows(
    () => buildIssuancePolicy({ allowedIpCidrs: ["10.0.0.0/40"] }),
    RangeError,
    '"10.0.0.0/40" is not a CIDR range',
  );
  assertThrows(
    () => buildIssuancePolicy({ allowedDnsSuffixes: ["exa mple.com"] }),
    RangeError,
    '"exa mple.com" is not a DNS suffix',
  );
  assertThrows(() => buildIssuancePolicy({ maxSans: 0 }), RangeError, "positive integer");
});
