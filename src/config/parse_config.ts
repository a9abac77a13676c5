/**
 * Turns command-line flags and environment variables into a checked {@linkcode Config}.
 *
 * Pure: it reads no files. Every problem is collected, so an operator sees all of them at once,
 * one line each, before anything listens.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ConfigError, ConfigErrors } from "./config_error.ts";
import { type RawSettings, type SettingKey, SETTINGS } from "./settings.ts";
import { parseDuration } from "./duration.ts";
import { checkLifetime } from "../pki/validity.ts";
import type { ServerNames } from "../pki/serving_cert.ts";
import { classifyName } from "./host_names.ts";

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
  /** Log format. */
  logFormat: "json" | "text";
  /** Oldest TLS version accepted. */
  tlsMinVersion: "TLSv1.2" | "TLSv1.3";
}

/** Flags and environment after precedence: flag over environment over default. */
export interface ResolvedSettings {
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
export function resolveSettings(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ResolvedSettings {
  const options = Object.fromEntries(
    SETTINGS.map((s) => [s.flag, { type: "string" as const }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new ConfigErrors([new ConfigError("arguments", (cause as Error).message, { cause })]);
  }
  const values = {} as RawSettings;
  const explicit = new Set<SettingKey>();
  for (const setting of SETTINGS) {
    const fromFlag = parsed.values[setting.flag];
    const fromEnv = env[setting.env];
    const value = typeof fromFlag === "string" ? fromFlag : fromEnv;
    if (value !== undefined && value !== "") explicit.add(setting.key);
    values[setting.key] = value !== undefined && value !== "" ? value : setting.default;
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
  const errors: ConfigError[] = [];
  const fail = (key: SettingKey, message: string) =>
    errors.push(new ConfigError(envOf(key), message));
  if (positionals.length > 0) {
    errors.push(new ConfigError("arguments", `unexpected argument ${positionals[0]}`));
  }

  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    fail("port", `"${values.port}" is not a port number 0-65535`);
  }

  let ca: CaSource = { kind: "files", certPath: values.caCertPath, keyPath: values.caKeyPath };
  if (explicit.has("secretsPath")) {
    for (const key of ["caCertPath", "caKeyPath"] as const) {
      if (explicit.has(key)) fail(key, `conflicts with TALOS_SECRETS_PATH; set one or the other`);
    }
    ca = { kind: "bundle", secretsPath: values.secretsPath };
  }

  let serving: ServingSource = { kind: "self-issued", names: { dnsNames: [], ipAddresses: [] } };
  const hasCert = explicit.has("tlsCertPath");
  const hasKey = explicit.has("tlsKeyPath");
  if (hasCert !== hasKey) {
    fail(
      hasCert ? "tlsKeyPath" : "tlsCertPath",
      "TLS_CERT_PATH and TLS_KEY_PATH must be set together",
    );
  }
  if (hasCert && hasKey) {
    serving = { kind: "files", certPath: values.tlsCertPath, keyPath: values.tlsKeyPath };
    if (explicit.has("serverSans")) {
      fail(
        "serverSans",
        "only applies to the self-issued serving certificate; TLS_CERT_PATH is set",
      );
    }
  } else {
    const names: ServerNames = { dnsNames: [], ipAddresses: [] };
    for (const item of values.serverSans.split(",").map((s) => s.trim()).filter(Boolean)) {
      const name = classifyName(item);
      if (name.kind === "invalid") {
        fail("serverSans", `"${item}" is neither an IP address nor a DNS name`);
      } else if (name.kind === "ip") names.ipAddresses.push(name.value);
      else names.dnsNames.push(name.value);
    }
    serving = { kind: "self-issued", names };
  }

  if (!explicit.has("token") && !explicit.has("tokenFile") && ca.kind !== "bundle") {
    fail("token", "no token configured: set TALOS_TOKEN_FILE, TALOS_TOKEN or TALOS_SECRETS_PATH");
  }

  const lifetime = parseDuration(values.certLifetime);
  if (lifetime === undefined) {
    fail("certLifetime", `"${values.certLifetime}" is not a duration like 24h`);
  } else {
    const problem = checkLifetime(lifetime);
    if (problem) fail("certLifetime", `${values.certLifetime} ${problem}`);
  }

  if (values.logFormat !== "json" && values.logFormat !== "text") {
    fail("logFormat", `"${values.logFormat}" is not json or text`);
  }

  if (values.tlsMinVersion !== "1.2" && values.tlsMinVersion !== "1.3") {
    fail("tlsMinVersion", `"${values.tlsMinVersion}" is not 1.2 or 1.3`);
  }

  if (errors.length > 0) throw new ConfigErrors(errors);
  return {
    host: values.listenAddress,
    port,
    ca,
    acceptedCasPath: explicit.has("acceptedCasPath") ? values.acceptedCasPath : undefined,
    serving,
    token: explicit.has("token") ? values.token : undefined,
    tokenFile: explicit.has("tokenFile") ? values.tokenFile : undefined,
    leafLifetimeMs: lifetime!,
    logFormat: values.logFormat as "json" | "text",
    tlsMinVersion: values.tlsMinVersion === "1.3" ? "TLSv1.3" : "TLSv1.2",
  };
}

function envOf(key: SettingKey): string {
  return SETTINGS.find((s) => s.key === key)!.env;
}
