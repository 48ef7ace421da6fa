// mmsim: the parsers read the real 6.1 kernel's files (every capture in tests/conformance/fixtures) and reject what they do not know
import { readFileSync, readdirSync } from "node:fs";
import { ArgumentError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import {
  parseBuddyinfo, parseIomem, parseMeminfo, parseMemblockDebugfs, parsePagetypeinfo, parseSlabinfo, parseSysctl, parseVmallocinfo,
  parseVmstat, parseZoneinfo,
} from "./parse.ts";

const FIXTURES = new URL("../../../tests/conformance/fixtures/linux-6.1-arm64/", import.meta.url);
const boards = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const real = (board: string, file: string): string => readFileSync(new URL(`${board}/${file}`, FIXTURES), "utf8");

/** The thrown error's message (fails when nothing is thrown). */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ArgumentError);
    return (e as Error).message;
  }
  throw new Error("expected an ArgumentError");
}

describe("parsers of the real kernel's files", () => {
  it("finds the captures (the first five, and the small boards added for THP and many CPUs)", () => {
    expect(boards).toEqual(expect.arrayContaining(["virt-1g-2cpu", "virt-2g-1cpu", "virt-4g-4cpu", "virt-6g-2cpu", "virt-8g-8cpu", "virt-256m-2cpu", "virt-512m-8cpu"]));
  });

  it("meminfo: every line, kB values and HugePages_* counts", () => {
    const m = parseMeminfo(real("virt-1g-2cpu", "proc_meminfo"));
    expect(m.MemTotal).toBe(1000836);
    expect(m.MemFree).toBe(971180);
    expect(m["Active(anon)"]).toBe(1460);
    expect(m.VmallocTotal).toBe(133143592960);
    expect(m.HugePages_Total).toBe(0);
    expect(m.Hugepagesize).toBe(2048);
    for (const b of boards) {
      const text = real(b, "proc_meminfo");
      expect(Object.keys(parseMeminfo(text)), b).toHaveLength(text.trimEnd().split("\n").length);
    }
  });

  it("vmstat: every counter as a number", () => {
    for (const b of boards) {
      const text = real(b, "proc_vmstat");
      const v = parseVmstat(text);
      expect(Object.keys(v), b).toHaveLength(text.trimEnd().split("\n").length);
      expect(v.nr_free_pages, b).toBeGreaterThan(0);
    }
    expect(parseVmstat(real("virt-1g-2cpu", "proc_vmstat")).nr_free_pages).toBe(242732);
  });

  it("buddyinfo: one row per zone, 11 orders", () => {
    expect(parseBuddyinfo(real("virt-1g-2cpu", "proc_buddyinfo"))).toEqual([{ node: 0, zone: "DMA", free: [1, 1, 0, 3, 1, 2, 2, 3, 4, 3, 234] }]);
    const eight = parseBuddyinfo(real("virt-8g-8cpu", "proc_buddyinfo"));
    expect(eight.map((z) => z.zone)).toEqual(["DMA", "Normal"]);
    expect(eight[1]!.free).toEqual([1, 1, 1, 3, 1, 2, 2, 1, 0, 2, 1228]);
  });

  it("pagetypeinfo: free blocks per type and order, pageblocks per type", () => {
    const p = parsePagetypeinfo(real("virt-4g-4cpu", "proc_pagetypeinfo"));
    expect([p.pageblockOrder, p.pagesPerBlock]).toEqual([9, 512]);
    expect(p.free).toHaveLength(12);
    expect(p.free[1]).toEqual({ node: 0, zone: "DMA", type: "Movable", free: [1, 1, 2, 1, 2, 1, 1, 1, 3, 1, 726], cappedOrders: [] });
    expect(p.blocks).toEqual([
      { node: 0, zone: "DMA", blocks: { Unmovable: 0, Movable: 1504, Reclaimable: 0, HighAtomic: 0, CMA: 32, Isolate: 0 } },
      { node: 0, zone: "Normal", blocks: { Unmovable: 49, Movable: 457, Reclaimable: 6, HighAtomic: 0, CMA: 0, Isolate: 0 } },
    ]);
    for (const b of boards) expect(parsePagetypeinfo(real(b, "proc_pagetypeinfo")).blocks.length, b).toBeGreaterThan(0);
    // pagetypeinfo_showfree_print stops counting at 100000 and prints ">100000".
    const capped = parsePagetypeinfo("Node    0, zone      DMA, type      Movable >100000      1 \n");
    expect(capped.free[0]).toMatchObject({ free: [100000, 1], cappedOrders: [0] });
  });

  it("zoneinfo: node stats with the first zone, watermarks, zone stats, pagesets; empty zones stop at protection", () => {
    const z = parseZoneinfo(real("virt-1g-2cpu", "proc_zoneinfo"));
    expect(z.map((x) => x.zone)).toEqual(["DMA", "DMA32", "Normal", "Movable"]);
    const dma = z[0]!;
    expect(dma.nodeStats?.nr_slab_reclaimable).toBe(2007);
    expect([dma.free, dma.boost, dma.min, dma.low, dma.high, dma.spanned, dma.present, dma.managed, dma.cma]).toEqual([242732, 0, 5632, 7040, 8448, 262144, 262144, 250209, 16384]);
    expect(dma.protection).toEqual([0, 0, 0, 0]);
    expect(dma.stats?.nr_free_pages).toBe(242732);
    expect(dma.stats?.numa_hit).toBe(4784);
    expect(dma.pagesets).toEqual([
      { cpu: 0, count: 1830, high: 3520, batch: 63, vmStatsThreshold: 16 },
      { cpu: 1, count: 459, high: 3520, batch: 63, vmStatsThreshold: 16 },
    ]);
    expect([dma.nodeUnreclaimable, dma.startPfn]).toEqual([0, 262144]);
    expect(z[1]).toEqual({ node: 0, zone: "DMA32", free: 0, boost: 0, min: 0, low: 0, high: 0, spanned: 0, present: 0, managed: 0, cma: 0, protection: [0, 0, 0, 0] });
    for (const b of boards) {
      const zones = parseZoneinfo(real(b, "proc_zoneinfo"));
      const cpus = Number(/(\d+)cpu/.exec(b)![1]);
      for (const x of zones.filter((x) => x.managed > 0)) expect(x.pagesets, `${b} ${x.zone}`).toHaveLength(cpus);
      // per-node stats come with the node's first populated zone only.
      expect(zones.filter((x) => x.nodeStats).length, b).toBe(1);
    }
  });

  it("slabinfo: the version and every cache row", () => {
    const s = parseSlabinfo(real("virt-1g-2cpu", "proc_slabinfo"));
    expect(s.version).toBe("2.1");
    expect(s.caches[0]).toEqual({
      name: "fsverity_info", activeObjs: 0, numObjs: 0, objSize: 256, objPerSlab: 16, pagesPerSlab: 1, limit: 0, batchCount: 0, sharedFactor: 0,
      activeSlabs: 0, numSlabs: 0, sharedAvail: 0,
    });
    for (const b of boards) {
      const text = real(b, "proc_slabinfo");
      expect(parseSlabinfo(text).caches, b).toHaveLength(text.trimEnd().split("\n").length - 2);
    }
  });

  it("sysctls: a number, or a vector's numbers", () => {
    expect(parseSysctl("22528\n")).toBe(22528);
    expect(parseSysctl("256\t256\t32\t0\n")).toEqual([256, 256, 32, 0]);
    // The capture's proc_sys_vm holds `name: value` lines of `grep . /proc/sys/vm/*`.
    const sys = Object.fromEntries(real("virt-1g-2cpu", "proc_sys_vm").trimEnd().split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]));
    expect(parseSysctl(`${sys.min_free_kbytes}\n`)).toBe(22528);
    expect(parseSysctl(`${sys.lowmem_reserve_ratio}\n`)).toEqual([256, 256, 32, 0]);
    expect(parseSysctl(`${sys.watermark_scale_factor}\n`)).toBe(10);
  });

  it("memblock debugfs, vmallocinfo and iomem: rows with 0x-hex addresses", () => {
    expect(parseMemblockDebugfs(real("virt-1g-2cpu", "sys_kernel_debug_memblock_memory"))).toEqual([{ index: 0, base: "0x0000000040000000", end: "0x000000007fffffff" }]);
    expect(parseMemblockDebugfs(real("virt-1g-2cpu", "sys_kernel_debug_memblock_reserved"))[3]).toEqual({ index: 3, base: "0x000000007fc0b7c0", end: "0x000000007fd8bbc7" });
    const v = parseVmallocinfo(real("virt-1g-2cpu", "proc_vmallocinfo"));
    expect(v[0]).toEqual({ start: "0x00000000d62d7472", end: "0x0000000006209c96", size: 20480, caller: "start_kernel+0x554/0x75c", pages: 4, phys: null, flags: ["vmalloc"], nodes: [{ node: 0, pages: 4 }] });
    expect(v[1]).toMatchObject({ caller: "gicv2m_init_one+0xac/0x238", pages: null, phys: "0x0000000008020000", flags: ["ioremap"], nodes: [] });
    expect(parseVmallocinfo("0xffff800008000000-0xffff800008005000   20480 unpurged vm_area\n")[0]).toMatchObject({ caller: null, flags: ["unpurged vm_area"] });
    const io = parseIomem(real("virt-1g-2cpu", "proc_iomem"));
    expect(io.slice(0, 2)).toEqual([
      { depth: 0, start: "0x09000000", end: "0x09000fff", name: "pl011@9000000" },
      { depth: 1, start: "0x09000000", end: "0x09000fff", name: "9000000.pl011 pl011@9000000" },
    ]);
    for (const b of boards) {
      expect(parseVmallocinfo(real(b, "proc_vmallocinfo")).length, b).toBeGreaterThan(10);
      expect(parseIomem(real(b, "proc_iomem")).some((r) => r.name === "System RAM"), b).toBe(true);
    }
  });
});

describe("parsers reject what they do not recognise, naming the line", () => {
  it("throws ArgumentError with the parser, the line number and its text", () => {
    expect(thrown(() => parseMeminfo("MemTotal:        1000836 kB\nMemFree: lots\n"))).toBe(
      'procfs.parseMeminfo: line 2: expected `Field:   <number> kB` or `Field:   <number>`, got "MemFree: lots"',
    );
    expect(thrown(() => parseVmstat("nr_free_pages 1\nnr_free_pages\n"))).toMatch(/^procfs\.parseVmstat: line 2: /);
    expect(thrown(() => parseBuddyinfo("Node 0, zone DMA\n"))).toMatch(/^procfs\.parseBuddyinfo: line 1: /);
    expect(thrown(() => parseZoneinfo("  pages free 3\n"))).toMatch(/^procfs\.parseZoneinfo: line 1: expected `Node <n>, zone <name>` first/);
    expect(thrown(() => parseZoneinfo("Node 0, zone      DMA\n  pages free     3\n  frobs 3\n"))).toMatch(/^procfs\.parseZoneinfo: line 3: /);
    expect(thrown(() => parseSlabinfo("slabinfo - version: 2.1\nkmalloc-8 1 2\n"))).toMatch(/^procfs\.parseSlabinfo: line 2: /);
    expect(thrown(() => parseSlabinfo(""))).toMatch(/^procfs\.parseSlabinfo: line 1: /);
    expect(thrown(() => parseSysctl("abc\n"))).toMatch(/^procfs\.parseSysctl: line 1: /);
    expect(thrown(() => parseMemblockDebugfs("0: 0x1-0x2\n"))).toMatch(/^procfs\.parseMemblockDebugfs: line 1: /);
    expect(thrown(() => parseVmallocinfo("0x1-0x2 4096 f+0x1/0x2 bogus\n"))).toMatch(/^procfs\.parseVmallocinfo: line 1: .*not "bogus"/);
    expect(thrown(() => parseIomem(" 1-2 : x\n"))).toMatch(/^procfs\.parseIomem: line 1: /);
    expect(thrown(() => parsePagetypeinfo("Page block order: 9\nwhat\n"))).toMatch(/^procfs\.parsePagetypeinfo: line 2: /);
  });

  it("an empty file parses to no rows", () => {
    expect(parseMeminfo("")).toEqual({});
    expect(parseBuddyinfo("")).toEqual([]);
    expect(parseZoneinfo("")).toEqual([]);
  });
});
