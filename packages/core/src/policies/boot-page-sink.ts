// Kernel: mm/page_alloc.c (6.1) — the entry points memblock_free_all() calls: memblock_free_pages(), reserve_bootmem_region()
import { token } from "../di/token.ts";

/**
 * The page allocator's side of the boot hand-over. memblock calls it from `memblockFreeAll()`;
 * `@mmsim/buddy` implements it. In 6.1 both functions live in mm/page_alloc.c.
 */
export interface BootPageSink {
  /**
   * Marks the struct pages of a reserved (or NOMAP) physical range PageReserved; they never
   * reach the buddy lists.
   * Kernel: `reserve_bootmem_region(start, end)` called from `memmap_init_reserved_pages()`.
   * @param start first byte (inclusive)
   * @param end last byte + 1 (exclusive)
   */
  reserveBootmemRegion(start: number, end: number): void;

  /**
   * Gives one naturally aligned block of 2^order free pages to the page allocator. With
   * deferred struct-page init the allocator may keep it back and free it later.
   * Kernel: `memblock_free_pages(page, pfn, order)` → `__free_pages_core(page, order)`.
   */
  memblockFreePages(pfn: number, order: number): void;
}
export const BootPageSink = token<BootPageSink>("BootPageSink");
