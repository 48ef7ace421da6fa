// Kernel: mm/slab.c (v6.1): cache_reap, drain_array, drain_array_locked, drain_freelist, reap_alien, drain_alien_cache, drain_cpu_caches, __kmem_cache_shrink
/*
 * Giving memory back (SLAB-23). cache_reap() is the per-CPU delayed work that runs every
 * REAPTIMEOUT_AC (2 s); in mmsim the machine calls cacheReap(cpu) on that period. For each cache
 * (in slab_caches order, newest first) it
 *   - drains one alien cache of the CPU's node, round robin over nodes (reap_alien);
 *   - trims the CPU's array cache by a fifth of its limit, unless it was touched since the last
 *     reap — then it only clears `touched` (drain_array: the answer to "what does touched mean");
 *   - every REAPTIMEOUT_NODE (4 s) per node, trims the shared array the same way and frees about
 *     a fifth of free_limit's worth of free slabs, unless a free slab was taken since the last
 *     reap (free_touched).
 * kmem_cache_shrink() empties every array cache and frees every free slab.
 *
 * Simplified: mutex_trylock(&slab_mutex) and the alien lock's trylock always succeed (one CPU
 * runs at a time); jiffies come from the simulated clock at HZ = 250.
 */
import { listDel } from "@mmsim/core";
import { LIST_FREE, LIST_FULL, LIST_PARTIAL, type SlabState } from "./kmem-cache.ts";
import { drainAlienOne, freeBlock, popTempList, pushTempList, slabDestroy, slabsDestroy } from "./slab-alloc.ts";
import { REAPTIMEOUT_NODE, jiffies } from "./slabinfo.ts";

/**
 * Frees the oldest entries of an array cache: all of them, or a fifth of its limit (at most
 * half of what it holds). Kernel: `drain_array_locked()`.
 */
export function drainArrayLocked(s: SlabState, c: number, ac: number, node: number, freeAll: boolean, list: number): void {
  const avail = s.acAvail[ac]!;
  if (avail === 0) return;
  let tofree = freeAll ? avail : Math.floor((s.acLimit[ac]! + 4) / 5);
  if (tofree > avail) tofree = Math.floor((avail + 1) / 2);
  const entry = s.acEntry[ac]!;
  freeBlock(s, c, entry, tofree, node, list);
  s.acAvail[ac] = avail - tofree;
  entry.copyWithin(0, tofree, avail);
}

/**
 * Trims an array cache unless it was used since the last call, which only clears `touched`.
 * Kernel: `drain_array()`.
 */
export function drainArray(s: SlabState, c: number, ac: number, node: number, cpu: number): void {
  if (s.acAvail[ac] === 0) return;
  if (s.acTouched[ac] !== 0) {
    s.acTouched[ac] = 0;
    return;
  }
  s.clock.advance(s.costSlowPath);
  const list = pushTempList(s);
  drainArrayLocked(s, c, ac, node, false, list);
  slabsDestroy(s, c, list, cpu);
  popTempList(s);
}

/**
 * Frees up to `tofree` slabs from the tail of slabs_free. Kernel: `drain_freelist()`.
 * @returns slabs freed
 */
export function drainFreelist(s: SlabState, c: number, node: number, tofree: number, cpu: number): number {
  const cn = c * s.nrNodes + node;
  const freeHead = s.nodeHead[cn]! + LIST_FREE;
  let nrFreed = 0;
  while (nrFreed < tofree && s.slabNext[freeHead] !== freeHead) {
    s.clock.advance(s.costSlowPath);
    const slot = s.slabPrev[freeHead]!;
    listDel(s.slabNext, s.slabPrev, slot);
    s.nodeFreeSlabs[cn]!--;
    s.nodeTotalSlabs[cn]!--;
    s.nodeFreeObjects[cn]! -= s.cacheNum[c]!;
    slabDestroy(s, c, slot, cpu);
    nrFreed++;
  }
  return nrFreed;
}

/** The alien array cache of node `node` for objects of node `remote`. */
export function alienAc(s: SlabState, c: number, node: number, remote: number): number {
  return s.cacheAcBase[c]! + s.nrCpus + s.nrNodes + node * s.nrNodes + remote;
}

/** The shared array cache of node `node` (meaningful when nodeHasShared). */
export function sharedAc(s: SlabState, c: number, node: number): number {
  return s.cacheAcBase[c]! + s.nrCpus + node;
}

/** Drains node `node`'s alien cache for the node this CPU reaps next. Kernel: `reap_alien()`. */
export function reapAlien(s: SlabState, c: number, node: number, cpu: number): void {
  const cn = c * s.nrNodes + node;
  const remote = s.slabReapNode[cpu]!;
  if (s.nodeHasAlien[cn] === 0 || remote === node) return;
  const alc = alienAc(s, c, node, remote);
  if (s.acAvail[alc] === 0) return;
  const list = pushTempList(s);
  drainAlienOne(s, c, alc, remote, list);
  slabsDestroy(s, c, list, cpu);
  popTempList(s);
}

/** Empties all of a node's alien caches. Kernel: `drain_alien_cache()`. */
export function drainAlienCache(s: SlabState, c: number, node: number, cpu: number): void {
  for (let i = 0; i < s.nrNodes; i++) {
    if (i === node) continue;
    const list = pushTempList(s);
    drainAlienOne(s, c, alienAc(s, c, node, i), i, list);
    slabsDestroy(s, c, list, cpu);
    popTempList(s);
  }
}

/**
 * Empties every per-CPU array, alien cache and shared array of a cache.
 * Kernel: `drain_cpu_caches()` (do_drain on each CPU).
 */
export function drainCpuCaches(s: SlabState, c: number): void {
  const base = s.cacheAcBase[c]!;
  for (let cpu = 0; cpu < s.nrCpus; cpu++) {
    // do_drain()
    const ac = base + cpu;
    const node = s.cpuToNode[cpu]!;
    const list = pushTempList(s);
    s.clock.advance(s.costSlowPath);
    freeBlock(s, c, s.acEntry[ac]!, s.acAvail[ac]!, node, list);
    s.acAvail[ac] = 0;
    slabsDestroy(s, c, list, cpu);
    popTempList(s);
  }
  for (let node = 0; node < s.nrNodes; node++) {
    if (s.nodeHasAlien[c * s.nrNodes + node] !== 0) drainAlienCache(s, c, node, 0);
  }
  for (let node = 0; node < s.nrNodes; node++) {
    if (s.nodeHasShared[c * s.nrNodes + node] === 0) continue;
    const list = pushTempList(s);
    s.clock.advance(s.costSlowPath);
    drainArrayLocked(s, c, sharedAc(s, c, node), node, true, list);
    slabsDestroy(s, c, list, 0);
    popTempList(s);
  }
}

/**
 * Empties the array caches and frees every free slab.
 * Kernel: `__kmem_cache_shrink()` (also `__kmem_cache_shutdown()`).
 * @returns 0, or 1 when objects remain (full or partial slabs)
 */
export function kmemCacheShrinkState(s: SlabState, c: number): number {
  drainCpuCaches(s, c);
  let ret = 0;
  for (let node = 0; node < s.nrNodes; node++) {
    drainFreelist(s, c, node, Number.MAX_SAFE_INTEGER, 0);
    const head = s.nodeHead[c * s.nrNodes + node]!;
    if (s.slabNext[head + LIST_FULL] !== head + LIST_FULL || s.slabNext[head + LIST_PARTIAL] !== head + LIST_PARTIAL) ret++;
  }
  return ret ? 1 : 0;
}

/**
 * One run of the reaper on `cpu`. Kernel: `cache_reap()`.
 */
export function cacheReap(s: SlabState, cpu: number): void {
  const node = s.cpuToNode[cpu]!;
  const now = jiffies(s);
  const nn = s.nrNodes;
  for (let c = s.nrCaches - 1; c >= 0; c--) {
    if (s.cacheAlive[c] !== 1) continue;
    const cn = c * nn + node;
    reapAlien(s, c, node, cpu);
    drainArray(s, c, s.cacheAcBase[c]! + cpu, node, cpu);
    // time_after(n->next_reap, jiffies)
    if (s.nodeNextReap[cn]! > now) continue;
    s.nodeNextReap[cn] = now + REAPTIMEOUT_NODE;
    if (s.nodeHasShared[cn] !== 0) drainArray(s, c, sharedAc(s, c, node), node, cpu);
    if (s.nodeFreeTouched[cn] !== 0) {
      s.nodeFreeTouched[cn] = 0;
    } else {
      const num = s.cacheNum[c]!;
      drainFreelist(s, c, node, Math.floor((s.nodeFreeLimit[cn]! + 5 * num - 1) / (5 * num)), cpu);
    }
  }
  // next_reap_node()
  s.slabReapNode[cpu] = (s.slabReapNode[cpu]! + 1) % nn;
}
