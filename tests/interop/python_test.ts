/**
 * Python grpcio (a gRPC stack we did not write, on BoringSSL) against the real server: IP SAN
 * verification of our serving certificate, the token rule, and what it gets back, judged by
 * openssl.
 */
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { assert, assertEquals, assertNotMatch } from "../support/assert.ts";
import { readTalosSecrets, REPO_ROOT, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { openssl, opensslText, opensslVerify } from "../support/openssl.ts";
import { startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());

async function pythonCall(port: number, csrPem: string, token?: string) {
  const dir = await Deno.makeTempDir({ prefix: "py-worker-" });
  try {
    await Deno.writeTextFile(`${dir}/ca.crt`, bundle.caCertificatePem);
    await Deno.writeTextFile(`${dir}/worker.csr`, csrPem);
    const args = [
      `${REPO_ROOT}tests/interop/python/worker_client.py`,
      `127.0.0.1:${port}`,
      `${dir}/ca.crt`,
      `${dir}/worker.csr`,
    ];
    if (token !== undefined) args.push(token);
    const output = await new Deno.Command("/usr/bin/python3", { args, stdin: "null" }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
    return JSON.parse(stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function opensslWorkerCsr(): Promise<{ keyPem: string; csrPem: string }> {
  const key = await openssl(["genpkey", "-algorithm", "ed25519"]);
  const csr = await openssl(
    [
      "req",
      "-new",
      "-key",
      "{key}",
      "-subj",
      "/O=os:impersonator/CN=py-worker",
      "-addext",
      "subjectAltName=IP:127.0.0.1,IP:10.5.0.3,DNS:py-worker",
    ],
    { key: key.stdout },
  );
  assertEquals(csr.code, 0, csr.stderr);
  return { keyPem: key.stdout, csrPem: csr.stdout };
}

Deno.test("Python grpcio gets a certificate for an openssl-made CSR, dialling 127.0.0.1 (IP SAN verified)", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  try {
    const { keyPem, csrPem } = await opensslWorkerCsr();
    const result = await pythonCall(server.port, csrPem, bundle.token);
    assert(result.ok, JSON.stringify(result));
    assertEquals(result.ca, bundle.caCertificatePem);
    const verified = await opensslVerify(result.ca, result.crt);
    assertEquals(verified.code, 0, verified.stdout + verified.stderr);
    const text = await opensslText(result.crt);
    assertNotMatch(text, /impersonator/);
    const certKey = await openssl(["x509", "-noout", "-pubkey"], {}, result.crt);
    const ownKey = await openssl(["pkey", "-pubout"], {}, keyPem);
    assertEquals(certKey.stdout, ownKey.stdout);
  } finally {
    await server.stop();
  }
});

Deno.test("Python grpcio sees UNAUTHENTICATED for a wrong or missing token", async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`]);
  try {
    const { csrPem } = await opensslWorkerCsr();
    assertEquals(await pythonCall(server.port, csrPem, "zzzzzz.zzzzzzzzzzzzzzzz"), {
      ok: false,
      code: "UNAUTHENTICATED",
      details: "invalid token",
    });
    assertEquals(await pythonCall(server.port, csrPem), {
      ok: false,
      code: "UNAUTHENTICATED",
      details: "missing token",
    });
  } finally {
    await server.stop();
  }
});
