import { DEV_DEFAULT_FLAGS, devEndpoint } from "../../../src/cli/dev_defaults.ts";
import { assertEquals } from "../../support/assert.ts";

Deno.test("devEndpoint() names the address dev serves on, after the user's flags", () => {
  const cases: [string[], string][] = [
    [[], "127.0.0.1:50001"],
    [["--port=50011"], "127.0.0.1:50011"],
    [["--port", "50012"], "127.0.0.1:50012"],
    [["--listen-address=::1", "--port=50013"], "[::1]:50013"],
    [["--listen-address=0.0.0.0"], "127.0.0.1:50001"],
    [["--port=0"], "127.0.0.1:PORT"],
  ];
  for (const [flags, expected] of cases) {
    assertEquals(devEndpoint([...DEV_DEFAULT_FLAGS, ...flags]), expected, flags.join(" "));
  }
});
