// mmsim: SLAB on two nodes — alien caches, node-targeted allocation, fallback_alloc, reap_alien
import { GFP_KERNEL, NIL_OBJECT, NR_SLAB_UNRECLAIMABLE_B, PAGE_SIZE, __GFP_THISNODE } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { makeNumaSlab, step } from "./slab.test-helpers.ts";

/** CPUs 0, 1 on node 0; CPUs 2, 3 on node 1. A 64-byte cache: limit 120, batchcount 60, alien caches of 12. */
function rig(opts: { alien?: boolean } = {}) {
  const r = makeNumaSlab();
  if (opts.alien === false) r.slab.setUseAlienCaches(false);
  const c = r.slab.kmemCacheCreate("obj-64", 64, 64, 0);
  const nodeOf = (o: number) => r.pages.nidOf(Math.floor(o / PAGE_SIZE));
  return { ...r, c, nodeOf };
}

describe("SLAB on two nodes", () => {
  it("each CPU allocates from slabs of its own node; free_limit counts the node's CPUs: (1 + 2) * 60 + 64", () => {
    const { slab, c, nodeOf } = rig();
    const a = step(slab, "cpu0", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    const b = step(slab, "cpu2", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 2));
    expect([nodeOf(a), nodeOf(b)]).toEqual([0, 1]);
    expect(slab.nodeInfo(c, 0).freeLimit).toBe(244);
    expect(slab.nodeInfo(c, 1).freeLimit).toBe(244);
    expect(slab.alienCache(c, 0, 1)!.limit).toBe(12);
    expect(slab.alienCache(c, 0, 0)).toBeUndefined();
  });

  it("freeing another node's object goes to this node's alien cache for that node, not to the CPU's array", () => {
    const { slab, c } = rig();
    const a = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    step(slab, "free on cpu2", () => slab.kmemCacheFree(c, a, 2));
    expect(slab.alienCache(c, 1, 0)!.entries).toEqual([a]);
    expect(slab.arrayCache(c, 2).avail).toBe(0);
  });

  it("a full alien cache drains into its node: the remote shared array first, then the slabs", () => {
    const { slab, c } = rig();
    const objs: number[] = [];
    for (let i = 0; i < 13; i++) objs.push(slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expectValid(slab);
    for (let i = 0; i < 12; i++) step(slab, `free ${i} on cpu2`, () => slab.kmemCacheFree(c, objs[i]!, 2));
    expect(slab.alienCache(c, 1, 0)!.avail).toBe(12);
    expect(slab.sharedArray(c, 0)!.avail).toBe(0);
    step(slab, "13th free drains", () => slab.kmemCacheFree(c, objs[12]!, 2));
    // __drain_alien_cache: transfer_objects(node 0 shared, alien, 12) took all 12; then __free_one
    expect(slab.sharedArray(c, 0)!.entries).toEqual(objs.slice(0, 12));
    expect(slab.alienCache(c, 1, 0)!.entries).toEqual([objs[12]]);
  });

  it("kmem_cache_alloc_node() for another node takes an object straight from that node's slabs", () => {
    const { slab, c, nodeOf } = rig();
    const o = step(slab, "alloc_node(1) on cpu0", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0, 1));
    expect(nodeOf(o)).toBe(1);
    expect(slab.arrayCache(c, 0).avail).toBe(0);
    const n = slab.nodeInfo(c, 1);
    expect([n.totalSlabs, n.freeObjects]).toEqual([1, 63]);
    step(slab, "free on cpu0", () => slab.kmemCacheFree(c, o, 0));
    expect(slab.alienCache(c, 0, 1)!.entries).toEqual([o]);
    // a local nid takes the array_cache path
    const p = step(slab, "alloc_node(0) on cpu0", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0, 0));
    expect(nodeOf(p)).toBe(0);
    expect(slab.arrayCache(c, 0).avail).toBe(15);
  });

  it("fallback_alloc: with node 0 out of pages, cpu0 gets an object from a slab the page allocator placed on node 1", () => {
    const { slab, c, pages, nodeOf } = rig();
    pages.budget[0] = 0;
    const o = step(slab, "alloc on cpu0", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expect(o).not.toBe(NIL_OBJECT);
    expect(nodeOf(o)).toBe(1);
    expect(slab.arrayCache(c, 0).avail).toBe(0);
    expect(pages.nodeStat.get(`1:${NR_SLAB_UNRECLAIMABLE_B}`)).toBe(1);
    // The next one comes from node 1's free objects (first loop of fallback_alloc), no new slab.
    const p = step(slab, "again", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    expect(nodeOf(p)).toBe(1);
    expect(slab.nodeInfo(c, 1).totalSlabs).toBe(1);
    step(slab, "free", () => slab.kmemCacheFree(c, o, 0));
    expect(slab.alienCache(c, 0, 1)!.avail).toBe(1);
  });

  it("with __GFP_THISNODE on a node without pages, there is no fallback", () => {
    const { slab, c, pages } = rig();
    pages.budget[1] = 0;
    expect(step(slab, "alloc_node(1)", () => slab.kmemCacheAlloc(c, GFP_KERNEL | __GFP_THISNODE, 2, 1))).toBe(NIL_OBJECT);
  });

  it("cache_reap drains one alien cache per run, round robin over the nodes (slab_reap_node)", () => {
    const { slab, c } = rig();
    const objs: number[] = [];
    for (let i = 0; i < 5; i++) objs.push(slab.kmemCacheAlloc(c, GFP_KERNEL, 0));
    for (const o of objs) slab.kmemCacheFree(c, o, 2);
    expectValid(slab);
    expect(slab.alienCache(c, 1, 0)!.avail).toBe(5);
    // cpu2 is on node 1; init_reap_node gives next_node_in(1) = 0: its first reap drains alien[0]
    step(slab, "reap on cpu2", () => slab.cacheReap(2));
    expect(slab.alienCache(c, 1, 0)!.avail).toBe(0);
    expect(slab.sharedArray(c, 0)!.entries).toEqual(objs);
    const more: number[] = [];
    for (let i = 0; i < 3; i++) more.push(slab.kmemCacheAlloc(c, GFP_KERNEL, 1));
    for (const o of more) slab.kmemCacheFree(c, o, 2);
    expect(slab.alienCache(c, 1, 0)!.avail).toBe(3);
    // next_reap_node() moved cpu2 on to node 1: node 1 has no alien cache for itself, nothing drains
    step(slab, "second reap", () => slab.cacheReap(2));
    expect(slab.alienCache(c, 1, 0)!.avail).toBe(3);
    // and back to node 0
    step(slab, "third reap", () => slab.cacheReap(2));
    expect(slab.alienCache(c, 1, 0)!.avail).toBe(0);
  });

  it("noaliencache: remote objects go straight back to their slabs (free_block on the remote node)", () => {
    const { slab, c } = rig({ alien: false });
    expect(slab.alienCache(c, 1, 0)).toBeUndefined();
    const a = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const before = slab.nodeInfo(c, 0).freeObjects;
    step(slab, "free on cpu2", () => slab.kmemCacheFree(c, a, 2));
    expect(slab.nodeInfo(c, 0).freeObjects).toBe(before + 1);
    expect(slab.arrayCache(c, 2).avail).toBe(0);
  });

  it("a mixed workload on 4 CPUs keeps every invariant", () => {
    const { slab, c, clock } = rig();
    const d = slab.kmemCacheCreate("obj-700", 700, 8, 0);
    const live: number[] = [];
    let x = 99;
    for (let i = 0; i < 4000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const cpu = (x >> 3) % 4;
      if (live.length > 0 && (x >> 9) % 5 < 2) {
        const o = live.splice((x >> 5) % live.length, 1)[0]!;
        slab.kmemCacheFree(slab.objectCache(o), o, cpu);
      } else {
        const nid = (x >> 13) % 7 === 0 ? (x >> 17) % 2 : -1;
        live.push(slab.kmemCacheAlloc((x >> 11) % 2 ? c : d, GFP_KERNEL, cpu, nid));
      }
      if (i % 250 === 0) {
        clock.advance(2_000_000_000);
        slab.cacheReap(cpu);
        expectValid(slab, `step ${i}`);
      }
    }
    for (const o of live) slab.kmemCacheFree(slab.objectCache(o), o, 0);
    expectValid(slab, "all freed");
    expect(step(slab, "shrink c", () => slab.kmemCacheShrink(c))).toBe(0);
    expect(step(slab, "shrink d", () => slab.kmemCacheShrink(d))).toBe(0);
    expect(slab.slabPages(c) + slab.slabPages(d)).toBe(0);
  });
});
