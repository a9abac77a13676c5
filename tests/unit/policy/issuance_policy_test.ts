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
  ["ok/a CN that is not host-name-like is not held to the DNS rules", restricted, {
    commonName: "Talos worker (rack 7)",
  }],
  ["ok/a host-name CN inside the suffixes", restricted, { commonName: "w1.nodes.example.com" }],
  ["ok/a non-ASCII CN that is not host-name-like, even folded", restricted, {
    commonName: "w\u00e9rker \u2603 (rack 7)",
  }],
  ["ok/enforce allows a multi-homed worker's other addresses", { peerBinding: "enforce" }, {
    peerAddress: "10.5.0.2",
    ipAddresses: ["10.5.0.2", "192.168.7.2", "127.0.0.1"],
  }],
  ["ok/strict allows the caller's address and loopback", { peerBinding: "strict" }, {
    peerAddress: "10.5.0.2",
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
    { commonName: "w1.example.com" },
    "single-label-names",
    "DNS SAN worker-1 is a single-label name",
  ],
  [
    "fail/wildcard DNS name",
    {},
    { dnsNames: ["*.example.com"] },
    "wildcard",
    '"*.example.com" is a wildcard',
  ],
  ["fail/wildcard CN", {}, { commonName: "*" }, "wildcard", 'CN "*" is a wildcard'],
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
    'DNS SAN "bücher.example" is not a well-formed host name: it contains spaces, control or non-ASCII characters (use punycode)',
  ],
  [
    "fail/host-name CN outside the suffixes (clients fall back to the CN)",
    restricted,
    { commonName: "login.bank.example" },
    "allowed-dns-suffixes",
    "CN login.bank.example does not end with any of ALLOWED_DNS_SUFFIXES",
  ],
  [
    "fail/wildcard CN pattern",
    {},
    { commonName: "*.bank.example" },
    "wildcard",
    'CN "*.bank.example" is a wildcard',
  ],
  [
    "fail/single-label CN when switched off",
    { ...restricted, allowSingleLabelNames: false },
    { dnsNames: ["w1.example.com"] },
    "single-label-names",
    "CN worker-1 is a single-label name",
  ],
  [
    "fail/CN with a leading dot",
    {},
    { commonName: ".example.com" },
    "dns-syntax",
    'CN ".example.com" is not a well-formed host name: it has an empty label',
  ],
  [
    "fail/DNS SAN with a leading dot satisfies no suffix",
    restricted,
    { dnsNames: [".example.com"] },
    "dns-syntax",
    'DNS SAN ".example.com" is not a well-formed host name: it has an empty label',
  ],
  [
    "fail/DNS SAN with a slash",
    restricted,
    { dnsNames: ["bank.example/.example.com"] },
    "dns-syntax",
    "contains characters other than letters, digits, '-' and '.'",
  ],
  [
    "fail/DNS SAN with a space",
    {},
    { dnsNames: ["a b.example"] },
    "dns-syntax",
    'DNS SAN "a b.example" is not a well-formed host name: it contains spaces',
  ],
  [
    "fail/DNS SAN with a control character, escaped in the message",
    {},
    { dnsNames: ["evil\u001b[2J.example"] },
    "dns-syntax",
    'DNS SAN "evil\\u{1b}[2J.example"',
  ],
  [
    "fail/empty DNS SAN",
    {},
    { dnsNames: [""] },
    "dns-syntax",
    'DNS SAN "" is not a well-formed host name: it has an empty label',
  ],
  [
    "fail/DNS SAN with empty labels",
    {},
    { dnsNames: ["a..example"] },
    "dns-syntax",
    "has an empty label",
  ],
  [
    "fail/DNS SAN label over 63 characters",
    {},
    { dnsNames: [`${"a".repeat(64)}.example`] },
    "dns-syntax",
    "has a label over 63 characters",
  ],
  [
    "fail/DNS SAN label ending with a hyphen",
    {},
    { dnsNames: ["worker-.example"] },
    "dns-syntax",
    "has a label starting or ending with '-'",
  ],
  [
    "fail/a CN with U+212A KELVIN SIGN, which Python's str.lower() reads as k",
    restricted,
    { commonName: "login.ban\u212a.example" },
    "dns-syntax",
    'CN "login.ban\u212a.example" is not a well-formed host name: it contains non-ASCII characters that clients may read as "login.bank.example"',
  ],
  [
    "fail/a CN of fullwidth letters and an ideographic full stop (NFKC and IDNA read ASCII)",
    {},
    { commonName: "\uff4c\uff4f\uff47\uff49\uff4e\u3002bank.example" },
    "dns-syntax",
    'clients may read as "login.bank.example"',
  ],
  [
    "fail/a CN with U+017F LONG S, which upper-casing reads as S",
    {},
    { commonName: "\u017fecure.example" },
    "dns-syntax",
    'clients may read as "secure.example"',
  ],
  [
    "fail/a CN shaped like an international host name (use punycode)",
    {},
    { commonName: "w\u00e9rker.bank.example" },
    "dns-syntax",
    "(use punycode)",
  ],
  [
    "fail/a fullwidth wildcard CN",
    {},
    { commonName: "\uff0a.bank.example" },
    "dns-syntax",
    'clients may read as "*.bank.example"',
  ],
  [
    "fail/strict refuses another address of a multi-homed worker",
    { peerBinding: "strict" },
    { peerAddress: "10.5.0.2", ipAddresses: ["10.5.0.2", "10.0.0.7", "10.0.0.8"] },
    "peer-binding",
    "IP SAN 10.0.0.7 is not the caller's address 10.5.0.2 (PEER_BINDING=strict)",
  ],
  [
    "fail/strict still requires the caller's address",
    { peerBinding: "strict" },
    { peerAddress: "10.5.0.2", ipAddresses: ["127.0.0.1"] },
    "peer-binding",
    "caller address 10.5.0.2 is not among the CSR's IP SANs",
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
