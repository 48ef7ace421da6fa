// Kernel: mm/vmstat.c (v6.1) — fill_contig_page_info, __fragmentation_index, fragmentation_index, extfrag_for_order, unusable_free_index; /sys/kernel/debug/extfrag/unusable_index and extfrag_index
/*
 * The external-fragmentation figures compaction decides with (compaction_suitable's
 * fragmentation index against vm.extfrag_threshold; proactive compaction's fragmentation score)
 * and the two debugfs files 6.1 creates under CONFIG_DEBUG_FS && CONFIG_COMPACTION
 * (extfrag_debug_init), computed from the zone's free_area[].nr_free as the kernel does, in
 * integer arithmetic (div_u64), and printed with its format strings:
 *
 *   unusable_index  "Node %d, zone %8s " + "%d.%03d " per order + "\n"   (populated zones)
 *   extfrag_index   "Node %d, zone %8s " + "%2d.%03d " per order + "\n"  (populated zones)
 *
 * Both walk every node with memory (walk_zones_in_node with assert_populated true).
 */
import { NR_PAGE_ORDERS } from "@mmsim/core";
import type { PageAllocState, Zone } from "@mmsim/buddy";

/** Kernel: `struct contig_page_info`. */
export class ContigPageInfo {
  freePages = 0;
  freeBlocksTotal = 0;
  freeBlocksSuitable = 0;
}

/** Kernel: `fill_contig_page_info()`: free pages, free blocks, and blocks of at least `suitableOrder` (in units of it). */
export function fillContigPageInfo(zone: Zone, suitableOrder: number, info: ContigPageInfo): void {
  info.freePages = 0;
  info.freeBlocksTotal = 0;
  info.freeBlocksSuitable = 0;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) {
    const blocks = zone.nrFree[order]!;
    info.freeBlocksTotal += blocks;
    info.freePages += blocks * 2 ** order;
    if (order >= suitableOrder) info.freeBlocksSuitable += blocks * 2 ** (order - suitableOrder);
  }
}

/**
 * Kernel: `__fragmentation_index()`: 0 when there is no free memory, -1000 when a block of the
 * order is free, else towards 0 when the failure is for lack of memory and towards 1000 when it
 * is for fragmentation: 1000 - (1000 + free_pages * 1000 / requested) / free_blocks_total.
 */
export function fragmentationIndexOf(order: number, info: ContigPageInfo): number {
  const requested = 2 ** order;
  if (order >= NR_PAGE_ORDERS) return 0;
  if (info.freeBlocksTotal === 0) return 0;
  if (info.freeBlocksSuitable !== 0) return -1000;
  return 1000 - Math.floor((1000 + Math.floor((info.freePages * 1000) / requested)) / info.freeBlocksTotal);
}

/** Kernel: `fragmentation_index()` of a zone (once per compaction_suitable: not a hot path). */
export function fragmentationIndex(zone: Zone, order: number): number {
  const info = new ContigPageInfo();
  fillContigPageInfo(zone, order, info);
  return fragmentationIndexOf(order, info);
}

/**
 * Percent of the zone's free memory in blocks smaller than `order`. Kernel: `extfrag_for_order()`
 * (the fragmentation score of proactive compaction at COMPACTION_HPAGE_ORDER).
 */
export function extfragForOrder(zone: Zone, order: number): number {
  const info = new ContigPageInfo();
  fillContigPageInfo(zone, order, info);
  if (info.freePages === 0) return 0;
  return Math.floor(((info.freePages - info.freeBlocksSuitable * 2 ** order) * 100) / info.freePages);
}

/** Kernel: `unusable_free_index()`: thousandths of free memory unusable for an allocation of `order`. */
export function unusableFreeIndex(order: number, info: ContigPageInfo): number {
  if (info.freePages === 0) return 1000;
  return Math.floor(((info.freePages - info.freeBlocksSuitable * 2 ** order) * 1000) / info.freePages);
}

/** C's `%d` of `index / 1000` and `%03d` of `index % 1000` (truncating division, sign on both). */
function thousandths(index: number, width: number): string {
  const whole = Math.trunc(index / 1000);
  const frac = index % 1000;
  const fracText = frac < 0 ? "-" + String(-frac).padStart(2, "0") : String(frac).padStart(3, "0");
  return String(whole).padStart(width, " ") + "." + fracText + " ";
}

function zoneHeader(nid: number, zone: Zone): string {
  return "Node " + nid + ", zone " + zone.name.padStart(8, " ") + " ";
}

/**
 * One line per populated zone of every node: its header and `print(order, info)` for each order.
 * Kernel: `walk_zones_in_node()` with `unusable_show_print()` / `extfrag_show_print()`.
 */
function walkZonesShow(pa: PageAllocState, print: (order: number, info: ContigPageInfo) => string): string {
  const info = new ContigPageInfo();
  let s = "";
  for (const pgdat of pa.pgdat) {
    if (pgdat.nodePresentPages === 0) continue;
    for (const zone of pgdat.zones) {
      if (!zone.populated) continue;
      s += zoneHeader(pgdat.nodeId, zone);
      for (let order = 0; order < NR_PAGE_ORDERS; order++) {
        fillContigPageInfo(zone, order, info);
        s += print(order, info);
      }
      s += "\n";
    }
  }
  return s;
}

/** The text of /sys/kernel/debug/extfrag/unusable_index. Kernel: `unusable_show()` → `unusable_show_print()`. */
export function unusableShow(pa: PageAllocState): string {
  return walkZonesShow(pa, (order, info) => thousandths(unusableFreeIndex(order, info), 0));
}

/** The text of /sys/kernel/debug/extfrag/extfrag_index. Kernel: `extfrag_show()` → `extfrag_show_print()`. */
export function extfragShow(pa: PageAllocState): string {
  return walkZonesShow(pa, (order, info) => thousandths(fragmentationIndexOf(order, info), 2));
}
