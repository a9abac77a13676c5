import { buildAcceptedCas } from "../../../src/pki/accepted_cas.ts";
import { decodePem, encodePem } from "../../../src/pki/pem.ts";
import { buildSerial, SERIAL_BYTES } from "../../../src/pki/serial.ts";
import { buildValidity, checkLifetime } from "../../../src/pki/validity.ts";
import { withAlwaysServedNames } from "../../../src/pki/serving_cert.ts";
import { assert, assertEquals, assertThrows } from "../../support/assert.ts";
import { makeCa } from "../../support/keys.ts";

Deno.test("encodePem() and decodePem() round-trip, with 64-character lines and a final newline", () => {
  const der = crypto.getRandomValues(new Uint8Array(100));
  const pem = encodePem("CERTIFICATE", der);
  assert(pem.endsWith("-----END CERTIFICATE-----\n"));
  assert(pem.split("\n").every((line) => line.length <= 64));
  assertEquals(decodePem(`comment\n${pem}trailer`), [{ label: "CERTIFICATE", der }]);
});

Deno.test("decodePem() refuses a block closed by another label", () => {
  assertThrows(
    () => decodePem("-----BEGIN A-----\nAAAA\n-----END B-----\n"),
    SyntaxError,
    "closed by END B",
  );
});

Deno.test("buildSerial() strips leading zero bytes and refuses zero (contract §3.6)", () => {
  const random = new Uint8Array(SERIAL_BYTES);
  random[2] = 0x80;
  random[15] = 1;
  assertEquals(buildSerial(random), "80" + "00".repeat(12) + "01");
  assertThrows(() => buildSerial(new Uint8Array(SERIAL_BYTES)), RangeError, "would be zero");
  assertThrows(() => buildSerial(new Uint8Array(8)), RangeError, "need 16 bytes");
});

Deno.test("buildValidity() refuses to issue from an expired CA", () => {
  const now = new Date("2030-01-01T00:00:00Z");
  assertThrows(
    () => buildValidity({ now, caNotAfter: new Date("2029-12-31T00:00:00Z") }),
    RangeError,
    "the CA expired",
  );
});

Deno.test("checkLifetime() requires more than 12h, because workers renew every 12h (contract §3.7)", () => {
  assertEquals(typeof checkLifetime(12 * 3600_000), "string");
  assertEquals(checkLifetime(12 * 3600_000 + 1000), undefined);
  assertEquals(typeof checkLifetime(Number.NaN), "string");
});

Deno.test("buildAcceptedCas() keeps bundle order, removes duplicates and puts the issuing CA last", async () => {
  const [a, b, issuing] = await Promise.all([makeCa(), makeCa(), makeCa()]);
  const bundle = a!.certificatePem + issuing!.certificatePem + b!.certificatePem +
    a!.certificatePem;
  const accepted = buildAcceptedCas(issuing!.certificatePem, bundle);
  assertEquals(accepted.pem, a!.certificatePem + b!.certificatePem + issuing!.certificatePem);
  assertEquals(accepted.certificates.length, 3);
});

Deno.test("buildAcceptedCas() refuses a bundle holding something other than certificates", async () => {
  const ca = await makeCa();
  assertThrows(
    () => buildAcceptedCas(ca.certificatePem, ca.keyPem),
    TypeError,
    "unexpected PEM block PRIVATE KEY",
  );
});

Deno.test("withAlwaysServedNames() adds 127.0.0.1, ::1 and localhost once", () => {
  assertEquals(
    withAlwaysServedNames({
      dnsNames: ["cp.example.com", "localhost"],
      ipAddresses: ["10.0.0.10"],
    }),
    {
      dnsNames: ["cp.example.com", "localhost"],
      ipAddresses: ["10.0.0.10", "127.0.0.1", "::1"],
    },
  );
});
