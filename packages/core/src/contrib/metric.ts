// mmsim: a figure `mmsim compare` reports for each run (no kernel counterpart)
/*
 * Each package contributes the figures that say how its policies differ (the slab layer: pages
 * held, fragmentation, cost per operation; the page allocator: pages taken, meminfo's Slab;
 * later reclaim: pages scanned and refaults; oom: kills). `mmsim compare` calls `begin()` on
 * every registered metric right before the workload and `sample()` right after, and shows the
 * figures side by side, rows ordered by rank.
 */
import { token } from "../di/token.ts";

/** One figure of a comparison: a simulated quantity, never host time. */
export interface CompareMetric {
  /** Stable camelCase key of the figure in `mmsim compare --json`. */
  readonly key: string;
  /** Position of its row (and key) among all figures, smaller first. */
  readonly rank: number;
  /** Row label with its unit (`"slab pages (KiB)"`); absent when another row shows the figure. */
  readonly label?: string;
  /** Right before the workload: remember what a delta needs (a counter, the clock). */
  begin?(): void;
  /** Right after the workload: the figure. */
  sample(): number;
  /** The row's cell from every figure of the run (default: the value as a number). */
  cell?(figures: Readonly<Record<string, number>>): string;
  /** Show the row only when some run's figure is not 0 (a mechanism the workload may not reach); the JSON always has the key. */
  readonly hideWhenZero?: boolean;
}
export const CompareMetric = token<CompareMetric>("CompareMetric");
