// mmsim: the vmscan tracepoints fire where 6.1 fires them (try_to_free_pages, isolate_lru_folios, shrink_inactive_list, shrink_active_list, pageout, kswapd, kswapd_try_to_sleep, reclaim_throttle), with fields that agree with the counters
import {
  GFP_HIGHUSER_MOVABLE, PGDEACTIVATE, PGSCAN_DIRECT, PGSTEAL_DIRECT, RECLAIM_WB_ANON, RECLAIM_WB_ASYNC, RECLAIM_WB_FILE, TRACEPOINTS,
} from "@mmsim/core";
import { TraceRecorder, type RecordedEvent } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { MultiGenLru } from "./mglru/multi-gen-lru.ts";
import { smallMachine, type SmallMachine } from "./reclaim.test-helpers.ts";
import { VMSCAN_THROTTLE_WRITEBACK } from "./vmscan.ts";

const VMSCAN = TRACEPOINTS.filter((t) => t.system === "vmscan").map((t) => t.id);
const record = (m: SmallMachine) => new TraceRecorder(m.vmscan.trace, VMSCAN);
const sum = (events: RecordedEvent[], field: string) => events.reduce((s, e) => s + e.fields[field]!, 0);

describe("vmscan tracepoints (include/trace/events/vmscan.h, 6.1)", () => {
  it("direct reclaim of anonymous pages: begin, isolate, write_folio per page written, shrink_inactive, end — fields matching pgscan, pgsteal and the swap writes", () => {
    const m = smallMachine({ swapPages: 4096 });
    for (let i = 0; i < 3000; i++) m.addAnonPage();
    m.lru.lruAddDrainAll();
    const rec = record(m);
    const n = m.vmscan.tryToFreePages(GFP_HIGHUSER_MOVABLE, 0, 0, 3);
    rec.stop();
    const names = rec.events.map((e) => e.name);
    expect(names[0]).toBe("mm_vmscan_direct_reclaim_begin");
    expect(rec.events[0]!.text).toBe("mm_vmscan_direct_reclaim_begin: order=0 gfp_flags=GFP_HIGHUSER_MOVABLE");
    expect(names.at(-1)).toBe("mm_vmscan_direct_reclaim_end");
    expect(rec.events.at(-1)!.text).toBe(`mm_vmscan_direct_reclaim_end: nr_reclaimed=${n}`);
    const isolate = rec.named("mm_vmscan_lru_isolate").filter((e) => e.fields.lru === 0);
    const inactive = rec.named("mm_vmscan_lru_shrink_inactive");
    expect(inactive.length).toBeGreaterThan(0);
    expect(sum(isolate, "nr_scanned")).toBe(m.vmstat.vmEvents[PGSCAN_DIRECT]);
    expect(sum(inactive, "nr_scanned")).toBe(m.vmstat.vmEvents[PGSCAN_DIRECT]);
    expect(sum(inactive, "nr_reclaimed")).toBe(m.vmstat.vmEvents[PGSTEAL_DIRECT]);
    expect(sum(inactive, "nr_reclaimed")).toBe(n);
    for (const e of inactive) expect(e.fields.reclaim_flags).toBe(RECLAIM_WB_ANON | RECLAIM_WB_ASYNC);
    for (const e of isolate) expect(e.text).toMatch(/^mm_vmscan_lru_isolate: isolate_mode=0 classzone=3 order=0 nr_requested=(\d+) nr_scanned=\d+ nr_skipped=0 nr_taken=\d+ lru=inactive_anon$/);
    expect(isolate.some((e) => e.text.includes("nr_requested=32 nr_scanned=32 nr_skipped=0 nr_taken=32"))).toBe(true);
    const writes = rec.named("mm_vmscan_write_folio");
    expect(writes.length).toBe(m.swap!.writes);
    expect(writes[0]!.text).toMatch(/^mm_vmscan_write_folio: page=00000000[0-9a-f]{8} pfn=0x[0-9a-f]+ flags=RECLAIM_WB_ANON\|RECLAIM_WB_ASYNC$/);
    // shrink_inactive_list fires after its isolate_lru_folios, never before
    expect(names.indexOf("mm_vmscan_lru_isolate")).toBeLessThan(names.indexOf("mm_vmscan_lru_shrink_inactive"));
  });

  it("shrink_active_list's deactivations of file pages sum to pgdeactivate", () => {
    const m = smallMachine();
    const pages = m.addFilePages(0, 3000);
    m.lru.lruAddDrainAll();
    for (const p of pages.slice(1000)) {
      m.lru.folioMarkAccessed(p);
      m.lru.folioMarkAccessed(p);
    }
    m.lru.lruAddDrainAll();
    const before = m.vmstat.vmEvents[PGDEACTIVATE]!;
    const rec = record(m);
    for (let i = 0; i < 20; i++) m.vmscan.tryToFreePages(GFP_HIGHUSER_MOVABLE, 0, 0, 3);
    rec.stop();
    const active = rec.named("mm_vmscan_lru_shrink_active");
    expect(active.length).toBeGreaterThan(0);
    expect(sum(active, "nr_deactivated")).toBe(m.vmstat.vmEvents[PGDEACTIVATE]! - before);
    for (const e of active) expect(e.text).toMatch(/^mm_vmscan_lru_shrink_active: nid=0 nr_taken=\d+ nr_active=\d+ nr_deactivated=\d+ nr_referenced=\d+ priority=\d+ flags=RECLAIM_WB_FILE\|RECLAIM_WB_ASYNC$/);
    expect(rec.named("mm_vmscan_lru_isolate").some((e) => e.text.endsWith("lru=active_file"))).toBe(true);
    expect(active.every((e) => e.fields.reclaim_flags === (RECLAIM_WB_FILE | RECLAIM_WB_ASYNC))).toBe(true);
  });

  it("kswapd: wakeup_kswapd from the allocator, kswapd_wake when it starts, kswapd_sleep when it goes to sleep", () => {
    const m = smallMachine({ mib: 64 });
    const rec = record(m);
    let i = 0;
    while (!m.vmscan.kswapd[0]!.awake) m.addFilePages(i++, 1);
    m.vmscan.kswapdRun(0);
    rec.stop();
    const names = rec.events.map((e) => e.name);
    expect(names[0]).toBe("mm_vmscan_wakeup_kswapd");
    expect(rec.events[0]!.text).toMatch(/^mm_vmscan_wakeup_kswapd: nid=0 order=0 gfp_flags=GFP_HIGHUSER_MOVABLE/);
    expect(names).toContain("mm_vmscan_kswapd_wake");
    expect(names.at(-1)).toBe("mm_vmscan_kswapd_sleep");
    expect(rec.events.at(-1)!.text).toBe("mm_vmscan_kswapd_sleep: nid=0");
    expect(names.indexOf("mm_vmscan_kswapd_wake")).toBeLessThan(names.indexOf("mm_vmscan_lru_shrink_inactive"));
  });

  it("reclaim_throttle: the timeout and the time slept in microseconds, the reason as a flag", () => {
    const m = smallMachine();
    const rec = record(m);
    m.vmscan.reclaimThrottle(0, VMSCAN_THROTTLE_WRITEBACK);
    rec.stop();
    expect(rec.events.map((e) => e.text)).toEqual(["mm_vmscan_throttled: nid=0 usec_timeout=100000 usect_delayed=100000 reason=VMSCAN_THROTTLE_WRITEBACK"]);
  });

  it("under MGLRU, 6.1 fires none of the classic list events (lru_gen's scan_folios/evict_folios have no tracepoint before 6.7)", () => {
    const m = smallMachine({ swapPages: 4096 });
    m.vmscan.switchPolicy(new MultiGenLru(), () => m.lru.lruAddDrainAll());
    for (let i = 0; i < 3000; i++) m.addAnonPage();
    m.lru.lruAddDrainAll();
    const rec = record(m);
    const n = m.vmscan.tryToFreePages(GFP_HIGHUSER_MOVABLE, 0, 0, 3);
    rec.stop();
    expect(n).toBeGreaterThan(0);
    const names = new Set(rec.events.map((e) => e.name));
    expect(names.has("mm_vmscan_lru_isolate") || names.has("mm_vmscan_lru_shrink_inactive") || names.has("mm_vmscan_lru_shrink_active")).toBe(false);
    expect([...names].sort()).toEqual(["mm_vmscan_direct_reclaim_begin", "mm_vmscan_direct_reclaim_end", "mm_vmscan_write_folio"]);
  });

  it("tracing changes nothing the machine does", () => {
    const run = (traced: boolean) => {
      const m = smallMachine({ swapPages: 4096 });
      for (let i = 0; i < 2000; i++) m.addAnonPage();
      m.addFilePages(0, 2000);
      m.lru.lruAddDrainAll();
      const rec = traced ? record(m) : null;
      for (let i = 0; i < 5; i++) m.vmscan.tryToFreePages(GFP_HIGHUSER_MOVABLE, 0, 0, 3);
      rec?.stop();
      return [Array.from(m.vmstat.vmEvents), Array.from(m.vmstat.nodeVmStat), m.clock.now()];
    };
    expect(run(true)).toEqual(run(false));
  });
});
