/**
 * `deno task compile`: builds the self-contained `dist/talos-csr-signer` executable.
 *
 * Two stages, so each one runs with the memory it needs:
 * 1. `deno check main.ts` with the compiler's ordinary heap (the type check of the npm graph needs
 *    far more than the 64 MB the signer runs with);
 * 2. `deno compile --no-check` with the signer's own permissions and V8 flags, which are recorded
 *    in the executable (and would otherwise also limit the type check: "Fatal JavaScript out of
 *    memory" on an empty cache).
 *
 * `deno compile` fetches its runtime base binary (denort) from the internet unless `DENORT_BIN`
 * names a local copy; this script checks that path first so an offline build fails with a clear
 * line instead of a download error. Each stage says on stderr when it starts and how it ended.
 *
 * Usage: deno task compile [--output PATH] [--target TRIPLE]
 *
 * @module
 */
import { parseArgs } from "node:util";

/**
 * The permissions the executable runs with, for every verb: `serve` reads its files and listens,
 * `dev` and `manifests --mode files` and `request --out` write files, and `--allow-sys=gid` lets
 * the key-permission check compare file groups. `serve` drops the write permission itself before it
 * reads any input (src/cli/serve.ts). `--allow-ffi` only lets `main.ts` open glibc's `malloc_trim`
 * before anything else runs, and is revoked right after (src/ops/heap_trim.ts). `--no-prompt`: a
 * revoked permission (FFI, write) goes back to "prompt", so in a terminal any code could ask the
 * user for it again; without prompts it stays refused. The `deno task` verbs use the same list
 * (deno.json).
 */
export const BINARY_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-sys=gid",
  "--allow-ffi",
  "--no-prompt",
];

/**
 * Memory limits measured in docs/performance.md (`--max-opt=2`: no TurboFan, whose compile zones
 * kept the allocator's heap large); MALLOC_ARENA_MAX=1 and MALLOC_MMAP_THRESHOLD_=32768 are set
 * where it runs.
 */
export const BINARY_V8_FLAGS =
  "--v8-flags=--max-old-space-size=64,--max-semi-space-size=2,--max-opt=2";

/**
 * The `deno compile` arguments (the type check has already run).
 *
 * @param output the executable's path
 * @param target a target triple, or undefined for this machine
 * @returns the arguments after `deno`
 */
export function compileArgs(output: string, target?: string): string[] {
  return [
    "compile",
    "--no-check",
    ...BINARY_PERMISSIONS,
    BINARY_V8_FLAGS,
    "--include",
    "proto/security.proto",
    "--include",
    "proto/health.proto",
    "--output",
    output,
    ...(target ? ["--target", target] : []),
    "main.ts",
  ];
}

function say(line: string): void {
  // deno-lint-ignore no-console
  console.error(`compile: ${line}`);
}

async function run(args: string[]): Promise<number> {
  const { code } = await new Deno.Command(Deno.execPath(), { args, stdin: "null" }).spawn().status;
  return code;
}

async function buildCommit(): Promise<string> {
  const given = Deno.env.get("BUILD_COMMIT") ?? "";
  if (given) return given;
  try {
    const git = await new Deno.Command("git", {
      args: ["rev-parse", "--short=12", "HEAD"],
      stderr: "null",
    }).output();
    return git.success ? new TextDecoder().decode(git.stdout).trim() : "";
  } catch {
    return "";
  }
}

async function main(): Promise<number> {
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
      return 2;
    }
  }
  say("type check (deno check main.ts)");
  const checked = await run(["check", "main.ts"]);
  if (checked !== 0) {
    say(`type check failed (exit ${checked})`);
    return checked;
  }
  say("type check passed");
  // Record the commit in the binary for `talos-csr-signer version`: BUILD_COMMIT (Docker builds
  // have no .git), else git, else "unknown". The file is restored afterwards.
  const buildInfoPath = new URL("../src/cli/build_info.json", import.meta.url);
  const original = await Deno.readTextFile(buildInfoPath);
  const commit = await buildCommit();
  await Deno.writeTextFile(buildInfoPath, JSON.stringify({ commit: commit || "unknown" }) + "\n");
  try {
    say(`deno compile to ${values.output}${denort ? ` with DENORT_BIN=${denort}` : ""}`);
    const compiled = await run(compileArgs(values.output!, values.target));
    say(compiled === 0 ? `wrote ${values.output}` : `deno compile failed (exit ${compiled})`);
    return compiled;
  } finally {
    await Deno.writeTextFile(buildInfoPath, original);
  }
}

if (import.meta.main) Deno.exitCode = await main();
