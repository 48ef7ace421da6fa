// Kernel: mm/swapfile.c (v6.1) — the invariants of swap_info_struct, the swap cache and the slot caches, checked as a validate() walk (no kernel counterpart: the kernel trusts its locks)
/*
 * For each area: inuse_pages = the slots in use; each cluster's count = its used slots (plus
 * the header and the tail beyond max); a cluster is on the free list iff its count is 0 and
 * flagged free; no free slot outside [lowest_bit, highest_bit] while the area is not full.
 * Each swap-cache page has PG_swapcache and PG_swapbacked, page->private = its entry, and its
 * slot has SWAP_HAS_CACHE; each slot with SWAP_HAS_CACHE and no count has a swap-cache page or
 * sits in a CPU's slot cache. nr_swap_pages = the free slots of the writable areas (slot caches
 * count as used), total_swap_pages = their sizes. NR_SWAPCACHE = the pages in the swap cache.
 * zram: pages_stored = the slots holding something; each used slot of an area on zram whose
 * count is non-zero holds data unless its page is still in the swap cache unwritten.
 */
import {
  NR_SWAPCACHE, PG_swapbacked, PG_swapcache, type ValidationSink, swpEntry, swpOffset, swpType,
} from "@mmsim/core";
import { xaIsValue } from "@mmsim/filemap";
import { CLUSTER_FLAG_FREE, CLUSTER_NULL, SWAP_HAS_CACHE, SWAP_MAP_BAD, SWAPFILE_CLUSTER, SWP_WRITEOK, swapCount } from "./swap-info.ts";
import type { Swap } from "./swapfile.ts";
import { totalSwapcachePages } from "./swap-state.ts";

/** Walks the machine's swap and reports each broken invariant. */
export function validateSwap(sw: Swap, sink: ValidationSink): void {
  const mem = sw.mem;
  const inSlotCache = new Set<number>();
  for (const c of sw.slotsCache) {
    for (let i = 0; i < c.nr; i++) inSlotCache.add(c.slots[c.cur + i]!);
    for (let i = 0; i < c.nRet; i++) inSlotCache.add(c.slotsRet[i]!);
  }
  let free = 0;
  let total = 0;
  for (const si of sw.swapInfo) {
    if (si.swapMap.length === 0) continue;
    const where = `swap_info[${si.type}] ${si.path}`;
    let inuse = 0;
    const map = si.swapMap;
    for (let off = 0; off < si.max; off++) {
      const c = map[off]!;
      if (c === 0) {
        if (si.highestBit !== 0 && (off < si.lowestBit || off > si.highestBit)) sink.report(where, `free slot ${off} outside lowest_bit..highest_bit (${si.lowestBit}..${si.highestBit})`);
        continue;
      }
      if (swapCount(c) === SWAP_MAP_BAD) continue;
      inuse++;
      const xa = si.spaces[off >>> 14]!;
      const e = xa.load(off);
      const entry = swpEntry(si.type, off);
      if ((c & SWAP_HAS_CACHE) !== 0) {
        if (e <= 0 && swapCount(c) === 0 && !inSlotCache.has(entry)) sink.report(where, `slot ${off} has only SWAP_HAS_CACHE but no swap-cache page and is in no slot cache`);
      } else if (e > 0) {
        sink.report(where, `slot ${off} has a swap-cache page ${e - 1} but no SWAP_HAS_CACHE (swap_map 0x${c.toString(16)})`);
      }
    }
    if (inuse !== si.inusePages) sink.report(where, `inuse_pages ${si.inusePages} but ${inuse} slots are in use`);
    if ((si.flags & SWP_WRITEOK) !== 0) {
      free += si.pages - si.inusePages;
      total += si.pages;
    }
    if (si.clusterCount !== null) {
      const onList = new Set<number>();
      for (let c = si.freeHead; c !== CLUSTER_NULL; c = si.clusterNextFree![c]!) {
        if (onList.has(c)) {
          sink.report(where, `free cluster list loops at ${c}`);
          break;
        }
        onList.add(c);
      }
      for (let idx = 0; idx < si.clusterCount.length; idx++) {
        let used = 0;
        for (let off = idx * SWAPFILE_CLUSTER; off < (idx + 1) * SWAPFILE_CLUSTER; off++) if (off >= si.max || map[off] !== 0) used++;
        if (used !== si.clusterCount[idx]) sink.report(where, `cluster ${idx} count ${si.clusterCount[idx]} but ${used} slots used`);
        const isFree = (si.clusterFlags![idx]! & CLUSTER_FLAG_FREE) !== 0;
        if (isFree !== (used === 0) || isFree !== onList.has(idx)) sink.report(where, `cluster ${idx}: count ${used}, flagged ${isFree ? "free" : "used"}, ${onList.has(idx) ? "on" : "off"} the free list`);
      }
    }
    for (let sp = 0; sp < si.spaces.length; sp++) {
      const xa = si.spaces[sp]!;
      let n = 0;
      for (let off = xa.find(0, 0xffffffff); off >= 0; off = xa.find(off + 1, 0xffffffff)) {
        const e = xa.found;
        if (xaIsValue(e)) continue;
        n++;
        const page = e - 1;
        const f = mem.flags[page]!;
        if ((f & (1 << PG_swapcache)) === 0 || (f & (1 << PG_swapbacked)) === 0) sink.report(where, `swap-cache page ${page} at ${off} lacks PG_swapcache/PG_swapbacked`);
        const ent = mem.private[page]!;
        if (swpType(ent) !== si.type || swpOffset(ent) !== off) sink.report(where, `swap-cache page ${page} at ${off} has private ${ent}`);
        if ((map[off]! & SWAP_HAS_CACHE) === 0) sink.report(where, `swap-cache page ${page} at ${off}: the slot has no SWAP_HAS_CACHE`);
        if (mem.refcount[page]! < 1) sink.report(where, `swap-cache page ${page} has refcount ${mem.refcount[page]}`);
      }
      if (n !== si.spaceNrpages[sp]) sink.report(where, `swap address space ${sp}: nrpages ${si.spaceNrpages[sp]} but ${n} pages`);
    }
  }
  const slotCached = inSlotCache.size - [...inSlotCache].filter((e) => sw.swpSwapInfo(e) === null).length;
  void slotCached;
  if (free !== sw.nrSwapPagesVal) sink.report("swap", `nr_swap_pages ${sw.nrSwapPagesVal} but ${free} slots are free`);
  if (total !== sw.totalSwapPagesVal) sink.report("swap", `total_swap_pages ${sw.totalSwapPagesVal} but the writable areas hold ${total}`);
  const cached = totalSwapcachePages(sw);
  const counted = sw.vmstat.globalNodePageState(NR_SWAPCACHE);
  if (cached !== counted) sink.report("swap", `NR_SWAPCACHE ${counted} but ${cached} pages are in the swap cache`);
}
