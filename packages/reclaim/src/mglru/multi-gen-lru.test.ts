import { describe, expect, it } from "vitest";
import {
  GFP_KERNEL, LRU_GEN_MASK, LRU_REFS_MASK, NR_ACTIVE_ANON, NR_ACTIVE_FILE, NR_INACTIVE_ANON, NR_INACTIVE_FILE, PGACTIVATE,
  PGREFILL, PGSCAN_DIRECT, PGSCAN_KSWAPD, PGSTEAL_ANON, PGSTEAL_DIRECT, PGSTEAL_FILE, PG_active, PG_dirty, PG_reclaim,
  PG_referenced, PG_swapcache, PG_workingset, ScanControl, WORKINGSET_ACTIVATE_FILE, WORKINGSET_REFAULT_FILE,
  WORKINGSET_RESTORE_ANON, WORKINGSET_RESTORE_FILE, NR_UNEVICTABLE, PG_unevictable,
} from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { FakeReclaimHost } from "./fake-reclaim-host.test-helpers.ts";
import { LRU_GEN_ANON, LRU_GEN_FILE, MAX_NR_TIERS, folioLruGen, folioLruRefs, histTypeTier, lruTierFromRefs } from "./lru-gen.ts";
import { MultiGenLru, packShadow, unpackShadow } from "./multi-gen-lru.ts";

function setup(nrPages = 256): { host: FakeReclaimHost; mg: MultiGenLru } {
  const host = new FakeReclaimHost(nrPages);
  const mg = new MultiGenLru();
  host.policy = mg;
  mg.attach(host);
  return { host, mg };
}

function valid(mg: MultiGenLru): void {
  const sink = new CollectingSink();
  mg.validate(sink);
  expect(sink.problems).toEqual([]);
}

function sc(priority: number, nrToReclaim = 32, kswapd = false): ScanControl {
  const s = new ScanControl().reset();
  s.priority = priority;
  s.nrToReclaim = nrToReclaim;
  s.gfpMask = GFP_KERNEL;
  s.reclaimIdx = 3;
  s.isKswapd = kswapd;
  return s;
}

const node = (host: FakeReclaimHost, item: number): number => host.vmstat.nodePageState(0, item);
const ev = (host: FakeReclaimHost, item: number): number => host.vmstat.vmEvents[item]!;

describe("lru_gen_add_folio / lru_gen_del_folio", () => {
  it("puts clean file pages on min_seq, anon pages on min_seq + 1, active pages on max_seq, counted as 6.1 does", () => {
    const { host, mg } = setup();
    const lv = mg.lruvecs[0]!;
    expect([lv.maxSeq, lv.minSeq[0], lv.minSeq[1]]).toEqual([3, 0, 0]);
    mg.addFolio(host.newPage(1, false), false);
    mg.addFolio(host.newPage(2, true), false);
    host.newPage(3, true);
    host.mem.flags[3] |= 1 << PG_active; // faulted in: folio_add_lru sets PG_active in a fault
    mg.addFolio(3, false);
    host.newPage(4, true);
    host.mem.flags[4] |= 1 << PG_swapcache; // in the swap cache: evictable at once
    mg.addFolio(4, false);
    expect([folioLruGen(host.mem.flags, 1), folioLruGen(host.mem.flags, 2), folioLruGen(host.mem.flags, 3), folioLruGen(host.mem.flags, 4)]).toEqual([0, 1, 3, 0]);
    expect(host.mem.flags[3]! & (1 << PG_active)).toBe(0);
    expect(host.onLru(1)).toBe(true);
    expect([node(host, NR_INACTIVE_FILE), node(host, NR_INACTIVE_ANON), node(host, NR_ACTIVE_ANON), node(host, NR_ACTIVE_FILE)]).toEqual([1, 2, 1, 0]);
    valid(mg);
    mg.delFolio(3); // from an active generation: PG_active set for the caller (folio_migrate_flags)
    expect(host.mem.flags[3]! & (1 << PG_active)).not.toBe(0);
    expect(host.mem.flags[3]! & LRU_GEN_MASK).toBe(0);
    expect(host.onLru(3)).toBe(false);
    mg.delFolio(1);
    expect([node(host, NR_INACTIVE_FILE), node(host, NR_ACTIVE_ANON)]).toEqual([0, 0]);
    valid(mg);
  });

  it("counts an unevictable page on no list", () => {
    const { host, mg } = setup();
    host.newPage(5, false);
    host.mem.flags[5] |= 1 << PG_unevictable;
    mg.addFolio(5, false);
    expect(node(host, NR_UNEVICTABLE)).toBe(1);
    expect(folioLruGen(host.mem.flags, 5)).toBe(-1);
    valid(mg);
    mg.delFolio(5);
    expect(node(host, NR_UNEVICTABLE)).toBe(0);
  });
});

describe("folio_mark_accessed under lru_gen (folio_inc_refs) and tiers", () => {
  it("sets PG_referenced, then PG_workingset, then counts refs up to LRU_REFS_MASK", () => {
    const { host, mg } = setup();
    mg.addFolio(host.newPage(1, false), false);
    const refs: number[] = [];
    for (let i = 0; i < 6; i++) {
      mg.markAccessed(1);
      refs.push(folioLruRefs(host.mem.flags, 1));
    }
    expect(host.mem.flags[1]! & (1 << PG_referenced)).not.toBe(0);
    expect(refs).toEqual([0, 1, 2, 3, 4, 4]); // PG_referenced adds none, PG_workingset 1, then the field
    expect(host.mem.flags[1]! & LRU_REFS_MASK).toBe(LRU_REFS_MASK);
    expect([0, 1, 2, 3, 4].map(lruTierFromRefs)).toEqual([0, 1, 2, 2, 3]);
    valid(mg);
  });
});

describe("the aging", () => {
  it("try_to_inc_max_seq folds the oldest generation into the next when all MAX_NR_GENS are in use", () => {
    const { host, mg } = setup();
    const lv = mg.lruvecs[0]!;
    for (let p = 0; p < 10; p++) mg.addFolio(host.newPage(p, false), false); // gen 0
    expect(mg.tryToIncMaxSeq(lv, lv.maxSeq, true, false)).toBe(true);
    expect([lv.maxSeq, lv.minSeq[0], lv.minSeq[1]]).toEqual([4, 1, 1]);
    for (let p = 0; p < 10; p++) expect(folioLruGen(host.mem.flags, p)).toBe(1);
    expect(node(host, NR_INACTIVE_FILE)).toBe(10); // gen 1 is still inactive (active: 4 % 4 = 0 and 3)
    expect(mg.tryToIncMaxSeq(lv, 3, true, false)).toBe(false); // a stale max_seq
    valid(mg);
    // a page promoted to max_seq becomes inactive two agings later
    host.newPage(20, false);
    host.mem.flags[20] |= 1 << PG_active;
    mg.addFolio(20, false);
    expect(node(host, NR_ACTIVE_FILE)).toBe(1);
    mg.tryToIncMaxSeq(lv, lv.maxSeq, true, false);
    expect(node(host, NR_ACTIVE_FILE)).toBe(1);
    mg.tryToIncMaxSeq(lv, lv.maxSeq, true, false);
    expect(node(host, NR_ACTIVE_FILE)).toBe(0);
    valid(mg);
  });

  it("lru_gen_shrink_node evicts down to MIN_NR_GENS, then ages below DEF_PRIORITY only", () => {
    const { host, mg } = setup();
    const lv = mg.lruvecs[0]!;
    for (let p = 0; p < 128; p++) mg.addFolio(host.newPage(p, false), false); // gen 0
    for (let p = 128; p < 144; p++) { host.newPage(p, false); host.mem.flags[p] |= 1 << PG_active; mg.addFolio(p, false); } // max_seq
    mg.shrinkLruvec(0, sc(12, 32)); // DEF_PRIORITY: 144 >> 12 = 0, not sizable: nothing
    expect(host.freed.length).toBe(0);
    mg.shrinkLruvec(0, sc(0, 1000));
    expect(host.freed.length).toBe(128); // two batches of MIN_LRU_BATCH; then min_seq reached MIN_NR_GENS
    expect([lv.maxSeq, lv.minSeq[0], lv.minSeq[1]]).toEqual([3, 2, 2]);
    expect(mg.lruvecs[0]!.getNrGens(LRU_GEN_FILE)).toBe(2);
    mg.shrinkLruvec(0, sc(12, 32)); // out of cold pages, but the aging is skipped at DEF_PRIORITY
    expect(lv.maxSeq).toBe(3);
    mg.shrinkLruvec(0, sc(11, 32)); // 16 >> 11 = 0: not sizable (shrink_one skips it)
    expect(lv.maxSeq).toBe(3);
    mg.shrinkLruvec(0, sc(2, 32));
    expect(lv.maxSeq).toBe(4);
    expect(node(host, NR_ACTIVE_FILE)).toBe(16);
    valid(mg);
  });
});

describe("the eviction", () => {
  it("evicts the oldest generation first, tail first, file before anon at swappiness 60 without refaults", () => {
    const { host, mg } = setup();
    const lv = mg.lruvecs[0]!;
    for (let p = 0; p < 8; p++) { host.newPage(p, true); host.mem.flags[p] |= 1 << PG_swapcache; mg.addFolio(p, false); }
    for (let p = 8; p < 16; p++) mg.addFolio(host.newPage(p, false), false);
    const s = sc(4, 8);
    const scanned = mg.evictFolios(lv, s, 60);
    expect(scanned).toBe(8);
    expect(host.freed).toEqual([8, 9, 10, 11, 12, 13, 14, 15]); // the first added is at the tail
    expect(ev(host, PGSTEAL_FILE)).toBe(8);
    expect(ev(host, PGSTEAL_DIRECT)).toBe(8);
    expect(ev(host, PGSCAN_DIRECT)).toBe(8);
    valid(mg);
  });

  it("takes anon first at swappiness 200, and file only at swappiness 0", () => {
    const a = setup();
    for (let p = 0; p < 4; p++) { a.host.newPage(p, true); a.host.mem.flags[p] |= 1 << PG_swapcache; a.mg.addFolio(p, false); }
    for (let p = 4; p < 8; p++) a.mg.addFolio(a.host.newPage(p, false), false);
    a.mg.evictFolios(a.mg.lruvecs[0]!, sc(4), 200);
    expect(a.host.freed.sort()).toEqual([0, 1, 2, 3]);
    expect(ev(a.host, PGSTEAL_ANON)).toBe(4);
    const b = setup();
    for (let p = 0; p < 4; p++) { b.host.newPage(p, true); b.host.mem.flags[p] |= 1 << PG_swapcache; b.mg.addFolio(p, false); }
    b.mg.evictFolios(b.mg.lruvecs[0]!, sc(4), 0);
    expect(b.host.freed).toEqual([]);
  });

  it("follows the PID controller: file refaulting more than anon turns the scan to anon", () => {
    const { host, mg } = setup();
    const lv = mg.lruvecs[0]!;
    for (let p = 0; p < 4; p++) { host.newPage(p, true); host.mem.flags[p] |= 1 << PG_swapcache; mg.addFolio(p, false); }
    for (let p = 4; p < 8; p++) mg.addFolio(host.newPage(p, false), false);
    lv.refaulted[histTypeTier(0, LRU_GEN_FILE, 0)] = 1000;
    lv.evicted[histTypeTier(0, LRU_GEN_FILE, 0)] = 1000;
    expect(mg.getTypeToScan(lv, 60)[0]).toBe(LRU_GEN_ANON);
    mg.evictFolios(lv, sc(4), 60);
    expect(host.freed.sort()).toEqual([0, 1, 2, 3]);
  });

  it("protects pages in tiers above the controller's tier_idx (sort_folio), counting WORKINGSET_ACTIVATE and pgrefill", () => {
    const { host, mg } = setup();
    const lv = mg.lruvecs[0]!;
    for (let p = 0; p < 4; p++) mg.addFolio(host.newPage(p, false), false);
    mg.markAccessed(1); mg.markAccessed(1); // tier 1 (refs 1)
    for (let i = 0; i < 5; i++) mg.markAccessed(2); // refs 4 = BIT(LRU_REFS_WIDTH): always protected
    // tier 1 refaults much more than tier 0: get_tier_idx returns 0
    lv.refaulted[histTypeTier(0, LRU_GEN_FILE, 1)] = 500;
    lv.evicted[histTypeTier(0, LRU_GEN_FILE, 1)] = 600;
    lv.evicted[histTypeTier(0, LRU_GEN_FILE, 0)] = 10000;
    expect(mg.getTierIdx(lv, LRU_GEN_FILE)).toBe(0);
    mg.evictFolios(lv, sc(4), 0);
    expect(host.freed.sort()).toEqual([0, 3]);
    expect(folioLruGen(host.mem.flags, 1)).toBe(1); // min_seq + 1, refs cleared
    expect(folioLruRefs(host.mem.flags, 1)).toBe(0);
    expect(node(host, WORKINGSET_ACTIVATE_FILE)).toBe(2);
    expect(ev(host, PGREFILL)).toBe(2);
    // the oldest generation emptied, so min_seq moved on and reset_ctrl_pos folded the counters into
    // the moving averages: avg = (avg + refaulted) / 2, (avg + evicted + protected) / 2
    expect(lv.minSeq[LRU_GEN_FILE]).toBe(1);
    expect(lv.avgRefaulted[LRU_GEN_FILE * MAX_NR_TIERS + 1]).toBe(250);
    expect(lv.avgTotal[LRU_GEN_FILE * MAX_NR_TIERS + 1]).toBe(300); // (600 + 1 protected) / 2
    expect(lv.avgTotal[LRU_GEN_FILE * MAX_NR_TIERS + 0]).toBe(5000); // the fold came before shrink_folio_list's evictions
    expect(lv.evicted[histTypeTier(0, LRU_GEN_FILE, 0)]).toBe(2); // counted towards the new oldest generation
    expect(lv.protected.every((x) => x === 0)).toBe(true);
    valid(mg);
  });

  it("moves dirty file pages to the next generation with PG_reclaim instead of isolating them", () => {
    const { host, mg } = setup();
    const lv = mg.lruvecs[0]!;
    mg.addFolio(host.newPage(1, false), false);
    host.mem.flags[1] |= 1 << PG_dirty;
    mg.addFolio(host.newPage(2, false), false);
    mg.evictFolios(lv, sc(4), 0);
    expect(host.freed).toEqual([2]);
    expect(folioLruGen(host.mem.flags, 1)).toBe(1);
    expect(host.mem.flags[1]! & (1 << PG_reclaim)).not.toBe(0);
    valid(mg);
  });

  it("puts a page shrink_folio_list activated back on max_seq and a rejected one off the oldest generation", () => {
    const { host, mg } = setup();
    const lv = mg.lruvecs[0]!;
    mg.addFolio(host.newPage(1, false), false);
    mg.addFolio(host.newPage(2, false), false);
    host.referenced.set(1, 1);
    mg.evictFolios(lv, sc(4), 0);
    expect(host.freed).toEqual([2]);
    expect(folioLruGen(host.mem.flags, 1)).toBe(lv.maxSeq % 4);
    expect(host.mem.refcount[1]).toBe(1); // the isolation reference is gone
    valid(mg);
  });

  it("lru_gen_look_around: direct reclaim activates young neighbours, kswapd raises file pages' generation in a batch and skips anon", () => {
    const d = setup();
    for (let p = 0; p < 4; p++) d.mg.addFolio(d.host.newPage(p, false), false);
    d.mg.addFolio(d.host.newPage(50, true), false); // anon, not in the swap cache: min_seq + 1, not scanned now
    let isolatedSeen = -2;
    d.host.onShrink = (): void => {
      expect(d.mg.lookAroundFolio(0, 50)).toBe(true);
      d.mg.lookAroundFolio(0, 3); // the page under reclaim itself: isolated, so PG_referenced
      isolatedSeen = d.host.mem.flags[3]! & (1 << PG_referenced);
    };
    d.mg.shrinkLruvec(0, sc(0, 1));
    expect(ev(d.host, PGACTIVATE)).toBe(1);
    expect(folioLruGen(d.host.mem.flags, 50)).toBe(d.mg.lruvecs[0]!.maxSeq % 4);
    expect(isolatedSeen).not.toBe(0);
    valid(d.mg);

    const k = setup();
    for (let p = 0; p < 4; p++) k.mg.addFolio(k.host.newPage(p, false), false);
    k.mg.addFolio(k.host.newPage(9, true), false);
    k.host.newPage(61, false);
    k.host.mem.flags[61] |= (1 << PG_reclaim) | (1 << PG_dirty); // waiting for writeback: min_seq + 1
    k.mg.addFolio(61, false);
    expect(folioLruGen(k.host.mem.flags, 61)).toBe(1);
    let sawAnon = true;
    k.host.onShrink = (): void => {
      sawAnon = k.mg.lookAroundFolio(0, 9);
      k.mg.lookAroundFolio(0, 61);
    };
    k.mg.shrinkLruvec(0, sc(0, 1, true));
    expect(sawAnon).toBe(false); // pgdat->mm_walk.can_swap is false without page-table walks
    expect(ev(k.host, PGSCAN_KSWAPD)).toBeGreaterThan(0);
    expect(ev(k.host, PGACTIVATE)).toBe(0);
    expect(folioLruGen(k.host.mem.flags, 61)).toBe(k.mg.lruvecs[0]!.maxSeq % 4);
    expect(node(k.host, NR_ACTIVE_FILE)).toBe(1); // reset_batch_size applied the move
    valid(k.mg);
  });
});

describe("lru_gen shadows and refaults", () => {
  it("packs and unpacks token, memcg id, node and the workingset bit", () => {
    for (const [m, n, t, w] of [[1, 0, 0, false], [65535, 15, 2 ** 32 - 1, true], [7, 3, 123456, true]] as const) {
      expect(unpackShadow(packShadow(m, n, t, w))).toEqual({ memcgId: m, nid: n, token: t, workingset: w });
    }
    expect(packShadow(1, 0, 5, true)).toBeLessThan(2 ** 53);
  });

  it("counts a refault of the current oldest generation in its tier; a much-read page's refault restores it", () => {
    const { host, mg } = setup();
    const lv = mg.lruvecs[0]!;
    mg.addFolio(host.newPage(1, false), false);
    mg.addFolio(host.newPage(2, false), false);
    for (let i = 0; i < 2; i++) mg.markAccessed(2); // PG_referenced, PG_workingset: refs 1 (tier 1)
    host.mem.flags[2] &= ~(1 << PG_referenced); // … then the reference was a while ago
    mg.evictFolios(lv, sc(4), 0);
    expect(host.freed.sort()).toEqual([1, 2]);
    const s1 = host.shadows.get(1)!;
    const s2 = host.shadows.get(2)!;
    expect(lv.evicted[histTypeTier(0, LRU_GEN_FILE, 0)]).toBe(2); // isolate_folio cleared page 2's refs: tier 0
    host.newPage(1, false);
    mg.refault(1, s1);
    expect(node(host, WORKINGSET_REFAULT_FILE)).toBe(1);
    expect(lv.refaulted[histTypeTier(0, LRU_GEN_FILE, 0)]).toBe(1);
    expect(node(host, WORKINGSET_RESTORE_FILE)).toBe(0);
    // a refault in a fault is a stall
    host.newPage(2, false);
    host.inLruFault = true;
    mg.refault(2, s2);
    expect(node(host, WORKINGSET_RESTORE_FILE)).toBe(1);
    expect(host.mem.flags[2]! & (1 << PG_workingset)).not.toBe(0);
    expect(host.mem.flags[2]! & LRU_REFS_MASK).toBe(LRU_REFS_MASK);
    // a shadow of an older generation (min_seq moved on) is no refault under lru_gen
    mg.refault(3, packShadow(1, 0, (lv.minSeq[1]! + 5) * 4, false));
    expect(node(host, WORKINGSET_REFAULT_FILE)).toBe(2);
    expect(node(host, WORKINGSET_RESTORE_ANON)).toBe(0);
  });

  it("a page read four times or more refaults into the stall tier", () => {
    const { host, mg } = setup();
    const lv = mg.lruvecs[0]!;
    mg.addFolio(host.newPage(1, false), false);
    const shadow = packShadow(1, 0, lv.minSeq[1]! * 4 + 3, true); // refs - 1 = 3, workingset: refs 4
    host.newPage(1, false);
    mg.refault(1, shadow);
    expect(lv.refaulted[histTypeTier(0, LRU_GEN_FILE, MAX_NR_TIERS - 1)]).toBe(1);
    expect(node(host, WORKINGSET_RESTORE_FILE)).toBe(1);
  });
});

describe("min_ttl_ms (lru_gen_age_node)", () => {
  it("asks for the OOM killer when the oldest generation is younger than min_ttl", () => {
    const { host, mg } = setup();
    for (let p = 0; p < 64; p++) mg.addFolio(host.newPage(p, false), false);
    mg.minTtl = 250; // 1 s
    const s = sc(6);
    s.isKswapd = true;
    mg.ageNode(0, s);
    expect(mg.oomRequested).toBe(true);
    mg.clearOomRequest();
    host.clock.advance(2e9);
    mg.ageNode(0, s);
    expect(mg.oomRequested).toBe(false);
    mg.ageNode(0, sc(12)); // never at DEF_PRIORITY
    expect(mg.nrOomRequests).toBe(1);
  });
});

describe("validate", () => {
  it("reports a counter that disagrees with the generations and a page whose flags lost their generation", () => {
    const { host, mg } = setup();
    mg.addFolio(host.newPage(1, false), false);
    host.vmstat.modNodePageState(0, NR_INACTIVE_FILE, 1);
    host.mem.flags[1] &= ~LRU_GEN_MASK;
    const sink = new CollectingSink();
    mg.validate(sink);
    expect(sink.problems.map((p) => p.problem).join("\n")).toMatch(/no generation[\s\S]*nr_pages|counter 2/);
    expect(sink.problems.length).toBeGreaterThanOrEqual(2);
  });
});
