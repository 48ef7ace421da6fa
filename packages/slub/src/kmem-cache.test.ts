// mmsim: tests of calculate_sizes / calculate_order against the reference machine's real caches
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  KernelLog, SLAB_ACCOUNT, SLAB_CACHE_DMA, SLAB_HWCACHE_ALIGN, SLAB_KMALLOC, SLAB_NO_USER_FLAGS, SLAB_RECLAIM_ACCOUNT,
  SlabCommon,
} from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import {
  calculateOrder, calculateSizes, cpuPartialFor, fls, minPartialFor, orderObjects, slabOrderParams,
} from "./kmem-cache.ts";
import { sysfsShow } from "./slub-sysfs.ts";
import { makeSlub } from "./slub.test-helpers.ts";

const FIX = fileURLToPath(new URL("../../../tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/", import.meta.url));
/** The reference machine: 2 CPUs present, nr_cpu_ids 2, no slub_* parameters. */
const REF = slabOrderParams(0, 3, 0, 2, 2);

interface SysfsLine {
  name: string;
  order: number;
  objsPerSlab: number;
  objectSize: number;
  slabSize: number;
  aliases: number;
}

function sysfsFixture(): SysfsLine[] {
  return readFileSync(FIX + "sys_kernel_slab_kmalloc-all", "utf8").trim().split("\n").map((l) => {
    const [name, ...kv] = l.split(" ");
    const v = Object.fromEntries(kv.map((x) => x.split("=")).map(([k, n]) => [k, Number(n)]));
    return { name: name!, order: v.order!, objsPerSlab: v.objs_per_slab!, objectSize: v.object_size!, slabSize: v.slab_size!, aliases: v.aliases! };
  });
}

/** The flags slab_common passes for a kmalloc cache of this name (6.1: SLAB_KMALLOC; the lead's slab-common adds SLAB_NO_USER_FLAGS). */
function kmallocFlags(name: string, noUser: boolean): number {
  let f = SLAB_KMALLOC | (noUser ? SLAB_NO_USER_FLAGS : 0);
  if (name.startsWith("kmalloc-rcl-")) f |= SLAB_RECLAIM_ACCOUNT;
  else if (name.startsWith("kmalloc-cg-")) f |= SLAB_ACCOUNT;
  else if (name.startsWith("dma-kmalloc-")) f |= SLAB_CACHE_DMA;
  return f;
}

describe("calculate_order (mm/slub.c 6.1)", () => {
  it("min_objects on the 2-CPU machine is 4 × (fls(2) + 1) = 12", () => {
    expect(fls(2)).toBe(2);
    expect(4 * (fls(2) + 1)).toBe(12);
    // 12 objects of 2496 bytes need 29952 bytes: order 3 (TCPv6 in the fixture: 13 per order-3 slab)
    expect(calculateOrder(2496, REF)).toBe(3);
    expect(orderObjects(3, 2496)).toBe(13);
  });

  it("reproduces objperslab and pagesperslab of every cache in /proc/slabinfo", () => {
    const lines = readFileSync(FIX + "proc_slabinfo", "utf8").trim().split("\n").slice(2);
    expect(lines.length).toBeGreaterThan(100);
    for (const l of lines) {
      const f = l.split(/\s+/);
      const name = f[0]!;
      const size = Number(f[3]);
      const objPerSlab = Number(f[4]);
      const pagesPerSlab = Number(f[5]);
      const order = calculateOrder(size, REF);
      expect({ name, pages: 2 ** order, objs: orderObjects(order, size) }).toEqual({ name, pages: pagesPerSlab, objs: objPerSlab });
    }
  });

  it("follows slub_min_objects, slub_max_order and slub_min_order", () => {
    // one CPU present: nr_cpu_ids is used instead
    expect(calculateOrder(512, slabOrderParams(0, 3, 0, 1, 4))).toBe(calculateOrder(512, slabOrderParams(0, 3, 0, 4, 4)));
    expect(calculateOrder(512, slabOrderParams(0, 3, 4, 2, 2))).toBe(0); // 4 objects fit in one page
    expect(calculateOrder(512, slabOrderParams(2, 3, 0, 2, 2))).toBe(2); // slub_min_order=2
    expect(calculateOrder(8192, slabOrderParams(0, 0, 0, 2, 2))).toBe(1); // one object must fit: beyond slub_max_order
    expect(calculateOrder(4 << 20, REF)).toBe(10); // 4 MiB: MAX_ORDER - 1
    expect(calculateOrder(8 << 20, REF)).toBe(-1); // -ENOSYS
    // more than MAX_OBJS_PER_PAGE objects at slub_min_order=6: get_order(8 × 32767) - 1 = 5 (the kernel's answer, below the minimum)
    expect(calculateOrder(8, slabOrderParams(6, 10, 0, 2, 2))).toBe(5);
  });

  it("min_partial = ilog2(size) / 2 in [5, 10]; cpu_partial by size", () => {
    expect([8, 128, 1024, 2048, 8192, 1 << 20, 1 << 22].map(minPartialFor)).toEqual([5, 5, 5, 5, 6, 10, 10]);
    expect(cpuPartialFor(128, 32, true)).toEqual({ cpuPartial: 120, cpuPartialSlabs: 8 });
    expect(cpuPartialFor(512, 16, true)).toEqual({ cpuPartial: 52, cpuPartialSlabs: 7 });
    expect(cpuPartialFor(2048, 16, true)).toEqual({ cpuPartial: 24, cpuPartialSlabs: 3 });
    expect(cpuPartialFor(8192, 4, true)).toEqual({ cpuPartial: 6, cpuPartialSlabs: 3 });
    expect(cpuPartialFor(8192, 4, false)).toEqual({ cpuPartial: 0, cpuPartialSlabs: 0 });
  });
});

describe("calculate_sizes (mm/slub.c 6.1)", () => {
  it("keeps the free pointer in the middle of an undebugged object", () => {
    const l = calculateSizes(128, 128, SLAB_KMALLOC, false, REF)!;
    expect(l).toMatchObject({ size: 128, inuse: 128, offset: 64, redLeftPad: 0, order: 0, objects: 32, minOrder: 0 });
    const odd = calculateSizes(52, 8, 0, false, REF)!;
    expect(odd).toMatchObject({ size: 56, inuse: 56, offset: 24 });
  });

  it("moves the free pointer after the object for a ctor", () => {
    expect(calculateSizes(128, 8, 0, true, REF)).toMatchObject({ inuse: 128, offset: 128, size: 136 });
  });

  it("lays out kmalloc-128 under slub_debug (F, Z, P, U): red zones, free pointer, two tracks, orig_size, 128-byte left pad", () => {
    const flags = SLAB_KMALLOC | 0x100 | 0x400 | 0x800 | 0x10000;
    const l = calculateSizes(128, 128, flags, false, REF)!;
    // 128 + 8 red zone = 136 (inuse); + 8 free pointer = 144; + 2 × 32 tracks + 4 = 212; + 8 = 220; + 128 left pad = 348 → 384
    expect(l).toMatchObject({ objectSize: 128, inuse: 136, offset: 136, redLeftPad: 128, size: 384, objectPoison: true, order: 1, objects: 21, minOrder: 0, minObjects: 10 });
  });

  it("a 64-byte HWCACHE_ALIGN cache under slub_debug is 256 bytes per object", () => {
    const l = calculateSizes(64, 64, SLAB_HWCACHE_ALIGN | 0x100 | 0x400 | 0x800 | 0x10000, false, REF)!;
    expect(l).toMatchObject({ inuse: 72, offset: 72, redLeftPad: 64, size: 256 });
  });
});

describe("golden: the reference machine's kmalloc caches (sys_kernel_slab_kmalloc-all)", () => {
  const fixture = sysfsFixture();
  for (const noUser of [false, true]) {
    it(`object_size, slab_size, objs_per_slab, order and aliases match (flags SLAB_KMALLOC${noUser ? " | SLAB_NO_USER_FLAGS" : ""})`, () => {
      const { allocator: a } = makeSlub();
      expect(fixture.length).toBe(21);
      for (const f of fixture) {
        const align = Math.max(128, f.objectSize); // create_boot_cache: power-of-two kmalloc sizes are naturally aligned
        const id = a.kmemCacheCreate(f.name, f.objectSize, align, kmallocFlags(f.name, noUser));
        expect(id).toBeGreaterThanOrEqual(0);
        const got = ["object_size", "slab_size", "objs_per_slab", "order", "aliases"].map((k) => Number(sysfsShow(a, id, k)));
        expect({ name: f.name, got }).toEqual({ name: f.name, got: [f.objectSize, f.slabSize, f.objsPerSlab, f.order, f.aliases] });
      }
      expectValid(a);
    });
  }

  it("through core's SlabCommon.createKmallocCaches(), every kmalloc, -cg-, -rcl- and dma- cache matches /proc/slabinfo", () => {
    const { allocator: a, pages } = makeSlub();
    const sc = new SlabCommon(a, pages, new KernelLog());
    sc.createKmallocCaches();
    const real = new Map(readFileSync(FIX + "proc_slabinfo", "utf8").trim().split("\n").slice(2).map((l) => l.split(/\s+/)).map((f) => [f[0]!, f]));
    let checked = 0;
    for (const c of sc.caches) {
      const r = real.get(c.name);
      if (!r) continue;
      const g = a.geometry(c.id);
      expect({ name: c.name, size: g.size, objs: g.objsPerSlab, pages: 2 ** g.order }).toEqual({ name: c.name, size: Number(r[3]), objs: Number(r[4]), pages: Number(r[5]) });
      checked++;
    }
    expect(checked).toBe(28);
    expectValid(a);
  });

  it("kfree of an address no slab owns WARNs once as 6.1's free_large_kmalloc does, and frees nothing", () => {
    const { allocator: a, pages } = makeSlub();
    const log = new KernelLog();
    const sc = new SlabCommon(a, pages, log);
    sc.createKmallocCaches();
    const obj = sc.kmalloc(64, 0xcc0, 0);
    const before = pages.mem.refcount.slice();
    expect(sc.kfree(0x1234000, 0)).toBe(-22);
    expect(sc.kfree(0x1235000, 0)).toBe(-22);
    const text = log.all().map((r) => r.text);
    expect(text.filter((t) => t.startsWith("WARNING: CPU:")).length).toBe(1);
    expect(text.some((t) => t.includes("at free_large_kmalloc"))).toBe(true);
    expect(text).toContain("object pointer: 0x0000000001234000");
    expect(pages.mem.refcount).toEqual(before);
    expect(sc.kfree(obj, 0)).toBe(0);
    expectValid(a);
  });
});
