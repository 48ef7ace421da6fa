// mmsim: unit tests of the LRU (per-CPU batches, use-once), the classic policy (get_scan_count, shrink lists, workingset refaults) and shrink_folio_list (file pages, anonymous pages through a fake swap) on a small machine; validate() after each
import {
  GFP_HIGHUSER_MOVABLE, NR_ACTIVE_FILE, NR_FREE_PAGES, NR_INACTIVE_ANON, NR_INACTIVE_FILE, PGACTIVATE, PGSCAN_DIRECT, PGSTEAL_ANON, PGSTEAL_DIRECT,
  PG_active, PG_lru, WORKINGSET_ACTIVATE_FILE, WORKINGSET_REFAULT_FILE, ALLOCSTALL_DMA, LRU_INACTIVE_FILE, ScanControl,
} from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { xaIsValue, xaToValue } from "@mmsim/filemap";
import { describe, expect, it } from "vitest";
import { SCAN_FILE, SCAN_FRACT, TwoListLru } from "./lru-policy.ts";
import { smallMachine, type SmallMachine } from "./reclaim.test-helpers.ts";
import { PAGEVEC_SIZE } from "./swap.ts";
import { EVICTION_MOD, UnpackedShadow, packShadow, refaultDistance, unpackShadow } from "./workingset.ts";

function expectValid(m: SmallMachine): void {
  const sink = new CollectingSink();
  m.vmscan.validate(sink);
  m.lru.validate(sink);
  expect(sink.problems).toEqual([]);
}
const node = (m: SmallMachine, item: number) => m.vmstat.nodeVmStat[item]!;

describe("shadow entries (workingset.c's pack_shadow)", () => {
  it("round-trip the counter, node, memcg id and workingset bit below 2^53", () => {
    const s = packShadow(1, 3, EVICTION_MOD + 12345, true);
    expect(Number.isSafeInteger(s)).toBe(true);
    const u = unpackShadow(s, new UnpackedShadow());
    expect([u.memcgid, u.nid, u.eviction, u.workingset]).toEqual([1, 3, 12345, true]);
    expect(refaultDistance(5, EVICTION_MOD - 3)).toBe(8); // the counter wraps as EVICTION_MASK does
  });
});

describe("the per-CPU folio batches (cpu_fbatches)", () => {
  it("keep new pages off the lists until PAGEVEC_SIZE are queued, then add them to the inactive file list", () => {
    const m = smallMachine();
    const pages = m.addFilePages(0, PAGEVEC_SIZE - 1);
    expect(node(m, NR_INACTIVE_FILE)).toBe(0);
    expect(pages.every((p) => (m.vfs.mem.flags[p]! & (1 << PG_lru)) === 0)).toBe(true);
    m.addFilePages(PAGEVEC_SIZE - 1, 1);
    expect(node(m, NR_INACTIVE_FILE)).toBe(PAGEVEC_SIZE);
    expect(m.lru.batched()).toBe(0);
    expectValid(m);
  });

  it("take a page out of its batch when its last reference goes (__page_cache_release)", () => {
    const m = smallMachine();
    const [p] = m.addFilePages(0, 1);
    expect(m.lru.batched()).toBe(1);
    m.lru.pageCacheRelease(p!);
    expect(m.lru.inBatch[p!]).toBe(0);
    m.lru.lruAddDrainAll();
    expect(node(m, NR_INACTIVE_FILE)).toBe(0);
    m.lru.folioAddLru(p!, 0); // put it back for the validator's count
    m.lru.lruAddDrainAll();
    expectValid(m);
  });
});

describe("use-once (folio_mark_accessed)", () => {
  it("activates a page on its second access, through the activate batch, counting pgactivate", () => {
    const m = smallMachine();
    const pages = m.addFilePages(0, 4);
    m.lru.lruAddDrainAll();
    m.lru.folioMarkAccessed(pages[0]!);
    expect(node(m, NR_ACTIVE_FILE)).toBe(0); // PG_referenced only
    m.lru.folioMarkAccessed(pages[0]!);
    expect(node(m, NR_ACTIVE_FILE)).toBe(0); // queued
    m.lru.lruAddDrainAll();
    expect(node(m, NR_ACTIVE_FILE)).toBe(1);
    expect(m.vmstat.vmEvents[PGACTIVATE]).toBe(1);
    expect(m.vfs.mem.flags[pages[0]!]! & (1 << PG_active)).not.toBe(0);
    expectValid(m);
  });
});

describe("get_scan_count", () => {
  it("scans file only without swap, and splits by swappiness with it", () => {
    const m = smallMachine({ swapPages: 1000 });
    m.addFilePages(0, 4096);
    for (let i = 0; i < 4096; i++) m.addAnonPage();
    m.lru.lruAddDrainAll();
    const sc = new ScanControl();
    sc.priority = 0;
    sc.reclaimIdx = 3;
    sc.maySwap = true;
    const nr = new Float64Array(5);
    sc.priority = 2;
    m.vmscan.swappiness = 60;
    m.policy.getScanCount(0, sc, nr);
    expect(m.policy.lastScanBalance).toBe(SCAN_FRACT);
    // ap = 60·1/1, fp = 140·1/1 with no cost yet: 4096 >> 2 = 1024 pages split 60:140
    expect(nr[0]).toBe(Math.floor((1024 * 60) / 200));
    expect(nr[LRU_INACTIVE_FILE]).toBe(Math.floor((1024 * 140) / 200));
    sc.maySwap = false;
    m.policy.getScanCount(0, sc, nr);
    expect(m.policy.lastScanBalance).toBe(SCAN_FILE);
    expect(nr[0]).toBe(0);
    expect(nr[LRU_INACTIVE_FILE]).toBe(1024);
    expectValid(m);
  });
});

describe("direct reclaim (try_to_free_pages)", () => {
  it("frees clean file pages from the inactive tail and leaves shadows that activate the page on a near refault", () => {
    const m = smallMachine();
    const pages = m.addFilePages(0, 2000);
    m.lru.lruAddDrainAll();
    const n = m.vmscan.tryToFreePages(GFP_HIGHUSER_MOVABLE, 0, 0, 3);
    expect(n).toBeGreaterThanOrEqual(32);
    expect(m.vmstat.vmEvents[ALLOCSTALL_DMA + 3]).toBe(1); // allocstall_movable: sc.reclaim_idx = gfp_zone(GFP_HIGHUSER_MOVABLE)
    expect(m.vmstat.vmEvents[PGSTEAL_DIRECT]).toBe(n);
    expect(m.vmstat.vmEvents[PGSCAN_DIRECT]).toBeGreaterThanOrEqual(n);
    // The oldest pages (index 0 first) went, leaving shadow entries in the file's xarray.
    const e = m.mapping.iPages.load(0);
    expect(xaIsValue(e)).toBe(true);
    expect(m.mapping.nrpages).toBe(2000 - n);
    expectValid(m);
    // Page 0 comes back: its refault distance (n − 0 evictions since) fits the workingset? The
    // active file list is empty, so the workingset is 0 pages: no activation.
    const [back] = m.addFilePages(0, 1);
    expect(node(m, WORKINGSET_REFAULT_FILE)).toBe(1);
    expect(node(m, WORKINGSET_ACTIVATE_FILE)).toBe(0);
    void back;
    void pages;
    void xaToValue;
  });

  it("activates a refaulting page whose distance fits the active file list", () => {
    const m = smallMachine();
    const pages = m.addFilePages(0, 3000);
    m.lru.lruAddDrainAll();
    // 1000 pages of the end become active (accessed twice).
    for (const p of pages.slice(2000)) {
      m.lru.folioMarkAccessed(p);
      m.lru.folioMarkAccessed(p);
    }
    m.lru.lruAddDrainAll();
    expect(node(m, NR_ACTIVE_FILE)).toBe(1000);
    m.vmscan.tryToFreePages(GFP_HIGHUSER_MOVABLE, 0, 0, 3);
    expect(xaIsValue(m.mapping.iPages.load(0))).toBe(true);
    m.addFilePages(0, 1);
    expect(node(m, WORKINGSET_ACTIVATE_FILE)).toBe(1);
    m.lru.lruAddDrainAll();
    expect(node(m, NR_ACTIVE_FILE)).toBe(1001);
    expectValid(m);
  });

  it("reclaims anonymous pages through SwapOps (add_to_swap, swap_writepage, the swap cache's shadow)", () => {
    const m = smallMachine({ swapPages: 4096 });
    for (let i = 0; i < 3000; i++) m.addAnonPage();
    m.lru.lruAddDrainAll();
    expect(node(m, NR_INACTIVE_ANON)).toBe(3000);
    const n = m.vmscan.tryToFreePages(GFP_HIGHUSER_MOVABLE, 0, 0, 3);
    expect(n).toBeGreaterThan(0);
    expect(m.vmstat.vmEvents[PGSTEAL_ANON]).toBe(n);
    expect(m.swap!.writes).toBe(n);
    expect(m.swap!.shadows.size).toBe(n);
    expect(node(m, NR_INACTIVE_ANON)).toBe(3000 - n);
    expectValid(m);
  });

  it("without swap leaves anonymous pages alone", () => {
    const m = smallMachine();
    for (let i = 0; i < 3000; i++) m.addAnonPage();
    m.lru.lruAddDrainAll();
    expect(m.vmscan.tryToFreePages(GFP_HIGHUSER_MOVABLE, 0, 0, 3)).toBe(0);
    expect(node(m, NR_INACTIVE_ANON)).toBe(3000);
    expectValid(m);
  });
});

describe("kswapd", () => {
  it("woken below the low watermark, runs balance_pgdat until the high watermark is met, then sleeps", () => {
    const m = smallMachine({ mib: 64 });
    // Fill memory with page cache until the allocator wakes kswapd (single CPU: kswapd runs when asked).
    let i = 0;
    while (!m.vmscan.kswapd[0]!.awake) m.addFilePages(i++, 1);
    m.vmscan.kswapdRun(0);
    const zone = m.vmscan.pa.pgdat[0]!.zones[0]!;
    expect(zone.vmStat[NR_FREE_PAGES]!).toBeGreaterThanOrEqual(zone.highWmarkPages());
    expect(m.vmscan.kswapd[0]!.awake).toBe(false);
    expect(m.vmstat.vmEvents[29]).toBeGreaterThan(0); // pgscan_kswapd
    expectValid(m);
  });

  it("reports a counter that disagrees with the lists", () => {
    const m = smallMachine();
    m.addFilePages(0, 30);
    m.lru.lruAddDrainAll();
    m.vmstat.nodeVmStat[NR_INACTIVE_FILE]! += 1;
    const sink = new CollectingSink();
    m.vmscan.validate(sink);
    expect(sink.problems.map((p) => p.problem).join("\n")).toMatch(/30 pages on the list, the counter says 31/);
  });
});

describe("switching policies (lru_gen_change_state's drain and fill)", () => {
  it("moves every page, batched or listed, to the new policy's lists with the same counts", () => {
    const m = smallMachine();
    const pages = m.addFilePages(0, 100);
    m.lru.lruAddDrainAll();
    m.lru.folioMarkAccessed(pages[0]!);
    m.lru.folioMarkAccessed(pages[0]!);
    m.addFilePages(100, 3); // left in the lru_add batch
    const next = new TwoListLru();
    expect(m.lru.switchPolicy(next)).toBe(103);
    expect(m.vmscan.policy).toBe(next);
    expect(node(m, NR_INACTIVE_FILE) + node(m, NR_ACTIVE_FILE)).toBe(103);
    expect(node(m, NR_ACTIVE_FILE)).toBe(1);
    expectValid(m);
  });
});
