/**
 * A stopping signer tells load balancers before it goes: health watchers see NOT_SERVING as soon
 * as SIGTERM arrives, while calls in flight still drain.
 */
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { assertEquals } from "../support/assert.ts";
import { readTalosSecrets, REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { startServer } from "../support/server_process.ts";
import { makeCsr } from "../support/keys.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());

Deno.test("SIGTERM turns a health Watch to NOT_SERVING before the stream ends, and the server exits 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "shutdown-" });
  await Deno.writeTextFile(`${dir}/ca.pem`, bundle.caCertificatePem);
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  const watcher = new Deno.Command("node", {
    args: [
      `${REPO_ROOT}tests/interop/node/health_watch_client.mjs`,
      String(server.port),
      `${dir}/ca.pem`,
    ],
    env: { NODE_NO_WARNINGS: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = watcher.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const seen: unknown[] = [];
  let buffer = "";
  const next = async () => {
    while (!buffer.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) return undefined;
      buffer += value;
    }
    const line = buffer.slice(0, buffer.indexOf("\n"));
    buffer = buffer.slice(line.length + 1);
    return JSON.parse(line);
  };
  try {
    seen.push(await next());
    assertEquals(seen, [{ status: "SERVING" }]);
    const stopped = server.stop();
    for (let message = await next(); message !== undefined; message = await next()) {
      seen.push(message);
    }
    assertEquals((await stopped).code, 0);
    assertEquals(seen.slice(0, 2), [{ status: "SERVING" }, { status: "NOT_SERVING" }]);
  } finally {
    await server.stop();
    await lines.cancel().catch(() => {});
    await watcher.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM waits for a call that is open but not yet answered, and answers it OK", async () => {
  const dir = await Deno.makeTempDir({ prefix: "shutdown-" });
  await Deno.writeTextFile(`${dir}/ca.pem`, bundle.caCertificatePem);
  await Deno.writeTextFile(`${dir}/csr.pem`, (await makeCsr()).pem);
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  const held = new Deno.Command("/usr/bin/python3", {
    args: [
      `${REPO_ROOT}tests/interop/python/held_call.py`,
      String(server.port),
      `${dir}/ca.pem`,
      bundle.token,
      `${dir}/csr.pem`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const output = held.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  const readLine = async () => {
    while (!printed.includes("\n")) {
      const { value, done } = await output.read();
      if (done) break;
      printed += value;
    }
    const line = printed.slice(0, printed.indexOf("\n"));
    printed = printed.slice(line.length + 1);
    return line;
  };
  const writer = held.stdin.getWriter();
  try {
    assertEquals(await readLine(), "open");
    // The call's stream is open on the server before the stop signal.
    for (let open = 0; open < 1;) {
      const page = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
      open = Number(/^talos_csr_signer_in_flight_requests (\d+)/m.exec(page)?.[1] ?? 0);
      if (open < 1) await new Promise((r) => setTimeout(r, 50));
    }
    const stopped = server.stop();
    while (!server.logs.some((l) => l.includes('"msg":"shutting down"'))) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await writer.write(new TextEncoder().encode("go\n"));
    assertEquals(JSON.parse(await readLine()), { grpc_status: "0" });
    assertEquals((await stopped).code, 0);
  } finally {
    await writer.close().catch(() => {});
    await server.stop();
    await output.cancel().catch(() => {});
    await held.status;
    await Deno.remove(dir, { recursive: true });
  }
});
