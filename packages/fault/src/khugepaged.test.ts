// mmsim: khugepaged (mm/khugepaged.c) on the fault rig — a PTE-mapped anonymous range collapses into a THP with its contents, rss and counters; max_ptes_none and read-only ranges keep it small; a failed THP allocation counts thp_collapse_alloc_failed
import { GFP_HIGHUSER_MOVABLE, NR_ANON_THPS, THP_COLLAPSE_ALLOC, THP_COLLAPSE_ALLOC_FAILED } from "@mmsim/core";
import { ptePfn } from "@mmsim/hw-arm64";
import { FAULT_FLAG_WRITE, MM_ANONPAGES } from "@mmsim/vma";
import { describe, expect, it } from "vitest";
import { Rig } from "./fault.test-helpers.ts";
import { KhugepagedScan, KhugepagedSettings, SCAN_ALLOC_HUGE_PAGE_FAIL, SCAN_EXCEED_NONE_PTE, SCAN_FAIL, SCAN_SUCCEED, khugepagedDoScan } from "./khugepaged.ts";
import { entryOfWord, pmdWordOf } from "./pgwalk.ts";

const BASE = 0x40000000;
const PAGE = 4096;

/** `n` pages written (each its own content) in a 2 MiB VMA (one aligned range) while THP faults are off. */
function setup(n: number, write = true) {
  const r = new Rig();
  const t = r.task();
  const vma = r.vma(t, BASE, 2 * 1024 * 1024);
  r.m.current = t;
  r.m.thp.enabled = "never";
  const pfns: number[] = [];
  for (let i = 0; i < n; i++) {
    expect(r.m.handleMmFault(vma, BASE + i * PAGE, write ? FAULT_FLAG_WRITE : 0)).toBe(0);
  }
  const pmdp = () => entryOfWord(r.store, pmdWordOf(r.store, t.mm!.pgtables!.pgd, BASE));
  const ptep = (i: number) => {
    const pl = r.store.readLo(pmdp());
    const ph = r.store.readHi(pmdp());
    const tpa = (ph & 0xffff) * 2 ** 32 + ((pl & 0xfffff000) >>> 0);
    return tpa + i * 8;
  };
  for (let i = 0; i < n; i++) {
    const pfn = ptePfn(r.store.readLo(ptep(i)), r.store.readHi(ptep(i)));
    if (write) r.m.contents.set(pfn, 9000 + i);
    pfns.push(pfn);
  }
  r.m.thp.enabled = "always";
  return { r, t, vma, pfns, pmdp };
}

describe("khugepaged", () => {
  it("collapses 300 written pages of an aligned 2 MiB range into a THP: contents at the same offsets, the rest cleared, rss 512, the small pages freed", () => {
    const { r, t, pfns, pmdp } = setup(300);
    const s = new KhugepagedSettings();
    const scan = new KhugepagedScan();
    const free0 = r.buddy.state.pgdat[0]!.zones.reduce((n, z) => n + z.vmStat[0]!, 0);
    expect(khugepagedDoScan(r.m, s, scan, [t.mm!])).toBe(false);
    expect(scan.lastResult).toBe(SCAN_SUCCEED);
    const lo = r.store.readLo(pmdp());
    expect(lo & 3).toBe(1); // a huge PMD
    const head = ptePfn(lo, r.store.readHi(pmdp()));
    for (let i = 0; i < 512; i++) expect(r.m.contents.get(head + i)).toBe(i < 300 ? 9000 + i : 0);
    expect(s.pagesCollapsed).toBe(1);
    expect(s.fullScans).toBe(1);
    expect(r.vmstat.vmEvents[THP_COLLAPSE_ALLOC]).toBe(1);
    expect(t.mm!.rssStat[MM_ANONPAGES]! + t.rssStat[MM_ANONPAGES]!).toBe(512);
    expect(r.vmstat.nodeVmStat[NR_ANON_THPS]).toBe(512);
    for (const p of pfns) expect(r.mem.refcount[r.mem.pfnToPage(p)]).toBe(0);
    // the THP took more pages than the 300 small ones gave back
    const free1 = r.buddy.state.pgdat[0]!.zones.reduce((n, z) => n + z.vmStat[0]!, 0);
    expect(free0 - free1).toBeGreaterThan(0);
    r.check();
    // a write through the THP: no fault work beyond the access flag
    expect(r.m.handleMmFault(r.m.current!.mm!.mt.lookup(BASE)!, BASE + 5 * PAGE, FAULT_FLAG_WRITE)).toBe(0);
  });

  it("max_ptes_none, a VMA without anon_vma and a failed THP allocation keep the PTE table", () => {
    const a = setup(20);
    const s = new KhugepagedSettings();
    s.maxPtesNone = 100;
    khugepagedDoScan(a.r.m, s, new KhugepagedScan(), [a.t.mm!]);
    expect(s.pagesCollapsed).toBe(0);
    const scan = new KhugepagedScan();
    khugepagedDoScan(a.r.m, s, scan, [a.t.mm!]);
    expect(scan.lastResult).toBe(SCAN_EXCEED_NONE_PTE);
    expect(a.r.store.readLo(a.pmdp()) & 3).toBe(3);
    a.r.check();
    // zero-page reads only: the VMA has no anon_vma, khugepaged does not look at it (hugepage_vma_check)
    const b = setup(20, false);
    const sb = new KhugepagedSettings();
    const scanB = new KhugepagedScan();
    khugepagedDoScan(b.r.m, sb, scanB, [b.t.mm!]);
    expect(scanB.lastResult).toBe(SCAN_FAIL);
    expect(sb.pagesCollapsed).toBe(0);
    expect(sb.fullScans).toBe(1);
    // no order-9 block left: thp_collapse_alloc_failed, and the scan says to sleep alloc_sleep_millisecs
    const c = setup(20);
    const held: number[] = [];
    for (;;) {
      const p = c.r.buddy.allocPages(GFP_HIGHUSER_MOVABLE, 9, 0);
      if (p < 0) break;
      held.push(p);
    }
    const scanC = new KhugepagedScan();
    expect(khugepagedDoScan(c.r.m, new KhugepagedSettings(), scanC, [c.t.mm!])).toBe(true);
    expect(scanC.lastResult).toBe(SCAN_ALLOC_HUGE_PAGE_FAIL);
    expect(c.r.vmstat.vmEvents[THP_COLLAPSE_ALLOC_FAILED]).toBe(1);
    expect(c.r.store.readLo(c.pmdp()) & 3).toBe(3);
    for (const p of held) c.r.buddy.freePages(p, 9, 0);
    c.r.check();
  });
});
