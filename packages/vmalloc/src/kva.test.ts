// mmsim: tests of the kva allocator — fit types, merging, lazy purge threshold and flush range, rbtree invariants
import { GFP_KERNEL, __GFP_NOWARN, debugVm } from "@mmsim/core";
import { formatVa } from "@mmsim/hw-arm64";
import { beforeAll, describe, expect, it } from "vitest";
import { FIT_TYPE_NAMES, allocVmapAreaAt, freeList, purgeList } from "./kva.test-helpers.ts";
import {
  FL_FIT_TYPE, LE_FIT_TYPE, NE_FIT_TYPE, NIL_VA, NOTHING_FIT, RE_FIT_TYPE, VA_KERNEL_MIN, classifyVaFitType, findVmapArea,
  freeUnmapVmapArea, lazyMaxPages, purgeVmapAreaLazy,
} from "./index.ts";
import { FREE_VMAP_AREA_LIST, VmapAreas } from "./vmap-area.ts";
import { rbErase, rbFirst, rbInsert, rbLinkNode, rbNext, rbPrev, LINK_LEFT, LINK_RIGHT, LINK_ROOT } from "./rbtree.ts";
import { IMAGE, SZ_4K, VMALLOC_START, check, kimg, makeRig } from "./vmalloc.test-helpers.ts";

beforeAll(() => {
  debugVm.on = true;
});

const IMG_START = kimg(IMAGE._stext);
const IMG_END = kimg(IMAGE._end) + SZ_4K;

describe("free space after vmalloc_init", () => {
  it("is the two holes around the kernel image", () => {
    const r = makeRig();
    expect(freeList(r)).toEqual([
      [VA_KERNEL_MIN, IMG_START],
      [IMG_END, -1],
    ]);
  });
});

describe("classify_va_fit_type / adjust_va_to_fit_type", () => {
  it("classifies against one free block", () => {
    const r = makeRig();
    const s = r.vm.state;
    const hole = s.areas.next[FREE_VMAP_AREA_LIST]!; // [KMIN, IMG_START)
    const top = s.areas.next[hole]!; // [IMG_END, -1)
    expect(classifyVaFitType(s, top, IMG_END, -1 - IMG_END)).toBe(FL_FIT_TYPE);
    expect(classifyVaFitType(s, top, IMG_END, SZ_4K)).toBe(LE_FIT_TYPE);
    expect(classifyVaFitType(s, hole, IMG_START - SZ_4K, SZ_4K)).toBe(RE_FIT_TYPE);
    expect(classifyVaFitType(s, hole, VMALLOC_START, SZ_4K)).toBe(NE_FIT_TYPE);
    expect(classifyVaFitType(s, hole, IMG_START - SZ_4K, 2 * SZ_4K)).toBe(NOTHING_FIT);
    expect(FIT_TYPE_NAMES[NE_FIT_TYPE]).toBe("NE_FIT_TYPE");
  });

  it("NE splits the block with this CPU's preloaded vmap_area, LE shrinks, FL removes, RE trims", () => {
    const r = makeRig();
    const s = r.vm.state;
    const cache = s.vmapAreaCache!.id;
    const objs = (): number => r.counting!.active[cache]!;
    const base = objs(); // 5 busy + 2 free
    // NE: [KMIN, IMG_START) → [KMIN, VS) + busy [VS, VS+8K) + [VS+8K, IMG_START)
    expect(allocVmapAreaAt(r, 2 * SZ_4K, SZ_4K, VMALLOC_START)).toBe(VMALLOC_START);
    expect(s.nePreload[0]).toBe(NIL_VA); // the preloaded object became the left remainder
    expect(objs()).toBe(base + 2); // the busy area + the left remainder (the preload was allocated then used)
    expect(freeList(r)).toEqual([[VA_KERNEL_MIN, VMALLOC_START], [VMALLOC_START + 0x2000, IMG_START], [IMG_END, -1]]);
    // LE: the next request starts at the hole's start
    expect(allocVmapAreaAt(r, 2 * SZ_4K, SZ_4K, VMALLOC_START)).toBe(VMALLOC_START + 0x2000);
    expect(freeList(r)[1]).toEqual([VMALLOC_START + 0x4000, IMG_START]);
    // FL: exactly the rest of the 64K hole; its vmap_area object is freed
    const before = objs();
    expect(allocVmapAreaAt(r, 0xc000, SZ_4K, VMALLOC_START)).toBe(VMALLOC_START + 0x4000);
    expect(freeList(r)).toEqual([[VA_KERNEL_MIN, VMALLOC_START], [IMG_END, -1]]);
    expect(objs()).toBe(before); // + the busy area, - the free block (this CPU's preload was still there)
    // RE: a request ending at the end of the low block, forced by vstart
    expect(allocVmapAreaAt(r, SZ_4K, SZ_4K, VMALLOC_START - SZ_4K)).toBe(VMALLOC_START - SZ_4K);
    expect(freeList(r)[0]).toEqual([VA_KERNEL_MIN, VMALLOC_START - SZ_4K]);
    check(r);
  });

  it("without a preloaded object the no-edge split takes one with GFP_NOWAIT; if that fails too, WARN and purge-retry", () => {
    const r = makeRig();
    const s = r.vm.state;
    const cs = r.counting!;
    // CPU 1 has no preload yet; make the preload fail: va ok, preload fails, the NE split's NOWAIT one succeeds
    r.vm.cpu = 1;
    cs.failPattern = [false, true, false];
    expect(allocVmapAreaAt(r, SZ_4K, SZ_4K, VMALLOC_START + 0x4000)).toBe(VMALLOC_START + 0x4000);
    expect(s.nePreload[1]).toBe(NIL_VA);
    check(r);
    // va ok, preload fails, NOWAIT fails: __alloc_vmap_area WARNs once and fails; the overflow path
    // purges and retries; the retry's preload succeeds
    cs.failPattern = [false, true, true];
    const n = r.log.length;
    expect(allocVmapAreaAt(r, SZ_4K, SZ_4K, VMALLOC_START + 0x8000)).toBe(VMALLOC_START + 0x8000);
    expect(r.log.all().slice(n).map((l) => l.text)).toContain("WARNING: CPU: 0 PID: 0 at mm/vmalloc.c:1541 __alloc_vmap_area");
    expect(r.vm.counters().overflowPurges).toBe(1);
    check(r);
  });
});

describe("merging on free (merge_or_add_vmap_area)", () => {
  it("adjacent lazily freed areas merge in the purge tree, then into the free tree", () => {
    const r = makeRig();
    const s = r.vm.state;
    const a = allocVmapAreaAt(r, SZ_4K * 2, SZ_4K, VMALLOC_START);
    const b = allocVmapAreaAt(r, SZ_4K * 2, SZ_4K, VMALLOC_START);
    const c = allocVmapAreaAt(r, SZ_4K * 2, SZ_4K, VMALLOC_START);
    freeUnmapVmapArea(s, findVmapArea(s, a));
    freeUnmapVmapArea(s, findVmapArea(s, c));
    expect(purgeList(r)).toEqual([[a, a + 0x2000], [c, c + 0x2000]]);
    freeUnmapVmapArea(s, findVmapArea(s, b)); // bridges a and c
    expect(purgeList(r)).toEqual([[a, c + 0x2000]]);
    purgeVmapAreaLazy(s);
    expect(purgeList(r)).toEqual([]);
    // back to the state after vmalloc_init
    expect(freeList(r)).toEqual([[VA_KERNEL_MIN, IMG_START], [IMG_END, -1]]);
    expect(r.pt.flushes).toEqual([[a, c + 0x2000]]);
    check(r);
  });
});

describe("lazy purge", () => {
  it("lazy_max_pages() = fls(num_online_cpus) × 32 MiB of pages", () => {
    expect(lazyMaxPages(1)).toBe(8192);
    expect(lazyMaxPages(2)).toBe(16384);
    expect(lazyMaxPages(4)).toBe(24576);
    expect(lazyMaxPages(8)).toBe(32768);
    expect(makeRig({ nrCpus: 4 }).vm.lazyMaxPages()).toBe(24576);
  });

  it("runs exactly when vmap_lazy_nr passes lazy_max_pages, with one flush over the whole parked range", () => {
    const r = makeRig(); // 2 CPUs: 16384 pages
    const s = r.vm.state;
    const areaPages = 1024;
    const addrs: number[] = [];
    for (let i = 0; i < 17; i++) addrs.push(allocVmapAreaAt(r, areaPages * SZ_4K, SZ_4K, VMALLOC_START));
    // free in a scattered order; 16 areas = 16384 pages parked: not more than lazy_max_pages
    const order = [3, 0, 15, 7, 1, 9, 2, 14, 4, 13, 5, 12, 6, 11, 8, 10];
    for (const i of order) freeUnmapVmapArea(s, findVmapArea(s, addrs[i]!));
    expect(r.vm.counters().vmapLazyNr).toBe(16384);
    expect(r.vm.counters().purges).toBe(0);
    expect(r.pt.flushes).toEqual([]);
    expect(purgeList(r)).toEqual([[addrs[0], addrs[15]! + areaPages * SZ_4K]]); // all merged
    expect(r.vm.vmallocinfo()).toContain(`0x${formatVa(addrs[0]!)}-0x${formatVa(addrs[15]! + areaPages * SZ_4K)} ${16 * areaPages * SZ_4K} unpurged vm_area\n`);
    expect(r.pt.stale.size).toBe(0); // nothing was mapped through allocVmapArea
    // the 17th pushes it over: the drain runs at once
    freeUnmapVmapArea(s, findVmapArea(s, addrs[16]!));
    const c = r.vm.counters();
    expect(c.vmapLazyNr).toBe(0);
    expect(c.purges).toBe(1);
    expect(c.drainRuns).toBe(1);
    expect(c.purgedPages).toBe(17 * areaPages);
    expect(r.pt.flushes).toEqual([[addrs[0], addrs[16]! + areaPages * SZ_4K]]);
    expect(freeList(r)).toEqual([[VA_KERNEL_MIN, IMG_START], [IMG_END, -1]]);
    check(r);
  });

  it("vmalloc'd pages stay in the TLB (stale) until the purge flushes them", () => {
    const r = makeRig({ nrCpus: 1 }); // 8192 pages
    const addrs: number[] = [];
    // 511 pages: the pages array (4088 bytes) still comes from kmalloc
    for (let i = 0; i < 3; i++) addrs.push(r.vm.vmalloc(511 * SZ_4K));
    r.vm.vfree(addrs[0]!);
    r.vm.vfree(addrs[1]!);
    expect(r.pt.stale.size).toBe(2 * 511);
    expect(r.vm.counters().vmapLazyNr).toBe(1024);
    r.vm.vmUnmapAliases();
    expect(r.pt.stale.size).toBe(0);
    expect(r.pt.flushes).toEqual([[addrs[0], addrs[1]! + 512 * SZ_4K]]);
    check(r);
  });

  it("a purge with nothing parked does not flush", () => {
    const r = makeRig();
    r.vm.purgeVmapAreaLazy();
    expect(r.pt.flushes).toEqual([]);
    expect(r.vm.counters().purges).toBe(0);
  });

  it("alloc failure in a full window purges once and retries (overflow path), with __GFP_NOWARN silent", () => {
    const r = makeRig();
    const s = r.vm.state;
    const lo = VMALLOC_START + 0x40000000;
    const got = allocVmapAreaAt(r, 0x10000, SZ_4K, lo, lo + 0x10000);
    freeUnmapVmapArea(s, findVmapArea(s, got));
    const n = r.log.length;
    expect(allocVmapAreaAt(r, 0x10000, SZ_4K, lo, lo + 0x10000, GFP_KERNEL | __GFP_NOWARN)).toBe(lo);
    expect(r.vm.counters().overflowPurges).toBe(1);
    expect(r.log.length).toBe(n);
  });
});

describe("rbtree (lib/rbtree.c port)", () => {
  it("stays a valid augmented red-black tree through random inserts and erases", () => {
    const a = new VmapAreas(8);
    const root = 1;
    let x = 0x9e3779b9;
    const rnd = (): number => ((x = (x ^ (x << 13)) >>> 0), (x = (x ^ (x >>> 17)) >>> 0), (x = (x ^ (x << 5)) >>> 0), x);
    const live = new Map<number, number>(); // start → node
    for (let i = 0; i < 3000; i++) {
      if (live.size === 0 || rnd() % 3 !== 0) {
        const start = (rnd() % 100000) * 16;
        if (live.has(start)) continue;
        const n = a.alloc();
        a.vaStart[n] = start;
        a.vaEnd[n] = start + 1 + (rnd() % 15);
        // descend by start (areas never overlap: starts are 16 apart, sizes < 16)
        let cur = a.roots[root]!;
        let parent = NIL_VA;
        let dir = LINK_ROOT;
        while (cur !== NIL_VA) {
          parent = cur;
          if (start < a.vaStart[cur]!) {
            dir = LINK_LEFT;
            cur = a.rbLeft[cur]!;
          } else {
            dir = LINK_RIGHT;
            cur = a.rbRight[cur]!;
          }
        }
        rbLinkNode(a, n, parent, dir, root);
        rbInsert(a, n, root, true);
        a.subtreeMaxSize[n] = 0;
        let p = n;
        while (p !== NIL_VA) {
          let m = a.vaEnd[p]! - a.vaStart[p]!;
          if (a.rbLeft[p] !== NIL_VA) m = Math.max(m, a.subtreeMaxSize[a.rbLeft[p]!]!);
          if (a.rbRight[p] !== NIL_VA) m = Math.max(m, a.subtreeMaxSize[a.rbRight[p]!]!);
          a.subtreeMaxSize[p] = m;
          p = a.rbParent[p]!;
        }
        live.set(start, n);
      } else {
        const keys = [...live.keys()];
        const k = keys[rnd() % keys.length]!;
        rbErase(a, live.get(k)!, root, true);
        a.free(live.get(k)!);
        live.delete(k);
      }
    }
    // in order, black heights, augmentation
    const sorted = [...live.keys()].sort((p, q) => p - q);
    const walk: number[] = [];
    for (let n = rbFirst(a, root); n !== NIL_VA; n = rbNext(a, n)) walk.push(a.vaStart[n]!);
    expect(walk).toEqual(sorted);
    const back: number[] = [];
    let last = rbFirst(a, root);
    while (rbNext(a, last) !== NIL_VA) last = rbNext(a, last);
    for (let n = last; n !== NIL_VA; n = rbPrev(a, n)) back.push(a.vaStart[n]!);
    expect(back).toEqual(sorted.slice().reverse());
    const check = (n: number): [number, number] => {
      if (n === NIL_VA) return [1, 0];
      const [hl, ml] = check(a.rbLeft[n]!);
      const [hr, mr] = check(a.rbRight[n]!);
      expect(hl).toBe(hr);
      if (a.rbColor[n] === 0) {
        for (const c of [a.rbLeft[n]!, a.rbRight[n]!]) if (c !== NIL_VA) expect(a.rbColor[c]).toBe(1);
      }
      const m = Math.max(a.vaEnd[n]! - a.vaStart[n]!, ml, mr);
      expect(a.subtreeMaxSize[n]).toBe(m);
      return [hl + a.rbColor[n]!, m];
    };
    expect(a.rbColor[a.roots[root]!]).toBe(1);
    check(a.roots[root]!);
  });
});
