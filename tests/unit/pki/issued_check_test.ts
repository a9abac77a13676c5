import { buildTokenSet } from "../../../src/auth/token_set.ts";
import { buildAuthority, issueCertificate } from "../../../src/authority.ts";
import { checkIssued } from "../../../src/pki/issued_check.ts";
import { assertEquals } from "../../support/assert.ts";
import { makeCa, makeCsr } from "../../support/keys.ts";

async function issued() {
  const ca = await makeCa();
  const authority = await buildAuthority({
    caCertificatePem: ca.certificatePem,
    caKeyPem: ca.keyPem,
    tokens: await buildTokenSet(["t"]),
  });
  const csr = await makeCsr({ names: [{ type: "ip", value: "10.0.0.1" }] });
  const answer = await issueCertificate(authority, new TextEncoder().encode(csr.pem), new Date());
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("spki", csr.keys.publicKey));
  return { answer, publicKey };
}

const failed = (checks: { name: string; ok: boolean }[]) =>
  checks.filter((c) => !c.ok).map((c) => c.name);

Deno.test("checkIssued() passes a correct answer", async () => {
  const { answer, publicKey } = await issued();
  const checks = await checkIssued(answer.caPem, answer.certificatePem, {
    publicKey,
    dnsNames: [],
    ipAddresses: ["10.0.0.1"],
  }, new Date());
  assertEquals(failed(checks), []);
  assertEquals(checks.length, 9);
});

Deno.test("checkIssued() catches another key, another CA, missing SANs and expiry", async () => {
  const { answer, publicKey } = await issued();
  const other = await issued();
  const expect = { publicKey: other.publicKey, dnsNames: ["w1"], ipAddresses: ["10.0.0.1"] };
  assertEquals(
    failed(await checkIssued(other.answer.caPem, answer.certificatePem, expect, new Date())),
    [
      "crt certifies our key",
      "crt chains to ca",
      "crt names what we asked for",
    ],
  );
  const later = new Date(Date.now() + 30 * 3600_000);
  assertEquals(
    failed(
      await checkIssued(answer.caPem, answer.certificatePem, {
        publicKey,
        dnsNames: [],
        ipAddresses: ["10.0.0.1"],
      }, later),
    ),
    [
      "crt is valid now",
      "crt outlives the 12 h renewal",
    ],
  );
});
