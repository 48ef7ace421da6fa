// Kernel: include/linux/migrate.h, include/linux/migrate_mode.h (v6.1) — the page-migration contract compaction, CMA and the NUMA syscalls call
/*
 * Page migration (mm/migrate.c) is a mechanism of its own package (@mmsim/migrate) that comes
 * before fault in the mechanism order; compaction comes after reclaim. Compaction, CMA's
 * alloc_contig_range and migrate_pages(2)/move_pages(2) reach it through this interface, as
 * 6.1's callers reach migrate_pages() with a list of isolated folios and a target allocator.
 */
import { token } from "../di/token.ts";

/** Kernel: `enum migrate_mode`. */
export const MIGRATE_ASYNC = 0;
export const MIGRATE_SYNC_LIGHT = 1;
export const MIGRATE_SYNC = 2;
export const MIGRATE_SYNC_NO_COPY = 3;
export type MigrateMode = 0 | 1 | 2 | 3;

/** Kernel: `enum migrate_reason` (MR_TYPES order; the names are trace strings). */
export const MR_COMPACTION = 0;
export const MR_MEMORY_FAILURE = 1;
export const MR_MEMORY_HOTPLUG = 2;
export const MR_SYSCALL = 3;
export const MR_MEMPOLICY_MBIND = 4;
export const MR_NUMA_MISPLACED = 5;
export const MR_CONTIG_RANGE = 6;
export const MR_LONGTERM_PIN = 7;
export const MR_DEMOTION = 8;
export const MIGRATE_REASON_NAMES = Object.freeze([
  "compaction", "memory_failure", "memory_hotplug", "syscall_or_cpuset", "mempolicy_mbind", "numa_misplaced", "contig_range", "longterm_pin", "demotion",
]);

/**
 * Where migrated folios go. Kernel: migrate_pages()'s `get_new_page` / `put_new_page` pair
 * (compaction_alloc / compaction_free, alloc_migration_target, …).
 */
export interface MigrationTarget {
  /** @returns the head pfn of a free folio of `order` for the folio at `srcPfn`, or -1 (NIL_PAGE) */
  getNewPage(srcPfn: number, order: number): number;
  /** Gives back a target that was not used. Null in the kernel means "free it to the allocator". */
  putNewPage(dstPfn: number, order: number): void;
}

/** Counts of one migrate_pages() call (its return value and *nr_succeeded). */
export interface MigrateResult {
  /** folios not migrated for a permanent reason or after all retries (the kernel's return value) */
  nrFailed: number;
  nrSucceeded: number;
  /** of nrFailed, folios that failed for lack of a target page (-ENOMEM) */
  nrFailedNoMem: number;
}

/** Kernel: migrate_pages(), isolate_movable_page(), putback_movable_pages(). */
export interface PageMigrator {
  /**
   * Isolates the page at `pfn` for migration (an LRU folio via folio_isolate_lru, or a non-LRU
   * movable page via isolate_movable_page); the caller later passes it to migratePages.
   * @returns false when the page cannot be isolated (free, pinned, already isolated, unmovable)
   */
  isolateForMigration(pfn: number, mode: MigrateMode): boolean;
  /**
   * Migrates the isolated folios `pfns[0..n)` (head pfns), each to a page from `target`. Folios
   * that migrated are freed; those that did not stay isolated and are left, compacted, at the
   * front of `pfns` (the kernel's `from` list) for the caller's putbackMovablePages.
   * Kernel: `migrate_pages(from, get_new_page, put_new_page, private, mode, reason, &nr_succeeded)`.
   */
  migratePages(pfns: Int32Array, n: number, target: MigrationTarget, mode: MigrateMode, reason: number, result: MigrateResult): void;
  /** Returns isolated folios to their LRU lists or movable owners. Kernel: `putback_movable_pages()`. */
  putbackMovablePages(pfns: Int32Array, n: number): void;
}
export const PageMigrator = token<PageMigrator>("PageMigrator");
