// Kernel: include/linux/gfp.h (alloc_pages, __free_pages) — the page allocator as other subsystems see it
import { token } from "../di/token.ts";

/**
 * What slab, vmalloc, page tables and the fault handler ask of the page allocator.
 * Implemented by `BuddyAllocator` (@mmsim/buddy).
 */
export interface PageAllocator {
  /**
   * Allocates 2^order physically contiguous pages.
   * Kernel: `alloc_pages_node()` / `__alloc_pages()`.
   * @param cpu the CPU the caller runs on (its pcp lists are used)
   * @returns PFN of the first page, or NIL_PFN (-1) after the kernel's failure warning
   */
  allocPages(gfp: number, order: number, cpu: number, nid?: number): number;
  /**
   * Drops a reference; the last frees the block. Kernel: `__free_pages()`.
   * @returns 0, or -EINVAL if the page was not allocated (logged as "Bad page state")
   */
  freePages(pfn: number, order: number, cpu: number): number;
  /**
   * Adds `delta` to a node counter of the node holding `pfn` (NR_SLAB_RECLAIMABLE_B, … in pages).
   * Kernel: `mod_node_page_state(page_pgdat(page), item, nr)`.
   */
  modNodePageState(pfn: number, item: number, delta: number): void;
}
export const PageAllocator = token<PageAllocator>("PageAllocator");
