// mmsim: tests of the translate path (TTBR choice, TLB, walk on a miss, costs) and switch_mm
import { CostModel, SimClock } from "@mmsim/core";
import { FakePageAllocator, expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { INIT_MM } from "./context.ts";
import { getLockedPte, mmAllocPgd } from "./mm-pgtables.ts";
import { Mmu } from "./mmu.ts";
import type { MmuConfig, WalkResult } from "./mmu.ts";
import { PgtableAllocator } from "./pgalloc.ts";
import { PTE_RDONLY, TABLE_AP_HI, TABLE_UXN_HI } from "./pgtable-hwdef.ts";
import { PAGE_EXECONLY, PAGE_READONLY_EXEC, PAGE_SHARED_EXEC, type Pgprot, pgprot } from "./pgtable-prot.ts";
import { PgtableStore } from "./pgtable-store.ts";
import { PteVal, pfnPte, pgdOffsetPgd, setPte } from "./pgtable.ts";
import { WalkOut, permissionFault, walk } from "./walk.ts";
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_USER, ACCESS_WRITE, FAULT_ACCESS_FLAG, FAULT_PERMISSION, FAULT_TRANSLATION, FakePageTables,
  FakeWalkOut, fakeWalk, leafDesc, type LeafOptions,
} from "./mmu.test-helpers.ts";

const SWAPPER = 0x4120_0000; // swapper_pg_dir
const PGD_A = 0x4400_0000;
const PGD_B = 0x4400_1000;
const KVA = -(2 ** 48);
const UR = ACCESS_READ | ACCESS_USER;
const UW = ACCESS_WRITE | ACCESS_USER;

function machine(config: Partial<MmuConfig> = {}) {
  const pt = new FakePageTables();
  const clock = new SimClock();
  const costs = new CostModel();
  const mmu = new Mmu(fakeWalk, pt, clock, costs, { nrCpus: 2, ...config });
  mmu.setSwapperPgDir(SWAPPER);
  pt.map(SWAPPER, KVA + 0x4000_0000, 21, 0x4000_0000); // linear map block: kernel RW, global
  pt.map(PGD_A, 0x40_0000, 12, 0x5000_0000, { user: true }); // mm 1's page
  pt.map(PGD_B, 0x40_0000, 12, 0x6000_0000, { user: true, rdonly: true }); // mm 2's page at the same VA
  mmu.contexts.initNewContext(1);
  mmu.contexts.initNewContext(2);
  const out = new FakeWalkOut();
  /** Translates and returns [code, pa, ns charged]. */
  const tr = (cpu: number, va: number, access: number) => {
    const t0 = clock.now();
    const r = mmu.translate(cpu, va, access, out);
    return [r, r === 0 ? out.pa : out.faultLevel, clock.now() - t0];
  };
  return { pt, clock, costs, mmu, out, tr };
}

describe("the TLB-hit permission rule is walk.ts's permissionFault()", () => {
  it("applies AP[2:1], PXN, UXN, execute-only at EL0 and the implicit PXN of EL0-writable pages", () => {
    const p = (o: LeafOptions, access: number) => {
      const d = leafDesc(12, o);
      return !permissionFault(d.lo, d.hi, o.tableHi ?? 0, access, false);
    };
    expect(p({}, ACCESS_READ | ACCESS_WRITE)).toBe(true);
    expect(p({}, UR)).toBe(false); // kernel page from EL0
    expect(p({ rdonly: true }, ACCESS_WRITE)).toBe(false);
    expect(p({ user: true }, UW)).toBe(true);
    expect(p({ user: true, rdonly: true }, UW)).toBe(false);
    expect(p({ user: true, uxn: true }, ACCESS_EXEC | ACCESS_USER)).toBe(false);
    expect(p({ user: true, pxn: true }, ACCESS_EXEC | ACCESS_USER)).toBe(true);
    expect(p({ rdonly: true, pxn: true }, ACCESS_EXEC | ACCESS_USER)).toBe(true); // execute-only: no AP[1] needed
    expect(p({ rdonly: true, pxn: true }, UR)).toBe(false);
    expect(p({ pxn: true }, ACCESS_EXEC)).toBe(false);
    expect(p({ user: true }, ACCESS_EXEC)).toBe(false); // writable at EL0: never executable at EL1
    expect(p({ user: true, rdonly: true }, ACCESS_EXEC)).toBe(true);
    expect(p({ user: true, rdonly: true, tableHi: TABLE_UXN_HI }, ACCESS_EXEC | ACCESS_USER)).toBe(false);
  });
});

/** The real walk over tables in a PgtableStore, behind the Mmu: one user mm (id 1) on CPU 0. */
function realMachine(pan = false) {
  const fake = new FakePageAllocator(0x40000, 4096);
  const store = new PgtableStore({ basePfn: 0x40000, nrPages: 4096 });
  const alloc = new PgtableAllocator(store, fake, fake.mem);
  const mm = mmAllocPgd(alloc)!;
  const mmu = new Mmu(walk, store, new SimClock(), new CostModel(), { nrCpus: 1, pan });
  mmu.contexts.initNewContext(1);
  mmu.switchMm(0, 1, mm.pgd);
  const tmp = new PteVal();
  const map = (va: number, prot: Pgprot, pfn: number): number => {
    const ptep = getLockedPte(alloc, mm, va);
    setPte(store, ptep, pfnPte(pfn, prot, tmp).lo, tmp.hi);
    return ptep;
  };
  return { store, mm, mmu, map, out: new WalkOut() };
}

describe("Mmu.translate over walk.ts: one permission rule on a miss and on a hit", () => {
  it("an execute-only user page (PAGE_EXECONLY) executes at EL0 on a miss and on a hit, and is never readable", () => {
    const { mmu, map, out } = realMachine();
    map(0x40_0000, PAGE_EXECONLY, 0x40800);
    const X = ACCESS_EXEC | ACCESS_USER;
    expect(mmu.translate(0, 0x40_0010, X, out)).toBe(0); // miss: the walk allows it
    expect([mmu.walks, out.pa]).toEqual([1, 0x4080_0010]);
    expect(mmu.translate(0, 0x40_0020, X, out)).toBe(0); // hit in the instruction micro-TLB
    expect(mmu.walks).toBe(1);
    // the data side: an EL0 read of the same page misses its micro-TLB, hits the L2 TLB and is refused there
    expect(mmu.translate(0, 0x40_0020, UR, out)).toBe(FAULT_PERMISSION);
    expect([mmu.walks, mmu.hitFaults]).toEqual([1, 1]);
    mmu.flushTlbAll();
    expect(mmu.translate(0, 0x40_0020, UR, out)).toBe(FAULT_PERMISSION); // a miss refuses it too
    expect(mmu.walks).toBe(2);
    expect(mmu.translate(0, 0x40_0030, X, out)).toBe(0); // refills after the flush
    expect(mmu.translate(0, 0x40_0034, X, out)).toBe(0);
    expect(mmu.walks).toBe(3);
  });

  it("honours UXNTable and APTable of the table descriptors above a cached leaf on a hit", () => {
    const { store, mm, mmu, map, out } = realMachine();
    map(0x40_0000, PAGE_READONLY_EXEC, 0x40800);
    map(0x40_1000, pgprot(PAGE_SHARED_EXEC.lo & ~PTE_RDONLY, PAGE_SHARED_EXEC.hi), 0x40801); // dirty: writable at EL0
    // UXNTable (and APTable[1] = read-only) on the pgd entry: everything below it
    const pgdp = pgdOffsetPgd(store, mm.pgd, 0x40_0000);
    store.write(pgdp, store.readLo(pgdp), (store.readHi(pgdp) | TABLE_UXN_HI | (2 << 29)) >>> 0);
    expect(mmu.translate(0, 0x40_0000, UR, out)).toBe(0); // fills the L2 and data TLBs
    expect(out.tableHi & TABLE_UXN_HI).not.toBe(0);
    expect(mmu.walks).toBe(1);
    expect(mmu.translate(0, 0x40_0004, ACCESS_EXEC | ACCESS_USER, out)).toBe(FAULT_PERMISSION); // L2 hit: UXNTable
    expect([mmu.walks, mmu.hitFaults]).toEqual([1, 1]);
    // a leaf writable at EL0 under APTable[1]: read fills, the write hits and is refused
    expect(mmu.translate(0, 0x40_1000, UR, out)).toBe(0);
    expect(mmu.translate(0, 0x40_1008, UW, out)).toBe(FAULT_PERMISSION);
    expect([mmu.walks, mmu.hitFaults]).toEqual([2, 2]);
    // APTable[0] (no EL0 access): the kernel's read fills the entry, EL0's read hits and is refused
    store.write(pgdp, store.readLo(pgdp), ((store.readHi(pgdp) & ~TABLE_AP_HI) | (1 << 29)) >>> 0);
    mmu.flushTlbAll();
    expect(mmu.translate(0, 0x40_1000, ACCESS_READ, out)).toBe(0);
    expect(mmu.translate(0, 0x40_1000, ACCESS_WRITE, out)).toBe(0); // APTable[1] is clear now
    expect(mmu.translate(0, 0x40_1010, UR, out)).toBe(FAULT_PERMISSION);
    expect([mmu.walks, mmu.hitFaults]).toEqual([3, 3]);
    // without the table restrictions the same hits succeed
    store.write(pgdp, store.readLo(pgdp), (store.readHi(pgdp) & ~(TABLE_AP_HI | TABLE_UXN_HI)) >>> 0);
    mmu.flushTlbAll();
    expect(mmu.translate(0, 0x40_1000, UR, out)).toBe(0);
    expect(mmu.translate(0, 0x40_1010, UW, out)).toBe(0);
    expect(mmu.translate(0, 0x40_0000, UR, out)).toBe(0);
    expect(mmu.translate(0, 0x40_0004, ACCESS_EXEC | ACCESS_USER, out)).toBe(0);
    expect(mmu.hitFaults).toBe(3);
  });

  it("PSTATE.PAN (MmuConfig.pan) refuses EL1 data accesses to EL0 pages on a miss and on a hit", () => {
    const { mmu, map, out } = realMachine(true);
    map(0x40_0000, PAGE_READONLY_EXEC, 0x40800);
    expect(mmu.translate(0, 0x40_0000, ACCESS_READ, out)).toBe(FAULT_PERMISSION); // the walk, with out.pan set by the MMU
    expect(out.pan).toBe(true);
    expect(mmu.translate(0, 0x40_0000, UR, out)).toBe(0); // EL0 fills the TLB
    expect(mmu.translate(0, 0x40_0008, ACCESS_READ, out)).toBe(FAULT_PERMISSION); // the hit refuses EL1
    expect([mmu.walks, mmu.hitFaults]).toEqual([2, 1]);
    const off = realMachine(false);
    off.map(0x40_0000, PAGE_READONLY_EXEC, 0x40800);
    expect(off.mmu.translate(0, 0x40_0000, ACCESS_READ, off.out)).toBe(0);
  });

  it("with the fake walker too: a table-level UXN cached with the leaf refuses EL0 execution on a hit", () => {
    const { mmu, pt, tr } = machine();
    pt.map(PGD_A, 0x48_0000, 12, 0x5200_0000, { user: true, rdonly: true, tableHi: TABLE_UXN_HI });
    mmu.switchMm(0, 1, PGD_A);
    expect(tr(0, 0x48_0000, UR)[0]).toBe(0);
    expect(tr(0, 0x48_0000, ACCESS_EXEC | ACCESS_USER)[0]).toBe(FAULT_PERMISSION);
    expect([pt.calls, mmu.hitFaults]).toEqual([1, 1]);
  });
});

describe("Mmu.translate", () => {
  it("walks on a miss (levels × walkLevel), fills the TLB, then hits it (tlbHit) without walking", () => {
    const { mmu, pt, costs, tr } = machine();
    mmu.switchMm(0, 1, PGD_A);
    expect(tr(0, 0x40_0123, UR)).toEqual([0, 0x5000_0123, 4 * costs.walkLevel]);
    expect(pt.calls).toBe(1);
    expect(tr(0, 0x40_0ff8, UW)).toEqual([0, 0x5000_0ff8, costs.tlbHit]);
    expect(pt.calls).toBe(1);
    // the instruction side misses its micro-TLB and hits the L2 TLB
    pt.map(PGD_A, 0x41_0000, 12, 0x5001_0000, { user: true, rdonly: true });
    expect(tr(0, 0x41_0000, ACCESS_EXEC | ACCESS_USER)[0]).toBe(0);
    expect(tr(0, 0x41_0004, ACCESS_READ | ACCESS_USER)).toEqual([0, 0x5001_0004, costs.tlbMainHit]);
    expect([mmu.translations, mmu.walks, mmu.faults]).toEqual([4, 2, 0]);
    expectValid(mmu);
  });

  it("walks TTBR1 for a negative (kernel) address, three levels down to a 2 MiB block", () => {
    const { mmu, pt, out, costs, tr } = machine();
    expect(tr(1, KVA + 0x4012_3456, ACCESS_READ)).toEqual([0, 0x4012_3456, 3 * costs.walkLevel]);
    expect([out.level, out.shift]).toEqual([2, 21]);
    expect(tr(1, KVA + 0x401f_fff0, ACCESS_WRITE)).toEqual([0, 0x401f_fff0, costs.tlbHit]);
    expect(tr(1, KVA + 0x4008_0000, ACCESS_WRITE)).toEqual([0, 0x4008_0000, costs.tlbMainHit]); // another MiB of the block
    expect(pt.calls).toBe(1);
    expect(out.shift).toBe(21);
    expectValid(mmu);
  });

  it("reports a permission fault on a TLB hit without walking", () => {
    const { mmu, pt, out, costs, tr } = machine();
    mmu.switchMm(0, 2, PGD_B);
    expect(tr(0, 0x40_0000, UR)[0]).toBe(0); // fills the read-only page
    expect(tr(0, 0x40_0010, UW)).toEqual([FAULT_PERMISSION, 3, costs.tlbHit]);
    expect(out.fault).toBe(FAULT_PERMISSION);
    expect(pt.calls).toBe(1);
    // EL0 touching a global kernel entry the kernel filled: also refused on the hit
    expect(tr(0, KVA + 0x4000_0000, ACCESS_READ)[0]).toBe(0);
    expect(tr(0, KVA + 0x4000_0000, UR)).toEqual([FAULT_PERMISSION, 2, costs.tlbHit]);
    expect(pt.calls).toBe(2);
    expect([mmu.faults, mmu.hitFaults]).toEqual([2, 2]);
  });

  it("passes the walker's faults through, charged to the faulting level, and caches nothing", () => {
    const { mmu, pt, costs, tr } = machine();
    mmu.switchMm(0, 1, PGD_A);
    expect(tr(0, 0x7000_0000, UR)).toEqual([FAULT_TRANSLATION, 3, 4 * costs.walkLevel]);
    pt.map(PGD_A, 0x50_0000, 12, 0x5100_0000, { user: true, af: false });
    expect(tr(0, 0x50_0000, UR)[0]).toBe(FAULT_ACCESS_FLAG);
    expect(tr(0, 0x50_0000, UR)[0]).toBe(FAULT_ACCESS_FLAG);
    expect(pt.calls).toBe(3);
    expect(mmu.tlbs[0]!.main.used).toBe(0);
  });

  it("faults without a walk on init_mm's reserved TTBR0 and outside ±2^VA_BITS", () => {
    const { mmu, pt, costs, tr } = machine();
    expect(mmu.currentMm[0]).toBe(INIT_MM);
    expect(tr(0, 0x40_0000, UR)).toEqual([FAULT_TRANSLATION, 0, costs.walkLevel]);
    expect(tr(0, 2 ** 48, UR)).toEqual([FAULT_TRANSLATION, 0, 0]);
    expect(tr(0, -(2 ** 48) - 4096, ACCESS_READ)).toEqual([FAULT_TRANSLATION, 0, 0]);
    expect(pt.calls).toBe(0);
    const m39 = machine({ vaBits: 39 });
    expect(m39.mmu.startLevel).toBe(1);
    expect(m39.tr(0, 2 ** 39, UR)).toEqual([FAULT_TRANSLATION, 0, 0]);
  });

  it("reports the PA of the access whether the walker gives the access's PA or the block's base", () => {
    const clock = new SimClock();
    const baseOnly = (_s: unknown, _pgd: number, va: number, _a: number, out: WalkResult) => {
      out.pa = 0x8000_0000; // the 2 MiB block's base
      out.level = 2;
      out.shift = 21;
      out.descLo = leafDesc(21, { user: true }).lo;
      out.descHi = 0;
      out.fault = 0;
      return va >= 0 ? 0 : 1;
    };
    const mmu = new Mmu(baseOnly, null, clock, new CostModel(), { nrCpus: 1 });
    mmu.contexts.initNewContext(0);
    mmu.switchMm(0, 0, PGD_A);
    const out = new FakeWalkOut();
    expect(mmu.translate(0, 0x60_1234, UR, out)).toBe(0);
    expect(out.pa).toBe(0x8000_1234);
    expect(mmu.translate(0, 0x7f_fff8, UR, out)).toBe(0);
    expect(out.pa).toBe(0x801f_fff8);
  });
});

describe("ASIDs in the translate path", () => {
  it("keeps both mms' translations of one VA across context switches, and the global kernel one for both", () => {
    const { mmu, pt, costs, tr } = machine();
    mmu.switchMm(0, 1, PGD_A);
    expect(tr(0, 0x40_0000, UR)[1]).toBe(0x5000_0000);
    expect(tr(0, KVA + 0x4000_1000, ACCESS_READ)[0]).toBe(0);
    mmu.switchMm(0, 2, PGD_B);
    expect(tr(0, 0x40_0000, UR)[1]).toBe(0x6000_0000); // a walk: mm 2's ASID had no entry
    mmu.switchMm(0, 1, PGD_A);
    expect(tr(0, 0x40_0008, UR)).toEqual([0, 0x5000_0008, costs.tlbHit]); // mm 1's entry survived
    mmu.switchMm(0, 2, PGD_B);
    expect(tr(0, 0x40_0008, UR)).toEqual([0, 0x6000_0008, costs.tlbHit]);
    expect(tr(0, KVA + 0x4000_1008, ACCESS_READ)[2]).toBe(costs.tlbHit); // global: filled under mm 1
    expect(pt.calls).toBe(3);
    expect(mmu.asid[0]).toBe(mmu.contexts.asid(2));
    expectValid(mmu);
  });

  it("switch_mm does nothing for the same mm, and init_mm gets the reserved TTBR0", () => {
    const { mmu } = machine();
    mmu.switchMm(0, 1, PGD_A);
    const slow = mmu.contexts.slowPath;
    mmu.switchMm(0, 1, PGD_A);
    expect(mmu.contexts.slowPath + mmu.contexts.fastPath).toBe(slow);
    mmu.switchMm(0, INIT_MM, 0);
    expect([mmu.ttbr0[0], mmu.currentMm[0]]).toEqual([-1, INIT_MM]);
    expect(mmu.asid[0]).toBe(mmu.contexts.asid(1)); // TTBR1's ASID is left alone
    mmu.switchMm(0, 1, PGD_A);
    expect(mmu.contexts.fastPath).toBe(1);
    expect(mmu.ttbr0[0]).toBe(PGD_A);
    expectValid(mmu);
  });

  it("flush_tlb_page / flush_tlb_mm make the next access walk again, on every CPU", () => {
    const { mmu, pt, costs, tr } = machine();
    mmu.switchMm(0, 1, PGD_A);
    mmu.switchMm(1, 1, PGD_A);
    tr(0, 0x40_0000, UR);
    tr(1, 0x40_0000, UR);
    expect(pt.calls).toBe(2);
    mmu.flushTlbPage(1, 0x40_0000);
    expect(tr(0, 0x40_0000, UR)[2]).toBe(4 * costs.walkLevel);
    expect(tr(1, 0x40_0000, UR)[2]).toBe(4 * costs.walkLevel);
    mmu.flushTlbMm(1);
    tr(1, 0x40_0000, UR);
    expect(pt.calls).toBe(5);
    expect(mmu.flushTlbRange(1, 0x40_0000, 0x40_2000)).toBe(2);
    expect(mmu.flushTlbKernelRange(KVA + 0x4000_0000, KVA + 0x4000_1000)).toBe(1);
    expect(mmu.flushTlbRangeStride(1, 0, 2 ** 21, 2 ** 21, true)).toBe(1);
    mmu.flushTlbAll();
    expect(mmu.tlbs[1]!.main.used).toBe(0);
  });

  it("a rollover flushes each CPU's TLB once, at that CPU's next switch", () => {
    const { mmu, pt, tr } = machine({ asidBits: 8, unmapKernelAtEl0: false });
    mmu.switchMm(1, 1, PGD_A);
    tr(1, 0x40_0000, UR);
    const ctx = mmu.contexts;
    for (let mm = 3; mm < 300; mm++) {
      ctx.initNewContext(mm);
      mmu.switchMm(0, mm, PGD_B);
      if (ctx.rollovers !== 0) break;
      tr(0, 0x40_0000, UR);
    }
    expect(ctx.rollovers).toBe(1);
    expect(mmu.tlbs[0]!.main.used + mmu.tlbs[0]!.dtlb!.used).toBe(0); // CPU 0 flushed on the switch that rolled over
    expect(mmu.tlbs[1]!.main.used).toBe(1); // CPU 1 still runs mm 1 with its old entries
    const calls = pt.calls;
    expect(tr(1, 0x40_0000, UR)[0]).toBe(0);
    expect(pt.calls).toBe(calls); // still a hit: its ASID was reserved
    mmu.switchMm(1, 2, PGD_B);
    expect(mmu.tlbs[1]!.main.used).toBe(0);
    expect(mmu.tlbi.issued[0]).toBe(2); // two local TLBI VMALLE1
    expectValid(mmu);
  });

  it("with KPTI, EL0 accesses use ASID | 1 and flush_tlb_page removes both halves of the pair", () => {
    const { mmu, pt, tr } = machine({ kpti: true });
    mmu.switchMm(0, 1, PGD_A);
    const asid = mmu.contexts.asid(1);
    expect(asid % 2).toBe(0);
    tr(0, 0x40_0000, UR); // EL0: ASID | 1
    tr(0, 0x40_0000, ACCESS_READ); // the kernel's uaccess: the even ASID
    expect(pt.calls).toBe(2);
    const main = mmu.tlbs[0]!.main;
    expect(main.lookup(0x40_0000, asid | 1)).toBeGreaterThanOrEqual(0);
    expect(main.lookup(0x40_0000, asid)).toBeGreaterThanOrEqual(0);
    mmu.flushTlbPage(1, 0x40_0000);
    expect(main.used).toBe(0);
  });
});
