// Kernel: lib/rbtree.c, include/linux/rbtree.h, include/linux/rbtree_augmented.h (v6.1) — red-black trees of vmap_area slots, with vmalloc's subtree_max_size augmentation
/*
 * A line-by-line port of the kernel's rbtree over VmapAreas' typed arrays, because the shape of
 * the free tree is observable: find_vmap_lowest_match() prunes a left subtree whose
 * subtree_max_size is below `size + align - 1`, so with alignment above PAGE_SIZE the block it
 * returns depends on which nodes lie on its path. Only the kernel's own insert/erase
 * rebalancing gives the kernel's shape, hence 6.1's addresses.
 *
 * The augmented callbacks are those RB_DECLARE_CALLBACKS_MAX(static,
 * free_vmap_area_rb_augment_cb, struct vmap_area, rb_node, unsigned long, subtree_max_size,
 * va_size) generates: subtree_max_size = max(va_size(node), children's subtree_max_size).
 * `aug` selects them (the free tree) or the dummy callbacks of rb_insert_color()/rb_erase()
 * (the busy and purge trees).
 *
 * Hot code: free functions over numbers, no allocation. A link "slot" in C (`struct rb_node
 * **link`) is a (parent, direction) pair: LINK_ROOT, LINK_LEFT, LINK_RIGHT.
 */
import { NIL_VA, RB_BLACK, RB_RED, type VmapAreas } from "./vmap-area.ts";

/** `link == &root->rb_node`. */
export const LINK_ROOT = 0;
/** `link == &parent->rb_left`. */
export const LINK_LEFT = 1;
/** `link == &parent->rb_right`. */
export const LINK_RIGHT = 2;

/** Kernel: `__rb_change_child()`. */
function changeChild(a: VmapAreas, old: number, nw: number, parent: number, root: number): void {
  if (parent !== NIL_VA) {
    if (a.rbLeft[parent] === old) a.rbLeft[parent] = nw;
    else a.rbRight[parent] = nw;
  } else a.roots[root] = nw;
}

/** Kernel: `rb_set_parent_color()`. */
function setParentColor(a: VmapAreas, rb: number, p: number, color: number): void {
  a.rbParent[rb] = p;
  a.rbColor[rb] = color;
}

/** Kernel: `__rb_rotate_set_parents()`. */
function rotateSetParents(a: VmapAreas, old: number, nw: number, root: number, color: number): void {
  const parent = a.rbParent[old]!;
  a.rbParent[nw] = parent;
  a.rbColor[nw] = a.rbColor[old]!;
  setParentColor(a, old, nw, color);
  changeChild(a, old, nw, parent, root);
}

/**
 * Recomputes subtree_max_size of `va`; with `exit`, reports whether it was already right.
 * Kernel: `free_vmap_area_rb_augment_cb_compute_max()`.
 */
function computeMax(a: VmapAreas, va: number, exit: boolean): boolean {
  let max = a.vaEnd[va]! - a.vaStart[va]!;
  const l = a.rbLeft[va]!;
  if (l !== NIL_VA && a.subtreeMaxSize[l]! > max) max = a.subtreeMaxSize[l]!;
  const r = a.rbRight[va]!;
  if (r !== NIL_VA && a.subtreeMaxSize[r]! > max) max = a.subtreeMaxSize[r]!;
  if (exit && a.subtreeMaxSize[va] === max) return true;
  a.subtreeMaxSize[va] = max;
  return false;
}

/**
 * Walks up from `rb` recomputing subtree_max_size until a node is unchanged or `stop` is
 * reached. Kernel: `free_vmap_area_rb_augment_cb_propagate()` (augment_tree_propagate_from()
 * calls it with stop = NULL).
 */
export function augmentPropagate(a: VmapAreas, rb: number, stop: number): void {
  while (rb !== stop) {
    if (computeMax(a, rb, true)) break;
    rb = a.rbParent[rb]!;
  }
}

/** Kernel: `free_vmap_area_rb_augment_cb_rotate()`. */
function augmentRotate(a: VmapAreas, old: number, nw: number): void {
  a.subtreeMaxSize[nw] = a.subtreeMaxSize[old]!;
  computeMax(a, old, false);
}

/**
 * Attaches `node` as a red leaf at (parent, dir). Kernel: `rb_link_node()`.
 */
export function rbLinkNode(a: VmapAreas, node: number, parent: number, dir: number, root: number): void {
  a.rbParent[node] = parent;
  a.rbColor[node] = RB_RED;
  a.rbLeft[node] = NIL_VA;
  a.rbRight[node] = NIL_VA;
  if (dir === LINK_ROOT) a.roots[root] = node;
  else if (dir === LINK_LEFT) a.rbLeft[parent] = node;
  else a.rbRight[parent] = node;
}

/**
 * Rebalances after rbLinkNode(). Kernel: `__rb_insert()` (rb_insert_color() when `aug` is
 * false, rb_insert_augmented() with the vmap_area callbacks when true).
 */
export function rbInsert(a: VmapAreas, node: number, root: number, aug: boolean): void {
  let parent = a.rbParent[node]!;
  let gparent: number;
  let tmp: number;
  for (;;) {
    if (parent === NIL_VA) {
      setParentColor(a, node, NIL_VA, RB_BLACK);
      break;
    }
    if (a.rbColor[parent] === RB_BLACK) break;
    gparent = a.rbParent[parent]!;
    tmp = a.rbRight[gparent]!;
    if (parent !== tmp) {
      // parent == gparent->rb_left
      if (tmp !== NIL_VA && a.rbColor[tmp] === RB_RED) {
        // Case 1 - colour flips
        setParentColor(a, tmp, gparent, RB_BLACK);
        setParentColor(a, parent, gparent, RB_BLACK);
        node = gparent;
        parent = a.rbParent[node]!;
        setParentColor(a, node, parent, RB_RED);
        continue;
      }
      tmp = a.rbRight[parent]!;
      if (node === tmp) {
        // Case 2 - left rotate at parent
        tmp = a.rbLeft[node]!;
        a.rbRight[parent] = tmp;
        a.rbLeft[node] = parent;
        if (tmp !== NIL_VA) setParentColor(a, tmp, parent, RB_BLACK);
        setParentColor(a, parent, node, RB_RED);
        if (aug) augmentRotate(a, parent, node);
        parent = node;
        tmp = a.rbRight[node]!;
      }
      // Case 3 - right rotate at gparent
      a.rbLeft[gparent] = tmp;
      a.rbRight[parent] = gparent;
      if (tmp !== NIL_VA) setParentColor(a, tmp, gparent, RB_BLACK);
      rotateSetParents(a, gparent, parent, root, RB_RED);
      if (aug) augmentRotate(a, gparent, parent);
      break;
    } else {
      tmp = a.rbLeft[gparent]!;
      if (tmp !== NIL_VA && a.rbColor[tmp] === RB_RED) {
        // Case 1 - colour flips
        setParentColor(a, tmp, gparent, RB_BLACK);
        setParentColor(a, parent, gparent, RB_BLACK);
        node = gparent;
        parent = a.rbParent[node]!;
        setParentColor(a, node, parent, RB_RED);
        continue;
      }
      tmp = a.rbLeft[parent]!;
      if (node === tmp) {
        // Case 2 - right rotate at parent
        tmp = a.rbRight[node]!;
        a.rbLeft[parent] = tmp;
        a.rbRight[node] = parent;
        if (tmp !== NIL_VA) setParentColor(a, tmp, parent, RB_BLACK);
        setParentColor(a, parent, node, RB_RED);
        if (aug) augmentRotate(a, parent, node);
        parent = node;
        tmp = a.rbLeft[node]!;
      }
      // Case 3 - left rotate at gparent
      a.rbRight[gparent] = tmp;
      a.rbLeft[parent] = gparent;
      if (tmp !== NIL_VA) setParentColor(a, tmp, gparent, RB_BLACK);
      rotateSetParents(a, gparent, parent, root, RB_RED);
      if (aug) augmentRotate(a, gparent, parent);
      break;
    }
  }
}

/** Kernel: `____rb_erase_color()`. */
function rbEraseColor(a: VmapAreas, parent: number, root: number, aug: boolean): void {
  let node = NIL_VA;
  let sibling: number;
  let tmp1: number;
  let tmp2: number;
  for (;;) {
    sibling = a.rbRight[parent]!;
    if (node !== sibling) {
      // node == parent->rb_left
      if (a.rbColor[sibling] === RB_RED) {
        // Case 1 - left rotate at parent
        tmp1 = a.rbLeft[sibling]!;
        a.rbRight[parent] = tmp1;
        a.rbLeft[sibling] = parent;
        setParentColor(a, tmp1, parent, RB_BLACK);
        rotateSetParents(a, parent, sibling, root, RB_RED);
        if (aug) augmentRotate(a, parent, sibling);
        sibling = tmp1;
      }
      tmp1 = a.rbRight[sibling]!;
      if (tmp1 === NIL_VA || a.rbColor[tmp1] === RB_BLACK) {
        tmp2 = a.rbLeft[sibling]!;
        if (tmp2 === NIL_VA || a.rbColor[tmp2] === RB_BLACK) {
          // Case 2 - sibling colour flip
          setParentColor(a, sibling, parent, RB_RED);
          if (a.rbColor[parent] === RB_RED) a.rbColor[parent] = RB_BLACK;
          else {
            node = parent;
            parent = a.rbParent[node]!;
            if (parent !== NIL_VA) continue;
          }
          break;
        }
        // Case 3 - right rotate at sibling
        tmp1 = a.rbRight[tmp2]!;
        a.rbLeft[sibling] = tmp1;
        a.rbRight[tmp2] = sibling;
        a.rbRight[parent] = tmp2;
        if (tmp1 !== NIL_VA) setParentColor(a, tmp1, sibling, RB_BLACK);
        if (aug) augmentRotate(a, sibling, tmp2);
        tmp1 = sibling;
        sibling = tmp2;
      }
      // Case 4 - left rotate at parent + colour flips
      tmp2 = a.rbLeft[sibling]!;
      a.rbRight[parent] = tmp2;
      a.rbLeft[sibling] = parent;
      setParentColor(a, tmp1, sibling, RB_BLACK);
      if (tmp2 !== NIL_VA) a.rbParent[tmp2] = parent;
      rotateSetParents(a, parent, sibling, root, RB_BLACK);
      if (aug) augmentRotate(a, parent, sibling);
      break;
    } else {
      sibling = a.rbLeft[parent]!;
      if (a.rbColor[sibling] === RB_RED) {
        // Case 1 - right rotate at parent
        tmp1 = a.rbRight[sibling]!;
        a.rbLeft[parent] = tmp1;
        a.rbRight[sibling] = parent;
        setParentColor(a, tmp1, parent, RB_BLACK);
        rotateSetParents(a, parent, sibling, root, RB_RED);
        if (aug) augmentRotate(a, parent, sibling);
        sibling = tmp1;
      }
      tmp1 = a.rbLeft[sibling]!;
      if (tmp1 === NIL_VA || a.rbColor[tmp1] === RB_BLACK) {
        tmp2 = a.rbRight[sibling]!;
        if (tmp2 === NIL_VA || a.rbColor[tmp2] === RB_BLACK) {
          // Case 2 - sibling colour flip
          setParentColor(a, sibling, parent, RB_RED);
          if (a.rbColor[parent] === RB_RED) a.rbColor[parent] = RB_BLACK;
          else {
            node = parent;
            parent = a.rbParent[node]!;
            if (parent !== NIL_VA) continue;
          }
          break;
        }
        // Case 3 - left rotate at sibling
        tmp1 = a.rbLeft[tmp2]!;
        a.rbRight[sibling] = tmp1;
        a.rbLeft[tmp2] = sibling;
        a.rbLeft[parent] = tmp2;
        if (tmp1 !== NIL_VA) setParentColor(a, tmp1, sibling, RB_BLACK);
        if (aug) augmentRotate(a, sibling, tmp2);
        tmp1 = sibling;
        sibling = tmp2;
      }
      // Case 4 - right rotate at parent + colour flips
      tmp2 = a.rbRight[sibling]!;
      a.rbLeft[parent] = tmp2;
      a.rbRight[sibling] = parent;
      setParentColor(a, tmp1, sibling, RB_BLACK);
      if (tmp2 !== NIL_VA) a.rbParent[tmp2] = parent;
      rotateSetParents(a, parent, sibling, root, RB_BLACK);
      if (aug) augmentRotate(a, parent, sibling);
      break;
    }
  }
}

/**
 * Removes `node` from the tree `root`. Kernel: `rb_erase()` (aug false) or
 * `rb_erase_augmented()` with the vmap_area callbacks (aug true): `__rb_erase_augmented()`
 * followed by `__rb_erase_color()` when it asks for a rebalance.
 */
export function rbErase(a: VmapAreas, node: number, root: number, aug: boolean): void {
  const child = a.rbRight[node]!;
  let tmp = a.rbLeft[node]!;
  let parent: number;
  let rebalance: number;
  let pParent: number;
  let pColor: number;
  if (tmp === NIL_VA) {
    // Case 1: node has at most one child (the right one)
    pParent = a.rbParent[node]!;
    pColor = a.rbColor[node]!;
    parent = pParent;
    changeChild(a, node, child, parent, root);
    if (child !== NIL_VA) {
      a.rbParent[child] = pParent;
      a.rbColor[child] = pColor;
      rebalance = NIL_VA;
    } else rebalance = pColor === RB_BLACK ? parent : NIL_VA;
    tmp = parent;
  } else if (child === NIL_VA) {
    // Still case 1, but the child is node->rb_left
    pParent = a.rbParent[node]!;
    pColor = a.rbColor[node]!;
    a.rbParent[tmp] = pParent;
    a.rbColor[tmp] = pColor;
    parent = pParent;
    changeChild(a, node, tmp, parent, root);
    rebalance = NIL_VA;
    tmp = parent;
  } else {
    let successor = child;
    let child2: number;
    tmp = a.rbLeft[child]!;
    if (tmp === NIL_VA) {
      // Case 2: node's successor is its right child
      parent = successor;
      child2 = a.rbRight[successor]!;
      if (aug) a.subtreeMaxSize[successor] = a.subtreeMaxSize[node]!; // augment->copy
    } else {
      // Case 3: node's successor is leftmost under node's right child subtree
      do {
        parent = successor;
        successor = tmp;
        tmp = a.rbLeft[tmp]!;
      } while (tmp !== NIL_VA);
      child2 = a.rbRight[successor]!;
      a.rbLeft[parent] = child2;
      a.rbRight[successor] = child;
      a.rbParent[child] = successor;
      if (aug) {
        a.subtreeMaxSize[successor] = a.subtreeMaxSize[node]!; // augment->copy
        augmentPropagate(a, parent, successor);
      }
    }
    tmp = a.rbLeft[node]!;
    a.rbLeft[successor] = tmp;
    a.rbParent[tmp] = successor;
    pParent = a.rbParent[node]!;
    pColor = a.rbColor[node]!;
    changeChild(a, node, successor, pParent, root);
    if (child2 !== NIL_VA) {
      setParentColor(a, child2, parent, RB_BLACK);
      rebalance = NIL_VA;
    } else rebalance = a.rbColor[successor] === RB_BLACK ? parent : NIL_VA;
    a.rbParent[successor] = pParent;
    a.rbColor[successor] = pColor;
    tmp = successor;
  }
  if (aug) augmentPropagate(a, tmp, NIL_VA);
  if (rebalance !== NIL_VA) rbEraseColor(a, rebalance, root, aug);
}

/** The leftmost node, or NIL_VA. Kernel: `rb_first()`. */
export function rbFirst(a: VmapAreas, root: number): number {
  let n = a.roots[root]!;
  if (n === NIL_VA) return NIL_VA;
  while (a.rbLeft[n] !== NIL_VA) n = a.rbLeft[n]!;
  return n;
}

/** The in-order successor, or NIL_VA. Kernel: `rb_next()`. */
export function rbNext(a: VmapAreas, node: number): number {
  if (a.rbParent[node] === node) return NIL_VA; // RB_EMPTY_NODE
  let n = a.rbRight[node]!;
  if (n !== NIL_VA) {
    while (a.rbLeft[n] !== NIL_VA) n = a.rbLeft[n]!;
    return n;
  }
  let parent: number;
  while ((parent = a.rbParent[node]!) !== NIL_VA && node === a.rbRight[parent]) node = parent;
  return parent;
}

/** The in-order predecessor, or NIL_VA. Kernel: `rb_prev()`. */
export function rbPrev(a: VmapAreas, node: number): number {
  if (a.rbParent[node] === node) return NIL_VA;
  let n = a.rbLeft[node]!;
  if (n !== NIL_VA) {
    while (a.rbRight[n] !== NIL_VA) n = a.rbRight[n]!;
    return n;
  }
  let parent: number;
  while ((parent = a.rbParent[node]!) !== NIL_VA && node === a.rbLeft[parent]) node = parent;
  return parent;
}
