/**
 * Hostile variants of a valid CSR for fuzzing: bit flips, truncations, random DER, giant
 * lengths, deep nesting and broken PEM. Seeded, so a failure can be replayed.
 *
 * @module
 */
import { encodePem } from "../../src/pki/pem.ts";

/** A small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutated request and how it was made. */
export interface Mutation {
  /** The strategy's name. */
  kind: string;
  /** The bytes to send as `csr`. */
  csr: Uint8Array;
}

const encoder = new TextEncoder();

/**
 * Makes the `index`-th mutation of `der` (a valid CSR's DER).
 *
 * @param der the valid CSR
 * @param random the PRNG
 * @returns the mutation
 */
export function mutateCsr(der: Uint8Array, random: () => number): Mutation {
  const int = (n: number) => Math.floor(random() * n);
  const pem = (bytes: Uint8Array, label = "CERTIFICATE REQUEST") =>
    encoder.encode(encodePem(label, bytes));
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  switch (int(9)) {
    case 0: {
      const copy = der.slice();
      for (let i = 0, n = 1 + int(8); i < n; i++) copy[int(copy.length)]! ^= 1 << int(8);
      return { kind: "bit-flip", csr: pem(copy) };
    }
    case 1:
      return { kind: "truncate-der", csr: pem(der.slice(0, int(der.length))) };
    case 2: {
      const text = encodePem("CERTIFICATE REQUEST", der);
      return { kind: "truncate-pem", csr: encoder.encode(text.slice(0, int(text.length))) };
    }
    case 3: {
      const body = bytes(int(600));
      return {
        kind: "random-der",
        csr: pem(new Uint8Array([0x30, 0x82, body.length >> 8, body.length & 0xff, ...body])),
      };
    }
    case 4: {
      // A giant length in the outer or an inner header.
      const copy = Array.from(der);
      const at = int(2) === 0 ? 1 : 2 + int(Math.max(1, der.length - 8));
      copy.splice(at, 1, 0x84, 0xff, 0xff, 0xff, 0xf0 + int(16));
      return { kind: "giant-length", csr: pem(new Uint8Array(copy)) };
    }
    case 5: {
      const depth = 100 + int(20_000);
      const nested = new Uint8Array(depth * 2);
      for (let i = 0; i < depth; i++) nested.set([0x30, 0x80], i * 2);
      return { kind: "deep-nesting", csr: pem(nested) };
    }
    case 6:
      return { kind: "random-bytes", csr: bytes(int(4096)) };
    case 7:
      return { kind: "wrong-label", csr: pem(der, ["CERTIFICATE", "PRIVATE KEY", "X"][int(3)]) };
    default: {
      // Splice random bytes into the middle.
      const copy = Array.from(der);
      copy.splice(int(copy.length), int(16), ...bytes(int(32)));
      return { kind: "splice", csr: pem(new Uint8Array(copy)) };
    }
  }
}
