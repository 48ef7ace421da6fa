// Cross-file scenarios of the page allocator: boot the 1 GiB reference board, allocate, free,
// fall back, exhaust; validate() after every step (STYLE C13).
import {
  CostModel, GFP_ATOMIC, GFP_HIGHUSER_MOVABLE, GFP_KERNEL, KernelLog, MemMap, MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE,
  MIGRATE_UNMOVABLE, NIL_PFN, NR_FREE_CMA_PAGES, NR_FREE_PAGES, NR_PAGETABLE, PAGEBLOCK_NR_PAGES, PGALLOC_DMA, PGFREE, SZ_1G, TP_MM_PAGE_ALLOC_EXTFRAG, TraceBus, SimClock,
  TP_MM_PAGE_ALLOC, VmStat, __GFP_MEMALLOC, __GFP_NOWARN, pfnDown,
} from "@mmsim/core";
import { TraceRecorder, expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { Memblock } from "@mmsim/memblock";
import { BuddyAllocator, createBuddyAllocator } from "./buddy-allocator.ts";
import { noOpHooks } from "./no-op-hooks.ts";
import { PageAllocState } from "./page-alloc-state.ts";
import { HOOK_DIRECT_RECLAIM, HOOK_OUT_OF_MEMORY, HOOK_WAKEUP_KSWAPD } from "./no-op-hooks.ts";
import { drainAllPages } from "./page-alloc.ts";
import { getPfnblockMigratetype } from "./pageblock-flags.ts";
import { virtZoneSizes } from "./buddy-init.test-helpers.ts";

const RAM = 0x40000000;
/** The kernel image as the reference's memblock/reserved entry 0 shows it (0x40210000..0x4220afff). */
const KERNEL: [number, number] = [0x40210000, 0x4220b000];

/** The reference's CMA area: `cma: Reserved 64 MiB at 0x000000007ac00000` (fixture dmesg). */
const CMA: [number, number] = [0x7ac00000, 0x7ac00000 + 64 * 1024 * 1024];

/**
 * Boots the reference board (1 GiB, 2 CPUs, the kernel image reserved). Tests that fill memory
 * page by page pass a smaller `bytes`: what they check (watermarks, the slow path, stealing)
 * does not depend on the size, and a 1 GiB fill is 254 000 allocations.
 */
function boot1G(opts: { trace?: TraceBus; log?: KernelLog; deferred?: boolean; cma?: boolean; bytes?: number } = {}): BuddyAllocator {
  const bytes = opts.bytes ?? SZ_1G;
  const zs = virtZoneSizes(RAM + bytes);
  const clock = new SimClock();
  return createBuddyAllocator({
    nrCpus: 2,
    nodes: [{ nid: 0, ranges: [[pfnDown(RAM), pfnDown(RAM + bytes)]] }],
    maxZonePfn: zs.maxZonePfn,
    reserved: opts.cma ? [KERNEL, CMA] : [KERNEL],
    clock,
    trace: opts.trace ?? new TraceBus(clock),
    log: opts.log ?? new KernelLog(clock),
    deferredStructPageInit: opts.deferred ?? true,
  });
}

const kernelPages = (KERNEL[1] - KERNEL[0]) / 4096;
/** The board of the tests that exhaust memory page by page: 128 MiB, the kernel image still reserved. */
const SMALL_BOARD = 128 * 1024 * 1024;

describe("buddy allocator on the 1 GiB / 2 CPU reference board", () => {
  it("boots: every page but the reserved ones is managed and free, lists consistent", () => {
    for (const deferred of [true, false]) {
      const b = boot1G({ deferred });
      const dma = b.state.zones[0]!;
      expect(dma.managedPages).toBe(262144 - kernelPages);
      expect(b.state.totalramPages).toBe(262144 - kernelPages);
      expect(dma.vmStat[NR_FREE_PAGES]).toBe(262144 - kernelPages);
      expect(dma.nrFree[10]).toBeGreaterThan(200);
      expectValid(b, `boot (deferred=${deferred})`);
    }
  });

  it("order-0 allocations go through the per-CPU lists and come back", () => {
    const b = boot1G();
    const pfns: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const pfn = b.allocPages(GFP_KERNEL, 0, i % 2);
      expect(pfn).not.toBe(NIL_PFN);
      pfns.push(pfn);
    }
    expect(new Set(pfns).size).toBe(1000);
    expect(b.state.vmEvents[PGALLOC_DMA]).toBe(1000);
    expectValid(b, "1000 allocations");
    const pcp0 = b.state.zones[0]!.pageset[0]!;
    for (const pfn of pfns) expect(b.freePages(pfn, 0, 0)).toBe(0);
    expect(pcp0.count).toBeLessThan(pcp0.high);
    expect(b.state.vmEvents[PGFREE]! - (262144 - kernelPages)).toBe(1000); // boot frees count too, as in the kernel
    expectValid(b, "1000 frees");
  });

  it("counts into the VmStat service it is given: zone, node and event counters are the service's arrays", () => {
    const vmstat = new VmStat(1);
    const zs = virtZoneSizes(RAM + SZ_1G);
    const b = createBuddyAllocator({ nrCpus: 2, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), pfnDown(RAM + SZ_1G)]] }], maxZonePfn: zs.maxZonePfn, reserved: [KERNEL], vmstat });
    const pa = b.state;
    expect(pa.vmstat).toBe(vmstat);
    expect(pa.vmEvents).toBe(vmstat.vmEvents);
    expect(pa.zones[0]!.vmStat.buffer).toBe(vmstat.zoneVmStat.buffer);
    expect(pa.pgdat[0]!.vmStat.buffer).toBe(vmstat.nodeVmStat.buffer);
    expect(vmstat.globalZonePageState(NR_FREE_PAGES)).toBe(262144 - kernelPages);
    const before = vmstat.sumVmEvent(PGALLOC_DMA);
    const pfn = b.allocPages(GFP_KERNEL, 2, 0);
    expect(vmstat.sumVmEvent(PGALLOC_DMA) - before).toBe(4);
    expect(vmstat.zonePageState(pa.zones[0]!.id, NR_FREE_PAGES)).toBe(pa.zones[0]!.vmStat[NR_FREE_PAGES]);
    // PageAllocator.modNodePageState (pages) reaches the same node counter the service reads
    b.modNodePageState(pfn, NR_PAGETABLE, 3);
    expect(vmstat.nodePageState(0, NR_PAGETABLE)).toBe(3);
    expect(vmstat.globalNodePageState(NR_PAGETABLE)).toBe(3);
    b.modNodePageState(pfn, NR_PAGETABLE, -3);
    expect(b.freePages(pfn, 2, 0)).toBe(0);
    expectValid(b, "counted through the service");
    // thresholds of the populated zone and its node (refresh_zone_stat_thresholds)
    expect(vmstat.zoneStatThreshold[0]).toBe(16);
    expect(vmstat.nodeStatThreshold[0]).toBe(16);
  });

  it("refuses a VmStat sized for another number of nodes", () => {
    const zs = virtZoneSizes(RAM + SZ_1G);
    expect(() => createBuddyAllocator({ nrCpus: 1, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), pfnDown(RAM + SZ_1G)]] }], maxZonePfn: zs.maxZonePfn, vmstat: new VmStat(2) }))
      .toThrow(/buddy\.PageAllocState: vmstat: expected a VmStat sized for the config's 1 node\(s\), got one for 2/);
  });

  it("an unmovable allocation steals a movable pageblock, and says so in mm_page_alloc_extfrag", () => {
    const clock = new SimClock();
    const trace = new TraceBus(clock);
    const rec = new TraceRecorder(trace, [TP_MM_PAGE_ALLOC_EXTFRAG]);
    const b = boot1G({ trace });
    const pfn = b.allocPages(GFP_KERNEL, 0, 0);
    expect(getPfnblockMigratetype(b.state.pageblock, pfn)).toBe(MIGRATE_UNMOVABLE);
    const ev = rec.events[0]!;
    expect(ev.fields.alloc_migratetype).toBe(MIGRATE_UNMOVABLE);
    expect(ev.fields.fallback_migratetype).toBe(MIGRATE_MOVABLE);
    expect(ev.fields.change_ownership).toBe(1);
    const movable = b.allocPages(GFP_HIGHUSER_MOVABLE, 0, 0);
    expect(getPfnblockMigratetype(b.state.pageblock, movable)).toBe(MIGRATE_MOVABLE);
    expect(Math.floor(movable / PAGEBLOCK_NR_PAGES)).not.toBe(Math.floor(pfn / PAGEBLOCK_NR_PAGES));
    expectValid(b, "steal");
  });

  it("high orders split and merge back to the same free areas", () => {
    const b = boot1G();
    const before = Array.from(b.state.zones[0]!.nrFree);
    const p3 = b.allocPages(GFP_KERNEL, 3, 0);
    const p10 = b.allocPages(GFP_HIGHUSER_MOVABLE, 10, 1);
    expect(p3 % 8).toBe(0);
    expect(p10 % 1024).toBe(0);
    expectValid(b, "split");
    b.freePages(p3, 3, 0);
    b.freePages(p10, 10, 1);
    // drain the pcp lists so every block is back in the buddy lists
    for (const z of b.state.zones) for (const pcp of z.pageset) expect(pcp.count).toBeGreaterThanOrEqual(0);
    expectValid(b, "merge");
    expect(b.state.zones[0]!.nrFree[10]).toBeGreaterThanOrEqual(before[10]! - 1);
  });

  it("runs out like the kernel: the slow path wakes kswapd, reclaims, tries OOM, then warns", () => {
    const log = new KernelLog();
    const b = boot1G({ log, bytes: SMALL_BOARD });
    let n = 0;
    while (b.allocPages(GFP_KERNEL | __GFP_NOWARN, 0, 0) !== NIL_PFN) n++;
    const zone = b.state.zones[0]!;
    expect(n).toBeGreaterThan(0);
    // GFP_KERNEL stops at the min watermark (no ALLOC_HARDER), so min pages are left
    expect(zone.vmStat[NR_FREE_PAGES]).toBeGreaterThan(zone.watermark[0]! / 2);
    expect(b.state.hookCalls[HOOK_WAKEUP_KSWAPD]).toBeGreaterThan(0);
    expect(b.state.hookCalls[HOOK_DIRECT_RECLAIM]).toBeGreaterThan(0);
    expect(b.state.hookCalls[HOOK_OUT_OF_MEMORY]).toBeGreaterThan(0);
    expect(log.dmesg()).not.toContain("page allocation failure");
    expect(b.allocPages(GFP_KERNEL, 0, 1)).toBe(NIL_PFN);
    expect(log.dmesg()).toContain("swapper/0: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0");
    // GFP_ATOMIC may dip below min
    expect(b.allocPages(GFP_ATOMIC, 0, 0)).not.toBe(NIL_PFN);
    expectValid(b, "exhaustion");
  });

  it("freeing what was never allocated is reported, not corrupting", () => {
    const log = new KernelLog();
    const b = boot1G({ log });
    const free = b.state.zones[0]!.vmStat[NR_FREE_PAGES];
    expect(b.freePages(0x50000, 0, 0)).toBe(-22);
    expect(log.dmesg()).toContain("BUG: Bad page state in process swapper/0  pfn:50000");
    expect(b.state.zones[0]!.vmStat[NR_FREE_PAGES]).toBe(free);
    expect(() => b.freePages(0x10, 0, 0)).toThrow(/buddy.freePages: pfn: expected a PFN of this machine's RAM/);
    expectValid(b, "bad free");
  });

  it("activates the CMA area: MIGRATE_CMA pageblocks, managed and cma pages, movable allocations may use them", () => {
    const b = boot1G({ cma: true });
    const zone = b.state.zones[0]!;
    const cmaPages = (CMA[1] - CMA[0]) / 4096;
    const managedBefore = zone.managedPages;
    b.cmaActivateArea(CMA[0] / 4096, cmaPages);
    expect(zone.cmaPages).toBe(16384); // proc_zoneinfo: "cma      16384"
    expect(zone.managedPages).toBe(managedBefore + cmaPages);
    expect(b.state.totalramPages).toBe(managedBefore + cmaPages);
    expect(getPfnblockMigratetype(b.state.pageblock, CMA[0] / 4096)).toBe(MIGRATE_CMA);
    // Order-9 frees go through the THP pcp list and drain past pcp high (3520), as in 6.1:
    // the capture's nr_free_cma 16288 < 16384 has the same cause.
    expect(zone.vmStat[NR_FREE_CMA_PAGES]! + zone.pageset[0]!.count).toBe(cmaPages);
    expectValid(b, "CMA activation");
    // Unmovable allocations never get CMA pages; movable ones do once CMA holds over half the free memory.
    for (let i = 0; i < 2000; i++) {
      const pfn = b.allocPages(GFP_KERNEL, 0, 0);
      expect(getPfnblockMigratetype(b.state.pageblock, pfn)).not.toBe(MIGRATE_CMA);
    }
    expect(() => b.cmaActivateArea(CMA[0] / 4096 + 1, 512)).toThrow(/pageblock-aligned/);
    expectValid(b, "CMA allocations");
  });

  it("a high-order atomic allocation that needs the slow path reserves its pageblock as MIGRATE_HIGHATOMIC", () => {
    const b = boot1G({ bytes: SMALL_BOARD });
    const zone = b.state.zones[0]!;
    // Below the low watermark the fast path fails; only gfp_to_alloc_flags() adds ALLOC_HARDER.
    while (b.allocPages(GFP_KERNEL | __GFP_NOWARN, 0, 0) !== NIL_PFN);
    expect(zone.vmStat[NR_FREE_PAGES]).toBeLessThan(zone.lowWmarkPages());
    const pfn = b.allocPages(GFP_ATOMIC, 2, 0);
    expect(pfn).not.toBe(NIL_PFN);
    expect(getPfnblockMigratetype(b.state.pageblock, pfn)).toBe(MIGRATE_HIGHATOMIC);
    expect(zone.nrReservedHighatomic).toBe(PAGEBLOCK_NR_PAGES);
    expectValid(b, "highatomic");
  });

  it("stealing below pageblock order boosts the watermark (watermark_boost_factor); whole blocks do not", () => {
    const b = boot1G({ bytes: SMALL_BOARD });
    const zone = b.state.zones[0]!;
    b.allocPages(GFP_KERNEL, 0, 0); // steals a whole order-10 block: change_pageblock_range, no boost
    expect(zone.watermarkBoost).toBe(0);
    // Fill all memory (__GFP_MEMALLOC ignores watermarks), then free every other page of the
    // movable pageblocks: only order-0 movable blocks are free.
    const pfns: number[] = [];
    for (let pfn; (pfn = b.allocPages(GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC | __GFP_NOWARN, 0, 1)) !== NIL_PFN; ) pfns.push(pfn);
    expect(zone.vmStat[NR_FREE_PAGES]).toBe(0);
    for (let i = 0; i < pfns.length; i += 2) {
      if (getPfnblockMigratetype(b.state.pageblock, pfns[i]!) === MIGRATE_MOVABLE) b.freePages(pfns[i]!, 0, 1);
    }
    // (the fill itself fell back below pageblock order when movable ran out, boosting already)
    const boost = zone.watermarkBoost;
    // CPU 1's unmovable pcp list is empty and no unmovable block is free: each of rmqueue_bulk's
    // batch of __rmqueue calls may fall back at order 0, boosting by one pageblock each time.
    b.allocPages(GFP_KERNEL, 0, 1);
    // boost_watermark(): + pageblock_nr_pages each time, up to max_boost = max(pageblock_nr_pages,
    // high × watermark_boost_factor / 10000). On this 128 MiB board THP is off (hugepage_init:
    // totalram < 512 MiB), so the high watermark is small and max_boost is one pageblock.
    const maxBoost = Math.max(PAGEBLOCK_NR_PAGES, Math.floor((zone.watermark[2]! * 15000) / 10000));
    const grown = zone.watermarkBoost - boost;
    expect(grown).toBeGreaterThan(0);
    expect(grown % PAGEBLOCK_NR_PAGES === 0 || zone.watermarkBoost === maxBoost).toBe(true);
    expect(zone.watermarkBoost).toBeLessThanOrEqual(maxBoost);
    expect(zone.wmarkPages(0)).toBe(zone.watermark[0]! + zone.watermarkBoost);
    expectValid(b, "boost");
  });

  it("before page_alloc_init_late, a zone whose watermark fails grows by deferred sections", () => {
    const clock = new SimClock();
    const zs = virtZoneSizes(RAM + SZ_1G);
    const config = { nrCpus: 2, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), pfnDown(RAM + SZ_1G)] as const] }], maxZonePfn: zs.maxZonePfn };
    const mem = new MemMap({ basePfn: pfnDown(RAM), nrPages: 262144, nrListHeads: PageAllocState.listHeadsNeeded(1, 2) });
    const hooks = noOpHooks();
    const b = new BuddyAllocator(mem, config, clock, new CostModel(), new TraceBus(clock), new KernelLog(clock), hooks.kswapd, hooks.compactor, hooks.reclaimer, hooks.oom, new VmStat(1));
    b.freeAreaInit();
    b.buildAllZonelists();
    const memblock = new Memblock(new KernelLog());
    memblock.memblockAdd(RAM, SZ_1G);
    memblock.memblockReserve(KERNEL[0], KERNEL[1] - KERNEL[0]);
    memblock.memblockFreeAll(b);
    b.setupPerCpuPageset();
    b.initPerZoneWmarkMin();
    const zone = b.state.zones[0]!;
    const early = zone.vmStat[NR_FREE_PAGES]!;
    expect(early).toBe(32768 - kernelPages); // the first section (128 MiB) is initialised early
    let n = 0;
    while (n < early + 20000 && b.allocPages(GFP_KERNEL | __GFP_NOWARN, 0, 0) !== NIL_PFN) n++;
    expect(n).toBe(early + 20000);
    expect(b.state.pgdat[0]!.firstDeferredPfn).toBeGreaterThan(pfnDown(RAM) + 32768);
    expectValid(b, "grown before late init");
    b.pageAllocInitLate();
    expect(b.state.deferredPages).toBe(false);
    expect(zone.managedPages).toBe(262144 - kernelPages);
    expectValid(b, "late init after growth");
  });

  it("a hook that allocates gets an alloc_context of its own; one that throws leaves the allocator as it was", () => {
    const trace = new TraceBus(new SimClock());
    const b = boot1G({ trace });
    const pa = b.state;
    /** Allocates until GFP_KERNEL fails, largest blocks first (few calls): [pfn, order] of each. */
    const fill = (held: [number, number][]) => {
      for (let order = 10; order >= 0; order--) for (let pfn; (pfn = b.allocPages(GFP_KERNEL | __GFP_NOWARN, order, 0)) !== NIL_PFN; ) held.push([pfn, order]);
    };
    const release = (held: [number, number][], pages: number) => {
      for (let freed = 0; freed < pages; ) {
        const [pfn, order] = held.pop()!;
        b.freePages(pfn, order, 0);
        freed += 1 << order;
      }
      drainAllPages(pa);
    };
    // Below the min watermark GFP_KERNEL takes the slow path, and direct reclaim is called.
    const held: [number, number][] = [];
    fill(held);
    let nested = NIL_PFN;
    pa.hooks.reclaimer = {
      // "Reclaims" 256 pages, then allocates one for itself, movable, on the other CPU.
      tryToFreePages: () => {
        release(held, 256);
        nested = b.allocPages(GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC, 0, 1);
        return 256;
      },
      zoneReclaimablePages: () => 0,
    };
    const reclaims = pa.hookCalls[HOOK_DIRECT_RECLAIM]!;
    const rec = new TraceRecorder(trace, [TP_MM_PAGE_ALLOC]);
    const outer = b.allocPages(GFP_KERNEL, 0, 0);
    rec.stop();
    expect(outer).not.toBe(NIL_PFN);
    expect(nested).not.toBe(NIL_PFN);
    expect(pa.hookCalls[HOOK_DIRECT_RECLAIM]).toBe(reclaims + 1);
    // The nested allocation (movable) used level 1; the outer one kept its own context (unmovable).
    expect(rec.events.map((e) => [e.fields.pfn, e.fields.migratetype])).toEqual([[nested, MIGRATE_MOVABLE], [outer, MIGRATE_UNMOVABLE]]);
    expect(pa.acDepth).toBe(0);
    expect(pa.acStack.length).toBeGreaterThanOrEqual(2);

    pa.hooks.reclaimer = noOpHooks().reclaimer;
    fill(held);
    pa.hooks.reclaimer = {
      tryToFreePages: () => {
        throw new Error("reclaim failed");
      },
      zoneReclaimablePages: () => 0,
    };
    expect(() => b.allocPages(GFP_KERNEL, 0, 0)).toThrow("reclaim failed");
    expect(pa.acDepth).toBe(0);
    // The allocator goes on as before, at level 0.
    release(held, 256);
    expect(b.allocPages(GFP_KERNEL, 0, 0)).not.toBe(NIL_PFN);
    expectValid(b, "after a hook threw");
  });

  it("two machines in one process share no allocator state", () => {
    // The same steps on one machine alone, and on another while a third runs between its steps,
    // give the same pages and counters (fallback stealing uses canSteal and numMovable).
    const run = (b: BuddyAllocator, step: number) => b.allocPages(step % 3 === 0 ? GFP_KERNEL : GFP_HIGHUSER_MOVABLE, step % 4, step % 2);
    const alone = boot1G();
    const a = Array.from({ length: 300 }, (_, i) => run(alone, i));
    const b = boot1G();
    const other = boot1G();
    const got = Array.from({ length: 300 }, (_, i) => {
      run(other, i + 1);
      return run(b, i);
    });
    expect(got).toEqual(a);
    expect(Array.from(b.state.vmEvents)).toEqual(Array.from(alone.state.vmEvents));
    expect(b.state.acStack).not.toBe(other.state.acStack);
  });
});
