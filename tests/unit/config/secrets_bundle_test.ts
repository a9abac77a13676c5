import { parseSecretsBundle } from "../../../src/config/secrets_bundle.ts";
import { assertEquals, assertMatch, assertThrows } from "../../support/assert.ts";
import { readTalosSecrets } from "../../support/fixtures.ts";

Deno.test("parseSecretsBundle() reads certs.os and trustdinfo.token from the Talos fixture unmodified", async () => {
  const bundle = parseSecretsBundle(await readTalosSecrets());
  assertMatch(bundle.caCertificatePem, /^-----BEGIN CERTIFICATE-----\n/);
  assertMatch(bundle.caKeyPem, /^-----BEGIN ED25519 PRIVATE KEY-----\n/);
  assertMatch(bundle.token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
});

Deno.test("parseSecretsBundle() names a missing field without printing any value", async () => {
  const text = (await readTalosSecrets()).replace(/trustdinfo:\n\s+token: \S+\n/, "");
  assertThrows(() => parseSecretsBundle(text), TypeError, "trustdinfo.token is missing");
  const other = (await readTalosSecrets()).replace(/(\n {4}os:\n {8}crt: )\S+/, "$1not-base64!");
  const error = assertThrows(
    () => parseSecretsBundle(other),
    TypeError,
    "certs.os.crt is not base64 PEM",
  );
  assertEquals(error.message.includes("not-base64!"), false);
});

Deno.test("parseSecretsBundle() refuses text that is not YAML", () => {
  assertThrows(() => parseSecretsBundle("a: [b\n"), TypeError, "not YAML");
});
