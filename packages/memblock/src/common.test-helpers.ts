// Kernel: tools/testing/memblock/tests/common.c, common.h (v6.1) — the kernel test suite's harness
/*
 * The kernel's userspace memblock tests build memblock.c with INIT_MEMBLOCK_REGIONS and
 * INIT_MEMBLOCK_RESERVED_REGIONS both 128, register a 16 KiB malloc()ed "dummy physical
 * memory" block, and reset the global arrays between tests. mmsim ports this as:
 *  - newTestMemblock(): a fresh Memblock with 128-entry arrays (the test harness's sizes; the
 *    arm64 defaults are 1024 and 385);
 *  - MEMORY_BASE: the address of the dummy block. The C tests rely on malloc() returning an
 *    address aligned well beyond SMP_CACHE_BYTES * 2, above the first page and above the fake
 *    regions some tests add at 128 KiB; 1 GiB satisfies all of it;
 *  - validating(): a proxy that runs expectValid() after every method call, so each step of a
 *    ported test checks the invariants (STYLE C9, C13).
 * Memory contents are not simulated, so the kernel's assert_mem_content() checks are dropped.
 */
import { CollectingSink, expectValid } from "@mmsim/core/testing";
import { KernelLog, SZ_16K, SZ_1G } from "@mmsim/core";
import { Memblock, MEMBLOCK_HOTPLUG, MEMBLOCK_NONE, type MemblockRegion, type MemblockType } from "./memblock.ts";

/** Kernel: `MEM_SIZE` in tests/common.h. */
export const MEM_SIZE = SZ_16K;
/** Kernel: `NUMA_NODES` in tests/common.h. */
export const NUMA_NODES = 8;
/**
 * SMP_CACHE_BYTES as the kernel tests see it: tools/include/linux/cache.h sets L1_CACHE_SHIFT 5,
 * so the suite's alignments are 32 bytes (arm64's own SMP_CACHE_BYTES, used by memblock.c only
 * for align 0, is 64).
 */
export const SMP_CACHE_BYTES = 32;
/** Kernel: `INIT_MEMBLOCK_REGIONS` of the test harness (tests/common.c). */
export const TEST_INIT_MEMBLOCK_REGIONS = 128;
/** Physical address of the dummy memory block (the C tests use a malloc() address). */
export const MEMORY_BASE = SZ_1G;
/** Kernel: `BASIS` in tests/common.c (node fractions are in 1/10000). */
const BASIS = 10000;

/** Wraps `mb` so that every method call is followed by expectValid(mb). */
export function validating(mb: Memblock): Memblock {
  return new Proxy(mb, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== "function" || prop === "validate" || prop === "region") return v;
      return (...args: unknown[]) => {
        const r: unknown = (v as (...a: unknown[]) => unknown).apply(target, args);
        // The step's description is built only when validate() finds something (tests make tens of thousands of calls).
        const sink = new CollectingSink();
        target.validate(sink);
        if (!sink.ok) expectValid(target, `${String(prop)}(${args.map((a) => (typeof a === "number" ? `0x${a.toString(16)}` : typeof a === "object" ? "…" : String(a))).join(", ")})`);
        return r;
      };
    },
  });
}

/** A fresh memblock as the kernel test harness has it after reset_memblock_regions(). */
export function newTestMemblock(log: KernelLog = new KernelLog()): Memblock {
  return validating(new Memblock(log, { initMemoryRegions: TEST_INIT_MEMBLOCK_REGIONS, initReservedRegions: TEST_INIT_MEMBLOCK_REGIONS }));
}

/** Kernel: `setup_memblock()`: registers the dummy block as memory. */
export function setupMemblock(mb: Memblock): void {
  mb.memblockAdd(MEMORY_BASE, MEM_SIZE);
}

/**
 * Kernel: `setup_numa_memblock()`: splits the dummy block into NUMA_NODES nodes, node i taking
 * nodeFracs[i] / 10000 of it, flagged HOTPLUG unless movable_node is on.
 */
export function setupNumaMemblock(mb: Memblock, nodeFracs: readonly number[]): void {
  let base = MEMORY_BASE;
  const flags = mb.movableNode ? MEMBLOCK_NONE : MEMBLOCK_HOTPLUG;
  for (let i = 0; i < NUMA_NODES; i++) {
    const size = Math.floor((MEM_SIZE * nodeFracs[i]!) / BASIS);
    mb.memblockAddNode(base, size, i, flags);
    base += size;
  }
}

/** Kernel: `region_end()`. */
export function regionEnd(r: MemblockRegion): number {
  return r.base + r.size;
}

/** `&memblock.<type>.regions[i]`, read now (the kernel tests keep a pointer; read it after the step). */
export function rgn(mb: Memblock, type: MemblockType, i: number): MemblockRegion {
  return mb.region(type, i);
}
