// Kernel: mm/page_alloc.c (v6.1) — freeing with buddy merging, __rmqueue_smallest/expand, fallback and stealing, per-CPU lists, watermark checks, get_page_from_freelist
/*
 * The page allocator's hot paths, as free functions over PageAllocState (STYLE C8): they take and
 * return numbers (page indices into MemMap; NIL_PAGE on failure) and allocate nothing.
 *
 * Simulated: zone->lock and pcp locks are cost-model charges (cost.zoneLock); one CPU runs at a
 * time, so no trylock ever fails. CMA pageblocks, the highatomic reserve, watermark boosting and
 * ALLOC_NOFRAGMENT behave as in 6.1. Not simulated: page poisoning/KASAN, memcg charging (the
 * memcg package adds it), page reporting, shuffling (off on the reference command line).
 *
 * Hot file (STYLE C8, eslint.config.js): no closures, literals, template strings, for…of or try.
 *
 * Invariants (validate.ts checks them after every test step):
 *  - a block on free_area[o].free_list[mt] is PageBuddy with buddy_order == o, in its zone,
 *    aligned to 2^o, and its buddy is not also free at order o (it would have merged), unless
 *    merging was refused at pageblock order because the two blocks' migratetypes may not mix;
 *  - zone.nrFree[o] is the number of blocks on the order-o lists;
 *  - NR_FREE_PAGES = Σ 2^o over the free lists (pages on pcp lists are allocated, as in 6.1);
 *  - pcp.count = Σ 2^order over the pageset's lists.
 */
import {
  MAX_PAGE_ORDER, MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE, MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES, MIGRATE_RECLAIMABLE, MIGRATE_TYPES, MIGRATE_UNMOVABLE, NIL_PAGE, NR_FREE_CMA_PAGES,
  NR_FREE_PAGES, NR_LOWORDER_PCP_LISTS, NR_PCP_LISTS, NUMA_FOREIGN, NUMA_HIT, NUMA_LOCAL, NUMA_MISS,
  NUMA_OTHER, PAGE_ALLOC_COSTLY_ORDER, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, PG_reserved, PGALLOC_DMA,
  PGFREE, TP_MM_PAGE_ALLOC_EXTFRAG, TP_MM_PAGE_ALLOC_ZONE_LOCKED, TP_MM_PAGE_FREE, TP_MM_PAGE_PCPU_DRAIN,
  ZONE_BOOSTED_WATERMARK, ZONE_RECLAIM_ACTIVE, __GFP_ATOMIC, __GFP_ZERO, listAdd, listDel, listFirst, listLast,
  pageBuddy, pageLRU, type MemMap,
} from "@mmsim/core";
import {
  addToFreeList, addToFreeListTail, buddyOrder, delPageFromFreeList, freeAreaEmpty, getPageFromFreeArea,
  moveToFreeList, setBuddyOrder,
} from "./free-area.ts";
import {
  ALLOC_CMA, ALLOC_HARDER, ALLOC_HIGH, ALLOC_KSWAPD, ALLOC_NOFRAGMENT, ALLOC_OOM, FPI_NONE, FPI_TO_TAIL,
} from "./internal.ts";
import type { PerCpuPages, Zone } from "./mmzone.ts";
import type { PageAllocState } from "./page-alloc-state.ts";
import { getPfnblockMigratetype, setPageblockMigratetype } from "./pageblock-flags.ts";
import { boostWatermark } from "./watermarks.ts";
import { hookWakeupKswapd } from "./hook-calls.ts";

// ---------------------------------------------------------------------------------------------
// Freeing: __free_one_page and the paths into it
// ---------------------------------------------------------------------------------------------

/**
 * Adds `nrPages` (negative to remove) to NR_FREE_PAGES, and to NR_FREE_CMA_PAGES for CMA.
 * Kernel: `__mod_zone_freepage_state()`.
 */
export function modZoneFreepageState(zone: Zone, nrPages: number, migratetype: number): void {
  zone.vmStat[NR_FREE_PAGES]! += nrPages;
  if (migratetype === MIGRATE_CMA) zone.vmStat[NR_FREE_CMA_PAGES]! += nrPages;
}

/**
 * The buddy of the block at `page` (PFN `pfn`) of `order` if it is free at that order in the same
 * zone, else NIL_PAGE. Kernel: `find_buddy_page_pfn()` + `page_is_buddy()`.
 */
export function findBuddyPage(mem: MemMap, page: number, pfn: number, order: number): number {
  const buddyPfn = pfn ^ (1 << order);
  const buddy = page + (buddyPfn - pfn);
  if (buddy < 0 || buddy >= mem.nrPages) return NIL_PAGE;
  // page_is_buddy: PageBuddy (page_type with PG_buddy cleared), same order, same zone.
  if (!pageBuddy(mem, buddy)) return NIL_PAGE;
  if (mem.private[buddy] !== order) return NIL_PAGE;
  if (mem.nodeZone[buddy] !== mem.nodeZone[page]) return NIL_PAGE;
  return buddy;
}

/**
 * Frees a block into the buddy lists, merging with free buddies up to MAX_ORDER-1.
 * Kernel: `__free_one_page()` (caller holds zone->lock).
 */
export function freeOnePage(pa: PageAllocState, page: number, pfn: number, zone: Zone, order: number, migratetype: number, fpiFlags: number): void {
  const mem = pa.mem;
  const cost = pa.cost;
  if (migratetype !== MIGRATE_ISOLATE) modZoneFreepageState(zone, 1 << order, migratetype);
  let buddyPfn = 0;
  while (order < MAX_PAGE_ORDER) {
    buddyPfn = pfn ^ (1 << order);
    const buddy = findBuddyPage(mem, page, pfn, order);
    if (buddy === NIL_PAGE) break;
    if (order >= PAGEBLOCK_ORDER) {
      // Do not merge a pageblock that has no fallbacks (CMA, ISOLATE, HIGHATOMIC) with a normal one.
      const buddyMt = getPfnblockMigratetype(pa.pageblock, buddyPfn);
      if (migratetype !== buddyMt && (!migratetypeIsMergeable(migratetype) || !migratetypeIsMergeable(buddyMt))) break;
    }
    delPageFromFreeList(mem, buddy, zone, order);
    const combinedPfn = buddyPfn & pfn;
    page = page + (combinedPfn - pfn);
    pfn = combinedPfn;
    order++;
    pa.clock.advance(cost.buddyStep);
  }
  setBuddyOrder(mem, page, order);
  let toTail: boolean;
  if ((fpiFlags & FPI_TO_TAIL) !== 0) toTail = true;
  else toTail = buddyMergeLikely(mem, page, pfn, buddyPfn, order);
  if (toTail) addToFreeListTail(mem, page, zone, order, migratetype);
  else addToFreeList(mem, page, zone, order, migratetype);
}

/** Kernel: `migratetype_is_mergeable()`: only the pcp types may share a merged block. */
function migratetypeIsMergeable(mt: number): boolean {
  return mt < MIGRATE_PCPTYPES;
}

/**
 * True when the freed block's buddy at the next order up is free, so the block will likely merge
 * soon and belongs at the tail. Kernel: `buddy_merge_likely()`.
 */
function buddyMergeLikely(mem: MemMap, page: number, pfn: number, buddyPfn: number, order: number): boolean {
  if (order >= MAX_PAGE_ORDER - 1) return false;
  const higherPfn = buddyPfn & pfn;
  const higherPage = page + (higherPfn - pfn);
  return findBuddyPage(mem, higherPage, higherPfn, order + 1) !== NIL_PAGE;
}

/**
 * Resets a freed page's state as free_pages_prepare() does, and reports a page in a bad state.
 * Kernel: `free_pages_prepare()` / `free_page_is_bad()` / `bad_page()`.
 * @returns false when the block must not be freed (bad page state, already logged)
 */
function freePagesPrepare(pa: PageAllocState, page: number, order: number): boolean {
  const mem = pa.mem;
  const nr = 1 << order;
  for (let p = page; p < page + nr; p++) {
    if (mem.mapcount[p] !== -1 || mem.mapping[p] !== 0 || (p !== page && mem.refcount[p] !== 0)) {
      freePageIsBad(pa, p);
      return false;
    }
  }
  if (pa.trace.on) traceMmPageFree(pa, page, order);
  if (mem.memcg[page] !== 0) memcgUncharge(pa, page, order);
  for (let p = page; p < page + nr; p++) mem.flags[p] = 0;
  return true;
}

/**
 * A freed page still charged to a memcg is uncharged (mmsim uncharges every charged page here:
 * 6.1 does it for kmem pages in free_pages_prepare and for user folios just before, in
 * __folio_put / release_pages). Kernel: `__memcg_kmem_uncharge_page()` / `mem_cgroup_uncharge()`.
 */
function memcgUncharge(pa: PageAllocState, page: number, order: number): void {
  if (pa.memcg !== null) pa.memcg.uncharge(page, order);
  else pa.mem.memcg[page] = 0;
}

/** Reports why a page to be freed is in a bad state (out of the hot function). Kernel: `free_page_is_bad()` → `free_page_is_bad_report()`. */
function freePageIsBad(pa: PageAllocState, p: number): void {
  const mem = pa.mem;
  badPage(pa, p, mem.mapcount[p] !== -1 ? (mem.mapcount[p]! < -1 ? "page_type set or nonzero mapcount" : "nonzero mapcount") : mem.mapping[p] !== 0 ? "non-NULL mapping" : "nonzero _refcount");
}

/** Kernel: `trace_mm_page_free()`. */
function traceMmPageFree(pa: PageAllocState, page: number, order: number): void {
  pa.trace.emit(TP_MM_PAGE_FREE, pa.mem.pageToPfn(page), order, 0, 0, 0, 0);
}

/**
 * Logs the kernel's report of a page freed in a bad state. Kernel: `bad_page()` + `dump_page()`.
 */
export function badPage(pa: PageAllocState, page: number, reason: string): void {
  const mem = pa.mem;
  const pfn = mem.pageToPfn(page);
  const mapping = mem.mapping[page] === 0 ? "0000000000000000" : "(ptrval)";
  pa.log.printk(1, "BUG: Bad page state in process swapper/0  pfn:" + pfn.toString(16).padStart(5, "0"));
  pa.log.printk(4, "page:(ptrval) refcount:" + mem.refcount[page] + " mapcount:" + (mem.mapcount[page]! + 1) + " mapping:" + mapping + " index:0x" + mem.index[page]!.toString(16) + " pfn:0x" + pfn.toString(16));
  pa.log.printk(4, "page dumped because: " + reason);
}

/**
 * Frees a block straight to the buddy lists (no pcp). Kernel: `__free_pages_ok()` → `free_one_page()`.
 */
export function freePagesOk(pa: PageAllocState, page: number, order: number, fpiFlags: number): void {
  if (!freePagesPrepare(pa, page, order)) return;
  const pfn = pa.mem.pageToPfn(page);
  const zone = pa.pageZone(page);
  const migratetype = getPfnblockMigratetype(pa.pageblock, pfn);
  pa.clock.advance(pa.cost.zoneLock);
  freeOnePage(pa, page, pfn, zone, order, migratetype, fpiFlags);
  pa.vmEvents[PGFREE]! += 1 << order;
}

/**
 * Hands a block to the allocator for the first time: clears PageReserved, sets refcount 0,
 * counts it in the zone's managed pages (totalram_pages is memblock_free_all's to add), frees it
 * to the tail. Kernel: `__free_pages_core()`.
 */
export function freePagesCore(pa: PageAllocState, page: number, order: number): void {
  const mem = pa.mem;
  const nr = 1 << order;
  for (let p = page; p < page + nr; p++) {
    mem.flags[p] = mem.flags[p]! & ~(1 << PG_reserved);
    mem.refcount[p] = 0;
  }
  const zone = pa.pageZone(page);
  zone.managedPages += nr;
  freePagesOk(pa, page, order, FPI_TO_TAIL);
}

/**
 * Adds `count` (negative to remove) to a zone's managed pages and totalram_pages.
 * Kernel: `adjust_managed_page_count()`.
 */
export function adjustManagedPageCount(pa: PageAllocState, page: number, count: number): void {
  pa.pageZone(page).managedPages += count;
  pa.totalramPages += count;
}

/**
 * Turns one memblock-reserved pageblock of a CMA area into free MIGRATE_CMA pages: clears
 * PageReserved, marks the pageblock CMA, frees it as one order-pageblock_order block (through the
 * pcp lists, as 6.1's __free_pages does for the THP order), counts it managed and in cma_pages.
 * Kernel: `init_cma_reserved_pageblock()`, called by cma_activate_area() (core_initcall).
 */
export function initCmaReservedPageblock(pa: PageAllocState, page: number, cpu: number): void {
  const mem = pa.mem;
  for (let p = page; p < page + PAGEBLOCK_NR_PAGES; p++) {
    mem.flags[p] = mem.flags[p]! & ~(1 << PG_reserved);
    mem.refcount[p] = 0;
    mem.lruNext[p] = -1;
    mem.lruPrev[p] = -1;
  }
  setPageblockMigratetype(pa.pageblock, mem.pageToPfn(page), MIGRATE_CMA);
  // set_page_refcounted(page); __free_pages(page, pageblock_order): the reference drops to 0
  mem.refcount[page] = 0;
  freeThePage(pa, page, PAGEBLOCK_ORDER, cpu);
  adjustManagedPageCount(pa, page, PAGEBLOCK_NR_PAGES);
  pa.pageZone(page).cmaPages += PAGEBLOCK_NR_PAGES;
}

// ---------------------------------------------------------------------------------------------
// Taking blocks off the free lists
// ---------------------------------------------------------------------------------------------

/**
 * Splits a block of order `high` down to `low`, putting the unused upper halves on the free
 * lists. Kernel: `expand()`.
 */
export function expand(pa: PageAllocState, zone: Zone, page: number, low: number, high: number, migratetype: number): void {
  const mem = pa.mem;
  let size = 1 << high;
  while (high > low) {
    high--;
    size >>= 1;
    addToFreeList(mem, page + size, zone, high, migratetype);
    setBuddyOrder(mem, page + size, high);
    pa.clock.advance(pa.cost.buddyStep);
  }
}

/**
 * Takes the smallest free block of at least `order` from `migratetype`'s lists, splitting it.
 * Kernel: `__rmqueue_smallest()`.
 * @returns the page, or NIL_PAGE when every list at ≥ order is empty
 */
export function rmqueueSmallest(pa: PageAllocState, zone: Zone, order: number, migratetype: number): number {
  const mem = pa.mem;
  for (let current = order; current <= MAX_PAGE_ORDER; current++) {
    const page = getPageFromFreeArea(mem, zone, current, migratetype);
    if (page === NIL_PAGE) continue;
    delPageFromFreeList(mem, page, zone, current);
    expand(pa, zone, page, order, current, migratetype);
    setPcppageMigratetype(mem, page, migratetype);
    if (pa.trace.on) {
      const refill = pcpAllowedOrder(order) && migratetype < MIGRATE_PCPTYPES ? 1 : 0;
      pa.trace.emit(TP_MM_PAGE_ALLOC_ZONE_LOCKED, mem.pageToPfn(page), order, migratetype, refill, 0, 0);
    }
    return page;
  }
  return NIL_PAGE;
}

/** Kernel: `set_pcppage_migratetype()`: page->index holds the migratetype while on a pcp list. */
function setPcppageMigratetype(mem: MemMap, page: number, migratetype: number): void {
  mem.index[page] = migratetype;
}

/** Kernel: `get_pcppage_migratetype()`. */
function getPcppageMigratetype(mem: MemMap, page: number): number {
  return mem.index[page]!;
}

/** Kernel: `fallbacks[MIGRATE_TYPES][3]` (6.1): which lists each type may steal from, in order. */
const FALLBACKS = Int32Array.of(
  MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE, MIGRATE_TYPES, // UNMOVABLE
  MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, MIGRATE_TYPES, // MOVABLE
  MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_TYPES, // RECLAIMABLE
  MIGRATE_TYPES, MIGRATE_TYPES, MIGRATE_TYPES, // HIGHATOMIC (never used)
  MIGRATE_TYPES, MIGRATE_TYPES, MIGRATE_TYPES, // CMA (never used)
  MIGRATE_TYPES, MIGRATE_TYPES, MIGRATE_TYPES, // ISOLATE (never used)
);

/** Kernel: `can_steal_fallback()`: may an allocation take a whole pageblock of another type? */
function canStealFallback(pa: PageAllocState, order: number, startMt: number): boolean {
  if (order >= PAGEBLOCK_ORDER) return true;
  return order >= PAGEBLOCK_ORDER / 2 || startMt === MIGRATE_RECLAIMABLE || startMt === MIGRATE_UNMOVABLE || pa.pageGroupByMobilityDisabled;
}

/**
 * First migratetype in `migratetype`'s fallback list with a free block at `order`, or -1.
 * Kernel: `find_suitable_fallback()`; its `*can_steal` is pa.canSteal (set unless nrFree is 0).
 */
export function findSuitableFallback(pa: PageAllocState, zone: Zone, order: number, migratetype: number, onlyStealable: boolean): number {
  if (zone.nrFree[order] === 0) return -1;
  pa.canSteal = false;
  for (let i = 0; ; i++) {
    const fallbackMt = FALLBACKS[migratetype * 3 + i]!;
    if (fallbackMt === MIGRATE_TYPES) break;
    if (freeAreaEmpty(pa.mem, zone, order, fallbackMt)) continue;
    if (canStealFallback(pa, order, migratetype)) pa.canSteal = true;
    if (!onlyStealable) return fallbackMt;
    if (pa.canSteal) return fallbackMt;
  }
  return -1;
}

/**
 * Moves every free block of the pageblock holding `page` to `migratetype`'s lists; counts the
 * allocated pages on the LRU as movable. Kernel: `move_freepages_block()` → `move_freepages()`;
 * its `*num_movable` is pa.numMovable.
 * @returns free pages moved, or 0 if the pageblock crosses the zone boundary
 */
export function moveFreepagesBlock(pa: PageAllocState, zone: Zone, page: number, migratetype: number): number {
  const mem = pa.mem;
  const pfn = mem.pageToPfn(page);
  const startPfn = pfn - (pfn % PAGEBLOCK_NR_PAGES);
  const endPfn = startPfn + PAGEBLOCK_NR_PAGES - 1;
  let numMovable = 0;
  pa.numMovable = 0;
  if (!zone.spansPfn(startPfn) || !zone.spansPfn(endPfn)) return 0;
  let moved = 0;
  let p = mem.pfnToPage(startPfn);
  const end = mem.pfnToPage(endPfn);
  while (p <= end) {
    if (!pageBuddy(mem, p)) {
      // Not a free block head: an allocated page. PageLRU pages are movable (no __PageMovable yet).
      if (pageLRU(mem, p)) numMovable++;
      p++;
      continue;
    }
    const order = buddyOrder(mem, p);
    moveToFreeList(mem, p, zone, order, migratetype);
    p += 1 << order;
    moved += 1 << order;
  }
  pa.numMovable = numMovable;
  return moved;
}

/**
 * After taking a block from another migratetype's list: claim the whole pageblock when enough of
 * it is free or alike, else just move this block. Kernel: `steal_suitable_fallback()`.
 */
function stealSuitableFallback(pa: PageAllocState, zone: Zone, page: number, allocFlags: number, startType: number, wholeBlock: boolean): void {
  const mem = pa.mem;
  const currentOrder = buddyOrder(mem, page);
  const pfn = mem.pageToPfn(page);
  const oldBlockType = getPfnblockMigratetype(pa.pageblock, pfn);
  if (oldBlockType === MIGRATE_HIGHATOMIC) {
    moveToFreeList(mem, page, zone, currentOrder, startType);
    return;
  }
  if (currentOrder >= PAGEBLOCK_ORDER) {
    // change_pageblock_range
    for (let b = 0; b < 1 << (currentOrder - PAGEBLOCK_ORDER); b++) setPageblockMigratetype(pa.pageblock, pfn + b * PAGEBLOCK_NR_PAGES, startType);
    moveToFreeList(mem, page, zone, currentOrder, startType);
    return;
  }
  // Boost watermarks to increase reclaim pressure and wake kswapd (6.1).
  if (boostWatermark(pa, zone) && (allocFlags & ALLOC_KSWAPD) !== 0) zone.flags |= 1 << ZONE_BOOSTED_WATERMARK;
  if (!wholeBlock) {
    moveToFreeList(mem, page, zone, currentOrder, startType);
    return;
  }
  const freePages = moveFreepagesBlock(pa, zone, page, startType);
  const movablePages = pa.numMovable;
  if (freePages === 0) {
    moveToFreeList(mem, page, zone, currentOrder, startType);
    return;
  }
  let alikePages: number;
  if (startType === MIGRATE_MOVABLE) alikePages = movablePages;
  else if (oldBlockType === MIGRATE_MOVABLE) alikePages = PAGEBLOCK_NR_PAGES - (freePages + movablePages);
  else alikePages = 0;
  if (freePages + alikePages >= 1 << (PAGEBLOCK_ORDER - 1) || pa.pageGroupByMobilityDisabled) {
    setPageblockMigratetype(pa.pageblock, pfn, startType);
  }
}

/**
 * Steals the largest suitable block of another migratetype (or, for a movable allocation that
 * may not claim the block, the smallest). Kernel: `__rmqueue_fallback()`.
 * @returns true if a block was moved to `startMt`'s lists
 */
export function rmqueueFallback(pa: PageAllocState, zone: Zone, order: number, startMt: number, allocFlags: number): boolean {
  let minOrder = order;
  if (order < PAGEBLOCK_ORDER && (allocFlags & ALLOC_NOFRAGMENT) !== 0) minOrder = PAGEBLOCK_ORDER;
  let current = MAX_PAGE_ORDER;
  let fallbackMt = -1;
  let found = false;
  for (; current >= minOrder; current--) {
    fallbackMt = findSuitableFallback(pa, zone, current, startMt, false);
    if (fallbackMt === -1) continue;
    if (!pa.canSteal && startMt === MIGRATE_MOVABLE && current > order) {
      // find_smallest: do not break up a large block for a movable allocation that cannot claim it.
      for (current = order; current <= MAX_PAGE_ORDER; current++) {
        fallbackMt = findSuitableFallback(pa, zone, current, startMt, false);
        if (fallbackMt !== -1) break;
      }
    }
    found = true;
    break;
  }
  if (!found) return false;
  const canSteal = pa.canSteal;
  const page = getPageFromFreeArea(pa.mem, zone, current, fallbackMt);
  stealSuitableFallback(pa, zone, page, allocFlags, startMt, canSteal);
  if (pa.trace.on) {
    const pfn = pa.mem.pageToPfn(page);
    const changeOwnership = getPfnblockMigratetype(pa.pageblock, pfn) === startMt ? 1 : 0;
    pa.trace.emit(TP_MM_PAGE_ALLOC_EXTFRAG, pfn, order, current, startMt, fallbackMt, changeOwnership);
  }
  return true;
}

/** Kernel: `__rmqueue_cma_fallback()`. */
function rmqueueCmaFallback(pa: PageAllocState, zone: Zone, order: number): number {
  return rmqueueSmallest(pa, zone, order, MIGRATE_CMA);
}

/**
 * Takes a block for `migratetype`, with CMA balancing and fallback. Caller holds zone->lock.
 * Kernel: `__rmqueue()`.
 */
export function rmqueueInner(pa: PageAllocState, zone: Zone, order: number, migratetype: number, allocFlags: number): number {
  let page: number;
  if ((allocFlags & ALLOC_CMA) !== 0 && zone.vmStat[NR_FREE_CMA_PAGES]! > zone.vmStat[NR_FREE_PAGES]! / 2) {
    // Balance movable allocations between regular and CMA areas.
    page = rmqueueCmaFallback(pa, zone, order);
    if (page !== NIL_PAGE) return page;
  }
  for (;;) {
    page = rmqueueSmallest(pa, zone, order, migratetype);
    if (page !== NIL_PAGE) return page;
    if ((allocFlags & ALLOC_CMA) !== 0) {
      page = rmqueueCmaFallback(pa, zone, order);
      if (page !== NIL_PAGE) return page;
    }
    if (!rmqueueFallback(pa, zone, order, migratetype, allocFlags)) return NIL_PAGE;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-CPU page lists
// ---------------------------------------------------------------------------------------------

/** Kernel: `pcp_allowed_order()`: orders ≤ PAGE_ALLOC_COSTLY_ORDER, and THP's pageblock order. */
export function pcpAllowedOrder(order: number): boolean {
  return order <= PAGE_ALLOC_COSTLY_ORDER || order === PAGEBLOCK_ORDER;
}

/** Kernel: `order_to_pindex()` (6.1.y, NR_PCP_THP 2: THP lists split movable / other). */
export function orderToPindex(migratetype: number, order: number): number {
  if (order > PAGE_ALLOC_COSTLY_ORDER) return NR_LOWORDER_PCP_LISTS + (migratetype === MIGRATE_MOVABLE ? 1 : 0);
  return MIGRATE_PCPTYPES * order + migratetype;
}

/** Kernel: `pindex_to_order()`. */
export function pindexToOrder(pindex: number): number {
  if (pindex >= NR_LOWORDER_PCP_LISTS) return PAGEBLOCK_ORDER;
  return (pindex / MIGRATE_PCPTYPES) | 0;
}

/**
 * Moves up to `count` blocks of `order` from the buddy lists to a pcp list, at its tail.
 * Kernel: `rmqueue_bulk()`.
 * @returns blocks moved
 */
export function rmqueueBulk(pa: PageAllocState, zone: Zone, order: number, count: number, listHead: number, migratetype: number, allocFlags: number): number {
  const mem = pa.mem;
  pa.clock.advance(pa.cost.zoneLock);
  let i = 0;
  for (; i < count; i++) {
    const page = rmqueueInner(pa, zone, order, migratetype, allocFlags);
    if (page === NIL_PAGE) break;
    // list_add_tail(&page->pcp_list, list)
    const last = mem.lruPrev[listHead]!;
    mem.lruNext[page] = listHead;
    mem.lruPrev[page] = last;
    mem.lruNext[last] = page;
    mem.lruPrev[listHead] = page;
    if (getPcppageMigratetype(mem, page) === MIGRATE_CMA) zone.vmStat[NR_FREE_CMA_PAGES]! -= 1 << order;
    pa.clock.advance(pa.cost.pcpBulkPerPage);
  }
  zone.vmStat[NR_FREE_PAGES]! -= i << order;
  return i;
}

/**
 * Frees `count` pages from the pcp lists to the buddy lists, round-robin over the lists starting
 * with `pindex`, oldest (tail) first. Kernel: `free_pcppages_bulk()`.
 */
export function freePcppagesBulk(pa: PageAllocState, zone: Zone, count: number, pcp: PerCpuPages, pindex: number): void {
  const mem = pa.mem;
  let minPindex = 0;
  let maxPindex = NR_PCP_LISTS - 1;
  if (count > pcp.count) count = pcp.count;
  pindex = pindex - 1;
  pa.clock.advance(pa.cost.zoneLock);
  while (count > 0) {
    let head: number;
    for (;;) {
      if (++pindex > maxPindex) pindex = minPindex;
      head = pcp.listBase + pindex;
      if (mem.lruNext[head] !== head) break;
      if (pindex === maxPindex) maxPindex--;
      if (pindex === minPindex) minPindex++;
    }
    const order = pindexToOrder(pindex);
    const nrPages = 1 << order;
    do {
      const page = listLast(mem.lruPrev, head);
      let mt = getPcppageMigratetype(mem, page);
      if (zone.nrIsolatePageblock !== 0) mt = getPfnblockMigratetype(pa.pageblock, mem.pageToPfn(page)); // the pageblock could have been isolated meanwhile
      listDel(mem.lruNext, mem.lruPrev, page);
      count -= nrPages;
      pcp.count -= nrPages;
      freeOnePage(pa, page, mem.pageToPfn(page), zone, order, mt, FPI_NONE);
      pa.clock.advance(pa.cost.pcpBulkPerPage);
      if (pa.trace.on) pa.trace.emit(TP_MM_PAGE_PCPU_DRAIN, mem.pageToPfn(page), order, mt, 0, 0, 0);
    } while (count > 0 && mem.lruNext[head] !== head);
  }
}

/** Kernel: `nr_pcp_free()`: how many pages to free when the pcp list is over high. */
function nrPcpFree(pcp: PerCpuPages, high: number, batch: number, freeHigh: boolean): number {
  if (freeHigh) return pcp.count;
  if (high < batch) return 1;
  const minNrFree = batch;
  const maxNrFree = high - batch;
  batch <<= pcp.freeFactor;
  if (batch < maxNrFree) pcp.freeFactor++;
  return batch < minNrFree ? minNrFree : batch > maxNrFree ? maxNrFree : batch;
}

/** Kernel: `nr_pcp_high()`: the effective high mark (lower while reclaim is active). */
function nrPcpHigh(pcp: PerCpuPages, zone: Zone, freeHigh: boolean): number {
  const high = pcp.high;
  if (high === 0 || freeHigh) return 0;
  if ((zone.flags & (1 << ZONE_RECLAIM_ACTIVE)) === 0) return high;
  const b4 = pcp.batch << 2;
  return b4 < high ? b4 : high;
}

/**
 * Frees a block to the freeing CPU's pcp list, draining a batch when over high.
 * Kernel: `free_unref_page()` → `free_unref_page_commit()`.
 */
export function freeUnrefPage(pa: PageAllocState, page: number, order: number, cpu: number, zone: Zone): void {
  const mem = pa.mem;
  if (!freePagesPrepare(pa, page, order)) return;
  const pfn = mem.pageToPfn(page);
  let migratetype = getPfnblockMigratetype(pa.pageblock, pfn);
  setPcppageMigratetype(mem, page, migratetype);
  if (migratetype >= MIGRATE_PCPTYPES) {
    if (migratetype === MIGRATE_ISOLATE) return freeIsolatedPage(pa, page, pfn, zone, order);
    migratetype = MIGRATE_MOVABLE;
  }
  const pcp = zone.pageset[cpu]!;
  pa.vmEvents[PGFREE]! += 1 << order;
  const pindex = orderToPindex(migratetype, order);
  listAdd(mem.lruNext, mem.lruPrev, page, pcp.listBase + pindex);
  pcp.count += 1 << order;
  pa.clock.advance(pa.cost.pcpFree);
  const freeHigh = pcp.freeFactor !== 0 && order !== 0 && order <= PAGE_ALLOC_COSTLY_ORDER;
  const high = nrPcpHigh(pcp, zone, freeHigh);
  if (pcp.count >= high) freePcppagesBulk(pa, zone, nrPcpFree(pcp, high, pcp.batch, freeHigh), pcp, pindex);
}

/** free_unref_page's MIGRATE_ISOLATE case: an isolated pageblock's page goes straight to the buddy lists (cold). */
function freeIsolatedPage(pa: PageAllocState, page: number, pfn: number, zone: Zone, order: number): void {
  pa.clock.advance(pa.cost.zoneLock);
  freeOnePage(pa, page, pfn, zone, order, MIGRATE_ISOLATE, FPI_NONE);
  pa.vmEvents[PGFREE]! += 1 << order;
}

/**
 * Frees a block whose last reference is gone: small orders (and THP's) to the CPU's pcp list once
 * pagesets exist, others straight to the buddy lists. Kernel: `free_the_page()`.
 */
export function freeThePage(pa: PageAllocState, page: number, order: number, cpu: number): void {
  // The page's zone, looked up once for the whole free (free_unref_page's page_zone()).
  const zone = pa.pageZone(page);
  if (pcpAllowedOrder(order) && zone.pageset.length > 0) freeUnrefPage(pa, page, order, cpu, zone);
  else freePagesOk(pa, page, order, FPI_NONE);
}

/**
 * Takes a block from a pcp list, refilling it from the buddy lists when empty.
 * Kernel: `__rmqueue_pcplist()` / `rmqueue_pcplist()`.
 */
function rmqueuePcplist(pa: PageAllocState, zone: Zone, order: number, migratetype: number, allocFlags: number, cpu: number): number {
  const mem = pa.mem;
  const pcp = zone.pageset[cpu]!;
  pcp.freeFactor >>= 1;
  const head = pcp.listBase + orderToPindex(migratetype, order);
  if (mem.lruNext[head] === head && !rmqueuePcpRefill(pa, zone, pcp, order, head, migratetype, allocFlags)) return NIL_PAGE;
  const page = listFirst(mem.lruNext, head);
  listDel(mem.lruNext, mem.lruPrev, page);
  pcp.count -= 1 << order;
  pa.clock.advance(pa.cost.pcpAlloc);
  return page;
}

/**
 * __rmqueue_pcplist's refill of an empty list: a batch (scaled down by order, at least 2) from
 * the buddy lists. Out of the hot function: most allocations find the list non-empty.
 * @returns false when the list is still empty
 */
function rmqueuePcpRefill(pa: PageAllocState, zone: Zone, pcp: PerCpuPages, order: number, head: number, migratetype: number, allocFlags: number): boolean {
  let batch = pcp.batch;
  if (batch > 1) {
    batch >>= order;
    if (batch < 2) batch = 2;
  }
  const alloced = rmqueueBulk(pa, zone, order, batch, head, migratetype, allocFlags);
  pcp.count += alloced << order;
  return pa.mem.lruNext[head] !== head;
}

/** Kernel: `rmqueue_buddy()`: straight from the buddy lists under zone->lock. */
function rmqueueBuddy(pa: PageAllocState, zone: Zone, order: number, allocFlags: number, migratetype: number): number {
  pa.clock.advance(pa.cost.zoneLock);
  let page = NIL_PAGE;
  if (order > 0 && (allocFlags & ALLOC_HARDER) !== 0) page = rmqueueSmallest(pa, zone, order, MIGRATE_HIGHATOMIC);
  if (page === NIL_PAGE) {
    page = rmqueueInner(pa, zone, order, migratetype, allocFlags);
    if (page === NIL_PAGE) return NIL_PAGE;
  }
  modZoneFreepageState(zone, -(1 << order), getPcppageMigratetype(pa.mem, page));
  return page;
}

/** Kernel: `zone_statistics()`: NUMA hit/miss/foreign/local/other. */
function zoneStatistics(pa: PageAllocState, preferred: Zone, z: Zone, cpu: number): void {
  const ev = z.vmNumaEvent;
  if (z.nid !== preferred.nid) zoneStatisticsMiss(z, preferred);
  else ev[NUMA_HIT]!++;
  ev[z.nid !== pa.cpuToNode[cpu] ? NUMA_OTHER : NUMA_LOCAL]!++;
}

/** zone_statistics' miss: the page came from another node than the preferred one (cold on one node). */
function zoneStatisticsMiss(z: Zone, preferred: Zone): void {
  z.vmNumaEvent[NUMA_MISS]!++;
  preferred.vmNumaEvent[NUMA_FOREIGN]!++;
}

/**
 * Takes a block from `zone`: through the pcp lists for small orders, else the buddy lists.
 * Kernel: `rmqueue()`.
 */
export function rmqueue(pa: PageAllocState, preferred: Zone, zone: Zone, order: number, allocFlags: number, migratetype: number, cpu: number): number {
  let page = NIL_PAGE;
  if (pcpAllowedOrder(order) && zone.pageset.length > 0) {
    // The movable pcp list may hold CMA pages: skip it when CMA is not allowed.
    if ((allocFlags & ALLOC_CMA) !== 0 || migratetype !== MIGRATE_MOVABLE) page = rmqueuePcplist(pa, zone, order, migratetype, allocFlags, cpu);
  }
  if (page === NIL_PAGE) page = rmqueueBuddy(pa, zone, order, allocFlags, migratetype);
  if (page === NIL_PAGE) return NIL_PAGE;
  pa.vmEvents[PGALLOC_DMA + zone.zid]! += 1 << order;
  zoneStatistics(pa, preferred, zone, cpu);
  if ((zone.flags & (1 << ZONE_BOOSTED_WATERMARK)) !== 0) wakeupKswapdBoosted(pa, zone);
  return page;
}

/** rmqueue's end: a boosted watermark wakes kswapd once to reclaim the boost (ZONE_BOOSTED_WATERMARK cleared). */
function wakeupKswapdBoosted(pa: PageAllocState, zone: Zone): void {
  zone.flags &= ~(1 << ZONE_BOOSTED_WATERMARK);
  hookWakeupKswapd(pa, zone.id, 0, 0, zone.zid);
}

/**
 * Frees every page on one CPU's pcp lists of a zone. Kernel: `drain_pages_zone()`.
 */
export function drainPagesZone(pa: PageAllocState, cpu: number, zone: Zone): void {
  const pcp = zone.pageset[cpu];
  if (pcp && pcp.count > 0) freePcppagesBulk(pa, zone, pcp.count, pcp, 0);
}

/** Drains every CPU's pcp lists in every zone. Kernel: `drain_all_pages(NULL)`. */
export function drainAllPages(pa: PageAllocState): void {
  const zones = pa.zones;
  for (let z = 0; z < zones.length; z++) {
    const zone = zones[z]!;
    for (let cpu = 0; cpu < zone.pageset.length; cpu++) drainPagesZone(pa, cpu, zone);
  }
}

// ---------------------------------------------------------------------------------------------
// Watermarks and the highatomic reserve
// ---------------------------------------------------------------------------------------------

/** Kernel: `__zone_watermark_unusable_free()`: free pages this allocation may not use. */
function zoneWatermarkUnusableFree(zone: Zone, order: number, allocFlags: number): number {
  const allocHarder = (allocFlags & (ALLOC_HARDER | ALLOC_OOM)) !== 0;
  let unusable = (1 << order) - 1;
  if (!allocHarder) unusable += zone.nrReservedHighatomic;
  if ((allocFlags & ALLOC_CMA) === 0) unusable += zone.vmStat[NR_FREE_CMA_PAGES]!;
  return unusable;
}

/**
 * True when `zone` has enough free pages above `mark` (plus lowmem_reserve) for an allocation of
 * `order`, and a block of that order exists. Kernel: `__zone_watermark_ok()`.
 */
export function zoneWatermarkOk(pa: PageAllocState, zone: Zone, order: number, mark: number, highestZoneidx: number, allocFlags: number, freePages: number): boolean {
  let min = mark;
  const allocHarder = (allocFlags & (ALLOC_HARDER | ALLOC_OOM)) !== 0;
  freePages -= zoneWatermarkUnusableFree(zone, order, allocFlags);
  if ((allocFlags & ALLOC_HIGH) !== 0) min -= Math.floor(min / 2);
  if (allocHarder) {
    if ((allocFlags & ALLOC_OOM) !== 0) min -= Math.floor(min / 2);
    else min -= Math.floor(min / 4);
  }
  if (freePages <= min + zone.lowmemReserve[highestZoneidx]!) return false;
  if (order === 0) return true;
  const mem = pa.mem;
  for (let o = order; o <= MAX_PAGE_ORDER; o++) {
    if (zone.nrFree[o] === 0) continue;
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) if (!freeAreaEmpty(mem, zone, o, mt)) return true;
    if ((allocFlags & ALLOC_CMA) !== 0 && !freeAreaEmpty(mem, zone, o, MIGRATE_CMA)) return true;
    if (allocHarder && !freeAreaEmpty(mem, zone, o, MIGRATE_HIGHATOMIC)) return true;
  }
  return false;
}

/** Kernel: `zone_watermark_fast()`: an order-0 shortcut, then the full check, then boost relief for atomic. */
export function zoneWatermarkFast(pa: PageAllocState, zone: Zone, order: number, mark: number, highestZoneidx: number, allocFlags: number, gfp: number): boolean {
  if (order === 0) {
    const freePages = zone.vmStat[NR_FREE_PAGES]!;
    const reserved = zoneWatermarkUnusableFree(zone, 0, allocFlags);
    const usable = freePages - (reserved < freePages ? reserved : freePages);
    if (usable > mark + zone.lowmemReserve[highestZoneidx]!) return true;
  }
  return zoneWatermarkSlow(pa, zone, order, mark, highestZoneidx, allocFlags, gfp);
}

/** zone_watermark_fast() past its order-0 shortcut (a cold function: the hot one stays small). */
function zoneWatermarkSlow(pa: PageAllocState, zone: Zone, order: number, mark: number, highestZoneidx: number, allocFlags: number, gfp: number): boolean {
  const freePages = zone.vmStat[NR_FREE_PAGES]!;
  if (zoneWatermarkOk(pa, zone, order, mark, highestZoneidx, allocFlags, freePages)) return true;
  if (order === 0 && (gfp & __GFP_ATOMIC) !== 0 && zone.watermarkBoost !== 0 && (allocFlags & 3) === 0) {
    return zoneWatermarkOk(pa, zone, order, zone.watermark[0]!, highestZoneidx, allocFlags, freePages);
  }
  return false;
}

/**
 * Reserves the pageblock of a high-order atomic allocation as MIGRATE_HIGHATOMIC, up to ~1 % of
 * the zone plus one pageblock. Kernel: `reserve_highatomic_pageblock()`.
 */
export function reserveHighatomicPageblock(pa: PageAllocState, page: number, zone: Zone): void {
  const maxManaged = Math.floor(zone.managedPages / 100) + PAGEBLOCK_NR_PAGES;
  if (zone.nrReservedHighatomic >= maxManaged) return;
  const pfn = pa.mem.pageToPfn(page);
  const mt = getPfnblockMigratetype(pa.pageblock, pfn);
  if (mt !== MIGRATE_HIGHATOMIC && mt !== MIGRATE_ISOLATE && mt !== MIGRATE_CMA) {
    zone.nrReservedHighatomic += PAGEBLOCK_NR_PAGES;
    setPageblockMigratetype(pa.pageblock, pfn, MIGRATE_HIGHATOMIC);
    moveFreepagesBlock(pa, zone, page, MIGRATE_HIGHATOMIC);
  }
}

/**
 * Gives highatomic pageblocks back to the allocation's migratetype when reclaim is failing.
 * Kernel: `unreserve_highatomic_pageblock()`.
 * @param force release even the last pageblock
 * @returns true if a pageblock was released
 */
export function unreserveHighatomicPageblock(pa: PageAllocState, zones: readonly Zone[], highestZoneidx: number, migratetype: number, force: boolean): boolean {
  const mem = pa.mem;
  for (let z = 0; z < zones.length; z++) {
    const zone = zones[z]!;
    if (zone.zid > highestZoneidx) continue;
    if (!force && zone.nrReservedHighatomic <= PAGEBLOCK_NR_PAGES) continue;
    for (let order = 0; order <= MAX_PAGE_ORDER; order++) {
      const page = getPageFromFreeArea(mem, zone, order, MIGRATE_HIGHATOMIC);
      if (page === NIL_PAGE) continue;
      const pfn = mem.pageToPfn(page);
      if (getPfnblockMigratetype(pa.pageblock, pfn) === MIGRATE_HIGHATOMIC) {
        zone.nrReservedHighatomic -= Math.min(PAGEBLOCK_NR_PAGES, zone.nrReservedHighatomic);
      }
      setPageblockMigratetype(pa.pageblock, pfn, migratetype);
      if (moveFreepagesBlock(pa, zone, page, migratetype) > 0) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// New pages
// ---------------------------------------------------------------------------------------------

/**
 * Prepares an allocated block for its user: refcount 1, zeroed when asked (or init_on_alloc).
 * Kernel: `prep_new_page()` / `post_alloc_hook()`.
 */
export function prepNewPage(pa: PageAllocState, page: number, order: number, gfp: number, initOnAlloc: boolean): void {
  const mem = pa.mem;
  mem.private[page] = 0;
  mem.refcount[page] = 1;
  mem.index[page] = 0;
  if (initOnAlloc || (gfp & __GFP_ZERO) !== 0) pa.clock.advance(pa.cost.clearPage * (1 << order));
}

// ---------------------------------------------------------------------------------------------
// Isolating free pages (compaction's free scanner)
// ---------------------------------------------------------------------------------------------

/**
 * Takes a free block off its free list for a caller that will use its pages itself (compaction's
 * free scanner), if the zone stays above its min watermark (boost not counted) by the block;
 * a block of at least half a pageblock turns its pageblocks MOVABLE (unless they are ISOLATE,
 * CMA or HIGHATOMIC). The pages keep refcount 0 until postAllocHook. Kernel: `__isolate_free_page()`.
 * @returns pages isolated (1 << order), or 0 when the watermark refused it
 */
export function isolateFreePage(pa: PageAllocState, page: number, order: number): number {
  const mem = pa.mem;
  const zone = pa.pageZone(page);
  const pfn = mem.pageToPfn(page);
  const mt = getPfnblockMigratetype(pa.pageblock, pfn);
  if (mt !== MIGRATE_ISOLATE) {
    // watermark = zone->_watermark[WMARK_MIN] + (1UL << order), checked for order 0 with ALLOC_CMA
    const watermark = zone.watermark[0]! + (1 << order);
    if (!zoneWatermarkOk(pa, zone, 0, watermark, 0, ALLOC_CMA, zone.vmStat[NR_FREE_PAGES]!)) return 0;
    modZoneFreepageState(zone, -(1 << order), mt);
  }
  delPageFromFreeList(mem, page, zone, order);
  if (order >= PAGEBLOCK_ORDER - 1) {
    const endPfn = pfn + (1 << order) - 1;
    for (let p = pfn; p < endPfn; p += PAGEBLOCK_NR_PAGES) {
      const blockMt = getPfnblockMigratetype(pa.pageblock, p);
      if (blockMt !== MIGRATE_ISOLATE && blockMt !== MIGRATE_CMA && blockMt !== MIGRATE_HIGHATOMIC) setPageblockMigratetype(pa.pageblock, p, MIGRATE_MOVABLE);
    }
  }
  return 1 << order;
}

/**
 * Makes an isolated free block `2^order` order-0 pages of refcount 1, as an allocation's would be
 * (compaction's split_map_pages). Kernel: `post_alloc_hook()` + `split_page()`.
 */
export function postAllocSplit(pa: PageAllocState, page: number, order: number): void {
  const mem = pa.mem;
  const nr = 1 << order;
  for (let p = page; p < page + nr; p++) {
    mem.private[p] = 0;
    mem.refcount[p] = 1;
    mem.index[p] = 0;
    mem.flags[p] = 0;
  }
  if (pa.initOnAlloc) pa.clock.advance(pa.cost.clearPage * nr);
}
