/**
 * Hostile CSRs through the real Certificate handler: every answer must be a clean gRPC error
 * (never INTERNAL) or a valid certificate for the requested key, subject (minus Organization) and
 * SANs that both Go's crypto/x509 and OpenSSL parse, and nothing may crash.
 */
import { Metadata, status } from "@grpc/grpc-js";
import { buildTokenSet } from "../../src/auth/token_set.ts";
import { buildAuthority } from "../../src/authority.ts";
import { parseSecretsBundle } from "../../src/config/secrets_bundle.ts";
import { createCertificateHandler } from "../../src/grpc/security_service.ts";
import { createLogger } from "../../src/ops/log.ts";
import { x509 } from "../../src/pki/_x509.ts";
import { decodePem } from "../../src/pki/pem.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { mutateCsr, type Mutation, seededRandom } from "../support/csr_mutations.ts";
import { readTalosSecrets, TALOS_SECRETS_PATH } from "../support/fixtures.ts";
import { callCertificate } from "../support/grpc_client.ts";
import { goBatch } from "../support/go_worker.ts";
import { goProgram } from "../support/go_programs.ts";
import { openssl } from "../support/openssl.ts";
import { runWithInput } from "../support/process.ts";
import { signedMutation } from "../support/signed_mutations.ts";
import { generateKeyPair, KEY_TYPES, makeCsr } from "../support/keys.ts";
import { attribute, generalNames, name, rawCsr } from "../support/raw_csr.ts";
import { startServer } from "../support/server_process.ts";

const bundle = parseSecretsBundle(await readTalosSecrets());
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20261126);
const IN_PROCESS = 10_000;
const OVER_THE_WIRE = 500;
const ALLOWED = new Set(["OK", "INVALID_ARGUMENT", "PERMISSION_DENIED"]);

Deno.test(`${IN_PROCESS} mutated CSRs through the Certificate handler get a clean error or a valid certificate (seed ${SEED})`, async () => {
  const authority = await buildAuthority({
    caCertificatePem: bundle.caCertificatePem,
    caKeyPem: bundle.caKeyPem,
    tokens: await buildTokenSet([bundle.token]),
  });
  const lines: string[] = [];
  const handler = createCertificateHandler({
    authority: () => authority,
    logger: createLogger("json", (l) => lines.push(l)),
    clock: () => new Date(),
  });
  const metadata = new Metadata();
  metadata.set("token", bundle.token);
  const seeds = await Promise.all(
    KEY_TYPES.map(async (type) => ({ type, ...(await makeCsr({ type })) })),
  );
  const random = seededRandom(SEED);
  const counts: Record<string, number> = {};
  const caKey = new x509.X509Certificate(bundle.caCertificatePem).publicKey;
  const issuedPairs: { csr: string; crt: string }[] = [];
  for (let i = 0; i < IN_PROCESS; i++) {
    const source = seeds[i % seeds.length]!;
    // One call in three is a validly signed hostile CSR; the rest are byte-level mutations.
    const mutation = i % 3 === 0
      ? await signedMutation(source, random)
      : mutateCsr(decodePem(source.pem)[0]!.der, random);
    const outcome = await new Promise<{ code: string; crt?: Uint8Array }>((resolve) => {
      const call = { request: { csr: mutation.csr }, metadata, getPeer: () => "127.0.0.1:40000" };
      handler(
        call as never,
        (error, response) =>
          resolve(error ? { code: status[error.code!] } : { code: "OK", crt: response!.crt }),
      );
    });
    counts[`${mutation.kind}:${outcome.code}`] = (counts[`${mutation.kind}:${outcome.code}`] ?? 0) +
      1;
    assert(
      ALLOWED.has(outcome.code),
      `mutation ${i} (${mutation.kind}) got ${outcome.code}: ${lines.at(-1)}`,
    );
    if (outcome.crt) {
      const certificate = new x509.X509Certificate(new TextDecoder().decode(outcome.crt));
      assert(
        await certificate.verify({ publicKey: caKey, signatureOnly: true }),
        `mutation ${i} issued a certificate that does not verify`,
      );
      issuedPairs.push({
        csr: new TextDecoder().decode(mutation.csr),
        crt: new TextDecoder().decode(outcome.crt),
      });
    }
  }
  assert(
    counts["signed:OK"]! > 100 && counts["signed:INVALID_ARGUMENT"]! > 100,
    `signed mutations reach both issuance and refusal: ${JSON.stringify(counts)}`,
  );
  await assertGoAndOpensslAgree(issuedPairs);
  assertEquals(Object.values(counts).reduce((a, b) => a + b, 0), IN_PROCESS);
  const records = lines.map((l) => JSON.parse(l));
  assertEquals(
    records.filter((r) => r.msg === "certificate request").length,
    IN_PROCESS,
    "one request line per call",
  );
  const issued = Object.entries(counts).filter(([k]) => k.endsWith(":OK")).reduce(
    (n, [, v]) => n + v,
    0,
  );
  assertEquals(
    records.filter((r) => r.msg === "certificate issued" && r.audit).length,
    issued,
    "one audit record per certificate",
  );
});

Deno.test("attribute type OIDs at Go's limit: an arc of 2^31 - 1 is issued and parsed by Go and OpenSSL, 2^31 gets INVALID_ARGUMENT naming the OID", async () => {
  const authority = await buildAuthority({
    caCertificatePem: bundle.caCertificatePem,
    caKeyPem: bundle.caKeyPem,
    tokens: await buildTokenSet([bundle.token]),
  });
  const handler = createCertificateHandler({
    authority: () => authority,
    logger: createLogger("json", () => {}),
    clock: () => new Date(),
  });
  const metadata = new Metadata();
  metadata.set("token", bundle.token);
  const keys = await generateKeyPair("Ed25519");
  const ask = async (oid: string) => {
    const csr = await rawCsr({
      keys,
      type: "Ed25519",
      subject: name([attribute("2.5.4.3", 0x0c, "worker-1")], [attribute(oid, 0x0c, "x")]),
      sans: generalNames(["worker-1"]),
    });
    const call = {
      request: { csr: new TextEncoder().encode(csr) },
      metadata,
      getPeer: () => "127.0.0.1:1",
    };
    return await new Promise<{ csr: string; code: string; details?: string; crt?: string }>((
      resolve,
    ) =>
      handler(call as never, (error, response) =>
        resolve(
          error
            ? { csr, code: status[error.code!], details: error.details }
            : { csr, code: "OK", crt: new TextDecoder().decode(response!.crt) },
        ))
    );
  };
  const largest = await Promise.all(["1.3.6.1.4.1.2147483647", "2.2147483567"].map(ask));
  assertEquals(largest.map((r) => r.code), ["OK", "OK"]);
  await assertGoAndOpensslAgree(largest.map((r) => ({ csr: r.csr, crt: r.crt! })));
  for (const oid of ["1.3.6.1.4.1.2147483648", "2.2147483568"]) {
    const refused = await ask(oid);
    assertEquals(refused.code, "INVALID_ARGUMENT");
    assertEquals(
      refused.details,
      `invalid CSR subject: attribute type OBJECT IDENTIFIER ${oid} has a subidentifier of 2^31 or more, which Go's crypto/x509 cannot parse`,
    );
  }
});

/**
 * Every issued certificate must parse with Go's crypto/x509 and with OpenSSL, and Go must find in
 * it exactly the CSR's key, subject without Organization, and DNS and IP SANs. Batched: one Go
 * process and two openssl processes for all of them.
 */
async function assertGoAndOpensslAgree(pairs: { csr: string; crt: string }[]): Promise<void> {
  const go = await runWithInput(
    await goProgram("tests/interop/go/issued_match.go"),
    [],
    JSON.stringify({ caPem: bundle.caCertificatePem, pairs }),
  );
  assertEquals(go.code, 0, go.stderr);
  const report = JSON.parse(go.stdout) as { checked: number; failures: string[] };
  assertEquals(report.failures.slice(0, 5), [], `Go: ${report.failures.length} failures`);
  assertEquals(report.checked, pairs.length);
  const bundled = await openssl(["crl2pkcs7", "-nocrl", "-certfile", "{certs}"], {
    certs: pairs.map((p) => p.crt).join(""),
  });
  assertEquals(bundled.code, 0, `openssl cannot read an issued certificate: ${bundled.stderr}`);
  const printed = await openssl(["pkcs7", "-print_certs", "-text", "-noout"], {}, bundled.stdout);
  assertEquals(printed.code, 0, printed.stderr);
  assertEquals(printed.stdout.match(/^Certificate:$/gm)?.length, pairs.length);
}

Deno.test(`${OVER_THE_WIRE} mutated CSRs over gRPC (grpc-go, fresh connections) leave the server process up and serving`, async () => {
  const server = await startServer([`--secrets=${TALOS_SECRETS_PATH}`, "--rate-limit-per-peer=0"]);
  try {
    const source = { type: "Ed25519" as const, ...(await makeCsr()) };
    const der = decodePem(source.pem)[0]!.der;
    const random = seededRandom(SEED + 1);
    // One in three is a validly signed hostile CSR (random subjects, attribute OIDs, SANs).
    const batch: Mutation[] = [];
    for (let j = 0; j < OVER_THE_WIRE; j++) {
      batch.push(j % 3 === 0 ? await signedMutation(source, random) : mutateCsr(der, random));
    }
    const results = await goBatch(
      server.port,
      bundle.caCertificatePem,
      batch.map((m) => ({ token: bundle.token, csr: m.csr })),
      16,
    );
    for (const [j, result] of results.entries()) {
      assert(ALLOWED.has(result.code), `${batch[j]!.kind} got ${result.code}: ${result.details}`);
    }
    const issued = results.flatMap((r, j) =>
      r.crt ? [{ csr: new TextDecoder().decode(batch[j]!.csr), crt: r.crt }] : []
    );
    assert(issued.length > 0, "some mutations keep the CSR valid");
    assert(
      results.some((r, j) => r.crt && batch[j]!.kind === "signed"),
      "some signed mutations are issued",
    );
    await assertGoAndOpensslAgree(issued);
    assert(
      (await callCertificate({
        port: server.port,
        caPem: bundle.caCertificatePem,
        token: bundle.token,
        csr: (await makeCsr()).pem,
      })).ok,
    );
  } finally {
    const stopped = await server.stop();
    assertEquals(stopped.code, 0, stopped.logs.slice(-20).join("\n"));
  }
});
