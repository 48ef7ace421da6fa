// Kernel: include/linux/shrinker.h (struct shrink_control, struct shrinker, SHRINK_STOP, SHRINK_EMPTY, DEFAULT_SEEKS, SHRINKER_NUMA_AWARE), mm/vmscan.c (register_shrinker, unregister_shrinker, drop_slab) (v6.1) — slab shrinkers as their owners register them
/*
 * A cache whose objects can be freed under memory pressure (6.1: the dentry and inode caches of
 * each superblock, the workingset shadow nodes, zsmalloc's pools, THP's deferred split queue, …)
 * registers a shrinker: count_objects says how many objects it could free, scan_objects frees up
 * to nr_to_scan of them. Reclaim calls every registered shrinker from shrink_node (shrink_slab →
 * do_shrink_slab, which turns the LRU priority and the shrinker's `seeks` into a number of
 * objects to scan, in batches, carrying what it could not do over in nr_deferred), and
 * vm.drop_caches=2 calls them at priority 0 until they free almost nothing (drop_slab).
 *
 * The owners (the VFS, in @mmsim/filemap) come before reclaim in the order of mechanisms, so they
 * reach the shrinker list through this interface (token `ShrinkerRegistry`), which @mmsim/reclaim
 * implements (in 6.1 shrinker_list and register_shrinker live in mm/vmscan.c).
 *
 * Simplified: no memcg-aware shrinking (one root memcg; SHRINKER_MEMCG_AWARE is not modelled);
 * SHRINKER_NUMA_AWARE shrinkers get one nr_deferred per node, the others one for node 0.
 */
import { token } from "../di/token.ts";

/** scan_objects could not make progress (a lock not taken, a GFP context it cannot enter). Kernel: `SHRINK_STOP` (~0UL). */
export const SHRINK_STOP = -1;
/** count_objects: the cache is empty (not merely "nothing freeable now"). Kernel: `SHRINK_EMPTY` (~0UL - 1). */
export const SHRINK_EMPTY = -2;
/** Objects that cost about as much to recreate as a page read (a seek). Kernel: `DEFAULT_SEEKS`. */
export const DEFAULT_SEEKS = 2;
/** do_shrink_slab's batch when the shrinker gives none. Kernel: `SHRINK_BATCH`. */
export const SHRINK_BATCH = 128;
/** The shrinker keeps per-node counts (nr_deferred per node). Kernel: `SHRINKER_NUMA_AWARE`. */
export const SHRINKER_NUMA_AWARE = 1 << 2;

/** One call's parameters and what the shrinker reports back. Kernel: `struct shrink_control`. One object per caller, reused. */
export class ShrinkControl {
  /** The allocation context of the reclaim (scan_objects returns SHRINK_STOP without __GFP_FS where it must). */
  gfpMask = 0;
  /** The node being reclaimed (0 for shrinkers that are not NUMA aware). */
  nid = 0;
  /** How many objects to scan; the shrinker's walk counts it down. */
  nrToScan = 0;
  /** How many were scanned: do_shrink_slab sets it to nr_to_scan before the call; a shrinker may lower it. */
  nrScanned = 0;
  /**
   * Pages the shrinker freed outside the slab allocator during this call (prune_icache_sb's
   * inode page-cache steals). Kernel: `current->reclaim_state->reclaimed_slab` (the part a
   * shrinker adds itself; slab pages the allocator frees are measured by shrink_slab).
   */
  reclaimedPages = 0;
  /** current_is_kswapd(): which steal counter (kswapd_inodesteal or pginodesteal) a shrinker counts in. */
  isKswapd = false;
}

/** A cache's shrinker. Kernel: `struct shrinker`. */
export interface Shrinker {
  /** A name for messages and tracepoints (the kernel's `shrinker->name`, e.g. "sb-ext2"). */
  readonly name: string;
  /**
   * How many objects could be freed now (already scaled by the owner, e.g. vfs_cache_pressure).
   * @returns the count, 0, or SHRINK_EMPTY. Kernel: `count_objects`.
   */
  countObjects(sc: ShrinkControl): number;
  /**
   * Frees up to sc.nrToScan objects.
   * @returns the number freed, or SHRINK_STOP. Kernel: `scan_objects`.
   */
  scanObjects(sc: ShrinkControl): number;
  /** Cost of recreating an object relative to a page (DEFAULT_SEEKS); 0: trim aggressively. Kernel: `seeks`. */
  readonly seeks: number;
  /** Objects per scan_objects call (0: SHRINK_BATCH). Kernel: `batch`. */
  readonly batch: number;
  /** SHRINKER_* flags. Kernel: `flags`. */
  readonly flags: number;
}

/** The machine's shrinker list as the owners of caches and drop_caches call it. Implemented by @mmsim/reclaim. */
export interface ShrinkerRegistry {
  /** Adds a shrinker (its nr_deferred starts at 0). Kernel: `register_shrinker()`. */
  registerShrinker(shrinker: Shrinker): void;
  /** Removes a shrinker (a superblock going away). Kernel: `unregister_shrinker()`. */
  unregisterShrinker(shrinker: Shrinker): void;
  /**
   * vm.drop_caches=2: every shrinker of every node at priority 0, again while the pass freed
   * more than 1 << shift objects. Kernel: `drop_slab()`.
   * @returns objects freed
   */
  dropSlab(): number;
}
export const ShrinkerRegistry = token<ShrinkerRegistry>("ShrinkerRegistry");
