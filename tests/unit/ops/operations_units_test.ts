import { parseTokenFile } from "../../../src/auth/token_file.ts";
import { buildTokenSet } from "../../../src/auth/token_set.ts";
import { buildAuthority } from "../../../src/authority.ts";
import type { FileSource } from "../../../src/config/file_source.ts";
import { parseConfig } from "../../../src/config/parse_config.ts";
import { createHttpHandler } from "../../../src/ops/http_endpoints.ts";
import {
  buildMaterial,
  type LoadedMaterial,
  loadMaterial,
  snapshotMaterial,
} from "../../../src/ops/material.ts";
import { SignerMetrics } from "../../../src/ops/metrics.ts";
import { registerProcessMetrics } from "../../../src/ops/process_metrics.ts";
import { checkReadiness } from "../../../src/ops/readiness.ts";
import { SignerState } from "../../../src/ops/signer_state.ts";
import { buildStartupSummary } from "../../../src/cli/startup_summary.ts";
import { assert, assertEquals, assertMatch } from "../../support/assert.ts";
import { makeCa } from "../../support/keys.ts";

Deno.test("parseTokenFile() reads one token per line, ignoring blank lines and # comments", () => {
  assertEquals(
    parseTokenFile(
      "# new token first\n bbbbbb.2222222222222222 \r\n\naaaaaa.1111111111111111\n#old\n",
    ),
    [
      "bbbbbb.2222222222222222",
      "aaaaaa.1111111111111111",
    ],
  );
  assertEquals(parseTokenFile("\n# only comments\n"), []);
});

/** An in-memory file system: the logic under test reads through it, nothing is mocked. */
function memoryFiles(files: Map<string, string>): FileSource & { reads: number } {
  const source = {
    reads: 0,
    readText(path: string) {
      source.reads++;
      const text = files.get(path);
      return text === undefined
        ? Promise.reject(new Deno.errors.NotFound(path))
        : Promise.resolve(text);
    },
    permissions: () => Promise.resolve({ mode: 0o100600, kubernetesSecretMount: false }),
  };
  return source;
}

Deno.test("snapshotMaterial() sees unchanged input as unchanged, and buildMaterial() keeps a self-issued serving certificate while the CA stays", async () => {
  const ca = await makeCa();
  const files = new Map([["/ca.crt", ca.certificatePem], ["/ca.key", ca.keyPem], [
    "/token",
    "aaaaaa.1111111111111111\n",
  ]]);
  const config = parseConfig(["--ca-cert=/ca.crt", "--ca-key=/ca.key", "--token-file=/token"], {});
  const source = memoryFiles(files);
  const first = await loadMaterial(config, source, new Date());
  assertEquals((await snapshotMaterial(config, source)).digest, first.digest);
  const rebuild = async (previous: LoadedMaterial) =>
    await buildMaterial(config, await snapshotMaterial(config, source), new Date(), previous);
  files.set("/token", "aaaaaa.1111111111111111\nbbbbbb.2222222222222222\n");
  const second = await rebuild(first);
  assertEquals(second.authority.tokens.digests.length, 2);
  assert(second.serving === first.serving, "same CA: the serving certificate is kept");
  const other = await makeCa();
  files.set("/ca.crt", other.certificatePem);
  files.set("/ca.key", other.keyPem);
  const third = await rebuild(second);
  assert(third.serving !== second.serving, "new CA: a new serving certificate");
});

async function material(notAfter?: Date): Promise<LoadedMaterial> {
  const ca = await makeCa({ notAfter });
  const authority = await buildAuthority({
    caCertificatePem: ca.certificatePem,
    caKeyPem: ca.keyPem,
    tokens: await buildTokenSet(["t"]),
  });
  const serving = {
    mode: "self-issued" as const,
    certificatePem: "",
    keyPem: "",
    names: { dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] },
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 3600_000),
  };
  return { authority, serving, digest: "" };
}

Deno.test("checkReadiness() is not ready while shutting down, or once the CA or serving certificate expired", async () => {
  const m = await material();
  const now = new Date();
  assertEquals(
    checkReadiness({
      authority: m.authority,
      servingNotAfter: m.serving.notAfter,
      shuttingDown: false,
    }, now),
    { ready: true, reason: "ready" },
  );
  assertEquals(
    checkReadiness({
      authority: m.authority,
      servingNotAfter: m.serving.notAfter,
      shuttingDown: true,
    }, now).reason,
    "shutting down",
  );
  assertMatch(
    checkReadiness(
      { authority: m.authority, servingNotAfter: new Date(0), shuttingDown: false },
      now,
    ).reason,
    /^serving certificate expired/,
  );
  assertMatch(
    checkReadiness({
      authority: m.authority,
      servingNotAfter: m.serving.notAfter,
      shuttingDown: false,
    }, new Date(now.getTime() + 20 * 365 * 86_400_000)).reason,
    /^issuing CA expired/,
  );
});

Deno.test("createHttpHandler() answers /healthz, /readyz with the reason and refused reloads, /metrics, 404 and 405", async () => {
  const state = new SignerState(await material());
  const metrics = new SignerMetrics({
    caNotAfter: () => new Date(),
    serving: () => ({ notBefore: new Date(), notAfter: new Date(), selfIssued: true }),
    ready: () => true,
    inFlight: () => 0,
  }, { version: "t", deno: "d", v8: "v" });
  const handler = createHttpHandler(state, metrics);
  const get = async (path: string, method = "GET") => {
    const response = await handler(new Request(`http://x${path}`, { method }));
    return [response.status, await response.text()] as const;
  };
  assertEquals(await get("/healthz"), [200, "ok\n"]);
  assertEquals(await get("/readyz"), [200, "ready\n"]);
  state.reloadRefused("CA_KEY_PATH: /k: it does not match");
  assertEquals(await get("/readyz"), [
    200,
    "ready\nlast reload refused: CA_KEY_PATH: /k: it does not match\n",
  ]);
  state.beginShutdown();
  assertEquals(await get("/readyz"), [
    503,
    "shutting down\nlast reload refused: CA_KEY_PATH: /k: it does not match\n",
  ]);
  assertMatch(
    (await get("/metrics"))[1],
    /talos_csr_signer_build_info\{version="t",deno="d",v8="v"\} 1/,
  );
  assertEquals((await get("/nope"))[0], 404);
  assertEquals((await get("/readyz", "POST"))[0], 405);
});

Deno.test("SignerState tells subscribers about replacements and shutdown", async () => {
  const state = new SignerState(await material());
  let calls = 0;
  const unsubscribe = state.subscribe(() => calls++);
  state.replace(await material());
  state.beginShutdown();
  unsubscribe();
  state.notify();
  assertEquals(calls, 2);
});

Deno.test("buildStartupSummary() warns when the CA expires within 30 days and when SERVER_SANS is empty on 0.0.0.0", async () => {
  const config = parseConfig(["--token=t"], {});
  const soon = await material(new Date(Date.now() + 5 * 86_400_000));
  const messages = buildStartupSummary(config, soon, 50001, 9090, new Date()).map((l) => l.message);
  assertEquals(messages.at(-1), "listening");
  assert(messages.some((m) => m.startsWith("the issuing CA expires within 30 days")));
  assert(messages.some((m) => m.startsWith("SERVER_SANS is empty")));
  const later = await material();
  const bound = parseConfig(["--token=t", "--listen-address=10.0.0.5"], {});
  assert(
    buildStartupSummary(bound, later, 50001, undefined, new Date()).some((l) =>
      l.message.startsWith("the serving certificate does not name the listen address")
    ),
  );
});

Deno.test("docs/operations.md lists every metric the signer exposes", async () => {
  const metrics = new SignerMetrics({
    caNotAfter: () => new Date(),
    serving: () => ({ notBefore: new Date(), notAfter: new Date(), selfIssued: true }),
    ready: () => true,
    inFlight: () => 0,
  }, { version: "t", deno: "d", v8: "v" });
  const processMetrics = registerProcessMetrics(metrics.registry);
  const names = [...(await metrics.render()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
  processMetrics.stop();
  const page = await Deno.readTextFile(new URL("../../../docs/operations.md", import.meta.url));
  assert(names.length >= 30, names.join(","));
  for (const name of names) assert(page.includes(`\`${name}\``), `${name} is not documented`);
});
