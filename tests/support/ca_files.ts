/**
 * A CA and token written as the separate files `serve` reads (CA_CERT_PATH, CA_KEY_PATH,
 * TALOS_TOKEN_FILE), private as the signer requires.
 *
 * @module
 */
import type { MadeCa } from "./keys.ts";
import { registerTokenFile } from "./secret_registry.ts";

/**
 * Writes `ca.crt`, `ca.key` and `token` into `dir`.
 *
 * @param dir the folder
 * @param ca the CA
 * @param token the token file's content (one or more lines)
 * @returns the `serve` flags that point at them
 */
export async function writeCaFiles(dir: string, ca: MadeCa, token: string): Promise<string[]> {
  registerTokenFile(token, "writeCaFiles()");
  await Deno.writeTextFile(`${dir}/ca.crt`, ca.certificatePem);
  await Deno.writeTextFile(`${dir}/ca.key`, ca.keyPem, { mode: 0o600 });
  await Deno.writeTextFile(`${dir}/token`, token, { mode: 0o600 });
  return [`--ca-cert=${dir}/ca.crt`, `--ca-key=${dir}/ca.key`, `--token-file=${dir}/token`];
}
