// mmsim: do_shrink_slab's arithmetic, shrink_slab and drop_slab (mm/vmscan.c 6.1) over a counting fake shrinker
import {
  DEFAULT_SEEKS, GFP_KERNEL, NR_SLAB_RECLAIMABLE_B, NR_VM_NODE_STAT_ITEMS, SHRINK_EMPTY, SHRINK_STOP, SLABS_SCANNED, type ShrinkControl, type Shrinker,
  TP_MM_SHRINK_SLAB_END, TP_MM_SHRINK_SLAB_START, TraceBus, VmStat, __GFP_FS, formatTraceEvent,
} from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { ShrinkerList } from "./shrinker.ts";

/** A cache of `objects` freeable objects; each scan frees what it is asked (or stops without __GFP_FS). */
class FakeShrinker implements Shrinker {
  readonly name = "fake";
  readonly flags = 0;
  readonly calls: number[] = [];
  constructor(
    public objects: number,
    readonly seeks = DEFAULT_SEEKS,
    readonly batch = 0,
    private readonly onFree?: (n: number) => void,
  ) {}
  countObjects(): number {
    return this.objects === 0 ? SHRINK_EMPTY : this.objects;
  }
  scanObjects(sc: ShrinkControl): number {
    if ((sc.gfpMask & __GFP_FS) === 0) return SHRINK_STOP;
    this.calls.push(sc.nrToScan);
    const n = Math.min(sc.nrToScan, this.objects);
    this.objects -= n;
    this.onFree?.(n);
    return n;
  }
}

describe("ShrinkerList (do_shrink_slab, shrink_slab, drop_slab)", () => {
  it("scans (freeable >> priority) × 4 / seeks in batches, and defers what it could not", () => {
    const vs = new VmStat(1);
    const list = new ShrinkerList(vs, 1);
    const s = new FakeShrinker(100_000);
    list.registerShrinker(s);
    // priority 12: delta = (100000 >> 12) × 4 / 2 = 48 < SHRINK_BATCH (128) and < freeable: nothing, 48 deferred
    expect(list.shrinkSlab(GFP_KERNEL, 0, 12).freed).toBe(0);
    expect(list.nrDeferred(s, 0)).toBe(48);
    expect(vs.vmEvents[SLABS_SCANNED]).toBe(0);
    // priority 6: delta = (100000 >> 6) × 2 = 3124, + (48 >> 6) = 0 deferred: 24 batches of 128 and 52 left over
    const freed = list.shrinkSlab(GFP_KERNEL, 0, 6).freed;
    expect(freed).toBe(24 * 128);
    expect(s.calls.every((n) => n === 128)).toBe(true);
    expect(vs.vmEvents[SLABS_SCANNED]).toBe(24 * 128);
    expect(list.nrDeferred(s, 0)).toBe(48 + 3124 - 24 * 128); // nr + delta − scanned
  });

  it("fires mm_shrink_slab_start before the scan and mm_shrink_slab_end after it, with do_shrink_slab's figures in 6.1's format", () => {
    const vs = new VmStat(1);
    const trace = new TraceBus();
    const list = new ShrinkerList(vs, 1, trace);
    const s = new FakeShrinker(100_000);
    const sb = Object.assign(new FakeShrinker(10), { name: "sb-ext2" });
    list.registerShrinker(s);
    list.registerShrinker(sb);
    const lines: string[] = [];
    trace.attach((tp, _ns, a0, a1, a2, a3, a4, a5, all) => void lines.push(formatTraceEvent(tp, all ?? [a0, a1, a2, a3, a4, a5], trace)), [TP_MM_SHRINK_SLAB_START, TP_MM_SHRINK_SLAB_END]);
    list.shrinkSlab(GFP_KERNEL, 0, 12); // delta 48 for the big cache: nothing scanned, 48 deferred; the small one: delta 0
    list.shrinkSlab(GFP_KERNEL, 0, 6);
    const [start1, end1, , , start2, end2] = lines;
    // "%pS %p: nid: %d objects to shrink %ld gfp_flags %s cache items %ld delta %lld total_scan %ld priority %d"
    expect(start1).toMatch(/^fake_scan [0-9a-f]{16}: nid: 0 objects to shrink 0 gfp_flags GFP_KERNEL cache items 100000 delta 48 total_scan 48 priority 12$/);
    // "%pS %p: nid: %d unused scan count %ld new scan count %ld total_scan %ld last shrinker return val %d"
    expect(end1).toMatch(/^fake_scan [0-9a-f]{16}: nid: 0 unused scan count 0 new scan count 48 total_scan 48 last shrinker return val 0$/);
    expect(lines[2]).toMatch(/^super_cache_scan\+0x0\/0x1b0 [0-9a-f]{16}: nid: 0 objects to shrink 0 gfp_flags GFP_KERNEL cache items 10 delta 0 total_scan 0 priority 12$/);
    expect(start2).toMatch(/ objects to shrink 48 .* delta 3124 total_scan 3124 priority 6$/);
    expect(end2).toMatch(/ unused scan count 48 new scan count 100 total_scan 52 last shrinker return val 3072$/);
  });

  it("scans a cache smaller than one batch when asked for all of it; SHRINK_EMPTY and SHRINK_STOP free nothing", () => {
    const vs = new VmStat(1);
    const list = new ShrinkerList(vs, 1);
    const small = new FakeShrinker(50);
    const empty = new FakeShrinker(0);
    list.registerShrinker(small);
    list.registerShrinker(empty);
    expect(list.shrinkSlab(GFP_KERNEL & ~__GFP_FS, 0, 0).freed).toBe(0); // SHRINK_STOP: no __GFP_FS
    expect(small.objects).toBe(50);
    // priority 0: delta = 50 × 2 = 100 ≥ freeable: one call of min(128, 100)
    expect(list.shrinkSlab(GFP_KERNEL, 0, 0).freed).toBe(50);
    expect(small.calls).toEqual([100]);
    expect(empty.calls).toEqual([]);
    list.unregisterShrinker(small);
    expect(list.shrinkers).toEqual([empty]);
  });

  it("drop_slab repeats while a pass frees more than 1 << shift, and counts the slab pages given back as reclaimed", () => {
    const vs = new VmStat(1);
    const list = new ShrinkerList(vs, 1);
    // a cache that frees 1 page per 10 objects (the slab allocator's NR_SLAB_RECLAIMABLE_B falling)
    vs.nodeVmStat[0 * NR_VM_NODE_STAT_ITEMS + NR_SLAB_RECLAIMABLE_B] = 1000;
    const s = new FakeShrinker(5000, DEFAULT_SEEKS, 1024, (n) => (vs.nodeVmStat[NR_SLAB_RECLAIMABLE_B]! -= Math.floor(n / 10)));
    list.registerShrinker(s);
    expect(list.dropSlab()).toBe(5000);
    expect(s.objects).toBe(0);
    // one pass: total_scan = min(5000 × 2, 2 × 5000) = 10000, in batches of 1024 while ≥ 1024 (the
    // count was taken once, so the later batches find nothing left); the next pass finds it empty
    expect(s.calls).toEqual(Array(9).fill(1024));
    expect(vs.vmEvents[SLABS_SCANNED]).toBe(9 * 1024);
    s.objects = 3000;
    expect(list.shrinkSlab(GFP_KERNEL, 0, 0).reclaimedPages).toBe(102 + 102 + 95); // batches of 1024, 1024, 952 objects, a page per whole 10
  });
});
