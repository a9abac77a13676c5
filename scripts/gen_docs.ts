/**
 * `deno task docs`: regenerates docs/configuration.md from the settings table.
 *
 * @module
 */
import { formatConfigurationReference } from "../src/config/reference.ts";

await Deno.writeTextFile(
  new URL("../docs/configuration.md", import.meta.url),
  formatConfigurationReference(),
);
