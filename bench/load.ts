/**
 * One worker-like burst against a signer, and the server's CPU and memory read from `/proc`.
 *
 * @module
 */
import { goProgram } from "../tests/support/go_programs.ts";
import { BENCH_TOKEN, type BenchFiles } from "./bench_server.ts";

/** What the load generator (`bench/go/load_client.go`) reports for one burst. */
export interface LoadResult {
  /** Calls made. */
  calls: number;
  /** Calls in parallel. */
  concurrency: number;
  /** Whether all calls shared one connection (otherwise one fresh TLS connection per call). */
  reuse_connection: boolean;
  /** Calls that did not end OK. */
  errors: number;
  /** Throughput. */
  calls_per_s: number;
  /** Latency percentiles, ms. */
  p50_ms: number;
  /** 90th percentile, ms. */
  p90_ms: number;
  /** 99th percentile, ms. */
  p99_ms: number;
}

/** A burst with the server's CPU time spent on it. */
export interface MeasuredLoad extends LoadResult {
  /** Server user+system CPU during the burst divided by the calls, ms. */
  server_cpu_ms_per_call: number;
  /** Server RSS right after the burst, MB. */
  server_rss_mb_after: number;
}

/** A snapshot of a process from `/proc`. */
export interface ProcessSample {
  /** User plus system CPU time so far, ms. */
  cpuMs: number;
  /** Resident set size now, MB. */
  rssMb: number;
  /** Highest resident set size so far (VmHWM), MB. */
  hwmMb: number;
}

/**
 * Reads a process's CPU time and memory.
 *
 * @param pid the process
 * @returns its counters now
 */
export function sample(pid: number): ProcessSample {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime (fields 14, 15)
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1]);
  return { cpuMs: (ticks * 1000) / 100, rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
}

/** One burst's shape. */
export interface LoadShape {
  /** Calls in parallel. */
  concurrency: number;
  /** One shared connection instead of one per call. */
  reuse: boolean;
}

/** The bursts every bench run makes, in order. */
export const LOAD_SHAPES: readonly LoadShape[] = [
  { concurrency: 8, reuse: false },
  { concurrency: 64, reuse: false },
  { concurrency: 16, reuse: true },
];

/** Options for {@linkcode measureLoad}. */
export interface LoadOptions {
  /** The shared bench material (the CA is the client's root). */
  files: BenchFiles;
  /** Calls per burst. */
  calls: number;
  /** CPUs for the load generator (a `taskset -c` list), or none. */
  cpus?: string;
}

/**
 * Runs one burst against a server process and measures its CPU time over it.
 *
 * @param pid the server's process id
 * @param port its port on 127.0.0.1
 * @param shape concurrency and connection reuse
 * @param options material, call count and CPU pinning
 * @returns the client's numbers and the server's CPU per call
 * @throws {Error} with the load generator's output when it fails
 */
export async function measureLoad(
  pid: number,
  port: number,
  shape: LoadShape,
  options: LoadOptions,
): Promise<MeasuredLoad> {
  const binary = await goProgram("bench/go/load_client.go");
  const argv = [
    ...(options.cpus ? ["taskset", "-c", options.cpus] : []),
    binary,
    `-target=127.0.0.1:${port}`,
    `-ca=${options.files.caCert}`,
    `-token=${BENCH_TOKEN}`,
    `-calls=${options.calls}`,
    `-concurrency=${shape.concurrency}`,
    // Fresh connections come from one loopback address per worker, as a rack of workers does.
    ...(shape.reuse ? ["-reuse"] : [`-sources=${Math.min(shape.concurrency, 250)}`]),
  ];
  // The client makes its keys and CSRs before it connects; the server is idle until then.
  const before = sample(pid);
  const output = await new Deno.Command(argv[0]!, { args: argv.slice(1) }).output();
  const after = sample(pid);
  if (output.code !== 0) throw new Error(new TextDecoder().decode(output.stderr));
  const result: LoadResult = JSON.parse(new TextDecoder().decode(output.stdout));
  return {
    ...result,
    server_cpu_ms_per_call: (after.cpuMs - before.cpuMs) / result.calls,
    server_rss_mb_after: after.rssMb,
  };
}

/**
 * Picks one CPU for the servers and another for the load generator, when there are two and
 * `taskset` exists; otherwise nothing is pinned.
 *
 * @returns the `taskset -c` lists, or undefined for no pinning
 */
export async function pinning(): Promise<{ server: string; load: string } | undefined> {
  const cpus = navigator.hardwareConcurrency;
  const taskset = await new Deno.Command("sh", {
    args: ["-c", "command -v taskset"],
    stdout: "null",
  }).output();
  if (cpus < 2 || !taskset.success) return undefined;
  return { server: "0", load: String(cpus - 1) };
}
