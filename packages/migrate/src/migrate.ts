// Kernel: mm/migrate.c (v6.1, as in 6.1 before 6.3's batched rewrite: migrate_pages, unmap_and_move, __unmap_and_move, move_to_new_folio, migrate_folio, migrate_folio_extra, folio_migrate_mapping, folio_expected_refs, folio_migrate_flags, folio_migrate_copy, fallback_migrate_folio, putback_movable_pages, isolate_movable_page's LRU side via folio_isolate_lru) — page migration
/*
 * A folio isolated from its LRU list (isolateForMigration) moves to a page the caller's target
 * gives (compaction_alloc, alloc_migration_target): migratePages runs up to 10 passes over the
 * list (pass > 2 is `force`), each folio through unmap_and_move:
 *
 *   - a folio whose isolation reference is its last was freed under us: it goes, counted a success;
 *   - a target page is taken (-ENOMEM ends the whole call when there is none);
 *   - the folio is locked (held: -EAGAIN, and in MIGRATE_ASYNC nothing waits); under writeback
 *     only MIGRATE_SYNC / SYNC_NO_COPY wait, from pass 3 (-EAGAIN before; -EBUSY in the others);
 *   - mapped folios: try_to_migrate replaces each PTE with a migration entry (rmap);
 *   - move_to_new_folio: the mapping's migrate_folio (migrate_folio: anonymous, swap cache,
 *     shmem; buffer_migrate_folio without buffers is the same), else fallback_migrate_folio
 *     (a dirty folio: -EBUSY unless MIGRATE_SYNC, which would write it out — ramfs has no
 *     writepage: -EINVAL); folio_migrate_mapping checks the references (folio_expected_refs:
 *     isolation's, plus the cache's for a mapping; anything more — a pin — is -EAGAIN) and
 *     moves the page-cache or swap-cache slot, the index, mapping, swap entry and counters;
 *     folio_migrate_copy copies the contents (the page-contents identity) and the flags;
 *   - on success the new folio joins the LRU (lru_cache_add + lru_add_drain when it was
 *     mapped); remove_migration_ptes maps the new folio (or the old one after a failure) where
 *     the entries are; the old folio's last reference is dropped (it is freed).
 *
 * Results as 6.1's: -EAGAIN stays on the list for the next pass, other errors (-EBUSY, -EINVAL)
 * leave it on ret_pages; after the passes the retries count as failures; PGMIGRATE_SUCCESS /
 * PGMIGRATE_FAIL count pages, THP_MIGRATION_* count THPs; mm_migrate_pages_start and
 * mm_migrate_pages fire as 6.1 fires them.
 *
 * Transparent huge pages (arm64 has CONFIG_ARCH_ENABLE_THP_MIGRATION: thp_migration_supported()):
 * a THP migrates whole. The target gives an order-9 folio (alloc_migration_target: GFP_TRANSHUGE,
 * prep_transhuge_page), try_to_migrate turns its PMD mappings into PMD migration entries
 * (set_pmd_migration_entry) and its PTE mappings into PTE migration entries, the 512 subpages'
 * contents are copied, and remove_migration_ptes restores huge PMDs (remove_migration_pmd) and
 * PTEs onto the new folio; thp_migration_success counts it, pgmigrate_success its 512 pages.
 * When the target has no THP (-ENOMEM) migrate_pages tries try_split_thp — split_huge_page_to_list
 * — and migrates the subpages after the rest of the list (thp_migration_split, the subpages not
 * counted again in nr_failed); without a splitter (a machine without the fault module's
 * split_huge_page) or when the split fails the THP counts in thp_migration_fail and pgmigrate_fail
 * (512 pages) and stays isolated for the caller's putback. `thpMigrationSupported = false` takes
 * the -ENOSYS path of a kernel without THP migration. Non-LRU movable pages (zsmalloc's, balloon
 * pages) are unmovable here: isolateForMigration refuses every page that is not on an LRU list.
 *
 * The page lock is never contended (one simulated CPU runs at a time): every migration runs to
 * its end within the step that started it, so a migration entry is never seen by a fault, a zap
 * or a fork outside this file's own calls — but those paths handle them as 6.1 does.
 */
import {
  EAGAIN, EBUSY, EINVAL, ENOMEM, ENOSYS, HPAGE_PMD_NR, type Lru, MIGRATE_ASYNC, MIGRATE_SYNC, MIGRATE_SYNC_NO_COPY, type MemMap, type MigrateMode,
  type MigrateResult, type MigrationTarget, MmBugError, NIL_PFN, NR_FILE_DIRTY, NR_FILE_PAGES, NR_ISOLATED_ANON, NR_ISOLATED_FILE, NR_SHMEM,
  NR_SWAPCACHE, NR_ZONE_WRITE_PENDING, PGMIGRATE_FAIL, PGMIGRATE_SUCCESS, PG_active, PG_anon_exclusive, PG_checked, PG_dirty, PG_error, PG_head, PG_locked, PG_lru,
  PG_mappedtodisk, PG_private, PG_readahead, PG_referenced, PG_swapbacked, PG_swapcache, PG_unevictable, PG_uptodate, PG_workingset, PG_writeback,
  type PageAllocator, type PageMigrator, type SwapOps, THP_MIGRATION_FAIL, THP_MIGRATION_SPLIT, THP_MIGRATION_SUCCESS, TP_MM_MIGRATE_PAGES,
  TP_MM_MIGRATE_PAGES_START, MR_NUMA_MISPLACED, type TraceBus, type VmStat, MAX_NR_ZONES, ZONES_SHIFT, debugVm, swpOffset,
} from "@mmsim/core";
import { type AddressSpace, type Vfs, mappingCanWriteback } from "@mmsim/filemap";
import { type Rmap } from "@mmsim/rmap";
import { SWAP_ADDRESS_SPACE_SHIFT, type Swap } from "@mmsim/swap";

/** Kernel: `MIGRATEPAGE_SUCCESS`. */
export const MIGRATEPAGE_SUCCESS = 0;
/** Passes over the list. Kernel: the `pass < 10` of migrate_pages(). */
export const NR_MIGRATE_PASSES = 10;

const LOCKED = 1 << PG_locked;
const LRU = 1 << PG_lru;
const ACTIVE = 1 << PG_active;
const UNEVICTABLE = 1 << PG_unevictable;
const DIRTY = 1 << PG_dirty;
const WRITEBACK = 1 << PG_writeback;
const SWAPBACKED = 1 << PG_swapbacked;
const SWAPCACHE = 1 << PG_swapcache;
const HEAD = 1 << PG_head;
const PRIVATE = 1 << PG_private;
const ANON_EXCLUSIVE = 1 << PG_anon_exclusive;
/** folio_migrate_flags' plain copies: error, referenced, uptodate, workingset, checked (= owner_priv_1: swapcache's bit, set by folio_migrate_mapping too), mappedtodisk (= anon_exclusive), dirty, readahead. */
const COPIED_FLAGS = (1 << PG_error) | (1 << PG_referenced) | (1 << PG_uptodate) | (1 << PG_workingset) | (1 << PG_checked) | (1 << PG_mappedtodisk) | DIRTY | (1 << PG_readahead);

/** Where a folio of the list is (the kernel's from list, ret_pages, or gone). */
const ON_FROM = 0;
const ON_RET = 1;
const MIGRATED = 2;

/** A THP's order. Kernel: `HPAGE_PMD_ORDER`. */
const HPAGE_PMD_ORDER = 9;

/** migrate_pages' counters, indices into Migrator.counts: nr_succeeded, nr_failed, nr_failed_pages, nr_thp_succeeded, nr_thp_failed, nr_thp_split. */
const C_SUCCEEDED = 0;
const C_FAILED = 1;
const C_FAILED_PAGES = 2;
const C_THP_SUCCEEDED = 3;
const C_THP_FAILED = 4;
const C_THP_SPLIT = 5;

/** mmsim's breakdown of migrations (no kernel counter): why folios were not moved. */
export const MS_EAGAIN_LOCKED = 0;
export const MS_EAGAIN_REFS = 1;
export const MS_EBUSY_WRITEBACK = 2;
export const MS_EBUSY_DIRTY = 3;
export const MS_ENOMEM = 4;
export const MS_ENOSYS_THP = 5;
export const MS_FREED = 6;
export const MS_EINVAL = 7;
export const NR_MIGRATE_STATS = 8;
export const migrateStatNames: readonly string[] = Object.freeze(["eagain_locked", "eagain_refs", "ebusy_writeback", "ebusy_dirty", "enomem", "enosys_thp", "freed", "einval"]);

/** What migration needs of the machine. */
export interface MigrateDeps {
  readonly mem: MemMap;
  readonly pages: PageAllocator;
  readonly vmstat: VmStat;
  readonly trace: TraceBus;
  /** The rmap of the processes (try_to_migrate, remove_migration_ptes). */
  readonly rmap: Rmap;
  /** The VFS: page contents, the page cache's mappings, the LRU, the readahead/disk (waits for writeback). */
  readonly vfs: Vfs;
  /** The swap subsystem (the swap cache's slots), or null. */
  readonly swap: Swap | null;
  /** Swap's waits on pages under swap I/O, or null. */
  readonly swapOps?: SwapOps | null;
}

/** mm/migrate.c for one machine. Implements core's PageMigrator. */
export class Migrator implements PageMigrator {
  readonly mem: MemMap;
  /** mmsim's breakdown (MS_*). */
  readonly stats = new Float64Array(NR_MIGRATE_STATS);
  /** Set by each migratePages: where each folio of the list ended (ON_FROM, ON_RET, MIGRATED). */
  private where = new Uint8Array(64);
  /** The old → new pairs since the last validateMigration (head pfns). */
  lastOld = new Int32Array(64);
  lastNew = new Int32Array(64);
  lastCount = 0;
  /** The new folio's mapcount and flags must equal what the old one had: recorded before the move. */
  lastMapcount = new Int32Array(64);
  /** The new folio's mapcount right after the move (remove_migration_ptes done): what validateMigration compares. */
  lastNewMapcount = new Int32Array(64);
  private readonly vmEvents: Float64Array;
  /** Kernel: `thp_migration_supported()` (arm64: CONFIG_ARCH_ENABLE_THP_MIGRATION=y). */
  thpMigrationSupported = true;

  constructor(readonly deps: MigrateDeps) {
    this.mem = deps.mem;
    this.vmEvents = deps.vmstat.vmEvents;
  }

  private get lru(): Lru | null {
    return this.deps.vfs.lru;
  }

  private cpu(): number {
    return this.deps.vfs.current().cpu;
  }

  // ------------------------------------------------------------------ isolation and putback

  /**
   * Takes the folio at `pfn` off its LRU list with a reference and counts it in
   * NR_ISOLATED_ANON / NR_ISOLATED_FILE. MIGRATE_ASYNC (compaction's ISOLATE_ASYNC_MIGRATE)
   * skips folios under writeback and dirty folios whose mapping has no migrate_folio. Kernel:
   * `folio_isolate_lru()` + `node_stat_mod_folio(NR_ISOLATED_ANON + folio_is_file_lru())`, with
   * isolate_migratepages_block's async checks; non-LRU movable pages (isolate_movable_page) are
   * unmovable here. A machine without a reclaim module keeps its pages on no list: any mapped
   * (anonymous or page-cache) folio is isolated by its reference alone.
   */
  isolateForMigration(pfn: number, mode: MigrateMode): boolean {
    const mem = this.mem;
    if (!mem.pfnValid(pfn)) return false;
    const page = this.deps.rmap.compoundHead(mem.pfnToPage(pfn));
    const f = mem.flags[page]!;
    const lru = this.lru;
    if (mem.refcount[page]! <= 0 || (lru !== null && (f & LRU) === 0) || mem.mapping[page] === 0) return false;
    if (mode === MIGRATE_ASYNC) {
      if ((f & WRITEBACK) !== 0) return false;
      if ((f & DIRTY) !== 0) {
        const mapping = this.fileMapping(page);
        if (mapping !== null && mapping.aOps.migrateFolio === undefined) return false;
      }
    }
    if (lru === null) mem.refcount[page]!++; // no reclaim module: pages are on no list; the isolation reference alone
    else if (!lru.folioIsolateLru(page)) return false;
    this.deps.pages.modNodePageState(mem.pageToPfn(page), this.isolatedItem(page), this.nrPages(page));
    return true;
  }

  /**
   * Puts isolated folios back on their LRU lists (dropping the isolation reference) and out of
   * NR_ISOLATED_*. Kernel: `putback_movable_pages()` → `folio_putback_lru()`.
   */
  putbackMovablePages(pfns: Int32Array, n: number): void {
    const mem = this.mem;
    const lru = this.lru;
    for (let i = 0; i < n; i++) {
      const page = mem.pfnToPage(pfns[i]!);
      this.deps.pages.modNodePageState(pfns[i]!, this.isolatedItem(page), -this.nrPages(page));
      if (lru !== null) lru.folioPutbackLru(page);
      else this.putPage(page);
    }
  }

  /**
   * The NUMA syscalls' first step: every CPU's LRU batches drained, so every page is on its list
   * and can be isolated. Kernel: `lru_cache_disable()` (its lru_add_drain_all; mmsim's batches stay
   * enabled afterwards: nothing runs concurrently with the syscall).
   */
  lruCacheDisable(): void {
    this.lru?.lruAddDrainAll();
  }

  // ------------------------------------------------------------------ migrate_pages

  /**
   * Kernel: `migrate_pages()` (6.1). See PageMigrator.migratePages. A THP the target cannot take
   * is split (try_split_thp): its head is retried at once as an order-0 page, its tails go on
   * thp_split_pages and migrate in a second round after the list's passes, not counted in
   * nr_failed (no_subpage_counting). The tails that still did not move are put back here (the
   * caller's list has no room for them; the kernel leaves them on `from` for the caller's
   * putback_movable_pages, with the same effect).
   */
  migratePages(pfns: Int32Array, n: number, target: MigrationTarget, mode: MigrateMode, reason: number, result: MigrateResult): void {
    const trace = this.deps.trace;
    if (trace.on) trace.emit(TP_MM_MIGRATE_PAGES_START, mode, reason, 0, 0, 0, 0);
    if (this.work.length < n) this.work = new Int32Array(Math.max(n, this.work.length * 2));
    if (this.where.length < this.work.length) this.where = new Uint8Array(this.work.length);
    this.work.set(pfns.subarray(0, n));
    this.where.fill(ON_FROM, 0, n);
    this.nWork = n;
    const c = this.counts;
    c.fill(0);
    const nosplit = reason === MR_NUMA_MISPLACED;
    let nomem = this.migrateRound(0, n, target, mode, nosplit, false);
    let nomemAt = this.nomemAt;
    if (!nomem && this.nWork > n) {
      // thp_subpage_migration: the list's leftovers to ret_pages, the split tails migrate with no_subpage_counting
      for (let i = 0; i < n; i++) if (this.where[i] === ON_FROM) this.where[i] = ON_RET;
      if (this.migrateRound(n, this.nWork, target, mode, nosplit, true)) {
        nomem = true;
        nomemAt = this.nomemAt;
      }
    }
    const nrSucceeded = c[C_SUCCEEDED]!;
    const nrFailedPages = c[C_FAILED_PAGES]!;
    const nrThpSucceeded = c[C_THP_SUCCEEDED]!;
    const nrThpFailed = c[C_THP_FAILED]!;
    const nrThpSplit = c[C_THP_SPLIT]!;
    const where = this.where;
    const work = this.work;
    // list_splice(&ret_pages, from): the permanent failures first, then what stayed on from
    let k = 0;
    let noMemLeft = 0;
    for (let i = 0; i < n; i++) if (where[i] === ON_RET) pfns[k++] = work[i]!;
    for (let i = 0; i < n; i++) {
      if (where[i] !== ON_FROM) continue;
      if (nomem && i >= nomemAt) noMemLeft++;
      pfns[k++] = work[i]!;
    }
    // the split tails that did not move: putback_movable_pages (the caller's, done here)
    let nTails = 0;
    for (let i = n; i < this.nWork; i++) if (where[i] !== MIGRATED) work[nTails++] = work[i]!;
    if (nTails > 0) this.putbackMovablePages(work, nTails);
    const ev = this.vmEvents;
    ev[PGMIGRATE_SUCCESS]! += nrSucceeded;
    ev[PGMIGRATE_FAIL]! += nrFailedPages;
    ev[THP_MIGRATION_SUCCESS]! += nrThpSucceeded;
    ev[THP_MIGRATION_FAIL]! += nrThpFailed;
    ev[THP_MIGRATION_SPLIT]! += nrThpSplit;
    if (trace.on) {
      const a = trace.args;
      a[0] = nrSucceeded;
      a[1] = nrFailedPages;
      a[2] = nrThpSucceeded;
      a[3] = nrThpFailed;
      a[4] = nrThpSplit;
      a[5] = mode;
      a[6] = reason;
      trace.emitArgs(TP_MM_MIGRATE_PAGES);
    }
    // the kernel's return value (nr_failed + nr_thp_failed) counts exactly the folios left on the list, except after -ENOMEM or a split
    if (!nomem && nrThpSplit === 0 && debugVm.on && c[C_FAILED]! + nrThpFailed !== k) {
      throw new MmBugError("migrate.migrate_pages", `${c[C_FAILED]} + ${nrThpFailed} failed folios but ${k} left on the list`);
    }
    result.nrFailed = k;
    result.nrSucceeded = nrSucceeded;
    result.nrFailedNoMem = noMemLeft;
  }

  /** The working list: the caller's folios, then the tails of the THPs split on the way. */
  private work = new Int32Array(64);
  private nWork = 0;
  /** Where -ENOMEM stopped the last round. */
  private nomemAt = 0;
  /** migrate_pages' counters (C_*). */
  private readonly counts = new Float64Array(6);

  /**
   * The passes of migrate_pages over work[lo..hi) (the `thp_subpage_migration:` loop).
   * @returns true when -ENOMEM ended it (`goto out`)
   */
  private migrateRound(lo: number, hi: number, target: MigrationTarget, mode: MigrateMode, nosplit: boolean, noSubpageCounting: boolean): boolean {
    const mem = this.mem;
    const c = this.counts;
    let retry = 1;
    let thpRetry = 1;
    let nrRetryPages = 0;
    for (let pass = 0; pass < NR_MIGRATE_PASSES && (retry !== 0 || thpRetry !== 0); pass++) {
      retry = 0;
      thpRetry = 0;
      nrRetryPages = 0;
      for (let i = lo; i < hi; i++) {
        if (this.where[i] !== ON_FROM) continue;
        const page = mem.pfnToPage(this.work[i]!);
        const isThp = (mem.flags[page]! & HEAD) !== 0;
        const nrSubpages = isThp ? HPAGE_PMD_NR : 1;
        const rc = this.unmapAndMove(target, page, pass > 2, mode);
        switch (rc) {
          case -ENOSYS:
            // THP migration is unsupported: split, the head retried at once
            c[C_THP_FAILED]!++;
            if (this.trySplitThp(page) === 0) {
              c[C_THP_SPLIT]!++;
              i--;
              break;
            }
            c[C_FAILED_PAGES]! += nrSubpages;
            this.where[i] = ON_RET;
            break;
          case -ENOMEM:
            if (isThp && !nosplit) {
              c[C_THP_FAILED]!++;
              if (this.trySplitThp(page) === 0) {
                c[C_THP_SPLIT]!++;
                i--;
                break;
              }
            } else if (isThp) c[C_THP_FAILED]!++;
            else if (!noSubpageCounting) c[C_FAILED]!++;
            // When memory is low, don't bother to try to migrate other pages, just exit.
            c[C_FAILED_PAGES]! += nrSubpages + nrRetryPages;
            c[C_THP_FAILED]! += thpRetry;
            this.nomemAt = i;
            return true;
          case -EAGAIN:
            if (isThp) thpRetry++;
            else retry++;
            nrRetryPages += nrSubpages;
            break;
          case MIGRATEPAGE_SUCCESS:
            c[C_SUCCEEDED]! += nrSubpages;
            if (isThp) c[C_THP_SUCCEEDED]!++;
            this.where[i] = MIGRATED;
            break;
          default:
            // permanent failure (-EBUSY, -EINVAL): off the list, not retried
            if (isThp) c[C_THP_FAILED]!++;
            else if (!noSubpageCounting) c[C_FAILED]!++;
            c[C_FAILED_PAGES]! += nrSubpages;
            this.where[i] = ON_RET;
        }
      }
    }
    if (!noSubpageCounting) c[C_FAILED]! += retry;
    c[C_THP_FAILED]! += thpRetry;
    c[C_FAILED_PAGES]! += nrRetryPages;
    return false;
  }

  /**
   * Splits an isolated THP for migration: its tails join the working list (isolated, counted in
   * NR_ISOLATED_* as the head was for all 512), the head stays. Kernel: `try_split_thp()` →
   * `split_huge_page_to_list(page, &thp_split_pages)` under the page lock.
   * @returns 0, or -EBUSY (no splitter on this machine, or the folio is pinned)
   */
  private trySplitThp(page: number): number {
    const split = this.deps.rmap.splitHugePage; // the fault path's split_huge_page (null on a machine without one)
    if (split === null) return -EBUSY;
    const mem = this.mem;
    mem.flags[page] = mem.flags[page]! | LOCKED;
    const rc = split(mem.pageToPfn(page), this.onSplitTail);
    mem.flags[page] = mem.flags[page]! & ~LOCKED;
    return rc;
  }
  private readonly onSplitTail = (pfn: number): void => {
    if (this.nWork === this.work.length) {
      const w = new Int32Array(this.work.length * 2);
      w.set(this.work);
      this.work = w;
      const wh = new Uint8Array(w.length);
      wh.set(this.where);
      this.where = wh;
    }
    this.where[this.nWork] = ON_FROM;
    this.work[this.nWork++] = pfn;
  };

  /**
   * One folio: a target page, __unmap_and_move, and the references. Kernel: `unmap_and_move()`.
   * @returns MIGRATEPAGE_SUCCESS or -errno
   */
  private unmapAndMove(target: MigrationTarget, page: number, force: boolean, mode: MigrateMode): number {
    const mem = this.mem;
    const pfn = mem.pageToPfn(page);
    const isThp = (mem.flags[page]! & HEAD) !== 0;
    if (isThp && !this.thpMigrationSupported) {
      this.stats[MS_ENOSYS_THP]!++;
      return -ENOSYS;
    }
    if (mem.refcount[page] === 1) {
      // freed from under us: isolation holds the last reference
      mem.flags[page] = mem.flags[page]! & ~(ACTIVE | UNEVICTABLE);
      this.stats[MS_FREED]!++;
      this.finishSuccess(page);
      return MIGRATEPAGE_SUCCESS;
    }
    const order = isThp ? HPAGE_PMD_ORDER : 0;
    const dstPfn = target.getNewPage(pfn, order);
    if (dstPfn === NIL_PFN || dstPfn < 0) {
      this.stats[MS_ENOMEM]!++;
      return -ENOMEM;
    }
    const dst = mem.pfnToPage(dstPfn);
    mem.private[dst] = 0;
    if (isThp) this.deps.rmap.prepTransHuge(dst); // alloc_migration_target's prep_transhuge_page
    const rc = this.__unmapAndMove(page, dst, force, mode);
    if (rc === MIGRATEPAGE_SUCCESS) {
      this.finishSuccess(page);
      return rc;
    }
    // not moved: the target page goes back (put_new_page, or put_page when the caller gave none)
    if (isThp) this.deps.rmap.destroyTransHuge(dst);
    target.putNewPage(dstPfn, order);
    return rc;
  }

  /** The old folio after a success: out of NR_ISOLATED_*, the isolation reference dropped (the last: it is freed). */
  private finishSuccess(page: number): void {
    this.deps.pages.modNodePageState(this.mem.pageToPfn(page), this.isolatedItem(page), -this.nrPages(page));
    this.putPage(page);
  }

  /** Kernel: `__unmap_and_move()`. @returns MIGRATEPAGE_SUCCESS or -errno */
  private __unmapAndMove(src: number, dst: number, force: boolean, mode: MigrateMode): number {
    const mem = this.mem;
    const rmap = this.deps.rmap;
    let rc = -EAGAIN;
    if ((mem.flags[src]! & LOCKED) !== 0) {
      // folio_trylock failed: async and early passes give up; later ones would sleep on the lock, which nobody holds across steps here
      this.stats[MS_EAGAIN_LOCKED]!++;
      if (!force || mode === MIGRATE_ASYNC) return rc;
      this.waitOnPage(src);
      if ((mem.flags[src]! & LOCKED) !== 0) return rc;
    }
    mem.flags[src] = mem.flags[src]! | LOCKED;
    if ((mem.flags[src]! & WRITEBACK) !== 0) {
      if (mode !== MIGRATE_SYNC && mode !== MIGRATE_SYNC_NO_COPY) {
        this.stats[MS_EBUSY_WRITEBACK]!++;
        return this.unlock(src, -EBUSY);
      }
      if (!force) return this.unlock(src, rc);
      this.waitOnPage(src); // folio_wait_writeback
      if ((mem.flags[src]! & WRITEBACK) !== 0) return this.unlock(src, rc);
    }
    mem.flags[dst] = mem.flags[dst]! | LOCKED; // trylock_page(newpage): a fresh page
    const anon = mem.mapping[src]! < 0;
    let wasMapped = false;
    let unmappedLocked = false;
    this.recordMapcount = rmap.totalMapcount(src);
    if (mem.mapping[src] === 0) {
      // a page-cache folio truncated while isolated: the next pass finds it freed (buffers are not modelled)
      mem.flags[dst] = mem.flags[dst]! & ~LOCKED;
      return this.unlock(src, rc);
    }
    if (rmap.folioMapped(src)) {
      rmap.tryToMigrate(src);
      unmappedLocked = rmap.migrateUnmappedLocked;
      wasMapped = true;
    }
    if (!rmap.folioMapped(src)) rc = this.moveToNewFolio(dst, src, mode, anon);
    const lru = this.lru;
    if (rc === MIGRATEPAGE_SUCCESS && lru !== null) {
      // the old folio's mlock went with its VM_LOCKED mappings (page_remove_rmap → munlock_vma_page)
      if (unmappedLocked) lru.munlockFolio(src);
      lru.folioAddLru(dst, this.cpu()); // lru_cache_add(newpage)
      if (wasMapped) lru.lruAddDrain(this.cpu());
    }
    if (wasMapped) {
      const to = rc === MIGRATEPAGE_SUCCESS ? dst : src;
      rmap.removeMigrationPtes(src, to);
      // page_add_*_rmap → mlock_vma_page for VM_LOCKED mappings
      if (rmap.migrateRemappedLocked && lru !== null) lru.mlockFolio(to);
    }
    mem.flags[dst] = mem.flags[dst]! & ~LOCKED;
    mem.flags[src] = mem.flags[src]! & ~LOCKED;
    if (rc === MIGRATEPAGE_SUCCESS) {
      if (this.recordPairs) this.recordPair(mem.pageToPfn(src), mem.pageToPfn(dst), this.recordMapcount, this.deps.rmap.totalMapcount(dst));
      this.putPage(dst); // put_page(newpage): the allocation's reference (the mappings and the cache hold theirs)
    }
    return rc;
  }
  private recordMapcount = 0;

  /** Keep the old → new pairs for validateMigration (the module turns it on; a benchmark need not). */
  recordPairs = true;
  private recordPair(oldPfn: number, newPfn: number, mapcount: number, newMapcount: number): void {
    const c = this.lastCount;
    if (c === this.lastOld.length) {
      // beyond 64 moves between two checks the pairs grow (amortised, like any list here)
      const grow = (a: Int32Array): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.lastOld = grow(this.lastOld);
      this.lastNew = grow(this.lastNew);
      this.lastMapcount = grow(this.lastMapcount);
      this.lastNewMapcount = grow(this.lastNewMapcount);
    }
    this.lastOld[c] = oldPfn;
    this.lastNew[c] = newPfn;
    this.lastMapcount[c] = mapcount;
    this.lastNewMapcount[c] = newMapcount;
    this.lastCount = c + 1;
  }

  private unlock(page: number, rc: number): number {
    this.mem.flags[page] = this.mem.flags[page]! & ~LOCKED;
    return rc;
  }

  /** The folio is locked or under writeback for I/O in flight: the task waits for its completion. */
  private waitOnPage(page: number): void {
    if ((this.mem.flags[page]! & SWAPCACHE) !== 0 && (this.mem.flags[page]! & SWAPBACKED) !== 0) this.deps.swapOps?.waitOnPage?.(page);
    else this.deps.vfs.readahead?.waitOnPage?.(page);
  }

  /**
   * Kernel: `move_to_new_folio()`: the mapping's migrate_folio (migrate_folio for anonymous and
   * swap-cache folios and shmem, buffer_migrate_folio — without buffers the same — for disk
   * files), else fallback_migrate_folio; the old page-cache folio's mapping cleared on success.
   */
  private moveToNewFolio(dst: number, src: number, mode: MigrateMode, anon: boolean): number {
    const mem = this.mem;
    let rc: number;
    const mapping = anon ? null : this.fileMapping(src);
    if (mapping === null || mapping.aOps.migrateFolio !== undefined) rc = this.migrateFolio(mapping, dst, src, mode);
    else rc = this.fallbackMigrateFolio(mapping, dst, src, mode);
    if (rc === MIGRATEPAGE_SUCCESS && !anon) mem.mapping[src] = 0;
    return rc;
  }

  /**
   * A dirty folio of a mapping without migrate_folio would be written out first (only
   * MIGRATE_SYNC does; the others give -EBUSY); a folio with private data is released.
   * Kernel: `fallback_migrate_folio()` (writeout: -EINVAL without a writepage).
   */
  private fallbackMigrateFolio(mapping: AddressSpace, dst: number, src: number, mode: MigrateMode): number {
    const mem = this.mem;
    if ((mem.flags[src]! & DIRTY) !== 0) {
      if (mode !== MIGRATE_SYNC && mode !== MIGRATE_SYNC_NO_COPY) {
        this.stats[MS_EBUSY_DIRTY]!++;
        return -EBUSY;
      }
      // writeout(): write the folio and retry later; a mapping that cannot write (ramfs) refuses
      if (mapping.aOps.writepage === undefined) {
        this.stats[MS_EINVAL]!++;
        return -EINVAL;
      }
      return -EAGAIN;
    }
    if ((mem.flags[src]! & PRIVATE) !== 0 && mapping.aOps.releaseFolio?.(src) !== true) return mode === MIGRATE_SYNC ? -EAGAIN : -EBUSY;
    return this.migrateFolio(mapping, dst, src, mode);
  }

  /** Kernel: `migrate_folio()` = `migrate_folio_extra(…, 0)`: the mapping, then the contents and flags. */
  private migrateFolio(mapping: AddressSpace | null, dst: number, src: number, mode: MigrateMode): number {
    if ((this.mem.flags[src]! & WRITEBACK) !== 0) throw new MmBugError("migrate.migrate_folio", `page ${src} still under writeback`);
    const rc = this.folioMigrateMapping(mapping, dst, src, 0);
    if (rc !== MIGRATEPAGE_SUCCESS) return rc;
    if (mode !== MIGRATE_SYNC_NO_COPY) {
      // folio_copy: every subpage
      const contents = this.deps.vfs.contents;
      const s0 = this.mem.pageToPfn(src);
      const d0 = this.mem.pageToPfn(dst);
      for (let i = 0, nr = this.nrPages(src); i < nr; i++) contents.set(d0 + i, contents.get(s0 + i));
    }
    this.folioMigrateFlags(dst, src);
    return MIGRATEPAGE_SUCCESS;
  }

  /**
   * The references a folio of `mapping` has with nothing but the cache and the caller holding
   * it. Kernel: `folio_expected_refs()`.
   */
  folioExpectedRefs(mapping: boolean, page: number): number {
    let refs = 1;
    if (!mapping) return refs;
    refs += this.nrPages(page);
    if ((this.mem.flags[page]! & PRIVATE) !== 0) refs++;
    return refs;
  }

  /**
   * Moves the folio's identity to dst: an anonymous folio outside the swap cache only needs its
   * references checked (mapping, index, swap-backed copied); a page-cache or swap-cache folio's
   * slot now holds dst, which takes the cache's reference, the swap entry, PG_swapcache and
   * PG_dirty, and the node/zone counters move with it. Kernel: `folio_migrate_mapping()`.
   * @returns MIGRATEPAGE_SUCCESS, or -EAGAIN when someone else holds a reference (a pin)
   */
  private folioMigrateMapping(mapping: AddressSpace | null, dst: number, src: number, extraCount: number): number {
    const mem = this.mem;
    const f = mem.flags[src]!;
    const swapcache = (f & (SWAPBACKED | SWAPCACHE)) === (SWAPBACKED | SWAPCACHE);
    const hasMapping = mapping !== null || swapcache;
    const expected = this.folioExpectedRefs(hasMapping, src) + extraCount;
    if (!hasMapping) {
      if (mem.refcount[src] !== expected) {
        this.stats[MS_EAGAIN_REFS]!++;
        return -EAGAIN;
      }
      mem.index[dst] = mem.index[src]!;
      mem.mapping[dst] = mem.mapping[src]!;
      if ((f & SWAPBACKED) !== 0) mem.flags[dst] = mem.flags[dst]! | SWAPBACKED;
      return MIGRATEPAGE_SUCCESS;
    }
    if (mem.refcount[src] !== expected) {
      // folio_ref_freeze failed
      this.stats[MS_EAGAIN_REFS]!++;
      return -EAGAIN;
    }
    const nr = this.nrPages(src);
    mem.index[dst] = mem.index[src]!;
    mem.mapping[dst] = mem.mapping[src]!;
    mem.refcount[dst]! += nr; // the cache's reference
    if ((f & SWAPBACKED) !== 0) {
      mem.flags[dst] = mem.flags[dst]! | SWAPBACKED;
      if (swapcache) {
        mem.flags[dst] = mem.flags[dst]! | SWAPCACHE;
        mem.private[dst] = mem.private[src]!;
      }
    }
    const dirty = (f & DIRTY) !== 0;
    if (dirty) {
      mem.flags[src] = mem.flags[src]! & ~DIRTY;
      mem.flags[dst] = mem.flags[dst]! | DIRTY;
    }
    // xas_store(&xas, newfolio)
    if (swapcache) this.swapCacheReplace(mem.private[src]!, dst);
    else mapping!.iPages.store(mem.index[src]!, dst + 1);
    mem.refcount[src]! -= nr; // folio_ref_unfreeze(folio, expected_count - nr)
    // the counters follow the folio to its node and zone
    const pages = this.deps.pages;
    const srcPfn = mem.pageToPfn(src);
    const dstPfn = mem.pageToPfn(dst);
    if (mem.nodeZone[src] !== mem.nodeZone[dst]) {
      pages.modNodePageState(srcPfn, NR_FILE_PAGES, -nr);
      pages.modNodePageState(dstPfn, NR_FILE_PAGES, nr);
      if ((f & SWAPBACKED) !== 0 && !swapcache) {
        pages.modNodePageState(srcPfn, NR_SHMEM, -nr);
        pages.modNodePageState(dstPfn, NR_SHMEM, nr);
      }
      if (swapcache) {
        pages.modNodePageState(srcPfn, NR_SWAPCACHE, -nr);
        pages.modNodePageState(dstPfn, NR_SWAPCACHE, nr);
      }
      if (dirty && mapping !== null && mappingCanWriteback(mapping)) {
        pages.modNodePageState(srcPfn, NR_FILE_DIRTY, -nr);
        pages.modNodePageState(dstPfn, NR_FILE_DIRTY, nr);
        this.zoneMod(src, NR_ZONE_WRITE_PENDING, -nr);
        this.zoneMod(dst, NR_ZONE_WRITE_PENDING, nr);
      }
    }
    return MIGRATEPAGE_SUCCESS;
  }

  private zoneMod(page: number, item: number, delta: number): void {
    const nz = this.mem.nodeZone[page]!;
    this.deps.vmstat.zonePageStateAdd(delta, (nz >> ZONES_SHIFT) * MAX_NR_ZONES + (nz & ((1 << ZONES_SHIFT) - 1)), item);
  }

  /** The swap cache's slot of `entry` holds `dst` now (xas_store on swap_address_space(entry)). */
  private swapCacheReplace(entry: number, dst: number): void {
    const si = this.deps.swap?.swpSwapInfo(entry) ?? null;
    if (si === null) throw new MmBugError("migrate.folio_migrate_mapping", `swap-cache page with entry 0x${entry.toString(16)} of no swap area`);
    const off = swpOffset(entry);
    si.spaces[off >>> SWAP_ADDRESS_SPACE_SHIFT]!.store(off, dst + 1);
  }

  /**
   * The page flags the new folio inherits; the old one loses active/unevictable, swapcache and
   * its private data; the memcg charge moves (mem_cgroup_migrate). Kernel: `folio_migrate_flags()`.
   */
  folioMigrateFlags(dst: number, src: number): void {
    const mem = this.mem;
    const f = mem.flags[src]!;
    let d = mem.flags[dst]! | (f & COPIED_FLAGS);
    if ((f & ACTIVE) !== 0) d |= ACTIVE; // folio_test_clear_active
    else if ((f & UNEVICTABLE) !== 0) d |= UNEVICTABLE;
    mem.flags[dst] = d;
    let s = f & ~(ACTIVE | UNEVICTABLE);
    if ((s & (SWAPBACKED | SWAPCACHE)) === (SWAPBACKED | SWAPCACHE)) s &= ~SWAPCACHE; // folio_clear_swapcache
    s &= ~PRIVATE; // folio_clear_private
    mem.flags[src] = s;
    mem.private[src] = 0;
    // mem_cgroup_migrate(): the new folio takes the old one's charge (page->memcg_data), which is then freed uncharged
    if (mem.memcg[src] !== 0 && mem.memcg[dst] === 0) {
      mem.memcg[dst] = mem.memcg[src]!;
      mem.memcg[src] = 0;
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The page-cache mapping of a file folio, or null (anonymous, truncated). */
  private fileMapping(page: number): AddressSpace | null {
    return this.deps.rmap.pageFileMapping(page) as AddressSpace | null;
  }

  /** NR_ISOLATED_ANON + folio_is_file_lru(). */
  private isolatedItem(page: number): number {
    return (this.mem.flags[page]! & SWAPBACKED) !== 0 ? NR_ISOLATED_ANON : NR_ISOLATED_FILE;
  }

  private nrPages(page: number): number {
    return (this.mem.flags[page]! & HEAD) !== 0 ? HPAGE_PMD_NR : 1;
  }

  /**
   * put_page() of a folio (order 0, or a THP: order 9): the last reference takes it off the LRU (__page_cache_release)
   * and frees it, its anonymous mapping reset (free_pages_prepare), its contents dropped.
   */
  putPage(page: number): void {
    const mem = this.mem;
    const rc = mem.refcount[page]!;
    if (rc > 1) {
      mem.refcount[page] = rc - 1;
      return;
    }
    const pfn = mem.pageToPfn(page);
    this.lru?.pageCacheRelease(page);
    mem.mapping[page] = 0;
    mem.index[page] = 0;
    mem.private[page] = 0;
    if ((mem.flags[page]! & HEAD) !== 0) {
      // __folio_put_large → destroy_compound_page (free_transhuge_page: off the deferred split queue) → order-9 free
      this.deps.rmap.destroyTransHuge(page);
      for (let i = 0; i < HPAGE_PMD_NR; i++) {
        this.deps.vfs.contents.clear(pfn + i);
        mem.flags[page + i] = mem.flags[page + i]! & ~ANON_EXCLUSIVE;
      }
      this.deps.pages.freePages(pfn, HPAGE_PMD_ORDER, this.cpu());
      return;
    }
    this.deps.vfs.contents.clear(pfn);
    this.deps.pages.freePages(pfn, 0, this.cpu());
  }
}
