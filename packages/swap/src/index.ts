// mmsim: @mmsim/swap's public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export {
  SWP_USED, SWP_WRITEOK, SWP_DISCARDABLE, SWP_DISCARDING, SWP_SOLIDSTATE, SWP_CONTINUED, SWP_BLKDEV, SWP_ACTIVATED, SWP_FS_OPS,
  SWP_AREA_DISCARD, SWP_PAGE_DISCARD, SWP_STABLE_WRITES, SWP_SYNCHRONOUS_IO, SWP_SCANNING, SWAP_HAS_CACHE, SWAP_MAP_MAX, SWAP_MAP_BAD,
  COUNT_CONTINUED, SWAP_MAP_SHMEM, SWAP_CONT_MAX, SWAPFILE_CLUSTER, SWAP_ADDRESS_SPACE_SHIFT, SWAP_ADDRESS_SPACE_PAGES, SWAP_CLUSTER_COLS,
  LATENCY_LIMIT, SWAP_BATCH, CLUSTER_FLAG_FREE, CLUSTER_FLAG_NEXT_NULL, CLUSTER_NULL, SwapInfoStruct, swapCount,
} from "./swap-info.ts";
export type { SwapHeader } from "./swap-info.ts";
export type { SwapBdev, SwapDiskEnv } from "./swap-bdev.ts";
export { SwapDisk, VIRTBLK_MINORS, virtblkName } from "./swap-bdev.ts";
export {
  SWAP_RA_WIN_SHIFT, SWAP_RA_HITS_MASK, SWAP_RA_HITS_MAX, SWAP_RA_WIN_MASK, SWAP_RA_ORDER_CEILING, swapRaHits, swapRaWin, swapRaAddr, swapRaVal,
  getSwapRaVal, swapUseVmaReadahead, lookupSwapCacheVma, VmaSwapReadahead, swapRaInfo, swapVmaReadahead, readSwapCacheAsyncPoll, swapinReadahead,
} from "./swap-readahead.ts";
export type { SwapUnuse } from "./swap-unuse.ts";
export {
  MAX_SWAPFILES, SWAP_FLAG_PREFER, SWAP_FLAG_PRIO_MASK, SWAP_FLAG_PRIO_SHIFT, SWAP_FLAG_DISCARD, SWAP_FLAG_DISCARD_ONCE,
  SWAP_FLAG_DISCARD_PAGES, SWAP_FLAGS_VALID, SWAP_SLOTS_CACHE_SIZE, THRESHOLD_ACTIVATE_SWAP_SLOTS_CACHE, THRESHOLD_DEACTIVATE_SWAP_SLOTS_CACHE,
  TRY_TO_UNUSE_MAX_RETRIES, SwapSlotsCache, Swap,
} from "./swapfile.ts";
export type { SwapDeps } from "./swapfile.ts";
export {
  TTRS_ANYWAY, TTRS_UNMAPPED, TTRS_FULL, swapCacheEntry, totalSwapcachePages, addToSwapCache, __deleteFromSwapCache, deleteFromSwapCache,
  clearShadowFromSwapCache, getShadowFromSwapCache, lookupSwapCache, tryToReclaimSwap, addToSwap, __readSwapCacheAsync, readSwapCacheAsync,
  __swapinNrPages, swapinNrPages, swapClusterReadahead,
} from "./swap-state.ts";
export { swapWritepage, __swapWritepage, swapReadpage, endSwapBio } from "./page-io.ts";
export {
  ZS_MAX_PAGES_PER_ZSPAGE, ZS_MIN_ALLOC_SIZE, ZS_MAX_ALLOC_SIZE, ZS_SIZE_CLASS_DELTA, ZS_SIZE_CLASSES, ZS_HANDLE_SIZE, getPagesPerZspage,
  getSizeClassIndex, zsCreateClasses, ZsPool,
} from "./zsmalloc.ts";
export type { ZsClasses } from "./zsmalloc.ts";
export { ZRAM_SAME, ZRAM_HUGE, ZRAM_ALLOCATED, ZRAM_BACKENDS, ZRAM_DEFAULT_COMPRESSOR, ZRAM_MAJOR, ZramStats, Zram } from "./zram-drv.ts";
export { __SWP_TYPE_SHIFT, __SWP_TYPE_BITS, __SWP_OFFSET_SHIFT, PTE_SWP_EXCLUSIVE_BIT, armSwpEntryToPte, armPteToSwpEntry } from "./arm64-swap-pte.ts";
export { PROC_SWAPS, procSwapsShow } from "./proc-swaps.ts";
export { validateSwap } from "./validate.ts";
export { SWAP } from "./token.ts";
export type { SwapService } from "./token.ts";
export { mkswapStep, swaponStep, swapoffStep, zramStep, swapDiskStep, SWAP_STEPS } from "./steps.ts";
export { pageClusterSysctl, swapModule } from "./module.ts";
