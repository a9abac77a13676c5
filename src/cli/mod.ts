/**
 * The command line: picks a verb and runs it. `serve` is the default, so container specs written
 * for the Go original (no arguments) keep working.
 *
 * Each verb's module is loaded only when that verb runs, so `serve` does not carry the YAML
 * writer, the manifest builder or the request client in memory.
 *
 * @module
 */
import { formatDevHelp, formatHelp, formatServeHelp, formatVersionHelp, VERBS } from "./help.ts";
import { printErr, printOut } from "./output.ts";
import { closestName } from "../config/closest_name.ts";
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
  if (first !== undefined && !first.startsWith("-") && !VERBS.some((v) => v === first)) {
    const nearest = closestName(first, VERBS);
    printErr(
      `unknown verb ${first}${nearest ? ` (did you mean ${nearest}?)` : ""}; the verbs are ${
        VERBS.join(", ")
      }\n`,
    );
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    printOut(await helpFor(first));
    return 0;
  }
  switch (first) {
    case "help":
      printOut(formatHelp());
      return 0;
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
      return await (await import("./manifests.ts")).runManifests(rest, env);
    case "serve":
      return await (await import("./serve.ts")).runServe(rest, env);
    default:
      return await (await import("./serve.ts")).runServe(args, env);
  }
}

/** Each verb's own `--help`; the general text without a verb. */
async function helpFor(verb: string | undefined): Promise<string> {
  switch (verb) {
    case "serve":
      return formatServeHelp();
    case "dev":
      return formatDevHelp();
    case "version":
      return formatVersionHelp();
    case "request":
      return (await import("./request.ts")).REQUEST_USAGE;
    case "manifests":
      return (await import("./manifests.ts")).MANIFESTS_USAGE;
    default:
      return formatHelp();
  }
}
