// Kernel: arch/arm64/mm/mmu.c (__create_pgd_mapping, alloc_init_pud, alloc_init_cont_pmd, init_pmd, alloc_init_cont_pte, init_pte, pgattr_change_is_safe, pmd_set_huge, pud_set_huge, pmd_clear_huge, pud_clear_huge, pmd_free_pte_page, pud_free_pmd_page, update_mapping_prot) (v6.1) — building kernel mappings
/*
 * __create_pgd_mapping() maps [virt, virt + size) to phys with one pgprot, descending level by
 * level and allocating missing tables through `pgtableAlloc(shift)`:
 *
 *   pud level: a 1 GiB block when virt, next and phys are 1 GiB-aligned and block mappings are
 *              allowed (4 KiB granule only), else a PMD table;
 *   pmd level: in runs of CONT_PMD_SIZE (32 MiB) marked PTE_CONT when aligned and contiguous
 *              mappings are allowed; a 2 MiB block when aligned, else a PTE table;
 *   pte level: in runs of CONT_PTE_SIZE (64 KiB) marked PTE_CONT when aligned.
 *
 * Flags: NO_BLOCK_MAPPINGS (page granularity, as the linear map with rodata=full, or the KFENCE pool),
 * NO_CONT_MAPPINGS (no contiguous hint, for anything whose permissions change later),
 * NO_EXEC_MAPPINGS (table entries get PXNTable: the linear map). New table entries always get
 * UXNTable (kernel mappings are never user-executable).
 *
 * Once an entry is live only its permission bits may change (pgattr_change_is_safe); anything
 * else is a BUG() in the kernel and an MmBugError here.
 *
 * The huge-vmap helpers of CONFIG_HAVE_ARCH_HUGE_VMAP that mm/vmalloc.c calls live here too:
 * pmd_set_huge/pud_set_huge (a block over an empty or permission-compatible entry),
 * pmd_clear_huge/pud_clear_huge (vunmap of a block) and pmd_free_pte_page/pud_free_pmd_page
 * (vmap_try_huge_pmd/pud replacing a kernel table left behind by earlier small mappings by a
 * block: the table is unlinked, the walk caches flushed with __flush_tlb_kernel_pgtable(), and
 * the table freed — pte_free_kernel: not counted; pmd_free: NR_PAGETABLE −1). The kernel maps each table through the
 * fixmap (pte_set_fixmap…); mmsim reads it from the store directly.
 */
import { ArgumentError, MmBugError, describeValue } from "@mmsim/core";
import {
  CONT_PMD_SIZE, CONT_PTE_SIZE, MT_NORMAL, MT_NORMAL_TAGGED, PMD_SIZE, PMD_TYPE_SECT, PMD_TYPE_TABLE, P4D_TYPE_TABLE,
  PTE_ATTRINDX, PTE_ATTRINDX_MASK, PTE_CONT_HI, PTE_NG, PTE_PXN_HI, PTE_RDONLY, PTE_TABLE_BIT, PTE_WRITE_HI, PT_PAGE_SHIFT,
  PMD_SHIFT, PUD_SHIFT, PUD_SIZE, PUD_TYPE_TABLE, TABLE_PXN_HI, TABLE_UXN_HI, descOutputAddress, formatPteval,
} from "./pgtable-hwdef.ts";
import type { Pgprot } from "./pgtable-prot.ts";
import { pgdAddrEnd, pgdOffsetPgd, pmdIndex, pteIndex, pudIndex } from "./pgtable.ts";
import { populate } from "./mm-pgtables.ts";
import type { PgtableAllocator } from "./pgalloc.ts";
import type { PgtableStore } from "./pgtable-store.ts";
import { type Va, formatVa0x } from "./va.ts";

/** Page granularity: no PUD/PMD blocks. Kernel: `NO_BLOCK_MAPPINGS`. */
export const NO_BLOCK_MAPPINGS = 1 << 0;
/** No contiguous hint. Kernel: `NO_CONT_MAPPINGS`. */
export const NO_CONT_MAPPINGS = 1 << 1;
/** New table entries get PXNTable. Kernel: `NO_EXEC_MAPPINGS`. */
export const NO_EXEC_MAPPINGS = 1 << 2;

/**
 * Allocates one zeroed table for entries of 2^shift bytes (PAGE_SHIFT: a PTE table, PMD_SHIFT:
 * a PMD table, PUD_SHIFT: a PUD table), registers it in the store and returns its physical
 * address. Kernel: the `pgtable_alloc` argument (early_pgtable_alloc, pgd_pgtable_alloc).
 */
export type PgtableAllocFn = (shift: number) => number;

/** Level of the tables an allocation of `shift` serves (3 for PAGE_SHIFT, 2 for PMD_SHIFT, 1 for PUD_SHIFT). */
export function levelOfShift(shift: number): number {
  return shift === PT_PAGE_SHIFT ? 3 : shift === PMD_SHIFT ? 2 : shift === PUD_SHIFT ? 1 : 0;
}

const SITE = "hw-arm64.__create_pgd_mapping";
const PAGE = 4096;
const TWO32 = 4294967296;

/**
 * True when replacing descriptor `old` by `new` on a live mapping needs no break-before-make:
 * creating or removing is safe; otherwise only PXN, RDONLY, WRITE and nG may change (nG only
 * to set it), Normal ↔ Normal-Tagged may swap, and contiguous entries may not change at all.
 * Kernel: `pgattr_change_is_safe()`.
 */
export function pgattrChangeIsSafe(oldLo: number, oldHi: number, newLo: number, newHi: number): boolean {
  if ((oldLo === 0 && oldHi === 0) || (newLo === 0 && newHi === 0)) return true;
  if (((oldHi | newHi) & PTE_CONT_HI) !== 0) return false;
  if ((oldLo & ~newLo & PTE_NG) !== 0) return false;
  let maskLo = PTE_RDONLY | PTE_NG;
  const maskHi = PTE_PXN_HI | PTE_WRITE_HI;
  const oa = oldLo & PTE_ATTRINDX_MASK;
  const na = newLo & PTE_ATTRINDX_MASK;
  const normal = (a: number) => a === PTE_ATTRINDX(MT_NORMAL) || a === PTE_ATTRINDX(MT_NORMAL_TAGGED);
  if (normal(oa) && normal(na)) maskLo |= PTE_ATTRINDX_MASK;
  return ((oldLo ^ newLo) & ~maskLo) === 0 && ((oldHi ^ newHi) & ~maskHi) === 0;
}

/** Writes an entry after checking pgattr_change_is_safe (BUG_ON in the kernel). */
function setChecked(store: PgtableStore, entry: number, lo: number, hi: number, what: string, va: Va): void {
  const w = store.entryWord(entry);
  if (w < 0) throw new MmBugError(SITE, `${what} for ${formatVa0x(va)}: 0x${entry.toString(16)} is not in a table`);
  const ol = store.words[w]!;
  const oh = store.words[w + 1]!;
  if (!pgattrChangeIsSafe(ol, oh, lo, hi)) {
    throw new MmBugError(SITE, `${what} for ${formatVa0x(va)}: unsafe change of a live entry ${formatPteval(ol, oh)} → ${formatPteval(lo >>> 0, hi >>> 0)} (pgattr_change_is_safe)`);
  }
  store.words[w] = lo >>> 0;
  store.words[w + 1] = hi >>> 0;
}

/** Kernel: `init_pte()`. */
function initPte(store: PgtableStore, ptep0: number, addr: Va, end: Va, phys: number, protLo: number, protHi: number): void {
  let ptep = ptep0;
  do {
    const pfn = phys / PAGE;
    setChecked(store, ptep, ((pfn & 0xfffff) << 12) | protLo, (Math.floor(pfn / 1048576) & 0xffff) | protHi, "init_pte", addr);
    phys += PAGE;
    ptep += 8;
    addr += PAGE;
  } while (addr !== end);
}

/** Kernel: `alloc_init_cont_pte()`. */
function allocInitContPte(store: PgtableStore, pmdp: number, addr: Va, end: Va, phys: number, prot: Pgprot, alloc: PgtableAllocFn | null, flags: number): void {
  let lo = store.readLo(pmdp);
  let hi = store.readHi(pmdp);
  if ((lo & 3) === PMD_TYPE_SECT) throw new MmBugError(SITE, `BUG_ON(pmd_sect(pmd)) at ${formatVa0x(addr)}: a PMD block is in the way`);
  if (lo === 0 && hi === 0) {
    let tableHi = TABLE_UXN_HI;
    if (flags & NO_EXEC_MAPPINGS) tableHi |= TABLE_PXN_HI;
    if (!alloc) throw new MmBugError(SITE, `BUG_ON(!pgtable_alloc): ${formatVa0x(addr)} needs a PTE table and no allocator was given`);
    const ptePhys = alloc(PT_PAGE_SHIFT);
    populate(store, pmdp, ptePhys, PMD_TYPE_TABLE, tableHi);
    lo = store.readLo(pmdp);
    hi = store.readHi(pmdp);
  }
  if ((lo & 3) !== PMD_TYPE_TABLE) throw new MmBugError(SITE, `BUG_ON(pmd_bad(pmd)) at ${formatVa0x(addr)}`);
  const table = descOutputAddress(lo, hi);
  do {
    const next = Math.min((Math.floor(addr / CONT_PTE_SIZE) + 1) * CONT_PTE_SIZE, end); // pte_cont_addr_end
    let ph = prot.hi;
    if (addr % CONT_PTE_SIZE === 0 && next % CONT_PTE_SIZE === 0 && phys % CONT_PTE_SIZE === 0 && (flags & NO_CONT_MAPPINGS) === 0) ph |= PTE_CONT_HI;
    initPte(store, table + pteIndex(addr) * 8, addr, next, phys, prot.lo, ph);
    phys += next - addr;
    addr = next;
  } while (addr !== end);
}

/** Kernel: `init_pmd()`. */
function initPmd(store: PgtableStore, pmdTable: number, addr: Va, end: Va, phys: number, prot: Pgprot, alloc: PgtableAllocFn | null, flags: number): void {
  let pmdp = pmdTable + pmdIndex(addr) * 8;
  do {
    const next = Math.min((Math.floor(addr / PMD_SIZE) + 1) * PMD_SIZE, end); // pmd_addr_end
    const oldLo = store.readLo(pmdp);
    const oldHi = store.readHi(pmdp);
    if (addr % PMD_SIZE === 0 && next % PMD_SIZE === 0 && phys % PMD_SIZE === 0 && (flags & NO_BLOCK_MAPPINGS) === 0) {
      pmdSetHuge(store, pmdp, phys, prot); // (BUG_ON(!pgattr_change_is_safe(old, *pmdp)) cannot fire: pmd_set_huge only writes safe changes)
    } else {
      allocInitContPte(store, pmdp, addr, next, phys, prot, alloc, flags);
      if ((oldLo !== 0 || oldHi !== 0) && (oldLo !== store.readLo(pmdp) || oldHi !== store.readHi(pmdp))) {
        throw new MmBugError(SITE, `BUG_ON(pmd changed) at ${formatVa0x(addr)}`);
      }
    }
    phys += next - addr;
    addr = next;
    pmdp += 8;
  } while (addr !== end);
}

/** Kernel: `alloc_init_cont_pmd()`. */
function allocInitContPmd(store: PgtableStore, pudp: number, addr: Va, end: Va, phys: number, prot: Pgprot, alloc: PgtableAllocFn | null, flags: number): void {
  let lo = store.readLo(pudp);
  let hi = store.readHi(pudp);
  if ((lo & 3) === PMD_TYPE_SECT) throw new MmBugError(SITE, `BUG_ON(pud_sect(pud)) at ${formatVa0x(addr)}: a PUD block is in the way`);
  if (lo === 0 && hi === 0) {
    let tableHi = TABLE_UXN_HI;
    if (flags & NO_EXEC_MAPPINGS) tableHi |= TABLE_PXN_HI;
    if (!alloc) throw new MmBugError(SITE, `BUG_ON(!pgtable_alloc): ${formatVa0x(addr)} needs a PMD table and no allocator was given`);
    const pmdPhys = alloc(PMD_SHIFT);
    populate(store, pudp, pmdPhys, PUD_TYPE_TABLE, tableHi);
    lo = store.readLo(pudp);
    hi = store.readHi(pudp);
  }
  if ((lo & PTE_TABLE_BIT) === 0) throw new MmBugError(SITE, `BUG_ON(pud_bad(pud)) at ${formatVa0x(addr)}`);
  const table = descOutputAddress(lo, hi);
  do {
    const next = Math.min((Math.floor(addr / CONT_PMD_SIZE) + 1) * CONT_PMD_SIZE, end); // pmd_cont_addr_end
    let p = prot;
    if (addr % CONT_PMD_SIZE === 0 && next % CONT_PMD_SIZE === 0 && phys % CONT_PMD_SIZE === 0 && (flags & NO_CONT_MAPPINGS) === 0) {
      p = { lo: prot.lo, hi: (prot.hi | PTE_CONT_HI) >>> 0 };
    }
    initPmd(store, table, addr, next, phys, p, alloc, flags);
    phys += next - addr;
    addr = next;
  } while (addr !== end);
}

/** Kernel: `alloc_init_pud()`. */
function allocInitPud(store: PgtableStore, pgdp: number, addr: Va, end: Va, phys: number, prot: Pgprot, alloc: PgtableAllocFn | null, flags: number): void {
  let pudTable: number;
  if (store.levels === 4) {
    const p4dp = pgdp; // p4d_offset(): folded
    let lo = store.readLo(p4dp);
    let hi = store.readHi(p4dp);
    if (lo === 0 && hi === 0) {
      let tableHi = TABLE_UXN_HI;
      if (flags & NO_EXEC_MAPPINGS) tableHi |= TABLE_PXN_HI;
      if (!alloc) throw new MmBugError(SITE, `BUG_ON(!pgtable_alloc): ${formatVa0x(addr)} needs a PUD table and no allocator was given`);
      const pudPhys = alloc(PUD_SHIFT);
      populate(store, p4dp, pudPhys, P4D_TYPE_TABLE, tableHi);
      lo = store.readLo(p4dp);
      hi = store.readHi(p4dp);
    }
    if ((lo & PTE_TABLE_BIT) === 0) throw new MmBugError(SITE, `BUG_ON(p4d_bad(p4d)) at ${formatVa0x(addr)}`);
    pudTable = descOutputAddress(lo, hi);
  } else {
    pudTable = -1; // folded: the pgd entry is the pud entry
  }
  let pudp = pudTable < 0 ? pgdp : pudTable + pudIndex(addr) * 8;
  do {
    const next = Math.min((Math.floor(addr / PUD_SIZE) + 1) * PUD_SIZE, end); // pud_addr_end
    const oldLo = store.readLo(pudp);
    const oldHi = store.readHi(pudp);
    // pud_sect_supported(): 4 KiB granule only (always true here).
    if (addr % PUD_SIZE === 0 && next % PUD_SIZE === 0 && phys % PUD_SIZE === 0 && (flags & NO_BLOCK_MAPPINGS) === 0) {
      pudSetHuge(store, pudp, phys, prot);
    } else {
      allocInitContPmd(store, pudp, addr, next, phys, prot, alloc, flags);
      if ((oldLo !== 0 || oldHi !== 0) && (oldLo !== store.readLo(pudp) || oldHi !== store.readHi(pudp))) {
        throw new MmBugError(SITE, `BUG_ON(pud changed) at ${formatVa0x(addr)}`);
      }
    }
    phys += next - addr;
    addr = next;
    pudp += 8;
  } while (addr !== end);
}

/**
 * Maps [virt, virt + size) to phys with `prot`. Kernel: `__create_pgd_mapping()` (→ `__create_pgd_mapping_locked()`).
 * @param alloc allocates missing tables; null when none may be needed (update_mapping_prot)
 * @throws ArgumentError when virt and phys differ within a page (the kernel WARNs and returns),
 *   or the range leaves its half of the address space
 * @throws MmBugError on any BUG_ON of the kernel (unsafe change of a live entry, a block in the way, no allocator)
 */
export function createPgdMapping(store: PgtableStore, pgdir: number, phys: number, virt: Va, size: number, prot: Pgprot, alloc: PgtableAllocFn | null, flags: number): void {
  if (!Number.isSafeInteger(phys) || phys < 0) throw new ArgumentError(SITE, "phys", "a physical address", describeValue(phys));
  if (!Number.isSafeInteger(virt)) throw new ArgumentError(SITE, "virt", "a virtual address (Va)", describeValue(virt));
  if (!Number.isSafeInteger(size) || size <= 0) throw new ArgumentError(SITE, "size", "a positive size", describeValue(size));
  if (((phys - virt) % PAGE + PAGE) % PAGE !== 0) {
    throw new ArgumentError(SITE, "phys", `the same offset within a page as virt ${formatVa0x(virt)} (WARN_ON((phys ^ virt) & ~PAGE_MASK))`, `0x${phys.toString(16)}`);
  }
  phys = Math.floor(phys / PAGE) * PAGE;
  let addr = Math.floor(virt / PAGE) * PAGE;
  const end = Math.ceil((virt + size) / PAGE) * PAGE;
  const half = 2 ** store.vaBits;
  if (addr < 0 ? addr < -half || end > 0 : end > half) {
    throw new ArgumentError(SITE, "virt", `a range inside one TTBR half of a ${store.vaBits}-bit address space`, `${formatVa0x(virt)} + 0x${size.toString(16)}`);
  }
  let pgdp = pgdOffsetPgd(store, pgdir, addr);
  do {
    const next = pgdAddrEnd(store, addr, end);
    allocInitPud(store, pgdp, addr, next, phys, prot, alloc, flags);
    phys += next - addr;
    addr = next;
    pgdp += 8;
  } while (addr !== end);
}

/** Kernel: `mk_pmd_sect_prot()` / `mk_pud_sect_prot()`: a block descriptor's low bits. */
function sectLo(prot: Pgprot): number {
  return (prot.lo & ~PTE_TABLE_BIT) | PMD_TYPE_SECT;
}

/**
 * Maps a 2 MiB block unless that would be an unsafe change of a live entry (a table there, or
 * a different output address): then it changes nothing and returns 0, and init_pmd()'s BUG_ON
 * compares the unchanged entry with itself — the kernel silently keeps the old mapping.
 * Kernel: `pmd_set_huge()`.
 * @returns 1 when the block was written, 0 otherwise
 * @throws ArgumentError when phys is not 2 MiB-aligned (VM_BUG_ON)
 */
export function pmdSetHuge(store: PgtableStore, pmdp: number, phys: number, prot: Pgprot): number {
  if (phys % PMD_SIZE !== 0) throw new ArgumentError("hw-arm64.pmdSetHuge", "phys", "a 2 MiB-aligned physical address (VM_BUG_ON(phys & ~PMD_MASK))", `0x${phys.toString(16)}`);
  return setHuge(store, pmdp, phys, prot);
}

/** Maps a 1 GiB block, as pmd_set_huge(). Kernel: `pud_set_huge()`. @returns 1 or 0 */
export function pudSetHuge(store: PgtableStore, pudp: number, phys: number, prot: Pgprot): number {
  if (phys % PUD_SIZE !== 0) throw new ArgumentError("hw-arm64.pudSetHuge", "phys", "a 1 GiB-aligned physical address (VM_BUG_ON(phys & ~PUD_MASK))", `0x${phys.toString(16)}`);
  return setHuge(store, pudp, phys, prot);
}

function setHuge(store: PgtableStore, entry: number, phys: number, prot: Pgprot): number {
  const w = store.entryWord(entry);
  if (w < 0) throw new MmBugError(SITE, `block entry 0x${entry.toString(16)} is not in a table`);
  const lo = ((phys % TWO32) | sectLo(prot)) >>> 0;
  const hi = (Math.floor(phys / TWO32) | prot.hi) >>> 0;
  if (!pgattrChangeIsSafe(store.words[w]!, store.words[w + 1]!, lo, hi)) return 0;
  store.words[w] = lo;
  store.words[w + 1] = hi;
  return 1;
}

/**
 * Removes a 2 MiB block (vunmap of a huge mapping); anything else is left alone.
 * Kernel: `pmd_clear_huge()`.
 * @returns 1 when a block was cleared, 0 otherwise
 */
export function pmdClearHuge(store: PgtableStore, pmdp: number): number {
  const w = store.entryWord(pmdp);
  if (w < 0 || (store.words[w]! & 3) !== PMD_TYPE_SECT) return 0;
  store.words[w] = 0;
  store.words[w + 1] = 0;
  return 1;
}

/** Removes a 1 GiB block, as pmd_clear_huge(). Kernel: `pud_clear_huge()`. @returns 1 or 0 */
export function pudClearHuge(store: PgtableStore, pudp: number): number {
  return pmdClearHuge(store, pudp);
}

/**
 * What __flush_tlb_kernel_pgtable() reaches: TLBI VAAE1IS of one kernel address (the leaf and
 * any walk-cache entry above it). `TlbDomain` has this method.
 */
export interface KernelPgtableFlusher {
  flushTlbKernelPgtable(kaddr: Va): void;
}

/**
 * Frees the kernel PTE table a pmd entry points to so that a block can take its place: clears
 * the pmd, flushes the walk caches for `addr` (__flush_tlb_kernel_pgtable) and frees the table
 * (pte_free_kernel: no dtor, PageTables unchanged). The table must hold no live PTE (vunmap
 * cleared them; with debugVm the allocator checks). A pmd that is no table is left alone (the
 * kernel's VM_WARN_ON, silent without CONFIG_DEBUG_VM) and 1 returned all the same.
 * Kernel: `pmd_free_pte_page()` (arch/arm64/mm/mmu.c).
 * @returns 1 (the kernel's only answer on arm64)
 */
export function pmdFreePtePage(alloc: PgtableAllocator, pmdp: number, addr: Va, tlb: KernelPgtableFlusher): number {
  const store = alloc.store;
  const w = store.entryWord(pmdp);
  if (w < 0) throw new MmBugError("hw-arm64.pmdFreePtePage", "pmd entry 0x" + pmdp.toString(16) + " is not in a table");
  const lo = store.words[w]!;
  const hi = store.words[w + 1]!;
  if ((lo & 3) !== PMD_TYPE_TABLE) return 1; // VM_WARN_ON(1)
  const table = descOutputAddress(lo, hi); // pte_offset_kernel(pmdp, addr) & PAGE_MASK
  store.words[w] = 0; // pmd_clear
  store.words[w + 1] = 0;
  tlb.flushTlbKernelPgtable(addr);
  alloc.pteFreeKernel(table);
  return 1;
}

/**
 * Frees the kernel PMD table a pud entry points to, and every PTE table below it, so that a
 * 1 GiB block can take its place: pmd_free_pte_page() on each present pmd, pud_clear,
 * __flush_tlb_kernel_pgtable(addr), pmd_free (dtor: NR_PAGETABLE −1). A 2 MiB block left in the
 * PMD table (no caller of 6.1 leaves one: vunmap clears blocks) is cleared with it. Only present
 * pmds are visited, as after the 2025 stable fix that added a pmd_present() check here; 6.1.0
 * visited every pmd and VM_WARN_ON()ed on the none ones, which changes nothing without
 * CONFIG_DEBUG_VM. Kernel: `pud_free_pmd_page()`.
 * @param addr the 1 GiB-aligned address the pud maps
 * @returns 1
 */
export function pudFreePmdPage(alloc: PgtableAllocator, pudp: number, addr: Va, tlb: KernelPgtableFlusher): number {
  const store = alloc.store;
  const w = store.entryWord(pudp);
  if (w < 0) throw new MmBugError("hw-arm64.pudFreePmdPage", "pud entry 0x" + pudp.toString(16) + " is not in a table");
  const lo = store.words[w]!;
  const hi = store.words[w + 1]!;
  if ((lo & 3) !== PMD_TYPE_TABLE) return 1; // VM_WARN_ON(1)
  const table = descOutputAddress(lo, hi);
  let next = addr;
  for (let i = 0; i < 512; i++) {
    const pmdp = table + i * 8;
    const pl = store.readLo(pmdp);
    if ((pl & 1) !== 0) { // pmd_present
      if ((pl & 3) === PMD_TYPE_SECT) store.write(pmdp, 0, 0);
      else pmdFreePtePage(alloc, pmdp, next, tlb);
    }
    next += PMD_SIZE;
  }
  store.words[w] = 0; // pud_clear
  store.words[w + 1] = 0;
  tlb.flushTlbKernelPgtable(addr);
  alloc.pmdFree(table);
  return 1;
}
