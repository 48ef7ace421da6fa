// mmsim: tests of build_all_zonelists() / build_zonelists() / nr_free_zone_pages() (mm/page_alloc.c v6.1)
import { describe, expect, it } from "vitest";
import { GFP_KERNEL, GFP_USER, ZONE_DMA, ZONE_NORMAL, __GFP_THISNODE } from "@mmsim/core";
import { makeBoard, referenceDmesgLines, virtZoneSizes } from "./buddy-init.test-helpers.ts";
import { freeAreaInit } from "./mm-init.ts";
import type { PageAllocState } from "./page-alloc-state.ts";
import { buildAllZonelists, gfpZonelistZones, nodeDistance, nrFreeBufferPages, nrFreeZonePages } from "./zonelist.ts";

/** Boots a board up to build_all_zonelists() and returns what that step logged. */
function boot(pa: PageAllocState): string[] {
  freeAreaInit(pa);
  const from = pa.log.length;
  buildAllZonelists(pa);
  return pa.log.all().slice(from).map((r) => r.text);
}

const names = (zones: readonly { nid: number; name: string }[]) => zones.map((z) => `${z.nid}:${z.name}`);

describe("buildAllZonelists on the reference board", () => {
  it("logs Fallback order / Built 1 zonelists … Total pages: 258048 / Policy zone: DMA, character for character", () => {
    const { maxZonePfn } = virtZoneSizes(0x80000000);
    const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x80000]] }], maxZonePfn, nrCpus: 2 });
    const lines = boot(pa);
    const ref = referenceDmesgLines();
    const from = ref.findIndex((l) => l.startsWith("Fallback order for Node 0:"));
    // dmesg lines 36-38; note the trailing space after "0" (pr_cont("%d ", ...))
    expect(lines).toEqual(ref.slice(from, from + 3));
    expect(lines[0]).toBe("Fallback order for Node 0: 0 ");
    expect(lines[1]).toBe("Built 1 zonelists, mobility grouping on.  Total pages: 258048");
    expect(lines[2]).toBe("Policy zone: DMA");
    expect(pa.pageGroupByMobilityDisabled).toBe(false);
    expect(names(pa.pgdat[0]!.zonelistFallback)).toEqual(["0:DMA"]);
    expect(names(pa.pgdat[0]!.zonelistNofallback)).toEqual(["0:DMA"]);
  });

  it("Total pages is Σ(managed − high watermark) at that point: the present − memmap estimate, no watermark yet", () => {
    const { maxZonePfn } = virtZoneSizes(0x80000000);
    const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x80000]] }], maxZonePfn, nrCpus: 2 });
    freeAreaInit(pa);
    const r = buildAllZonelists(pa);
    expect(r.vmTotalPages).toBe(262144 - 4096);
    expect(r.policyZone).toBe(ZONE_DMA);
    expect(nrFreeBufferPages(pa)).toBe(258048);
  });
});

describe("zonelists of other boards", () => {
  it("4 GiB: Normal before DMA; GFP_USER sees both; Policy zone: Normal", () => {
    const { maxZonePfn } = virtZoneSizes(0x140000000);
    const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x140000]] }], maxZonePfn, nrCpus: 2 });
    // managed estimates 774144 (DMA) + 258048 (Normal) = 1032192
    expect(boot(pa)).toEqual([
      "Fallback order for Node 0: 0 ",
      "Built 1 zonelists, mobility grouping on.  Total pages: 1032192",
      "Policy zone: Normal",
    ]);
    expect(names(pa.pgdat[0]!.zonelistFallback)).toEqual(["0:Normal", "0:DMA"]);
    expect(nrFreeZonePages(pa, ZONE_DMA)).toBe(774144);
    expect(nrFreeBufferPages(pa)).toBe(1032192);
  });

  it("two nodes with a CPU each: local zones first, then the other node; NOFALLBACK only local", () => {
    // node 0: 2 GiB at 0x40000000; node 1: 2 GiB at 0xc0000000 (DMA up to 4 GiB, then Normal)
    const { maxZonePfn } = virtZoneSizes(0x140000000);
    const pa = makeBoard({
      nodes: [{ nid: 0, ranges: [[0x40000, 0xc0000]] }, { nid: 1, ranges: [[0xc0000, 0x140000]] }],
      maxZonePfn, nrCpus: 2, cpuToNode: [0, 1],
    });
    // Total pages from CPU 0's node-0 zonelist: 516096 (node 0 DMA: 524288 − 8192 memmap)
    // + 258048 (node 1 Normal) + 258048 (node 1 DMA)
    expect(boot(pa)).toEqual([
      "Fallback order for Node 0: 0 1 ",
      "Fallback order for Node 1: 1 0 ",
      "Built 2 zonelists, mobility grouping on.  Total pages: 1032192",
      "Policy zone: Normal",
    ]);
    expect(names(pa.pgdat[0]!.zonelistFallback)).toEqual(["0:DMA", "1:Normal", "1:DMA"]);
    expect(names(pa.pgdat[1]!.zonelistFallback)).toEqual(["1:Normal", "1:DMA", "0:DMA"]);
    expect(names(gfpZonelistZones(pa, 1, GFP_KERNEL | __GFP_THISNODE))).toEqual(["1:Normal", "1:DMA"]);
    expect(gfpZonelistZones(pa, 1, GFP_USER)).toBe(pa.pgdat[1]!.zonelistFallback);
    // node 1's DMA: the second node's part of ZONE_DMA starts where node 0 ends
    expect(pa.pgdat[1]!.zones[ZONE_DMA]!.zoneStartPfn).toBe(0xc0000);
    expect(pa.pgdat[1]!.zones[ZONE_NORMAL]!.zoneStartPfn).toBe(0x100000);
  });

  it("three nodes, CPUs on node 0 only: find_next_best_node's penalties and node_load order them", () => {
    // Distances are 10 local / 20 remote. For node 1: node 2 scores (20)·16 = 320, node 0
    // (20 + 1 below-us + 1 has-CPUs)·16 = 352 → 2 then 0; node_load[2] becomes 1. For node 2:
    // node 1 scores (20 + 1)·16 + node_load[1] (1, from node 0's list) = 337, node 0 352 → 1, 0.
    const pa = makeBoard({
      nodes: [
        { nid: 0, ranges: [[0x40000, 0x50000]] }, { nid: 1, ranges: [[0x50000, 0x60000]] }, { nid: 2, ranges: [[0x60000, 0x70000]] },
      ],
      maxZonePfn: [0x70000, 0x70000, 0x70000, 0], nrCpus: 2, cpuToNode: [0, 0],
    });
    const lines = boot(pa);
    expect(lines.slice(0, 3)).toEqual(["Fallback order for Node 0: 0 1 2 ", "Fallback order for Node 1: 1 2 0 ", "Fallback order for Node 2: 2 1 0 "]);
    expect(lines[3]).toMatch(/^Built 3 zonelists, mobility grouping on\./);
    expect(nodeDistance(0, 0)).toBe(10);
    expect(nodeDistance(0, 2)).toBe(20);
  });

  it("grouping by mobility is off below pageblock_nr_pages × MIGRATE_TYPES = 3072 pages", () => {
    // 16 MiB: 4096 pages − 64 memmap pages = 4032 → on; 8 MiB: 2048 − 32 = 2016 → off
    const big = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x41000]] }], maxZonePfn: [0x41000, 0x41000, 0x41000, 0], nrCpus: 1 });
    expect(boot(big)[1]).toBe("Built 1 zonelists, mobility grouping on.  Total pages: 4032");
    const small = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x40800]] }], maxZonePfn: [0x40800, 0x40800, 0x40800, 0], nrCpus: 1 });
    expect(boot(small)[1]).toBe("Built 1 zonelists, mobility grouping off.  Total pages: 2016");
    expect(small.pageGroupByMobilityDisabled).toBe(true);
  });

  it("a memoryless node gets a zonelist of the other nodes' zones", () => {
    const pa = makeBoard({
      nodes: [{ nid: 0, ranges: [[0x40000, 0x80000]] }, { nid: 1, ranges: [] }],
      maxZonePfn: [0x80000, 0x80000, 0x80000, 0], nrCpus: 2, cpuToNode: [0, 1],
    });
    const lines = boot(pa);
    expect(pa.log.all().map((r) => r.text)).toContain("Initmem setup node 1 as memoryless");
    expect(lines.slice(0, 2)).toEqual(["Fallback order for Node 0: 0 ", "Fallback order for Node 1: 1 0 "]);
    expect(names(pa.pgdat[1]!.zonelistFallback)).toEqual(["0:DMA"]);
    expect(pa.pgdat[1]!.zonelistNofallback).toEqual([]);
  });
});
