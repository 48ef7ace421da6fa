// mmsim: file-backed and shmem faults over a fake page cache — fault-around windows, COW of file pages, shared writes with page_mkwrite and write-notify, fork, munmap/exit, truncate-like unmaps, rmap_walk_file, folio_referenced / try_to_unmap / folio_mkclean of file pages — validate() after every step
import { NR_ANON_MAPPED, NR_FILE_DIRTY, NR_FILE_MAPPED, NR_PAGETABLE, PGFAULT, PGMAJFAULT, PG_dirty, PG_referenced } from "@mmsim/core";
import { ACCESS_READ, ACCESS_WRITE, PTE_AF, PTE_DIRTY_HI, PTE_RDONLY, PTE_WRITE_HI, vmGetPageProt } from "@mmsim/hw-arm64";
import {
  FAULT_FLAG_USER, FAULT_FLAG_WRITE, MM_ANONPAGES, VM_FAULT_ERROR, MM_FILEPAGES, MM_SHMEMPAGES, TaskStruct, VM_FAULT_SIGBUS, VM_LOCKED, VM_MAYEXEC,
  VM_MAYREAD, VM_MAYSHARE, VM_MAYWRITE, VM_READ, VM_SEQ_READ, VM_SHARED, VM_WRITE, type VmAreaStruct, syncMmRss,
} from "@mmsim/vma";
import { describe, expect, it } from "vitest";
import { FAULT_HANDLED, FAULT_SIGBUS } from "./fault-arm64.ts";
import {
  FF_AROUND, FF_AROUND_PTES, FF_COW, FF_MAJOR, FF_MKWRITE, FF_READ, FF_SHARED, FF_SIGBUS, FF_WP_SHARED,
} from "./file-fault.ts";
import { FakePageCache, type FakeFile } from "./file-fault.test-helpers.ts";
import { Rig } from "./fault.test-helpers.ts";
import { FS_ACCESS_FLAG, FS_DIRTY, FS_WP_COPY } from "./memory.ts";
import { contentFill } from "./page-contents.ts";

const A = 0x7f0000000000; // 2 MiB aligned
const P = 4096;
const R = ACCESS_READ;
const W = ACCESS_WRITE;
/** A MAP_PRIVATE PROT_READ|PROT_WRITE file mapping's flags. */
const PRIV = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
/** MAP_SHARED PROT_READ|PROT_WRITE on a file opened O_RDWR. */
const SHARED = PRIV | VM_SHARED | VM_MAYSHARE;

function setup(): { rig: Rig; cache: FakePageCache } {
  const rig = new Rig();
  rig.m.thp.enabled = "never";
  return { rig, cache: new FakePageCache(rig.m, rig.buddy, rig.fileMappings) };
}

const ev = (rig: Rig, item: number) => rig.vmstat.vmEvents[item]!;
const node = (rig: Rig, item: number) => rig.vmstat.nodeStat(0)[item]!;
/** An rss counter as get_mm_counter will read it once the task's cache is folded. */
const rss = (t: TaskStruct, idx: number) => t.mm!.rssStat[idx]! + t.rssStat[idx]!;
/** The leaf PTE of addr (lo, hi), or null. */
function pte(rig: Rig, t: TaskStruct, addr: number): [number, number] | null {
  const e = rig.m.store;
  const pgt = t.mm!.pgtables!;
  let table = pgt.pgd;
  for (let level = e.startLevel; level <= 3; level++) {
    const shift = 12 + 9 * (3 - level);
    const entry = table + (Math.floor(addr / 2 ** shift) % 512) * 8;
    const lo = e.readLo(entry);
    const hi = e.readHi(entry);
    if (lo === 0 && hi === 0) return null;
    if (level === 3) return [lo, hi];
    table = (hi & 0xffff) * 4294967296 + ((lo & 0xfffff000) >>> 0);
  }
  return null;
}
const mapped = (rig: Rig, t: TaskStruct, v: VmAreaStruct) => {
  const out: number[] = [];
  for (let a = v.vmStart; a < v.vmEnd; a += P) if (pte(rig, t, a) !== null) out.push((a - v.vmStart) / P);
  return out;
};
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const pageOf = (file: FakeFile, index: number) => file.mapping.pages.get(index)!;

describe("read faults and fault-around (do_read_fault, do_fault_around, do_set_pte)", () => {
  it("a read maps the 16 cached pages of its 64 KiB window in one fault: file rmap, NR_FILE_MAPPED, MM_FILEPAGES batched, PTEs young on the A57", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 64 * P);
    cache.populate(file, 0, 64);
    const v = rig.fileVma(t, A, 64 * P, PRIV & ~VM_WRITE, file);
    expect(rig.f.userAccess(t, A + 5 * P + 7, R)).toBe(FAULT_HANDLED);
    rig.check("first read");
    expect(file.ops.counts.windows).toEqual([[0, 15]]);
    expect(file.ops.counts.fault).toBe(0); // its own page was among them: ->fault is not called
    expect(rig.m.file.stats[FF_AROUND]).toBe(1);
    expect(rig.m.file.stats[FF_AROUND_PTES]).toBe(16);
    expect(mapped(rig, t, v)).toEqual(range(0, 16));
    expect(ev(rig, PGFAULT)).toBe(1);
    expect(t.minFlt).toBe(1);
    expect(node(rig, NR_FILE_MAPPED)).toBe(16);
    expect(t.rssStat[MM_FILEPAGES]).toBe(16); // add_mm_counter_fast: still in the task's cache
    expect(t.mm!.rssStat[MM_FILEPAGES]).toBe(0);
    for (let i = 0; i < 16; i++) {
      const page = pageOf(file, i);
      expect(rig.mem.mapcount[page]).toBe(0);
      expect(rig.mem.refcount[page]).toBe(2); // the page cache's and the PTE's
      expect(pte(rig, t, A + i * P)![0] & PTE_AF).not.toBe(0); // arch_wants_old_prefaulted_pte() is false without hardware AF
    }
    // The other 15 pages of the window cost no fault; the 17th starts the next window.
    for (let i = 0; i < 16; i++) expect(rig.f.userAccess(t, A + i * P, R)).toBe(FAULT_HANDLED);
    expect(ev(rig, PGFAULT)).toBe(1);
    rig.f.userAccess(t, A + 16 * P, R);
    expect(file.ops.counts.windows[1]).toEqual([16, 31]);
    expect(ev(rig, PGFAULT)).toBe(2);
    for (let i = 0; i < 64; i++) rig.f.userAccess(t, A + i * P, R);
    expect(ev(rig, PGFAULT)).toBe(4); // N pages, N/16 faults
    syncMmRss(t, t.mm!);
    expect(t.mm!.rssStat[MM_FILEPAGES]).toBe(64);
    rig.check("whole file read");
  });

  it("with hardware AF (ARMv8.1) the prefaulted PTEs are old: each neighbour then takes an access-flag fault", () => {
    const { rig, cache } = setup();
    rig.m.file.hwAf = true;
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16);
    rig.fileVma(t, A, 16 * P, PRIV, file);
    rig.f.userAccess(t, A + 3 * P, R);
    rig.check("read");
    expect(pte(rig, t, A + 3 * P)![0] & PTE_AF).not.toBe(0);
    expect(pte(rig, t, A + 4 * P)![0] & PTE_AF).toBe(0);
    rig.f.userAccess(t, A + 4 * P, R);
    expect(rig.m.stats[FS_ACCESS_FLAG]).toBe(1);
    expect(ev(rig, PGFAULT)).toBe(2);
  });

  it("the window is aligned on the virtual address; a VMA not 64 KiB aligned takes one more fault (6.1 moves the window up to vm_start)", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 64 * P);
    cache.populate(file, 0, 64);
    // the VMA starts 3 pages into a 64 KiB block
    const v = rig.fileVma(t, A + 3 * P, 64 * P, PRIV, file);
    for (let i = 0; i < 64; i++) expect(rig.f.userAccess(t, v.vmStart + i * P, R)).toBe(FAULT_HANDLED);
    rig.check("unaligned VMA read");
    expect(file.ops.counts.windows).toEqual([[0, 15], [13, 28], [29, 44], [45, 60], [61, 63]]);
    expect(ev(rig, PGFAULT)).toBe(5);
    // A fault in the middle of an aligned window maps the whole window.
    const t2 = rig.task();
    const v2 = rig.fileVma(t2, A, 64 * P, PRIV, file, 0);
    rig.f.userAccess(t2, A + 40 * P, R);
    expect(file.ops.counts.windows.at(-1)).toEqual([32, 47]);
    expect(mapped(rig, t2, v2)).toEqual(range(32, 48));
    rig.check("middle");
  });

  it("fewer pages at the VMA's end, at the file's end (map_pages stops at i_size; past it ->fault gives SIGBUS) and at the page table's end", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 10 * P + 100); // 11 pages, the last one partly
    cache.populate(file, 0, 11);
    const v = rig.fileVma(t, A, 16 * P, PRIV, file);
    rig.f.userAccess(t, A, R);
    expect(mapped(rig, t, v)).toEqual(range(0, 11));
    expect(rig.f.userAccess(t, A + 12 * P, R)).toBe(FAULT_SIGBUS);
    expect(rig.m.file.stats[FF_SIGBUS]).toBe(1);
    expect(ev(rig, PGFAULT)).toBe(2);
    expect(t.minFlt).toBe(1); // an error is not accounted (mm_account_fault)
    rig.check("file end");
    // The VMA's end: 20 pages, a fault at page 17 maps 16..19.
    const big = cache.createFile("/data/big", 1024 * P);
    cache.populate(big, 0, 1024);
    const v2 = rig.fileVma(t, A + 0x100000, 20 * P, PRIV, big);
    rig.f.userAccess(t, v2.vmStart + 17 * P, R);
    expect(big.ops.counts.windows).toEqual([[16, 19]]);
    expect(mapped(rig, t, v2)).toEqual(range(16, 20));
    // The page table's end: a VMA starting 3 pages below a 2 MiB boundary, faulting at its second page.
    const v3 = rig.fileVma(t, A + 0x400000 - 3 * P, 32 * P, PRIV, big, 100);
    rig.f.userAccess(t, v3.vmStart + P, R);
    expect(big.ops.counts.windows[1]).toEqual([100, 102]);
    expect(mapped(rig, t, v3)).toEqual([0, 1, 2]);
    rig.check("windows");
  });

  it("a cold cache: ->fault reads the page (VM_FAULT_MAJOR: maj_flt, pgmajfault from the page cache), fault-around maps only what is cached", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 32 * P);
    cache.populate(file, 8, 4); // pages 8..11 cached
    const v = rig.fileVma(t, A, 32 * P, PRIV, file);
    expect(rig.f.userAccess(t, A + 2 * P, R)).toBe(FAULT_HANDLED);
    rig.check("major");
    expect(file.ops.counts.fault).toBe(1);
    expect(t.majFlt).toBe(1);
    expect(t.minFlt).toBe(0);
    expect(ev(rig, PGMAJFAULT)).toBe(1);
    expect(rig.m.file.stats[FF_MAJOR]).toBe(1);
    expect(rig.m.file.stats[FF_READ]).toBe(1);
    expect(mapped(rig, t, v)).toEqual([2, 8, 9, 10, 11]);
    expect(rig.mem.refcount[pageOf(file, 2)]).toBe(2);
  });

  it("VM_FAULT_RETRY (the page cache dropped mmap_lock for the read): do_page_fault retries with FAULT_FLAG_TRIED, two pgfaults, one major fault", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    file.ops.retryOnMiss = true;
    const v = rig.fileVma(t, A, 16 * P, PRIV, file);
    expect(rig.f.userAccess(t, A + P, R)).toBe(FAULT_HANDLED);
    rig.check("retried");
    expect(file.ops.counts.fault).toBe(1); // the retry's fault-around finds the page the first attempt read
    expect(file.ops.counts.mapPages).toBe(2);
    expect(ev(rig, PGFAULT)).toBe(2);
    expect(ev(rig, PGMAJFAULT)).toBe(1);
    expect(t.majFlt).toBe(1);
    expect(t.minFlt).toBe(0);
    expect(mapped(rig, t, v)).toEqual([1]);
  });

  it("fault_around_bytes: a power of two up to PTRS_PER_PTE pages (debugfs semantics); 4096 turns fault-around off", () => {
    const { rig, cache } = setup();
    const ff = rig.m.file;
    expect(ff.faultAroundBytes).toBe(65536);
    expect(ff.showFaultAroundBytes()).toBe("65536\n");
    expect(ff.setFaultAroundBytes(100000)).toBe(0);
    expect(ff.faultAroundBytes).toBe(65536);
    expect(ff.setFaultAroundBytes(3 * P)).toBe(0);
    expect(ff.faultAroundBytes).toBe(8192);
    expect(ff.setFaultAroundBytes(0)).toBe(0);
    expect(ff.faultAroundBytes).toBe(4096);
    expect(ff.setFaultAroundBytes(512 * P + 1)).toBe(-22);
    expect(ff.setFaultAroundBytes(512 * P)).toBe(0);
    expect(ff.setFaultAroundBytes(P)).toBe(0);
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16);
    const v = rig.fileVma(t, A, 16 * P, PRIV, file);
    rig.f.userAccess(t, A + P, R);
    expect(file.ops.counts.mapPages).toBe(0);
    expect(file.ops.counts.fault).toBe(1);
    expect(mapped(rig, t, v)).toEqual([1]);
    rig.check("no fault-around");
    ff.setFaultAroundBytes(8192);
    rig.f.userAccess(t, A + 6 * P, R);
    expect(mapped(rig, t, v)).toEqual([1, 6, 7]);
  });

  it("a file VMA without vm_ops (its file has no mmap) is SIGBUS", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    const v = rig.fileVma(t, A, 16 * P, PRIV, file);
    v.vmOps = null;
    expect(rig.f.userAccess(t, A, R)).toBe(FAULT_SIGBUS);
    expect(rig.m.handleMmFault(v, A, FAULT_FLAG_USER)).toBe(VM_FAULT_SIGBUS);
  });
});

describe("private writes (do_cow_fault, wp_page_copy of a file page)", () => {
  it("a write with no PTE maps one anonymous copy of the file page (its contents too); the page cache keeps the file page, unmapped", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16, 0x100);
    const v = rig.fileVma(t, A, 16 * P, PRIV, file);
    rig.m.current = t;
    // VM_FAULT_LOCKED from ->fault travels up to handle_mm_fault's caller, as in 6.1 (no error bit)
    expect(rig.m.handleMmFault(v, A + 3 * P, FAULT_FLAG_WRITE | FAULT_FLAG_USER) & VM_FAULT_ERROR).toBe(0);
    rig.check("cow");
    expect(mapped(rig, t, v)).toEqual([3]); // no fault-around for writes
    const filePage = pageOf(file, 3);
    const pfn = rig.f.translate(t.mm!, A + 3 * P, W);
    expect(pfn).toBeGreaterThan(0);
    expect(pfn).not.toBe(rig.mem.pageToPfn(filePage));
    expect(rig.m.contents.get(pfn)).toBe(contentFill(0x103)); // copy_user_highpage
    expect(rig.rmap.pageAnon(rig.mem.pfnToPage(pfn))).toBe(true);
    expect(rig.mem.refcount[filePage]).toBe(1);
    expect(rig.mem.mapcount[filePage]).toBe(-1);
    expect(rss(t, MM_ANONPAGES)).toBe(1);
    expect(rss(t, MM_FILEPAGES)).toBe(0);
    expect(node(rig, NR_ANON_MAPPED)).toBe(1);
    expect(node(rig, NR_FILE_MAPPED)).toBe(0);
    expect(rig.m.file.stats[FF_COW]).toBe(1);
    // The user's write goes to the copy only.
    rig.f.userAccess(t, A + 3 * P, W, contentFill(7));
    expect(rig.m.contents.get(rig.mem.pageToPfn(filePage))).toBe(contentFill(0x103));
  });

  it("read then write: the file page mapped read-only is copied by do_wp_page (MM_FILEPAGES − 1, MM_ANONPAGES + 1)", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16, 0x200);
    rig.fileVma(t, A, 16 * P, PRIV, file);
    rig.f.userAccess(t, A + 4 * P, R);
    expect(pte(rig, t, A + 4 * P)![1] & PTE_WRITE_HI).toBe(0); // a private mapping's PTE is read-only (COW)
    expect(rig.f.userAccess(t, A + 4 * P, W, contentFill(9))).toBe(FAULT_HANDLED);
    rig.check("wp copy");
    expect(rig.m.stats[FS_WP_COPY]).toBe(1);
    expect(rss(t, MM_FILEPAGES)).toBe(15);
    expect(rss(t, MM_ANONPAGES)).toBe(1);
    expect(node(rig, NR_FILE_MAPPED)).toBe(15);
    expect(rig.mem.mapcount[pageOf(file, 4)]).toBe(-1);
    expect(rig.m.contents.get(rig.mem.pageToPfn(pageOf(file, 4)))).toBe(contentFill(0x204));
  });
});

describe("shared writes (do_shared_fault, write-notify, wp_page_shared)", () => {
  it("a write with no PTE: page_mkwrite, the PTE writable and dirty, the page dirty (NR_FILE_DIRTY), fault_dirty_shared_page", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16);
    rig.fileVma(t, A, 16 * P, SHARED, file);
    expect(rig.f.userAccess(t, A + 2 * P, W, contentFill(5))).toBe(FAULT_HANDLED);
    rig.check("shared write");
    expect(file.ops.counts.pageMkwrite).toBe(1);
    expect(file.ops.counts.dirtyShared).toBe(1);
    expect(rig.m.file.stats[FF_SHARED]).toBe(1);
    const [lo, hi] = pte(rig, t, A + 2 * P)!;
    expect(hi & PTE_WRITE_HI).not.toBe(0);
    expect(lo & PTE_RDONLY).toBe(0);
    const page = pageOf(file, 2);
    expect(rig.mem.flags[page]! & (1 << PG_dirty)).not.toBe(0);
    expect(node(rig, NR_FILE_DIRTY)).toBe(1);
    expect(rig.m.contents.get(rig.mem.pageToPfn(page))).toBe(contentFill(5)); // the file's own page was written
    expect(rss(t, MM_FILEPAGES)).toBe(1);
    expect(rss(t, MM_ANONPAGES)).toBe(0);
  });

  it("write-notify: a read maps the shared pages read-only; the first write to each goes through wp_page_shared → page_mkwrite", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16);
    const v = rig.fileVma(t, A, 16 * P, SHARED, file);
    expect(rig.m.file.vmaWantsWritenotify(v)).toBe(true);
    rig.f.userAccess(t, A, R);
    for (let i = 0; i < 16; i++) expect(pte(rig, t, A + i * P)![1] & PTE_WRITE_HI).toBe(0);
    const faults = ev(rig, PGFAULT);
    expect(rig.f.userAccess(t, A + 4 * P, W)).toBe(FAULT_HANDLED);
    rig.check("wp_page_shared");
    expect(ev(rig, PGFAULT)).toBe(faults + 1);
    expect(rig.m.file.stats[FF_WP_SHARED]).toBe(1);
    expect(rig.m.file.stats[FF_MKWRITE]).toBe(1);
    expect(file.ops.counts.dirtyShared).toBe(1);
    expect(rig.mem.flags[pageOf(file, 4)]! & (1 << PG_dirty)).not.toBe(0);
    expect(rig.mem.refcount[pageOf(file, 4)]).toBe(2);
    // Written again: no fault.
    rig.f.userAccess(t, A + 4 * P, W);
    expect(ev(rig, PGFAULT)).toBe(faults + 1);
    // A refusal (a truncated page past EOF): SIGBUS, nothing changes.
    file.ops.refuseMkwrite = VM_FAULT_SIGBUS;
    expect(rig.f.userAccess(t, A + 5 * P, W)).toBe(FAULT_SIGBUS);
    expect(rig.mem.refcount[pageOf(file, 5)]).toBe(2);
    expect(pte(rig, t, A + 5 * P)![1] & PTE_WRITE_HI).toBe(0);
    rig.check("refused");
  });

  it("folio_mkclean (writeback) write-protects the shared PTEs; the next write notifies again; mprotect keeps dirty PTEs writable", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16);
    const v = rig.fileVma(t, A, 16 * P, SHARED, file);
    rig.f.userAccess(t, A, W);
    rig.f.userAccess(t, A + P, R);
    const page = pageOf(file, 0);
    // clear_page_dirty_for_io: folio_mkclean, then the dirty flag is the writeback's
    expect(rig.rmap.pageMkclean(page)).toBe(1);
    expect(rig.rmap.pageMkclean(pageOf(file, 1))).toBe(0); // clean and read-only already
    rig.mem.flags[page] &= ~(1 << PG_dirty);
    const [lo, hi] = pte(rig, t, A)!;
    expect(hi & (PTE_WRITE_HI | PTE_DIRTY_HI)).toBe(0);
    expect(lo & PTE_RDONLY).not.toBe(0);
    rig.check("mkclean");
    const mk = file.ops.counts.pageMkwrite;
    rig.f.userAccess(t, A, W);
    expect(file.ops.counts.pageMkwrite).toBe(mk + 1);
    expect(rig.mem.flags[page]! & (1 << PG_dirty)).not.toBe(0);
    // mprotect(PROT_READ) then back: the dirty PTE is made writable at once (can_change_pte_writable), the clean one stays read-only.
    v.vmFlags &= ~VM_WRITE;
    v.vmPageProt = vmGetPageProt(v.vmFlags & 0xf);
    rig.m.changeProtection(v, v.vmStart, v.vmEnd);
    expect(pte(rig, t, A)![1] & PTE_WRITE_HI).toBe(0);
    v.vmFlags |= VM_WRITE;
    v.vmPageProt = vmGetPageProt(v.vmFlags & 0xf);
    rig.m.changeProtection(v, v.vmStart, v.vmEnd);
    rig.check("mprotect");
    expect(pte(rig, t, A)![1] & PTE_WRITE_HI).not.toBe(0);
    expect(pte(rig, t, A + P)![1] & PTE_WRITE_HI).toBe(0);
    const faults = ev(rig, PGFAULT);
    rig.f.userAccess(t, A, W);
    expect(ev(rig, PGFAULT)).toBe(faults);
  });

  it("shmem (no page_mkwrite, no writeback): no write-notify, a read maps writable clean PTEs and the first write takes only a dirty-bit fault; MM_SHMEMPAGES", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/dev/zero (deleted)", 16 * P, "shmem");
    cache.populate(file, 0, 16);
    const v = rig.fileVma(t, A, 16 * P, SHARED, file);
    expect(rig.m.file.vmaWantsWritenotify(v)).toBe(false);
    rig.f.userAccess(t, A, R);
    const [lo, hi] = pte(rig, t, A)!;
    expect(hi & PTE_WRITE_HI).not.toBe(0);
    expect(lo & PTE_RDONLY).not.toBe(0);
    rig.f.userAccess(t, A, W);
    rig.check("shmem");
    expect(rig.m.stats[FS_DIRTY]).toBe(1);
    expect(rig.m.file.stats[FF_WP_SHARED]).toBe(0);
    expect(rss(t, MM_SHMEMPAGES)).toBe(16);
    expect(rss(t, MM_FILEPAGES)).toBe(0);
    // A fault on an uncached shmem page allocates it: minor, no pgmajfault.
    const file2 = cache.createFile("/dev/shm/x", 16 * P, "shmem");
    rig.fileVma(t, A + 0x100000, 16 * P, SHARED, file2);
    rig.f.userAccess(t, A + 0x100000, W);
    expect(t.majFlt).toBe(0);
    expect(ev(rig, PGMAJFAULT)).toBe(0);
    expect(file2.ops.counts.pageMkwrite).toBe(0);
    expect(file2.ops.counts.dirtyShared).toBe(1);
    rig.check("shmem write fault");
  });
});

describe("fork, munmap, exit, truncation", () => {
  it("fork copies a private file VMA with an anon_vma (file pages dup'ed, COW pages shared), not a shared one (the child faults again); exits drop every mapping", () => {
    const { rig, cache } = setup();
    const p = rig.task();
    const file = cache.createFile("/data/f", 32 * P);
    const shm = cache.createFile("/dev/zero (deleted)", 16 * P, "shmem");
    cache.populate(file, 0, 32, 0x300);
    cache.populate(shm, 0, 16);
    const pv = rig.fileVma(p, A, 32 * P, PRIV, file);
    const sv = rig.fileVma(p, A + 0x200000, 16 * P, SHARED, shm);
    rig.f.userAccess(p, A, R); // 16 file pages
    rig.f.userAccess(p, A + 3 * P, W, contentFill(1)); // one COW page
    rig.f.userAccess(p, sv.vmStart, R); // 16 shmem pages
    rig.f.userAccess(p, sv.vmStart, W); // one dirty
    syncMmRss(p, p.mm!);
    rig.check("parent");
    expect(pv.anonVma).not.toBeNull();
    expect(node(rig, NR_FILE_MAPPED)).toBe(15 + 16);
    const c = rig.fork(p);
    rig.check("fork");
    const cv = c.mm!.mt.lookup(A)!;
    const csv = c.mm!.mt.lookup(sv.vmStart)!;
    expect(mapped(rig, c, cv)).toEqual(range(0, 16));
    expect(mapped(rig, c, csv)).toEqual([]); // vma_needs_copy: no anon_vma, no copy
    expect(c.mm!.rssStat[MM_FILEPAGES]).toBe(15);
    expect(c.mm!.rssStat[MM_ANONPAGES]).toBe(1);
    expect(c.mm!.rssStat[MM_SHMEMPAGES]).toBe(0);
    expect(rig.mem.mapcount[pageOf(file, 0)]).toBe(1);
    expect(node(rig, NR_FILE_MAPPED)).toBe(31); // page_dup_file_rmap: no new first mapping
    // The COW page is shared write-protected; the child's write copies it.
    const cowPfn = rig.f.translate(p.mm!, A + 3 * P, R);
    expect(rig.f.userAccess(c, A + 3 * P, R)).toBe(FAULT_HANDLED); // old PTE: an access-flag fault
    expect(rig.f.lastPfn).toBe(cowPfn);
    rig.f.userAccess(c, A + 3 * P, W, contentFill(2));
    expect(rig.f.lastPfn).not.toBe(cowPfn);
    // The child reads the shared mapping: faults again, maps the same pages.
    rig.f.userAccess(c, csv.vmStart + P, R);
    expect(rig.f.lastPfn).toBe(rig.mem.pageToPfn(pageOf(shm, 1)));
    expect(mapped(rig, c, csv)).toEqual(range(0, 16));
    expect(rig.mem.mapcount[pageOf(shm, 1)]).toBe(1);
    rig.check("child faults");
    rig.exit(c);
    rig.check("child exit");
    expect(node(rig, NR_FILE_MAPPED)).toBe(31);
    expect(rig.mem.mapcount[pageOf(file, 0)]).toBe(0);
    rig.exit(p);
    rig.check("parent exit");
    expect(node(rig, NR_FILE_MAPPED)).toBe(0);
    expect(node(rig, NR_ANON_MAPPED)).toBe(0);
    for (const f of [file, shm]) for (const page of f.mapping.pages.values()) {
      expect(rig.mem.mapcount[page]).toBe(-1);
      expect(rig.mem.refcount[page]).toBe(1);
    }
    expect(file.mapping.iMmap.size).toBe(0);
    // The zap found the shmem page's dirty PTE (folio_mark_dirty) and the young PTEs (mark_page_accessed).
    expect(rig.mem.flags[pageOf(shm, 0)]! & (1 << PG_dirty)).not.toBe(0);
    expect(shm.mapping.dirtied).toBe(1);
    expect(file.mapping.accessed).toBeGreaterThan(0);
    const cached = [...file.mapping.pages.values(), ...shm.mapping.pages.values()];
    cache.dropAll([file, shm]);
    rig.check("cache dropped");
    for (const page of cached) expect(rig.mem.refcount[page]).toBe(0); // freed: nothing kept a reference
    expect(node(rig, NR_PAGETABLE)).toBe(0);
  });

  it("munmap of part of the range and a VM_SEQ_READ VMA: the zap marks no page accessed there", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16);
    const v = rig.fileVma(t, A, 16 * P, PRIV | VM_SEQ_READ, file);
    rig.f.userAccess(t, A, R);
    rig.m.zapPageRange(v, A + 4 * P, A + 8 * P);
    rig.check("zap");
    expect(mapped(rig, t, v)).toEqual([0, 1, 2, 3, ...range(8, 16)]);
    expect(file.mapping.accessed).toBe(0);
    expect(rig.mem.flags[pageOf(file, 5)]! & (1 << PG_referenced)).toBe(0);
    expect(node(rig, NR_FILE_MAPPED)).toBe(12);
    syncMmRss(t, t.mm!);
    expect(t.mm!.rssStat[MM_FILEPAGES]).toBe(12);
    rig.munmap(t, v);
    rig.check("munmap");
    expect(node(rig, NR_FILE_MAPPED)).toBe(0);
    expect(t.mm!.rssStat[MM_FILEPAGES]).toBe(0);
  });

  it("truncation: unmap_mapping_pages unmaps the file's pages from every VMA; even_cows also takes the private COW copies, without it they stay", () => {
    const { rig, cache } = setup();
    const a = rig.task();
    const b = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16);
    const av = rig.fileVma(a, A, 16 * P, SHARED, file);
    const bv = rig.fileVma(b, A + 0x10000000, 12 * P, PRIV, file, 4); // file pages 4..15
    rig.f.userAccess(a, A, R);
    rig.f.userAccess(b, bv.vmStart, R);
    rig.f.userAccess(b, bv.vmStart + 5 * P, W); // COW of file page 9
    rig.check("mapped");
    // invalidate_inode_pages2-like: pages 8..11, not the COW copies
    rig.m.file.unmapMappingPages(file.mapping, 8, 4, false);
    rig.check("invalidate");
    expect(mapped(rig, a, av)).toEqual([...range(0, 8), ...range(12, 16)]);
    expect(mapped(rig, b, bv)).toEqual([0, 1, 2, 3, 5, ...range(8, 12)]); // file 4..7, the COW page at file 9, 12..15
    // truncate to 10 pages: unmap_mapping_range(holebegin = 10 pages, 0 = to the end, even_cows)
    rig.m.file.unmapMappingRange(file.mapping, 10 * P, 0, true);
    rig.m.file.unmapMappingRange(file.mapping, 9 * P, P, true); // and the page holding the COW copy
    rig.check("truncate");
    expect(mapped(rig, a, av)).toEqual(range(0, 8));
    expect(mapped(rig, b, bv)).toEqual([0, 1, 2, 3]);
    for (let i = 8; i < 16; i++) cache.removePage(file, i);
    file.mapping.iSize = 8 * P;
    rig.check("pages removed");
    expect(rig.f.userAccess(a, A + 9 * P, R)).toBe(FAULT_SIGBUS);
    syncMmRss(a, a.mm!);
    syncMmRss(b, b.mm!);
    expect(a.mm!.rssStat[MM_FILEPAGES]).toBe(8);
    expect(b.mm!.rssStat[MM_FILEPAGES]).toBe(4);
    expect(b.mm!.rssStat[MM_ANONPAGES]).toBe(0);
    expect(node(rig, NR_ANON_MAPPED)).toBe(0);
  });

  it("mremap moves a file VMA's PTEs: rmap finds the pages at the new address", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16);
    const v = rig.fileVma(t, A, 16 * P, SHARED, file);
    rig.f.userAccess(t, A, R);
    const nv = rig.fileVma(t, A + 0x40000000, 16 * P, SHARED, file, 0);
    nv.vmOps = v.vmOps;
    expect(rig.m.movePageTables(v, A, nv, nv.vmStart, 16 * P)).toBe(16 * P);
    rig.munmap(t, v);
    rig.check("moved");
    expect(mapped(rig, t, nv)).toEqual(range(0, 16));
    const seen: number[] = [];
    rig.rmap.rmapWalk(pageOf(file, 3), { rmapOne: (_p, vma, addr) => (seen.push(addr - vma.vmStart), true) });
    expect(seen).toEqual([3 * P]);
  });
});

describe("rmap of file pages (rmap_walk_file, folio_referenced, try_to_unmap, folio_mkclean)", () => {
  it("rmap_walk_file visits every VMA of the file covering the page, private ones too; referenced and unmap work through it", () => {
    const { rig, cache } = setup();
    const a = rig.task();
    const b = rig.task();
    const file = cache.createFile("/data/f", 64 * P);
    cache.populate(file, 0, 64);
    rig.fileVma(a, A, 16 * P, SHARED, file);
    rig.fileVma(b, A, 16 * P, SHARED, file);
    rig.fileVma(b, A + 0x100000, 16 * P, PRIV, file);
    rig.fileVma(b, A + 0x200000, 16 * P, PRIV, file, 32); // pages 32..47: not page 5
    for (const [t, addr] of [[a, A], [b, A], [b, A + 0x100000]] as const) rig.f.userAccess(t, addr, R);
    rig.check("three mappings");
    const page = pageOf(file, 5);
    expect(rig.rmap.totalMapcount(page)).toBe(3);
    const seen: string[] = [];
    expect(rig.rmap.rmapWalk(page, { rmapOne: (_p, vma, addr) => (seen.push(`${vma.vmMm.id}:${(addr - A).toString(16)}`), true) })).toBe(3);
    expect(seen.sort()).toEqual([`${a.mm!.id}:5000`, `${b.mm!.id}:105000`, `${b.mm!.id}:5000`].sort());
    // folio_referenced: all three PTEs young (do_set_pte on the A57), then cleared
    expect(rig.rmap.folioReferenced(page)).toBe(3);
    expect(rig.rmap.folioReferenced(page)).toBe(0);
    // folio_mkclean walks the shared VMAs only
    rig.f.userAccess(b, A + 5 * P, W);
    expect(rig.rmap.pageMkclean(page)).toBe(1);
    // try_to_unmap: every PTE goes, the page stays cached
    rig.mem.refcount[page]!++; // isolation
    expect(rig.rmap.tryToUnmap(page)).toBe(true);
    rig.mem.refcount[page]!--;
    rig.check("unmapped");
    expect(rig.mem.mapcount[page]).toBe(-1);
    expect(rig.mem.refcount[page]).toBe(1);
    expect(rss(a, MM_FILEPAGES)).toBe(15);
    expect(rss(b, MM_FILEPAGES)).toBe(30);
    expect(node(rig, NR_FILE_MAPPED)).toBe(15);
    // The next access faults it back in.
    expect(rig.f.userAccess(a, A + 5 * P, R)).toBe(FAULT_HANDLED);
    expect(rig.mem.mapcount[page]).toBe(0);
    rig.check("refault");
  });

  it("try_to_unmap stops at an mlock()ed VMA", () => {
    const { rig, cache } = setup();
    const t = rig.task();
    const file = cache.createFile("/data/f", 16 * P);
    cache.populate(file, 0, 16);
    rig.fileVma(t, A, 16 * P, PRIV | VM_LOCKED, file);
    rig.f.userAccess(t, A, R);
    const page = pageOf(file, 0);
    expect(rig.rmap.tryToUnmap(page)).toBe(false);
    expect(rig.mem.mapcount[page]).toBe(0);
    rig.check("mlocked");
  });
});
