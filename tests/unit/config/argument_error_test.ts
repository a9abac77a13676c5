import { parseArgs } from "node:util";
import { describeArgumentError } from "../../../src/config/argument_error.ts";
import { closestName } from "../../../src/config/closest_name.ts";
import { assertEquals } from "../../support/assert.ts";

const OPTIONS = { secrets: { type: "string" }, json: { type: "boolean" } } as const;

function errorOf(args: string[]): unknown {
  try {
    parseArgs({ args, options: OPTIONS, strict: true });
  } catch (error) {
    return error;
  }
  throw new Error("parseArgs accepted the arguments");
}

Deno.test("describeArgumentError() names an unknown flag and the nearest known one", () => {
  assertEquals(
    describeArgumentError(errorOf(["--secret", "x"]), ["secrets", "json"]),
    "unknown option --secret (did you mean --secrets?)",
  );
  assertEquals(
    describeArgumentError(errorOf(["--zzzzzz"]), ["secrets", "json"]),
    "unknown option --zzzzzz (see --help)",
  );
});

Deno.test("describeArgumentError() says a flag needs a value, or takes none", () => {
  assertEquals(describeArgumentError(errorOf(["--secrets"]), []), "option --secrets needs a value");
  assertEquals(describeArgumentError(errorOf(["--json=1"]), []), "option --json takes no value");
});

Deno.test("closestName() suggests only near misses", () => {
  assertEquals(closestName("srve", ["serve", "dev", "request"]), "serve");
  assertEquals(closestName("manifest", ["serve", "manifests"]), "manifests");
  assertEquals(closestName("frobnicate", ["serve", "dev"]), undefined);
});
