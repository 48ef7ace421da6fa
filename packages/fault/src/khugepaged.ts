// Kernel: mm/khugepaged.c (v6.1: khugepaged_do_scan, khugepaged_scan_mm_slot, hpage_collapse_scan_pmd, collapse_huge_page, __collapse_huge_page_swapin, __collapse_huge_page_isolate, __collapse_huge_page_copy, release_pte_page, alloc_hugepage_khugepaged_gfpmask, khugepaged_alloc_page, hugepage_vma_check's khugepaged side) — collapsing 512 small pages into a THP
/*
 * khugepaged walks the mms it was told about (khugepaged_enter_vma at mmap/fault time; here the
 * caller passes the mms) and, in each eligible anonymous VMA, every aligned 2 MiB range mapped by
 * a PTE table: hpage_collapse_scan_pmd counts the PTEs that are none or the zero page
 * (max_ptes_none), swap entries (max_ptes_swap), pages mapped more than once (max_ptes_shared),
 * refuses compound, non-anonymous, locked, off-LRU or pinned pages, and wants a writable range
 * with referenced pages; collapse_huge_page allocates a THP (thp_collapse_alloc /
 * thp_collapse_alloc_failed), swaps the swap entries in, clears the PMD (pmdp_collapse_flush),
 * isolates the pages, copies their contents (clearing the subpages of none and zero-page PTEs),
 * frees the small pages, deposits the emptied PTE table beside the new huge PMD and maps the THP
 * writable and dirty; pages_collapsed counts it. Each scan takes `pages_to_scan` pages of the
 * ranges (HPAGE_PMD_NR per range looked at); full_scans counts the passes over every mm.
 *
 * Simplified: the sleeping between scans (scan_sleep_millisecs, alloc_sleep_millisecs after a
 * failed allocation) is the caller's schedule; pages in the swap cache are not collapsed (the
 * swap-cache side of free_page_and_swap_cache is not wired here: SCAN_PAGE_COUNT); file and shmem
 * collapse (collapse_file) are not modelled; the mm list is the caller's, not mm_slots.
 */
import {
  GFP_TRANSHUGE, GFP_TRANSHUGE_LIGHT, HPAGE_PMD_NR, NIL_PFN, NR_ISOLATED_ANON, PG_head, PG_locked, PG_lru, PG_referenced, PG_swapcache,
  PG_uptodate, THP_COLLAPSE_ALLOC, THP_COLLAPSE_ALLOC_FAILED,
} from "@mmsim/core";
import { PTE_ADDR_HI, PTE_AF, PTE_SPECIAL_HI, PTE_VALID, PTE_WRITE_HI, pfnPte, pmdMkhuge, pmdPopulate, ptePfn, pteMkdirty, pteMkwrite } from "@mmsim/hw-arm64";
import { pageMapcount } from "@mmsim/rmap";
import { MM_ANONPAGES, type MmStruct, VM_WRITE, type VmAreaStruct } from "@mmsim/vma";
import { hugepageVmaCheck } from "./huge-memory.ts";
import type { MmMemory } from "./memory.ts";
import { entryOfWord, pmdWordOf, tableWordOf } from "./pgwalk.ts";

/** Kernel: `enum scan_result`'s members khugepaged's anonymous path returns (a subset, numbered here in mmsim's order; `scanResultNames` are the strings 6.1's tracepoints print). */
export const SCAN_FAIL = 0;
export const SCAN_SUCCEED = 1;
export const SCAN_PMD_NULL = 2;
export const SCAN_PMD_MAPPED = 3;
export const SCAN_EXCEED_NONE_PTE = 4;
export const SCAN_EXCEED_SWAP_PTE = 5;
export const SCAN_EXCEED_SHARED_PTE = 6;
export const SCAN_PAGE_RO = 7;
export const SCAN_LACK_REFERENCED_PAGE = 8;
export const SCAN_PAGE_COUNT = 9;
export const SCAN_PAGE_LRU = 10;
export const SCAN_PAGE_LOCK = 11;
export const SCAN_PAGE_ANON = 12;
export const SCAN_PAGE_COMPOUND = 13;
export const SCAN_ALLOC_HUGE_PAGE_FAIL = 14;
export const scanResultNames: readonly string[] = Object.freeze([
  "failed", "succeeded", "pmd_null", "page_pmd_mapped", "exceed_none_pte", "exceed_swap_pte", "exceed_shared_pte", "no_writable_page",
  "lack_referenced_page", "page_count", "page_not_in_lru", "page_locked", "page_not_anon", "page_compound", "alloc_huge_page_failed",
]);

/** /sys/kernel/mm/transparent_hugepage/khugepaged/*. Kernel: `khugepaged_*` globals. */
export class KhugepagedSettings {
  /** Kernel: `khugepaged_pages_to_scan` (HPAGE_PMD_NR * 8). */
  pagesToScan = HPAGE_PMD_NR * 8;
  /** Kernel: `khugepaged_scan_sleep_millisecs`. */
  scanSleepMillisecs = 10000;
  /** Kernel: `khugepaged_alloc_sleep_millisecs`. */
  allocSleepMillisecs = 60000;
  /** Kernel: `khugepaged_max_ptes_none` (HPAGE_PMD_NR - 1). */
  maxPtesNone = HPAGE_PMD_NR - 1;
  /** Kernel: `khugepaged_max_ptes_swap` (HPAGE_PMD_NR / 8). */
  maxPtesSwap = HPAGE_PMD_NR / 8;
  /** Kernel: `khugepaged_max_ptes_shared` (HPAGE_PMD_NR / 2). */
  maxPtesShared = HPAGE_PMD_NR / 2;
  /** `defrag` (TRANSPARENT_HUGEPAGE_DEFRAG_KHUGEPAGED_FLAG, on by default). */
  defrag = true;
  /** Kernel: `khugepaged_pages_collapsed`. */
  pagesCollapsed = 0;
  /** Kernel: `khugepaged_full_scans`. */
  fullScans = 0;
}

const PAGE = 4096;
const PMD_SIZE = PAGE * HPAGE_PMD_NR;
const PTE_PROT_NONE_HI = 1 << 26;

/** khugepaged's scan position: the mm and address where the next scan resumes. Kernel: `khugepaged_scan`. */
export class KhugepagedScan {
  mmIndex = 0;
  address = 0;
  /** The last collapse attempt's result (SCAN_*). */
  lastResult = SCAN_FAIL;
}

/** The PMD entry of `haddr` in the VMA's mm, or -1. */
function pmdpOf(m: MmMemory, vma: VmAreaStruct, haddr: number): number {
  const pgt = vma.vmMm.pgtables;
  if (pgt === null) return -1;
  const w = pmdWordOf(m.store, pgt.pgd, haddr);
  return w < 0 ? -1 : entryOfWord(m.store, w);
}

/**
 * Looks at the 512 PTEs of the aligned range at `haddr`. Kernel: `hpage_collapse_scan_pmd()`.
 * @returns SCAN_SUCCEED (collapse it) or why not; `out[0]` gets the swap PTEs (unmapped)
 */
export function hpageCollapseScanPmd(m: MmMemory, s: KhugepagedSettings, vma: VmAreaStruct, haddr: number, out: Int32Array): number {
  const store = m.store;
  const mem = m.mem;
  const pmdp = pmdpOf(m, vma, haddr);
  if (pmdp < 0) return SCAN_PMD_NULL;
  const plo = store.readLo(pmdp);
  const phi = store.readHi(pmdp);
  if ((plo & 3) !== 3) return plo === 0 && phi === 0 ? SCAN_PMD_NULL : SCAN_PMD_MAPPED;
  const w0 = tableWordOf(store, plo, phi);
  let noneOrZero = 0;
  let unmapped = 0;
  let shared = 0;
  let referenced = 0;
  let writable = false;
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const lo = store.words[w0 + 2 * i]!;
    const hi = store.words[w0 + 2 * i + 1]!;
    if (lo === 0 && hi === 0) {
      if (++noneOrZero > s.maxPtesNone) return SCAN_EXCEED_NONE_PTE;
      continue;
    }
    if ((lo & PTE_VALID) === 0 && (hi & PTE_PROT_NONE_HI) === 0) {
      // a swap entry
      if (++unmapped > s.maxPtesSwap) return SCAN_EXCEED_SWAP_PTE;
      continue;
    }
    const pfn = ptePfn(lo, hi);
    if (pfn === m.zeroPfn) {
      if (++noneOrZero > s.maxPtesNone) return SCAN_EXCEED_NONE_PTE;
      continue;
    }
    if ((hi & PTE_SPECIAL_HI) !== 0) return SCAN_FAIL; // vm_normal_page: no page
    if ((hi & PTE_WRITE_HI) !== 0) writable = true;
    const page = mem.pfnToPage(pfn);
    if (pageMapcount(mem, page) > 1 && ++shared > s.maxPtesShared) return SCAN_EXCEED_SHARED_PTE;
    const head = m.rmap.compoundHead(page);
    if (head !== page || (mem.flags[page]! & (1 << PG_head)) !== 0) return SCAN_PAGE_COMPOUND;
    if (mem.mapping[page]! >= 0) return SCAN_PAGE_ANON;
    if ((mem.flags[page]! & (1 << PG_locked)) !== 0) return SCAN_PAGE_LOCK;
    if (m.lru !== null && (mem.flags[page]! & (1 << PG_lru)) === 0) return SCAN_PAGE_LRU;
    // is_refcount_suitable: one reference per mapping (the swap cache's are not collapsed here)
    if ((mem.flags[page]! & (1 << PG_swapcache)) !== 0 || mem.refcount[page] !== pageMapcount(mem, page)) return SCAN_PAGE_COUNT;
    if ((lo & PTE_AF) !== 0 || (mem.flags[page]! & (1 << PG_referenced)) !== 0) referenced++;
  }
  out[0] = unmapped;
  if (!writable) return SCAN_PAGE_RO;
  if (referenced === 0 || (unmapped !== 0 && referenced < HPAGE_PMD_NR / 2)) return SCAN_LACK_REFERENCED_PAGE;
  return SCAN_SUCCEED;
}

/**
 * Replaces the PTE table at `haddr` by a THP holding the same contents. Kernel:
 * `collapse_huge_page()` (+ __collapse_huge_page_swapin / _isolate / _copy).
 * @returns SCAN_SUCCEED or why it failed (the range is left as it was)
 */
export function collapseHugePage(m: MmMemory, s: KhugepagedSettings, vma: VmAreaStruct, haddr: number, unmapped: number): number {
  const mem = m.mem;
  const store = m.store;
  const mm = vma.vmMm;
  // khugepaged_alloc_page with alloc_hugepage_khugepaged_gfpmask()
  const newPfn = m.pages.allocPages(s.defrag ? GFP_TRANSHUGE : GFP_TRANSHUGE_LIGHT, 9, m.cpu);
  if (newPfn === NIL_PFN) {
    m.vmstat.countVmEvent(THP_COLLAPSE_ALLOC_FAILED);
    return SCAN_ALLOC_HUGE_PAGE_FAIL;
  }
  m.vmstat.countVmEvent(THP_COLLAPSE_ALLOC);
  const fail = (rc: number): number => {
    m.pages.freePages(newPfn, 9, m.cpu);
    return rc;
  };
  // __collapse_huge_page_swapin: a read fault at each swap PTE (do_swap_page)
  if (unmapped > 0) {
    for (let i = 0; i < HPAGE_PMD_NR; i++) {
      const pmdp = pmdpOf(m, vma, haddr);
      const w0 = tableWordOf(store, store.readLo(pmdp), store.readHi(pmdp));
      const lo = store.words[w0 + 2 * i]!;
      const hi = store.words[w0 + 2 * i + 1]!;
      if ((lo !== 0 || hi !== 0) && (lo & PTE_VALID) === 0 && (hi & PTE_PROT_NONE_HI) === 0 && m.handleMmFault(vma, haddr + i * PAGE, 0) !== 0) return fail(SCAN_FAIL);
    }
  }
  const out = new Int32Array(1);
  const rc = hpageCollapseScanPmd(m, s, vma, haddr, out);
  if (rc !== SCAN_SUCCEED && rc !== SCAN_LACK_REFERENCED_PAGE) return fail(rc);
  if (out[0] !== 0) return fail(SCAN_EXCEED_SWAP_PTE);
  const pmdp = pmdpOf(m, vma, haddr);
  const plo = store.readLo(pmdp);
  const phi = store.readHi(pmdp);
  const tablePa = (phi & PTE_ADDR_HI) * 4294967296 + ((plo & 0xfffff000) >>> 0);
  const w0 = tableWordOf(store, plo, phi);
  // pmdp_collapse_flush: no walker finds the PTEs while they are copied
  store.write(pmdp, 0, 0);
  m.flushTlbRange(mm, haddr, haddr + PMD_SIZE);
  // __collapse_huge_page_isolate: every page off its LRU, counted isolated
  const lru = m.lru;
  let isolated = 0;
  for (; isolated < HPAGE_PMD_NR; isolated++) {
    const lo = store.words[w0 + 2 * isolated]!;
    const hi = store.words[w0 + 2 * isolated + 1]!;
    if ((lo === 0 && hi === 0) || ptePfn(lo, hi) === m.zeroPfn) continue;
    const page = mem.pfnToPage(ptePfn(lo, hi));
    if (lru !== null && !lru.folioIsolateLru(page)) break;
    if (lru === null) mem.refcount[page]!++;
    m.pages.modNodePageState(mem.pageToPfn(page), NR_ISOLATED_ANON, 1);
  }
  if (isolated < HPAGE_PMD_NR) {
    // release_pte_pages of what was isolated, the PMD back as it was
    for (let i = 0; i < isolated; i++) {
      const lo = store.words[w0 + 2 * i]!;
      const hi = store.words[w0 + 2 * i + 1]!;
      if ((lo === 0 && hi === 0) || ptePfn(lo, hi) === m.zeroPfn) continue;
      releasePtePage(m, mem.pfnToPage(ptePfn(lo, hi)));
    }
    pmdPopulate(store, mm.pgtables!, pmdp, tablePa);
    return fail(SCAN_PAGE_LRU);
  }
  // __collapse_huge_page_copy
  const head = mem.pfnToPage(newPfn);
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    const e = entryOfWord(store, w0 + 2 * i);
    const lo = store.words[w0 + 2 * i]!;
    const hi = store.words[w0 + 2 * i + 1]!;
    if ((lo === 0 && hi === 0) || ptePfn(lo, hi) === m.zeroPfn) {
      m.contents.clear(newPfn + i); // clear_user_highpage
      mm.rssStat[MM_ANONPAGES]!++;
      if (lo !== 0 || hi !== 0) store.write(e, 0, 0); // ptep_clear of the zero page's PTE
      continue;
    }
    const src = ptePfn(lo, hi);
    const page = mem.pfnToPage(src);
    m.contents.set(newPfn + i, m.contents.get(src)); // copy_user_highpage
    releasePtePage(m, page);
    store.write(e, 0, 0); // ptep_clear
    m.rmap.pageRemoveRmap(page, vma, false);
    m.putPage(page); // free_page_and_swap_cache: the PTE's reference, the last
  }
  // the THP: __SetPageUptodate, the huge PMD, the emptied table deposited beside it
  m.rmap.prepTransHuge(head);
  mem.flags[head] = mem.flags[head]! | (1 << PG_uptodate);
  const t = m.t;
  pmdMkhuge(pfnPte(newPfn, vma.vmPageProt, t));
  pteMkdirty(t);
  if ((vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t); // maybe_pmd_mkwrite
  m.rmap.pageAddNewAnonRmap(head, vma, haddr, true);
  lru?.folioAddLruVma(head, vma.vmFlags, m.cpu); // lru_cache_add_inactive_or_unevictable
  m.deposited.set(pmdp, tablePa); // pgtable_trans_huge_deposit (the table stays counted in pgtables_bytes)
  store.write(pmdp, t.lo, t.hi); // set_pmd_at
  s.pagesCollapsed++;
  return SCAN_SUCCEED;
}

/** An isolated page goes back: out of NR_ISOLATED_ANON, onto its LRU list (or its isolation reference dropped). Kernel: `release_pte_page()`. */
function releasePtePage(m: MmMemory, page: number): void {
  m.pages.modNodePageState(m.mem.pageToPfn(page), NR_ISOLATED_ANON, -1);
  if (m.lru !== null) m.lru.folioPutbackLru(page);
  else m.mem.refcount[page]!--;
}

/**
 * One wake-up of khugepaged: up to `pages_to_scan` pages of aligned ranges over `mms`, from where
 * the last scan stopped; each eligible range is collapsed. Kernel: `khugepaged_do_scan()` →
 * `khugepaged_scan_mm_slot()` (full_scans counts the passes over every mm).
 * @returns true when an allocation failed (the thread then sleeps alloc_sleep_millisecs)
 */
export function khugepagedDoScan(m: MmMemory, s: KhugepagedSettings, scan: KhugepagedScan, mms: readonly MmStruct[]): boolean {
  if (mms.length === 0) return false;
  let progress = 0;
  const out = new Int32Array(1);
  let passThroughHead = 0;
  for (;;) {
    // at the list's head (khugepaged_scan.mm_slot NULL): one pass from the head at most per wake-up
    if (scan.mmIndex === 0 && scan.address === 0 && ++passThroughHead >= 2) break;
    const mm = mms[scan.mmIndex]!;
    let done = true;
    for (const vma of mm.mt) {
      if (vma.vmEnd <= scan.address) continue;
      // hugepage_vma_check(smaps false, in_pf false): khugepaged needs the VMA's anon_vma
      if (!hugepageVmaCheck(m, vma) || vma.anonVma === null) {
        progress++;
        continue;
      }
      const hstart = Math.ceil(vma.vmStart / PMD_SIZE) * PMD_SIZE;
      const hend = Math.floor(vma.vmEnd / PMD_SIZE) * PMD_SIZE;
      for (let a = Math.max(hstart, scan.address - (scan.address % PMD_SIZE)); a < hend; a += PMD_SIZE) {
        if (progress >= s.pagesToScan) {
          scan.address = a;
          done = false;
          break;
        }
        scan.address = a + PMD_SIZE;
        progress += HPAGE_PMD_NR;
        let rc = hpageCollapseScanPmd(m, s, vma, a, out);
        if (rc === SCAN_SUCCEED) rc = collapseHugePage(m, s, vma, a, out[0]!);
        scan.lastResult = rc;
        if (rc === SCAN_ALLOC_HUGE_PAGE_FAIL) return true;
      }
      if (!done) break;
    }
    if (done) {
      // the mm is done: the next one, and a full scan counted when the list wraps
      scan.address = 0;
      if (++scan.mmIndex >= mms.length) {
        scan.mmIndex = 0;
        s.fullScans++;
      }
    }
    if (progress >= s.pagesToScan) break;
  }
  return false;
}
