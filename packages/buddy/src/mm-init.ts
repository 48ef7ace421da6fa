// Kernel: mm/page_alloc.c (v6.1) — free_area_init(), free_area_init_node/core(), memmap_init(), deferred struct page init (defer_init, deferred_init_memmap, deferred_grow_zone), init_reserved_page()
/*
 * Boot-time set-up of nodes, zones and the memory map, from the PFN ranges memblock describes
 * (PageAllocConfig.nodes) and the zone limits the architecture computed
 * (PageAllocConfig.maxZonePfn: the machine platform's zone_sizes_init). Followed: mm/page_alloc.c of 6.1.129 (the
 * FreshlyCutWax/Linux-Kernel-KTMM-6.1 tree); these functions are unchanged up to the reference
 * 6.1.192. In 6.1 they still live in page_alloc.c (v6.3 moved them to mm/mm_init.c).
 *
 * Boot order in 6.1, and where each step is here:
 *   setup_arch → bootmem_init → zone_sizes_init → free_area_init   freeAreaInit()      (this file)
 *   start_kernel → build_all_zonelists(NULL)                        buildAllZonelists() (zonelist.ts)
 *   mm_init → mem_init → memblock_free_all                          the caller, with earlyPageUninitialised()
 *                                                                     and initReservedPage() from here
 *   start_kernel → setup_per_cpu_pageset                            setupPerCpuPageset() (watermarks.ts)
 *   kernel_init_freeable → page_alloc_init_late                     pageAllocInitLate() (this file)
 *   postcore_initcall init_per_zone_wmark_min                       initPerZoneWmarkMin() (watermarks.ts)
 *   subsys_initcall hugepage_init (→ set_recommended_min_free_kbytes) hugepageInit() (huge-memory.ts)
 *
 * managed_pages: free_area_init_core() sets it to present − memmap pages (an estimate that
 * build_all_zonelists() reports as "Total pages"); memblock_free_all() then resets it to 0
 * (reset_all_zones_managed_pages(), the caller's job) and __free_pages_core() adds every page
 * handed to the buddy allocator.
 *
 * Deferred struct page init (CONFIG_DEFERRED_STRUCT_PAGE_INIT=y in the reference config): in
 * the highest zone of each node only the first PAGES_PER_SECTION pages (rounded up to a section
 * boundary) get their struct page at boot; pgdat.firstDeferredPfn marks where the rest starts.
 * memblock_free_pages() keeps those pages back (earlyPageUninitialised()); page_alloc_init_late()
 * initialises and frees them, pageblock by pageblock, in MAX_ORDER windows, as 6.1 does. The
 * kernel finds the free ranges again in memblock; mmsim's buddy package does not depend on
 * memblock, so the caller passes them (record them with DeferredFreeRanges while handing over).
 * On the reference board this leaves 128 MiB early-initialised, hence `Memory: 98324K/1048576K
 * available` in its dmesg.
 *
 * Simplified:
 *  - no kernelcore=/movablecore=/movable_node/kernelcore=mirror: zone_movable_pfn[] stays zero,
 *    so ZONE_MOVABLE is empty and adjust_zone_range_for_zone_movable() is the identity;
 *  - pfn_valid() is MemMap's (every PFN in [basePfn, endPfn) has a struct page), not
 *    section-granular: init_unavailable_range() initialises exactly the holes inside MemMap;
 *  - no page_ext, no KMSAN, no zone shuffling (off on the reference command line), one thread;
 *  - `zone->contiguous` is not stored (Zone has no field for it); zoneContiguous() computes it;
 *  - the deferred-init time printed is 0 ms: mmsim models no boot timing yet.
 *
 * Free-list heads: every zone gets its NR_PAGE_ORDERS × MIGRATE_TYPES heads (zone.freeHeadBase),
 * empty zones included so that no zone has a dangling base; only zones with spanned pages are
 * marked `initialized` (zone_init_free_lists() runs only for them in 6.1).
 */
import {
  ArgumentError, MAX_NR_ZONES, MAX_ORDER_NR_PAGES, MIGRATE_MOVABLE, MIGRATE_TYPES, NIL_PAGE, NR_PAGE_ORDERS,
  PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, PAGE_SIZE, PG_reserved, ZONE_MOVABLE, ZONES_SHIFT, alignUp, describeValue,
  hex, pfnPhys, zoneNames, type MemMap,
} from "@mmsim/core";
import type { PglistData, Zone } from "./mmzone.ts";
import type { PageAllocState } from "./page-alloc-state.ts";
import { freePagesCore } from "./page-alloc.ts";
import { setPageblockMigratetype } from "./pageblock-flags.ts";
import { zonePcpInit } from "./watermarks.ts";
import { PAGES_PER_SECTION } from "./sparsemem.ts";

/** `sizeof(struct page)` on arm64 6.1 (reference config): 64 bytes. Sizes calc_memmap_size(). */
export const SIZEOF_STRUCT_PAGE = 64;
/** The kernel's ULONG_MAX as "no deferred PFN" (PglistData.firstDeferredPfn's initial value). */
const ULONG_MAX = Number.MAX_SAFE_INTEGER;

/** A PFN range [startPfn, endPfn). */
export type PfnRange = readonly [startPfn: number, endPfn: number];

/** Zone layout decided by free_area_init(), kept for code that needs it later (hotplug, /proc). */
export interface FreeAreaInitResult {
  /** `arch_zone_lowest_possible_pfn[]`: where each zone type may start (Movable: 0). */
  readonly archZoneLowestPossiblePfn: readonly number[];
  /** `arch_zone_highest_possible_pfn[]`: where each zone type ends (equal to lowest: empty). */
  readonly archZoneHighestPossiblePfn: readonly number[];
  /** `zone_movable_pfn[nid]`: first PFN of ZONE_MOVABLE per node; 0 = none (always, see header). */
  readonly zoneMovablePfn: readonly number[];
  /** `movable_zone`: the highest populated zone type ZONE_MOVABLE would take pages from. */
  readonly movableZone: number;
  /** `nr_kernel_pages`: Σ managed estimates of lowmem zones (alloc_large_system_hash uses it). */
  readonly nrKernelPages: number;
  /** `nr_all_pages`: Σ managed estimates of all zones. */
  readonly nrAllPages: number;
}

/** One memblock.memory range with its node, as for_each_mem_pfn_range() yields it. */
interface MemPfnRange {
  startPfn: number;
  endPfn: number;
  nid: number;
}

/** The static locals of defer_init(). */
interface DeferState {
  prevEndPfn: number;
  nrInitialised: number;
}

// ---------------------------------------------------------------------------------------------
// struct page initialisation
// ---------------------------------------------------------------------------------------------

/**
 * Initialises the struct pages of [firstPage, endPage) (page indices) as fresh, reserved-by-
 * default boot pages: flags 0, node and zone links, refcount 1, mapcount -1, on no list, no
 * mapping, no memcg. Kernel: `__init_single_page()` for each page (done as array fills here).
 */
export function initPageRange(mem: MemMap, firstPage: number, endPage: number, nid: number, zid: number): void {
  if (firstPage >= endPage) return;
  mem.flags.fill(0, firstPage, endPage);
  mem.nodeZone.fill((nid << ZONES_SHIFT) | zid, firstPage, endPage);
  mem.refcount.fill(1, firstPage, endPage);
  mem.mapcount.fill(-1, firstPage, endPage);
  mem.private.fill(0, firstPage, endPage);
  mem.lruNext.fill(NIL_PAGE, firstPage, endPage);
  mem.lruPrev.fill(NIL_PAGE, firstPage, endPage);
  mem.mapping.fill(0, firstPage, endPage);
  mem.index.fill(0, firstPage, endPage);
  mem.memcg.fill(0, firstPage, endPage);
}

/** Marks every pageblock that starts in [startPfn, endPfn) MIGRATE_MOVABLE, as memmap_init_range() does. */
function markPageblocksMovable(pa: PageAllocState, startPfn: number, endPfn: number): void {
  for (let pfn = alignUp(startPfn, PAGEBLOCK_NR_PAGES); pfn < endPfn; pfn += PAGEBLOCK_NR_PAGES) {
    setPageblockMigratetype(pa.pageblock, pfn, MIGRATE_MOVABLE);
  }
}

// ---------------------------------------------------------------------------------------------
// Node and zone sizing
// ---------------------------------------------------------------------------------------------

/** memblock.memory as for_each_mem_pfn_range(MAX_NUMNODES) sees it: ascending, adjacent same-node ranges merged. */
function memPfnRanges(pa: PageAllocState): MemPfnRange[] {
  const all: MemPfnRange[] = [];
  for (const node of pa.config.nodes) {
    for (const [startPfn, endPfn] of node.ranges) {
      if (!Number.isSafeInteger(startPfn) || !Number.isSafeInteger(endPfn) || startPfn < 0) {
        throw new ArgumentError("buddy.freeAreaInit", `nodes[${node.nid}].ranges`, "integer PFN pairs [start, end)", describeValue([startPfn, endPfn]));
      }
      if (startPfn >= endPfn) continue;
      if (startPfn < pa.mem.basePfn || endPfn > pa.mem.endPfn) {
        throw new ArgumentError("buddy.freeAreaInit", `nodes[${node.nid}].ranges`,
          `PFN ranges inside the MemMap [${hex(pa.mem.basePfn, 0)}, ${hex(pa.mem.endPfn, 0)})`, `[${hex(startPfn, 0)}, ${hex(endPfn, 0)})`);
      }
      all.push({ startPfn, endPfn, nid: node.nid });
    }
  }
  all.sort((a, b) => a.startPfn - b.startPfn);
  const merged: MemPfnRange[] = [];
  for (const r of all) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r.startPfn < last.endPfn) {
      throw new ArgumentError("buddy.freeAreaInit", "nodes", "non-overlapping memory ranges", `[${hex(r.startPfn, 0)}, ${hex(r.endPfn, 0)}) overlaps [${hex(last.startPfn, 0)}, ${hex(last.endPfn, 0)})`);
    }
    if (last !== undefined && last.endPfn === r.startPfn && last.nid === r.nid) last.endPfn = r.endPfn;
    else merged.push({ ...r });
  }
  return merged;
}

/** First and last PFN + 1 of a node's memory; [0, 0) for a memoryless node. Kernel: `get_pfn_range_for_nid()`. */
function getPfnRangeForNid(ranges: readonly MemPfnRange[], nid: number): [number, number] {
  let start = ULONG_MAX;
  let end = 0;
  for (const r of ranges) {
    if (r.nid !== nid) continue;
    start = Math.min(start, r.startPfn);
    end = Math.max(end, r.endPfn);
  }
  return [start === ULONG_MAX ? 0 : start, end];
}

/** Pages of [start, end) not covered by node `nid`'s memory. Kernel: `__absent_pages_in_range()`. */
function absentPagesInRange(ranges: readonly MemPfnRange[], nid: number, start: number, end: number): number {
  let absent = end - start;
  for (const r of ranges) {
    if (r.nid !== nid) continue;
    const s = Math.min(Math.max(r.startPfn, start), end);
    const e = Math.min(Math.max(r.endPfn, start), end);
    absent -= e - s;
  }
  return absent;
}

/**
 * Pages the struct pages of a zone take: PAGE_ALIGN(pages × sizeof(struct page)) pages, where
 * pages is `spanned`, or `present` when the zone has many holes (SPARSEMEM). Kernel: `calc_memmap_size()`.
 */
export function calcMemmapSize(spannedPages: number, presentPages: number): number {
  let pages = spannedPages;
  if (spannedPages > presentPages + Math.floor(presentPages / 16)) pages = presentPages;
  return alignUp(pages * SIZEOF_STRUCT_PAGE, PAGE_SIZE) / PAGE_SIZE;
}

/**
 * Spanned and present pages of every zone of the node, and of the node.
 * Kernel: `calculate_node_totalpages()` with `zone_spanned_pages_in_node()` and `zone_absent_pages_in_node()`.
 */
function calculateNodeTotalpages(
  pgdat: PglistData, ranges: readonly MemPfnRange[], low: readonly number[], high: readonly number[],
  nodeStart: number, nodeEnd: number,
): void {
  let totalpages = 0;
  let realtotalpages = 0;
  for (let i = 0; i < MAX_NR_ZONES; i++) {
    const zone = pgdat.zones[i]!;
    let spanned = 0;
    let absent = 0;
    let zoneStart = 0;
    if (nodeStart !== 0 || nodeEnd !== 0) {
      // zone_spanned_pages_in_node()
      zoneStart = Math.min(Math.max(nodeStart, low[i]!), high[i]!);
      let zoneEnd = Math.min(Math.max(nodeEnd, low[i]!), high[i]!);
      if (!(zoneEnd < nodeStart || zoneStart > nodeEnd)) {
        zoneEnd = Math.min(zoneEnd, nodeEnd);
        zoneStart = Math.max(zoneStart, nodeStart);
        spanned = zoneEnd - zoneStart;
      }
      // zone_absent_pages_in_node(): the same clamp, without moving inside the node
      const aStart = Math.min(Math.max(nodeStart, low[i]!), high[i]!);
      const aEnd = Math.min(Math.max(nodeEnd, low[i]!), high[i]!);
      absent = absentPagesInRange(ranges, pgdat.nodeId, aStart, aEnd);
    }
    zone.zoneStartPfn = spanned !== 0 ? zoneStart : 0;
    zone.spannedPages = spanned;
    zone.presentPages = spanned - absent;
    totalpages += spanned;
    realtotalpages += spanned - absent;
  }
  pgdat.nodeSpannedPages = totalpages;
  pgdat.nodePresentPages = realtotalpages;
}

/**
 * Sets up a node's zones: managed-page estimate, pagesets (boot values), free lists.
 * Kernel: `free_area_init_core()` → `zone_init_internals()`, `init_currently_empty_zone()`.
 * @returns [Σ managed estimates of lowmem zones, Σ of all zones] for nr_kernel_pages / nr_all_pages
 */
function freeAreaInitCore(pa: PageAllocState, pgdat: PglistData): [number, number] {
  let nrKernelPages = 0;
  let nrAllPages = 0;
  pgdat.nrZones = 0;
  for (let j = 0; j < MAX_NR_ZONES; j++) {
    const zone = pgdat.zones[j]!;
    const size = zone.spannedPages;
    let freesize = zone.presentPages;
    const memmapPages = calcMemmapSize(size, freesize);
    // is_highmem_idx(j) is always false on arm64 (no CONFIG_HIGHMEM)
    if (freesize >= memmapPages) {
      freesize -= memmapPages;
      if (memmapPages !== 0) pa.log.prDebug(`  ${zoneNames[j]} zone: ${memmapPages} pages used for memmap`);
    } else {
      pa.log.prWarn(`  ${zoneNames[j]} zone: ${memmapPages} memmap pages exceeds freesize ${freesize}`);
    }
    // dma_reserve is 0 on arm64 (set_dma_reserve() is x86-only)
    nrKernelPages += freesize;
    nrAllPages += freesize;

    // zone_init_internals()
    zone.managedPages = freesize;
    zonePcpInit(pa, zone);

    // Free-list heads for every zone (see the file header); zone_init_free_lists() proper.
    if (zone.freeHeadBase < 0) zone.freeHeadBase = pa.mem.allocListHeads(NR_PAGE_ORDERS * MIGRATE_TYPES);
    zone.nrFree.fill(0);
    if (size === 0) continue;

    // init_currently_empty_zone()
    if (j + 1 > pgdat.nrZones) pgdat.nrZones = j + 1;
    zone.initialized = true;
  }
  return [nrKernelPages, nrAllPages];
}

// ---------------------------------------------------------------------------------------------
// memmap_init
// ---------------------------------------------------------------------------------------------

/**
 * Initialises the struct pages of a hole (PFNs with a struct page but no memory) as reserved
 * pages of the zone and node given. Kernel: `init_unavailable_range()`.
 */
function initUnavailableRange(pa: PageAllocState, spfn: number, epfn: number, zid: number, nid: number): void {
  const mem = pa.mem;
  const s = Math.max(spfn, mem.basePfn);
  const e = Math.min(epfn, mem.endPfn);
  if (s >= e) return;
  const first = mem.pfnToPage(s);
  const end = mem.pfnToPage(e);
  initPageRange(mem, first, end, nid, zid);
  for (let p = first; p < end; p++) mem.flags[p] = mem.flags[p]! | (1 << PG_reserved);
  pa.log.prInfo(`On node ${nid}, zone ${zoneNames[zid]}: ${e - s} pages in unavailable ranges`);
}

/**
 * Initialises [startPfn, startPfn + size) of a zone, stopping where deferred init takes over,
 * and marks its pageblocks MOVABLE. Kernel: `memmap_init_range()` (MEMINIT_EARLY) with
 * `defer_init()` evaluated for the whole range at once.
 */
function memmapInitRange(
  pa: PageAllocState, st: DeferState, size: number, nid: number, zid: number, startPfn: number, zoneEndPfn: number,
): void {
  const endPfn = startPfn + size;
  let initEnd = endPfn;
  if (pa.deferredStructPageInit) {
    // defer_init(nid, pfn, zone_end_pfn), solved for the first PFN it returns true for
    if (st.prevEndPfn !== zoneEndPfn) {
      st.prevEndPfn = zoneEndPfn;
      st.nrInitialised = 0;
    }
    const pgdat = pa.pgdat[nid]!;
    // "Always populate low zones for address-constrained allocations"
    if (zoneEndPfn >= pgdat.nodeEndPfn) {
      if (pgdat.firstDeferredPfn !== ULONG_MAX) {
        initEnd = startPfn;
      } else {
        // nr_initialised after pfn p is nrInitialised + (p - startPfn) + 1; defer at the first
        // section-aligned p where that exceeds PAGES_PER_SECTION.
        const p = alignUp(startPfn + Math.max(0, PAGES_PER_SECTION - st.nrInitialised), PAGES_PER_SECTION);
        if (p < endPfn) {
          pgdat.firstDeferredPfn = p;
          initEnd = p;
        }
        st.nrInitialised += Math.min(p, endPfn) - startPfn;
      }
    }
  }
  initPageRange(pa.mem, pa.mem.pfnToPage(startPfn), pa.mem.pfnToPage(initEnd), nid, zid);
  markPageblocksMovable(pa, startPfn, initEnd);
}

/** Kernel: `memmap_init()` → `memmap_init_zone_range()`. */
function memmapInit(pa: PageAllocState, ranges: readonly MemPfnRange[]): void {
  const st: DeferState = { prevEndPfn: 0, nrInitialised: 0 };
  let holePfn = 0;
  let zoneId = 0;
  let nid = 0;
  let endPfn = 0;
  for (const r of ranges) {
    nid = r.nid;
    endPfn = r.endPfn;
    const pgdat = pa.pgdat[nid]!;
    for (let j = 0; j < MAX_NR_ZONES; j++) {
      const zone = pgdat.zones[j]!;
      if (!zone.populated) continue;
      // memmap_init_zone_range()
      const zStart = zone.zoneStartPfn;
      const zEnd = zone.zoneEndPfn;
      const s = Math.min(Math.max(r.startPfn, zStart), zEnd);
      const e = Math.min(Math.max(r.endPfn, zStart), zEnd);
      if (s < e) {
        memmapInitRange(pa, st, e - s, nid, j, s, zEnd);
        if (holePfn < s) initUnavailableRange(pa, holePfn, s, j, nid);
        holePfn = e;
      }
      zoneId = j;
    }
  }
  // The hole from the end of memory to the end of its section joins the last zone (SPARSEMEM).
  endPfn = alignUp(endPfn, PAGES_PER_SECTION);
  if (holePfn < endPfn) initUnavailableRange(pa, holePfn, endPfn, zoneId, nid);
}

// ---------------------------------------------------------------------------------------------
// free_area_init
// ---------------------------------------------------------------------------------------------

/** `[mem %#018Lx-%#018Lx]` of a PFN range. */
function memRange(startPfn: number, endPfn: number): string {
  return `[mem ${hex(pfnPhys(startPfn))}-${hex(pfnPhys(endPfn) - 1)}]`;
}

/**
 * Sizes every node and zone from the memory ranges and the architecture's zone limits, logs the
 * layout as 6.1 does, sets up free lists and boot pagesets, and initialises the memory map
 * (deferring the tail of each node's highest zone). Kernel: `free_area_init()`.
 * @throws ArgumentError if a memory range is not inside the MemMap or ranges overlap
 */
export function freeAreaInit(pa: PageAllocState): FreeAreaInitResult {
  const maxZonePfn = pa.config.maxZonePfn;
  const ranges = memPfnRanges(pa);

  // Record where the zone boundaries are
  const low = new Array<number>(MAX_NR_ZONES).fill(0);
  const high = new Array<number>(MAX_NR_ZONES).fill(0);
  let startPfn = ranges.length > 0 ? ranges[0]!.startPfn : 0; // PHYS_PFN(memblock_start_of_DRAM())
  for (let zone = 0; zone < MAX_NR_ZONES; zone++) {
    if (zone === ZONE_MOVABLE) continue;
    const endPfn = Math.max(maxZonePfn[zone]!, startPfn);
    low[zone] = startPfn;
    high[zone] = endPfn;
    startPfn = endPfn;
  }

  // find_zone_movable_pfns_for_nodes(): find_usable_zone_for_movable(); no kernelcore= → none
  let movableZone = MAX_NR_ZONES - 1;
  while (movableZone >= 0 && (movableZone === ZONE_MOVABLE || high[movableZone]! <= low[movableZone]!)) movableZone--;
  const zoneMovablePfn = new Array<number>(pa.pgdat.length).fill(0);

  const log = pa.log;
  log.prInfo("Zone ranges:");
  for (let i = 0; i < MAX_NR_ZONES; i++) {
    if (i === ZONE_MOVABLE) continue;
    const name = `  ${zoneNames[i]!.padEnd(8)} `;
    log.prInfo(low[i] === high[i] ? `${name}empty` : name + memRange(low[i]!, high[i]!));
  }
  log.prInfo("Movable zone start for each node");
  for (let i = 0; i < zoneMovablePfn.length; i++) {
    if (zoneMovablePfn[i] !== 0) log.prInfo(`  Node ${i}: ${hex(pfnPhys(zoneMovablePfn[i]!))}`);
  }
  log.prInfo("Early memory node ranges");
  for (const r of ranges) log.prInfo(`  node ${String(r.nid).padStart(3)}: ${memRange(r.startPfn, r.endPfn)}`);

  let nrKernelPages = 0;
  let nrAllPages = 0;
  for (const pgdat of pa.pgdat) {
    // free_area_init_node()
    const nid = pgdat.nodeId;
    const [start, end] = getPfnRangeForNid(ranges, nid);
    pgdat.nodeStartPfn = start;
    if (start !== end) {
      log.prInfo(`Initmem setup node ${nid} [mem ${hex(pfnPhys(start))}-${hex(end !== 0 ? pfnPhys(end) - 1 : 0)}]`);
    } else {
      log.prInfo(`Initmem setup node ${nid} as memoryless`);
    }
    calculateNodeTotalpages(pgdat, ranges, low, high, start, end);
    pgdat.firstDeferredPfn = ULONG_MAX; // pgdat_set_deferred_range()
    const [k, a] = freeAreaInitCore(pa, pgdat);
    nrKernelPages += k;
    nrAllPages += a;
  }

  memmapInit(pa, ranges);
  return {
    archZoneLowestPossiblePfn: low, archZoneHighestPossiblePfn: high, zoneMovablePfn, movableZone, nrKernelPages, nrAllPages,
  };
}

// ---------------------------------------------------------------------------------------------
// Deferred struct page init: the boot hand-over side
// ---------------------------------------------------------------------------------------------

/**
 * Node of a PFN from the memory ranges; 0 (first_online_node) for a PFN in no range.
 * Kernel: `early_pfn_to_nid()`.
 */
export function earlyPfnToNid(pa: PageAllocState, pfn: number): number {
  const nodes = pa.config.nodes;
  for (let n = 0; n < nodes.length; n++) {
    const ranges = nodes[n]!.ranges;
    for (let i = 0; i < ranges.length; i++) {
      if (pfn >= ranges[i]![0] && pfn < ranges[i]![1]) return nodes[n]!.nid;
    }
  }
  return 0;
}

/**
 * True when the struct page of `pfn` is not initialised yet because deferred init will do it;
 * memblock_free_pages() then keeps the block back. Kernel: `early_page_uninitialised()`.
 */
export function earlyPageUninitialised(pa: PageAllocState, pfn: number): boolean {
  if (!pa.deferredStructPageInit) return false;
  return pfn >= pa.pgdat[earlyPfnToNid(pa, pfn)]!.firstDeferredPfn;
}

/**
 * Initialises the struct page of a reserved PFN in the deferred range (memmap_init skipped it),
 * so that reserve_bootmem_region() can mark it PageReserved. No-op for an initialised PFN.
 * Kernel: `init_reserved_page()`.
 */
export function initReservedPage(pa: PageAllocState, pfn: number): void {
  if (!earlyPageUninitialised(pa, pfn)) return;
  const nid = earlyPfnToNid(pa, pfn);
  const pgdat = pa.pgdat[nid]!;
  for (let zid = 0; zid < MAX_NR_ZONES; zid++) {
    if (pgdat.zones[zid]!.spansPfn(pfn)) {
      const page = pa.mem.pfnToPage(pfn);
      initPageRange(pa.mem, page, page + 1, nid, zid);
      return;
    }
  }
}

/**
 * Collects the blocks memblock_free_pages() kept back because their struct pages are deferred:
 * these are the free memblock ranges page_alloc_init_late() must initialise and free.
 * (The kernel walks memblock again instead; see the file header.)
 */
export class DeferredFreeRanges {
  private readonly list: [number, number][] = [];

  /** Records a kept-back block of 2^order pages at `pfn`. */
  record(pfn: number, order: number): void {
    const end = pfn + 2 ** order;
    const last = this.list[this.list.length - 1];
    if (last !== undefined && last[1] === pfn) last[1] = end;
    else this.list.push([pfn, end]);
  }

  /** The recorded ranges, ascending, adjacent blocks merged. */
  get ranges(): readonly PfnRange[] {
    return [...this.list].sort((a, b) => a[0] - b[0]);
  }
}

// ---------------------------------------------------------------------------------------------
// Deferred struct page init: page_alloc_init_late
// ---------------------------------------------------------------------------------------------

/** Position of the for_each_free_mem_pfn_range_in_zone iterator: range index and current [spfn, epfn). */
interface RangeCursor {
  i: number;
  spfn: number;
  epfn: number;
}

/** The free ranges of `zone` (its node, clipped to its span and to the MemMap), ascending. */
function zoneFreeRanges(pa: PageAllocState, zone: Zone, freeRanges: readonly PfnRange[]): PfnRange[] {
  const out: PfnRange[] = [];
  const zs = Math.max(zone.zoneStartPfn, pa.mem.basePfn);
  const ze = Math.min(zone.zoneEndPfn, pa.mem.endPfn);
  const sorted = [...freeRanges].sort((a, b) => a[0] - b[0]);
  for (const [s0, e0] of sorted) {
    const s = Math.max(s0, zs);
    const e = Math.min(e0, ze);
    if (s < e && earlyPfnToNid(pa, s) === zone.nid) out.push([s, e]);
  }
  return out;
}

/**
 * Positions a cursor on the first free range part at or after `firstInitPfn`.
 * Kernel: `deferred_init_mem_pfn_range_in_zone()`. @returns undefined when there is none
 */
function rangeInZoneFrom(segs: readonly PfnRange[], firstInitPfn: number): RangeCursor | undefined {
  for (let i = 0; i < segs.length; i++) {
    const [s, e] = segs[i]!;
    if (e <= firstInitPfn) continue;
    return { i, spfn: Math.max(s, firstInitPfn), epfn: e };
  }
  return undefined;
}

/** Kernel: `deferred_init_pages()`. @returns pages initialised */
function deferredInitPages(pa: PageAllocState, zone: Zone, pfn: number, endPfn: number): number {
  initPageRange(pa.mem, pa.mem.pfnToPage(pfn), pa.mem.pfnToPage(endPfn), zone.nid, zone.zid);
  return endPfn - pfn;
}

/**
 * Frees a run of pages that lies within one pageblock: the whole pageblock at once when the run
 * is one, else page by page. Kernel: `deferred_free_range()`.
 */
function deferredFreeRange(pa: PageAllocState, pfn: number, nrPages: number): void {
  if (nrPages === 0) return;
  const page = pa.mem.pfnToPage(pfn);
  if (nrPages === PAGEBLOCK_NR_PAGES && pfn % PAGEBLOCK_NR_PAGES === 0) {
    setPageblockMigratetype(pa.pageblock, pfn, MIGRATE_MOVABLE);
    freePagesCore(pa, page, PAGEBLOCK_ORDER);
    return;
  }
  for (let i = 0; i < nrPages; i++) {
    if ((pfn + i) % PAGEBLOCK_NR_PAGES === 0) setPageblockMigratetype(pa.pageblock, pfn + i, MIGRATE_MOVABLE);
    freePagesCore(pa, page + i, 0);
  }
}

/** Frees [pfn, endPfn) in pageblock-sized runs. Kernel: `deferred_free_pages()` (every PFN is valid here). */
function deferredFreePages(pa: PageAllocState, pfn: number, endPfn: number): void {
  while (pfn < endPfn) {
    const t = Math.min(alignUp(pfn + 1, PAGEBLOCK_NR_PAGES), endPfn);
    deferredFreeRange(pa, pfn, t - pfn);
    pfn = t;
  }
}

/**
 * Initialises, then frees, the free pages from the cursor up to the next MAX_ORDER boundary,
 * and advances the cursor. Kernel: `deferred_init_maxorder()`. @returns pages initialised
 */
function deferredInitMaxorder(pa: PageAllocState, zone: Zone, segs: readonly PfnRange[], cur: RangeCursor): number {
  const moPfn = alignUp(cur.spfn + 1, MAX_ORDER_NR_PAGES);
  const i0 = cur.i;
  let spfn = cur.spfn;
  let epfn = cur.epfn;
  let nrPages = 0;

  // First initialise the struct pages
  while (cur.i < segs.length) {
    if (moPfn <= cur.spfn) break;
    const t = Math.min(moPfn, cur.epfn);
    nrPages += deferredInitPages(pa, zone, cur.spfn, t);
    if (moPfn < cur.epfn) {
      cur.spfn = moPfn;
      break;
    }
    cur.i++;
    if (cur.i < segs.length) {
      cur.spfn = segs[cur.i]![0];
      cur.epfn = segs[cur.i]![1];
    } else {
      cur.spfn = ULONG_MAX;
      cur.epfn = ULONG_MAX;
    }
  }

  // Then free them (a free looks at buddies ahead, which must be initialised by then)
  for (let j = i0; j < segs.length;) {
    if (moPfn <= spfn) break;
    const t = Math.min(moPfn, epfn);
    deferredFreePages(pa, spfn, t);
    if (moPfn <= epfn) break;
    j++;
    if (j < segs.length) {
      spfn = segs[j]![0];
      epfn = segs[j]![1];
    }
  }
  return nrPages;
}

/** The zone of `pgdat` holding `pfn` (the deferred zone), or undefined. */
function deferredZone(pgdat: PglistData, pfn: number): Zone | undefined {
  for (let zid = 0; zid < MAX_NR_ZONES; zid++) {
    if (pfn < pgdat.zones[zid]!.zoneEndPfn) return pgdat.zones[zid]!;
  }
  return undefined;
}

/**
 * Initialises and frees the rest of a node's memory. Kernel: `deferred_init_memmap()` (the
 * pgdatinit kthread; padata with one thread, so the section chunks run in order).
 */
function deferredInitMemmap(pa: PageAllocState, pgdat: PglistData, freeRanges: readonly PfnRange[]): void {
  const start = pa.clock.now();
  const firstInitPfn = pgdat.firstDeferredPfn;
  if (firstInitPfn === ULONG_MAX) return;
  pgdat.firstDeferredPfn = ULONG_MAX;

  // Only the highest zone is deferred so find it
  const zone = deferredZone(pgdat, firstInitPfn);
  if (zone !== undefined) {
    const segs = zoneFreeRanges(pa, zone, freeRanges);
    const cur = rangeInZoneFrom(segs, firstInitPfn);
    if (cur !== undefined) {
      while (cur.spfn < cur.epfn) deferredInitMaxorder(pa, zone, segs, cur);
    }
    // Sanity check that the next zone really is unpopulated
    if (zone.zid + 1 < MAX_NR_ZONES && pgdat.zones[zone.zid + 1]!.populated) {
      pa.log.warn("deferred_init_memmap (mm/page_alloc.c)");
    }
  }
  // jiffies_to_msecs(jiffies - start) at HZ=250 (the reference config): whole 4 ms jiffies of the
  // simulated time the frees above charged.
  const jiffies = Math.floor(pa.clock.now() / 4_000_000) - Math.floor(start / 4_000_000);
  pa.log.prInfo(`node ${pgdat.nodeId} deferred pages initialised in ${jiffies * 4}ms`);
}

/**
 * Finishes deferred struct page init on every node with memory, then (6.1) discards memblock
 * and marks zones contiguous (neither stored in mmsim). Kernel: `page_alloc_init_late()`.
 * @param freeRanges the free memblock PFN ranges (memory minus reserved), e.g.
 *   `DeferredFreeRanges.ranges` recorded during the hand-over; only the parts in deferred
 *   zones at or above each node's firstDeferredPfn are used
 */
export function pageAllocInitLate(pa: PageAllocState, freeRanges: readonly PfnRange[]): void {
  for (const pgdat of pa.pgdat) {
    if (pgdat.nodePresentPages === 0) continue; // for_each_node_state(nid, N_MEMORY)
    deferredInitMemmap(pa, pgdat, freeRanges);
  }
}

/**
 * Initialises enough deferred pages of the node's last zone, a section at a time, for an
 * allocation of `order` that failed its watermark during boot. Called by get_page_from_freelist()
 * before page_alloc_init_late() (pgdat.firstDeferredPfn is then no longer ULONG_MAX).
 * Kernel: `deferred_grow_zone()`.
 * @returns true when the zone grew (or may have; the caller retries)
 */
export function deferredGrowZone(pa: PageAllocState, zone: Zone, order: number, freeRanges: readonly PfnRange[]): boolean {
  const nrPagesNeeded = alignUp(2 ** order, PAGES_PER_SECTION);
  const pgdat = pa.pgdat[zone.nid]!;
  let firstDeferredPfn = pgdat.firstDeferredPfn;

  // Only the last zone may have deferred pages
  if (zone.zoneEndPfn !== pgdat.nodeEndPfn) return false;

  const segs = zoneFreeRanges(pa, zone, freeRanges);
  const cur = rangeInZoneFrom(segs, firstDeferredPfn);
  if (cur === undefined) {
    pgdat.firstDeferredPfn = ULONG_MAX;
    return firstDeferredPfn !== ULONG_MAX;
  }
  let nrPages = 0;
  while (cur.spfn < cur.epfn) {
    // update our first deferred PFN for this section
    firstDeferredPfn = cur.spfn;
    nrPages += deferredInitMaxorder(pa, zone, segs, cur);
    // We should only stop along section boundaries
    if (Math.floor(firstDeferredPfn / PAGES_PER_SECTION) === Math.floor(cur.spfn / PAGES_PER_SECTION)) continue;
    // If our quota has been met we can stop here
    if (nrPages >= nrPagesNeeded) break;
  }
  pgdat.firstDeferredPfn = cur.spfn;
  return nrPages > 0;
}

/**
 * True when every pageblock of the zone has struct pages of this zone at both ends, so
 * compaction may skip per-pageblock checks. Kernel: what `set_zone_contiguous()` stores in
 * `zone->contiguous` (page_alloc_init_late() calls it for populated zones).
 */
export function zoneContiguous(pa: PageAllocState, zone: Zone): boolean {
  const mem = pa.mem;
  const end = zone.zoneEndPfn;
  for (let s = zone.zoneStartPfn; s < end; s = alignUp(s + 1, PAGEBLOCK_NR_PAGES)) {
    const e = Math.min(alignUp(s + 1, PAGEBLOCK_NR_PAGES), end);
    if (!mem.pfnValid(s) || !mem.pfnValid(e - 1)) return false;
    if (mem.nodeZone[mem.pfnToPage(s)] !== zone.id || mem.nodeZone[mem.pfnToPage(e - 1)] !== zone.id) return false;
  }
  return true;
}
