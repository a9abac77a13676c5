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

/** The permission flags of each `deno task` verb that runs main.ts, as written in deno.json. */
async function taskFlags(): Promise<Map<string, string[]>> {
  const url = new URL("../../../deno.json", import.meta.url);
  const { tasks } = JSON.parse(await Deno.readTextFile(url)) as { tasks: Record<string, string> };
  const verbs = new Map<string, string[]>();
  for (const [name, line] of Object.entries(tasks)) {
    const words = line.split(/\s+/);
    const run = words.indexOf("run");
    const main = words.indexOf("main.ts");
    if (run >= 0 && main > run) verbs.set(name, words.slice(run + 1, main));
  }
  return verbs;
}

const hasScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"] }).outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "openHeapTrim() in a terminal: FFI cannot be asked for again, with every task's flags",
  ignore: !hasScript,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "heap-trim-tty-" });
    try {
      await Deno.writeTextFile(
        `${dir}/ask.ts`,
        `import { openHeapTrim } from "${MODULE}";
        await openHeapTrim();
        try { Deno.dlopen("libc.so.6", { getpid: { parameters: [], result: "i32" } }); console.log("dlopen:granted"); }
        catch (error) { console.log("dlopen:" + (error as Error).name); }`,
      );
      for (const [task, flags] of await taskFlags()) {
        if (!flags.includes("--allow-ffi")) continue;
        const command = [Deno.execPath(), "run", ...flags, `${dir}/ask.ts`].join(" ");
        // util-linux `script` gives the child a terminal; "y" answers any permission prompt.
        const child = new Deno.Command("script", {
          args: ["-qec", command, "/dev/null"],
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const writer = child.stdin.getWriter();
        const answering = setInterval(() => writer.write(new TextEncoder().encode("A\n")), 200);
        const out = await child.output().finally(() => clearInterval(answering));
        await writer.close().catch(() => {});
        const text = new TextDecoder().decode(out.stdout);
        assertEquals(text.includes("Granted"), false, `${task}: ${text}`);
        assertEquals(/dlopen:(\w+)/.exec(text)?.[1], "NotCapable", `${task}: ${text}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
