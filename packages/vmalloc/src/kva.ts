// Kernel: mm/vmalloc.c "Global kva allocator" (v6.1: find_vmap_area … __purge_vmap_area_lazy, vmap_init_free_space) — vmap_area trees, lowest-fit allocation, lazy freeing and purge
/*
 * Followed: mm/vmalloc.c of 6.1.166 (unifreq/linux-6.1.y; the same code as 6.1.129). Line
 * numbers in WARN lines are that file's.
 *
 * Free space is the augmented free tree: every free block is a vmap_area, sorted by address,
 * each node keeping the largest free size in its subtree. alloc_vmap_area() finds the lowest
 * block the request fits in (find_vmap_lowest_match()), carves the request out of it
 * (classify_va_fit_type()/adjust_va_to_fit_type(): full, left-edge, right-edge or no-edge
 * fit, the last needing a second vmap_area, preloaded per CPU), and puts a new vmap_area in
 * the busy tree. Freeing is lazy: the area is unmapped without a TLB flush and parked in the
 * purge tree (merged with its neighbours there); once more than lazy_max_pages() pages are
 * parked, a purge flushes the TLB once over the whole parked range and merges every parked
 * area back into the free tree. An allocation that finds no room purges and retries once.
 *
 * Addresses are `Va` numbers (kernel addresses are negative, so signed comparison is the
 * kernel's unsigned order within the kernel half). The kernel's free space starts as
 * [1, ULONG_MAX) minus the busy areas; mmsim's first free block starts at -2^52
 * (0xfff0000000000000, PAGE_OFFSET with 52-bit VAs: no arm64 kernel address is lower) instead
 * of 1: every vstart is a kernel address, so nothing below it is ever a candidate, and the block
 * count (hence the vmap_area objects) is the same. `ULONG_MAX` as an end is -1.
 *
 * The drain worker (drain_vmap_area_work, queued with schedule_work() when vmap_lazy_nr passes
 * lazy_max_pages()) runs synchronously inside the free that queued it.
 */
import {
  ArgumentError, EBUSY, ENOMEM, GFP_NOWAIT, GFP_RECLAIM_MASK, KERN_WARNING, NIL_OBJECT, PAGE_SIZE,
  __GFP_NOWARN, __GFP_ZERO, isPowerOf2,
} from "@mmsim/core";
import { formatVa, type Va } from "@mmsim/hw-arm64";
import { LINK_LEFT, LINK_RIGHT, LINK_ROOT, augmentPropagate, rbErase, rbInsert, rbLinkNode } from "./rbtree.ts";
import type { VmallocState } from "./vmalloc-state.ts";
import {
  FREE_VMAP_AREA_LIST, FREE_VMAP_AREA_ROOT, LOCAL_PURGE_LIST, NIL_VA, PURGE_VMAP_AREA_LIST, PURGE_VMAP_AREA_ROOT,
  VMAP_AREA_LIST, VMAP_AREA_ROOT,
} from "./vmap-area.ts";
import { purgeFragmentedBlocksAllcpus } from "./vmap-block.ts";

/** `ULONG_MAX` as a Va. */
export const VA_ULONG_MAX = -1;
/** The lowest arm64 kernel address, 0xfff0000000000000 (stands for the kernel's 1 and 0, see the header). */
export const VA_KERNEL_MIN = -(2 ** 52);

/** Kernel: `enum fit_type`. */
export const NOTHING_FIT = 0;
export const FL_FIT_TYPE = 1;
export const LE_FIT_TYPE = 2;
export const RE_FIT_TYPE = 3;
export const NE_FIT_TYPE = 4;
export type FitType = 0 | 1 | 2 | 3 | 4;

/** sizeof(struct vmap_area) on arm64 6.1: 64 bytes. */
export const SIZEOF_VMAP_AREA = 64;

// ---------------------------------------------------------------------------------------------
// vmap_area objects (vmap_area_cachep)

/**
 * A new vmap_area object. Kernel: `kmem_cache_alloc_node(vmap_area_cachep, gfp, node)`.
 * @returns the slot, or NIL_VA when the slab allocation failed
 */
export function vaCacheAlloc(s: VmallocState, gfp: number, node: number): number {
  const va = s.areas.alloc();
  const c = s.vmapAreaCache;
  if (c !== undefined) {
    const obj = s.slab!.allocator.kmemCacheAlloc(c.id, gfp, s.cpu, node);
    if (obj === NIL_OBJECT) {
      s.areas.free(va);
      return NIL_VA;
    }
    s.areas.obj[va] = obj;
  }
  return va;
}

/** Kernel: `kmem_cache_free(vmap_area_cachep, va)`. */
export function vaCacheFree(s: VmallocState, va: number): void {
  const c = s.vmapAreaCache;
  const obj = s.areas.obj[va]!;
  if (c !== undefined && obj !== 0) s.slab!.allocator.kmemCacheFree(c.id, obj, s.cpu);
  s.areas.free(va);
}

// ---------------------------------------------------------------------------------------------
// lookups

/** The first busy area with addr < va_end, or NIL_VA. Kernel: `find_vmap_area_exceed_addr()`. */
export function findVmapAreaExceedAddr(s: VmallocState, addr: Va): number {
  const a = s.areas;
  let va = NIL_VA;
  let n = a.roots[VMAP_AREA_ROOT]!;
  while (n !== NIL_VA) {
    if (a.vaEnd[n]! > addr) {
      va = n;
      if (a.vaStart[n]! <= addr) break;
      n = a.rbLeft[n]!;
    } else n = a.rbRight[n]!;
  }
  return va;
}

/** The area of tree `root` containing addr, or NIL_VA. Kernel: `__find_vmap_area()`. */
export function findVmapAreaIn(s: VmallocState, addr: Va, root: number): number {
  const a = s.areas;
  let n = a.roots[root]!;
  while (n !== NIL_VA) {
    if (addr < a.vaStart[n]!) n = a.rbLeft[n]!;
    else if (addr >= a.vaEnd[n]!) n = a.rbRight[n]!;
    else return n;
  }
  return NIL_VA;
}

/** The busy area containing addr, or NIL_VA. Kernel: `find_vmap_area()`. */
export function findVmapArea(s: VmallocState, addr: Va): number {
  return findVmapAreaIn(s, addr, VMAP_AREA_ROOT);
}

// ---------------------------------------------------------------------------------------------
// linking

/**
 * Finds where `va` goes in tree `root` (or below `from`), into s.linkParent/s.linkDir.
 * Kernel: `find_va_links()`.
 * @returns false (after the kernel's WARN) when va overlaps an area of the tree
 */
export function findVaLinks(s: VmallocState, va: number, root: number, from: number): boolean {
  const a = s.areas;
  let cur: number;
  if (from === NIL_VA) {
    cur = a.roots[root]!;
    if (cur === NIL_VA) {
      s.linkParent = NIL_VA;
      s.linkDir = LINK_ROOT;
      return true;
    }
  } else cur = from;
  const start = a.vaStart[va]!;
  const end = a.vaEnd[va]!;
  let parent: number;
  let dir: number;
  do {
    parent = cur;
    if (end <= a.vaStart[cur]!) {
      dir = LINK_LEFT;
      cur = a.rbLeft[cur]!;
    } else if (start >= a.vaEnd[cur]!) {
      dir = LINK_RIGHT;
      cur = a.rbRight[cur]!;
    } else {
      s.log.warn(
        "mm/vmalloc.c:911 find_va_links",
        "vmalloc bug: 0x" + formatVa(start) + "-0x" + formatVa(end) + " overlaps with 0x" + formatVa(a.vaStart[cur]!) + "-0x" + formatVa(a.vaEnd[cur]!),
      );
      return false;
    }
  } while (cur !== NIL_VA);
  s.linkParent = parent;
  s.linkDir = dir;
  return true;
}

/**
 * The list entry that will follow a node linked at (s.linkParent, s.linkDir), or NIL_VA when
 * the tree is empty. Kernel: `get_va_next_sibling()`.
 */
function getVaNextSibling(s: VmallocState): number {
  const parent = s.linkParent;
  if (parent === NIL_VA) return NIL_VA;
  return s.linkDir === LINK_RIGHT ? s.areas.next[parent]! : parent;
}

/** Links `va` at (s.linkParent, s.linkDir) and into the sorted list. Kernel: `__link_va()`. */
function linkVa(s: VmallocState, va: number, root: number, head: number, aug: boolean): void {
  const a = s.areas;
  const parent = s.linkParent;
  if (parent !== NIL_VA) {
    head = parent;
    if (s.linkDir !== LINK_RIGHT) head = a.prev[head]!;
  }
  rbLinkNode(a, va, parent, s.linkDir, root);
  rbInsert(a, va, root, aug);
  // The free tree is populated bottom-up by augment_tree_propagate_from() after the insertion.
  if (aug) a.subtreeMaxSize[va] = 0;
  // list_add(&va->list, head)
  const first = a.next[head]!;
  a.next[va] = first;
  a.prev[va] = head;
  a.prev[first] = va;
  a.next[head] = va;
}

/** Kernel: `__unlink_va()` (unlink_va / unlink_va_augment). */
export function unlinkVa(s: VmallocState, va: number, root: number, aug: boolean): void {
  const a = s.areas;
  if (a.rbParent[va] === va) {
    s.log.warn("mm/vmalloc.c:999 __unlink_va");
    return;
  }
  rbErase(a, va, root, aug);
  // list_del_init
  const n = a.next[va]!;
  const p = a.prev[va]!;
  a.next[p] = n;
  a.prev[n] = p;
  a.next[va] = va;
  a.prev[va] = va;
  a.rbParent[va] = va; // RB_CLEAR_NODE
}

/** Kernel: `insert_vmap_area()`. */
export function insertVmapArea(s: VmallocState, va: number, root: number, head: number): void {
  if (findVaLinks(s, va, root, NIL_VA)) linkVa(s, va, root, head, false);
}

/** Kernel: `insert_vmap_area_augment()`. */
export function insertVmapAreaAugment(s: VmallocState, va: number, from: number, root: number, head: number): void {
  if (findVaLinks(s, va, root, from)) {
    linkVa(s, va, root, head, true);
    augmentPropagate(s.areas, va, NIL_VA);
  }
}

/**
 * Merges a freed area with its free neighbours, or inserts it. The merged-away vmap_area
 * object is freed. Kernel: `__merge_or_add_vmap_area()` (+ augment_tree_propagate_from()
 * for the free tree: merge_or_add_vmap_area_augment()).
 * @returns the area now holding the range, or NIL_VA after an overlap WARN
 */
export function mergeOrAddVmapArea(s: VmallocState, va: number, root: number, head: number, aug: boolean): number {
  const a = s.areas;
  if (!findVaLinks(s, va, root, NIL_VA)) return NIL_VA;
  let merged = false;
  const next = getVaNextSibling(s);
  if (next !== NIL_VA) {
    //  |<------VA------>|<-----Next----->|
    if (next !== head) {
      const sibling = next;
      if (a.vaStart[sibling] === a.vaEnd[va]) {
        a.vaStart[sibling] = a.vaStart[va]!;
        vaCacheFree(s, va);
        va = sibling;
        merged = true;
      }
    }
    //  |<-----Prev----->|<------VA------>|
    const prevEntry = a.prev[next]!;
    if (prevEntry !== head) {
      const sibling = prevEntry;
      if (a.vaEnd[sibling] === a.vaStart[va]) {
        // Unlink "next" first, then merge into "previous", so that no augmented value is
        // left stale by the rotations.
        if (merged) unlinkVa(s, va, root, aug);
        a.vaEnd[sibling] = a.vaEnd[va]!;
        vaCacheFree(s, va);
        va = sibling;
        merged = true;
      }
    }
  }
  if (!merged) linkVa(s, va, root, head, aug);
  if (aug) augmentPropagate(a, va, NIL_VA);
  return va;
}

// ---------------------------------------------------------------------------------------------
// allocation

/** Kernel: `is_within_this_va()`. */
export function isWithinThisVa(s: VmallocState, va: number, size: number, align: number, vstart: Va): boolean {
  const a = s.areas;
  const start = a.vaStart[va]!;
  const nva = start > vstart ? Math.ceil(start / align) * align : Math.ceil(vstart / align) * align;
  // Overflow (past ULONG_MAX: a non-negative result) or an alignment that wrapped below vstart.
  if (nva >= 0 || nva + size >= 0 || nva < vstart) return false;
  return nva + size <= a.vaEnd[va]!;
}

/**
 * The lowest free block the request fits in, or NIL_VA. With `adjust` the subtrees are
 * searched for `size + align - 1` (the worst alignment overhead), and blocks off that path are
 * not considered. Kernel: `find_vmap_lowest_match()`.
 */
export function findVmapLowestMatch(s: VmallocState, root: number, size: number, align: number, vstart: Va, adjust: boolean): number {
  const a = s.areas;
  let node = a.roots[root]!;
  const length = adjust ? size + align - 1 : size;
  while (node !== NIL_VA) {
    const l = a.rbLeft[node]!;
    if (l !== NIL_VA && a.subtreeMaxSize[l]! >= length && vstart < a.vaStart[node]!) {
      node = l;
    } else {
      if (isWithinThisVa(s, node, size, align, vstart)) return node;
      const r = a.rbRight[node]!;
      if (r !== NIL_VA && a.subtreeMaxSize[r]! >= length) {
        node = r;
        continue;
      }
      // Roll back to the first right subtree that can satisfy the search.
      while ((node = a.rbParent[node]!) !== NIL_VA) {
        if (isWithinThisVa(s, node, size, align, vstart)) return node;
        const r2 = a.rbRight[node]!;
        if (r2 !== NIL_VA && a.subtreeMaxSize[r2]! >= length && vstart <= a.vaStart[node]!) {
          vstart = a.vaStart[node]! + 1;
          node = r2;
          break;
        }
      }
    }
  }
  return NIL_VA;
}

/** Kernel: `classify_va_fit_type()`. */
export function classifyVaFitType(s: VmallocState, va: number, nvaStart: Va, size: number): FitType {
  const a = s.areas;
  const start = a.vaStart[va]!;
  const end = a.vaEnd[va]!;
  if (nvaStart < start || nvaStart + size > end) return NOTHING_FIT;
  if (start === nvaStart) return end === nvaStart + size ? FL_FIT_TYPE : LE_FIT_TYPE;
  return end === nvaStart + size ? RE_FIT_TYPE : NE_FIT_TYPE;
}

/**
 * Carves [nvaStart, nvaStart + size) out of the free block `va`. Kernel: `adjust_va_to_fit_type()`.
 * @returns 0, or -1 (no object for the no-edge split, or nothing fits)
 */
export function adjustVaToFitType(s: VmallocState, root: number, head: number, va: number, nvaStart: Va, size: number): number {
  const a = s.areas;
  let lva = NIL_VA;
  const type = classifyVaFitType(s, va, nvaStart, size);
  if (type === FL_FIT_TYPE) {
    unlinkVa(s, va, root, true);
    vaCacheFree(s, va);
  } else if (type === LE_FIT_TYPE) {
    a.vaStart[va] = a.vaStart[va]! + size;
  } else if (type === RE_FIT_TYPE) {
    a.vaEnd[va] = nvaStart;
  } else if (type === NE_FIT_TYPE) {
    lva = s.nePreload[s.cpu]!;
    s.nePreload[s.cpu] = NIL_VA;
    if (lva === NIL_VA) {
      lva = vaCacheAlloc(s, GFP_NOWAIT, -1);
      if (lva === NIL_VA) return -1;
    }
    a.vaStart[lva] = a.vaStart[va]!;
    a.vaEnd[lva] = nvaStart;
    a.vaStart[va] = nvaStart + size;
  } else return -1;
  if (type !== FL_FIT_TYPE) {
    augmentPropagate(a, va, NIL_VA);
    if (lva !== NIL_VA) insertVmapAreaAugment(s, lva, va, root, head);
  }
  return 0;
}

/**
 * Takes [addr, addr + size) from the free tree. Kernel: `__alloc_vmap_area()`.
 * @returns the start address, or `vend` when nothing fits
 */
export function allocVmapAreaRange(s: VmallocState, root: number, head: number, size: number, align: number, vstart: Va, vend: Va): Va {
  const adjust = !(align <= PAGE_SIZE || vend - vstart === size);
  const va = findVmapLowestMatch(s, root, size, align, vstart, adjust);
  if (va === NIL_VA) return vend;
  const start = s.areas.vaStart[va]!;
  const nva = start > vstart ? Math.ceil(start / align) * align : Math.ceil(vstart / align) * align;
  if (nva + size > vend) return vend;
  if (adjustVaToFitType(s, root, head, va, nva, size) !== 0) {
    s.log.warnOnce("vmalloc:__alloc_vmap_area", "mm/vmalloc.c:1541 __alloc_vmap_area");
    return vend;
  }
  return nva;
}

/** Kernel: `free_vmap_area()`: out of the busy tree, straight back into the free tree. */
export function freeVmapArea(s: VmallocState, va: number): void {
  unlinkVa(s, va, VMAP_AREA_ROOT, false);
  mergeOrAddVmapArea(s, va, FREE_VMAP_AREA_ROOT, FREE_VMAP_AREA_LIST, true);
}

/** Gives this CPU a spare vmap_area for a no-edge split. Kernel: `preload_this_cpu_lock()`. */
function preloadThisCpu(s: VmallocState, gfp: number, node: number): void {
  if (s.nePreload[s.cpu] === NIL_VA) s.nePreload[s.cpu] = vaCacheAlloc(s, gfp, node);
}

/**
 * Allocates a region of kernel virtual address space of `size` bytes, aligned to `align`,
 * within [vstart, vend). Kernel: `alloc_vmap_area()`.
 * @param size bytes, a non-zero multiple of PAGE_SIZE (the guard page already added)
 * @param node NUMA node for the vmap_area object, or -1
 * @returns the busy vmap_area (its vm is NIL), or -ENOMEM (no vmap_area object) / -EBUSY (no
 *   room even after a purge, with the kernel's warning unless __GFP_NOWARN)
 * @throws ArgumentError where the kernel has BUG_ON (size zero or unaligned, align not a power of 2)
 */
export function allocVmapArea(s: VmallocState, size: number, align: number, vstart: Va, vend: Va, node: number, gfp: number): number {
  if (!Number.isSafeInteger(size) || size <= 0 || size % PAGE_SIZE !== 0) {
    throw new ArgumentError("vmalloc.allocVmapArea", "size", "a non-zero multiple of PAGE_SIZE (BUG_ON in alloc_vmap_area)", String(size));
  }
  if (!Number.isSafeInteger(align) || align <= 0 || !isPowerOf2(align)) {
    throw new ArgumentError("vmalloc.allocVmapArea", "align", "a power of two (BUG_ON in alloc_vmap_area)", String(align));
  }
  if (!s.vmapInitialized) return -EBUSY;
  gfp &= GFP_RECLAIM_MASK;
  const va = vaCacheAlloc(s, gfp, node);
  if (va === NIL_VA) return -ENOMEM;
  let purged = false;
  for (;;) {
    preloadThisCpu(s, gfp, node);
    const addr = allocVmapAreaRange(s, FREE_VMAP_AREA_ROOT, FREE_VMAP_AREA_LIST, size, align, vstart, vend);
    if (addr !== vend) {
      const a = s.areas;
      a.vaStart[va] = addr;
      a.vaEnd[va] = addr + size;
      a.vm[va] = -1;
      insertVmapArea(s, va, VMAP_AREA_ROOT, VMAP_AREA_LIST);
      return va;
    }
    // overflow:
    if (!purged) {
      s.overflowPurges++;
      purgeVmapAreaLazy(s);
      purged = true;
      continue;
    }
    // blocking_notifier_call_chain(&vmap_notify_list): no purge notifiers are registered in mmsim.
    break;
  }
  if ((gfp & __GFP_NOWARN) === 0 && s.printkRs.ratelimit(s.clock, s.log, "alloc_vmap_area")) {
    s.log.printk(KERN_WARNING, "vmap allocation for size " + size + " failed: use vmalloc=<size> to increase size");
  }
  vaCacheFree(s, va);
  return -EBUSY;
}

// ---------------------------------------------------------------------------------------------
// lazy freeing and purge

/** flush_tlb_kernel_range() through the page tables, counted. */
export function flushTlbKernelRange(s: VmallocState, start: Va, end: Va): void {
  s.tlbFlushes++;
  if (end > start) s.tlbFlushedPages += Math.ceil((end - start) / PAGE_SIZE);
  s.pgtables.flushTlbKernelRange(start, end);
}

/**
 * Purges every lazily freed area: one TLB flush over [min(start, lowest), max(end, highest)),
 * then each area merged back into the free tree. Kernel: `__purge_vmap_area_lazy()`.
 * @param start VA_ULONG_MAX for "no range of the caller's"
 * @param end VA_KERNEL_MIN for "no range of the caller's" (the kernel's 0)
 * @returns false when nothing was waiting
 */
export function purgeVmapAreaLazyRange(s: VmallocState, start: Va, end: Va): boolean {
  const a = s.areas;
  // purge_vmap_area_root = RB_ROOT; list_replace_init(&purge_vmap_area_list, &local_purge_list)
  a.roots[PURGE_VMAP_AREA_ROOT] = NIL_VA;
  const first = a.next[PURGE_VMAP_AREA_LIST]!;
  if (first === PURGE_VMAP_AREA_LIST) return false;
  const last = a.prev[PURGE_VMAP_AREA_LIST]!;
  a.next[LOCAL_PURGE_LIST] = first;
  a.prev[LOCAL_PURGE_LIST] = last;
  a.prev[first] = LOCAL_PURGE_LIST;
  a.next[last] = LOCAL_PURGE_LIST;
  a.next[PURGE_VMAP_AREA_LIST] = PURGE_VMAP_AREA_LIST;
  a.prev[PURGE_VMAP_AREA_LIST] = PURGE_VMAP_AREA_LIST;

  start = Math.min(start, a.vaStart[first]!);
  end = Math.max(end, a.vaEnd[last]!);
  flushTlbKernelRange(s, start, end);
  s.purges++;
  let va = first;
  while (va !== LOCAL_PURGE_LIST) {
    const nva = a.next[va]!;
    const nr = (a.vaEnd[va]! - a.vaStart[va]!) / PAGE_SIZE;
    // The area is detached (its tree is gone): insert or merge it into the free tree.
    a.rbParent[va] = va;
    const merged = mergeOrAddVmapArea(s, va, FREE_VMAP_AREA_ROOT, FREE_VMAP_AREA_LIST, true);
    va = nva;
    if (merged === NIL_VA) continue;
    s.vmapLazyNr -= nr;
    s.purgedPages += nr;
  }
  a.next[LOCAL_PURGE_LIST] = LOCAL_PURGE_LIST;
  a.prev[LOCAL_PURGE_LIST] = LOCAL_PURGE_LIST;
  return true;
}

/** Kernel: `purge_vmap_area_lazy()`. */
export function purgeVmapAreaLazy(s: VmallocState): void {
  purgeFragmentedBlocksAllcpus(s);
  purgeVmapAreaLazyRange(s, VA_ULONG_MAX, VA_KERNEL_MIN);
}

/** Kernel: `drain_vmap_area_work()` (run synchronously, see the header). */
export function drainVmapAreaWork(s: VmallocState): void {
  s.drainRuns++;
  do {
    purgeVmapAreaLazyRange(s, VA_ULONG_MAX, VA_KERNEL_MIN);
  } while (s.vmapLazyNr > s.lazyMaxPages);
}

/**
 * Parks an unmapped area in the purge tree; past lazy_max_pages() the drain runs.
 * Kernel: `free_vmap_area_noflush()`.
 */
export function freeVmapAreaNoflush(s: VmallocState, va: number): void {
  const a = s.areas;
  unlinkVa(s, va, VMAP_AREA_ROOT, false);
  const nrLazy = (s.vmapLazyNr += (a.vaEnd[va]! - a.vaStart[va]!) / PAGE_SIZE);
  mergeOrAddVmapArea(s, va, PURGE_VMAP_AREA_ROOT, PURGE_VMAP_AREA_LIST, false);
  if (nrLazy > s.lazyMaxPages) drainVmapAreaWork(s);
}

/** Unmaps an area (no TLB flush) and frees it lazily. Kernel: `free_unmap_vmap_area()`. */
export function freeUnmapVmapArea(s: VmallocState, va: number): void {
  s.pgtables.vunmapRangeNoflush(s.areas.vaStart[va]!, s.areas.vaEnd[va]!);
  freeVmapAreaNoflush(s, va);
}

// ---------------------------------------------------------------------------------------------
// boot

/**
 * Builds the free tree from the holes between the busy areas. Kernel: `vmap_init_free_space()`.
 */
export function vmapInitFreeSpace(s: VmallocState): void {
  const a = s.areas;
  let vmapStart = VA_KERNEL_MIN;
  const vmapEnd = VA_ULONG_MAX;
  for (let busy = a.next[VMAP_AREA_LIST]!; busy !== VMAP_AREA_LIST; busy = a.next[busy]!) {
    if (a.vaStart[busy]! - vmapStart > 0) {
      const free = vaCacheAlloc(s, GFP_NOWAIT | __GFP_ZERO, -1);
      if (free === NIL_VA) s.log.warnOnce("vmalloc:vmap_init_free_space", "mm/vmalloc.c:2391 vmap_init_free_space");
      else {
        a.vaStart[free] = vmapStart;
        a.vaEnd[free] = a.vaStart[busy]!;
        insertVmapAreaAugment(s, free, NIL_VA, FREE_VMAP_AREA_ROOT, FREE_VMAP_AREA_LIST);
      }
    }
    vmapStart = a.vaEnd[busy]!;
  }
  if (vmapEnd - vmapStart > 0) {
    const free = vaCacheAlloc(s, GFP_NOWAIT | __GFP_ZERO, -1);
    if (free === NIL_VA) s.log.warnOnce("vmalloc:vmap_init_free_space2", "mm/vmalloc.c:2406 vmap_init_free_space");
    else {
      a.vaStart[free] = vmapStart;
      a.vaEnd[free] = vmapEnd;
      insertVmapAreaAugment(s, free, NIL_VA, FREE_VMAP_AREA_ROOT, FREE_VMAP_AREA_LIST);
    }
  }
}
