/**
 * The signer's Prometheus alerts, as data: one list from which the plain rule file and the
 * `PrometheusRule` are both rendered, so they cannot drift apart. Each alert names the series it
 * watches (`signals`), which the dashboard test queries on a real Prometheus even while the alert
 * is quiet.
 *
 * @module
 */

/** Matches the scrape job of the signer: `talos-csr-signer` in a plain config or a PodMonitor. */
export const JOB_SELECTOR = 'job=~".*talos-csr-signer.*"';

const CERTIFICATE = 'method="/securityapi.SecurityService/Certificate"';
const BY_TARGET = "sum by (job, instance)";

/** One alert, with what an operator needs to act on it. */
export interface SignerAlert {
  /** The alert name (also its heading in docs/troubleshooting.md). */
  alert: string;
  /** The PromQL condition. */
  expr: string;
  /** The series `expr` is computed from, without thresholds: each must have data when scraped. */
  signals: readonly string[];
  /** How long the condition must hold. */
  for: string;
  /** `critical`: workers cannot get certificates now or soon; `warning`: act within days. */
  severity: "critical" | "warning";
  /** One line, with the instance. */
  summary: string;
  /** The likely cause and what to do; the link to the troubleshooting section is appended. */
  description: string;
}

/** The alerts, in the order they appear in the rule file. */
export const SIGNER_ALERTS: readonly SignerAlert[] = [
  {
    alert: "TalosCsrSignerDown",
    expr: `up{${JOB_SELECTOR}} == 0`,
    signals: [`up{${JOB_SELECTOR}}`],
    for: "5m",
    severity: "critical",
    summary: "talos-csr-signer {{ $labels.instance }} cannot be scraped",
    description:
      "Prometheus has not reached /metrics on {{ $labels.instance }} for 5 minutes: the process is not running, is crash-looping (often a configuration error at start-up), or HTTP_ADDR is not reachable from Prometheus. Workers cannot renew their certificates while every signer is down.",
  },
  {
    alert: "TalosCsrSignerAbsent",
    expr: `absent(up{${JOB_SELECTOR}})`,
    signals: [`up{${JOB_SELECTOR}}`],
    for: "15m",
    severity: "warning",
    summary: "No talos-csr-signer target is scraped",
    description:
      "Prometheus has no scrape target whose job matches talos-csr-signer: the PodMonitor or scrape_configs entry is missing or does not select the signer's pods, or every signer is gone.",
  },
  {
    alert: "TalosCsrSignerNotReady",
    expr: "talos_csr_signer_ready == 0",
    signals: ["talos_csr_signer_ready"],
    for: "5m",
    severity: "critical",
    summary: "talos-csr-signer {{ $labels.instance }} is not ready to sign",
    description:
      "The signer runs but refuses to sign (/readyz answers 503): its issuing CA or serving certificate has expired, or no token is configured. Read /readyz on {{ $labels.instance }} for the reason.",
  },
  caExpiry("TalosCsrSignerCaExpiresIn30Days", 30, "warning"),
  caExpiry("TalosCsrSignerCaExpiresIn7Days", 7, "critical"),
  {
    alert: "TalosCsrSignerServingCertificateNotRenewed",
    expr: "talos_csr_signer_serving_certificate_expiry_seconds" +
      " < 0.25 * talos_csr_signer_serving_certificate_lifetime_seconds" +
      " and talos_csr_signer_serving_certificate_self_issued == 1",
    signals: [
      "talos_csr_signer_serving_certificate_expiry_seconds",
      "talos_csr_signer_serving_certificate_lifetime_seconds",
      "talos_csr_signer_serving_certificate_self_issued",
    ],
    for: "15m",
    severity: "critical",
    summary:
      "talos-csr-signer {{ $labels.instance }}: serving certificate not renewed, expires in {{ $value | humanizeDuration }}",
    description:
      "The signer renews its self-issued serving certificate at half its lifetime; less than a quarter is left, so renewal keeps failing (look for `serving certificate renewal failed` in its log; usually the issuing CA has expired or expires before the renewal). Workers will fail TLS when it expires.",
  },
  {
    alert: "TalosCsrSignerServingCertificateExpiresSoon",
    expr: "talos_csr_signer_serving_certificate_expiry_seconds < 7 * 86400" +
      " and talos_csr_signer_serving_certificate_self_issued == 0",
    signals: [
      "talos_csr_signer_serving_certificate_expiry_seconds",
      "talos_csr_signer_serving_certificate_self_issued",
    ],
    for: "1h",
    severity: "warning",
    summary:
      "talos-csr-signer {{ $labels.instance }}: serving certificate from TLS_CERT_PATH expires in {{ $value | humanizeDuration }}",
    description:
      "The serving certificate is operator-provided (TLS_CERT_PATH) and the signer does not renew it: whatever issues it (cert-manager, a script) has not replaced the file. The signer picks up a new file without a restart.",
  },
  {
    alert: "TalosCsrSignerReloadFailing",
    expr: "talos_csr_signer_last_reload_successful == 0",
    signals: ["talos_csr_signer_last_reload_successful", "talos_csr_signer_reload_failures_total"],
    for: "10m",
    severity: "warning",
    summary: "talos-csr-signer {{ $labels.instance }} refuses its changed files",
    description:
      "A changed CA, token, accepted-CA or serving-certificate file is missing or invalid, so the signer keeps serving the previous set and a rotation has not taken effect. The `reload refused` log line and /readyz name each setting and file at fault.",
  },
  refusalRatio(
    "TalosCsrSignerAuthFailuresHigh",
    "talos_csr_signer_auth_failures_total",
    "calls with a missing or invalid token",
    "Normally no call fails authentication. Many at once mean workers with an old machine.token after a token rotation (a slot was removed too early), or a client probing the endpoint; `certificate request` log lines with code UNAUTHENTICATED show the peers.",
  ),
  refusalRatio(
    "TalosCsrSignerPolicyRejectionsHigh",
    "talos_csr_signer_policy_rejections_total",
    "calls refused by the issuance policy",
    "Normally the policy refuses nothing. Many refusals mean the policy (ALLOWED_IP_CIDRS, ALLOWED_DNS_SUFFIXES, PEER_BINDING) does not match the workers' addresses and names (new subnet, NAT in front of the signer), or someone asks for names they should not have; the `rule` label and log lines say which rule.",
  ),
  {
    alert: "TalosCsrSignerInternalErrors",
    expr: `${BY_TARGET} (increase(talos_csr_signer_requests_total{code="INTERNAL"}[10m])) > 0`,
    signals: [`${BY_TARGET} (increase(talos_csr_signer_requests_total{code="INTERNAL"}[10m]))`],
    for: "0m",
    severity: "critical",
    summary:
      "talos-csr-signer {{ $labels.instance }} answered INTERNAL {{ $value | humanize }} times in 10 minutes",
    description:
      "The signer failed to sign for a reason that is not the caller's fault. The `certificate request` log lines with code INTERNAL carry the cause (for example a CA key the runtime cannot use). Please report it with that line.",
  },
  {
    alert: "TalosCsrSignerLatencyHigh",
    expr: `${latencyP99()} > 0.5`,
    signals: [latencyP99()],
    for: "15m",
    severity: "warning",
    summary:
      "talos-csr-signer {{ $labels.instance }}: p99 Certificate latency {{ $value | humanizeDuration }}",
    description:
      'Signing takes milliseconds; a p99 above 0.5 s means the process is starved of CPU (check its CPU limit and throttling), calls queue behind the in-flight cap (MAX_IN_FLIGHT, see talos_csr_signer_rate_limited_total{reason="in-flight"}), or the event loop is blocked (nodejs_eventloop_lag_seconds).',
  },
];

/**
 * The GitHub anchor of an alert's section in docs/troubleshooting.md (its heading is the name).
 *
 * @param alert the alert name
 * @returns the anchor, without `#`
 */
export function troubleshootingAnchor(alert: string): string {
  return alert.toLowerCase();
}

/** An alerting rule as Prometheus reads it. */
export interface AlertingRule {
  /** Name. */
  alert: string;
  /** Condition. */
  expr: string;
  /** Hold time. */
  for: string;
  /** `severity`. */
  labels: { severity: string };
  /** `summary` and `description` (which ends with the troubleshooting link). */
  annotations: { summary: string; description: string };
}

/** The content of a Prometheus rule file. */
export interface RuleFile {
  /** One group, `talos-csr-signer`. */
  groups: { name: string; rules: AlertingRule[] }[];
}

/**
 * The rule groups of a Prometheus rule file, also the `spec` of the `PrometheusRule`.
 *
 * @returns `{ groups }`
 */
export function buildRuleGroups(): RuleFile {
  return {
    groups: [{
      name: "talos-csr-signer",
      rules: SIGNER_ALERTS.map((a) => ({
        alert: a.alert,
        expr: a.expr,
        for: a.for,
        labels: { severity: a.severity },
        annotations: {
          summary: a.summary,
          description: `${a.description} See docs/troubleshooting.md#${
            troubleshootingAnchor(a.alert)
          }.`,
        },
      })),
    }],
  };
}

function caExpiry(alert: string, days: number, severity: SignerAlert["severity"]): SignerAlert {
  return {
    alert,
    expr: `talos_csr_signer_ca_expiry_seconds < ${days} * 86400`,
    signals: ["talos_csr_signer_ca_expiry_seconds"],
    for: "10m",
    severity,
    summary:
      `talos-csr-signer {{ $labels.instance }}: issuing CA expires in {{ $value | humanizeDuration }}`,
    description:
      `The Talos machine CA the signer issues with expires within ${days} days. After that every worker certificate fails, and the signer stops being ready. Rotate the CA: add the old one to ACCEPTED_CAS_PATH, then switch CA_CERT_PATH/CA_KEY_PATH (docs/operations.md#rotating-the-ca).`,
  };
}

function refusalRatio(
  alert: string,
  counter: string,
  what: string,
  cause: string,
): SignerAlert {
  const refused = `${BY_TARGET} (rate(${counter}[10m]))`;
  const calls = `${BY_TARGET} (rate(talos_csr_signer_requests_total{${CERTIFICATE}}[10m]))`;
  return {
    alert,
    // Both: more than one in ten calls, and more than six a minute (one stray call is not news).
    expr: `${refused} > 0.1 * ${calls} and ${refused} > 0.1`,
    signals: [refused, calls],
    for: "10m",
    severity: "warning",
    summary: `talos-csr-signer {{ $labels.instance }}: {{ $value | humanize }}/s ${what}`,
    description: cause,
  };
}

function latencyP99(): string {
  return "histogram_quantile(0.99, sum by (job, instance, le) " +
    `(rate(talos_csr_signer_request_duration_seconds_bucket{${CERTIFICATE}}[10m])))`;
}
