/**
 * What `serve` tells the operator at start-up: where it listens, which serving certificate and CA
 * it uses and until when, how many tokens, which policy; and loud warnings for the two mistakes
 * that break workers later (a CA about to expire, a serving certificate that does not name the
 * address workers dial).
 *
 * @module
 */
import type { Config } from "../config/parse_config.ts";
import type { LoadedMaterial } from "../ops/material.ts";
import type { LogFields, LogLevel } from "../ops/log.ts";
import type { ServerNames } from "../pki/serving_cert.ts";
import { classifyName } from "../config/host_names.ts";
import { DUAL_STACK_ANY, IPV4_ANY } from "../grpc/listen_address.ts";

/** One line to log. */
export interface SummaryLine {
  /** Severity. */
  level: LogLevel;
  /** Message. */
  message: string;
  /** Fields. */
  fields: LogFields;
}

const CA_WARNING_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Builds the start-up lines.
 *
 * @param config the configuration, with `host` the address actually bound
 * @param material the loaded material
 * @param port the bound gRPC port
 * @param httpPort the bound HTTP port, when enabled
 * @param now the current time
 * @returns the lines: warnings first, the `listening` summary last (it announces readiness)
 */
export function buildStartupSummary(
  config: Config,
  material: LoadedMaterial,
  port: number,
  httpPort: number | undefined,
  now: Date,
): SummaryLine[] {
  const { authority, serving } = material;
  const ca = authority.issuingCa.certificate;
  const summary: SummaryLine = {
    level: "info",
    message: "listening",
    fields: {
      address: config.host,
      families: config.host === DUAL_STACK_ANY
        ? "ipv4+ipv6"
        : config.host === IPV4_ANY
        ? "ipv4"
        : "one address",
      port,
      http: httpPort === undefined ? "off" : `${config.http!.hostname}:${httpPort}`,
      ca_source: config.ca.kind === "bundle" ? "secrets bundle" : "files",
      ca_subject: ca.subjectText,
      ca_not_after: ca.notAfter.toISOString(),
      ca_key_type: authority.issuingCa.keyType,
      ca_fingerprint: authority.issuingCa.fingerprint,
      accepted_cas: authority.acceptedCas.certificates.length,
      tokens: authority.tokens.digests.length,
      serving_mode: serving.mode,
      serving_dns: serving.names.dnsNames,
      serving_ips: serving.names.ipAddresses,
      serving_not_after: serving.notAfter.toISOString(),
      cert_lifetime_h: config.leafLifetimeMs / 3_600_000,
      tls_min_version: config.tlsMinVersion,
      policy: describePolicy(config),
      rate_limit: config.limits.ratePerSecond === 0
        ? "off"
        : `${config.limits.ratePerSecond}/s burst ${config.limits.burst} per address`,
    },
  };
  const lines: SummaryLine[] = [];
  if (ca.notAfter.getTime() - now.getTime() < CA_WARNING_MS) {
    lines.push({
      level: "warn",
      message:
        "the issuing CA expires within 30 days: rotate it (ACCEPTED_CAS_PATH keeps the old one trusted)",
      fields: { ca_not_after: ca.notAfter.toISOString() },
    });
  }
  lines.push(...checkServedAddresses(config, serving.names));
  return [...lines, summary];
}

/**
 * The warnings for addresses the process is asked to serve that its serving certificate does not
 * name: a worker dialling one of them fails TLS verification (it checks the dialled host, contract
 * §5). A specific listen address must be named (compared in canonical form, so `0:0::1` matches
 * `::1`); with a wildcard, a self-issued certificate without SERVER_SANS names only loopback,
 * which no remote worker dials.
 *
 * @param config the configuration, with `host` the address actually bound
 * @param names the names the serving certificate carries
 * @returns zero or more warning lines
 */
export function checkServedAddresses(config: Config, names: ServerNames): SummaryLine[] {
  const wildcard = config.host === DUAL_STACK_ANY || config.host === IPV4_ANY;
  const lines: SummaryLine[] = [];
  if (!wildcard && !coversAddress(names, config.host)) {
    lines.push({
      level: "warn",
      message:
        "the serving certificate does not name the listen address: workers dialling it will fail TLS verification",
      fields: {
        address: config.host,
        serving_ips: names.ipAddresses,
        serving_dns: names.dnsNames,
      },
    });
  }
  if (
    wildcard && config.serving.kind === "self-issued" &&
    config.serving.names.ipAddresses.length + config.serving.names.dnsNames.length === 0
  ) {
    lines.push({
      level: "warn",
      message:
        "SERVER_SANS is empty: the serving certificate names only 127.0.0.1, ::1 and localhost, so remote workers will fail TLS verification; set SERVER_SANS to the control-plane endpoint's addresses and name",
      fields: {},
    });
  }
  return lines;
}

/** Whether `names` covers `address`: an IP compared in canonical form, or a DNS name. */
function coversAddress(names: ServerNames, address: string): boolean {
  const name = classifyName(address);
  if (name.kind === "ip") return names.ipAddresses.includes(name.value);
  if (name.kind === "dns") return names.dnsNames.includes(name.value);
  return false;
}

function describePolicy(config: Config): string {
  const { policy } = config;
  const parts = [
    policy.ipRanges ? `ips in ${policy.ipRanges.map((r) => r.text).join(",")}` : undefined,
    policy.dnsSuffixes ? `dns under ${policy.dnsSuffixes.join(",")}` : undefined,
    policy.dnsSuffixes && !policy.allowSingleLabelNames ? "no single-label names" : undefined,
    policy.peerBinding !== "off" ? `peer binding ${policy.peerBinding}` : undefined,
    `max ${policy.maxSans} SANs`,
  ];
  return parts.filter(Boolean).join("; ");
}
