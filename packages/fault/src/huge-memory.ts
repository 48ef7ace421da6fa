// Kernel: mm/huge_memory.c (v6.1: do_huge_pmd_anonymous_page, __do_huge_pmd_anonymous_page, mm_get_huge_zero_page, set_huge_zero_page, do_huge_pmd_wp_page, huge_pmd_set_accessed, __split_huge_pmd_locked, __split_huge_zero_page_pmd, split_huge_page_to_list, zap_huge_pmd, copy_huge_pmd, change_huge_pmd, move_huge_pmd, vma_thp_gfp_mask, hugepage_vma_check, transhuge_vma_suitable) — anonymous transparent huge pages
/*
 * A THP is an order-9 compound page (rmap.ts says how its head, mapcounts and PG_double_map are
 * kept) mapped by one PMD block entry. Each huge PMD has a PTE table deposited beside it
 * (pgtable_trans_huge_deposit, counted in mm->pgtables_bytes), so that splitting the PMD never
 * has to allocate. What 6.1 does, and so what happens here:
 *
 *   - a read fault in an eligible range maps the huge zero page (allocated on first use, one
 *     reference per mm: MMF_HUGE_ZERO_PAGE) read-only; a write to it splits the PMD into 512
 *     zero-page PTEs and falls back to the PTE fault (a 4 KiB COW of the zero page);
 *   - a write fault allocates a THP (THP_FAULT_ALLOC) or falls back to 4 KiB pages
 *     (THP_FAULT_FALLBACK) when the allocation fails;
 *   - a write to a write-protected THP (after fork) reuses it when exclusive or the only
 *     reference, else splits the PMD (THP_SPLIT_PMD) and the PTE fault copies one 4 KiB subpage;
 *   - zap, mprotect and mremap of part of a huge PMD split it first; the THP itself stays whole
 *     until every subpage is unmapped (it waits on the deferred split queue, whose shrinker is
 *     not modelled: reclaim's).
 *
 * khugepaged's collapse is khugepaged.ts. Not modelled: defrag's compaction effects (the GFP mask is computed
 * and passed to the page allocator, which decides), the huge zero page shrinker (the page stays
 * once allocated), THP swap-out, PUD-sized pages.
 */
import {
  EBUSY, GFP_TRANSHUGE, GFP_TRANSHUGE_LIGHT, HPAGE_PMD_NR, MmBugError, NIL_PFN, NR_ANON_THPS, PG_active, PG_anon_exclusive, PG_dirty, PG_double_map,
  PG_head, PG_locked, PG_mlocked, PG_referenced, PG_swapbacked, PG_swapcache, PG_unevictable, PG_uptodate, PG_workingset,
  THP_FAULT_ALLOC, THP_FAULT_FALLBACK, THP_FAULT_FALLBACK_CHARGE, THP_SPLIT_PAGE, THP_SPLIT_PAGE_FAILED, THP_SPLIT_PMD, THP_ZERO_PAGE_ALLOC, THP_ZERO_PAGE_ALLOC_FAILED,
  __GFP_DIRECT_RECLAIM, __GFP_KSWAPD_RECLAIM, __GFP_MOVABLE, __GFP_NORETRY, __GFP_ZERO,
} from "@mmsim/core";
import {
  NULL_ENTRY, PTE_AF, PTE_WRITE_HI, pfnPte, pmdMkhuge, pmdPopulate, pteMkdirty, pteMkold, pteMkspecial, pteMkwrite,
  pteModify, pteWrprotect,
} from "@mmsim/hw-arm64";
import { MMF_DISABLE_THP, MMF_HUGE_ZERO_PAGE, MM_ANONPAGES, type MmStruct, VM_HUGEPAGE, VM_NOHUGEPAGE, VM_WRITE, type VmAreaStruct } from "@mmsim/vma";
import {
  FAULT_FLAG_WRITE, FS_ACCESS_FLAG, FS_DIRTY, FS_SPURIOUS, FS_THP_ANON, FS_THP_ZERO, type MmMemory, VM_FAULT_FALLBACK,
  VM_FAULT_OOM, VM_FAULT_WRITE,
} from "./memory.ts";
import { entryOfWord, pmdWordOf } from "./pgwalk.ts";


export type ThpEnabled = "always" | "madvise" | "never";
export type ThpDefrag = "always" | "defer" | "defer+madvise" | "madvise" | "never";

/** /sys/kernel/mm/transparent_hugepage/{enabled,defrag,use_zero_page}. Kernel: `transparent_hugepage_flags`. */
export class ThpSettings {
  /** Default: CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS=y (Debian's 6.1 config); hugepage_init() turns THP off below 512 MiB of RAM. */
  enabled: ThpEnabled = "always";
  /** Default: "madvise" (TRANSPARENT_HUGEPAGE_DEFRAG_REQ_MADV_FLAG). */
  defrag: ThpDefrag = "madvise";
  useZeroPage = true;
}

const PAGE = 4096;
const PMD_SIZE = 2 ** 21;
const PTE_PROT_NONE_HI = 1 << 26;

/** Kernel: `pmd_trans_huge()` on arm64: a non-zero entry without PMD_TABLE_BIT (a block, or a PROT_NONE block). */
export function pmdTransHuge(lo: number, hi: number): boolean {
  return (lo !== 0 || hi !== 0) && (lo & 2) === 0 && ((lo & 1) !== 0 || (hi & PTE_PROT_NONE_HI) !== 0);
}

/** The huge zero page and its references. Kernel: `huge_zero_page`, `huge_zero_refcount`. */
export class HugeZeroPage {
  /** Its PFN, or NIL_PFN before the first use. */
  pfn = NIL_PFN;
  /** Kernel: `huge_zero_refcount` (1 for the shrinker's reference + 1 per mm). */
  refcount = 0;

  constructor(private readonly m: MmMemory) {}

  /** Kernel: `get_huge_zero_page()`. @returns false when it cannot be allocated */
  private get(): boolean {
    if (this.refcount > 0) {
      this.refcount++;
      return true;
    }
    const m = this.m;
    const pfn = m.pages.allocPages((GFP_TRANSHUGE | __GFP_ZERO) & ~__GFP_MOVABLE, 9, m.cpu);
    if (pfn === NIL_PFN) {
      m.vmstat.countVmEvent(THP_ZERO_PAGE_ALLOC_FAILED);
      return false;
    }
    m.vmstat.countVmEvent(THP_ZERO_PAGE_ALLOC);
    this.pfn = pfn;
    this.refcount = 2;
    return true;
  }

  /** Kernel: `mm_get_huge_zero_page()`. @returns the PFN, or NIL_PFN */
  mmGet(mm: MmStruct): number {
    if ((mm.flags & (1 << MMF_HUGE_ZERO_PAGE)) !== 0) return this.pfn;
    if (!this.get()) return NIL_PFN;
    mm.flags |= 1 << MMF_HUGE_ZERO_PAGE;
    return this.pfn;
  }

  /** Kernel: `mm_put_huge_zero_page()` (at mmput). */
  mmPut(mm: MmStruct): void {
    if ((mm.flags & (1 << MMF_HUGE_ZERO_PAGE)) === 0) return;
    mm.flags &= ~(1 << MMF_HUGE_ZERO_PAGE);
    this.refcount--;
  }
}

/**
 * May this VMA get a THP at fault time? Kernel: `hugepage_vma_check(vma, vm_flags, smaps=false,
 * in_pf=true, enforce_sysfs=true)`.
 */
export function hugepageVmaCheck(m: MmMemory, vma: VmAreaStruct): boolean {
  const f = vma.vmFlags;
  if ((f & VM_NOHUGEPAGE) !== 0 || (vma.vmMm.flags & (1 << MMF_DISABLE_THP)) !== 0) return false;
  const en = m.thp.enabled;
  if (en === "never" || ((f & VM_HUGEPAGE) === 0 && en !== "always")) return false;
  // File and shmem THPs are the files issue's; vma->anon_vma may be unset at fault time (in_pf).
  return vma.isAnonymous();
}

/** Kernel: `transhuge_vma_suitable()` for an anonymous VMA: the aligned 2 MiB fits inside it. */
function transhugeVmaSuitable(vma: VmAreaStruct, haddr: number): boolean {
  return haddr >= vma.vmStart && haddr + PMD_SIZE <= vma.vmEnd;
}

/** Kernel: `vma_thp_gfp_mask()`. */
export function vmaThpGfpMask(m: MmMemory, vma: VmAreaStruct): number {
  const madvised = (vma.vmFlags & VM_HUGEPAGE) !== 0;
  switch (m.thp.defrag) {
    case "always": return GFP_TRANSHUGE | (madvised ? 0 : __GFP_NORETRY);
    case "defer": return GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM;
    case "defer+madvise": return GFP_TRANSHUGE_LIGHT | (madvised ? __GFP_DIRECT_RECLAIM : __GFP_KSWAPD_RECLAIM);
    case "madvise": return GFP_TRANSHUGE_LIGHT | (madvised ? __GFP_DIRECT_RECLAIM : 0);
    default: return GFP_TRANSHUGE_LIGHT;
  }
}

/** pgtable_trans_huge_deposit + mm_inc_nr_ptes. */
function deposit(m: MmMemory, mm: MmStruct, pmdp: number, table: number): void {
  m.deposited.set(pmdp, table);
  mm.pgtables!.pgtablesBytes += PAGE;
}

/** pgtable_trans_huge_withdraw (the count stays: the table is used or freed by the caller). */
function withdraw(m: MmMemory, pmdp: number): number {
  const table = m.deposited.get(pmdp);
  if (table === undefined) throw new Error(`no PTE table deposited for the huge PMD at 0x${pmdp.toString(16)}`);
  m.deposited.delete(pmdp);
  return table;
}

/** Kernel: `zap_deposited_table()`: withdraw, pte_free, mm_dec_nr_ptes. */
function zapDepositedTable(m: MmMemory, mm: MmStruct, pmdp: number): void {
  const table = withdraw(m, pmdp);
  m.alloc.cpu = m.cpu;
  m.alloc.pteFree(table);
  mm.pgtables!.pgtablesBytes -= PAGE;
}

/**
 * A fault on an empty PMD of an eligible VMA. Kernel: `do_huge_pmd_anonymous_page()` and
 * `__do_huge_pmd_anonymous_page()`.
 * @returns a vm_fault_t; VM_FAULT_FALLBACK (0x800) sends the fault to the PTE level
 */
export function doHugePmdAnonymousPage(m: MmMemory, vma: VmAreaStruct, address: number, flags: number, pmdp: number): number {
  const haddr = address - (address % PMD_SIZE);
  if (!transhugeVmaSuitable(vma, haddr)) return VM_FAULT_FALLBACK;
  if (m.rmap.anonVmaPrepare(vma) !== 0) return VM_FAULT_OOM;
  const mm = vma.vmMm;
  const store = m.store;
  const t = m.t;
  m.alloc.cpu = m.cpu;
  if ((flags & FAULT_FLAG_WRITE) === 0 && m.thp.useZeroPage) {
    const table = m.alloc.pteAllocOne();
    if (table === NULL_ENTRY) return VM_FAULT_OOM;
    const zpfn = m.hugeZero.mmGet(mm);
    if (zpfn === NIL_PFN) {
      m.alloc.pteFree(table);
      m.vmstat.countVmEvent(THP_FAULT_FALLBACK);
      return VM_FAULT_FALLBACK;
    }
    // set_huge_zero_page()
    pmdMkhuge(pfnPte(zpfn, vma.vmPageProt, t));
    deposit(m, mm, pmdp, table);
    store.write(pmdp, t.lo, t.hi);
    m.stats[FS_THP_ZERO]!++;
    return 0;
  }
  const pfn = m.pages.allocPages(vmaThpGfpMask(m, vma), 9, m.cpu);
  if (pfn === NIL_PFN) {
    m.vmstat.countVmEvent(THP_FAULT_FALLBACK);
    return VM_FAULT_FALLBACK;
  }
  // mem_cgroup_charge(folio, mm, gfp): a THP over the memcg's limit falls back to small pages (THP_FAULT_FALLBACK_CHARGE)
  if (m.memcg !== null && m.memcg.charge(m.mem.pfnToPage(pfn), HPAGE_PMD_NR, vmaThpGfpMask(m, vma), m.cpu) !== 0) {
    m.pages.freePages(pfn, 9, m.cpu);
    m.vmstat.countVmEvent(THP_FAULT_FALLBACK);
    m.vmstat.countVmEvent(THP_FAULT_FALLBACK_CHARGE);
    return VM_FAULT_FALLBACK;
  }
  const table = m.alloc.pteAllocOne();
  if (table === NULL_ENTRY) {
    m.pages.freePages(pfn, 9, m.cpu);
    return VM_FAULT_OOM;
  }
  const mem = m.mem;
  const head = mem.pfnToPage(pfn);
  m.rmap.prepTransHuge(head);
  for (let i = 0; i < HPAGE_PMD_NR; i++) m.contents.clear(pfn + i); // clear_huge_page
  pmdMkhuge(pfnPte(pfn, vma.vmPageProt, t));
  pteMkdirty(t);
  if ((vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t);
  m.rmap.pageAddNewAnonRmap(head, vma, haddr, true);
  m.lru?.folioAddLruVma(head, vma.vmFlags, m.cpu);
  deposit(m, mm, pmdp, table);
  store.write(pmdp, t.lo, t.hi);
  mm.rssStat[MM_ANONPAGES]! += HPAGE_PMD_NR; // add_mm_counter (not the _fast one)
  m.vmstat.countVmEvent(THP_FAULT_ALLOC);
  m.stats[FS_THP_ANON]!++;
  return 0;
}

/** An access-flag or dirty-bit fault on a huge PMD. Kernel: `huge_pmd_set_accessed()`. */
export function hugePmdSetAccessed(m: MmMemory, _vma: VmAreaStruct, _address: number, flags: number, pmdp: number): void {
  const store = m.store;
  const lo = store.readLo(pmdp);
  const hi = store.readHi(pmdp);
  const t = m.t.set(lo, hi);
  t.lo = (t.lo | PTE_AF) >>> 0;
  let stat = FS_ACCESS_FLAG;
  if ((flags & FAULT_FLAG_WRITE) !== 0) {
    if ((lo & (1 << 7)) !== 0) stat = FS_DIRTY;
    pteMkdirty(t);
  }
  if (t.lo !== lo || t.hi !== hi) {
    store.write(pmdp, t.lo, t.hi);
    m.stats[stat]!++;
  } else m.stats[FS_SPURIOUS]!++;
}

/**
 * A write to a write-protected huge PMD: the huge zero page always splits; an anonymous THP is
 * reused when exclusive (or its only reference), else split for a 4 KiB COW.
 * Kernel: `do_huge_pmd_wp_page()`.
 */
export function doHugePmdWpPage(m: MmMemory, vma: VmAreaStruct, address: number, _flags: number, pmdp: number): number {
  const store = m.store;
  const lo = store.readLo(pmdp);
  const hi = store.readHi(pmdp);
  const pfn = (hi & 0xffff) * 1048576 + ((lo & 0xfffff000) >>> 12);
  if (pfn !== m.hugeZero.pfn) {
    const mem = m.mem;
    const head = mem.pfnToPage(pfn);
    let reuse = (mem.flags[head]! & (1 << PG_anon_exclusive)) !== 0;
    if (!reuse) {
      const swapcache = (mem.flags[head]! & (1 << PG_swapcache)) !== 0 ? HPAGE_PMD_NR : 0;
      if (mem.refcount[head]! <= 1 + swapcache && mem.refcount[head] === 1) {
        m.rmap.pageMoveAnonRmap(head, vma);
        reuse = true;
      }
    }
    if (reuse) {
      const t = m.t.set(lo, hi);
      t.lo = (t.lo | PTE_AF) >>> 0;
      pteMkdirty(t);
      if ((vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t);
      store.write(pmdp, t.lo, t.hi);
      return VM_FAULT_WRITE;
    }
  }
  splitHugePmd(m, vma, pmdp, address);
  return VM_FAULT_FALLBACK;
}

/**
 * Replaces a huge PMD by a PTE table mapping the same pages (the deposited table): 512
 * zero-page PTEs for the huge zero page; for a THP, 512 PTEs with the PMD's write, young and
 * dirty state, one _mapcount and one reference per subpage, PageAnonExclusive carried to each
 * subpage, the compound mapping dropped (PG_double_map while other PMDs still map it).
 * Kernel: `__split_huge_pmd()` → `__split_huge_pmd_locked()` / `__split_huge_zero_page_pmd()`.
 */
export function splitHugePmd(m: MmMemory, vma: VmAreaStruct, pmdp: number, address: number): void {
  const store = m.store;
  const mm = vma.vmMm;
  const haddr = address - (address % PMD_SIZE);
  m.vmstat.countVmEvent(THP_SPLIT_PMD);
  const lo = store.readLo(pmdp);
  const hi = store.readHi(pmdp);
  const pfn = (hi & 0xffff) * 1048576 + ((lo & 0xfffff000) >>> 12);
  // pmdp_invalidate / pmdp_huge_clear_flush
  store.write(pmdp, 0, 0);
  m.flushTlbRange(mm, haddr, haddr + PMD_SIZE);
  const table = withdraw(m, pmdp);
  const t = m.t;
  const prot = vma.vmPageProt;
  if (pfn === m.hugeZero.pfn) {
    for (let i = 0; i < HPAGE_PMD_NR; i++) {
      pteMkspecial(pfnPte(m.zeroPfn, prot, t));
      store.write(table + i * 8, t.lo, t.hi);
    }
    pmdPopulate(store, mm.pgtables!, pmdp, table);
    return;
  }
  const mem = m.mem;
  const head = mem.pfnToPage(pfn);
  const write = (hi & PTE_WRITE_HI) !== 0;
  const young = (lo & PTE_AF) !== 0;
  const dirty = (hi & (1 << 23)) !== 0 || (write && (lo & (1 << 7)) === 0);
  const anonExclusive = m.rmap.pageAnon(head) && (mem.flags[head]! & (1 << PG_anon_exclusive)) !== 0;
  mem.refcount[head]! += HPAGE_PMD_NR - 1; // page_ref_add
  for (let i = 0; i < HPAGE_PMD_NR; i++) {
    pfnPte(pfn + i, prot, t);
    if ((vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t);
    if (anonExclusive) mem.flags[head + i] |= 1 << PG_anon_exclusive;
    if (!write) pteWrprotect(t);
    if (!young) pteMkold(t);
    if (dirty) pteMkdirty(t);
    store.write(table + i * 8, t.lo, t.hi);
    mem.mapcount[head + i]!++;
  }
  // Set PG_double_map before dropping compound_mapcount to avoid false-negative page_mapped().
  if (m.rmap.compoundMapcount(head) > 1 && (mem.flags[head + 1]! & (1 << PG_double_map)) === 0) {
    mem.flags[head + 1] |= 1 << PG_double_map;
    for (let i = 0; i < HPAGE_PMD_NR; i++) mem.mapcount[head + i]!++;
  }
  if (--mem.private[head + 1]! < 0) {
    // Last compound_mapcount is gone.
    m.pages.modNodePageState(pfn, NR_ANON_THPS, -HPAGE_PMD_NR);
    if ((mem.flags[head + 1]! & (1 << PG_double_map)) !== 0) {
      mem.flags[head + 1] &= ~(1 << PG_double_map);
      for (let i = 0; i < HPAGE_PMD_NR; i++) mem.mapcount[head + i]!--;
    }
  }
  pmdPopulate(store, mm.pgtables!, pmdp, table);
}

/** Zaps a whole huge PMD. Kernel: `zap_huge_pmd()`. */
export function zapHugePmd(m: MmMemory, vma: VmAreaStruct, pmdp: number, _addr: number): void {
  const store = m.store;
  const mm = vma.vmMm;
  const lo = store.readLo(pmdp);
  const hi = store.readHi(pmdp);
  store.write(pmdp, 0, 0);
  const pfn = (hi & 0xffff) * 1048576 + ((lo & 0xfffff000) >>> 12);
  zapDepositedTable(m, mm, pmdp);
  if (pfn === m.hugeZero.pfn) return;
  const head = m.mem.pfnToPage(pfn);
  m.rmap.pageRemoveRmap(head, vma, true);
  mm.rssStat[MM_ANONPAGES]! -= HPAGE_PMD_NR;
  m.putPage(head);
}

/**
 * At fork: the child maps the same THP (or the huge zero page), write-protected and old in the
 * child, write-protected in the parent. Kernel: `copy_huge_pmd()`.
 * @returns 0 or -ENOMEM
 */
export function copyHugePmd(m: MmMemory, dst: VmAreaStruct, src: VmAreaStruct, dPmdp: number, sPmdp: number, addr: number): number {
  const store = m.store;
  const dstMm = dst.vmMm;
  m.alloc.cpu = m.cpu;
  const table = m.alloc.pteAllocOne();
  if (table === NULL_ENTRY) return -12;
  const lo = store.readLo(sPmdp);
  const hi = store.readHi(sPmdp);
  const pfn = (hi & 0xffff) * 1048576 + ((lo & 0xfffff000) >>> 12);
  const t = m.t;
  if (pfn === m.hugeZero.pfn) {
    m.hugeZero.mmGet(dstMm);
    pmdMkhuge(pfnPte(pfn, dst.vmPageProt, t));
    deposit(m, dstMm, dPmdp, table);
    store.write(dPmdp, t.lo, t.hi);
    return 0;
  }
  const mem = m.mem;
  const head = mem.pfnToPage(pfn);
  mem.refcount[head]!++; // get_page
  m.rmap.pageTryDupAnonRmap(head, true);
  dstMm.rssStat[MM_ANONPAGES]! += HPAGE_PMD_NR;
  deposit(m, dstMm, dPmdp, table);
  pteWrprotect(t.set(lo, hi));
  store.write(sPmdp, t.lo, t.hi); // pmdp_set_wrprotect
  pteMkold(t);
  store.write(dPmdp, t.lo, t.hi);
  void src;
  void addr;
  return 0;
}

/** mprotect of a whole huge PMD. Kernel: `change_huge_pmd()` (6.1 makes no write upgrade here). @returns pages changed (HPAGE_PMD_NR) */
export function changeHugePmd(m: MmMemory, vma: VmAreaStruct, pmdp: number, addr: number): number {
  const store = m.store;
  const t = pteModify(m.t.set(store.readLo(pmdp), store.readHi(pmdp)), vma.vmPageProt);
  store.write(pmdp, t.lo, t.hi);
  m.flushTlbRange(vma.vmMm, addr, addr + PMD_SIZE);
  return HPAGE_PMD_NR;
}

/** mremap of a whole aligned huge PMD: the entry and its deposited table move. Kernel: `move_huge_pmd()`. @returns false when the new PMD is in use */
export function moveHugePmd(m: MmMemory, vma: VmAreaStruct, oldPmdp: number, newPmdp: number): boolean {
  const store = m.store;
  if (store.readLo(newPmdp) !== 0 || store.readHi(newPmdp) !== 0) return false;
  const lo = store.readLo(oldPmdp);
  const hi = store.readHi(oldPmdp);
  store.write(oldPmdp, 0, 0);
  const table = withdraw(m, oldPmdp);
  m.deposited.set(newPmdp, table);
  store.write(newPmdp, lo, hi);
  void vma;
  return true;
}

/**
 * Splits an isolated, locked anonymous THP into 512 order-0 pages where it is mapped. As 6.1:
 * can_split_folio (every reference but the caller's is a mapping, else -EBUSY); unmap_folio —
 * try_to_migrate with TTU_SPLIT_HUGE_PMD: each huge PMD mapping it is split (split_huge_pmd_address,
 * THP_SPLIT_PMD) and every PTE becomes a migration entry of its subpage (6.1 splits with
 * `freeze` and writes the entries at once: the same entries result); folio_ref_freeze;
 * __split_huge_page: from the last tail down, each tail takes the head's flags (those
 * __split_huge_page_tail copies), mapping and index + i, one reference of its own and — the head
 * being isolated — a second one and its place on the caller's list (lru_add_page_tail with a
 * list: `onTail`); the head loses PG_head and its compound mapcount (free_transhuge_page's
 * deferred-split unqueue too); remap_page turns every migration entry back into a PTE of its
 * subpage; the tails are unlocked and their own reference dropped. THP_SPLIT_PAGE or
 * THP_SPLIT_PAGE_FAILED counts it. NR_ISOLATED_* already counts the 512 pages (isolation counted
 * the THP as 512), the LRU sizes too. Kernel: `split_huge_page_to_list()` → `can_split_folio()`,
 * `unmap_folio()`, `__split_huge_page()`, `__split_huge_page_tail()`, `remap_page()`
 * (mm/huge_memory.c, v6.1). Swap-cache and file THPs are not modelled (-EBUSY).
 * @returns 0, or -EBUSY
 */
export function splitHugePage(m: MmMemory, headPfn: number, onTail: (pfn: number) => void): number {
  const mem = m.mem;
  const rmap = m.rmap;
  const head = mem.pfnToPage(headPfn);
  if ((mem.flags[head]! & (1 << PG_head)) === 0) throw new MmBugError("huge_memory.split_huge_page", `pfn 0x${headPfn.toString(16)} is not a THP head`);
  if ((mem.flags[head]! & (1 << PG_locked)) === 0) throw new MmBugError("huge_memory.split_huge_page", `THP at pfn 0x${headPfn.toString(16)} is not locked`);
  // can_split_folio: no extra pins (anonymous, not in the swap cache); the caller holds one reference
  if (!rmap.pageAnon(head) || (mem.flags[head]! & (1 << PG_swapcache)) !== 0 || rmap.totalMapcount(head) !== mem.refcount[head]! - 1) {
    m.vmstat.countVmEvent(THP_SPLIT_PAGE_FAILED);
    return -EBUSY;
  }
  // unmap_folio: split every huge PMD mapping the folio, then migration entries for every PTE
  const store = m.store;
  rmap.rmapWalk(head, {
    rmapOne: (_page, vma, address) => {
      const pgt = vma.vmMm.pgtables;
      if (pgt === null) return true;
      const w = pmdWordOf(store, pgt.pgd, address);
      if (w < 0) return true;
      const lo = store.words[w]!;
      const hi = store.words[w + 1]!;
      if (pmdTransHuge(lo, hi) && (hi & 0xffff) * 1048576 + ((lo & 0xfffff000) >>> 12) === headPfn) splitHugePmd(m, vma, entryOfWord(store, w), address);
      return true;
    },
  });
  if (rmap.folioMapped(head)) rmap.tryToMigrate(head);
  // folio_ref_freeze(folio, 1): only the caller's reference is left
  if (rmap.folioMapped(head) || mem.refcount[head] !== 1) {
    rmap.removeMigrationPtes(head, head); // remap_page of the still-whole folio
    m.vmstat.countVmEvent(THP_SPLIT_PAGE_FAILED);
    return -EBUSY;
  }
  // __split_huge_page: the tails from the end, then the head
  const hf = mem.flags[head]!;
  const copied = hf & SPLIT_TAIL_FLAGS;
  const mapping = mem.mapping[head]!;
  const index = mem.index[head]!;
  rmap.destroyTransHuge(head); // ClearPageCompound, compound mapcount and PG_double_map gone, off the deferred split queue
  for (let i = HPAGE_PMD_NR - 1; i >= 1; i--) {
    const tail = head + i;
    mem.flags[tail] = (mem.flags[tail]! & ~SPLIT_TAIL_FLAGS & ~(1 << PG_anon_exclusive)) | copied;
    mem.mapping[tail] = mapping;
    mem.index[tail] = (index + i) >>> 0;
    mem.private[tail] = 0;
    mem.refcount[tail] = 2; // page_ref_unfreeze(page_tail, 1) + lru_add_page_tail's get_page for the caller's list
    onTail(headPfn + i);
  }
  // remap_page: every subpage's migration entries back into PTEs
  for (let i = 0; i < HPAGE_PMD_NR; i++) rmap.removeMigrationPtes(head + i, head + i);
  for (let i = 1; i < HPAGE_PMD_NR; i++) {
    mem.flags[head + i] = mem.flags[head + i]! & ~(1 << PG_locked); // unlock_page
    mem.refcount[head + i]!--; // free_page_and_swap_cache: the tail's own reference (the list's and the mappings' stay)
  }
  m.vmstat.countVmEvent(THP_SPLIT_PAGE);
  return 0;
}

/** The head's flags each tail takes. Kernel: `__split_huge_page_tail()`'s mask (PG_mlocked is the LRU's; no PG_arch_2 on arm64's 6.1 without MTE tags). */
const SPLIT_TAIL_FLAGS =
  (1 << PG_referenced) | (1 << PG_swapbacked) | (1 << PG_swapcache) | (1 << PG_mlocked) | (1 << PG_uptodate) | (1 << PG_active) |
  (1 << PG_workingset) | (1 << PG_locked) | (1 << PG_unevictable) | (1 << PG_dirty);
