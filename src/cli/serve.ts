/**
 * The `serve` verb: configuration → material → listeners, then reload on change, renew the
 * serving certificate, and stop cleanly on a signal.
 *
 * @module
 */
import { ConfigErrors } from "../config/config_error.ts";
import { LOCAL_FILES } from "../config/file_source.ts";
import { type Config, parseConfig } from "../config/parse_config.ts";
import { routeGrpcLibraryLog } from "../grpc/library_log.ts";
import { ANSWERED_CALLS, serveSigner, type SignerServer } from "../grpc/server.ts";
import { watchFiles } from "../ops/file_watcher.ts";
import { scheduleHeapTrim } from "../ops/heap_trim.ts";
import { createHttpHandler, type HttpListener, serveHttp } from "../ops/http_endpoints.ts";
import { InFlightLimit } from "../ops/in_flight_limit.ts";
import { createLogger, flushLogs, type Logger } from "../ops/log.ts";
import { type LoadedMaterial, loadMaterial, materialPaths } from "../ops/material.ts";
import { SignerMetrics } from "../ops/metrics.ts";
import { registerProcessMetrics } from "../ops/process_metrics.ts";
import { createReload } from "../ops/reload.ts";
import { renewalFloorMs, scheduleRenewal } from "../ops/renewer.ts";
import { SignerState } from "../ops/signer_state.ts";
import { AbuseLimits } from "../policy/abuse_limits.ts";
import { issueServingCertificate } from "../pki/serving_cert.ts";
import { printErr } from "./output.ts";
import { buildStartupSummary } from "./startup_summary.ts";
import denoJson from "../../deno.json" with { type: "json" };

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
  // The executable may write (for `dev`, `manifests --mode files`, `request --out`); the signer
  // itself never does, so it gives that permission up before it reads any input.
  await Deno.permissions.revoke({ name: "write" });
  let config: Config;
  try {
    config = parseConfig(args, env);
  } catch (error) {
    return reportConfigErrors(error);
  }
  const logger = createLogger(config.logFormat, undefined, undefined, config.logLevel);
  routeGrpcLibraryLog(logger);
  const clock = () => new Date();
  const warn = (message: string) => logger.log("warn", message);
  let initial: LoadedMaterial;
  try {
    initial = await loadMaterial(config, LOCAL_FILES, clock(), warn);
  } catch (error) {
    return reportConfigErrors(error);
  }
  const state = new SignerState(initial);
  let server: SignerServer | undefined;
  const metrics = new SignerMetrics(
    {
      caNotAfter: () => state.material.authority.issuingCa.certificate.notAfter,
      serving: () => ({
        ...state.material.serving,
        selfIssued: state.material.serving.mode === "self-issued",
      }),
      ready: () => state.readiness(clock()).ready,
      inFlight: () => server?.inFlight ?? 0,
    },
    { version: denoJson.version, deno: Deno.version.deno, v8: Deno.version.v8 },
    {
      clock,
      knownCalls: ANSWERED_CALLS,
    },
  );
  registerProcessMetrics(metrics.registry);
  metrics.reloadSucceeded(clock());

  // Listen for stop signals before announcing readiness, so an early SIGTERM still stops cleanly.
  const stopSignal = waitForStopSignal(logger);
  let http: HttpListener | undefined;
  let answered = 0;
  try {
    server = await serveSigner({
      host: config.host,
      port: config.port,
      tls: tlsOf(initial),
      tlsMinVersion: config.tlsMinVersion,
      tlsHandshakeTimeoutMs: config.tlsHandshakeTimeoutMs,
      connectionIdleTimeoutMs: config.connectionIdleTimeoutMs,
      listenerLimits: config.listenerLimits,
      onLimitRefusal: (refusal) => metrics.transportRefused(refusal.reason),
      authority: () => state.material.authority,
      logger,
      clock,
      limits: new AbuseLimits(config.limits),
      inFlight: new InFlightLimit(config.maxInFlight, config.maxInFlightWaitMs),
      observe: (outcome) => {
        answered++;
        metrics.observe(outcome);
      },
      health: {
        isServing: () => state.readiness(clock()).ready,
        subscribe: (l) => state.subscribe(l),
      },
    });
  } catch (error) {
    printErr(describeListenError("LISTEN_ADDRESS/PORT", config.host, config.port, error));
    return 1;
  }
  try {
    if (config.http) http = await serveHttp(config.http, createHttpHandler(state, metrics, clock));
  } catch (error) {
    printErr(describeListenError("HTTP_ADDR", config.http!.hostname, config.http!.port, error));
    await server.shutdown(0);
    return 1;
  }
  const bound = { ...config, host: server.host };
  for (const line of buildStartupSummary(bound, initial, server.port, http?.port, clock())) {
    logger.log(line.level, line.message, line.fields);
  }

  const apply = (next: LoadedMaterial) => {
    const previous = state.material;
    state.replace(next);
    if (
      next.serving !== previous.serving ||
      next.authority.acceptedCas.pem !== previous.authority.acceptedCas.pem
    ) {
      server.updateTls(tlsOf(next));
    }
  };
  const reload = createReload({
    config,
    files: LOCAL_FILES,
    state,
    apply,
    logger,
    metrics,
    clock,
    warn,
  });
  const stopWatching = watchFiles(materialPaths(config), reload, {
    intervalMs: config.reloadIntervalMs,
  });
  const onHangup = () => void reload("SIGHUP");
  Deno.addSignalListener("SIGHUP", onHangup);
  // After a burst, glibc's free pages go back to the system (when main.ts could open malloc_trim).
  const stopHeapTrim = scheduleHeapTrim(() => answered);
  const readinessTick = setInterval(() => state.notify(), 60_000);
  Deno.unrefTimer(readinessTick);
  // Only a certificate we issued ourselves is renewed; operator files are reloaded when they change.
  const cancelRenewal = config.serving.kind !== "self-issued" ? () => {} : scheduleRenewal(
    async () => {
      const current = state.material;
      const issued = await issueServingCertificate(
        current.authority.issuingCa,
        current.serving.names,
        clock(),
        config.servingLifetimeMs,
      );
      apply({ ...current, serving: { mode: "self-issued", ...issued } });
      return issued.notAfter;
    },
    initial.serving.notAfter,
    logger,
    clock,
    renewalFloorMs(config.servingLifetimeMs),
  );

  const signal = await stopSignal;
  state.beginShutdown();
  logger.log("info", "shutting down", { signal, grace_ms: config.shutdownGraceMs });
  stopWatching();
  stopHeapTrim();
  cancelRenewal();
  clearInterval(readinessTick);
  Deno.removeSignalListener("SIGHUP", onHangup);
  const abandoned = await server.shutdown(config.shutdownGraceMs);
  await http?.shutdown();
  logger.log(abandoned === 0 ? "info" : "warn", "stopped", { abandoned_calls: abandoned });
  return 0;
}

function tlsOf(material: LoadedMaterial) {
  return {
    certificatePem: material.serving.certificatePem,
    keyPem: material.serving.keyPem,
    rootsPem: material.authority.acceptedCas.pem,
  };
}

/**
 * One line for a failed bind that names the setting and the address, whatever library said it.
 */
function describeListenError(
  setting: string,
  host: string,
  port: number,
  error: unknown,
): string {
  const text = String((error as Error)?.message ?? error);
  const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  const reason = /EADDRINUSE|already in use|AddrInUse/i.test(text)
    ? "the address is already in use (another process listens there)"
    : /EADDRNOTAVAIL|EINVAL|AddrNotAvailable|cannot assign requested address/i.test(text)
    ? "the address is not one of this host's"
    : /EACCES|permission denied|PermissionDenied/i.test(text)
    ? "permission denied (a port below 1024 needs privileges)"
    : text.replace(/^No address added out of total \d+ resolved errors: /, "")
      .replace(/^\[(.*)\]$/, "$1");
  return `cannot listen: ${setting} ${address}: ${reason}\n`;
}

function reportConfigErrors(error: unknown): number {
  if (!(error instanceof ConfigErrors)) throw error;
  for (const problem of error.errors) {
    printErr(`configuration error: ${(problem as Error).message}\n`);
  }
  return 2;
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
function waitForStopSignal(logger: Logger): Promise<Deno.Signal> {
  return new Promise((resolve) => {
    let received = false;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(signal, () => {
        if (received) {
          logger.log("warn", "second stop signal: exiting now", { signal });
          flushLogs();
          Deno.exit(1);
        }
        received = true;
        resolve(signal);
      });
    }
  });
}
