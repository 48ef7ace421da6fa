// mmsim: tests of SLUB — the contract, the fast and slow paths, per-CPU and per-node partial slabs, deactivation, failures, corruption without slub_debug, determinism, DI
import {
  COST_MODEL, CostModel, GFP_KERNEL, KERNEL_LOG, KernelLog, KmemCacheAllocator, MEM_MAP, NIL_OBJECT, NIL_PFN,
  NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B, PageAllocator, Prandom, RNG, SIM_CLOCK, SimClock, SLAB_HWCACHE_ALIGN,
  SLAB_RECLAIM_ACCOUNT, TOPOLOGY, __GFP_ZERO,
} from "@mmsim/core";
import { describeKmemCacheAllocator } from "@mmsim/core/contracts";
import { CollectingSink, expectValid, FakePageAllocator } from "@mmsim/core/testing";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { slubModule } from "./module.ts";
import { SlubAllocator } from "./slub.ts";
import { SLUB_OPTIONS } from "./slub-options.ts";
import { sysfsShow } from "./slub-sysfs.ts";
import { logLines, makeSlub, makeSlubOn, type SlubRig } from "./slub.test-helpers.ts";

describeKmemCacheAllocator("slub", () => {
  const { allocator, pages } = makeSlub();
  return { allocator, pages };
});
describeKmemCacheAllocator("slub (slub_debug)", () => {
  const { allocator, pages } = makeSlub({ slubDebug: "" });
  return { allocator, pages };
});

/** The problems validate() reports (for tests that corrupt on purpose). */
function problems(a: SlubAllocator): string[] {
  const sink = new CollectingSink();
  a.validate(sink);
  return sink.problems.map((p) => `${p.where}: ${p.problem}`);
}

/** Slab ids of a cache on its node-0 partial list, in list order. */
function partialList(a: SlubAllocator, s: number): number[] {
  const head = a.caches.nodePartial[s]!;
  const out: number[] = [];
  for (let p = a.slabs.listNext[head]!; p !== head; p = a.slabs.listNext[p]!) out.push(p);
  return out;
}

/** The slab id of an object. */
function slabOf(a: SlubAllocator, obj: number): number {
  return a.mem.private[a.mem.pfnToPage(Math.floor(obj / 4096))]! - 1;
}

describe("fast path", () => {
  it("alloc + free on one CPU hands the same object back (LIFO lockless freelist) and charges slabAllocFast/slabFreeFast", () => {
    const { allocator: a, clock } = makeSlub();
    const c = a.kmemCacheCreate("test-64", 64, 64, SLAB_HWCACHE_ALIGN);
    const o1 = a.kmemCacheAlloc(c, GFP_KERNEL, 0); // slow: new slab
    expectValid(a);
    const t0 = clock.now();
    a.kmemCacheFree(c, o1, 0);
    expect(clock.now() - t0).toBe(10);
    expectValid(a);
    const t1 = clock.now();
    expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).toBe(o1);
    expect(clock.now() - t1).toBe(10);
    expectValid(a);
    expect(sysfsShow(a, c, "cpu_slabs")).toBe("1 N0=1\n");
    expect(a.slabs.frozen[slabOf(a, o1)]).toBe(1);
  });

  it("each CPU has its own slab", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("test-256", 256, 8, 0);
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const y = a.kmemCacheAlloc(c, GFP_KERNEL, 1);
    expect(slabOf(a, x)).not.toBe(slabOf(a, y));
    expect(sysfsShow(a, c, "cpu_slabs")).toBe("2 N0=2\n");
    expectValid(a);
  });

  it("random alloc/free on 2 CPUs keeps every invariant after every step", () => {
    const { allocator: a, pages } = makeSlub();
    const caches = [a.kmemCacheCreate("a-64", 64, 64, SLAB_HWCACHE_ALIGN), a.kmemCacheCreate("b-512", 512, 8, 0), a.kmemCacheCreate("c-4096", 4096, 8, SLAB_RECLAIM_ACCOUNT)];
    const live: [number, number][] = [];
    const rnd = new Prandom(7);
    for (let step = 0; step < 3000; step++) {
      const cpu = rnd.below(2);
      if (live.length === 0 || rnd.below(100) < 55) {
        const c = caches[rnd.below(3)]!;
        const o = a.kmemCacheAlloc(c, GFP_KERNEL, cpu);
        expect(o).not.toBe(NIL_OBJECT);
        live.push([c, o]);
      } else {
        const [c, o] = live.splice(rnd.below(live.length), 1)[0]!;
        a.kmemCacheFree(c, o, cpu);
      }
      expectValid(a, `step ${step}`);
    }
    expect(new Set(live.map((x) => x[1])).size).toBe(live.length);
    for (const [c, o] of live) a.kmemCacheFree(c, o, 0);
    for (const c of caches) {
      a.kmemCacheShrink(c);
      expect(a.stats(c).numSlabs).toBe(0);
      expect(a.kmemCacheDestroy(c)).toBe(0);
    }
    expect(pages.pagesInUse).toBe(0);
    expect(pages.nodeStat.get(NR_SLAB_UNRECLAIMABLE_B)).toBe(0);
    expect(pages.nodeStat.get(NR_SLAB_RECLAIMABLE_B)).toBe(0);
    expectValid(a);
  });
});

describe("per-CPU partial slabs (CONFIG_SLUB_CPU_PARTIAL)", () => {
  it("a free into a full slab freezes it onto the freeing CPU's partial chain; a full chain drains to the node list", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t-512", 512, 8, 0); // 16 per slab, cpu_partial 52 → cpu_partial_slabs 7
    expect(a.caches.cpuPartialSlabs[c]).toBe(7);
    const objs: number[] = [];
    for (let i = 0; i < 16 * 10; i++) objs.push(a.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expectValid(a);
    // Slabs 0..8 are full and on no list; slab 9 is CPU 0's slab.
    expect(sysfsShow(a, c, "partial")).toBe("0\n");
    for (let k = 0; k < 7; k++) {
      a.kmemCacheFree(c, objs[k * 16]!, 1); // CPU 1 frees one object of each full slab
      expectValid(a);
      const s = slabOf(a, objs[k * 16]!);
      expect(a.slabs.frozen[s]).toBe(1);
    }
    expect(sysfsShow(a, c, "slabs_cpu_partial")).toBe("56(7) C1=56(7)\n");
    expect(sysfsShow(a, c, "partial")).toBe("0\n");
    // The eighth finds the chain full (7 ≥ cpu_partial_slabs): the 7 go to the node partial list.
    a.kmemCacheFree(c, objs[7 * 16]!, 1);
    expectValid(a);
    expect(sysfsShow(a, c, "partial")).toBe("7 N0=7\n");
    expect(sysfsShow(a, c, "slabs_cpu_partial")).toBe("8(1) C1=8(1)\n");
    expect(partialList(a, c).map((s) => a.slabs.frozen[s])).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it("___slab_alloc takes the next CPU partial slab when the CPU slab is exhausted", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t-512", 512, 8, 0);
    const objs: number[] = [];
    for (let i = 0; i < 32; i++) objs.push(a.kmemCacheAlloc(c, GFP_KERNEL, 0)); // two full slabs, the second is CPU 0's
    const first = slabOf(a, objs[0]!);
    a.kmemCacheFree(c, objs[0]!, 0); // slow free (not the CPU slab): freezes `first` onto CPU 0's chain
    expect(a.caches.cpuPartialHead[c * 2]).toBe(first);
    expectValid(a);
    const o = a.kmemCacheAlloc(c, GFP_KERNEL, 0); // CPU slab empty → get_freelist NULL → partial chain
    expect(o).toBe(objs[0]);
    expect(a.caches.cpuSlab[c * 2]).toBe(first);
    expectValid(a);
  });

  it("get_partial_node moves more than half of cpu_partial_slabs to the CPU partial chain", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t-2k", 2048, 8, 0); // 16 per order-3 slab, cpu_partial 24 → 3 slabs
    expect(a.caches.cpuPartialSlabs[c]).toBe(3);
    const objs: number[] = [];
    for (let i = 0; i < 16 * 6; i++) objs.push(a.kmemCacheAlloc(c, GFP_KERNEL, 0));
    a.flushAll(c);
    for (let k = 0; k < 6; k++) a.kmemCacheFree(c, objs[k * 16]!, 0); // each slab: one free object
    a.flushAll(c);
    expect(a.caches.nrPartial[c]).toBe(6);
    expectValid(a);
    a.kmemCacheAlloc(c, GFP_KERNEL, 1); // first slab → CPU slab, then 2 more to the chain (2 > 3 / 2)
    expect(a.caches.nrPartial[c]).toBe(3);
    expect(sysfsShow(a, c, "slabs_cpu_partial")).toBe("16(2) C1=16(2)\n");
    expectValid(a);
  });
});

describe("node partial lists and min_partial", () => {
  it("keeps empty slabs while the node has fewer than min_partial partial slabs, frees the others; shrink frees the rest", () => {
    const { allocator: a, pages } = makeSlub({ cpuPartial: false });
    const c = a.kmemCacheCreate("t-512", 512, 8, 0); // 16 objects per order-1 slab, min_partial 5
    expect(Number(sysfsShow(a, c, "min_partial"))).toBe(5);
    expect(Number(sysfsShow(a, c, "cpu_partial"))).toBe(0);
    const objs: number[] = [];
    for (let i = 0; i < 160; i++) objs.push(a.kmemCacheAlloc(c, GFP_KERNEL, 0));
    a.flushAll(c); // the CPU slab is full: deactivated onto no list
    expectValid(a);
    expect(a.stats(c)).toMatchObject({ numSlabs: 10, numObjs: 160, activeObjs: 160, partialSlabs: 0 });
    for (const o of objs) {
      a.kmemCacheFree(c, o, 1);
      expectValid(a);
    }
    // __slab_free discards an empty slab when nr_partial >= min_partial, counting the slab itself:
    // freeing slab after slab leaves min_partial - 1 = 4 empty slabs.
    expect(a.stats(c)).toMatchObject({ numSlabs: 4, numObjs: 64, activeObjs: 0, partialSlabs: 4 });
    expect(a.slabPages(c)).toBe(8);
    expect(sysfsShow(a, c, "objects_partial")).toBe("0\n");
    expect(a.kmemCacheShrink(c)).toBe(0);
    expect(a.stats(c).numSlabs).toBe(0);
    expect(pages.pagesInUse).toBe(0);
    expectValid(a);
  });

  it("shrink sorts the partial list: fewest free objects first", () => {
    const { allocator: a } = makeSlub({ cpuPartial: false });
    const c = a.kmemCacheCreate("t-512", 512, 8, 0);
    const objs: number[] = [];
    for (let i = 0; i < 16 * 4; i++) objs.push(a.kmemCacheAlloc(c, GFP_KERNEL, 0));
    a.flushAll(c);
    // slab k gets 4 - k frees: 4, 3, 2, 1 free objects
    for (let k = 0; k < 4; k++) for (let j = 0; j < 4 - k; j++) a.kmemCacheFree(c, objs[k * 16 + j]!, 0);
    const ids = [0, 1, 2, 3].map((k) => slabOf(a, objs[k * 16]!));
    expect(partialList(a, c)).toEqual(ids);
    expect(a.kmemCacheShrink(c)).toBe(1);
    expect(partialList(a, c)).toEqual([...ids].reverse());
    expectValid(a);
  });
});

describe("deactivate_slab", () => {
  it("flushing a CPU slab splices its freelist into the slab and puts it on the node partial list (head)", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t-256", 256, 8, 0); // 16 per slab
    const objs = Array.from({ length: 5 }, () => a.kmemCacheAlloc(c, GFP_KERNEL, 0));
    const s = slabOf(a, objs[0]!);
    expect(a.slabs.inuse[s]).toBe(16); // frozen CPU slab: the whole freelist belongs to the CPU
    a.flushAll(c);
    expectValid(a);
    expect(a.slabs.frozen[s]).toBe(0);
    expect(a.slabs.inuse[s]).toBe(5);
    expect(partialList(a, c)).toEqual([s]);
    expect(sysfsShow(a, c, "objects")).toBe("5 N0=5\n");
    expect(sysfsShow(a, c, "objects_partial")).toBe("5 N0=5\n");
    expect(a.stats(c).activeObjs).toBe(5);
  });

  it("remote frees to a frozen slab stay on slab->freelist and are picked up by get_freelist", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t-256", 256, 8, 0);
    const objs = Array.from({ length: 16 }, () => a.kmemCacheAlloc(c, GFP_KERNEL, 0)); // CPU 0's slab, now empty of free objects
    const s = slabOf(a, objs[0]!);
    a.kmemCacheFree(c, objs[3]!, 1);
    a.kmemCacheFree(c, objs[7]!, 1);
    expectValid(a);
    expect(a.slabs.frozen[s]).toBe(1);
    expect(a.slabs.inuse[s]).toBe(14);
    expect(a.caches.cpuSlab[c * 2]).toBe(s);
    expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).toBe(objs[7]);
    expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).toBe(objs[3]);
    expect(a.slabs.inuse[s]).toBe(16);
    expectValid(a);
  });

  it("an allocation for another node deactivates the CPU slab (2 nodes)", () => {
    const fake = new FakePageAllocator();
    for (let p = fake.mem.nrPages / 2; p < fake.mem.nrPages; p++) fake.mem.nodeZone[p] = 1 << 2; // upper half: node 1
    const halfPfn = fake.mem.basePfn + fake.mem.nrPages / 2;
    const numa: PageAllocator = {
      allocPages(gfp, order, cpu, nid) {
        if (nid !== 1) return fake.allocPages(gfp, order);
        let pfn = fake.allocPages(gfp, order);
        while (pfn !== NIL_PFN && pfn < halfPfn) pfn = fake.allocPages(gfp, order); // skip to node 1's memory
        return pfn;
      },
      freePages: (pfn, order) => fake.freePages(pfn, order),
      modNodePageState: (pfn, item, d) => fake.modNodePageState(pfn, item, d),
    };
    const { allocator: a } = makeSlubOn(numa, fake, {}, 42, { nrCpus: 2, nrNodes: 2, cpuToNode: [0, 1] });
    const c = a.kmemCacheCreate("t-256", 256, 8, 0);
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    expect(a.slabs.nid[slabOf(a, x)]).toBe(0);
    const y = a.kmemCacheAlloc(c, GFP_KERNEL, 0, 1);
    expect(a.slabs.nid[slabOf(a, y)]).toBe(1);
    expect(a.caches.nrPartial[c * 2]).toBe(1); // node 0's slab went to its partial list
    // `objects` counts a CPU slab's objects as in use: node 1's CPU slab shows 16.
    expect(sysfsShow(a, c, "objects")).toBe("17 N0=1 N1=16\n");
    expect(sysfsShow(a, c, "cpu_slabs")).toBe("1 N1=1\n");
    expectValid(a);
  });
});

describe("NUMA: get_any_partial", () => {
  it("with no partial slab on its node, an allocation takes one from a node above min_partial", () => {
    const fake = new FakePageAllocator();
    for (let p = fake.mem.nrPages / 2; p < fake.mem.nrPages; p++) fake.mem.nodeZone[p] = 1 << 2;
    const halfPfn = fake.mem.basePfn + fake.mem.nrPages / 2;
    const numa: PageAllocator = {
      allocPages(gfp, order, _cpu, nid) {
        let pfn = fake.allocPages(gfp, order);
        while (nid === 1 && pfn !== NIL_PFN && pfn < halfPfn) pfn = fake.allocPages(gfp, order);
        return pfn;
      },
      freePages: (pfn, order) => fake.freePages(pfn, order),
      modNodePageState: (pfn, item, d) => fake.modNodePageState(pfn, item, d),
    };
    const { allocator: a, clock } = makeSlubOn(numa, fake, { cpuPartial: false }, 42, { nrCpus: 2, nrNodes: 2, cpuToNode: [0, 1] });
    const c = a.kmemCacheCreate("t-512", 512, 8, 0); // min_partial 5
    const objs = Array.from({ length: 16 * 7 }, () => a.kmemCacheAlloc(c, GFP_KERNEL, 1, 1));
    a.flushAll(c);
    for (let k = 0; k < 7; k++) a.kmemCacheFree(c, objs[k * 16]!, 1);
    expect(a.caches.nrPartial[c * 2 + 1]).toBe(7);
    expectValid(a);
    clock.advanceTo(Math.ceil(clock.now() / 1024) * 1024); // get_cycles() % 1024 ≤ remote_node_defrag_ratio (1000)
    const o = a.kmemCacheAlloc(c, GFP_KERNEL, 0); // CPU 0, node 0, NUMA_NO_NODE
    expect(a.slabs.nid[slabOf(a, o)]).toBe(1);
    expect(a.caches.nrPartial[c * 2 + 1]).toBe(6);
    expectValid(a);
  });
});

describe("failures", () => {
  it("no page: NIL_OBJECT and slab_out_of_memory()'s report", () => {
    const { allocator: a, pages, log } = makeSlub();
    const c = a.kmemCacheCreate("t-1k", 1024, 8, 0);
    pages.failAfter = 0;
    const from = log.length;
    expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).toBe(NIL_OBJECT);
    expect(logLines(log, from)).toEqual([
      "SLUB: Unable to allocate memory on node -1, gfp=0xcc0(GFP_KERNEL)",
      "  cache: t-1k, object size: 1024, buffer size: 1024, default order: 2, min order: 0",
      "  node 0: slabs: 0, objs: 0, free: 0",
    ]);
    expectValid(a);
  });

  it("falls back to the minimum order (s->min) when the preferred order cannot be had", () => {
    const fake = new FakePageAllocator();
    const order0Only: PageAllocator = {
      allocPages: (gfp, order) => (order > 0 ? NIL_PFN : fake.allocPages(gfp, order)),
      freePages: (pfn, order) => fake.freePages(pfn, order),
      modNodePageState: (pfn, item, d) => fake.modNodePageState(pfn, item, d),
    };
    const { allocator: a } = makeSlubOn(order0Only, fake);
    const c = a.kmemCacheCreate("t-1k", 1024, 8, 0);
    expect(a.geometry(c)).toMatchObject({ order: 2, objsPerSlab: 16 });
    const objs = Array.from({ length: 5 }, () => a.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expect(objs.every((o) => o !== NIL_OBJECT)).toBe(true);
    expect(a.stats(c)).toMatchObject({ numSlabs: 2, numObjs: 8 });
    expectValid(a);
  });

  it("kmem_cache_destroy with objects left: -EBUSY, `Objects remaining` report with hashed pointers, the cache stays usable", () => {
    const { allocator: a, log } = makeSlub();
    const c = a.kmemCacheCreate("leaky", 256, 8, 0);
    const o = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const from = log.length;
    expect(a.kmemCacheDestroy(c)).toBeLessThan(0);
    const lines = logLines(log, from);
    expect(lines[0]).toBe("=============================================================================");
    expect(lines[1]).toBe("BUG leaky (Not tainted): Objects remaining in leaky on __kmem_cache_shutdown()");
    expect(lines[2]).toBe("-----------------------------------------------------------------------------");
    expect(lines[3]).toBe("");
    expect(lines[4]).toMatch(/^Slab 0x00000000[0-9a-f]{8} objects=16 used=1 fp=0x00000000[0-9a-f]{8} flags=0x3fffc0000000200\(slab\|node=0\|zone=0\|lastcpupid=0xffff\)$/);
    expect(lines).toContain("Disabling lock debugging due to kernel taint");
    expect(lines.at(-1)).toMatch(/^Object 0x00000000[0-9a-f]{8} @offset=\d+$/);
    expectValid(a);
    a.kmemCacheFree(c, o, 0);
    expect(a.kmemCacheDestroy(c)).toBe(0);
    expect(a.objectCache(o)).toBe(-1);
  });

  it("API misuse throws ArgumentError; simulated kernel bugs never throw", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t", 64, 8, 0);
    expect(() => a.kmemCacheAlloc(99, GFP_KERNEL, 0)).toThrow(/slub.kmemCacheAlloc: .*cacheId/);
    expect(() => a.kmemCacheAlloc(c, GFP_KERNEL, 5)).toThrow(/cpu/);
    expect(() => a.geometry(-1)).toThrow(/cacheId/);
    expect(a.kmemCacheCreate("bad", 0, 8, 0)).toBeLessThan(0);
    expect(a.kmemCacheCreate("bad", 64, 24, 0)).toBeLessThan(0);
    expect(a.kmemCacheCreate("huge", 8 << 20, 8, 0)).toBeLessThan(0); // no order fits: -EINVAL
    expect(a.geometry(a.kmemCacheCreate("tiny-align", 64, 0, 0)).align).toBe(8);
    const o = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    expect(() => a.kmemCacheFree(c, o + 3, 0)).not.toThrow();
    expect(() => a.kmemCacheFree(c, 0x1234, 0)).not.toThrow();
  });
});

describe("kmem_cache_free checks (CONFIG_SLAB_FREELIST_HARDENED)", () => {
  it("a free into the wrong cache WARNs and frees into the owning cache", () => {
    const { allocator: a, log } = makeSlub();
    const c64 = a.kmemCacheCreate("kmalloc-64", 64, 64, 0);
    const c128 = a.kmemCacheCreate("kmalloc-128", 128, 128, 0);
    const o = a.kmemCacheAlloc(c64, GFP_KERNEL, 0);
    const from = log.length;
    a.kmemCacheFree(c128, o, 0);
    expect(logLines(log, from).slice(0, 5)).toEqual([
      "------------[ cut here ]------------",
      "cache_from_obj: Wrong slab cache. kmalloc-128 but object is from kmalloc-64",
      "WARNING: CPU: 0 PID: 0 at mm/slab.h:660 kmem_cache_free",
      "Modules linked in:",
      "CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.1.0-56-arm64 #1  Debian 6.1.192-2",
    ]);
    expect(logLines(log, from).at(-1)).toBe("---[ end trace 0000000000000000 ]---");
    expect(a.kmemCacheAlloc(c64, GFP_KERNEL, 0)).toBe(o); // it went back to kmalloc-64's CPU freelist
    expectValid(a);
    // The next report shows the W taint.
    const f2 = log.length;
    a.kmemCacheFree(c128, o, 0);
    expect(logLines(log, f2)[4]).toBe("CPU: 0 PID: 0 Comm: swapper/0 Tainted: G        W          6.1.0-56-arm64 #1  Debian 6.1.192-2");
  });

  it("an address in no slab: WARN_ONCE, nothing freed", () => {
    const { allocator: a, log } = makeSlub();
    const c = a.kmemCacheCreate("t", 64, 8, 0);
    a.kmemCacheFree(c, 0x7000_0000, 0);
    a.kmemCacheFree(c, 0x7000_0040, 0);
    const lines = logLines(log);
    expect(lines.filter((l) => l === "virt_to_cache: Object is not a Slab page!")).toHaveLength(1);
    expect(lines).toContain("WARNING: CPU: 0 PID: 0 at mm/slab.h:625 kmem_cache_free");
    expectValid(a);
  });

  it("freeing the object at the head of the CPU freelist again: kernel BUG at mm/slub.c:419 (set_freepointer), nothing corrupted", () => {
    const { allocator: a, log } = makeSlub();
    const c = a.kmemCacheCreate("t", 64, 8, 0);
    const o = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, o, 0);
    const from = log.length;
    a.kmemCacheFree(c, o, 0);
    expect(logLines(log, from).slice(0, 5)).toEqual([
      "------------[ cut here ]------------",
      "kernel BUG at mm/slub.c:419!",
      "Internal error: Oops - BUG: 00000000f2000800 [#1] SMP",
      "Modules linked in:",
      "CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.1.0-56-arm64 #1  Debian 6.1.192-2",
    ]);
    expect(logLines(log, from)).toContain(" set_freepointer");
    expect(logLines(log, from).slice(-2)).toEqual(["Disabling lock debugging due to kernel taint", "---[ end trace 0000000000000000 ]---"]);
    expectValid(a);
  });
});

describe("corruption without slub_debug: only the simulated kernel's state breaks", () => {
  it("a double free with another free in between puts the object twice on the CPU freelist; it is then handed out twice", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t-64", 64, 8, 0);
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const y = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, x, 0);
    a.kmemCacheFree(c, y, 0);
    a.kmemCacheFree(c, x, 0); // no BUG: x is not the head (y is)
    expect(problems(a).join("\n")).toMatch(/on two freelists|freelist loops/);
    const got = [a.kmemCacheAlloc(c, GFP_KERNEL, 0), a.kmemCacheAlloc(c, GFP_KERNEL, 0), a.kmemCacheAlloc(c, GFP_KERNEL, 0)];
    expect(got).toEqual([x, y, x]);
  });

  it("without hardening the same double free makes x point to itself", () => {
    const { allocator: a, log } = makeSlub({ freelistHardened: false });
    const c = a.kmemCacheCreate("t-64", 64, 8, 0);
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, x, 0);
    a.kmemCacheFree(c, x, 0);
    expect(log.length).toBe(0);
    expect(problems(a).join("\n")).toMatch(/twice on the cpu freelist|loops/);
  });

  it("a double free into a slab that is not the CPU's drops inuse twice: a broken count", () => {
    const { allocator: a } = makeSlub({ cpuPartial: false });
    const c = a.kmemCacheCreate("t-64", 64, 8, 0);
    const objs = Array.from({ length: 3 }, () => a.kmemCacheAlloc(c, GFP_KERNEL, 0));
    a.flushAll(c);
    a.kmemCacheFree(c, objs[0]!, 1);
    a.kmemCacheFree(c, objs[1]!, 1);
    a.kmemCacheFree(c, objs[0]!, 1);
    expect(problems(a).join("\n")).toMatch(/twice|inuse/);
  });

  it("writing past an object over a free neighbour's free pointer: the freelist goes wild and allocation oopses", () => {
    const { allocator: a, log } = makeSlub({ freelistRandom: false });
    const c = a.kmemCacheCreate("t-64", 64, 8, 0); // free pointer at offset 32
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0); // object 0; object 1 is next on the CPU freelist
    a.debugWrite(x, 64, 40, 0x41); // 40 bytes past the end: object 1's bytes 0..39, its free pointer included
    expect(problems(a).join("\n")).toMatch(/wild pointer/);
    expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).toBe(x + 64); // object 1 itself is fine
    const from = log.length;
    expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).toBe(NIL_OBJECT); // following its pointer faults
    const lines = logLines(log, from);
    expect(lines[0]).toMatch(/^Unable to handle kernel paging request at virtual address [0-9a-f]{16}$/);
    expect(lines[1]).toBe("Internal error: Oops: 0000000096000004 [#1] SMP");
  });

  it("a pointer into the middle of an object is dropped and counted", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t-64", 64, 8, 0);
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, x + 8, 0);
    expect(problems(a)).toEqual(["slub t-64: 1 free(s) of a pointer inside an object were dropped"]);
  });
});

describe("SLAB_FREELIST_RANDOM and determinism", () => {
  function run(seed: number, opts = {}): { objs: number[]; dmesg: string; sysfs: string[]; rig: SlubRig } {
    const rig = makeSlub(opts, seed);
    const a = rig.allocator;
    const c = a.kmemCacheCreate("t-128", 128, 128, 0);
    const d = a.kmemCacheCreate("d-256", 256, 8, 0);
    const objs: number[] = [];
    const rnd = new Prandom(seed + 1);
    const live: [number, number][] = [];
    for (let i = 0; i < 2000; i++) {
      if (live.length && rnd.below(3) === 0) {
        const [k, o] = live.splice(rnd.below(live.length), 1)[0]!;
        a.kmemCacheFree(k, o, rnd.below(2));
      } else {
        const k = rnd.below(2) ? c : d;
        const o = a.kmemCacheAlloc(k, GFP_KERNEL | (i % 7 === 0 ? __GFP_ZERO : 0), rnd.below(2));
        objs.push(o);
        live.push([k, o]);
      }
    }
    a.kmemCacheFree(c, live[0]![1], 0); // a wrong-cache or double free now and then: some log text
    return { objs, dmesg: rig.log.dmesg(), sysfs: ["objects", "partial", "cpu_slabs", "slabs_cpu_partial"].flatMap((k) => [sysfsShow(a, c, k)!, sysfsShow(a, d, k)!]), rig };
  }

  it("a new slab's freelist is shuffled (and in address order without FREELIST_RANDOM)", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t-128", 128, 128, 0);
    const objs = Array.from({ length: 32 }, () => a.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expect(objs).not.toEqual([...objs].sort((p, q) => p - q));
    expect(new Set(objs).size).toBe(32);
    const { allocator: b } = makeSlub({ freelistRandom: false });
    const d = b.kmemCacheCreate("t-128", 128, 128, 0);
    const lin = Array.from({ length: 32 }, () => b.kmemCacheAlloc(d, GFP_KERNEL, 0));
    expect(lin).toEqual([...lin].sort((p, q) => p - q));
  });

  it("same seed → byte-identical objects, dmesg and sysfs; another seed differs", () => {
    const r1 = run(1234);
    const r2 = run(1234);
    expect(r2.objs).toEqual(r1.objs);
    expect(r2.dmesg).toBe(r1.dmesg);
    expect(r2.sysfs).toEqual(r1.sysfs);
    expect(r2.rig.clock.now()).toBe(r1.rig.clock.now());
    expectValid(r1.rig.allocator);
    expect(run(99).objs).not.toEqual(r1.objs);
  });

  it("same seed under slub_debug → identical reports", () => {
    const r1 = run(5, { slubDebug: "" });
    const r2 = run(5, { slubDebug: "" });
    expect(r2.dmesg).toBe(r1.dmesg);
    expect(r2.objs).toEqual(r1.objs);
  });
});

describe("dependency injection", () => {
  function child() {
    const fake = new FakePageAllocator();
    const c = container.createChildContainer();
    c.register(PageAllocator, { useValue: fake });
    c.register(MEM_MAP, { useValue: fake.mem });
    c.register(TOPOLOGY, { useValue: { nrCpus: 2, nrNodes: 1, cpuToNode: [0, 0] } });
    c.register(SIM_CLOCK, { useValue: new SimClock() });
    c.register(COST_MODEL, { useValue: new CostModel() });
    c.register(KERNEL_LOG, { useValue: new KernelLog() });
    c.register(RNG, { useValue: new Prandom(1) });
    return c;
  }

  it("slubModule registers SlubAllocator (container-scoped) and SLUB_OPTIONS from the module options", () => {
    const c1 = child();
    slubModule.register(c1, { slubDebug: "FZ,foo", slubMaxOrder: 2 });
    const a = c1.resolve<KmemCacheAllocator>(KmemCacheAllocator);
    expect(a).toBeInstanceOf(SlubAllocator);
    expect(a.name).toBe("slub");
    expect(c1.resolve(KmemCacheAllocator)).toBe(a);
    expect(c1.resolve(SLUB_OPTIONS)).toMatchObject({ slubDebug: "FZ,foo", slubMaxOrder: 2 });
    expect((a as SlubAllocator).orderParams.maxOrder).toBe(2);
    const c2 = child();
    slubModule.register(c2);
    const b = c2.resolve<KmemCacheAllocator>(KmemCacheAllocator);
    expect(b).not.toBe(a);
    expect((b as SlubAllocator).debugSetting.enabled).toBe(false);
    expect(slubModule).toMatchObject({ slot: "slab", name: "slub" });
  });

  it("rejects an unknown option", () => {
    expect(() => slubModule.register(child(), { slub_debug: "F" })).toThrow(/slub\.slub_debug/);
  });
});
