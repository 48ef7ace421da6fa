// mmsim: tests of the kernel_page_tables dump (arch/arm64/mm/ptdump.c, mm/ptdump.c)
import { describe, expect, it } from "vitest";
import { buildBoard } from "./board.test-helpers.ts";
import { addressMarkers, ptdumpKernel } from "./ptdump.ts";
import { vmemmapPopulate, vmemmapRange } from "./vmemmap.ts";
import { WalkOut, walk } from "./walk.ts";

describe("ptdump of swapper_pg_dir on the 1 GiB board", () => {
  const b = buildBoard();
  b.kernel.markRodataRo();
  b.kernel.markLinearTextAliasRo();
  const dump = ptdumpKernel(b.store, b.layout);
  const lines = dump.trimEnd().split("\n");

  it("prints every 6.1 address marker once, in address order", () => {
    const markers = lines.filter((s) => s.startsWith("---[")).map((s) => s.slice(5, -5));
    expect(markers).toEqual(addressMarkers(b.layout).slice(0, -1).map((m) => m.name));
  });

  it("renders the linear map: pages, the kernel alias in 2 MiB blocks, then holes at PUD and PGD level", () => {
    const i = lines.indexOf("---[ Linear Mapping start ]---");
    expect(lines.slice(i, i + 10)).toEqual([
      "---[ Linear Mapping start ]---",
      "0xffff000000000000-0xffff000000210000        2112K PTE       RW NX SHD AF            UXN    MEM/NORMAL-TAGGED",
      "0xffff000000210000-0xffff000000400000        1984K PTE       ro NX SHD AF            UXN    MEM/NORMAL",
      "0xffff000000400000-0xffff000001800000          20M PMD       ro NX SHD AF        BLK UXN    MEM/NORMAL",
      "0xffff000001800000-0xffff000001860000         384K PTE       ro NX SHD AF            UXN    MEM/NORMAL",
      "0xffff000001860000-0xffff000040000000     1023616K PTE       RW NX SHD AF            UXN    MEM/NORMAL-TAGGED",
      "0xffff000040000000-0xffff008000000000         511G PUD",
      "0xffff008000000000-0xffff800000000000      130560G PGD",
      "---[ Linear Mapping end ]---",
      "---[ Modules start ]---",
    ]);
  });

  it("renders the kernel image segments with their protections and contiguous runs", () => {
    expect(lines).toContain("0xffff800008000000-0xffff800008010000          64K PTE");
    expect(lines).toContain("0xffff800008010000-0xffff800008200000        1984K PTE       ro x  SHD AF    CON     UXN    MEM/NORMAL");
    expect(lines).toContain("0xffff800008200000-0xffff800008c00000          10M PMD       ro x  SHD AF        BLK UXN    MEM/NORMAL");
    expect(lines).toContain("0xffff800008e00000-0xffff800009600000           8M PMD       ro NX SHD AF        BLK UXN    MEM/NORMAL");
    expect(lines).toContain("0xffff80000a000000-0xffff80000a010000          64K PTE       RW NX SHD AF    CON     UXN    MEM/NORMAL");
  });

  it("shows the FDT in the fixmap and ends with the final flush at 0", () => {
    expect(lines).toContain("0xfffffbfffdc00000-0xfffffbfffde00000           2M PMD       ro NX SHD AF        BLK UXN    MEM/NORMAL");
    expect(lines.at(-2)).toBe("---[ vmemmap end ]---");
    expect(lines.at(-1)).toBe("0xfffffe0000000000-0x0000000000000000           2T PGD");
  });

  it("has no W+X mapping (what ptdump_check_wx would report)", () => {
    const wx = lines.filter((s) => / RW x /.test(s));
    expect(wx).toEqual([]);
  });

  it("names the top level PGD with 3 levels (VA_BITS 39)", () => {
    const c = buildBoard({ vaBits: 39 });
    const d = ptdumpKernel(c.store, c.layout).split("\n");
    expect(d).toContain("0xffffff8040000000-0xffffffc000000000         255G PGD");
    expect(d.some((s) => s.includes(" PUD"))).toBe(false);
  });

  it("needs swapper_pg_dir", async () => {
    const { PgtableStore } = await import("./pgtable-store.ts");
    expect(() => ptdumpKernel(new PgtableStore({ basePfn: 0x40000, nrPages: 16 }), b.layout)).toThrow(/pagingInit/);
  });

  it("shows the vmemmap once sparse_init has populated it with 2 MiB blocks", () => {
    const c = buildBoard();
    const [start, end] = vmemmapRange(c.layout, 0x40000, 0x80000);
    expect(end - start).toBe(16 * 1024 * 1024);
    let buf = 0x7ec00000;
    let top = 0x7fdee000;
    const tables: number[] = [];
    expect(vmemmapPopulate(c.store, c.layout, start, end, (size) => ((buf += size), buf - size), (size) => (tables.push((top -= size)), top))).toBe(0);
    expect(tables).toHaveLength(2); // a PUD and a PMD table
    const out = new WalkOut();
    expect(walk(c.store, c.store.swapperPgDir, start + 64 * 5, 1, out)).toBe(0);
    expect(out.pa).toBe(0x7ec00140);
    expect(ptdumpKernel(c.store, c.layout).split("\n")).toContain("0xfffffc0000000000-0xfffffc0001000000          16M PMD       RW NX SHD AF        BLK UXN    MEM/NORMAL");
    expect(() => vmemmapPopulate(c.store, c.layout, c.layout.PAGE_OFFSET, end, () => 0, () => 0)).toThrow(/inside the vmemmap/);
  });
});
