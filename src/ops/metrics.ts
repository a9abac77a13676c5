/**
 * Prometheus metrics, rendered by our own exposition module (`./prometheus/mod.ts`, which replaced
 * prom-client: about 4 MB less resident memory at idle). Every name starts with
 * `talos_csr_signer_`. Labels never carry a token or a name from a CSR: only codes, rule names,
 * reasons and token slot numbers, so cardinality stays fixed.
 *
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from "./prometheus/mod.ts";
import { AUTH_FAILURE_REASONS } from "../auth/token_set.ts";
import { LIMIT_REFUSAL_REASONS } from "../grpc/transport_limits.ts";
import { LIMIT_REASONS } from "../policy/abuse_limits.ts";
import { POLICY_RULES } from "../policy/issuance_policy.ts";

/** What happened to one call, as the handler reports it. */
export interface CallOutcome {
  /** gRPC method path. */
  method: string;
  /** gRPC status code name. */
  code: string;
  /** Wall time of the call, seconds. */
  seconds: number;
  /** The token slot that matched, when authenticated. */
  tokenSlot?: number;
  /** Why authentication failed, when it did. */
  authFailure?: "missing" | "invalid";
  /** The policy rule that refused, when one did. */
  policyRule?: string;
  /** The limit that refused, when one did. */
  limitReason?: string;
}

/** The signer's state the gauges report, read at scrape time. */
export interface SignerFacts {
  /** NotAfter of the issuing CA. */
  caNotAfter(): Date;
  /** The serving certificate in use: its validity, and whether the signer issued (and renews) it. */
  serving(): { notBefore: Date; notAfter: Date; selfIssued: boolean };
  /** Whether the signer can answer workers now (as /readyz). */
  ready(): boolean;
  /** Calls open right now. */
  inFlight(): number;
}

/** Options for {@linkcode SignerMetrics}. */
export interface SignerMetricsOptions {
  /** The time source for "seconds until" gauges. @default () => new Date() */
  clock?: () => Date;
  /** (method, code) pairs the server answers, counted from 0 before the first call. @default [] */
  knownCalls?: readonly { method: string; code: string }[];
}

/** Build facts for `talos_csr_signer_build_info`. */
export interface BuildInfo {
  /** Our version. */
  version: string;
  /** Deno version. */
  deno: string;
  /** V8 version. */
  v8: string;
}

const PREFIX = "talos_csr_signer_";

/** The signer's metrics and their registry. */
export class SignerMetrics {
  /** The registry to expose on /metrics. */
  readonly registry: Registry = new Registry();
  readonly #requests: Counter<"method" | "code">;
  readonly #duration: Histogram<"method">;
  readonly #issued: Counter;
  readonly #authFailures: Counter<"reason">;
  readonly #tokenSlots: Counter<"slot">;
  readonly #policyRejections: Counter<"rule">;
  readonly #limited: Counter<"reason">;
  readonly #transportRefusals: Counter<"reason">;
  readonly #lastReload: Gauge;
  readonly #lastReloadOk: Gauge;
  readonly #reloadFailures: Counter;

  /**
   * Every label value known in advance (each answered code, auth-failure reason, policy rule and
   * limit) starts at 0, so `rate()` and `increase()` see the first event.
   *
   * @param facts where the gauges read the signer's state
   * @param build the build facts
   * @param options clock and the calls the server answers
   */
  constructor(facts: SignerFacts, build: BuildInfo, options: SignerMetricsOptions = {}) {
    const clock = options.clock ?? (() => new Date());
    const registry = this.registry;
    this.#requests = new Counter({
      name: `${PREFIX}requests_total`,
      help: "gRPC calls handled, by method and status code.",
      labelNames: ["method", "code"],
      registry,
    });
    this.#duration = new Histogram({
      name: `${PREFIX}request_duration_seconds`,
      help: "Time to handle a call, from request to response.",
      labelNames: ["method"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registry,
    });
    this.#issued = new Counter({
      name: `${PREFIX}certificates_issued_total`,
      help: "Certificates issued to workers.",
      registry,
    });
    this.#authFailures = new Counter({
      name: `${PREFIX}auth_failures_total`,
      help: "Calls refused for a missing or invalid token.",
      labelNames: ["reason"],
      registry,
    });
    this.#tokenSlots = new Counter({
      name: `${PREFIX}authenticated_requests_total`,
      help:
        "Calls whose token matched, by token slot (position in the configuration, never the value).",
      labelNames: ["slot"],
      registry,
    });
    this.#policyRejections = new Counter({
      name: `${PREFIX}policy_rejections_total`,
      help: "Calls refused by the issuance policy, by rule.",
      labelNames: ["rule"],
      registry,
    });
    this.#limited = new Counter({
      name: `${PREFIX}rate_limited_total`,
      help: "Calls refused by an abuse limit, by limit.",
      labelNames: ["reason"],
      registry,
    });
    this.#transportRefusals = new Counter({
      name: `${PREFIX}transport_refusals_total`,
      help: "Connections and calls refused or closed before any token was checked, by limit.",
      labelNames: ["reason"],
      registry,
    });
    const gauge = (name: string, help: string, read: () => number) =>
      collectedGauge(this.registry, name, help, read);
    const secondsUntil = (date: Date) => (date.getTime() - clock().getTime()) / 1000;
    gauge(
      "ca_expiry_seconds",
      "Seconds until the issuing CA expires (negative once expired).",
      () => secondsUntil(facts.caNotAfter()),
    );
    gauge(
      "serving_certificate_expiry_seconds",
      "Seconds until the serving certificate expires (negative once expired).",
      () => secondsUntil(facts.serving().notAfter),
    );
    gauge(
      "serving_certificate_lifetime_seconds",
      "Validity period of the serving certificate in use (NotAfter - NotBefore).",
      () => {
        const { notBefore, notAfter } = facts.serving();
        return (notAfter.getTime() - notBefore.getTime()) / 1000;
      },
    );
    gauge(
      "serving_certificate_self_issued",
      "1 when the signer issued its serving certificate (and renews it), 0 for TLS_CERT_PATH.",
      () => facts.serving().selfIssued ? 1 : 0,
    );
    gauge(
      "ready",
      "1 when the signer can answer workers (as /readyz), else 0.",
      () => facts.ready() ? 1 : 0,
    );
    gauge("in_flight_requests", "gRPC calls open right now.", () => facts.inFlight());
    this.#lastReload = new Gauge({
      name: `${PREFIX}last_reload_success_timestamp_seconds`,
      help: "Unix time of the last successful load of CA, tokens and serving certificate.",
      registry,
    });
    this.#lastReloadOk = new Gauge({
      name: `${PREFIX}last_reload_successful`,
      help: "1 when the last load of the material succeeded, 0 while the last reload was refused.",
      registry,
    });
    this.#reloadFailures = new Counter({
      name: `${PREFIX}reload_failures_total`,
      help:
        "Reloads refused because the new material was missing or invalid (the old set kept serving).",
      registry,
    });
    new Gauge({
      name: `${PREFIX}build_info`,
      help: "Build information; the value is always 1.",
      labelNames: ["version", "deno", "v8"],
      registry,
    }).set({ version: build.version, deno: build.deno, v8: build.v8 }, 1);
    this.#startAtZero(options.knownCalls ?? []);
  }

  #startAtZero(knownCalls: readonly { method: string; code: string }[]): void {
    for (const call of knownCalls) this.#requests.inc(call, 0);
    for (const method of new Set(knownCalls.map((c) => c.method))) this.#duration.zero({ method });
    for (const reason of AUTH_FAILURE_REASONS) this.#authFailures.inc({ reason }, 0);
    for (const rule of POLICY_RULES) this.#policyRejections.inc({ rule }, 0);
    for (const reason of LIMIT_REASONS) this.#limited.inc({ reason }, 0);
    for (const reason of LIMIT_REFUSAL_REASONS) this.#transportRefusals.inc({ reason }, 0);
  }

  /**
   * Records one call.
   *
   * @param outcome what happened
   */
  observe(outcome: CallOutcome): void {
    this.#requests.inc({ method: outcome.method, code: outcome.code });
    this.#duration.observe({ method: outcome.method }, outcome.seconds);
    if (outcome.code === "OK") this.#issued.inc();
    if (outcome.tokenSlot !== undefined) this.#tokenSlots.inc({ slot: String(outcome.tokenSlot) });
    if (outcome.authFailure) this.#authFailures.inc({ reason: outcome.authFailure });
    if (outcome.policyRule) this.#policyRejections.inc({ rule: outcome.policyRule });
    if (outcome.limitReason) this.#limited.inc({ reason: outcome.limitReason });
  }

  /**
   * Records a connection or call the transport refused or closed (MAX_CONNECTIONS,
   * REQUEST_TIMEOUT...).
   *
   * @param reason the limit, e.g. `max-connections-per-address`
   */
  transportRefused(reason: string): void {
    this.#transportRefusals.inc({ reason });
  }

  /**
   * Records a successful (re)load.
   *
   * @param at when it happened
   */
  reloadSucceeded(at: Date): void {
    this.#lastReload.set(undefined, at.getTime() / 1000);
    this.#lastReloadOk.set(undefined, 1);
  }

  /** Records a refused reload. */
  reloadFailed(): void {
    this.#reloadFailures.inc();
    this.#lastReloadOk.set(undefined, 0);
  }

  /**
   * Renders the exposition text.
   *
   * @returns Prometheus text format
   */
  render(): Promise<string> {
    return this.registry.render();
  }
}

/** A gauge whose value is read at scrape time. */
function collectedGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({ name: `${PREFIX}${name}`, help, registry, read });
}
