// Kernel: mm/rmap.c (v6.1; followed from the 6.1 sources as remembered and cross-checked against the 6.1 semantics the KERNEL-FACTS captures pin; the file side read from 6.1.y's rmap.c) — anon_vma_prepare/clone/fork/unlink, page_add_new_anon_rmap, page_add_anon_rmap, page_add_file_rmap, page_dup_file_rmap, page_remove_rmap, page_try_dup_anon_rmap, page_try_share_anon_rmap, page_move_anon_rmap, rmap_walk_anon, rmap_walk_file, rmap_walk (its KSM branch; rmap_walk_ksm is @mmsim/ksm's), folio_referenced, try_to_unmap, try_to_migrate, folio_mkclean; mm/migrate.c remove_migration_pte
/*
 * Mem map conventions (core's MemMap): an anonymous page's `mapping` is -(anon_vma id)
 * (PAGE_MAPPING_ANON), its `index` the linear page index (vma->vm_pgoff + (addr - vm_start) >>
 * PAGE_SHIFT). MemMap.index is 32 bits where the kernel's page->index is 64: anonymous VMAs'
 * vm_pgoff is vm_start >> PAGE_SHIFT (up to 2^36), so index holds the linear page index modulo
 * 2^32 and vma_address() works on offsets modulo 2^32, exact while a VMA spans under 2^32 pages
 * (16 TiB, beyond any TASK_SIZE here).
 *
 * Transparent huge pages, as 6.1 keeps them (before 6.2's subpages_mapcount): the head page has
 * PG_head; a tail page is a page whose naturally aligned order-9 block starts with a PG_head page
 * (only THPs are compound here); `compound_mapcount` (PMD mappings − 1) lives in the first tail
 * page's `private` (the kernel keeps it in page[1].compound_mapcount); each subpage's `_mapcount`
 * counts its PTE mappings; PG_double_map (= PG_workingset, on page[1]) marks a THP mapped by a
 * PMD and by PTEs at once, with one extra _mapcount per subpage. The folio's references
 * (`_refcount`) are all on the head page: one per PMD mapping and one per PTE mapping.
 *
 * KSM pages (mm/ksm.c): `mapping` is PAGE_MAPPING_KSM with the stable node, here
 * -(KSM_MAPPING_BIT + stable node id): negative, so PageAnon() holds as in the kernel (the KSM
 * bit includes PAGE_MAPPING_ANON), and at most -KSM_MAPPING_BIT, which no anon_vma id reaches.
 * Stable node id 0 is a KSM page without a node yet (set_page_stable_node(page, NULL)). Their
 * rmap walk is @mmsim/ksm's rmap_walk_ksm (the `ksmWalk` hook): the stable node's rmap_items.
 *
 * File pages (the page cache, shmem; order 0 only: no file THPs yet): `mapping` is the
 * address_space's id (> 0) and `index` the page's offset in the file; rmap_walk_file finds the
 * VMAs that may map it in the mapping's i_mmap (`FileMappings`, the machine's FILE_MAPPINGS),
 * those whose file range covers the index, and page_vma_mapped_walk checks each PTE maps this
 * very page (a private VMA of the file may map a COW copy there instead). The first mapping of a
 * file page counts in NR_FILE_MAPPED (nr_mapped, meminfo's Mapped), for shmem too.
 */
import {
  HPAGE_PMD_NR, MmBugError, NR_ANON_MAPPED, NR_ANON_THPS, NR_FILE_MAPPED, NR_VM_NODE_STAT_ITEMS, PG_anon_exclusive, PG_dirty, PG_double_map,
  PG_head, PG_swapbacked, PG_swapcache, SWP_MIGRATION_READ, SWP_MIGRATION_READ_EXCLUSIVE, SWP_MIGRATION_WRITE, THP_DEFERRED_SPLIT_PAGE, ZONES_SHIFT,
  type MemMap, type PageAllocator, type VmStat,
} from "@mmsim/core";
import {
  NULL_ENTRY, PteVal, type PgtableStore, pgdOffsetPgd, pmdOffset, ptePfn, pteOffsetKernel, pudOffset,
  pteDirty, pteMkclean, pteWrite, pteWrprotect, PTE_AF, PTE_VALID, PTE_SPECIAL_HI, PTE_DEVMAP_HI, pfnPte, pmdMkhuge, pteMkdirty, pteMkold, pteMkwrite,
} from "@mmsim/hw-arm64";
import {
  type AnonVmaOps, FileMappings, type MmStruct, type VmAreaStruct, type VmFileMapping, MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, VM_LOCKED,
  VM_RAND_READ, VM_SEQ_READ, VM_SHARED, VM_WRITE,
} from "@mmsim/vma";
import { type AnonVmaChainStruct, type AnonVmaStruct, AnonVmaTable, findMergeableAnonVma } from "./anon-vma.ts";
import { isMigrationPte, isReadableMigrationPte, isWritableMigrationPte, migrationPteDirty, migrationPtePfn, migrationPteYoung, mkMigrationPte } from "./migration-entry.ts";

/** flush_tlb_page / flush_tlb_range for one mm (the machine passes its TLB's flush). */
export type TlbRangeFlusher = (mm: MmStruct, start: number, end: number) => void;

/** page_add_anon_rmap() flags. Kernel: `RMAP_EXCLUSIVE`, `RMAP_COMPOUND`. */
export const RMAP_NONE = 0;
export const RMAP_EXCLUSIVE = 1 << 0;
export const RMAP_COMPOUND = 1 << 1;

/** Swap's side of try_to_unmap (the swap issue implements it). Kernel: the swap calls in try_to_unmap_one(). */
export interface SwapUnmapHooks {
  /** swap_duplicate(entry): 0, or a negative errno (the entry of a swap-cache page is page->private). */
  swapDuplicate(entry: number): number;
  /** swap_free(entry). */
  swapFree(entry: number): void;
  /** Writes the swap PTE of `entry` (pte_swp_mkexclusive when `exclusive`) into `out`. Kernel: `swp_entry_to_pte()`. */
  mkSwapPte(entry: number, exclusive: boolean, out: PteVal): void;
}

/**
 * split_huge_page_to_list() for an isolated, locked anonymous THP: the folio becomes 512 order-0
 * pages mapped where the THP was; each tail page comes back isolated (a reference and its place
 * on the caller's list: `onTail(pfn)`), the head stays where it was.
 * @returns 0, or -EBUSY when the folio has references beyond its mappings and the caller's
 */
export type SplitHugePage = (headPfn: number, onTail: (pfn: number) => void) => number;

/** What rmap_walk calls for each mapping of a folio. Kernel: `struct rmap_walk_control`'s rmap_one. */
export interface RmapVisitor {
  /** @returns false to stop the walk */
  rmapOne(page: number, vma: VmAreaStruct, address: number): boolean;
}

/** What rmap needs of the machine. */
export interface RmapDeps {
  readonly mem: MemMap;
  /** The page tables (read by page_vma_mapped_walk, written by folio_referenced / try_to_unmap / mkclean). */
  readonly store: PgtableStore;
  /** Node counters (NR_ANON_MAPPED, NR_ANON_THPS). */
  readonly pages: PageAllocator;
  readonly vmstat: VmStat;
  /** flush_tlb_page(vma, address) after clearing a young bit or a PTE. */
  readonly flushTlbRange: TlbRangeFlusher;
  /**
   * The machine's address_spaces by id (FILE_MAPPINGS), where rmap_walk_file finds a file page's
   * i_mmap. Absent: an empty table of this Rmap's own (anonymous memory only: no file page is found).
   */
  readonly fileMappings?: FileMappings;
}

/** The KSM bit of an anonymous `mapping` (PAGE_MAPPING_KSM's place in this encoding). */
export const KSM_MAPPING_BIT = 1 << 30;

/** page->mapping of a KSM page of stable node `nodeId` (0: no node yet). Kernel: `set_page_stable_node()`. */
export function ksmMapping(nodeId: number): number {
  return -(KSM_MAPPING_BIT + nodeId);
}

/** Kernel: `PageKsm()` (of the folio). */
export function pageKsm(mem: MemMap, page: number): boolean {
  return mem.mapping[compoundHead(mem, page)]! <= -KSM_MAPPING_BIT;
}

/** The stable node id a KSM page names (0: none), or -1 for a page that is not KSM. Kernel: `page_stable_node()`. */
export function pageStableNodeId(mem: MemMap, page: number): number {
  const m = mem.mapping[compoundHead(mem, page)]!;
  return m <= -KSM_MAPPING_BIT ? -m - KSM_MAPPING_BIT : -1;
}

/** One mapping found by pageVmaMappedWalk. Kernel: `struct page_vma_mapped_walk` (its pmd/pte). */
export class PvmwResult {
  /** Entry address of the PTE, or NULL_ENTRY when the mapping is a PMD. */
  pte = NULL_ENTRY;
  /** Entry address of the PMD. */
  pmd = NULL_ENTRY;
  address = 0;
}

const PAGE = 4096;
const PMD_SIZE = PAGE * HPAGE_PMD_NR;
/** lru_gen_look_around's window in pages. Kernel: `MIN_LRU_BATCH` (BITS_PER_LONG). */
const LOOK_AROUND_PAGES = 64;
const U32 = 4294967296;
/** Migration PTEs tryToMigrate remembers for removeMigrationPtes (a folio mapped more often is found by walking). */
const MIGRATE_SEEN_MAX = 8;
const INV_U32 = 2 ** -32;

/** The anonymous rmap of one machine. Implements the contract's AnonVmaOps. */
export class Rmap implements AnonVmaOps {
  readonly table = new AnonVmaTable();
  /** THPs queued for deferred split (the kernel's deferred_split_queue), by head page index. */
  readonly deferredSplit = new Set<number>();
  private readonly mem: MemMap;
  private readonly store: PgtableStore;
  private readonly tmp = new PteVal();
  private readonly pvmw = new PvmwResult();
  /** folio_referenced's vm_flags out-parameter of the last call. */
  referencedVmFlags = 0;
  /**
   * split_huge_page (mm/huge_memory.c), set by the fault path that owns the huge PMDs (MmMemory's
   * constructor); null without one. Migration's try_split_thp calls it.
   */
  splitHugePage: SplitHugePage | null = null;
  /** Swap's hooks for try_to_unmap; null until the swap issue registers them. */
  swapHooks: SwapUnmapHooks | null = null;
  /**
   * The mms swapoff walks (init_mm.mmlist): try_to_unmap_one adds an mm at its first swap PTE
   * (`if (list_empty(&mm->mmlist)) list_add(&mm->mmlist, &init_mm.mmlist)`); the fault path shares
   * this set (copy_nonpresent_pte adds a fork's child, exit_mmap removes).
   */
  readonly mmlist = new Set<MmStruct>();
  /** The file mappings by id (page->mapping of a file page). */
  readonly fileMappings: FileMappings;
  /**
   * MGLRU's look-around (set by the reclaim module while lru_gen is on, null otherwise: 6.1's
   * `lru_gen_enabled()`): called by folio_referenced_one's lru_gen_look_around for the folio of
   * each present, young PTE in the window around a young PTE of `refPage`. Returns false when
   * get_pfn_folio() skips that folio (another node or memcg, an anon folio the walk cannot
   * swap): its PTE stays young. Kernel: the loop body of `lru_gen_look_around()`.
   */
  lookAround: ((refPage: number, page: number) => boolean) | null = null;
  /** rmap_walk_ksm for KSM pages (set by @mmsim/ksm); null: a KSM page's walk visits nothing. */
  ksmWalk: ((page: number, v: RmapVisitor) => number) | null = null;

  constructor(private readonly deps: RmapDeps) {
    this.mem = deps.mem;
    this.store = deps.store;
    this.fileMappings = deps.fileMappings ?? new FileMappings();
  }

  // ------------------------------------------------------------------ anon_vma (AnonVmaOps)

  /**
   * Gives a VMA an anon_vma: a compatible neighbour's, else a new root. Kernel: `anon_vma_prepare()` → `__anon_vma_prepare()`.
   * @returns 0 (object allocation does not fail here)
   */
  anonVmaPrepare(vma: VmAreaStruct): number {
    if (vma.anonVma !== null) return 0;
    let anonVma = findMergeableAnonVma(vma);
    if (anonVma === null) {
      anonVma = this.table.alloc();
      anonVma.numChildren++; // self-parent link for new root
    }
    vma.anonVma = anonVma;
    this.table.chainLink(vma, anonVma);
    anonVma.numActiveVmas++;
    return 0;
  }

  /**
   * Attaches dst to every anon_vma of src, reusing one with no VMA and at most one child as dst's
   * own. Kernel: `anon_vma_clone()`.
   */
  anonVmaClone(dst: VmAreaStruct, src: VmAreaStruct): number {
    const chain = src.anonVmaChain;
    for (let i = chain.length - 1; i >= 0; i--) {
      // list_for_each_entry_reverse: oldest (the root) first
      const anonVma = chain[i]!.anonVma as AnonVmaStruct;
      this.table.chainLink(dst, anonVma);
      // Reuse an existing anon_vma with no VMA and at most one child (never the root: it has its self-parent child).
      if (dst.anonVma === null && src.anonVma !== null && anonVma.numChildren < 2 && anonVma.numActiveVmas === 0) dst.anonVma = anonVma;
    }
    if (dst.anonVma !== null) (dst.anonVma as AnonVmaStruct).numActiveVmas++;
    return 0;
  }

  /** At fork: clone the parent VMA's chain, then a new anon_vma under the parent's root. Kernel: `anon_vma_fork()`. */
  anonVmaFork(vma: VmAreaStruct, pvma: VmAreaStruct): number {
    if (pvma.anonVma === null) return 0;
    vma.anonVma = null;
    // dup_mmap copied the parent VMA, its chain included: the child starts with none of its own.
    (vma.anonVmaChain as unknown[]).length = 0;
    const err = this.anonVmaClone(vma, pvma);
    if (err !== 0) return err;
    if (vma.anonVma !== null) return 0;
    const anonVma = this.table.alloc();
    const pav = pvma.anonVma as AnonVmaStruct;
    anonVma.root = pav.root;
    anonVma.parent = pav;
    this.table.getAnonVma(anonVma.root);
    vma.anonVma = anonVma;
    anonVma.numActiveVmas++;
    this.table.chainLink(vma, anonVma);
    anonVma.parent.numChildren++;
    return 0;
  }

  /**
   * Detaches a VMA from its anon_vmas, freeing those left empty (newest first, so the root goes
   * last). Idempotent: a VMA already unlinked has an empty chain. Kernel: `unlink_anon_vmas()`.
   */
  unlinkAnonVmas(vma: VmAreaStruct): void {
    const chain = vma.anonVmaChain as AnonVmaChainStruct[];
    const empty: AnonVmaChainStruct[] = [];
    for (const avc of chain) {
      const anonVma = avc.anonVma;
      this.table.treeRemove(avc);
      if (anonVma.chains.length === 0) {
        anonVma.parent.numChildren--;
        empty.push(avc); // left on the list, freed below
        continue;
      }
      this.table.nrChains--;
    }
    if (vma.anonVma !== null) {
      (vma.anonVma as AnonVmaStruct).numActiveVmas--;
      vma.anonVma = null;
    }
    chain.length = 0;
    for (const avc of empty) {
      const anonVma = avc.anonVma;
      if (anonVma.numChildren !== 0 || anonVma.numActiveVmas !== 0) {
        throw new MmBugError("rmap.unlinkAnonVmas", `empty anon_vma ${anonVma.id} still has ${anonVma.numChildren} children and ${anonVma.numActiveVmas} active VMAs`);
      }
      this.table.put(anonVma);
      this.table.nrChains--;
    }
  }

  // ------------------------------------------------------------------ page helpers

  /** Kernel: `compound_head()`: see the free function `compoundHead`. */
  compoundHead(page: number): number {
    return compoundHead(this.mem, page);
  }

  /** Kernel: `PageTransCompound()`. */
  pageCompound(page: number): boolean {
    return this.compoundHead(page) !== page || (this.mem.flags[page]! & (1 << PG_head)) !== 0;
  }

  /** Kernel: `PageAnon()` (of the folio). */
  pageAnon(page: number): boolean {
    return this.mem.mapping[this.compoundHead(page)]! < 0;
  }

  /** The anon_vma a page's mapping names, or null. Kernel: `folio_anon_vma()`. */
  pageAnonVma(page: number): AnonVmaStruct | null {
    const m = this.mem.mapping[this.compoundHead(page)]!;
    return m < 0 && m > -KSM_MAPPING_BIT ? this.table.get(-m) : null;
  }

  /** Kernel: `compound_mapcount()` (PMD mappings of a THP). */
  compoundMapcount(head: number): number {
    return this.mem.private[head + 1]! + 1;
  }

  /** Mapcount of one page: see the free function `pageMapcount`. */
  pageMapcount(page: number): number {
    return pageMapcount(this.mem, page);
  }

  /** Mappings of a whole folio (PMD and PTE). Kernel: `folio_mapcount()` / `total_mapcount()`. */
  totalMapcount(page: number): number {
    const mem = this.mem;
    const head = this.compoundHead(page);
    if ((mem.flags[head]! & (1 << PG_head)) === 0) return mem.mapcount[head]! + 1;
    const compound = mem.private[head + 1]! + 1;
    let ret = compound;
    for (let i = 0; i < HPAGE_PMD_NR; i++) ret += mem.mapcount[head + i]! + 1;
    if ((mem.flags[head + 1]! & (1 << PG_double_map)) !== 0) ret -= HPAGE_PMD_NR;
    return ret;
  }

  /** Kernel: `folio_mapped()` / `page_mapped()` of the folio. */
  folioMapped(page: number): boolean {
    return this.totalMapcount(page) > 0;
  }

  /** Makes an order-9 block a THP: PG_head, compound_mapcount -1, no double map. Kernel: `prep_compound_page()` / `prep_transhuge_page()`. */
  prepTransHuge(head: number): void {
    const mem = this.mem;
    mem.flags[head] |= 1 << PG_head;
    mem.private[head + 1] = -1;
    mem.flags[head + 1] &= ~(1 << PG_double_map);
  }

  /** Undoes prepTransHuge before the block is freed. Kernel: `free_compound_page()` → free_pages_prepare's tail checks. */
  destroyTransHuge(head: number): void {
    const mem = this.mem;
    mem.flags[head] &= ~(1 << PG_head);
    mem.private[head + 1] = 0;
    mem.flags[head + 1] &= ~(1 << PG_double_map);
    this.deferredSplit.delete(head);
  }

  // ------------------------------------------------------------------ adding and removing mappings

  /** Kernel: `__page_set_anon_rmap()`. */
  private pageSetAnonRmap(page: number, vma: VmAreaStruct, address: number, exclusive: boolean): void {
    let anonVma = vma.anonVma as AnonVmaStruct | null;
    if (anonVma === null) noAnonVma(vma);
    if (!exclusive) anonVma = anonVma.root;
    const mem = this.mem;
    mem.mapping[page] = -anonVma.id;
    mem.index[page] = linearPageIndex(vma, address);
    if (exclusive) mem.flags[page] |= 1 << PG_anon_exclusive;
  }

  /**
   * A page new to this VMA (fault, COW copy): mapcount 0, PageSwapBacked, its anon_vma and
   * index, exclusive. Kernel: `page_add_new_anon_rmap()`.
   * @param page the page, or a THP's head when `compound`
   */
  pageAddNewAnonRmap(page: number, vma: VmAreaStruct, address: number, compound: boolean): void {
    if (address < vma.vmStart || address >= vma.vmEnd) addressOutsideVma(address);
    const mem = this.mem;
    mem.flags[page] |= 1 << PG_swapbacked;
    let nr = 1;
    const pfn = mem.pageToPfn(page);
    if (!compound) mem.mapcount[page] = 0;
    else {
      mem.private[page + 1] = 0; // compound_mapcount = 0 (one mapping)
      nr = HPAGE_PMD_NR;
      this.deps.pages.modNodePageState(pfn, NR_ANON_THPS, nr);
    }
    this.deps.pages.modNodePageState(pfn, NR_ANON_MAPPED, nr);
    this.pageSetAnonRmap(page, vma, address, true);
  }

  /**
   * Adds a mapping of an anonymous page that may already be mapped (swap-in, KSM, restore).
   * Kernel: `page_add_anon_rmap()` (RMAP_EXCLUSIVE, RMAP_COMPOUND).
   */
  pageAddAnonRmap(page: number, vma: VmAreaStruct, address: number, flags: number): void {
    const mem = this.mem;
    const compound = (flags & RMAP_COMPOUND) !== 0;
    let first: boolean;
    let nr = 1;
    const pfn = mem.pageToPfn(page);
    if (compound) {
      first = ++mem.private[page + 1]! === 0;
      nr = HPAGE_PMD_NR;
      if (first) this.deps.pages.modNodePageState(pfn, NR_ANON_THPS, nr);
    } else first = ++mem.mapcount[page]! === 0;
    if (first) this.deps.pages.modNodePageState(pfn, NR_ANON_MAPPED, nr);
    if (mem.mapping[this.compoundHead(page)]! >= 0) this.pageSetAnonRmap(page, vma, address, (flags & RMAP_EXCLUSIVE) !== 0);
    else if ((flags & RMAP_EXCLUSIVE) !== 0) mem.flags[page] |= 1 << PG_anon_exclusive;
  }

  /**
   * A PTE now maps a page of the page cache (a file or shmem page): one more mapping; the first
   * counts the page in NR_FILE_MAPPED. The page's mapping and index are the page cache's.
   * mlock_vma_folio for a VM_LOCKED VMA is the LRU's (not modelled). Kernel: `page_add_file_rmap()`
   * (compound false: file THPs are not modelled).
   */
  pageAddFileRmap(page: number, _vma: VmAreaStruct, compound: boolean): void {
    if (compound) throw new MmBugError("rmap.page_add_file_rmap", "a PMD-mapped file THP (file and shmem THPs are not modelled)");
    const mem = this.mem;
    if (++mem.mapcount[page]! === 0) this.modFileMapped(page, 1);
  }

  /**
   * NR_FILE_MAPPED of the page's node += delta: one write into the node's counters (the page's
   * node from its nodeZone field), as the page allocator's own hot paths update vmstat. Kernel:
   * `__lruvec_stat_mod_folio(folio, NR_FILE_MAPPED, nr)` (node part; no memcg).
   */
  private modFileMapped(page: number, delta: number): void {
    this.deps.vmstat.nodeVmStat[(this.mem.nodeZone[page]! >> ZONES_SHIFT) * NR_VM_NODE_STAT_ITEMS + NR_FILE_MAPPED]! += delta;
  }

  /** At fork: the child's PTE maps the file page too (it was mapped: no NR_FILE_MAPPED change). Kernel: `page_dup_file_rmap()`. */
  pageDupFileRmap(page: number, compound: boolean): void {
    if (compound) throw new MmBugError("rmap.page_dup_file_rmap", "a PMD-mapped file THP (not modelled)");
    this.mem.mapcount[page]!++;
  }

  /**
   * Drops one mapping; the last one takes the page out of NR_ANON_MAPPED (and a THP's PMD
   * mapping out of NR_ANON_THPS), or a file page out of NR_FILE_MAPPED. The page's mapping and
   * index stay until it is freed. Kernel: `page_remove_rmap()` / `page_remove_anon_compound_rmap()`.
   */
  pageRemoveRmap(page: number, _vma: VmAreaStruct, compound: boolean): void {
    const mem = this.mem;
    const pfn = mem.pageToPfn(page);
    if (compound) {
      if (--mem.private[page + 1]! >= 0) return;
      this.deps.pages.modNodePageState(pfn, NR_ANON_THPS, -HPAGE_PMD_NR);
      let nr: number;
      if ((mem.flags[page + 1]! & (1 << PG_double_map)) !== 0) {
        mem.flags[page + 1] &= ~(1 << PG_double_map);
        nr = 0;
        for (let i = 0; i < HPAGE_PMD_NR; i++) if (--mem.mapcount[page + i]! < 0) nr++;
        if (nr !== 0 && nr < HPAGE_PMD_NR) this.deferredSplitHugePage(page);
      } else nr = HPAGE_PMD_NR;
      this.deps.pages.modNodePageState(pfn, NR_ANON_MAPPED, -nr);
      return;
    }
    if (--mem.mapcount[page]! >= 0) return;
    if (mem.mapcount[page]! < -1) throw new MmBugError("rmap.page_remove_rmap", `pfn 0x${pfn.toString(16)}: _mapcount underflow`);
    const head = this.compoundHead(page);
    if (mem.mapping[head]! >= 0) {
      // a file page (or one truncated out of its file: folio_test_anon() is false): its last mapping went
      this.modFileMapped(page, -1);
      return;
    }
    this.deps.pages.modNodePageState(pfn, NR_ANON_MAPPED, -1);
    if (head !== page || (mem.flags[page]! & (1 << PG_head)) !== 0) this.deferredSplitHugePage(head);
  }

  /** Queues a partly unmapped THP once. Kernel: `deferred_split_huge_page()` (the shrinker that splits it is not modelled). */
  private deferredSplitHugePage(head: number): void {
    if (this.deferredSplit.has(head)) return;
    this.deferredSplit.add(head);
    this.deps.vmstat.countVmEvent(THP_DEFERRED_SPLIT_PAGE);
  }

  /**
   * At fork: shares an anonymous page with the child (PageAnonExclusive cleared, one more
   * mapping). Kernel: `page_try_dup_anon_rmap()` (page_needs_cow_for_dma is false: no pins here).
   * @returns 0 (a pinned page would give -EBUSY and be copied)
   */
  pageTryDupAnonRmap(page: number, compound: boolean): number {
    const mem = this.mem;
    mem.flags[page] &= ~(1 << PG_anon_exclusive);
    if (compound) mem.private[page + 1]!++;
    else mem.mapcount[page]!++;
    return 0;
  }

  /** Before a PTE goes read-only-shared (swap-out, migration): drops PageAnonExclusive. Kernel: `page_try_share_anon_rmap()`. @returns 0 */
  pageTryShareAnonRmap(page: number): number {
    this.mem.flags[page] &= ~(1 << PG_anon_exclusive);
    return 0;
  }

  /**
   * A page the faulting VMA alone references becomes its exclusive page (do_wp_page's reuse):
   * its anon_vma becomes the VMA's own. Kernel: `page_move_anon_rmap()`.
   */
  pageMoveAnonRmap(page: number, vma: VmAreaStruct): void {
    const head = this.compoundHead(page);
    const anonVma = vma.anonVma as AnonVmaStruct;
    this.mem.mapping[head] = -anonVma.id;
    this.mem.flags[page] |= 1 << PG_anon_exclusive;
  }

  // ------------------------------------------------------------------ rmap walk

  /**
   * Calls the visitor for every VMA that may map the folio, at vma_address(): the anon_vma tree
   * of an anonymous folio, the i_mmap of a file folio. Kernel: `rmap_walk()`.
   * @returns the number of VMAs visited
   */
  rmapWalk(page: number, v: RmapVisitor): number {
    const m = this.mem.mapping[this.compoundHead(page)]!;
    if (m <= -KSM_MAPPING_BIT) return this.ksmWalk?.(page, v) ?? 0; // rmap_walk_ksm
    return m < 0 ? this.rmapWalkAnon(page, v) : this.rmapWalkFile(page, v, false);
  }

  /**
   * Calls the visitor for every VMA of the file folio's i_mmap whose file range covers the
   * folio, at vma_address(); with `sharedOnly` the VMAs that are not VM_SHARED are skipped
   * (folio_mkclean's invalid_mkclean_vma). Kernel: `rmap_walk_file()`
   * (vma_interval_tree_foreach over [pgoff_start, pgoff_end]).
   * @returns the number of VMAs visited
   */
  rmapWalkFile(page: number, v: RmapVisitor, sharedOnly: boolean): number {
    const mem = this.mem;
    const head = this.compoundHead(page);
    const mapping = this.fileMappings.get(mem.mapping[head]!);
    if (mapping === undefined) return 0;
    const pgoffStart = mem.index[head]!;
    let n = 0;
    for (const vma of mapping.iMmap) {
      // vma_interval_tree_foreach: [vm_pgoff, vm_pgoff + vma_pages - 1] overlaps [pgoff_start, pgoff_end]
      const off = pgoffStart - vma.vmPgoff;
      if (off < 0 || off >= (vma.vmEnd - vma.vmStart) / PAGE) continue;
      if (sharedOnly && (vma.vmFlags & VM_SHARED) === 0) continue;
      n++;
      if (!v.rmapOne(page, vma, vma.vmStart + off * PAGE)) break;
    }
    return n;
  }

  /** The address_space of a file page (folio_mapping()), or null for an anonymous or truncated page. */
  pageFileMapping(page: number): VmFileMapping | null {
    const m = this.mem.mapping[this.compoundHead(page)]!;
    return m > 0 ? this.fileMappings.get(m) ?? null : null;
  }

  /**
   * Calls the visitor for every VMA that may map the (anonymous) folio, at vma_address().
   * Kernel: `rmap_walk_anon()` (anon_vma_interval_tree_foreach over [pgoff_start, pgoff_end]).
   * @returns the number of VMAs visited
   */
  rmapWalkAnon(page: number, v: RmapVisitor): number {
    const head = this.compoundHead(page);
    const anonVma = this.pageAnonVma(head);
    if (anonVma === null) return 0;
    const mem = this.mem;
    const nr = (mem.flags[head]! & (1 << PG_head)) !== 0 ? HPAGE_PMD_NR : 1;
    const pgoffStart = mem.index[head]!;
    const chains = anonVma.chains;
    let n = 0;
    for (let i = 0; i < chains.length; i++) {
      const vma = chains[i]!.vma;
      // vma_address(): the first page of the folio inside the VMA (the folio may start before it).
      const pages = (vma.vmEnd - vma.vmStart) / PAGE;
      const off = modU32(pgoffStart - vma.vmPgoff);
      let address: number;
      if (off < pages) address = vma.vmStart + off * PAGE;
      else if (nr > 1 && modU32(vma.vmPgoff - pgoffStart) < nr) address = vma.vmStart;
      else continue;
      n++;
      if (!v.rmapOne(page, vma, address)) break;
    }
    return n;
  }

  /**
   * Finds the entry mapping `pfn` (or any page of the folio starting at headPfn, nr pages) at
   * `address` in `vma`'s page tables. Kernel: `page_vma_mapped_walk()` for one address.
   * @returns the result (its pte, or its pmd for a PMD mapping), or null when not mapped there
   */
  pageVmaMappedWalk(vma: VmAreaStruct, address: number, headPfn: number, nr: number): PvmwResult | null {
    const pgt = vma.vmMm.pgtables;
    if (pgt === null) return null;
    const store = this.store;
    const pgdp = pgdOffsetPgd(store, pgt.pgd, address);
    const pudp = pudOffset(store, pgdp, address);
    if (pudp === NULL_ENTRY) return null;
    const pmdp = pmdOffset(store, pudp, address);
    if (pmdp === NULL_ENTRY) return null;
    const lo = store.readLo(pmdp);
    const hi = store.readHi(pmdp);
    const r = this.pvmw;
    r.pmd = pmdp;
    r.address = address;
    if ((lo !== 0 || hi !== 0) && (lo & 2) === 0) {
      // pmd_trans_huge (a block, present or PROT_NONE)
      const pfn = ptePfn(lo, hi);
      if (pfn !== headPfn) return null;
      r.pte = NULL_ENTRY;
      r.address = address - (address % (PAGE * HPAGE_PMD_NR));
      return r;
    }
    if ((lo & 3) !== 3) return null;
    const ptep = pteOffsetKernel(store, pmdp, address);
    const plo = store.readLo(ptep);
    if ((plo & PTE_VALID) === 0 && store.readHi(ptep) === 0) return null;
    const pfn = ptePfn(plo, store.readHi(ptep));
    if (pfn < headPfn || pfn >= headPfn + nr) return null;
    r.pte = ptep;
    return r;
  }

  /**
   * Counts the mappings whose young bit was set, clearing each (with a TLB flush, so the next
   * access on this CPU without hardware AF takes an access-flag fault). Mappings in VM_LOCKED
   * VMAs count as referenced and end the walk. Kernel: `folio_referenced()` / `folio_referenced_one()`.
   * @returns referenced mappings; `referencedVmFlags` holds the union of their VMAs' flags
   */
  folioReferenced(page: number): number {
    const head = this.compoundHead(page);
    this.referencedVmFlags = 0;
    if (!this.folioMapped(head)) return 0;
    this.refCount = 0;
    this.refMapcount = this.totalMapcount(head);
    this.rmapWalk(head, this.referencedVisitor);
    return this.refCount;
  }
  private refCount = 0;
  private refMapcount = 0;
  private readonly referencedVisitor: RmapVisitor = {
    rmapOne: (page: number, vma: VmAreaStruct, address: number): boolean => this.folioReferencedOne(page, vma, address),
  };
  private folioReferencedOne(page: number, vma: VmAreaStruct, address: number): boolean {
    const mem = this.mem;
    const nr = (mem.flags[page]! & (1 << PG_head)) !== 0 ? HPAGE_PMD_NR : 1;
    const headPfn = mem.pageToPfn(page);
    let referenced = 0;
    for (let a = address, k = 0; k < nr && a < vma.vmEnd; k++, a += PAGE) {
      const r = this.pageVmaMappedWalk(vma, a, headPfn, nr);
      if (r === null) continue;
      this.refMapcount--;
      if ((vma.vmFlags & VM_LOCKED) !== 0) {
        this.refCount++;
        this.referencedVmFlags |= VM_LOCKED;
        return false;
      }
      const entry = r.pte !== NULL_ENTRY ? r.pte : r.pmd;
      const w = this.store.entryWord(entry);
      if (r.pte !== NULL_ENTRY && this.lookAround !== null && (this.store.words[w]! & PTE_AF) !== 0 && (vma.vmFlags & (VM_SEQ_READ | VM_RAND_READ)) === 0) {
        this.lruGenLookAround(page, vma, r.pmd, r.address, this.lookAround);
        referenced++;
      }
      const lo = this.store.words[w]!;
      if ((lo & PTE_AF) !== 0) {
        this.store.words[w] = (lo & ~PTE_AF) >>> 0; // ptep_clear_flush_young
        this.deps.flushTlbRange(vma.vmMm, r.address, r.address + (r.pte !== NULL_ENTRY ? PAGE : PAGE * HPAGE_PMD_NR));
        if ((vma.vmFlags & VM_SEQ_READ) === 0) referenced++;
      }
      if (r.pte === NULL_ENTRY) break; // a PMD maps the whole folio
    }
    if (referenced !== 0) {
      this.refCount++;
      this.referencedVmFlags |= vma.vmFlags & ~VM_LOCKED;
    }
    return this.refMapcount > 0;
  }

  /**
   * MGLRU's look-around: the young PTEs in up to MIN_LRU_BATCH (64) pages of the PTE table and
   * VMA around `address` (the young PTE of `refPage` under reclaim, which the window includes)
   * are handed to `visit` and, when it takes the folio, made old (ptep_test_and_clear_young, no
   * TLB flush, as 6.1) and a dirty PTE's folio marked dirty. The per-folio work (promotion to
   * max_seq, or PG_referenced for an isolated folio) is the policy's. Kernel: `lru_gen_look_around()`
   * with `get_pte_pfn()` (not present, zero/special or devmap PTEs, and invalid pfns skipped).
   */
  private lruGenLookAround(refPage: number, vma: VmAreaStruct, pmdp: number, address: number, visit: (refPage: number, page: number) => boolean): void {
    const store = this.store;
    const mem = this.mem;
    const pmdStart = address - (address % PMD_SIZE);
    let start = Math.max(pmdStart, vma.vmStart);
    let end = Math.min(pmdStart + PMD_SIZE, vma.vmEnd);
    const window = LOOK_AROUND_PAGES * PAGE;
    if (end - start > window) {
      if (address - start < window / 2) end = start + window;
      else if (end - address < window / 2) start = end - window;
      else {
        start = address - window / 2;
        end = address + window / 2;
      }
    }
    for (let addr = start; addr < end; addr += PAGE) {
      const ptep = pteOffsetKernel(store, pmdp, addr);
      const w = store.entryWord(ptep);
      const lo = store.words[w]!;
      if ((lo & PTE_VALID) === 0 || (lo & PTE_AF) === 0) continue; // !pte_present, !pte_young
      const hi = store.readHi(ptep);
      if ((hi & (PTE_SPECIAL_HI | PTE_DEVMAP_HI)) !== 0) continue; // is_zero_pfn / pte_special / pte_devmap
      const pfn = ptePfn(lo, hi);
      if (!mem.pfnValid(pfn)) continue;
      const folio = this.compoundHead(mem.pfnToPage(pfn));
      if (!visit(refPage, folio)) continue;
      store.words[w] = (store.words[w]! & ~PTE_AF) >>> 0; // ptep_test_and_clear_young
      const f = mem.flags[folio]!;
      const anonSwapbacked = mem.mapping[folio]! < 0 && (f & (1 << PG_swapbacked)) !== 0 && (f & (1 << PG_swapcache)) === 0;
      if (pteDirty(lo, hi) && (f & (1 << PG_dirty)) === 0 && !anonSwapbacked) this.folioMarkDirty(folio);
    }
  }

  /**
   * Unmaps every PTE mapping of a page, ready for reclaim. An anonymous page: a clean lazy-free
   * page (MADV_FREE: !PageSwapBacked) is discarded; a page in the swap cache gets swap PTEs
   * through `swapHooks`; any other page is left mapped (6.1 warns: a swap-backed page must be in
   * the swap cache first). A file page: each PTE goes (a dirty one marks the page dirty first),
   * MM_FILEPAGES / MM_SHMEMPAGES drop; the page stays in the page cache. A mapping in a
   * VM_LOCKED VMA stops the walk (no TTU_IGNORE_MLOCK). THP PMD mappings must be split by the
   * caller (TTU_SPLIT_HUGE_PMD). The caller holds the isolation reference, as reclaim does.
   * Kernel: `try_to_unmap()` / `try_to_unmap_one()`.
   * @returns true when no mapping is left (what shrink_folio_list checks with folio_mapped())
   */
  tryToUnmap(page: number): boolean {
    this.rmapWalk(page, this.unmapVisitor);
    return !this.folioMapped(page);
  }
  private readonly unmapVisitor: RmapVisitor = {
    rmapOne: (page: number, vma: VmAreaStruct, address: number): boolean => this.tryToUnmapOne(page, vma, address),
  };
  private tryToUnmapOne(page: number, vma: VmAreaStruct, address: number): boolean {
    const mem = this.mem;
    const store = this.store;
    const r = this.pageVmaMappedWalk(vma, address, mem.pageToPfn(page), 1);
    if (r === null || r.pte === NULL_ENTRY) return true;
    // An mlock()ed VMA keeps its pages (mlock_vma_folio restores the mlock: the LRU's).
    if ((vma.vmFlags & VM_LOCKED) !== 0) return false;
    const mm = vma.vmMm;
    const ptep = r.pte;
    const w = store.entryWord(ptep);
    const lo = store.words[w]!;
    const hi = store.words[w + 1]!;
    // ptep_clear_flush
    store.write(ptep, 0, 0);
    this.deps.flushTlbRange(mm, address, address + PAGE);
    if (pteDirty(lo, hi)) this.folioMarkDirty(page);
    if (mem.mapping[this.compoundHead(page)]! >= 0) {
      // a locked file-backed folio: it stays in the page cache
      mm.rssStat[mmCounterFile(mem, page)]!--;
      this.pageRemoveRmap(page, vma, false);
      mem.refcount[page]!--; // folio_put: the page cache's and the caller's references keep it
      return true;
    }
    const flags = mem.flags[page]!;
    const swapbacked = (flags & (1 << PG_swapbacked)) !== 0;
    const swapcache = swapbacked && (flags & (1 << PG_swapcache)) !== 0;
    const anonExclusive = (flags & (1 << PG_anon_exclusive)) !== 0;
    if (swapbacked !== swapcache) {
      store.write(ptep, lo, hi); // not in the swap cache: WARN_ON_ONCE, put the PTE back
      return false;
    }
    if (!swapbacked) {
      // MADV_FREE page: the only references are isolation's and the mappings'.
      if (mem.refcount[page] === 1 + this.totalMapcount(page) && (flags & (1 << PG_dirty)) === 0) {
        mm.rssStat[MM_ANONPAGES]!--;
      } else {
        store.write(ptep, lo, hi);
        mem.flags[page] |= 1 << PG_swapbacked;
        return false;
      }
    } else {
      const hooks = this.swapHooks;
      const entry = mem.private[page]!;
      if (hooks === null || hooks.swapDuplicate(entry) < 0) {
        store.write(ptep, lo, hi);
        return false;
      }
      if (anonExclusive && this.pageTryShareAnonRmap(page) !== 0) {
        hooks.swapFree(entry);
        store.write(ptep, lo, hi);
        return false;
      }
      this.mmlist.add(mm); // list_add(&mm->mmlist, &init_mm.mmlist) once
      mm.rssStat[MM_ANONPAGES]!--;
      mm.rssStat[MM_SWAPENTS]!++;
      hooks.mkSwapPte(entry, anonExclusive, this.tmp);
      store.write(ptep, this.tmp.lo, this.tmp.hi);
    }
    // discard:
    this.pageRemoveRmap(page, vma, false);
    mem.refcount[page]!--; // folio_put: the caller's isolation reference keeps it alive
    return true;
  }

  // ------------------------------------------------------------------ migration (mm/rmap.c try_to_migrate, mm/migrate.c remove_migration_ptes)

  /** A mapping in a VM_LOCKED VMA was replaced by a migration entry in the last tryToMigrate (page_remove_rmap's munlock_vma_page is the caller's: the LRU). */
  migrateUnmappedLocked = false;
  /** A mapping in a VM_LOCKED VMA was restored by the last removeMigrationPtes (page_add_*_rmap's mlock_vma_page is the caller's). */
  migrateRemappedLocked = false;
  /** PTEs the last removeMigrationPtes restored. */
  migrateRemapped = 0;
  /** The PTEs the last tryToMigrate replaced (the first MIGRATE_SEEN_MAX): mm, address, entry, so removeMigrationPtes need not walk the tables again. */
  private migrateSeen = 0;
  private readonly migrateSeenMm: (MmStruct | null)[] = new Array<MmStruct | null>(MIGRATE_SEEN_MAX).fill(null);
  private readonly migrateSeenAddr = new Float64Array(MIGRATE_SEEN_MAX);
  private readonly migrateSeenPtep = new Float64Array(MIGRATE_SEEN_MAX);
  /** The old folio's PFN removeMigrationPtes looks for (the walk's `arg`). */
  private migrateOldPfn = -1;
  /** The folio the PTEs are restored to (new or, after a failure, the old one). */
  private migrateDst = -1;

  /**
   * Replaces every mapping of a (locked, isolated) folio with a migration entry:
   * the PTE is cleared and flushed, a dirty PTE marks the folio dirty, an exclusive anonymous
   * page is shared first (page_try_share_anon_rmap), and the entry is writable, readable-exclusive
   * or readable with the PTE's young and dirty bits; the mapping is gone from rmap's counts
   * (page_remove_rmap) and the PTE's reference dropped, but the mm's rss counters stay (a
   * migration entry counts as the page it names). A THP's PMD mapping becomes a PMD migration
   * entry (set_pmd_migration_entry), its PTE mappings PTE migration entries of its subpages.
   * Kernel: `try_to_migrate()` / `try_to_migrate_one()`.
   * @returns true when no mapping is left (what migrate_folio_unmap checks with folio_mapped())
   */
  tryToMigrate(page: number): boolean {
    this.migrateUnmappedLocked = false;
    this.migrateSeen = 0;
    this.rmapWalk(page, this.migrateVisitor);
    return !this.folioMapped(page);
  }
  private readonly migrateVisitor: RmapVisitor = {
    rmapOne: (page: number, vma: VmAreaStruct, address: number): boolean => this.tryToMigrateOne(page, vma, address),
  };
  private tryToMigrateOne(page: number, vma: VmAreaStruct, address: number): boolean {
    const mem = this.mem;
    if ((mem.flags[page]! & (1 << PG_head)) !== 0) return this.tryToMigrateThpOne(page, vma, address);
    const r = this.pageVmaMappedWalk(vma, address, mem.pageToPfn(page), 1);
    if (r === null) return true;
    if (r.pte === NULL_ENTRY) return false; // cannot happen for an order-0 folio (a PMD maps a THP)
    return this.migratePteOne(page, page, vma, address, r.pte, true);
  }

  /**
   * try_to_migrate_one() for a THP (an anonymous one: file THPs are not modelled): its PMD
   * mapping becomes a PMD migration entry (set_pmd_migration_entry), or — PTE-mapped after a
   * split of the PMD — each PTE of the folio's range in the VMA becomes a PTE migration entry of
   * its subpage. Kernel: `try_to_migrate_one()`'s page_vma_mapped_walk loop over the folio.
   */
  private tryToMigrateThpOne(head: number, vma: VmAreaStruct, address: number): boolean {
    const mem = this.mem;
    const store = this.store;
    const headPfn = mem.pageToPfn(head);
    const pmdp = this.pmdpOf(vma, address);
    if (pmdp === NULL_ENTRY) return true;
    const lo = store.readLo(pmdp);
    const hi = store.readHi(pmdp);
    if (isMigrationPte(lo, hi)) return true;
    if ((lo !== 0 || hi !== 0) && (lo & 2) === 0) {
      // pmd_trans_huge: set_pmd_migration_entry, if this PMD maps this folio
      if (ptePfn(lo, hi) !== headPfn) return true;
      return this.setPmdMigrationEntry(head, vma, address - (address % PMD_SIZE), pmdp, lo, hi);
    }
    // PTE-mapped: every subpage of the folio inside the VMA, from `address` (vma_address of the folio, or vm_start)
    const first = modU32(linearPageIndex(vma, address) - mem.index[head]!);
    for (let i = first, addr = address; i < HPAGE_PMD_NR && addr < vma.vmEnd; i++, addr += PAGE) {
      const ptep = this.ptepOf(vma, addr);
      if (ptep === NULL_ENTRY) continue;
      const plo = store.readLo(ptep);
      if ((plo & PTE_VALID) === 0 || ptePfn(plo, store.readHi(ptep)) !== headPfn + i) continue;
      if (!this.migratePteOne(head + i, head, vma, addr, ptep, false)) return false;
    }
    return true;
  }

  /**
   * One PTE mapping `page` (the folio's head is `head`) becomes a migration entry: cleared and
   * flushed, a dirty PTE marks the folio dirty, an exclusive anonymous page is shared first, the
   * entry is writable / readable-exclusive / readable with the young and dirty bits; the mapping
   * leaves rmap's counts and its reference (on the head) is dropped. Kernel: the PTE side of
   * `try_to_migrate_one()`.
   */
  private migratePteOne(page: number, head: number, vma: VmAreaStruct, address: number, ptep: number, remember: boolean): boolean {
    const mem = this.mem;
    const store = this.store;
    const pfn = mem.pageToPfn(page);
    const w = store.entryWord(ptep);
    const lo = store.words[w]!;
    const hi = store.words[w + 1]!;
    // ptep_clear_flush
    store.write(ptep, 0, 0);
    this.deps.flushTlbRange(vma.vmMm, address, address + PAGE);
    if (pteDirty(lo, hi)) this.folioMarkDirty(head);
    const anon = mem.mapping[head]! < 0;
    const anonExclusive = anon && (mem.flags[page]! & (1 << PG_anon_exclusive)) !== 0;
    if (anonExclusive && this.pageTryShareAnonRmap(page) !== 0) {
      store.write(ptep, lo, hi);
      return false;
    }
    const type = pteWrite(hi) ? SWP_MIGRATION_WRITE : anonExclusive ? SWP_MIGRATION_READ_EXCLUSIVE : SWP_MIGRATION_READ;
    mkMigrationPte(type, pfn, (lo & PTE_AF) !== 0, pteDirty(lo, hi), this.tmp);
    store.write(ptep, this.tmp.lo, this.tmp.hi);
    if (remember && this.migrateSeen < MIGRATE_SEEN_MAX) {
      // where the entry is, for removeMigrationPtes' walk of the same VMAs (it checks the entry again)
      this.migrateSeenMm[this.migrateSeen] = vma.vmMm;
      this.migrateSeenAddr[this.migrateSeen] = address;
      this.migrateSeenPtep[this.migrateSeen++] = ptep;
    }
    this.pageRemoveRmap(page, vma, false);
    if ((vma.vmFlags & VM_LOCKED) !== 0) this.migrateUnmappedLocked = true;
    mem.refcount[head]!--; // folio_put: the PTE's reference (isolation's keeps the folio)
    return true;
  }

  /**
   * A PMD mapping of a THP becomes a PMD migration entry (arm64 keeps a swap entry in a PMD as
   * in a PTE: __pmd_to_swp_entry is __pte_to_swp_entry): the PMD is invalidated and flushed, an
   * exclusive anonymous folio is shared first, a dirty PMD marks the folio dirty, the entry names
   * the head's PFN with the PMD's write / exclusive / young / dirty state; the compound mapping
   * leaves rmap's counts (NR_ANON_THPS with the last one) and its reference is dropped. The
   * deposited PTE table stays with the PMD. Kernel: `set_pmd_migration_entry()` (mm/huge_memory.c).
   * @returns false when the folio could not be shared (never here: no pins)
   */
  private setPmdMigrationEntry(head: number, vma: VmAreaStruct, haddr: number, pmdp: number, lo: number, hi: number): boolean {
    const mem = this.mem;
    const store = this.store;
    // pmdp_invalidate
    store.write(pmdp, 0, 0);
    this.deps.flushTlbRange(vma.vmMm, haddr, haddr + PMD_SIZE);
    const anonExclusive = mem.mapping[head]! < 0 && (mem.flags[head]! & (1 << PG_anon_exclusive)) !== 0;
    if (anonExclusive && this.pageTryShareAnonRmap(head) !== 0) {
      store.write(pmdp, lo, hi);
      return false;
    }
    if (pteDirty(lo, hi)) this.folioMarkDirty(head);
    const type = pteWrite(hi) ? SWP_MIGRATION_WRITE : anonExclusive ? SWP_MIGRATION_READ_EXCLUSIVE : SWP_MIGRATION_READ;
    mkMigrationPte(type, mem.pageToPfn(head), (lo & PTE_AF) !== 0, pteDirty(lo, hi), this.tmp);
    store.write(pmdp, this.tmp.lo, this.tmp.hi); // set_pmd_at(swp_entry_to_pmd(entry))
    this.pageRemoveRmap(head, vma, true);
    if ((vma.vmFlags & VM_LOCKED) !== 0) this.migrateUnmappedLocked = true;
    mem.refcount[head]!--; // put_page
    return true;
  }

  /**
   * Turns every migration entry naming `src` back into a PTE, mapping `dst` (the new folio after
   * a successful move, or `src` itself after a failure): the VMA's protection, old unless the
   * entry was young, dirty when the entry and the folio are, writable when the entry was
   * (maybe_mkwrite), exclusive unless it was the plain readable kind; the folio gains the mapping
   * (page_add_anon_rmap / page_add_file_rmap) and a reference. Kernel: `remove_migration_ptes()`
   * → rmap_walk(dst) → `remove_migration_pte()`.
   * @returns the PTEs restored
   */
  removeMigrationPtes(src: number, dst: number): number {
    this.migrateOldPfn = this.mem.pageToPfn(src);
    this.migrateDst = dst;
    this.migrateRemapped = 0;
    this.migrateRemappedLocked = false;
    this.rmapWalk(dst, this.removeMigrationVisitor);
    return this.migrateRemapped;
  }
  private readonly removeMigrationVisitor: RmapVisitor = {
    rmapOne: (_page: number, vma: VmAreaStruct, address: number): boolean => {
      this.removeMigrationPte(vma, address);
      return true;
    },
  };
  private removeMigrationPte(vma: VmAreaStruct, address: number): void {
    const mem = this.mem;
    const dst = this.migrateDst;
    if ((mem.flags[dst]! & (1 << PG_head)) !== 0) {
      this.removeMigrationThp(vma, address);
      return;
    }
    let ptep = NULL_ENTRY;
    for (let i = 0; i < this.migrateSeen; i++) {
      if (this.migrateSeenMm[i] === vma.vmMm && this.migrateSeenAddr[i] === address) {
        ptep = this.migrateSeenPtep[i]!;
        break;
      }
    }
    if (ptep === NULL_ENTRY) ptep = this.ptepOf(vma, address);
    if (ptep === NULL_ENTRY) return;
    this.restoreMigrationPte(vma, address, ptep, this.migrateOldPfn, dst, dst);
  }

  /**
   * remove_migration_pte() for a THP: a PMD migration entry of the old folio becomes a huge PMD
   * of the new one (remove_migration_pmd); PTE migration entries of its subpages (a PTE-mapped
   * folio) each map the new folio's subpage at the same offset.
   */
  private removeMigrationThp(vma: VmAreaStruct, address: number): void {
    const mem = this.mem;
    const store = this.store;
    const dst = this.migrateDst;
    const oldPfn = this.migrateOldPfn;
    const pmdp = this.pmdpOf(vma, address);
    if (pmdp === NULL_ENTRY) return;
    const lo = store.readLo(pmdp);
    const hi = store.readHi(pmdp);
    if (isMigrationPte(lo, hi)) {
      if (migrationPtePfn(lo, hi) === oldPfn) this.removeMigrationPmd(vma, address - (address % PMD_SIZE), pmdp, lo, hi, dst);
      return;
    }
    if ((lo & 3) !== 3) return;
    const first = modU32(linearPageIndex(vma, address) - mem.index[dst]!);
    for (let i = first, addr = address; i < HPAGE_PMD_NR && addr < vma.vmEnd; i++, addr += PAGE) {
      const ptep = this.ptepOf(vma, addr);
      if (ptep !== NULL_ENTRY) this.restoreMigrationPte(vma, addr, ptep, oldPfn + i, dst + i, dst);
    }
  }

  /**
   * A PMD migration entry becomes a huge PMD mapping `dst`: the VMA's protection, writable when
   * the entry was (maybe_pmd_mkwrite), old unless young, dirty when the entry and the folio are;
   * the folio gains a compound mapping (exclusive unless the entry was the plain readable kind)
   * and a reference. Kernel: `remove_migration_pmd()` (mm/huge_memory.c).
   */
  private removeMigrationPmd(vma: VmAreaStruct, haddr: number, pmdp: number, lo: number, hi: number, dst: number): void {
    const mem = this.mem;
    mem.refcount[dst]!++; // get_page(new)
    const t = pmdMkhuge(pfnPte(mem.pageToPfn(dst), vma.vmPageProt, this.tmp)); // mk_huge_pmd
    if (isWritableMigrationPte(lo) && (vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t); // maybe_pmd_mkwrite
    if (!migrationPteYoung(hi)) pteMkold(t);
    if ((mem.flags[dst]! & (1 << PG_dirty)) !== 0 && migrationPteDirty(hi)) pteMkdirty(t);
    const nlo = t.lo;
    const nhi = t.hi;
    if (mem.mapping[dst]! < 0) this.pageAddAnonRmap(dst, vma, haddr, RMAP_COMPOUND | (isReadableMigrationPte(lo) ? RMAP_NONE : RMAP_EXCLUSIVE));
    else this.pageAddFileRmap(dst, vma, true);
    this.store.write(pmdp, nlo, nhi); // set_pmd_at
    if ((vma.vmFlags & VM_LOCKED) !== 0) this.migrateRemappedLocked = true;
    this.migrateRemapped++;
  }

  /** One PTE migration entry of `oldPfn` becomes a PTE mapping `page` (of the folio headed by `head`). Kernel: `remove_migration_pte()`'s PTE side. */
  private restoreMigrationPte(vma: VmAreaStruct, address: number, ptep: number, oldPfn: number, page: number, head: number): void {
    const store = this.store;
    const lo = store.readLo(ptep);
    const hi = store.readHi(ptep);
    // page_vma_mapped_walk with PVMW_MIGRATION: a migration entry of the old folio
    if (!isMigrationPte(lo, hi) || migrationPtePfn(lo, hi) !== oldPfn) return;
    const mem = this.mem;
    mem.refcount[head]!++; // folio_get
    const t = pfnPte(mem.pageToPfn(page), vma.vmPageProt, this.tmp); // mk_pte
    if (!migrationPteYoung(hi)) pteMkold(t);
    if ((mem.flags[head]! & (1 << PG_dirty)) !== 0 && migrationPteDirty(hi)) pteMkdirty(t);
    const writable = isWritableMigrationPte(lo);
    if (writable && (vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t); // maybe_mkwrite
    const nlo = t.lo;
    const nhi = t.hi;
    if (mem.mapping[head]! < 0) this.pageAddAnonRmap(page, vma, address, isReadableMigrationPte(lo) ? RMAP_NONE : RMAP_EXCLUSIVE);
    else this.pageAddFileRmap(page, vma, false);
    store.write(ptep, nlo, nhi); // set_pte_at
    if ((vma.vmFlags & VM_LOCKED) !== 0) this.migrateRemappedLocked = true;
    this.migrateRemapped++;
  }

  /** The PMD entry of `address` in the VMA's tables, or NULL_ENTRY when no PMD table covers it. */
  private pmdpOf(vma: VmAreaStruct, address: number): number {
    const pgt = vma.vmMm.pgtables;
    if (pgt === null) return NULL_ENTRY;
    const store = this.store;
    const pudp = pudOffset(store, pgdOffsetPgd(store, pgt.pgd, address), address);
    if (pudp === NULL_ENTRY) return NULL_ENTRY;
    return pmdOffset(store, pudp, address);
  }

  /** The PTE entry of `address` in the VMA's tables, or NULL_ENTRY when no PTE table covers it. */
  private ptepOf(vma: VmAreaStruct, address: number): number {
    const pgt = vma.vmMm.pgtables;
    if (pgt === null) return NULL_ENTRY;
    const store = this.store;
    const pudp = pudOffset(store, pgdOffsetPgd(store, pgt.pgd, address), address);
    if (pudp === NULL_ENTRY) return NULL_ENTRY;
    const pmdp = pmdOffset(store, pudp, address);
    if (pmdp === NULL_ENTRY) return NULL_ENTRY;
    if ((store.readLo(pmdp) & 3) !== 3) return NULL_ENTRY; // none or a block
    return pteOffsetKernel(store, pmdp, address);
  }

  /**
   * Write-protects and cleans every PTE mapping of a page in a shared VMA so that the next write
   * is caught (writeback calls it before writing a page: clear_page_dirty_for_io). For an
   * anonymous page folio_mapping() is NULL and 6.1 returns 0 without walking (anonymous pages
   * are written back through swap, not page_mkclean); a file page walks its address_space's
   * i_mmap, skipping the VMAs that are not VM_SHARED (invalid_mkclean_vma). Kernel:
   * `folio_mkclean()` / `page_mkclean_one()`.
   * @returns the number of PTEs that were dirty or writable
   */
  pageMkclean(page: number): number {
    if (!this.folioMapped(page)) return 0;
    if (this.pageFileMapping(page) === null) return 0;
    this.cleaned = 0;
    this.rmapWalkFile(page, this.mkcleanVisitor, true);
    return this.cleaned;
  }

  /**
   * Marks a page dirty through its mapping: a file page's a_ops->dirty_folio (the page cache's
   * accounting), else noop_dirty_folio (PG_dirty only: anonymous and swap-cache pages, pages
   * truncated out of their file). Kernel: `folio_mark_dirty()`.
   * @returns true if the page was clean before
   */
  folioMarkDirty(page: number): boolean {
    const head = this.compoundHead(page);
    const mapping = this.pageFileMapping(head);
    if (mapping !== null && mapping.dirtyFolio !== undefined) return mapping.dirtyFolio(head);
    const mem = this.mem;
    if ((mem.flags[head]! & (1 << PG_dirty)) !== 0) return false;
    mem.flags[head] |= 1 << PG_dirty;
    return true;
  }
  private cleaned = 0;
  private readonly mkcleanVisitor: RmapVisitor = {
    rmapOne: (page: number, vma: VmAreaStruct, address: number): boolean => {
      const r = this.pageVmaMappedWalk(vma, address, this.mem.pageToPfn(page), 1);
      if (r === null || r.pte === NULL_ENTRY) return true;
      const store = this.store;
      const t = this.tmp.set(store.readLo(r.pte), store.readHi(r.pte));
      if (!pteDirty(t.lo, t.hi) && !pteWrite(t.hi)) return true;
      pteMkclean(pteWrprotect(t));
      store.write(r.pte, t.lo, t.hi);
      this.deps.flushTlbRange(vma.vmMm, address, address + PAGE);
      this.cleaned++;
      return true;
    },
  };
}

/**
 * The head page of a THP, or the page itself. Only THPs are compound here: an order-9 block with
 * PG_head on its first page. Kernel: `compound_head()`.
 */
export function compoundHead(mem: MemMap, page: number): number {
  if ((mem.flags[page]! & (1 << PG_head)) !== 0) return page;
  const head = page - ((page + mem.basePfn) & (HPAGE_PMD_NR - 1));
  return head !== page && (mem.flags[head]! & (1 << PG_head)) !== 0 ? head : page;
}

/**
 * Mapcount of one page as /proc/kpagecount, smaps and the COW rules read it: its own PTE
 * mappings (_mapcount + 1), plus for a THP subpage the compound mapcount (page[1].private + 1)
 * less one when PG_double_map (on page[1]) says the PMD mapping is also counted in every
 * subpage's _mapcount. Kernel: `page_mapcount()` → `__page_mapcount()` (6.1).
 */
export function pageMapcount(mem: MemMap, page: number): number {
  let ret = mem.mapcount[page]! + 1;
  const head = compoundHead(mem, page);
  if (head === page && (mem.flags[page]! & (1 << PG_head)) === 0) return ret;
  ret += mem.private[head + 1]! + 1;
  if ((mem.flags[head + 1]! & (1 << PG_double_map)) !== 0) ret--;
  return ret;
}

/** The rss counter of a file page: MM_SHMEMPAGES for a swap-backed (shmem) page, else MM_FILEPAGES. Kernel: `mm_counter_file()`. */
export function mmCounterFile(mem: MemMap, page: number): number {
  return (mem.flags[compoundHead(mem, page)]! & (1 << PG_swapbacked)) !== 0 ? MM_SHMEMPAGES : MM_FILEPAGES;
}

/** The rss counter of a page: MM_ANONPAGES for an anonymous page, else mm_counter_file(). Kernel: `mm_counter()`. */
export function mmCounter(mem: MemMap, page: number): number {
  return mem.mapping[compoundHead(mem, page)]! < 0 ? MM_ANONPAGES : mmCounterFile(mem, page);
}

/** Kernel: `linear_page_index()`, modulo 2^32 (MemMap.index is 32 bits; see the file comment). */
export function linearPageIndex(vma: VmAreaStruct, address: number): number {
  return modU32((address - vma.vmStart) / PAGE + vma.vmPgoff);
}

/** x modulo 2^32 in [0, 2^32): x − ⌊x / 2^32⌋ · 2^32, exact on doubles (a power-of-two scaling) and without `%`, a call to fmod for values beyond int32. */
function modU32(x: number): number {
  return x - Math.floor(x * INV_U32) * U32;
}

/** The MmBugError of __page_set_anon_rmap on a VMA without an anon_vma (out of the hot function). */
function noAnonVma(vma: VmAreaStruct): never {
  throw new MmBugError("rmap.__page_set_anon_rmap", `VMA ${hex(vma.vmStart)}-${hex(vma.vmEnd)} has no anon_vma (anon_vma_prepare first)`);
}

/** The MmBugError of page_add_new_anon_rmap for an address outside the VMA (out of the hot function). */
function addressOutsideVma(address: number): never {
  throw new MmBugError("rmap.page_add_new_anon_rmap", `address ${hex(address)} outside its VMA`);
}

function hex(x: number): string {
  return "0x" + x.toString(16);
}
