// mmsim: @mmsim/core public API (named re-exports only, STYLE C11)
export { token, resolveToken } from "./di/token.ts";
export type { Token, TokenType } from "./di/token.ts";
export { isMmsimModule } from "./di/module.ts";
export type { MmsimModule, ModuleOptions, ModuleSlot } from "./di/module.ts";
export { SIM_CLOCK, COST_MODEL, KERNEL_LOG, TRACE_BUS, MEM_MAP, RNG, SLAB_COMMON, VM_STAT } from "./di/tokens.ts";

export {
  EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, ENOEXEC, EBADF, ECHILD, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY,
  EEXIST, EXDEV, ENODEV, ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, ETXTBSY, EFBIG, ENOSPC, ESPIPE, EROFS, ERANGE, ENAMETOOLONG,
  ENOSYS, ENOTEMPTY, EOVERFLOW, EHWPOISON,
  errname,
} from "./errno.ts";
export {
  ConfigError, UnknownPolicyError, ScenarioError, TraceFormatError, ArgumentError, MmBugError,
  isMmsimError, debugVm, vmBugOn, describeValue, escapeInvisible, cutText, MAX_VALUE_TEXT, checkUint,
} from "./errors.ts";
export type { MmsimError, ErrorSite } from "./errors.ts";
export { KernelPanic, isKernelPanic, panic, logPanic } from "./panic.ts";
export type { PanicBoardInfo } from "./panic.ts";
export type { ValidationSink, Validatable } from "./validation.ts";

export {
  SZ_1K, SZ_2K, SZ_4K, SZ_8K, SZ_16K, SZ_32K, SZ_64K, SZ_128K, SZ_256K, SZ_512K, SZ_1M, SZ_2M,
  SZ_4M, SZ_8M, SZ_16M, SZ_32M, SZ_64M, SZ_128M, SZ_256M, SZ_512M, SZ_1G, SZ_2G, SZ_4G, SZ_8G,
  SZ_16G, SZ_32G, SZ_64G, PHYS_ADDR_MAX, PAGE_SHIFT, PAGE_SIZE, alignDown, alignUp, isAligned, isPowerOf2,
  pfnUp, pfnDown, pfnPhys, ffs32, fls32, hex,
} from "./sizes.ts";

export { SimClock, NSEC_PER_SEC, NSEC_PER_MSEC, NSEC_PER_USEC } from "./clock.ts";
export { CostModel, DEFAULT_COSTS } from "./cost-model.ts";
export type { CostEntry, CostName, CostOverrides } from "./cost-model.ts";
export {
  KernelLog, formatPrintkTime, KERN_EMERG, KERN_ALERT, KERN_CRIT, KERN_ERR, KERN_WARNING,
  KERN_NOTICE, KERN_INFO, KERN_DEBUG,
} from "./printk.ts";
export { RatelimitState, DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST } from "./ratelimit.ts";
export type { LogLevel, PrintkRecord } from "./printk.ts";

export { BootPageSink } from "./policies/boot-page-sink.ts";
export {
  CONTENT_ZERO, CONTENT_FILL, CONTENT_RANDOM, CONTENT_TEXT, NR_CONTENT_KINDS, CONTENT_RATIO_UNITS, CONTENT_ZERO_ID, contentKind,
  contentCompressedBytes, contentSameFilled, contentFill, contentText,
} from "./page-content.ts";

export { MemMap, NIL_PFN, NIL_PAGE, MEMMAP_MAX_SLOTS } from "./mm-types.ts";
export type { MemMapArrays, MemMapField, MemMapOptions } from "./mm-types.ts";
export {
  listInit, listAdd, listAddTail, listDel, listDelInit, listMove, listMoveTail, listEmpty,
  listIsSingular, listIsLast, listFirst, listLast, listLinked, listSpliceInit, listSpliceTailInit,
} from "./list.ts";
export { listCount, listCheck } from "./list-debug.ts";
export { Prandom } from "./rng.ts";
export type { Rng } from "./rng.ts";
export {
  TraceBus, TRACEPOINTS, NR_TRACEPOINTS, tracepointByName, TP_MM_PAGE_FREE, TP_MM_PAGE_FREE_BATCHED,
  TP_MM_PAGE_ALLOC, TP_MM_PAGE_ALLOC_ZONE_LOCKED, TP_MM_PAGE_PCPU_DRAIN, TP_MM_PAGE_ALLOC_EXTFRAG,
  TP_KMALLOC, TP_KFREE, TP_KMEM_CACHE_ALLOC, TP_KMEM_CACHE_FREE, TP_MM_VMSCAN_WAKEUP_KSWAPD,
  TP_MM_VMSCAN_KSWAPD_WAKE, TP_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, TP_MM_VMSCAN_DIRECT_RECLAIM_END,
  TP_MM_COMPACTION_BEGIN, TP_MM_COMPACTION_END, TP_MARK_VICTIM, TP_MM_VMSCAN_KSWAPD_SLEEP, TP_MM_VMSCAN_MEMCG_RECLAIM_BEGIN,
  TP_MM_VMSCAN_MEMCG_SOFTLIMIT_RECLAIM_BEGIN, TP_MM_VMSCAN_MEMCG_RECLAIM_END, TP_MM_VMSCAN_MEMCG_SOFTLIMIT_RECLAIM_END,
  TP_MM_SHRINK_SLAB_START, TP_MM_SHRINK_SLAB_END, TP_MM_VMSCAN_LRU_ISOLATE, TP_MM_VMSCAN_WRITE_FOLIO, TP_MM_VMSCAN_LRU_SHRINK_INACTIVE,
  TP_MM_VMSCAN_LRU_SHRINK_ACTIVE, TP_MM_VMSCAN_NODE_RECLAIM_BEGIN, TP_MM_VMSCAN_NODE_RECLAIM_END, TP_MM_VMSCAN_THROTTLED, TP_MM_MIGRATE_PAGES, TP_MM_MIGRATE_PAGES_START,
  MAX_TRACE_FIELDS, RECLAIM_WB_ANON, RECLAIM_WB_FILE, RECLAIM_WB_MIXED, RECLAIM_WB_SYNC, RECLAIM_WB_ASYNC, traceReclaimFlags,
  SHRINKER_SCAN_SYMBOLS, traceMmShrinkSlabStart, traceMmShrinkSlabEnd,
} from "./trace.ts";
export { formatTraceEvent, formatTraceRecord, hashedPointer, tracePrintFlags } from "./trace-format.ts";
export type { TraceFieldKind, TracepointInfo, TraceHandler, TracepointId } from "./trace.ts";

export {
  MAX_ORDER, NR_PAGE_ORDERS, MAX_PAGE_ORDER, MAX_ORDER_NR_PAGES, PAGE_ALLOC_COSTLY_ORDER,
  HUGETLB_PAGE_ORDER, HPAGE_PMD_ORDER, HPAGE_PMD_NR, PAGEBLOCK_ORDER, PAGEBLOCK_NR_PAGES,
  pageblockStartPfn, pageblockEndPfn, pageblockAligned, PB_migratetype_bits, PB_migrate,
  PB_migrate_end, PB_migrate_skip, NR_PAGEBLOCK_BITS, MIGRATETYPE_MASK, MIGRATE_UNMOVABLE,
  MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_PCPTYPES, MIGRATE_HIGHATOMIC, MIGRATE_CMA,
  MIGRATE_ISOLATE, MIGRATE_TYPES, migratetypeNames, isMigrateCma, isMigrateMovable,
  isMigrateHighatomic, isMigrateIsolate, migratetypeIsMergeable, ZONE_DMA, ZONE_DMA32, ZONE_NORMAL,
  ZONE_MOVABLE, MAX_NR_ZONES, zoneNames, isHighmemIdx, ZONE_BOOSTED_WATERMARK, ZONE_RECLAIM_ACTIVE,
  NR_ZONE_FLAGS, PGDAT_DIRTY, PGDAT_WRITEBACK, PGDAT_RECLAIM_LOCKED, NR_PGDAT_FLAGS, NUMA_NO_NODE,
  NODES_SHIFT, MAX_NUMNODES, ZONELIST_FALLBACK, ZONELIST_NOFALLBACK, MAX_ZONELISTS,
  MAX_ZONES_PER_ZONELIST, DEF_PRIORITY, WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO, NR_WMARK,
  NR_PCP_THP, NR_LOWORDER_PCP_LISTS, NR_PCP_LISTS, ASYNC_AND_SYNC, LRU_BASE, LRU_ACTIVE, LRU_FILE,
  LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE, LRU_UNEVICTABLE,
  NR_LRU_LISTS, lruListNames, isFileLru, isActiveLru, lruListOf, WORKINGSET_ANON, WORKINGSET_FILE,
  ANON_AND_FILE, MIN_NR_GENS, MAX_NR_GENS, MAX_NR_TIERS, VMSCAN_THROTTLE_WRITEBACK,
  VMSCAN_THROTTLE_ISOLATED, VMSCAN_THROTTLE_NOPROGRESS, VMSCAN_THROTTLE_CONGESTED, NR_VMSCAN_THROTTLE,
} from "./mmzone.ts";
export type {
  PageOrder, PageblockBit, MigrateType, ZoneType, ZoneFlag, PgdatFlag, ZonelistType, ZoneWatermark,
  LruList, VmscanThrottleState,
} from "./mmzone.ts";
export {
  ___GFP_DMA, ___GFP_HIGHMEM, ___GFP_DMA32, ___GFP_MOVABLE, ___GFP_RECLAIMABLE, ___GFP_HIGH,
  ___GFP_IO, ___GFP_FS, ___GFP_ZERO, ___GFP_ATOMIC, ___GFP_DIRECT_RECLAIM, ___GFP_KSWAPD_RECLAIM,
  ___GFP_WRITE, ___GFP_NOWARN, ___GFP_RETRY_MAYFAIL, ___GFP_NOFAIL, ___GFP_NORETRY,
  ___GFP_MEMALLOC, ___GFP_COMP, ___GFP_NOMEMALLOC, ___GFP_HARDWALL, ___GFP_THISNODE,
  ___GFP_ACCOUNT, ___GFP_ZEROTAGS, ___GFP_SKIP_ZERO, ___GFP_SKIP_KASAN_UNPOISON,
  ___GFP_SKIP_KASAN_POISON, ___GFP_NOLOCKDEP, __GFP_DMA, __GFP_HIGHMEM, __GFP_DMA32, __GFP_MOVABLE,
  GFP_ZONEMASK, __GFP_RECLAIMABLE, __GFP_WRITE, __GFP_HARDWALL, __GFP_THISNODE, __GFP_ACCOUNT,
  __GFP_ATOMIC, __GFP_HIGH, __GFP_MEMALLOC, __GFP_NOMEMALLOC, __GFP_IO, __GFP_FS,
  __GFP_DIRECT_RECLAIM, __GFP_KSWAPD_RECLAIM, __GFP_RECLAIM, __GFP_RETRY_MAYFAIL, __GFP_NOFAIL,
  __GFP_NORETRY, __GFP_NOWARN, __GFP_COMP, __GFP_ZERO, __GFP_ZEROTAGS, __GFP_SKIP_ZERO,
  __GFP_SKIP_KASAN_UNPOISON, __GFP_SKIP_KASAN_POISON, __GFP_NOLOCKDEP, __GFP_BITS_SHIFT,
  __GFP_BITS_MASK, GFP_ATOMIC, GFP_KERNEL, GFP_KERNEL_ACCOUNT, GFP_NOWAIT, GFP_NOIO, GFP_NOFS,
  GFP_USER, GFP_DMA, GFP_DMA32, GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE, GFP_TRANSHUGE_LIGHT,
  GFP_TRANSHUGE, GFP_MOVABLE_MASK, GFP_MOVABLE_SHIFT, GFP_RECLAIM_MASK, GFP_BOOT_MASK,
  GFP_CONSTRAINT_MASK, GFP_SLAB_BUG_MASK, GFP_ZONES_SHIFT, GFP_ZONE_TABLE, GFP_ZONE_BAD, gfpZone,
  gfpZoneBad, gfpMigratetype, gfpflagsAllowBlocking, gfpCompactionAllowed, gfpHasIo, gfpHasFs,
  gfpZonelist, gfpflagNames, formatGfpFlags, formatGfpMask,
} from "./gfp.ts";
export type { GfpFlags } from "./gfp.ts";
export {
  PG_locked, PG_referenced, PG_uptodate, PG_dirty, PG_lru, PG_active, PG_workingset, PG_waiters,
  PG_error, PG_slab, PG_owner_priv_1, PG_arch_1, PG_reserved, PG_private, PG_private_2,
  PG_writeback, PG_head, PG_mappedtodisk, PG_reclaim, PG_swapbacked, PG_unevictable, PG_mlocked,
  PG_hwpoison, PG_arch_2, __NR_PAGEFLAGS, NR_PAGEFLAGS, PAGEFLAGS_MASK, LRU_REFS_WIDTH, LRU_REFS_PGOFF, LRU_REFS_MASK, LRU_GEN_WIDTH, LRU_GEN_PGOFF, LRU_GEN_MASK, PG_readahead,
  PG_anon_exclusive, PG_checked, PG_swapcache, PG_fscache, PG_pinned, PG_savepinned, PG_foreign,
  PG_xen_remapped, PG_slob_free, PG_double_map, PG_has_hwpoisoned, PG_isolated, PG_reported,
  PG_vmemmap_self_hosted, PAGE_TYPE_BASE, PAGE_MAPCOUNT_RESERVE, PG_buddy, PG_offline, PG_table,
  PG_guard, PAGE_MAPCOUNT_INIT, ZONES_SHIFT, ZONES_MASK, testPageFlag, setPageFlag, clearPageFlag,
  testAndSetPageFlag, testAndClearPageFlag, pageLocked, setPageLocked, clearPageLocked,
  pageReferenced, setPageReferenced, clearPageReferenced, testClearPageReferenced, pageUptodate,
  setPageUptodate, clearPageUptodate, pageDirty, setPageDirty, clearPageDirty, pageLRU, setPageLRU,
  clearPageLRU, testClearPageLRU, pageActive, setPageActive, clearPageActive, testClearPageActive,
  pageWorkingset, setPageWorkingset, clearPageWorkingset, pageSlab, setPageSlab, clearPageSlab,
  pageReserved, setPageReserved, clearPageReserved, pageWriteback, setPageWriteback,
  clearPageWriteback, pageHead, setPageHead, clearPageHead, pageReclaim, setPageReclaim,
  clearPageReclaim, testClearPageReclaim, pageSwapBacked, setPageSwapBacked, clearPageSwapBacked,
  pageSwapCache, pageUnevictable, setPageUnevictable, clearPageUnevictable,
  testClearPageUnevictable, pageMlocked, setPageMlocked, clearPageMlocked, testSetPageMlocked,
  testClearPageMlocked, pageHWPoison, pageType, pageHasType, pageBuddy, setPageBuddy,
  clearPageBuddy, pageOffline, setPageOffline, clearPageOffline, pageTable, setPageTable,
  clearPageTable, pageGuard, setPageGuard, clearPageGuard, pageMapcountReset, pageZonenum,
  pageToNid, setPageZoneNode, pageflagNames, formatPageFlags,
} from "./page-flags.ts";
export type { PageFlag, PageTypeFlag, PageFlagsView } from "./page-flags.ts";
export {
  NR_FREE_PAGES, NR_ZONE_LRU_BASE, NR_ZONE_INACTIVE_ANON, NR_ZONE_ACTIVE_ANON,
  NR_ZONE_INACTIVE_FILE, NR_ZONE_ACTIVE_FILE, NR_ZONE_UNEVICTABLE, NR_ZONE_WRITE_PENDING, NR_MLOCK,
  NR_BOUNCE, NR_ZSPAGES, NR_FREE_CMA_PAGES, NR_VM_ZONE_STAT_ITEMS, NUMA_HIT, NUMA_MISS,
  NUMA_FOREIGN, NUMA_INTERLEAVE_HIT, NUMA_LOCAL, NUMA_OTHER, NR_VM_NUMA_EVENT_ITEMS, NR_LRU_BASE,
  NR_INACTIVE_ANON, NR_ACTIVE_ANON, NR_INACTIVE_FILE, NR_ACTIVE_FILE, NR_UNEVICTABLE,
  NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B, NR_ISOLATED_ANON, NR_ISOLATED_FILE,
  WORKINGSET_NODES, WORKINGSET_REFAULT_BASE, WORKINGSET_REFAULT_ANON, WORKINGSET_REFAULT_FILE,
  WORKINGSET_ACTIVATE_BASE, WORKINGSET_ACTIVATE_ANON, WORKINGSET_ACTIVATE_FILE,
  WORKINGSET_RESTORE_BASE, WORKINGSET_RESTORE_ANON, WORKINGSET_RESTORE_FILE,
  WORKINGSET_NODERECLAIM, NR_ANON_MAPPED, NR_FILE_MAPPED, NR_FILE_PAGES, NR_FILE_DIRTY,
  NR_WRITEBACK, NR_WRITEBACK_TEMP, NR_SHMEM, NR_SHMEM_THPS, NR_SHMEM_PMDMAPPED, NR_FILE_THPS,
  NR_FILE_PMDMAPPED, NR_ANON_THPS, NR_VMSCAN_WRITE, NR_VMSCAN_IMMEDIATE, NR_DIRTIED, NR_WRITTEN,
  NR_THROTTLED_WRITTEN, NR_KERNEL_MISC_RECLAIMABLE, NR_FOLL_PIN_ACQUIRED, NR_FOLL_PIN_RELEASED,
  NR_KERNEL_STACK_KB, NR_PAGETABLE, NR_SECONDARY_PAGETABLE, NR_SWAPCACHE, PGPROMOTE_SUCCESS,
  PGPROMOTE_CANDIDATE, NR_VM_NODE_STAT_ITEMS, NR_DIRTY_THRESHOLD, NR_DIRTY_BG_THRESHOLD,
  NR_VM_WRITEBACK_STAT_ITEMS, PGPGIN, PGPGOUT, PSWPIN, PSWPOUT, PGALLOC_DMA, PGALLOC_DMA32,
  PGALLOC_NORMAL, PGALLOC_MOVABLE, ALLOCSTALL_DMA, ALLOCSTALL_DMA32, ALLOCSTALL_NORMAL,
  ALLOCSTALL_MOVABLE, PGSCAN_SKIP_DMA, PGSCAN_SKIP_DMA32, PGSCAN_SKIP_NORMAL, PGSCAN_SKIP_MOVABLE,
  PGFREE, PGACTIVATE, PGDEACTIVATE, PGLAZYFREE, PGFAULT, PGMAJFAULT, PGLAZYFREED, PGREFILL,
  PGREUSE, PGSTEAL_KSWAPD, PGSTEAL_DIRECT, PGDEMOTE_KSWAPD, PGDEMOTE_DIRECT, PGSCAN_KSWAPD,
  PGSCAN_DIRECT, PGSCAN_DIRECT_THROTTLE, PGSCAN_ANON, PGSCAN_FILE, PGSTEAL_ANON, PGSTEAL_FILE,
  PGSCAN_ZONE_RECLAIM_FAILED, PGINODESTEAL, SLABS_SCANNED, KSWAPD_INODESTEAL,
  KSWAPD_LOW_WMARK_HIT_QUICKLY, KSWAPD_HIGH_WMARK_HIT_QUICKLY, PAGEOUTRUN, PGROTATED,
  DROP_PAGECACHE, DROP_SLAB, OOM_KILL, NUMA_PTE_UPDATES, NUMA_HUGE_PTE_UPDATES, NUMA_HINT_FAULTS,
  NUMA_HINT_FAULTS_LOCAL, NUMA_PAGE_MIGRATE, PGMIGRATE_SUCCESS, PGMIGRATE_FAIL,
  THP_MIGRATION_SUCCESS, THP_MIGRATION_FAIL, THP_MIGRATION_SPLIT, COMPACTMIGRATE_SCANNED,
  COMPACTFREE_SCANNED, COMPACTISOLATED, COMPACTSTALL, COMPACTFAIL, COMPACTSUCCESS, KCOMPACTD_WAKE,
  KCOMPACTD_MIGRATE_SCANNED, KCOMPACTD_FREE_SCANNED, HTLB_BUDDY_PGALLOC, HTLB_BUDDY_PGALLOC_FAIL,
  CMA_ALLOC_SUCCESS, CMA_ALLOC_FAIL, UNEVICTABLE_PGCULLED, UNEVICTABLE_PGSCANNED,
  UNEVICTABLE_PGRESCUED, UNEVICTABLE_PGMLOCKED, UNEVICTABLE_PGMUNLOCKED, UNEVICTABLE_PGCLEARED,
  UNEVICTABLE_PGSTRANDED, THP_FAULT_ALLOC, THP_FAULT_FALLBACK, THP_FAULT_FALLBACK_CHARGE,
  THP_COLLAPSE_ALLOC, THP_COLLAPSE_ALLOC_FAILED, THP_FILE_ALLOC, THP_FILE_FALLBACK,
  THP_FILE_FALLBACK_CHARGE, THP_FILE_MAPPED, THP_SPLIT_PAGE, THP_SPLIT_PAGE_FAILED,
  THP_DEFERRED_SPLIT_PAGE, THP_SPLIT_PMD, THP_SCAN_EXCEED_NONE_PTE, THP_SCAN_EXCEED_SWAP_PTE,
  THP_SCAN_EXCEED_SHARED_PTE, THP_ZERO_PAGE_ALLOC, THP_ZERO_PAGE_ALLOC_FAILED, THP_SWPOUT,
  THP_SWPOUT_FALLBACK, BALLOON_INFLATE, BALLOON_DEFLATE, BALLOON_MIGRATE, SWAP_RA, SWAP_RA_HIT,
  KSM_SWPIN_COPY, COW_KSM, ZSWPIN, ZSWPOUT, NR_VM_EVENT_ITEMS, zoneStatNames, numaStatNames,
  nodeStatNames, writebackStatNames, vmEventNames, NR_VMSTAT_ITEMS, vmstatText,
  vmstatDeprecatedNames, zoneStatName, numaStatName, nodeStatName, writebackStatName, vmEventName,
  lruListName, vmstatItemInBytes, vmstatItemPrintInThp, nodeStatPrintValue, vmEventPrintValue,
} from "./vmstat.ts";
export type { ZoneStatItem, NumaStatItem, NodeStatItem, WritebackStatItem, VmEventItem } from "./vmstat.ts";
export { VmStat } from "./vmstat-counters.ts";

export {
  KswapdWaker, DirectCompactor, DirectReclaimer, OutOfMemoryHandler, COMPACT_NOT_SUITABLE_ZONE,
  COMPACT_SKIPPED, COMPACT_DEFERRED, COMPACT_NO_SUITABLE_PAGE, COMPACT_CONTINUE, COMPACT_COMPLETE,
  COMPACT_PARTIAL_SKIPPED, COMPACT_CONTENDED, COMPACT_SUCCESS, COMPACT_PRIO_SYNC_FULL,
  COMPACT_PRIO_SYNC_LIGHT, COMPACT_PRIO_ASYNC, INIT_COMPACT_PRIORITY,
} from "./policies/page-alloc-hooks.ts";
export type { CompactResult } from "./policies/page-alloc-hooks.ts";
export { PageAllocator } from "./policies/page-allocator.ts";
export { MEMCG_RECLAIM_MAY_SWAP, MEMCG_RECLAIM_PROACTIVE, MemcgCharger, MemcgReclaimer } from "./policies/memcg.ts";
export type { MemcgOomControl } from "./policies/memcg.ts";
export { KcompactdWaker } from "./policies/kcompactd.ts";
export {
  CONSTRAINT_CPUSET, CONSTRAINT_MEMCG, CONSTRAINT_MEMORY_POLICY, CONSTRAINT_NONE, OOM_CONSTRAINT_TEXT, OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN, OomHost, oomBadness,
  procOomScore,
} from "./policies/oom.ts";
export type { OomTask } from "./policies/oom.ts";
export {
  EXP_10s, EXP_300s, EXP_60s, FIXED_1, FSHIFT, NR_IOWAIT, NR_MEMSTALL, NR_MEMSTALL_RUNNING, NR_PSI_STATES, NR_PSI_TASK_COUNTS, NR_RUNNING, PSI_AVGS, PSI_CPU, PSI_CPU_FULL,
  PSI_CPU_SOME, PSI_IO, PSI_IO_FULL, PSI_IO_SOME, PSI_MEM, PSI_MEM_FULL, PSI_MEM_SOME, PSI_NONIDLE, PSI_PERIOD_NS, PSI_POLL, PSI_SYSTEM, PsiGroup, PsiHooks, PsiTrigger,
  TSK_IOWAIT, TSK_MEMSTALL, TSK_MEMSTALL_RUNNING, TSK_RUNNING, WINDOW_MAX_US, WINDOW_MIN_US, calcLoad, calcLoadN, fixedPowerInt, formatLoad,
} from "./psi.ts";
export { Lru } from "./policies/lru.ts";
export {
  MIGRATE_ASYNC, MIGRATE_REASON_NAMES, MIGRATE_SYNC, MIGRATE_SYNC_LIGHT, MIGRATE_SYNC_NO_COPY, MR_COMPACTION, MR_CONTIG_RANGE, MR_DEMOTION, MR_LONGTERM_PIN,
  MR_MEMORY_FAILURE, MR_MEMORY_HOTPLUG, MR_MEMPOLICY_MBIND, MR_NUMA_MISPLACED, MR_SYSCALL, PageMigrator,
} from "./policies/migrate.ts";
export type { MigrateMode, MigrateResult, MigrationTarget } from "./policies/migrate.ts";
export { DEFAULT_SEEKS, SHRINKER_NUMA_AWARE, SHRINK_BATCH, SHRINK_EMPTY, SHRINK_STOP, ShrinkControl, ShrinkerRegistry } from "./policies/shrinker.ts";
export type { Shrinker } from "./policies/shrinker.ts";
export {
  DEACTIVATE_ANON, DEACTIVATE_FILE, LRUVEC_LIST_HEADS, LRU_GEN_CORE, LRU_GEN_MM_WALK, LRU_GEN_NONLEAF_YOUNG, NR_LRU_GEN_CAPS, ReclaimPolicy, ReclaimStat, ScanControl,
} from "./policies/reclaim-policy.ts";
export type { ReclaimHost } from "./policies/reclaim-policy.ts";
export {
  PAGE_ACTIVATE, PAGE_CLEAN, PAGE_KEEP, PAGE_SUCCESS, SWP_ENTRY_NONE, SWP_OFFSET_MAX, SWP_TYPE_BITS, SwapOps, swpEntry, swpOffset, swpType,
  MAX_SWAPFILES, MAX_SWAPFILES_SHIFT, SWP_DEVICE_NUM, SWP_DEVICE_WRITE, SWP_HWPOISON, SWP_HWPOISON_NUM, SWP_MIGRATION_NUM, SWP_MIGRATION_READ,
  SWP_MIGRATION_READ_EXCLUSIVE, SWP_MIGRATION_WRITE, SWP_PTE_MARKER_NUM, SWP_SWAPIN_ERROR, SWP_SWAPIN_ERROR_NUM, SwapUnuse, isHwpoisonEntry,
  isMigrationEntry, isSwapinErrorEntry, makeSwapinErrorEntry, nonSwapEntry,
} from "./policies/swap-ops.ts";
export type { SwapRaVma, SwapVmFault } from "./policies/swap-ops.ts";
export {
  KmemCacheAllocator, TOPOLOGY, NIL_OBJECT, SLAB_CONSISTENCY_CHECKS, SLAB_RED_ZONE, SLAB_POISON, SLAB_KMALLOC,
  SLAB_HWCACHE_ALIGN, SLAB_CACHE_DMA, SLAB_CACHE_DMA32, SLAB_STORE_USER, SLAB_PANIC, SLAB_TYPESAFE_BY_RCU,
  SLAB_MEM_SPREAD, SLAB_TRACE, SLAB_DEBUG_OBJECTS, SLAB_NOLEAKTRACE, SLAB_FAILSLAB, SLAB_ACCOUNT, SLAB_KASAN,
  SLAB_NO_USER_FLAGS, SLAB_RECLAIM_ACCOUNT, SLAB_TEMPORARY,
} from "./policies/kmem-cache-allocator.ts";
export type { KmemCacheStats, KmemCacheGeometry, Topology } from "./policies/kmem-cache-allocator.ts";
export {
  SlabCommon, ARCH_DMA_MINALIGN, ARCH_KMALLOC_MINALIGN, ARCH_SLAB_MINALIGN, CACHE_LINE_SIZE, KMALLOC_MIN_SIZE,
  KMALLOC_SHIFT_LOW, KMALLOC_SHIFT_HIGH, KMALLOC_SHIFT_MAX, KMALLOC_MAX_SIZE,
  KMALLOC_NORMAL, KMALLOC_CGROUP, KMALLOC_RECLAIM, KMALLOC_DMA, NR_KMALLOC_TYPES, SLAB_NEVER_MERGE, SLAB_MERGE_SAME,
  SLAB_FLAGS_PERMITTED, kmallocCacheName, kmallocIndex, kmallocType, calculateAlignment, getOrder,
} from "./slab-common.ts";
export type { SlabCache, SlabCommonOptions } from "./slab-common.ts";
export { growTypedArray } from "./typed-arrays.ts";
export type { GrowableArray } from "./typed-arrays.ts";

export { INITCALL_LEVELS, Initcall } from "./contrib/initcall.ts";
export type { InitcallLevel } from "./contrib/initcall.ts";
export { KernelFile, kernelFileCovers } from "./contrib/kernel-file.ts";
export type { FileWriteResult } from "./contrib/kernel-file.ts";
export { defineSysctl, parseSysctlInt, sysctlPath } from "./contrib/sysctl.ts";
export type { AnySysctl, Sysctl, SysctlValue } from "./contrib/sysctl.ts";
export { KernelThread } from "./contrib/kthread.ts";
export {
  BOOT_COMMAND_LINE, KernelParam, earlyParam, getOption, nextArg, obsoleteChecksetup, parameq, parameqn, parseArgs, parseBootParams,
  parseEarlyParam, setupParam,
} from "./contrib/kernel-param.ts";
export type { CmdlineArg, ParamLog } from "./contrib/kernel-param.ts";
export {
  STACK_DEPOT, STACK_HASH_BUCKET_SIZE, STACK_HASH_ORDER_MAX, STACK_HASH_ORDER_MIN, STACK_HASH_SCALE, StackDepot, isStackDepotDisabled,
} from "./stackdepot.ts";
export { Validator } from "./contrib/validator.ts";
export { CompareMetric } from "./contrib/metric.ts";
export { HandleTable, WORKLOAD_STATE, declareBuffer, defineStep, forgetBuffer, hasBuffer, workloadRecord } from "./workload/step.ts";
export type {
  AnyStepDef, Handle, HandleBuffer, StepBase, WorkloadState, StepCheckContext, StepLoadContext, StepMachineSpec, StepPath, StepRunContext,
  WorkloadStepDef,
} from "./workload/step.ts";
export {
  INT_MAX, MAX_CPUS, MAX_NODES, MAX_REPEAT, MISSING, absPath, bool, checked, countOrAll, cpuField, editDistance, formatSize,
  gfp as gfpField, gfpFlagNames, int, nearest, parseGfp, parseSize, parseSlabFlags, size as sizeField, str, unknownFieldProblem,
} from "./workload/fields.ts";
export type { Checked } from "./workload/fields.ts";
/** zod 4, as core's field schemas use it: a package contributing a step builds its body schema with this one copy. */
export { z } from "zod";
export {
  slabCommonModule, freeSchema, slabLiveBytes, slabOpsOf, kmemCacheCreateStep, kmemCacheAllocStep, kmemCacheFreeStep, kmallocStep, kfreeStep, slabChurnStep,
} from "./slab-steps.ts";
export type { SlabHandle, SlabOps } from "./slab-steps.ts";
export { KERNEL_CACHES } from "./kernel-caches.ts";
export type { KernelCache } from "./kernel-caches.ts";
