import { CsrError, parseCsr } from "../../../src/pki/csr.ts";
import {
  concat,
  encode as encodeDer,
  encodeOid,
  readAll,
  readOnly,
  TAG,
} from "../../../src/pki/der.ts";
import { formatName, removeDroppedAttributes } from "../../../src/pki/name.ts";
import { decodePem, encodePem } from "../../../src/pki/pem.ts";
import { assertEquals, assertMatch, assertRejects } from "../../support/assert.ts";
import { generateKeyPair, KEY_TYPES, makeCsr } from "../../support/keys.ts";
import {
  attribute,
  compressedP256Spki,
  generalNames,
  name,
  rawCsr,
} from "../../support/raw_csr.ts";
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
    name: "an extra field after the signature",
    input: async () => {
      const der = decodePem((await makeCsr()).pem)[0]!.der;
      const fields = readOnly(der, TAG.sequence).content;
      const extended = encodeDer(TAG.sequence, fields, new Uint8Array([TAG.null, 0]));
      return encode(encodePem("CERTIFICATE REQUEST", extended));
    },
    reason: "parse",
    message: "CertificationRequest has extra fields",
  },
  {
    name: "an extra field after the attributes",
    input: async () => {
      const der = decodePem((await makeCsr()).pem)[0]!.der;
      const [info, ...rest] = readAll(readOnly(der, TAG.sequence).content);
      const infoFields = readOnly(info!.encoded, TAG.sequence).content;
      const extended = encodeDer(TAG.sequence, infoFields, new Uint8Array([TAG.null, 0]));
      const csr = encodeDer(TAG.sequence, extended, ...rest.map((v) => v.encoded));
      return encode(encodePem("CERTIFICATE REQUEST", csr));
    },
    reason: "parse",
    message: "CertificationRequestInfo has extra fields",
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

const CN = "2.5.4.3";
const OU = "2.5.4.11";
const O = "2.5.4.10";
const UTF8 = 0x0c;
const PRINTABLE = 0x13;
const ed25519 = await generateKeyPair("Ed25519");
const withName = (subject: Uint8Array, sans?: Uint8Array) =>
  rawCsr({ keys: ed25519, type: "Ed25519", subject, sans });
const WORKER_SAN = generalNames(["worker-1"]);

/** Subjects a token holder can sign that Go or OpenSSL would refuse to parse once issued. */
const subjectRefusals: { name: string; subject: Uint8Array; sans?: Uint8Array; message: string }[] =
  [
    {
      name: "a CN encoded as a SEQUENCE",
      subject: name([
        concat(encodeDer(0x30, encodeOid(CN), encodeDer(0x30, encodeDer(0x02, Uint8Array.of(1))))),
      ]),
      message:
        "attribute CN is encoded as a SEQUENCE, not a PrintableString, UTF8String or IA5String",
    },
    {
      name: "an attribute type OID with an arc of 2^31 (Go cannot parse the Name)",
      subject: name([attribute(CN, UTF8, "worker-1")], [
        attribute("1.3.6.1.4.1.2147483648", UTF8, "x"),
      ]),
      message:
        "attribute type OBJECT IDENTIFIER 1.3.6.1.4.1.2147483648 has a subidentifier of 2^31 or more, which Go's crypto/x509 cannot parse",
    },
    {
      name: "a PrintableString CN with @ and a newline",
      subject: name([attribute(CN, PRINTABLE, "a@b\n")]),
      message: 'attribute CN is a PrintableString with characters outside its set: "a@b\\u{a}"',
    },
    {
      name: "a UTF8String CN with bytes ff fe",
      subject: name([attribute(CN, UTF8, Uint8Array.of(0x77, 0xff, 0xfe))]),
      message: "attribute CN is a UTF8String that is not valid UTF-8",
    },
    {
      name: "a UTF8String OU with an ESC sequence",
      subject: name([attribute(OU, UTF8, "rack\x1b[2J")]),
      message: 'attribute OU contains control or format characters: "rack\\u{1b}[2J"',
    },
    {
      name: "a UTF8String CN with a right-to-left override",
      subject: name([attribute(CN, UTF8, "worker\u202e1")]),
      message: 'attribute CN contains control or format characters: "worker\\u{202e}1"',
    },
    {
      name: "a BMPString CN",
      subject: name([attribute(CN, 0x1e, Uint8Array.of(0, 0x61))]),
      message: "attribute CN is encoded as a BMPString",
    },
    {
      name: "an empty CN",
      subject: name([attribute(CN, UTF8, "")]),
      message: "attribute CN is empty",
    },
    {
      name: "a CN with no value",
      subject: name([encodeDer(0x30, encodeOid(CN))]),
      message: "attribute CN has no value",
    },
    {
      name: "an empty RDN SET",
      subject: name([attribute(CN, UTF8, "worker-1")], []),
      message: "subject has an empty RDN",
    },
    {
      name: "two CNs",
      subject: name([attribute(CN, UTF8, "worker-1")], [attribute(CN, UTF8, "*.bank.example")]),
      message: 'subject has 2 Common Names ("worker-1", "*.bank.example"); at most one is allowed',
    },
    {
      name: "an empty subject and no SAN",
      subject: name(),
      sans: undefined,
      message: "empty (after removing Organization and emailAddress) and no DNS or IP SAN",
    },
    {
      name: "a subject of only Organization and no SAN",
      subject: name([attribute(O, UTF8, "os:admin")]),
      sans: undefined,
      message: "empty (after removing Organization and emailAddress) and no DNS or IP SAN",
    },
    {
      name: "a subject of only emailAddress and no SAN",
      subject: name([attribute("1.2.840.113549.1.9.1", 0x16, "ceo@bank.example")]),
      sans: undefined,
      message: "empty (after removing Organization and emailAddress) and no DNS or IP SAN",
    },
  ];

for (const r of subjectRefusals) {
  Deno.test(`parseCsr() refuses ${r.name} with reason subject, naming the attribute`, async () => {
    const pem = await withName(r.subject, "sans" in r ? r.sans : WORKER_SAN);
    const error = await assertRejects(() => parseCsr(encode(pem)), CsrError, r.message);
    assertEquals(error.reason, "subject");
    assertMatch(error.message, /^invalid CSR subject: /);
  });
}

Deno.test("parseCsr() accepts PrintableString, UTF8String and IA5String attributes and an empty subject with a SAN", async () => {
  const subject = name(
    [attribute(CN, UTF8, "w\u00e9rker \u2603")],
    [attribute(OU, PRINTABLE, "rack 7 (a-b), x=y?")],
    [attribute("1.2.840.113549.1.9.1", 0x16, "root@example.com")],
  );
  assertEquals(
    (await parseCsr(encode(await withName(subject, WORKER_SAN)))).commonName,
    "w\u00e9rker \u2603",
  );
  assertEquals((await parseCsr(encode(await withName(name(), WORKER_SAN)))).commonName, "");
});

Deno.test("parseCsr() refuses a compressed P-256 key (Go cannot parse it) with a message saying so", async () => {
  const keys = await generateKeyPair("ECDSA-P256");
  const pem = await rawCsr({
    keys,
    type: "ECDSA-P256",
    subject: name([attribute(CN, UTF8, "worker-1")]),
    spki: await compressedP256Spki(keys.publicKey),
  });
  const error = await assertRejects(() => parseCsr(encode(pem)), CsrError, "compressed EC point");
  assertEquals(error.reason, "parse");
});

Deno.test("parseCsr() never passes a raw JavaScript error message to the caller", async () => {
  // A signature over a point that is not on the curve: WebCrypto's own message must not leak.
  const keys = await generateKeyPair("ECDSA-P256");
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  spki[spki.length - 1]! ^= 1;
  const pem = await rawCsr({
    keys,
    type: "ECDSA-P256",
    subject: name([attribute(CN, UTF8, "worker-1")]),
    spki,
  });
  const error = await assertRejects(() => parseCsr(encode(pem)), CsrError);
  assertEquals(error.message, "failed to verify CSR signature: the public key cannot be used");
});

/** An Ed25519 public key encoding (y, sign bit 0) that no curve point has: x^2 has no root. */
function offCurveEd25519Point(): Uint8Array {
  const p = (1n << 255n) - 19n;
  const power = (base: bigint, exponent: bigint): bigint => {
    let result = 1n;
    for (base %= p; exponent > 0n; exponent >>= 1n, base = base * base % p) {
      if (exponent & 1n) result = result * base % p;
    }
    return result;
  };
  const d = (p - 121665n) * power(121666n, p - 2n) % p;
  for (let y = 2n;; y++) {
    const x2 = (y * y - 1n) * power(d * y * y + 1n, p - 2n) % p;
    if (x2 !== 0n && power(x2, (p - 1n) / 2n) !== 1n) {
      const bytes = new Uint8Array(32);
      for (let i = 0, v = y; i < 32; i++, v >>= 8n) bytes[i] = Number(v & 255n);
      return bytes;
    }
  }
}

Deno.test("parseCsr() refuses an Ed25519 key that is not a curve point as a signature failure, without the crypto library's message", async () => {
  const keys = await generateKeyPair("Ed25519");
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  spki.set(offCurveEd25519Point(), 12);
  const pem = await rawCsr({
    keys,
    type: "Ed25519",
    subject: name([attribute(CN, UTF8, "worker-1")]),
    spki,
  });
  const error = await assertRejects(() => parseCsr(encode(pem)), CsrError);
  assertEquals(error.reason, "signature");
  assertEquals(error.message, "failed to verify CSR signature: the public key cannot be used");
});

Deno.test("parseCsr() refuses a non-ASCII dNSName, naming it with control characters escaped", async () => {
  const sans = encodeDer(0x30, encodeDer(0x82, Uint8Array.of(0xe9, 0x1b, 0x2e, 0x78)));
  const pem = await withName(name([attribute(CN, UTF8, "worker-1")]), sans);
  const error = await assertRejects(
    () => parseCsr(encode(pem)),
    CsrError,
    'failed to parse CSR: dNSName "\u00e9\\u{1b}.x" is not IA5 (ASCII); use punycode',
  );
  assertEquals(error.reason, "parse");
});

Deno.test("parseCsr() gives the subject to issue without Organization and emailAddress, as removeDroppedAttributes() does (contract §3.3, §3.4)", async () => {
  const csr = await makeCsr({
    subject: "CN=worker-1, O=os:impersonator, OU=nodes, E=root@example.com, O=os:admin",
  });
  const parsed = await parseCsr(encode(csr.pem));
  assertEquals(parsed.issuedSubject.text, "CN=worker-1, OU=nodes");
  assertEquals(parsed.issuedSubject.der, removeDroppedAttributes(parsed.subject));
  assertEquals(formatName(parsed.subject).includes("O=os:impersonator"), true);
});
