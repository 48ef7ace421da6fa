// mmsim: the page allocator's calls out to kswapd, compaction, reclaim and OOM (PageAllocState.hooks), each counted and safe to re-enter
/*
 * A hook may allocate pages itself (reclaim and compaction do in the kernel), so every call out
 * of the allocator goes through one of these: it counts the call in PageAllocState.hookCalls,
 * moves acDepth one level down for the allocations the hook makes (their alloc_context must not
 * overwrite the caller's), and puts acDepth back in a `finally`, so that a hook that throws leaves
 * the machine's allocator as it was. These are the only places that move acDepth; the hot paths
 * (alloc-pages.ts, page-alloc.ts) have no `try` (STYLE C8) and never touch it.
 */
import { AllocContext } from "./internal.ts";
import { HOOK_DIRECT_COMPACT, HOOK_DIRECT_RECLAIM, HOOK_OUT_OF_MEMORY, HOOK_WAKEUP_KSWAPD } from "./no-op-hooks.ts";
import type { PageAllocState } from "./page-alloc-state.ts";

/**
 * Counts the call (unless `hook` is -1) and moves to the next nesting level, growing the stack of
 * contexts the first time a level is reached. @returns the level to restore
 */
function enterHook(pa: PageAllocState, hook: number): number {
  if (hook >= 0) pa.hookCalls[hook]!++;
  const depth = pa.acDepth;
  if (depth + 1 === pa.acStack.length) pa.acStack.push(new AllocContext());
  pa.acDepth = depth + 1;
  return depth;
}

/** Kernel: `wakeup_kswapd()`, as called by wake_all_kswapds() and by rmqueue() for a boosted zone. */
export function hookWakeupKswapd(pa: PageAllocState, zoneId: number, gfp: number, order: number, highestZoneidx: number): void {
  const depth = enterHook(pa, HOOK_WAKEUP_KSWAPD);
  try {
    pa.hooks.kswapd.wakeupKswapd(zoneId, gfp, order, highestZoneidx);
  } finally {
    pa.acDepth = depth;
  }
}

/** Kernel: `try_to_compact_pages()`, as called by __alloc_pages_direct_compact(). @returns a COMPACT_* result */
export function hookTryToCompactPages(pa: PageAllocState, gfp: number, order: number, allocFlags: number, nid: number, highestZoneidx: number, prio: number): number {
  const depth = enterHook(pa, HOOK_DIRECT_COMPACT);
  const pflags = pa.psi !== null ? pa.psi.memstallEnter() : 0; // __alloc_pages_direct_compact: psi_memstall_enter
  try {
    return pa.hooks.compactor.tryToCompactPages(gfp, order, allocFlags, nid, highestZoneidx, prio);
  } finally {
    pa.psi?.memstallLeave(pflags);
    pa.acDepth = depth;
  }
}

/** Kernel: `try_to_free_pages()`, as called by __perform_reclaim(). @returns pages reclaimed */
export function hookTryToFreePages(pa: PageAllocState, gfp: number, order: number, nid: number, highestZoneidx: number): number {
  const depth = enterHook(pa, HOOK_DIRECT_RECLAIM);
  const pflags = pa.psi !== null ? pa.psi.memstallEnter() : 0; // __perform_reclaim: psi_memstall_enter
  pa.pfMemalloc++; // memalloc_noreclaim_save()
  try {
    return pa.hooks.reclaimer.tryToFreePages(gfp, order, nid, highestZoneidx);
  } finally {
    pa.pfMemalloc--; // memalloc_noreclaim_restore()
    pa.psi?.memstallLeave(pflags);
    pa.acDepth = depth;
  }
}

/** Kernel: `zone_reclaimable_pages()`, as read by should_reclaim_retry() (not counted: a query, not a reclaim). */
export function hookZoneReclaimablePages(pa: PageAllocState, zoneId: number): number {
  const depth = enterHook(pa, -1);
  try {
    return pa.hooks.reclaimer.zoneReclaimablePages(zoneId);
  } finally {
    pa.acDepth = depth;
  }
}

/** Kernel: `out_of_memory()`, as called by __alloc_pages_may_oom(). @returns true when a task was killed (progress) */
export function hookOutOfMemory(pa: PageAllocState, gfp: number, order: number, nid: number): boolean {
  const depth = enterHook(pa, HOOK_OUT_OF_MEMORY);
  try {
    return pa.hooks.oom.outOfMemory(gfp, order, nid);
  } finally {
    pa.acDepth = depth;
  }
}
