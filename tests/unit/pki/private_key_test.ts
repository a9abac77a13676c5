import { importSigningKey, parsePrivateKey } from "../../../src/pki/private_key.ts";
import { parseSecretsBundle } from "../../../src/config/secrets_bundle.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";
import { readTalosSecrets } from "../../support/fixtures.ts";
import { openssl } from "../../support/openssl.ts";

async function opensslKey(genpkey: string[], convert?: string[]): Promise<string> {
  const key = await openssl(["genpkey", ...genpkey]);
  if (!convert) return key.stdout;
  return (await openssl(convert, {}, key.stdout)).stdout;
}

Deno.test("parsePrivateKey() reads the Talos bundle's ED25519 PRIVATE KEY as it is (contract §4)", async () => {
  const bundle = parseSecretsBundle(await readTalosSecrets());
  assertEquals(bundle.caKeyPem.split("\n")[0], "-----BEGIN ED25519 PRIVATE KEY-----");
  const key = parsePrivateKey(bundle.caKeyPem);
  assertEquals(key.type, "Ed25519");
  assertEquals((await importSigningKey(key)).algorithm.name, "Ed25519");
});

const cases: { label: string; genpkey: string[]; convert?: string[]; type: string }[] = [
  { label: "PRIVATE KEY", genpkey: ["-algorithm", "ed25519"], type: "Ed25519" },
  {
    label: "PRIVATE KEY",
    genpkey: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    type: "ECDSA-P256",
  },
  {
    label: "EC PRIVATE KEY",
    genpkey: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    convert: ["ec"],
    type: "ECDSA-P256",
  },
  {
    label: "EC PRIVATE KEY",
    genpkey: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    convert: ["ec"],
    type: "ECDSA-P384",
  },
  {
    label: "PRIVATE KEY",
    genpkey: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    type: "RSA",
  },
  {
    label: "RSA PRIVATE KEY",
    genpkey: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    convert: ["rsa", "-traditional"],
    type: "RSA",
  },
];

for (const c of cases) {
  Deno.test(`parsePrivateKey() reads an openssl ${c.type} key labelled ${c.label} (contract §4)`, async () => {
    const pem = await opensslKey(c.genpkey, c.convert);
    assertEquals(pem.split("\n")[0], `-----BEGIN ${c.label}-----`);
    const key = parsePrivateKey(pem);
    assertEquals(key.type, c.type);
    const signingKey = await importSigningKey(key);
    assertEquals(signingKey.extractable, false);
  });
}

Deno.test("parsePrivateKey() refuses encrypted keys, saying so", async () => {
  const pem = await opensslKey(["-algorithm", "ed25519", "-aes256", "-pass", "pass:secret"]);
  assertThrows(() => parsePrivateKey(pem), TypeError, "encrypted keys are not supported");
});

Deno.test("parsePrivateKey() refuses text without a key block", () => {
  assertThrows(
    () => parsePrivateKey("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
    TypeError,
    "no PEM PRIVATE KEY block",
  );
});

Deno.test("parsePrivateKey() refuses an unsupported curve", async () => {
  const pem = await opensslKey(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"]);
  assertThrows(() => parsePrivateKey(pem), TypeError, "is not P-256 or P-384");
});
