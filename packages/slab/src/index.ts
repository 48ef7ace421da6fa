// mmsim: @mmsim/slab public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export { SlabAllocator } from "./slab.ts";
export type { SlabCacheGeometry, ArrayCacheInfo, KmemCacheNodeInfo, FreelistPlacement } from "./slab.ts";
export { slabModule } from "./module.ts";
export { SlabState, SLAB_OBJ_MAX_NUM, FREEIDX_STRIDE, OBJ_RED_UNSET, OBJ_RED_INACTIVE, OBJ_RED_ACTIVE } from "./kmem-cache.ts";
export type { SlabCtor, SlabStateDeps } from "./kmem-cache.ts";
export {
  BYTES_PER_WORD, REDZONE_ALIGN, SLAB_OBJ_MIN_SIZE, FREELIST_IDX_SIZE, KMALLOC_MAX_ORDER,
  KMALLOC_MAX_CACHE_SIZE, SLAB_MAX_ORDER_HI, SLAB_MAX_ORDER_LO, CFLGS_OBJFREELIST_SLAB, CFLGS_OFF_SLAB, SLAB_DEBUG_FLAGS,
  cacheEstimate, calculateSlabOrder, kmemCacheLayout, enableCpucacheTunables,
} from "./cache-geometry.ts";
export type { CacheLayout, CacheCreateInput, CpucacheTunables, FreelistCacheLookup } from "./cache-geometry.ts";
export {
  BATCHREFILL_LIMIT, virtToSlab, kmemCacheAllocNode, kmemCacheFree, cacheFree, cacheAllocRefill, cacheFlusharray, freeBlock,
  cacheGrowBegin, cacheGrowEnd,
} from "./slab-alloc.ts";
export { cacheReap, drainArray, drainFreelist, drainCpuCaches, kmemCacheShrinkState } from "./cache-reap.ts";
export {
  HZ, JIFFY_NS, REAPTIMEOUT_AC, REAPTIMEOUT_NODE, REAPTIMEOUT_AC_NS, MAX_SLABINFO_WRITE, jiffies, doTuneCpucache, setTunables,
  slabinfoWrite, getSlabinfo,
} from "./slabinfo.ts";
export { validateSlab } from "./slab-validate.ts";
