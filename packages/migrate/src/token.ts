// mmsim: the machine's migration service (token MIGRATE): mm/migrate.c's migrate_pages and the syscalls that call it (no kernel counterpart as one object)
import { token } from "@mmsim/core";
import type { Migrator } from "./migrate.ts";
import type { MigrateSyscalls } from "./syscalls.ts";

/** One machine's page migration. */
export interface MigrateService {
  readonly migrator: Migrator;
  readonly syscalls: MigrateSyscalls;
}
export const MIGRATE = token<MigrateService>("Migrate");
