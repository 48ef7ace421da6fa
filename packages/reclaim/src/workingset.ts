// Kernel: mm/workingset.c (pack_shadow, unpack_shadow, workingset_age_nonresident, workingset_eviction, workingset_refault, workingset_activation) (v6.1) — shadow entries and the refault distance of the classic LRU
/*
 * When a page-cache or swap-cache page is reclaimed, its slot keeps a shadow: the node's
 * eviction counter (`nonresident_age`, advanced by every eviction and activation) at the time,
 * the node, the memcg id and whether the page was in the workingset (PG_workingset). When the
 * page comes back, the difference between the counter now and then (the refault distance) is
 * how many pages were evicted or activated meanwhile: had the inactive list been that much
 * larger, the page would have stayed. If the distance fits in the workingset (the active file
 * pages, plus the inactive file pages for an anonymous page, plus the anonymous pages when swap
 * exists), the page is activated at once (WORKINGSET_ACTIVATE) and, if it was in the workingset
 * before, counted as restored (WORKINGSET_RESTORE) and its cost noted for get_scan_count.
 *
 * Packing: the kernel packs eviction | memcgid (16 bits) | nid (NODES_SHIFT = 4) | workingset
 * (1) into an xa_value of BITS_PER_XA_VALUE = 63 bits, leaving the counter 42 bits. A shadow
 * here is a JS number below 2^53 (what the page cache's and swap cache's value entries hold),
 * so the counter keeps 53 − 21 = 32 bits: EVICTION_MASK is 2^32 − 1 and bucket_order stays 0
 * below 16 TiB of RAM (the kernel's rule: max_order = fls(totalram − 1) > timestamp bits).
 * The memcg id is the root memcg's (1): memcgs come with the memcg issue.
 */
import { NODES_SHIFT } from "@mmsim/core";

/** Kernel: `WORKINGSET_SHIFT`. */
export const WORKINGSET_SHIFT = 1;
/** Kernel: `MEM_CGROUP_ID_SHIFT`. */
export const MEM_CGROUP_ID_SHIFT = 16;
/** mem_cgroup_id(root_mem_cgroup): the root gets id 1 from mem_cgroup_idr. */
export const ROOT_MEM_CGROUP_ID = 1;
/** Bits of the shadow below the counter (memcg id, node, workingset). */
export const EVICTION_SHIFT = WORKINGSET_SHIFT + NODES_SHIFT + MEM_CGROUP_ID_SHIFT;
/** Bits of the eviction counter kept in a shadow (53 − EVICTION_SHIFT). */
export const EVICTION_BITS = 53 - EVICTION_SHIFT;
/** 2^EVICTION_BITS: the counter's modulus. Kernel: `EVICTION_MASK` + 1. */
export const EVICTION_MOD = 2 ** EVICTION_BITS;

const NODE_MOD = 2 ** NODES_SHIFT;
const MEMCG_MOD = 2 ** MEM_CGROUP_ID_SHIFT;

/** Kernel: `pack_shadow()` (the value inside the xa_value). @returns a shadow, 0 < shadow < 2^53 */
export function packShadow(memcgid: number, nid: number, eviction: number, workingset: boolean): number {
  let v = eviction % EVICTION_MOD;
  v = v * MEMCG_MOD + memcgid;
  v = v * NODE_MOD + nid;
  return v * 2 + (workingset ? 1 : 0);
}

/** What unpackShadow() found. Kernel: `unpack_shadow()`'s out-parameters. */
export class UnpackedShadow {
  memcgid = 0;
  nid = 0;
  eviction = 0;
  workingset = false;
}

/** Kernel: `unpack_shadow()`. */
export function unpackShadow(shadow: number, out: UnpackedShadow): UnpackedShadow {
  let v = shadow;
  out.workingset = v % 2 === 1;
  v = Math.floor(v / 2);
  out.nid = v % NODE_MOD;
  v = Math.floor(v / NODE_MOD);
  out.memcgid = v % MEMCG_MOD;
  out.eviction = Math.floor(v / MEMCG_MOD);
  return out;
}

/** (refault − eviction) & EVICTION_MASK: the refault distance. */
export function refaultDistance(refault: number, eviction: number): number {
  const d = (refault - eviction) % EVICTION_MOD;
  return d < 0 ? d + EVICTION_MOD : d;
}
