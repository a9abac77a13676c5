/**
 * Reads the files a {@linkcode Config} names and builds the signing {@linkcode Authority} and the
 * serving certificate from them. This is the I/O edge of configuration: every failure names the
 * setting and file at fault.
 *
 * @module
 */
import { buildTokenSet } from "../auth/token_set.ts";
import { parseTokenFile } from "../auth/token_file.ts";
import { type Authority, buildAuthority } from "../authority.ts";
import { MaterialError } from "../pki/material_error.ts";
import {
  checkServingCertificate,
  issueServingCertificate,
  type ServingCertificate,
  withAlwaysServedNames,
} from "../pki/serving_cert.ts";
import { ConfigError, ConfigErrors } from "./config_error.ts";
import type { Config } from "./parse_config.ts";
import type { FileSource } from "./file_source.ts";
import { checkSecretFilePermissions } from "./key_permissions.ts";
import type { SecretsBundle } from "./secrets_bundle.ts";

/** The serving certificate in use and where it came from. */
export interface ServingMaterial extends ServingCertificate {
  /** `files`: operator-provided; `self-issued`: issued by us from the CA. */
  mode: "files" | "self-issued";
}

/**
 * Loads CA, accepted CAs and tokens into an authority.
 *
 * Secret files (CA key, secrets bundle, token file) must not be readable by group or others unless
 * `allowInsecureKeyPermissions` is set, in which case `warn` is told instead.
 *
 * @param config the checked configuration
 * @param files the file system
 * @param warn receives a warning per tolerated problem
 * @returns the authority
 * @throws {ConfigErrors} naming each setting whose file is missing, unusable or too open
 */
export async function loadAuthority(
  config: Config,
  files: FileSource,
  warn: (message: string) => void = () => {},
): Promise<Authority> {
  const errors: ConfigError[] = [];
  const read = (path: string) => files.readText(path);
  const readSecret = (setting: string, path: string) =>
    readSecretFile(config, files, setting, path, warn);
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
  let bundleFields: SecretsBundle["fields"] | undefined;
  const tokens: string[] = [];
  if (config.ca.kind === "bundle") {
    const bundle = await loadSecretsBundle(config.ca.secretsPath, files, config, warn).catch(
      (error: ConfigErrors) => {
        errors.push(...(error.errors as ConfigError[]));
        return undefined;
      },
    );
    caCertificatePem = bundle?.caCertificatePem;
    caKeyPem = bundle?.caKeyPem;
    bundleFields = bundle?.fields;
    if (bundle) tokens.push(bundle.token);
  } else {
    const { certPath, keyPath } = config.ca;
    caCertificatePem = await attempt("CA_CERT_PATH", certPath, () => read(certPath));
    caKeyPem = await attempt("CA_KEY_PATH", keyPath, () => readSecret("CA_KEY_PATH", keyPath));
  }
  if (config.token !== undefined) tokens.push(config.token.trim());
  if (config.tokenFile !== undefined) {
    const path = config.tokenFile;
    const text = await attempt(
      "TALOS_TOKEN_FILE",
      path,
      () => readSecret("TALOS_TOKEN_FILE", path),
    );
    const fileTokens = text === undefined ? [] : parseTokenFile(text);
    if (text !== undefined && fileTokens.length === 0) {
      errors.push(new ConfigError("TALOS_TOKEN_FILE", `${path}: holds no token`));
    }
    tokens.push(...fileTokens);
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
      policy: config.policy,
    });
  } catch (cause) {
    const [setting, path] = settingOf(config, cause);
    // Inside a bundle, name the field the material came from.
    const field = bundleFields && cause instanceof MaterialError
      ? `${cause.input === "key" ? bundleFields.caKey : bundleFields.caCertificate}: `
      : "";
    throw new ConfigErrors([
      new ConfigError(setting, `${path}: ${field}${describe(cause)}`, { cause }),
    ]);
  }
}

/**
 * Reads and parses a `talosctl gen secrets` bundle with the checks `serve` applies to it: the file
 * must exist and not be readable by group or others (unless `allowInsecureKeyPermissions`, which
 * warns instead). Shared by `serve` and `manifests`, so both report the same one-line errors.
 *
 * @param path the bundle's path (TALOS_SECRETS_PATH, `--secrets`)
 * @param files the file system
 * @param options whether group/other-readable files are tolerated
 * @param warn receives a warning per tolerated problem
 * @returns the bundle's CA, key and token
 * @throws {ConfigErrors} one {@linkcode ConfigError} for TALOS_SECRETS_PATH naming the file
 */
export async function loadSecretsBundle(
  path: string,
  files: FileSource,
  options: Pick<Config, "allowInsecureKeyPermissions">,
  warn: (message: string) => void = () => {},
): Promise<SecretsBundle> {
  try {
    const text = await readSecretFile(options, files, "TALOS_SECRETS_PATH", path, warn);
    // The YAML parser is loaded only when a bundle is configured.
    const { parseSecretsBundle } = await import("./secrets_bundle.ts");
    return parseSecretsBundle(text);
  } catch (cause) {
    throw new ConfigErrors([
      new ConfigError("TALOS_SECRETS_PATH", `${path}: ${describe(cause)}`, { cause }),
    ]);
  }
}

/**
 * Loads the operator's serving certificate, or issues one from the CA.
 *
 * @param config the checked configuration
 * @param authority the loaded authority (its CA issues the self-issued certificate)
 * @param files the file system
 * @param now the issuance time
 * @returns the serving material and its mode
 * @throws {ConfigErrors} naming the setting whose file is missing
 */
export async function loadServingMaterial(
  config: Config,
  authority: Authority,
  files: FileSource,
  now: Date,
): Promise<ServingMaterial> {
  if (config.serving.kind === "self-issued") {
    const names = withAlwaysServedNames(config.serving.names);
    return {
      mode: "self-issued",
      ...(await issueServingCertificate(authority.issuingCa, names, now, config.servingLifetimeMs)),
    };
  }
  const { certPath, keyPath } = config.serving;
  const errors: ConfigError[] = [];
  const readOrNote = (setting: string, path: string, secret: boolean) =>
    (secret ? readSecretFile(config, files, setting, path) : files.readText(path)).catch(
      (cause) => {
        errors.push(new ConfigError(setting, `${path}: ${describe(cause)}`, { cause }));
        return "";
      },
    );
  const certificatePem = await readOrNote("TLS_CERT_PATH", certPath, false);
  const keyPem = await readOrNote("TLS_KEY_PATH", keyPath, true);
  if (errors.length > 0) throw new ConfigErrors(errors);
  try {
    return { mode: "files", ...(await checkServingCertificate(certificatePem, keyPem)) };
  } catch (cause) {
    const setting = cause instanceof MaterialError && cause.input === "key"
      ? "TLS_KEY_PATH"
      : "TLS_CERT_PATH";
    const path = setting === "TLS_KEY_PATH" ? keyPath : certPath;
    throw new ConfigErrors([new ConfigError(setting, `${path}: ${describe(cause)}`, { cause })]);
  }
}

function settingOf(config: Config, cause: unknown): [setting: string, path: string] {
  if (cause instanceof MaterialError) {
    if (config.ca.kind === "bundle") return ["TALOS_SECRETS_PATH", config.ca.secretsPath];
    return cause.input === "key"
      ? ["CA_KEY_PATH", config.ca.keyPath]
      : ["CA_CERT_PATH", config.ca.certPath];
  }
  if (cause instanceof RangeError) return ["TALOS_TOKEN", "(token)"];
  return ["ACCEPTED_CAS_PATH", config.acceptedCasPath ?? ""];
}

/** A secret file that other users can read. */
class InsecureFileError extends Error {}

async function readSecretFile(
  config: Pick<Config, "allowInsecureKeyPermissions">,
  files: FileSource,
  setting: string,
  path: string,
  warn: (message: string) => void = () => {},
): Promise<string> {
  const problem = checkSecretFilePermissions(await files.permissions(path));
  if (problem && !config.allowInsecureKeyPermissions) throw new InsecureFileError(problem);
  if (problem) warn(`${setting}: ${path}: ${problem}`);
  return await files.readText(path);
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "file not found";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
