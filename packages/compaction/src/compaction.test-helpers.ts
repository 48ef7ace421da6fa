// mmsim: test doubles for compaction — a PageMigrator that moves only the test's own unmapped pages, and a board fragmented by them
/*
 * @mmsim/migrate implements core's PageMigrator for the machine; compaction's tests need only a
 * migrator of pages nobody maps: the test allocates movable order-0 pages, marks them PG_lru (as
 * LRU pages of no list: nothing else looks at them on a bare allocator), and tags each with a
 * content number. OwnedPagesMigrator isolates those (clears PG_lru), "copies" a page by moving its
 * tag to the target compaction_alloc hands out, frees the source (its last reference), and puts
 * back the ones it could not move. That is migrate_pages' contract for unmapped pages with no
 * mapping (migrate_folio_unmap has nothing to unmap, move_to_new_folio copies, the old folio is
 * put), enough to check what compaction does with the pages and the free lists.
 */
import {
  GFP_HIGHUSER_MOVABLE, type MigrateMode, type MigrateResult, type MigrationTarget, PG_lru, type PageMigrator,
  SimClock, TraceBus, KernelLog, __GFP_MEMALLOC, __GFP_NOWARN, __GFP_RECLAIM, pfnDown,
} from "@mmsim/core";
import { type BuddyAllocator, createBuddyAllocator, drainAllPages, freePages } from "@mmsim/buddy";

/**
 * page->mapping of the test's pages: an address_space id (> 0), so they pass
 * isolate_migratepages_block's pin check as page-cache pages do (an unmapped page with no mapping
 * and a reference would count as pinned).
 */
export const OWNER_MAPPING = 1;

/** A PageMigrator of the test's own unmapped pages (see the file header). */
export class OwnedPagesMigrator implements PageMigrator {
  /** pfn → content tag of every page the test owns (isolated ones included). */
  readonly owned = new Map<number, number>();
  private readonly isolated = new Set<number>();
  migrated = 0;
  /** Pages isolateForMigration must refuse (pinned by the test). */
  readonly refuse = new Set<number>();

  constructor(readonly b: BuddyAllocator) {}

  /** Takes a page the test allocated: PG_lru, the test's mapping (as a page-cache page of an unmapped file), tag. */
  own(pfn: number, tag: number): void {
    const mem = this.b.state.mem;
    const page = mem.pfnToPage(pfn);
    mem.flags[page]! |= 1 << PG_lru;
    mem.mapping[page] = OWNER_MAPPING;
    this.owned.set(pfn, tag);
  }

  /** Frees an owned page. */
  release(pfn: number): void {
    const mem = this.b.state.mem;
    const page = mem.pfnToPage(pfn);
    mem.flags[page] = mem.flags[page]! & ~(1 << PG_lru);
    mem.mapping[page] = 0;
    this.owned.delete(pfn);
    freePages(this.b.state, page, 0, 0);
  }

  isolateForMigration(pfn: number, _mode: MigrateMode): boolean {
    const mem = this.b.state.mem;
    const page = mem.pfnToPage(pfn);
    if (!this.owned.has(pfn) || this.isolated.has(pfn) || this.refuse.has(pfn) || (mem.flags[page]! & (1 << PG_lru)) === 0) return false;
    mem.flags[page] = mem.flags[page]! & ~(1 << PG_lru);
    this.isolated.add(pfn);
    return true;
  }

  migratePages(pfns: Int32Array, n: number, target: MigrationTarget, _mode: MigrateMode, _reason: number, result: MigrateResult): void {
    const mem = this.b.state.mem;
    let failed = 0;
    for (let i = 0; i < n; i++) {
      const src = pfns[i]!;
      const dst = target.getNewPage(src, 0);
      if (dst < 0) {
        pfns[failed++] = src;
        result.nrFailedNoMem++;
        continue;
      }
      const tag = this.owned.get(src)!;
      this.owned.delete(src);
      this.isolated.delete(src);
      this.owned.set(dst, tag);
      mem.flags[mem.pfnToPage(dst)]! |= 1 << PG_lru;
      const s = mem.pfnToPage(src);
      const d = mem.pfnToPage(dst);
      // the new page takes the old one's identity: mapping, mapcount, the references beyond the caller's
      mem.mapping[d] = mem.mapping[s]!;
      mem.mapcount[d] = mem.mapcount[s]!;
      mem.refcount[d] = mem.refcount[s]!;
      mem.flags[d]! |= mem.flags[s]! & ~(1 << PG_lru);
      mem.mapping[s] = 0;
      mem.mapcount[s] = -1;
      mem.refcount[s] = 1;
      mem.flags[s] = 0;
      freePages(this.b.state, mem.pfnToPage(src), 0, 0);
      result.nrSucceeded++;
      this.migrated++;
    }
    result.nrFailed += failed;
  }

  putbackMovablePages(pfns: Int32Array, n: number): void {
    const mem = this.b.state.mem;
    for (let i = 0; i < n; i++) {
      const pfn = pfns[i]!;
      this.isolated.delete(pfn);
      mem.flags[mem.pfnToPage(pfn)]! |= 1 << PG_lru;
    }
  }
}

export const RAM = 0x40000000;
/** The reference board's kernel image (reserved). */
export const KERNEL: [number, number] = [0x40210000, 0x4220b000];

/** A booted allocator of `bytes` from RAM on one node, one zone (DMA, below 4 GiB), no deferred init. */
export function bootBoard(bytes: number, nrCpus = 2): BuddyAllocator {
  const clock = new SimClock();
  const end = RAM + bytes;
  const dma = Math.min(end, 2 ** 32) / 4096;
  return createBuddyAllocator({
    nrCpus,
    nodes: [{ nid: 0, ranges: [[pfnDown(RAM), pfnDown(end)]] }],
    maxZonePfn: [dma, dma, end / 4096, 0],
    reserved: [KERNEL],
    clock,
    trace: new TraceBus(clock),
    log: new KernelLog(clock),
    deferredStructPageInit: false,
  });
}

/** Movable, no reclaim, no warning, reserves allowed (__GFP_MEMALLOC): takes every free page. */
export const FILL_GFP = (GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM) | __GFP_NOWARN | __GFP_MEMALLOC;

/** Half of the pages, scattered: the top bit of a multiplicative hash of the PFN (Knuth's 2654435761). */
export function freedByFragment(pfn: number): boolean {
  return Math.imul(pfn, 2654435761) >>> 31 === 1;
}

/**
 * Fills the board with owned movable order-0 pages, then frees about half of them, scattered
 * (freedByFragment): free memory in small blocks, almost none of order 4. @returns the migrator
 */
export function fragment(b: BuddyAllocator, m = new OwnedPagesMigrator(b)): OwnedPagesMigrator {
  const pa = b.state;
  let tag = 1;
  for (;;) {
    const pfn = b.allocPages(FILL_GFP, 0, 0);
    if (pfn < 0) break;
    m.own(pfn, tag++);
  }
  for (const pfn of [...m.owned.keys()]) if (freedByFragment(pfn)) m.release(pfn);
  // Free pages parked on the pcp lists merge only when drained.
  drainAllPages(pa);
  return m;
}

/** Free blocks of at least `order`, over every zone. */
export function freeBlocksAtLeast(b: BuddyAllocator, order: number): number {
  let n = 0;
  for (const zone of b.state.zones) for (let o = order; o < zone.nrFree.length; o++) n += zone.nrFree[o]!;
  return n;
}

