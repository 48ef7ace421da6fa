// mmsim: a VmapPageTables double that records kernel mappings and TLB staleness (no kernel counterpart)
/*
 * Records what vmalloc asks of the page tables, page by page:
 *  - `mapped`: page key → PFN × 16 + protection id for every mapped 4 KiB page (a huge mapping
 *    is recorded as its small pages; ioremap as phys >> PAGE_SHIFT + i). The key is the page
 *    number counted from 0xffff000000000000 (PAGE_OFFSET with 48-bit VAs), a small integer for
 *    every vmalloc address, so the Map stays fast; use pfnAt()/protAt() with addresses;
 *  - `stale`: pages unmapped without a TLB flush yet (what vunmap_range_noflush() leaves behind
 *    until __purge_vmap_area_lazy() flushes), kept as runs of pages and expanded on demand;
 *  - `flushes`: every flush_tlb_kernel_range(start, end), in order.
 * Mapping a page that is already mapped fails with -EBUSY (the kernel's WARN_ON(!pte_none)),
 * recorded in `errors`. `failAfter` makes the next mapping calls fail with -ENOMEM (a page
 * table allocation failing), to test vmalloc's error paths.
 */
import { EBUSY, ENOMEM, PAGE_SIZE } from "@mmsim/core";
import type { Va } from "@mmsim/hw-arm64";
import type { VmapPageTables } from "../page-tables.ts";

/** Origin of the page keys: 0xffff000000000000. */
const KEY_BASE = -(2 ** 48);

/** A recording page-table double for vmalloc tests and benchmarks. */
export class FakeVmapPageTables implements VmapPageTables {
  /** Page key → pfn * 16 + prot (see the header; pfnAt()/protAt() take addresses). */
  readonly mapped = new Map<number, number>();
  /** Every flush, [start, end). */
  readonly flushes: [Va, Va][] = [];
  /** Problems seen (double mappings). */
  readonly errors: string[] = [];
  /** When ≥ 0, that many mapping calls succeed, then each returns -ENOMEM. */
  failAfter = -1;
  vmapCalls = 0;
  ioremapCalls = 0;
  unmapCalls = 0;
  /** The pageShift of the last vmapPagesRange() call. */
  lastPageShift = 0;
  /** Runs of unflushed pages: [start, end) pairs. */
  private runs = new Float64Array(64);
  private spare = new Float64Array(64);
  private nrRuns = 0;

  /** The page key of an address. */
  static key(va: Va): number {
    return (va - KEY_BASE) / PAGE_SIZE;
  }

  vmapPagesRange(addr: Va, pfns: Int32Array, nr: number, prot: number, pageShift: number): number {
    this.vmapCalls++;
    this.lastPageShift = pageShift;
    if (this.failAfter === 0) return -ENOMEM;
    if (this.failAfter > 0) this.failAfter--;
    const k0 = (addr - KEY_BASE) / PAGE_SIZE;
    for (let i = 0; i < nr; i++) {
      if (this.mapped.has(k0 + i)) {
        this.errors.push(`vmapPagesRange: page ${addr + i * PAGE_SIZE} already mapped`);
        return -EBUSY;
      }
      this.mapped.set(k0 + i, pfns[i]! * 16 + prot);
    }
    return 0;
  }

  ioremapPageRange(addr: Va, phys: number, size: number, prot: number): number {
    this.ioremapCalls++;
    if (this.failAfter === 0) return -ENOMEM;
    if (this.failAfter > 0) this.failAfter--;
    const base = phys / PAGE_SIZE;
    const k0 = (addr - KEY_BASE) / PAGE_SIZE;
    for (let i = 0; i < size / PAGE_SIZE; i++) {
      if (this.mapped.has(k0 + i)) {
        this.errors.push(`ioremapPageRange: page ${addr + i * PAGE_SIZE} already mapped`);
        return -EBUSY;
      }
      this.mapped.set(k0 + i, (base + i) * 16 + prot);
    }
    return 0;
  }

  vunmapRangeNoflush(start: Va, end: Va): void {
    this.unmapCalls++;
    const k0 = (start - KEY_BASE) / PAGE_SIZE;
    const n = (end - start) / PAGE_SIZE;
    let run = -1;
    for (let i = 0; i < n; i++) {
      if (this.mapped.delete(k0 + i)) {
        if (run < 0) run = i;
      } else if (run >= 0) {
        this.addRun(start + run * PAGE_SIZE, start + i * PAGE_SIZE);
        run = -1;
      }
    }
    if (run >= 0) this.addRun(start + run * PAGE_SIZE, end);
  }

  flushTlbKernelRange(start: Va, end: Va): void {
    this.flushes.push([start, end]);
    // rebuild the runs into the spare buffer, keeping what the flush did not cover
    const old = this.runs;
    const n = this.nrRuns;
    this.runs = this.spare.length >= old.length ? this.spare : new Float64Array(old.length);
    this.spare = old;
    this.nrRuns = 0;
    for (let i = 0; i < n; i++) {
      const s = old[2 * i]!;
      const e = old[2 * i + 1]!;
      if (e <= start || s >= end) this.addRun(s, e);
      else {
        if (s < start) this.addRun(s, start);
        if (e > end) this.addRun(end, e);
      }
    }
  }

  /** Page addresses unmapped but not yet flushed from the TLB. */
  get stale(): Set<Va> {
    const out = new Set<Va>();
    for (let i = 0; i < this.nrRuns; i++) for (let va = this.runs[2 * i]!; va < this.runs[2 * i + 1]!; va += PAGE_SIZE) out.add(va);
    return out;
  }

  /** The PFN mapped at a page address, or -1. */
  pfnAt(va: Va): number {
    const e = this.mapped.get(FakeVmapPageTables.key(va));
    return e === undefined ? -1 : Math.floor(e / 16);
  }

  /** The protection id mapped at a page address, or -1. */
  protAt(va: Va): number {
    const e = this.mapped.get(FakeVmapPageTables.key(va));
    return e === undefined ? -1 : e % 16;
  }

  private addRun(s: number, e: number): void {
    if (this.nrRuns > 0 && this.runs[2 * this.nrRuns - 1] === s) {
      this.runs[2 * this.nrRuns - 1] = e; // extends the previous run
      return;
    }
    if (2 * this.nrRuns + 2 > this.runs.length) {
      const b = new Float64Array(this.runs.length * 2);
      b.set(this.runs);
      this.runs = b;
    }
    this.runs[2 * this.nrRuns] = s;
    this.runs[2 * this.nrRuns + 1] = e;
    this.nrRuns++;
  }
}
