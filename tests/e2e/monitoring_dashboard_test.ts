/**
 * The dashboard and the alert rules against a real Prometheus (Debian's `prometheus`), configured
 * with the `scrape_configs` snippet from docs/operations.md, scraping a real signer that served a
 * short worker-style load (grpc-go, as Talos workers) with a few refusals. Every dashboard query,
 * every alert expression and every series an alert watches is executed over the HTTP API.
 */
import { parse, stringify } from "yaml";
import { SIGNER_ALERTS } from "../../src/deploy/alerts.ts";
import { DASHBOARD_PANELS, INSTANCE_VARIABLE_METRIC } from "../../src/deploy/dashboard.ts";
import { writeCaFiles } from "../support/ca_files.ts";
import { REPO_ROOT } from "../support/fixtures.ts";
import { goBatch } from "../support/go_worker.ts";
import { makeCa, makeCsr } from "../support/keys.ts";
import { startServer } from "../support/server_process.ts";
import { FILE_TOKEN } from "../support/test_tokens.ts";
import { assert, assertEquals } from "../support/assert.ts";

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** The `scrape_configs` snippet operators copy from docs/operations.md, parsed. */
async function documentedPrometheusConfig(): Promise<Record<string, unknown>> {
  const page = await Deno.readTextFile(`${REPO_ROOT}docs/operations.md`);
  const section = page.slice(page.indexOf("### Plain Prometheus (systemd hosts)"));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  assert(block, "docs/operations.md has a yaml block for plain Prometheus");
  return parse(block[1]!);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

Deno.test("a real Prometheus scraping a real signer returns data for every dashboard query and alert series", async () => {
  const dir = await Deno.makeTempDir({ prefix: "prometheus-" });
  const ca = await makeCa();
  const signer = await startServer([
    ...(await writeCaFiles(dir, ca, `${FILE_TOKEN}\n`)),
    "--allowed-ip-cidrs=10.5.0.0/16",
  ]);
  let prometheus: Deno.ChildProcess | undefined;
  try {
    // The documented snippet, pointed at this signer, scraping every second for the test.
    const documented = await documentedPrometheusConfig();
    const scrape = (documented.scrape_configs as Record<string, unknown>[])[0]!;
    assertEquals(scrape.job_name, "talos-csr-signer");
    const targets = (scrape.static_configs as { targets: string[] }[])[0]!.targets;
    assertEquals(targets, ["127.0.0.1:9090"]);
    targets[0] = `127.0.0.1:${signer.httpPort}`;
    scrape.scrape_interval = "1s";
    const ruleFile = `${dir}/talos-csr-signer.rules.yaml`;
    await Deno.copyFile(`${REPO_ROOT}deploy/monitoring/talos-csr-signer.rules.yaml`, ruleFile);
    assertEquals((documented.rule_files as string[]).length, 1);
    const config = {
      global: { scrape_interval: "1s", evaluation_interval: "1s" },
      scrape_configs: documented.scrape_configs,
      rule_files: [ruleFile],
    };
    await Deno.writeTextFile(`${dir}/prometheus.yml`, stringify(config));

    const port = freePort();
    prometheus = new Deno.Command("prometheus", {
      args: [
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/data`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const api = async (path: string, params: Record<string, string> = {}) => {
      const url = new URL(`http://127.0.0.1:${port}/api/v1/${path}`);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      const body = await (await fetch(url)).json();
      assertEquals(body.status, "success", `${path} ${JSON.stringify(params)}: ${body.error}`);
      return body.data;
    };
    const query = async (expr: string): Promise<Sample[]> =>
      (await api("query", { query: expr })).result;
    const scraped = (name: string) =>
      query(`count_over_time(${name}[1m])`).then((r) => r.length ? Number(r[0]!.value[1]) : 0);

    // Scraped before the load, so the rates cover it.
    await until("the first scrapes", async () => (await scraped("up")) >= 2 || undefined);
    const csr = new TextEncoder().encode((await makeCsr()).pem);
    const outside = new TextEncoder().encode(
      (await makeCsr({ names: [{ type: "ip", value: "192.168.7.7" }] })).pem,
    );
    const load = [
      ...new Array(30).fill({ token: FILE_TOKEN, csr }),
      { token: "wrong.0000000000000000", csr },
      { token: "wrong.0000000000000000", csr },
      { csr },
      { token: FILE_TOKEN, csr: outside },
      { token: FILE_TOKEN, csr: outside },
      { token: FILE_TOKEN, csr: new TextEncoder().encode("not a CSR") },
    ];
    const answers = await goBatch(signer.port, ca.certificatePem, load, 4);
    assertEquals(answers.filter((a) => a.code === "OK").length, 30);
    assertEquals(answers.filter((a) => a.code === "UNAUTHENTICATED").length, 3);
    assertEquals(answers.filter((a) => a.code === "PERMISSION_DENIED").length, 2);
    assertEquals(answers.filter((a) => a.code === "INVALID_ARGUMENT").length, 1);
    // Wait until Prometheus has scraped the final counts, plus a few scrapes more.
    await until("the load to be scraped", async () => {
      const issued = await query("talos_csr_signer_certificates_issued_total");
      return issued.length && Number(issued[0]!.value[1]) === 30 ? true : undefined;
    });
    const before = await scraped("talos_csr_signer_ready");
    await until(
      "two more scrapes",
      async () => (await scraped("talos_csr_signer_ready")) >= before + 2 || undefined,
    );

    // Every dashboard query returns data, with Grafana's variables as "All" and a 1m interval.
    const grafana = (expr: string) =>
      expr.replaceAll("$instance", ".+").replaceAll("$__rate_interval", "1m");
    for (const panel of DASHBOARD_PANELS) {
      for (const { expr } of panel.queries) {
        const result = await query(grafana(expr));
        assert(result.length > 0, `${panel.title}: no data for ${expr}`);
        assert(
          result.some((s) => Number.isFinite(Number(s.value[1]))),
          `${panel.title}: only NaN for ${expr}`,
        );
      }
    }
    const instances = await api("label/instance/values", { "match[]": INSTANCE_VARIABLE_METRIC });
    assertEquals(instances, [`127.0.0.1:${signer.httpPort}`]);
    // The refusals appear under their labels, as the panels show them.
    const byLabel = async (expr: string, label: string) =>
      Object.fromEntries((await query(expr)).map((s) => [s.metric[label], Number(s.value[1])]));
    const codes = await byLabel(
      'sum by (code) (talos_csr_signer_requests_total{job="talos-csr-signer"})',
      "code",
    );
    assertEquals(
      [codes.OK, codes.UNAUTHENTICATED, codes.PERMISSION_DENIED, codes.INTERNAL],
      [30, 3, 2, 0],
    );
    const rules = await byLabel("talos_csr_signer_policy_rejections_total", "rule");
    assertEquals(rules["allowed-ip-cidrs"], 2);

    // Every alert expression evaluates, and every series it watches has data.
    for (const alert of SIGNER_ALERTS) {
      await query(alert.expr);
      for (const signal of alert.signals) {
        assert((await query(signal)).length > 0, `${alert.alert}: no data for ${signal}`);
      }
    }
    // Those about the signer's state are quiet for this healthy signer.
    const quiet = [
      "TalosCsrSignerDown",
      "TalosCsrSignerAbsent",
      "TalosCsrSignerNotReady",
      "TalosCsrSignerCaExpiresIn30Days",
      "TalosCsrSignerCaExpiresIn7Days",
      "TalosCsrSignerServingCertificateNotRenewed",
      "TalosCsrSignerServingCertificateExpiresSoon",
      "TalosCsrSignerReloadFailing",
      "TalosCsrSignerInternalErrors",
    ];
    for (const alert of SIGNER_ALERTS.filter((a) => quiet.includes(a.alert))) {
      assertEquals(await query(alert.expr), [], `${alert.alert} is quiet`);
    }
    // Prometheus loaded the rule file and evaluates every rule without error.
    const loaded = await until("every rule evaluated", async () => {
      const groups = (await api("rules")).groups as {
        rules: { name: string; health: string; lastError?: string }[];
      }[];
      const all = groups.flatMap((g) => g.rules);
      return all.length === SIGNER_ALERTS.length && all.every((r) => r.health !== "unknown")
        ? all
        : undefined;
    });
    for (const rule of loaded) assertEquals(rule.health, "ok", `${rule.name}: ${rule.lastError}`);
  } finally {
    if (prometheus) {
      prometheus.kill("SIGTERM");
      await prometheus.status;
    }
    await signer.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
