/**
 * A throwaway CA and token for trying the service locally. Never for production: whoever can read
 * the state folder holds the CA key.
 *
 * @module
 */
import { generateParams } from "./key_type.ts";
import { encodePem } from "./pem.ts";
import { randomSerial } from "./serial.ts";

/** A generated CA and token, in the forms the loader reads. */
export interface DevelopmentMaterial {
  /** Self-signed Ed25519 CA certificate (`O=talos`), PEM. */
  caCertificatePem: string;
  /** Its key, PEM labelled `ED25519 PRIVATE KEY` exactly as `talosctl gen secrets` writes it. */
  caKeyPem: string;
  /** A token in the Talos generator's shape, `[a-z0-9]{6}.[a-z0-9]{16}`. */
  token: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Creates a development CA valid for one year from `now`, shaped like the Talos OS CA.
 *
 * @param now creation time
 * @returns the CA and a random token
 */
export async function createDevelopmentMaterial(now: Date): Promise<DevelopmentMaterial> {
  // Loaded here only: the generic X.509 library costs ~20 MB that `serve` does not need.
  const { x509 } = await import("./_x509.ts");
  const keys = await crypto.subtle.generateKey(generateParams("Ed25519"), true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ O: ["talos"] }],
    keys,
    signingAlgorithm: { name: "Ed25519" },
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return {
    caCertificatePem: encodePem("CERTIFICATE", new Uint8Array(certificate.rawData)),
    caKeyPem: encodePem("ED25519 PRIVATE KEY", pkcs8),
    token: `${randomToken(6)}.${randomToken(16)}`,
  };
}

function randomToken(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const out: string[] = [];
  while (out.length < length) {
    const [byte = 255] = crypto.getRandomValues(new Uint8Array(1));
    if (byte < 252) out.push(alphabet[byte % 36]!); // 252 = 7 * 36: no modulo bias
  }
  return out.join("");
}
