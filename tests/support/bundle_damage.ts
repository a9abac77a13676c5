/**
 * Syntax errors (and a few content errors) injected into one line of a secrets bundle, the way a
 * hand edit or a bad templating step damages it. Each damage keeps the rest of the file intact.
 *
 * @module
 */

/** One kind of damage: a name and how it changes a line (undefined: not applicable). */
export interface BundleDamage {
  /** What it does, for test names. */
  name: string;
  /** The damaged line(s) replacing `line`, or undefined when this damage does not apply. */
  apply(line: string): string | undefined;
}

const VALUE = /^(\s*[^:\s]+: )(\S+)$/;

function atValue(line: string, change: (key: string, value: string) => string) {
  const match = VALUE.exec(line);
  return match ? change(match[1]!, match[2]!) : undefined;
}

function middle(value: string): number {
  return Math.floor(value.length / 2);
}

/** The damages tried on every line. */
export const BUNDLE_DAMAGES: readonly BundleDamage[] = [
  { name: "a tab before the key", apply: (l) => `\t${l}` },
  {
    name: "a tab in the indentation",
    apply: (l) => (l.startsWith(" ") ? `\t${l.slice(1)}` : undefined),
  },
  { name: "one space too many", apply: (l) => ` ${l}` },
  { name: "a tag before the value", apply: (l) => atValue(l, (k, v) => `${k}!${v}`) },
  { name: "an alias before the value", apply: (l) => atValue(l, (k, v) => `${k}*${v}`) },
  { name: "an anchor before the value", apply: (l) => atValue(l, (k, v) => `${k}&${v}`) },
  { name: "an unclosed double quote", apply: (l) => atValue(l, (k, v) => `${k}"${v}`) },
  { name: "an unclosed single quote", apply: (l) => atValue(l, (k, v) => `${k}'${v}`) },
  { name: "an unclosed flow sequence", apply: (l) => atValue(l, (k, v) => `${k}[${v}`) },
  { name: "an unclosed flow map", apply: (l) => atValue(l, (k, v) => `${k}{${v}`) },
  { name: "a bad escape in quotes", apply: (l) => atValue(l, (k, v) => `${k}"\\q${v}"`) },
  { name: "a reserved character", apply: (l) => atValue(l, (k, v) => `${k}@${v}`) },
  {
    name: "a colon inside the value",
    apply: (l) => atValue(l, (k, v) => `${k}${v.slice(0, middle(v))}: ${v.slice(middle(v))}`),
  },
  {
    name: "a comment cutting the value",
    apply: (l) => atValue(l, (k, v) => `${k}${v.slice(0, middle(v))} #${v.slice(middle(v))}`),
  },
  {
    name: "a line break inside the value",
    apply: (l) => atValue(l, (k, v) => `${k}${v.slice(0, middle(v))}\n${v.slice(middle(v))}`),
  },
  {
    name: "one character of the value changed",
    apply: (l) =>
      atValue(l, (k, v) => {
        const i = middle(v);
        return `${k}${v.slice(0, i)}${v[i] === "A" ? "B" : "A"}${v.slice(i + 1)}`;
      }),
  },
  {
    name: "the key's colon removed",
    apply: (l) => (l.includes(": ") ? l.replace(": ", " ") : undefined),
  },
  { name: "the line repeated", apply: (l) => `${l}\n${l}` },
  { name: "a second document after it", apply: (l) => `${l}\n---\n${l.trim()}` },
];

/**
 * Every damaged copy of `yamlText`: each damage applied to each line it fits.
 *
 * @param yamlText the bundle
 * @returns the copies, each with the line number and damage name
 */
export function* damagedBundles(
  yamlText: string,
): Generator<{ line: number; damage: string; text: string }> {
  const lines = yamlText.split("\n");
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    for (const damage of BUNDLE_DAMAGES) {
      const damaged = damage.apply(line);
      if (damaged === undefined) continue;
      const copy = [...lines];
      copy[index] = damaged;
      yield { line: index + 1, damage: damage.name, text: copy.join("\n") };
    }
  }
}
