// Kernel: arch/arm64/include/asm/pgtable.h (v6.1) — __swp_entry, __swp_entry_to_pte, PTE_SWP_EXCLUSIVE: the arm64 swap PTE
/*
 * A non-present PTE holding a swap entry (6.1's layout):
 *   bits 0-1   present (must be zero)
 *   bit  2     PTE_SWP_EXCLUSIVE (remembers PG_anon_exclusive)
 *   bits 3-7   swap type   (__SWP_TYPE_SHIFT 3, __SWP_TYPE_BITS 5)
 *   bits 8-57  swap offset (__SWP_OFFSET_SHIFT 8, __SWP_OFFSET_BITS 50)
 *   bit  58    PTE_PROT_NONE (must be zero)
 * (The contract comment in core's swap-ops.ts says __SWP_OFFSET_SHIFT 9: that was the layout
 * before 6.0 moved the exclusive bit in; 6.1 has 8.)
 *
 * Stand-in until @mmsim/hw-arm64 has these (the swap-pte helper's branch reclaim-swap-pte): this
 * package's mkSwapPte calls only armSwpEntryToPte, so switching is one import.
 */
import { swpOffset, swpType } from "@mmsim/core";

export const __SWP_TYPE_SHIFT = 3;
export const __SWP_TYPE_BITS = 5;
export const __SWP_OFFSET_SHIFT = 8;
/** Kernel: `PTE_SWP_EXCLUSIVE` (bit 2). */
export const PTE_SWP_EXCLUSIVE_BIT = 2;

/**
 * The PTE of swap entry `entry` as two 32-bit halves (PteVal's lo/hi): offsets up to 2^26 fit
 * below bit 34. Kernel: `swp_entry_to_pte()` = `__swp_entry_to_pte(__swp_entry(type, offset))`
 * (+ `pte_swp_mkexclusive()`).
 */
export function armSwpEntryToPte(entry: number, exclusive: boolean, out: { lo: number; hi: number }): void {
  const type = swpType(entry);
  const offset = swpOffset(entry);
  // offset << 8 spans bits 8..33: low 24 bits of the offset in lo, the rest in hi
  out.lo = ((type << __SWP_TYPE_SHIFT) | ((offset & 0xffffff) << __SWP_OFFSET_SHIFT) | (exclusive ? 1 << PTE_SWP_EXCLUSIVE_BIT : 0)) >>> 0;
  out.hi = Math.floor(offset / 0x1000000) >>> 0;
}

/** The swap entry of a swap PTE. Kernel: `pte_to_swp_entry()`. */
export function armPteToSwpEntry(lo: number, hi: number): number {
  const type = (lo >>> __SWP_TYPE_SHIFT) & ((1 << __SWP_TYPE_BITS) - 1);
  const offset = (lo >>> __SWP_OFFSET_SHIFT) + hi * 0x1000000;
  return (offset * 32 + type) >>> 0;
}
