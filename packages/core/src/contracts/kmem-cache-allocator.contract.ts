// mmsim: the KmemCacheAllocator contract — what slab_common and the machine rely on from SLAB, SLUB or a user's allocator
import { expect } from "vitest";
import { GFP_KERNEL } from "../gfp.ts";
import { type KmemCacheAllocator, NIL_OBJECT, SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT } from "../policies/kmem-cache-allocator.ts";
import { pageSlab } from "../page-flags.ts";
import { PAGE_SIZE } from "../sizes.ts";
import type { FakePageAllocator } from "../testing/fake-page-allocator.ts";
import { NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B } from "../vmstat.ts";
import { type ContractCase, describeContract } from "./contract.ts";

/**
 * An allocator under test, built on a FakePageAllocator (from @mmsim/core/testing) with a
 * Topology of at least 2 CPUs.
 */
export interface KmemCacheAllocatorSubject {
  readonly allocator: KmemCacheAllocator;
  readonly pages: FakePageAllocator;
}

const cases: readonly ContractCase<KmemCacheAllocatorSubject>[] = Object.freeze([
  {
    name: "objects are distinct, aligned, inside PageSlab pages of the cache, and come back",
    run({ allocator: a, pages }) {
      const c = a.kmemCacheCreate("test-64", 64, 64, SLAB_HWCACHE_ALIGN);
      expect(c).toBeGreaterThanOrEqual(0);
      const g = a.geometry(c);
      expect(g.objectSize).toBe(64);
      expect(g.size).toBeGreaterThanOrEqual(64);
      expect(g.objsPerSlab).toBeGreaterThan(0);
      const objs = new Set<number>();
      for (let i = 0; i < 1000; i++) {
        const o = a.kmemCacheAlloc(c, GFP_KERNEL, i % 2);
        expect(o).not.toBe(NIL_OBJECT);
        expect(o % 64).toBe(0);
        expect(a.objectCache(o)).toBe(c);
        expect(pageSlab(pages.mem, pages.mem.pfnToPage(Math.floor(o / PAGE_SIZE)))).toBe(true);
        objs.add(o);
      }
      expect(objs.size).toBe(1000);
      const st = a.stats(c);
      expect(st.numObjs).toBeGreaterThanOrEqual(1000);
      expect(st.numObjs).toBe(st.numSlabs * g.objsPerSlab);
      for (const o of objs) a.kmemCacheFree(c, o, 0);
    },
  },
  {
    name: "slab pages are counted in NR_SLAB_UNRECLAIMABLE_B, or _RECLAIMABLE_B for SLAB_RECLAIM_ACCOUNT",
    run({ allocator: a, pages }) {
      const u = a.kmemCacheCreate("unrecl", 256, 8, 0);
      const r = a.kmemCacheCreate("recl", 256, 8, SLAB_RECLAIM_ACCOUNT);
      for (let i = 0; i < 100; i++) {
        a.kmemCacheAlloc(u, GFP_KERNEL, 0);
        a.kmemCacheAlloc(r, GFP_KERNEL, 0);
      }
      expect(pages.nodeStat.get(NR_SLAB_UNRECLAIMABLE_B)).toBe(a.slabPages(u));
      expect(pages.nodeStat.get(NR_SLAB_RECLAIMABLE_B)).toBe(a.slabPages(r));
      expect(a.slabPages(u)).toBeGreaterThan(0);
    },
  },
  {
    name: "shrink gives empty slabs back; destroy refuses while objects remain, then succeeds",
    run({ allocator: a, pages }) {
      const c = a.kmemCacheCreate("shrinkme", 512, 8, 0);
      const objs: number[] = [];
      for (let i = 0; i < 500; i++) objs.push(a.kmemCacheAlloc(c, GFP_KERNEL, 0));
      const held = pages.pagesInUse;
      for (const o of objs.slice(1)) a.kmemCacheFree(c, o, 0);
      a.kmemCacheShrink(c);
      expect(pages.pagesInUse).toBeLessThan(held);
      expect(a.kmemCacheDestroy(c)).toBeLessThan(0);
      a.kmemCacheFree(c, objs[0]!, 0);
      expect(a.kmemCacheDestroy(c)).toBe(0);
      expect(a.objectCache(objs[0]!)).toBe(-1);
    },
  },
  {
    name: "a page allocator that fails gives NIL_OBJECT, not an exception",
    run({ allocator: a, pages }) {
      const c = a.kmemCacheCreate("starved", 1024, 8, 0);
      pages.failAfter = 0;
      expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).toBe(NIL_OBJECT);
      pages.failAfter = Number.POSITIVE_INFINITY;
      expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).not.toBe(NIL_OBJECT);
    },
  },
  {
    name: "the constructor runs on every object of a new slab",
    run({ allocator: a }) {
      const seen = new Set<number>();
      const c = a.kmemCacheCreate("ctor", 128, 8, 0, (o) => seen.add(o));
      const o = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
      expect(seen.has(o)).toBe(true);
      expect(seen.size).toBe(a.geometry(c).objsPerSlab);
    },
  },
]);

/**
 * Runs the KmemCacheAllocator contract against one implementation; validate() runs after each case.
 */
export function describeKmemCacheAllocator(implName: string, make: () => KmemCacheAllocatorSubject): void {
  describeContract("KmemCacheAllocator", implName, make, cases, (s) => s.allocator);
}
