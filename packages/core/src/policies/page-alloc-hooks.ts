// Kernel: mm/page_alloc.c __alloc_pages_slowpath (v6.1) — the mechanisms it calls: kswapd, compaction, direct reclaim, OOM
/*
 * The slow path of the page allocator calls four later mechanisms, in 6.1's order. Each is an
 * interface with a token, so the buddy allocator runs (and counts the calls) before reclaim,
 * compaction and the OOM killer exist: their first implementations do nothing and say so.
 */
import type { MemcgOomControl } from "./memcg.ts";
import { token } from "../di/token.ts";

/** Kernel: `enum compact_result` (include/linux/compaction.h, 6.1). */
export const COMPACT_NOT_SUITABLE_ZONE = 0;
export const COMPACT_SKIPPED = 1;
export const COMPACT_DEFERRED = 2;
export const COMPACT_NO_SUITABLE_PAGE = 3;
export const COMPACT_CONTINUE = 4;
export const COMPACT_COMPLETE = 5;
export const COMPACT_PARTIAL_SKIPPED = 6;
export const COMPACT_CONTENDED = 7;
export const COMPACT_SUCCESS = 8;
export type CompactResult = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** Kernel: `enum compact_priority`: COMPACT_PRIO_SYNC_FULL … COMPACT_PRIO_ASYNC. */
export const COMPACT_PRIO_SYNC_FULL = 0;
export const COMPACT_PRIO_SYNC_LIGHT = 1;
export const COMPACT_PRIO_ASYNC = 2;
export const INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC;

/** Wakes kswapd of a node. Kernel: `wakeup_kswapd()` in mm/vmscan.c. */
export interface KswapdWaker {
  /**
   * @param zoneId the zone whose watermark failed (nid * MAX_NR_ZONES + zid)
   * @param highestZoneidx the highest zone type the allocation may use
   */
  wakeupKswapd(zoneId: number, gfp: number, order: number, highestZoneidx: number): void;
}
export const KswapdWaker = token<KswapdWaker>("KswapdWaker");

/** Direct compaction for one allocation. Kernel: `try_to_compact_pages()` in mm/compaction.c. */
export interface DirectCompactor {
  /** @returns a compact_result; COMPACT_SUCCESS means a page of `order` may now be free */
  tryToCompactPages(gfp: number, order: number, allocFlags: number, preferredNid: number, highestZoneidx: number, prio: number): CompactResult;
  /**
   * The allocation right after a direct compaction got a page from `zoneId`: the zone keeps its
   * skip hints and its deferral is reset. Kernel: __alloc_pages_direct_compact's
   * `zone->compact_blockskip_flush = false; compaction_defer_reset(zone, order, true)`.
   */
  compactionDeferReset?(zoneId: number, order: number): void;
}
export const DirectCompactor = token<DirectCompactor>("DirectCompactor");

/** Direct reclaim for one allocation. Kernel: `try_to_free_pages()` in mm/vmscan.c. */
export interface DirectReclaimer {
  /** @returns pages reclaimed (did_some_progress) */
  tryToFreePages(gfp: number, order: number, preferredNid: number, highestZoneidx: number): number;
  /** Pages that reclaim could still free in a zone. Kernel: `zone_reclaimable_pages()`. */
  zoneReclaimablePages(zoneId: number): number;
}
export const DirectReclaimer = token<DirectReclaimer>("DirectReclaimer");

/** The OOM path. Kernel: `out_of_memory()` in mm/oom_kill.c. */
export interface OutOfMemoryHandler {
  /** @returns true if it freed memory or killed a task (the allocator then retries) */
  outOfMemory(gfp: number, order: number, preferredNid: number): boolean;
  /**
   * `tsk_is_oom_victim(current)`: the allocating task was chosen and killed. The slow path then
   * lets it dip into the reserves once (oom_reserves_allowed → ALLOC_OOM) and fails rather than
   * loop (`goto nopage`). Absent: no task is ever a victim.
   */
  currentIsOomVictim?(): boolean;
  /**
   * The memcg OOM: out_of_memory() with oc->memcg set (CONSTRAINT_MEMCG). Absent: the policy has
   * no memcg OOM (the charge then fails with -ENOMEM). Kernel: `mem_cgroup_out_of_memory()`.
   * @returns true when a task was killed or a victim is still exiting
   */
  memcgOutOfMemory?(oc: MemcgOomControl): boolean;
}
export const OutOfMemoryHandler = token<OutOfMemoryHandler>("OutOfMemoryHandler");
