// mmsim: tests of /sys/kernel/slab/<cache>/: what each attribute shows and the writable ones
import { GFP_KERNEL, SLAB_HWCACHE_ALIGN, SLAB_KMALLOC, SLAB_RECLAIM_ACCOUNT } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { SLUB_SYSFS_ATTRS, sysfsShow, sysfsStore } from "./slub-sysfs.ts";
import { makeSlub } from "./slub.test-helpers.ts";

describe("sysfs show", () => {
  it("a fresh kmalloc-128 reads as on the reference machine", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("kmalloc-128", 128, 128, SLAB_KMALLOC);
    const show = (k: string) => sysfsShow(a, c, k);
    expect(Object.fromEntries(SLUB_SYSFS_ATTRS.map((k) => [k, show(k)]))).toEqual({
      slab_size: "128\n", object_size: "128\n", objs_per_slab: "32\n", order: "0\n", min_partial: "5\n", cpu_partial: "120\n",
      objects: "0\n", objects_partial: "0\n", partial: "0\n", cpu_slabs: "0\n", ctor: "", aliases: "0\n", align: "128\n",
      hwcache_align: "0\n", reclaim_account: "0\n", destroy_by_rcu: "0\n", shrink: "", slabs_cpu_partial: "0(0)\n",
      total_objects: "0\n", slabs: "0\n", sanity_checks: "0\n", trace: "0\n", red_zone: "0\n", poison: "0\n", store_user: "0\n",
      validate: "", cache_dma: "0\n", remote_node_defrag_ratio: "100\n", failslab: "0\n", usersize: "0\n",
    });
    expect(show("no_such_attr")).toBeUndefined();
    expect(sysfsShow(a, c, "aliases", 3)).toBe("3\n");
  });

  it("counts follow allocations: objects, slabs, total_objects, cpu_slabs, partial", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t", 256, 8, SLAB_RECLAIM_ACCOUNT | SLAB_HWCACHE_ALIGN);
    expect(sysfsShow(a, c, "reclaim_account")).toBe("1\n");
    expect(sysfsShow(a, c, "hwcache_align")).toBe("1\n");
    const objs = Array.from({ length: 20 }, (_, i) => a.kmemCacheAlloc(c, GFP_KERNEL, i % 2));
    expectValid(a);
    expect(sysfsShow(a, c, "slabs")).toBe("2 N0=2\n");
    expect(sysfsShow(a, c, "total_objects")).toBe("32 N0=32\n");
    expect(sysfsShow(a, c, "objects")).toBe("32 N0=32\n"); // CPU slabs count as in use
    expect(sysfsShow(a, c, "cpu_slabs")).toBe("2 N0=2\n");
    a.flushAll(c);
    expect(sysfsShow(a, c, "objects")).toBe("20 N0=20\n");
    expect(sysfsShow(a, c, "partial")).toBe("2 N0=2\n");
    expect(sysfsShow(a, c, "objects_partial")).toBe("20 N0=20\n");
    expect(sysfsShow(a, c, "cpu_slabs")).toBe("0\n");
    for (const o of objs) a.kmemCacheFree(c, o, 0);
    expectValid(a);
  });

  it("a ctor is shown by name", () => {
    const { allocator: a } = makeSlub();
    function inode_init_once(_obj: number): void {}
    const c = a.kmemCacheCreate("inode_cache", 600, 8, 0, inode_init_once);
    expect(sysfsShow(a, c, "ctor")).toBe("inode_init_once\n");
  });
});

describe("sysfs store", () => {
  it("min_partial, cpu_partial (flushes), remote_node_defrag_ratio, shrink, validate", () => {
    const { allocator: a } = makeSlub();
    const c = a.kmemCacheCreate("t", 512, 8, 0);
    expect(sysfsStore(a, c, "min_partial", "8\n")).toBe(2);
    expect(sysfsShow(a, c, "min_partial")).toBe("8\n");
    expect(sysfsStore(a, c, "min_partial", "x")).toBeLessThan(0);
    const o = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    expect(sysfsStore(a, c, "cpu_partial", "0")).toBe(1);
    expect(sysfsShow(a, c, "cpu_partial")).toBe("0\n");
    expect(sysfsShow(a, c, "cpu_slabs")).toBe("0\n");
    expect(sysfsStore(a, c, "remote_node_defrag_ratio", "50")).toBe(2);
    expect(sysfsShow(a, c, "remote_node_defrag_ratio")).toBe("50\n");
    expect(sysfsStore(a, c, "validate", "1")).toBeLessThan(0); // not a debug cache
    a.kmemCacheFree(c, o, 0);
    expect(sysfsStore(a, c, "shrink", "1")).toBe(1);
    expect(sysfsShow(a, c, "slabs")).toBe("0\n");
    expectValid(a);
    const { allocator: b } = makeSlub({ slubDebug: "F" });
    const d = b.kmemCacheCreate("t", 512, 8, 0);
    expect(sysfsStore(b, d, "cpu_partial", "10")).toBeLessThan(0); // no CPU partial lists with debugging
    b.kmemCacheAlloc(d, GFP_KERNEL, 0);
    expect(sysfsStore(b, d, "validate", "1")).toBe(1);
  });
});
