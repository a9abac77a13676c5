/**
 * `deno task profile`: runs the server under `--cpu-prof` through a worker-like burst (by default
 * 3,000 fresh connections at concurrency 64, grpc-go load generator) and prints where the time
 * went, by category and by function (self time), so that a change can be aimed at what costs.
 *
 * Usage: deno task profile [--reuse] [--calls 3000] [--concurrency 64] [--top 30] [--save FILE]
 *
 * `--reuse` sends every call over one connection (no handshakes): what is left is HTTP/2, the
 * handler and the crypto of each call.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { summarise, summariseByFunction } from "./profile_summary.ts";
import { goProgram } from "../tests/support/go_programs.ts";
import { BENCH_TOKEN, startBenchServer, writeBenchFiles } from "./bench_server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    reuse: { type: "boolean", default: false },
    calls: { type: "string", default: "3000" },
    concurrency: { type: "string" },
    top: { type: "string", default: "30" },
    save: { type: "string" },
  },
});
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency ?? (values.reuse ? 16 : 64));
const dir = await Deno.makeTempDir({ prefix: "profile-" });
const files = await writeBenchFiles(dir);
const server = await startBenchServer(files, {
  denoArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}/prof`],
});
const load = await new Deno.Command(await goProgram("bench/go/load_client.go"), {
  args: [
    `-target=127.0.0.1:${server.port}`,
    `-ca=${files.caCert}`,
    `-token=${BENCH_TOKEN}`,
    `-calls=${CALLS}`,
    `-concurrency=${CONCURRENCY}`,
    // Fresh connections come from one loopback address per worker, as in `deno task bench`: from
    // one address, 64 workers hit MAX_CONNECTIONS_PER_ADDRESS and evictions fail calls.
    ...(values.reuse ? ["-reuse"] : [`-sources=${Math.min(CONCURRENCY, 250)}`]),
  ],
}).output();
Deno.stdout.writeSync(load.stdout);
await server.stop();
const [file] = [...Deno.readDirSync(`${dir}/prof`)];
const profile = JSON.parse(await Deno.readTextFile(`${dir}/prof/${file!.name}`));
if (values.save) await Deno.copyFile(`${dir}/prof/${file!.name}`, values.save);

function print(title: string, rows: [string, number][], limit = rows.length): void {
  const busy = rows.filter(([c]) => c !== "(idle)").reduce((n, [, ms]) => n + ms, 0);
  const lines = [`${title.padEnd(60)} µs/call  share of busy`];
  for (const [name, ms] of rows.slice(0, limit)) {
    const share = name === "(idle)" ? "" : `${((ms / busy) * 100).toFixed(1)}%`;
    lines.push(
      `${name.slice(0, 60).padEnd(60)} ${((ms * 1000) / CALLS).toFixed(1).padStart(7)}  ${share}`,
    );
  }
  Deno.stdout.writeSync(new TextEncoder().encode(lines.join("\n") + "\n\n"));
}
print("category", summarise(profile));
print("function (self time)", summariseByFunction(profile), Number(values.top));
await Deno.remove(dir, { recursive: true });
