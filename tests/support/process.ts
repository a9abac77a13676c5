/**
 * Running a helper program with text on stdin and collecting its output.
 *
 * @module
 */

/** What a helper program printed and how it exited. */
export interface ProcessResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs `command` with `stdin` as its input.
 *
 * @param command the program
 * @param args its arguments
 * @param stdin text for its standard input
 * @param env extra environment
 * @returns exit code and output
 */
export async function runWithInput(
  command: string,
  args: string[],
  stdin: string,
  env: Record<string, string> = {},
): Promise<ProcessResult> {
  const child = new Deno.Command(command, {
    args,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
