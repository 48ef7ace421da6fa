// mmsim: memblock throughput — memblock_add / memblock_reserve / memblock_alloc at 10,000 regions, and the hand-over
/*
 * Two kinds of case:
 *  - "×10,000" cases: one iteration performs 10,000 calls on a fresh memblock (the arm64 board:
 *    1 GiB of RAM at 0x40000000, memblock_allow_resize() done, so the arrays double from
 *    1024/385 entries as they fill). Fresh instances come from a pool built by the `setup`
 *    hook, outside the measured function; ops/s = hz × 10,000.
 *  - steady-state cases: one iteration is one operation (and its undo) on a memblock that
 *    already holds 10,000 regions; hz is ops/s directly.
 */
import { bench, describe } from "vitest";
import { KernelLog, SZ_1G, SZ_4K, SZ_8K } from "@mmsim/core";
import type { BootPageSink } from "@mmsim/core";
import { Memblock, SIZEOF_MEMBLOCK_REGION, SMP_CACHE_BYTES } from "../src/memblock.ts";

const N = 10_000;
const RAM = 0x40000000;
const HIGH = 0x100000000; // non-adjacent memory is added above the board's RAM
const ITERATIONS = 5;

function board(): Memblock {
  const mb = new Memblock(new KernelLog());
  mb.memblockAdd(RAM, SZ_1G);
  mb.memblockAllowResize();
  return mb;
}

/** A pool of fresh memblocks, refilled by the setup hook before warmup and before the run. */
function pool(make: () => Memblock): { next(): Memblock; setup(): void } {
  let items: Memblock[] = [];
  let i = 0;
  return {
    next: () => items[i++]!,
    setup() {
      items = [];
      i = 0;
      for (let k = 0; k < ITERATIONS + 10; k++) items.push(make());
    },
  };
}

const opts = (setup: () => void) => ({ time: 0, iterations: ITERATIONS, warmupTime: 0, warmupIterations: 2, setup });

/** Small sizes for memblock_alloc: 16..128 bytes, so SMP_CACHE_BYTES alignment leaves gaps. */
const SIZES = new Float64Array(N);
for (let i = 0; i < N; i++) SIZES[i] = 16 + ((i * 7) % 15) * 8;

const addPool = pool(board);
const reservePool = pool(board);
const allocPool = pool(board);

describe(`memblock ×${N.toLocaleString("en")} (ops/s = hz × ${N})`, () => {
  bench(`memblock_add ×${N} non-adjacent 4 KiB regions`, () => {
    const mb = addPool.next();
    for (let i = 0; i < N; i++) mb.memblockAdd(HIGH + i * SZ_8K, SZ_4K);
  }, opts(addPool.setup));

  bench(`memblock_reserve ×${N} non-adjacent 4 KiB ranges`, () => {
    const mb = reservePool.next();
    for (let i = 0; i < N; i++) mb.memblockReserve(RAM + i * SZ_8K, SZ_4K);
  }, opts(reservePool.setup));

  bench(`memblock_alloc ×${N}, 16..128 bytes, align SMP_CACHE_BYTES (top-down)`, () => {
    const mb = allocPool.next();
    for (let i = 0; i < N; i++) mb.memblockAlloc(SIZES[i]!, SMP_CACHE_BYTES);
  }, opts(allocPool.setup));
});

/* Steady state: a memblock that holds 10,000 memory regions and 10,000 reserved ranges. */
const full = board();
for (let i = 0; i < N; i++) full.memblockAdd(HIGH + i * SZ_8K, SZ_4K);
for (let i = 0; i < N; i++) full.memblockReserve(RAM + i * SZ_8K, SZ_4K);
const MID = RAM + (N / 2) * SZ_8K + SZ_4K; // a free 4 KiB gap in the middle of reserved

class NullSink implements BootPageSink {
  pages = 0;
  reserveBootmemRegion(): void {}
  resetAllZonesManagedPages(): void {}
  totalramPagesAdd(): void {}
  memblockFreePages(_pfn: number, order: number): void {
    this.pages += 2 ** order;
  }
}

console.log(
  `memblock after the ×${N} setup: memory ${full.memory.cnt}/${full.memory.max} regions, reserved ${full.reserved.cnt}/${full.reserved.max}; ` +
    `${SIZEOF_MEMBLOCK_REGION} bytes per region (struct memblock_region on arm64)`,
);

describe(`memblock steady state at ${N.toLocaleString("en")} regions (hz = ops/s)`, () => {
  bench("memblock_reserve + memblock_phys_free of a gap in the middle (insert, merge, isolate, remove)", () => {
    full.memblockReserve(MID, 0x800);
    full.memblockPhysFree(MID, 0x800);
  });

  bench("memblock_alloc(64) + memblock_free (top-down search over 10,000 reserved ranges)", () => {
    const p = full.memblockAlloc(64, SMP_CACHE_BYTES);
    full.memblockFree(p, 64);
  });

  bench("memblock_is_reserved (binary search)", () => {
    full.memblockIsReserved(MID);
  });

  bench("memblock_free_all of the 1 GiB board (reserve_bootmem_region + 262,144 pages as order-10 blocks)", () => {
    const mb = board();
    mb.memblockFreeAll(new NullSink());
  });
});
