import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { BdiWriteback, WB_REASON_BACKGROUND, WB_REASON_PERIODIC, WB_REASON_SYNC, type WritebackIo } from "./fs-writeback.ts";
import { DirtySysctls, WbBandwidth } from "./page-writeback.ts";

/** Dirty pages per inode; writepages writes up to the chunk (except `stuck` pages: redirtied under writeback, skipped by WB_SYNC_NONE). */
class FakeIo implements WritebackIo {
  readonly dirty = new Map<number, number>();
  readonly stuck = new Map<number, number>();
  bgThresh = Infinity;
  writepages(ino: number, nr: number, syncAll: boolean): number {
    const have = this.dirty.get(ino) ?? 0;
    const stuck = syncAll ? 0 : (this.stuck.get(ino) ?? 0);
    const n = Math.min(nr, have - stuck);
    this.dirty.set(ino, have - n);
    return n;
  }
  hasDirtyPages(ino: number): boolean {
    return (this.dirty.get(ino) ?? 0) > 0;
  }
  total(): number {
    let t = 0;
    for (const v of this.dirty.values()) t += v;
    return t;
  }
  overBgThresh(): boolean {
    return this.total() > this.bgThresh;
  }
  nrDirtyPages(): number {
    return this.total();
  }
}

function setup() {
  const s = new DirtySysctls();
  const bw = new WbBandwidth();
  bw.domDirtyLimit = 46845;
  const wb = new BdiWriteback(s, bw, 0);
  const io = new FakeIo();
  const dirty = (ino: number, pages: number, now: number) => {
    io.dirty.set(ino, (io.dirty.get(ino) ?? 0) + pages);
    wb.markInodeDirty(ino, now);
  };
  /** Runs the flusher at each armed time up to `until`; returns [jiffies, ino, pages] written. */
  const runUntil = (until: number) => {
    const out: [number, number, number][] = [];
    while (wb.workAt >= 0 && wb.workAt <= until) {
      const t = wb.workAt;
      for (const w of wb.workfn(t, io).written) out.push([t, w.ino, w.pages]);
      expectValid(wb);
    }
    return out;
  };
  return { s, bw, wb, io, dirty, runUntil };
}

describe("the flusher's timing (wb_workfn, wb_check_old_data_flush)", () => {
  it("an inode dirtied at jiffy 100 arms the flusher 1250 jiffies (5 s) on; it is written at 7600 = 100 + 7500 (30 s), on the run that finds it expired", () => {
    const { wb, dirty, runUntil } = setup();
    dirty(1, 10, 100);
    expect(wb.workAt).toBe(1350);
    // runs at 1350, 2600, 3850, 5100, 6350 find nothing expired (dirtied_before = now − 7500 < 100)
    expect(runUntil(7599)).toEqual([]);
    expect(wb.lastOldFlush).toBe(6350);
    expect(runUntil(7600)).toEqual([[7600, 1, 10]]);
    expect([wb.hasDirtyIo(), wb.workAt]).toEqual([false, -1]);
  });

  it("a second inode dirtied at 2000 expires at 9500 and waits for the next run on the 5 s grid: 10100 (40.4 s)", () => {
    const { dirty, runUntil } = setup();
    dirty(1, 10, 100);
    dirty(2, 5, 2000);
    expect(runUntil(20000)).toEqual([
      [7600, 1, 10],
      [10100, 2, 5],
    ]);
  });

  it("pages dirtied later in a dirty inode go out with its first page (dirtied_when is the inode's)", () => {
    const { dirty, runUntil } = setup();
    dirty(1, 10, 100);
    dirty(1, 90, 7000);
    expect(runUntil(20000)).toEqual([[7600, 1, 100]]);
  });

  it("an inode written only in part (pages stuck under writeback) goes back to b_dirty with dirtied_when = now: 30 s more", () => {
    const { wb, io, dirty, runUntil } = setup();
    dirty(1, 10, 100);
    dirty(2, 10, 200);
    io.stuck.set(1, 3);
    expect(runUntil(7600)).toEqual([[7600, 1, 7]]);
    // redirty_tail: inode 1 (100) is older than the newest on b_dirty (inode 2, 200) → dirtied_when = 7600
    expect([wb.bDirty, wb.dirtiedWhen.get(1)]).toEqual([[2, 1], 7600]);
    io.stuck.delete(1);
    expect(runUntil(20000)).toEqual([
      [7600 + 1250, 2, 10],
      [7600 + 7500, 1, 3],
    ]);
  });

  it("the kupdate chunk is round_down(min(avg_bw / 2, dirty_limit / 8, nr_pages) + 1024, 1024): 1024 pages for 100 dirty; 6144 for 46845 / 8 = 5855", () => {
    const { wb } = setup();
    expect(wb.chunkSize({ nrPages: 100, syncAll: false, forKupdate: true, forBackground: false, forSync: false, reason: WB_REASON_PERIODIC })).toBe(1024);
    expect(wb.chunkSize({ nrPages: 1e12, syncAll: false, forKupdate: false, forBackground: true, forSync: false, reason: WB_REASON_BACKGROUND })).toBe(6144);
  });

  it("dirty_writeback_centisecs 0 turns the periodic flush off: the first dirty inode still wakes the flusher (a 0-jiffy delay), which writes nothing by age and does not re-arm", () => {
    const { s, wb, io, dirty } = setup();
    s.setDirtyWritebackCentisecs(0);
    dirty(1, 10, 100);
    expect(wb.workAt).toBe(100);
    expect(wb.workfn(100, io).pages).toBe(0);
    expect(wb.workAt).toBe(-1);
    expect(wb.workfn(100 + 7500, io).pages).toBe(0);
  });
});

describe("background and start-all writeback", () => {
  it("over the background threshold the flusher writes chunk after chunk, continuing an inode from b_more_io, until it is under", () => {
    const { wb, io, dirty } = setup();
    io.bgThresh = 5000;
    dirty(1, 20000, 100);
    dirty(2, 3000, 110);
    wb.startBackgroundWriteback(120); // balance_dirty_pages found nr_reclaimable > bg_thresh
    const r = wb.workfn(120, io);
    // The first pass goes through all of b_io: a 6144-page chunk of inode 1 (chunk used up → b_more_io), all of inode 2;
    // the threshold is checked between passes: 13856 > 5000 → inode 1 again from b_more_io → 7712 > 5000 → again → 1568: stop
    expect(r.written).toEqual([
      { ino: 1, pages: 6144, reason: WB_REASON_BACKGROUND },
      { ino: 2, pages: 3000, reason: WB_REASON_BACKGROUND },
      { ino: 1, pages: 6144, reason: WB_REASON_BACKGROUND },
      { ino: 1, pages: 6144, reason: WB_REASON_BACKGROUND },
    ]);
    expect([io.total(), wb.bIo, wb.bMoreIo, wb.bDirty]).toEqual([1568, [], [1], []]);
    expect(wb.workAt).toBe(120 + 1250);
    expectValid(wb);
  });

  it("start_all (sync, reclaim) writes every dirty inode whatever its age", () => {
    const { wb, io, dirty } = setup();
    dirty(1, 5, 100);
    dirty(2, 7, 150);
    wb.startWriteback(200, WB_REASON_SYNC);
    expect(wb.workAt).toBe(200);
    const r = wb.workfn(200, io);
    expect(r.written.map((w) => [w.ino, w.pages, w.reason])).toEqual([
      [1, 5, WB_REASON_SYNC],
      [2, 7, WB_REASON_SYNC],
    ]);
    expect([wb.hasDirtyIo(), wb.workAt]).toEqual([false, -1]);
  });

  it("an inode cleaned by fsync leaves the lists", () => {
    const { wb, dirty } = setup();
    dirty(1, 5, 100);
    dirty(2, 5, 100);
    wb.inodeClean(1);
    expect([wb.bDirty, wb.isDirty(1), wb.isDirty(2)]).toEqual([[2], false, true]);
    expectValid(wb);
  });
});
