// Kernel: include/linux/mmzone.h (v6.1) — struct zone, struct pglist_data, struct per_cpu_pages
/*
 * The records of the page allocator. A few dozen of them exist per machine (one Zone per node ×
 * MAX_NR_ZONES, one PerCpuPages per CPU × zone), so they are plain classes with number fields
 * (monomorphic, fast to read in hot code); everything per page lives in MemMap, everything per
 * pageblock in PageblockFlags.
 *
 * Free lists: a zone owns NR_PAGE_ORDERS × MIGRATE_TYPES list heads in MemMap's link arrays,
 * from `freeHeadBase`: the head of free_area[order].free_list[mt] is
 *     freeHeadBase + order * MIGRATE_TYPES + mt
 * (order-major: the order loop of __rmqueue_smallest walks consecutive groups). A PerCpuPages
 * owns NR_PCP_LISTS heads from `listBase`, indexed by order_to_pindex().
 *
 * Counters: `vmStat` and `vmNumaEvent` of a zone and `vmStat` of a node are views of the
 * machine's vmstat service (core's VmStat, token VM_STAT): the hot paths write them directly
 * (`zone.vmStat[NR_FREE_PAGES] += n`), and every other subsystem and procfs see the same memory
 * through the service.
 *
 * Invariants (validate()): nrFree[order] equals the blocks on that order's lists; every block on
 * a free list is PageBuddy with buddy_order == order, in this zone, naturally aligned, of the
 * list's migratetype... see validate.ts.
 */
import { MAX_NR_ZONES, NR_PAGE_ORDERS, NR_WMARK, WMARK_HIGH, WMARK_LOW, WMARK_MIN, zoneNames } from "@mmsim/core";

/** One CPU's page cache for one zone. Kernel: `struct per_cpu_pages` (6.1). */
export class PerCpuPages {
  /** Pages on all the lists (each list entry counts 1 << order). */
  count = 0;
  /** High watermark: above it, batch-free to the buddy lists. */
  high = 0;
  /** Chunk size for buddy add/remove. */
  batch = 1;
  /** Batch scaling factor during consecutive frees (`free_factor`). */
  freeFactor = 0;

  constructor(
    /** The CPU this pageset belongs to. */
    readonly cpu: number,
    /** Slot of lists[0] in MemMap's link arrays; lists[pindex] = listBase + pindex. */
    readonly listBase: number,
  ) {}
}

/** A memory zone. Kernel: `struct zone`. */
export class Zone {
  /** First PFN of the zone (`zone_start_pfn`). */
  zoneStartPfn = 0;
  /** Pages spanned, holes included (`spanned_pages`). */
  spannedPages = 0;
  /** Physical pages present (`present_pages` = spanned − holes). */
  presentPages = 0;
  /** Pages managed by the buddy allocator (`managed_pages` = present − reserved). */
  managedPages = 0;
  /** Pages in CMA areas (`cma_pages`). */
  cmaPages = 0;
  /** `nr_isolate_pageblock`: MIGRATE_ISOLATE pageblocks (page-isolation.ts). */
  nrIsolatePageblock = 0;
  /** `_watermark[WMARK_MIN/LOW/HIGH/PROMO]`, in pages. */
  readonly watermark = new Float64Array(NR_WMARK);
  /** `watermark_boost`, in pages, added to every watermark. */
  watermarkBoost = 0;
  /** `nr_reserved_highatomic`: pages in MIGRATE_HIGHATOMIC pageblocks. */
  nrReservedHighatomic = 0;
  /** `lowmem_reserve[j]`: pages kept back from allocations whose highest zone is j. */
  readonly lowmemReserve = new Float64Array(MAX_NR_ZONES);
  /** `free_area[order].nr_free`: free blocks of each order, all migratetypes. */
  readonly nrFree = new Int32Array(NR_PAGE_ORDERS);
  /** Slot of free_area[0].free_list[0]; see the file header. Set when the zone is initialised. */
  freeHeadBase = -1;
  /** `flags`: bit ZONE_BOOSTED_WATERMARK, ZONE_RECLAIM_ACTIVE (core mmzone.ts). */
  flags = 0;
  /** `per_cpu_pageset`, one per CPU (empty until zone_pcp_init). */
  pageset: PerCpuPages[] = Array.of<PerCpuPages>();
  /** `pageset_high` / `pageset_batch`: what the pagesets were last set to. */
  pagesetHigh = 0;
  pagesetBatch = 0;
  /** `initialized`: zone_init_free_lists ran. */
  initialized = false;

  constructor(
    /** Node id. */
    readonly nid: number,
    /** Zone type within the node (`zone_idx`), ZONE_DMA … ZONE_MOVABLE. */
    readonly zid: number,
    /** `vm_stat[]`: zone counters (NR_FREE_PAGES …), in pages; a view of VmStat.zoneVmStat. */
    readonly vmStat: Float64Array,
    /** `vm_numa_event[]`: NUMA_HIT … NUMA_OTHER; a view of VmStat.zoneVmNumaEvent. */
    readonly vmNumaEvent: Float64Array,
  ) {}

  /** Kernel name: "DMA", "DMA32", "Normal", "Movable". */
  get name(): string {
    return zoneNames[this.zid]!;
  }

  /** Index of this zone among all zones of the machine: nid * MAX_NR_ZONES + zid. */
  get id(): number {
    return this.nid * MAX_NR_ZONES + this.zid;
  }

  /** One past the last PFN. Kernel: `zone_end_pfn()`. */
  get zoneEndPfn(): number {
    return this.zoneStartPfn + this.spannedPages;
  }

  /** Kernel: `populated_zone()` (has present pages). */
  get populated(): boolean {
    return this.presentPages > 0;
  }

  /** Kernel: `managed_zone()`. */
  get managed(): boolean {
    return this.managedPages > 0;
  }

  /** True when `pfn` lies in the zone's span. Kernel: `zone_spans_pfn()`. */
  spansPfn(pfn: number): boolean {
    return pfn >= this.zoneStartPfn && pfn < this.zoneStartPfn + this.spannedPages;
  }

  /** Effective watermark i, boost included. Kernel: `wmark_pages()`. */
  wmarkPages(i: number): number {
    return this.watermark[i]! + this.watermarkBoost;
  }
  /** Kernel: `min_wmark_pages()`. */
  minWmarkPages(): number {
    return this.wmarkPages(WMARK_MIN);
  }
  /** Kernel: `low_wmark_pages()`. */
  lowWmarkPages(): number {
    return this.wmarkPages(WMARK_LOW);
  }
  /** Kernel: `high_wmark_pages()`. */
  highWmarkPages(): number {
    return this.wmarkPages(WMARK_HIGH);
  }

  /** A zone counter. Kernel: `zone_page_state()`. */
  pageState(item: number): number {
    return this.vmStat[item]!;
  }
}

/** A NUMA node. Kernel: `struct pglist_data` (pg_data_t). */
export class PglistData {
  /** `node_start_pfn`. */
  nodeStartPfn = 0;
  /** `node_present_pages`. */
  nodePresentPages = 0;
  /** `node_spanned_pages`. */
  nodeSpannedPages = 0;
  /** `nr_zones`: number of the highest populated zone + 1. */
  nrZones = 0;
  /** `first_deferred_pfn` (CONFIG_DEFERRED_STRUCT_PAGE_INIT): PFNs from here are not yet initialised. */
  firstDeferredPfn = Number.MAX_SAFE_INTEGER;
  /** `totalreserve_pages` of this node (calculate_totalreserve_pages). */
  totalreservePages = 0;
  /** `kswapd_order`, `kswapd_highest_zoneidx`: what the last wake-up asked for. */
  kswapdOrder = 0;
  kswapdHighestZoneidx = 0;
  /** `node_zonelists[ZONELIST_FALLBACK]`: zones to try, in order (built by build_zonelists). */
  zonelistFallback: Zone[] = Array.of<Zone>();
  /** `node_zonelists[ZONELIST_NOFALLBACK]` (__GFP_THISNODE). */
  zonelistNofallback: Zone[] = Array.of<Zone>();

  constructor(
    readonly nodeId: number,
    /** `node_zones[MAX_NR_ZONES]`. */
    readonly zones: readonly Zone[],
    /** `vm_stat[]`: node counters (NR_INACTIVE_ANON …, NR_SLAB_*_B in pages); a view of VmStat.nodeVmStat. */
    readonly vmStat: Float64Array,
  ) {}

  /** One past the node's last PFN. Kernel: `pgdat_end_pfn()`. */
  get nodeEndPfn(): number {
    return this.nodeStartPfn + this.nodeSpannedPages;
  }

  /** A node counter. Kernel: `node_page_state()`. */
  pageState(item: number): number {
    return this.vmStat[item]!;
  }
}
