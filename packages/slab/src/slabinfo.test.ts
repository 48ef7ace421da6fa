// mmsim: the /proc/slabinfo tunables — do_tune_cpucache through setTunables() and slabinfo_write()
import { EINVAL, ENOMEM, GFP_KERNEL, SLAB_HWCACHE_ALIGN } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { makeNumaSlab, makeSlab, step } from "./slab.test-helpers.ts";

function rig() {
  const r = makeSlab();
  const c = r.slab.kmemCacheCreate("obj-64", 64, 64, SLAB_HWCACHE_ALIGN);
  const objs: number[] = [];
  for (let i = 0; i < 300; i++) objs.push(r.slab.kmemCacheAlloc(c, GFP_KERNEL, i % 2));
  for (const o of objs) r.slab.kmemCacheFree(c, o, 0);
  expectValid(r.slab);
  return { ...r, c };
}

describe("setTunables (do_tune_cpucache)", () => {
  it("replaces every per-CPU array and the shared array, returns their objects to the slabs, and recomputes free_limit", () => {
    const { slab, c } = rig();
    expect(slab.arrayCache(c, 0).avail).toBeGreaterThan(0);
    expect(slab.sharedArray(c, 0)!.avail).toBeGreaterThan(0);
    expect(step(slab, "tune", () => slab.setTunables(c, 60, 30, 4))).toBe(0);
    for (const cpu of [0, 1]) {
      const ac = slab.arrayCache(c, cpu);
      expect([ac.avail, ac.limit, ac.batchcount, ac.touched]).toEqual([0, 60, 30, 0]);
    }
    expect(slab.sharedArray(c, 0)!.limit).toBe(4 * 30);
    expect(slab.sharedArray(c, 0)!.avail).toBe(0);
    expect(slab.nodeInfo(c, 0).freeLimit).toBe(3 * 30 + 64);
    const st = slab.stats(c);
    expect([st.limit, st.batchcount, st.sharedfactor, st.sharedAvail, st.activeObjs]).toEqual([60, 30, 4, 0, 0]);
    // the new arrays work
    const o = step(slab, "alloc", () => slab.kmemCacheAlloc(c, GFP_KERNEL, 1));
    step(slab, "free", () => slab.kmemCacheFree(c, o, 1));
  });

  it("shared 0 removes the shared arrays", () => {
    const { slab, c } = rig();
    expect(step(slab, "tune", () => slab.setTunables(c, 120, 60, 0))).toBe(0);
    expect(slab.sharedArray(c, 0)).toBeUndefined();
    expect(slab.stats(c).sharedfactor).toBe(0);
  });

  it("keeps the alien caches as they were made (12 entries), as 6.1 does", () => {
    const { slab } = makeNumaSlab();
    const c = slab.kmemCacheCreate("x", 64, 8, 0);
    expect(step(slab, "tune", () => slab.setTunables(c, 1, 1, 0))).toBe(0);
    expect(slab.alienCache(c, 0, 1)!.limit).toBe(12);
    expect(slab.nodeInfo(c, 1).freeLimit).toBe(3 * 1 + 64);
  });

  it.each([
    ["limit < 1", 0, 1, 0],
    ["batchcount < 1", 10, 0, 0],
    ["batchcount > limit", 10, 11, 0],
    ["shared < 0", 10, 5, -1],
    ["not integers", 10.5, 5, 0],
  ])("refuses %s with -EINVAL and changes nothing", (_what, limit, batch, shared) => {
    const { slab, c } = rig();
    const before = slab.stats(c);
    expect(slab.setTunables(c, limit, batch, shared)).toBe(-EINVAL);
    expect(slab.stats(c)).toEqual(before);
    expectValid(slab);
  });

  it("refuses a cache that does not exist with -EINVAL", () => {
    const { slab, c } = rig();
    expect(slab.setTunables(c + 1, 10, 5, 0)).toBe(-EINVAL);
    expect(slab.kmemCacheShrink(c)).toBe(0);
    expect(slab.kmemCacheDestroy(c)).toBe(0);
    expect(slab.setTunables(c, 10, 5, 0)).toBe(-EINVAL);
  });

  it("a per-CPU array beyond __alloc_percpu's 32 KiB (limit 4095: 8 * 4095 + 16 bytes) is -ENOMEM, with pcpu_alloc's warning; 4094 fits", () => {
    const { slab, c, log } = rig();
    expect(slab.setTunables(c, 4095, 1, 0)).toBe(-ENOMEM);
    expect(log.dmesg()).toContain("illegal size (32776) or align (8) for percpu allocation");
    expect(slab.stats(c).limit).toBe(120);
    expectValid(slab);
    expect(step(slab, "4094", () => slab.setTunables(c, 4094, 1, 0))).toBe(0);
  });

  it("a shared array beyond kmalloc's 4 MiB is -ENOMEM", () => {
    const { slab, c } = rig();
    expect(slab.setTunables(c, 100, 100, 6000)).toBe(-ENOMEM); // 8 * 600000 + 16 > 4 MiB
    expect(slab.stats(c).sharedfactor).toBe(8);
    expectValid(slab);
  });
});

describe("slabinfo_write", () => {
  it("`echo 'obj-64 60 30 4' > /proc/slabinfo` tunes the cache and returns the byte count", () => {
    const { slab, c } = rig();
    expect(step(slab, "write", () => slab.slabinfoWrite("obj-64 60 30 4\n"))).toBe(15);
    expect([slab.stats(c).limit, slab.stats(c).batchcount, slab.stats(c).sharedfactor]).toEqual([60, 30, 4]);
  });

  it("accepts out-of-range values and ignores them (6.1 sets res = 0, then returns count)", () => {
    const { slab, c } = rig();
    expect(slab.slabinfoWrite("obj-64 0 0 0\n")).toBe(13);
    expect(slab.slabinfoWrite("obj-64 10 20 1")).toBe(14);
    expect(slab.stats(c).limit).toBe(120);
  });

  it.each([
    ["no such cache", "nosuch 10 5 1"],
    ["no space", "obj-64"],
    ["fewer than three numbers", "obj-64 10 5"],
    ["a number that does not parse", "obj-64 10 x 1"],
    ["more than MAX_SLABINFO_WRITE (128) bytes", `obj-64 10 5 1${" ".repeat(120)}`],
  ])("returns -EINVAL for %s", (_what, text) => {
    const { slab, c } = rig();
    expect(slab.slabinfoWrite(text)).toBe(-EINVAL);
    expect(slab.stats(c).limit).toBe(120);
  });

  it("parses as sscanf(\" %d %d %d\") does: signs, extra spaces, trailing text", () => {
    const { slab, c } = rig();
    expect(slab.slabinfoWrite("obj-64   +24\t12  0 and more")).toBe(27);
    expect([slab.stats(c).limit, slab.stats(c).batchcount, slab.stats(c).sharedfactor]).toEqual([24, 12, 0]);
    expectValid(slab);
  });

  it("finds the newest cache of a name first (slab_caches order)", () => {
    const { slab } = makeSlab();
    const a = slab.kmemCacheCreate("dup", 64, 8, 0);
    const b = slab.kmemCacheCreate("dup", 64, 8, 0);
    expect(slab.slabinfoWrite("dup 10 5 0")).toBe(10);
    expect([slab.stats(a).limit, slab.stats(b).limit]).toEqual([120, 10]);
  });
});
