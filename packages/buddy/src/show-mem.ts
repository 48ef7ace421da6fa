// Kernel: mm/page_alloc.c __show_free_areas, lib/show_mem.c __show_mem, mm/hugetlb.c hugetlb_show_meminfo_node, mm/swap_state.c show_swap_cache_info (v6.1.166) — the Mem-Info block the OOM killer prints
/*
 * What `__show_mem(SHOW_MEM_FILTER_NODES, NULL, max_zone_idx)` prints, line by line as dmesg
 * shows it (each KERN_CONT continuation joined to its line). No cpuset: every node is in
 * mems_allowed, so SHOW_MEM_FILTER_NODES filters nothing. The four hstates are arm64's with 4K
 * pages (hugetlbpage_init: PUD, CONT_PMD, PMD, CONT_PTE) with no huge pages reserved: mmsim has
 * no hugetlbfs. `pages hwpoisoned` is 0 (no memory failure is simulated).
 */
import {
  MIGRATE_TYPES, NR_ACTIVE_ANON, NR_ACTIVE_FILE, NR_ANON_THPS, NR_BOUNCE, NR_FILE_DIRTY, NR_FILE_MAPPED, NR_FILE_PAGES, NR_FREE_CMA_PAGES,
  NR_FREE_PAGES, NR_INACTIVE_ANON, NR_INACTIVE_FILE, NR_ISOLATED_ANON, NR_ISOLATED_FILE, NR_KERNEL_MISC_RECLAIMABLE, NR_KERNEL_STACK_KB, NR_MLOCK, NR_PAGETABLE,
  NR_SECONDARY_PAGETABLE, NR_SHMEM, NR_SHMEM_PMDMAPPED, NR_SHMEM_THPS, NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B, NR_UNEVICTABLE, NR_WRITEBACK,
  NR_WRITEBACK_TEMP, NR_ZONE_ACTIVE_ANON, NR_ZONE_ACTIVE_FILE, NR_ZONE_INACTIVE_ANON, NR_ZONE_INACTIVE_FILE, NR_ZONE_UNEVICTABLE, NR_ZONE_WRITE_PENDING,
  MAX_NR_ZONES, type KernelLog,
} from "@mmsim/core";
import { freeAreaEmpty } from "./free-area.ts";
import type { Zone } from "./mmzone.ts";
import type { PageAllocState } from "./page-alloc-state.ts";

/** `K(x)`: pages to KiB with 4 KiB pages. */
const K = (x: number): number => x * 4;
/** show_migration_types' letters by migratetype (U M E H C I). */
const MIGRATE_LETTERS = "UMEHCI";
/** arm64 (4K pages): the hstates hugetlbpage_init adds, in KiB, in its order. */
const ARM64_HSTATE_KB: readonly number[] = Object.freeze([1048576, 32768, 2048, 64]);

/** What the Mem-Info block needs from outside the allocator. */
export interface ShowMemSources {
  /** pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES ("all_unreclaimable? yes"). */
  allUnreclaimable(nid: number): boolean;
  /** total_swapcache_pages(), get_nr_swap_pages(), total_swap_pages (0 without swap). */
  swapcachePages(): number;
  nrSwapPages(): number;
  totalSwapPages(): number;
  /** totalcma_pages. */
  totalcmaPages(): number;
  /** The CPU running the OOM killer (local_pcp is this CPU's pcp count). */
  cpu: number;
}

/** Σ of a zone's per-CPU list counts (free_pcp). */
function zoneFreePcp(zone: Zone): number {
  let n = 0;
  for (const pcp of zone.pageset) n += pcp.count;
  return n;
}

/** The zones __show_free_areas walks: populated, at most max_zone_idx. */
function shownZones(pa: PageAllocState, maxZoneIdx: number): Zone[] {
  const out: Zone[] = [];
  for (const pgdat of pa.pgdat) for (const z of pgdat.zones) if (z.populated && z.zid <= maxZoneIdx) out.push(z);
  return out;
}

/** Kernel: `__show_free_areas(SHOW_MEM_FILTER_NODES, NULL, max_zone_idx)`. */
export function showFreeAreas(pa: PageAllocState, log: KernelLog, maxZoneIdx: number, src: ShowMemSources): void {
  const vs = pa.vmstat;
  const zones = shownZones(pa, maxZoneIdx);
  let freePcp = 0;
  for (const z of zones) freePcp += zoneFreePcp(z);
  const g = (i: number): number => vs.globalNodePageStatePages(i);
  const pr = (s: string): void => log.printk(4, s);
  pr(`active_anon:${g(NR_ACTIVE_ANON)} inactive_anon:${g(NR_INACTIVE_ANON)} isolated_anon:${g(NR_ISOLATED_ANON)}`);
  pr(` active_file:${g(NR_ACTIVE_FILE)} inactive_file:${g(NR_INACTIVE_FILE)} isolated_file:${g(NR_ISOLATED_FILE)}`);
  pr(` unevictable:${g(NR_UNEVICTABLE)} dirty:${g(NR_FILE_DIRTY)} writeback:${g(NR_WRITEBACK)}`);
  pr(` slab_reclaimable:${g(NR_SLAB_RECLAIMABLE_B)} slab_unreclaimable:${g(NR_SLAB_UNRECLAIMABLE_B)}`);
  pr(` mapped:${g(NR_FILE_MAPPED)} shmem:${g(NR_SHMEM)} pagetables:${g(NR_PAGETABLE)}`);
  pr(` sec_pagetables:${g(NR_SECONDARY_PAGETABLE)} bounce:${vs.globalZonePageState(NR_BOUNCE)}`);
  pr(` kernel_misc_reclaimable:${g(NR_KERNEL_MISC_RECLAIMABLE)}`);
  pr(` free:${vs.globalZonePageState(NR_FREE_PAGES)} free_pcp:${freePcp} free_cma:${vs.globalZonePageState(NR_FREE_CMA_PAGES)}`);
  for (const pgdat of pa.pgdat) {
    let managed = false;
    for (let zid = 0; zid <= maxZoneIdx && zid < pgdat.zones.length; zid++) if (pgdat.zones[zid]!.managed) managed = true;
    if (!managed) continue;
    const n = (i: number): number => pgdat.pageState(i);
    pr(
      `Node ${pgdat.nodeId} active_anon:${K(n(NR_ACTIVE_ANON))}kB inactive_anon:${K(n(NR_INACTIVE_ANON))}kB active_file:${K(n(NR_ACTIVE_FILE))}kB` +
        ` inactive_file:${K(n(NR_INACTIVE_FILE))}kB unevictable:${K(n(NR_UNEVICTABLE))}kB isolated(anon):${K(n(NR_ISOLATED_ANON))}kB` +
        ` isolated(file):${K(n(NR_ISOLATED_FILE))}kB mapped:${K(n(NR_FILE_MAPPED))}kB dirty:${K(n(NR_FILE_DIRTY))}kB writeback:${K(n(NR_WRITEBACK))}kB` +
        ` shmem:${K(n(NR_SHMEM))}kB shmem_thp: ${K(n(NR_SHMEM_THPS))}kB shmem_pmdmapped: ${K(n(NR_SHMEM_PMDMAPPED))}kB anon_thp: ${K(n(NR_ANON_THPS))}kB` +
        ` writeback_tmp:${K(n(NR_WRITEBACK_TEMP))}kB kernel_stack:${n(NR_KERNEL_STACK_KB)}kB pagetables:${K(n(NR_PAGETABLE))}kB` +
        ` sec_pagetables:${K(n(NR_SECONDARY_PAGETABLE))}kB all_unreclaimable? ${src.allUnreclaimable(pgdat.nodeId) ? "yes" : "no"}`,
    );
  }
  for (const z of zones) {
    const s = (i: number): number => z.pageState(i);
    pr(
      `Node ${z.nid} ${z.name} free:${K(s(NR_FREE_PAGES))}kB boost:${K(z.watermarkBoost)}kB min:${K(z.minWmarkPages())}kB low:${K(z.lowWmarkPages())}kB` +
        ` high:${K(z.highWmarkPages())}kB reserved_highatomic:${K(z.nrReservedHighatomic)}KB active_anon:${K(s(NR_ZONE_ACTIVE_ANON))}kB` +
        ` inactive_anon:${K(s(NR_ZONE_INACTIVE_ANON))}kB active_file:${K(s(NR_ZONE_ACTIVE_FILE))}kB inactive_file:${K(s(NR_ZONE_INACTIVE_FILE))}kB` +
        ` unevictable:${K(s(NR_ZONE_UNEVICTABLE))}kB writepending:${K(s(NR_ZONE_WRITE_PENDING))}kB present:${K(z.presentPages)}kB` +
        ` managed:${K(z.managedPages)}kB mlocked:${K(s(NR_MLOCK))}kB bounce:${K(s(NR_BOUNCE))}kB free_pcp:${K(zoneFreePcp(z))}kB` +
        ` local_pcp:${K(z.pageset[src.cpu]?.count ?? 0)}kB free_cma:${K(s(NR_FREE_CMA_PAGES))}kB`,
    );
    let reserve = "lowmem_reserve[]:";
    for (let i = 0; i < MAX_NR_ZONES; i++) reserve += ` ${z.lowmemReserve[i]!}`;
    pr(reserve);
  }
  for (const z of zones) {
    let line = `Node ${z.nid} ${z.name}: `;
    let total = 0;
    for (let order = 0; order < z.nrFree.length; order++) {
      const nr = z.nrFree[order]!;
      total += nr * 2 ** order;
      line += `${nr}*${K(1) * 2 ** order}kB `;
      if (nr !== 0) {
        let types = "";
        for (let mt = 0; mt < MIGRATE_TYPES; mt++) if (!freeAreaEmpty(pa.mem, z, order, mt)) types += MIGRATE_LETTERS[mt];
        line += `(${types}) `;
      }
    }
    pr(`${line}= ${K(total)}kB`);
  }
  for (const pgdat of pa.pgdat) {
    for (const kb of ARM64_HSTATE_KB) pr(`Node ${pgdat.nodeId} hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=${kb}kB`);
  }
  pr(`${vs.globalNodePageStatePages(NR_FILE_PAGES)} total pagecache pages`);
  // show_swap_cache_info()
  pr(`${src.swapcachePages()} pages in swap cache`);
  pr(`Free swap  = ${K(src.nrSwapPages())}kB`);
  pr(`Total swap = ${K(src.totalSwapPages())}kB`);
}

/** Kernel: `__show_mem()` (lib/show_mem.c): Mem-Info, the free areas, then the page totals. */
export function showMem(pa: PageAllocState, log: KernelLog, maxZoneIdx: number, src: ShowMemSources): void {
  log.printk(4, "Mem-Info:");
  showFreeAreas(pa, log, maxZoneIdx, src);
  let total = 0;
  let reserved = 0;
  const highmem = 0; // is_highmem_idx() is 0 without CONFIG_HIGHMEM (arm64)
  for (const pgdat of pa.pgdat) {
    for (const z of pgdat.zones) {
      if (!z.populated) continue;
      total += z.presentPages;
      reserved += z.presentPages - z.managedPages;
    }
  }
  log.printk(4, `${total} pages RAM`);
  log.printk(4, `${highmem} pages HighMem/MovableOnly`);
  log.printk(4, `${reserved} pages reserved`);
  log.printk(4, `${src.totalcmaPages()} pages cma reserved`);
  log.printk(4, "0 pages hwpoisoned");
}
