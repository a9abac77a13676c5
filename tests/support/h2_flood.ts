/**
 * Unauthenticated HTTP/2 floods (tests/interop/python/h2_flood.py, raw frames with python3-h2's
 * hyperframe and hpack) against a server started exactly like the `start` task (same V8 heap cap
 * and malloc arenas), with its resident memory sampled while they run.
 *
 * @module
 */
import { REPO_ROOT } from "./fixtures.ts";
import { type ServerProcess, startServer } from "./server_process.ts";

/** The attacks of h2_flood.py. */
export type FloodMode = "streams" | "drip" | "continuation" | "noread" | "watch" | "hold";

/** How big and how long an attack is. */
export interface FloodOptions {
  /** TLS connections opened. */
  connections: number;
  /** Streams per connection (streams, noread, watch). */
  streams?: number;
  /** Message bytes sent on each pending stream after its 5-byte prefix (streams). */
  fill?: number;
  /** Seconds between rounds (drip, noread, hold). */
  interval?: number;
  /** PING frames per round (noread). */
  pings?: number;
  /** Longest duration, seconds; {@linkcode RunningFlood.stop} ends it earlier. */
  seconds: number;
  /** Local address to connect from. */
  source?: string;
}

/** What the attack script reports at the end. */
export interface FloodReport {
  /** Connections established. */
  connections: number;
  /** Connections refused (closed before or during the TLS handshake). */
  refused_connections: number;
  /** Streams opened. */
  streams_sent: number;
  /** RST_STREAM frames received. */
  resets: number;
  /** GOAWAY frames received. */
  goaways: number;
  /** Connections the server closed before the attack ended. */
  closed_by_server: number;
  /** Latest time after connecting at which the server closed one, seconds. */
  last_close_s: number;
  /** Bytes written. */
  bytes_sent: number;
  /** The server's SETTINGS, by identifier (3: SETTINGS_MAX_CONCURRENT_STREAMS). */
  settings: Record<string, number>;
  /** gRPC status codes received, by code. */
  grpc_status: Record<string, number>;
}

/** An attack in progress. */
export interface RunningFlood {
  /** Resolves once every connection has its attack in place. */
  ready: Promise<void>;
  /** Ends the attack and returns its report. */
  stop(): Promise<FloodReport>;
  /** Waits until the attack ends by itself (every connection closed, or its time is up). */
  finished(): Promise<FloodReport>;
}

/**
 * Starts an attack on 127.0.0.1 (from `options.source` when given).
 *
 * @param mode which attack
 * @param port the server's port
 * @param options size and duration
 * @returns the running attack
 */
export function startFlood(mode: FloodMode, port: number, options: FloodOptions): RunningFlood {
  const flags = Object.entries(options).map(([key, value]) => `--${key}=${value}`);
  const child = new Deno.Command("/usr/bin/python3", {
    args: [`${REPO_ROOT}tests/interop/python/h2_flood.py`, mode, String(port), ...flags],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const ready = (async () => {
    while (!text.includes('"ready"')) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`flood ${mode} ended before it was ready: ${text}`);
      text += value;
    }
  })();
  const finished = async () => {
    for (;;) {
      const { value, done } = await lines.read();
      if (done) break;
      text += value;
    }
    const { code } = await child.status;
    const last = text.trim().split("\n").pop() ?? "";
    if (code !== 0 || !last.startsWith('{"connections"')) {
      throw new Error(`flood ${mode} failed (${code}): ${text}${await stderr}`);
    }
    return JSON.parse(last) as FloodReport;
  };
  return {
    ready,
    finished,
    async stop() {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode("stop\n")).catch(() => {});
      await writer.close().catch(() => {});
      return await finished();
    },
  };
}

/** Samples a process's resident memory (VmRSS) until stopped. */
export interface RssSampler {
  /** Stops sampling; returns the largest value seen, kB, or undefined if the process was gone. */
  stop(): Promise<{ maxKb: number; alive: boolean }>;
}

/**
 * Reads `/proc/<pid>/status` every 100 ms.
 *
 * @param pid the process
 * @returns the sampler
 */
export function sampleRss(pid: number): RssSampler {
  let maxKb = 0;
  let alive = true;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const status = await Deno.readTextFile(`/proc/${pid}/status`);
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (/State:\s+Z/.test(status)) alive = false;
        maxKb = Math.max(maxKb, kb);
      } catch {
        alive = false;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { maxKb, alive };
    },
  };
}

/**
 * Starts `main.ts serve` with the `start` task's V8 flags and environment (every `NAME=value` before
 * `deno`), read from deno.json so the two cannot drift apart.
 *
 * @param args serve flags
 * @returns the running server
 */
export async function startLikeStartTask(args: string[]): Promise<ServerProcess> {
  const config = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}deno.json`));
  const task: string = config.tasks.start;
  const v8Flags = /--v8-flags=(\S+)/.exec(task)?.[1];
  const env: Record<string, string> = {};
  for (const word of task.split(/\s+/)) {
    const assignment = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(word);
    if (!assignment) break;
    env[assignment[1]!] = assignment[2]!;
  }
  if (!v8Flags || !env.MALLOC_ARENA_MAX) {
    throw new Error(`cannot read the start task's flags: ${task}`);
  }
  return await startServer(args, { ...env, DENO_V8_FLAGS: v8Flags });
}
