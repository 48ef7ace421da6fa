// Kernel: mm/memblock.c (v6.1) — memblock_debug_show(), /sys/kernel/debug/memblock/{memory,reserved}
/*
 * With CONFIG_DEBUG_FS and CONFIG_ARCH_KEEP_MEMBLOCK (both set on arm64), 6.1 creates
 * /sys/kernel/debug/memblock/memory and .../reserved; each lists the regions of its type as
 * `%4d: %pa..%pa\n` (index, first byte, last byte). An empty type still has its dummy entry,
 * printed as 0x0000000000000000..0xffffffffffffffff (0 + 0 - 1 wraps). arm64 has no physmem
 * file (no CONFIG_HAVE_MEMBLOCK_PHYS_MAP).
 */
import type { Memblock, MemblockType } from "./memblock.ts";

/** The debugfs path of memblock.memory. */
export const MEMBLOCK_DEBUGFS_MEMORY = "/sys/kernel/debug/memblock/memory";
/** The debugfs path of memblock.reserved. */
export const MEMBLOCK_DEBUGFS_RESERVED = "/sys/kernel/debug/memblock/reserved";

/** `%pa` of a value that may be -1 (u64 wrap). */
function pa(x: number): string {
  if (x < 0) return `0x${(18446744073709551616n + BigInt(x)).toString(16).padStart(16, "0")}`;
  return `0x${x.toString(16).padStart(16, "0")}`;
}

/**
 * The text of one memblock debugfs file.
 * Kernel: `memblock_debug_show()`.
 */
export function memblockDebugShow(type: MemblockType): string {
  let out = "";
  for (let i = 0; i < type.cnt; i++) {
    const base = type.base[i]!;
    const end = base + type.size[i]! - 1;
    out += `${String(i).padStart(4, " ")}: ${pa(base)}..${pa(end)}\n`;
  }
  return out;
}

/**
 * Reads a memblock debugfs file by path.
 * @returns its text, or undefined when `path` is not one of memblock's files
 */
export function readMemblockDebugfs(memblock: Memblock, path: string): string | undefined {
  if (path === MEMBLOCK_DEBUGFS_MEMORY) return memblockDebugShow(memblock.memory);
  if (path === MEMBLOCK_DEBUGFS_RESERVED) return memblockDebugShow(memblock.reserved);
  return undefined;
}
