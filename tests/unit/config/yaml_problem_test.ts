import { LineCounter, parseDocument } from "yaml";
import { parseMachineConfig } from "../../../src/config/machine_config.ts";
import { parseSecretsBundle } from "../../../src/config/secrets_bundle.ts";
import { describeYamlProblem, quietYamlOptions } from "../../../src/config/yaml_problem.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { damagedBundles } from "../../support/bundle_damage.ts";
import { readTalosSecrets } from "../../support/fixtures.ts";
import { renderWorkerConfig } from "../../support/machine_config.ts";
import { findSecretFragment, secretFragmentsOf } from "../../support/secret_fragments.ts";

Deno.test("describeYamlProblem() gives position and kind, never the text around the error", () => {
  const lines = new LineCounter();
  const text = "a:\n\tsecret: hunter2-hunter2\n";
  const document = parseDocument(text, quietYamlOptions(lines));
  const message = describeYamlProblem(document.errors[0]!, lines, "a.secret");
  assertEquals(
    message,
    "line 2, column 1 (near a.secret): a tab is used for indentation (YAML TAB_AS_INDENT)",
  );
});

Deno.test("parseMachineConfig() errors carry no piece of the worker's token or CA, whatever line is damaged", async () => {
  const bundle = parseSecretsBundle(await readTalosSecrets());
  const yamlText = await renderWorkerConfig({
    token: bundle.token,
    caPem: bundle.caCertificatePem,
    endpoint: "https://10.0.0.10:6443",
  });
  const secrets = secretFragmentsOf(
    yamlText,
    (path) => /^(machine\.(token|ca\.crt)|cluster\.(id|secret|token))$/.test(path),
  );
  let refused = 0;
  for (const { line, damage, text } of damagedBundles(yamlText)) {
    try {
      parseMachineConfig(text);
    } catch (error) {
      refused++;
      const leak = findSecretFragment(secrets, (error as Error).message);
      assertEquals(leak, undefined, `line ${line}, ${damage}: the error carries ${leak}`);
    }
  }
  assert(refused > 100, `${refused} damaged configurations refused`);
});
