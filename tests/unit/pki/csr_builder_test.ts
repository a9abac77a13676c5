import { buildCsr } from "../../../src/pki/csr_builder.ts";
import { parseCsr } from "../../../src/pki/csr.ts";
import { generateKeyPair, KEY_TYPES } from "../../support/keys.ts";
import { assertEquals, assertMatch } from "../../support/assert.ts";
import { openssl } from "../../support/openssl.ts";

for (const type of KEY_TYPES) {
  Deno.test(`buildCsr() makes a ${type} CSR that openssl verifies and parseCsr() reads back`, async () => {
    const keys = await generateKeyPair(type);
    const pem = await buildCsr(keys, type, {
      commonName: "w1",
      dnsNames: ["w1.example"],
      ipAddresses: ["10.0.0.1", "fd00::1"],
    });
    const verified = await openssl(["req", "-verify", "-noout", "-text"], {}, pem);
    assertEquals(verified.code, 0, verified.stderr);
    assertMatch(
      verified.stdout + verified.stderr,
      /verify OK|Certificate request self-signature verify OK/,
    );
    assertMatch(
      verified.stdout,
      /DNS:w1\.example, IP Address:10\.0\.0\.1, IP Address:FD00:0:0:0:0:0:0:1/,
    );
    const parsed = await parseCsr(new TextEncoder().encode(pem));
    assertEquals([parsed.commonName, parsed.dnsNames, parsed.ipAddresses], ["w1", ["w1.example"], [
      "10.0.0.1",
      "fd00::1",
    ]]);
  });
}
