// Kernel: include/linux/mmzone.h (zone/numa/node_stat_item), include/linux/vm_event_item.h, include/linux/vmstat.h, vmstat_text[] of mm/vmstat.c (v6.1; read from 6.1.129)
/*
 * The ids and names of every vmstat counter of the reference kernel, in the kernel's enum
 * order, as flat constants (STYLE C2). Counter storage lives elsewhere; this file only fixes
 * ids, counts, names and how values print.
 *
 * Five id spaces, each with its count, concatenated in this order in vmstat_text[] and
 * /proc/vmstat:
 *   enum zone_stat_item       NR_FREE_PAGES ..             NR_VM_ZONE_STAT_ITEMS      = 11
 *   enum numa_stat_item       NUMA_HIT ..                  NR_VM_NUMA_EVENT_ITEMS     = 6
 *   enum node_stat_item       NR_LRU_BASE ..               NR_VM_NODE_STAT_ITEMS      = 43
 *   enum writeback_stat_item  NR_DIRTY_THRESHOLD ..        NR_VM_WRITEBACK_STAT_ITEMS = 2
 *   enum vm_event_item        PGPGIN ..                    NR_VM_EVENT_ITEMS          = 106
 * followed by the deprecated "nr_unstable 0" line that vmstat_show() appends after the last
 * item (NR_VMSTAT_ITEMS = 168 items, 169 lines).
 *
 * Config-dependent items (Debian 6.1.0-56-arm64), all checked against the real capture
 * reference/linux-6.1-arm64-virt-1g-2cpu/proc_vmstat (vmstat.test.ts compares line by line):
 *   NR_ZSPAGES               IS_ENABLED(CONFIG_ZSMALLOC) (=m)   present
 *   NUMA_* (numa_stat_item)  CONFIG_NUMA=y                      present
 *   NR_KERNEL_SCS_KB         CONFIG_SHADOW_CALL_STACK not set   absent
 *   NR_SWAPCACHE             CONFIG_SWAP=y                      present
 *   PGPROMOTE_*              CONFIG_NUMA_BALANCING=y            present
 *   events: see the comments in the vm_event_item block.
 * Items of newer kernels (nr_free_pages_blocks, nr_iommu_pages, pgdemote_khugepaged,
 * *_proactive, nr_hugetlb, nr_memmap*, zswpwb, ...) do not exist in 6.1.
 *
 * Units (how 6.1 stores and prints them):
 *   - Most items count pages.
 *   - NR_SLAB_RECLAIMABLE_B / NR_SLAB_UNRECLAIMABLE_B: the API takes bytes (memcg/lruvec
 *     counters are byte-precise), but node and global counters hold pages (the byte delta,
 *     a multiple of PAGE_SIZE, is shifted down by PAGE_SHIFT in __mod_node_page_state()), so
 *     /proc/vmstat and zoneinfo print pages under the names nr_slab_reclaimable /
 *     nr_slab_unreclaimable. vmstatItemInBytes() tells which.
 *   - NR_KERNEL_STACK_KB: kept and printed in KiB (nr_kernel_stack).
 *   - NR_ANON_THPS, NR_FILE_THPS, NR_SHMEM_THPS, NR_SHMEM_PMDMAPPED, NR_FILE_PMDMAPPED are
 *     kept in base pages and printed in THPs (divided by HPAGE_PMD_NR = 512);
 *     vmstatItemPrintInThp() tells which.
 *   - PGPGIN / PGPGOUT are kept in 512-byte sectors and printed in KiB (divided by 2).
 *   - The writeback items are computed when read (global_dirty_limits()), in pages.
 */
import { HPAGE_PMD_NR } from "./mmzone.ts";

// ---------------------------------------------------------------------------------------------
// enum zone_stat_item
// ---------------------------------------------------------------------------------------------

/** Free pages in the zone. Kernel: `NR_FREE_PAGES`. */
export const NR_FREE_PAGES = 0;
/** First per-zone LRU counter; NR_ZONE_LRU_BASE + lru is that list's size (used by compaction and reclaim retry). Kernel: `NR_ZONE_LRU_BASE`. */
export const NR_ZONE_LRU_BASE = 1;
/** Kernel: `NR_ZONE_INACTIVE_ANON` = NR_ZONE_LRU_BASE + LRU_INACTIVE_ANON. */
export const NR_ZONE_INACTIVE_ANON = NR_ZONE_LRU_BASE;
/** Kernel: `NR_ZONE_ACTIVE_ANON`. */
export const NR_ZONE_ACTIVE_ANON = 2;
/** Kernel: `NR_ZONE_INACTIVE_FILE`. */
export const NR_ZONE_INACTIVE_FILE = 3;
/** Kernel: `NR_ZONE_ACTIVE_FILE`. */
export const NR_ZONE_ACTIVE_FILE = 4;
/** Kernel: `NR_ZONE_UNEVICTABLE`. */
export const NR_ZONE_UNEVICTABLE = 5;
/** Dirty + writeback pages in the zone. Kernel: `NR_ZONE_WRITE_PENDING`. */
export const NR_ZONE_WRITE_PENDING = 6;
/** mlock()ed pages. Kernel: `NR_MLOCK`. */
export const NR_MLOCK = 7;
/** Kernel: `NR_BOUNCE`. */
export const NR_BOUNCE = 8;
/** Pages allocated by zsmalloc (CONFIG_ZSMALLOC=m). Kernel: `NR_ZSPAGES`. */
export const NR_ZSPAGES = 9;
/** Free pages in MIGRATE_CMA pageblocks. Kernel: `NR_FREE_CMA_PAGES`. */
export const NR_FREE_CMA_PAGES = 10;
/** Number of zone counters. Kernel: `NR_VM_ZONE_STAT_ITEMS`. */
export const NR_VM_ZONE_STAT_ITEMS = 11;
/** A zone_stat_item. */
export type ZoneStatItem = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

// ---------------------------------------------------------------------------------------------
// enum numa_stat_item (CONFIG_NUMA=y; per zone, event-like)
// ---------------------------------------------------------------------------------------------

/** Allocated in the intended node. Kernel: `NUMA_HIT`. */
export const NUMA_HIT = 0;
/** Allocated here although another node was intended. Kernel: `NUMA_MISS`. */
export const NUMA_MISS = 1;
/** Intended here, allocated elsewhere. Kernel: `NUMA_FOREIGN`. */
export const NUMA_FOREIGN = 2;
/** Interleave policy preferred this zone. Kernel: `NUMA_INTERLEAVE_HIT`. */
export const NUMA_INTERLEAVE_HIT = 3;
/** Allocated from the local node. Kernel: `NUMA_LOCAL`. */
export const NUMA_LOCAL = 4;
/** Allocated from another node. Kernel: `NUMA_OTHER`. */
export const NUMA_OTHER = 5;
/** Number of NUMA counters. Kernel: `NR_VM_NUMA_EVENT_ITEMS`. */
export const NR_VM_NUMA_EVENT_ITEMS = 6;
/** A numa_stat_item. */
export type NumaStatItem = 0 | 1 | 2 | 3 | 4 | 5;

// ---------------------------------------------------------------------------------------------
// enum node_stat_item
// ---------------------------------------------------------------------------------------------

/** First per-node LRU counter; NR_LRU_BASE + lru must stay in LRU_* order (mmzone.ts). Kernel: `NR_LRU_BASE`. */
export const NR_LRU_BASE = 0;
/** Kernel: `NR_INACTIVE_ANON` = NR_LRU_BASE. */
export const NR_INACTIVE_ANON = NR_LRU_BASE;
/** Kernel: `NR_ACTIVE_ANON`. */
export const NR_ACTIVE_ANON = 1;
/** Kernel: `NR_INACTIVE_FILE`. */
export const NR_INACTIVE_FILE = 2;
/** Kernel: `NR_ACTIVE_FILE`. */
export const NR_ACTIVE_FILE = 3;
/** Kernel: `NR_UNEVICTABLE`. */
export const NR_UNEVICTABLE = 4;
/** Reclaimable slab memory: API in bytes, node counter in pages ("nr_slab_reclaimable"). Kernel: `NR_SLAB_RECLAIMABLE_B`. */
export const NR_SLAB_RECLAIMABLE_B = 5;
/** Unreclaimable slab memory: API in bytes, node counter in pages ("nr_slab_unreclaimable"). Kernel: `NR_SLAB_UNRECLAIMABLE_B`. */
export const NR_SLAB_UNRECLAIMABLE_B = 6;
/** Anon pages temporarily isolated from the LRU. Kernel: `NR_ISOLATED_ANON`. */
export const NR_ISOLATED_ANON = 7;
/** File pages temporarily isolated from the LRU. Kernel: `NR_ISOLATED_FILE`. */
export const NR_ISOLATED_FILE = 8;
/** Shadow-entry xarray nodes. Kernel: `WORKINGSET_NODES`. */
export const WORKINGSET_NODES = 9;
/** Kernel: `WORKINGSET_REFAULT_BASE` (+ WORKINGSET_ANON / WORKINGSET_FILE). */
export const WORKINGSET_REFAULT_BASE = 10;
/** Kernel: `WORKINGSET_REFAULT_ANON`. */
export const WORKINGSET_REFAULT_ANON = WORKINGSET_REFAULT_BASE;
/** Kernel: `WORKINGSET_REFAULT_FILE`. */
export const WORKINGSET_REFAULT_FILE = 11;
/** Kernel: `WORKINGSET_ACTIVATE_BASE`. */
export const WORKINGSET_ACTIVATE_BASE = 12;
/** Kernel: `WORKINGSET_ACTIVATE_ANON`. */
export const WORKINGSET_ACTIVATE_ANON = WORKINGSET_ACTIVATE_BASE;
/** Kernel: `WORKINGSET_ACTIVATE_FILE`. */
export const WORKINGSET_ACTIVATE_FILE = 13;
/** Kernel: `WORKINGSET_RESTORE_BASE`. */
export const WORKINGSET_RESTORE_BASE = 14;
/** Kernel: `WORKINGSET_RESTORE_ANON`. */
export const WORKINGSET_RESTORE_ANON = WORKINGSET_RESTORE_BASE;
/** Kernel: `WORKINGSET_RESTORE_FILE`. */
export const WORKINGSET_RESTORE_FILE = 15;
/** Kernel: `WORKINGSET_NODERECLAIM`. */
export const WORKINGSET_NODERECLAIM = 16;
/** Mapped anonymous pages ("nr_anon_pages"). Kernel: `NR_ANON_MAPPED`. */
export const NR_ANON_MAPPED = 17;
/** Page-cache pages mapped into page tables ("nr_mapped"). Kernel: `NR_FILE_MAPPED`. */
export const NR_FILE_MAPPED = 18;
/** Kernel: `NR_FILE_PAGES`. */
export const NR_FILE_PAGES = 19;
/** ("nr_dirty"). Kernel: `NR_FILE_DIRTY`. */
export const NR_FILE_DIRTY = 20;
/** Kernel: `NR_WRITEBACK`. */
export const NR_WRITEBACK = 21;
/** Writeback through temporary buffers. Kernel: `NR_WRITEBACK_TEMP`. */
export const NR_WRITEBACK_TEMP = 22;
/** shmem/tmpfs pages. Kernel: `NR_SHMEM`. */
export const NR_SHMEM = 23;
/** shmem THPs: kept in pages, printed in THPs ("nr_shmem_hugepages"). Kernel: `NR_SHMEM_THPS`. */
export const NR_SHMEM_THPS = 24;
/** Kept in pages, printed in THPs. Kernel: `NR_SHMEM_PMDMAPPED`. */
export const NR_SHMEM_PMDMAPPED = 25;
/** Kept in pages, printed in THPs ("nr_file_hugepages"). Kernel: `NR_FILE_THPS`. */
export const NR_FILE_THPS = 26;
/** Kept in pages, printed in THPs. Kernel: `NR_FILE_PMDMAPPED`. */
export const NR_FILE_PMDMAPPED = 27;
/** Kept in pages, printed in THPs ("nr_anon_transparent_hugepages"). Kernel: `NR_ANON_THPS`. */
export const NR_ANON_THPS = 28;
/** Kernel: `NR_VMSCAN_WRITE`. */
export const NR_VMSCAN_WRITE = 29;
/** Reclaim as soon as writeback ends ("nr_vmscan_immediate_reclaim"). Kernel: `NR_VMSCAN_IMMEDIATE`. */
export const NR_VMSCAN_IMMEDIATE = 30;
/** Pages dirtied since boot. Kernel: `NR_DIRTIED`. */
export const NR_DIRTIED = 31;
/** Pages written since boot. Kernel: `NR_WRITTEN`. */
export const NR_WRITTEN = 32;
/** NR_WRITTEN while reclaim was throttled. Kernel: `NR_THROTTLED_WRITTEN`. */
export const NR_THROTTLED_WRITTEN = 33;
/** Reclaimable non-slab kernel pages. Kernel: `NR_KERNEL_MISC_RECLAIMABLE`. */
export const NR_KERNEL_MISC_RECLAIMABLE = 34;
/** Kernel: `NR_FOLL_PIN_ACQUIRED`. */
export const NR_FOLL_PIN_ACQUIRED = 35;
/** Kernel: `NR_FOLL_PIN_RELEASED`. */
export const NR_FOLL_PIN_RELEASED = 36;
/** Kernel stacks, in KiB, kept and printed in KiB ("nr_kernel_stack"). Kernel: `NR_KERNEL_STACK_KB`. */
export const NR_KERNEL_STACK_KB = 37;
/** Page-table pages ("nr_page_table_pages"). Kernel: `NR_PAGETABLE`. */
export const NR_PAGETABLE = 38;
/** Secondary (e.g. KVM stage-2) page-table pages ("nr_sec_page_table_pages"). Kernel: `NR_SECONDARY_PAGETABLE`. */
export const NR_SECONDARY_PAGETABLE = 39;
/** Swap-cache pages ("nr_swapcached"; CONFIG_SWAP=y). Kernel: `NR_SWAPCACHE`. */
export const NR_SWAPCACHE = 40;
/** Pages promoted by memory tiering (CONFIG_NUMA_BALANCING=y). Kernel: `PGPROMOTE_SUCCESS`. */
export const PGPROMOTE_SUCCESS = 41;
/** Promotion candidates (CONFIG_NUMA_BALANCING=y). Kernel: `PGPROMOTE_CANDIDATE`. */
export const PGPROMOTE_CANDIDATE = 42;
/** Number of node counters. Kernel: `NR_VM_NODE_STAT_ITEMS`. */
export const NR_VM_NODE_STAT_ITEMS = 43;
/** A node_stat_item. */
export type NodeStatItem =
  | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20
  | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30 | 31 | 32 | 33 | 34 | 35 | 36 | 37 | 38 | 39
  | 40 | 41 | 42;

// ---------------------------------------------------------------------------------------------
// enum writeback_stat_item (computed when read)
// ---------------------------------------------------------------------------------------------

/** Global dirty limit, in pages. Kernel: `NR_DIRTY_THRESHOLD`. */
export const NR_DIRTY_THRESHOLD = 0;
/** Background writeback threshold, in pages ("nr_dirty_background_threshold"). Kernel: `NR_DIRTY_BG_THRESHOLD`. */
export const NR_DIRTY_BG_THRESHOLD = 1;
/** Kernel: `NR_VM_WRITEBACK_STAT_ITEMS`. */
export const NR_VM_WRITEBACK_STAT_ITEMS = 2;
/** A writeback_stat_item. */
export type WritebackStatItem = 0 | 1;

// ---------------------------------------------------------------------------------------------
// enum vm_event_item (CONFIG_VM_EVENT_COUNTERS=y). Kernel: include/linux/vm_event_item.h.
// Per-zone events are laid out DMA, DMA32, NORMAL, MOVABLE (FOR_ALL_ZONES): PGALLOC_DMA + zid.
// PGSCAN_SKIP_* prints as "pgskip_*", KCOMPACTD_* as "compact_daemon_*", COMPACT* as
// "compact_*", HTLB_BUDDY_PGALLOC as "htlb_buddy_alloc_success", NUMA_PAGE_MIGRATE as
// "numa_pages_migrated", PGSCAN_ZONE_RECLAIM_FAILED as "zone_reclaim_failed" (vmEventNames).
// ---------------------------------------------------------------------------------------------

export const PGPGIN = 0;
export const PGPGOUT = 1;
export const PSWPIN = 2;
export const PSWPOUT = 3;
// FOR_ALL_ZONES(PGALLOC), FOR_ALL_ZONES(ALLOCSTALL), FOR_ALL_ZONES(PGSCAN_SKIP): DMA, DMA32, NORMAL, MOVABLE
export const PGALLOC_DMA = 4;
export const PGALLOC_DMA32 = 5;
export const PGALLOC_NORMAL = 6;
export const PGALLOC_MOVABLE = 7;
export const ALLOCSTALL_DMA = 8;
export const ALLOCSTALL_DMA32 = 9;
export const ALLOCSTALL_NORMAL = 10;
export const ALLOCSTALL_MOVABLE = 11;
export const PGSCAN_SKIP_DMA = 12;
export const PGSCAN_SKIP_DMA32 = 13;
export const PGSCAN_SKIP_NORMAL = 14;
export const PGSCAN_SKIP_MOVABLE = 15;
export const PGFREE = 16;
export const PGACTIVATE = 17;
export const PGDEACTIVATE = 18;
export const PGLAZYFREE = 19;
export const PGFAULT = 20;
export const PGMAJFAULT = 21;
export const PGLAZYFREED = 22;
export const PGREFILL = 23;
export const PGREUSE = 24;
export const PGSTEAL_KSWAPD = 25;
export const PGSTEAL_DIRECT = 26;
export const PGDEMOTE_KSWAPD = 27;
export const PGDEMOTE_DIRECT = 28;
export const PGSCAN_KSWAPD = 29;
export const PGSCAN_DIRECT = 30;
export const PGSCAN_DIRECT_THROTTLE = 31;
export const PGSCAN_ANON = 32;
export const PGSCAN_FILE = 33;
export const PGSTEAL_ANON = 34;
export const PGSTEAL_FILE = 35;
// CONFIG_NUMA=y
export const PGSCAN_ZONE_RECLAIM_FAILED = 36;
// (always)
export const PGINODESTEAL = 37;
export const SLABS_SCANNED = 38;
export const KSWAPD_INODESTEAL = 39;
export const KSWAPD_LOW_WMARK_HIT_QUICKLY = 40;
export const KSWAPD_HIGH_WMARK_HIT_QUICKLY = 41;
export const PAGEOUTRUN = 42;
export const PGROTATED = 43;
export const DROP_PAGECACHE = 44;
export const DROP_SLAB = 45;
export const OOM_KILL = 46;
// CONFIG_NUMA_BALANCING=y
export const NUMA_PTE_UPDATES = 47;
export const NUMA_HUGE_PTE_UPDATES = 48;
export const NUMA_HINT_FAULTS = 49;
export const NUMA_HINT_FAULTS_LOCAL = 50;
export const NUMA_PAGE_MIGRATE = 51;
// CONFIG_MIGRATION=y
export const PGMIGRATE_SUCCESS = 52;
export const PGMIGRATE_FAIL = 53;
export const THP_MIGRATION_SUCCESS = 54;
export const THP_MIGRATION_FAIL = 55;
export const THP_MIGRATION_SPLIT = 56;
// CONFIG_COMPACTION=y
export const COMPACTMIGRATE_SCANNED = 57;
export const COMPACTFREE_SCANNED = 58;
export const COMPACTISOLATED = 59;
export const COMPACTSTALL = 60;
export const COMPACTFAIL = 61;
export const COMPACTSUCCESS = 62;
export const KCOMPACTD_WAKE = 63;
export const KCOMPACTD_MIGRATE_SCANNED = 64;
export const KCOMPACTD_FREE_SCANNED = 65;
// CONFIG_HUGETLB_PAGE=y
export const HTLB_BUDDY_PGALLOC = 66;
export const HTLB_BUDDY_PGALLOC_FAIL = 67;
// CONFIG_CMA=y
export const CMA_ALLOC_SUCCESS = 68;
export const CMA_ALLOC_FAIL = 69;
// (always)
export const UNEVICTABLE_PGCULLED = 70;
export const UNEVICTABLE_PGSCANNED = 71;
export const UNEVICTABLE_PGRESCUED = 72;
export const UNEVICTABLE_PGMLOCKED = 73;
export const UNEVICTABLE_PGMUNLOCKED = 74;
export const UNEVICTABLE_PGCLEARED = 75;
export const UNEVICTABLE_PGSTRANDED = 76;
// CONFIG_TRANSPARENT_HUGEPAGE=y (no THP_SPLIT_PUD: arm64 has no HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD)
export const THP_FAULT_ALLOC = 77;
export const THP_FAULT_FALLBACK = 78;
export const THP_FAULT_FALLBACK_CHARGE = 79;
export const THP_COLLAPSE_ALLOC = 80;
export const THP_COLLAPSE_ALLOC_FAILED = 81;
export const THP_FILE_ALLOC = 82;
export const THP_FILE_FALLBACK = 83;
export const THP_FILE_FALLBACK_CHARGE = 84;
export const THP_FILE_MAPPED = 85;
export const THP_SPLIT_PAGE = 86;
export const THP_SPLIT_PAGE_FAILED = 87;
export const THP_DEFERRED_SPLIT_PAGE = 88;
export const THP_SPLIT_PMD = 89;
export const THP_SCAN_EXCEED_NONE_PTE = 90;
export const THP_SCAN_EXCEED_SWAP_PTE = 91;
export const THP_SCAN_EXCEED_SHARED_PTE = 92;
export const THP_ZERO_PAGE_ALLOC = 93;
export const THP_ZERO_PAGE_ALLOC_FAILED = 94;
export const THP_SWPOUT = 95;
export const THP_SWPOUT_FALLBACK = 96;
// CONFIG_MEMORY_BALLOON=y, CONFIG_BALLOON_COMPACTION=y (no NR_TLB_*: DEBUG_TLBFLUSH is x86-only)
export const BALLOON_INFLATE = 97;
export const BALLOON_DEFLATE = 98;
export const BALLOON_MIGRATE = 99;
// CONFIG_SWAP=y (KSM_SWPIN_COPY: and CONFIG_KSM=y)
export const SWAP_RA = 100;
export const SWAP_RA_HIT = 101;
export const KSM_SWPIN_COPY = 102;
// CONFIG_KSM=y
export const COW_KSM = 103;
// CONFIG_ZSWAP=y (no DIRECT_MAP_LEVEL*_SPLIT: x86 only)
export const ZSWPIN = 104;
export const ZSWPOUT = 105;
/** Number of VM events. Kernel: `NR_VM_EVENT_ITEMS`. */
export const NR_VM_EVENT_ITEMS = 106;
/** A vm_event_item. */
export type VmEventItem =
  | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20
  | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30 | 31 | 32 | 33 | 34 | 35 | 36 | 37 | 38 | 39
  | 40 | 41 | 42 | 43 | 44 | 45 | 46 | 47 | 48 | 49 | 50 | 51 | 52 | 53 | 54 | 55 | 56 | 57 | 58
  | 59 | 60 | 61 | 62 | 63 | 64 | 65 | 66 | 67 | 68 | 69 | 70 | 71 | 72 | 73 | 74 | 75 | 76 | 77
  | 78 | 79 | 80 | 81 | 82 | 83 | 84 | 85 | 86 | 87 | 88 | 89 | 90 | 91 | 92 | 93 | 94 | 95 | 96
  | 97 | 98 | 99 | 100 | 101 | 102 | 103 | 104 | 105;

// ---------------------------------------------------------------------------------------------
// Names (vmstat_text[] of mm/vmstat.c)
// ---------------------------------------------------------------------------------------------

/** Names of the zone counters, by zone_stat_item. Kernel: the zone part of `vmstat_text[]`. */
export const zoneStatNames: readonly string[] = Object.freeze([
  "nr_free_pages", "nr_zone_inactive_anon", "nr_zone_active_anon", "nr_zone_inactive_file",
  "nr_zone_active_file", "nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock", "nr_bounce",
  "nr_zspages", "nr_free_cma",
]);

/** Names of the NUMA counters, by numa_stat_item. Kernel: the numa part of `vmstat_text[]`. */
export const numaStatNames: readonly string[] = Object.freeze([
  "numa_hit", "numa_miss", "numa_foreign", "numa_interleave", "numa_local", "numa_other",
]);

/** Names of the node counters, by node_stat_item. Kernel: the node part of `vmstat_text[]`. */
export const nodeStatNames: readonly string[] = Object.freeze([
  "nr_inactive_anon", "nr_active_anon", "nr_inactive_file", "nr_active_file", "nr_unevictable",
  "nr_slab_reclaimable", "nr_slab_unreclaimable", "nr_isolated_anon", "nr_isolated_file",
  "workingset_nodes", "workingset_refault_anon", "workingset_refault_file",
  "workingset_activate_anon", "workingset_activate_file", "workingset_restore_anon",
  "workingset_restore_file", "workingset_nodereclaim", "nr_anon_pages", "nr_mapped",
  "nr_file_pages", "nr_dirty", "nr_writeback", "nr_writeback_temp", "nr_shmem",
  "nr_shmem_hugepages", "nr_shmem_pmdmapped", "nr_file_hugepages", "nr_file_pmdmapped",
  "nr_anon_transparent_hugepages", "nr_vmscan_write", "nr_vmscan_immediate_reclaim", "nr_dirtied",
  "nr_written", "nr_throttled_written", "nr_kernel_misc_reclaimable", "nr_foll_pin_acquired",
  "nr_foll_pin_released", "nr_kernel_stack", "nr_page_table_pages", "nr_sec_page_table_pages",
  "nr_swapcached", "pgpromote_success", "pgpromote_candidate",
]);

/** Names of the writeback items, by writeback_stat_item. Kernel: the writeback part of `vmstat_text[]`. */
export const writebackStatNames: readonly string[] = Object.freeze([
  "nr_dirty_threshold", "nr_dirty_background_threshold",
]);

/** Names of the VM events, by vm_event_item. Kernel: the event part of `vmstat_text[]` (TEXTS_FOR_ZONES expanded). */
export const vmEventNames: readonly string[] = Object.freeze([
  "pgpgin", "pgpgout", "pswpin", "pswpout", "pgalloc_dma", "pgalloc_dma32", "pgalloc_normal",
  "pgalloc_movable", "allocstall_dma", "allocstall_dma32", "allocstall_normal",
  "allocstall_movable", "pgskip_dma", "pgskip_dma32", "pgskip_normal", "pgskip_movable", "pgfree",
  "pgactivate", "pgdeactivate", "pglazyfree", "pgfault", "pgmajfault", "pglazyfreed", "pgrefill",
  "pgreuse", "pgsteal_kswapd", "pgsteal_direct", "pgdemote_kswapd", "pgdemote_direct",
  "pgscan_kswapd", "pgscan_direct", "pgscan_direct_throttle", "pgscan_anon", "pgscan_file",
  "pgsteal_anon", "pgsteal_file", "zone_reclaim_failed", "pginodesteal", "slabs_scanned",
  "kswapd_inodesteal", "kswapd_low_wmark_hit_quickly", "kswapd_high_wmark_hit_quickly",
  "pageoutrun", "pgrotated", "drop_pagecache", "drop_slab", "oom_kill", "numa_pte_updates",
  "numa_huge_pte_updates", "numa_hint_faults", "numa_hint_faults_local", "numa_pages_migrated",
  "pgmigrate_success", "pgmigrate_fail", "thp_migration_success", "thp_migration_fail",
  "thp_migration_split", "compact_migrate_scanned", "compact_free_scanned", "compact_isolated",
  "compact_stall", "compact_fail", "compact_success", "compact_daemon_wake",
  "compact_daemon_migrate_scanned", "compact_daemon_free_scanned", "htlb_buddy_alloc_success",
  "htlb_buddy_alloc_fail", "cma_alloc_success", "cma_alloc_fail", "unevictable_pgs_culled",
  "unevictable_pgs_scanned", "unevictable_pgs_rescued", "unevictable_pgs_mlocked",
  "unevictable_pgs_munlocked", "unevictable_pgs_cleared", "unevictable_pgs_stranded",
  "thp_fault_alloc", "thp_fault_fallback", "thp_fault_fallback_charge", "thp_collapse_alloc",
  "thp_collapse_alloc_failed", "thp_file_alloc", "thp_file_fallback", "thp_file_fallback_charge",
  "thp_file_mapped", "thp_split_page", "thp_split_page_failed", "thp_deferred_split_page",
  "thp_split_pmd", "thp_scan_exceed_none_pte", "thp_scan_exceed_swap_pte",
  "thp_scan_exceed_share_pte", "thp_zero_page_alloc", "thp_zero_page_alloc_failed", "thp_swpout",
  "thp_swpout_fallback", "balloon_inflate", "balloon_deflate", "balloon_migrate", "swap_ra",
  "swap_ra_hit", "ksm_swpin_copy", "cow_ksm", "zswpin", "zswpout",
]);

/** Items /proc/vmstat prints before the deprecated lines (168). Kernel: `NR_VMSTAT_ITEMS` in mm/vmstat.c. */
export const NR_VMSTAT_ITEMS =
  NR_VM_ZONE_STAT_ITEMS + NR_VM_NUMA_EVENT_ITEMS + NR_VM_NODE_STAT_ITEMS + NR_VM_WRITEBACK_STAT_ITEMS + NR_VM_EVENT_ITEMS;

/**
 * Every /proc/vmstat name in file order: zone, numa, node, writeback, event items.
 * Kernel: `vmstat_text[]` in mm/vmstat.c.
 */
export const vmstatText: readonly string[] = Object.freeze([
  ...zoneStatNames, ...numaStatNames, ...nodeStatNames, ...writebackStatNames, ...vmEventNames,
]);

/**
 * Lines /proc/vmstat appends after the last item, always with value 0, so that old user space
 * still finds them. Kernel: the `seq_puts(m, "nr_unstable 0\n")` in `vmstat_show()`.
 */
export const vmstatDeprecatedNames: readonly string[] = Object.freeze(["nr_unstable"]);

/** Kernel: `zone_stat_name()`. */
export function zoneStatName(item: number): string {
  return zoneStatNames[item];
}

/** Kernel: `numa_stat_name()`. */
export function numaStatName(item: number): string {
  return numaStatNames[item];
}

/** Kernel: `node_stat_name()`. */
export function nodeStatName(item: number): string {
  return nodeStatNames[item];
}

/** Kernel: `writeback_stat_name()`. */
export function writebackStatName(item: number): string {
  return writebackStatNames[item];
}

/** Kernel: `vm_event_name()`. */
export function vmEventName(item: number): string {
  return vmEventNames[item];
}

/** Name of an LRU list: its node stat name without "nr_" (e.g. "inactive_anon"). Kernel: `lru_list_name()`. */
export function lruListName(lru: number): string {
  return nodeStatNames[NR_LRU_BASE + lru].slice(3);
}

// ---------------------------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------------------------

/**
 * True for the node items whose API unit is bytes (NR_SLAB_RECLAIMABLE_B,
 * NR_SLAB_UNRECLAIMABLE_B). Node and global counters still hold pages: divide a byte delta by
 * PAGE_SIZE before adding it. Kernel: `vmstat_item_in_bytes()`.
 */
export function vmstatItemInBytes(item: number): boolean {
  return item === NR_SLAB_RECLAIMABLE_B || item === NR_SLAB_UNRECLAIMABLE_B;
}

/**
 * True for the node items kept in base pages but printed in THPs (CONFIG_TRANSPARENT_HUGEPAGE=y).
 * Kernel: `vmstat_item_print_in_thp()`.
 */
export function vmstatItemPrintInThp(item: number): boolean {
  return (
    item === NR_ANON_THPS || item === NR_FILE_THPS || item === NR_SHMEM_THPS ||
    item === NR_SHMEM_PMDMAPPED || item === NR_FILE_PMDMAPPED
  );
}

/**
 * The value /proc/vmstat and /proc/zoneinfo print for a node item held as `value`: THP items
 * divided by HPAGE_PMD_NR (integer division), others unchanged.
 * Kernel: the `vmstat_item_print_in_thp()` division in `vmstat_start()` / `zoneinfo_show_print()`.
 */
export function nodeStatPrintValue(item: number, value: number): number {
  return vmstatItemPrintInThp(item) ? Math.floor(value / HPAGE_PMD_NR) : value;
}

/**
 * The value /proc/vmstat prints for an event counted as `value`: PGPGIN and PGPGOUT are counted
 * in 512-byte sectors and printed in KiB (halved, integer division); others unchanged.
 * Kernel: `v[PGPGIN] /= 2; v[PGPGOUT] /= 2;` in `vmstat_start()`.
 */
export function vmEventPrintValue(item: number, value: number): number {
  return item === PGPGIN || item === PGPGOUT ? Math.floor(value / 2) : value;
}
