// Kernel: include/linux/vmstat.h, mm/vmstat.c (v6.1) — zone_page_state(), node_page_state_pages(), global_{zone,node,numa}_*_state()
/*
 * How the kernel reads its counters for printing. With CONFIG_SMP a counter can drift below 0
 * while per-CPU diffs are unfolded; the page-state readers clamp it to 0, the NUMA event reader
 * (an unsigned sum) does not. The global counters vm_zone_stat[], vm_node_stat[] and
 * vm_numa_event[] are the sums of the per-zone and per-node ones: mmsim folds per-CPU diffs at
 * once, so summing the zones and nodes of PageAllocState gives the same value.
 */
import type { PageAllocState, PglistData, Zone } from "@mmsim/buddy";

/** A zone counter, negative drift clamped to 0. Kernel: `zone_page_state()`. */
export function zonePageState(zone: Zone, item: number): number {
  const x = zone.vmStat[item]!;
  return x < 0 ? 0 : x;
}

/** A node counter in pages, negative drift clamped to 0. Kernel: `node_page_state_pages()`. */
export function nodePageStatePages(pgdat: PglistData, item: number): number {
  const x = pgdat.vmStat[item]!;
  return x < 0 ? 0 : x;
}

/** A zone counter summed over every zone, clamped to 0. Kernel: `global_zone_page_state()`. */
export function globalZonePageState(pa: PageAllocState, item: number): number {
  let x = 0;
  for (const zone of pa.zones) x += zone.vmStat[item]!;
  return x < 0 ? 0 : x;
}

/** A NUMA event summed over every zone (unsigned, not clamped). Kernel: `global_numa_event_state()`. */
export function globalNumaEventState(pa: PageAllocState, item: number): number {
  let x = 0;
  for (const zone of pa.zones) x += zone.vmNumaEvent[item]!;
  return x;
}

/** A node counter summed over every node, in pages, clamped to 0. Kernel: `global_node_page_state_pages()`. */
export function globalNodePageStatePages(pa: PageAllocState, item: number): number {
  let x = 0;
  for (const pgdat of pa.pgdat) x += pgdat.vmStat[item]!;
  return x < 0 ? 0 : x;
}

/**
 * A node counter summed over every node. Same value as globalNodePageStatePages (the kernel's
 * variant only warns when used on a byte item). Kernel: `global_node_page_state()`.
 */
export function globalNodePageState(pa: PageAllocState, item: number): number {
  return globalNodePageStatePages(pa, item);
}
