// mmsim: SLUB's hot paths (issue target: ≥ 10 M kmem_cache_alloc + kmem_cache_free pairs/s of 64-byte objects on the per-CPU fast path)
/*
 * Runs the BUILT package (vitest bench resolves @mmsim/* to dist/, loaded by Node natively; see
 * vitest.shared.ts), so build first (`pnpm bench` does through nx). Each iteration does 100
 * operations, because tinybench's per-iteration overhead (~60 ns) is as large as one operation:
 * pairs/s = hz × 100. Same cases as @mmsim/slab's bench for side-by-side numbers.
 */
import { CostModel, GFP_KERNEL, KernelLog, MemMap, Prandom, SLAB_HWCACHE_ALIGN, SimClock } from "@mmsim/core";
import { FakePageAllocator, rate } from "@mmsim/core/testing";
import { SlubAllocator } from "@mmsim/slub";
import { bench, describe } from "vitest";

function make(options = {}) {
  const pages = new FakePageAllocator(0x40000, 1 << 18); // 1 GiB of 4 KiB frames
  const a = new SlubAllocator(pages, pages.mem, { nrCpus: 2, nrNodes: 1, cpuToNode: [0, 0] }, new SimClock(), new CostModel(), new KernelLog(), new Prandom(1), options);
  return a;
}

const BATCH = 100;
const a = make();
const c64 = a.kmemCacheCreate("test-64", 64, 64, SLAB_HWCACHE_ALIGN);
const c256 = a.kmemCacheCreate("test-256", 256, 8, 0);
const c4k = a.kmemCacheCreate("test-4096", 4096, 8, 0);
const held = new Float64Array(BATCH);
// Warm the CPU slabs so the measured loop stays on the fast path.
for (const c of [c64, c256, c4k]) a.kmemCacheFree(c, a.kmemCacheAlloc(c, GFP_KERNEL, 0), 0);

const dbg = make({ slubDebug: "" });
const d64 = dbg.kmemCacheCreate("test-64", 64, 64, SLAB_HWCACHE_ALIGN);

console.log(`slub: MemMap ${MemMap.bytesPerFrame()} bytes per frame (SLUB adds none: slabs link through page->private); slab table ${a.slabs.byteSize()} bytes after warm-up`);

describe(`kmem_cache_alloc + kmem_cache_free (slub; each iteration = ${BATCH} pairs: pairs/s = hz × ${BATCH})`, () => {
  bench(rate("kmem_cache_alloc 64B (slub): alloc+free on the per-CPU fast path", { min: 10e6, unit: "pairs/s", perIteration: BATCH }), () => {
    for (let i = 0; i < BATCH; i++) {
      const o = a.kmemCacheAlloc(c64, GFP_KERNEL, 0);
      a.kmemCacheFree(c64, o, 0);
    }
  });
  bench("kmem_cache_alloc 256B (slub): alloc+free on the per-CPU fast path", () => {
    for (let i = 0; i < BATCH; i++) {
      const o = a.kmemCacheAlloc(c256, GFP_KERNEL, 1);
      a.kmemCacheFree(c256, o, 1);
    }
  });
  bench("kmem_cache_alloc 4KiB (slub): alloc+free on the per-CPU fast path", () => {
    for (let i = 0; i < BATCH; i++) {
      const o = a.kmemCacheAlloc(c4k, GFP_KERNEL, 0);
      a.kmemCacheFree(c4k, o, 0);
    }
  });
  bench("kmem_cache_alloc 64B (slub): 100 allocs then 100 frees (refills, remote frees, partial lists)", () => {
    for (let i = 0; i < BATCH; i++) held[i] = a.kmemCacheAlloc(c64, GFP_KERNEL, 0);
    for (let i = 0; i < BATCH; i++) a.kmemCacheFree(c64, held[i]!, 1);
  });
  bench("kmem_cache_alloc 64B (slub, slub_debug=FZPU): alloc+free through the debug slow path", () => {
    for (let i = 0; i < BATCH; i++) {
      const o = dbg.kmemCacheAlloc(d64, GFP_KERNEL, 0);
      dbg.kmemCacheFree(d64, o, 0);
    }
  });
});
