/**
 * Every verb the guides use works under exactly the permissions (and V8 limits) the compiled
 * executable gets from scripts/compile.ts, and the `deno task` verbs run with the same list.
 */
import { BINARY_PERMISSIONS, BINARY_V8_FLAGS } from "../../scripts/compile.ts";
import denoJson from "../../deno.json" with { type: "json" };
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { runMain, startServer } from "../support/server_process.ts";

const BINARY = [...BINARY_PERMISSIONS, BINARY_V8_FLAGS];
const MAIN = `${REPO_ROOT}main.ts`;

function binary(args: string[], env: Record<string, string> = {}) {
  return runMain(args, env, BINARY);
}

Deno.test("binary permissions: version, help and each verb's --help", async () => {
  for (const args of [["version"], ["help"], ["serve", "--help"], ["dev", "--help"]]) {
    const result = await binary(args);
    assertEquals(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  }
});

Deno.test("binary permissions: manifests --mode files --out DIR writes the systemd credentials (docs/systemd.md)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "binary-files-" });
  try {
    const out = `${dir}/etc/talos-csr-signer`;
    const result = await binary([
      "manifests",
      "--secrets",
      TALOS_SECRETS_PATH,
      "--mode",
      "files",
      "--out",
      out,
    ]);
    assertEquals(result.code, 0, result.stderr);
    for (const name of ["ca.crt", "ca.key", "token"]) {
      assertEquals((await Deno.stat(`${out}/${name}`)).mode! & 0o777, 0o600);
    }
    // …and serve, as the systemd unit starts it, with those files.
    const server = await startServer(
      [],
      {
        CA_CERT_PATH: `${out}/ca.crt`,
        CA_KEY_PATH: `${out}/ca.key`,
        TALOS_TOKEN_FILE: `${out}/token`,
      },
      "serve",
      [...BINARY, MAIN, "serve"],
    );
    try {
      const check = await binary([
        "request",
        `--endpoint=127.0.0.1:${server.port}`,
        `--ca=${out}/ca.crt`,
        `--token-file=${out}/token`,
      ]);
      assertEquals(check.code, 0, check.stdout + check.stderr);
    } finally {
      assertEquals((await server.stop()).code, 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("binary permissions: manifests prints YAML (README)", async () => {
  const result = await binary([
    "manifests",
    "--secrets",
    TALOS_SECRETS_PATH,
    "--endpoint",
    "10.0.0.10",
    "--mode",
    "daemonset",
  ]);
  assertEquals(result.code, 0, result.stderr);
  assertMatch(result.stdout, /kind: DaemonSet/);
});

Deno.test("binary permissions: dev with DEV_STATE_DIR outside the working directory, and request --out DIR", async () => {
  const dir = await Deno.makeTempDir({ prefix: "binary-dev-" });
  try {
    const state = `${dir}/nested/state`;
    const server = await startServer(["--log-format=json"], { DEV_STATE_DIR: state }, "dev", [
      ...BINARY,
      MAIN,
      "dev",
    ]);
    try {
      const check = await binary([
        "request",
        `--endpoint=127.0.0.1:${server.port}`,
        `--ca=${state}/ca.crt`,
        `--token-file=${state}/token`,
        `--out=${dir}/request`,
      ]);
      assertEquals(check.code, 0, check.stdout + check.stderr);
      await Deno.stat(`${dir}/request/worker.crt`);
    } finally {
      const stopped = await server.stop();
      assertEquals(stopped.code, 0, stopped.logs.join("\n"));
      assert(!stopped.logs.join("\n").includes("NotCapable"));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task dev honours DEV_STATE_DIR outside the repository", async () => {
  const dir = await Deno.makeTempDir({ prefix: "task-dev-" });
  try {
    const server = await startServer(["--log-format=json"], { DEV_STATE_DIR: dir }, "dev", [
      "task",
      "dev",
    ]);
    const stopped = await server.stop();
    assert(!stopped.logs.join("\n").includes("NotCapable"), stopped.logs.join("\n"));
    await Deno.stat(`${dir}/ca.key`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the start, dev and request tasks grant what the executable grants", () => {
  for (const task of ["start", "dev", "request"] as const) {
    const flags = denoJson.tasks[task].split(/\s+/).filter((w) =>
      w.startsWith("--allow") || w === "--no-prompt"
    );
    assertEquals(flags, [...BINARY_PERMISSIONS], task);
  }
  assert(denoJson.tasks.start.includes(BINARY_V8_FLAGS), "start runs with the binary's V8 limits");
});
