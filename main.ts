/**
 * talos-csr-signer: a Talos trustd-compatible certificate signer for Talos workers joined to a
 * control plane that is not Talos. See README.md.
 *
 * @module
 */
import { runCli } from "./src/cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, Deno.env.toObject()));
}
