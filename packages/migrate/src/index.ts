// mmsim: @mmsim/migrate's public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export {
  MIGRATEPAGE_SUCCESS, NR_MIGRATE_PASSES, MS_EAGAIN_LOCKED, MS_EAGAIN_REFS, MS_EBUSY_WRITEBACK, MS_EBUSY_DIRTY, MS_ENOMEM, MS_ENOSYS_THP, MS_FREED,
  MS_EINVAL, NR_MIGRATE_STATS, migrateStatNames, Migrator,
} from "./migrate.ts";
export type { MigrateDeps } from "./migrate.ts";
export { MPOL_MF_MOVE, MPOL_MF_MOVE_ALL, DO_PAGES_STAT_CHUNK_NR, NodeMigrationTarget, MigrateSyscalls, vmaLookup, vmaMigratable } from "./syscalls.ts";
export { validateMigration } from "./validate.ts";
export { MIGRATE } from "./token.ts";
export type { MigrateService } from "./token.ts";
export { migrateModule } from "./module.ts";
