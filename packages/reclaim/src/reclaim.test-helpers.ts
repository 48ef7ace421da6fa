// mmsim: a small machine for reclaim's unit tests — a booted buddy allocator, a VFS whose ramfs mapping is made evictable (clean page cache without a disk), Vmscan over the classic LRU, LruCore, and a fake SwapOps
import { GFP_HIGHUSER_MOVABLE, KernelLog, NIL_PFN, PAGE_SUCCESS, PG_dirty, PG_swapbacked, PG_swapcache, PG_uptodate, type SwapOps, SimClock, TraceBus, VmStat, pfnDown, swpEntry } from "@mmsim/core";
import { createBuddyAllocator } from "@mmsim/buddy";
import {
  AS_UNEVICTABLE, type AddressSpace, FilesStruct, O_CREAT, O_RDWR, type Vfs, doMount, doSysOpen, fget, filemapAddFolio, folioPut, folioUnlock, vfsInit,
} from "@mmsim/filemap";
import type { Rmap } from "@mmsim/rmap";
import { TwoListLru } from "./lru-policy.ts";
import { LruCore } from "./swap.ts";
import { Vmscan } from "./vmscan.ts";

const RAM = 0x40000000;

/** Swap as a table: slots handed out in order, pages "written" at once (zram-like: synchronous). */
export class FakeSwap implements SwapOps {
  readonly cache = new Map<number, number>(); // entry → page
  readonly shadows = new Map<number, number>();
  next = 1;
  writes = 0;
  constructor(private readonly vfs: () => Vfs, readonly total: number) {}
  totalSwapPages(): number { return this.total; }
  nrSwapPages(): number { return this.total - (this.next - 1); }
  vmSwapFull(): boolean { return this.nrSwapPages() * 2 < this.total; }
  addToSwap(page: number): boolean {
    if (this.nrSwapPages() <= 0) return false;
    const mem = this.vfs().mem;
    const entry = swpEntry(0, this.next++);
    mem.flags[page] = mem.flags[page]! | (1 << PG_swapcache) | (1 << PG_dirty);
    mem.private[page] = entry;
    mem.refcount[page]!++;
    this.cache.set(entry, page);
    return true;
  }
  folioAllocSwap(): number { return 0; }
  addToSwapCache(): number { return -12; }
  swapWritepage(page: number): number {
    const mem = this.vfs().mem;
    mem.flags[page] = mem.flags[page]! & ~(1 << PG_dirty);
    this.writes++;
    return PAGE_SUCCESS;
  }
  deleteFromSwapCache(page: number, shadow: number): void {
    const mem = this.vfs().mem;
    const entry = mem.private[page]!;
    this.cache.delete(entry);
    if (shadow !== 0) this.shadows.set(entry, shadow);
    mem.flags[page] = mem.flags[page]! & ~(1 << PG_swapcache);
    mem.private[page] = 0;
    mem.refcount[page]!--;
  }
  lookupSwapCache(entry: number): number { return this.cache.get(entry) ?? -1; }
  swapinReadahead(): number { return -1; }
  swapDuplicate(): number { return 0; }
  swapFree(): void {}
  freeSwapAndCache(): void {}
  folioFreeSwap(): boolean { return false; }
}

export interface SmallMachine {
  vfs: Vfs;
  vmscan: Vmscan;
  lru: LruCore;
  policy: TwoListLru;
  vmstat: VmStat;
  clock: SimClock;
  mapping: AddressSpace;
  swap: FakeSwap | null;
  /** Adds clean page-cache pages [from, from + n) to the file (through filemap_add_folio → folio_add_lru). @returns the pages */
  addFilePages(from: number, n: number): number[];
  /** An anonymous page mapped once (a fake rmap unmaps it once it is in the swap cache), on the LRU. */
  addAnonPage(): number;
  nrFree(): number;
}

/** Boots `mib` MiB of RAM (one node, one zone) with `nrCpus` CPUs and the classic LRU. */
export function smallMachine(opts: { mib?: number; nrCpus?: number; swapPages?: number } = {}): SmallMachine {
  const bytes = (opts.mib ?? 64) * 1024 * 1024;
  const nrCpus = opts.nrCpus ?? 1;
  const clock = new SimClock();
  const vmstat = new VmStat(1);
  const trace = new TraceBus(clock);
  const end = pfnDown(RAM + bytes);
  const buddy = createBuddyAllocator({
    nrCpus, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), end]] }], maxZonePfn: [end, end, end, 0], clock, trace, log: new KernelLog(clock),
    vmstat, extraListHeads: 48, deferredStructPageInit: false,
  });
  buddy.initPerZoneWmarkMin();
  const mem = buddy.state.mem;
  const vfs = vfsInit({ mem, pages: buddy, vmstat, totalramPages: () => buddy.state.totalramPages });
  const swap = opts.swapPages !== undefined ? new FakeSwap(() => vfs, opts.swapPages) : null;
  const policy = new TwoListLru();
  // rmap for pages "mapped" once by addAnonPage (mapcount 0): never referenced; try_to_unmap
  // succeeds for a swap-cache page (the PTE's reference goes, as try_to_unmap_one's folio_put).
  const fakeRmap = {
    referencedVmFlags: 0,
    folioMapped: (page: number) => mem.mapcount[page]! >= 0,
    folioReferenced: () => 0,
    tryToUnmap: (page: number) => {
      if ((mem.flags[page]! & (1 << PG_swapcache)) === 0) return false;
      mem.mapcount[page] = -1;
      mem.refcount[page]!--;
      return true;
    },
  } as unknown as Rmap;
  const vmscan = new Vmscan({
    mem, vmstat, clock, trace, pa: buddy.state, pages: buddy, nrCpus, policy, rmap: () => fakeRmap, vfs: () => vfs, swap: () => swap,
    freePage: (page, order) => {
      vfs.contents.clear(mem.pageToPfn(page));
      buddy.freePages(mem.pageToPfn(page), order, 0);
    },
  });
  const lru = new LruCore(vmscan, nrCpus);
  vfs.lru = lru;
  buddy.state.hooks = { ...buddy.state.hooks, kswapd: vmscan, reclaimer: vmscan };
  doMount(vfs, "ramfs", "/root", "ramfs", 0, "");
  const files = new FilesStruct();
  const fd = doSysOpen(vfs, files, "/root/f", O_CREAT | O_RDWR, 0o600);
  const mapping = fget(files, fd)!.fMapping;
  mapping.flags &= ~(1 << AS_UNEVICTABLE); // a clean, evictable page cache without a disk
  let anonIndex = 0;
  return {
    vfs, vmscan, lru, policy, vmstat, clock, mapping, swap,
    addFilePages(from, n) {
      const out: number[] = [];
      for (let i = from; i < from + n; i++) {
        const pfn = buddy.allocPages(GFP_HIGHUSER_MOVABLE, 0, 0);
        if (pfn === NIL_PFN) throw new Error("out of memory in the test");
        const page = mem.pfnToPage(pfn);
        if (filemapAddFolio(vfs, mapping, page, i, GFP_HIGHUSER_MOVABLE) !== 0) throw new Error(`page ${i} already cached`);
        mem.flags[page] = mem.flags[page]! | (1 << PG_uptodate);
        folioUnlock(vfs, page);
        folioPut(vfs, page); // the cache's reference is left
        out.push(page);
      }
      return out;
    },
    addAnonPage() {
      const pfn = buddy.allocPages(GFP_HIGHUSER_MOVABLE, 0, 0);
      const page = mem.pfnToPage(pfn);
      mem.flags[page] = mem.flags[page]! | (1 << PG_uptodate) | (1 << PG_swapbacked);
      mem.mapping[page] = -(++anonIndex); // an anon_vma
      mem.mapcount[page] = 0; // mapped once (the allocation's reference is the PTE's)
      lru.folioAddLru(page, 0);
      return page;
    },
    nrFree: () => vmstat.globalZonePageState(0),
  };
}
