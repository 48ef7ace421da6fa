// Kernel: mm/swap.c (folio_mark_accessed, __folio_put), include/linux/mm.h (folio_get, folio_try_get, folio_put), include/linux/pagemap.h (folio_lock, folio_trylock, folio_unlock) (v6.1) — page references, the page lock and the accessed bit of page-cache pages
/*
 * A page-cache page is referenced by the cache itself (one reference, filemap_add_folio), by each
 * PTE mapping it (the fault path's), and by whoever looked it up and has not put it yet. The last
 * put frees it: its content identity is forgotten and it goes back to the page allocator, whose
 * free_pages_prepare() reports a page still holding a mapping ("Bad page state").
 *
 * The page lock (PG_locked) is taken and dropped within one call here: one simulated CPU runs at
 * a time, so nobody ever waits on it; it is kept so that the checks that skip locked pages
 * (filemap_map_pages, find_lock_entries) read the same flag as the kernel's.
 *
 * Without an LRU (the reclaim issue's), folio_mark_accessed's second touch sets PG_active directly
 * (what __lru_cache_activate_folio does for a page still in a per-CPU batch); with the Vfs's
 * `lru` hooks it activates a page on the LRU through them.
 */
import { MmBugError, PG_active, PG_locked, PG_referenced, PG_unevictable, debugVm } from "@mmsim/core";
import type { Vfs } from "./vfs.ts";

const LOCKED = 1 << PG_locked;
const REFERENCED = 1 << PG_referenced;
const ACTIVE = 1 << PG_active;
const UNEVICTABLE = 1 << PG_unevictable;


/** Takes a reference. Kernel: `folio_get()`. */
export function folioGet(vfs: Vfs, page: number): void {
  vfs.mem.refcount[page]!++;
}

/** Takes a reference unless the page is being freed (refcount 0). Kernel: `folio_try_get()`. */
export function folioTryGet(vfs: Vfs, page: number): boolean {
  const rc = vfs.mem.refcount;
  if (rc[page]! <= 0) return false;
  rc[page]!++;
  return true;
}

/**
 * Drops a reference; the last one frees the page. Kernel: `folio_put()` → `__folio_put()` →
 * `free_unref_page()`.
 */
export function folioPut(vfs: Vfs, page: number): void {
  const mem = vfs.mem;
  const rc = mem.refcount[page]!;
  if (rc > 1) {
    mem.refcount[page] = rc - 1;
    return;
  }
  if (debugVm.on && rc !== 1) throw new MmBugError("filemap.folioPut", "page " + page + " put with refcount " + rc);
  const pfn = mem.pageToPfn(page);
  vfs.lru?.pageCacheRelease(page); // __folio_put → __page_cache_release
  vfs.contents.clear(pfn);
  vfs.pages.freePages(pfn, 0, vfs.current().cpu);
}

/** Drops `nr` references. Kernel: `folio_put_refs()`. */
export function folioPutRefs(vfs: Vfs, page: number, nr: number): void {
  for (let i = 0; i < nr; i++) folioPut(vfs, page);
}

/** Kernel: `folio_trylock()`. @returns true if it was unlocked and is now locked */
export function folioTrylock(vfs: Vfs, page: number): boolean {
  const f = vfs.mem.flags;
  if ((f[page]! & LOCKED) !== 0) return false;
  f[page] = f[page]! | LOCKED;
  return true;
}

/** Kernel: `folio_lock()` (nobody else can hold it here: a held lock is a bug). */
export function folioLock(vfs: Vfs, page: number): void {
  if ((vfs.mem.flags[page]! & LOCKED) !== 0) vfs.readahead?.waitOnPage?.(page); // a page under read I/O: sleep until it completes
  if (!folioTrylock(vfs, page) && debugVm.on) throw new MmBugError("filemap.folioLock", `page ${page} is already locked: the lock was not dropped by the call that took it`);
}

/** Kernel: `folio_unlock()`. */
export function folioUnlock(vfs: Vfs, page: number): void {
  const f = vfs.mem.flags;
  f[page] = f[page]! & ~LOCKED;
}

/**
 * A page was used: the first touch sets PG_referenced, the second makes it active (clearing
 * PG_referenced); unevictable pages stay as they are. Kernel: `folio_mark_accessed()` (the
 * classic LRU; CONFIG_LRU_GEN is built but off on the reference kernel).
 */
export function folioMarkAccessed(vfs: Vfs, page: number): void {
  const lru = vfs.lru;
  if (lru !== null) {
    lru.folioMarkAccessed(page); // the reclaim policy's folio_mark_accessed
    return;
  }
  const flags = vfs.mem.flags;
  const f = flags[page]!;
  if ((f & REFERENCED) === 0) {
    flags[page] = f | REFERENCED;
  } else if ((f & UNEVICTABLE) !== 0) {
    // the unevictable list is never rotated: marking it accessed has no effect
  } else if ((f & ACTIVE) === 0) {
    flags[page] = flags[page]! | ACTIVE; // __lru_cache_activate_folio
    flags[page] = flags[page]! & ~REFERENCED;
  }
}
