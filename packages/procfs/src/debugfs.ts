// Kernel: mm/memblock.c (v6.1) — memblock_debug_show(): /sys/kernel/debug/memblock/{memory,reserved}
/*
 * The two memblock debugfs files exist on arm64 (CONFIG_DEBUG_FS, CONFIG_ARCH_KEEP_MEMBLOCK).
 * @mmsim/memblock owns their format (`%4d: %pa..%pa\n` per region); procfs only routes the
 * paths to it, so the format lives in one place.
 */
import { MEMBLOCK_DEBUGFS_MEMORY, MEMBLOCK_DEBUGFS_RESERVED, type Memblock, memblockDebugShow } from "@mmsim/memblock";

/** The debugfs paths procfs serves for memblock, in the kernel's creation order. */
export const MEMBLOCK_DEBUGFS_FILES: readonly string[] = Object.freeze([MEMBLOCK_DEBUGFS_MEMORY, MEMBLOCK_DEBUGFS_RESERVED]);

/** /sys/kernel/debug/memblock/memory. Kernel: `memblock_debug_show()` on memblock.memory. */
export function memblockMemoryShow(memblock: Memblock): string {
  return memblockDebugShow(memblock.memory);
}

/** /sys/kernel/debug/memblock/reserved. Kernel: `memblock_debug_show()` on memblock.reserved. */
export function memblockReservedShow(memblock: Memblock): string {
  return memblockDebugShow(memblock.reserved);
}
