// Kernel: mm/memory.c (unmap_vmas, free_pgtables, copy_page_range, zap_page_range, __mm_populate's faultin), mm/mprotect.c (change_protection), mm/mremap.c (move_page_tables), mm/rmap.c (anon_vma_clone, anon_vma_fork, unlink_anon_vmas) (v6.1) — what mm/mmap.c and kernel/fork.c call in the mechanisms above them
/*
 * mm/mmap.c calls into memory.c and rmap.c; those packages sit above @mmsim/vma in mmsim's
 * order (vma < rmap < … < fault), so the calls go through these two interfaces, registered by
 * the packages that implement them (@mmsim/rmap: ANON_VMA_OPS; @mmsim/fault: MM_PAGE_OPS).
 * vma's own tests use fakes that record the calls.
 *
 * Return values are the kernel's: 0 or a negative errno.
 */
import { token } from "@mmsim/core";
import type { MmStruct, VmAreaStruct } from "./mm-types.ts";
import type { VmFileMapping } from "./vm-ops.ts";

/** The page-table side of the VMA operations. Implemented by @mmsim/fault. */
export interface MmPageOps {
  /**
   * Tears down the pages and tables of [start, end) after the VMAs that covered it were
   * removed from the tree: unmap_vmas over `vmas` (zap: rmap removed, pages freed, RSS
   * counters), then free_pgtables bounded by the neighbours (`prev`'s end as floor, `next`'s
   * start as ceiling), which unlinks each VMA from its anon_vmas (free_pgtables'
   * unlink_anon_vmas, as 6.1's mm/memory.c does), then the TLB flush. @mmsim/vma's remove_vma
   * afterwards only drops the file reference; it never unlinks. Kernel: `unmap_region()`.
   */
  unmapRegion(mm: MmStruct, vmas: readonly VmAreaStruct[], start: number, end: number, prev: VmAreaStruct | null, next: VmAreaStruct | null): void;
  /** Zaps the pages of [start, end) of one VMA, keeping the VMA (MADV_DONTNEED). Kernel: `zap_page_range()`. */
  zapPageRange(vma: VmAreaStruct, start: number, end: number): void;
  /**
   * Applies the VMA's new vm_page_prot to the present PTEs of [start, end) (write-protecting,
   * or making writable where the kernel may: 6.1's can_change_pte_writable). @returns pages changed.
   * Kernel: `change_protection()`.
   */
  changeProtection(vma: VmAreaStruct, start: number, end: number): number;
  /**
   * Moves the PTEs of `len` bytes from oldAddr in oldVma to newAddr in newVma (mremap).
   * @returns bytes moved (less than len on -ENOMEM for a table). Kernel: `move_page_tables()`.
   */
  movePageTables(oldVma: VmAreaStruct, oldAddr: number, newVma: VmAreaStruct, newAddr: number, len: number): number;
  /**
   * Copies the parent's page tables for one VMA at fork: private anonymous pages shared
   * write-protected (page_dup_file_rmap / page_try_dup_anon_rmap, PageAnonExclusive rules),
   * shared mappings copied as they are. @returns 0 or -ENOMEM. Kernel: `copy_page_range()`.
   */
  copyPageRange(dst: VmAreaStruct, src: VmAreaStruct): number;
  /**
   * Faults in [start, end) as get_user_pages would (MAP_POPULATE, mlock, MADV_POPULATE_*).
   * @returns 0, or a negative errno (-ENOMEM, -EFAULT). Kernel: `populate_vma_page_range()` / `faultin_page()`.
   */
  populate(vma: VmAreaStruct, start: number, end: number, write: boolean): number;
  /**
   * Optional until the fault package implements it: mlocks (newFlags has VM_LOCKED) or munlocks
   * the present pages of [start, end) after vma->vm_flags changed (Mlocked, the unevictable
   * LRU). @mmsim/vma sets vm_flags itself and calls this for the pages. Kernel: `mlock_vma_pages_range()`.
   */
  mlockVmaPages?(vma: VmAreaStruct, start: number, end: number, oldFlags: number): void;
  /**
   * Frees everything of a dying mm: every VMA's pages and tables (free_pgtables unlinks every
   * VMA from its anon_vmas), then the pgd. Kernel: `exit_mmap()`'s unmap_vmas + free_pgtables + mm_free_pgd.
   */
  exitMmap(mm: MmStruct): void;
  /**
   * Unmaps pages [start, start + nr) of a file (nr 0: to the end) from every VMA of its i_mmap
   * (truncate, hole punch: `evenCows` zaps private COW copies too; one page-cache folio going:
   * only the file's pages). Optional for fakes. Kernel: `unmap_mapping_pages()`.
   */
  unmapMappingPages?(mapping: VmFileMapping, start: number, nr: number, evenCows: boolean): void;
}

/** The anon_vma side of the VMA operations. Implemented by @mmsim/rmap. */
export interface AnonVmaOps {
  /** Attaches dst to every anon_vma src is on (VMA split and copy). @returns 0 or -ENOMEM. Kernel: `anon_vma_clone()`. */
  anonVmaClone(dst: VmAreaStruct, src: VmAreaStruct): number;
  /** At fork: clones the parent VMA's chain and gives the child VMA its own anon_vma under the parent's root. Kernel: `anon_vma_fork()`. */
  anonVmaFork(vma: VmAreaStruct, pvma: VmAreaStruct): number;
  /** Detaches a VMA that is going away from its anon_vmas (freeing those left empty). Kernel: `unlink_anon_vmas()`. */
  unlinkAnonVmas(vma: VmAreaStruct): void;
  /** Gives a VMA an anon_vma before its first anonymous page (fault, COW). @returns 0 or -ENOMEM. Kernel: `anon_vma_prepare()`. */
  anonVmaPrepare(vma: VmAreaStruct): number;
}

export const MM_PAGE_OPS = token<MmPageOps>("MmPageOps");
export const ANON_VMA_OPS = token<AnonVmaOps>("AnonVmaOps");
