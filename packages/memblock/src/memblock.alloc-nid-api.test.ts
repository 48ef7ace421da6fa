// Kernel: tools/testing/memblock/tests/alloc_nid_api.c (v6.1), alloc_exact_nid_api.c (6.2+) — ported to vitest
/*
 * alloc_nid_api.c: every range test and every NUMA test of 6.1, run as the C suite runs them:
 * through memblock_alloc_try_nid() and memblock_alloc_try_nid_raw(), top-down and bottom-up.
 * The NUMA tests need CONFIG_NUMA, which the arm64 configuration mmsim models has.
 *
 * alloc_exact_nid_api.c was added in 6.2, but memblock_alloc_exact_nid_raw() is in 6.1 and
 * unchanged; its NUMA tests are ported here as they pin exact_nid (no fallback to other nodes),
 * and its range tests (alloc_nid_api.c's, run through the exact_nid entry point) too.
 *
 * Dropped: assert_mem_content()/ASSERT_MEM_NE (contents are not modelled).
 */
import { describe, expect, it } from "vitest";
import { type Memblock, type MemblockRegion } from "./memblock.ts";
import { NUMA_NO_NODE } from "@mmsim/core";
import { MEM_SIZE, NUMA_NODES, SMP_CACHE_BYTES, newTestMemblock, regionEnd, setupMemblock, setupNumaMemblock } from "./common.test-helpers.ts";
import { SZ_128, SZ_1K, SZ_256, SZ_512, SZ_64 } from "./sizes.test-helpers.ts";

const SZ_2 = 2;
const SZ_4 = 4;
const SZ_8 = 8;

/** Fractions of MEM_SIZE per node, in basis points (alloc_nid_api.c's node_fractions[]). */
const nodeFractions = [2500, 625, 1250, 1250, 625, 625, 2500, 625];

type AllocNidFn = (mb: Memblock, size: number, align: number, minAddr: number, maxAddr: number, nid: number) => number;

const variants: [string, AllocNidFn][] = [
  ["memblock_alloc_try_nid", (mb, s, a, min, max, nid) => mb.memblockAllocTryNid(s, a, min, max, nid)],
  ["memblock_alloc_try_nid_raw", (mb, s, a, min, max, nid) => mb.memblockAllocTryNidRaw(s, a, min, max, nid)],
];

function res(mb: Memblock, i: number): MemblockRegion {
  return mb.region(mb.reserved, i);
}
function memRgn(mb: Memblock, i: number): MemblockRegion {
  return mb.region(mb.memory, i);
}

function setup(bottomUp: boolean): Memblock {
  const mb = newTestMemblock();
  mb.memblockSetBottomUp(bottomUp);
  setupMemblock(mb);
  return mb;
}

function setupNuma(bottomUp: boolean): Memblock {
  const mb = newTestMemblock();
  mb.memblockSetBottomUp(bottomUp);
  setupNumaMemblock(mb, nodeFractions);
  return mb;
}

const directions = [["top-down", false], ["bottom-up", true]] as const;

/*
 * The range tests use NUMA_NO_NODE, so later kernels also run them through
 * memblock_alloc_exact_nid_raw() (alloc_exact_nid_api.c); so does this port.
 */
const rangeVariants: [string, AllocNidFn][] = [
  ...variants,
  ["memblock_alloc_exact_nid_raw", (mb, s, a, min, max, nid) => mb.memblockAllocExactNidRaw(s, a, min, max, nid)],
];

describe.each(rangeVariants)("%s range tests (alloc_nid_api.c)", (_name, run) => {
  it("alloc_try_nid_top_down_simple_check", () => {
    const mb = setup(false);
    const size = SZ_128;
    const minAddr = mb.memblockStartOfDRAM() + SMP_CACHE_BYTES * 2;
    const maxAddr = minAddr + SZ_512;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    const r = res(mb, 0);
    expect(p).not.toBe(0);
    expect(r.size).toBe(size);
    expect(r.base).toBe(maxAddr - size);
    expect(regionEnd(r)).toBe(maxAddr);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_top_down_end_misaligned_check", () => {
    const mb = setup(false);
    const size = SZ_128;
    const misalign = SZ_2;
    const minAddr = mb.memblockStartOfDRAM() + SMP_CACHE_BYTES * 2;
    const maxAddr = minAddr + SZ_512 + misalign;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    const r = res(mb, 0);
    expect(p).not.toBe(0);
    expect(r.size).toBe(size);
    expect(r.base).toBe(maxAddr - size - misalign);
    expect(regionEnd(r)).toBeLessThan(maxAddr);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_top_down_narrow_range_check", () => {
    const mb = setup(false);
    const size = SZ_256;
    const minAddr = mb.memblockStartOfDRAM() + SZ_512;
    const maxAddr = minAddr + SMP_CACHE_BYTES;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    const r = res(mb, 0);
    expect(p).not.toBe(0);
    expect(r.size).toBe(size);
    expect(r.base).toBe(maxAddr - size);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_top_down_reserved_with_space_check", () => {
    const mb = setup(false);
    const r3Size = SZ_64;
    const gapSize = SMP_CACHE_BYTES;
    const r1 = { base: mb.memblockEndOfDRAM() - SMP_CACHE_BYTES * 2, size: SMP_CACHE_BYTES };
    const r2 = { size: SZ_128, base: r1.base - (r3Size + gapSize + SZ_128) };
    const totalSize = r1.size + r2.size + r3Size;
    const minAddr = r2.base + r2.size;
    const maxAddr = r1.base;
    mb.memblockReserve(r1.base, r1.size);
    mb.memblockReserve(r2.base, r2.size);
    const p = run(mb, r3Size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    expect(p).not.toBe(0);
    expect(res(mb, 1)).toMatchObject({ size: r1.size + r3Size, base: maxAddr - r3Size });
    expect(res(mb, 0)).toMatchObject({ size: r2.size, base: r2.base });
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_try_nid_top_down_reserved_no_space_check", () => {
    const mb = setup(false);
    const r3Size = SZ_256;
    const gapSize = SMP_CACHE_BYTES;
    const r1 = { base: mb.memblockEndOfDRAM() - SMP_CACHE_BYTES * 2, size: SMP_CACHE_BYTES };
    const r2 = { size: SZ_128, base: r1.base - (SZ_128 + gapSize) };
    const totalSize = r1.size + r2.size + r3Size;
    const minAddr = r2.base + r2.size;
    const maxAddr = r1.base;
    mb.memblockReserve(r1.base, r1.size);
    mb.memblockReserve(r2.base, r2.size);
    const p = run(mb, r3Size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    expect(p).not.toBe(0);
    expect(res(mb, 1)).toMatchObject({ size: r1.size, base: r1.base });
    expect(res(mb, 0)).toMatchObject({ size: r2.size + r3Size, base: r2.base - r3Size });
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_try_nid_top_down_cap_max_check", () => {
    const mb = setup(false);
    const size = SZ_256;
    const minAddr = mb.memblockEndOfDRAM() - SZ_1K;
    const maxAddr = mb.memblockEndOfDRAM() + SZ_256;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    expect(p).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size, base: mb.memblockEndOfDRAM() - size });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_top_down_cap_min_check", () => {
    const mb = setup(false);
    const size = SZ_1K;
    const minAddr = mb.memblockStartOfDRAM() - SZ_256;
    const maxAddr = mb.memblockEndOfDRAM();
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    expect(p).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size, base: mb.memblockEndOfDRAM() - size });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_simple_check", () => {
    const mb = setup(true);
    const size = SZ_128;
    const minAddr = mb.memblockStartOfDRAM() + SMP_CACHE_BYTES * 2;
    const maxAddr = minAddr + SZ_512;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    const r = res(mb, 0);
    expect(p).not.toBe(0);
    expect(r.size).toBe(size);
    expect(r.base).toBe(minAddr);
    expect(regionEnd(r)).toBeLessThan(maxAddr);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_start_misaligned_check", () => {
    const mb = setup(true);
    const size = SZ_128;
    const misalign = SZ_2;
    const minAddr = mb.memblockStartOfDRAM() + misalign;
    const maxAddr = minAddr + SZ_512;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    const r = res(mb, 0);
    expect(p).not.toBe(0);
    expect(r.size).toBe(size);
    expect(r.base).toBe(minAddr + (SMP_CACHE_BYTES - misalign));
    expect(regionEnd(r)).toBeLessThan(maxAddr);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_narrow_range_check", () => {
    const mb = setup(true);
    const size = SZ_256;
    const minAddr = mb.memblockStartOfDRAM() + SZ_512;
    const maxAddr = minAddr + SMP_CACHE_BYTES;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    expect(p).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size, base: mb.memblockStartOfDRAM() });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_reserved_with_space_check", () => {
    const mb = setup(true);
    const r3Size = SZ_64;
    const gapSize = SMP_CACHE_BYTES;
    const r1 = { base: mb.memblockEndOfDRAM() - SMP_CACHE_BYTES * 2, size: SMP_CACHE_BYTES };
    const r2 = { size: SZ_128, base: r1.base - (r3Size + gapSize + SZ_128) };
    const totalSize = r1.size + r2.size + r3Size;
    const minAddr = r2.base + r2.size;
    const maxAddr = r1.base;
    mb.memblockReserve(r1.base, r1.size);
    mb.memblockReserve(r2.base, r2.size);
    const p = run(mb, r3Size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    expect(p).not.toBe(0);
    expect(res(mb, 1)).toMatchObject({ size: r1.size, base: maxAddr });
    expect(res(mb, 0)).toMatchObject({ size: r2.size + r3Size, base: r2.base });
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_try_nid_bottom_up_reserved_no_space_check", () => {
    const mb = setup(true);
    const r3Size = SZ_256;
    const gapSize = SMP_CACHE_BYTES;
    const r1 = { base: mb.memblockEndOfDRAM() - SMP_CACHE_BYTES * 2, size: SMP_CACHE_BYTES };
    const r2 = { size: SZ_128, base: r1.base - (SZ_128 + gapSize) };
    const totalSize = r1.size + r2.size + r3Size;
    const minAddr = r2.base + r2.size;
    const maxAddr = r1.base;
    mb.memblockReserve(r1.base, r1.size);
    mb.memblockReserve(r2.base, r2.size);
    const p = run(mb, r3Size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    expect(p).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size: r3Size, base: mb.memblockStartOfDRAM() });
    expect(res(mb, 1)).toMatchObject({ size: r2.size, base: r2.base });
    expect(res(mb, 2)).toMatchObject({ size: r1.size, base: r1.base });
    expect(mb.reserved.cnt).toBe(3);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_try_nid_bottom_up_cap_max_check", () => {
    const mb = setup(true);
    const size = SZ_256;
    const minAddr = mb.memblockStartOfDRAM() + SZ_1K;
    const maxAddr = mb.memblockEndOfDRAM() + SZ_256;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    expect(p).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size, base: minAddr });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_cap_min_check", () => {
    const mb = setup(true);
    const size = SZ_1K;
    const minAddr = mb.memblockStartOfDRAM();
    const maxAddr = mb.memblockEndOfDRAM() - SZ_256;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
    expect(p).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size, base: mb.memblockStartOfDRAM() });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  describe.each(directions)("%s", (_dir, bottomUp) => {
    it("alloc_try_nid_min_reserved_generic_check", () => {
      const mb = setup(bottomUp);
      const r1Size = SZ_128;
      const r2Size = SZ_64;
      const totalSize = r1Size + r2Size;
      const maxAddr = mb.memblockEndOfDRAM();
      const minAddr = maxAddr - r2Size;
      const reservedBase = minAddr - r1Size;
      mb.memblockReserve(reservedBase, r1Size);
      const p = run(mb, r2Size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
      expect(p).not.toBe(0);
      expect(res(mb, 0)).toMatchObject({ size: totalSize, base: reservedBase });
      expect(mb.reserved.cnt).toBe(1);
      expect(mb.reserved.totalSize).toBe(totalSize);
    });

    it("alloc_try_nid_max_reserved_generic_check", () => {
      const mb = setup(bottomUp);
      const r1Size = SZ_64;
      const r2Size = SZ_128;
      const totalSize = r1Size + r2Size;
      const maxAddr = mb.memblockEndOfDRAM() - r1Size;
      const minAddr = maxAddr - r2Size;
      mb.memblockReserve(maxAddr, r1Size);
      const p = run(mb, r2Size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
      expect(p).not.toBe(0);
      expect(res(mb, 0)).toMatchObject({ size: totalSize, base: minAddr });
      expect(mb.reserved.cnt).toBe(1);
      expect(mb.reserved.totalSize).toBe(totalSize);
    });

    it("alloc_try_nid_exact_address_generic_check", () => {
      const mb = setup(bottomUp);
      const size = SZ_1K;
      const minAddr = mb.memblockStartOfDRAM() + SMP_CACHE_BYTES;
      const maxAddr = minAddr + size;
      const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
      const r = res(mb, 0);
      expect(p).not.toBe(0);
      expect(r.size).toBe(size);
      expect(r.base).toBe(minAddr);
      expect(regionEnd(r)).toBe(maxAddr);
      expect(mb.reserved.cnt).toBe(1);
      expect(mb.reserved.totalSize).toBe(size);
    });

    it("alloc_try_nid_reserved_full_merge_generic_check", () => {
      const mb = setup(bottomUp);
      const r3Size = SZ_64;
      const r1 = { base: mb.memblockEndOfDRAM() - SMP_CACHE_BYTES * 2, size: SMP_CACHE_BYTES };
      const r2 = { size: SZ_128, base: r1.base - (r3Size + SZ_128) };
      const totalSize = r1.size + r2.size + r3Size;
      const minAddr = r2.base + r2.size;
      const maxAddr = r1.base;
      mb.memblockReserve(r1.base, r1.size);
      mb.memblockReserve(r2.base, r2.size);
      const p = run(mb, r3Size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE);
      expect(p).not.toBe(0);
      expect(res(mb, 0)).toMatchObject({ size: totalSize, base: r2.base });
      expect(mb.reserved.cnt).toBe(1);
      expect(mb.reserved.totalSize).toBe(totalSize);
    });

    it("alloc_try_nid_reserved_all_generic_check", () => {
      const mb = setup(bottomUp);
      const r3Size = SZ_256;
      const gapSize = SMP_CACHE_BYTES;
      const r1 = { base: mb.memblockEndOfDRAM() - SMP_CACHE_BYTES, size: SMP_CACHE_BYTES };
      const r2 = { size: MEM_SIZE - (SMP_CACHE_BYTES + gapSize), base: mb.memblockStartOfDRAM() };
      const minAddr = r2.base + r2.size;
      const maxAddr = r1.base;
      mb.memblockReserve(r1.base, r1.size);
      mb.memblockReserve(r2.base, r2.size);
      expect(run(mb, r3Size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE)).toBe(0);
    });

    it("alloc_try_nid_low_max_generic_check", () => {
      const mb = setup(bottomUp);
      const size = SZ_1K;
      const minAddr = mb.memblockStartOfDRAM();
      const maxAddr = minAddr + SMP_CACHE_BYTES;
      expect(run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE)).toBe(0);
    });
  });
});

describe.each(variants)("%s NUMA tests (alloc_nid_api.c)", (_name, run) => {
  it("alloc_try_nid_top_down_numa_simple_check", () => {
    const mb = setupNuma(false);
    const nidReq = 3;
    const reqNode = memRgn(mb, nidReq);
    expect(SZ_4).toBeLessThanOrEqual(reqNode.size);
    const size = reqNode.size / SZ_4;
    const p = run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), nidReq);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(regionEnd(reqNode) - size);
    expect(reqNode.base).toBeLessThanOrEqual(newRgn.base);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_top_down_numa_small_node_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 1);
    const expNode = memRgn(mb, 6);
    const size = SZ_2 * reqNode.size;
    const p = run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 1);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(regionEnd(expNode) - size);
    expect(expNode.base).toBeLessThanOrEqual(newRgn.base);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_top_down_numa_node_reserved_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 2);
    const expNode = memRgn(mb, 6);
    const size = reqNode.size;
    mb.memblockReserve(reqNode.base, reqNode.size);
    const p = run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 2);
    const newRgn = res(mb, 1);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(regionEnd(expNode) - size);
    expect(expNode.base).toBeLessThanOrEqual(newRgn.base);
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(size + reqNode.size);
  });

  it("alloc_try_nid_top_down_numa_part_reserved_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 4);
    expect(SZ_8).toBeLessThanOrEqual(reqNode.size);
    const r1 = { base: reqNode.base, size: reqNode.size / SZ_2 };
    const size = r1.size / SZ_4;
    mb.memblockReserve(r1.base, r1.size);
    const p = run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 4);
    const newRgn = res(mb, 1);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(regionEnd(reqNode) - size);
    expect(reqNode.base).toBeLessThanOrEqual(newRgn.base);
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(size + r1.size);
  });

  it("alloc_try_nid_top_down_numa_part_reserved_fallback_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 4);
    const expNode = memRgn(mb, NUMA_NODES - 1);
    expect(SZ_4).toBeLessThanOrEqual(reqNode.size);
    const size = reqNode.size / SZ_2;
    const r1 = { base: reqNode.base + size / SZ_2, size };
    mb.memblockReserve(r1.base, r1.size);
    const p = run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 4);
    const newRgn = res(mb, 1);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(regionEnd(expNode) - size);
    expect(expNode.base).toBeLessThanOrEqual(newRgn.base);
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(size + r1.size);
  });

  it("alloc_try_nid_top_down_numa_split_range_low_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 2);
    const size = SZ_512;
    const reqNodeEnd = regionEnd(reqNode);
    const minAddr = reqNodeEnd - SZ_256;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, minAddr + size, 2);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(reqNodeEnd - size);
    expect(reqNode.base).toBeLessThanOrEqual(newRgn.base);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_top_down_numa_split_range_high_check", () => {
    const mb = setupNuma(false);
    const expNode = memRgn(mb, 2);
    const size = SZ_512;
    const expNodeEnd = regionEnd(expNode);
    const minAddr = expNodeEnd - SZ_256;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, minAddr + size, 3);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(expNodeEnd - size);
    expect(expNode.base).toBeLessThanOrEqual(newRgn.base);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_top_down_numa_no_overlap_split_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 2);
    const node2 = memRgn(mb, 6);
    const size = SZ_512;
    const minAddr = node2.base - SZ_256;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, minAddr + size, 2);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(regionEnd(reqNode) - size);
    expect(reqNode.base).toBeLessThanOrEqual(newRgn.base);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_top_down_numa_no_overlap_low_check", () => {
    const mb = setupNuma(false);
    const minNode = memRgn(mb, 2);
    const maxNode = memRgn(mb, 5);
    const size = SZ_64;
    const maxAddr = regionEnd(maxNode);
    const p = run(mb, size, SMP_CACHE_BYTES, minNode.base, maxAddr, 0);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(maxAddr - size);
    expect(maxNode.base).toBeLessThanOrEqual(newRgn.base);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_top_down_numa_no_overlap_high_check", () => {
    const mb = setupNuma(false);
    const minNode = memRgn(mb, 2);
    const maxNode = memRgn(mb, 5);
    const size = SZ_64;
    const maxAddr = regionEnd(maxNode);
    const p = run(mb, size, SMP_CACHE_BYTES, minNode.base, maxAddr, 7);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(maxAddr - size);
    expect(maxNode.base).toBeLessThanOrEqual(newRgn.base);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_numa_simple_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 3);
    expect(SZ_4).toBeLessThanOrEqual(reqNode.size);
    const size = reqNode.size / SZ_4;
    const p = run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 3);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(reqNode.base);
    expect(regionEnd(newRgn)).toBeLessThanOrEqual(regionEnd(reqNode));
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_numa_small_node_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 1);
    const expNode = memRgn(mb, 0);
    const size = SZ_2 * reqNode.size;
    const p = run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 1);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(expNode.base);
    expect(regionEnd(newRgn)).toBeLessThanOrEqual(regionEnd(expNode));
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_numa_node_reserved_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 2);
    const expNode = memRgn(mb, 0);
    const size = reqNode.size;
    mb.memblockReserve(reqNode.base, reqNode.size);
    const p = run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 2);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(expNode.base);
    expect(regionEnd(newRgn)).toBeLessThanOrEqual(regionEnd(expNode));
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(size + reqNode.size);
  });

  it("alloc_try_nid_bottom_up_numa_part_reserved_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 4);
    expect(SZ_8).toBeLessThanOrEqual(reqNode.size);
    const r1 = { base: reqNode.base, size: reqNode.size / SZ_2 };
    const size = r1.size / SZ_4;
    const totalSize = size + r1.size;
    mb.memblockReserve(r1.base, r1.size);
    const p = run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 4);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(totalSize);
    expect(newRgn.base).toBe(reqNode.base);
    expect(regionEnd(newRgn)).toBeLessThanOrEqual(regionEnd(reqNode));
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it("alloc_try_nid_bottom_up_numa_part_reserved_fallback_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 4);
    const expNode = memRgn(mb, 0);
    expect(SZ_4).toBeLessThanOrEqual(reqNode.size);
    const size = reqNode.size / SZ_2;
    const r1 = { base: reqNode.base + size / SZ_2, size };
    mb.memblockReserve(r1.base, r1.size);
    const p = run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 4);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(expNode.base);
    expect(regionEnd(newRgn)).toBeLessThanOrEqual(regionEnd(expNode));
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(size + r1.size);
  });

  it("alloc_try_nid_bottom_up_numa_split_range_low_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 2);
    const size = SZ_512;
    const reqNodeEnd = regionEnd(reqNode);
    const minAddr = reqNodeEnd - SZ_256;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, minAddr + size, 2);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(reqNode.base);
    expect(regionEnd(newRgn)).toBeLessThanOrEqual(reqNodeEnd);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_numa_split_range_high_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 3);
    const expNode = memRgn(mb, 0);
    const size = SZ_512;
    const expNodeEnd = regionEnd(reqNode);
    const minAddr = reqNode.base - SZ_256;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, minAddr + size, 3);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(expNode.base);
    expect(regionEnd(newRgn)).toBeLessThanOrEqual(expNodeEnd);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_numa_no_overlap_split_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 2);
    const node2 = memRgn(mb, 6);
    const size = SZ_512;
    const minAddr = node2.base - SZ_256;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, minAddr + size, 2);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(reqNode.base);
    expect(regionEnd(newRgn)).toBeLessThanOrEqual(regionEnd(reqNode));
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_numa_no_overlap_low_check", () => {
    const mb = setupNuma(true);
    const minNode = memRgn(mb, 2);
    const maxNode = memRgn(mb, 5);
    const size = SZ_64;
    const minAddr = minNode.base;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, regionEnd(maxNode), 0);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(minAddr);
    expect(regionEnd(newRgn)).toBeLessThanOrEqual(regionEnd(minNode));
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_try_nid_bottom_up_numa_no_overlap_high_check", () => {
    const mb = setupNuma(true);
    const minNode = memRgn(mb, 2);
    const maxNode = memRgn(mb, 5);
    const size = SZ_64;
    const minAddr = minNode.base;
    const p = run(mb, size, SMP_CACHE_BYTES, minAddr, regionEnd(maxNode), 7);
    const newRgn = res(mb, 0);
    expect(p).not.toBe(0);
    expect(newRgn.size).toBe(size);
    expect(newRgn.base).toBe(minAddr);
    expect(regionEnd(newRgn)).toBeLessThanOrEqual(regionEnd(minNode));
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  describe.each(directions)("%s", (_dir, bottomUp) => {
    it("alloc_try_nid_numa_large_region_generic_check", () => {
      const mb = setupNuma(bottomUp);
      const size = MEM_SIZE / SZ_2;
      expect(run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 3)).toBe(0);
    });

    it("alloc_try_nid_numa_reserved_full_merge_generic_check", () => {
      const mb = setupNuma(bottomUp);
      const reqNode = memRgn(mb, 6);
      const nextNode = memRgn(mb, 7);
      const size = reqNode.size;
      const r1 = { base: nextNode.base, size: SZ_128 };
      const r2 = { size: SZ_128, base: r1.base - (size + SZ_128) };
      const totalSize = r1.size + r2.size + size;
      const minAddr = r2.base + r2.size;
      const maxAddr = r1.base;
      mb.memblockReserve(r1.base, r1.size);
      mb.memblockReserve(r2.base, r2.size);
      const p = run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, 6);
      const newRgn = res(mb, 0);
      expect(p).not.toBe(0);
      expect(newRgn.size).toBe(totalSize);
      expect(newRgn.base).toBe(r2.base);
      expect(newRgn.base).toBeLessThanOrEqual(reqNode.base);
      expect(regionEnd(reqNode)).toBeLessThanOrEqual(regionEnd(newRgn));
      expect(mb.reserved.cnt).toBe(1);
      expect(mb.reserved.totalSize).toBe(totalSize);
    });

    it("alloc_try_nid_numa_split_all_reserved_generic_check", () => {
      const mb = setupNuma(bottomUp);
      const nextNode = memRgn(mb, 7);
      const size = SZ_256;
      const r2 = { base: nextNode.base + SZ_128, size: mb.memblockEndOfDRAM() - (nextNode.base + SZ_128) };
      const r1 = { size: MEM_SIZE - (r2.size + size), base: mb.memblockStartOfDRAM() };
      const minAddr = r1.base + r1.size;
      const maxAddr = r2.base;
      mb.memblockReserve(r1.base, r1.size);
      mb.memblockReserve(r2.base, r2.size);
      expect(run(mb, size, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE)).toBe(0);
    });
  });
});

describe("memblock_alloc_exact_nid_raw NUMA tests (alloc_exact_nid_api.c, 6.2+; 6.1 function)", () => {
  const run: AllocNidFn = (mb, s, a, min, max, nid) => mb.memblockAllocExactNidRaw(s, a, min, max, nid);

  it("alloc_exact_nid_top_down_numa_simple_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 3);
    const size = reqNode.size / SZ_4;
    expect(run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 3)).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size, base: regionEnd(reqNode) - size });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(size);
  });

  it("alloc_exact_nid_top_down_numa_part_reserved_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 4);
    const r1 = { base: reqNode.base, size: reqNode.size / SZ_2 };
    const size = r1.size / SZ_4;
    mb.memblockReserve(r1.base, r1.size);
    expect(run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 4)).not.toBe(0);
    expect(res(mb, 1)).toMatchObject({ size, base: regionEnd(reqNode) - size });
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(size + r1.size);
  });

  it("alloc_exact_nid_top_down_numa_split_range_low_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 2);
    const size = SZ_512;
    const minAddr = regionEnd(reqNode) - SZ_256;
    expect(run(mb, size, SMP_CACHE_BYTES, minAddr, minAddr + size, 2)).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size, base: regionEnd(reqNode) - size });
    expect(mb.reserved.cnt).toBe(1);
  });

  it("alloc_exact_nid_top_down_numa_no_overlap_split_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 2);
    const minAddr = memRgn(mb, 6).base - SZ_256;
    expect(run(mb, SZ_512, SMP_CACHE_BYTES, minAddr, minAddr + SZ_512, 2)).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size: SZ_512, base: regionEnd(reqNode) - SZ_512 });
  });

  it("alloc_exact_nid_top_down_numa_no_overlap_low_check", () => {
    const mb = setupNuma(false);
    const reqNode = memRgn(mb, 0);
    expect(run(mb, SZ_64, SMP_CACHE_BYTES, memRgn(mb, 2).base, regionEnd(memRgn(mb, 5)), 0)).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size: SZ_64, base: regionEnd(reqNode) - SZ_64 });
    expect(mb.reserved.cnt).toBe(1);
  });

  it("alloc_exact_nid_bottom_up_numa_simple_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 3);
    const size = reqNode.size / SZ_4;
    expect(run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 3)).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size, base: reqNode.base });
  });

  it("alloc_exact_nid_bottom_up_numa_part_reserved_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 4);
    const r1 = { base: reqNode.base, size: reqNode.size / SZ_2 };
    const size = r1.size / SZ_4;
    mb.memblockReserve(r1.base, r1.size);
    expect(run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 4)).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size: size + r1.size, base: reqNode.base });
    expect(mb.reserved.cnt).toBe(1);
  });

  it("alloc_exact_nid_bottom_up_numa_split_range_low_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 2);
    const minAddr = regionEnd(reqNode) - SZ_256;
    expect(run(mb, SZ_512, SMP_CACHE_BYTES, minAddr, minAddr + SZ_512, 2)).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size: SZ_512, base: reqNode.base });
  });

  it("alloc_exact_nid_bottom_up_numa_no_overlap_split_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 2);
    const minAddr = memRgn(mb, 6).base - SZ_256;
    expect(run(mb, SZ_512, SMP_CACHE_BYTES, minAddr, minAddr + SZ_512, 2)).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size: SZ_512, base: reqNode.base });
  });

  it("alloc_exact_nid_bottom_up_numa_no_overlap_low_check", () => {
    const mb = setupNuma(true);
    const reqNode = memRgn(mb, 0);
    expect(run(mb, SZ_64, SMP_CACHE_BYTES, memRgn(mb, 2).base, regionEnd(memRgn(mb, 5)), 0)).not.toBe(0);
    expect(res(mb, 0)).toMatchObject({ size: SZ_64, base: reqNode.base });
  });

  describe.each(directions)("%s", (_dir, bottomUp) => {
    it("alloc_exact_nid_numa_small_node_generic_check", () => {
      const mb = setupNuma(bottomUp);
      const size = SZ_2 * memRgn(mb, 1).size;
      expect(run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 1)).toBe(0);
    });

    it("alloc_exact_nid_numa_node_reserved_generic_check", () => {
      const mb = setupNuma(bottomUp);
      const reqNode = memRgn(mb, 2);
      mb.memblockReserve(reqNode.base, reqNode.size);
      expect(run(mb, reqNode.size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 2)).toBe(0);
    });

    it("alloc_exact_nid_numa_part_reserved_fail_generic_check", () => {
      const mb = setupNuma(bottomUp);
      const reqNode = memRgn(mb, 4);
      const size = reqNode.size / SZ_2;
      mb.memblockReserve(reqNode.base + size / SZ_2, size);
      expect(run(mb, size, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 4)).toBe(0);
    });

    it("alloc_exact_nid_numa_split_range_high_generic_check", () => {
      const mb = setupNuma(bottomUp);
      const minAddr = memRgn(mb, 3).base - SZ_256;
      expect(run(mb, SZ_512, SMP_CACHE_BYTES, minAddr, minAddr + SZ_512, 3)).toBe(0);
    });

    it("alloc_exact_nid_numa_no_overlap_high_generic_check", () => {
      const mb = setupNuma(bottomUp);
      expect(run(mb, SZ_64, SMP_CACHE_BYTES, memRgn(mb, 2).base, regionEnd(memRgn(mb, 5)), 7)).toBe(0);
    });

    it("alloc_exact_nid_numa_large_region_generic_check", () => {
      const mb = setupNuma(bottomUp);
      expect(run(mb, MEM_SIZE / SZ_2, SMP_CACHE_BYTES, mb.memblockStartOfDRAM(), mb.memblockEndOfDRAM(), 3)).toBe(0);
    });

    it("alloc_exact_nid_numa_reserved_full_merge_generic_check", () => {
      const mb = setupNuma(bottomUp);
      const reqNode = memRgn(mb, 6);
      const size = reqNode.size;
      const r1 = { base: memRgn(mb, 7).base, size: SZ_128 };
      const r2 = { size: SZ_128, base: r1.base - (size + SZ_128) };
      const totalSize = r1.size + r2.size + size;
      mb.memblockReserve(r1.base, r1.size);
      mb.memblockReserve(r2.base, r2.size);
      expect(run(mb, size, SMP_CACHE_BYTES, r2.base + r2.size, r1.base, 6)).not.toBe(0);
      expect(res(mb, 0)).toMatchObject({ size: totalSize, base: r2.base });
      expect(mb.reserved.cnt).toBe(1);
    });

    it("alloc_exact_nid_numa_split_all_reserved_generic_check", () => {
      const mb = setupNuma(bottomUp);
      const nextNode = memRgn(mb, 7);
      const size = SZ_256;
      const r2 = { base: nextNode.base + SZ_128, size: mb.memblockEndOfDRAM() - (nextNode.base + SZ_128) };
      const r1 = { size: MEM_SIZE - (r2.size + size), base: mb.memblockStartOfDRAM() };
      mb.memblockReserve(r1.base, r1.size);
      mb.memblockReserve(r2.base, r2.size);
      expect(run(mb, size, SMP_CACHE_BYTES, r1.base + r1.size, r2.base, NUMA_NO_NODE)).toBe(0);
    });
  });
});
