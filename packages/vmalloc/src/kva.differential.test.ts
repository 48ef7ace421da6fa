// mmsim: differential test of the kva allocator against 6.1's own code (addresses, flushes, final free/purge lists)
/*
 * src/testdata/kva-6.1-seed*.txt were produced by compiling 6.1.166's mm/vmalloc.c global kva
 * allocator (alloc_vmap_area, free_vmap_area_noflush, __purge_vmap_area_lazy and everything
 * they call, with lib/rbtree.c) in user space, with stubs for locks, the slab cache (malloc
 * that poisons new objects), per-CPU variables (one CPU) and num_online_cpus() = 2, and driving
 * it with the op generator below (xorshift32). This test runs the same ops through mmsim's
 * kva.ts and compares every line: which address each allocation got (or its errno), every TLB
 * flush range, explicit purges, and the free and purge lists at the end. The ops mix page-sized
 * and large requests, alignments up to 2 MiB (where find_vmap_lowest_match()'s pruning makes
 * the answer depend on the tree's shape), a tight 64 MiB window (overflow → purge → retry → fail)
 * and odd vstart values (the rollback path). `sh src/testdata/kva-harness/build.sh <linux tree>`
 * rebuilds the expected files.
 */
import { GFP_KERNEL, KernelLog, SimClock, __GFP_NOWARN, debugVm } from "@mmsim/core";
import { FakePageAllocator, expectValid } from "@mmsim/core/testing";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  VM_MAP, VM_NO_GUARD, Vmalloc, allocVmapArea, findVmapArea, freeUnmapVmapArea, purgeVmapAreaLazy, type VmapPageTables,
} from "./index.ts";
import { FREE_VMAP_AREA_LIST, PURGE_VMAP_AREA_LIST } from "./vmap-area.ts";
import { LAYOUT, VMALLOC_END, VMALLOC_START } from "./vmalloc.test-helpers.ts";

beforeAll(() => {
  debugVm.on = true;
});

/** The C driver's xorshift32. */
class Xorshift32 {
  constructor(private s: number) {}
  next(): number {
    let s = this.s;
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    this.s = s;
    return s;
  }
}

/** Page tables that only log flushes into the output, as the C stub prints them. */
class FlushLog implements VmapPageTables {
  constructor(private readonly out: string[]) {}
  vmapPagesRange(): number {
    return 0;
  }
  ioremapPageRange(): number {
    return 0;
  }
  vunmapRangeNoflush(): void {}
  flushTlbKernelRange(start: number, end: number): void {
    this.out.push(`F ${start - VMALLOC_START} ${end - VMALLOC_START}`);
  }
}

function run(seed: number, nops: number): string[] {
  const out: string[] = [];
  const vm = new Vmalloc(
    { vmallocStart: VMALLOC_START, vmallocEnd: VMALLOC_END, modulesVaddr: LAYOUT.modulesVaddr, modulesEnd: LAYOUT.modulesEnd, nrCpus: 2 },
    new FakePageAllocator(),
    new FlushLog(out),
    new KernelLog(),
    new SimClock(),
  );
  const segs = [
    [0x10000, 0xcf0000], [0xd00000, 0x960000], [0x1660000, 0xe0000], [0x1740000, 0x570000], [0x1cb0000, 0x361000],
  ];
  for (const [off, size] of segs) vm.vmAreaAddEarly(VMALLOC_START + off!, size!, VM_MAP | VM_NO_GUARD, 0);
  vm.vmallocInit();
  const s = vm.state;
  const rnd = new Xorshift32(seed);
  const live: number[] = [];
  const aligns = [4096, 4096, 4096, 4096, 16384, 32768, 65536, 131072, 2097152];
  for (let i = 0; i < nops; i++) {
    const r = rnd.next() % 100;
    if (r < 55 || live.length === 0) {
      const sc = rnd.next() % 100;
      let pages: number;
      if (sc < 60) pages = 1 + (rnd.next() % 4);
      else if (sc < 85) pages = 1 + (rnd.next() % 32);
      else if (sc < 97) pages = 1 + (rnd.next() % 512);
      else pages = 1 + (rnd.next() % 8192);
      const size = (pages + 1) * 4096;
      const align = aligns[rnd.next() % 9]!;
      const w = rnd.next() % 10;
      let vstart: number;
      let vend: number;
      if (w < 7) {
        vstart = VMALLOC_START;
        vend = VMALLOC_END;
      } else if (w < 9) {
        vstart = VMALLOC_START + 0x40000000;
        vend = vstart + 0x4000000;
      } else {
        vstart = VMALLOC_START + 0x1000 * (rnd.next() % 4096);
        vend = VMALLOC_END;
      }
      const va = allocVmapArea(s, size, align, vstart, vend, -1, GFP_KERNEL | __GFP_NOWARN);
      if (va < 0) out.push(`A E${-va}`);
      else {
        out.push(`A ${s.areas.vaStart[va]! - VMALLOC_START}`);
        live.push(s.areas.vaStart[va]!);
      }
    } else if (r < 97) {
      const k = rnd.next() % live.length;
      const a = live[k]!;
      live[k] = live[live.length - 1]!;
      live.pop();
      const va = findVmapArea(s, a);
      if (va < 0) throw new Error(`live area ${a} not found`);
      freeUnmapVmapArea(s, va);
    } else {
      purgeVmapAreaLazy(s);
      out.push("P");
    }
    if (i % 500 === 0) expectValid(vm, `op ${i}`);
  }
  const a = s.areas;
  for (let va = a.next[FREE_VMAP_AREA_LIST]!; va !== FREE_VMAP_AREA_LIST; va = a.next[va]!) {
    if (a.vaStart[va]! < VMALLOC_START) out.push(`L low ${a.vaEnd[va]! - VMALLOC_START}`);
    else out.push(`L ${a.vaStart[va]! - VMALLOC_START} ${a.vaEnd[va]! - VMALLOC_START}`);
  }
  for (let va = a.next[PURGE_VMAP_AREA_LIST]!; va !== PURGE_VMAP_AREA_LIST; va = a.next[va]!) {
    out.push(`U ${a.vaStart[va]! - VMALLOC_START} ${a.vaEnd[va]! - VMALLOC_START}`);
  }
  out.push(`Z ${s.vmapLazyNr}`);
  expectValid(vm, "end");
  return out;
}

function golden(name: string): string[] {
  const text = readFileSync(fileURLToPath(new URL(`./testdata/${name}`, import.meta.url)), "utf8");
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
}

describe("kva allocator = 6.1's mm/vmalloc.c compiled from source", () => {
  it("seed 99, 6000 ops: same addresses, flushes, failures and final lists", () => {
    const want = golden("kva-6.1-seed99-ops6000.txt");
    const got = run(99, 6000);
    expect(want.filter((l) => l.startsWith("A E")).length).toBeGreaterThan(10); // the overflow path ran
    expect(want.filter((l) => l.startsWith("F")).length).toBeGreaterThan(100);
    expect(got).toEqual(want);
  });

  it("seed 12345, 3000 ops", () => {
    expect(run(12345, 3000)).toEqual(golden("kva-6.1-seed12345-ops3000.txt"));
  });
});
