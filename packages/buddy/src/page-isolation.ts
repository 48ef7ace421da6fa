// Kernel: mm/page_isolation.c (v6.1: has_unmovable_pages, set_migratetype_isolate, unset_migratetype_isolate, start_isolate_page_range, isolate_single_pageblock's free-page split, undo_isolate_page_range, __test_page_isolated_in_pageblock, test_pages_isolated), mm/page_alloc.c (split_free_page) — MIGRATE_ISOLATE pageblocks
/*
 * Page isolation takes pageblocks out of the allocator's reach: each pageblock of a range becomes
 * MIGRATE_ISOLATE, its free blocks move to the isolate free lists and leave NR_FREE_PAGES (and
 * NR_FREE_CMA_PAGES), and a page freed into it later goes there too (free_unref_page and
 * free_pcppages_bulk look the pageblock's type up again). alloc_contig_range (CMA's allocator,
 * @mmsim/compaction's contig.ts) isolates a range, migrates the used pages out, checks every page
 * is free (test_pages_isolated) and takes them; undo puts the pageblocks back to their type.
 *
 * As 6.1: a pageblock with unmovable pages refuses isolation (has_unmovable_pages: reserved
 * pages, pages neither on an LRU list nor movable, THPs off the LRU), except a CMA pageblock
 * isolated for a CMA allocation; a free block larger than a pageblock that straddles the range's
 * boundary is split first (isolate_single_pageblock → split_free_page), so its outside part stays
 * allocatable; undo merges a pageblock-sized free block with a free buddy outside the isolated
 * blocks again (unset_migratetype_isolate's __isolate_free_page + __putback_isolated_page).
 * Simplified: in-use compound pages straddling a boundary (isolate_single_pageblock migrates
 * them) are left to the migration step; memory hotplug's MEMORY_OFFLINE flags are not modelled.
 */
import {
  EBUSY, HPAGE_PMD_NR, MAX_PAGE_ORDER, MIGRATE_CMA, MIGRATE_ISOLATE, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, PG_head, PG_reserved, ZONE_MOVABLE,
  pageBuddy, pageLRU,
} from "@mmsim/core";
import { buddyOrder, delPageFromFreeList } from "./free-area.ts";
import { FPI_SKIP_REPORT_NOTIFY } from "./internal.ts";
import type { Zone } from "./mmzone.ts";
import { findBuddyPage, freeOnePage, isolateFreePage, modZoneFreepageState, moveFreepagesBlock } from "./page-alloc.ts";
import type { PageAllocState } from "./page-alloc-state.ts";
import { getPfnblockMigratetype, setPageblockMigratetype } from "./pageblock-flags.ts";

/** pageblock_start_pfn(). */
function pageblockStartPfn(pfn: number): number {
  return pfn - (pfn % PAGEBLOCK_NR_PAGES);
}

/**
 * The first page of [startPfn, endPfn) (within one pageblock) that cannot be migrated away, or -1.
 * Kernel: `has_unmovable_pages()` (no MEMORY_OFFLINE flags).
 */
export function hasUnmovablePages(pa: PageAllocState, startPfn: number, endPfn: number, migratetype: number): number {
  const mem = pa.mem;
  const zone = pa.pageZone(mem.pfnToPage(startPfn));
  if (getPfnblockMigratetype(pa.pageblock, startPfn) === MIGRATE_CMA) {
    // CMA allocations really need to isolate CMA pageblocks even when they are not movable in fact
    return migratetype === MIGRATE_CMA ? -1 : startPfn;
  }
  for (let pfn = startPfn; pfn < endPfn; pfn++) {
    if (!mem.pfnValid(pfn)) continue;
    const page = mem.pfnToPage(pfn);
    if ((mem.flags[page]! & (1 << PG_reserved)) !== 0) return pfn;
    if (zone.zid === ZONE_MOVABLE) continue;
    // a THP: movable when its head is on an LRU list; its tails are skipped
    const head = page - ((pfn % HPAGE_PMD_NR + HPAGE_PMD_NR) % HPAGE_PMD_NR);
    if (mem.pfnValid(mem.pageToPfn(head)) && (mem.flags[head]! & (1 << PG_head)) !== 0) {
      if (!pageLRU(mem, head)) return pfn;
      pfn += HPAGE_PMD_NR - (page - head) - 1;
      continue;
    }
    if (mem.refcount[page] === 0) {
      if (pageBuddy(mem, page)) pfn += (1 << buddyOrder(mem, page)) - 1;
      continue;
    }
    if (pageLRU(mem, page)) continue; // (__PageMovable pages: none here)
    return pfn;
  }
  return -1;
}

/**
 * Isolates the pageblock of `page`: MIGRATE_ISOLATE, its free blocks on the isolate lists and out
 * of the free counters. Kernel: `set_migratetype_isolate()`.
 * @returns 0, or -EBUSY (isolated already, or an unmovable page in [startPfn, endPfn) ∩ the pageblock)
 */
export function setMigratetypeIsolate(pa: PageAllocState, page: number, migratetype: number, startPfn: number, endPfn: number): number {
  const mem = pa.mem;
  const pfn = mem.pageToPfn(page);
  const zone = pa.pageZone(page);
  pa.clock.advance(pa.cost.zoneLock);
  if (getPfnblockMigratetype(pa.pageblock, pfn) === MIGRATE_ISOLATE) return -EBUSY;
  const blockStart = pageblockStartPfn(pfn);
  if (hasUnmovablePages(pa, Math.max(blockStart, startPfn), Math.min(blockStart + PAGEBLOCK_NR_PAGES, endPfn), migratetype) >= 0) return -EBUSY;
  const mt = getPfnblockMigratetype(pa.pageblock, pfn);
  setPageblockMigratetype(pa.pageblock, pfn, MIGRATE_ISOLATE);
  zone.nrIsolatePageblock++;
  const nrPages = moveFreepagesBlock(pa, zone, page, MIGRATE_ISOLATE);
  modZoneFreepageState(zone, -nrPages, mt);
  return 0;
}

/**
 * Gives an isolated pageblock back to `migratetype`: its free blocks move back (and count free
 * again); a free block of at least pageblock order whose buddy is free outside the isolated
 * pageblocks is taken and freed again so that the two merge. Kernel: `unset_migratetype_isolate()`.
 */
export function unsetMigratetypeIsolate(pa: PageAllocState, page: number, migratetype: number): void {
  const mem = pa.mem;
  const pfn = mem.pageToPfn(page);
  const zone = pa.pageZone(page);
  pa.clock.advance(pa.cost.zoneLock);
  if (getPfnblockMigratetype(pa.pageblock, pfn) !== MIGRATE_ISOLATE) return;
  let isolatedOrder = -1;
  if (pageBuddy(mem, page)) {
    const order = buddyOrder(mem, page);
    if (order >= PAGEBLOCK_ORDER && order < MAX_PAGE_ORDER) {
      const buddy = findBuddyPage(mem, page, pfn, order);
      if (buddy >= 0 && getPfnblockMigratetype(pa.pageblock, mem.pageToPfn(buddy)) !== MIGRATE_ISOLATE && isolateFreePage(pa, page, order) !== 0) isolatedOrder = order;
    }
  }
  if (isolatedOrder < 0) {
    const nrPages = moveFreepagesBlock(pa, zone, page, migratetype);
    modZoneFreepageState(zone, nrPages, migratetype);
  }
  setPageblockMigratetype(pa.pageblock, pfn, migratetype);
  if (isolatedOrder >= 0) freeOnePage(pa, page, pfn, zone, isolatedOrder, migratetype, FPI_SKIP_REPORT_NOTIFY); // __putback_isolated_page
  zone.nrIsolatePageblock--;
}

/**
 * A free block of order > pageblock order that holds `boundaryPfn` inside it (not at its start)
 * is split into pageblock-order blocks, each freed again with its own pageblock's type, so that
 * isolating one side leaves the other allocatable. Kernel: isolate_single_pageblock's
 * `split_free_page()` call.
 */
function splitFreePageAt(pa: PageAllocState, zone: Zone, boundaryPfn: number): void {
  const mem = pa.mem;
  for (let order = PAGEBLOCK_ORDER + 1; order <= MAX_PAGE_ORDER; order++) {
    const headPfn = boundaryPfn - (boundaryPfn % (1 << order));
    if (headPfn === boundaryPfn || !mem.pfnValid(headPfn)) continue;
    const head = mem.pfnToPage(headPfn);
    if (!pageBuddy(mem, head) || buddyOrder(mem, head) !== order || mem.nodeZone[head] !== mem.nodeZone[mem.pfnToPage(boundaryPfn)]) continue;
    // split_free_page: off its list and out of the counters, then each pageblock freed on its own
    const mt = getPfnblockMigratetype(pa.pageblock, headPfn);
    delPageFromFreeList(mem, head, zone, order);
    if (mt !== MIGRATE_ISOLATE) modZoneFreepageState(zone, -(1 << order), mt);
    for (let p = headPfn; p < headPfn + (1 << order); p += PAGEBLOCK_NR_PAGES) {
      freeOnePage(pa, mem.pfnToPage(p), p, zone, PAGEBLOCK_ORDER, getPfnblockMigratetype(pa.pageblock, p), FPI_SKIP_REPORT_NOTIFY);
    }
    return;
  }
}

/**
 * Isolates every pageblock of [pageblock_start_pfn(startPfn), pageblock_align(endPfn)): the free
 * blocks straddling the two ends are split, then each pageblock is isolated; on a failure the
 * pageblocks isolated so far are given back. Kernel: `start_isolate_page_range()`.
 * @returns 0, or -EBUSY
 */
export function startIsolatePageRange(pa: PageAllocState, startPfn: number, endPfn: number, migratetype: number): number {
  const mem = pa.mem;
  const isolStart = pageblockStartPfn(startPfn);
  const isolEnd = Math.ceil(endPfn / PAGEBLOCK_NR_PAGES) * PAGEBLOCK_NR_PAGES;
  const zone = pa.pageZone(mem.pfnToPage(startPfn));
  // isolate_single_pageblock for the first and the last pageblock: the straddling free blocks split
  splitFreePageAt(pa, zone, isolStart);
  if (mem.pfnValid(isolEnd)) splitFreePageAt(pa, zone, isolEnd);
  for (let pfn = isolStart; pfn < isolEnd; pfn += PAGEBLOCK_NR_PAGES) {
    if (!mem.pfnValid(pfn)) continue;
    if (setMigratetypeIsolate(pa, mem.pfnToPage(pfn), migratetype, startPfn, endPfn) !== 0) {
      undoIsolatePageRange(pa, isolStart, pfn, migratetype);
      return -EBUSY;
    }
  }
  return 0;
}

/** Gives back every isolated pageblock of the range. Kernel: `undo_isolate_page_range()`. */
export function undoIsolatePageRange(pa: PageAllocState, startPfn: number, endPfn: number, migratetype: number): void {
  const mem = pa.mem;
  const isolEnd = Math.ceil(endPfn / PAGEBLOCK_NR_PAGES) * PAGEBLOCK_NR_PAGES;
  for (let pfn = pageblockStartPfn(startPfn); pfn < isolEnd; pfn += PAGEBLOCK_NR_PAGES) {
    if (!mem.pfnValid(pfn)) continue;
    const page = mem.pfnToPage(pfn);
    if (getPfnblockMigratetype(pa.pageblock, pfn) !== MIGRATE_ISOLATE) continue;
    unsetMigratetypeIsolate(pa, page, migratetype);
  }
}

/**
 * Are all pages of [startPfn, endPfn) in isolated pageblocks and free? Kernel:
 * `test_pages_isolated()` → `__test_page_isolated_in_pageblock()`.
 * @returns 0, or -EBUSY
 */
export function testPagesIsolated(pa: PageAllocState, startPfn: number, endPfn: number): number {
  const mem = pa.mem;
  for (let pfn = startPfn; pfn < endPfn; pfn += PAGEBLOCK_NR_PAGES) {
    if (mem.pfnValid(pfn) && getPfnblockMigratetype(pa.pageblock, pfn) !== MIGRATE_ISOLATE) {
      return -EBUSY;
    }
  }
  let pfn = startPfn;
  while (pfn < endPfn) {
    if (!mem.pfnValid(pfn)) {
      pfn++;
      continue;
    }
    const page = mem.pfnToPage(pfn);
    if (pageBuddy(mem, page)) pfn += 1 << buddyOrder(mem, page); // the page is free
    else break;
  }
  return pfn < endPfn ? -EBUSY : 0;
}
