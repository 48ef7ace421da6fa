// Kernel: include/linux/pgtable.h, include/asm-generic/pgtable-nop4d.h, arch/arm64/include/asm/pgtable.h (pgd_offset, p4d_offset, pud_offset, pmd_offset, pte_offset_map, pmd_page_paddr) (v6.1) — the user page walk of the fault path, on the table store's words
/*
 * hw-arm64's accessors take and return entry addresses (the physical address of a descriptor,
 * the kernel's `pte_t *`) and locate each entry's table from that address. The fault path walks
 * the same tables many times per fault (the MMU's walk, handle_mm_fault's, the MMU's again on
 * the retried access), so here the walk goes from a table descriptor's two words straight to
 * the word index of the entry it selects, `store.words[w]` (bits 31..0) and `[w + 1]` (bits
 * 63..32), with no entry address in between; the result is converted to an entry address only
 * where a kernel-named helper takes one. Same tables, same entries: -1 here is NULL_ENTRY there
 * (an upper level that is none, or a descriptor whose frame holds no table).
 *
 * Indices: with 4 levels (VA_BITS 48) pgd_index is VA bits 47:39, pud_index 38:30, pmd_index
 * 29:21, pte_index 20:12; with 3 levels (VA_BITS 39) the pud is folded and pgd_index is bits
 * 38:30. `va` is split once into va / 2^30 and va mod 2^30, both exact small integers.
 */
import { PTE_ADDR_HI, TABLE_WORDS, type PgtableStore } from "@mmsim/hw-arm64";

const GiB = 2 ** 30;
/** 2^-30: va * INV_GiB is va / 2^30 exactly (a power-of-two scaling), without a division. */
const INV_GiB = 2 ** -30;

/**
 * The word of entry 0 of the table a table descriptor (lo, hi) points to. Kernel:
 * `pmd_page_paddr()` / `pud_page_paddr()` and friends, located in the store.
 * @returns the word index, or -1 when the descriptor is none or its frame holds no table
 */
export function tableWordOf(store: PgtableStore, lo: number, hi: number): number {
  if (lo === 0 && hi === 0) return -1;
  // The output address's frame: bits 47:32 from hi, 31:12 from lo.
  const i = (hi & PTE_ADDR_HI) * 1048576 + (lo >>> 12) - store.basePfn;
  if (i < 0 || i >= store.nrPages) return -1;
  const s = store.slotOf[i]!;
  return s < 0 ? -1 : s * TABLE_WORDS;
}

/** The entry address (ptep, pmdp, …) of the descriptor at word `w`: the table's physical address + index × 8. */
export function entryOfWord(store: PgtableStore, w: number): number {
  return store.pfnOfSlot[w >> 10]! * 4096 + (w & (TABLE_WORDS - 1)) * 4;
}

/**
 * The word of va's PMD entry in the tables under `pgd`, reading the pgd (and, with 4 levels,
 * the pud) entry on the way. Kernel: `pgd_offset()` → `p4d_offset()` → `pud_offset()` →
 * `pmd_offset()`.
 * @returns the word index, or -1 when the pgd/p4d or pud entry is none
 */
export function pmdWordOf(store: PgtableStore, pgd: number, va: number): number {
  const words = store.words;
  const top = Math.floor(va * INV_GiB);
  let w = store.entryWord(pgd);
  if (w < 0) return -1;
  if (store.levels === 4) {
    w += ((top >>> 9) & 511) * 2; // pgd_offset; p4d_offset is the pgd entry
    w = tableWordOf(store, words[w]!, words[w + 1]!);
    if (w < 0) return -1;
  }
  w += (top & 511) * 2; // pud_offset (with 3 levels: the pgd entry itself)
  w = tableWordOf(store, words[w]!, words[w + 1]!);
  if (w < 0) return -1;
  return w + ((va - top * GiB) >>> 21) * 2; // pmd_offset
}

/** The word offset of va's entry inside its PTE table (pte_index × 2). Kernel: `pte_index()`. */
export function pteWordIndex(va: number): number {
  return (((va - Math.floor(va * INV_GiB) * GiB) >>> 12) & 511) * 2;
}
