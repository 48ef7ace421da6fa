// Kernel: mm/vmscan.c (struct scan_control, struct reclaim_stat, shrink_lruvec, lru_gen_shrink_lruvec, age_active_anon, lru_gen_age_node), mm/workingset.c (workingset_eviction, workingset_refault, lru_gen_eviction, lru_gen_refault), include/linux/mm_inline.h (lruvec_add_folio, lruvec_del_folio, lru_gen_add_folio, lru_gen_del_folio) (v6.1) — the `reclaim` slot: which lists pages live on and how they are scanned
/*
 * 6.1 has two page-replacement policies in one file: the classic two-list LRU (active and
 * inactive lists per type, shrink_active_list/shrink_inactive_list) and the multi-generational
 * LRU (lru_gen: generations, tiers, aging, a PID controller), switched at run time by
 * /sys/kernel/mm/lru_gen/enabled. Both sit on the same mechanism: lruvecs per node, per-CPU
 * folio batches, kswapd and direct reclaim, shrink_folio_list (unmap, write back, swap out,
 * free), shadow entries. mmsim draws the line there:
 *
 *   ReclaimPolicy (slot `reclaim`: `lru`, `mglru`, or a user's module file) owns the lists of each
 *   node's lruvec: where a page goes when added, how an access is noted, which pages a reclaim
 *   pass isolates and what happens to those shrink_folio_list keeps, and the shadow it leaves.
 *
 *   ReclaimHost (@mmsim/reclaim) owns everything else, and offers the policy the kernel functions
 *   both policies call: update_lru_size, shrink_folio_list, folio_referenced, folio_evictable,
 *   can_reclaim_anon_pages, the node's list-head slots.
 *
 * Pages are MemMap page indices; lists are MemMap lists (lruNext/lruPrev with list-head slots,
 * core/src/list.ts), the same `page->lru` the kernel uses. Each node's lruvec has
 * LRUVEC_LIST_HEADS heads reserved at boot; the policy arranges them as it likes (the classic
 * LRU's five lists and scratch lists for isolation; MGLRU's lists[MAX_NR_GENS][ANON_AND_FILE][MAX_NR_ZONES]).
 */
import { token } from "../di/token.ts";
import type { SimClock } from "../clock.ts";
import type { MemMap } from "../mm-types.ts";
import type { TraceBus } from "../trace.ts";
import type { ValidationSink } from "../validation.ts";
import type { VmStat } from "../vmstat-counters.ts";

/** List-head slots reserved per node for its lruvec (the machine sizes MemMap with them). */
export const LRUVEC_LIST_HEADS = 48;

/** 6.1's lru_gen "enabled" capability bits. Kernel: `LRU_GEN_CORE`, `LRU_GEN_MM_WALK`, `LRU_GEN_NONLEAF_YOUNG`. */
export const LRU_GEN_CORE = 0;
export const LRU_GEN_MM_WALK = 1;
export const LRU_GEN_NONLEAF_YOUNG = 2;
export const NR_LRU_GEN_CAPS = 3;

/**
 * One reclaim pass's parameters and results. Kernel: `struct scan_control` (the fields 6.1's
 * global reclaim uses; memcg targets come with the memcg issue). One object per caller, reused.
 */
export class ScanControl {
  /** How many pages to reclaim. */
  nrToReclaim = 0;
  /** gfp_mask of the allocation (or GFP_KERNEL for kswapd). */
  gfpMask = 0;
  /** Allocation order (kswapd: the order it was woken for). */
  order = 0;
  /** Scan lru_size >> priority pages; DEF_PRIORITY (12) down to 0. */
  priority = 12;
  /** The highest zone index that may be reclaimed from. */
  reclaimIdx = 0;
  /** may_writepage, may_unmap, may_swap. */
  mayWritepage = true;
  mayUnmap = true;
  maySwap = true;
  /** may_deactivate: DEACTIVATE_ANON (1) | DEACTIVATE_FILE (2). */
  mayDeactivate = 0;
  forceDeactivate = false;
  skippedDeactivate = false;
  /** Reclaim only file pages (get_scan_count's cache_trim_mode). */
  cacheTrimMode = false;
  /** The file LRU is too small to reclaim from alone. */
  fileIsTiny = false;
  /** anon_cost/file_cost of the lruvec at the start of the pass (get_scan_count's balance). */
  anonCost = 0;
  fileCost = 0;
  /** MADV_PAGEOUT's reclaim_pages, or memory.reclaim. */
  proactive = false;
  /** mmsim: current_is_kswapd() — which pgscan/pgsteal counters the pass counts in. */
  isKswapd = false;
  /** Pages scanned and reclaimed so far in this pass (sc->nr_scanned, sc->nr_reclaimed). */
  nrScanned = 0;
  nrReclaimed = 0;
  /** sc->nr: shrink_inactive_list's findings, summed over the pass (throttling decisions). */
  nrDirty = 0;
  nrUnqueuedDirty = 0;
  nrCongested = 0;
  nrWriteback = 0;
  nrImmediate = 0;
  nrFileTaken = 0;
  nrTaken = 0;
  /** Slab pages freed by shrinkers in this pass (reclaim_state->reclaimed_slab). */
  reclaimedSlab = 0;
  /**
   * sc->target_mem_cgroup as mmsim keeps it: null for global reclaim; else a flag per memcg id
   * (page->memcg_data), nonzero for the target memcg and its descendants. mmsim keeps one lruvec
   * per node, not one per (memcg, node): limit reclaim walks the node's lists and isolates only
   * the target's folios (isolate_lru_folios passes the others over like folios of a skipped zone).
   */
  memcgMask: Uint8Array | null = null;
  /** sc->memcg_low_reclaim (reclaim below memory.low too) and sc->memcg_low_skipped. */
  memcgLowReclaim = false;
  memcgLowSkipped = false;

  /** Resets the results and flags to a new pass's defaults. */
  reset(): this {
    this.nrToReclaim = 0; this.gfpMask = 0; this.order = 0; this.priority = 12; this.reclaimIdx = 0;
    this.mayWritepage = true; this.mayUnmap = true; this.maySwap = true;
    this.mayDeactivate = 0; this.forceDeactivate = false; this.skippedDeactivate = false;
    this.cacheTrimMode = false; this.fileIsTiny = false; this.anonCost = 0; this.fileCost = 0;
    this.proactive = false; this.isKswapd = false;
    this.nrScanned = 0; this.nrReclaimed = 0;
    this.nrDirty = 0; this.nrUnqueuedDirty = 0; this.nrCongested = 0; this.nrWriteback = 0;
    this.nrImmediate = 0; this.nrFileTaken = 0; this.nrTaken = 0; this.reclaimedSlab = 0; this.memcgMask = null;
    this.memcgLowReclaim = false; this.memcgLowSkipped = false;
    return this;
  }
}

/** sc->may_deactivate bits. Kernel: `DEACTIVATE_ANON`, `DEACTIVATE_FILE`. */
export const DEACTIVATE_ANON = 1;
export const DEACTIVATE_FILE = 2;

/** What shrink_folio_list found in one call. Kernel: `struct reclaim_stat`. One object, reused. */
export class ReclaimStat {
  nrDirty = 0;
  nrUnqueuedDirty = 0;
  nrCongested = 0;
  nrWriteback = 0;
  nrImmediate = 0;
  nrPageout = 0;
  /** nr_activate[type]: pages shrink_folio_list marked for activation (0 anon, 1 file). */
  readonly nrActivate = new Int32Array(2);
  nrRefKeep = 0;
  nrUnmapFail = 0;
  nrLazyfreeFail = 0;

  reset(): this {
    this.nrDirty = 0; this.nrUnqueuedDirty = 0; this.nrCongested = 0; this.nrWriteback = 0;
    this.nrImmediate = 0; this.nrPageout = 0; this.nrActivate[0] = 0; this.nrActivate[1] = 0;
    this.nrRefKeep = 0; this.nrUnmapFail = 0; this.nrLazyfreeFail = 0;
    return this;
  }
}

/** What the reclaim mechanism offers a policy. Implemented by @mmsim/reclaim. */
export interface ReclaimHost {
  readonly mem: MemMap;
  readonly vmstat: VmStat;
  readonly trace: TraceBus;
  readonly clock: SimClock;
  readonly nrNodes: number;
  /** vm.swappiness, 0..200. */
  readonly swappiness: number;
  /** The first of node `nid`'s LRUVEC_LIST_HEADS list-head slots (each an empty list at attach). */
  lruvecHeads(nid: number): number;
  /** The node of a page (MemMap.nodeZone). */
  pageNid(page: number): number;
  /**
   * Counts `nr` pages onto (or off, negative) list `lru` (LRU_INACTIVE_ANON … LRU_UNEVICTABLE) in
   * the page's node and zone: NR_LRU_BASE + lru and NR_ZONE_LRU_BASE + lru. MGLRU counts its
   * generations as active or inactive as 6.1's lru_gen_update_size does. Kernel: `update_lru_size()`.
   */
  updateLruSize(page: number, lru: number, nr: number): void;
  /**
   * Reclaims what it can of the isolated pages on list `head` (node `nid`): unmap through rmap,
   * write back dirty file pages, add anonymous pages to swap and write them, free clean ones
   * (leaving a shadow from the policy's eviction()). Reclaimed pages leave the list; the others
   * stay on it with PG_lru clear, PG_active set on those to activate, for the policy to put back.
   * Counts into `stat` and `sc`. Kernel: `shrink_folio_list()`.
   * @returns pages reclaimed
   */
  shrinkFolioList(head: number, nid: number, sc: ScanControl, stat: ReclaimStat): number;
  /**
   * Clears and counts the young bits of a page's mappings. Kernel: `folio_referenced()`.
   * @returns referenced mappings; `referencedVmFlags` holds the union of their VMAs' vm_flags
   */
  folioReferenced(page: number): number;
  readonly referencedVmFlags: number;
  /** Kernel: `folio_evictable()` (not mlocked, mapping not unevictable). */
  folioEvictable(page: number): boolean;
  /** Swap space is left (or anon pages can be demoted). Kernel: `can_reclaim_anon_pages()`. */
  canReclaimAnonPages(nid: number, sc: ScanControl): boolean;
  /** Records the cost of reclaiming a type (get_scan_count's balance). Kernel: `lru_note_cost()`. */
  lruNoteCost(nid: number, file: boolean, nrIo: number, nrRotated: number): void;
  /**
   * Every dirty file page a scan took was dirty and not queued for I/O: the flushers are asleep
   * or behind, so they are woken to write everything back. Kernel: `wakeup_flusher_threads(WB_REASON_VMSCAN)`.
   */
  wakeupFlusherThreads(): void;
  /**
   * The running task is in a page fault on a VMA whose accesses count for recency (set by
   * handle_mm_fault around the fault, false in read(2) and in reclaim). MGLRU's refault counts a
   * refault in a fault as a stall (WORKINGSET_RESTORE). Kernel: `current->in_lru_fault`
   * (`lru_gen_enter_fault()`, `lru_gen_in_fault()`). Absent: false.
   */
  readonly inLruFault?: boolean;
  /**
   * Free swap pages (0 without swap). MGLRU's get_swappiness() stops scanning anon pages below
   * MIN_LRU_BATCH of them. Kernel: `get_nr_swap_pages()` / `mem_cgroup_get_nr_swap_pages()`.
   * Absent: canReclaimAnonPages() decides alone.
   */
  getNrSwapPages?(): number;
  /**
   * Frees the pages on list `head` (isolated pages whose last reference went while the policy put
   * them back: move_folios_to_lru's folio_put_testzero leftovers, PG_lru clear). Kernel:
   * `free_unref_page_list()` after `mem_cgroup_uncharge_list()`.
   */
  freeUnrefPageList?(head: number): void;
}

/**
 * A page-replacement policy: the lists of each node's lruvec. Kernel: the classic LRU's and
 * lru_gen's halves of mm/vmscan.c, mm/swap.c, mm/workingset.c and mm_inline.h.
 */
export interface ReclaimPolicy {
  /** `lru`, `mglru`, or a user's name. */
  readonly name: string;
  /** Called once after boot, before any page is added; the host's heads are empty lists. */
  attach(host: ReclaimHost): void;
  /**
   * Puts a page (PG_lru clear, on no list) on its list and sets PG_lru; counts it with
   * updateLruSize. `tail`: at the tail (lruvec_add_folio_tail: rotation, deactivation).
   * Kernel: `lruvec_add_folio()` / `lru_gen_add_folio()`.
   */
  addFolio(page: number, tail: boolean): void;
  /** Takes a page (PG_lru set) off its list, uncounts it and clears PG_lru. Kernel: `lruvec_del_folio()`. */
  delFolio(page: number): void;
  /** The whole of folio_mark_accessed() for any page (on a list or not). */
  markAccessed(page: number): void;
  /** folio_activate()'s move of a page on a list. */
  activate(page: number): void;
  /** lru_deactivate_fn (MADV_COLD) on a page on a list. */
  deactivate(page: number): void;
  /** lru_deactivate_file_fn on a page on a list. */
  deactivateFile(page: number): void;
  /** lru_lazyfree_fn (MADV_FREE) on a page on a list: clears PG_swapbacked, moves it to the inactive file list. */
  lazyfree(page: number): void;
  /**
   * One node's share of a reclaim pass at sc.priority: isolates, calls host.shrinkFolioList, puts
   * back, adds to sc.nrScanned / sc.nrReclaimed and counts pgscan/pgsteal/pgactivate/pgdeactivate/
   * pgrefill. Kernel: `shrink_lruvec()` / `lru_gen_shrink_lruvec()`.
   */
  shrinkLruvec(nid: number, sc: ScanControl): void;
  /** kswapd's aging before its reclaim pass. Kernel: `age_active_anon()` / `lru_gen_age_node()`. */
  ageNode(nid: number, sc: ScanControl): void;
  /**
   * The shadow entry a page leaves in its mapping when reclaimed (called by shrink_folio_list's
   * __remove_mapping): a non-negative integer below 2^53. Kernel: `workingset_eviction()` / `lru_gen_eviction()`.
   */
  eviction(page: number): number;
  /** A page came back where `shadow` was (before it is added to the LRU). Kernel: `workingset_refault()` / `lru_gen_refault()`. */
  refault(page: number, shadow: number): void;
  /** Calls `fn` for every page on this policy's lists (validate, switching policies). */
  forEachFolio(fn: (page: number) => void): void;
  /** Checks the lists: every PG_lru page on exactly one list, sizes equal to the counters. */
  validate(sink: ValidationSink): void;
  /** The policy's debugfs text (MGLRU: /sys/kernel/debug/lru_gen), if it has one. */
  debugfs?(): string;
}
export const ReclaimPolicy = token<ReclaimPolicy>("ReclaimPolicy");
