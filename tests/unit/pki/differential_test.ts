/**
 * The hand-written DER path against the generic library: random valid CSRs (random SAN sets with
 * IPv4 and IPv6, unusual but legal subjects, Ed25519, ECDSA P-256 and RSA keys) are parsed by our
 * parser and by @peculiar/x509, and issued through `signLeaf` and through @peculiar/x509's
 * generator; every field must agree. Every certificate is then parsed by openssl and verified by
 * Go's crypto/x509.
 *
 * That comparison shares our template, so it sees encoding bugs only. Subject, validity and SAN
 * selection are checked against an independent oracle: the contract's rules (§3.3, §3.4, §3.7)
 * applied by this test to what it asked for, compared with what `issueCertificate()` (the whole
 * issuance path) returns, as @peculiar/x509 reads it.
 */
import { buildTokenSet } from "../../../src/auth/token_set.ts";
import { buildAuthority, issueCertificate } from "../../../src/authority.ts";
import { x509 } from "../../../src/pki/_x509.ts";
import { parseCsr } from "../../../src/pki/csr.ts";
import { signLeaf } from "../../../src/pki/issuing_ca.ts";
import type { KeyType } from "../../../src/pki/key_type.ts";
import { signParams } from "../../../src/pki/key_type.ts";
import { buildLeafTemplate } from "../../../src/pki/leaf_template.ts";
import { randomSerial } from "../../../src/pki/serial.ts";
import { buildValidity } from "../../../src/pki/validity.ts";
import { formatIpBytes, parseIpBytes } from "../../../src/pki/ip_text.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { seededRandom } from "../../support/csr_mutations.ts";
import { goProgram } from "../../support/go_programs.ts";
import { generateKeyPair, makeCa } from "../../support/keys.ts";
import { openssl } from "../../support/openssl.ts";
import { referenceSignLeaf } from "../../support/reference_issuer.ts";

/** Three CA key types: 1,200 certificates; `deno task mutants` runs fewer (DIFF_PER_CA). */
const PER_CA = Number(Deno.env.get("DIFF_PER_CA") ?? 400);
const random = seededRandom(Number(Deno.env.get("DIFF_SEED") ?? 7));
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]) => items[int(items.length)]!;

const SUBJECT_PARTS: [string, string][] = [
  ["CN", "worker-1"],
  ["CN", "w\u00e9rker \u2603"],
  ["CN", "a,b+c"],
  ["OU", "nodes"],
  ["OU", "rack 7"],
  ["O", "os:impersonator"],
  ["O", "system:masters"],
  ["E", "ceo@bank.example"],
  ["L", "Z\u00fcrich"],
  ["C", "CH"],
  ["2.5.4.5", "0042"], // serialNumber
  ["CN", " leading space"],
];

/**
 * A subject of 0-3 RDNs with at most one CN (an empty subject is legal); O and E entries must
 * disappear from the result.
 */
function randomSubject(): x509.JsonName {
  const parts = Array.from({ length: int(4) }, () => pick(SUBJECT_PARTS));
  return parts.filter(([type], i) => type !== "CN" || parts.findIndex(([t]) => t === "CN") === i)
    .map(([type, value]) => ({ [type]: [value] }));
}

function randomNames(): x509.JsonGeneralName[] {
  const names: x509.JsonGeneralName[] = [];
  for (let i = int(6); i > 0; i--) {
    names.push({
      type: "dns",
      value: `n${int(1000)}.${pick(["example.com", "cluster.local", "x"])}`,
    });
  }
  for (let i = int(5); i > 0; i--) {
    names.push({ type: "ip", value: `10.${int(256)}.${int(256)}.${int(256)}` });
  }
  for (let i = int(4); i > 0; i--) {
    const groups = Array.from({ length: 8 }, () => (int(3) === 0 ? 0 : int(65536)).toString(16));
    names.push({ type: "ip", value: groups.join(":") });
  }
  if (int(8) === 0) names.push({ type: "email", value: "root@example.com" });
  return names;
}

/** A lifetime that is neither native's 24 h nor any other default, so ignoring it shows. */
const LIFETIME_MS = 37 * 3600_000;
const BACKDATE_MS = 60_000;
const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;

/** What the contract says the leaf for this CSR must carry, computed without our code. */
function expectedLeaf(
  request: x509.Pkcs10CertificateRequest,
  names: x509.JsonGeneralName[],
  now: Date,
  caNotAfter: Date,
) {
  const kept = names.filter((n) => n.type === "dns" || n.type === "ip"); // §3.4
  return {
    // §3.3, §3.4: the CSR's subject, Organization and emailAddress removed, the rest in order.
    subject: request.subjectName.toJSON().map((rdn) =>
      Object.fromEntries(Object.entries(rdn).filter(([type]) => type !== "O" && type !== "E"))
    ).filter((rdn) => Object.keys(rdn).length > 0),
    sans: kept.length === 0 ? [] : sanTexts(new x509.SubjectAlternativeNameExtension(kept)),
    // §3.7: now (minus the backdate) to now + lifetime, never past the CA.
    notBefore: seconds(now.getTime() - BACKDATE_MS),
    notAfter: seconds(Math.min(now.getTime() + LIFETIME_MS, caNotAfter.getTime())),
  };
}

function sanTexts(extension: x509.SubjectAlternativeNameExtension): string[] {
  return extension.names.items.map((n) => `${n.type}:${n.value}`).sort();
}

function actualLeaf(certificate: x509.X509Certificate) {
  const san = certificate.getExtension(x509.SubjectAlternativeNameExtension);
  return {
    subject: certificate.subjectName.toJSON(),
    sans: san ? sanTexts(san) : [],
    notBefore: certificate.notBefore.getTime(),
    notAfter: certificate.notAfter.getTime(),
  };
}

function fields(certificate: x509.X509Certificate) {
  const extensions = Object.fromEntries(certificate.extensions.map((e) => {
    let value: unknown = new Uint8Array(e.value).toHex();
    if (e instanceof x509.SubjectAlternativeNameExtension) {
      value = e.names.items.map((n) => `${n.type}:${n.value}`);
    }
    return [e.type, { critical: e.critical, value }];
  }));
  return {
    serial: certificate.serialNumber,
    subject: certificate.subject,
    issuer: certificate.issuer,
    notBefore: certificate.notBefore.getTime(),
    notAfter: certificate.notAfter.getTime(),
    publicKey: new Uint8Array(certificate.publicKey.rawData).toHex(),
    signatureAlgorithm: JSON.stringify(certificate.signatureAlgorithm),
    extensions,
  };
}

for (const caType of ["Ed25519", "ECDSA-P256", "RSA"] as const satisfies readonly KeyType[]) {
  Deno.test(`signLeaf() matches @peculiar/x509 field by field, and issueCertificate() keeps the contract's subject, SAN and validity rules, on ${PER_CA} random CSRs (${caType} CA)`, async () => {
    const ca = await makeCa({ type: caType });
    const authority = await buildAuthority({
      caCertificatePem: ca.certificatePem,
      caKeyPem: ca.keyPem,
      tokens: await buildTokenSet(["t"]),
      leafLifetimeMs: LIFETIME_MS,
    });
    const caNotAfter = new x509.X509Certificate(ca.certificatePem).notAfter;
    const keyTypes: KeyType[] = ["Ed25519", "ECDSA-P256", "RSA"];
    const pools: Record<string, CryptoKeyPair[]> = Object.fromEntries(
      await Promise.all(
        keyTypes.map(async (
          t,
        ) => [
          t,
          await Promise.all(Array.from({ length: t === "RSA" ? 4 : 16 }, () => generateKeyPair(t))),
        ]),
      ),
    );
    const caPublicKey = new x509.X509Certificate(ca.certificatePem).publicKey;
    const issued: string[] = [];
    for (let i = 0; i < PER_CA; i++) {
      const keyType = pick(keyTypes);
      const keys = pick(pools[keyType]!);
      const names = randomNames();
      const subject = randomSubject();
      // A CSR naming nothing (no attribute but O or E, no SAN) is refused; give it a SAN.
      const hasSan = names.some((n) => n.type === "dns" || n.type === "ip");
      if (!hasSan && subject.every((rdn) => "O" in rdn || "E" in rdn)) {
        names.push({ type: "dns", value: "worker-1" });
      }
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name: subject,
        keys,
        signingAlgorithm: signParams(keyType),
        extensions: names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [],
      });
      const parsed = await parseCsr(new TextEncoder().encode(csr.toString("pem")));
      const reference = new x509.Pkcs10CertificateRequest(csr.rawData);
      assertEquals(
        parsed.subject,
        new Uint8Array(reference.subjectName.toArrayBuffer()),
        `subject of CSR ${i}`,
      );
      assertEquals(
        parsed.publicKey,
        new Uint8Array(reference.publicKey.rawData),
        `key of CSR ${i}`,
      );
      const canonical = (
        text: string,
      ) => (parseIpBytes(text) ? formatIpBytes(parseIpBytes(text)!) : text);
      assertEquals(
        [...parsed.dnsNames, ...parsed.ipAddresses].map(canonical),
        names.filter((n) => n.type !== "email").sort((
          a,
          b,
        ) => (a.type === b.type ? 0 : a.type === "dns" ? -1 : 1)).map((n) =>
          canonical(new x509.GeneralName(n.type, n.value).value)
        ),
      );

      // One in eight is issued within three days of the CA's expiry, where the cap applies.
      const now = int(8) === 0
        ? new Date(caNotAfter.getTime() - 1000 - int(72 * 3600) * 1000)
        : new Date(Date.now() + int(1000) * 86_400_000);
      const request = new TextEncoder().encode(csr.toString("pem"));
      const leaf = new x509.X509Certificate(
        (await issueCertificate(authority, request, now)).certificatePem,
      );
      assertEquals(
        actualLeaf(leaf),
        expectedLeaf(reference, names, now, caNotAfter),
        `subject, SANs and validity of certificate ${i} (contract §3.3, §3.4, §3.7)`,
      );

      const validity = buildValidity({ now, caNotAfter: authority.issuingCa.certificate.notAfter });
      const template = buildLeafTemplate(parsed, randomSerial(), validity);
      const fast = new x509.X509Certificate(await signLeaf(authority.issuingCa, template));
      const slow = await referenceSignLeaf(authority.issuingCa, template);
      assertEquals(fields(fast), fields(slow), `certificate ${i}`);
      assert(
        await fast.verify({ publicKey: caPublicKey, signatureOnly: true }),
        `signature of certificate ${i}`,
      );
      issued.push(fast.toString("pem"));
    }

    const dir = await Deno.makeTempDir({ prefix: "diff-" });
    try {
      await Deno.writeTextFile(`${dir}/ca.pem`, ca.certificatePem);
      await Deno.writeTextFile(`${dir}/leaves.pem`, issued.join("\n") + "\n");
      const text = await openssl(["crl2pkcs7", "-nocrl", "-certfile", `${dir}/leaves.pem`]).then((
        p7,
      ) => openssl(["pkcs7", "-print_certs", "-text", "-noout"], {}, p7.stdout));
      assertEquals(text.code, 0, text.stderr);
      assertEquals(text.stdout.match(/Certificate:\n/g)?.length, PER_CA);
      const go = await new Deno.Command(await goProgram("tests/interop/go/verify_tool.go"), {
        args: [`${dir}/ca.pem`, `${dir}/leaves.pem`],
      }).output();
      assertEquals(go.code, 0, new TextDecoder().decode(go.stderr));
      assertEquals(JSON.parse(new TextDecoder().decode(go.stdout)), { verified: PER_CA });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
