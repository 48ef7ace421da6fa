// Kernel: mm/memory.c (do_fault, do_read_fault, do_cow_fault, do_shared_fault, __do_fault, do_fault_around, should_fault_around, fault_around_bytes and its debugfs file, finish_fault, do_set_pte, do_page_mkwrite, fault_dirty_shared_page, wp_page_shared, wp_pfn_shared, finish_mkwrite_fault, zap_pte_range's file-page part, unmap_mapping_pages, unmap_mapping_range), mm/mmap.c (vma_wants_writenotify, vma_set_page_prot's write-notify prot), arch/arm64/include/asm/pgtable.h (arch_wants_old_prefaulted_pte) (v6.1, read from the 6.1.y sources) — the faults of file-backed and shmem VMAs
/*
 * A VMA with vm_ops (a file's mmap, or shmem_zero_setup for shared anonymous memory) faults
 * through here when its PTE is none (handle_pte_fault → do_fault) and, for a write to a
 * present read-only PTE of a shared writable mapping, through wp_page_shared (do_wp_page).
 * The page cache itself is vm_ops' (@mmsim/filemap): `fault` finds or reads the page,
 * `mapPages` maps the cached pages around the fault through `doSetPte` (this class is the
 * `FaultAroundSink`), `pageMkwrite` lets the file prepare a page about to become writable,
 * `dirtySharedPage` is fault_dirty_shared_page's folio_mark_dirty + balance_dirty_pages_ratelimited.
 *
 * Page references: the page cache holds one per page; vm_ops->fault and map_pages hand each
 * page over with one more, which the PTE keeps (finish_fault / do_set_pte) or the caller drops.
 * do_cow_fault maps a new anonymous copy instead and drops the file page's reference.
 *
 * Fault-around (do_fault_around): a read fault first maps the cached pages of the
 * fault_around_bytes window (64 KiB: 16 pages) around the address, aligned on the virtual
 * address, cut at the VMA's start and end and at the page table's end; a fault whose own page is
 * among them is done (VM_FAULT_NOPAGE from map_pages) without calling ->fault.
 *
 * Prefaulted PTEs (6.1's do_set_pte): a PTE set for another address than the faulting one is
 * made old when arch_wants_old_prefaulted_pte(), which on arm64 is cpu_has_hw_af(): a CPU with
 * hardware access flags maps them old (the MMU sets AF on first use, reclaim sees which were
 * used); a CPU without (the Cortex-A57 of the reference board, ARMv8.0) maps them young, since an
 * old PTE would cost an access-flag fault on first use. `hwAf` selects the CPU; the default is
 * the reference board's (false: young). mk_pte's vm_page_prot carries PTE_AF on arm64, so the
 * faulting address's PTE is young either way (pte_sw_mkyoung is a no-op on arm64).
 *
 * Write-notify (6.1's vma_wants_writenotify): a shared writable mapping whose file has
 * page_mkwrite (a disk file: filemap_page_mkwrite) gets read-only PTEs (vma_set_page_prot
 * drops the write bit from vm_page_prot) so that the first write to each page faults into
 * wp_page_shared → page_mkwrite, which tracks the page as dirty. shmem has no page_mkwrite and
 * no writeback (its backing_dev_info lacks BDI_CAP_WRITEBACK): its shared writable PTEs are
 * writable from the start. mmsim keeps vma->vm_page_prot = vm_get_page_prot(vm_flags) in
 * @mmsim/vma (whose validator checks it), and applies the write-notify prot where memory.c
 * builds PTEs from it: `vmaPageProt()` here (do_set_pte) and in change_protection.
 *
 * Not modelled: page locks (one fault runs at a time: lock_page, VM_FAULT_LOCKED's meaning, are
 * bookkeeping only), PageHWPoison, file and shmem THPs (do_set_pmd: page-cache folios are order
 * 0), userfaultfd (uffd-wp markers, uffd_disable_fault_around), mmap_lock dropping
 * (VM_FAULT_COMPLETED: fault_dirty_shared_page returns 0), the LRU (lru_cache_add for COW pages:
 * reclaim's), memcg charges.
 */
import { EINVAL, GFP_HIGHUSER_MOVABLE, NIL_PFN, PGREUSE, PG_referenced, PG_swapbacked, PG_uptodate, type MemMap } from "@mmsim/core";
import {
  NULL_ENTRY, PTE_AF, PTE_DIRTY_HI, PTE_PROT_NONE_HI, PTE_RDONLY, PTE_VALID, PTE_WRITE_HI, PteVal, type Pgprot, type PgtableStore, pfnPte,
  pgdOffsetPgd, pmdInstall, pmdOffset, pteAlloc, pteMkdirty, pteMkold, pteMkwrite, pteOffsetKernel, pudOffset, vmGetPageProt,
} from "@mmsim/hw-arm64";
import {
  FAULT_FLAG_MKWRITE, FAULT_FLAG_WRITE, MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, VM_FAULT_DONE_COW, VM_FAULT_ERROR, VM_FAULT_LOCKED, VM_FAULT_MAJOR,
  VM_FAULT_NOPAGE, VM_FAULT_OOM, VM_FAULT_RETRY, VM_FAULT_SIGBUS, VM_FAULT_WRITE, VM_SEQ_READ, VM_SHARED, VM_WRITE, VmFault,
  type FaultAroundSink, type VmAreaStruct, type VmFileMapping, type VmOperationsStruct, addMmCounterFast, vmaFileMapping,
} from "@mmsim/vma";
import type { MmMemory } from "./memory.ts";
import { mlockVmaPage, munlockVmaPage } from "./mlock-pages.ts";

// ---------------------------------------------------------------------------------------------
// mmsim's breakdown of the file faults (the kernel counts them all in pgfault)
// ---------------------------------------------------------------------------------------------

/** do_read_fault that called vm_ops->fault (the page was not mapped by fault-around). */
export const FF_READ = 0;
/** do_read_fault done by fault-around alone (map_pages mapped the faulting address). */
export const FF_AROUND = 1;
/** PTEs set by map_pages through do_set_pte (the faulting address's included). */
export const FF_AROUND_PTES = 2;
/** do_cow_fault: a private write fault copied the file page into a new anonymous page. */
export const FF_COW = 3;
/** do_shared_fault: a shared write fault mapped the page writable and dirty. */
export const FF_SHARED = 4;
/** wp_page_shared: a write to a read-only PTE of a shared writable mapping (write-notify). */
export const FF_WP_SHARED = 5;
/** page_mkwrite calls (do_shared_fault and wp_page_shared). */
export const FF_MKWRITE = 6;
/** Faults whose vm_ops->fault returned VM_FAULT_MAJOR (it waited for I/O). */
export const FF_MAJOR = 7;
/** Faults that ended in VM_FAULT_SIGBUS (beyond the file's end, no ->fault, page_mkwrite refused). */
export const FF_SIGBUS = 8;
export const NR_FILE_FAULT_STATS = 9;
export const fileFaultStatNames: readonly string[] = Object.freeze([
  "read", "fault_around", "fault_around_ptes", "cow", "shared", "wp_shared", "page_mkwrite", "major", "sigbus",
]);

const PAGE = 4096;
const PTRS_PER_PTE = 512;
// Addresses are integers below 2^53 beyond int32: `x & (2^k - 1)` (k ≤ 21 here) is x mod 2^k, as
// ToInt32 keeps the low 32 bits, and costs no floating-point modulo on the fault path.
/** Kernel: `fault_around_bytes`' default: rounddown_pow_of_two(65536). */
export const FAULT_AROUND_BYTES_DEFAULT = 65536;

/** Kernel: `rounddown_pow_of_two()` for a positive integer below 2^53. */
function roundDownPowOfTwo(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}

/** The faults of file-backed and shmem VMAs for one MmMemory (one machine). */
export class FileFault implements FaultAroundSink {
  private readonly mem: MemMap;
  private readonly store: PgtableStore;
  /** The fault being handled (struct vm_fault: one, reused). */
  private readonly vmf = new VmFault();
  /** vmf->pmd of the fault being handled. */
  private pmdp = NULL_ENTRY;
  /** vmf->prealloc_pte: a PTE table allocated before ->fault or map_pages, installed when first needed, else freed. */
  private preallocPte = NULL_ENTRY;
  /** The word index of the first PTE of vmf's PTE table once it exists (-1 before): map_pages' PTEs all lie in it. */
  private pteWord0 = -1;
  /** vmf's VMA's page protection for this fault (vmaPageProt: write-notify applied), computed once. */
  private prot: Pgprot | null = null;
  /** The VMA whose file mapping zapFilePte resolved last, and that mapping. */
  private zapVma: VmAreaStruct | null = null;
  private zapMapping: VmFileMapping | null = null;
  private faultAround = FAULT_AROUND_BYTES_DEFAULT;
  /** Scratch descriptor. */
  private readonly t = new PteVal();
  /**
   * The CPU manages the access flag in hardware (ARMv8.1 TTHM: cpu_has_hw_af()): prefaulted PTEs
   * are then made old. false: the reference board's Cortex-A57.
   */
  hwAf = false;
  /** mmsim's breakdown (FF_*). */
  readonly stats = new Float64Array(NR_FILE_FAULT_STATS);

  constructor(private readonly m: MmMemory) {
    this.mem = m.mem;
    this.store = m.store;
    this.vmf.sink = this;
  }

  // ------------------------------------------------------------------ fault_around_bytes

  /** /sys/kernel/debug/fault_around_bytes (bytes; a power of two from PAGE_SIZE to PTRS_PER_PTE pages). */
  get faultAroundBytes(): number {
    return this.faultAround;
  }

  /**
   * Writing /sys/kernel/debug/fault_around_bytes: more than PTRS_PER_PTE pages is -EINVAL; the
   * value is rounded down to a power of two, at least PAGE_SIZE (4096 turns fault-around off).
   * Kernel: `fault_around_bytes_set()`.
   * @returns 0 or -EINVAL
   */
  setFaultAroundBytes(val: number): number {
    if (!Number.isSafeInteger(val) || val < 0) return -EINVAL;
    if (val / PAGE > PTRS_PER_PTE) return -EINVAL;
    this.faultAround = val > PAGE ? roundDownPowOfTwo(val) : PAGE;
    return 0;
  }

  /** Reading the debugfs file: `%llu\n`. Kernel: `fault_around_bytes_get()` through DEFINE_DEBUGFS_ATTRIBUTE. */
  showFaultAroundBytes(): string {
    return this.faultAround + "\n";
  }

  // ------------------------------------------------------------------ write-notify

  /**
   * A shared writable VMA whose file wants to know of the first write to each page (it has
   * page_mkwrite): its PTEs start read-only. Kernel: `vma_wants_writenotify()` (no soft-dirty
   * on arm64 6.1; VM_PFNMAP and the bdi's BDI_CAP_WRITEBACK: every file with page_mkwrite here
   * can write back, shmem has neither).
   */
  vmaWantsWritenotify(vma: VmAreaStruct): boolean {
    if ((vma.vmFlags & (VM_WRITE | VM_SHARED)) !== (VM_WRITE | VM_SHARED)) return false;
    const ops = vma.vmOps;
    return ops !== null && ops.pageMkwrite !== undefined;
  }

  /**
   * The vm_page_prot 6.1 gives the VMA: vm_get_page_prot(vm_flags), without the write bit
   * (the private mapping's prot, vm_pgprot_modify(vm_flags & ~VM_SHARED)) for write-notify.
   * Kernel: `vma_set_page_prot()`.
   */
  vmaPageProt(vma: VmAreaStruct): Pgprot {
    return this.vmaWantsWritenotify(vma) ? vmGetPageProt(vma.vmFlags & ~VM_SHARED) : vma.vmPageProt;
  }

  // ------------------------------------------------------------------ do_fault

  /**
   * A fault at `address` of a VMA with vm_ops whose PTE is none: a read fault maps the page
   * (with fault-around), a private write maps a copy, a shared write maps the page writable and
   * dirty. Kernel: `do_fault()`.
   * @param pmdp the pmd entry covering address (its PTE table may not exist yet)
   * @returns a vm_fault_t
   */
  doFault(vma: VmAreaStruct, address: number, flags: number, pmdp: number): number {
    const ops = vma.vmOps;
    // The VMA was not fully populated on mmap() (no vm_ops->fault): the PTE is none here.
    if (ops === null) {
      this.stats[FF_SIGBUS]!++;
      return VM_FAULT_SIGBUS;
    }
    const vmf = this.vmf.set(vma, address - (address & (PAGE - 1)), flags);
    this.pmdp = pmdp;
    this.pteWord0 = -1;
    this.prot = this.vmaPageProt(vma);
    let ret: number;
    if ((flags & FAULT_FLAG_WRITE) === 0) ret = this.doReadFault(vmf, ops);
    else if ((vma.vmFlags & VM_SHARED) === 0) ret = this.doCowFault(vmf);
    else ret = this.doSharedFault(vmf, ops);
    // preallocated pagetable is unused: free it
    if (this.preallocPte !== NULL_ENTRY) {
      this.m.alloc.pteFree(this.preallocPte);
      this.preallocPte = NULL_ENTRY;
    }
    if ((ret & VM_FAULT_MAJOR) !== 0) this.stats[FF_MAJOR]!++;
    if ((ret & VM_FAULT_SIGBUS) !== 0) this.stats[FF_SIGBUS]!++;
    return ret;
  }

  /** Kernel: `should_fault_around()` (no userfaultfd). */
  private shouldFaultAround(ops: VmOperationsStruct): boolean {
    return ops.mapPages !== undefined && this.faultAround / PAGE > 1;
  }

  /** Maps the cached pages around the fault first; calls ->fault only when its own page was not among them. Kernel: `do_read_fault()`. */
  private doReadFault(vmf: VmFault, ops: VmOperationsStruct): number {
    if (this.shouldFaultAround(ops)) {
      const ret = this.doFaultAround(vmf, ops);
      if (ret !== 0) {
        if (ret === VM_FAULT_NOPAGE) this.stats[FF_AROUND]!++;
        return ret;
      }
    }
    let ret = this.__doFault(vmf, ops);
    if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) return ret;
    this.stats[FF_READ]!++;
    ret |= this.finishFault(vmf);
    if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) this.m.putPage(vmf.page);
    return ret;
  }

  /**
   * Calls map_pages over the fault_around_bytes window around the address: aligned on the
   * virtual address (then moved up to vm_start if it began before the VMA), at most
   * fault_around_bytes long, cut at the VMA's end and the page table's end. Kernel: `do_fault_around()`.
   * @returns map_pages' result: VM_FAULT_NOPAGE when the faulting address got its PTE, 0 otherwise, VM_FAULT_OOM
   */
  private doFaultAround(vmf: VmFault, ops: VmOperationsStruct): number {
    const vma = vmf.vma!;
    const nrPages = this.faultAround / PAGE;
    const span = nrPages * PAGE;
    const address = Math.max(vmf.address - (vmf.address & (span - 1)), vma.vmStart);
    const off = ((vmf.address - address) / PAGE) & (PTRS_PER_PTE - 1);
    const startPgoff = vmf.pgoff - off;
    // end_pgoff: the end of the page table, the end of the VMA or nr_pages from start_pgoff, whichever is nearest
    let endPgoff = startPgoff - ((address / PAGE) & (PTRS_PER_PTE - 1)) + PTRS_PER_PTE - 1;
    endPgoff = Math.min(endPgoff, vma.pages() + vma.vmPgoff - 1, startPgoff + nrPages - 1);
    if (this.m.store.readLo(this.pmdp) === 0 && this.m.store.readHi(this.pmdp) === 0) {
      this.m.alloc.cpu = this.m.cpu;
      this.preallocPte = this.m.alloc.pteAllocOne();
      if (this.preallocPte === NULL_ENTRY) return VM_FAULT_OOM;
    }
    return ops.mapPages!(vmf, startPgoff, endPgoff);
  }

  /**
   * vm_ops->fault, after preallocating the PTE table when the pmd has none (6.1 allocates it
   * before taking the page lock). Kernel: `__do_fault()`.
   */
  private __doFault(vmf: VmFault, ops: VmOperationsStruct): number {
    if (this.preallocPte === NULL_ENTRY && this.m.store.readLo(this.pmdp) === 0 && this.m.store.readHi(this.pmdp) === 0) {
      this.m.alloc.cpu = this.m.cpu;
      this.preallocPte = this.m.alloc.pteAllocOne();
      if (this.preallocPte === NULL_ENTRY) return VM_FAULT_OOM;
    }
    return ops.fault(vmf);
  }

  /**
   * A private write: a new anonymous page (the VMA's anon_vma prepared), a copy of the file
   * page's contents, mapped writable and dirty with an anonymous rmap; the file page's reference
   * is dropped and the page cache keeps it. Kernel: `do_cow_fault()`.
   */
  private doCowFault(vmf: VmFault): number {
    const m = this.m;
    const vma = vmf.vma!;
    if (m.rmap.anonVmaPrepare(vma) !== 0) return VM_FAULT_OOM;
    const pfn = m.pages.allocPages(GFP_HIGHUSER_MOVABLE, 0, m.cpu); // alloc_page_vma
    if (pfn === NIL_PFN) return VM_FAULT_OOM;
    const mem = this.mem;
    if (m.memcg !== null && m.memcgChargeFailed(mem.pfnToPage(pfn))) return VM_FAULT_OOM; // mem_cgroup_charge(cow_page, GFP_KERNEL)
    vmf.cowPage = mem.pfnToPage(pfn);
    let ret = this.__doFault(vmf, vma.vmOps!);
    if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) {
      m.putPage(vmf.cowPage);
      return ret;
    }
    if ((ret & VM_FAULT_DONE_COW) !== 0) return ret;
    m.contents.copy(pfn, mem.pageToPfn(vmf.page)); // copy_user_highpage
    mem.flags[vmf.cowPage] |= 1 << PG_uptodate;
    ret |= this.finishFault(vmf);
    m.putPage(vmf.page);
    if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) {
      m.putPage(vmf.cowPage);
      return ret;
    }
    this.stats[FF_COW]!++;
    return ret;
  }

  /**
   * A shared write: ->fault, page_mkwrite (the file may refuse: SIGBUS past EOF), the page mapped
   * writable and dirty, then fault_dirty_shared_page. Kernel: `do_shared_fault()`.
   */
  private doSharedFault(vmf: VmFault, ops: VmOperationsStruct): number {
    let ret = this.__doFault(vmf, ops);
    if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) return ret;
    // Check if the backing address space wants to know that the page is about to become writable
    if (ops.pageMkwrite !== undefined) {
      const tmp = this.doPageMkwrite(vmf, ops);
      if (tmp === 0 || (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) !== 0) {
        this.m.putPage(vmf.page);
        return tmp;
      }
    }
    ret |= this.finishFault(vmf);
    if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) !== 0) {
      this.m.putPage(vmf.page);
      return ret;
    }
    this.stats[FF_SHARED]!++;
    ret |= this.faultDirtySharedPage(vmf, ops);
    return ret;
  }

  /**
   * Tells the file its page is about to become writable (flags WRITE|MKWRITE for the call).
   * Kernel: `do_page_mkwrite()` (no swap files among the files here).
   * @returns page_mkwrite's result with VM_FAULT_LOCKED, or 0 when the page left its file meanwhile (retry the fault)
   */
  private doPageMkwrite(vmf: VmFault, ops: VmOperationsStruct): number {
    const oldFlags = vmf.flags;
    vmf.flags = FAULT_FLAG_WRITE | FAULT_FLAG_MKWRITE;
    this.stats[FF_MKWRITE]!++;
    let ret = ops.pageMkwrite!(vmf);
    vmf.flags = oldFlags;
    if ((ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) !== 0) return ret;
    if ((ret & VM_FAULT_LOCKED) === 0) {
      // lock_page; a page truncated meanwhile has no mapping any more
      if (this.mem.mapping[vmf.page]! === 0) return 0;
      ret |= VM_FAULT_LOCKED;
    }
    return ret;
  }

  /** A shared mapping's page was dirtied by a write fault. Kernel: `fault_dirty_shared_page()` (set_page_dirty + balance_dirty_pages_ratelimited: vm_ops'). */
  private faultDirtySharedPage(vmf: VmFault, ops: VmOperationsStruct): number {
    ops.dirtySharedPage(vmf, vmf.page);
    return 0;
  }

  /**
   * Maps vmf's page (or the COW copy of a private write) at the fault address, installing the
   * preallocated PTE table if the pmd has none. Kernel: `finish_fault()` (no do_set_pmd: no file THPs).
   * @returns 0, VM_FAULT_NOPAGE when a PTE appeared meanwhile, VM_FAULT_OOM
   */
  private finishFault(vmf: VmFault): number {
    const vma = vmf.vma!;
    const page = (vmf.flags & FAULT_FLAG_WRITE) !== 0 && (vma.vmFlags & VM_SHARED) === 0 ? vmf.cowPage : vmf.page;
    const w0 = this.pteWord0 >= 0 ? this.pteWord0 : this.installPte();
    if (w0 < 0) return VM_FAULT_OOM;
    const w = w0 + 2 * ((vmf.address / PAGE) & (PTRS_PER_PTE - 1));
    const words = this.store.words;
    if (words[w] !== 0 || words[w + 1] !== 0) return VM_FAULT_NOPAGE;
    this.setPte(vmf, page, vmf.address, w);
    return 0;
  }

  /**
   * The pmd gets its PTE table if it has none: the preallocated one (pmd_install), else a new
   * one (pte_alloc). @returns the word index of the table's first PTE (kept in pteWord0), or -1 on -ENOMEM
   */
  private installPte(): number {
    const store = this.store;
    const pmdp = this.pmdp;
    if (store.readLo(pmdp) === 0 && store.readHi(pmdp) === 0) {
      const pgt = this.vmf.vma!.vmMm.pgtables!;
      if (this.preallocPte !== NULL_ENTRY) {
        if (pmdInstall(store, pgt, pmdp, this.preallocPte)) this.preallocPte = NULL_ENTRY;
      } else {
        this.m.alloc.cpu = this.m.cpu;
        if (pteAlloc(this.m.alloc, pgt, pmdp)) return -1;
      }
    }
    // the PTEs of one table are consecutive words
    const a = this.vmf.address;
    this.pteWord0 = store.entryWord(pteOffsetKernel(store, pmdp, a - (a & (PAGE * PTRS_PER_PTE - 1))));
    return this.pteWord0;
  }

  // ------------------------------------------------------------------ do_set_pte (the FaultAroundSink)

  /**
   * map_pages' do_set_pte for one cached page at `address` of vmf's VMA: the pmd gets the
   * preallocated table if it has none (filemap_map_pmd's pmd_install), and the page is mapped if
   * its PTE is still none. The page arrives with the reference its PTE keeps.
   * Kernel: filemap_map_pages' `pte_none()` check + `do_set_pte()`.
   * @returns true if mapped; false (the caller drops its reference) if a PTE was there
   */
  doSetPte(vmf: VmFault, page: number, address: number): boolean {
    const w0 = this.pteWord0 >= 0 ? this.pteWord0 : this.installPte();
    if (w0 < 0) return false;
    const w = w0 + 2 * ((address / PAGE) & (PTRS_PER_PTE - 1));
    const words = this.store.words;
    if (words[w] !== 0 || words[w + 1] !== 0) return false;
    this.setPte(vmf, page, address, w);
    this.stats[FF_AROUND_PTES]!++;
    return true;
  }

  /**
   * The PTE of `page` at `addr`: vm_page_prot, old if prefaulted on a CPU with hardware AF,
   * dirty and writable for a write fault; a private write's COW page gets an anonymous rmap and
   * MM_ANONPAGES, any other page a file rmap and MM_FILEPAGES / MM_SHMEMPAGES (through the
   * task's batched rss). Kernel: `do_set_pte()`.
   */
  private setPte(vmf: VmFault, page: number, addr: number, w: number): void {
    const m = this.m;
    const vma = vmf.vma!;
    const write = (vmf.flags & FAULT_FLAG_WRITE) !== 0;
    const t = pfnPte(this.mem.pageToPfn(page), this.prot!, this.t); // mk_pte
    if (vmf.address !== addr && this.hwAf) pteMkold(t); // prefault && arch_wants_old_prefaulted_pte()
    if (write) {
      pteMkdirty(t);
      if ((vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t); // maybe_mkwrite
    }
    const mm = vma.vmMm;
    if (write && (vma.vmFlags & VM_SHARED) === 0) {
      // copy-on-write page
      addMmCounterFast(m.current, mm, MM_ANONPAGES, 1);
      m.rmap.pageAddNewAnonRmap(page, vma, addr, false);
      m.lru?.folioAddLruVma(page, vma.vmFlags, m.cpu);
    } else {
      // mm_counter_file(): page-cache folios are order 0 here, PG_swapbacked is on the page itself
      addMmCounterFast(m.current, mm, (this.mem.flags[page]! & (1 << PG_swapbacked)) !== 0 ? MM_SHMEMPAGES : MM_FILEPAGES, 1);
      m.rmap.pageAddFileRmap(page, vma, false);
      mlockVmaPage(m, page, vma); // page_add_file_rmap → mlock_vma_page
    }
    const words = this.store.words;
    words[w] = t.lo;
    words[w + 1] = t.hi;
  }

  // ------------------------------------------------------------------ wp_page_shared

  /**
   * A write to a present read-only PTE of a shared writable mapping (write-notify, or after
   * mprotect): page_mkwrite if the file has it, then the PTE made young, dirty and writable in
   * place (wp_page_reuse), then fault_dirty_shared_page. A PTE without a struct page
   * (VM_PFNMAP/MIXEDMAP) is only made writable (wp_pfn_shared). Kernel: `wp_page_shared()`.
   * @param page the page the PTE maps, or -1
   * @returns a vm_fault_t (VM_FAULT_WRITE on success)
   */
  wpPageShared(vma: VmAreaStruct, address: number, ptep: number, page: number): number {
    const m = this.m;
    const store = this.store;
    const w = store.entryWord(ptep);
    const origLo = store.words[w]!;
    const origHi = store.words[w + 1]!;
    const ops = vma.vmOps;
    if (page < 0) {
      // wp_pfn_shared (no pfn_mkwrite here)
      this.wpPageReuse(vma, address, ptep);
      return VM_FAULT_WRITE;
    }
    const vmf = this.vmf.set(vma, address - (address & (PAGE - 1)), FAULT_FLAG_WRITE);
    vmf.page = page;
    this.mem.refcount[m.rmap.compoundHead(page)]!++; // get_page
    let ret = VM_FAULT_WRITE;
    if (ops !== null && ops.pageMkwrite !== undefined) {
      const tmp = this.doPageMkwrite(vmf, ops);
      if (tmp === 0 || (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) !== 0) {
        m.putPage(page);
        return tmp;
      }
      // finish_mkwrite_fault: another fault may have changed the PTE meanwhile
      if (store.words[w] !== origLo || store.words[w + 1] !== origHi) {
        m.putPage(page);
        return VM_FAULT_NOPAGE;
      }
    }
    this.wpPageReuse(vma, address, ptep);
    this.stats[FF_WP_SHARED]!++;
    if (ops !== null) ret |= this.faultDirtySharedPage(vmf, ops);
    m.putPage(page);
    return ret;
  }

  /** The PTE made young, dirty and writable in place. Kernel: `wp_page_reuse()`. */
  private wpPageReuse(vma: VmAreaStruct, address: number, ptep: number): void {
    const store = this.store;
    const t = this.t.set(store.readLo(ptep), store.readHi(ptep));
    t.lo = (t.lo | PTE_AF) >>> 0; // pte_mkyoung
    pteMkdirty(t);
    if ((vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t); // maybe_mkwrite
    store.write(ptep, t.lo, t.hi); // ptep_set_access_flags: the PTE only gains permissions, no flush
    this.m.vmstat.countVmEvent(PGREUSE);
    void address;
  }

  // ------------------------------------------------------------------ zap

  /**
   * zap_pte_range's part for a file page whose PTE was just cleared: a dirty PTE dirties the
   * page (folio_mark_dirty: the mapping's accounting), a young one marks it accessed unless the
   * VMA is VM_SEQ_READ, and the page leaves MM_FILEPAGES / MM_SHMEMPAGES. The page-cache
   * reference stays (the PTE's goes with page_remove_rmap + put_page, the caller's).
   * Kernel: `zap_pte_range()`'s `!PageAnon(page)` branch and `rss[mm_counter(page)]--`.
   */
  zapFilePte(vma: VmAreaStruct, page: number, lo: number, hi: number, rss: Float64Array): void {
    const mem = this.mem;
    if ((hi & PTE_DIRTY_HI) !== 0 || ((hi & PTE_WRITE_HI) !== 0 && (lo & PTE_RDONLY) === 0)) {
      this.m.rmap.folioMarkDirty(page); // set_page_dirty (force_flush: the caller flushes the range)
    }
    if ((lo & PTE_AF) !== 0 && (vma.vmFlags & VM_SEQ_READ) === 0) {
      // mark_page_accessed(): folio_mapping() is the VMA's file's mapping unless the page left it
      if (vma !== this.zapVma) {
        this.zapVma = vma;
        this.zapMapping = vmaFileMapping(vma);
      }
      const mapping = this.zapMapping !== null && mem.mapping[page] === this.zapMapping.id ? this.zapMapping : this.m.rmap.pageFileMapping(page);
      if (mapping !== null && mapping.markAccessed !== undefined) mapping.markAccessed(page);
      else mem.flags[page] |= 1 << PG_referenced; // folio_mark_accessed's first step
    }
    rss[(mem.flags[page]! & (1 << PG_swapbacked)) !== 0 ? MM_SHMEMPAGES : MM_FILEPAGES]!--; // mm_counter_file (order-0 page-cache folios)
  }

  /**
   * Unmaps pages [start, start + nr) of a file from every VMA that maps them (nr 0: to the end
   * of the file). `evenCows` (truncation, hole punching) also zaps the private COW copies in
   * those ranges; without it (page-cache invalidation) only the file's own pages go.
   * Kernel: `unmap_mapping_pages()` → `unmap_mapping_range_tree()` → `zap_page_range_single()`.
   */
  unmapMappingPages(mapping: VmFileMapping, start: number, nr: number, evenCows: boolean): void {
    const first = start;
    let last = start + nr - 1;
    if (last < first) last = Number.MAX_SAFE_INTEGER;
    if (mapping.iMmap.size === 0) return;
    for (const vma of [...mapping.iMmap]) {
      // vma_interval_tree_foreach(vma, &mapping->i_mmap, first_index, last_index)
      const vba = vma.vmPgoff;
      const vea = vba + vma.pages() - 1;
      if (vea < first || vba > last) continue;
      const zba = Math.max(first, vba);
      const zea = Math.min(last, vea);
      const s = (zba - vba) * PAGE + vma.vmStart;
      const e = (zea - vba + 1) * PAGE + vma.vmStart;
      if (evenCows) this.m.zapPageRange(vma, s, e);
      else this.zapFilePages(vma, s, e);
    }
  }

  /**
   * unmap_mapping_pages() over a byte range: the first page is rounded down, the length up
   * (0: to the end of the file). Kernel: `unmap_mapping_range()`.
   */
  unmapMappingRange(mapping: VmFileMapping, holebegin: number, holelen: number, evenCows: boolean): void {
    const hba = Math.floor(holebegin / PAGE);
    const hlen = Math.floor((holelen + PAGE - 1) / PAGE);
    this.unmapMappingPages(mapping, hba, hlen, evenCows);
  }

  /**
   * zap_page_range_single() with details.even_cows false: the PTEs of [start, end) that map
   * file pages go (should_zap_page), anonymous COW copies and swap entries stay. Only PTE
   * tables: file VMAs have no THP mappings here.
   */
  private zapFilePages(vma: VmAreaStruct, start: number, end: number): void {
    const m = this.m;
    const pgt = vma.vmMm.pgtables;
    if (pgt === null) return;
    const store = this.store;
    const rss = this.rss;
    rss.fill(0);
    let zapped = false;
    for (let addr = start; addr < end; addr += PAGE) {
      const pudp = pudOffset(store, pgdOffsetPgd(store, pgt.pgd, addr), addr);
      const pmdp = pudp === NULL_ENTRY ? NULL_ENTRY : pmdOffset(store, pudp, addr);
      if (pmdp === NULL_ENTRY || (store.readLo(pmdp) & 3) !== 3) {
        addr = Math.min(end, (Math.floor(addr / (PAGE * PTRS_PER_PTE)) + 1) * PAGE * PTRS_PER_PTE) - PAGE;
        continue;
      }
      const ptep = pteOffsetKernel(store, pmdp, addr);
      const w = store.entryWord(ptep);
      const lo = store.words[w]!;
      const hi = store.words[w + 1]!;
      if ((lo & PTE_VALID) === 0 && (hi & PTE_PROT_NONE_HI) === 0) continue; // none, or a swap entry (anonymous: should_zap_cows() is false)
      const page = m.vmNormalPage(lo, hi);
      if (page >= 0 && m.rmap.pageAnon(page)) continue;
      store.words[w] = 0;
      store.words[w + 1] = 0;
      zapped = true;
      if (page < 0) continue;
      this.zapFilePte(vma, page, lo, hi, rss);
      m.rmap.pageRemoveRmap(page, vma, false);
      munlockVmaPage(m, page, vma); // page_remove_rmap → munlock_vma_page
      m.putPage(page);
    }
    const mm = vma.vmMm;
    for (let i = 0; i < rss.length; i++) if (rss[i] !== 0) mm.rssStat[i]! += rss[i]!;
    if (zapped) m.flushTlbRange(mm, start, end);
  }
  private readonly rss = new Float64Array(4);
}
