import {
  buildCommonNameSubject,
  commonNameOf,
  formatName,
  removeDroppedAttributes,
} from "../../../src/pki/name.ts";
import { decodePem } from "../../../src/pki/pem.ts";
import { assertEquals } from "../../support/assert.ts";
import { openssl } from "../../support/openssl.ts";

async function opensslSubject(subject: string): Promise<Uint8Array> {
  const key = await openssl(["genpkey", "-algorithm", "ed25519"]);
  const csr = await openssl([
    "req",
    "-new",
    "-key",
    "{key}",
    "-subj",
    subject,
    "-utf8",
    "-outform",
    "PEM",
  ], { key: key.stdout });
  const der = decodePem(csr.stdout)[0]!.der;
  // CertificationRequest > CertificationRequestInfo > [version, subject, ...]
  const { readAll, readOnly, TAG } = await import("../../../src/pki/der.ts");
  const [info] = readAll(readOnly(der, TAG.sequence).content);
  return readAll(info!.content)[1]!.encoded;
}

Deno.test("removeDroppedAttributes() drops every O, keeps the rest in order, and openssl reads the result (contract §3.3)", async () => {
  const subject = await opensslSubject("/O=os:impersonator/CN=worker-1/OU=nodes/O=system:masters");
  const kept = removeDroppedAttributes(subject);
  assertEquals(formatName(kept), "CN=worker-1, OU=nodes");
});

Deno.test("removeDroppedAttributes() drops every emailAddress, also inside a multi-valued RDN (contract §3.4: only DNS and IP identities)", async () => {
  const subject = await opensslSubject(
    "/CN=worker-1/emailAddress=ceo@bank.example/OU=nodes+emailAddress=cfo@bank.example",
  );
  assertEquals(formatName(removeDroppedAttributes(subject)), "CN=worker-1, OU=nodes");
});

Deno.test("removeDroppedAttributes() of a subject that is only O gives an empty Name", async () => {
  assertEquals(
    removeDroppedAttributes(await opensslSubject("/O=os:impersonator")),
    new Uint8Array([0x30, 0]),
  );
});

Deno.test("commonNameOf() decodes UTF8String and PrintableString names; formatName() escapes RFC 4514 specials", async () => {
  assertEquals(commonNameOf(await opensslSubject("/CN=w\u00e9rker")), "w\u00e9rker");
  assertEquals(commonNameOf(await opensslSubject("/OU=x")), "");
  assertEquals(formatName(await opensslSubject("/CN=a,b=c;d")), "CN=a\\,b\\=c\\;d");
});

Deno.test("buildCommonNameSubject() is a Name openssl parses as one UTF8String commonName", async () => {
  const der = buildCommonNameSubject("talos-csr-signer");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/name.der`, der);
    const parsed = await openssl(["asn1parse", "-inform", "DER", "-in", `${dir}/name.der`]);
    assertEquals(parsed.code, 0, parsed.stderr);
    assertEquals(
      /:commonName\s*\n.*UTF8STRING\s*:talos-csr-signer/.test(parsed.stdout),
      true,
      parsed.stdout,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals([formatName(der), commonNameOf(der)], ["CN=talos-csr-signer", "talos-csr-signer"]);
});
