import { parseCertificate, parseTime } from "../../../src/pki/certificate.ts";
import { DerError, readValue } from "../../../src/pki/der.ts";
import { decodePem } from "../../../src/pki/pem.ts";
import { parseSecretsBundle } from "../../../src/config/secrets_bundle.ts";
import { assertEquals, assertThrows } from "../../support/assert.ts";
import { readTalosSecrets } from "../../support/fixtures.ts";
import { openssl } from "../../support/openssl.ts";

Deno.test("parseCertificate() reads the Talos fixture CA as openssl does", async () => {
  const pem = parseSecretsBundle(await readTalosSecrets()).caCertificatePem;
  const certificate = parseCertificate(decodePem(pem)[0]!.der);
  const text = await openssl(
    ["x509", "-noout", "-subject", "-enddate", "-startdate", "-ext", "subjectKeyIdentifier"],
    {},
    pem,
  );
  assertEquals(certificate.subjectText, "O=talos");
  assertEquals(certificate.isCa, true);
  assertEquals(
    certificate.notAfter.getTime(),
    new Date(/notAfter=(.*)/.exec(text.stdout)![1]!).getTime(),
  );
  assertEquals(
    certificate.notBefore.getTime(),
    new Date(/notBefore=(.*)/.exec(text.stdout)![1]!).getTime(),
  );
  const ski = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(text.stdout)![1]!.replaceAll(
    ":",
    "",
  ).toLowerCase();
  assertEquals(certificate.subjectKeyId!.toHex(), ski);
});

Deno.test("parseCertificate() reads an openssl leaf's SANs and sees it is not a CA", async () => {
  const key = await openssl(["genpkey", "-algorithm", "ed25519"]);
  const crt = await openssl(
    [
      "req",
      "-x509",
      "-new",
      "-key",
      "{key}",
      "-subj",
      "/CN=leaf/O=org",
      "-days",
      "1",
      "-addext",
      "basicConstraints=CA:FALSE",
      "-addext",
      "subjectAltName=DNS:a.example,IP:10.0.0.1,IP:fd00::1",
    ],
    { key: key.stdout },
  );
  const certificate = parseCertificate(decodePem(crt.stdout)[0]!.der);
  assertEquals(certificate.subjectText, "CN=leaf, O=org");
  assertEquals(certificate.isCa, false);
  assertEquals(certificate.names, {
    dnsNames: ["a.example"],
    ipAddresses: ["10.0.0.1", "fd00::1"],
  });
});

Deno.test("parseTime() reads RFC 5280 UTCTime and GeneralizedTime and refuses other forms", () => {
  const value = (tag: number, text: string) =>
    readValue(new Uint8Array([tag, text.length, ...new TextEncoder().encode(text)])).value;
  assertEquals(parseTime(value(0x17, "491231235959Z")).toISOString(), "2049-12-31T23:59:59.000Z");
  assertEquals(parseTime(value(0x17, "500101000000Z")).toISOString(), "1950-01-01T00:00:00.000Z");
  assertEquals(parseTime(value(0x18, "20500101000000Z")).toISOString(), "2050-01-01T00:00:00.000Z");
  assertThrows(() => parseTime(value(0x17, "4912312359Z")), DerError, "not an RFC 5280 time");
  assertThrows(() => parseTime(value(0x18, "20500101000000.5Z")), DerError, "not an RFC 5280 time");
});
