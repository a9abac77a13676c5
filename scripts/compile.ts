/**
 * `deno task compile`: builds the self-contained `dist/talos-csr-signer` executable.
 *
 * `deno compile` fetches its runtime base binary (denort) from the internet unless `DENORT_BIN`
 * names a local copy; this script checks that path first so an offline build fails with a clear
 * line instead of a download error.
 *
 * Usage: deno task compile [--output PATH] [--target TRIPLE]
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    output: { type: "string", default: "dist/talos-csr-signer" },
    target: { type: "string" },
  },
});

const denort = Deno.env.get("DENORT_BIN");
if (denort) {
  try {
    if (!(await Deno.stat(denort)).isFile) throw new Error("not a file");
  } catch (error) {
    // deno-lint-ignore no-console
    console.error(`DENORT_BIN: ${denort}: ${(error as Error).message}`);
    Deno.exit(2);
  }
}

const args = [
  "compile",
  // The same permissions `deno task start` runs with; nothing else is granted to the binary.
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-sys=gid",
  // Memory limits measured in docs/performance.md; MALLOC_ARENA_MAX=1 is set where it runs.
  "--v8-flags=--max-old-space-size=64,--max-semi-space-size=2",
  "--include",
  "proto/security.proto",
  "--include",
  "proto/health.proto",
  "--output",
  values.output!,
  ...(values.target ? ["--target", values.target] : []),
  "main.ts",
];
// Record the commit in the binary for `talos-csr-signer version`: BUILD_COMMIT (Docker builds have
// no .git), else git, else "unknown". The file is restored afterwards.
const buildInfoPath = new URL("../src/cli/build_info.json", import.meta.url);
const original = await Deno.readTextFile(buildInfoPath);
let commit = Deno.env.get("BUILD_COMMIT") ?? "";
if (!commit) {
  try {
    const git = await new Deno.Command("git", {
      args: ["rev-parse", "--short=12", "HEAD"],
      stderr: "null",
    }).output();
    commit = git.success ? new TextDecoder().decode(git.stdout).trim() : "";
  } catch {
    commit = "";
  }
}
await Deno.writeTextFile(buildInfoPath, JSON.stringify({ commit: commit || "unknown" }) + "\n");
try {
  const { code } = await new Deno.Command(Deno.execPath(), { args, stdin: "null" }).spawn().status;
  Deno.exitCode = code;
} finally {
  await Deno.writeTextFile(buildInfoPath, original);
}
