// Kernel: mm/memory.c (unmap_mapping_range, unmap_mapping_pages) (v6.1) — unmapping a range of a file from every VMA that maps it, before truncate takes its pages
/*
 * The walk over i_mmap and the zap of each VMA's range are memory.c's (@mmsim/fault's
 * FileFault.unmapMappingPages), reached through the Vfs's MappingUnmapper; without one (a Vfs
 * with no processes) there is nothing mapped to unmap.
 */
import { PAGE_SIZE } from "@mmsim/core";
import type { AddressSpace } from "./fs.ts";
import type { Vfs } from "./vfs.ts";

/**
 * Unmaps pages [start, start + nr) of the file (nr 0: to the end) from every VMA of i_mmap.
 * Kernel: `unmap_mapping_pages()`.
 */
export function unmapMappingPages(vfs: Vfs, mapping: AddressSpace, start: number, nr: number, evenCows: boolean): void {
  const unmapper = vfs.unmapper;
  if (unmapper === null || mapping.iMmap.size === 0) return;
  unmapper.unmapMappingPages(mapping, start, nr, evenCows);
}

/**
 * Unmaps the bytes [holebegin, holebegin + holelen) of the file (holelen 0: to the end) from every
 * VMA mapping them: the first page rounded down, the length up. Kernel: `unmap_mapping_range()`.
 */
export function unmapMappingRange(vfs: Vfs, mapping: AddressSpace, holebegin: number, holelen: number, evenCows: boolean): void {
  const hba = Math.floor(holebegin / PAGE_SIZE);
  const hlen = Math.ceil(holelen / PAGE_SIZE);
  unmapMappingPages(vfs, mapping, hba, hlen, evenCows);
}
