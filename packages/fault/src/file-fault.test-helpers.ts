// mmsim: a tiny page cache standing in for @mmsim/filemap in the file-fault tests — files (disk-like, with page_mkwrite, or shmem-like) whose pages come from the test machine's page allocator, registered by address_space id in a FileMappings, with vm_ops that behave as filemap_fault / filemap_map_pages / filemap_page_mkwrite / shmem_fault do for pages already in memory, and count what mm asked of them
import {
  GFP_HIGHUSER_MOVABLE, NIL_PFN, NR_FILE_DIRTY, NR_FILE_PAGES, NR_SHMEM, PGMAJFAULT, PG_dirty, PG_referenced, PG_swapbacked, PG_uptodate,
  type MemMap, type PageAllocator, type VmStat,
} from "@mmsim/core";
import {
  FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_TRIED, type FileMappings, VM_FAULT_LOCKED, VM_FAULT_RETRY, VM_FAULT_MAJOR, VM_FAULT_NOPAGE, VM_FAULT_OOM, VM_FAULT_SIGBUS, type VmAreaStruct, type VmFault,
  type VmFile, type VmFileMapping, type VmOperationsStruct,
} from "@mmsim/vma";
import type { MmMemory } from "./memory.ts";
import { contentFill } from "./page-contents.ts";

const PAGE = 4096;

/** One file's page cache: the address_space as the tests see it. */
export class FakeMapping implements VmFileMapping {
  readonly iMmap = new Set<VmAreaStruct>();
  /** index → page (the cache holds one reference on each). */
  readonly pages = new Map<number, number>();
  /** dirty_folio calls that dirtied a clean page. */
  dirtied = 0;
  /** folio_mark_accessed calls. */
  accessed = 0;

  constructor(
    private readonly cache: FakePageCache,
    readonly id: number,
    readonly swapBacked: boolean,
    public iSize: number,
  ) {}

  /** filemap_dirty_folio (NR_FILE_DIRTY) or shmem's noop_dirty_folio (PG_dirty only). */
  dirtyFolio(page: number): boolean {
    const mem = this.cache.mem;
    if ((mem.flags[page]! & (1 << PG_dirty)) !== 0) return false;
    mem.flags[page] |= 1 << PG_dirty;
    this.dirtied++;
    if (!this.swapBacked) this.cache.vmstat.modNodePageState(0, NR_FILE_DIRTY, 1);
    return true;
  }

  /** folio_mark_accessed's first step (no LRU here). */
  markAccessed(page: number): void {
    this.accessed++;
    this.cache.mem.flags[page] |= 1 << PG_referenced;
  }
}

/** A file as mm sees it: its mapping, and an f_op->mmap that sets vm_ops. */
export class FakeFile implements VmFile {
  readonly dev: readonly [number, number];
  constructor(
    readonly path: string,
    readonly ino: number,
    readonly mapping: FakeMapping,
    readonly ops: FakeVmOps,
  ) {
    this.dev = mapping.swapBacked ? [0, 1] : [254, 0];
  }
  mmap(vma: VmAreaStruct): number {
    vma.vmOps = this.ops;
    return 0;
  }
}

/** What the vm_ops were asked. */
export interface FakeOpsCounts {
  fault: number;
  mapPages: number;
  /** Pages map_pages offered to do_set_pte (and how many it mapped). */
  offered: number;
  mapped: number;
  pageMkwrite: number;
  dirtyShared: number;
  /** The [start, end] pgoff windows map_pages was called with. */
  windows: [number, number][];
}

/** filemap's / shmem's vm_operations_struct over the fake cache. */
export class FakeVmOps implements VmOperationsStruct {
  readonly counts: FakeOpsCounts = { fault: 0, mapPages: 0, offered: 0, mapped: 0, pageMkwrite: 0, dirtyShared: 0, windows: [] };
  /** page_mkwrite returns this instead (e.g. VM_FAULT_SIGBUS) when set. */
  refuseMkwrite = 0;
  /**
   * A miss drops mmap_lock for the read and returns VM_FAULT_RETRY when the fault allows it
   * (filemap_fault's do_sync_mmap_readahead path); the retry finds the page cached.
   */
  retryOnMiss = false;
  readonly pageMkwrite: ((vmf: VmFault) => number) | undefined;

  constructor(
    private readonly cache: FakePageCache,
    private readonly mapping: FakeMapping,
    withMkwrite: boolean,
  ) {
    this.pageMkwrite = withMkwrite ? (vmf: VmFault) => this.mkwrite(vmf) : undefined;
  }

  /** filemap_fault / shmem_fault: the cached page, else a new one (read from "disk": VM_FAULT_MAJOR and pgmajfault; shmem: zeroed, minor). */
  fault(vmf: VmFault): number {
    this.counts.fault++;
    const mapping = this.mapping;
    const maxIdx = Math.ceil(mapping.iSize / PAGE);
    if (vmf.pgoff >= maxIdx) return VM_FAULT_SIGBUS;
    let page = mapping.pages.get(vmf.pgoff);
    let ret = VM_FAULT_LOCKED;
    if (page === undefined) {
      page = this.cache.addPage(mapping, vmf.pgoff);
      if (page < 0) return VM_FAULT_OOM;
      if (this.retryOnMiss && (vmf.flags & (FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_TRIED)) === FAULT_FLAG_ALLOW_RETRY) {
        this.cache.vmstat.countVmEvent(PGMAJFAULT);
        return VM_FAULT_RETRY;
      }
      if (!mapping.swapBacked) {
        this.cache.vmstat.countVmEvent(PGMAJFAULT);
        ret |= VM_FAULT_MAJOR;
      }
    }
    this.cache.mem.refcount[page]!++;
    vmf.page = page;
    return ret;
  }

  /** filemap_map_pages: the uptodate cached pages of [start, end] below EOF through do_set_pte, no I/O. */
  mapPages(vmf: VmFault, startPgoff: number, endPgoff: number): number {
    this.counts.mapPages++;
    this.counts.windows.push([startPgoff, endPgoff]);
    const mapping = this.mapping;
    const vma = vmf.vma!;
    const maxIdx = Math.ceil(mapping.iSize / PAGE);
    const end = Math.min(endPgoff, maxIdx - 1);
    const mem = this.cache.mem;
    let ret = 0;
    for (let i = startPgoff; i <= end; i++) {
      const page = mapping.pages.get(i);
      if (page === undefined || (mem.flags[page]! & (1 << PG_uptodate)) === 0) continue;
      const addr = vma.vmStart + (i - vma.vmPgoff) * PAGE;
      this.counts.offered++;
      mem.refcount[page]!++; // folio_try_get
      if (!vmf.sink!.doSetPte(vmf, page, addr)) {
        mem.refcount[page]!--;
        continue;
      }
      this.counts.mapped++;
      if (addr === vmf.address) ret = VM_FAULT_NOPAGE;
    }
    return ret;
  }

  /** filemap_page_mkwrite: refuse a page truncated meanwhile or past EOF, else dirty it. */
  private mkwrite(vmf: VmFault): number {
    this.counts.pageMkwrite++;
    if (this.refuseMkwrite !== 0) return this.refuseMkwrite;
    const mem = this.cache.mem;
    if (mem.mapping[vmf.page] !== this.mapping.id) return VM_FAULT_NOPAGE;
    if (mem.index[vmf.page]! * PAGE >= this.mapping.iSize) return VM_FAULT_SIGBUS;
    this.mapping.dirtyFolio(vmf.page);
    return VM_FAULT_LOCKED;
  }

  /** fault_dirty_shared_page's set_page_dirty (balance_dirty_pages: no throttling here). */
  dirtySharedPage(_vmf: VmFault, page: number): void {
    this.counts.dirtyShared++;
    this.mapping.dirtyFolio(page);
  }
}

/** The fake page cache of one test machine. */
export class FakePageCache {
  readonly mem: MemMap;
  readonly vmstat: VmStat;
  private nextIno = 100;

  constructor(
    private readonly m: MmMemory,
    private readonly pagesAlloc: PageAllocator,
    readonly fileMappings: FileMappings,
  ) {
    this.mem = m.mem;
    this.vmstat = m.vmstat;
  }

  /** A new file of `size` bytes: disk-like (page_mkwrite, writeback) or shmem-like (swap-backed, no page_mkwrite). */
  createFile(path: string, size: number, kind: "disk" | "shmem" = "disk", withMapPages = true): FakeFile {
    const mapping = new FakeMapping(this, this.fileMappings.allocId(), kind === "shmem", size);
    this.fileMappings.register(mapping);
    const ops = new FakeVmOps(this, mapping, kind === "disk");
    if (!withMapPages) (ops as { mapPages?: unknown }).mapPages = undefined;
    return new FakeFile(path, this.nextIno++, mapping, ops);
  }

  /** Puts page `index` of the file in the cache (filemap_add_folio: one reference, uptodate), contents `content`. @returns the page, or -1 */
  addPage(mapping: FakeMapping, index: number, content = 0): number {
    const pfn = this.pagesAlloc.allocPages(GFP_HIGHUSER_MOVABLE, 0, 0);
    if (pfn === NIL_PFN) return -1;
    const mem = this.mem;
    const page = mem.pfnToPage(pfn);
    mem.mapping[page] = mapping.id;
    mem.index[page] = index;
    mem.flags[page] |= 1 << PG_uptodate;
    if (mapping.swapBacked) mem.flags[page] |= 1 << PG_swapbacked;
    mapping.pages.set(index, page);
    this.vmstat.modNodePageState(0, NR_FILE_PAGES, 1);
    if (mapping.swapBacked) this.vmstat.modNodePageState(0, NR_SHMEM, 1);
    this.m.contents.set(pfn, content);
    return page;
  }

  /** Reads pages [first, first + n) into the cache (as readahead would), page i filled with the word `fillBase + i` (0: zeros). */
  populate(file: FakeFile, first: number, n: number, fillBase = 0): void {
    for (let i = first; i < first + n; i++) if (!file.mapping.pages.has(i)) this.addPage(file.mapping, i, fillBase === 0 ? 0 : contentFill(fillBase + i));
  }

  /** Takes an unmapped page out of the cache (delete_from_page_cache + the cache's folio_put). */
  removePage(file: FakeFile, index: number): void {
    const mapping = file.mapping;
    const page = mapping.pages.get(index)!;
    const mem = this.mem;
    if (mem.mapcount[page]! >= 0) throw new Error(`page ${index} of ${file.path} is still mapped`);
    mapping.pages.delete(index);
    if ((mem.flags[page]! & (1 << PG_dirty)) !== 0 && !mapping.swapBacked) this.vmstat.modNodePageState(0, NR_FILE_DIRTY, -1);
    mem.flags[page] &= ~((1 << PG_dirty) | (1 << PG_swapbacked) | (1 << PG_uptodate) | (1 << PG_referenced));
    mem.mapping[page] = 0;
    this.vmstat.modNodePageState(0, NR_FILE_PAGES, -1);
    if (mapping.swapBacked) this.vmstat.modNodePageState(0, NR_SHMEM, -1);
    this.m.putPage(page);
  }

  /** Every page of every file out of the cache (the test's end: leak check). */
  dropAll(files: readonly FakeFile[]): void {
    for (const f of files) for (const index of [...f.mapping.pages.keys()]) this.removePage(f, index);
  }
}
