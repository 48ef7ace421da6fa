// Kernel: mm/page_alloc.c, mm/memblock.c (6.1) — what memblock_free_all() calls on the page allocator's side
import { token } from "../di/token.ts";

/**
 * The page allocator's side of the boot hand-over. memblock calls it from `memblockFreeAll()`;
 * `@mmsim/buddy` implements it. In 6.1 both functions live in mm/page_alloc.c.
 */
export interface BootPageSink {
  /**
   * Sets every zone's managed page count to 0 before the hand-over (free_area_init left an
   * estimate there). Kernel: `reset_all_zones_managed_pages()` (mm/memblock.c).
   */
  resetAllZonesManagedPages(): void;

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

  /**
   * Adds the pages memblock handed over (deferred ones included) to totalram_pages.
   * Kernel: `totalram_pages_add()`.
   */
  totalramPagesAdd(count: number): void;
}
export const BootPageSink = token<BootPageSink>("BootPageSink");
