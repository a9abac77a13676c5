/**
 * `deno task bench`: how fast and lean issuance is, measured against the floor (one raw Ed25519
 * signature in the same process) and under a worker-like burst against the real server process.
 *
 * Prints a table and one JSON line. Not a test: numbers vary by machine; ratios measured in the
 * same run are what to compare. Only loopback is used. Per-peer rate limiting is switched off for
 * the server under test (one load generator is one source address).
 *
 * With `--compare BIN`, a second signer (any binary that takes the Go original's environment, see
 * `bench_server.ts`) is measured in the same run: both are started fresh each round, the bursts
 * alternate between them (which goes first alternates by round), the servers are pinned to one CPU
 * and the load generator to the other, and one table gives both with their ratios.
 *
 * Usage: deno task bench [--calls 3000] [--quick] [--compare BIN [--compare-name NAME]] [--rounds N]
 *   [--settle SECONDS]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { buildTokenSet } from "../src/auth/token_set.ts";
import { buildAuthority, issueCertificate } from "../src/authority.ts";
import type { KeyType } from "../src/pki/key_type.ts";
import { makeCa, makeCsr } from "../tests/support/keys.ts";
import {
  type BenchServer,
  SERVER_MALLOC_ENV,
  SERVER_V8_FLAGS,
  startBenchServer,
  startCompareServer,
  writeBenchFiles,
} from "./bench_server.ts";
import { compareTable, type ServerRound } from "./compare_table.ts";
import { LOAD_SHAPES, measureLoad, pinning, sample } from "./load.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    calls: { type: "string", default: "3000" },
    quick: { type: "boolean", default: false },
    compare: { type: "string" },
    "compare-name": { type: "string", default: "Go original" },
    rounds: { type: "string" },
    settle: { type: "string" },
  },
});
const CALLS = Number(values.calls);
const QUICK = values.quick!;
const COMPARE = values.compare;
const COMPARE_NAME = values["compare-name"]!;
const ROUNDS = Number(values.rounds ?? (COMPARE ? 2 : 1));
const SETTLE_S = Number(values.settle ?? (QUICK ? 0 : 60));
if (!(CALLS > 0 && ROUNDS >= 1 && SETTLE_S >= 0)) {
  throw new RangeError("Cannot run the bench: --calls and --rounds must be positive numbers");
}
if (COMPARE && !(await Deno.stat(COMPARE).catch(() => null))?.isFile) {
  throw new Error(`Cannot run the bench: --compare ${COMPARE} is not a file`);
}
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = await Deno.makeTempDir({ prefix: "bench-" });
const files = await writeBenchFiles(dir);
const cpus = await pinning();
const rounds = new Map<string, ServerRound[]>();
const loadAverages: string[] = [];
for (let round = 0; round < ROUNDS; round++) {
  loadAverages.push(Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" "));
  const servers: BenchServer[] = [await startBenchServer(files, { cpus: cpus?.server })];
  if (COMPARE) {
    servers.push(
      await startCompareServer(COMPARE, files, { cpus: cpus?.server, name: COMPARE_NAME }),
    );
  }
  try {
    await sleep(3000); // let start-up settle before the idle sample
    const results = new Map(
      servers.map((s) => [s, { idleMb: sample(s.pid).rssMb, runs: [] as ServerRound["runs"] }]),
    );
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const shape of LOAD_SHAPES) {
      for (const server of order) {
        const run = await measureLoad(server.pid, server.port, shape, {
          files,
          calls: CALLS,
          cpus: cpus?.load,
        });
        results.get(server)!.runs.push(run);
      }
    }
    const peaks = new Map(servers.map((s) => [s, sample(s.pid).hwmMb]));
    await sleep(SETTLE_S * 1000);
    for (const server of servers) {
      const { idleMb, runs } = results.get(server)!;
      const entry = {
        idleMb,
        peakMb: peaks.get(server)!,
        settledMb: sample(server.pid).rssMb,
        runs,
      };
      rounds.set(server.name, [...(rounds.get(server.name) ?? []), entry]);
    }
  } finally {
    for (const server of servers) await server.stop();
  }
}
await Deno.remove(dir, { recursive: true });

const fixed = (n: number, digits = 1) => n.toFixed(digits);
report(
  `talos-csr-signer bench (deno ${Deno.version.deno}, server V8 flags ${SERVER_V8_FLAGS}, ${
    Object.entries(SERVER_MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(" ")
  }, per-peer rate limit OFF)`,
);
report("");
report(`in process                      µs/op   ratio to sign`);
report(`raw Ed25519 sign (floor)     ${fixed(signUs).padStart(8)}   1.0`);
report(`issue, Ed25519 CA            ${fixed(issueEd).padStart(8)}   ${fixed(issueEd / signUs)}`);
report(`issue, ECDSA P-256 CA        ${fixed(issueEc).padStart(8)}   ${fixed(issueEc / signUs)}`);
report("");
report(
  `against the server: ${CALLS} calls per burst, ${ROUNDS} round(s), settle wait ${SETTLE_S} s, ` +
    (cpus
      ? `servers on CPU ${cpus.server}, load generator on CPU ${cpus.load}`
      : "no CPU pinning") +
    (COMPARE ? `, compared with ${COMPARE}` : ""),
);
report(`load average at the start of each round: ${loadAverages.join(" | ")}`);
report("");
const ours = rounds.get("this service")!;
const theirs = rounds.get(COMPARE_NAME);
for (const line of compareTable(ours, theirs, COMPARE_NAME)) report(line);
report("");
report(JSON.stringify({
  sign_us: signUs,
  issue_us_ed25519: issueEd,
  issue_us_ecdsa_p256: issueEc,
  issue_to_sign_ratio_ed25519: issueEd / signUs,
  calls_per_burst: CALLS,
  settle_wait_s: SETTLE_S,
  cpu_pinning: cpus ?? "none",
  load_averages: loadAverages,
  rate_limit_per_peer: "off",
  v8_flags: SERVER_V8_FLAGS,
  rounds: Object.fromEntries(rounds),
}));
