// Kernel: mm/page_counter.c, include/linux/page_counter.h (v6.1) — hierarchical page counters with limits and protection
/*
 * One counter per memcg resource (memory, swap), linked to the parent's: a charge is added at
 * every level up to the root and fails at the first level whose max it would pass (that level's
 * failcnt counts it). The protection sums (min_usage, low_usage and the children's totals) are
 * what effective_protection() divides among siblings.
 */

/** Kernel: `PAGE_COUNTER_MAX` (LONG_MAX / PAGE_SIZE on 64-bit). */
export const PAGE_COUNTER_MAX = 2251799813685247;

/** Kernel: `struct page_counter`. */
export class PageCounter {
  usage = 0;
  /** memory.min / memory.low and their effective values (mem_cgroup_calculate_protection). */
  min = 0;
  low = 0;
  emin = 0;
  elow = 0;
  minUsage = 0;
  lowUsage = 0;
  childrenMinUsage = 0;
  childrenLowUsage = 0;
  high = PAGE_COUNTER_MAX;
  max = PAGE_COUNTER_MAX;
  watermark = 0;
  failcnt = 0;

  constructor(readonly parent: PageCounter | null) {}

  /** Kernel: `page_counter_read()`. */
  read(): number {
    return this.usage;
  }
}

/** Kernel: `propagate_protected_usage()`. */
function propagateProtectedUsage(c: PageCounter, usage: number): void {
  if (c.parent === null) return;
  const minUsage = Math.min(usage, c.min);
  const dMin = minUsage - c.minUsage;
  if (dMin !== 0) {
    c.minUsage = minUsage;
    c.parent.childrenMinUsage += dMin;
  }
  const lowUsage = Math.min(usage, c.low);
  const dLow = lowUsage - c.lowUsage;
  if (dLow !== 0) {
    c.lowUsage = lowUsage;
    c.parent.childrenLowUsage += dLow;
  }
}

/** Kernel: `page_counter_cancel()`. */
function pageCounterCancel(c: PageCounter, nr: number): void {
  const n = c.usage - nr;
  if (n < 0) throw new Error(`memcg-psi.pageCounterCancel: usage ${c.usage} - ${nr} goes negative (page_counter underflow)`);
  c.usage = n;
  propagateProtectedUsage(c, n);
}

/** Kernel: `page_counter_charge()`: charges every level, ignoring the limits. */
export function pageCounterCharge(counter: PageCounter, nr: number): void {
  for (let c: PageCounter | null = counter; c !== null; c = c.parent) {
    const n = c.usage + nr;
    c.usage = n;
    propagateProtectedUsage(c, n);
    if (n > c.watermark) c.watermark = n;
  }
}

/**
 * Kernel: `page_counter_try_charge()`.
 * @returns null on success, else the counter whose max was hit (nothing is charged then)
 */
export function pageCounterTryCharge(counter: PageCounter, nr: number): PageCounter | null {
  let c: PageCounter | null = counter;
  for (; c !== null; c = c.parent) {
    const n = c.usage + nr;
    if (n > c.max) {
      c.failcnt++;
      // undo the levels below the one that failed
      for (let u: PageCounter | null = counter; u !== c; u = u!.parent) pageCounterCancel(u!, nr);
      return c;
    }
    c.usage = n;
    propagateProtectedUsage(c, n);
    if (n > c.watermark) c.watermark = n;
  }
  return null;
}

/** Kernel: `page_counter_uncharge()`. */
export function pageCounterUncharge(counter: PageCounter, nr: number): void {
  for (let c: PageCounter | null = counter; c !== null; c = c.parent) pageCounterCancel(c, nr);
}

/** Kernel: `page_counter_set_min()`. */
export function pageCounterSetMin(c: PageCounter, nr: number): void {
  c.min = nr;
  for (let x: PageCounter | null = c; x !== null; x = x.parent) propagateProtectedUsage(x, x.usage);
}

/** Kernel: `page_counter_set_low()`. */
export function pageCounterSetLow(c: PageCounter, nr: number): void {
  c.low = nr;
  for (let x: PageCounter | null = c; x !== null; x = x.parent) propagateProtectedUsage(x, x.usage);
}

/**
 * Kernel: `page_counter_set_max()` (the retry loop is for concurrent chargers; one CPU at a time here).
 * @returns 0, or -EBUSY when the usage is already above `nr`
 */
export function pageCounterSetMax(c: PageCounter, nr: number): number {
  if (c.usage > nr) return -16;
  c.max = nr;
  return 0;
}

/**
 * One level of the protection computation: a child's share of its parent's effective
 * protection, and (with memory_recursiveprot) of what its siblings leave unclaimed.
 * Kernel: `effective_protection()` (mm/memcontrol.c).
 */
export function effectiveProtection(usage: number, parentUsage: number, setting: number, parentEffective: number, siblingsProtected: number, recursiveProt: boolean): number {
  const prot = Math.min(usage, setting);
  if (siblingsProtected > parentEffective) return Math.floor((prot * parentEffective) / siblingsProtected);
  let ep = prot;
  if (!recursiveProt) return ep;
  if (parentEffective > siblingsProtected && parentUsage > siblingsProtected && usage > prot) {
    ep += Math.floor(((parentEffective - siblingsProtected) * (usage - prot)) / (parentUsage - siblingsProtected));
  }
  return ep;
}
