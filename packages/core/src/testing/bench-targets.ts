// mmsim: benchmark figures with their targets (issue 22): a bench's name carries its target; tools/bench/reporter.ts prints median, target and met / not met
/*
 * A figure's name ends with a bracket the reporter (tools/bench/reporter.ts, wired in vitest.shared.ts) reads back:
 *   "order-0 alloc+free, pcp hit [≥ 20M pairs/s, 100 pairs per iteration]"  a rate: per-iteration
 *        count ÷ the median time of one iteration, at least the target
 *   "order-3 alloc+free [100 pairs per iteration]"                             a rate without a
 *        target (the issue sets none): printed with "no target"
 *   "boot 64 GiB, 8 CPUs [< 1000 ms]"                                         a time: the median
 *        time of one iteration, below the target
 * The median, not vitest's mean-based hz: on a shared 2-core machine the mean swings 3× with the
 * load while the median stays (issue 22). Nothing here fails a run: `pnpm bench` exits 0 and
 * says which targets are not met.
 */

/** A rate figure: at least `min` units per second (no target when absent), `perIteration` units per bench iteration. */
export interface RateTarget {
  readonly min?: number;
  /** e.g. "pairs/s", "faults/s". */
  readonly unit: string;
  readonly perIteration: number;
}

/** A time figure: one iteration under `maxMs` milliseconds. */
export interface TimeTarget {
  readonly maxMs: number;
}

/** 20000000 → "20M", 2500 → "2.5k", 300 → "300". */
export function si(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toPrecision(3)}G`;
  if (n >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toPrecision(3)}k`;
  return `${+n.toPrecision(3)}`;
}

/** "20M" → 20000000. */
function unSi(text: string): number {
  const m = /^([\d.]+)([kMG]?)$/.exec(text);
  if (!m) return Number.NaN;
  return Number(m[1]) * (m[2] === "G" ? 1e9 : m[2] === "M" ? 1e6 : m[2] === "k" ? 1e3 : 1);
}

/** The bench name of a figure with its target, e.g. rate("order-0 …", { min: 20e6, unit: "pairs/s", perIteration: 100 }). */
export function rate(name: string, t: RateTarget): string {
  const what = t.unit.replace(/\/s$/, "");
  const per = `${t.perIteration} ${what} per iteration`;
  return t.min === undefined ? `${name} [${per}, ${t.unit}]` : `${name} [≥ ${si(t.min)} ${t.unit}, ${per}]`;
}

/** The bench name of a figure whose target is a time per iteration. */
export function time(name: string, t: TimeTarget): string {
  return `${name} [< ${t.maxMs} ms]`;
}

/** A name's target, read back, or null for a figure without one. */
export function parseTarget(name: string): (RateTarget & { kind: "rate" }) | (TimeTarget & { kind: "time" }) | null {
  let m = /\[≥ ([\d.]+[kMG]?) (\S+), (\d+) \S+ per iteration\]$/.exec(name);
  if (m) return { kind: "rate", min: unSi(m[1]!), unit: m[2]!, perIteration: Number(m[3]) };
  m = /\[(\d+) \S+ per iteration, (\S+)\]$/.exec(name);
  if (m) return { kind: "rate", unit: m[2]!, perIteration: Number(m[1]) };
  m = /\[< ([\d.]+) ms\]$/.exec(name);
  if (m) return { kind: "time", maxMs: Number(m[1]) };
  return null;
}

/** The median of a sample of times (ms), or NaN when empty. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One line of the summary: the figure, its median, the target and whether it is met. */
export function verdict(name: string, samplesMs: readonly number[]): string | null {
  const t = parseTarget(name);
  if (t === null) return null;
  const med = median(samplesMs);
  const label = name.slice(0, name.lastIndexOf(" ["));
  if (t.kind === "rate") {
    const r = t.perIteration / (med / 1000);
    if (t.min === undefined) return `no target  ${label}: median ${si(r)} ${t.unit} (${samplesMs.length} samples)`;
    return `${r >= t.min ? "met      " : "NOT MET  "}  ${label}: median ${si(r)} ${t.unit}, target ≥ ${si(t.min)} (${samplesMs.length} samples)`;
  }
  return `${med < t.maxMs ? "met      " : "NOT MET  "}  ${label}: median ${med.toFixed(1)} ms, target < ${t.maxMs} ms (${samplesMs.length} samples)`;
}
