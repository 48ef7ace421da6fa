// mmsim: the slow path's mechanisms before they exist — kswapd, compaction, reclaim, OOM that do nothing (and say so)
/*
 * Until @mmsim/reclaim, compaction and @mmsim/oom are built, the page allocator's slow path
 * calls these. They are real implementations of the interfaces with the behaviour "nothing to
 * reclaim, nothing to compact, no task to kill": every call is still made at the point 6.1 makes
 * it and counted in PageAllocState.hookCalls, so a scenario shows how often each would run.
 */
import {
  COMPACT_SKIPPED, type CompactResult, type DirectCompactor, type DirectReclaimer, type KswapdWaker,
  type OutOfMemoryHandler,
} from "@mmsim/core";

/** The four mechanisms the slow path calls. */
export interface PageAllocHooks {
  kswapd: KswapdWaker;
  compactor: DirectCompactor;
  reclaimer: DirectReclaimer;
  oom: OutOfMemoryHandler;
}

/** kswapd is not simulated yet: a wake-up reclaims nothing. */
export class NoKswapd implements KswapdWaker {
  wakeupKswapd(): void {}
}

/** Compaction is not simulated yet: it always skips (COMPACT_SKIPPED, so no COMPACTSTALL). */
export class NoCompaction implements DirectCompactor {
  tryToCompactPages(): CompactResult {
    return COMPACT_SKIPPED;
  }
}

/** Reclaim is not simulated yet: nothing is reclaimable. */
export class NoReclaim implements DirectReclaimer {
  tryToFreePages(): number {
    return 0;
  }
  zoneReclaimablePages(): number {
    return 0;
  }
}

/** The OOM killer is not simulated yet: it finds nothing to kill. */
export class NoOomKiller implements OutOfMemoryHandler {
  outOfMemory(): boolean {
    return false;
  }
}

/** All four no-op mechanisms. */
export function noOpHooks(): PageAllocHooks {
  return { kswapd: new NoKswapd(), compactor: new NoCompaction(), reclaimer: new NoReclaim(), oom: new NoOomKiller() };
}

/** Indices of PageAllocState.hookCalls. */
export const HOOK_WAKEUP_KSWAPD = 0;
export const HOOK_DIRECT_COMPACT = 1;
export const HOOK_DIRECT_RECLAIM = 2;
export const HOOK_OUT_OF_MEMORY = 3;
export const NR_HOOKS = 4;
export const hookNames = Object.freeze(["wakeup_kswapd", "try_to_compact_pages", "try_to_free_pages", "out_of_memory"] as const);
