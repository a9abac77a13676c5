/**
 * Turns command-line flags and environment variables into a checked {@linkcode Config}.
 *
 * Pure: it reads no files. Every problem is collected, so an operator sees all of them at once,
 * one line each, before anything listens.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { describeArgumentError } from "./argument_error.ts";
import { ConfigError, ConfigErrors } from "./config_error.ts";
import { type RawSettings, type SettingKey, SETTINGS } from "./settings.ts";
import { SettingReader } from "./setting_reader.ts";
import { checkLifetime } from "../pki/validity.ts";
import { MIN_SERVING_LIFETIME_MS, type ServerNames } from "../pki/serving_cert.ts";
import { classifyName } from "./host_names.ts";
import {
  buildIssuancePolicy,
  type IssuancePolicy,
  type IssuancePolicyOptions,
  PolicyOptionError,
} from "../policy/issuance_policy.ts";
import type { AbuseLimitOptions } from "../policy/abuse_limits.ts";
import type { ListenerLimits } from "../grpc/transport_limits.ts";

/** Where the CA comes from. */
export type CaSource =
  | { kind: "bundle"; secretsPath: string }
  | { kind: "files"; certPath: string; keyPath: string };

/** Where the serving certificate comes from. */
export type ServingSource =
  | { kind: "files"; certPath: string; keyPath: string }
  | { kind: "self-issued"; names: ServerNames };

/** The checked configuration of `serve`. */
export interface Config {
  /** Address to listen on. */
  host: string;
  /** Port to listen on (0: any free port). */
  port: number;
  /** The CA source. */
  ca: CaSource;
  /** Extra accepted CAs bundle path, if any. */
  acceptedCasPath?: string;
  /** The serving certificate source. */
  serving: ServingSource;
  /** Token given inline (environment or flag), if any. Secret. */
  token?: string;
  /** Token file path, if any. */
  tokenFile?: string;
  /** Lifetime of issued certificates, ms. */
  leafLifetimeMs: number;
  /** Lifetime of the self-issued serving certificate, ms. */
  servingLifetimeMs: number;
  /** Log format. */
  logFormat: "json" | "text";
  /** Oldest TLS version accepted. */
  tlsMinVersion: "TLSv1.2" | "TLSv1.3";
  /** The issuance policy. */
  policy: IssuancePolicy;
  /** Per-address limits. */
  limits: Required<AbuseLimitOptions>;
  /** Most calls signing at once (0: no cap). */
  maxInFlight: number;
  /** Longest wait for a signing slot, ms. */
  maxInFlightWaitMs: number;
  /** TLS handshake timeout, ms. */
  tlsHandshakeTimeoutMs: number;
  /** Idle connection timeout, ms. */
  connectionIdleTimeoutMs: number;
  /** What a peer may hold before it authenticates: connections, streams, time. */
  listenerLimits: ListenerLimits;
  /** Whether group/other-readable key files are tolerated. */
  allowInsecureKeyPermissions: boolean;
  /** HTTP listener for health and metrics, or `undefined` when disabled. */
  http?: { hostname: string; port: number };
  /** Fallback re-check interval, ms (0: none). */
  reloadIntervalMs: number;
  /** Drain time on shutdown, ms. */
  shutdownGraceMs: number;
  /** Least severe level logged. */
  logLevel: "debug" | "info" | "warn" | "error";
}

/** Flags and environment after precedence: flag over environment over default. */
interface ResolvedSettings {
  /** Each setting's value. */
  values: RawSettings;
  /** Settings given explicitly (by flag or environment), not by default. */
  explicit: ReadonlySet<SettingKey>;
  /** Positional arguments left over. */
  positionals: string[];
}

/**
 * Combines flags, environment and defaults.
 *
 * @param args command-line arguments after the verb
 * @param env the environment
 * @returns the values, which were explicit, and the positionals
 * @throws {ConfigErrors} on an unknown flag or a flag without its value
 */
function resolveSettings(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ResolvedSettings {
  const options = Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: "string" as const }]));
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (cause) {
    const flags = SETTINGS.map((s) => s.flag);
    throw new ConfigErrors([
      new ConfigError("arguments", describeArgumentError(cause, flags), { cause }),
    ]);
  }
  const values = {} as RawSettings;
  const explicit = new Set<SettingKey>();
  for (const setting of SETTINGS) {
    const fromFlag = parsed.values[setting.flag];
    const value = typeof fromFlag === "string" ? fromFlag : env[setting.env];
    const given = value !== undefined && (value !== "" || setting.emptyDisables === true);
    if (given) explicit.add(setting.key);
    values[setting.key] = given ? value : setting.default;
  }
  return { values, explicit, positionals: parsed.positionals };
}

/**
 * Parses and checks the configuration of `serve`.
 *
 * @param args command-line arguments after the verb
 * @param env the environment
 * @returns the configuration
 * @throws {ConfigErrors} listing every problem found
 */
export function parseConfig(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Config {
  const { values, explicit, positionals } = resolveSettings(args, env);
  const read = new SettingReader(values, explicit);
  if (positionals.length > 0) {
    read.errors.push(new ConfigError("arguments", `unexpected argument ${positionals[0]}`));
  }
  const config: Config = {
    host: read.text("listenAddress"),
    port: read.integer("port", 0, 65535),
    ca: readCaSource(read),
    acceptedCasPath: read.has("acceptedCasPath") ? read.text("acceptedCasPath") : undefined,
    serving: readServingSource(read),
    token: read.has("token") ? read.text("token") : undefined,
    tokenFile: read.has("tokenFile") ? read.text("tokenFile") : undefined,
    leafLifetimeMs: readLifetime(read),
    servingLifetimeMs: readServingLifetime(read),
    logFormat: read.oneOf("logFormat", ["json", "text"] as const),
    tlsMinVersion: read.oneOf("tlsMinVersion", ["1.2", "1.3"] as const) === "1.3"
      ? "TLSv1.3"
      : "TLSv1.2",
    policy: readPolicy(read),
    limits: {
      ratePerSecond: read.integer("rateLimitPerPeer"),
      burst: read.integer("rateLimitBurst", 1),
      authFailureLimit: read.integer("authFailureLimit"),
      authFailureCooldownMs: read.duration("authFailureCooldown"),
    },
    maxInFlight: read.integer("maxInFlight"),
    maxInFlightWaitMs: read.duration("maxInFlightWait"),
    tlsHandshakeTimeoutMs: read.duration("tlsHandshakeTimeout"),
    connectionIdleTimeoutMs: read.duration("connectionIdleTimeout"),
    listenerLimits: {
      requestTimeoutMs: read.duration("requestTimeout"),
      maxConnections: read.integer("maxConnections"),
      maxConnectionsPerAddress: read.integer("maxConnectionsPerAddress"),
      maxStreamsPerConnection: read.integer("maxStreamsPerConnection", 1),
      maxOpenStreams: read.integer("maxOpenStreams"),
      maxHealthWatches: read.integer("maxHealthWatches"),
    },
    allowInsecureKeyPermissions: read.boolean("allowInsecureKeyPermissions"),
    http: readHttpAddress(read),
    reloadIntervalMs: read.duration("reloadInterval"),
    shutdownGraceMs: read.duration("shutdownGrace"),
    logLevel: read.oneOf("logLevel", ["info", "debug", "warn", "error"] as const),
  };
  if (config.token === undefined && config.tokenFile === undefined && config.ca.kind !== "bundle") {
    read.fail(
      "token",
      "no token configured: set TALOS_TOKEN_FILE, TALOS_TOKEN or TALOS_SECRETS_PATH",
    );
  }
  const { requestTimeoutMs } = config.listenerLimits;
  if (requestTimeoutMs > 0 && config.maxInFlightWaitMs >= requestTimeoutMs) {
    read.fail(
      "maxInFlightWait",
      "must be shorter than REQUEST_TIMEOUT, which closes the connection of a call still waiting",
    );
  }
  if (read.errors.length > 0) throw new ConfigErrors(read.errors);
  return config;
}

function readCaSource(read: SettingReader): CaSource {
  if (!read.has("secretsPath")) {
    return { kind: "files", certPath: read.text("caCertPath"), keyPath: read.text("caKeyPath") };
  }
  for (const key of ["caCertPath", "caKeyPath"] as const) {
    if (read.has(key)) read.fail(key, "conflicts with TALOS_SECRETS_PATH; set one or the other");
  }
  return { kind: "bundle", secretsPath: read.text("secretsPath") };
}

function readServingSource(read: SettingReader): ServingSource {
  const hasCert = read.has("tlsCertPath");
  if (hasCert !== read.has("tlsKeyPath")) {
    read.fail(
      hasCert ? "tlsKeyPath" : "tlsCertPath",
      "TLS_CERT_PATH and TLS_KEY_PATH must be set together",
    );
  }
  if (hasCert && read.has("tlsKeyPath")) {
    if (read.has("serverSans")) {
      read.fail(
        "serverSans",
        "only applies to the self-issued serving certificate; TLS_CERT_PATH is set",
      );
    }
    return { kind: "files", certPath: read.text("tlsCertPath"), keyPath: read.text("tlsKeyPath") };
  }
  const names: ServerNames = { dnsNames: [], ipAddresses: [] };
  for (const item of read.list("serverSans")) {
    const name = classifyName(item);
    if (name.kind === "invalid") {
      read.fail("serverSans", `"${item}" is neither an IP address nor a DNS name`);
    } else if (name.kind === "ip") names.ipAddresses.push(name.value);
    else names.dnsNames.push(name.value);
  }
  return { kind: "self-issued", names };
}

function readHttpAddress(read: SettingReader): Config["http"] {
  const text = read.text("httpAddr").trim();
  if (text === "" || text === "off") return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    read.fail("httpAddr", `"${text}" is not host:port (e.g. 127.0.0.1:9090), empty or off`);
    return undefined;
  }
  return { hostname: match[1] ?? (match[2] || "0.0.0.0"), port };
}

function readLifetime(read: SettingReader): number {
  const lifetime = read.duration("certLifetime");
  const problem = lifetime === 0 ? undefined : checkLifetime(lifetime);
  if (problem) read.fail("certLifetime", `${read.text("certLifetime")} ${problem}`);
  return lifetime;
}

function readServingLifetime(read: SettingReader): number {
  const lifetime = read.duration("servingCertLifetime");
  if (lifetime < MIN_SERVING_LIFETIME_MS) {
    read.fail(
      "servingCertLifetime",
      `${read.text("servingCertLifetime")} is shorter than the 10s minimum`,
    );
  }
  return lifetime;
}

function readPolicy(read: SettingReader): IssuancePolicy {
  const options: IssuancePolicyOptions = {
    allowedIpCidrs: read.list("allowedIpCidrs"),
    allowedDnsSuffixes: read.list("allowedDnsSuffixes"),
    allowSingleLabelNames: read.boolean("allowSingleLabelNames"),
    peerBinding: read.oneOf("peerBinding", ["off", "warn", "enforce", "strict"] as const),
    maxSans: read.integer("maxSans", 1),
  };
  try {
    return buildIssuancePolicy(options);
  } catch (error) {
    if (!(error instanceof PolicyOptionError)) throw error;
    for (const problem of error.problems) read.fail(problem.option, problem.message);
    return buildIssuancePolicy();
  }
}
