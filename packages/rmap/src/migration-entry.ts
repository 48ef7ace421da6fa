// Kernel: include/linux/swapops.h (make_readable_migration_entry, make_readable_exclusive_migration_entry, make_writable_migration_entry, is_writable_migration_entry, is_readable_migration_entry, make_migration_entry_young/dirty, is_migration_entry_young/dirty, pfn_swap_entry_to_page, SWP_PFN_BITS, SWP_MIG_YOUNG_BIT, SWP_MIG_DIRTY_BIT), arch/arm64/include/asm/pgtable.h (__swp_entry_to_pte) (v6.1) — migration entries in arm64 PTEs
/*
 * While a folio migrates, every PTE that mapped it holds a migration entry: a swap PTE whose type
 * is one of SWP_MIGRATION_READ, SWP_MIGRATION_READ_EXCLUSIVE, SWP_MIGRATION_WRITE (core's
 * swap-ops.ts: 24, 25, 26 with the reference config) and whose offset is the old page's PFN. 6.1
 * keeps the PTE's young and dirty bits in the offset too (migration_entry_supports_ad(): arm64's
 * swap offset has 50 bits, more than SWP_MIG_TOTAL_BITS = SWP_PFN_BITS + 2 = 38, so
 * swap_migration_ad_supported is true): SWP_MIG_YOUNG_BIT = SWP_PFN_BITS = MAX_PHYSMEM_BITS (48) -
 * PAGE_SHIFT = 36, SWP_MIG_DIRTY_BIT = 37. In the arm64 PTE the offset starts at bit 8
 * (__SWP_OFFSET_SHIFT), so the young bit is PTE bit 44 and the dirty bit PTE bit 45: bits 12 and
 * 13 of the PTE's high word.
 *
 * Core's 32-bit swp_entry_t packing (offset << 5 | type) holds 26 bits of offset: enough for the
 * PFN (256 GiB of RAM), not for the A/D bits, so these helpers read and write the PTE words
 * directly. pte_to_swp_entry() of a migration PTE still gives the right type (the low five bits),
 * so is_migration_entry(pte_to_swp_entry(pte)) works wherever non-present PTEs are decoded.
 */
import { SWP_MIGRATION_READ, SWP_MIGRATION_READ_EXCLUSIVE, SWP_MIGRATION_WRITE, swpEntry } from "@mmsim/core";
import { type PteVal, isSwapPte, mkSwapPte, pteSwpType } from "@mmsim/hw-arm64";

/** Kernel: `SWP_PFN_BITS` (MAX_PHYSMEM_BITS 48 − PAGE_SHIFT 12). */
export const SWP_PFN_BITS = 36;
/** Kernel: `SWP_MIG_YOUNG_BIT` / `SWP_MIG_DIRTY_BIT` (offset bits). */
export const SWP_MIG_YOUNG_BIT = SWP_PFN_BITS;
export const SWP_MIG_DIRTY_BIT = SWP_PFN_BITS + 1;
/** The offset's bits 24 and up live in the PTE's high word from bit 0 (offset bit k → PTE bit k + 8 → hi bit k − 24). */
const MIG_YOUNG_HI = 1 << (SWP_MIG_YOUNG_BIT - 24);
const MIG_DIRTY_HI = 1 << (SWP_MIG_DIRTY_BIT - 24);
/** The PFN's bits 24..35 in the high word. */
const PFN_HI_MASK = (1 << (SWP_PFN_BITS - 24)) - 1;

/**
 * The migration PTE for `pfn` of `type` (SWP_MIGRATION_*), with the young and dirty bits 6.1
 * keeps. Kernel: `make_*_migration_entry(page_to_pfn(subpage))` + `make_migration_entry_young()`
 * / `make_migration_entry_dirty()` + `swp_entry_to_pte()`.
 */
export function mkMigrationPte(type: number, pfn: number, young: boolean, dirty: boolean, out: PteVal): PteVal {
  mkSwapPte(swpEntry(type, pfn), false, out);
  out.hi = (out.hi | (young ? MIG_YOUNG_HI : 0) | (dirty ? MIG_DIRTY_HI : 0)) >>> 0;
  return out;
}

/** The PTE holds a migration entry. Kernel: `is_swap_pte(pte) && is_migration_entry(pte_to_swp_entry(pte))`. */
export function isMigrationPte(lo: number, hi: number): boolean {
  if (!isSwapPte(lo, hi)) return false;
  const t = pteSwpType(lo);
  return t >= SWP_MIGRATION_READ && t <= SWP_MIGRATION_WRITE;
}

/** The PFN a migration PTE names. Kernel: `swp_offset_pfn()` / `pfn_swap_entry_to_page()`. */
export function migrationPtePfn(lo: number, hi: number): number {
  return (hi & PFN_HI_MASK) * 16777216 + (lo >>> 8);
}

/** Kernel: `is_writable_migration_entry()`. */
export const isWritableMigrationPte = (lo: number): boolean => pteSwpType(lo) === SWP_MIGRATION_WRITE;
/** Kernel: `is_readable_migration_entry()` (SWP_MIGRATION_READ only: not the exclusive one). */
export const isReadableMigrationPte = (lo: number): boolean => pteSwpType(lo) === SWP_MIGRATION_READ;
/** Kernel: `is_readable_exclusive_migration_entry()`. */
export const isReadableExclusiveMigrationPte = (lo: number): boolean => pteSwpType(lo) === SWP_MIGRATION_READ_EXCLUSIVE;
/** Kernel: `is_migration_entry_young()`. */
export const migrationPteYoung = (hi: number): boolean => (hi & MIG_YOUNG_HI) !== 0;
/** Kernel: `is_migration_entry_dirty()`. */
export const migrationPteDirty = (hi: number): boolean => (hi & MIG_DIRTY_HI) !== 0;

/**
 * The readable migration PTE of a writable one, with its young and dirty bits (fork of a COW
 * mapping). Kernel: `make_readable_migration_entry(swp_offset(entry))` + `swp_entry_to_pte()`.
 */
export function migrationPteMkReadable(lo: number, hi: number, out: PteVal): PteVal {
  mkMigrationPte(SWP_MIGRATION_READ, migrationPtePfn(lo, hi), migrationPteYoung(hi), migrationPteDirty(hi), out);
  return out;
}
