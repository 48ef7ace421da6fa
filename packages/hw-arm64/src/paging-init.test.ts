// mmsim: tests of paging_init() on the 1 GiB reference board (arch/arm64/mm/mmu.c)
import { KernelPanic, SZ_1G, SZ_2G, SZ_4G } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { REF_SEGMENTS, REF_SWAPPER_PG_DIR, RAM_BASE, buildBoard, topDown } from "./board.test-helpers.ts";
import { __pa, __va } from "./layout.ts";
import { KFENCE_POOL_SIZE, arm64KfenceCanSetDirectMap, canSetDirectMap, kfenceEarlyInit, pagingInit } from "./paging-init.ts";
import { PgtableStore, TABLE_ORIGIN_IMAGE, TABLE_ORIGIN_MEMBLOCK } from "./pgtable-store.ts";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_NONE, FAULT_PERMISSION, WalkOut, walk } from "./walk.ts";
import { parseVa } from "./va.ts";

describe("paging_init on the 1 GiB board (rodata=full by CONFIG_RODATA_FULL_DEFAULT_ENABLED, no KFENCE)", () => {
  const b = buildBoard();
  const { store, layout: l, kernel } = b;
  const out = new WalkOut();

  it("allocates 515 tables from memblock, top-down: the capture's 0x7fdfd000..0x7fffffff reservation", () => {
    expect(b.tables).toEqual({ mapKernel: 7, mapMem: 504, idmap: 4, total: 515, byLevel: [0, 3, 3, 509] });
    expect(b.early.allocated[0]).toBe(0x7ffff000);
    expect(b.early.allocated.at(-1)).toBe(0x7fdfd000);
    expect(store.countByOrigin()[TABLE_ORIGIN_MEMBLOCK]).toBe(515);
    // swapper, idmap_pg_dir, bm_pud, bm_pmd, bm_pte: part of the image
    expect(store.countByOrigin()[TABLE_ORIGIN_IMAGE]).toBe(5);
    expect(store.swapperPgDir).toBe(REF_SWAPPER_PG_DIR);
  });

  it("registers the five vm_structs /proc/vmallocinfo lists for paging_init", () => {
    expect(b.vmAreas.map((a) => [a.name, a.size, a.physAddr])).toEqual([
      ["text", 13565952, 0x40210000],
      ["rodata", 9830400, 0x40f00000],
      ["inittext", 917504, 0x41860000],
      ["initdata", 5701632, 0x41940000],
      ["data", 3543040, 0x41eb0000],
    ]);
    expect(b.vmAreas[0]!.addr).toBe(parseVa("0xffff800008010000"));
  });

  it("every linear-map page translates to __pa(), read-write and never executable", () => {
    const wrong: number[] = [];
    for (let pa = RAM_BASE; pa < RAM_BASE + SZ_1G; pa += 4096) {
      const va = __va(l, pa) + 0x7b8;
      if (walk(store, store.swapperPgDir, va, ACCESS_READ | ACCESS_WRITE, out) !== FAULT_NONE || out.pa !== __pa(l, va)) wrong.push(pa);
    }
    expect(wrong).toEqual([]);
    // page granularity except the kernel alias of [_stext, __init_begin), mapped with 2 MiB blocks
    walk(store, store.swapperPgDir, __va(l, 0x40000000), ACCESS_READ, out);
    expect(out.shift).toBe(12);
    walk(store, store.swapperPgDir, __va(l, 0x40400000), ACCESS_READ, out);
    expect([out.level, out.shift]).toEqual([2, 21]);
    walk(store, store.swapperPgDir, __va(l, 0x41800000), ACCESS_READ, out);
    expect(out.shift).toBe(12);
    expect(walk(store, store.swapperPgDir, __va(l, 0x50000000), ACCESS_EXEC, out)).toBe(FAULT_PERMISSION);
  });

  it("kernel image addresses translate to their physical segment with the segment's permissions", () => {
    const img = REF_SEGMENTS;
    const segs: [number, number, boolean, boolean][] = [
      // start, end, writable, executable
      [img._stext, img._etext, false, true],
      [img.__start_rodata, img.__inittext_begin, true, false], // PAGE_KERNEL until mark_rodata_ro()
      [img.__inittext_begin, img.__inittext_end, false, true],
      [img.__initdata_begin, img.__initdata_end, true, false],
      [img._data, img._end, true, false],
    ];
    for (const [s, e, w, x] of segs) {
      for (let pa = s; pa < e; pa += 4096) {
        const va = kernel.kimg(pa) + 8;
        if (walk(store, store.swapperPgDir, va, ACCESS_READ, out) !== FAULT_NONE || out.pa !== pa + 8) throw new Error(`read at 0x${pa.toString(16)}`);
        if ((walk(store, store.swapperPgDir, va, ACCESS_WRITE, out) === FAULT_NONE) !== w) throw new Error(`write at 0x${pa.toString(16)}`);
        if ((walk(store, store.swapperPgDir, va, ACCESS_EXEC, out) === FAULT_NONE) !== x) throw new Error(`exec at 0x${pa.toString(16)}`);
      }
    }
    // _text.._stext (the 64 KiB image header) is not mapped by map_kernel
    expect(walk(store, store.swapperPgDir, kernel.kimg(img._text), ACCESS_READ, out)).not.toBe(FAULT_NONE);
  });

  it("mark_rodata_ro and mark_linear_text_alias_ro remove write permission", () => {
    const c = buildBoard();
    const flushed: number[] = [];
    c.kernel.markRodataRo((s, e) => flushed.push(s, e));
    c.kernel.markLinearTextAliasRo();
    expect(flushed).toEqual([c.kernel.kimg(0x40f00000), c.kernel.kimg(0x41860000)]);
    const o = new WalkOut();
    expect(walk(c.store, c.store.swapperPgDir, c.kernel.kimg(0x41000000), ACCESS_WRITE, o)).toBe(FAULT_PERMISSION);
    expect(walk(c.store, c.store.swapperPgDir, __va(c.layout, 0x40400000), ACCESS_WRITE, o)).toBe(FAULT_PERMISSION);
    expect(walk(c.store, c.store.swapperPgDir, __va(c.layout, 0x41860000), ACCESS_WRITE, o)).toBe(FAULT_NONE);
    expect(c.store.nrTables).toBe(520); // no table allocated
  });

  it("the fixmap maps the DTB read-only with a PMD block at __fix_to_virt(FIX_FDT)", () => {
    const va = parseVa("0xfffffbfffdc00000") + 0x1234;
    expect(walk(store, store.swapperPgDir, va, ACCESS_READ, out)).toBe(FAULT_NONE);
    expect([out.pa, out.shift]).toEqual([0x48201234, 21]);
    expect(walk(store, store.swapperPgDir, va, ACCESS_WRITE, out)).toBe(FAULT_PERMISSION);
  });

  it("the idmap maps its text ROX and the KPTI flag RW at their physical addresses", () => {
    expect(walk(store, kernel.idmapPgDir, 0x4185b010, ACCESS_EXEC, out)).toBe(FAULT_NONE);
    expect(out.pa).toBe(0x4185b010);
    expect(walk(store, kernel.idmapPgDir, 0x41eb1000, ACCESS_WRITE, out)).toBe(FAULT_NONE);
  });
});

describe("paging_init table counts follow the kernel", () => {
  it("2 GiB and 4 GiB boards: 1028 and 2054 tables (as captured)", () => {
    expect(buildBoard({ ramSize: SZ_2G }).tables.total).toBe(1028);
    expect(buildBoard({ ramSize: SZ_4G }).tables.total).toBe(2054);
  });
  it("rodata=off without KFENCE maps the linear map with blocks and contiguous runs", () => {
    const b = buildBoard({ rodataEnabled: false, kfence: false });
    // linear: PUD + PMD + PTE tables for 0x40200000 and 0x41800000 only
    expect(b.tables.mapMem).toBe(4);
    const out = new WalkOut();
    walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x42000000), ACCESS_READ, out);
    expect([out.level, (out.descHi >>> 20) & 1]).toEqual([2, 1]); // a 2 MiB block with PTE_CONT (32 MiB aligned run)
    walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x41a00000), ACCESS_READ, out);
    expect([out.level, (out.descHi >>> 20) & 1]).toEqual([2, 0]); // a block outside any aligned 32 MiB run
    walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x41900000), ACCESS_READ, out);
    expect([out.level, (out.descHi >>> 20) & 1]).toEqual([3, 1]); // pages next to the kernel, in 64 KiB contiguous runs
    // rodata=off: text is PAGE_KERNEL_EXEC (writable)
    expect(walk(b.store, b.store.swapperPgDir, b.kernel.kimg(0x40300000), ACCESS_WRITE, out)).toBe(FAULT_NONE);
  });
  it("rodata=on (rodata_full off) without KFENCE maps blocks too, text stays read-only", () => {
    const b = buildBoard({ rodataEnabled: true, rodataFull: false });
    expect(b.tables.mapMem).toBe(4);
    const out = new WalkOut();
    walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x50000000), ACCESS_READ, out);
    expect([out.level, out.shift]).toEqual([2, 21]);
    expect(walk(b.store, b.store.swapperPgDir, b.kernel.kimg(0x40300000), ACCESS_WRITE, out)).toBe(FAULT_PERMISSION);
    // rodata_full counts only with rodata_enabled (6.1.65's arch_parse_debug_rodata keeps them so)
    expect(buildBoard({ rodataEnabled: false, rodataFull: true }).tables.mapMem).toBe(4);
  });
  it("rodata=on maps 1 GiB PUD blocks where RAM covers an aligned GiB (4 GiB board)", () => {
    const b = buildBoard({ ramSize: SZ_4G, rodataEnabled: true, rodataFull: false });
    const out = new WalkOut();
    for (const pa of [0x80000000, 0xc0000000, 0x100000000, 0x13ffff000]) {
      expect(walk(b.store, b.store.swapperPgDir, __va(b.layout, pa), ACCESS_READ | ACCESS_WRITE, out)).toBe(FAULT_NONE);
      expect([pa, out.level, out.shift, out.pa]).toEqual([pa, 1, 30, pa]);
    }
    // the first GiB holds the kernel: 2 MiB blocks and two PTE tables, as on the 1 GiB board
    walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x50000000), ACCESS_READ, out);
    expect([out.level, out.shift]).toEqual([2, 21]);
    expect(b.tables.mapMem).toBe(4);
  });
  it("debug_pagealloc alone forces pages", () => {
    expect(buildBoard({ rodataEnabled: false, debugPagealloc: true }).tables.mapMem).toBe(504);
  });
  it("KFENCE initialised early (6.1.65+): only its 2 MiB pool is page-mapped, reserved top-down before the linear map's tables", () => {
    const b = buildBoard({ rodataEnabled: true, rodataFull: false, kfence: true });
    // map_kernel's 7 tables (0x7fff9000..0x7fffffff), then the pool right below them
    expect(b.early.allocated[7]).toBe(0x7fdf9000);
    expect(KFENCE_POOL_SIZE).toBe(2 * 1024 * 1024);
    expect(b.kernel.kfencePool).toBe(0x7fdf9000);
    // PUD, PMD, the PTE tables at 0x40200000 and 0x41800000, and the two 2 MiB ranges the pool straddles
    expect(b.tables.mapMem).toBe(6);
    const out = new WalkOut();
    for (let pa = 0x7fdf9000; pa < 0x7fff9000; pa += 4096) {
      if (walk(b.store, b.store.swapperPgDir, __va(b.layout, pa), ACCESS_READ | ACCESS_WRITE, out) !== FAULT_NONE || out.level !== 3 || out.pa !== pa || (out.descHi >>> 20) & 1) {
        throw new Error(`pool page 0x${pa.toString(16)}: level ${out.level}`);
      }
    }
    walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x50000000), ACCESS_READ, out);
    expect([out.level, out.shift]).toEqual([2, 21]);
    walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x7fffa000), ACCESS_READ, out);
    expect([out.level, out.pa]).toEqual([3, 0x7fffa000]);
  });
  it("KFENCE initialised late (kfence.sample_interval=0) keeps the whole linear map at pages, with no early pool", () => {
    const b = buildBoard({ rodataEnabled: false, kfence: true, kfenceSampleInterval: 0 });
    expect(b.tables.mapMem).toBe(504);
    expect(b.kernel.kfencePool).toBe(0);
    expect(b.tables.total).toBe(515);
    expect(canSetDirectMap({ rodataEnabled: false, kfence: true, kfenceSampleInterval: 0 })).toBe(true);
    expect(arm64KfenceCanSetDirectMap({ kfence: true })).toBe(false);
    expect(kfenceEarlyInit({ kfence: true })).toBe(true);
    expect(kfenceEarlyInit({ kfence: false })).toBe(false);
  });
  it("KFENCE with rodata=full: pages everywhere as before, 2 MiB more reserved below map_kernel's tables", () => {
    const b = buildBoard({ kfence: true });
    expect(b.tables).toEqual({ mapKernel: 7, mapMem: 504, idmap: 4, total: 515, byLevel: [0, 3, 3, 509] });
    expect(b.kernel.kfencePool).toBe(0x7fdf9000);
    expect(b.early.allocated.at(-1)).toBe(0x7fdfd000 - KFENCE_POOL_SIZE);
  });
  it("a KFENCE pool memblock cannot give: pr_err, late init, so pages everywhere", () => {
    const errs: string[] = [];
    const { layout, memory } = buildBoard();
    const store = new PgtableStore({ basePfn: RAM_BASE / 4096, nrPages: SZ_1G / 4096 });
    const early = topDown(RAM_BASE + SZ_1G);
    const r = pagingInit({
      layout, store, memory, image: REF_SEGMENTS, swapperPgDir: REF_SWAPPER_PG_DIR, rodataEnabled: false, kfence: true,
      earlyAlloc: (size, align) => (size === KFENCE_POOL_SIZE ? 0 : early.alloc(size, align)), log: { prErr: (t) => errs.push(t) },
    });
    expect(errs).toEqual(["failed to allocate kfence pool"]);
    expect(r.kernel.kfencePool).toBe(0);
    expect(r.tables.mapMem).toBe(504);
  });
  it("NOMAP memory stays out of the linear map", () => {
    const b = buildBoard({ memory: [{ base: RAM_BASE, size: 0x30000000 }, { base: 0x70000000, size: 0x10000000, nomap: true }] });
    const out = new WalkOut();
    expect(walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x70000000), ACCESS_READ, out)).toBe(1);
    expect(b.tables.mapMem).toBe(504 - 128);
  });
  it("VA_BITS 39 builds 3-level tables", () => {
    const b = buildBoard({ vaBits: 39, fixmap: true });
    expect(b.store.levels).toBe(3);
    const out = new WalkOut();
    expect(walk(b.store, b.store.swapperPgDir, __va(b.layout, 0x7ffff123), ACCESS_READ, out)).toBe(FAULT_NONE);
    expect(out.pa).toBe(0x7ffff123);
    expect(out.startLevel).toBe(1);
    // no PUD tables: linear PMD + 502 PTE; image PMD + 5 PTE; idmap PMD + 2 PTE
    expect(b.tables.total).toBe(503 + 6 + 3);
  });
  it("memblock running dry is the kernel's panic", () => {
    const store = new PgtableStore({ basePfn: RAM_BASE / 4096, nrPages: SZ_1G / 4096 });
    const { layout, memory } = buildBoard();
    let n = 0;
    expect(() => pagingInit({ layout, store, memory, image: REF_SEGMENTS, swapperPgDir: REF_SWAPPER_PG_DIR, earlyAlloc: () => (n++ < 10 ? 0x7f000000 - n * 4096 : 0) })).toThrow(KernelPanic);
  });
  it("rejects misaligned segments and a layout without PHYS_OFFSET", () => {
    const { layout, memory } = buildBoard();
    const store = new PgtableStore({ basePfn: RAM_BASE / 4096, nrPages: SZ_1G / 4096 });
    expect(() => pagingInit({ layout, store, memory, image: { ...REF_SEGMENTS, _etext: 0x40f00800 }, swapperPgDir: REF_SWAPPER_PG_DIR, earlyAlloc: () => 0 })).toThrow(/image._etext/);
    expect(() => pagingInit({ layout: { ...layout, PHYS_OFFSET: Number.NaN }, store, memory, image: REF_SEGMENTS, swapperPgDir: REF_SWAPPER_PG_DIR, earlyAlloc: () => 0 })).toThrow(/dramStart/);
  });
});
