// Kernel: mm/memory.c (handle_mm_fault, __handle_mm_fault, handle_pte_fault, do_anonymous_page, do_wp_page (its PageKsm copy and COW_KSM), wp_page_reuse, wp_page_copy, zap_pte_range, unmap_vmas, free_pgtables, copy_page_range, copy_present_pte, mm_account_fault, add_mm_counter_fast, check_sync_rss_stat, sync_mm_rss), mm/mprotect.c (change_pte_range, can_change_pte_writable), mm/mremap.c (move_page_tables, move_ptes, move_normal_pmd), mm/gup.c (populate_vma_page_range, faultin_page) (v6.1; swap PTEs in swap-fault.ts; written from the 6.1 sources as remembered, behaviour pinned by KERNEL-FACTS' captures) — the page-table side of processes
/*
 * One `MmMemory` per machine implements the contract's MmPageOps and the fault path. The page
 * tables are hw-arm64's (frames from the page allocator, descriptors in the PgtableStore);
 * anonymous pages come from the PageAllocator with GFP_HIGHUSER_MOVABLE and are tracked by
 * @mmsim/rmap; THP faults are in huge-memory.ts, the arm64 entry (do_page_fault, SIGSEGV
 * codes, the MMU's checks) in fault-arm64.ts.
 *
 * The zero page: arm64's `empty_zero_page` is a page of the kernel image's BSS
 * (__page_aligned_bss), so ZERO_PAGE() is a reserved frame inside the image, never allocated
 * and never freed; the machine passes its PFN (`zeroPfn`), tests pick a reserved frame. Its
 * PTEs are pte_special (vm_normal_page() returns no page), so it has no mapcount, refcount or
 * RSS, as in 6.1.
 *
 * Software access and dirty bits (Cortex-A57, ARMv8.0: no hardware AF, no DBM): vm_page_prot
 * carries PTE_AF, so new PTEs are young; a PTE made old (fork's child copy, folio_referenced)
 * faults on its next access and handle_pte_fault sets it young; a writable PTE that is clean
 * (PTE_WRITE with PTE_RDONLY) faults on the first write and handle_pte_fault sets it dirty.
 * Both are minor faults counted in pgfault and min_flt.
 *
 * RSS (SPLIT_RSS_COUNTING, 6.1): faults of the current task on its own mm count through the
 * task's rss_stat cache (@mmsim/vma's addMmCounterFast), folded into mm->rss_stat when
 * checkSyncRssStat() at the start of a fault sees more than TASK_RSS_EVENTS_THRESH events;
 * zap, copy_page_range and THP faults update mm->rss_stat directly, as 6.1 does.
 *
 * File-backed and shmem VMAs (vm_ops) fault through file-fault.ts (`file`: do_fault,
 * wp_page_shared, fault-around); zap, copy_page_range and change_protection handle their pages
 * here with its help (mm_counter_file, write-notify).
 *
 * Swap PTEs (do_swap_page, their zap, fork copy, swapoff's unuse, MADV_WILLNEED) are
 * swap-fault.ts's (`swap`), over core's SwapOps and Lru.
 *
 * Not modelled: the LRU (lru_cache_add_inactive_or_unevictable is reclaim's), memcg charging, NUMA
 * hinting faults, userfaultfd, the mmu_gather batching (pages are freed as they are zapped,
 * after which the range is flushed: one simulated CPU runs at a time, so no stale TLB entry is
 * used in between).
 */
import {
  COW_KSM, GFP_HIGHUSER_MOVABLE, GFP_KERNEL, type Lru, type MemcgCharger, MmBugError, NIL_PFN, type SwapOps, PGFAULT, PGREUSE, PG_anon_exclusive, PG_head, PG_lru, PG_swapcache, PG_uptodate,
  __GFP_ZERO, type MemMap, type PageAllocator, type VmStat,
} from "@mmsim/core";
import {
  NULL_ENTRY, PTE_AF, PTE_DIRTY_HI, PTE_PROT_NONE_HI, PTE_RDONLY, PTE_SPECIAL_HI, PTE_VALID, PTE_WRITE_HI, PteVal, type MmPgtables,
  type PgtableAllocator, type PgtableStore, entryPagePaddr, freePgdRange, mmAllocPgd, mmFreePgd, p4dAlloc, pfnPte,
  pgdOffsetPgd, pmdAlloc, pmdOffset, pteAlloc, pteMkclean, pteMkdirty, pteMkold, pteMkspecial, pteMkwrite, pteModify,
  pteOffsetKernel, ptePfn, pteWrprotect, pudAlloc, pudOffset, walkToPmd,
} from "@mmsim/hw-arm64";
import { type Rmap, type TlbRangeFlusher, isMigrationPte, mmCounterFile, pageKsm } from "@mmsim/rmap";
import {
  MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, type MmPageOps, type MmStruct, type TaskStruct, VM_HUGETLB, addMmCounterFast, checkSyncRssStat,
  VM_MAYWRITE,
  VM_MIXEDMAP, VM_PFNMAP, VM_SHARED, VM_WRITE, type VmAreaStruct,
  type VmFileMapping,
} from "@mmsim/vma";
import {
  HugeZeroPage, ThpSettings, copyHugePmd, doHugePmdAnonymousPage, doHugePmdWpPage, hugePmdSetAccessed, hugepageVmaCheck,
  changeHugePmd, moveHugePmd, pmdTransHuge, splitHugePage, splitHugePmd, zapHugePmd,
} from "./huge-memory.ts";
import { FileFault } from "./file-fault.ts";
import { mlockVmaPagesRange, munlockVmaPage } from "./mlock-pages.ts";
import { SwapPte } from "./swap-fault.ts";
import { PageContents } from "./page-contents.ts";
import { entryOfWord, pmdWordOf, pteWordIndex, tableWordOf } from "./pgwalk.ts";

// ---------------------------------------------------------------------------------------------
// vm_fault_t and fault flags (include/linux/mm_types.h, mm.h)
// ---------------------------------------------------------------------------------------------

import {
  VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_MAJOR, VM_FAULT_WRITE, VM_FAULT_HWPOISON, VM_FAULT_HWPOISON_LARGE, VM_FAULT_SIGSEGV,
  VM_FAULT_NOPAGE, VM_FAULT_LOCKED, VM_FAULT_RETRY, VM_FAULT_FALLBACK, VM_FAULT_DONE_COW, VM_FAULT_ERROR, FAULT_FLAG_WRITE,
  FAULT_FLAG_MKWRITE, FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_RETRY_NOWAIT, FAULT_FLAG_KILLABLE, FAULT_FLAG_TRIED, FAULT_FLAG_USER,
  FAULT_FLAG_REMOTE, FAULT_FLAG_INSTRUCTION, FAULT_FLAG_INTERRUPTIBLE, FAULT_FLAG_UNSHARE,
} from "@mmsim/vma";
// the constants live with struct vm_fault (@mmsim/vma's vm-ops.ts), which @mmsim/filemap returns too
export {
  VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_MAJOR, VM_FAULT_WRITE, VM_FAULT_HWPOISON, VM_FAULT_HWPOISON_LARGE, VM_FAULT_SIGSEGV,
  VM_FAULT_NOPAGE, VM_FAULT_LOCKED, VM_FAULT_RETRY, VM_FAULT_FALLBACK, VM_FAULT_DONE_COW, VM_FAULT_ERROR, FAULT_FLAG_WRITE,
  FAULT_FLAG_MKWRITE, FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_RETRY_NOWAIT, FAULT_FLAG_KILLABLE, FAULT_FLAG_TRIED, FAULT_FLAG_USER,
  FAULT_FLAG_REMOTE, FAULT_FLAG_INSTRUCTION, FAULT_FLAG_INTERRUPTIBLE, FAULT_FLAG_UNSHARE,
};


// ---------------------------------------------------------------------------------------------
// mmsim's breakdown of the faults (no kernel counter: pgfault counts them all)
// ---------------------------------------------------------------------------------------------

/** do_anonymous_page with a new page. */
export const FS_ANON = 0;
/** do_anonymous_page mapping the zero page (read). */
export const FS_ZERO = 1;
/** do_wp_page → wp_page_copy (from the zero page included). */
export const FS_WP_COPY = 2;
/** do_wp_page → wp_page_reuse. */
export const FS_WP_REUSE = 3;
/** handle_pte_fault on an old PTE: only sets young (no hardware AF). */
export const FS_ACCESS_FLAG = 4;
/** handle_pte_fault on a clean writable PTE: sets dirty (no DBM). */
export const FS_DIRTY = 5;
/** A fault that found nothing to change (another path fixed it). */
export const FS_SPURIOUS = 6;
/** do_huge_pmd_anonymous_page with a new THP. */
export const FS_THP_ANON = 7;
/** do_huge_pmd_anonymous_page mapping the huge zero page. */
export const FS_THP_ZERO = 8;
/** Faults that fell back from a huge PMD to PTEs (after a split or a failed THP allocation). */
export const FS_THP_FALLBACK = 9;
/** Stack expansions (expand_downwards) by faults below a VM_GROWSDOWN VMA. */
export const FS_STACK_GROW = 10;
export const NR_FAULT_STATS = 11;
export const faultStatNames: readonly string[] = Object.freeze([
  "anon", "zero_page", "wp_copy", "wp_reuse", "access_flag", "dirty_bit", "spurious", "thp_anon", "thp_zero", "thp_fallback", "stack_grow",
]);

/** What MmMemory needs of the machine. */
export interface MmMemoryDeps {
  readonly mem: MemMap;
  /** Table allocation (its `cpu` is set from the fault's CPU). */
  readonly alloc: PgtableAllocator;
  readonly pages: PageAllocator;
  readonly vmstat: VmStat;
  readonly rmap: Rmap;
  /** flush_tlb_range(vma, start, end) / flush_tlb_mm: the machine passes its Mmu's. */
  readonly flushTlbRange: TlbRangeFlusher;
  /** PFN of empty_zero_page (a reserved frame of the kernel image). */
  readonly zeroPfn: number;
  /** /sys/kernel/mm/transparent_hugepage settings (default: enabled=always, defrag=madvise, use_zero_page=1). */
  readonly thp?: ThpSettings;
  readonly contents?: PageContents;
  /** The swap subsystem (absent or null: no swap). */
  readonly swapOps?: SwapOps | null;
  /** The LRU (absent or null: no reclaim module), for swap-in's calls. */
  readonly lru?: Lru | null;
}

const PAGE = 4096;
const PMD_SIZE = 2 ** 21;
const PMD_NR = 512;

/** A pmd that is not none yet points to no PTE table of the store, where do_anonymous_page sets the PTE: a simulator bug. */
function noPteTable(pmdp: number): never {
  throw new MmBugError("fault.do_anonymous_page", `pmd at 0x${pmdp.toString(16)} points to no PTE table`);
}

/** The page-table side of every process of one machine. */
export class MmMemory implements MmPageOps {
  readonly mem: MemMap;
  readonly alloc: PgtableAllocator;
  readonly store: PgtableStore;
  readonly pages: PageAllocator;
  readonly vmstat: VmStat;
  /** The vmstat service's event counters (count_vm_event on the fault path without a call). */
  private readonly vmEvents: Float64Array;
  readonly rmap: Rmap;
  readonly flushTlbRange: TlbRangeFlusher;
  readonly zeroPfn: number;
  readonly thp: ThpSettings;
  readonly contents: PageContents;
  readonly hugeZero: HugeZeroPage;
  /**
   * The task running on the CPU (the kernel's `current`); null for none (kernel context).
   * Arm64Fault sets it for each user fault; the syscall layer sets it to the calling task before
   * a call that faults on the caller's behalf (MAP_POPULATE, mlock, MADV_POPULATE_*), so
   * add_mm_counter_fast batches into the caller's rss_stat as 6.1 does.
   */
  current: TaskStruct | null = null;
  /** The CPU the caller runs on (page and table allocations use its per-CPU lists). */
  cpu = 0;
  /** mmsim's breakdown of the faults handled (FS_*). */
  readonly stats = new Float64Array(NR_FAULT_STATS);
  /** The LRU (folio_add_lru_vma for new anonymous pages, __page_cache_release on the last put); null: pages are on no list. */
  lru: Lru | null = null;
  /** The memory controller (mem_cgroup_charge of new anonymous pages); null: no memcg. */
  memcg: MemcgCharger | null = null;
  /** Swap PTEs: do_swap_page, their zap and fork copy, swapoff's unuse, MADV_WILLNEED (swap-fault.ts). */
  readonly swap: SwapPte;
  /**
   * The mms swapoff walks (init_mm.mmlist), rmap's set: 6.1 adds an mm at its first swap PTE
   * (try_to_unmap_one there, copy_nonpresent_pte here); exit_mmap removes it.
   */
  readonly mmlist: Set<MmStruct>;
  /** The faults of VMAs with vm_ops (file-backed, shmem): do_fault, wp_page_shared, fault_around_bytes. */
  readonly file: FileFault;
  /**
   * THP PMDs' deposited PTE tables (pgtable_trans_huge_deposit), by PMD entry address. The
   * kernel keeps them on the pmd's page (pmd_huge_pte); entry addresses are unique per machine.
   */
  readonly deposited = new Map<number, number>();
  /** Scratch descriptor values (allocation-free paths). */
  readonly t = new PteVal();
  readonly t2 = new PteVal();

  constructor(deps: MmMemoryDeps) {
    this.mem = deps.mem;
    this.alloc = deps.alloc;
    this.store = deps.alloc.store;
    this.pages = deps.pages;
    this.vmstat = deps.vmstat;
    this.vmEvents = deps.vmstat.vmEvents;
    this.rmap = deps.rmap;
    deps.rmap.splitHugePage = (headPfn, onTail) => splitHugePage(this, headPfn, onTail); // migration's try_split_thp
    this.mmlist = deps.rmap.mmlist;
    this.flushTlbRange = deps.flushTlbRange;
    this.zeroPfn = deps.zeroPfn;
    this.thp = deps.thp ?? new ThpSettings();
    this.contents = deps.contents ?? new PageContents();
    this.hugeZero = new HugeZeroPage(this);
    this.file = new FileFault(this);
    this.swap = new SwapPte(this);
    this.swap.ops = deps.swapOps ?? null;
    this.lru = deps.lru ?? null;
  }

  // ------------------------------------------------------------------ page references

  /** Kernel: `put_page()` / `folio_put()`: the last reference frees the page (or the whole THP). */
  putPage(page: number): void {
    const mem = this.mem;
    const head = this.rmap.compoundHead(page);
    if (mem.refcount[head]! > 1) {
      mem.refcount[head]!--;
      return;
    }
    const pfn = mem.pageToPfn(head);
    this.lru?.pageCacheRelease(head); // __folio_put → __page_cache_release
    // free_pages_prepare(): an anonymous page's mapping is reset (PageMappingFlags).
    mem.mapping[head] = 0;
    mem.index[head] = 0;
    if ((mem.flags[head]! & (1 << PG_head)) !== 0) {
      this.rmap.destroyTransHuge(head);
      for (let i = 0; i < PMD_NR; i++) this.contents.clear(pfn + i);
      this.pages.freePages(pfn, 9, this.cpu);
    } else {
      this.contents.clear(pfn);
      this.pages.freePages(pfn, 0, this.cpu);
    }
  }

  /**
   * mem_cgroup_charge(folio, mm, GFP_KERNEL) of a new order-0 page; on failure the page is freed
   * (oom_free_page / oom_free_new). @returns true when the charge failed
   */
  memcgChargeFailed(page: number): boolean {
    if (this.memcg!.charge(page, 1, GFP_KERNEL, this.cpu) === 0) return false;
    this.pages.freePages(this.mem.pageToPfn(page), 0, this.cpu);
    return true;
  }

  /** Allocates a zeroed user page. Kernel: `alloc_zeroed_user_highpage_movable()`. @returns the page index, or -1 */
  allocZeroedUserPage(): number {
    const pfn = this.pages.allocPages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0, this.cpu);
    if (pfn === NIL_PFN) return -1;
    this.contents.clear(pfn);
    return this.mem.pfnToPage(pfn);
  }

  /** mm->pgd, allocated on first use (mm_alloc_pgd at mm_init). @returns null on -ENOMEM */
  pgtablesOf(mm: MmStruct): MmPgtables | null {
    if (mm.pgtables === null) {
      this.alloc.cpu = this.cpu;
      mm.pgtables = mmAllocPgd(this.alloc);
    }
    return mm.pgtables;
  }

  // ------------------------------------------------------------------ the fault path

  /**
   * Handles a fault at `address` in `vma` (the arch code found the VMA and checked its
   * permissions). Counts pgfault, folds the task's RSS cache, then min_flt/maj_flt for a
   * successful fault. Kernel: `handle_mm_fault()`.
   * @returns a vm_fault_t (VM_FAULT_* bits; 0 = handled)
   */
  handleMmFault(vma: VmAreaStruct, address: number, flags: number): number {
    this.vmEvents[PGFAULT]!++; // count_vm_event(PGFAULT)
    const task = this.current;
    if (task !== null) checkSyncRssStat(task);
    // sanitize_fault_flags(): a write fault on a VMA without VM_WRITE (no FOLL_FORCE here).
    if ((flags & FAULT_FLAG_WRITE) !== 0 && (vma.vmFlags & VM_WRITE) === 0) return VM_FAULT_SIGSEGV;
    const lru = this.lru;
    lru?.lruGenFault?.(vma.vmFlags); // lru_gen_enter_fault(vma)
    let ret: number;
    try {
      ret = this.__handleMmFault(vma, address, flags);
    } finally {
      lru?.lruGenFault?.(null); // lru_gen_exit_fault()
    }
    // mm_account_fault()
    if ((ret & (VM_FAULT_ERROR | VM_FAULT_RETRY)) === 0 && task !== null) {
      if ((ret & VM_FAULT_MAJOR) !== 0 || (flags & FAULT_FLAG_TRIED) !== 0) task.majFlt++;
      else task.minFlt++;
    }
    return ret;
  }

  /** Kernel: `__handle_mm_fault()`: allocate the upper levels, try a huge PMD, else the PTE level. */
  private __handleMmFault(vma: VmAreaStruct, address: number, flags: number): number {
    const pgt = this.pgtablesOf(vma.vmMm);
    if (pgt === null) return VM_FAULT_OOM;
    this.alloc.cpu = this.cpu;
    const store = this.store;
    // pgd_offset, p4d_alloc, pud_alloc, pmd_alloc on the words (pgwalk.ts): a pmd that points to a
    // PTE table (all but a VMA's first faults) goes straight to handle_pte_fault.
    const w = pmdWordOf(store, pgt.pgd, address);
    if (w >= 0 && (store.words[w]! & 3) === 3) return this.handlePteFault(vma, address, flags, entryOfWord(store, w));
    return this.__handleMmFaultPmd(vma, address, flags, pgt, w);
  }

  /**
   * __handle_mm_fault's other cases (out of the hot function): a missing level (the allocating
   * helpers), a none pmd (a THP first, where THP applies), a huge pmd.
   * @param w the pmd entry's word, or -1 when the pud or pmd table is missing
   */
  private __handleMmFaultPmd(vma: VmAreaStruct, address: number, flags: number, pgt: MmPgtables, w: number): number {
    const store = this.store;
    let pmdp: number;
    if (w >= 0) pmdp = entryOfWord(store, w);
    else {
      pmdp = walkToPmd(this.alloc, pgt, address);
      if (pmdp === NULL_ENTRY) return VM_FAULT_OOM;
      w = store.entryWord(pmdp);
    }
    const lo = store.words[w]!;
    if (lo === 0 && store.words[w + 1] === 0) {
      if (hugepageVmaCheck(this, vma)) {
        const ret = doHugePmdAnonymousPage(this, vma, address, flags, pmdp);
        if ((ret & VM_FAULT_FALLBACK) === 0) return ret;
        this.stats[FS_THP_FALLBACK]!++;
      }
    } else if (isMigrationPte(lo, store.words[w + 1]!)) {
      // is_swap_pmd: with thp_migration_supported() only a PMD migration entry (a THP migrating whole)
      this.swap.pmdMigrationEntryWait(lo, store.words[w + 1]!);
      return 0;
    } else if (pmdTransHuge(lo, store.words[w + 1]!)) {
      const write = (flags & FAULT_FLAG_WRITE) !== 0;
      if (write && (store.words[w + 1]! & PTE_WRITE_HI) === 0) {
        const ret = doHugePmdWpPage(this, vma, address, flags, pmdp);
        if ((ret & VM_FAULT_FALLBACK) === 0) return ret;
        this.stats[FS_THP_FALLBACK]!++;
      } else {
        hugePmdSetAccessed(this, vma, address, flags, pmdp);
        return 0;
      }
    }
    return this.handlePteFault(vma, address, flags, pmdp);
  }

  /** Kernel: `handle_pte_fault()`. */
  handlePteFault(vma: VmAreaStruct, address: number, flags: number, pmdp: number): number {
    const store = this.store;
    const pw = store.entryWord(pmdp);
    let ptep = NULL_ENTRY;
    // pte_offset_map: from the pmd's words to the PTE's (pgwalk.ts).
    let w = tableWordOf(store, store.words[pw]!, store.words[pw + 1]!);
    if (w >= 0) {
      w += pteWordIndex(address);
      if (store.words[w] !== 0 || store.words[w + 1] !== 0) ptep = entryOfWord(store, w);
    }
    if (ptep === NULL_ENTRY) {
      if (vma.isAnonymous()) return this.doAnonymousPage(vma, address, flags, pmdp);
      return this.file.doFault(vma, address, flags, pmdp);
    }
    const lo = store.words[w]!;
    const hi = store.words[w + 1]!;
    // !pte_present: a swap entry
    if ((lo & PTE_VALID) === 0 && (hi & PTE_PROT_NONE_HI) === 0) return this.swap.doSwapPage(vma, address, flags, ptep);
    const write = (flags & FAULT_FLAG_WRITE) !== 0;
    const t = this.t.set(lo, hi);
    let stat = FS_ACCESS_FLAG;
    if (write) {
      if ((hi & PTE_WRITE_HI) === 0) return this.doWpPage(vma, address, flags, ptep);
      if ((lo & PTE_RDONLY) !== 0) stat = FS_DIRTY;
      pteMkdirty(t);
    }
    t.lo = (t.lo | PTE_AF) >>> 0; // pte_mkyoung
    // ptep_set_access_flags(): changed → update_mmu_cache; unchanged → a spurious fault.
    if (t.lo !== lo || t.hi !== hi) {
      store.words[w] = t.lo;
      store.words[w + 1] = t.hi;
      this.stats[stat]!++;
    } else {
      this.stats[FS_SPURIOUS]!++;
      if (write) this.flushTlbRange(vma.vmMm, address, address + PAGE); // flush_tlb_fix_spurious_fault
    }
    return 0;
  }

  /**
   * First touch of an anonymous page: a read maps the zero page read-only (special PTE); a
   * write gets a zeroed GFP_HIGHUSER_MOVABLE page, the VMA's anon_vma, a new anon rmap, a
   * young dirty writable PTE, NR_ANON_MAPPED and MM_ANONPAGES. Kernel: `do_anonymous_page()`.
   */
  doAnonymousPage(vma: VmAreaStruct, address: number, flags: number, pmdp: number): number {
    if ((vma.vmFlags & VM_SHARED) !== 0) return VM_FAULT_SIGBUS; // shared anonymous is shmem
    const mm = vma.vmMm;
    const store = this.store;
    const pw = store.entryWord(pmdp);
    // pte_alloc(): a new PTE table when the pmd is none (the store's words may move: read them after).
    if (store.words[pw] === 0 && store.words[pw + 1] === 0 && pteAlloc(this.alloc, mm.pgtables!, pmdp)) return VM_FAULT_OOM;
    // pte_offset_map on the words (pgwalk.ts); the PTE is none (handle_pte_fault checked).
    const tw = tableWordOf(store, store.words[pw]!, store.words[pw + 1]!);
    if (tw < 0) noPteTable(pmdp);
    const w = tw + pteWordIndex(address);
    const t = this.t;
    const prot = vma.vmPageProt;
    if ((flags & FAULT_FLAG_WRITE) === 0) {
      pteMkspecial(pfnPte(this.zeroPfn, prot, t));
      store.words[w] = t.lo;
      store.words[w + 1] = t.hi;
      this.stats[FS_ZERO]!++;
      return 0;
    }
    if (this.rmap.anonVmaPrepare(vma) !== 0) return VM_FAULT_OOM;
    const page = this.allocZeroedUserPage();
    if (page < 0) return VM_FAULT_OOM;
    if (this.memcg !== null && this.memcgChargeFailed(page)) return VM_FAULT_OOM; // mem_cgroup_charge(…, GFP_KERNEL)
    const mem = this.mem;
    mem.flags[page] |= 1 << PG_uptodate; // __SetPageUptodate
    pfnPte(mem.pageToPfn(page), prot, t); // mk_pte; pte_sw_mkyoung: vm_page_prot has PTE_AF
    if ((vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(pteMkdirty(t));
    addMmCounterFast(this.current, mm, MM_ANONPAGES, 1);
    this.rmap.pageAddNewAnonRmap(page, vma, address, false);
    this.lru?.folioAddLruVma(page, vma.vmFlags, this.cpu);
    store.words[w] = t.lo; // set_pte_at
    store.words[w + 1] = t.hi;
    this.stats[FS_ANON]!++;
    return 0;
  }

  /** Kernel: `vm_normal_page()`: the page a PTE maps, or -1 for a special PTE (the zero page). */
  vmNormalPage(lo: number, hi: number): number {
    if ((hi & PTE_SPECIAL_HI) !== 0) return -1;
    const pfn = ptePfn(lo, hi);
    if (!this.mem.pfnValid(pfn) || pfn === this.zeroPfn) return -1;
    return this.mem.pfnToPage(pfn);
  }

  /**
   * A write to a write-protected PTE: reuse the page when this mapping is its only user
   * (PageAnonExclusive, or page_count 1 after the 6.1 checks), else copy it; the zero page is
   * always copied. Kernel: `do_wp_page()`.
   */
  doWpPage(vma: VmAreaStruct, address: number, _flags: number, ptep: number): number {
    const store = this.store;
    const w = store.entryWord(ptep);
    const lo = store.words[w]!;
    const hi = store.words[w + 1]!;
    const page = this.vmNormalPage(lo, hi);
    // wp_pfn_shared / wp_page_shared: a shared writable mapping's page (not anonymous) is written in place
    if ((vma.vmFlags & (VM_WRITE | VM_SHARED)) === (VM_WRITE | VM_SHARED) && (page < 0 || !this.rmap.pageAnon(page))) return this.file.wpPageShared(vma, address, ptep, page);
    if (page < 0) return this.wpPageCopy(vma, address, ptep, -1);
    const mem = this.mem;
    if (this.rmap.pageAnon(page)) {
      // PageKsm pages are never reused (PageKsm() doesn't necessarily raise the refcount): copy, counting cow_ksm
      if (pageKsm(mem, page)) {
        mem.refcount[page]!++; // get_page
        this.vmEvents[COW_KSM]!++; // count_vm_event(COW_KSM)
        return this.wpPageCopy(vma, address, ptep, page);
      }
      if ((mem.flags[page]! & (1 << PG_anon_exclusive)) === 0) {
        const head = this.rmap.compoundHead(page);
        const swapcache = (mem.flags[head]! & (1 << PG_swapcache)) !== 0 ? 1 : 0;
        // Other references (> 3, > 1 + swapcache) mean copy. 6.1: a page not on the LRU may sit in a
        // per-CPU batch: drain before the final count; a swap-cache page has its swap freed
        // (folio_free_swap) before the page_count == 1 check.
        if (mem.refcount[head]! <= 1 + swapcache && (mem.flags[head]! & (1 << PG_lru)) === 0) this.lru?.lruAddDrain(this.cpu);
        if (swapcache !== 0 && mem.refcount[head]! <= 1 + swapcache) this.swap.ops?.folioFreeSwap(head);
        if (mem.refcount[head]! > 1 + swapcache || mem.refcount[head] !== 1) {
          mem.refcount[head]!++; // get_page
          return this.wpPageCopy(vma, address, ptep, page);
        }
        this.rmap.pageMoveAnonRmap(page, vma);
      }
      this.wpPageReuse(vma, address, ptep);
      return VM_FAULT_WRITE;
    }
    mem.refcount[this.rmap.compoundHead(page)]!++;
    return this.wpPageCopy(vma, address, ptep, page);
  }

  /** Makes the PTE young, dirty and writable in place. Kernel: `wp_page_reuse()`. */
  private wpPageReuse(vma: VmAreaStruct, address: number, ptep: number): void {
    const store = this.store;
    const t = this.t.set(store.readLo(ptep), store.readHi(ptep));
    t.lo = (t.lo | PTE_AF) >>> 0;
    pteMkdirty(t);
    if ((vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t); // maybe_mkwrite
    store.write(ptep, t.lo, t.hi);
    this.vmstat.countVmEvent(PGREUSE);
    this.stats[FS_WP_REUSE]!++;
    void address;
  }

  /**
   * Copies the page (or allocates a zeroed one for the zero page) and maps the copy writable,
   * dropping the old page's mapping and references. Kernel: `wp_page_copy()`.
   * @param oldPage the page the PTE mapped (with the extra reference do_wp_page took), or -1 for the zero page
   */
  private wpPageCopy(vma: VmAreaStruct, address: number, ptep: number, oldPage: number): number {
    const mm = vma.vmMm;
    if (this.rmap.anonVmaPrepare(vma) !== 0) {
      if (oldPage >= 0) this.putPage(oldPage);
      return VM_FAULT_OOM;
    }
    const mem = this.mem;
    let page: number;
    if (oldPage < 0) page = this.allocZeroedUserPage();
    else {
      const pfn = this.pages.allocPages(GFP_HIGHUSER_MOVABLE, 0, this.cpu);
      page = pfn === NIL_PFN ? -1 : mem.pfnToPage(pfn);
      if (page >= 0) this.contents.copy(pfn, mem.pageToPfn(oldPage)); // __wp_page_copy_user
    }
    if (page < 0 || (this.memcg !== null && this.memcgChargeFailed(page))) {
      if (oldPage >= 0) this.putPage(oldPage);
      return VM_FAULT_OOM;
    }
    mem.flags[page] |= 1 << PG_uptodate;
    if (oldPage < 0 || !this.rmap.pageAnon(oldPage)) {
      // A file page becomes anonymous (its mm_counter_file drops), the zero page gains RSS.
      if (oldPage >= 0) addMmCounterFast(this.current, mm, mmCounterFile(mem, oldPage), -1);
      addMmCounterFast(this.current, mm, MM_ANONPAGES, 1);
    }
    const t = pfnPte(mem.pageToPfn(page), vma.vmPageProt, this.t);
    pteMkdirty(t);
    if ((vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t);
    // ptep_clear_flush_notify
    this.store.write(ptep, 0, 0);
    this.flushTlbRange(mm, address, address + PAGE);
    this.rmap.pageAddNewAnonRmap(page, vma, address, false);
    this.lru?.folioAddLruVma(page, vma.vmFlags, this.cpu);
    this.store.write(ptep, t.lo, t.hi);
    if (oldPage >= 0) {
      this.rmap.pageRemoveRmap(oldPage, vma, false);
      munlockVmaPage(this, oldPage, vma); // page_remove_rmap → munlock_vma_page
      this.putPage(oldPage); // the PTE's reference
      this.putPage(oldPage); // do_wp_page's get_page
    }
    this.stats[FS_WP_COPY]!++;
    return VM_FAULT_WRITE;
  }

  // ------------------------------------------------------------------ zap (unmap_vmas)

  /**
   * Clears the PTEs of [addr, end) under one pmd: page_remove_rmap, the page's reference, the
   * rss. Kernel: `zap_pte_range()`.
   */
  private zapPteRange(vma: VmAreaStruct, pmdp: number, addr: number, end: number, rss: Float64Array): void {
    const store = this.store;
    // The PTEs of one table are consecutive words: locate the first once.
    let w = store.entryWord(pteOffsetKernel(store, pmdp, addr)) - 2;
    for (; addr < end; addr += PAGE) {
      w += 2;
      const lo = store.words[w]!;
      const hi = store.words[w + 1]!;
      if (lo === 0 && hi === 0) continue;
      store.words[w] = 0;
      store.words[w + 1] = 0;
      if ((lo & PTE_VALID) === 0 && (hi & PTE_PROT_NONE_HI) === 0) {
        this.swap.zapSwapPte(lo, hi, rss);
        continue;
      }
      const page = this.vmNormalPage(lo, hi);
      if (page < 0) continue;
      if (this.rmap.pageAnon(page)) rss[MM_ANONPAGES]!--;
      else this.file.zapFilePte(vma, page, lo, hi, rss);
      this.rmap.pageRemoveRmap(page, vma, false);
      munlockVmaPage(this, page, vma); // page_remove_rmap → munlock_vma_page
      // tlb_remove_page → free_pages_and_swap_cache → free_swap_cache(): an unmapped swap-cache page loses its slot
      if ((this.mem.flags[page]! & (1 << PG_swapcache)) !== 0) this.swap.freeSwapCache(page);
      this.putPage(page);
    }
  }

  /** Kernel: `zap_pmd_range()` … `unmap_page_range()` over [addr, end) of one VMA. */
  private unmapPageRange(vma: VmAreaStruct, addr: number, end: number, rss: Float64Array): void {
    const pgt = vma.vmMm.pgtables;
    if (pgt === null) return;
    const store = this.store;
    while (addr < end) {
      const next = Math.min(end, (Math.floor(addr / PMD_SIZE) + 1) * PMD_SIZE);
      const pudp = pudOffset(store, pgdOffsetPgd(store, pgt.pgd, addr), addr);
      if (pudp === NULL_ENTRY) {
        addr = Math.min(end, (Math.floor(addr / 2 ** 30) + 1) * 2 ** 30);
        continue;
      }
      const pmdp = pmdOffset(store, pudp, addr);
      if (pmdp === NULL_ENTRY) {
        addr = Math.min(end, (Math.floor(addr / 2 ** 30) + 1) * 2 ** 30);
        continue;
      }
      if (pmdTransHuge(store.readLo(pmdp), store.readHi(pmdp))) {
        if (next - addr !== PMD_SIZE) splitHugePmd(this, vma, pmdp, addr);
        else {
          zapHugePmd(this, vma, pmdp, addr);
          addr = next;
          continue;
        }
      }
      if (store.readLo(pmdp) !== 0 || store.readHi(pmdp) !== 0) this.zapPteRange(vma, pmdp, addr, next, rss);
      addr = next;
    }
  }

  private readonly rss = new Float64Array(4);

  /** Zaps [start, end) of one VMA and adds the rss changes to its mm. Kernel: `unmap_single_vma()` + `add_mm_rss_vec()`. */
  private unmapSingleVma(vma: VmAreaStruct, start: number, end: number): void {
    const s = Math.max(start, vma.vmStart);
    const e = Math.min(end, vma.vmEnd);
    if (s >= e) return;
    const rss = this.rss;
    rss.fill(0);
    this.unmapPageRange(vma, s, e, rss);
    const mm = vma.vmMm;
    for (let i = 0; i < 4; i++) if (rss[i] !== 0) mm.rssStat[i]! += rss[i]!;
  }

  /**
   * Frees the tables of the (already zapped) VMAs, gathering neighbours less than a PMD apart
   * into one free_pgd_range, and unlinks their anon_vmas as 6.1's free_pgtables does.
   * Kernel: `free_pgtables()`.
   */
  private freePgtables(mm: MmStruct, vmas: readonly VmAreaStruct[], floor: number, ceiling: number): void {
    const pgt = mm.pgtables;
    let i = 0;
    while (i < vmas.length) {
      let vma = vmas[i]!;
      const addr = vma.vmStart;
      this.rmap.unlinkAnonVmas(vma);
      i++;
      while (i < vmas.length && vmas[i]!.vmStart <= vma.vmEnd + PMD_SIZE) {
        vma = vmas[i]!;
        this.rmap.unlinkAnonVmas(vma);
        i++;
      }
      if (pgt !== null) {
        this.alloc.cpu = this.cpu;
        freePgdRange(this.alloc, pgt, addr, vma.vmEnd, floor, i < vmas.length ? vmas[i]!.vmStart : ceiling);
      }
    }
  }

  // ------------------------------------------------------------------ MmPageOps

  /** Kernel: `unmap_region()`: unmap_vmas, free_pgtables (floor: prev's end, ceiling: next's start), the TLB flush. */
  unmapRegion(mm: MmStruct, vmas: readonly VmAreaStruct[], start: number, end: number, prev: VmAreaStruct | null, next: VmAreaStruct | null): void {
    const sorted = vmas.length > 1 ? [...vmas].sort((a, b) => a.vmStart - b.vmStart) : vmas;
    for (const vma of sorted) this.unmapSingleVma(vma, start, end);
    this.flushTlbRange(mm, start, end);
    this.freePgtables(mm, sorted, prev !== null ? prev.vmEnd : 0, next !== null ? next.vmStart : 0);
  }

  /** Kernel: `zap_page_range()` (MADV_DONTNEED): the pages go, the VMA and its tables stay. */
  zapPageRange(vma: VmAreaStruct, start: number, end: number): void {
    this.unmapSingleVma(vma, start, end);
    this.flushTlbRange(vma.vmMm, start, end);
  }

  /**
   * Applies vm_page_prot to the present PTEs of [start, end); a private writable VMA's PTEs
   * become writable at once where 6.1 allows (can_change_pte_writable: dirty, exclusive
   * anonymous page). Kernel: `change_protection()` → `change_pte_range()`.
   * @returns the number of entries changed
   */
  changeProtection(vma: VmAreaStruct, start: number, end: number): number {
    const pgt = vma.vmMm.pgtables;
    if (pgt === null) return 0;
    const store = this.store;
    // vma_wants_manual_pte_write_upgrade(): private writable, or shared with write-notify (whose vm_page_prot is read-only)
    const shared = (vma.vmFlags & VM_SHARED) !== 0;
    const tryWritable = shared ? this.file.vmaWantsWritenotify(vma) : (vma.vmFlags & VM_WRITE) !== 0;
    const prot = shared ? this.file.vmaPageProt(vma) : vma.vmPageProt;
    let pages = 0;
    let addr = start;
    while (addr < end) {
      const next = Math.min(end, (Math.floor(addr / PMD_SIZE) + 1) * PMD_SIZE);
      const pudp = pudOffset(store, pgdOffsetPgd(store, pgt.pgd, addr), addr);
      const pmdp = pudp === NULL_ENTRY ? NULL_ENTRY : pmdOffset(store, pudp, addr);
      if (pmdp === NULL_ENTRY) {
        addr = next;
        continue;
      }
      let lo = store.readLo(pmdp);
      if (pmdTransHuge(lo, store.readHi(pmdp))) {
        if (next - addr === PMD_SIZE) {
          pages += changeHugePmd(this, vma, pmdp, addr);
          addr = next;
          continue;
        }
        splitHugePmd(this, vma, pmdp, addr);
        lo = store.readLo(pmdp);
      }
      if ((lo & 3) !== 3) {
        addr = next;
        continue;
      }
      let ptep = pteOffsetKernel(store, pmdp, addr);
      for (let a = addr; a < next; a += PAGE, ptep += 8) {
        const w = store.entryWord(ptep);
        const olo = store.words[w]!;
        const ohi = store.words[w + 1]!;
        if ((olo & PTE_VALID) === 0 && (ohi & PTE_PROT_NONE_HI) === 0) continue; // none or swap: not present
        const t = pteModify(this.t.set(olo, ohi), prot);
        if (tryWritable && (t.hi & PTE_WRITE_HI) === 0 && this.canChangePteWritable(t.lo, t.hi, shared)) pteMkwrite(t);
        if (t.lo !== olo || t.hi !== ohi) {
          store.words[w] = t.lo;
          store.words[w + 1] = t.hi;
        }
        pages++;
      }
      addr = next;
    }
    if (pages !== 0) this.flushTlbRange(vma.vmMm, start, end);
    return pages;
  }

  /**
   * Kernel: `can_change_pte_writable()`: dirty, not protnone, and in a private VMA an exclusive
   * anonymous page (a shared VMA's dirty PTE: the file was told of the write already).
   */
  canChangePteWritable(lo: number, hi: number, shared = false): boolean {
    if ((lo & PTE_VALID) === 0) return false; // pte_protnone
    const dirty = (hi & PTE_DIRTY_HI) !== 0 || ((hi & PTE_WRITE_HI) !== 0 && (lo & PTE_RDONLY) === 0);
    if (!dirty) return false;
    if (shared) return true;
    const page = this.vmNormalPage(lo, hi);
    if (page < 0 || !this.rmap.pageAnon(page)) return false;
    return (this.mem.flags[page]! & (1 << PG_anon_exclusive)) !== 0;
  }

  /**
   * Moves the entries of len bytes from oldAddr to newAddr (mremap): whole PTE tables when
   * both sides are PMD-aligned (CONFIG_HAVE_MOVE_PMD, move_normal_pmd), whole THP PMDs
   * (move_huge_pmd), else PTE by PTE (move_ptes). Kernel: `move_page_tables()`.
   * @returns bytes moved (less than len when a table allocation failed)
   */
  movePageTables(oldVma: VmAreaStruct, oldAddr: number, newVma: VmAreaStruct, newAddr: number, len: number): number {
    const mm = oldVma.vmMm;
    const pgt = mm.pgtables;
    const newPgt = this.pgtablesOf(newVma.vmMm);
    if (pgt === null || newPgt === null) return pgt === null ? len : 0;
    const store = this.store;
    const alloc = this.alloc;
    alloc.cpu = this.cpu;
    const oldEnd = oldAddr + len;
    const oldStart = oldAddr;
    for (; oldAddr < oldEnd; ) {
      // get_extent(NORMAL_PMD)
      let extent = (Math.floor(oldAddr / PMD_SIZE) + 1) * PMD_SIZE - oldAddr;
      if (extent > oldEnd - oldAddr) extent = oldEnd - oldAddr;
      const n = (Math.floor(newAddr / PMD_SIZE) + 1) * PMD_SIZE - newAddr;
      if (extent > n) extent = n;
      const oldPudp = pudOffset(store, pgdOffsetPgd(store, pgt.pgd, oldAddr), oldAddr);
      const oldPmdp = oldPudp === NULL_ENTRY ? NULL_ENTRY : pmdOffset(store, oldPudp, oldAddr);
      if (oldPmdp === NULL_ENTRY || (store.readLo(oldPmdp) === 0 && store.readHi(oldPmdp) === 0)) {
        oldAddr += extent;
        newAddr += extent;
        continue;
      }
      const newPudp = pudAlloc(alloc, newPgt, p4dAlloc(alloc, newPgt, pgdOffsetPgd(store, newPgt.pgd, newAddr)), newAddr);
      const newPmdp = newPudp === NULL_ENTRY ? NULL_ENTRY : pmdAlloc(alloc, newPgt, newPudp, newAddr);
      if (newPmdp === NULL_ENTRY) break;
      const lo = store.readLo(oldPmdp);
      if (pmdTransHuge(lo, store.readHi(oldPmdp))) {
        if (extent === PMD_SIZE && moveHugePmd(this, oldVma, oldPmdp, newPmdp)) {
          this.flushTlbRange(mm, oldAddr, oldAddr + extent);
          oldAddr += extent;
          newAddr += extent;
          continue;
        }
        splitHugePmd(this, oldVma, oldPmdp, oldAddr);
      } else if (extent === PMD_SIZE && store.readLo(newPmdp) === 0 && store.readHi(newPmdp) === 0) {
        // move_normal_pmd(): the whole PTE table changes pmd.
        store.write(newPmdp, lo, store.readHi(oldPmdp));
        store.write(oldPmdp, 0, 0);
        this.flushTlbRange(mm, oldAddr, oldAddr + extent);
        oldAddr += extent;
        newAddr += extent;
        continue;
      }
      if (pteAlloc(alloc, newPgt, newPmdp)) break;
      // move_ptes()
      let op = pteOffsetKernel(store, oldPmdp, oldAddr);
      let np = pteOffsetKernel(store, newPmdp, newAddr);
      for (let k = 0; k < extent; k += PAGE, op += 8, np += 8) {
        const w = store.entryWord(op);
        const plo = store.words[w]!;
        const phi = store.words[w + 1]!;
        if (plo === 0 && phi === 0) continue;
        store.words[w] = 0;
        store.words[w + 1] = 0;
        store.write(np, plo, phi);
      }
      this.flushTlbRange(mm, oldAddr, oldAddr + extent);
      oldAddr += extent;
      newAddr += extent;
    }
    return oldAddr - oldStart;
  }

  /**
   * Copies one VMA's page tables at fork (dst is the child's copy of src). Private anonymous
   * pages are shared: PageAnonExclusive cleared (page_try_dup_anon_rmap), both PTEs
   * write-protected when the mapping is COW, the child's PTE old; shared mappings are copied
   * as they are (clean in the child). VMAs without an anon_vma copy nothing (their pages fault
   * in again). Kernel: `copy_page_range()` → `copy_pte_range()` → `copy_present_pte()`.
   * @returns 0 or -ENOMEM (12)
   */
  copyPageRange(dst: VmAreaStruct, src: VmAreaStruct): number {
    if ((src.vmFlags & (VM_HUGETLB | VM_PFNMAP | VM_MIXEDMAP)) === 0 && src.anonVma === null) return 0;
    const srcPgt = src.vmMm.pgtables;
    if (srcPgt === null) return 0;
    const dstMm = dst.vmMm;
    const dstPgt = this.pgtablesOf(dstMm);
    if (dstPgt === null) return -12;
    const store = this.store;
    const alloc = this.alloc;
    alloc.cpu = this.cpu;
    const isCow = (src.vmFlags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
    const shared = (src.vmFlags & VM_SHARED) !== 0;
    const mem = this.mem;
    const rmap = this.rmap;
    const t = this.t;
    let anon = 0;
    let filePages = 0;
    let shmemPages = 0;
    let swapents = 0;
    let err = 0;
    for (let addr = src.vmStart; addr < src.vmEnd; ) {
      const next = Math.min(src.vmEnd, (Math.floor(addr / PMD_SIZE) + 1) * PMD_SIZE);
      const sPudp = pudOffset(store, pgdOffsetPgd(store, srcPgt.pgd, addr), addr);
      const sPmdp = sPudp === NULL_ENTRY ? NULL_ENTRY : pmdOffset(store, sPudp, addr);
      if (sPmdp === NULL_ENTRY) {
        addr = next;
        continue;
      }
      const plo = store.readLo(sPmdp);
      if (plo === 0 && store.readHi(sPmdp) === 0) {
        addr = next;
        continue;
      }
      const dPudp = pudAlloc(alloc, dstPgt, p4dAlloc(alloc, dstPgt, pgdOffsetPgd(store, dstPgt.pgd, addr)), addr);
      const dPmdp = dPudp === NULL_ENTRY ? NULL_ENTRY : pmdAlloc(alloc, dstPgt, dPudp, addr);
      if (dPmdp === NULL_ENTRY) {
        err = -12;
        break;
      }
      if (pmdTransHuge(plo, store.readHi(sPmdp))) {
        const r = copyHugePmd(this, dst, src, dPmdp, sPmdp, addr);
        if (r < 0) {
          err = r;
          break;
        }
        addr = next;
        continue;
      }
      if (pteAlloc(alloc, dstPgt, dPmdp)) {
        err = -12;
        break;
      }
      // copy_pte_range over the two tables' words.
      const sw0 = store.entryWord(pteOffsetKernel(store, sPmdp, addr));
      const dw0 = store.entryWord(pteOffsetKernel(store, dPmdp, addr));
      const n = (next - addr) / PAGE;
      const words = store.words;
      for (let k = 0; k < n; k++) {
        const sw = sw0 + 2 * k;
        let lo = words[sw]!;
        let hi = words[sw + 1]!;
        if (lo === 0 && hi === 0) continue;
        if ((lo & PTE_VALID) === 0 && (hi & PTE_PROT_NONE_HI) === 0) {
          // copy_nonpresent_pte: a swap or migration entry (-EIO: add_swap_count_continuation could not help: -ENOMEM)
          const r = this.swap.copyNonpresentPte(dstMm, sw, dw0 + 2 * k, src.vmFlags);
          if (r === MM_SWAPENTS) swapents++;
          else if (r === MM_ANONPAGES) anon++;
          else if (r === MM_FILEPAGES) filePages++;
          else if (r === MM_SHMEMPAGES) shmemPages++;
          else if (r < -1) {
            err = -12;
            break;
          }
          continue;
        }
        const page = this.vmNormalPage(lo, hi);
        if (page >= 0) {
          const head = rmap.compoundHead(page);
          mem.refcount[head]!++; // get_page
          if (rmap.pageAnon(page)) {
            rmap.pageTryDupAnonRmap(page, false);
            anon++;
          } else {
            rmap.pageDupFileRmap(page, false);
            if (mmCounterFile(mem, page) === MM_SHMEMPAGES) shmemPages++;
            else filePages++;
          }
        }
        if (isCow && (hi & PTE_WRITE_HI) !== 0) {
          // ptep_set_wrprotect(src) and pte_wrprotect(child)
          pteWrprotect(t.set(lo, hi));
          lo = t.lo;
          hi = t.hi;
          words[sw] = lo;
          words[sw + 1] = hi;
        }
        t.set(lo, hi);
        if (shared) pteMkclean(t);
        pteMkold(t);
        words[dw0 + 2 * k] = t.lo;
        words[dw0 + 2 * k + 1] = t.hi;
      }
      if (err !== 0) break;
      addr = next;
    }
    dstMm.rssStat[MM_ANONPAGES]! += anon;
    dstMm.rssStat[MM_FILEPAGES]! += filePages;
    dstMm.rssStat[MM_SHMEMPAGES]! += shmemPages;
    dstMm.rssStat[MM_SWAPENTS]! += swapents;
    return err;
  }

  /**
   * After mlock_fixup changed vma->vm_flags: the present pages of [start, end) are mlocked (the
   * VMA is VM_LOCKED now) or munlocked. Kernel: `mlock_vma_pages_range()` (mlock-pages.ts).
   */
  mlockVmaPages(vma: VmAreaStruct, start: number, end: number, _oldFlags: number): void {
    mlockVmaPagesRange(this, vma, start, end);
  }

  /**
   * Faults in [start, end) as get_user_pages does for MAP_POPULATE, mlock and MADV_POPULATE_*:
   * a page that is absent (or, for a write, not writable) is faulted with handle_mm_fault.
   * Kernel: `populate_vma_page_range()` → `__get_user_pages()` → `faultin_page()`.
   * @returns 0, -ENOMEM (12) or -EFAULT (14)
   */
  populate(vma: VmAreaStruct, start: number, end: number, write: boolean): number {
    const store = this.store;
    for (let addr = start; addr < end; ) {
      const pgt = vma.vmMm.pgtables;
      let present = false;
      let huge = false;
      if (pgt !== null) {
        const pudp = pudOffset(store, pgdOffsetPgd(store, pgt.pgd, addr), addr);
        const pmdp = pudp === NULL_ENTRY ? NULL_ENTRY : pmdOffset(store, pudp, addr);
        if (pmdp !== NULL_ENTRY) {
          const lo = store.readLo(pmdp);
          const hi = store.readHi(pmdp);
          if (pmdTransHuge(lo, hi)) {
            huge = true;
            present = !write || (hi & PTE_WRITE_HI) !== 0;
          } else if ((lo & 3) === 3) {
            const ptep = pteOffsetKernel(store, pmdp, addr);
            const plo = store.readLo(ptep);
            const phi = store.readHi(ptep);
            present = (plo & PTE_VALID) !== 0 && (!write || (phi & PTE_WRITE_HI) !== 0);
          }
        }
      }
      if (!present) {
        const ret = this.handleMmFault(vma, addr, write ? FAULT_FLAG_WRITE | FAULT_FLAG_REMOTE : FAULT_FLAG_REMOTE);
        if ((ret & VM_FAULT_OOM) !== 0) return -12;
        if ((ret & VM_FAULT_ERROR) !== 0) return -14;
        continue; // follow_page_mask again
      }
      addr = huge ? Math.min(end, (Math.floor(addr / PMD_SIZE) + 1) * PMD_SIZE) : addr + PAGE;
    }
    return 0;
  }

  /** Kernel: `exit_mmap()`'s unmap_vmas + free_pgtables + mm_put_huge_zero_page + mm_free_pgd. */
  exitMmap(mm: MmStruct): void {
    const vmas: VmAreaStruct[] = [...mm.mt];
    for (const vma of vmas) this.unmapSingleVma(vma, vma.vmStart, vma.vmEnd);
    this.flushTlbRange(mm, 0, 0);
    this.freePgtables(mm, vmas, 0, 0);
    this.hugeZero.mmPut(mm);
    this.mmlist.delete(mm);
    if (mm.pgtables !== null) {
      this.alloc.cpu = this.cpu;
      mmFreePgd(this.alloc, mm.pgtables);
      mm.pgtables = null;
    }
  }

  /** MmPageOps' unmap_mapping_pages: FileFault's walk of i_mmap. Kernel: `unmap_mapping_pages()`. */
  unmapMappingPages(mapping: VmFileMapping, start: number, nr: number, evenCows: boolean): void {
    this.file.unmapMappingPages(mapping, start, nr, evenCows);
  }

  /** Physical address of the next-level table an entry points to. */
  tableOf(entry: number): number {
    return entryPagePaddr(this.store, entry);
  }
}
