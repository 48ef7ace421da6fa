// Kernel: mm/page_alloc.c (v6.1) — init_per_zone_wmark_min(), setup_per_zone_wmarks(), lowmem reserve, per-CPU pageset sizing, vm sysctl handlers, boost_watermark(); mm/vmstat.c refresh_zone_stat_thresholds(); mm/khugepaged.c set_recommended_min_free_kbytes()
/*
 * The numbers the allocator's decisions depend on, and the sysctls that change them.
 * Followed: mm/page_alloc.c, mm/vmstat.c, mm/khugepaged.c and kernel/sysctl.c (vm_table ranges)
 * of 6.1.129 (FreshlyCutWax/Linux-Kernel-KTMM-6.1), unchanged here up to the reference 6.1.192.
 *
 * When they run at boot (6.1): setup_per_cpu_pageset() in start_kernel (pcp high/batch from the
 * early managed count, no watermarks yet); init_per_zone_wmark_min() as a postcore_initcall,
 * after page_alloc_init_late() and the CMA areas (core_initcall) have given their pages to the
 * buddy allocator: min_free_kbytes = clamp(int_sqrt(lowmem_kB × 16), 128, 262144); then THP's
 * hugepage_init() (subsys_initcall) → set_recommended_min_free_kbytes() raises it to
 * pageblock_nr_pages × zones × (2 + MIGRATE_PCPTYPES²) pages, at most 5 % of lowmem — unless
 * totalram is under 512 MiB, where hugepage_init() turns THP off first (huge-memory.ts).
 * setup_per_zone_wmarks() ends with zone_pcp_update() on every zone, so pcp high (split of the
 * low watermark over the node's CPUs) and batch follow every watermark change.
 *
 * Reference board (1 GiB, 2 CPUs), managed 248352 pages at postcore time: int_sqrt(993408 × 16)
 * = 3986 kB, THP: 512 × 1 × 11 = 5632 pages = 22528 kB; DMA min 5632, low/high +1408 each
 * (max(5632 / 4, 248352 × 10 / 10000)); pcp batch 63, high 7040 / 2 = 3520; stat threshold
 * 2 × fls(2) × (1 + fls(248352 >> 15 = 7)) = 16.
 *
 * 6.1 specifics: is_highmem() is false for every zone on arm64 (no CONFIG_HIGHMEM), so ZONE_MOVABLE
 * counts as lowmem and gets a proportional min watermark (later kernels treat it like highmem).
 * WMARK_PROMO exists (v5.19+). The pcp high has no high_min/high_max (v6.7+).
 *
 * Simplified: every configured CPU is online all the time (cpu_online arguments default to 0
 * as in the boot calls); the per-node stat thresholds, percpu_drift_mark, and the NUMA
 * min_unmapped/min_slab ratios are not kept (Zone/PglistData have no fields for them).
 * Sysctl writers take numbers, not strings: a non-integer or a value outside int is rejected
 * with -EINVAL as proc_dointvec_minmax() rejects what it cannot parse.
 */
import {
  EINVAL, MIGRATE_PCPTYPES, NR_PCP_LISTS, PAGEBLOCK_NR_PAGES, PAGE_SHIFT, PAGE_SIZE, SZ_1M, GFP_USER, MAX_NR_ZONES,
  WMARK_HIGH, WMARK_LOW, WMARK_MIN, WMARK_PROMO, gfpZone, vmBugOn,
} from "@mmsim/core";
import { PerCpuPages, type Zone } from "./mmzone.ts";
import type { PageAllocState } from "./page-alloc-state.ts";
import { nrFreeBufferPages } from "./zonelist.ts";

/** pcp->high of a boot pageset: every freed page goes straight back to the buddy lists. Kernel: `BOOT_PAGESET_HIGH`. */
export const BOOT_PAGESET_HIGH = 0;
/** pcp->batch of a boot pageset. Kernel: `BOOT_PAGESET_BATCH`. */
export const BOOT_PAGESET_BATCH = 1;
/** Smallest non-zero vm.percpu_pagelist_high_fraction. Kernel: `MIN_PERCPU_PAGELIST_HIGH_FRACTION`. */
export const MIN_PERCPU_PAGELIST_HIGH_FRACTION = 8;
/** Floor of a highmem zone's min watermark. Kernel: `SWAP_CLUSTER_MAX` (include/linux/swap.h). */
export const SWAP_CLUSTER_MAX = 32;
/** Upper bound of vm.watermark_scale_factor (SYSCTL_THREE_THOUSAND). */
export const WATERMARK_SCALE_FACTOR_MAX = 3000;
const INT_MAX = 0x7fffffff;
const INT_MIN = -0x80000000;

// ---------------------------------------------------------------------------------------------
// Integer helpers
// ---------------------------------------------------------------------------------------------

/** ⌊√x⌋ for an integer x ≥ 0, exact for every safe integer. Kernel: `int_sqrt()`. */
export function intSqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/** ⌊x × n / d⌋ without overflow, as the kernel computes it. Kernel: `mult_frac()`. */
export function multFrac(x: number, n: number, d: number): number {
  const q = Math.floor(x / d);
  const r = x % d;
  return q * n + Math.floor((r * n) / d);
}

/** The kernel's 1-based fls(): index of the highest set bit + 1, 0 for 0. */
function fls(x: number): number {
  return 32 - Math.clz32(x);
}

/** True for an integer that fits in a C int (what proc_dointvec accepts). */
function isInt(v: number): boolean {
  return Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX;
}

/** Kernel: `is_highmem()`: never on arm64 (no CONFIG_HIGHMEM), ZONE_MOVABLE included. */
function isHighmem(_zone: Zone): boolean {
  return false;
}

// ---------------------------------------------------------------------------------------------
// Watermarks and reserves
// ---------------------------------------------------------------------------------------------

/**
 * min_free_kbytes = clamp(int_sqrt(lowmem_kbytes × 16), 128, 262144), unless a user value is
 * larger. Kernel: `calculate_min_free_kbytes()`.
 */
export function calculateMinFreeKbytes(pa: PageAllocState): void {
  const lowmemKbytes = nrFreeBufferPages(pa) * (PAGE_SIZE >> 10);
  const newMinFreeKbytes = intSqrt(lowmemKbytes * 16);
  const sysctl = pa.sysctl;
  if (newMinFreeKbytes > sysctl.userMinFreeKbytes) {
    sysctl.minFreeKbytes = Math.min(Math.max(newMinFreeKbytes, 128), 262144);
  } else {
    pa.log.prWarn(`min_free_kbytes is not updated to ${newMinFreeKbytes} because user defined value ${sysctl.userMinFreeKbytes} is preferred`);
  }
}

/**
 * totalreserve_pages: per zone, its largest lowmem_reserve plus its high watermark, capped at
 * its managed pages. Kernel: `calculate_totalreserve_pages()`.
 */
export function calculateTotalreservePages(pa: PageAllocState): void {
  let reservePages = 0;
  for (const pgdat of pa.pgdat) {
    pgdat.totalreservePages = 0;
    for (let i = 0; i < MAX_NR_ZONES; i++) {
      const zone = pgdat.zones[i]!;
      let max = 0;
      for (let j = i; j < MAX_NR_ZONES; j++) if (zone.lowmemReserve[j]! > max) max = zone.lowmemReserve[j]!;
      // we treat the high watermark as reserved pages.
      max += zone.highWmarkPages();
      if (max > zone.managedPages) max = zone.managedPages;
      pgdat.totalreservePages += max;
      reservePages += max;
    }
  }
  pa.totalreservePages = reservePages;
}

/**
 * lowmem_reserve[j] of zone i = Σ managed(zones i+1..j) / lowmem_reserve_ratio[i] (0 when the
 * ratio is 0 or zone i has no managed pages). Kernel: `setup_per_zone_lowmem_reserve()`.
 */
export function setupPerZoneLowmemReserve(pa: PageAllocState): void {
  const ratios = pa.sysctl.lowmemReserveRatio;
  for (const pgdat of pa.pgdat) {
    for (let i = 0; i < MAX_NR_ZONES - 1; i++) {
      const zone = pgdat.zones[i]!;
      const ratio = ratios[i]!;
      const clear = ratio === 0 || zone.managedPages === 0;
      let managedPages = 0;
      for (let j = i + 1; j < MAX_NR_ZONES; j++) {
        managedPages += pgdat.zones[j]!.managedPages;
        zone.lowmemReserve[j] = clear ? 0 : Math.floor(managedPages / ratio);
      }
    }
  }
  calculateTotalreservePages(pa);
}

/**
 * Sets every zone's min/low/high/promo watermarks from min_free_kbytes (min shared out by
 * managed pages over all lowmem zones; gaps of max(min/4, managed × watermark_scale_factor /
 * 10000)), clears the boost, updates totalreserve_pages, then re-sizes every zone's pagesets.
 * Kernel: `setup_per_zone_wmarks()` with `__setup_per_zone_wmarks()`.
 */
export function setupPerZoneWmarks(pa: PageAllocState): void {
  const pagesMin = pa.sysctl.minFreeKbytes >> (PAGE_SHIFT - 10);
  const scale = pa.sysctl.watermarkScaleFactor;
  let lowmemPages = 0;
  for (const zone of pa.zones) if (!isHighmem(zone)) lowmemPages += zone.managedPages;

  for (const zone of pa.zones) {
    const managed = zone.managedPages;
    let tmp = lowmemPages === 0 ? 0 : Math.floor((pagesMin * managed) / lowmemPages);
    if (isHighmem(zone)) {
      zone.watermark[WMARK_MIN] = Math.min(Math.max(Math.floor(managed / 1024), SWAP_CLUSTER_MAX), 128);
    } else {
      zone.watermark[WMARK_MIN] = tmp;
    }
    tmp = Math.max(Math.floor(tmp / 4), multFrac(managed, scale, 10000));
    zone.watermarkBoost = 0;
    zone.watermark[WMARK_LOW] = zone.minWmarkPages() + tmp;
    zone.watermark[WMARK_HIGH] = zone.lowWmarkPages() + tmp;
    zone.watermark[WMARK_PROMO] = zone.highWmarkPages() + tmp;
  }
  calculateTotalreservePages(pa);

  // The watermark size have changed so update the pcpu batch and high limits.
  for (const zone of pa.zones) zonePcpUpdate(pa, zone, 0);
}

/**
 * Per-CPU vmstat threshold: 2 × fls(online CPUs) × (1 + fls(managed / 128 MiB)), at most 125.
 * Kernel: `calculate_normal_threshold()` (mm/vmstat.c).
 */
export function calculateNormalThreshold(pa: PageAllocState, zone: Zone): number {
  const mem = Math.floor(zone.managedPages / 2 ** (27 - PAGE_SHIFT)); // memory in 128 MB units
  return Math.min(125, 2 * fls(pa.nrCpus) * (1 + fls(mem)));
}

/**
 * Reduced threshold kswapd uses under pressure: (low − min) / online CPUs, in 1..125.
 * Kernel: `calculate_pressure_threshold()` (mm/vmstat.c).
 */
export function calculatePressureThreshold(pa: PageAllocState, zone: Zone): number {
  const distance = zone.lowWmarkPages() - zone.minWmarkPages();
  return Math.min(125, Math.max(1, Math.floor(distance / pa.nrCpus)));
}

/**
 * Sets the per-CPU vmstat threshold of every populated zone, and of every node the largest of
 * its zones', in the VmStat service (percpu_drift_mark is not modelled: no per-CPU diffs).
 * Kernel: `refresh_zone_stat_thresholds()` (mm/vmstat.c).
 */
export function refreshZoneStatThresholds(pa: PageAllocState): void {
  const vs = pa.vmstat;
  vs.nodeStatThreshold.fill(0);
  for (const zone of pa.zones) {
    if (!zone.populated) continue;
    const threshold = calculateNormalThreshold(pa, zone);
    vs.zoneStatThreshold[zone.id] = threshold;
    vs.nodeStatThreshold[zone.nid] = Math.max(threshold, vs.nodeStatThreshold[zone.nid]!);
  }
}

/**
 * The postcore_initcall that sizes min_free_kbytes, the watermarks, the stat thresholds and the
 * lowmem reserves from the managed pages; also after memory hotplug. khugepaged_min_free_kbytes_update()
 * re-applies THP's recommendation only once khugepaged runs (not yet at boot).
 * Kernel: `init_per_zone_wmark_min()`.
 * @param khugepagedRunning true after hugepage_init() started khugepaged (hotplug calls)
 */
export function initPerZoneWmarkMin(pa: PageAllocState, khugepagedRunning = false): void {
  calculateMinFreeKbytes(pa);
  setupPerZoneWmarks(pa);
  refreshZoneStatThresholds(pa);
  setupPerZoneLowmemReserve(pa);
  if (khugepagedRunning && pa.hugepageFlagsEnabled) setRecommendedMinFreeKbytes(pa);
}

/**
 * THP's floor for min_free_kbytes: two free pageblocks per lowmem zone plus MIGRATE_PCPTYPES²
 * for fallbacks, capped at 5 % of lowmem, applied only if larger; then the watermarks are set
 * again. With THP disabled (hugepage_flags_enabled() false) it recomputes the default instead.
 * Kernel: `set_recommended_min_free_kbytes()`
 * (mm/khugepaged.c), called by start_stop_khugepaged() from hugepage_init() at boot.
 */
export function setRecommendedMinFreeKbytes(pa: PageAllocState): void {
  const sysctl = pa.sysctl;
  if (!pa.hugepageFlagsEnabled) {
    calculateMinFreeKbytes(pa);
  } else {
    let nrZones = 0;
    const userZone = gfpZone(GFP_USER);
    for (const zone of pa.zones) {
      // We don't need to worry about fragmentation of ZONE_MOVABLE since it only has movable pages.
      if (zone.populated && zone.zid <= userZone) nrZones++;
    }
    // Ensure 2 pageblocks are free to assist fragmentation avoidance
    let recommendedMin = PAGEBLOCK_NR_PAGES * nrZones * 2;
    // ... and on average two pageblocks almost free of another type, for the 3 pcp types
    recommendedMin += PAGEBLOCK_NR_PAGES * nrZones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
    // don't ever allow to reserve more than 5% of the lowmem
    recommendedMin = Math.min(recommendedMin, Math.floor(nrFreeBufferPages(pa) / 20));
    recommendedMin *= 2 ** (PAGE_SHIFT - 10);
    if (recommendedMin > sysctl.minFreeKbytes) {
      if (sysctl.userMinFreeKbytes >= 0) {
        pa.log.prInfo(`raising min_free_kbytes from ${sysctl.minFreeKbytes} to ${recommendedMin} to help transparent hugepage allocations`);
      }
      sysctl.minFreeKbytes = recommendedMin;
    }
  }
  setupPerZoneWmarks(pa);
}

/**
 * Raises the zone's watermark boost by a pageblock after a fragmenting fallback, up to
 * watermark_boost_factor × high watermark / 10000 (at least a pageblock). Refused in small zones
 * (under 4 pageblocks) and before watermarks exist. Kernel: `boost_watermark()`.
 * @returns true when the boost was raised (the caller then sets ZONE_BOOSTED_WATERMARK)
 */
export function boostWatermark(pa: PageAllocState, zone: Zone): boolean {
  const factor = pa.sysctl.watermarkBoostFactor;
  if (factor === 0) return false;
  // Don't bother in zones that are unlikely to produce results.
  if (PAGEBLOCK_NR_PAGES * 4 > zone.managedPages) return false;
  let maxBoost = multFrac(zone.watermark[WMARK_HIGH]!, factor, 10000);
  // high watermark may be uninitialised if fragmentation occurs very early in boot
  if (maxBoost === 0) return false;
  maxBoost = Math.max(PAGEBLOCK_NR_PAGES, maxBoost);
  zone.watermarkBoost = Math.min(zone.watermarkBoost + PAGEBLOCK_NR_PAGES, maxBoost);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Per-CPU pagesets
// ---------------------------------------------------------------------------------------------

/**
 * pcp->batch: about 0.1 % of the zone or 1 MiB, whichever is smaller, divided by 4 and clamped
 * to 2^n − 1 (powers of two alias badly in caches). Kernel: `zone_batchsize()` (CONFIG_MMU).
 */
export function zoneBatchsize(zone: Zone): number {
  let batch = Math.min(Math.floor(zone.managedPages / 1024), SZ_1M / PAGE_SIZE);
  batch = Math.floor(batch / 4); // We effectively *= 4 below
  if (batch < 1) batch = 1;
  // rounddown_pow_of_two(batch + batch/2) - 1
  return 2 ** (fls(batch + Math.floor(batch / 2)) - 1) - 1;
}

/**
 * pcp->high: the zone's low watermark (or managed / percpu_pagelist_high_fraction) split over
 * the CPUs of the zone's node (+ `cpuOnline` for a CPU coming up; all online CPUs for a node
 * without CPUs), at least 4 × batch. Kernel: `zone_highsize()` (CONFIG_MMU).
 */
export function zoneHighsize(pa: PageAllocState, zone: Zone, batch: number, cpuOnline: number): number {
  const fraction = pa.sysctl.percpuPagelistHighFraction;
  const totalPages = fraction === 0 ? zone.lowWmarkPages() : Math.floor(zone.managedPages / fraction);
  let nrSplitCpus = cpuOnline;
  for (let cpu = 0; cpu < pa.nrCpus; cpu++) if (pa.cpuToNode[cpu] === zone.nid) nrSplitCpus++;
  if (nrSplitCpus === 0) nrSplitCpus = pa.nrCpus; // num_online_cpus()
  return Math.max(Math.floor(totalPages / nrSplitCpus), batch << 2);
}

/** Resets a pageset to boot values (lists must be empty). Kernel: `per_cpu_pages_init()`. */
export function perCpuPagesInit(pcp: PerCpuPages): void {
  vmBugOn(pcp.count !== 0, "buddy.perCpuPagesInit", `cpu ${pcp.cpu}: pageset still holds ${pcp.count} pages`);
  pcp.count = 0;
  pcp.high = BOOT_PAGESET_HIGH;
  pcp.batch = BOOT_PAGESET_BATCH;
  pcp.freeFactor = 0;
}

/**
 * Recomputes batch and high and writes them to every CPU's pageset of the zone if they changed.
 * Kernel: `zone_set_pageset_high_and_batch()` → `__zone_set_pageset_high_and_batch()`.
 */
export function zoneSetPagesetHighAndBatch(pa: PageAllocState, zone: Zone, cpuOnline: number): void {
  const newBatch = Math.max(1, zoneBatchsize(zone));
  const newHigh = zoneHighsize(pa, zone, newBatch, cpuOnline);
  if (zone.pagesetHigh === newHigh && zone.pagesetBatch === newBatch) return;
  zone.pagesetHigh = newHigh;
  zone.pagesetBatch = newBatch;
  for (const pcp of zone.pageset) {
    pcp.batch = newBatch;
    pcp.high = newHigh;
  }
}

/**
 * Gives the zone its per-CPU pagesets, with boot values (high 0, batch 1: the pcp lists are
 * bypassed) until setup_per_cpu_pageset(). The kernel points every zone at the shared per-CPU
 * boot_pageset here; mmsim allocates each zone's pagesets (and their NR_PCP_LISTS list heads)
 * once, now, and setupZonePageset() later re-initialises the same objects.
 * Kernel: `zone_pcp_init()` (from zone_init_internals()).
 */
export function zonePcpInit(pa: PageAllocState, zone: Zone): void {
  if (zone.pageset.length === 0) {
    for (let cpu = 0; cpu < pa.nrCpus; cpu++) {
      const pcp = new PerCpuPages(cpu, pa.mem.allocListHeads(NR_PCP_LISTS));
      pcp.high = BOOT_PAGESET_HIGH;
      pcp.batch = BOOT_PAGESET_BATCH;
      zone.pageset.push(pcp);
    }
  }
  zone.pagesetHigh = BOOT_PAGESET_HIGH;
  zone.pagesetBatch = BOOT_PAGESET_BATCH;
  if (zone.populated) {
    pa.log.prDebug(`  ${zone.name} zone: ${zone.presentPages} pages, LIFO batch:${zoneBatchsize(zone)}`);
  }
}

/** The zone's real pagesets: boot values, then sized from the zone. Kernel: `setup_zone_pageset()`. */
export function setupZonePageset(pa: PageAllocState, zone: Zone): void {
  if (zone.pageset.length === 0) zonePcpInit(pa, zone);
  for (const pcp of zone.pageset) perCpuPagesInit(pcp);
  zoneSetPagesetHighAndBatch(pa, zone, 0);
}

/** Re-sizes the zone's pagesets after its managed pages or watermarks changed. Kernel: `zone_pcp_update()`. */
export function zonePcpUpdate(pa: PageAllocState, zone: Zone, cpuOnline: number): void {
  zoneSetPagesetHighAndBatch(pa, zone, cpuOnline);
}

/**
 * Switches every populated zone from the boot pagesets to real ones (unpopulated zones keep
 * the boot values). Kernel: `setup_per_cpu_pageset()` (start_kernel, after mm_init).
 */
export function setupPerCpuPageset(pa: PageAllocState): void {
  for (const zone of pa.zones) if (zone.populated) setupZonePageset(pa, zone);
}

// ---------------------------------------------------------------------------------------------
// vm sysctl writers (/proc/sys/vm/*)
// ---------------------------------------------------------------------------------------------

/**
 * Writes vm.min_free_kbytes (≥ 0): it becomes the user's value, and the watermarks are set again.
 * Kernel: `min_free_kbytes_sysctl_handler()` (extra1 SYSCTL_ZERO).
 * @returns 0, or -EINVAL for a value outside 0..INT_MAX
 */
export function setMinFreeKbytes(pa: PageAllocState, kbytes: number): number {
  if (!isInt(kbytes) || kbytes < 0) return -EINVAL;
  pa.sysctl.minFreeKbytes = kbytes;
  pa.sysctl.userMinFreeKbytes = kbytes;
  setupPerZoneWmarks(pa);
  return 0;
}

/**
 * Writes vm.watermark_scale_factor (1..3000, in 1/10000 of managed pages) and sets the
 * watermarks again. Kernel: `watermark_scale_factor_sysctl_handler()`.
 * @returns 0, or -EINVAL out of range
 */
export function setWatermarkScaleFactor(pa: PageAllocState, factor: number): number {
  if (!isInt(factor) || factor < 1 || factor > WATERMARK_SCALE_FACTOR_MAX) return -EINVAL;
  pa.sysctl.watermarkScaleFactor = factor;
  setupPerZoneWmarks(pa);
  return 0;
}

/**
 * Writes vm.watermark_boost_factor (≥ 0; 0 disables boosting). Kernel: `proc_dointvec_minmax`
 * with extra1 SYSCTL_ZERO. @returns 0, or -EINVAL out of range
 */
export function setWatermarkBoostFactor(pa: PageAllocState, factor: number): number {
  if (!isInt(factor) || factor < 0) return -EINVAL;
  pa.sysctl.watermarkBoostFactor = factor;
  return 0;
}

/**
 * Writes vm.lowmem_reserve_ratio (one int per zone type, in order; fewer entries leave the rest
 * unchanged, extra entries are ignored). As in 6.1 the parse result is ignored: the entries
 * before the first bad one are stored, values below 1 become 0, the reserves are recomputed,
 * and the write succeeds. Kernel: `lowmem_reserve_ratio_sysctl_handler()`.
 * @returns 0 (always, as the kernel)
 */
export function setLowmemReserveRatio(pa: PageAllocState, ratios: readonly number[]): number {
  const r = pa.sysctl.lowmemReserveRatio;
  for (let i = 0; i < Math.min(ratios.length, MAX_NR_ZONES); i++) {
    if (!isInt(ratios[i]!)) break;
    r[i] = ratios[i]!;
  }
  for (let i = 0; i < MAX_NR_ZONES; i++) if (r[i]! < 1) r[i] = 0;
  setupPerZoneLowmemReserve(pa);
  return 0;
}

/**
 * Writes vm.percpu_pagelist_high_fraction: 0 (pcp high from the low watermark) or ≥ 8 (high =
 * managed / fraction, split over the node's CPUs); re-sizes the pagesets of populated zones if
 * it changed. Kernel: `percpu_pagelist_high_fraction_sysctl_handler()`.
 * @returns 0, or -EINVAL for a negative value or one in 1..7 (the old value is kept)
 */
export function setPercpuPagelistHighFraction(pa: PageAllocState, fraction: number): number {
  if (!isInt(fraction) || fraction < 0) return -EINVAL;
  const old = pa.sysctl.percpuPagelistHighFraction;
  // Sanity checking to avoid pcp imbalance
  if (fraction !== 0 && fraction < MIN_PERCPU_PAGELIST_HIGH_FRACTION) return -EINVAL;
  if (fraction === old) return 0;
  pa.sysctl.percpuPagelistHighFraction = fraction;
  for (const zone of pa.zones) if (zone.populated) zoneSetPagesetHighAndBatch(pa, zone, 0);
  return 0;
}
