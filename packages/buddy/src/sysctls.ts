// Kernel: kernel/sysctl.c vm_table, mm/page_alloc.c (v6.1) — the page allocator's vm sysctls, one ctl_table entry each
/*
 * Each entry is the knob's whole story: the range proc_dointvec_minmax checks (extra1/extra2 of
 * the ctl_table), the handler a write runs (min_free_kbytes_sysctl_handler and friends, in
 * watermarks.ts) and what a read prints. The scenario loader, /proc/sys/vm/<name> and
 * `--set kernel.sysctl.<name>` all read these.
 */
import { EINVAL, INT_MAX, MAX_NR_ZONES, type SysctlValue, defineSysctl, describeValue, parseSysctlInt } from "@mmsim/core";
import { BuddyAllocator } from "./buddy-allocator.ts";
import {
  setLowmemReserveRatio, setMinFreeKbytes, setPercpuPagelistHighFraction, setWatermarkBoostFactor, setWatermarkScaleFactor,
} from "./watermarks.ts";

const int = (v: SysctlValue, set: (n: number) => number) => (typeof v === "number" ? set(v) : -EINVAL);

/** vm.min_free_kbytes: proc_dointvec_minmax, extra1 = SYSCTL_ZERO; min_free_kbytes_sysctl_handler. */
export const minFreeKbytesSysctl = defineSysctl({
  dir: "vm",
  procname: "min_free_kbytes",
  type: "integer",
  doc: "free memory the kernel keeps (kbytes): sets the min watermarks, low and high above them",
  parse: (v) => parseSysctlInt(v, 0, INT_MAX, "kbytes"),
  service: BuddyAllocator,
  write: (b, v) => int(v, (n) => setMinFreeKbytes(b.state, n)),
  read: (b) => `${b.state.sysctl.minFreeKbytes}\n`,
});

/** vm.watermark_scale_factor: extra1 = SYSCTL_ONE, extra2 = SYSCTL_THREE_THOUSAND. */
export const watermarkScaleFactorSysctl = defineSysctl({
  dir: "vm",
  procname: "watermark_scale_factor",
  type: "integer",
  doc: "gap between the watermarks, in 0.01 % of a zone's memory",
  parse: (v) => parseSysctlInt(v, 1, 3000, "in units of 0.01 % of the zone's memory"),
  service: BuddyAllocator,
  write: (b, v) => int(v, (n) => setWatermarkScaleFactor(b.state, n)),
  read: (b) => `${b.state.sysctl.watermarkScaleFactor}\n`,
});

/** vm.watermark_boost_factor: extra1 = SYSCTL_ZERO. */
export const watermarkBoostFactorSysctl = defineSysctl({
  dir: "vm",
  procname: "watermark_boost_factor",
  type: "integer",
  doc: "watermark boost after a fragmenting fallback, in 0.01 % of the high watermark",
  parse: (v) => parseSysctlInt(v, 0, INT_MAX, "in units of 0.01 % of the high watermark"),
  service: BuddyAllocator,
  write: (b, v) => int(v, (n) => setWatermarkBoostFactor(b.state, n)),
  read: (b) => `${b.state.sysctl.watermarkBoostFactor}\n`,
});

/** vm.lowmem_reserve_ratio: proc_dointvec over MAX_NR_ZONES ints; lowmem_reserve_ratio_sysctl_handler. */
export const lowmemReserveRatioSysctl = defineSysctl({
  dir: "vm",
  procname: "lowmem_reserve_ratio",
  type: `${MAX_NR_ZONES} integers`,
  doc: "how much of each lower zone is kept from allocations that could use a higher zone (1/ratio)",
  parse: (v) => {
    const hint = `write ${MAX_NR_ZONES} integers ≥ 0, one per zone (DMA DMA32 Normal Movable), e.g. [256, 256, 32, 0] or "256 256 32 0"`;
    const list = typeof v === "string" ? v.trim().split(/\s+/).map((s) => (/^\d+$/.test(s) ? Number(s) : s)) : v;
    if (!Array.isArray(list) || list.length !== MAX_NR_ZONES) return `expected ${MAX_NR_ZONES} values, got ${describeValue(v)}; ${hint}`;
    if (!list.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= INT_MAX)) return `${describeValue(v)}: ${hint}`;
    return { ok: list as number[] };
  },
  service: BuddyAllocator,
  write: (b, v) => (typeof v === "number" ? -EINVAL : setLowmemReserveRatio(b.state, v)),
  read: (b) => `${Array.from(b.state.sysctl.lowmemReserveRatio).join("\t")}\n`,
});

/** vm.percpu_pagelist_high_fraction: extra1 = SYSCTL_ZERO; its handler rejects 1..7. */
export const percpuPagelistHighFractionSysctl = defineSysctl({
  dir: "vm",
  procname: "percpu_pagelist_high_fraction",
  type: "integer",
  doc: "per-CPU list high mark as a fraction of the zone (0 = from the low watermark)",
  parse: (v) => {
    const r = parseSysctlInt(v, 0, INT_MAX, "0 (from the low watermark) or at least 8");
    if (typeof r !== "string" && r.ok !== 0 && r.ok < 8) return `${r.ok} is out of range: the kernel accepts 0 or a fraction of at least 8`;
    return r;
  },
  service: BuddyAllocator,
  write: (b, v) => int(v, (n) => setPercpuPagelistHighFraction(b.state, n)),
  read: (b) => `${b.state.sysctl.percpuPagelistHighFraction}\n`,
});

/** The page allocator's sysctls, in vm_table's order as mmsim lists them. */
export const BUDDY_SYSCTLS = Object.freeze([
  minFreeKbytesSysctl, watermarkScaleFactorSysctl, watermarkBoostFactorSysctl, lowmemReserveRatioSysctl, percpuPagelistHighFractionSysctl,
] as const);
