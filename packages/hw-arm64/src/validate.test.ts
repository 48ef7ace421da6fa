// mmsim: tests of validatePgtables(): a clean boot passes, planted errors are caught
import { SZ_1G, setPageBuddy, setPageReserved } from "@mmsim/core";
import { CollectingSink, FakePageAllocator } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { REF_BM, REF_IDMAP_PG_DIR, REF_SWAPPER_PG_DIR, RAM_BASE, buildBoard } from "./board.test-helpers.ts";
import { __va } from "./layout.ts";
import { getLockedPte, mmAllocPgd } from "./mm-pgtables.ts";
import { PgtableAllocator } from "./pgalloc.ts";
import { PTE_PXN_HI, PTE_RDONLY } from "./pgtable-hwdef.ts";
import { PAGE_READONLY } from "./pgtable-prot.ts";
import { TABLE_ORIGIN_MEMBLOCK } from "./pgtable-store.ts";
import { PteVal, pfnPte, setPte } from "./pgtable.ts";
import { validatePgtables, type PgtableValidateOptions } from "./validate.ts";
import { WalkOut, walk } from "./walk.ts";

/** The board after memblock_free_all: boot tables PageReserved; a user process from a fake page allocator. */
function booted() {
  const b = buildBoard();
  b.kernel.markRodataRo();
  b.kernel.markLinearTextAliasRo();
  const fake = new FakePageAllocator(RAM_BASE / 4096, SZ_1G / 4096);
  const mem = fake.mem;
  for (const pa of b.store.tables()) setPageReserved(mem, mem.pfnToPage(pa / 4096));
  // the user process's frames come from the fake allocator, above the kernel image
  for (let i = 0; i < 0x8000; i++) fake.allocPages(0, 0); // skip the first 128 MiB
  const alloc = new PgtableAllocator(b.store, fake, mem);
  const mm = mmAllocPgd(alloc)!;
  const data = fake.allocPages(0, 0);
  const ptep = getLockedPte(alloc, mm, 0x400000);
  const tmp = new PteVal();
  setPte(b.store, ptep, pfnPte(data, PAGE_READONLY, tmp).lo, tmp.hi);
  const opts: PgtableValidateOptions = {
    roots: [
      { pgd: REF_SWAPPER_PG_DIR, kernel: true, name: "swapper_pg_dir" },
      { pgd: REF_IDMAP_PG_DIR, kernel: false, name: "idmap_pg_dir" },
      { pgd: mm.pgd, kernel: false, name: "pid 1" },
    ],
    mem, memory: b.memory, layout: b.layout,
    // the kernel image (below 0x48000000) and the DTB are boot memory; anything else must be allocated
    isLiveFrame: (pfn) => pfn < 0x48000 || (pfn >= 0x48200 && pfn < 0x48400) || mem.refcount[mem.pfnToPage(pfn)]! > 0,
  };
  return { ...b, fake, mem, alloc, mm, ptep, data, opts };
}

function problems(b: ReturnType<typeof booted>): string[] {
  const sink = new CollectingSink();
  validatePgtables(b.store, b.opts, sink);
  return sink.problems.map((p) => `${p.where}: ${p.problem}`);
}

describe("validatePgtables", () => {
  it("finds nothing wrong after a clean boot and a user fault", () => {
    expect(problems(booted())).toEqual([]);
  });

  it("catches a linear-map entry that does not map __pa()", () => {
    const b = booted();
    const out = new WalkOut();
    walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x50000000), 1, out);
    b.store.write(out.entryPa, (out.descLo + 0x1000) >>> 0, out.descHi);
    expect(problems(b)).toEqual([expect.stringMatching(/swapper_pg_dir 0xffff000010000000 .*linear map maps 0x50001000, but __pa\(\) of this address is 0x50000000/)]);
  });

  it("catches a table frame that the buddy allocator thinks is free", () => {
    const b = booted();
    const pte = b.store.tables().find((pa) => b.store.tableOrigin(pa) === TABLE_ORIGIN_MEMBLOCK && b.store.tableLevel(pa) === 3)!;
    setPageBuddy(b.mem, b.mem.pfnToPage(pte / 4096));
    expect(problems(b)).toEqual([expect.stringMatching(/^pgtable 0x[0-9a-f]+ \(level 3, memblock\): frame is free in the buddy allocator/)]);
  });

  it("catches a user table freed while still linked, and a leaf mapping a free frame", () => {
    const b = booted();
    b.fake.freePages(b.data, 0); // the data page goes back: the pte still maps it
    expect(problems(b)).toEqual([expect.stringMatching(/pid 1 0x0000000000400000 .*maps frame 0x[0-9a-f]+, which is not a live frame/)]);
    const c = booted();
    const ptTable = Math.floor(c.ptep / 4096) * 4096;
    c.fake.freePages(ptTable / 4096, 0);
    expect(problems(c)).toContainEqual(expect.stringMatching(/\(level 3, page-alloc\+ctor\): frame has refcount 0/));
  });

  it("catches a descriptor pointing at a frame that holds no table, and a leaked table", () => {
    const b = booted();
    const out = new WalkOut();
    walk(b.store, b.mm.pgd, 0x400000, 1 | 8, out);
    const pmdp = out.traceTable[2]! + out.traceIndex[2]! * 8;
    const pteTable = out.traceTable[3]!;
    b.store.write(pmdp, 0x7e000003, 0x08000000);
    expect(problems(b)).toEqual([
      expect.stringMatching(/pid 1 0x0000000000400000 \(level 2 .*points at 0x7e000000, which holds no page table/),
      expect.stringMatching(new RegExp(`pgtable 0x${pteTable.toString(16)} .*not reachable from any root \\(leaked\\)`)),
    ]);
  });

  it("catches a kernel W+X mapping and a table linked twice", () => {
    const b = booted();
    const out = new WalkOut();
    walk(b.store, b.store.swapperPgDir, b.kernel.kimg(0x40300000), 1, out); // kernel text, a 2 MiB block
    b.store.write(out.entryPa, (out.descLo & ~PTE_RDONLY) >>> 0, out.descHi & ~PTE_PXN_HI);
    expect(problems(b)).toEqual([expect.stringMatching(/insecure W\+X mapping/)]);
    const c = booted();
    // point the fixmap's second pmd slot at bm_pte too
    c.store.write(REF_BM.bmPmd + 8 * 511, REF_BM.bmPte | 3, 0);
    expect(problems(c)).toContainEqual(expect.stringMatching(/table 0x42172000 is also referenced from/));
  });
});
