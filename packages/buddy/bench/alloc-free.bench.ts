// mmsim: the page allocator's hot paths, and booting a 64 GiB machine (issue targets in the names)
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, MIGRATE_MOVABLE, MemMap, SZ_1G, SZ_64G, pfnDown } from "@mmsim/core";
import { bench, describe } from "vitest";
import {
  FPI_NONE, PageblockFlags, allocPages, createBuddyAllocator, freePages, freePagesOk, modZoneFreepageState,
  rmqueueInner,
} from "@mmsim/buddy";

const RAM = 0x40000000;
/** free_area_init's zone limits for RAM at 0x40000000 on QEMU virt (arm64 zone_sizes_init: DMA, DMA32 up to 4 GiB, Normal, Movable). */
const maxZonePfn = (bytes: number): number[] => [Math.min(RAM + bytes, 2 ** 32) / 4096, Math.min(RAM + bytes, 2 ** 32) / 4096, (RAM + bytes) / 4096, 0];
function board(bytes: number, cpus = 2) {
  return createBuddyAllocator({
    nrCpus: cpus,
    nodes: [{ nid: 0, ranges: [[pfnDown(RAM), pfnDown(RAM + bytes)]] }],
    maxZonePfn: maxZonePfn(bytes),
    reserved: [[0x40210000, 0x4220b000]],
  });
}

const perFrame = MemMap.bytesPerFrame() + PageblockFlags.bytesPerFrame();
console.log(`buddy: ${perFrame.toFixed(3)} bytes of simulator memory per simulated frame (MemMap ${MemMap.bytesPerFrame()} + pageblock bitmap ${PageblockFlags.bytesPerFrame()}); target ≤ 48`);

const b = board(SZ_1G);
const pa = b.state;
const zone = pa.zones[0]!;

/** Operations per bench iteration: tinybench's own per-iteration cost (~60 ns) is amortised over them. */
const BATCH = 100;
const pages = new Int32Array(BATCH);

describe(`page allocator hot paths (1 GiB board; each iteration = ${BATCH} pairs: pairs/s = hz × ${BATCH})`, () => {
  bench("order-0 alloc+free through the per-CPU lists (target ≥ 10M pairs/s)", () => {
    for (let i = 0; i < BATCH; i++) {
      const page = allocPages(pa, GFP_KERNEL, 0, 0);
      freePages(pa, page, 0, 0);
    }
  });
  bench("order-0: 100 allocs then 100 frees through the per-CPU lists (pcp refill and drain)", () => {
    for (let i = 0; i < BATCH; i++) pages[i] = allocPages(pa, GFP_KERNEL, 0, 0);
    for (let i = 0; i < BATCH; i++) freePages(pa, pages[i]!, 0, 0);
  });
  bench("order-0 alloc+free through the buddy lists, pcp bypassed (target ≥ 3M pairs/s)", () => {
    for (let i = 0; i < BATCH; i++) {
      const page = rmqueueInner(pa, zone, 0, MIGRATE_MOVABLE, 0);
      modZoneFreepageState(zone, -1, MIGRATE_MOVABLE);
      pa.mem.refcount[page] = 0;
      freePagesOk(pa, page, 0, FPI_NONE);
    }
  });
  bench("order-3 split and merge through the buddy lists", () => {
    for (let i = 0; i < BATCH; i++) {
      const page = rmqueueInner(pa, zone, 3, MIGRATE_MOVABLE, 0);
      modZoneFreepageState(zone, -8, MIGRATE_MOVABLE);
      freePagesOk(pa, page, 3, FPI_NONE);
    }
  });
  bench("order-3 alloc+free through __alloc_pages (pcp, as the kernel does for order ≤ 3)", () => {
    for (let i = 0; i < BATCH; i++) {
      const page = allocPages(pa, GFP_HIGHUSER_MOVABLE, 3, 1);
      freePages(pa, page, 3, 1);
    }
  });
});

{
  // Measured, not only summed from field widths: array-buffer bytes held by one booted 64 GiB machine.
  const before = process.memoryUsage().arrayBuffers;
  const big = board(SZ_64G);
  const after = process.memoryUsage().arrayBuffers;
  const frames = big.state.mem.nrPages;
  console.log(`boot 64 GiB: ${frames} frames, ${((after - before) / frames).toFixed(2)} bytes of typed arrays per frame (measured; target ≤ 48)`);
}

describe("boot: hand a whole machine's memory to the buddy allocator", () => {
  bench("boot 64 GiB: MemMap + memblock_free_all + deferred init (target < 2 s)", () => {
    board(SZ_64G);
  }, { iterations: 3, warmupIterations: 1, time: 0, warmupTime: 0 });
  bench("boot 1 GiB", () => {
    board(SZ_1G);
  }, { time: 2000 });
});
