/**
 * The shell commands a guide shows, so tests can run them exactly as a reader would type them.
 *
 * @module
 */

/**
 * Extracts the commands of the `sh` code blocks of a Markdown page that start with `prefix`,
 * with backslash-continued lines joined and split into words (no quoting is interpreted).
 *
 * @param markdown the page
 * @param prefix the leading words, e.g. `talos-csr-signer manifests`
 * @returns each matching command's words, after the prefix
 */
export function docCommands(markdown: string, prefix: string): string[][] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const lines = blocks.flatMap((b) => b.replace(/\\\n\s*/g, " ").split("\n"));
  return lines.filter((l) => l.startsWith(`${prefix} `)).map((l) =>
    l.slice(prefix.length).trim().split(/\s+/)
  );
}
