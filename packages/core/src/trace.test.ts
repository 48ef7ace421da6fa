import { describe, expect, it } from "vitest";
import { SimClock } from "./clock.ts";
import { TraceRecorder } from "./testing/trace-recorder.ts";
import {
  MAX_TRACE_FIELDS, NR_TRACEPOINTS, TP_MM_PAGE_ALLOC, TP_MM_PAGE_FREE, TP_MM_SHRINK_SLAB_END, TP_MM_SHRINK_SLAB_START, TP_MM_VMSCAN_DIRECT_RECLAIM_BEGIN,
  TP_MM_VMSCAN_DIRECT_RECLAIM_END, TP_MM_VMSCAN_KSWAPD_SLEEP, TP_MM_VMSCAN_KSWAPD_WAKE, TP_MM_VMSCAN_LRU_ISOLATE, TP_MM_VMSCAN_LRU_SHRINK_ACTIVE,
  TP_MM_VMSCAN_LRU_SHRINK_INACTIVE, TP_MM_VMSCAN_MEMCG_RECLAIM_BEGIN, TP_MM_VMSCAN_NODE_RECLAIM_END, TP_MM_VMSCAN_THROTTLED, TP_MM_VMSCAN_WAKEUP_KSWAPD,
  TP_MM_VMSCAN_WRITE_FOLIO, TRACEPOINTS, TraceBus, traceMmShrinkSlabEnd, traceMmShrinkSlabStart, traceReclaimFlags, tracepointByName,
} from "./trace.ts";
import { formatTraceEvent, formatTraceRecord, tracePrintFlags } from "./trace-format.ts";

describe("TraceBus", () => {
  it("is off until a handler attaches, and off again after it detaches", () => {
    const bus = new TraceBus();
    expect(bus.on).toBe(false);
    const detach = bus.attach(() => {});
    expect(bus.on).toBe(true);
    detach();
    detach();
    expect(bus.on).toBe(false);
  });

  it("delivers fields by kernel name with the simulated time", () => {
    const clock = new SimClock();
    const bus = new TraceBus(clock);
    const rec = new TraceRecorder(bus, [TP_MM_PAGE_ALLOC]);
    clock.advance(1500);
    bus.emit(TP_MM_PAGE_ALLOC, 0x40000, 3, 0xcc0, 0, 0, 0);
    bus.emit(TP_MM_PAGE_FREE, 0x40000, 3, 0, 0, 0, 0); // not subscribed
    expect(rec.events).toEqual([{
      name: "mm_page_alloc", tsNs: 1500, fields: { pfn: 0x40000, order: 3, gfp_flags: 0xcc0, migratetype: 0 },
      text: "mm_page_alloc: pfn=262144 order=3 gfp_flags=GFP_KERNEL migratetype=0",
    }]);
    expect(bus.enabled(TP_MM_PAGE_FREE)).toBe(false);
    rec.stop();
    expect(bus.on).toBe(false);
  });

  it("has dense ids and unique kernel names", () => {
    expect(TRACEPOINTS.length).toBe(NR_TRACEPOINTS);
    TRACEPOINTS.forEach((t, i) => expect(t.id).toBe(i));
    expect(new Set(TRACEPOINTS.map((t) => t.name)).size).toBe(NR_TRACEPOINTS);
    expect(tracepointByName("mm_page_alloc_extfrag")?.system).toBe("kmem");
    expect(tracepointByName("nope")).toBeUndefined();
  });
});

describe("tracepoints with more than six fields (emitArgs)", () => {
  it("delivers all thirteen fields of mm_vmscan_lru_shrink_inactive, the first six also as numbers", () => {
    const bus = new TraceBus();
    const seen: number[][] = [];
    bus.attach((tp, _ts, a0, a1, a2, a3, a4, a5, fields) => seen.push([tp, a0, a1, a2, a3, a4, a5, ...fields.subarray(0, 13)]), [TP_MM_VMSCAN_LRU_SHRINK_INACTIVE]);
    const a = bus.args;
    for (let i = 0; i < 13; i++) a[i] = 100 + i;
    bus.emitArgs(TP_MM_VMSCAN_LRU_SHRINK_INACTIVE);
    bus.emitArgs(TP_MM_VMSCAN_LRU_ISOLATE); // not subscribed
    expect(seen).toEqual([[TP_MM_VMSCAN_LRU_SHRINK_INACTIVE, 100, 101, 102, 103, 104, 105, ...Array.from({ length: 13 }, (_, i) => 100 + i)]]);
  });

  it("a disabled bus costs one test: no handler runs and `on` stays false whatever is written to args", () => {
    const bus = new TraceBus();
    let calls = 0;
    const detach = bus.attach(() => calls++, [TP_MM_PAGE_FREE]);
    detach();
    expect(bus.on).toBe(false);
    if (bus.on) bus.emitArgs(TP_MM_VMSCAN_LRU_SHRINK_INACTIVE);
    bus.emitArgs(TP_MM_VMSCAN_LRU_SHRINK_INACTIVE);
    bus.emit(TP_MM_PAGE_FREE, 1, 0, 0, 0, 0, 0);
    expect(calls).toBe(0);
  });

  it("every tracepoint fits the field array, and every format names fields the tracepoint has", () => {
    for (const t of TRACEPOINTS) {
      expect(t.fields.length).toBeLessThanOrEqual(MAX_TRACE_FIELDS);
      if (t.printk === undefined) continue;
      expect(formatTraceEvent(t.id, new Float64Array(MAX_TRACE_FIELDS))).not.toContain("%");
    }
  });

  it("registers %pS symbols once each", () => {
    const bus = new TraceBus();
    const id = bus.registerSymbol("super_cache_scan+0x0/0x1b0");
    expect(bus.registerSymbol("super_cache_scan+0x0/0x1b0")).toBe(id);
    expect(bus.registerSymbol("deferred_split_scan+0x0/0x2a0")).toBe(id + 1);
    expect(bus.symbolName(id)).toBe("super_cache_scan+0x0/0x1b0");
    expect(bus.symbolName(0)).toBeUndefined();
  });
});

describe("vmscan tracepoints print as 6.1's TP_printk (include/trace/events/vmscan.h)", () => {
  const bus = new TraceBus();
  const scan = bus.registerSymbol("super_cache_scan+0x0/0x1b0");
  const line = (tp: number, ...f: number[]) => formatTraceRecord(tp, f, bus);
  it("formats each event to the character", () => {
    expect(line(TP_MM_VMSCAN_KSWAPD_SLEEP, 0)).toBe("mm_vmscan_kswapd_sleep: nid=0");
    expect(line(TP_MM_VMSCAN_KSWAPD_WAKE, 0, 1, 0)).toBe("mm_vmscan_kswapd_wake: nid=0 order=0");
    expect(line(TP_MM_VMSCAN_WAKEUP_KSWAPD, 0, 1, 0, 0x100cca)).toBe("mm_vmscan_wakeup_kswapd: nid=0 order=0 gfp_flags=GFP_HIGHUSER_MOVABLE");
    expect(line(TP_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 0, 0x140cca)).toBe("mm_vmscan_direct_reclaim_begin: order=0 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_COMP");
    expect(line(TP_MM_VMSCAN_DIRECT_RECLAIM_END, 57)).toBe("mm_vmscan_direct_reclaim_end: nr_reclaimed=57");
    expect(line(TP_MM_VMSCAN_MEMCG_RECLAIM_BEGIN, 0, 0xcc0)).toBe("mm_vmscan_memcg_reclaim_begin: order=0 gfp_flags=GFP_KERNEL");
    expect(line(TP_MM_VMSCAN_NODE_RECLAIM_END, 3)).toBe("mm_vmscan_node_reclaim_end: nr_reclaimed=3");
    expect(line(TP_MM_VMSCAN_LRU_ISOLATE, 2, 0, 32, 32, 0, 32, 0, 0))
      .toBe("mm_vmscan_lru_isolate: isolate_mode=0 classzone=2 order=0 nr_requested=32 nr_scanned=32 nr_skipped=0 nr_taken=32 lru=inactive_anon");
    expect(line(TP_MM_VMSCAN_LRU_ISOLATE, 1, 0, 32, 30, 0, 30, 2, 3)).toMatch(/isolate_mode=2 .* lru=active_file$/);
    expect(line(TP_MM_VMSCAN_LRU_SHRINK_INACTIVE, 0, 32, 32, 0, 0, 0, 0, 0, 0, 0, 0, 12, traceReclaimFlags(false)))
      .toBe("mm_vmscan_lru_shrink_inactive: nid=0 nr_scanned=32 nr_reclaimed=32 nr_dirty=0 nr_writeback=0 nr_congested=0 nr_immediate=0 nr_activate_anon=0 nr_activate_file=0 nr_ref_keep=0 nr_unmap_fail=0 priority=12 flags=RECLAIM_WB_ANON|RECLAIM_WB_ASYNC");
    expect(line(TP_MM_VMSCAN_LRU_SHRINK_ACTIVE, 0, 32, 0, 32, 0, 11, traceReclaimFlags(true)))
      .toBe("mm_vmscan_lru_shrink_active: nid=0 nr_taken=32 nr_active=0 nr_deactivated=32 nr_referenced=0 priority=11 flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC");
    expect(line(TP_MM_VMSCAN_THROTTLED, 0, 4000, 4000, 1 << 2)).toBe("mm_vmscan_throttled: nid=0 usec_timeout=4000 usect_delayed=4000 reason=VMSCAN_THROTTLE_NOPROGRESS");
    expect(line(TP_MM_VMSCAN_THROTTLED, 0, 4000, 0, 0)).toMatch(/reason=VMSCAN_THROTTLE_NONE$/);
  });

  it("prints pointers hashed (16 hex digits, the upper 8 zero) and %pS from the bus's symbols", () => {
    const start = line(TP_MM_SHRINK_SLAB_START, 0xffff0000123400, scan, 0, 0, 0xcc0, 1234, 7, 7, 12);
    expect(start).toMatch(/^mm_shrink_slab_start: super_cache_scan\+0x0\/0x1b0 00000000[0-9a-f]{8}: nid: 0 objects to shrink 0 gfp_flags GFP_KERNEL cache items 1234 delta 7 total_scan 7 priority 12$/);
    const end = line(TP_MM_SHRINK_SLAB_END, 0xffff0000123400, 0, scan, 0, 0, 12, 7);
    expect(end).toMatch(/^mm_shrink_slab_end: super_cache_scan\+0x0\/0x1b0 00000000[0-9a-f]{8}: nid: 0 unused scan count 0 new scan count 0 total_scan 7 last shrinker return val 12$/);
    expect(start.split(" ")[2]).toBe(end.split(" ")[2]); // the same shrinker hashes the same
    // The helpers do_shrink_slab calls put each argument in its TP_STRUCT slot.
    const rec = new TraceRecorder(bus, [TP_MM_SHRINK_SLAB_START, TP_MM_SHRINK_SLAB_END]);
    traceMmShrinkSlabStart(bus, 0xffff0000123400, scan, 0, 0, 0xcc0, 1234, 7, 7, 12);
    traceMmShrinkSlabEnd(bus, 0xffff0000123400, 0, scan, 12, 0, 0, 7);
    rec.stop();
    expect(rec.events.map((e) => e.text)).toEqual([start, end]);
    expect(line(TP_MM_VMSCAN_WRITE_FOLIO, 0x4a3c1, traceReclaimFlags(false))).toMatch(/^mm_vmscan_write_folio: page=00000000[0-9a-f]{8} pfn=0x4a3c1 flags=RECLAIM_WB_ANON\|RECLAIM_WB_ASYNC$/);
    expect(tracePrintFlags(0x23, [[1, "A"], [2, "B"]], "NONE")).toBe("A|B|0x20");
  });
});
