// Kernel: mm/pagewalk.c (walk_page_range → walk_pmd_range → walk_pte_range with a pmd_entry that skips huge and absent PMDs), mm/memory.c (vm_normal_page) (v6.1) — the present, normal pages of a range, as madvise's and mlock's page walks visit them
import { NULL_ENTRY, pmdAddrEnd, pteOffsetKernel } from "@mmsim/hw-arm64";
import type { VmAreaStruct } from "@mmsim/vma";
import type { MmMemory } from "./memory.ts";

const PAGE = 4096;

/**
 * What a walk does with one present PTE mapping a normal page (not the zero page, not special):
 * the page, the PTE's entry address and words, and the user address.
 */
export type PresentPteVisitor = (page: number, ptep: number, lo: number, hi: number, addr: number) => void;

/**
 * Calls `visit` for every present PTE of [start, end) in `vma` that maps a normal page, in
 * address order. PTE tables only: PMDs that are none or map a THP are skipped (the callers'
 * pmd_entry handles neither). Kernel: `walk_page_range()` with a pte-level `pmd_entry`.
 */
export function walkPresentPages(m: MmMemory, vma: VmAreaStruct, start: number, end: number, visit: PresentPteVisitor): void {
  const pgt = vma.vmMm.pgtables;
  if (pgt === null) return;
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
      if ((lo & 1) === 0) continue; // pte_none, or not present (swap)
      const hi = store.readHi(ptep);
      const page = m.vmNormalPage(lo, hi);
      if (page >= 0) visit(page, ptep, lo, hi, addr);
    }
  }
}
