/**
 * `promtool check metrics` on a page: Prometheus' own parser and linter, the oracle for the
 * exposition module's output.
 *
 * @module
 */

/**
 * Runs `promtool check metrics` on `page`.
 *
 * @param page exposition text
 * @returns promtool's exit code and output
 */
export async function promtoolCheck(page: string): Promise<{ code: number; output: string }> {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(page));
  await writer.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}
