// mmsim: migrate_pages() on a small two-node rig (buddy, page tables, rmap, the fault path, the page cache; no reclaim module: pages on no list) — anonymous pages move with their PTEs, contents and counters; migration entries met by a fault, a fork and a zap as 6.1 handles them
import { createBuddyAllocator } from "@mmsim/buddy";
import {
  MIGRATE_SYNC, MR_SYSCALL, MmBugError, PG_locked, PGMIGRATE_SUCCESS, SWP_MIGRATION_READ, SWP_MIGRATION_WRITE, TP_MM_MIGRATE_PAGES,
  TraceBus, VmStat, pageToNid, pfnDown,
} from "@mmsim/core";
import { CollectingSink, TraceRecorder } from "@mmsim/core/testing";
import { MmMemory, faultStatNames, validateMms } from "@mmsim/fault";
import { vfsInit } from "@mmsim/filemap";
import { PgtableAllocator, PgtableStore, pgdOffsetPgd, pmdOffset, ptePfn, pteOffsetKernel, pteSwpType, pudOffset, vmGetPageProt } from "@mmsim/hw-arm64";
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
