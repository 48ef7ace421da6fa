// Kernel: mm/page_alloc.c (v6.1) — si_mem_available(), si_meminfo(): the read side /proc/meminfo uses
/*
 * si_mem_available() estimates what user space can allocate without swapping:
 *   available = NR_FREE_PAGES - totalreserve_pages
 *             + pagecache - min(pagecache / 2, Σ low watermarks)        pagecache = file LRUs
 *             + reclaimable - min(reclaimable / 2, Σ low watermarks)    reclaimable = slab
 *                                                                        reclaimable + misc
 *   (0 if negative). The low watermarks are summed over every zone (for_each_zone), boost
 *   included (low_wmark_pages()).
 * Reference board: 242795 - 8448 + 0 + (2007 - 1003) = 235351 pages = 941404 kB.
 */
import {
  LRU_ACTIVE_FILE, LRU_INACTIVE_FILE, NR_FREE_PAGES, NR_KERNEL_MISC_RECLAIMABLE, NR_LRU_BASE,
  NR_SHMEM, NR_SLAB_RECLAIMABLE_B, type VmStat,
} from "@mmsim/core";
import type { PageAllocState } from "@mmsim/buddy";

/** What si_meminfo() fills, in pages. Kernel: the RAM fields of `struct sysinfo`. */
export interface Sysinfo {
  readonly totalram: number;
  readonly sharedram: number;
  readonly freeram: number;
  readonly bufferram: number;
  /** Always 0: arm64 has no highmem. */
  readonly totalhigh: number;
  readonly freehigh: number;
}

/**
 * Estimated pages available for new user allocations.
 * Kernel: `si_mem_available()`.
 */
export function siMemAvailable(pa: PageAllocState, vs: VmStat): number {
  let wmarkLow = 0;
  for (const zone of pa.zones) wmarkLow += zone.lowWmarkPages();
  let available = vs.globalZonePageState(NR_FREE_PAGES) - pa.totalreservePages;
  let pagecache =
    vs.globalNodePageState(NR_LRU_BASE + LRU_ACTIVE_FILE) + vs.globalNodePageState(NR_LRU_BASE + LRU_INACTIVE_FILE);
  pagecache -= Math.min(Math.floor(pagecache / 2), wmarkLow);
  available += pagecache;
  const reclaimable =
    vs.globalNodePageStatePages(NR_SLAB_RECLAIMABLE_B) + vs.globalNodePageState(NR_KERNEL_MISC_RECLAIMABLE);
  available += reclaimable - Math.min(Math.floor(reclaimable / 2), wmarkLow);
  return available < 0 ? 0 : available;
}

/**
 * The RAM summary of sysinfo(2).
 * Kernel: `si_meminfo()`.
 * @param bufferram `nr_blockdev_pages()`: page cache of block devices (no block layer yet: an input)
 */
export function siMeminfo(pa: PageAllocState, vs: VmStat, bufferram = 0): Sysinfo {
  return {
    totalram: pa.totalramPages,
    sharedram: vs.globalNodePageState(NR_SHMEM),
    freeram: vs.globalZonePageState(NR_FREE_PAGES),
    bufferram,
    totalhigh: 0,
    freehigh: 0,
  };
}
