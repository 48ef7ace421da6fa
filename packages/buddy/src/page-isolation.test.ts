// mmsim: page isolation (mm/page_isolation.c) on a bare allocator with a CMA area — MIGRATE_ISOLATE pageblocks take their free pages out of the free counters, frees into them stay there, test_pages_isolated, undo gives everything back and merges
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, MIGRATE_CMA, MIGRATE_ISOLATE, NR_FREE_CMA_PAGES, NR_FREE_PAGES, PAGEBLOCK_NR_PAGES, PG_reserved, VmStat, pfnDown } from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { createBuddyAllocator } from "./buddy-allocator.ts";
import { drainAllPages } from "./page-alloc.ts";
import { hasUnmovablePages, startIsolatePageRange, testPagesIsolated, undoIsolatePageRange } from "./page-isolation.ts";
import { getPfnblockMigratetype } from "./pageblock-flags.ts";

const RAM = 0x40000000;
const MiB = 1024 * 1024;

/** 64 MiB, one node, a 16 MiB CMA area at 32 MiB. */
function rig() {
  const vmstat = new VmStat(1);
  const end = pfnDown(RAM + 64 * MiB);
  const cmaBase = pfnDown(RAM + 32 * MiB);
  const b = createBuddyAllocator({
    nrCpus: 1, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), end]] }], maxZonePfn: [end, end, end, 0],
    reserved: [[RAM, RAM + 4 * MiB], [RAM + 32 * MiB, RAM + 48 * MiB]], vmstat, deferredStructPageInit: false,
  });
  b.cmaActivateArea(cmaBase, 4096);
  drainAllPages(b.state);
  const zone = b.state.pageZone(b.state.mem.pfnToPage(cmaBase));
  const check = () => {
    const sink = new CollectingSink();
    b.validate(sink);
    expect(sink.toString()).toBe("");
  };
  return { b, vmstat, cmaBase, zone, check };
}

describe("page isolation", () => {
  it("isolates two CMA pageblocks: their free pages leave NR_FREE_PAGES / NR_FREE_CMA_PAGES; undo brings them back", () => {
    const { b, cmaBase, zone, check } = rig();
    const free0 = zone.vmStat[NR_FREE_PAGES]!;
    const cma0 = zone.vmStat[NR_FREE_CMA_PAGES]!;
    expect(cma0).toBe(4096);
    expect(startIsolatePageRange(b.state, cmaBase + 100, cmaBase + 2 * PAGEBLOCK_NR_PAGES - 3, MIGRATE_CMA)).toBe(0);
    for (const p of [cmaBase, cmaBase + PAGEBLOCK_NR_PAGES]) expect(getPfnblockMigratetype(b.state.pageblock, p)).toBe(MIGRATE_ISOLATE);
    expect(getPfnblockMigratetype(b.state.pageblock, cmaBase + 2 * PAGEBLOCK_NR_PAGES)).toBe(MIGRATE_CMA);
    expect(zone.nrIsolatePageblock).toBe(2);
    expect(zone.vmStat[NR_FREE_PAGES]).toBe(free0 - 1024);
    expect(zone.vmStat[NR_FREE_CMA_PAGES]).toBe(cma0 - 1024);
    expect(testPagesIsolated(b.state, cmaBase, cmaBase + 1024)).toBe(0);
    // a second isolation of the same pageblock is refused (set_migratetype_isolate: already isolated)
    expect(startIsolatePageRange(b.state, cmaBase, cmaBase + 1, MIGRATE_CMA)).toBe(-16);
    check();
    undoIsolatePageRange(b.state, cmaBase + 100, cmaBase + 2 * PAGEBLOCK_NR_PAGES - 3, MIGRATE_CMA);
    expect(zone.nrIsolatePageblock).toBe(0);
    expect(zone.vmStat[NR_FREE_PAGES]).toBe(free0);
    expect(zone.vmStat[NR_FREE_CMA_PAGES]).toBe(cma0);
    check();
  });

  it("a page allocated in the range fails test_pages_isolated; freed into the isolated pageblock it stays out of the counters until undo", () => {
    const { b, cmaBase, zone, check } = rig();
    // fill the non-CMA memory first so that a movable allocation falls back to CMA
    let pfn = -1;
    for (let i = 0; i < 20000 && !(pfn >= cmaBase && pfn < cmaBase + 4096); i++) {
      pfn = b.allocPages(GFP_HIGHUSER_MOVABLE, 0, 0);
      if (pfn < 0) break;
    }
    expect(pfn).toBeGreaterThanOrEqual(cmaBase);
    expect(pfn).toBeLessThan(cmaBase + 4096);
    const block = pfn - (pfn % PAGEBLOCK_NR_PAGES);
    expect(startIsolatePageRange(b.state, block, block + PAGEBLOCK_NR_PAGES, MIGRATE_CMA)).toBe(0);
    expect(testPagesIsolated(b.state, block, block + PAGEBLOCK_NR_PAGES)).toBe(-16);
    const free1 = zone.vmStat[NR_FREE_PAGES]!;
    b.freePages(pfn, 0, 0); // free_unref_page: an isolated pageblock's page goes straight to the isolate list
    expect(zone.vmStat[NR_FREE_PAGES]).toBe(free1);
    drainAllPages(b.state);
    const free2 = zone.vmStat[NR_FREE_PAGES]!;
    // the other pages of the block that were allocated: free them too, then the block is all free
    for (let p = block; p < block + PAGEBLOCK_NR_PAGES; p++) {
      const page = b.state.mem.pfnToPage(p);
      if (b.state.mem.refcount[page]! > 0) b.freePages(p, 0, 0);
    }
    drainAllPages(b.state);
    expect(testPagesIsolated(b.state, block, block + PAGEBLOCK_NR_PAGES)).toBe(0);
    expect(zone.vmStat[NR_FREE_PAGES]).toBe(free2);
    undoIsolatePageRange(b.state, block, block + PAGEBLOCK_NR_PAGES, MIGRATE_CMA);
    expect(zone.vmStat[NR_FREE_PAGES]).toBe(free2 + PAGEBLOCK_NR_PAGES);
    check();
  });

  it("has_unmovable_pages: a CMA pageblock is movable only for a CMA isolation; a reserved page is unmovable; a kernel page off the LRU too", () => {
    const { b, cmaBase } = rig();
    expect(hasUnmovablePages(b.state, cmaBase, cmaBase + 512, MIGRATE_CMA)).toBe(-1);
    expect(hasUnmovablePages(b.state, cmaBase, cmaBase + 512, 1)).toBe(cmaBase);
    const base = pfnDown(RAM);
    expect(b.state.mem.flags[b.state.mem.pfnToPage(base)]! & (1 << PG_reserved)).not.toBe(0);
    expect(hasUnmovablePages(b.state, base, base + 512, 1)).toBe(base);
    const k = b.allocPages(GFP_KERNEL, 0, 0);
    const blk = k - (k % 512);
    expect(hasUnmovablePages(b.state, blk, blk + 512, 1)).toBeGreaterThanOrEqual(blk);
    expect(startIsolatePageRange(b.state, blk, blk + 512, 1)).toBe(-16);
  });
});
