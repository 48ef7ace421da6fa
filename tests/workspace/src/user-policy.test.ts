// A user's own slab allocator plugs in from a file: examples/first-fit-slab is loaded by path,
// registered into a machine-style child container, and must keep the KmemCacheAllocator contract.
// It also drives core's slab_common (kmalloc caches, merging, slabinfo) as SLAB and SLUB do.
import { fileURLToPath } from "node:url";
import {
  GFP_KERNEL, KernelLog, KmemCacheAllocator, MEM_MAP, NIL_OBJECT, PageAllocator, SLAB_HWCACHE_ALIGN, SlabCommon,
  __GFP_ACCOUNT, __GFP_DMA, __GFP_RECLAIMABLE, isMmsimModule, kmallocIndex, resolveToken, type MmsimModule,
} from "@mmsim/core";
import { describeKmemCacheAllocator } from "@mmsim/core/contracts";
import { FakePageAllocator, expectValid } from "@mmsim/core/testing";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";

const path = fileURLToPath(new URL("../../../examples/first-fit-slab/first-fit-slab.mjs", import.meta.url));
const mod = (await import(path)).default as MmsimModule;

function make() {
  const pages = new FakePageAllocator(0x40000, 1 << 16);
  const c = container.createChildContainer();
  c.register(PageAllocator, { useValue: pages });
  c.register(MEM_MAP, { useValue: pages.mem });
  mod.register(c);
  return { allocator: resolveToken(c, KmemCacheAllocator), pages };
}

describe("a user's slab allocator loaded from examples/", () => {
  it("is an MmsimModule for the slab slot", () => {
    expect(isMmsimModule(mod)).toBe(true);
    expect([mod.slot, mod.name]).toEqual(["slab", "first-fit"]);
  });
});

describeKmemCacheAllocator("first-fit (examples/first-fit-slab)", make);

describe("slab_common over any allocator", () => {
  it("creates 6.1's kmalloc caches for arm64 (KMALLOC_MIN_SIZE 128): normal, cg, rcl, dma; 128 … 8k under SLUB's limit", () => {
    const { allocator, pages } = make();
    const sc = new SlabCommon(allocator, pages, new KernelLog());
    sc.createKmallocCaches();
    const names = sc.caches.map((c) => c.name).reverse();
    expect(names.slice(0, 7)).toEqual(["kmalloc-128", "kmalloc-256", "kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k"]);
    expect(names).toContain("kmalloc-cg-1k");
    expect(names).toContain("kmalloc-rcl-8k");
    expect(names).toContain("dma-kmalloc-128");
    expect(names.length).toBe(28);
    expect([kmallocIndex(1), kmallocIndex(128), kmallocIndex(129), kmallocIndex(192), kmallocIndex(193), kmallocIndex(8192)]).toEqual([7, 7, 8, 8, 8, 13]);
  });

  it("kmalloc picks the cache by size and GFP type; large sizes go to the page allocator and back", () => {
    const { allocator, pages } = make();
    const sc = new SlabCommon(allocator, pages, new KernelLog());
    sc.createKmallocCaches();
    const cacheOf = (o: number) => sc.cache(allocator.objectCache(o))!.name;
    expect(cacheOf(sc.kmalloc(100, GFP_KERNEL, 0))).toBe("kmalloc-128");
    expect(cacheOf(sc.kmalloc(200, GFP_KERNEL | __GFP_ACCOUNT, 0))).toBe("kmalloc-cg-256");
    expect(cacheOf(sc.kmalloc(3000, GFP_KERNEL | __GFP_RECLAIMABLE, 0))).toBe("kmalloc-rcl-4k");
    expect(cacheOf(sc.kmalloc(64, GFP_KERNEL | __GFP_DMA, 0))).toBe("dma-kmalloc-128");
    const big = sc.kmalloc(20000, GFP_KERNEL, 0);
    expect(big % 4096).toBe(0);
    expect(sc.ksize(big)).toBe(32768);
    expect(sc.kfree(big, 0)).toBe(0);
    expect(sc.kmalloc(0, GFP_KERNEL, 0)).toBe(NIL_OBJECT);
    const o = sc.kmalloc(100, GFP_KERNEL, 0);
    expect(sc.krealloc(o, 120, GFP_KERNEL, 0)).toBe(o); // still fits kmalloc-128
    const moved = sc.krealloc(o, 300, GFP_KERNEL, 0);
    expect(cacheOf(moved)).toBe("kmalloc-512");
    expectValid(allocator);
  });

  it("merges compatible caches as aliases, never kmalloc caches; reports a bad create like the kernel", () => {
    const { allocator, pages } = make();
    const log = new KernelLog();
    const sc = new SlabCommon(allocator, pages, log);
    sc.createKmallocCaches();
    const a = sc.kmemCacheCreate("my_a", 200, 8, SLAB_HWCACHE_ALIGN)!;
    const b = sc.kmemCacheCreate("my_b", 196, 8, SLAB_HWCACHE_ALIGN)!;
    expect(b).toBe(a);
    expect(a.aliases).toEqual(["my_b"]);
    expect(sc.findCache("my_b")).toBe(a);
    expect(sc.kmemCacheCreate("with_ctor", 196, 8, SLAB_HWCACHE_ALIGN, () => {})).not.toBe(a);
    expect(sc.kmemCacheCreate("tiny", 4, 8, 0)).toBeUndefined();
    expect(log.dmesg()).toContain("kmem_cache_create(tiny) failed with error -22");
    expect(sc.kmemCacheDestroy(b)).toBe(0); // drops the alias's reference only
    const obj = allocator.kmemCacheAlloc(a.id, GFP_KERNEL, 0);
    expect(sc.kmemCacheDestroy(a)).toBe(-16);
    expect(log.dmesg()).toContain("kmem_cache_destroy my_a: Slab cache still has objects when called from 0x0");
    allocator.kmemCacheFree(a.id, obj, 0);
  });

  it("renders /proc/slabinfo in 6.1's format", () => {
    const { allocator, pages } = make();
    const sc = new SlabCommon(allocator, pages, new KernelLog());
    sc.createKmallocCaches();
    sc.kmalloc(100, GFP_KERNEL, 0);
    const lines = sc.slabinfo().split("\n");
    expect(lines[0]).toBe("slabinfo - version: 2.1");
    expect(lines[1]).toBe("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>");
    expect(lines).toContain("kmalloc-128            1     32    128   32    1 : tunables    0    0    0 : slabdata      1      1      0");
  });
});
