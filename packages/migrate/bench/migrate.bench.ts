// mmsim: migration's hot path — mapped anonymous pages moved between two nodes as move_pages(2) moves them (folio_isolate_lru's reference and NR_ISOLATED, try_to_migrate's migration entries, folio_migrate_mapping's reference check, the contents and flags, remove_migration_ptes, the old page freed to the buddy allocator), 100 pages per migrate_pages() call, back and forth (issue 18's target in the name)
import { createBuddyAllocator } from "@mmsim/buddy";
import { MIGRATE_SYNC, MR_SYSCALL, TraceBus, VmStat, pfnDown } from "@mmsim/core";
import { MmMemory } from "@mmsim/fault";
import { vfsInit } from "@mmsim/filemap";
import { PgtableAllocator, PgtableStore, pgdOffsetPgd, pmdOffset, ptePfn, pteOffsetKernel, pudOffset, vmGetPageProt } from "@mmsim/hw-arm64";
import { Migrator, NodeMigrationTarget } from "@mmsim/migrate";
import { Rmap } from "@mmsim/rmap";
import { FAULT_FLAG_WRITE, FileMappings, MapleTree, MmStruct, TaskStruct, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VmAreaStruct } from "@mmsim/vma";
import { afterAll, bench, describe } from "vitest";

const BATCH = 100;
const PAGES = 4096;
const RAM = 0x40000000;
const MiB = 1024 * 1024;

// Two nodes of 128 MiB: the machine's buddy allocator, page tables, rmap and fault path (no reclaim module: pages on no list).
const vmstat = new VmStat(2);
const half = pfnDown(RAM + 128 * MiB);
const maxPfn = pfnDown(RAM + 256 * MiB);
const buddy = createBuddyAllocator({
  nrCpus: 1, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), half]] }, { nid: 1, ranges: [[half, maxPfn]] }], maxZonePfn: [maxPfn, maxPfn, maxPfn, 0],
  reserved: [[RAM, RAM + 4 * MiB]], vmstat, deferredStructPageInit: false,
});
const mem = buddy.state.mem;
const store = new PgtableStore({ basePfn: mem.basePfn, nrPages: mem.nrPages });
const flush = (): void => {};
const rmap = new Rmap({ mem, store, pages: buddy, vmstat, flushTlbRange: flush, fileMappings: new FileMappings() });
const m = new MmMemory({ mem, alloc: new PgtableAllocator(store, buddy, mem), pages: buddy, vmstat, rmap, flushTlbRange: flush, zeroPfn: pfnDown(RAM + 0x300000) });
const vfs = vfsInit({ mem, pages: buddy, vmstat, totalramPages: () => 65536 });
m.thp.enabled = "never"; // order-0 pages: THPs do not migrate here
vfs.useContents(m.contents);
const migrator = new Migrator({ mem, pages: buddy, vmstat, trace: new TraceBus(), rmap, vfs, swap: null });
migrator.recordPairs = false;
const mm = new MmStruct(1, new MapleTree());
mm.taskSize = 2 ** 48;
m.pgtablesOf(mm);
m.current = new TaskStruct(100, null, mm, "bench");
const BASE = 0x10000000;
const vma = new VmAreaStruct(mm, BASE, BASE + PAGES * 4096, 0x3 | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, vmGetPageProt(3), BASE / 4096);
mm.mt.insert(vma);
mm.mapCount++;
for (let i = 0; i < PAGES; i++) m.handleMmFault(vma, BASE + i * 4096, FAULT_FLAG_WRITE);

// Where each of the 4096 pages is now: read from the PTEs once, then kept from migration's own result.
const where = new Int32Array(PAGES);
const pgd = mm.pgtables!.pgd;
function ptePfnAt(addr: number): number {
  const ptep = pteOffsetKernel(store, pmdOffset(store, pudOffset(store, pgdOffsetPgd(store, pgd, addr), addr), addr), addr);
  return ptePfn(store.readLo(ptep), store.readHi(ptep));
}
for (let i = 0; i < PAGES; i++) where[i] = ptePfnAt(BASE + i * 4096);
const target = new NodeMigrationTarget(buddy);
const list = new Int32Array(BATCH);
const result = { nrFailed: 0, nrSucceeded: 0, nrFailedNoMem: 0 };
let next = 0;
let pass = 0;

function migrateBatch(): void {
  if (next === PAGES) {
    next = 0;
    pass++;
    for (let i = 0; i < PAGES; i++) where[i] = ptePfnAt(BASE + i * 4096);
  }
  target.nid = (pass + 1) & 1;
  for (let b = 0; b < BATCH && next + b < PAGES; b++) {
    migrator.isolateForMigration(where[next + b]!, MIGRATE_SYNC);
    list[b] = where[next + b]!;
  }
  const n = Math.min(BATCH, PAGES - next);
  migrator.migratePages(list, n, target, MIGRATE_SYNC, MR_SYSCALL, result);
  if (result.nrFailed !== 0) throw new Error(`migrate bench: ${result.nrFailed} pages not migrated`);
  next += n;
}

/** Host ms of each timed batch, for the median below (vitest's table shows the mean, which GC pauses and a loaded host skew). */
const times: number[] = [];
function timedBatch(): void {
  const t0 = performance.now();
  migrateBatch();
  times.push(performance.now() - t0);
}

describe("migrate", () => {
  bench(`${BATCH} mapped anonymous pages migrated to the other node (target ≥ 1 M pages/s: ≥ ${1e6 / BATCH} hz)`, timedBatch, { time: 2000 });
});

afterAll(() => {
  const sorted = times.slice().sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1]!;
  console.log(`mapped anonymous pages migrated: ${(BATCH / median / 1000).toFixed(2)} M pages/s (median of ${sorted.length} batches of ${BATCH}; target ≥ 1 M pages/s)`);
});
