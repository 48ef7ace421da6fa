// Kernel: mm/memblock.c (v6.1) — mmsim's own tests: hand-over, bad input, log lines, limits, DI, determinism
/*
 * What the kernel's userspace suite does not pin: memblock_free_all() into a BootPageSink, the
 * API edge (ArgumentError), the kernel's error codes and log lines (memblock=debug, WARNs,
 * pr_warn/pr_err), mem= and the cap/limit functions, the queries, the arm64 array sizes, DI
 * registration and determinism. Every step is validated (validating() proxy).
 */
import { describe, expect, it } from "vitest";
import { container } from "tsyringe";
import {
  ArgumentError, ENOMEM, KERNEL_LOG, KernelLog, PAGE_SIZE, SZ_128M, SZ_16M, SZ_1G, SZ_1M, SZ_2M, SZ_4K, SZ_512M, SZ_64K, SZ_8K, SZ_4M, pfnDown, pfnUp,
} from "@mmsim/core";
import { CollectingSink, RecordingBootPageSink, expectValid } from "@mmsim/core/testing";
import { KernelParam, parseEarlyParam } from "@mmsim/core";
import { earlyMemblock, INIT_MEMBLOCK_MEMORY_REGIONS, INIT_MEMBLOCK_RESERVED_REGIONS, MEMBLOCK_ALLOC_ANYWHERE, MEMBLOCK_DRIVER_MANAGED, MEMBLOCK_HOTPLUG, MEMBLOCK_MIRROR, MEMBLOCK_NOMAP, MEMBLOCK_NONE, Memblock, PHYS_ADDR_MAX, SMP_CACHE_BYTES } from "./memblock.ts";
import { MAX_NUMNODES, NUMA_NO_NODE } from "@mmsim/core";
import { MEMBLOCK, memblockModule } from "./module.ts";
import { newTestMemblock, validating } from "./common.test-helpers.ts";

const RAM = 0x40000000;
const RAM_SIZE = SZ_1G;

/** The arm64 board's memblock (default array sizes), validated after each call. */
function board(log = new KernelLog()): Memblock {
  const mb = validating(new Memblock(log));
  mb.memblockAdd(RAM, RAM_SIZE);
  return mb;
}

function regions(mb: Memblock, type: "memory" | "reserved"): [number, number, number, number][] {
  const t = mb[type];
  const out: [number, number, number, number][] = [];
  for (let i = 0; i < t.cnt; i++) {
    const r = mb.region(t, i);
    out.push([r.base, r.size, r.flags, r.nid]);
  }
  return out;
}

function texts(log: KernelLog): string[] {
  return log.all().map((r) => r.text);
}

describe("Memblock construction (arm64 6.1 defaults)", () => {
  it("sizes the static arrays as arm64 6.1 with EFI and GICv3 ITS does", () => {
    const mb = new Memblock(new KernelLog());
    expect(INIT_MEMBLOCK_MEMORY_REGIONS).toBe(1024);
    expect(INIT_MEMBLOCK_RESERVED_REGIONS).toBe(128 + 256 + 1);
    expect(mb.memory.max).toBe(1024);
    expect(mb.reserved.max).toBe(385);
    expect(mb.memory.cnt).toBe(1);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.currentLimit).toBe(MEMBLOCK_ALLOC_ANYWHERE);
    expect(mb.bottomUp).toBe(false);
    expectValid(mb);
  });

  it("doubles reserved from 385 to 770 entries and reserves 770 * 24 bytes, page aligned", () => {
    const mb = board();
    mb.memblockAllowResize();
    for (let i = 0; i < 385; i++) mb.memblockReserve(RAM + i * SZ_8K, SZ_4K);
    expect(mb.reserved.max).toBe(385);
    mb.memblockReserve(RAM + 385 * SZ_8K, SZ_4K);
    expect(mb.reserved.max).toBe(770);
    const arraySize = Math.ceil((770 * 24) / PAGE_SIZE) * PAGE_SIZE;
    expect(mb.reserved.regionsAddr).toBe(RAM + RAM_SIZE - arraySize);
    expect(mb.reserved.totalSize).toBe(386 * SZ_4K + arraySize);
    expect(mb.memblockIsRegionReserved(mb.reserved.regionsAddr, arraySize)).toBe(true);
  });
});

describe("memblockFreeAll (memblock_free_all → free_low_memory_core_early)", () => {
  function bootLike(): Memblock {
    const mb = board();
    mb.memblockReserve(0x40210000, 0x4220b000 - 0x40210000); // kernel image
    mb.memblockReserve(0x48200000, SZ_1M); // DTB area
    mb.memblockReserve(0x7fc0b7c0, 0x7fd8bbc8 - 0x7fc0b7c0); // unaligned allocations
    mb.memblockReserve(0x7fdfd000, 0x80000000 - 0x7fdfd000);
    mb.memblockMarkNomap(0x50000000, SZ_2M + SZ_4K);
    mb.memblockMarkHotplug(0x60000000, SZ_16M);
    return mb;
  }

  it("frees naturally aligned blocks of order <= 10 that avoid reserved and NOMAP memory, and counts them", () => {
    const mb = bootLike();
    const sink = new RecordingBootPageSink();
    /*
     * The free pages, computed independently, page by page, from the region arrays (not through
     * memblock's queries, which validating() would check after each of the 2 × 262144 calls):
     * whole pages of memory && !reserved && !NOMAP.
     */
    const mapped = regions(mb, "memory").filter(([, , f]) => (f & MEMBLOCK_NOMAP) === 0);
    const reserved = regions(mb, "reserved");
    let expected = 0;
    for (let pfn = pfnDown(RAM); pfn < pfnDown(RAM + RAM_SIZE); pfn++) {
      const a = pfn * PAGE_SIZE;
      if (!mapped.some(([base, size]) => base <= a && a + PAGE_SIZE <= base + size)) continue;
      if (reserved.some(([base, size]) => base < a + PAGE_SIZE && a < base + size)) continue;
      expected++;
    }
    expect(expected).toBeGreaterThan(250000);
    const count = mb.memblockFreeAll(sink);
    // memblock_free_all(): reset_all_zones_managed_pages() first, totalram_pages_add(count) last
    expect(sink.resets).toBe(1);
    expect(sink.totalramPages).toBe(count);
    expect(count).toBe(expected);
    expect(sink.freedPages).toBe(count);
    for (const [pfn, order] of sink.freed) {
      expect(order).toBeGreaterThanOrEqual(0);
      expect(order).toBeLessThanOrEqual(10);
      expect(pfn % 2 ** order).toBe(0);
    }
    expect(sink.perOrder[10]).toBeGreaterThan(0);
    /* reserve_bootmem_region() for every reserved range, then for every NOMAP region */
    expect(sink.reserved).toEqual([
      [0x40210000, 0x4220b000], [0x48200000, 0x48300000], [0x7fc0b7c0, 0x7fd8bbc8], [0x7fdfd000, 0x80000000],
      [0x50000000, 0x50201000],
    ]);
    expectValid(sink);
    /* memblock_clear_hotplug(0, -1) ran first */
    expect(regions(mb, "memory").some(([, , f]) => (f & MEMBLOCK_HOTPLUG) !== 0)).toBe(false);
  });

  it("frees blocks in address order, the largest order __ffs(pfn) allows, shrunk to fit the range end", () => {
    const mb = validating(new Memblock(new KernelLog()));
    mb.memblockAdd(0x40003000, 0x40003000 + 5 * SZ_4K + 0x800 - 0x40003000); // 5.5 pages
    const sink = new RecordingBootPageSink();
    expect(mb.memblockFreeAll(sink)).toBe(5);
    const p = pfnDown(0x40003000);
    expect(sink.freed).toEqual([[p, 0], [p + 1, 2]]);
    /* reserved is empty: its dummy entry is passed as [0, 0), as in the kernel */
    expect(sink.reserved).toEqual([[0, 0]]);
  });

  it("does not free pages at or above maxLowPfn", () => {
    const mb = board();
    const sink = new RecordingBootPageSink();
    const limitPfn = pfnDown(RAM + SZ_512M);
    expect(mb.memblockFreeAll(sink, limitPfn)).toBe(pfnDown(SZ_512M));
    expect(Math.max(...sink.freed.map(([pfn, o]) => pfn + 2 ** o))).toBe(limitPfn);
  });

  it("starts blocks at pfn 0 with order 10 (__ffs(0) is 64 on arm64)", () => {
    const mb = validating(new Memblock(new KernelLog()));
    mb.memblockAdd(0, SZ_8K * 1024);
    const sink = new RecordingBootPageSink();
    expect(mb.memblockFreeAll(sink)).toBe(2048);
    expect(sink.freed).toEqual([[0, 10], [1024, 10]]);
  });

  it("memblockFreeLate frees page by page to the sink", () => {
    const mb = board();
    const sink = new RecordingBootPageSink();
    expect(mb.memblockFreeLate(RAM + 0x800, SZ_8K + SZ_4K, sink)).toBe(2);
    expect(sink.freed).toEqual([[pfnUp(RAM + 0x800), 0], [pfnUp(RAM + 0x800) + 1, 0]]);
  });
});

describe("bad input (ArgumentError at the API edge)", () => {
  const mb = newTestMemblock();

  it.each([
    ["memblockAdd", () => mb.memblockAdd(Number.NaN, SZ_4K), "memblock.memblockAdd: base: expected an integer in [0, 2^53), got NaN (not an integer)"],
    ["memblockAdd", () => mb.memblockAdd(SZ_4K, -1), "memblock.memblockAdd: size: expected an integer in [0, 2^53), got -1"],
    ["memblockReserve", () => mb.memblockReserve(1.5, SZ_4K), "memblock.memblockReserve: base: expected an integer in [0, 2^53), got 1.5 (not an integer)"],
    ["memblockRemove", () => mb.memblockRemove(0, 2 ** 53), "memblock.memblockRemove: size: expected an integer in [0, 2^53), got 9007199254740992"],
    ["memblockPhysFree", () => mb.memblockPhysFree(-4096, 1), "memblock.memblockPhysFree: base: expected an integer in [0, 2^53), got -4096"],
    ["memblockAddNode flags", () => mb.memblockAddNode(0, SZ_4K, 0, 0x10), "memblock.memblockAddNode: flags: expected MEMBLOCK_* bits (mask 0xf), got 16"],
    ["memblockAddNode nid", () => mb.memblockAddNode(0, SZ_4K, MAX_NUMNODES + 1, 0), "memblock.memblockAddNode: nid: expected an integer in [NUMA_NO_NODE (-1), MAX_NUMNODES (16)], got 17"],
    ["memblockAlloc align", () => mb.memblockAlloc(SZ_4K, 3), "memblock.memblockAlloc: align: expected 0 or a power of two, got 3"],
    ["memblockAllocTryNid", () => mb.memblockAllocTryNid(SZ_4K, 0, Number.POSITIVE_INFINITY, 0, NUMA_NO_NODE), "memblock.memblockAllocTryNid: minAddr: expected an integer in [0, 2^53), got Infinity (not an integer)"],
    ["memblockTrimMemory", () => mb.memblockTrimMemory(0), "memblock.memblockTrimMemory: align: expected a power of two, got 0"],
    ["memblockSetNode type", () => mb.memblockSetNode(0, 1, new Memblock(new KernelLog()).memory, 0), "memblock.memblockSetNode: type: expected memblock.memory or memblock.reserved of this instance, got memory"],
    ["region", () => mb.region(mb.memory, 128), "memblock.region: i: expected an index in [0, 128), got 128"],
    ["memblockFreeAll", () => mb.memblockFreeAll(new RecordingBootPageSink(), -1), "memblock.memblockFreeAll: maxLowPfn: expected an integer in [0, 2^53), got -1"],
  ])("%s throws ArgumentError naming the function", (_n, call, message) => {
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as ArgumentError).message).toBe(message);
    expectValid(mb);
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.totalSize).toBe(0);
  });

  it("rejects bad constructor configuration", () => {
    expect(() => new Memblock(new KernelLog(), { initMemoryRegions: 1 })).toThrow(ArgumentError);
  });
});

describe("kernel answers to impossible requests", () => {
  it("memblock_add_range returns -ENOMEM past 128 regions before memblock_allow_resize(), silently", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    for (let i = 0; i < 128; i++) expect(mb.memblockAdd(SZ_1G + i * SZ_8K, SZ_4K)).toBe(0);
    expect(mb.memblockAdd(SZ_1G + 128 * SZ_8K, SZ_4K)).toBe(-ENOMEM);
    expect(mb.memory.cnt).toBe(128);
    expect(mb.memory.max).toBe(128);
    expect(log.length).toBe(0);
  });

  it("memblock_double_array fails with pr_err when there is no room for the new array", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockAllowResize();
    for (let i = 0; i < 128; i++) mb.memblockAdd(SZ_1G + i * SZ_8K, SZ_4K);
    mb.memblockReserve(0, PHYS_ADDR_MAX); // everything is reserved
    expect(mb.memblockAdd(SZ_1G + 128 * SZ_8K, SZ_4K)).toBe(-ENOMEM);
    expect(texts(log)).toEqual(["memblock: Failed to double memory array from 128 to 256 entries !"]);
  });

  it("memblock_isolate_range returns -ENOMEM (remove, mark, free) when the two extra regions do not fit", () => {
    const mb = newTestMemblock();
    for (let i = 0; i < 127; i++) mb.memblockAdd(SZ_1G + i * SZ_8K, SZ_4K);
    expect(mb.memblockRemove(SZ_1G + 0x800, 0x800)).toBe(-ENOMEM);
    expect(mb.memblockMarkNomap(SZ_1G + 0x800, 0x800)).toBe(-ENOMEM);
    expect(mb.memory.cnt).toBe(127);
  });

  it("freeing a range that was never reserved changes nothing and returns 0; memblock_dbg logs it only with memblock=debug", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockReserve(SZ_1G, SZ_4K);
    expect(mb.memblockPhysFree(SZ_2M, SZ_4K)).toBe(0);
    mb.memblockFree(SZ_2M, SZ_4K);
    expect(regions(mb, "reserved")).toEqual([[SZ_1G, SZ_4K, 0, MAX_NUMNODES]]);
    expect(log.length).toBe(0);
    mb.memblockDebug = true;
    expect(mb.memblockPhysFree(SZ_2M, SZ_4K, "free_initmem+0x1c/0x64")).toBe(0);
    expect(texts(log)).toEqual(["memblock_phys_free: [0x0000000000200000-0x0000000000200fff] free_initmem+0x1c/0x64"]);
  });

  it("memblock_free(NULL) does nothing", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockDebug = true;
    mb.memblockFree(0, SZ_4K);
    expect(log.length).toBe(0);
  });

  it("a failed allocation returns 0 (NULL) and prints nothing (6.1's memblock_alloc*() has no pr_err of its own)", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockAdd(SZ_1G, SZ_4K);
    expect(mb.memblockAlloc(SZ_8K, SMP_CACHE_BYTES)).toBe(0);
    expect(mb.memblockPhysAlloc(SZ_8K, SMP_CACHE_BYTES)).toBe(0);
    expect(log.length).toBe(0);
  });

  it("an overlapping add with other flags WARNs and inserts only the uncovered parts with the new flags", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockAddNode(SZ_1G + SZ_1M, SZ_1M, 0, MEMBLOCK_HOTPLUG);
    mb.memblockAddNode(SZ_1G, SZ_4M, 0, MEMBLOCK_NONE);
    expect(regions(mb, "memory")).toEqual([
      [SZ_1G, SZ_1M, 0, 0],
      [SZ_1G + SZ_1M, SZ_1M, MEMBLOCK_HOTPLUG, 0],
      [SZ_1G + SZ_2M, SZ_2M, 0, 0],
    ]);
    /* WARN_ON(flags != rgn->flags) in memblock_add_range(), once per pass (the insert pass only: room was enough) */
    expect(texts(log)).toEqual([
      "------------[ cut here ]------------",
      "WARNING: CPU: 0 PID: 0 at mm/memblock.c:637 memblock_add_range",
      "---[ end trace 0000000000000000 ]---",
    ]);
  });

  it("MAX_NUMNODES as nid WARNs once (deprecated) and means NUMA_NO_NODE", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockAdd(SZ_1G, SZ_1M);
    const a = mb.memblockAllocRangeNid(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ANYWHERE, MAX_NUMNODES, false);
    const b = mb.memblockAllocRangeNid(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ANYWHERE, MAX_NUMNODES, false);
    expect(a).toBe(SZ_1G + SZ_1M - SZ_4K);
    expect(b).toBe(a - SZ_4K);
    expect(texts(log)).toEqual([
      "------------[ cut here ]------------",
      "Usage of MAX_NUMNODES is deprecated. Use NUMA_NO_NODE instead",
      "WARNING: CPU: 0 PID: 0 at mm/memblock.c:1381 memblock_alloc_range_nid",
      "---[ end trace 0000000000000000 ]---",
    ]);
    /* the iterator's own WARN_ONCE is another call site */
    Array.from(mb.forEachFreeMemRange(MAX_NUMNODES));
    expect(texts(log).filter((t) => t.includes("__next_mem_range"))).toEqual(["WARNING: CPU: 0 PID: 0 at mm/memblock.c:1051 __next_mem_range"]);
  });

  it("align 0 dumps the stack and aligns to SMP_CACHE_BYTES (64 on arm64)", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockAdd(SZ_1G, SZ_1M);
    expect(mb.memblockAlloc(24, 0)).toBe(SZ_1G + SZ_1M - 64);
    expect(texts(log)[0]).toMatch(/^CPU: 0 PID: 0 Comm: swapper/);
    expect(texts(log)).toContain(" memblock_alloc_range_nid");
  });
});

describe("allocation policy", () => {
  it("never allocates the first page, top-down or bottom-up", () => {
    const mb = newTestMemblock();
    mb.memblockAdd(0, SZ_8K);
    mb.memblockSetBottomUp(true);
    expect(mb.memblockPhysAlloc(SZ_4K, SZ_4K)).toBe(SZ_4K);
    expect(mb.memblockPhysAlloc(SZ_4K, SZ_4K)).toBe(0);
    expect(mb.memblockIsReserved(0)).toBe(false);
  });

  it("respects memblock.current_limit for MEMBLOCK_ALLOC_ACCESSIBLE, and memblock_alloc_low's ARCH_LOW_ADDRESS_LIMIT", () => {
    const mb = validating(new Memblock(new KernelLog()));
    mb.memblockAdd(0x40000000, 0x100000000); // 1 GiB .. 5 GiB
    mb.memblockSetCurrentLimit(0x80000000);
    expect(mb.memblockGetCurrentLimit()).toBe(0x80000000);
    expect(mb.memblockAlloc(SZ_4K, SZ_4K)).toBe(0x80000000 - SZ_4K);
    expect(mb.memblockPhysAllocRange(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ANYWHERE)).toBe(0x140000000 - SZ_4K);
    mb.memblockSetCurrentLimit(MEMBLOCK_ALLOC_ANYWHERE);
    /* ARCH_LOW_ADDRESS_LIMIT is 0xffffffff (arm64_dma_phys_limit - 1) and is used as an end: the last page below 4 GiB is not taken */
    expect(mb.memblockAllocLow(SZ_4K, SZ_4K)).toBe(0x100000000 - 2 * SZ_4K);
  });

  it("falls back from a full node to any node unless exact_nid", () => {
    const mb = newTestMemblock();
    mb.memblockAddNode(SZ_1G, SZ_1M, 0, 0);
    mb.memblockAddNode(SZ_1G + SZ_1M, SZ_1M, 1, 0);
    expect(mb.memblockAllocNode(SZ_2M, SZ_4K, 0)).toBe(0);
    expect(mb.memblockAllocNode(SZ_64K, SZ_4K, 0)).toBe(SZ_1G + SZ_1M - SZ_64K);
    mb.memblockReserve(SZ_1G, SZ_1M);
    expect(mb.memblockAllocExactNidRaw(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ANYWHERE, 0)).toBe(0);
    expect(mb.memblockPhysAllocTryNid(SZ_4K, SZ_4K, 0)).toBe(SZ_1G + SZ_2M - SZ_4K);
  });

  it("prefers mirrored memory with kernelcore=mirror, and warns when it falls back", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockAdd(SZ_1G, SZ_4M);
    expect(mb.memblockMarkMirror(SZ_1G, SZ_1M)).toBe(0);
    expect(regions(mb, "memory")).toEqual([[SZ_1G, SZ_4M, 0, MAX_NUMNODES]]); // no kernelcore=mirror: no-op
    mb.mirroredKernelcore = true;
    mb.memblockMarkMirror(SZ_1G, SZ_1M);
    expect(mb.region(mb.memory, 0).flags).toBe(MEMBLOCK_MIRROR);
    expect(mb.memblockAlloc(SZ_64K, SZ_4K)).toBe(SZ_1G + SZ_1M - SZ_64K);
    expect(log.length).toBe(0);
    expect(mb.memblockAlloc(SZ_2M, SZ_4K)).toBe(SZ_1G + SZ_4M - SZ_2M);
    expect(texts(log)).toEqual(["Could not allocate 0x0000000000200000 bytes of mirrored memory"]);
  });

  it("skips HOTPLUG memory with movable_node, NOMAP and DRIVER_MANAGED memory always", () => {
    const mb = newTestMemblock();
    mb.memblockAddNode(SZ_1G, SZ_1M, 0, 0);
    mb.memblockAddNode(SZ_1G + SZ_1M, SZ_1M, 0, MEMBLOCK_HOTPLUG);
    mb.memblockAddNode(SZ_1G + SZ_2M, SZ_1M, 0, MEMBLOCK_NOMAP);
    mb.memblockAddNode(SZ_1G + SZ_2M + SZ_1M, SZ_1M, 0, MEMBLOCK_DRIVER_MANAGED);
    expect(mb.memblockPhysAlloc(SZ_4K, SZ_4K)).toBe(SZ_1G + SZ_2M - SZ_4K);
    mb.movableNode = true;
    expect(mb.memblockPhysAlloc(SZ_4K, SZ_4K)).toBe(SZ_1G + SZ_1M - SZ_4K);
    expect(mb.memblockFindInRangeNode(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ANYWHERE, NUMA_NO_NODE, MEMBLOCK_NOMAP)).toBe(SZ_1G + SZ_2M + SZ_1M - SZ_4K);
  });

  it("memblock_alloc_try_nid drops min_addr when nothing fits above it", () => {
    const mb = newTestMemblock();
    mb.memblockAdd(SZ_1G, SZ_1M);
    expect(mb.memblockAllocFrom(SZ_4K, SZ_4K, SZ_1G + SZ_1M)).toBe(SZ_1G + SZ_1M - SZ_4K);
  });
});

describe("limits: mem=, cap, trim", () => {
  it("memblock_enforce_memory_limit (mem=512M) truncates memory and reserved", () => {
    const mb = board();
    mb.memblockReserve(RAM + SZ_128M, SZ_1M);
    mb.memblockReserve(RAM + SZ_512M - SZ_1M, SZ_2M);
    mb.memblockReserve(RAM + SZ_1G - SZ_1M, SZ_1M);
    mb.memblockEnforceMemoryLimit(SZ_512M);
    expect(regions(mb, "memory")).toEqual([[RAM, SZ_512M, 0, MAX_NUMNODES]]);
    expect(regions(mb, "reserved")).toEqual([[RAM + SZ_128M, SZ_1M, 0, MAX_NUMNODES], [RAM + SZ_512M - SZ_1M, SZ_1M, 0, MAX_NUMNODES]]);
    expect(mb.memblockPhysMemSize()).toBe(SZ_512M);
    expect(mb.memblockEndOfDRAM()).toBe(RAM + SZ_512M);
  });

  it("mem= counts memory across holes, and does nothing when 0 or larger than memory", () => {
    const mb = newTestMemblock();
    mb.memblockAdd(SZ_1G, SZ_1M);
    mb.memblockAdd(SZ_1G + SZ_4M, SZ_4M);
    mb.memblockEnforceMemoryLimit(0);
    mb.memblockEnforceMemoryLimit(SZ_16M);
    expect(mb.memblockPhysMemSize()).toBe(SZ_1M + SZ_4M);
    mb.memblockEnforceMemoryLimit(SZ_2M);
    expect(regions(mb, "memory")).toEqual([[SZ_1G, SZ_1M, 0, MAX_NUMNODES], [SZ_1G + SZ_4M, SZ_1M, 0, MAX_NUMNODES]]);
  });

  it("memblock_cap_memory_range keeps NOMAP regions outside the range", () => {
    const mb = board();
    mb.memblockMarkNomap(RAM + SZ_1G - SZ_2M, SZ_1M);
    mb.memblockReserve(RAM, SZ_1M);
    mb.memblockReserve(RAM + SZ_512M, SZ_1M);
    mb.memblockCapMemoryRange(RAM + SZ_128M, SZ_128M);
    expect(regions(mb, "memory")).toEqual([
      [RAM + SZ_128M, SZ_128M, 0, MAX_NUMNODES],
      [RAM + SZ_1G - SZ_2M, SZ_1M, MEMBLOCK_NOMAP, MAX_NUMNODES],
    ]);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(0);
  });

  it("memblock_cap_memory_range leaves split NOMAP pieces unmerged, as 6.1 does (validate accepts them)", () => {
    const mb = board();
    mb.memblockMarkNomap(RAM, SZ_2M);
    mb.memblockCapMemoryRange(RAM + SZ_1M, SZ_1G);
    expect(regions(mb, "memory")).toEqual([
      [RAM, SZ_1M, MEMBLOCK_NOMAP, MAX_NUMNODES],
      [RAM + SZ_1M, SZ_1M, MEMBLOCK_NOMAP, MAX_NUMNODES],
      [RAM + SZ_2M, SZ_1G - SZ_2M, 0, MAX_NUMNODES],
    ]);
  });

  it("memblock_cap_memory_range warns when there is no memory yet", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockCapMemoryRange(0, SZ_1M);
    expect(texts(log)).toEqual(["memblock_cap_memory_range: No memory registered yet"]);
  });

  it("memblock_mem_limit_remove_map keeps NOMAP memory above the limit", () => {
    const mb = board();
    mb.memblockMarkNomap(RAM + SZ_1G - SZ_1M, SZ_1M);
    mb.memblockMemLimitRemoveMap(SZ_512M);
    expect(regions(mb, "memory")).toEqual([
      [RAM, SZ_512M, 0, MAX_NUMNODES],
      [RAM + SZ_1G - SZ_1M, SZ_1M, MEMBLOCK_NOMAP, MAX_NUMNODES],
    ]);
  });

  it("memblock_trim_memory keeps total_size exact (mmsim; 6.1 leaves it stale)", () => {
    const mb = newTestMemblock();
    mb.memblockAdd(SZ_1G + 0x800, SZ_8K);
    mb.memblockTrimMemory(SZ_4K);
    expect(regions(mb, "memory")).toEqual([[SZ_1G + SZ_4K, SZ_4K, 0, MAX_NUMNODES]]);
    expect(mb.memblockPhysMemSize()).toBe(SZ_4K);
  });
});

describe("flags, nodes, queries, iteration", () => {
  it("marks and clears flags by isolating and re-merging", () => {
    const mb = board();
    mb.memblockMarkHotplug(RAM + SZ_1M, SZ_1M);
    mb.memblockMarkNomap(RAM + SZ_1M + SZ_64K, SZ_64K);
    expect(regions(mb, "memory")).toEqual([
      [RAM, SZ_1M, 0, MAX_NUMNODES],
      [RAM + SZ_1M, SZ_64K, MEMBLOCK_HOTPLUG, MAX_NUMNODES],
      [RAM + SZ_1M + SZ_64K, SZ_64K, MEMBLOCK_HOTPLUG | MEMBLOCK_NOMAP, MAX_NUMNODES],
      [RAM + SZ_1M + 2 * SZ_64K, SZ_1M - 2 * SZ_64K, MEMBLOCK_HOTPLUG, MAX_NUMNODES],
      [RAM + SZ_2M, SZ_1G - SZ_2M, 0, MAX_NUMNODES],
    ]);
    expect(mb.memblockIsMapMemory(RAM + SZ_1M + SZ_64K)).toBe(false);
    expect(mb.memblockIsMemory(RAM + SZ_1M + SZ_64K)).toBe(true);
    mb.memblockClearNomap(RAM, SZ_1G);
    mb.memblockClearHotplug(RAM, SZ_1G);
    expect(regions(mb, "memory")).toEqual([[RAM, SZ_1G, 0, MAX_NUMNODES]]);
  });

  it("memblock_set_node splits at the edges and merges equal neighbours", () => {
    const mb = board();
    mb.memblockSetNode(RAM, SZ_512M, mb.memory, 0);
    mb.memblockSetNode(RAM + SZ_512M, SZ_512M, mb.memory, 1);
    expect(regions(mb, "memory")).toEqual([[RAM, SZ_512M, 0, 0], [RAM + SZ_512M, SZ_512M, 0, 1]]);
    mb.memblockSetNode(RAM + SZ_512M, SZ_512M, mb.memory, 0);
    expect(regions(mb, "memory")).toEqual([[RAM, SZ_1G, 0, 0]]);
    expect(mb.memblockSearchPfnNid(pfnDown(RAM + SZ_128M))).toEqual({ nid: 0, startPfn: pfnDown(RAM), endPfn: pfnDown(RAM + SZ_1G) });
    expect(mb.memblockSearchPfnNid(0)).toBeUndefined();
    expect([...mb.forEachMemPfnRange()]).toEqual([{ startPfn: pfnDown(RAM), endPfn: pfnDown(RAM + SZ_1G), nid: 0 }]);
  });

  it("answers the queries of memblock.h", () => {
    const mb = board();
    mb.memblockReserve(RAM + SZ_4M, SZ_1M);
    expect(mb.memblockStartOfDRAM()).toBe(RAM);
    expect(mb.memblockEndOfDRAM()).toBe(RAM + SZ_1G);
    expect(mb.memblockPhysMemSize()).toBe(SZ_1G);
    expect(mb.memblockReservedSize()).toBe(SZ_1M);
    expect(mb.memblockIsMemory(RAM - 1)).toBe(false);
    expect(mb.memblockIsMemory(RAM)).toBe(true);
    expect(mb.memblockIsMemory(RAM + SZ_1G)).toBe(false);
    expect(mb.memblockIsReserved(RAM + SZ_4M + SZ_1M - 1)).toBe(true);
    expect(mb.memblockIsReserved(RAM + SZ_4M + SZ_1M)).toBe(false);
    expect(mb.memblockIsRegionMemory(RAM + SZ_1G - SZ_4K, SZ_4K)).toBe(true);
    expect(mb.memblockIsRegionMemory(RAM + SZ_1G - SZ_4K, SZ_8K)).toBe(false);
    expect(mb.memblockIsRegionReserved(RAM, SZ_4M)).toBe(false);
    expect(mb.memblockIsRegionReserved(RAM, SZ_4M + 1)).toBe(true);
    expect(mb.memblockIsRegionReserved(RAM + SZ_4M, PHYS_ADDR_MAX)).toBe(true);
    expect(mb.memblockOverlapsRegion(mb.memory, 0, RAM)).toBe(false);
    expect(Memblock.memblockAddrsOverlap(0, 2, 1, 1)).toBe(true);
  });

  it("walks free, reserved and memory ranges in both directions", () => {
    const mb = board();
    mb.memblockReserve(RAM, SZ_1M);
    mb.memblockReserve(RAM + SZ_4M, SZ_1M);
    mb.memblockMarkNomap(RAM + SZ_512M, SZ_1M);
    const free = [...mb.forEachFreeMemRange()].map((r) => [r.start, r.end]);
    expect(free).toEqual([
      [RAM + SZ_1M, RAM + SZ_4M],
      [RAM + SZ_4M + SZ_1M, RAM + SZ_512M],
      [RAM + SZ_512M + SZ_1M, RAM + SZ_1G],
    ]);
    expect([...mb.forEachFreeMemRange(NUMA_NO_NODE, MEMBLOCK_NONE, true)].map((r) => [r.start, r.end])).toEqual([...free].reverse());
    expect([...mb.forEachReservedMemRange()].map((r) => [r.start, r.end])).toEqual([[RAM, RAM + SZ_1M], [RAM + SZ_4M, RAM + SZ_4M + SZ_1M]]);
    expect([...mb.forEachMemRange()].map((r) => [r.start, r.end])).toEqual([[RAM, RAM + SZ_512M], [RAM + SZ_512M + SZ_1M, RAM + SZ_1G]]);
  });
});

describe("memblock=debug", () => {
  it("prints memblock_dbg lines in 6.1's formats", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockDebug = true;
    mb.memblockAdd(RAM, SZ_1G, "early_init_dt_add_memory_arch+0x54/0x5c");
    mb.memblockAddNode(RAM + SZ_1G, SZ_1M, 1, MEMBLOCK_HOTPLUG | MEMBLOCK_NOMAP);
    mb.memblockReserve(RAM, SZ_64K);
    mb.memblockRemove(RAM + SZ_1G, SZ_1M);
    mb.memblockPhysAllocRange(SZ_4K, SZ_4K, 0, MEMBLOCK_ALLOC_ANYWHERE);
    mb.memblockAlloc(64, 64, "setup_arch+0x1c0/0x5d8");
    mb.memblockAllocExactNidRaw(64, 64, 0, 0, 0);
    expect(texts(log)).toEqual([
      "memblock_add: [0x0000000040000000-0x000000007fffffff] early_init_dt_add_memory_arch+0x54/0x5c",
      "memblock_add_node: [0x0000000080000000-0x00000000800fffff] nid=1 flags=5",
      "memblock_reserve: [0x0000000040000000-0x000000004000ffff]",
      "memblock_remove: [0x0000000080000000-0x00000000800fffff]",
      "memblock_phys_alloc_range: 4096 bytes align=0x1000 from=0x0000000000000000 max_addr=0xffffffffffffffff",
      "memblock_reserve: [0x000000007ffff000-0x000000007fffffff] memblock_alloc_range_nid+0xe8/0x17c",
      "memblock_alloc_try_nid: 64 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 setup_arch+0x1c0/0x5d8",
      "memblock_reserve: [0x000000007fffefc0-0x000000007fffefff] memblock_alloc_range_nid+0xe8/0x17c",
      "memblock_alloc_exact_nid_raw: 64 bytes align=0x40 nid=0 from=0x0000000000000000 max_addr=0x0000000000000000",
    ]);
  });

  it("prints a ULLONG_MAX size (PHYS_ADDR_MAX) as the kernel does: the end wraps like u64", () => {
    const log = new KernelLog();
    const mb = board(log);
    mb.memblockDebug = true;
    // arm64_memblock_init's two removes, as the reference build logs them (the 256 MiB capture with memblock=debug)
    expect(mb.memblockRemove(2 ** 48, PHYS_ADDR_MAX, "arm64_memblock_init+0x38/0x260")).toBe(0);
    expect(mb.memblockRemove(0x800040000000, PHYS_ADDR_MAX, "arm64_memblock_init+0x9c/0x260")).toBe(0);
    expect(texts(log)).toEqual([
      "memblock_remove: [0x0001000000000000-0x0000fffffffffffe] arm64_memblock_init+0x38/0x260",
      "memblock_remove: [0x0000800040000000-0x000080003ffffffe] arm64_memblock_init+0x9c/0x260",
    ]);
    expect(regions(mb, "memory")).toEqual([[RAM, SZ_1G, 0, MAX_NUMNODES]]);
  });

  it("logs the array doubling, and frees the previous array when it was not the static one", () => {
    const log = new KernelLog();
    const mb = newTestMemblock(log);
    mb.memblockAdd(SZ_1G, SZ_4M);
    mb.memblockAllowResize();
    for (let i = 0; i < 128; i++) mb.memblockReserve(SZ_1G + i * SZ_8K, SZ_4K);
    mb.memblockDebug = true;
    mb.memblockReserve(SZ_1G + 128 * SZ_8K, SZ_4K);
    expect(texts(log)).toEqual([
      "memblock_reserve: [0x0000000040100000-0x0000000040100fff]",
      "memblock: reserved is doubled to 256 at [0x00000000403fe000-0x00000000403ff7ff]",
      "memblock_reserve: [0x00000000403fe000-0x00000000403fffff] memblock_double_array",
    ]);
    for (let i = 129; i < 255; i++) mb.memblockReserve(SZ_1G + i * SZ_8K, SZ_4K);
    expect(mb.reserved.cnt).toBe(256);
    const from = log.length;
    mb.memblockReserve(SZ_1G + 255 * SZ_8K, SZ_4K);
    expect(texts(log).slice(from)).toEqual([
      "memblock_reserve: [0x00000000401fe000-0x00000000401fefff]",
      "memblock: reserved is doubled to 512 at [0x00000000403fb000-0x00000000403fdfff]",
      "memblock_phys_free: [0x00000000403fe000-0x00000000403fffff] memblock_free",
      "memblock_reserve: [0x00000000403fb000-0x00000000403fdfff] memblock_double_array",
    ]);
    expect(mb.reserved.max).toBe(512);
    expect(mb.reserved.regionsAddr).toBe(0x403fb000);
    expect(mb.memblockIsReserved(0x403fe000)).toBe(false);
  });

  it("memblock_dump_all prints the MEMBLOCK configuration only with memblock=debug", () => {
    const log = new KernelLog();
    const mb = board(log);
    mb.memblockSetNode(RAM, SZ_1G, mb.memory, 0);
    mb.memblockReserve(0x40210000, 0x1ffb000);
    mb.memblockDumpAll();
    expect(log.length).toBe(0);
    mb.memblockDebug = true;
    mb.memblockDumpAll();
    expect(log.dmesg()).toBe(
      [
        "[    0.000000] MEMBLOCK configuration:",
        "[    0.000000]  memory size = 0x0000000040000000 reserved size = 0x0000000001ffb000",
        "[    0.000000]  memory.cnt  = 0x1",
        "[    0.000000]  memory[0x0]\t[0x0000000040000000-0x000000007fffffff], 0x0000000040000000 bytes on node 0 flags: 0x0",
        "[    0.000000]  reserved.cnt  = 0x1",
        "[    0.000000]  reserved[0x0]\t[0x0000000040210000-0x000000004220afff], 0x0000000001ffb000 bytes flags: 0x0",
        "",
      ].join("\n"),
    );
  });
});

describe("validate()", () => {
  it("reports broken invariants without throwing", () => {
    const mb = new Memblock(new KernelLog());
    mb.memblockAdd(SZ_1G, SZ_1M);
    mb.memblockAdd(SZ_1G + SZ_2M, SZ_1M);
    mb.memory.base[1] = SZ_1G + SZ_1M; // adjacent, same flags/nid: should have been merged
    mb.memory.flags[0] = 0x40;
    mb.memory.totalSize += 1;
    const sink = new CollectingSink();
    mb.validate(sink);
    expect(sink.problems.map((p) => p.problem)).toEqual([
      "unknown flag bits 0x40",
      `total_size ${2 * SZ_1M + 1} != sum of sizes ${2 * SZ_1M}`,
    ]);
    mb.memory.flags[0] = 0;
    const sink2 = new CollectingSink();
    mb.validate(sink2);
    expect(sink2.problems.map((p) => p.problem)).toContain("adjacent to the next region with the same flags and nid, not merged");
    mb.memory.base[1] = SZ_1G;
    const sink3 = new CollectingSink();
    mb.validate(sink3);
    expect(sink3.problems.map((p) => p.problem)[0]).toMatch(/overlaps the next region/);
  });
});

describe("DI (memblockModule)", () => {
  it("registers Memblock ContainerScoped under MEMBLOCK in a child container, never in the root", () => {
    const a = container.createChildContainer();
    const b = container.createChildContainer();
    for (const c of [a, b]) {
      c.register(KERNEL_LOG, { useValue: new KernelLog() });
      memblockModule.register(c);
    }
    const ma = a.resolve<Memblock>(MEMBLOCK);
    expect(ma).toBeInstanceOf(Memblock);
    expect(a.resolve<Memblock>(MEMBLOCK)).toBe(ma);
    expect(b.resolve<Memblock>(MEMBLOCK)).not.toBe(ma);
    expect(container.isRegistered(MEMBLOCK, false)).toBe(false);
    expect(memblockModule.slot).toBe("memblock");
    expect(memblockModule.name).toBe("memblock");
    /* the resolved instance uses the container's KernelLog */
    ma.memblockCapMemoryRange(0, 1);
    expect(a.resolve<KernelLog>(KERNEL_LOG).all().map((r) => r.text)).toEqual(["memblock_cap_memory_range: No memory registered yet"]);
    expect(ma.memory.max).toBe(INIT_MEMBLOCK_MEMORY_REGIONS);
  });

  it("contributes early_param(\"memblock\"): a value containing debug turns memblock_debug on for that machine only", () => {
    const a = container.createChildContainer();
    const b = container.createChildContainer();
    for (const c of [a, b]) {
      c.register(KERNEL_LOG, { useValue: new KernelLog() });
      memblockModule.register(c);
    }
    const params = a.resolveAll<KernelParam>(KernelParam);
    expect(params.map((p) => [p.str, p.early])).toEqual([["memblock", true]]);
    const log = new KernelLog();
    parseEarlyParam("console=ttyAMA0 memblock=init memblock", params, log);
    expect(a.resolve<Memblock>(MEMBLOCK).memblockDebug).toBe(false);
    parseEarlyParam("memblock=nodebug-really", params, log); // strstr(p, "debug"), as 6.1
    expect(a.resolve<Memblock>(MEMBLOCK).memblockDebug).toBe(true);
    expect(b.resolve<Memblock>(MEMBLOCK).memblockDebug).toBe(false);
    expect(log.length).toBe(0);
    const mb = new Memblock(new KernelLog());
    expect([earlyMemblock(mb, undefined), mb.memblockDebug, earlyMemblock(mb, "debug"), mb.memblockDebug]).toEqual([0, false, 0, true]);
  });
});

describe("determinism", () => {
  function run(): { mem: unknown; res: unknown; log: string; allocs: number[] } {
    const log = new KernelLog();
    const mb = validating(new Memblock(log, { initMemoryRegions: 16, initReservedRegions: 16 }));
    mb.memblockDebug = true;
    mb.memblockAdd(RAM, SZ_1G);
    mb.memblockAllowResize();
    const allocs: number[] = [];
    let x = 12345;
    for (let i = 0; i < 300; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const size = 16 + (x % 8000);
      if (i % 3 === 0) mb.memblockSetBottomUp(!mb.bottomUp);
      allocs.push(mb.memblockAlloc(size, 2 ** (x % 13)));
      if (i % 7 === 0 && allocs.length > 2) mb.memblockFree(allocs[allocs.length - 2]!, 16);
      if (i % 11 === 0) mb.memblockReserve(RAM + (x % 1000) * SZ_4M, SZ_4K * (1 + (x % 5)));
    }
    return { mem: regions(mb, "memory"), res: regions(mb, "reserved"), log: log.dmesg(), allocs };
  }

  it("gives identical arrays, results and log for the same sequence of calls", () => {
    const a = run();
    const b = run();
    expect(b).toEqual(a);
    expect(a.allocs.every((p) => p !== 0)).toBe(true);
  });
});
