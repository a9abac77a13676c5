/**
 * The `dev` verb: a throwaway development CA and token under a local folder, then `serve` on
 * 127.0.0.1:50001. Nothing it creates is fit for production.
 *
 * @module
 */
import { createDevelopmentMaterial } from "../pki/development_ca.ts";
import { printErr } from "./output.ts";
import { runServe } from "./serve.ts";
import { DEFAULT_STATE_DIR, DEV_DEFAULT_FLAGS, devEndpoint } from "./dev_defaults.ts";

/**
 * Creates (once) and uses development material, then serves.
 *
 * @param args flags passed on to `serve` (they may override the development defaults)
 * @param env the environment; `DEV_STATE_DIR` moves the state folder
 * @returns the exit code of `serve`
 */
export async function runDev(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const dir = env.DEV_STATE_DIR || DEFAULT_STATE_DIR;
  const paths = { cert: `${dir}/ca.crt`, key: `${dir}/ca.key`, token: `${dir}/token` };
  if (!(await exists(paths.key))) {
    const material = await createDevelopmentMaterial(new Date());
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(paths.cert, material.caCertificatePem);
    await Deno.writeTextFile(paths.key, material.caKeyPem, { mode: 0o600 });
    await Deno.writeTextFile(paths.token, material.token + "\n", { mode: 0o600 });
  }
  const devDefaults = [
    ...DEV_DEFAULT_FLAGS,
    `--ca-cert=${paths.cert}`,
    `--ca-key=${paths.key}`,
    `--token-file=${paths.token}`,
  ];
  printErr(banner(dir, paths, devEndpoint([...devDefaults, ...args])));
  const devEnv = { ...env, CA_CERT_PATH: "", CA_KEY_PATH: "", TALOS_SECRETS_PATH: "" };
  return await runServe([...devDefaults, ...args], devEnv);
}

function banner(
  dir: string,
  paths: { cert: string; key: string; token: string },
  endpoint: string,
): string {
  const chosen = endpoint.endsWith(":PORT")
    ? "PORT is the port in the listening line below.\n"
    : "";
  return `
*** DEVELOPMENT MODE: throwaway CA and token in ${dir}/ - never use them in production ***

Check it exactly as a Talos worker would (from another terminal):
  deno task request --endpoint ${endpoint} --ca ${paths.cert} --token-file ${paths.token}

Or with openssl and grpcurl:
  openssl genpkey -algorithm ed25519 -out worker.key
  openssl req -new -key worker.key -subj /CN=worker-1 \\
    -addext subjectAltName=IP:127.0.0.1,DNS:worker-1 -out worker.csr
  grpcurl -cacert ${paths.cert} -proto proto/security.proto \\
    -H "token: $(cat ${paths.token})" -d "{\\"csr\\": \\"$(base64 -w0 worker.csr)\\"}" \\
    ${endpoint} securityapi.SecurityService/Certificate
${chosen}
`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
