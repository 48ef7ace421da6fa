// Kernel: mm/mlock.c (mlock_vma_pages_range, mlock_pte_range, mlock_walk_ops), include/linux/mm.h + mm/internal.h (mlock_vma_page, munlock_vma_page) (v6.1) — the page side of mlock and munlock
/*
 * @mmsim/vma's mlock_fixup sets or clears VM_LOCKED on the VMAs and calls `mlockVmaPages` for
 * the range: the pages already mapped there become Mlocked and move to the unevictable list
 * (mlock_folio) or go back to an evictable list (munlock_folio), as 6.1's mlock_pte_range does
 * over a page-table walk between two lru_add_drain()s. Pages faulted into a VM_LOCKED VMA later
 * are mlocked where they are mapped: folio_add_lru_vma for new anonymous pages, `mlockVmaPage`
 * for file and swapped-in pages (page_add_file_rmap / page_add_anon_rmap's mlock_vma_page), and
 * `munlockVmaPage` when a VM_LOCKED mapping is zapped (page_remove_rmap's munlock_vma_page).
 *
 * As in 6.1 mlock_pte_range, PTE-mapped pieces of a compound page are skipped; PMD-mapped THPs
 * (6.1 mlocks the whole folio) are skipped too: mmsim's THPs stay on the LRU.
 */
import { VM_LOCKED, type VmAreaStruct } from "@mmsim/vma";
import type { MmMemory } from "./memory.ts";
import { walkPresentPages } from "./pte-range-walk.ts";

/**
 * Mlocks (vma now VM_LOCKED) or munlocks the present pages of [start, end) of `vma`.
 * Kernel: `mlock_vma_pages_range()` → `mlock_pte_range()`.
 */
export function mlockVmaPagesRange(m: MmMemory, vma: VmAreaStruct, start: number, end: number): void {
  const lru = m.lru;
  if (lru === null || vma.vmMm.pgtables === null) return;
  const locked = (vma.vmFlags & VM_LOCKED) !== 0;
  lru.lruAddDrain(m.cpu);
  walkPresentPages(m, vma, start, end, (page) => {
    if (m.rmap.pageCompound(page)) return;
    if (locked) lru.mlockFolio(page);
    else lru.munlockFolio(page);
  });
  lru.lruAddDrain(m.cpu);
}

/** A page just mapped into `vma`: mlocked when the VMA is VM_LOCKED. Kernel: `mlock_vma_page()`. */
export function mlockVmaPage(m: MmMemory, page: number, vma: VmAreaStruct): void {
  if ((vma.vmFlags & VM_LOCKED) !== 0 && m.lru !== null && !m.rmap.pageCompound(page)) m.lru.mlockFolio(page);
}

/** A page unmapped from `vma`: munlocked when the VMA is VM_LOCKED. Kernel: `munlock_vma_page()`. */
export function munlockVmaPage(m: MmMemory, page: number, vma: VmAreaStruct): void {
  if ((vma.vmFlags & VM_LOCKED) !== 0 && m.lru !== null && !m.rmap.pageCompound(page)) m.lru.munlockFolio(page);
}
