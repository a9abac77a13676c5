import { ConfigErrors } from "../../../src/config/config_error.ts";
import type { FileSource } from "../../../src/config/file_source.ts";
import { loadAuthority } from "../../../src/config/load.ts";
import { parseConfig } from "../../../src/config/parse_config.ts";
import { parseSecretsBundle } from "../../../src/config/secrets_bundle.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "../../support/assert.ts";
import { damagedBundles } from "../../support/bundle_damage.ts";
import { readTalosSecrets } from "../../support/fixtures.ts";
import { findSecretFragment, secretFragmentsOf } from "../../support/secret_fragments.ts";

Deno.test("parseSecretsBundle() reads certs.os and trustdinfo.token from the Talos fixture unmodified", async () => {
  const bundle = parseSecretsBundle(await readTalosSecrets());
  assertMatch(bundle.caCertificatePem, /^-----BEGIN CERTIFICATE-----\n/);
  assertMatch(bundle.caKeyPem, /^-----BEGIN ED25519 PRIVATE KEY-----\n/);
  assertMatch(bundle.token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  assertEquals(bundle.fields, {
    caCertificate: "certs.os.crt (line 22, column 14)",
    caKey: "certs.os.key (line 23, column 14)",
    token: "trustdinfo.token (line 8, column 12)",
  });
});

Deno.test("parseSecretsBundle() names a missing field without printing any value", async () => {
  const text = (await readTalosSecrets()).replace(/trustdinfo:\n\s+token: \S+\n/, "");
  assertThrows(() => parseSecretsBundle(text), TypeError, "trustdinfo.token is missing");
  const other = (await readTalosSecrets()).replace(/(\n {4}os:\n {8}crt: )\S+/, "$1not-base64!");
  const error = assertThrows(
    () => parseSecretsBundle(other),
    TypeError,
    "certs.os.crt (line 22, column 14) is not base64 PEM",
  );
  assertEquals(error.message.includes("not-base64!"), false);
});

Deno.test("parseSecretsBundle() names line, column, field and kind of a YAML error, and the file when told", async () => {
  const text = (await readTalosSecrets()).replace("    token: ", "\ttoken: ");
  const error = assertThrows(
    () => parseSecretsBundle(text, "--secrets s.yaml"),
    SyntaxError,
    "Cannot read secrets bundle --secrets s.yaml: line 8, column 1 (near trustdinfo.token): " +
      "a tab is used for indentation (YAML TAB_AS_INDENT)",
  );
  assert(!error.message.includes(parseSecretsBundle(await readTalosSecrets()).token));
  assertThrows(() => parseSecretsBundle("a: [b\n"), SyntaxError, "line 2, column 1");
});

Deno.test("parseSecretsBundle() refuses an unknown tag instead of printing the parser's warning", async () => {
  const text = (await readTalosSecrets()).replace(
    /(\n {8}key: )(LS0tLS1CRUdJTiBFRDI1NTE5)/,
    "$1!$2",
  );
  assertThrows(
    () => parseSecretsBundle(text),
    SyntaxError,
    "line 23, column 14 (near certs.os.key): an unknown tag (YAML TAG_RESOLVE_FAILED)",
  );
});

Deno.test("the secret search finds a token, a split base64 run and hex DER in captured text", async () => {
  const yamlText = await readTalosSecrets();
  const secrets = secretFragmentsOf(yamlText);
  const { token, caKeyPem } = parseSecretsBundle(yamlText);
  assertEquals(findSecretFragment(secrets, "nothing secret here: line 8, column 1"), undefined);
  assert(findSecretFragment(secrets, `x ${token.slice(3, 11)} y`), "an 8-character token piece");
  const keyLine = yamlText.split("\n")[22]!.trim().slice(5);
  const split = `${keyLine.slice(40, 45)}\\n "${keyLine.slice(45, 50)}`;
  assert(findSecretFragment(secrets, split), "a base64 run split by an escaped line break");
  const body = caKeyPem.split("\n")[1]!;
  assert(findSecretFragment(secrets, body.slice(10, 18)), "a piece of the PEM body inside");
  const der = Uint8Array.fromBase64(body).toHex();
  assert(findSecretFragment(secrets, der.slice(20, 36).toUpperCase()), "DER bytes as hex");
});

Deno.test("no damage on any line of the real bundle makes a configuration error carry a secret", async () => {
  const yamlText = await readTalosSecrets();
  const secrets = secretFragmentsOf(yamlText);
  const path = "/etc/talos/secrets.yaml";
  const config = parseConfig([], { TALOS_SECRETS_PATH: path });
  let refused = 0;
  let cases = 0;
  for (const { line, damage, text } of damagedBundles(yamlText)) {
    cases++;
    const files: FileSource = {
      readText: (p) =>
        p === path ? Promise.resolve(text) : Promise.reject(new Deno.errors.NotFound()),
      permissions: () => Promise.resolve({ mode: 0o100600, kubernetesSecretMount: false }),
    };
    let message: string;
    try {
      await loadAuthority(config, files);
      continue;
    } catch (error) {
      assert(error instanceof ConfigErrors, `line ${line}, ${damage}: ${error}`);
      message = error.errors.map((e) => (e as Error).message).join("\n");
    }
    refused++;
    const leak = findSecretFragment(secrets, message);
    assertEquals(leak, undefined, `line ${line}, ${damage}: the error carries ${leak}`);
    assert(message.startsWith(`TALOS_SECRETS_PATH: ${path}: `), message);
    assert(/line \d+, column \d+|is missing/.test(message), `line ${line}, ${damage}: ${message}`);
  }
  // Most damages break the YAML or the CA; damage to the unused fields may still load.
  assert(cases > 300 && refused > cases / 2, `${refused} of ${cases} damaged bundles refused`);
});
