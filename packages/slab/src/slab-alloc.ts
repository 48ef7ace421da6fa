// Kernel: mm/slab.c (v6.1): the allocation and free paths — ____cache_alloc, cache_alloc_refill, cache_grow_begin/end, ___cache_free, cache_flusharray, free_block, alien frees
/*
 * Hot file (STYLE C8): free functions over SlabState, numbers in and out; no closures, literals,
 * template strings, for…of or try. Anything that prints lives in slab-debug.ts.
 *
 * Simulated: the three tiers of SLAB-09 — the CPU's array_cache (LIFO), then the node's shared
 * array and the partial/free slab lists (cache_alloc_refill moves up to batchcount objects), then
 * a new slab from the page allocator (cache_grow_begin/end). Frees go back to the array_cache;
 * a full one gives batchcount objects to the shared array or back to their slabs
 * (cache_flusharray → free_block), and free_block hands slabs beyond free_limit back to the page
 * allocator. With more than one node, an object of another node goes through an alien cache.
 * CONFIG_NUMA=y as in the reference config, so allocation failures take ____cache_alloc_node and
 * fallback_alloc as 6.1 does.
 *
 * Simplified: one simulated CPU runs at a time, so local_irq_save and spin_lock(&n->list_lock)
 * are cost charges (slabSlowPath per lock round trip) and "another CPU took the objects" retries
 * never happen; no pfmemalloc slabs, no kfence, no memcg hooks, no KASAN; SLAB_TYPESAFE_BY_RCU
 * slabs are freed at once (no RCU grace period); objects have no contents, so init_on_alloc's
 * memset and POISON bytes are not modelled.
 *
 * Invariants kept here (validate() checks them, slab-validate.ts):
 *   - an object is either in its slab's freelist (index in freeIdx[active..num)), or in exactly
 *     one array cache, or with a caller;
 *   - a slab is on slabs_full iff active == num, slabs_free iff active == 0, else slabs_partial;
 *   - n->free_objects = Σ (num - active) over the node's slabs; total_slabs and free_slabs are
 *     the list lengths;
 *   - per-CPU and shared arrays hold only objects of their own node's slabs (alien caches hold
 *     the others).
 */
import {
  GFP_CONSTRAINT_MASK, GFP_RECLAIM_MASK, GFP_SLAB_BUG_MASK, NIL_PFN, PAGE_SIZE, PG_slab, SLAB_CONSISTENCY_CHECKS, __GFP_NOFAIL, __GFP_NOWARN,
  __GFP_RECLAIM, __GFP_THISNODE, clearPageSlab, listAdd, listAddTail, listDel, listEmpty, listLast, listMove, pageToNid, setPageSlab,
} from "@mmsim/core";
import { CFLGS_OBJFREELIST_SLAB, CFLGS_OFF_SLAB } from "./cache-geometry.ts";
import { FREEIDX_STRIDE, LIST_FREE, LIST_FULL, LIST_PARTIAL, type SlabState, allocSlot, freeSlotPut } from "./kmem-cache.ts";
import {
  badCacheId, badCpu, badNid, cacheAllocDebugcheckAfter, cacheFreeDebugcheck, cacheInitObjsDebug, debugDoubleFreeInSlab,
  growTempHeads, kmallocFixFlags, reportLostObject, reportNotSlabPage, reportWrongCache, warnTrivialDoubleFree,
} from "./slab-debug.ts";

/** Kernel: `BATCHREFILL_LIMIT`: a refill of an untouched array cache moves at most this many objects. */
export const BATCHREFILL_LIMIT = 16;
/** The PG_slab bit of page->flags. */
const PG_SLAB_MASK = 1 << PG_slab;

// ---------------------------------------------------------------------------------------------
// slabs and objects
// ---------------------------------------------------------------------------------------------

/**
 * The slab an address lies in, from its page. Kernel: `virt_to_slab()`.
 * @returns the slot, or -1 when the address is in no slab page
 */
export function virtToSlab(s: SlabState, obj: number): number {
  const mem = s.mem;
  const page = Math.floor(obj / PAGE_SIZE) - mem.basePfn;
  if (!(page >= 0 && page < mem.nrPages)) return -1;
  // PageSlab(): set on every page of a slab here (the kernel's PageSlab(tail) reads the head's bit)
  if ((mem.flags[page]! & PG_SLAB_MASK) === 0) return -1;
  const slot = mem.private[page]!;
  if (!(slot >= 0 && slot < s.nrSlots) || s.slabCache[slot]! < 0) return -1;
  return slot;
}

/** Address of object `idx` of a slab. Kernel: `index_to_obj()`. */
export function indexToObj(s: SlabState, c: number, slot: number, idx: number): number {
  return s.slabSMem[slot]! + s.cacheSize[c]! * idx;
}

/** Index of an object in its slab. Kernel: `obj_to_index()` (reciprocal_divide of the offset). */
export function objToIndex(s: SlabState, c: number, slot: number, objp: number): number {
  return Math.floor((objp - s.slabSMem[slot]!) / s.cacheSize[c]!);
}

/** Takes the next free object of a slab. Kernel: `slab_get_obj()`. */
export function slabGetObj(s: SlabState, c: number, slot: number): number {
  const active = s.slabActive[slot]!;
  const idx = s.slabFreeIdx[slot * FREEIDX_STRIDE + active]!;
  s.slabActive[slot] = active + 1;
  return s.slabSMem[slot]! + s.cacheSize[c]! * idx;
}

/**
 * Puts an object back in its slab's freelist. Kernel: `slab_put_obj()` (its DEBUG double-free
 * scan runs for debug caches).
 * @returns false when the DEBUG scan refused a double free
 */
export function slabPutObj(s: SlabState, c: number, slot: number, objp: number): boolean {
  const objnr = objToIndex(s, c, slot, objp);
  const base = slot * FREEIDX_STRIDE;
  if (s.cacheDebug[c] !== 0) {
    const num = s.cacheNum[c]!;
    for (let i = s.slabActive[slot]!; i < num; i++) {
      if (s.slabFreeIdx[base + i] === objnr) {
        debugDoubleFreeInSlab(s, c, objp);
        return false;
      }
    }
  }
  const active = s.slabActive[slot]! - 1;
  s.slabActive[slot] = active;
  if (s.slabFreelist[slot] === 0) s.slabFreelist[slot] = objp + s.cacheObjOffset[c]!;
  s.slabFreeIdx[base + active] = objnr;
  return true;
}

/** Moves a slab to the list its fill level calls for. Kernel: `fixup_slab_list()`. */
export function fixupSlabList(s: SlabState, c: number, cn: number, slot: number): void {
  const next = s.slabNext;
  const prev = s.slabPrev;
  listDel(next, prev, slot);
  if (s.slabActive[slot] === s.cacheNum[c]) {
    listAdd(next, prev, slot, s.nodeHead[cn]! + LIST_FULL);
    if ((s.cacheFlags[c]! & CFLGS_OBJFREELIST_SLAB) !== 0) s.slabFreelist[slot] = 0;
  } else {
    listAdd(next, prev, slot, s.nodeHead[cn]! + LIST_PARTIAL);
  }
}

/** A partial slab, else a free one (counted out of free_slabs). Kernel: `get_first_slab()`. @returns slot or -1 */
export function getFirstSlab(s: SlabState, cn: number): number {
  const head = s.nodeHead[cn]!;
  let slot = s.slabNext[head + LIST_PARTIAL]!;
  if (slot === head + LIST_PARTIAL) {
    s.nodeFreeTouched[cn] = 1;
    slot = s.slabNext[head + LIST_FREE]!;
    if (slot === head + LIST_FREE) return -1;
    s.nodeFreeSlabs[cn]!--;
  }
  return slot;
}

/**
 * Moves up to `batchcount` objects of one slab into an array cache. Kernel: `alloc_block()`.
 * @returns what is left of batchcount (-1 when it ran out, as the kernel's post-decrement leaves it)
 */
export function allocBlock(s: SlabState, c: number, ac: number, slot: number, batchcount: number): number {
  const num = s.cacheNum[c]!;
  const entry = s.acEntry[ac]!;
  let avail = s.acAvail[ac]!;
  while (s.slabActive[slot]! < num && batchcount-- !== 0) entry[avail++] = slabGetObj(s, c, slot);
  s.acAvail[ac] = avail;
  return batchcount;
}

/**
 * Moves up to `max` entries from the top of one array cache to another. Kernel: `transfer_objects()`.
 * @returns entries moved
 */
export function transferObjects(s: SlabState, to: number, from: number, max: number): number {
  const fromAvail = s.acAvail[from]!;
  const toAvail = s.acAvail[to]!;
  let nr = fromAvail;
  if (max < nr) nr = max;
  if (s.acLimit[to]! - toAvail < nr) nr = s.acLimit[to]! - toAvail;
  if (nr <= 0) return 0;
  const src = s.acEntry[from]!;
  const dst = s.acEntry[to]!;
  for (let i = 0; i < nr; i++) dst[toAvail + i] = src[fromAvail - nr + i]!;
  s.acAvail[from] = fromAvail - nr;
  s.acAvail[to] = toAvail + nr;
  return nr;
}

// ---------------------------------------------------------------------------------------------
// LIST_HEAD(list) for the drain paths
// ---------------------------------------------------------------------------------------------

/** Takes an empty temporary list head. Kernel: `LIST_HEAD(list)` on the stack. */
export function pushTempList(s: SlabState): number {
  if (s.tempDepth === s.tempHeads.length) growTempHeads(s);
  return s.tempHeads[s.tempDepth++]!;
}

/** Gives the last temporary list head back (it must be empty again). */
export function popTempList(s: SlabState): void {
  s.tempDepth--;
}

// ---------------------------------------------------------------------------------------------
// growing and destroying slabs
// ---------------------------------------------------------------------------------------------

/** Kernel: `gfp_exact_node()` (NUMA): this node only, no reclaim, no warning. */
export function gfpExactNode(flags: number): number {
  return ((flags | __GFP_THISNODE | __GFP_NOWARN) & ~(__GFP_RECLAIM | __GFP_NOFAIL)) >>> 0;
}

/**
 * Gets a new slab: pages from the page allocator, its colour, its freelist, its objects.
 * Kernel: `cache_grow_begin()` (with `kmem_getpages()`, `alloc_slabmgmt()`, `cache_init_objs()`).
 * @returns the new slab's slot (on no list yet), or -1 when no page (or no off-slab freelist) could be had
 */
export function cacheGrowBegin(s: SlabState, c: number, flags: number, nodeid: number, cpu: number): number {
  if ((flags & GFP_SLAB_BUG_MASK) !== 0) flags = kmallocFixFlags(s, flags);
  const localFlags = flags & (GFP_CONSTRAINT_MASK | GFP_RECLAIM_MASK);
  // kmem_getpages()
  const order = s.cacheOrder[c]!;
  const nrPages = 1 << order;
  const pfn = s.pages.allocPages((localFlags | s.cacheAllocflags[c]!) >>> 0, order, cpu, nodeid);
  if (pfn === NIL_PFN || pfn < 0) return -1; // slab_out_of_memory() prints only with CONFIG_DEBUG_SLAB
  const mem = s.mem;
  const page = pfn - mem.basePfn;
  s.pages.modNodePageState(pfn, s.cacheVmstatItem[c]!, nrPages); // account_slab()
  const slot = allocSlot(s);
  for (let p = 0; p < nrPages; p++) {
    setPageSlab(mem, page + p); // __folio_set_slab(), as PageSlab() sees it on every page of the folio
    mem.private[page + p] = slot;
  }
  const slabNode = pageToNid(mem, page);
  s.slabCache[slot] = c;
  s.slabPfn[slot] = pfn;
  s.slabNode[slot] = slabNode;
  s.slabActive[slot] = 0;
  s.slabNext[slot] = -1;
  s.slabPrev[slot] = -1;

  // Get colour for the slab, and cal the next value.
  const cn = c * s.nrNodes + slabNode;
  const colour = s.cacheColour[c]!;
  let colourNext = s.nodeColourNext[cn]! + 1;
  if (colourNext >= colour) colourNext = 0;
  s.nodeColourNext[cn] = colourNext;
  let offset = colourNext;
  if (offset >= colour) offset = 0;
  offset *= s.cacheColourOff[c]!;

  // alloc_slabmgmt()
  const addr = pfn * PAGE_SIZE;
  s.slabSMem[slot] = addr + offset;
  const cflags = s.cacheFlags[c]!;
  let freelist = 0;
  if ((cflags & CFLGS_OBJFREELIST_SLAB) !== 0) {
    freelist = 0;
  } else if ((cflags & CFLGS_OFF_SLAB) !== 0) {
    // kmalloc_node(cachep->freelist_size, local_flags & ~GFP_CONSTRAINT_MASK, nodeid)
    const fc = s.cacheFreelistCache[c]!;
    freelist = s.cacheAlive[fc] === 1 ? slabAllocNode(s, fc, localFlags & ~GFP_CONSTRAINT_MASK, slabNode, cpu) : 0;
    if (freelist === 0) {
      kmemFreepages(s, c, slot, cpu);
      freeSlotPut(s, slot);
      return -1;
    }
  } else {
    freelist = addr + PAGE_SIZE * nrPages - s.cacheFreelistSize[c]!;
  }
  s.slabFreelist[slot] = freelist;
  cacheInitObjs(s, c, slot);
  return slot;
}

/**
 * Puts a new slab on its node's lists. Kernel: `cache_grow_end()`.
 * @param slot the slab from cacheGrowBegin, or -1 (nothing to do)
 */
export function cacheGrowEnd(s: SlabState, c: number, slot: number): void {
  if (slot < 0) return;
  const cn = c * s.nrNodes + s.slabNode[slot]!;
  s.slabNext[slot] = slot; // INIT_LIST_HEAD(&slab->slab_list)
  s.slabPrev[slot] = slot;
  s.clock.advance(s.costSlowPath);
  s.nodeTotalSlabs[cn]!++;
  const active = s.slabActive[slot]!;
  if (active === 0) {
    listAddTail(s.slabNext, s.slabPrev, slot, s.nodeHead[cn]! + LIST_FREE);
    s.nodeFreeSlabs[cn]!++;
  } else {
    fixupSlabList(s, c, cn, slot);
  }
  s.nodeFreeObjects[cn]! += s.cacheNum[c]! - active;
}

/**
 * Lays out a new slab's freelist (shuffled when CONFIG_SLAB_FREELIST_RANDOM has a sequence) and
 * runs the constructor on every object. Kernel: `cache_init_objs()`.
 */
export function cacheInitObjs(s: SlabState, c: number, slot: number): void {
  const debug = s.cacheDebug[c] !== 0;
  if (debug) cacheInitObjsDebug(s, c, slot);
  const shuffled = shuffleFreelist(s, c, slot);
  const num = s.cacheNum[c]!;
  if (!shuffled && (s.cacheFlags[c]! & CFLGS_OBJFREELIST_SLAB) !== 0) {
    s.slabFreelist[slot] = indexToObj(s, c, slot, num - 1) + s.cacheObjOffset[c]!;
  }
  const ctor = s.cacheCtor[c];
  const base = slot * FREEIDX_STRIDE;
  for (let i = 0; i < num; i++) {
    // constructor could break poison info (DEBUG caches ran it in cacheInitObjsDebug)
    if (!debug && ctor !== undefined) ctor(indexToObj(s, c, slot, i));
    if (!shuffled) s.slabFreeIdx[base + i] = i;
  }
}

/**
 * Writes a random freelist: the cache's pre-computed random_seq, read from a random start.
 * Kernel: `shuffle_freelist()` with `freelist_state_initialize()` and `next_random_slot()`.
 * @returns false when not shuffled (fewer than 2 objects: the kernel made no sequence)
 */
export function shuffleFreelist(s: SlabState, c: number, slot: number): boolean {
  const num = s.cacheNum[c]!;
  let count = num;
  if (count < 2) return false;
  const seq = s.cacheRandomSeq[c];
  // random_seq exists for every cache with num ≥ 2: mmsim creates caches only at slab_state FULL,
  // so the boot-time path (a Fisher-Yates over a state seeded per slab) is never taken.
  if (seq === null || seq === undefined) return false;
  let pos = s.rng.nextU32() % num; // state->pos = get_random_u32() % count
  const base = slot * FREEIDX_STRIDE;
  const objfreelistSlab = (s.cacheFlags[c]! & CFLGS_OBJFREELIST_SLAB) !== 0;
  let objfreelist = 0;
  if (objfreelistSlab) {
    if (pos >= num) pos = 0;
    objfreelist = seq[pos++]!;
    s.slabFreelist[slot] = indexToObj(s, c, slot, objfreelist) + s.cacheObjOffset[c]!;
    count--;
  }
  for (let i = 0; i < count; i++) {
    if (pos >= num) pos = 0;
    s.slabFreeIdx[base + i] = seq[pos++]!;
  }
  if (objfreelistSlab) s.slabFreeIdx[base + num - 1] = objfreelist;
  return true;
}

/**
 * Gives a slab's pages back. Kernel: `kmem_freepages()` (`__folio_clear_slab`, `unaccount_slab`, `__free_pages`).
 */
export function kmemFreepages(s: SlabState, c: number, slot: number, cpu: number): void {
  const mem = s.mem;
  const pfn = s.slabPfn[slot]!;
  const order = s.cacheOrder[c]!;
  const nrPages = 1 << order;
  const page = pfn - mem.basePfn;
  for (let p = 0; p < nrPages; p++) {
    clearPageSlab(mem, page + p); // __folio_clear_slab()
    mem.private[page + p] = 0;
  }
  s.pages.modNodePageState(pfn, s.cacheVmstatItem[c]!, -nrPages);
  s.pages.freePages(pfn, order, cpu);
}

/**
 * Destroys a slab taken off its lists: pages back to the page allocator, an off-slab freelist
 * back to its kmalloc cache. Kernel: `slab_destroy()`.
 */
export function slabDestroy(s: SlabState, c: number, slot: number, cpu: number): void {
  const freelist = s.slabFreelist[slot]!;
  kmemFreepages(s, c, slot, cpu);
  freeSlotPut(s, slot);
  if ((s.cacheFlags[c]! & CFLGS_OFF_SLAB) !== 0) kfreeObj(s, freelist, cpu);
}

/** Destroys every slab on a temporary list. Kernel: `slabs_destroy()`. */
export function slabsDestroy(s: SlabState, c: number, list: number, cpu: number): void {
  // s.slabNext is re-read each turn: slab_destroy may grow the slot tables (a kfree that refills).
  while (s.slabNext[list] !== list) {
    const slot = s.slabNext[list]!;
    listDel(s.slabNext, s.slabPrev, slot);
    slabDestroy(s, c, slot, cpu);
  }
}

// ---------------------------------------------------------------------------------------------
// allocation
// ---------------------------------------------------------------------------------------------

/**
 * Refills an empty per-CPU array: from the node's shared array, else batchcount objects from the
 * partial and free slabs, else from a new slab. Kernel: `cache_alloc_refill()`.
 * @returns an object, or 0 (NULL)
 */
export function cacheAllocRefill(s: SlabState, c: number, flags: number, cpu: number): number {
  const node = s.cpuToNode[cpu]!;
  const acBase = s.cacheAcBase[c]!;
  const ac = acBase + cpu;
  let batchcount = s.acBatch[ac]!;
  // If there was little recent activity on this cache, then perform only a partial refill.
  if (s.acTouched[ac] === 0 && batchcount > BATCHREFILL_LIMIT) batchcount = BATCHREFILL_LIMIT;
  const cn = c * s.nrNodes + node;
  const shared = s.nodeHasShared[cn] !== 0 ? acBase + s.nrCpus + node : -1;
  if (!(s.nodeFreeObjects[cn] === 0 && (shared < 0 || s.acAvail[shared] === 0))) {
    s.clock.advance(s.costSlowPath); // spin_lock(&n->list_lock)
    if (shared >= 0 && transferObjects(s, ac, shared, batchcount) !== 0) {
      s.acTouched[shared] = 1;
    } else {
      while (batchcount > 0) {
        const slot = getFirstSlab(s, cn);
        if (slot < 0) break;
        batchcount = allocBlock(s, c, ac, slot, batchcount);
        fixupSlabList(s, c, cn, slot);
      }
      // must_grow:
      s.nodeFreeObjects[cn]! -= s.acAvail[ac]!;
    }
  }
  // direct_grow:
  if (s.acAvail[ac] === 0) {
    const slot = cacheGrowBegin(s, c, gfpExactNode(flags), node, cpu);
    if (s.acAvail[ac] === 0 && slot >= 0) allocBlock(s, c, ac, slot, batchcount);
    cacheGrowEnd(s, c, slot);
    if (s.acAvail[ac] === 0) return 0;
  }
  s.acTouched[ac] = 1;
  const avail = s.acAvail[ac]! - 1;
  s.acAvail[ac] = avail;
  return s.acEntry[ac]![avail]!;
}

/** The CPU's array cache, refilled when empty. Kernel: `____cache_alloc()`. @returns object or 0 */
export function cacheAlloc(s: SlabState, c: number, flags: number, cpu: number): number {
  const ac = s.cacheAcBase[c]! + cpu;
  const avail = s.acAvail[ac]!;
  if (avail > 0) {
    s.acTouched[ac] = 1;
    s.acAvail[ac] = avail - 1;
    return s.acEntry[ac]![avail - 1]!;
  }
  return cacheAllocRefill(s, c, flags, cpu);
}

/**
 * One object straight from a node's slab lists (growing the node), else from any node.
 * Kernel: `____cache_alloc_node()`. @returns object or 0
 */
export function cacheAllocNode(s: SlabState, c: number, flags: number, nodeid: number, cpu: number): number {
  const cn = c * s.nrNodes + nodeid;
  s.clock.advance(s.costSlowPath);
  let slot = getFirstSlab(s, cn);
  if (slot >= 0) {
    const obj = slabGetObj(s, c, slot);
    s.nodeFreeObjects[cn]!--;
    fixupSlabList(s, c, cn, slot);
    return obj;
  }
  // must_grow:
  slot = cacheGrowBegin(s, c, gfpExactNode(flags), nodeid, cpu);
  let obj = 0;
  // This slab isn't counted yet so don't update free_objects
  if (slot >= 0) obj = slabGetObj(s, c, slot);
  cacheGrowEnd(s, c, slot);
  return obj !== 0 ? obj : fallbackAlloc(s, c, flags, cpu);
}

/**
 * No memory on the wanted node: take an object from any node that has free ones (the local node
 * first, then the others in node order), else grow a slab wherever the page allocator finds
 * pages. Kernel: `fallback_alloc()`. @returns object or 0
 */
export function fallbackAlloc(s: SlabState, c: number, flags: number, cpu: number): number {
  if ((flags & __GFP_THISNODE) !== 0) return 0;
  const nn = s.nrNodes;
  const local = s.cpuToNode[cpu]!;
  let obj = 0;
  for (let i = 0; i < nn && obj === 0; i++) {
    const nid = (local + i) % nn;
    if (s.nodeFreeObjects[c * nn + nid]! > 0) obj = cacheAllocNode(s, c, gfpExactNode(flags), nid, cpu);
  }
  if (obj === 0) {
    const slot = cacheGrowBegin(s, c, flags, local, cpu);
    cacheGrowEnd(s, c, slot);
    if (slot >= 0) obj = cacheAllocNode(s, c, gfpExactNode(flags), s.slabNode[slot]!, cpu);
  }
  return obj;
}

/** Kernel: `__do_cache_alloc()` (CONFIG_NUMA). @returns object or 0 */
export function doCacheAlloc(s: SlabState, c: number, flags: number, nodeid: number, cpu: number): number {
  const slabNode = s.cpuToNode[cpu]!;
  let obj = 0;
  if (nodeid === -1) {
    // Use the locally cached objects if possible.
    obj = cacheAlloc(s, c, flags, cpu);
    nodeid = slabNode;
  } else if (nodeid === slabNode) {
    obj = cacheAlloc(s, c, flags, cpu);
  }
  // We may just have run out of memory on the local node.
  if (obj === 0) obj = cacheAllocNode(s, c, flags, nodeid, cpu);
  return obj;
}

/**
 * Allocates one object; no argument checks. Kernel: `slab_alloc_node()`.
 * @returns the object's address, or 0 (NULL)
 */
export function slabAllocNode(s: SlabState, c: number, flags: number, nodeid: number, cpu: number): number {
  s.clock.advance(s.costAllocFast);
  let obj = doCacheAlloc(s, c, flags, nodeid, cpu);
  if (obj === 0) return 0;
  if (s.cacheDebug[c] !== 0) obj = cacheAllocDebugcheckAfter(s, c, obj);
  s.cacheInuse[c]!++;
  return obj;
}

/**
 * kmem_cache_alloc / kmem_cache_alloc_node: the array_cache hit inline, everything else through
 * slabAllocNode. Kernel: `kmem_cache_alloc_node()`.
 * @param nodeid node, or -1 (NUMA_NO_NODE)
 * @returns the object's address, or 0 (NULL)
 * @throws ArgumentError for a cache that does not exist, or a CPU or node out of range
 */
export function kmemCacheAllocNode(s: SlabState, c: number, flags: number, cpu: number, nodeid: number): number {
  if (s.cacheAlive[c] !== 1) badCacheId(s, "kmemCacheAlloc", c);
  if (!(cpu >= 0 && cpu < s.nrCpus && (cpu | 0) === cpu)) badCpu(s, "kmemCacheAlloc", cpu);
  if (nodeid !== -1 && !(nodeid >= 0 && nodeid < s.nrNodes)) badNid(s, "kmemCacheAlloc", nodeid);
  if (s.cacheDebug[c] === 0 && (nodeid === -1 || nodeid === s.cpuToNode[cpu])) {
    const ac = s.cacheAcBase[c]! + cpu;
    const avail = s.acAvail[ac]!;
    if (avail > 0) {
      s.clock.advance(s.costAllocFast);
      s.acTouched[ac] = 1;
      s.acAvail[ac] = avail - 1;
      s.cacheInuse[c]!++;
      return s.acEntry[ac]![avail - 1]!;
    }
  }
  return slabAllocNode(s, c, flags, nodeid, cpu);
}

// ---------------------------------------------------------------------------------------------
// free
// ---------------------------------------------------------------------------------------------

/**
 * Returns objects to their slabs on `node` and detaches slabs beyond free_limit onto `list`.
 * Kernel: `free_block()` (called with n->list_lock held).
 */
export function freeBlock(s: SlabState, c: number, entries: Float64Array, nrObjects: number, node: number, list: number): void {
  const cn = c * s.nrNodes + node;
  const head = s.nodeHead[cn]!;
  s.nodeFreeObjects[cn]! += nrObjects;
  for (let i = 0; i < nrObjects; i++) {
    const objp = entries[i]!;
    const slot = virtToSlab(s, objp);
    if (slot < 0) {
      // The kernel would fault on this pointer; mmsim drops it (state stays corrupt, validate() says so).
      reportLostObject(s, c, objp);
      continue;
    }
    listDel(s.slabNext, s.slabPrev, slot);
    if (!slabPutObj(s, c, slot, objp)) s.nodeFreeObjects[cn]!--;
    // fixup slab chains
    if (s.slabActive[slot] === 0) {
      listAdd(s.slabNext, s.slabPrev, slot, head + LIST_FREE);
      s.nodeFreeSlabs[cn]!++;
    } else {
      // Unconditionally move a slab to the end of the partial list on free - maximum time for
      // the other objects to be freed, too.
      listAddTail(s.slabNext, s.slabPrev, slot, head + LIST_PARTIAL);
    }
  }
  const num = s.cacheNum[c]!;
  while (s.nodeFreeObjects[cn]! > s.nodeFreeLimit[cn]! && !listEmpty(s.slabNext, head + LIST_FREE)) {
    s.nodeFreeObjects[cn]! -= num;
    const slot = listLast(s.slabPrev, head + LIST_FREE);
    listMove(s.slabNext, s.slabPrev, slot, list);
    s.nodeFreeSlabs[cn]!--;
    s.nodeTotalSlabs[cn]!--;
  }
}

/**
 * A full per-CPU array gives its oldest batchcount entries to the shared array, or back to their
 * slabs. Kernel: `cache_flusharray()`.
 */
export function cacheFlusharray(s: SlabState, c: number, ac: number, cpu: number): void {
  let batchcount = s.acBatch[ac]!;
  const node = s.cpuToNode[cpu]!;
  const cn = c * s.nrNodes + node;
  const entry = s.acEntry[ac]!;
  s.clock.advance(s.costSlowPath);
  const list = pushTempList(s);
  let done = false;
  if (s.nodeHasShared[cn] !== 0) {
    const sh = s.cacheAcBase[c]! + s.nrCpus + node;
    const shAvail = s.acAvail[sh]!;
    const max = s.acLimit[sh]! - shAvail;
    if (max > 0) {
      if (batchcount > max) batchcount = max;
      const shEntry = s.acEntry[sh]!;
      for (let i = 0; i < batchcount; i++) shEntry[shAvail + i] = entry[i]!;
      s.acAvail[sh] = shAvail + batchcount;
      done = true;
    }
  }
  if (!done) freeBlock(s, c, entry, batchcount, node, list);
  // free_done:
  const avail = s.acAvail[ac]! - batchcount;
  s.acAvail[ac] = avail;
  entry.copyWithin(0, batchcount, batchcount + avail);
  slabsDestroy(s, c, list, cpu);
  popTempList(s);
}

/**
 * Pushes an object on an array cache, refusing the trivial double free
 * (CONFIG_SLAB_FREELIST_HARDENED). Kernel: `__free_one()`.
 */
export function freeOne(s: SlabState, c: number, ac: number, objp: number): void {
  const avail = s.acAvail[ac]!;
  const entry = s.acEntry[ac]!;
  if (s.freelistHardened && avail > 0 && entry[avail - 1] === objp) {
    warnTrivialDoubleFree(s);
    return;
  }
  entry[avail] = objp;
  s.acAvail[ac] = avail + 1;
  s.cacheInuse[c]!--;
}

/**
 * Empties an alien cache into node `node`: its shared array first, the rest to the slabs.
 * Kernel: `__drain_alien_cache()`.
 */
export function drainAlienOne(s: SlabState, c: number, ac: number, node: number, list: number): void {
  if (s.acAvail[ac] === 0) return;
  const cn = c * s.nrNodes + node;
  s.clock.advance(s.costSlowPath);
  // Stuff objects into the remote nodes shared array first.
  if (s.nodeHasShared[cn] !== 0) transferObjects(s, s.cacheAcBase[c]! + s.nrCpus + node, ac, s.acLimit[ac]!);
  freeBlock(s, c, s.acEntry[ac]!, s.acAvail[ac]!, node, list);
  s.acAvail[ac] = 0;
}

/**
 * Frees an object of another node: into this node's alien cache for that node, or straight to
 * its slab. Kernel: `cache_free_alien()` + `__cache_free_alien()`.
 * @returns true when the object belonged to another node (and was handled here)
 */
export function cacheFreeAlien(s: SlabState, c: number, objp: number, cpu: number): boolean {
  const slot = virtToSlab(s, objp);
  if (slot < 0) return false;
  const slabNode = s.slabNode[slot]!;
  const node = s.cpuToNode[cpu]!;
  if (node === slabNode) return false;
  const nn = s.nrNodes;
  const cn = c * nn + node;
  const list = pushTempList(s);
  s.clock.advance(s.costSlowPath);
  if (s.nodeHasAlien[cn] !== 0) {
    const alc = s.cacheAcBase[c]! + s.nrCpus + nn + node * nn + slabNode;
    if (s.acAvail[alc] === s.acLimit[alc]) drainAlienOne(s, c, alc, slabNode, list);
    freeOne(s, c, alc, objp);
  } else {
    s.scratch[0] = objp;
    freeBlock(s, c, s.scratch, 1, slabNode, list);
    s.cacheInuse[c]!--;
  }
  slabsDestroy(s, c, list, cpu);
  popTempList(s);
  return true;
}

/**
 * Releases an object to its cache; no cache_from_obj. Kernel: `___cache_free()` (and its DEBUG
 * `cache_free_debugcheck()` for debug caches).
 */
export function cacheFree(s: SlabState, c: number, objp: number, cpu: number): void {
  if (s.cacheDebug[c] !== 0) {
    objp = cacheFreeDebugcheck(s, c, objp);
    if (objp < 0) return;
  }
  // Skip calling cache_free_alien() when the platform is not numa.
  if (s.nrNodes > 1 && cacheFreeAlien(s, c, objp, cpu)) return;
  const ac = s.cacheAcBase[c]! + cpu;
  if (s.acAvail[ac]! >= s.acLimit[ac]!) cacheFlusharray(s, c, ac, cpu);
  freeOne(s, c, ac, objp);
}

/**
 * Frees a kmalloc'ed object (an off-slab freelist). Kernel: `kfree()` → `__kmem_cache_free()`.
 */
export function kfreeObj(s: SlabState, obj: number, cpu: number): void {
  const slot = virtToSlab(s, obj);
  if (slot < 0) {
    reportNotSlabPage(s, obj);
    return;
  }
  s.clock.advance(s.costFreeFast);
  cacheFree(s, s.slabCache[slot]!, obj, cpu);
}

/**
 * kmem_cache_free: with CONFIG_SLAB_FREELIST_HARDENED (or SLAB_CONSISTENCY_CHECKS), the object's
 * own cache is looked up and a mismatch WARNs and frees to the object's cache; an address in no
 * slab WARNs once and is ignored. Kernel: `kmem_cache_free()` → `cache_from_obj()` → `__cache_free()`.
 * @throws ArgumentError for a cache that does not exist or a CPU out of range
 */
export function kmemCacheFree(s: SlabState, c: number, obj: number, cpu: number): void {
  if (s.cacheAlive[c] !== 1) badCacheId(s, "kmemCacheFree", c);
  if (!(cpu >= 0 && cpu < s.nrCpus && (cpu | 0) === cpu)) badCpu(s, "kmemCacheFree", cpu);
  if (s.freelistHardened || (s.cacheFlags[c]! & SLAB_CONSISTENCY_CHECKS) !== 0) {
    const slot = virtToSlab(s, obj);
    if (slot < 0) {
      reportNotSlabPage(s, obj);
      return;
    }
    const real = s.slabCache[slot]!;
    if (real !== c) {
      reportWrongCache(s, c, real, obj);
      c = real;
    }
  }
  s.clock.advance(s.costFreeFast);
  if (s.cacheDebug[c] === 0 && s.nrNodes === 1) {
    // ___cache_free, no debug, one node: the array_cache hit inline
    const ac = s.cacheAcBase[c]! + cpu;
    if (s.acAvail[ac]! >= s.acLimit[ac]!) cacheFlusharray(s, c, ac, cpu);
    freeOne(s, c, ac, obj);
    return;
  }
  cacheFree(s, c, obj, cpu);
}
