// Kernel: mm/page_alloc.c (v6.1: alloc_contig_range, __alloc_contig_migrate_range, free_contig_range), mm/compaction.c (isolate_freepages_range, isolate_migratepages_range with cc->alloc_contig), mm/migrate.c (alloc_migration_target), mm/cma.c (cma_alloc, cma_release, cma_clear_bitmap, cma_debug_show_areas, cma_bitmap_aligned_mask/offset) — contiguous allocations and the CMA area
/*
 * alloc_contig_range(start, end, migratetype) gets the pages [start, end) for a caller that
 * needs them physically contiguous (CMA, gigantic pages): it isolates their pageblocks
 * (buddy's page-isolation.ts: MIGRATE_ISOLATE, the free pages out of the free counters), drains
 * the pcp lists, migrates every used page of the range away (MIGRATE_SYNC, MR_CONTIG_RANGE, the
 * new pages from alloc_migration_target on the zone's node; a THP moves whole, or split), checks
 * every page is now free (test_pages_isolated), takes them off the free lists as order-0 pages
 * (isolate_freepages_range, widening to the buddy block that holds `start`, giving back what lies
 * outside [start, end)), and undoes the isolation. cma_alloc finds `count` free bits in the CMA
 * area's bitmap (order_per_bit 0: a bit per page, aligned to 2^align pages), runs
 * alloc_contig_range(MIGRATE_CMA) there and, when the range is busy, tries the next aligned
 * position; cma_alloc_success / cma_alloc_fail count the outcome, and a failure logs 6.1's
 * "cma: cma_alloc: reserved: alloc failed, req-size: N pages, ret: -E" with the bitmap's free
 * ranges (cma_debug_show_areas). cma_release frees the pages and clears their bits.
 *
 * Simplified: the migration scanner is this file's own walk over the range (the rules of which
 * page can be isolated are @mmsim/migrate's isolateForMigration, as compaction's scanner uses
 * them), reclaim_clean_pages_from_list (dropping clean page-cache pages instead of moving them)
 * is not called, fatal signals do not interrupt.
 */
import {
  EBUSY, ENOMEM, GFP_KERNEL, GFP_TRANSHUGE, GFP_USER, type KernelLog, MIGRATE_CMA, MIGRATE_SYNC, MR_CONTIG_RANGE, type MigrateResult,
  type MigrationTarget, NIL_PAGE, type PageMigrator, PAGEBLOCK_NR_PAGES, PG_head, type VmStat, CMA_ALLOC_FAIL, CMA_ALLOC_SUCCESS, __GFP_MOVABLE,
  __GFP_RECLAIM, __GFP_RETRY_MAYFAIL, __GFP_THISNODE, pageBuddy,
} from "@mmsim/core";
import {
  type PageAllocState, allocPages, buddyOrder, drainAllPages, freePages, isolateFreePage, postAllocSplit, startIsolatePageRange,
  testPagesIsolated, undoIsolatePageRange,
} from "@mmsim/buddy";

/** Pages isolated for migration per round. Kernel: `COMPACT_CLUSTER_MAX` (SWAP_CLUSTER_MAX). */
const COMPACT_CLUSTER_MAX = 32;
/** __alloc_contig_migrate_range gives up after this many rounds without progress. */
const CONTIG_MIGRATE_TRIES = 5;
const HPAGE_PMD_NR = 512;

/** What alloc_contig_range needs of the machine. */
export interface ContigDeps {
  readonly pa: PageAllocState;
  readonly vmstat: VmStat;
  readonly log: KernelLog;
  /** @mmsim/migrate's PageMigrator, or null on a machine without migration (nothing used can then be moved). */
  readonly migrator: () => PageMigrator | null;
}

/** The new page of a migrating folio: `alloc_migration_target()` with the zone's node, GFP_USER | __GFP_MOVABLE | __GFP_RETRY_MAYFAIL. */
class ContigMigrationTarget implements MigrationTarget {
  nid = 0;
  cpu = 0;
  constructor(private readonly pa: PageAllocState) {}

  getNewPage(_srcPfn: number, order: number): number {
    let gfp = GFP_USER | __GFP_MOVABLE | __GFP_RETRY_MAYFAIL;
    if (order !== 0) gfp = (gfp & ~__GFP_RECLAIM) | GFP_TRANSHUGE; // a THP: as regular THP allocations
    const page = allocPages(this.pa, gfp & ~__GFP_THISNODE, order, this.cpu, this.nid);
    return page === NIL_PAGE ? -1 : this.pa.mem.pageToPfn(page);
  }

  putNewPage(dstPfn: number, order: number): void {
    freePages(this.pa, this.pa.mem.pfnToPage(dstPfn), order, this.cpu);
  }
}

/** alloc_contig_range and free_contig_range over one machine's allocator. */
export class ContigAllocator {
  private readonly target: ContigMigrationTarget;
  private list = new Int32Array(COMPACT_CLUSTER_MAX + HPAGE_PMD_NR);
  private nList = 0;
  private readonly result: MigrateResult = { nrFailed: 0, nrSucceeded: 0, nrFailedNoMem: 0 };
  /** Pages migrated out of contiguous ranges (mmsim's count; the kernel counts them in pgmigrate_success only). */
  migrated = 0;

  constructor(readonly deps: ContigDeps) {
    this.target = new ContigMigrationTarget(deps.pa);
  }

  /**
   * Takes the pages [start, end) of one zone for the caller: each order 0, refcount 1.
   * Kernel: `alloc_contig_range()`.
   * @returns 0, -EBUSY (a page could not be isolated or moved) or -ENOMEM (no page to move one to)
   */
  allocContigRange(start: number, end: number, migratetype: number, cpu: number): number {
    const pa = this.deps.pa;
    const mem = pa.mem;
    if (!mem.pfnValid(start) || !mem.pfnValid(end - 1) || end <= start) return -EBUSY;
    let ret = startIsolatePageRange(pa, start, end, migratetype);
    if (ret !== 0) return ret;
    drainAllPages(pa);
    ret = this.allocContigMigrateRange(start, end, cpu);
    if (ret !== 0 && ret !== -EBUSY) {
      undoIsolatePageRange(pa, start, end, migratetype);
      return ret;
    }
    ret = 0;
    // the buddy block holding `start` may begin before it
    let order = 0;
    let outerStart = start;
    while (!pageBuddy(mem, mem.pfnToPage(outerStart))) {
      if (++order >= 11) {
        outerStart = start;
        break;
      }
      outerStart = start - (start % (1 << order));
      if (!mem.pfnValid(outerStart)) {
        outerStart = start;
        break;
      }
    }
    if (outerStart !== start && outerStart + (1 << buddyOrder(mem, mem.pfnToPage(outerStart))) <= start) outerStart = start;
    if (testPagesIsolated(pa, outerStart, end) !== 0) {
      undoIsolatePageRange(pa, start, end, migratetype);
      return -EBUSY;
    }
    const outerEnd = this.isolateFreepagesRange(outerStart, end);
    if (outerEnd === 0) {
      undoIsolatePageRange(pa, start, end, migratetype);
      return -EBUSY;
    }
    // free head and tail (if any)
    if (start !== outerStart) this.freeContigRange(outerStart, start - outerStart, cpu);
    if (end !== outerEnd) this.freeContigRange(end, outerEnd - end, cpu);
    undoIsolatePageRange(pa, start, end, migratetype);
    return ret;
  }

  /**
   * Frees `nr` pages from `pfn` one by one (put_page of each). Kernel: `free_contig_range()`.
   * @returns the pages whose count was not 1 (the kernel WARNs with it)
   */
  freeContigRange(pfn: number, nr: number, cpu: number): number {
    const pa = this.deps.pa;
    const mem = pa.mem;
    let count = 0;
    for (let p = pfn; p < pfn + nr; p++) {
      const page = mem.pfnToPage(p);
      if (mem.refcount[page] !== 1) count++;
      freePages(pa, page, 0, cpu); // __free_page
    }
    return count;
  }

  /**
   * Moves every used page of [start, end) elsewhere: rounds of up to COMPACT_CLUSTER_MAX isolated
   * folios through migrate_pages, a round's failures retried up to 5 times. Kernel:
   * `__alloc_contig_migrate_range()` (lru_cache_disable, isolate_migratepages_range, migrate_pages).
   * @returns 0, -EBUSY or -ENOMEM
   */
  private allocContigMigrateRange(start: number, end: number, cpu: number): number {
    const pa = this.deps.pa;
    const mem = pa.mem;
    const migrator = this.deps.migrator();
    this.target.nid = pa.pageZone(mem.pfnToPage(start)).nid;
    this.target.cpu = cpu;
    let pfn = start;
    let tries = 0;
    let ret = 0;
    this.nList = 0;
    while (pfn < end || this.nList > 0) {
      if (this.nList === 0) {
        pfn = this.isolateMigratepagesRange(migrator, pfn, end);
        tries = 0;
        if (this.nList === 0) continue;
      } else if (++tries === CONTIG_MIGRATE_TRIES) {
        ret = -EBUSY;
        break;
      }
      if (migrator === null) {
        ret = -EBUSY;
        break;
      }
      migrator.migratePages(this.list, this.nList, this.target, MIGRATE_SYNC, MR_CONTIG_RANGE, this.result);
      this.migrated += this.result.nrSucceeded;
      this.nList = this.result.nrFailed;
      if (this.result.nrFailedNoMem > 0) {
        ret = -ENOMEM;
        break;
      }
    }
    if (this.nList > 0 && migrator !== null) migrator.putbackMovablePages(this.list, this.nList);
    this.nList = 0;
    return ret;
  }

  /**
   * Isolates the used, movable pages from `pfn` on until COMPACT_CLUSTER_MAX are isolated or
   * `end`: free blocks are skipped, a THP is taken whole by its head. Kernel:
   * `isolate_migratepages_range()` with cc->alloc_contig (mmsim's walk; see the file comment).
   * @returns where it stopped (cc->migrate_pfn)
   */
  private isolateMigratepagesRange(migrator: PageMigrator | null, pfn: number, end: number): number {
    const mem = this.deps.pa.mem;
    while (pfn < end && this.nList < COMPACT_CLUSTER_MAX) {
      if (!mem.pfnValid(pfn)) {
        pfn++;
        continue;
      }
      const page = mem.pfnToPage(pfn);
      if (pageBuddy(mem, page)) {
        pfn += 1 << buddyOrder(mem, page);
        continue;
      }
      const head = page - (pfn % HPAGE_PMD_NR);
      if (head !== page && mem.pfnValid(pfn - (pfn % HPAGE_PMD_NR)) && (mem.flags[head]! & (1 << PG_head)) !== 0) {
        pfn += HPAGE_PMD_NR - (pfn % HPAGE_PMD_NR); // a THP's tail: its head was seen (or lies before the range: taken there)
        continue;
      }
      if (mem.refcount[page]! > 0 && migrator !== null && migrator.isolateForMigration(pfn, MIGRATE_SYNC)) {
        this.push(pfn);
        if ((mem.flags[page]! & (1 << PG_head)) !== 0) {
          pfn += HPAGE_PMD_NR;
          continue;
        }
      }
      pfn++;
    }
    return pfn;
  }

  private push(pfn: number): void {
    if (this.nList === this.list.length) {
      const l = new Int32Array(this.list.length * 2);
      l.set(this.list);
      this.list = l;
    }
    this.list[this.nList++] = pfn;
  }

  /**
   * Takes every free block of [start, end) off the free lists as order-0 pages of refcount 1.
   * Kernel: `isolate_freepages_range()` (strict: a page that is not free fails the whole range).
   * @returns the pfn after the last block taken (≥ end), or 0 when a page was not free
   */
  private isolateFreepagesRange(start: number, end: number): number {
    const pa = this.deps.pa;
    const mem = pa.mem;
    let pfn = start;
    while (pfn < end) {
      const page = mem.pfnToPage(pfn);
      if (!pageBuddy(mem, page)) {
        // give back what was taken so far
        if (pfn > start) this.freeContigRange(start, pfn - start, 0);
        return 0;
      }
      const order = buddyOrder(mem, page);
      if (isolateFreePage(pa, page, order) === 0) {
        if (pfn > start) this.freeContigRange(start, pfn - start, 0);
        return 0;
      }
      postAllocSplit(pa, page, order);
      pfn += 1 << order;
    }
    return pfn;
  }
}

/**
 * One CMA area: `count` pages from `basePfn`, a bitmap of the allocated ones (order_per_bit 0).
 * Kernel: `struct cma`.
 */
export class Cma {
  /** Bit i: page basePfn + i is allocated. Kernel: `cma->bitmap`. */
  readonly bitmap: Uint8Array;
  /** Kernel: `cma->order_per_bit` (dma_contiguous_reserve's area: 0). */
  readonly orderPerBit = 0;
  /** Pages allocated and failed, for the area's sysfs files (alloc_pages_success / alloc_pages_fail). */
  allocPagesSuccess = 0;
  allocPagesFail = 0;

  constructor(
    /** Kernel: `cma->name` ("reserved" for the default area of dma_contiguous_reserve). */
    readonly name: string,
    readonly basePfn: number,
    readonly count: number,
    private readonly contig: ContigAllocator,
  ) {
    this.bitmap = new Uint8Array(count);
  }

  /** Allocated pages. */
  get used(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) n += this.bitmap[i]!;
    return n;
  }

  /**
   * `count` contiguous pages of the area, aligned to 2^align pages. Kernel: `cma_alloc()`.
   * @returns the first pfn, or -1 (cma_alloc_fail counted; logged unless noWarn)
   */
  cmaAlloc(count: number, align: number, noWarn: boolean, cpu: number): number {
    const { vmstat, log } = this.contig.deps;
    let pfn = -1;
    let ret = -ENOMEM;
    if (count > 0 && count <= this.count) {
      // cma_bitmap_aligned_mask / _offset with order_per_bit 0
      const mask = (1 << align) - 1;
      const offset = (this.basePfn & mask) === 0 ? 0 : (1 << align) - (this.basePfn & mask);
      let start = 0;
      for (;;) {
        const bitmapNo = this.findNextZeroAreaOff(start, count, mask, offset);
        if (bitmapNo >= this.count) break;
        this.bitmap.fill(1, bitmapNo, bitmapNo + count);
        const p = this.basePfn + bitmapNo;
        ret = this.contig.allocContigRange(p, p + count, MIGRATE_CMA, cpu);
        if (ret === 0) {
          pfn = p;
          break;
        }
        this.bitmap.fill(0, bitmapNo, bitmapNo + count); // cma_clear_bitmap
        if (ret !== -EBUSY) break;
        start = bitmapNo + mask + 1; // try again with a bit different memory target
      }
    }
    if (pfn < 0 && !noWarn && count > 0) {
      log.prErr(`cma: cma_alloc: ${this.name}: alloc failed, req-size: ${count} pages, ret: ${ret}`);
      this.debugShowAreas(log);
    }
    if (pfn >= 0) {
      vmstat.countVmEvent(CMA_ALLOC_SUCCESS);
      this.allocPagesSuccess += count;
    } else {
      vmstat.countVmEvent(CMA_ALLOC_FAIL);
      this.allocPagesFail += count;
    }
    return pfn;
  }

  /**
   * Gives back `count` pages from `pfn` that cmaAlloc returned. Kernel: `cma_release()`.
   * @returns false when the range is not the area's
   */
  cmaRelease(pfn: number, count: number, cpu: number): boolean {
    if (pfn < this.basePfn || pfn + count > this.basePfn + this.count) return false;
    this.contig.freeContigRange(pfn, count, cpu);
    this.bitmap.fill(0, pfn - this.basePfn, pfn - this.basePfn + count);
    return true;
  }

  /** Kernel: `bitmap_find_next_zero_area_off()`. @returns the first bit of a free aligned run, or ≥ count */
  private findNextZeroAreaOff(start: number, nr: number, mask: number, alignOffset: number): number {
    const size = this.count;
    const bm = this.bitmap;
    for (;;) {
      let index = start;
      while (index < size && bm[index] !== 0) index++;
      // __ALIGN_MASK(index + align_offset, mask) - align_offset
      index = ((index + alignOffset + mask) & ~mask) - alignOffset;
      const end = index + nr;
      if (end > size) return end;
      let i = index;
      while (i < end && bm[i] === 0) i++;
      if (i === end) return index;
      start = i + 1;
    }
  }

  /** Logs the free runs of the bitmap. Kernel: `cma_debug_show_areas()`. */
  private debugShowAreas(log: KernelLog): void {
    let s = "cma: number of available pages: ";
    let total = 0;
    let i = 0;
    while (i < this.count) {
      if (this.bitmap[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < this.count && this.bitmap[j] === 0) j++;
      s += `${total !== 0 ? "+" : ""}${j - i}@${i}`;
      total += j - i;
      i = j;
    }
    s += `=> ${total} free of ${this.count} total pages`;
    log.prInfo(s);
  }
}

/** GFP of cma_alloc's alloc_contig_range call (GFP_KERNEL). */
export const CMA_GFP = GFP_KERNEL;
/** The pageblock size CMA areas are aligned to. */
export const CMA_MIN_ALIGNMENT_PAGES = PAGEBLOCK_NR_PAGES;
