// Kernel: include/linux/vmalloc.h (struct vmap_area), mm/vmalloc.c (vmap_area_cachep, the three trees and lists) (v6.1) — vmap_area objects as slots of typed arrays
/*
 * struct vmap_area {
 *   unsigned long va_start, va_end;
 *   struct rb_node rb_node;              address-sorted rbtree
 *   struct list_head list;               address-sorted list
 *   union { unsigned long subtree_max_size;   in the free tree
 *           struct vm_struct *vm; };           in the busy tree
 * };
 *
 * One slot per object, every field a typed array (STYLE C6/C7): a vmap_area is a slot index,
 * NULL is NIL_VA (-1). The first NR_VA_LIST_HEADS slots are the list heads (vmap_area_list,
 * free_vmap_area_list, purge_vmap_area_list and __purge_vmap_area_lazy's local list), so every
 * list is circular like list_head and uses core's list verbs. The three rb roots live in
 * `roots`. `subtree_max_size` and `vm` are kept in two arrays (the union saves 8 bytes in the
 * kernel; here it would only cost a conversion), but only one is meaningful at a time.
 *
 * An rb node "not in a tree" has itself as parent (`RB_CLEAR_NODE()` / `RB_EMPTY_NODE()`).
 * Slots are reused LIFO and the arrays double when full (growth is the only allocation).
 * When the machine has a slab layer, each slot also holds the kmem_cache object the kernel
 * would have taken from the `vmap_area` cache (`obj`), so /proc/slabinfo counts them.
 */
import { growTypedArray } from "@mmsim/core";

/** NULL vmap_area / rb_node. */
export const NIL_VA = -1;

/** `vmap_area_list`: busy areas, sorted by address (what /proc/vmallocinfo walks). */
export const VMAP_AREA_LIST = 0;
/** `free_vmap_area_list`: free blocks, sorted by address. */
export const FREE_VMAP_AREA_LIST = 1;
/** `purge_vmap_area_list`: lazily freed areas waiting for a purge, sorted by address. */
export const PURGE_VMAP_AREA_LIST = 2;
/** `local_purge_list` of `__purge_vmap_area_lazy()`. */
export const LOCAL_PURGE_LIST = 3;
/** Number of list-head slots at the start of the arrays. */
export const NR_VA_LIST_HEADS = 4;

/** `vmap_area_root`: the busy tree. */
export const VMAP_AREA_ROOT = 0;
/** `free_vmap_area_root`: the free tree, augmented with subtree_max_size. */
export const FREE_VMAP_AREA_ROOT = 1;
/** `purge_vmap_area_root`: the lazily freed areas. */
export const PURGE_VMAP_AREA_ROOT = 2;
/** Number of trees. */
export const NR_VA_ROOTS = 3;

/** `RB_RED` / `RB_BLACK` (include/linux/rbtree_augmented.h). */
export const RB_RED = 0;
export const RB_BLACK = 1;

/** The vmap_area objects of one machine. */
export class VmapAreas {
  /** Slots available before the arrays grow. */
  capacity: number;
  /** `va_start`. */
  vaStart: Float64Array;
  /** `va_end` (exclusive). */
  vaEnd: Float64Array;
  /** `subtree_max_size` (free tree only). */
  subtreeMaxSize: Float64Array;
  /** `vm`: the vm_struct id of a busy area, or -1 (NULL: vm_map_ram, or being torn down). */
  vm: Int32Array;
  /** rb_node: parent (itself when the node is in no tree), left, right, colour. */
  rbParent: Int32Array;
  rbLeft: Int32Array;
  rbRight: Int32Array;
  rbColor: Uint8Array;
  /** `list`: next/prev links (slots 0..NR_VA_LIST_HEADS-1 are the heads). */
  next: Int32Array;
  prev: Int32Array;
  /** The kmem_cache object backing the slot (0 when there is no slab layer). */
  obj: Float64Array;
  /** 1 while the slot is allocated. */
  inUse: Uint8Array;
  /** The rb roots, by VMAP_AREA_ROOT, FREE_VMAP_AREA_ROOT, PURGE_VMAP_AREA_ROOT. */
  readonly roots = new Int32Array(NR_VA_ROOTS).fill(NIL_VA);
  /** Objects allocated (not counting the list heads). */
  nrInUse = 0;
  private freeSlots: Int32Array;
  private nrFreeSlots = 0;
  private nextUnused: number;

  constructor(initialCapacity = 256) {
    const n = Math.max(initialCapacity, NR_VA_LIST_HEADS + 1);
    this.capacity = n;
    this.vaStart = new Float64Array(n);
    this.vaEnd = new Float64Array(n);
    this.subtreeMaxSize = new Float64Array(n);
    this.vm = new Int32Array(n).fill(-1);
    this.rbParent = new Int32Array(n).fill(NIL_VA);
    this.rbLeft = new Int32Array(n).fill(NIL_VA);
    this.rbRight = new Int32Array(n).fill(NIL_VA);
    this.rbColor = new Uint8Array(n);
    this.next = new Int32Array(n).fill(NIL_VA);
    this.prev = new Int32Array(n).fill(NIL_VA);
    this.obj = new Float64Array(n);
    this.inUse = new Uint8Array(n);
    this.freeSlots = new Int32Array(n);
    for (let h = 0; h < NR_VA_LIST_HEADS; h++) {
      this.next[h] = h;
      this.prev[h] = h;
    }
    this.nextUnused = NR_VA_LIST_HEADS;
  }

  /** Takes a free slot (an uninitialised vmap_area, not in any tree or list). */
  alloc(): number {
    let va: number;
    if (this.nrFreeSlots > 0) va = this.freeSlots[--this.nrFreeSlots]!;
    else {
      if (this.nextUnused === this.capacity) this.grow();
      va = this.nextUnused++;
    }
    this.inUse[va] = 1;
    this.nrInUse++;
    this.rbParent[va] = va; // RB_CLEAR_NODE
    this.rbLeft[va] = NIL_VA;
    this.rbRight[va] = NIL_VA;
    this.next[va] = va; // INIT_LIST_HEAD
    this.prev[va] = va;
    this.vm[va] = -1;
    this.subtreeMaxSize[va] = 0;
    this.obj[va] = 0;
    return va;
  }

  /** Returns a slot. */
  free(va: number): void {
    this.inUse[va] = 0;
    this.nrInUse--;
    this.freeSlots[this.nrFreeSlots++] = va;
  }

  /** `va_size()`. */
  size(va: number): number {
    return this.vaEnd[va]! - this.vaStart[va]!;
  }

  private grow(): void {
    const n = this.capacity * 2;
    this.vaStart = growTypedArray(this.vaStart, n);
    this.vaEnd = growTypedArray(this.vaEnd, n);
    this.subtreeMaxSize = growTypedArray(this.subtreeMaxSize, n);
    this.vm = growTypedArray(this.vm, n, -1);
    this.rbParent = growTypedArray(this.rbParent, n, NIL_VA);
    this.rbLeft = growTypedArray(this.rbLeft, n, NIL_VA);
    this.rbRight = growTypedArray(this.rbRight, n, NIL_VA);
    this.rbColor = growTypedArray(this.rbColor, n);
    this.next = growTypedArray(this.next, n, NIL_VA);
    this.prev = growTypedArray(this.prev, n, NIL_VA);
    this.obj = growTypedArray(this.obj, n);
    this.inUse = growTypedArray(this.inUse, n);
    this.freeSlots = growTypedArray(this.freeSlots, n);
    this.capacity = n;
  }
}
