// mmsim: SLAB's allocation and free paths — array_cache hits, refills, flushes, the shared array, growth and shrinking — with validate() after every step
import {
  GFP_KERNEL, KernelLog, NIL_OBJECT, NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B, PAGE_SIZE, SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT,
  SlabCommon, __GFP_HIGHMEM, formatGfpFlags, pageSlab,
} from "@mmsim/core";
import { describeKmemCacheAllocator } from "@mmsim/core/contracts";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { BATCHREFILL_LIMIT } from "./slab-alloc.ts";
import { makeSlab, step } from "./slab.test-helpers.ts";

describeKmemCacheAllocator("slab", () => {
  const { slab, pages } = makeSlab();
  return { allocator: slab, pages };
});

/** A 64-byte cache: OBJFREELIST, 64 per slab, limit 120, batchcount 60, shared 8 (2 CPUs). */
function rig64(seed = 1) {
  const r = makeSlab({ seed });
  const c = r.slab.kmemCacheCreate("obj-64", 64, 64, SLAB_HWCACHE_ALIGN);
  return { ...r, c };
}

describe("the per-CPU array_cache", () => {
  it("a first allocation refills an untouched array with BATCHREFILL_LIMIT objects from one new slab, then hands out the last", () => {
    const { slab, c, pages } = rig64();
    const o = step(slab, "first alloc", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expect(o).not.toBe(NIL_OBJECT);
    const ac = slab.arrayCache(c, 0);
    // batchcount 60 > BATCHREFILL_LIMIT 16 and touched = 0: a partial refill of 16; one was handed out
    expect(ac.avail).toBe(BATCHREFILL_LIMIT - 1);
    expect(ac.touched).toBe(1);
    const n = slab.nodeInfo(c, 0);
    expect([n.totalSlabs, n.partialSlabs, n.fullSlabs, n.freeSlabs, n.freeObjects]).toEqual([1, 1, 0, 0, 64 - 16]);
    expect(pages.pagesInUse).toBe(1);
    expect(pageSlab(pages.mem, pages.mem.pfnToPage(Math.floor(o / PAGE_SIZE)))).toBe(true);
    expect(pages.nodeStat.get(NR_SLAB_UNRECLAIMABLE_B)).toBe(1);
  });

  it("is LIFO: a freed object is the next one handed out on that CPU", () => {
    const { slab, c } = rig64();
    const a = step(slab, "alloc a", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    const b = step(slab, "alloc b", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    step(slab, "free a", () => slab.kmemCacheFree(c, a, 0));
    expect(step(slab, "alloc again", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0))).toBe(a);
    step(slab, "free b", () => slab.kmemCacheFree(c, b, 0));
    step(slab, "free a", () => slab.kmemCacheFree(c, a, 0));
    expect(slab.arrayCache(c, 0).entries.slice(-2)).toEqual([b, a]);
  });

  it("a touched, empty array refills batchcount (60) objects: the partial slab's rest first, a new slab when none is left", () => {
    const { slab, c } = rig64();
    for (let i = 0; i < 16; i++) step(slab, `alloc ${i}`, () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expect(slab.arrayCache(c, 0).avail).toBe(0);
    // touched: batchcount 60; alloc_block takes the partial slab's 48 (batchcount 60 → 12), finds no
    // other slab, and does not grow since the array is no longer empty; one is handed out.
    step(slab, "refill", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expect(slab.arrayCache(c, 0).avail).toBe(47);
    let n = slab.nodeInfo(c, 0);
    expect([n.totalSlabs, n.fullSlabs, n.freeObjects]).toEqual([1, 1, 0]);
    // The next empty refill grows a slab and takes 60 of its 64 objects.
    for (let i = 0; i < 47; i++) slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    step(slab, "grow", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expect(slab.arrayCache(c, 0).avail).toBe(59);
    n = slab.nodeInfo(c, 0);
    expect([n.totalSlabs, n.partialSlabs, n.freeObjects]).toEqual([2, 1, 4]);
  });

  it("a full array flushes its oldest batchcount (60) entries to the shared array (8 × 60 = 480 entries)", () => {
    const { slab, c } = rig64();
    const objs: number[] = [];
    for (let i = 0; i < 121; i++) objs.push(slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expectValid(slab, "121 allocs");
    const seq = [...slab.arrayCache(c, 0).entries]; // what the last refill left in the array
    let k = 0;
    while (slab.arrayCache(c, 0).avail < 120) {
      seq.push(objs[k]!);
      slab.kmemCacheFree(c, objs[k++]!, 0);
    }
    expectValid(slab, "array full");
    expect(slab.sharedArray(c, 0)!.avail).toBe(0);
    seq.push(objs[k]!);
    step(slab, "flush", () => slab.kmemCacheFree(c, objs[k]!, 0));
    expect(slab.arrayCache(c, 0).avail).toBe(61);
    expect(slab.arrayCache(c, 0).entries).toEqual(seq.slice(60));
    expect(slab.sharedArray(c, 0)!.entries).toEqual(seq.slice(0, 60));
    expect(slab.stats(c).sharedAvail).toBe(60);
  });

  it("another CPU refills from the top of the shared array first (and marks it touched)", () => {
    const { slab, c } = rig64();
    const objs: number[] = [];
    for (let i = 0; i < 121; i++) objs.push(slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    for (const o of objs) slab.kmemCacheFree(c, o, 0);
    expectValid(slab);
    const shared = slab.sharedArray(c, 0)!.entries;
    expect(shared.length).toBeGreaterThanOrEqual(16);
    const slabs = slab.stats(c).numSlabs;
    const o = step(slab, "alloc on cpu1", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 1));
    // untouched array on CPU 1: transfer_objects() moves the top 16 entries of the shared array
    expect(o).toBe(shared[shared.length - 1]);
    expect(slab.arrayCache(c, 1).entries).toEqual(shared.slice(-16, -1));
    expect(slab.sharedArray(c, 0)!.avail).toBe(shared.length - 16);
    expect(slab.sharedArray(c, 0)!.touched).toBe(1);
    expect(slab.stats(c).numSlabs).toBe(slabs);
  });

  it("with the shared array full, a flush frees objects to their slabs; slabs beyond free_limit go back to the page allocator", () => {
    const { slab, c, pages } = rig64();
    const objs: number[] = [];
    for (let i = 0; i < 1000; i++) objs.push(slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expectValid(slab, "1000 allocs");
    const peak = pages.pagesInUse;
    for (let i = 0; i < 1000; i++) {
      slab.kmemCacheFree(c, objs[i]!, 0);
      if (i % 97 === 0) expectValid(slab, `free ${i}`);
    }
    expectValid(slab, "1000 frees");
    // held: 120 in the array, 480 in the shared array, and at most free_limit = 3*60 + 64 = 244 free in slabs
    expect(slab.arrayCache(c, 0).avail).toBeLessThanOrEqual(120);
    expect(slab.sharedArray(c, 0)!.avail).toBe(480);
    const n = slab.nodeInfo(c, 0);
    expect(n.freeObjects).toBeLessThanOrEqual(n.freeLimit);
    expect(pages.pagesInUse).toBeLessThan(peak);
    expect(pages.nodeStat.get(NR_SLAB_UNRECLAIMABLE_B)).toBe(pages.pagesInUse);
  });
});

describe("growth, failure and the page allocator", () => {
  it("counts slab pages as NR_SLAB_RECLAIMABLE_B for SLAB_RECLAIM_ACCOUNT caches and unsets PG_slab when they go back", () => {
    const { slab, pages } = makeSlab();
    const c = slab.kmemCacheCreate("dentry-like", 192, 8, SLAB_RECLAIM_ACCOUNT);
    const objs: number[] = [];
    for (let i = 0; i < 300; i++) objs.push(step(slab, `alloc ${i}`, () => slab.kmemCacheAlloc(c, GFP_KERNEL, i % 2)));
    expect(pages.nodeStat.get(NR_SLAB_RECLAIMABLE_B)).toBe(slab.slabPages(c));
    for (const o of objs) slab.kmemCacheFree(c, o, 0);
    expect(step(slab, "shrink", () => slab.kmemCacheShrink(c))).toBe(0);
    expect(slab.slabPages(c)).toBe(0);
    expect(pages.nodeStat.get(NR_SLAB_RECLAIMABLE_B)).toBe(0);
    expect(pages.pagesInUse).toBe(0);
    for (let p = 0; p < pages.mem.nrPages; p++) if (pageSlab(pages.mem, p)) throw new Error(`page ${p} still PageSlab`);
  });

  it("returns NIL_OBJECT when the page allocator fails, after 6.1's three tries: refill and ____cache_alloc_node on this node only, then fallback_alloc anywhere", () => {
    const { slab, c, pages } = rig64();
    const tries: number[] = [];
    const alloc = pages.allocPages.bind(pages);
    pages.allocPages = (gfp: number, order: number) => {
      tries.push(gfp);
      return alloc(gfp, order);
    };
    pages.failAfter = 0;
    expect(step(slab, "alloc", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0))).toBe(NIL_OBJECT);
    // gfp_exact_node(): | __GFP_THISNODE | __GFP_NOWARN, & ~(__GFP_RECLAIM | __GFP_NOFAIL); allocflags add __GFP_COMP
    expect(tries.map((g) => formatGfpFlags(g))).toEqual([
      "__GFP_IO|__GFP_FS|__GFP_NOWARN|__GFP_COMP|__GFP_THISNODE",
      "__GFP_IO|__GFP_FS|__GFP_NOWARN|__GFP_COMP|__GFP_THISNODE",
      "GFP_KERNEL|__GFP_COMP",
    ]);
    pages.failAfter = Number.POSITIVE_INFINITY;
    expect(step(slab, "alloc", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0))).not.toBe(NIL_OBJECT);
  });

  it("fixes up a GFP mask a slab must not get, with kmalloc_fix_flags()'s warning (in cache_grow_begin, after gfp_exact_node)", () => {
    const { slab, c, log } = rig64();
    expect(step(slab, "alloc", () => slab.kmemCacheAlloc(c, GFP_KERNEL | __GFP_HIGHMEM, 0))).not.toBe(NIL_OBJECT);
    expect(log.dmesg()).toContain("Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fixing up to gfp: 0x2020c0 (__GFP_IO|__GFP_FS|__GFP_NOWARN|__GFP_THISNODE). Fix your code!");
  });

  it("runs the constructor on every object of a new slab, once", () => {
    const { slab } = makeSlab();
    const seen: number[] = [];
    const c = slab.kmemCacheCreate("ctor", 256, 8, 0, (o) => seen.push(o));
    const objs: number[] = [];
    for (let i = 0; i < 40; i++) objs.push(step(slab, `alloc ${i}`, () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0)));
    const g = slab.geometry(c);
    expect(seen.length).toBe(slab.stats(c).numSlabs * g.objsPerSlab);
    expect(new Set(seen).size).toBe(seen.length);
    for (const o of objs) expect(seen).toContain(o);
  });

  it("destroy refuses while objects remain (-EBUSY) and keeps the cache usable", () => {
    const { slab, c } = rig64();
    const o = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    expect(step(slab, "destroy", () => slab.kmemCacheDestroy(c))).toBe(-16);
    expect(step(slab, "alloc after", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 1))).not.toBe(NIL_OBJECT);
    void o;
  });

  it("rejects calls with a destroyed cache, a CPU or node that does not exist", () => {
    const { slab, c } = rig64();
    expect(slab.kmemCacheDestroy(c)).toBe(0);
    expect(() => slab.kmemCacheAlloc(c, GFP_KERNEL, 0)).toThrow(/slab\.kmemCacheAlloc: cacheId/);
    const d = slab.kmemCacheCreate("d", 64, 8, 0);
    expect(() => slab.kmemCacheAlloc(d, GFP_KERNEL, 2)).toThrow(/cpu: expected an integer 0\.\.1/);
    expect(() => slab.kmemCacheAlloc(d, GFP_KERNEL, 0, 1)).toThrow(/nid/);
    expect(() => slab.kmemCacheFree(d, 0x40000000, 5)).toThrow(/cpu/);
    expectValid(slab);
  });
});

describe("determinism", () => {
  function run(seed: number): { addrs: number[]; dmesg: string; ns: number } {
    const { slab, c, clock, log } = rig64(seed);
    const d = slab.kmemCacheCreate("obj-350", 350, 8, 0);
    const addrs: number[] = [];
    const live: number[] = [];
    let x = 12345;
    for (let i = 0; i < 3000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const cpu = x % 2;
      if (live.length > 0 && (x >> 8) % 3 === 0) {
        const k = (x >> 4) % live.length;
        const o = live.splice(k, 1)[0]!;
        slab.kmemCacheFree(slab.objectCache(o), o, cpu);
      } else {
        const o = slab.kmemCacheAlloc((x >> 12) % 2 ? c : d, GFP_KERNEL, cpu);
        addrs.push(o);
        live.push(o);
      }
      if (i % 500 === 0) slab.cacheReap(cpu);
    }
    expectValid(slab);
    return { addrs, dmesg: log.dmesg(), ns: clock.now() };
  }

  it("the same seed gives the same objects, log and simulated time", () => {
    const a = run(7);
    const b = run(7);
    expect(b.addrs).toEqual(a.addrs);
    expect(b.dmesg).toBe(a.dmesg);
    expect(b.ns).toBe(a.ns);
  });

  it("another seed shuffles the freelists differently (SLAB_FREELIST_RANDOM)", () => {
    expect(run(8).addrs).not.toEqual(run(7).addrs);
  });
});

describe("the simulated clock", () => {
  it("charges slabAllocFast/slabFreeFast per array_cache hit and slabSlowPath per list_lock round trip", () => {
    const { slab, c, clock } = rig64();
    const a = slab.kmemCacheAlloc(c, GFP_KERNEL, 0); // refill: fast + slow (grow_end's list_lock)
    const t0 = clock.now();
    const b = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    expect(clock.now() - t0).toBe(10);
    const t1 = clock.now();
    slab.kmemCacheFree(c, b, 0);
    slab.kmemCacheFree(c, a, 0);
    expect(clock.now() - t1).toBe(20);
  });
});

describe("with slab_common on top (core's SlabCommon, KMALLOC_SHIFT_HIGH 13 as 6.1 SLAB has it)", () => {
  it("creates kmalloc-128 … kmalloc-8k and renders their /proc/slabinfo lines", () => {
    const { slab, pages } = makeSlab();
    const common = new SlabCommon(slab, pages, new KernelLog(), { kmallocShiftHigh: 13 });
    common.createKmallocCaches();
    expectValid(slab);
    const o = common.kmalloc(100, GFP_KERNEL, 0);
    expect(slab.cacheName(slab.objectCache(o))).toBe("kmalloc-128");
    expectValid(slab);
    const text = common.slabinfo();
    expect(text).toContain("kmalloc-128           16     32    128   32    1 : tunables  120   60    8 : slabdata      1      1      0\n");
    expect(text).toContain("kmalloc-8k             0      0   8192    1    2 : tunables    8    4    0 : slabdata      0      0      0\n");
    expect(common.kfree(o, 0)).toBe(0);
    expectValid(slab);
  });
});
