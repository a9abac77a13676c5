/**
 * Which names a token holder may get a certificate for (contract §7).
 *
 * Native trustd signs any name for anyone with the token. This policy narrows that, and every part
 * of it that could refuse a legitimate worker is off by default, so a plain deployment behaves
 * like native. Built once from checked options; checking a request is pure.
 *
 * @module
 */
import {
  cidrContains,
  type CidrRange,
  formatIp,
  ipEquals,
  parseCidr,
  parseIp,
} from "./ip_address.ts";
import { hostNameProblem, looksLikeHostName } from "./host_name.ts";
import { quoted } from "../pki/quoted.ts";

/**
 * How the caller's source address is tied to the CSR's IP SANs: `enforce` requires it to be one of
 * them (a multi-homed worker lists all its addresses), `strict` requires every IP SAN to be it or
 * loopback (refuses multi-homed workers), `warn` logs what `enforce` would refuse.
 */
export type PeerBinding = "off" | "warn" | "enforce" | "strict";

/** Every rule that can refuse (or warn about) a name; metrics start each at 0. */
export const POLICY_RULES = [
  "max-sans",
  "name-length",
  "wildcard",
  "dns-syntax",
  "allowed-ip-cidrs",
  "allowed-dns-suffixes",
  "single-label-names",
  "peer-binding",
] as const;

/** The rule that refused (or warned about) a name. */
export type PolicyRule = typeof POLICY_RULES[number];

/** Options for {@linkcode buildIssuancePolicy}, as configured. */
export interface IssuancePolicyOptions {
  /** Ranges every IP SAN must fall in; loopback is always allowed. Empty: no IP restriction. */
  allowedIpCidrs?: string[];
  /** Suffixes every DNS SAN must equal or end with (label boundary). Empty: no DNS restriction. */
  allowedDnsSuffixes?: string[];
  /** With suffixes set, whether plain host names (`worker-1`) are allowed. @default true */
  allowSingleLabelNames?: boolean;
  /** Peer address binding. @default "off" */
  peerBinding?: PeerBinding;
  /** Most SANs one certificate may carry. @default 64 */
  maxSans?: number;
}

/** A built policy. */
export interface IssuancePolicy {
  /** IP ranges, or `undefined` when IPs are not restricted. */
  ipRanges?: CidrRange[];
  /** Normalised DNS suffixes, or `undefined` when DNS names are not restricted. */
  dnsSuffixes?: string[];
  /** Whether single-label names pass the suffix rule. */
  allowSingleLabelNames: boolean;
  /** Peer binding mode. */
  peerBinding: PeerBinding;
  /** SAN limit. */
  maxSans: number;
}

/** What a policy check looks at. */
export interface PolicyRequest {
  /** The subject CN ("" when none). */
  commonName: string;
  /** Requested DNS SANs. */
  dnsNames: readonly string[];
  /** Requested IP SANs. */
  ipAddresses: readonly string[];
  /** The caller's source address, when known. */
  peerAddress?: string;
}

/** A rule that would have refused, in `warn` mode. */
export interface PolicyWarning {
  /** The rule. */
  rule: PolicyRule;
  /** What it found. */
  message: string;
}

/** A request the policy refuses: `PERMISSION_DENIED`. The message names the SAN and the rule. */
export class PolicyDeniedError extends Error {
  /** The rule that refused. */
  readonly rule: PolicyRule;
  /** The offending name or address. */
  readonly subject: string;
  /**
   * @param rule the rule
   * @param subject the offending name
   * @param message the full explanation
   */
  constructor(rule: PolicyRule, subject: string, message: string) {
    super(message);
    this.name = "PolicyDeniedError";
    this.rule = rule;
    this.subject = subject;
  }
}

/** Longest DNS name (RFC 1035), also applied to the CN. */
export const MAX_NAME_LENGTH = 253;
/** Default SAN limit. */
export const DEFAULT_MAX_SANS = 64;

const LOOPBACK = ["127.0.0.1", "::1"].map((ip) => parseIp(ip)!);

/** An option of the policy that cannot be used. */
export type PolicyOption = "allowedIpCidrs" | "allowedDnsSuffixes" | "maxSans";

/** Invalid policy options: every problem found, each tied to its option. */
export class PolicyOptionError extends RangeError {
  /** Each problem and the option it belongs to. */
  readonly problems: readonly { option: PolicyOption; message: string }[];
  /** @param problems the problems found */
  constructor(problems: { option: PolicyOption; message: string }[]) {
    super(problems.map((p) => p.message).join("; "));
    this.name = "PolicyOptionError";
    this.problems = problems;
  }
}

/**
 * Builds a policy, normalising each entry.
 *
 * @param options the configured options
 * @returns the policy
 * @throws {PolicyOptionError} listing every invalid entry with its option
 */
export function buildIssuancePolicy(options: IssuancePolicyOptions = {}): IssuancePolicy {
  const problems: { option: PolicyOption; message: string }[] = [];
  const ipRanges = options.allowedIpCidrs?.length
    ? options.allowedIpCidrs.flatMap((text) => {
      const range = parseCidr(text);
      if (range) return [range];
      problems.push({ option: "allowedIpCidrs", message: `"${text}" is not a CIDR range` });
      return [];
    })
    : undefined;
  const dnsSuffixes = options.allowedDnsSuffixes?.length
    ? options.allowedDnsSuffixes.flatMap((text) => {
      const suffix = normaliseSuffix(text);
      if (suffix) return [suffix];
      problems.push({ option: "allowedDnsSuffixes", message: `"${text}" is not a DNS suffix` });
      return [];
    })
    : undefined;
  const maxSans = options.maxSans ?? DEFAULT_MAX_SANS;
  if (!Number.isInteger(maxSans) || maxSans < 1) {
    problems.push({
      option: "maxSans",
      message: `max SANs must be a positive integer, got ${maxSans}`,
    });
  }
  if (problems.length > 0) throw new PolicyOptionError(problems);
  return {
    ipRanges,
    dnsSuffixes,
    allowSingleLabelNames: options.allowSingleLabelNames ?? true,
    peerBinding: options.peerBinding ?? "off",
    maxSans,
  };
}

/**
 * Checks a request against the policy.
 *
 * @param policy the policy
 * @param request the names asked for and the caller's address
 * @returns warnings from `warn`-mode rules (empty when none)
 * @throws {PolicyDeniedError} on the first rule that refuses
 */
export function checkIssuance(policy: IssuancePolicy, request: PolicyRequest): PolicyWarning[] {
  const sanCount = request.dnsNames.length + request.ipAddresses.length;
  if (sanCount > policy.maxSans) {
    deny(
      "max-sans",
      String(sanCount),
      `${sanCount} SANs requested, at most ${policy.maxSans} allowed`,
    );
  }
  checkName(request.commonName, "CN");
  if (request.commonName !== "" && looksLikeHostName(request.commonName)) {
    // OpenSSL, curl and Python match a certificate without DNS SANs by its CN.
    checkHostName(policy, request.commonName, "CN");
  }
  for (const name of request.dnsNames) {
    checkName(name, "DNS SAN");
    checkHostName(policy, name, "DNS SAN");
  }
  const ips = request.ipAddresses.map((text) => {
    const ip = parseIp(text);
    if (!ip) deny("allowed-ip-cidrs", text, `IP SAN ${text} is not an IP address`);
    if (policy.ipRanges && !isAllowedIp(policy.ipRanges, ip)) {
      deny(
        "allowed-ip-cidrs",
        text,
        `IP SAN ${text} is outside ALLOWED_IP_CIDRS (${
          policy.ipRanges.map((r) => r.text).join(", ")
        })`,
      );
    }
    return ip;
  });
  return checkPeer(policy, request.peerAddress, ips);
}

function checkName(name: string, kind: string): void {
  if (name.length > MAX_NAME_LENGTH) {
    deny(
      "name-length",
      name.slice(0, 64) + "…",
      `${kind} is ${name.length} characters, at most ${MAX_NAME_LENGTH} allowed`,
    );
  }
  if (name.includes("*")) {
    deny("wildcard", name, `${kind} ${quoted(name)} is a wildcard; wildcards are never issued`);
  }
}

function checkHostName(policy: IssuancePolicy, name: string, kind: string): void {
  const problem = hostNameProblem(name);
  if (problem) {
    deny(
      "dns-syntax",
      name,
      `${kind} ${quoted(name)} is not a well-formed host name: it ${problem}`,
    );
  }
  if (!policy.dnsSuffixes) return;
  const normalised = name.toLowerCase().replace(/\.$/, "");
  if (!normalised.includes(".")) {
    if (policy.allowSingleLabelNames) return;
    deny(
      "single-label-names",
      name,
      `${kind} ${name} is a single-label name and ALLOW_SINGLE_LABEL_NAMES is false`,
    );
  }
  const allowed = policy.dnsSuffixes.some((s) => normalised === s || normalised.endsWith(`.${s}`));
  if (!allowed) {
    deny(
      "allowed-dns-suffixes",
      name,
      `${kind} ${name} does not end with any of ALLOWED_DNS_SUFFIXES (${
        policy.dnsSuffixes.join(", ")
      })`,
    );
  }
}

function checkPeer(
  policy: IssuancePolicy,
  peerAddress: string | undefined,
  ips: Uint8Array[],
): PolicyWarning[] {
  if (policy.peerBinding === "off") return [];
  const peer = peerAddress === undefined ? undefined : parseIp(peerAddress);
  const shown = peer ? formatIp(peer) : peerAddress ?? "unknown";
  if (policy.peerBinding === "strict") {
    const other = ips.find((ip) =>
      !(peer && ipEquals(ip, peer)) && !LOOPBACK.some((l) => ipEquals(l, ip))
    );
    if (other || !peer || !ips.some((ip) => ipEquals(ip, peer))) {
      deny(
        "peer-binding",
        shown,
        other
          ? `IP SAN ${formatIp(other)} is not the caller's address ${shown} (PEER_BINDING=strict)`
          : `caller address ${shown} is not among the CSR's IP SANs (PEER_BINDING)`,
      );
    }
    return [];
  }
  if (peer && ips.some((ip) => ipEquals(ip, peer))) return [];
  const message = `caller address ${shown} is not among the CSR's IP SANs (PEER_BINDING)`;
  if (policy.peerBinding === "enforce") deny("peer-binding", shown, message);
  return [{ rule: "peer-binding", message }];
}

function isAllowedIp(ranges: CidrRange[], ip: Uint8Array): boolean {
  return LOOPBACK.some((l) => ipEquals(l, ip)) || ranges.some((r) => cidrContains(r, ip));
}

/** Lowercase ASCII (punycode) suffix without leading `*.`/`.` or trailing dot; undefined if invalid. */
function normaliseSuffix(text: string): string | undefined {
  const trimmed = text.trim().replace(/^\*?\./, "").replace(/\.$/, "").toLowerCase();
  try {
    // The URL parser applies IDNA, so a suffix written in Unicode matches its punycode SANs.
    const ascii = new URL(`http://${trimmed}/`).hostname;
    return trimmed && /^[a-z0-9.-]+$/.test(ascii) ? ascii : undefined;
  } catch {
    return undefined;
  }
}

function deny(rule: PolicyRule, subject: string, message: string): never {
  throw new PolicyDeniedError(rule, subject, message);
}
