// Kernel: mm/vmalloc.c (vmap_pages_range, __vmap_pages_range_noflush, ioremap_page_range, vunmap_range_noflush), mm/vmalloc.c's ioremap_max_page_shift, arch/arm64/include/asm/vmalloc.h (arch_vmap_pud/pmd_supported) (v6.1) — vmalloc's mappings in init_mm's translation tables
/*
 * Arm64VmapPageTables implements VmapPageTables over @mmsim/hw-arm64's tables: every mapping
 * goes into swapper_pg_dir (`store.swapperPgDir`, init_mm.pgd), walked level by level as
 * mm/vmalloc.c of 6.1 walks it (the walks are in vmap-pgtable.ts), with hw-arm64's helpers:
 *
 *  - vmapPagesRange (vmap_pages_range → vmap_pages_range_noflush → __vmap_pages_range_noflush):
 *    PAGE_SHIFT → vmap_small_pages_range_noflush(), one PTE per page; a larger page_shift (a
 *    huge vmalloc: PMD_SHIFT) → vmap_range_noflush() once per 2^page_shift block with
 *    max_page_shift = page_shift, i.e. a PMD block (pmd_set_huge) per 2 MiB.
 *  - ioremapPageRange (ioremap_page_range): vmap_range_noflush() with ioremap_max_page_shift:
 *    PUD and PMD blocks wherever the range covers a whole aligned entry with an aligned PA,
 *    PTEs elsewhere.
 *  - vunmapRangeNoflush (vunmap_range_noflush): clears blocks and PTEs. It frees no table: 6.1
 *    keeps the kernel's page tables for the next mapping of the range (a block mapped there
 *    later frees them: pmd_free_pte_page / pud_free_pmd_page).
 *  - flushTlbKernelRange: the callback given (the machine's `Mmu.flushTlbKernelRange`).
 *
 * Tables come from the PgtableAllocator: pud tables (pud_alloc_one: no ctor), PMD tables
 * (pmd_alloc_one: ctor, NR_PAGETABLE +1) and kernel PTE tables (pte_alloc_one_kernel: no ctor),
 * all GFP_PGTABLE_KERNEL. A failed table allocation returns -ENOMEM and leaves everything
 * mapped so far linked and consistent; vmalloc then unmaps it (vfree/vunmap), as the kernel
 * does. flush_cache_vmap() is a no-op on arm64.
 *
 * A protection id of page-tables.ts becomes the arm64 pgprot of hw-arm64's pgtable-prot.ts
 * (`VMAP_PGPROTS`: PAGE_KERNEL = 0x0068000000000703, PROT_DEVICE_nGnRE = 0x0068000000000713, …).
 * Warnings the kernel prints with WARN_ON (a page mapped twice, a NULL page, a bad pmd) are
 * counted in `warnings` (`lastWarning` keeps the text): this class has no KernelLog.
 */
import { ArgumentError, MmBugError, PAGE_SHIFT, PAGE_SIZE } from "@mmsim/core";
import {
  MmPgtables, PAGE_KERNEL as PGPROT_KERNEL, PAGE_KERNEL_EXEC as PGPROT_KERNEL_EXEC, PAGE_KERNEL_RO as PGPROT_KERNEL_RO,
  PAGE_KERNEL_ROX as PGPROT_KERNEL_ROX, PROT_DEVICE_nGnRE as PGPROT_DEVICE_nGnRE, PROT_DEVICE_nGnRnE as PGPROT_DEVICE_nGnRnE,
  PROT_NORMAL_NC as PGPROT_NORMAL_NC, PUD_SHIFT, formatVa0x,
} from "@mmsim/hw-arm64";
import type { KernelPgtableFlusher, PgtableAllocator, PgtableStore, Pgprot, Va } from "@mmsim/hw-arm64";
import { NR_VMAP_PROTS } from "./page-tables.ts";
import type { VmapPageTables } from "./page-tables.ts";
import { VmapPgtableCursor, vmapRangeNoflush, vmapSmallPagesRangeNoflush, vunmapRangeNoflush } from "./vmap-pgtable.ts";

const SITE = "vmalloc.Arm64VmapPageTables";
const INV_PAGE = 1 / PAGE_SIZE;

/** The arm64 pgprot of each protection id of page-tables.ts (PAGE_KERNEL … PROT_NORMAL_NC, in id order). */
export const VMAP_PGPROTS: readonly Pgprot[] = Object.freeze([
  PGPROT_KERNEL, PGPROT_KERNEL_RO, PGPROT_KERNEL_ROX, PGPROT_KERNEL_EXEC, PGPROT_DEVICE_nGnRE, PGPROT_DEVICE_nGnRnE, PGPROT_NORMAL_NC,
]);

/**
 * init_mm's translation tables behind vmalloc, vmap and ioremap (see the file comment).
 * Register it as the machine's `VmapPageTables`.
 */
export class Arm64VmapPageTables implements VmapPageTables, KernelPgtableFlusher {
  /**
   * ioremap_max_page_shift: the largest block ioremap_page_range() may use (BITS_PER_LONG − 1:
   * any; the `nohugeiomap` boot option sets PAGE_SHIFT). Kernel: `ioremap_max_page_shift`.
   */
  ioremapMaxPageShift = 63;
  /**
   * Where __flush_tlb_kernel_pgtable() goes when a block replaces a table (TLBI VAAE1IS: give
   * it the machine's `Mmu.tlbi`). When null, one page of flushTlbKernelRange() stands in for it
   * (the same TLB entries: mmsim's TLBs have no walk cache).
   */
  kernelPgtableFlusher: KernelPgtableFlusher | null = null;
  /** init_mm's table bookkeeping (pgtables_bytes); its pgd is store.swapperPgDir. */
  readonly initMm: MmPgtables;
  /** Calls, for tests and statistics. */
  vmapCalls = 0;
  ioremapCalls = 0;
  unmapCalls = 0;
  flushCalls = 0;
  /** The walks' state and counters (vmap-pgtable.ts). */
  private readonly c = new VmapPgtableCursor();
  private readonly flush: (start: Va, end: Va) => void;
  /** -2^VA_BITS: the lowest kernel address. */
  private readonly lowest: number;

  /**
   * @param store the machine's tables; `store.swapperPgDir` must be set (pagingInit) before the first call
   * @param alloc table allocation with 6.1's accounting, over the same store
   * @param flushTlbKernelRange the machine's flush_tlb_kernel_range()
   * @throws ArgumentError when alloc serves another store
   */
  constructor(
    readonly store: PgtableStore,
    readonly alloc: PgtableAllocator,
    flushTlbKernelRange: (start: Va, end: Va) => void,
  ) {
    if (alloc.store !== store) throw new ArgumentError(SITE, "alloc", "a PgtableAllocator over the same PgtableStore", "an allocator of another store");
    this.flush = flushTlbKernelRange;
    this.lowest = -(2 ** store.vaBits);
    this.initMm = new MmPgtables(store.swapperPgDir, true);
    const c = this.c;
    c.store = store;
    c.alloc = alloc;
    c.initMm = this.initMm;
    c.flusher = this;
    c.prot = PGPROT_KERNEL;
  }

  /** arch_vmap_pmd_supported(): 2 MiB blocks in vmalloc space; false with CONFIG_PTDUMP_DEBUGFS (the reference has none). */
  get archVmapPmdSupported(): boolean {
    return this.c.archVmapPmdSupported;
  }
  set archVmapPmdSupported(on: boolean) {
    this.c.archVmapPmdSupported = on;
  }
  /** arch_vmap_pud_supported(): 1 GiB blocks (pud_sect_supported() and no CONFIG_PTDUMP_DEBUGFS). */
  get archVmapPudSupported(): boolean {
    return this.c.archVmapPudSupported;
  }
  set archVmapPudSupported(on: boolean) {
    this.c.archVmapPudSupported = on;
  }
  /** WARN_ONs of 6.1 hit so far (a page mapped twice, a NULL page, a bad pmd/pud cleared). */
  get warnings(): number {
    return this.c.warnings;
  }
  /** The last warning's text ("" when none). */
  get lastWarning(): string {
    return this.c.lastWarning;
  }
  /** 2 MiB and 1 GiB blocks written by vmap_try_huge_pmd/pud, and the tables they freed to make room. */
  get pmdBlocks(): number {
    return this.c.pmdBlocks;
  }
  get pudBlocks(): number {
    return this.c.pudBlocks;
  }
  get tablesFreedForBlocks(): number {
    return this.c.tablesFreedForBlocks;
  }

  /** The arm64 pgprot of a protection id. @throws ArgumentError for an unknown id */
  static pgprotOf(prot: number): Pgprot {
    if (!Number.isInteger(prot) || prot < 0 || prot >= NR_VMAP_PROTS) {
      throw new ArgumentError(SITE, "prot", "a protection id of page-tables.ts (PAGE_KERNEL … PROT_NORMAL_NC)", String(prot));
    }
    return VMAP_PGPROTS[prot]!;
  }

  /** Kernel: `flush_tlb_kernel_range()`. */
  flushTlbKernelRange(start: Va, end: Va): void {
    this.flushCalls++;
    this.flush(start, end);
  }

  /** Kernel: `__flush_tlb_kernel_pgtable()` (see `kernelPgtableFlusher`). */
  flushTlbKernelPgtable(kaddr: Va): void {
    const f = this.kernelPgtableFlusher;
    if (f !== null) f.flushTlbKernelPgtable(kaddr);
    else this.flushTlbKernelRange(kaddr, kaddr + PAGE_SIZE);
  }

  /**
   * Maps pfns[0..nr) at addr. Kernel: `vmap_pages_range()` → `__vmap_pages_range_noflush()`.
   * @param pageShift PAGE_SHIFT, or the block size of a huge vmalloc (PMD_SHIFT): the pfns
   *   then come in naturally aligned runs of 2^(pageShift − PAGE_SHIFT)
   * @returns 0 or -ENOMEM
   * @throws ArgumentError for a bad protection id, count, shift or range
   */
  vmapPagesRange(addr: Va, pfns: Int32Array, nr: number, prot: number, pageShift: number): number {
    this.vmapCalls++;
    const p = Arm64VmapPageTables.pgprotOf(prot);
    if (!Number.isSafeInteger(nr) || nr <= 0 || nr > pfns.length) {
      throw new ArgumentError(SITE + ".vmapPagesRange", "nr", "a page count in [1, pfns.length] (BUG_ON(addr >= end))", String(nr));
    }
    if (!Number.isInteger(pageShift) || pageShift < PAGE_SHIFT || pageShift > PUD_SHIFT) {
      throw new ArgumentError(SITE + ".vmapPagesRange", "pageShift", "PAGE_SHIFT (12) … PUD_SHIFT (30)", String(pageShift));
    }
    const end = addr + nr * PAGE_SIZE;
    this.checkRange("vmapPagesRange", addr, end);
    const c = this.begin(p);
    if (pageShift === PAGE_SHIFT) return vmapSmallPagesRangeNoflush(c, addr, end, pfns);
    const step = 2 ** (pageShift - PAGE_SHIFT);
    const size = 2 ** pageShift;
    if (nr % step !== 0 || addr % size !== 0) {
      throw new ArgumentError(SITE + ".vmapPagesRange", "addr", `whole 2^${pageShift}-byte blocks at an aligned address`, `${formatVa0x(addr)} + ${nr} pages`);
    }
    for (let i = 0; i < nr; i += step) {
      const err = vmapRangeNoflush(c, addr, addr + size, pfns[i]! * PAGE_SIZE, pageShift);
      if (err !== 0) return err;
      addr += size;
    }
    return 0;
  }

  /**
   * Maps [addr, addr + size) to [phys, phys + size) (the caller applied pgprot_nx()).
   * Kernel: `ioremap_page_range()`.
   * @returns 0 or -ENOMEM
   * @throws ArgumentError for a bad protection id, size, address or range
   */
  ioremapPageRange(addr: Va, phys: number, size: number, prot: number): number {
    this.ioremapCalls++;
    const p = Arm64VmapPageTables.pgprotOf(prot);
    if (!Number.isSafeInteger(size) || size <= 0 || size % PAGE_SIZE !== 0) {
      throw new ArgumentError(SITE + ".ioremapPageRange", "size", "a positive multiple of PAGE_SIZE", String(size));
    }
    if (!Number.isSafeInteger(phys) || phys < 0 || phys % PAGE_SIZE !== 0) {
      throw new ArgumentError(SITE + ".ioremapPageRange", "phys", "a page-aligned physical address", String(phys));
    }
    const end = addr + size;
    this.checkRange("ioremapPageRange", addr, end);
    return vmapRangeNoflush(this.begin(p), addr, end, phys, this.ioremapMaxPageShift);
  }

  /** Clears the mappings of [start, end), keeping the tables. Kernel: `vunmap_range_noflush()`. */
  vunmapRangeNoflush(start: Va, end: Va): void {
    this.unmapCalls++;
    this.checkRange("vunmapRangeNoflush", start, end);
    this.setPgd("vunmapRangeNoflush");
    vunmapRangeNoflush(this.c, start, end);
  }

  private begin(p: Pgprot): VmapPgtableCursor {
    this.setPgd("vmap");
    const c = this.c;
    c.prot = p;
    c.protLo = p.lo;
    c.protHi = p.hi;
    return c;
  }

  private setPgd(fn: string): void {
    const pgd = this.store.swapperPgDir;
    if (pgd < 0) throw new MmBugError(`${SITE}.${fn}`, "init_mm.pgd (store.swapperPgDir) is not set: run pagingInit() first");
    this.initMm.pgd = pgd;
  }

  /** BUG_ON(addr >= end), and the range must be page-aligned kernel addresses inside TTBR1's half. */
  private checkRange(fn: string, start: Va, end: Va): void {
    // (no `%` on these doubles: fmod is the slowest operation of a one-page vmap)
    if (!(start >= this.lowest && end > start && end <= 0) || Math.floor(start * INV_PAGE) * PAGE_SIZE !== start || Math.floor(end * INV_PAGE) * PAGE_SIZE !== end) {
      const shown = Number.isSafeInteger(start) && Number.isSafeInteger(end) ? `${formatVa0x(start)}-${formatVa0x(end)}` : `${start}-${end}`;
      throw new ArgumentError(`${SITE}.${fn}`, "start", `a page-aligned kernel range [start, end) inside [-2^${this.store.vaBits}, 0) (negative Vas)`, shown);
    }
  }
}
