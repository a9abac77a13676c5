/**
 * A worker-like Go client (crypto/tls, crypto/x509, Debian's grpc-go) against the real server:
 * it verifies our serving certificate by IP, gets a certificate, verifies it against `ca` with
 * Go's crypto/x509 for server auth, and uses it in a real crypto/tls handshake.
 */
import { FILE_TOKEN } from "../support/test_tokens.ts";
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { readTalosSecrets, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { goCall } from "../support/go_worker.ts";
import { type MadeCa, makeCa } from "../support/keys.ts";
import { startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());

Deno.test("a Go worker gets a certificate from the Talos bundle that crypto/x509 and crypto/tls accept", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  try {
    for (const key of ["ed25519", "ecdsa", "rsa"]) {
      const result = await goCall(server.port, bundle.caCertificatePem, bundle.token, key);
      assertEquals(result.code, 0, JSON.stringify(result));
      assert(result.report.ok, JSON.stringify(result.report));
      assertEquals(result.report.passed.length, 7);
      assertEquals(result.report.cas, 1);
    }
  } finally {
    await server.stop();
  }
});

Deno.test("a Go worker sees UNAUTHENTICATED for a wrong token", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  try {
    const result = await goCall(server.port, bundle.caCertificatePem, "wrong0.0000000000000000");
    assertEquals(result.report, { ok: false, code: "Unauthenticated", details: "invalid token" });
  } finally {
    await server.stop();
  }
});

async function writeCa(
  dir: string,
  ca: MadeCa,
  name: string,
): Promise<{ cert: string; key: string }> {
  await Deno.writeTextFile(`${dir}/${name}.crt`, ca.certificatePem);
  await Deno.writeTextFile(`${dir}/${name}.key`, ca.keyPem, { mode: 0o600 });
  return { cert: `${dir}/${name}.crt`, key: `${dir}/${name}.key` };
}

for (const type of ["ECDSA-P256", "ECDSA-P384", "RSA"] as const) {
  Deno.test(`a Go worker accepts certificates from an ${type} CA loaded from files, with an accepted old CA`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "ca-files-" });
    const old = await makeCa({ subject: "O=talos-previous" });
    const ca = await makeCa({ type });
    const files = await writeCa(dir, ca, "ca");
    await Deno.writeTextFile(`${dir}/accepted.pem`, old.certificatePem);
    await Deno.writeTextFile(`${dir}/token`, `${FILE_TOKEN}\n`, { mode: 0o600 });
    const server = await startServer([
      `--ca-cert=${files.cert}`,
      `--ca-key=${files.key}`,
      `--accepted-cas=${dir}/accepted.pem`,
      `--token-file=${dir}/token`,
    ]);
    try {
      const result = await goCall(
        server.port,
        ca.certificatePem,
        FILE_TOKEN,
        type === "RSA" ? "rsa" : "ecdsa",
      );
      assert(result.report?.ok, JSON.stringify(result));
      assertEquals(result.report.cas, 2);
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
