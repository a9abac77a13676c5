/**
 * Hostile CSRs with valid signatures, for fuzzing what a token holder can send: random subjects
 * (odd string types, character sets, empty values and RDNs, several CNs, attributes without a
 * value, random attribute type OIDs with arcs up to 2^53, around Go's 2^31 limit), random SANs (malformed host names, wildcards, bad IP lengths, emails, URIs) and, for EC
 * keys, compressed points. Unlike byte mutations, these reach the policy and the signer.
 *
 * @module
 */
import { encode, encodeOid, TAG } from "../../src/pki/der.ts";
import type { KeyType } from "../../src/pki/key_type.ts";
import type { Mutation } from "./csr_mutations.ts";
import { compressedP256Spki, rawCsr } from "./raw_csr.ts";

const encoder = new TextEncoder();

const OIDS = [
  "2.5.4.3", // CN, twice as likely
  "2.5.4.3",
  "2.5.4.10", // O
  "2.5.4.11", // OU
  "2.5.4.7", // L
  "2.5.4.6", // C
  "2.5.4.5", // serialNumber
  "0.9.2342.19200300.100.1.25", // DC
  "1.2.840.113549.1.9.1", // emailAddress
  "1.3.6.1.4.1.99999.1", // unknown
];
/** Arcs around the limits of Go (below 2^31) and of our decoder (2^53 / 128). */
const HUGE_ARCS = [2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 + 5, 2 ** 40, 2 ** 46, 2 ** 53 - 1];

/**
 * A random OID: 0.x or 1.x (x < 40) or 2.x, then up to five arcs, some of them huge (including the
 * first subidentifier, which combines the first two arcs).
 */
function randomOid(int: (n: number) => number): string {
  const arc = () =>
    int(2) === 0 ? HUGE_ARCS[int(HUGE_ARCS.length)]! : int(3) ? int(128) : int(2 ** 20);
  const root = int(3);
  const second = root < 2
    ? int(40)
    : int(4) === 0
    ? pickOf([2 ** 31 - 81, 2 ** 31 - 80, 2 ** 31], int)
    : arc();
  return [root, second, ...Array.from({ length: int(6) }, arc)].join(".");
}

function pickOf<T>(items: readonly T[], int: (n: number) => number): T {
  return items[int(items.length)]!;
}

const TAGS = [0x0c, 0x0c, 0x0c, 0x13, 0x13, 0x13, 0x16, 0x1e, 0x14, 0x12, 0x30, 0x05, 0x02];
const VALUES: (string | Uint8Array)[] = [
  "worker-1",
  "w1.example.com",
  "CH",
  "rack 7 (a-b)",
  "",
  "a@b",
  "line\nbreak",
  "esc\x1b[2J",
  "\u202eevil",
  "w\u00e9rker \u2603",
  "*.bank.example",
  ".example.com",
  "x".repeat(300),
  "os:admin",
  Uint8Array.of(0xff, 0xfe),
  Uint8Array.of(0),
  Uint8Array.of(0x00, 0x61),
];
const DNS_NAMES = [
  "worker-1",
  "w1.example.com",
  "W1.Example.COM.",
  "*.bank.example",
  ".example.com",
  "bank.example/.example.com",
  "a b.example",
  "",
  "a..b",
  "-x.example",
  "x_y.example",
  `${"x".repeat(70)}.example`,
  "xn--bcher-kva.example",
  "\u00e9vil.example",
  "evil\x00.example",
];

/**
 * Makes a signed CSR with a random hostile subject and SANs for one of `keys`.
 *
 * @param key the key pair that signs, and its type
 * @param random the PRNG
 * @returns the mutation, kind `signed`
 */
export async function signedMutation(
  key: { keys: CryptoKeyPair; type: KeyType },
  random: () => number,
): Promise<Mutation> {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]) => items[int(items.length)]!;
  const value = () => {
    const v = pick(VALUES);
    return typeof v === "string" ? encoder.encode(v) : v;
  };
  const attribute = () => {
    if (int(25) === 0) return encode(TAG.sequence, encodeOid(pick(OIDS)));
    if (int(3) === 0) {
      // A random type, with a value that is otherwise acceptable half of the time.
      const content = int(2)
        ? encode(TAG.utf8String, encoder.encode("x"))
        : encode(pick(TAGS), value());
      return encode(TAG.sequence, encodeOid(randomOid(int)), content);
    }
    return encode(TAG.sequence, encodeOid(pick(OIDS)), encode(pick(TAGS), value()));
  };
  const rdns = Array.from(
    { length: int(4) },
    () => encode(TAG.set, ...Array.from({ length: int(12) === 0 ? 0 : 1 + int(2) }, attribute)),
  );
  const names = Array.from({ length: int(5) }, () => {
    switch (int(6)) {
      case 0:
        return encode(0x87, Uint8Array.from({ length: pick([4, 4, 16, 5]) }, () => int(256)));
      case 1:
        return encode(0x81, encoder.encode("root@example.com"));
      case 2:
        return encode(0x86, encoder.encode("spiffe://cluster/node"));
      default:
        return encode(0x82, encoder.encode(pick(DNS_NAMES)));
    }
  });
  const spki = key.type === "ECDSA-P256" && int(8) === 0
    ? await compressedP256Spki(key.keys.publicKey)
    : undefined;
  const pem = await rawCsr({
    ...key,
    subject: encode(TAG.sequence, ...rdns),
    spki,
    sans: names.length || int(2) ? encode(TAG.sequence, ...names) : undefined,
  });
  return { kind: "signed", csr: encoder.encode(pem) };
}
