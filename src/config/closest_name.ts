/**
 * "Did you mean ...?" for a mistyped flag or verb: the known name nearest to what was typed.
 *
 * @module
 */

/**
 * The candidate closest to `typed` by edit distance, when it is close enough to be a typo.
 *
 * @param typed what the user typed
 * @param candidates the known names
 * @returns the nearest candidate within a third of its length (at least 2 edits), or undefined
 * @example
 * ```ts
 * closestName("secret", ["secrets", "san"]); // "secrets"
 * ```
 */
export function closestName(typed: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(2, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
