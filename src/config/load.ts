/**
 * Reads the files a {@linkcode Config} names and builds the signing {@linkcode Authority} and the
 * serving certificate from them. This is the I/O edge of configuration: every failure names the
 * setting and file at fault.
 *
 * @module
 */
import { buildTokenSet } from "../auth/token_set.ts";
import { type Authority, buildAuthority } from "../authority.ts";
import { CaMaterialError } from "../pki/issuing_ca.ts";
import {
  issueServingCertificate,
  type ServingCertificate,
  withAlwaysServedNames,
} from "../pki/serving_cert.ts";
import { ConfigError, ConfigErrors } from "./config_error.ts";
import type { Config } from "./parse_config.ts";
import { parseSecretsBundle } from "./secrets_bundle.ts";

/** Reads a text file; injected so tests can count or fake reads. */
export type ReadTextFile = (path: string) => Promise<string>;

/** Where the serving certificate in use came from. */
export interface ServingMaterial {
  /** `files`: operator-provided; `self-issued`: issued by us from the CA. */
  mode: "files" | "self-issued";
  /** Certificate chain, PEM. */
  certificatePem: string;
  /** Its key, PEM. */
  keyPem: string;
  /** For self-issued certificates, the issued certificate details. */
  issued?: ServingCertificate;
}

/**
 * Loads CA, accepted CAs and tokens into an authority.
 *
 * @param config the checked configuration
 * @param read reads a text file
 * @returns the authority
 * @throws {ConfigErrors} naming each setting whose file is missing or unusable
 */
export async function loadAuthority(config: Config, read: ReadTextFile): Promise<Authority> {
  const errors: ConfigError[] = [];
  const attempt = async <T>(setting: string, path: string, run: () => Promise<T>) => {
    try {
      return await run();
    } catch (cause) {
      errors.push(new ConfigError(setting, `${path}: ${describe(cause)}`, { cause }));
      return undefined;
    }
  };

  let caCertificatePem: string | undefined;
  let caKeyPem: string | undefined;
  const tokens: string[] = [];
  if (config.ca.kind === "bundle") {
    const { secretsPath } = config.ca;
    const bundle = await attempt(
      "TALOS_SECRETS_PATH",
      secretsPath,
      async () => parseSecretsBundle(await read(secretsPath)),
    );
    caCertificatePem = bundle?.caCertificatePem;
    caKeyPem = bundle?.caKeyPem;
    if (bundle) tokens.push(bundle.token);
  } else {
    const { certPath, keyPath } = config.ca;
    caCertificatePem = await attempt("CA_CERT_PATH", certPath, () => read(certPath));
    caKeyPem = await attempt("CA_KEY_PATH", keyPath, () => read(keyPath));
  }
  if (config.token !== undefined) tokens.push(config.token.trim());
  if (config.tokenFile !== undefined) {
    const path = config.tokenFile;
    const text = await attempt("TALOS_TOKEN_FILE", path, () => read(path));
    if (text !== undefined && text.trim() === "") {
      errors.push(new ConfigError("TALOS_TOKEN_FILE", `${path}: file is empty`));
    } else if (text !== undefined) tokens.push(text.trim());
  }
  const acceptedPath = config.acceptedCasPath;
  const acceptedCasPem = acceptedPath === undefined
    ? ""
    : await attempt("ACCEPTED_CAS_PATH", acceptedPath, () => read(acceptedPath));
  if (errors.length > 0 || caCertificatePem === undefined || caKeyPem === undefined) {
    throw new ConfigErrors(errors);
  }

  try {
    return await buildAuthority({
      caCertificatePem,
      caKeyPem,
      acceptedCasPem,
      tokens: await buildTokenSet(tokens),
      leafLifetimeMs: config.leafLifetimeMs,
    });
  } catch (cause) {
    const [setting, path] = settingOf(config, cause);
    throw new ConfigErrors([new ConfigError(setting, `${path}: ${describe(cause)}`, { cause })]);
  }
}

/**
 * Loads the operator's serving certificate, or issues one from the CA.
 *
 * @param config the checked configuration
 * @param authority the loaded authority (its CA issues the self-issued certificate)
 * @param read reads a text file
 * @param now the issuance time
 * @returns the serving material and its mode
 * @throws {ConfigErrors} naming the setting whose file is missing
 */
export async function loadServingMaterial(
  config: Config,
  authority: Authority,
  read: ReadTextFile,
  now: Date,
): Promise<ServingMaterial> {
  if (config.serving.kind === "self-issued") {
    const issued = await issueServingCertificate(
      authority.issuingCa,
      withAlwaysServedNames(config.serving.names),
      now,
    );
    return {
      mode: "self-issued",
      certificatePem: issued.certificatePem,
      keyPem: issued.keyPem,
      issued,
    };
  }
  const { certPath, keyPath } = config.serving;
  const errors: ConfigError[] = [];
  const readOrNote = (setting: string, path: string) =>
    read(path).catch((cause) => {
      errors.push(new ConfigError(setting, `${path}: ${describe(cause)}`, { cause }));
      return "";
    });
  const certificatePem = await readOrNote("TLS_CERT_PATH", certPath);
  const keyPem = await readOrNote("TLS_KEY_PATH", keyPath);
  if (errors.length > 0) throw new ConfigErrors(errors);
  return { mode: "files", certificatePem, keyPem };
}

function settingOf(config: Config, cause: unknown): [setting: string, path: string] {
  if (cause instanceof CaMaterialError) {
    if (config.ca.kind === "bundle") return ["TALOS_SECRETS_PATH", config.ca.secretsPath];
    return cause.input === "key"
      ? ["CA_KEY_PATH", config.ca.keyPath]
      : ["CA_CERT_PATH", config.ca.certPath];
  }
  if (cause instanceof RangeError) return ["TALOS_TOKEN", "(token)"];
  return ["ACCEPTED_CAS_PATH", config.acceptedCasPath ?? ""];
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "file not found";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
