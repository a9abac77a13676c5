/**
 * The alert rules: generated files match the generator, the plain rule file and the
 * PrometheusRule agree, `promtool check rules` accepts them, every alert links an existing
 * troubleshooting section, and `promtool test rules` shows each alert firing and staying quiet.
 */
import { parse, stringify } from "yaml";
import { buildRuleGroups, SIGNER_ALERTS } from "../../src/deploy/alerts.ts";
import { renderMonitoringFiles } from "../../scripts/gen_monitoring.ts";
import { REPO_ROOT } from "../support/fixtures.ts";
import { assert, assertEquals } from "../support/assert.ts";

const MONITORING = `${REPO_ROOT}deploy/monitoring/`;
const RULE_FILE = `${MONITORING}talos-csr-signer.rules.yaml`;

async function promtool(args: string[], cwd?: string): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command("promtool", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const decoder = new TextDecoder();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

/** GitHub's heading anchors of a Markdown page. */
function anchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-")
    ),
  );
}

Deno.test("deploy/monitoring files are what `deno task monitoring-files` generates", async () => {
  for (const [name, text] of Object.entries(renderMonitoringFiles())) {
    assertEquals(
      await Deno.readTextFile(`${MONITORING}${name}`),
      text,
      `run \`deno task monitoring-files\` (${name})`,
    );
  }
});

Deno.test("the plain rule file and the PrometheusRule hold the same rules", async () => {
  const plain = parse(await Deno.readTextFile(RULE_FILE));
  const resource = parse(await Deno.readTextFile(`${MONITORING}prometheusrule.yaml`));
  assertEquals(resource.kind, "PrometheusRule");
  assertEquals(resource.spec, plain);
  assertEquals(plain, buildRuleGroups());
});

Deno.test("promtool check rules accepts the rule file, with every alert", async () => {
  const { code, output } = await promtool(["check", "rules", RULE_FILE]);
  assertEquals(code, 0, output);
  assert(output.includes(`SUCCESS: ${SIGNER_ALERTS.length} rules found`), output);
});

Deno.test("every alert has a summary, a severity and a description linking an existing docs section", async () => {
  const required = [
    "TalosCsrSignerDown",
    "TalosCsrSignerNotReady",
    "TalosCsrSignerCaExpiresIn30Days",
    "TalosCsrSignerCaExpiresIn7Days",
    "TalosCsrSignerServingCertificateNotRenewed",
    "TalosCsrSignerReloadFailing",
    "TalosCsrSignerAuthFailuresHigh",
    "TalosCsrSignerPolicyRejectionsHigh",
    "TalosCsrSignerInternalErrors",
    "TalosCsrSignerLatencyHigh",
  ];
  const rules = buildRuleGroups().groups.flatMap((g) => g.rules);
  assertEquals(required.filter((name) => !rules.some((r) => r.alert === name)), []);
  const pages = new Map<string, Set<string>>();
  for (const rule of rules) {
    const { summary, description } = rule.annotations;
    assert(summary && summary.length > 10, `${rule.alert}: summary`);
    assert(["critical", "warning"].includes(rule.labels.severity), `${rule.alert}: severity`);
    assert(
      description.includes(`docs/troubleshooting.md#${rule.alert.toLowerCase()}`),
      `${rule.alert}: description links its troubleshooting section`,
    );
    for (const [, page, anchor] of description.matchAll(/docs\/([a-z_]+\.md)#([a-z0-9-]+)/g)) {
      if (!pages.has(page!)) {
        pages.set(page!, anchors(await Deno.readTextFile(`${REPO_ROOT}docs/${page}`)));
      }
      assert(pages.get(page!)!.has(anchor!), `${rule.alert}: docs/${page}#${anchor} exists`);
    }
  }
});

Deno.test("promtool test rules: every alert fires when it should and stays quiet when it should not", async () => {
  const tests = await Deno.readTextFile(`${REPO_ROOT}tests/monitoring/alerts.promtool.yaml`);
  const cases = (parse(tests).tests as { alert_rule_test: Record<string, unknown>[] }[])
    .flatMap((t) => t.alert_rule_test);
  for (const { alert } of SIGNER_ALERTS) {
    const mine = cases.filter((c) => c.alertname === alert);
    assert(mine.some((c) => (c.exp_alerts as unknown[]).length > 0), `${alert} fires in a test`);
    assert(mine.some((c) => (c.exp_alerts as unknown[]).length === 0), `${alert} quiet in a test`);
  }
  // The committed rules, without annotations (their templates are checked by `check rules`).
  const rules = parse(await Deno.readTextFile(RULE_FILE));
  for (const group of rules.groups) for (const rule of group.rules) delete rule.annotations;
  const dir = await Deno.makeTempDir({ prefix: "promtool-" });
  try {
    await Deno.writeTextFile(`${dir}/rules.yaml`, stringify(rules));
    await Deno.writeTextFile(`${dir}/alerts.promtool.yaml`, tests);
    const { code, output } = await promtool(["test", "rules", "alerts.promtool.yaml"], dir);
    assertEquals(code, 0, output);
    assert(output.includes("SUCCESS"), output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
