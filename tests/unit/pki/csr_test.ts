import { CsrError, parseCsr } from "../../../src/pki/csr.ts";
import { decodePem, encodePem } from "../../../src/pki/pem.ts";
import { assertEquals, assertRejects } from "../../support/assert.ts";
import { KEY_TYPES, makeCsr } from "../../support/keys.ts";
import { openssl } from "../../support/openssl.ts";

const encode = (text: string) => new TextEncoder().encode(text);

for (const type of KEY_TYPES) {
  Deno.test(`parseCsr() accepts a ${type} CSR and returns its DNS and IP SANs`, async () => {
    const csr = await makeCsr({ type });
    const parsed = await parseCsr(encode(csr.pem));
    assertEquals(parsed.dnsNames, ["worker-1"]);
    assertEquals(parsed.ipAddresses, ["10.5.0.2", "127.0.0.1", "::1"]);
    assertEquals(parsed.commonName, "worker-1");
  });
}

Deno.test("parseCsr() accepts an openssl CSR whatever its PEM label (contract §3.1)", async () => {
  const key = await openssl(["genpkey", "-algorithm", "ed25519"]);
  const csr = await openssl(["req", "-new", "-key", "{key}", "-subj", "/CN=node"], {
    key: key.stdout,
  });
  const relabelled = csr.stdout.replaceAll("CERTIFICATE REQUEST", "ANYTHING");
  assertEquals((await parseCsr(encode(relabelled))).commonName, "node");
});

const refusals: {
  name: string;
  input: () => Promise<Uint8Array>;
  reason: string;
  message: string;
}[] = [
  {
    name: "empty input",
    input: () => Promise.resolve(new Uint8Array()),
    reason: "decode",
    message: "failed to decode CSR",
  },
  {
    name: "invalid UTF-8",
    input: () => Promise.resolve(new Uint8Array([0xff, 0xfe, 0x00])),
    reason: "decode",
    message: "failed to decode CSR",
  },
  {
    name: "PEM with bad base64",
    input: () => Promise.resolve(encode("-----BEGIN X-----\n@@@@\n-----END X-----\n")),
    reason: "decode",
    message: "failed to decode CSR",
  },
  {
    name: "trailing bytes after the DER",
    input: async () => {
      const der = decodePem((await makeCsr()).pem)[0]!.der;
      return encode(encodePem("CERTIFICATE REQUEST", new Uint8Array([...der, 0, 0])));
    },
    reason: "parse",
    message: "trailing bytes",
  },
  {
    name: "a truncated DER",
    input: async () => {
      const der = decodePem((await makeCsr()).pem)[0]!.der;
      return encode(encodePem("CERTIFICATE REQUEST", der.subarray(0, der.length - 10)));
    },
    reason: "parse",
    message: "failed to parse CSR",
  },
  {
    name: "a DER that is not a CSR",
    input: () =>
      Promise.resolve(
        encode(encodePem("CERTIFICATE REQUEST", new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))),
      ),
    reason: "parse",
    message: "failed to parse CSR",
  },
];

for (const r of refusals) {
  Deno.test(`parseCsr() refuses ${r.name} with reason ${r.reason}`, async () => {
    const error = await assertRejects(async () => parseCsr(await r.input()), CsrError, r.message);
    assertEquals(error.reason, r.reason);
  });
}
