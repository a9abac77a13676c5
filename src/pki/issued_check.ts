/**
 * Checks an answer from a signer the way the worker's apid will use it, because the worker itself
 * checks nothing (contract §5): `crt` is one certificate for our key, chains to `ca`, is valid now,
 * is for server auth, names what we asked for; `ca` parses.
 *
 * @module
 */
import { parseCertificate, type ParsedCertificate } from "./certificate.ts";
import { decodePem } from "./pem.ts";
import { keyTypeOfSpki } from "./key_type.ts";
import { parseSignatureAlgorithm, verifyX509Signature } from "./signature_algorithm.ts";
import { readAll, readOnly, TAG } from "./der.ts";

/** One check and its outcome. */
export interface Check {
  /** What was checked. */
  name: string;
  /** Whether it held. */
  ok: boolean;
  /** Details, or why not. */
  detail: string;
}

/** What was asked for. */
export interface Expected {
  /** Our public key, SPKI DER. */
  publicKey: Uint8Array;
  /** The DNS names requested. */
  dnsNames: string[];
  /** The IP addresses requested. */
  ipAddresses: string[];
}

const SERVER_AUTH_DER = "06082b06010505070301";

/**
 * Runs every check on a response.
 *
 * @param caPem the response's `ca`
 * @param crtPem the response's `crt`
 * @param expected what was requested
 * @param now the current time
 * @returns the checks, in order
 */
export async function checkIssued(
  caPem: string,
  crtPem: string,
  expected: Expected,
  now: Date,
): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  let cas: ParsedCertificate[] = [];
  try {
    cas = decodePem(caPem).filter((b) => b.label === "CERTIFICATE").map((b) =>
      parseCertificate(b.der)
    );
    add("ca parses", cas.length > 0, `${cas.length} CA certificate(s)`);
  } catch (error) {
    add("ca parses", false, (error as Error).message);
  }
  const blocks = decodePem(crtPem);
  if (blocks.length !== 1 || blocks[0]!.label !== "CERTIFICATE") {
    add("crt is one certificate", false, `${blocks.length} PEM block(s)`);
    return checks;
  }
  let leaf: ParsedCertificate;
  try {
    leaf = parseCertificate(blocks[0]!.der);
    add("crt is one certificate", true, leaf.subjectText || "(empty subject)");
  } catch (error) {
    add("crt is one certificate", false, (error as Error).message);
    return checks;
  }
  add(
    "crt certifies our key",
    equal(leaf.publicKey, expected.publicKey),
    "public key matches the CSR's",
  );
  const issuer = await findIssuer(leaf, cas);
  add(
    "crt chains to ca",
    issuer !== undefined,
    issuer ? `signed by ${issuer.subjectText}` : "no certificate in ca verifies its signature",
  );
  const valid = leaf.notBefore <= now && now < leaf.notAfter;
  add(
    "crt is valid now",
    valid,
    `${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()}`,
  );
  const hours = (leaf.notAfter.getTime() - now.getTime()) / 3_600_000;
  add("crt outlives the 12 h renewal", hours > 12, `${hours.toFixed(1)} h left`);
  const der = leaf.der.toHex();
  add("crt is for server auth", der.includes(SERVER_AUTH_DER), "extKeyUsage serverAuth");
  add("crt is not a CA", !leaf.isCa, "no CA:TRUE");
  const missing = [
    ...expected.dnsNames.filter((n) => !leaf.names.dnsNames.includes(n)),
    ...expected.ipAddresses.filter((ip) => !leaf.names.ipAddresses.includes(ip)),
  ];
  add(
    "crt names what we asked for",
    missing.length === 0,
    missing.length ? `missing ${missing.join(", ")}` : "all SANs present",
  );
  return checks;
}

async function findIssuer(
  leaf: ParsedCertificate,
  cas: ParsedCertificate[],
): Promise<ParsedCertificate | undefined> {
  const [tbs, algorithm, signature] = readAll(readOnly(leaf.der, TAG.sequence).content);
  for (const ca of cas) {
    try {
      const ok = await verifyX509Signature(
        ca.publicKey,
        keyTypeOfSpki(ca.publicKey),
        parseSignatureAlgorithm(algorithm!),
        tbs!.encoded.slice(),
        signature!.content.subarray(1),
      );
      if (ok) return ca;
    } catch {
      // a CA of another key type: try the next
    }
  }
  return undefined;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
