import { ConfigError, EEXIST, EISDIR, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, EFBIG } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { parseDiskSpec } from "./disk-spec.ts";
import { BlockMapResult, DirLookupResult, EXT2_ROOT_INO, Ext2Fs, ext2BlocksFor, ext2DirRecLen } from "./ext2-fs.ts";

const fs = (size: string, files: unknown[] = []) => new Ext2Fs(parseDiskSpec({ size, files }));

describe("Ext2Fs: mke2fs's geometry", () => {
  it("64 MiB: 16384 blocks in 1 group, 4096 inodes (one per 16 KiB), an inode table of 4096 × 256 / 4096 = 256 blocks", () => {
    const f = fs("64M");
    expect([f.blocksCount, f.groupsCount, f.inodesCount, f.inodesPerGroup, f.itbPerGroup, f.gdtBlocks]).toEqual([16384, 1, 4096, 4096, 256, 1]);
    // super 0, descriptors 1, block bitmap 2, inode bitmap 3, inode table 4..259, data from 260
    expect([f.blockBitmapBlock(0), f.inodeBitmapBlock(0), f.inodeTableStart(0), f.groupDataStart(0)]).toEqual([2, 3, 4, 260]);
    expect([f.inodeTableBlock(1), f.inodeTableBlock(16), f.inodeTableBlock(17), f.inodeTableBlock(4096)]).toEqual([4, 4, 5, 259]);
    expect(f.overhead).toBe(260);
    expect(f.rBlocksCount).toBe(819); // floor(16384 × 5 / 100)
    expect(f.mountBlocks()).toEqual([0, 1, 4]); // superblock, descriptors, the root inode's table block
    expect(f.superblock()).toMatchObject({ s_blocks_count: 16384, s_inodes_count: 4096, s_free_blocks_count: 16119, s_free_inodes_count: 4085, s_magic: 0xef53 });
    expectValid(f);
  });

  it("statfs of an empty 64 MiB disk: blocks 16384 − 260 = 16124; free 16124 − 1 (root) − 4 (lost+found) = 16119; avail 16119 − 819 = 15300; inodes free 4096 − 11", () => {
    expect(fs("64M").statfs()).toEqual({ type: 0xef53, bsize: 4096, blocks: 16124, bfree: 16119, bavail: 15300, files: 4096, ffree: 4085, namelen: 255 });
  });

  it("256 MiB: 2 groups of 32768, both with a super (sparse_super: 0 and 1); 8192 inodes per group, 512 inode-table blocks; overhead 2 × 516", () => {
    const f = fs("256M");
    expect([f.groupsCount, f.inodesPerGroup, f.itbPerGroup, f.overhead]).toEqual([2, 8192, 512, 1032]);
    expect([f.blockBitmapBlock(1), f.inodeTableStart(1), f.groupDataStart(1)]).toEqual([32770, 32772, 33284]);
    expectValid(f);
  });

  it("a last group smaller than its metadata + 50 blocks is dropped (129 MiB → 128 MiB of filesystem)", () => {
    // 33024 blocks → 2 groups, the last of 256 blocks; its metadata is 1 + 1 + 2 + 258 = 262 (4128 inodes per group)
    const f = fs("129M");
    expect([f.blocksCount, f.groupsCount, f.inodesPerGroup]).toEqual([32768, 1, 8192]);
    expectValid(f);
  });

  it("the root directory holds ., .. and lost+found (inode 11, 4 blocks = 16 KiB)", () => {
    const f = fs("64M");
    expect(f.readdir(EXT2_ROOT_INO)).toEqual(["lost+found"]);
    expect(f.resolve("/lost+found")).toBe(11);
    expect([f.iSize(11), f.iBlocks(11), f.nlink(EXT2_ROOT_INO), f.nlink(11)]).toEqual([16384, 32, 3, 2]);
    const r = new BlockMapResult();
    f.bmap(EXT2_ROOT_INO, 0, r);
    expect(r.pblk).toBe(260);
    f.bmap(11, 3, r);
    expect(r.pblk).toBe(264);
  });
});

describe("Ext2Fs: files and their block maps (ext2_block_to_path, ext2_alloc_branch)", () => {
  it("a 1 MiB file is d0–d11, IND, d12–d255, contiguous after its directory: bmap reads the IND block from file block 12 on", () => {
    const f = fs("64M", [{ path: "/data/a", size: "1M" }]);
    // /data is inode 12 (block 265), /data/a inode 13: d0 at 266 … d11 at 277, IND 278, d12 at 279 … d255 at 522
    expect([f.resolve("/data"), f.resolve("/data/a")]).toEqual([12, 13]);
    const r = new BlockMapResult();
    f.bmap(13, 0, r);
    expect([r.pblk, r.nMeta]).toEqual([266, 0]);
    f.bmap(13, 11, r);
    expect(r.pblk).toBe(277);
    f.bmap(13, 12, r);
    expect([r.pblk, r.nMeta, r.meta[0]]).toEqual([279, 1, 278]);
    f.bmap(13, 255, r);
    expect(r.pblk).toBe(522);
    f.bmap(13, 256, r);
    expect(r.pblk).toBe(-1); // a hole past the end
    expect([f.iSize(13), f.iBlocks(13)]).toEqual([1 << 20, 257 * 8]);
    expect(f.statfs().bfree).toBe(16119 - 1 - 257);
    expectValid(f);
  });

  it("past 12 + 1024 blocks the double indirect block and its first IND come before block 1036: bmap reads both", () => {
    const n = 12 + 1024 + 5;
    const f = fs("64M", [{ path: "/big", size: n * 4096 }]);
    const ino = f.resolve("/big");
    const r = new BlockMapResult();
    f.bmap(ino, 1035, r);
    const last1035 = r.pblk;
    f.bmap(ino, 1036, r);
    // DIND at last1035 + 1, its IND at + 2, the data at + 3
    expect([r.nMeta, r.meta[0], r.meta[1], r.pblk]).toEqual([2, last1035 + 1, last1035 + 2, last1035 + 3]);
    expect(f.iBlocks(ino)).toBe((n + 3) * 8);
    expect(ext2BlocksFor(n)).toBe(n + 3);
    expectValid(f);
  });

  it("extending a file allocates the block after its last one; a sparse write makes only the indirect block and one data block", () => {
    const f = fs("64M", [{ path: "/a", size: 4096 }, { path: "/b", size: 4096 }]);
    const a = f.resolve("/a");
    const r = new BlockMapResult();
    f.bmap(a, 0, r);
    const a0 = r.pblk;
    f.getBlock(a, 1, r, true); // /b's block follows a0, so a1 goes to the first free block after it
    expect([r.isNew, r.pblk, r.nNewMeta]).toEqual([true, a0 + 2, 0]);
    expect(r.bitmapBlock).toBe(2);
    f.getBlock(a, 500, r, true); // IND + data, from the goal after the previous mapped block (none: lblk 499 is a hole) → the group start's first free
    expect([r.isNew, r.nNewMeta, r.pblk - r.newMeta[0]!]).toEqual([true, 1, 1]);
    f.setSize(a, 501 * 4096);
    f.getBlock(a, 500, r, true);
    expect(r.isNew).toBe(false);
    expectValid(f);
  });

  it("a file block past the triple indirect range is -EFBIG", () => {
    const f = fs("64M", [{ path: "/a", size: 1 }]);
    const r = new BlockMapResult();
    f.bmap(f.resolve("/a"), 12 + 1024 + 1024 ** 2 + 1024 ** 3, r);
    expect(r.err).toBe(-EFBIG);
  });

  it("truncate frees data blocks and the indirect blocks they leave empty (20 blocks → 12: 8 data + IND)", () => {
    const f = fs("64M", [{ path: "/a", size: 20 * 4096 }]);
    const a = f.resolve("/a");
    const before = f.freeBlocks;
    expect(f.truncate(a, 12 * 4096)).toBe(0);
    expect(f.freeBlocks - before).toBe(9);
    expect([f.iSize(a), f.iBlocks(a)]).toEqual([12 * 4096, 12 * 8]);
    expect(f.truncate(a, 100)).toBe(0); // keeps block 0
    expect(f.iBlocks(a)).toBe(8);
    expect(f.truncate(f.resolve("/"), 0)).toBe(-EISDIR);
    expectValid(f);
  });

  it("ENOSPC: others stop at the 5% reserve, root may use it (ext4_has_free_clusters)", () => {
    // 1 MiB: 256 blocks, metadata 1 + 1 + 2 + 4 (64 inodes) = 8, root 1, lost+found 4 → 243 free; reserve floor(256 × 5 / 100) = 12
    const f = fs("1M", [{ path: "/a", size: 0 }]);
    const a = f.resolve("/a");
    expect(f.statfs()).toMatchObject({ blocks: 248, bfree: 243, bavail: 231 });
    const r = new BlockMapResult();
    let lblk = 0;
    // 12 direct blocks, then IND + data: 243 − 12 = 231 usable = 12 + 1 (IND) + 218 data
    for (;;) {
      f.getBlock(a, lblk, r, false);
      if (r.err) break;
      lblk++;
    }
    expect([r.err, lblk, f.freeBlocks]).toEqual([-ENOSPC, 230, 12]);
    f.getBlock(a, lblk, r, true);
    expect(r.err).toBe(0);
    while (r.err === 0) f.getBlock(a, ++lblk, r, true);
    expect([r.err, f.freeBlocks, f.statfs().bavail]).toEqual([-ENOSPC, 0, 0]);
    f.setSize(a, lblk * 4096);
    expectValid(f);
  });
});

describe("Ext2Fs: directories (ext2_add_link, ext2_find_entry, ext2_delete_entry)", () => {
  it("record lengths are 8 + name rounded up to 4: '.' 12, 'lost+found' 20, a 248-byte name 256", () => {
    expect([ext2DirRecLen(1), ext2DirRecLen(2), ext2DirRecLen(10), ext2DirRecLen(248)]).toEqual([12, 12, 20, 256]);
  });

  it("the root block fits 15 names of 248 bytes after . (12), .. (12) and lost+found (20): the 16th grows the directory to 2 blocks", () => {
    const f = fs("64M");
    const name = (i: number) => String(i).padStart(3, "0").padEnd(248, "x");
    for (let i = 0; i < 15; i++) {
      expect(f.create(EXT2_ROOT_INO, name(i), false)).toBeGreaterThan(0);
      expect([f.lastDirBlock, f.lastDirBlockNew]).toEqual([0, false]);
    }
    // 44 + 15 × 256 = 3884 bytes used; 212 left < 256
    f.create(EXT2_ROOT_INO, name(15), false);
    expect([f.lastDirBlock, f.lastDirBlockNew, f.iSize(EXT2_ROOT_INO)]).toEqual([1, true, 8192]);
    const out = new DirLookupResult();
    expect(f.lookup(EXT2_ROOT_INO, name(15), out)).toBeGreaterThan(0);
    expect([out.startBlock, out.blocksScanned, out.foundBlock]).toEqual([0, 2, 1]);
    // i_dir_start_lookup moved to block 1: a name in block 0 now scans 1, then wraps to 0
    f.lookup(EXT2_ROOT_INO, name(3), out);
    expect([out.startBlock, out.blocksScanned, out.foundBlock]).toEqual([1, 2, 0]);
    // a missing name reads every block
    expect(f.lookup(EXT2_ROOT_INO, "nope", out)).toBe(0);
    expect(out.blocksScanned).toBe(2);
    expectValid(f);
  });

  it("a deleted record's room is reused by the next name that fits (merged into the record before it)", () => {
    const f = fs("64M");
    const name = (i: number) => String(i).padStart(3, "0").padEnd(248, "x");
    for (let i = 0; i < 16; i++) f.create(EXT2_ROOT_INO, name(i), false);
    expect(f.unlink(EXT2_ROOT_INO, name(4))).toBe(0);
    expect(f.lastDirBlock).toBe(0);
    f.create(EXT2_ROOT_INO, name(99), false);
    expect([f.lastDirBlock, f.lastDirBlockNew]).toEqual([0, false]);
    expectValid(f);
  });

  it("errors: EEXIST, ENOENT, ENOTDIR, EISDIR, ENOTEMPTY; unlink keeps the inode until evictInode", () => {
    const f = fs("64M", [{ path: "/d/f", size: 8192 }]);
    const d = f.resolve("/d");
    const file = f.resolve("/d/f");
    expect(f.create(d, "f", false)).toBe(-EEXIST);
    expect(f.create(file, "x", false)).toBe(-ENOTDIR);
    expect(f.resolve("/d/f/x")).toBe(-ENOTDIR);
    expect(f.resolve("/nope")).toBe(-ENOENT);
    expect([f.resolve("/d/.."), f.resolve("/d/./f"), f.resolve("/d/../d/f")]).toEqual([EXT2_ROOT_INO, file, file]);
    const out = new DirLookupResult();
    expect([f.lookup(d, "..", out), out.foundBlock, f.lookup(d, ".", out)]).toEqual([EXT2_ROOT_INO, 0, d]);
    expect(f.unlink(EXT2_ROOT_INO, "d")).toBe(-EISDIR);
    expect(f.rmdir(EXT2_ROOT_INO, "d")).toBe(-ENOTEMPTY);
    const freeBefore = f.statfs();
    expect(f.unlink(d, "f")).toBe(0);
    expect(f.nlink(file)).toBe(0);
    expect(f.statfs().bfree).toBe(freeBefore.bfree); // still allocated: open files keep it
    expect(f.evictInode(file)).toBe(0);
    expect(f.statfs()).toMatchObject({ bfree: freeBefore.bfree + 2, ffree: freeBefore.ffree + 1 });
    expect(f.rmdir(EXT2_ROOT_INO, "d")).toBe(0);
    expect(f.nlink(EXT2_ROOT_INO)).toBe(3);
    expect(f.evictInode(d)).toBe(0);
    expectValid(f);
  });
});

describe("Ext2Fs: a declaration that does not fit", () => {
  it("a 10 MiB file on a 1 MiB disk says how large the disk must be (8 + 1 + 4 + 2564 blocks → 11M)", () => {
    expect(() => fs("1M", [{ path: "/big", size: "10M" }])).toThrow(ConfigError);
    expect(() => fs("1M", [{ path: "/big", size: "10M" }])).toThrow(
      "block.Ext2Fs: <api>: disk.files[0]: expected files that fit on the disk: make disk.size at least 11M, got /big (10M) after only 0 of 256 blocks are free",
    );
  });

  it("more files than inodes: the message says so", () => {
    const files = Array.from({ length: 60 }, (_, i) => ({ path: `/f${i}`, size: 0 }));
    expect(() => fs("1M", files)).toThrow(/no free inode is left \(the disk has 64, one per 16 KiB; the files and directories need 71\)/);
  });
});
