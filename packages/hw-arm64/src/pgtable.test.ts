// mmsim: tests of descriptors, pgprot values, the store and the pXd accessors (pgtable-hwdef.h, pgtable-prot.h, pgtable.h)
import { ArgumentError, MmBugError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { PTE_AF, PTE_PXN_HI, PTE_RDONLY, PTE_UXN_HI, pteWords, pteval } from "./pgtable-hwdef.ts";
import {
  PAGE_EXECONLY, PAGE_KERNEL, PAGE_KERNEL_EXEC, PAGE_KERNEL_EXEC_CONT, PAGE_KERNEL_RO, PAGE_KERNEL_ROX, PAGE_NONE,
  PAGE_READONLY, PAGE_READONLY_EXEC, PAGE_SHARED, PAGE_SHARED_EXEC, PROT_DEVICE_nGnRE, PROT_SECT_NORMAL,
  PROT_SECT_NORMAL_EXEC, VM_EXEC, VM_READ, VM_SHARED, VM_WRITE, decodeDescriptor, formatDescriptor, pgprotName,
  pgprotTagged, vmGetPageProt, type Pgprot,
} from "./pgtable-prot.ts";
import { PgtableStore, TABLE_ORIGIN_MEMBLOCK } from "./pgtable-store.ts";
import {
  NULL_ENTRY, PteVal, pfnPte, pgdIndex, pgdOffsetPgd, pmdIndex, pmdOffset, pteDirty, pteHwDirty, pteIndex, pteMkclean,
  pteMkcont, pteMkdirty, pteMkexec, pteMkold, pteMkspecial, pteMkwrite, pteMkyoung, pteModify, pteOffsetKernel, ptePfn,
  ptePresent, pteProtnone, pteSpecial, pteSwDirty, pteWrite, pteWrprotect, pteYoung, ptepGet, ptepGetAndClear,
  ptepSetWrprotect, ptepTestAndClearYoung, pudIndex, pudOffset, setPte,
} from "./pgtable.ts";
import { parseVa } from "./va.ts";

const v = (p: Pgprot) => `0x${pteval(p.lo, p.hi).toString(16).padStart(16, "0")}`;

describe("pgprot values of 6.1 (PTE_MAYBE_NG = 0: no KPTI)", () => {
  it("kernel protections", () => {
    // PROT_NORMAL = PTE_TYPE_PAGE | PTE_AF | PTE_SHARED | PTE_PXN | PTE_UXN | PTE_WRITE | AttrIndx 0
    expect(v(PAGE_KERNEL)).toBe("0x0068000000000703");
    expect(v(PAGE_KERNEL_RO)).toBe("0x0060000000000783");
    expect(v(PAGE_KERNEL_ROX)).toBe("0x0040000000000783");
    expect(v(PAGE_KERNEL_EXEC)).toBe("0x0048000000000703");
    expect(v(PAGE_KERNEL_EXEC_CONT)).toBe("0x0058000000000703");
    expect(v(PROT_DEVICE_nGnRE)).toBe("0x0068000000000713"); // AttrIndx 4
    expect(v(pgprotTagged(PAGE_KERNEL))).toBe("0x0068000000000707"); // AttrIndx 1: the linear map
    expect(v(PROT_SECT_NORMAL)).toBe("0x0060000000000701");
    expect(v(PROT_SECT_NORMAL_EXEC)).toBe("0x0040000000000701");
  });
  it("user protections and protection_map", () => {
    expect(v(PAGE_NONE)).toBe("0x0460000000000f82");
    expect(v(PAGE_SHARED)).toBe("0x0068000000000fc3");
    expect(v(PAGE_SHARED_EXEC)).toBe("0x0028000000000fc3");
    expect(v(PAGE_READONLY)).toBe("0x0060000000000fc3");
    expect(v(PAGE_READONLY_EXEC)).toBe("0x0020000000000fc3");
    expect(v(PAGE_EXECONLY)).toBe("0x0020000000000f83");
    expect(vmGetPageProt(VM_READ | VM_WRITE)).toBe(PAGE_READONLY); // private writable: COW
    expect(vmGetPageProt(VM_SHARED | VM_READ | VM_WRITE)).toBe(PAGE_SHARED);
    expect(vmGetPageProt(VM_EXEC)).toBe(PAGE_READONLY_EXEC); // PAGE_EXECONLY only with Enhanced PAN
    expect(vmGetPageProt(0)).toBe(PAGE_NONE);
  });
  it("decodes descriptors into named fields", () => {
    const [lo, hi] = pteWords(0x0068000040000707n);
    const d = decodeDescriptor(lo, hi, 3);
    expect(d).toMatchObject({ kind: "page", outputAddress: 0x40000000, attrIndx: 1, memType: "NORMAL_TAGGED", user: false, rdonly: false, sh: 3, af: true, ng: false, dbm: true, pxn: true, uxn: true, cont: false });
    expect(formatDescriptor(lo, hi, 3)).toBe("PAGE oa=0x40000000 AttrIndx=1(NORMAL_TAGGED) inner-shareable RW(EL1) AF PXN UXN DBM(WRITE)");
    expect(decodeDescriptor(lo & ~2, hi, 2).kind).toBe("block");
    expect(decodeDescriptor(lo & ~2, hi, 3).kind).toBe("reserved");
    expect(decodeDescriptor(lo, hi, 2).kind).toBe("table");
    expect(decodeDescriptor(0, 0, 1).kind).toBe("invalid");
    expect(formatDescriptor(0x7ffe003, 0x18000000, 0)).toBe("TABLE next=0x7ffe000 PXNTable UXNTable");
    expect(pgprotName(PAGE_KERNEL_ROX.lo | 0x40210000, PAGE_KERNEL_ROX.hi)).toBe("PAGE_KERNEL_ROX");
  });
});

describe("pte value helpers (allocation-free, on a PteVal)", () => {
  const p = new PteVal();
  it("pfn_pte and pte_pfn round-trip, above 4 GiB too", () => {
    for (const pfn of [0x40000, 0x7ffff, 0x100000, 0x123456, 0x7fffffff]) {
      pfnPte(pfn, PAGE_KERNEL, p);
      expect(ptePfn(p.lo, p.hi)).toBe(pfn);
      expect(pteval(p.lo, p.hi) & ~0xffff_ffff_f000n).toBe(pteval(PAGE_KERNEL.lo, PAGE_KERNEL.hi));
    }
  });
  it("young/old, dirty/clean, write/wrprotect follow arm64's PTE_RDONLY/PTE_WRITE/PTE_DIRTY dance", () => {
    pfnPte(0x40000, PAGE_SHARED, p);
    expect(pteWrite(p.hi)).toBe(true);
    expect(pteDirty(p.lo, p.hi)).toBe(false); // writable but RDONLY: clean
    pteMkdirty(p);
    expect(pteSwDirty(p.hi) && pteHwDirty(p.lo, p.hi)).toBe(true); // RDONLY cleared
    pteWrprotect(p);
    expect(pteWrite(p.hi)).toBe(false);
    expect(pteDirty(p.lo, p.hi)).toBe(true); // dirtiness kept as PTE_DIRTY
    expect((p.lo & PTE_RDONLY) !== 0).toBe(true);
    pteMkclean(p);
    expect(pteDirty(p.lo, p.hi)).toBe(false);
    pteMkwrite(p);
    expect(pteWrite(p.hi) && !pteHwDirty(p.lo, p.hi)).toBe(true);
    // a hardware-dirty pte (written through DBM) is kept dirty by wrprotect
    pfnPte(0x40000, PAGE_SHARED, p);
    p.lo &= ~PTE_RDONLY;
    pteWrprotect(p);
    expect(pteSwDirty(p.hi)).toBe(true);
    expect(pteYoung(pteMkold(p).lo)).toBe(false);
    expect(pteYoung(pteMkyoung(p).lo)).toBe(true);
    expect(pteSpecial(pteMkspecial(p).hi)).toBe(true);
    expect((pteMkcont(p).hi & (1 << 20)) !== 0).toBe(true);
    expect((pteMkexec(pfnPte(1, PAGE_READONLY, p)).hi & PTE_UXN_HI) === 0).toBe(true);
  });
  it("pte_modify changes permissions and keeps the pfn and hardware dirtiness", () => {
    pfnPte(0x41234, PAGE_SHARED, p);
    p.lo &= ~PTE_RDONLY; // written
    pteModify(p, PAGE_READONLY);
    expect(ptePfn(p.lo, p.hi)).toBe(0x41234);
    expect(pteWrite(p.hi)).toBe(false);
    expect(pteSwDirty(p.hi)).toBe(true);
    pteModify(p, PAGE_NONE);
    expect(pteProtnone(p.lo, p.hi)).toBe(true);
    expect(ptePresent(p.lo, p.hi)).toBe(true);
  });
});

describe("PgtableStore and the offset helpers", () => {
  it("stores tables in frames, reuses slots, grows", () => {
    const s = new PgtableStore({ basePfn: 0x40000, nrPages: 1024, initialTables: 2 });
    const a = 0x40001000;
    s.addTable(a, 0, TABLE_ORIGIN_MEMBLOCK);
    s.addTable(0x40002000, 1, TABLE_ORIGIN_MEMBLOCK);
    s.addTable(0x40003000, 2, TABLE_ORIGIN_MEMBLOCK); // grows
    expect(s.capacity).toBe(4);
    s.write(a + 8 * 5, 0x12345003, 0x00600000);
    expect(s.readLo(a + 40)).toBe(0x12345003);
    expect(s.readHi(a + 40)).toBe(0x00600000);
    expect(s.readLo(0x40004000)).toBe(0); // not a table: zeros
    s.removeTable(0x40002000);
    s.addTable(0x40005000, 3, TABLE_ORIGIN_MEMBLOCK);
    expect(s.tableSlot(0x40005000)).toBe(1); // slot reused, zeroed
    expect(s.nrTables).toBe(3);
    expect(s.tables().sort()).toEqual([0x40001000, 0x40003000, 0x40005000]);
  });
  it("rejects bad frames with clear errors", () => {
    const s = new PgtableStore({ basePfn: 0x40000, nrPages: 16 });
    expect(() => s.addTable(0x40000800, 3, 1)).toThrow(ArgumentError);
    expect(() => s.addTable(0x50000000, 3, 1)).toThrow(/a frame in RAM/);
    s.addTable(0x40000000, 3, 1);
    expect(() => s.addTable(0x40000000, 3, 1)).toThrow(/already holds/);
    expect(() => s.write(0x40001000, 1, 0)).toThrow(MmBugError);
    expect(() => s.removeTable(0x40001000)).toThrow(/not a page table/);
    expect(() => new PgtableStore({ basePfn: 0, nrPages: 1, vaBits: 52 })).toThrow(/48 \(4 levels\) or 39/);
  });
  it("pgd/pud/pmd/pte offsets follow the entries, folding the pud with 3 levels", () => {
    const s = new PgtableStore({ basePfn: 0x40000, nrPages: 64 });
    const va = parseVa("0xffff800008d12345");
    expect([pgdIndex(s, va), pudIndex(va), pmdIndex(va), pteIndex(va)]).toEqual([256, 0, 70, 0x112]);
    s.addTable(0x40000000, 0, 1);
    s.addTable(0x40001000, 1, 1);
    s.addTable(0x40002000, 2, 1);
    s.addTable(0x40003000, 3, 1);
    const pgdp = pgdOffsetPgd(s, 0x40000000, va);
    expect(pudOffset(s, pgdp, va)).toBe(NULL_ENTRY);
    setPte(s, pgdp, 0x40001003, 0);
    const pudp = pudOffset(s, pgdp, va);
    expect(pudp).toBe(0x40001000);
    setPte(s, pudp, 0x40002003, 0);
    const pmdp = pmdOffset(s, pudp, va);
    expect(pmdp).toBe(0x40002000 + 70 * 8);
    setPte(s, pmdp, 0x40003003, 0);
    const ptep = pteOffsetKernel(s, pmdp, va);
    expect(ptep).toBe(0x40003000 + 0x112 * 8);
    const p = new PteVal();
    pfnPte(0x41000, PAGE_KERNEL, p);
    setPte(s, ptep, p.lo, p.hi);
    expect(ptepTestAndClearYoung(s, ptep)).toBe(true);
    expect(ptepTestAndClearYoung(s, ptep)).toBe(false);
    expect((ptepGet(s, ptep, p).lo & PTE_AF) === 0).toBe(true);
    ptepSetWrprotect(s, ptep, p);
    expect(pteWrite(ptepGet(s, ptep, p).hi)).toBe(false);
    expect(ptePfn(ptepGetAndClear(s, ptep, p).lo, p.hi)).toBe(0x41000);
    expect(ptepGet(s, ptep, p).lo).toBe(0);
    const s3 = new PgtableStore({ basePfn: 0x40000, nrPages: 64, vaBits: 39 });
    const uva = 0x7fc0001000;
    expect(pgdIndex(s3, uva)).toBe(511);
    expect(pudOffset(s3, 0x40000000 + 511 * 8, uva)).toBe(0x40000000 + 511 * 8); // folded
    expect((PAGE_KERNEL.hi & PTE_PXN_HI) !== 0).toBe(true);
  });
});
