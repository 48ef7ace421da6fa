// Tests of tmpfs and shmem (mm/shmem.c): writes and reads through the page cache, holes, size= and nr_inodes= limits, Committed_AS, i_blocks, unlink while open, truncate, shmem_zero_setup, the vm_ops with a fake do_set_pte
import { NR_FILE_DIRTY, NR_FILE_PAGES, NR_SHMEM, PG_dirty, PG_referenced, PG_swapbacked, PG_uptodate, PAGE_SIZE } from "@mmsim/core";
import { type FaultAroundSink, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS, VM_NORESERVE, VM_SHARED, VmAreaStruct, VmFault, MmStruct, MapleTree } from "@mmsim/vma";
import { vmGetPageProt } from "@mmsim/hw-arm64";
import { describe, expect, it } from "vitest";
import { O_CREAT, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, type File } from "./fs.ts";
import { TestBuffer, expectValid, testVfs } from "./filemap.test-helpers.ts";
import { fget } from "./file.ts";
import { doMount } from "./namespace.ts";
import { doSysFtruncate, doSysOpen, doSysTruncate, sysClose } from "./open.ts";
import { fput } from "./inode.ts";
import { doUnlinkat } from "./namei.ts";
import { ksysPread64, ksysPwrite64, ksysRead, ksysWrite } from "./read-write.ts";

const MiB = 1024 * 1024;
const node = (vs: { nodeStat(n: number): Float64Array }, item: number) => vs.nodeStat(0)[item]!;

describe("tmpfs writes and reads", () => {
  it("writing 64 MiB makes 16384 shmem pages (NR_FILE_PAGES, NR_SHMEM; dirty but not in NR_FILE_DIRTY); unlink frees them", () => {
    const { vfs, vmstat, files, mem } = testVfs();
    const fd = doSysOpen(vfs, files, "/tmp/big", O_CREAT | O_WRONLY, 0o644);
    expect(fd).toBe(0); // pid 1 of the test has no fds yet: the lowest is 0
    const buf = new TestBuffer(4242 * 4096 + 1);
    expect(ksysWrite(vfs, files, fd, buf, 64 * MiB)).toBe(64 * MiB);
    expect(node(vmstat, NR_FILE_PAGES)).toBe(16384);
    expect(node(vmstat, NR_SHMEM)).toBe(16384);
    expect(node(vmstat, NR_FILE_DIRTY)).toBe(0);
    const inode = fget(files, fd)!.fInode;
    expect(inode.iSize).toBe(64 * MiB);
    expect(inode.iBlocks).toBe(16384 * 8);
    const page = inode.iMapping.iPages.load(7) - 1;
    expect(mem.flags[page]! & (1 << PG_dirty | 1 << PG_uptodate | 1 << PG_swapbacked | 1 << PG_referenced)).toBe(1 << PG_dirty | 1 << PG_uptodate | 1 << PG_swapbacked | 1 << PG_referenced);
    expect(mem.refcount[page]).toBe(1); // the page cache's reference only
    expect(vfs.contents.get(mem.pageToPfn(page))).toBe(4242 * 4096 + 1);
    expectValid(vfs);
    // unlinked while open: the pages stay until the last close
    expect(doUnlinkat(vfs, "/tmp/big")).toBe(0);
    expect(node(vmstat, NR_SHMEM)).toBe(16384);
    expect(fget(files, fd)!.path).toBe("/tmp/big (deleted)");
    expect(sysClose(vfs, files, fd)).toBe(0);
    expect(node(vmstat, NR_FILE_PAGES)).toBe(0);
    expect(node(vmstat, NR_SHMEM)).toBe(0);
    expect(vfs.contents.get(mem.pageToPfn(page))).toBe(0);
    expectValid(vfs);
  });

  it("reads give back what was written, holes read as zeros without a page, a read at or past EOF returns 0", () => {
    const { vfs, vmstat, files } = testVfs();
    const fd = doSysOpen(vfs, files, "/f", O_CREAT | O_RDWR, 0o600);
    expect(ksysPwrite64(vfs, files, fd, new TestBuffer(77), PAGE_SIZE, 3 * PAGE_SIZE)).toBe(PAGE_SIZE); // pages 0-2 are a hole
    expect(node(vmstat, NR_SHMEM)).toBe(1);
    const out = new TestBuffer();
    expect(ksysRead(vfs, files, fd, out, 10 * PAGE_SIZE)).toBe(4 * PAGE_SIZE); // stops at EOF
    expect(out.landed).toEqual([[0, PAGE_SIZE, 0], [PAGE_SIZE, PAGE_SIZE, 0], [2 * PAGE_SIZE, PAGE_SIZE, 0], [3 * PAGE_SIZE, PAGE_SIZE, 77]]);
    expect(node(vmstat, NR_SHMEM)).toBe(1); // SGP_READ allocated nothing for the hole
    expect(ksysRead(vfs, files, fd, out, 100)).toBe(0); // at EOF
    expect(ksysPread64(vfs, files, fd, out, 100, 1 << 30)).toBe(0); // past EOF
    expect(ksysPread64(vfs, files, fd, out, 100, -1)).toBe(-22); // EINVAL
    expectValid(vfs);
  });

  it("a partial write over other content gives a page equal to no other; a whole-page rewrite takes the new content", () => {
    const { vfs, files, mem } = testVfs();
    const fd = doSysOpen(vfs, files, "/f", O_CREAT | O_RDWR, 0o600);
    ksysWrite(vfs, files, fd, new TestBuffer(5), PAGE_SIZE);
    const page = fget(files, fd)!.fInode.iMapping.iPages.load(0) - 1;
    const pfn = mem.pageToPfn(page);
    ksysPwrite64(vfs, files, fd, new TestBuffer(5), 100, 10); // the same content: unchanged
    expect(vfs.contents.get(pfn)).toBe(5);
    ksysPwrite64(vfs, files, fd, new TestBuffer(6), 100, 10);
    const mixed = vfs.contents.get(pfn);
    expect(mixed).not.toBe(5);
    expect(mixed).not.toBe(6);
    ksysPwrite64(vfs, files, fd, new TestBuffer(6), PAGE_SIZE, 0);
    expect(vfs.contents.get(pfn)).toBe(6);
  });
});

describe("tmpfs limits", () => {
  it("size= makes a write that does not fit short, the next one ENOSPC; nr_inodes= limits creates", () => {
    const { vfs, files } = testVfs();
    expect(doMount(vfs, "tmpfs", "/root", "tmpfs", 0, "size=40k,nr_inodes=3")).toBe(0);
    const fd = doSysOpen(vfs, files, "/root/a", O_CREAT | O_WRONLY, 0o600);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(ksysWrite(vfs, files, fd, new TestBuffer(1), 64 * 1024)).toBe(40 * 1024); // 10 pages fit
    expect(ksysWrite(vfs, files, fd, new TestBuffer(1), 4096)).toBe(-28); // ENOSPC
    expect(doSysOpen(vfs, files, "/root/b", O_CREAT | O_WRONLY, 0o600)).toBeGreaterThanOrEqual(0); // root + a + b = 3 inodes
    expect(doSysOpen(vfs, files, "/root/c", O_CREAT | O_WRONLY, 0o600)).toBe(-28);
    expectValid(vfs);
    // truncating frees blocks: the mount has room again
    expect(doSysFtruncate(vfs, files, fd, 8192)).toBe(0);
    expect(ksysWrite(vfs, files, fd, new TestBuffer(1), 4096)).toBe(4096);
    expectValid(vfs);
  });

  it("bad mount options are EINVAL; the default size is half of RAM", () => {
    const { vfs } = testVfs({ totalramPages: 1000 });
    expect(doMount(vfs, "tmpfs", "/root", "tmpfs", 0, "size=lots")).toBe(-22);
    expect(doMount(vfs, "tmpfs", "/root", "tmpfs", 0, "colour=blue")).toBe(-22);
    expect(doMount(vfs, "tmpfs", "/root", "nosuchfs", 0, "")).toBe(-19); // ENODEV
    expect(doMount(vfs, "tmpfs", "/root", "tmpfs", 0, "size=50%")).toBe(0);
    const sb = vfs.superBlocks[vfs.superBlocks.length - 1]!;
    expect((sb.sFsInfo as { maxBlocks: number }).maxBlocks).toBe(500);
    const tmp = vfs.superBlocks.find((s) => s.sDev[1] === 3)!; // /tmp, mounted at boot without options
    expect((tmp.sFsInfo as { maxBlocks: number; maxInodes: number }).maxBlocks).toBe(500);
    expect((tmp.sFsInfo as { maxInodes: number }).maxInodes).toBe(500);
  });

  it("tmpfs files charge Committed_AS page by page (VM_NORESERVE) and give it back when freed", () => {
    const { vfs, files } = testVfs();
    const before = vfs.overcommit.committedAs;
    const fd = doSysOpen(vfs, files, "/tmp/c", O_CREAT | O_RDWR, 0o600);
    ksysWrite(vfs, files, fd, new TestBuffer(3), 10 * PAGE_SIZE);
    expect(vfs.overcommit.committedAs - before).toBe(10);
    expect(doSysTruncate(vfs, "/tmp/c", 0)).toBe(0);
    expect(vfs.overcommit.committedAs).toBe(before);
    expectValid(vfs);
  });
});

describe("open, truncate, and their errnos", () => {
  it("O_TRUNC empties an existing file; truncate zeroes the tail of the last page; errors come back as errnos", () => {
    const { vfs, vmstat, files, mem } = testVfs();
    const fd = doSysOpen(vfs, files, "/tmp/t", O_CREAT | O_RDWR, 0o600);
    ksysWrite(vfs, files, fd, new TestBuffer(9), 3 * PAGE_SIZE);
    expect(doSysTruncate(vfs, "/tmp/t", PAGE_SIZE + 10)).toBe(0);
    expect(node(vmstat, NR_SHMEM)).toBe(2);
    const inode = fget(files, fd)!.fInode;
    const p1 = inode.iMapping.iPages.load(1) - 1;
    expect(vfs.contents.get(mem.pageToPfn(p1))).not.toBe(9); // 10 bytes of it stay, the rest is zeros
    expect(vfs.contents.get(mem.pageToPfn(inode.iMapping.iPages.load(0) - 1))).toBe(9);
    const fd2 = doSysOpen(vfs, files, "/tmp/t", O_RDONLY | O_TRUNC, 0);
    expect(fd2).toBe(fd + 1);
    expect(node(vmstat, NR_SHMEM)).toBe(0);
    expect(inode.iSize).toBe(0);
    expect(doSysTruncate(vfs, "/tmp/t", -1)).toBe(-22);
    expect(doSysTruncate(vfs, "/tmp", 0)).toBe(-21); // EISDIR
    expect(doSysTruncate(vfs, "/nope", 0)).toBe(-2); // ENOENT
    expect(doSysFtruncate(vfs, files, fd2, 0)).toBe(-22); // not open for writing
    expect(doSysFtruncate(vfs, files, 99, 0)).toBe(-9); // EBADF
    expect(doSysTruncate(vfs, "/tmp/t", 2 ** 45)).toBe(-27); // EFBIG beyond 16 TiB
    expect(ksysRead(vfs, files, fd2, null, 10)).toBe(0);
    expect(ksysWrite(vfs, files, fd2, new TestBuffer(1), 10)).toBe(-9); // read-only fd: EBADF
    expectValid(vfs);
  });
});

describe("shmem_zero_setup and the vm_ops", () => {
  /** A VMA of `pages` pages at 0x100000000 mapping `file` at offset 0. */
  function vmaOf(file: File, pages: number, flags = 0x3 | VM_SHARED) {
    const mm = new MmStruct(1, new MapleTree());
    const vma = new VmAreaStruct(mm, 0x100000000, 0x100000000 + pages * PAGE_SIZE, flags, vmGetPageProt(flags & 0xf), 0);
    vma.vmFile = file;
    file.fMapping.iMmap.add(vma);
    expect(file.mmap(vma)).toBe(0);
    return vma;
  }
  class Sink implements FaultAroundSink {
    readonly set: number[] = [];
    present = new Set<number>();
    doSetPte(_vmf: VmFault, page: number, address: number): boolean {
      if (this.present.has(address)) return false;
      this.present.add(address);
      this.set.push(page);
      return true;
    }
  }

  it("a shared anonymous mapping gets a /dev/zero (deleted) file on 0:1, charged at its size unless VM_NORESERVE, uncharged at the last fput", () => {
    const { vfs } = testVfs();
    const shmem = vfs.shmem!;
    const mm = new MmStruct(1, new MapleTree());
    const vma = new VmAreaStruct(mm, 0x200000000, 0x200000000 + 64 * PAGE_SIZE, 0x3 | VM_SHARED, vmGetPageProt(3), 0);
    const before = vfs.overcommit.committedAs;
    expect(shmem.zeroSetup(vma)).toBe(0);
    const f = vma.vmFile as File;
    expect(f.path).toBe("/dev/zero (deleted)");
    expect(f.dev).toEqual([0, 1]);
    expect(f.ino).toBe(2); // shm_mnt's root is 1
    expect(vma.vmOps).toBe(shmem.anonVmOps);
    expect(vfs.overcommit.committedAs - before).toBe(64);
    const nr = new VmAreaStruct(mm, 0x300000000, 0x300000000 + 8 * PAGE_SIZE, 0x3 | VM_SHARED | VM_NORESERVE, vmGetPageProt(3), 0);
    shmem.zeroSetup(nr);
    expect(vfs.overcommit.committedAs - before).toBe(64);
    expect(nr.vmOps).toBe(vma.vmOps);
    // the VMA's reference is the file's only one: its fput evicts the inode and uncharges
    fput(vfs, f);
    expect(vfs.overcommit.committedAs - before).toBe(0);
    expectValid(vfs);
  });

  it("fault allocates a zeroed page of the hole (SGP_CACHE) with a reference; SIGBUS at or past EOF", () => {
    const { vfs, vmstat, files, mem } = testVfs();
    const fd = doSysOpen(vfs, files, "/tmp/m", O_CREAT | O_RDWR, 0o600);
    doSysFtruncate(vfs, files, fd, 4 * PAGE_SIZE);
    const file = fget(files, fd)!;
    const vma = vmaOf(file, 8);
    const vmf = new VmFault().set(vma, vma.vmStart + PAGE_SIZE, 0);
    expect(vma.vmOps!.fault(vmf)).toBe(0);
    expect(vmf.page).toBeGreaterThanOrEqual(0);
    expect(mem.refcount[vmf.page]).toBe(2); // the cache's and the fault's
    expect(mem.flags[vmf.page]! & (1 << PG_uptodate | 1 << PG_dirty)).toBe(1 << PG_uptodate); // clean: a read fault
    expect(node(vmstat, NR_SHMEM)).toBe(1);
    const past = new VmFault().set(vma, vma.vmStart + 4 * PAGE_SIZE, 0);
    expect(vma.vmOps!.fault(past)).toBe(VM_FAULT_SIGBUS);
    expect(past.page).toBe(-1);
  });

  it("map_pages sets PTEs for the uptodate cached pages in range below EOF, a reference each, dropped where a PTE was there", () => {
    const { vfs, files, mem } = testVfs();
    const fd = doSysOpen(vfs, files, "/tmp/m", O_CREAT | O_RDWR, 0o600);
    ksysWrite(vfs, files, fd, new TestBuffer(1), 6 * PAGE_SIZE); // pages 0..5
    doSysFtruncate(vfs, files, fd, 5 * PAGE_SIZE); // page 5 gone
    ksysPwrite64(vfs, files, fd, new TestBuffer(1), 10, 7 * PAGE_SIZE); // page 7, i_size grows
    doSysFtruncate(vfs, files, fd, 7 * PAGE_SIZE + 10);
    const file = fget(files, fd)!;
    const vma = vmaOf(file, 16);
    const sink = new Sink();
    sink.present.add(vma.vmStart + 2 * PAGE_SIZE); // a PTE already there
    const vmf = new VmFault().set(vma, vma.vmStart + 3 * PAGE_SIZE, 0);
    vmf.sink = sink;
    const refs = (i: number) => mem.refcount[file.fMapping.iPages.load(i) - 1];
    expect(vma.vmOps!.mapPages!(vmf, 0, 15)).toBe(VM_FAULT_NOPAGE);
    expect(sink.set.length).toBe(5); // 0, 1, 3, 4, 7 (2 had its PTE, 5 and 6 are holes)
    expect(refs(0)).toBe(2);
    expect(refs(2)).toBe(1);
    expect(refs(7)).toBe(2);
    const miss = new VmFault().set(vma, vma.vmStart + 6 * PAGE_SIZE, 0);
    miss.sink = sink;
    expect(vma.vmOps!.mapPages!(miss, 5, 6)).toBe(0);
    expectValid(vfs);
  });
});
