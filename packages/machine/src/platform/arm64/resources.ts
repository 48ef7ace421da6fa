// Kernel: arch/arm64/kernel/setup.c (v6.1) — request_standard_resources(), reserve_memblock_reserved_regions()
/*
 * How arm64 fills iomem_resource with RAM, in boot order:
 *   1. setup_arch → request_standard_resources(): insert "Kernel code" [__pa(_stext),
 *      __pa(__init_begin) - 1] and "Kernel data" [__pa(_sdata), __pa(_end) - 1] at the top,
 *      then one resource per memblock.memory region — "System RAM" over the whole pages inside
 *      it, or "reserved" over the pages it touches when it is MEMBLOCK_NOMAP — with
 *      insert_resource(), which makes the kernel image a child of its System RAM.
 *   2. arch_initcall reserve_memblock_reserved_regions(): for each of those resources that
 *      memblock.reserved overlaps, every reserved range widened to whole pages and clipped to
 *      the resource is added as "reserved" with reserve_region_with_split() (around Kernel
 *      code/data and earlier reserved parts).
 *   3. Later, drivers request their MMIO windows (pl011, pl031, pl061, PCIe, ECAM on QEMU virt):
 *      those come from the board, so they are an input here (`devices`).
 *
 * The tree is a snapshot of memblock.reserved at arch_initcall time: ranges freed later (the
 * initrd, "Freeing initrd memory") stay "reserved" in /proc/iomem while they leave
 * /sys/kernel/debug/memblock/reserved, which is what the reference capture shows.
 */
import { PAGE_SIZE, alignDown, alignUp } from "@mmsim/core";
import { MEMBLOCK_NOMAP, type Memblock, type MemblockType } from "@mmsim/memblock";
import { type Resource, insertResource, insertResourceTree, iomemResource, reserveRegionWithSplit, resource } from "@mmsim/procfs";

/** An inclusive physical range [start, end]. */
export interface PhysRange {
  readonly start: number;
  readonly end: number;
}

/** Options of arm64StandardResources(). */
export interface Arm64ResourceOptions {
  /**
   * Board devices with their driver sub-resources (e.g. "pl011@9000000" ⊃ "9000000.pl011
   * pl011@9000000"), inserted after RAM as the drivers would. Default none.
   */
  readonly devices?: readonly Resource[];
}

/** True when any reserved region overlaps [base, base + size). Kernel: `memblock_is_region_reserved()`. */
function regionReserved(reserved: MemblockType, base: number, size: number): boolean {
  for (let i = 0; i < reserved.cnt; i++) {
    const b = reserved.base[i]!;
    const s = reserved.size[i]!;
    if (s > 0 && base < b + s && b < base + size) return true;
  }
  return false;
}

/**
 * Adds Kernel code, Kernel data and one System RAM (or NOMAP "reserved") resource per
 * memblock.memory region under `root`.
 * Kernel: `request_standard_resources()`.
 * @returns the per-region resources (standard_resources[]), in region order
 */
export function requestStandardResources(root: Resource, memblock: Memblock, kernelCode: PhysRange, kernelData: PhysRange): Resource[] {
  insertResource(root, resource(kernelCode.start, kernelCode.end, "Kernel code"));
  insertResource(root, resource(kernelData.start, kernelData.end, "Kernel data"));
  const standard: Resource[] = [];
  const mem = memblock.memory;
  for (let i = 0; i < mem.cnt; i++) {
    const base = mem.base[i]!;
    const size = mem.size[i]!;
    if (size === 0) continue; // the dummy entry of an empty type
    const res =
      mem.flags[i]! & MEMBLOCK_NOMAP
        ? resource(alignDown(base, PAGE_SIZE), alignUp(base + size, PAGE_SIZE) - 1, "reserved")
        : resource(alignUp(base, PAGE_SIZE), alignDown(base + size, PAGE_SIZE) - 1, "System RAM");
    standard.push(res);
    insertResource(root, res);
  }
  return standard;
}

/**
 * Marks memblock.reserved inside each standard resource as "reserved", split around what is
 * already there.
 * Kernel: `reserve_memblock_reserved_regions()`.
 */
export function reserveMemblockReservedRegions(standard: readonly Resource[], reserved: MemblockType): void {
  for (const mem of standard) {
    if (!regionReserved(reserved, mem.start, mem.end - mem.start + 1)) continue;
    for (let j = 0; j < reserved.cnt; j++) {
      const rSize = reserved.size[j]!;
      // for_each_reserved_mem_range: MEMBLOCK_NONE skips NOMAP regions.
      if (rSize === 0 || reserved.flags[j]! & MEMBLOCK_NOMAP) continue;
      const rStart = reserved.base[j]!;
      const rEnd = rStart + rSize;
      const start = Math.max(alignDown(rStart, PAGE_SIZE), mem.start);
      const end = Math.min(alignUp(rEnd, PAGE_SIZE) - 1, mem.end);
      if (start > mem.end || end < mem.start) continue;
      reserveRegionWithSplit(mem, start, end, "reserved");
    }
  }
}

/**
 * The iomem tree of an arm64 machine after boot: RAM, kernel image and memblock reservations
 * from `memblock` (read now, as at arch_initcall), then the board's devices.
 * Kernel: `request_standard_resources()` + `reserve_memblock_reserved_regions()` + driver probes.
 * @returns the root (iomem_resource); render it with rShow()
 */
export function arm64StandardResources(
  memblock: Memblock,
  kernelCode: PhysRange,
  kernelData: PhysRange,
  opts: Arm64ResourceOptions = {},
): Resource {
  const root = iomemResource();
  const standard = requestStandardResources(root, memblock, kernelCode, kernelData);
  reserveMemblockReservedRegions(standard, memblock.reserved);
  for (const dev of opts.devices ?? []) insertResourceTree(root, dev);
  return root;
}
