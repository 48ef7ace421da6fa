// Kernel: include/linux/slab.h (kmem_cache_* API), mm/slab.h (struct kmem_cache's common view) — implemented by mm/slab.c and mm/slub.c
/*
 * The object-cache slot: SLAB (@mmsim/slab) and SLUB (@mmsim/slub) implement it; a scenario
 * chooses with `kernel.policies.slab: slab | slub | <module path>`. What both share — kmalloc
 * size classes and caches, kmem_cache_create's argument checks, cache merging and aliases,
 * /proc/slabinfo — is written once, in core's slab-common.ts, on top of this interface, as
 * mm/slab_common.c sits on top of __kmem_cache_create()/__kmem_cache_alloc_node().
 *
 * Objects are named by their physical address (a JS number): the kernel's pointer is the linear
 * map's `__va(phys)`, a bijection, so the simulator keeps the physical address on hot paths and
 * prints the virtual one at the edges. 0 is NULL (no slab page is ever at physical address 0).
 */
import { token } from "../di/token.ts";
import type { ValidationSink } from "../validation.ts";

/** "No object": what a failed allocation returns (the kernel's NULL). */
export const NIL_OBJECT = 0;

/** Kernel: SLAB_* cache flags (include/linux/slab.h, 6.1 values). */
export const SLAB_CONSISTENCY_CHECKS = 0x00000100;
export const SLAB_RED_ZONE = 0x00000400;
export const SLAB_POISON = 0x00000800;
export const SLAB_KMALLOC = 0x00001000;
export const SLAB_HWCACHE_ALIGN = 0x00002000;
export const SLAB_CACHE_DMA = 0x00004000;
export const SLAB_CACHE_DMA32 = 0x00008000;
export const SLAB_STORE_USER = 0x00010000;
export const SLAB_PANIC = 0x00040000;
export const SLAB_TYPESAFE_BY_RCU = 0x00080000;
export const SLAB_MEM_SPREAD = 0x00100000;
export const SLAB_TRACE = 0x00200000;
export const SLAB_DEBUG_OBJECTS = 0x00400000;
export const SLAB_NOLEAKTRACE = 0x00800000;
export const SLAB_FAILSLAB = 0x02000000;
export const SLAB_ACCOUNT = 0x04000000;
export const SLAB_KASAN = 0;
export const SLAB_NO_USER_FLAGS = 0x10000000;
export const SLAB_RECLAIM_ACCOUNT = 0x00020000;
export const SLAB_TEMPORARY = SLAB_RECLAIM_ACCOUNT;

/** What /proc/slabinfo and /sys/kernel/slab show of one cache, read from the allocator. */
export interface KmemCacheStats {
  /** Objects allocated (active_objs). */
  readonly activeObjs: number;
  /** Objects in all slabs, free or not (num_objs). */
  readonly numObjs: number;
  /** Slabs with at least one object allocated (active_slabs; SLUB reports num_slabs here). */
  readonly activeSlabs: number;
  /** All slabs (num_slabs). */
  readonly numSlabs: number;
  /** Slabs on the node partial lists (sysfs `partial`). */
  readonly partialSlabs: number;
  /** SLAB's tunables (limit, batchcount, sharedfactor) and shared array avail; 0 under SLUB. */
  readonly limit: number;
  readonly batchcount: number;
  readonly sharedfactor: number;
  readonly sharedAvail: number;
}

/** A cache's geometry as the allocator computed it at creation. Kernel: struct kmem_cache fields. */
export interface KmemCacheGeometry {
  /** The size the user asked for (`object_size`). */
  readonly objectSize: number;
  /** Bytes per object in the slab, metadata and alignment included (`size`). */
  readonly size: number;
  /** Alignment used (`align`). */
  readonly align: number;
  /** Objects per slab. */
  readonly objsPerSlab: number;
  /** Slab order: a slab is 2^order pages. */
  readonly order: number;
  /** Flags in effect (after the allocator added its own). */
  readonly flags: number;
}

/** The allocator-specific half of a slab allocator. Implemented by SLAB and SLUB. */
export interface KmemCacheAllocator {
  /** Short name: "slab", "slub", or a user's policy name. */
  readonly name: string;
  /**
   * Creates the allocator's side of a new cache (slab_common has checked the arguments and
   * decided not to merge it). Kernel: `__kmem_cache_create()`.
   * @param ctor a constructor run on each object when its slab is allocated (kernel semantics)
   * @returns a cache id ≥ 0, or a negative errno (-ENOMEM, -EINVAL) as the kernel returns it
   */
  kmemCacheCreate(name: string, size: number, align: number, flags: number, ctor?: (obj: number) => void): number;
  /**
   * Allocates one object. Kernel: `kmem_cache_alloc()` / `__kmem_cache_alloc_node()`.
   * @param cpu the CPU the caller runs on (per-CPU caches); @param nid node or -1
   * @returns the object's address, or NIL_OBJECT when no page could be had
   */
  kmemCacheAlloc(cacheId: number, gfp: number, cpu: number, nid?: number): number;
  /** Frees an object. Kernel: `kmem_cache_free()`. With debugging on, bad frees are reported, not performed. */
  kmemCacheFree(cacheId: number, obj: number, cpu: number): void;
  /** Gives empty slabs back to the page allocator. Kernel: `__kmem_cache_shrink()`. @returns 0, or 1 if objects remain */
  kmemCacheShrink(cacheId: number): number;
  /**
   * Destroys a cache; with objects still allocated the kernel complains and keeps it.
   * Kernel: `__kmem_cache_shutdown()` + `__kmem_cache_release()`. @returns 0 or -EBUSY
   */
  kmemCacheDestroy(cacheId: number): number;
  /** The cache an object belongs to, from its page (`virt_to_cache()`), or -1 if it is in no slab. */
  objectCache(obj: number): number;
  /** The cache's geometry (object size, slab size, order, objects per slab). */
  geometry(cacheId: number): KmemCacheGeometry;
  /** Counters for slabinfo and sysfs. Kernel: `get_slabinfo()` / `slabinfo_show_stats()`. */
  stats(cacheId: number): KmemCacheStats;
  /** Pages the allocator holds in slabs of this cache. */
  slabPages(cacheId: number): number;
  /** Checks every slab of every cache. Kernel: `validate_slab_cache()` / `check_slab()`. */
  validate(sink: ValidationSink): void;
  /**
   * Writes `len` bytes of `value` at `obj + offset` as a buggy driver would (an overrun past the
   * object, a write after free), into the object memory the allocator simulates (SLUB: every
   * byte of a slub_debug cache, the free pointers of others). An allocator without it simulates
   * no object bytes.
   */
  debugWrite?(obj: number, offset: number, len: number, value: number): void;
  /** Boot-time messages and setup after the kmalloc caches exist. Kernel: `kmem_cache_init()` (SLUB: `SLUB: HWalign=…`). */
  kmemCacheInit?(): void;
  /**
   * The flags a cache of this name gets from the allocator's boot options (SLUB: slub_debug);
   * slab_common asks before merging, as find_mergeable() does. Kernel: `kmem_cache_flags()`
   * (SLAB's returns the flags unchanged; so does an allocator without this method).
   */
  kmemCacheFlags?(objectSize: number, flags: number, name: string): number;
  /**
   * One /sys/kernel/slab/<cache>/<attr> file, if the allocator has sysfs (SLUB).
   * Kernel: `slab_attr_show()`. @param aliases caches merged into this one (slab_common knows them)
   * @returns the text, or undefined for an unknown attribute
   */
  sysfsShow?(cacheId: number, attr: string, aliases: number, usersize: number): string | undefined;
  /** The sysfs attribute names, if the allocator has sysfs. */
  sysfsAttributes?(): readonly string[];
  /** Periodic per-CPU cleanup, if the allocator has one. Kernel: SLAB's `cache_reap()` (every 2 s per CPU). */
  cacheReap?(cpu: number): void;
  /**
   * A write to /proc/slabinfo (`name limit batchcount shared`), if the allocator is tunable.
   * Kernel: SLAB's `slabinfo_write()`. @returns bytes consumed, or a negative errno
   */
  slabinfoWrite?(text: string): number;
}
export const KmemCacheAllocator = token<KmemCacheAllocator>("KmemCacheAllocator");

/** Machine shape that per-CPU and per-node structures are sized from. */
export interface Topology {
  readonly nrCpus: number;
  readonly nrNodes: number;
  /** Node of each CPU. */
  readonly cpuToNode: readonly number[];
}
export const TOPOLOGY = token<Topology>("Topology");
