// Kernel: mm/pagewalk.c (walk_page_range → walk_pmd_range → walk_pte_range with a pmd_entry that skips huge and absent PMDs), mm/memory.c (vm_normal_page) (v6.1) — the PTEs of a range (and its present, normal pages), as madvise's, mlock's and swapoff's page walks visit them
import { NULL_ENTRY, pmdAddrEnd, pteOffsetKernel } from "@mmsim/hw-arm64";
import type { VmAreaStruct } from "@mmsim/vma";
import type { MmMemory } from "./memory.ts";

const PAGE = 4096;

/**
 * What a walk does with one PTE that is not none: its entry address, its two words, the user
 * address and the PMD entry above it. Returning true stops the walk.
 */
export type PteVisitor = (ptep: number, lo: number, hi: number, addr: number, pmdp: number) => boolean | void;

/**
 * Calls `visit` for every PTE of [start, end) in `vma` that is not none (present or a swap
 * entry), in address order, until it returns true. PTE tables only: PMDs that are none or map a
 * THP are skipped (the callers' pmd_entry handles neither). Kernel: `walk_page_range()` →
 * walk_pmd_range → walk_pte_range with a pte-level `pmd_entry`.
 * @returns true when `visit` stopped the walk
 */
export function walkPteRange(m: MmMemory, vma: VmAreaStruct, start: number, end: number, visit: PteVisitor): boolean {
  const pgt = vma.vmMm.pgtables;
  if (pgt === null) return false;
  const store = m.store;
  for (let addr = start; addr < end; ) {
    const next = pmdAddrEnd(addr, end);
    const pmdp = m.swap.pmdOf(pgt.pgd, addr);
    if (pmdp === NULL_ENTRY) {
      addr = next;
      continue;
    }
    for (; addr < next; addr += PAGE) {
      const ptep = pteOffsetKernel(store, pmdp, addr);
      const lo = store.readLo(ptep);
      const hi = store.readHi(ptep);
      if (lo === 0 && hi === 0) continue; // pte_none
      if (visit(ptep, lo, hi, addr, pmdp) === true) return true;
    }
  }
  return false;
}

/**
 * What a walk does with one present PTE mapping a normal page (not the zero page, not special):
 * the page, the PTE's entry address and words, and the user address.
 */
export type PresentPteVisitor = (page: number, ptep: number, lo: number, hi: number, addr: number) => void;

/** Calls `visit` for every present PTE of [start, end) in `vma` that maps a normal page (vm_normal_page), in address order. */
export function walkPresentPages(m: MmMemory, vma: VmAreaStruct, start: number, end: number, visit: PresentPteVisitor): void {
  walkPteRange(m, vma, start, end, (ptep, lo, hi, addr) => {
    if ((lo & 1) === 0) return; // not present (a swap entry)
    const page = m.vmNormalPage(lo, hi);
    if (page >= 0) visit(page, ptep, lo, hi, addr);
  });
}
