// Kernel: mm/vmstat.c (v6.1) — /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo, /proc/vmstat against the real 6.1 captures
/*
 * Golden tests: the format and the arithmetic are right for a given state. Each test loads the
 * numbers of one capture of tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/ (Debian
 * 6.1.0-56-arm64 = 6.1.192, QEMU virt, 1 GiB, 2 CPUs) into a PageAllocState and expects the
 * renderer to print that capture byte for byte. Free counts are never copied into nr_free:
 * real blocks are put on the free lists at plausible PFNs (reference.test-helpers.ts), so
 * buddyinfo and pagetypeinfo are computed from the lists and the pageblock bitmap. The dirty
 * thresholds of /proc/vmstat are computed (global_dirty_limits), not loaded.
 *
 * Then the cases the captures lack: a second node whose first populated zone is Normal, a
 * memoryless node, the 100000 cap of pagetypeinfo, THP and pgpgin scaling, clamped counters.
 */
import { describe, expect, it } from "vitest";
import {
  BALLOON_INFLATE, CostModel, HPAGE_PMD_NR, KernelLog, MIGRATE_CMA, MIGRATE_MOVABLE, MIGRATE_TYPES, MIGRATE_UNMOVABLE, MemMap, NR_ANON_THPS,
  NR_FREE_PAGES, NR_PAGE_ORDERS, NR_VM_EVENT_ITEMS, NR_VM_NODE_STAT_ITEMS, NR_VM_NUMA_EVENT_ITEMS,
  NR_VM_ZONE_STAT_ITEMS, NR_SLAB_UNRECLAIMABLE_B, PAGEBLOCK_NR_PAGES, PGALLOC_NORMAL, PGFAULT, PGPGIN, PGPGOUT, SimClock, TraceBus, ZONE_DMA, ZONE_NORMAL, nodeStatNames,
  numaStatNames, vmEventNames, vmstatText, zoneStatNames,
} from "@mmsim/core";
import { PageAllocState, addToFreeList, setBuddyOrder, setPageblockMigratetype } from "@mmsim/buddy";
import { expectValid } from "@mmsim/core/testing";
import {
  buddyValidatable, capture, finishTotals, initListHeads, parsePagetypeinfoFree, parseVmstat, parseZoneinfo, placeFreeBlocks,
  referenceState, setPagesets, setReferencePageblocks, setWatermarks, setZoneGeometry, syncFreeCounters,
} from "./reference.test-helpers.ts";
import {
  PAGETYPEINFO_FREECOUNT_CAP, fragShow, freeListCount, pageblockCounts, pagetypeinfoShow, vmstatShow, vmstatValues,
  zoneinfoShow,
} from "./vmstat.ts";

/** An all-zero count table. */
function noCounts(): number[][] {
  return Array.from({ length: MIGRATE_TYPES }, () => new Array<number>(NR_PAGE_ORDERS).fill(0));
}

describe("/proc/buddyinfo (frag_show)", () => {
  it("golden proc_buddyinfo: nr_free per order from blocks on the free lists", () => {
    const text = capture("proc_buddyinfo");
    const perOrder = text.trim().split(/\s+/).slice(4).map(Number);
    expect(perOrder).toHaveLength(NR_PAGE_ORDERS);
    const pa = referenceState();
    setReferencePageblocks(pa);
    // The capture gives totals per order only: order-10 blocks split as pagetypeinfo shows them
    // (15 in the CMA area, the rest Movable), every smaller block Movable.
    const counts = noCounts();
    counts[MIGRATE_MOVABLE] = [...perOrder];
    counts[MIGRATE_MOVABLE][10] = perOrder[10]! - 15;
    counts[MIGRATE_CMA][10] = 15;
    placeFreeBlocks(pa, pa.zones[ZONE_DMA]!, counts);
    syncFreeCounters(pa, pa.zones[ZONE_DMA]!);
    expectValid(buddyValidatable(pa)); // a state the buddy allocator accepts
    expect(fragShow(pa)).toBe(text);
  });

  it("skips unpopulated zones and prints every populated zone of every node", () => {
    const pa = twoNodeState();
    expect(fragShow(pa)).toBe(
      "Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      1      0 \n" +
        "Node 1, zone   Normal      1      0      1      0      0      0      0      0      0      0      1 \n",
    );
  });
});

describe("/proc/pagetypeinfo (pagetypeinfo_show)", () => {
  it("golden proc_pagetypeinfo: free lists walked per migratetype, pageblocks counted over the span", () => {
    const text = capture("proc_pagetypeinfo");
    const pa = referenceState();
    setReferencePageblocks(pa);
    const [dma] = parsePagetypeinfoFree(text);
    expect(dma!.zone).toBe("DMA");
    placeFreeBlocks(pa, pa.zones[ZONE_DMA]!, dma!.counts);
    syncFreeCounters(pa, pa.zones[ZONE_DMA]!);
    expectValid(buddyValidatable(pa));
    expect(pagetypeinfoShow(pa)).toBe(text);
    // The same lists give buddyinfo's nr_free.
    const sums = Array.from({ length: NR_PAGE_ORDERS }, (_, o) => dma!.counts.reduce((n, row) => n + row[o]!, 0));
    expect([...pa.zones[ZONE_DMA]!.nrFree]).toEqual(sums);
  });

  it("caps a list walk at 100000 entries and prints '>' before the count", () => {
    const pa = capState(PAGETYPEINFO_FREECOUNT_CAP);
    const zone = pa.zones[ZONE_DMA]!;
    expect(freeListCount(pa, zone, 0, MIGRATE_MOVABLE)).toEqual({ count: 100000, overflow: true });
    const movable = pagetypeinfoShow(pa).split("\n").find((l) => l.includes("Movable"))!;
    expect(movable).toBe(`Node    0, zone      DMA, type      Movable >100000 ${"     0 ".repeat(10)}`);
    // nr_free is not capped.
    expect(fragShow(pa)).toBe(`Node 0, zone      DMA 100000 ${"     0 ".repeat(10)}\n`);
  });

  it("prints one below the cap without '>'", () => {
    const pa = capState(PAGETYPEINFO_FREECOUNT_CAP - 1);
    expect(freeListCount(pa, pa.zones[ZONE_DMA]!, 0, MIGRATE_MOVABLE)).toEqual({ count: 99999, overflow: false });
    const movable = pagetypeinfoShow(pa).split("\n").find((l) => l.includes("Movable"))!;
    expect(movable).toBe(`Node    0, zone      DMA, type      Movable  99999 ${"     0 ".repeat(10)}`);
  });

  it("prints one section per node with memory, none for a memoryless node, only populated zones", () => {
    const pa = twoNodeState();
    const zeros = "     0 ".repeat(11);
    const node1 =
      "Page block order: 9\nPages per block:  512\n\n" +
      "Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n" +
      `Node    1, zone   Normal, type    Unmovable      1      0      1${"      0".repeat(7)}      0 \n` +
      `Node    1, zone   Normal, type      Movable      0      0      0${"      0".repeat(7)}      1 \n` +
      `Node    1, zone   Normal, type  Reclaimable ${zeros}\n` +
      `Node    1, zone   Normal, type   HighAtomic ${zeros}\n` +
      `Node    1, zone   Normal, type          CMA ${zeros}\n` +
      `Node    1, zone   Normal, type      Isolate ${zeros}\n` +
      "\nNumber of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \n" +
      "Node 1, zone   Normal            1          255            0            0            0            0 \n";
    const text = pagetypeinfoShow(pa);
    expect(text.endsWith(node1)).toBe(true);
    expect(text.match(/^Page block order/gm)).toHaveLength(2);
    expect(text).not.toContain("Node    2");
    expect(text).not.toContain("DMA32");
  });

  it("counts only pageblocks whose first page is in the zone", () => {
    const pa = twoNodeState();
    // Node 0's DMA span covers 256 pageblocks, every one tagged with its zone.
    expect(pageblockCounts(pa, pa.zones[ZONE_DMA]!)).toEqual([0, 256, 0, 0, 0, 0]);
    // Re-tag node 0's last pageblock as node 1 Normal: it drops out of DMA's count.
    const last = 0x60000 - PAGEBLOCK_NR_PAGES;
    pa.mem.nodeZone[pa.mem.pfnToPage(last)] = (1 << 2) | ZONE_NORMAL;
    expect(pageblockCounts(pa, pa.zones[ZONE_DMA]!)).toEqual([0, 255, 0, 0, 0, 0]);
  });
});

describe("/proc/zoneinfo (zoneinfo_show_print)", () => {
  it("golden proc_zoneinfo: every zone, per-node stats under the first populated zone, pagesets", () => {
    const text = capture("proc_zoneinfo");
    const pa = referenceState();
    for (const b of parseZoneinfo(text)) {
      const pgdat = pa.pgdat[b.nid]!;
      const zone = pgdat.zones.find((z) => z.name === b.zone)!;
      // Geometry and watermarks: referenceState() holds the capture's; check it does.
      expect([zone.spannedPages, zone.presentPages, zone.managedPages, zone.cmaPages]).toEqual(
        ["spanned", "present", "managed", "cma"].map((k) => b.fields.get(k)),
      );
      expect([zone.minWmarkPages(), zone.lowWmarkPages(), zone.highWmarkPages()]).toEqual(["min", "low", "high"].map((k) => b.fields.get(k)));
      zone.lowmemReserve.set(b.protection);
      for (const [name, v] of b.nodeStats) pgdat.vmStat[nodeStatNames.indexOf(name)] = v;
      for (const [name, v] of b.zoneStats) zone.vmStat[zoneStatNames.indexOf(name)] = v;
      for (const [name, v] of b.numaStats) zone.vmNumaEvent[numaStatNames.indexOf(name)] = v;
      if (b.zoneStats.size) expect(b.fields.get("free")).toBe(b.zoneStats.get("nr_free_pages"));
      for (const p of b.pagesets) {
        zone.pageset[p.cpu]!.count = p.count;
        expect([zone.pageset[p.cpu]!.high, zone.pageset[p.cpu]!.batch, pa.vmstat.zoneStatThreshold[zone.id]]).toEqual([p.high, p.batch, p.threshold]);
      }
      if (b.startPfn !== undefined) expect(zone.zoneStartPfn).toBe(b.startPfn);
    }
    expect(zoneinfoShow(pa, pa.vmstat)).toBe(text);
  });

  it("prints an unpopulated zone up to its protection line", () => {
    const pa = twoNodeState();
    const text = zoneinfoShow(pa, pa.vmstat);
    expect(text).toContain(
      "Node 1, zone      DMA\n  pages free     0\n        boost    0\n        min      0\n        low      0\n" +
        "        high     0\n        spanned  0\n        present  0\n        managed  0\n        cma      0\n" +
        "        protection: (0, 0, 0, 0)\nNode 1, zone    DMA32\n",
    );
  });

  it("prints per-node stats under each node's first populated zone, whatever its type", () => {
    const pa = twoNodeState();
    const text = zoneinfoShow(pa, pa.vmstat);
    expect(text.match(/per-node stats/g)).toHaveLength(2);
    expect(text).toContain("Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 0\n");
    expect(text).toContain("Node 1, zone   Normal\n  per-node stats\n      nr_inactive_anon 7\n");
    // The node's own counters, THP items in THPs.
    expect(text).toContain("\n      nr_anon_transparent_hugepages 3\n");
    // Every zone of every node, memoryless node 2 included.
    expect(text.match(/^Node \d, zone/gm)).toHaveLength(12);
    expect(text).toContain("Node 0, zone      DMA\n");
    expect(text).toContain("        protection: (0, 1024, 2048, 2048)\n");
    expect(text).toContain("\n  pagesets\n    cpu: 0\n              count: 5\n              high:  42\n              batch: 7\n  vm stats threshold: 12\n    cpu: 1\n");
    expect(text).toContain("  node_unreclaimable:  0\n  start_pfn:           393216\n");
  });

  it("prints node_unreclaimable 1 once kswapd has failed MAX_RECLAIM_RETRIES times", () => {
    const pa = twoNodeState();
    const text = zoneinfoShow(pa, pa.vmstat, { kswapdFailures: [0, 16] });
    expect(text.match(/node_unreclaimable: {2}1/g)).toHaveLength(1);
    expect(text).toContain("  node_unreclaimable:  1\n  start_pfn:           393216\n");
    expect(zoneinfoShow(pa, pa.vmstat, { kswapdFailures: [15, 0] })).not.toContain("node_unreclaimable:  1");
  });

  it("clamps a negative (drifting) counter to 0, as zone_page_state() does", () => {
    const pa = twoNodeState();
    pa.zones[ZONE_DMA]!.vmStat[NR_FREE_PAGES] = -5;
    const text = zoneinfoShow(pa, pa.vmstat);
    expect(text).toContain("Node 0, zone      DMA\n  per-node stats");
    expect(text).toContain("\n  pages free     0\n");
  });
});

describe("/proc/vmstat (vmstat_show)", () => {
  it("golden proc_vmstat: counters summed over zones and nodes, dirty thresholds computed", () => {
    const text = capture("proc_vmstat");
    const values = parseVmstat(text);
    const pa = referenceState();
    const dma = pa.zones[ZONE_DMA]!;
    for (let i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) dma.vmStat[i] = values.get(zoneStatNames[i]!)!;
    for (let i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++) dma.vmNumaEvent[i] = values.get(numaStatNames[i]!)!;
    for (let i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) pa.pgdat[0]!.vmStat[i] = values.get(nodeStatNames[i]!)!;
    for (let i = 0; i < NR_VM_EVENT_ITEMS; i++) pa.vmEvents[i] = values.get(vmEventNames[i]!)!;
    // Not loaded: nr_dirty_threshold 46845 and nr_dirty_background_threshold 23394 come from
    // NR_FREE_PAGES 242732, no file pages and totalreserve_pages 8448 (the high watermark).
    expect(pa.totalreservePages).toBe(8448);
    expect(vmstatShow(pa, pa.vmstat)).toBe(text);
    expect(text.trimEnd().split("\n")).toHaveLength(vmstatText.length + 1);
  });

  it("prints every item of an empty machine, zeros included, then nr_unstable 0", () => {
    const pa = capState(0);
    const lines = vmstatShow(pa, pa.vmstat).trimEnd().split("\n");
    expect(lines).toEqual([...vmstatText.map((n) => `${n} 0`), "nr_unstable 0"]);
  });

  it("prints THP node items in THPs and pgpgin/pgpgout in KiB, sums zones and nodes", () => {
    const pa = twoNodeState();
    const v = new Map(vmstatShow(pa, pa.vmstat).trimEnd().split("\n").map((l) => l.split(" ") as [string, string]));
    expect(v.get("nr_anon_transparent_hugepages")).toBe("3"); // (0 + 3 × 512 + 100) / 512
    expect(v.get("pgpgin")).toBe("3"); // 7 sectors
    expect(v.get("pgpgout")).toBe("0"); // 1 sector
    expect(v.get("nr_inactive_anon")).toBe("7");
    expect(v.get("nr_free_pages")).toBe("1550"); // 512 (node 0) + 1038 (node 1)
    expect(v.get("numa_hit")).toBe("30");
    expect(vmstatValues(pa, pa.vmstat)).toHaveLength(vmstatText.length);
  });

  it("renders what any subsystem counted through the VmStat service (no page allocator involved)", () => {
    const pa = capState(0);
    const vs = pa.vmstat;
    vs.countVmEvents(BALLOON_INFLATE, 5); // balloon_page_enqueue: __count_vm_event(BALLOON_INFLATE)
    vs.countVmEvent(PGFAULT);
    vs.modNodePageState(0, NR_SLAB_UNRECLAIMABLE_B, 2 * 4096); // bytes, kept in pages
    vs.countZidVmEvents(PGALLOC_NORMAL, ZONE_DMA, 3); // __count_zid_vm_events(PGALLOC, zid, 3)
    const v = new Map(vmstatShow(pa, vs).trimEnd().split("\n").map((l) => l.split(" ") as [string, string]));
    expect([v.get("balloon_inflate"), v.get("pgfault"), v.get("nr_slab_unreclaimable"), v.get("pgalloc_dma")]).toEqual(["5", "1", "2", "3"]);
    expect(zoneinfoShow(pa, vs)).toContain("\n      nr_slab_unreclaimable 2\n");
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-built states
// ---------------------------------------------------------------------------------------------

/**
 * Three nodes, 2 CPUs: node 0 = ZONE_DMA [0x40000, 0x60000); node 1 = ZONE_NORMAL
 * [0x60000, 0x80000) (its DMA and DMA32 are empty, so Normal is its first populated zone);
 * node 2 has no memory.
 */
function twoNodeState(): PageAllocState {
  const pa = new PageAllocState(
    new MemMap({ basePfn: 0x40000, nrPages: 0x40000, nrListHeads: PageAllocState.listHeadsNeeded(3, 2) }),
    {
      nrCpus: 2,
      cpuToNode: [0, 1],
      nodes: [
        { nid: 0, ranges: [[0x40000, 0x60000]] },
        { nid: 1, ranges: [[0x60000, 0x80000]] },
        { nid: 2, ranges: [] },
      ],
      maxZonePfn: [0x60000, 0x60000, 0x80000, 0],
    },
    new SimClock(),
    new CostModel(),
    new TraceBus(),
    new KernelLog(),
  );
  initListHeads(pa);
  const dma = pa.pgdat[0]!.zones[ZONE_DMA]!;
  const normal = pa.pgdat[1]!.zones[ZONE_NORMAL]!;
  setZoneGeometry(pa, dma, { start: 0x40000, spanned: 0x20000, present: 0x20000, managed: 0x1f000 });
  setZoneGeometry(pa, normal, { start: 0x60000, spanned: 0x20000, present: 0x20000, managed: 0x1f800 });
  for (const z of [dma, normal]) {
    setWatermarks(z, 100, 125, 150);
    setPagesets(pa, z, 42, 7, 12);
    z.pageset[0]!.count = 5;
    for (let pfn = z.zoneStartPfn; pfn < z.zoneEndPfn; pfn += PAGEBLOCK_NR_PAGES) setPageblockMigratetype(pa.pageblock, pfn, MIGRATE_MOVABLE);
  }
  dma.lowmemReserve.set([0, 1024, 2048, 2048]);
  setPageblockMigratetype(pa.pageblock, 0x60000, MIGRATE_UNMOVABLE);
  // Free blocks: one order-9 in DMA; in Normal an order-10 Movable block, and an order-0 and
  // order-2 block in the Unmovable pageblock at 0x60000.
  const put = (pfn: number, order: number, mt: number, zone = normal): void => {
    setBuddyOrder(pa.mem, pa.mem.pfnToPage(pfn), order);
    addToFreeList(pa.mem, pa.mem.pfnToPage(pfn), zone, order, mt);
  };
  put(0x40200, 9, MIGRATE_MOVABLE, dma);
  put(0x60001, 0, MIGRATE_UNMOVABLE);
  put(0x60004, 2, MIGRATE_UNMOVABLE);
  put(0x60400, 10, MIGRATE_MOVABLE);
  dma.vmStat[NR_FREE_PAGES] = 512;
  normal.vmStat[NR_FREE_PAGES] = 1 + 4 + 1024 + 9; // + 9 pages on pcp lists elsewhere: counters are not lists
  dma.vmNumaEvent[0] = 10;
  normal.vmNumaEvent[0] = 20;
  pa.pgdat[1]!.vmStat[nodeStatNames.indexOf("nr_inactive_anon")] = 7;
  pa.pgdat[1]!.vmStat[NR_ANON_THPS] = 3 * HPAGE_PMD_NR + 100;
  pa.vmEvents[PGPGIN] = 7;
  pa.vmEvents[PGPGOUT] = 1;
  finishTotals(pa);
  return pa;
}

/** The reference board with `n` order-0 blocks on DMA's Movable list (every other page). */
function capState(n: number): PageAllocState {
  const pa = referenceState();
  const zone = pa.zones[ZONE_DMA]!;
  for (let k = 0; k < n; k++) {
    const page = 2 * k;
    setBuddyOrder(pa.mem, page, 0);
    addToFreeList(pa.mem, page, zone, 0, MIGRATE_MOVABLE);
  }
  for (const z of pa.zones) z.vmStat.fill(0);
  pa.totalreservePages = 0;
  return pa;
}
