// mmsim: @mmsim/slub public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export { SlubAllocator } from "./slub.ts";
export { DEACTIVATE_TO_HEAD, DEACTIVATE_TO_TAIL } from "./slub-alloc.ts";
export { slubModule } from "./module.ts";
export {
  SLUB_OPTIONS, SLUB_DEFAULTS, DEBUG_DEFAULT_FLAGS, SLAB_DEBUG_FLAGS, DEBUG_METADATA_FLAGS, resolveSlubOptions,
  parseSlubDebug, setupSlubDebug, kmemCacheFlags, slubKernelParams, SLUB_DEBUG_NONE, SLUB_KERNEL_PARAMS,
} from "./slub-options.ts";
export type { SlubOptions, ResolvedSlubOptions, SlubDebugSetting, SlubDebugBlock, SlubDebugBoot, SlubCmdline } from "./slub-options.ts";
export {
  MAX_OBJS_PER_PAGE, MIN_PARTIAL, MAX_PARTIAL, SIZEOF_TRACK, SHRINK_PROMOTE_MAX, fls, ilog2, orderObjects,
  slabOrderParams, calcSlabOrder, calculateOrder, calculateSizes, minPartialFor, cpuPartialFor, cpuPartialSlabsFor,
  SlubCaches,
} from "./kmem-cache.ts";
export type { SlabOrderParams, SlubLayout } from "./kmem-cache.ts";
export { SlubSlabTable, NIL_SLAB, SLAB_HEAD, SLAB_UNUSED } from "./struct-slab.ts";
export { FP_FAULT } from "./slab-freelist.ts";
export {
  POISON_INUSE, POISON_FREE, POISON_END, SLUB_RED_INACTIVE, SLUB_RED_ACTIVE, TAINT_BAD_PAGE, TAINT_DIE, TAINT_WARN,
  printTainted, physToVirt,
} from "./slub-debug.ts";
export type { SlubContext } from "./slub-debug.ts";
export { sysfsShow, sysfsStore, SLUB_SYSFS_ATTRS } from "./slub-sysfs.ts";
export type { SlubSysfsAttr } from "./slub-sysfs.ts";
export { validateSlub } from "./slub-validate.ts";
