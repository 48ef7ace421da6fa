// Kernel: mm/memblock.c (v6.1)
/*
 * memblock: the boot-time memory manager. Followed: mm/memblock.c and include/linux/memblock.h
 * of Linux 6.1 (read from the 6.1.y stable tree at 6.1.166, whose memblock.c differs from
 * 6.1.0 only by exporting memblock_addrs_overlap()), with the arm64 defconfig choices of the
 * reference board: CONFIG_NUMA=y (NODES_SHIFT 4), CONFIG_ARCH_KEEP_MEMBLOCK=y, CONFIG_EFI=y
 * and CONFIG_ARM_GIC_V3_ITS=y (which size the static arrays), no CONFIG_HAVE_MEMBLOCK_PHYS_MAP.
 *
 * Simulated:
 *  - the two region types `memory` and `reserved` (struct memblock_type), each a sorted array
 *    of disjoint regions kept minimal by memblock_merge_regions(); insertion through the
 *    two-pass memblock_add_range(); splitting through memblock_isolate_range();
 *  - memblock_double_array(): the region arrays start at INIT_MEMBLOCK_MEMORY_REGIONS /
 *    INIT_MEMBLOCK_RESERVED_REGIONS entries "in the kernel image" and, once
 *    memblock_allow_resize() was called, double by finding room with memblock_find_in_range(),
 *    reserving the new array (24 bytes per region on arm64, page aligned) in memblock itself
 *    and freeing the previous one unless it was the static one. Before
 *    memblock_allow_resize() 6.1 refuses to double (no message) and the add fails -ENOMEM;
 *  - allocation: memblock_find_in_range_node() top-down by default, bottom-up on request,
 *    never in the first page, node-aware with the NUMA_NO_NODE fallback, the mirror fallback,
 *    memblock.current_limit, the min_addr retry of memblock_alloc_internal();
 *  - mem= (memblock_enforce_memory_limit), memblock_cap_memory_range,
 *    memblock_mem_limit_remove_map, memblock_trim_memory, flags, node ids;
 *  - the hand-over memblock_free_all() → free_low_memory_core_early() to a BootPageSink;
 *  - memblock=debug: memblock_dbg() lines and memblock_dump_all() in the kernel log.
 *
 * Simplified (mmsim differs from the kernel here):
 *  - phys_addr_t is a JS number: PHYS_ADDR_MAX is 2^53 - 1, not 2^64 - 1, and
 *    MEMBLOCK_ALLOC_ANYWHERE (~(phys_addr_t)0 in C) is that same value;
 *  - memblock_alloc*() return a *physical* address (mmsim has no virtual layout here); 0 is
 *    NULL, which is unambiguous because memblock never hands out the first page;
 *  - memory contents are not modelled: the _raw and zeroing variants differ only in name;
 *  - no kmemleak, no slab: memblock_double_array() always takes memory from memblock
 *    (slab_is_available() is false for memblock's whole life in mmsim), and the
 *    WARN_ON_ONCE(slab_is_available()) path of memblock_alloc_internal() does not exist;
 *  - pr_warn_ratelimited() is not rate limited; `%pS` (the caller) is an optional string
 *    argument and is left out of the line when not given;
 *  - memblock_trim_memory() keeps memory.total_size equal to the sum of the regions; 6.1
 *    shrinks regions without adjusting total_size (so memblock_phys_mem_size() over-reports
 *    after trimming an unaligned region; arm64 never calls it);
 *  - free_unused_memmap() is a no-op on arm64 6.1 (SPARSEMEM_VMEMMAP) and is left out;
 *    reset_all_zones_managed_pages() and totalram_pages_add() belong to the page allocator:
 *    memblockFreeAll() returns the page count instead.
 *
 * Invariants (validate()):
 *  - 1 <= cnt <= max for each type; the arrays are `max` long;
 *  - an empty type is the kernel's dummy entry: cnt == 1, regions[0].size == 0, total_size 0;
 *    otherwise every region has size > 0 and base + size <= PHYS_ADDR_MAX;
 *  - regions are sorted by base and do not overlap;
 *  - no two adjacent regions with the same flags and nid are left unmerged (exception: two
 *    adjacent NOMAP memory pieces, which memblock_cap_memory_range() isolates and never merges);
 *  - total_size is the sum of the sizes; flags carry only MEMBLOCK_* bits; nid is in
 *    [NUMA_NO_NODE, MAX_NUMNODES];
 *  - a region array that was allocated by memblock_double_array() lies inside `reserved`.
 */
import { inject, injectable } from "tsyringe";
import {
  ArgumentError, KERNEL_LOG, KERN_WARNING, PAGE_SIZE, alignDown, alignUp, checkUint,
  describeValue, ENOMEM, isPowerOf2, pfnDown, pfnUp, vmBugOn, NUMA_NO_NODE, MAX_NUMNODES, MAX_ORDER, PHYS_ADDR_MAX,
} from "@mmsim/core";
import type { BootPageSink, KernelLog, ValidationSink } from "@mmsim/core";

export { PHYS_ADDR_MAX };


/** No special request. Kernel: `enum memblock_flags` in include/linux/memblock.h. */
export const MEMBLOCK_NONE = 0x0;
/** Hot(un)pluggable system RAM, as the firmware memory map says during early boot. */
export const MEMBLOCK_HOTPLUG = 0x1;
/** Mirrored region (kernelcore=mirror). */
export const MEMBLOCK_MIRROR = 0x2;
/** Not in the kernel direct mapping; its struct pages are PageReserved. */
export const MEMBLOCK_NOMAP = 0x4;
/** Always detected and added by a driver, never in the firmware memory map as RAM. */
export const MEMBLOCK_DRIVER_MANAGED = 0x8;
/** mmsim: every flag bit 6.1 defines (anything else is a caller bug). */
export const MEMBLOCK_FLAGS_MASK =
  MEMBLOCK_HOTPLUG | MEMBLOCK_MIRROR | MEMBLOCK_NOMAP | MEMBLOCK_DRIVER_MANAGED;

/**
 * `end` meaning "no limit". Kernel: `MEMBLOCK_ALLOC_ANYWHERE` (`~(phys_addr_t)0`); here
 * PHYS_ADDR_MAX (2^53 - 1).
 */
export const MEMBLOCK_ALLOC_ANYWHERE = PHYS_ADDR_MAX;
/** `end` meaning "up to memblock.current_limit". Kernel: `MEMBLOCK_ALLOC_ACCESSIBLE`. */
export const MEMBLOCK_ALLOC_ACCESSIBLE = 0;
/** Like MEMBLOCK_ALLOC_ACCESSIBLE, but not reported to kmemleak. Kernel: `MEMBLOCK_ALLOC_NOLEAKTRACE`. */
export const MEMBLOCK_ALLOC_NOLEAKTRACE = 1;
/** Lowest `min_addr` (top-down allocation makes 0 safe). Kernel: `MEMBLOCK_LOW_LIMIT`. */
export const MEMBLOCK_LOW_LIMIT = 0;
/**
 * memblock_alloc_low()'s upper bound. Kernel: `ARCH_LOW_ADDRESS_LIMIT`, on arm64
 * `arm64_dma_phys_limit - 1`: 0xffffffff on the reference board (ZONE_DMA ends at 4 GiB).
 */
export const ARCH_LOW_ADDRESS_LIMIT = 0xffffffff;

/** Static size of the region arrays. Kernel: `INIT_MEMBLOCK_REGIONS` in mm/memblock.c. */
export const INIT_MEMBLOCK_REGIONS = 128;
/** CONFIG_NR_CPUS of the arm64 defconfig and of the reference kernel. */
export const NR_CPUS = 256;
/**
 * Static size of memblock.reserved.regions. Kernel: arch/arm64/include/asm/memory.h defines it
 * as `INIT_MEMBLOCK_REGIONS + NR_CPUS + 1` under CONFIG_EFI && CONFIG_ARM_GIC_V3_ITS (the
 * generic default in mm/memblock.c is INIT_MEMBLOCK_REGIONS).
 */
export const INIT_MEMBLOCK_RESERVED_REGIONS = INIT_MEMBLOCK_REGIONS + NR_CPUS + 1;
/**
 * Static size of memblock.memory.regions. Kernel: arch/arm64/include/asm/memory.h defines it
 * as `INIT_MEMBLOCK_REGIONS * 8` under CONFIG_EFI (generic default INIT_MEMBLOCK_REGIONS).
 */
export const INIT_MEMBLOCK_MEMORY_REGIONS = INIT_MEMBLOCK_REGIONS * 8;
/** `sizeof(struct memblock_region)` on arm64 with CONFIG_NUMA: base 8 + size 8 + flags 4 + nid 4. */
export const SIZEOF_MEMBLOCK_REGION = 24;

/** arm64 L1_CACHE_BYTES (L1_CACHE_SHIFT 6). Kernel: `SMP_CACHE_BYTES`. */
export const SMP_CACHE_BYTES = 64;

/** One region, as the `region()` accessor returns it. Kernel: `struct memblock_region`. */
export interface MemblockRegion {
  readonly base: number;
  readonly size: number;
  readonly flags: number;
  readonly nid: number;
}

/** One range produced by the iteration helpers: [start, end) on node `nid`. */
export interface MemRange {
  readonly start: number;
  readonly end: number;
  readonly nid: number;
}

/** Options of one Memblock instance (the DI container builds it with the defaults). */
export interface MemblockConfig {
  /** Static entries of memory.regions (default INIT_MEMBLOCK_MEMORY_REGIONS, 1024 on arm64). */
  readonly initMemoryRegions?: number;
  /** Static entries of reserved.regions (default INIT_MEMBLOCK_RESERVED_REGIONS, 385 on arm64). */
  readonly initReservedRegions?: number;
}

/**
 * A collection of regions of one kind, stored as struct-of-arrays.
 * Kernel: `struct memblock_type` in include/linux/memblock.h.
 */
export class MemblockType {
  /** Number of regions in use; never below 1 (an empty type holds one zero-size dummy). */
  cnt = 1;
  /** Length of the region arrays. */
  max: number;
  /** Sum of the region sizes, in bytes. Kernel: `total_size`. */
  totalSize = 0;
  /** Region start addresses, sorted (bytes). */
  base: Float64Array;
  /** Region sizes (bytes); 0 only in the dummy entry of an empty type. */
  size: Float64Array;
  /** MEMBLOCK_* flag bits per region. */
  flags: Int32Array;
  /** NUMA node per region; MAX_NUMNODES when not assigned (memblock_add/memblock_reserve). */
  nid: Int32Array;
  /**
   * Physical address of the region array: 0 while it is the static array inside the kernel
   * image, else the memblock allocation memblock_double_array() made for it.
   */
  regionsAddr = 0;

  constructor(
    /** "memory" or "reserved". */
    readonly name: string,
    max: number,
  ) {
    this.max = max;
    this.base = new Float64Array(max);
    this.size = new Float64Array(max);
    this.flags = new Int32Array(max);
    this.nid = new Int32Array(max);
  }
}

/** The state of one __next_mem_range()/__next_mem_range_rev() walk (the kernel's u64 idx). */
class MemRangeCursor {
  /** Index into type_a (the low 32 bits of the kernel's idx). */
  idxA = 0;
  /** Index of the gap before type_b's region idxB (the high 32 bits). */
  idxB = 0;
  /** True before the first call of a reverse walk (the kernel's idx == ULLONG_MAX). */
  fresh = true;
  outStart = 0;
  outEnd = 0;
  outNid = 0;
}

const U64 = 18446744073709551616n;

/**
 * A phys_addr_t as the kernel holds it: PHYS_ADDR_MAX (mmsim's 2^53 - 1) stands for the kernel's
 * ~(phys_addr_t)0 = ULLONG_MAX (MEMBLOCK_ALLOC_ANYWHERE, `memblock_remove(base, ULLONG_MAX)`).
 */
function u64(x: number): bigint {
  return x === PHYS_ADDR_MAX ? U64 - 1n : BigInt(x);
}

/** `%pa`: 0x and 16 hex digits; negative values wrap like u64 (base + 0 - 1 of an empty region). */
function pa(x: number): string {
  if (x < 0) return `0x${(U64 + BigInt(x)).toString(16).padStart(16, "0")}`;
  return `0x${u64(x).toString(16).padStart(16, "0")}`;
}

/** `%pa-%pa` of [base, base + size - 1], the sum taken exactly and wrapped like u64. */
function paRange(base: number, size: number): string {
  const end = (u64(base) + u64(size) - 1n + U64) % U64;
  return `${pa(base)}-0x${end.toString(16).padStart(16, "0")}`;
}

/**
 * The `%pS` of memblock.c's own call sites, as the reference build (Debian's 6.1.0 arm64, the
 * kernel of the captures) prints them with memblock=debug: symbol+offset/size of the return
 * address. Where no capture shows the offsets, the bare function name.
 */
export const MEMBLOCK_CALLERS = {
  /** memblock_alloc_range_nid()'s memblock_reserve() of what it found (captured). */
  allocRangeNid: "memblock_alloc_range_nid+0xe8/0x17c",
  /** memblock_double_array()'s memblock_reserve() of the new array (offsets not captured). */
  doubleArray: "memblock_double_array",
  /** memblock_free() → memblock_phys_free() of the previous array (offsets not captured). */
  free: "memblock_free",
} as const;

/** `%#x` / `%#lx` as the kernel's vsprintf prints them (0 is "0x0"). */
function hexAlt(x: number): string {
  return `0x${x.toString(16)}`;
}

/** `memblock_cap_size()`: the size clipped so that base + size does not pass PHYS_ADDR_MAX. */
function capSize(base: number, size: number): number {
  return Math.min(size, PHYS_ADDR_MAX - base);
}

/** `PAGE_ALIGN()`. */
function pageAlign(x: number): number {
  return alignUp(x, PAGE_SIZE);
}

/**
 * The boot-time memory manager of one simulated machine.
 * Kernel: `struct memblock memblock` and the functions of mm/memblock.c.
 */
@injectable()
export class Memblock {
  /** Usable memory. Kernel: `memblock.memory`. */
  readonly memory: MemblockType;
  /** Allocated or reserved memory. Kernel: `memblock.reserved`. */
  readonly reserved: MemblockType;
  /** Allocation direction. Kernel: `memblock.bottom_up` (false: top-down). */
  bottomUp = false;
  /** Upper bound of MEMBLOCK_ALLOC_ACCESSIBLE allocations. Kernel: `memblock.current_limit`. */
  currentLimit = MEMBLOCK_ALLOC_ANYWHERE;
  /** `memblock=debug` on the command line. Kernel: `memblock_debug`. */
  memblockDebug = false;
  /** `kernelcore=mirror`: memblock_mark_mirror() only works with it. Kernel: `mirrored_kernelcore`. */
  mirroredKernelcore = false;
  /** `movable_node`: allocations skip HOTPLUG memory. Kernel: `movable_node_is_enabled()`. */
  movableNode = false;
  /** memblock_alloc_low()'s limit. Kernel: `ARCH_LOW_ADDRESS_LIMIT`. */
  archLowAddressLimit = ARCH_LOW_ADDRESS_LIMIT;

  /** Kernel: `memblock_can_resize` (set by memblock_allow_resize()). */
  private canResize = false;
  /** Kernel: `system_has_some_mirror`. */
  private systemHasSomeMirror = false;
  /** memblock_isolate_range()'s out parameters (read them right after the call: it re-enters). */
  private startRgn = 0;
  private endRgn = 0;
  /** The cursor of the free-range searches (reused; they never nest). */
  private readonly findCursor = new MemRangeCursor();

  constructor(
    @inject(KERNEL_LOG) private readonly log: KernelLog,
    config: MemblockConfig = {},
  ) {
    const memMax = config.initMemoryRegions ?? INIT_MEMBLOCK_MEMORY_REGIONS;
    const resMax = config.initReservedRegions ?? INIT_MEMBLOCK_RESERVED_REGIONS;
    if (!Number.isSafeInteger(memMax) || memMax < 2) {
      throw new ArgumentError("memblock.Memblock", "config.initMemoryRegions", "an integer >= 2", describeValue(memMax));
    }
    if (!Number.isSafeInteger(resMax) || resMax < 2) {
      throw new ArgumentError("memblock.Memblock", "config.initReservedRegions", "an integer >= 2", describeValue(resMax));
    }
    this.memory = new MemblockType("memory", memMax);
    this.reserved = new MemblockType("reserved", resMax);
  }

  // ---------------------------------------------------------------------------------------
  // Argument checks (the API edge; C10)
  // ---------------------------------------------------------------------------------------

  private static checkAlign(site: string, align: number): void {
    checkUint(site, "align", align);
    if (align !== 0 && !isPowerOf2(align)) {
      throw new ArgumentError(site, "align", "0 or a power of two", describeValue(align));
    }
  }

  private static checkNid(site: string, nid: number): void {
    if (!Number.isSafeInteger(nid) || nid < NUMA_NO_NODE || nid > MAX_NUMNODES) {
      throw new ArgumentError(site, "nid", `an integer in [NUMA_NO_NODE (-1), MAX_NUMNODES (${MAX_NUMNODES})]`, describeValue(nid));
    }
  }

  private static checkFlags(site: string, flags: number): void {
    if (!Number.isSafeInteger(flags) || flags < 0 || (flags & ~MEMBLOCK_FLAGS_MASK) !== 0) {
      throw new ArgumentError(site, "flags", "MEMBLOCK_* bits (mask 0xf)", describeValue(flags));
    }
  }

  private checkType(site: string, type: MemblockType): void {
    if (type !== this.memory && type !== this.reserved) {
      throw new ArgumentError(site, "type", "memblock.memory or memblock.reserved of this instance", String(type?.name));
    }
  }

  private static checkRange(site: string, base: number, size: number): void {
    checkUint(site, "base", base);
    checkUint(site, "size", size);
  }

  // ---------------------------------------------------------------------------------------
  // Logging
  // ---------------------------------------------------------------------------------------

  /** Kernel: `memblock_dbg()`: pr_info() when memblock=debug (callers test memblockDebug first). */
  private dbg(text: string): void {
    this.log.prInfo(text);
  }

  /** Kernel: the `memblock_dbg("%s: [%pa-%pa] %pS\n", __func__, &base, &end, …)` lines. */
  private dbgRange(fn: string, base: number, size: number, caller: string | undefined, extra = ""): void {
    if (this.memblockDebug) this.dbg(Memblock.withCaller(`${fn}: [${paRange(base, size)}]${extra}`, caller));
  }

  private static withCaller(text: string, caller: string | undefined): string {
    return caller === undefined ? text : `${text} ${caller}`;
  }

  /** Kernel: `WARN_ON(cond)` at mm/memblock.c:line in fn. */
  private warnOn(cond: boolean, line: number, fn: string): boolean {
    if (cond) this.log.warn(`mm/memblock.c:${line} ${fn}`);
    return cond;
  }

  /** Kernel: the MAX_NUMNODES deprecation WARN_ONCE of one call site. */
  private warnMaxNumnodes(line: number, fn: string): void {
    this.log.warnOnce(`memblock:${fn}:MAX_NUMNODES`, `mm/memblock.c:${line} ${fn}`, "Usage of MAX_NUMNODES is deprecated. Use NUMA_NO_NODE instead");
  }

  // ---------------------------------------------------------------------------------------
  // Region array primitives
  // ---------------------------------------------------------------------------------------

  /**
   * Reads region `i` of `type` (for tests and renderers). Like the kernel's array, entries
   * between cnt and max hold stale or zero values.
   */
  region(type: MemblockType, i: number): MemblockRegion {
    if (!Number.isSafeInteger(i) || i < 0 || i >= type.max) {
      throw new ArgumentError("memblock.region", "i", `an index in [0, ${type.max})`, describeValue(i));
    }
    return { base: type.base[i]!, size: type.size[i]!, flags: type.flags[i]!, nid: type.nid[i]! };
  }

  /** Kernel: `choose_memblock_flags()`. */
  private chooseMemblockFlags(): number {
    return this.systemHasSomeMirror ? MEMBLOCK_MIRROR : MEMBLOCK_NONE;
  }

  /** Kernel: `memblock_remove_region()`: drops region r; an emptied type gets the dummy entry. */
  private removeRegion(type: MemblockType, r: number): void {
    type.totalSize -= type.size[r]!;
    type.base.copyWithin(r, r + 1, type.cnt);
    type.size.copyWithin(r, r + 1, type.cnt);
    type.flags.copyWithin(r, r + 1, type.cnt);
    type.nid.copyWithin(r, r + 1, type.cnt);
    type.cnt--;

    /* Special case for empty arrays */
    if (type.cnt === 0) {
      this.warnOn(type.totalSize !== 0, 353, "memblock_remove_region");
      type.cnt = 1;
      type.base[0] = 0;
      type.size[0] = 0;
      type.flags[0] = 0;
      type.nid[0] = MAX_NUMNODES;
    }
  }

  /**
   * Doubles the region array of `type`, taking the new array from memblock itself and keeping
   * it out of [newAreaStart, newAreaStart + newAreaSize) when `type` is reserved.
   * Kernel: `memblock_double_array()`.
   * @returns 0, or -1 when resizing is not allowed yet or no room was found
   */
  private doubleArray(type: MemblockType, newAreaStart: number, newAreaSize: number): number {
    /*
     * We don't allow resizing until we know about the reserved regions of memory that aren't
     * suitable for allocation.
     */
    if (!this.canResize) return -1;

    const oldSize = type.max * SIZEOF_MEMBLOCK_REGION;
    const newSize = oldSize * 2;
    /* Page aligned, so the array can be freed completely later. */
    const oldAllocSize = pageAlign(oldSize);
    const newAllocSize = pageAlign(newSize);

    /* only exclude range when trying to double reserved.regions */
    if (type !== this.reserved) newAreaStart = newAreaSize = 0;

    let addr = this.findInRange(newAreaStart + newAreaSize, this.currentLimit, newAllocSize, PAGE_SIZE);
    if (!addr && newAreaSize) {
      addr = this.findInRange(0, Math.min(newAreaStart, this.currentLimit), newAllocSize, PAGE_SIZE);
    }
    if (!addr) {
      this.log.prErr(`memblock: Failed to double ${type.name} array from ${type.max} to ${type.max * 2} entries !`);
      return -1;
    }

    const newEnd = addr + newSize - 1;
    if (this.memblockDebug) this.dbg(`memblock: ${type.name} is doubled to ${type.max * 2} at [${pa(addr)}-${pa(newEnd)}]`);

    /* Move the array over before reserving: it may be the reserved array itself that is full. */
    const newMax = type.max * 2;
    const base = new Float64Array(newMax);
    const size = new Float64Array(newMax);
    const flags = new Int32Array(newMax);
    const nid = new Int32Array(newMax);
    base.set(type.base);
    size.set(type.size);
    flags.set(type.flags);
    nid.set(type.nid);
    type.base = base;
    type.size = size;
    type.flags = flags;
    type.nid = nid;
    type.max = newMax;
    const oldAddr = type.regionsAddr;
    type.regionsAddr = addr;

    /* Free the old array; not if it is the static one. */
    if (oldAddr !== 0) this.memblockPhysFree(oldAddr, oldAllocSize, MEMBLOCK_CALLERS.free);

    /* Reserve the new array: it comes from memblock. */
    const err = this.memblockReserve(addr, newAllocSize, MEMBLOCK_CALLERS.doubleArray);
    if (err !== 0) vmBugOn(true, "memblock.memblockDoubleArray", `memblock_reserve() of the new ${type.name} array failed: ${err}`);
    return 0;
  }

  /** Kernel: `memblock_merge_regions()`: merges neighbouring regions with equal flags and nid. */
  private mergeRegions(type: MemblockType): void {
    let i = 0;
    /* cnt never goes below 1 */
    while (i < type.cnt - 1) {
      const thisEnd = type.base[i]! + type.size[i]!;
      const nextBase = type.base[i + 1]!;
      if (thisEnd !== nextBase || type.nid[i] !== type.nid[i + 1] || type.flags[i] !== type.flags[i + 1]) {
        /* BUG_ON(); the message is only built when it fires */
        if (thisEnd > nextBase) vmBugOn(true, "memblock.memblockMergeRegions", `${type.name}[${i}] ends at ${pa(thisEnd)} past the next base ${pa(nextBase)}`);
        i++;
        continue;
      }
      type.size[i] = type.size[i]! + type.size[i + 1]!;
      /* move forward from next + 1, index of which is i + 2 */
      type.base.copyWithin(i + 1, i + 2, type.cnt);
      type.size.copyWithin(i + 1, i + 2, type.cnt);
      type.flags.copyWithin(i + 1, i + 2, type.cnt);
      type.nid.copyWithin(i + 1, i + 2, type.cnt);
      type.cnt--;
    }
  }

  /**
   * Kernel: `memblock_insert_region()`: inserts [base, base + size) at idx; the caller made room.
   */
  private insertRegion(type: MemblockType, idx: number, base: number, size: number, nid: number, flags: number): void {
    if (type.cnt >= type.max) vmBugOn(true, "memblock.memblockInsertRegion", `${type.name} is full (cnt ${type.cnt}, max ${type.max})`);
    type.base.copyWithin(idx + 1, idx, type.cnt);
    type.size.copyWithin(idx + 1, idx, type.cnt);
    type.flags.copyWithin(idx + 1, idx, type.cnt);
    type.nid.copyWithin(idx + 1, idx, type.cnt);
    type.base[idx] = base;
    type.size[idx] = size;
    type.flags[idx] = flags;
    type.nid[idx] = nid;
    type.cnt++;
    type.totalSize += size;
  }

  /**
   * The first region that ends after `addr` (cnt if none). mmsim: the kernel's loops start at
   * index 0 and `continue` over regions with end <= addr; since regions are sorted and
   * disjoint their ends increase, so skipping that prefix by binary search is exact.
   */
  private static firstEndingAfter(type: MemblockType, addr: number): number {
    let lo = 0;
    let hi = type.cnt;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (type.base[mid]! + type.size[mid]! <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Adds [base, base + size) to `type`. Overlaps with existing regions are allowed and leave
   * them untouched: only the uncovered parts are inserted, with `nid` and `flags`. The type is
   * minimal (merged) afterwards.
   * Kernel: `memblock_add_range()`.
   * @returns 0, or -ENOMEM when the array had to grow and could not
   */
  private addRange(type: MemblockType, base: number, size: number, nid: number, flags: number): number {
    let insert = false;
    const obase = base;
    size = capSize(base, size);
    const end = base + size;

    if (!size) return 0;

    /* special case for empty array */
    if (type.size[0] === 0) {
      this.warnOn(type.cnt !== 1 || type.totalSize !== 0, 593, "memblock_add_range");
      type.base[0] = base;
      type.size[0] = size;
      type.flags[0] = flags;
      type.nid[0] = nid;
      type.totalSize = size;
      return 0;
    }

    /*
     * The worst case is when the new range overlaps all existing regions: cnt + 1 new
     * regions. If cnt * 2 + 1 < max there is room for them and the counting pass is skipped.
     */
    if (type.cnt * 2 + 1 < type.max) insert = true;

    for (;;) {
      /* Pass 1 (insert false) counts the regions needed; pass 2 inserts them. */
      base = obase;
      let nrNew = 0;
      let idx = Memblock.firstEndingAfter(type, base);
      for (; idx < type.cnt; idx++) {
        const rbase = type.base[idx]!;
        const rend = rbase + type.size[idx]!;
        if (rbase >= end) break;
        if (rend <= base) continue;
        /* rgn overlaps. If it separates the lower part of the new area, insert that portion. */
        if (rbase > base) {
          this.warnOn(nid !== type.nid[idx], 635, "memblock_add_range");
          this.warnOn(flags !== type.flags[idx], 637, "memblock_add_range");
          nrNew++;
          if (insert) this.insertRegion(type, idx++, base, rbase - base, nid, flags);
        }
        /* area below rend is dealt with, forget about it */
        base = Math.min(rend, end);
      }

      /* insert the remaining portion */
      if (base < end) {
        nrNew++;
        if (insert) this.insertRegion(type, idx, base, end - base, nid, flags);
      }

      if (!nrNew) return 0;

      /* First round: resize the array and repeat for the insertions; else merge and return. */
      if (!insert) {
        while (type.cnt + nrNew > type.max) {
          if (this.doubleArray(type, obase, size) < 0) return -ENOMEM;
        }
        insert = true;
        continue;
      }
      this.mergeRegions(type);
      return 0;
    }
  }

  /**
   * Splits the regions of `type` that cross base or base + size; the regions inside are then
   * [this.startRgn, this.endRgn) (both 0 when none).
   * Kernel: `memblock_isolate_range()`.
   * @returns 0, or -ENOMEM when the two extra regions did not fit
   */
  private isolateRange(type: MemblockType, base: number, size: number): number {
    size = capSize(base, size);
    const end = base + size;
    this.startRgn = this.endRgn = 0;

    if (!size) return 0;

    /* we'll create at most two more regions */
    while (type.cnt + 2 > type.max) {
      if (this.doubleArray(type, base, size) < 0) return -ENOMEM;
    }
    /* memblock_double_array() re-enters this function (freeing the old array): start afresh. */
    let startRgn = 0;
    let endRgn = 0;

    for (let idx = Memblock.firstEndingAfter(type, base); idx < type.cnt; idx++) {
      const rbase = type.base[idx]!;
      const rend = rbase + type.size[idx]!;
      if (rbase >= end) break;
      if (rend <= base) continue;

      if (rbase < base) {
        /* rgn intersects from below: split and continue with the new top half. */
        type.base[idx] = base;
        type.size[idx] = type.size[idx]! - (base - rbase);
        type.totalSize -= base - rbase;
        this.insertRegion(type, idx, rbase, base - rbase, type.nid[idx]!, type.flags[idx]!);
      } else if (rend > end) {
        /* rgn intersects from above: split and redo the current region, the new bottom half. */
        type.base[idx] = end;
        type.size[idx] = type.size[idx]! - (end - rbase);
        type.totalSize -= end - rbase;
        const nid = type.nid[idx]!;
        const flags = type.flags[idx]!;
        this.insertRegion(type, idx, rbase, end - rbase, nid, flags);
        idx--;
      } else {
        /* rgn is fully contained, record it */
        if (!endRgn) startRgn = idx;
        endRgn = idx + 1;
      }
    }
    this.startRgn = startRgn;
    this.endRgn = endRgn;
    return 0;
  }

  /** Kernel: `memblock_remove_range()`. @returns 0 or -ENOMEM */
  private removeRange(type: MemblockType, base: number, size: number): number {
    const ret = this.isolateRange(type, base, size);
    if (ret) return ret;
    for (let i = this.endRgn - 1; i >= this.startRgn; i--) this.removeRegion(type, i);
    return 0;
  }

  // ---------------------------------------------------------------------------------------
  // Adding, removing, reserving, freeing
  // ---------------------------------------------------------------------------------------

  /**
   * Adds [base, base + size) to memory on node `nid` with `flags`.
   * Kernel: `memblock_add_node()`.
   * @param caller what the kernel prints with %pS in the memblock=debug line
   * @returns 0, or -ENOMEM
   */
  memblockAddNode(base: number, size: number, nid: number, flags: number, caller?: string): number {
    const site = "memblock.memblockAddNode";
    Memblock.checkRange(site, base, size);
    Memblock.checkNid(site, nid);
    Memblock.checkFlags(site, flags);
    if (this.memblockDebug) this.dbgRange("memblock_add_node", base, size, caller, ` nid=${nid} flags=${flags.toString(16)}`);
    return this.addRange(this.memory, base, size, nid, flags);
  }

  /**
   * Adds [base, base + size) to memory (node MAX_NUMNODES, no flags).
   * Kernel: `memblock_add()`.
   * @returns 0, or -ENOMEM
   */
  memblockAdd(base: number, size: number, caller?: string): number {
    Memblock.checkRange("memblock.memblockAdd", base, size);
    this.dbgRange("memblock_add", base, size, caller);
    return this.addRange(this.memory, base, size, MAX_NUMNODES, 0);
  }

  /**
   * Removes [base, base + size) from memory.
   * Kernel: `memblock_remove()`.
   * @returns 0, or -ENOMEM
   */
  memblockRemove(base: number, size: number, caller?: string): number {
    Memblock.checkRange("memblock.memblockRemove", base, size);
    this.dbgRange("memblock_remove", base, size, caller);
    return this.removeRange(this.memory, base, size);
  }

  /**
   * Frees a block memblock_alloc*() returned. mmsim's allocations are physical addresses, so
   * `addr` is one; 0 (NULL) is ignored. The memory goes back to memblock, not to the buddy
   * allocator.
   * Kernel: `memblock_free(void *ptr, size_t size)`.
   */
  memblockFree(addr: number, size: number, caller?: string): void {
    Memblock.checkRange("memblock.memblockFree", addr, size);
    if (addr) this.memblockPhysFree(addr, size, caller);
  }

  /**
   * Removes [base, base + size) from reserved. Freeing a range that was never reserved
   * changes nothing and returns 0, as in the kernel.
   * Kernel: `memblock_phys_free()`.
   * @returns 0, or -ENOMEM
   */
  memblockPhysFree(base: number, size: number, caller?: string): number {
    Memblock.checkRange("memblock.memblockPhysFree", base, size);
    this.dbgRange("memblock_phys_free", base, size, caller);
    return this.removeRange(this.reserved, base, size);
  }

  /**
   * Adds [base, base + size) to reserved.
   * Kernel: `memblock_reserve()`.
   * @returns 0, or -ENOMEM
   */
  memblockReserve(base: number, size: number, caller?: string): number {
    Memblock.checkRange("memblock.memblockReserve", base, size);
    this.dbgRange("memblock_reserve", base, size, caller);
    return this.addRange(this.reserved, base, size, MAX_NUMNODES, 0);
  }

  /** Kernel: `memblock_setclr_flag()`. */
  private setclrFlag(site: string, base: number, size: number, set: boolean, flag: number): number {
    Memblock.checkRange(site, base, size);
    const type = this.memory;
    const ret = this.isolateRange(type, base, size);
    if (ret) return ret;
    for (let i = this.startRgn; i < this.endRgn; i++) {
      type.flags[i] = set ? type.flags[i]! | flag : type.flags[i]! & ~flag;
    }
    this.mergeRegions(type);
    return 0;
  }

  /** Marks memory in the range MEMBLOCK_HOTPLUG. Kernel: `memblock_mark_hotplug()`. @returns 0 or -ENOMEM */
  memblockMarkHotplug(base: number, size: number): number {
    return this.setclrFlag("memblock.memblockMarkHotplug", base, size, true, MEMBLOCK_HOTPLUG);
  }

  /** Clears MEMBLOCK_HOTPLUG in the range. Kernel: `memblock_clear_hotplug()`. @returns 0 or -ENOMEM */
  memblockClearHotplug(base: number, size: number): number {
    return this.setclrFlag("memblock.memblockClearHotplug", base, size, false, MEMBLOCK_HOTPLUG);
  }

  /**
   * Marks memory in the range MEMBLOCK_MIRROR; does nothing unless mirroredKernelcore
   * (kernelcore=mirror). From then on allocations prefer mirrored memory.
   * Kernel: `memblock_mark_mirror()`.
   * @returns 0 or -ENOMEM
   */
  memblockMarkMirror(base: number, size: number): number {
    Memblock.checkRange("memblock.memblockMarkMirror", base, size);
    if (!this.mirroredKernelcore) return 0;
    this.systemHasSomeMirror = true;
    return this.setclrFlag("memblock.memblockMarkMirror", base, size, true, MEMBLOCK_MIRROR);
  }

  /** Marks memory in the range MEMBLOCK_NOMAP. Kernel: `memblock_mark_nomap()`. @returns 0 or -ENOMEM */
  memblockMarkNomap(base: number, size: number): number {
    return this.setclrFlag("memblock.memblockMarkNomap", base, size, true, MEMBLOCK_NOMAP);
  }

  /** Clears MEMBLOCK_NOMAP in the range. Kernel: `memblock_clear_nomap()`. @returns 0 or -ENOMEM */
  memblockClearNomap(base: number, size: number): number {
    return this.setclrFlag("memblock.memblockClearNomap", base, size, false, MEMBLOCK_NOMAP);
  }

  /**
   * Sets the node of the regions of `type` in [base, base + size), splitting at the edges.
   * Kernel: `memblock_set_node()` (CONFIG_NUMA).
   * @returns 0 or -ENOMEM
   */
  memblockSetNode(base: number, size: number, type: MemblockType, nid: number): number {
    const site = "memblock.memblockSetNode";
    Memblock.checkRange(site, base, size);
    this.checkType(site, type);
    Memblock.checkNid(site, nid);
    const ret = this.isolateRange(type, base, size);
    if (ret) return ret;
    for (let i = this.startRgn; i < this.endRgn; i++) type.nid[i] = nid;
    this.mergeRegions(type);
    return 0;
  }

  /** Lets memblock_double_array() grow the region arrays. Kernel: `memblock_allow_resize()`. */
  memblockAllowResize(): void {
    this.canResize = true;
  }

  // ---------------------------------------------------------------------------------------
  // Range iteration
  // ---------------------------------------------------------------------------------------

  /** Kernel: `should_skip_region()`. */
  private shouldSkipRegion(type: MemblockType, m: number, nid: number, flags: number): boolean {
    /* we never skip regions when iterating memblock.reserved */
    if (type !== this.memory) return false;
    const mFlags = type.flags[m]!;
    /* only memory regions are associated with nodes, check it */
    if (nid !== NUMA_NO_NODE && nid !== type.nid[m]) return true;
    /* skip hotpluggable memory regions if needed */
    if (this.movableNode && (mFlags & MEMBLOCK_HOTPLUG) !== 0 && (flags & MEMBLOCK_HOTPLUG) === 0) return true;
    /* if we want mirror memory skip non-mirror memory regions */
    if ((flags & MEMBLOCK_MIRROR) !== 0 && (mFlags & MEMBLOCK_MIRROR) === 0) return true;
    /* skip nomap memory unless we were asked for it explicitly */
    if ((flags & MEMBLOCK_NOMAP) === 0 && (mFlags & MEMBLOCK_NOMAP) !== 0) return true;
    /* skip driver-managed memory unless we were asked for it explicitly */
    if ((flags & MEMBLOCK_DRIVER_MANAGED) === 0 && (mFlags & MEMBLOCK_DRIVER_MANAGED) !== 0) return true;
    return false;
  }

  /**
   * Advances `c` to the next range of typeA (minus typeB when given) that matches nid and
   * flags, in ascending order; sets c.outStart/outEnd/outNid.
   * Kernel: `__next_mem_range()`.
   * @returns false at the end of the walk
   */
  private nextMemRange(c: MemRangeCursor, nid: number, flags: number, typeA: MemblockType, typeB: MemblockType | null): boolean {
    let idxA = c.idxA;
    let idxB = c.idxB;

    if (nid === MAX_NUMNODES) {
      this.warnMaxNumnodes(1051, "__next_mem_range");
      nid = NUMA_NO_NODE;
    }

    for (; idxA < typeA.cnt; idxA++) {
      const mStart = typeA.base[idxA]!;
      const mEnd = mStart + typeA.size[idxA]!;
      const mNid = typeA.nid[idxA]!;

      if (this.shouldSkipRegion(typeA, idxA, nid, flags)) continue;

      if (typeB === null) {
        c.outStart = mStart;
        c.outEnd = mEnd;
        c.outNid = mNid;
        c.idxA = idxA + 1;
        c.idxB = idxB;
        return true;
      }

      /* scan areas before each reservation */
      for (; idxB < typeB.cnt + 1; idxB++) {
        const rStart = idxB ? typeB.base[idxB - 1]! + typeB.size[idxB - 1]! : 0;
        const rEnd = idxB < typeB.cnt ? typeB.base[idxB]! : PHYS_ADDR_MAX;

        /* if idx_b advanced past idx_a, break out to advance idx_a */
        if (rStart >= mEnd) break;
        /* if the two regions intersect, we're done */
        if (mStart < rEnd) {
          c.outStart = Math.max(mStart, rStart);
          c.outEnd = Math.min(mEnd, rEnd);
          c.outNid = mNid;
          /* The region which ends first is advanced for the next iteration. */
          if (mEnd <= rEnd) idxA++;
          else idxB++;
          c.idxA = idxA;
          c.idxB = idxB;
          return true;
        }
      }
    }
    /* end of iteration */
    c.idxA = typeA.cnt;
    c.idxB = idxB;
    return false;
  }

  /**
   * Like nextMemRange(), in descending order; `c.fresh` starts a walk.
   * Kernel: `__next_mem_range_rev()`.
   * @returns false at the end of the walk
   */
  private nextMemRangeRev(c: MemRangeCursor, nid: number, flags: number, typeA: MemblockType, typeB: MemblockType | null): boolean {
    let idxA = c.idxA;
    let idxB = c.idxB;

    if (nid === MAX_NUMNODES) {
      this.warnMaxNumnodes(1148, "__next_mem_range_rev");
      nid = NUMA_NO_NODE;
    }

    if (c.fresh) {
      c.fresh = false;
      idxA = typeA.cnt - 1;
      idxB = typeB !== null ? typeB.cnt : 0;
    }

    for (; idxA >= 0; idxA--) {
      const mStart = typeA.base[idxA]!;
      const mEnd = mStart + typeA.size[idxA]!;
      const mNid = typeA.nid[idxA]!;

      if (this.shouldSkipRegion(typeA, idxA, nid, flags)) continue;

      if (typeB === null) {
        c.outStart = mStart;
        c.outEnd = mEnd;
        c.outNid = mNid;
        c.idxA = idxA - 1;
        c.idxB = idxB;
        return true;
      }

      /* scan areas before each reservation */
      for (; idxB >= 0; idxB--) {
        const rStart = idxB ? typeB.base[idxB - 1]! + typeB.size[idxB - 1]! : 0;
        const rEnd = idxB < typeB.cnt ? typeB.base[idxB]! : PHYS_ADDR_MAX;

        /* if idx_b advanced past idx_a, break out to advance idx_a */
        if (rEnd <= mStart) break;
        /* if the two regions intersect, we're done */
        if (mEnd > rStart) {
          c.outStart = Math.max(mStart, rStart);
          c.outEnd = Math.min(mEnd, rEnd);
          c.outNid = mNid;
          if (mStart >= rStart) idxA--;
          else idxB--;
          c.idxA = idxA;
          c.idxB = idxB;
          return true;
        }
      }
    }
    c.idxA = -1;
    c.idxB = idxB;
    return false;
  }

  /** A generator over nextMemRange() / nextMemRangeRev() (not used on hot paths). */
  private *walk(rev: boolean, nid: number, flags: number, typeA: MemblockType, typeB: MemblockType | null): Generator<MemRange> {
    const c = new MemRangeCursor();
    for (;;) {
      const more = rev ? this.nextMemRangeRev(c, nid, flags, typeA, typeB) : this.nextMemRange(c, nid, flags, typeA, typeB);
      if (!more) return;
      yield { start: c.outStart, end: c.outEnd, nid: c.outNid };
    }
  }

  private static checkIterArgs(site: string, nid: number, flags: number): void {
    Memblock.checkNid(site, nid);
    Memblock.checkFlags(site, flags);
  }

  /**
   * Memory ranges (not minus reserved), skipping HOTPLUG/DRIVER_MANAGED filters as the kernel's
   * for_each_mem_range() asks. Kernel: `for_each_mem_range()` / `for_each_mem_range_rev()`.
   */
  *forEachMemRange(reverse = false): Generator<MemRange> {
    yield* this.walk(reverse, NUMA_NO_NODE, MEMBLOCK_HOTPLUG | MEMBLOCK_DRIVER_MANAGED, this.memory, null);
  }

  /**
   * Free ranges (memory && !reserved) of node `nid` whose regions match `flags`.
   * Kernel: `for_each_free_mem_range()` / `for_each_free_mem_range_reverse()`.
   */
  *forEachFreeMemRange(nid: number = NUMA_NO_NODE, flags: number = MEMBLOCK_NONE, reverse = false): Generator<MemRange> {
    Memblock.checkIterArgs("memblock.forEachFreeMemRange", nid, flags);
    yield* this.walk(reverse, nid, flags, this.memory, this.reserved);
  }

  /** Reserved ranges, in ascending order. Kernel: `for_each_reserved_mem_range()`. */
  *forEachReservedMemRange(): Generator<MemRange> {
    yield* this.walk(false, NUMA_NO_NODE, MEMBLOCK_NONE, this.reserved, null);
  }

  /**
   * PFN ranges of the memory regions of node `nid` (MAX_NUMNODES for all) that hold at least
   * one whole page. Kernel: `for_each_mem_pfn_range()` / `__next_mem_pfn_range()`.
   */
  *forEachMemPfnRange(nid: number = MAX_NUMNODES): Generator<{ startPfn: number; endPfn: number; nid: number }> {
    Memblock.checkNid("memblock.forEachMemPfnRange", nid);
    const type = this.memory;
    for (let i = 0; i < type.cnt; i++) {
      const b = type.base[i]!;
      const e = b + type.size[i]!;
      const rNid = type.nid[i]!;
      if (pfnUp(b) >= pfnDown(e)) continue;
      if (nid === MAX_NUMNODES || nid === rNid) yield { startPfn: pfnUp(b), endPfn: pfnDown(e), nid: rNid };
    }
  }

  // ---------------------------------------------------------------------------------------
  // Finding and allocating
  // ---------------------------------------------------------------------------------------

  /** Kernel: `__memblock_find_range_bottom_up()`. @returns the address, or 0 */
  private findRangeBottomUp(start: number, end: number, size: number, align: number, nid: number, flags: number): number {
    const c = this.findCursor;
    c.idxA = 0;
    c.idxB = 0;
    while (this.nextMemRange(c, nid, flags, this.memory, this.reserved)) {
      const thisStart = Math.min(Math.max(c.outStart, start), end);
      const thisEnd = Math.min(Math.max(c.outEnd, start), end);
      const cand = alignUp(thisStart, align);
      if (cand < thisEnd && thisEnd - cand >= size) return cand;
    }
    return 0;
  }

  /** Kernel: `__memblock_find_range_top_down()`. @returns the address, or 0 */
  private findRangeTopDown(start: number, end: number, size: number, align: number, nid: number, flags: number): number {
    const c = this.findCursor;
    c.fresh = true;
    while (this.nextMemRangeRev(c, nid, flags, this.memory, this.reserved)) {
      const thisStart = Math.min(Math.max(c.outStart, start), end);
      const thisEnd = Math.min(Math.max(c.outEnd, start), end);
      if (thisEnd < size) continue;
      const cand = alignDown(thisEnd - size, align);
      if (cand >= thisStart) return cand;
    }
    return 0;
  }

  /** memblockFindInRangeNode() without argument checks. */
  private findInRangeNode(size: number, align: number, start: number, end: number, nid: number, flags: number): number {
    /* pump up end */
    if (end === MEMBLOCK_ALLOC_ACCESSIBLE || end === MEMBLOCK_ALLOC_NOLEAKTRACE) end = this.currentLimit;
    /* avoid allocating the first page */
    start = Math.max(start, PAGE_SIZE);
    end = Math.max(start, end);
    if (this.bottomUp) return this.findRangeBottomUp(start, end, size, align, nid, flags);
    return this.findRangeTopDown(start, end, size, align, nid, flags);
  }

  /**
   * Finds a free, `align`-aligned area of `size` bytes in [start, end) on node `nid` among the
   * regions matching `flags`, top-down or bottom-up. Never returns the first page.
   * Kernel: `memblock_find_in_range_node()`.
   * @param end an address, or MEMBLOCK_ALLOC_ACCESSIBLE / MEMBLOCK_ALLOC_NOLEAKTRACE for current_limit
   * @returns the address, or 0 when nothing fits
   */
  memblockFindInRangeNode(size: number, align: number, start: number, end: number, nid: number, flags: number): number {
    const site = "memblock.memblockFindInRangeNode";
    checkUint(site, "size", size);
    Memblock.checkAlign(site, align);
    checkUint(site, "start", start);
    checkUint(site, "end", end);
    Memblock.checkNid(site, nid);
    Memblock.checkFlags(site, flags);
    return this.findInRangeNode(size, align, start, end, nid, flags);
  }

  /** memblockFindInRange() without argument checks. */
  private findInRange(start: number, end: number, size: number, align: number): number {
    let flags = this.chooseMemblockFlags();
    for (;;) {
      const ret = this.findInRangeNode(size, align, start, end, NUMA_NO_NODE, flags);
      if (!ret && (flags & MEMBLOCK_MIRROR) !== 0) {
        this.log.prWarn(`Could not allocate ${pa(size)} bytes of mirrored memory`);
        flags &= ~MEMBLOCK_MIRROR;
        continue;
      }
      return ret;
    }
  }

  /**
   * Finds a free area on any node, preferring mirrored memory when the system has some.
   * Kernel: `memblock_find_in_range()` (static in 6.1; memblock_double_array() uses it).
   * @returns the address, or 0
   */
  memblockFindInRange(start: number, end: number, size: number, align: number): number {
    const site = "memblock.memblockFindInRange";
    checkUint(site, "start", start);
    checkUint(site, "end", end);
    checkUint(site, "size", size);
    Memblock.checkAlign(site, align);
    return this.findInRange(start, end, size, align);
  }

  /** memblockAllocRangeNid() without argument checks. */
  private allocRangeNid(size: number, align: number, start: number, end: number, nid: number, exactNid: boolean): number {
    let flags = this.chooseMemblockFlags();

    if (nid === MAX_NUMNODES) {
      this.warnMaxNumnodes(1381, "memblock_alloc_range_nid");
      nid = NUMA_NO_NODE;
    }

    if (!align) {
      /* Can't use WARNs this early in boot on powerpc: the kernel dumps the stack instead. */
      this.log.printk(KERN_WARNING, "CPU: 0 PID: 0 Comm: swapper Not tainted 6.1.0 #1\nCall trace:\n memblock_alloc_range_nid");
      align = SMP_CACHE_BYTES;
    }

    for (;;) {
      let found = this.findInRangeNode(size, align, start, end, nid, flags);
      if (found && !this.memblockReserve(found, size, MEMBLOCK_CALLERS.allocRangeNid)) return found;

      if (nid !== NUMA_NO_NODE && !exactNid) {
        found = this.findInRangeNode(size, align, start, end, NUMA_NO_NODE, flags);
        if (found && !this.memblockReserve(found, size, MEMBLOCK_CALLERS.allocRangeNid)) return found;
      }

      if ((flags & MEMBLOCK_MIRROR) !== 0) {
        flags &= ~MEMBLOCK_MIRROR;
        this.log.prWarn(`Could not allocate ${pa(size)} bytes of mirrored memory`);
        continue;
      }
      return 0;
    }
  }

  private static checkAlloc(site: string, size: number, align: number): void {
    checkUint(site, "size", size);
    Memblock.checkAlign(site, align);
  }

  private static checkAllocNid(site: string, size: number, align: number, minAddr: number, maxAddr: number, nid: number): void {
    Memblock.checkAlloc(site, size, align);
    checkUint(site, "minAddr", minAddr);
    checkUint(site, "maxAddr", maxAddr);
    Memblock.checkNid(site, nid);
  }

  /**
   * Allocates and reserves `size` bytes aligned to `align` in [start, end): on node `nid`
   * first, then (unless exactNid) on any node; from mirrored memory first when the system
   * has some (with a warning when it falls back). align 0 dumps the stack and uses
   * SMP_CACHE_BYTES.
   * Kernel: `memblock_alloc_range_nid()`.
   * @returns the physical address, or 0 on failure
   */
  memblockAllocRangeNid(size: number, align: number, start: number, end: number, nid: number, exactNid: boolean): number {
    const site = "memblock.memblockAllocRangeNid";
    Memblock.checkAllocNid(site, size, align, start, end, nid);
    return this.allocRangeNid(size, align, start, end, nid, exactNid);
  }

  /**
   * Allocates in [start, end) on any node.
   * Kernel: `memblock_phys_alloc_range()`.
   * @returns the physical address, or 0
   */
  memblockPhysAllocRange(size: number, align: number, start: number, end: number, caller?: string): number {
    const site = "memblock.memblockPhysAllocRange";
    Memblock.checkAllocNid(site, size, align, start, end, NUMA_NO_NODE);
    if (this.memblockDebug) this.dbg(Memblock.withCaller(`memblock_phys_alloc_range: ${size} bytes align=${hexAlt(align)} from=${pa(start)} max_addr=${pa(end)}`, caller));
    return this.allocRangeNid(size, align, start, end, NUMA_NO_NODE, false);
  }

  /**
   * Allocates below current_limit, on node `nid` if it can, else anywhere.
   * Kernel: `memblock_phys_alloc_try_nid()`.
   * @returns the physical address, or 0
   */
  memblockPhysAllocTryNid(size: number, align: number, nid: number): number {
    const site = "memblock.memblockPhysAllocTryNid";
    Memblock.checkAlloc(site, size, align);
    Memblock.checkNid(site, nid);
    return this.allocRangeNid(size, align, 0, MEMBLOCK_ALLOC_ACCESSIBLE, nid, false);
  }

  /**
   * Allocates below current_limit. Kernel: `memblock_phys_alloc()`.
   * @returns the physical address, or 0
   */
  memblockPhysAlloc(size: number, align: number, caller?: string): number {
    return this.memblockPhysAllocRange(size, align, 0, MEMBLOCK_ALLOC_ACCESSIBLE, caller);
  }

  /**
   * Clips max_addr to current_limit, tries [minAddr, maxAddr), then drops minAddr.
   * Kernel: `memblock_alloc_internal()` (which returns the virtual address).
   */
  private allocInternal(size: number, align: number, minAddr: number, maxAddr: number, nid: number, exactNid: boolean): number {
    if (maxAddr > this.currentLimit) maxAddr = this.currentLimit;
    let alloc = this.allocRangeNid(size, align, minAddr, maxAddr, nid, exactNid);
    /* retry allocation without lower limit */
    if (!alloc && minAddr) alloc = this.allocRangeNid(size, align, 0, maxAddr, nid, exactNid);
    return alloc;
  }

  /** The memblock=debug line of the memblock_alloc_*nid* family. */
  private dbgAllocNid(fn: string, size: number, align: number, nid: number, minAddr: number, maxAddr: number, caller: string | undefined): void {
    if (this.memblockDebug) this.dbg(Memblock.withCaller(`${fn}: ${size} bytes align=${hexAlt(align)} nid=${nid} from=${pa(minAddr)} max_addr=${pa(maxAddr)}`, caller));
  }

  /**
   * Allocates on node `nid` only (no fallback to other nodes), not zeroed.
   * Kernel: `memblock_alloc_exact_nid_raw()`.
   * @returns the physical address (mmsim; the kernel returns a virtual one), or 0 (NULL)
   */
  memblockAllocExactNidRaw(size: number, align: number, minAddr: number, maxAddr: number, nid: number, caller?: string): number {
    Memblock.checkAllocNid("memblock.memblockAllocExactNidRaw", size, align, minAddr, maxAddr, nid);
    this.dbgAllocNid("memblock_alloc_exact_nid_raw", size, align, nid, minAddr, maxAddr, caller);
    return this.allocInternal(size, align, minAddr, maxAddr, nid, true);
  }

  /**
   * Allocates on node `nid`, falling back to any node, not zeroed.
   * Kernel: `memblock_alloc_try_nid_raw()`.
   * @returns the physical address, or 0 (NULL)
   */
  memblockAllocTryNidRaw(size: number, align: number, minAddr: number, maxAddr: number, nid: number, caller?: string): number {
    Memblock.checkAllocNid("memblock.memblockAllocTryNidRaw", size, align, minAddr, maxAddr, nid);
    this.dbgAllocNid("memblock_alloc_try_nid_raw", size, align, nid, minAddr, maxAddr, caller);
    return this.allocInternal(size, align, minAddr, maxAddr, nid, false);
  }

  /**
   * Allocates on node `nid`, falling back to any node; the kernel zeroes the block.
   * Kernel: `memblock_alloc_try_nid()`.
   * @returns the physical address, or 0 (NULL)
   */
  memblockAllocTryNid(size: number, align: number, minAddr: number, maxAddr: number, nid: number, caller?: string): number {
    Memblock.checkAllocNid("memblock.memblockAllocTryNid", size, align, minAddr, maxAddr, nid);
    this.dbgAllocNid("memblock_alloc_try_nid", size, align, nid, minAddr, maxAddr, caller);
    return this.allocInternal(size, align, minAddr, maxAddr, nid, false);
  }

  /** Kernel: `memblock_alloc()`. @returns the physical address, or 0 (NULL) */
  memblockAlloc(size: number, align: number, caller?: string): number {
    Memblock.checkAlloc("memblock.memblockAlloc", size, align);
    return this.memblockAllocTryNid(size, align, MEMBLOCK_LOW_LIMIT, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);
  }

  /** Kernel: `memblock_alloc_raw()`. @returns the physical address, or 0 (NULL) */
  memblockAllocRaw(size: number, align: number, caller?: string): number {
    Memblock.checkAlloc("memblock.memblockAllocRaw", size, align);
    return this.memblockAllocTryNidRaw(size, align, MEMBLOCK_LOW_LIMIT, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);
  }

  /** Allocates above `minAddr` if it can. Kernel: `memblock_alloc_from()`. @returns the physical address, or 0 */
  memblockAllocFrom(size: number, align: number, minAddr: number, caller?: string): number {
    Memblock.checkAlloc("memblock.memblockAllocFrom", size, align);
    checkUint("memblock.memblockAllocFrom", "minAddr", minAddr);
    return this.memblockAllocTryNid(size, align, minAddr, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);
  }

  /** Allocates below ARCH_LOW_ADDRESS_LIMIT. Kernel: `memblock_alloc_low()`. @returns the physical address, or 0 */
  memblockAllocLow(size: number, align: number, caller?: string): number {
    Memblock.checkAlloc("memblock.memblockAllocLow", size, align);
    return this.memblockAllocTryNid(size, align, MEMBLOCK_LOW_LIMIT, this.archLowAddressLimit, NUMA_NO_NODE, caller);
  }

  /** Allocates on node `nid` if it can. Kernel: `memblock_alloc_node()`. @returns the physical address, or 0 */
  memblockAllocNode(size: number, align: number, nid: number, caller?: string): number {
    Memblock.checkAlloc("memblock.memblockAllocNode", size, align);
    Memblock.checkNid("memblock.memblockAllocNode", nid);
    return this.memblockAllocTryNid(size, align, MEMBLOCK_LOW_LIMIT, MEMBLOCK_ALLOC_ACCESSIBLE, nid, caller);
  }

  /**
   * Frees [base, base + size) page by page straight to the page allocator, once memblock is
   * no longer in charge; reserved is not touched.
   * Kernel: `memblock_free_late()`.
   * @returns the number of pages freed (the kernel adds them to totalram_pages)
   */
  memblockFreeLate(base: number, size: number, sink: BootPageSink, caller?: string): number {
    Memblock.checkRange("memblock.memblockFreeLate", base, size);
    this.dbgRange("memblock_free_late", base, size, caller);
    let n = 0;
    for (let cursor = pfnUp(base), endPfn = pfnDown(base + size); cursor < endPfn; cursor++) {
      sink.memblockFreePages(cursor, 0);
      n++;
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------
  // Queries
  // ---------------------------------------------------------------------------------------

  /** Kernel: `memblock_phys_mem_size()`: memory.total_size in bytes. */
  memblockPhysMemSize(): number {
    return this.memory.totalSize;
  }

  /** Kernel: `memblock_reserved_size()`: reserved.total_size in bytes. */
  memblockReservedSize(): number {
    return this.reserved.totalSize;
  }

  /** Lowest memory address (0 when there is no memory). Kernel: `memblock_start_of_DRAM()`. */
  memblockStartOfDRAM(): number {
    return this.memory.base[0]!;
  }

  /** End of the last memory region. Kernel: `memblock_end_of_DRAM()`. */
  memblockEndOfDRAM(): number {
    const idx = this.memory.cnt - 1;
    return this.memory.base[idx]! + this.memory.size[idx]!;
  }

  /** Kernel: `memblock_addrs_overlap()`. */
  static memblockAddrsOverlap(base1: number, size1: number, base2: number, size2: number): boolean {
    return base1 < base2 + size2 && base2 < base1 + size1;
  }

  /** True when [base, base + size) overlaps a region of `type`. Kernel: `memblock_overlaps_region()`. */
  memblockOverlapsRegion(type: MemblockType, base: number, size: number): boolean {
    const site = "memblock.memblockOverlapsRegion";
    this.checkType(site, type);
    Memblock.checkRange(site, base, size);
    return this.overlapsRegion(type, base, size);
  }

  private overlapsRegion(type: MemblockType, base: number, size: number): boolean {
    size = capSize(base, size);
    let i = 0;
    for (; i < type.cnt; i++) {
      if (Memblock.memblockAddrsOverlap(base, size, type.base[i]!, type.size[i]!)) break;
    }
    return i < type.cnt;
  }

  /** Kernel: `memblock_search()`: binary search. @returns the region index, or -1 */
  private search(type: MemblockType, addr: number): number {
    let left = 0;
    let right = type.cnt;
    do {
      const mid = Math.floor((right + left) / 2);
      if (addr < type.base[mid]!) right = mid;
      else if (addr >= type.base[mid]! + type.size[mid]!) left = mid + 1;
      else return mid;
    } while (left < right);
    return -1;
  }

  /** Kernel: `memblock_is_reserved()`. */
  memblockIsReserved(addr: number): boolean {
    checkUint("memblock.memblockIsReserved", "addr", addr);
    return this.search(this.reserved, addr) !== -1;
  }

  /** Kernel: `memblock_is_memory()`. */
  memblockIsMemory(addr: number): boolean {
    checkUint("memblock.memblockIsMemory", "addr", addr);
    return this.search(this.memory, addr) !== -1;
  }

  /** True when addr is memory and not NOMAP. Kernel: `memblock_is_map_memory()`. */
  memblockIsMapMemory(addr: number): boolean {
    checkUint("memblock.memblockIsMapMemory", "addr", addr);
    const i = this.search(this.memory, addr);
    if (i === -1) return false;
    return (this.memory.flags[i]! & MEMBLOCK_NOMAP) === 0;
  }

  /**
   * The node of the memory region holding pfn, with its PFN span.
   * Kernel: `memblock_search_pfn_nid()`.
   * @returns undefined when pfn is not memory (the kernel returns -1)
   */
  memblockSearchPfnNid(pfn: number): { nid: number; startPfn: number; endPfn: number } | undefined {
    checkUint("memblock.memblockSearchPfnNid", "pfn", pfn);
    const type = this.memory;
    const mid = this.search(type, pfn * PAGE_SIZE);
    if (mid === -1) return undefined;
    return { nid: type.nid[mid]!, startPfn: pfnDown(type.base[mid]!), endPfn: pfnDown(type.base[mid]! + type.size[mid]!) };
  }

  /**
   * True when [base, base + size) lies inside one memory region.
   * Kernel: `memblock_is_region_memory()`.
   */
  memblockIsRegionMemory(base: number, size: number): boolean {
    Memblock.checkRange("memblock.memblockIsRegionMemory", base, size);
    const idx = this.search(this.memory, base);
    const end = base + capSize(base, size);
    if (idx === -1) return false;
    return this.memory.base[idx]! + this.memory.size[idx]! >= end;
  }

  /** True when [base, base + size) intersects reserved memory. Kernel: `memblock_is_region_reserved()`. */
  memblockIsRegionReserved(base: number, size: number): boolean {
    Memblock.checkRange("memblock.memblockIsRegionReserved", base, size);
    return this.overlapsRegion(this.reserved, base, size);
  }

  /** Kernel: `memblock_set_bottom_up()`. */
  memblockSetBottomUp(enable: boolean): void {
    this.bottomUp = enable;
  }

  /** Kernel: `memblock_bottom_up()`. */
  memblockBottomUp(): boolean {
    return this.bottomUp;
  }

  /** Kernel: `memblock_set_current_limit()`. */
  memblockSetCurrentLimit(limit: number): void {
    checkUint("memblock.memblockSetCurrentLimit", "limit", limit);
    this.currentLimit = limit;
  }

  /** Kernel: `memblock_get_current_limit()`. */
  memblockGetCurrentLimit(): number {
    return this.currentLimit;
  }

  // ---------------------------------------------------------------------------------------
  // Trimming and limits
  // ---------------------------------------------------------------------------------------

  /**
   * Shrinks every memory region to `align` boundaries and drops those that vanish.
   * Kernel: `memblock_trim_memory()` (mmsim also keeps total_size exact; see the file header).
   */
  memblockTrimMemory(align: number): void {
    const site = "memblock.memblockTrimMemory";
    checkUint(site, "align", align);
    if (!isPowerOf2(align)) throw new ArgumentError(site, "align", "a power of two", describeValue(align));
    const type = this.memory;
    for (let i = 0; i < type.cnt; i++) {
      const origStart = type.base[i]!;
      const origEnd = origStart + type.size[i]!;
      const start = alignUp(origStart, align);
      const end = alignDown(origEnd, align);
      if (start === origStart && end === origEnd) continue;
      if (start < end) {
        type.base[i] = start;
        type.size[i] = end - start;
        /* mmsim: 6.1 leaves total_size unchanged here. */
        type.totalSize -= origEnd - origStart - (end - start);
      } else {
        this.removeRegion(type, i);
        i--;
      }
    }
  }

  /** Kernel: `__find_max_addr()`: the address below which `limit` bytes of memory lie. */
  private findMaxAddr(limit: number): number {
    let maxAddr = PHYS_ADDR_MAX;
    const type = this.memory;
    for (let i = 0; i < type.cnt; i++) {
      const size = type.size[i]!;
      if (limit <= size) {
        maxAddr = type.base[i]! + limit;
        break;
      }
      limit -= size;
    }
    return maxAddr;
  }

  /**
   * mem=: keeps the first `limit` bytes of memory and drops memory and reservations above
   * them. 0, or a limit beyond the memory size, changes nothing.
   * Kernel: `memblock_enforce_memory_limit()`.
   */
  memblockEnforceMemoryLimit(limit: number): void {
    checkUint("memblock.memblockEnforceMemoryLimit", "limit", limit);
    if (!limit) return;
    const maxAddr = this.findMaxAddr(limit);
    /* limit exceeds the total size of the memory, do nothing */
    if (maxAddr === PHYS_ADDR_MAX) return;
    /* truncate both memory and reserved regions */
    this.removeRange(this.memory, maxAddr, PHYS_ADDR_MAX);
    this.removeRange(this.reserved, maxAddr, PHYS_ADDR_MAX);
  }

  /**
   * Keeps only [base, base + size) of memory (NOMAP regions outside it survive) and of reserved.
   * Kernel: `memblock_cap_memory_range()`.
   */
  memblockCapMemoryRange(base: number, size: number): void {
    Memblock.checkRange("memblock.memblockCapMemoryRange", base, size);
    if (!size) return;
    if (!this.memory.totalSize) {
      this.log.prWarn("memblock_cap_memory_range: No memory registered yet");
      return;
    }
    const type = this.memory;
    if (this.isolateRange(type, base, size)) return;
    const startRgn = this.startRgn;
    const endRgn = this.endRgn;

    /* remove all the MAP regions */
    for (let i = type.cnt - 1; i >= endRgn; i--) {
      if ((type.flags[i]! & MEMBLOCK_NOMAP) === 0) this.removeRegion(type, i);
    }
    for (let i = startRgn - 1; i >= 0; i--) {
      if ((type.flags[i]! & MEMBLOCK_NOMAP) === 0) this.removeRegion(type, i);
    }

    /* truncate the reserved regions */
    this.removeRange(this.reserved, 0, base);
    this.removeRange(this.reserved, base + size, PHYS_ADDR_MAX);
  }

  /**
   * Like memblockEnforceMemoryLimit(), but through memblockCapMemoryRange(0, max), so NOMAP
   * regions above the limit stay. Kernel: `memblock_mem_limit_remove_map()`.
   */
  memblockMemLimitRemoveMap(limit: number): void {
    checkUint("memblock.memblockMemLimitRemoveMap", "limit", limit);
    if (!limit) return;
    const maxAddr = this.findMaxAddr(limit);
    /* limit exceeds the total size of the memory, do nothing */
    if (maxAddr === PHYS_ADDR_MAX) return;
    this.memblockCapMemoryRange(0, maxAddr);
  }

  // ---------------------------------------------------------------------------------------
  // memblock=debug dump
  // ---------------------------------------------------------------------------------------

  /** Logs one type as memblock=debug does. Kernel: `memblock_dump()`. */
  memblockDump(type: MemblockType): void {
    this.checkType("memblock.memblockDump", type);
    this.log.prInfo(` ${type.name}.cnt  = ${hexAlt(type.cnt)}`);
    for (let idx = 0; idx < type.cnt; idx++) {
      const base = type.base[idx]!;
      const size = type.size[idx]!;
      const end = base + size - 1;
      const nid = type.nid[idx]!;
      const nidBuf = nid !== MAX_NUMNODES ? ` on node ${nid}` : "";
      this.log.prInfo(` ${type.name}[${hexAlt(idx)}]\t[${pa(base)}-${pa(end)}], ${pa(size)} bytes${nidBuf} flags: ${hexAlt(type.flags[idx]!)}`);
    }
  }

  /**
   * Logs the "MEMBLOCK configuration:" block when memblock=debug (memblockDebug) is set, or
   * always with `force`. Kernel: `memblock_dump_all()` / `__memblock_dump_all()`.
   */
  memblockDumpAll(force = false): void {
    if (!this.memblockDebug && !force) return;
    this.log.prInfo("MEMBLOCK configuration:");
    this.log.prInfo(` memory size = ${pa(this.memory.totalSize)} reserved size = ${pa(this.reserved.totalSize)}`);
    this.memblockDump(this.memory);
    this.memblockDump(this.reserved);
  }

  // ---------------------------------------------------------------------------------------
  // Hand-over to the page allocator
  // ---------------------------------------------------------------------------------------

  /**
   * Releases the free memory to the page allocator: resets every zone's managed count,
   * clears HOTPLUG everywhere, marks every reserved range and every NOMAP region reserved
   * (reserve_bootmem_region), frees each free range below maxLowPfn in naturally aligned blocks
   * of order min(MAX_ORDER - 1, __ffs(pfn)), shrunk to fit, and adds the count to totalram_pages
   * (deferred pages included, as in the kernel).
   * Kernel: `memblock_free_all()` → `reset_all_zones_managed_pages()`,
   * `free_low_memory_core_early()` → `__free_memory_core()` → `__free_pages_memory()` →
   * `memblock_free_pages()`, then `totalram_pages_add()`.
   * @param maxLowPfn the kernel's max_low_pfn (default PFN_DOWN(end of DRAM), as on arm64)
   * @returns the number of pages freed (what the kernel adds to totalram_pages)
   */
  memblockFreeAll(sink: BootPageSink, maxLowPfn?: number): number {
    if (maxLowPfn === undefined) maxLowPfn = pfnDown(this.memblockEndOfDRAM());
    checkUint("memblock.memblockFreeAll", "maxLowPfn", maxLowPfn);

    sink.resetAllZonesManagedPages();
    this.memblockClearHotplug(0, PHYS_ADDR_MAX);
    this.memmapInitReservedPages(sink);

    /* NUMA_NO_NODE, not node 0: low RAM may be on node 1. */
    let count = 0;
    const c = new MemRangeCursor();
    while (this.nextMemRange(c, NUMA_NO_NODE, MEMBLOCK_NONE, this.memory, this.reserved)) {
      count += Memblock.freeMemoryCore(c.outStart, c.outEnd, maxLowPfn, sink);
    }
    sink.totalramPagesAdd(count);
    return count;
  }

  /** Kernel: `memmap_init_reserved_pages()`. */
  private memmapInitReservedPages(sink: BootPageSink): void {
    /* initialize struct pages for the reserved regions (the dummy of an empty type is [0, 0)) */
    const c = new MemRangeCursor();
    while (this.nextMemRange(c, NUMA_NO_NODE, MEMBLOCK_NONE, this.reserved, null)) {
      sink.reserveBootmemRegion(c.outStart, c.outEnd);
    }
    /* and also treat struct pages for the NOMAP regions as PageReserved */
    const type = this.memory;
    for (let i = 0; i < type.cnt; i++) {
      if ((type.flags[i]! & MEMBLOCK_NOMAP) !== 0) {
        sink.reserveBootmemRegion(type.base[i]!, type.base[i]! + type.size[i]!);
      }
    }
  }

  /** Kernel: `__free_memory_core()`. @returns pages freed */
  private static freeMemoryCore(start: number, end: number, maxLowPfn: number, sink: BootPageSink): number {
    const startPfn = pfnUp(start);
    const endPfn = Math.min(pfnDown(end), maxLowPfn);
    if (startPfn >= endPfn) return 0;
    Memblock.freePagesMemory(startPfn, endPfn, sink);
    return endPfn - startPfn;
  }

  /** Kernel: `__free_pages_memory()`: naturally aligned blocks, at most order MAX_ORDER - 1. */
  private static freePagesMemory(start: number, end: number, sink: BootPageSink): void {
    while (start < end) {
      /* order = min(MAX_ORDER - 1, __ffs(start)); __ffs(0) is 64 on arm64 */
      let order = 0;
      let blk = 1;
      while (order < MAX_ORDER - 1 && start % (blk * 2) === 0) {
        order++;
        blk *= 2;
      }
      while (start + blk > end) {
        order--;
        blk /= 2;
      }
      sink.memblockFreePages(start, order);
      start += blk;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Self-check
  // ---------------------------------------------------------------------------------------

  /** Reports every broken invariant listed in the file header to `sink`; never throws. */
  validate(sink: ValidationSink): void {
    this.validateType(this.memory, sink);
    this.validateType(this.reserved, sink);
    for (const type of [this.memory, this.reserved]) {
      if (type.regionsAddr === 0) continue;
      const size = pageAlign(type.max * SIZEOF_MEMBLOCK_REGION);
      const i = this.search(this.reserved, type.regionsAddr);
      if (i === -1 || this.reserved.base[i]! + this.reserved.size[i]! < type.regionsAddr + size) {
        sink.report(`memblock.${type.name}.regions`, `the array at ${pa(type.regionsAddr)} (${size} bytes) is not inside reserved`);
      }
    }
  }

  private validateType(type: MemblockType, sink: ValidationSink): void {
    const w = `memblock.${type.name}`;
    if (type.base.length !== type.max || type.size.length !== type.max || type.flags.length !== type.max || type.nid.length !== type.max) {
      sink.report(w, `region arrays are not max (${type.max}) long`);
      return;
    }
    if (!Number.isSafeInteger(type.cnt) || type.cnt < 1 || type.cnt > type.max) {
      sink.report(w, `cnt ${type.cnt} is outside [1, max ${type.max}]`);
      return;
    }
    if (type.cnt === 1 && type.size[0] === 0) {
      if (type.totalSize !== 0) sink.report(w, `empty (dummy entry) but total_size is ${type.totalSize}`);
      return;
    }
    let sum = 0;
    for (let i = 0; i < type.cnt; i++) {
      const where = `${w}[${i}]`;
      const b = type.base[i]!;
      const s = type.size[i]!;
      const f = type.flags[i]!;
      const n = type.nid[i]!;
      if (!Number.isSafeInteger(b) || b < 0) sink.report(where, `base ${b} is not an address`);
      if (!Number.isSafeInteger(s) || s <= 0) sink.report(where, `size ${s} is not > 0`);
      if (b + s > PHYS_ADDR_MAX) sink.report(where, `ends past PHYS_ADDR_MAX`);
      if ((f & ~MEMBLOCK_FLAGS_MASK) !== 0) sink.report(where, `unknown flag bits ${hexAlt(f)}`);
      if (n < NUMA_NO_NODE || n > MAX_NUMNODES) sink.report(where, `nid ${n} outside [-1, ${MAX_NUMNODES}]`);
      sum += s;
      if (i + 1 < type.cnt) {
        const end = b + s;
        const nb = type.base[i + 1]!;
        if (nb < b) sink.report(where, `not sorted: next base ${pa(nb)} < ${pa(b)}`);
        else if (end > nb) sink.report(where, `overlaps the next region: ends ${pa(end)} > ${pa(nb)}`);
        else if (end === nb && f === type.flags[i + 1] && n === type.nid[i + 1]) {
          const nomapPieces = type === this.memory && (f & MEMBLOCK_NOMAP) !== 0;
          if (!nomapPieces) sink.report(where, `adjacent to the next region with the same flags and nid, not merged`);
        }
      }
    }
    if (sum !== type.totalSize) sink.report(w, `total_size ${type.totalSize} != sum of sizes ${sum}`);
  }
}

/**
 * `memblock=`: any value containing "debug" turns memblock_debug on (the memblock_dbg() lines and
 * memblock_dump_all()). An early_param, so it takes effect in setup_arch() before
 * arm64_memblock_init(): the memory and DTB added by setup_machine_fdt() are not logged.
 * Kernel: `early_memblock()`.
 * @returns 0 (the kernel's handler never reports a malformed value)
 */
export function earlyMemblock(memblock: Memblock, p: string | undefined): number {
  if (p !== undefined && p.includes("debug")) memblock.memblockDebug = true;
  return 0;
}
