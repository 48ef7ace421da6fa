// Kernel: include/linux/slab_def.h (v6.1: struct kmem_cache), mm/slab.h (struct kmem_cache_node, struct slab), mm/slab.c (struct array_cache)
/*
 * The state of one SLAB allocator, as struct-of-arrays (STYLE C6): nothing per object or per
 * slab is a JS object.
 *
 *   struct kmem_cache        → cache* arrays, indexed by cache id (0, 1, …; never reused)
 *   struct kmem_cache_node   → node* arrays, indexed by cn = cacheId * nrNodes + nid
 *   struct array_cache       → ac* arrays, indexed by an array-cache id. Each cache owns a run of
 *                              ids from cacheAcBase[c]:
 *                                + cpu                                  per-CPU cache (cpu_cache)
 *                                + nrCpus + nid                         node nid's shared array
 *                                + nrCpus + nrNodes + nid*nrNodes + r   node nid's alien cache for
 *                                                                       objects of node r (r ≠ nid)
 *                              `entry[]` is one Float64Array per array cache (object addresses
 *                              are physical addresses, up to 2^53), reallocated when tuned.
 *   struct slab (SLAB part)  → slab* arrays, indexed by a slot id. List heads (slabs_partial,
 *                              slabs_full, slabs_free of every node, and the `LIST_HEAD(list)`s
 *                              of the drain paths) are slots of the same link arrays, so every
 *                              list is circular like list_head (STYLE C7). Free slots are chained
 *                              through slabNext and reused LIFO.
 *   freelist_idx_t freelist[] → slabFreeIdx, SLAB_OBJ_MAX_NUM + 1 = 256 bytes per slot.
 *
 * Growth: the tables start small and double when full (cache, node, array-cache and slot
 * tables); hot code re-reads the arrays from the state on every call, never caches them.
 *
 * page → slab: every page of a slab has PG_slab (the kernel sets the bit on the folio's head, and
 * PageSlab() of a tail page reads the head's, so every page reads as a slab page) and its slot in
 * `MemMap.private` (the simulator's stand-in for `struct slab` overlaying the page: the kernel
 * keeps `s_mem` in that word); both are cleared before the pages go back.
 */
import { growTypedArray } from "@mmsim/core";
import type { CostModel, KernelLog, MemMap, PageAllocator, Rng, SimClock, Topology } from "@mmsim/core";

/** freelist_idx_t is one byte: FREELIST_BYTE_INDEX = ((PAGE_SIZE >> BITS_PER_BYTE) <= SLAB_OBJ_MIN_SIZE) = (16 <= 16). Kernel: `SLAB_OBJ_MAX_NUM` = 2^8 - 1. */
export const SLAB_OBJ_MAX_NUM = 255;
/** Bytes of slabFreeIdx per slot: one freelist_idx_t per possible object. */
export const FREEIDX_STRIDE = SLAB_OBJ_MAX_NUM + 1;

/** slabCache value of a free slot. */
export const SLOT_FREE = -1;
/** slabCache value of a list-head slot. */
export const SLOT_HEAD = -2;

/** Offsets of the three list heads of a kmem_cache_node from nodeHead[cn]. */
export const LIST_PARTIAL = 0;
export const LIST_FULL = 1;
export const LIST_FREE = 2;

/** Emulated red-zone words of an object (debug caches only). Kernel: include/linux/poison.h. */
export const OBJ_RED_UNSET = 0;
/** Both red zones hold RED_INACTIVE (0x09F911029D74E35B): the object is free. */
export const OBJ_RED_INACTIVE = 1;
/** Both red zones hold RED_ACTIVE (0xD84156C5635688C0): the object is allocated. */
export const OBJ_RED_ACTIVE = 2;

/** A per-object constructor (kmem_cache_create's ctor). */
export type SlabCtor = (obj: number) => void;

/** What a SlabState is built from. */
export interface SlabStateDeps {
  readonly pages: PageAllocator;
  readonly mem: MemMap;
  readonly topology: Topology;
  readonly clock: SimClock;
  readonly cost: CostModel;
  readonly log: KernelLog;
  readonly rng: Rng;
}

/** The whole SLAB allocator state of one machine. */
export class SlabState {
  readonly pages: PageAllocator;
  readonly mem: MemMap;
  readonly clock: SimClock;
  readonly log: KernelLog;
  readonly rng: Rng;
  /** ns charged per array_cache hit on alloc / free, and per node list_lock round trip. */
  readonly costAllocFast: number;
  readonly costFreeFast: number;
  readonly costSlowPath: number;

  /** num_possible_cpus(); every CPU is online. */
  readonly nrCpus: number;
  /** nr_node_ids; every node is online. */
  readonly nrNodes: number;
  /** cpu_to_mem(cpu) = numa_mem_id() on that CPU. */
  readonly cpuToNode: Int32Array;
  /** nr_cpus_node(nid). */
  readonly nrCpusNode: Int32Array;
  /** Kernel: `slab_reap_node` (per CPU): the node whose alien cache cache_reap drains next. */
  readonly slabReapNode: Int32Array;
  /** Kernel: `use_alien_caches`: 0 on one node (kmem_cache_init) or with `noaliencache`. */
  useAlienCaches: boolean;
  /** Kernel: `slab_max_order` (SLAB_MAX_ORDER_HI = 1 above 32 MiB of RAM, or `slab_max_order=`). */
  slabMaxOrder: number;
  /** CONFIG_SLAB_FREELIST_HARDENED (y in the reference config): cache_from_obj() and __free_one()'s checks. */
  freelistHardened = true;
  /** Oopses so far (the `[#n]` of "Internal error: Oops - BUG"). */
  oopsCount = 0;
  /** Caches for which free_block() already reported an object in no slab (reported once per cache). */
  lostReported = new Uint8Array(0);

  // ---------------------------------------------------------------- struct kmem_cache, by cache id
  nrCaches = 0;
  private cacheCap = 0;
  readonly cacheName: string[] = [];
  readonly cacheCtor: (SlabCtor | undefined)[] = [];
  /** random_seq (CONFIG_SLAB_FREELIST_RANDOM), or null when num < 2. */
  readonly cacheRandomSeq: (Uint8Array | null)[] = [];
  /** 1 while the cache exists (created, not destroyed). */
  cacheAlive = new Uint8Array(0);
  /** 1 when the cache has SLAB_RED_ZONE, SLAB_POISON or SLAB_STORE_USER in effect: SLAB's DEBUG code runs for it. */
  cacheDebug = new Uint8Array(0);
  /** object_size: what the user asked for. */
  cacheObjectSize = new Int32Array(0);
  /** size: bytes per object in the slab (alignment and debug words included). */
  cacheSize = new Int32Array(0);
  /** align. */
  cacheAlign = new Int32Array(0);
  /** flags, CFLGS_OBJFREELIST_SLAB / CFLGS_OFF_SLAB included (stored as int32: CFLGS_OFF_SLAB is the sign bit). */
  cacheFlags = new Int32Array(0);
  /** num: objects per slab (≤ SLAB_OBJ_MAX_NUM). */
  cacheNum = new Int32Array(0);
  /** gfporder: a slab is 2^gfporder pages. */
  cacheOrder = new Int32Array(0);
  /** colour: number of colours (left-over bytes / colour_off). */
  cacheColour = new Int32Array(0);
  /** colour_off: bytes per colour step (cache_line_size(), or the alignment if larger). */
  cacheColourOff = new Int32Array(0);
  /** freelist_size = num * sizeof(freelist_idx_t). */
  cacheFreelistSize = new Int32Array(0);
  /** allocflags: __GFP_COMP, plus GFP_DMA / GFP_DMA32 / __GFP_RECLAIMABLE from the cache flags. */
  cacheAllocflags = new Int32Array(0);
  /** Tunables: batchcount, limit, shared (as /proc/slabinfo shows them). */
  cacheBatchcount = new Int32Array(0);
  cacheLimit = new Int32Array(0);
  cacheShared = new Int32Array(0);
  /** obj_offset (DEBUG): bytes from the slot start to the user object (8 with SLAB_RED_ZONE). */
  cacheObjOffset = new Int32Array(0);
  /** The kmalloc cache an OFF_SLAB cache takes its freelists from (kmalloc_slab(freelist_size)); -1 otherwise. */
  cacheFreelistCache = new Int32Array(0);
  /** First array-cache id of the cache. */
  cacheAcBase = new Int32Array(0);
  /** Objects handed to callers and not given back (mmsim's counter, checked by validate()). */
  cacheInuse = new Float64Array(0);
  /** NR_SLAB_RECLAIMABLE_B or NR_SLAB_UNRECLAIMABLE_B (cache_vmstat_idx). */
  cacheVmstatItem = new Int32Array(0);

  // ---------------------------------------------------------------- struct kmem_cache_node, by cn
  /** First of the three list-head slots (LIST_PARTIAL, LIST_FULL, LIST_FREE). */
  nodeHead = new Int32Array(0);
  /** total_slabs: length of all three lists. */
  nodeTotalSlabs = new Float64Array(0);
  /** free_slabs: length of slabs_free. */
  nodeFreeSlabs = new Float64Array(0);
  /** free_objects: free objects in the node's slabs (not counting array caches). */
  nodeFreeObjects = new Float64Array(0);
  /** free_limit = (1 + nr_cpus_node) * batchcount + num: free_block() keeps at most this many free objects. */
  nodeFreeLimit = new Float64Array(0);
  /** colour_next: colour of the next slab grown on this node. */
  nodeColourNext = new Int32Array(0);
  /** 1 when n->shared exists (the cache's shared tunable > 0). */
  nodeHasShared = new Uint8Array(0);
  /** 1 when n->alien exists (more than one node, use_alien_caches). */
  nodeHasAlien = new Uint8Array(0);
  /** next_reap, in jiffies. */
  nodeNextReap = new Float64Array(0);
  /** free_touched: a slab was taken from slabs_free since the last reap. */
  nodeFreeTouched = new Uint8Array(0);

  // ---------------------------------------------------------------- struct array_cache, by ac id
  nrAc = 0;
  private acCap = 0;
  /** avail: entries in use. */
  acAvail = new Int32Array(0);
  /** limit: entries the array may hold. */
  acLimit = new Int32Array(0);
  /** batchcount: objects moved per refill / flush (0xbaadf00d for shared and alien arrays, unused). */
  acBatch = new Uint32Array(0);
  /** touched: used since the last cache_reap (per-CPU), or refilled from (shared). */
  acTouched = new Uint8Array(0);
  /** entry[]: object addresses, LIFO. */
  readonly acEntry: Float64Array[] = [];

  // ---------------------------------------------------------------- struct slab, by slot
  nrSlots = 0;
  private slotCap = 0;
  /** First free slot, chained through slabNext; -1 when none. */
  freeSlot = -1;
  /** slab_cache (cache id), SLOT_FREE or SLOT_HEAD. */
  slabCache = new Int32Array(0);
  /** PFN of the slab's first page. */
  slabPfn = new Int32Array(0);
  /** s_mem: address of the first object (page address + colour offset). */
  slabSMem = new Float64Array(0);
  /** active: objects taken from the slab (allocated, or sitting in an array cache). */
  slabActive = new Int32Array(0);
  /** slab_nid(): node of the slab's pages. */
  slabNode = new Int32Array(0);
  /** freelist: the pointer (on-slab: end of the slab; OBJFREELIST: inside a free object, 0 when full; OFF_SLAB: a kmalloc object). */
  slabFreelist = new Float64Array(0);
  /** slab_list links (list heads are slots too). */
  slabNext = new Int32Array(0);
  slabPrev = new Int32Array(0);
  /** freelist_idx_t freelist[num]: entries [active, num) are the free object indices, next to hand out first. */
  slabFreeIdx = new Uint8Array(0);
  /** Emulated red zones (OBJ_RED_*), FREEIDX_STRIDE per slot; only once a debug cache exists. */
  objState: Uint8Array | null = null;

  /** Stack of LIST_HEAD(list) slots for the drain paths (they nest: slab_destroy → kfree of an off-slab freelist). */
  tempHeads = new Int32Array(0);
  tempDepth = 0;
  /** A one-entry array for free_block(&objp, 1). */
  readonly scratch = new Float64Array(1);

  constructor(deps: SlabStateDeps) {
    const t = deps.topology;
    this.pages = deps.pages;
    this.mem = deps.mem;
    this.clock = deps.clock;
    this.log = deps.log;
    this.rng = deps.rng;
    this.costAllocFast = deps.cost.slabAllocFast;
    this.costFreeFast = deps.cost.slabFreeFast;
    this.costSlowPath = deps.cost.slabSlowPath;
    this.nrCpus = t.nrCpus;
    this.nrNodes = t.nrNodes;
    this.cpuToNode = Int32Array.from(t.cpuToNode);
    this.nrCpusNode = new Int32Array(t.nrNodes);
    for (let cpu = 0; cpu < t.nrCpus; cpu++) this.nrCpusNode[this.cpuToNode[cpu]!]!++;
    // init_reap_node(): next_node_in(cpu_to_mem(cpu), node_online_map)
    this.slabReapNode = new Int32Array(t.nrCpus);
    for (let cpu = 0; cpu < t.nrCpus; cpu++) this.slabReapNode[cpu] = (this.cpuToNode[cpu]! + 1) % t.nrNodes;
    // kmem_cache_init(): no alien caches unless NUMA with more than one possible node.
    this.useAlienCaches = t.nrNodes > 1;
    this.slabMaxOrder = 0;
    this.growCaches(16);
    this.growAc(64);
    this.growSlots(256);
    this.tempHeads = new Int32Array(8);
    for (let i = 0; i < this.tempHeads.length; i++) this.tempHeads[i] = this.allocHeadSlot();
  }

  /** Number of array-cache ids one cache owns. */
  get acPerCache(): number {
    return this.nrCpus + this.nrNodes + this.nrNodes * this.nrNodes;
  }

  /** Makes room for `n` more caches (and their nodes). */
  growCaches(minCap: number): void {
    if (this.cacheCap >= minCap) return;
    let cap = Math.max(16, this.cacheCap);
    while (cap < minCap) cap *= 2;
    const nn = this.nrNodes;
    this.cacheAlive = growTypedArray(this.cacheAlive, cap);
    this.cacheDebug = growTypedArray(this.cacheDebug, cap);
    this.cacheObjectSize = growTypedArray(this.cacheObjectSize, cap);
    this.cacheSize = growTypedArray(this.cacheSize, cap);
    this.cacheAlign = growTypedArray(this.cacheAlign, cap);
    this.cacheFlags = growTypedArray(this.cacheFlags, cap);
    this.cacheNum = growTypedArray(this.cacheNum, cap);
    this.cacheOrder = growTypedArray(this.cacheOrder, cap);
    this.cacheColour = growTypedArray(this.cacheColour, cap);
    this.cacheColourOff = growTypedArray(this.cacheColourOff, cap);
    this.cacheFreelistSize = growTypedArray(this.cacheFreelistSize, cap);
    this.cacheAllocflags = growTypedArray(this.cacheAllocflags, cap);
    this.cacheBatchcount = growTypedArray(this.cacheBatchcount, cap);
    this.cacheLimit = growTypedArray(this.cacheLimit, cap);
    this.cacheShared = growTypedArray(this.cacheShared, cap);
    this.cacheObjOffset = growTypedArray(this.cacheObjOffset, cap);
    this.cacheFreelistCache = growTypedArray(this.cacheFreelistCache, cap);
    this.cacheAcBase = growTypedArray(this.cacheAcBase, cap);
    this.cacheInuse = growTypedArray(this.cacheInuse, cap);
    this.cacheVmstatItem = growTypedArray(this.cacheVmstatItem, cap);
    this.lostReported = growTypedArray(this.lostReported, cap);
    this.nodeHead = growTypedArray(this.nodeHead, cap * nn);
    this.nodeTotalSlabs = growTypedArray(this.nodeTotalSlabs, cap * nn);
    this.nodeFreeSlabs = growTypedArray(this.nodeFreeSlabs, cap * nn);
    this.nodeFreeObjects = growTypedArray(this.nodeFreeObjects, cap * nn);
    this.nodeFreeLimit = growTypedArray(this.nodeFreeLimit, cap * nn);
    this.nodeColourNext = growTypedArray(this.nodeColourNext, cap * nn);
    this.nodeHasShared = growTypedArray(this.nodeHasShared, cap * nn);
    this.nodeHasAlien = growTypedArray(this.nodeHasAlien, cap * nn);
    this.nodeNextReap = growTypedArray(this.nodeNextReap, cap * nn);
    this.nodeFreeTouched = growTypedArray(this.nodeFreeTouched, cap * nn);
    this.cacheCap = cap;
  }

  /** Makes room for array-cache ids up to minCap. */
  growAc(minCap: number): void {
    if (this.acCap >= minCap) return;
    let cap = Math.max(64, this.acCap);
    while (cap < minCap) cap *= 2;
    this.acAvail = growTypedArray(this.acAvail, cap);
    this.acLimit = growTypedArray(this.acLimit, cap);
    const batch = new Uint32Array(cap);
    batch.set(this.acBatch);
    this.acBatch = batch;
    this.acTouched = growTypedArray(this.acTouched, cap);
    this.acCap = cap;
  }

  /** Makes room for slots up to minCap. */
  growSlots(minCap: number): void {
    if (this.slotCap >= minCap) return;
    let cap = Math.max(256, this.slotCap);
    while (cap < minCap) cap *= 2;
    const old = this.slotCap;
    this.slabCache = growTypedArray(this.slabCache, cap);
    this.slabCache.fill(SLOT_FREE, old);
    this.slabPfn = growTypedArray(this.slabPfn, cap);
    this.slabSMem = growTypedArray(this.slabSMem, cap);
    this.slabActive = growTypedArray(this.slabActive, cap);
    this.slabNode = growTypedArray(this.slabNode, cap);
    this.slabFreelist = growTypedArray(this.slabFreelist, cap);
    this.slabNext = growTypedArray(this.slabNext, cap);
    this.slabNext.fill(-1, old);
    this.slabPrev = growTypedArray(this.slabPrev, cap);
    this.slabPrev.fill(-1, old);
    this.slabFreeIdx = growTypedArray(this.slabFreeIdx, cap * FREEIDX_STRIDE);
    if (this.objState) this.objState = growTypedArray(this.objState, cap * FREEIDX_STRIDE);
    this.slotCap = cap;
  }

  /** Turns on the emulated red zones (the first debug cache was created). */
  enableObjState(): void {
    if (!this.objState) this.objState = new Uint8Array(this.slotCap * FREEIDX_STRIDE);
  }

  /** Slots the tables can hold now. */
  get slotCapacity(): number {
    return this.slotCap;
  }

  /**
   * Takes `n` consecutive slots for list heads (a node's three lists), never given back, each
   * initialised as an empty list.
   * @returns the first slot
   */
  allocHeadRun(n: number): number {
    if (this.nrSlots + n > this.slotCap) this.growSlots(this.nrSlots + n);
    const first = this.nrSlots;
    this.nrSlots += n;
    for (let slot = first; slot < first + n; slot++) {
      this.slabCache[slot] = SLOT_HEAD;
      this.slabNext[slot] = slot;
      this.slabPrev[slot] = slot;
    }
    return first;
  }

  /** Takes a slot for a list head (never given back), initialised as an empty list. */
  allocHeadSlot(): number {
    const slot = allocSlot(this);
    this.slabCache[slot] = SLOT_HEAD;
    this.slabNext[slot] = slot;
    this.slabPrev[slot] = slot;
    return slot;
  }
}

/**
 * Takes a free slot (LIFO), growing the tables when none is left.
 * @returns the slot; its fields are stale until the caller sets them
 */
export function allocSlot(s: SlabState): number {
  let slot = s.freeSlot;
  if (slot >= 0) {
    s.freeSlot = s.slabNext[slot]!;
    return slot;
  }
  if (s.nrSlots === s.slotCapacity) s.growSlots(s.nrSlots + 1);
  slot = s.nrSlots++;
  return slot;
}

/** Gives a slab slot back. */
export function freeSlotPut(s: SlabState, slot: number): void {
  s.slabCache[slot] = SLOT_FREE;
  s.slabPrev[slot] = -1;
  s.slabNext[slot] = s.freeSlot;
  s.freeSlot = slot;
}

