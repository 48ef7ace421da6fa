// mmsim: tests of the disk behind the page cache (ext2.ts): reads through readahead, writes, fsync, the flusher, drop_caches
import { CostModel, NR_DIRTIED, NR_FREE_PAGES, NR_FILE_DIRTY, NR_FILE_PAGES, NR_WRITEBACK, NR_WRITTEN, PGPGIN, PGPGOUT } from "@mmsim/core";
import { parseDiskSpec } from "@mmsim/block";
import { describe, expect, it } from "vitest";
import { attachDisk, type Disk } from "./ext2.ts";
import { O_CREAT, O_RDONLY, O_RDWR } from "./fs.ts";
import { doMkdirat, doRmdir, doUnlinkat } from "./namei.ts";
import { dirtyWritebackCentisecsSysctl } from "./sysctls.ts";
import { doMount, doUmount } from "./namespace.ts";
import { TestBuffer, expectValid, testVfs } from "./filemap.test-helpers.ts";
import { doSysFtruncate, doSysOpen, sysClose } from "./open.ts";
import { ksysPwrite64, ksysRead } from "./read-write.ts";
import { doFsync } from "./sync.ts";
import { dropCachesSysctlHandler } from "./drop-caches.ts";

function diskVfs() {
  const t = testVfs();
  t.vmstat.zonePageStateAdd(60000, 0, NR_FREE_PAGES); // the fake allocator keeps no NR_FREE_PAGES: the dirty limits need it
  let now = 0;
  const clock = { now: () => now, wait: (ns: number) => { now = Math.max(now, ns); }, advance: (ns: number) => { now += ns; } };
  const spec = parseDiskSpec({ size: "64M", files: [{ path: "/data", size: "1M", contents: "random" }] });
  const disk = attachDisk(t.vfs, spec, new CostModel(), { now: clock.now, wait: clock.wait, contentOf: (_c, ino, index) => ino * 1_000_000 + index * 8 + 2 });
  if (typeof disk === "number") throw new Error(`attachDisk: ${disk}`);
  const node = (item: number) => t.vmstat.nodeStat(0)[item]!;
  const ev = (item: number) => t.vmstat.sumVmEvent(item);
  return { ...t, disk: disk as Disk, clock, node, ev };
}

describe("a disk file through the page cache", () => {
  it("reads the first 4 KiB with a 4-page readahead window, the rest in growing windows, and the second read costs no I/O", () => {
    const { vfs, files, disk, clock, node, ev } = diskVfs();
    const buffersAtMount = disk.nrBlockdevPages();
    expect(buffersAtMount).toBeGreaterThan(0);
    const fd = doSysOpen(vfs, files, "/mnt/disk/data", O_RDONLY, 0);
    expect(fd).toBeGreaterThanOrEqual(0);
    const pgpginOpen = ev(PGPGIN);
    const cachedBefore = node(NR_FILE_PAGES) - disk.nrBlockdevPages();
    const buf = new TestBuffer();
    expect(ksysRead(vfs, files, fd, buf, 4096)).toBe(4096);
    // the capture's read-4k: pgpgin 16 KiB = 32 sectors, 4 pages
    expect(ev(PGPGIN) - pgpginOpen).toBe(32);
    expect(disk.inodes.get(12)!.iMapping.nrpages).toBe(4);
    const t1 = clock.now();
    expect(t1).toBeGreaterThan(0);
    for (let i = 1; i < 256; i++) expect(ksysRead(vfs, files, fd, buf, 4096)).toBe(4096);
    disk.waitAll(null);
    // read-rest: 1008 KiB more (2016 sectors) plus the indirect block ext2 reads at page 12 (8 sectors: not in the brd capture's ext4-as-ext2? see the machine test)
    const restSectors = ev(PGPGIN) - pgpginOpen - 32;
    expect(restSectors - 8).toBe(2016);
    expect(node(NR_FILE_PAGES) - disk.nrBlockdevPages() - cachedBefore).toBe(256);
    // the second read: no I/O, no time waiting for the disk
    sysClose(vfs, files, fd);
    const fd2 = doSysOpen(vfs, files, "/mnt/disk/data", O_RDONLY, 0);
    const before = ev(PGPGIN);
    const tBefore = clock.now();
    for (let i = 0; i < 256; i++) expect(ksysRead(vfs, files, fd2, buf, 4096)).toBe(4096);
    expect(ev(PGPGIN)).toBe(before);
    expect(clock.now()).toBe(tBefore);
    // the contents read are the declared ones
    expect(buf.landed.at(-1)![2]).toBe(12 * 1_000_000 + 255 * 8 + 2);
    expectValid(vfs);
  });

  it("dirties written pages, writes them at fsync, and drop_caches frees the clean ones", () => {
    const { vfs, files, disk, node, ev } = diskVfs();
    const fd = doSysOpen(vfs, files, "/mnt/disk/data", O_RDWR, 0);
    const dirtied = node(NR_DIRTIED);
    const buf = new TestBuffer(42);
    expect(ksysPwrite64(vfs, files, fd, buf, 1 << 20, 0)).toBe(1 << 20);
    expect(node(NR_DIRTIED) - dirtied).toBeGreaterThanOrEqual(256);
    expect(node(NR_FILE_DIRTY)).toBeGreaterThanOrEqual(256);
    expect(ev(PGPGOUT)).toBe(0);
    expectValid(vfs);
    const written = node(NR_WRITTEN);
    expect(doFsync(vfs, files, fd, false)).toBe(0);
    expect(node(NR_WRITTEN) - written).toBeGreaterThanOrEqual(256);
    expect(node(NR_WRITEBACK)).toBe(0);
    expect(ev(PGPGOUT)).toBeGreaterThanOrEqual(2048);
    expectValid(vfs);
    sysClose(vfs, files, fd);
    const cached = node(NR_FILE_PAGES);
    dropCachesSysctlHandler(vfs, 1);
    expect(cached - node(NR_FILE_PAGES)).toBeGreaterThanOrEqual(256);
    expect(disk.inodes.get(12)!.iMapping.nrpages).toBe(0);
    expectValid(vfs);
  });

  it("the flusher writes an inode dirtied 30 s ago and not one dirtied 10 s ago", () => {
    const { vfs, files, disk, clock, node } = diskVfs();
    const fd = doSysOpen(vfs, files, "/mnt/disk/data", O_RDWR, 0);
    expect(ksysPwrite64(vfs, files, fd, new TestBuffer(7), 16384, 0)).toBe(16384);
    const written = node(NR_WRITTEN);
    clock.advance(10e9);
    if (disk.flusherPending()) disk.flusherRun();
    disk.waitAll(null);
    expect(node(NR_WRITTEN)).toBe(written);
    clock.advance(30e9);
    if (disk.flusherPending()) disk.flusherRun();
    disk.waitAll(null);
    expect(node(NR_WRITTEN) - written).toBeGreaterThanOrEqual(4);
    expect(node(NR_FILE_DIRTY)).toBeLessThan(4);
    expectValid(vfs);
  });

  it("a new file: create, write, unlink while open, and the last close frees its pages and blocks", () => {
    const { vfs, files, disk, node } = diskVfs();
    const free0 = disk.fs.statfs().bfree;
    const fd = doSysOpen(vfs, files, "/mnt/disk/new", O_RDWR | O_CREAT, 0o644);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(ksysPwrite64(vfs, files, fd, new TestBuffer(5), 64 << 10, 0)).toBe(64 << 10);
    expect(disk.fs.statfs().bfree).toBe(free0 - 16 - 1); // 16 data blocks and the indirect block (pages 12-15)
    expect(doFsync(vfs, files, fd, false)).toBe(0);
    const cached = node(NR_FILE_PAGES);
    expect(doUnlinkat(vfs, "/mnt/disk/new")).toBe(0);
    expect(node(NR_FILE_PAGES)).toBe(cached); // still open
    expect(doSysOpen(vfs, files, "/mnt/disk/new", O_RDONLY, 0)).toBe(-2);
    sysClose(vfs, files, fd);
    expect(cached - node(NR_FILE_PAGES)).toBe(16);
    expect(disk.fs.statfs().bfree).toBe(free0);
    expectValid(vfs);
  });

  it("ftruncate of a disk file drops the pages past the new size and frees their blocks; growing leaves a hole", () => {
    const { vfs, files, disk, node } = diskVfs();
    const fd = doSysOpen(vfs, files, "/mnt/disk/t", O_RDWR | O_CREAT, 0o644);
    expect(ksysPwrite64(vfs, files, fd, new TestBuffer(9), 64 << 10, 0)).toBe(64 << 10);
    expect(doFsync(vfs, files, fd, false)).toBe(0);
    const free0 = disk.fs.statfs().bfree;
    const cached = node(NR_FILE_PAGES);
    expect(doSysFtruncate(vfs, files, fd, 10 * 4096 + 100)).toBe(0);
    expect(cached - node(NR_FILE_PAGES)).toBe(5); // pages 11-15 go; page 10 keeps its first 100 bytes
    expect(disk.fs.statfs().bfree - free0).toBe(5 + 1); // their blocks, and the indirect block (pages 12-15) left empty
    expect(doSysFtruncate(vfs, files, fd, 1 << 20)).toBe(0); // a hole: no block, no page
    expect(disk.fs.statfs().bfree - free0).toBe(6);
    expect(doSysFtruncate(vfs, files, fd, -1)).toBe(-22);
    sysClose(vfs, files, fd);
    expectValid(vfs);
  });

  it("rmdir of a disk directory: ENOTEMPTY while it has a file, then its inode and block are freed", () => {
    const { vfs, files, disk } = diskVfs();
    const before = disk.fs.statfs();
    expect(doMkdirat(vfs, "/mnt/disk/d", 0o755)).toBe(0);
    const fd = doSysOpen(vfs, files, "/mnt/disk/d/f", O_RDWR | O_CREAT, 0o644);
    sysClose(vfs, files, fd);
    expect(doRmdir(vfs, "/mnt/disk/d")).toBe(-39); // ENOTEMPTY
    expect(doUnlinkat(vfs, "/mnt/disk/d/f")).toBe(0);
    expect(doRmdir(vfs, "/mnt/disk/d")).toBe(0);
    expect(doSysOpen(vfs, files, "/mnt/disk/d/f", O_RDONLY, 0)).toBe(-2);
    const after = disk.fs.statfs();
    expect([after.ffree, after.bfree]).toEqual([before.ffree, before.bfree]);
    expectValid(vfs);
  });

  it("balance_dirty_pages: a writer above dirty_bytes sleeps while the flusher writes, so Dirty stays near the limit", () => {
    const { vfs, files, clock, node } = diskVfs();
    vfs.dirty.dirtyBytes = 1 << 20; // thresh 256 pages
    vfs.dirty.dirtyRatio = 0;
    vfs.dirty.dirtyBackgroundBytes = 512 << 10; // bg_thresh 128 pages
    vfs.dirty.dirtyBackgroundRatio = 0;
    const fd = doSysOpen(vfs, files, "/mnt/disk/big", O_RDWR | O_CREAT, 0o644);
    let maxDirty = 0;
    const t0 = clock.now();
    for (let i = 0; i < 2048; i++) {
      expect(ksysPwrite64(vfs, files, fd, new TestBuffer(3), 4096, i * 4096)).toBe(4096);
      maxDirty = Math.max(maxDirty, node(NR_FILE_DIRTY));
    }
    if (process.env.DISK_DEBUG) console.log("bdp", { written: node(NR_WRITTEN), maxDirty, ns: clock.now() - t0 });
    // 8 MiB written with 1 MiB allowed dirty: the flusher wrote most of it during the write, the writer slept
    expect(node(NR_WRITTEN)).toBeGreaterThan(1024);
    expect(maxDirty).toBeLessThan(2 * 256);
    expect(clock.now() - t0).toBeGreaterThan(0);
    expectValid(vfs);
  });

  it("umount writes everything, drops the files' pages and the Buffers, and keeps the files on the disk; a new mount reads them again", () => {
    const { vfs, files, disk, node } = diskVfs();
    const fd = doSysOpen(vfs, files, "/mnt/disk/kept", O_RDWR | O_CREAT, 0o644);
    expect(ksysPwrite64(vfs, files, fd, new TestBuffer(11), 8192, 0)).toBe(8192);
    sysClose(vfs, files, fd);
    expect(doUmount(vfs, "/mnt/disk")).toBe(0);
    expect(node(NR_FILE_DIRTY)).toBe(0);
    expect(node(NR_FILE_PAGES)).toBe(0);
    expect(disk.nrBlockdevPages()).toBe(0);
    expectValid(vfs);
    expect(doMount(vfs, "/dev/vda", "/mnt/disk", "ext2", 0, "")).toBe(0);
    const fd2 = doSysOpen(vfs, files, "/mnt/disk/kept", O_RDONLY, 0);
    const buf = new TestBuffer();
    expect(ksysRead(vfs, files, fd2, buf, 8192)).toBe(8192);
    expect(buf.landed.map((l) => l[2])).toEqual([11, 11]); // what was written reached the disk
    expectValid(vfs);
  });

  it("a write to vm.dirty_writeback_centisecs wakes the flusher, which writes everything dirty at once", () => {
    const { vfs, files, disk, node } = diskVfs();
    const fd = doSysOpen(vfs, files, "/mnt/disk/data", O_RDWR, 0);
    expect(ksysPwrite64(vfs, files, fd, new TestBuffer(7), 8192, 0)).toBe(8192);
    expect(disk.flusherPending()).toBe(false);
    expect(dirtyWritebackCentisecsSysctl.write(vfs, 100)).toBe(0);
    expect(disk.flusherPending()).toBe(true);
    disk.flusherRun();
    disk.waitAll(null);
    expect(node(NR_WRITTEN)).toBeGreaterThanOrEqual(2);
    expect(node(NR_FILE_DIRTY)).toBe(0);
    expectValid(vfs);
  });
});
