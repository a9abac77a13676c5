import { buildIssuingCa } from "../../../src/pki/issuing_ca.ts";
import { MaterialError } from "../../../src/pki/material_error.ts";
import { parseSecretsBundle } from "../../../src/config/secrets_bundle.ts";
import { assertEquals, assertMatch, assertRejects } from "../../support/assert.ts";
import { readTalosSecrets } from "../../support/fixtures.ts";
import { makeCa } from "../../support/keys.ts";
import { openssl } from "../../support/openssl.ts";

Deno.test("buildIssuingCa() loads the Talos bundle's OS CA unmodified (contract §4)", async () => {
  const bundle = parseSecretsBundle(await readTalosSecrets());
  const ca = await buildIssuingCa(bundle.caCertificatePem, bundle.caKeyPem);
  assertEquals(ca.keyType, "Ed25519");
  assertEquals(ca.certificate.subjectText, "O=talos");
  const fingerprint = await openssl(
    ["x509", "-noout", "-fingerprint", "-sha256"],
    {},
    bundle.caCertificatePem,
  );
  assertEquals(
    ca.fingerprint,
    fingerprint.stdout.split("=")[1]!.trim().replaceAll(":", "").toLowerCase(),
  );
});

Deno.test("buildIssuingCa() refuses a key that does not belong to the certificate", async () => {
  const ca = await makeCa();
  const other = await makeCa();
  const error = await assertRejects(
    () => buildIssuingCa(ca.certificatePem, other.keyPem),
    MaterialError,
    "does not match",
  );
  assertEquals(error.input, "key");
});

Deno.test("buildIssuingCa() refuses a key of another type than the certificate's", async () => {
  const ca = await makeCa({ type: "Ed25519" });
  const other = await makeCa({ type: "ECDSA-P256" });
  const error = await assertRejects(
    () => buildIssuingCa(ca.certificatePem, other.keyPem),
    MaterialError,
  );
  assertMatch(error.message, /key is ECDSA-P256 but the certificate's key is Ed25519/);
});

Deno.test("buildIssuingCa() refuses a certificate that is not a CA", async () => {
  const leaf = await makeCa({ isCa: false, subject: "CN=not-a-ca" });
  const error = await assertRejects(
    () => buildIssuingCa(leaf.certificatePem, leaf.keyPem),
    MaterialError,
    "is not a CA",
  );
  assertEquals(error.input, "certificate");
});

Deno.test("buildIssuingCa() refuses text that holds no certificate", async () => {
  const ca = await makeCa();
  const error = await assertRejects(
    () => buildIssuingCa(ca.keyPem, ca.keyPem),
    MaterialError,
    "no PEM CERTIFICATE block",
  );
  assertEquals(error.input, "certificate");
});
