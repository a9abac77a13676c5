/**
 * talos-csr-signer: a Talos trustd-compatible certificate signer for Talos workers joined to a
 * control plane that is not Talos. See README.md.
 *
 * @module
 */
import { runCli } from "./src/cli/mod.ts";
import { openHeapTrim } from "./src/ops/heap_trim.ts";
import { flushLogs } from "./src/ops/log.ts";

if (import.meta.main) {
  // First, before any npm package loads: takes malloc_trim and gives up --allow-ffi.
  await openHeapTrim();
  const code = await runCli(Deno.args, Deno.env.toObject());
  flushLogs();
  Deno.exit(code);
}
