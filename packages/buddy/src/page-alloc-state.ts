// Kernel: mm/page_alloc.c (v6.1) — the allocator's globals: node_data[], totalram_pages, the vm sysctls
/*
 * Everything the page allocator of one machine owns, in one object that hot functions take as
 * their first argument (STYLE C8). Sizes are fixed at construction: nodes, zones, CPUs, MemMap.
 * Nothing of the allocator lives at module level: two machines in one process share nothing.
 * Hot file (pageZone() runs on every free): no closures or literals, even in the constructor.
 *
 * The vmstat counters are not the allocator's: they live in the machine's VmStat service (core,
 * token VM_STAT), which every subsystem updates. The allocator keeps direct references to that
 * service's typed arrays — `vmEvents`, and each zone's and node's `vmStat` view — so its hot
 * paths update counters with one typed-array write, as before, and call nothing.
 */
import {
  type CostModel, type KernelLog, type PsiHooks, type MemcgCharger, type MemMap, type SimClock, type TraceBus, ArgumentError, MAX_NR_ZONES,
  MIGRATE_TYPES, NR_PAGE_ORDERS, NR_PCP_LISTS, VmStat, describeValue,
} from "@mmsim/core";
import { AllocContext } from "./internal.ts";
import { PageblockFlags } from "./pageblock-flags.ts";
import { PglistData, Zone } from "./mmzone.ts";
import { NR_HOOKS, noOpHooks, type PageAllocHooks } from "./no-op-hooks.ts";

/** The `vm.*` sysctls the page allocator reads (6.1 defaults; /proc/sys/vm of the reference). */
export class VmSysctl {
  /** `min_free_kbytes`: set by calculate_min_free_kbytes() and THP; writing it sets userMinFreeKbytes. */
  minFreeKbytes = 1024;
  /** `user_min_free_kbytes`: -1 until a user writes min_free_kbytes. */
  userMinFreeKbytes = -1;
  /** `watermark_boost_factor` (10000 = 100 %). */
  watermarkBoostFactor = 15000;
  /** `watermark_scale_factor` (10000 = 100 %), 1..3000. */
  watermarkScaleFactor = 10;
  /** `lowmem_reserve_ratio[]` per zone type: DMA 256, DMA32 256, Normal 32, Movable 0. */
  readonly lowmemReserveRatio = Float64Array.of(256, 256, 32, 0);
  /** `percpu_pagelist_high_fraction`: 0 = pcp high from the low watermark. */
  percpuPagelistHighFraction = 0;
}

/** What deferredFreeRanges returns until a BuddyAllocator gives the state its own: no range. */
function noDeferredFreeRanges(): readonly (readonly [number, number])[] {
  return NO_RANGES;
}
const NO_RANGES: readonly (readonly [number, number])[] = Object.freeze(Array.of<readonly [number, number]>());

/** Memory of one node, as memblock describes it: PFN ranges [start, end). */
export interface NodeMemory {
  readonly nid: number;
  readonly ranges: readonly (readonly [startPfn: number, endPfn: number])[];
}

/** What the page allocator is built from. */
export interface PageAllocConfig {
  /** CPUs (nr_cpu_ids); every CPU gets a pageset in every zone. */
  readonly nrCpus: number;
  /** Node of each CPU (cpu_to_node); defaults to all on node 0. */
  readonly cpuToNode?: readonly number[];
  /** Nodes and their memory, ascending nid from 0. */
  readonly nodes: readonly NodeMemory[];
  /**
   * `max_zone_pfns[]` per zone type, as the architecture computes it (arm64: zone_sizes_init):
   * the PFN each zone ends at; 0 for a zone that does not exist. Movable is computed.
   */
  readonly maxZonePfn: readonly number[];
  /** CONFIG_TRANSPARENT_HUGEPAGE with THP enabled: raises min_free_kbytes. Default true (reference config). */
  readonly transparentHugepage?: boolean;
  /** CONFIG_DEFERRED_STRUCT_PAGE_INIT. Default true (reference config). */
  readonly deferredStructPageInit?: boolean;
  /** init_on_alloc (CONFIG_INIT_ON_ALLOC_DEFAULT_ON). Default true (reference config). */
  readonly initOnAlloc?: boolean;
}

/** The page allocator's state. */
export class PageAllocState {
  readonly nrCpus: number;
  readonly cpuToNode: Int32Array;
  /** `node_data[nid]`. */
  readonly pgdat: PglistData[];
  /** Every zone, by `zone.id` = nid * MAX_NR_ZONES + zid. */
  readonly zones: Zone[];
  readonly pageblock: PageblockFlags;
  /** The machine's vmstat counters (VM_STAT): zones' and nodes' vmStat are views of its arrays. */
  readonly vmstat: VmStat;
  /** `vm_event_states`, summed over CPUs (PGALLOC_*, PGFREE, …): `vmstat.vmEvents` itself, for the hot paths. */
  readonly vmEvents: Float64Array;
  readonly sysctl = new VmSysctl();
  /** `totalram_pages`: managed pages of all zones. */
  totalramPages = 0;
  /** `totalreserve_pages`. */
  totalreservePages = 0;
  /** `page_group_by_mobility_disabled`. */
  pageGroupByMobilityDisabled = false;
  /** The mechanisms the slow path calls (kswapd, compaction, reclaim, OOM). */
  hooks: PageAllocHooks = noOpHooks();
  /** How many times the slow path called each hook (HOOK_* indices). */
  readonly hookCalls = new Float64Array(NR_HOOKS);
  /**
   * `current->flags & PF_MEMALLOC`, as a depth: set while the allocating context reclaims
   * (__perform_reclaim's memalloc_noreclaim_save around try_to_free_pages, and kswapd, which
   * runs with PF_MEMALLOC). Its allocations (zram's zsmalloc pages during swap-out) may use the
   * reserves below the min watermark and never recurse into direct reclaim.
   */
  pfMemalloc = 0;
  /**
   * PSI's stall marks around direct reclaim and direct compaction (psi_memstall_enter/leave in
   * __perform_reclaim and __alloc_pages_direct_compact); null until the machine's PSI is wired.
   */
  psi: PsiHooks | null = null;
  /** The memory controller (@mmsim/memcg-psi's, set by mem_cgroup_init); null: no memcg. free_pages_prepare uncharges through it. */
  memcg: MemcgCharger | null = null;
  /**
   * The alloc contexts of the allocations in progress, one per nesting level (a hook may
   * allocate); __alloc_pages() fills `acStack[acDepth]`. Only the calls out to the hooks move
   * acDepth (hook-calls.ts), and they put it back in a `finally`, so an exception thrown anywhere
   * leaves it as it was; they also grow the stack, so allocPages() never has to check its length.
   */
  readonly acStack: AllocContext[] = Array.of(new AllocContext(), new AllocContext());
  acDepth = 0;
  /** `*can_steal` of the last find_suitable_fallback() (mmsim: a field, so the hot path returns one number). */
  canSteal = false;
  /** `*num_movable` of the last move_freepages_block(): the allocated PageLRU pages of that pageblock. */
  numMovable = 0;
  /** Allocation failures that reached warn_alloc (printed or suppressed by __GFP_NOWARN). */
  allocFailures = 0;
  /** warn_alloc's ratelimit (`nopage_rs`): start of the current interval in jiffies (0: not started), messages printed and suppressed in it. */
  nopageRsBegin = 0;
  nopageRsPrinted = 0;
  nopageRsMissed = 0;
  /**
   * The `deferred_pages` static key: true from boot until page_alloc_init_late() has initialised
   * every deferred struct page; while true, get_page_from_freelist() may grow a zone.
   */
  deferredPages = false;
  /** Free PFN ranges memblock handed over whose struct pages are deferred (BuddyAllocator sets its own). */
  deferredFreeRanges: () => readonly (readonly [number, number])[] = noDeferredFreeRanges;
  /** CONFIG_INIT_ON_ALLOC_DEFAULT_ON (reference: on): every allocation is zeroed, at cost.clearPage per page. */
  readonly initOnAlloc: boolean;
  /** CONFIG_TRANSPARENT_HUGEPAGE (enabled=always in the reference): raises min_free_kbytes. */
  readonly transparentHugepage: boolean;
  /**
   * `hugepage_flags_enabled()`: transparent_hugepage_flags has "always" or "madvise". Starts as the
   * config (CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS in the reference); hugepage_init() clears it on a
   * board with under 512 MiB of totalram (huge-memory.ts).
   */
  hugepageFlagsEnabled: boolean;
  /** CONFIG_DEFERRED_STRUCT_PAGE_INIT. */
  readonly deferredStructPageInit: boolean;
  readonly config: PageAllocConfig;

  constructor(
    readonly mem: MemMap,
    config: PageAllocConfig,
    readonly clock: SimClock,
    readonly cost: CostModel,
    readonly trace: TraceBus,
    readonly log: KernelLog,
    /** The machine's vmstat service; a fresh one for config.nodes when omitted (tests, createBuddyAllocator). */
    vmstat?: VmStat,
  ) {
    const site = "buddy.PageAllocState";
    if (!Number.isInteger(config.nrCpus) || config.nrCpus < 1 || config.nrCpus > 256) {
      throw new ArgumentError(site, "nrCpus", "an integer in 1..256 (NR_CPUS of the reference config)", describeValue(config.nrCpus));
    }
    if (config.nodes.length < 1) throw new ArgumentError(site, "nodes", "at least one node", "none");
    for (let i = 0; i < config.nodes.length; i++) {
      const nid = config.nodes[i]!.nid;
      if (nid !== i) throw new ArgumentError(site, "nodes[" + i + "].nid", i + " (nodes in ascending order from 0)", describeValue(nid));
    }
    if (config.maxZonePfn.length !== MAX_NR_ZONES) {
      throw new ArgumentError(site, "maxZonePfn", MAX_NR_ZONES + " entries (one per zone type)", String(config.maxZonePfn.length));
    }
    this.vmstat = vmstat ?? new VmStat(config.nodes.length);
    if (this.vmstat.nrNodes !== config.nodes.length) {
      throw new ArgumentError(site, "vmstat", "a VmStat sized for the config's " + config.nodes.length + " node(s)", "one for " + this.vmstat.nrNodes);
    }
    this.vmEvents = this.vmstat.vmEvents;
    this.config = config;
    this.nrCpus = config.nrCpus;
    this.cpuToNode = new Int32Array(config.nrCpus);
    for (let c = 0; c < config.nrCpus; c++) this.cpuToNode[c] = config.cpuToNode?.[c] ?? 0;
    this.transparentHugepage = config.transparentHugepage ?? true;
    this.hugepageFlagsEnabled = this.transparentHugepage;
    this.deferredStructPageInit = config.deferredStructPageInit ?? true;
    this.initOnAlloc = config.initOnAlloc ?? true;
    this.deferredPages = this.deferredStructPageInit;
    this.zones = Array.of<Zone>();
    this.pgdat = Array.of<PglistData>();
    const vs = this.vmstat;
    for (let nid = 0; nid < config.nodes.length; nid++) {
      const zones = Array.of<Zone>();
      for (let zid = 0; zid < MAX_NR_ZONES; zid++) {
        const id = nid * MAX_NR_ZONES + zid;
        zones.push(new Zone(nid, zid, vs.zoneStat(id), vs.zoneNumaEvent(id)));
      }
      for (let zid = 0; zid < MAX_NR_ZONES; zid++) this.zones.push(zones[zid]!);
      this.pgdat.push(new PglistData(nid, zones, vs.nodeStat(nid)));
    }
    this.pageblock = new PageblockFlags(mem.basePfn, mem.endPfn);
  }

  /** List heads the allocator needs in MemMap: free areas of every zone and pcp lists of every CPU × zone. */
  static listHeadsNeeded(nrNodes: number, nrCpus: number): number {
    const zones = nrNodes * MAX_NR_ZONES;
    return zones * NR_PAGE_ORDERS * MIGRATE_TYPES + zones * nrCpus * NR_PCP_LISTS;
  }

  /** The zone of a page. Kernel: `page_zone()`. */
  pageZone(page: number): Zone {
    // nodeZone = (nid << ZONES_SHIFT) | zid and ZONES_SHIFT = 2 = log2(MAX_NR_ZONES): it is the zone id.
    return this.zones[this.mem.nodeZone[page]!]!;
  }
}
