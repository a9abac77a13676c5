/**
 * Durations as operators write them: `24h`, `90m`, `2d`, `36h30m`.
 *
 * @module
 */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration made of number-unit pairs.
 *
 * @param text the duration, e.g. `24h` or `1h30m`
 * @returns milliseconds, or `undefined` when `text` is not a duration
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) {
    total += Number(amount) * UNIT_MS[unit!]!;
  }
  return total;
}
