/**
 * The command line: picks a verb and runs it. `serve` is the default, so container specs written
 * for the Go original (no arguments) keep working.
 *
 * Each verb's module is loaded only when that verb runs, so `serve` does not carry the YAML
 * writer, the manifest builder or the request client in memory.
 *
 * @module
 */
import { formatHelp } from "./help.ts";
import { printOut } from "./output.ts";
import denoJson from "../../deno.json" with { type: "json" };
import buildInfo from "./build_info.json" with { type: "json" };

/**
 * Runs the CLI.
 *
 * @param args the process arguments
 * @param env the environment
 * @returns the exit code
 */
export async function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const [first, ...rest] = args;
  const wantsHelp = args.includes("--help") || args.includes("-h");
  if (first === "request" && wantsHelp) {
    return printOut((await import("./request.ts")).REQUEST_USAGE), 0;
  }
  if (first === "manifests" && wantsHelp) {
    return printOut((await import("./manifests.ts")).MANIFESTS_USAGE), 0;
  }
  if (first === "help" || wantsHelp) {
    printOut(formatHelp());
    return 0;
  }
  switch (first) {
    case "version":
      printOut(
        `talos-csr-signer ${denoJson.version} (commit ${buildInfo.commit}, deno ${Deno.version.deno}, v8 ${Deno.version.v8})\n`,
      );
      return 0;
    case "dev":
      return await (await import("./dev.ts")).runDev(rest, env);
    case "request":
      return await (await import("./request.ts")).runRequest(rest, env);
    case "manifests":
      return await (await import("./manifests.ts")).runManifests(rest);
    case "serve":
      return await (await import("./serve.ts")).runServe(rest, env);
    default:
      return await (await import("./serve.ts")).runServe(args, env);
  }
}
