// Tests of the VFS: the boot mount tree, path lookup and the name syscalls' errnos, fd tables (lowest free fd, fork's copy, exit), truncate unmapping through the MappingUnmapper, drop_caches
import { DROP_PAGECACHE, DROP_SLAB, NR_FILE_PAGES, NR_SHMEM, PAGE_SIZE } from "@mmsim/core";
import { MapleTree, MmStruct, VM_SHARED, VmAreaStruct, VmFault } from "@mmsim/vma";
import { vmGetPageProt } from "@mmsim/hw-arm64";
import { describe, expect, it } from "vitest";
import { O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_RDWR, O_WRONLY, type File } from "./fs.ts";
import { TestBuffer, expectValid, testVfs } from "./filemap.test-helpers.ts";
import { FilesStruct, dupFd, fget, putFilesStruct } from "./file.ts";
import { dropCachesSysctlHandler } from "./drop-caches.ts";
import { doMkdirat, doRmdir, doUnlinkat, filenameLookup } from "./namei.ts";
import { doMount, doUmount } from "./namespace.ts";
import { doSysFtruncate, doSysOpen, sysClose } from "./open.ts";
import { doFsync } from "./sync.ts";
import { SEEK_END, ksysLseek, ksysPwrite64, ksysRead, ksysWrite } from "./read-write.ts";
import { folioPut } from "./swap.ts";

const node = (vs: { nodeStat(n: number): Float64Array }, item: number) => vs.nodeStat(0)[item]!;

describe("the mount tree at boot", () => {
  it("has shm_mnt on 0:1, rootfs on 0:2 with the initramfs' directories and device nodes, tmpfs on /tmp on 0:3", () => {
    const { vfs, files } = testVfs();
    expect(vfs.shmMnt!.mntSb.sDev).toEqual([0, 1]);
    expect(vfs.rootMnt!.mntSb.sDev).toEqual([0, 2]);
    expect([...vfs.rootMnt!.mntRoot.dChildren.keys()]).toEqual(["bin", "dev", "etc", "proc", "root", "sbin", "sys", "tmp"]);
    const fd = doSysOpen(vfs, files, "/tmp/x", O_CREAT | O_WRONLY, 0o600);
    const f = fget(files, fd)!;
    expect(f.dev).toEqual([0, 3]);
    expect(f.ino).toBe(2); // the mount's root is 1
    expect(f.path).toBe("/tmp/x");
    const d = doSysOpen(vfs, files, "/dev/null", O_RDWR, 0);
    expect(ksysWrite(vfs, files, d, new TestBuffer(1), 1000)).toBe(1000);
    expect(ksysRead(vfs, files, d, new TestBuffer(), 1000)).toBe(0);
    const z = doSysOpen(vfs, files, "/dev/zero", O_RDONLY, 0);
    const out = new TestBuffer();
    expect(ksysRead(vfs, files, z, out, 6000)).toBe(6000);
    expect(out.landed.every((l) => l[2] === 0)).toBe(true);
    expect(doFsync(vfs, files, d, false)).toBe(-22); // no fsync: EINVAL
    expectValid(vfs);
  });
});

describe("paths and their errnos", () => {
  it("open: ENOENT, EEXIST with O_EXCL, EISDIR for a directory written or created, ENOTDIR through a file, the lowest free fd", () => {
    const { vfs, files } = testVfs();
    expect(doSysOpen(vfs, files, "/nope/x", O_RDONLY, 0)).toBe(-2);
    expect(doSysOpen(vfs, files, "/tmp/nope", O_RDONLY, 0)).toBe(-2);
    expect(doSysOpen(vfs, files, "", O_RDONLY, 0)).toBe(-2);
    expect(doSysOpen(vfs, files, "/tmp/a", O_CREAT | O_RDWR, 0o600)).toBe(0);
    expect(doSysOpen(vfs, files, "/tmp/a", O_CREAT | O_EXCL | O_RDWR, 0o600)).toBe(-17);
    expect(doSysOpen(vfs, files, "/tmp", O_WRONLY, 0)).toBe(-21);
    expect(doSysOpen(vfs, files, "/tmp", O_CREAT | O_RDONLY, 0)).toBe(-21);
    expect(doSysOpen(vfs, files, "/tmp/a/b", O_RDONLY, 0)).toBe(-20);
    expect(doSysOpen(vfs, files, "/tmp/a/", O_RDONLY, 0)).toBe(-20);
    expect(doSysOpen(vfs, files, "/tmp/a", O_RDONLY | O_DIRECTORY, 0)).toBe(-20);
    expect(doSysOpen(vfs, files, "/tmp", O_RDONLY | O_DIRECTORY, 0)).toBe(1);
    expect(ksysRead(vfs, files, 1, null, 10)).toBe(-21); // read of a directory
    expect(doSysOpen(vfs, files, "/" + "x".repeat(256), O_RDONLY, 0)).toBe(-36);
    expect(doSysOpen(vfs, files, "/tmp/../tmp/./a", O_RDONLY, 0)).toBe(2);
    expect(sysClose(vfs, files, 1)).toBe(0);
    expect(sysClose(vfs, files, 1)).toBe(-9);
    expect(doSysOpen(vfs, files, "/tmp/a", O_RDONLY, 0)).toBe(1); // the lowest free fd again
    expectValid(vfs);
  });

  it("mkdir, unlink and rmdir: EEXIST, EISDIR, ENOTDIR, ENOTEMPTY, EBUSY, EINVAL", () => {
    const { vfs, files } = testVfs();
    expect(doMkdirat(vfs, "/tmp/d", 0o755)).toBe(0);
    expect(doMkdirat(vfs, "/tmp/d", 0o755)).toBe(-17);
    expect(doMkdirat(vfs, "/tmp/nope/d", 0o755)).toBe(-2);
    expect(doSysOpen(vfs, files, "/tmp/d/f", O_CREAT | O_WRONLY, 0o600)).toBe(0);
    expect(doUnlinkat(vfs, "/tmp/d")).toBe(-21);
    expect(doRmdir(vfs, "/tmp/d")).toBe(-39);
    expect(doRmdir(vfs, "/tmp/d/f")).toBe(-20);
    expect(doRmdir(vfs, "/tmp/d/.")).toBe(-22);
    expect(doRmdir(vfs, "/")).toBe(-16);
    expect(doRmdir(vfs, "/tmp")).toBe(-16); // a mountpoint
    expect(doUnlinkat(vfs, "/tmp/d/f/")).toBe(-20);
    expect(doUnlinkat(vfs, "/tmp/d/f")).toBe(0);
    expect(doUnlinkat(vfs, "/tmp/d/f")).toBe(-2);
    expect(doRmdir(vfs, "/tmp/d")).toBe(0);
    expect(filenameLookup(vfs, "/tmp/d")).toBe(-2);
    expectValid(vfs);
  });

  it("a mount hides what it is mounted on, umount refuses while a file is open on it, then frees its pages", () => {
    const { vfs, vmstat, files } = testVfs();
    expect(doSysOpen(vfs, files, "/root/under", O_CREAT | O_WRONLY, 0o600)).toBe(0);
    expect(doMount(vfs, "tmpfs", "/root", "tmpfs", 0, "size=1M")).toBe(0);
    expect(doSysOpen(vfs, files, "/root/under", O_RDONLY, 0)).toBe(-2);
    const fd = doSysOpen(vfs, files, "/root/over", O_CREAT | O_RDWR, 0o600);
    ksysWrite(vfs, files, fd, new TestBuffer(2), 8 * PAGE_SIZE);
    expect(doUmount(vfs, "/root")).toBe(-16);
    sysClose(vfs, files, fd);
    expect(node(vmstat, NR_SHMEM)).toBe(8); // still linked
    expect(doUmount(vfs, "/root/over")).toBe(-22);
    expect(doUmount(vfs, "/root")).toBe(0);
    expect(node(vmstat, NR_SHMEM)).toBe(0);
    expect(doSysOpen(vfs, files, "/root/under", O_RDONLY, 0)).toBe(fd);
    expectValid(vfs);
  });

  it("O_APPEND writes at EOF; lseek SEEK_END; the file position moves with read and write", () => {
    const { vfs, files } = testVfs();
    const fd = doSysOpen(vfs, files, "/tmp/log", O_CREAT | O_WRONLY | O_APPEND, 0o600);
    ksysWrite(vfs, files, fd, new TestBuffer(1), 100);
    expect(ksysLseek(vfs, files, fd, 0, 0)).toBe(0);
    ksysWrite(vfs, files, fd, new TestBuffer(1), 100);
    expect(fget(files, fd)!.fInode.iSize).toBe(200);
    expect(fget(files, fd)!.fPos).toBe(200);
    expect(ksysLseek(vfs, files, fd, -50, SEEK_END)).toBe(150);
    expect(ksysLseek(vfs, files, fd, -500, SEEK_END)).toBe(-22);
    expect(ksysPwrite64(vfs, files, fd, new TestBuffer(1), 10, 0)).toBe(10); // pwrite with O_APPEND appends, as Linux does
    expect(fget(files, fd)!.fInode.iSize).toBe(210);
  });
});

describe("fd tables", () => {
  it("fork copies the table with a reference per file; exit closes them; EMFILE at RLIMIT_NOFILE", () => {
    const { vfs, vmstat, files } = testVfs();
    const fd = doSysOpen(vfs, files, "/tmp/s", O_CREAT | O_RDWR, 0o600);
    ksysWrite(vfs, files, fd, new TestBuffer(8), 4 * PAGE_SIZE);
    doUnlinkat(vfs, "/tmp/s");
    const child = dupFd(files);
    vfs.files.set(2, child);
    expect(fget(files, fd)!.fCount).toBe(2);
    expectValid(vfs);
    putFilesStruct(vfs, files);
    expect(node(vmstat, NR_SHMEM)).toBe(4); // the child still has it open
    putFilesStruct(vfs, child);
    expect(node(vmstat, NR_SHMEM)).toBe(0);
    const small = new FilesStruct();
    small.rlimitNofile = 2;
    expect(doSysOpen(vfs, small, "/dev/null", O_RDONLY, 0)).toBe(0);
    expect(doSysOpen(vfs, small, "/dev/null", O_RDONLY, 0)).toBe(1);
    expect(doSysOpen(vfs, small, "/dev/null", O_RDONLY, 0)).toBe(-24);
  });
});

describe("truncate of a mapped file and drop_caches", () => {
  function mapped(vfs: ReturnType<typeof testVfs>["vfs"], file: File, pages: number) {
    const mm = new MmStruct(1, new MapleTree());
    const vma = new VmAreaStruct(mm, 0x100000000, 0x100000000 + pages * PAGE_SIZE, 0x3 | VM_SHARED, vmGetPageProt(3), 0);
    vma.vmFile = file;
    file.fMapping.iMmap.add(vma);
    file.mmap(vma);
    void vfs;
    return vma;
  }

  it("truncate unmaps the range beyond the new size from every VMA before dropping the pages", () => {
    const zaps: [number, number, boolean][] = [];
    const t = testVfs({ unmapper: { unmapMappingPages: (_m, start, nr, evenCows) => void zaps.push([start, nr, evenCows]) } });
    const { vfs, files, mem } = t;
    const fd = doSysOpen(vfs, files, "/tmp/m", O_CREAT | O_RDWR, 0o600);
    ksysWrite(vfs, files, fd, new TestBuffer(3), 8 * PAGE_SIZE);
    const vma = mapped(vfs, fget(files, fd)!, 16);
    expect(doSysFtruncate(vfs, files, fd, 3 * PAGE_SIZE + 1)).toBe(0);
    // holebegin rounds up to page 4: [4, end of the file) with the COWs, twice (6.1 unmaps again for racing COWs)
    expect(zaps).toEqual([[4, 0, true], [4, 0, true]]);
    void vma;
    expect(fget(files, fd)!.fMapping.nrpages).toBe(4);
    void mem;
    expectValid(vfs);
  });

  it("drop_caches 1 keeps tmpfs and ramfs pages (dirty), drops a clean shmem page a fault read, counts drop_pagecache", () => {
    const { vfs, vmstat, files } = testVfs();
    const fd = doSysOpen(vfs, files, "/tmp/w", O_CREAT | O_RDWR, 0o600);
    ksysWrite(vfs, files, fd, new TestBuffer(3), 8 * PAGE_SIZE);
    doMount(vfs, "ramfs", "/root", "ramfs", 0, "");
    const rfd = doSysOpen(vfs, files, "/root/r", O_CREAT | O_RDWR, 0o600);
    ksysWrite(vfs, files, rfd, new TestBuffer(3), 2 * PAGE_SIZE);
    const hfd = doSysOpen(vfs, files, "/tmp/hole", O_CREAT | O_RDWR, 0o600);
    doSysFtruncate(vfs, files, hfd, 4 * PAGE_SIZE);
    const hole = fget(files, hfd)!;
    const vma = mapped(vfs, hole, 4);
    const vmf = new VmFault().set(vma, vma.vmStart, 0);
    expect(vma.vmOps!.fault(vmf)).toBe(0);
    folioPut(vfs, vmf.page); // as if unmapped again
    expect(node(vmstat, NR_FILE_PAGES)).toBe(11);
    const committed = vfs.overcommit.committedAs;
    expect(dropCachesSysctlHandler(vfs, 3)).toBe(0);
    expect(node(vmstat, NR_FILE_PAGES)).toBe(10);
    expect(node(vmstat, NR_SHMEM)).toBe(8);
    expect(vmstat.vmEvents[DROP_PAGECACHE]).toBe(1);
    expect(vmstat.vmEvents[DROP_SLAB]).toBe(1);
    // the hole's block comes back at shmem's next recount
    expect(hole.fInode.shmem!.alloced).toBe(1);
    vfs.shmem!.recalcInode(hole.fInode);
    expect(hole.fInode.shmem!.alloced).toBe(0);
    expect(vfs.overcommit.committedAs).toBe(committed - 1);
    expectValid(vfs);
  });
});
