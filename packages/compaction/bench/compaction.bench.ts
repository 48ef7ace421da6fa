// mmsim: a full compaction (compact_memory's compact_nodes: whole zones, MIGRATE_SYNC) of a 4 GiB machine fragmented by order-0 movable pages, half of them freed at scattered PFNs; the migrator moves unmapped pages (the cost of the scanners and of the buddy allocator's isolate/free paths, not of PTE rewriting: @mmsim/migrate's bench measures that) (issue 18's target in the name)
import { createBuddyAllocator, drainAllPages, freePages } from "@mmsim/buddy";
import { Compaction } from "@mmsim/compaction";
import {
  GFP_HIGHUSER_MOVABLE, KernelLog, type MigrateMode, type MigrateResult, type MigrationTarget, PG_lru, type PageMigrator, SimClock, TraceBus,
  __GFP_MEMALLOC, __GFP_NOWARN, __GFP_RECLAIM, pfnDown,
} from "@mmsim/core";
import { bench, describe } from "vitest";

const RAM = 0x4000_0000; // the virt board's RAM base
const BYTES = 4 * 2 ** 30;
const FILL = (GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM) | __GFP_NOWARN | __GFP_MEMALLOC;
const MAPPING = 1; // an address_space id: the pages look like unmapped page cache

/** Moves the pages it owns (PG_lru, MAPPING) to the targets compaction hands out. */
class UnmappedMigrator implements PageMigrator {
  owned: Uint8Array;
  migrated = 0;
  constructor(private readonly b: ReturnType<typeof createBuddyAllocator>) {
    this.owned = new Uint8Array(b.state.mem.nrPages);
  }
  isolateForMigration(pfn: number, _mode: MigrateMode): boolean {
    const mem = this.b.state.mem;
    const page = mem.pfnToPage(pfn);
    if (this.owned[page] !== 1) return false;
    mem.flags[page] = mem.flags[page]! & ~(1 << PG_lru);
    return true;
  }
  migratePages(pfns: Int32Array, n: number, target: MigrationTarget, _mode: MigrateMode, _reason: number, result: MigrateResult): void {
    const mem = this.b.state.mem;
    let failed = 0;
    for (let i = 0; i < n; i++) {
      const src = mem.pfnToPage(pfns[i]!);
      const dstPfn = target.getNewPage(pfns[i]!, 0);
      if (dstPfn < 0) {
        pfns[failed++] = pfns[i]!;
        result.nrFailedNoMem++;
        continue;
      }
      const dst = mem.pfnToPage(dstPfn);
      mem.flags[dst] = 1 << PG_lru;
      mem.mapping[dst] = MAPPING;
      this.owned[dst] = 1;
      this.owned[src] = 0;
      mem.mapping[src] = 0;
      freePages(this.b.state, src, 0, 0);
      result.nrSucceeded++;
      this.migrated++;
    }
    result.nrFailed += failed;
  }
  putbackMovablePages(pfns: Int32Array, n: number): void {
    const mem = this.b.state.mem;
    for (let i = 0; i < n; i++) mem.flags[mem.pfnToPage(pfns[i]!)]! |= 1 << PG_lru;
  }
}

let comp: Compaction;
let migrator: UnmappedMigrator;

/** Boots 4 GiB (DMA32 below 4 GiB, Normal above), fills it with movable pages, frees half of them scattered. */
function fragmentedMachine(): void {
  const clock = new SimClock();
  const end = RAM + BYTES;
  const b = createBuddyAllocator({
    nrCpus: 2, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), pfnDown(end)]] }], maxZonePfn: [2 ** 32 / 4096, 2 ** 32 / 4096, end / 4096, 0],
    reserved: [[RAM, RAM + 0x2000000]], clock, trace: new TraceBus(clock), log: new KernelLog(clock), deferredStructPageInit: false,
  });
  migrator = new UnmappedMigrator(b);
  const mem = b.state.mem;
  for (;;) {
    const pfn = b.allocPages(FILL, 0, 0);
    if (pfn < 0) break;
    const page = mem.pfnToPage(pfn);
    mem.flags[page] = 1 << PG_lru;
    mem.mapping[page] = MAPPING;
    migrator.owned[page] = 1;
  }
  for (let page = 0; page < mem.nrPages; page++) {
    if (migrator.owned[page] !== 1 || Math.imul(mem.pageToPfn(page), 2654435761) >>> 31 !== 1) continue;
    migrator.owned[page] = 0;
    mem.flags[page] = 0;
    mem.mapping[page] = 0;
    freePages(b.state, page, 0, 0);
  }
  drainAllPages(b.state);
  comp = new Compaction({ pa: b.state, vmstat: b.state.vmstat, clock, trace: b.state.trace, migrator: () => migrator, lru: () => null });
}

describe("compaction", () => {
  bench(
    "compact_memory of a fragmented 4 GiB machine (~260,000 pages migrated; target: < 2 s)",
    () => {
      comp.compactNodes();
      if (migrator.migrated < 200_000) throw new Error(`only ${migrator.migrated} pages migrated`);
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0, setup: () => fragmentedMachine() },
  );
});
