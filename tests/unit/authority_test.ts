import {
  assert,
  assertEquals,
  assertMatch,
  assertNotMatch,
  assertRejects,
} from "../support/assert.ts";
import { buildTokenSet } from "../../src/auth/token_set.ts";
import { buildAuthority, issueCertificate } from "../../src/authority.ts";
import { CsrError } from "../../src/pki/csr.ts";
import { x509 } from "../../src/pki/_x509.ts";
import { KEY_TYPES, makeCa, makeCsr } from "../support/keys.ts";
import { opensslText, opensslVerify } from "../support/openssl.ts";

const NOW = new Date();

async function authorityFor(type: (typeof KEY_TYPES)[number] = "Ed25519", acceptedCasPem = "") {
  const ca = await makeCa({ type });
  const authority = await buildAuthority({
    caCertificatePem: ca.certificatePem,
    caKeyPem: ca.keyPem,
    acceptedCasPem,
    tokens: await buildTokenSet(["abcdef.0123456789abcdef"]),
  });
  return { ca, authority };
}

for (const type of KEY_TYPES) {
  Deno.test(`issueCertificate() issues a leaf that openssl verifies for server auth (${type} CA, contract §3.8)`, async () => {
    const { ca, authority } = await authorityFor(type);
    const csr = await makeCsr({ type });
    const issued = await issueCertificate(authority, new TextEncoder().encode(csr.pem), NOW);
    const verified = await opensslVerify(issued.caPem, issued.certificatePem);
    assertEquals(verified.code, 0, verified.stderr + verified.stdout);
    const text = await opensslText(issued.certificatePem);
    const expected = {
      "Ed25519": "ED25519",
      "ECDSA-P256": "ecdsa-with-SHA256",
      "ECDSA-P384": "ecdsa-with-SHA384",
      "RSA": "sha256WithRSAEncryption",
    }[type];
    assertMatch(text, new RegExp(`Signature Algorithm: ${expected}`));
    assertEquals(issued.caPem, ca.certificatePem);
  });
}

Deno.test("issueCertificate() signs with the CA's algorithm even when the CSR key differs (contract §3.8)", async () => {
  const { authority } = await authorityFor("ECDSA-P256");
  const csr = await makeCsr({ type: "Ed25519" });
  const issued = await issueCertificate(authority, new TextEncoder().encode(csr.pem), NOW);
  const text = await opensslText(issued.certificatePem);
  assertMatch(text, /Signature Algorithm: ecdsa-with-SHA256/);
  assertMatch(text, /Public Key Algorithm: ED25519/);
});

Deno.test("issueCertificate() removes Organization and keeps the rest of the subject (contract §3.3)", async () => {
  const { authority } = await authorityFor();
  const csr = await makeCsr({ subject: "CN=worker-1, O=os:impersonator, O=os:admin, OU=nodes" });
  const issued = await issueCertificate(authority, new TextEncoder().encode(csr.pem), NOW);
  const text = await opensslText(issued.certificatePem);
  assertMatch(text, /Subject: CN ?= ?worker-1, OU ?= ?nodes\n/);
  assertNotMatch(text, /os:impersonator|os:admin/);
});

Deno.test("issueCertificate() copies only DNS and IP SANs (contract §3.4)", async () => {
  const { authority } = await authorityFor();
  const csr = await makeCsr({
    names: [
      { type: "dns", value: "worker-1" },
      { type: "ip", value: "10.5.0.2" },
      { type: "ip", value: "fd00::2" },
      { type: "email", value: "root@example.com" },
      { type: "url", value: "spiffe://cluster/worker" },
    ],
    extensions: [new x509.BasicConstraintsExtension(true, 2, true)],
  });
  const issued = await issueCertificate(authority, new TextEncoder().encode(csr.pem), NOW);
  const text = await opensslText(issued.certificatePem);
  assertMatch(
    text,
    /X509v3 Subject Alternative Name: *\n *DNS:worker-1, IP Address:10.5.0.2, IP Address:FD00:0:0:0:0:0:0:2\n/,
  );
  assertNotMatch(text, /email|spiffe|CA:TRUE|Basic Constraints/);
});

Deno.test("issueCertificate() sets keyUsage digitalSignature only, serverAuth only, AKI from the CA (contract §3.5)", async () => {
  const { ca, authority } = await authorityFor();
  const issued = await issueCertificate(
    authority,
    new TextEncoder().encode((await makeCsr()).pem),
    NOW,
  );
  const text = await opensslText(issued.certificatePem);
  assertMatch(text, /X509v3 Key Usage: critical\n *Digital Signature\n/);
  assertMatch(text, /X509v3 Extended Key Usage: *\n *TLS Web Server Authentication\n/);
  assertNotMatch(text, /Key Encipherment|Client Authentication|Basic Constraints/);
  const caText = await opensslText(ca.certificatePem);
  const ski = caText.match(/Subject Key Identifier: *\n *([0-9A-F:]+)/)![1]!;
  assertMatch(text, new RegExp(`Authority Key Identifier: *\\n *(keyid:)?${ski}`));
});

Deno.test("issueCertificate() draws a positive serial in which each of 128 bits is random (contract §3.6)", async () => {
  const { authority } = await authorityFor();
  const csr = new TextEncoder().encode((await makeCsr()).pem);
  // Each of the 128 low bits must be set in about half of the serials. A bit that never (or
  // always) changes is not random: 104 random bits in a 128-bit field fail here, whatever the
  // serial's hex length. With 256 draws, a fair bit falls outside 64..192 with probability ~1e-15.
  const draws = 256;
  const ones = new Array<number>(128).fill(0);
  const serials = new Set<bigint>();
  for (let i = 0; i < draws; i++) {
    const issued = await issueCertificate(authority, csr, NOW);
    const serial = BigInt(`0x${new x509.X509Certificate(issued.certificatePem).serialNumber}`);
    serials.add(serial);
    for (let bit = 0; bit < 128; bit++) ones[bit]! += Number((serial >> BigInt(bit)) & 1n);
  }
  assertEquals(serials.size, draws);
  const skewed = ones.flatMap((count, bit) =>
    count < draws / 4 || count > draws * 3 / 4 ? [bit] : []
  );
  assertEquals(skewed, [], `bits set in too few or too many of ${draws} serials: ${skewed}`);
  const text = await opensslText((await issueCertificate(authority, csr, NOW)).certificatePem);
  assertNotMatch(text, /Serial Number:.*\(Negative\)/);
});

Deno.test("issueCertificate() issues for 24h by default with a 1 minute backdate (contract §3.7)", async () => {
  const { authority } = await authorityFor();
  const issued = await issueCertificate(
    authority,
    new TextEncoder().encode((await makeCsr()).pem),
    NOW,
  );
  const certificate = new x509.X509Certificate(issued.certificatePem);
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  assertEquals(seconds(certificate.notBefore), seconds(NOW) - 60);
  assertEquals(seconds(certificate.notAfter), seconds(NOW) + 24 * 3600);
});

Deno.test("issueCertificate() never issues past the CA's NotAfter (contract §3.7)", async () => {
  const caNotAfter = new Date(Math.floor(Date.now() / 1000) * 1000 + 3 * 3600_000);
  const ca = await makeCa({ notAfter: caNotAfter });
  const authority = await buildAuthority({
    caCertificatePem: ca.certificatePem,
    caKeyPem: ca.keyPem,
    tokens: await buildTokenSet(["t"]),
  });
  const issued = await issueCertificate(
    authority,
    new TextEncoder().encode((await makeCsr()).pem),
    NOW,
  );
  assertEquals(
    new x509.X509Certificate(issued.certificatePem).notAfter.getTime(),
    caNotAfter.getTime(),
  );
});

Deno.test("issueCertificate() answers every accepted CA with the issuing CA last (contract §3.9, §4)", async () => {
  const old = await makeCa({ subject: "O=talos-old" });
  const { ca, authority } = await authorityFor("Ed25519", old.certificatePem);
  const issued = await issueCertificate(
    authority,
    new TextEncoder().encode((await makeCsr()).pem),
    NOW,
  );
  assertEquals(issued.caPem, old.certificatePem + ca.certificatePem);
  assert(issued.caPem.endsWith("\n"));
  assertEquals(issued.certificatePem.match(/BEGIN CERTIFICATE/g)?.length, 1);
});

Deno.test("issueCertificate() certifies the CSR's public key (contract §3.9)", async () => {
  const { authority } = await authorityFor();
  const csr = await makeCsr();
  const issued = await issueCertificate(authority, new TextEncoder().encode(csr.pem), NOW);
  const certified = new x509.X509Certificate(issued.certificatePem).publicKey.rawData;
  const requested = await crypto.subtle.exportKey("spki", csr.keys.publicKey);
  assertEquals(new Uint8Array(certified), new Uint8Array(requested));
});

Deno.test("issueCertificate() refuses a CSR whose signature does not verify (contract §3.2)", async () => {
  const { authority } = await authorityFor();
  const csr = await makeCsr();
  const der = new x509.Pkcs10CertificateRequest(csr.pem).rawData;
  const tampered = new Uint8Array(der);
  tampered[tampered.length - 5]! ^= 0x01;
  const pem = new x509.Pkcs10CertificateRequest(tampered).toString("pem");
  const error = await assertRejects(
    () => issueCertificate(authority, new TextEncoder().encode(pem), NOW),
    CsrError,
  );
  assertEquals(error.reason, "signature");
});
