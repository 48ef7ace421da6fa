// Kernel: mm/slab.c (v6.1)
/*
 * SlabAllocator: the classic SLAB allocator (Bonwick's slab allocator as Linux ran it until 6.8)
 * behind the KmemCacheAllocator slot. Hot paths are free functions in slab-alloc.ts; the state
 * is struct-of-arrays in kmem-cache.ts; layout in cache-geometry.ts; tunables and slabinfo in
 * slabinfo.ts; reaping and shrinking in cache-reap.ts; SLAB's DEBUG checks in slab-debug.ts;
 * validate() in slab-validate.ts.
 *
 * Simulated (6.1 semantics): per-CPU array_cache (avail, limit, batchcount, touched, LIFO
 * entries); per node kmem_cache_node with slabs_partial/full/free, free_objects, total_slabs,
 * free_slabs, free_limit, colour_next, the shared array, alien caches (more than one node),
 * next_reap and free_touched; colouring; OBJFREELIST, OFF_SLAB (freelist kmalloc'ed from this
 * allocator's own kmalloc caches) and on-slab freelists; CONFIG_SLAB_FREELIST_RANDOM (random_seq
 * per cache, a random start per slab, from the machine's seeded RNG);
 * CONFIG_SLAB_FREELIST_HARDENED's cache_from_obj() and __free_one() checks; cache_reap;
 * /proc/slabinfo tunables; slab pages PG_slab and counted in NR_SLAB_(UN)RECLAIMABLE_B.
 *
 * Simplified: locks are cost charges and one simulated CPU runs at a time; every CPU and node is
 * online from the start (no hotplug); the array caches and node structures are not themselves
 * kmalloc'ed; no pfmemalloc, kfence, KASAN, kmemleak or memcg accounting; objects have no
 * bytes (no poisoning, no init_on_alloc memset); SLAB_TYPESAFE_BY_RCU slabs are freed at once;
 * operations with no calling CPU (tuning, shrink, destroy) run on CPU 0.
 *
 * Invariants (validate()): see slab-validate.ts — an object is free in its slab, in exactly
 * one array cache, or allocated; list membership matches active; counters match the lists.
 */
import {
  ArgumentError, COST_MODEL, type CostModel, E2BIG, EBUSY, EINVAL, KERNEL_LOG, type KernelLog, type KmemCacheAllocator,
  type KmemCacheGeometry, type KmemCacheStats, MAX_ORDER, MEM_MAP, MemMap, NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B,
  PAGE_SHIFT, PAGE_SIZE, PageAllocator, RNG, type Rng, SIM_CLOCK, SLAB_ACCOUNT, SLAB_CACHE_DMA, SLAB_CACHE_DMA32, SLAB_KMALLOC,
  SLAB_RECLAIM_ACCOUNT, SimClock, TOPOLOGY, type Topology, type ValidationSink, describeValue,
} from "@mmsim/core";
import { inject, injectable } from "tsyringe";
import {
  CFLGS_OBJFREELIST_SLAB, CFLGS_OFF_SLAB, type FreelistCacheLookup, SLAB_DEBUG_FLAGS, SLAB_MAX_ORDER_HI, SLAB_MAX_ORDER_LO,
  enableCpucacheTunables, kmemCacheLayout,
} from "./cache-geometry.ts";
import { alienAc, cacheReap, kmemCacheShrinkState, sharedAc } from "./cache-reap.ts";
import { LIST_FREE, LIST_FULL, LIST_PARTIAL, SlabState, type SlabCtor } from "./kmem-cache.ts";
import { kmemCacheAllocNode, kmemCacheFree, virtToSlab } from "./slab-alloc.ts";
import { badCacheId, badCpu, badNid } from "./slab-debug.ts";
import { REAPTIMEOUT_NODE, enableCpucache, getSlabinfo, jiffies, setTunables, slabinfoWrite } from "./slabinfo.ts";
import { validateSlab } from "./slab-validate.ts";

/** Largest object size kmem_cache_create accepts. Kernel: `KMALLOC_MAX_SIZE` (4 MiB). */
const KMALLOC_MAX_SIZE = 1 << 22;

/** Where a cache keeps its freelist index array. */
export type FreelistPlacement = "objfreelist" | "off-slab" | "on-slab";

/** SLAB's own view of a cache's geometry (struct kmem_cache fields SLAB adds). */
export interface SlabCacheGeometry extends KmemCacheGeometry {
  readonly name: string;
  /** colour: how many colour offsets slabs cycle through. */
  readonly colour: number;
  /** colour_off: bytes per colour step. */
  readonly colourOff: number;
  /** freelist_size = num bytes (freelist_idx_t is one byte). */
  readonly freelistSize: number;
  readonly freelistPlacement: FreelistPlacement;
  /** The kmalloc cache OFF_SLAB freelists come from, or -1. */
  readonly freelistCache: number;
  /** obj_offset (8 with SLAB_RED_ZONE). */
  readonly objOffset: number;
  /** allocflags: GFP bits every slab allocation of this cache adds. */
  readonly allocflags: number;
  /** Whether SLAB's DEBUG checks run for this cache. */
  readonly debug: boolean;
}

/** One array_cache as it is now. */
export interface ArrayCacheInfo {
  readonly avail: number;
  readonly limit: number;
  readonly batchcount: number;
  readonly touched: number;
  /** entry[0..avail): the next object handed out is the last. */
  readonly entries: readonly number[];
}

/** One kmem_cache_node as it is now. */
export interface KmemCacheNodeInfo {
  readonly totalSlabs: number;
  readonly freeSlabs: number;
  readonly partialSlabs: number;
  readonly fullSlabs: number;
  readonly freeObjects: number;
  readonly freeLimit: number;
  readonly colourNext: number;
  /** next_reap in jiffies. */
  readonly nextReap: number;
  readonly freeTouched: number;
  /** s_mem offsets (bytes into the slab) of the slabs on each list, in list order. */
  readonly slabs: { readonly partial: readonly number[]; readonly full: readonly number[]; readonly free: readonly number[] };
}

/**
 * The SLAB allocator of one machine.
 * Kernel: mm/slab.c (`__kmem_cache_create`, `kmem_cache_alloc_node`, `kmem_cache_free`,
 * `__kmem_cache_shrink`, `__kmem_cache_shutdown`, `cache_reap`, `slabinfo_write`).
 */
@injectable()
export class SlabAllocator implements KmemCacheAllocator {
  readonly name = "slab";
  /** The allocator's whole state (struct-of-arrays). */
  readonly state: SlabState;
  /** The kmalloc-<n> caches of type KMALLOC_NORMAL this allocator serves, by object size (OFF_SLAB freelists come from them). */
  private readonly kmallocNormal: number[] = [];
  private readonly lookup: FreelistCacheLookup;

  /**
   * @throws ArgumentError for a Topology without CPUs or nodes, or a CPU on a node that does not exist
   */
  constructor(
    @inject(PageAllocator) pages: PageAllocator,
    @inject(MEM_MAP) mem: MemMap,
    @inject(TOPOLOGY) topology: Topology,
    @inject(SIM_CLOCK) clock: SimClock,
    @inject(COST_MODEL) cost: CostModel,
    @inject(KERNEL_LOG) log: KernelLog,
    @inject(RNG) rng: Rng,
  ) {
    if (!Number.isInteger(topology.nrCpus) || topology.nrCpus < 1) throw new ArgumentError("slab.SlabAllocator", "topology.nrCpus", "an integer ≥ 1", describeValue(topology.nrCpus));
    if (!Number.isInteger(topology.nrNodes) || topology.nrNodes < 1) throw new ArgumentError("slab.SlabAllocator", "topology.nrNodes", "an integer ≥ 1", describeValue(topology.nrNodes));
    for (let cpu = 0; cpu < topology.nrCpus; cpu++) {
      const nid = topology.cpuToNode[cpu];
      if (!Number.isInteger(nid) || nid! < 0 || nid! >= topology.nrNodes) {
        throw new ArgumentError("slab.SlabAllocator", `topology.cpuToNode[${cpu}]`, `a node 0..${topology.nrNodes - 1}`, describeValue(nid));
      }
    }
    this.state = new SlabState({ pages, mem, topology, clock, cost, log, rng });
    // kmem_cache_init(): bigger slabs only with more than 32 MiB of RAM (mem_map's span stands in for totalram_pages()).
    this.state.slabMaxOrder = mem.nrPages > (32 << 20) >> PAGE_SHIFT ? SLAB_MAX_ORDER_HI : SLAB_MAX_ORDER_LO;
    const s = this.state;
    const normal = this.kmallocNormal;
    this.lookup = {
      find(bytes: number): number {
        for (const id of normal) if (s.cacheAlive[id] === 1 && s.cacheObjectSize[id]! >= bytes) return id;
        return -1;
      },
      size: (id: number) => s.cacheSize[id]!,
      offSlab: (id: number) => (s.cacheFlags[id]! & CFLGS_OFF_SLAB) !== 0,
    };
  }

  // ------------------------------------------------------------------ KmemCacheAllocator

  /**
   * Creates a cache: its layout, its nodes, its per-CPU, shared and alien arrays.
   * Kernel: `__kmem_cache_create()` → `setup_cpu_cache()` → `enable_cpucache()`.
   * @param align the alignment slab_common calculated (calculate_alignment)
   * @returns the cache id, -EINVAL for a bad size or alignment, -E2BIG when no slab order fits
   */
  kmemCacheCreate(name: string, size: number, align: number, flags: number, ctor?: SlabCtor): number {
    const s = this.state;
    if (typeof name !== "string" || !Number.isInteger(size) || size < 1 || size > KMALLOC_MAX_SIZE) return -EINVAL;
    if (!Number.isInteger(align) || align < 0 || (align & (align - 1)) !== 0) return -EINVAL;
    const layout = kmemCacheLayout({ objectSize: size, align, flags, hasCtor: ctor !== undefined, slabMaxOrder: s.slabMaxOrder, lookup: this.lookup });
    if (!layout) return -E2BIG;
    const c = s.nrCaches;
    s.growCaches(c + 1);
    s.nrCaches = c + 1;
    const debug = (layout.flags & SLAB_DEBUG_FLAGS) !== 0;
    if (debug) s.enableObjState();
    s.cacheName[c] = name;
    s.cacheCtor[c] = ctor;
    s.cacheRandomSeq[c] = null;
    s.cacheDebug[c] = debug ? 1 : 0;
    s.cacheObjectSize[c] = size;
    s.cacheSize[c] = layout.size;
    s.cacheAlign[c] = layout.align;
    s.cacheFlags[c] = layout.flags | 0;
    s.cacheNum[c] = layout.num;
    s.cacheOrder[c] = layout.gfporder;
    s.cacheColour[c] = layout.colour;
    s.cacheColourOff[c] = layout.colourOff;
    s.cacheFreelistSize[c] = layout.freelistSize;
    s.cacheAllocflags[c] = layout.allocflags;
    s.cacheObjOffset[c] = layout.objOffset;
    s.cacheFreelistCache[c] = layout.freelistCache;
    s.cacheInuse[c] = 0;
    s.cacheVmstatItem[c] = (layout.flags & SLAB_RECLAIM_ACCOUNT) !== 0 ? NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B;
    s.lostReported[c] = 0;
    // Array-cache ids: per-CPU, shared per node, alien per node pair.
    const acBase = s.nrAc;
    s.nrAc += s.acPerCache;
    s.growAc(s.nrAc);
    s.cacheAcBase[c] = acBase;
    for (let ac = acBase; ac < s.nrAc; ac++) {
      s.acAvail[ac] = 0;
      s.acLimit[ac] = 0;
      s.acBatch[ac] = 0;
      s.acTouched[ac] = 0;
      s.acEntry[ac] = new Float64Array(0);
    }
    // kmem_cache_node_init() + init_cache_node() for every online node.
    const now = jiffies(s);
    for (let node = 0; node < s.nrNodes; node++) {
      const cn = c * s.nrNodes + node;
      s.nodeHead[cn] = s.allocHeadRun(3);
      s.nodeTotalSlabs[cn] = 0;
      s.nodeFreeSlabs[cn] = 0;
      s.nodeFreeObjects[cn] = 0;
      s.nodeFreeLimit[cn] = 0;
      s.nodeColourNext[cn] = 0;
      s.nodeHasShared[cn] = 0;
      s.nodeHasAlien[cn] = 0;
      s.nodeFreeTouched[cn] = 0;
      // jiffies + REAPTIMEOUT_NODE + ((unsigned long)cachep) % REAPTIMEOUT_NODE: the cache id stands for its address.
      s.nodeNextReap[cn] = now + REAPTIMEOUT_NODE + (c % REAPTIMEOUT_NODE);
    }
    s.cacheAlive[c] = 1;
    const t = enableCpucacheTunables(layout.size, s.nrCpus, debug);
    const err = enableCpucache(s, c, t.limit, t.batchcount, t.shared);
    if (err) {
      s.cacheAlive[c] = 0;
      return err;
    }
    // A kmalloc-<n> cache of KMALLOC_NORMAL: a source of OFF_SLAB freelists (kmalloc_slab()).
    if ((flags & SLAB_KMALLOC) !== 0 && (flags & (SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT)) === 0) {
      this.kmallocNormal.push(c);
      this.kmallocNormal.sort((a, b) => s.cacheObjectSize[a]! - s.cacheObjectSize[b]! || a - b);
    }
    return c;
  }

  /** Kernel: `kmem_cache_alloc()` / `kmem_cache_alloc_node()`. @returns the object's address, or NIL_OBJECT */
  kmemCacheAlloc(cacheId: number, gfp: number, cpu: number, nid = -1): number {
    return kmemCacheAllocNode(this.state, cacheId, gfp, cpu, nid);
  }

  /** Kernel: `kmem_cache_free()`. */
  kmemCacheFree(cacheId: number, obj: number, cpu: number): void {
    kmemCacheFree(this.state, cacheId, obj, cpu);
  }

  /** Kernel: `__kmem_cache_shrink()`. @returns 0, or 1 when objects remain */
  kmemCacheShrink(cacheId: number): number {
    if (this.state.cacheAlive[cacheId] !== 1) badCacheId(this.state, "kmemCacheShrink", cacheId);
    return kmemCacheShrinkState(this.state, cacheId);
  }

  /**
   * Kernel: `__kmem_cache_shutdown()` (= shrink) then `__kmem_cache_release()`; a cache that still
   * has objects is kept (slab_common prints the complaint).
   * @returns 0, -EBUSY (objects remain), or -EINVAL (no such cache)
   */
  kmemCacheDestroy(cacheId: number): number {
    const s = this.state;
    if (!(cacheId >= 0 && cacheId < s.nrCaches) || s.cacheAlive[cacheId] !== 1) return -EINVAL;
    if (kmemCacheShrinkState(s, cacheId) !== 0) return -EBUSY;
    // __kmem_cache_release(): random_seq, per-CPU arrays, shared and alien arrays, the nodes.
    s.cacheAlive[cacheId] = 0;
    s.cacheRandomSeq[cacheId] = null;
    s.cacheCtor[cacheId] = undefined;
    for (let ac = s.cacheAcBase[cacheId]!; ac < s.cacheAcBase[cacheId]! + s.acPerCache; ac++) {
      s.acAvail[ac] = 0;
      s.acLimit[ac] = 0;
      s.acEntry[ac] = new Float64Array(0);
    }
    for (let node = 0; node < s.nrNodes; node++) {
      s.nodeHasShared[cacheId * s.nrNodes + node] = 0;
      s.nodeHasAlien[cacheId * s.nrNodes + node] = 0;
    }
    const k = this.kmallocNormal.indexOf(cacheId);
    if (k >= 0) this.kmallocNormal.splice(k, 1);
    return 0;
  }

  /** Kernel: `virt_to_cache()` (without its warning). @returns cache id, or -1 if the address is in no slab */
  objectCache(obj: number): number {
    const slot = virtToSlab(this.state, obj);
    return slot < 0 ? -1 : this.state.slabCache[slot]!;
  }

  /** The cache's geometry (struct kmem_cache: object_size, size, align, num, gfporder, flags). */
  geometry(cacheId: number): KmemCacheGeometry {
    return this.slabGeometry(cacheId);
  }

  /** Kernel: `get_slabinfo()`. */
  stats(cacheId: number): KmemCacheStats {
    this.checkCreated("stats", cacheId);
    return getSlabinfo(this.state, cacheId);
  }

  /** Pages in the cache's slabs, all nodes: Σ total_slabs << gfporder. */
  slabPages(cacheId: number): number {
    const s = this.state;
    this.checkCreated("slabPages", cacheId);
    let slabs = 0;
    for (let node = 0; node < s.nrNodes; node++) slabs += s.nodeTotalSlabs[cacheId * s.nrNodes + node]!;
    return slabs * 2 ** s.cacheOrder[cacheId]!;
  }

  /** Walks every cache, node list, slab and array cache; see slab-validate.ts for the invariants. */
  validate(sink: ValidationSink): void {
    validateSlab(this.state, sink);
  }

  // ------------------------------------------------------------------ SLAB only

  /**
   * The periodic reaper on one CPU; the machine calls it every REAPTIMEOUT_AC_NS (2 s) per CPU.
   * Kernel: `cache_reap()`.
   */
  cacheReap(cpu: number): void {
    if (!(cpu >= 0 && cpu < this.state.nrCpus) || !Number.isInteger(cpu)) badCpu(this.state, "cacheReap", cpu);
    cacheReap(this.state, cpu);
  }

  /**
   * Sets a cache's limit, batchcount and shared factor, as a write to /proc/slabinfo does.
   * Kernel: `do_tune_cpucache()` behind slabinfo_write()'s checks.
   * @returns 0; -EINVAL for no such cache or for values the kernel's write would ignore
   *   (limit < 1, batchcount < 1 or > limit, shared < 0); -ENOMEM when an array would be too large
   */
  setTunables(cacheId: number, limit: number, batchcount: number, shared: number): number {
    return setTunables(this.state, cacheId, limit, batchcount, shared);
  }

  /**
   * A write to /proc/slabinfo (`<name> <limit> <batchcount> <shared>`), with 6.1's semantics:
   * out-of-range values are accepted and ignored. Kernel: `slabinfo_write()`.
   * @returns bytes written, or -EINVAL / -ENOMEM
   */
  slabinfoWrite(buffer: string): number {
    return slabinfoWrite(this.state, buffer);
  }

  /** The kernel command line's `slab_max_order=` (clamped to 0..MAX_ORDER-1); applies to caches created afterwards. */
  setSlabMaxOrder(order: number): void {
    if (!Number.isInteger(order)) throw new ArgumentError("slab.setSlabMaxOrder", "order", "an integer", describeValue(order));
    this.state.slabMaxOrder = order < 0 ? 0 : Math.min(order, MAX_ORDER - 1);
  }

  /**
   * The kernel command line's `noaliencache` (false); only before the first cache is created.
   * @throws ArgumentError once caches exist
   */
  setUseAlienCaches(on: boolean): void {
    if (this.state.nrCaches > 0) throw new ArgumentError("slab.setUseAlienCaches", "on", "a call before the first kmem_cache_create", "a call after it");
    this.state.useAlienCaches = on && this.state.nrNodes > 1;
  }

  /** CONFIG_SLAB_FREELIST_HARDENED (on in the reference config). */
  get freelistHardened(): boolean {
    return this.state.freelistHardened;
  }
  set freelistHardened(on: boolean) {
    this.state.freelistHardened = on;
  }

  /** A cache's name. */
  cacheName(cacheId: number): string {
    this.checkCreated("cacheName", cacheId);
    return this.state.cacheName[cacheId]!;
  }

  /** SLAB's whole view of a cache's layout. */
  slabGeometry(cacheId: number): SlabCacheGeometry {
    const s = this.state;
    this.checkCreated("geometry", cacheId);
    const flags = s.cacheFlags[cacheId]! >>> 0;
    const placement: FreelistPlacement = (flags & CFLGS_OBJFREELIST_SLAB) !== 0 ? "objfreelist" : (flags & CFLGS_OFF_SLAB) !== 0 ? "off-slab" : "on-slab";
    return {
      name: s.cacheName[cacheId]!,
      objectSize: s.cacheObjectSize[cacheId]!,
      size: s.cacheSize[cacheId]!,
      align: s.cacheAlign[cacheId]!,
      objsPerSlab: s.cacheNum[cacheId]!,
      order: s.cacheOrder[cacheId]!,
      flags,
      colour: s.cacheColour[cacheId]!,
      colourOff: s.cacheColourOff[cacheId]!,
      freelistSize: s.cacheFreelistSize[cacheId]!,
      freelistPlacement: placement,
      freelistCache: s.cacheFreelistCache[cacheId]!,
      objOffset: s.cacheObjOffset[cacheId]!,
      allocflags: s.cacheAllocflags[cacheId]! >>> 0,
      debug: s.cacheDebug[cacheId] !== 0,
    };
  }

  /** A CPU's array_cache of a cache. */
  arrayCache(cacheId: number, cpu: number): ArrayCacheInfo {
    const s = this.state;
    this.checkCreated("arrayCache", cacheId);
    if (!(cpu >= 0 && cpu < s.nrCpus) || !Number.isInteger(cpu)) badCpu(s, "arrayCache", cpu);
    return this.acInfo(s.cacheAcBase[cacheId]! + cpu);
  }

  /** A node's shared array of a cache, or undefined when the cache has none (shared = 0). */
  sharedArray(cacheId: number, nid: number): ArrayCacheInfo | undefined {
    const s = this.state;
    this.checkNode("sharedArray", cacheId, nid);
    return s.nodeHasShared[cacheId * s.nrNodes + nid] !== 0 ? this.acInfo(sharedAc(s, cacheId, nid)) : undefined;
  }

  /** Node `nid`'s alien cache for objects of node `remote`, or undefined (one node, noaliencache, or remote = nid). */
  alienCache(cacheId: number, nid: number, remote: number): ArrayCacheInfo | undefined {
    const s = this.state;
    this.checkNode("alienCache", cacheId, nid);
    if (!(remote >= 0 && remote < s.nrNodes) || !Number.isInteger(remote)) badNid(s, "alienCache", remote);
    if (remote === nid || s.nodeHasAlien[cacheId * s.nrNodes + nid] === 0) return undefined;
    return this.acInfo(alienAc(s, cacheId, nid, remote));
  }

  /** A cache's kmem_cache_node on one node. */
  nodeInfo(cacheId: number, nid: number): KmemCacheNodeInfo {
    const s = this.state;
    this.checkNode("nodeInfo", cacheId, nid);
    const cn = cacheId * s.nrNodes + nid;
    const head = s.nodeHead[cn]!;
    const walk = (l: number): number[] => {
      const out: number[] = [];
      for (let slot = s.slabNext[head + l]!; slot !== head + l && slot >= 0 && out.length <= s.nrSlots; slot = s.slabNext[slot]!) {
        out.push(s.slabSMem[slot]! - s.slabPfn[slot]! * PAGE_SIZE);
      }
      return out;
    };
    const partial = walk(LIST_PARTIAL);
    const full = walk(LIST_FULL);
    const free = walk(LIST_FREE);
    return {
      totalSlabs: s.nodeTotalSlabs[cn]!,
      freeSlabs: s.nodeFreeSlabs[cn]!,
      partialSlabs: partial.length,
      fullSlabs: full.length,
      freeObjects: s.nodeFreeObjects[cn]!,
      freeLimit: s.nodeFreeLimit[cn]!,
      colourNext: s.nodeColourNext[cn]!,
      nextReap: s.nodeNextReap[cn]!,
      freeTouched: s.nodeFreeTouched[cn]!,
      slabs: { partial, full, free },
    };
  }

  /** Ids of the caches that exist, in slab_caches order (newest first). */
  cacheIds(): number[] {
    const out: number[] = [];
    for (let c = this.state.nrCaches - 1; c >= 0; c--) if (this.state.cacheAlive[c] === 1) out.push(c);
    return out;
  }

  private acInfo(ac: number): ArrayCacheInfo {
    const s = this.state;
    const avail = s.acAvail[ac]!;
    return {
      avail,
      limit: s.acLimit[ac]!,
      batchcount: s.acBatch[ac]!,
      touched: s.acTouched[ac]!,
      entries: Array.from(s.acEntry[ac]!.subarray(0, Math.max(0, Math.min(avail, s.acLimit[ac]!)))),
    };
  }

  private checkCreated(fn: string, cacheId: number): void {
    if (!(cacheId >= 0 && cacheId < this.state.nrCaches) || !Number.isInteger(cacheId)) badCacheId(this.state, fn, cacheId);
  }

  private checkNode(fn: string, cacheId: number, nid: number): void {
    this.checkCreated(fn, cacheId);
    if (!(nid >= 0 && nid < this.state.nrNodes) || !Number.isInteger(nid)) badNid(this.state, fn, nid);
  }
}
