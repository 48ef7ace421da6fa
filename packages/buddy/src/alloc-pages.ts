// Kernel: mm/page_alloc.c (v6.1) — __alloc_pages, get_page_from_freelist, __alloc_pages_slowpath, warn_alloc, __free_pages
/*
 * The allocation entry point and its slow path, in 6.1's order of steps:
 *   fast path: get_page_from_freelist(ALLOC_WMARK_LOW | nofragment)
 *   slow path: gfp_to_alloc_flags → wake kswapd → get_page_from_freelist(ALLOC_WMARK_MIN)
 *     → (costly or unmovable high order) direct compaction → retry: wake kswapd, reserves,
 *     get_page_from_freelist → direct reclaim → direct compaction → should_reclaim_retry /
 *     should_compact_retry → __alloc_pages_may_oom → nopage (__GFP_NOFAIL loops) → warn_alloc.
 * kswapd, compaction, reclaim and OOM are PageAllocState.hooks, called through hook-calls.ts
 * (counted in hookCalls; a hook may allocate, and may throw without leaving the allocator in a
 * nested state). Hot file (STYLE C8): the order-0 pcp fast path runs through allocPages().
 *
 * Simplified: no cpusets or mempolicies (every node is allowed), no memcg charge (later), no
 * PF_MEMALLOC task context (only __GFP_MEMALLOC grants ALLOC_NO_WATERMARKS), no dirty-page
 * spreading, node_reclaim off (zone_reclaim_mode 0, as on the reference). Before
 * page_alloc_init_late(), a zone whose watermark fails grows by deferred sections
 * (_deferred_grow_zone), as 6.1 does. should_compact_retry
 * retries only after a compaction that did something (not COMPACT_SKIPPED/DEFERRED), at most
 * MAX_COMPACT_RETRIES times. A __GFP_NOFAIL allocation that cannot make progress would loop for
 * ever in the kernel; mmsim gives up after MAX_NOFAIL_LOOPS rounds and says so in the log.
 */
import {
  EINVAL, MIGRATE_MOVABLE, NIL_PAGE, PAGE_ALLOC_COSTLY_ORDER, TP_MM_PAGE_ALLOC, ZONE_NORMAL,
  __GFP_ATOMIC, __GFP_DIRECT_RECLAIM, __GFP_HARDWALL, __GFP_HIGH, __GFP_KSWAPD_RECLAIM, __GFP_MEMALLOC,
  __GFP_NOFAIL, __GFP_NOMEMALLOC, __GFP_NORETRY, __GFP_NOWARN, __GFP_RETRY_MAYFAIL, __GFP_THISNODE, __GFP_ACCOUNT,
  COMPACT_DEFERRED, COMPACT_SKIPPED, COMPACT_SUCCESS, INIT_COMPACT_PRIORITY, COMPACT_PRIO_SYNC_LIGHT,
  NR_FREE_PAGES, NSEC_PER_SEC, formatGfpMask, gfpMigratetype, gfpZone, MAX_ORDER, KERN_WARNING,
  pageHead, COMPACTSTALL, COMPACTFAIL, COMPACTSUCCESS,
} from "@mmsim/core";
import { hookOutOfMemory, hookTryToCompactPages, hookTryToFreePages, hookWakeupKswapd, hookZoneReclaimablePages } from "./hook-calls.ts";
import {
  ALLOC_CMA, ALLOC_CPUSET, ALLOC_HARDER, ALLOC_KSWAPD, ALLOC_NO_WATERMARKS, ALLOC_NOFRAGMENT,
  ALLOC_WMARK_HIGH, ALLOC_WMARK_LOW, ALLOC_WMARK_MASK, ALLOC_WMARK_MIN, MAX_RECLAIM_RETRIES, type AllocContext,
} from "./internal.ts";
import { deferredGrowZone } from "./mm-init.ts";
import type { Zone } from "./mmzone.ts";
import type { PageAllocState } from "./page-alloc-state.ts";
import {
  freeThePage, prepNewPage, reserveHighatomicPageblock, rmqueue,
  unreserveHighatomicPageblock, zoneWatermarkFast, zoneWatermarkOk, badPage,
} from "./page-alloc.ts";

/** Kernel: `MAX_COMPACT_RETRIES` (mm/page_alloc.c). */
export const MAX_COMPACT_RETRIES = 16;
/** mmsim: rounds a __GFP_NOFAIL allocation may loop without progress before mmsim gives up. */
export const MAX_NOFAIL_LOOPS = 4 * MAX_RECLAIM_RETRIES;

/** Kernel: `alloc_flags_nofragment()`: avoid fragmenting Normal while DMA32 is populated. */
function allocFlagsNofragment(pa: PageAllocState, zone: Zone | undefined, gfp: number): number {
  let allocFlags = gfp & __GFP_KSWAPD_RECLAIM;
  if (!zone) return allocFlags;
  if (zone.zid !== ZONE_NORMAL) return allocFlags;
  const dma32 = pa.pgdat[zone.nid]!.zones[ZONE_NORMAL - 1]!;
  if (pa.pgdat.length > 1 && !dma32.populated) return allocFlags;
  allocFlags |= ALLOC_NOFRAGMENT;
  return allocFlags;
}

/** Kernel: `gfp_to_alloc_flags_cma()`. */
function gfpToAllocFlagsCma(gfp: number, allocFlags: number): number {
  if (gfpMigratetype(gfp) === MIGRATE_MOVABLE) allocFlags |= ALLOC_CMA;
  return allocFlags;
}

/** Kernel: `gfp_to_alloc_flags()`: the slow path's flags. */
export function gfpToAllocFlags(gfp: number): number {
  let allocFlags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
  allocFlags |= gfp & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM);
  if ((gfp & __GFP_ATOMIC) !== 0) {
    if ((gfp & __GFP_NOMEMALLOC) === 0) allocFlags |= ALLOC_HARDER;
    allocFlags &= ~ALLOC_CPUSET;
  }
  return gfpToAllocFlagsCma(gfp, allocFlags);
}

/**
 * Kernel: `__gfp_pfmemalloc_flags()` (PF_MEMALLOC: `pa.pfMemalloc`; no softirq context in mmsim);
 * an OOM victim gets ALLOC_OOM (oom_reserves_allowed), which is ALLOC_NO_WATERMARKS with an MMU.
 */
function gfpPfmemallocFlags(pa: PageAllocState, gfp: number): number {
  if ((gfp & __GFP_NOMEMALLOC) !== 0) return 0;
  if ((gfp & __GFP_MEMALLOC) !== 0) return ALLOC_NO_WATERMARKS;
  if (pa.pfMemalloc > 0) return ALLOC_NO_WATERMARKS;
  if (currentIsOomVictim(pa)) return ALLOC_NO_WATERMARKS; // ALLOC_OOM
  return 0;
}

/** Kernel: `tsk_is_oom_victim(current)`, asked of the `oom` slot's handler. */
function currentIsOomVictim(pa: PageAllocState): boolean {
  const oom = pa.hooks.oom;
  return oom.currentIsOomVictim !== undefined && oom.currentIsOomVictim();
}

/**
 * Tries each zone of the zonelist in turn, against the watermark alloc_flags name.
 * Kernel: `get_page_from_freelist()`. Hot (the fault path's every page): one pass over the
 * zonelist; ALLOC_NOFRAGMENT's second pass, the deferred-pages growth and the highatomic
 * reserve are calls to cold functions, so that V8 can inline the order-0 path whole (issue 22).
 */
function getPageFromFreelist(pa: PageAllocState, gfp: number, order: number, allocFlags: number, ac: AllocContext): number {
  const page = getPageFromZonelist(pa, gfp, order, allocFlags, ac);
  if (page !== NIL_PAGE || (allocFlags & ALLOC_NOFRAGMENT) === 0) return page;
  // Nothing local without fragmenting: relax and go over the zonelist again.
  return getPageFromZonelist(pa, gfp, order, allocFlags & ~ALLOC_NOFRAGMENT, ac);
}

/** One pass of get_page_from_freelist's `for_next_zone_zonelist_nodemask` loop. */
function getPageFromZonelist(pa: PageAllocState, gfp: number, order: number, allocFlags: number, ac: AllocContext): number {
  const zonelist = ac.zonelist;
  for (let i = 0; i < zonelist.length; i++) {
    const zone = zonelist[i]!;
    if (!zoneAllowed(zone, allocFlags, ac)) continue;
    // The watermark failed, but a zone with deferred pages can grow first.
    if ((allocFlags & ALLOC_NO_WATERMARKS) === 0 && !zoneWatermarkFast(pa, zone, order, zone.wmarkPages(allocFlags & ALLOC_WMARK_MASK), ac.highestZoneidx, allocFlags, gfp)
      && !growDeferredZone(pa, zone, order)) continue;
    // try_this_zone: (again while the zone has deferred pages to grow by)
    let page = rmqueue(pa, ac.preferred ?? zone, zone, order, allocFlags, ac.migratetype, ac.cpu);
    if (page === NIL_PAGE) page = rmqueueGrowingDeferred(pa, ac, zone, order, allocFlags);
    if (page !== NIL_PAGE) {
      prepNewPage(pa, page, order, gfp, pa.initOnAlloc);
      if (order > 0 && (allocFlags & ALLOC_HARDER) !== 0) reserveHighatomicPageblock(pa, page, zone);
      return page;
    }
  }
  return NIL_PAGE;
}

/** get_page_from_freelist's skips: a zone above the highest allowed, an empty one, or (ALLOC_NOFRAGMENT) another node than the preferred. */
function zoneAllowed(zone: Zone, allocFlags: number, ac: AllocContext): boolean {
  if (zone.zid > ac.highestZoneidx || !zone.managed) return false;
  return (allocFlags & ALLOC_NOFRAGMENT) === 0 || ac.preferred === undefined || zone.nid === ac.preferred.nid;
}

/** get_page_from_freelist's `_deferred_grow_zone()` step: true when the zone had deferred pages and grew. */
function growDeferredZone(pa: PageAllocState, zone: Zone, order: number): boolean {
  return pa.deferredPages && deferredGrowZone(pa, zone, order, pa.deferredFreeRanges());
}

/** get_page_from_freelist's retry of try_this_zone after rmqueue failed: grow the zone by deferred pages and try again, while it can grow. */
function rmqueueGrowingDeferred(pa: PageAllocState, ac: AllocContext, zone: Zone, order: number, allocFlags: number): number {
  while (growDeferredZone(pa, zone, order)) {
    const page = rmqueue(pa, ac.preferred ?? zone, zone, order, allocFlags, ac.migratetype, ac.cpu);
    if (page !== NIL_PAGE) return page;
  }
  return NIL_PAGE;
}

/** Kernel: `wake_all_kswapds()`: wake kswapd of each node in the zonelist once. */
function wakeAllKswapds(pa: PageAllocState, order: number, gfp: number, ac: AllocContext): void {
  let lastNid = -1;
  for (let i = 0; i < ac.zonelist.length; i++) {
    const zone = ac.zonelist[i]!;
    if (zone.zid > ac.highestZoneidx || zone.nid === lastNid) continue;
    lastNid = zone.nid;
    hookWakeupKswapd(pa, zone.id, gfp, order, ac.highestZoneidx);
  }
}

/** Kernel: `__alloc_pages_direct_compact()`; its `*compact_result` is ac.compactResult. */
function allocPagesDirectCompact(pa: PageAllocState, gfp: number, order: number, allocFlags: number, ac: AllocContext, prio: number): number {
  if (order === 0) {
    ac.compactResult = COMPACT_SKIPPED;
    return NIL_PAGE;
  }
  ac.compactResult = hookTryToCompactPages(pa, gfp, order, allocFlags, ac.nid, ac.highestZoneidx, prio);
  if (ac.compactResult === COMPACT_SKIPPED) return NIL_PAGE;
  pa.vmEvents[COMPACTSTALL]!++;
  const page = getPageFromFreelist(pa, gfp, order, allocFlags, ac);
  if (page !== NIL_PAGE) {
    pa.hooks.compactor.compactionDeferReset?.(pa.pageZone(page).id, order);
    pa.vmEvents[COMPACTSUCCESS]!++;
  } else pa.vmEvents[COMPACTFAIL]!++;
  return page;
}

/** Kernel: `__alloc_pages_direct_reclaim()` → `__perform_reclaim()`; its `*did_some_progress` is ac.didSomeProgress. */
function allocPagesDirectReclaim(pa: PageAllocState, gfp: number, order: number, allocFlags: number, ac: AllocContext): number {
  ac.didSomeProgress = hookTryToFreePages(pa, gfp, order, ac.nid, ac.highestZoneidx);
  if (ac.didSomeProgress === 0) return NIL_PAGE;
  return getPageFromFreelist(pa, gfp, order, allocFlags, ac);
}

/** Kernel: `should_reclaim_retry()`; its `*no_progress_loops` is ac.noProgressLoops. */
function shouldReclaimRetry(pa: PageAllocState, order: number, ac: AllocContext, allocFlags: number, didSomeProgress: boolean): boolean {
  if (didSomeProgress && order <= PAGE_ALLOC_COSTLY_ORDER) ac.noProgressLoops = 0;
  else ac.noProgressLoops++;
  if (ac.noProgressLoops > MAX_RECLAIM_RETRIES) return unreserveHighatomicPageblock(pa, ac.zonelist, ac.highestZoneidx, ac.migratetype, true);
  const zonelist = ac.zonelist;
  for (let i = 0; i < zonelist.length; i++) {
    const zone = zonelist[i]!;
    if (zone.zid > ac.highestZoneidx || !zone.managed) continue;
    const available = hookZoneReclaimablePages(pa, zone.id) + zone.vmStat[NR_FREE_PAGES]!;
    if (zoneWatermarkOk(pa, zone, order, zone.minWmarkPages(), ac.highestZoneidx, allocFlags, available)) return true;
  }
  return unreserveHighatomicPageblock(pa, ac.zonelist, ac.highestZoneidx, ac.migratetype, true);
}

/** Kernel: `__alloc_pages_may_oom()`; its `*did_some_progress` is ac.didSomeProgress. */
function allocPagesMayOom(pa: PageAllocState, gfp: number, order: number, ac: AllocContext): number {
  ac.didSomeProgress = 0;
  // One more try at the high watermark, to catch a parallel OOM kill.
  const page = getPageFromFreelist(pa, (gfp | __GFP_HARDWALL) & ~__GFP_DIRECT_RECLAIM, order, ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac);
  if (page !== NIL_PAGE) return page;
  if (order > PAGE_ALLOC_COSTLY_ORDER) return NIL_PAGE; // the OOM killer will not help higher orders
  if ((gfp & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE)) !== 0) return NIL_PAGE;
  if (ac.highestZoneidx < ZONE_NORMAL) return NIL_PAGE; // no OOM kill for lowmem
  if (hookOutOfMemory(pa, gfp, order, ac.nid)) ac.didSomeProgress = 1;
  return NIL_PAGE;
}

/**
 * warn_alloc's ratelimit in 6.1: `static DEFINE_RATELIMIT_STATE(nopage_rs, 10*HZ, 1)` — one
 * message per 10 s (5.0 replaced DEFAULT_RATELIMIT_INTERVAL/BURST, 5 s and 10, with this), in
 * jiffies of HZ = 250 (the reference config).
 */
const HZ = 250;
const NOPAGE_RS_INTERVAL = 10 * HZ;
const NOPAGE_RS_BURST = 1;
/** jiffies at boot on 64-bit: (unsigned long)(unsigned int)(-300*HZ) — never 0, which ___ratelimit reads as "not started". */
const INITIAL_JIFFIES = 2 ** 32 - 300 * HZ;

/**
 * One check of nopage_rs; logs "warn_alloc: N callbacks suppressed" when a new interval starts
 * after suppressed messages. Kernel: `___ratelimit()` (lib/ratelimit.c) with func "warn_alloc".
 * @returns true when the message may be printed
 */
function nopageRatelimit(pa: PageAllocState): boolean {
  const jiffies = INITIAL_JIFFIES + Math.floor(pa.clock.now() / (NSEC_PER_SEC / HZ));
  if (!pa.nopageRsBegin) pa.nopageRsBegin = jiffies;
  // time_is_before_jiffies(rs->begin + interval)
  if (pa.nopageRsBegin + NOPAGE_RS_INTERVAL < jiffies) {
    if (pa.nopageRsMissed) {
      pa.log.printk(KERN_WARNING, "warn_alloc: " + pa.nopageRsMissed + " callbacks suppressed");
      pa.nopageRsMissed = 0;
    }
    pa.nopageRsBegin = jiffies;
    pa.nopageRsPrinted = 0;
  }
  if (NOPAGE_RS_BURST > pa.nopageRsPrinted) {
    pa.nopageRsPrinted++;
    return true;
  }
  pa.nopageRsMissed++;
  return false;
}

/**
 * Logs an allocation failure in the kernel's words. Kernel: `warn_alloc()`.
 */
function warnAlloc(pa: PageAllocState, gfp: number, order: number, comm: string): void {
  pa.allocFailures++;
  if ((gfp & __GFP_NOWARN) !== 0 || !nopageRatelimit(pa)) return;
  const memsAllowed = pa.pgdat.length === 1 ? "0" : "0-" + (pa.pgdat.length - 1);
  pa.log.printk(KERN_WARNING, comm + ": page allocation failure: order:" + order + ", mode:" + formatGfpMask(gfp) + ", nodemask=(null),cpuset=/,mems_allowed=" + memsAllowed);
}

/**
 * The slow path: wake kswapd, lower the watermark, compact, reclaim, retry, OOM, fail.
 * Kernel: `__alloc_pages_slowpath()`.
 */
function allocPagesSlowpath(pa: PageAllocState, gfp: number, order: number, ac: AllocContext, comm: string): number {
  const canDirectReclaim = (gfp & __GFP_DIRECT_RECLAIM) !== 0;
  const costlyOrder = order > PAGE_ALLOC_COSTLY_ORDER;
  ac.compactResult = COMPACT_SKIPPED;
  ac.didSomeProgress = 0;
  ac.noProgressLoops = 0;
  let compactionRetries = 0;
  let nofailLoops = 0;
  let compactPriority = INIT_COMPACT_PRIORITY;
  let allocFlags = gfpToAllocFlags(gfp);
  if (!ac.preferred) return failAlloc(pa, gfp, order, comm);
  if ((allocFlags & ALLOC_KSWAPD) !== 0) wakeAllKswapds(pa, order, gfp, ac);
  let page = getPageFromFreelist(pa, gfp, order, allocFlags, ac);
  if (page !== NIL_PAGE) return page;
  // Costly orders (and non-movable high orders) try compaction before reclaim.
  if (canDirectReclaim && (costlyOrder || (order > 0 && ac.migratetype !== MIGRATE_MOVABLE)) && gfpPfmemallocFlags(pa, gfp) === 0) {
    page = allocPagesDirectCompact(pa, gfp, order, allocFlags, ac, INIT_COMPACT_PRIORITY);
    if (page !== NIL_PAGE) return page;
    if (costlyOrder && (gfp & __GFP_NORETRY) !== 0) {
      if (ac.compactResult === COMPACT_SKIPPED || ac.compactResult === COMPACT_DEFERRED) return failAlloc(pa, gfp, order, comm);
      compactPriority = INIT_COMPACT_PRIORITY;
    }
  }
  for (;;) {
    // retry:
    if ((allocFlags & ALLOC_KSWAPD) !== 0) wakeAllKswapds(pa, order, gfp, ac);
    const reserveFlags = gfpPfmemallocFlags(pa, gfp);
    if (reserveFlags !== 0) allocFlags = gfpToAllocFlagsCma(gfp, reserveFlags) | (allocFlags & ALLOC_KSWAPD);
    page = getPageFromFreelist(pa, gfp, order, allocFlags, ac);
    if (page !== NIL_PAGE) return page;
    // An OOM victim that failed even with the reserves does not loop (ALLOC_OOM = ALLOC_NO_WATERMARKS).
    if (((allocFlags & ALLOC_NO_WATERMARKS) !== 0 || (gfp & __GFP_NOMEMALLOC) !== 0) && currentIsOomVictim(pa)) break;
    // Avoid recursion of direct reclaim (a PF_MEMALLOC context: reclaim's own allocations).
    if (canDirectReclaim && pa.pfMemalloc === 0) {
      page = allocPagesDirectReclaim(pa, gfp, order, allocFlags, ac);
      if (page !== NIL_PAGE) return page;
      page = allocPagesDirectCompact(pa, gfp, order, allocFlags, ac, compactPriority);
      if (page !== NIL_PAGE) return page;
      if ((gfp & __GFP_NORETRY) !== 0) break;
      if (costlyOrder && (gfp & __GFP_RETRY_MAYFAIL) === 0) break;
      if (shouldReclaimRetry(pa, order, ac, allocFlags, ac.didSomeProgress > 0)) continue;
      const compactResult = ac.compactResult;
      if (ac.didSomeProgress > 0 && order > 0 && compactResult !== COMPACT_SKIPPED && compactResult !== COMPACT_DEFERRED && compactionRetries < MAX_COMPACT_RETRIES) {
        if (compactResult !== COMPACT_SUCCESS) compactPriority = COMPACT_PRIO_SYNC_LIGHT;
        compactionRetries++;
        continue;
      }
      page = allocPagesMayOom(pa, gfp, order, ac);
      if (page !== NIL_PAGE) return page;
      if (ac.didSomeProgress > 0) {
        ac.noProgressLoops = 0;
        continue;
      }
    }
    // nopage:
    if ((gfp & __GFP_NOFAIL) !== 0 && canDirectReclaim) {
      // __alloc_pages_cpuset_fallback with ALLOC_HARDER, then retry for ever (the kernel does).
      page = getPageFromFreelist(pa, gfp, order, ALLOC_HARDER | ALLOC_CPUSET | ALLOC_WMARK_MIN, ac);
      if (page !== NIL_PAGE) return page;
      if (++nofailLoops < MAX_NOFAIL_LOOPS) continue;
      // mmsim's own line (the kernel would loop silently for ever), under warn_alloc's ratelimit.
      if (nopageRatelimit(pa)) pa.log.printk(KERN_WARNING, "mmsim: __GFP_NOFAIL order:" + order + " allocation made no progress in " + MAX_NOFAIL_LOOPS + " rounds; the kernel would retry for ever here");
    }
    break;
  }
  return failAlloc(pa, gfp, order, comm);
}

function failAlloc(pa: PageAllocState, gfp: number, order: number, comm: string): number {
  warnAlloc(pa, gfp, order, comm);
  return NIL_PAGE;
}

/**
 * Allocates 2^order contiguous pages. Kernel: `__alloc_pages()`.
 * @param cpu the CPU the caller runs on (its pcp lists; numa_node_id())
 * @param preferredNid node to prefer, or -1 for the CPU's node
 * @param comm current->comm, printed by warn_alloc
 * @returns the first page's index in MemMap, or NIL_PAGE (with a warning unless __GFP_NOWARN)
 */
export function allocPages(pa: PageAllocState, gfp: number, order: number, cpu: number, preferredNid = -1, comm = "swapper/0"): number {
  if (order >= MAX_ORDER) return allocOrderTooLarge(pa, gfp);
  const nid = preferredNid >= 0 ? preferredNid : pa.cpuToNode[cpu]!;
  const pgdat = pa.pgdat[nid]!;
  const highestZoneidx = gfpZone(gfp);
  const zonelist = (gfp & __GFP_THISNODE) !== 0 ? pgdat.zonelistNofallback : pgdat.zonelistFallback;
  const preferred = firstZonesZonelist(zonelist, highestZoneidx);
  // This nesting level's context: only hook calls move acDepth (and grow acStack to match).
  const ac = pa.acStack[pa.acDepth]!;
  ac.zonelist = zonelist;
  ac.preferred = preferred;
  ac.highestZoneidx = highestZoneidx;
  ac.migratetype = gfpMigratetype(gfp);
  ac.cpu = cpu;
  ac.nid = nid;
  let allocFlags = gfpToAllocFlagsCma(gfp, ALLOC_WMARK_LOW);
  allocFlags |= allocFlagsNofragment(pa, preferred, gfp);
  let page = preferred ? getPageFromFreelist(pa, gfp, order, allocFlags, ac) : NIL_PAGE;
  if (page === NIL_PAGE) page = allocPagesSlowpath(pa, gfp, order, ac, comm);
  if ((gfp & __GFP_ACCOUNT) !== 0 && page !== NIL_PAGE && pa.memcg !== null) page = memcgKmemChargePage(pa, page, gfp, order, cpu);
  if (pa.trace.on) traceMmPageAlloc(pa, page, order, gfp, ac.migratetype);
  return page;
}

/** Kernel: `first_zones_zonelist()`: the first zone at or below highestZoneidx (ac->preferred_zoneref), or undefined. */
function firstZonesZonelist(zonelist: readonly Zone[], highestZoneidx: number): Zone | undefined {
  for (let i = 0; i < zonelist.length; i++) if (zonelist[i]!.zid <= highestZoneidx) return zonelist[i];
  return undefined;
}

/**
 * __alloc_pages' kmem charge of an __GFP_ACCOUNT allocation (user page tables, kmalloc_large,
 * vmalloc'd pages): a refused charge frees the pages and fails. Kernel: `__memcg_kmem_charge_page()`.
 * @returns the page, or NIL_PAGE
 */
function memcgKmemChargePage(pa: PageAllocState, page: number, gfp: number, order: number, cpu: number): number {
  if (pa.memcg!.kmemCharge(page, order, gfp, cpu) === 0) return page;
  freePages(pa, page, order, cpu);
  return NIL_PAGE;
}

/** __alloc_pages' `WARN_ON_ONCE_GFP(order >= MAX_ORDER, gfp)`: warns once (unless __GFP_NOWARN). @returns NIL_PAGE */
function allocOrderTooLarge(pa: PageAllocState, gfp: number): number {
  if ((gfp & __GFP_NOWARN) === 0) pa.log.warnOnce("__alloc_pages-order", "__alloc_pages+0x0/0x0 (mm/page_alloc.c)");
  return NIL_PAGE;
}

/** Kernel: `trace_mm_page_alloc()` (pfn -1 for a failed allocation). */
function traceMmPageAlloc(pa: PageAllocState, page: number, order: number, gfp: number, migratetype: number): void {
  pa.trace.emit(TP_MM_PAGE_ALLOC, page === NIL_PAGE ? -1 : pa.mem.pageToPfn(page), order, gfp, migratetype, 0, 0);
}

/**
 * Drops a reference to a block; the last one frees it (pcp for small orders).
 * Kernel: `__free_pages()` → `free_the_page()`.
 * @returns 0, or -EINVAL when the page was not allocated (logged as the kernel's Bad page state)
 */
export function freePages(pa: PageAllocState, page: number, order: number, cpu: number): number {
  const mem = pa.mem;
  if (mem.refcount[page]! <= 0) {
    badPage(pa, page, mem.refcount[page] === 0 ? "freeing a page whose _refcount is already 0 (never allocated, or freed twice)" : "negative _refcount");
    return -EINVAL;
  }
  const head = pageHead(mem, page);
  if (--mem.refcount[page]! === 0) {
    freeThePage(pa, page, order, cpu);
  } else if (!head) {
    // A non-compound high-order block with an extra reference on its first page: free the tail parts.
    while (order-- > 0) freeThePage(pa, page + (1 << order), order, cpu);
  }
  return 0;
}

