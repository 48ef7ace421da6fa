// Tests of mm/filemap.c through ramfs (the generic paths a disk filesystem uses): filemap_add_folio and removal counters, FGP lookups, filemap_read's batches and accessed marking, generic_perform_write, filemap_fault and map_pages, dirty accounting of a mapping that writes back
import { NR_FILE_DIRTY, NR_FILE_PAGES, NR_SHMEM, NR_ZONE_WRITE_PENDING, PAGE_SIZE, PGMAJFAULT, PG_active, PG_dirty, PG_referenced, PG_uptodate } from "@mmsim/core";
import { MapleTree, MmStruct, VM_FAULT_MAJOR, VM_FAULT_SIGBUS, VM_SHARED, VmAreaStruct, VmFault } from "@mmsim/vma";
import { vmGetPageProt } from "@mmsim/hw-arm64";
import { describe, expect, it } from "vitest";
import { O_CREAT, O_RDWR } from "./fs.ts";
import { TestBuffer, expectValid, testVfs } from "./filemap.test-helpers.ts";
import { fget } from "./file.ts";
import {
  FGP_ACCESSED, FGP_CREAT, FGP_LOCK, __filemapGetFolio, filemapAddFolio, filemapAllocFolio, filemapGetFolio, filemapRemoveFolio,
} from "./filemap.ts";
import { doMount } from "./namespace.ts";
import { doSysOpen } from "./open.ts";
import { folioMarkDirty } from "./page-writeback.ts";
import { ksysPread64, ksysPwrite64, ksysRead, ksysWrite } from "./read-write.ts";
import { folioMarkAccessed, folioPut, folioUnlock } from "./swap.ts";

const node = (vs: { nodeStat(n: number): Float64Array }, item: number) => vs.nodeStat(0)[item]!;

/** A ramfs mounted on /root and a file there, open O_RDWR. */
function ramfsFile() {
  const t = testVfs();
  expect(doMount(t.vfs, "ramfs", "/root", "ramfs", 0, "")).toBe(0);
  const fd = doSysOpen(t.vfs, t.files, "/root/f", O_CREAT | O_RDWR, 0o644);
  expect(fd).toBe(0);
  return { ...t, fd, file: fget(t.files, fd)! };
}

describe("the page cache's add, lookup and remove", () => {
  it("filemap_add_folio takes the cache's reference and counts NR_FILE_PAGES; removal undoes both and frees at the last put", () => {
    const { vfs, vmstat, mem, file, pages } = ramfsFile();
    const mapping = file.fMapping;
    const page = filemapAllocFolio(vfs, mapping.gfpMask);
    expect(filemapAddFolio(vfs, mapping, page, 5, 0)).toBe(0);
    expect(mem.refcount[page]).toBe(2);
    expect(mem.mapping[page]).toBe(mapping.id);
    expect(mem.index[page]).toBe(5);
    expect(node(vmstat, NR_FILE_PAGES)).toBe(1);
    expect(node(vmstat, NR_SHMEM)).toBe(0); // ramfs pages are not swap-backed
    expect(filemapAddFolio(vfs, mapping, filemapAllocFolio(vfs, mapping.gfpMask), 5, 0)).toBe(-17); // EEXIST
    folioUnlock(vfs, page);
    folioPut(vfs, page); // the allocation's reference
    expectValid(vfs);
    const live = pages.pagesInUse;
    filemapRemoveFolio(vfs, mapping, page);
    expect(node(vmstat, NR_FILE_PAGES)).toBe(0);
    expect(mem.mapping[page]).toBe(0);
    expect(pages.pagesInUse).toBe(live - 1);
    expectValid(vfs);
  });

  it("FGP_CREAT adds a locked page; FGP_ACCESSED marks it referenced, then active on the second touch", () => {
    const { vfs, mem, file } = ramfsFile();
    const mapping = file.fMapping;
    expect(filemapGetFolio(vfs, mapping, 3)).toBe(-1);
    const page = __filemapGetFolio(vfs, mapping, 3, FGP_CREAT | FGP_LOCK | FGP_ACCESSED, mapping.gfpMask);
    expect(mem.flags[page]! & (1 << 0)).toBe(1); // PG_locked
    expect(mem.flags[page]! & (1 << PG_referenced)).not.toBe(0);
    folioUnlock(vfs, page);
    folioPut(vfs, page);
    const again = __filemapGetFolio(vfs, mapping, 3, FGP_ACCESSED, 0);
    expect(again).toBe(page);
    expect(mem.flags[page]! & (1 << PG_active | 1 << PG_referenced)).toBe(1 << PG_active);
    folioPut(vfs, page);
    folioMarkAccessed(vfs, page); // active: referenced again, stays active
    expect(mem.flags[page]! & (1 << PG_active | 1 << PG_referenced)).toBe(1 << PG_active | 1 << PG_referenced);
  });
});

describe("ramfs through filemap_read and generic_perform_write", () => {
  it("a hole is read through read_folio (a zeroed page stays cached), written data reads back, EOF stops the read", () => {
    const { vfs, vmstat, files, fd, file } = ramfsFile();
    expect(ksysPwrite64(vfs, files, fd, new TestBuffer(11), 2 * PAGE_SIZE, 2 * PAGE_SIZE)).toBe(2 * PAGE_SIZE);
    expect(node(vmstat, NR_FILE_PAGES)).toBe(2);
    const out = new TestBuffer();
    expect(ksysRead(vfs, files, fd, out, 1 << 20)).toBe(4 * PAGE_SIZE);
    expect(out.landed.map((l) => l[2])).toEqual([0, 0, 11, 11]);
    expect(node(vmstat, NR_FILE_PAGES)).toBe(4); // simple_read_folio filled the hole pages
    expect(ksysRead(vfs, files, fd, out, 1)).toBe(0);
    expect(ksysPread64(vfs, files, fd, out, 4096, 100 * PAGE_SIZE)).toBe(0);
    expect(node(vmstat, NR_FILE_PAGES)).toBe(4); // a read at or past EOF adds no page
    expect(file.fMapping.aOps.name).toBe("ram_aops");
    expectValid(vfs);
  });

  it("a sequential read marks each page accessed once, but the first page of each later batch continues the previous read", () => {
    const { vfs, files, fd, file, mem } = ramfsFile();
    ksysWrite(vfs, files, fd, new TestBuffer(1), 40 * PAGE_SIZE);
    // writes set PG_referenced through FGP_ACCESSED? no: grab_cache_page_write_begin has no FGP_ACCESSED
    const flagsOf = (i: number) => mem.flags[file.fMapping.iPages.load(i) - 1]! & (1 << PG_referenced | 1 << PG_active);
    expect(flagsOf(0)).toBe(0);
    expect(ksysPread64(vfs, files, fd, null, 40 * PAGE_SIZE, 0)).toBe(40 * PAGE_SIZE);
    // batches of 15: pages 0–14, 15–29, 30–39; pages 15 and 30 open a batch where the previous one ended
    for (let i = 0; i < 40; i++) expect(flagsOf(i)).toBe(i === 15 || i === 30 ? 0 : 1 << PG_referenced);
  });

  it("a mapping that writes back counts its dirty pages in NR_FILE_DIRTY and NR_ZONE_WRITE_PENDING and tags them", () => {
    const { vfs, vmstat, file, mem } = ramfsFile();
    file.fInode.iSb.sBdiWriteback = true; // as a disk filesystem's
    const mapping = file.fMapping;
    mapping.aOps = { ...mapping.aOps, dirtyFolio: (m, p) => folioMarkDirtyWb(m, p) };
    function folioMarkDirtyWb(m: typeof mapping, p: number): boolean {
      return filemapDirtyFolioFn(vfs, m, p);
    }
    const page = __filemapGetFolio(vfs, mapping, 0, FGP_CREAT | FGP_LOCK, mapping.gfpMask);
    mem.flags[page] = mem.flags[page]! | (1 << PG_uptodate);
    expect(folioMarkDirty(vfs, mapping, page)).toBe(true);
    expect(folioMarkDirty(vfs, mapping, page)).toBe(false);
    expect(node(vmstat, NR_FILE_DIRTY)).toBe(1);
    expect(vmstat.zoneStat(0)[NR_ZONE_WRITE_PENDING]).toBe(1);
    expect(mapping.iPages.getMark(0, 0)).toBe(true);
    expect(mem.flags[page]! & (1 << PG_dirty)).not.toBe(0);
    folioUnlock(vfs, page);
    folioPut(vfs, page);
    expectValid(vfs);
  });
});

import { filemapDirtyFolio as filemapDirtyFolioFn } from "./page-writeback.ts";

describe("filemap_fault and map_pages on ramfs", () => {
  it("a fault on a hole reads it (major: PGMAJFAULT), a cached page is minor, past EOF is SIGBUS", () => {
    const { vfs, vmstat, files, fd, file, mem } = ramfsFile();
    ksysPwrite64(vfs, files, fd, new TestBuffer(4), PAGE_SIZE, 0);
    ksysPwrite64(vfs, files, fd, new TestBuffer(4), PAGE_SIZE, 3 * PAGE_SIZE);
    const mm = new MmStruct(1, new MapleTree());
    const vma = new VmAreaStruct(mm, 0x100000000, 0x100000000 + 8 * PAGE_SIZE, 0x3 | VM_SHARED, vmGetPageProt(3), 0);
    vma.vmFile = file;
    file.fMapping.iMmap.add(vma);
    expect(file.mmap(vma)).toBe(0);
    expect(vma.vmOps).toBe(vfs.genericFileVmOps);
    const hit = new VmFault().set(vma, vma.vmStart, 0);
    expect(vma.vmOps!.fault(hit)).toBe(0);
    expect(mem.refcount[hit.page]).toBe(2);
    const hole = new VmFault().set(vma, vma.vmStart + PAGE_SIZE, 0);
    expect(vma.vmOps!.fault(hole)).toBe(VM_FAULT_MAJOR);
    expect(vmstat.vmEvents[PGMAJFAULT]).toBe(1);
    expect(mem.flags[hole.page]! & (1 << PG_uptodate)).not.toBe(0);
    expect(vma.vmOps!.fault(new VmFault().set(vma, vma.vmStart + 4 * PAGE_SIZE, 0))).toBe(VM_FAULT_SIGBUS);
    // page_mkwrite marks it dirty (noop_dirty_folio on ramfs: the flag only)
    expect(vma.vmOps!.pageMkwrite!(hit)).toBe(0x200); // VM_FAULT_LOCKED
    expect(node(vmstat, NR_FILE_DIRTY)).toBe(0);
    folioPut(vfs, hit.page);
    folioPut(vfs, hole.page);
    expectValid(vfs);
  });
});
