// mmsim: kmalloc of a size mix through core's slab_common, SLUB and SLAB side by side (issue 6's kmalloc bench)
/*
 * Built packages, native ESM (see vitest.shared.ts), over the buddy allocator. Each iteration allocates 100 objects of
 * sizes drawn from a fixed mix (16 B … 4 KiB, plus one 16 KiB large kmalloc every 100) and frees
 * them in the same order: ops/s = hz × 200. The size sequence is precomputed from a seeded RNG so
 * both allocators see the same one.
 */
import { CostModel, GFP_KERNEL, KernelLog, Prandom, SZ_1G, SimClock, SlabCommon, pfnDown } from "@mmsim/core";
import { createBuddyAllocator } from "@mmsim/buddy";
import { SlabAllocator } from "@mmsim/slab";
import { SlubAllocator } from "@mmsim/slub";
import { bench, describe } from "vitest";

const BATCH = 100;
const MIX = [16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096];
const rng = new Prandom(7);
const sizes = Int32Array.from({ length: BATCH }, (_, i) => (i === BATCH - 1 ? 16384 : MIX[rng.below(MIX.length)]!));
const topo = { nrCpus: 2, nrNodes: 1, cpuToNode: [0, 0] };

/**
 * The slab layers over the real buddy allocator of a 1 GiB board (issue 22: over
 * FakePageAllocator, which never reuses a frame, the 16 KiB kmalloc ran it dry and the tail of
 * the run timed the allocation-failure path).
 */
function layer(kind: "slub" | "slab"): SlabCommon {
  const RAM = 0x40000000;
  const pages = createBuddyAllocator({
    nrCpus: 2,
    nodes: [{ nid: 0, ranges: [[pfnDown(RAM), pfnDown(RAM + SZ_1G)]] }],
    maxZonePfn: [pfnDown(RAM + SZ_1G), pfnDown(RAM + SZ_1G), pfnDown(RAM + SZ_1G), 0],
    reserved: [[0x40210000, 0x4220b000]],
  });
  const allocator =
    kind === "slub"
      ? new SlubAllocator(pages, pages.state.mem, topo, new SimClock(), new CostModel(), new KernelLog(), new Prandom(1), {})
      : new SlabAllocator(pages, pages.state.mem, topo, new SimClock(), new CostModel(), new KernelLog(), new Prandom(1));
  const sc = new SlabCommon(allocator, pages, new KernelLog());
  sc.createKmallocCaches();
  return sc;
}

const held = new Float64Array(BATCH);
describe(`kmalloc + kfree of a size mix 16 B … 16 KiB (each iteration = ${BATCH} kmallocs + ${BATCH} kfrees: ops/s = hz × ${2 * BATCH})`, () => {
  for (const kind of ["slub", "slab"] as const) {
    const sc = layer(kind);
    bench(`kmalloc size mix (${kind})`, () => {
      for (let i = 0; i < BATCH; i++) held[i] = sc.kmalloc(sizes[i]!, GFP_KERNEL, 0);
      for (let i = 0; i < BATCH; i++) sc.kfree(held[i]!, 0);
    });
  }
});
