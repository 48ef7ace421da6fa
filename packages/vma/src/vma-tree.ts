// Kernel: lib/maple_tree.c, include/linux/maple_tree.h (mm->mm_mt), mm/mmap.c (find_vma, vma_lookup, find_vma_intersection, vma_mas_store, vma_mas_remove) (v6.1) — the VMA tree: a B+-tree of VMAs keyed by address, with the maple tree's node width and pivots
/*
 * 6.1 keeps an mm's VMAs in a maple tree: a B-tree of ranges whose nodes hold up to 16 slots
 * (maple_range_64: 16 slots, 15 pivots), each pivot the last address of its slot's range; a
 * lookup walks root → leaf comparing the address with the pivots of one node per level, so
 * find_vma is O(log n) with a branching factor of ~10–16. mmsim's `MapleTree` is the same shape
 * without the parts that exist for RCU readers and for storing gaps as explicit NULL ranges:
 *
 *   - a node holds up to MAPLE_NODE_SLOTS (16) slots and one pivot per slot in a Float64Array:
 *     in a leaf the slot is a VMA and its pivot is vm_end (the maple tree stores vm_end - 1,
 *     an inclusive last; mmsim compares with `>` instead of `>=`); in an inner node the slot is
 *     a child and the pivot is the largest vm_end below it;
 *   - lookups, inserts and removals walk one root-to-leaf path: O(log n) each, like the maple
 *     tree's mas_walk / mas_store; nodes split when full and are merged with or refilled from a
 *     sibling when less than a quarter full, so the height stays logarithmic;
 *   - the leaves are linked (prev/next), which is what mas_next / mas_prev give the kernel:
 *     iteration and the gap search walk them in O(1) per VMA.
 *
 * What is not modelled: RCU-safe copy-on-write of nodes (mmsim has no concurrent readers) and
 * the gap augmentation of maple_arange_64 nodes: the top-down gap search (`emptyAreaRev`,
 * mas_empty_area_rev) walks the VMAs downward from the high limit, so it costs O(VMAs passed)
 * rather than O(log n); the first gap below mmap_base is usually the one taken.
 *
 * Invariants (validate()): VMAs are in address order and do not overlap (vm_start < vm_end ≤
 * next vm_start); every leaf pivot equals its VMA's vm_end and every inner pivot the largest
 * pivot of its child; every node but the root holds at least one entry; parent links and the
 * leaf chain agree with the tree; `size` counts the VMAs.
 */
import { MmBugError, type ValidationSink } from "@mmsim/core";
import type { VmAreaStruct, VmaTree } from "./mm-types.ts";

/** Slots per node. Kernel: `MAPLE_RANGE64_SLOTS` (16). */
export const MAPLE_NODE_SLOTS = 16;
/** Fewer entries than this in a non-root node after a removal: merge with, or refill from, a sibling. Kernel: `mt_min_slots[]`. */
const MIN_SLOTS = MAPLE_NODE_SLOTS / 4;
const SITE = "vma.maple-tree";

/** One node of the tree (leaf or inner). Kernel: `struct maple_node` (maple_range_64). */
class MapleNode {
  /** Number of used slots. */
  n = 0;
  /** Leaf: VMAs; inner: child nodes. */
  readonly slots: (VmAreaStruct | MapleNode | null)[] = new Array<VmAreaStruct | MapleNode | null>(MAPLE_NODE_SLOTS).fill(null);
  /** Leaf: slots[i].vmEnd; inner: the largest vm_end under slots[i]. */
  readonly pivots = new Float64Array(MAPLE_NODE_SLOTS);
  parent: MapleNode | null = null;
  /** Leaf chain (mas_next / mas_prev across leaves). */
  prev: MapleNode | null = null;
  next: MapleNode | null = null;
  constructor(readonly leaf: boolean) {}
}

/** A position in the tree: a leaf and a slot (the maple state's node and offset). */
interface Cursor {
  node: MapleNode | null;
  i: number;
}

/** The VMAs of one mm. Kernel: `mm->mm_mt` (a maple tree with MT_FLAGS_ALLOC_RANGE). */
export class MapleTree implements VmaTree {
  private root = new MapleNode(true);
  private count = 0;
  /** Scratch cursor (hot paths allocate nothing). */
  private readonly cur: Cursor = { node: null, i: 0 };

  get size(): number {
    return this.count;
  }

  /** Kernel: `find_vma()`: the first VMA with vm_end > addr. */
  findVma(addr: number): VmAreaStruct | null {
    let node = this.root;
    while (!node.leaf) {
      const p = node.pivots;
      const n = node.n;
      let i = 0;
      while (i < n && p[i]! <= addr) i++;
      if (i === n) return null;
      node = node.slots[i] as MapleNode;
    }
    const p = node.pivots;
    const n = node.n;
    for (let i = 0; i < n; i++) if (p[i]! > addr) return node.slots[i] as VmAreaStruct;
    return null;
  }

  /** Kernel: `vma_lookup()`. */
  lookup(addr: number): VmAreaStruct | null {
    const v = this.findVma(addr);
    return v !== null && v.vmStart <= addr ? v : null;
  }

  /** Kernel: `find_vma_intersection()`. */
  intersection(start: number, end: number): VmAreaStruct | null {
    const v = this.findVma(start);
    return v !== null && v.vmStart < end ? v : null;
  }

  /** The lowest VMA, or null. */
  first(): VmAreaStruct | null {
    let node = this.root;
    while (!node.leaf) node = node.slots[0] as MapleNode;
    return node.n > 0 ? (node.slots[0] as VmAreaStruct) : null;
  }

  /** The highest VMA, or null. */
  last(): VmAreaStruct | null {
    let node = this.root;
    while (!node.leaf) node = node.slots[node.n - 1] as MapleNode;
    return node.n > 0 ? (node.slots[node.n - 1] as VmAreaStruct) : null;
  }

  /** Kernel: `vma_prev()` / `find_vma_prev()`. */
  prev(vma: VmAreaStruct): VmAreaStruct | null {
    const c = this.locate(vma);
    if (c.i > 0) return c.node!.slots[c.i - 1] as VmAreaStruct;
    const p = c.node!.prev;
    return p === null ? null : (p.slots[p.n - 1] as VmAreaStruct);
  }

  /** Kernel: `vma_next()`. */
  next(vma: VmAreaStruct): VmAreaStruct | null {
    const c = this.locate(vma);
    if (c.i + 1 < c.node!.n) return c.node!.slots[c.i + 1] as VmAreaStruct;
    const nx = c.node!.next;
    return nx === null ? null : (nx.slots[0] as VmAreaStruct);
  }

  /** The last VMA with vm_start < addr, or null (find_vma_prev's prev for an address). */
  prevOf(addr: number): VmAreaStruct | null {
    const v = this.findVma(addr);
    if (v === null) return this.last();
    if (v.vmStart < addr) return v;
    return this.prev(v);
  }

  /** Kernel: `vma_mas_store()` of a new VMA that overlaps none. */
  insert(vma: VmAreaStruct): void {
    if (!(vma.vmStart < vma.vmEnd)) throw new MmBugError(SITE, `inserting an empty or inverted VMA [${hex(vma.vmStart)}, ${hex(vma.vmEnd)})`);
    let node = this.root;
    while (!node.leaf) {
      let i = 0;
      while (i < node.n - 1 && node.pivots[i]! <= vma.vmStart) i++;
      node = node.slots[i] as MapleNode;
    }
    let i = 0;
    while (i < node.n && node.pivots[i]! <= vma.vmStart) i++;
    const before = i > 0 ? (node.slots[i - 1] as VmAreaStruct) : node.prev !== null ? (node.prev.slots[node.prev.n - 1] as VmAreaStruct) : null;
    const after = i < node.n ? (node.slots[i] as VmAreaStruct) : node.next !== null ? (node.next.slots[0] as VmAreaStruct) : null;
    if ((before !== null && before.vmEnd > vma.vmStart) || (after !== null && after.vmStart < vma.vmEnd)) {
      throw new MmBugError(SITE, `VMA [${hex(vma.vmStart)}, ${hex(vma.vmEnd)}) overlaps a stored one`);
    }
    insertAt(node, i, vma, vma.vmEnd);
    this.count++;
    if (node.n === MAPLE_NODE_SLOTS) this.split(node);
    else this.refresh(node);
  }

  /** Kernel: `vma_mas_remove()`. */
  remove(vma: VmAreaStruct): void {
    const c = this.locate(vma);
    const node = c.node!;
    removeAt(node, c.i);
    this.count--;
    this.rebalance(node);
  }

  /** Re-reads vm_start/vm_end of a VMA changed in place (vma_adjust); the order must be unchanged. */
  updated(vma: VmAreaStruct): void {
    const c = this.locate(vma);
    this.refresh(c.node!);
  }

  *[Symbol.iterator](): Iterator<VmAreaStruct> {
    let node: MapleNode | null = this.root;
    while (!node.leaf) node = node.slots[0] as MapleNode;
    for (; node !== null; node = node.next) {
      for (let i = 0; i < node.n; i++) yield node.slots[i] as VmAreaStruct;
    }
  }

  /** The VMAs in address order, as an array (tests, dumps). */
  toArray(): VmAreaStruct[] {
    return [...this];
  }

  /**
   * The highest empty range within [low, high] (inclusive) of at least `size` bytes.
   * Kernel: `mas_empty_area_rev()`.
   * @returns the range's last address (inclusive, at most `high`), or -1 if there is none
   */
  emptyAreaRev(low: number, high: number, size: number): number {
    if (high < low || high - low + 1 < size) return -1;
    // The VMA at or above `high`: the gap below it ends at min(high, vm_start - 1).
    const v = this.findVma(high);
    let gapEnd: number;
    let c: Cursor;
    if (v !== null) {
      c = this.locate(v);
      gapEnd = Math.min(high, v.vmStart - 1);
      this.stepBack(c);
    } else {
      let node = this.root;
      while (!node.leaf) node = node.slots[node.n - 1] as MapleNode;
      c = this.cur;
      c.node = node.n > 0 ? node : null;
      c.i = node.n - 1;
      gapEnd = high;
    }
    for (;;) {
      const below = c.node === null ? null : (c.node.slots[c.i] as VmAreaStruct);
      const gapStart = Math.max(below === null ? 0 : below.vmEnd, low);
      if (gapEnd >= gapStart && gapEnd - gapStart + 1 >= size) return gapEnd;
      if (below === null) return -1;
      gapEnd = below.vmStart - 1;
      if (gapEnd < low || gapEnd - low + 1 < size) return -1;
      this.stepBack(c);
    }
  }

  /**
   * The lowest empty range within [low, high] (inclusive) of at least `size` bytes.
   * Kernel: `mas_empty_area()`.
   * @returns the range's first address (at least `low`), or -1 if there is none
   */
  emptyArea(low: number, high: number, size: number): number {
    if (high < low || high - low + 1 < size) return -1;
    let gapStart = low;
    let v = this.findVma(low);
    for (;;) {
      if (v !== null && v.vmStart <= gapStart) {
        gapStart = Math.max(gapStart, v.vmEnd);
        v = this.next(v);
        continue;
      }
      const gapEnd = v !== null ? Math.min(v.vmStart - 1, high) : high;
      if (gapEnd >= gapStart && gapEnd - gapStart + 1 >= size) return gapStart;
      if (v === null || v.vmStart > high) return -1;
      gapStart = v.vmEnd;
      v = this.next(v);
    }
  }

  /**
   * Checks the tree's invariants (see the header).
   * @param where prefix for reports, e.g. "mm 3 mm_mt"
   */
  validate(sink: ValidationSink, where = "mm_mt"): void {
    let counted = 0;
    let lastEnd = -1;
    let prevLeaf: MapleNode | null = null;
    const walk = (node: MapleNode, parent: MapleNode | null, depth: number, leafDepth: { d: number }): number => {
      if (node.parent !== parent) sink.report(where, `node at depth ${depth} has a wrong parent link`);
      if (node !== this.root && node.n === 0) sink.report(where, `empty non-root node at depth ${depth}`);
      if (node.leaf) {
        if (leafDepth.d === -1) leafDepth.d = depth;
        else if (leafDepth.d !== depth) sink.report(where, `leaves at depths ${leafDepth.d} and ${depth}`);
        if (node.prev !== prevLeaf) sink.report(where, `leaf chain: prev link of a leaf at depth ${depth} is wrong`);
        if (prevLeaf !== null && prevLeaf.next !== node) sink.report(where, "leaf chain: next link is wrong");
        prevLeaf = node;
        for (let i = 0; i < node.n; i++) {
          const v = node.slots[i] as VmAreaStruct;
          counted++;
          if (!(v.vmStart < v.vmEnd)) sink.report(where, `VMA [${hex(v.vmStart)}, ${hex(v.vmEnd)}) is empty or inverted`);
          if (v.vmStart < lastEnd) sink.report(where, `VMA [${hex(v.vmStart)}, ${hex(v.vmEnd)}) overlaps or precedes the one before (ending ${hex(lastEnd)})`);
          if (node.pivots[i] !== v.vmEnd) sink.report(where, `leaf pivot ${hex(node.pivots[i]!)} ≠ vm_end ${hex(v.vmEnd)}`);
          lastEnd = v.vmEnd;
        }
        return node.n > 0 ? node.pivots[node.n - 1]! : -1;
      }
      let max = -1;
      for (let i = 0; i < node.n; i++) {
        const child = node.slots[i] as MapleNode;
        const m = walk(child, node, depth + 1, leafDepth);
        if (node.pivots[i] !== m) sink.report(where, `inner pivot ${hex(node.pivots[i]!)} ≠ largest vm_end below it ${hex(m)}`);
        max = m;
      }
      return max;
    };
    walk(this.root, null, 0, { d: -1 });
    if (prevLeaf !== null && (prevLeaf as MapleNode).next !== null) sink.report(where, "leaf chain: the last leaf has a next link");
    if (counted !== this.count) sink.report(where, `size ${this.count} ≠ ${counted} VMAs stored`);
  }

  /** Tree height (1 for a lone leaf), for tests and the README's figures. */
  height(): number {
    let h = 1;
    for (let node = this.root; !node.leaf; node = node.slots[0] as MapleNode) h++;
    return h;
  }

  // -------------------------------------------------------------------------------------------

  /** The leaf and slot holding `vma` (by its address, then identity). Kernel: `mas_walk()` + the slot check. */
  private locate(vma: VmAreaStruct): Cursor {
    const key = vma.vmStart;
    let node = this.root;
    while (!node.leaf) {
      let i = 0;
      while (i < node.n - 1 && node.pivots[i]! <= key) i++;
      node = node.slots[i] as MapleNode;
    }
    const c = this.cur;
    for (let i = 0; i < node.n; i++) {
      if (node.slots[i] === vma) {
        c.node = node;
        c.i = i;
        return c;
      }
    }
    // A neighbour's vm_end changed without updated() yet (the caller is mid-adjustment): the
    // pivots led one leaf off; look in the adjacent leaves.
    for (const other of [node.prev, node.next, node.prev?.prev ?? null, node.next?.next ?? null]) {
      if (other === null) continue;
      for (let i = 0; i < other.n; i++) {
        if (other.slots[i] === vma) {
          c.node = other;
          c.i = i;
          return c;
        }
      }
    }
    throw new MmBugError(SITE, `VMA [${hex(vma.vmStart)}, ${hex(vma.vmEnd)}) is not in the tree`);
  }

  /** Moves a cursor to the previous VMA (node null at the start). */
  private stepBack(c: Cursor): void {
    if (c.node === null) return;
    if (c.i > 0) {
      c.i--;
      return;
    }
    c.node = c.node.prev;
    c.i = c.node === null ? -1 : c.node.n - 1;
  }

  /** Recomputes `node`'s pivots and its ancestors' pivots for it. */
  private refresh(node: MapleNode): void {
    if (node.leaf) for (let i = 0; i < node.n; i++) node.pivots[i] = (node.slots[i] as VmAreaStruct).vmEnd;
    else for (let i = 0; i < node.n; i++) node.pivots[i] = lastPivot(node.slots[i] as MapleNode);
    for (let child = node, parent = node.parent; parent !== null; child = parent, parent = parent.parent) {
      const i = parent.slots.indexOf(child);
      parent.pivots[i] = lastPivot(child);
    }
  }

  /** Splits a full node into two halves and inserts the right half into the parent (mas_split). */
  private split(node: MapleNode): void {
    const right = new MapleNode(node.leaf);
    // Appending at the right edge of the tree (mmap's usual top-down order is the mirror case,
    // handled the same way at the left edge) keeps the full node nearly full, as the maple tree's
    // append path does; elsewhere the halves are even.
    const rightmost = node.next === null && isRightEdge(node);
    const leftmost = node.prev === null && isLeftEdge(node);
    const keep = rightmost ? node.n - 1 : leftmost ? 1 : node.n >> 1;
    for (let i = keep; i < node.n; i++) {
      const s = node.slots[i]!;
      insertAt(right, right.n, s, node.pivots[i]!);
      if (!node.leaf) (s as MapleNode).parent = right;
      node.slots[i] = null;
    }
    node.n = keep;
    if (node.leaf) {
      right.next = node.next;
      if (node.next !== null) node.next.prev = right;
      node.next = right;
      right.prev = node;
    }
    let parent = node.parent;
    if (parent === null) {
      parent = new MapleNode(false);
      insertAt(parent, 0, node, lastPivot(node));
      node.parent = parent;
      this.root = parent;
    }
    right.parent = parent;
    const at = parent.slots.indexOf(node);
    parent.pivots[at] = lastPivot(node);
    insertAt(parent, at + 1, right, lastPivot(right));
    if (parent.n === MAPLE_NODE_SLOTS) this.split(parent);
    else this.refresh(parent);
  }

  /** After a removal: merges an underfull node with a sibling or refills it (mas_rebalance), shrinks the root. */
  private rebalance(node: MapleNode): void {
    const parent = node.parent;
    if (parent === null) {
      let root = node;
      while (!root.leaf && root.n === 1) {
        root = root.slots[0] as MapleNode;
        root.parent = null;
      }
      if (!root.leaf && root.n === 0) root = new MapleNode(true);
      this.root = root;
      this.refresh(root);
      return;
    }
    if (node.n >= MIN_SLOTS) {
      this.refresh(node);
      return;
    }
    const at = parent.slots.indexOf(node);
    const leftIdx = at > 0 ? at - 1 : at;
    const left = parent.slots[leftIdx] as MapleNode;
    const right = parent.slots[leftIdx + 1] as MapleNode | undefined;
    if (right === undefined || right === null) {
      // An only child: nothing to merge with (the parent is the root with one child).
      if (node.n === 0) {
        removeAt(parent, at);
        this.unlinkLeaf(node);
        this.rebalance(parent);
      } else {
        this.refresh(node);
        this.rebalance(parent);
      }
      return;
    }
    if (left.n + right.n < MAPLE_NODE_SLOTS) {
      for (let i = 0; i < right.n; i++) {
        const s = right.slots[i]!;
        insertAt(left, left.n, s, right.pivots[i]!);
        if (!right.leaf) (s as MapleNode).parent = left;
      }
      right.n = 0;
      this.unlinkLeaf(right);
      removeAt(parent, leftIdx + 1);
      parent.pivots[leftIdx] = lastPivot(left);
      this.rebalance(parent);
      return;
    }
    // Refill: share the entries of the two evenly.
    const total = left.n + right.n;
    const wantLeft = total >> 1;
    while (left.n < wantLeft) {
      const s = right.slots[0]!;
      insertAt(left, left.n, s, right.pivots[0]!);
      if (!left.leaf) (s as MapleNode).parent = left;
      removeAt(right, 0);
    }
    while (left.n > wantLeft) {
      const s = left.slots[left.n - 1]!;
      insertAt(right, 0, s, left.pivots[left.n - 1]!);
      if (!left.leaf) (s as MapleNode).parent = right;
      removeAt(left, left.n - 1);
    }
    parent.pivots[leftIdx] = lastPivot(left);
    parent.pivots[leftIdx + 1] = lastPivot(right);
    this.refresh(parent);
  }

  private unlinkLeaf(node: MapleNode): void {
    if (!node.leaf) return;
    if (node.prev !== null) node.prev.next = node.next;
    if (node.next !== null) node.next.prev = node.prev;
    node.prev = node.next = null;
  }
}

/** The node is on the tree's rightmost path. */
function isRightEdge(node: MapleNode): boolean {
  for (let c = node, p = node.parent; p !== null; c = p, p = p.parent) if (p.slots[p.n - 1] !== c) return false;
  return true;
}

/** The node is on the tree's leftmost path. */
function isLeftEdge(node: MapleNode): boolean {
  for (let c = node, p = node.parent; p !== null; c = p, p = p.parent) if (p.slots[0] !== c) return false;
  return true;
}

function lastPivot(node: MapleNode): number {
  return node.n > 0 ? node.pivots[node.n - 1]! : -1;
}

function insertAt(node: MapleNode, i: number, slot: VmAreaStruct | MapleNode, pivot: number): void {
  for (let j = node.n; j > i; j--) {
    node.slots[j] = node.slots[j - 1]!;
    node.pivots[j] = node.pivots[j - 1]!;
  }
  node.slots[i] = slot;
  node.pivots[i] = pivot;
  node.n++;
}

function removeAt(node: MapleNode, i: number): void {
  for (let j = i; j < node.n - 1; j++) {
    node.slots[j] = node.slots[j + 1]!;
    node.pivots[j] = node.pivots[j + 1]!;
  }
  node.n--;
  node.slots[node.n] = null;
}

/** An address as the kernel prints it (0x…). */
export function hex(addr: number): string {
  return `0x${addr.toString(16)}`;
}
