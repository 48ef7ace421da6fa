// mmsim: tests of init_per_zone_wmark_min(), the per-CPU pageset sizing, the vm sysctls and boost_watermark() (v6.1)
import { describe, expect, it } from "vitest";
import {
  EINVAL, MIGRATE_CMA, WMARK_HIGH, WMARK_LOW, WMARK_MIN, WMARK_PROMO, ZONE_DMA, ZONE_NORMAL,
} from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import {
  REFERENCE_CMA, REFERENCE_MEMORY, buddyValidatable, handOver, makeBoard, reference, referenceReserved, virtZoneSizes,
} from "./buddy-init.test-helpers.ts";
import { freeAreaInit, pageAllocInitLate } from "./mm-init.ts";
import type { Zone } from "./mmzone.ts";
import type { PageAllocState } from "./page-alloc-state.ts";
import { freePagesCore } from "./page-alloc.ts";
import { setPageblockMigratetype } from "./pageblock-flags.ts";
import {
  boostWatermark, calculateMinFreeKbytes, calculatePressureThreshold, initPerZoneWmarkMin, intSqrt, multFrac,
  setLowmemReserveRatio, setMinFreeKbytes, setPercpuPagelistHighFraction, setRecommendedMinFreeKbytes,
  setWatermarkBoostFactor, setWatermarkScaleFactor, setupPerCpuPageset, zoneBatchsize,
} from "./watermarks.ts";
import { buildAllZonelists } from "./zonelist.ts";

/** The DMA block of the reference /proc/zoneinfo, as numbers. */
function referenceZoneinfoDma() {
  const text = reference("proc_zoneinfo");
  const dma = text.slice(text.indexOf("Node 0, zone      DMA"), text.indexOf("Node 0, zone    DMA32"));
  const num = (re: RegExp) => Number(re.exec(dma)![1]);
  return {
    min: num(/\n\s+min\s+(\d+)/), low: num(/\n\s+low\s+(\d+)/), high: num(/\n\s+high\s+(\d+)/),
    boost: num(/\n\s+boost\s+(\d+)/), managed: num(/\n\s+managed\s+(\d+)/),
    protection: /protection: \(([^)]*)\)/.exec(dma)![1]!.split(", ").map(Number),
    pcpHigh: [...dma.matchAll(/high:\s+(\d+)/g)].map((m) => Number(m[1])),
    pcpBatch: [...dma.matchAll(/batch:\s+(\d+)/g)].map((m) => Number(m[1])),
    threshold: [...dma.matchAll(/vm stats threshold: (\d+)/g)].map((m) => Number(m[1])),
  };
}

/** proc_sys_vm's min_free_kbytes of the reference. */
function referenceMinFreeKbytes(): number {
  return Number(/^min_free_kbytes: (\d+)$/m.exec(reference("proc_sys_vm"))![1]);
}

const wm = (z: Zone) => [z.watermark[WMARK_MIN], z.watermark[WMARK_LOW], z.watermark[WMARK_HIGH], z.watermark[WMARK_PROMO]];
const pcp = (z: Zone) => z.pageset.map((p) => [p.high, p.batch]);

/**
 * The reference board up to init_per_zone_wmark_min(), with DMA's managed pages set to what they
 * were at that postcore_initcall. From the reference dmesg: `Memory: 98324K/1048576K available
 * (…, 55168K reserved, 65536K cma-reserved)` means memblock_free_all() counted 1048576K − 55168K
 * − 65536K = 927872K = 231968 pages (deferred init has freed all of them by then), and the CMA
 * area (16384 pages) was given to the buddy allocator at core_initcall, before postcore:
 * 231968 + 16384 = 248352. (The final `managed 250209` of proc_zoneinfo adds the initrd, 964K =
 * 241 pages, and the init memory, 6464K = 1616 pages, freed later: 248352 + 241 + 1616 = 250209.)
 */
function referenceAtPostcore(managed = 248352): PageAllocState {
  const { maxZonePfn } = virtZoneSizes(0x80000000);
  const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x80000]] }], maxZonePfn, nrCpus: 2 });
  freeAreaInit(pa);
  buildAllZonelists(pa);
  pa.zones[ZONE_DMA]!.managedPages = managed;
  setupPerCpuPageset(pa);
  return pa;
}

/** … then the two boot steps that set the watermarks: init_per_zone_wmark_min and THP's hugepage_init. */
function referenceBooted(managed = 248352): PageAllocState {
  const pa = referenceAtPostcore(managed);
  initPerZoneWmarkMin(pa);
  setRecommendedMinFreeKbytes(pa);
  return pa;
}

describe("integer helpers", () => {
  it("int_sqrt is the exact floor, also for large values", () => {
    expect(intSqrt(993408 * 16)).toBe(3986);
    expect(intSqrt(0)).toBe(0);
    expect(intSqrt(2 ** 52)).toBe(2 ** 26);
    expect(intSqrt(2 ** 52 - 1)).toBe(2 ** 26 - 1);
  });
  it("mult_frac(x, n, d) = ⌊x·n/d⌋ computed as the kernel does", () => {
    expect(multFrac(248352, 10, 10000)).toBe(248);
    expect(multFrac(8448, 15000, 10000)).toBe(12672);
  });
});

describe("watermarks of the reference board (proc_zoneinfo, proc_sys_vm)", () => {
  it("init_per_zone_wmark_min: min_free_kbytes = int_sqrt(248352 × 4 × 16) = 3986", () => {
    const pa = referenceAtPostcore();
    initPerZoneWmarkMin(pa);
    expect(pa.sysctl.minFreeKbytes).toBe(3986);
    // pages_min 996; tmp = max(996 / 4 = 249, 248352 × 10 / 10000 = 248) = 249
    expect(wm(pa.zones[ZONE_DMA]!)).toEqual([996, 1245, 1494, 1743]);
  });

  it("THP raises min_free_kbytes to 512 × 1 zone × (2 + 3²) = 5632 pages = 22528 kB, and DMA gets min 5632, low 7040, high 8448", () => {
    const pa = referenceBooted();
    const ref = referenceZoneinfoDma();
    expect(pa.sysctl.minFreeKbytes).toBe(referenceMinFreeKbytes());
    expect(pa.sysctl.minFreeKbytes).toBe(22528);
    const dma = pa.zones[ZONE_DMA]!;
    // tmp = max(5632 / 4 = 1408, 248) = 1408
    expect([dma.minWmarkPages(), dma.lowWmarkPages(), dma.highWmarkPages()]).toEqual([ref.min, ref.low, ref.high]);
    expect(wm(dma)).toEqual([5632, 7040, 8448, 9856]);
    expect(dma.watermarkBoost).toBe(ref.boost);
    expect([...dma.lowmemReserve]).toEqual(ref.protection);
    expect(ref.protection).toEqual([0, 0, 0, 0]);
    for (const z of pa.zones.slice(1)) expect(wm(z)).toEqual([0, 0, 0, 0]);
    // totalreserve: high watermark + largest lowmem reserve (0)
    expect(pa.totalreservePages).toBe(8448);
  });

  it("pagesets: batch 63 (min(248352 >> 10, 256) / 4 = 60 → 2^⌊log2 90⌋ − 1), high 7040 / 2 CPUs = 3520; stat threshold 16", () => {
    const pa = referenceBooted();
    const ref = referenceZoneinfoDma();
    const dma = pa.zones[ZONE_DMA]!;
    expect(pcp(dma)).toEqual([[3520, 63], [3520, 63]]);
    expect(ref.pcpHigh).toEqual([3520, 3520]);
    expect(ref.pcpBatch).toEqual([63, 63]);
    // 2 × fls(2 CPUs) × (1 + fls(248352 >> 15 = 7)) = 2 × 2 × 4
    expect(pa.vmstat.zoneStatThreshold[dma.id]).toBe(16);
    expect(ref.threshold).toEqual([16, 16]);
    // the final managed count (250209) gives the same values
    expect(zoneBatchsize(dma)).toBe(63);
    const later = referenceBooted(ref.managed);
    expect(wm(later.zones[ZONE_DMA]!).slice(0, 3)).toEqual([5632, 7040, 8448]);
    expect(pcp(later.zones[ZONE_DMA]!)).toEqual([[3520, 63], [3520, 63]]);
  });

  it("the full boot sequence (hand-over, pagesets, deferred init, CMA, initcalls) ends at the same values", () => {
    const { maxZonePfn } = virtZoneSizes(0x80000000);
    const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x80000]] }], maxZonePfn, nrCpus: 2 });
    freeAreaInit(pa);
    buildAllZonelists(pa);
    const ho = handOver(pa, REFERENCE_MEMORY, referenceReserved());
    const dma = pa.zones[ZONE_DMA]!;
    setupPerCpuPageset(pa);
    // early pagesets from managed 24581 and no watermark: batch ⌊24/4⌋ = 6 → 2^⌊log2 9⌋ − 1 = 7, high 4 × 7
    expect(pcp(dma)).toEqual([[28, 7], [28, 7]]);
    pageAllocInitLate(pa, ho.deferred);
    // cma_init_reserved_areas(): each CMA pageblock becomes MIGRATE_CMA and is freed (init_cma_reserved_pageblock)
    for (let pfn = REFERENCE_CMA[0] / 4096; pfn < REFERENCE_CMA[1] / 4096; pfn += 512) {
      setPageblockMigratetype(pa.pageblock, pfn, MIGRATE_CMA);
      freePagesCore(pa, pa.mem.pfnToPage(pfn), 9);
    }
    dma.cmaPages = 16384;
    expect(dma.managedPages).toBe(248353); // one page more than the kernel's 248352 (see mm-init.test.ts)
    initPerZoneWmarkMin(pa);
    expect(pa.sysctl.minFreeKbytes).toBe(3986);
    setRecommendedMinFreeKbytes(pa);
    expect(pa.sysctl.minFreeKbytes).toBe(22528);
    expect(wm(dma).slice(0, 3)).toEqual([5632, 7040, 8448]);
    expect(pcp(dma)).toEqual([[3520, 63], [3520, 63]]);
    expect(pa.vmstat.zoneStatThreshold[dma.id]).toBe(16);
    expectValid(buddyValidatable(pa), "boot");
  });

  it("without THP, set_recommended_min_free_kbytes falls back to calculate_min_free_kbytes", () => {
    const { maxZonePfn } = virtZoneSizes(0x80000000);
    const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x80000]] }], maxZonePfn, nrCpus: 2, transparentHugepage: false });
    freeAreaInit(pa);
    buildAllZonelists(pa);
    pa.zones[ZONE_DMA]!.managedPages = 248352;
    initPerZoneWmarkMin(pa);
    setRecommendedMinFreeKbytes(pa);
    // the second calculation sees the high watermark (1494) subtracted: int_sqrt((248352 − 1494) × 64) = 3974
    expect(pa.sysctl.minFreeKbytes).toBe(intSqrt((248352 - 1494) * 64));
  });
});

describe("a 4 GiB board (DMA 0x40000–0x100000, Normal above); managed = the free_area_init estimates", () => {
  function fourGiB(): PageAllocState {
    const { maxZonePfn } = virtZoneSizes(0x140000000);
    const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x140000]] }], maxZonePfn, nrCpus: 2 });
    freeAreaInit(pa);
    buildAllZonelists(pa);
    // DMA 786432 − 12288 memmap = 774144; Normal 262144 − 4096 = 258048; lowmem 1032192
    setupPerCpuPageset(pa);
    initPerZoneWmarkMin(pa);
    setRecommendedMinFreeKbytes(pa);
    return pa;
  }

  it("min_free_kbytes: int_sqrt(1032192 × 64) = 8127, then THP 512 × 2 zones × 11 = 11264 pages = 45056 kB", () => {
    const pa = fourGiB();
    expect(pa.sysctl.minFreeKbytes).toBe(45056);
    // pages_min 11264 shared 3:1 — DMA min 11264 × 774144 / 1032192 = 8448, tmp max(2112, 774) = 2112
    expect(wm(pa.zones[ZONE_DMA]!)).toEqual([8448, 10560, 12672, 14784]);
    // Normal min 2816, tmp max(704, 258) = 704
    expect(wm(pa.zones[ZONE_NORMAL]!)).toEqual([2816, 3520, 4224, 4928]);
  });

  it("lowmem_reserve: DMA keeps back Normal's 258048 / 256 = 1008 pages from Normal/Movable allocations", () => {
    const pa = fourGiB();
    expect([...pa.zones[ZONE_DMA]!.lowmemReserve]).toEqual([0, 0, 1008, 1008]);
    expect([...pa.zones[ZONE_NORMAL]!.lowmemReserve]).toEqual([0, 0, 0, 0]);
    // totalreserve: DMA 1008 + 12672, Normal 0 + 4224
    expect(pa.totalreservePages).toBe(1008 + 12672 + 4224);
  });

  it("pagesets and stat thresholds per zone", () => {
    const pa = fourGiB();
    // batch: both zones have ≥ 256K pages → 63; high: low / 2 CPUs
    expect(pcp(pa.zones[ZONE_DMA]!)).toEqual([[5280, 63], [5280, 63]]);
    expect(pcp(pa.zones[ZONE_NORMAL]!)).toEqual([[1760, 63], [1760, 63]]);
    // 2 × 2 × (1 + fls(774144 >> 15 = 23) = 5) = 24; Normal as the reference: 16
    expect(pa.vmstat.zoneStatThreshold[pa.zones[ZONE_DMA]!.id]).toBe(24);
    expect(pa.vmstat.zoneStatThreshold[pa.zones[ZONE_NORMAL]!.id]).toBe(16);
    // the node's threshold is its largest zone's (refresh_zone_stat_thresholds)
    expect(pa.vmstat.nodeStatThreshold[0]).toBe(24);
  });

  it("vm.lowmem_reserve_ratio writes: a new ratio, a negative one (→ 0), a bad entry stops the parse", () => {
    const pa = fourGiB();
    expect(setLowmemReserveRatio(pa, [128])).toBe(0);
    expect(pa.zones[ZONE_DMA]!.lowmemReserve[ZONE_NORMAL]).toBe(2016); // 258048 / 128
    expect(setLowmemReserveRatio(pa, [-5])).toBe(0);
    expect(pa.sysctl.lowmemReserveRatio[0]).toBe(0);
    expect([...pa.zones[ZONE_DMA]!.lowmemReserve]).toEqual([0, 0, 0, 0]);
    expect(setLowmemReserveRatio(pa, [64, 1.5, 7])).toBe(0);
    expect([...pa.sysctl.lowmemReserveRatio]).toEqual([64, 256, 32, 0]);
    expect(pa.zones[ZONE_DMA]!.lowmemReserve[ZONE_NORMAL]).toBe(4032); // 258048 / 64
  });
});

describe("a two-node board (2 GiB + 2 GiB, one CPU per node)", () => {
  it("watermarks split min by managed pages across nodes; lowmem_reserve is per node", () => {
    const { maxZonePfn } = virtZoneSizes(0x140000000);
    const pa = makeBoard({
      nodes: [{ nid: 0, ranges: [[0x40000, 0xc0000]] }, { nid: 1, ranges: [[0xc0000, 0x140000]] }],
      maxZonePfn, nrCpus: 2, cpuToNode: [0, 1],
    });
    freeAreaInit(pa);
    buildAllZonelists(pa);
    setupPerCpuPageset(pa);
    initPerZoneWmarkMin(pa);
    setRecommendedMinFreeKbytes(pa);
    const n0dma = pa.pgdat[0]!.zones[ZONE_DMA]!;
    const n1dma = pa.pgdat[1]!.zones[ZONE_DMA]!;
    const n1normal = pa.pgdat[1]!.zones[ZONE_NORMAL]!;
    // managed 516096 + 258048 + 258048 = 1032192; THP: 3 lowmem zones × 512 × 11 = 16896 pages
    expect(pa.sysctl.minFreeKbytes).toBe(16896 * 4);
    // min 16896 × 516096 / 1032192 = 8448 (tmp 2112); 16896 / 4 = 4224 (tmp 1056) for the others
    expect(wm(n0dma)).toEqual([8448, 10560, 12672, 14784]);
    expect(wm(n1dma)).toEqual([4224, 5280, 6336, 7392]);
    expect(wm(n1normal)).toEqual([4224, 5280, 6336, 7392]);
    // node 0 has nothing above its DMA; node 1's DMA protects 258048 / 256 = 1008 pages
    expect([...n0dma.lowmemReserve]).toEqual([0, 0, 0, 0]);
    expect([...n1dma.lowmemReserve]).toEqual([0, 0, 1008, 1008]);
    // totalreserve per node: 12672; 1008 + 6336 + 6336
    expect(pa.pgdat[0]!.totalreservePages).toBe(12672);
    expect(pa.pgdat[1]!.totalreservePages).toBe(13680);
    expect(pa.totalreservePages).toBe(26352);
    // pcp high is split over the node's own CPUs (one each)
    expect(pcp(n0dma)).toEqual([[10560, 63], [10560, 63]]);
    expect(pcp(n1normal)).toEqual([[5280, 63], [5280, 63]]);
  });
});

describe("vm sysctl writers on the reference board", () => {
  it("min_free_kbytes: -EINVAL for negative/non-int, else the user's value wins over later calculations", () => {
    const pa = referenceBooted();
    expect(setMinFreeKbytes(pa, -1)).toBe(-EINVAL);
    expect(setMinFreeKbytes(pa, 0.5)).toBe(-EINVAL);
    expect(setMinFreeKbytes(pa, 2 ** 31)).toBe(-EINVAL);
    expect(pa.sysctl.minFreeKbytes).toBe(22528);
    expect(setMinFreeKbytes(pa, 45056)).toBe(0);
    expect(pa.sysctl.userMinFreeKbytes).toBe(45056);
    const dma = pa.zones[ZONE_DMA]!;
    // pages_min 11264, tmp 2816
    expect(wm(dma).slice(0, 3)).toEqual([11264, 14080, 16896]);
    expect(pcp(dma)).toEqual([[7040, 63], [7040, 63]]);
    const before = pa.log.length;
    calculateMinFreeKbytes(pa);
    expect(pa.sysctl.minFreeKbytes).toBe(45056);
    // int_sqrt((248352 − 16896 high) × 4 × 16) = 3848
    expect(pa.log.all()[before]!.text).toBe("min_free_kbytes is not updated to 3848 because user defined value 45056 is preferred");
  });

  it("THP raises a smaller user value and says so", () => {
    const pa = referenceBooted();
    expect(setMinFreeKbytes(pa, 1024)).toBe(0);
    const before = pa.log.length;
    setRecommendedMinFreeKbytes(pa);
    expect(pa.log.all()[before]!.text).toBe("raising min_free_kbytes from 1024 to 22528 to help transparent hugepage allocations");
    expect(pa.sysctl.minFreeKbytes).toBe(22528);
  });

  it("watermark_scale_factor: 1..3000, else -EINVAL; 1000 widens the gaps to 10 % of managed", () => {
    const pa = referenceBooted();
    expect(setWatermarkScaleFactor(pa, 0)).toBe(-EINVAL);
    expect(setWatermarkScaleFactor(pa, 3001)).toBe(-EINVAL);
    expect(pa.sysctl.watermarkScaleFactor).toBe(10);
    expect(setWatermarkScaleFactor(pa, 1000)).toBe(0);
    // tmp = max(1408, 248352 × 1000 / 10000 = 24835)
    const dma = pa.zones[ZONE_DMA]!;
    expect(wm(dma).slice(0, 3)).toEqual([5632, 30467, 55302]);
    expect(pcp(dma)[0]).toEqual([15233, 63]);
  });

  it("percpu_pagelist_high_fraction: 0 or ≥ 8; high = managed / fraction / CPUs", () => {
    const pa = referenceBooted();
    expect(setPercpuPagelistHighFraction(pa, 7)).toBe(-EINVAL);
    expect(setPercpuPagelistHighFraction(pa, -1)).toBe(-EINVAL);
    expect(pa.sysctl.percpuPagelistHighFraction).toBe(0);
    expect(setPercpuPagelistHighFraction(pa, 8)).toBe(0);
    expect(pcp(pa.zones[ZONE_DMA]!)).toEqual([[15522, 63], [15522, 63]]); // 248352 / 8 / 2
    expect(setPercpuPagelistHighFraction(pa, 0)).toBe(0);
    expect(pcp(pa.zones[ZONE_DMA]!)).toEqual([[3520, 63], [3520, 63]]);
  });

  it("watermark_boost_factor: ≥ 0", () => {
    const pa = referenceBooted();
    expect(setWatermarkBoostFactor(pa, -1)).toBe(-EINVAL);
    expect(setWatermarkBoostFactor(pa, 0)).toBe(0);
    expect(boostWatermark(pa, pa.zones[ZONE_DMA]!)).toBe(false);
  });
});

describe("boostWatermark (boost_watermark)", () => {
  it("adds a pageblock per call up to 150 % of the high watermark (8448 × 15000 / 10000 = 12672)", () => {
    const pa = referenceBooted();
    const dma = pa.zones[ZONE_DMA]!;
    expect(boostWatermark(pa, dma)).toBe(true);
    expect(dma.watermarkBoost).toBe(512);
    expect(dma.highWmarkPages()).toBe(8448 + 512);
    for (let i = 0; i < 30; i++) boostWatermark(pa, dma);
    expect(dma.watermarkBoost).toBe(12672);
    // setting the watermarks again clears the boost
    setWatermarkScaleFactor(pa, 10);
    expect(dma.watermarkBoost).toBe(0);
  });

  it("refuses before watermarks exist and in zones under 4 pageblocks", () => {
    const early = referenceAtPostcore();
    expect(boostWatermark(early, early.zones[ZONE_DMA]!)).toBe(false);
    const pa = referenceBooted();
    const dma = pa.zones[ZONE_DMA]!;
    dma.managedPages = 2047;
    expect(boostWatermark(pa, dma)).toBe(false);
  });
});

describe("pageset sizing corner cases", () => {
  it("a tiny zone gets batch 1 and high 4", () => {
    const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, 0x40800]] }], maxZonePfn: [0x40800, 0x40800, 0x40800, 0], nrCpus: 1 });
    freeAreaInit(pa);
    buildAllZonelists(pa);
    setupPerCpuPageset(pa);
    // managed 2016: batch (2016 >> 10) / 4 = 0 → 1 → 2^0 − 1 = 0 → max(1, 0); high max(0, 4 × 1)
    expect(pcp(pa.zones[ZONE_DMA]!)).toEqual([[4, 1]]);
  });

  it("the pressure threshold is (low − min) / CPUs, at most 125", () => {
    const pa = referenceBooted();
    expect(calculatePressureThreshold(pa, pa.zones[ZONE_DMA]!)).toBe(125); // 1408 / 2 = 704
  });
});
