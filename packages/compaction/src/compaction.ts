// Kernel: mm/compaction.c (v6.1) — compact_zone with its migrate and free scanners, compaction_alloc/free, compact_finished, compaction_suitable, deferred compaction, try_to_compact_pages, compact_node(s), kcompactd and proactive compaction
/*
 * Compaction moves movable pages from the start of a zone to free pages at its end, so that free
 * pages merge into high-order blocks. Two scanners walk towards each other, pageblock by pageblock:
 *
 *   migrate scanner (isolate_migratepages → isolate_migratepages_block) from zone_start_pfn up:
 *     skips free blocks (PageBuddy, by their order) and compound pages, takes PageLRU pages the
 *     PageMigrator can isolate (pinned anonymous pages, GFP_NOFS with a mapping, unevictable
 *     without compact_unevictable_allowed, writeback and dirty in async modes are left), at most
 *     COMPACT_CLUSTER_MAX at a time, throttled by too_many_isolated;
 *   free scanner (isolate_freepages → isolate_freepages_block) from the zone end down, in MOVABLE
 *     (or CMA) pageblocks only, taking free blocks below pageblock order with __isolate_free_page
 *     (the min watermark must hold) and splitting them into order-0 pages (split_map_pages);
 *
 * and migrate_pages() (core's PageMigrator, @mmsim/migrate) moves each isolated page to a page
 * compaction_alloc hands out (this class is the MigrationTarget). compact_finished stops when the
 * scanners meet (COMPACT_COMPLETE, or PARTIAL_SKIPPED when the cached start was not the zone's),
 * or — for an allocation — when a block of its order is free on its migratetype's list, CMA's for
 * a movable one, or one it may steal (COMPACT_SUCCESS), checked at pageblock boundaries.
 * Pageblocks the scanners found nothing in get PB_migrate_skip, and the zone caches where each
 * scanner stopped (compact_cached_migrate_pfn[async/sync], compact_cached_free_pfn), until the
 * scanners meet (reset_cached_positions) or kswapd goes to sleep after a direct compaction ran to
 * the end (reset_isolation_suitable clears the skip bits).
 *
 * Callers: try_to_compact_pages (the allocator's DirectCompactor: every zone of the zonelist, with
 * deferral — defer_compaction doubles the number of attempts skipped, up to 64, from
 * compact_order_failed up — and COMPACT_PRIO_* choosing async / sync-light / sync-full with
 * whole_zone and ignore_skip_hint); kcompactd per node (woken by kswapd, MIGRATE_SYNC_LIGHT to the
 * order kswapd was woken for), proactive compaction (kcompactd's 500 ms timer: when the node's
 * fragmentation score, the weighted extfrag of order 9, exceeds 100 - compaction_proactiveness + 10,
 * compact whole zones until each is at or below 100 - proactiveness), and compact_node for
 * /proc/sys/vm/compact_memory and /sys/devices/system/node/nodeN/compact (order -1, MIGRATE_SYNC,
 * whole zones, skip hints ignored).
 *
 * Not simulated: capture_control (a page freed during direct compaction handed straight to the
 * compactor), fast_find_migrateblock's free-list search for a migration source (the migrate
 * scanner always scans linearly, as it does for orders ≤ PAGE_ALLOC_COSTLY_ORDER), non-LRU movable
 * pages (__PageMovable: zsmalloc and balloon pages are not movable here), lock contention (one
 * CPU runs at a time: COMPACT_CONTENDED comes only from too_many_isolated and a migration short
 * of target pages before the scanners met) and need_resched/fatal signals.
 * Costs are COMPACTION_COSTS (per PFN scanned, per page isolated); migration charges its own.
 */
import {
  ArgumentError, COMPACTFREE_SCANNED, COMPACTISOLATED, COMPACTMIGRATE_SCANNED, COMPACT_COMPLETE, COMPACT_CONTINUE,
  COMPACT_CONTENDED, COMPACT_DEFERRED, COMPACT_NOT_SUITABLE_ZONE, COMPACT_NO_SUITABLE_PAGE, COMPACT_PARTIAL_SKIPPED, COMPACT_PRIO_ASYNC,
  COMPACT_PRIO_SYNC_FULL, COMPACT_SKIPPED, COMPACT_SUCCESS, type CompactResult, EAGAIN, GFP_KERNEL,
  HPAGE_PMD_ORDER, KCOMPACTD_FREE_SCANNED, KCOMPACTD_MIGRATE_SCANNED, KCOMPACTD_WAKE, type Lru, MAX_NR_ZONES,
  MIGRATE_ASYNC, MIGRATE_CMA, MIGRATE_MOVABLE, MIGRATE_SYNC, MIGRATE_SYNC_LIGHT, type MemMap, type MigrateMode,
  type MigrateResult, type MigrationTarget, MR_COMPACTION, NIL_PAGE, NR_ACTIVE_ANON, NR_ACTIVE_FILE, NR_FREE_PAGES,
  NR_INACTIVE_ANON, NR_INACTIVE_FILE, NR_ISOLATED_ANON, NR_ISOLATED_FILE, NR_PAGE_ORDERS, PAGE_ALLOC_COSTLY_ORDER,
  PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, PG_head, PG_lru, PG_swapcache, PG_unevictable, PG_writeback, type PageMigrator,
  type SimClock, TP_MM_COMPACTION_BEGIN, TP_MM_COMPACTION_END, type TraceBus, type VmStat, WMARK_LOW, WMARK_MIN,
  __GFP_FS, __GFP_IO, __GFP_THISNODE, gfpMigratetype, isMigrateMovable, pageBuddy,
} from "@mmsim/core";
import {
  ALLOC_CMA, ALLOC_WMARK_MASK, type PageAllocState, type PglistData, type Zone, drainAllPages, drainPagesZone,
  findSuitableFallback, freeAreaEmpty, freeListHead, freePages, getPageblockSkip, getPfnblockMigratetype,
  isolateFreePage, postAllocSplit, setPageblockSkip, zoneWatermarkOk,
} from "@mmsim/buddy";
import { extfragForOrder, fragmentationIndex } from "./extfrag.ts";

/** Kernel: `COMPACT_CLUSTER_MAX` (= SWAP_CLUSTER_MAX): pages isolated per migrate_pages call. */
export const COMPACT_CLUSTER_MAX = 32;
/** Kernel: `COMPACT_MAX_DEFER_SHIFT`: compaction is skipped at most 1 << 6 = 64 times. */
export const COMPACT_MAX_DEFER_SHIFT = 6;
/** Kernel: `COMPACTION_HPAGE_ORDER` (CONFIG_TRANSPARENT_HUGEPAGE: HPAGE_PMD_ORDER, 9). */
export const COMPACTION_HPAGE_ORDER = HPAGE_PMD_ORDER;
/** Kernel: `HPAGE_FRAG_CHECK_INTERVAL_MSEC`: kcompactd's proactive check period, in ns. */
export const HPAGE_FRAG_CHECK_INTERVAL_NS = 500_000_000;
/** Kernel: `MIN_COMPACT_PRIORITY` (= COMPACT_PRIO_SYNC_FULL). */
export const MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL;

/** isolate_mode_t bits 6.1 passes to isolate_migratepages_block. */
const ISOLATE_ASYNC_MIGRATE = 0x4;
const ISOLATE_UNEVICTABLE = 0x8;

/** isolate_migratepages' results. */
const ISOLATE_ABORT = 0;
const ISOLATE_NONE = 1;
const ISOLATE_SUCCESS = 2;

/**
 * mmsim's costs of the scanners' own work (the migration itself is charged by the PageMigrator):
 * a struct-page test per PFN scanned (a few loads of one cache line), and the list and counter
 * updates of one page isolated, of the order of reclaim's isolatePage (RECLAIM_COSTS).
 */
export interface CompactionCosts {
  /** ns per PFN either scanner looks at. */
  readonly scanPage: number;
  /** ns per page isolated (migration source or free target). */
  readonly isolatePage: number;
}
export const COMPACTION_COSTS: CompactionCosts = Object.freeze({ scanPage: 4, isolatePage: 60 });

/** The compaction fields of `struct zone` (CONFIG_COMPACTION). */
export class ZoneCompaction {
  /** `compact_cached_free_pfn`. */
  cachedFreePfn = 0;
  /** `compact_cached_migrate_pfn[0]` (async) and `[1]` (sync). */
  cachedMigratePfn0 = 0;
  cachedMigratePfn1 = 0;
  /** `compact_init_migrate_pfn`, `compact_init_free_pfn`. */
  initMigratePfn = 0;
  initFreePfn = 0;
  /** `compact_considered`, `compact_defer_shift`, `compact_order_failed`. */
  considered = 0;
  deferShift = 0;
  orderFailed = 0;
  /** `compact_blockskip_flush`. */
  blockskipFlush = false;
}

/** The kcompactd fields of `pg_data_t`. */
export class NodeCompaction {
  /** `kcompactd_max_order`, `kcompactd_highest_zoneidx`. */
  maxOrder = 0;
  highestZoneidx = MAX_NR_ZONES - 1;
  /** `proactive_compact_trigger` (a write to compaction_proactiveness). */
  proactiveTrigger = false;
  /** wake_up_interruptible(&pgdat->kcompactd_wait) happened and kcompactd has not run yet. */
  woken = false;
  /** The proactive timer's next check (ns); the defer after a pass without progress moves it 64 periods ahead. */
  nextProactiveNs = 0;
  /** Simulated ns kcompactd spent working (its own CPU's time). */
  busyNs = 0;
}

/** Kernel: `struct compact_control`. */
export class CompactControl {
  /** Isolated free pages, order 0 each, refcount 1; the top of the stack is the list head (compaction_alloc takes it). */
  freepages = new Int32Array(1024);
  nrFreepages = 0;
  /** Isolated migration sources (head PFNs), in isolation order. */
  migratepages = new Int32Array(PAGEBLOCK_NR_PAGES + COMPACT_CLUSTER_MAX);
  nrMigratepages = 0;
  totalMigrateScanned = 0;
  totalFreeScanned = 0;
  freePfn = 0;
  migratePfn = 0;
  fastStartPfn = 0;
  /** `fast_search_fail`, `search_order`. */
  fastSearchFail = 0;
  searchOrder = 0;
  zone: Zone | null = null;
  gfpMask = 0;
  /** -1: the whole zone (compact_memory, proactive). */
  order = 0;
  migratetype = 0;
  allocFlags = 0;
  highestZoneidx = 0;
  mode: MigrateMode = MIGRATE_ASYNC;
  ignoreSkipHint = false;
  noSetSkipHint = false;
  ignoreBlockSuitable = false;
  directCompaction = false;
  proactiveCompaction = false;
  wholeZone = false;
  contended = false;
  finishPageblock = false;
  /** The CPU whose pcp lists and LRU batches it drains. */
  cpu = 0;

  reset(): this {
    this.nrFreepages = 0;
    this.nrMigratepages = 0;
    this.totalMigrateScanned = 0;
    this.totalFreeScanned = 0;
    this.freePfn = 0;
    this.migratePfn = 0;
    this.fastStartPfn = 0;
    this.fastSearchFail = 0;
    this.searchOrder = 0;
    this.zone = null;
    this.gfpMask = 0;
    this.order = 0;
    this.migratetype = 0;
    this.allocFlags = 0;
    this.highestZoneidx = 0;
    this.mode = MIGRATE_ASYNC;
    this.ignoreSkipHint = false;
    this.noSetSkipHint = false;
    this.ignoreBlockSuitable = false;
    this.directCompaction = false;
    this.proactiveCompaction = false;
    this.wholeZone = false;
    this.contended = false;
    this.finishPageblock = false;
    this.cpu = 0;
    return this;
  }

  /** Kernel: list_add_tail/list_add onto cc->freepages (grows the stack when a pageblock's worth more arrives). */
  pushFree(pfn: number): void {
    if (this.nrFreepages === this.freepages.length) {
      const grown = new Int32Array(this.freepages.length * 2);
      grown.set(this.freepages);
      this.freepages = grown;
    }
    this.freepages[this.nrFreepages++] = pfn;
  }
}

/** What compaction is built over. */
export interface CompactionDeps {
  readonly pa: PageAllocState;
  readonly vmstat: VmStat;
  readonly clock: SimClock;
  readonly trace: TraceBus;
  /** migrate_pages() and the isolation of LRU pages; null: no page can be moved (only free memory is looked at). */
  readonly migrator: () => PageMigrator | null;
  /** lru_add_drain(); null: no LRU. */
  readonly lru: () => Lru | null;
  /** kswapd_is_running(pgdat) (proactive compaction backs off while it runs); default: never. */
  readonly kswapdRunning?: (nid: number) => boolean;
  /** CPUs (kcompactd's time is its own when there are several). */
  readonly nrCpus?: number;
  readonly costs?: CompactionCosts;
}

/** Kernel: `block_start_pfn()` / pageblock_start_pfn for any order. */
function blockStartPfn(pfn: number, order: number): number {
  const n = 2 ** order;
  return pfn - (pfn % n);
}
/** Kernel: `block_end_pfn()`: ALIGN(pfn + 1, 1 << order). */
function blockEndPfn(pfn: number, order: number): number {
  const n = 2 ** order;
  return Math.ceil((pfn + 1) / n) * n;
}
function pageblockStartPfn(pfn: number): number {
  return pfn - (pfn % PAGEBLOCK_NR_PAGES);
}
function pageblockEndPfn(pfn: number): number {
  return pageblockStartPfn(pfn) + PAGEBLOCK_NR_PAGES;
}
function pageblockAligned(pfn: number): boolean {
  return pfn % PAGEBLOCK_NR_PAGES === 0;
}
/** Kernel: `compact_gap()`: free pages compaction needs beyond the watermark, twice the request. */
export function compactGap(order: number): number {
  return 2 * 2 ** order;
}

/** The compaction mechanism of one machine. */
export class Compaction implements MigrationTarget {
  readonly pa: PageAllocState;
  readonly mem: MemMap;
  readonly vmstat: VmStat;
  readonly clock: SimClock;
  readonly trace: TraceBus;
  readonly costs: CompactionCosts;
  /** Per zone, by zone.id. */
  readonly zones: ZoneCompaction[];
  /** Per node. */
  readonly nodes: NodeCompaction[];
  /** `sysctl_compact_unevictable_allowed` (CONFIG_COMPACT_UNEVICTABLE_DEFAULT 1). */
  compactUnevictableAllowed = 1;
  /** `sysctl_compaction_proactiveness` (default 20). */
  compactionProactiveness = 20;
  /** `sysctl_extfrag_threshold` (default 500). */
  extfragThreshold = 500;
  /** What the last write to /proc/sys/vm/compact_memory held. */
  compactMemory = 0;
  /** Compactions run (compact_zone calls that scanned), for tests and compare. */
  compactZoneRuns = 0;
  private readonly migratorOf: () => PageMigrator | null;
  private readonly lruOf: () => Lru | null;
  private readonly kswapdRunning: (nid: number) => boolean;
  private readonly nrCpus: number;
  /** One control per nesting level (migration may allocate, and an allocation may compact). */
  private readonly ccPool: CompactControl[] = [new CompactControl()];
  private depth = 0;
  /** The control compaction_alloc/compaction_free serve (the innermost compact_zone's). */
  private cc: CompactControl | null = null;
  private readonly result: MigrateResult = { nrFailed: 0, nrSucceeded: 0, nrFailedNoMem: 0 };

  constructor(deps: CompactionDeps) {
    this.pa = deps.pa;
    this.mem = deps.pa.mem;
    this.vmstat = deps.vmstat;
    this.clock = deps.clock;
    this.trace = deps.trace;
    this.costs = deps.costs ?? COMPACTION_COSTS;
    this.migratorOf = deps.migrator;
    this.lruOf = deps.lru;
    this.kswapdRunning = deps.kswapdRunning ?? (() => false);
    this.nrCpus = deps.nrCpus ?? deps.pa.nrCpus;
    this.zones = deps.pa.zones.map(() => new ZoneCompaction());
    this.nodes = deps.pa.pgdat.map(() => new NodeCompaction());
    for (const zone of deps.pa.zones) this.resetCachedPositions(zone);
  }

  // ------------------------------------------------------------------ deferral

  /** Kernel: `defer_compaction()`. */
  deferCompaction(zone: Zone, order: number): void {
    const zc = this.zones[zone.id]!;
    zc.considered = 0;
    zc.deferShift++;
    if (order < zc.orderFailed) zc.orderFailed = order;
    if (zc.deferShift > COMPACT_MAX_DEFER_SHIFT) zc.deferShift = COMPACT_MAX_DEFER_SHIFT;
  }

  /** Kernel: `compaction_deferred()`: true when this attempt is to be skipped. */
  compactionDeferred(zone: Zone, order: number): boolean {
    const zc = this.zones[zone.id]!;
    const deferLimit = 2 ** zc.deferShift;
    if (order < zc.orderFailed) return false;
    if (++zc.considered >= deferLimit) {
      zc.considered = deferLimit;
      return false;
    }
    return true;
  }

  /** Kernel: `compaction_defer_reset()`: after a compaction that succeeded (alloc_success: the allocation did too). */
  compactionDeferReset(zone: Zone, order: number, allocSuccess: boolean): void {
    const zc = this.zones[zone.id]!;
    if (allocSuccess) {
      zc.considered = 0;
      zc.deferShift = 0;
    }
    if (order >= zc.orderFailed) zc.orderFailed = order + 1;
  }

  /** Kernel: `compaction_restarting()`: deferred to the limit and about to try again. */
  private compactionRestarting(zone: Zone, order: number): boolean {
    const zc = this.zones[zone.id]!;
    if (order < zc.orderFailed) return false;
    return zc.deferShift === COMPACT_MAX_DEFER_SHIFT && zc.considered >= 2 ** zc.deferShift;
  }

  // ------------------------------------------------------------------ skip hints and cached positions

  /** Kernel: `reset_cached_positions()`. */
  private resetCachedPositions(zone: Zone): void {
    const zc = this.zones[zone.id]!;
    zc.cachedMigratePfn0 = zone.zoneStartPfn;
    zc.cachedMigratePfn1 = zone.zoneStartPfn;
    zc.cachedFreePfn = zone.spannedPages > 0 ? pageblockStartPfn(zone.zoneEndPfn - 1) : 0;
  }

  /** Kernel: `pageblock_pfn_to_page()`: the first page of [start, end) when all of it is valid memory of `zone`, else NIL_PAGE. */
  private pageblockPfnToPage(startPfn: number, endPfn: number, zone: Zone): number {
    const mem = this.mem;
    if (startPfn >= endPfn) return NIL_PAGE;
    if (!mem.pfnValid(startPfn) || !mem.pfnValid(endPfn - 1)) return NIL_PAGE;
    const start = mem.pfnToPage(startPfn);
    if (mem.nodeZone[start] !== zone.id || mem.nodeZone[mem.pfnToPage(endPfn - 1)] !== zone.id) return NIL_PAGE;
    return start;
  }

  /** Kernel: `pageblock_skip_persistent()`: a compound page of at least pageblock order never becomes free by compaction. */
  private pageblockSkipPersistent(page: number): boolean {
    return (this.mem.flags[page]! & (1 << PG_head)) !== 0 && HPAGE_PMD_ORDER >= PAGEBLOCK_ORDER;
  }

  /** Kernel: `__reset_isolation_pfn()`. */
  private resetIsolationPfn(zone: Zone, pfn: number, checkSource: boolean, checkTarget: boolean): boolean {
    const mem = this.mem;
    const pb = this.pa.pageblock;
    if (!mem.pfnValid(pfn)) return false;
    let page = mem.pfnToPage(pfn);
    if (mem.nodeZone[page] !== zone.id) return false;
    if (this.pageblockSkipPersistent(page)) return false;
    if (checkSource && checkTarget && !getPageblockSkip(pb, pfn)) return true;
    if (!checkSource && checkTarget && getPfnblockMigratetype(pb, pfn) !== MIGRATE_MOVABLE) return false;
    let blockPfn = Math.max(pageblockStartPfn(pfn), zone.zoneStartPfn);
    if (mem.pfnValid(blockPfn)) {
      page = mem.pfnToPage(blockPfn);
      pfn = blockPfn;
    }
    blockPfn = Math.min(pageblockEndPfn(pfn) - 1, zone.zoneEndPfn - 1);
    if (!mem.pfnValid(blockPfn)) return false;
    const endPage = mem.pfnToPage(blockPfn);
    do {
      if (checkSource && (mem.flags[page]! & (1 << PG_lru)) !== 0) {
        setPageblockSkip(pb, mem.pageToPfn(page), false);
        return true;
      }
      if (checkTarget && pageBuddy(mem, page)) {
        setPageblockSkip(pb, mem.pageToPfn(page), false);
        return true;
      }
      page += 2 ** PAGE_ALLOC_COSTLY_ORDER;
    } while (page <= endPage);
    return false;
  }

  /** Kernel: `__reset_isolation_suitable()`: clears skip hints from both ends and resets the cached positions. */
  private resetIsolationSuitableZone(zone: Zone): void {
    const zc = this.zones[zone.id]!;
    let migratePfn = zone.zoneStartPfn;
    let freePfn = zone.zoneEndPfn - 1;
    let resetMigrate = freePfn;
    let resetFree = migratePfn;
    let sourceSet = false;
    let freeSet = false;
    if (!zc.blockskipFlush) return;
    zc.blockskipFlush = false;
    for (; migratePfn < freePfn; migratePfn += PAGEBLOCK_NR_PAGES, freePfn -= PAGEBLOCK_NR_PAGES) {
      if (this.resetIsolationPfn(zone, migratePfn, true, sourceSet) && migratePfn < resetMigrate) {
        sourceSet = true;
        resetMigrate = migratePfn;
        zc.initMigratePfn = resetMigrate;
        zc.cachedMigratePfn0 = resetMigrate;
        zc.cachedMigratePfn1 = resetMigrate;
      }
      if (this.resetIsolationPfn(zone, freePfn, freeSet, true) && freePfn > resetFree) {
        freeSet = true;
        resetFree = freePfn;
        zc.initFreePfn = resetFree;
        zc.cachedFreePfn = resetFree;
      }
    }
    if (resetMigrate >= resetFree) {
      zc.cachedMigratePfn0 = migratePfn;
      zc.cachedMigratePfn1 = migratePfn;
      zc.cachedFreePfn = freePfn;
    }
  }

  /** Kernel: `reset_isolation_suitable()` (kswapd, before its short sleep). */
  resetIsolationSuitable(nid: number): void {
    const pgdat = this.pa.pgdat[nid];
    if (!pgdat) return;
    for (const zone of pgdat.zones) {
      if (!zone.populated) continue;
      if (this.zones[zone.id]!.blockskipFlush) this.resetIsolationSuitableZone(zone);
    }
  }

  /** Kernel: `isolation_suitable()`. */
  private isolationSuitable(cc: CompactControl, pfn: number): boolean {
    if (cc.ignoreSkipHint) return true;
    return !getPageblockSkip(this.pa.pageblock, pfn);
  }

  /** Kernel: `test_and_set_skip()`. */
  private testAndSetSkip(cc: CompactControl, pfn: number): boolean {
    if (cc.ignoreSkipHint) return false;
    const skip = getPageblockSkip(this.pa.pageblock, pfn);
    if (!skip && !cc.noSetSkipHint) setPageblockSkip(this.pa.pageblock, pfn, true);
    return skip;
  }

  /** Kernel: `update_cached_migrate()`. */
  private updateCachedMigrate(cc: CompactControl, pfn: number): void {
    if (cc.noSetSkipHint) return;
    const zc = this.zones[cc.zone!.id]!;
    pfn = pageblockEndPfn(pfn);
    if (pfn > zc.cachedMigratePfn0) zc.cachedMigratePfn0 = pfn;
    if (cc.mode !== MIGRATE_ASYNC && pfn > zc.cachedMigratePfn1) zc.cachedMigratePfn1 = pfn;
  }

  /** Kernel: `update_pageblock_skip()`. */
  private updatePageblockSkip(cc: CompactControl, blockPfn: number, pfn: number): void {
    if (cc.noSetSkipHint) return;
    setPageblockSkip(this.pa.pageblock, blockPfn, true);
    const zc = this.zones[cc.zone!.id]!;
    if (pfn < zc.cachedFreePfn) zc.cachedFreePfn = pfn;
  }

  // ------------------------------------------------------------------ the free scanner

  /**
   * Takes the free blocks of [*startPfn, endPfn) (every `stride` PFNs) onto cc.freepages as order-0
   * pages, until there are as many as pages to migrate. Kernel: `isolate_freepages_block()` (not strict).
   * @returns [pages isolated, where the scan stopped]
   */
  private isolateFreepagesBlock(cc: CompactControl, startPfn: number, endPfn: number, stride: number): number {
    const mem = this.mem;
    let nrScanned = 0;
    let totalIsolated = 0;
    let blockpfn = startPfn;
    for (; blockpfn < endPfn; blockpfn += stride) {
      nrScanned++;
      const page = mem.pfnToPage(blockpfn);
      if ((mem.flags[page]! & (1 << PG_head)) !== 0) {
        const n = 2 ** HPAGE_PMD_ORDER;
        blockpfn += n - 1;
        nrScanned += n - 1;
        continue;
      }
      if (!pageBuddy(mem, page)) continue;
      const order = mem.private[page]!;
      const isolated = isolateFreePage(this.pa, page, order);
      if (isolated === 0) break;
      postAllocSplit(this.pa, page, order);
      for (let i = 0; i < isolated; i++) cc.pushFree(blockpfn + i);
      nrScanned += isolated - 1;
      totalIsolated += isolated;
      if (cc.nrMigratepages <= cc.nrFreepages) {
        blockpfn += isolated;
        break;
      }
      blockpfn += isolated - 1;
    }
    if (blockpfn > endPfn) blockpfn = endPfn;
    this.freeScanEnd = blockpfn;
    cc.totalFreeScanned += nrScanned;
    this.clock.advance(nrScanned * this.costs.scanPage + totalIsolated * this.costs.isolatePage);
    if (totalIsolated) this.vmstat.vmEvents[COMPACTISOLATED]! += totalIsolated;
    return totalIsolated;
  }
  /** isolate_freepages_block's `*start_pfn` on return. */
  private freeScanEnd = 0;

  /** Kernel: `suitable_migration_target()`. */
  private suitableMigrationTarget(cc: CompactControl, page: number, pfn: number): boolean {
    const mem = this.mem;
    if (pageBuddy(mem, page) && mem.private[page]! >= PAGEBLOCK_ORDER) return false;
    if (cc.ignoreBlockSuitable) return true;
    return isMigrateMovable(getPfnblockMigratetype(this.pa.pageblock, pfn));
  }

  /** Kernel: `freelist_scan_limit()`. */
  private freelistScanLimit(cc: CompactControl): number {
    return (COMPACT_CLUSTER_MAX >>> Math.min(31, cc.fastSearchFail)) + 1;
  }

  /** Kernel: `next_search_order()`: orders below cc.order round-robin from cc.searchOrder; -1 when wrapped. */
  private nextSearchOrder(cc: CompactControl, order: number): number {
    order--;
    if (order < 0) order = cc.order - 1;
    if (order === cc.searchOrder) {
      cc.searchOrder--;
      if (cc.searchOrder < 0) cc.searchOrder = cc.order - 1;
      return -1;
    }
    return order;
  }

  /**
   * A short search of the MOVABLE free lists below cc.order, tail first, for a block in the top
   * quarter of the scan space (or the highest in the top half), isolated whole; then, outside
   * async direct compaction, the rest of its pageblock (fast_isolate_around).
   * Kernel: `fast_isolate_freepages()` (the free list's reordering, move_freelist_head, is not modelled).
   */
  private fastIsolateFreepages(cc: CompactControl): void {
    if (cc.order <= 0) return;
    const mem = this.mem;
    const zone = cc.zone!;
    const zc = this.zones[zone.id]!;
    let limit = Math.max(1, this.freelistScanLimit(cc) >>> 1);
    let scanStart = false;
    if (cc.freePfn >= zc.initFreePfn) {
      limit = PAGEBLOCK_NR_PAGES >>> 1;
      scanStart = true;
    }
    const distance = cc.freePfn - cc.migratePfn;
    let lowPfn = pageblockStartPfn(cc.freePfn - Math.floor(distance / 4));
    const minPfn = pageblockStartPfn(cc.freePfn - Math.floor(distance / 2));
    if (minPfn > lowPfn) lowPfn = minPfn;
    cc.searchOrder = Math.min(cc.order - 1, cc.searchOrder);
    let nrScanned = 0;
    let page = NIL_PAGE;
    let highest = 0;
    for (let order = cc.searchOrder; page === NIL_PAGE && order >= 0; order = this.nextSearchOrder(cc, order)) {
      if (zone.nrFree[order] === 0) continue;
      const head = freeListHead(zone, order, MIGRATE_MOVABLE);
      let orderScanned = 0;
      let highPfn = 0;
      for (let p = mem.lruPrev[head]!; p !== head; p = mem.lruPrev[p]!) {
        orderScanned++;
        nrScanned++;
        const pfn = mem.pageToPfn(p);
        if (pfn >= highest) highest = Math.max(pageblockStartPfn(pfn), zone.zoneStartPfn);
        if (pfn >= lowPfn) {
          cc.fastSearchFail = 0;
          cc.searchOrder = order;
          page = p;
          break;
        }
        if (pfn >= minPfn && pfn > highPfn) {
          highPfn = pfn;
          limit >>>= 1;
        }
        if (orderScanned >= limit) break;
      }
      if (page === NIL_PAGE && highPfn) page = mem.pfnToPage(highPfn);
      if (page !== NIL_PAGE) {
        const isolated = isolateFreePage(this.pa, page, order);
        if (isolated) {
          const pfn = mem.pageToPfn(page);
          postAllocSplit(this.pa, page, order);
          for (let i = 0; i < isolated; i++) cc.pushFree(pfn + i);
          nrScanned += isolated - 1;
          this.vmstat.vmEvents[COMPACTISOLATED]! += isolated;
          this.clock.advance(isolated * this.costs.isolatePage);
        } else {
          order = cc.searchOrder + 1;
          page = NIL_PAGE;
        }
      }
      if (cc.nrFreepages >= cc.nrMigratepages) break;
      if (orderScanned >= limit) limit = Math.max(1, limit >>> 1);
    }
    if (page === NIL_PAGE) {
      cc.fastSearchFail++;
      if (scanStart) {
        if (highest >= minPfn) {
          page = mem.pfnToPage(highest);
          cc.freePfn = highest;
        } else if (cc.directCompaction && mem.pfnValid(minPfn)) {
          page = this.pageblockPfnToPage(minPfn, Math.min(pageblockEndPfn(minPfn), zone.zoneEndPfn), zone);
          cc.freePfn = minPfn;
        }
      }
    }
    if (highest && highest >= zc.cachedFreePfn) {
      highest -= PAGEBLOCK_NR_PAGES;
      zc.cachedFreePfn = highest;
    }
    cc.totalFreeScanned += nrScanned;
    this.clock.advance(nrScanned * this.costs.scanPage);
    if (page === NIL_PAGE) return;
    this.fastIsolateAround(cc, mem.pageToPfn(page));
  }

  /** Kernel: `fast_isolate_around()`: the rest of the pageblock of a block the fast search found. */
  private fastIsolateAround(cc: CompactControl, pfn: number): void {
    if (cc.nrFreepages >= cc.nrMigratepages) return;
    if (cc.directCompaction && cc.mode === MIGRATE_ASYNC) return;
    const zone = cc.zone!;
    const startPfn = Math.max(pageblockStartPfn(pfn), zone.zoneStartPfn);
    const endPfn = Math.min(pageblockEndPfn(pfn), zone.zoneEndPfn);
    const page = this.pageblockPfnToPage(startPfn, endPfn, zone);
    if (page === NIL_PAGE) return;
    this.isolateFreepagesBlock(cc, startPfn, endPfn, 1);
    if (this.freeScanEnd === endPfn && !cc.noSetSkipHint) setPageblockSkip(this.pa.pageblock, startPfn, true);
  }

  /** Kernel: `isolate_freepages()`: the free scanner, from cc.freePfn down to the migrate scanner's pageblock. */
  private isolateFreepages(cc: CompactControl): void {
    const zone = cc.zone!;
    this.fastIsolateFreepages(cc);
    if (cc.nrFreepages > 0) return;
    let isolateStartPfn = cc.freePfn;
    let blockStartPfn = pageblockStartPfn(isolateStartPfn);
    let blockEndPfn = Math.min(blockStartPfn + PAGEBLOCK_NR_PAGES, zone.zoneEndPfn);
    const lowPfn = pageblockEndPfn(cc.migratePfn);
    let stride = cc.mode === MIGRATE_ASYNC ? COMPACT_CLUSTER_MAX : 1;
    for (; blockStartPfn >= lowPfn; blockEndPfn = blockStartPfn, blockStartPfn -= PAGEBLOCK_NR_PAGES, isolateStartPfn = blockStartPfn) {
      const page = this.pageblockPfnToPage(blockStartPfn, blockEndPfn, zone);
      if (page === NIL_PAGE) continue;
      if (!this.suitableMigrationTarget(cc, page, blockStartPfn)) continue;
      if (!this.isolationSuitable(cc, blockStartPfn)) continue;
      const nrIsolated = this.isolateFreepagesBlock(cc, isolateStartPfn, blockEndPfn, stride);
      isolateStartPfn = this.freeScanEnd;
      if (isolateStartPfn === blockEndPfn) this.updatePageblockSkip(cc, blockStartPfn, blockStartPfn - PAGEBLOCK_NR_PAGES);
      if (cc.nrFreepages >= cc.nrMigratepages) {
        if (isolateStartPfn >= blockEndPfn) isolateStartPfn = blockStartPfn - PAGEBLOCK_NR_PAGES;
        break;
      } else if (isolateStartPfn < blockEndPfn) {
        break;
      }
      if (nrIsolated) {
        stride = 1;
        continue;
      }
      stride = Math.min(COMPACT_CLUSTER_MAX, stride << 1);
    }
    cc.freePfn = isolateStartPfn;
  }

  /** MigrationTarget: `compaction_alloc()` — a page from the isolated free pages, the free scanner run when none is left. */
  getNewPage(_srcPfn: number, order: number): number {
    const cc = this.cc;
    if (cc === null || order !== 0) return -1;
    if (cc.nrFreepages === 0) {
      this.isolateFreepages(cc);
      if (cc.nrFreepages === 0) return -1;
    }
    return cc.freepages[--cc.nrFreepages]!;
  }

  /** MigrationTarget: `compaction_free()` — an unused target back on the isolated list. */
  putNewPage(dstPfn: number, _order: number): void {
    this.cc?.pushFree(dstPfn);
  }

  /** Kernel: `release_freepages()`: frees the isolated pages left. @returns the highest PFN freed */
  private releaseFreepages(cc: CompactControl): number {
    let high = 0;
    while (cc.nrFreepages > 0) {
      const pfn = cc.freepages[--cc.nrFreepages]!;
      freePages(this.pa, this.mem.pfnToPage(pfn), 0, cc.cpu);
      if (pfn > high) high = pfn;
    }
    return high;
  }

  // ------------------------------------------------------------------ the migrate scanner

  /** Kernel: `too_many_isolated()` (6.1: isolated > (inactive + active) / 2 on the node). */
  private tooManyIsolated(pgdat: PglistData): boolean {
    const vs = pgdat.vmStat;
    const inactive = Math.max(0, vs[NR_INACTIVE_FILE]!) + Math.max(0, vs[NR_INACTIVE_ANON]!);
    const active = Math.max(0, vs[NR_ACTIVE_FILE]!) + Math.max(0, vs[NR_ACTIVE_ANON]!);
    const isolated = Math.max(0, vs[NR_ISOLATED_FILE]!) + Math.max(0, vs[NR_ISOLATED_ANON]!);
    return isolated > Math.floor((inactive + active) / 2);
  }

  /** Kernel: `putback_movable_pages()` of cc->migratepages. */
  private putback(cc: CompactControl, migrator: PageMigrator | null): void {
    if (cc.nrMigratepages > 0 && migrator !== null) migrator.putbackMovablePages(cc.migratepages, cc.nrMigratepages);
    cc.nrMigratepages = 0;
  }

  /**
   * Isolates the migratable pages of [lowPfn, endPfn), one pageblock at most.
   * Kernel: `isolate_migratepages_block()`. @returns 0 or -EAGAIN; cc.migratePfn is where it stopped
   */
  private isolateMigratepagesBlock(cc: CompactControl, lowPfn: number, endPfn: number, mode: number): number {
    const mem = this.mem;
    const zone = cc.zone!;
    const migrator = this.migratorOf();
    let nrScanned = 0;
    let nrIsolated = 0;
    let validPfn = -1;
    let skipOnFailure = false;
    let nextSkipPfn = 0;
    let skipUpdated = false;
    cc.migratePfn = lowPfn;
    if (this.tooManyIsolated(this.pa.pgdat[zone.nid]!)) {
      // 6.1 aborts with -EAGAIN in async mode or with pages isolated, and otherwise waits in
      // reclaim_throttle(VMSCAN_THROTTLE_ISOLATED) for others to put theirs back; nothing runs
      // meanwhile here (the isolated pages are a caller's further up this stack), so every mode aborts.
      return -EAGAIN;
    }
    if (cc.directCompaction && cc.mode === MIGRATE_ASYNC) {
      skipOnFailure = true;
      nextSkipPfn = blockEndPfn(lowPfn, cc.order);
    }
    let aborted = false;
    for (; lowPfn < endPfn; lowPfn++) {
      if (skipOnFailure && lowPfn >= nextSkipPfn) {
        if (nrIsolated) break;
        nextSkipPfn = blockEndPfn(lowPfn, cc.order);
      }
      nrScanned++;
      const page = mem.pfnToPage(lowPfn);
      if (validPfn < 0 && (pageblockAligned(lowPfn) || lowPfn === zone.zoneStartPfn)) {
        if (!this.isolationSuitable(cc, lowPfn)) {
          lowPfn = endPfn;
          aborted = true;
          break;
        }
        validPfn = lowPfn;
      }
      const flags = mem.flags[page]!;
      if (pageBuddy(mem, page)) {
        const freepageOrder = mem.private[page]!;
        if (freepageOrder > 0 && freepageOrder < NR_PAGE_ORDERS) {
          lowPfn += 2 ** freepageOrder - 1;
          nrScanned += 2 ** freepageOrder - 1;
        }
        continue;
      }
      let ok = false;
      if ((flags & (1 << PG_head)) !== 0) {
        // A compound page (THP) is not compacted unless for alloc_contig: skip it at once.
        const n = 2 ** HPAGE_PMD_ORDER;
        lowPfn += n - 1;
        nrScanned += n - 1;
      } else if ((flags & (1 << PG_lru)) !== 0 && migrator !== null && this.mayIsolate(cc, page, flags, mode)) {
        // The first page taken in the pageblock takes its skip hint: another compaction marked it already → abort the block.
        if (!skipUpdated && validPfn >= 0) {
          skipUpdated = true;
          if (this.testAndSetSkip(cc, validPfn) && !cc.finishPageblock) {
            lowPfn = endPfn;
            aborted = true;
            break;
          }
        }
        ok = migrator.isolateForMigration(lowPfn, cc.mode);
      }
      if (ok) {
        cc.migratepages[cc.nrMigratepages++] = lowPfn;
        nrIsolated++;
        if (cc.nrMigratepages >= COMPACT_CLUSTER_MAX && !cc.finishPageblock && !cc.contended) {
          ++lowPfn;
          break;
        }
        continue;
      }
      // isolate_fail:
      if (!skipOnFailure) continue;
      if (nrIsolated) {
        this.putback(cc, migrator);
        nrIsolated = 0;
      }
      if (lowPfn < nextSkipPfn) {
        lowPfn = nextSkipPfn - 1;
        nextSkipPfn += 2 ** cc.order;
      }
    }
    if (!aborted && lowPfn > endPfn) lowPfn = endPfn;
    if (lowPfn === endPfn && (!nrIsolated || cc.finishPageblock)) {
      if (!cc.noSetSkipHint && validPfn >= 0 && !skipUpdated) setPageblockSkip(this.pa.pageblock, validPfn, true);
      this.updateCachedMigrate(cc, lowPfn);
    }
    cc.totalMigrateScanned += nrScanned;
    this.clock.advance(nrScanned * this.costs.scanPage + nrIsolated * this.costs.isolatePage);
    if (nrIsolated) this.vmstat.vmEvents[COMPACTISOLATED]! += nrIsolated;
    cc.migratePfn = lowPfn;
    return 0;
  }

  /**
   * The checks of isolate_migratepages_block between PageLRU and the isolation: pinned anonymous
   * pages, GFP_NOFS with a mapping, unevictable, writeback and dirty pages in async modes.
   */
  private mayIsolate(cc: CompactControl, page: number, flags: number, mode: number): boolean {
    const mem = this.mem;
    const mappingId = mem.mapping[page]!;
    // page_mapping(): NULL for an anonymous page (mapping < 0) unless it is in the swap cache.
    const hasMapping = mappingId > 0 || (mappingId < 0 && (flags & (1 << PG_swapcache)) !== 0);
    if (!hasMapping && mem.refcount[page]! > mem.mapcount[page]! + 1) return false;
    if ((cc.gfpMask & __GFP_FS) === 0 && hasMapping) return false;
    const unevictable = (flags & (1 << PG_unevictable)) !== 0;
    if ((mode & ISOLATE_UNEVICTABLE) === 0 && unevictable) return false;
    if ((mode & ISOLATE_ASYNC_MIGRATE) !== 0 && (flags & (1 << PG_writeback)) !== 0) return false;
    // Dirty pages of a mapping without ->migrate_folio cannot move without blocking; every
    // filesystem mmsim has (shmem, ext2's buffer_migrate_folio) has one, so dirty pages pass.
    return true;
  }

  /** Kernel: `suitable_migration_source()`. */
  private suitableMigrationSource(cc: CompactControl, page: number, pfn: number): boolean {
    if (this.pageblockSkipPersistent(page)) return false;
    if (cc.mode !== MIGRATE_ASYNC || !cc.directCompaction) return true;
    const blockMt = getPfnblockMigratetype(this.pa.pageblock, pfn);
    if (cc.migratetype === MIGRATE_MOVABLE) return isMigrateMovable(blockMt);
    return blockMt === cc.migratetype;
  }

  /** Kernel: `isolate_migratepages()`: the first suitable pageblock from cc.migratePfn, up to the free scanner. */
  private isolateMigratepages(cc: CompactControl): number {
    const zone = cc.zone!;
    const isolateMode = (this.compactUnevictableAllowed ? ISOLATE_UNEVICTABLE : 0) | (cc.mode !== MIGRATE_SYNC ? ISOLATE_ASYNC_MIGRATE : 0);
    // fast_find_migrateblock: not modelled, the scan is linear (see the header).
    let lowPfn = cc.migratePfn;
    let blockStartPfn = Math.max(pageblockStartPfn(lowPfn), zone.zoneStartPfn);
    let blockEndPfn = pageblockEndPfn(lowPfn);
    for (; blockEndPfn <= cc.freePfn; cc.migratePfn = lowPfn = blockEndPfn, blockStartPfn = blockEndPfn, blockEndPfn += PAGEBLOCK_NR_PAGES) {
      const page = this.pageblockPfnToPage(blockStartPfn, blockEndPfn, zone);
      if (page === NIL_PAGE) continue;
      if ((pageblockAligned(lowPfn) || lowPfn === zone.zoneStartPfn) && !this.isolationSuitable(cc, lowPfn)) continue;
      if (!this.suitableMigrationSource(cc, page, blockStartPfn)) {
        this.updateCachedMigrate(cc, blockEndPfn);
        continue;
      }
      if (this.isolateMigratepagesBlock(cc, lowPfn, blockEndPfn, isolateMode) !== 0) return ISOLATE_ABORT;
      break;
    }
    return cc.nrMigratepages ? ISOLATE_SUCCESS : ISOLATE_NONE;
  }

  // ------------------------------------------------------------------ finishing and suitability

  /** Kernel: `compact_scanners_met()`. */
  private scannersMet(cc: CompactControl): boolean {
    return Math.floor(cc.freePfn / PAGEBLOCK_NR_PAGES) <= Math.floor(cc.migratePfn / PAGEBLOCK_NR_PAGES);
  }

  /** A zone's fragmentation score. Kernel: `fragmentation_score_zone()`. */
  fragmentationScoreZone(zone: Zone): number {
    return extfragForOrder(zone, COMPACTION_HPAGE_ORDER);
  }

  /** Kernel: `fragmentation_score_zone_weighted()`: the score scaled by the zone's share of the node. */
  fragmentationScoreZoneWeighted(zone: Zone): number {
    const pgdat = this.pa.pgdat[zone.nid]!;
    return Math.floor((zone.presentPages * this.fragmentationScoreZone(zone)) / (pgdat.nodePresentPages + 1));
  }

  /** Kernel: `fragmentation_score_node()`. */
  fragmentationScoreNode(nid: number): number {
    let score = 0;
    for (const zone of this.pa.pgdat[nid]!.zones) if (zone.populated) score += this.fragmentationScoreZoneWeighted(zone);
    return score;
  }

  /** Kernel: `fragmentation_score_wmark()`: low = max(100 - proactiveness, 5), high = min(low + 10, 100). */
  fragmentationScoreWmark(low: boolean): number {
    const wmarkLow = Math.max(100 - this.compactionProactiveness, 5);
    return low ? wmarkLow : Math.min(wmarkLow + 10, 100);
  }

  /** Kernel: `should_proactive_compact_node()`. */
  shouldProactiveCompactNode(nid: number): boolean {
    if (!this.compactionProactiveness || this.kswapdRunning(nid)) return false;
    return this.fragmentationScoreNode(nid) > this.fragmentationScoreWmark(false);
  }

  /** Kernel: `__compact_finished()`. */
  private compactFinishedInner(cc: CompactControl): CompactResult {
    const zone = cc.zone!;
    const migratetype = cc.migratetype;
    if (this.scannersMet(cc)) {
      this.resetCachedPositions(zone);
      if (cc.directCompaction) this.zones[zone.id]!.blockskipFlush = true;
      return cc.wholeZone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
    }
    if (cc.proactiveCompaction) {
      if (this.kswapdRunning(zone.nid)) return COMPACT_PARTIAL_SKIPPED;
      const score = this.fragmentationScoreZone(zone);
      const wmarkLow = this.fragmentationScoreWmark(true);
      return score > wmarkLow ? COMPACT_CONTINUE : COMPACT_SUCCESS;
    }
    if (cc.order === -1) return COMPACT_CONTINUE;
    if (!pageblockAligned(cc.migratePfn)) return COMPACT_CONTINUE;
    const mem = this.mem;
    for (let order = cc.order; order < NR_PAGE_ORDERS; order++) {
      if (!freeAreaEmpty(mem, zone, order, migratetype)) return COMPACT_SUCCESS;
      if (migratetype === MIGRATE_MOVABLE && !freeAreaEmpty(mem, zone, order, MIGRATE_CMA)) return COMPACT_SUCCESS;
      if (findSuitableFallback(this.pa, zone, order, migratetype, true) !== -1) return COMPACT_SUCCESS;
    }
    return COMPACT_NO_SUITABLE_PAGE;
  }

  /** Kernel: `compact_finished()`. */
  private compactFinished(cc: CompactControl): CompactResult {
    const ret = this.compactFinishedInner(cc);
    return ret === COMPACT_NO_SUITABLE_PAGE ? COMPACT_CONTINUE : ret;
  }

  /** Kernel: `__compaction_suitable()` (6.1). */
  private compactionSuitableInner(zone: Zone, order: number, allocFlags: number, highestZoneidx: number, wmarkTarget: number): CompactResult {
    if (order === -1) return COMPACT_CONTINUE;
    let watermark = zone.wmarkPages(allocFlags & ALLOC_WMARK_MASK);
    if (zoneWatermarkOk(this.pa, zone, order, watermark, highestZoneidx, allocFlags, zone.vmStat[NR_FREE_PAGES]!)) return COMPACT_SUCCESS;
    watermark = order > PAGE_ALLOC_COSTLY_ORDER ? zone.wmarkPages(WMARK_LOW) : zone.wmarkPages(WMARK_MIN);
    watermark += compactGap(order);
    if (!zoneWatermarkOk(this.pa, zone, 0, watermark, highestZoneidx, ALLOC_CMA, wmarkTarget)) return COMPACT_SKIPPED;
    return COMPACT_CONTINUE;
  }

  /**
   * Is compaction worth running on this zone for this order? COMPACT_SUCCESS when the watermark
   * already holds, COMPACT_SKIPPED when order-0 memory is too short for it (or, for costly orders,
   * the fragmentation index says the failure is for lack of memory: ≤ vm.extfrag_threshold),
   * else COMPACT_CONTINUE. Kernel: `compaction_suitable()` (6.1).
   */
  compactionSuitable(zone: Zone, order: number, allocFlags: number, highestZoneidx: number): CompactResult {
    let ret = this.compactionSuitableInner(zone, order, allocFlags, highestZoneidx, zone.vmStat[NR_FREE_PAGES]!);
    if (ret === COMPACT_CONTINUE && order > PAGE_ALLOC_COSTLY_ORDER) {
      const fragindex = fragmentationIndex(zone, order);
      if (fragindex >= 0 && fragindex <= this.extfragThreshold) ret = COMPACT_NOT_SUITABLE_ZONE;
    }
    if (ret === COMPACT_NOT_SUITABLE_ZONE) ret = COMPACT_SKIPPED;
    return ret;
  }

  // ------------------------------------------------------------------ compact_zone

  /** A control for the next nesting level. */
  private enter(): CompactControl {
    if (this.depth === this.ccPool.length) this.ccPool.push(new CompactControl());
    return this.ccPool[this.depth++]!.reset();
  }

  /**
   * Runs compaction on one zone with the control's settings (zone, order, mode, …).
   * Kernel: `compact_zone()` (without capture_control).
   */
  compactZone(cc: CompactControl): CompactResult {
    const zone = cc.zone!;
    const zc = this.zones[zone.id]!;
    const startPfn = zone.zoneStartPfn;
    const endPfn = zone.zoneEndPfn;
    const sync = cc.mode !== MIGRATE_ASYNC;
    cc.totalMigrateScanned = 0;
    cc.totalFreeScanned = 0;
    cc.nrMigratepages = 0;
    cc.nrFreepages = 0;
    cc.migratetype = gfpMigratetype(cc.gfpMask);
    let ret = this.compactionSuitable(zone, cc.order, cc.allocFlags, cc.highestZoneidx);
    if (ret === COMPACT_SUCCESS || ret === COMPACT_SKIPPED) return ret;
    if (this.compactionRestarting(zone, cc.order)) this.resetIsolationSuitableZone(zone);
    cc.fastStartPfn = 0;
    if (cc.wholeZone) {
      cc.migratePfn = startPfn;
      cc.freePfn = pageblockStartPfn(endPfn - 1);
    } else {
      cc.migratePfn = sync ? zc.cachedMigratePfn1 : zc.cachedMigratePfn0;
      cc.freePfn = zc.cachedFreePfn;
      if (cc.freePfn < startPfn || cc.freePfn >= endPfn) {
        cc.freePfn = pageblockStartPfn(endPfn - 1);
        zc.cachedFreePfn = cc.freePfn;
      }
      if (cc.migratePfn < startPfn || cc.migratePfn >= endPfn) {
        cc.migratePfn = startPfn;
        zc.cachedMigratePfn0 = cc.migratePfn;
        zc.cachedMigratePfn1 = cc.migratePfn;
      }
      if (cc.migratePfn <= zc.initMigratePfn) cc.wholeZone = true;
    }
    let lastMigratedPfn = 0;
    let updateCached = !sync && zc.cachedMigratePfn0 === zc.cachedMigratePfn1;
    this.compactZoneRuns++;
    if (this.trace.on) this.trace.emit(TP_MM_COMPACTION_BEGIN, startPfn, cc.migratePfn, cc.freePfn, endPfn, sync ? 1 : 0, 0);
    this.lruOf()?.lruAddDrain(cc.cpu);
    const migrator = this.migratorOf();
    const savedCc = this.cc;
    this.cc = cc;
    try {
      while ((ret = this.compactFinished(cc)) === COMPACT_CONTINUE) {
        const iterationStartPfn = cc.migratePfn;
        cc.finishPageblock = pageblockStartPfn(lastMigratedPfn) === pageblockStartPfn(iterationStartPfn);
        let rescan = true;
        let out = false;
        while (rescan) {
          rescan = false;
          const isolated = this.isolateMigratepages(cc);
          if (isolated === ISOLATE_ABORT) {
            ret = COMPACT_CONTENDED;
            this.putback(cc, migrator);
            out = true;
            break;
          }
          if (isolated === ISOLATE_NONE) {
            if (updateCached) zc.cachedMigratePfn1 = zc.cachedMigratePfn0;
            break;
          }
          updateCached = false;
          lastMigratedPfn = Math.max(zone.zoneStartPfn, pageblockStartPfn(cc.migratePfn - 1));
          const r = this.result;
          r.nrFailed = 0;
          r.nrSucceeded = 0;
          r.nrFailedNoMem = 0;
          migrator!.migratePages(cc.migratepages, cc.nrMigratepages, this, cc.mode, MR_COMPACTION, r);
          const nrLeft = r.nrFailed;
          if (nrLeft > 0) {
            cc.nrMigratepages = nrLeft;
            this.putback(cc, migrator);
          }
          cc.nrMigratepages = 0;
          if (nrLeft > 0) {
            if (r.nrFailedNoMem > 0 && !this.scannersMet(cc)) {
              ret = COMPACT_CONTENDED; // -ENOMEM before the scanners met
              out = true;
              break;
            }
            if (!pageblockAligned(cc.migratePfn) && !cc.ignoreSkipHint && !cc.finishPageblock && cc.mode < MIGRATE_SYNC) {
              cc.finishPageblock = true;
              if (cc.order === COMPACTION_HPAGE_ORDER) lastMigratedPfn = 0;
              rescan = true;
            }
          }
        }
        if (out) break;
        // check_drain: the migrate scanner left the order-aligned block it migrated from: flush the
        // freed pages from this CPU's lists so they merge before compact_finished looks.
        if (cc.order > 0 && lastMigratedPfn) {
          const currentBlockStart = blockStartPfn(cc.migratePfn, cc.order);
          if (lastMigratedPfn < currentBlockStart) {
            this.lruOf()?.lruAddDrain(cc.cpu);
            drainPagesZone(this.pa, cc.cpu, zone);
            lastMigratedPfn = 0;
          }
        }
      }
    } finally {
      this.cc = savedCc;
    }
    if (cc.nrFreepages > 0) {
      let freePfn = this.releaseFreepages(cc);
      freePfn = pageblockStartPfn(freePfn);
      if (freePfn > zc.cachedFreePfn) zc.cachedFreePfn = freePfn;
    }
    this.vmstat.vmEvents[COMPACTMIGRATE_SCANNED]! += cc.totalMigrateScanned;
    this.vmstat.vmEvents[COMPACTFREE_SCANNED]! += cc.totalFreeScanned;
    if (this.trace.on) this.trace.emit(TP_MM_COMPACTION_END, startPfn, cc.migratePfn, cc.freePfn, endPfn, ret, 0);
    return ret;
  }

  /** Kernel: `compact_zone_order()`. */
  private compactZoneOrder(zone: Zone, order: number, gfp: number, prio: number, allocFlags: number, highestZoneidx: number, cpu: number): CompactResult {
    const cc = this.enter();
    try {
      cc.order = order;
      cc.searchOrder = order;
      cc.gfpMask = gfp;
      cc.zone = zone;
      cc.mode = prio === COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC : MIGRATE_SYNC_LIGHT;
      cc.allocFlags = allocFlags;
      cc.highestZoneidx = highestZoneidx;
      cc.directCompaction = true;
      cc.wholeZone = prio === MIN_COMPACT_PRIORITY;
      cc.ignoreSkipHint = prio === MIN_COMPACT_PRIORITY;
      cc.ignoreBlockSuitable = prio === MIN_COMPACT_PRIORITY;
      cc.cpu = cpu;
      return this.compactZone(cc);
    } finally {
      this.depth--;
    }
  }

  /**
   * Direct compaction for one allocation: each zone of the zonelist in turn, skipping deferred
   * ones, until one reports COMPACT_SUCCESS. Kernel: `try_to_compact_pages()`.
   * @returns the highest result of the zones tried
   */
  tryToCompactPages(gfp: number, order: number, allocFlags: number, preferredNid: number, highestZoneidx: number, prio: number, cpu = 0): CompactResult {
    if ((gfp & __GFP_IO) === 0) return COMPACT_SKIPPED;
    const pgdat = this.pa.pgdat[preferredNid];
    if (!pgdat) throw new ArgumentError("compaction.tryToCompactPages", "preferredNid", `a node 0..${this.pa.pgdat.length - 1}`, String(preferredNid));
    const zonelist = (gfp & __GFP_THISNODE) !== 0 ? pgdat.zonelistNofallback : pgdat.zonelistFallback;
    let rc: CompactResult = COMPACT_SKIPPED;
    // __alloc_pages_direct_compact runs it under memalloc_noreclaim_save (PF_MEMALLOC).
    this.pa.pfMemalloc++;
    try {
      for (let i = 0; i < zonelist.length; i++) {
        const zone = zonelist[i]!;
        if (zone.zid > highestZoneidx || !zone.populated) continue;
        if (prio > MIN_COMPACT_PRIORITY && this.compactionDeferred(zone, order)) {
          if (COMPACT_DEFERRED > rc) rc = COMPACT_DEFERRED;
          continue;
        }
        const status = this.compactZoneOrder(zone, order, gfp, prio, allocFlags, highestZoneidx, cpu);
        if (status > rc) rc = status;
        if (status === COMPACT_SUCCESS) {
          this.compactionDeferReset(zone, order, false);
          break;
        }
        if (prio !== COMPACT_PRIO_ASYNC && (status === COMPACT_COMPLETE || status === COMPACT_PARTIAL_SKIPPED)) this.deferCompaction(zone, order);
      }
    } finally {
      this.pa.pfMemalloc--;
    }
    return rc;
  }

  /**
   * try_to_compact_pages as the allocator's slow path calls it (its DirectCompactor): on the CPU
   * of the allocation that stalled (the alloc context one level up from the hook's).
   */
  tryToCompactPagesFromAllocator(gfp: number, order: number, allocFlags: number, preferredNid: number, highestZoneidx: number, prio: number): CompactResult {
    const pa = this.pa;
    const cpu = pa.acDepth > 0 ? pa.acStack[pa.acDepth - 1]!.cpu : 0;
    return this.tryToCompactPages(gfp, order, allocFlags, preferredNid, highestZoneidx, prio, cpu);
  }

  /**
   * The allocation after a direct compaction succeeded in `zoneId`: the zone's skip hints stay
   * and its deferral is reset. Kernel: __alloc_pages_direct_compact's `compact_blockskip_flush =
   * false; compaction_defer_reset(zone, order, true)`.
   */
  allocSucceeded(zoneId: number, order: number): void {
    const zone = this.pa.zones[zoneId];
    if (zone === undefined) return;
    this.zones[zoneId]!.blockskipFlush = false;
    this.compactionDeferReset(zone, order, true);
  }

  /** A whole-zone control (order -1) for compact_node and proactive compaction. */
  private compactWholeZone(zone: Zone, mode: MigrateMode, proactive: boolean): CompactControl {
    const cc = this.enter();
    cc.order = -1;
    cc.mode = mode;
    cc.ignoreSkipHint = true;
    cc.wholeZone = true;
    cc.gfpMask = GFP_KERNEL;
    cc.proactiveCompaction = proactive;
    cc.zone = zone;
    return cc;
  }

  /** Compacts every populated zone of a node, whole. Kernel: `compact_node()`. */
  compactNode(nid: number): void {
    const pgdat = this.pa.pgdat[nid];
    if (!pgdat) throw new ArgumentError("compaction.compactNode", "nid", `a node 0..${this.pa.pgdat.length - 1}`, String(nid));
    for (const zone of pgdat.zones) {
      if (!zone.populated) continue;
      const cc = this.compactWholeZone(zone, MIGRATE_SYNC, false);
      try {
        this.compactZone(cc);
      } finally {
        this.depth--;
      }
    }
  }

  /** /proc/sys/vm/compact_memory: flush the LRU batches, compact every node. Kernel: `compact_nodes()`. */
  compactNodes(): void {
    this.lruOf()?.lruAddDrainAll();
    for (let nid = 0; nid < this.pa.pgdat.length; nid++) this.compactNode(nid);
  }

  /** /sys/devices/system/node/nodeN/compact. Kernel: `compact_store()`. */
  compactStore(nid: number): void {
    if (nid < 0 || nid >= this.pa.pgdat.length) return;
    this.lruOf()?.lruAddDrainAll();
    this.compactNode(nid);
  }

  /** Kernel: `proactive_compact_node()` (6.1: the kcompactd counters are not moved by it). */
  proactiveCompactNode(nid: number): void {
    for (const zone of this.pa.pgdat[nid]!.zones) {
      if (!zone.populated) continue;
      const cc = this.compactWholeZone(zone, MIGRATE_SYNC_LIGHT, true);
      try {
        this.compactZone(cc);
      } finally {
        this.depth--;
      }
    }
  }

  // ------------------------------------------------------------------ kcompactd

  /** Kernel: `kcompactd_node_suitable()`. */
  private kcompactdNodeSuitable(nid: number): boolean {
    const nc = this.nodes[nid]!;
    const zones = this.pa.pgdat[nid]!.zones;
    for (let zoneid = 0; zoneid <= nc.highestZoneidx && zoneid < zones.length; zoneid++) {
      const zone = zones[zoneid]!;
      if (!zone.populated) continue;
      if (this.compactionSuitable(zone, nc.maxOrder, 0, nc.highestZoneidx) === COMPACT_CONTINUE) return true;
    }
    return false;
  }

  /** Kernel: `wakeup_kcompactd()`. */
  wakeupKcompactd(nid: number, order: number, highestZoneidx: number): void {
    if (!order) return;
    const nc = this.nodes[nid];
    if (!nc) return;
    if (nc.maxOrder < order) nc.maxOrder = order;
    if (nc.highestZoneidx > highestZoneidx) nc.highestZoneidx = highestZoneidx;
    if (nc.woken) return; // !wq_has_sleeper: it will run anyway
    if (!this.kcompactdNodeSuitable(nid)) return;
    nc.woken = true;
  }

  /** Kernel: `kcompactd_work_requested()`. */
  kcompactdWorkRequested(nid: number): boolean {
    const nc = this.nodes[nid]!;
    return nc.maxOrder > 0 || nc.proactiveTrigger;
  }

  /** True when kcompactd of `nid` was woken and has not run yet. */
  kcompactdPending(nid: number): boolean {
    return this.nodes[nid]!.woken;
  }

  /** Kernel: `kcompactd_do_work()`. */
  kcompactdDoWork(nid: number): void {
    const nc = this.nodes[nid]!;
    const pgdat = this.pa.pgdat[nid]!;
    const order = nc.maxOrder;
    const highestZoneidx = nc.highestZoneidx;
    this.vmstat.vmEvents[KCOMPACTD_WAKE]! += 1;
    for (let zoneid = 0; zoneid <= highestZoneidx && zoneid < pgdat.zones.length; zoneid++) {
      const zone = pgdat.zones[zoneid]!;
      if (!zone.populated) continue;
      if (this.compactionDeferred(zone, order)) continue;
      if (this.compactionSuitable(zone, order, 0, zoneid) !== COMPACT_CONTINUE) continue;
      const cc = this.enter();
      let status: CompactResult;
      try {
        cc.order = order;
        cc.searchOrder = order;
        cc.highestZoneidx = highestZoneidx;
        cc.mode = MIGRATE_SYNC_LIGHT;
        cc.gfpMask = GFP_KERNEL;
        cc.zone = zone;
        status = this.compactZone(cc);
      } finally {
        this.depth--;
      }
      if (status === COMPACT_SUCCESS) this.compactionDeferReset(zone, order, false);
      else if (status === COMPACT_PARTIAL_SKIPPED || status === COMPACT_COMPLETE) {
        drainAllPages(this.pa);
        this.deferCompaction(zone, order);
      }
      this.vmstat.vmEvents[KCOMPACTD_MIGRATE_SCANNED]! += cc.totalMigrateScanned;
      this.vmstat.vmEvents[KCOMPACTD_FREE_SCANNED]! += cc.totalFreeScanned;
    }
    if (nc.maxOrder <= order) nc.maxOrder = 0;
    if (nc.highestZoneidx >= highestZoneidx) nc.highestZoneidx = pgdat.nrZones - 1;
  }

  /** Runs `fn` as kcompactd of `nid`: on its own CPU's time when the board has several (the task's clock is not charged). */
  private asKcompactd(nid: number, fn: () => void): void {
    const nc = this.nodes[nid]!;
    const t0 = this.clock.now();
    try {
      fn();
    } finally {
      nc.busyNs += this.clock.now() - t0;
      if (this.nrCpus > 1) this.clock.switchTo(t0);
    }
  }

  /** kcompactd woken by kswapd: one kcompactd_do_work. */
  kcompactdRun(nid: number): void {
    const nc = this.nodes[nid]!;
    if (!nc.woken) return;
    nc.woken = false;
    if (nc.proactiveTrigger) return; // the wait ended for the proactive trigger: the timer's work
    this.asKcompactd(nid, () => this.kcompactdDoWork(nid));
  }

  /**
   * kcompactd's 500 ms timeout: pending work requested without a wake-up, else the proactive
   * check (a pass that did not lower the score defers the next by 1 << COMPACT_MAX_DEFER_SHIFT
   * periods). Kernel: `kcompactd()`'s loop after wait_event_freezable_timeout.
   */
  kcompactdTimer(nid: number): void {
    const nc = this.nodes[nid]!;
    const now = this.clock.now();
    if (this.kcompactdWorkRequested(nid) && !nc.proactiveTrigger) {
      nc.woken = false;
      this.asKcompactd(nid, () => this.kcompactdDoWork(nid));
      return;
    }
    if (!this.compactionProactiveness) return;
    if (!nc.proactiveTrigger && now < nc.nextProactiveNs) return;
    nc.nextProactiveNs = now;
    if (this.shouldProactiveCompactNode(nid)) {
      this.asKcompactd(nid, () => {
        const prevScore = this.fragmentationScoreNode(nid);
        this.proactiveCompactNode(nid);
        const score = this.fragmentationScoreNode(nid);
        if (score >= prevScore) nc.nextProactiveNs = now + HPAGE_FRAG_CHECK_INTERVAL_NS * 2 ** COMPACT_MAX_DEFER_SHIFT;
      });
    }
    nc.proactiveTrigger = false;
  }

  /** A write of compaction_proactiveness: a non-zero value triggers every node's kcompactd. Kernel: `compaction_proactiveness_sysctl_handler()`. */
  setCompactionProactiveness(v: number): number {
    this.compactionProactiveness = v;
    if (v) for (const nc of this.nodes) nc.proactiveTrigger = true;
    return 0;
  }

  /** Sanity of the per-zone state (a validator). */
  validate(report: (msg: string) => void): void {
    if (this.depth !== 0) report(`compaction: nesting depth ${this.depth} after a step (a compact_zone did not finish)`);
    for (const zone of this.pa.zones) {
      if (!zone.populated) continue;
      const zc = this.zones[zone.id]!;
      if (zc.deferShift < 0 || zc.deferShift > COMPACT_MAX_DEFER_SHIFT) report(`compaction: zone ${zone.nid}/${zone.name} compact_defer_shift ${zc.deferShift} out of 0..${COMPACT_MAX_DEFER_SHIFT}`);
      if (zc.considered > 2 ** zc.deferShift) report(`compaction: zone ${zone.nid}/${zone.name} compact_considered ${zc.considered} above 1 << defer_shift`);
    }
  }
}
