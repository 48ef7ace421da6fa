// mmsim: vmalloc's self-check (cf. DEBUG_AUGMENT_PROPAGATE_CHECK / augment_tree_propagate_check() in mm/vmalloc.c)
/*
 * Walks the three trees and lists and reports every broken invariant:
 *  - each tree is a red-black tree (black root, no red child of a red node, equal black
 *    heights, consistent parent links) ordered by address, with no overlaps;
 *  - each list holds exactly the tree's nodes, in address order;
 *  - the free tree's subtree_max_size is right everywhere (the kernel's debug check), and no
 *    two free blocks touch (merge_or_add_vmap_area() would have merged them);
 *  - busy, free and lazily freed ranges are disjoint;
 *  - vmap_lazy_nr equals the pages on the purge list, nr_vmalloc_pages the pages of live vmalloc
 *    areas; every vm_struct matches its area; vmap_area objects are all accounted for.
 */
import { PAGE_SIZE, type ValidationSink } from "@mmsim/core";
import { formatVa } from "@mmsim/hw-arm64";
import type { VmallocState } from "./vmalloc-state.ts";
import {
  FREE_VMAP_AREA_LIST, FREE_VMAP_AREA_ROOT, NIL_VA, PURGE_VMAP_AREA_LIST, PURGE_VMAP_AREA_ROOT, RB_BLACK, RB_RED,
  VMAP_AREA_LIST, VMAP_AREA_ROOT,
} from "./vmap-area.ts";
import { NIL_VM, VM_MAP_PUT_PAGES } from "./vm-struct.ts";

const TREE_NAMES = ["vmap_area_root", "free_vmap_area_root", "purge_vmap_area_root"];
const LIST_OF_TREE = [VMAP_AREA_LIST, FREE_VMAP_AREA_LIST, PURGE_VMAP_AREA_LIST];

/** Black height of the subtree at n, or -1 after reporting a problem. */
function checkNode(s: VmallocState, n: number, parent: number, root: number, sink: ValidationSink, inorder: number[]): number {
  const a = s.areas;
  if (n === NIL_VA) return 1;
  const where = `${TREE_NAMES[root]} node ${n} [0x${formatVa(a.vaStart[n]!)}-0x${formatVa(a.vaEnd[n]!)})`;
  if (a.inUse[n] !== 1) sink.report(where, "node is not an allocated vmap_area");
  if (a.rbParent[n] !== parent) sink.report(where, `parent link ${a.rbParent[n]} but reached from ${parent}`);
  if (a.vaEnd[n]! <= a.vaStart[n]!) sink.report(where, "empty or inverted range");
  const l = a.rbLeft[n]!;
  const r = a.rbRight[n]!;
  if (a.rbColor[n] === RB_RED && ((l !== NIL_VA && a.rbColor[l] === RB_RED) || (r !== NIL_VA && a.rbColor[r] === RB_RED))) {
    sink.report(where, "red node with a red child");
  }
  const hl = checkNode(s, l, n, root, sink, inorder);
  inorder.push(n);
  const hr = checkNode(s, r, n, root, sink, inorder);
  if (hl !== hr) sink.report(where, `black heights differ: left ${hl}, right ${hr}`);
  if (root === FREE_VMAP_AREA_ROOT) {
    let max = a.vaEnd[n]! - a.vaStart[n]!;
    if (l !== NIL_VA) max = Math.max(max, a.subtreeMaxSize[l]!);
    if (r !== NIL_VA) max = Math.max(max, a.subtreeMaxSize[r]!);
    if (a.subtreeMaxSize[n] !== max) sink.report(where, `subtree_max_size ${a.subtreeMaxSize[n]}, computed ${max}`);
  }
  return hl + (a.rbColor[n] === RB_BLACK ? 1 : 0);
}

/** Checks every structure of mm/vmalloc.c's state. */
export function validateVmalloc(s: VmallocState, sink: ValidationSink): void {
  const a = s.areas;
  const all: { start: number; end: number; kind: string }[] = [];
  let counted = 0;
  for (let root = VMAP_AREA_ROOT; root <= PURGE_VMAP_AREA_ROOT; root++) {
    const inorder: number[] = [];
    const top = a.roots[root]!;
    if (top !== NIL_VA && a.rbColor[top] !== RB_BLACK) sink.report(TREE_NAMES[root]!, "red root");
    checkNode(s, top, NIL_VA, root, sink, inorder);
    const head = LIST_OF_TREE[root]!;
    let i = 0;
    let prev = NIL_VA;
    for (let va = a.next[head]!; va !== head; va = a.next[va]!, i++) {
      if (a.prev[a.next[va]!] !== va) sink.report(`list ${head}`, `broken prev link at ${va}`);
      if (inorder[i] !== va) {
        sink.report(`list ${head}`, `entry ${i} is ${va}, the tree has ${inorder[i] ?? "nothing"}`);
        break;
      }
      if (prev !== NIL_VA) {
        if (a.vaStart[va]! < a.vaEnd[prev]!) sink.report(`list ${head}`, `areas ${prev} and ${va} overlap or are out of order`);
        if (root === FREE_VMAP_AREA_ROOT && a.vaStart[va] === a.vaEnd[prev]) sink.report(`list ${head}`, `free blocks ${prev} and ${va} touch (not merged)`);
      }
      all.push({ start: a.vaStart[va]!, end: a.vaEnd[va]!, kind: TREE_NAMES[root]! });
      prev = va;
      if (i > a.capacity) {
        sink.report(`list ${head}`, "does not return to its head");
        break;
      }
    }
    if (i !== inorder.length) sink.report(`list ${head}`, `${i} entries, the tree has ${inorder.length}`);
    counted += inorder.length;
  }
  all.sort((x, y) => x.start - y.start);
  for (let i = 1; i < all.length; i++) {
    if (all[i]!.start < all[i - 1]!.end) {
      sink.report("vmap space", `${all[i - 1]!.kind} [0x${formatVa(all[i - 1]!.start)}-0x${formatVa(all[i - 1]!.end)}) overlaps ${all[i]!.kind} [0x${formatVa(all[i]!.start)}-…)`);
    }
  }
  let preloaded = 0;
  for (let cpu = 0; cpu < s.nePreload.length; cpu++) if (s.nePreload[cpu] !== NIL_VA) preloaded++;
  if (counted + preloaded !== a.nrInUse) sink.report("vmap_area objects", `${a.nrInUse} allocated, ${counted} in trees + ${preloaded} preloaded`);

  let lazy = 0;
  for (let va = a.next[PURGE_VMAP_AREA_LIST]!; va !== PURGE_VMAP_AREA_LIST; va = a.next[va]!) lazy += (a.vaEnd[va]! - a.vaStart[va]!) / PAGE_SIZE;
  if (lazy !== s.vmapLazyNr) sink.report("vmap_lazy_nr", `${s.vmapLazyNr}, the purge list holds ${lazy} pages`);

  const v = s.vms;
  let vmallocPages = 0;
  let liveVms = 0;
  for (let va = a.next[VMAP_AREA_LIST]!; va !== VMAP_AREA_LIST; va = a.next[va]!) {
    const vm = a.vm[va]!;
    if (vm === NIL_VM) continue;
    liveVms++;
    if (v.inUse[vm] !== 1) sink.report(`vm_struct ${vm}`, "attached to a busy area but not allocated");
    if (v.addr[vm] !== a.vaStart[va] || v.addr[vm]! + v.size[vm]! !== a.vaEnd[va]) {
      sink.report(`vm_struct ${vm}`, `covers [0x${formatVa(v.addr[vm]!)}, +${v.size[vm]}) but its area is [0x${formatVa(a.vaStart[va]!)}-0x${formatVa(a.vaEnd[va]!)})`);
    }
    if ((v.flags[vm]! & VM_MAP_PUT_PAGES) === 0) vmallocPages += v.nrPages[vm]!;
  }
  if (vmallocPages !== s.nrVmallocPages) sink.report("nr_vmalloc_pages", `${s.nrVmallocPages}, live areas hold ${vmallocPages}`);
  if (s.vmapInitialized && liveVms !== v.nrInUse) sink.report("vm_struct objects", `${v.nrInUse} allocated, ${liveVms} attached to busy areas`);

  const b = s.blocks;
  for (const [idx, vb] of b.xa) {
    const va = b.va[vb]!;
    if (va < 0 || a.inUse[va] !== 1 || a.vm[va] !== NIL_VM) sink.report(`vmap_block ${vb}`, `its vmap_area ${va} is not a busy area without vm_struct`);
    if (b.free[vb]! + b.dirty[vb]! > b.bbmapBits) sink.report(`vmap_block ${vb}`, `free ${b.free[vb]} + dirty ${b.dirty[vb]} > ${b.bbmapBits}`);
    if (idx < 0) sink.report(`vmap_block ${vb}`, `index ${idx} below VMALLOC_START`);
  }
}
