/**
 * `deno task profile`: runs the server under `--cpu-prof` through a worker-like burst (3,000 fresh
 * connections at concurrency 64, grpc-go load generator) and prints where the time went.
 *
 * @module
 */
import { summarise } from "./profile_summary.ts";
import { goProgram } from "../tests/support/go_programs.ts";
import { makeCa } from "../tests/support/keys.ts";

const CALLS = 3000;
const REPO = new URL("../", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "profile-" });
const ca = await makeCa();
await Deno.writeTextFile(`${dir}/ca.crt`, ca.certificatePem);
await Deno.writeTextFile(`${dir}/ca.key`, ca.keyPem, { mode: 0o600 });
await Deno.writeTextFile(`${dir}/token`, "prof00.0000000000000000", { mode: 0o600 });
const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--cpu-prof",
    `--cpu-prof-dir=${dir}/prof`,
    `${REPO}main.ts`,
    "serve",
    "--listen-address=127.0.0.1",
    "--port=0",
    "--http-addr=",
    `--ca-cert=${dir}/ca.crt`,
    `--ca-key=${dir}/ca.key`,
    `--token-file=${dir}/token`,
    "--rate-limit-per-peer=0",
  ],
  env: { MALLOC_ARENA_MAX: "1" },
  stdout: "null",
  stderr: "piped",
}).spawn();
const reader = server.stderr.pipeThrough(new TextDecoderStream()).getReader();
let text = "";
let port = 0;
while (!port) {
  const { value, done } = await reader.read();
  if (done) throw new Error(text);
  text += value;
  port = Number(/"msg":"listening".*?"port":(\d+)/.exec(text)?.[1] ?? 0);
}
(async () => {
  while (!(await reader.read()).done) { /* drain */ }
})();
const load = await new Deno.Command(await goProgram("bench/go/load_client.go"), {
  args: [
    `-target=127.0.0.1:${port}`,
    `-ca=${dir}/ca.crt`,
    "-token=prof00.0000000000000000",
    `-calls=${CALLS}`,
    "-concurrency=64",
  ],
}).output();
Deno.stdout.writeSync(load.stdout);
server.kill("SIGTERM");
await server.status;
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
