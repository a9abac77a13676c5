/**
 * The server under benchmark or profile: `main.ts serve` as its own process on loopback, with the
 * production V8 and allocator settings and per-peer rate limiting off.
 *
 * @module
 */
import type { MadeCa } from "../tests/support/keys.ts";

/** The V8 flags the Dockerfile, the compiled binary and the systemd unit run the server with. */
export const SERVER_V8_FLAGS = "--max-old-space-size=64,--max-semi-space-size=2";
/** The token the benchmark server accepts. */
export const BENCH_TOKEN = "bench0.0000000000000000";

const REPO = new URL("../", import.meta.url).pathname;

/** A running benchmark server. */
export interface BenchServer {
  /** Its port on 127.0.0.1. */
  port: number;
  /** Its process id, for /proc sampling. */
  pid: number;
  /** Stops it with SIGTERM and waits. */
  stop(): Promise<void>;
}

/**
 * Writes the CA and token into `dir` and starts the server.
 *
 * @param dir a scratch folder
 * @param ca the CA to sign with
 * @param denoArgs extra `deno run` flags (e.g. `--cpu-prof`)
 * @returns the running server
 */
export async function startBenchServer(
  dir: string,
  ca: MadeCa,
  denoArgs: string[] = [],
): Promise<BenchServer> {
  await Deno.writeTextFile(`${dir}/ca.crt`, ca.certificatePem);
  await Deno.writeTextFile(`${dir}/ca.key`, ca.keyPem, { mode: 0o600 });
  await Deno.writeTextFile(`${dir}/token`, BENCH_TOKEN, { mode: 0o600 });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys=gid",
      `--v8-flags=${SERVER_V8_FLAGS}`,
      ...denoArgs,
      `${REPO}main.ts`,
      "serve",
      "--listen-address=127.0.0.1",
      "--port=0",
      "--http-addr=",
      `--ca-cert=${dir}/ca.crt`,
      `--ca-key=${dir}/ca.key`,
      `--token-file=${dir}/token`,
      "--rate-limit-per-peer=0",
      "--log-format=json",
    ],
    env: { MALLOC_ARENA_MAX: "1" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let port = 0;
  while (!port) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited: ${buffer}`);
    buffer += value;
    port = Number(/"msg":"listening".*?"port":(\d+)/.exec(buffer)?.[1] ?? 0);
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain the logs */ }
  })();
  return {
    port,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}
