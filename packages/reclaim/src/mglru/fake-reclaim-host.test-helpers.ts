// mmsim: a ReclaimHost for testing the MGLRU policy before @mmsim/reclaim's host exists (tests only)
/*
 * One node, pages 0..nrPages-1 in ZONE_NORMAL (or the zone a test sets), a real MemMap, VmStat,
 * SimClock and TraceBus. The parts of shrink_folio_list a policy can observe are modelled:
 * a page the test marks referenced is activated (PG_active, kept); a dirty page is kept (PG_reclaim
 * set, as pageout() does while it writes); any other page is reclaimed: the policy's eviction()
 * makes its shadow (recorded in `shadows`), the isolation reference and the owner's reference go
 * and the page leaves the list (counted in `freed`). folioReferenced returns what the test set.
 */
import {
  type FileWriteResult, LRUVEC_LIST_HEADS, MemMap, PG_active, PG_dirty, PG_lru, PG_reclaim, PG_unevictable, type ReclaimHost,
  ReclaimStat, type ScanControl, SimClock, TraceBus, VmStat, ZONE_NORMAL, listDel, setPageZoneNode, NR_LRU_BASE, NR_ZONE_LRU_BASE,
  MAX_NR_ZONES, PG_swapbacked, PG_referenced,
} from "@mmsim/core";
import type { MultiGenLru } from "./multi-gen-lru.ts";

export class FakeReclaimHost implements ReclaimHost {
  readonly mem: MemMap;
  readonly vmstat = new VmStat(1);
  readonly clock = new SimClock();
  readonly trace = new TraceBus(this.clock);
  readonly nrNodes = 1;
  swappiness = 60;
  referencedVmFlags = 0;
  inLruFault = false;
  /** Free swap pages (get_nr_swap_pages). */
  nrSwapPages = 100_000;
  /** folioReferenced's answer per page (absent: 0). */
  readonly referenced = new Map<number, number>();
  /** Shadows left by reclaimed pages. */
  readonly shadows = new Map<number, number>();
  /** Reclaimed pages in order. */
  readonly freed: number[] = [];
  /** shrinkFolioList calls. */
  shrinkCalls = 0;
  private readonly headsBase: number;
  policy: MultiGenLru | null = null;

  constructor(nrPages: number) {
    this.mem = new MemMap({ basePfn: 0x40000, nrPages, nrListHeads: LRUVEC_LIST_HEADS });
    this.headsBase = this.mem.allocListHeads(LRUVEC_LIST_HEADS);
    for (let p = 0; p < nrPages; p++) setPageZoneNode(this.mem, p, 0, ZONE_NORMAL);
  }

  lruvecHeads(_nid: number): number {
    return this.headsBase;
  }

  pageNid(_page: number): number {
    return 0;
  }

  updateLruSize(page: number, lru: number, nr: number): void {
    this.vmstat.modNodePageState(0, NR_LRU_BASE + lru, nr);
    this.vmstat.modZonePageState(0 * MAX_NR_ZONES + (this.mem.nodeZone[page]! & 3), NR_ZONE_LRU_BASE + lru, nr);
  }

  /** Called at the start of each shrinkFolioList (a test's folio_referenced → lru_gen_look_around). */
  onShrink: ((head: number) => void) | null = null;

  shrinkFolioList(head: number, _nid: number, sc: ScanControl, stat: ReclaimStat): number {
    this.shrinkCalls++;
    this.onShrink?.(head);
    const mem = this.mem;
    let reclaimed = 0;
    for (let page = mem.lruPrev[head]!; page !== head;) { // lru_to_folio(): from the tail
      const next = mem.lruPrev[page]!;
      sc.nrScanned++;
      const f = mem.flags[page]!;
      if ((this.referenced.get(page) ?? 0) > 0) {
        mem.flags[page] = f | (1 << PG_active) | (1 << PG_referenced);
        stat.nrActivate[(f & (1 << PG_swapbacked)) !== 0 ? 0 : 1]++;
      } else if ((f & (1 << PG_dirty)) !== 0) {
        mem.flags[page] = f | (1 << PG_reclaim);
        stat.nrDirty++;
      } else {
        this.shadows.set(page, this.policy!.eviction(page));
        listDel(mem.lruNext, mem.lruPrev, page);
        mem.refcount[page] = 0;
        mem.flags[page] = 0;
        this.freed.push(page);
        reclaimed++;
      }
      page = next;
    }
    return reclaimed;
  }

  folioReferenced(page: number): number {
    return this.referenced.get(page) ?? 0;
  }

  folioEvictable(page: number): boolean {
    return (this.mem.flags[page]! & (1 << PG_unevictable)) === 0;
  }

  canReclaimAnonPages(_nid: number, _sc: ScanControl): boolean {
    return this.nrSwapPages > 0;
  }

  lruNoteCost(): void {}
  wakeupFlusherThreads(): void {}

  getNrSwapPages(): number {
    return this.nrSwapPages;
  }

  /** A page as the page allocator hands it out: refcount 1 (the owner's), not on a list. */
  newPage(page: number, anon: boolean): number {
    this.mem.refcount[page] = 1;
    this.mem.flags[page] = anon ? 1 << PG_swapbacked : 0;
    this.mem.mapping[page] = anon ? -1 : 1;
    return page;
  }

  /** True when the page is on an LRU list (PG_lru). */
  onLru(page: number): boolean {
    return (this.mem.flags[page]! & (1 << PG_lru)) !== 0;
  }
}

/** Asserts a KernelFile write result was accepted. */
export function ok(r: FileWriteResult): void {
  if (r !== 0) throw new Error(`write refused: ${String(r)}`);
}
