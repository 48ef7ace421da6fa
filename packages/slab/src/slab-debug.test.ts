// mmsim: bad frees — SLAB's DEBUG checks (debug caches), CONFIG_SLAB_FREELIST_HARDENED, and what happens without either
import { CollectingSink, expectValid } from "@mmsim/core/testing";
import { GFP_KERNEL, SLAB_POISON, SLAB_RED_ZONE, SLAB_STORE_USER } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { makeSlab, step } from "./slab.test-helpers.ts";

/** The linear-map address %px prints for a physical address on the fake (RAM from 0x40000000). */
function px(phys: number): string {
  return (0xffff000000000000n + BigInt(phys - 0x40000000)).toString(16);
}

describe("SLAB debug caches (SLAB_RED_ZONE / SLAB_POISON / SLAB_STORE_USER)", () => {
  it("objects come 8 bytes into their slot (obj_offset), and alloc/free keep the red zones right", () => {
    const { slab } = makeSlab();
    const c = slab.kmemCacheCreate("dbg", 100, 8, SLAB_RED_ZONE | SLAB_STORE_USER);
    const objs: number[] = [];
    for (let i = 0; i < 50; i++) objs.push(step(slab, `alloc ${i}`, () => slab.kmemCacheAlloc(c, GFP_KERNEL, i % 2)));
    for (const o of objs) expect(o % 128).toBe(8); // slot size 128, slabs of colour 0
    for (const o of objs) step(slab, "free", () => slab.kmemCacheFree(c, o, 0));
  });

  it("a double free is reported in verify_redzone_free()'s words and not performed", () => {
    const { slab, log } = makeSlab();
    const c = slab.kmemCacheCreate("dbg", 100, 8, SLAB_RED_ZONE);
    const o = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    step(slab, "free", () => slab.kmemCacheFree(c, o, 0));
    const avail = slab.arrayCache(c, 0).avail;
    step(slab, "free again", () => slab.kmemCacheFree(c, o, 0));
    expect(slab.arrayCache(c, 0).avail).toBe(avail);
    expect(log.dmesg()).toContain("slab error in verify_redzone_free(): cache `dbg': double free detected\n");
    expect(log.dmesg()).toContain(`${px(o - 8)}: redzone 1:0x9f911029d74e35b, redzone 2:0x9f911029d74e35b\n`);
  });

  it("without red zones (SLAB_POISON only), a double free is what slab_put_obj()'s scan reports, with BUG()", () => {
    const { slab, log } = makeSlab();
    const c = slab.kmemCacheCreate("poisoned", 200, 64, SLAB_POISON);
    const o = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    slab.kmemCacheFree(c, o, 0);
    step(slab, "free again", () => slab.kmemCacheFree(c, o, 0));
    expect(log.dmesg()).toContain(`slab: double free detected in cache 'poisoned', objp ${px(o)}\n`);
    expect(log.dmesg()).toContain("kernel BUG at mm/slab.c:2527!\n");
    expect(log.dmesg()).toContain("Internal error: Oops - BUG: 00000000f2000800 [#1] SMP\n");
  });

  it("an object of another cache: BUG_ON(virt_to_cache(objp) != cachep) (with the hardened cache_from_obj off)", () => {
    const { slab, log } = makeSlab();
    slab.freelistHardened = false;
    const a = slab.kmemCacheCreate("other", 100, 8, 0);
    const c = slab.kmemCacheCreate("dbg", 100, 8, SLAB_RED_ZONE);
    const o = slab.kmemCacheAlloc(a, GFP_KERNEL, 0);
    step(slab, "free into dbg", () => slab.kmemCacheFree(c, o, 0));
    expect(log.dmesg()).toContain("kernel BUG at mm/slab.c:2691!\n");
    step(slab, "free where it belongs", () => slab.kmemCacheFree(a, o, 0));
  });

  it("a pointer outside RAM: kfree_debugcheck()'s out of range report", () => {
    const { slab, log } = makeSlab();
    slab.freelistHardened = false;
    const c = slab.kmemCacheCreate("dbg", 100, 8, SLAB_RED_ZONE);
    step(slab, "free junk", () => slab.kmemCacheFree(c, 0x1000, 0));
    expect(log.dmesg()).toContain(`kfree_debugcheck: out of range ptr ${px(0x1000 - 8)}h\n`);
    expect(log.dmesg()).toContain("kernel BUG at mm/slab.c:2659!\n");
  });

  it("a pointer inside an object, not at its start: BUG_ON(objp != index_to_obj(...))", () => {
    const { slab, log } = makeSlab();
    const c = slab.kmemCacheCreate("dbg", 100, 8, SLAB_RED_ZONE);
    const o = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    step(slab, "free o+16", () => slab.kmemCacheFree(c, o + 16, 0));
    expect(log.dmesg()).toContain("kernel BUG at mm/slab.c:2708!\n");
    step(slab, "free o", () => slab.kmemCacheFree(c, o, 0));
  });
});

describe("CONFIG_SLAB_FREELIST_HARDENED (on in the reference config)", () => {
  it("cache_from_obj(): freeing to the wrong cache WARNs and frees to the object's own cache", () => {
    const { slab, log } = makeSlab();
    const a = slab.kmemCacheCreate("cache-a", 64, 8, 0);
    const b = slab.kmemCacheCreate("cache-b", 64, 8, 0);
    const o = slab.kmemCacheAlloc(a, GFP_KERNEL, 0);
    step(slab, "free to b", () => slab.kmemCacheFree(b, o, 0));
    expect(log.dmesg()).toContain("cache_from_obj: Wrong slab cache. cache-b but object is from cache-a\n");
    expect(log.dmesg()).toContain("WARNING: CPU: 0 PID: 0 at mm/slab.h:660 kmem_cache_free\n");
    expect(slab.arrayCache(a, 0).entries).toContain(o);
  });

  it("virt_to_cache(): an address in no slab WARNs once and is ignored", () => {
    const { slab, log } = makeSlab();
    const c = slab.kmemCacheCreate("c", 64, 8, 0);
    step(slab, "free junk", () => slab.kmemCacheFree(c, 0x48000000, 0));
    step(slab, "free junk again", () => slab.kmemCacheFree(c, 0x48000000, 1));
    expect(log.dmesg().match(/virt_to_cache: Object is not a Slab page!/g)).toHaveLength(1);
  });

  it("__free_one(): the same object freed twice in a row WARNs once and is not pushed again", () => {
    const { slab, c, log } = (() => {
      const r = makeSlab();
      return { ...r, c: r.slab.kmemCacheCreate("c", 64, 8, 0) };
    })();
    const o = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    slab.kmemCacheFree(c, o, 0);
    step(slab, "free again", () => slab.kmemCacheFree(c, o, 0));
    step(slab, "and again", () => slab.kmemCacheFree(c, o, 0));
    expect(log.dmesg().match(/WARNING: CPU: 0 PID: 0 at mm\/slab.c:597 ___cache_free/g)).toHaveLength(1);
  });

  it("a double free with another free in between gets through (as in the kernel): validate() reports it, nothing throws, the object is handed out twice", () => {
    const { slab } = makeSlab();
    const c = slab.kmemCacheCreate("c", 64, 8, 0);
    const a = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const b = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    slab.kmemCacheFree(c, a, 0);
    slab.kmemCacheFree(c, b, 0);
    slab.kmemCacheFree(c, a, 0);
    const sink = new CollectingSink();
    slab.validate(sink);
    expect(sink.toString()).toMatch(/also in slab cache c cpu0 array_cache/);
    const x = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const z = slab.kmemCacheAlloc(c, GFP_KERNEL, 0);
    expect([x, z]).toEqual([a, a]);
  });
});

describe("without debugging or hardening, a bad free corrupts only the simulated kernel", () => {
  it("an object of another cache lands in this cache's array; validate() reports it; flushing it never throws", () => {
    const { slab, log } = makeSlab();
    slab.freelistHardened = false;
    const a = slab.kmemCacheCreate("cache-a", 64, 8, 0);
    const b = slab.kmemCacheCreate("cache-b", 256, 8, 0);
    const o = slab.kmemCacheAlloc(a, GFP_KERNEL, 0);
    slab.kmemCacheFree(b, o, 0);
    const sink = new CollectingSink();
    slab.validate(sink);
    expect(sink.toString()).toMatch(/is an object of cache cache-a/);
    // push it through cache_flusharray → free_block (with the shared array off, objects go to their slabs)
    expect(slab.setTunables(b, 2, 1, 0)).toBeLessThanOrEqual(0);
    for (let i = 0; i < 200; i++) {
      const x = slab.kmemCacheAlloc(b, GFP_KERNEL, i % 2);
      slab.kmemCacheFree(b, x, (i + 1) % 2);
    }
    for (let i = 0; i < 200; i++) slab.kmemCacheFree(a, slab.kmemCacheAlloc(a, GFP_KERNEL, 1), 1);
    const after = new CollectingSink();
    slab.validate(after);
    expect(after.ok).toBe(false);
    void log;
  });

  it("an address in no slab is dropped by free_block with one line in the log", () => {
    const { slab, log } = makeSlab();
    slab.freelistHardened = false;
    const c = slab.kmemCacheCreate("c", 64, 8, 0);
    slab.kmemCacheFree(c, 0x12345678, 0);
    expect(() => slab.kmemCacheShrink(c)).not.toThrow();
    expect(log.dmesg()).toContain("mmsim: slab: free_block:");
    expect(log.dmesg()).toContain("is in no slab (the kernel would fault here); dropped");
  });

  it("with everything valid, hardening off changes nothing", () => {
    const { slab } = makeSlab();
    slab.freelistHardened = false;
    const c = slab.kmemCacheCreate("c", 64, 8, 0);
    const objs: number[] = [];
    for (let i = 0; i < 500; i++) objs.push(slab.kmemCacheAlloc(c, GFP_KERNEL, i % 2));
    for (const o of objs) slab.kmemCacheFree(c, o, 1);
    expectValid(slab);
  });
});
