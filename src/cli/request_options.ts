/**
 * The `request` flags, read into what a worker would use: the addresses it dials, the CAs it
 * trusts, and the token it sends, either given one by one or taken from the worker's own machine
 * configuration (`--machine-config worker.yaml`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { parseTokenFile } from "../auth/token_file.ts";
import { describeArgumentError } from "../config/argument_error.ts";
import { classifyName } from "../config/host_names.ts";
import { parseMachineConfig } from "../config/machine_config.ts";
import { parseSecretsBundle } from "../config/secrets_bundle.ts";
import type { KeyType } from "../pki/key_type.ts";
import type { EndpointSpec } from "./worker_targets.ts";

const OPTIONS = {
  endpoint: { type: "string", multiple: true },
  "machine-config": { type: "string" },
  ca: { type: "string" },
  token: { type: "string" },
  "token-file": { type: "string" },
  port: { type: "string", default: "50001" },
  san: { type: "string", multiple: true },
  "key-type": { type: "string", default: "ed25519" },
  json: { type: "boolean", default: false },
  out: { type: "string" },
} as const;

const KEY_TYPES: Record<string, KeyType> = { ed25519: "Ed25519", ecdsa: "ECDSA-P256", rsa: "RSA" };

/** What `request` checks with. */
export interface RequestOptions {
  /** The endpoints, before name resolution. */
  endpoints: EndpointSpec[];
  /** The CA certificates the worker trusts (PEM, concatenated). */
  rootsPem: string;
  /** The token sent. Secret. */
  token: string;
  /** The worker configuration the CA and token came from, when `--machine-config` was given. */
  machineConfig?: { path: string; caPem: string };
  /** The SANs to request. */
  sans: { dnsNames: string[]; ipAddresses: string[] };
  /** The worker's key type. */
  keyType: KeyType;
  /** Print JSON. */
  json: boolean;
  /** Where to save key, CSR, certificate and CA bundle. */
  out?: string;
}

/**
 * Reads the flags and the files they name.
 *
 * @param args flags after the verb
 * @param env the environment (`TALOS_TOKEN`)
 * @returns the options
 * @throws {Error} one line saying what is wrong
 */
export async function readRequestOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<RequestOptions> {
  let values;
  try {
    values = parseArgs({ args: [...args], options: OPTIONS, strict: true }).values;
  } catch (error) {
    throw new Error(describeArgumentError(error, Object.keys(OPTIONS)));
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port!) || port < 1 || port > 65535) {
    throw new Error(`--port must be a port number, not ${values.port}`);
  }
  const keyType = KEY_TYPES[values["key-type"]!];
  if (!keyType) {
    throw new Error(`--key-type must be ed25519, ecdsa or rsa, not ${values["key-type"]}`);
  }
  const endpoints = (values.endpoint ?? []).map((e) => parseEndpoint(e, port));
  const common = { sans: readSans(values.san), keyType, json: values.json!, out: values.out };
  const configPath = values["machine-config"];
  if (configPath) {
    for (const flag of ["ca", "token", "token-file"] as const) {
      if (values[flag] !== undefined) {
        throw new Error(`--${flag} conflicts with --machine-config, which gives the CA and token`);
      }
    }
    let worker;
    try {
      worker = parseMachineConfig(await Deno.readTextFile(configPath));
    } catch (error) {
      throw new Error(`--machine-config ${configPath}: ${(error as Error).message}`);
    }
    return {
      ...common,
      endpoints: [
        { host: worker.endpointHost, port, source: "cluster.controlPlane.endpoint" },
        ...endpoints,
      ],
      rootsPem: [worker.caPem, ...worker.acceptedCaPems].map(withNewline).join(""),
      token: worker.token,
      machineConfig: { path: configPath, caPem: worker.caPem },
    };
  }
  if (endpoints.length === 0) throw new Error("--endpoint or --machine-config is required");
  if (!values.ca) throw new Error("--ca is required (or --machine-config)");
  const caText = await readOptionFile("ca", values.ca);
  let rootsPem = caText;
  let token = values.token ??
    (values["token-file"]
      ? parseTokenFile(await readOptionFile("token-file", values["token-file"]))[0]
      : env.TALOS_TOKEN);
  if (!caText.includes("-----BEGIN CERTIFICATE-----")) {
    const bundle = parseSecretsBundle(caText, `--ca ${values.ca}`);
    rootsPem = bundle.caCertificatePem;
    token ??= bundle.token;
  }
  if (!token) {
    throw new Error(
      "no token: pass --token, --token-file, a secrets bundle as --ca, --machine-config, or set TALOS_TOKEN",
    );
  }
  return { ...common, endpoints, rootsPem, token };
}

/** Reads a file named by a flag; a failure names the flag and the path, as `serve` names settings. */
async function readOptionFile(flag: string, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "file not found"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : (error as Error).message;
    throw new Error(`--${flag} ${path}: ${why}`);
  }
}

function parseEndpoint(text: string, defaultPort: number): EndpointSpec {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(text);
  if (!match) throw new Error(`--endpoint "${text}" is not HOST[:PORT]`);
  const host = match[1] ?? match[2]!;
  if (classifyName(host).kind === "invalid") {
    throw new Error(`--endpoint "${text}": ${host} is neither an IP address nor a DNS name`);
  }
  return { host, port: Number(match[3] ?? defaultPort), source: "--endpoint" };
}

function readSans(given: string[] | undefined) {
  const sans = { dnsNames: [] as string[], ipAddresses: [] as string[] };
  for (const san of given ?? ["127.0.0.1"]) {
    const name = classifyName(san);
    if (name.kind === "invalid") {
      throw new Error(`--san "${san}" is neither an IP address nor a DNS name`);
    }
    if (name.kind === "ip") sans.ipAddresses.push(name.value);
    else sans.dnsNames.push(name.value);
  }
  return sans;
}

function withNewline(pem: string): string {
  return pem.endsWith("\n") ? pem : `${pem}\n`;
}
