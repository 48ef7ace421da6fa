// Kernel: mm/filemap.c (v6.1) — the page cache: adding and removing folios, lookups with FGP flags, filemap_read, generic_perform_write and the generic write path, filemap_fault, filemap_map_pages, filemap_page_mkwrite, generic_file_mmap
/*
 * Pages are MemMap page indices. A page-cache page has mem.mapping = its address_space's id,
 * mem.index = its offset in pages, one reference held by the cache (filemap_add_folio), and is
 * found through mapping.iPages (xarray.ts). NR_FILE_PAGES counts every page-cache page (shmem
 * ones too, with NR_SHMEM: shmem.ts adds its pages itself, as 6.1's shmem_add_to_page_cache).
 *
 * The read path is 6.1's filemap_read: batches of up to PAGEVEC_SIZE (15) consecutive uptodate
 * pages (filemap_get_read_batch), a miss read through the mapping's read_folio after
 * filemap_create_folio (readahead goes through `vfs.readahead` when the block issue gives one),
 * folio_mark_accessed on every page but the first of a batch that continues the previous read
 * (ra->prev_pos). Copies carry content identities (iov-iter.ts).
 *
 * Simplified: order-0 folios only; no memcg charge; the page lock is never contended (one
 * simulated CPU at a time: find_lock_entries, folio_wait_* never wait); no direct I/O, no
 * IOCB_NOWAIT/IOCB_NOIO; timestamps (file_update_time, file_accessed) are not kept.
 *
 * Invariants (validate.ts): every page-cache page is in its mapping's i_pages once, at its
 * index, with its mapping id; nrpages equals the page entries; NR_FILE_PAGES / NR_SHMEM equal
 * the page-cache pages / the swap-backed ones.
 */
import {
  EEXIST, EFAULT, EFBIG, EINVAL, EIO, ENOMEM, MmBugError, NIL_PFN, NR_FILE_PAGES, NR_SHMEM, PAGE_SIZE, PGMAJFAULT, PG_dirty, PG_locked,
  PG_readahead, PG_swapbacked, PG_uptodate, PG_writeback, __GFP_WRITE, debugVm,
} from "@mmsim/core";
import {
  FAULT_FLAG_TRIED, VM_FAULT_LOCKED, VM_FAULT_MAJOR, VM_FAULT_NOPAGE, VM_FAULT_OOM, VM_FAULT_RETRY, VM_FAULT_SIGBUS, VM_RAND_READ, VM_SEQ_READ,
  type VmAreaStruct, type VmFault,
  type VmOperationsStruct,
} from "@mmsim/vma";
import {
  type AddressSpace, AS_EXITING, File, IOCB_APPEND, IOCB_DSYNC, IOCB_SYNC, type IovIter, type Kiocb, MAX_LFS_FILESIZE,
} from "./fs.ts";
import { copyPageFromIter, copyPageToIter, iterSourceContent } from "./iov-iter.ts";
import { balanceDirtyPagesRatelimited, folioAccountCleaned, folioMarkDirty, mappingCanWriteback, nodeStatModPage } from "./page-writeback.ts";
import { folioGet, folioMarkAccessed, folioPut, folioTryGet, folioTrylock, folioUnlock } from "./swap.ts";
import type { Vfs } from "./vfs.ts";
import { XA_EMPTY, xaToValue } from "./xarray.ts";

// ---------------------------------------------------------------------------------------------
// pagemap.h: lookup flags
// ---------------------------------------------------------------------------------------------

/** Kernel: `FGP_ACCESSED` … `FGP_STABLE` (6.1's values). */
export const FGP_ACCESSED = 0x1;
export const FGP_LOCK = 0x2;
export const FGP_CREAT = 0x4;
export const FGP_WRITE = 0x8;
export const FGP_NOFS = 0x10;
export const FGP_NOWAIT = 0x20;
export const FGP_FOR_MMAP = 0x40;
export const FGP_ENTRY = 0x80;
export const FGP_STABLE = 0x100;
/** Pages of a read batch. Kernel: `PAGEVEC_SIZE`. */
export const PAGEVEC_SIZE = 15;
/** Kernel: `MAX_RW_COUNT` = INT_MAX & PAGE_MASK. */
export const MAX_RW_COUNT = 0x7ffff000;
/** Misses after which mmap readahead gives up. Kernel: `MMAP_LOTSAMISS`. */
export const MMAP_LOTSAMISS = 100;
/** Returned by writepage when the page should stay (locked) and be activated. Kernel: `AOP_WRITEPAGE_ACTIVATE`. */
export const AOP_WRITEPAGE_ACTIVATE = 0x80000;
/** Returned by a lookup that lost a race with truncate. Kernel: `AOP_TRUNCATED_PAGE`. */
export const AOP_TRUNCATED_PAGE = 0x80001;

const LOCKED = 1 << PG_locked;
const UPTODATE = 1 << PG_uptodate;
const DIRTY = 1 << PG_dirty;
const READAHEAD = 1 << PG_readahead;
const WRITEBACK = 1 << PG_writeback;
const SWAPBACKED = 1 << PG_swapbacked;

/** The readahead code of the block issue (mm/readahead.c); null: a miss reads only the page it needs. */
export interface ReadaheadOps {
  /** A read missed at `index`: read ahead of it. Kernel: `page_cache_sync_readahead()`. */
  syncReadahead(mapping: AddressSpace, file: File | null, index: number, reqCount: number): void;
  /** A read reached a PG_readahead page: start the next window. Kernel: `page_cache_async_readahead()`. */
  asyncReadahead(mapping: AddressSpace, file: File | null, page: number, index: number, reqCount: number): void;
  /**
   * A fault missed the page cache of `mapping`: mmap read-around (it keeps ra->mmap_miss).
   * Kernel: `do_sync_mmap_readahead()`. @returns -1 when this mapping has no readahead (ramfs),
   * 1 when it dropped mmap_lock for the I/O (fpin: the fault must be retried), else 0
   */
  syncMmapReadahead?(mapping: AddressSpace, file: File, pgoff: number, hints: { random?: boolean; sequential?: boolean }): number;
  /** A fault found its page: a hit for mmap_miss, async readahead at a PG_readahead page. Kernel: `do_async_mmap_readahead()`. @returns false when this mapping has no readahead */
  asyncMmapReadahead?(mapping: AddressSpace, file: File, pgoff: number, readaheadFlag: boolean, hints: { random?: boolean; sequential?: boolean }): boolean;
  /** The task needs a page that is locked for I/O: it waits for the I/O (folio_wait_locked). */
  waitOnPage?(page: number): void;
}

// ---------------------------------------------------------------------------------------------
// Adding and removing
// ---------------------------------------------------------------------------------------------

/** Kernel: `mapping_empty()`: no page and no value entry. */
export function mappingEmpty(mapping: AddressSpace): boolean {
  return mapping.iPages.empty();
}

/** Kernel: `mapping_mapped()`: some VMA maps the file. */
export function mappingMapped(mapping: AddressSpace): boolean {
  return mapping.iMmap.size > 0;
}

/** Kernel: `mapping_exiting()`. */
export function mappingExiting(mapping: AddressSpace): boolean {
  return (mapping.flags & (1 << AS_EXITING)) !== 0;
}

/** Allocates a page for the page cache. Kernel: `filemap_alloc_folio()` (order 0). @returns the page, or -1 */
export function filemapAllocFolio(vfs: Vfs, gfp: number): number {
  const pfn = vfs.pages.allocPages(gfp, 0, vfs.current().cpu);
  if (pfn === NIL_PFN) return -1;
  vfs.contents.clear(pfn);
  return vfs.mem.pfnToPage(pfn);
}

/**
 * Inserts a locked page at `index`: the cache's reference, page->mapping and ->index, the xarray
 * slot (a value entry there is returned in `shadowOut[0]`), nrpages, NR_FILE_PAGES. Kernel:
 * `__filemap_add_folio()`.
 * @returns 0, or -EEXIST when a page is already there
 */
export function __filemapAddFolio(vfs: Vfs, mapping: AddressSpace, page: number, index: number, shadowOut: Float64Array | null): number {
  const mem = vfs.mem;
  const old = mapping.iPages.load(index);
  if (old > 0) return -EEXIST;
  mem.refcount[page]!++; // folio_ref_add(folio, nr)
  mem.mapping[page] = mapping.id;
  mem.index[page] = index;
  mapping.iPages.store(index, page + 1);
  if (shadowOut !== null) shadowOut[0] = old < 0 ? old : 0;
  mapping.nrpages++;
  nodeStatModPage(vfs, page, NR_FILE_PAGES, 1);
  return 0;
}

/**
 * Adds a new page to the page cache, locked; a shadow entry it replaces is reported to the
 * workingset code (unless the page is being written), and the page goes on the LRU (through
 * vfs.lru when it exists). Kernel: `filemap_add_folio()`.
 * @returns 0, -EEXIST, or -ENOMEM (the memcg's charge failed)
 */
export function filemapAddFolio(vfs: Vfs, mapping: AddressSpace, page: number, index: number, gfp: number): number {
  const mem = vfs.mem;
  // __filemap_add_folio's mem_cgroup_charge(folio, NULL, gfp): current's memcg
  if (vfs.memcg !== null && vfs.memcg.charge(page, 1, gfp, vfs.current().cpu) !== 0) return -12;
  mem.flags[page] = mem.flags[page]! | LOCKED;
  const shadow = vfs.shadow;
  const err = __filemapAddFolio(vfs, mapping, page, index, shadow);
  if (err !== 0) {
    mem.flags[page] = mem.flags[page]! & ~LOCKED;
    if (vfs.memcg !== null) vfs.memcg.uncharge(page, 0); // if (charged) mem_cgroup_uncharge(folio)
    return err;
  }
  const lru = vfs.lru;
  if (lru !== null) {
    if ((gfp & __GFP_WRITE) === 0 && shadow[0] !== 0) lru.workingsetRefault(page, xaToValue(shadow[0]!));
    lru.folioAddLru(page, vfs.current().cpu);
  }
  return 0;
}

/**
 * Takes a page out of the counters: NR_FILE_PAGES, NR_SHMEM for a swap-backed one, the dirty
 * counters of a dirty page of a mapping that writes back. A page still mapped is a bug (6.1
 * logs "Bad page cache"). Kernel: `filemap_unaccount_folio()`.
 */
export function filemapUnaccountFolio(vfs: Vfs, mapping: AddressSpace, page: number): void {
  const mem = vfs.mem;
  if (mem.mapcount[page]! >= 0) {
    if (debugVm.on) throw new MmBugError("filemap.filemapUnaccountFolio", `page ${page} (index ${mem.index[page]} of mapping ${mapping.id}) is still mapped (mapcount ${mem.mapcount[page]! + 1}) as it leaves the page cache`);
    vfs.log?.printk(1, `BUG: Bad page cache in process ${vfs.current().comm} pfn:${mem.pageToPfn(page).toString(16).padStart(5, "0")}`);
  }
  nodeStatModPage(vfs, page, NR_FILE_PAGES, -1);
  if ((mem.flags[page]! & SWAPBACKED) !== 0) nodeStatModPage(vfs, page, NR_SHMEM, -1);
  // a dirty page leaving the cache of a mapping that writes back (harmless on tmpfs): fix the counters, keep the flag
  if ((mem.flags[page]! & DIRTY) !== 0 && mappingCanWriteback(mapping)) folioAccountCleaned(vfs, page);
}

/**
 * Replaces the page's slot with `shadow` (0: none), clears its marks, and unlinks the page
 * (page->index is left set). Kernel: `page_cache_delete()`.
 */
export function pageCacheDelete(vfs: Vfs, mapping: AddressSpace, page: number, shadow: number): void {
  const mem = vfs.mem;
  const index = mem.index[page]!;
  const xa = mapping.iPages;
  if (shadow !== XA_EMPTY) {
    xa.storeInitMarks(index, shadow); // xas_store + xas_init_marks: PAGECACHE_TAG_DIRTY, _WRITEBACK, _TOWRITE cleared
  } else {
    xa.erase(index);
  }
  mem.mapping[page] = 0;
  mapping.nrpages--;
}

/** Kernel: `__filemap_remove_folio()`. */
export function __filemapRemoveFolio(vfs: Vfs, mapping: AddressSpace, page: number, shadow: number): void {
  filemapUnaccountFolio(vfs, mapping, page);
  pageCacheDelete(vfs, mapping, page, shadow);
}

/** After removal: the filesystem's free_folio, then the cache's reference. Kernel: `filemap_free_folio()`. */
export function filemapFreeFolio(vfs: Vfs, mapping: AddressSpace, page: number): void {
  mapping.aOps.freeFolio?.(page);
  folioPut(vfs, page);
}

/**
 * Removes a locked page from the page cache and drops the cache's reference. Kernel:
 * `filemap_remove_folio()` / `delete_from_page_cache()`.
 */
export function filemapRemoveFolio(vfs: Vfs, mapping: AddressSpace, page: number): void {
  __filemapRemoveFolio(vfs, mapping, page, XA_EMPTY);
  filemapFreeFolio(vfs, mapping, page);
}

// ---------------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------------

/**
 * The entry at `index`: a page (with a reference taken for the caller: entry − 1 is the page), a
 * value entry, or XA_EMPTY. Kernel: `mapping_get_entry()` (6.1's name for filemap_get_entry).
 */
export function filemapGetEntry(vfs: Vfs, mapping: AddressSpace, index: number): number {
  const e = mapping.iPages.load(index);
  if (e > 0 && !folioTryGet(vfs, e - 1)) return XA_EMPTY;
  return e;
}

/**
 * Finds (and with FGP_CREAT adds) the page at `index`, with a reference for the caller:
 * FGP_LOCK returns it locked, FGP_ACCESSED marks it accessed, FGP_CREAT allocates a page with
 * `gfp` on a miss (locked unless FGP_FOR_MMAP). Kernel: `__filemap_get_folio()` (FGP_ENTRY callers
 * use filemapGetEntry).
 * @returns the page, or -1
 */
export function __filemapGetFolio(vfs: Vfs, mapping: AddressSpace, index: number, fgpFlags: number, gfp: number): number {
  const mem = vfs.mem;
  for (;;) {
    const e = filemapGetEntry(vfs, mapping, index);
    let page = e > 0 ? e - 1 : -1;
    if (page >= 0) {
      if ((fgpFlags & FGP_LOCK) !== 0) {
        if ((mem.flags[page]! & LOCKED) !== 0) vfs.readahead?.waitOnPage?.(page); // folio_lock sleeps until the I/O ends
        folioTrylock(vfs, page);
        if (mem.mapping[page] !== mapping.id) {
          // truncated while we slept on the lock
          folioUnlock(vfs, page);
          folioPut(vfs, page);
          continue;
        }
      }
      if ((fgpFlags & FGP_ACCESSED) !== 0) folioMarkAccessed(vfs, page);
      return page;
    }
    if ((fgpFlags & FGP_CREAT) === 0) return -1;
    if ((fgpFlags & FGP_WRITE) !== 0 && mappingCanWriteback(mapping)) gfp |= __GFP_WRITE;
    page = filemapAllocFolio(vfs, gfp);
    if (page < 0) return -1;
    if ((fgpFlags & FGP_ACCESSED) !== 0) mem.flags[page] = mem.flags[page]! | (1 << 1); // __folio_set_referenced
    const err = filemapAddFolio(vfs, mapping, page, index, gfp);
    if (err !== 0) {
      folioPut(vfs, page);
      if (err === -EEXIST) continue;
      return -1;
    }
    // filemap_add_folio locks the page; an mmap caller expects it unlocked
    if ((fgpFlags & FGP_FOR_MMAP) !== 0 || (fgpFlags & FGP_LOCK) === 0) folioUnlock(vfs, page);
    return page;
  }
}

/** Kernel: `filemap_get_folio()`. @returns the page with a reference, or -1 */
export function filemapGetFolio(vfs: Vfs, mapping: AddressSpace, index: number): number {
  return __filemapGetFolio(vfs, mapping, index, 0, 0);
}

/** Kernel: `filemap_lock_folio()`. @returns the locked page with a reference, or -1 */
export function filemapLockFolio(vfs: Vfs, mapping: AddressSpace, index: number): number {
  return __filemapGetFolio(vfs, mapping, index, FGP_LOCK, 0);
}

/** Kernel: `pagecache_get_page()` (folio_file_page of __filemap_get_folio). */
export function pagecacheGetPage(vfs: Vfs, mapping: AddressSpace, index: number, fgpFlags: number, gfp: number): number {
  return __filemapGetFolio(vfs, mapping, index, fgpFlags, gfp);
}

/** Kernel: `grab_cache_page_write_begin()`. @returns the locked page with a reference, or -1 */
export function grabCachePageWriteBegin(vfs: Vfs, mapping: AddressSpace, index: number): number {
  return __filemapGetFolio(vfs, mapping, index, FGP_LOCK | FGP_WRITE | FGP_CREAT | FGP_STABLE, mapping.gfpMask);
}

// ---------------------------------------------------------------------------------------------
// filemap_read
// ---------------------------------------------------------------------------------------------

/**
 * Fills vfs.batch with up to PAGEVEC_SIZE consecutive pages from `index` (below `max`), each with
 * a reference; it stops at a gap, a value entry, a page not uptodate or a readahead mark (that
 * page is the last). Kernel: `filemap_get_read_batch()`.
 * @returns pages in the batch
 */
export function filemapGetReadBatch(vfs: Vfs, mapping: AddressSpace, index: number, max: number): number {
  const batch = vfs.batch;
  const xa = mapping.iPages;
  const flags = vfs.mem.flags;
  let n = 0;
  for (let i = index; i < max && n < PAGEVEC_SIZE; i++) {
    const e = xa.load(i);
    if (e <= 0) break;
    const page = e - 1;
    if (!folioTryGet(vfs, page)) break;
    batch[n++] = page;
    const f = flags[page]!;
    if ((f & UPTODATE) === 0 || (f & READAHEAD) !== 0) break;
  }
  return n;
}

/**
 * Reads a locked page through the mapping's read_folio (which unlocks it). Kernel:
 * `filemap_read_folio()`.
 * @returns 0, or -errno (-EIO when it did not become uptodate)
 */
export function filemapReadFolio(vfs: Vfs, file: File | null, mapping: AddressSpace, page: number): number {
  const read = mapping.aOps.readFolio;
  if (read === undefined) {
    folioUnlock(vfs, page);
    return -EIO;
  }
  const err = read.call(mapping.aOps, file, page);
  if (err !== 0) return err;
  return (vfs.mem.flags[page]! & UPTODATE) !== 0 ? 0 : -EIO;
}

/**
 * A read missed at `index`: a new page, added and read. Kernel: `filemap_create_folio()`.
 * @returns 0 with the page in vfs.batch[0], AOP_TRUNCATED_PAGE (retry), or -errno
 */
function filemapCreateFolio(vfs: Vfs, file: File, mapping: AddressSpace, index: number): number {
  const page = filemapAllocFolio(vfs, mapping.gfpMask);
  if (page < 0) return -ENOMEM;
  let err = filemapAddFolio(vfs, mapping, page, index, mapping.gfpMask);
  if (err === -EEXIST) err = AOP_TRUNCATED_PAGE;
  if (err === 0) err = filemapReadFolio(vfs, file, mapping, page);
  if (err !== 0) {
    folioPut(vfs, page);
    return err;
  }
  vfs.batch[0] = page;
  return 0;
}

/**
 * Brings a page that is not uptodate up to date. Kernel: `filemap_update_page()` (its read).
 * @returns 0 or -errno
 */
function filemapUpdatePage(vfs: Vfs, file: File, mapping: AddressSpace, page: number): number {
  // folio_lock_killable: a page being read is locked until its bio completes
  if ((vfs.mem.flags[page]! & LOCKED) !== 0) vfs.readahead?.waitOnPage?.(page);
  if (!folioTrylock(vfs, page)) return -EIO;
  if (vfs.mem.mapping[page] !== mapping.id) {
    folioUnlock(vfs, page);
    return AOP_TRUNCATED_PAGE;
  }
  if ((vfs.mem.flags[page]! & UPTODATE) !== 0) {
    folioUnlock(vfs, page);
    return 0;
  }
  return filemapReadFolio(vfs, file, mapping, page);
}

/**
 * The pages the next part of a read copies from, in vfs.batch. Kernel: `filemap_get_pages()`.
 * @returns pages in the batch (≥ 1), or -errno
 */
function filemapGetPages(vfs: Vfs, iocb: Kiocb, count: number): number {
  const file = iocb.filp!;
  const mapping = file.fMapping;
  const index = Math.floor(iocb.pos / PAGE_SIZE);
  const lastIndex = Math.ceil((iocb.pos + count) / PAGE_SIZE);
  for (;;) {
    let n = filemapGetReadBatch(vfs, mapping, index, lastIndex);
    if (n === 0) {
      const ra = vfs.readahead;
      if (ra !== null) {
        ra.syncReadahead(mapping, file, index, lastIndex - index);
        n = filemapGetReadBatch(vfs, mapping, index, lastIndex);
      }
    }
    if (n === 0) {
      const err = filemapCreateFolio(vfs, file, mapping, index);
      if (err === AOP_TRUNCATED_PAGE) continue;
      return err < 0 ? err : 1;
    }
    const last = vfs.batch[n - 1]!;
    let err = 0;
    if ((vfs.mem.flags[last]! & READAHEAD) !== 0 && vfs.readahead !== null) {
      vfs.mem.flags[last] = vfs.mem.flags[last]! & ~READAHEAD;
      vfs.readahead.asyncReadahead(mapping, file, last, vfs.mem.index[last]!, lastIndex - vfs.mem.index[last]!);
    }
    if ((vfs.mem.flags[last]! & UPTODATE) === 0) err = filemapUpdatePage(vfs, file, mapping, last);
    if (err === 0) return n;
    folioPut(vfs, last);
    if (--n > 0) return n;
    if (err === AOP_TRUNCATED_PAGE) continue;
    return err;
  }
}

/**
 * Reads from the page cache into the user buffer, up to EOF. Kernel: `filemap_read()` (what
 * generic_file_read_iter does without O_DIRECT).
 * @returns bytes read (0 at or past EOF), or -errno when nothing was read
 */
export function filemapRead(vfs: Vfs, iocb: Kiocb, iter: IovIter, alreadyRead: number): number {
  const file = iocb.filp!;
  const inode = file.fInode;
  const ra = file.fRa;
  const batch = vfs.batch;
  if (iocb.pos >= inode.iSb.sMaxbytes) return 0;
  if (iter.count === 0) return 0;
  if (iter.count > inode.iSb.sMaxbytes - iocb.pos) iter.count = inode.iSb.sMaxbytes - iocb.pos;
  let error = 0;
  let isize = 0;
  do {
    if (iocb.pos >= inode.iSize) break;
    const n = filemapGetPages(vfs, iocb, iter.count);
    if (n < 0) {
      error = n;
      break;
    }
    isize = inode.iSize;
    if (iocb.pos < isize) {
      const endOffset = Math.min(isize, iocb.pos + iter.count);
      // a sequential read that touches a page several times marks it accessed the first time only
      if (Math.floor(iocb.pos / PAGE_SIZE) !== Math.floor(ra.prevPos / PAGE_SIZE)) folioMarkAccessed(vfs, batch[0]!);
      for (let i = 0; i < n; i++) {
        const page = batch[i]!;
        const offset = iocb.pos % PAGE_SIZE;
        const bytes = Math.min(endOffset - iocb.pos, PAGE_SIZE - offset);
        if (endOffset < vfs.mem.index[page]! * PAGE_SIZE || bytes <= 0) break;
        if (i > 0) folioMarkAccessed(vfs, page);
        const copied = copyPageToIter(vfs, page, offset, bytes, iter);
        alreadyRead += copied;
        iocb.pos += copied;
        ra.prevPos = iocb.pos;
        if (copied < bytes) {
          error = -EFAULT;
          break;
        }
      }
    }
    for (let i = 0; i < n; i++) folioPut(vfs, batch[i]!);
  } while (iter.count > 0 && iocb.pos < isize && error === 0);
  return alreadyRead > 0 ? alreadyRead : error;
}

/** Kernel: `generic_file_read_iter()` (buffered). */
export function genericFileReadIter(vfs: Vfs, iocb: Kiocb, iter: IovIter): number {
  if (iter.count === 0) return 0;
  return filemapRead(vfs, iocb, iter, 0);
}

// ---------------------------------------------------------------------------------------------
// The write path
// ---------------------------------------------------------------------------------------------

/**
 * The write's position and size within the limits: O_APPEND writes at i_size; beyond s_maxbytes
 * (MAX_LFS_FILESIZE) is -EFBIG, a write reaching past it is cut short. Kernel:
 * `generic_write_checks()` + `generic_write_check_limits()` (no RLIMIT_FSIZE).
 * @returns bytes to write, or -errno
 */
export function genericWriteChecks(iocb: Kiocb, iter: IovIter): number {
  const file = iocb.filp!;
  const inode = file.fMapping.host;
  if (iter.count === 0) return 0;
  if ((iocb.flags & IOCB_APPEND) !== 0) iocb.pos = inode.iSize;
  const maxSize = inode.iSb.sMaxbytes;
  if (iocb.pos >= maxSize) return -EFBIG;
  if (iter.count > maxSize - iocb.pos) iter.count = maxSize - iocb.pos;
  return iter.count;
}

/**
 * Copies the user data into the page cache one page at a time through the mapping's
 * write_begin / write_end; stops at the first error (a short write returns what was written).
 * Kernel: `generic_perform_write()`.
 * @returns bytes written, or -errno when none were
 */
export function genericPerformWrite(vfs: Vfs, iocb: Kiocb, iter: IovIter): number {
  const file = iocb.filp!;
  const mapping = file.fMapping;
  const aOps = mapping.aOps;
  const out = vfs.writeBegin;
  let pos = iocb.pos;
  let status = 0;
  let written = 0;
  do {
    const offset = pos % PAGE_SIZE;
    const bytes = Math.min(PAGE_SIZE - offset, iter.count);
    // bring in the user page we copy from first
    const src = iterSourceContent(iter, bytes);
    if (src < 0) {
      status = -EFAULT;
      break;
    }
    out.page = -1;
    status = aOps.writeBegin(file, mapping, pos, bytes, out);
    if (status < 0) break;
    const page = out.page;
    const copied = copyPageFromIter(vfs, page, offset, bytes, src, iter);
    status = aOps.writeEnd(file, mapping, pos, bytes, copied, page);
    if (status !== copied) {
      iter.revert(copied - Math.max(status, 0));
      if (status < 0) break;
    }
    if (status === 0) {
      status = -EFAULT;
      break;
    }
    pos += status;
    written += status;
    balanceDirtyPagesRatelimited(vfs, mapping);
  } while (iter.count > 0);
  return written > 0 ? written : status;
}

/** Kernel: `__generic_file_write_iter()` (buffered: no file_remove_privs or times to keep here). */
export function __genericFileWriteIter(vfs: Vfs, iocb: Kiocb, iter: IovIter): number {
  const written = genericPerformWrite(vfs, iocb, iter);
  if (written > 0) iocb.pos += written;
  return written;
}

/**
 * write(2)'s path for page-cache files: the checks, the copy, then O_SYNC/O_DSYNC's sync.
 * Kernel: `generic_file_write_iter()` + `generic_write_sync()`.
 * @returns bytes written, or -errno
 */
export function genericFileWriteIter(vfs: Vfs, iocb: Kiocb, iter: IovIter): number {
  let ret = genericWriteChecks(iocb, iter);
  if (ret > 0) ret = __genericFileWriteIter(vfs, iocb, iter);
  if (ret > 0 && (iocb.flags & (IOCB_DSYNC | IOCB_SYNC)) !== 0) {
    const file = iocb.filp!;
    const fsync = file.fOp.fsync;
    if (fsync === undefined) return -EINVAL;
    const err = fsync.call(file.fOp, file, iocb.pos - ret, iocb.pos - 1, (iocb.flags & IOCB_SYNC) === 0);
    if (err !== 0) return err;
  }
  return ret;
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

/** The file of a file-backed VMA this package made (its vm_file). */
export function vmaFile(vma: VmAreaStruct): File {
  const f = vma.vmFile;
  if (!(f instanceof File)) throw new MmBugError("filemap.vmaFile", `VMA ${vma.vmStart.toString(16)}-${vma.vmEnd.toString(16)} has vm_ops of the page cache but its vm_file is not a page-cache file`);
  return f;
}

/**
 * Fault-around: maps the uptodate, unlocked pages cached in [startPgoff, endPgoff] below EOF
 * through vmf.sink.doSetPte, a reference each (dropped when the PTE was already there). Kernel:
 * `filemap_map_pages()` (next_uptodate_page's checks; no PMD mapping: order-0 folios).
 * @returns VM_FAULT_NOPAGE when the faulting address got its PTE, else 0
 */
export function filemapMapPages(vfs: Vfs, vmf: VmFault, startPgoff: number, endPgoff: number): number {
  const vma = vmf.vma!;
  const file = vmaFile(vma);
  const mapping = file.fMapping;
  const xa = mapping.iPages;
  const mem = vfs.mem;
  const sink = vmf.sink!;
  const maxIdx = Math.ceil(mapping.host.iSize / PAGE_SIZE);
  let mmapMiss = file.fRa.mmapMiss;
  let ret = 0;
  for (let index = xa.find(startPgoff, endPgoff); index >= 0; index = index < endPgoff ? xa.find(index + 1, endPgoff) : -1) {
    const e = xa.found;
    if (e < 0) continue;
    const page = e - 1;
    if ((mem.flags[page]! & LOCKED) !== 0) continue;
    if (!folioTryGet(vfs, page)) continue;
    const f = mem.flags[page]!;
    if ((f & UPTODATE) === 0 || (f & READAHEAD) !== 0 || !folioTrylock(vfs, page)) {
      folioPut(vfs, page);
      continue;
    }
    if (mem.mapping[page] !== mapping.id || index >= maxIdx) {
      folioUnlock(vfs, page);
      folioPut(vfs, page);
      continue;
    }
    if (mmapMiss > 0) mmapMiss--;
    const addr = vma.vmStart + (index - vma.vmPgoff) * PAGE_SIZE;
    if (sink.doSetPte(vmf, page, addr)) {
      if (vmf.address === addr) ret = VM_FAULT_NOPAGE;
      folioUnlock(vfs, page);
    } else {
      folioUnlock(vfs, page);
      folioPut(vfs, page);
    }
  }
  file.fRa.mmapMiss = mmapMiss;
  return ret;
}

/**
 * The fault handler of a file with a backing store (ramfs here, the block issue's filesystem
 * later): the cached page, or a new one read through read_folio (a major fault: PGMAJFAULT);
 * SIGBUS at or beyond EOF. The page comes back in vmf.page with a reference, unlocked.
 * Kernel: `filemap_fault()` (no readahead without vfs.readahead).
 * @returns 0, VM_FAULT_MAJOR, VM_FAULT_SIGBUS or VM_FAULT_OOM
 */
export function filemapFault(vfs: Vfs, vmf: VmFault): number {
  const vma = vmf.vma!;
  const file = vmaFile(vma);
  const mapping = file.fMapping;
  const index = vmf.pgoff;
  const ra = vfs.readahead;
  const hints = { random: (vma.vmFlags & VM_RAND_READ) !== 0, sequential: (vma.vmFlags & VM_SEQ_READ) !== 0 };
  const mem = vfs.mem;
  let ret = 0;
  /** mmap_lock was dropped for readahead's I/O: the fault ends in VM_FAULT_RETRY. Kernel: `fpin`. */
  let fpin = false;
  if (index >= Math.ceil(mapping.host.iSize / PAGE_SIZE)) return VM_FAULT_SIGBUS;
  let page = filemapGetFolio(vfs, mapping, index);
  if (page >= 0) {
    // do_async_mmap_readahead: a hit pays back one miss; a PG_readahead page starts the next window
    const mark = (mem.flags[page]! & READAHEAD) !== 0;
    if (ra?.asyncMmapReadahead !== undefined && (vmf.flags & FAULT_FLAG_TRIED) === 0 && ra.asyncMmapReadahead(mapping, file, index, mark, hints)) {
      // the readahead's I/O was started with mmap_lock dropped (fpin): the fault is retried
      if (mark) {
        folioPut(vfs, page);
        return VM_FAULT_RETRY;
      }
    } else if ((vmf.flags & FAULT_FLAG_TRIED) === 0 && file.fRa.mmapMiss > 0) file.fRa.mmapMiss--;
  } else {
    // no page in the page cache at all
    vfs.vmstat.countVmEvent(PGMAJFAULT);
    ret = VM_FAULT_MAJOR;
    let handled = -1;
    if (ra?.syncMmapReadahead !== undefined && (vmf.flags & FAULT_FLAG_TRIED) === 0) handled = ra.syncMmapReadahead(mapping, file, index, hints);
    fpin = handled === 1;
    if (handled < 0) {
      if (file.fRa.mmapMiss < MMAP_LOTSAMISS * 10) file.fRa.mmapMiss++; // do_sync_mmap_readahead
      if (ra !== null && ra.syncMmapReadahead === undefined && (vmf.flags & FAULT_FLAG_TRIED) === 0) ra.syncReadahead(mapping, file, index, 1);
    }
    page = __filemapGetFolio(vfs, mapping, index, FGP_CREAT | FGP_FOR_MMAP, mapping.gfpMask);
    if (page < 0) return VM_FAULT_OOM;
  }
  if ((mem.flags[page]! & LOCKED) !== 0 && ra?.waitOnPage !== undefined) {
    // lock_folio_maybe_drop_mmap: the page is being read; the first try drops mmap_lock, waits and retries
    ra.waitOnPage(page);
    if ((vmf.flags & FAULT_FLAG_TRIED) === 0) {
      folioPut(vfs, page);
      return ret | VM_FAULT_RETRY;
    }
  }
  if ((mem.flags[page]! & UPTODATE) === 0) {
    folioTrylock(vfs, page);
    const err = filemapReadFolio(vfs, file, mapping, page);
    if (err !== 0) {
      folioPut(vfs, page);
      return VM_FAULT_SIGBUS;
    }
  }
  if (index >= Math.ceil(mapping.host.iSize / PAGE_SIZE)) {
    folioPut(vfs, page);
    return VM_FAULT_SIGBUS;
  }
  if (fpin) {
    // "we had to drop our mmap_lock, now is the time to return to the upper layer and redo the fault"
    folioPut(vfs, page);
    return ret | VM_FAULT_RETRY;
  }
  vmf.page = page;
  return ret;
}

/**
 * A shared mapping's page is about to become writable: still in the cache, it is marked dirty.
 * Kernel: `filemap_page_mkwrite()`.
 * @returns VM_FAULT_LOCKED (success, as 6.1 returns it; the page lock is not held across the
 *   call here), or VM_FAULT_NOPAGE when truncate took the page meanwhile
 */
export function filemapPageMkwrite(vfs: Vfs, vmf: VmFault): number {
  const mapping = vmaFile(vmf.vma!).fMapping;
  const page = vmf.page;
  if (vfs.mem.mapping[page] !== mapping.id) return VM_FAULT_NOPAGE;
  folioMarkDirty(vfs, mapping, page);
  return VM_FAULT_LOCKED;
}

/**
 * After a write fault dirtied a shared mapping's page: set_page_dirty and the dirty throttle.
 * Kernel: memory.c's `fault_dirty_shared_page()` (its page-cache half).
 */
export function filemapDirtySharedPage(vfs: Vfs, vmf: VmFault, page: number): void {
  const mapping = vmaFile(vmf.vma!).fMapping;
  if (vfs.mem.mapping[page] !== mapping.id) return;
  folioMarkDirty(vfs, mapping, page);
  balanceDirtyPagesRatelimited(vfs, mapping);
}

/** vm_ops of a file with a backing store. Kernel: `generic_file_vm_ops`. */
export function genericFileVmOps(vfs: Vfs): VmOperationsStruct {
  return {
    fault: (vmf) => filemapFault(vfs, vmf),
    mapPages: (vmf, start, end) => filemapMapPages(vfs, vmf, start, end),
    pageMkwrite: (vmf) => filemapPageMkwrite(vfs, vmf),
    dirtySharedPage: (vmf, page) => filemapDirtySharedPage(vfs, vmf, page),
  };
}

/**
 * f_op->mmap of a file with a backing store: its VMA gets generic_file_vm_ops. Kernel:
 * `generic_file_mmap()` (-ENOEXEC without read_folio).
 */
export function genericFileMmap(vfs: Vfs, file: File, vma: VmAreaStruct): number {
  if (file.fMapping.aOps.readFolio === undefined) return -8; // -ENOEXEC
  vma.vmOps = vfs.genericFileVmOps;
  return 0;
}

/** Pages of `mapping` that are dirty or under writeback (for fsync's and validate's counts). */
export function mappingDirtyPages(vfs: Vfs, mapping: AddressSpace): number {
  let n = 0;
  const xa = mapping.iPages;
  for (let i = xa.find(0, MAX_LFS_FILESIZE / PAGE_SIZE); i >= 0; i = xa.find(i + 1, MAX_LFS_FILESIZE / PAGE_SIZE)) {
    const e = xa.found;
    if (e > 0 && (vfs.mem.flags[e - 1]! & (DIRTY | WRITEBACK)) !== 0) n++;
  }
  return n;
}

/** Takes an extra reference on a page for a caller that keeps it (vmf.page of a fault). */
export function pageCacheGet(vfs: Vfs, page: number): void {
  folioGet(vfs, page);
}
