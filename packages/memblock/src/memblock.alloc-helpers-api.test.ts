// Kernel: tools/testing/memblock/tests/alloc_helpers_api.c (v6.1) — ported to vitest
/*
 * Every test of 6.1's alloc_helpers_api.c (memblock_alloc_from()). The generic checks run
 * top-down and bottom-up as run_top_down()/run_bottom_up() do. ASSERT_MEM_EQ(…, 0, size) on
 * the contents is dropped (memory contents are not modelled).
 */
import { describe, expect, it } from "vitest";
import type { Memblock } from "./memblock.ts";
import { MEM_SIZE, SMP_CACHE_BYTES, newTestMemblock, setupMemblock } from "./common.test-helpers.ts";
import { SZ_128, SZ_16, SZ_32, SZ_64, SZ_8 } from "./sizes.test-helpers.ts";

const SZ_2 = 2;

function res(mb: Memblock, i: number): { base: number; size: number } {
  const r = mb.region(mb.reserved, i);
  return { base: r.base, size: r.size };
}

function setup(bottomUp: boolean): Memblock {
  const mb = newTestMemblock();
  mb.memblockSetBottomUp(bottomUp);
  setupMemblock(mb);
  return mb;
}

describe("memblock_alloc_from (alloc_helpers_api.c)", () => {
  describe.each([["top-down", false], ["bottom-up", true]] as const)("%s", (_dir, bottomUp) => {
    it("alloc_from_simple_generic_check", () => {
      const mb = setup(bottomUp);
      const size = SZ_16;
      const minAddr = mb.memblockEndOfDRAM() - SMP_CACHE_BYTES;
      const allocated = mb.memblockAllocFrom(size, SMP_CACHE_BYTES, minAddr);
      expect(allocated).toBe(minAddr);
      expect(res(mb, 0)).toEqual({ base: minAddr, size });
      expect(mb.reserved.cnt).toBe(1);
      expect(mb.reserved.totalSize).toBe(size);
    });

    it("alloc_from_misaligned_generic_check", () => {
      const mb = setup(bottomUp);
      const size = SZ_32;
      /* A misaligned address */
      const minAddr = mb.memblockEndOfDRAM() - (SMP_CACHE_BYTES * 2 - 1);
      const allocated = mb.memblockAllocFrom(size, SMP_CACHE_BYTES, minAddr);
      expect(allocated).not.toBe(0);
      expect(res(mb, 0)).toEqual({ base: mb.memblockEndOfDRAM() - SMP_CACHE_BYTES, size });
      expect(mb.reserved.cnt).toBe(1);
      expect(mb.reserved.totalSize).toBe(size);
    });
  });

  it("alloc_from_top_down_high_addr_check", () => {
    const mb = setup(false);
    const size = SZ_32;
    /* The address is too close to the end of the memory */
    const minAddr = mb.memblockEndOfDRAM() - SZ_16;
    const allocated = mb.memblockAllocFrom(size, SMP_CACHE_BYTES, minAddr);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: mb.memblockEndOfDRAM() - SMP_CACHE_BYTES, size });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_from_top_down_no_space_above_check", () => {
    const mb = setup(false);
    const r1Size = SZ_64;
    const r2Size = SZ_2;
    const totalSize = r1Size + r2Size;
    const minAddr = mb.memblockEndOfDRAM() - SMP_CACHE_BYTES * 2;
    /* No space above this address */
    mb.memblockReserve(minAddr, r2Size);
    const allocated = mb.memblockAllocFrom(r1Size, SMP_CACHE_BYTES, minAddr);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: minAddr - r1Size, size: totalSize });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_from_top_down_min_addr_cap_check", () => {
    const mb = setup(false);
    const r1Size = SZ_64;
    const startAddr = mb.memblockStartOfDRAM();
    const minAddr = startAddr - SMP_CACHE_BYTES * 3;
    mb.memblockReserve(startAddr + r1Size, MEM_SIZE - r1Size);
    const allocated = mb.memblockAllocFrom(r1Size, SMP_CACHE_BYTES, minAddr);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: startAddr, size: MEM_SIZE });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(MEM_SIZE);
  });

  it("alloc_from_bottom_up_high_addr_check", () => {
    const mb = setup(true);
    const size = SZ_32;
    /* The address is too close to the end of the memory */
    const minAddr = mb.memblockEndOfDRAM() - SZ_8;
    const allocated = mb.memblockAllocFrom(size, SMP_CACHE_BYTES, minAddr);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: mb.memblockStartOfDRAM(), size });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_from_bottom_up_no_space_above_check", () => {
    const mb = setup(true);
    const r1Size = SZ_64;
    const minAddr = mb.memblockStartOfDRAM() + SZ_128;
    const r2Size = mb.memblockEndOfDRAM() - minAddr;
    /* No space above this address */
    mb.memblockReserve(minAddr - SMP_CACHE_BYTES, r2Size);
    const allocated = mb.memblockAllocFrom(r1Size, SMP_CACHE_BYTES, minAddr);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: mb.memblockStartOfDRAM(), size: r1Size });
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(r1Size + r2Size);
  });

  it("alloc_from_bottom_up_min_addr_cap_check", () => {
    const mb = setup(true);
    const r1Size = SZ_64;
    const startAddr = mb.memblockStartOfDRAM();
    const minAddr = startAddr - SMP_CACHE_BYTES * 3;
    const allocated = mb.memblockAllocFrom(r1Size, SMP_CACHE_BYTES, minAddr);
    expect(allocated).not.toBe(0);
    expect(res(mb, 0)).toEqual({ base: startAddr, size: r1Size });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(r1Size);
  });
});
