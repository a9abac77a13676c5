/**
 * Clear words for the mistakes people make: a port in use, a mistyped flag or verb, a warning that
 * does not apply, each verb's settings in its --help, and what native trustd accepts.
 */
import { SETTINGS } from "../../src/config/settings.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { runMain, startServer } from "../support/server_process.ts";

const SECRETS = `--secrets=${TALOS_SECRETS_PATH}`;

Deno.test("a port in use names the setting and the address, in one line, without grpc-js's own", async (t) => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    await t.step("PORT / LISTEN_ADDRESS", async () => {
      const result = await runMain([
        "serve",
        SECRETS,
        "--listen-address=127.0.0.1",
        `--port=${port}`,
        "--http-addr=",
      ]);
      assertEquals(result.code, 1);
      assertEquals(result.stderr.trim().split("\n"), [
        `cannot listen: LISTEN_ADDRESS/PORT 127.0.0.1:${port}: the address is already in use (another process listens there)`,
      ]);
    });
    await t.step("HTTP_ADDR", async () => {
      const result = await runMain([
        "serve",
        SECRETS,
        "--listen-address=127.0.0.1",
        "--port=0",
        `--http-addr=127.0.0.1:${port}`,
      ]);
      assertEquals(result.code, 1);
      assertEquals(result.stderr.trim().split("\n"), [
        `cannot listen: HTTP_ADDR 127.0.0.1:${port}: the address is already in use (another process listens there)`,
      ]);
    });
  } finally {
    taken.close();
  }
});

Deno.test("an unknown flag is named with the nearest known one", async (t) => {
  await t.step("serve", async () => {
    const result = await runMain(["serve", "--secret", TALOS_SECRETS_PATH]);
    assertEquals(result.code, 2);
    assertEquals(
      result.stderr.trim(),
      "configuration error: arguments: unknown option --secret (did you mean --secrets?)",
    );
  });
  await t.step("dev", async () => {
    const result = await runMain(["dev", "--prot=1"], { DEV_STATE_DIR: "/nonexistent/dev" });
    assertMatch(result.stderr, /unknown option --prot \(did you mean --port\?\)/);
    assertEquals(result.code, 2);
  });
  await t.step("a flag without its value", async () => {
    const result = await runMain(["serve", "--secrets"]);
    assertEquals(result.code, 2);
    assertEquals(
      result.stderr.trim(),
      "configuration error: arguments: option --secrets needs a value",
    );
  });
  await t.step("manifests", async () => {
    const result = await runMain(["manifests", "--secret", TALOS_SECRETS_PATH]);
    assertEquals(result.code, 2);
    assertMatch(
      result.stderr,
      /^manifests: unknown option --secret \(did you mean --secrets\?\)\n/,
    );
  });
  await t.step("request", async () => {
    const result = await runMain(["request", "--endpont=127.0.0.1", "--ca=x"]);
    assertEquals(result.code, 2);
    assertMatch(
      result.stderr,
      /^request: unknown option --endpont \(did you mean --endpoint\?\)\n/,
    );
  });
});

Deno.test("an unknown verb says so and lists the verbs, instead of starting serve", async () => {
  const result = await runMain(["srve", SECRETS]);
  assertEquals(result.code, 2);
  assertEquals(
    result.stderr.trim(),
    "unknown verb srve (did you mean serve?); the verbs are serve, dev, request, manifests, version, help",
  );
});

Deno.test("SERVER_SANS is empty is warned only when SERVER_SANS is empty", async () => {
  const warned = async (args: string[]) => {
    const server = await startServer([SECRETS, "--listen-address=0.0.0.0", ...args]);
    const { logs } = await server.stop();
    return logs.some((l) => l.includes("SERVER_SANS is empty"));
  };
  assertEquals(await warned(["--server-sans=127.0.0.1"]), false, "--server-sans 127.0.0.1");
  assertEquals(await warned(["--server-sans=localhost"]), false, "--server-sans localhost");
  assertEquals(await warned([]), true, "no SERVER_SANS");
});

/** Environment variables a verb's module reads directly (`env.NAME`). */
async function envReadBy(module: string): Promise<string[]> {
  const source = await Deno.readTextFile(`${REPO_ROOT}src/cli/${module}`);
  return [...source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!);
}

Deno.test("each verb's --help lists every setting that verb reads", async () => {
  const serveSettings = SETTINGS.map((s) => s.env);
  const verbs: [string, string[]][] = [
    ["serve", [...serveSettings, ...(await envReadBy("serve.ts"))]],
    ["dev", ["DEV_STATE_DIR", ...serveSettings, ...(await envReadBy("dev.ts"))]],
    ["request", await envReadBy("request.ts")],
    ["manifests", await envReadBy("manifests.ts")],
    ["version", []],
  ];
  for (const [verb, names] of verbs) {
    const result = await runMain([verb, "--help"]);
    assertEquals(result.code, 0, verb);
    for (const name of names) {
      assert(result.stdout.includes(name), `${verb} --help does not mention ${name}`);
    }
  }
  assert((await envReadBy("dev.ts")).includes("DEV_STATE_DIR"), "the scan finds what dev reads");
});

Deno.test("no text says native trustd accepts only TLS 1.3 (it accepts 1.2 and 1.3)", async () => {
  const texts: [string, string][] = SETTINGS.map((s) => [`settings.ts ${s.env}`, s.description]);
  for (const entry of Deno.readDirSync(`${REPO_ROOT}docs`)) {
    texts.push([entry.name, await Deno.readTextFile(`${REPO_ROOT}docs/${entry.name}`)]);
  }
  texts.push(["README.md", await Deno.readTextFile(`${REPO_ROOT}README.md`)]);
  texts.push(["serve --help", (await runMain(["serve", "--help"])).stdout]);
  for (const [name, text] of texts) {
    for (const sentence of text.split(/(?<=[.;|])\s/)) {
      const wrong = /native[^.;|]*only[^.;|]*1\.3|1\.3[^.;|]*(to )?match native/i.test(sentence);
      assert(!wrong, `${name}: ${sentence}`);
    }
  }
  const tls = SETTINGS.find((s) => s.env === "TLS_MIN_VERSION")!;
  assertMatch(tls.description, /[Nn]ative trustd accepts 1\.2 and 1\.3/);
});

Deno.test("request names the flag and path of a file it cannot read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "request-files-" });
  try {
    const missingCa = await runMain(["request", "--endpoint=127.0.0.1", `--ca=${dir}/nope.crt`]);
    assertEquals(missingCa.code, 2);
    assertMatch(
      missingCa.stderr,
      new RegExp(`^request: --ca ${dir}/nope\\.crt: file not found\\n`),
    );
    await Deno.writeTextFile(`${dir}/ca.crt`, "-----BEGIN CERTIFICATE-----\n");
    const missingToken = await runMain([
      "request",
      "--endpoint=127.0.0.1",
      `--ca=${dir}/ca.crt`,
      `--token-file=${dir}/nope`,
    ]);
    assertEquals(missingToken.code, 2);
    assertMatch(
      missingToken.stderr,
      new RegExp(`^request: --token-file ${dir}/nope: file not found\\n`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
