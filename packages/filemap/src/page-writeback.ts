// Kernel: mm/page-writeback.c (folio_mark_dirty, filemap_dirty_folio, __folio_mark_dirty, folio_account_dirtied, folio_account_cleaned, folio_cancel_dirty, folio_clear_dirty_for_io, noop_dirty_folio, balance_dirty_pages_ratelimited's entry check), include/linux/backing-dev.h (mapping_can_writeback) (v6.1) — dirty page-cache pages and their counters
/*
 * A page becomes dirty through its mapping's dirty_folio: filemap_dirty_folio for a filesystem
 * that writes back (PG_dirty, the PAGECACHE_TAG_DIRTY mark in i_pages, NR_FILE_DIRTY,
 * NR_ZONE_WRITE_PENDING, NR_DIRTIED), noop_dirty_folio for one that never does (tmpfs/shmem and
 * ramfs in 6.1: PG_dirty alone, no counter — which is why writing to tmpfs leaves meminfo's
 * Dirty at 0). Cleaning reverses the counters only for a mapping that can write back
 * (folio_account_cleaned). The writeback itself (writepages, the flusher threads,
 * balance_dirty_pages) is the block issue's; balanceDirtyPagesRatelimited returns at its first
 * check for a mapping without writeback, as 6.1's does.
 *
 * Invariant (validate.ts): NR_FILE_DIRTY equals the dirty pages of mappings that can write back,
 * and each of them carries the dirty mark.
 */
import {
  MAX_NR_ZONES, NR_DIRTIED, NR_FILE_DIRTY, NR_ZONE_WRITE_PENDING, PG_dirty, ZONES_MASK, ZONES_SHIFT,
} from "@mmsim/core";
import type { AddressSpace } from "./fs.ts";
import type { Vfs } from "./vfs.ts";
import { XA_MARK_0, XA_MARK_2 } from "./xarray.ts";

const DIRTY = 1 << PG_dirty;
/** Kernel: `PAGECACHE_TAG_DIRTY` = XA_MARK_0. */
export const PAGECACHE_TAG_DIRTY = XA_MARK_0;
/** Kernel: `PAGECACHE_TAG_WRITEBACK` = XA_MARK_1. */
export const PAGECACHE_TAG_WRITEBACK = 1;
/** Kernel: `PAGECACHE_TAG_TOWRITE` = XA_MARK_2. */
export const PAGECACHE_TAG_TOWRITE = XA_MARK_2;

/** True when the mapping's backing device writes back (BDI_CAP_WRITEBACK). Kernel: `mapping_can_writeback()`. */
export function mappingCanWriteback(mapping: AddressSpace): boolean {
  return mapping.host.iSb.sBdiWriteback;
}

/** `__node_stat_mod_folio` for page counters: `delta` pages on the page's node. */
export function nodeStatModPage(vfs: Vfs, page: number, item: number, delta: number): void {
  vfs.vmstat.nodePageStateAdd(delta, vfs.mem.nodeZone[page]! >> ZONES_SHIFT, item);
}

/** `__zone_stat_mod_folio`: `delta` pages on the page's zone. */
export function zoneStatModPage(vfs: Vfs, page: number, item: number, delta: number): void {
  const nz = vfs.mem.nodeZone[page]!;
  vfs.vmstat.zonePageStateAdd(delta, (nz >> ZONES_SHIFT) * MAX_NR_ZONES + (nz & ZONES_MASK), item);
}

/**
 * The counters of a page that just became dirty. Kernel: `folio_account_dirtied()` (NR_FILE_DIRTY,
 * NR_ZONE_WRITE_PENDING, NR_DIRTIED; the bdi's WB_RECLAIMABLE/WB_DIRTIED and the task's
 * nr_dirtied belong to writeback, not modelled yet).
 */
export function folioAccountDirtied(vfs: Vfs, page: number, mapping: AddressSpace): void {
  if (!mappingCanWriteback(mapping)) return;
  nodeStatModPage(vfs, page, NR_FILE_DIRTY, 1);
  zoneStatModPage(vfs, page, NR_ZONE_WRITE_PENDING, 1);
  nodeStatModPage(vfs, page, NR_DIRTIED, 1);
}

/** The counters of a dirty page cleaned without writeback (truncate). Kernel: `folio_account_cleaned()`. */
export function folioAccountCleaned(vfs: Vfs, page: number): void {
  nodeStatModPage(vfs, page, NR_FILE_DIRTY, -1);
  zoneStatModPage(vfs, page, NR_ZONE_WRITE_PENDING, -1);
}

/**
 * Sets PG_dirty, accounts it and tags it dirty in i_pages. Kernel: `__folio_mark_dirty()` (with
 * warn = 0: the caller checked the flag).
 */
function __folioMarkDirty(vfs: Vfs, page: number, mapping: AddressSpace): void {
  if (vfs.mem.mapping[page] !== mapping.id) return; // truncated meanwhile
  folioAccountDirtied(vfs, page, mapping);
  mapping.iPages.setMark(vfs.mem.index[page]!, PAGECACHE_TAG_DIRTY);
}

/**
 * dirty_folio for mappings that write back. Kernel: `filemap_dirty_folio()`.
 * @returns true if the page was clean
 */
export function filemapDirtyFolio(vfs: Vfs, mapping: AddressSpace, page: number): boolean {
  const flags = vfs.mem.flags;
  if ((flags[page]! & DIRTY) !== 0) return false;
  flags[page] = flags[page]! | DIRTY;
  __folioMarkDirty(vfs, page, mapping);
  // __mark_inode_dirty(I_DIRTY_PAGES) puts the inode on the bdi's dirty list: writeback's
  return true;
}

/**
 * dirty_folio for mappings that never write back (tmpfs, ramfs): the flag only. Kernel:
 * `noop_dirty_folio()`.
 * @returns true if the page was clean
 */
export function noopDirtyFolio(vfs: Vfs, _mapping: AddressSpace, page: number): boolean {
  const flags = vfs.mem.flags;
  if ((flags[page]! & DIRTY) !== 0) return false;
  flags[page] = flags[page]! | DIRTY;
  return true;
}

/**
 * Marks a page-cache page dirty through its mapping. Kernel: `folio_mark_dirty()` /
 * `set_page_dirty()`.
 * @returns true if it was clean
 */
export function folioMarkDirty(vfs: Vfs, mapping: AddressSpace | null, page: number): boolean {
  if (mapping !== null) return mapping.aOps.dirtyFolio(mapping, page);
  const flags = vfs.mem.flags;
  if ((flags[page]! & DIRTY) !== 0) return false;
  flags[page] = flags[page]! | DIRTY;
  return true;
}

/**
 * Drops a page's dirtiness without writing it (truncate). Kernel: `folio_cancel_dirty()` →
 * `__folio_cancel_dirty()`.
 */
export function folioCancelDirty(vfs: Vfs, mapping: AddressSpace, page: number): void {
  const flags = vfs.mem.flags;
  if ((flags[page]! & DIRTY) === 0) return;
  flags[page] = flags[page]! & ~DIRTY;
  if (mappingCanWriteback(mapping)) folioAccountCleaned(vfs, page);
}

/**
 * Clears PG_dirty before a page is written (the dirty mark stays until writeback starts); the
 * counters go down. Kernel: `folio_clear_dirty_for_io()` (page_mkclean of its PTEs is rmap's).
 * @returns true if it was dirty
 */
export function folioClearDirtyForIo(vfs: Vfs, mapping: AddressSpace, page: number): boolean {
  const flags = vfs.mem.flags;
  if ((flags[page]! & DIRTY) === 0) return false;
  flags[page] = flags[page]! & ~DIRTY;
  if (mappingCanWriteback(mapping)) {
    nodeStatModPage(vfs, page, NR_FILE_DIRTY, -1);
    zoneStatModPage(vfs, page, NR_ZONE_WRITE_PENDING, -1);
  }
  return true;
}

/**
 * Throttles a task that dirties pages (every 32 pages in 6.1's ratelimit). Kernel:
 * `balance_dirty_pages_ratelimited()`: a mapping without writeback returns at once; the rest is
 * the block issue's balance_dirty_pages.
 */
export function balanceDirtyPagesRatelimited(vfs: Vfs, mapping: AddressSpace): void {
  if (!mappingCanWriteback(mapping)) return;
  vfs.disk?.balanceDirtyPagesRatelimited();
}
