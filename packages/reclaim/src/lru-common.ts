// Kernel: include/linux/mm_inline.h (folio_is_file_lru, folio_lru_list, folio_nr_pages), mm/vmscan.c (inactive_is_low, lruvec_lru_size, SWAP_CLUSTER_MAX) (v6.1) — what the mechanism and every policy share about a page on an LRU list
import {
  LRU_ACTIVE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, LRU_UNEVICTABLE, MAX_NR_ZONES, NR_LRU_BASE, NR_VM_NODE_STAT_ITEMS,
  NR_VM_ZONE_STAT_ITEMS, NR_ZONE_LRU_BASE, PG_active, PG_head, PG_lru, PG_swapbacked, PG_unevictable, type VmStat,
} from "@mmsim/core";

/** Pages one reclaim batch works on. Kernel: `SWAP_CLUSTER_MAX` (include/linux/swap.h). */
export const SWAP_CLUSTER_MAX = 32;
/** Pages of a PMD-sized folio (the only large folios here: THPs). Kernel: `HPAGE_PMD_NR`. */
export const HPAGE_PMD_NR = 512;

export const LRU_FLAG = 1 << PG_lru;
export const ACTIVE_FLAG = 1 << PG_active;
export const UNEVICTABLE_FLAG = 1 << PG_unevictable;
export const SWAPBACKED_FLAG = 1 << PG_swapbacked;
export const HEAD_FLAG = 1 << PG_head;

/** Kernel: `folio_nr_pages()` (a THP head is HPAGE_PMD_NR pages). */
export function folioNrPages(flags: number): number {
  return (flags & HEAD_FLAG) !== 0 ? HPAGE_PMD_NR : 1;
}

/** Kernel: `folio_is_file_lru()`: page cache that is not swap-backed (tmpfs and anonymous pages are). */
export function folioIsFileLru(flags: number): boolean {
  return (flags & SWAPBACKED_FLAG) === 0;
}

/** Kernel: `folio_lru_list()`: the list a page with these flags belongs on. */
export function folioLruList(flags: number): number {
  if ((flags & UNEVICTABLE_FLAG) !== 0) return LRU_UNEVICTABLE;
  let lru = (flags & SWAPBACKED_FLAG) === 0 ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
  if ((flags & ACTIVE_FLAG) !== 0) lru += LRU_ACTIVE;
  return lru;
}

/** Kernel: `lruvec_lru_size()`: pages of list `lru` in the node's zones up to `zoneIdx`. */
export function lruvecLruSize(vmstat: VmStat, nid: number, lru: number, zoneIdx: number): number {
  const z = vmstat.zoneVmStat;
  let size = 0;
  for (let zid = 0; zid <= zoneIdx && zid < MAX_NR_ZONES; zid++) size += z[(nid * MAX_NR_ZONES + zid) * NR_VM_ZONE_STAT_ITEMS + NR_ZONE_LRU_BASE + lru]!;
  return size;
}

/** A node counter (lruvec_page_state of the root memcg's lruvec: the node's). */
export function nodeState(vmstat: VmStat, nid: number, item: number): number {
  return vmstat.nodeVmStat[nid * NR_VM_NODE_STAT_ITEMS + item]!;
}

/** Kernel: `int_sqrt()`. */
export function intSqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/**
 * The inactive list is too small for its active list: inactive × inactive_ratio < active, with
 * inactive_ratio = int_sqrt(10 × GiB of the pair) (1 below 1 GiB). Kernel: `inactive_is_low()`.
 */
export function inactiveIsLow(vmstat: VmStat, nid: number, inactiveLru: number): boolean {
  const inactive = nodeState(vmstat, nid, NR_LRU_BASE + inactiveLru);
  const active = nodeState(vmstat, nid, NR_LRU_BASE + inactiveLru + LRU_ACTIVE);
  const gb = Math.floor((inactive + active) / 262144); // >> (30 - PAGE_SHIFT)
  const inactiveRatio = gb !== 0 ? intSqrt(10 * gb) : 1;
  return inactive * inactiveRatio < active;
}
