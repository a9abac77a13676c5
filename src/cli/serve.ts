/**
 * The `serve` verb: configuration → authority → listener, then wait for a stop signal.
 *
 * @module
 */
import { ConfigErrors } from "../config/config_error.ts";
import { loadAuthority, loadServingMaterial } from "../config/load.ts";
import { LOCAL_FILES } from "../config/file_source.ts";
import { type Config, parseConfig } from "../config/parse_config.ts";
import { serveSigner } from "../grpc/server.ts";
import { createLogger, type Logger } from "../ops/log.ts";
import { scheduleRenewal } from "../ops/renewer.ts";
import { issueServingCertificate } from "../pki/serving_cert.ts";
import type { Authority } from "../authority.ts";
import { printErr } from "./output.ts";
import { AbuseLimits } from "../policy/abuse_limits.ts";
import { InFlightLimit } from "../ops/in_flight_limit.ts";

/** How long calls in flight may take to finish after SIGINT/SIGTERM. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Runs the signer until SIGINT or SIGTERM.
 *
 * @param args flags after the verb
 * @param env the environment
 * @returns the process exit code: 0 after a clean stop, 2 on invalid configuration
 */
export async function runServe(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  let config: Config;
  try {
    config = parseConfig(args, env);
  } catch (error) {
    return reportConfigErrors(error);
  }
  const logger = createLogger(config.logFormat);
  const clock = () => new Date();
  let authority: Authority;
  let serving;
  try {
    authority = await loadAuthority(config, LOCAL_FILES, (message) => logger.log("warn", message));
    serving = await loadServingMaterial(config, authority, LOCAL_FILES, clock());
  } catch (error) {
    return reportConfigErrors(error);
  }
  // Listen for stop signals before announcing readiness, so an early SIGTERM still stops cleanly.
  const stopSignal = waitForStopSignal();
  const server = await serveSigner({
    host: config.host,
    port: config.port,
    tls: { ...serving, rootsPem: authority.acceptedCas.pem },
    tlsMinVersion: config.tlsMinVersion,
    tlsHandshakeTimeoutMs: config.tlsHandshakeTimeoutMs,
    connectionIdleTimeoutMs: config.connectionIdleTimeoutMs,
    limits: new AbuseLimits(config.limits),
    inFlight: new InFlightLimit(config.maxInFlight, config.maxInFlightWaitMs),
    authority: () => authority,
    logger,
    clock,
  });
  logStartup(logger, config, authority, serving, server.port);

  const issued = serving.issued;
  const cancelRenewal = issued
    ? scheduleRenewal(
      async () => {
        const next = await issueServingCertificate(authority.issuingCa, issued.names, clock());
        server.updateTls({ ...next, rootsPem: authority.acceptedCas.pem });
        return next.notAfter;
      },
      issued.notAfter,
      logger,
    )
    : () => {};

  const signal = await stopSignal;
  logger.log("info", "shutting down", { signal, grace_ms: SHUTDOWN_GRACE_MS });
  cancelRenewal();
  const abandoned = await server.shutdown(SHUTDOWN_GRACE_MS);
  logger.log(abandoned === 0 ? "info" : "warn", "stopped", { abandoned_calls: abandoned });
  return 0;
}

function logStartup(
  logger: Logger,
  config: Config,
  authority: Authority,
  serving: Awaited<ReturnType<typeof loadServingMaterial>>,
  port: number,
): void {
  const ca = authority.issuingCa.certificate;
  logger.log("info", "listening", {
    address: config.host,
    port,
    ca_source: config.ca.kind === "bundle" ? "secrets bundle" : "files",
    ca_subject: ca.subject,
    ca_not_after: ca.notAfter.toISOString(),
    ca_key_type: authority.issuingCa.keyType,
    accepted_cas: authority.acceptedCas.certificates.length,
    tokens: authority.tokens.digests.length,
    serving_mode: serving.mode,
    serving_dns: serving.issued?.names.dnsNames,
    serving_ips: serving.issued?.names.ipAddresses,
    serving_not_after: serving.issued?.notAfter.toISOString(),
    cert_lifetime_h: config.leafLifetimeMs / 3_600_000,
    tls_min_version: config.tlsMinVersion,
    policy: describePolicy(config),
    rate_limit: config.limits.ratePerSecond === 0
      ? "off"
      : `${config.limits.ratePerSecond}/s burst ${config.limits.burst} per address`,
  });
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

function reportConfigErrors(error: unknown): number {
  if (!(error instanceof ConfigErrors)) throw error;
  for (const problem of error.errors) {
    printErr(`configuration error: ${(problem as Error).message}\n`);
  }
  return 2;
}

function waitForStopSignal(): Promise<Deno.Signal> {
  return new Promise((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(signal, () => resolve(signal));
    }
  });
}
