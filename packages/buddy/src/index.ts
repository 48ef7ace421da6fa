// mmsim: @mmsim/buddy public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export { BuddyAllocator, PAGE_ALLOC_CONFIG, createBuddyAllocator } from "./buddy-allocator.ts";
export type { CreateBuddyOptions } from "./buddy-allocator.ts";
export { buddyModule } from "./module.ts";
export { PageAllocState, VmSysctl } from "./page-alloc-state.ts";
export type { NodeMemory, PageAllocConfig } from "./page-alloc-state.ts";
export { Zone, PglistData, PerCpuPages } from "./mmzone.ts";
export { PageblockFlags, getPfnblockMigratetype, setPageblockMigratetype, getPageblockSkip, setPageblockSkip } from "./pageblock-flags.ts";
export {
  freeListHead, setBuddyOrder, buddyOrder, clearBuddy, addToFreeList, addToFreeListTail, moveToFreeList,
  delPageFromFreeList, getPageFromFreeArea, freeAreaEmpty,
} from "./free-area.ts";
export {
  modZoneFreepageState, findBuddyPage, freeOnePage, badPage, freePagesOk, freePagesCore, expand, rmqueueSmallest,
  findSuitableFallback, moveFreepagesBlock, rmqueueFallback, rmqueueInner, pcpAllowedOrder, orderToPindex,
  pindexToOrder, rmqueueBulk, freePcppagesBulk, freeUnrefPage, freeThePage, rmqueue, drainPagesZone, drainAllPages,
  zoneWatermarkOk, zoneWatermarkFast, reserveHighatomicPageblock, unreserveHighatomicPageblock, prepNewPage,
  adjustManagedPageCount, initCmaReservedPageblock, isolateFreePage, postAllocSplit,
} from "./page-alloc.ts";
export { allocPages, freePages, gfpToAllocFlags, MAX_COMPACT_RETRIES, MAX_NOFAIL_LOOPS } from "./alloc-pages.ts";
export {
  ALLOC_WMARK_MIN, ALLOC_WMARK_LOW, ALLOC_WMARK_HIGH, ALLOC_NO_WATERMARKS, ALLOC_WMARK_MASK, ALLOC_OOM,
  ALLOC_HARDER, ALLOC_HIGH, ALLOC_CPUSET, ALLOC_CMA, ALLOC_NOFRAGMENT, ALLOC_KSWAPD, FPI_NONE,
  FPI_SKIP_REPORT_NOTIFY, FPI_TO_TAIL, FPI_SKIP_KASAN_POISON, MAX_RECLAIM_RETRIES,
} from "./internal.ts";
export {
  NoKswapd, NoCompaction, NoReclaim, NoOomKiller, noOpHooks, HOOK_WAKEUP_KSWAPD, HOOK_DIRECT_COMPACT,
  HOOK_DIRECT_RECLAIM, HOOK_OUT_OF_MEMORY, NR_HOOKS, hookNames,
} from "./no-op-hooks.ts";
export type { PageAllocHooks } from "./no-op-hooks.ts";
export { validateBuddy } from "./validate.ts";
export { hasUnmovablePages, setMigratetypeIsolate, startIsolatePageRange, testPagesIsolated, undoIsolatePageRange, unsetMigratetypeIsolate } from "./page-isolation.ts";
export {
  SIZEOF_STRUCT_PAGE, initPageRange, calcMemmapSize, freeAreaInit, earlyPfnToNid, earlyPageUninitialised,
  initReservedPage, DeferredFreeRanges, pageAllocInitLate, deferredGrowZone, zoneContiguous,
} from "./mm-init.ts";
export type { PfnRange, FreeAreaInitResult } from "./mm-init.ts";
export {
  LOCAL_DISTANCE, REMOTE_DISTANCE, nodeDistance, findNextBestNode, nrFreeZonePages, nrFreeBufferPages,
  buildAllZonelists, gfpZonelistZones,
} from "./zonelist.ts";
export type { BuildAllZonelistsResult } from "./zonelist.ts";
export { HUGEPAGE_MIN_TOTALRAM_PAGES, hugepageInit, startStopKhugepaged } from "./huge-memory.ts";
export { SECTION_SIZE_BITS, PFN_SECTION_SHIFT, PAGES_PER_SECTION } from "./sparsemem.ts";
export {
  BOOT_PAGESET_HIGH, BOOT_PAGESET_BATCH, MIN_PERCPU_PAGELIST_HIGH_FRACTION, SWAP_CLUSTER_MAX,
  WATERMARK_SCALE_FACTOR_MAX, intSqrt, multFrac, calculateMinFreeKbytes, calculateTotalreservePages,
  setupPerZoneLowmemReserve, setupPerZoneWmarks, calculateNormalThreshold, calculatePressureThreshold,
  refreshZoneStatThresholds, initPerZoneWmarkMin, setRecommendedMinFreeKbytes, boostWatermark, zoneBatchsize,
  zoneHighsize, perCpuPagesInit, zoneSetPagesetHighAndBatch, zonePcpInit, setupZonePageset, zonePcpUpdate,
  setupPerCpuPageset, setMinFreeKbytes, setWatermarkScaleFactor, setWatermarkBoostFactor, setLowmemReserveRatio,
  setPercpuPagelistHighFraction,
} from "./watermarks.ts";
export { BUDDY_SYSCTLS, minFreeKbytesSysctl, watermarkScaleFactorSysctl, watermarkBoostFactorSysctl, lowmemReserveRatioSysctl, percpuPagelistHighFractionSysctl } from "./sysctls.ts";
export { BUDDY_STEPS, allocStep, freeStep } from "./steps.ts";
export type { PagesHandle } from "./steps.ts";
export { showFreeAreas, showMem } from "./show-mem.ts";
export type { ShowMemSources } from "./show-mem.ts";
