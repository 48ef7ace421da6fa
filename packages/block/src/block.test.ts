// Cross-file checks of @mmsim/block against the real 6.1 kernel's virtio-blk disk (fixtures/virtio-blk-6.1.txt).
import { readFileSync } from "node:fs";
import { CostModel } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { BlockDevice, REQ_OP_FLUSH, REQ_OP_READ, REQ_OP_WRITE } from "./blk-dev.ts";
import { FileRaState } from "./mm/readahead.ts";
import { FakeMapping, filemapRead } from "./mm/readahead.test-helpers.ts";

const fixture = readFileSync(new URL("../fixtures/virtio-blk-6.1.txt", import.meta.url), "utf8");
const run = (n: number) => fixture.split(`=== run ${n}\n`)[1]!.split("=== run")[0]!;
/** The /sys/block/vda/stat lines of a run, in order, as numbers. */
const statLines = (text: string) => text.split("\n").filter((l) => /^(\s+\d+){17}$/.test(l)).map((l) => l.trim().split(/\s+/).map(Number));
/** The columns that do not depend on time: rd ios, merges, sectors; wr ios, merges, sectors; in flight; flush ios. */
const counts = (f: number[]) => [f[0], f[1], f[2], f[4], f[5], f[6], f[8], f[15]];
const MiB = 1 << 20;

describe("the real kernel's disk, replayed", () => {
  it("the fixture's disk is vda 254:0 of 131072 sectors, read_ahead_kb 128, max_sectors_kb 1280, nr_requests 256, as BlockDevice defaults", () => {
    const d = new BlockDevice({ capacitySectors: 131072 }, new CostModel());
    const r1 = run(1);
    expect(r1).toContain("254 virtblk");
    for (const f of ["dev", "size", "queue/read_ahead_kb", "queue/max_sectors_kb", "queue/nr_requests", "queue/logical_block_size", "queue/max_segments", "queue/scheduler", "queue/write_cache", "queue/rotational"]) {
      const real = f === "dev" ? r1.split("--- dev\n")[1]!.split("\n")[0] : f === "size" ? r1.split("--- size\n")[1]!.split("\n")[0] : r1.match(new RegExp(`^${f}: (.*)$`, "m"))![1];
      expect(d.sysfsFile(f), f).toBe(`${real}\n`);
    }
  });

  it("run 2: a held-open vda read twice (the second from the page cache), a 1-page write with fsync, an 8-page write flushed at close", () => {
    const real = statLines(run(2)).map(counts);
    const d = new BlockDevice({ capacitySectors: 131072 }, new CostModel());
    const m = new FakeMapping(64 * MiB, d.ioPages, d);
    let now = 0;
    const stat = () => {
      now += 1e9;
      d.advance(now);
      return counts(d.statFile(now).trim().split(/\s+/).map(Number));
    };
    d.submitBio(REQ_OP_READ, 0, 8, now); // the partition scan at probe
    const out = [stat()];
    // dd bs=4096 count=256, twice, on one open file each; the device's page cache is kept by fd 3
    for (let k = 0; k < 2; k++) {
      const ra = new FileRaState(d.raPages);
      for (let i = 0; i < 256; i++) filemapRead(m, ra, i * 4096, 4096);
      out.push(stat());
    }
    expect(m.cached.size).toBe(316); // Buffers: 1264 kB in the fixture
    // dd … count=1 seek=100 conv=fsync: blkdev_fsync writes the page (one bio), then blkdev_issue_flush
    d.submitBio(REQ_OP_WRITE, 800, 8, now);
    d.submitBio(REQ_OP_FLUSH, 0, 0, now + 1e6);
    out.push(stat());
    // dd … count=8 seek=200: the last close's sync_blockdev writes the 8 pages under a plug
    d.startPlug();
    for (let i = 0; i < 8; i++) d.submitBio(REQ_OP_WRITE, (200 + i) * 8, 8, now);
    d.finishPlug(now);
    out.push(stat());
    expect(out).toEqual(real);
    expect(run(1)).toContain("Buffers:               0 kB"); // each dd's close dropped the cache
    expect(run(2)).toContain("Buffers:            1264 kB");
    expectValid(d);
  });

  it("run 1: the /proc/diskstats line after four reads and a 16-page write has the kernel's counts", () => {
    const d = new BlockDevice({ capacitySectors: 131072 }, new CostModel());
    const m = new FakeMapping(64 * MiB, d.ioPages, d);
    d.submitBio(REQ_OP_READ, 0, 8, 0);
    const dd = (bs: number, count: number, skip: number) => {
      const ra = new FileRaState(d.raPages);
      for (let i = 0; i < count; i++) filemapRead(m, ra, (skip + i) * bs, bs);
      m.dropAll();
      m.now += 1e9;
    };
    dd(4096, 1, 0);
    dd(4096, 256, 0);
    dd(MiB, 1, 16);
    dd(4096, 1, 10240);
    d.startPlug();
    for (let i = 0; i < 16; i++) d.submitBio(REQ_OP_WRITE, (8192 + i) * 8, 8, m.now);
    d.finishPlug(m.now);
    const line = d.diskstatsLine(m.now + 1e9).trim().split(/\s+/);
    const real = run(1).split("--- diskstats\n")[1]!.split("\n")[0]!.trim().split(/\s+/);
    const keep = (f: string[]) => [f[0], f[1], f[2], f[3], f[4], f[5], f[7], f[8], f[9], f[11], f[18]];
    expect(keep(line)).toEqual(keep(real));
  });
});
