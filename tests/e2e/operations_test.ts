/**
 * Running it like a production CA: live rotation under load, two tokens at once, health and
 * readiness, Prometheus metrics, and SIGTERM during a burst.
 */
import { x509 } from "../../src/pki/_x509.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { goBatch } from "../support/go_worker.ts";
import { callBatch, callCertificate, type CallResult } from "../support/grpc_client.ts";
import { type MadeCa, makeCa, makeCsr } from "../support/keys.ts";
import { openssl, opensslServingCertificate } from "../support/openssl.ts";
import { REPO_ROOT } from "../support/fixtures.ts";
import { type ServerProcess, startServer } from "../support/server_process.ts";
import { writeSecretVolume } from "../support/secret_volume.ts";
import { writeCaFiles } from "../support/ca_files.ts";

const T1 = "aaaaaa.1111111111111111";
const T2 = "bbbbbb.2222222222222222";

/** Calls until `done(result)` holds; returns the milliseconds it took. */
async function pollUntil(
  call: () => Promise<CallResult>,
  done: (r: CallResult) => boolean | Promise<boolean>,
  limitMs = 10_000,
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await done(await call())) return Math.round(performance.now() - started);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not reached within ${limitMs} ms`);
}

async function issuedBy(result: CallResult, ca: MadeCa): Promise<boolean> {
  if (!result.ok) return false;
  const leaf = new x509.X509Certificate(result.crt);
  return await leaf.verify({
    publicKey: new x509.X509Certificate(ca.certificatePem).publicKey,
    signatureOnly: true,
  });
}

async function servingIssuedBy(port: number, ca: MadeCa): Promise<boolean> {
  const result = await openssl([
    "s_client",
    "-connect",
    `127.0.0.1:${port}`,
    "-CAfile",
    "{ca}",
    "-verify_return_error",
  ], { ca: ca.certificatePem });
  return result.code === 0;
}

Deno.test("rotating tokens, CA, accepted CAs and a corrupt replacement under a client loop: zero failed calls", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rotate-" });
  const [ca1, ca2, ca3] = await Promise.all([makeCa(), makeCa(), makeCa()]);
  await writeSecretVolume(`${dir}/ca`, { "tls.crt": ca1!.certificatePem, "tls.key": ca1!.keyPem });
  await Deno.writeTextFile(`${dir}/token`, `${T1}\n`, { mode: 0o600 });
  await Deno.writeTextFile(`${dir}/accepted.pem`, "");
  const server = await startServer([
    `--ca-cert=${dir}/ca/tls.crt`,
    `--ca-key=${dir}/ca/tls.key`,
    `--token-file=${dir}/token`,
    `--accepted-cas=${dir}/accepted.pem`,
    "--reload-interval=1s",
  ]);
  const trust = ca1!.certificatePem + ca2!.certificatePem;
  const csr = (await makeCsr()).pem;
  const single = (token: string) =>
    callCertificate({ port: server.port, caPem: trust, token, csr });
  const loopResults: CallResult[] = [];
  let looping = true;
  const loop = (async () => {
    while (looping) {
      loopResults.push(
        ...await callBatch(server.port, trust, new Array(8).fill({ token: T1, csr }), {
          concurrency: 4,
        }),
      );
    }
  })();
  const latencies: Record<string, number> = {};
  try {
    await Deno.writeTextFile(`${dir}/token`, `# rolling to T2\n${T1}\n\n${T2}\n`);
    latencies.token_added = await pollUntil(() => single(T2), (r) => r.ok);

    await Deno.writeTextFile(`${dir}/accepted.pem`, ca1!.certificatePem);
    await writeSecretVolume(`${dir}/ca`, {
      "tls.crt": ca2!.certificatePem,
      "tls.key": ca2!.keyPem,
    });
    latencies.ca_rotated = await pollUntil(
      () => single(T2),
      async (r) =>
        r.ok && r.ca === ca1!.certificatePem + ca2!.certificatePem && await issuedBy(r, ca2!),
    );
    assert(
      await servingIssuedBy(server.port, ca2!),
      "the self-issued serving certificate follows the new CA",
    );

    // A half-rotated set (CA3's certificate with CA2's key) is refused; CA2 keeps signing.
    await writeSecretVolume(`${dir}/ca`, {
      "tls.crt": ca3!.certificatePem,
      "tls.key": ca2!.keyPem,
    });
    await pollUntil(
      () =>
        Promise.resolve(
          { ok: server.logs.some((l) => l.includes("reload refused")) } as CallResult,
        ),
      (r) => r.ok,
    );
    assert(
      await issuedBy(await single(T1), ca2!),
      "the old set keeps serving after a refused reload",
    );
    const refused = JSON.parse(server.logs.find((l) => l.includes("reload refused"))!);
    assertMatch(
      refused.problems.join(" "),
      new RegExp(`CA_KEY_PATH: ${dir}/ca/tls.key: Cannot load CA key: it does not match`),
    );
  } finally {
    looping = false;
    await loop;
  }
  try {
    assert(loopResults.length >= 16, `the loop made ${loopResults.length} calls`);
    assertEquals(loopResults.filter((r) => !r.ok), [], "no call of the loop failed");

    // The whole set reloads together: repair the CA volume, then drop T1.
    await writeSecretVolume(`${dir}/ca`, {
      "tls.crt": ca2!.certificatePem,
      "tls.key": ca2!.keyPem,
    });
    await Deno.writeTextFile(`${dir}/token`, `${T2}\n`);
    latencies.token_removed = await pollUntil(() => single(T1), (r) => !r.ok);
    assert((await single(T2)).ok);
    // deno-lint-ignore no-console -- the measured reload latency is reported in the test output
    console.log(
      `reload latency (ms): ${JSON.stringify(latencies)}, loop calls: ${loopResults.length}`,
    );
    for (const ms of Object.values(latencies)) {
      // Each figure includes starting a client process, which takes seconds on a loaded machine.
      assert(ms < 20_000, `reloads take effect promptly: ${ms} ms`);
    }
  } finally {
    const { code, logs } = await server.stop();
    assertEquals(code, 0);
    const slots = logs.map((l) => JSON.parse(l)).filter((r) =>
      r.msg === "certificate request" && r.code === "OK"
    ).map((r) => r.token_slot);
    assert(slots.includes(0) && slots.includes(1), "logs name the token slot that matched");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a replaced serving certificate (TLS_CERT_PATH) is used for new handshakes without failed calls", async () => {
  const dir = await Deno.makeTempDir({ prefix: "serving-" });
  const ca = await makeCa();
  const serving = async (cn: string) => {
    const made = await opensslServingCertificate(ca.certificatePem, ca.keyPem, cn);
    return { "tls.crt": made.certificatePem, "tls.key": made.keyPem };
  };
  const caFlags = await writeCaFiles(dir, ca, `${T1}\n`);
  await writeSecretVolume(`${dir}/tls`, await serving("serving-one"));
  const server = await startServer([
    ...caFlags,
    `--tls-cert=${dir}/tls/tls.crt`,
    `--tls-key=${dir}/tls/tls.key`,
    "--reload-interval=1s",
  ]);
  const subject = async () =>
    (await openssl(["s_client", "-connect", `127.0.0.1:${server.port}`, "-CAfile", "{ca}"], {
      ca: ca.certificatePem,
    })).stdout.match(/subject=CN ?= ?(\S+)/)?.[1];
  try {
    assertEquals(await subject(), "serving-one");
    const csr = (await makeCsr()).pem;
    const during = callBatch(
      server.port,
      ca.certificatePem,
      new Array(40).fill({ token: T1, csr }),
      { concurrency: 4 },
    );
    await writeSecretVolume(`${dir}/tls`, await serving("serving-two"));
    assertEquals((await during).filter((r) => !r.ok), []);
    await pollUntil(
      async () => ({ ok: (await subject()) === "serving-two" } as CallResult),
      (r) => r.ok,
    );
  } finally {
    assertEquals((await server.stop()).code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});

async function health(
  server: ServerProcess,
  caPem: string,
  service = "",
  verify = true,
): Promise<{ status?: string; code?: number }> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ca.crt`, caPem);
    const output = await new Deno.Command("node", {
      args: [
        `${REPO_ROOT}tests/interop/node/health_client.mjs`,
        String(server.port),
        `${dir}/ca.crt`,
        service,
        verify ? "" : "--no-verify",
      ],
      env: { NODE_NO_WARNINGS: "1" },
    }).output();
    return JSON.parse(new TextDecoder().decode(output.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function get(server: ServerProcess, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${server.httpPort}${path}`);
  return { status: response.status, body: await response.text() };
}

function metric(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

Deno.test("health, readiness and metrics follow the material: SERVING with a valid CA, refused reloads reported", async () => {
  const dir = await Deno.makeTempDir({ prefix: "health-" });
  // Ten days: inside the 30-day warning, and far from expiring while the test runs, however slow
  // the machine (expiry has its own test below).
  const expiresInMs = 10 * 86_400_000;
  const ca = await makeCa({
    notAfter: new Date(Math.ceil((Date.now() + expiresInMs) / 1000) * 1000),
  });
  const server = await startServer([
    ...(await writeCaFiles(
      dir,
      ca,
      `${T1}
`,
    )),
    "--reload-interval=1s",
  ]);
  try {
    assert(
      server.logs.some((l) => l.includes("the issuing CA expires within 30 days")),
      "start-up warns about the CA expiry",
    );
    assertEquals(await health(server, ca.certificatePem), { status: "SERVING" });
    assertEquals(await health(server, ca.certificatePem, "securityapi.SecurityService"), {
      status: "SERVING",
    });
    assertEquals((await health(server, ca.certificatePem, "nope")).code, 5); // NOT_FOUND
    assertEquals(await get(server, "/healthz"), { status: 200, body: "ok\n" });
    assertEquals(await get(server, "/readyz"), { status: 200, body: "ready\n" });

    const csr = (await makeCsr()).pem;
    const results = await callBatch(server.port, ca.certificatePem, [
      { token: T1, csr },
      { token: T1, csr },
      { token: "wrong", csr },
      { csr },
    ]);
    assertEquals(results.map((r) => r.ok), [true, true, false, false]);

    const page = await get(server, "/metrics");
    const check = await new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = check.stdin.getWriter();
    await writer.write(new TextEncoder().encode(page.body));
    await writer.close();
    const verdict = await check.output();
    assertEquals(
      verdict.code,
      0,
      new TextDecoder().decode(verdict.stdout) + new TextDecoder().decode(verdict.stderr),
    );
    const method = "/securityapi.SecurityService/Certificate";
    assertEquals(metric(page.body, "talos_csr_signer_requests_total", { method, code: "OK" }), 2);
    assertEquals(
      metric(page.body, "talos_csr_signer_requests_total", { method, code: "UNAUTHENTICATED" }),
      2,
    );
    assertEquals(metric(page.body, "talos_csr_signer_certificates_issued_total"), 2);
    assertEquals(
      metric(page.body, "talos_csr_signer_auth_failures_total", { reason: "invalid" }),
      1,
    );
    assertEquals(
      metric(page.body, "talos_csr_signer_auth_failures_total", { reason: "missing" }),
      1,
    );
    assertEquals(
      metric(page.body, "talos_csr_signer_authenticated_requests_total", { slot: "0" }),
      2,
    );
    assertEquals(
      metric(
        page.body,
        "talos_csr_signer_request_duration_seconds_count",
        { method },
      ),
      4,
    );
    const caExpiry = metric(page.body, "talos_csr_signer_ca_expiry_seconds")!;
    assert(caExpiry > 0 && caExpiry <= expiresInMs / 1000 + 1, `ca expiry ${caExpiry}`);
    assert(
      metric(page.body, "talos_csr_signer_last_reload_success_timestamp_seconds")! >
        Date.now() / 1000 - 60,
    );
    assertMatch(
      page.body,
      /talos_csr_signer_build_info\{version="[^"]+",deno="[^"]+",v8="[^"]+"\} 1/,
    );
    assert(!page.body.includes(T1), "no token in metrics");

    // An emptied token file is refused: still ready, and /readyz and the metrics say so.
    await Deno.writeTextFile(`${dir}/token`, "# nothing here\n");
    await pollUntil(
      async () => ({
        ok: (await get(server, "/readyz")).body.includes("last reload refused"),
      } as CallResult),
      (r) => r.ok,
    );
    const readyz = await get(server, "/readyz");
    assertEquals(readyz.status, 200);
    assertMatch(readyz.body, /TALOS_TOKEN_FILE: .*token: holds no token/);
    assert(
      metric((await get(server, "/metrics")).body, "talos_csr_signer_reload_failures_total")! >= 1,
    );
  } finally {
    assertEquals((await server.stop()).code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SERVING and ready until the CA expires, then NOT_SERVING and 503, however slow the machine", async () => {
  // Each probe is judged by when it ran: one that ended before the CA's notAfter must see it
  // valid, one that started after must see it expired. A machine too slow to probe before the
  // CA expires gets a longer-lived CA on the next attempt instead of a failure.
  for (const lifetimeMs of [8_000, 30_000, 120_000]) {
    const dir = await Deno.makeTempDir({ prefix: "expiry-" });
    const notAfter = Math.ceil((Date.now() + lifetimeMs) / 1000) * 1000;
    const ca = await makeCa({ notAfter: new Date(notAfter) });
    const server = await startServer([...(await writeCaFiles(dir, ca, `${T1}\n`))]);
    try {
      const serving = await health(server, ca.certificatePem, "", false);
      const ready = await get(server, "/readyz");
      if (Date.now() >= notAfter) continue;
      assertEquals(serving, { status: "SERVING" });
      assertEquals(ready, { status: 200, body: "ready\n" });

      while (Date.now() < notAfter) {
        await new Promise((r) => setTimeout(r, Math.max(10, notAfter - Date.now())));
      }
      const readyz = await get(server, "/readyz");
      assertEquals(readyz.status, 503);
      assertMatch(readyz.body, /^issuing CA expired at /);
      // The serving certificate expired with the CA, so only a probe that skips verification
      // connects.
      assertEquals(await health(server, ca.certificatePem, "", false), { status: "NOT_SERVING" });
      assertEquals((await get(server, "/healthz")).status, 200);
      return;
    } finally {
      assertEquals((await server.stop()).code, 0);
      await Deno.remove(dir, { recursive: true });
    }
  }
  throw new Error("even a CA valid for 120 s expired before the first probe answered");
});

Deno.test("SIGTERM during a burst: every call the server accepted completes, and it exits 0", async () => {
  const ca = await makeCa();
  const dir = await Deno.makeTempDir({ prefix: "sigterm-" });
  const server = await startServer([
    ...(await writeCaFiles(
      dir,
      ca,
      `${T1}
`,
    )),
    "--rate-limit-per-peer=0",
  ]);
  try {
    const csr = new TextEncoder().encode((await makeCsr()).pem);
    const burst = goBatch(
      server.port,
      ca.certificatePem,
      new Array(600).fill({ token: T1, csr }),
      32,
    );
    while (server.logs.filter((l) => l.includes('"certificate request"')).length < 50) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const stopped = server.stop("SIGTERM");
    const results = await burst;
    const { code, logs } = await stopped;
    assertEquals(code, 0);
    const records = logs.map((l) => JSON.parse(l));
    const handled = records.filter((r) => r.msg === "certificate request");
    assert(handled.every((r) => r.code === "OK"), "every accepted call was answered OK");
    assertEquals(
      results.filter((r) => r.code === "OK").length,
      handled.length,
      "the client got every answer the server gave",
    );
    assert(
      results.some((r) => r.code !== "OK"),
      "calls after the stop were refused (not accepted)",
    );
    assertEquals(records.find((r) => r.msg === "stopped").abandoned_calls, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGHUP forces a reload, logged with its cause; a changed token then applies", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sighup-" });
  const ca = await makeCa();
  const server = await startServer([
    ...(await writeCaFiles(dir, ca, `${T1}\n`)),
    "--reload-interval=0s",
  ]);
  try {
    Deno.kill(server.pid, "SIGHUP");
    await pollUntil(
      () =>
        Promise.resolve(
          { ok: server.logs.some((l) => l.includes('"reload: nothing changed"')) } as CallResult,
        ),
      (r) => r.ok,
    );
    const reload = JSON.parse(server.logs.find((l) => l.includes('"reload: nothing changed"'))!);
    assertEquals(reload.cause, "SIGHUP");
    await Deno.writeTextFile(`${dir}/token`, `${T2}\n`);
    Deno.kill(server.pid, "SIGHUP");
    const csr = (await makeCsr()).pem;
    await pollUntil(
      () => callCertificate({ port: server.port, caPem: ca.certificatePem, token: T2, csr }),
      (r) => r.ok,
    );
  } finally {
    assertEquals((await server.stop()).code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});
