// mmsim: DI wiring of page migration (cf. CONFIG_MIGRATION=y): the Migrator registered as core's PageMigrator (for compaction, CMA and the NUMA syscalls), the move_pages/migrate_pages service and the validator
import { MEM_MAP, type MmsimModule, PageAllocator, PageMigrator, SwapOps, TRACE_BUS, VM_STAT, Validator, type ValidationSink, resolveToken } from "@mmsim/core";
import { VFS } from "@mmsim/filemap";
import { KERNEL_PAGE_TABLES } from "@mmsim/hw-arm64";
import { Rmap } from "@mmsim/rmap";
import { SWAP } from "@mmsim/swap";
import { ANON_VMA_OPS } from "@mmsim/vma";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { Migrator } from "./migrate.ts";
import { MigrateSyscalls } from "./syscalls.ts";
import { MIGRATE, type MigrateService } from "./token.ts";
import { validateMigration } from "./validate.ts";

/** Builds the machine's migration over its rmap (the process module's), VFS and swap. */
function makeMigrate(c: DependencyContainer): MigrateService {
  const rmap = resolveToken(c, ANON_VMA_OPS);
  if (!(rmap instanceof Rmap)) throw new Error("migrate.module: ANON_VMA_OPS is not @mmsim/rmap's Rmap (page migration walks its rmap)");
  const vmstat = resolveToken(c, VM_STAT);
  const pages = resolveToken(c, PageAllocator);
  const migrator = new Migrator({
    mem: resolveToken(c, MEM_MAP),
    pages,
    vmstat,
    trace: resolveToken(c, TRACE_BUS),
    rmap,
    vfs: resolveToken(c, VFS),
    swap: c.isRegistered(SWAP, true) ? resolveToken(c, SWAP).swap : null,
    swapOps: c.isRegistered(SwapOps, true) ? resolveToken(c, SwapOps) : null,
  });
  const syscalls = new MigrateSyscalls(migrator, resolveToken(c, KERNEL_PAGE_TABLES).store, pages, vmstat.nrNodes);
  return { migrator, syscalls };
}

export const migrateModule: MmsimModule = {
  slot: "migrate",
  name: "migrate",
  description: "page migration of Linux 6.1 (mm/migrate.c): migrate_pages with migration entries, the page-cache and swap-cache moves, move_pages(2) and migrate_pages(2)",
  register(container: DependencyContainer): void {
    let made: MigrateService | null = null;
    container.register(MIGRATE, { useFactory: instanceCachingFactory((c) => (made = makeMigrate(c))) });
    container.register(PageMigrator, { useFactory: (c) => resolveToken(c, MIGRATE).migrator });
    container.register(Validator, {
      useFactory: (c) => ({
        name: "migrate",
        validate: (sink: ValidationSink) => {
          if (made !== null) validateMigration(made.migrator, resolveToken(c, KERNEL_PAGE_TABLES).store, sink);
        },
      }),
    });
  },
};
