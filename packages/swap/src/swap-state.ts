// Kernel: mm/swap_state.c (v6.1) — the swap cache: add_to_swap, add_to_swap_cache, __delete_from_swap_cache / delete_from_swap_cache with shadows, clear_shadow_from_swap_cache, get_shadow_from_swap_cache, lookup_swap_cache with the readahead statistics, __read_swap_cache_async / read_swap_cache_async, swapin_nr_pages' adaptive window and swap_cluster_readahead; __try_to_reclaim_swap of mm/swapfile.c
/*
 * The swap cache is one address_space per SWAP_ADDRESS_SPACE_PAGES (16384) slots of an area,
 * indexed by slot offset: an XArray holding pages (PG_swapcache, the entry in page->private, one
 * reference held by the cache) and, where reclaim took a page out, its workingset shadow. Each
 * page counts in NR_FILE_PAGES and NR_SWAPCACHE (what meminfo's SwapCached shows), as 6.1's
 * add_to_swap_cache does.
 *
 * A page read in comes from the page allocator with the gfp the caller gives, is locked,
 * swap-backed, put in the cache (a shadow found there goes to workingset_refault), added to the
 * LRU (folio_add_lru, when a reclaim module runs) and read by swap_readpage; readahead pages get
 * PG_readahead, and a later lookup that finds one counts swap_ra_hit and widens the window.
 */
import {
  NR_FILE_PAGES, NR_SWAPCACHE, PG_dirty, PG_locked, PG_readahead, PG_swapbacked, PG_swapcache, PG_uptodate, SWAP_RA, SWAP_RA_HIT,
  pageToNid, swpEntry, swpOffset, swpType,
} from "@mmsim/core";
import { folioPut, xaIsValue, xaMkValue, xaToValue } from "@mmsim/filemap";
import { SWAP_ADDRESS_SPACE_SHIFT, type SwapInfoStruct } from "./swap-info.ts";
import type { Swap } from "./swapfile.ts";
import { swapReadpage } from "./page-io.ts";

/** __try_to_reclaim_swap's conditions. Kernel: `TTRS_ANYWAY`, `TTRS_UNMAPPED`, `TTRS_FULL`. */
export const TTRS_ANYWAY = 0x1;
export const TTRS_UNMAPPED = 0x2;
export const TTRS_FULL = 0x4;

const SWAPCACHE = 1 << PG_swapcache;
const SWAPBACKED = 1 << PG_swapbacked;
const LOCKED = 1 << PG_locked;
const UPTODATE = 1 << PG_uptodate;
const READAHEAD = 1 << PG_readahead;
const DIRTY = 1 << PG_dirty;

/** Kernel: `swap_address_space(entry)`'s index: the XArray of `offset`. */
function space(si: SwapInfoStruct, offset: number): number {
  return offset >>> SWAP_ADDRESS_SPACE_SHIFT;
}

/** The swap cache's slot of an entry (a page + 1, a shadow value, or 0). */
export function swapCacheEntry(sw: Swap, entry: number): number {
  const si = sw.swpSwapInfo(entry);
  if (si === null) return 0;
  const off = swpOffset(entry);
  return si.spaces[space(si, off)]!.load(off);
}

/** Pages in the swap cache. Kernel: `total_swapcache_pages()`. */
export function totalSwapcachePages(sw: Swap): number {
  let n = 0;
  for (const si of sw.swapInfo) for (let i = 0; i < si.spaceNrpages.length; i++) n += si.spaceNrpages[i]!;
  return n;
}

function statMod(sw: Swap, page: number, delta: number): void {
  const nid = pageToNid(sw.mem, page);
  sw.vmstat.modNodePageState(nid, NR_FILE_PAGES, delta);
  sw.vmstat.modNodePageState(nid, NR_SWAPCACHE, delta);
}

/**
 * Puts a page in the swap cache at `entry`: a reference, PG_swapcache, page->private, the
 * XArray slot (a shadow there is returned through `shadowOut[0]`), nrpages, NR_FILE_PAGES and
 * NR_SWAPCACHE. Kernel: `add_to_swap_cache()`.
 * @returns 0, -EEXIST when a page is already there, -EINVAL for an entry of no area
 */
export function addToSwapCache(sw: Swap, page: number, entry: number, _gfp: number, shadowOut: Float64Array | null): number {
  const si = sw.swpSwapInfo(entry);
  if (si === null) return -22;
  const off = swpOffset(entry);
  const sp = space(si, off);
  const xa = si.spaces[sp]!;
  // xas_load + xas_store in one walk: store, and put a page found there back (never on reclaim's path)
  const old = xa.store(off, page + 1);
  if (old > 0) {
    xa.store(off, old);
    return -17;
  }
  if (shadowOut !== null) shadowOut[0] = xaIsValue(old) ? xaToValue(old) : 0;
  const mem = sw.mem;
  mem.refcount[page]!++;
  mem.flags[page] = mem.flags[page]! | SWAPCACHE;
  mem.private[page] = entry;
  si.spaceNrpages[sp]!++;
  statMod(sw, page, 1);
  return 0;
}

/**
 * Takes a page out of the swap cache, leaving `shadow` (0: nothing) in its slot; the cache's
 * reference and the slot's SWAP_HAS_CACHE stay for the caller. Kernel: `__delete_from_swap_cache()`.
 */
export function __deleteFromSwapCache(sw: Swap, page: number, entry: number, shadow: number): void {
  const si = sw.swpSwapInfo(entry);
  if (si === null) return;
  const off = swpOffset(entry);
  const sp = space(si, off);
  si.spaces[sp]!.store(off, shadow !== 0 ? xaMkValue(shadow) : 0);
  const mem = sw.mem;
  mem.private[page] = 0;
  mem.flags[page] = mem.flags[page]! & ~SWAPCACHE;
  si.spaceNrpages[sp]!--;
  statMod(sw, page, -1);
}

/** Out of the swap cache with the slot's cache bit and the cache's reference dropped. Kernel: `delete_from_swap_cache()`. */
export function deleteFromSwapCache(sw: Swap, page: number): void {
  const entry = sw.mem.private[page]!;
  __deleteFromSwapCache(sw, page, entry, 0);
  sw.putSwapFolio(entry);
  putPage(sw, page);
}

/** Drops a page reference (the last frees it). Kernel: `put_page()` / `folio_put()`. */
export function putPage(sw: Swap, page: number): void {
  folioPut(sw.vfs, page);
}

/** Removes the shadows of freed slots [begin, end]. Kernel: `clear_shadow_from_swap_cache()`. */
export function clearShadowFromSwapCache(sw: Swap, si: SwapInfoStruct, begin: number, end: number): void {
  void sw;
  for (let off = begin; off <= end; off++) {
    const xa = si.spaces[space(si, off)];
    if (xa === undefined) continue;
    xa.eraseValue(off);
  }
}

/** The shadow left at an entry, or 0. Kernel: `get_shadow_from_swap_cache()`. */
export function getShadowFromSwapCache(sw: Swap, entry: number): number {
  const e = swapCacheEntry(sw, entry);
  return xaIsValue(e) ? xaToValue(e) : 0;
}

/**
 * The swap-cache page of `entry` with a reference, or -1; a page read ahead (PG_readahead) counts
 * swap_ra_hit and one readahead hit for swapin_nr_pages. Kernel: `lookup_swap_cache()` (no VMA:
 * the cluster readahead's statistics).
 */
export function lookupSwapCache(sw: Swap, entry: number, quiet: boolean): number {
  const e = swapCacheEntry(sw, entry);
  if (e <= 0) return -1;
  const page = e - 1;
  sw.mem.refcount[page]!++;
  if (quiet) return page;
  const f = sw.mem.flags;
  if ((f[page]! & READAHEAD) !== 0) {
    f[page] = f[page]! & ~READAHEAD; // TestClearPageReadahead
    sw.vmstat.countVmEvent(SWAP_RA_HIT);
    sw.swapinReadaheadHits++;
  }
  return page;
}

/**
 * Frees the slot of the cached page at `offset` if it is unmapped (TTRS_UNMAPPED), swap is
 * more than half full (TTRS_FULL), or anyway. Kernel: `__try_to_reclaim_swap()`.
 * @returns > 0 when freed, < 0 when a page was there but kept, 0 when none was there
 */
export function tryToReclaimSwap(sw: Swap, si: SwapInfoStruct, offset: number, flags: number): number {
  const entry = swpEntry(si.type, offset);
  const page = lookupSwapCache(sw, entry, true);
  if (page < 0) return 0;
  const f = sw.mem.flags;
  let freed = false;
  if ((f[page]! & LOCKED) === 0) {
    f[page] = f[page]! | LOCKED;
    if ((flags & TTRS_ANYWAY) !== 0 || ((flags & TTRS_UNMAPPED) !== 0 && sw.mem.mapcount[page]! < 0) || ((flags & TTRS_FULL) !== 0 && sw.vmSwapFull())) {
      freed = sw.folioFreeSwap(page);
    }
    f[page] = f[page]! & ~LOCKED;
  }
  putPage(sw, page);
  return freed ? 1 : -1;
}

/**
 * Gives an anonymous page a slot and puts it in the swap cache, dirty. Kernel: `add_to_swap()`.
 * @returns false when no slot is free
 */
export function addToSwap(sw: Swap, page: number): boolean {
  const entry = sw.folioAllocSwap(page);
  if (entry === 0) return false;
  if (addToSwapCache(sw, page, entry, 0, null) !== 0) {
    sw.putSwapFolio(entry);
    return false;
  }
  sw.mem.flags[page] = sw.mem.flags[page]! | DIRTY; // folio_mark_dirty: swap_dirty_folio sets PG_dirty only
  return true;
}

/**
 * The swap-cache page of `entry` with a reference: the one there, or a new locked page put in
 * the cache and on the LRU (not yet read: `sw.newPageAllocated`). Kernel: `__read_swap_cache_async()`.
 * @returns the page, or -1 (no memory, or the slot is no longer used)
 */
export function __readSwapCacheAsync(sw: Swap, entry: number, gfp: number): number {
  sw.newPageAllocated = false;
  const si = sw.swpSwapInfo(entry);
  if (si === null) return -1;
  for (;;) {
    const cached = lookupSwapCache(sw, entry, true);
    if (cached >= 0) return cached;
    // a slot with no user: nothing to read (unless the slot caches are off: it may be in one)
    if (sw.swapCountOf(entry) === 0 && sw.swapSlotCacheEnabled) return -1;
    const pfn = sw.pages.allocPages(gfp, 0, sw.cpu());
    if (pfn < 0) return -1;
    const page = sw.mem.pfnToPage(pfn);
    sw.vfs.contents.clear(pfn);
    const err = sw.swapcachePrepare(entry);
    if (err !== 0) {
      sw.pages.freePages(pfn, 0, sw.cpu());
      if (err !== -17) return -1; // -EEXIST: someone is adding it (never here: one CPU at a time)
      continue;
    }
    const f = sw.mem.flags;
    f[page] = f[page]! | LOCKED | SWAPBACKED;
    // mem_cgroup_swapin_charge_folio(folio, NULL, gfp, entry): the memcg the entry was charged to
    if (sw.vfs.memcg !== null && sw.vfs.memcg.swapinCharge(page, 1, gfp, entry, sw.cpu()) !== 0) {
      sw.putSwapFolio(entry);
      f[page] = f[page]! & ~LOCKED;
      putPage(sw, page);
      return -1;
    }
    const shadow = sw.shadowScratch;
    if (addToSwapCache(sw, page, entry, gfp, shadow) !== 0) {
      sw.putSwapFolio(entry);
      f[page] = f[page]! & ~LOCKED;
      putPage(sw, page);
      return -1;
    }
    const lru = sw.lru;
    if (shadow[0] !== 0 && lru !== null) lru.workingsetRefault(page, shadow[0]!);
    lru?.folioAddLru(page, sw.cpu());
    sw.newPageAllocated = true;
    return page;
  }
}

/** Kernel: `read_swap_cache_async()`: __read_swap_cache_async, then swap_readpage of a new page. @returns the page (uptodate) or -1 */
export function readSwapCacheAsync(sw: Swap, entry: number, gfp: number): number {
  const page = __readSwapCacheAsync(sw, entry, gfp);
  if (sw.newPageAllocated) swapReadpage(sw, page, true);
  return page;
}

/** Kernel: `__swapin_nr_pages()`: hits + 2 rounded up to a power of two ≥ 4, or 1 for an isolated fault; never below half the last window. */
export function __swapinNrPages(prevOffset: number, offset: number, hits: number, maxPages: number, prevWin: number): number {
  let pages = hits + 2;
  if (pages === 2) {
    if (offset !== prevOffset + 1 && offset !== prevOffset - 1) pages = 1;
  } else {
    let roundup = 4;
    while (roundup < pages) roundup <<= 1;
    pages = roundup;
  }
  if (pages > maxPages) pages = maxPages;
  const lastRa = prevWin >>> 1;
  if (pages < lastRa) pages = lastRa;
  return pages;
}

/** The readahead window for a fault at `offset` (vm.page-cluster bounds it). Kernel: `swapin_nr_pages()`. */
export function swapinNrPages(sw: Swap, offset: number): number {
  const maxPages = 1 << sw.pageCluster;
  if (maxPages <= 1) return 1;
  const hits = sw.swapinReadaheadHits;
  sw.swapinReadaheadHits = 0;
  const pages = __swapinNrPages(sw.prevOffset, offset, hits, maxPages, sw.lastReadaheadPages);
  if (hits === 0) sw.prevOffset = offset;
  sw.lastReadaheadPages = pages;
  return pages;
}

/**
 * Reads `entry` with the aligned cluster of slots around it (swapin_nr_pages of them; the
 * others get PG_readahead and count swap_ra). Kernel: `swap_cluster_readahead()`.
 * @returns the page of `entry` (uptodate, with a reference), or -1
 */
export function swapClusterReadahead(sw: Swap, entry: number, gfp: number): number {
  const si = sw.swpSwapInfo(entry);
  if (si === null) return -1;
  const entryOffset = swpOffset(entry);
  const mask = swapinNrPages(sw, entryOffset) - 1;
  if (mask !== 0) {
    let start = entryOffset & ~mask;
    let end = entryOffset | mask;
    if (start === 0) start++;
    if (end >= si.max) end = si.max - 1;
    const type = swpType(entry);
    sw.blkStartPlug();
    for (let offset = start; offset <= end; offset++) {
      const page = __readSwapCacheAsync(sw, swpEntry(type, offset), gfp);
      if (page < 0) continue;
      if (sw.newPageAllocated) {
        swapReadpage(sw, page, false);
        if (offset !== entryOffset) {
          sw.mem.flags[page] = sw.mem.flags[page]! | READAHEAD;
          sw.vmstat.countVmEvent(SWAP_RA);
        }
      }
      putPage(sw, page);
    }
    sw.blkFinishPlug();
    sw.lru?.lruAddDrain(sw.cpu());
  }
  return readSwapCacheAsync(sw, entry, gfp);
}

/** True when a page is uptodate (read). */
export function pageUptodate(sw: Swap, page: number): boolean {
  return (sw.mem.flags[page]! & UPTODATE) !== 0;
}
