// mmsim: tests of compaction (mm/compaction.c, 6.1) on a bare buddy allocator fragmented by the test's own movable pages
import {
  COMPACTFAIL, COMPACTFREE_SCANNED, COMPACT_CONTINUE, COMPACTISOLATED, COMPACTMIGRATE_SCANNED, COMPACTSTALL, COMPACTSUCCESS, COMPACT_DEFERRED,
  COMPACT_PARTIAL_SKIPPED, COMPACT_PRIO_ASYNC, COMPACT_SKIPPED, COMPACT_SUCCESS, GFP_KERNEL, GFP_NOIO, KCOMPACTD_WAKE, NR_FREE_PAGES, PG_swapcache, __GFP_MOVABLE,
} from "@mmsim/core";
import { type BuddyAllocator, getPageblockSkip, noOpHooks, validateBuddy } from "@mmsim/buddy";
import { describe, expect, it } from "vitest";
import { Compaction } from "./compaction.ts";
import { OwnedPagesMigrator, bootBoard, fragment, freeBlocksAtLeast } from "./compaction.test-helpers.ts";
import { ContigPageInfo, extfragShow, fragmentationIndex, fragmentationIndexOf, unusableShow } from "./extfrag.ts";

const SZ_64M = 64 * 1024 * 1024;
const SZ_128M = 128 * 1024 * 1024;

function setup(bytes = SZ_64M): { b: BuddyAllocator; m: OwnedPagesMigrator; comp: Compaction } {
  const b = bootBoard(bytes);
  const m = fragment(b);
  const comp = new Compaction({ pa: b.state, vmstat: b.state.vmstat, clock: b.state.clock, trace: b.state.trace, migrator: () => m, lru: () => null });
  b.setHooks({ ...noOpHooks(), compactor: { tryToCompactPages: (g, o, f, n, h, p) => comp.tryToCompactPagesFromAllocator(g, o, f, n, h, p), compactionDeferReset: (z, o) => comp.allocSucceeded(z, o) } });
  return { b, m, comp };
}

function expectValid(b: BuddyAllocator): void {
  const problems: string[] = [];
  validateBuddy(b.state, { report: (w, p) => problems.push(`${w}: ${p}`) });
  expect(problems).toEqual([]);
}

/** The tags of the owned pages, sorted: migration must keep every one. */
function tags(m: OwnedPagesMigrator): number[] {
  return [...m.owned.values()].sort((x, y) => x - y);
}

describe("compact_zone over a fragmented zone", () => {
  // About 1 s on an idle core (a 128 MiB board filled page by page, 12,000 pages migrated); a
  // loaded 2-core CI host may take several times that, hence the generous limit.
  it("compact_memory (compact_nodes): order-0 holes become high-order blocks, every page's content kept", { timeout: 60_000 }, () => {
    const { b, m, comp } = setup(SZ_128M);
    expect(freeBlocksAtLeast(b, 4)).toBe(0);
    const before = tags(m);
    const free = b.state.zones[0]!.vmStat[NR_FREE_PAGES]!;
    comp.compactNodes();
    expect(tags(m)).toEqual(before);
    expect(m.migrated).toBeGreaterThan(1000);
    // Pages migrated to the zone's end: the low half of the zone is free in large blocks.
    // (96 MiB usable beside the 32 MiB kernel image, half of it free: 12 order-9 blocks and more
    // where the scanners met; the pcp list holds what the last migrations freed.)
    expect(freeBlocksAtLeast(b, 9)).toBeGreaterThanOrEqual(10);
    const ev = b.state.vmEvents;
    expect(ev[COMPACTMIGRATE_SCANNED]).toBeGreaterThan(m.migrated);
    expect(ev[COMPACTFREE_SCANNED]).toBeGreaterThan(0);
    expect(ev[COMPACTISOLATED]).toBeGreaterThanOrEqual(2 * m.migrated); // sources and targets
    // compact_memory does not drain: what the migrations freed last may sit on the pcp list.
    const pcp = b.state.zones[0]!.pageset[0]!.count;
    expect(b.state.zones[0]!.vmStat[NR_FREE_PAGES]! + pcp).toBe(free);
    // The owned pages sit at the zone's top: the migrate scanner went up, the free scanner down.
    const pfns = [...m.owned.keys()];
    const zone = b.state.zones[0]!;
    const above = pfns.filter((p) => p >= zone.zoneStartPfn + zone.spannedPages / 2).length;
    expect(above / pfns.length).toBeGreaterThan(0.9);
    expectValid(b);
    expect(comp.compactZoneRuns).toBe(1);
  });

  it("a direct compaction makes a failing order-4 allocation succeed (compact_stall, compact_success)", () => {
    const { b, comp } = setup();
    const gfp = GFP_KERNEL | __GFP_MOVABLE;
    const pfn = b.allocPages(gfp, 4, 0);
    expect(pfn).toBeGreaterThan(0);
    expect(pfn % 16).toBe(0);
    const ev = b.state.vmEvents;
    expect(ev[COMPACTSTALL]).toBe(1);
    expect(ev[COMPACTSUCCESS]).toBe(1);
    expect(ev[COMPACTFAIL]).toBe(0);
    expect(b.state.hookCalls[1]).toBe(1);
    // The async run stopped early (compact_finished: a block of the order is free), not at the zone's end.
    expect(ev[COMPACTMIGRATE_SCANNED]).toBeLessThan(b.state.zones[0]!.spannedPages / 4);
    expect(comp.zones[0]!.deferShift).toBe(0);
    expect(comp.zones[0]!.orderFailed).toBe(5); // compaction_defer_reset(zone, 4, true)
    expectValid(b);
  });

  it("without a migrator nothing moves, and sync compaction defers the zone", () => {
    const b = bootBoard(SZ_64M);
    fragment(b);
    const comp = new Compaction({ pa: b.state, vmstat: b.state.vmstat, clock: b.state.clock, trace: b.state.trace, migrator: () => null, lru: () => null });
    const r = comp.tryToCompactPages(GFP_KERNEL | __GFP_MOVABLE, 4, 0x1 /* ALLOC_WMARK_MIN */, 0, 3, 1 /* SYNC_LIGHT */);
    // The scanners met; the migrate scanner started from the cached position, not from
    // compact_init_migrate_pfn's whole-zone mark: COMPACT_PARTIAL_SKIPPED, and sync-light defers.
    expect(r).toBe(COMPACT_PARTIAL_SKIPPED);
    expect(comp.zones[0]!.deferShift).toBe(1);
    expect(comp.zones[0]!.orderFailed).toBe(0);
    // deferred: the next attempt is skipped (1 << 1 = 2 attempts counted before it may run again)
    expect(comp.tryToCompactPages(GFP_KERNEL | __GFP_MOVABLE, 4, 1, 0, 3, 1)).toBe(COMPACT_DEFERRED);
    expect(freeBlocksAtLeast(b, 4)).toBe(0);
    expectValid(b);
  });

  it("kswapd's reset_isolation_suitable clears the skip hints a direct compaction left when it ran to the end", () => {
    const b = bootBoard(SZ_64M);
    fragment(b);
    const comp = new Compaction({ pa: b.state, vmstat: b.state.vmstat, clock: b.state.clock, trace: b.state.trace, migrator: () => null, lru: () => null });
    const skipped = () => {
      const zone = b.state.zones[0]!;
      let n = 0;
      for (let pfn = zone.zoneStartPfn; pfn < zone.zoneEndPfn; pfn += 512) if (getPageblockSkip(b.state.pageblock, pfn)) n++;
      return n;
    };
    expect(skipped()).toBe(0);
    comp.tryToCompactPages(GFP_KERNEL | __GFP_MOVABLE, 4, 1, 0, 3, 1);
    expect(comp.zones[0]!.blockskipFlush).toBe(true);
    const marked = skipped();
    expect(marked).toBeGreaterThan(4); // the pageblocks it found nothing to isolate in
    comp.resetIsolationSuitable(0);
    expect(comp.zones[0]!.blockskipFlush).toBe(false);
    expect(skipped()).toBeLessThan(marked);
  });

  it("GFP_NOIO may not compact (COMPACT_SKIPPED), nor order 0 where the watermark holds (COMPACT_SUCCESS at once)", () => {
    const { comp } = setup();
    expect(comp.tryToCompactPages(GFP_NOIO, 4, 1, 0, 3, COMPACT_PRIO_ASYNC)).toBe(COMPACT_SKIPPED);
    expect(comp.tryToCompactPages(GFP_KERNEL, 0, 1, 0, 3, COMPACT_PRIO_ASYNC)).toBe(COMPACT_SUCCESS);
  });

  it("a pinned anonymous page (refcount above its mapcount) is not isolated", () => {
    const b = bootBoard(SZ_64M);
    const m = fragment(b);
    const mem = b.state.mem;
    const pinned = [...m.owned.keys()].sort((x, y) => x - y)[0]!;
    const page = mem.pfnToPage(pinned);
    mem.mapping[page] = -1; // anonymous, unmapped (mapcount 0) with a pin: refcount 2
    mem.refcount[page] = 2;
    const comp = new Compaction({ pa: b.state, vmstat: b.state.vmstat, clock: b.state.clock, trace: b.state.trace, migrator: () => m, lru: () => null });
    comp.compactNodes();
    expect(m.owned.has(pinned)).toBe(true);
    expect(m.migrated).toBeGreaterThan(1000); // the others moved
    mem.mapping[page] = 1;
    mem.refcount[page] = 1;
  });

  it("an anonymous page mapped once, or in the swap cache with its cache reference, is not pinned: it moves", () => {
    const b = bootBoard(SZ_64M);
    const m = fragment(b);
    const mem = b.state.mem;
    const [mapped, cached] = [...m.owned.keys()].sort((x, y) => x - y);
    const tagMapped = m.owned.get(mapped!)!;
    const tagCached = m.owned.get(cached!)!;
    for (const pfn of [mapped!, cached!]) {
      const page = mem.pfnToPage(pfn);
      mem.mapping[page] = -1; // anonymous
      mem.mapcount[page] = 0; // mapped once
    }
    const cachedPage = mem.pfnToPage(cached!);
    mem.flags[cachedPage]! |= 1 << PG_swapcache;
    mem.refcount[cachedPage] = 2; // the mapping's and the swap cache's
    const comp = new Compaction({ pa: b.state, vmstat: b.state.vmstat, clock: b.state.clock, trace: b.state.trace, migrator: () => m, lru: () => null });
    comp.compactNodes();
    expect(m.owned.has(mapped!)).toBe(false);
    expect(m.owned.has(cached!)).toBe(false);
    const moved = (tag: number) => [...m.owned].find(([, t]) => t === tag)![0];
    expect(mem.mapcount[mem.pfnToPage(moved(tagMapped))]).toBe(0);
    expect(mem.refcount[mem.pfnToPage(moved(tagCached))]).toBe(2);
  });

  it("kcompactd: woken for an order, it compacts until a block of it is free and counts compact_daemon_*", () => {
    const { b, comp } = setup();
    comp.wakeupKcompactd(0, 4, 3);
    expect(comp.kcompactdPending(0)).toBe(true);
    comp.kcompactdRun(0);
    expect(comp.kcompactdPending(0)).toBe(false);
    const ev = b.state.vmEvents;
    expect(ev[KCOMPACTD_WAKE]).toBe(1);
    expect(freeBlocksAtLeast(b, 4)).toBeGreaterThan(0);
    expect(comp.nodes[0]!.maxOrder).toBe(0);
    // order 0 never wakes it
    comp.wakeupKcompactd(0, 0, 3);
    expect(comp.kcompactdPending(0)).toBe(false);
    expectValid(b);
  });

  it("proactive compaction: a score above 100 - proactiveness + 10 compacts down to 100 - proactiveness", () => {
    const { b, comp } = setup();
    expect(comp.fragmentationScoreNode(0)).toBeGreaterThan(comp.fragmentationScoreWmark(false));
    comp.kcompactdTimer(0);
    expect(comp.fragmentationScoreZone(b.state.zones[0]!)).toBeLessThanOrEqual(comp.fragmentationScoreWmark(true));
    // no compact_daemon_* counting from proactive compaction in 6.1
    expect(b.state.vmEvents[KCOMPACTD_WAKE]).toBe(0);
    comp.setCompactionProactiveness(0);
    expect(comp.shouldProactiveCompactNode(0)).toBe(false);
  });

  it("deferral: defer_compaction doubles the skipped attempts up to 64; success resets it", () => {
    const { b, comp } = setup();
    const zone = b.state.zones[0]!;
    for (let i = 0; i < 8; i++) comp.deferCompaction(zone, 4);
    expect(comp.zones[0]!.deferShift).toBe(6);
    let skipped = 0;
    while (comp.compactionDeferred(zone, 4)) skipped++;
    expect(skipped).toBe(63);
    expect(comp.compactionDeferred(zone, 3)).toBe(false); // below compact_order_failed
    comp.compactionDeferReset(zone, 4, true);
    expect(comp.zones[0]!.deferShift).toBe(0);
    expect(comp.compactionDeferred(zone, 9)).toBe(false);
  });
});

describe("fragmentation index and the extfrag files", () => {
  it("computes __fragmentation_index as 6.1 (integer arithmetic)", () => {
    const info = new ContigPageInfo();
    info.freePages = 1000;
    info.freeBlocksTotal = 1000;
    expect(fragmentationIndexOf(4, info)).toBe(937); // 1000 - (1000 + 62500) / 1000
    info.freeBlocksSuitable = 1;
    expect(fragmentationIndexOf(4, info)).toBe(-1000);
    expect(fragmentationIndexOf(4, new ContigPageInfo())).toBe(0);
  });

  it("prints unusable_index and extfrag_index with the kernel's formats", () => {
    const b = bootBoard(SZ_64M);
    const boot = unusableShow(b.state);
    expect(boot).toMatch(/^Node 0, zone {6}DMA (\d\.\d{3} ){11}\n$/);
    expect(extfragShow(b.state)).toMatch(/^Node 0, zone {6}DMA (-1\.000 ){11}\n$/);
    fragment(b);
    const lines = extfragShow(b.state);
    expect(lines).toMatch(/^Node 0, zone {6}DMA (( \d|-1)\.\d{3} ){11}\n$/);
    // free memory is in blocks below order 4 now: order 0 can be served (-1.000), order 4 fails for fragmentation
    const fields = lines.trim().split(/\s+/).slice(4);
    expect(fields[0]).toBe("-1.000");
    expect(Number(fields[4])).toBeGreaterThan(0.9);
    expect(fragmentationIndex(b.state.zones[0]!, 4)).toBeGreaterThan(900);
    const unusable = unusableShow(b.state).trim().split(/\s+/).slice(4);
    expect(unusable[0]).toBe("0.000");
    expect(unusable.slice(4)).toEqual(Array(7).fill("1.000"));
  });

  it("a failed costly allocation with too little memory is not compacted (fragindex ≤ extfrag_threshold)", () => {
    const { b, comp } = setup();
    comp.extfragThreshold = 1000;
    expect(comp.compactionSuitable(b.state.zones[0]!, 4, 1, 3)).toBe(COMPACT_SKIPPED);
    comp.extfragThreshold = 500;
    expect(comp.compactionSuitable(b.state.zones[0]!, 4, 1, 3)).toBe(COMPACT_CONTINUE);
  });
});
