// Kernel: lib/xarray.c, include/linux/xarray.h (v6.1) — the page cache's index: a radix tree of 64-slot nodes with three marks per slot and value (shadow) entries
/*
 * One XArray per address_space (mapping->i_pages). As the kernel's, it is a radix tree of
 * nodes of XA_CHUNK_SIZE (64) slots; each node has a shift (0 for a leaf, +6 per level up),
 * the count of its non-NULL slots and of its value entries (node->count, node->nr_values: what
 * workingset.c's shadow-node shrinker reads), and XA_MAX_MARKS bitmaps of 64 bits, set on every
 * level above a marked entry so that a marked search skips whole subtrees (PAGECACHE_TAG_DIRTY,
 * _WRITEBACK, _TOWRITE).
 *
 * Entries are numbers (the kernel stores tagged pointers):
 *   0            NULL (no entry)
 *   > 0          a page: its MemMap page index + 1               (xaMkPage / xaToPage)
 *   < 0          a value entry: −(value + 1), value ≥ 0          (xaMkValue / xaToValue)
 * A value entry is what the page cache keeps where a page was (a workingset shadow, or a swap
 * entry in a shmem mapping). Values up to 2^53 − 1 are exact.
 *
 * Storage: struct-of-typed-arrays over a pool of nodes owned by the XArray (node n's slots are
 * slots[n·64 .. n·64+63]; an internal slot holds child node + 1), doubled when full; freed
 * nodes are kept on a free list through `parent`. Lookups and stores allocate nothing once the
 * pool is large enough.
 *
 * Simplified: indices are 32-bit (page->index is a Uint32Array in MemMap; files end at 16 TiB,
 * see MAX_LFS_FILESIZE in fs.ts), so the tree is at most 6 levels; no multi-index entries (only
 * order-0 folios), no retry entries (one simulated CPU runs at a time), and the head is always a
 * node (the kernel keeps a lone entry at index 0 in xa_head itself: the same lookups, one level
 * more for a one-page file).
 *
 * Invariants (validate()):
 *   - count[n] is the number of non-NULL slots of n, nrValues[n] its value entries (leaf only);
 *   - no node but the head is empty; every child's parent and offset point back at its slot;
 *   - a node's mark bit is set iff the slot is a marked entry (leaf) or a node with any mark bit
 *     of the same mark (internal); the head covers every index in use (shift fits).
 */
import { growTypedArray, type ValidationSink } from "@mmsim/core";

/** Slots per node: 1 << XA_CHUNK_SHIFT. Kernel: `XA_CHUNK_SHIFT` (6 with CONFIG_BASE_SMALL=n). */
export const XA_CHUNK_SHIFT = 6;
export const XA_CHUNK_SIZE = 64;
export const XA_CHUNK_MASK = 63;
/** Kernel: `XA_MARK_0`, `XA_MARK_1`, `XA_MARK_2`, `XA_MAX_MARKS`. */
export const XA_MARK_0 = 0;
export const XA_MARK_1 = 1;
export const XA_MARK_2 = 2;
export const XA_MAX_MARKS = 3;
/** The highest index an XArray of this simulator holds (32-bit page->index). */
export const XA_MAX_INDEX = 0xffffffff;
/** No entry. Kernel: `NULL`. */
export const XA_EMPTY = 0;

/** The entry for page `page` (a MemMap page index). */
export function xaMkPage(page: number): number {
  return page + 1;
}
/** The page index of a page entry (> 0). */
export function xaToPage(entry: number): number {
  return entry - 1;
}
/** A value entry holding `v` (0 ≤ v < 2^53). Kernel: `xa_mk_value()`. */
export function xaMkValue(v: number): number {
  return -v - 1;
}
/** The value of a value entry. Kernel: `xa_to_value()`. */
export function xaToValue(entry: number): number {
  return -entry - 1;
}
/** True for a value entry. Kernel: `xa_is_value()`. */
export function xaIsValue(entry: number): boolean {
  return entry < 0;
}

/** Index of the first set bit at or above `bit` in the 32-bit word `w`, or -1. */
function firstBitFrom(w: number, bit: number): number {
  const m = (w >>> bit) << bit;
  if (m === 0) return -1;
  return 31 - Math.clz32(m & -m);
}

/** The page cache index of one mapping. Kernel: `struct xarray`. */
export class XArray {
  /** The head node, or -1 when empty. Kernel: `xa_head`. */
  head = -1;
  /** Entries stored (pages and values). */
  nrEntries = 0;
  /** Value entries stored. */
  nrValueEntries = 0;
  /** Nodes in use. */
  nrNodes = 0;
  /** After find(): the entry found. */
  found = XA_EMPTY;

  private slots: Float64Array;
  private shift: Uint8Array;
  private count: Uint8Array;
  private nrValues: Uint8Array;
  private parent: Int32Array;
  private offset: Uint8Array;
  /** Marks: node n, mark m: words marks[(n·XA_MAX_MARKS + m)·2] (slots 0..31) and [+1] (32..63). */
  private marks: Uint32Array;
  private capacity: number;
  private freeList = -1;

  constructor(initialNodes = 2) {
    this.capacity = initialNodes;
    this.slots = new Float64Array(initialNodes * XA_CHUNK_SIZE);
    this.shift = new Uint8Array(initialNodes);
    this.count = new Uint8Array(initialNodes);
    this.nrValues = new Uint8Array(initialNodes);
    this.parent = new Int32Array(initialNodes);
    this.offset = new Uint8Array(initialNodes);
    this.marks = new Uint32Array(initialNodes * XA_MAX_MARKS * 2);
    for (let n = initialNodes - 1; n >= 0; n--) this.pushFree(n);
  }

  /** Host bytes of the node pool. */
  get bytes(): number {
    return this.slots.byteLength + this.shift.byteLength * 3 + this.parent.byteLength + this.offset.byteLength + this.marks.byteLength;
  }

  /** True when no entry is stored. Kernel: `xa_empty()`. */
  empty(): boolean {
    return this.head < 0;
  }

  /**
   * The entry at `index` (XA_EMPTY if none). Kernel: `xa_load()`.
   */
  load(index: number): number {
    let node = this.head;
    if (node < 0) return XA_EMPTY;
    let shift = this.shift[node]!;
    if (index >>> shift > XA_CHUNK_MASK) return XA_EMPTY;
    const slots = this.slots;
    for (;;) {
      const s = slots[node * XA_CHUNK_SIZE + ((index >>> shift) & XA_CHUNK_MASK)]!;
      if (shift === 0) return s;
      if (s === 0) return XA_EMPTY;
      node = s - 1;
      shift -= XA_CHUNK_SHIFT;
    }
  }

  /**
   * Stores `entry` at `index` (XA_EMPTY erases it, clearing its marks); a replaced entry keeps
   * its marks. Kernel: `xa_store()` / `xas_store()` (+ xas_delete_node, xas_shrink on erase).
   * @returns the entry that was there
   */
  store(index: number, entry: number): number {
    if (entry === XA_EMPTY) return this.erase(index);
    const leaf = this.leafOf(index);
    return leaf >= 0 ? this.storeAt(leaf, index & XA_CHUNK_MASK, entry) : this.storeCreate(index, entry);
  }

  /** store() where the leaf of `index` is missing: xas_expand + xas_create, then the slot. */
  private storeCreate(index: number, entry: number): number {
    if (this.head < 0) {
      // the first entry: a head just tall enough for its index
      let shift = 0;
      while (index >>> shift > XA_CHUNK_MASK) shift += XA_CHUNK_SHIFT;
      this.head = this.allocNode(shift, -1, 0);
    }
    // xas_expand: grow the head until it covers index
    while (index >>> this.shift[this.head]! > XA_CHUNK_MASK) {
      const old = this.head;
      const n = this.allocNode(this.shift[old]! + XA_CHUNK_SHIFT, -1, 0);
      this.slots[n * XA_CHUNK_SIZE] = old + 1;
      this.count[n] = 1;
      this.parent[old] = n;
      this.offset[old] = 0;
      for (let m = 0; m < XA_MAX_MARKS; m++) if (this.nodeAnyMark(old, m)) this.marks[(n * XA_MAX_MARKS + m) * 2] |= 1;
      this.head = n;
    }
    // xas_create: descend, making the nodes on the way
    let node = this.head;
    let shift = this.shift[node]!;
    while (shift > 0) {
      const off = (index >>> shift) & XA_CHUNK_MASK;
      const at = node * XA_CHUNK_SIZE + off;
      let child = this.slots[at]! - 1;
      if (child < 0) {
        child = this.allocNode(shift - XA_CHUNK_SHIFT, node, off);
        this.slots[at] = child + 1;
        this.count[node]!++;
      }
      node = child;
      shift -= XA_CHUNK_SHIFT;
    }
    return this.storeAt(node, index & XA_CHUNK_MASK, entry);
  }

  /** Stores a non-empty `entry` in slot `off` of leaf `node`, keeping the counts. */
  private storeAt(node: number, off: number, entry: number): number {
    const at = node * XA_CHUNK_SIZE + off;
    const old = this.slots[at]!;
    this.slots[at] = entry;
    if (old === XA_EMPTY) {
      this.count[node]!++;
      this.nrEntries++;
    } else if (old < 0) {
      this.nrValues[node]!--;
      this.nrValueEntries--;
    }
    if (entry < 0) {
      this.nrValues[node]!++;
      this.nrValueEntries++;
    }
    return old;
  }

  /** Erases the entry at `index`. Kernel: `xa_erase()`. @returns the entry that was there */
  erase(index: number): number {
    const leaf = this.leafOf(index);
    return leaf < 0 ? XA_EMPTY : this.eraseAt(leaf, index & XA_CHUNK_MASK);
  }

  /**
   * Erases the entry at `index` if it is a value entry (a shadow), in one walk. Kernel:
   * clear_shadow_from_swap_cache()'s `if (!xa_is_value(old)) continue; xas_store(&xas, NULL)`.
   * @returns true when a value entry was erased
   */
  eraseValue(index: number): boolean {
    const leaf = this.leafOf(index);
    if (leaf < 0) return false;
    const off = index & XA_CHUNK_MASK;
    if (!(this.slots[leaf * XA_CHUNK_SIZE + off]! < 0)) return false;
    this.eraseAt(leaf, off);
    return true;
  }

  /** Erases slot `off` of leaf `node` (xas_store(NULL) + xas_delete_node / xas_shrink). */
  private eraseAt(node: number, off: number): number {
    const at = node * XA_CHUNK_SIZE + off;
    const old = this.slots[at]!;
    if (old === XA_EMPTY) return XA_EMPTY;
    this.clearSlotMarks(node, off);
    this.slots[at] = XA_EMPTY;
    this.nrEntries--;
    if (old < 0) {
      this.nrValues[node]!--;
      this.nrValueEntries--;
    }
    if (--this.count[node]! === 0) this.deleteNode(node);
    else if (node === this.head) this.shrink();
    return old;
  }

  /**
   * Stores `entry` (not XA_EMPTY) at `index` and clears the slot's marks, in one walk. Kernel:
   * `xas_store()` + `xas_init_marks()` (page_cache_delete leaving a shadow where a page was).
   * @returns the entry that was there
   */
  storeInitMarks(index: number, entry: number): number {
    const leaf = this.leafOf(index);
    const at = leaf * XA_CHUNK_SIZE + (index & XA_CHUNK_MASK);
    if (leaf < 0 || entry === XA_EMPTY || this.slots[at] === XA_EMPTY) {
      // no entry there (or an erase): the general paths
      const prev = this.store(index, entry);
      if (entry !== XA_EMPTY) for (let m = 0; m < XA_MAX_MARKS; m++) this.clearMark(index, m);
      return prev;
    }
    const old = this.slots[at]!;
    this.slots[at] = entry;
    if (old < 0) {
      this.nrValues[leaf]!--;
      this.nrValueEntries--;
    }
    if (entry < 0) {
      this.nrValues[leaf]!++;
      this.nrValueEntries++;
    }
    this.clearSlotMarks(leaf, index & XA_CHUNK_MASK);
    return old;
  }

  /** Sets `mark` on the entry at `index` (which must be present). Kernel: `xa_set_mark()`. */
  setMark(index: number, mark: number): void {
    let node = this.head;
    if (node < 0) return;
    let shift = this.shift[node]!;
    if (index >>> shift > XA_CHUNK_MASK) return;
    for (;;) {
      const off = (index >>> shift) & XA_CHUNK_MASK;
      const s = this.slots[node * XA_CHUNK_SIZE + off]!;
      if (s === 0) return;
      this.marks[(node * XA_MAX_MARKS + mark) * 2 + (off >>> 5)] |= 1 << (off & 31);
      if (shift === 0) return;
      node = s - 1;
      shift -= XA_CHUNK_SHIFT;
    }
  }

  /** Clears `mark` on the entry at `index`, and up the tree where no marked entry is left. Kernel: `xa_clear_mark()`. */
  clearMark(index: number, mark: number): void {
    const leaf = this.leafOf(index);
    if (leaf >= 0) this.clearNodeMark(leaf, index & XA_CHUNK_MASK, mark);
  }

  /** True when the entry at `index` has `mark`. Kernel: `xa_get_mark()`. */
  getMark(index: number, mark: number): boolean {
    const leaf = this.leafOf(index);
    if (leaf < 0) return false;
    const off = index & XA_CHUNK_MASK;
    return (this.marks[(leaf * XA_MAX_MARKS + mark) * 2 + (off >>> 5)]! & (1 << (off & 31))) !== 0;
  }

  /** True when any entry has `mark`. Kernel: `xa_marked()` (the head's mark flag). */
  marked(mark: number): boolean {
    return this.head >= 0 && this.nodeAnyMark(this.head, mark);
  }

  /**
   * The first index in [start, max] holding an entry (with `mark` when mark ≥ 0); its entry is
   * left in `found`. Kernel: `xa_find()` / `xas_find()` / `xas_find_marked()`.
   * @returns the index, or -1 when there is none
   */
  find(start: number, max: number, mark = -1): number {
    let index = start;
    if (max > XA_MAX_INDEX) max = XA_MAX_INDEX;
    const slots = this.slots;
    outer: while (index <= max) {
      let node = this.head;
      if (node < 0) return -1;
      let shift = this.shift[node]!;
      if (index >>> shift > XA_CHUNK_MASK) return -1;
      for (;;) {
        const off = (index >>> shift) & XA_CHUNK_MASK;
        const base = node * XA_CHUNK_SIZE;
        let k = -1;
        if (mark < 0) {
          for (let i = off; i < XA_CHUNK_SIZE; i++) {
            if (slots[base + i] !== 0) {
              k = i;
              break;
            }
          }
        } else {
          const w = (node * XA_MAX_MARKS + mark) * 2;
          if (off < 32) {
            k = firstBitFrom(this.marks[w]!, off);
            if (k < 0) {
              const b = firstBitFrom(this.marks[w + 1]!, 0);
              if (b >= 0) k = 32 + b;
            }
          } else {
            const b = firstBitFrom(this.marks[w + 1]!, off - 32);
            if (b >= 0) k = 32 + b;
          }
        }
        // the span one slot of this node covers, and the span of the node itself
        const slotSpan = 2 ** shift;
        const nodeSpan = slotSpan * XA_CHUNK_SIZE;
        if (k < 0) {
          // nothing left in this node: continue after it (from the head again)
          index = (Math.floor(index / nodeSpan) + 1) * nodeSpan;
          continue outer;
        }
        if (k > off) index = Math.floor(index / nodeSpan) * nodeSpan + k * slotSpan;
        if (index > max) return -1;
        const s = slots[base + k]!;
        if (shift === 0) {
          this.found = s;
          return index;
        }
        node = s - 1;
        shift -= XA_CHUNK_SHIFT;
      }
    }
    return -1;
  }

  /** Erases every entry and frees every node. Kernel: `xa_destroy()`. */
  destroy(): void {
    if (this.head >= 0) this.freeSubtree(this.head);
    this.head = -1;
    this.nrEntries = 0;
    this.nrValueEntries = 0;
  }

  /**
   * Checks the tree's invariants (see the file header) and that `expectEntries` entries are
   * stored; `what` names the mapping in messages.
   */
  validate(sink: ValidationSink, what: string): void {
    let entries = 0;
    let values = 0;
    let nodes = 0;
    const walk = (node: number, parent: number, off: number, shift: number): void => {
      nodes++;
      if (this.shift[node] !== shift) sink.report(what, `xarray node ${node} has shift ${this.shift[node]}, expected ${shift}`);
      if (this.parent[node] !== parent || (parent >= 0 && this.offset[node] !== off)) sink.report(what, `xarray node ${node}'s parent/offset ${this.parent[node]}/${this.offset[node]} do not point back at ${parent}/${off}`);
      let c = 0;
      let v = 0;
      for (let i = 0; i < XA_CHUNK_SIZE; i++) {
        const s = this.slots[node * XA_CHUNK_SIZE + i]!;
        for (let m = 0; m < XA_MAX_MARKS; m++) {
          const bit = (this.marks[(node * XA_MAX_MARKS + m) * 2 + (i >>> 5)]! & (1 << (i & 31))) !== 0;
          const want = s !== 0 && (shift === 0 ? bit : this.nodeAnyMark(s - 1, m));
          if (bit !== want) sink.report(what, `xarray node ${node} slot ${i} mark ${m} is ${bit}, its ${shift === 0 ? "entry" : "subtree"} says ${want}`);
        }
        if (s === 0) continue;
        c++;
        if (shift === 0) {
          entries++;
          if (s < 0) {
            v++;
            values++;
          }
        } else walk(s - 1, node, i, shift - XA_CHUNK_SHIFT);
      }
      if (c !== this.count[node]) sink.report(what, `xarray node ${node} counts ${this.count[node]} slots, holds ${c}`);
      if (v !== this.nrValues[node]) sink.report(what, `xarray node ${node} counts ${this.nrValues[node]} value entries, holds ${v}`);
      if (c === 0 && node !== this.head) sink.report(what, `xarray node ${node} is empty but still linked`);
    };
    if (this.head >= 0) walk(this.head, -1, 0, this.shift[this.head]!);
    if (entries !== this.nrEntries) sink.report(what, `xarray counts ${this.nrEntries} entries, holds ${entries}`);
    if (values !== this.nrValueEntries) sink.report(what, `xarray counts ${this.nrValueEntries} value entries, holds ${values}`);
    if (nodes !== this.nrNodes) sink.report(what, `xarray counts ${this.nrNodes} nodes in use, reaches ${nodes}`);
  }

  // ----------------------------------------------------------------- nodes

  /** The leaf node holding `index`'s slot, or -1. */
  private leafOf(index: number): number {
    let node = this.head;
    if (node < 0) return -1;
    let shift = this.shift[node]!;
    if (index >>> shift > XA_CHUNK_MASK) return -1;
    while (shift > 0) {
      const s = this.slots[node * XA_CHUNK_SIZE + ((index >>> shift) & XA_CHUNK_MASK)]!;
      if (s === 0) return -1;
      node = s - 1;
      shift -= XA_CHUNK_SHIFT;
    }
    return node;
  }

  private nodeAnyMark(node: number, mark: number): boolean {
    const w = (node * XA_MAX_MARKS + mark) * 2;
    return (this.marks[w]! | this.marks[w + 1]!) !== 0;
  }

  /** Clears every mark of slot `off` in `node` (and up the tree). Kernel: `xas_init_marks()` / the marks part of `xas_store(NULL)`. */
  private clearSlotMarks(node: number, off: number): void {
    const marks = this.marks;
    const bit = 1 << (off & 31);
    const w = node * (XA_MAX_MARKS * 2) + (off >>> 5);
    // most slots carry no mark: one test each before the walk up
    if ((marks[w]! & bit) !== 0) this.clearNodeMark(node, off, 0);
    if ((marks[w + 2]! & bit) !== 0) this.clearNodeMark(node, off, 1);
    if ((marks[w + 4]! & bit) !== 0) this.clearNodeMark(node, off, 2);
  }

  /** Clears slot `off`'s bit of `mark` in `node`, and the parents' bits while their child has none left. Kernel: `xas_clear_mark()`. */
  private clearNodeMark(node: number, off: number, mark: number): void {
    for (;;) {
      const w = (node * XA_MAX_MARKS + mark) * 2 + (off >>> 5);
      const bit = 1 << (off & 31);
      if ((this.marks[w]! & bit) === 0) return;
      this.marks[w] = this.marks[w]! & ~bit;
      if (this.nodeAnyMark(node, mark)) return;
      const p = this.parent[node]!;
      if (p < 0) return;
      off = this.offset[node]!;
      node = p;
    }
  }

  /** An empty node with `shift`, child of `parent` at `off`. Kernel: `xas_alloc()`. */
  private allocNode(shift: number, parent: number, off: number): number {
    if (this.freeList < 0) this.grow();
    const n = this.freeList;
    this.freeList = this.parent[n]!;
    this.shift[n] = shift;
    this.count[n] = 0;
    this.nrValues[n] = 0;
    this.parent[n] = parent;
    this.offset[n] = off;
    this.nrNodes++;
    return n;
  }

  /** Onto the free list, its slots and marks zeroed (a node that may hold entries). */
  private pushFree(n: number): void {
    this.slots.fill(0, n * XA_CHUNK_SIZE, (n + 1) * XA_CHUNK_SIZE);
    this.marks.fill(0, n * XA_MAX_MARKS * 2, (n + 1) * XA_MAX_MARKS * 2);
    this.parent[n] = this.freeList;
    this.freeList = n;
  }

  private freeNode(n: number): void {
    this.pushFree(n);
    this.nrNodes--;
  }

  /**
   * Frees a node whose slots and marks are all zero already (count 0: by the invariants no slot
   * and no mark bit is set), without zeroing it again: freeing and reusing a node costs a few
   * stores, as the xa_node slab's free does. Kernel: `xa_node_free()`.
   */
  private freeEmptyNode(n: number): void {
    this.parent[n] = this.freeList;
    this.freeList = n;
    this.nrNodes--;
  }

  private grow(): void {
    const old = this.capacity;
    const cap = old * 2;
    this.slots = growTypedArray(this.slots, cap * XA_CHUNK_SIZE);
    this.shift = growTypedArray(this.shift, cap);
    this.count = growTypedArray(this.count, cap);
    this.nrValues = growTypedArray(this.nrValues, cap);
    this.parent = growTypedArray(this.parent, cap);
    this.offset = growTypedArray(this.offset, cap);
    this.marks = growTypedArray(this.marks, cap * XA_MAX_MARKS * 2);
    this.capacity = cap;
    for (let n = cap - 1; n >= old; n--) this.pushFree(n);
  }

  /** Frees an empty node and the parents it leaves empty, then shrinks the head. Kernel: `xas_delete_node()`. */
  private deleteNode(node: number): void {
    for (;;) {
      const p = this.parent[node]!;
      const off = this.offset[node]!;
      this.freeEmptyNode(node);
      if (p < 0) {
        this.head = -1;
        return;
      }
      // the parent's mark bits for this slot are clear already: an empty node has no marks
      this.slots[p * XA_CHUNK_SIZE + off] = 0;
      if (--this.count[p]! !== 0) break;
      node = p;
    }
    this.shrink();
  }

  /** While the head has only slot 0 in use and is not a leaf, its child becomes the head. Kernel: `xas_shrink()`. */
  private shrink(): void {
    for (;;) {
      const h = this.head;
      if (h < 0 || this.shift[h] === 0 || this.count[h] !== 1) return;
      const s = this.slots[h * XA_CHUNK_SIZE]!;
      if (s === 0) return;
      const child = s - 1;
      this.parent[child] = -1;
      this.offset[child] = 0;
      // slot 0 is the head's only entry: clearing it and its mark bits leaves the node empty
      this.slots[h * XA_CHUNK_SIZE] = 0;
      const w = h * XA_MAX_MARKS * 2;
      for (let i = 0; i < XA_MAX_MARKS * 2; i++) this.marks[w + i] = 0;
      this.freeEmptyNode(h);
      this.head = child;
    }
  }

  private freeSubtree(node: number): void {
    if (this.shift[node]! > 0) {
      for (let i = 0; i < XA_CHUNK_SIZE; i++) {
        const s = this.slots[node * XA_CHUNK_SIZE + i]!;
        if (s !== 0) this.freeSubtree(s - 1);
      }
    }
    this.freeNode(node);
  }
}
