/**
 * The side-by-side table: every server's rounds reduced to one mean per measure, with the ratio of
 * this service to the compared binary for the mean and for each round (both measured in the same
 * round, so machine noise is shared).
 *
 * @module
 */
import { LOAD_SHAPES, type MeasuredLoad } from "./load.ts";

/** One server's numbers in one round. */
export interface ServerRound {
  /** RSS after start, before any call, MB. */
  idleMb: number;
  /** Highest RSS over the round (VmHWM), MB. */
  peakMb: number;
  /** RSS after the settle wait that follows the bursts, MB. */
  settledMb: number;
  /** One burst per entry of {@linkcode LOAD_SHAPES}, same order. */
  runs: MeasuredLoad[];
}

interface Measure {
  label: string;
  digits: number;
  value: (round: ServerRound) => number;
}

function shapeLabel(index: number): string {
  const shape = LOAD_SHAPES[index]!;
  return `${shape.reuse ? "reused connection" : "fresh connection"}, c=${shape.concurrency}`;
}

function loadMeasures(): Measure[] {
  return LOAD_SHAPES.flatMap((_, i) => {
    const run = (round: ServerRound) => round.runs[i]!;
    return [
      { label: `${shapeLabel(i)}: calls/s`, digits: 0, value: (r) => run(r).calls_per_s },
      {
        label: `${shapeLabel(i)}: server CPU per call, ms`,
        digits: 3,
        value: (r) => run(r).server_cpu_ms_per_call,
      },
      { label: `${shapeLabel(i)}: p50, ms`, digits: 1, value: (r) => run(r).p50_ms },
      { label: `${shapeLabel(i)}: p99, ms`, digits: 1, value: (r) => run(r).p99_ms },
    ];
  });
}

/** Every row of the table, in order. */
export const MEASURES: readonly Measure[] = [
  ...loadMeasures(),
  {
    label: "errors (all bursts)",
    digits: 0,
    value: (r) => r.runs.reduce((n, run) => n + run.errors, 0),
  },
  { label: "RSS idle, MB", digits: 1, value: (r) => r.idleMb },
  { label: "RSS peak during the bursts, MB", digits: 1, value: (r) => r.peakMb },
  { label: "RSS after the settle wait, MB", digits: 1, value: (r) => r.settledMb },
];

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function ratio(ours: number, theirs: number): string {
  return theirs === 0 ? (ours === 0 ? "1.00" : "—") : (ours / theirs).toFixed(2);
}

/**
 * Renders the rounds of one or two servers as a Markdown table.
 *
 * @param ours this service's rounds
 * @param theirs the compared binary's rounds (same count, same order), if any
 * @param theirName the compared binary's column title
 * @returns the table's lines
 * @example
 * ```ts
 * const lines = compareTable(oursRounds, goRounds, "Go original");
 * ```
 */
export function compareTable(
  ours: ServerRound[],
  theirs?: ServerRound[],
  theirName = "compared",
): string[] {
  const header = theirs
    ? ["measure", "this service", theirName, "ratio", "ratio per round"]
    : ["measure", "this service", "per round"];
  const rows = MEASURES.map((m) => {
    const mine = ours.map(m.value);
    if (!theirs) {
      return [
        m.label,
        mean(mine).toFixed(m.digits),
        mine.map((v) => v.toFixed(m.digits)).join(" / "),
      ];
    }
    const other = theirs.map(m.value);
    return [
      m.label,
      mean(mine).toFixed(m.digits),
      mean(other).toFixed(m.digits),
      ratio(mean(mine), mean(other)),
      mine.map((v, i) => ratio(v, other[i]!)).join(" / "),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    `| ${
      cells.map((cell, c) => c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)).join(
        " | ",
      )
    } |`;
  return [
    line(header),
    `| ${widths.map((w, c) => c === 0 ? "-".repeat(w) : "-".repeat(w - 1) + ":").join(" | ")} |`,
    ...rows.map(line),
  ];
}
