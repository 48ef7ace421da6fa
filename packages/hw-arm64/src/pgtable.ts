// Kernel: arch/arm64/include/asm/pgtable.h (with its swap PTE encoding), include/linux/swapops.h (pte_to_swp_entry, swp_entry_to_pte, is_swap_pte), include/linux/pgtable.h, include/asm-generic/pgtable-nop4d.h, pgtable-nopud.h (v6.1) — pgd/pud/pmd/pte accessors on tables in simulated frames
/*
 * The accessors the kernel's generic mm code uses, on entry addresses (the physical address of
 * a descriptor, see pgtable-store.ts) and on descriptor values held as (lo, hi) words:
 *
 *  - offsets: pgd_offset_pgd, pgd_offset_k, p4d_offset (folded), pud_offset (folded with 3
 *    levels), pmd_offset, pte_offset_kernel — they read the parent entry from the store;
 *  - tests on values: pte_none/present/valid/young/dirty/write/…, pmd_none/bad/sect/table/leaf,
 *    pud_*, p4d_*;
 *  - stores: set_pte/set_pmd/set_pud/set_p4d/set_pgd, pte_clear/pmd_clear/pud_clear/p4d_clear;
 *  - value transforms (pte_mkyoung, pte_mkdirty, pte_wrprotect, pfn_pte, pte_modify, …) on a
 *    mutable `PteVal` scratch, returned for chaining: `pteMkyoung(pfnPte(pfn, prot, tmp))`.
 *
 * Everything here is allocation-free. Folding: with 4 levels (VA_BITS 48) the p4d level is
 * folded into the pgd (pgd_none() is always false, p4d_none() reads the pgd entry); with 3
 * levels (VA_BITS 39) the pud level is folded too (p4d_none() is false and pud_offset() returns
 * the pgd entry itself), exactly as pgtable-nop4d.h / pgtable-nopud.h fold them.
 */
import {
  PMD_TYPE_MASK, PMD_TYPE_SECT, PMD_TYPE_TABLE, PTE_ADDR_HI, PTE_ADDR_LO, PTE_AF, PTE_CONT_HI, PTE_DEVMAP_HI, PTE_DIRTY_HI,
  PTE_GP_HI, PTE_PROT_NONE_HI, PTE_PXN_HI, PTE_SWP_EXCLUSIVE, PTE_RDONLY, PTE_SPECIAL_HI, PTE_TABLE_BIT, PTE_USER, PTE_UXN_HI, PTE_VALID,
  PTE_WRITE_HI, descOutputAddress,
} from "./pgtable-hwdef.ts";
import { swpEntry, swpOffset, swpType } from "@mmsim/core";
import type { Pgprot } from "./pgtable-prot.ts";
import type { PgtableStore } from "./pgtable-store.ts";
import type { Va } from "./va.ts";

/** A mutable descriptor value (pte_t, pmd_t, …) as two words; reuse one per caller. */
export class PteVal {
  lo = 0;
  hi = 0;
  /** Sets both words; returns this. */
  set(lo: number, hi: number): this {
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }
}

/** No entry: returned by the offset helpers when the parent is none, and by allocators on failure (NULL). */
export const NULL_ENTRY = -1;

// --- indices --------------------------------------------------------------------------------

const INV_2_39 = 2 ** -39;
const INV_2_30 = 2 ** -30;
const INV_2_21 = 2 ** -21;
const INV_2_12 = 2 ** -12;

/** Index into the top table (shift 39 with 4 levels, 30 with 3). Kernel: `pgd_index()`. */
export function pgdIndex(store: PgtableStore, va: Va): number {
  return Math.floor(va * (store.levels === 4 ? INV_2_39 : INV_2_30)) & 511;
}
/** Kernel: `pud_index()`. */
export function pudIndex(va: Va): number {
  return Math.floor(va * INV_2_30) & 511;
}
/** Kernel: `pmd_index()`. */
export function pmdIndex(va: Va): number {
  return Math.floor(va * INV_2_21) & 511;
}
/** Kernel: `pte_index()`. */
export function pteIndex(va: Va): number {
  return Math.floor(va * INV_2_12) & 511;
}

/** End of the top-level entry containing addr, capped at end. Kernel: `pgd_addr_end()`. */
export function pgdAddrEnd(store: PgtableStore, addr: Va, end: Va): Va {
  return addrEnd(addr, end, store.levels === 4 ? 2 ** 39 : 2 ** 30);
}
/** Kernel: `pud_addr_end()` (with 3 levels the pud is folded: the end of the pgd entry). */
export function pudAddrEnd(addr: Va, end: Va): Va {
  return addrEnd(addr, end, 2 ** 30);
}
/** Kernel: `pmd_addr_end()`. */
export function pmdAddrEnd(addr: Va, end: Va): Va {
  return addrEnd(addr, end, 2 ** 21);
}
/** boundary = (addr + size) & ~(size - 1); return min(boundary, end) with end 0 meaning 2^64. */
function addrEnd(addr: Va, end: Va, size: number): Va {
  const boundary = (Math.floor(addr / size) + 1) * size;
  // The kernel compares boundary - 1 < end - 1 on u64: end == 0 (the top of the address space) is the largest.
  if (end === 0) return boundary;
  return boundary < end ? boundary : end;
}

// --- offsets (read the parent entry from the store) ----------------------------------------

/** Entry for `va` in the top table at `pgd`. Kernel: `pgd_offset_pgd()`. */
export function pgdOffsetPgd(store: PgtableStore, pgd: number, va: Va): number {
  return pgd + pgdIndex(store, va) * 8;
}
/** Kernel: `pgd_offset(mm, addr)`. */
export function pgdOffset(store: PgtableStore, mmPgd: number, va: Va): number {
  return mmPgd + pgdIndex(store, va) * 8;
}
/** Entry for `va` in swapper_pg_dir (store.swapperPgDir). Kernel: `pgd_offset_k()`. */
export function pgdOffsetK(store: PgtableStore, va: Va): number {
  return store.swapperPgDir + pgdIndex(store, va) * 8;
}
/** The p4d level is folded: the pgd entry itself. Kernel: `p4d_offset()` (pgtable-nop4d.h). */
export function p4dOffset(_store: PgtableStore, pgdp: number, _va: Va): number {
  return pgdp;
}
/**
 * Entry for `va` in the pud table the p4d entry points to; with 3 levels the pud is folded and
 * this is `p4dp` itself. Kernel: `pud_offset()`.
 * @returns NULL_ENTRY when the p4d entry is none (the kernel would dereference garbage)
 */
export function pudOffset(store: PgtableStore, p4dp: number, va: Va): number {
  if (store.levels === 3) return p4dp;
  const w = store.entryWord(p4dp);
  if (w < 0) return NULL_ENTRY;
  const lo = store.words[w]!;
  const hi = store.words[w + 1]!;
  if (lo === 0 && hi === 0) return NULL_ENTRY;
  return descOutputAddress(lo, hi) + pudIndex(va) * 8;
}
/** Kernel: `pmd_offset()`. @returns NULL_ENTRY when the pud entry is none */
export function pmdOffset(store: PgtableStore, pudp: number, va: Va): number {
  const w = store.entryWord(pudp);
  if (w < 0) return NULL_ENTRY;
  const lo = store.words[w]!;
  const hi = store.words[w + 1]!;
  if (lo === 0 && hi === 0) return NULL_ENTRY;
  return descOutputAddress(lo, hi) + pmdIndex(va) * 8;
}
/** Kernel: `pte_offset_kernel()` (and pte_offset_map: no highmem on arm64). @returns NULL_ENTRY when the pmd entry is none */
export function pteOffsetKernel(store: PgtableStore, pmdp: number, va: Va): number {
  const w = store.entryWord(pmdp);
  if (w < 0) return NULL_ENTRY;
  const lo = store.words[w]!;
  const hi = store.words[w + 1]!;
  if (lo === 0 && hi === 0) return NULL_ENTRY;
  return descOutputAddress(lo, hi) + pteIndex(va) * 8;
}
/** Same as pteOffsetKernel. Kernel: `pte_offset_map()`. */
export const pteOffsetMap = pteOffsetKernel;

/** Physical address of the next table an entry points to. Kernel: `pmd_page_paddr()`, `pud_page_paddr()`, `p4d_page_paddr()`. */
export function entryPagePaddr(store: PgtableStore, entry: number): number {
  return descOutputAddress(store.readLo(entry), store.readHi(entry));
}

// --- reads and writes ----------------------------------------------------------------------

/** Reads the descriptor at `ptep` into `out`. Kernel: `ptep_get()` / `READ_ONCE(*pmdp)`. */
export function ptepGet(store: PgtableStore, ptep: number, out: PteVal): PteVal {
  const w = store.entryWord(ptep);
  if (w < 0) return out.set(0, 0);
  out.lo = store.words[w]!;
  out.hi = store.words[w + 1]!;
  return out;
}
/** Kernel: `set_pte()` (WRITE_ONCE plus barriers; the TLB is the caller's business). */
export function setPte(store: PgtableStore, ptep: number, lo: number, hi: number): void {
  store.write(ptep, lo, hi);
}
/** Kernel: `set_pmd()`. */
export const setPmd = setPte;
/** Kernel: `set_pud()`. */
export const setPud = setPte;
/** Kernel: `set_p4d()`. */
export const setP4d = setPte;
/** Kernel: `set_pgd()` (with the p4d folded, the write that set_p4d does). */
export const setPgd = setPte;
/** Kernel: `pte_clear()`. */
export function pteClear(store: PgtableStore, ptep: number): void {
  store.write(ptep, 0, 0);
}
/** Kernel: `pmd_clear()`. */
export const pmdClear = pteClear;
/** Kernel: `pud_clear()` (with 3 levels the folded pud is the pgd entry itself). */
export function pudClear(store: PgtableStore, pudp: number): void {
  store.write(pudp, 0, 0);
}
/** Kernel: `p4d_clear()`. */
export function p4dClear(store: PgtableStore, p4dp: number): void {
  if (store.levels === 4) store.write(p4dp, 0, 0);
}

// --- tests on pte values -------------------------------------------------------------------

/** Kernel: `pte_none()`. */
export const pteNone = (lo: number, hi: number): boolean => lo === 0 && hi === 0;
/** Kernel: `pte_present()` = PTE_VALID | PTE_PROT_NONE. */
export const ptePresent = (lo: number, hi: number): boolean => (lo & PTE_VALID) !== 0 || (hi & PTE_PROT_NONE_HI) !== 0;
/** Kernel: `pte_valid()`. */
export const pteValid = (lo: number): boolean => (lo & PTE_VALID) !== 0;
/** Kernel: `pte_young()` (the access flag). */
export const pteYoung = (lo: number): boolean => (lo & PTE_AF) !== 0;
/** Kernel: `pte_write()` (PTE_WRITE = DBM). */
export const pteWrite = (hi: number): boolean => (hi & PTE_WRITE_HI) !== 0;
/** Kernel: `pte_rdonly()`. */
export const pteRdonly = (lo: number): boolean => (lo & PTE_RDONLY) !== 0;
/** Kernel: `pte_user()`. */
export const pteUser = (lo: number): boolean => (lo & PTE_USER) !== 0;
/** Kernel: `pte_user_exec()` = !PTE_UXN. */
export const pteUserExec = (hi: number): boolean => (hi & PTE_UXN_HI) === 0;
/** Kernel: `pte_cont()`. */
export const pteCont = (hi: number): boolean => (hi & PTE_CONT_HI) !== 0;
/** Kernel: `pte_special()`. */
export const pteSpecial = (hi: number): boolean => (hi & PTE_SPECIAL_HI) !== 0;
/** Kernel: `pte_devmap()`. */
export const pteDevmap = (hi: number): boolean => (hi & PTE_DEVMAP_HI) !== 0;
/** Kernel: `pte_hw_dirty()` = pte_write && !PTE_RDONLY. */
export const pteHwDirty = (lo: number, hi: number): boolean => (hi & PTE_WRITE_HI) !== 0 && (lo & PTE_RDONLY) === 0;
/** Kernel: `pte_sw_dirty()`. */
export const pteSwDirty = (hi: number): boolean => (hi & PTE_DIRTY_HI) !== 0;
/** Kernel: `pte_dirty()` = pte_sw_dirty || pte_hw_dirty. */
export const pteDirty = (lo: number, hi: number): boolean => pteSwDirty(hi) || pteHwDirty(lo, hi);
/** Kernel: `pte_protnone()` = PTE_PROT_NONE set and PTE_VALID clear. */
export const pteProtnone = (lo: number, hi: number): boolean => (lo & PTE_VALID) === 0 && (hi & PTE_PROT_NONE_HI) !== 0;
/** Page frame number of a pte/pmd/pud. Kernel: `pte_pfn()`, `pmd_pfn()`, `pud_pfn()`. */
export const ptePfn = (lo: number, hi: number): number => (hi & PTE_ADDR_HI) * 1048576 + ((lo & PTE_ADDR_LO) >>> 12);
export const pmdPfn = ptePfn;
export const pudPfn = ptePfn;

// --- tests on pmd/pud/p4d values -----------------------------------------------------------

/** Kernel: `pmd_none()`. */
export const pmdNone = pteNone;
/** Kernel: `pmd_present()` = pte_present(pmd_pte(pmd)). */
export const pmdPresent = ptePresent;
/** Kernel: `pmd_table()`: bits[1:0] = 0b11. */
export const pmdTable = (lo: number): boolean => (lo & PMD_TYPE_MASK) === PMD_TYPE_TABLE;
/** Kernel: `pmd_sect()`: bits[1:0] = 0b01 (a block). */
export const pmdSect = (lo: number): boolean => (lo & PMD_TYPE_MASK) === PMD_TYPE_SECT;
/** Kernel: `pmd_bad()` = !pmd_table(). */
export const pmdBad = (lo: number): boolean => !pmdTable(lo);
/** Kernel: `pmd_leaf()` (6.1: pmd_sect()). */
export const pmdLeaf = pmdSect;
/** Kernel: `pud_none()`. */
export const pudNone = pteNone;
/** Kernel: `pud_present()`. */
export const pudPresent = ptePresent;
/** Kernel: `pud_table()`. */
export const pudTable = pmdTable;
/** Kernel: `pud_sect()`. */
export const pudSect = pmdSect;
/** Kernel: `pud_bad()` = !(pud_val & PUD_TABLE_BIT). */
export const pudBad = (lo: number): boolean => (lo & PTE_TABLE_BIT) === 0;
/** Kernel: `pud_leaf()` = pud_sect(). */
export const pudLeaf = pudSect;

/** Kernel: `p4d_none()`: the pgd entry with 4 levels; always false with 3 (folded, pgtable-nopud.h). */
export function p4dNone(store: PgtableStore, lo: number, hi: number): boolean {
  return store.levels === 4 ? lo === 0 && hi === 0 : false;
}
/** Kernel: `p4d_bad()` = !(p4d_val & 2) with 4 levels; false when folded. */
export function p4dBad(store: PgtableStore, lo: number): boolean {
  return store.levels === 4 ? (lo & PTE_TABLE_BIT) === 0 : false;
}
/** Kernel: `p4d_present()` = p4d_val != 0 with 4 levels; true when folded. */
export function p4dPresent(store: PgtableStore, lo: number, hi: number): boolean {
  return store.levels === 4 ? lo !== 0 || hi !== 0 : true;
}
/** Kernel: `pgd_none()`: always false (the p4d level is folded into the pgd, pgtable-nop4d.h). */
export const pgdNone = (): boolean => false;

// --- value transforms on a PteVal ----------------------------------------------------------

/** Kernel: `pfn_pte()` (and pfn_pmd/pfn_pud: the same bits). */
export function pfnPte(pfn: number, prot: Pgprot, out: PteVal): PteVal {
  out.lo = ((((pfn & 0xfffff) << 12) | prot.lo) >>> 0);
  out.hi = ((Math.floor(pfn / 1048576) & PTE_ADDR_HI) | prot.hi) >>> 0;
  return out;
}
export const pfnPmd = pfnPte;
/** Kernel: `pmd_mkhuge()`: clear PMD_TABLE_BIT (a block). */
export function pmdMkhuge(p: PteVal): PteVal {
  p.lo = (p.lo & ~PTE_TABLE_BIT) >>> 0;
  return p;
}
/** Kernel: `pte_mkyoung()`. */
export function pteMkyoung(p: PteVal): PteVal {
  p.lo = (p.lo | PTE_AF) >>> 0;
  return p;
}
/** Kernel: `pte_mkold()`. */
export function pteMkold(p: PteVal): PteVal {
  p.lo = (p.lo & ~PTE_AF) >>> 0;
  return p;
}
/** Kernel: `pte_mkdirty()`: PTE_DIRTY, and a writable pte loses PTE_RDONLY (hardware-dirty). */
export function pteMkdirty(p: PteVal): PteVal {
  p.hi = (p.hi | PTE_DIRTY_HI) >>> 0;
  if ((p.hi & PTE_WRITE_HI) !== 0) p.lo = (p.lo & ~PTE_RDONLY) >>> 0;
  return p;
}
/** Kernel: `pte_mkclean()`: clear PTE_DIRTY, set PTE_RDONLY. */
export function pteMkclean(p: PteVal): PteVal {
  p.hi = (p.hi & ~PTE_DIRTY_HI) >>> 0;
  p.lo = (p.lo | PTE_RDONLY) >>> 0;
  return p;
}
/** Kernel: `pte_mkwrite()`: PTE_WRITE, and a software-dirty pte loses PTE_RDONLY. */
export function pteMkwrite(p: PteVal): PteVal {
  p.hi = (p.hi | PTE_WRITE_HI) >>> 0;
  if ((p.hi & PTE_DIRTY_HI) !== 0) p.lo = (p.lo & ~PTE_RDONLY) >>> 0;
  return p;
}
/** Kernel: `pte_wrprotect()`: keep hardware-dirty as PTE_DIRTY, clear PTE_WRITE, set PTE_RDONLY. */
export function pteWrprotect(p: PteVal): PteVal {
  if (pteHwDirty(p.lo, p.hi)) p.hi = (p.hi | PTE_DIRTY_HI) >>> 0;
  p.hi = (p.hi & ~PTE_WRITE_HI) >>> 0;
  p.lo = (p.lo | PTE_RDONLY) >>> 0;
  return p;
}
/**
 * mmsim: makes a user pte executable (clears PTE_UXN). arm64 6.1 has no pte_mkexec(); the
 * kernel sets execute permission through the pgprot (vm_get_page_prot) instead.
 */
export function pteMkexec(p: PteVal): PteVal {
  p.hi = (p.hi & ~PTE_UXN_HI) >>> 0;
  return p;
}
/** Kernel: `pte_mkspecial()`. */
export function pteMkspecial(p: PteVal): PteVal {
  p.hi = (p.hi | PTE_SPECIAL_HI) >>> 0;
  return p;
}
/** Kernel: `pte_mkcont()`. */
export function pteMkcont(p: PteVal): PteVal {
  p.hi = (p.hi | PTE_CONT_HI) >>> 0;
  return p;
}
/** Kernel: `pte_mknoncont()`. */
export function pteMknoncont(p: PteVal): PteVal {
  p.hi = (p.hi & ~PTE_CONT_HI) >>> 0;
  return p;
}
/** Kernel: `pte_mkpresent()` (set PTE_VALID). */
export function pteMkpresent(p: PteVal): PteVal {
  p.lo = (p.lo | PTE_VALID) >>> 0;
  return p;
}
/** Kernel: `pte_mkdevmap()` (PTE_DEVMAP | PTE_SPECIAL). */
export function pteMkdevmap(p: PteVal): PteVal {
  p.hi = (p.hi | PTE_DEVMAP_HI | PTE_SPECIAL_HI) >>> 0;
  return p;
}
/**
 * Replaces the permission bits, keeping the hardware dirty state. Kernel: `pte_modify()`
 * (mask = PTE_USER | PTE_PXN | PTE_UXN | PTE_RDONLY | PTE_PROT_NONE | PTE_VALID | PTE_WRITE | PTE_GP).
 */
export function pteModify(p: PteVal, newprot: Pgprot): PteVal {
  const maskLo = PTE_USER | PTE_RDONLY | PTE_VALID;
  const maskHi = PTE_PXN_HI | PTE_UXN_HI | PTE_PROT_NONE_HI | PTE_WRITE_HI | PTE_GP_HI;
  if (pteHwDirty(p.lo, p.hi)) pteMkdirty(p);
  p.lo = ((p.lo & ~maskLo) | (newprot.lo & maskLo)) >>> 0;
  p.hi = ((p.hi & ~maskHi) | (newprot.hi & maskHi)) >>> 0;
  return p;
}

// --- read-modify-write on entries ----------------------------------------------------------

/** Clears the access flag and returns whether it was set. Kernel: `ptep_test_and_clear_young()`. */
export function ptepTestAndClearYoung(store: PgtableStore, ptep: number): boolean {
  const w = store.entryWord(ptep);
  if (w < 0) return false;
  const lo = store.words[w]!;
  store.words[w] = (lo & ~PTE_AF) >>> 0;
  return (lo & PTE_AF) !== 0;
}
/** Reads and clears an entry. Kernel: `ptep_get_and_clear()`. */
export function ptepGetAndClear(store: PgtableStore, ptep: number, out: PteVal): PteVal {
  ptepGet(store, ptep, out);
  if ((out.lo | out.hi) !== 0) store.write(ptep, 0, 0);
  return out;
}
/** Write-protects an entry in place, keeping hardware dirtiness. Kernel: `ptep_set_wrprotect()`. */
export function ptepSetWrprotect(store: PgtableStore, ptep: number, scratch: PteVal): void {
  ptepGet(store, ptep, scratch);
  pteWrprotect(scratch);
  store.write(ptep, scratch.lo, scratch.hi);
}

// --- swap PTEs (arm64 6.1: __HAVE_ARCH_PTE_SWP_EXCLUSIVE) ----------------------------------
/*
 * A swap PTE is neither none nor present (PTE_VALID and PTE_PROT_NONE clear):
 *   bits 0-1   0 (not valid, not a table)
 *   bit  2     PTE_SWP_EXCLUSIVE: the page was PageAnonExclusive when it was unmapped
 *   bits 3-7   swap type (__SWP_TYPE_SHIFT 3, __SWP_TYPE_BITS 5)
 *   bits 8-57  swap offset (__SWP_OFFSET_SHIFT 8, __SWP_OFFSET_BITS 50)
 *   bit  58    PTE_PROT_NONE (must be 0)
 * The arch-independent entry (core's swpEntry: offset << 5 | type) converts to and from this
 * form by type and offset (swp_entry_to_pte / pte_to_swp_entry); arm64 6.1 has no swap
 * soft-dirty or uffd-wp bits to carry. Entries of the types above MAX_SWAPFILES (migration,
 * hwpoison, swap-in error) use the same encoding.
 */
/** Kernel: `__SWP_TYPE_SHIFT`. */
export const __SWP_TYPE_SHIFT = 3;
/** Kernel: `__SWP_TYPE_BITS`. */
export const __SWP_TYPE_BITS = 5;
/** Kernel: `__SWP_OFFSET_SHIFT` (= __SWP_TYPE_BITS + __SWP_TYPE_SHIFT). */
export const __SWP_OFFSET_SHIFT = 8;
/** Kernel: `__SWP_OFFSET_BITS`. */
export const __SWP_OFFSET_BITS = 50;

const SWP_TYPE_MASK = (1 << __SWP_TYPE_BITS) - 1;
/** Offset bits held in the low word (bits 8-31). */
const SWP_OFFSET_LO_BITS = 32 - __SWP_OFFSET_SHIFT;
const SWP_OFFSET_LO_SPAN = 2 ** SWP_OFFSET_LO_BITS;
/** Offset bits held in the high word (bits 32-57). */
const SWP_OFFSET_HI_MASK = 2 ** (__SWP_OFFSET_BITS - SWP_OFFSET_LO_BITS) - 1;

/** Kernel: `is_swap_pte()` = !pte_none && !pte_present. */
export const isSwapPte = (lo: number, hi: number): boolean => (lo & PTE_VALID) === 0 && (hi & PTE_PROT_NONE_HI) === 0 && (lo !== 0 || hi !== 0);
/** Kernel: `pte_swp_exclusive()`. */
export const pteSwpExclusive = (lo: number): boolean => (lo & PTE_SWP_EXCLUSIVE) !== 0;
/** Kernel: `pte_swp_mkexclusive()`. */
export function pteSwpMkexclusive(p: PteVal): PteVal {
  p.lo = (p.lo | PTE_SWP_EXCLUSIVE) >>> 0;
  return p;
}
/** Kernel: `pte_swp_clear_exclusive()`. */
export function pteSwpClearExclusive(p: PteVal): PteVal {
  p.lo = (p.lo & ~PTE_SWP_EXCLUSIVE) >>> 0;
  return p;
}

/**
 * The swap PTE of `entry` (core's packing), with PTE_SWP_EXCLUSIVE when `exclusive`. Kernel:
 * `swp_entry_to_pte()` (+ `pte_swp_mkexclusive()`), `__swp_entry()`.
 */
export function mkSwapPte(entry: number, exclusive: boolean, out: PteVal): PteVal {
  const type = swpType(entry);
  const offset = swpOffset(entry);
  out.lo = ((type << __SWP_TYPE_SHIFT) | ((offset % SWP_OFFSET_LO_SPAN) << __SWP_OFFSET_SHIFT) | (exclusive ? PTE_SWP_EXCLUSIVE : 0)) >>> 0;
  out.hi = Math.floor(offset / SWP_OFFSET_LO_SPAN) & SWP_OFFSET_HI_MASK;
  return out;
}
/** Kernel: `__swp_type(__pte_to_swp_entry(pte))`. */
export const pteSwpType = (lo: number): number => (lo >>> __SWP_TYPE_SHIFT) & SWP_TYPE_MASK;
/** Kernel: `__swp_offset(__pte_to_swp_entry(pte))` (exact up to 2^53). */
export const pteSwpOffset = (lo: number, hi: number): number => (hi & SWP_OFFSET_HI_MASK) * SWP_OFFSET_LO_SPAN + (lo >>> __SWP_OFFSET_SHIFT);
/**
 * The arch-independent entry of a swap PTE (core's packing: offset << 5 | type; the exclusive
 * marker is not part of it). Kernel: `pte_to_swp_entry()`.
 */
export function pteToSwpEntry(lo: number, hi: number): number {
  return swpEntry(pteSwpType(lo), pteSwpOffset(lo, hi));
}
