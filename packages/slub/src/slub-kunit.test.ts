// mmsim: lib/slub_kunit.c (v6.1) ported: the kernel's own SLUB tests, error counts included
/*
 * In KUnit the reports are silent and counted (`slab_add_kunit_errors()`): one per object_err,
 * slab_err and overwritten-bytes report, one per slab_fix. Here the reports are printed, so
 * the count is the number of `BUG …` headers plus `FIX …` lines the validation logged.
 */
import { GFP_KERNEL, SLAB_NO_USER_FLAGS, SLAB_POISON, SLAB_RED_ZONE } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { flushAll } from "./slub-alloc.ts";
import { validateSlabCache } from "./slub-debug.ts";
import { logLines, makeSlub, type SlubRig } from "./slub.test-helpers.ts";

/** `validate_slab_cache(s)` and the errors KUnit would have counted. */
function validate(rig: SlubRig, s: number): number {
  const from = rig.log.length;
  flushAll(rig.allocator, s);
  validateSlabCache(rig.allocator, s);
  return logLines(rig.log, from).filter((l) => l.startsWith("BUG ") || l.startsWith("FIX ")).length;
}

describe("slub_test (lib/slub_kunit.c)", () => {
  it("test_clobber_zone", () => {
    const rig = makeSlub();
    const a = rig.allocator;
    const s = a.kmemCacheCreate("TestSlub_RZ_alloc", 64, 0, SLAB_RED_ZONE | SLAB_NO_USER_FLAGS);
    const p = a.kmemCacheAlloc(s, GFP_KERNEL, 0);
    a.debugWrite(p, 64, 1, 0x12);
    expect(validate(rig, s)).toBe(2);
    a.kmemCacheFree(s, p, 0);
    expect(a.kmemCacheDestroy(s)).toBe(0);
  });

  it("test_next_pointer", () => {
    const rig = makeSlub();
    const a = rig.allocator;
    const s = a.kmemCacheCreate("TestSlub_next_ptr_free", 64, 0, SLAB_POISON | SLAB_NO_USER_FLAGS);
    const p = a.kmemCacheAlloc(s, GFP_KERNEL, 0);
    a.kmemCacheFree(s, p, 0);
    const offset = a.caches.offset[s]!;
    const tmp = a.debugRead(p, offset, 8)!;
    a.debugWrite(p, offset, 1, ~tmp[0]! & 0xff);
    // The corrupted freechain, the wrong count of objects in use, and fixing it.
    expect(validate(rig, s)).toBe(3);
    for (let i = 0; i < 8; i++) a.debugWrite(p, offset + i, 1, tmp[i]!);
    // Still the wrong count, and its fix.
    expect(validate(rig, s)).toBe(2);
    expect(validate(rig, s)).toBe(0);
    expect(a.kmemCacheDestroy(s)).toBe(0);
  });

  it("test_first_word", () => {
    const rig = makeSlub();
    const a = rig.allocator;
    const s = a.kmemCacheCreate("TestSlub_1th_word_free", 64, 0, SLAB_POISON | SLAB_NO_USER_FLAGS);
    const p = a.kmemCacheAlloc(s, GFP_KERNEL, 0);
    a.kmemCacheFree(s, p, 0);
    a.debugWrite(p, 0, 1, 0x78);
    expect(validate(rig, s)).toBe(2);
    expect(a.kmemCacheDestroy(s)).toBe(0);
  });

  it("test_clobber_50th_byte", () => {
    const rig = makeSlub();
    const a = rig.allocator;
    const s = a.kmemCacheCreate("TestSlub_50th_word_free", 64, 0, SLAB_POISON | SLAB_NO_USER_FLAGS);
    const p = a.kmemCacheAlloc(s, GFP_KERNEL, 0);
    a.kmemCacheFree(s, p, 0);
    a.debugWrite(p, 50, 1, 0x9a);
    expect(validate(rig, s)).toBe(2);
    expect(a.kmemCacheDestroy(s)).toBe(0);
  });

  it("test_clobber_redzone_free", () => {
    const rig = makeSlub();
    const a = rig.allocator;
    const s = a.kmemCacheCreate("TestSlub_RZ_free", 64, 0, SLAB_RED_ZONE | SLAB_NO_USER_FLAGS);
    const p = a.kmemCacheAlloc(s, GFP_KERNEL, 0);
    a.kmemCacheFree(s, p, 0);
    a.debugWrite(p, 64, 1, 0xab);
    expect(validate(rig, s)).toBe(2);
    expect(a.kmemCacheDestroy(s)).toBe(0);
  });
});
