// Kernel: mm/vmalloc.c (vmap_small_pages_range_noflush, vmap_pages_{p4d,pud,pmd,pte}_range, vmap_range_noflush, vmap_{p4d,pud,pmd,pte}_range, vmap_try_huge_pud/pmd, __vunmap_range_noflush, vunmap_{p4d,pud,pmd,pte}_range) (v6.1) — the page-table walks of vmap and vunmap over init_mm's tables
/*
 * The level-by-level walks mm/vmalloc.c does over init_mm's tables, on @mmsim/hw-arm64's
 * PgtableStore (Arm64VmapPageTables, arm64-page-tables.ts, is the VmapPageTables face of them):
 *
 *   vmap_small_pages_range_noflush  pgd → p4d (folded) → pud_alloc → pmd_alloc →
 *                                   pte_alloc_kernel, one PTE per page; WARN_ON(!pte_none) →
 *                                   -EBUSY, which every level above turns into -ENOMEM (6.1)
 *   vmap_range_noflush              the same with a physical range; at each pud and pmd
 *                                   vmap_try_huge_pud/pmd puts a block when the range covers
 *                                   the whole entry, VA and PA are aligned to it, the block size
 *                                   is ≤ max_page_shift and the arch allows it (replacing a
 *                                   table left by earlier small mappings: pud_free_pmd_page /
 *                                   pmd_free_pte_page); BUG_ON(!pte_none) is an MmBugError
 *   __vunmap_range_noflush          pud/pmd_clear_huge for blocks, ptep_get_and_clear for PTEs,
 *                                   pXd_none_or_clear_bad on the way; no table is freed
 *
 * Not modelled: the pgtbl_mod_mask tracking (arm64's ARCH_PAGE_TABLE_SYNC_MASK is 0, so
 * arch_sync_kernel_mappings() never runs), KMSAN, cond_resched(). arch_vmap_p4d_supported() is
 * false on arm64 (the p4d is folded) and arch_vmap_pte_range_map_size() is PAGE_SIZE in 6.1.
 *
 * Hot file: no allocation per call; the walk's state (the pgprot, the counters) lives in a
 * VmapPgtableCursor owned by the caller. The walks move through the tables by *word index*
 * into `store.words` (slot × 1024 + entry × 2) rather than by entry address: every value is a
 * small integer, so nothing is boxed when a helper returns. The offset helpers (pud_offset,
 * pmd_offset, pte_offset_kernel) become "slot of the table the descriptor points to, + index";
 * the entry's physical address (the kernel's pXd_t pointer) is recomputed only to call
 * hw-arm64's pud_alloc / pmd_alloc / pte_alloc_kernel — when the entry is none, exactly when
 * the kernel's macros call __pud_alloc / __pmd_alloc / __pte_alloc_kernel — and its huge-vmap
 * helpers. The two hot walks (small-page vmap, vunmap) nest their levels' loops in one
 * function each.
 */
import { ENOMEM, MmBugError, PAGE_SIZE } from "@mmsim/core";
import {
  PMD_SHIFT, PMD_SIZE, PUD_SHIFT, PUD_SIZE, formatVa0x, pmdAlloc, pmdFreePtePage, pmdSetHuge, pteAllocKernel, pudAlloc,
  pudFreePmdPage, pudSetHuge,
} from "@mmsim/hw-arm64";
import type { KernelPgtableFlusher, MmPgtables, PgtableAllocator, PgtableStore, Pgprot, Va } from "@mmsim/hw-arm64";

const SITE = "vmalloc.vmap-pgtable";
const TWO20 = 1048576;
const TWO32 = 4294967296;
const INV_PAGE = 1 / PAGE_SIZE;
const INV_PMD = 1 / PMD_SIZE;
const INV_PUD = 1 / PUD_SIZE;
/** PGDIR_SIZE with 4 levels (512 GiB); with 3 levels a pgd entry maps PUD_SIZE. */
const PGDIR_SIZE_4L = 2 ** 39;
const INV_PGDIR_4L = 2 ** -39;

/** The state of one walk and its context (set by the owner before a walk). */
export class VmapPgtableCursor {
  store!: PgtableStore;
  alloc!: PgtableAllocator;
  /** init_mm (its pgd = store.swapperPgDir). */
  initMm!: MmPgtables;
  /** __flush_tlb_kernel_pgtable() for pmd_free_pte_page / pud_free_pmd_page. */
  flusher!: KernelPgtableFlusher;
  /** The pgprot of the current walk, and its two words. */
  prot!: Pgprot;
  protLo = 0;
  protHi = 0;
  /** arch_vmap_pmd_supported() / arch_vmap_pud_supported(). */
  archVmapPmdSupported = true;
  archVmapPudSupported = true;
  /** WARN_ONs hit (a page mapped twice, a NULL page, a bad entry cleared) and the last one's text. */
  warnings = 0;
  lastWarning = "";
  /** Blocks vmap_try_huge_pmd/pud wrote, and tables they freed to make room. */
  pmdBlocks = 0;
  pudBlocks = 0;
  tablesFreedForBlocks = 0;
}

function warn(c: VmapPgtableCursor, text: string): void {
  c.warnings++;
  c.lastWarning = text;
}

/** A live block where a table is needed: the range is mapped twice (the kernel would corrupt memory). */
function blockInTheWay(what: string, addr: Va): number {
  throw new MmBugError(SITE, "a " + what + " block maps " + formatVa0x(addr) + " already: mapping over a live huge mapping");
}

function notATable(what: string, addr: Va): number {
  throw new MmBugError(SITE, "the " + what + " entry for " + formatVa0x(addr) + " points at a frame that holds no page table");
}

// --- table steps shared by the walks ------------------------------------------------------------

/** No entry: an allocation failed (the kernel's NULL from pXd_alloc), or nothing below an entry. */
const NO_WORD = -1;

/** Index of addr's entry in a table whose entries map 2^shift bytes (pgd/pud/pmd/pte_index()). */
function index(addr: Va, inv: number): number {
  return Math.floor(addr * inv) & 511;
}

/** Word index of entry `idx` of the table in frame `pfn`, or -1 when that frame holds no table. */
function tableWord(store: PgtableStore, pfn: number, idx: number): number {
  const i = pfn - store.basePfn;
  if (i < 0 || i >= store.nrPages) return -1;
  const s = store.slotOf[i]!;
  return s < 0 ? -1 : (s << 10) + (idx << 1);
}

/** The physical address of the entry at word w (the kernel's pXd_t pointer). */
function entryPa(store: PgtableStore, w: number): number {
  return store.pfnOfSlot[w >> 10]! * PAGE_SIZE + (w & 1023) * 4;
}

/** Frame of the table a table descriptor points to (descOutputAddress() >> PAGE_SHIFT). */
function nextPfn(lo: number, hi: number): number {
  return (hi & 0xffff) * TWO20 + (lo >>> 12);
}

/** Kernel: `pXd_addr_end()`: the next `size` boundary above addr, or end (0 = the top of the address space). */
function addrEnd(addr: Va, end: Va, size: number, inv: number): Va {
  const boundary = (Math.floor(addr * inv) + 1) * size;
  return end === 0 || boundary < end ? boundary : end;
}

/** Word of addr's entry in swapper_pg_dir. Kernel: `pgd_offset_k()`. */
function pgdOffsetK(c: VmapPgtableCursor, addr: Va): number {
  const store = c.store;
  const w = tableWord(store, Math.floor(store.swapperPgDir * INV_PAGE), index(addr, store.levels === 4 ? INV_PGDIR_4L : INV_PUD));
  return w < 0 ? notATable("init_mm.pgd", addr) : w;
}

/**
 * Word of the pud entry for addr under the p4d entry at word wP4d, allocating the pud table
 * when the p4d is none; with 3 levels the pud is folded: wP4d itself.
 * Kernel: `pud_alloc_track()` → `pud_alloc()`.
 * @returns the word, or NO_WORD on -ENOMEM
 */
function pudAllocK(c: VmapPgtableCursor, wP4d: number, addr: Va): number {
  const store = c.store;
  if (store.levels === 3) return wP4d;
  let lo = store.words[wP4d]!;
  let hi = store.words[wP4d + 1]!;
  if (lo === 0 && hi === 0) {
    if (pudAlloc(c.alloc, c.initMm, entryPa(store, wP4d), addr) < 0) return NO_WORD;
    lo = store.words[wP4d]!;
    hi = store.words[wP4d + 1]!;
  }
  const w = tableWord(store, nextPfn(lo, hi), index(addr, INV_PUD));
  return w < 0 ? notATable("p4d", addr) : w;
}

/**
 * Word of the pmd entry for addr under the pud entry at word wPud, allocating the PMD table
 * when the pud is none. Kernel: `pmd_alloc_track()` → `pmd_alloc()`.
 * @returns the word, or NO_WORD on -ENOMEM
 * @throws MmBugError when a 1 GiB block is in the way (the range is mapped twice)
 */
function pmdAllocK(c: VmapPgtableCursor, wPud: number, addr: Va): number {
  const store = c.store;
  let lo = store.words[wPud]!;
  let hi = store.words[wPud + 1]!;
  if (lo === 0 && hi === 0) {
    if (pmdAlloc(c.alloc, c.initMm, entryPa(store, wPud), addr) < 0) return NO_WORD;
    lo = store.words[wPud]!;
    hi = store.words[wPud + 1]!;
  } else if ((lo & 3) === 1) return blockInTheWay("pud", addr);
  const w = tableWord(store, nextPfn(lo, hi), index(addr, INV_PMD));
  return w < 0 ? notATable("pud", addr) : w;
}

/**
 * Word of the pte entry for addr under the pmd entry at word wPmd, allocating a kernel PTE
 * table when the pmd is none. Kernel: `pte_alloc_kernel_track()`.
 * @returns the word, or NO_WORD on -ENOMEM
 * @throws MmBugError when a 2 MiB block is in the way (the range is mapped twice)
 */
function pteAllocKernelK(c: VmapPgtableCursor, wPmd: number, addr: Va): number {
  const store = c.store;
  let lo = store.words[wPmd]!;
  let hi = store.words[wPmd + 1]!;
  if (lo === 0 && hi === 0) {
    if (pteAllocKernel(c.alloc, entryPa(store, wPmd), addr) < 0) return NO_WORD;
    lo = store.words[wPmd]!;
    hi = store.words[wPmd + 1]!;
  } else if ((lo & 3) === 1) return blockInTheWay("pmd", addr);
  const w = tableWord(store, nextPfn(lo, hi), index(addr, INV_PAGE));
  return w < 0 ? notATable("pmd", addr) : w;
}

// --- vmap_small_pages_range_noflush() --------------------------------------------------------

/**
 * Maps pfns[0..) at [addr, end), one PTE per page. Kernel: `vmap_small_pages_range_noflush()`
 * with, nested in it as loops (one function: the hot path of every vmalloc), the loops of
 * vmap_pages_p4d_range (folded: one p4d per pgd), vmap_pages_pud_range, vmap_pages_pmd_range
 * and vmap_pages_pte_range; `nr` is the kernel's `int *nr`. In 6.1 each level returns -ENOMEM
 * whatever failed below it (the pte level's -EBUSY for a live PTE included), so every failure
 * here is -ENOMEM.
 * @returns 0 or -ENOMEM
 */
export function vmapSmallPagesRangeNoflush(c: VmapPgtableCursor, addr: Va, end: Va, pfns: Int32Array): number {
  const store = c.store;
  const pgdSize = store.levels === 4 ? PGDIR_SIZE_4L : PUD_SIZE;
  const pgdInv = store.levels === 4 ? INV_PGDIR_4L : INV_PUD;
  const protLo = c.protLo;
  const protHi = c.protHi;
  let nr = 0;
  let wPgd = pgdOffsetK(c, addr);
  do {
    const pgdNext = addrEnd(addr, end, pgdSize, pgdInv);
    // vmap_pages_p4d_range() → vmap_pages_pud_range()
    let wPud = pudAllocK(c, wPgd, addr);
    if (wPud === NO_WORD) return -ENOMEM;
    do {
      const pudNext = addrEnd(addr, pgdNext, PUD_SIZE, INV_PUD);
      // vmap_pages_pmd_range()
      let wPmd = pmdAllocK(c, wPud, addr);
      if (wPmd === NO_WORD) return -ENOMEM;
      do {
        const pmdNext = addrEnd(addr, pudNext, PMD_SIZE, INV_PMD);
        // vmap_pages_pte_range()
        let w = pteAllocKernelK(c, wPmd, addr);
        if (w === NO_WORD) return -ENOMEM;
        const words = store.words; // read after the allocation: the pool may have grown
        do {
          if (words[w] !== 0 || words[w + 1] !== 0) {
            warn(c, "WARN_ON(!pte_none(*pte)) in vmap_pages_pte_range: " + formatVa0x(addr) + " is already mapped");
            return -ENOMEM; // -EBUSY, made -ENOMEM by vmap_pages_pmd_range()
          }
          const pfn = pfns[nr]!;
          if (pfn < 0) {
            warn(c, "WARN_ON(!page) in vmap_pages_pte_range: no page for " + formatVa0x(addr));
            return -ENOMEM;
          }
          // set_pte_at(&init_mm, addr, pte, mk_pte(page, prot))
          words[w] = (((pfn & 0xfffff) << 12) | protLo) >>> 0;
          words[w + 1] = ((Math.floor(pfn / TWO20) & 0xffff) | protHi) >>> 0;
          nr++;
          w += 2;
          addr += PAGE_SIZE;
        } while (addr !== pmdNext);
        wPmd += 2;
      } while (addr !== pudNext);
      wPud += 2;
    } while (addr !== pgdNext);
    wPgd += 2;
  } while (addr !== end);
  return 0;
}

// --- vmap_range_noflush() --------------------------------------------------------------------

/**
 * Maps [addr, end) to [phys, …) with blocks up to 2^maxPageShift where they fit.
 * Kernel: `vmap_range_noflush()` (vmap_p4d_range: p4d_alloc_track, folded; vmap_try_huge_p4d()
 * is 0 on arm64).
 * @returns 0 or -ENOMEM
 */
export function vmapRangeNoflush(c: VmapPgtableCursor, addr: Va, end: Va, phys: number, maxPageShift: number): number {
  const store = c.store;
  const pgdSize = store.levels === 4 ? PGDIR_SIZE_4L : PUD_SIZE;
  const pgdInv = store.levels === 4 ? INV_PGDIR_4L : INV_PUD;
  let wPgd = pgdOffsetK(c, addr);
  do {
    const next = addrEnd(addr, end, pgdSize, pgdInv);
    const err = vmapPudRange(c, wPgd, addr, next, phys, maxPageShift);
    if (err !== 0) return err;
    phys += next - addr;
    wPgd += 2;
    addr = next;
  } while (addr !== end);
  return 0;
}

/** Kernel: `vmap_pud_range()`. */
function vmapPudRange(c: VmapPgtableCursor, wP4d: number, addr: Va, end: Va, phys: number, maxPageShift: number): number {
  let wPud = pudAllocK(c, wP4d, addr);
  if (wPud === NO_WORD) return -ENOMEM;
  do {
    const next = addrEnd(addr, end, PUD_SIZE, INV_PUD);
    if (vmapTryHugePud(c, wPud, addr, next, phys, maxPageShift) === 0 && vmapPmdRange(c, wPud, addr, next, phys, maxPageShift) !== 0) return -ENOMEM;
    phys += next - addr;
    wPud += 2;
    addr = next;
  } while (addr !== end);
  return 0;
}

/** Kernel: `vmap_try_huge_pud()`. @returns 1 when a 1 GiB block was written */
function vmapTryHugePud(c: VmapPgtableCursor, wPud: number, addr: Va, end: Va, phys: number, maxPageShift: number): number {
  if (maxPageShift < PUD_SHIFT || !c.archVmapPudSupported) return 0;
  if (end - addr !== PUD_SIZE || addr % PUD_SIZE !== 0 || phys % PUD_SIZE !== 0) return 0;
  const store = c.store;
  const pudp = entryPa(store, wPud);
  const lo = store.words[wPud]!;
  if ((lo & 1) !== 0) { // pud_present(*pud) && !pud_free_pmd_page(pud, addr): never 0 on arm64
    if ((lo & 3) === 3) c.tablesFreedForBlocks++;
    pudFreePmdPage(c.alloc, pudp, addr, c.flusher);
  }
  const r = pudSetHuge(store, pudp, phys, c.prot);
  c.pudBlocks += r;
  return r;
}

/** Kernel: `vmap_pmd_range()`. */
function vmapPmdRange(c: VmapPgtableCursor, wPud: number, addr: Va, end: Va, phys: number, maxPageShift: number): number {
  let wPmd = pmdAllocK(c, wPud, addr);
  if (wPmd === NO_WORD) return -ENOMEM;
  do {
    const next = addrEnd(addr, end, PMD_SIZE, INV_PMD);
    if (vmapTryHugePmd(c, wPmd, addr, next, phys, maxPageShift) === 0 && vmapPteRange(c, wPmd, addr, next, phys) !== 0) return -ENOMEM;
    phys += next - addr;
    wPmd += 2;
    addr = next;
  } while (addr !== end);
  return 0;
}

/** Kernel: `vmap_try_huge_pmd()`. @returns 1 when a 2 MiB block was written */
function vmapTryHugePmd(c: VmapPgtableCursor, wPmd: number, addr: Va, end: Va, phys: number, maxPageShift: number): number {
  if (maxPageShift < PMD_SHIFT || !c.archVmapPmdSupported) return 0;
  if (end - addr !== PMD_SIZE || addr % PMD_SIZE !== 0 || phys % PMD_SIZE !== 0) return 0;
  const store = c.store;
  const pmdp = entryPa(store, wPmd);
  const lo = store.words[wPmd]!;
  if ((lo & 1) !== 0) { // pmd_present(*pmd) && !pmd_free_pte_page(pmd, addr): never 0 on arm64
    if ((lo & 3) === 3) c.tablesFreedForBlocks++;
    pmdFreePtePage(c.alloc, pmdp, addr, c.flusher);
  }
  const r = pmdSetHuge(store, pmdp, phys, c.prot);
  c.pmdBlocks += r;
  return r;
}

/** Kernel: `vmap_pte_range()`: set_pte_at(pfn_pte(pfn, prot)) per page (arch_vmap_pte_range_map_size() is PAGE_SIZE). */
function vmapPteRange(c: VmapPgtableCursor, wPmd: number, addr: Va, end: Va, phys: number): number {
  let w = pteAllocKernelK(c, wPmd, addr);
  if (w === NO_WORD) return -ENOMEM;
  const words = c.store.words;
  let pfn = phys * INV_PAGE;
  const protLo = c.protLo;
  const protHi = c.protHi;
  do {
    if (words[w] !== 0 || words[w + 1] !== 0) {
      throw new MmBugError(SITE, "BUG_ON(!pte_none(*pte)) in vmap_pte_range: " + formatVa0x(addr) + " is already mapped");
    }
    words[w] = (((pfn & 0xfffff) << 12) | protLo) >>> 0;
    words[w + 1] = ((Math.floor(pfn / TWO20) & 0xffff) | protHi) >>> 0;
    pfn++;
    w += 2;
    addr += PAGE_SIZE;
  } while (addr !== end);
  return 0;
}

// --- __vunmap_range_noflush() -----------------------------------------------------------------

/**
 * What pXd_clear_huge() and pXd_none_or_clear_bad() decide about the entry at word w: 0 =
 * nothing below (none; or a block, which pud/pmd_clear_huge() clears when `blocks` — hw-arm64's
 * pudClearHuge/pmdClearHuge, inlined on the word already read; or bad, which pXd_ERROR reports
 * — a warning here — and clears) is NO_WORD; a table descriptor gives the word of addr's entry
 * in the table below.
 */
function clearHugeOrNoneOrBad(c: VmapPgtableCursor, w: number, blocks: boolean, what: string, addr: Va, inv: number): number {
  const words = c.store.words;
  const lo = words[w]!;
  const hi = words[w + 1]!;
  if (lo === 0 && hi === 0) return NO_WORD;
  if ((lo & 3) === 3) {
    const next = tableWord(c.store, nextPfn(lo, hi), index(addr, inv));
    return next < 0 ? notATable(what, addr) : next;
  }
  if (!blocks || (lo & 3) !== 1) warn(c, what + "_bad: entry (0x" + (hi * TWO32 + lo).toString(16) + ") for " + formatVa0x(addr) + " cleared");
  words[w] = 0;
  words[w + 1] = 0;
  return NO_WORD;
}

/**
 * Clears the mappings of [start, end), keeping every table. Kernel: `__vunmap_range_noflush()`
 * with the loops of vunmap_p4d_range (p4d_clear_huge() is 0: folded), vunmap_pud_range
 * (pud_clear_huge, pud_none_or_clear_bad), vunmap_pmd_range (pmd_clear_huge,
 * pmd_none_or_clear_bad) and vunmap_pte_range (ptep_get_and_clear; kernel PTEs are never
 * PROT_NONE, so its WARN cannot fire) nested in it as loops.
 */
export function vunmapRangeNoflush(c: VmapPgtableCursor, start: Va, end: Va): void {
  const store = c.store;
  const fourLevels = store.levels === 4;
  const pgdSize = fourLevels ? PGDIR_SIZE_4L : PUD_SIZE;
  const pgdInv = fourLevels ? INV_PGDIR_4L : INV_PUD;
  let addr = start;
  let wPgd = pgdOffsetK(c, addr);
  do {
    const pgdNext = addrEnd(addr, end, pgdSize, pgdInv);
    // pgd_none_or_clear_bad() is never true (folded). With 4 levels p4d_none_or_clear_bad()
    // reads the pgd entry and pud_offset() follows it; with 3 the pud is folded too and the
    // pud level works on the pgd entry itself.
    let wPud = fourLevels ? clearHugeOrNoneOrBad(c, wPgd, false, "p4d", addr, INV_PUD) : wPgd;
    if (wPud === NO_WORD) addr = pgdNext;
    else {
      do { // vunmap_pud_range()
        const pudNext = addrEnd(addr, pgdNext, PUD_SIZE, INV_PUD);
        let wPmd = clearHugeOrNoneOrBad(c, wPud, true, "pud", addr, INV_PMD);
        if (wPmd === NO_WORD) addr = pudNext;
        else {
          do { // vunmap_pmd_range()
            const pmdNext = addrEnd(addr, pudNext, PMD_SIZE, INV_PMD);
            let w = clearHugeOrNoneOrBad(c, wPmd, true, "pmd", addr, INV_PAGE);
            if (w === NO_WORD) addr = pmdNext;
            else {
              const words = store.words;
              do { // vunmap_pte_range(): ptep_get_and_clear()
                words[w] = 0;
                words[w + 1] = 0;
                w += 2;
                addr += PAGE_SIZE;
              } while (addr !== pmdNext);
            }
            wPmd += 2;
          } while (addr !== pudNext);
        }
        wPud += 2;
      } while (addr !== pgdNext);
    }
    wPgd += 2;
  } while (addr !== end);
}
