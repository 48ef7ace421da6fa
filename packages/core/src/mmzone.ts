// Kernel: include/linux/mmzone.h (v6.1; read from 6.1.129), with include/linux/pageblock-flags.h, include/linux/numa.h
/*
 * Zone, migratetype, order, watermark and LRU-list ids of the reference kernel (Debian
 * 6.1.0-56-arm64, 6.1.192; /boot/config-6.1.0-56-arm64), as flat constants (STYLE C2). Each
 * kernel enum is resolved for that config and ends in its count; a `type X = 0 | 1 | …` sits
 * beside it. Where a value depends on a CONFIG_* option, the comment names the option and the
 * value it has in the reference config.
 *
 * Config facts used here:
 *   ZONE_DMA=y, ZONE_DMA32=y, HIGHMEM (n/a on arm64), ZONE_DEVICE not set
 *     -> zones DMA, DMA32, Normal, Movable (as /proc/zoneinfo of the capture lists them);
 *   CMA=y, MEMORY_ISOLATION=y -> MIGRATE_CMA and MIGRATE_ISOLATE exist (6 types, as
 *     /proc/pagetypeinfo lists them);
 *   ARCH_FORCE_MAX_ORDER=11 -> MAX_ORDER 11 (6.1: exclusive, orders 0..10);
 *   ARM64_4K_PAGES, HUGETLB_PAGE=y, no HUGETLB_PAGE_SIZE_VARIABLE -> pageblock_order 9;
 *   TRANSPARENT_HUGEPAGE=y -> NR_PCP_THP 2;
 *   NUMA=y, NODES_SHIFT=4 -> MAX_NUMNODES 16.
 *
 * Order spellings: 6.1's MAX_ORDER (11, exclusive) is kept under its own name, next to the
 * unambiguous NR_PAGE_ORDERS (11) and MAX_PAGE_ORDER (10) of v6.8+ that mmsim code uses.
 */

// ---------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------

/** 6.1's `MAX_ORDER`: one past the largest buddy order (exclusive). Kernel: CONFIG_ARCH_FORCE_MAX_ORDER = 11. */
export const MAX_ORDER = 11;
/** Number of buddy orders (0..10); sizes per-order arrays. Kernel: `NR_PAGE_ORDERS` (v6.8+) = 6.1's MAX_ORDER. */
export const NR_PAGE_ORDERS = MAX_ORDER;
/** Largest buddy order (10: 4 MiB with 4 KiB pages). Kernel: `MAX_PAGE_ORDER` (v6.8+) = 6.1's MAX_ORDER - 1. */
export const MAX_PAGE_ORDER = MAX_ORDER - 1;
/** Pages in a block of the largest order (1024). Kernel: `MAX_ORDER_NR_PAGES`. */
export const MAX_ORDER_NR_PAGES = 1 << MAX_PAGE_ORDER;
/**
 * Orders above this are "costly": the allocator will not retry hard or OOM-kill for them.
 * Kernel: `PAGE_ALLOC_COSTLY_ORDER`.
 */
export const PAGE_ALLOC_COSTLY_ORDER = 3;

/** A buddy order, 0..MAX_PAGE_ORDER. */
export type PageOrder = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

// ---------------------------------------------------------------------------------------------
// Huge pages and pageblocks (arm64, 4 KiB pages)
// ---------------------------------------------------------------------------------------------

/** Order of a PMD-mapped huge page: PMD_SHIFT 21 - PAGE_SHIFT 12. Kernel: `HUGETLB_PAGE_ORDER` (arm64 asm/hugetlb.h via HPAGE_SHIFT). */
export const HUGETLB_PAGE_ORDER = 9;
/** Order of a PMD-sized THP (2 MiB). Kernel: `HPAGE_PMD_ORDER` in include/linux/huge_mm.h. */
export const HPAGE_PMD_ORDER = 9;
/** Base pages per PMD-sized THP (512); /proc/vmstat prints THP counters divided by it. Kernel: `HPAGE_PMD_NR`. */
export const HPAGE_PMD_NR = 1 << HPAGE_PMD_ORDER;

/**
 * Order of a pageblock, the unit that carries one migratetype:
 * min(HUGETLB_PAGE_ORDER, MAX_ORDER - 1) = 9 (/proc/pagetypeinfo: "Page block order: 9").
 * Kernel: `pageblock_order` in include/linux/pageblock-flags.h.
 */
export const PAGEBLOCK_ORDER = Math.min(HUGETLB_PAGE_ORDER, MAX_ORDER - 1);
/** Pages per pageblock (512; "Pages per block:  512"). Kernel: `pageblock_nr_pages`. */
export const PAGEBLOCK_NR_PAGES = 1 << PAGEBLOCK_ORDER;

/** First PFN of the pageblock holding `pfn`. Kernel: `pageblock_start_pfn()`. */
export function pageblockStartPfn(pfn: number): number {
  return pfn - (pfn % PAGEBLOCK_NR_PAGES);
}

/** First PFN after the pageblock holding `pfn`. Kernel: `pageblock_end_pfn()`. */
export function pageblockEndPfn(pfn: number): number {
  return pageblockStartPfn(pfn) + PAGEBLOCK_NR_PAGES;
}

/** True when `pfn` starts a pageblock. Kernel: `pageblock_aligned()`. */
export function pageblockAligned(pfn: number): boolean {
  return pfn % PAGEBLOCK_NR_PAGES === 0;
}

/*
 * Per-pageblock bits (include/linux/pageblock-flags.h). Each pageblock owns NR_PAGEBLOCK_BITS
 * bits of the zone's (here: the section's) pageblock bitmap: bits PB_migrate..PB_migrate_end
 * hold the migratetype (3 bits cover MIGRATE_TYPES = 6), PB_migrate_skip is compaction's
 * "skip this block" hint.
 */

/** Bits that hold a pageblock's migratetype. Kernel: `PB_migratetype_bits`. */
export const PB_migratetype_bits = 3;
/** First migratetype bit of a pageblock. Kernel: `enum pageblock_bits` `PB_migrate`. */
export const PB_migrate = 0;
/** Last migratetype bit (PB_migrate + PB_migratetype_bits - 1). Kernel: `PB_migrate_end`. */
export const PB_migrate_end = PB_migrate + PB_migratetype_bits - 1;
/** Compaction skip hint. Kernel: `PB_migrate_skip`. */
export const PB_migrate_skip = 3;
/** Bits per pageblock; the count of `enum pageblock_bits`. Kernel: `NR_PAGEBLOCK_BITS`. */
export const NR_PAGEBLOCK_BITS = 4;
/** A bit of `enum pageblock_bits`. */
export type PageblockBit = 0 | 1 | 2 | 3;
/** Mask of the migratetype bits (7). Kernel: `MIGRATETYPE_MASK`. */
export const MIGRATETYPE_MASK = (1 << PB_migratetype_bits) - 1;

// ---------------------------------------------------------------------------------------------
// Migratetypes
// ---------------------------------------------------------------------------------------------

/** Kernel: `enum migratetype` `MIGRATE_UNMOVABLE`. */
export const MIGRATE_UNMOVABLE = 0;
/** Kernel: `MIGRATE_MOVABLE`. */
export const MIGRATE_MOVABLE = 1;
/** Kernel: `MIGRATE_RECLAIMABLE`. */
export const MIGRATE_RECLAIMABLE = 2;
/** Number of migratetypes with per-CPU lists (the first three). Kernel: `MIGRATE_PCPTYPES`. */
export const MIGRATE_PCPTYPES = 3;
/** Reserve for high-order atomic allocations; shares the value MIGRATE_PCPTYPES. Kernel: `MIGRATE_HIGHATOMIC`. */
export const MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES;
/** Contiguous-memory-allocator blocks (CONFIG_CMA=y). Kernel: `MIGRATE_CMA`. */
export const MIGRATE_CMA = 4;
/** Blocks being isolated; never allocated from (CONFIG_MEMORY_ISOLATION=y). Kernel: `MIGRATE_ISOLATE`. */
export const MIGRATE_ISOLATE = 5;
/** Number of migratetypes; sizes free lists. Kernel: `MIGRATE_TYPES`. */
export const MIGRATE_TYPES = 6;
/** A migratetype, 0..MIGRATE_TYPES-1. */
export type MigrateType = 0 | 1 | 2 | 3 | 4 | 5;

/**
 * Migratetype names, indexed by migratetype, as /proc/pagetypeinfo prints them.
 * Kernel: `migratetype_names[]` in mm/page_alloc.c.
 */
export const migratetypeNames: readonly string[] = Object.freeze([
  "Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate",
]);

/** True for MIGRATE_CMA. Kernel: `is_migrate_cma()`. */
export function isMigrateCma(mt: number): boolean {
  return mt === MIGRATE_CMA;
}

/** True for MIGRATE_MOVABLE and MIGRATE_CMA (both hold only movable pages). Kernel: `is_migrate_movable()`. */
export function isMigrateMovable(mt: number): boolean {
  return mt === MIGRATE_MOVABLE || mt === MIGRATE_CMA;
}

/** True for MIGRATE_HIGHATOMIC. Kernel: `is_migrate_highatomic()` (mm/page_alloc.c in 6.1). */
export function isMigrateHighatomic(mt: number): boolean {
  return mt === MIGRATE_HIGHATOMIC;
}

/** True for MIGRATE_ISOLATE. Kernel: `is_migrate_isolate()` in include/linux/page-isolation.h. */
export function isMigrateIsolate(mt: number): boolean {
  return mt === MIGRATE_ISOLATE;
}

/**
 * True when blocks of this type may merge with buddies of another type: only the types that
 * can fall back to one another (those below MIGRATE_PCPTYPES).
 * Kernel: `migratetype_is_mergeable()`.
 */
export function migratetypeIsMergeable(mt: number): boolean {
  return mt < MIGRATE_PCPTYPES;
}

// ---------------------------------------------------------------------------------------------
// Zones
// ---------------------------------------------------------------------------------------------

/** Below the arm64 DMA limit (here all RAM below 4 GiB; see reference/README.md). Kernel: `enum zone_type` `ZONE_DMA`. */
export const ZONE_DMA = 0;
/** Below 4 GiB when ZONE_DMA is smaller; empty on the reference board. Kernel: `ZONE_DMA32`. */
export const ZONE_DMA32 = 1;
/** Kernel: `ZONE_NORMAL`. */
export const ZONE_NORMAL = 2;
/** Only movable allocations (kernelcore=/movablecore=); empty by default. Kernel: `ZONE_MOVABLE`. */
export const ZONE_MOVABLE = 3;
/** Number of zones per node (no HIGHMEM on arm64, ZONE_DEVICE not set). Kernel: `MAX_NR_ZONES` (`__MAX_NR_ZONES`). */
export const MAX_NR_ZONES = 4;
/** A zone index within a node (`zone_idx()`). */
export type ZoneType = 0 | 1 | 2 | 3;

/** Zone names, indexed by zone type, as /proc/zoneinfo prints them. Kernel: `zone_names[]` in mm/page_alloc.c. */
export const zoneNames: readonly string[] = Object.freeze(["DMA", "DMA32", "Normal", "Movable"]);

/** Always false: the config has no ZONE_HIGHMEM. Kernel: `is_highmem_idx()`. */
export function isHighmemIdx(_zid: number): boolean {
  return false;
}

/** Kernel: `enum zone_flags` `ZONE_BOOSTED_WATERMARK` (bit in zone->flags; cleared when kswapd wakes). */
export const ZONE_BOOSTED_WATERMARK = 0;
/** Kswapd may be scanning the zone. Kernel: `ZONE_RECLAIM_ACTIVE`. */
export const ZONE_RECLAIM_ACTIVE = 1;
/** mmsim count of `enum zone_flags` (the kernel's enum has none). */
export const NR_ZONE_FLAGS = 2;
/** A bit of zone->flags. */
export type ZoneFlag = 0 | 1;

/** Reclaim found many dirty file pages at the LRU tail. Kernel: `enum pgdat_flags` `PGDAT_DIRTY`. */
export const PGDAT_DIRTY = 0;
/** Reclaim found many pages under writeback. Kernel: `PGDAT_WRITEBACK`. */
export const PGDAT_WRITEBACK = 1;
/** Prevents concurrent node reclaim. Kernel: `PGDAT_RECLAIM_LOCKED`. */
export const PGDAT_RECLAIM_LOCKED = 2;
/** mmsim count of `enum pgdat_flags` (the kernel's enum has none). */
export const NR_PGDAT_FLAGS = 3;
/** A bit of pgdat->flags. */
export type PgdatFlag = 0 | 1 | 2;

// ---------------------------------------------------------------------------------------------
// Nodes and zonelists
// ---------------------------------------------------------------------------------------------

/** "No node" (also "any node" as a preferred nid). Kernel: `NUMA_NO_NODE` in include/linux/numa.h. */
export const NUMA_NO_NODE = -1;
/** log2 of the node limit. Kernel: CONFIG_NODES_SHIFT = 4 (Debian arm64). */
export const NODES_SHIFT = 4;
/** Most nodes the kernel supports (16). Kernel: `MAX_NUMNODES`. */
export const MAX_NUMNODES = 1 << NODES_SHIFT;

/** Zonelist with fallback to other nodes. Kernel: `ZONELIST_FALLBACK`. */
export const ZONELIST_FALLBACK = 0;
/** Zonelist of this node only, used for __GFP_THISNODE (CONFIG_NUMA=y). Kernel: `ZONELIST_NOFALLBACK`. */
export const ZONELIST_NOFALLBACK = 1;
/** Zonelists per node. Kernel: `MAX_ZONELISTS`. */
export const MAX_ZONELISTS = 2;
/** A zonelist index. */
export type ZonelistType = 0 | 1;
/** Longest zonelist (64). Kernel: `MAX_ZONES_PER_ZONELIST` = MAX_NUMNODES * MAX_NR_ZONES. */
export const MAX_ZONES_PER_ZONELIST = MAX_NUMNODES * MAX_NR_ZONES;

/** Starting reclaim priority: scan lru_size >> priority pages. Kernel: `DEF_PRIORITY`. */
export const DEF_PRIORITY = 12;

// ---------------------------------------------------------------------------------------------
// Watermarks and per-CPU lists
// ---------------------------------------------------------------------------------------------

/** Kernel: `enum zone_watermarks` `WMARK_MIN`. */
export const WMARK_MIN = 0;
/** Kernel: `WMARK_LOW`. */
export const WMARK_LOW = 1;
/** Kernel: `WMARK_HIGH`. */
export const WMARK_HIGH = 2;
/**
 * Promotion watermark for memory tiering (= HIGH + the low-high gap). It exists in 6.1
 * (added in 6.1 with NUMA-balancing promotion), but 6.1's /proc/zoneinfo does not print it:
 * the `promo` line came later. Kernel: `WMARK_PROMO`.
 */
export const WMARK_PROMO = 3;
/** Number of watermarks; sizes zone->_watermark[]. Kernel: `NR_WMARK`. */
export const NR_WMARK = 4;
/** A watermark index. */
export type ZoneWatermark = 0 | 1 | 2 | 3;

/**
 * Per-CPU lists for pageblock-order (THP) pages: one for MIGRATE_MOVABLE, one for the other pcp
 * types (CONFIG_TRANSPARENT_HUGEPAGE=y). 6.1.y stable has 2 (read in 6.1.129; the split was
 * backported to 6.1.y), v6.1.0 had 1. Kernel: `NR_PCP_THP`; index arithmetic in
 * `order_to_pindex()` in mm/page_alloc.c.
 */
export const NR_PCP_THP = 2;
/** Per-CPU lists for orders 0..PAGE_ALLOC_COSTLY_ORDER: MIGRATE_PCPTYPES * 4 = 12. Kernel: `NR_LOWORDER_PCP_LISTS`. */
export const NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1);
/** Lists per `struct per_cpu_pages` (14). Kernel: `NR_PCP_LISTS`. */
export const NR_PCP_LISTS = NR_LOWORDER_PCP_LISTS + NR_PCP_THP;

/** Compaction modes tracked separately (async, sync). Kernel: `ASYNC_AND_SYNC`. */
export const ASYNC_AND_SYNC = 2;

// ---------------------------------------------------------------------------------------------
// LRU lists
// ---------------------------------------------------------------------------------------------

/*
 * LRU index arithmetic (include/linux/mmzone.h): each active list sits LRU_ACTIVE above its
 * inactive list, and each file list sits LRU_FILE above its anon list, so
 *     lru = LRU_BASE + (file ? LRU_FILE : 0) + (active ? LRU_ACTIVE : 0)
 * and LRU_UNEVICTABLE comes after the four evictable lists. The same order must hold for
 * NR_ZONE_INACTIVE_ANON.. (zone stats) and NR_INACTIVE_ANON.. (node stats) in vmstat.ts, and
 * for the names in vmstat_text[]: code adds an lru to NR_LRU_BASE / NR_ZONE_LRU_BASE.
 */

/** Kernel: `LRU_BASE`. */
export const LRU_BASE = 0;
/** Offset of an active list from its inactive list. Kernel: `LRU_ACTIVE`. */
export const LRU_ACTIVE = 1;
/** Offset of a file list from its anon list. Kernel: `LRU_FILE`. */
export const LRU_FILE = 2;

/** Kernel: `enum lru_list` `LRU_INACTIVE_ANON` = LRU_BASE. */
export const LRU_INACTIVE_ANON = LRU_BASE;
/** Kernel: `LRU_ACTIVE_ANON` = LRU_BASE + LRU_ACTIVE. */
export const LRU_ACTIVE_ANON = LRU_BASE + LRU_ACTIVE;
/** Kernel: `LRU_INACTIVE_FILE` = LRU_BASE + LRU_FILE. */
export const LRU_INACTIVE_FILE = LRU_BASE + LRU_FILE;
/** Kernel: `LRU_ACTIVE_FILE` = LRU_BASE + LRU_FILE + LRU_ACTIVE. */
export const LRU_ACTIVE_FILE = LRU_BASE + LRU_FILE + LRU_ACTIVE;
/** Kernel: `LRU_UNEVICTABLE`. */
export const LRU_UNEVICTABLE = 4;
/** Number of LRU lists per lruvec. Kernel: `NR_LRU_LISTS`. */
export const NR_LRU_LISTS = 5;
/** An LRU list index. */
export type LruList = 0 | 1 | 2 | 3 | 4;

/**
 * LRU list names, indexed by lru: node stat names without their "nr_" prefix.
 * Kernel: `lru_list_name()` in include/linux/vmstat.h.
 */
export const lruListNames: readonly string[] = Object.freeze([
  "inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable",
]);

/** True for the two file lists. Kernel: `is_file_lru()`. */
export function isFileLru(lru: number): boolean {
  return lru === LRU_INACTIVE_FILE || lru === LRU_ACTIVE_FILE;
}

/** True for the two active lists. Kernel: `is_active_lru()`. */
export function isActiveLru(lru: number): boolean {
  return lru === LRU_ACTIVE_ANON || lru === LRU_ACTIVE_FILE;
}

/** Evictable list of a page type: base + (file ? LRU_FILE : 0) + (active ? LRU_ACTIVE : 0). Kernel: arithmetic of `folio_lru_list()`. */
export function lruListOf(file: boolean, active: boolean): number {
  return LRU_BASE + (file ? LRU_FILE : 0) + (active ? LRU_ACTIVE : 0);
}

/** Index of anon in [anon, file] pairs. Kernel: `WORKINGSET_ANON`. */
export const WORKINGSET_ANON = 0;
/** Index of file in [anon, file] pairs. Kernel: `WORKINGSET_FILE`. */
export const WORKINGSET_FILE = 1;
/** Size of [anon, file] pair arrays. Kernel: `ANON_AND_FILE`. */
export const ANON_AND_FILE = 2;

/** Fewest MGLRU generations (the two youngest count as "active"). Kernel: `MIN_NR_GENS`. */
export const MIN_NR_GENS = 2;
/** Most MGLRU generations. Kernel: `MAX_NR_GENS`. */
export const MAX_NR_GENS = 4;
/** MGLRU refault tiers per type. Kernel: `MAX_NR_TIERS`. */
export const MAX_NR_TIERS = 4;

/** Kernel: `enum vmscan_throttle_state` `VMSCAN_THROTTLE_WRITEBACK`. */
export const VMSCAN_THROTTLE_WRITEBACK = 0;
/** Kernel: `VMSCAN_THROTTLE_ISOLATED`. */
export const VMSCAN_THROTTLE_ISOLATED = 1;
/** Kernel: `VMSCAN_THROTTLE_NOPROGRESS`. */
export const VMSCAN_THROTTLE_NOPROGRESS = 2;
/** Kernel: `VMSCAN_THROTTLE_CONGESTED`. */
export const VMSCAN_THROTTLE_CONGESTED = 3;
/** Number of reclaim throttle reasons. Kernel: `NR_VMSCAN_THROTTLE`. */
export const NR_VMSCAN_THROTTLE = 4;
/** A reclaim throttle reason. */
export type VmscanThrottleState = 0 | 1 | 2 | 3;
