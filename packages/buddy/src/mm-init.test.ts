// mmsim: tests of free_area_init(), memmap_init() and deferred struct page init (mm/page_alloc.c v6.1)
import { describe, expect, it } from "vitest";
import {
  MIGRATE_MOVABLE, MIGRATE_TYPES, MIGRATE_UNMOVABLE, NR_FREE_PAGES, NR_PAGE_ORDERS, ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE,
  ZONE_NORMAL, pageReserved,
} from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import {
  REFERENCE_MEMORY, buddyValidatable, handOver, makeBoard, referenceDmesgLines, referenceReserved, virtZoneSizes,
} from "./buddy-init.test-helpers.ts";
import {
  calcMemmapSize, deferredGrowZone, earlyPageUninitialised, freeAreaInit, initReservedPage, pageAllocInitLate,
  zoneContiguous,
} from "./mm-init.ts";
import { getPfnblockMigratetype } from "./pageblock-flags.ts";

const GiB = 1024 * 1024 * 1024;

/** The reference board: QEMU virt, 1 GiB at 0x40000000, 2 CPUs, one node. */
function referenceBoard(opts: { deferredStructPageInit?: boolean } = {}) {
  const { maxZonePfn } = virtZoneSizes(0x80000000);
  return makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x80000]] }], maxZonePfn, nrCpus: 2, ...opts });
}

const texts = (pa: ReturnType<typeof makeBoard>) => pa.log.all().map((r) => r.text);

describe("freeAreaInit on the reference board (1 GiB at 0x40000000)", () => {
  it("logs the zone layout exactly as the reference dmesg (lines 'Zone ranges:' … 'Initmem setup node 0 …')", () => {
    const pa = referenceBoard();
    freeAreaInit(pa);
    const ref = referenceDmesgLines();
    const from = ref.indexOf("Zone ranges:");
    const to = ref.findIndex((l) => l.startsWith("Initmem setup node 0"));
    expect(from).toBeGreaterThan(0);
    // dmesg lines 9-16: Zone ranges:, DMA [mem ...], DMA32 empty, Normal empty, Movable zone start
    // for each node, Early memory node ranges, node 0: [mem ...], Initmem setup node 0 [mem ...]
    expect(texts(pa)).toEqual(ref.slice(from, to + 1));
    expect(texts(pa)).toContain("  DMA      [mem 0x0000000040000000-0x000000007fffffff]");
  });

  it("sizes the zones as proc_zoneinfo shows them (DMA spanned = present = 262144, start_pfn 262144; DMA32/Normal/Movable empty)", () => {
    const pa = referenceBoard();
    const r = freeAreaInit(pa);
    const [dma, dma32, normal, movable] = pa.pgdat[0]!.zones;
    expect([dma!.spannedPages, dma!.presentPages, dma!.zoneStartPfn]).toEqual([262144, 262144, 262144]);
    for (const z of [dma32!, normal!, movable!]) expect([z.spannedPages, z.presentPages, z.zoneStartPfn]).toEqual([0, 0, 0]);
    expect(pa.pgdat[0]!.nodeSpannedPages).toBe(262144);
    expect(pa.pgdat[0]!.nodePresentPages).toBe(262144);
    expect(pa.pgdat[0]!.nrZones).toBe(1);
    // managed estimate = present − memmap: 262144 × 64 bytes = 16 MiB = 4096 pages
    expect(calcMemmapSize(262144, 262144)).toBe(4096);
    expect(dma!.managedPages).toBe(258048);
    expect(r.nrAllPages).toBe(258048);
    expect(r.archZoneLowestPossiblePfn.slice(0, 3)).toEqual([0x40000, 0x80000, 0x80000]);
    expect(r.archZoneHighestPossiblePfn.slice(0, 3)).toEqual([0x80000, 0x80000, 0x80000]);
    expect(r.movableZone).toBe(ZONE_DMA);
    expect(dma!.initialized).toBe(true);
    expect(dma32!.initialized).toBe(false);
  });

  it("gives every zone its free-list heads and boot pagesets (high 0, batch 1)", () => {
    const pa = referenceBoard();
    freeAreaInit(pa);
    const bases = new Set<number>();
    for (const z of pa.zones) {
      expect(z.freeHeadBase).toBeGreaterThanOrEqual(pa.mem.nrPages);
      bases.add(z.freeHeadBase);
      expect(z.pageset).toHaveLength(2);
      expect(z.pageset.map((p) => [p.high, p.batch])).toEqual([[0, 1], [0, 1]]);
      expect([z.pagesetHigh, z.pagesetBatch]).toEqual([0, 1]);
    }
    expect(bases.size).toBe(4);
    const dma = pa.zones[ZONE_DMA]!;
    const head = dma.freeHeadBase + 3 * MIGRATE_TYPES + MIGRATE_MOVABLE;
    expect(pa.mem.lruNext[head]).toBe(head); // INIT_LIST_HEAD
    expect(pa.mem.listHeadsUsed).toBe(4 * NR_PAGE_ORDERS * MIGRATE_TYPES + 4 * 2 * 14);
  });

  it("defers all but the first section of the node's last zone: first_deferred_pfn = 0x40000 + 32768", () => {
    const pa = referenceBoard();
    freeAreaInit(pa);
    expect(pa.pgdat[0]!.firstDeferredPfn).toBe(0x40000 + 32768);
    const mem = pa.mem;
    // initialised part: zone links set, pageblocks MOVABLE
    expect(mem.nodeZone[mem.pfnToPage(0x47fff)]).toBe(ZONE_DMA);
    expect(getPfnblockMigratetype(pa.pageblock, 0x40000)).toBe(MIGRATE_MOVABLE);
    expect(getPfnblockMigratetype(pa.pageblock, 0x47e00)).toBe(MIGRATE_MOVABLE);
    // deferred part: untouched until page_alloc_init_late
    expect(getPfnblockMigratetype(pa.pageblock, 0x48000)).toBe(MIGRATE_UNMOVABLE);
    expect(earlyPageUninitialised(pa, 0x47fff)).toBe(false);
    expect(earlyPageUninitialised(pa, 0x48000)).toBe(true);
    expect(earlyPageUninitialised(pa, 0x7ffff)).toBe(true);
  });

  it("without CONFIG_DEFERRED_STRUCT_PAGE_INIT initialises everything", () => {
    const pa = referenceBoard({ deferredStructPageInit: false });
    freeAreaInit(pa);
    expect(pa.pgdat[0]!.firstDeferredPfn).toBe(Number.MAX_SAFE_INTEGER);
    expect(getPfnblockMigratetype(pa.pageblock, 0x7fe00)).toBe(MIGRATE_MOVABLE);
    expect(earlyPageUninitialised(pa, 0x7ffff)).toBe(false);
  });

  it("initReservedPage initialises a reserved page in the deferred range, and leaves early pages alone", () => {
    const pa = referenceBoard();
    freeAreaInit(pa);
    const mem = pa.mem;
    const cma = mem.pfnToPage(0x7ac00);
    mem.nodeZone[cma] = 3; // garbage: not initialised yet
    initReservedPage(pa, 0x7ac00);
    expect(mem.nodeZone[cma]).toBe(ZONE_DMA);
    expect(mem.refcount[cma]).toBe(1);
    const early = mem.pfnToPage(0x40210);
    mem.refcount[early] = 7;
    initReservedPage(pa, 0x40210);
    expect(mem.refcount[early]).toBe(7);
  });
});

describe("the boot hand-over and page_alloc_init_late on the reference board", () => {
  it("frees only the early 128 MiB at memblock_free_all: 98324K free, as `Memory: 98324K/1048576K available`", () => {
    const pa = referenceBoard();
    freeAreaInit(pa);
    const ho = handOver(pa, REFERENCE_MEMORY, referenceReserved());
    const dma = pa.zones[ZONE_DMA]!;
    const memLine = referenceDmesgLines().find((l) => l.startsWith("Memory: "))!;
    const availableK = Number(/^Memory: (\d+)K\//.exec(memLine)![1]);
    expect(availableK).toBe(98324);
    expect(dma.vmStat[NR_FREE_PAGES]! * 4).toBe(availableK);
    expect(dma.managedPages).toBe(98324 / 4);
    // the kernel counts the deferred pages into totalram now (1048576K − 55168K reserved − 65536K cma
    // = 231968 pages); the capture's memblock.reserved lets one more page through (see below)
    expect(ho.pages).toBe(231969);
    expect(ho.deferred[0]).toEqual([0x480f1, 0x48200]);
    expectValid(buddyValidatable(pa), "memblock_free_all");
  });

  it("page_alloc_init_late initialises and frees the rest, logging `node 0 deferred pages initialised in 0ms`", () => {
    const pa = referenceBoard();
    freeAreaInit(pa);
    const ho = handOver(pa, REFERENCE_MEMORY, referenceReserved());
    const before = pa.log.length;
    pageAllocInitLate(pa, ho.deferred);
    const ref = referenceDmesgLines().find((l) => l.startsWith("node 0 deferred pages initialised in"))!;
    // the reference took 44ms; mmsim has no boot timing yet and prints 0ms
    expect(texts(pa).slice(before)).toEqual([ref.replace(/in \d+ms$/, "in 0ms")]);
    const dma = pa.zones[ZONE_DMA]!;
    expect(pa.pgdat[0]!.firstDeferredPfn).toBe(Number.MAX_SAFE_INTEGER);
    // Every free page is now managed: 231969 = 262144 − 30175 reserved pages of the capture's
    // memblock.reserved + initrd. The kernel had 231968 (its Memory line: 55168K reserved +
    // 65536K cma-reserved = 30176 pages): one page reserved at boot was freed before the capture.
    expect(dma.managedPages).toBe(231969);
    expect(dma.vmStat[NR_FREE_PAGES]).toBe(231969);
    expect(getPfnblockMigratetype(pa.pageblock, 0x48400)).toBe(MIGRATE_MOVABLE);
    expect(pa.mem.nodeZone[pa.mem.pfnToPage(0x7ffff)]).toBe(ZONE_DMA);
    // the CMA area (reserved) is initialised by init_reserved_page, still reserved
    expect(pageReserved(pa.mem, pa.mem.pfnToPage(0x7ac00))).toBe(true);
    expect(zoneContiguous(pa, dma)).toBe(true);
    expectValid(buddyValidatable(pa), "page_alloc_init_late");
    // a second call has nothing left to do and logs nothing
    pageAllocInitLate(pa, ho.deferred);
    expect(pa.log.length).toBe(before + 1);
  });

  it("deferred_grow_zone grows by whole sections until enough pages are initialised", () => {
    const pa = referenceBoard();
    freeAreaInit(pa);
    const ho = handOver(pa, REFERENCE_MEMORY, referenceReserved());
    const dma = pa.zones[ZONE_DMA]!;
    const managed0 = dma.managedPages;
    // Free ranges from 0x48000: [0x480f1, 0x48200) and [0x48300, 0x7ac00). Growing for order 0
    // needs ALIGN(1, 32768) = 32768 pages at a section boundary. By 0x50000 only
    // 0x10f + (0x50000 − 0x48300) = 271 + 32000 = 32271 pages were initialised, so it carries on
    // to the next boundary, 0x58000: 32271 + 32768 = 65039 pages.
    expect(deferredGrowZone(pa, dma, 0, ho.deferred)).toBe(true);
    expect(pa.pgdat[0]!.firstDeferredPfn).toBe(0x58000);
    expect(dma.managedPages - managed0).toBe(65039);
    expect(earlyPageUninitialised(pa, 0x57fff)).toBe(false);
    expectValid(buddyValidatable(pa), "deferred_grow_zone");
    // page_alloc_init_late continues from there and ends at the same total
    pageAllocInitLate(pa, ho.deferred);
    expect(dma.managedPages).toBe(231969);
    expectValid(buddyValidatable(pa), "page_alloc_init_late after grow");
  });
});

describe("freeAreaInit on other boards", () => {
  it("4 GiB at 0x40000000: DMA 0x40000–0x100000, Normal above; only Normal is deferred", () => {
    const { maxZonePfn } = virtZoneSizes(0x40000000 + 4 * GiB);
    const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x140000]] }], maxZonePfn, nrCpus: 2 });
    freeAreaInit(pa);
    expect(texts(pa)).toEqual([
      "Zone ranges:",
      "  DMA      [mem 0x0000000040000000-0x00000000ffffffff]",
      "  DMA32    empty",
      "  Normal   [mem 0x0000000100000000-0x000000013fffffff]",
      "Movable zone start for each node",
      "Early memory node ranges",
      "  node   0: [mem 0x0000000040000000-0x000000013fffffff]",
      "Initmem setup node 0 [mem 0x0000000040000000-0x000000013fffffff]",
    ]);
    const z = pa.pgdat[0]!.zones;
    expect([z[ZONE_DMA]!.zoneStartPfn, z[ZONE_DMA]!.spannedPages]).toEqual([0x40000, 0xc0000]);
    expect(z[ZONE_DMA32]!.spannedPages).toBe(0);
    expect([z[ZONE_NORMAL]!.zoneStartPfn, z[ZONE_NORMAL]!.spannedPages]).toEqual([0x100000, 0x40000]);
    expect(z[ZONE_MOVABLE]!.spannedPages).toBe(0);
    // managed estimates: 786432 − 786432×64/4096 = 774144; 262144 − 4096 = 258048
    expect(z[ZONE_DMA]!.managedPages).toBe(774144);
    expect(z[ZONE_NORMAL]!.managedPages).toBe(258048);
    expect(pa.pgdat[0]!.nrZones).toBe(ZONE_NORMAL + 1);
    // DMA ends below the node's end: never deferred; Normal deferred after its first section
    expect(pa.pgdat[0]!.firstDeferredPfn).toBe(0x100000 + 32768);
    expect(getPfnblockMigratetype(pa.pageblock, 0xffe00)).toBe(MIGRATE_MOVABLE);
    expect(pa.mem.nodeZone[pa.mem.pfnToPage(0x100000)]).toBe(ZONE_NORMAL);
    // deferred_grow_zone only grows the node's last zone
    expect(deferredGrowZone(pa, z[ZONE_DMA]!, 0, [])).toBe(false);
  });

  it("a hole between two banks: present < spanned, hole pages reserved and logged as unavailable", () => {
    const pa = makeBoard({
      nodes: [{ nid: 0, ranges: [[0x40000, 0x50000], [0x60000, 0x80000]] }],
      maxZonePfn: [0x80000, 0x80000, 0x80000, 0], nrCpus: 1, deferredStructPageInit: false,
    });
    freeAreaInit(pa);
    const dma = pa.zones[ZONE_DMA]!;
    expect([dma.spannedPages, dma.presentPages]).toEqual([0x40000, 0x30000]);
    expect(texts(pa)).toContain("  node   0: [mem 0x0000000040000000-0x000000004fffffff]");
    expect(texts(pa)).toContain("  node   0: [mem 0x0000000060000000-0x000000007fffffff]");
    expect(texts(pa)).toContain(`On node 0, zone DMA: ${0x10000} pages in unavailable ranges`);
    const hole = pa.mem.pfnToPage(0x55555);
    expect(pageReserved(pa.mem, hole)).toBe(true);
    expect(pa.mem.nodeZone[hole]).toBe(ZONE_DMA);
    // managed estimate: spanned 262144 > present 196608 + 196608/16 = 208896, so (SPARSEMEM) the
    // memmap is sized from present: 196608 × 64 / 4096 = 3072 pages
    expect(dma.managedPages).toBe(0x30000 - 3072);
  });

  it("defer_init counts initialised pages across the holes of a zone and defers at the next section boundary", () => {
    // 0x4000 pages in the first bank; in the second, nr_initialised passes 32768 at 0x4a000,
    // which is not section aligned, so deferral starts at 0x50000
    const pa = makeBoard({
      nodes: [{ nid: 0, ranges: [[0x40000, 0x44000], [0x46000, 0x80000]] }],
      maxZonePfn: [0x80000, 0x80000, 0x80000, 0], nrCpus: 1,
    });
    freeAreaInit(pa);
    expect(pa.pgdat[0]!.firstDeferredPfn).toBe(0x50000);
  });

  it("adjacent banks of one node merge into one early memory range, as memblock merges regions", () => {
    const pa = makeBoard({
      nodes: [{ nid: 0, ranges: [[0x40000, 0x60000], [0x60000, 0x80000]] }],
      maxZonePfn: [0x80000, 0x80000, 0x80000, 0], nrCpus: 1,
    });
    freeAreaInit(pa);
    expect(texts(pa).filter((t) => t.startsWith("  node "))).toEqual(["  node   0: [mem 0x0000000040000000-0x000000007fffffff]"]);
  });

  it("rejects memory outside the MemMap", () => {
    const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x80000]] }], maxZonePfn: [0x80000, 0x80000, 0x80000, 0], nrCpus: 1 });
    (pa.config.nodes[0]!.ranges as [number, number][]).push([0x90000, 0xa0000]);
    expect(() => freeAreaInit(pa)).toThrow(/inside the MemMap/);
  });
});
