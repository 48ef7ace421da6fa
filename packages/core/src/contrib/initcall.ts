// Kernel: include/linux/init.h (v6.1) — initcall levels: early_initcall … late_initcall, run by do_initcalls()
/*
 * A package that must run something once during boot contributes an Initcall at the level the
 * kernel gives that function (init_per_zone_wmark_min is a postcore_initcall, asids_init an
 * arch_initcall, hugepage_init a subsys_initcall). The machine runs the levels in 6.1's order
 * (do_pre_smp_initcalls for "early", then do_initcalls: core … late); within a level, in the
 * order the modules were registered (the kernel's link order).
 */
import { token } from "../di/token.ts";

/** The levels of include/linux/init.h, in the order the kernel runs them. */
export const INITCALL_LEVELS = Object.freeze(["early", "core", "postcore", "arch", "subsys", "fs", "rootfs", "device", "late"] as const);
export type InitcallLevel = (typeof INITCALL_LEVELS)[number];

/** One function run once at boot. Kernel: a `*_initcall(fn)` declaration. */
export interface Initcall {
  readonly level: InitcallLevel;
  /** The kernel function it stands for, e.g. `"init_per_zone_wmark_min"`. */
  readonly name: string;
  /** Runs it; a non-zero result is logged as the kernel logs a failed initcall. @returns 0 or -errno */
  run(): number;
}
export const Initcall = token<Initcall>("Initcall");
