// mmsim: tests of the stage-1 table walk: translation, faults at the right level, permissions, AF and DBM
import { ArgumentError } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { buildBoard } from "./board.test-helpers.ts";
import { __va } from "./layout.ts";
import { MmPgtables, getLockedPte, mmAllocPgd } from "./mm-pgtables.ts";
import { PgtableAllocator } from "./pgalloc.ts";
import { PTE_AF, PTE_RDONLY, PTE_USER, TABLE_AP_HI } from "./pgtable-hwdef.ts";
import {
  PAGE_EXECONLY, PAGE_NONE, PAGE_READONLY, PAGE_READONLY_EXEC, PAGE_SHARED, type Pgprot, pgprot,
} from "./pgtable-prot.ts";
import { PgtableStore } from "./pgtable-store.ts";
import { PteVal, pfnPte, pgdOffsetPgd, pteHwDirty, ptepTestAndClearYoung, setPte } from "./pgtable.ts";
import { parseVa } from "./va.ts";
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_USER, ACCESS_WRITE, FAULT_ACCESS_FLAG, FAULT_ADDRESS_SIZE, FAULT_NONE,
  FAULT_PERMISSION, FAULT_TRANSLATION, WalkOut, walk,
} from "./walk.ts";
import { formatWalk, ptWalk } from "./walk-format.ts";

const R = ACCESS_READ;
const W = ACCESS_WRITE;
const X = ACCESS_EXEC;
const U = ACCESS_USER;

describe("walk on swapper_pg_dir: translation faults at the level that has no entry", () => {
  const b = buildBoard();
  const out = new WalkOut();
  const at = (va: string, access = R) => {
    const f = walk(b.store, b.store.swapperPgDir, parseVa(va), access, out);
    return [f, out.faultLevel];
  };
  it("level 0, 1, 2, 3", () => {
    expect(at("0xffff008000000000")).toEqual([FAULT_TRANSLATION, 0]); // an empty pgd entry
    expect(at("0xffff000040000000")).toEqual([FAULT_TRANSLATION, 1]); // past 1 GiB of RAM: empty pud entry
    expect(at("0xffff800000000000")).toEqual([FAULT_TRANSLATION, 2]); // modules: empty pmd entry
    expect(at("0xffff800008000000")).toEqual([FAULT_TRANSLATION, 3]); // the image header below _stext
  });
  it("an address outside TTBR1's range is an address size fault", () => {
    expect(at("0xfffeffffffffffff")).toEqual([FAULT_ADDRESS_SIZE, 0]);
    expect(walk(b.store, b.store.swapperPgDir, 2 ** 48, R, out)).toBe(FAULT_ADDRESS_SIZE);
    expect(formatWalk(out, b.store)).toContain("address size fault: 0x0001000000000000 is outside TTBR0's range (< 2^48)");
  });
  it("EL0 may not touch the linear map; nobody executes it", () => {
    expect(at("0xffff000000001000", R | U)).toEqual([FAULT_PERMISSION, 3]);
    expect(at("0xffff000000001000", X)).toEqual([FAULT_PERMISSION, 3]);
    expect(at("0xffff000000400000", W)).toEqual([FAULT_NONE, 2]); // kernel alias block, still writable before mark_linear_text_alias_ro
  });
  it("formatWalk shows every level and the result", () => {
    walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x40001234), R, out);
    const t = formatWalk(out, b.store);
    expect(t).toContain("walk of 0xffff000000001234 (read at EL1 (kernel)), 4 levels (VA_BITS 48), TTBR1");
    expect(t).toContain("  level 0: table 0x000000004185f000 index VA[47:39]=  0 → 0x180000007fff8003  TABLE next=0x7fff8000 PXNTable UXNTable");
    expect(t).toContain("level 3: table");
    expect(t).toContain("→ PA 0x0000000040001234 (4 KiB page at level 3)");
    walk(b.store, b.store.swapperPgDir, parseVa("0xffff800000000000"), R, out);
    expect(formatWalk(out)).toContain("→ level 2 translation fault");
  });
  it("ptWalk picks the TTBR and rejects addresses outside every region", () => {
    expect(ptWalk(b.store, b.layout, parseVa("0xffff800008010000"))).toMatch(/^region: vmalloc\n.*→ PA 0x0000000040210000/s);
    expect(() => ptWalk(b.store, b.layout, 2 ** 50)).toThrow(/user space \[0, 0x0001000000000000\) or kernel space/);
    expect(() => ptWalk(b.store, b.layout, 0x1000)).toThrow(ArgumentError);
    expect(() => ptWalk(b.store, b.layout, 1.5)).toThrow(/exact 64-bit/);
  });
});

describe("walk on user tables: AP, UXN/PXN, execute-only, AF and DBM", () => {
  const fake = new FakePageAllocator(0x40000, 65536);
  const store = new PgtableStore({ basePfn: 0x40000, nrPages: 65536 });
  const alloc = new PgtableAllocator(store, fake, fake.mem);
  const mm = mmAllocPgd(alloc)!;
  const out = new WalkOut();
  const tmp = new PteVal();
  let nextVa = 0x400000;
  const map = (prot: Pgprot, pfn = 0x48000): number => {
    const va = (nextVa += 0x1000);
    const ptep = getLockedPte(alloc, mm, va);
    pfnPte(pfn, prot, tmp);
    setPte(store, ptep, tmp.lo, tmp.hi);
    return va;
  };
  const w = (va: number, access: number) => walk(store, mm.pgd, va, access, out);

  it("PAGE_READONLY: EL0 reads; no write, no execute", () => {
    const va = map(PAGE_READONLY);
    expect(w(va + 0x10, R | U)).toBe(FAULT_NONE);
    expect(out.pa).toBe(0x48000010);
    expect(w(va, W | U)).toBe(FAULT_PERMISSION);
    expect(w(va, X | U)).toBe(FAULT_PERMISSION);
    expect(w(va, R)).toBe(FAULT_NONE); // EL1 may read user memory (no PAN on a Cortex-A57)
    out.pan = true;
    expect(w(va, R)).toBe(FAULT_PERMISSION);
    out.pan = false;
  });
  it("PAGE_READONLY_EXEC executes at EL0; PAGE_EXECONLY executes but cannot be read", () => {
    expect(w(map(PAGE_READONLY_EXEC), X | U)).toBe(FAULT_NONE);
    const xo = map(PAGE_EXECONLY);
    expect(w(xo, X | U)).toBe(FAULT_NONE);
    expect(w(xo, R | U)).toBe(FAULT_PERMISSION);
  });
  it("PAGE_SHARED is clean until written: a write faults, or with TCR_EL1.HD sets it hardware-dirty", () => {
    const va = map(PAGE_SHARED);
    expect(w(va, W | U)).toBe(FAULT_PERMISSION);
    expect(out.faultLevel).toBe(3);
    out.hd = true;
    expect(w(va, W | U)).toBe(FAULT_NONE);
    expect(out.updated).toBe(1);
    expect(pteHwDirty(store.readLo(out.entryPa), store.readHi(out.entryPa))).toBe(true);
    out.hd = false;
    expect(w(va, W | U)).toBe(FAULT_NONE); // now writable
  });
  it("PAGE_NONE is invalid to the MMU: a level-3 translation fault", () => {
    expect(w(map(PAGE_NONE), R | U)).toBe(FAULT_TRANSLATION);
    expect(out.faultLevel).toBe(3);
  });
  it("an old pte (AF clear) raises an access flag fault, or with TCR_EL1.HA is made young", () => {
    const va = map(PAGE_READONLY);
    const ptep = out.entryPa;
    w(va, R | U);
    expect(ptepTestAndClearYoung(store, out.entryPa)).toBe(true);
    expect(w(va, R | U)).toBe(FAULT_ACCESS_FLAG);
    expect(w(va, W | U)).toBe(FAULT_ACCESS_FLAG); // AF is checked before permissions
    out.ha = true;
    expect(w(va, R | U)).toBe(FAULT_NONE);
    expect((store.readLo(out.entryPa) & PTE_AF) !== 0).toBe(true);
    out.ha = false;
    expect(ptep).toBeGreaterThan(0);
  });
  it("a page writable at EL0 is never executable at EL1; table descriptors' PXNTable and APTable apply", () => {
    // user RW, PXN clear, UXN set: EL1 fetch is still denied (writable at EL0 implies PXN)
    const rw = map(pgprot(PAGE_SHARED.lo & ~PTE_RDONLY, 0x00400000));
    expect(w(rw, X)).toBe(FAULT_PERMISSION);
    // user RO, PXN clear: denied only by the PMD_TABLE_PXN pmd_populate() put on the user table
    const ro = map(pgprot(PAGE_READONLY.lo | PTE_USER, 0x00400000));
    expect(w(ro, X)).toBe(FAULT_PERMISSION);
    expect(out.tableHi & (1 << 27)).not.toBe(0);
    // APTable[1] on the pgd entry makes everything below read-only
    const pgdp = pgdOffsetPgd(store, mm.pgd, rw);
    const hi = store.readHi(pgdp);
    store.write(pgdp, store.readLo(pgdp), hi | (2 << 29));
    expect(w(rw, W | U)).toBe(FAULT_PERMISSION);
    store.write(pgdp, store.readLo(pgdp), hi);
    expect(w(rw, W | U)).toBe(FAULT_NONE);
    expect(TABLE_AP_HI).toBe(3 << 29);
  });
  it("reserved encodings and a table pointer to a non-table frame fault", () => {
    const va = map(PAGE_READONLY);
    const ptep = out.entryPa;
    w(va, R | U);
    const e = out.entryPa;
    store.write(e, (store.readLo(e) & ~2) >>> 0, store.readHi(e)); // level 3 with bits[1:0] = 01
    expect([w(va, R | U), out.faultLevel]).toEqual([FAULT_TRANSLATION, 3]);
    const pmdp = out.traceTable[2]! + out.traceIndex[2]! * 8;
    const save = [store.readLo(pmdp), store.readHi(pmdp)] as const;
    store.write(pmdp, 0x7f000003, 0); // a frame that holds no table
    expect([w(va, R | U), out.faultLevel, out.badTable]).toEqual([FAULT_TRANSLATION, 3, 1]);
    store.write(pmdp, save[0], save[1]);
    const pgdp = pgdOffsetPgd(store, mm.pgd, va);
    const keep = [store.readLo(pgdp), store.readHi(pgdp)] as const;
    store.write(pgdp, 0x40000401, 0); // a level-0 block: reserved with 4 KiB pages
    expect([w(va, R | U), out.faultLevel]).toEqual([FAULT_TRANSLATION, 0]);
    store.write(pgdp, keep[0], keep[1]);
    expect(ptep).toBeGreaterThan(0);
  });
  it("keeps mm accounting: pud + pmd + pte tables in pgtables_bytes", () => {
    expect(mm).toBeInstanceOf(MmPgtables);
    expect(mm.pgtablesBytes).toBe(3 * 4096);
  });
  it("the same VA maps different frames in two processes; one frame can have many VAs", () => {
    const other = mmAllocPgd(alloc)!;
    const va = 0x7000_0000;
    for (const [m, pfn] of [[mm, 0x48100], [other, 0x48200]] as const) {
      const ptep = getLockedPte(alloc, m, va);
      pfnPte(pfn, PAGE_READONLY, tmp);
      setPte(store, ptep, tmp.lo, tmp.hi);
    }
    expect(walk(store, mm.pgd, va, R | U, out)).toBe(FAULT_NONE);
    const a = out.pa;
    expect(walk(store, other.pgd, va, R | U, out)).toBe(FAULT_NONE);
    expect([a, out.pa]).toEqual([0x48100000, 0x48200000]);
    const alias = map(PAGE_READONLY, 0x48100); // a second VA for the first frame
    expect(walk(store, mm.pgd, alias, R | U, out)).toBe(FAULT_NONE);
    expect(out.pa).toBe(0x48100000);
  });
});
