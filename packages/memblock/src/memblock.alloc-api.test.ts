// Kernel: tools/testing/memblock/tests/alloc_api.c (v6.1) — ported to vitest
/*
 * Every test of 6.1's alloc_api.c, run as the C suite runs them: once through memblock_alloc()
 * and once through memblock_alloc_raw() (TEST_F_RAW), each top-down and bottom-up. Names are
 * the kernel's; the generic checks run through run_top_down()/run_bottom_up() carry a
 * "top-down: " / "bottom-up: " prefix as the C suite's verbose output does. mmsim returns
 * physical addresses (0 is NULL) and does not model memory contents, so assert_mem_content()
 * is dropped.
 */
import { describe, expect, it } from "vitest";
import { SZ_16, SZ_1K, SZ_256, SZ_512, SZ_64, SZ_8, SZ_128 } from "./sizes.test-helpers.ts";
import { expectValid } from "@mmsim/core/testing";
import type { Memblock } from "./memblock.ts";
import { MEM_SIZE, SMP_CACHE_BYTES, newTestMemblock, setupMemblock } from "./common.test-helpers.ts";

const SZ_2 = 2;

type AllocFn = (mb: Memblock, size: number, align: number) => number;

const variants: [string, AllocFn][] = [
  ["memblock_alloc", (mb, size, align) => mb.memblockAlloc(size, align)],
  ["memblock_alloc_raw", (mb, size, align) => mb.memblockAllocRaw(size, align)],
];

function res(mb: Memblock, i: number): { base: number; size: number } {
  const r = mb.region(mb.reserved, i);
  return { base: r.base, size: r.size };
}

/** A fresh memblock with the allocation direction set, then setup_memblock(). */
function setup(bottomUp: boolean): Memblock {
  const mb = newTestMemblock();
  mb.memblockSetBottomUp(bottomUp);
  setupMemblock(mb);
  return mb;
}

describe.each(variants)("%s (alloc_api.c)", (_name, runMemblockAlloc) => {
  it("alloc_top_down_simple_check", () => {
    const mb = setup(false);
    const size = SZ_2;
    const expectedStart = mb.memblockEndOfDRAM() - SMP_CACHE_BYTES;
    const allocated = runMemblockAlloc(mb, size, SMP_CACHE_BYTES);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: expectedStart, size });
    expect(allocated).toBe(expectedStart);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_top_down_disjoint_check", () => {
    const mb = setup(false);
    const r2Size = SZ_16;
    const alignment = SMP_CACHE_BYTES * 2;
    const r1 = { base: mb.memblockEndOfDRAM() - SZ_2, size: SZ_2 };
    const totalSize = r1.size + r2Size;
    const expectedStart = mb.memblockEndOfDRAM() - alignment;
    mb.memblockReserve(r1.base, r1.size);
    const allocated = runMemblockAlloc(mb, r2Size, alignment);
    expect(allocated).not.toBe(0);
    expect(res(mb, 1)).toEqual(r1);
    expect(res(mb, 0)).toEqual({ base: expectedStart, size: r2Size });
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_top_down_before_check", () => {
    const mb = setup(false);
    const r1Size = SMP_CACHE_BYTES;
    const r2Size = SZ_512;
    const totalSize = r1Size + r2Size;
    mb.memblockReserve(mb.memblockEndOfDRAM() - totalSize, r1Size);
    const allocated = runMemblockAlloc(mb, r2Size, SMP_CACHE_BYTES);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: mb.memblockEndOfDRAM() - totalSize, size: totalSize });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_top_down_after_check", () => {
    const mb = setup(false);
    const r2Size = SZ_512;
    const r1 = { base: mb.memblockEndOfDRAM() - SMP_CACHE_BYTES, size: SZ_8 };
    const totalSize = r1.size + r2Size;
    mb.memblockReserve(r1.base, r1.size);
    const allocated = runMemblockAlloc(mb, r2Size, SMP_CACHE_BYTES);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: r1.base - r2Size, size: totalSize });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_top_down_second_fit_check", () => {
    const mb = setup(false);
    const r3Size = SZ_1K;
    const r1 = { base: mb.memblockEndOfDRAM() - SZ_512, size: SZ_512 };
    const r2 = { base: r1.base - SZ_512, size: SZ_256 };
    const totalSize = r1.size + r2.size + r3Size;
    mb.memblockReserve(r1.base, r1.size);
    mb.memblockReserve(r2.base, r2.size);
    const allocated = runMemblockAlloc(mb, r3Size, SMP_CACHE_BYTES);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: r2.base - r3Size, size: r2.size + r3Size });
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_bottom_up_simple_check", () => {
    const mb = setup(true);
    const allocated = runMemblockAlloc(mb, SZ_2, SMP_CACHE_BYTES);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: mb.memblockStartOfDRAM(), size: SZ_2 });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(SZ_2);
  });

  it("alloc_bottom_up_disjoint_check", () => {
    const mb = setup(true);
    const r2Size = SZ_16;
    const alignment = SMP_CACHE_BYTES * 2;
    const r1 = { base: mb.memblockStartOfDRAM() + SZ_2, size: SZ_2 };
    const totalSize = r1.size + r2Size;
    const expectedStart = mb.memblockStartOfDRAM() + alignment;
    mb.memblockReserve(r1.base, r1.size);
    const allocated = runMemblockAlloc(mb, r2Size, alignment);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual(r1);
    expect(res(mb, 1)).toEqual({ base: expectedStart, size: r2Size });
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_bottom_up_before_check", () => {
    const mb = setup(true);
    const r1Size = SZ_512;
    const r2Size = SZ_128;
    const totalSize = r1Size + r2Size;
    mb.memblockReserve(mb.memblockStartOfDRAM() + r1Size, r2Size);
    const allocated = runMemblockAlloc(mb, r1Size, SMP_CACHE_BYTES);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: mb.memblockStartOfDRAM(), size: totalSize });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_bottom_up_after_check", () => {
    const mb = setup(true);
    const r2Size = SZ_512;
    const r1 = { base: mb.memblockStartOfDRAM() + SMP_CACHE_BYTES, size: SZ_64 };
    const totalSize = r1.size + r2Size;
    mb.memblockReserve(r1.base, r1.size);
    const allocated = runMemblockAlloc(mb, r2Size, SMP_CACHE_BYTES);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: r1.base, size: totalSize });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_bottom_up_second_fit_check", () => {
    const mb = setup(true);
    const r3Size = SZ_1K;
    const r1 = { base: mb.memblockStartOfDRAM(), size: SZ_512 };
    const r2 = { base: r1.base + r1.size + SZ_512, size: SZ_256 };
    const totalSize = r1.size + r2.size + r3Size;
    mb.memblockReserve(r1.base, r1.size);
    mb.memblockReserve(r2.base, r2.size);
    const allocated = runMemblockAlloc(mb, r3Size, SMP_CACHE_BYTES);
    expect(allocated).not.toBe(0);
    expect(res(mb, 1)).toEqual({ base: r2.base, size: r2.size + r3Size });
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  describe.each([["top-down", false], ["bottom-up", true]] as const)("%s", (_dir, bottomUp) => {
    it("alloc_in_between_generic_check", () => {
      const mb = setup(bottomUp);
      const gapSize = SMP_CACHE_BYTES;
      const r3Size = SZ_64;
      /* regions sized so there is just enough space for the new entry */
      const rgnSize = (MEM_SIZE - (2 * gapSize + r3Size)) / 2;
      const r1 = { size: rgnSize, base: mb.memblockEndOfDRAM() - (gapSize + rgnSize) };
      const r2 = { size: rgnSize, base: mb.memblockStartOfDRAM() + gapSize };
      const totalSize = r1.size + r2.size + r3Size;
      mb.memblockReserve(r1.base, r1.size);
      mb.memblockReserve(r2.base, r2.size);
      const allocated = runMemblockAlloc(mb, r3Size, SMP_CACHE_BYTES);
      expect(allocated).not.toBe(0);
      expect(res(mb, 0)).toEqual({ base: r1.base - r2.size - r3Size, size: totalSize });
      expect(mb.reserved.cnt).toBe(1);
      expect(mb.reserved.totalSize).toBe(totalSize);
    });

    it("alloc_small_gaps_generic_check", () => {
      const mb = setup(bottomUp);
      const regionSize = SZ_1K;
      const gapSize = SZ_256;
      let regionEnd = mb.memblockStartOfDRAM();
      while (regionEnd < mb.memblockEndOfDRAM()) {
        mb.memblockReserve(regionEnd + gapSize, regionSize);
        regionEnd += gapSize + regionSize;
      }
      expect(runMemblockAlloc(mb, regionSize, SMP_CACHE_BYTES)).toBe(0);
      expectValid(mb);
    });

    it("alloc_all_reserved_generic_check", () => {
      const mb = setup(bottomUp);
      /* Simulate full memory */
      mb.memblockReserve(mb.memblockStartOfDRAM(), MEM_SIZE);
      expect(runMemblockAlloc(mb, SZ_256, SMP_CACHE_BYTES)).toBe(0);
    });

    it("alloc_no_space_generic_check", () => {
      const mb = setup(bottomUp);
      const availableSize = SZ_256;
      const reservedSize = MEM_SIZE - availableSize;
      /* Simulate almost-full memory */
      mb.memblockReserve(mb.memblockStartOfDRAM(), reservedSize);
      expect(runMemblockAlloc(mb, SZ_1K, SMP_CACHE_BYTES)).toBe(0);
    });

    it("alloc_limited_space_generic_check", () => {
      const mb = setup(bottomUp);
      const availableSize = SZ_256;
      const reservedSize = MEM_SIZE - availableSize;
      mb.memblockReserve(mb.memblockStartOfDRAM(), reservedSize);
      const allocated = runMemblockAlloc(mb, availableSize, SMP_CACHE_BYTES);
      expect(allocated).not.toBe(0);
      expect(res(mb, 0)).toEqual({ base: mb.memblockStartOfDRAM(), size: MEM_SIZE });
      expect(mb.reserved.cnt).toBe(1);
      expect(mb.reserved.totalSize).toBe(MEM_SIZE);
    });

    it("alloc_no_memory_generic_check", () => {
      const mb = newTestMemblock();
      mb.memblockSetBottomUp(bottomUp);
      expect(runMemblockAlloc(mb, SZ_1K, SMP_CACHE_BYTES)).toBe(0);
      expect(res(mb, 0)).toEqual({ base: 0, size: 0 });
      expect(mb.reserved.totalSize).toBe(0);
    });

    it("alloc_too_large_generic_check", () => {
      const mb = setup(bottomUp);
      expect(runMemblockAlloc(mb, MEM_SIZE + SZ_2, SMP_CACHE_BYTES)).toBe(0);
      expect(res(mb, 0)).toEqual({ base: 0, size: 0 });
      expect(mb.reserved.totalSize).toBe(0);
    });
  });
});
