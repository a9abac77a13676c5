/**
 * The artefacts build: the Dockerfile's build stage, replayed in a scratch folder holding only what
 * it copies, gets through the type check on an empty Deno cache and through `deno compile`. (The
 * `denort` download needs the internet, so DENORT_BIN points at a stand-in executable: the result
 * cannot run, but every stage before it is the real one.)
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { REPO_ROOT } from "../support/fixtures.ts";

/** The build stage of the Dockerfile: what it copies into WORKDIR and what it runs there. */
function buildStage(dockerfile: string): { copies: string[][]; run: string; workdir: string } {
  const stage = dockerfile.split(/^FROM /m)[1]!;
  const copies: string[][] = [];
  let run = "";
  let workdir = "/";
  for (const line of stage.split("\n")) {
    const [instruction, ...words] = line.trim().split(/\s+/);
    if (instruction === "COPY" && !words.some((w) => w.startsWith("--"))) copies.push(words);
    if (instruction === "RUN") run = words.join(" ");
    if (instruction === "WORKDIR") workdir = words[0]!;
  }
  return { copies, run, workdir };
}

Deno.test("the Dockerfile's build stage type-checks on an empty DENO_DIR (no 64 MB heap in the compiler) and compiles, given a denort", async () => {
  const dockerfile = await Deno.readTextFile(`${REPO_ROOT}Dockerfile`);
  const { copies, run, workdir } = buildStage(dockerfile);
  assertMatch(run, /deno task compile --output \/out\//);
  const scratch = await Deno.makeTempDir({ prefix: "docker-build-" });
  try {
    const src = `${scratch}${workdir}`;
    await Deno.mkdir(src, { recursive: true });
    for (const words of copies) {
      const target = words.at(-1)!;
      for (const source of words.slice(0, -1)) {
        const destination = target.endsWith("/") ? `${src}/${target}${source}` : `${src}/${target}`;
        const cp = await new Deno.Command("cp", {
          args: ["-R", `${REPO_ROOT}${source}`, destination],
        }).output();
        assertEquals(cp.code, 0, `COPY ${source}: ${new TextDecoder().decode(cp.stderr)}`);
      }
    }
    // A stand-in runtime: an executable that is not denort, so `deno compile` needs no download
    // and cannot produce a working binary; what matters is that it is reached.
    await Deno.copyFile("/bin/true", `${scratch}/denort`);
    const output = await new Deno.Command("sh", {
      args: ["-c", run.replaceAll("/out/", `${scratch}/out/`)],
      cwd: src,
      env: {
        DENO_DIR: `${scratch}/deno-dir`,
        DENORT_BIN: `${scratch}/denort`,
        NO_COLOR: "1",
      },
      stdin: "null",
    }).output();
    const log = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    assert(!/out of memory/i.test(log), log);
    assertMatch(log, /compile: type check passed/);
    assertMatch(log, /compile: deno compile to .*\/out\/talos-csr-signer/);
    // ...and the compile stage embeds every module and package (no stack overflow).
    assert(!/overflowed its stack/.test(log), log);
    assertMatch(log, /compile: wrote .*\/out\/talos-csr-signer/);
    assertEquals(output.code, 0, log);
    const size = (await Deno.stat(`${scratch}/out/talos-csr-signer`)).size;
    assert(size > (await Deno.stat(`${scratch}/denort`)).size + 1_000_000, `${size} bytes`);
    // The second stage carries the signer's limits into the executable, not into the compiler.
    const { compileArgs, BINARY_V8_FLAGS } = await import("../../scripts/compile.ts");
    const args = compileArgs("x");
    assert(args.includes("--no-check") && args.includes(BINARY_V8_FLAGS));
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});

Deno.test("the image's final stage copies files that exist", async () => {
  const dockerfile = await Deno.readTextFile(`${REPO_ROOT}Dockerfile`);
  const finalStage = dockerfile.split(/^FROM /m).at(-1)!;
  for (const line of finalStage.split("\n").filter((l) => l.startsWith("COPY "))) {
    const words = line.split(/\s+/).slice(1);
    if (words.some((w) => w.startsWith("--from"))) continue;
    for (const source of words.slice(0, -1)) await Deno.stat(`${REPO_ROOT}${source}`);
  }
});
