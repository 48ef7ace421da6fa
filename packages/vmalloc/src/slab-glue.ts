// mmsim: how vmalloc's metadata reaches the slab layer (kmalloc_node/kfree of vm_struct, pages arrays, vmap_block)
/*
 * In 6.1 vm_struct comes from kzalloc_node(), the pages array from kmalloc_node() (up to
 * PAGE_SIZE) and struct vmap_block from kmalloc_node(): through core's SlabCommon when the
 * machine has one (vmallocInit(slab)), so /proc/slabinfo counts vmalloc's metadata. Without a
 * slab layer (the package used alone) these allocations always succeed and return
 * KMALLOC_UNMODELLED, a non-NULL token that kfree() ignores.
 */
import { NIL_OBJECT } from "@mmsim/core";
import type { VmallocState } from "./vmalloc-state.ts";

/** What kmallocNode() returns when no slab layer is attached: not NULL, not an address. */
export const KMALLOC_UNMODELLED = 1;

/**
 * Kernel: `kmalloc_node(size, gfp, node)`.
 * @returns the object's (physical) address, KMALLOC_UNMODELLED without a slab layer, or NIL_OBJECT
 */
export function kmallocNode(s: VmallocState, size: number, gfp: number, node: number): number {
  const slab = s.slab;
  if (slab === undefined) return KMALLOC_UNMODELLED;
  return slab.kmalloc(size, gfp, s.cpu, node);
}

/** Kernel: `kfree(obj)` (NULL and KMALLOC_UNMODELLED are ignored). */
export function kfree(s: VmallocState, obj: number): void {
  if (obj === NIL_OBJECT || obj === KMALLOC_UNMODELLED) return;
  const slab = s.slab;
  if (slab !== undefined) slab.kfree(obj, s.cpu);
}
