// mmsim: helpers for the kva allocator tests (direct alloc_vmap_area calls, list dumps)
import { GFP_KERNEL } from "@mmsim/core";
import { allocVmapArea } from "./index.ts";
import { FREE_VMAP_AREA_LIST, PURGE_VMAP_AREA_LIST } from "./vmap-area.ts";
import { VMALLOC_END, type Rig } from "./vmalloc.test-helpers.ts";

/** Names of the fit types, by value. */
export const FIT_TYPE_NAMES = ["NOTHING_FIT", "FL_FIT_TYPE", "LE_FIT_TYPE", "RE_FIT_TYPE", "NE_FIT_TYPE"];

/**
 * alloc_vmap_area(size, align, vstart, vend) on the rig's state.
 * @returns the start address, or the negative errno
 */
export function allocVmapAreaAt(r: Rig, size: number, align: number, vstart: number, vend = VMALLOC_END, gfp = GFP_KERNEL): number {
  const s = r.vm.state;
  const va = allocVmapArea(s, size, align, vstart, vend, -1, gfp);
  return va < 0 ? va : s.areas.vaStart[va]!;
}

function dump(r: Rig, head: number): [number, number][] {
  const a = r.vm.state.areas;
  const out: [number, number][] = [];
  for (let va = a.next[head]!; va !== head; va = a.next[va]!) out.push([a.vaStart[va]!, a.vaEnd[va]!]);
  return out;
}

/** free_vmap_area_list as [start, end) pairs. */
export function freeList(r: Rig): [number, number][] {
  return dump(r, FREE_VMAP_AREA_LIST);
}

/** purge_vmap_area_list as [start, end) pairs. */
export function purgeList(r: Rig): [number, number][] {
  return dump(r, PURGE_VMAP_AREA_LIST);
}
