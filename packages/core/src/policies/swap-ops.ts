// Kernel: include/linux/swap.h, include/linux/swapops.h, mm/swapfile.c (folio_alloc_swap, swap_duplicate, swap_free, free_swap_and_cache, folio_free_swap, get_nr_swap_pages), mm/swap_state.c (add_to_swap, add_to_swap_cache, __delete_from_swap_cache, lookup_swap_cache, swap_cluster_readahead), mm/page_io.c (swap_writepage) (v6.1) — swap as its users call it
/*
 * The swap subsystem (@mmsim/swap) comes after the page cache in the order of mechanisms (the
 * swap cache is an address_space), but shmem (in @mmsim/filemap) swaps its pages out and in, so
 * the page cache reaches swap through this interface (token `SwapOps`); the reclaim mechanism
 * and the fault path, which come after swap, may use it too or import @mmsim/swap directly.
 *
 * A swap entry (swp_entry_t) is a non-negative 32-bit integer here: `offset << SWP_TYPE_BITS |
 * type` (MAX_SWAPFILES_SHIFT = 5 bits of type, 26 bits of offset: 256 GiB per device of 4 KiB
 * pages). Entry 0 (type 0, offset 0) is never a slot — offset 0 of every device holds its swap
 * header — so 0 means "no entry", as the kernel's `entry.val == 0` does. A swap-cache page has
 * PG_swapcache and its entry in `page->private` (MemMap.private). In a PTE the entry is encoded
 * as arm64 6.1 does (__SWP_TYPE_SHIFT 3, __SWP_OFFSET_SHIFT 8, PTE_SWP_EXCLUSIVE bit 2; @mmsim/hw-arm64's mkSwapPte).
 */
import { token } from "../di/token.ts";

/** Kernel: `MAX_SWAPFILES_SHIFT`. */
export const SWP_TYPE_BITS = 5;
/** Largest offset an entry can hold here (2^26 - 1). */
export const SWP_OFFSET_MAX = 2 ** 26 - 1;
/** "No entry". */
export const SWP_ENTRY_NONE = 0;

/** Kernel: `swp_entry(type, offset)`. */
export function swpEntry(type: number, offset: number): number {
  return ((offset << SWP_TYPE_BITS) | type) >>> 0;
}
/** Kernel: `swp_type(entry)`. */
export function swpType(entry: number): number {
  return entry & ((1 << SWP_TYPE_BITS) - 1);
}
/** Kernel: `swp_offset(entry)`. */
export function swpOffset(entry: number): number {
  return entry >>> SWP_TYPE_BITS;
}

/*
 * Swap entry types above the swap devices' (include/linux/swap.h, v6.1): a swap PTE whose type is
 * MAX_SWAPFILES or more is no swap slot (non_swap_entry) but a hardware-poison, migration,
 * device or swap-in-error marker. The config is the reference kernel's (Debian 6.1 arm64):
 * CONFIG_MEMORY_FAILURE=y (1 type), CONFIG_MIGRATION=y (3), CONFIG_DEVICE_PRIVATE=y (4),
 * CONFIG_PTE_MARKER off (uffd-wp is x86-only in 6.1: 0), and the swap-in error type (1), so
 * MAX_SWAPFILES = 32 - 4 - 3 - 1 - 0 - 1 = 23. Only swap-in errors are produced here so far
 * (swapoff's unuse_pte on a page whose read failed); the others are compaction's and HMM's.
 */
/** Kernel: `MAX_SWAPFILES_SHIFT`. */
export const MAX_SWAPFILES_SHIFT = SWP_TYPE_BITS;
export const SWP_HWPOISON_NUM = 1;
export const SWP_MIGRATION_NUM = 3;
export const SWP_DEVICE_NUM = 4;
export const SWP_PTE_MARKER_NUM = 0;
export const SWP_SWAPIN_ERROR_NUM = 1;
/** Swap devices an entry can name (types 0 … MAX_SWAPFILES - 1). Kernel: `MAX_SWAPFILES`. */
export const MAX_SWAPFILES = (1 << MAX_SWAPFILES_SHIFT) - SWP_DEVICE_NUM - SWP_MIGRATION_NUM - SWP_HWPOISON_NUM - SWP_PTE_MARKER_NUM - SWP_SWAPIN_ERROR_NUM;
/** Kernel: `SWP_HWPOISON`. */
export const SWP_HWPOISON = MAX_SWAPFILES;
/** Kernel: `SWP_MIGRATION_READ`, `SWP_MIGRATION_READ_EXCLUSIVE`, `SWP_MIGRATION_WRITE`. */
export const SWP_MIGRATION_READ = MAX_SWAPFILES + SWP_HWPOISON_NUM;
export const SWP_MIGRATION_READ_EXCLUSIVE = SWP_MIGRATION_READ + 1;
export const SWP_MIGRATION_WRITE = SWP_MIGRATION_READ + 2;
/** Kernel: `SWP_DEVICE_WRITE` (the first of the four device types). */
export const SWP_DEVICE_WRITE = MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM;
/** Kernel: `SWP_SWAPIN_ERROR`. */
export const SWP_SWAPIN_ERROR = MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM + SWP_DEVICE_NUM + SWP_PTE_MARKER_NUM;

/** The entry is no swap slot (a migration, hwpoison, device or swap-in error entry). Kernel: `non_swap_entry()`. */
export function nonSwapEntry(entry: number): boolean {
  return swpType(entry) >= MAX_SWAPFILES;
}
/** Kernel: `is_migration_entry()`. */
export function isMigrationEntry(entry: number): boolean {
  const t = swpType(entry);
  return t >= SWP_MIGRATION_READ && t <= SWP_MIGRATION_WRITE;
}
/** Kernel: `is_hwpoison_entry()`. */
export function isHwpoisonEntry(entry: number): boolean {
  return swpType(entry) === SWP_HWPOISON;
}
/** Kernel: `is_swapin_error_entry()`. */
export function isSwapinErrorEntry(entry: number): boolean {
  return swpType(entry) === SWP_SWAPIN_ERROR;
}
/** Kernel: `make_swapin_error_entry(page)` (the offset is the page's PFN; only the type is read back). */
export function makeSwapinErrorEntry(pfn: number): number {
  return swpEntry(SWP_SWAPIN_ERROR, pfn & SWP_OFFSET_MAX);
}

/** What swap_writepage / pageout() report. Kernel: `pageout_t` of mm/vmscan.c. */
export const PAGE_KEEP = 0;
export const PAGE_ACTIVATE = 1;
export const PAGE_SUCCESS = 2;
export const PAGE_CLEAN = 3;

/**
 * What VMA-based swap readahead needs of a VMA: its range and its readahead state. Kernel:
 * `vma->vm_start`, `vma->vm_end`, `vma->swap_readahead_info` (the last fault's page address, the
 * window and the hits packed as SWAP_RA_VAL; 0 until the first VMA readahead). @mmsim/vma's
 * VmAreaStruct has these fields.
 */
export interface SwapRaVma {
  readonly vmStart: number;
  readonly vmEnd: number;
  swapReadaheadInfo: number;
}

/**
 * The part of `struct vm_fault` swapin_readahead reads: the VMA, the faulting address, and the
 * PTEs of the faulting PTE table (vmf->pmd), which swap_ra_info copies.
 */
export interface SwapVmFault {
  readonly vma: SwapRaVma;
  readonly address: number;
  /**
   * The swap entries of the `n` PTEs mapping virtual pages `startVpn` … `startVpn + n − 1` (all in
   * the PTE table of `address`), into `out[0 … n−1]`: 0 for a pte_none or present PTE, else
   * pte_to_swp_entry (a non-swap entry as it is: the caller skips those).
   */
  readPtes(startVpn: number, n: number, out: Int32Array): void;
}

/** Swap as the page cache, reclaim and the fault path call it. Implemented by @mmsim/swap. */
export interface SwapOps {
  /** Pages of swap in all devices that are on. Kernel: `total_swap_pages`. */
  totalSwapPages(): number;
  /** Free swap pages. Kernel: `get_nr_swap_pages()`. */
  nrSwapPages(): number;
  /** More than half the swap is used. Kernel: `vm_swap_full()`. */
  vmSwapFull(): boolean;
  /**
   * Gives an anonymous page a slot and puts it in the swap cache, dirty (PG_swapcache, private =
   * entry, NR_SWAPCACHE). Kernel: `add_to_swap()`. @returns false when no slot is free
   */
  addToSwap(page: number): boolean;
  /** A free slot for a page, counted as cached (SWAP_HAS_CACHE). Kernel: `folio_alloc_swap()`. @returns the entry, or 0 */
  folioAllocSwap(page: number): number;
  /** Puts a page in the swap cache at `entry` (shmem_writepage, swap-in). Kernel: `add_to_swap_cache()`. @returns 0 or a negative errno */
  addToSwapCache(page: number, entry: number, gfp: number): number;
  /**
   * Writes a dirty swap-cache page to its slot: zram stores it at once (synchronous I/O: the page
   * is clean and not under writeback on return); a disk device submits a bio and completes on
   * the clock. Counts pswpout. Kernel: `swap_writepage()`. @returns PAGE_SUCCESS, or PAGE_KEEP / PAGE_ACTIVATE
   */
  swapWritepage(page: number): number;
  /**
   * Takes a page out of the swap cache, leaving `shadow` (0: none) in its place, and drops the
   * cache's hold on the slot (put_swap_folio). Kernel: `__delete_from_swap_cache()` + `put_swap_folio()`.
   */
  deleteFromSwapCache(page: number, shadow: number): void;
  /** The swap-cache page of `entry`, with a reference, or -1. Kernel: `lookup_swap_cache()` (without the readahead statistics' vma). */
  lookupSwapCache(entry: number): number;
  /**
   * Reads `entry` into a page (with readahead around it, `vm.page-cluster`), in the swap cache,
   * uptodate, with a reference for the caller; a shadow found in the swap cache is passed to the
   * LRU's workingset_refault. Kernel: `swap_cluster_readahead()` (shmem) / `swapin_readahead()`.
   * @returns the page, or -1 (no memory)
   */
  swapinReadahead(entry: number, gfp: number): number;
  /** Another user of a slot (fork, a swap PTE). Kernel: `swap_duplicate()`. @returns 0 or a negative errno */
  swapDuplicate(entry: number): number;
  /** Drops one user of a slot. Kernel: `swap_free()`. */
  swapFree(entry: number): void;
  /** Drops one user of a slot and, if only the swap cache is left, frees the cached page. Kernel: `free_swap_and_cache()`. */
  freeSwapAndCache(entry: number): void;
  /** Frees the slot of a swap-cache page that no one else refers to. Kernel: `folio_free_swap()` (try_to_free_swap). @returns true if freed */
  folioFreeSwap(page: number): boolean;
  /**
   * shmem's hold on a slot whose page it moved to the swap cache (the count becomes
   * SWAP_MAP_SHMEM). Kernel: `swap_shmem_alloc()`. Optional (added after the first contract):
   * without it shmem takes an ordinary reference with swapDuplicate.
   */
  swapShmemAlloc?(entry: number): void;
  /**
   * Drops the swap cache's hold (SWAP_HAS_CACHE) on a slot that got no page after all (a failed
   * add_to_swap_cache). Kernel: `put_swap_folio()`. Optional (added after the first contract).
   */
  putSwapFolio?(entry: number): void;

  // The fault path's finer calls (added for do_swap_page, swapoff's unuse and smaps; optional so
  // an implementation without them still type-checks: the callers then take the swap-cache path,
  // count every swap PTE's SwapPss in full and treat every entry's device as on).

  /** `entry` names a slot of a swap device that is on (swapoff not finished). Kernel: `get_swap_device()` != NULL (without the reference). */
  swapEntryValid?(entry: number): boolean;
  /** The slot's users, SWAP_HAS_CACHE left out. Kernel: `__swap_count()`. */
  swapCount?(entry: number): number;
  /** The slot's users including count continuations, SWAP_HAS_CACHE left out (smaps' SwapPss). Kernel: `swp_swapcount()`. */
  swpSwapcount?(entry: number): number;
  /** The entry's device does synchronous I/O (zram: SWP_SYNCHRONOUS_IO), so do_swap_page may read it without the swap cache. */
  swapSynchronousIo?(entry: number): boolean;
  /**
   * Marks the slot as being read without the swap cache (SWAP_HAS_CACHE). Kernel:
   * `swapcache_prepare()`. @returns 0, -EEXIST (already cached or being read: the fault retries), -ENOENT
   */
  swapcachePrepare?(entry: number): number;
  /** Clears what swapcachePrepare set. Kernel: `swapcache_clear()` (6.1.y's do_swap_page fix). */
  swapcacheClear?(entry: number): void;
  /** The shadow entry left in the swap cache at `entry` when its page was reclaimed, or 0. Kernel: `get_shadow_from_swap_cache()`. */
  getShadowFromSwapCache?(entry: number): number;
  /**
   * Reads the slot in `page->private` (MemMap.private) into `page` (its content identity
   * restored), counts pswpin; synchronous on a SWP_SYNCHRONOUS_IO device (uptodate on return).
   * Kernel: `swap_readpage()`.
   */
  swapReadpage?(page: number, synchronous: boolean): void;
  /** One page into the swap cache without readahead (MADV_WILLNEED). Kernel: `read_swap_cache_async()`. @returns the page with a reference, or -1 */
  readSwapCacheAsync?(entry: number, gfp: number): number;
  /** Sleeps until a locked swap-cache page's read completes (a disk device's bio on the clock). Kernel: `folio_lock()` waiting on I/O. */
  waitOnPage?(page: number): void;
  /**
   * The swap-cache page of `entry` with a reference, or -1, with the readahead statistics of a
   * fault in `vma` at `addr` (VMA readahead: the hit goes to vma->swap_readahead_info; else to the
   * global swapin_readahead_hits). Kernel: `lookup_swap_cache(entry, vma, addr)`.
   */
  lookupSwapCacheVma?(entry: number, vma: SwapRaVma, addr: number): number;
  /**
   * Reads `entry` for a fault: VMA-based readahead around `vmf.address` when
   * /sys/kernel/mm/swap/vma_ra_enabled and no swap device is rotational, else the cluster
   * readahead of swapinReadahead. Kernel: `swapin_readahead(entry, gfp, vmf)`.
   * @returns the page with a reference (uptodate unless a read is still in flight: the page is then locked), or -1
   */
  swapinReadaheadVmf?(entry: number, gfp: number, vmf: SwapVmFault): number;
  /**
   * Ends the swap bios that completed by now (a disk device's interrupts: writeback ends, reads
   * unlock their pages); reclaim calls it when it has slept (reclaim_throttle). No kernel
   * function: the block layer's completions, applied when the simulation next looks.
   */
  reapIo?(): void;
}
export const SwapOps = token<SwapOps>("SwapOps");

/**
 * swapoff's anonymous side: every mm's swap PTEs of a device replaced by their pages (read in
 * through SwapOps). Implemented by @mmsim/fault; called by @mmsim/swap's try_to_unuse.
 */
export interface SwapUnuse {
  /**
   * Walks every mm on the mmlist, each VMA with an anon_vma, and maps back every swap PTE of
   * device `type`. Kernel: `unuse_mm()` for each mm of `init_mm.mmlist` (try_to_unuse's loop).
   * @returns 0, or -ENOMEM when a page could not be read in
   */
  unuseMms(type: number): number;
}
export const SwapUnuse = token<SwapUnuse>("SwapUnuse");
