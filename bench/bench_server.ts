/**
 * The signers under benchmark or profile, each its own process on loopback: this service
 * (`main.ts serve` with the `start` task's V8 and allocator settings and per-peer rate limiting off),
 * and, for `--compare`, any trustd-compatible binary that takes the Go original's environment.
 *
 * Both are given the same files: one CA (PKCS#8, `PRIVATE KEY` label), one serving certificate
 * made by openssl from that CA, one token. So the TLS handshakes they do are the same work.
 *
 * @module
 */
import { makeCa } from "../tests/support/keys.ts";
import { opensslServingCertificate } from "../tests/support/openssl.ts";

/** The V8 flags the Dockerfile, the compiled binary and the systemd unit run the server with. */
export const SERVER_V8_FLAGS = "--max-old-space-size=64,--max-semi-space-size=2,--max-opt=2";
/** The allocator settings of the `start` task, the Dockerfile and the systemd unit. */
export const SERVER_MALLOC_ENV = { MALLOC_ARENA_MAX: "1", MALLOC_MMAP_THRESHOLD_: "32768" };
/** The token the benchmark servers accept. */
export const BENCH_TOKEN = "bench0.0000000000000000";

const REPO = new URL("../", import.meta.url).pathname;

/** A running signer process. */
export interface BenchServer {
  /** Its name in reports. */
  name: string;
  /** Its port on 127.0.0.1. */
  port: number;
  /** Its process id, for /proc sampling. */
  pid: number;
  /** Stops it (SIGTERM for ours, SIGKILL for the Go original, which ignores SIGTERM) and waits. */
  stop(): Promise<void>;
}

/** Where the shared material lives in the bench folder. */
export interface BenchFiles {
  /** The folder. */
  dir: string;
  /** CA certificate, PEM (the load generator's root too). */
  caCert: string;
  /** CA key, PKCS#8 `PRIVATE KEY`. */
  caKey: string;
  /** Serving certificate, made by openssl from the CA (serverAuth, IP:127.0.0.1). */
  tlsCert: string;
  /** Its key. */
  tlsKey: string;
  /** The token, in a file. */
  tokenFile: string;
}

/**
 * Writes a fresh Ed25519 CA, an openssl-made serving certificate and the token into `dir`.
 *
 * @param dir a scratch folder
 * @returns the paths
 */
export async function writeBenchFiles(dir: string): Promise<BenchFiles> {
  const ca = await makeCa();
  const serving = await opensslServingCertificate(ca.certificatePem, ca.keyPem, "bench-signer");
  const files: BenchFiles = {
    dir,
    caCert: `${dir}/ca.crt`,
    caKey: `${dir}/ca.key`,
    tlsCert: `${dir}/tls.crt`,
    tlsKey: `${dir}/tls.key`,
    tokenFile: `${dir}/token`,
  };
  await Deno.writeTextFile(files.caCert, ca.certificatePem);
  await Deno.writeTextFile(files.caKey, ca.keyPem, { mode: 0o600 });
  await Deno.writeTextFile(files.tlsCert, serving.certificatePem);
  await Deno.writeTextFile(files.tlsKey, serving.keyPem, { mode: 0o600 });
  await Deno.writeTextFile(files.tokenFile, BENCH_TOKEN, { mode: 0o600 });
  return files;
}

/** How to start a signer. */
export interface StartOptions {
  /** CPUs to pin the process to (a `taskset -c` list), or none. */
  cpus?: string;
  /** Extra `deno run` flags for this service (e.g. `--cpu-prof`). */
  denoArgs?: string[];
  /** The server's name in reports. @default "Go original" for a compared binary */
  name?: string;
  /** Extra environment for the server. */
  env?: Record<string, string>;
}

/**
 * Starts this service with the `start` task's settings.
 *
 * @param files the shared material
 * @param options CPU pinning and extra `deno run` flags
 * @returns the running server
 * @throws {Error} with its output when it exits before listening
 */
export async function startBenchServer(
  files: BenchFiles,
  options: StartOptions = {},
): Promise<BenchServer> {
  const deno = [
    Deno.execPath(),
    "run",
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-sys=gid",
    "--allow-ffi",
    `--v8-flags=${SERVER_V8_FLAGS}`,
    ...(options.denoArgs ?? []),
    `${REPO}main.ts`,
    "serve",
    "--listen-address=127.0.0.1",
    "--port=0",
    "--http-addr=",
    `--ca-cert=${files.caCert}`,
    `--ca-key=${files.caKey}`,
    `--tls-cert=${files.tlsCert}`,
    `--tls-key=${files.tlsKey}`,
    `--token-file=${files.tokenFile}`,
    "--rate-limit-per-peer=0",
    "--log-format=json",
  ];
  const child = spawn(deno, options.cpus, { ...SERVER_MALLOC_ENV, ...options.env });
  const port = await readUntil(child, (text) => {
    return Number(/"msg":"listening".*?"port":(\d+)/.exec(text)?.[1] ?? 0);
  });
  return {
    name: "this service",
    port,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/**
 * Starts a trustd-compatible binary the way the Go original is deployed: environment only
 * (`PORT`, `CA_CERT_PATH`, `CA_KEY_PATH`, `TLS_CERT_PATH`, `TLS_KEY_PATH`, `TALOS_TOKEN`). It binds
 * every interface (it has no address setting); only 127.0.0.1 is ever sent traffic.
 *
 * @param binary the executable
 * @param files the shared material
 * @param options CPU pinning
 * @returns the running server, once its port accepts connections
 * @throws {Error} with its output when it exits or does not listen within 30 s
 */
export async function startCompareServer(
  binary: string,
  files: BenchFiles,
  options: StartOptions = {},
): Promise<BenchServer> {
  const port = freePort();
  const child = spawn([binary], options.cpus, {
    PORT: String(port),
    CA_CERT_PATH: files.caCert,
    CA_KEY_PATH: files.caKey,
    TLS_CERT_PATH: files.tlsCert,
    TLS_KEY_PATH: files.tlsKey,
    TALOS_TOKEN: BENCH_TOKEN,
  });
  let output = "";
  const exited = child.status.then(() => {
    throw new Error(`${binary} exited before listening: ${output}`);
  });
  drain(child, (text) => (output += text).length > 4096 && (output = output.slice(-4096)));
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port))) {
    if (Date.now() > deadline) throw new Error(`${binary} is not listening on ${port}: ${output}`);
    await Promise.race([new Promise((r) => setTimeout(r, 50)), exited]);
  }
  exited.catch(() => {});
  return {
    name: options.name ?? "Go original",
    port,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

function spawn(command: string[], cpus: string | undefined, env: Record<string, string>) {
  const argv = cpus ? ["taskset", "-c", cpus, ...command] : command;
  return new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

async function readUntil(
  child: Deno.ChildProcess,
  found: (text: string) => number,
): Promise<number> {
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let value = 0;
  while (!value) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`server exited: ${buffer}`);
    buffer += chunk.value;
    value = found(buffer);
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain the logs */ }
  })();
  return value;
}

function drain(child: Deno.ChildProcess, onText: (text: string) => unknown): void {
  (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) onText(text);
  })();
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function accepts(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch {
    return false;
  }
}
