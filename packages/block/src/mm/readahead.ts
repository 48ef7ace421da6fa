// Kernel: mm/readahead.c (file_ra_state_init, page_cache_ra_unbounded, do_page_cache_ra, force_page_cache_ra, get_init_ra_size, get_next_ra_size, count_history_pages, try_context_readahead, page_cache_ra_order, ondemand_readahead, page_cache_sync_ra, page_cache_async_ra), mm/filemap.c (page_cache_next_miss, page_cache_prev_miss, do_sync_mmap_readahead, do_async_mmap_readahead), mm/fadvise.c (generic_fadvise) (v6.1.166) — the readahead decisions, over any page cache
/*
 * Pure logic, for @mmsim/filemap to call (it belongs in that package, or in a package of its
 * own between block and filemap, once the page cache exists; it lives here until then because it
 * needs nothing but the page cache's answers). The page cache is reached through
 * ReadaheadMapping: which indexes hold a folio, how to add one (locked, not uptodate, maybe with
 * PG_readahead) and how to start the read of a run of new folios (read_pages → ->readahead, which
 * for the disk filesystem is mpage_readahead: one bio per run of contiguous blocks).
 *
 * Followed to the line, for order-0 folios (the disk filesystem has no large folios, so
 * page_cache_ra_order always takes its fallback, do_page_cache_ra): the window state
 * {start, size, async_size}; the initial window get_init_ra_size (×4 up to max/32, ×2 up to
 * max/4, else max: 1–2 pages → 4, 3–4 → 8, 5–8 → 16, more → 32 with ra_pages 32); the ramp
 * get_next_ra_size (×4 below max/16, ×2 up to max/2, else max); PG_readahead on the folio at
 * start + size − async_size of what was actually added (not on folios already cached); the hit
 * on the marker (async) pushing the window forward; an oversize request using up to the bdi's
 * io_pages; the sequential test on prev_pos; the context readahead over cached history; the
 * readahead of a window that its own read would hit (readit: merged next window); the clip at
 * EOF; runs of already-cached pages splitting the read into several ->readahead calls.
 * 6.1.166's two stable fixes are in (the round_down of `expected`, `max(ra->size, next)`), as in
 * the reference kernel (6.1.192). page_cache_next_miss/prev_miss behave as 6.1's do: when no gap
 * is found they return the last index scanned (index ± max_scan ∓ 1), not one past it.
 *
 * Not modelled: blk_cgroup_congested() (no cgroup I/O throttling: never congested), PSI's
 * memstall around a refault of workingset pages, a ->readahead that leaves folios unread (the
 * clean-up loop of read_pages that shrinks ra->size; mpage_readahead reads every folio).
 */
import { EEXIST, ENOMEM } from "@mmsim/core";

/** read_ahead_kb's default, in pages: VM_READAHEAD_PAGES = SZ_128K / PAGE_SIZE. */
export const VM_READAHEAD_PAGES = 32;
/** Chunk of a forced readahead: 2 MiB. Kernel: force_page_cache_ra's `this_chunk`. */
export const FORCE_RA_CHUNK_PAGES = (2 * 1024 * 1024) / 4096;
/** Kernel: `MMAP_LOTSAMISS` (mm/filemap.c). */
export const MMAP_LOTSAMISS = 100;
/** Pages of a PMD (HPAGE_PMD_NR with 4 KiB pages). */
export const HPAGE_PMD_NR = 512;
const PAGE_SHIFT = 12;

/**
 * A file's readahead state. Kernel: `struct file_ra_state` (include/linux/fs.h), set up by
 * `file_ra_state_init` (ra_pages from the bdi, prev_pos −1).
 */
export class FileRaState {
  /** Where the current window starts (page index). */
  start = 0;
  /** Pages in the current window. */
  size = 0;
  /** Pages left in the window when the next readahead is started (the marker is at start + size − async_size). */
  asyncSize = 0;
  /** Maximum readahead window, pages. */
  raPages: number;
  /** Kernel: `mmap_miss`. */
  mmapMiss = 0;
  /** Position just after the previous read (bytes); −1 before the first. Kernel: `prev_pos`. */
  prevPos = -1;
  /** The file was opened or advised for random access. Kernel: `FMODE_RANDOM` in f_mode. */
  fmodeRandom = false;

  constructor(raPages = VM_READAHEAD_PAGES) {
    this.raPages = raPages;
  }
}

/** The page cache of one file as readahead sees it; implemented by @mmsim/filemap. */
export interface ReadaheadMapping {
  /** i_size in bytes. Kernel: `i_size_read(mapping->host)`. */
  iSize(): number;
  /** The bdi's largest single read in pages (max_sectors_kb / 4). Kernel: `inode_to_bdi(host)->io_pages`. */
  readonly ioPages: number;
  /** True when a folio (not a shadow entry) is at `index`. Kernel: `xa_load` && !`xa_is_value`. */
  isCached(index: number): boolean;
  /**
   * Allocates a folio and inserts it at `index` locked and not uptodate, with PG_readahead when
   * `readahead`. Kernel: `filemap_alloc_folio` + `filemap_add_folio` (+ `folio_set_readahead`).
   * @returns 0; −ENOMEM when no page could be had (readahead stops); −EEXIST when the slot was taken
   */
  addFolio(index: number, readahead: boolean): number;
  /**
   * Starts the read of the `nr` folios just added at `start`…`start + nr − 1` (all present, locked).
   * Kernel: `read_pages` → `aops->readahead` (mpage_readahead) under a plug.
   */
  readPages(start: number, nr: number): void;
  /** True when the folio at `index` is under writeback (PG_reclaim shares PG_readahead's bit). */
  folioWriteback(index: number): boolean;
  /** Clears PG_readahead of the folio at `index`. Kernel: `folio_clear_readahead`. */
  clearReadahead(index: number): void;
}

/** The lowest index in [index, index + maxScan) with no folio; the last index scanned when there is none. Kernel: `page_cache_next_miss`. */
export function pageCacheNextMiss(m: ReadaheadMapping, index: number, maxScan: number): number {
  let i = index;
  for (let n = 0; n < maxScan; n++, i++) {
    if (!m.isCached(i)) return i;
  }
  return maxScan > 0 ? i - 1 : index;
}

/**
 * The highest index in (index − maxScan, index] with no folio; the last index scanned when there
 * is none; −1 (ULONG_MAX) when the scan runs below 0. Kernel: `page_cache_prev_miss`.
 */
export function pageCachePrevMiss(m: ReadaheadMapping, index: number, maxScan: number): number {
  let i = index;
  for (let n = 0; n < maxScan; n++, i--) {
    if (i < 0) return -1;
    if (!m.isCached(i)) return i;
  }
  return maxScan > 0 ? i + 1 : index;
}

/** The smallest power of two ≥ n (n ≥ 1). Kernel: `roundup_pow_of_two`. */
function roundupPowOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The first window for a read of `size` pages. Kernel: `get_init_ra_size`: round up to a power of
 * two, then ×4 up to max/32, ×2 up to max/4, else max.
 */
export function getInitRaSize(size: number, max: number): number {
  let newsize = roundupPowOfTwo(size);
  if (newsize <= Math.floor(max / 32)) newsize *= 4;
  else if (newsize <= Math.floor(max / 4)) newsize *= 2;
  else newsize = max;
  return newsize;
}

/** The next window after one of `cur` pages. Kernel: `get_next_ra_size`: ×4 below max/16, ×2 up to max/2, else max. */
export function getNextRaSize(cur: number, max: number): number {
  if (cur < Math.floor(max / 16)) return 4 * cur;
  if (cur <= Math.floor(max / 2)) return 2 * cur;
  return max;
}

/**
 * Adds folios for [index, index + nrToRead) that are not cached, PG_readahead on the one at
 * `nrToRead − lookaheadSize`, and starts the read of each run of new folios.
 * Kernel: `page_cache_ra_unbounded`.
 */
export function pageCacheRaUnbounded(m: ReadaheadMapping, index: number, nrToRead: number, lookaheadSize: number): void {
  let batchStart = index; // ractl->_index
  let batchNr = 0; // ractl->_nr_pages
  const mark = nrToRead - lookaheadSize; // unsigned in the kernel: never reached when lookahead > nr or 0
  for (let i = 0; i < nrToRead; i++) {
    if (m.isCached(index + i)) {
      // Page already present: kick off the current batch, continue after it.
      if (batchNr > 0) m.readPages(batchStart, batchNr);
      batchStart += batchNr + 1;
      batchNr = 0;
      i = batchStart + batchNr - index - 1;
      continue;
    }
    const err = m.addFolio(index + i, i === mark && lookaheadSize <= nrToRead);
    if (err === -ENOMEM) break;
    if (err === -EEXIST || err < 0) {
      if (batchNr > 0) m.readPages(batchStart, batchNr);
      batchStart += batchNr + 1;
      batchNr = 0;
      i = batchStart + batchNr - index - 1;
      continue;
    }
    batchNr++;
  }
  if (batchNr > 0) m.readPages(batchStart, batchNr);
}

/** Reads `nrToRead` pages at `index`, clipped at the page holding the last byte. Kernel: `do_page_cache_ra`. */
export function doPageCacheRa(m: ReadaheadMapping, index: number, nrToRead: number, lookaheadSize: number): void {
  const isize = m.iSize();
  if (isize === 0) return;
  const endIndex = Math.floor((isize - 1) / 4096);
  if (index > endIndex) return;
  if (nrToRead > endIndex - index) nrToRead = endIndex - index + 1;
  pageCacheRaUnbounded(m, index, nrToRead, lookaheadSize);
}

/**
 * Reads ra.size pages from `index` (ractl->_index) with the marker ra.async_size from the end
 * (order-0 folios: the fallback). Kernel: `page_cache_ra_order` without large folio support.
 */
function pageCacheRaOrder(m: ReadaheadMapping, ra: FileRaState, index: number): void {
  doPageCacheRa(m, index, ra.size, ra.asyncSize);
}

/** Reads `nrToRead` pages at `index` whatever the window, in 2 MiB chunks, at most max(io_pages, ra_pages). Kernel: `force_page_cache_ra`. */
export function forcePageCacheRa(m: ReadaheadMapping, ra: FileRaState, index: number, nrToRead: number): void {
  const maxPages = Math.max(m.ioPages, ra.raPages);
  if (nrToRead > maxPages) nrToRead = maxPages;
  while (nrToRead > 0) {
    const chunk = Math.min(FORCE_RA_CHUNK_PAGES, nrToRead);
    doPageCacheRa(m, index, chunk, 0);
    index += chunk;
    nrToRead -= chunk;
  }
}

/** Cached pages just before `index` (up to max). Kernel: `count_history_pages`. */
function countHistoryPages(m: ReadaheadMapping, index: number, max: number): number {
  const head = pageCachePrevMiss(m, index - 1, max);
  return index - 1 - head;
}

/** Readahead sized from the cached history before `index`. Kernel: `try_context_readahead`. */
function tryContextReadahead(m: ReadaheadMapping, ra: FileRaState, index: number, reqSize: number, max: number): boolean {
  let size = countHistoryPages(m, index, max);
  // not enough history pages: it could be a random read
  if (size <= reqSize) return false;
  // starts from the beginning of the file: a strong indication of a long-run stream
  if (size >= index) size *= 2;
  ra.start = index;
  ra.size = Math.min(size + reqSize, max);
  ra.asyncSize = 1;
  return true;
}

/**
 * The readahead decision for a read of `reqSize` pages at `index`: a miss (`markerHit` false) or
 * a hit on a folio with PG_readahead (`markerHit` true). Kernel: `ondemand_readahead` (folio of
 * order 0).
 */
export function ondemandReadahead(m: ReadaheadMapping, ra: FileRaState, markerHit: boolean, index: number, reqSize: number): void {
  let maxPages = ra.raPages;
  // If the request exceeds the readahead window, allow the read to be up to the optimal hardware IO size.
  if (reqSize > maxPages && m.ioPages > maxPages) maxPages = Math.min(reqSize, m.ioPages);

  let initial = false;
  if (index === 0) initial = true;
  else {
    // It's the expected callback index, assume sequential access: ramp up and push the window forward.
    const expected = ra.start + ra.size - ra.asyncSize; // round_down(…, 1 << 0)
    if (index === expected || index === ra.start + ra.size) {
      ra.start += ra.size;
      ra.size = Math.max(ra.size, getNextRaSize(ra.size, maxPages));
      ra.asyncSize = ra.size;
      return readit(m, ra, index, maxPages);
    }
    // Hit a marked folio without valid readahead state (interleaved reads): size the window from
    // the cached run after it.
    if (markerHit) {
      const start = pageCacheNextMiss(m, index + 1, maxPages);
      if (start === 0 || start - index > maxPages) return;
      ra.start = start;
      ra.size = start - index; // old async_size
      ra.size += reqSize;
      ra.size = getNextRaSize(ra.size, maxPages);
      ra.asyncSize = ra.size;
      return readit(m, ra, index, maxPages);
    }
    if (reqSize > maxPages) initial = true; // oversize read
    else {
      // sequential cache miss: index − prev_index is 0 (unaligned) or 1 (trivial)
      const prevIndex = ra.prevPos < 0 ? 2 ** 52 - 1 : Math.floor(ra.prevPos / 2 ** PAGE_SHIFT);
      const d = index - prevIndex;
      if (d >= 0 && d <= 1) initial = true;
      else if (tryContextReadahead(m, ra, index, reqSize, maxPages)) return readit(m, ra, index, maxPages);
      else {
        // standalone, small random read: read as is, do not pollute the readahead state
        doPageCacheRa(m, index, reqSize, 0);
        return;
      }
    }
  }
  if (initial) {
    ra.start = index;
    ra.size = getInitRaSize(reqSize, maxPages);
    ra.asyncSize = ra.size > reqSize ? ra.size - reqSize : ra.size;
  }
  readit(m, ra, index, maxPages);
}

/** The `readit:` tail of ondemand_readahead: merge the next window when this read would hit its own marker, then read. */
function readit(m: ReadaheadMapping, ra: FileRaState, index: number, maxPages: number): void {
  if (index === ra.start && ra.size === ra.asyncSize) {
    const addPages = getNextRaSize(ra.size, maxPages);
    if (ra.size + addPages <= maxPages) {
      ra.asyncSize = addPages;
      ra.size += addPages;
    } else {
      ra.size = maxPages;
      ra.asyncSize = maxPages >> 1;
    }
  }
  pageCacheRaOrder(m, ra, ra.start);
}

/**
 * A read of `reqCount` pages at `index` found no folio there. Kernel: `page_cache_sync_ra`
 * (page_cache_sync_readahead): a file without readahead or opened FMODE_RANDOM reads what is asked (forced).
 */
export function pageCacheSyncRa(m: ReadaheadMapping, ra: FileRaState, index: number, reqCount: number): void {
  let forced = ra.fmodeRandom;
  if (ra.raPages === 0) {
    reqCount = 1;
    forced = true;
  }
  if (forced) {
    forcePageCacheRa(m, ra, index, reqCount);
    return;
  }
  ondemandReadahead(m, ra, false, index, reqCount);
}

/**
 * A read of `reqCount` pages found PG_readahead on the folio at `index`: clear it and read the
 * next window. Kernel: `page_cache_async_ra` (page_cache_async_readahead).
 */
export function pageCacheAsyncRa(m: ReadaheadMapping, ra: FileRaState, index: number, reqCount: number): void {
  if (ra.raPages === 0) return;
  // Same bit is used for PG_readahead and PG_reclaim.
  if (m.folioWriteback(index)) return;
  m.clearReadahead(index);
  ondemandReadahead(m, ra, true, index, reqCount);
}

/** The VMA's access hints that steer mmap readahead (madvise). */
export interface MmapRaHints {
  /** VM_RAND_READ (MADV_RANDOM). */
  readonly random?: boolean;
  /** VM_SEQ_READ (MADV_SEQUENTIAL). */
  readonly sequential?: boolean;
  /** VM_HUGEPAGE (MADV_HUGEPAGE). */
  readonly hugepage?: boolean;
}

/**
 * A fault on page `pgoff` of a file mapping found no folio. Kernel: `do_sync_mmap_readahead`:
 * read-around of ra_pages centred on the fault (async_size ra_pages / 4), unless the mapping
 * misses far more than it hits (mmap_miss > MMAP_LOTSAMISS).
 */
export function doSyncMmapReadahead(m: ReadaheadMapping, ra: FileRaState, pgoff: number, hints: MmapRaHints = {}): void {
  if (hints.hugepage) {
    // Use the readahead code, even if readahead is disabled: two PMDs from the aligned index
    // (ra->start is left as it was; the fallback reads them as order-0 folios).
    ra.size = HPAGE_PMD_NR * (hints.random ? 1 : 2);
    ra.asyncSize = HPAGE_PMD_NR;
    pageCacheRaOrder(m, ra, pgoff - (pgoff % HPAGE_PMD_NR));
    return;
  }
  if (hints.random) return;
  if (ra.raPages === 0) return;
  if (hints.sequential) {
    pageCacheSyncRa(m, ra, pgoff, ra.raPages);
    return;
  }
  if (ra.mmapMiss < MMAP_LOTSAMISS * 10) ra.mmapMiss++;
  if (ra.mmapMiss > MMAP_LOTSAMISS) return;
  // mmap read-around
  ra.start = Math.max(0, pgoff - Math.floor(ra.raPages / 2));
  ra.size = ra.raPages;
  ra.asyncSize = Math.floor(ra.raPages / 4);
  pageCacheRaOrder(m, ra, ra.start);
}

/**
 * A fault on page `pgoff` found its folio: count a hit, and read ahead when the folio has
 * PG_readahead. Kernel: `do_async_mmap_readahead`.
 * @param readaheadFlag the folio's PG_readahead
 */
export function doAsyncMmapReadahead(m: ReadaheadMapping, ra: FileRaState, pgoff: number, readaheadFlag: boolean, hints: MmapRaHints = {}): void {
  if (hints.random || ra.raPages === 0) return;
  if (ra.mmapMiss > 0) ra.mmapMiss--;
  if (readaheadFlag) pageCacheAsyncRa(m, ra, pgoff, ra.raPages);
}

/** posix_fadvise advice values. Kernel: include/uapi/linux/fadvise.h. */
export const POSIX_FADV_NORMAL = 0;
export const POSIX_FADV_RANDOM = 1;
export const POSIX_FADV_SEQUENTIAL = 2;

/**
 * What posix_fadvise does to the readahead state. Kernel: `generic_fadvise`: NORMAL restores the
 * bdi's ra_pages and clears FMODE_RANDOM, RANDOM sets it, SEQUENTIAL doubles ra_pages.
 * (WILLNEED and DONTNEED act on the page cache: @mmsim/filemap's.)
 * @param bdiRaPages the device's ra_pages (read_ahead_kb / 4)
 */
export function fadviseRa(ra: FileRaState, advice: number, bdiRaPages: number): void {
  if (advice === POSIX_FADV_NORMAL) {
    ra.raPages = bdiRaPages;
    ra.fmodeRandom = false;
  } else if (advice === POSIX_FADV_RANDOM) {
    ra.fmodeRandom = true;
  } else if (advice === POSIX_FADV_SEQUENTIAL) {
    ra.raPages = bdiRaPages * 2;
    ra.fmodeRandom = false;
  }
}
