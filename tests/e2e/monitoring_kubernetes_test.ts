/**
 * `manifests --monitoring` and deploy/monitoring/*.yaml against the prometheus-operator CRD schemas
 * (tests/fixtures/prometheus-operator, see SOURCE.md there), validated with Ajv. Unknown fields are
 * refused, as `kubectl apply` with server-side strict field validation would.
 */
import { Ajv } from "ajv";
import { parse, parseAllDocuments } from "yaml";
import { REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { runMain } from "../support/server_process.ts";
import { assert, assertEquals } from "../support/assert.ts";

const CRDS = `${REPO_ROOT}tests/fixtures/prometheus-operator/`;

type Schema = Record<string, unknown>;
type KubeObject = Record<string, unknown> & { kind: string };

/** Closes every object schema that lists its properties, unless it keeps unknown fields. */
function refuseUnknownFields(schema: Schema): Schema {
  const closed: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (Array.isArray(value)) {
      closed[key] = value.map((v) => typeof v === "object" && v ? refuseUnknownFields(v) : v);
    } else if (typeof value === "object" && value !== null) {
      closed[key] = key === "properties"
        ? Object.fromEntries(
          Object.entries(value).map(([name, s]) => [name, refuseUnknownFields(s as Schema)]),
        )
        : refuseUnknownFields(value as Schema);
    } else {
      closed[key] = value;
    }
  }
  if (
    closed.properties && closed.additionalProperties === undefined &&
    !closed["x-kubernetes-preserve-unknown-fields"]
  ) {
    closed.additionalProperties = false;
  }
  return closed;
}

/** Kubernetes checks `pattern` with Go's RE2: its `(?i)` prefix becomes JavaScript's `i` flag. */
const goRegExp = Object.assign(
  (pattern: string, flags: string) =>
    pattern.includes("(?i)")
      ? new RegExp(pattern.replace("(?i)", ""), `${flags}i`)
      : new RegExp(pattern, flags),
  { code: "new RegExp" },
);

async function validatorFor(file: string) {
  const crd = parse(await Deno.readTextFile(`${CRDS}${file}`));
  const version = crd.spec.versions.find((v: { name: string }) => v.name === "v1");
  const schema = refuseUnknownFields(version.schema.openAPIV3Schema);
  // The CRDs use Kubernetes keywords (x-kubernetes-*) and formats; Ajv checks the rest.
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    formats: { int32: true, int64: true, "date-time": true },
    code: { regExp: goRegExp },
  });
  const validate = ajv.compile(schema);
  return {
    kind: crd.spec.names.kind as string,
    errors(object: unknown): string[] {
      return validate(object)
        ? []
        : (validate.errors ?? []).map((e) =>
          `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`
        );
    },
  };
}

const validators = async () => {
  const list = await Promise.all([
    validatorFor("monitoring.coreos.com_podmonitors.yaml"),
    validatorFor("monitoring.coreos.com_prometheusrules.yaml"),
  ]);
  return new Map(list.map((v) => [v.kind, v]));
};

function checkAgainstCrds(
  schemas: Awaited<ReturnType<typeof validators>>,
  objects: KubeObject[],
  where: string,
): void {
  for (const object of objects) {
    const validator = schemas.get(object.kind);
    assert(validator, `${where}: no CRD for ${object.kind}`);
    assertEquals(object.apiVersion, "monitoring.coreos.com/v1", where);
    assertEquals(validator.errors(object), [], `${where}: ${object.kind}`);
  }
}

Deno.test("the CRD validator refuses unknown fields and wrong types (it can fail)", async () => {
  const schemas = await validators();
  const podMonitor = schemas.get("PodMonitor")!;
  const good = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: "x" },
    spec: { selector: { matchLabels: { a: "b" } }, podMetricsEndpoints: [{ port: "http" }] },
  };
  assertEquals(podMonitor.errors(good), []);
  assert(
    podMonitor.errors({ ...good, spec: { ...good.spec, podMetricEndpoints: [] } }).length > 0,
    "misspelled field",
  );
  assert(
    podMonitor.errors({ ...good, spec: { ...good.spec, podMetricsEndpoints: [{ port: 9090 }] } })
      .length > 0,
    "port must be a name",
  );
  const rule = schemas.get("PrometheusRule")!;
  assert(
    rule.errors({ ...good, kind: "PrometheusRule", spec: { groups: [{ rules: [] }] } }).length > 0,
    "a group needs a name",
  );
});

Deno.test("manifests --monitoring adds a PodMonitor that selects the signer's pods and a PrometheusRule, valid for prometheus-operator", async (t) => {
  const schemas = await validators();
  const modes: [string, string[]][] = [
    ["daemonset", []],
    ["deployment", []],
    ["kamaji-sidecar", ["--tenant", "my-tenant"]],
  ];
  for (const [mode, extra] of modes) {
    await t.step(mode, async () => {
      // Kamaji's objects go to three clusters/commands, so that mode writes files (--out).
      const dir = await Deno.makeTempDir({ prefix: "monitoring-manifests-" });
      const out = await runMain([
        "manifests",
        "--secrets",
        TALOS_SECRETS_PATH,
        "--endpoint",
        "203.0.113.10",
        "--mode",
        mode,
        "--namespace",
        "talos",
        "--monitoring",
        ...extra,
        ...(mode === "kamaji-sidecar" ? ["--out", dir] : []),
      ]);
      const text = mode === "kamaji-sidecar"
        ? await Deno.readTextFile(`${dir}/monitoring.yaml`)
        : out.stdout;
      await Deno.remove(dir, { recursive: true });
      assertEquals(out.code, 0, out.stderr);
      const objects = parseAllDocuments(text).map((d) => d.toJSON() as KubeObject);
      const monitoring = objects.filter((o) => String(o.apiVersion).startsWith("monitoring."));
      assertEquals(monitoring.map((o) => o.kind), ["PodMonitor", "PrometheusRule"]);
      checkAgainstCrds(schemas, monitoring, `manifests --mode ${mode}`);
      for (const o of monitoring) {
        assertEquals((o.metadata as Record<string, string>).namespace, "talos");
      }
      // The PodMonitor selects the pods this output creates, on a port their signer container has.
      const spec = monitoring[0]!.spec as {
        selector: { matchLabels: Record<string, string> };
        podMetricsEndpoints: { port: string }[];
      };
      const workload = objects.find((o) => ["DaemonSet", "Deployment"].includes(o.kind));
      if (workload) {
        const template = (workload.spec as Record<string, Record<string, unknown>>).template!;
        const podLabels = (template.metadata as { labels: Record<string, string> }).labels;
        for (const [k, v] of Object.entries(spec.selector.matchLabels)) {
          assertEquals(podLabels[k], v, `pod label ${k}`);
        }
        const containers = (template.spec as { containers: { ports: { name: string }[] }[] })
          .containers;
        assert(
          containers.some((c) => c.ports.some((p) => p.name === spec.podMetricsEndpoints[0]!.port)),
          "the signer container has the scraped port",
        );
      } else {
        assertEquals(spec.selector.matchLabels, { "kamaji.clastix.io/name": "my-tenant" });
      }
    });
  }
  const without = await runMain([
    "manifests",
    "--secrets",
    TALOS_SECRETS_PATH,
    "--endpoint",
    "203.0.113.10",
  ]);
  assert(!without.stdout.includes("PodMonitor"), "monitoring objects only on request");
});

Deno.test("deploy/monitoring podmonitor.yaml and prometheusrule.yaml are valid for prometheus-operator", async () => {
  const schemas = await validators();
  for (const file of ["podmonitor.yaml", "prometheusrule.yaml"]) {
    const text = await Deno.readTextFile(`${REPO_ROOT}deploy/monitoring/${file}`);
    checkAgainstCrds(schemas, [parse(text)], file);
  }
});
