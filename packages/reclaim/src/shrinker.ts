// Kernel: mm/vmscan.c (shrinker_list, register_shrinker, unregister_shrinker, xchg_nr_deferred, add_nr_deferred, do_shrink_slab, shrink_slab, drop_slab_node, drop_slab) (v6.1) — the shrinker list and how reclaim calls it
/*
 * One ShrinkerList per machine: core's ShrinkerRegistry (the VFS registers each disk
 * superblock's super_cache shrinker at mount), and what shrink_node calls after each lruvec pass.
 *
 * do_shrink_slab turns reclaim's priority into work: with `freeable` objects counted,
 *   delta      = (freeable >> priority) × 4 / seeks   (freeable / 2 when seeks is 0)
 *   total_scan = min((nr_deferred >> priority) + delta, 2 × freeable)
 * scanned in batches of `batch` (SHRINK_BATCH when 0) while total_scan ≥ batch or ≥ freeable,
 * each batch counted in slabs_scanned; what was asked and not scanned (nr_deferred + delta −
 * scanned, at most 2 × freeable) is carried to the next call in nr_deferred. drop_slab runs
 * every node at priority 0 until a pass frees at most 1 << shift objects (shift 0, 1, 2, …).
 *
 * What a shrink frees in pages reaches shrink_node as reclaim_state->reclaimed_slab: slab pages
 * the allocator gave back while the shrinkers ran (the node's NR_SLAB_RECLAIMABLE_B and
 * NR_SLAB_UNRECLAIMABLE_B fall: SLUB's discard_slab is where 6.1 adds to reclaimed_slab) plus
 * the page-cache pages a shrinker stole itself (ShrinkControl.reclaimedPages).
 *
 * Simplified: no memcg (shrink_slab_memcg; the root memcg walks every shrinker), no
 * shrinker_rwsem (one simulated CPU reclaims at a time).
 */
import {
  NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B, NR_VM_NODE_STAT_ITEMS, SHRINKER_NUMA_AWARE, SHRINK_BATCH, SHRINK_EMPTY, SHRINK_STOP, SLABS_SCANNED,
  GFP_KERNEL, SHRINKER_SCAN_SYMBOLS, ShrinkControl, type Shrinker, type ShrinkerRegistry, type TraceBus, type VmStat, traceMmShrinkSlabEnd,
  traceMmShrinkSlabStart,
} from "@mmsim/core";

/** A registered shrinker and its deferred work. Kernel: `struct shrinker`'s nr_deferred. */
class RegisteredShrinker {
  /** nr_deferred per node (NUMA aware) or one slot. Kernel: `shrinker->nr_deferred`. */
  readonly nrDeferred: Float64Array;
  constructor(
    readonly shrinker: Shrinker,
    nrNodes: number,
    /** Its address in mm_shrink_slab_start/end (any stable number: the trace prints it hashed). */
    readonly id: number,
    /** Its scan_objects as the trace prints it (%pS): a TraceBus.registerSymbol id. */
    readonly scanSymbol: number,
  ) {
    this.nrDeferred = new Float64Array((shrinker.flags & SHRINKER_NUMA_AWARE) !== 0 ? nrNodes : 1);
  }
}

/** What one shrink_slab call did (figures and tests). */
export class ShrinkSlabResult {
  /** Objects the shrinkers said they freed. */
  freed = 0;
  /** Pages: slab pages the allocator gave back plus pages the shrinkers stole. */
  reclaimedPages = 0;
}

/** The machine's shrinker list. Kernel: `shrinker_list` and its functions in mm/vmscan.c. */
export class ShrinkerList implements ShrinkerRegistry {
  private readonly list: RegisteredShrinker[] = [];
  private readonly sc = new ShrinkControl();
  private readonly result = new ShrinkSlabResult();
  /** Whether the caller is kswapd (the steal counters); set by the reclaimer around shrink_slab. */
  isKswapd = false;

  private registered = 0;

  constructor(
    private readonly vmstat: VmStat,
    private readonly nrNodes: number,
    private readonly trace: TraceBus | null = null,
  ) {}

  registerShrinker(shrinker: Shrinker): void {
    if (this.list.some((r) => r.shrinker === shrinker)) return;
    // a superblock's shrinker scans with super_cache_scan (fs/super.c); others print their name
    const scan = this.trace?.registerSymbol(shrinker.name.startsWith("sb-") ? SHRINKER_SCAN_SYMBOLS.super_cache_scan : `${shrinker.name}_scan`) ?? 0;
    this.list.push(new RegisteredShrinker(shrinker, this.nrNodes, ++this.registered, scan)); // list_add_tail(&shrinker->list, &shrinker_list)
  }

  unregisterShrinker(shrinker: Shrinker): void {
    const i = this.list.findIndex((r) => r.shrinker === shrinker);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** The registered shrinkers, in list order. */
  get shrinkers(): readonly Shrinker[] {
    return this.list.map((r) => r.shrinker);
  }

  /** A shrinker's nr_deferred on node `nid` (0 for one that is not NUMA aware). */
  nrDeferred(shrinker: Shrinker, nid: number): number {
    const r = this.list.find((x) => x.shrinker === shrinker);
    if (r === undefined) return 0;
    return r.nrDeferred[r.nrDeferred.length > 1 ? nid : 0]!;
  }

  /**
   * One shrinker at one priority. Kernel: `do_shrink_slab()`.
   * @returns objects freed, or SHRINK_EMPTY when the cache is empty
   */
  private doShrinkSlab(sc: ShrinkControl, r: RegisteredShrinker, priority: number): number {
    const shrinker = r.shrinker;
    const batchSize = shrinker.batch > 0 ? shrinker.batch : SHRINK_BATCH;
    const freeable = shrinker.countObjects(sc);
    if (freeable === 0 || freeable === SHRINK_EMPTY) return freeable;
    const slot = r.nrDeferred.length > 1 ? sc.nid : 0;
    const nr = r.nrDeferred[slot]!; // xchg_nr_deferred
    r.nrDeferred[slot] = 0;
    let delta: number;
    if (shrinker.seeks !== 0) delta = Math.floor((Math.floor(freeable / 2 ** priority) * 4) / shrinker.seeks);
    else delta = Math.floor(freeable / 2);
    let totalScan = Math.floor(nr / 2 ** priority) + delta;
    totalScan = Math.min(totalScan, 2 * freeable);
    const trace = this.trace;
    if (trace?.on) traceMmShrinkSlabStart(trace, r.id, r.scanSymbol, sc.nid, nr, sc.gfpMask, freeable, delta, totalScan, priority);
    let freed = 0;
    let scanned = 0;
    while (totalScan >= batchSize || totalScan >= freeable) {
      const nrToScan = Math.min(batchSize, totalScan);
      sc.nrToScan = nrToScan;
      sc.nrScanned = nrToScan;
      const ret = shrinker.scanObjects(sc);
      if (ret === SHRINK_STOP) break;
      freed += ret;
      this.vmstat.countVmEvents(SLABS_SCANNED, sc.nrScanned);
      totalScan -= sc.nrScanned;
      scanned += sc.nrScanned;
      if (sc.nrScanned === 0) break; // mmsim: a shrinker that scans nothing cannot loop forever
    }
    let nextDeferred = Math.max(nr + delta - scanned, 0);
    nextDeferred = Math.min(nextDeferred, 2 * freeable);
    r.nrDeferred[slot]! += nextDeferred; // add_nr_deferred
    if (trace?.on) traceMmShrinkSlabEnd(trace, r.id, sc.nid, r.scanSymbol, freed, nr, r.nrDeferred[slot]!, totalScan);
    return freed;
  }

  /**
   * Every shrinker, once, for node `nid` at `priority`. Kernel: `shrink_slab()` (the root memcg).
   * @returns what was freed (a reused object: read it before the next call)
   */
  shrinkSlab(gfpMask: number, nid: number, priority: number): ShrinkSlabResult {
    const res = this.result;
    res.freed = 0;
    res.reclaimedPages = 0;
    const before = this.slabPages(nid);
    const sc = this.sc;
    sc.reclaimedPages = 0;
    sc.isKswapd = this.isKswapd;
    for (let i = 0; i < this.list.length; i++) {
      const r = this.list[i]!;
      sc.gfpMask = gfpMask;
      sc.nid = (r.shrinker.flags & SHRINKER_NUMA_AWARE) !== 0 ? nid : 0;
      const ret = this.doShrinkSlab(sc, r, priority);
      if (ret !== SHRINK_EMPTY) res.freed += ret;
    }
    res.reclaimedPages = Math.max(before - this.slabPages(nid), 0) + sc.reclaimedPages;
    return res;
  }

  /** Slab pages of node `nid` (reclaimable and not). */
  private slabPages(nid: number): number {
    const v = this.vmstat.nodeVmStat;
    const b = nid * NR_VM_NODE_STAT_ITEMS;
    return v[b + NR_SLAB_RECLAIMABLE_B]! + v[b + NR_SLAB_UNRECLAIMABLE_B]!;
  }

  /** Kernel: `drop_slab()` → `drop_slab_node()` on each node. */
  dropSlab(): number {
    let total = 0;
    let shift = 0;
    let freed: number;
    do {
      freed = 0;
      for (let nid = 0; nid < this.nrNodes; nid++) freed += this.shrinkSlab(GFP_KERNEL, nid, 0).freed;
      total += freed;
    } while (Math.floor(freed / 2 ** shift++) > 1 && shift < 64);
    return total;
  }
}
