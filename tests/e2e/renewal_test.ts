/**
 * Serving-certificate renewal on the running process (contract §6): with a short
 * SERVING_CERT_LIFETIME the certificate presented on the port is replaced, again and again,
 * without a restart, and calls keep succeeding across the swaps.
 */
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { x509 } from "../../src/pki/_x509.ts";
import { BACKDATE_MS } from "../../src/pki/validity.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { readTalosSecrets, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { callCertificate } from "../support/grpc_client.ts";
import { makeCsr } from "../support/keys.ts";
import { openssl } from "../support/openssl.ts";
import { startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());
const LIFETIME_S = 16;

/** The leaf the server presents, as a worker verifies it: against the Talos CA, by IP. */
async function presentedCertificate(port: number): Promise<string> {
  const result = await openssl([
    "s_client",
    "-connect",
    `127.0.0.1:${port}`,
    "-alpn",
    "h2",
    "-CAfile",
    "{ca}",
    "-verify_ip",
    "127.0.0.1",
    "-verify_return_error",
  ], { ca: bundle.caCertificatePem });
  assertEquals(result.code, 0, result.stderr);
  assertMatch(result.stdout, /Verify return code: 0 \(ok\)/);
  const pem = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(result.stdout);
  assert(pem, `no certificate in s_client output:\n${result.stdout}`);
  return pem[0];
}

Deno.test("the self-issued serving certificate is renewed at half its SERVING_CERT_LIFETIME, repeatedly, while calls keep succeeding", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`], {
    SERVING_CERT_LIFETIME: `${LIFETIME_S}s`,
  });
  const seen: string[] = [];
  let calls = 0;
  try {
    // Renewals are due about every 8 s; a loaded machine gets two minutes to show two of them.
    const deadline = Date.now() + 120_000;
    while (seen.length < 3 && Date.now() < deadline) {
      const pem = await presentedCertificate(server.port);
      if (!seen.includes(pem)) seen.push(pem);
      const result = await callCertificate({
        port: server.port,
        caPem: bundle.caCertificatePem,
        token: bundle.token,
        csr: (await makeCsr()).pem,
      });
      assert(
        result.ok,
        `call ${calls} after ${seen.length} certificates: ${JSON.stringify(result)}`,
      );
      calls++;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await server.stop();
  }
  assert(seen.length >= 3, `the port presented ${seen.length} certificate(s) in two minutes`);
  for (const pem of seen) {
    const certificate = new x509.X509Certificate(pem);
    const window = certificate.notAfter.getTime() - certificate.notBefore.getTime();
    assertEquals(window, LIFETIME_S * 1000 + BACKDATE_MS, "validity window: lifetime + backdate");
  }
  const renewed = server.logs.filter((l) => l.includes('"msg":"serving certificate renewed"'));
  assert(renewed.length >= 2, `${renewed.length} renewal log lines`);
});
