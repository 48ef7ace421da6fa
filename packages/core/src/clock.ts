// Kernel: kernel/sched/clock.c (local_clock) — the simulated clock every cost is charged to
/*
 * Simulated time in nanoseconds, as a JS number (exact up to 2^53 ns ≈ 104 days of simulated
 * time). It only moves when something charges a cost from the CostModel or a workload sleeps;
 * it never reads the host clock, so a run is deterministic for a given scenario and seed.
 * One clock object per machine, switched to the local time of the CPU a step runs on by the
 * machine's task engine (no drift between CPUs beyond what their work charges); per-task run
 * and stall time are accounted by the engine from the charges.
 */

/** The machine's simulated clock. */
export class SimClock {
  /** Nanoseconds since the simulated power-on. */
  private nowNs = 0;

  /** Current simulated time in ns. Kernel: `local_clock()`. */
  now(): number {
    return this.nowNs;
  }

  /** Moves time forward by `ns` (≥ 0; a negative or non-finite charge is ignored). */
  advance(ns: number): void {
    if (ns > 0) this.nowNs += ns;
  }

  /**
   * Sets the time to a CPU's local clock before a step runs there (the task engine runs CPUs in
   * the order of their clocks, so this may move back to a CPU that is behind). Kernel: each CPU's
   * `local_clock()`.
   */
  switchTo(ns: number): void {
    if (ns >= 0 && Number.isFinite(ns)) this.nowNs = ns;
  }

  /** Moves time forward to `ns` if it is later than now. */
  advanceTo(ns: number): void {
    if (ns > this.nowNs) this.nowNs = ns;
  }
}

/** Nanoseconds per second / millisecond / microsecond. */
export const NSEC_PER_SEC = 1_000_000_000;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_USEC = 1_000;
