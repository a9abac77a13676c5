/**
 * `promtool check metrics` on a page: Prometheus' own parser and linter, the oracle for the
 * exposition module's output.
 *
 * @module
 */
import { runWithInput } from "../../../support/process.ts";

/**
 * Runs `promtool check metrics` on `page`.
 *
 * @param page exposition text
 * @returns promtool's exit code and output
 */
export async function promtoolCheck(page: string): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runWithInput("promtool", ["check", "metrics"], page);
  return { code, output: stdout + stderr };
}
