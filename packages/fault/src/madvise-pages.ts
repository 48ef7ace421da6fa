// Kernel: mm/madvise.c (madvise_cold_or_pageout_pte_range, madvise_cold, madvise_pageout, madvise_free_pte_range, madvise_willneed's swapin_walk) (v6.1) — the page side of MADV_COLD, MADV_PAGEOUT, MADV_FREE and MADV_WILLNEED
/*
 * @mmsim/vma's madvise checks the arguments and the VMA (can_madv_lru_vma, anonymous-only
 * MADV_FREE) and calls these hooks (MadviseOps) for the pages: they walk the range's PTEs as 6.1's
 * walk_page_range callbacks do and hand the pages to the LRU (core's Lru, @mmsim/reclaim's):
 *
 *   MADV_COLD     each present page mapped only here and on the LRU: the PTE made old, PG_referenced
 *                 cleared, folio_deactivate (to the inactive list).
 *   MADV_PAGEOUT  the same pages isolated and reclaimed at once (reclaim_pages: shrink_folio_list,
 *                 which swaps anonymous pages out and drops clean file pages; pgsteal is not counted).
 *   MADV_FREE     each anonymous page mapped only here: its swap copy freed, PG_dirty cleared, the
 *                 PTE made old and clean, mark_page_lazyfree (reclaim then discards it unless it is
 *                 written again); swap PTEs in the range are freed (MM_SWAPENTS).
 *   MADV_WILLNEED anonymous: the swapped pages read into the swap cache (@mmsim/fault's
 *                 swap-fault.ts); file mappings' readahead (vfs_fadvise) is not modelled.
 *
 * THPs mapped by a PMD are left as they are (6.1 splits a THP that is only partly covered and
 * deactivates or pages out a whole one; mmsim's THPs are the THP issue's).
 */
import { PteVal, isSwapPte, pteMkclean, pteMkold, pteToSwpEntry, pteDirty, pteYoung } from "@mmsim/hw-arm64";
import { PG_dirty, PG_lru, PG_referenced, PG_swapcache, PG_unevictable, nonSwapEntry } from "@mmsim/core";
import { MM_SWAPENTS, type MadviseOps, type MmStruct, type VmAreaStruct, addMmCounterFast } from "@mmsim/vma";
import type { MmMemory } from "./memory.ts";
import { walkPresentPages, walkPteRange } from "./pte-range-walk.ts";

const PAGE = 4096;

/** The page side of madvise for one machine's MmMemory. Implements @mmsim/vma's MadviseOps. */
export class MadvisePages implements MadviseOps {
  private readonly t = new PteVal();
  /** MADV_PAGEOUT's isolated pages (grown as needed; reused). */
  private isolated = new Int32Array(512);

  constructor(private readonly m: MmMemory) {}

  willneed(vma: VmAreaStruct, start: number, end: number): void {
    if (vma.isAnonymous()) this.m.swap.madviseWillneed(vma, start, end);
  }

  cold(vma: VmAreaStruct, start: number, end: number): void {
    this.coldOrPageout(vma, start, end, false);
  }

  pageout(vma: VmAreaStruct, start: number, end: number): void {
    this.coldOrPageout(vma, start, end, true);
  }

  /** Kernel: `madvise_cold_or_pageout_pte_range()` over [start, end), then reclaim_pages for pageout. */
  private coldOrPageout(vma: VmAreaStruct, start: number, end: number, pageout: boolean): void {
    const m = this.m;
    const lru = m.lru;
    if (lru === null || vma.vmMm.pgtables === null) return;
    const store = m.store;
    const mem = m.mem;
    let n = 0;
    lru.lruAddDrain(m.cpu); // lru_add_drain(): pages still in this CPU's batch reach their lists
    walkPresentPages(m, vma, start, end, (page, ptep, lo, hi, addr) => {
      // Do not interfere with other mappings of this page and non-LRU pages.
      if ((mem.flags[page]! & (1 << PG_lru)) === 0 || m.rmap.pageMapcount(page) !== 1) return;
      if (pteYoung(lo)) {
        this.t.set(lo, hi);
        pteMkold(this.t);
        store.write(ptep, this.t.lo, this.t.hi);
        m.flushTlbRange(vma.vmMm, addr, addr + PAGE);
      }
      mem.flags[page] = mem.flags[page]! & ~(1 << PG_referenced); // ClearPageReferenced
      if (!pageout) {
        lru.folioDeactivate(page);
        return;
      }
      if (!lru.folioIsolateLru(page)) return;
      if ((mem.flags[page]! & (1 << PG_unevictable)) !== 0) lru.folioPutbackLru(page);
      else {
        if (n === this.isolated.length) this.grow();
        this.isolated[n++] = page;
      }
    });
    if (pageout && n > 0) lru.reclaimPages(this.isolated, n);
  }

  private grow(): void {
    const a = new Int32Array(this.isolated.length * 2);
    a.set(this.isolated);
    this.isolated = a;
  }

  /** Kernel: `madvise_free_single_vma()` → `madvise_free_pte_range()`. @returns 0 */
  free(vma: VmAreaStruct, start: number, end: number): number {
    const m = this.m;
    const pgt = vma.vmMm.pgtables;
    if (pgt === null) return 0;
    const store = m.store;
    const mem = m.mem;
    const mm: MmStruct = vma.vmMm;
    const swap = m.swap.ops;
    let nrSwap = 0;
    m.lru?.lruAddDrain(m.cpu); // lru_add_drain(): this CPU's new pages reach the LRU first
    walkPteRange(m, vma, start, end, (ptep, lo, hi, addr) => {
      if ((lo & 1) === 0) {
        // A swap PTE: the data is not needed any more, free the slot.
        if (!isSwapPte(lo, hi)) return;
        const entry = pteToSwpEntry(lo, hi);
        if (nonSwapEntry(entry)) return;
        nrSwap--;
        swap?.freeSwapAndCache(entry);
        store.write(ptep, 0, 0); // pte_clear_not_present_full
        return;
      }
      const page = m.vmNormalPage(lo, hi);
      if (page < 0) return;
      const f = mem.flags[page]!;
      if ((f & ((1 << PG_swapcache) | (1 << PG_dirty))) !== 0) {
        // If the page is shared with others, its PG_dirty cannot be cleared.
        if (m.rmap.pageMapcount(page) !== 1) return;
        if ((f & (1 << PG_swapcache)) !== 0 && (swap === null || !swap.folioFreeSwap(page))) return;
        mem.flags[page] = mem.flags[page]! & ~(1 << PG_dirty);
      }
      if (pteYoung(lo) || pteDirty(lo, hi)) {
        this.t.set(lo, hi);
        pteMkclean(pteMkold(this.t));
        store.write(ptep, this.t.lo, this.t.hi);
        m.flushTlbRange(mm, addr, addr + PAGE);
      }
      m.lru?.folioMarkLazyfree(page); // mark_page_lazyfree
    });
    if (nrSwap !== 0) addMmCounterFast(m.current, mm, MM_SWAPENTS, nrSwap);
    return 0;
  }

  ksmEnter(): number {
    return 0;
  }

  unmergeKsmPages(): number {
    return 0;
  }
}
