// Kernel: mm/memory.c (__pte_alloc, __pte_alloc_kernel, __pud_alloc, __pmd_alloc, pmd_install, free_pgd_range), include/linux/mm.h (pud_alloc, pmd_alloc, pte_alloc, mm_inc_nr_ptes) (v6.1) — filling and tearing down an mm's tables
/*
 * Tables are filled on demand: the fault path walks pgd → p4d → pud → pmd → pte and allocates
 * each missing level (p4d_alloc/pud_alloc/pmd_alloc/pte_alloc), then installs it with the
 * arch's *_populate(). Each mm counts its table bytes in mm->pgtables_bytes (VmPTE in
 * /proc/PID/status): PTRS_PER_PTE × 8 per PTE table (mm_inc_nr_ptes), PTRS_PER_PMD × 8 per PMD
 * table (mm_inc_nr_pmds), PTRS_PER_PUD × 8 per PUD table with 4 levels (mm_inc_nr_puds); the
 * pgd itself is not counted.
 *
 * Locks are not simulated (one simulated CPU runs at a time), so the "another thread populated
 * it meanwhile" branches of __pmd_alloc() and friends cannot happen; they are kept for
 * fidelity. TLB shootdown after free_pgd_range() (tlb_finish_mmu) is the caller's business.
 */
import { ArgumentError, ENOMEM, MmBugError, describeValue } from "@mmsim/core";
import {
  P4D_TYPE_TABLE, PMD_SIZE, PMD_TYPE_TABLE, PUD_TYPE_TABLE, TABLE_PXN_HI, TABLE_UXN_HI, descOutputAddress,
} from "./pgtable-hwdef.ts";
import {
  NULL_ENTRY, p4dOffset, pgdAddrEnd, pgdOffsetPgd, pmdAddrEnd, pmdOffset, pteOffsetKernel, pudAddrEnd, pudOffset,
} from "./pgtable.ts";
import type { PgtableAllocator } from "./pgalloc.ts";
import type { PgtableStore } from "./pgtable-store.ts";
import type { Va } from "./va.ts";

/** The page-table part of an mm_struct. */
export class MmPgtables {
  /** mm->pgtables_bytes. Kernel: `mm_pgtables_bytes()`. */
  pgtablesBytes = 0;
  /**
   * @param pgd physical address of the top table (mm->pgd)
   * @param isInitMm true for init_mm (kernel tables: populate with UXNTable, GFP without __GFP_ACCOUNT)
   */
  constructor(
    public pgd: number,
    readonly isInitMm = false,
  ) {}
}

/** Allocates a process's top table. Kernel: `mm_alloc_pgd()` → `pgd_alloc()`. @returns the mm, or null on -ENOMEM */
export function mmAllocPgd(alloc: PgtableAllocator): MmPgtables | null {
  const pgd = alloc.pgdAlloc();
  return pgd === NULL_ENTRY ? null : new MmPgtables(pgd);
}

/** Kernel: `mm_free_pgd()` → `pgd_free()`. */
export function mmFreePgd(alloc: PgtableAllocator, mm: MmPgtables): void {
  alloc.pgdFree(mm.pgd);
  mm.pgd = NULL_ENTRY;
}

const wordsOf = (store: PgtableStore, entry: number) => store.entryWord(entry);

function entryNone(store: PgtableStore, entry: number): boolean {
  const w = wordsOf(store, entry);
  return w < 0 || (store.words[w] === 0 && store.words[w + 1] === 0);
}

/** Kernel: `pmd_populate()` (user: PMD_TABLE_PXN) / `pmd_populate_kernel()` (PMD_TABLE_UXN). */
export function pmdPopulate(store: PgtableStore, mm: MmPgtables, pmdp: number, ptePa: number): void {
  populate(store, pmdp, ptePa, PMD_TYPE_TABLE, mm.isInitMm ? TABLE_UXN_HI : TABLE_PXN_HI);
}
/** Kernel: `pud_populate()`: PUD_TABLE_UXN for init_mm, PUD_TABLE_PXN otherwise. */
export function pudPopulate(store: PgtableStore, mm: MmPgtables, pudp: number, pmdPa: number): void {
  populate(store, pudp, pmdPa, PUD_TYPE_TABLE, mm.isInitMm ? TABLE_UXN_HI : TABLE_PXN_HI);
}
/** Kernel: `p4d_populate()` (4 levels; a no-op when the pud is folded). */
export function p4dPopulate(store: PgtableStore, mm: MmPgtables, p4dp: number, pudPa: number): void {
  if (store.levels === 4) populate(store, p4dp, pudPa, P4D_TYPE_TABLE, mm.isInitMm ? TABLE_UXN_HI : TABLE_PXN_HI);
}
/** Kernel: `__pmd_populate()` / `__pud_populate()` / `__p4d_populate()`: table address | prot. */
export function populate(store: PgtableStore, entry: number, tablePa: number, protLo: number, protHi: number): void {
  store.write(entry, ((tablePa % 4294967296) | protLo) >>> 0, (Math.floor(tablePa / 4294967296) | protHi) >>> 0);
}

const ptesBytes = 512 * 8;

/**
 * Installs a new PTE table unless the pmd was populated meanwhile. Kernel: `pmd_install()`.
 * @returns true when the table was used (the caller frees it otherwise)
 */
export function pmdInstall(store: PgtableStore, mm: MmPgtables, pmdp: number, ptePa: number): boolean {
  if (entryNone(store, pmdp)) {
    mm.pgtablesBytes += ptesBytes; // mm_inc_nr_ptes()
    pmdPopulate(store, mm, pmdp, ptePa);
    return true;
  }
  return false;
}

/** Kernel: `__pte_alloc()`. @returns 0 or -ENOMEM */
export function __pteAlloc(alloc: PgtableAllocator, mm: MmPgtables, pmdp: number): number {
  const pte = alloc.pteAllocOne();
  if (pte === NULL_ENTRY) return -ENOMEM;
  if (!pmdInstall(alloc.store, mm, pmdp, pte)) alloc.pteFree(pte);
  return 0;
}

/** Kernel: `__pte_alloc_kernel()` (init_mm; no ctor, not in pgtables_bytes). @returns 0 or -ENOMEM */
export function __pteAllocKernel(alloc: PgtableAllocator, pmdp: number): number {
  const pte = alloc.pteAllocOneKernel();
  if (pte === NULL_ENTRY) return -ENOMEM;
  if (entryNone(alloc.store, pmdp)) populate(alloc.store, pmdp, pte, PMD_TYPE_TABLE, TABLE_UXN_HI); // pmd_populate_kernel
  else alloc.pteFreeKernel(pte);
  return 0;
}

/** Kernel: `__pud_alloc()`. @returns 0 or -ENOMEM */
export function __pudAlloc(alloc: PgtableAllocator, mm: MmPgtables, p4dp: number): number {
  const pud = alloc.pudAllocOne(mm.isInitMm);
  if (pud === NULL_ENTRY) return -ENOMEM;
  if (entryNone(alloc.store, p4dp)) {
    mm.pgtablesBytes += 512 * 8; // mm_inc_nr_puds()
    p4dPopulate(alloc.store, mm, p4dp, pud);
  } else alloc.pudFree(pud);
  return 0;
}

/** Kernel: `__pmd_alloc()`. @returns 0 or -ENOMEM */
export function __pmdAlloc(alloc: PgtableAllocator, mm: MmPgtables, pudp: number): number {
  const pmd = alloc.pmdAllocOne(mm.isInitMm);
  if (pmd === NULL_ENTRY) return -ENOMEM;
  if (entryNone(alloc.store, pudp)) {
    mm.pgtablesBytes += 512 * 8; // mm_inc_nr_pmds()
    pudPopulate(alloc.store, mm, pudp, pmd);
  } else alloc.pmdFree(pmd);
  return 0;
}

/** Kernel: `p4d_alloc()`: the p4d is folded, so the pgd entry. */
export function p4dAlloc(_alloc: PgtableAllocator, _mm: MmPgtables, pgdp: number): number {
  return pgdp;
}
/** Kernel: `pud_alloc()`. @returns the pud entry for va, or NULL_ENTRY on -ENOMEM */
export function pudAlloc(alloc: PgtableAllocator, mm: MmPgtables, p4dp: number, va: Va): number {
  const store = alloc.store;
  if (store.levels === 4 && entryNone(store, p4dp) && __pudAlloc(alloc, mm, p4dp) !== 0) return NULL_ENTRY;
  return pudOffset(store, p4dp, va);
}
/** Kernel: `pmd_alloc()`. @returns the pmd entry for va, or NULL_ENTRY on -ENOMEM */
export function pmdAlloc(alloc: PgtableAllocator, mm: MmPgtables, pudp: number, va: Va): number {
  if (entryNone(alloc.store, pudp) && __pmdAlloc(alloc, mm, pudp) !== 0) return NULL_ENTRY;
  return pmdOffset(alloc.store, pudp, va);
}
/** Kernel: `pte_alloc()`. @returns true on failure (as the kernel macro: nonzero = -ENOMEM) */
export function pteAlloc(alloc: PgtableAllocator, mm: MmPgtables, pmdp: number): boolean {
  return entryNone(alloc.store, pmdp) && __pteAlloc(alloc, mm, pmdp) !== 0;
}
/** Kernel: `pte_alloc_kernel()`. @returns the pte entry for va, or NULL_ENTRY on -ENOMEM */
export function pteAllocKernel(alloc: PgtableAllocator, pmdp: number, va: Va): number {
  if (entryNone(alloc.store, pmdp) && __pteAllocKernel(alloc, pmdp) !== 0) return NULL_ENTRY;
  return pteOffsetKernel(alloc.store, pmdp, va);
}

/**
 * The pmd entry for va, allocating pud and pmd tables as needed. Kernel: `walk_to_pmd()`.
 * @returns NULL_ENTRY on -ENOMEM
 */
export function walkToPmd(alloc: PgtableAllocator, mm: MmPgtables, va: Va): number {
  const pgdp = pgdOffsetPgd(alloc.store, mm.pgd, va);
  const p4dp = p4dAlloc(alloc, mm, pgdp);
  const pudp = pudAlloc(alloc, mm, p4dp, va);
  if (pudp === NULL_ENTRY) return NULL_ENTRY;
  return pmdAlloc(alloc, mm, pudp, va);
}

/**
 * The pte entry for va, allocating every missing level (what the fault path and
 * insert_page() do). Locks are not simulated. Kernel: `get_locked_pte()` → `__get_locked_pte()`.
 * @returns NULL_ENTRY on -ENOMEM
 * @throws MmBugError when va is mapped by a block at the pmd level (the caller must split it first)
 */
export function getLockedPte(alloc: PgtableAllocator, mm: MmPgtables, va: Va): number {
  const pmdp = walkToPmd(alloc, mm, va);
  if (pmdp === NULL_ENTRY) return NULL_ENTRY;
  const lo = alloc.store.readLo(pmdp);
  if ((lo & 3) === 1) throw new MmBugError("hw-arm64.getLockedPte", `0x${va.toString(16)} is mapped by a PMD block`);
  if (pteAlloc(alloc, mm, pmdp)) return NULL_ENTRY;
  return pteOffsetKernel(alloc.store, pmdp, va);
}

// ---------------------------------------------------------------------------------------------
// free_pgd_range()
// ---------------------------------------------------------------------------------------------

const PUD_MASK_SIZE = 2 ** 30;
const PGDIR_SIZE_4L = 2 ** 39;

/** Rounds down to a multiple of size (addresses here are user addresses: non-negative). */
const down = (x: number, size: number): number => Math.floor(x / size) * size;
/** The kernel's `end - 1 > ceiling - 1` on u64, where ceiling 0 means the top of the address space. */
const beyond = (end: number, ceiling: number): boolean => ceiling !== 0 && end - 1 > ceiling - 1;

/** Kernel: `free_pte_range()`: clear the pmd, free the PTE table (pte_free_tlb), mm_dec_nr_ptes. */
function freePteRange(alloc: PgtableAllocator, mm: MmPgtables, pmdp: number): void {
  const store = alloc.store;
  const table = descOutputAddress(store.readLo(pmdp), store.readHi(pmdp));
  store.write(pmdp, 0, 0);
  alloc.pteFree(table);
  mm.pgtablesBytes -= ptesBytes;
}

function freePmdRange(alloc: PgtableAllocator, mm: MmPgtables, pudp: number, addr: number, end: number, floor: number, ceiling: number): void {
  const store = alloc.store;
  let start = addr;
  let a = addr;
  do {
    const next = pmdAddrEnd(a, end);
    const pmdp = pmdOffset(store, pudp, a);
    if (!noneOrClearBad(store, pmdp)) freePteRange(alloc, mm, pmdp);
    a = next;
  } while (a !== end);
  start = down(start, PUD_MASK_SIZE);
  if (start < floor) return;
  if (ceiling !== 0) {
    ceiling = down(ceiling, PUD_MASK_SIZE);
    if (ceiling === 0) return;
  }
  if (beyond(end, ceiling)) return;
  const pmdTable = descOutputAddress(store.readLo(pudp), store.readHi(pudp));
  store.write(pudp, 0, 0); // pud_clear
  alloc.pmdFree(pmdTable); // pmd_free_tlb
  mm.pgtablesBytes -= 512 * 8; // mm_dec_nr_pmds
}

function freePudRange(alloc: PgtableAllocator, mm: MmPgtables, p4dp: number, addr: number, end: number, floor: number, ceiling: number): void {
  const store = alloc.store;
  let start = addr;
  let a = addr;
  do {
    const next = pudAddrEnd(a, end);
    const pudp = pudOffset(store, p4dp, a);
    if (!noneOrClearBad(store, pudp)) freePmdRange(alloc, mm, pudp, a, next, floor, ceiling);
    a = next;
  } while (a !== end);
  if (store.levels === 3) return; // the pud is folded: nothing to free at this level
  start = down(start, PGDIR_SIZE_4L); // P4D_MASK = PGDIR_MASK (p4d folded)
  if (start < floor) return;
  if (ceiling !== 0) {
    ceiling = down(ceiling, PGDIR_SIZE_4L);
    if (ceiling === 0) return;
  }
  if (beyond(end, ceiling)) return;
  const pudTable = descOutputAddress(store.readLo(p4dp), store.readHi(p4dp));
  store.write(p4dp, 0, 0); // p4d_clear
  alloc.pudFree(pudTable); // pud_free_tlb
  mm.pgtablesBytes -= 512 * 8; // mm_dec_nr_puds
}

/** Kernel: `pmd_none_or_clear_bad()` and friends: true for none; a bad entry is reported and cleared. */
function noneOrClearBad(store: PgtableStore, entry: number): boolean {
  const lo = store.readLo(entry);
  const hi = store.readHi(entry);
  if (lo === 0 && hi === 0) return true;
  if ((lo & 3) !== 3) {
    // pmd_clear_bad(): pmd_ERROR() then pmd_clear().
    store.write(entry, 0, 0);
    return true;
  }
  return false;
}

/**
 * Frees the page tables that map only user addresses in [addr, end), keeping any table that
 * also serves [floor, addr) or [end, ceiling) (neighbouring VMAs). The PTEs must already be
 * zapped. Kernel: `free_pgd_range()` (and free_p4d/pud/pmd/pte_range).
 * @param ceiling 0 means the top of the user address space
 * @throws ArgumentError for a range outside user space
 */
export function freePgdRange(alloc: PgtableAllocator, mm: MmPgtables, addr: Va, end: Va, floor: Va, ceiling: Va): void {
  const store = alloc.store;
  const top = 2 ** store.vaBits;
  for (const [name, v] of [["addr", addr], ["end", end], ["floor", floor], ["ceiling", ceiling]] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || v > top) throw new ArgumentError("hw-arm64.freePgdRange", name, `a user address in [0, 2^${store.vaBits}]`, describeValue(v));
  }
  addr = down(addr, PMD_SIZE);
  if (addr < floor) {
    addr += PMD_SIZE;
    if (addr === 0) return;
  }
  if (ceiling !== 0) {
    ceiling = down(ceiling, PMD_SIZE);
    if (ceiling === 0) return;
  }
  if (beyond(end, ceiling)) end -= PMD_SIZE;
  if (addr > end - 1) return;
  let a = addr;
  do {
    const next = pgdAddrEnd(store, a, end);
    const pgdp = pgdOffsetPgd(store, mm.pgd, a);
    const p4dp = p4dOffset(store, pgdp, a);
    // free_p4d_range(): the p4d is folded; p4d_none_or_clear_bad() reads the pgd entry.
    if (!noneOrClearBad(store, p4dp)) freePudRange(alloc, mm, p4dp, a, next, floor, ceiling);
    a = next;
  } while (a !== end);
}
