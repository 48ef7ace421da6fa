// mmsim: tests of __create_pgd_mapping's rules (arch/arm64/mm/mmu.c) and the DI module
import { ArgumentError, ConfigError, MmBugError } from "@mmsim/core";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { NO_BLOCK_MAPPINGS, NO_CONT_MAPPINGS, createPgdMapping, pgattrChangeIsSafe, pmdSetHuge } from "./create-mapping.ts";
import type { Arm64Layout } from "./layout.ts";
import { ARM64_LAYOUT, hwArm64Module } from "./module.ts";
import { PAGE_KERNEL, PAGE_KERNEL_RO, PAGE_KERNEL_ROX, PROT_DEVICE_nGnRE, pgprotTagged } from "./pgtable-prot.ts";
import { PgtableStore, TABLE_ORIGIN_MEMBLOCK } from "./pgtable-store.ts";
import { parseVa } from "./va.ts";
import { ACCESS_READ, ACCESS_WRITE, WalkOut, walk } from "./walk.ts";

function fresh() {
  const store = new PgtableStore({ basePfn: 0x40000, nrPages: 0x40000 });
  store.addTable(0x40000000, 0, TABLE_ORIGIN_MEMBLOCK);
  let next = 0x80000000;
  const allocated: number[] = [];
  const alloc = (shift: number) => {
    next -= 4096;
    store.addTable(next, shift === 12 ? 3 : shift === 21 ? 2 : 1, TABLE_ORIGIN_MEMBLOCK);
    allocated.push(shift);
    return next;
  };
  return { store, alloc, allocated };
}

describe("__create_pgd_mapping", () => {
  it("uses a 1 GiB block when everything is 1 GiB-aligned, 2 MiB blocks and contiguous runs below that", () => {
    const t = fresh();
    createPgdMapping(t.store, 0x40000000, 0x40000000, parseVa("0xffff000040000000"), 0x40000000, PAGE_KERNEL, t.alloc, 0);
    expect(t.allocated).toEqual([30]); // one PUD table; the pud entry is a block
    const out = new WalkOut();
    walk(t.store, 0x40000000, parseVa("0xffff000040000000") + 0x123456, ACCESS_READ, out);
    expect([out.level, out.shift, out.pa]).toEqual([1, 30, 0x40123456]);
    const u = fresh();
    createPgdMapping(u.store, 0x40000000, 0x40000000, parseVa("0xffff000000000000"), 0x2010000, PAGE_KERNEL, u.alloc, 0);
    expect(u.allocated).toEqual([30, 21, 12]); // 32 MiB as CONT blocks, then 64 KiB as CONT ptes
    walk(u.store, 0x40000000, parseVa("0xffff000001e00000"), ACCESS_READ, out);
    expect([out.level, (out.descHi >>> 20) & 1]).toEqual([2, 1]);
    walk(u.store, 0x40000000, parseVa("0xffff00000200f000"), ACCESS_READ, out);
    expect([out.level, (out.descHi >>> 20) & 1, out.pa]).toEqual([3, 1, 0x4200f000]);
  });

  it("NO_BLOCK_MAPPINGS maps pages; permission-only changes of live entries are allowed", () => {
    const t = fresh();
    const va = parseVa("0xffff000000000000");
    createPgdMapping(t.store, 0x40000000, 0x40000000, va, 0x400000, pgprotTagged(PAGE_KERNEL), t.alloc, NO_BLOCK_MAPPINGS | NO_CONT_MAPPINGS);
    expect(t.allocated).toEqual([30, 21, 12, 12]);
    // blocks allowed over a page-mapped range: pmd_set_huge refuses the unsafe change and the kernel
    // silently keeps the old (writable) ptes — update_mapping_prot callers must match the original flags
    createPgdMapping(t.store, 0x40000000, 0x40000000, va, 0x400000, PAGE_KERNEL_RO, null, NO_CONT_MAPPINGS);
    const out = new WalkOut();
    expect(walk(t.store, 0x40000000, va, ACCESS_READ | ACCESS_WRITE, out)).toBe(0);
    createPgdMapping(t.store, 0x40000000, 0x40000000, va, 0x400000, PAGE_KERNEL_RO, null, NO_BLOCK_MAPPINGS | NO_CONT_MAPPINGS);
    expect(walk(t.store, 0x40000000, va, ACCESS_READ | ACCESS_WRITE, out)).toBe(3);
    expect(() => createPgdMapping(t.store, 0x40000000, 0x50000000, va, 0x1000, PAGE_KERNEL, null, 0)).toThrow(/unsafe change of a live entry/);
    expect(() => createPgdMapping(t.store, 0x40000000, 0x40000000, va, 0x1000, PROT_DEVICE_nGnRE, null, 0)).toThrow(MmBugError);
    expect(() => createPgdMapping(t.store, 0x40000000, 0x40400000, va + 0x400000, 0x1000, PAGE_KERNEL, null, 0)).toThrow(/no allocator/);
  });

  it("pgattr_change_is_safe: only PXN, RDONLY, WRITE and setting nG; Normal ↔ Normal-Tagged", () => {
    const k = PAGE_KERNEL;
    expect(pgattrChangeIsSafe(0, 0, k.lo, k.hi)).toBe(true);
    expect(pgattrChangeIsSafe(k.lo, k.hi, PAGE_KERNEL_ROX.lo, PAGE_KERNEL_ROX.hi)).toBe(true);
    expect(pgattrChangeIsSafe(k.lo, k.hi, pgprotTagged(k).lo, k.hi)).toBe(true);
    expect(pgattrChangeIsSafe(k.lo, k.hi, PROT_DEVICE_nGnRE.lo, PROT_DEVICE_nGnRE.hi)).toBe(false);
    expect(pgattrChangeIsSafe(k.lo, k.hi | (1 << 20), k.lo, k.hi | (1 << 20))).toBe(false); // live CONT entries never change
    expect(pgattrChangeIsSafe(k.lo | 0x800, k.hi, k.lo, k.hi)).toBe(false); // nG → global
  });

  it("rejects misaligned requests with clear errors", () => {
    const t = fresh();
    expect(() => createPgdMapping(t.store, 0x40000000, 0x40000800, parseVa("0xffff000000000000"), 0x1000, PAGE_KERNEL, t.alloc, 0)).toThrow(/same offset within a page/);
    expect(() => createPgdMapping(t.store, 0x40000000, 0x40000000, parseVa("0xffff000000000000"), 0, PAGE_KERNEL, t.alloc, 0)).toThrow(ArgumentError);
    expect(() => createPgdMapping(t.store, 0x40000000, 0x40000000, parseVa("0xfffe000000000000"), 0x1000, PAGE_KERNEL, t.alloc, 0)).toThrow(/inside one TTBR half/);
    expect(() => pmdSetHuge(t.store, 0x40000000, 0x40100000, PAGE_KERNEL)).toThrow(/2 MiB-aligned/);
  });
});

describe("hwArm64Module", () => {
  it("registers the layout in a machine's child container", () => {
    const c = container.createChildContainer();
    hwArm64Module.register(c, { vaBits: 39 });
    expect(c.resolve<Arm64Layout>(ARM64_LAYOUT).pgtableLevels).toBe(3);
    expect(() => hwArm64Module.register(container.createChildContainer(), { vaBits: 52 })).toThrow(ConfigError);
  });
});
