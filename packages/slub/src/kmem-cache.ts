// Kernel: include/linux/slub_def.h (struct kmem_cache, struct kmem_cache_cpu), mm/slab.h (struct kmem_cache_node), mm/slub.c calculate_sizes()/calculate_order() (v6.1)
/*
 * SLUB's caches as a struct of arrays indexed by cache id (ids are never reused: slab_common
 * may hold one after a failed destroy), with the per-CPU `kmem_cache_cpu` arrays at
 * `cache * nrCpus + cpu` and the per-node `kmem_cache_node` arrays at `cache * nrNodes + nid`.
 * The arrays grow by doubling as caches are created (caches are few and created at boot or by
 * drivers, never on a hot path). Node list heads (`partial`, `full`) are slots in the slab
 * table's link arrays (struct-slab.ts), so the list.h verbs work on them unchanged.
 *
 * Geometry is computed as 6.1 does, and is pure (the golden test feeds it the reference
 * machine's caches):
 *
 *   calculate_sizes(): size = ALIGN(object_size, 8); +8 red zone word if Z and nothing to
 *   spare; inuse = size; free pointer outside the object (offset = size, size += 8) when the
 *   cache is SLAB_TYPESAFE_BY_RCU, poisoned, has a ctor, or is red-zoned and smaller than a
 *   word, else at ALIGN_DOWN(object_size / 2, 8) inside it; +2 × sizeof(struct track) (+4 for
 *   kmalloc's orig_size) with U; +8 and a left red zone of ALIGN(8, align) with Z; then
 *   ALIGN(size, align).
 *
 *   calculate_order(): min_objects = slub_min_objects or 4 × (fls(nr_cpus) + 1), capped at
 *   what fits in a slab of slub_max_order; try leftover fractions 1/16, 1/8, 1/4 with
 *   calc_slab_order(), then fewer objects, then one object up to slub_max_order, then up to
 *   MAX_ORDER - 1.
 */
import {
  growTypedArray,
  ArgumentError, MAX_ORDER, PAGE_SIZE, describeValue, SLAB_CONSISTENCY_CHECKS, SLAB_KMALLOC, SLAB_POISON, SLAB_RED_ZONE,
  SLAB_STORE_USER, SLAB_TRACE, SLAB_TYPESAFE_BY_RCU,
} from "@mmsim/core";
import type { KmemCacheGeometry, KmemCacheStats } from "@mmsim/core";

/** Kernel: `MAX_OBJS_PER_PAGE` (slab->objects is a u15). */
export const MAX_OBJS_PER_PAGE = 32767;
/** Kernel: `MIN_PARTIAL`: the fewest partial slabs a node keeps even when they are empty. */
export const MIN_PARTIAL = 5;
/** Kernel: `MAX_PARTIAL`. */
export const MAX_PARTIAL = 10;
/** sizeof(void *) on arm64. */
export const SIZEOF_PTR = 8;
/** sizeof(struct track) on arm64 with CONFIG_STACKDEPOT: addr 8, handle 4, cpu 4, pid 4, pad 4, when 8. */
export const SIZEOF_TRACK = 32;
/** Kernel: `SHRINK_PROMOTE_MAX`: __kmem_cache_do_shrink() sorts partial slabs with up to this many free objects. */
export const SHRINK_PROMOTE_MAX = 32;

/** Kernel: `fls()` (1-based; fls(0) = 0). */
export function fls(x: number): number {
  return 32 - Math.clz32(x);
}

/** Kernel: `ilog2()` of a positive integer. */
export function ilog2(x: number): number {
  return 31 - Math.clz32(x);
}

/** Kernel: `get_order()`: the smallest order whose block holds `size` bytes. */
export function getOrder(size: number): number {
  let order = 0;
  while (PAGE_SIZE * 2 ** order < size) order++;
  return order;
}

/** Kernel: `order_objects()`: objects of `size` bytes in a slab of 2^order pages. */
export function orderObjects(order: number, size: number): number {
  return Math.floor((PAGE_SIZE * 2 ** order) / size);
}

/** The parameters calculate_order() reads: slub_min_order, slub_max_order, slub_min_objects, CPUs. */
export interface SlabOrderParams {
  readonly minOrder: number;
  readonly maxOrder: number;
  /** slub_min_objects (0 = derive from the CPUs). */
  readonly minObjects: number;
  /** num_present_cpus(). */
  readonly presentCpus: number;
  /** nr_cpu_ids (used when only one CPU is present). */
  readonly nrCpuIds: number;
}

/** Builds SlabOrderParams (slub_min_order, slub_max_order, slub_min_objects, present CPUs, nr_cpu_ids). */
export function slabOrderParams(minOrder: number, maxOrder: number, minObjects: number, presentCpus: number, nrCpuIds: number): SlabOrderParams {
  return { minOrder, maxOrder, minObjects, presentCpus, nrCpuIds };
}

/** Kernel: `calc_slab_order()`. */
export function calcSlabOrder(size: number, minObjects: number, maxOrder: number, fractLeftover: number, minOrder: number): number {
  if (orderObjects(minOrder, size) > MAX_OBJS_PER_PAGE) return getOrder(size * MAX_OBJS_PER_PAGE) - 1;
  let order = Math.max(minOrder, getOrder(minObjects * size));
  for (; order <= maxOrder; order++) {
    const slabSize = PAGE_SIZE * 2 ** order;
    const rem = slabSize % size;
    if (rem <= slabSize / fractLeftover) break;
  }
  return order;
}

/**
 * The slab order for objects of `size` bytes (metadata included).
 * Kernel: `calculate_order()`.
 * @returns the order, or -1 (the kernel's -ENOSYS) when even one object does not fit below MAX_ORDER
 */
export function calculateOrder(size: number, p: SlabOrderParams): number {
  let minObjects = p.minObjects;
  if (!minObjects) {
    let nrCpus = p.presentCpus;
    if (nrCpus <= 1) nrCpus = p.nrCpuIds;
    minObjects = 4 * (fls(nrCpus) + 1);
  }
  const maxObjects = orderObjects(p.maxOrder, size);
  minObjects = Math.min(minObjects, maxObjects);
  while (minObjects > 1) {
    for (let fraction = 16; fraction >= 4; fraction /= 2) {
      const order = calcSlabOrder(size, minObjects, p.maxOrder, fraction, p.minOrder);
      if (order <= p.maxOrder) return order;
    }
    minObjects--;
  }
  let order = calcSlabOrder(size, 1, p.maxOrder, 1, p.minOrder);
  if (order <= p.maxOrder) return order;
  order = calcSlabOrder(size, 1, MAX_ORDER, 1, p.minOrder);
  if (order < MAX_ORDER) return order;
  return -1;
}

/** A cache's object layout. Kernel: the `struct kmem_cache` fields calculate_sizes() sets. */
export interface SlubLayout {
  /** Flags after calculate_sizes (debug flags from slub_debug included). */
  readonly flags: number;
  /** `__OBJECT_POISON`: objects themselves are poisoned (P, and no RCU, no ctor). */
  readonly objectPoison: boolean;
  readonly objectSize: number;
  /** `size`: bytes per object in the slab. */
  readonly size: number;
  /** `inuse`: object plus right red zone; metadata starts here. */
  readonly inuse: number;
  /** `offset`: where the free pointer lives, from the object's start. */
  readonly offset: number;
  /** `red_left_pad`. */
  readonly redLeftPad: number;
  readonly align: number;
  /** `oo`: order and objects per slab. */
  readonly order: number;
  readonly objects: number;
  /** `min`: the fallback order when the preferred one cannot be had. */
  readonly minOrder: number;
  readonly minObjects: number;
}

/**
 * Lays out a cache's objects and picks its slab order.
 * Kernel: `calculate_sizes()` (CONFIG_SLUB_DEBUG, KASAN off).
 * @returns the layout, or undefined when no order fits (kmem_cache_open fails with -EINVAL)
 */
export function calculateSizes(objectSize: number, align: number, flags: number, hasCtor: boolean, p: SlabOrderParams): SlubLayout | undefined {
  let size = Math.ceil(objectSize / SIZEOF_PTR) * SIZEOF_PTR;
  const objectPoison = (flags & SLAB_POISON) !== 0 && (flags & SLAB_TYPESAFE_BY_RCU) === 0 && !hasCtor;
  if ((flags & SLAB_RED_ZONE) !== 0 && size === objectSize) size += SIZEOF_PTR;
  const inuse = size;
  let offset: number;
  if ((flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)) !== 0 || ((flags & SLAB_RED_ZONE) !== 0 && objectSize < SIZEOF_PTR) || hasCtor) {
    offset = size;
    size += SIZEOF_PTR;
  } else {
    offset = Math.floor(objectSize / 2 / SIZEOF_PTR) * SIZEOF_PTR;
  }
  if ((flags & SLAB_STORE_USER) !== 0) {
    size += 2 * SIZEOF_TRACK;
    if ((flags & SLAB_KMALLOC) !== 0) size += 4;
  }
  let redLeftPad = 0;
  if ((flags & SLAB_RED_ZONE) !== 0) {
    size += SIZEOF_PTR;
    redLeftPad = Math.ceil(SIZEOF_PTR / align) * align;
    size += redLeftPad;
  }
  size = Math.ceil(size / align) * align;
  const order = calculateOrder(size, p);
  if (order < 0) return undefined;
  const objects = orderObjects(order, size);
  if (objects === 0) return undefined;
  const minOrder = getOrder(size);
  return { flags, objectPoison, objectSize, size, inuse, offset, redLeftPad, align, order, objects, minOrder, minObjects: orderObjects(minOrder, size) };
}

/** Kernel: the min_partial computation of `kmem_cache_open()`: ilog2(size) / 2 clamped to [MIN_PARTIAL, MAX_PARTIAL]. */
export function minPartialFor(size: number): number {
  return Math.max(MIN_PARTIAL, Math.min(MAX_PARTIAL, Math.floor(ilog2(size) / 2)));
}

/**
 * Objects kept on a CPU's partial list, and the slab limit derived from it.
 * Kernel: `set_cpu_partial()` + `slub_set_cpu_partial()`.
 */
export function cpuPartialFor(size: number, objects: number, hasCpuPartial: boolean): { cpuPartial: number; cpuPartialSlabs: number } {
  let nr: number;
  if (!hasCpuPartial) nr = 0;
  else if (size >= PAGE_SIZE) nr = 6;
  else if (size >= 1024) nr = 24;
  else if (size >= 256) nr = 52;
  else nr = 120;
  return { cpuPartial: nr, cpuPartialSlabs: Math.ceil((nr * 2) / objects) };
}

/** The `cpu_partial_slabs` of a given `cpu_partial` object count. Kernel: `slub_set_cpu_partial()`. */
export function cpuPartialSlabsFor(nrObjects: number, objects: number): number {
  return Math.ceil((nrObjects * 2) / objects);
}


/**
 * Every cache of one allocator: `struct kmem_cache` fields, `kmem_cache_cpu` per cache × CPU,
 * `kmem_cache_node` per cache × node.
 */
export class SlubCaches {
  readonly nrCpus: number;
  readonly nrNodes: number;
  /** Cache ids handed out (ids are never reused). */
  count = 0;
  /** Allocated slots per array (a power of two). */
  cap = 0;

  /** `name`. */
  readonly name: string[] = [];
  /** `ctor`, or undefined. */
  readonly ctor: (((obj: number) => void) | undefined)[] = [];
  /** `random_seq`: the pre-shuffled object order (indices), or undefined (< 2 objects, or FREELIST_RANDOM off). */
  readonly randomSeq: (Int32Array | undefined)[] = [];
  /** 1 while the cache exists (0 after a successful destroy). */
  alive: Uint8Array = new Uint8Array(0);
  /** `object_size`, `size`, `align`, `inuse`, `offset`, `red_left_pad`, `flags` (bytes; flags as SLAB_*). */
  objectSize: Int32Array = new Int32Array(0);
  size: Int32Array = new Int32Array(0);
  align: Int32Array = new Int32Array(0);
  inuse: Int32Array = new Int32Array(0);
  offset: Int32Array = new Int32Array(0);
  redLeftPad: Int32Array = new Int32Array(0);
  flags: Int32Array = new Int32Array(0);
  /** `oo` (order, objects) and `min` (order, objects). */
  order: Int32Array = new Int32Array(0);
  objects: Int32Array = new Int32Array(0);
  minOrder: Int32Array = new Int32Array(0);
  minObjects: Int32Array = new Int32Array(0);
  /** `min_partial`, `cpu_partial` (objects), `cpu_partial_slabs`. */
  minPartial: Int32Array = new Int32Array(0);
  cpuPartial: Int32Array = new Int32Array(0);
  cpuPartialSlabs: Int32Array = new Int32Array(0);
  /** `allocflags` (__GFP_COMP, GFP_DMA, __GFP_RECLAIMABLE). */
  allocflags: Int32Array = new Int32Array(0);
  /** `remote_node_defrag_ratio` (1000 = sysfs 100). */
  remoteNodeDefragRatio: Int32Array = new Int32Array(0);
  /** 1 = `kmem_cache_debug(s)`: any SLAB_DEBUG_FLAGS; such a cache never uses CPU slabs and keeps real bytes. */
  debug: Uint8Array = new Uint8Array(0);
  /** 1 = `__OBJECT_POISON`. */
  objectPoison: Uint8Array = new Uint8Array(0);
  /** 1 = `kmem_cache_has_cpu_partial(s)`. */
  hasCpuPartial: Uint8Array = new Uint8Array(0);
  /** `random` (CONFIG_SLAB_FREELIST_HARDENED), high and low 32 bits. */
  randomHi: Uint32Array = new Uint32Array(0);
  randomLo: Uint32Array = new Uint32Array(0);
  /** Pages held in slabs of the cache (what NR_SLAB_*_B was charged). */
  pages: Float64Array = new Float64Array(0);
  /** mmsim: frees that the simulated kernel could not even mis-perform (a misaligned pointer freed without slub_debug). */
  droppedFrees: Int32Array = new Int32Array(0);

  /** kmem_cache_cpu `freelist` (object address; 0 = NULL; < 0 = a wild pointer, see SlubAllocator.wild). */
  cpuFreelist: Float64Array = new Float64Array(0);
  /** kmem_cache_cpu `slab` (slab id; -1 = NULL). */
  cpuSlab: Int32Array = new Int32Array(0);
  /** kmem_cache_cpu `partial` (first slab id of the CPU partial chain; -1 = NULL). */
  cpuPartialHead: Int32Array = new Int32Array(0);
  /** kmem_cache_cpu `tid`. */
  cpuTid: Float64Array = new Float64Array(0);

  /** kmem_cache_node `partial` list head (slot in the slab link arrays). */
  nodePartial: Int32Array = new Int32Array(0);
  /** kmem_cache_node `full` list head (used only with SLAB_STORE_USER). */
  nodeFull: Int32Array = new Int32Array(0);
  /** kmem_cache_node `nr_partial`. */
  nrPartial: Int32Array = new Int32Array(0);
  /** kmem_cache_node `nr_slabs`. */
  nrSlabs: Int32Array = new Int32Array(0);
  /** kmem_cache_node `total_objects`. */
  totalObjects: Float64Array = new Float64Array(0);

  constructor(nrCpus: number, nrNodes: number) {
    this.nrCpus = nrCpus;
    this.nrNodes = nrNodes;
  }

  /** Takes the next cache id, growing every array when needed. */
  allocId(): number {
    if (this.count === this.cap) this.grow(Math.max(8, this.cap * 2));
    return this.count++;
  }

  private grow(n: number): void {
    const c = this.nrCpus;
    const nn = this.nrNodes;
    this.alive = growTypedArray(this.alive, n);
    this.objectSize = growTypedArray(this.objectSize, n, 0);
    this.size = growTypedArray(this.size, n, 0);
    this.align = growTypedArray(this.align, n, 0);
    this.inuse = growTypedArray(this.inuse, n, 0);
    this.offset = growTypedArray(this.offset, n, 0);
    this.redLeftPad = growTypedArray(this.redLeftPad, n, 0);
    this.flags = growTypedArray(this.flags, n, 0);
    this.order = growTypedArray(this.order, n, 0);
    this.objects = growTypedArray(this.objects, n, 0);
    this.minOrder = growTypedArray(this.minOrder, n, 0);
    this.minObjects = growTypedArray(this.minObjects, n, 0);
    this.minPartial = growTypedArray(this.minPartial, n, 0);
    this.cpuPartial = growTypedArray(this.cpuPartial, n, 0);
    this.cpuPartialSlabs = growTypedArray(this.cpuPartialSlabs, n, 0);
    this.allocflags = growTypedArray(this.allocflags, n, 0);
    this.remoteNodeDefragRatio = growTypedArray(this.remoteNodeDefragRatio, n, 0);
    this.debug = growTypedArray(this.debug, n);
    this.objectPoison = growTypedArray(this.objectPoison, n);
    this.hasCpuPartial = growTypedArray(this.hasCpuPartial, n);
    this.randomHi = growTypedArray(this.randomHi, n);
    this.randomLo = growTypedArray(this.randomLo, n);
    this.pages = growTypedArray(this.pages, n);
    this.droppedFrees = growTypedArray(this.droppedFrees, n, 0);
    this.cpuFreelist = growTypedArray(this.cpuFreelist, n * c);
    this.cpuSlab = growTypedArray(this.cpuSlab, n * c, -1);
    this.cpuPartialHead = growTypedArray(this.cpuPartialHead, n * c, -1);
    this.cpuTid = growTypedArray(this.cpuTid, n * c);
    this.nodePartial = growTypedArray(this.nodePartial, n * nn, -1);
    this.nodeFull = growTypedArray(this.nodeFull, n * nn, -1);
    this.nrPartial = growTypedArray(this.nrPartial, n * nn, 0);
    this.nrSlabs = growTypedArray(this.nrSlabs, n * nn, 0);
    this.totalObjects = growTypedArray(this.totalObjects, n * nn);
    this.cap = n;
  }

  /** True when `id` names a live cache. */
  isLive(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.count && this.alive[id] === 1;
  }

  /**
   * Checks a cache id at an API edge.
   * @throws ArgumentError for an id that names no live cache (a caller bug, not a simulated failure)
   */
  check(fn: string, id: number): void {
    if (!this.isLive(id)) throw new ArgumentError(`slub.${fn}`, "cacheId", `a live cache id (0..${this.count - 1})`, describeValue(id));
  }
}

/** The geometry of a cache. Kernel: the `struct kmem_cache` fields sysfs shows. */
export function cacheGeometry(c: SlubCaches, id: number): KmemCacheGeometry {
  return { objectSize: c.objectSize[id]!, size: c.size[id]!, align: c.align[id]!, objsPerSlab: c.objects[id]!, order: c.order[id]!, flags: c.flags[id]! };
}

/** Slabinfo counters. Kernel: `get_slabinfo()` in mm/slub.c: objects in CPU slabs count as active. */
export function cacheStats(c: SlubCaches, id: number, nrFreePartial: number): KmemCacheStats {
  let nrSlabs = 0;
  let nrObjs = 0;
  let nrPartial = 0;
  for (let n = 0; n < c.nrNodes; n++) {
    nrSlabs += c.nrSlabs[id * c.nrNodes + n]!;
    nrObjs += c.totalObjects[id * c.nrNodes + n]!;
    nrPartial += c.nrPartial[id * c.nrNodes + n]!;
  }
  return {
    activeObjs: nrObjs - nrFreePartial, numObjs: nrObjs, activeSlabs: nrSlabs, numSlabs: nrSlabs, partialSlabs: nrPartial,
    limit: 0, batchcount: 0, sharedfactor: 0, sharedAvail: 0,
  };
}

/** Whether a cache is a debug cache. Kernel: `kmem_cache_debug()` (SLAB_DEBUG_FLAGS). */
export function isDebugFlags(flags: number): boolean {
  return (flags & (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_CONSISTENCY_CHECKS | SLAB_TRACE)) !== 0;
}
