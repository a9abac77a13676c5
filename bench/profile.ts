/**
 * `deno task profile`: runs the server under `--cpu-prof` through a worker-like burst (3,000 fresh
 * connections at concurrency 64, grpc-go load generator) and prints where the time went.
 *
 * @module
 */
import { summarise } from "./profile_summary.ts";
import { goProgram } from "../tests/support/go_programs.ts";
import { BENCH_TOKEN, startBenchServer, writeBenchFiles } from "./bench_server.ts";

const CALLS = 3000;
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
    "-concurrency=64",
  ],
}).output();
Deno.stdout.writeSync(load.stdout);
await server.stop();
const [file] = [...Deno.readDirSync(`${dir}/prof`)];
const rows = summarise(JSON.parse(await Deno.readTextFile(`${dir}/prof/${file!.name}`)));
const busy = rows.filter(([c]) => c !== "(idle)").reduce((n, [, ms]) => n + ms, 0);
for (const [category, ms] of rows) {
  const share = category === "(idle)" ? "" : `${((ms / busy) * 100).toFixed(1)}%`;
  Deno.stdout.writeSync(
    new TextEncoder().encode(
      `${category.padEnd(34)} ${((ms * 1000) / CALLS).toFixed(0).padStart(6)} µs/call  ${share}\n`,
    ),
  );
}
await Deno.remove(dir, { recursive: true });
