// mmsim: @mmsim/memblock public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export {
  Memblock, MemblockType, PHYS_ADDR_MAX, MEMBLOCK_NONE, MEMBLOCK_HOTPLUG, MEMBLOCK_MIRROR,
  MEMBLOCK_NOMAP, MEMBLOCK_DRIVER_MANAGED, MEMBLOCK_FLAGS_MASK, MEMBLOCK_ALLOC_ANYWHERE,
  MEMBLOCK_ALLOC_ACCESSIBLE, MEMBLOCK_ALLOC_NOLEAKTRACE, MEMBLOCK_LOW_LIMIT,
  ARCH_LOW_ADDRESS_LIMIT, INIT_MEMBLOCK_REGIONS, INIT_MEMBLOCK_RESERVED_REGIONS,
  INIT_MEMBLOCK_MEMORY_REGIONS, NR_CPUS, SIZEOF_MEMBLOCK_REGION, SMP_CACHE_BYTES, MEMBLOCK_CALLERS, earlyMemblock,
} from "./memblock.ts";
export type { MemblockRegion, MemRange, MemblockConfig } from "./memblock.ts";
export {
  MEMBLOCK_DEBUGFS_MEMORY, MEMBLOCK_DEBUGFS_RESERVED, memblockDebugShow, readMemblockDebugfs,
} from "./debugfs.ts";
export { MEMBLOCK, memblockModule } from "./module.ts";
