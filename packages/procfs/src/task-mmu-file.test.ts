// mmsim: /proc/<pid>/{maps,smaps,smaps_rollup,status,statm,pagemap} of file and shmem mappings on the assembled mechanisms (@mmsim/vma's mmap, fork and exit; @mmsim/fault's do_fault; @mmsim/rmap) over a small tmpfs-like page cache, against the figures of the real 6.1 captures in tests/conformance/fixtures/files/ (tmpfs-shared, private-write, shared-anon, disk)
/*
 * The page cache here is a stand-in for @mmsim/filemap with the behaviour the captures show:
 * a tmpfs file's pages are swap-backed and allocated on first touch (shmem_fault, minor);
 * write(2) leaves them PageDirty; a shared write fault dirties the page (fault_dirty_shared_page:
 * PG_dirty, no NR_FILE_DIRTY for tmpfs); the "disk" file has page_mkwrite and counts
 * NR_FILE_DIRTY; the last reference to a shared anonymous mapping's file frees its pages.
 * The figures are the captures' own, per stage, as the files README tabulates them; what a bare
 * assembly has no counterpart for (the probe binary's text on the tmpfs root, glibc's stdio,
 * the vdso) is left out by comparing the probe's own mapping (its smaps block) and deltas.
 */
import {
  GFP_HIGHUSER_MOVABLE, NIL_PFN, NR_ANON_MAPPED, NR_FILE_DIRTY, NR_FILE_MAPPED, NR_FILE_PAGES, NR_SHMEM, PG_dirty, PG_referenced,
  PG_swapbacked, PG_uptodate, VmStat, pfnDown, type MemMap, type ValidationSink,
} from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { createBuddyAllocator, type BuddyAllocator } from "@mmsim/buddy";
import { ACCESS_READ, ACCESS_WRITE, PgtableAllocator, PgtableStore, vmGetPageProt } from "@mmsim/hw-arm64";
import { Arm64Fault, FAULT_HANDLED, MmMemory, validateMms } from "@mmsim/fault";
import { Rmap } from "@mmsim/rmap";
import {
  FileMappings, LAYOUT_PROBE_IMAGE, MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, MapleTree, MmapContext, PROT_READ, PROT_WRITE, TaskTable,
  VM_FAULT_LOCKED, VM_FAULT_NOPAGE, VM_FAULT_SIGBUS, type TaskStruct, VmAreaStruct, type VmFault, type VmFile, type VmFileMapping,
  type VmFileOps, type VmOperationsStruct, type VmOvercommit, buddyAcctMemoryInfo, syncMmRss, sysMmap, sysMunmap, validateMm, validateTasks,
} from "@mmsim/vma";
import { Prandom } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { PM_FILE_HI, PM_MMAP_EXCLUSIVE_HI, PM_PRESENT_HI, pagemapEntry } from "./pagemap.ts";
import { procPidMaps, procPidSmapsRollup, procPidStatm, showMapVma, showSmap, taskMem } from "./task-mmu.ts";

const RAM = 0x40000000;
const MiB = 1024 * 1024;
const P = 4096;
/** The probes' fixed hints (2 MiB aligned). */
const HINT = 0x1000000000;

// ---------------------------------------------------------------------------------------------
// a tmpfs-like page cache
// ---------------------------------------------------------------------------------------------

class TmpMapping implements VmFileMapping {
  readonly iMmap = new Set<VmAreaStruct>();
  readonly pages = new Map<number, number>();
  constructor(
    readonly fs: Tmpfs,
    readonly id: number,
    readonly swapBacked: boolean,
    public iSize: number,
  ) {}
  dirtyFolio(page: number): boolean {
    const mem = this.fs.mem;
    if ((mem.flags[page]! & (1 << PG_dirty)) !== 0) return false;
    mem.flags[page] |= 1 << PG_dirty;
    if (!this.swapBacked) this.fs.vmstat.modNodePageState(0, NR_FILE_DIRTY, 1);
    return true;
  }
  markAccessed(page: number): void {
    this.fs.mem.flags[page] |= 1 << PG_referenced;
  }
}

class TmpFile implements VmFile {
  refs = 1;
  readonly ops: TmpOps;
  constructor(
    readonly path: string,
    readonly dev: readonly [number, number],
    readonly ino: number,
    readonly mapping: TmpMapping,
    disk: boolean,
    /** A shared anonymous mapping's file: its pages go with its last reference. */
    readonly anon = false,
  ) {
    this.ops = new TmpOps(mapping.fs, mapping, disk);
  }
  mmap(vma: VmAreaStruct): number {
    vma.vmOps = this.ops;
    return 0;
  }
}

class TmpOps implements VmOperationsStruct {
  readonly pageMkwrite: ((vmf: VmFault) => number) | undefined;
  constructor(
    private readonly fs: Tmpfs,
    private readonly mapping: TmpMapping,
    disk: boolean,
  ) {
    this.pageMkwrite = disk
      ? (vmf: VmFault) => {
          this.mapping.dirtyFolio(vmf.page);
          return VM_FAULT_LOCKED;
        }
      : undefined;
  }
  fault(vmf: VmFault): number {
    if (vmf.pgoff >= Math.ceil(this.mapping.iSize / P)) return VM_FAULT_SIGBUS;
    let page = this.mapping.pages.get(vmf.pgoff);
    if (page === undefined) page = this.fs.addPage(this.mapping, vmf.pgoff, false);
    this.fs.mem.refcount[page]!++;
    vmf.page = page;
    return VM_FAULT_LOCKED;
  }
  mapPages(vmf: VmFault, start: number, end: number): number {
    const vma = vmf.vma!;
    const mem = this.fs.mem;
    let ret = 0;
    for (let i = start; i <= Math.min(end, Math.ceil(this.mapping.iSize / P) - 1); i++) {
      const page = this.mapping.pages.get(i);
      if (page === undefined) continue;
      const addr = vma.vmStart + (i - vma.vmPgoff) * P;
      mem.refcount[page]!++;
      if (!vmf.sink!.doSetPte(vmf, page, addr)) mem.refcount[page]!--;
      else if (addr === vmf.address) ret = VM_FAULT_NOPAGE;
    }
    return ret;
  }
  dirtySharedPage(_vmf: VmFault, page: number): void {
    this.mapping.dirtyFolio(page);
  }
}

/** The tmpfs of the assembly, and its VmFileOps (shmem_zero_setup, get_file, fput). */
class Tmpfs implements VmFileOps {
  /** The next inode number (the captures' files were inode 2 of their tmpfs). */
  nextIno = 2;
  readonly mem: MemMap;
  constructor(
    readonly buddy: BuddyAllocator,
    readonly vmstat: VmStat,
    readonly mappings: FileMappings,
    readonly m: () => MmMemory,
  ) {
    this.mem = buddy.state.mem;
  }
  create(path: string, size: number, disk = false): TmpFile {
    const mapping = new TmpMapping(this, this.mappings.allocId(), !disk, size);
    this.mappings.register(mapping);
    return new TmpFile(path, disk ? [1, 0] : [0, 0x17], this.nextIno++, mapping, disk);
  }
  /** A page in the cache: allocated zeroed (shmem_alloc_folio) or read, uptodate; write(2)'s are dirty. */
  addPage(mapping: TmpMapping, index: number, dirty: boolean): number {
    const pfn = this.buddy.allocPages(GFP_HIGHUSER_MOVABLE, 0, 0);
    if (pfn === NIL_PFN) throw new Error("out of memory");
    const mem = this.mem;
    const page = mem.pfnToPage(pfn);
    mem.mapping[page] = mapping.id;
    mem.index[page] = index;
    mem.flags[page] |= 1 << PG_uptodate;
    if (mapping.swapBacked) mem.flags[page] |= 1 << PG_swapbacked;
    mapping.pages.set(index, page);
    this.vmstat.modNodePageState(0, NR_FILE_PAGES, 1);
    if (mapping.swapBacked) this.vmstat.modNodePageState(0, NR_SHMEM, 1);
    if (dirty) mapping.dirtyFolio(page);
    return page;
  }
  /** write(2) of pages [0, n): cached, dirty. */
  write(file: TmpFile, n: number): void {
    for (let i = 0; i < n; i++) if (!file.mapping.pages.has(i)) this.addPage(file.mapping, i, true);
  }
  /** Evicts every (unmapped) page of the file: unlink of a closed file, the last fput of shmem_zero_setup's. */
  evict(file: TmpFile): void {
    const mem = this.mem;
    for (const [index, page] of [...file.mapping.pages]) {
      file.mapping.pages.delete(index);
      if ((mem.flags[page]! & (1 << PG_dirty)) !== 0 && !file.mapping.swapBacked) this.vmstat.modNodePageState(0, NR_FILE_DIRTY, -1);
      mem.flags[page] &= ~((1 << PG_dirty) | (1 << PG_swapbacked) | (1 << PG_uptodate) | (1 << PG_referenced));
      mem.mapping[page] = 0;
      this.vmstat.modNodePageState(0, NR_FILE_PAGES, -1);
      if (file.mapping.swapBacked) this.vmstat.modNodePageState(0, NR_SHMEM, -1);
      this.m().putPage(page);
    }
  }
  shmemZeroSetup(vma: VmAreaStruct, _overcommit: VmOvercommit): number {
    const mapping = new TmpMapping(this, this.mappings.allocId(), true, vma.vmEnd - vma.vmStart);
    this.mappings.register(mapping);
    const f = new TmpFile("/dev/zero (deleted)", [0, 1], this.nextIno++, mapping, false, true);
    vma.vmFile = f;
    return f.mmap(vma);
  }
  getFile(file: VmFile): void {
    (file as TmpFile).refs++;
  }
  fput(file: VmFile, _overcommit: VmOvercommit): void {
    const f = file as TmpFile;
    if (--f.refs === 0 && f.anon) this.evict(f);
  }
}

// ---------------------------------------------------------------------------------------------
// the assembly
// ---------------------------------------------------------------------------------------------

function assembly() {
  const ramBytes = 256 * MiB;
  const maxPfn = pfnDown(RAM + ramBytes);
  const vmstat = new VmStat(1);
  const buddy = createBuddyAllocator({
    nrCpus: 2, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), maxPfn]] }], maxZonePfn: [maxPfn, maxPfn, maxPfn, 0],
    reserved: [[RAM, RAM + 4 * MiB]], vmstat, deferredStructPageInit: false,
  });
  const mem = buddy.state.mem;
  const store = new PgtableStore({ basePfn: mem.basePfn, nrPages: mem.nrPages });
  const alloc = new PgtableAllocator(store, buddy, mem);
  const flush = () => {};
  const fileMappings = new FileMappings();
  const rmap = new Rmap({ mem, store, pages: buddy, vmstat, flushTlbRange: flush, fileMappings });
  const m = new MmMemory({ mem, alloc, pages: buddy, vmstat, rmap, flushTlbRange: flush, zeroPfn: pfnDown(RAM + 0x300000) });
  m.thp.enabled = "never";
  const fs = new Tmpfs(buddy, vmstat, fileMappings, () => m);
  const ctx = new MmapContext(m, rmap, buddyAcctMemoryInfo(buddy, vmstat), fs);
  const f = new Arm64Fault(m, ctx);
  const table = new TaskTable({ pgtableAlloc: alloc, mmap: ctx, newVmaTree: () => new MapleTree(), rng: new Prandom(1), taskSize: 2 ** 48 }, { sysctl: { randomizeVaSpace: 0 } });
  const src = { mem, store, thpEnabled: m.thp.enabled };
  const check = (step: string) => {
    const sink = new CollectingSink();
    const tasks = table.list().filter((t) => t.mm !== null);
    for (const t of tasks) validateMm(t.mm!, sink);
    validateMms(m, tasks.map((t) => t.mm!), tasks, sink);
    validateTasks(table, sink);
    buddy.validate(sink as ValidationSink);
    if (!sink.ok) throw new Error(`validators after ${step}:\n${sink.toString()}`);
  };
  const node = (item: number) => vmstat.nodeStat(0)[item]!;
  const spawn = () => table.lookup(table.spawn(LAYOUT_PROBE_IMAGE))!;
  const fork = (t: TaskStruct) => table.lookup(table.fork(t))!;
  /** The smaps block of the VMA holding addr, its `Field: N kB` lines as numbers. */
  const smaps = (t: TaskStruct, addr: number) => {
    const text = showSmap(src, t.mm!.mt.lookup(addr)!);
    const out: Record<string, number> = {};
    for (const x of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[x[1]!] = Number(x[2]);
    return { text, kb: out };
  };
  /** Accesses pages [first, first + n) of addr's mapping; @returns the faults taken (min + maj). */
  const touch = (t: TaskStruct, addr: number, first: number, n: number, access: number) => {
    m.current = t;
    const before = t.minFlt + t.majFlt;
    for (let i = first; i < first + n; i++) expect(f.userAccess(t, addr + i * P, access)).toBe(FAULT_HANDLED);
    return t.minFlt + t.majFlt - before;
  };
  return { m, ctx, f, rmap, table, src, fs, check, node, spawn, fork, smaps, touch };
}

/**
 * A smaps block as 6.1's show_smap prints it for a 4 KiB-page mapping with no swap, no THP, not
 * locked: the maps line, then Size, Rss, Pss, Pss_Dirty, Shared_Clean, Shared_Dirty,
 * Private_Clean, Private_Dirty, Referenced, Anonymous in kB (`kb`), THPeligible 0, VmFlags.
 */
function smapsBlock(prefix: string, name: string, kb: readonly number[], vmFlags: string): string {
  const [size, rss, pss, pssDirty, sc, sd, pc, pd, ref, anon] = kb;
  const f = (k: string, v: number) => `${(k + ":").padEnd(16)}${String(v).padStart(8)} kB\n`;
  return (
    prefix.padEnd(72, " ") + " " + name + "\n" +
    f("Size", size!) + f("KernelPageSize", 4) + f("MMUPageSize", 4) + f("Rss", rss!) + f("Pss", pss!) + f("Pss_Dirty", pssDirty!) +
    f("Shared_Clean", sc!) + f("Shared_Dirty", sd!) + f("Private_Clean", pc!) + f("Private_Dirty", pd!) + f("Referenced", ref!) +
    f("Anonymous", anon!) + f("LazyFree", 0) + f("AnonHugePages", 0) + f("ShmemPmdMapped", 0) + f("FilePmdMapped", 0) + f("Shared_Hugetlb", 0) +
    "Private_Hugetlb:       0 kB\n" + f("Swap", 0) + f("SwapPss", 0) + f("Locked", 0) + "THPeligible:    0\n" + `VmFlags: ${vmFlags} \n`
  );
}

const pm = (a: ReturnType<typeof assembly>, t: TaskStruct, addr: number) => pagemapEntry(a.src, t.mm!.mt.lookup(addr), addr, true, { lo: 0, hi: 0 });
const pfnOf = (a: ReturnType<typeof assembly>, t: TaskStruct, addr: number) => a.f.translate(t.mm!, addr, ACCESS_READ);

describe("maps names", () => {
  it("a VMA with vm_ops but no file prints vm_ops->name (special mappings' way), a file VMA its path", () => {
    const a = assembly();
    const t = a.spawn();
    const mm = t.mm!;
    const v = new VmAreaStruct(mm, HINT, HINT + P, 0x11, vmGetPageProt(1), 0);
    v.vmOps = { fault: () => VM_FAULT_SIGBUS, dirtySharedPage: () => {}, name: () => "[mmsim-ops]" };
    expect(showMapVma(v)).toBe("1000000000-1000001000 r--p 00000000 00:00 0".padEnd(72, " ") + " [mmsim-ops]\n");
    v.vmOps = { fault: () => VM_FAULT_SIGBUS, dirtySharedPage: () => {}, name: () => null };
    expect(showMapVma(v)).toBe("1000000000-1000001000 r--p 00000000 00:00 0 \n");
  });
});

describe("/proc/<pid>/ of file mappings, against the real 6.1 captures (tests/conformance/fixtures/files/)", () => {
  it("tmpfs-shared: a tmpfs file mapped MAP_SHARED by parent and child — maps line, write faults, fault-around reads, Pss split, exit and munmap", () => {
    const a = assembly();
    const parent = a.spawn();
    a.m.current = parent;
    const file = a.fs.create("/tmp/tmpfs-shared", MiB); // ftruncate: no page; inode 2 as in the capture
    const p = sysMmap(a.ctx, parent.mm!, HINT, MiB, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
    expect(p).toBe(HINT);
    a.check("mmap");
    // maps: `1000000000-1000100000 rw-s 00000000 00:17 <inode> /tmp/tmpfs-shared`; VmFlags rd wr sh mr mw me ms
    const line = procPidMaps(parent).split("\n").find((l) => l.startsWith("1000000000"))!;
    expect(line).toBe(`1000000000-1000100000 rw-s 00000000 00:17 ${file.ino}`.padEnd(72, " ") + " /tmp/tmpfs-shared");
    expect(a.smaps(parent, p).text).toContain("VmFlags: rd wr sh mr mw me ms \n");
    const child = a.fork(parent);
    a.check("fork");
    expect(a.smaps(child, p).kb.Rss).toBe(0); // the child's copy of the VMA is empty
    // child write-all: 256 faults (no fault-around for writes), nr_shmem +256, nr_mapped +256, nr_dirty 0
    const shmem0 = a.node(NR_SHMEM);
    expect(a.touch(child, p, 0, 256, ACCESS_WRITE)).toBe(256);
    a.check("child write-all");
    expect(a.node(NR_SHMEM) - shmem0).toBe(256);
    expect(a.node(NR_FILE_MAPPED)).toBe(256);
    expect(a.node(NR_FILE_DIRTY)).toBe(0);
    let s = a.smaps(child, p).kb;
    expect([s.Rss, s.Pss, s.Private_Dirty, s.Shared_Dirty, s.Anonymous]).toEqual([1024, 1024, 1024, 0, 0]);
    const e = pm(a, child, p);
    expect((e.hi & (PM_PRESENT_HI | PM_FILE_HI | PM_MMAP_EXCLUSIVE_HI)) >>> 0).toBe((PM_PRESENT_HI | PM_FILE_HI | PM_MMAP_EXCLUSIVE_HI) >>> 0);
    // parent read-one: 1 fault, Rss 64 kB (the 64 KiB window), Pss 32, Shared_Dirty 64; page 15 present, 16 not
    expect(a.touch(parent, p, 0, 1, ACCESS_READ)).toBe(1);
    s = a.smaps(parent, p).kb;
    expect([s.Rss, s.Pss, s.Shared_Dirty, s.Private_Dirty]).toEqual([64, 32, 64, 0]);
    expect(pm(a, parent, p + 15 * P).hi & PM_PRESENT_HI).not.toBe(0);
    expect(pm(a, parent, p + 16 * P).hi).toBe(0);
    // parent read-rest: 15 faults (256 pages cost 16 read faults, no access-flag faults)
    expect(a.touch(parent, p, 1, 255, ACCESS_READ)).toBe(15);
    a.check("parent read");
    // both mapped: Rss 1024, Pss 512, Shared_Dirty 1024, Private_Dirty 0; the same PFNs
    for (const t of [parent, child]) {
      s = a.smaps(t, p).kb;
      expect([s.Rss, s.Pss, s.Shared_Dirty, s.Private_Dirty]).toEqual([1024, 512, 1024, 0]);
    }
    expect(pfnOf(a, parent, p)).toBe(pfnOf(a, child, p));
    expect(pm(a, parent, p).hi & PM_MMAP_EXCLUSIVE_HI).toBe(0);
    // The parent's smaps block, character for character (tmpfs-shared/workload, stage parent:both-mapped)
    expect(a.smaps(parent, p).text).toBe(smapsBlock("1000000000-1000100000 rw-s 00000000 00:17 2", "/tmp/tmpfs-shared", [1024, 1024, 512, 512, 0, 1024, 0, 0, 1024, 0], "rd wr sh mr mw me ms"));
    // status and statm: RssShmem / shared count the 256 pages once folded
    const mm = parent.mm!;
    syncMmRss(parent, mm);
    expect(taskMem(mm)).toContain("RssShmem:\t    1024 kB\n");
    expect(procPidStatm(parent).split(" ")[2]).toBe(String(256));
    // child exits: Pss 1024, Private_Dirty 1024 again; its zap marked the young pages accessed (PG_referenced)
    a.table.exit(child, 0);
    a.check("child exit");
    s = a.smaps(parent, p).kb;
    expect([s.Rss, s.Pss, s.Private_Dirty, s.Shared_Dirty]).toEqual([1024, 1024, 1024, 0]);
    const page0 = file.mapping.pages.get(0)!;
    expect(a.src.mem.flags[page0]! & (1 << PG_referenced)).not.toBe(0);
    // munmap: nr_mapped −256, nr_shmem unchanged; unlink: nr_shmem −256
    expect(sysMunmap(a.ctx, mm, p, MiB)).toBe(0);
    a.check("munmap");
    expect(a.node(NR_FILE_MAPPED)).toBe(0);
    expect(a.node(NR_SHMEM) - shmem0).toBe(256);
    expect(file.mapping.iMmap.size).toBe(0); // exit's and munmap's remove_vma unlinked both VMAs from i_mmap
    expect(file.refs).toBe(1); // the creator's reference (the fd) is left
    a.fs.evict(file);
    expect(a.node(NR_SHMEM)).toBe(shmem0);
    a.check("unlink");
  });

  it("private-write: a MAP_PRIVATE mapping of a written tmpfs file — fault-around reads, one COW page on write, do_cow_fault on a never-read mapping", () => {
    const a = assembly();
    const t = a.spawn();
    a.m.current = t;
    const file = a.fs.create("/tmp/private-write", 64 * P);
    a.fs.write(file, 64);
    const p = sysMmap(a.ctx, t.mm!, HINT, 64 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, file, 0);
    expect(p).toBe(HINT);
    expect(procPidMaps(t)).toContain(`1000000000-1000040000 rw-p 00000000 00:17 ${file.ino} `);
    // read-one: 1 fault, nr_mapped +16, Rss 64
    expect(a.touch(t, p, 0, 1, ACCESS_READ)).toBe(1);
    expect(a.node(NR_FILE_MAPPED)).toBe(16);
    expect(a.smaps(t, p).kb.Rss).toBe(64);
    // read-rest: 3 faults, Rss 256, Private_Dirty 256 (written tmpfs pages are dirty, mapcount 1), Anonymous 0
    expect(a.touch(t, p, 1, 63, ACCESS_READ)).toBe(3);
    let s = a.smaps(t, p).kb;
    expect([s.Rss, s.Private_Dirty, s.Anonymous]).toEqual([256, 256, 0]);
    const before = Object.fromEntries([...procPidSmapsRollup(a.src, t)!.matchAll(/^(\w+):\s+(\d+) kB$/gm)].map((x) => [x[1], Number(x[2])]));
    // write-one (page 5): 1 fault (wp_page_copy), nr_anon_pages +1, nr_mapped −1; Rss stays 256, Anonymous 4
    const anon0 = a.node(NR_ANON_MAPPED);
    expect(a.touch(t, p, 5, 1, ACCESS_WRITE)).toBe(1);
    a.check("write-one");
    expect(a.node(NR_ANON_MAPPED) - anon0).toBe(1);
    expect(a.node(NR_FILE_MAPPED)).toBe(63);
    s = a.smaps(t, p).kb;
    expect([s.Rss, s.Anonymous]).toEqual([256, 4]);
    // character for character (private-write/workload, stage main:write-one)
    expect(a.smaps(t, p).text).toBe(smapsBlock("1000000000-1000040000 rw-p 00000000 00:17 2", "/tmp/private-write", [256, 256, 256, 256, 0, 0, 0, 256, 256, 4], "rd wr mr mw me ac"));
    const after = Object.fromEntries([...procPidSmapsRollup(a.src, t)!.matchAll(/^(\w+):\s+(\d+) kB$/gm)].map((x) => [x[1], Number(x[2])]));
    expect(after.Pss_Shmem! - before.Pss_Shmem!).toBe(-4);
    expect(after.Anonymous! - before.Anonymous!).toBe(4);
    expect(pm(a, t, p + 5 * P).hi & PM_FILE_HI).toBe(0); // a new anonymous frame
    expect(pfnOf(a, t, p + 5 * P)).not.toBe(a.src.mem.pageToPfn(file.mapping.pages.get(5)!));
    // write-again: 0 faults
    expect(a.touch(t, p, 5, 1, ACCESS_WRITE)).toBe(0);
    // write-first: a second mapping q, never read, store to its page 0: 1 fault (do_cow_fault), nr_anon_pages +1, nr_mapped +0
    const q = sysMmap(a.ctx, t.mm!, HINT + 0x200000, 64 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, file, 0);
    expect(q).toBe(HINT + 0x200000);
    expect(a.touch(t, q, 0, 1, ACCESS_WRITE)).toBe(1);
    a.check("write-first");
    expect(a.node(NR_ANON_MAPPED) - anon0).toBe(2);
    expect(a.node(NR_FILE_MAPPED)).toBe(63);
    s = a.smaps(t, q).kb;
    expect([s.Rss, s.Anonymous]).toEqual([4, 4]);
    // munmap p: nr_mapped −63, nr_anon_pages −1
    expect(sysMunmap(a.ctx, t.mm!, p, 64 * P)).toBe(0);
    a.check("munmap");
    expect(a.node(NR_FILE_MAPPED)).toBe(0);
    expect(a.node(NR_ANON_MAPPED) - anon0).toBe(1);
  });

  it("shared-anon: MAP_SHARED|MAP_ANONYMOUS is shmem — `/dev/zero (deleted)`, write faults, not copied at fork, the child's writes share the pages, the last munmap frees them", () => {
    const a = assembly();
    const parent = a.spawn();
    a.m.current = parent;
    const p = sysMmap(a.ctx, parent.mm!, HINT, MiB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
    expect(p).toBe(HINT);
    const vma = parent.mm!.mt.lookup(p)!;
    expect(procPidMaps(parent)).toContain(`1000000000-1000100000 rw-s 00000000 00:01 ${vma.vmFile!.ino}`.padEnd(72, " ") + " /dev/zero (deleted)\n");
    expect(a.smaps(parent, p).kb.Rss).toBe(0);
    const shmem0 = a.node(NR_SHMEM);
    // parent write-all: 256 faults, nr_shmem +256, Rss 1024, Private_Dirty 1024
    expect(a.touch(parent, p, 0, 256, ACCESS_WRITE)).toBe(256);
    expect(a.node(NR_SHMEM) - shmem0).toBe(256);
    expect(a.node(NR_FILE_MAPPED)).toBe(256);
    let s = a.smaps(parent, p).kb;
    expect([s.Rss, s.Private_Dirty, s.Anonymous]).toEqual([1024, 1024, 0]);
    // fork: the child's mapping is empty (no anon_vma: not copied)
    const child = a.fork(parent);
    a.check("fork");
    expect(a.smaps(child, p).kb.Rss).toBe(0);
    // child write-all: 256 faults, nr_shmem +0, Rss 1024, Pss 512, Shared_Dirty 1024; the parent's PFN
    expect(a.touch(child, p, 0, 256, ACCESS_WRITE)).toBe(256);
    a.check("child write-all");
    expect(a.node(NR_SHMEM) - shmem0).toBe(256);
    // character for character (shared-anon/workload, stage child:write-all)
    expect(a.smaps(child, p).text).toBe(smapsBlock("1000000000-1000100000 rw-s 00000000 00:01 2", "/dev/zero (deleted)", [1024, 1024, 512, 512, 0, 1024, 0, 0, 1024, 0], "rd wr sh mr mw me ms"));
    expect(pfnOf(a, child, p)).toBe(pfnOf(a, parent, p));
    s = a.smaps(parent, p).kb;
    expect([s.Pss, s.Shared_Dirty]).toEqual([512, 1024]);
    // the child exits, the parent unmaps the last mapping: nr_shmem −256, Mapped −1024 kB
    a.table.exit(child, 0);
    expect(sysMunmap(a.ctx, parent.mm!, p, MiB)).toBe(0);
    a.check("munmap");
    expect(a.node(NR_SHMEM)).toBe(shmem0);
    expect(a.node(NR_FILE_MAPPED)).toBe(0);
  });

  it("disk: a shared write to a cached clean page of a file with page_mkwrite — 1 fault, nr_dirty +1, Shared_Dirty; writeback's folio_mkclean turns it Shared_Clean", () => {
    const a = assembly();
    const t = a.spawn();
    a.m.current = t;
    const file = a.fs.create("/mnt/disk/data", MiB, true);
    for (let i = 0; i < 256; i++) a.fs.addPage(file.mapping, i, false); // read into the cache, clean
    const r = sysMmap(a.ctx, t.mm!, HINT, MiB, PROT_READ, MAP_SHARED, file, 0);
    // remap-read-all: 16 faults, 0 major
    expect(a.touch(t, r, 0, 256, ACCESS_READ)).toBe(16);
    expect(t.majFlt).toBe(0);
    let s = a.smaps(t, r).kb;
    expect([s.Rss, s.Private_Clean]).toEqual([1024, 1024]);
    // mmap-shared-write: rw-s mapping, store to page 10
    const w = sysMmap(a.ctx, t.mm!, HINT + 0x200000, MiB, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
    const dirty0 = a.node(NR_FILE_DIRTY);
    expect(a.touch(t, w, 10, 1, ACCESS_WRITE)).toBe(1);
    a.check("shared write");
    expect(a.node(NR_FILE_DIRTY) - dirty0).toBe(1);
    s = a.smaps(t, w).kb;
    expect([s.Rss, s.Shared_Dirty, s.Shared_Clean]).toEqual([4, 4, 0]);
    expect(a.smaps(t, r).kb.Shared_Dirty).toBe(4); // the read-only mapping's page 10: mapcount 2, PageDirty
    // fsync: clear_page_dirty_for_io (folio_mkclean) and the write: Shared_Dirty 0, Shared_Clean 4
    const page = file.mapping.pages.get(10)!;
    expect(a.rmap.pageMkclean(page)).toBe(1);
    a.src.mem.flags[page] &= ~(1 << PG_dirty);
    a.fs.vmstat.modNodePageState(0, NR_FILE_DIRTY, -1);
    s = a.smaps(t, w).kb;
    expect([s.Shared_Dirty, s.Shared_Clean]).toEqual([0, 4]);
    // the next store is a write-notify fault again (page_mkwrite dirties it)
    expect(a.touch(t, w, 10, 1, ACCESS_WRITE)).toBe(1);
    expect(a.node(NR_FILE_DIRTY) - dirty0).toBe(1);
    a.check("rewrite");
  });
});
