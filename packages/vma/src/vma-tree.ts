// Kernel: lib/maple_tree.c, include/linux/maple_tree.h (mm->mm_mt: maple_arange_64 nodes), mm/mmap.c (find_vma, vma_lookup, find_vma_intersection, vma_mas_store, vma_mas_remove, unmapped_area{,_topdown} → mas_empty_area{,_rev}) (v6.1) — the VMA tree: a B+-tree of VMAs keyed by address, with the maple tree's node width, pivots and gap tracking
/*
 * 6.1 keeps an mm's VMAs in a maple tree: a B-tree of ranges whose nodes hold up to 16 slots
 * (maple_range_64: 16 slots, 15 pivots), each pivot the last address of its slot's range; a
 * lookup walks root → leaf comparing the address with the pivots of one node per level, so
 * find_vma is O(log n) with a branching factor of ~10–16. The mm's tree is an "allocation
 * range" tree (MT_FLAGS_ALLOC_RANGE): its inner nodes are maple_arange_64, which keep beside
 * each child the largest gap (empty range) below it (ma_gaps), so that mas_empty_area_rev —
 * get_unmapped_area's search — skips every subtree without a large enough gap: O(log n) too.
 * mmsim's `MapleTree` is the same shape without the parts that exist for RCU readers and for
 * storing gaps as explicit NULL ranges:
 *
 *   - a node holds up to MAPLE_NODE_SLOTS (16) slots and one pivot per slot: in a leaf the slot
 *     is a VMA and its pivot is vm_end (the maple tree stores vm_end - 1, an inclusive last;
 *     mmsim compares with `>` instead of `>=`); in an inner node the slot is a child and the
 *     pivot is the largest vm_end below it;
 *   - every slot also has a gap: in a leaf the empty range just below its VMA (vm_start less
 *     the previous VMA's vm_end, or less 0 for the lowest VMA), in an inner node the largest gap
 *     below the child (ma_gaps). The range above the highest VMA is the open end of the tree;
 *   - the nodes live in typed arrays shared by the whole tree (struct of arrays: node k's slots
 *     are entries 16k … 16k+15 of `piv`, `gap`, `child`, `vmas`), unused pivots hold +∞, so a
 *     lookup scans one node's pivots with one comparison per slot and follows an index —
 *     no object per node, nothing allocated per lookup;
 *   - lookups, inserts and removals walk one root-to-leaf path: O(log n) each, like the maple
 *     tree's mas_walk / mas_store; nodes split when full and are merged with or refilled from a
 *     sibling when less than a quarter full, so the height stays logarithmic;
 *   - the leaves are linked (prev/next), which is what mas_next / mas_prev give the kernel:
 *     iteration walks them in O(1) per VMA.
 *
 * What is not modelled: RCU-safe copy-on-write of nodes (mmsim has no concurrent readers).
 *
 * Invariants (validate()): VMAs are in address order and do not overlap (vm_start < vm_end ≤
 * next vm_start); every leaf pivot equals its VMA's vm_end and every inner pivot the largest
 * pivot of its child; every leaf gap equals the space below its VMA and every inner gap the
 * largest gap of its child; every node but the root holds at least one entry; parent links and
 * the leaf chain agree with the tree; `size` counts the VMAs.
 */
import { MmBugError, type ValidationSink, growTypedArray } from "@mmsim/core";
import type { VmAreaStruct, VmaTree } from "./mm-types.ts";

/** Slots per node. Kernel: `MAPLE_RANGE64_SLOTS` (16). */
export const MAPLE_NODE_SLOTS = 16;
/** Fewer entries than this in a non-root node after a removal: merge with, or refill from, a sibling. Kernel: `mt_min_slots[]`. */
const MIN_SLOTS = MAPLE_NODE_SLOTS / 4;
/** log2(MAPLE_NODE_SLOTS): node k's slots start at k << SHIFT. */
const SHIFT = 4;
const NONE = -1;
const SITE = "vma.maple-tree";

/** The VMAs of one mm. Kernel: `mm->mm_mt` (a maple tree with MT_FLAGS_ALLOC_RANGE). */
export class MapleTree implements VmaTree {
  // Per slot (node k: k*16 … k*16+15).
  /** Leaf: the VMA's vm_end; inner: the largest vm_end below the child; unused: +∞. */
  private piv: Float64Array;
  /** Leaf: vm_start less the previous VMA's vm_end; inner: the largest gap below the child. */
  private gap: Float64Array;
  /** Inner: the child node. */
  private child: Int32Array;
  /** Leaf: the VMA. */
  private vmas: (VmAreaStruct | null)[];
  // Per node.
  /** Used slots. */
  private nr: Int32Array;
  /** 1 for a leaf. */
  private isLeaf: Uint8Array;
  /** The parent node (NONE for the root); for a free node, the next free node. */
  private parent: Int32Array;
  /** Leaf chain (mas_prev / mas_next across leaves). */
  private prevLeaf: Int32Array;
  private nextLeaf: Int32Array;
  private capacity = 0;
  private freeHead = NONE;
  private root: number;
  /** Levels from the root to the leaves (1 for a lone leaf): every leaf is at the same depth. */
  private levels = 1;
  private count = 0;
  /**
   * The slot the last walk or step ended on: the position a maple state (struct ma_state,
   * 6.1's vma_iterator) keeps, from which mas_prev / mas_next step in O(1). Only a hint: it is
   * used when the slot still holds the VMA asked about.
   */
  private pos = -1;

  constructor() {
    this.piv = new Float64Array(0);
    this.gap = new Float64Array(0);
    this.child = new Int32Array(0);
    this.vmas = [];
    this.nr = new Int32Array(0);
    this.isLeaf = new Uint8Array(0);
    this.parent = new Int32Array(0);
    this.prevLeaf = new Int32Array(0);
    this.nextLeaf = new Int32Array(0);
    this.grow(4);
    this.root = this.allocNode(true);
  }

  get size(): number {
    return this.count;
  }

  /** Kernel: `find_vma()`: the first VMA with vm_end > addr. */
  findVma(addr: number): VmAreaStruct | null {
    const s = this.walk(addr);
    return s < 0 ? null : this.vmas[s]!;
  }

  /** Kernel: `vma_lookup()`. */
  lookup(addr: number): VmAreaStruct | null {
    const s = this.walk(addr);
    if (s < 0) return null;
    const v = this.vmas[s]!;
    return v.vmStart <= addr ? v : null;
  }

  /** Kernel: `find_vma_intersection()`. */
  intersection(start: number, end: number): VmAreaStruct | null {
    const s = this.walk(start);
    if (s < 0) return null;
    const v = this.vmas[s]!;
    return v.vmStart < end ? v : null;
  }

  /** The lowest VMA, or null. */
  first(): VmAreaStruct | null {
    let node = this.root;
    while (this.isLeaf[node] === 0) node = this.child[node << SHIFT]!;
    return this.nr[node]! > 0 ? this.vmas[node << SHIFT]! : null;
  }

  /** The highest VMA, or null. */
  last(): VmAreaStruct | null {
    const s = this.lastSlot();
    return s < 0 ? null : this.vmas[s]!;
  }

  /** Kernel: `vma_prev()` / `find_vma_prev()`. */
  prev(vma: VmAreaStruct): VmAreaStruct | null {
    const s = this.prevSlot(this.locate(vma));
    if (s < 0) return null;
    this.pos = s;
    return this.vmas[s]!;
  }

  /** Kernel: `vma_next()`. */
  next(vma: VmAreaStruct): VmAreaStruct | null {
    const s = this.nextSlot(this.locate(vma));
    if (s < 0) return null;
    this.pos = s;
    return this.vmas[s]!;
  }

  /** The last VMA with vm_start < addr, or null (find_vma_prev's prev for an address). */
  prevOf(addr: number): VmAreaStruct | null {
    const s = this.walk(addr);
    if (s < 0) return this.last();
    const v = this.vmas[s]!;
    if (v.vmStart < addr) return v;
    const p = this.prevSlot(s);
    return p < 0 ? null : this.vmas[p]!;
  }

  /** Kernel: `vma_mas_store()` of a new VMA that overlaps none. */
  insert(vma: VmAreaStruct): void {
    if (!(vma.vmStart < vma.vmEnd)) throw new MmBugError(SITE, `inserting an empty or inverted VMA [${hex(vma.vmStart)}, ${hex(vma.vmEnd)})`);
    const piv = this.piv;
    const key = vma.vmStart;
    let node = this.root;
    while (this.isLeaf[node] === 0) {
      const b = node << SHIFT;
      const last = b + this.nr[node]! - 1;
      let i = b;
      while (i < last && piv[i]! <= key) i++;
      node = this.child[i]!;
    }
    const b = node << SHIFT;
    const n = this.nr[node]!;
    let i = 0;
    while (i < n && piv[b + i]! <= key) i++;
    const before = i > 0 ? this.vmas[b + i - 1]! : this.prevLeaf[node] !== NONE ? this.vmas[this.lastOf(this.prevLeaf[node]!)]! : null;
    const after = i < n ? this.vmas[b + i]! : this.nextLeaf[node] !== NONE ? this.vmas[this.nextLeaf[node]! << SHIFT]! : null;
    if ((before !== null && before.vmEnd > vma.vmStart) || (after !== null && after.vmStart < vma.vmEnd)) {
      throw new MmBugError(SITE, `VMA [${hex(vma.vmStart)}, ${hex(vma.vmEnd)}) overlaps a stored one`);
    }
    this.insertAt(node, i, vma.vmEnd, vma.vmStart - (before === null ? 0 : before.vmEnd), NONE, vma);
    this.count++;
    // The VMA after the new one lost the gap below it; when it is the next leaf's first, that leaf's path changes too.
    let nextLeaf = NONE;
    if (after !== null) {
      if (i < n) this.gap[b + i + 1] = after.vmStart - vma.vmEnd;
      else {
        nextLeaf = this.nextLeaf[node]!;
        this.gap[nextLeaf << SHIFT] = after.vmStart - vma.vmEnd;
      }
    }
    if (this.nr[node] === MAPLE_NODE_SLOTS) this.split(node);
    else this.propagate(node);
    if (nextLeaf !== NONE) this.propagate(nextLeaf);
  }

  /** Kernel: `vma_mas_remove()`. */
  remove(vma: VmAreaStruct): void {
    const s = this.locate(vma);
    const node = s >> SHIFT;
    const i = s & (MAPLE_NODE_SLOTS - 1);
    // The VMA after it gains the removed VMA's space as its gap.
    const ps = this.prevSlot(s);
    const belowEnd = ps < 0 ? 0 : this.vmas[ps]!.vmEnd;
    const ns = this.nextSlot(s);
    this.removeAt(node, i);
    this.count--;
    if (ns >= 0) {
      if (ns >> SHIFT === node) this.gap[ns - 1] = this.vmas[ns - 1]!.vmStart - belowEnd;
      else {
        this.gap[ns] = this.vmas[ns]!.vmStart - belowEnd;
        this.propagate(ns >> SHIFT);
      }
    }
    this.rebalance(node);
  }

  /** Re-reads vm_start/vm_end of a VMA changed in place (vma_adjust); the order must be unchanged. */
  updated(vma: VmAreaStruct): void {
    const s = this.locate(vma);
    const node = s >> SHIFT;
    this.refresh(node);
    // vm_end moved: the gap below the next VMA changed; the next leaf's first is outside this path.
    if ((s & (MAPLE_NODE_SLOTS - 1)) === this.nr[node]! - 1 && this.nextLeaf[node] !== NONE) this.refresh(this.nextLeaf[node]!);
  }

  *[Symbol.iterator](): Iterator<VmAreaStruct> {
    let node = this.root;
    while (this.isLeaf[node] === 0) node = this.child[node << SHIFT]!;
    for (; node !== NONE; node = this.nextLeaf[node]!) {
      const b = node << SHIFT;
      for (let i = 0; i < this.nr[node]!; i++) yield this.vmas[b + i]!;
    }
  }

  /** The VMAs in address order, as an array (tests, dumps). */
  toArray(): VmAreaStruct[] {
    return [...this];
  }

  /**
   * The highest empty range within [low, high] (inclusive) of at least `size` bytes: the range
   * below the VMA at `high` (or the open end above the last VMA), then the highest slot before it
   * whose gap is large enough, found by climbing and descending along the nodes' largest gaps.
   * Kernel: `mas_empty_area_rev()`.
   * @returns the range's last address (inclusive, at most `high`), or -1 if there is none
   */
  emptyAreaRev(low: number, high: number, size: number): number {
    if (high < low || high - low + 1 < size) return -1;
    const s = this.walk(high);
    let u: number;
    if (s < 0) {
      // Above the highest VMA.
      const ls = this.lastSlot();
      const gapStart = Math.max(ls < 0 ? 0 : this.piv[ls]!, low);
      if (high >= gapStart && high - gapStart + 1 >= size) return high;
      if (ls < 0) return -1;
      u = this.gapBefore(ls >> SHIFT, ls & (MAPLE_NODE_SLOTS - 1), size);
    } else {
      const v = this.vmas[s]!;
      const gapEnd = Math.min(high, v.vmStart - 1);
      const gapStart = Math.max(v.vmStart - this.gap[s]!, low);
      if (gapEnd >= gapStart && gapEnd - gapStart + 1 >= size) return gapEnd;
      u = this.gapBefore(s >> SHIFT, (s & (MAPLE_NODE_SLOTS - 1)) - 1, size);
    }
    if (u < 0) return -1;
    const start = this.vmas[u]!.vmStart;
    const gapStart = Math.max(start - this.gap[u]!, low);
    return start - 1 >= gapStart && start - gapStart >= size ? start - 1 : -1;
  }

  /**
   * The lowest empty range within [low, high] (inclusive) of at least `size` bytes.
   * Kernel: `mas_empty_area()`.
   * @returns the range's first address (at least `low`), or -1 if there is none
   */
  emptyArea(low: number, high: number, size: number): number {
    if (high < low || high - low + 1 < size) return -1;
    const s = this.walk(low);
    if (s < 0) {
      const ls = this.lastSlot();
      const gapStart = Math.max(ls < 0 ? 0 : this.piv[ls]!, low);
      return high >= gapStart && high - gapStart + 1 >= size ? gapStart : -1;
    }
    const v = this.vmas[s]!;
    if (v.vmStart > low) {
      // The range that holds `low` (the VMA before ends at or below it).
      const gapEnd = Math.min(v.vmStart - 1, high);
      if (gapEnd >= low && gapEnd - low + 1 >= size) return low;
      if (v.vmStart > high) return -1;
    }
    const u = this.gapAfter(s >> SHIFT, (s & (MAPLE_NODE_SLOTS - 1)) + 1, size);
    if (u < 0) {
      const gapStart = this.piv[this.lastSlot()]!;
      return high >= gapStart && high - gapStart + 1 >= size ? gapStart : -1;
    }
    const start = this.vmas[u]!.vmStart;
    const gapStart = start - this.gap[u]!;
    if (gapStart > high) return -1;
    const gapEnd = Math.min(start - 1, high);
    return gapEnd - gapStart + 1 >= size ? gapStart : -1;
  }

  /**
   * Checks the tree's invariants (see the header).
   * @param where prefix for reports, e.g. "mm 3 mm_mt"
   */
  validate(sink: ValidationSink, where = "mm_mt"): void {
    let counted = 0;
    let lastEnd = -1;
    let prevLeaf = NONE;
    let leafDepth = -1;
    const walk = (node: number, parent: number, depth: number): { max: number; gap: number } => {
      const b = node << SHIFT;
      const n = this.nr[node]!;
      if (this.parent[node] !== parent) sink.report(where, `node at depth ${depth} has a wrong parent link`);
      if (node !== this.root && n === 0) sink.report(where, `empty non-root node at depth ${depth}`);
      for (let i = n; i < MAPLE_NODE_SLOTS; i++) if (this.piv[b + i] !== Number.POSITIVE_INFINITY) sink.report(where, `unused slot ${i} of a node at depth ${depth} has pivot ${this.piv[b + i]}`);
      let gapMax = 0;
      if (this.isLeaf[node] !== 0) {
        if (leafDepth === -1) leafDepth = depth;
        else if (leafDepth !== depth) sink.report(where, `leaves at depths ${leafDepth} and ${depth}`);
        if (this.prevLeaf[node] !== prevLeaf) sink.report(where, `leaf chain: prev link of a leaf at depth ${depth} is wrong`);
        if (prevLeaf !== NONE && this.nextLeaf[prevLeaf] !== node) sink.report(where, "leaf chain: next link is wrong");
        prevLeaf = node;
        for (let i = 0; i < n; i++) {
          const v = this.vmas[b + i]!;
          counted++;
          if (!(v.vmStart < v.vmEnd)) sink.report(where, `VMA [${hex(v.vmStart)}, ${hex(v.vmEnd)}) is empty or inverted`);
          if (v.vmStart < lastEnd) sink.report(where, `VMA [${hex(v.vmStart)}, ${hex(v.vmEnd)}) overlaps or precedes the one before (ending ${hex(lastEnd)})`);
          if (this.piv[b + i] !== v.vmEnd) sink.report(where, `leaf pivot ${hex(this.piv[b + i]!)} ≠ vm_end ${hex(v.vmEnd)}`);
          const below = v.vmStart - Math.max(lastEnd, 0);
          if (this.gap[b + i] !== below) sink.report(where, `leaf gap ${hex(this.gap[b + i]!)} below [${hex(v.vmStart)}, ${hex(v.vmEnd)}) ≠ ${hex(below)}`);
          gapMax = Math.max(gapMax, this.gap[b + i]!);
          lastEnd = v.vmEnd;
        }
        return { max: n > 0 ? this.piv[b + n - 1]! : -1, gap: gapMax };
      }
      let max = -1;
      for (let i = 0; i < n; i++) {
        const m = walk(this.child[b + i]!, node, depth + 1);
        if (this.piv[b + i] !== m.max) sink.report(where, `inner pivot ${hex(this.piv[b + i]!)} ≠ largest vm_end below it ${hex(m.max)}`);
        if (this.gap[b + i] !== m.gap) sink.report(where, `inner gap ${hex(this.gap[b + i]!)} ≠ largest gap below it ${hex(m.gap)}`);
        gapMax = Math.max(gapMax, m.gap);
        max = m.max;
      }
      return { max, gap: gapMax };
    };
    walk(this.root, NONE, 0);
    if (leafDepth !== -1 && leafDepth + 1 !== this.levels) sink.report(where, `height ${this.levels} recorded, leaves at depth ${leafDepth}`);
    if (prevLeaf !== NONE && this.nextLeaf[prevLeaf] !== NONE) sink.report(where, "leaf chain: the last leaf has a next link");
    if (counted !== this.count) sink.report(where, `size ${this.count} ≠ ${counted} VMAs stored`);
  }

  /** Tree height (1 for a lone leaf), for tests and the README's figures. */
  height(): number {
    return this.levels;
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Kernel: `mas_walk()`: the slot of the first VMA with vm_end > addr, or -1. One node per
   * level, counted down from the height (all leaves are at one depth) rather than read from
   * isLeaf: a lookup's loads are the pivots and child links of its path and nothing else.
   */
  private walk(addr: number): number {
    const piv = this.piv;
    const root = this.root;
    let i = root << SHIFT;
    while (piv[i]! <= addr) i++; // unused slots hold +∞ (a node never stays full: it splits at 16)
    if (i - (root << SHIFT) >= this.nr[root]!) return -1;
    const child = this.child;
    for (let level = this.levels; level > 1; level--) {
      i = child[i]! << SHIFT;
      while (piv[i]! <= addr) i++; // the child's last pivot is the parent's: > addr
    }
    this.pos = i;
    return i;
  }

  /** The slot holding `vma` (by its address, then identity). Kernel: `mas_walk()` + the slot check. */
  private locate(vma: VmAreaStruct): number {
    const at = this.pos;
    if (at >= 0 && this.vmas[at] === vma) return at;
    const key = vma.vmStart;
    const piv = this.piv;
    let node = this.root;
    while (this.isLeaf[node] === 0) {
      const b = node << SHIFT;
      const last = b + this.nr[node]! - 1;
      let i = b;
      while (i < last && piv[i]! <= key) i++;
      node = this.child[i]!;
    }
    let s = this.slotIn(node, vma);
    if (s < 0) s = this.locateNear(vma, node);
    this.pos = s;
    return s;
  }

  /** The slot of `vma` in leaf `node`, or -1. */
  private slotIn(node: number, vma: VmAreaStruct): number {
    const b = node << SHIFT;
    const end = b + this.nr[node]!;
    const vmas = this.vmas;
    for (let s = b; s < end; s++) if (vmas[s] === vma) return s;
    return -1;
  }

  /**
   * A neighbour's vm_end changed without updated() yet (the caller is mid-adjustment): the
   * pivots led one leaf off; look in the adjacent leaves.
   */
  private locateNear(vma: VmAreaStruct, node: number): number {
    const p = this.prevLeaf[node]!;
    const n = this.nextLeaf[node]!;
    for (const other of [p, n, p === NONE ? NONE : this.prevLeaf[p]!, n === NONE ? NONE : this.nextLeaf[n]!]) {
      if (other === NONE) continue;
      const s = this.slotIn(other, vma);
      if (s >= 0) return s;
    }
    throw new MmBugError(SITE, `VMA [${hex(vma.vmStart)}, ${hex(vma.vmEnd)}) is not in the tree`);
  }

  /** The slot of the highest VMA, or -1. */
  private lastSlot(): number {
    let node = this.root;
    while (this.isLeaf[node] === 0) node = this.child[this.lastOf(node)]!;
    return this.nr[node]! > 0 ? this.lastOf(node) : -1;
  }

  /** The last used slot of a node. */
  private lastOf(node: number): number {
    return (node << SHIFT) + this.nr[node]! - 1;
  }

  /** The slot of the VMA before the one at slot s, or -1. */
  private prevSlot(s: number): number {
    if ((s & (MAPLE_NODE_SLOTS - 1)) > 0) return s - 1;
    const p = this.prevLeaf[s >> SHIFT]!;
    return p === NONE ? -1 : this.lastOf(p);
  }

  /** The slot of the VMA after the one at slot s, or -1. */
  private nextSlot(s: number): number {
    const node = s >> SHIFT;
    if ((s & (MAPLE_NODE_SLOTS - 1)) + 1 < this.nr[node]!) return s + 1;
    const nx = this.nextLeaf[node]!;
    return nx === NONE ? -1 : nx << SHIFT;
  }

  /** The index of child `node` in its parent's slots. */
  private indexInParent(node: number): number {
    const p = this.parent[node]!;
    const b = p << SHIFT;
    const end = b + this.nr[p]!;
    for (let s = b; s < end; s++) if (this.child[s] === node) return s - b;
    throw new MmBugError(SITE, "a node is missing from its parent's slots");
  }

  /**
   * The highest leaf slot at or before slot i of leaf `node` (in address order) whose gap is at
   * least `size`, or -1: up while the node has no such slot left of the path, then down along
   * the rightmost child whose largest gap is enough. Kernel: `mas_rev_awalk()`.
   */
  private gapBefore(node: number, i: number, size: number): number {
    const gap = this.gap;
    for (;;) {
      const b = node << SHIFT;
      while (i >= 0 && gap[b + i]! < size) i--;
      if (i >= 0) {
        if (this.isLeaf[node] !== 0) return b + i;
        node = this.child[b + i]!;
        i = this.nr[node]! - 1;
        continue;
      }
      if (this.parent[node] === NONE) return -1;
      i = this.indexInParent(node) - 1;
      node = this.parent[node]!;
    }
  }

  /** The lowest leaf slot at or after slot i of leaf `node` whose gap is at least `size`, or -1. Kernel: `mas_awalk()`. */
  private gapAfter(node: number, i: number, size: number): number {
    const gap = this.gap;
    for (;;) {
      const b = node << SHIFT;
      const n = this.nr[node]!;
      while (i < n && gap[b + i]! < size) i++;
      if (i < n) {
        if (this.isLeaf[node] !== 0) return b + i;
        node = this.child[b + i]!;
        i = 0;
        continue;
      }
      if (this.parent[node] === NONE) return -1;
      i = this.indexInParent(node) + 1;
      node = this.parent[node]!;
    }
  }

  /** Recomputes the gaps of a leaf's VMAs from their addresses (the first from the previous leaf's last vm_end). */
  private leafGaps(node: number): void {
    const b = node << SHIFT;
    const n = this.nr[node]!;
    const p = this.prevLeaf[node]!;
    let end = p === NONE ? 0 : this.vmas[this.lastOf(p)]!.vmEnd;
    for (let s = b; s < b + n; s++) {
      const v = this.vmas[s]!;
      this.gap[s] = v.vmStart - end;
      end = v.vmEnd;
    }
  }

  /** The largest gap in a node. */
  private maxGap(node: number): number {
    const b = node << SHIFT;
    const n = this.nr[node]!;
    let m = 0;
    for (let s = b; s < b + n; s++) if (this.gap[s]! > m) m = this.gap[s]!;
    return m;
  }

  /** Recomputes `node`'s pivots and gaps and its ancestors' pivots and gaps for it. */
  private refresh(node: number): void {
    const b = node << SHIFT;
    const n = this.nr[node]!;
    if (this.isLeaf[node] !== 0) {
      const p = this.prevLeaf[node]!;
      let end = p === NONE ? 0 : this.vmas[this.lastOf(p)]!.vmEnd;
      for (let s = b; s < b + n; s++) {
        const v = this.vmas[s]!;
        this.piv[s] = v.vmEnd;
        this.gap[s] = v.vmStart - end;
        end = v.vmEnd;
      }
    } else {
      for (let s = b; s < b + n; s++) {
        const c = this.child[s]!;
        this.piv[s] = this.nr[c]! > 0 ? this.piv[this.lastOf(c)]! : -1;
        this.gap[s] = this.maxGap(c);
      }
    }
    this.propagate(node);
  }

  /** Updates the ancestors' pivots and gaps for `node`, up the path while they change (above an unchanged one all is current). */
  private propagate(node: number): void {
    for (let c = node; this.parent[c] !== NONE; c = this.parent[c]!) {
      const s = (this.parent[c]! << SHIFT) + this.indexInParent(c);
      const p = this.nr[c]! > 0 ? this.piv[this.lastOf(c)]! : -1;
      const g = this.maxGap(c);
      if (this.piv[s] === p && this.gap[s] === g) break;
      this.piv[s] = p;
      this.gap[s] = g;
    }
  }

  /** The summary a parent keeps of a child: its last pivot. */
  private lastPivot(node: number): number {
    return this.nr[node]! > 0 ? this.piv[this.lastOf(node)]! : -1;
  }

  /** Splits a full node into two halves and inserts the right half into the parent (mas_split). */
  private split(node: number): void {
    const leaf = this.isLeaf[node] !== 0;
    const right = this.allocNode(leaf);
    // Appending at the right edge of the tree (mmap's usual top-down order is the mirror case,
    // handled the same way at the left edge) keeps the full node nearly full, as the maple tree's
    // append path does; elsewhere the halves are even.
    const rightmost = this.nextLeaf[node] === NONE && this.isRightEdge(node);
    const leftmost = this.prevLeaf[node] === NONE && this.isLeftEdge(node);
    const n = this.nr[node]!;
    const keep = rightmost ? n - 1 : leftmost ? 1 : n >> 1;
    const b = node << SHIFT;
    for (let i = keep; i < n; i++) {
      const s = b + i;
      this.insertAt(right, this.nr[right]!, this.piv[s]!, this.gap[s]!, this.child[s]!, this.vmas[s]!);
      if (!leaf) this.parent[this.child[s]!] = right;
      this.clearSlot(s);
    }
    this.nr[node] = keep;
    if (leaf) {
      const nx = this.nextLeaf[node]!;
      this.nextLeaf[right] = nx;
      if (nx !== NONE) this.prevLeaf[nx] = right;
      this.nextLeaf[node] = right;
      this.prevLeaf[right] = node;
    }
    let parent = this.parent[node]!;
    if (parent === NONE) {
      parent = this.allocNode(false);
      this.insertAt(parent, 0, this.lastPivot(node), this.maxGap(node), node, null);
      this.parent[node] = parent;
      this.root = parent;
      this.levels++;
    }
    this.parent[right] = parent;
    const at = this.indexInParent(node);
    const pb = parent << SHIFT;
    this.piv[pb + at] = this.lastPivot(node);
    this.gap[pb + at] = this.maxGap(node);
    this.insertAt(parent, at + 1, this.lastPivot(right), this.maxGap(right), right, null);
    if (this.nr[parent] === MAPLE_NODE_SLOTS) this.split(parent);
    else this.refresh(parent);
  }

  /** After a removal: merges an underfull node with a sibling or refills it (mas_rebalance), shrinks the root. */
  private rebalance(node: number): void {
    const parent = this.parent[node]!;
    if (parent === NONE) {
      let root = node;
      while (this.isLeaf[root] === 0 && this.nr[root] === 1) {
        const only = this.child[root << SHIFT]!;
        this.freeNode(root);
        root = only;
        this.parent[root] = NONE;
        this.levels--;
      }
      if (this.isLeaf[root] === 0 && this.nr[root] === 0) {
        this.freeNode(root);
        root = this.allocNode(true);
        this.levels = 1;
      }
      this.root = root;
      this.refresh(root);
      return;
    }
    if (this.nr[node]! >= MIN_SLOTS) {
      this.propagate(node);
      return;
    }
    // Entries move between nodes with their gaps: a leaf's must be current first.
    if (this.isLeaf[node] !== 0) this.leafGaps(node);
    const at = this.indexInParent(node);
    const pb = parent << SHIFT;
    const leftIdx = at > 0 ? at - 1 : at;
    const left = this.child[pb + leftIdx]!;
    if (leftIdx + 1 >= this.nr[parent]!) {
      // An only child: nothing to merge with (the parent is the root with one child).
      if (this.nr[node] === 0) {
        this.removeAt(parent, at);
        this.unlinkLeaf(node);
        this.freeNode(node);
        this.rebalance(parent);
      } else {
        this.refresh(node);
        this.rebalance(parent);
      }
      return;
    }
    const right = this.child[pb + leftIdx + 1]!;
    const leaf = this.isLeaf[left] !== 0;
    if (this.nr[left]! + this.nr[right]! < MAPLE_NODE_SLOTS) {
      const rb = right << SHIFT;
      for (let i = 0; i < this.nr[right]!; i++) {
        const s = rb + i;
        this.insertAt(left, this.nr[left]!, this.piv[s]!, this.gap[s]!, this.child[s]!, this.vmas[s]!);
        if (!leaf) this.parent[this.child[s]!] = left;
        this.clearSlot(s);
      }
      this.nr[right] = 0;
      this.unlinkLeaf(right);
      this.freeNode(right);
      this.removeAt(parent, leftIdx + 1);
      this.piv[pb + leftIdx] = this.lastPivot(left);
      this.gap[pb + leftIdx] = this.maxGap(left);
      this.rebalance(parent);
      return;
    }
    // Refill: share the entries of the two evenly.
    const total = this.nr[left]! + this.nr[right]!;
    const wantLeft = total >> 1;
    while (this.nr[left]! < wantLeft) {
      const s = right << SHIFT;
      this.insertAt(left, this.nr[left]!, this.piv[s]!, this.gap[s]!, this.child[s]!, this.vmas[s]!);
      if (!leaf) this.parent[this.child[s]!] = left;
      this.removeAt(right, 0);
    }
    while (this.nr[left]! > wantLeft) {
      const s = this.lastOf(left);
      this.insertAt(right, 0, this.piv[s]!, this.gap[s]!, this.child[s]!, this.vmas[s]!);
      if (!leaf) this.parent[this.child[s]!] = right;
      this.removeAt(left, this.nr[left]! - 1);
    }
    this.piv[pb + leftIdx] = this.lastPivot(left);
    this.gap[pb + leftIdx] = this.maxGap(left);
    this.piv[pb + leftIdx + 1] = this.lastPivot(right);
    this.gap[pb + leftIdx + 1] = this.maxGap(right);
    this.refresh(parent);
  }

  private unlinkLeaf(node: number): void {
    if (this.isLeaf[node] === 0) return;
    const p = this.prevLeaf[node]!;
    const n = this.nextLeaf[node]!;
    if (p !== NONE) this.nextLeaf[p] = n;
    if (n !== NONE) this.prevLeaf[n] = p;
    this.prevLeaf[node] = NONE;
    this.nextLeaf[node] = NONE;
  }

  /** The node is on the tree's rightmost path. */
  private isRightEdge(node: number): boolean {
    for (let c = node, p = this.parent[node]!; p !== NONE; c = p, p = this.parent[p]!) if (this.child[this.lastOf(p)] !== c) return false;
    return true;
  }

  /** The node is on the tree's leftmost path. */
  private isLeftEdge(node: number): boolean {
    for (let c = node, p = this.parent[node]!; p !== NONE; c = p, p = this.parent[p]!) if (this.child[p << SHIFT] !== c) return false;
    return true;
  }

  private insertAt(node: number, i: number, pivot: number, gap: number, child: number, vma: VmAreaStruct | null): void {
    const b = node << SHIFT;
    const piv = this.piv;
    const gaps = this.gap;
    if (this.isLeaf[node] !== 0) {
      const vmas = this.vmas;
      for (let s = b + this.nr[node]!; s > b + i; s--) {
        piv[s] = piv[s - 1]!;
        gaps[s] = gaps[s - 1]!;
        vmas[s] = vmas[s - 1]!;
      }
    } else {
      const children = this.child;
      for (let s = b + this.nr[node]!; s > b + i; s--) {
        piv[s] = piv[s - 1]!;
        gaps[s] = gaps[s - 1]!;
        children[s] = children[s - 1]!;
      }
    }
    this.piv[b + i] = pivot;
    this.gap[b + i] = gap;
    this.child[b + i] = child;
    this.vmas[b + i] = vma;
    this.nr[node]!++;
  }

  private removeAt(node: number, i: number): void {
    const b = node << SHIFT;
    const last = b + this.nr[node]! - 1;
    const piv = this.piv;
    const gaps = this.gap;
    if (this.isLeaf[node] !== 0) {
      const vmas = this.vmas;
      for (let s = b + i; s < last; s++) {
        piv[s] = piv[s + 1]!;
        gaps[s] = gaps[s + 1]!;
        vmas[s] = vmas[s + 1]!;
      }
    } else {
      const children = this.child;
      for (let s = b + i; s < last; s++) {
        piv[s] = piv[s + 1]!;
        gaps[s] = gaps[s + 1]!;
        children[s] = children[s + 1]!;
      }
    }
    this.clearSlot(last);
    this.nr[node]!--;
  }

  private clearSlot(s: number): void {
    this.piv[s] = Number.POSITIVE_INFINITY;
    this.gap[s] = 0;
    this.child[s] = NONE;
    this.vmas[s] = null;
  }

  // ------------------------------------------------------------------ node allocation (the maple tree's mas_alloc_nodes)

  private allocNode(leaf: boolean): number {
    if (this.freeHead === NONE) this.grow(this.capacity * 2);
    const node = this.freeHead;
    this.freeHead = this.parent[node]!;
    this.nr[node] = 0;
    this.isLeaf[node] = leaf ? 1 : 0;
    this.parent[node] = NONE;
    this.prevLeaf[node] = NONE;
    this.nextLeaf[node] = NONE;
    return node;
  }

  private freeNode(node: number): void {
    const b = node << SHIFT;
    for (let s = b; s < b + MAPLE_NODE_SLOTS; s++) this.clearSlot(s);
    this.nr[node] = 0;
    this.parent[node] = this.freeHead;
    this.freeHead = node;
  }

  /** Grows the node arrays to `cap` nodes, the new ones on the free list. */
  private grow(cap: number): void {
    const old = this.capacity;
    const slots = cap << SHIFT;
    this.piv = growTypedArray(this.piv, slots, Number.POSITIVE_INFINITY);
    this.gap = growTypedArray(this.gap, slots);
    this.child = growTypedArray(this.child, slots, NONE);
    for (let s = old << SHIFT; s < slots; s++) this.vmas.push(null);
    this.nr = growTypedArray(this.nr, cap);
    this.isLeaf = growTypedArray(this.isLeaf, cap);
    this.parent = growTypedArray(this.parent, cap, NONE);
    this.prevLeaf = growTypedArray(this.prevLeaf, cap, NONE);
    this.nextLeaf = growTypedArray(this.nextLeaf, cap, NONE);
    // New nodes onto the free list, lowest first.
    for (let k = cap - 1; k >= old; k--) {
      this.parent[k] = this.freeHead;
      this.freeHead = k;
    }
    this.capacity = cap;
  }
}

/** An address as the kernel prints it (0x…). */
export function hex(addr: number): string {
  return `0x${addr.toString(16)}`;
}
