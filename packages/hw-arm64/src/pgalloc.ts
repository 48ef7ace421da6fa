// Kernel: include/asm-generic/pgalloc.h, arch/arm64/include/asm/pgalloc.h, arch/arm64/mm/pgd.c, include/linux/mm.h (pgtable_*_page_ctor) (v6.1) — allocating and freeing one table
/*
 * Where a table comes from decides whether it counts in /proc/meminfo `PageTables`
 * (NR_PAGETABLE, a node counter in 6.1) and whether its struct page is PageTable:
 *
 *   table                       allocator                              ctor   PageTables
 *   swapper's lower levels      memblock (early_pgtable_alloc)          no     no
 *   pgd (every mm)              __get_free_page(GFP_PGTABLE_USER)       no     no   (pgd_alloc)
 *   pud (user and init_mm)      get_zeroed_page (__pud_alloc_one)       no     no
 *   pmd (user and init_mm)      alloc_pages + pgtable_pmd_page_ctor     yes    yes  (pmd_alloc_one)
 *   pte, user                   alloc_page + pgtable_pte_page_ctor      yes    yes  (pte_alloc_one)
 *   pte, kernel (vmalloc, …)    __get_free_page(GFP_PGTABLE_KERNEL)     no     no   (pte_alloc_one_kernel)
 *   any, create_pgd_mapping     pgd_pgtable_alloc: ctor at PTE and PMD  yes*   yes* (arch/arm64/mm/mmu.c)
 *
 * GFP_PGTABLE_KERNEL = GFP_KERNEL | __GFP_ZERO; GFP_PGTABLE_USER adds __GFP_ACCOUNT (memcg, not
 * modelled here). The ctor sets PG_table in page_type (__SetPageTable) and adds 1 to
 * NR_PAGETABLE of the page's node (inc_lruvec_page_state); the dtor undoes both. ptlock_init()
 * cannot fail on arm64 (ALLOC_SPLIT_PTLOCKS is off: the spinlock fits in struct page).
 * PGD_SIZE = PTRS_PER_PGD * 8 = PAGE_SIZE with 4 KiB pages, so pgd_alloc() takes a whole page.
 */
import {
  GFP_KERNEL, MmBugError, NR_PAGETABLE, NIL_PFN, __GFP_ACCOUNT, __GFP_ZERO, clearPageTable, debugVm, setPageTable,
  type MemMap, type PageAllocator,
} from "@mmsim/core";
import { PMD_SHIFT, PT_PAGE_SHIFT, PUD_SHIFT, TABLE_WORDS } from "./pgtable-hwdef.ts";
import { NULL_ENTRY } from "./pgtable.ts";
import { TABLE_ORIGIN_PAGE_ALLOC, TABLE_ORIGIN_PAGE_ALLOC_CTOR, type PgtableStore } from "./pgtable-store.ts";

/** Kernel: `GFP_PGTABLE_KERNEL`. */
export const GFP_PGTABLE_KERNEL = GFP_KERNEL | __GFP_ZERO;
/** Kernel: `GFP_PGTABLE_USER`. */
export const GFP_PGTABLE_USER = GFP_PGTABLE_KERNEL | __GFP_ACCOUNT;

/** Tables allocated and freed through a PgtableAllocator, by kind (statistics and tests). */
export interface PgtableAllocStats {
  pteKernel: number;
  pteUser: number;
  pmd: number;
  pud: number;
  pgd: number;
  /** NR_PAGETABLE as this allocator changed it (pages now counted). */
  nrPagetable: number;
}

/**
 * One machine's table allocation at run time: frames from the page allocator, contents in the
 * store, the ctor/dtor accounting of 6.1. `cpu` is the CPU the caller runs on (its pcp lists
 * serve order-0 pages); set it before a call, as the kernel's current CPU.
 */
export class PgtableAllocator {
  /** The CPU whose per-CPU lists serve the next allocation. */
  cpu = 0;
  readonly stats: PgtableAllocStats = { pteKernel: 0, pteUser: 0, pmd: 0, pud: 0, pgd: 0, nrPagetable: 0 };

  /**
   * @param mem the machine's MemMap, for PG_table (page_type); null when the caller has none
   *   (NR_PAGETABLE is still counted through the page allocator)
   */
  constructor(
    readonly store: PgtableStore,
    readonly pageAllocator: PageAllocator,
    readonly mem: MemMap | null = null,
  ) {}

  private alloc(gfp: number, level: number, ctor: boolean): number {
    const pfn = this.pageAllocator.allocPages(gfp, 0, this.cpu);
    if (pfn === NIL_PFN) return NULL_ENTRY;
    const pa = pfn * 4096;
    this.store.addTable(pa, level, ctor ? TABLE_ORIGIN_PAGE_ALLOC_CTOR : TABLE_ORIGIN_PAGE_ALLOC);
    if (ctor) this.ctor(pfn);
    return pa;
  }

  /** Kernel: `pgtable_pte_page_ctor()` / `pgtable_pmd_page_ctor()`: __SetPageTable + inc NR_PAGETABLE. */
  private ctor(pfn: number): void {
    if (this.mem) setPageTable(this.mem, this.mem.pfnToPage(pfn));
    this.pageAllocator.modNodePageState(pfn, NR_PAGETABLE, 1);
    this.stats.nrPagetable++;
  }

  /** Kernel: `pgtable_pte_page_dtor()` / `pgtable_pmd_page_dtor()`. */
  private dtor(pfn: number): void {
    if (this.mem) clearPageTable(this.mem, this.mem.pfnToPage(pfn));
    this.pageAllocator.modNodePageState(pfn, NR_PAGETABLE, -1);
    this.stats.nrPagetable--;
  }

  private free(pa: number, dtor: boolean, what: string): void {
    if (debugVm.on) checkEmpty(this.store, pa, what);
    const pfn = Math.floor(pa / 4096);
    if (dtor) this.dtor(pfn);
    this.store.removeTable(pa);
    const err = this.pageAllocator.freePages(pfn, 0, this.cpu);
    if (err !== 0) throw new MmBugError(`hw-arm64.${what}`, `freeing table frame pfn 0x${pfn.toString(16)} failed (${err})`);
  }

  /** A PTE table for a kernel mapping (vmalloc, ioremap). Kernel: `pte_alloc_one_kernel()`. @returns its address, or NULL_ENTRY */
  pteAllocOneKernel(): number {
    const pa = this.alloc(GFP_PGTABLE_KERNEL, 3, false);
    if (pa !== NULL_ENTRY) this.stats.pteKernel++;
    return pa;
  }
  /** Kernel: `pte_free_kernel()`. */
  pteFreeKernel(pa: number): void {
    this.free(pa, false, "pteFreeKernel");
    this.stats.pteKernel--;
  }
  /** A PTE table for a user mapping, with the ctor. Kernel: `pte_alloc_one()` → `__pte_alloc_one(mm, GFP_PGTABLE_USER)`. */
  pteAllocOne(): number {
    const pa = this.alloc(GFP_PGTABLE_USER, 3, true);
    if (pa !== NULL_ENTRY) this.stats.pteUser++;
    return pa;
  }
  /** Kernel: `pte_free()` (dtor, then __free_page). */
  pteFree(pa: number): void {
    this.free(pa, true, "pteFree");
    this.stats.pteUser--;
  }
  /** Kernel: `pmd_alloc_one()`: GFP_PGTABLE_KERNEL for init_mm, else GFP_PGTABLE_USER; always with the ctor. */
  pmdAllocOne(initMm: boolean): number {
    const pa = this.alloc(initMm ? GFP_PGTABLE_KERNEL : GFP_PGTABLE_USER, 2, true);
    if (pa !== NULL_ENTRY) this.stats.pmd++;
    return pa;
  }
  /** Kernel: `pmd_free()` (dtor, then free_page). */
  pmdFree(pa: number): void {
    this.free(pa, true, "pmdFree");
    this.stats.pmd--;
  }
  /** Kernel: `pud_alloc_one()` → `__pud_alloc_one()` (no ctor in 6.1). */
  pudAllocOne(initMm: boolean): number {
    const pa = this.alloc(initMm ? GFP_PGTABLE_KERNEL : GFP_PGTABLE_USER, 1, false);
    if (pa !== NULL_ENTRY) this.stats.pud++;
    return pa;
  }
  /** Kernel: `pud_free()` → `__pud_free()`. */
  pudFree(pa: number): void {
    this.free(pa, false, "pudFree");
    this.stats.pud--;
  }
  /** A process's top table (one page: PGD_SIZE == PAGE_SIZE). Kernel: `pgd_alloc()` (arch/arm64/mm/pgd.c). */
  pgdAlloc(): number {
    const pa = this.alloc(GFP_PGTABLE_USER, this.store.startLevel, false);
    if (pa !== NULL_ENTRY) this.stats.pgd++;
    return pa;
  }
  /** Kernel: `pgd_free()`. */
  pgdFree(pa: number): void {
    this.free(pa, false, "pgdFree");
    this.stats.pgd--;
  }

  /**
   * The allocator create_pgd_mapping() uses after boot (EFI runtime maps, memory hotplug):
   * GFP_PGTABLE_KERNEL, with the PTE ctor for a PTE table and the PMD ctor for a PMD table.
   * Kernel: `pgd_pgtable_alloc()` → `__pgd_pgtable_alloc()` (arch/arm64/mm/mmu.c).
   * @param shift PAGE_SHIFT, PMD_SHIFT or PUD_SHIFT: the table's entries' size
   * @throws MmBugError when the page allocator fails (the kernel BUG()s)
   */
  pgdPgtableAlloc(shift: number): number {
    const level = shift === PT_PAGE_SHIFT ? 3 : shift === PMD_SHIFT ? 2 : shift === PUD_SHIFT ? 1 : 0;
    const pa = this.alloc(GFP_PGTABLE_KERNEL, level, level >= 2);
    if (pa === NULL_ENTRY) throw new MmBugError("hw-arm64.pgdPgtableAlloc", "__pgd_pgtable_alloc() failed: BUG_ON(!ptr)");
    return pa;
  }
}

function checkEmpty(store: PgtableStore, pa: number, what: string): void {
  const s = store.tableSlot(pa);
  if (s < 0) throw new MmBugError(`hw-arm64.${what}`, `frame 0x${pa.toString(16)} is not a page table`);
  const w = store.words;
  for (let i = s * TABLE_WORDS; i < (s + 1) * TABLE_WORDS; i++) {
    if (w[i] !== 0) throw new MmBugError(`hw-arm64.${what}`, `table 0x${pa.toString(16)} still holds entry ${((i - s * TABLE_WORDS) >> 1)} when freed`);
  }
}
