// Kernel: mm/vmstat.c, include/linux/vmstat.h (v6.1; read from 6.1.166) — the vmstat counters: zone->vm_stat, zone->vm_numa_event, pgdat->vm_stat, vm_event_states, and the API every subsystem updates them through
/*
 * One machine's vmstat counters, in one service (token VM_STAT) that every subsystem updates
 * and procfs renders: the page allocator counts NR_FREE_PAGES, PGALLOC_* and PGFREE; slab
 * NR_SLAB_*; page tables NR_PAGETABLE; later fault PGFAULT, reclaim PGSCAN_*, swap PSWPIN,
 * oom OOM_KILL, ksm COW_KSM — none of them needs the page allocator's package to do it.
 *
 * Storage: one typed array per id space, allocated once, indexed by zone id or node id
 * (zone id = nid * MAX_NR_ZONES + zid, which is also MemMap.nodeZone of the zone's pages):
 *
 *   zoneVmStat[zoneId * NR_VM_ZONE_STAT_ITEMS + item]          zone->vm_stat[item]
 *   zoneVmNumaEvent[zoneId * NR_VM_NUMA_EVENT_ITEMS + item]    zone->vm_numa_event[item]
 *   nodeVmStat[nid * NR_VM_NODE_STAT_ITEMS + item]             pgdat->vm_stat[item]
 *   vmEvents[item]                                             vm_event_states, summed over CPUs
 *
 * zoneStat(zoneId), zoneNumaEvent(zoneId) and nodeStat(nid) are views (subarrays) of those
 * arrays, made once: the page allocator's Zone and PglistData hold them as `vmStat` and
 * `vmNumaEvent`, and its hot paths keep writing `zone.vmStat[NR_FREE_PAGES] += n` and
 * `pa.vmEvents[PGFREE] += n` directly — no call on the per-CPU fast path — into this service's
 * memory.
 *
 * What 6.1 has and mmsim does not model (mmsim runs one CPU at a time and nothing reads a
 * counter between an update and its fold):
 *  - per-CPU differentials (per_cpu_zonestats->vm_stat_diff, per_cpu_nodestats->vm_node_stat_diff)
 *    and their fold at stat_threshold (__mod_zone_page_state) or by vmstat_update: every update
 *    is folded at once, as a !CONFIG_SMP kernel does (zone_page_state_add). The thresholds are
 *    still computed (refresh_zone_stat_thresholds, in @mmsim/buddy, from the zones' managed
 *    pages) and kept here, because /proc/zoneinfo prints them;
 *  - the global atomics vm_zone_stat[], vm_node_stat[], vm_numa_event[]: with every diff folded
 *    they equal the sums over zones and nodes, so the global readers sum (a handful of zones);
 *  - per-CPU vm_event_states: one array holds the sum all_vm_events() would return;
 *  - NUMA events' per-CPU counters (fold_vm_numa_events): counted straight into the zone.
 * Reading clamps like the kernel with CONFIG_SMP: page-state readers return 0 for a negative
 * counter, NUMA events (unsigned) are not clamped.
 */
import { ArgumentError, describeValue } from "./errors.ts";
import { MAX_NR_ZONES, ZONE_NORMAL } from "./mmzone.ts";
import { PAGE_SIZE } from "./sizes.ts";
import {
  NR_VM_EVENT_ITEMS, NR_VM_NODE_STAT_ITEMS, NR_VM_NUMA_EVENT_ITEMS, NR_VM_ZONE_STAT_ITEMS, vmstatItemInBytes,
} from "./vmstat.ts";

const SITE = "core.VmStat";

/** The vmstat counters of one machine. Kernel: the counters of mm/vmstat.c and their home in struct zone / pglist_data. */
export class VmStat {
  /** Nodes (nr_node_ids). */
  readonly nrNodes: number;
  /** Zones: nrNodes × MAX_NR_ZONES, by zone id = nid * MAX_NR_ZONES + zid. */
  readonly nrZones: number;
  /** `zone->vm_stat[]` of every zone, zone-major (NR_VM_ZONE_STAT_ITEMS per zone), in pages. */
  readonly zoneVmStat: Float64Array;
  /** `zone->vm_numa_event[]` of every zone, zone-major (NR_VM_NUMA_EVENT_ITEMS per zone). */
  readonly zoneVmNumaEvent: Float64Array;
  /** `pgdat->vm_stat[]` of every node, node-major (NR_VM_NODE_STAT_ITEMS per node); NR_SLAB_*_B in pages. */
  readonly nodeVmStat: Float64Array;
  /** `vm_event_states.event[]` summed over every CPU (what all_vm_events() returns). */
  readonly vmEvents = new Float64Array(NR_VM_EVENT_ITEMS);
  /**
   * `per_cpu_zonestats->stat_threshold` of every zone (the same on every CPU), as
   * refresh_zone_stat_thresholds() sets it; printed by /proc/zoneinfo ("vm stats threshold").
   */
  readonly zoneStatThreshold: Int32Array;
  /** `per_cpu_nodestats->stat_threshold` of every node: the largest of its populated zones'. */
  readonly nodeStatThreshold: Int32Array;
  private readonly zoneViews: Float64Array[] = [];
  private readonly zoneNumaViews: Float64Array[] = [];
  private readonly nodeViews: Float64Array[] = [];

  /**
   * @param nrNodes nodes of the machine (1..MAX_NUMNODES); every node has MAX_NR_ZONES zones
   * @throws ArgumentError for a node count that is not a positive integer
   */
  constructor(nrNodes: number) {
    if (!Number.isInteger(nrNodes) || nrNodes < 1 || nrNodes > 1024) {
      throw new ArgumentError(SITE, "nrNodes", "an integer in 1..1024 (MAX_NUMNODES)", describeValue(nrNodes));
    }
    this.nrNodes = nrNodes;
    this.nrZones = nrNodes * MAX_NR_ZONES;
    this.zoneVmStat = new Float64Array(this.nrZones * NR_VM_ZONE_STAT_ITEMS);
    this.zoneVmNumaEvent = new Float64Array(this.nrZones * NR_VM_NUMA_EVENT_ITEMS);
    this.nodeVmStat = new Float64Array(nrNodes * NR_VM_NODE_STAT_ITEMS);
    this.zoneStatThreshold = new Int32Array(this.nrZones);
    this.nodeStatThreshold = new Int32Array(nrNodes);
    for (let z = 0; z < this.nrZones; z++) {
      this.zoneViews.push(this.zoneVmStat.subarray(z * NR_VM_ZONE_STAT_ITEMS, (z + 1) * NR_VM_ZONE_STAT_ITEMS));
      this.zoneNumaViews.push(this.zoneVmNumaEvent.subarray(z * NR_VM_NUMA_EVENT_ITEMS, (z + 1) * NR_VM_NUMA_EVENT_ITEMS));
    }
    for (let n = 0; n < nrNodes; n++) {
      this.nodeViews.push(this.nodeVmStat.subarray(n * NR_VM_NODE_STAT_ITEMS, (n + 1) * NR_VM_NODE_STAT_ITEMS));
    }
  }

  // ------------------------------------------------------------------ views

  /** `zone->vm_stat`: the zone's counters, a view of zoneVmStat (what struct zone holds). */
  zoneStat(zoneId: number): Float64Array {
    return this.zoneViews[this.checkZone(zoneId, "zoneStat")]!;
  }

  /** `zone->vm_numa_event`: the zone's NUMA events, a view of zoneVmNumaEvent. */
  zoneNumaEvent(zoneId: number): Float64Array {
    return this.zoneNumaViews[this.checkZone(zoneId, "zoneNumaEvent")]!;
  }

  /** `pgdat->vm_stat`: the node's counters, a view of nodeVmStat. */
  nodeStat(nid: number): Float64Array {
    return this.nodeViews[this.checkNode(nid, "nodeStat")]!;
  }

  // ------------------------------------------------------------------ updates

  /**
   * Adds `x` pages to a zone counter (and, in the kernel, to the global one).
   * Kernel: `zone_page_state_add()` — what the fold of a per-CPU diff does.
   */
  zonePageStateAdd(x: number, zoneId: number, item: number): void {
    this.zoneVmStat[this.checkZone(zoneId, "zonePageStateAdd") * NR_VM_ZONE_STAT_ITEMS + checkItem(item, NR_VM_ZONE_STAT_ITEMS, "zonePageStateAdd")]! += x;
  }

  /**
   * Adds `x` to a node counter, in the counter's unit (pages for NR_SLAB_*_B).
   * Kernel: `node_page_state_add()`.
   */
  nodePageStateAdd(x: number, nid: number, item: number): void {
    this.nodeVmStat[this.checkNode(nid, "nodePageStateAdd") * NR_VM_NODE_STAT_ITEMS + checkItem(item, NR_VM_NODE_STAT_ITEMS, "nodePageStateAdd")]! += x;
  }

  /**
   * Changes a zone counter by `delta` pages. Kernel: `mod_zone_page_state()` and
   * `__mod_zone_page_state()` (the same here: no interrupts to disable, diffs folded at once).
   */
  modZonePageState(zoneId: number, item: number, delta: number): void {
    this.zonePageStateAdd(delta, zoneId, item);
  }

  /** Kernel: `__inc_zone_state()` / `inc_zone_state()`. */
  incZoneState(zoneId: number, item: number): void {
    this.zonePageStateAdd(1, zoneId, item);
  }

  /** Kernel: `__dec_zone_state()` / `dec_zone_state()`. */
  decZoneState(zoneId: number, item: number): void {
    this.zonePageStateAdd(-1, zoneId, item);
  }

  /**
   * Changes a node counter. For NR_SLAB_RECLAIMABLE_B and NR_SLAB_UNRECLAIMABLE_B `delta` is
   * in bytes, a multiple of PAGE_SIZE, stored as pages (vmstat_item_in_bytes); else in pages.
   * Kernel: `mod_node_page_state()` and `__mod_node_page_state()`.
   * @throws ArgumentError for a byte item changed by a part of a page (the kernel's VM_WARN_ON_ONCE)
   */
  modNodePageState(nid: number, item: number, delta: number): void {
    if (vmstatItemInBytes(item)) {
      if (delta % PAGE_SIZE !== 0) throw new ArgumentError(`${SITE}.modNodePageState`, "delta", `bytes in whole pages (a multiple of ${PAGE_SIZE}) for a byte item`, describeValue(delta));
      delta /= PAGE_SIZE;
    }
    this.nodePageStateAdd(delta, nid, item);
  }

  /** Kernel: `__inc_node_state()` / `inc_node_state()`. */
  incNodeState(nid: number, item: number): void {
    this.nodePageStateAdd(1, nid, item);
  }

  /** Kernel: `__dec_node_state()`. */
  decNodeState(nid: number, item: number): void {
    this.nodePageStateAdd(-1, nid, item);
  }

  /** Counts one event. Kernel: `count_vm_event()` / `__count_vm_event()`. */
  countVmEvent(item: number): void {
    this.vmEvents[checkItem(item, NR_VM_EVENT_ITEMS, "countVmEvent")]! += 1;
  }

  /** Counts `delta` events. Kernel: `count_vm_events()` / `__count_vm_events()`. */
  countVmEvents(item: number, delta: number): void {
    this.vmEvents[checkItem(item, NR_VM_EVENT_ITEMS, "countVmEvents")]! += delta;
  }

  /**
   * Counts `delta` events of a per-zone-type event (PGALLOC, ALLOCSTALL, PGSCAN_SKIP) for zone
   * type `zid`. The kernel's macro pastes `item##_NORMAL`; here pass that member itself
   * (`PGALLOC_NORMAL`): the event is `itemNormal - ZONE_NORMAL + zid`.
   * Kernel: `__count_zid_vm_events(item, zid, delta)`.
   */
  countZidVmEvents(itemNormal: number, zid: number, delta: number): void {
    if (!Number.isInteger(zid) || zid < 0 || zid >= MAX_NR_ZONES) throw new ArgumentError(`${SITE}.countZidVmEvents`, "zid", `a zone type 0..${MAX_NR_ZONES - 1}`, describeValue(zid));
    this.countVmEvents(itemNormal - ZONE_NORMAL + zid, delta);
  }

  /** Counts one NUMA event of a zone. Kernel: `__count_numa_event()` (folded at once). */
  countNumaEvent(zoneId: number, item: number): void {
    this.countNumaEvents(zoneId, item, 1);
  }

  /** Counts `delta` NUMA events of a zone. Kernel: `__count_numa_events()` + `zone_numa_event_add()`. */
  countNumaEvents(zoneId: number, item: number, delta: number): void {
    this.zoneVmNumaEvent[this.checkZone(zoneId, "countNumaEvents") * NR_VM_NUMA_EVENT_ITEMS + checkItem(item, NR_VM_NUMA_EVENT_ITEMS, "countNumaEvents")]! += delta;
  }

  // ------------------------------------------------------------------ reads

  /** A zone counter, a negative (drifted) value read as 0. Kernel: `zone_page_state()`. */
  zonePageState(zoneId: number, item: number): number {
    const x = this.zoneVmStat[this.checkZone(zoneId, "zonePageState") * NR_VM_ZONE_STAT_ITEMS + checkItem(item, NR_VM_ZONE_STAT_ITEMS, "zonePageState")]!;
    return x < 0 ? 0 : x;
  }

  /**
   * A zone counter with the pending per-CPU diffs (none here: the same as zonePageState).
   * Kernel: `zone_page_state_snapshot()`.
   */
  zonePageStateSnapshot(zoneId: number, item: number): number {
    return this.zonePageState(zoneId, item);
  }

  /** A NUMA event of a zone (unsigned: not clamped). Kernel: `zone_numa_event_state()`. */
  zoneNumaEventState(zoneId: number, item: number): number {
    return this.zoneVmNumaEvent[this.checkZone(zoneId, "zoneNumaEventState") * NR_VM_NUMA_EVENT_ITEMS + checkItem(item, NR_VM_NUMA_EVENT_ITEMS, "zoneNumaEventState")]!;
  }

  /** A node counter in pages (byte items too), clamped to 0. Kernel: `node_page_state_pages()`. */
  nodePageStatePages(nid: number, item: number): number {
    const x = this.nodeVmStat[this.checkNode(nid, "nodePageStatePages") * NR_VM_NODE_STAT_ITEMS + checkItem(item, NR_VM_NODE_STAT_ITEMS, "nodePageStatePages")]!;
    return x < 0 ? 0 : x;
  }

  /**
   * A node counter. The same value as nodePageStatePages (the kernel only warns when it is
   * used on a byte item). Kernel: `node_page_state()`.
   */
  nodePageState(nid: number, item: number): number {
    return this.nodePageStatePages(nid, item);
  }

  /** A zone counter summed over a node's zones. Kernel: `sum_zone_node_page_state()`. */
  sumZoneNodePageState(nid: number, item: number): number {
    const base = this.checkNode(nid, "sumZoneNodePageState") * MAX_NR_ZONES;
    let count = 0;
    for (let zid = 0; zid < MAX_NR_ZONES; zid++) count += this.zonePageState(base + zid, item);
    return count;
  }

  /** A NUMA event summed over a node's zones. Kernel: `sum_zone_numa_event_state()`. */
  sumZoneNumaEventState(nid: number, item: number): number {
    const base = this.checkNode(nid, "sumZoneNumaEventState") * MAX_NR_ZONES;
    let count = 0;
    for (let zid = 0; zid < MAX_NR_ZONES; zid++) count += this.zoneNumaEventState(base + zid, item);
    return count;
  }

  /**
   * A zone counter over the whole machine, clamped to 0. Kernel: `global_zone_page_state()`
   * (vm_zone_stat[item], which equals this sum with every diff folded).
   */
  globalZonePageState(item: number): number {
    checkItem(item, NR_VM_ZONE_STAT_ITEMS, "globalZonePageState");
    let x = 0;
    for (let z = 0; z < this.nrZones; z++) x += this.zoneVmStat[z * NR_VM_ZONE_STAT_ITEMS + item]!;
    return x < 0 ? 0 : x;
  }

  /** A NUMA event over the whole machine (unsigned, not clamped). Kernel: `global_numa_event_state()`. */
  globalNumaEventState(item: number): number {
    checkItem(item, NR_VM_NUMA_EVENT_ITEMS, "globalNumaEventState");
    let x = 0;
    for (let z = 0; z < this.nrZones; z++) x += this.zoneVmNumaEvent[z * NR_VM_NUMA_EVENT_ITEMS + item]!;
    return x;
  }

  /** A node counter over the whole machine, in pages, clamped to 0. Kernel: `global_node_page_state_pages()`. */
  globalNodePageStatePages(item: number): number {
    checkItem(item, NR_VM_NODE_STAT_ITEMS, "globalNodePageStatePages");
    let x = 0;
    for (let n = 0; n < this.nrNodes; n++) x += this.nodeVmStat[n * NR_VM_NODE_STAT_ITEMS + item]!;
    return x < 0 ? 0 : x;
  }

  /**
   * A node counter over the whole machine. The same value as globalNodePageStatePages (the
   * kernel only warns when it is used on a byte item). Kernel: `global_node_page_state()`.
   */
  globalNodePageState(item: number): number {
    return this.globalNodePageStatePages(item);
  }

  /**
   * Every VM event, summed over CPUs, into `ret` (NR_VM_EVENT_ITEMS entries).
   * Kernel: `all_vm_events()`.
   * @returns `ret`
   */
  allVmEvents(ret: Float64Array = new Float64Array(NR_VM_EVENT_ITEMS)): Float64Array {
    if (ret.length < NR_VM_EVENT_ITEMS) throw new ArgumentError(`${SITE}.allVmEvents`, "ret", `at least ${NR_VM_EVENT_ITEMS} entries`, String(ret.length));
    ret.set(this.vmEvents);
    return ret;
  }

  /**
   * One VM event summed over CPUs. 6.1 has no one-item reader (callers use all_vm_events());
   * this is its loop for one item, the `sum_vm_event()` proposed on linux-mm.
   * Kernel: `sum_vm_events()` for one item.
   */
  sumVmEvent(item: number): number {
    return this.vmEvents[checkItem(item, NR_VM_EVENT_ITEMS, "sumVmEvent")]!;
  }

  // ------------------------------------------------------------------ checks

  private checkZone(zoneId: number, fn: string): number {
    if (!(zoneId >= 0 && zoneId < this.nrZones && Number.isInteger(zoneId))) {
      throw new ArgumentError(`${SITE}.${fn}`, "zoneId", `a zone id 0..${this.nrZones - 1} (nid * ${MAX_NR_ZONES} + zid)`, describeValue(zoneId));
    }
    return zoneId;
  }

  private checkNode(nid: number, fn: string): number {
    if (!(nid >= 0 && nid < this.nrNodes && Number.isInteger(nid))) {
      throw new ArgumentError(`${SITE}.${fn}`, "nid", `a node id 0..${this.nrNodes - 1}`, describeValue(nid));
    }
    return nid;
  }
}

/** An item id of a space with `n` items, or an ArgumentError naming the function. */
function checkItem(item: number, n: number, fn: string): number {
  if (!(item >= 0 && item < n && Number.isInteger(item))) throw new ArgumentError(`${SITE}.${fn}`, "item", `an item id 0..${n - 1}`, describeValue(item));
  return item;
}
