// Kernel: mm/vmstat.c (v6.1) — frag_show, pagetypeinfo_show, zoneinfo_show, vmstat_start/vmstat_show: /proc/buddyinfo, pagetypeinfo, zoneinfo, vmstat
/*
 * Pure functions from the page allocator's state (@mmsim/buddy PageAllocState) to the text of
 * the four seq_files mm/vmstat.c creates in init_mm_internals(). Followed: mm/vmstat.c of
 * 6.1.166 (unifreq/linux-6.1.y) and 6.1.129 (FreshlyCutWax/Linux-Kernel-KTMM-6.1, whose KTMM
 * additions to vmstat_text[] are not part of 6.1), checked character by character against the
 * 6.1.192 captures in tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/.
 *
 * Walks (frag_start/frag_next: every online node, in node order; walk_zones_in_node: the node's
 * MAX_NR_ZONES zones in zone order):
 *   buddyinfo     populated zones only   "Node %d, zone %8s " + "%6lu " × orders + "\n"
 *   pagetypeinfo  nodes with memory; populated zones; free lists walked (count capped at 100000,
 *                 then printed with a ">" prefix), pageblocks counted over the zone's span
 *   zoneinfo      every zone; per-node stats under the node's first populated zone; an
 *                 unpopulated zone stops after "protection: (…)"
 *   vmstat        one "name value" line per vmstat_text[] item, then "nr_unstable 0"
 *
 * Counters come from the machine's vmstat service (core's VmStat, token VM_STAT), read as the
 * kernel reads them: zone_page_state(), node_page_state_pages() and the global sums clamp a
 * negative (per-CPU drift) counter to 0 (CONFIG_SMP); NUMA events are unsigned and not clamped.
 * Geometry, free lists, watermarks and pagesets come from the page allocator's PageAllocState.
 *
 * Inputs in neither (ZoneinfoOptions, VmstatOptions): pgdat->kswapd_failures (no kswapd yet)
 * and the vm.dirty_* sysctls. Every configured CPU is online (as in @mmsim/buddy).
 */
import {
  MAX_NR_ZONES, MIGRATE_TYPES, NR_PAGE_ORDERS, NR_VM_EVENT_ITEMS, NR_VM_NODE_STAT_ITEMS,
  NR_VM_NUMA_EVENT_ITEMS, NR_VM_ZONE_STAT_ITEMS, NR_FREE_PAGES, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER,
  WMARK_HIGH, WMARK_LOW, WMARK_MIN, migratetypeNames, nodeStatName, nodeStatPrintValue, numaStatName,
  vmEventPrintValue, vmstatDeprecatedNames, vmstatText, zoneStatName, type VmStat,
  NR_DIRTY_THRESHOLD, NR_DIRTY_BG_THRESHOLD,
} from "@mmsim/core";
import {
  MAX_RECLAIM_RETRIES, freeListHead, getPfnblockMigratetype, type PageAllocState, type PglistData, type Zone,
} from "@mmsim/buddy";
import { DEFAULT_DIRTY_SYSCTL, type DirtySysctl, globalDirtyLimits } from "./page-writeback.ts";
import { padLeft, padRight, ulong } from "./seq-file.ts";

/** The /proc/vmstat path. */
export const PROC_VMSTAT = "/proc/vmstat";
/** The /proc/buddyinfo path. */
export const PROC_BUDDYINFO = "/proc/buddyinfo";
/** The /proc/pagetypeinfo path (mode 0400). */
export const PROC_PAGETYPEINFO = "/proc/pagetypeinfo";
/** The /proc/zoneinfo path. */
export const PROC_ZONEINFO = "/proc/zoneinfo";

/**
 * pagetypeinfo stops walking a free list at this many entries and prints ">" before the count.
 * Kernel: the `++freecount >= 100000` cap in `pagetypeinfo_showfree_print()`.
 */
export const PAGETYPEINFO_FREECOUNT_CAP = 100000;

/** pcp->high / pcp->batch of a zone with no pageset yet. Kernel: `BOOT_PAGESET_HIGH`, `BOOT_PAGESET_BATCH`. */
const BOOT_PAGESET_HIGH = 0;
const BOOT_PAGESET_BATCH = 1;

/** Inputs of /proc/zoneinfo that neither PageAllocState nor VmStat holds. */
export interface ZoneinfoOptions {
  /**
   * `pgdat->kswapd_failures` per node id (default 0): "node_unreclaimable" prints
   * kswapd_failures >= MAX_RECLAIM_RETRIES. Filled by a future kswapd (@mmsim/reclaim).
   */
  readonly kswapdFailures?: readonly number[];
}

/** Inputs of /proc/vmstat that neither PageAllocState nor VmStat holds. */
export interface VmstatOptions {
  /** vm.dirty_* sysctls for nr_dirty_threshold / nr_dirty_background_threshold (default 6.1's 20 / 10 / 0 / 0). */
  readonly dirty?: DirtySysctl;
}

/** Kernel: `populated_zone()` over the node: the node has memory (`node_state(nid, N_MEMORY)`). */
function nodeHasMemory(pgdat: PglistData): boolean {
  for (const zone of pgdat.zones) if (zone.populated) return true;
  return false;
}

/** True when `zone` is the first populated zone of its node. Kernel: `is_zone_first_populated()`. */
export function isZoneFirstPopulated(pgdat: PglistData, zone: Zone): boolean {
  for (let zid = 0; zid < MAX_NR_ZONES; zid++) {
    const compare = pgdat.zones[zid]!;
    if (compare.populated) return zone === compare;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// /proc/buddyinfo
// ---------------------------------------------------------------------------------------------

/**
 * One line of /proc/buddyinfo: free blocks of each order in `zone`.
 * Kernel: `frag_show_print()`.
 */
export function fragShowPrint(pgdat: PglistData, zone: Zone): string {
  let s = `Node ${pgdat.nodeId}, zone ${padLeft(zone.name, 8)} `;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) s += `${padLeft(zone.nrFree[order]!, 6)} `;
  return `${s}\n`;
}

/**
 * The text of /proc/buddyinfo: one line per populated zone of every node.
 * Kernel: `frag_show()` over `fragmentation_op`.
 */
export function fragShow(pa: PageAllocState): string {
  let s = "";
  for (const pgdat of pa.pgdat) {
    for (const zone of pgdat.zones) if (zone.populated) s += fragShowPrint(pgdat, zone);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// /proc/pagetypeinfo
// ---------------------------------------------------------------------------------------------

/**
 * Entries on free_area[order].free_list[mt] of `zone`, walking the list as the kernel does and
 * stopping at PAGETYPEINFO_FREECOUNT_CAP.
 * Kernel: the `list_for_each` loop of `pagetypeinfo_showfree_print()`.
 * @returns the count and whether the walk was cut short
 */
export function freeListCount(pa: PageAllocState, zone: Zone, order: number, mt: number): { count: number; overflow: boolean } {
  if (zone.freeHeadBase < 0) return { count: 0, overflow: false };
  const next = pa.mem.lruNext;
  const head = freeListHead(zone, order, mt);
  let count = 0;
  for (let cur = next[head]!; cur !== head; cur = next[cur]!) {
    if (++count >= PAGETYPEINFO_FREECOUNT_CAP) return { count, overflow: true };
  }
  return { count, overflow: false };
}

/**
 * The free-list rows of one zone, one per migratetype.
 * Kernel: `pagetypeinfo_showfree_print()`.
 */
export function pagetypeinfoShowfreePrint(pa: PageAllocState, pgdat: PglistData, zone: Zone): string {
  let s = "";
  for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
    s += `Node ${padLeft(String(pgdat.nodeId), 4)}, zone ${padLeft(zone.name, 8)}, type ${padLeft(migratetypeNames[mt]!, 12)} `;
    for (let order = 0; order < NR_PAGE_ORDERS; order++) {
      const { count, overflow } = freeListCount(pa, zone, order, mt);
      s += `${overflow ? ">" : ""}${padLeft(count, 6)} `;
    }
    s += "\n";
  }
  return s;
}

/**
 * Pageblocks of each migratetype in the zone's span (pageblocks whose first page belongs to
 * another zone, or lies outside the memory map, are skipped).
 * Kernel: the counting loop of `pagetypeinfo_showblockcount_print()`.
 * @returns count per migratetype, MIGRATE_TYPES entries
 */
export function pageblockCounts(pa: PageAllocState, zone: Zone): number[] {
  const count = new Array<number>(MIGRATE_TYPES).fill(0);
  const mem = pa.mem;
  for (let pfn = zone.zoneStartPfn; pfn < zone.zoneEndPfn; pfn += PAGEBLOCK_NR_PAGES) {
    if (!mem.pfnValid(pfn)) continue; // pfn_to_online_page() == NULL
    if (pa.pageZone(mem.pfnToPage(pfn)) !== zone) continue;
    const mt = getPfnblockMigratetype(pa.pageblock, pfn);
    if (mt < MIGRATE_TYPES) count[mt]!++;
  }
  return count;
}

/** One row of the "Number of blocks type" table. Kernel: `pagetypeinfo_showblockcount_print()`. */
export function pagetypeinfoShowblockcountPrint(pa: PageAllocState, pgdat: PglistData, zone: Zone): string {
  let s = `Node ${pgdat.nodeId}, zone ${padLeft(zone.name, 8)} `;
  for (const n of pageblockCounts(pa, zone)) s += `${padLeft(n, 12)} `;
  return `${s}\n`;
}

/**
 * The pagetypeinfo section of one node (empty for a node without memory).
 * Kernel: `pagetypeinfo_show()` (no "Number of mixed blocks": CONFIG_PAGE_OWNER is off in the reference config).
 */
export function pagetypeinfoShowNode(pa: PageAllocState, pgdat: PglistData): string {
  if (!nodeHasMemory(pgdat)) return "";
  let s = `Page block order: ${PAGEBLOCK_ORDER}\nPages per block:  ${PAGEBLOCK_NR_PAGES}\n\n`;
  // pagetypeinfo_showfree
  s += `${padRight("Free pages count per migrate type at order", 43)} `;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) s += `${padLeft(String(order), 6)} `;
  s += "\n";
  for (const zone of pgdat.zones) if (zone.populated) s += pagetypeinfoShowfreePrint(pa, pgdat, zone);
  // pagetypeinfo_showblockcount
  s += `\n${padRight("Number of blocks type ", 23)}`;
  for (let mt = 0; mt < MIGRATE_TYPES; mt++) s += `${padLeft(migratetypeNames[mt]!, 12)} `;
  s += "\n";
  for (const zone of pgdat.zones) if (zone.populated) s += pagetypeinfoShowblockcountPrint(pa, pgdat, zone);
  return s;
}

/** The text of /proc/pagetypeinfo. Kernel: `pagetypeinfo_show()` over `pagetypeinfo_op`. */
export function pagetypeinfoShow(pa: PageAllocState): string {
  let s = "";
  for (const pgdat of pa.pgdat) s += pagetypeinfoShowNode(pa, pgdat);
  return s;
}

// ---------------------------------------------------------------------------------------------
// /proc/zoneinfo
// ---------------------------------------------------------------------------------------------

/** `"\n      %-12s %lu"`: one counter line of zoneinfo. */
function statLine(name: string, value: number): string {
  return `\n      ${padRight(name, 12)} ${ulong(value)}`;
}

/**
 * The zoneinfo block of one zone: geometry, watermarks and pagesets from `pa`, counters and the
 * stat threshold from `vs`.
 * Kernel: `zoneinfo_show_print()`.
 */
export function zoneinfoShowPrint(pa: PageAllocState, vs: VmStat, pgdat: PglistData, zone: Zone, opts: ZoneinfoOptions = {}): string {
  let s = `Node ${pgdat.nodeId}, zone ${padLeft(zone.name, 8)}`;
  if (isZoneFirstPopulated(pgdat, zone)) {
    s += "\n  per-node stats";
    // THP items in THPs (vmstat_item_print_in_thp: pages / HPAGE_PMD_NR).
    for (let i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) s += statLine(nodeStatName(i), nodeStatPrintValue(i, vs.nodePageStatePages(pgdat.nodeId, i)));
  }
  s +=
    `\n  pages free     ${ulong(vs.zonePageState(zone.id, NR_FREE_PAGES))}` +
    `\n        boost    ${ulong(zone.watermarkBoost)}` +
    `\n        min      ${ulong(zone.wmarkPages(WMARK_MIN))}` +
    `\n        low      ${ulong(zone.wmarkPages(WMARK_LOW))}` +
    `\n        high     ${ulong(zone.wmarkPages(WMARK_HIGH))}` +
    `\n        spanned  ${ulong(zone.spannedPages)}` +
    `\n        present  ${ulong(zone.presentPages)}` +
    `\n        managed  ${ulong(zone.managedPages)}` +
    `\n        cma      ${ulong(zone.cmaPages)}`;
  s += `\n        protection: (${zone.lowmemReserve[0]}`;
  for (let i = 1; i < zone.lowmemReserve.length; i++) s += `, ${zone.lowmemReserve[i]}`;
  s += ")";
  // If unpopulated, no other information is useful.
  if (!zone.populated) return `${s}\n`;

  for (let i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) s += statLine(zoneStatName(i), vs.zonePageState(zone.id, i));
  for (let i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++) s += statLine(numaStatName(i), vs.zoneNumaEventState(zone.id, i));

  s += "\n  pagesets";
  for (let cpu = 0; cpu < pa.nrCpus; cpu++) {
    const pcp = zone.pageset[cpu];
    s +=
      `\n    cpu: ${cpu}` +
      `\n              count: ${pcp ? pcp.count : 0}` +
      `\n              high:  ${pcp ? pcp.high : BOOT_PAGESET_HIGH}` +
      `\n              batch: ${pcp ? pcp.batch : BOOT_PAGESET_BATCH}`;
    s += `\n  vm stats threshold: ${vs.zoneStatThreshold[zone.id]}`;
  }
  const failures = opts.kswapdFailures?.[pgdat.nodeId] ?? 0;
  s +=
    `\n  node_unreclaimable:  ${failures >= MAX_RECLAIM_RETRIES ? 1 : 0}` +
    `\n  start_pfn:           ${ulong(zone.zoneStartPfn)}`;
  return `${s}\n`;
}

/**
 * The text of /proc/zoneinfo: every zone of every node, populated or not.
 * Kernel: `zoneinfo_show()` over `zoneinfo_op`.
 */
export function zoneinfoShow(pa: PageAllocState, vs: VmStat, opts: ZoneinfoOptions = {}): string {
  let s = "";
  for (const pgdat of pa.pgdat) {
    for (const zone of pgdat.zones) s += zoneinfoShowPrint(pa, vs, pgdat, zone, opts);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// /proc/vmstat
// ---------------------------------------------------------------------------------------------

/**
 * The values /proc/vmstat prints, in vmstat_text[] order: zone counters, NUMA events, node
 * counters (THP items in THPs), the two dirty thresholds, VM events (pgpgin/pgpgout in KiB).
 * Every counter is read from `vs`; `pa` gives totalreserve_pages to the dirty thresholds.
 * Kernel: `vmstat_start()`.
 * @returns NR_VMSTAT_ITEMS values
 */
export function vmstatValues(pa: PageAllocState, vs: VmStat, opts: VmstatOptions = {}): number[] {
  const v: number[] = [];
  for (let i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) v.push(vs.globalZonePageState(i));
  for (let i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++) v.push(vs.globalNumaEventState(i));
  for (let i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) v.push(nodeStatPrintValue(i, vs.globalNodePageStatePages(i)));
  const limits = globalDirtyLimits(pa, vs, opts.dirty ?? DEFAULT_DIRTY_SYSCTL);
  const wb = [0, 0];
  wb[NR_DIRTY_THRESHOLD] = limits.thresh;
  wb[NR_DIRTY_BG_THRESHOLD] = limits.bgThresh;
  v.push(...wb);
  const events = vs.allVmEvents();
  for (let i = 0; i < NR_VM_EVENT_ITEMS; i++) v.push(vmEventPrintValue(i, events[i]!));
  return v;
}

/**
 * The text of /proc/vmstat: "name value" per item, then the deprecated "nr_unstable 0".
 * Kernel: `vmstat_show()` over `vmstat_op`.
 */
export function vmstatShow(pa: PageAllocState, vs: VmStat, opts: VmstatOptions = {}): string {
  const values = vmstatValues(pa, vs, opts);
  let s = "";
  for (let i = 0; i < vmstatText.length; i++) s += `${vmstatText[i]} ${ulong(values[i]!)}\n`;
  for (const name of vmstatDeprecatedNames) s += `${name} 0\n`;
  return s;
}
