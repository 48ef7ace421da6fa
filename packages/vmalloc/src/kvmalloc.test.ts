// mmsim: kvmalloc/kvfree (mm/util.c 6.1) and vmalloc's metadata in the slab layer
import {
  GFP_ATOMIC, GFP_KERNEL, KMALLOC_MAX_SIZE, SZ_2M, SZ_4M, __GFP_COMP, __GFP_NOFAIL, __GFP_NORETRY, __GFP_NOWARN,
  __GFP_RETRY_MAYFAIL, debugVm,
} from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { INT_MAX } from "./index.ts";
import { OrderFailingPageAllocator, SZ_4K, check, logLines, makeRig } from "./vmalloc.test-helpers.ts";

beforeAll(() => {
  debugVm.on = true;
});

/** Records the GFP mask of every allocPages call; fails orders above `maxOrder`. */
class SpyPageAllocator extends FakePageAllocator {
  readonly calls: [gfp: number, order: number][] = [];
  maxOrder = 99;
  override allocPages(gfp: number, order: number): number {
    this.calls.push([gfp, order]);
    if (order > this.maxOrder) return -1;
    return super.allocPages(gfp, order);
  }
}

describe("kvmalloc_node", () => {
  it("small sizes come from kmalloc and never fall back", () => {
    const r = makeRig();
    const p = r.vm.kvmalloc(100, GFP_KERNEL);
    expect(p).toBeGreaterThan(0);
    expect(r.vm.isVmallocAddr(p)).toBe(false);
    r.counting!.failAll = true;
    expect(r.vm.kvmalloc(SZ_4K, GFP_KERNEL)).toBe(0); // PAGE_SIZE itself: no fallback
    r.counting!.failAll = false;
    const before = r.counting!.active.reduce((a, b) => a + b, 0);
    r.vm.kvfree(p);
    expect(r.counting!.active.reduce((a, b) => a + b, 0)).toBe(before - 1);
  });

  it("large sizes try kmalloc with __GFP_NOWARN|__GFP_NORETRY (no __GFP_NOFAIL), then vmalloc", () => {
    const pages = new SpyPageAllocator();
    const r = makeRig({ pages });
    pages.maxOrder = 0; // every large kmalloc (compound pages) fails
    const n = pages.calls.length;
    const p = r.vm.kvmalloc(64 * 1024, GFP_KERNEL | __GFP_NOFAIL, "xt_alloc_table_info+0x40/0x80");
    expect(r.vm.isVmallocAddr(p)).toBe(true);
    const [kgfp, korder] = pages.calls[n]!;
    expect(korder).toBe(4);
    expect(kgfp).toBe(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY | __GFP_COMP);
    expect(r.vm.vmallocinfo()).toContain(" 69632 xt_alloc_table_info+0x40/0x80 pages=16 vmalloc N0=16\n");
    // with __GFP_RETRY_MAYFAIL the kmalloc try keeps retrying: no __GFP_NORETRY
    const m = pages.calls.length;
    r.vm.kvmalloc(64 * 1024, GFP_KERNEL | __GFP_RETRY_MAYFAIL);
    expect(pages.calls[m]![0]).toBe(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN | __GFP_COMP);
    r.vm.kvfree(p);
    expect(r.vm.findVmArea(p)).toBe(-1);
    check(r);
  });

  it("a large kmalloc that succeeds is returned as is", () => {
    const r = makeRig();
    const p = r.vm.kvmalloc(64 * 1024, GFP_KERNEL);
    expect(p).toBeGreaterThan(0);
    expect(r.vm.isVmallocAddr(p)).toBe(false);
    r.vm.kvfree(p);
    expect(r.pages.pagesInUse).toBe(0);
  });

  it("does not fall back for non-blocking masks, and refuses sizes above INT_MAX", () => {
    const pages = new OrderFailingPageAllocator();
    pages.failHighOrder = true;
    const r = makeRig({ pages });
    expect(r.vm.kvmalloc(64 * 1024, GFP_ATOMIC)).toBe(0);
    const n = r.log.length;
    expect(r.vm.kvmalloc(INT_MAX + 1, GFP_KERNEL | __GFP_NOWARN)).toBe(0);
    expect(r.log.length).toBe(n);
    expect(r.vm.kvmalloc(INT_MAX + 1, GFP_KERNEL)).toBe(0);
    expect(logLines(r.log, n)).toContain("WARNING: CPU: 0 PID: 0 at mm/util.c:596 kvmalloc_node");
    expect(r.vm.kvmallocArray(2 ** 40, 2 ** 20, GFP_KERNEL)).toBe(0);
  });

  it("uses huge pages for the fallback from 2 MiB (VM_ALLOW_HUGE_VMAP), small pages when no block is free", () => {
    const r = makeRig();
    const p = r.vm.kvmalloc(KMALLOC_MAX_SIZE + SZ_4K, GFP_KERNEL); // above KMALLOC_MAX_SIZE: kmalloc fails
    const v = r.vm.vmStruct(r.vm.findVmArea(p))!;
    expect(v.pageOrder).toBe(9);
    expect(Math.abs(p % SZ_2M)).toBe(0);
    expect(v.size).toBe(SZ_4M + SZ_2M + SZ_4K); // ALIGN(size, PMD_SIZE) + guard
    expect(v.nrPages).toBe(1536);
    r.vm.kvfree(p);
    const pages = new OrderFailingPageAllocator();
    pages.failHighOrder = true;
    const r2 = makeRig({ pages });
    const q = r2.vm.kvzalloc(SZ_4M, GFP_KERNEL);
    expect(r2.vm.vmStruct(r2.vm.findVmArea(q))!.pageOrder).toBe(0);
    check(r2);
  });

  it("kvcalloc zeroes, kvfree(NULL) is a no-op", () => {
    const r = makeRig();
    expect(r.vm.kvcalloc(10, 100, GFP_KERNEL)).toBeGreaterThan(0);
    r.vm.kvfree(0);
  });

  it("needs a slab layer", () => {
    const r = makeRig({ slab: false });
    expect(() => r.vm.kvmalloc(100, GFP_KERNEL)).toThrow(/slab layer/);
  });
});

describe("vmalloc's metadata in the slab layer", () => {
  it("the vmap_area cache holds every vmap_area; kmalloc-128 the vm_structs and small page arrays", () => {
    const r = makeRig();
    const slab = r.slab!;
    const cache = slab.findCache("vmap_area")!;
    expect(cache.objectSize).toBe(64);
    const vaObjs = (): number => r.counting!.active[cache.id]!;
    expect(vaObjs()).toBe(r.vm.state.areas.nrInUse);
    const k128 = slab.findCache("kmalloc-128")!;
    const kObjs = (): number => r.counting!.active[k128.id]!;
    const k0 = kObjs();
    const a = r.vm.vmalloc(16 * SZ_4K); // vm_struct (64 B) + pages array (128 B): both kmalloc-128
    expect(kObjs()).toBe(k0 + 2);
    expect(vaObjs()).toBe(r.vm.state.areas.nrInUse);
    const b = r.vm.vmalloc(17 * SZ_4K); // array of 136 B: kmalloc-256
    expect(kObjs()).toBe(k0 + 3);
    r.vm.vfree(a);
    r.vm.vfree(b);
    expect(kObjs()).toBe(k0);
    expect(vaObjs()).toBe(r.vm.state.areas.nrInUse);
    r.vm.purgeVmapAreaLazy();
    expect(vaObjs()).toBe(r.vm.state.areas.nrInUse);
    check(r);
  });

  it("works without a slab layer (the package alone)", () => {
    const r = makeRig({ slab: false });
    const a = r.vm.vmalloc(3 * SZ_4K);
    expect(a).not.toBe(0);
    r.vm.vfree(a);
    check(r);
  });
});
