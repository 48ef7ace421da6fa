// Kernel: mm/page-writeback.c (v6.1) — global_dirtyable_memory(), domain_dirty_limits(), global_dirty_limits()
/*
 * The two writeback_stat_items of /proc/vmstat (nr_dirty_threshold, nr_dirty_background_threshold)
 * are not counters: vmstat_start() computes them on every read with global_dirty_limits(). This
 * file does the same arithmetic from the page allocator's state:
 *
 *   avail = NR_FREE_PAGES - min(NR_FREE_PAGES, totalreserve_pages)
 *           + NR_INACTIVE_FILE + NR_ACTIVE_FILE + 1          (global_dirtyable_memory)
 *   ratio = vm.dirty_ratio × PAGE_SIZE / 100   (per-PAGE_SIZE fixed point, integer division)
 *   thresh = vm.dirty_bytes ? ⌈dirty_bytes / PAGE_SIZE⌉ : ratio × avail / PAGE_SIZE
 *   bg_thresh likewise from dirty_background_{bytes,ratio}; thresh is capped at UINT_MAX and
 *   bg_thresh ≥ thresh becomes thresh / 2.
 *
 * Reference board: free 242732, reserve 8448, no file pages → avail 234285 →
 * thresh ⌊819 × 234285 / 4096⌋ = 46845, bg ⌊409 × 234285 / 4096⌋ = 23394 (the capture's values).
 *
 * Simplified: the reader is never an RT task (the `rt_task(current)` boost of cat is 0), and
 * there is no highmem on arm64 (highmem_dirtyable_memory() is 0), so vm.highmem_is_dirtyable
 * has no effect. The dirty sysctls are inputs: VmSysctl (@mmsim/buddy) does not hold them.
 */
import { NR_ACTIVE_FILE, NR_FREE_PAGES, NR_INACTIVE_FILE, PAGE_SIZE, type VmStat } from "@mmsim/core";
import type { PageAllocState } from "@mmsim/buddy";

/** The vm.dirty_* sysctls global_dirty_limits() reads. */
export interface DirtySysctl {
  /** `vm.dirty_ratio` (percent of dirtyable memory), default 20. */
  readonly dirtyRatio: number;
  /** `vm.dirty_background_ratio`, default 10. */
  readonly dirtyBackgroundRatio: number;
  /** `vm.dirty_bytes`: when non-zero, replaces dirty_ratio. Default 0. */
  readonly dirtyBytes: number;
  /** `vm.dirty_background_bytes`: when non-zero, replaces dirty_background_ratio. Default 0. */
  readonly dirtyBackgroundBytes: number;
}

/** 6.1's defaults (mm/page-writeback.c; /proc/sys/vm of the reference). */
export const DEFAULT_DIRTY_SYSCTL: DirtySysctl = Object.freeze({
  dirtyRatio: 20,
  dirtyBackgroundRatio: 10,
  dirtyBytes: 0,
  dirtyBackgroundBytes: 0,
});

/** `UINT_MAX`: domain_dirty_limits() keeps thresholds within 32 bits. */
const UINT_MAX = 0xffffffff;

/** Thresholds of one writeback domain, in pages. */
export interface DirtyLimits {
  /** `dtc->thresh`: the dirty limit (nr_dirty_threshold). */
  readonly thresh: number;
  /** `dtc->bg_thresh`: where background writeback starts (nr_dirty_background_threshold). */
  readonly bgThresh: number;
}

/**
 * Pages that may hold dirty page cache: free pages above the reserves plus the file LRUs, plus 1.
 * Kernel: `global_dirtyable_memory()`.
 * @returns pages, never 0
 */
export function globalDirtyableMemory(pa: PageAllocState, vs: VmStat): number {
  let x = vs.globalZonePageState(NR_FREE_PAGES);
  x -= Math.min(x, pa.totalreservePages);
  x += vs.globalNodePageState(NR_INACTIVE_FILE);
  x += vs.globalNodePageState(NR_ACTIVE_FILE);
  return x + 1;
}

/**
 * The dirty and background thresholds of a domain with `available` dirtyable pages (the global
 * domain: no memcg scaling, reader not RT).
 * Kernel: `domain_dirty_limits()`.
 */
export function domainDirtyLimits(available: number, sysctl: DirtySysctl = DEFAULT_DIRTY_SYSCTL): DirtyLimits {
  const ratio = Math.floor((sysctl.dirtyRatio * PAGE_SIZE) / 100);
  const bgRatio = Math.floor((sysctl.dirtyBackgroundRatio * PAGE_SIZE) / 100);
  let thresh = sysctl.dirtyBytes ? Math.ceil(sysctl.dirtyBytes / PAGE_SIZE) : Math.floor((ratio * available) / PAGE_SIZE);
  let bgThresh = sysctl.dirtyBackgroundBytes
    ? Math.ceil(sysctl.dirtyBackgroundBytes / PAGE_SIZE)
    : Math.floor((bgRatio * available) / PAGE_SIZE);
  if (thresh > UINT_MAX) thresh = UINT_MAX;
  if (bgThresh >= thresh) bgThresh = Math.floor(thresh / 2);
  return { thresh, bgThresh };
}

/**
 * The global dirty limits /proc/vmstat prints.
 * Kernel: `global_dirty_limits()` (as called by `vmstat_start()`).
 */
export function globalDirtyLimits(pa: PageAllocState, vs: VmStat, sysctl: DirtySysctl = DEFAULT_DIRTY_SYSCTL): DirtyLimits {
  return domainDirtyLimits(globalDirtyableMemory(pa, vs), sysctl);
}
