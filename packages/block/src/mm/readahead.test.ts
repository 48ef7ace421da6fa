import { CostModel, EEXIST, ENOMEM } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { BlockDevice, STAT_READ } from "../blk-dev.ts";
import {
  FileRaState, POSIX_FADV_NORMAL, POSIX_FADV_RANDOM, POSIX_FADV_SEQUENTIAL, doAsyncMmapReadahead, doSyncMmapReadahead, fadviseRa, getInitRaSize,
  getNextRaSize, pageCacheNextMiss, pageCachePrevMiss, pageCacheSyncRa,
} from "./readahead.ts";
import { FakeMapping, filemapRead } from "./readahead.test-helpers.ts";

const MiB = 1 << 20;

describe("window sizes (get_init_ra_size, get_next_ra_size) with ra_pages 32", () => {
  it("initial: 1 page → 4 (1 ≤ 32/32: ×4), 2 → 4 (roundup 2 > 1, ≤ 8: ×2), 3 → 8, 5 → 16, 8 → 16, 9 → 32 (16 > 8: max), 64 → 32", () => {
    expect([1, 2, 3, 4, 5, 8, 9, 64].map((n) => getInitRaSize(n, 32))).toEqual([4, 4, 8, 8, 16, 16, 32, 32]);
  });

  it("next: 1 → 4 (1 < 32/16 = 2: ×4), 2 → 4 (2 ≤ 16: ×2), 4 → 8, 16 → 32, 17 → 32 (> 16: max), 32 → 32", () => {
    expect([1, 2, 4, 8, 16, 17, 32].map((n) => getNextRaSize(n, 32))).toEqual([4, 4, 8, 16, 32, 32, 32]);
  });
});

describe("page_cache_next_miss / page_cache_prev_miss as 6.1 has them", () => {
  it("return the gap, or the last index scanned when there is none (not one past it)", () => {
    const m = new FakeMapping(MiB);
    for (let i = 10; i < 20; i++) m.cached.add(i);
    expect(pageCacheNextMiss(m, 10, 32)).toBe(20);
    expect(pageCacheNextMiss(m, 10, 4)).toBe(13); // 10..13 all cached: the last scanned
    expect(pageCachePrevMiss(m, 19, 32)).toBe(9);
    expect(pageCachePrevMiss(m, 19, 4)).toBe(16);
    m.cached.add(0);
    expect(pageCachePrevMiss(m, 0, 4)).toBe(-1); // below 0: ULONG_MAX
  });
});

describe("ondemand_readahead on sequential reads (filemap_read's calls)", () => {
  it("4 KiB reads from 0: windows of 4, 8, 16, 32, 32 … each marked at its first page after the first (mark at 1)", () => {
    const m = new FakeMapping(64 * MiB);
    const ra = new FileRaState();
    filemapRead(m, ra, 0, 4096);
    // initial: size 4, async 4 − 1 = 3: the marker at 0 + 4 − 3 = 1
    expect(m.reads).toEqual([[0, 4]]);
    expect(m.marks).toEqual([1]);
    expect([ra.start, ra.size, ra.asyncSize, ra.prevPos]).toEqual([0, 4, 3, 4096]);
    filemapRead(m, ra, 4096, 4096); // page 1: marker hit, expected = 0 + 4 − 3 = 1 → [4, 12) async 8
    expect([ra.start, ra.size, ra.asyncSize]).toEqual([4, 8, 8]);
    for (let p = 2; p < 256; p++) filemapRead(m, ra, p * 4096, 4096);
    expect(m.reads).toEqual([
      [0, 4], [4, 8], [12, 16], [28, 32], [60, 32], [92, 32], [124, 32], [156, 32], [188, 32], [220, 32], [252, 32], [284, 32],
    ]);
    expect(m.marks).toEqual([1, 4, 12, 28, 60, 92, 124, 156, 188, 220, 252, 284]);
    expect(m.marked.has(284)).toBe(true); // not yet reached
  });

  it("the real disk agrees: dd of the raw vda (bs=4k) gives the counts 6.1.0-57 printed in /sys/block/vda/stat", () => {
    // QEMU virt, virtio-blk 64 MiB (README): 1 read of 8 sectors at open (the partition scan), then
    //   dd bs=4096 count=1            → reads 2,  sectors 40   (+1 request of 4 pages)
    //   dd bs=4096 count=256          → reads 14, sectors 2568 (+12 requests, 316 pages)
    //   dd bs=1M count=1 skip=16      → reads 15, sectors 4616 (+1 request of 256 pages: oversize, io_pages 320)
    //   dd bs=4096 count=1 skip=10240 → reads 16, sectors 4624 (+1: a random read, no window)
    // Each dd opens /dev/vda afresh (a new file_ra_state) and its close drops the device's page cache (kill_bdev).
    const d = new BlockDevice({ capacitySectors: 131072 }, new CostModel());
    const m = new FakeMapping(64 * MiB, d.ioPages, d);
    d.submitBio(0, 0, 8, 0); // the partition scan's read of block 0
    const dd = (bs: number, count: number, skip: number) => {
      const ra = new FileRaState(d.raPages);
      for (let i = 0; i < count; i++) filemapRead(m, ra, (skip + i) * bs, bs);
      m.dropAll();
      m.now += 1e9;
      d.advance(m.now);
      return [d.ios[STAT_READ], d.merges[STAT_READ], d.sectors[STAT_READ]];
    };
    expect(dd(4096, 1, 0)).toEqual([2, 0, 40]);
    expect(dd(4096, 256, 0)).toEqual([14, 0, 2568]);
    expect(dd(MiB, 1, 16)).toEqual([15, 0, 4616]);
    expect(dd(4096, 1, 10240)).toEqual([16, 0, 4624]);
    expect(d.diskstatsLine(m.now).startsWith(" 254       0 vda 16 0 4624 ")).toBe(true);
    expectValid(d);
  });

  it("unaligned reads count as sequential (index − prev_index 0): 100-byte reads stay in one window", () => {
    const m = new FakeMapping(MiB);
    const ra = new FileRaState();
    for (let p = 0; p < 4096 * 3; p += 100) filemapRead(m, ra, p, 100);
    expect(m.reads).toEqual([[0, 4], [4, 8]]); // the marker at 1 was hit once
  });

  it("a 512 KiB read at page 100: max_pages becomes min(128, io_pages 320) = 128, not oversize, no history: a plain read of 128 pages", () => {
    const m = new FakeMapping(64 * MiB);
    const ra = new FileRaState();
    filemapRead(m, ra, 100 * 4096, 512 * 1024);
    expect(m.reads).toEqual([[100, 128]]);
    expect(m.marks).toEqual([]);
    expect([ra.start, ra.size, ra.asyncSize]).toEqual([0, 0, 0]);
  });

  it("a 2 MiB read is oversize (512 > min(512, 320)): initial window 320, async 320; readit merges: 320 + 320 > 320 → size 320, async 160", () => {
    const m = new FakeMapping(64 * MiB);
    const ra = new FileRaState();
    filemapRead(m, ra, 100 * 4096, 2 * MiB);
    expect(m.reads[0]).toEqual([100, 320]);
    expect(m.marks[0]).toBe(260);
    // The copy loop reaches the marker at 260 (async, req 612 − 260 = 352 → max_pages 320): expected
    // 100 + 320 − 160 = 260 → [420, 740), async 320, marked at 420. At 420 (req 612 − 420 = 192 →
    // max_pages 192): expected 420 → start 740, size max(320, get_next(320, 192) = 192) = 320 —
    // 6.1.166's stable fix keeps the window from shrinking (6.1.0 would read 192).
    expect(m.reads.slice(1)).toEqual([[420, 320], [740, 320]]);
    expect(m.marks).toEqual([260, 420, 740]);
  });

  it("EOF clips the window, and the marker with it when the lookahead falls outside (a 10-page file)", () => {
    const m = new FakeMapping(10 * 4096 - 5);
    const ra = new FileRaState();
    for (let p = 0; p < 10; p++) filemapRead(m, ra, p * 4096, 4096);
    // [0, 4) mark 1; page 1 → [4, 12) clipped to [4, 10): 6 pages, lookahead 8 > 6: no marker
    expect(m.reads).toEqual([[0, 4], [4, 6]]);
    expect(m.marks).toEqual([1]);
    expect(filemapRead(m, ra, 10 * 4096, 4096)).toBe(0);
  });

  it("pages already cached split the read into runs; the marker goes only on a page added now", () => {
    const m = new FakeMapping(MiB);
    m.cached.add(6);
    m.cached.add(4);
    const ra = new FileRaState();
    filemapRead(m, ra, 0, 4096);
    filemapRead(m, ra, 4096, 4096); // → window [4, 12) async 8: its marker would be page 4, which is cached
    expect(m.reads).toEqual([[0, 4], [5, 1], [7, 5]]);
    expect(m.marks).toEqual([1]);
  });
});

describe("ondemand_readahead off the sequential path", () => {
  it("a random read is read as is and leaves the window alone", () => {
    const m = new FakeMapping(64 * MiB);
    const ra = new FileRaState();
    filemapRead(m, ra, 10240 * 4096, 4096);
    expect(m.reads).toEqual([[10240, 1]]);
    expect([ra.start, ra.size, ra.asyncSize]).toEqual([0, 0, 0]);
  });

  it("context readahead: 64 cached pages before the miss count as 31 (prev_miss returns the last page scanned), so window 32, async 1", () => {
    const m = new FakeMapping(MiB);
    for (let i = 100; i < 164; i++) m.cached.add(i);
    const ra = new FileRaState();
    filemapRead(m, ra, 164 * 4096, 4096);
    // count_history_pages(164, 32) = 164 − 1 − prev_miss(163, 32) = 163 − 132 = 31 > 1; 31 < 164 → size min(31 + 1, 32) = 32, async 1
    expect([ra.start, ra.size, ra.asyncSize]).toEqual([164, 32, 1]);
    expect(m.reads).toEqual([[164, 32]]);
    expect(m.marks).toEqual([195]);
  });

  it("a marker hit with a stale window (another file struct's marks): the window is sized from the cached run after it", () => {
    const m = new FakeMapping(MiB);
    const a = new FileRaState();
    for (let p = 0; p < 13; p++) filemapRead(m, a, p * 4096, 4096); // windows up to [28, 60), marker at 28
    expect(m.marked.has(28)).toBe(true);
    const b = new FileRaState();
    filemapRead(m, b, 28 * 4096, 4096);
    // next_miss(29, 32) = 60; size = 60 − 28 + 1 = 33 → get_next_ra_size(33, 32) = 32, async 32 → [60, 92) marked at 60
    expect([b.start, b.size, b.asyncSize]).toEqual([60, 32, 32]);
    expect(m.reads.at(-1)).toEqual([60, 32]);
    expect(m.marked.has(28)).toBe(false);
  });

  it("a marker on a folio under writeback is left alone (PG_reclaim shares the bit)", () => {
    const m = new FakeMapping(MiB);
    const ra = new FileRaState();
    filemapRead(m, ra, 0, 4096);
    m.writeback.add(1);
    filemapRead(m, ra, 4096, 4096);
    expect(m.reads).toEqual([[0, 4]]);
    expect(m.marked.has(1)).toBe(true);
  });

  it("FMODE_RANDOM or ra_pages 0 forces a read of exactly what is asked (ra_pages 0: one page)", () => {
    const m = new FakeMapping(MiB);
    const ra = new FileRaState();
    ra.fmodeRandom = true;
    pageCacheSyncRa(m, ra, 5, 3);
    const ra0 = new FileRaState(0);
    pageCacheSyncRa(m, ra0, 50, 3);
    expect(m.reads).toEqual([[5, 3], [50, 1]]);
    expect(m.marks).toEqual([]);
  });

  it("a failed allocation stops the readahead; a slot taken meanwhile is skipped", () => {
    const m = new FakeMapping(MiB);
    m.failAt.set(2, -EEXIST);
    m.failAt.set(10, -ENOMEM);
    const ra = new FileRaState();
    filemapRead(m, ra, 0, 4096);
    filemapRead(m, ra, 4096, 4096);
    expect(m.reads).toEqual([[0, 2], [3, 1], [4, 6]]);
  });

  it("posix_fadvise: SEQUENTIAL doubles ra_pages, RANDOM sets FMODE_RANDOM, NORMAL restores both", () => {
    const ra = new FileRaState(32);
    fadviseRa(ra, POSIX_FADV_SEQUENTIAL, 32);
    expect([ra.raPages, ra.fmodeRandom]).toEqual([64, false]);
    fadviseRa(ra, POSIX_FADV_RANDOM, 32);
    expect(ra.fmodeRandom).toBe(true);
    fadviseRa(ra, POSIX_FADV_NORMAL, 32);
    expect([ra.raPages, ra.fmodeRandom]).toEqual([32, false]);
  });
});

describe("mmap readahead (do_sync_mmap_readahead, do_async_mmap_readahead)", () => {
  it("a fault at page 100 reads around it: [84, 116), async 8 → marker at 108; the hit on 108 moves on to [116, 148)", () => {
    const m = new FakeMapping(MiB);
    const ra = new FileRaState();
    doSyncMmapReadahead(m, ra, 100);
    expect([ra.start, ra.size, ra.asyncSize, ra.mmapMiss]).toEqual([84, 32, 8, 1]);
    expect(m.reads).toEqual([[84, 32]]);
    expect(m.marks).toEqual([108]);
    doAsyncMmapReadahead(m, ra, 108, true);
    // expected = 84 + 32 − 8 = 108 → start 116, size max(32, get_next(32)) = 32, async 32
    expect([ra.start, ra.size, ra.asyncSize, ra.mmapMiss]).toEqual([116, 32, 32, 0]);
    expect(m.reads.at(-1)).toEqual([116, 32]);
  });

  it("read-around near the start clamps at 0; MADV_RANDOM reads nothing ahead; MADV_SEQUENTIAL is a sync readahead of ra_pages", () => {
    const m = new FakeMapping(MiB);
    const ra = new FileRaState();
    doSyncMmapReadahead(m, ra, 3);
    expect(m.reads).toEqual([[0, 32]]);
    doSyncMmapReadahead(m, new FileRaState(), 200, { random: true });
    expect(m.reads.length).toBe(1);
    const seq = new FileRaState();
    doSyncMmapReadahead(m, seq, 200, { sequential: true });
    // sync_ra(200, 32): prev_pos −1, no history (199 not cached) → a plain read of 32 pages, no window
    expect(m.reads.at(-1)).toEqual([200, 32]);
  });

  it("after more than MMAP_LOTSAMISS (100) misses without hits the mapping reads no more around its faults", () => {
    const m = new FakeMapping(64 * MiB);
    const ra = new FileRaState();
    for (let i = 0; i < 100; i++) doSyncMmapReadahead(m, ra, 1000 + i * 100);
    expect(m.reads.length).toBe(100);
    doSyncMmapReadahead(m, ra, 50000);
    expect([m.reads.length, ra.mmapMiss]).toEqual([100, 101]);
    doAsyncMmapReadahead(m, ra, 1000, false); // a hit: 101 → 100
    doSyncMmapReadahead(m, ra, 60000); // 100 → 101 again: still > 100
    expect(m.reads.length).toBe(100);
  });

  it("MADV_HUGEPAGE reads two PMDs from the aligned index, leaving ra->start alone", () => {
    const m = new FakeMapping(8 * MiB);
    const ra = new FileRaState();
    doSyncMmapReadahead(m, ra, 700, { hugepage: true });
    expect(m.reads).toEqual([[512, 1024]]);
    expect(m.marks).toEqual([1024]);
    expect([ra.start, ra.size, ra.asyncSize]).toEqual([0, 1024, 512]);
  });
});
