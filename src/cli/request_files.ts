/**
 * `request --out DIR`: what a worker would hold after the call, as files an operator can inspect
 * with `openssl x509 -text -in DIR/worker.crt`.
 *
 * @module
 */

/** What one request produced. */
export interface RequestArtefacts {
  /** The worker key, PKCS#8 PEM. Written with mode 0600. */
  keyPem: string;
  /** The CSR sent. */
  csrPem: string;
  /** The issued certificate, when the signer answered. */
  crtPem?: string;
  /** The CA bundle returned, when the signer answered. */
  caPem?: string;
}

/**
 * Writes `worker.key`, `worker.csr`, and, after an answer, `worker.crt` and `ca.crt`.
 *
 * @param dir the folder (created with mode 0700 when missing)
 * @param artefacts what to write
 * @returns the file names written
 */
export async function saveRequestFiles(
  dir: string,
  artefacts: RequestArtefacts,
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const files: [string, string | undefined, number][] = [
    ["worker.key", artefacts.keyPem, 0o600],
    ["worker.csr", artefacts.csrPem, 0o644],
    ["worker.crt", artefacts.crtPem, 0o644],
    ["ca.crt", artefacts.caPem, 0o644],
  ];
  const written: string[] = [];
  for (const [name, text, mode] of files) {
    if (text === undefined) continue;
    await Deno.writeTextFile(`${dir}/${name}`, text, { mode });
    await Deno.chmod(`${dir}/${name}`, mode);
    written.push(name);
  }
  return written;
}
