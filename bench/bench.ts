/**
 * `deno task bench`: how fast and lean issuance is, measured against the floor (one raw Ed25519
 * signature in the same process) and under a worker-like burst against the real server process.
 *
 * Prints a table and one JSON line. Not a test: numbers vary by machine; ratios measured in the
 * same run are what to compare. Only loopback is used. Per-peer rate limiting is switched off for
 * the server under test (one load generator is one source address).
 *
 * Usage: deno task bench [--calls 3000] [--quick]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { buildTokenSet } from "../src/auth/token_set.ts";
import { buildAuthority, issueCertificate } from "../src/authority.ts";
import type { KeyType } from "../src/pki/key_type.ts";
import { goProgram } from "../tests/support/go_programs.ts";
import { makeCa, makeCsr } from "../tests/support/keys.ts";
import { BENCH_TOKEN, SERVER_V8_FLAGS, startBenchServer } from "./bench_server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    calls: { type: "string", default: "3000" },
    quick: { type: "boolean", default: false },
  },
});
const CALLS = Number(values.calls);
const QUICK = values.quick!;
const REPO = new URL("../", import.meta.url).pathname;

function report(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
}

async function timeEach(iterations: number, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, iterations); i++) await run(); // warm-up
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await run();
  return ((performance.now() - started) * 1000) / iterations;
}

async function signFloor(): Promise<number> {
  const keys = await crypto.subtle.generateKey({ name: "Ed25519" }, false, [
    "sign",
  ]) as CryptoKeyPair;
  const tbs = crypto.getRandomValues(new Uint8Array(400));
  return await timeEach(
    QUICK ? 500 : 5000,
    () => crypto.subtle.sign({ name: "Ed25519" }, keys.privateKey, tbs),
  );
}

async function issueCost(type: KeyType): Promise<number> {
  const ca = await makeCa({ type });
  const authority = await buildAuthority({
    caCertificatePem: ca.certificatePem,
    caKeyPem: ca.keyPem,
    tokens: await buildTokenSet(["t"]),
  });
  const csrs = await Promise.all(Array.from({ length: 50 }, () => makeCsr({ type })));
  const bytes = csrs.map((c) => new TextEncoder().encode(c.pem));
  let i = 0;
  return await timeEach(
    QUICK ? 300 : 2000,
    () => issueCertificate(authority, bytes[i++ % bytes.length]!, new Date()),
  );
}

interface LoadResult {
  calls: number;
  concurrency: number;
  reuse_connection: boolean;
  errors: number;
  calls_per_s: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
}

interface ServerSample {
  cpuMs: number;
  rssMb: number;
  hwmMb: number;
}

function sample(pid: number): ServerSample {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime (fields 14, 15)
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1]);
  return { cpuMs: (ticks * 1000) / 100, rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
}

async function load(
  binary: string,
  port: number,
  dir: string,
  concurrency: number,
  reuse: boolean,
): Promise<LoadResult> {
  const output = await new Deno.Command(binary, {
    args: [
      `-target=127.0.0.1:${port}`,
      `-ca=${dir}/ca.crt`,
      `-token=${BENCH_TOKEN}`,
      `-calls=${CALLS}`,
      `-concurrency=${concurrency}`,
      ...(reuse ? ["-reuse"] : []),
    ],
  }).output();
  if (output.code !== 0) throw new Error(new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

// The load generator is a Go program built with Debian's toolchain; install it if missing.
for (const tool of ["go", "protoc"]) {
  const found = await new Deno.Command("sh", { args: ["-c", `command -v ${tool}`], stdout: "null" })
    .output();
  if (!found.success) {
    report(`${tool} is missing: running scripts/install_test_deps.sh`);
    const install = await new Deno.Command("bash", {
      args: [`${REPO}scripts/install_test_deps.sh`],
    }).output();
    if (!install.success) throw new Error(new TextDecoder().decode(install.stderr));
  }
}

const signUs = await signFloor();
const issueEd = await issueCost("Ed25519");
const issueEc = await issueCost("ECDSA-P256");

const dir = await Deno.makeTempDir({ prefix: "bench-" });
const binary = await goProgram("bench/go/load_client.go");
const server = await startBenchServer(dir, await makeCa());
const idle = sample(server.pid);
const runs: (LoadResult & { server_cpu_ms_per_call: number; server_rss_mb_after: number })[] = [];
for (const [concurrency, reuse] of [[8, false], [64, false], [16, true]] as const) {
  const before = sample(server.pid);
  const result = await load(binary, server.port, dir, concurrency, reuse);
  const after = sample(server.pid);
  runs.push({
    ...result,
    server_cpu_ms_per_call: (after.cpuMs - before.cpuMs) / result.calls,
    server_rss_mb_after: after.rssMb,
  });
}
const peak = sample(server.pid).hwmMb;
if (!QUICK) await new Promise((r) => setTimeout(r, 60_000));
const settled = sample(server.pid).rssMb;
await server.stop();
await Deno.remove(dir, { recursive: true });

const fixed = (n: number, digits = 1) => n.toFixed(digits);
report(
  `talos-csr-signer bench (deno ${Deno.version.deno}, server V8 flags ${SERVER_V8_FLAGS}, per-peer rate limit OFF)`,
);
report("");
report(`in process                      µs/op   ratio to sign`);
report(`raw Ed25519 sign (floor)     ${fixed(signUs).padStart(8)}   1.0`);
report(`issue, Ed25519 CA            ${fixed(issueEd).padStart(8)}   ${fixed(issueEd / signUs)}`);
report(`issue, ECDSA P-256 CA        ${fixed(issueEc).padStart(8)}   ${fixed(issueEc / signUs)}`);
report("");
report(
  `against the server (${CALLS} calls each)   calls/s     p50 ms   p90 ms   p99 ms  errors  server CPU ms/call  RSS after MB`,
);
for (const r of runs) {
  const label = r.reuse_connection
    ? `reused connection, c=${r.concurrency}`
    : `fresh connection, c=${r.concurrency}`;
  report(
    `${label.padEnd(36)} ${fixed(r.calls_per_s, 0).padStart(8)} ${fixed(r.p50_ms, 2).padStart(9)} ${
      fixed(r.p90_ms, 2).padStart(8)
    } ` +
      `${fixed(r.p99_ms, 2).padStart(8)} ${String(r.errors).padStart(7)} ${
        fixed(r.server_cpu_ms_per_call, 3).padStart(19)
      } ${fixed(r.server_rss_mb_after).padStart(13)}`,
  );
}
report(
  `server RSS: idle ${fixed(idle.rssMb)} MB, peak (VmHWM) ${fixed(peak)} MB, ${
    QUICK ? "after the burst" : "60 s after the burst"
  } ${fixed(settled)} MB`,
);
report("");
report(JSON.stringify({
  sign_us: signUs,
  issue_us_ed25519: issueEd,
  issue_us_ecdsa_p256: issueEc,
  issue_to_sign_ratio_ed25519: issueEd / signUs,
  runs,
  server_rss_idle_mb: idle.rssMb,
  server_rss_peak_mb: peak,
  server_rss_settled_mb: settled,
  settle_wait_s: QUICK ? 0 : 60,
  rate_limit_per_peer: "off",
  v8_flags: SERVER_V8_FLAGS,
}));
