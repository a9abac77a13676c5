/**
 * `openssl` as an independent judge of what we issue.
 *
 * @module
 */
import { type ProcessResult, runWithInput } from "./process.ts";

/** Result of an openssl run. */
export type OpensslResult = ProcessResult;

/**
 * Runs openssl with `stdin` and files written to a temporary folder.
 *
 * @param args arguments; `{name}` placeholders are replaced by paths of `files`
 * @param files file contents by placeholder name
 * @param stdin standard input
 * @returns the result
 */
export async function openssl(
  args: string[],
  files: Record<string, string> = {},
  stdin = "",
): Promise<OpensslResult> {
  const dir = await Deno.makeTempDir({ prefix: "openssl-" });
  try {
    for (const [name, content] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, content);
    }
    const resolved = args.map((a) => a.replace(/\{(\w+)\}/g, (_, n) => `${dir}/${n}`));
    return await runWithInput("openssl", resolved, stdin);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Prints a certificate with `openssl x509 -text`.
 *
 * @param pem the certificate
 * @returns the text output
 * @throws {Error} when openssl cannot parse it
 */
export async function opensslText(pem: string): Promise<string> {
  const result = await openssl(["x509", "-noout", "-text"], {}, pem);
  if (result.code !== 0) throw new Error(`openssl x509 failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * Verifies `leafPem` against the CA bundle for server auth with `openssl verify`.
 *
 * @param caPem trusted CAs
 * @param leafPem certificate to verify
 * @returns the result; code 0 means verified
 */
export function opensslVerify(caPem: string, leafPem: string): Promise<OpensslResult> {
  return openssl(["verify", "-purpose", "sslserver", "-CAfile", "{ca}", "{leaf}"], {
    ca: caPem,
    leaf: leafPem,
  });
}

/**
 * Issues a serving certificate the way an operator would with openssl: a fresh Ed25519 key, a CSR,
 * and `x509 -req` (which adds no CA extensions) with serverAuth and localhost/127.0.0.1 SANs.
 *
 * @param caCertificatePem the signing CA
 * @param caKeyPem its key, in a label openssl reads
 * @param commonName the subject CN
 * @returns the certificate and key, PEM
 * @throws {Error} when openssl fails
 */
export async function opensslServingCertificate(
  caCertificatePem: string,
  caKeyPem: string,
  commonName: string,
): Promise<{ certificatePem: string; keyPem: string }> {
  const key = await openssl(["genpkey", "-algorithm", "ed25519"]);
  const csr = await openssl(["req", "-new", "-key", "{key}", "-subj", `/CN=${commonName}`], {
    key: key.stdout,
  });
  const crt = await openssl(
    ["x509", "-req", "-CA", "{ca}", "-CAkey", "{cakey}", "-days", "1", "-extfile", "{ext}"],
    {
      ca: caCertificatePem,
      cakey: caKeyPem,
      ext: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    },
    csr.stdout,
  );
  if (key.code || csr.code || crt.code) {
    throw new Error(`openssl failed: ${key.stderr}${csr.stderr}${crt.stderr}`);
  }
  return { certificatePem: crt.stdout, keyPem: key.stdout };
}
