/**
 * talos-csr-signer: a Talos trustd-compatible certificate signer for Talos workers joined to a
 * control plane that is not Talos. See README.md.
 *
 * @module
 */
import { runCli } from "./src/cli/mod.ts";
import { flushLogs } from "./src/ops/log.ts";

if (import.meta.main) {
  const code = await runCli(Deno.args, Deno.env.toObject());
  flushLogs();
  Deno.exit(code);
}
