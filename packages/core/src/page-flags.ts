// Kernel: include/linux/page-flags.h (v6.1; read from 6.1.129), with include/linux/page-flags-layout.h and __def_pageflag_names in include/trace/events/mmflags.h
/*
 * The PG_* bit numbers of `page->flags`, the page_type values that overlay `page->_mapcount`,
 * and the helpers that test and change them on a MemMap page (STYLE C6).
 *
 * Which conditional flags exist (Debian 6.1.0-56-arm64 config):
 *   PG_mlocked            CONFIG_MMU=y                         -> bit 21
 *   PG_uncached           CONFIG_ARCH_USES_PG_UNCACHED (x86 only) -> absent
 *   PG_hwpoison           CONFIG_MEMORY_FAILURE=y              -> bit 22
 *   PG_young, PG_idle     CONFIG_PAGE_IDLE_FLAG: not set (IDLE_PAGE_TRACKING and DAMON are off)
 *                                                              -> absent
 *   PG_arch_2             CONFIG_64BIT=y (arm64 MTE uses it)   -> bit 23
 *   PG_skip_kasan_poison  CONFIG_KASAN_HW_TAGS: not set (KASAN off) -> absent
 * so __NR_PAGEFLAGS = 24, and every flag fits the 32-bit `MemMap.flags` word.
 *
 * Layout: the kernel packs node and zone into the top bits of the 64-bit page->flags word
 * (| SECTION | NODE | ZONE | LAST_CPUPID | KASAN_TAG | LRU_GEN | LRU_REFS | ... | FLAGS |,
 * page-flags-layout.h). mmsim keeps node and zone apart, in `MemMap.nodeZone` =
 * (nid << ZONES_SHIFT) | zid. `MemMap.flags` holds the PG_* bits 0..__NR_PAGEFLAGS-1
 * (PAGEFLAGS_MASK) and, above them, the two fields of the multi-generational LRU (CONFIG_LRU_GEN):
 *
 *   bit 31..29  28..26    25..24     23..0
 *       unused  LRU_GEN   LRU_REFS   PG_* flags
 *
 * LRU_GEN (LRU_GEN_WIDTH = order_base_2(MAX_NR_GENS + 1) = 3 bits) holds gen + 1 of a page on an
 * MGLRU list, 0 when it is on none; LRU_REFS (LRU_REFS_WIDTH = MAX_NR_TIERS - 2 = 2 bits) counts
 * accesses through file descriptors beyond PG_referenced and PG_workingset. The kernel puts them
 * in the same order (LRU_REFS_PGOFF = LRU_GEN_PGOFF - LRU_REFS_WIDTH), just below the node and
 * zone fields. Nothing else in mmsim uses bits 24..31; the page allocator clears the whole word
 * when a page is freed (free_pages_prepare clears PAGE_FLAGS_CHECK_AT_PREP, which includes
 * LRU_GEN_MASK | LRU_REFS_MASK). `formatPageFlags` prints names of PG_* bits only (as %pGp, whose
 * flag names cover PAGEFLAGS_MASK); callers pass it PG_* bits. LAST_CPUPID is not simulated.
 *
 * page_type (6.1): for pages never mapped to user space, `_mapcount` doubles as `page_type`.
 * Both start at -1 (0xffffffff). A type is *set by clearing* its bit under PAGE_TYPE_BASE, so
 * PageBuddy(page) means (page_type & (PAGE_TYPE_BASE | PG_buddy)) == PAGE_TYPE_BASE. Values in
 * [PAGE_MAPCOUNT_RESERVE, -1] are plain (under)flowed mapcounts, never types. mmsim stores
 * `_mapcount` in an Int32Array, so PAGE_TYPE_BASE reads back as the signed -0x10000000; the
 * helpers compare against that signed form.
 *
 * Simplified: there are no atomic vs non-atomic (`__SetPageX`) variants (one simulated CPU
 * runs at a time), and no compound-page policies (PF_HEAD, PF_NO_TAIL, ...): a helper acts on
 * the page it is given; callers pass the head page where the kernel would redirect to it.
 */
import { debugVm, MmBugError } from "./errors.ts";
import { MAX_NR_ZONES } from "./mmzone.ts";

// ---------------------------------------------------------------------------------------------
// enum pageflags
// ---------------------------------------------------------------------------------------------

/** Page is locked (I/O or truncation in progress). Kernel: `PG_locked`. */
export const PG_locked = 0;
/** Recently accessed (second-chance bit of the LRU). Kernel: `PG_referenced`. */
export const PG_referenced = 1;
/** Contents are valid. Kernel: `PG_uptodate`. */
export const PG_uptodate = 2;
/** Contents differ from backing store. Kernel: `PG_dirty`. */
export const PG_dirty = 3;
/** On an LRU list. Kernel: `PG_lru`. */
export const PG_lru = 4;
/** On an active LRU list. Kernel: `PG_active`. */
export const PG_active = 5;
/** Part of the workingset (refault detection). Kernel: `PG_workingset`. */
export const PG_workingset = 6;
/** Has waiters on its wait queue; must be bit 7, in the byte of PG_locked. Kernel: `PG_waiters`. */
export const PG_waiters = 7;
/** I/O error occurred. Kernel: `PG_error`. */
export const PG_error = 8;
/** Owned by a slab allocator. Kernel: `PG_slab`. */
export const PG_slab = 9;
/** Owner use (pagecache: filesystem; see the aliases). Kernel: `PG_owner_priv_1`. */
export const PG_owner_priv_1 = 10;
/** Architecture use (arm64: D-cache clean, PG_dcache_clean). Kernel: `PG_arch_1`. */
export const PG_arch_1 = 11;
/** Never freed to the buddy allocator (memblock-reserved, holes, kernel image). Kernel: `PG_reserved`. */
export const PG_reserved = 12;
/** Pagecache: has filesystem-private data in page->private. Kernel: `PG_private`. */
export const PG_private = 13;
/** Pagecache: has auxiliary filesystem data. Kernel: `PG_private_2`. */
export const PG_private_2 = 14;
/** Under writeback. Kernel: `PG_writeback`. */
export const PG_writeback = 15;
/** Head page of a compound page. Kernel: `PG_head`. */
export const PG_head = 16;
/** Has blocks allocated on disk. Kernel: `PG_mappedtodisk`. */
export const PG_mappedtodisk = 17;
/** To be reclaimed as soon as writeback ends. Kernel: `PG_reclaim`. */
export const PG_reclaim = 18;
/** Backed by RAM or swap (anon and shmem). Kernel: `PG_swapbacked`. */
export const PG_swapbacked = 19;
/** On the unevictable list. Kernel: `PG_unevictable`. */
export const PG_unevictable = 20;
/** Mapped by an mlock()ed VMA (CONFIG_MMU=y). Kernel: `PG_mlocked`. */
export const PG_mlocked = 21;
/** Hardware-poisoned; never touch (CONFIG_MEMORY_FAILURE=y). Kernel: `PG_hwpoison`. */
export const PG_hwpoison = 22;
/** Second architecture bit (CONFIG_64BIT=y; arm64: MTE tags initialised, PG_mte_tagged). Kernel: `PG_arch_2`. */
export const PG_arch_2 = 23;
/** Number of page flags in this config. Kernel: `__NR_PAGEFLAGS` (and `NR_PAGEFLAGS` of generated/bounds.h). */
export const __NR_PAGEFLAGS = 24;
/** Same as __NR_PAGEFLAGS. Kernel: `NR_PAGEFLAGS`. */
export const NR_PAGEFLAGS = __NR_PAGEFLAGS;
/** A page flag bit number, 0..__NR_PAGEFLAGS-1. */
export type PageFlag =
  | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11
  | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23;

/** Mask of all PG_* bits (0xffffff). Kernel: `PAGEFLAGS_MASK`. */
export const PAGEFLAGS_MASK = (1 << NR_PAGEFLAGS) - 1;

/** Bits of the refs field (accesses beyond PG_referenced and PG_workingset). Kernel: `LRU_REFS_WIDTH` (= __LRU_REFS_WIDTH = MAX_NR_TIERS - 2). */
export const LRU_REFS_WIDTH = 2;
/** First bit of the refs field, right above the PG_* bits. Kernel: `LRU_REFS_PGOFF`. */
export const LRU_REFS_PGOFF = NR_PAGEFLAGS;
/** Mask of the refs field (0x3000000). Kernel: `LRU_REFS_MASK`. */
export const LRU_REFS_MASK = ((1 << LRU_REFS_WIDTH) - 1) << LRU_REFS_PGOFF;
/** Bits of the generation field (gen + 1; 0 = on no MGLRU list). Kernel: `LRU_GEN_WIDTH` (order_base_2(MAX_NR_GENS + 1)). */
export const LRU_GEN_WIDTH = 3;
/** First bit of the generation field, above the refs field. Kernel: `LRU_GEN_PGOFF`. */
export const LRU_GEN_PGOFF = LRU_REFS_PGOFF + LRU_REFS_WIDTH;
/** Mask of the generation field (0x1c000000). Kernel: `LRU_GEN_MASK`. */
export const LRU_GEN_MASK = ((1 << LRU_GEN_WIDTH) - 1) << LRU_GEN_PGOFF;

/*
 * Aliases (the second half of enum pageflags in 6.1): one bit, several meanings, told apart
 * by the kind of page. Only those of 6.1 are listed; PG_double_map and PG_slob_free are gone
 * in later kernels.
 */

/** Readahead marker (pagecache, not under writeback). Kernel: `PG_readahead` = PG_reclaim. */
export const PG_readahead = PG_reclaim;
/** Anon page exclusive to one mm (GUP pinning safety). Kernel: `PG_anon_exclusive` = PG_mappedtodisk. */
export const PG_anon_exclusive = PG_mappedtodisk;
/** Filesystem use. Kernel: `PG_checked` = PG_owner_priv_1. */
export const PG_checked = PG_owner_priv_1;
/** Swap cache page (only with PG_swapbacked); swp_entry_t in page->private. Kernel: `PG_swapcache` = PG_owner_priv_1. */
export const PG_swapcache = PG_owner_priv_1;
/** Backed by FS-Cache. Kernel: `PG_fscache` = PG_private_2. */
export const PG_fscache = PG_private_2;
/** Xen: pinned as a read-only page table. Kernel: `PG_pinned` = PG_owner_priv_1. */
export const PG_pinned = PG_owner_priv_1;
/** Xen: pinned as part of domain save. Kernel: `PG_savepinned` = PG_dirty. */
export const PG_savepinned = PG_dirty;
/** Xen: grant mapping of a foreign domain's page. Kernel: `PG_foreign` = PG_owner_priv_1. */
export const PG_foreign = PG_owner_priv_1;
/** Xen: remapped by swiotlb-xen. Kernel: `PG_xen_remapped` = PG_owner_priv_1. */
export const PG_xen_remapped = PG_owner_priv_1;
/** SLOB free page (SLOB is not built here). Kernel: `PG_slob_free` = PG_private. */
export const PG_slob_free = PG_private;
/** THP: mapped by PMD and PTEs; kept in the first tail page (6.1 only). Kernel: `PG_double_map` = PG_workingset. */
export const PG_double_map = PG_workingset;
/** THP: some subpage is hwpoisoned; first tail page (CONFIG_MEMORY_FAILURE=y). Kernel: `PG_has_hwpoisoned` = PG_error. */
export const PG_has_hwpoisoned = PG_error;
/** Non-LRU movable page isolated for migration. Kernel: `PG_isolated` = PG_reclaim. */
export const PG_isolated = PG_reclaim;
/** Free (buddy) page already reported to the hypervisor (page reporting). Kernel: `PG_reported` = PG_uptodate. */
export const PG_reported = PG_uptodate;
/** Memmap page that lives in the memory it describes (CONFIG_MEMORY_HOTPLUG=y). Kernel: `PG_vmemmap_self_hosted` = PG_owner_priv_1. */
export const PG_vmemmap_self_hosted = PG_owner_priv_1;

// ---------------------------------------------------------------------------------------------
// page_type (overlays _mapcount)
// ---------------------------------------------------------------------------------------------

/** High nibble that marks a page_type value, as the kernel writes it (unsigned). Kernel: `PAGE_TYPE_BASE`. */
export const PAGE_TYPE_BASE = 0xf0000000;
/** PAGE_TYPE_BASE as an Int32Array element reads back (-0x10000000). */
const PAGE_TYPE_BASE_S32 = PAGE_TYPE_BASE | 0;
/** Values at or above this (as a signed int) are mapcounts, not types: catches mapcount underflow. Kernel: `PAGE_MAPCOUNT_RESERVE`. */
export const PAGE_MAPCOUNT_RESERVE = -128;
/** Free page in the buddy allocator; page->private holds its order. Kernel: `PG_buddy` (a page_type mask). */
export const PG_buddy = 0x00000080;
/** Logically offline (ballooned out, or offlined memory). Kernel: `PG_offline`. */
export const PG_offline = 0x00000100;
/** Page-table page. Kernel: `PG_table`. */
export const PG_table = 0x00000200;
/** Guard page of debug_pagealloc (CONFIG_DEBUG_PAGEALLOC not set: never used here). Kernel: `PG_guard`. */
export const PG_guard = 0x00000400;
/** A page_type mask. */
export type PageTypeFlag = 0x80 | 0x100 | 0x200 | 0x400;
/** `_mapcount` / `page_type` of a page that is unmapped and has no type. Kernel: the -1 of `page_mapcount_reset()`. */
export const PAGE_MAPCOUNT_INIT = -1;

// ---------------------------------------------------------------------------------------------
// Node and zone fields (page-flags-layout.h)
// ---------------------------------------------------------------------------------------------

/**
 * Bits for a zone id: 2, since MAX_NR_ZONES = 4 (DMA, DMA32, Normal, Movable).
 * Kernel: `ZONES_SHIFT` in include/linux/page-flags-layout.h.
 */
export const ZONES_SHIFT = MAX_NR_ZONES <= 1 ? 0 : MAX_NR_ZONES <= 2 ? 1 : MAX_NR_ZONES <= 4 ? 2 : 3;
/** Mask of the zone field. Kernel: `ZONES_MASK`. */
export const ZONES_MASK = (1 << ZONES_SHIFT) - 1;

/** The struct-page fields these helpers read and write; `MemMap` (mm-types.ts) has them all. */
export interface PageFlagsView {
  /** page->flags: PG_* bits 0..__NR_PAGEFLAGS-1. */
  readonly flags: Uint32Array;
  /** page->_mapcount / page->page_type union; -1 = unmapped, no type. */
  readonly mapcount: Int32Array;
  /** Upper page->flags fields: (nid << ZONES_SHIFT) | zid. */
  readonly nodeZone: Uint16Array;
}

// ---------------------------------------------------------------------------------------------
// Generic flag helpers
// ---------------------------------------------------------------------------------------------

/** True when flag `bit` is set. Kernel: `test_bit(PG_x, &page->flags)`. */
export function testPageFlag(mem: PageFlagsView, page: number, bit: number): boolean {
  return (mem.flags[page] & (1 << bit)) !== 0;
}

/** Sets flag `bit`. Kernel: `set_bit()` / `__set_bit()` on page->flags. */
export function setPageFlag(mem: PageFlagsView, page: number, bit: number): void {
  mem.flags[page] |= 1 << bit;
}

/** Clears flag `bit`. Kernel: `clear_bit()` / `__clear_bit()` on page->flags. */
export function clearPageFlag(mem: PageFlagsView, page: number, bit: number): void {
  mem.flags[page] &= ~(1 << bit);
}

/** Sets flag `bit`. Kernel: `test_and_set_bit()`. @returns whether it was set before */
export function testAndSetPageFlag(mem: PageFlagsView, page: number, bit: number): boolean {
  const m = 1 << bit;
  const old = mem.flags[page];
  mem.flags[page] = old | m;
  return (old & m) !== 0;
}

/** Clears flag `bit`. Kernel: `test_and_clear_bit()`. @returns whether it was set before */
export function testAndClearPageFlag(mem: PageFlagsView, page: number, bit: number): boolean {
  const m = 1 << bit;
  const old = mem.flags[page];
  mem.flags[page] = old & ~m;
  return (old & m) !== 0;
}

// ---------------------------------------------------------------------------------------------
// Named flag helpers (Kernel: the PAGEFLAG()/__PAGEFLAG()/TESTCLEARFLAG() expansions)
// ---------------------------------------------------------------------------------------------

/** Kernel: `PageLocked()`. */
export function pageLocked(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_locked)) !== 0;
}
/** Kernel: `__SetPageLocked()`. */
export function setPageLocked(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_locked;
}
/** Kernel: `__ClearPageLocked()`. */
export function clearPageLocked(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_locked);
}

/** Kernel: `PageReferenced()`. */
export function pageReferenced(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_referenced)) !== 0;
}
/** Kernel: `SetPageReferenced()`. */
export function setPageReferenced(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_referenced;
}
/** Kernel: `ClearPageReferenced()`. */
export function clearPageReferenced(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_referenced);
}
/** Kernel: `TestClearPageReferenced()`. @returns whether it was set */
export function testClearPageReferenced(mem: PageFlagsView, page: number): boolean {
  return testAndClearPageFlag(mem, page, PG_referenced);
}

/** Kernel: `PageUptodate()`. */
export function pageUptodate(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_uptodate)) !== 0;
}
/** Kernel: `SetPageUptodate()`. */
export function setPageUptodate(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_uptodate;
}
/** Kernel: `ClearPageUptodate()`. */
export function clearPageUptodate(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_uptodate);
}

/** Kernel: `PageDirty()`. */
export function pageDirty(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_dirty)) !== 0;
}
/** Kernel: `SetPageDirty()`. */
export function setPageDirty(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_dirty;
}
/** Kernel: `ClearPageDirty()`. */
export function clearPageDirty(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_dirty);
}

/** Kernel: `PageLRU()`. */
export function pageLRU(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_lru)) !== 0;
}
/** Kernel: `SetPageLRU()`. */
export function setPageLRU(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_lru;
}
/** Kernel: `ClearPageLRU()`. */
export function clearPageLRU(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_lru);
}
/** Kernel: `TestClearPageLRU()`. @returns whether it was set */
export function testClearPageLRU(mem: PageFlagsView, page: number): boolean {
  return testAndClearPageFlag(mem, page, PG_lru);
}

/** Kernel: `PageActive()`. */
export function pageActive(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_active)) !== 0;
}
/** Kernel: `SetPageActive()`. */
export function setPageActive(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_active;
}
/** Kernel: `ClearPageActive()`. */
export function clearPageActive(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_active);
}
/** Kernel: `TestClearPageActive()`. @returns whether it was set */
export function testClearPageActive(mem: PageFlagsView, page: number): boolean {
  return testAndClearPageFlag(mem, page, PG_active);
}

/** Kernel: `PageWorkingset()`. */
export function pageWorkingset(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_workingset)) !== 0;
}
/** Kernel: `SetPageWorkingset()`. */
export function setPageWorkingset(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_workingset;
}
/** Kernel: `ClearPageWorkingset()`. */
export function clearPageWorkingset(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_workingset);
}

/** Kernel: `PageSlab()`. */
export function pageSlab(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_slab)) !== 0;
}
/** Kernel: `__SetPageSlab()`. */
export function setPageSlab(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_slab;
}
/** Kernel: `__ClearPageSlab()`. */
export function clearPageSlab(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_slab);
}

/** Kernel: `PageReserved()`. */
export function pageReserved(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_reserved)) !== 0;
}
/** Kernel: `SetPageReserved()` / `__SetPageReserved()`. */
export function setPageReserved(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_reserved;
}
/** Kernel: `ClearPageReserved()` / `__ClearPageReserved()`. */
export function clearPageReserved(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_reserved);
}

/** Kernel: `PageWriteback()`. */
export function pageWriteback(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_writeback)) !== 0;
}
/** Sets PG_writeback. Kernel: the bit set by `set_page_writeback()` / `folio_start_writeback()`. */
export function setPageWriteback(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_writeback;
}
/** Clears PG_writeback. Kernel: the bit cleared by `end_page_writeback()` / `folio_end_writeback()`. */
export function clearPageWriteback(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_writeback);
}

/** Kernel: `PageHead()`. */
export function pageHead(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_head)) !== 0;
}
/** Kernel: `__SetPageHead()`. */
export function setPageHead(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_head;
}
/** Kernel: `ClearPageHead()`. */
export function clearPageHead(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_head);
}

/** Kernel: `PageReclaim()`. */
export function pageReclaim(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_reclaim)) !== 0;
}
/** Kernel: `SetPageReclaim()`. */
export function setPageReclaim(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_reclaim;
}
/** Kernel: `ClearPageReclaim()`. */
export function clearPageReclaim(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_reclaim);
}
/** Kernel: `TestClearPageReclaim()`. @returns whether it was set */
export function testClearPageReclaim(mem: PageFlagsView, page: number): boolean {
  return testAndClearPageFlag(mem, page, PG_reclaim);
}

/** Kernel: `PageSwapBacked()`. */
export function pageSwapBacked(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_swapbacked)) !== 0;
}
/** Kernel: `SetPageSwapBacked()` / `__SetPageSwapBacked()`. */
export function setPageSwapBacked(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_swapbacked;
}
/** Kernel: `ClearPageSwapBacked()` / `__ClearPageSwapBacked()`. */
export function clearPageSwapBacked(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_swapbacked);
}

/** True for a swap-cache page: PG_swapbacked and PG_swapcache both set. Kernel: `PageSwapCache()` (CONFIG_SWAP=y). */
export function pageSwapCache(mem: PageFlagsView, page: number): boolean {
  const m = (1 << PG_swapbacked) | (1 << PG_swapcache);
  return (mem.flags[page] & m) === m;
}

/** Kernel: `PageUnevictable()`. */
export function pageUnevictable(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_unevictable)) !== 0;
}
/** Kernel: `SetPageUnevictable()`. */
export function setPageUnevictable(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_unevictable;
}
/** Kernel: `ClearPageUnevictable()`. */
export function clearPageUnevictable(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_unevictable);
}
/** Kernel: `TestClearPageUnevictable()`. @returns whether it was set */
export function testClearPageUnevictable(mem: PageFlagsView, page: number): boolean {
  return testAndClearPageFlag(mem, page, PG_unevictable);
}

/** Kernel: `PageMlocked()`. */
export function pageMlocked(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_mlocked)) !== 0;
}
/** Kernel: `SetPageMlocked()`. */
export function setPageMlocked(mem: PageFlagsView, page: number): void {
  mem.flags[page] |= 1 << PG_mlocked;
}
/** Kernel: `ClearPageMlocked()`. */
export function clearPageMlocked(mem: PageFlagsView, page: number): void {
  mem.flags[page] &= ~(1 << PG_mlocked);
}
/** Kernel: `TestSetPageMlocked()`. @returns whether it was set before */
export function testSetPageMlocked(mem: PageFlagsView, page: number): boolean {
  return testAndSetPageFlag(mem, page, PG_mlocked);
}
/** Kernel: `TestClearPageMlocked()`. @returns whether it was set */
export function testClearPageMlocked(mem: PageFlagsView, page: number): boolean {
  return testAndClearPageFlag(mem, page, PG_mlocked);
}

/** Kernel: `PageHWPoison()`. */
export function pageHWPoison(mem: PageFlagsView, page: number): boolean {
  return (mem.flags[page] & (1 << PG_hwpoison)) !== 0;
}

// ---------------------------------------------------------------------------------------------
// page_type helpers
// ---------------------------------------------------------------------------------------------

/**
 * True when `page_type` has type `flag` (its bit cleared under PAGE_TYPE_BASE); with flag 0,
 * true when the word is a page_type at all. Kernel: `PageType(page, flag)`.
 */
export function pageType(mem: PageFlagsView, page: number, flag: number): boolean {
  return (mem.mapcount[page] & (PAGE_TYPE_BASE | flag)) === PAGE_TYPE_BASE_S32;
}

/** True when `_mapcount` holds a page type rather than a mapcount. Kernel: `page_has_type()`. */
export function pageHasType(mem: PageFlagsView, page: number): boolean {
  return mem.mapcount[page] < PAGE_MAPCOUNT_RESERVE;
}

/**
 * Marks the page as type `flag` by clearing its bit. Kernel: `__SetPage<Type>()` of PAGE_TYPE_OPS.
 * @throws MmBugError when debugVm is on and the word is not a page_type (VM_BUG_ON_PAGE(!PageType(page, 0)))
 */
function setPageTypeFlag(mem: PageFlagsView, page: number, flag: number, what: string): void {
  if (debugVm.on && (mem.mapcount[page] & PAGE_TYPE_BASE) !== PAGE_TYPE_BASE_S32) {
    throw new MmBugError("core.__SetPage" + what, "page " + page + " _mapcount " + mem.mapcount[page] + " is not a page_type");
  }
  mem.mapcount[page] &= ~flag;
}

/**
 * Removes type `flag` by setting its bit again. Kernel: `__ClearPage<Type>()` of PAGE_TYPE_OPS.
 * @throws MmBugError when debugVm is on and the page is not of that type (VM_BUG_ON_PAGE(!Page<Type>(page)))
 */
function clearPageTypeFlag(mem: PageFlagsView, page: number, flag: number, what: string): void {
  if (debugVm.on && (mem.mapcount[page] & (PAGE_TYPE_BASE | flag)) !== PAGE_TYPE_BASE_S32) {
    throw new MmBugError("core.__ClearPage" + what, "page " + page + " is not Page" + what);
  }
  mem.mapcount[page] |= flag;
}

/** True for a free page owned by the buddy allocator. Kernel: `PageBuddy()`. */
export function pageBuddy(mem: PageFlagsView, page: number): boolean {
  return (mem.mapcount[page] & (PAGE_TYPE_BASE | PG_buddy)) === PAGE_TYPE_BASE_S32;
}
/** Kernel: `__SetPageBuddy()`. @throws MmBugError (debugVm) if `_mapcount` holds no page_type */
export function setPageBuddy(mem: PageFlagsView, page: number): void {
  setPageTypeFlag(mem, page, PG_buddy, "Buddy");
}
/** Kernel: `__ClearPageBuddy()`. @throws MmBugError (debugVm) if the page is not PageBuddy */
export function clearPageBuddy(mem: PageFlagsView, page: number): void {
  clearPageTypeFlag(mem, page, PG_buddy, "Buddy");
}

/** True for a logically offline page. Kernel: `PageOffline()`. */
export function pageOffline(mem: PageFlagsView, page: number): boolean {
  return (mem.mapcount[page] & (PAGE_TYPE_BASE | PG_offline)) === PAGE_TYPE_BASE_S32;
}
/** Kernel: `__SetPageOffline()`. @throws MmBugError (debugVm) if `_mapcount` holds no page_type */
export function setPageOffline(mem: PageFlagsView, page: number): void {
  setPageTypeFlag(mem, page, PG_offline, "Offline");
}
/** Kernel: `__ClearPageOffline()`. @throws MmBugError (debugVm) if the page is not PageOffline */
export function clearPageOffline(mem: PageFlagsView, page: number): void {
  clearPageTypeFlag(mem, page, PG_offline, "Offline");
}

/** True for a page-table page. Kernel: `PageTable()`. */
export function pageTable(mem: PageFlagsView, page: number): boolean {
  return (mem.mapcount[page] & (PAGE_TYPE_BASE | PG_table)) === PAGE_TYPE_BASE_S32;
}
/** Kernel: `__SetPageTable()`. @throws MmBugError (debugVm) if `_mapcount` holds no page_type */
export function setPageTable(mem: PageFlagsView, page: number): void {
  setPageTypeFlag(mem, page, PG_table, "Table");
}
/** Kernel: `__ClearPageTable()`. @throws MmBugError (debugVm) if the page is not PageTable */
export function clearPageTable(mem: PageFlagsView, page: number): void {
  clearPageTypeFlag(mem, page, PG_table, "Table");
}

/** True for a debug_pagealloc guard page. Kernel: `PageGuard()`. */
export function pageGuard(mem: PageFlagsView, page: number): boolean {
  return (mem.mapcount[page] & (PAGE_TYPE_BASE | PG_guard)) === PAGE_TYPE_BASE_S32;
}
/** Kernel: `__SetPageGuard()`. @throws MmBugError (debugVm) if `_mapcount` holds no page_type */
export function setPageGuard(mem: PageFlagsView, page: number): void {
  setPageTypeFlag(mem, page, PG_guard, "Guard");
}
/** Kernel: `__ClearPageGuard()`. @throws MmBugError (debugVm) if the page is not PageGuard */
export function clearPageGuard(mem: PageFlagsView, page: number): void {
  clearPageTypeFlag(mem, page, PG_guard, "Guard");
}

/** Resets `_mapcount` / `page_type` to -1 (unmapped, no type). Kernel: `page_mapcount_reset()`. */
export function pageMapcountReset(mem: PageFlagsView, page: number): void {
  mem.mapcount[page] = PAGE_MAPCOUNT_INIT;
}

// ---------------------------------------------------------------------------------------------
// Node and zone of a page
// ---------------------------------------------------------------------------------------------

/** Zone index of the page within its node. Kernel: `page_zonenum()`. @returns ZONE_DMA..ZONE_MOVABLE */
export function pageZonenum(mem: PageFlagsView, page: number): number {
  return mem.nodeZone[page] & ZONES_MASK;
}

/** Node id of the page. Kernel: `page_to_nid()`. */
export function pageToNid(mem: PageFlagsView, page: number): number {
  return mem.nodeZone[page] >>> ZONES_SHIFT;
}

/**
 * Records the page's node and zone: nodeZone = (nid << ZONES_SHIFT) | zid.
 * Kernel: `set_page_zone()` + `set_page_node()` (as `set_page_links()` does at memmap init).
 */
export function setPageZoneNode(mem: PageFlagsView, page: number, nid: number, zid: number): void {
  mem.nodeZone[page] = (nid << ZONES_SHIFT) | zid;
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

/**
 * Page flag names in the order they print, as [bit, name]. The order is the kernel's table
 * order (waiters and error come right after locked), not bit order; only flags of this config.
 * Kernel: `__def_pageflag_names` in include/trace/events/mmflags.h (`pageflag_names[]` in mm/debug.c).
 */
export const pageflagNames: readonly (readonly [bit: number, name: string])[] = Object.freeze([
  [PG_locked, "locked"], [PG_waiters, "waiters"], [PG_error, "error"],
  [PG_referenced, "referenced"], [PG_uptodate, "uptodate"], [PG_dirty, "dirty"], [PG_lru, "lru"],
  [PG_active, "active"], [PG_workingset, "workingset"], [PG_slab, "slab"],
  [PG_owner_priv_1, "owner_priv_1"], [PG_arch_1, "arch_1"], [PG_reserved, "reserved"],
  [PG_private, "private"], [PG_private_2, "private_2"], [PG_writeback, "writeback"],
  [PG_head, "head"], [PG_mappedtodisk, "mappedtodisk"], [PG_reclaim, "reclaim"],
  [PG_swapbacked, "swapbacked"], [PG_unevictable, "unevictable"], [PG_mlocked, "mlocked"],
  [PG_hwpoison, "hwpoison"], [PG_arch_2, "arch_2"],
] as const);

/**
 * Names of the set flags joined by "|", e.g. "referenced|uptodate|lru|active"; bits without a
 * name print as one trailing "0x…" (lowercase hex). 0 prints as "" (the flag part of `%pGp`;
 * the tracepoint's `show_page_flags()` would print "none").
 * Kernel: `format_flags()` with `pageflag_names` in lib/vsprintf.c (the names inside `%pGp`'s parentheses).
 */
export function formatPageFlags(flags: number): string {
  let rest = flags >>> 0;
  let out = "";
  for (let i = 0; i < pageflagNames.length && rest !== 0; i++) {
    const m = 1 << pageflagNames[i][0];
    if ((rest & m) === 0) continue;
    rest &= ~m;
    out += out === "" ? pageflagNames[i][1] : "|" + pageflagNames[i][1];
  }
  if (rest !== 0) out += (out === "" ? "0x" : "|0x") + (rest >>> 0).toString(16);
  return out;
}
