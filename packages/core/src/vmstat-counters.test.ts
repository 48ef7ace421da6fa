// Tests of the VmStat service (mm/vmstat.c's counters and their API, include/linux/vmstat.h of 6.1).
import { describe, expect, it } from "vitest";
import { ArgumentError } from "./errors.ts";
import { MAX_NR_ZONES, ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from "./mmzone.ts";
import { PAGE_SIZE } from "./sizes.ts";
import {
  ALLOCSTALL_NORMAL, BALLOON_INFLATE, NR_ANON_MAPPED, NR_FREE_CMA_PAGES, NR_FREE_PAGES, NR_SLAB_UNRECLAIMABLE_B, NR_VM_EVENT_ITEMS,
  NR_VM_NODE_STAT_ITEMS, NR_VM_NUMA_EVENT_ITEMS, NR_VM_ZONE_STAT_ITEMS, NUMA_HIT, NUMA_MISS, PGALLOC_DMA, PGALLOC_DMA32, PGALLOC_MOVABLE,
  PGALLOC_NORMAL, PGFAULT, ALLOCSTALL_DMA32, PGSCAN_SKIP_MOVABLE, PGSCAN_SKIP_NORMAL,
} from "./vmstat.ts";
import { VmStat } from "./vmstat-counters.ts";

describe("VmStat: the counters", () => {
  it("sizes one array per id space for every zone (nid * MAX_NR_ZONES + zid) and node", () => {
    const vs = new VmStat(2);
    expect(vs.nrZones).toBe(2 * MAX_NR_ZONES);
    expect(vs.zoneVmStat.length).toBe(2 * MAX_NR_ZONES * NR_VM_ZONE_STAT_ITEMS);
    expect(vs.zoneVmNumaEvent.length).toBe(2 * MAX_NR_ZONES * NR_VM_NUMA_EVENT_ITEMS);
    expect(vs.nodeVmStat.length).toBe(2 * NR_VM_NODE_STAT_ITEMS);
    expect(vs.vmEvents.length).toBe(NR_VM_EVENT_ITEMS);
    expect(vs.zoneStatThreshold.length).toBe(2 * MAX_NR_ZONES);
    expect(vs.nodeStatThreshold.length).toBe(2);
  });

  it("views write into the service's arrays (what Zone and PglistData hold)", () => {
    const vs = new VmStat(2);
    const normal1 = 1 * MAX_NR_ZONES + ZONE_NORMAL;
    const view = vs.zoneStat(normal1);
    expect(view.length).toBe(NR_VM_ZONE_STAT_ITEMS);
    expect(vs.zoneStat(normal1)).toBe(view); // made once
    view[NR_FREE_PAGES]! += 7;
    expect(vs.zoneVmStat[normal1 * NR_VM_ZONE_STAT_ITEMS + NR_FREE_PAGES]).toBe(7);
    expect(vs.zonePageState(normal1, NR_FREE_PAGES)).toBe(7);
    vs.nodeStat(1)[NR_ANON_MAPPED] = 3;
    expect(vs.nodePageState(1, NR_ANON_MAPPED)).toBe(3);
    expect(vs.nodePageState(0, NR_ANON_MAPPED)).toBe(0);
    vs.zoneNumaEvent(normal1)[NUMA_HIT] = 9;
    expect(vs.zoneNumaEventState(normal1, NUMA_HIT)).toBe(9);
  });

  it("mod_zone_page_state / mod_node_page_state change one zone's or node's counter; the global readers sum", () => {
    const vs = new VmStat(2);
    vs.modZonePageState(ZONE_DMA, NR_FREE_PAGES, 100);
    vs.modZonePageState(MAX_NR_ZONES + ZONE_NORMAL, NR_FREE_PAGES, 50);
    vs.incZoneState(ZONE_DMA, NR_FREE_CMA_PAGES);
    vs.decZoneState(ZONE_DMA, NR_FREE_PAGES);
    expect(vs.zonePageState(ZONE_DMA, NR_FREE_PAGES)).toBe(99);
    expect(vs.globalZonePageState(NR_FREE_PAGES)).toBe(149);
    expect(vs.sumZoneNodePageState(1, NR_FREE_PAGES)).toBe(50);
    expect(vs.globalZonePageState(NR_FREE_CMA_PAGES)).toBe(1);
    vs.modNodePageState(0, NR_ANON_MAPPED, 5);
    vs.incNodeState(1, NR_ANON_MAPPED);
    vs.decNodeState(0, NR_ANON_MAPPED);
    expect([vs.nodePageState(0, NR_ANON_MAPPED), vs.nodePageState(1, NR_ANON_MAPPED)]).toEqual([4, 1]);
    expect(vs.globalNodePageState(NR_ANON_MAPPED)).toBe(5);
  });

  it("mod_node_page_state takes bytes for a byte item and keeps pages (vmstat_item_in_bytes)", () => {
    const vs = new VmStat(1);
    vs.modNodePageState(0, NR_SLAB_UNRECLAIMABLE_B, 3 * PAGE_SIZE);
    expect(vs.nodePageStatePages(0, NR_SLAB_UNRECLAIMABLE_B)).toBe(3);
    vs.modNodePageState(0, NR_SLAB_UNRECLAIMABLE_B, -PAGE_SIZE);
    expect(vs.globalNodePageStatePages(NR_SLAB_UNRECLAIMABLE_B)).toBe(2);
    // node_page_state_add() is the raw fold: already pages
    vs.nodePageStateAdd(1, 0, NR_SLAB_UNRECLAIMABLE_B);
    expect(vs.nodePageStatePages(0, NR_SLAB_UNRECLAIMABLE_B)).toBe(3);
    expect(() => vs.modNodePageState(0, NR_SLAB_UNRECLAIMABLE_B, 100)).toThrow(
      /core\.VmStat\.modNodePageState: delta: expected bytes in whole pages \(a multiple of 4096\) for a byte item, got 100/,
    );
  });

  it("page-state readers clamp a negative (drifted) counter to 0; NUMA events are not clamped", () => {
    const vs = new VmStat(1);
    vs.modZonePageState(ZONE_DMA, NR_FREE_PAGES, -5);
    expect(vs.zonePageState(ZONE_DMA, NR_FREE_PAGES)).toBe(0);
    expect(vs.zonePageStateSnapshot(ZONE_DMA, NR_FREE_PAGES)).toBe(0);
    expect(vs.globalZonePageState(NR_FREE_PAGES)).toBe(0);
    vs.modZonePageState(ZONE_NORMAL, NR_FREE_PAGES, 8);
    expect(vs.globalZonePageState(NR_FREE_PAGES)).toBe(3); // the sum is clamped, not each zone
    vs.modNodePageState(0, NR_ANON_MAPPED, -2);
    expect(vs.nodePageState(0, NR_ANON_MAPPED)).toBe(0);
    expect(vs.globalNodePageState(NR_ANON_MAPPED)).toBe(0);
    vs.countNumaEvents(ZONE_DMA, NUMA_MISS, -1);
    expect(vs.globalNumaEventState(NUMA_MISS)).toBe(-1);
  });

  it("counts events: count_vm_event(s), __count_zid_vm_events per zone type, all_vm_events", () => {
    const vs = new VmStat(1);
    vs.countVmEvent(PGFAULT);
    vs.countVmEvents(PGFAULT, 4);
    expect(vs.sumVmEvent(PGFAULT)).toBe(5);
    vs.countZidVmEvents(PGALLOC_NORMAL, ZONE_DMA, 1);
    vs.countZidVmEvents(PGALLOC_NORMAL, ZONE_DMA32, 2);
    vs.countZidVmEvents(PGALLOC_NORMAL, ZONE_NORMAL, 3);
    vs.countZidVmEvents(PGALLOC_NORMAL, ZONE_MOVABLE, 4);
    expect([PGALLOC_DMA, PGALLOC_DMA32, PGALLOC_NORMAL, PGALLOC_MOVABLE].map((i) => vs.sumVmEvent(i))).toEqual([1, 2, 3, 4]);
    vs.countZidVmEvents(ALLOCSTALL_NORMAL, ZONE_DMA32, 1);
    vs.countZidVmEvents(PGSCAN_SKIP_NORMAL, ZONE_MOVABLE, 6);
    expect([vs.sumVmEvent(ALLOCSTALL_DMA32), vs.sumVmEvent(PGSCAN_SKIP_MOVABLE)]).toEqual([1, 6]);
    const all = vs.allVmEvents();
    expect(all).not.toBe(vs.vmEvents);
    expect(all[PGFAULT]).toBe(5);
    const into = new Float64Array(NR_VM_EVENT_ITEMS);
    expect(vs.allVmEvents(into)).toBe(into);
    expect(into[PGALLOC_MOVABLE]).toBe(4);
  });

  it("counts NUMA events per zone; sum_zone_numa_event_state sums a node's zones", () => {
    const vs = new VmStat(2);
    vs.countNumaEvent(ZONE_DMA, NUMA_HIT);
    vs.countNumaEvents(MAX_NR_ZONES + ZONE_NORMAL, NUMA_HIT, 10);
    vs.countNumaEvents(MAX_NR_ZONES + ZONE_DMA, NUMA_HIT, 2);
    expect(vs.sumZoneNumaEventState(1, NUMA_HIT)).toBe(12);
    expect(vs.globalNumaEventState(NUMA_HIT)).toBe(13);
  });

  it("two services share nothing", () => {
    const a = new VmStat(1);
    const b = new VmStat(1);
    a.countVmEvent(BALLOON_INFLATE);
    a.modZonePageState(ZONE_DMA, NR_FREE_PAGES, 1);
    expect([b.sumVmEvent(BALLOON_INFLATE), b.globalZonePageState(NR_FREE_PAGES)]).toEqual([0, 0]);
  });

  it("rejects ids outside the machine or the item space, naming what is allowed", () => {
    const vs = new VmStat(1);
    expect(() => new VmStat(0)).toThrow(ArgumentError);
    expect(() => vs.modZonePageState(MAX_NR_ZONES, NR_FREE_PAGES, 1)).toThrow(/core\.VmStat\.zonePageStateAdd: zoneId: expected a zone id 0\.\.3 \(nid \* 4 \+ zid\), got 4/);
    expect(() => vs.modNodePageState(1, NR_ANON_MAPPED, 1)).toThrow(/core\.VmStat\.nodePageStateAdd: nid: expected a node id 0\.\.0, got 1/);
    expect(() => vs.zonePageState(0, NR_VM_ZONE_STAT_ITEMS)).toThrow(/item: expected an item id 0\.\.10, got 11/);
    expect(() => vs.countVmEvent(NR_VM_EVENT_ITEMS)).toThrow(/core\.VmStat\.countVmEvent: item: expected an item id 0\.\.105, got 106/);
    expect(() => vs.countVmEvent(1.5)).toThrow(ArgumentError);
    expect(() => vs.countZidVmEvents(PGALLOC_NORMAL, MAX_NR_ZONES, 1)).toThrow(/zid: expected a zone type 0\.\.3, got 4/);
    expect(() => vs.allVmEvents(new Float64Array(3))).toThrow(/ret: expected at least 106 entries, got 3/);
  });
});
