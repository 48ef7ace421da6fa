import { EINVAL } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import {
  BdpRatelimits, DirtySysctls, INIT_BW, MAX_PAUSE, TaskDirtyState, WbBandwidth, balanceDirtyPages, balanceDirtyPagesNeeded, dirtyFreerunCeiling,
  dirtyPollInterval, domainDirtyLimits, globalDirtyLimits, globalDirtyableMemory, posRatioPolynom, ratelimitPages, wbCalcThresh, wbMaxPause,
  wbMinPause, wbOverBgThresh, wbStatError, wbUpdateDirtyRatelimit, wbUpdateWriteBandwidth, writebackSetRatelimit, type DirtyState,
  type DirtyThrottleControl, type WbCounts,
} from "./page-writeback.ts";

/** The reference capture (linux-6.1-arm64-virt-1g-2cpu): proc_vmstat's nr_free_pages, zoneinfo's DMA high watermark, no file pages. */
const reference = { nrFreePages: 242732, totalreservePages: 8448, nrInactiveFile: 0, nrActiveFile: 0 };

describe("dirty limits (global_dirtyable_memory, domain_dirty_limits)", () => {
  it("the reference board: avail 242732 − 8448 + 0 + 1 = 234285; thresh 819 × 234285 / 4096 = 46845, bg 409 × 234285 / 4096 = 23394 — its /proc/vmstat's nr_dirty_threshold and nr_dirty_background_threshold", () => {
    expect(globalDirtyableMemory(reference)).toBe(234285);
    expect(globalDirtyLimits(reference, new DirtySysctls())).toEqual({ thresh: 46845, bgThresh: 23394 });
  });

  it("the ratios are per PAGE_SIZE first: 20 × 4096 / 100 = 819 (not 819.2), so 100000 pages give 19995, not 20000", () => {
    expect(domainDirtyLimits(100000, new DirtySysctls())).toEqual({ thresh: 19995, bgThresh: 9985 });
  });

  it("free pages below the reserve count as 0; the file LRU counts in full", () => {
    expect(globalDirtyableMemory({ nrFreePages: 100, totalreservePages: 8448, nrInactiveFile: 500, nrActiveFile: 20 })).toBe(521);
  });

  it("dirty_bytes wins over the ratio (64 MiB → 16384 pages); a bg_thresh ≥ thresh becomes thresh / 2 (23394 → 8192)", () => {
    const s = new DirtySysctls();
    expect(s.setDirtyBytes(64 << 20)).toBe(0);
    expect(s.dirtyRatio).toBe(0);
    expect(globalDirtyLimits(reference, s)).toEqual({ thresh: 16384, bgThresh: 8192 });
    s.setDirtyBackgroundBytes(4097); // DIV_ROUND_UP → 2 pages
    expect(globalDirtyLimits(reference, s)).toEqual({ thresh: 16384, bgThresh: 2 });
    expect(s.dirtyBackgroundRatio).toBe(0);
  });

  it("the handlers' coupling: a changed dirty_ratio clears dirty_bytes, any dirty_background_ratio write clears dirty_background_bytes; bounds", () => {
    const s = new DirtySysctls();
    s.setDirtyBytes(1 << 20);
    s.setDirtyRatio(0); // unchanged (dirty_bytes set it to 0): dirty_bytes stays
    expect(s.dirtyBytes).toBe(1 << 20);
    s.setDirtyRatio(30);
    expect([s.dirtyRatio, s.dirtyBytes]).toEqual([30, 0]);
    s.setDirtyBackgroundBytes(1 << 20);
    s.setDirtyBackgroundRatio(0);
    expect([s.dirtyBackgroundRatio, s.dirtyBackgroundBytes]).toEqual([0, 0]);
    expect([s.setDirtyRatio(101), s.setDirtyBytes(8191), s.setDirtyBackgroundBytes(0), s.setDirtyExpireCentisecs(-1)]).toEqual([-EINVAL, -EINVAL, -EINVAL, -EINVAL]);
    expect([new DirtySysctls().expireJiffies, new DirtySysctls().writebackJiffies]).toEqual([7500, 1250]); // 30 s and 5 s at HZ 250
  });

  it("ratelimit_pages = 46845 / (2 CPUs × 32) = 731; at least 16", () => {
    expect(ratelimitPages(46845, 2)).toBe(731);
    expect(ratelimitPages(500, 2)).toBe(16);
    const bw = new WbBandwidth();
    expect(writebackSetRatelimit(bw, reference, new DirtySysctls(), 2)).toBe(731);
    expect(bw.domDirtyLimit).toBe(46845);
  });
});

describe("the control lines (pos_ratio_polynom, dirty_poll_interval, wb_stat_error)", () => {
  // thresh 46845, bg 23394: freerun (46845 + 23394) / 2 = 35119, setpoint (35119 + 46845) / 2 = 40982, limit − setpoint = 5863
  it("freerun 35119; the polynomial is 2.0 (2048) at freerun, 1.0 at the setpoint, 0 at the limit", () => {
    expect(dirtyFreerunCeiling(46845, 23394)).toBe(35119);
    expect(posRatioPolynom(40982, 35119, 46845)).toBe(2048);
    expect(posRatioPolynom(40982, 40982, 46845)).toBe(1024);
    expect(posRatioPolynom(40982, 46845, 46845)).toBe(0);
    // halfway from the setpoint to the limit (1 + (−0.5)³ = 0.875): x = trunc(−2931 × 1024 / 5863) = −511;
    // (−511 × −511) >> 10 = 255; (255 × −511) >> 10 = floor(−127.25) = −128; 1024 − 128 = 896
    expect(posRatioPolynom(40982, 43913, 46845)).toBe(896);
  });

  it("running free, the next check comes after 2^(ilog2(thresh − dirty) / 2) pages: 45845 → 2^(15 >> 1) = 128", () => {
    expect(dirtyPollInterval(1000, 46845)).toBe(128);
    expect(dirtyPollInterval(46845, 46845)).toBe(1);
  });

  it("wb_stat_error with 2 CPUs: 2 × 8 × (1 + 1) = 32; with 4: 4 × 8 × 3 = 96", () => {
    expect([wbStatError(2), wbStatError(4), wbStatError(1)]).toEqual([32, 96, 8]);
  });

  it("a wb's share: the whole thresh once it has written anything (fprop fraction 1/1), none before (0/1)", () => {
    expect([wbCalcThresh(46845, [7, 7]), wbCalcThresh(46845, [0, 0]), wbCalcThresh(100, [1, 4])]).toEqual([46845, 0, 25]);
  });
});

describe("bandwidth estimates (wb_update_write_bandwidth, wb_update_dirty_ratelimit)", () => {
  it("1000 pages written in 50 jiffies from INIT_BW: (1000 × 250 + 25600 × (1024 − 50)) >> 10 = 24594; avg stays (no spike filter yet)", () => {
    const bw = new WbBandwidth();
    wbUpdateWriteBandwidth(bw, 50, 1000);
    expect([bw.writeBandwidth, bw.avgWriteBandwidth]).toEqual([24594, INIT_BW]);
    bw.writtenStamp = 1000;
    // 1000 more: (250000 + 24594 × 974) >> 10 = 23637; avg 25600 > old 24594 ≥ 23637 → avg −= 1006 >> 3 = 125
    wbUpdateWriteBandwidth(bw, 50, 2000);
    expect([bw.writeBandwidth, bw.avgWriteBandwidth]).toEqual([23637, 25475]);
    // longer than the 1024-jiffy period: the plain rate
    bw.writtenStamp = 2000;
    wbUpdateWriteBandwidth(bw, 2000, 12000);
    expect([bw.writeBandwidth, bw.avgWriteBandwidth]).toEqual([1250, 1250]);
  });

  it("dirty_ratelimit steps toward the balanced rate: 10000 → 10291 (step (14649 − 10000) >> 1 / 8 rounded up)", () => {
    const bw = new WbBandwidth();
    bw.avgWriteBandwidth = 51200;
    bw.dirtyRatelimit = 10000;
    bw.balancedDirtyRatelimit = 20000;
    bw.domDirtyLimit = 46845;
    const dtc: DirtyThrottleControl = { avail: 0, dirty: 30000, thresh: 46845, bgThresh: 23394, wbDirty: 30000, wbThresh: 46845, wbBgThresh: 23394, posRatio: 1500 };
    // dirty rate 500 pages in 50 jiffies = 2500/s·… : (500 × 250) / 50 = 2500; task_ratelimit 10000 × 1500 >> 10 = 14648, +1
    // balanced = 14649 × 51200 / 2501 = 299 890 → capped at write_bw 51200; below the setpoint: x = min(20000, 51200, 14649)
    wbUpdateDirtyRatelimit(bw, dtc, 500, 50);
    expect([bw.dirtyRatelimit, bw.balancedDirtyRatelimit]).toEqual([10291, 51200]);
  });

  it("max and min pause: 40982 dirty pages at 25600 pages/s → 40982 / 801 + 1 = 52, cut to MAX_PAUSE 50; min pause 2, next check after 200 pages", () => {
    const bw = new WbBandwidth();
    expect(MAX_PAUSE).toBe(50);
    expect(wbMaxPause(bw, 40982)).toBe(50);
    expect(wbMaxPause(bw, 8000)).toBe(10);
    // t = max(1, 250/100) = 2 (bandwidth and ratelimit equal: no scaling); pages 25600 × 2 / 256 = 200 ≥ 32 → min pause 1 + 2/2
    expect(wbMinPause(bw, 50, 25525, 25600)).toEqual({ minPause: 2, nrDirtiedPause: 200 });
    // a slow ratelimit: 1000 × 2 / 256 = 7 < 32 → t = max_pause 50: 1000 × 50 / 256 = 195 > 32 → 32 pages, t = 250 × 32 / 1000 = 8
    expect(wbMinPause(bw, 50, 1000, 1000)).toEqual({ minPause: 5, nrDirtiedPause: 32 });
  });
});

describe("balance_dirty_pages", () => {
  // free 200000, reserve 8448, 41000 inactive file pages: avail 232553 → thresh 46499, bg 23221, freerun 34860, setpoint 40679
  const g = (dirty: number, writeback = 0): DirtyState => ({ nrFreePages: 200000, totalreservePages: 8448, nrInactiveFile: 41000, nrActiveFile: 0, nrFileDirty: dirty, nrWriteback: writeback });
  const wb = (dirty: number, writeback = 0): WbCounts => ({ reclaimable: dirty, writeback, dirtied: 0, written: 0, completions: [1, 1] });
  const fresh = () => {
    const bw = new WbBandwidth();
    bw.domDirtyLimit = 46499;
    bw.bwTimeStamp = 990; // no bandwidth update in the pass at jiffy 1000
    return bw;
  };

  it("below the freerun ceiling (34860): no throttle; background writeback starts above bg_thresh 23221; the next check in 2^(ilog2(46499 − 30000 = 16499) >> 1) = 2^7 = 128 pages", () => {
    const task = new TaskDirtyState();
    const d = balanceDirtyPages(g(30000), wb(30000), fresh(), task, new DirtySysctls(), 32, 1000, false, 2);
    expect([d.freerun, d.pause, d.startBackgroundWriteback, d.dtc.thresh, d.dtc.bgThresh]).toEqual([true, 0, true, 46499, 23221]);
    expect([task.nrDirtied, task.nrDirtiedPause, task.dirtyPausedWhen]).toEqual([0, 128, 1000]);
    expect(balanceDirtyPages(g(20000), wb(20000), fresh(), new TaskDirtyState(), new DirtySysctls(), 32, 1000, false, 2).startBackgroundWriteback).toBe(false);
  });

  it("at 40982 dirty pages: pos_ratio 1023 (global) × 204497 / 204801 (wb line, span 8 × 25600) = 1021; task_ratelimit 25600 × 1021 >> 10 = 25525 pages/s", () => {
    const task = new TaskDirtyState();
    const d = balanceDirtyPages(g(40982), wb(40982), fresh(), task, new DirtySysctls(), 1000, 1000, true, 2);
    expect([d.freerun, d.dtc.posRatio, d.taskRatelimit]).toEqual([false, 1021, 25525]);
    // 1000 pages at 25525 pages/s: period 250 × 1000 / 25525 = 9 jiffies, slept in full (≥ min pause 2, ≤ max pause 50)
    expect([d.period, d.pause, d.again, d.startBackgroundWriteback]).toEqual([9, 9, false, false]);
    expect([task.dirtyPausedWhen, task.nrDirtied, task.nrDirtiedPause]).toEqual([1009, 0, 200]);
  });

  it("a pause shorter than min_pause is not slept: 32 pages → period 0; the debt raises nr_dirtied_pause to 64", () => {
    const task = new TaskDirtyState();
    const d = balanceDirtyPages(g(40982), wb(40982), fresh(), task, new DirtySysctls(), 32, 1000, true, 2);
    expect([d.period, d.pause]).toEqual([0, 0]);
    expect(task.nrDirtiedPause).toBe(64);
  });

  it("think time since the last pause is taken off: paused until 1005, now 1008, period 9 → sleeps 6", () => {
    const task = new TaskDirtyState();
    task.dirtyPausedWhen = 1005;
    const bw = fresh();
    bw.bwTimeStamp = 1000;
    const d = balanceDirtyPages(g(40982), wb(40982), bw, task, new DirtySysctls(), 1000, 1008, true, 2);
    expect(d.pause).toBe(6);
  });

  it("at the hard limit pos_ratio is 0: sleep MAX_PAUSE and loop (again) while the wb has more than wb_stat_error dirty pages; dirty_exceeded set", () => {
    const bw = fresh();
    const d = balanceDirtyPages(g(46000, 600), wb(46000, 600), bw, new TaskDirtyState(), new DirtySysctls(), 32, 1000, true, 2);
    expect([d.dtc.posRatio, d.taskRatelimit, d.pause, d.again]).toEqual([0, 0, 50, true]);
    expect(bw.dirtyExceeded).toBe(true);
  });

  it("balance_dirty_pages_ratelimited: a task checks after nr_dirtied_pause (32) pages, or 8 when the limit is exceeded, or when its CPU has dirtied ratelimit_pages", () => {
    const task = new TaskDirtyState();
    const bdp = new BdpRatelimits(2);
    const bw = new WbBandwidth();
    task.nrDirtied = 31;
    expect(balanceDirtyPagesNeeded(task, bdp, 0, bw, 731)).toBe(false);
    task.nrDirtied = 32;
    expect(balanceDirtyPagesNeeded(task, bdp, 0, bw, 731)).toBe(true);
    task.nrDirtied = 8;
    bw.dirtyExceeded = true;
    expect(balanceDirtyPagesNeeded(task, bdp, 0, bw, 731)).toBe(true);
    bw.dirtyExceeded = false;
    task.nrDirtied = 1;
    bdp.count[1] = 731;
    expect(balanceDirtyPagesNeeded(task, bdp, 1, bw, 731)).toBe(true);
    expect(bdp.count[1]).toBe(0);
  });

  it("wb_over_bg_thresh: dirty (not writeback) pages above bg_thresh 23221", () => {
    const s = new DirtySysctls();
    expect(wbOverBgThresh(g(23222), wb(23222), s)).toBe(true);
    expect(wbOverBgThresh(g(23221, 10000), wb(23221, 10000), s)).toBe(false);
  });
});
