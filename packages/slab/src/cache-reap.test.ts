// mmsim: cache_reap and shrinking — `touched`, next_reap, free_touched, drain_freelist
import { GFP_KERNEL, SLAB_HWCACHE_ALIGN } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { REAPTIMEOUT_AC_NS, REAPTIMEOUT_NODE } from "./slabinfo.ts";
import { makeSlab, step } from "./slab.test-helpers.ts";

/** A 64-byte cache (limit 120, batchcount 60, shared 8 × 60, 64 per slab) with `n` objects freed into CPU 0's array. */
function rigWithFrees(n: number) {
  const r = makeSlab();
  const c = r.slab.kmemCacheCreate("obj-64", 64, 64, SLAB_HWCACHE_ALIGN);
  const objs: number[] = [];
  for (let i = 0; i < n; i++) objs.push(r.slab.kmemCacheAlloc(c, GFP_KERNEL, 1));
  for (const o of objs) r.slab.kmemCacheFree(c, o, 0);
  expectValid(r.slab);
  return { ...r, c, objs };
}

describe("cache_reap", () => {
  it("the first reap after use only clears `touched`; the next trims (limit + 4) / 5 = 24 of the oldest entries", () => {
    const { slab, c, objs } = rigWithFrees(100);
    expect(slab.arrayCache(c, 0).avail).toBe(100);
    // kmem_cache_free does not set touched; a refill or an array hit does
    slab.kmemCacheFree(c, slab.kmemCacheAlloc(c, GFP_KERNEL, 0), 0);
    expect(slab.arrayCache(c, 0).touched).toBe(1);
    step(slab, "reap 1", () => slab.cacheReap(0));
    expect(slab.arrayCache(c, 0).avail).toBe(100);
    expect(slab.arrayCache(c, 0).touched).toBe(0);
    step(slab, "reap 2", () => slab.cacheReap(0));
    expect(slab.arrayCache(c, 0).avail).toBe(76);
    expect(slab.arrayCache(c, 0).entries[0]).toBe(objs[24]);
    step(slab, "reap 3", () => slab.cacheReap(0));
    expect(slab.arrayCache(c, 0).avail).toBe(52);
  });

  it("a nearly empty array gives back half, rounded up: tofree = (avail + 1) / 2 when a fifth of limit exceeds avail", () => {
    const { slab, c } = rigWithFrees(7);
    step(slab, "reap", () => slab.cacheReap(0));
    expect(slab.arrayCache(c, 0).avail).toBe(3);
  });

  it("the node part (shared array, free slabs) waits for next_reap = jiffies + REAPTIMEOUT_NODE + cache % REAPTIMEOUT_NODE", () => {
    const { slab, c, clock } = rigWithFrees(400);
    const shared = slab.sharedArray(c, 0)!.avail;
    expect(shared).toBeGreaterThan(0);
    expect(slab.nodeInfo(c, 0).nextReap).toBe(REAPTIMEOUT_NODE + c);
    step(slab, "reap at 0 s", () => slab.cacheReap(0));
    expect(slab.sharedArray(c, 0)!.avail).toBe(shared);
    clock.advance(2 * REAPTIMEOUT_AC_NS); // 4 s = 1000 jiffies: next_reap (1000) is not after jiffies any more
    step(slab, "reap at 4 s", () => slab.cacheReap(0));
    // untouched shared array of 480 entries: (480 + 4) / 5 = 96 freed
    expect(slab.sharedArray(c, 0)!.avail).toBe(shared - Math.floor((480 + 4) / 5));
    expect(slab.nodeInfo(c, 0).nextReap).toBe(1000 + REAPTIMEOUT_NODE);
  });

  it("free slabs go back (free_limit + 5*num - 1) / (5*num) per node run, after one run that only clears free_touched", () => {
    const { slab, c, clock, pages } = rigWithFrees(256);
    // shared 0: every array's objects go back to their slabs; free_block keeps free_objects <= free_limit
    // = 3 * 60 + 64 = 244, i.e. 3 free slabs of 64 (a 4th would make 256 > 244 and is released)
    expect(step(slab, "tune shared 0", () => slab.setTunables(c, 120, 60, 0))).toBe(0);
    const before = slab.nodeInfo(c, 0);
    expect([before.freeSlabs, before.freeObjects, before.freeTouched]).toEqual([3, 192, 1]);
    const held = pages.pagesInUse;
    clock.advance(2 * REAPTIMEOUT_AC_NS);
    step(slab, "reap: free_touched only cleared", () => slab.cacheReap(0));
    expect(slab.nodeInfo(c, 0).freeSlabs).toBe(3);
    expect(slab.nodeInfo(c, 0).freeTouched).toBe(0);
    clock.advance(2 * REAPTIMEOUT_AC_NS);
    step(slab, "reap: frees", () => slab.cacheReap(0));
    // (244 + 5*64 - 1) / (5*64) = 563 / 320 = 1 slab
    expect(slab.nodeInfo(c, 0).freeSlabs).toBe(2);
    expect(pages.pagesInUse).toBe(held - 1);
    // before next_reap, the node part is skipped
    step(slab, "reap too early", () => slab.cacheReap(0));
    expect(slab.nodeInfo(c, 0).freeSlabs).toBe(2);
  });
});

describe("kmem_cache_shrink", () => {
  it("empties every array and frees every free slab; reports 1 while objects remain", () => {
    const { slab, c, pages, objs } = rigWithFrees(300);
    const keep = slab.kmemCacheAlloc(c, GFP_KERNEL, 1);
    expect(step(slab, "shrink", () => slab.kmemCacheShrink(c))).toBe(1);
    expect(slab.arrayCache(c, 0).avail + slab.arrayCache(c, 1).avail + slab.stats(c).sharedAvail).toBe(0);
    expect(slab.stats(c).numSlabs).toBe(1);
    expect(pages.pagesInUse).toBe(1);
    slab.kmemCacheFree(c, keep, 1);
    expect(step(slab, "shrink again", () => slab.kmemCacheShrink(c))).toBe(0);
    expect(pages.pagesInUse).toBe(0);
    void objs;
  });
});
