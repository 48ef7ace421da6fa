// mmsim: loads the real 6.1 captures of the 1 GiB / 2 CPU QEMU virt board into a PageAllocState, for the golden tests
/*
 * The golden tests check that, for a given state, each renderer prints what 6.1 prints, to the
 * character. The state is not simulated here: it is loaded from the capture's own numbers
 * (counters, watermarks, pagesets, free counts), since the captures were taken at different
 * moments of one boot (numa_hit is 4784 in proc_zoneinfo and 4837 in proc_vmstat). What is not
 * loaded is computed by the renderer from state the way the kernel computes it: buddyinfo and
 * pagetypeinfo from real blocks on the free lists and from the pageblock bitmap, the dirty
 * thresholds, MemAvailable, CommitLimit, VmallocTotal, CmaTotal, Slab, Active/Inactive.
 *
 * Zone geometry of the board (proc_zoneinfo): one node, all 1 GiB in ZONE_DMA from PFN 0x40000
 * (262144 spanned and present, 250209 managed, 16384 CMA); min/low/high 5632/7040/8448; pcp
 * high 3520, batch 63; stat threshold 16. DMA32, Normal and Movable are empty.
 */
import { readFileSync } from "node:fs";
import {
  CostModel, KernelLog, MAX_NR_ZONES, MIGRATE_CMA, MIGRATE_ISOLATE, NR_FREE_CMA_PAGES, NR_FREE_PAGES, type Validatable, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_TYPES, MIGRATE_UNMOVABLE,
  MemMap, NR_PAGE_ORDERS, NR_PCP_LISTS, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, SimClock, TraceBus, WMARK_HIGH, WMARK_LOW,
  WMARK_MIN, WMARK_PROMO, migratetypeNames, nodeStatNames, numaStatNames, setPageZoneNode, zoneStatNames,
} from "@mmsim/core";
import {
  PageAllocState, PerCpuPages, type Zone, addToFreeList, freeListHead, getPfnblockMigratetype, setBuddyOrder,
  setPageblockMigratetype, validateBuddy,
} from "@mmsim/buddy";

/** Reads a file of the real 6.1 capture of the 1 GiB / 2 CPU QEMU virt board. */
export function capture(name: string): string {
  return readFileSync(new URL(`../../../tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/${name}`, import.meta.url), "utf8");
}

/** The capture's board as the brief builds it: 1 node, 2 CPUs, PFNs [0x40000, 0x80000), all ZONE_DMA. */
export function referenceState(): PageAllocState {
  const pa = new PageAllocState(
    new MemMap({ basePfn: 0x40000, nrPages: 262144, nrListHeads: PageAllocState.listHeadsNeeded(1, 2) }),
    { nrCpus: 2, nodes: [{ nid: 0, ranges: [[0x40000, 0x80000]] }], maxZonePfn: [0x80000, 0x80000, 0x80000, 0] },
    new SimClock(),
    new CostModel(),
    new TraceBus(),
    new KernelLog(),
  );
  initListHeads(pa);
  const dma = pa.zones[0]!;
  setZoneGeometry(pa, dma, { start: 0x40000, spanned: 262144, present: 262144, managed: 250209, cma: 16384 });
  setWatermarks(dma, 5632, 7040, 8448);
  setPagesets(pa, dma, 3520, 63, 16);
  finishTotals(pa);
  return pa;
}

/** Free-list and pcp-list heads for every zone (what zone_init_free_lists / zone_pcp_init allocate). */
export function initListHeads(pa: PageAllocState): void {
  for (const zone of pa.zones) {
    zone.freeHeadBase = pa.mem.allocListHeads(NR_PAGE_ORDERS * MIGRATE_TYPES);
    zone.initialized = true;
    zone.pageset = [];
    for (let cpu = 0; cpu < pa.nrCpus; cpu++) zone.pageset.push(new PerCpuPages(cpu, pa.mem.allocListHeads(NR_PCP_LISTS)));
  }
}

/** Sets a zone's span and page counts, and tags its pages with the zone (set_page_links). */
export function setZoneGeometry(
  pa: PageAllocState,
  zone: Zone,
  g: { start: number; spanned: number; present: number; managed: number; cma?: number },
): void {
  zone.zoneStartPfn = g.start;
  zone.spannedPages = g.spanned;
  zone.presentPages = g.present;
  zone.managedPages = g.managed;
  zone.cmaPages = g.cma ?? 0;
  const mem = pa.mem;
  for (let pfn = g.start; pfn < g.start + g.spanned; pfn++) {
    if (mem.pfnValid(pfn)) setPageZoneNode(mem, mem.pfnToPage(pfn), zone.nid, zone.zid);
  }
  const pgdat = pa.pgdat[zone.nid]!;
  if (g.present === 0) return;
  if (pgdat.nodePresentPages === 0) {
    pgdat.nodeStartPfn = g.start;
    pgdat.nodeSpannedPages = g.spanned;
  } else {
    const end = Math.max(pgdat.nodeEndPfn, g.start + g.spanned);
    pgdat.nodeStartPfn = Math.min(pgdat.nodeStartPfn, g.start);
    pgdat.nodeSpannedPages = end - pgdat.nodeStartPfn;
  }
  pgdat.nodePresentPages += g.present;
}

/** _watermark[MIN/LOW/HIGH] (PROMO = high + (high - low), as __setup_per_zone_wmarks sets it). */
export function setWatermarks(zone: Zone, min: number, low: number, high: number): void {
  zone.watermark[WMARK_MIN] = min;
  zone.watermark[WMARK_LOW] = low;
  zone.watermark[WMARK_HIGH] = high;
  zone.watermark[WMARK_PROMO] = high + (high - low);
}

/** pcp high/batch of every CPU, and the zone's stat threshold (kept in the vmstat service). */
export function setPagesets(pa: PageAllocState, zone: Zone, high: number, batch: number, threshold: number): void {
  for (const pcp of zone.pageset) {
    pcp.high = high;
    pcp.batch = batch;
  }
  zone.pagesetHigh = high;
  zone.pagesetBatch = batch;
  pa.vmstat.zoneStatThreshold[zone.id] = threshold;
}

/**
 * totalram_pages (Σ managed) and totalreserve_pages, the latter as calculate_totalreserve_pages()
 * computes it: Σ over zones of min(max lowmem_reserve[j ≥ i] + high watermark, managed).
 */
export function finishTotals(pa: PageAllocState): void {
  let totalram = 0;
  let reserve = 0;
  for (const pgdat of pa.pgdat) {
    pgdat.totalreservePages = 0;
    for (let i = 0; i < MAX_NR_ZONES; i++) {
      const zone = pgdat.zones[i]!;
      totalram += zone.managedPages;
      let max = 0;
      for (let j = i; j < MAX_NR_ZONES; j++) max = Math.max(max, zone.lowmemReserve[j]!);
      max += zone.highWmarkPages();
      if (max > zone.managedPages) max = zone.managedPages;
      pgdat.totalreservePages += max;
      reserve += max;
    }
  }
  pa.totalramPages = totalram;
  pa.totalreservePages = reserve;
}

// ---------------------------------------------------------------------------------------------
// Pageblocks and free blocks
// ---------------------------------------------------------------------------------------------

/**
 * The reference zone's pageblock migratetypes, matching the capture's "Number of blocks" row
 * (Unmovable 17, Movable 457, Reclaimable 6, CMA 32): the CMA area is the 64 MiB cma reserved
 * at 0x7ac00000 (dmesg "cma: Reserved 64 MiB at 0x000000007ac00000"), pageblocks 470..501 of the
 * zone; the first 17 pageblocks (kernel image, early allocations) are Unmovable, the next 6
 * Reclaimable, the rest Movable.
 */
export function setReferencePageblocks(pa: PageAllocState): void {
  const base = 0x40000;
  for (let pb = 0; pb < 512; pb++) {
    let mt = MIGRATE_MOVABLE;
    if (pb < 17) mt = MIGRATE_UNMOVABLE;
    else if (pb < 23) mt = MIGRATE_RECLAIMABLE;
    else if (pb >= 470 && pb < 502) mt = MIGRATE_CMA;
    setPageblockMigratetype(pa.pageblock, base + pb * PAGEBLOCK_NR_PAGES, mt);
  }
}

/**
 * Puts real free blocks on `zone`'s free lists: `counts[mt][order]` blocks of each migratetype
 * and order, inside pageblocks of that migratetype, at naturally aligned PFNs where no two free
 * blocks are buddies. Order MAX_ORDER-1 blocks take aligned pairs of pageblocks, order-9 blocks
 * one pageblock each (never both halves of a pair); smaller blocks go into "split" pageblocks
 * laid out as if page 0 had been allocated from a free pageblock (free: page 1, pages 2-3, 4-7,
 * … 256-511), one block of each order per split pageblock. Also sets nr_free (through addToFreeList), PageBuddy/order, and a
 * refcount of 0 on every page of a block; the counters are left alone (see syncFreeCounters).
 * The zone must start on a MAX_ORDER_NR_PAGES boundary (pairs are taken from its first pageblock).
 * @throws Error when the zone has too few pageblocks of a migratetype for the counts
 */
export function placeFreeBlocks(pa: PageAllocState, zone: Zone, counts: readonly (readonly number[])[]): void {
  const mem = pa.mem;
  const nrBlocks = Math.ceil(zone.spannedPages / PAGEBLOCK_NR_PAGES);
  const zoneStart = zone.zoneStartPfn;
  const used = new Array<boolean>(nrBlocks).fill(false);
  const wholeFree9 = new Array<boolean>(nrBlocks + 1).fill(false);
  const mtOf = (pb: number): number => getPfnblockMigratetype(pa.pageblock, zoneStart + pb * PAGEBLOCK_NR_PAGES);
  const add = (pfn: number, order: number, mt: number): void => {
    const page = mem.pfnToPage(pfn);
    mem.refcount.fill(0, page, page + 2 ** order);
    setBuddyOrder(mem, page, order);
    addToFreeList(mem, page, zone, order, mt);
  };
  for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
    const c = counts[mt] ?? [];
    // order 10: aligned pageblock pairs (1024 pages)
    let need = c[NR_PAGE_ORDERS - 1] ?? 0;
    const pairPbs = 2 ** (NR_PAGE_ORDERS - 1 - PAGEBLOCK_ORDER);
    for (let pb = 0; pb + pairPbs <= nrBlocks && need > 0; pb += pairPbs) {
      let ok = true;
      for (let k = 0; k < pairPbs; k++) ok &&= !used[pb + k] && mtOf(pb + k) === mt;
      if (!ok) continue;
      for (let k = 0; k < pairPbs; k++) used[pb + k] = true;
      add(zoneStart + pb * PAGEBLOCK_NR_PAGES, NR_PAGE_ORDERS - 1, mt);
      need--;
    }
    if (need > 0) throw new Error(`placeFreeBlocks: ${need} order-${NR_PAGE_ORDERS - 1} ${migratetypeNames[mt]} blocks left over`);
    // order 9: whole pageblocks
    need = c[PAGEBLOCK_ORDER] ?? 0;
    for (let pb = 0; pb < nrBlocks && need > 0; pb++) {
      // Not next to a free order-9 buddy: the two would have merged into an order-10 block.
      if (used[pb] || mtOf(pb) !== mt || wholeFree9[pb ^ 1]) continue;
      used[pb] = true;
      wholeFree9[pb] = true;
      add(zoneStart + pb * PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, mt);
      need--;
    }
    if (need > 0) throw new Error(`placeFreeBlocks: ${need} order-9 ${migratetypeNames[mt]} blocks left over`);
    // orders 0..8: split pageblocks
    let splits = 0;
    for (let order = 0; order < PAGEBLOCK_ORDER; order++) splits = Math.max(splits, c[order] ?? 0);
    for (let pb = 0, s = 0; s < splits; pb++) {
      if (pb >= nrBlocks) throw new Error(`placeFreeBlocks: no pageblock left for ${migratetypeNames[mt]} small blocks`);
      if (used[pb] || mtOf(pb) !== mt) continue;
      used[pb] = true;
      const start = zoneStart + pb * PAGEBLOCK_NR_PAGES;
      for (let order = 0; order < PAGEBLOCK_ORDER; order++) if (s < (c[order] ?? 0)) add(start + 2 ** order, order, mt);
      s++;
    }
  }
}

/**
 * Sets NR_FREE_PAGES and NR_FREE_CMA_PAGES of `zone` to what its free lists hold (Isolate
 * excluded), as the allocator keeps them, so that validateBuddy() can check a placement.
 */
export function syncFreeCounters(pa: PageAllocState, zone: Zone): void {
  const next = pa.mem.lruNext;
  let free = 0;
  let cma = 0;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) {
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      const head = freeListHead(zone, order, mt);
      for (let p = next[head]!; p !== head; p = next[p]!) {
        if (mt !== MIGRATE_ISOLATE) free += 2 ** order;
        if (mt === MIGRATE_CMA) cma += 2 ** order;
      }
    }
  }
  zone.vmStat[NR_FREE_PAGES] = free;
  zone.vmStat[NR_FREE_CMA_PAGES] = cma;
}

/** The buddy allocator's own checker, as a Validatable for expectValid(). */
export function buddyValidatable(pa: PageAllocState): Validatable {
  return { validate: (sink) => validateBuddy(pa, sink) };
}

// ---------------------------------------------------------------------------------------------
// Capture parsers
// ---------------------------------------------------------------------------------------------

/** "name value" lines (proc_vmstat) as a map. */
export function parseVmstat(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.trimEnd().split("\n")) {
    const [name, value] = line.split(" ");
    m.set(name!, Number(value));
  }
  return m;
}

/** "Name: value [kB]" lines (proc_meminfo) as a map of the printed numbers. */
export function parseMeminfo(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.trimEnd().split("\n")) {
    const match = /^([^:]+):\s+(\d+)( kB)?$/.exec(line);
    if (!match) throw new Error(`parseMeminfo: cannot read ${JSON.stringify(line)}`);
    m.set(match[1]!, Number(match[2]));
  }
  return m;
}

/** Free-block counts per migratetype and order, from the pagetypeinfo free table. */
export function parsePagetypeinfoFree(text: string): { nid: number; zone: string; counts: number[][] }[] {
  const out = new Map<string, { nid: number; zone: string; counts: number[][] }>();
  for (const line of text.split("\n")) {
    const m = /^Node\s+(\d+), zone\s+(\S+), type\s+(\S+) (.*)$/.exec(line);
    if (!m) continue;
    const key = `${m[1]}/${m[2]}`;
    if (!out.has(key)) out.set(key, { nid: Number(m[1]), zone: m[2]!, counts: [] });
    const mt = migratetypeNames.indexOf(m[3]!);
    out.get(key)!.counts[mt] = m[4]!.trim().split(/\s+/).map(Number);
  }
  return [...out.values()];
}

/** One zone block of proc_zoneinfo. */
export interface ZoneinfoBlock {
  nid: number;
  zone: string;
  nodeStats: Map<string, number>;
  fields: Map<string, number>;
  protection: number[];
  zoneStats: Map<string, number>;
  numaStats: Map<string, number>;
  pagesets: { cpu: number; count: number; high: number; batch: number; threshold: number }[];
  nodeUnreclaimable?: number;
  startPfn?: number;
}

/** Parses proc_zoneinfo into its zone blocks. */
export function parseZoneinfo(text: string): ZoneinfoBlock[] {
  const blocks: ZoneinfoBlock[] = [];
  let b: ZoneinfoBlock | undefined;
  let section: "node" | "zone" = "zone";
  for (const line of text.trimEnd().split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^Node (\d+), zone\s+(\S+)$/.exec(line))) {
      b = { nid: Number(m[1]), zone: m[2]!, nodeStats: new Map(), fields: new Map(), protection: [], zoneStats: new Map(), numaStats: new Map(), pagesets: [] };
      blocks.push(b);
      section = "zone";
    } else if (line === "  per-node stats") {
      section = "node";
    } else if ((m = /^ {6}(\S+)\s+(\d+)$/.exec(line))) {
      const [name, value] = [m[1]!, Number(m[2])];
      if (section === "node") b!.nodeStats.set(name, value);
      else if (numaStatNames.includes(name)) b!.numaStats.set(name, value);
      else b!.zoneStats.set(name, value);
    } else if ((m = /^ {2}pages free\s+(\d+)$/.exec(line)) || (m = /^ {8}(\S+)\s+(\d+)$/.exec(line))) {
      section = "zone";
      if (m.length === 2) b!.fields.set("free", Number(m[1]));
      else b!.fields.set(m[1]!, Number(m[2]));
    } else if ((m = /^ {8}protection: \((.*)\)$/.exec(line))) {
      b!.protection = m[1]!.split(", ").map(Number);
    } else if ((m = /^ {4}cpu: (\d+)$/.exec(line))) {
      b!.pagesets.push({ cpu: Number(m[1]), count: 0, high: 0, batch: 0, threshold: 0 });
    } else if ((m = /^ {14}(count|high|batch):\s+(\d+)$/.exec(line))) {
      b!.pagesets.at(-1)![m[1] as "count" | "high" | "batch"] = Number(m[2]);
    } else if ((m = /^ {2}vm stats threshold: (\d+)$/.exec(line))) {
      b!.pagesets.at(-1)!.threshold = Number(m[1]);
    } else if ((m = /^ {2}node_unreclaimable:\s+(\d+)$/.exec(line))) {
      b!.nodeUnreclaimable = Number(m[1]);
    } else if ((m = /^ {2}start_pfn:\s+(\d+)$/.exec(line))) {
      b!.startPfn = Number(m[1]);
    } else if (line !== "  pagesets") {
      throw new Error(`parseZoneinfo: cannot read ${JSON.stringify(line)}`);
    }
  }
  return blocks;
}

/** Index of a vmstat name in its id space, or -1. */
export function zoneStatIndex(name: string): number {
  return zoneStatNames.indexOf(name);
}

/** Index of a node stat name, or -1. */
export function nodeStatIndex(name: string): number {
  return nodeStatNames.indexOf(name);
}
