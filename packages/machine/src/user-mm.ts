// Kernel: mm/mmap.c (mmap_base, unmapped_area_topdown, unmap_region, free_pgtables), mm/memory.c (do_anonymous_page), arch/arm64/mm/mmap.c (v6.1) — one process's populated anonymous mappings
/*
 * What a user `malloc` of a large buffer becomes — `mmap(MAP_PRIVATE | MAP_ANONYMOUS |
 * MAP_POPULATE)` — before mmsim has its vma and fault packages: one process (mm id 1, its own
 * pgd from pgd_alloc), areas placed top-down below mmap_base as get_unmapped_area does without
 * randomisation, and every page faulted in at once as a write fault would do it
 * (do_anonymous_page: a zeroed GFP_HIGHUSER_MOVABLE page, `mk_pte(page, vm_page_prot)`,
 * `pte_sw_mkyoung`, `pte_mkwrite(pte_mkdirty())`, NR_ANON_MAPPED). munmap clears the PTEs,
 * frees the pages, flushes the TLB for the range and frees the tables no other area uses
 * (free_pgtables with the neighbours as floor and ceiling).
 *
 * Not modelled yet (the vma, fault and rmap issues): the VMA tree, demand faults, anon_vma and
 * rmap (pages carry no PAGE_MAPPING_ANON), the LRU, memcg charging, ASLR (mmap_rnd_bits).
 */
import { EINVAL, ENOMEM, GFP_HIGHUSER_MOVABLE, NIL_PFN, NR_ANON_MAPPED, PAGE_SIZE, type PageAllocator, __GFP_ZERO } from "@mmsim/core";
import {
  type Arm64Layout, type MmPgtables, NULL_ENTRY, type PgtableAllocator, PteVal, VM_READ, VM_WRITE, freePgdRange, getLockedPte,
  mmAllocPgd, pfnPte, pteClear, pteMkdirty, pteMkwrite, pteMkyoung, setPte, vmGetPageProt,
} from "@mmsim/hw-arm64";

/** The mm id the workload's process uses with the MMU's ASID allocator. */
export const WORKLOAD_MM = 1;

/** The stack gap mmap_base leaves below TASK_SIZE: MIN_GAP (128 MiB) as the 8 MiB stack rlimit is below it. Kernel: `mmap_base()`. */
const MIN_GAP = 128 * 1024 * 1024;

/** One populated mapping. */
interface Area {
  readonly start: number;
  readonly end: number;
  readonly pfns: Int32Array;
}

/** One process's populated anonymous memory. */
export class PopulatedAnonMm {
  private mm: MmPgtables | null = null;
  /** Areas sorted by start. */
  private readonly areas: Area[] = [];
  private readonly pte = new PteVal();
  /** mm->mmap_base. */
  readonly mmapBase: number;

  constructor(
    private readonly alloc: PgtableAllocator,
    private readonly pages: PageAllocator,
    layout: Arm64Layout,
    /** flush_tlb_range(vma, start, end) for this mm. */
    private readonly flushTlbRange: (start: number, end: number) => void,
  ) {
    this.mmapBase = layout.TASK_SIZE - MIN_GAP;
  }

  /** mm->pgd, or undefined before the first mmap. */
  get pgd(): number | undefined {
    return this.mm?.pgd;
  }

  /** Length of the mapping that starts at `start` (0 if none). */
  sizeOf(start: number): number {
    const a = this.areas.find((x) => x.start === start);
    return a ? a.end - a.start : 0;
  }

  /** mm->pgtables_bytes (VmPTE + VmPMD of /proc/<pid>/status). */
  get pgtablesBytes(): number {
    return this.mm?.pgtablesBytes ?? 0;
  }

  /**
   * mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE).
   * @returns the start address, or -ENOMEM (nothing left mapped or allocated)
   */
  mmapPopulate(size: number, cpu: number): number {
    const len = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    if (len === 0) return -ENOMEM;
    if (!this.mm) {
      this.alloc.cpu = cpu;
      this.mm = mmAllocPgd(this.alloc);
      if (!this.mm) return -ENOMEM;
    }
    const start = this.unmappedAreaTopdown(len);
    if (start < 0) return -ENOMEM;
    const area: Area = { start, end: start + len, pfns: new Int32Array(len / PAGE_SIZE).fill(NIL_PFN) };
    this.insert(area);
    const prot = vmGetPageProt(VM_READ | VM_WRITE);
    this.alloc.cpu = cpu;
    for (let i = 0; i < area.pfns.length; i++) {
      const va = start + i * PAGE_SIZE;
      // do_anonymous_page: the page table first (pte_alloc), then the zeroed page.
      const ptep = getLockedPte(this.alloc, this.mm, va);
      const pfn = ptep === NULL_ENTRY ? NIL_PFN : this.pages.allocPages(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0, cpu);
      if (pfn === NIL_PFN) {
        this.munmap(start, cpu);
        return -ENOMEM;
      }
      area.pfns[i] = pfn;
      const p = pteMkdirty(pteMkwrite(pteMkyoung(pfnPte(pfn, prot, this.pte))));
      setPte(this.alloc.store, ptep, p.lo, p.hi);
      this.pages.modNodePageState(pfn, NR_ANON_MAPPED, 1);
    }
    return start;
  }

  /**
   * munmap of the whole area that starts at `start`: zap the PTEs, free the pages, flush the TLB,
   * free the tables no neighbour uses. Kernel: `__do_munmap()` → `unmap_region()`.
   * @returns 0, or -EINVAL when no area starts there
   */
  munmap(start: number, cpu: number): number {
    const k = this.areas.findIndex((a) => a.start === start);
    if (k < 0 || !this.mm) return -EINVAL;
    const a = this.areas[k]!;
    const store = this.alloc.store;
    this.alloc.cpu = cpu;
    for (let i = 0; i < a.pfns.length; i++) {
      const pfn = a.pfns[i]!;
      if (pfn === NIL_PFN) continue;
      const ptep = getLockedPte(this.alloc, this.mm, a.start + i * PAGE_SIZE);
      if (ptep !== NULL_ENTRY) pteClear(store, ptep);
      this.pages.modNodePageState(pfn, NR_ANON_MAPPED, -1);
      this.pages.freePages(pfn, 0, cpu);
    }
    this.flushTlbRange(a.start, a.end);
    // free_pgtables(): the tables between the neighbours' ends (floor/ceiling) go.
    const floor = k > 0 ? this.areas[k - 1]!.end : 0;
    const ceiling = k + 1 < this.areas.length ? this.areas[k + 1]!.start : 0;
    this.areas.splice(k, 1);
    freePgdRange(this.alloc, this.mm, a.start, a.end, floor, ceiling);
    return 0;
  }

  /** The highest free gap of `len` bytes below mmap_base. Kernel: `unmapped_area_topdown()`. */
  private unmappedAreaTopdown(len: number): number {
    let high = this.mmapBase;
    for (let i = this.areas.length - 1; i >= 0; i--) {
      const a = this.areas[i]!;
      if (a.end <= high - len) break;
      if (a.start < high) high = a.start;
    }
    const start = high - len;
    return start >= PAGE_SIZE ? start : -ENOMEM;
  }

  private insert(a: Area): void {
    let i = this.areas.length;
    while (i > 0 && this.areas[i - 1]!.start > a.start) i--;
    this.areas.splice(i, 0, a);
  }
}
