// Kernel: mm/huge_memory.c (v6.1) — hugepage_init()'s boot-time decision; mm/khugepaged.c start_stop_khugepaged()
/*
 * What THP's subsys_initcall decides for the page allocator. In 6.1, hugepage_init() (mm/huge_memory.c)
 * sets up sysfs, khugepaged's caches and the shrinkers, then, "by default disable transparent
 * hugepages on smaller systems": when totalram_pages() is below 512 << (20 - PAGE_SHIFT) pages
 * (512 MiB) it sets transparent_hugepage_flags to 0 and returns without calling
 * start_stop_khugepaged(). Otherwise start_stop_khugepaged() (mm/khugepaged.c) starts khugepaged
 * and calls set_recommended_min_free_kbytes() (watermarks.ts), which raises min_free_kbytes.
 *
 * So on a board whose totalram is under 512 MiB when the initcall runs (after
 * page_alloc_init_late and the CMA areas), THP is off (/sys/kernel/mm/transparent_hugepage/enabled
 * reads "always madvise [never]") and min_free_kbytes keeps init_per_zone_wmark_min()'s
 * int_sqrt(lowmem_kB × 16). Checked on real 6.1.192 captures (tests/conformance/fixtures
 * virt-256m-2cpu, virt-512m-1cpu, virt-512m-8cpu: min_free_kbytes 1884, 2769, 2766, THP
 * "[never]", no "raising min_free_kbytes" line). totalram is always below the board's RAM, so a
 * 512 MiB board is a small one.
 *
 * Not modelled: the khugepaged thread itself, the sysfs knobs (an admin's later
 * `echo always > enabled` would call start_stop_khugepaged() again), has_transparent_hugepage()
 * (true on arm64 with 4 KiB pages).
 */
import { PAGE_SHIFT } from "@mmsim/core";
import type { PageAllocState } from "./page-alloc-state.ts";
import { setRecommendedMinFreeKbytes } from "./watermarks.ts";

/** Below this many pages of totalram, hugepage_init() leaves THP off: 512 MiB. */
export const HUGEPAGE_MIN_TOTALRAM_PAGES = 512 << (20 - PAGE_SHIFT);

/**
 * khugepaged's start, and with it THP's min_free_kbytes floor. Kernel: `start_stop_khugepaged()`
 * (the thread is not modelled; set_recommended_min_free_kbytes() runs whether THP is on or off).
 */
export function startStopKhugepaged(pa: PageAllocState): void {
  setRecommendedMinFreeKbytes(pa);
}

/**
 * THP's subsys_initcall: on a small system (totalram_pages under 512 MiB) clear
 * transparent_hugepage_flags and stop there; otherwise start khugepaged, which raises
 * min_free_kbytes. Nothing happens without CONFIG_TRANSPARENT_HUGEPAGE. Kernel: `hugepage_init()`.
 * @returns true when THP stays enabled
 */
export function hugepageInit(pa: PageAllocState): boolean {
  if (!pa.transparentHugepage) return false;
  if (pa.totalramPages < HUGEPAGE_MIN_TOTALRAM_PAGES) {
    pa.hugepageFlagsEnabled = false;
    return false;
  }
  startStopKhugepaged(pa);
  return true;
}
