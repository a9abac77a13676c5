/**
 * The `request` verb: behave exactly like a Talos worker against a running signer, on every
 * address the worker dials, then check the answer the way apid will use it. The operator's smoke
 * test before booting workers; with `--machine-config worker.yaml`, the check of that very worker.
 *
 * @module
 */
import { buildCsr } from "../pki/csr_builder.ts";
import { type Check, checkIssued } from "../pki/issued_check.ts";
import { generateParams } from "../pki/key_type.ts";
import { decodePem, encodePem } from "../pki/pem.ts";
import { callCertificate } from "../grpc/certificate_client.ts";
import { printErr, printOut } from "./output.ts";
import { hintFor } from "./request_hints.ts";
import { type RequestArtefacts, saveRequestFiles } from "./request_files.ts";
import { readRequestOptions, type RequestOptions } from "./request_options.ts";
import { type DialTarget, formatTarget, workerTargets } from "./worker_targets.ts";

/** The `request` flags, for `--help`. */
export const REQUEST_USAGE =
  `Usage: talos-csr-signer request (--machine-config worker.yaml | --endpoint HOST[:PORT]... --ca FILE
                                [--token T | --token-file F]) [--endpoint HOST[:PORT]]... [--port N]
                                [--san NAME]... [--key-type ed25519|ecdsa|rsa] [--out DIR] [--json]
  --machine-config  a worker's Talos machine configuration (talosctl gen config): its machine.token,
              machine.ca.crt, machine.acceptedCAs and the host of cluster.controlPlane.endpoint are
              used exactly as that worker uses them
  --endpoint  an address workers dial (repeatable): the host of cluster.controlPlane.endpoint, and
              the control-plane node IPs of the default/kubernetes EndpointSlice. A name is checked
              on each address it resolves to and by name, as workers dial it
  --port      the port for endpoints given without one; default 50001 (what workers dial)
  --ca        the Talos CA (machine.ca.crt, PEM), or a talosctl secrets bundle (then the token comes from it)
  --token, --token-file   the machine token (machine.token)
  --san       a SAN to request (repeatable); default 127.0.0.1
  --key-type  worker key type; default ed25519 (workers >= 1.10.3 follow the CA type)
  --out       save worker.key (0600), worker.csr, worker.crt and ca.crt (the returned CA bundle) in DIR
  --json      print the report as JSON
Settings read: TALOS_TOKEN (environment), the token when no --token, --token-file, bundle or
machine config gives one.
`;

/** One check on one address. */
interface Step extends Check {
  /** The address (`host:port`), "issued certificate" (the apid check) or "worker config" (verdicts). */
  target: string;
  hint?: string;
}

type Record_ = (name: string, ok: boolean, detail: string) => boolean;

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
  let options: RequestOptions;
  try {
    options = await readRequestOptions(args, env);
  } catch (error) {
    printErr(`request: ${(error as Error).message}\n\n${REQUEST_USAGE}`);
    return 2;
  }
  const targets = await workerTargets(options.endpoints);
  const steps: Step[] = [];
  const recorder = (target: string): Record_ => (name, ok, detail) => {
    steps.push({ target, name, ok, detail, hint: ok ? undefined : hintFor(detail) });
    return ok;
  };
  const { keyType, sans, rootsPem, token } = options;
  const keys = await crypto.subtle.generateKey(generateParams(keyType), true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const csr = await buildCsr(keys, keyType, { commonName: "talos-csr-signer-request", ...sans });
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const artefacts: RequestArtefacts = {
    keyPem: encodePem(
      "PRIVATE KEY",
      new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey)),
    ),
    csrPem: csr,
  };
  for (const target of targets) {
    const record = recorder(formatTarget(target));
    if (!await tlsStep(target, rootsPem, record)) continue;
    const answer = await callCertificate(target.host, target.port, rootsPem, token, csr);
    if ("error" in answer) {
      record("Certificate call", false, answer.error);
      continue;
    }
    record("Certificate call", true, "answered ca and crt");
    artefacts.crtPem ??= answer.crt;
    artefacts.caPem ??= answer.ca;
    const checks = await checkIssued(
      answer.ca,
      answer.crt,
      { publicKey: spki, ...sans },
      new Date(),
    );
    for (const check of checks) record(check.name, check.ok, check.detail);
    if (options.machineConfig) {
      const kept = caBundleHas(answer.ca, options.machineConfig.caPem);
      record(
        "ca includes machine.ca.crt",
        kept,
        kept
          ? "the returned CA bundle trusts the worker's own CA"
          : `the returned CA bundle lacks machine.ca.crt of ${options.machineConfig.path}: the worker's apid would reject talosctl`,
      );
    }
  }
  if (artefacts.crtPem && steps.every((s) => s.ok)) {
    // Once, with the first answer: what apid does with it does not depend on the address.
    const apid = recorder(targets.length > 1 ? "issued certificate" : formatTarget(targets[0]!));
    await apidStep(artefacts as Required<RequestArtefacts>, sans, apid);
  }
  if (options.machineConfig) steps.push(...judgeWorkerConfig(steps, options.machineConfig.path));
  const files = options.out ? await saveRequestFiles(options.out, artefacts) : [];
  const passed = steps.every((s) => s.ok);
  const addresses = targets.map(formatTarget);
  if (options.json) {
    printOut(
      JSON.stringify({
        endpoint: addresses[0],
        endpoints: targets.map((t) => ({ address: formatTarget(t), why: t.why })),
        result: passed ? "PASS" : "FAIL",
        steps,
        ...(options.out ? { files: files.map((f) => `${options.out}/${f}`) } : {}),
      }) + "\n",
    );
    return passed ? 0 : 1;
  }
  let current = "";
  for (const step of steps) {
    if (targets.length > 1 && step.target !== current) {
      current = step.target;
      const why = targets.find((t) => formatTarget(t) === current)?.why;
      printOut(`== ${current}${why ? ` (${why})` : ""}\n`);
    }
    printOut(`${step.ok ? "PASS" : "FAIL"}  ${step.name}: ${step.detail}\n`);
    if (step.hint) printOut(`      hint: ${step.hint}\n`);
  }
  if (options.out) printOut(`saved ${files.join(", ")} in ${options.out}\n`);
  printOut(`${passed ? "PASS" : "FAIL"}: ${addresses.join(", ")}\n`);
  return passed ? 0 : 1;
}

/**
 * With a worker's machine configuration, says which of its values the signer disagrees with: the
 * two mismatches that keep a worker without its certificate.
 */
function judgeWorkerConfig(steps: readonly Step[], path: string): Step[] {
  const verdicts: Step[] = [];
  const target = "worker config";
  const caRefused = steps.some((s) =>
    s.name === "TLS" && !s.ok &&
    /UnknownIssuer|BadSignature|unknown authority|issuer/i.test(s.detail)
  );
  const caAccepted = steps.some((s) => s.name === "TLS" && s.ok);
  if (caRefused || caAccepted) {
    verdicts.push({
      target,
      name: "machine.ca.crt",
      ok: !caRefused,
      detail: caRefused
        ? `machine.ca.crt (and machine.acceptedCAs) of ${path} do not match the signer's CA: the signer's serving certificate does not chain to them`
        : `the signer's serving certificate chains to machine.ca.crt or machine.acceptedCAs of ${path}`,
    });
  }
  const tokenRefused = steps.some((s) => !s.ok && /invalid token/.test(s.detail));
  const tokenAccepted = steps.some((s) =>
    s.name === "Certificate call" && (s.ok || !/UNAUTHENTICATED/.test(s.detail))
  );
  if (tokenRefused || tokenAccepted) {
    verdicts.push({
      target,
      name: "machine.token",
      ok: !tokenRefused,
      detail: tokenRefused
        ? `machine.token of ${path} is not accepted by the signer`
        : `the signer accepts machine.token of ${path}`,
    });
  }
  return verdicts.map((v) => ({ ...v, hint: v.ok ? undefined : hintFor(v.detail) }));
}

function caBundleHas(bundlePem: string, caPem: string): boolean {
  const wanted = decodePem(caPem)[0]?.der.toHex();
  return wanted !== undefined && decodePem(bundlePem).some((b) => b.der.toHex() === wanted);
}

/** A fresh TLS connection verified like a worker's: RootCAs = its CAs, server name = the dialled host. */
async function tlsStep(target: DialTarget, rootsPem: string, record: Record_) {
  try {
    const connection = await Deno.connectTls({
      hostname: target.host,
      port: target.port,
      caCerts: [rootsPem],
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
      return record("TLS", true, `serving certificate verified for ${target.host}, ALPN h2`);
    } finally {
      connection.close();
    }
  } catch (error) {
    return record("TLS", false, (error as Error).message);
  }
}

/** Serves the issued certificate as apid would and connects to it as talosctl would. */
async function apidStep(
  answer: { crtPem: string; caPem: string; keyPem: string },
  sans: { dnsNames: string[]; ipAddresses: string[] },
  record: Record_,
): Promise<void> {
  const name = sans.ipAddresses[0] ?? sans.dnsNames[0]!;
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: answer.crtPem,
    key: answer.keyPem,
  });
  try {
    const accepted = listener.accept().then(async (c) => {
      await c.handshake().catch(() => {});
      c.close();
    });
    const tcp = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const tls = await Deno.startTls(tcp, { hostname: name, caCerts: [answer.caPem] });
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
