// mmsim: the ReclaimPolicy contract — what the reclaim mechanism may rely on from any policy (lru, mglru, a user's file), over a small host of its own
import { expect } from "vitest";
import { SimClock } from "../clock.ts";
import { NR_LRU_BASE, NR_ISOLATED_ANON, NR_ISOLATED_FILE, NR_VM_ZONE_STAT_ITEMS, NR_ZONE_LRU_BASE } from "../vmstat.ts";
import { LRU_INACTIVE_FILE, LRU_UNEVICTABLE, NR_LRU_LISTS } from "../mmzone.ts";
import { MemMap } from "../mm-types.ts";
import { PG_active, PG_lru, PG_mlocked, PG_referenced, PG_swapbacked, PG_unevictable } from "../page-flags.ts";
import { LRUVEC_LIST_HEADS, type ReclaimHost, type ReclaimPolicy, type ReclaimStat, ScanControl } from "../policies/reclaim-policy.ts";
import { TraceBus } from "../trace.ts";
import type { ValidationSink } from "../validation.ts";
import { VmStat } from "../vmstat-counters.ts";
import { describeContract, type ContractCase } from "./contract.ts";

const LRU = 1 << PG_lru;
const NR_PAGES = 512;

/**
 * A ReclaimHost over 512 pages of one node and one zone (ZONE_DMA), no rmap, no swap, no page
 * cache: shrinkFolioList frees every isolated page that is neither referenced (PG_referenced)
 * nor mlocked, and keeps the others on the list (PG_active set on the referenced ones, as
 * shrink_folio_list's activate_locked does). `freed` lists the pages it freed.
 */
export class SmallReclaimHost implements ReclaimHost {
  readonly mem = new MemMap({ basePfn: 0x40000, nrPages: NR_PAGES, nrListHeads: LRUVEC_LIST_HEADS });
  readonly vmstat = new VmStat(1);
  readonly clock = new SimClock();
  readonly trace = new TraceBus(this.clock);
  readonly nrNodes = 1;
  swappiness = 60;
  readonly referencedVmFlags = 0;
  readonly freed: number[] = [];
  private readonly head = this.mem.allocListHeads(LRUVEC_LIST_HEADS);
  lruvecHeads(): number {
    return this.head;
  }
  pageNid(): number {
    return 0;
  }
  updateLruSize(page: number, lru: number, nr: number): void {
    this.vmstat.nodeVmStat[NR_LRU_BASE + lru]! += nr;
    this.vmstat.zoneVmStat[this.mem.nodeZone[page]! * NR_VM_ZONE_STAT_ITEMS + NR_ZONE_LRU_BASE + lru]! += nr;
  }
  shrinkFolioList(head: number, _nid: number, sc: ScanControl, stat: ReclaimStat): number {
    const { lruNext: next, lruPrev: prev, flags } = this.mem;
    const keep: number[] = [];
    let n = 0;
    while (next[head] !== head) {
      const page = prev[head]!;
      const nx = next[page]!;
      const pv = prev[page]!;
      next[pv] = nx;
      prev[nx] = pv;
      sc.nrScanned++;
      const f = flags[page]!;
      if ((f & (1 << PG_mlocked)) !== 0) keep.push(page);
      else if ((f & (1 << PG_referenced)) !== 0) {
        flags[page] = (f & ~(1 << PG_referenced)) | (1 << PG_active);
        stat.nrActivate[(f & (1 << PG_swapbacked)) === 0 ? 1 : 0]!++;
        keep.push(page);
      } else {
        this.mem.refcount[page] = 0;
        flags[page] = 0;
        next[page] = -1;
        prev[page] = -1;
        this.freed.push(page);
        n++;
      }
    }
    for (const page of keep) {
      const first = next[head]!;
      next[page] = first;
      prev[page] = head;
      prev[first] = page;
      next[head] = page;
    }
    return n;
  }
  folioReferenced(): number {
    return 0;
  }
  folioEvictable(page: number): boolean {
    return (this.mem.flags[page]! & (1 << PG_mlocked)) === 0;
  }
  canReclaimAnonPages(): boolean {
    return false;
  }
  lruNoteCost(): void {}
  wakeupFlusherThreads(): void {}
  /** A page in use (refcount 2: its owner's and the isolation's to come), file-backed unless `anon`. */
  newPage(page: number, anon = false): number {
    this.mem.refcount[page] = 1;
    this.mem.flags[page] = anon ? 1 << PG_swapbacked : 0;
    this.mem.mapping[page] = anon ? -1 : 1;
    return page;
  }
}

/** A ReclaimPolicy under test, attached to its SmallReclaimHost. */
export interface ReclaimPolicySubject {
  readonly policy: ReclaimPolicy;
  readonly host: SmallReclaimHost;
  /** Validated after each case. */
  readonly validatable: { validate(sink: ValidationSink): void };
}

const count = (s: ReclaimPolicySubject): number => {
  let n = 0;
  for (let lru = 0; lru < NR_LRU_LISTS; lru++) n += s.host.vmstat.nodeVmStat[NR_LRU_BASE + lru]!;
  return n;
};

const cases: readonly ContractCase<ReclaimPolicySubject>[] = Object.freeze([
  {
    name: "addFolio sets PG_lru and counts the page; delFolio undoes both; forEachFolio visits each page once",
    run(s) {
      for (let p = 0; p < 100; p++) s.policy.addFolio(s.host.newPage(p, p % 3 === 0), p % 2 === 0);
      expect(count(s)).toBe(100);
      const seen: number[] = [];
      s.policy.forEachFolio((p) => seen.push(p));
      expect(seen.sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
      for (let p = 0; p < 50; p++) s.policy.delFolio(p);
      expect(count(s)).toBe(50);
      expect(s.host.mem.flags[0]! & LRU).toBe(0);
      expect(s.host.mem.flags[99]! & LRU).not.toBe(0);
    },
  },
  {
    name: "an unevictable page is counted on the unevictable list and never reclaimed",
    run(s) {
      const p = s.host.newPage(7);
      s.host.mem.flags[p] = s.host.mem.flags[p]! | (1 << PG_unevictable) | (1 << PG_mlocked);
      s.policy.addFolio(p, false);
      expect(s.host.vmstat.nodeVmStat[NR_LRU_BASE + LRU_UNEVICTABLE]).toBe(1);
      const sc = new ScanControl();
      for (let prio = 12; prio >= 0; prio--) {
        sc.priority = prio;
        sc.reclaimIdx = 3;
        sc.nrToReclaim = 32;
        sc.mayDeactivate = 3;
        s.policy.shrinkLruvec(0, sc);
      }
      expect(s.host.freed).not.toContain(p);
    },
  },
  {
    name: "shrinkLruvec reclaims through the host's shrinkFolioList only, and puts back what it kept",
    run(s) {
      for (let p = 0; p < 400; p++) s.policy.addFolio(s.host.newPage(p), false);
      const sc = new ScanControl();
      let reclaimed = 0;
      for (let prio = 12; prio >= 0 && reclaimed < 64; prio--) {
        sc.priority = prio;
        sc.reclaimIdx = 3;
        sc.nrToReclaim = 64;
        sc.mayDeactivate = 3;
        const before = sc.nrReclaimed;
        s.policy.shrinkLruvec(0, sc);
        reclaimed += sc.nrReclaimed - before;
      }
      expect(reclaimed).toBeGreaterThan(0);
      expect(reclaimed).toBe(s.host.freed.length);
      expect(count(s)).toBe(400 - reclaimed);
      for (const p of s.host.freed) expect(s.host.mem.flags[p]! & LRU).toBe(0);
      expect(s.host.vmstat.nodeVmStat[NR_ISOLATED_ANON]).toBe(0);
      expect(s.host.vmstat.nodeVmStat[NR_ISOLATED_FILE]).toBe(0);
      let onLists = 0;
      s.policy.forEachFolio((p) => {
        onLists++;
        expect(s.host.mem.flags[p]! & LRU).not.toBe(0);
      });
      expect(onLists).toBe(400 - reclaimed);
      expect(s.host.vmstat.nodeVmStat[NR_LRU_BASE + LRU_INACTIVE_FILE]! + s.host.vmstat.nodeVmStat[NR_LRU_BASE + LRU_INACTIVE_FILE + 1]!).toBe(400 - reclaimed);
    },
  },
  {
    name: "eviction leaves a shadow that is a non-negative integer below 2^53, and refault accepts it",
    run(s) {
      const p = s.policy;
      for (let i = 0; i < 10; i++) p.addFolio(s.host.newPage(i), false);
      p.delFolio(3);
      const shadow = p.eviction(3);
      expect(Number.isSafeInteger(shadow) && shadow >= 0).toBe(true);
      const q = s.host.newPage(200);
      p.refault(q, shadow);
      p.addFolio(q, false);
      expect(count(s)).toBe(10);
    },
  },
  {
    name: "markAccessed, activate, deactivate, deactivateFile and lazyfree keep every page on exactly one list, counted",
    run(s) {
      const p = s.policy;
      for (let i = 0; i < 60; i++) p.addFolio(s.host.newPage(i, i >= 40), false);
      for (let i = 0; i < 20; i++) {
        p.markAccessed(i);
        p.markAccessed(i);
      }
      for (let i = 20; i < 30; i++) p.activate(i);
      for (let i = 25; i < 30; i++) p.deactivate(i);
      for (let i = 30; i < 35; i++) p.deactivateFile(i);
      for (let i = 40; i < 45; i++) p.lazyfree(i);
      expect(count(s)).toBe(60);
    },
  },
]);

/**
 * Runs the ReclaimPolicy contract against `make` (a fresh, unattached policy each time): the
 * suite attaches it to a SmallReclaimHost and validates the policy after each case.
 */
export function describeReclaimPolicy(implName: string, make: () => ReclaimPolicy): void {
  describeContract<ReclaimPolicySubject>("ReclaimPolicy", implName, () => {
    const host = new SmallReclaimHost();
    const policy = make();
    policy.attach(host);
    return { policy, host, validatable: policy };
  }, cases, (s) => s.validatable);
}
