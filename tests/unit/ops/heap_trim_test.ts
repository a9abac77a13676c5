import { scheduleHeapTrim } from "../../../src/ops/heap_trim.ts";
import { assertEquals } from "../../support/assert.ts";

const MODULE = new URL("../../../src/ops/heap_trim.ts", import.meta.url).href;

/** Runs `openHeapTrim()` in a fresh process (it revokes a permission for its whole process). */
async function openInProcess(flags: string[]): Promise<string> {
  const script = `
    import { openHeapTrim } from "${MODULE}";
    const opened = await openHeapTrim();
    let dlopen = "allowed";
    try { Deno.dlopen("libc.so.6", { getpid: { parameters: [], result: "i32" } }); }
    catch (error) { dlopen = (error as Error).name; }
    console.log(JSON.stringify({ opened, dlopen }));`;
  const dir = await Deno.makeTempDir({ prefix: "heap-trim-" });
  await Deno.writeTextFile(`${dir}/open.ts`, script);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...flags, `${dir}/open.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(dir, { recursive: true }));
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("openHeapTrim() takes glibc's malloc_trim, then nothing else can open a native library", async () => {
  assertEquals(await openInProcess(["--allow-ffi"]), '{"opened":true,"dlopen":"NotCapable"}');
});

Deno.test("openHeapTrim() without --allow-ffi is off, and asks for nothing", async () => {
  assertEquals(await openInProcess([]), '{"opened":false,"dlopen":"NotCapable"}');
});

Deno.test("scheduleHeapTrim() trims once per period with activity, never while idle", async () => {
  let answered = 0;
  let trims = 0;
  const stop = scheduleHeapTrim(() => answered, { intervalMs: 5, trim: () => trims++ });
  const waitTurns = async (ms: number) => await new Promise((r) => setTimeout(r, ms));
  try {
    await waitTurns(50);
    assertEquals(trims, 0, "idle: nothing to give back");
    answered += 3;
    for (let waited = 0; trims === 0 && waited < 30_000; waited += 10) await waitTurns(10);
    assertEquals(trims, 1);
    await waitTurns(50);
    assertEquals(trims, 1, "no new activity, no new trim");
  } finally {
    stop();
  }
});

Deno.test("scheduleHeapTrim() is a no-op without malloc_trim", () => {
  // In this process openHeapTrim() never ran, so there is no trim function and no timer to leak.
  scheduleHeapTrim(() => 0)();
});

Deno.test("main.ts loads no npm package before openHeapTrim() gives up FFI (static imports only)", async () => {
  const main = new URL("../../../main.ts", import.meta.url).href;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", main],
    stdout: "piped",
    stderr: "null",
  }).output();
  interface Dependency {
    isDynamic?: boolean;
    code?: { specifier?: string };
  }
  const { modules } = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string; dependencies?: Dependency[] }[];
  };
  const bySpecifier = new Map(modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const stack = [main];
  while (stack.length) {
    const specifier = stack.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (!dependency.isDynamic && dependency.code?.specifier) {
        stack.push(dependency.code.specifier);
      }
    }
  }
  assertEquals([...seen].filter((s) => !/^(file|node):/.test(s)), []);
  assertEquals(seen.has(MODULE), true);
});
