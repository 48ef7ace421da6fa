// mmsim: vmalloc, vmap and ioremap over the real arm64 tables (Arm64VmapPageTables): walks, blocks, lazy flushes, table accounting, -ENOMEM
import { ArgumentError, GFP_KERNEL, MmBugError, NIL_PFN, NR_PAGETABLE, PAGE_SIZE, debugVm } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_NONE, FAULT_PERMISSION, FAULT_TRANSLATION, MT_DEVICE_nGnRE, PAGE_KERNEL as PGPROT_KERNEL,
  PTE_ADDR_HI, PTE_ADDR_LO, PgtableAllocator, PgtableStore, TLBI_VAAE1IS, TlbDomain, CpuTlb,
} from "@mmsim/hw-arm64";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Arm64VmapPageTables, VMAP_PGPROTS } from "./arm64-page-tables.ts";
import { DEVICE_WINDOWS, SZ_1G, arm64Rig } from "./arm64-page-tables.test-helpers.ts";
import { IMAGE } from "./vmalloc.test-helpers.ts";
import { PAGE_KERNEL, PAGE_KERNEL_RO, PROT_DEVICE_nGnRE, vmapProtNames } from "./page-tables.ts";
import { VM_ALLOC } from "./vm-struct.ts";

const RW = ACCESS_READ | ACCESS_WRITE;
const SZ_2M = 0x200000;

/** The attribute bits of a leaf (the output address masked out). */
const attrs = (lo: number, hi: number): [number, number] => [(lo & ~PTE_ADDR_LO) >>> 0, (hi & ~PTE_ADDR_HI) >>> 0];
const nrPagetable = (fake: FakePageAllocator) => fake.nodeStat.get(NR_PAGETABLE) ?? 0;
/** x is a multiple of a (a Va remainder is -0 for a negative multiple). */
const aligned = (x: number, a: number) => x % a === 0;

beforeAll(() => {
  debugVm.on = true; // freed tables are checked empty
});
afterAll(() => {
  debugVm.on = false;
});

describe("Arm64VmapPageTables: vmalloc's pages in swapper_pg_dir", () => {
  it("after vmalloc of N pages every page walks to the frame vmalloc_to_pfn reports, with PAGE_KERNEL attributes", () => {
    const r = arm64Rig();
    for (const n of [1, 37, 700]) {
      const p = r.vm.vmalloc(n * PAGE_SIZE, "test_probe+0x10/0x40");
      expect(p).toBeLessThan(0);
      for (let i = 0; i < n; i++) {
        const pfn = r.vm.vmallocToPfn(p + i * PAGE_SIZE);
        expect(pfn).not.toBe(NIL_PFN);
        expect(r.walkK(p + i * PAGE_SIZE + 0x18, RW)).toBe(FAULT_NONE);
        expect([r.out.pa, r.out.level]).toEqual([pfn * PAGE_SIZE + 0x18, 3]);
        expect(attrs(r.out.descLo, r.out.descHi)).toEqual([PGPROT_KERNEL.lo, PGPROT_KERNEL.hi]);
      }
      expect(r.walkK(p + n * PAGE_SIZE)).toBe(FAULT_TRANSLATION); // the guard page
      expect(r.walkK(p, ACCESS_EXEC)).toBe(FAULT_PERMISSION); // PAGE_KERNEL is PXN
    }
    expect(r.pt.vmapCalls).toBe(4); // 700 page pointers exceed a page: the array is vmalloc'ed too
    r.check("three vmallocs");
  });

  it("after vfree the PTEs are gone (a level-3 fault, the tables kept); the purge flushes the TLB once over the purged range", () => {
    const r = arm64Rig();
    const n = 37;
    const p = r.vm.vmalloc(n * PAGE_SIZE);
    const tables = r.store.nrTables;
    r.vm.vfree(p);
    for (let i = 0; i < n; i++) {
      expect(r.walkK(p + i * PAGE_SIZE)).toBe(FAULT_TRANSLATION);
      expect(r.out.faultLevel).toBe(3);
    }
    expect(r.flushes).toEqual([]); // lazy: the TLB may still hold the translations
    expect(r.store.nrTables).toBe(tables); // vunmap frees no table
    r.vm.purgeVmapAreaLazy();
    expect(r.flushes).toEqual([[p, p + (n + 1) * PAGE_SIZE]]); // the area and its guard page
    expect(r.pt.flushCalls).toBe(1);
    expect(r.walkK(p)).toBe(FAULT_TRANSLATION);
    expect(r.out.faultLevel).toBe(3);
    r.check("vfree + purge");
  });

  it("a 2 MiB huge vmalloc is one PMD block; vfree clears the block", () => {
    const r = arm64Rig();
    const p = r.vm.vmallocHuge(SZ_2M, GFP_KERNEL);
    expect(aligned(p, SZ_2M)).toBe(true);
    expect(r.vm.vmStruct(r.vm.findVmArea(p))!.pageOrder).toBe(9);
    for (const off of [0, 0x1234, SZ_2M - 8]) {
      expect(r.walkK(p + off, RW)).toBe(FAULT_NONE);
      expect([r.out.level, r.out.shift, r.out.pa]).toEqual([2, 21, r.vm.vmallocToPfn(p) * PAGE_SIZE + off]);
    }
    expect(attrs(r.out.descLo, r.out.descHi)).toEqual([(PGPROT_KERNEL.lo & ~2) >>> 0, PGPROT_KERNEL.hi]); // a block: PMD_TABLE_BIT clear
    expect(r.pt.pmdBlocks).toBe(1);
    r.check("huge vmalloc");
    r.vm.vfree(p);
    expect(r.walkK(p)).toBe(FAULT_TRANSLATION);
    expect(r.out.faultLevel).toBe(2);
    r.vm.purgeVmapAreaLazy();
    r.check("huge vfree");
  });

  it("ioremap of a 2 MiB-aligned device range is a block, a 1 GiB-aligned one a PUD block, an unaligned one PTEs", () => {
    const r = arm64Rig();
    const a = r.vm.ioremap(0x10000000, SZ_2M, "pci_ecam_create+0x10c/0x1d0");
    expect(r.walkK(a + 0x10, RW)).toBe(FAULT_NONE);
    expect([r.out.level, r.out.pa]).toEqual([2, 0x10000010]);
    expect((r.out.descLo >>> 2) & 7).toBe(MT_DEVICE_nGnRE);
    expect(r.walkK(a, ACCESS_EXEC)).toBe(FAULT_PERMISSION);
    const g = r.vm.ioremap(0x8000000000, SZ_1G, "pci_host_probe+0x30/0xd0");
    expect(aligned(g, SZ_1G)).toBe(true);
    expect(r.walkK(g + 0x3fff_fff0)).toBe(FAULT_NONE);
    expect([r.out.level, r.out.pa]).toEqual([1, 0x8000000000 + 0x3fff_fff0]);
    const u = r.vm.ioremap(0x10201000, 3 * SZ_2M, "of_iomap+0xdc/0xf0"); // the area is 8 MiB-aligned, the PA is not
    expect(r.walkK(u + SZ_2M)).toBe(FAULT_NONE);
    expect([r.out.level, r.out.pa]).toEqual([3, 0x10201000 + SZ_2M]);
    expect([r.pt.pmdBlocks, r.pt.pudBlocks]).toEqual([1, 1]);
    r.check("ioremaps");
    r.vm.iounmap(a);
    r.vm.iounmap(g);
    r.vm.iounmap(u);
    expect([r.walkK(a), r.walkK(g), r.walkK(u)]).toEqual([FAULT_TRANSLATION, FAULT_TRANSLATION, FAULT_TRANSLATION]);
    r.vm.purgeVmapAreaLazy();
    r.check("iounmap");
  });

  it("with nohugeiomap or CONFIG_PTDUMP_DEBUGFS ioremap maps PTEs only", () => {
    const r = arm64Rig();
    r.pt.ioremapMaxPageShift = 12;
    const a = r.vm.ioremap(0x10000000, SZ_2M);
    expect(r.walkK(a)).toBe(FAULT_NONE);
    expect(r.out.level).toBe(3);
    r.pt.ioremapMaxPageShift = 63;
    r.pt.archVmapPmdSupported = false;
    const b = r.vm.ioremap(0x10400000, SZ_2M);
    expect(r.walkK(b)).toBe(FAULT_NONE);
    expect(r.out.level).toBe(3);
    expect(r.pt.pmdBlocks).toBe(0);
    r.check();
  });

  it("validatePgtables passes after a mixed sequence; blocks take over ranges whose PTE tables small mappings left", () => {
    const r = arm64Rig();
    const live: number[] = [];
    let seed = 12345;
    const free = (p: number) => {
      if (p % PAGE_SIZE !== 0 || r.vm.vmStruct(r.vm.findVmArea(p))?.physAddr) r.vm.iounmap(p);
      else r.vm.vfree(p);
    };
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 6; round++) {
      if (round > 0) live.push(r.vm.vmallocHuge(SZ_2M, GFP_KERNEL));
      for (let i = 0; i < 40; i++) {
        const kind = rnd(10);
        if (kind < 6) live.push(r.vm.vmalloc((1 + rnd(600)) * PAGE_SIZE));
        else if (kind < 7) live.push(r.vm.vmallocHuge((1 + rnd(2)) * SZ_2M, GFP_KERNEL));
        else if (kind < 8) live.push(r.vm.ioremap(0x10000000 + rnd(64) * SZ_2M + (rnd(2) === 0 ? 0 : 0x3000), (1 + rnd(3)) * SZ_2M));
        else if (live.length > 0) {
          const j = rnd(live.length);
          const p = live[j]!;
          live[j] = live[live.length - 1]!;
          live.pop();
          free(p);
        }
        expect(live[live.length - 1], `step ${round}.${i} (kind ${kind}) failed`).not.toBe(0);
      }
      if (round === 2) {
        // free everything: the next round's first huge vmalloc lands on the lowest 2 MiB-aligned
        // hole, under which earlier small areas left a PTE table
        for (const p of live) free(p);
        live.length = 0;
      }
      r.vm.purgeVmapAreaLazy();
      r.check(`round ${round}`);
    }
    for (const p of live) {
      const addr = Math.floor(p / PAGE_SIZE) * PAGE_SIZE;
      const vm = r.vm.vmStruct(r.vm.findVmArea(addr))!;
      if ((vm.flags & VM_ALLOC) !== 0) {
        expect(r.walkK(addr + PAGE_SIZE * Math.floor(vm.nrPages / 2))).toBe(FAULT_NONE);
        expect(Math.floor(r.out.pa / PAGE_SIZE)).toBe(r.vm.vmallocToPfn(addr + PAGE_SIZE * Math.floor(vm.nrPages / 2)));
      }
    }
    expect(r.pt.tablesFreedForBlocks).toBeGreaterThan(0); // pmd_free_pte_page ran
    expect(r.pt.pmdBlocks).toBeGreaterThan(0);
    expect(r.pt.warnings).toBe(0);
    expect(DEVICE_WINDOWS.length).toBe(2);
  });

  it("NR_PAGETABLE moves only for PMD tables (pud and kernel PTE tables are not counted), and only down when a 1 GiB block frees one", () => {
    const r = arm64Rig();
    const L = r.vm.config;
    const base = nrPagetable(r.fake);
    expect(base).toBe(0); // boot tables come from memblock: never counted
    // the first 1 GiB boundary above VMALLOC_START: no PMD table there yet (the image's covers the GiB below)
    const start = Math.ceil(L.vmallocStart / SZ_1G) * SZ_1G;
    const p = r.vm.vmallocNodeRange(1100 * PAGE_SIZE, 1, start, L.vmallocEnd, GFP_KERNEL, PAGE_KERNEL, 0, -1, undefined);
    expect(p).toBe(start);
    expect(r.alloc.stats).toMatchObject({ pmd: 1, pteKernel: 3, pud: 0 });
    expect(nrPagetable(r.fake)).toBe(1);
    // another pgd entry: a new PUD table (uncounted) and a PMD table (counted)
    const far = L.vmallocStart + 600 * SZ_1G;
    const q = r.vm.vmallocNodeRange(PAGE_SIZE, 1, far, L.vmallocEnd, GFP_KERNEL, PAGE_KERNEL, 0, -1, undefined);
    expect(q).toBe(far);
    expect(r.alloc.stats).toMatchObject({ pmd: 2, pteKernel: 4, pud: 1 });
    expect(nrPagetable(r.fake)).toBe(2);
    r.vm.vfree(p);
    r.vm.vfree(q);
    r.vm.purgeVmapAreaLazy();
    expect(nrPagetable(r.fake)).toBe(2); // vunmap keeps the tables
    r.check("before the 1 GiB ioremap");
    // a 1 GiB ioremap lands on `start` (the lowest 1 GiB-aligned free block) and replaces the PMD table
    const g = r.vm.ioremap(0x8000000000, SZ_1G);
    expect(g).toBe(start);
    expect([r.pt.pudBlocks, r.pt.tablesFreedForBlocks]).toEqual([1, 1]);
    expect(r.alloc.stats).toMatchObject({ pmd: 1, pteKernel: 1 });
    expect(nrPagetable(r.fake)).toBe(1);
    r.check("1 GiB ioremap over old tables");
  });

  it("returns -ENOMEM when a table cannot be allocated, leaving what it mapped linked and consistent", () => {
    const r = arm64Rig();
    const start = Math.ceil(r.vm.config.vmallocStart / SZ_1G) * SZ_1G + 2 * SZ_1G;
    const pfns = new Int32Array(1024);
    for (let i = 0; i < 1024; i++) pfns[i] = r.fake.allocPages(GFP_KERNEL, 0);
    r.fake.failAfter = 2; // the PMD table and the first PTE table, not the second
    expect(r.pt.vmapPagesRange(start, pfns, 1024, PAGE_KERNEL, 12)).toBe(-12);
    expect(r.walkK(start + 511 * PAGE_SIZE)).toBe(FAULT_NONE);
    expect(r.out.pa).toBe(pfns[511]! * PAGE_SIZE);
    expect(r.walkK(start + 512 * PAGE_SIZE)).toBe(FAULT_TRANSLATION);
    expect(r.out.faultLevel).toBe(2); // no PTE table under that pmd
    r.check("partial vmap");
    r.pt.vunmapRangeNoflush(start, start + 1024 * PAGE_SIZE);
    expect(r.walkK(start)).toBe(FAULT_TRANSLATION);
    r.fake.failAfter = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 1024; i++) r.fake.freePages(pfns[i]!, 0);
    r.check("unmapped");
    // through vmalloc: the pages come, the PMD table does not: NULL, nothing leaked
    const inUse = r.fake.pagesInUse;
    r.fake.failAfter = 5;
    const far = r.vm.config.vmallocStart + 700 * SZ_1G;
    expect(r.vm.vmallocNodeRange(5 * PAGE_SIZE, 1, far, r.vm.config.vmallocEnd, GFP_KERNEL, PAGE_KERNEL, 0, -1, undefined)).toBe(0);
    r.fake.failAfter = Number.POSITIVE_INFINITY;
    expect(r.alloc.stats.pud).toBe(0);
    expect(r.fake.pagesInUse).toBe(inUse);
    r.vm.purgeVmapAreaLazy();
    r.check("failed vmalloc");
  });

  it("a page mapped twice is the kernel's WARN_ON(!pte_none): -ENOMEM (6.1 turns -EBUSY into -ENOMEM), the first mapping kept", () => {
    const r = arm64Rig();
    const p = r.vm.vmalloc(2 * PAGE_SIZE);
    const pfns = Int32Array.of(r.fake.allocPages(GFP_KERNEL, 0));
    expect(r.pt.vmapPagesRange(p + PAGE_SIZE, pfns, 1, PAGE_KERNEL_RO, 12)).toBe(-12);
    expect(r.pt.warnings).toBe(1);
    expect(r.pt.lastWarning).toMatch(/WARN_ON\(!pte_none\(\*pte\)\).*already mapped/);
    expect(r.walkK(p + PAGE_SIZE, ACCESS_WRITE)).toBe(FAULT_NONE);
    expect(r.out.pa).toBe(r.vm.vmallocToPfn(p + PAGE_SIZE) * PAGE_SIZE);
    r.fake.freePages(pfns[0]!, 0);
    // ioremap over a live mapping is BUG_ON(!pte_none)
    expect(() => r.pt.ioremapPageRange(p, 0x10000000, PAGE_SIZE, PROT_DEVICE_nGnRE)).toThrow(MmBugError);
  });

  it("maps every protection id to its arm64 pgprot and checks its arguments", () => {
    expect(VMAP_PGPROTS.length).toBe(vmapProtNames.length);
    expect(Arm64VmapPageTables.pgprotOf(PROT_DEVICE_nGnRE)).toEqual({ lo: 0x713, hi: 0x00680000 });
    expect(Arm64VmapPageTables.pgprotOf(PAGE_KERNEL)).toEqual({ lo: 0x703, hi: 0x00680000 });
    expect(() => Arm64VmapPageTables.pgprotOf(7)).toThrow(ArgumentError);
    const r = arm64Rig();
    const pfns = new Int32Array(1);
    expect(() => r.pt.vmapPagesRange(0x400000, pfns, 1, PAGE_KERNEL, 12)).toThrow(/kernel range/);
    expect(() => r.pt.vmapPagesRange(r.vm.config.vmallocStart, pfns, 2, PAGE_KERNEL, 12)).toThrow(/pfns.length/);
    expect(() => r.pt.vmapPagesRange(r.vm.config.vmallocStart + PAGE_SIZE, new Int32Array(512), 512, PAGE_KERNEL, 21)).toThrow(/aligned/);
    expect(() => r.pt.ioremapPageRange(r.vm.config.vmallocStart, 0x10000100, PAGE_SIZE, PROT_DEVICE_nGnRE)).toThrow(/page-aligned/);
    const store = new PgtableStore({ basePfn: 0x40000, nrPages: 4096 });
    const fake = new FakePageAllocator(0x40000, 4096);
    const noPgd = new Arm64VmapPageTables(store, new PgtableAllocator(store, fake), () => {});
    expect(() => noPgd.vmapPagesRange(r.vm.config.vmallocStart, pfns, 1, PAGE_KERNEL, 12)).toThrow(/run pagingInit\(\) first/);
    expect(() => new Arm64VmapPageTables(r.store, new PgtableAllocator(store, fake), () => {})).toThrow(/same PgtableStore/);
  });

  it("__flush_tlb_kernel_pgtable goes to the machine's TLBI domain when given, else a one-page kernel-range flush", () => {
    const r = arm64Rig();
    const small = r.vm.vmalloc(PAGE_SIZE * 600); // 2.3 MiB: a PTE table under the first 2 MiB-aligned pmd above it
    r.vm.vfree(small);
    r.vm.purgeVmapAreaLazy();
    const flushes = r.flushes.length;
    const huge = r.vm.vmallocHuge(SZ_2M, GFP_KERNEL);
    expect(r.pt.tablesFreedForBlocks).toBe(1);
    expect(r.flushes.slice(flushes)).toEqual([[huge, huge + PAGE_SIZE]]);
    const domain = new TlbDomain([new CpuTlb()]);
    r.pt.kernelPgtableFlusher = domain;
    r.vm.vfree(huge);
    r.vm.purgeVmapAreaLazy();
    const p2 = r.vm.vmalloc(PAGE_SIZE * 700); // the lowest free address again: a PTE table under the old block's pmd
    expect(p2).toBe(small);
    r.vm.vfree(p2);
    r.vm.purgeVmapAreaLazy();
    const flushes2 = r.flushes.length;
    expect(r.vm.vmallocHuge(SZ_2M, GFP_KERNEL)).toBe(huge);
    expect(r.pt.tablesFreedForBlocks).toBe(2);
    expect(domain.issued[TLBI_VAAE1IS]).toBe(1);
    expect(r.flushes.length).toBe(flushes2);
    r.check();
  });
});

describe("Arm64VmapPageTables on paging_init's own mappings", () => {
  it("free_initmem's vunmap_range() of the image's init segments clears their PTEs (contiguous runs too) and flushes once", () => {
    const r = arm64Rig();
    const kimg = (phys: number) => r.vm.config.vmallocStart + (phys - IMAGE._text);
    const initBegin = kimg(IMAGE.__inittext_begin);
    const initEnd = kimg(IMAGE.__initdata_end);
    expect(r.walkK(initBegin + 0x10000)).toBe(FAULT_NONE);
    const tables = r.store.nrTables;
    r.vm.vunmapRange(initBegin, initEnd);
    for (let va = initBegin; va < initEnd; va += 0x10000) expect(r.walkK(va)).toBe(FAULT_TRANSLATION);
    expect(r.walkK(initBegin - PAGE_SIZE)).toBe(FAULT_NONE); // rodata's last page stays
    expect(r.walkK(initEnd)).toBe(FAULT_NONE); // .data stays
    expect(r.flushes).toEqual([[initBegin, initEnd]]);
    expect([r.store.nrTables, r.pt.warnings]).toEqual([tables, 0]);
    r.check("free_initmem");
  });
});

describe("Arm64VmapPageTables with VA_BITS 39 (3 levels, the pud folded)", () => {
  it("maps, walks and unmaps through a folded pud", () => {
    const r = arm64Rig(39);
    const p = r.vm.vmalloc(5 * PAGE_SIZE);
    expect(r.walkK(p + 4 * PAGE_SIZE, RW)).toBe(FAULT_NONE);
    expect(r.out.pa).toBe(r.vm.vmallocToPfn(p + 4 * PAGE_SIZE) * PAGE_SIZE);
    const h = r.vm.vmallocHuge(SZ_2M, GFP_KERNEL);
    expect(r.walkK(h)).toBe(FAULT_NONE);
    expect(r.out.level).toBe(2);
    r.check("3 levels");
    r.vm.vfree(p);
    r.vm.vfree(h);
    expect([r.walkK(p), r.walkK(h)]).toEqual([FAULT_TRANSLATION, FAULT_TRANSLATION]);
    r.vm.purgeVmapAreaLazy();
    r.check("3 levels, freed");
  });
});
