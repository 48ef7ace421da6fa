// Kernel: mm/slub.c (v6.1)
/*
 * SLUB: SlubAllocator implements core's KmemCacheAllocator slot. The allocation and free paths
 * are free functions over the allocator's arrays in slub-alloc.ts and slab-freelist.ts (the hot
 * files, STYLE C8); reports and everything printed live in slub-debug.ts, sysfs in
 * slub-sysfs.ts, the self-check in slub-validate.ts.
 *
 * Simulated, as 6.1 does it:
 *   - per CPU (kmem_cache_cpu): the CPU slab, its lockless freelist and tid, and the CPU partial
 *     chain (slab->next, slab->slabs) bounded by cpu_partial_slabs (set_cpu_partial);
 *   - per node (kmem_cache_node): the partial list with nr_partial, min_partial
 *     (ilog2(size) / 2 in [5, 10]), nr_slabs, total_objects, and the full list for
 *     SLAB_STORE_USER;
 *   - slab_alloc_node (fast path), ___slab_alloc (CPU freelist, get_freelist, CPU partial,
 *     get_partial_node / get_any_partial, new_slab with the oo → min fallback, shuffle_freelist
 *     with the cache's random_seq), deactivate_slab, put_cpu_partial / __unfreeze_partials,
 *     do_slab_free (fast) and __slab_free (freeze onto the CPU partial list, node list moves,
 *     discard of an empty slab above min_partial), flush_all, __kmem_cache_do_shrink,
 *     __kmem_cache_shutdown;
 *   - debug caches (slub_debug): alloc_single_from_partial / _new_slab and
 *     free_debug_processing, never a CPU slab (slub-debug.ts);
 *   - frozen slabs: a slab owned by a CPU (its CPU slab or on its partial chain) is frozen and
 *     on no node list; other CPUs' frees only push onto slab->freelist.
 * Simplified:
 *   - no cmpxchg_double and no preemption: one simulated CPU runs at a time, so every
 *     cmpxchg succeeds the first time; locks (list_lock, the local lock) are cost-model charges
 *     (slabSlowPath), the fast paths charge slabAllocFast / slabFreeFast;
 *   - no memcg accounting (SLAB_ACCOUNT is a flag only), no KASAN/KFENCE/kmemleak hooks, no
 *     pfmemalloc slabs, SLAB_TYPESAFE_BY_RCU slabs are freed at once (no grace period);
 *   - NR_SLAB_*_B are charged in pages (core's PageAllocator.modNodePageState unit).
 * Invariants (validate(), slub-validate.ts):
 *   - every object of a slab is exactly one of: on slab->freelist, on its CPU's lockless
 *     freelist (CPU slab only), or allocated; no freelist repeats an object or leaves the slab;
 *   - inuse == objects - length(slab->freelist), for every slab;
 *   - a frozen slab is on no node list and is owned by exactly one CPU (its slab or partial
 *     chain); an unfrozen slab is owned by no CPU;
 *   - a slab on a partial list has free objects (inuse < objects), on a full list none;
 *   - nr_partial equals the partial list's length; nr_slabs and total_objects equal the slabs
 *     of the cache on the node; each CPU partial slab's `slabs` counts the chain from it;
 *   - every page of a slab is PageSlab and links to it; NR_SLAB_*_B equal the pages held;
 *   - debug caches: red zones, poison and padding bytes match each object's state (free or
 *     allocated), as check_object() would find them.
 */
import { inject, injectable } from "tsyringe";
import {
  COST_MODEL, CostModel, EINVAL, GFP_DMA, GFP_DMA32, KERNEL_LOG, KernelLog, KmemCacheAllocator, MEM_MAP, MemMap,
  PAGE_SIZE, PageAllocator, RNG, SIM_CLOCK, SimClock, SLAB_CACHE_DMA, SLAB_CACHE_DMA32, SLAB_POISON,
  SLAB_RECLAIM_ACCOUNT, SLAB_TYPESAFE_BY_RCU, TOPOLOGY, __GFP_COMP, __GFP_RECLAIMABLE,
} from "@mmsim/core";
import type { KmemCacheGeometry, KmemCacheStats, Rng, Topology, ValidationSink } from "@mmsim/core";
import {
  cacheGeometry, cacheStats, calculateSizes, cpuPartialFor, getOrder, isDebugFlags, minPartialFor, SHRINK_PROMOTE_MAX,
  slabOrderParams, SlubCaches,
} from "./kmem-cache.ts";
import type { SlabOrderParams } from "./kmem-cache.ts";
import { objToSlab } from "./slab-freelist.ts";
import {
  countPartialFree, flushAll, kmemCacheDoShrink, kmemCacheFreeObj, kmemCacheShutdown, NO_NODE, slabAllocNode,
} from "./slub-alloc.ts";
import { debugRead, debugWrite, kmemCacheInitMessages, makeRandomSeq, setContext, validateSlabCache } from "./slub-debug.ts";
import { SLUB_SYSFS_ATTRS, sysfsShow } from "./slub-sysfs.ts";
import type { SlubContext } from "./slub-debug.ts";
import { DEBUG_METADATA_FLAGS, kmemCacheFlags, parseSlubDebug, resolveSlubOptions, SLUB_OPTIONS } from "./slub-options.ts";
import type { ResolvedSlubOptions, SlubDebugSetting, SlubOptions } from "./slub-options.ts";
import { NIL_SLAB, SlubSlabTable } from "./struct-slab.ts";
import { validateSlub } from "./slub-validate.ts";

/**
 * The SLUB allocator of one simulated machine.
 * Kernel: mm/slub.c (`__kmem_cache_create`, `kmem_cache_alloc`, `kmem_cache_free`, …).
 */
@injectable()
export class SlubAllocator implements KmemCacheAllocator {
  readonly name = "slub";
  readonly pages: PageAllocator;
  readonly mem: MemMap;
  readonly clock: SimClock;
  readonly log: KernelLog;
  readonly rng: Rng;
  readonly opts: ResolvedSlubOptions;
  /** slub_debug as parsed at boot. */
  readonly debugSetting: SlubDebugSetting;
  readonly nrCpus: number;
  readonly nrNodes: number;
  /** `cpu_to_node()`. */
  readonly cpuToNode: Int32Array;
  readonly caches: SlubCaches;
  readonly slabs: SlubSlabTable;
  readonly orderParams: SlabOrderParams;
  /** CONFIG_SLAB_FREELIST_HARDENED. */
  readonly hardened: boolean;
  /** Costs charged (ns). */
  readonly costAllocFast: number;
  readonly costFreeFast: number;
  readonly costSlow: number;
  /** 1 when allocating an object zeroes its free-pointer word (init_on_alloc, pointer inside the object). */
  zeroFpOnAlloc: Uint8Array = new Uint8Array(0);
  /** 1 when the free pointer is inside the object (offset < inuse): __GFP_ZERO clears it. */
  fpInside: Uint8Array = new Uint8Array(0);
  /** slab_out_of_memory()'s ratelimit state: window start (ns, -1 = none) and lines printed in it. */
  oomRatelimitBegin = -1;
  oomRatelimitPrinted = 0;
  /** The CPU the current operation runs on (page frees go to its pcp lists). */
  curCpu = 0;
  /** get_partial()'s `pc->slab`: the slab the returned freelist came from. */
  pcSlab = NIL_SLAB;
  /** Wild pointer values (64-bit, no RAM behind them); pointer -(i + 1) stands for wild[i]. */
  readonly wild: bigint[] = [];
  readonly wildIds = new Map<bigint, number>();
  /** Kernel state that reports print: taint mask, die counter, debug_locks, once-keys. */
  tainted = 0;
  dieCounter = 0;
  debugLocks = true;
  readonly onceKeys = new Set<string>();
  /** Current task for reports and tracking (setContext()). */
  ctxPid = -1;
  ctxComm: string | undefined = undefined;
  ctxCaller: string | undefined = undefined;
  /** Caller symbols stored in struct track's `addr` (id 0 = none). */
  readonly callers: string[] = [""];
  readonly callerIds = new Map<string, number>();
  /** Call-trace frame lists that reports print, by (frames, head): slub-debug.ts's withFrame() builds each once. */
  readonly frameCache = new WeakMap<readonly string[], Map<string, readonly string[]>>();
  /** siphash key stand-in for hashed %p (drawn from the RNG on first use). */
  ptrKey: bigint | undefined = undefined;
  /** `no_hash_pointers`: on when slub_debug is enabled (kmem_cache_init). */
  readonly noHashPointers: boolean;
  /** arm64 memstart_addr (PHYS_OFFSET). */
  readonly memstart: number;
  /** Scratch list heads for shrink: SHRINK_PROMOTE_MAX promote lists and one discard list. */
  readonly scratchHeads: Int32Array;

  constructor(
    @inject(PageAllocator) pages: PageAllocator,
    @inject(MEM_MAP) mem: MemMap,
    @inject(TOPOLOGY) topology: Topology,
    @inject(SIM_CLOCK) clock: SimClock,
    @inject(COST_MODEL) costs: CostModel,
    @inject(KERNEL_LOG) log: KernelLog,
    @inject(RNG) rng: Rng,
    @inject(SLUB_OPTIONS) options: SlubOptions,
  ) {
    this.pages = pages;
    this.mem = mem;
    this.clock = clock;
    this.log = log;
    this.rng = rng;
    this.opts = resolveSlubOptions(options);
    this.debugSetting = this.opts.slubDebugSetting ?? parseSlubDebug(this.opts.slubDebug);
    this.nrCpus = topology.nrCpus;
    this.nrNodes = topology.nrNodes;
    this.cpuToNode = new Int32Array(topology.nrCpus);
    for (let i = 0; i < topology.nrCpus; i++) this.cpuToNode[i] = topology.cpuToNode[i] ?? 0;
    this.caches = new SlubCaches(this.nrCpus, this.nrNodes);
    this.slabs = new SlubSlabTable();
    const present = this.opts.presentCpus === undefined ? this.nrCpus : this.opts.presentCpus;
    this.orderParams = slabOrderParams(this.opts.slubMinOrder, this.opts.slubMaxOrder, this.opts.slubMinObjects, present, this.nrCpus);
    this.hardened = this.opts.freelistHardened;
    this.costAllocFast = costs.slabAllocFast;
    this.costFreeFast = costs.slabFreeFast;
    this.costSlow = costs.slabSlowPath;
    this.noHashPointers = this.debugSetting.enabled;
    this.memstart = this.opts.memstartAddr === undefined ? Math.floor((mem.basePfn * PAGE_SIZE) / 0x40000000) * 0x40000000 : this.opts.memstartAddr;
    this.scratchHeads = new Int32Array(SHRINK_PROMOTE_MAX + 1);
    for (let i = 0; i <= SHRINK_PROMOTE_MAX; i++) this.scratchHeads[i] = this.slabs.allocHead();
  }

  /**
   * Creates SLUB's side of a cache. Kernel: `__kmem_cache_create()` → `kmem_cache_open()`:
   * kmem_cache_flags (slub_debug), s->random, calculate_sizes, min_partial, set_cpu_partial,
   * init_cache_random_seq, the kmem_cache_node and kmem_cache_cpu structures.
   * @returns the cache id, or -EINVAL when no slab order fits the object
   */
  kmemCacheCreate(name: string, size: number, align: number, flags: number, ctor?: (obj: number) => void): number {
    return kmemCacheOpen(this, name, size, align, flags, ctor);
  }

  /** Kernel: `kmem_cache_alloc_node()` → `slab_alloc_node()`. @returns the object, or NIL_OBJECT */
  kmemCacheAlloc(cacheId: number, gfp: number, cpu: number, nid = NO_NODE): number {
    return slabAllocNode(this, cacheId, gfp, cpu, nid);
  }

  /** Kernel: `kmem_cache_free()`: cache_from_obj(), then do_slab_free() / __slab_free(). */
  kmemCacheFree(cacheId: number, obj: number, cpu: number): void {
    kmemCacheFreeObj(this, cacheId, obj, cpu);
  }

  /** Kernel: `__kmem_cache_shrink()`. @returns 0, or 1 when slabs remain */
  kmemCacheShrink(cacheId: number): number {
    this.caches.check("kmemCacheShrink", cacheId);
    flushAll(this, cacheId);
    return kmemCacheDoShrink(this, cacheId);
  }

  /** Kernel: `__kmem_cache_shutdown()` + `__kmem_cache_release()`. @returns 0, or -EBUSY while objects remain */
  kmemCacheDestroy(cacheId: number): number {
    this.caches.check("kmemCacheDestroy", cacheId);
    return kmemCacheShutdown(this, cacheId);
  }

  /** The flags slub_debug gives a cache of this name. Kernel: `kmem_cache_flags()`. */
  kmemCacheFlags(_objectSize: number, flags: number, name: string): number {
    return kmemCacheFlags(this.debugSetting, flags, name);
  }

  /** Kernel: `virt_to_cache()`. @returns the cache id, or -1 when the address is in no slab */
  objectCache(obj: number): number {
    const slab = objToSlab(this, obj);
    return slab === NIL_SLAB ? -1 : this.slabs.cache[slab]!;
  }

  geometry(cacheId: number): KmemCacheGeometry {
    this.caches.check("geometry", cacheId);
    return cacheGeometry(this.caches, cacheId);
  }

  stats(cacheId: number): KmemCacheStats {
    this.caches.check("stats", cacheId);
    return cacheStats(this.caches, cacheId, countPartialFree(this, cacheId));
  }

  slabPages(cacheId: number): number {
    this.caches.check("slabPages", cacheId);
    return this.caches.pages[cacheId]!;
  }

  validate(sink: ValidationSink): void {
    validateSlub(this, sink);
  }

  /**
   * Flushes every CPU's slab and partial chain of a cache back to the node lists.
   * Kernel: `flush_all()`.
   */
  flushAll(cacheId: number): void {
    this.caches.check("flushAll", cacheId);
    flushAll(this, cacheId);
  }

  /** One /sys/kernel/slab/<cache>/<attr> file. Kernel: `slab_attr_show()`. */
  sysfsShow(cacheId: number, attr: string, aliases = 0, usersize = 0): string | undefined {
    return sysfsShow(this, cacheId, attr, aliases, usersize);
  }

  /** The attributes /sys/kernel/slab/<cache>/ has. */
  sysfsAttributes(): readonly string[] {
    return SLUB_SYSFS_ATTRS;
  }

  /** Logs kmem_cache_init()'s lines (`SLUB: HWalign=64, Order=0-3, …`). Kernel: `kmem_cache_init()`. */
  kmemCacheInit(): void {
    kmemCacheInitMessages(this);
  }

  /** Sets the task and caller that reports and struct track record (see SlubContext). */
  setContext(ctx: SlubContext): void {
    setContext(this, ctx);
  }

  /**
   * Corrupts simulated memory as a buggy driver would: `len` bytes of `value` at `obj + offset`
   * (offset may be negative or past the object). See slub-debug.ts for what is modelled.
   */
  debugWrite(obj: number, offset: number, len: number, value: number): void {
    debugWrite(this, obj, offset, len, value);
  }

  /** The simulated bytes of a debug cache at `obj + offset`, or undefined for a cache without slub_debug. */
  debugRead(obj: number, offset: number, len: number): Uint8Array | undefined {
    return debugRead(this, obj, offset, len);
  }

  /**
   * Checks every slab of a debug cache, reporting in the kernel's format.
   * Kernel: writing 1 to /sys/kernel/slab/<cache>/validate (`validate_slab_cache()`).
   * @returns the slabs checked, or -EINVAL for a cache without slub_debug (as the sysfs store does)
   */
  validateSlabCache(cacheId: number): number {
    this.caches.check("validateSlabCache", cacheId);
    if (this.caches.debug[cacheId] !== 1) return -EINVAL;
    flushAll(this, cacheId);
    return validateSlabCache(this, cacheId);
  }
}

/** Grows the allocator's own per-cache arrays with the cache table. */
function growPerCache(sa: SlubAllocator): void {
  const n = sa.caches.cap;
  if (sa.zeroFpOnAlloc.length >= n) return;
  const z = new Uint8Array(n);
  z.set(sa.zeroFpOnAlloc);
  sa.zeroFpOnAlloc = z;
  const f = new Uint8Array(n);
  f.set(sa.fpInside);
  sa.fpInside = f;
}

/**
 * Kernel: `kmem_cache_open()`.
 * @returns the new cache id or -EINVAL
 */
export function kmemCacheOpen(sa: SlubAllocator, name: string, size: number, alignIn: number, flags: number, ctor: ((obj: number) => void) | undefined): number {
  // slab_common has checked the arguments and computed the alignment (calculate_alignment(),
  // at least ARCH_SLAB_MINALIGN = 8); a direct caller gets the same minimum, and -EINVAL for
  // what kmem_cache_create() would refuse.
  if (typeof name !== "string" || name === "" || !Number.isInteger(size) || size < 1 || !Number.isInteger(alignIn) || alignIn < 0) return -EINVAL;
  const align = Math.max(8, Math.ceil(alignIn / 8) * 8);
  if ((align & (align - 1)) !== 0 || !Number.isInteger(flags)) return -EINVAL;
  let f = kmemCacheFlags(sa.debugSetting, flags, name);
  let randomHi = 0;
  let randomLo = 0;
  if (sa.hardened) {
    randomHi = sa.rng.nextU32();
    randomLo = sa.rng.nextU32();
  }
  const hasCtor = ctor !== undefined;
  let layout = calculateSizes(size, align, f, hasCtor, sa.orderParams);
  if (layout === undefined) return -EINVAL;
  if (sa.debugSetting.disableHigherOrderDebug && getOrder(layout.size) > getOrder(size)) {
    f &= ~DEBUG_METADATA_FLAGS;
    layout = calculateSizes(size, align, f, hasCtor, sa.orderParams);
    if (layout === undefined) return -EINVAL;
  }
  const c = sa.caches;
  const id = c.allocId();
  growPerCache(sa);
  c.name[id] = name;
  c.ctor[id] = ctor;
  c.objectSize[id] = size;
  c.size[id] = layout.size;
  c.align[id] = align;
  c.inuse[id] = layout.inuse;
  c.offset[id] = layout.offset;
  c.redLeftPad[id] = layout.redLeftPad;
  c.flags[id] = f;
  c.order[id] = layout.order;
  c.objects[id] = layout.objects;
  c.minOrder[id] = layout.minOrder;
  c.minObjects[id] = layout.minObjects;
  let af = 0;
  if (layout.order > 0) af |= __GFP_COMP;
  if ((f & SLAB_CACHE_DMA) !== 0) af |= GFP_DMA;
  if ((f & SLAB_CACHE_DMA32) !== 0) af |= GFP_DMA32;
  if ((f & SLAB_RECLAIM_ACCOUNT) !== 0) af |= __GFP_RECLAIMABLE;
  c.allocflags[id] = af;
  const debug = isDebugFlags(f);
  c.debug[id] = debug ? 1 : 0;
  c.objectPoison[id] = layout.objectPoison ? 1 : 0;
  const hasCpuPartial = sa.opts.cpuPartial && !debug;
  c.hasCpuPartial[id] = hasCpuPartial ? 1 : 0;
  c.minPartial[id] = minPartialFor(layout.size);
  const cp = cpuPartialFor(layout.size, layout.objects, hasCpuPartial);
  c.cpuPartial[id] = cp.cpuPartial;
  c.cpuPartialSlabs[id] = cp.cpuPartialSlabs;
  c.remoteNodeDefragRatio[id] = 1000;
  c.randomHi[id] = randomHi;
  c.randomLo[id] = randomLo;
  c.pages[id] = 0;
  c.droppedFrees[id] = 0;
  c.randomSeq[id] = sa.opts.freelistRandom ? makeRandomSeq(sa, layout.objects) : undefined;
  const inside = layout.offset < layout.inuse;
  sa.fpInside[id] = inside ? 1 : 0;
  sa.zeroFpOnAlloc[id] = inside && sa.opts.initOnAlloc && !hasCtor && (f & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)) === 0 ? 1 : 0;
  for (let n = 0; n < sa.nrNodes; n++) {
    const k = id * sa.nrNodes + n;
    c.nodePartial[k] = sa.slabs.allocHead();
    c.nodeFull[k] = sa.slabs.allocHead();
    c.nrPartial[k] = 0;
    c.nrSlabs[k] = 0;
    c.totalObjects[k] = 0;
  }
  for (let cpu = 0; cpu < sa.nrCpus; cpu++) {
    const k = id * sa.nrCpus + cpu;
    c.cpuFreelist[k] = 0;
    c.cpuSlab[k] = NIL_SLAB;
    c.cpuPartialHead[k] = NIL_SLAB;
    c.cpuTid[k] = cpu;
  }
  c.alive[id] = 1;
  return id;
}

