/**
 * Reloads in the systemd layout: the signer's files in a plain folder, with its log file beside
 * them. A bad file is refused and logged once, not once per log line it causes, and a CA key made
 * readable by others is noticed though its content did not change.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { writeCaFiles } from "../support/ca_files.ts";
import { REPO_ROOT } from "../support/fixtures.ts";
import { makeCa } from "../support/keys.ts";
import { SUITE_LOG_DIR } from "../support/server_process.ts";

const T1 = "aaaaaa.1111111111111111";

/** `serve` with stderr appended to `log`, as `StandardError=append:` or a shell redirect does. */
async function serveLoggingTo(flags: string[], log: string) {
  const args = [
    "run",
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-sys=gid",
    `${REPO_ROOT}main.ts`,
    "serve",
    "--listen-address=127.0.0.1",
    "--port=0",
    "--http-addr=127.0.0.1:0",
    "--reload-interval=1s",
    ...flags,
  ];
  const quoted = [Deno.execPath(), ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`);
  const child = new Deno.Command("sh", {
    args: ["-c", `exec ${quoted.join(" ")} 2>>'${log}'`],
    env: { LOG_FORMAT: "json" },
    stdin: "null",
  }).spawn();
  const lines = async () => (await Deno.readTextFile(log).catch(() => "")).split("\n");
  const waitFor = async (match: (line: string) => boolean, limitMs = 60_000) => {
    const start = Date.now();
    for (;;) {
      const found = (await lines()).find(match);
      if (found) return found;
      if (Date.now() - start > limitMs) {
        throw new Error(`not logged:\n${(await lines()).join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const listening = JSON.parse(await waitFor((l) => l.includes('"msg":"listening"')));
  return {
    lines,
    waitFor,
    httpPort: Number(/:(\d+)$/.exec(listening.http)![1]),
    async stop() {
      child.kill("SIGTERM");
      const status = await child.status;
      const text = (await lines()).join("\n");
      await Deno.mkdir(SUITE_LOG_DIR, { recursive: true });
      await Deno.writeTextFile(`${SUITE_LOG_DIR}/${Deno.pid}-reload.log`, text, { append: true });
      return status.code;
    },
  };
}

Deno.test("a refused reload is logged once while the bad file stays, though the log file sits beside it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "systemd-layout-" });
  const server = await serveLoggingTo(
    await writeCaFiles(dir, await makeCa(), `${T1}\n`),
    `${dir}/signer.log`,
  );
  try {
    const refused = (l: string) => l.includes("reload refused");
    await Deno.writeTextFile(`${dir}/token`, "# emptied by mistake\n");
    await server.waitFor(refused);
    // Every log line is a change in the watched folder, and the re-check runs every second: each
    // used to rebuild and log again (about 4 lines a second). Give them time to show.
    await new Promise((r) => setTimeout(r, 5_000));
    assertEquals((await server.lines()).filter(refused).length, 1);
    // A different problem is news: logged once more.
    await Deno.remove(`${dir}/token`);
    await server.waitFor((l) => refused(l) && l.includes("file not found"));
    await new Promise((r) => setTimeout(r, 2_000));
    assertEquals((await server.lines()).filter(refused).length, 2);
    // Put right: the refusal is over.
    await Deno.writeTextFile(`${dir}/token`, `${T1}\n`, { mode: 0o600 });
    await server.waitFor((l) => l.includes("the files match the material in use again"));
    const readyz = await fetch(`http://127.0.0.1:${server.httpPort}/readyz`);
    assertEquals(await readyz.text(), "ready\n");
  } finally {
    assertEquals(await server.stop(), 0);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a loaded CA key made readable by others is noticed, though its content is unchanged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "key-mode-" });
  const server = await serveLoggingTo(
    await writeCaFiles(dir, await makeCa(), `${T1}\n`),
    `${dir}/signer.log`,
  );
  try {
    await Deno.chmod(`${dir}/ca.key`, 0o644);
    const line = JSON.parse(await server.waitFor((l) => l.includes("reload refused")));
    assert(
      line.problems.some((p: string) =>
        p.startsWith(`CA_KEY_PATH: ${dir}/ca.key: `) && p.includes("(mode 0644)")
      ),
      JSON.stringify(line),
    );
    const readyz = await (await fetch(`http://127.0.0.1:${server.httpPort}/readyz`)).text();
    assert(readyz.includes("last reload refused: CA_KEY_PATH: "), readyz);
  } finally {
    assertEquals(await server.stop(), 0);
    await Deno.remove(dir, { recursive: true });
  }
});
