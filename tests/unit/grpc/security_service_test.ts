/**
 * The Certificate handler's admission order, in process with the real limits, token set and CA:
 * the cool-down refuses callers without a valid token, never a valid one, and holds whatever other
 * addresses do.
 */
import { Metadata, status } from "@grpc/grpc-js";
import { buildTokenSet } from "../../../src/auth/token_set.ts";
import { buildAuthority } from "../../../src/authority.ts";
import { parseSecretsBundle } from "../../../src/config/secrets_bundle.ts";
import { createCertificateHandler } from "../../../src/grpc/security_service.ts";
import { createLogger } from "../../../src/ops/log.ts";
import { type AbuseLimitOptions, AbuseLimits } from "../../../src/policy/abuse_limits.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { readTalosSecrets } from "../../support/fixtures.ts";
import { generateKeyPair, makeCsr } from "../../support/keys.ts";
import { attribute, generalNames, name, rawCsr } from "../../support/raw_csr.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());
const authority = await buildAuthority({
  caCertificatePem: bundle.caCertificatePem,
  caKeyPem: bundle.caKeyPem,
  tokens: await buildTokenSet([bundle.token]),
});
const CSR = new TextEncoder().encode((await makeCsr()).pem);
const REMOVED_TOKEN = "oldtok.0000000000000000";

function handlerWith(options: AbuseLimitOptions, maxTrackedAddresses?: number) {
  const lines: string[] = [];
  const limits = new AbuseLimits(options, maxTrackedAddresses);
  let now = 1_000_000;
  const handler = createCertificateHandler({
    authority: () => authority,
    logger: createLogger("json", (l) => lines.push(l)),
    clock: () => new Date(now),
    limits,
  });
  const call = (peer: string, token: string | undefined, csr = CSR) =>
    new Promise<string>((resolve) => {
      const metadata = new Metadata();
      if (token !== undefined) metadata.set("token", token);
      handler(
        { request: { csr }, metadata, getPeer: () => `${peer}:40000` } as never,
        (error) => resolve(error ? status[error.code!] : "OK"),
      );
    });
  return { call, lines, limits, advance: (ms: number) => (now += ms) };
}

Deno.test("Certificate handler answers RESOURCE_EXHAUSTED to a caller without a valid token while its address cools down", async () => {
  const { call, lines } = handlerWith({ authFailureLimit: 3, authFailureCooldownMs: 60_000 });
  const codes = [];
  for (let i = 0; i < 5; i++) codes.push(await call("10.9.9.9", REMOVED_TOKEN));
  codes.push(await call("10.9.9.9", undefined));
  assertEquals(codes, [
    "UNAUTHENTICATED",
    "UNAUTHENTICATED",
    "UNAUTHENTICATED",
    "RESOURCE_EXHAUSTED",
    "RESOURCE_EXHAUSTED",
    "RESOURCE_EXHAUSTED",
  ]);
  const last = JSON.parse(lines.at(-1)!);
  assertEquals([last.code, last.limit], ["RESOURCE_EXHAUSTED", "auth-failures"]);
});

Deno.test("Certificate handler never refuses a valid token because another caller at the same address keeps failing", async () => {
  const { call } = handlerWith({
    authFailureLimit: 3,
    authFailureCooldownMs: 60_000,
    ratePerSecond: 1,
    burst: 20,
  });
  const stale: string[] = [];
  const valid: string[] = [];
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < 10; j++) stale.push(await call("192.0.2.1", REMOVED_TOKEN));
    valid.push(await call("192.0.2.1", bundle.token));
  }
  assertEquals(valid, new Array(20).fill("OK"));
  assertEquals(new Set(stale), new Set(["UNAUTHENTICATED", "RESOURCE_EXHAUSTED"]));
});

Deno.test("Certificate handler keeps a cool-down through calls from 3,000 other addresses (eviction pressure)", async () => {
  const { call, limits, advance } = handlerWith({
    authFailureLimit: 2,
    authFailureCooldownMs: 60_000,
  }, 100);
  await call("10.9.9.9", REMOVED_TOKEN);
  await call("10.9.9.9", REMOVED_TOKEN);
  assertEquals(await call("10.9.9.9", REMOVED_TOKEN), "RESOURCE_EXHAUSTED");
  for (let i = 0; i < 3000; i++) {
    advance(10);
    const code = await call(`10.7.${i >> 8}.${i & 255}`, i % 3 ? REMOVED_TOKEN : undefined);
    assert(code === "UNAUTHENTICATED" || code === "RESOURCE_EXHAUSTED", code);
  }
  assert(limits.trackedAddresses <= 100 && limits.coolingAddresses <= 100);
  assertEquals(await call("10.9.9.9", REMOVED_TOKEN), "RESOURCE_EXHAUSTED", "30 s later");
  assertEquals(await call("10.9.9.9", bundle.token), "OK");
  advance(30_000);
  assertEquals(await call("10.9.9.9", REMOVED_TOKEN), "UNAUTHENTICATED", "after the cool-down");
});

Deno.test("Certificate handler answers INVALID_ARGUMENT naming the attribute, never INTERNAL, to an attribute with no value", async () => {
  const { call, lines } = handlerWith({});
  const keys = await generateKeyPair("Ed25519");
  for (
    const subject of [
      name([attribute("2.5.4.3", 0x0c, "worker-1")], [
        new Uint8Array([0x30, 0x05, 0x06, 0x03, 0x55, 0x04, 0x0b]),
      ]),
      name([new Uint8Array([0x30, 0x05, 0x06, 0x03, 0x55, 0x04, 0x03])]),
    ]
  ) {
    const csr = await rawCsr({ keys, type: "Ed25519", subject, sans: generalNames(["worker-1"]) });
    assertEquals(
      await call("10.1.1.1", bundle.token, new TextEncoder().encode(csr)),
      "INVALID_ARGUMENT",
    );
    const line = JSON.parse(lines.at(-1)!);
    assertEquals(line.level, "warn");
    assert(/^invalid CSR subject: attribute (OU|CN) has no value$/.test(line.error), line.error);
  }
});
