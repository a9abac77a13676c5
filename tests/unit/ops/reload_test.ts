import type { FileSource } from "../../../src/config/file_source.ts";
import { parseConfig } from "../../../src/config/parse_config.ts";
import { watchFiles } from "../../../src/ops/file_watcher.ts";
import { createLogger } from "../../../src/ops/log.ts";
import { type LoadedMaterial, loadMaterial } from "../../../src/ops/material.ts";
import { createReload, RELOAD_REMINDER_MS } from "../../../src/ops/reload.ts";
import { SignerState } from "../../../src/ops/signer_state.ts";
import { assert, assertEquals, assertMatch } from "../../support/assert.ts";
import { makeCa } from "../../support/keys.ts";

const TOKEN = "aaaaaa.1111111111111111\n";

/** An in-memory file system whose content and modes the test changes; nothing is mocked. */
function memoryFiles(texts: Map<string, string>, modes: Map<string, number>): FileSource {
  return {
    readText: (path) =>
      texts.has(path)
        ? Promise.resolve(texts.get(path)!)
        : Promise.reject(new Deno.errors.NotFound(path)),
    permissions: (path) =>
      Promise.resolve({ mode: modes.get(path) ?? 0o100600, kubernetesSecretMount: false }),
  };
}

/** A signer reloading from memory, with its log lines, metrics and a clock the test moves. */
async function reloading() {
  const ca = await makeCa();
  const texts = new Map([["/ca.crt", ca.certificatePem], ["/ca.key", ca.keyPem], [
    "/token",
    TOKEN,
  ]]);
  const modes = new Map<string, number>();
  const config = parseConfig(["--ca-cert=/ca.crt", "--ca-key=/ca.key", "--token-file=/token"], {});
  const files = memoryFiles(texts, modes);
  let now = Date.now();
  const state = new SignerState(
    (await loadMaterial(config, files, new Date(now))) as LoadedMaterial,
  );
  const lines: string[] = [];
  const counts = { succeeded: 0, failed: 0 };
  const reload = createReload({
    config,
    files,
    state,
    apply: (next) => state.replace(next),
    logger: createLogger("json", (line) => lines.push(line), () => new Date(now)),
    metrics: {
      reloadSucceeded: () => void counts.succeeded++,
      reloadFailed: () => void counts.failed++,
    },
    clock: () => new Date(now),
  });
  const messages = () => lines.map((l) => JSON.parse(l).msg as string);
  const advance = (ms: number) => void (now += ms);
  return { texts, modes, state, reload, lines, messages, counts, advance };
}

Deno.test("createReload() logs a refusal once while the bad file stays, then a reminder every 5 minutes", async () => {
  const signer = await reloading();
  signer.texts.set("/token", "# emptied\n");
  // Ten minutes of re-checks every 10 s, the watcher firing in between.
  for (let i = 0; i <= 60; i++) {
    await signer.reload(i % 2 ? "file change" : "interval");
    signer.advance(10_000);
  }
  assertEquals(signer.messages(), [
    "reload refused; the current material keeps serving",
    "reload still refused; the current material keeps serving",
    "reload still refused; the current material keeps serving",
  ]);
  assertEquals(RELOAD_REMINDER_MS, 300_000);
  assertEquals(signer.counts.failed, 1, "the same files are not rebuilt");
  assertMatch(signer.state.lastReloadError!, /^TALOS_TOKEN_FILE: \/token: holds no token$/);
});

Deno.test("createReload() logs again when the problem changes, and on every SIGHUP", async () => {
  const signer = await reloading();
  signer.texts.set("/token", "# emptied\n");
  await signer.reload("interval");
  signer.texts.set("/token", "# still empty, edited\n");
  await signer.reload("file change");
  assertEquals(signer.messages().length, 1, "same problem, other content: not logged again");
  signer.texts.delete("/token");
  await signer.reload("file change");
  await signer.reload("SIGHUP");
  assertEquals(signer.messages(), [
    "reload refused; the current material keeps serving",
    "reload refused; the current material keeps serving",
    "reload still refused; the current material keeps serving",
  ]);
  assertMatch(
    JSON.parse(signer.lines[1]!).problems[0],
    /TALOS_TOKEN_FILE: \/token: file not found/,
  );
});

Deno.test("createReload() clears the refusal when the files are back to the material in use", async () => {
  const signer = await reloading();
  signer.texts.set("/token", "# emptied\n");
  await signer.reload("interval");
  assert(signer.state.lastReloadError);
  signer.texts.set("/token", TOKEN);
  await signer.reload("interval");
  assertEquals(signer.state.lastReloadError, undefined);
  assertEquals(signer.messages()[1], "reload: the files match the material in use again");
});

Deno.test("createReload() notices a loaded CA key made readable by others, though its content is unchanged", async () => {
  const signer = await reloading();
  await signer.reload("interval");
  assertEquals(signer.messages(), [], "nothing changed");
  signer.modes.set("/ca.key", 0o100644);
  await signer.reload("interval");
  assertEquals(signer.messages(), ["reload refused; the current material keeps serving"]);
  assertMatch(signer.state.lastReloadError!, /^CA_KEY_PATH: \/ca\.key: .*\(mode 0644\)/);
  signer.modes.set("/ca.key", 0o100600);
  await signer.reload("interval");
  assertEquals(signer.state.lastReloadError, undefined);
});

/** Waits until `condition` holds, checking every 20 ms, for at most `limitMs`. */
async function until(condition: () => boolean, limitMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`not reached within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("watchFiles() ignores reads of the watched files and writes to other files in their folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "watch-" });
  await Deno.writeTextFile(`${dir}/ca.key`, "key");
  await Deno.writeTextFile(`${dir}/signer.log`, "");
  const causes: string[] = [];
  const stop = watchFiles([`${dir}/ca.key`], (cause) => {
    causes.push(cause);
    return Promise.resolve();
  }, { intervalMs: 0, debounceMs: 50 });
  try {
    // A log file beside the signer's files grows with every line; the signer reads its own.
    for (let i = 0; i < 20; i++) {
      await Deno.writeTextFile(`${dir}/signer.log`, `line ${i}\n`, { append: true });
      await Deno.readTextFile(`${dir}/ca.key`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 500));
    assertEquals(causes, []);
    await Deno.writeTextFile(`${dir}/ca.key`, "new key");
    await until(() => causes.length > 0);
    assertEquals(causes, ["file change"]);
    // Kubernetes swaps the volume's ..data link.
    await Deno.symlink(`${dir}/ca.key`, `${dir}/..data_tmp`);
    await Deno.rename(`${dir}/..data_tmp`, `${dir}/..data`);
    await until(() => causes.length > 1);
  } finally {
    stop();
    await Deno.remove(dir, { recursive: true });
  }
});
