// Kernel: mm/vmalloc.c (vmap_pages_range, ioremap_page_range, vunmap_range_noflush), arch/arm64/include/asm/pgtable-prot.h, asm/tlbflush.h (v6.1) — what vmalloc asks of init_mm's page tables
/*
 * vmalloc does not walk page tables itself: in the kernel it calls vmap_pages_range(),
 * ioremap_page_range() and vunmap_range_noflush() (mm/vmalloc.c, which walk init_mm's tables
 * with the arch's pgd/p4d/pud/pmd/pte helpers) and flush_tlb_kernel_range() (arm64's
 * asm/tlbflush.h). mmsim keeps those behind this interface so that @mmsim/vmalloc works with any
 * implementation of the kernel tables: the machine adapts @mmsim/hw-arm64's translation tables
 * to it; tests use FakeVmapPageTables from @mmsim/vmalloc/testing.
 *
 * A protection is a small id, not the arm64 PTE bits: the implementation turns it into its
 * pgprot. The ids are the pgprots vmalloc and its callers use on arm64 6.1.
 */
import { token } from "@mmsim/core";
import type { Va } from "@mmsim/hw-arm64";

/** `PAGE_KERNEL` = `__pgprot(PROT_NORMAL)`: normal memory, read-write, not executable. */
export const PAGE_KERNEL = 0;
/** `PAGE_KERNEL_RO`: normal memory, read-only, not executable. */
export const PAGE_KERNEL_RO = 1;
/** `PAGE_KERNEL_ROX`: normal memory, read-only, executable (module text). */
export const PAGE_KERNEL_ROX = 2;
/** `PAGE_KERNEL_EXEC`: normal memory, read-write, executable (module_alloc, BPF JIT). */
export const PAGE_KERNEL_EXEC = 3;
/** `PROT_DEVICE_nGnRE`: device memory, what ioremap() maps (`_PAGE_IOREMAP`). */
export const PROT_DEVICE_nGnRE = 4;
/** `PROT_DEVICE_nGnRnE`: strongly ordered device memory (ioremap_np()). */
export const PROT_DEVICE_nGnRnE = 5;
/** `PROT_NORMAL_NC`: normal non-cacheable memory (ioremap_wc()). */
export const PROT_NORMAL_NC = 6;
/** Number of protection ids. */
export const NR_VMAP_PROTS = 7;
/** A protection id. */
export type VmapProt = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Names of the protection ids, indexed by id (for messages and test output). */
export const vmapProtNames: readonly string[] = Object.freeze([
  "PAGE_KERNEL", "PAGE_KERNEL_RO", "PAGE_KERNEL_ROX", "PAGE_KERNEL_EXEC", "PROT_DEVICE_nGnRE", "PROT_DEVICE_nGnRnE", "PROT_NORMAL_NC",
]);

/**
 * The protection with execute permission removed (PTE_PXN set). Kernel: `pgprot_nx()`, which
 * vmap() and ioremap_page_range() apply.
 */
export function pgprotNx(prot: number): number {
  if (prot === PAGE_KERNEL_EXEC) return PAGE_KERNEL;
  if (prot === PAGE_KERNEL_ROX) return PAGE_KERNEL_RO;
  return prot;
}

/** True for a valid protection id. */
export function isVmapProt(prot: number): prot is VmapProt {
  return Number.isInteger(prot) && prot >= 0 && prot < NR_VMAP_PROTS;
}

/** What vmalloc needs from the arch page-table code (init_mm's tables). */
export interface VmapPageTables {
  /**
   * Maps `nr` pages, `pfns[0..nr)`, at `addr` with `prot`, allocating missing tables.
   * Kernel: `vmap_pages_range()` → `vmap_pages_range_noflush()`, then `flush_cache_vmap()`.
   * @param pageShift the largest mapping the pages allow (PAGE_SHIFT, or PMD_SHIFT for a huge
   *   vmalloc whose pages come in naturally aligned 2 MiB blocks: `__vmap_pages_range_noflush()`)
   * @returns 0, or a negative errno (-ENOMEM when a table cannot be allocated)
   */
  vmapPagesRange(addr: Va, pfns: Int32Array, nr: number, prot: number, pageShift: number): number;
  /**
   * Maps `[addr, addr + size)` to `[phys, phys + size)` with `prot` (already made
   * non-executable by the caller). Kernel: `ioremap_page_range()` (which may use block mappings
   * up to ioremap_max_page_shift: that choice is the implementation's).
   * @returns 0, or a negative errno
   */
  ioremapPageRange(addr: Va, phys: number, size: number, prot: number): number;
  /** Clears the PTEs of `[start, end)` without flushing the TLB. Kernel: `vunmap_range_noflush()`. */
  vunmapRangeNoflush(start: Va, end: Va): void;
  /** Invalidates the kernel TLB entries of `[start, end)` on every CPU. Kernel: `flush_tlb_kernel_range()`. */
  flushTlbKernelRange(start: Va, end: Va): void;
}
export const VmapPageTables = token<VmapPageTables>("VmapPageTables");
