// Kernel: mm/slub.c (v6.1) — the allocation and free paths (slab_alloc_node, ___slab_alloc, do_slab_free, __slab_free, deactivate_slab, …)
/*
 * Hot file (STYLE C8): free functions over SlubAllocator's arrays, taking the allocator first;
 * no closures, literals, template strings or exceptions (API checks and everything printed
 * are in slub-debug.ts). What is simulated and the invariants: see slub.ts.
 */
import {
  GFP_CONSTRAINT_MASK, GFP_RECLAIM_MASK, GFP_SLAB_BUG_MASK, EBUSY, listAdd, listAddTail, listDel, NIL_OBJECT, NIL_PFN,
  NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B, PAGE_SIZE, PG_slab, SLAB_RECLAIM_ACCOUNT, SLAB_STORE_USER,
  __GFP_DIRECT_RECLAIM, __GFP_NOFAIL, __GFP_NOMEMALLOC, __GFP_NORETRY, __GFP_NOWARN, __GFP_RECLAIM, __GFP_ZERO,
  pageToNid,
} from "@mmsim/core";
import { SHRINK_PROMOTE_MAX } from "./kmem-cache.ts";
import { FP_FAULT, getFreepointer, objIndex, objToSlab, setFreepointer } from "./slab-freelist.ts";
import {
  allocSingleFromNewSlab, allocSingleFromPartial, BUG_DEACTIVATE, BUG_FREE_FAST, BUG_FREE_SLOW, checkArgs,
  debugPostAlloc, debugSetupObject, freeDebugProcessing, freeSlabChecks, kmallocFixFlags, listSlabObjects,
  oopsWildPointer, reportDroppedFree, reportKernelBug, setTrackAlloc, setupSlabDebug, slabOutOfMemory,
  warnAcquireNullFreelist, warnCtorZero, warnNotSlabPage, warnWrongCache,
} from "./slub-debug.ts";
import type { SlubAllocator } from "./slub.ts";
import { NIL_SLAB } from "./struct-slab.ts";

/** `add_partial()`'s position: DEACTIVATE_TO_HEAD (list_add) or DEACTIVATE_TO_TAIL (list_add_tail). */
export const DEACTIVATE_TO_HEAD = 0;
export const DEACTIVATE_TO_TAIL = 1;
/** Kernel: `NUMA_NO_NODE`. */
export const NO_NODE = -1;

// ---------------------------------------------------------------------------------------------
// Allocation
// ---------------------------------------------------------------------------------------------

/**
 * Allocates one object: the lockless CPU freelist when it can, else ___slab_alloc().
 * Kernel: `slab_alloc_node()`.
 * @param nid the node asked for, or -1 (NUMA_NO_NODE)
 * @returns the object's address, or NIL_OBJECT
 */
export function slabAllocNode(sa: SlubAllocator, s: number, gfp: number, cpu: number, nid: number): number {
  const caches = sa.caches;
  const c = s * sa.nrCpus + cpu;
  const obj = caches.cpuFreelist[c]!;
  const slab = caches.cpuSlab[c]!;
  if (obj > 0 && slab >= 0 && cpu >>> 0 < sa.nrCpus && (nid < 0 || sa.slabs.nid[slab] === nid)) {
    const slabs = sa.slabs;
    const idx = (obj - slabs.base[slab]!) / caches.size[s]!;
    if (idx >= 0 && idx < slabs.objects[slab]! && (idx | 0) === idx) {
      const w = slabs.fpBase[slab]! + idx;
      caches.cpuFreelist[c] = slabs.fpw[w]!;
      caches.cpuTid[c] += 1;
      if (sa.zeroFpOnAlloc[s] === 1 || ((gfp & __GFP_ZERO) !== 0 && sa.fpInside[s] === 1)) slabs.fpw[w] = 0;
      sa.clock.advance(sa.costAllocFast);
      return obj;
    }
  }
  if (s >= caches.count || caches.alive[s] !== 1 || !(cpu >= 0 && cpu < sa.nrCpus)) checkArgs(sa, "kmemCacheAlloc", s, cpu);
  return slabAllocSlow(sa, s, gfp, cpu, nid);
}

/**
 * The slow path. Kernel: `___slab_alloc()`.
 */
export function slabAllocSlow(sa: SlubAllocator, s: number, gfp: number, cpu: number, nid: number): number {
  const caches = sa.caches;
  const slabs = sa.slabs;
  const c = s * sa.nrCpus + cpu;
  sa.curCpu = cpu;
  sa.clock.advance(sa.costSlow);
  let node = nid;
  if (node >= sa.nrNodes) node = NO_NODE;
  let slab: number;
  let freelist: number;
  for (;;) {
    slab = caches.cpuSlab[c]!;
    if (slab >= 0) {
      if (node >= 0 && slabs.nid[slab] !== node) {
        // deactivate_slab: the CPU slab is on the wrong node.
        freelist = caches.cpuFreelist[c]!;
        caches.cpuSlab[c] = NIL_SLAB;
        caches.cpuFreelist[c] = 0;
        caches.cpuTid[c] += 1;
        deactivateSlab(sa, s, slab, freelist);
      } else {
        freelist = caches.cpuFreelist[c]!;
        if (freelist === 0) freelist = getFreelist(sa, slab);
        if (freelist !== 0) return loadFreelist(sa, s, c, freelist, gfp);
        caches.cpuSlab[c] = NIL_SLAB;
        caches.cpuTid[c] += 1;
      }
    }
    // new_slab: take the next slab of the CPU partial chain.
    const p = caches.cpuPartialHead[c]!;
    if (p < 0) break;
    caches.cpuSlab[c] = p;
    caches.cpuPartialHead[c] = slabs.next[p]!;
    slabs.next[p] = NIL_SLAB;
  }
  const debug = caches.debug[s] === 1;
  // new_objects:
  for (;;) {
    freelist = getPartial(sa, s, node, cpu);
    if (freelist !== 0) {
      slab = sa.pcSlab;
      break;
    }
    slab = newSlab(sa, s, gfp, node, cpu);
    if (slab === NIL_SLAB) {
      slabOutOfMemory(sa, s, gfp, node);
      return NIL_OBJECT;
    }
    if (debug) {
      freelist = allocSingleFromNewSlab(sa, s, slab);
      if (freelist === 0) continue;
      setTrackAlloc(sa, s, freelist, cpu);
      debugPostAlloc(sa, s, freelist, gfp);
      return freelist;
    }
    freelist = slabs.freelist[slab]!;
    slabs.freelist[slab] = 0;
    slabs.inuse[slab] = slabs.objects[slab]!;
    slabs.frozen[slab] = 1;
    incSlabsNode(sa, s, slabs.nid[slab]!, slabs.objects[slab]!);
    break;
  }
  // check_new_slab:
  if (debug) {
    setTrackAlloc(sa, s, freelist, cpu);
    debugPostAlloc(sa, s, freelist, gfp);
    return freelist;
  }
  // retry_load_slab: another slab became the CPU slab meanwhile (only through a nested path).
  const old = caches.cpuSlab[c]!;
  if (old >= 0) {
    const oldFreelist = caches.cpuFreelist[c]!;
    caches.cpuSlab[c] = NIL_SLAB;
    caches.cpuFreelist[c] = 0;
    caches.cpuTid[c] += 1;
    deactivateSlab(sa, s, old, oldFreelist);
  }
  caches.cpuSlab[c] = slab;
  return loadFreelist(sa, s, c, freelist, gfp);
}

/**
 * Hands out the first object of `freelist` and makes the rest the CPU freelist.
 * Kernel: the `load_freelist:` label of ___slab_alloc().
 */
function loadFreelist(sa: SlubAllocator, s: number, c: number, freelist: number, gfp: number): number {
  const next = getFreepointer(sa, s, freelist);
  if (next === FP_FAULT) {
    oopsWildPointer(sa, s, freelist);
    return NIL_OBJECT;
  }
  sa.caches.cpuFreelist[c] = next;
  sa.caches.cpuTid[c] += 1;
  if (freelist > 0 && (sa.zeroFpOnAlloc[s] === 1 || ((gfp & __GFP_ZERO) !== 0 && sa.fpInside[s] === 1))) setFreepointer(sa, s, freelist, 0);
  return freelist;
}

/**
 * Takes the slab's freelist for the CPU; unfreezes the slab when it is empty.
 * Kernel: `get_freelist()`.
 */
function getFreelist(sa: SlubAllocator, slab: number): number {
  const slabs = sa.slabs;
  const freelist = slabs.freelist[slab]!;
  slabs.inuse[slab] = slabs.objects[slab]!;
  slabs.frozen[slab] = freelist !== 0 ? 1 : 0;
  slabs.freelist[slab] = 0;
  return freelist;
}

/**
 * A partial slab from the CPU's node, or (for NUMA_NO_NODE) from any node.
 * Kernel: `get_partial()`.
 * @returns the first free object (sa.pcSlab names its slab), or 0
 */
function getPartial(sa: SlubAllocator, s: number, node: number, cpu: number): number {
  const searchNode = node === NO_NODE ? sa.cpuToNode[cpu]! : node;
  const obj = getPartialNode(sa, s, searchNode, cpu);
  if (obj !== 0 || node !== NO_NODE) return obj;
  return getAnyPartial(sa, s, cpu);
}

/**
 * Takes slabs off a node's partial list: the first becomes the CPU slab, the next go to the
 * CPU partial chain until more than half of cpu_partial_slabs were moved.
 * Kernel: `get_partial_node()`.
 */
function getPartialNode(sa: SlubAllocator, s: number, nid: number, cpu: number): number {
  const caches = sa.caches;
  const slabs = sa.slabs;
  const n = s * sa.nrNodes + nid;
  if (caches.nrPartial[n] === 0) return 0;
  sa.clock.advance(sa.costSlow);
  const head = caches.nodePartial[n]!;
  const debug = caches.debug[s] === 1;
  let object = 0;
  let partialSlabs = 0;
  let slab = slabs.listNext[head]!;
  while (slab !== head) {
    const next = slabs.listNext[slab]!;
    if (debug) {
      object = allocSingleFromPartial(sa, s, n, slab);
      if (object !== 0) break;
      slab = next;
      continue;
    }
    const t = acquireSlab(sa, s, n, slab, object === 0);
    if (t === 0) break;
    if (object === 0) {
      sa.pcSlab = slab;
      object = t;
    } else {
      putCpuPartial(sa, s, slab, false, cpu);
      partialSlabs++;
    }
    if (caches.hasCpuPartial[s] !== 1 || partialSlabs > caches.cpuPartialSlabs[s]! / 2) break;
    slab = next;
  }
  return object;
}

/**
 * Freezes a slab off the partial list. `mode` true: take its whole freelist (for the CPU slab);
 * false: leave the freelist in the slab (for the CPU partial chain).
 * Kernel: `acquire_slab()`.
 */
function acquireSlab(sa: SlubAllocator, s: number, n: number, slab: number, mode: boolean): number {
  const slabs = sa.slabs;
  const freelist = slabs.freelist[slab]!;
  if (mode) {
    slabs.inuse[slab] = slabs.objects[slab]!;
    slabs.freelist[slab] = 0;
  }
  slabs.frozen[slab] = 1;
  removePartial(sa, n, slab);
  if (freelist === 0) warnAcquireNullFreelist(sa, s);
  return freelist;
}

/**
 * Partial slabs from other nodes, in node order from the CPU's own, only for nodes above
 * min_partial and only when the defrag ratio allows. Kernel: `get_any_partial()` (get_cycles()
 * is the simulated clock).
 */
function getAnyPartial(sa: SlubAllocator, s: number, cpu: number): number {
  const caches = sa.caches;
  const ratio = caches.remoteNodeDefragRatio[s]!;
  if (ratio === 0 || Math.floor(sa.clock.now()) % 1024 > ratio) return 0;
  const local = sa.cpuToNode[cpu]!;
  for (let k = 0; k < sa.nrNodes; k++) {
    const nid = (local + k) % sa.nrNodes;
    if (caches.nrPartial[s * sa.nrNodes + nid]! > caches.minPartial[s]!) {
      const obj = getPartialNode(sa, s, nid, cpu);
      if (obj !== 0) return obj;
    }
  }
  return 0;
}

/**
 * Allocates and lays out a new slab. Kernel: `new_slab()` → `allocate_slab()`.
 * @returns the slab id, or NIL_SLAB when the page allocator has nothing
 */
export function newSlab(sa: SlubAllocator, s: number, gfp: number, node: number, cpu: number): number {
  let flags = gfp;
  if ((flags & GFP_SLAB_BUG_MASK) !== 0) flags = kmallocFixFlags(sa, flags);
  if (sa.caches.ctor[s] !== undefined && (flags & __GFP_ZERO) !== 0) warnCtorZero(sa);
  return allocateSlab(sa, s, flags & (GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK), node, cpu);
}

function allocPagesNode(sa: SlubAllocator, gfp: number, order: number, node: number, cpu: number): number {
  sa.curCpu = cpu;
  return node === NO_NODE ? sa.pages.allocPages(gfp, order, cpu) : sa.pages.allocPages(gfp, order, cpu, node);
}

/** Kernel: `allocate_slab()`. */
function allocateSlab(sa: SlubAllocator, s: number, gfp: number, node: number, cpu: number): number {
  const caches = sa.caches;
  const slabs = sa.slabs;
  const mem = sa.mem;
  const flags = gfp | caches.allocflags[s]!;
  let order = caches.order[s]!;
  let objects = caches.objects[s]!;
  let allocGfp = (flags | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_NOFAIL;
  if ((allocGfp & __GFP_DIRECT_RECLAIM) !== 0 && order > caches.minOrder[s]!) allocGfp = (allocGfp | __GFP_NOMEMALLOC) & ~__GFP_RECLAIM;
  let pfn = allocPagesNode(sa, allocGfp, order, node, cpu);
  if (pfn === NIL_PFN) {
    order = caches.minOrder[s]!;
    objects = caches.minObjects[s]!;
    pfn = allocPagesNode(sa, flags, order, node, cpu);
    if (pfn === NIL_PFN) return NIL_SLAB;
  }
  const id = slabs.allocSlab();
  const page = pfn - mem.basePfn;
  const nrPages = 2 ** order;
  slabs.pfn[id] = pfn;
  slabs.cache[id] = s;
  slabs.order[id] = order;
  slabs.nid[id] = pageToNid(mem, page);
  slabs.objects[id] = objects;
  slabs.inuse[id] = 0;
  slabs.frozen[id] = 0;
  slabs.freelist[id] = 0;
  slabs.next[id] = NIL_SLAB;
  slabs.slabs[id] = 0;
  slabs.base[id] = pfn * PAGE_SIZE + caches.redLeftPad[s]!;
  // account_slab + __folio_set_slab: every page answers PageSlab and links to its slab.
  for (let p = page; p < page + nrPages; p++) {
    mem.flags[p] |= 1 << PG_slab;
    mem.private[p] = id + 1;
  }
  sa.pages.modNodePageState(pfn, (caches.flags[s]! & SLAB_RECLAIM_ACCOUNT) !== 0 ? NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B, nrPages);
  caches.pages[s] += nrPages;
  const debug = caches.debug[s] === 1;
  if (debug) setupSlabDebug(sa, s, id, nrPages * PAGE_SIZE);
  else slabs.reserveWords(id, objects);
  if (!shuffleFreelist(sa, s, id)) {
    const base = slabs.base[id]!;
    const size = caches.size[s]!;
    setupObject(sa, s, id, base);
    slabs.freelist[id] = base;
    let p = base;
    for (let i = 0; i < objects - 1; i++) {
      const next = p + size;
      setupObject(sa, s, id, next);
      setFreepointer(sa, s, p, next);
      p = next;
    }
    setFreepointer(sa, s, p, 0);
  }
  return id;
}

/** Kernel: `setup_object()`: debug initialisation, then the constructor. */
function setupObject(sa: SlubAllocator, s: number, slab: number, obj: number): void {
  if (sa.caches.debug[s] === 1) debugSetupObject(sa, s, slab, obj);
  const ctor = sa.caches.ctor[s];
  if (ctor !== undefined) ctor(obj);
}

/**
 * Builds the freelist in the cache's pre-shuffled order from a random start.
 * Kernel: `shuffle_freelist()` / `next_freelist_entry()` (CONFIG_SLAB_FREELIST_RANDOM).
 */
function shuffleFreelist(sa: SlubAllocator, s: number, slab: number): boolean {
  const seq = sa.caches.randomSeq[s];
  const objects = sa.slabs.objects[slab]!;
  if (objects < 2 || seq === undefined) return false;
  const count = seq.length;
  let pos = sa.rng.below(count);
  const base = sa.slabs.base[slab]!;
  const size = sa.caches.size[s]!;
  let idx: number;
  do {
    idx = seq[pos]!;
    if (++pos >= count) pos = 0;
  } while (idx >= objects);
  let cur = base + idx * size;
  setupObject(sa, s, slab, cur);
  sa.slabs.freelist[slab] = cur;
  for (let i = 1; i < objects; i++) {
    do {
      idx = seq[pos]!;
      if (++pos >= count) pos = 0;
    } while (idx >= objects);
    const next = base + idx * size;
    setupObject(sa, s, slab, next);
    setFreepointer(sa, s, cur, next);
    cur = next;
  }
  setFreepointer(sa, s, cur, 0);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Node lists and counters
// ---------------------------------------------------------------------------------------------

/** Kernel: `add_partial()` / `__add_partial()`. */
export function addPartial(sa: SlubAllocator, n: number, slab: number, tail: number): void {
  sa.caches.nrPartial[n] += 1;
  if (tail === DEACTIVATE_TO_TAIL) listAddTail(sa.slabs.listNext, sa.slabs.listPrev, slab, sa.caches.nodePartial[n]!);
  else listAdd(sa.slabs.listNext, sa.slabs.listPrev, slab, sa.caches.nodePartial[n]!);
}

/** Kernel: `remove_partial()`. */
export function removePartial(sa: SlubAllocator, n: number, slab: number): void {
  listDel(sa.slabs.listNext, sa.slabs.listPrev, slab);
  sa.caches.nrPartial[n] -= 1;
}

/** Kernel: `add_full()` (SLAB_STORE_USER only). */
export function addFull(sa: SlubAllocator, s: number, n: number, slab: number): void {
  if ((sa.caches.flags[s]! & SLAB_STORE_USER) === 0) return;
  listAdd(sa.slabs.listNext, sa.slabs.listPrev, slab, sa.caches.nodeFull[n]!);
}

/** Kernel: `remove_full()` (SLAB_STORE_USER only). */
export function removeFull(sa: SlubAllocator, s: number, slab: number): void {
  if ((sa.caches.flags[s]! & SLAB_STORE_USER) === 0) return;
  if (sa.slabs.listNext[slab]! >= 0) listDel(sa.slabs.listNext, sa.slabs.listPrev, slab);
}

/** Kernel: `inc_slabs_node()`. */
export function incSlabsNode(sa: SlubAllocator, s: number, nid: number, objects: number): void {
  const n = s * sa.nrNodes + nid;
  sa.caches.nrSlabs[n] += 1;
  sa.caches.totalObjects[n] += objects;
}

/** Kernel: `dec_slabs_node()`. */
export function decSlabsNode(sa: SlubAllocator, s: number, nid: number, objects: number): void {
  const n = s * sa.nrNodes + nid;
  sa.caches.nrSlabs[n] -= 1;
  sa.caches.totalObjects[n] -= objects;
}

/** Kernel: `discard_slab()`. */
export function discardSlab(sa: SlubAllocator, s: number, slab: number): void {
  decSlabsNode(sa, s, sa.slabs.nid[slab]!, sa.slabs.objects[slab]!);
  freeSlab(sa, s, slab);
}

/**
 * Gives a slab's pages back. Kernel: `free_slab()` → `__free_slab()` (RCU caches too: no grace period).
 */
export function freeSlab(sa: SlubAllocator, s: number, slab: number): void {
  const caches = sa.caches;
  const slabs = sa.slabs;
  const mem = sa.mem;
  if (caches.debug[s] === 1) freeSlabChecks(sa, s, slab);
  const pfn = slabs.pfn[slab]!;
  const order = slabs.order[slab]!;
  const nrPages = 2 ** order;
  const page = pfn - mem.basePfn;
  for (let p = page; p < page + nrPages; p++) {
    mem.flags[p] &= ~(1 << PG_slab);
    mem.private[p] = 0;
  }
  sa.pages.modNodePageState(pfn, (caches.flags[s]! & SLAB_RECLAIM_ACCOUNT) !== 0 ? NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B, -nrPages);
  caches.pages[s] -= nrPages;
  slabs.freeSlab(slab);
  sa.pages.freePages(pfn, order, sa.curCpu);
}

// ---------------------------------------------------------------------------------------------
// CPU slabs and partial chains
// ---------------------------------------------------------------------------------------------

/**
 * Gives a CPU slab back to its node: splices the CPU freelist onto slab->freelist, unfreezes,
 * and puts the slab on the partial list, or frees it when empty and the node has min_partial
 * partial slabs, or leaves it on no list when full. Kernel: `deactivate_slab()`.
 * A CPU freelist that loops (after a double free) would hang the kernel here; mmsim stops
 * counting at objects + 1. A wild pointer ends the walk (the rest is isolated).
 */
export function deactivateSlab(sa: SlubAllocator, s: number, slab: number, freelist: number): void {
  const caches = sa.caches;
  const slabs = sa.slabs;
  sa.clock.advance(sa.costSlow);
  const n = s * sa.nrNodes + slabs.nid[slab]!;
  const tail = slabs.freelist[slab] !== 0 ? DEACTIVATE_TO_TAIL : DEACTIVATE_TO_HEAD;
  const limit = slabs.objects[slab]!;
  let freeDelta = 0;
  let freelistTail = 0;
  let iter = freelist;
  while (iter > 0) {
    const next = getFreepointer(sa, s, iter);
    if (next === FP_FAULT) break;
    freelistTail = iter;
    freeDelta++;
    if (freeDelta > limit) break;
    iter = next;
  }
  const oldFreelist = slabs.freelist[slab]!;
  let newFreelist = oldFreelist;
  if (freelistTail !== 0) {
    if (!setFreepointer(sa, s, freelistTail, oldFreelist)) {
      reportKernelBug(sa, BUG_DEACTIVATE);
      return;
    }
    slabs.inuse[slab] -= freeDelta;
    newFreelist = freelist;
  }
  slabs.freelist[slab] = newFreelist;
  slabs.frozen[slab] = 0;
  if (slabs.inuse[slab] === 0 && caches.nrPartial[n]! >= caches.minPartial[s]!) {
    discardSlab(sa, s, slab);
  } else if (newFreelist !== 0) {
    sa.clock.advance(sa.costSlow);
    addPartial(sa, n, slab, tail);
  } else if ((caches.flags[s]! & SLAB_STORE_USER) !== 0) {
    addFull(sa, s, n, slab);
  }
}

/**
 * Adds a just-frozen slab to the CPU's partial chain; with `drain`, a full chain is first
 * moved to the node lists. Kernel: `put_cpu_partial()`.
 */
export function putCpuPartial(sa: SlubAllocator, s: number, slab: number, drain: boolean, cpu: number): void {
  const caches = sa.caches;
  const slabs = sa.slabs;
  const c = s * sa.nrCpus + cpu;
  let old = caches.cpuPartialHead[c]!;
  let toUnfreeze = NIL_SLAB;
  let count = 0;
  if (old >= 0) {
    if (drain && slabs.slabs[old]! >= caches.cpuPartialSlabs[s]!) {
      toUnfreeze = old;
      old = NIL_SLAB;
    } else {
      count = slabs.slabs[old]!;
    }
  }
  count++;
  slabs.slabs[slab] = count;
  slabs.next[slab] = old;
  caches.cpuPartialHead[c] = slab;
  if (toUnfreeze >= 0) unfreezePartials(sa, s, toUnfreeze);
}

/**
 * Unfreezes a CPU partial chain onto the node partial lists; empty slabs beyond min_partial
 * are freed. Kernel: `__unfreeze_partials()`.
 */
export function unfreezePartials(sa: SlubAllocator, s: number, first: number): void {
  const caches = sa.caches;
  const slabs = sa.slabs;
  let discard = NIL_SLAB;
  let n = -1;
  let p = first;
  while (p >= 0) {
    const slab = p;
    p = slabs.next[slab]!;
    const n2 = s * sa.nrNodes + slabs.nid[slab]!;
    if (n !== n2) {
      n = n2;
      sa.clock.advance(sa.costSlow);
    }
    slabs.frozen[slab] = 0;
    if (slabs.inuse[slab] === 0 && caches.nrPartial[n]! >= caches.minPartial[s]!) {
      slabs.next[slab] = discard;
      discard = slab;
    } else {
      slabs.next[slab] = NIL_SLAB;
      addPartial(sa, n, slab, DEACTIVATE_TO_TAIL);
    }
  }
  while (discard >= 0) {
    const slab = discard;
    discard = slabs.next[slab]!;
    slabs.next[slab] = NIL_SLAB;
    discardSlab(sa, s, slab);
  }
}

/** Flushes one CPU's slab and partial chain of a cache. Kernel: `__flush_cpu_slab()`. */
export function flushCpuSlab(sa: SlubAllocator, s: number, cpu: number): void {
  const caches = sa.caches;
  const c = s * sa.nrCpus + cpu;
  const freelist = caches.cpuFreelist[c]!;
  const slab = caches.cpuSlab[c]!;
  caches.cpuSlab[c] = NIL_SLAB;
  caches.cpuFreelist[c] = 0;
  caches.cpuTid[c] += 1;
  sa.curCpu = cpu;
  if (slab >= 0) deactivateSlab(sa, s, slab, freelist);
  const partial = caches.cpuPartialHead[c]!;
  caches.cpuPartialHead[c] = NIL_SLAB;
  if (partial >= 0) unfreezePartials(sa, s, partial);
}

/** Kernel: `flush_all()`: every CPU that has a slab or a partial chain. */
export function flushAll(sa: SlubAllocator, s: number): void {
  for (let cpu = 0; cpu < sa.nrCpus; cpu++) {
    const c = s * sa.nrCpus + cpu;
    if (sa.caches.cpuSlab[c]! >= 0 || sa.caches.cpuPartialHead[c]! >= 0) flushCpuSlab(sa, s, cpu);
  }
}

// ---------------------------------------------------------------------------------------------
// Free
// ---------------------------------------------------------------------------------------------

/**
 * Frees an object. Kernel: `kmem_cache_free()`: `cache_from_obj()` (always checked with
 * CONFIG_SLAB_FREELIST_HARDENED or F: a free into the wrong cache WARNs and goes to the right
 * one; an address in no slab WARNs once and is ignored), then `slab_free()` → `do_slab_free()`.
 */
export function kmemCacheFreeObj(sa: SlubAllocator, cacheId: number, obj: number, cpu: number): void {
  if (obj === 0) return;
  const slab = objToSlab(sa, obj);
  if (slab === NIL_SLAB) {
    warnNotSlabPage(sa, cacheId, obj, cpu);
    return;
  }
  let s = cacheId;
  const owner = sa.slabs.cache[slab]!;
  if (owner !== s) {
    warnWrongCache(sa, s, owner, obj, cpu);
    s = owner;
  }
  doSlabFree(sa, s, slab, obj, cpu);
}

/**
 * The fast path when the object belongs to this CPU's slab, else __slab_free().
 * Kernel: `do_slab_free()`.
 */
export function doSlabFree(sa: SlubAllocator, s: number, slab: number, obj: number, cpu: number): void {
  const caches = sa.caches;
  const c = s * sa.nrCpus + cpu;
  if (slab !== caches.cpuSlab[c]) {
    if (!(cpu >= 0 && cpu < sa.nrCpus)) checkArgs(sa, "kmemCacheFree", s, cpu);
    slabFree(sa, s, slab, obj, cpu);
    return;
  }
  const head = caches.cpuFreelist[c]!;
  if (sa.hardened && obj === head) {
    sa.curCpu = cpu;
    reportKernelBug(sa, BUG_FREE_FAST);
    return;
  }
  const slabs = sa.slabs;
  const idx = (obj - slabs.base[slab]!) / caches.size[s]!;
  if (!(idx >= 0 && idx < slabs.objects[slab]! && (idx | 0) === idx)) {
    reportDroppedFree(sa, s, obj);
    return;
  }
  slabs.fpw[slabs.fpBase[slab]! + idx] = head;
  caches.cpuFreelist[c] = obj;
  caches.cpuTid[c] += 1;
  sa.clock.advance(sa.costFreeFast);
}

/**
 * The slow free: push onto slab->freelist; freeze a slab that was full onto this CPU's
 * partial chain; free a slab that became empty when the node has min_partial partial slabs.
 * Kernel: `__slab_free()`.
 */
export function slabFree(sa: SlubAllocator, s: number, slab: number, obj: number, cpu: number): void {
  const caches = sa.caches;
  const slabs = sa.slabs;
  sa.curCpu = cpu;
  sa.clock.advance(sa.costSlow);
  if (caches.debug[s] === 1) {
    freeDebugProcessing(sa, s, slab, obj, cpu);
    return;
  }
  if (objIndex(sa, s, slab, obj) < 0) {
    reportDroppedFree(sa, s, obj);
    return;
  }
  const prior = slabs.freelist[slab]!;
  if (!setFreepointer(sa, s, obj, prior)) {
    reportKernelBug(sa, BUG_FREE_SLOW);
    return;
  }
  const wasFrozen = slabs.frozen[slab] === 1;
  const inuse = slabs.inuse[slab]! - 1;
  let frozen = wasFrozen;
  let n = -1;
  if ((inuse === 0 || prior === 0) && !wasFrozen) {
    if (caches.hasCpuPartial[s] === 1 && prior === 0) frozen = true;
    else {
      n = s * sa.nrNodes + slabs.nid[slab]!;
      sa.clock.advance(sa.costSlow);
    }
  }
  slabs.freelist[slab] = obj;
  slabs.inuse[slab] = inuse;
  slabs.frozen[slab] = frozen ? 1 : 0;
  if (n < 0) {
    if (!wasFrozen && frozen) putCpuPartial(sa, s, slab, true, cpu);
    return;
  }
  if (inuse === 0 && caches.nrPartial[n]! >= caches.minPartial[s]!) {
    if (prior !== 0) removePartial(sa, n, slab);
    else removeFull(sa, s, slab);
    discardSlab(sa, s, slab);
    return;
  }
  if (caches.hasCpuPartial[s] !== 1 && prior === 0) {
    removeFull(sa, s, slab);
    addPartial(sa, n, slab, DEACTIVATE_TO_TAIL);
  }
}

// ---------------------------------------------------------------------------------------------
// Shrink, shutdown, counters
// ---------------------------------------------------------------------------------------------

/**
 * Frees the empty slabs on the node partial lists and sorts the rest, fullest first.
 * Kernel: `__kmem_cache_do_shrink()`.
 * @returns 1 if the cache still has slabs, else 0
 */
export function kmemCacheDoShrink(sa: SlubAllocator, s: number): number {
  const caches = sa.caches;
  const slabs = sa.slabs;
  const next = slabs.listNext;
  const prev = slabs.listPrev;
  const heads = sa.scratchHeads;
  const discard = heads[SHRINK_PROMOTE_MAX]!;
  let ret = 0;
  for (let nid = 0; nid < sa.nrNodes; nid++) {
    const n = s * sa.nrNodes + nid;
    const head = caches.nodePartial[n]!;
    sa.clock.advance(sa.costSlow);
    let slab = next[head]!;
    while (slab !== head) {
      const after = next[slab]!;
      const free = slabs.objects[slab]! - slabs.inuse[slab]!;
      if (free === slabs.objects[slab]) {
        listDel(next, prev, slab);
        listAdd(next, prev, slab, discard);
        caches.nrPartial[n] -= 1;
        decSlabsNode(sa, s, nid, slabs.objects[slab]!);
      } else if (free > 0 && free <= SHRINK_PROMOTE_MAX) {
        listDel(next, prev, slab);
        listAdd(next, prev, slab, heads[free - 1]!);
      }
      slab = after;
    }
    for (let i = SHRINK_PROMOTE_MAX - 1; i >= 0; i--) {
      // list_splice(promote + i, &n->partial): the whole list goes to the head, in order.
      const h = heads[i]!;
      while (prev[h] !== h) {
        const last = prev[h]!;
        listDel(next, prev, last);
        listAdd(next, prev, last, head);
      }
    }
    while (next[discard] !== discard) {
      const victim = next[discard]!;
      listDel(next, prev, victim);
      freeSlab(sa, s, victim);
    }
    if (caches.nrSlabs[n]! !== 0) ret = 1;
  }
  return ret;
}

/**
 * Flushes the CPUs and frees every empty partial slab; complains about objects still in
 * partial slabs. Kernel: `__kmem_cache_shutdown()` + `free_partial()` + `__kmem_cache_release()`.
 * @returns 0, or -EBUSY when slabs remain (the cache stays usable)
 */
export function kmemCacheShutdown(sa: SlubAllocator, s: number): number {
  const caches = sa.caches;
  const slabs = sa.slabs;
  flushAll(sa, s);
  for (let nid = 0; nid < sa.nrNodes; nid++) {
    const n = s * sa.nrNodes + nid;
    const head = caches.nodePartial[n]!;
    let slab = slabs.listNext[head]!;
    while (slab !== head) {
      const after = slabs.listNext[slab]!;
      if (slabs.inuse[slab] === 0) {
        removePartial(sa, n, slab);
        discardSlab(sa, s, slab);
      } else {
        listSlabObjects(sa, s, slab);
      }
      slab = after;
    }
    if (caches.nrPartial[n] !== 0 || caches.nrSlabs[n] !== 0) return -EBUSY;
  }
  caches.alive[s] = 0;
  caches.randomSeq[s] = undefined;
  return 0;
}

/** Free objects on the node partial lists. Kernel: `count_partial(n, count_free)` summed. */
export function countPartialFree(sa: SlubAllocator, s: number): number {
  const slabs = sa.slabs;
  let x = 0;
  for (let nid = 0; nid < sa.nrNodes; nid++) {
    const head = sa.caches.nodePartial[s * sa.nrNodes + nid]!;
    for (let slab = slabs.listNext[head]!; slab !== head && slab >= 0; slab = slabs.listNext[slab]!) x += slabs.objects[slab]! - slabs.inuse[slab]!;
  }
  return x;
}
