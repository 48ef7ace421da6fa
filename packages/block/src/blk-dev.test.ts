import { CostModel, EIO } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { BLK_MAX_REQUEST_COUNT, BlockDevice, REQ_OP_FLUSH, REQ_OP_READ, REQ_OP_WRITE, STAT_FLUSH, STAT_READ, STAT_WRITE } from "./blk-dev.ts";

const costs = new CostModel();
/** A 64 MiB disk: 131072 sectors, as in the real-kernel experiment (README). */
const disk = () => new BlockDevice({ capacitySectors: 131072 }, costs);

describe("BlockDevice: the cost model", () => {
  it("a lone 4 KiB read completes after 7575 + 8 × 1227 + 77847 = 95238 ns (10.5 k IOPS at depth 1)", () => {
    const d = disk();
    const seq = d.submitBio(REQ_OP_READ, 0, 8, 1000);
    expect(d.requestCompletion(seq)).toBe(1000 + 7575 + 8 * 1227 + 77847);
    expect(d.submitterResumeNs).toBe(1000);
    expectValid(d);
  });

  it("a lone 512 KiB read takes 7575 + 1024 × 1227 + 77847 = 1341870 ns (745 IOPS); a 4 KiB write 7575 + 8 × 474 + 21206 = 32573 ns", () => {
    const d = disk();
    expect(d.requestCompletion(d.submitBio(REQ_OP_READ, 0, 1024, 0))).toBe(1341870);
    const d2 = disk();
    expect(d2.requestCompletion(d2.submitBio(REQ_OP_WRITE, 0, 8, 0))).toBe(32573);
  });

  it("a deep queue of 4 KiB reads completes one per 7575 + 9816 = 17391 ns (57.5 k IOPS): the access time overlaps", () => {
    const d = disk();
    const seqs: number[] = [];
    for (let i = 0; i < 64; i++) seqs.push(d.submitBio(REQ_OP_READ, i * 1000, 8, 0));
    for (let i = 0; i < 64; i++) expect(d.requestCompletion(seqs[i]!)).toBe((i + 1) * 17391 + 77847);
    expect(d.inflightAt(0)).toEqual([64, 0]);
    expect(d.inflightAt(17391 + 77847)).toEqual([63, 0]);
    expectValid(d);
  });

  it("a request submitted while the queue is busy starts when it frees: 2nd read done at 2 × 17391 + 77847", () => {
    const d = disk();
    d.submitBio(REQ_OP_READ, 0, 8, 0);
    const s2 = d.submitBio(REQ_OP_READ, 800, 8, 5000); // queue busy until 17391
    expect(d.requestCompletion(s2)).toBe(17391 + 17391 + 77847);
  });

  it("the 257th request waits for a tag: its submitter resumes when the first of 256 in flight completes", () => {
    const d = disk();
    for (let i = 0; i < 256; i++) d.submitBio(REQ_OP_READ, i * 8, 8, 0);
    expect(d.submitterResumeNs).toBe(0);
    const s = d.submitBio(REQ_OP_READ, 256 * 8, 8, 0);
    expect(d.submitterResumeNs).toBe(17391 + 77847);
    // the queue itself is still busy until 256 × 17391
    expect(d.requestCompletion(s)).toBe(257 * 17391 + 77847);
    expect(d.ios[STAT_READ]).toBe(1);
    expectValid(d);
  });

  it("a flush holds the queue for 7575 + 1643000 ns and counts as one write of 0 sectors and one flush (blk-flush.c)", () => {
    const d = disk();
    const w = d.submitBio(REQ_OP_WRITE, 0, 8, 0);
    const f = d.submitBio(REQ_OP_FLUSH, 0, 0, 0);
    expect(d.requestCompletion(w)).toBe(32573);
    // the write held the queue until 7575 + 3792 = 11367
    expect(d.requestCompletion(f)).toBe(11367 + 7575 + 1643000);
    d.advance(1e9);
    expect([d.ios[STAT_WRITE], d.sectors[STAT_WRITE], d.ios[STAT_FLUSH]]).toEqual([2, 8, 1]);
    expect(d.nsecs[STAT_FLUSH]).toBe(11367 + 7575 + 1643000);
    expectValid(d);
  });

  it("a bio beyond the end of the disk fails with -EIO (bio_check_eod)", () => {
    const d = disk();
    expect(d.submitBio(REQ_OP_READ, 131072 - 8, 16, 0)).toBe(-EIO);
    expect(d.submitBio(REQ_OP_READ, 131072 - 8, 8, 0)).toBe(0);
  });

  it("a bio longer than max_sectors (2560) is split: 3000 sectors are two requests", () => {
    const d = disk();
    d.submitBio(REQ_OP_READ, 0, 3000, 0);
    d.advance(1e10);
    expect([d.ios[STAT_READ], d.sectors[STAT_READ]]).toEqual([2, 3000]);
  });
});

describe("BlockDevice: the plug (blk_attempt_plug_merge, blk_add_rq_to_plug)", () => {
  it("16 contiguous 4 KiB writes under a plug are 1 request with 15 merges, 128 sectors — the real disk's `1 15 128` after a 64 KiB dd", () => {
    const d = disk();
    d.startPlug();
    for (let i = 0; i < 16; i++) d.submitBio(REQ_OP_WRITE, 65536 + i * 8, 8, 0);
    expect(Number.isNaN(d.requestCompletion(0))).toBe(true);
    d.finishPlug(0);
    expect(d.requestCompletion(0)).toBe(7575 + 128 * 474 + 21206);
    d.advance(1e9);
    expect([d.ios[STAT_WRITE], d.merges[STAT_WRITE], d.sectors[STAT_WRITE]]).toEqual([1, 15, 128]);
    expectValid(d);
  });

  it("a front merge: a bio ending where the plugged request starts joins it", () => {
    const d = disk();
    d.startPlug();
    d.submitBio(REQ_OP_READ, 800, 8, 0);
    expect(d.submitBio(REQ_OP_READ, 792, 8, 0)).toBe(0);
    d.finishPlug(0);
    d.advance(1e9);
    expect([d.ios[STAT_READ], d.merges[STAT_READ], d.sectors[STAT_READ]]).toEqual([1, 1, 16]);
  });

  it("only the plug's last request is tried, reads do not merge with writes, and a merge stops at max_sectors", () => {
    const d = disk();
    d.startPlug();
    d.submitBio(REQ_OP_READ, 0, 8, 0); // rq 0
    d.submitBio(REQ_OP_READ, 100, 8, 0); // rq 1 (not contiguous)
    expect(d.submitBio(REQ_OP_READ, 8, 8, 0)).toBe(2); // contiguous with rq 0, but rq 1 is last
    expect(d.submitBio(REQ_OP_WRITE, 16, 8, 0)).toBe(3); // contiguous with rq 2, other op
    d.submitBio(REQ_OP_WRITE, 1000, 2552, 0); // rq 4
    expect(d.submitBio(REQ_OP_WRITE, 3552, 8, 0)).toBe(4); // 2552 + 8 = 2560: merges
    expect(d.submitBio(REQ_OP_WRITE, 3560, 8, 0)).toBe(5); // would be 2568 > 2560
    d.finishPlug(0);
    expectValid(d);
  });

  it("adding a request to a plug of BLK_MAX_REQUEST_COUNT (32) requests dispatches them first", () => {
    const d = disk();
    d.startPlug();
    for (let i = 0; i < BLK_MAX_REQUEST_COUNT; i++) d.submitBio(REQ_OP_READ, i * 100, 8, 0);
    expect(Number.isNaN(d.requestCompletion(31))).toBe(true);
    d.submitBio(REQ_OP_READ, 99999, 8, 0);
    expect(d.requestCompletion(31)).toBe(32 * 17391 + 77847);
    expect(Number.isNaN(d.requestCompletion(32))).toBe(true);
    expectValid(d);
    d.finishPlug(0);
  });

  it("a plugged request of BLK_PLUG_FLUSH_SIZE (128 KiB = 256 sectors) is dispatched before the next request joins the plug", () => {
    const d = disk();
    d.startPlug();
    d.submitBio(REQ_OP_READ, 0, 256, 0);
    d.submitBio(REQ_OP_READ, 5000, 8, 0);
    expect(d.requestCompletion(0)).toBe(7575 + 256 * 1227 + 77847);
    expect(Number.isNaN(d.requestCompletion(1))).toBe(true);
    d.finishPlug(0);
  });

  it("flushPlug (a plugging task that sleeps): a metadata read waited for inside readahead goes out alone, so the data bio after it does not merge", () => {
    const d = disk();
    d.startPlug();
    const meta = d.submitBio(REQ_OP_READ, 2224, 8, 0);
    d.flushPlug(0);
    expect(d.requestCompletion(meta)).toBe(95238);
    expect(d.submitBio(REQ_OP_READ, 2232, 128, 95238)).toBe(1); // contiguous, but a new request
    d.finishPlug(95238);
    d.advance(1e9);
    expect([d.ios[STAT_READ], d.merges[STAT_READ]]).toEqual([2, 0]);
  });

  it("a flush skips the plug: it is dispatched while plugged writes wait", () => {
    const d = disk();
    d.startPlug();
    d.submitBio(REQ_OP_WRITE, 0, 8, 0);
    const f = d.submitBio(REQ_OP_FLUSH, 0, 0, 0);
    expect(d.requestCompletion(f)).toBe(7575 + 1643000);
    expect(Number.isNaN(d.requestCompletion(0))).toBe(true);
    d.finishPlug(0);
    expectValid(d);
  });
});

describe("BlockDevice: /proc/diskstats and /sys/block/vda/stat (diskstats_show, part_stat_show)", () => {
  it("a fresh disk prints the kernel's formats", () => {
    const d = disk();
    expect(d.diskstatsLine(0)).toBe(" 254       0 vda 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
    expect(d.statFile(0)).toBe(`${Array(17).fill("       0").join(" ")}\n`);
    expect(d.inflightFile(0)).toBe("       0        0\n");
    expect([d.sysfsFile("dev"), d.sysfsFile("size"), d.sysfsFile("queue/read_ahead_kb"), d.sysfsFile("queue/max_sectors_kb")]).toEqual([
      "254:0\n", "131072\n", "128\n", "1280\n",
    ]);
    expect([d.raPages, d.ioPages]).toEqual([32, 320]);
  });

  it("counts are applied at completion; in flight, ticks and times show as the kernel computes them", () => {
    const d = disk();
    // A 4 KiB read at 1 ms: created in jiffy 0, completes at 1 ms + 95.238 µs, still jiffy 0.
    d.submitBio(REQ_OP_READ, 0, 8, 1_000_000);
    expect(d.diskstatsLine(1_000_000)).toBe(" 254       0 vda 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0\n");
    expect(d.diskstatsLine(2_000_000)).toBe(" 254       0 vda 1 0 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
    // 16 contiguous 4 KiB writes under a plug at 3.9 ms (jiffy 0), done at 3.9 ms + 7575 + 128 × 474 + 21206 ns
    // = 3.989453 ms; then a 2 MiB read at 10 ms (jiffy 2): 2 requests of 2560 + 1536 sectors, the first done at
    // 13.226542 ms, the second at 10 ms + 2 × 7575 + 4096 × 1227 + 77847 = 15.118789 ms (both jiffy 3).
    d.startPlug();
    for (let i = 0; i < 16; i++) d.submitBio(REQ_OP_WRITE, 8 + i * 8, 8, 3_900_000);
    d.finishPlug(3_900_000);
    d.submitBio(REQ_OP_READ, 1000, 4096, 10_000_000);
    const firstDone = 10_000_000 + 7575 + 2560 * 1227 + 77847;
    const secondDone = 10_000_000 + 2 * 7575 + 4096 * 1227 + 77847;
    expect(d.requestCompletion(2)).toBe(firstDone);
    expect(d.requestCompletion(3)).toBe(secondDone);
    // read nsecs: 95238 + (firstDone − 10 ms) + (secondDone − 10 ms) = 95238 + 3226542 + 5118789 = 8440569 → 8 ms;
    // write nsecs 89453 → 0 ms; all 8530022 → 8 ms; io_ticks: busy from jiffy 2 to 3 = 1 jiffy = 4 ms
    expect(d.diskstatsLine(20_000_000)).toBe(" 254       0 vda 3 0 4104 8 1 15 128 0 0 4 8 0 0 0 0 0 0\n");
    expect(d.statFile(20_000_000)).toBe(
      "       3        0     4104        8        1       15      128        0        0        4        8        0        0        0        0        0        0\n",
    );
    expectValid(d);
  });
});
