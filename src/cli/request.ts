/**
 * The `request` verb: behave exactly like a Talos worker against a running signer, then check the
 * answer the way apid will use it. The operator's smoke test before booting workers.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { describeArgumentError } from "../config/argument_error.ts";
import { parseTokenFile } from "../auth/token_file.ts";
import { parseSecretsBundle } from "../config/secrets_bundle.ts";
import { buildCsr } from "../pki/csr_builder.ts";
import { type Check, checkIssued } from "../pki/issued_check.ts";
import { generateParams, type KeyType } from "../pki/key_type.ts";
import { encodePem } from "../pki/pem.ts";
import { classifyName } from "../config/host_names.ts";
import { printErr, printOut } from "./output.ts";
import { hintFor } from "./request_hints.ts";
import { callCertificate } from "../grpc/certificate_client.ts";

/** The `request` flags, for `--help`. */
export const REQUEST_USAGE =
  `Usage: talos-csr-signer request --endpoint HOST[:PORT] --ca FILE [--token T | --token-file F]
                                [--san NAME]... [--key-type ed25519|ecdsa|rsa] [--json]
  --endpoint  the signer as workers dial it (host of cluster.controlPlane.endpoint), port 50001 by default
  --ca        the Talos CA (machine.ca.crt, PEM), or a talosctl secrets bundle (then the token comes from it)
  --token, --token-file   the machine token (machine.token); TALOS_TOKEN also works
  --san       a SAN to request (repeatable); default 127.0.0.1
  --key-type  worker key type; default ed25519 (workers >= 1.10.3 follow the CA type)
  --json      print the report as JSON
`;

const REQUEST_OPTIONS = {
  endpoint: { type: "string" },
  ca: { type: "string" },
  token: { type: "string" },
  "token-file": { type: "string" },
  san: { type: "string", multiple: true },
  "key-type": { type: "string", default: "ed25519" },
  json: { type: "boolean", default: false },
} as const;

const KEY_TYPES: Record<string, KeyType> = { ed25519: "Ed25519", ecdsa: "ECDSA-P256", rsa: "RSA" };

interface Step extends Check {
  hint?: string;
}

/**
 * Runs the check against a signer.
 *
 * @param args flags after the verb
 * @param env the environment
 * @returns 0 when every step passed, 1 when one failed, 2 on bad usage
 */
export async function runRequest(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  let options;
  try {
    options = await readOptions(args, env);
  } catch (error) {
    printErr(`request: ${(error as Error).message}\n\n${REQUEST_USAGE}`);
    return 2;
  }
  const steps: Step[] = [];
  const record = (name: string, ok: boolean, detail: string) => {
    steps.push({ name, ok, detail, hint: ok ? undefined : hintFor(detail) });
    return ok;
  };
  const { host, port, caPem, token, sans, keyType } = options;
  if (await tlsStep(host, port, caPem, record)) {
    const keys = await crypto.subtle.generateKey(generateParams(keyType), true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
    const csr = await buildCsr(keys, keyType, { commonName: "talos-csr-signer-request", ...sans });
    const answer = await callCertificate(host, port, caPem, token, csr);
    if ("error" in answer) {
      record("Certificate call", false, answer.error);
    } else {
      record("Certificate call", true, "answered ca and crt");
      const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
      for (
        const check of await checkIssued(
          answer.ca,
          answer.crt,
          { publicKey: spki, ...sans },
          new Date(),
        )
      ) {
        record(check.name, check.ok, check.detail);
      }
      if (steps.every((s) => s.ok)) await apidStep(answer, keys, sans, record);
    }
  }
  const passed = steps.every((s) => s.ok);
  if (options.json) {
    printOut(
      JSON.stringify({ endpoint: `${host}:${port}`, result: passed ? "PASS" : "FAIL", steps }) +
        "\n",
    );
  } else {
    for (const step of steps) {
      printOut(`${step.ok ? "PASS" : "FAIL"}  ${step.name}: ${step.detail}\n`);
      if (step.hint) printOut(`      hint: ${step.hint}\n`);
    }
    printOut(`${passed ? "PASS" : "FAIL"}: ${host}:${port}\n`);
  }
  return passed ? 0 : 1;
}

async function readOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: REQUEST_OPTIONS, strict: true });
  } catch (error) {
    throw new Error(describeArgumentError(error, Object.keys(REQUEST_OPTIONS)));
  }
  const { values } = parsed;
  if (!values.endpoint) throw new Error("--endpoint is required");
  if (!values.ca) throw new Error("--ca is required");
  const keyType = KEY_TYPES[values["key-type"]!];
  if (!keyType) {
    throw new Error(`--key-type must be ed25519, ecdsa or rsa, not ${values["key-type"]}`);
  }
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(values.endpoint);
  if (!match) throw new Error(`--endpoint "${values.endpoint}" is not HOST[:PORT]`);
  const caText = await Deno.readTextFile(values.ca);
  let caPem = caText;
  let token = values.token ??
    (values["token-file"]
      ? parseTokenFile(await Deno.readTextFile(values["token-file"]))[0]
      : env.TALOS_TOKEN);
  if (!caText.includes("-----BEGIN CERTIFICATE-----")) {
    const bundle = parseSecretsBundle(caText, `--ca ${values.ca}`);
    caPem = bundle.caCertificatePem;
    token ??= bundle.token;
  }
  if (!token) {
    throw new Error(
      "no token: pass --token, --token-file, a secrets bundle as --ca, or set TALOS_TOKEN",
    );
  }
  const sans = { dnsNames: [] as string[], ipAddresses: [] as string[] };
  for (const san of values.san ?? ["127.0.0.1"]) {
    const name = classifyName(san);
    if (name.kind === "invalid") {
      throw new Error(`--san "${san}" is neither an IP address nor a DNS name`);
    }
    if (name.kind === "ip") sans.ipAddresses.push(name.value);
    else sans.dnsNames.push(name.value);
  }
  return {
    host: match[1] ?? match[2]!,
    port: Number(match[3] ?? 50001),
    caPem,
    token,
    sans,
    keyType,
    json: values.json!,
  };
}

/** A fresh TLS connection verified like a worker's: RootCAs = the CA, server name = the dialled host. */
async function tlsStep(
  host: string,
  port: number,
  caPem: string,
  record: (n: string, ok: boolean, d: string) => boolean,
) {
  try {
    const connection = await Deno.connectTls({
      hostname: host,
      port,
      caCerts: [caPem],
      alpnProtocols: ["h2"],
    });
    try {
      const handshake = await withTimeout(connection.handshake(), 10_000);
      if (handshake.alpnProtocol !== "h2") {
        return record(
          "TLS",
          false,
          `ALPN selected ${handshake.alpnProtocol ?? "nothing"}, not h2 (no application protocol)`,
        );
      }
      return record("TLS", true, `serving certificate verified for ${host}, ALPN h2`);
    } finally {
      connection.close();
    }
  } catch (error) {
    return record("TLS", false, (error as Error).message);
  }
}

/** Serves the issued certificate as apid would and connects to it as talosctl would. */
async function apidStep(
  answer: { ca: string; crt: string },
  keys: CryptoKeyPair,
  sans: { dnsNames: string[]; ipAddresses: string[] },
  record: (n: string, ok: boolean, d: string) => boolean,
): Promise<void> {
  const key = encodePem(
    "PRIVATE KEY",
    new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey)),
  );
  const name = sans.ipAddresses[0] ?? sans.dnsNames[0]!;
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: answer.crt, key });
  try {
    const accepted = listener.accept().then(async (c) => {
      await c.handshake().catch(() => {});
      c.close();
    });
    const tcp = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const tls = await Deno.startTls(tcp, { hostname: name, caCerts: [answer.ca] });
    await tls.handshake();
    tls.close();
    await accepted;
    record("apid-style TLS with the issued certificate", true, `verified against ca as ${name}`);
  } catch (error) {
    record("apid-style TLS with the issued certificate", false, (error as Error).message);
  } finally {
    listener.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((
    _,
    reject,
  ) => (timer = setTimeout(() => reject(new Error("timed out")), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
