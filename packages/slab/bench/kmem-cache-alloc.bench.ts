// mmsim: SLAB's hot paths — kmem_cache_alloc + kmem_cache_free on the per-CPU array_cache, and the refill/flush paths
/*
 * Runs the BUILT package (vitest bench resolves @mmsim/* to dist/, loaded by Node itself: see
 * vitest.shared.ts), imported by name. Each iteration does BATCH operations, because tinybench's
 * own per-iteration cost (~60 ns) is as large as one operation: pairs/s = hz × BATCH.
 * Same cases as @mmsim/slub's bench, for side-by-side numbers.
 */
import { CostModel, GFP_KERNEL, KernelLog, MemMap, Prandom, SLAB_HWCACHE_ALIGN, SimClock } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { FREEIDX_STRIDE, SlabAllocator } from "@mmsim/slab";
import { bench, describe } from "vitest";

/** Operations per bench iteration. */
const BATCH = 100;

function rig(hardened = true) {
  const pages = new FakePageAllocator(0x40000, 262144);
  const slab = new SlabAllocator(pages, pages.mem, { nrCpus: 2, nrNodes: 1, cpuToNode: [0, 0] }, new SimClock(), new CostModel(), new KernelLog(), new Prandom(1));
  slab.freelistHardened = hardened;
  const c64 = slab.kmemCacheCreate("obj-64", 64, 64, SLAB_HWCACHE_ALIGN);
  const c256 = slab.kmemCacheCreate("obj-256", 256, 256, SLAB_HWCACHE_ALIGN);
  const c4k = slab.kmemCacheCreate("obj-4k", 4096, 4096, 0);
  // warm the array caches so the measured loop hits them
  for (const c of [c64, c256, c4k]) slab.kmemCacheFree(c, slab.kmemCacheAlloc(c, GFP_KERNEL, 0), 0);
  return { slab, c64, c256, c4k };
}

// Simulator memory: SLAB keeps nothing per frame (page → slab is MemMap.private); per slab slot it keeps
// slabCache, slabPfn, slabActive, slabNode, slabNext, slabPrev (4 B each), slabSMem, slabFreelist (8 B each)
// and the freelist_idx_t array (FREEIDX_STRIDE B); debug caches add FREEIDX_STRIDE B of red-zone state.
console.log(
  `slab: MemMap ${MemMap.bytesPerFrame()} bytes per frame + 0 of its own; ${6 * 4 + 2 * 8 + FREEIDX_STRIDE} bytes per slab (a 4 KiB slab: ${((6 * 4 + 2 * 8 + FREEIDX_STRIDE) / 1).toFixed(0)} B per 4096 B)`,
);

const objs = new Float64Array(BATCH);

describe(`kmem_cache_alloc + kmem_cache_free (slab; each iteration = ${BATCH} operations or pairs: ops/s = hz × ${BATCH})`, () => {
  const r = rig();
  bench("kmem_cache_alloc+free 64B (slab, array_cache hit, FREELIST_HARDENED as the reference)", () => {
    for (let i = 0; i < BATCH; i++) r.slab.kmemCacheFree(r.c64, r.slab.kmemCacheAlloc(r.c64, GFP_KERNEL, 0), 0);
  });
  const h = rig(false);
  bench("kmem_cache_alloc+free 64B (slab, array_cache hit, no hardening)", () => {
    for (let i = 0; i < BATCH; i++) h.slab.kmemCacheFree(h.c64, h.slab.kmemCacheAlloc(h.c64, GFP_KERNEL, 0), 0);
  });
  bench("kmem_cache_alloc+free 256B (slab, array_cache hit)", () => {
    for (let i = 0; i < BATCH; i++) r.slab.kmemCacheFree(r.c256, r.slab.kmemCacheAlloc(r.c256, GFP_KERNEL, 1), 1);
  });
  bench("kmem_cache_alloc+free 4KiB (slab, array_cache hit)", () => {
    for (let i = 0; i < BATCH; i++) r.slab.kmemCacheFree(r.c4k, r.slab.kmemCacheAlloc(r.c4k, GFP_KERNEL, 0), 0);
  });
  bench("64B: 100 allocs on CPU 0, then 100 frees on CPU 1 (refill from slabs and shared array, flush)", () => {
    for (let i = 0; i < BATCH; i++) objs[i] = r.slab.kmemCacheAlloc(r.c64, GFP_KERNEL, 0);
    for (let i = 0; i < BATCH; i++) r.slab.kmemCacheFree(r.c64, objs[i]!, 1);
  });
});
