// mmsim: tests of table allocation and its 6.1 accounting (asm-generic/pgalloc.h, mm/memory.c)
import { ENOMEM, NR_PAGETABLE, __GFP_ACCOUNT, debugVm, pageTable } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MmPgtables, __pteAlloc, freePgdRange, getLockedPte, mmAllocPgd, mmFreePgd, pmdAlloc, pteAllocKernel, pudAlloc, walkToPmd } from "./mm-pgtables.ts";
import { GFP_PGTABLE_KERNEL, GFP_PGTABLE_USER, PgtableAllocator } from "./pgalloc.ts";
import { TABLE_ORIGIN_PAGE_ALLOC, TABLE_ORIGIN_PAGE_ALLOC_CTOR, PgtableStore } from "./pgtable-store.ts";
import { NULL_ENTRY, PteVal, entryPagePaddr, p4dOffset, pfnPte, pgdOffsetPgd, pmdOffset, pudOffset, setPte } from "./pgtable.ts";
import { PAGE_KERNEL, PAGE_READONLY } from "./pgtable-prot.ts";
import { pmdClearHuge, pmdFreePtePage, pmdSetHuge, pudClearHuge, pudFreePmdPage, pudSetHuge } from "./create-mapping.ts";
import { parseVa } from "./va.ts";

function setup(vaBits = 48) {
  const fake = new FakePageAllocator(0x40000, 65536);
  const store = new PgtableStore({ basePfn: 0x40000, nrPages: 65536, vaBits });
  const alloc = new PgtableAllocator(store, fake, fake.mem);
  return { fake, store, alloc, nr: () => fake.nodeStat.get(NR_PAGETABLE) ?? 0, isTable: (pa: number) => pageTable(fake.mem, fake.mem.pfnToPage(pa / 4096)) };
}

beforeAll(() => {
  debugVm.on = true;
});
afterAll(() => {
  debugVm.on = false;
});

describe("which tables count in PageTables (NR_PAGETABLE) in 6.1", () => {
  it("a user fault's chain: pgd and pud uncounted, pmd and pte counted and PageTable", () => {
    const t = setup();
    const mm = mmAllocPgd(t.alloc)!;
    expect(t.nr()).toBe(0); // pgd_alloc: no ctor
    const ptep = getLockedPte(t.alloc, mm, 0xaaaaaaab0000);
    expect(ptep).not.toBe(NULL_ENTRY);
    expect(t.nr()).toBe(2); // pmd_alloc_one + pte_alloc_one
    expect(t.alloc.stats).toMatchObject({ pgd: 1, pud: 1, pmd: 1, pteUser: 1, nrPagetable: 2 });
    const pgdp = pgdOffsetPgd(t.store, mm.pgd, 0xaaaaaaab0000);
    const pud = entryPagePaddr(t.store, pgdp);
    const pudp = pudOffset(t.store, p4dOffset(t.store, pgdp, 0), 0xaaaaaaab0000);
    const pmd = entryPagePaddr(t.store, pudp);
    const pte = entryPagePaddr(t.store, pmdOffset(t.store, pudp, 0xaaaaaaab0000));
    expect([t.isTable(mm.pgd), t.isTable(pud), t.isTable(pmd), t.isTable(pte)]).toEqual([false, false, true, true]);
    expect(t.store.tableOrigin(pud)).toBe(TABLE_ORIGIN_PAGE_ALLOC);
    expect(t.store.tableOrigin(pte)).toBe(TABLE_ORIGIN_PAGE_ALLOC_CTOR);
    expect(mm.pgtablesBytes).toBe(3 * 4096); // VmPTE: pud + pmd + pte tables
    // a second page in the same 2 MiB needs nothing new
    getLockedPte(t.alloc, mm, 0xaaaaaaab1000);
    expect(t.nr()).toBe(2);
    expect(t.fake.pagesInUse).toBe(4);
  });

  it("kernel tables: pte_alloc_kernel uncounted, a kernel pmd counted (pmd_alloc_one always runs the ctor)", () => {
    const t = setup();
    const init = new MmPgtables(t.alloc.pgdAlloc(), true);
    const va = parseVa("0xffff800010000000");
    const pudp = pudAlloc(t.alloc, init, pgdOffsetPgd(t.store, init.pgd, va), va);
    const pmdp = pmdAlloc(t.alloc, init, pudp, va);
    expect(t.nr()).toBe(1);
    const ptep = pteAllocKernel(t.alloc, pmdp, va);
    expect(ptep).not.toBe(NULL_ENTRY);
    expect(t.nr()).toBe(1);
    expect(t.isTable(entryPagePaddr(t.store, pmdp))).toBe(false);
    // init_mm tables get UXNTable; user tables PXNTable
    expect((t.store.readHi(pmdp) >>> 27) & 3).toBe(2);
  });

  it("GFP flags: kernel tables without __GFP_ACCOUNT, user tables with it", () => {
    expect(GFP_PGTABLE_USER & __GFP_ACCOUNT).not.toBe(0);
    expect(GFP_PGTABLE_KERNEL & __GFP_ACCOUNT).toBe(0);
  });

  it("3 levels (VA_BITS 39): the pud is folded, no pud table", () => {
    const t = setup(39);
    const mm = mmAllocPgd(t.alloc)!;
    getLockedPte(t.alloc, mm, 0x7fc0000000);
    expect(t.alloc.stats).toMatchObject({ pgd: 1, pud: 0, pmd: 1, pteUser: 1 });
    expect(mm.pgtablesBytes).toBe(2 * 4096);
  });

  it("-ENOMEM leaves the tree as it was", () => {
    const t = setup();
    const mm = mmAllocPgd(t.alloc)!;
    t.fake.failAfter = 2; // pud and pmd succeed, the pte table fails
    expect(getLockedPte(t.alloc, mm, 0x400000)).toBe(NULL_ENTRY);
    const pmdp = walkToPmd(t.alloc, mm, 0x400000);
    expect(__pteAlloc(t.alloc, mm, pmdp)).toBe(-ENOMEM);
    expect(t.store.readLo(pmdp)).toBe(0);
    expect(t.nr()).toBe(1);
  });
});

describe("free_pgd_range", () => {
  it("frees every table of an unmapped range and gives the accounting back", () => {
    const t = setup();
    const mm = mmAllocPgd(t.alloc)!;
    const tmp = new PteVal();
    for (const va of [0x400000, 0x401000, 0x600000, 0x40000000, 0x7fff0000]) getLockedPte(t.alloc, mm, va);
    expect(t.alloc.stats).toMatchObject({ pud: 1, pmd: 2, pteUser: 4 });
    expect(t.nr()).toBe(6);
    freePgdRange(t.alloc, mm, 0, 2 ** 48, 0, 0);
    expect(t.nr()).toBe(0);
    expect(mm.pgtablesBytes).toBe(0);
    expect(t.alloc.stats).toMatchObject({ pgd: 1, pud: 0, pmd: 0, pteUser: 0 });
    expect(t.store.nrTables).toBe(1);
    // a table that still holds an entry is a bug when freed (debugVm)
    const ptep = getLockedPte(t.alloc, mm, 0x400000);
    setPte(t.store, ptep, pfnPte(0x48000, PAGE_READONLY, tmp).lo, tmp.hi);
    expect(() => freePgdRange(t.alloc, mm, 0x400000, 0x401000, 0, 0)).toThrow(/still holds entry/);
  });

  it("keeps tables a neighbouring VMA (floor/ceiling) still uses", () => {
    const t = setup();
    const mm = mmAllocPgd(t.alloc)!;
    getLockedPte(t.alloc, mm, 0x400000); // VMA A: [0x400000, 0x401000)
    getLockedPte(t.alloc, mm, 0x500000); // VMA B: [0x500000, 0x501000), same PTE table's 2 MiB
    freePgdRange(t.alloc, mm, 0x400000, 0x401000, 0, 0x500000); // unmap A; B is the ceiling
    expect(t.alloc.stats.pteUser).toBe(1);
    freePgdRange(t.alloc, mm, 0x500000, 0x501000, 0, 0); // then B
    expect(t.alloc.stats).toMatchObject({ pud: 0, pmd: 0, pteUser: 0 });
    mmFreePgd(t.alloc, mm);
    expect(t.fake.pagesInUse).toBe(0);
    expect(() => freePgdRange(t.alloc, mm, -4096, 0, 0, 0)).toThrow(/user address/);
  });
});

describe("huge-vmap helpers: pmd/pud_clear_huge, pmd_free_pte_page, pud_free_pmd_page", () => {
  const kernelTree = () => {
    const t = setup();
    const init = new MmPgtables(t.alloc.pgdAlloc(), true);
    const flushed: number[] = [];
    const tlb = { flushTlbKernelPgtable: (a: number) => void flushed.push(a) };
    return { ...t, init, flushed, tlb };
  };
  const va = parseVa("0xffff800040000000"); // 1 GiB-aligned

  it("pmd_free_pte_page unlinks and frees a kernel PTE table (PageTables unchanged), then a block fits", () => {
    const t = kernelTree();
    const pmdp = pmdAlloc(t.alloc, t.init, pudAlloc(t.alloc, t.init, pgdOffsetPgd(t.store, t.init.pgd, va), va), va);
    pteAllocKernel(t.alloc, pmdp, va);
    expect([t.alloc.stats.pteKernel, t.nr()]).toEqual([1, 1]);
    const pte = entryPagePaddr(t.store, pmdp);
    expect(pmdFreePtePage(t.alloc, pmdp, va, t.tlb)).toBe(1);
    expect([t.store.readLo(pmdp), t.store.isTable(pte), t.alloc.stats.pteKernel, t.nr()]).toEqual([0, false, 0, 1]);
    expect(t.flushed).toEqual([va]);
    expect(pmdSetHuge(t.store, pmdp, 0x48000000, PAGE_KERNEL)).toBe(1);
    expect(pmdFreePtePage(t.alloc, pmdp, va, t.tlb)).toBe(1); // a block is no table: left alone
    expect(t.store.readLo(pmdp) & 3).toBe(1);
    expect(pmdClearHuge(t.store, pmdp)).toBe(1);
    expect([t.store.readLo(pmdp), pmdClearHuge(t.store, pmdp)]).toEqual([0, 0]);
  });

  it("pud_free_pmd_page frees the PMD table (NR_PAGETABLE −1) and every PTE table under it; a table still in use is a bug", () => {
    const t = kernelTree();
    const pudp = pudAlloc(t.alloc, t.init, pgdOffsetPgd(t.store, t.init.pgd, va), va);
    for (const off of [0, 0x200000, 0x3fe00000]) pteAllocKernel(t.alloc, pmdAlloc(t.alloc, t.init, pudp, va + off), va + off);
    pmdSetHuge(t.store, pmdOffset(t.store, pudp, va + 0x400000), 0x48000000, PAGE_KERNEL);
    expect([t.alloc.stats.pmd, t.alloc.stats.pteKernel, t.nr()]).toEqual([1, 3, 1]);
    expect(pudFreePmdPage(t.alloc, pudp, va, t.tlb)).toBe(1);
    expect([t.store.readLo(pudp), t.alloc.stats.pmd, t.alloc.stats.pteKernel, t.nr()]).toEqual([0, 0, 0, 0]);
    expect(t.flushed).toEqual([va, va + 0x200000, va + 0x3fe00000, va]);
    expect(pudSetHuge(t.store, pudp, 0x40000000, PAGE_KERNEL)).toBe(1);
    expect(pudClearHuge(t.store, pudp)).toBe(1);
    // debugVm: freeing a PTE table that still maps a page is caught
    const pmdp = pmdAlloc(t.alloc, t.init, pudp, va);
    const ptep = pteAllocKernel(t.alloc, pmdp, va);
    const tmp = new PteVal();
    setPte(t.store, ptep, pfnPte(0x48000, PAGE_KERNEL, tmp).lo, tmp.hi);
    expect(() => pmdFreePtePage(t.alloc, pmdp, va, t.tlb)).toThrow(/still holds entry 0/);
  });
});
