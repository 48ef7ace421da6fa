// Kernel: mm/migrate.c (kernel_move_pages, do_pages_move, add_page_for_migration, do_move_pages_to_node, move_pages_and_store_status, do_pages_stat_array, alloc_migration_target), mm/mempolicy.c (kernel_migrate_pages' one-pair case: do_migrate_pages → migrate_to_node → queue_pages_range, queue_pages_pte_range, migrate_page_add, vma_migratable) (v6.1) — move_pages(2) and migrate_pages(2)
/*
 * The user-visible ways to migrate without compaction: move_pages(2) moves the pages at given
 * addresses of a process to a node (or, without a node, reports where each page is), and
 * migrate_pages(2) moves every page of a process from one node to another. Both isolate the pages
 * (folio_isolate_lru, only pages mapped once unless MPOL_MF_MOVE_ALL) and call migrate_pages()
 * with MIGRATE_SYNC and MR_SYSCALL, each new page from alloc_migration_target on the target node
 * (GFP_HIGHUSER_MOVABLE | __GFP_THISNODE: no fallback to another node).
 *
 * Simplified: one target node per call (a move_pages with a nodes[] array naming several nodes
 * is a sequence of calls), migrate_pages(2) with one source and one destination node (6.1's
 * do_migrate_pages pairs several), no permission checks (the caller moves its own pages) and no
 * cpuset; hugetlb VMAs are not modelled.
 */
import {
  EACCES, EBUSY, EFAULT, EINVAL, ENODEV, ENOENT, GFP_HIGHUSER_MOVABLE, GFP_TRANSHUGE, MIGRATE_SYNC, MR_SYSCALL, type MigrateResult, type MigrationTarget, NIL_PFN, PG_head,
  type PageAllocator, __GFP_RECLAIM, __GFP_THISNODE, pageToNid,
} from "@mmsim/core";
import { NULL_ENTRY, PTE_SPECIAL_HI, PTE_VALID, type PgtableStore, pgdOffsetPgd, pmdOffset, ptePfn, pteOffsetKernel, pudOffset } from "@mmsim/hw-arm64";
import { pageMapcount } from "@mmsim/rmap";
import { type MmStruct, VM_HUGETLB, VM_IO, VM_MIXEDMAP, VM_PFNMAP, type VmAreaStruct } from "@mmsim/vma";
import type { Migrator } from "./migrate.ts";

/** Kernel: `MPOL_MF_MOVE`, `MPOL_MF_MOVE_ALL` (include/uapi/linux/mempolicy.h). */
export const MPOL_MF_MOVE = 1 << 1;
export const MPOL_MF_MOVE_ALL = 1 << 2;
/** Pages per do_pages_stat chunk. Kernel: `DO_PAGES_STAT_CHUNK_NR`. */
export const DO_PAGES_STAT_CHUNK_NR = 16;

const PAGE = 4096;
const PMD_SIZE = 2 ** 21;

/** A new page on node `nid` for each migrating folio. Kernel: `alloc_migration_target()` with `struct migration_target_control` (nid, GFP_HIGHUSER_MOVABLE | __GFP_THISNODE). */
export class NodeMigrationTarget implements MigrationTarget {
  nid = 0;
  cpu = 0;
  constructor(private readonly pages: PageAllocator) {}

  getNewPage(_srcPfn: number, order: number): number {
    let gfp = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE;
    // a THP: "clear __GFP_RECLAIM to make the migration callback consistent with regular THP allocations" (the caller preps it: prep_transhuge_page)
    if (order !== 0) gfp = (gfp & ~__GFP_RECLAIM) | GFP_TRANSHUGE;
    const pfn = this.pages.allocPages(gfp, order, this.cpu, this.nid);
    return pfn === NIL_PFN ? -1 : pfn;
  }

  putNewPage(dstPfn: number, order: number): void {
    this.pages.freePages(dstPfn, order, this.cpu);
  }
}

/** The syscalls' side of migration for one machine. */
export class MigrateSyscalls {
  private readonly target: NodeMigrationTarget;
  private list = new Int32Array(64);
  private readonly result: MigrateResult = { nrFailed: 0, nrSucceeded: 0, nrFailedNoMem: 0 };

  constructor(
    private readonly migrator: Migrator,
    private readonly store: PgtableStore,
    private readonly pages: PageAllocator,
    /** Nodes of the machine. */
    private readonly nrNodes: number,
  ) {
    this.target = new NodeMigrationTarget(pages);
  }

  /**
   * move_pages(2) for the pages at `addrs` of `mm`: to node `node`, or (node null) only where
   * each is. `status[i]` gets the node of page i or -errno (-ENOENT: not present, -EFAULT: no
   * VMA or the zero page, -EACCES: mapped by more than one process without MPOL_MF_MOVE_ALL,
   * -EBUSY: not isolated). Kernel: `kernel_move_pages()` → `do_pages_move()` / `do_pages_stat()`.
   * @returns 0, the number of pages migrate_pages could not move, or -errno (-ENODEV: no such node)
   */
  movePages(mm: MmStruct, addrs: readonly number[], node: number | null, flags: number, status: Int32Array, cpu: number): number {
    if (node === null) {
      for (let i = 0; i < addrs.length; i++) status[i] = this.pageNode(mm, addrs[i]!);
      return 0;
    }
    if (node < 0 || node >= this.nrNodes) return -ENODEV; // node_state(node, N_MEMORY) fails
    this.migrator.lruCacheDisable(); // do_pages_move: lru_cache_disable(), so every page is on its list
    let n = 0;
    let start = 0;
    let err = 0;
    for (let i = 0; i < addrs.length; i++) {
      const r = this.addPageForMigration(mm, addrs[i]!, node, flags, n);
      if (r > 0) {
        n++;
        continue;
      }
      // not queued: its own status, and the batch so far moves now
      status[i] = r !== 0 ? r : node;
      err = this.moveAndStoreStatus(node, status, start, i, n, addrs.length, cpu);
      n = 0;
      start = i + 1;
      if (err !== 0) return err;
    }
    return this.moveAndStoreStatus(node, status, start, addrs.length, n, addrs.length, cpu);
  }

  /**
   * migrate_pages(2) with one source and one destination node: every page of `mm` on `from`
   * mapped only by this process (all of them with MPOL_MF_MOVE_ALL) moves to `to`. Kernel:
   * `kernel_migrate_pages()` → `do_migrate_pages()` → `migrate_to_node()` (queue_pages_range with
   * MPOL_MF_DISCONTIG_OK, then migrate_pages MIGRATE_SYNC MR_SYSCALL).
   * @returns the pages not moved, or -errno
   */
  migratePages(mm: MmStruct, from: number, to: number, flags: number, cpu: number): number {
    if (from < 0 || from >= this.nrNodes || to < 0 || to >= this.nrNodes) return -EINVAL; // nodes outside the allowed mask
    if (from === to) return 0;
    this.migrator.lruCacheDisable(); // do_migrate_pages: lru_cache_disable()
    let n = 0;
    const m = this.migrator;
    for (const vma of mm.mt) {
      if (!vmaMigratable(vma)) continue;
      this.walkPresent(vma, (pfn) => {
        const page = m.mem.pfnToPage(pfn);
        if (pageToNid(m.mem, page) !== from) return;
        const head = m.deps.rmap.compoundHead(page);
        if ((flags & MPOL_MF_MOVE_ALL) === 0 && pageMapcount(m.mem, head) !== 1) return;
        const headPfn = m.mem.pageToPfn(head);
        for (let i = 0; i < n; i++) if (this.list[i] === headPfn) return; // a THP seen through another PTE
        if (!m.isolateForMigration(headPfn, MIGRATE_SYNC)) return;
        this.push(n++, headPfn);
      });
    }
    if (n === 0) return 0;
    this.run(to, n, cpu);
    return this.result.nrFailed;
  }

  private push(i: number, pfn: number): void {
    if (i >= this.list.length) {
      const l = new Int32Array(this.list.length * 2);
      l.set(this.list);
      this.list = l;
    }
    this.list[i] = pfn;
  }

  /** migrate_pages(pagelist, alloc_migration_target, NULL, &mtc, MIGRATE_SYNC, MR_SYSCALL), then putback of what is left. */
  private run(node: number, n: number, cpu: number): void {
    this.target.nid = node;
    this.target.cpu = cpu;
    this.migrator.migratePages(this.list, n, this.target, MIGRATE_SYNC, MR_SYSCALL, this.result);
    if (this.result.nrFailed > 0) this.migrator.putbackMovablePages(this.list, this.result.nrFailed);
  }

  /** Kernel: `move_pages_and_store_status()` (do_move_pages_to_node + store_status of [start, end)). */
  private moveAndStoreStatus(node: number, status: Int32Array, start: number, end: number, n: number, nrPages: number, cpu: number): number {
    if (n === 0) return 0;
    this.run(node, n, cpu);
    // migrate_pages returned the folios it could not move: the caller is told how many pages were not moved
    if (this.result.nrFailed > 0) return this.result.nrFailed + nrPages - end;
    for (let i = start; i < end; i++) status[i] = node;
    return 0;
  }

  /**
   * Queues the page at `addr` for a move to `node`. Kernel: `add_page_for_migration()` (vma_lookup,
   * follow_page FOLL_GET|FOLL_DUMP, page_mapcount check, isolate_lru_page).
   * @returns 1 when queued, 0 when it is on `node` already, or -errno
   */
  private addPageForMigration(mm: MmStruct, addr: number, node: number, flags: number, n: number): number {
    const vma = vmaLookup(mm, addr);
    if (vma === null || !vmaMigratable(vma)) return -EFAULT;
    const pfn = this.followPage(vma, addr);
    if (pfn === -EFAULT) return -EFAULT;
    if (pfn < 0) return -ENOENT;
    const m = this.migrator;
    const page = m.mem.pfnToPage(pfn);
    if (pageToNid(m.mem, page) === node) return 0;
    if (pageMapcount(m.mem, page) > 1 && (flags & MPOL_MF_MOVE_ALL) === 0) return -EACCES;
    const head = m.deps.rmap.compoundHead(page);
    const headPfn = m.mem.pageToPfn(head);
    if (!m.isolateForMigration(headPfn, MIGRATE_SYNC)) return -EBUSY;
    this.push(n, headPfn);
    return 1;
  }

  /** Kernel: `do_pages_stat_array()`'s one page: its node, -ENOENT or -EFAULT. */
  private pageNode(mm: MmStruct, addr: number): number {
    const vma = vmaLookup(mm, addr);
    if (vma === null) return -EFAULT;
    const pfn = this.followPage(vma, addr);
    if (pfn === -EFAULT) return -EFAULT;
    if (pfn < 0) return -ENOENT;
    return pageToNid(this.migrator.mem, this.migrator.mem.pfnToPage(pfn));
  }

  /**
   * The PFN mapped at `addr` (the subpage of a PMD-mapped THP), -ENOENT when nothing is
   * present, -EFAULT for the zero page or a special mapping. Kernel: `follow_page()` with FOLL_DUMP.
   */
  private followPage(vma: VmAreaStruct, addr: number): number {
    const pgt = vma.vmMm.pgtables;
    if (pgt === null) return -ENOENT;
    const store = this.store;
    const pudp = pudOffset(store, pgdOffsetPgd(store, pgt.pgd, addr), addr);
    if (pudp === NULL_ENTRY) return -ENOENT;
    const pmdp = pmdOffset(store, pudp, addr);
    if (pmdp === NULL_ENTRY) return -ENOENT;
    const lo = store.readLo(pmdp);
    const hi = store.readHi(pmdp);
    if (lo === 0 && hi === 0) return -ENOENT;
    if ((lo & 3) === 1) {
      // a block: the huge page (or the huge zero page) of a THP mapping
      const pfn = ptePfn(lo, hi);
      const mem = this.migrator.mem;
      if (!mem.pfnValid(pfn) || (mem.flags[mem.pfnToPage(pfn)]! & (1 << PG_head)) === 0) return -EFAULT;
      return pfn + Math.floor((addr % PMD_SIZE) / PAGE);
    }
    if ((lo & 3) !== 3) return -ENOENT;
    const ptep = pteOffsetKernel(store, pmdp, addr);
    const plo = store.readLo(ptep);
    const phi = store.readHi(ptep);
    if ((plo & PTE_VALID) === 0) return -ENOENT;
    if ((phi & PTE_SPECIAL_HI) !== 0) return -EFAULT; // the zero page (pte_special): FOLL_DUMP
    const pfn = ptePfn(plo, phi);
    const mem = this.migrator.mem;
    if (!mem.pfnValid(pfn) || mem.refcount[mem.pfnToPage(pfn)]! <= 0) return -EFAULT;
    return pfn;
  }

  /** Calls `fn` with the PFN of every present normal page of the VMA (a THP's subpages through its PMD). Kernel: `queue_pages_range()`'s walk. */
  private walkPresent(vma: VmAreaStruct, fn: (pfn: number) => void): void {
    for (let addr = vma.vmStart; addr < vma.vmEnd; addr += PAGE) {
      const pfn = this.followPage(vma, addr);
      if (pfn >= 0) fn(pfn);
    }
  }
}

/** Kernel: `vma_lookup()`. */
export function vmaLookup(mm: MmStruct, addr: number): VmAreaStruct | null {
  const vma = mm.mt.findVma(addr);
  return vma !== null && vma !== undefined && vma.vmStart <= addr ? vma : null;
}

/** Kernel: `vma_migratable()` (no VM_IO/VM_PFNMAP; hugetlb VMAs are not modelled). */
export function vmaMigratable(vma: VmAreaStruct): boolean {
  return (vma.vmFlags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP | VM_HUGETLB)) === 0;
}
