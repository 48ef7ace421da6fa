// mmsim: migrate_pages() on a small two-node rig (buddy, page tables, rmap, the fault path, the page cache; no reclaim module: pages on no list) — anonymous pages move with their PTEs, contents and counters; migration entries met by a fault, a fork and a zap as 6.1 handles them; THPs migrate whole (PMD migration entries) or split when the target has no THP
import { createBuddyAllocator } from "@mmsim/buddy";
import {
  MIGRATE_SYNC, MR_SYSCALL, type MigrationTarget, MmBugError, NR_ANON_THPS, NR_ISOLATED_ANON, NR_VM_NODE_STAT_ITEMS, PG_anon_exclusive, PG_head, PG_locked,
  PGMIGRATE_FAIL, PGMIGRATE_SUCCESS, SWP_MIGRATION_READ, SWP_MIGRATION_WRITE, THP_MIGRATION_FAIL, THP_MIGRATION_SPLIT, THP_MIGRATION_SUCCESS,
  THP_SPLIT_PAGE, THP_SPLIT_PMD, TP_MM_MIGRATE_PAGES, TraceBus, VmStat, pageToNid, pfnDown,
} from "@mmsim/core";
import { CollectingSink, TraceRecorder } from "@mmsim/core/testing";
import { MmMemory, faultStatNames, splitHugePmd, validateMms } from "@mmsim/fault";
import { vfsInit } from "@mmsim/filemap";
import { PTE_WRITE_HI, PgtableAllocator, PgtableStore, pgdOffsetPgd, pmdOffset, ptePfn, pteOffsetKernel, pteSwpType, pudOffset, vmGetPageProt } from "@mmsim/hw-arm64";
import { Rmap, isMigrationPte, migrationPteDirty, migrationPtePfn, migrationPteYoung } from "@mmsim/rmap";
import { FAULT_FLAG_WRITE, FileMappings, MM_ANONPAGES, MapleTree, MmStruct, TaskStruct, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VmAreaStruct } from "@mmsim/vma";
import { describe, expect, it } from "vitest";
import { Migrator } from "./migrate.ts";
import { NodeMigrationTarget } from "./syscalls.ts";
import { validateMigration } from "./validate.ts";

const RAM = 0x40000000;
const MiB = 1024 * 1024;
const ANON_RW = 0x3 | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
const BASE = 0x10000000;

/** Two nodes of 64 MiB, the fault path over them, and a Migrator. */
function rig() {
  const vmstat = new VmStat(2);
  const half = pfnDown(RAM + 64 * MiB);
  const maxPfn = pfnDown(RAM + 128 * MiB);
  const buddy = createBuddyAllocator({
    nrCpus: 1, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), half]] }, { nid: 1, ranges: [[half, maxPfn]] }], maxZonePfn: [maxPfn, maxPfn, maxPfn, 0],
    reserved: [[RAM, RAM + 4 * MiB]], vmstat, deferredStructPageInit: false,
  });
  const mem = buddy.state.mem;
  const store = new PgtableStore({ basePfn: mem.basePfn, nrPages: mem.nrPages });
  const fileMappings = new FileMappings();
  const flush = () => {};
  const rmap = new Rmap({ mem, store, pages: buddy, vmstat, flushTlbRange: flush, fileMappings });
  const m = new MmMemory({ mem, alloc: new PgtableAllocator(store, buddy, mem), pages: buddy, vmstat, rmap, flushTlbRange: flush, zeroPfn: pfnDown(RAM + 0x300000) });
  const vfs = vfsInit({ mem, pages: buddy, vmstat, totalramPages: () => 32768 });
  vfs.useContents(m.contents);
  const trace = new TraceBus();
  const migrator = new Migrator({ mem, pages: buddy, vmstat, trace, rmap, vfs, swap: null });
  const mm = new MmStruct(1, new MapleTree());
  mm.taskSize = 2 ** 48;
  m.pgtablesOf(mm);
  const task = new TaskStruct(100, null, mm, "t");
  m.current = task;
  const vma = new VmAreaStruct(mm, BASE, BASE + 64 * 4096, ANON_RW, vmGetPageProt(3), BASE / 4096);
  mm.mt.insert(vma);
  mm.mapCount++;
  const ptep = (mmx: MmStruct, addr: number): number => {
    const pudp = pudOffset(store, pgdOffsetPgd(store, mmx.pgtables!.pgd, addr), addr);
    return pteOffsetKernel(store, pmdOffset(store, pudp, addr), addr);
  };
  const check = (mms: MmStruct[], tasks: TaskStruct[]) => {
    const sink = new CollectingSink();
    validateMms(m, mms, tasks, sink);
    validateMigration(migrator, store, sink);
    buddy.validate(sink);
    expect(sink.toString()).toBe("");
  };
  return { vmstat, buddy, mem, store, rmap, m, vfs, trace, migrator, mm, task, vma, ptep, check };
}

/** Writes `n` pages of the VMA, each with its own content. @returns their pfns */
function writePages(r: ReturnType<typeof rig>, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    expect(r.m.handleMmFault(r.vma, BASE + i * 4096, FAULT_FLAG_WRITE)).toBe(0);
    const p = r.ptep(r.mm, BASE + i * 4096);
    const pfn = ptePfn(r.store.readLo(p), r.store.readHi(p));
    r.m.contents.set(pfn, (1000 + i) * 4096 + 3);
    out.push(pfn);
  }
  return out;
}

describe("migrate_pages", () => {
  it("moves 32 mapped anonymous pages to node 1: PTEs, contents, rss and NR_ANON_MAPPED follow; the old pages are freed", () => {
    const r = rig();
    const old = writePages(r, 32);
    expect(old.every((pfn) => pageToNid(r.mem, r.mem.pfnToPage(pfn)) === 0)).toBe(true);
    const rec = new TraceRecorder(r.trace, [TP_MM_MIGRATE_PAGES]);
    const list = new Int32Array(old.length);
    old.forEach((pfn, i) => {
      expect(r.migrator.isolateForMigration(pfn, MIGRATE_SYNC)).toBe(true);
      list[i] = pfn;
    });
    const target = new NodeMigrationTarget(r.buddy);
    target.nid = 1;
    const res = { nrFailed: -1, nrSucceeded: -1, nrFailedNoMem: -1 };
    r.migrator.migratePages(list, old.length, target, MIGRATE_SYNC, MR_SYSCALL, res);
    expect(res).toEqual({ nrFailed: 0, nrSucceeded: 32, nrFailedNoMem: 0 });
    for (let i = 0; i < 32; i++) {
      const p = r.ptep(r.mm, BASE + i * 4096);
      const pfn = ptePfn(r.store.readLo(p), r.store.readHi(p));
      expect(pageToNid(r.mem, r.mem.pfnToPage(pfn))).toBe(1);
      expect(r.m.contents.get(pfn)).toBe((1000 + i) * 4096 + 3);
      expect(r.mem.refcount[r.mem.pfnToPage(old[i]!)]).toBe(0); // freed
      expect(r.m.contents.get(old[i]!)).toBe(0);
    }
    expect(r.mm.rssStat[MM_ANONPAGES]! + r.task.rssStat[MM_ANONPAGES]!).toBe(32);
    expect(r.vmstat.vmEvents[PGMIGRATE_SUCCESS]).toBe(32);
    expect(rec.events.map((e) => e.text)).toEqual(["mm_migrate_pages: nr_succeeded=32 nr_failed=0 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 mode=MIGRATE_SYNC reason=syscall_or_cpuset"]);
    r.check([r.mm], [r.task]);
    // the restored PTEs are writable and dirty (SWP_MIGRATION_WRITE with the dirty bit): a write finds nothing to do (spurious), no copy, no reuse
    const flt = r.m.stats.slice();
    expect(r.m.handleMmFault(r.vma, BASE, FAULT_FLAG_WRITE)).toBe(0);
    expect([...r.m.stats].map((v, i) => v - flt[i]!)).toEqual(faultStatNames.map((n) => (n === "spurious" ? 1 : 0)));
  });

  it("a migration entry keeps write, young and dirty; a fault on it waits while the folio is locked, and a leftover entry is a bug", () => {
    const r = rig();
    const [pfn] = writePages(r, 1);
    const page = r.mem.pfnToPage(pfn!);
    r.mem.refcount[page]!++; // isolation's reference
    r.mem.flags[page] = r.mem.flags[page]! | (1 << PG_locked);
    expect(r.rmap.tryToMigrate(page)).toBe(true);
    const p = r.ptep(r.mm, BASE);
    const lo = r.store.readLo(p);
    const hi = r.store.readHi(p);
    expect(isMigrationPte(lo, hi)).toBe(true);
    expect(pteSwpType(lo)).toBe(SWP_MIGRATION_WRITE);
    expect(migrationPtePfn(lo, hi)).toBe(pfn);
    expect(migrationPteYoung(hi) && migrationPteDirty(hi)).toBe(true);
    // do_swap_page → migration_entry_wait: nothing mapped, the access is retried
    expect(r.m.handleMmFault(r.vma, BASE, 0)).toBe(0);
    expect(r.store.readLo(p)).toBe(lo);
    // fork of a COW mapping: both entries become readable, the child counts the page in its rss
    const child = new MmStruct(2, new MapleTree());
    child.taskSize = 2 ** 48;
    r.m.pgtablesOf(child);
    const cv = new VmAreaStruct(child, r.vma.vmStart, r.vma.vmEnd, r.vma.vmFlags, r.vma.vmPageProt, r.vma.vmPgoff);
    child.mt.insert(cv);
    expect(r.rmap.anonVmaFork(cv, r.vma)).toBe(0);
    expect(r.m.copyPageRange(cv, r.vma)).toBe(0);
    expect(pteSwpType(r.store.readLo(p))).toBe(SWP_MIGRATION_READ);
    expect(pteSwpType(r.store.readLo(r.ptep(child, BASE)))).toBe(SWP_MIGRATION_READ);
    expect(child.rssStat[MM_ANONPAGES]).toBe(1);
    // remove_migration_ptes back onto the same folio (a failed migration): both map it, read-only, not exclusive
    expect(r.rmap.removeMigrationPtes(page, page)).toBe(2);
    expect(r.rmap.totalMapcount(page)).toBe(2);
    // the zap of an entry: only the rss counter of the page it names
    expect(r.rmap.tryToMigrate(page)).toBe(true);
    r.m.exitMmap(child);
    expect(child.rssStat[MM_ANONPAGES]).toBe(0);
    // an entry nobody is migrating: the fault would wait forever; here it is a bug
    r.mem.flags[page] = r.mem.flags[page]! & ~(1 << PG_locked);
    expect(() => r.m.handleMmFault(r.vma, BASE, 0)).toThrow(MmBugError);
    const sink = new CollectingSink();
    validateMms(r.m, [r.mm], [r.task], sink);
    expect(sink.toString()).toContain("holds a migration entry");
    expect(r.rmap.removeMigrationPtes(page, page)).toBe(1);
  });
});

const THP_BASE = 0x40000000;
const PMD = 2 * MiB;

/** A 4 MiB anonymous VMA at a 2 MiB boundary whose first PMD gets a THP by a write fault. @returns the THP's head pfn */
function thpRig() {
  const r = rig();
  const vma = new VmAreaStruct(r.mm, THP_BASE, THP_BASE + 2 * PMD, ANON_RW, vmGetPageProt(3), THP_BASE / 4096);
  r.mm.mt.insert(vma);
  r.mm.mapCount++;
  expect(r.m.handleMmFault(vma, THP_BASE + 5 * 4096, FAULT_FLAG_WRITE)).toBe(0);
  const pmdp = pmdOffset(r.store, pudOffset(r.store, pgdOffsetPgd(r.store, r.mm.pgtables!.pgd, THP_BASE), THP_BASE), THP_BASE);
  const lo = r.store.readLo(pmdp);
  expect(lo & 3).toBe(1); // a block
  const head = ptePfn(lo, r.store.readHi(pmdp));
  expect(r.mem.flags[r.mem.pfnToPage(head)]! & (1 << PG_head)).not.toBe(0);
  for (let i = 0; i < 512; i += 37) r.m.contents.set(head + i, (7000 + i) * 4096 + 1);
  return { ...r, tvma: vma, pmdp, head };
}

/** Isolates `pfns` and migrates them with `target`. */
function migrate(r: ReturnType<typeof rig>, pfns: number[], target: MigrationTarget) {
  const list = new Int32Array(pfns.length);
  pfns.forEach((pfn, i) => {
    expect(r.migrator.isolateForMigration(pfn, MIGRATE_SYNC)).toBe(true);
    list[i] = pfn;
  });
  const res = { nrFailed: -1, nrSucceeded: -1, nrFailedNoMem: -1 };
  r.migrator.migratePages(list, pfns.length, target, MIGRATE_SYNC, MR_SYSCALL, res);
  if (res.nrFailed > 0) r.migrator.putbackMovablePages(list, res.nrFailed);
  return res;
}

/** A target on node 1 that has no order-9 block (alloc_migration_target failing for a THP). */
class NoThpTarget extends NodeMigrationTarget {
  override getNewPage(srcPfn: number, order: number): number {
    return order === 0 ? super.getNewPage(srcPfn, order) : -1;
  }
}

describe("THP migration (set_pmd_migration_entry / remove_migration_pmd, try_split_thp)", () => {
  it("a PMD-mapped THP moves whole to node 1: one huge PMD on the new folio, its 512 contents, counters as 6.1 counts them", () => {
    const r = thpRig();
    const thps = r.vmstat.nodeVmStat[NR_ANON_THPS]! + r.vmstat.nodeVmStat[NR_VM_NODE_STAT_ITEMS + NR_ANON_THPS]!;
    const rec = new TraceRecorder(r.trace, [TP_MM_MIGRATE_PAGES]);
    const target = new NodeMigrationTarget(r.buddy);
    target.nid = 1;
    expect(migrate(r, [r.head], target)).toEqual({ nrFailed: 0, nrSucceeded: 512, nrFailedNoMem: 0 });
    const lo = r.store.readLo(r.pmdp);
    const hi = r.store.readHi(r.pmdp);
    expect(lo & 3).toBe(1);
    expect(hi & PTE_WRITE_HI).not.toBe(0); // SWP_MIGRATION_WRITE: writable again
    const head = ptePfn(lo, hi);
    expect(head).not.toBe(r.head);
    expect(pageToNid(r.mem, r.mem.pfnToPage(head))).toBe(1);
    expect(r.mem.flags[r.mem.pfnToPage(head)]! & (1 << PG_head)).not.toBe(0);
    for (let i = 0; i < 512; i += 37) expect(r.m.contents.get(head + i)).toBe((7000 + i) * 4096 + 1);
    expect(r.rmap.totalMapcount(r.mem.pfnToPage(head))).toBe(1);
    expect(r.mem.refcount[r.mem.pfnToPage(r.head)]).toBe(0); // the old THP was freed, order 9
    expect(r.vmstat.nodeVmStat[NR_ANON_THPS]! + r.vmstat.nodeVmStat[NR_VM_NODE_STAT_ITEMS + NR_ANON_THPS]!).toBe(thps);
    expect(r.vmstat.nodeVmStat[NR_VM_NODE_STAT_ITEMS + NR_ANON_THPS]).toBe(512);
    const ev = r.vmstat.vmEvents;
    expect([ev[PGMIGRATE_SUCCESS], ev[PGMIGRATE_FAIL], ev[THP_MIGRATION_SUCCESS], ev[THP_MIGRATION_FAIL], ev[THP_MIGRATION_SPLIT]]).toEqual([512, 0, 1, 0, 0]);
    expect(rec.events.map((e) => e.text)).toEqual(["mm_migrate_pages: nr_succeeded=512 nr_failed=0 nr_thp_succeeded=1 nr_thp_failed=0 nr_thp_split=0 mode=MIGRATE_SYNC reason=syscall_or_cpuset"]);
    r.check([r.mm], [r.task]);
    // a write through the restored PMD needs nothing (writable, dirty)
    const flt = r.m.stats.slice();
    expect(r.m.handleMmFault(r.tvma, THP_BASE + 9 * 4096, FAULT_FLAG_WRITE)).toBe(0);
    expect([...r.m.stats].map((v, i) => v - flt[i]!)).toEqual(faultStatNames.map((n) => (n === "spurious" ? 1 : 0)));
  });

  it("the PMD migration entry keeps write/young/dirty; a fault on it waits while the folio is locked; after fork both PMDs follow the move read-only", () => {
    const r = thpRig();
    const page = r.mem.pfnToPage(r.head);
    r.mem.refcount[page]!++; // isolation's reference
    r.mem.flags[page] = r.mem.flags[page]! | (1 << PG_locked);
    expect(r.rmap.tryToMigrate(page)).toBe(true);
    const lo = r.store.readLo(r.pmdp);
    const hi = r.store.readHi(r.pmdp);
    expect(isMigrationPte(lo, hi)).toBe(true);
    expect(pteSwpType(lo)).toBe(SWP_MIGRATION_WRITE);
    expect(migrationPtePfn(lo, hi)).toBe(r.head);
    expect(migrationPteYoung(hi) && migrationPteDirty(hi)).toBe(true);
    expect(r.vmstat.nodeVmStat[NR_ANON_THPS]).toBe(0); // the last PMD mapping left rmap's counts
    // __handle_mm_fault: is_swap_pmd → pmd_migration_entry_wait, the access retried
    expect(r.m.handleMmFault(r.tvma, THP_BASE, 0)).toBe(0);
    expect(r.store.readLo(r.pmdp)).toBe(lo);
    expect(r.rmap.removeMigrationPtes(page, page)).toBe(1);
    expect(r.store.readHi(r.pmdp) & PTE_WRITE_HI).not.toBe(0);
    expect(r.mem.flags[page]! & (1 << PG_anon_exclusive)).not.toBe(0); // SWP_MIGRATION_WRITE restores exclusive
    r.mem.flags[page] = r.mem.flags[page]! & ~(1 << PG_locked);
    r.mem.refcount[page]!--;
    // fork: the child maps the THP by its own PMD, both write-protected
    const child = new MmStruct(2, new MapleTree());
    child.taskSize = 2 ** 48;
    r.m.pgtablesOf(child);
    const ctask = new TaskStruct(101, null, child, "c");
    for (const v of [r.vma, r.tvma]) {
      const cv = new VmAreaStruct(child, v.vmStart, v.vmEnd, v.vmFlags, v.vmPageProt, v.vmPgoff);
      child.mt.insert(cv);
      child.mapCount++;
      expect(r.rmap.anonVmaFork(cv, v)).toBe(0);
      expect(r.m.copyPageRange(cv, v)).toBe(0);
    }
    expect(r.rmap.totalMapcount(page)).toBe(2);
    const target = new NodeMigrationTarget(r.buddy);
    target.nid = 1;
    expect(migrate(r, [r.head], target)).toEqual({ nrFailed: 0, nrSucceeded: 512, nrFailedNoMem: 0 });
    const cpmdp = pmdOffset(r.store, pudOffset(r.store, pgdOffsetPgd(r.store, child.pgtables!.pgd, THP_BASE), THP_BASE), THP_BASE);
    const nhead = ptePfn(r.store.readLo(r.pmdp), r.store.readHi(r.pmdp));
    expect(ptePfn(r.store.readLo(cpmdp), r.store.readHi(cpmdp))).toBe(nhead);
    expect(pageToNid(r.mem, r.mem.pfnToPage(nhead))).toBe(1);
    for (const p of [r.pmdp, cpmdp]) expect(r.store.readHi(p) & PTE_WRITE_HI).toBe(0); // SWP_MIGRATION_READ: read-only, shared
    expect(r.rmap.totalMapcount(r.mem.pfnToPage(nhead))).toBe(2);
    expect(r.mem.refcount[r.mem.pfnToPage(nhead)]).toBe(2);
    r.check([r.mm, child], [r.task, ctask]);
  });

  it("a PTE-mapped THP (its PMD split) moves whole: every PTE maps the new folio's subpage at the same offset", () => {
    const r = thpRig();
    splitHugePmd(r.m, r.tvma, r.pmdp, THP_BASE);
    const target = new NodeMigrationTarget(r.buddy);
    target.nid = 1;
    expect(migrate(r, [r.head], target)).toEqual({ nrFailed: 0, nrSucceeded: 512, nrFailedNoMem: 0 });
    const p0 = r.ptep(r.mm, THP_BASE);
    const nhead = ptePfn(r.store.readLo(p0), r.store.readHi(p0));
    expect(pageToNid(r.mem, r.mem.pfnToPage(nhead))).toBe(1);
    for (let i = 0; i < 512; i++) {
      const p = r.ptep(r.mm, THP_BASE + i * 4096);
      expect(ptePfn(r.store.readLo(p), r.store.readHi(p))).toBe(nhead + i);
    }
    for (let i = 0; i < 512; i += 37) expect(r.m.contents.get(nhead + i)).toBe((7000 + i) * 4096 + 1);
    expect(r.mem.refcount[r.mem.pfnToPage(nhead)]).toBe(512); // one per PTE mapping, on the head
    expect(r.vmstat.vmEvents[THP_MIGRATION_SUCCESS]).toBe(1);
    r.check([r.mm], [r.task]);
  });

  it("a target without THPs: try_split_thp splits the folio, the head is retried at once, the 511 tails after the list (thp_migration_split)", () => {
    const r = thpRig();
    const [small] = writePages(r, 1);
    const rec = new TraceRecorder(r.trace, [TP_MM_MIGRATE_PAGES]);
    const target = new NoThpTarget(r.buddy);
    target.nid = 1;
    expect(migrate(r, [r.head, small!], target)).toEqual({ nrFailed: 0, nrSucceeded: 513, nrFailedNoMem: 0 });
    for (let i = 0; i < 512; i++) {
      const p = r.ptep(r.mm, THP_BASE + i * 4096);
      const pfn = ptePfn(r.store.readLo(p), r.store.readHi(p));
      const pg = r.mem.pfnToPage(pfn);
      expect(pageToNid(r.mem, pg)).toBe(1);
      expect(r.mem.flags[pg]! & (1 << PG_head)).toBe(0);
      expect(r.mem.refcount[pg]).toBe(1);
      expect(r.m.contents.get(pfn)).toBe(i % 37 === 0 ? (7000 + i) * 4096 + 1 : 0);
    }
    const ev = r.vmstat.vmEvents;
    expect([ev[PGMIGRATE_SUCCESS], ev[PGMIGRATE_FAIL], ev[THP_MIGRATION_SUCCESS], ev[THP_MIGRATION_FAIL], ev[THP_MIGRATION_SPLIT], ev[THP_SPLIT_PAGE], ev[THP_SPLIT_PMD]]).toEqual([513, 0, 0, 1, 1, 1, 1]);
    expect(rec.events.map((e) => e.text)).toEqual(["mm_migrate_pages: nr_succeeded=513 nr_failed=0 nr_thp_succeeded=0 nr_thp_failed=1 nr_thp_split=1 mode=MIGRATE_SYNC reason=syscall_or_cpuset"]);
    expect(r.vmstat.nodeVmStat[NR_ANON_THPS]! + r.vmstat.nodeVmStat[NR_VM_NODE_STAT_ITEMS + NR_ANON_THPS]!).toBe(0);
    expect(r.vmstat.nodeVmStat[NR_ISOLATED_ANON]).toBe(0);
    r.check([r.mm], [r.task]);
  });

  it("without a splitter (no fault path) the THP the target cannot take fails whole and is put back mapped", () => {
    const r = thpRig();
    r.rmap.splitHugePage = null;
    const target = new NoThpTarget(r.buddy);
    target.nid = 1;
    const res = migrate(r, [r.head], target);
    expect(res.nrFailed).toBe(1);
    expect(res.nrFailedNoMem).toBe(1);
    expect(ptePfn(r.store.readLo(r.pmdp), r.store.readHi(r.pmdp))).toBe(r.head);
    const ev = r.vmstat.vmEvents;
    expect([ev[PGMIGRATE_SUCCESS], ev[PGMIGRATE_FAIL], ev[THP_MIGRATION_FAIL], ev[THP_MIGRATION_SPLIT]]).toEqual([0, 512, 1, 0]);
    expect(r.vmstat.nodeVmStat[NR_ISOLATED_ANON]).toBe(0);
    r.check([r.mm], [r.task]);
  });
});
