// Kernel: mm/swap.c (folio_add_lru, folio_mark_accessed, folio_activate, deactivate_file_folio, folio_deactivate, folio_mark_lazyfree, __page_cache_release, lru_add_drain), mm/mlock.c (mlock_folio, munlock_folio), mm/workingset.c (workingset_refault), mm/vmscan.c (folio_isolate_lru, folio_putback_lru, reclaim_pages) (v6.1) — the LRU as every user of a page calls it
/*
 * Pages join, move on and leave the LRU lists from everywhere in mm: the page cache adds its new
 * pages (filemap_add_folio → folio_add_lru), the fault path adds new anonymous pages
 * (lru_cache_add_inactive_or_unevictable), swap-in adds swap-cache pages and reports refaults,
 * folio_mark_accessed activates, madvise deactivates or pages out, and the last put of a page on
 * a list takes it off (__page_cache_release). Those callers (filemap, swap, fault, vma) come
 * before the reclaim mechanism in the order of mechanisms, so they reach it through this
 * interface (token `Lru`), which @mmsim/reclaim implements over whichever `reclaim` policy the
 * machine runs (the classic two-list LRU or MGLRU). Where no reclaim module is loaded the
 * callers hold `null` and pages are on no list, as before the reclaim issue.
 *
 * Pages are MemMap page indices (head pages for compound folios). `cpu` is the CPU whose per-CPU
 * folio batch (cpu_fbatches.lru_add, PAGEVEC_SIZE = 15) takes the page: like the kernel, a page
 * added is on no list (PG_lru clear) until its batch drains.
 */
import { token } from "../di/token.ts";

/** The LRU as the rest of mm calls it. Implemented by @mmsim/reclaim. */
export interface Lru {
  /** A new page-cache or swap-cache page goes on the LRU (via the CPU's batch). Kernel: `folio_add_lru()`. */
  folioAddLru(page: number, cpu: number): void;
  /**
   * A new page mapped into `vmFlags`' VMA: on the unevictable list if the VMA is VM_LOCKED
   * (PG_mlocked set, NR_MLOCK counted), else the LRU. Kernel: `folio_add_lru_vma()` (what
   * `lru_cache_add_inactive_or_unevictable()` became in 6.1).
   */
  folioAddLruVma(page: number, vmFlags: number, cpu: number): void;
  /**
   * A page was used (read(2), a lookup): first PG_referenced, then activation; under MGLRU a
   * tier reference instead. Kernel: `folio_mark_accessed()`.
   */
  folioMarkAccessed(page: number): void;
  /** Moves a page to its active list (no-op unless on an inactive one). Kernel: `folio_activate()`. */
  folioActivate(page: number): void;
  /** invalidate_mapping_pages could not drop a page: to the inactive tail. Kernel: `deactivate_file_folio()`. */
  deactivateFileFolio(page: number): void;
  /**
   * Writeback of a page reclaim wanted (PG_reclaim) ended: if it is still clean, unlocked and on
   * an evictable list, it moves to the inactive tail so the next scan frees it (PGROTATED); the
   * caller has cleared PG_reclaim. Kernel: `folio_rotate_reclaimable()` (from folio_end_writeback).
   */
  folioRotateReclaimable(page: number): void;
  /** MADV_COLD: an active page to the inactive list. Kernel: `folio_deactivate()`. */
  folioDeactivate(page: number): void;
  /** MADV_FREE: a clean anonymous page becomes lazy-free (!PG_swapbacked, inactive file list). Kernel: `folio_mark_lazyfree()`. */
  folioMarkLazyfree(page: number): void;
  /**
   * The last reference of a page is going: if it is on a list (PG_lru), take it off and clear
   * PG_lru/PG_active/PG_unevictable as __folio_put does before the page is freed; a page still in
   * a per-CPU batch is removed from the batch. Kernel: `__page_cache_release()`.
   */
  pageCacheRelease(page: number): void;
  /** Drains one CPU's batches onto the lists. Kernel: `lru_add_drain_cpu()`. */
  lruAddDrain(cpu: number): void;
  /** Drains every CPU's batches. Kernel: `lru_add_drain_all()`. */
  lruAddDrainAll(): void;
  /**
   * A page came back where a shadow entry was (page cache or swap cache): refault distance,
   * activation (PG_workingset, PG_active), WORKINGSET_REFAULT/ACTIVATE/RESTORE counters and PSI.
   * Call before the page is added to the LRU. Kernel: `workingset_refault()`.
   */
  workingsetRefault(page: number, shadow: number): void;
  /** mlock: a mapped page becomes unevictable. Kernel: `mlock_folio()` (mlock_new_folio for a new one). */
  mlockFolio(page: number): void;
  /** munlock: the page goes back to an evictable list when no VM_LOCKED mapping is left. Kernel: `munlock_folio()`. */
  munlockFolio(page: number): void;
  /**
   * Takes a page off its list for the caller (migration, MADV_PAGEOUT), holding a reference.
   * Kernel: `folio_isolate_lru()`. @returns false when it was on no list
   */
  folioIsolateLru(page: number): boolean;
  /** Puts an isolated page back on its list and drops the reference. Kernel: `folio_putback_lru()`. */
  folioPutbackLru(page: number): void;
  /**
   * Reclaims isolated pages at once (MADV_PAGEOUT): shrink_folio_list per node with a
   * scan_control that may unmap and swap. Kernel: `reclaim_pages()`.
   * @param pages isolated page indices (folioIsolateLru), `n` of them
   * @returns pages reclaimed
   */
  reclaimPages(pages: Int32Array, n: number): number;
  /**
   * handle_mm_fault starts (`vmFlags`: the VMA's) or ends (null): MGLRU counts a fault on a VMA
   * without VM_SEQ_READ/VM_RAND_READ as an access with recency (folio_add_lru adds the page
   * active, lru_gen_refault counts a stall). Kernel: `lru_gen_enter_fault()` / `lru_gen_exit_fault()`
   * (current->in_lru_fault). Absent: no policy cares.
   */
  lruGenFault?(vmFlags: number | null): void;
}
export const Lru = token<Lru>("Lru");
