import { describe, expect, it } from "vitest";
import { REQ_OP_READ, REQ_OP_WRITE } from "./blk-dev.ts";
import { parseDiskSpec } from "./disk-spec.ts";
import { BlockMapResult, Ext2Fs } from "./ext2-fs.ts";
import { type MpageIo, ext2Boundary, mpageReadahead, mpageWritepages } from "./mpage.ts";

class RecordingIo implements MpageIo {
  readonly events: string[] = [];
  readonly bdevCache = new Set<number>();
  readMetaBlock(pblk: number): void {
    if (this.bdevCache.has(pblk)) return;
    this.bdevCache.add(pblk);
    this.events.push(`meta ${pblk}`);
  }
  zeroPage(index: number): void {
    this.events.push(`zero ${index}`);
  }
  submitBio(op: number, sector: number, nrSectors: number, pages: Int32Array, nr: number): void {
    const p = Array.from(pages.subarray(0, nr));
    const consecutive = p.every((x, i) => x === p[0]! + i);
    this.events.push(`${op === REQ_OP_READ ? "R" : "W"} sector ${sector} +${nrSectors} pages ${consecutive ? `${p[0]}..${p[nr - 1]}` : p.join(",")}`);
  }
}

// /data/a: inode 13, d0–d11 at blocks 266–277, IND at 278, d12–d255 at 279–522 (ext2-fs.test.ts)
const image = () => new Ext2Fs(parseDiskSpec({ size: "64M", files: [{ path: "/data/a", size: "1M" }, { path: "/s", size: "64K" }] }));

describe("mpage: pages to bios", () => {
  it("BH_Boundary: the last direct block (11) and the last block of each indirect block (12 + 1023, …)", () => {
    expect([10, 11, 12, 1034, 1035, 1036, 1035 + 1024].map(ext2Boundary)).toEqual([false, true, false, false, true, false, true]);
  });

  it("reading the whole 1 MiB file: one bio for d0–d11 (sent at the boundary), the IND block read, one bio for d12–d255", () => {
    const f = image();
    const io = new RecordingIo();
    mpageReadahead(f, 13, 0, 256, io);
    expect(io.events).toEqual([
      "R sector 2128 +96 pages 0..11", // 266 × 8
      "meta 278",
      "R sector 2232 +1952 pages 12..255", // 279 × 8, 244 pages
    ]);
  });

  it("readahead windows of 4, 8, 16, 32: one bio each, the IND block read once (then cached in the bdev mapping)", () => {
    const f = image();
    const io = new RecordingIo();
    for (const [s, n] of [[0, 4], [4, 8], [12, 16], [28, 32]] as const) mpageReadahead(f, 13, s, n, io);
    expect(io.events).toEqual(["R sector 2128 +32 pages 0..3", "R sector 2160 +64 pages 4..11", "meta 278", "R sector 2232 +128 pages 12..27", "R sector 2360 +256 pages 28..59"]);
  });

  it("a bio holds at most 256 pages; pages past EOF and holes are zero-filled without ending the bio", () => {
    const f = new Ext2Fs(parseDiskSpec({ size: "64M", files: [{ path: "/big", size: "2M" }] }));
    const ino = f.resolve("/big");
    const io = new RecordingIo();
    mpageReadahead(f, ino, 12, 300, io);
    expect(io.events.filter((e) => e.startsWith("R")).map((e) => e.replace(/.*pages /, ""))).toEqual(["12..267", "268..311"]);
    const io2 = new RecordingIo();
    mpageReadahead(f, ino, 510, 4, io2); // 512 pages in the file: 512, 513 are past EOF
    // /big is inode 12 in /: d0–d11 at 265–276, IND 277, d12 at 278 → page 510 at block 776, sector 6208
    expect(io2.events).toEqual(["meta 277", "zero 512", "zero 513", "R sector 6208 +16 pages 510..511"]);
  });

  it("a hole between pages whose blocks follow each other leaves both in one bio (do_mpage_readpage only checks last_block_in_bio)", () => {
    const f = new Ext2Fs(parseDiskSpec({ size: "64M" }));
    const ino = f.create(2, "sparse", false);
    const r = new BlockMapResult();
    for (const p of [0, 1, 3]) f.getBlock(ino, p, r, true); // blocks b, b + 1, b + 2
    f.setSize(ino, 4 * 4096);
    const io = new RecordingIo();
    mpageReadahead(f, ino, 0, 4, io);
    f.bmap(ino, 0, r);
    expect(io.events).toEqual(["zero 2", `R sector ${r.pblk * 8} +24 pages 0,1,3`]);
  });

  it("writeback of dirty pages 0, 1, 2, 5, 6 of /s: two bios (3 and 2 pages)", () => {
    const f = image();
    const s = f.resolve("/s");
    const r = new BlockMapResult();
    f.bmap(s, 0, r);
    const io = new RecordingIo();
    expect(mpageWritepages(f, s, [0, 1, 2, 5, 6], 5, io)).toBe(5);
    expect(io.events).toEqual([`W sector ${r.pblk * 8} +24 pages 0..2`, `W sector ${(r.pblk + 5) * 8} +16 pages 5..6`]);
    expect(REQ_OP_WRITE).toBe(1);
  });
});
