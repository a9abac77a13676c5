import { formatConfigurationReference } from "../../../src/config/reference.ts";
import { SETTINGS } from "../../../src/config/settings.ts";
import { assertEquals, assertMatch } from "../../support/assert.ts";
import { REPO_ROOT } from "../../support/fixtures.ts";

Deno.test("docs/configuration.md is what `deno task docs` generates from the settings table", async () => {
  const committed = await Deno.readTextFile(`${REPO_ROOT}docs/configuration.md`);
  assertEquals(
    committed,
    formatConfigurationReference(),
    "run `deno task docs` and commit the result",
  );
});

Deno.test("formatConfigurationReference() lists every setting once", () => {
  const text = formatConfigurationReference();
  for (const s of SETTINGS) {
    assertMatch(text, new RegExp(`\\| \`${s.env}\` \\| \`--${s.flag}\` \\|`));
  }
});
