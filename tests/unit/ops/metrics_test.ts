import { status } from "@grpc/grpc-js";
import { AUTH_FAILURE_REASONS, AuthError } from "../../../src/auth/token_set.ts";
import { ANSWERED_CALLS } from "../../../src/grpc/server.ts";
import { ANSWERED_CODES, statusFromError } from "../../../src/grpc/status.ts";
import { LIMIT_REFUSAL_REASONS } from "../../../src/grpc/transport_limits.ts";
import { CsrError } from "../../../src/pki/csr.ts";
import { type SignerFacts, SignerMetrics } from "../../../src/ops/metrics.ts";
import { PROCESS_METRIC_NAMES, registerProcessMetrics } from "../../../src/ops/process_metrics.ts";
import { LIMIT_REASONS, RateLimitedError } from "../../../src/policy/abuse_limits.ts";
import { POLICY_RULES, PolicyDeniedError } from "../../../src/policy/issuance_policy.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { promtoolCheck } from "./prometheus/_promtool.ts";

const NOW = new Date("2026-01-01T00:00:00Z");
const BUILD = { version: "t", deno: "d", v8: "v" };

function facts(overrides: Partial<SignerFacts> = {}): SignerFacts {
  return {
    caNotAfter: () => new Date(NOW.getTime() + 86_400_000),
    serving: () => ({
      notBefore: new Date(NOW.getTime() - 3_600_000),
      notAfter: new Date(NOW.getTime() + 7_200_000),
      selfIssued: true,
    }),
    ready: () => true,
    inFlight: () => 3,
    ...overrides,
  };
}

/** Parses exposition text into `name{labels}` → value. */
async function samples(metrics: SignerMetrics): Promise<Map<string, number>> {
  const page = await metrics.render();
  return new Map(
    page.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => {
      const at = l.lastIndexOf(" ");
      return [l.slice(0, at), Number(l.slice(at + 1))];
    }),
  );
}

Deno.test("SignerMetrics starts every answered code, auth-failure reason, policy rule and limit at 0", async () => {
  const metrics = new SignerMetrics(facts(), BUILD, {
    clock: () => NOW,
    knownCalls: ANSWERED_CALLS,
  });
  const page = await samples(metrics);
  const series = [
    ...ANSWERED_CALLS.map((c) =>
      `talos_csr_signer_requests_total{method="${c.method}",code="${c.code}"}`
    ),
    ...AUTH_FAILURE_REASONS.map((r) => `talos_csr_signer_auth_failures_total{reason="${r}"}`),
    ...POLICY_RULES.map((r) => `talos_csr_signer_policy_rejections_total{rule="${r}"}`),
    ...LIMIT_REASONS.map((r) => `talos_csr_signer_rate_limited_total{reason="${r}"}`),
    ...LIMIT_REFUSAL_REASONS.map((r) => `talos_csr_signer_transport_refusals_total{reason="${r}"}`),
    `talos_csr_signer_request_duration_seconds_count{method="/securityapi.SecurityService/Certificate"}`,
  ];
  for (const name of series) assertEquals(page.get(name), 0, name);
  // The lists are the ones the service answers with, not a copy: spot-check values from each.
  for (
    const name of [
      `talos_csr_signer_requests_total{method="/securityapi.SecurityService/Certificate",code="INTERNAL"}`,
      `talos_csr_signer_requests_total{method="/securityapi.SecurityService/Certificate",code="PERMISSION_DENIED"}`,
      `talos_csr_signer_requests_total{method="(unknown)",code="UNIMPLEMENTED"}`,
      `talos_csr_signer_policy_rejections_total{rule="peer-binding"}`,
      `talos_csr_signer_rate_limited_total{reason="in-flight"}`,
      `talos_csr_signer_transport_refusals_total{reason="max-connections-per-address"}`,
    ]
  ) assert(series.includes(name), name);
});

Deno.test("ANSWERED_CODES lists every code statusFromError() answers, so each starts at 0", () => {
  const errors = [
    ...AUTH_FAILURE_REASONS.map((r) => new AuthError(r)),
    new CsrError("parse", "bad"),
    ...POLICY_RULES.map((r) => new PolicyDeniedError(r, "x", "no")),
    ...LIMIT_REASONS.map((r) => new RateLimitedError(r, 1000, "busy")),
    new Error("bug"),
  ];
  const answered = new Set(errors.map((e) => status[statusFromError(e).code]));
  assertEquals([...answered].filter((code) => !ANSWERED_CODES.includes(code)), []);
  assertEquals(ANSWERED_CODES.filter((c) => c !== "OK" && !answered.has(c)), []);
});

Deno.test("SignerMetrics counts a call once under its code, reason and rule, leaving the rest at 0", async () => {
  const metrics = new SignerMetrics(facts(), BUILD, {
    clock: () => NOW,
    knownCalls: ANSWERED_CALLS,
  });
  const method = "/securityapi.SecurityService/Certificate";
  metrics.observe({ method, code: "PERMISSION_DENIED", seconds: 0.01, policyRule: "wildcard" });
  const page = await samples(metrics);
  assertEquals(
    page.get(`talos_csr_signer_requests_total{method="${method}",code="PERMISSION_DENIED"}`),
    1,
  );
  assertEquals(page.get(`talos_csr_signer_requests_total{method="${method}",code="OK"}`), 0);
  assertEquals(page.get(`talos_csr_signer_policy_rejections_total{rule="wildcard"}`), 1);
  assertEquals(page.get(`talos_csr_signer_policy_rejections_total{rule="max-sans"}`), 0);
  assertEquals(page.get("talos_csr_signer_certificates_issued_total"), 0);
});

Deno.test("SignerMetrics reports readiness, calls in flight and the serving certificate's lifetime and origin", async () => {
  let ready = true;
  const metrics = new SignerMetrics(facts({ ready: () => ready }), BUILD, { clock: () => NOW });
  let page = await samples(metrics);
  assertEquals(page.get("talos_csr_signer_ready"), 1);
  assertEquals(page.get("talos_csr_signer_in_flight_requests"), 3);
  assertEquals(page.get("talos_csr_signer_ca_expiry_seconds"), 86_400);
  assertEquals(page.get("talos_csr_signer_serving_certificate_expiry_seconds"), 7_200);
  assertEquals(page.get("talos_csr_signer_serving_certificate_lifetime_seconds"), 10_800);
  assertEquals(page.get("talos_csr_signer_serving_certificate_self_issued"), 1);
  ready = false;
  page = await samples(metrics);
  assertEquals(page.get("talos_csr_signer_ready"), 0);
});

Deno.test("SignerMetrics shows whether the last reload succeeded", async () => {
  const metrics = new SignerMetrics(facts(), BUILD, { clock: () => NOW });
  metrics.reloadSucceeded(NOW);
  assertEquals((await samples(metrics)).get("talos_csr_signer_last_reload_successful"), 1);
  metrics.reloadFailed();
  let page = await samples(metrics);
  assertEquals(page.get("talos_csr_signer_last_reload_successful"), 0);
  assertEquals(page.get("talos_csr_signer_reload_failures_total"), 1);
  metrics.reloadSucceeded(new Date(NOW.getTime() + 1000));
  page = await samples(metrics);
  assertEquals(page.get("talos_csr_signer_last_reload_successful"), 1);
  assertEquals(
    page.get("talos_csr_signer_last_reload_success_timestamp_seconds"),
    NOW.getTime() / 1000 + 1,
  );
});

Deno.test("registerProcessMetrics() reports true process values under Deno, with the standard names", async () => {
  const metrics = new SignerMetrics(facts(), BUILD);
  const processMetrics = registerProcessMetrics(metrics.registry);
  // Spend some CPU so the counter cannot be 0.
  const end = performance.now() + 50;
  while (performance.now() < end) crypto.getRandomValues(new Uint8Array(1024));
  const page = await samples(metrics);
  const rss = page.get("process_resident_memory_bytes")!;
  assert(rss > 10 * 1024 * 1024 && rss < 4 * 1024 ** 3, `rss ${rss}`);
  assert(page.get("process_cpu_seconds_total")! > 0, "cpu seconds");
  const start = page.get("process_start_time_seconds")!;
  const uptime = Date.now() / 1000 - start;
  assert(uptime >= 0 && uptime < 3600, `start time ${start}`);
  for (const name of ["nodejs_eventloop_lag_seconds", "nodejs_eventloop_lag_p99_seconds"]) {
    assert(page.has(name) && page.get(name)! >= 0, name);
  }
  assert(!page.has("process_open_fds"), "open fds are not guessed (Deno refuses /proc/self)");
  for (const name of PROCESS_METRIC_NAMES) assert(page.has(name), name);
  const verdict = await promtoolCheck(await metrics.render());
  assertEquals(verdict.code, 0, verdict.output);
  processMetrics.stop();
});
