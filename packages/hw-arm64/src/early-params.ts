// Kernel: init/main.c (set_debug_rodata), arch/arm64/include/asm/setup.h (arch_parse_debug_rodata), arch/arm64/mm/mmu.c (parse_kfence_early_init), lib/cmdline.c (get_option) (v6.1.65+) — the early parameters map_mem() depends on
/*
 * 6.1 has no parse_rodata() in arch/arm64/mm/mmu.c any more (2e8cff0a0eee "arm64: fix
 * rodata=full", 6.0): `rodata=` is the generic early_param set_debug_rodata() (init/main.c),
 * which first asks the arch hook arch_parse_debug_rodata(). The reference kernel (Debian
 * 6.1.192) carries the 6.1.65 stable backport of acfa60dbe038 ("arm64: mm: Fix "rodata=on" when
 * CONFIG_RODATA_FULL_DEFAULT_ENABLED=y"), whose hook reads:
 *
 *   "full" → rodata_enabled = rodata_full = true
 *   "off"  → rodata_enabled = rodata_full = false
 *   "on"   → rodata_enabled = true, rodata_full = false
 *   else   → set_debug_rodata() warns "Invalid option string for rodata: '%s'"; nothing changes
 *
 * so rodata_full (default IS_ENABLED(CONFIG_RODATA_FULL_DEFAULT_ENABLED), =y in the reference
 * config) is never true without rodata_enabled. (Before 6.1.65, "on" left rodata_full set.)
 *
 * The same stable release carries bfa7965b33ab ("mm,kfence: decouple kfence from page
 * granularity mapping judgement", 6.4): with CONFIG_KFENCE, kfence_early_init =
 * !!CONFIG_KFENCE_SAMPLE_INTERVAL, changed by the early_param `kfence.sample_interval=` (its
 * get_option() value, non-zero → early). Early-initialised KFENCE has its pool page-mapped by
 * map_mem() and no longer forces the whole linear map to pages (see paging-init.ts).
 */

import { getOption } from "@mmsim/core";

/** CONFIG_RODATA_FULL_DEFAULT_ENABLED=y in the reference config: rodata_full's initial value. */
export const RODATA_FULL_DEFAULT_ENABLED = true;
/** CONFIG_KFENCE_SAMPLE_INTERVAL: Kconfig's default, 100 ms (KFENCE is not set in the reference config). */
export const CONFIG_KFENCE_SAMPLE_INTERVAL = 100;

/** What the early parameters set for map_mem(). */
export interface MapMemParams {
  /** rodata_enabled (init/main.c). */
  readonly rodataEnabled: boolean;
  /** rodata_full (arch/arm64/mm/pageattr.c). */
  readonly rodataFull: boolean;
  /** kfence.sample_interval= when given (its get_option() value); CONFIG_KFENCE_SAMPLE_INTERVAL otherwise. */
  readonly kfenceSampleInterval: number;
  /** The `rodata=` values set_debug_rodata() rejected with "Invalid option string for rodata: '%s'", in order. */
  readonly invalidRodata: readonly string[];
}

/**
 * One `rodata=` value. Kernel: `set_debug_rodata()` over `arch_parse_debug_rodata()` (6.1.65+).
 * @returns the new (rodata_enabled, rodata_full), or undefined for a value the kernel warns about and ignores
 */
export function setDebugRodata(str: string | undefined): { rodataEnabled: boolean; rodataFull: boolean } | undefined {
  // arch_parse_debug_rodata()
  if (str === "full") return { rodataEnabled: true, rodataFull: true };
  if (str === "off") return { rodataEnabled: false, rodataFull: false };
  if (str === "on") return { rodataEnabled: true, rodataFull: false };
  // set_debug_rodata() would take "on"/"off" itself; the arch hook already did.
  return undefined;
}

/** get_option() (lib/cmdline.c) is core's, with the command-line parser: re-exported for this package's users. */
export { getOption };

/**
 * The early parameters map_mem() depends on, from a kernel command line (space-separated, in
 * order: a later `rodata=` wins, as parse_early_param() runs each handler in turn).
 * Kernel: `parse_early_param()` → `set_debug_rodata()`, `parse_kfence_early_init()`.
 */
export function parseMapMemParams(cmdline: string): MapMemParams {
  let rodata = { rodataEnabled: true, rodataFull: RODATA_FULL_DEFAULT_ENABLED };
  let kfenceSampleInterval = CONFIG_KFENCE_SAMPLE_INTERVAL;
  const invalidRodata: string[] = [];
  for (const arg of cmdline.split(/\s+/)) {
    if (arg === "rodata" || arg.startsWith("rodata=")) {
      const val = arg === "rodata" ? undefined : arg.slice("rodata=".length);
      const r = setDebugRodata(val);
      if (r) rodata = r;
      else invalidRodata.push(val ?? "(null)");
    } else if (arg.startsWith("kfence.sample_interval=")) {
      const v = getOption(arg.slice("kfence.sample_interval=".length));
      if (v !== undefined) kfenceSampleInterval = v;
    }
  }
  return { ...rodata, kfenceSampleInterval, invalidRodata };
}
