// Kernel: mm/truncate.c (truncate_inode_pages_range, truncate_inode_pages, truncate_inode_pages_final, truncate_inode_folio, truncate_inode_partial_folio, truncate_cleanup_folio, truncate_pagecache, truncate_setsize, pagecache_isize_extended, invalidate_mapping_pages, mapping_evict_folio, invalidate_exceptional_entry), mm/vmscan.c (remove_mapping, __remove_mapping's page-cache part) (v6.1) — taking pages out of the page cache
/*
 * Truncation removes every page and value entry of a range, zeroing the parts of the pages at
 * its edges that stay; pages still mapped are unmapped first by the callers (truncate_pagecache:
 * unmap_mapping_range). Invalidation (drop_caches) only drops what nobody uses: clean, not under
 * writeback, not mapped (no reference beyond the cache's and the caller's).
 *
 * Simplified: find_lock_entries never meets a locked page or one under writeback (one simulated
 * CPU at a time, no I/O yet), so truncate_inode_pages_range's second pass, which waits for them,
 * finds nothing and is not run.
 */
import { EIO, PAGE_SIZE, PG_dirty, PG_mappedtodisk, PG_private, PG_writeback } from "@mmsim/core";
import { AS_EXITING, type AddressSpace, type Inode } from "./fs.ts";
import {
  __filemapRemoveFolio, filemapFreeFolio, filemapLockFolio, filemapRemoveFolio, mappingEmpty,
} from "./filemap.ts";
import { zeroPageRange } from "./iov-iter.ts";
import { unmapMappingRange } from "./memory.ts";
import { folioCancelDirty } from "./page-writeback.ts";
import { folioLock, folioPut, folioTryGet, folioUnlock } from "./swap.ts";
import type { Vfs } from "./vfs.ts";
import { XA_EMPTY, XA_MAX_INDEX } from "./xarray.ts";
import { inodeAddLru } from "./inode.ts";

const DIRTY = 1 << PG_dirty;
const WRITEBACK = 1 << PG_writeback;
const PRIVATE = 1 << PG_private;
const MAPPEDTODISK = 1 << PG_mappedtodisk;

/** The truncate side of a page: unmap it if still mapped (it should not be), drop its dirtiness. Kernel: `truncate_cleanup_folio()`. */
export function truncateCleanupFolio(vfs: Vfs, mapping: AddressSpace, page: number): void {
  const mem = vfs.mem;
  if (mem.mapcount[page]! >= 0) {
    // unmap_mapping_folio: the page's own range of the file
    unmapMappingRange(vfs, mapping, mem.index[page]! * PAGE_SIZE, PAGE_SIZE, false);
  }
  // folio_invalidate (no private data on tmpfs/ramfs pages), folio_cancel_dirty
  if ((mem.flags[page]! & PRIVATE) !== 0) mapping.aOps.releaseFolio?.(page);
  folioCancelDirty(vfs, mapping, page);
  mem.flags[page] = mem.flags[page]! & ~MAPPEDTODISK; // folio_clear_mappedtodisk
}

/** Takes a locked page out of the cache. Kernel: `truncate_inode_folio()`. @returns 0, or -EIO if it left meanwhile */
export function truncateInodeFolio(vfs: Vfs, mapping: AddressSpace, page: number): number {
  if (vfs.mem.mapping[page] !== mapping.id) return -EIO;
  truncateCleanupFolio(vfs, mapping, page);
  filemapRemoveFolio(vfs, mapping, page);
  return 0;
}

/**
 * A page the range covers in part: the covered part is zeroed, or the page removed when the range
 * covers it all. Kernel: `truncate_inode_partial_folio()`.
 * @returns true when the page was handled (always, for order-0 folios)
 */
export function truncateInodePartialFolio(vfs: Vfs, mapping: AddressSpace, page: number, start: number, end: number): boolean {
  const pos = vfs.mem.index[page]! * PAGE_SIZE;
  const offset = pos < start ? start - pos : 0;
  let length = PAGE_SIZE;
  if (end < 0 || pos + length <= end) length -= offset;
  else length = end + 1 - pos - offset;
  if (length === PAGE_SIZE) {
    truncateInodeFolio(vfs, mapping, page);
    return true;
  }
  zeroPageRange(vfs, page, length);
  return true;
}

/**
 * Removes the pages and value entries of bytes [lstart, lend] (lend −1: to the end of the file):
 * whole pages leave the cache, the pages at the edges have the covered part zeroed. Kernel:
 * `truncate_inode_pages_range()`.
 */
export function truncateInodePagesRange(vfs: Vfs, mapping: AddressSpace, lstart: number, lend: number): void {
  if (mappingEmpty(mapping)) return;
  let start = Math.ceil(lstart / PAGE_SIZE);
  // end is exclusive; lend -1 means the end of the file
  let end = lend < 0 ? XA_MAX_INDEX + 1 : Math.floor((lend + 1) / PAGE_SIZE);
  const xa = mapping.iPages;
  const mem = vfs.mem;
  // find_lock_entries + truncate_folio_batch_exceptionals + delete_from_page_cache_batch
  for (let index = start < end ? xa.find(start, end - 1) : -1; index >= 0; index = index + 1 < end ? xa.find(index + 1, end - 1) : -1) {
    const e = xa.found;
    if (e < 0) {
      xa.erase(index); // clear_shadow_entry
      continue;
    }
    const page = e - 1;
    if (!folioTryGet(vfs, page)) continue;
    if ((mem.flags[page]! & WRITEBACK) !== 0) {
      folioPut(vfs, page);
      continue;
    }
    folioLock(vfs, page);
    truncateCleanupFolio(vfs, mapping, page);
    __filemapRemoveFolio(vfs, mapping, page, XA_EMPTY);
    filemapFreeFolio(vfs, mapping, page);
    folioUnlock(vfs, page);
    folioPut(vfs, page);
  }
  // the partial pages at the edges
  const firstIndex = Math.floor(lstart / PAGE_SIZE);
  let sameFolio = lend >= 0 && firstIndex === Math.floor(lend / PAGE_SIZE);
  let page = filemapLockFolio(vfs, mapping, firstIndex);
  if (page >= 0) {
    sameFolio = lend >= 0 && lend < (mem.index[page]! + 1) * PAGE_SIZE;
    if (!truncateInodePartialFolio(vfs, mapping, page, lstart, lend)) {
      start = mem.index[page]! + 1;
      if (sameFolio) end = mem.index[page]!;
    }
    folioUnlock(vfs, page);
    folioPut(vfs, page);
    page = -1;
  }
  if (!sameFolio && lend >= 0) page = filemapLockFolio(vfs, mapping, Math.floor(lend / PAGE_SIZE));
  if (page >= 0) {
    if (!truncateInodePartialFolio(vfs, mapping, page, lstart, lend)) end = mem.index[page]!;
    folioUnlock(vfs, page);
    folioPut(vfs, page);
  }
}

/** Kernel: `truncate_inode_pages()`. */
export function truncateInodePages(vfs: Vfs, mapping: AddressSpace, lstart: number): void {
  truncateInodePagesRange(vfs, mapping, lstart, -1);
}

/** The inode is being evicted: no new pages, then every page and entry goes. Kernel: `truncate_inode_pages_final()`. */
export function truncateInodePagesFinal(vfs: Vfs, mapping: AddressSpace): void {
  mapping.flags |= 1 << AS_EXITING;
  truncateInodePages(vfs, mapping, 0);
  if (!mapping.iPages.empty()) mapping.iPages.destroy();
}

/**
 * Shrinks the page cache to `newsize` bytes: unmap what lies beyond (private COW copies too),
 * drop it, unmap again. Kernel: `truncate_pagecache()`.
 */
export function truncatePagecache(vfs: Vfs, inode: Inode, newsize: number): void {
  const mapping = inode.iMapping;
  const holebegin = Math.ceil(newsize / PAGE_SIZE) * PAGE_SIZE;
  unmapMappingRange(vfs, mapping, holebegin, 0, true);
  truncateInodePages(vfs, mapping, newsize);
  unmapMappingRange(vfs, mapping, holebegin, 0, true);
}

/**
 * The file was extended: a page straddling the old EOF that is mapped writably would need
 * write-protecting (page_mkwrite on the next write); no filesystem here has blocks smaller than
 * a page, so nothing to do. Kernel: `pagecache_isize_extended()`.
 */
export function pagecacheIsizeExtended(_vfs: Vfs, _inode: Inode, _from: number, _to: number): void {}

/** Sets i_size and truncates the page cache to it. Kernel: `truncate_setsize()`. */
export function truncateSetsize(vfs: Vfs, inode: Inode, newsize: number): void {
  const oldsize = inode.iSize;
  inode.iSize = newsize;
  if (newsize > oldsize) pagecacheIsizeExtended(vfs, inode, oldsize, newsize);
  truncatePagecache(vfs, inode, newsize);
}

/**
 * Drops one locked page if nobody uses it: clean, not under writeback, no reference but the
 * cache's and the caller's (so not mapped); it leaves no shadow. Kernel: `mapping_evict_folio()`
 * + `remove_mapping()`.
 * @returns 1 if it was dropped, else 0
 */
export function mappingEvictFolio(vfs: Vfs, mapping: AddressSpace, page: number): number {
  const mem = vfs.mem;
  if (mem.mapping[page] !== mapping.id) return 0;
  if ((mem.flags[page]! & (DIRTY | WRITEBACK)) !== 0) return 0;
  const hasPrivate = (mem.flags[page]! & PRIVATE) !== 0 ? 1 : 0;
  if (mem.refcount[page]! > 1 + hasPrivate + 1) return 0;
  if (hasPrivate !== 0 && mapping.aOps.releaseFolio !== undefined && !mapping.aOps.releaseFolio(page)) return 0;
  // __remove_mapping (reclaimed = false: no shadow), then folio_ref_unfreeze(folio, 1): the cache's reference is gone
  __filemapRemoveFolio(vfs, mapping, page, XA_EMPTY);
  mapping.aOps.freeFolio?.(page);
  mem.refcount[page]!--;
  return 1;
}

/**
 * Drops the unused pages of [start, end] (page offsets; end −1: all) and the shadow entries of a
 * mapping (a shmem mapping's value entries are swap entries and stay). Kernel:
 * `invalidate_mapping_pages()` (→ __invalidate_mapping_pages, invalidate_exceptional_entry).
 * @returns entries dropped
 */
export function invalidateMappingPages(vfs: Vfs, mapping: AddressSpace, start: number, end: number): number {
  const xa = mapping.iPages;
  const mem = vfs.mem;
  const last = end < 0 ? XA_MAX_INDEX : end;
  let count = 0;
  for (let index = xa.find(start, last); index >= 0; index = index < last ? xa.find(index + 1, last) : -1) {
    const e = xa.found;
    if (e < 0) {
      if (!mapping.swapBacked) xa.erase(index); // clear_shadow_entry
      count++;
      continue;
    }
    const page = e - 1;
    // find_lock_entries: a reference and the lock (skipping pages locked or under writeback)
    if ((mem.flags[page]! & WRITEBACK) !== 0 || !folioTryGet(vfs, page)) continue;
    folioLock(vfs, page);
    const ret = mappingEvictFolio(vfs, mapping, page);
    folioUnlock(vfs, page);
    if (ret === 0) vfs.lru?.deactivateFileFolio(page);
    count += ret;
    folioPut(vfs, page);
  }
  // remove_mapping → __remove_mapping: the inode's cache emptied, an unused inode joins the LRU
  if (count > 0 && mapping.host.iCount === 0) inodeAddLru(mapping.host);
  return count;
}
