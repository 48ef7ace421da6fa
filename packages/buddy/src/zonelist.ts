// Kernel: mm/page_alloc.c (v6.1) — build_all_zonelists(), build_zonelists() (CONFIG_NUMA), find_next_best_node(), nr_free_zone_pages(); include/linux/mempolicy.h check_highest_zone()
/*
 * The zonelists an allocation walks: for each node, ZONELIST_FALLBACK holds this node's
 * populated zones from the highest type down, then the other nodes' (ordered by
 * find_next_best_node()), and ZONELIST_NOFALLBACK (__GFP_THISNODE) this node's zones only.
 * Followed: mm/page_alloc.c of 6.1.129 (FreshlyCutWax/Linux-Kernel-KTMM-6.1), unchanged here up
 * to the reference 6.1.192.
 *
 * 6.1 puts *populated* zones (present pages) in the lists (build_zonerefs_node() tests
 * populated_zone(): v5.18's e553f62f10d9 went back from managed_zone() to it), so a zone whose
 * pages are all reserved is still listed; the allocator then finds nothing free there.
 *
 * "Total pages" of the `Built N zonelists` line is nr_free_zone_pages(gfp_zone(GFP_HIGHUSER_MOVABLE)):
 * Σ over the boot CPU's fallback zonelist of (managed − high watermark). It runs before
 * memblock_free_all() and before any watermark exists, so it sums free_area_init_core()'s
 * estimate managed = present − memmap pages: on the reference board 262144 − 4096 = 258048
 * (4096 = PAGE_ALIGN(262144 × sizeof(struct page) = 64) / PAGE_SIZE). Grouping by mobility is
 * disabled below pageblock_nr_pages × MIGRATE_TYPES pages.
 *
 * Node distances: mmsim has no SLIT/DT distance table yet; node_distance() is arm64's default
 * (numa_distance unset): LOCAL_DISTANCE 10 to itself, REMOTE_DISTANCE 20 to any other node.
 * All configured nodes are online.
 *
 * `policy_zone` is returned by buildAllZonelists() (PageAllocState has no field for it).
 */
import {
  MAX_NUMNODES,
  GFP_HIGHUSER_MOVABLE, GFP_USER, MAX_NR_ZONES, MIGRATE_TYPES, NUMA_NO_NODE, PAGEBLOCK_NR_PAGES, ZONE_MOVABLE,
  ZONELIST_NOFALLBACK, gfpZone, gfpZonelist, zoneNames, type GfpFlags,
} from "@mmsim/core";
import type { PglistData, Zone } from "./mmzone.ts";
import type { PageAllocState } from "./page-alloc-state.ts";

/** Distance of a node to itself. Kernel: `LOCAL_DISTANCE` (include/linux/topology.h). */
export const LOCAL_DISTANCE = 10;
/** Default distance between two different nodes. Kernel: `REMOTE_DISTANCE`. */
export const REMOTE_DISTANCE = 20;
/** Extra distance for a node that has CPUs (headless nodes are preferred). Kernel: `PENALTY_FOR_NODE_WITH_CPUS`. */
export const PENALTY_FOR_NODE_WITH_CPUS = 1;

/** What build_all_zonelists() computed. */
export interface BuildAllZonelistsResult {
  /** `vm_total_pages`: the "Total pages" of the log line. */
  readonly vmTotalPages: number;
  /** `policy_zone`: the highest zone type (Movable excepted) found in any zonelist. */
  readonly policyZone: number;
}

/** Distance between two nodes. Kernel: `node_distance()` → arm64 `__node_distance()` without a table. */
export function nodeDistance(from: number, to: number): number {
  return from === to ? LOCAL_DISTANCE : REMOTE_DISTANCE;
}

/** True when a CPU belongs to the node. Kernel: `!cpumask_empty(cpumask_of_node(nid))`. */
function nodeHasCpus(pa: PageAllocState, nid: number): boolean {
  for (let cpu = 0; cpu < pa.nrCpus; cpu++) if (pa.cpuToNode[cpu] === nid) return true;
  return false;
}

/**
 * Appends the node's populated zones, highest type first, to `out`.
 * Kernel: `build_zonerefs_node()`. @returns the highest zone type seen (check_highest_zone), or -1
 */
function buildZonerefsNode(pgdat: PglistData, out: Zone[]): number {
  let highest = -1;
  for (let zoneType = MAX_NR_ZONES - 1; zoneType >= 0; zoneType--) {
    const zone = pgdat.zones[zoneType]!;
    if (zone.populated) {
      out.push(zone);
      if (zoneType > highest && zoneType !== ZONE_MOVABLE) highest = zoneType;
    }
  }
  return highest;
}

/**
 * The next node for `node`'s fallback list: itself first, then the nearest node with memory not
 * yet used, preferring higher node ids at equal distance, nodes without CPUs, and less loaded
 * nodes. Kernel: `find_next_best_node()`.
 * @returns a node id, or NUMA_NO_NODE when all are used
 */
export function findNextBestNode(pa: PageAllocState, node: number, used: boolean[], nodeLoad: readonly number[]): number {
  if (!used[node]) {
    used[node] = true;
    return node;
  }
  let minVal = Number.MAX_SAFE_INTEGER;
  let best = NUMA_NO_NODE;
  for (const pgdat of pa.pgdat) {
    const n = pgdat.nodeId;
    if (pgdat.nodePresentPages === 0) continue; // for_each_node_state(n, N_MEMORY)
    if (used[n]) continue;
    let val = nodeDistance(node, n);
    if (n < node) val += 1; // penalise nodes under us ("prefer the next node")
    if (nodeHasCpus(pa, n)) val += PENALTY_FOR_NODE_WITH_CPUS;
    val = val * MAX_NUMNODES + nodeLoad[n]!;
    if (val < minVal) {
      minVal = val;
      best = n;
    }
  }
  if (best >= 0) used[best] = true;
  return best;
}

/**
 * Builds one node's two zonelists and logs its fallback order. Kernel: `build_zonelists()`
 * (CONFIG_NUMA) with `build_zonelists_in_node_order()` and `build_thisnode_zonelists()`.
 * @returns the highest zone type put in a list (for policy_zone), or -1
 */
function buildZonelists(pa: PageAllocState, pgdat: PglistData, nodeLoad: number[]): number {
  const localNode = pgdat.nodeId;
  let prevNode = localNode;
  const used = new Array<boolean>(pa.pgdat.length).fill(false);
  const nodeOrder: number[] = [];
  for (let node = findNextBestNode(pa, localNode, used, nodeLoad); node >= 0; node = findNextBestNode(pa, localNode, used, nodeLoad)) {
    // Round-robin among nodes at the same distance: penalise the first one of each group.
    if (nodeDistance(localNode, node) !== nodeDistance(localNode, prevNode)) nodeLoad[node]! += 1;
    nodeOrder.push(node);
    prevNode = node;
  }

  let highest = -1;
  const fallback: Zone[] = [];
  for (const nid of nodeOrder) highest = Math.max(highest, buildZonerefsNode(pa.pgdat[nid]!, fallback));
  const thisnode: Zone[] = [];
  buildZonerefsNode(pgdat, thisnode);
  pgdat.zonelistFallback = fallback;
  pgdat.zonelistNofallback = thisnode;

  let line = `Fallback order for Node ${localNode}: `;
  for (const nid of nodeOrder) line += `${nid} `;
  pa.log.prInfo(line);
  return highest;
}

/**
 * Σ (managed − high watermark) over the zones of the boot CPU's node's fallback zonelist whose
 * type is at most `offset`. Kernel: `nr_free_zone_pages()`.
 */
export function nrFreeZonePages(pa: PageAllocState, offset: number): number {
  const zonelist = pa.pgdat[pa.cpuToNode[0]!]!.zonelistFallback; // numa_node_id(), GFP_KERNEL
  let sum = 0;
  for (let i = 0; i < zonelist.length; i++) {
    const zone = zonelist[i]!;
    if (zone.zid > offset) continue;
    const size = zone.managedPages;
    const high = zone.highWmarkPages();
    if (size > high) sum += size - high;
  }
  return sum;
}

/** Pages above the high watermark in zones GFP_USER may use (DMA..Normal). Kernel: `nr_free_buffer_pages()`. */
export function nrFreeBufferPages(pa: PageAllocState): number {
  return nrFreeZonePages(pa, gfpZone(GFP_USER));
}

/**
 * Builds every node's zonelists, decides page_group_by_mobility_disabled and logs as 6.1 does:
 * `Fallback order for Node N: …`, `Built N zonelists, mobility grouping on.  Total pages: N`,
 * `Policy zone: …`. Kernel: `build_all_zonelists(NULL)` at boot (`__build_all_zonelists()`;
 * the boot pagesets of build_all_zonelists_init() already exist: zonePcpInit()).
 * Also right after memory hotplug changes which zones are populated.
 */
export function buildAllZonelists(pa: PageAllocState): BuildAllZonelistsResult {
  const nodeLoad = new Array<number>(pa.pgdat.length).fill(0);
  let policyZone = 0; // mm/mempolicy.c: enum zone_type policy_zone = 0
  for (const pgdat of pa.pgdat) policyZone = Math.max(policyZone, buildZonelists(pa, pgdat, nodeLoad));

  // Get the number of free pages beyond high watermark in all zones.
  const vmTotalPages = nrFreeZonePages(pa, gfpZone(GFP_HIGHUSER_MOVABLE));
  pa.pageGroupByMobilityDisabled = vmTotalPages < PAGEBLOCK_NR_PAGES * MIGRATE_TYPES;
  pa.log.prInfo(`Built ${pa.pgdat.length} zonelists, mobility grouping ${pa.pageGroupByMobilityDisabled ? "off" : "on"}.  Total pages: ${vmTotalPages}`);
  pa.log.prInfo(`Policy zone: ${zoneNames[policyZone]}`);
  return { vmTotalPages, policyZone };
}

/**
 * The zonelist an allocation on node `nid` walks: ZONELIST_NOFALLBACK for __GFP_THISNODE, else
 * ZONELIST_FALLBACK. Kernel: `node_zonelist(nid, gfp)` with `gfp_zonelist()`.
 */
export function gfpZonelistZones(pa: PageAllocState, nid: number, gfp: GfpFlags): readonly Zone[] {
  const pgdat = pa.pgdat[nid]!;
  return gfpZonelist(gfp) === ZONELIST_NOFALLBACK ? pgdat.zonelistNofallback : pgdat.zonelistFallback;
}
