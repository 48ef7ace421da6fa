// Kernel: arch/arm64/mm/fault.c (do_page_fault, __do_page_fault, VM_FAULT_BADMAP/BADACCESS, the SIGSEGV codes), (v6.1) — a user access on the simulated Cortex-A57, and the fault it takes
/*
 * `userAccess(task, addr, access, content)` is what a workload's load or store does: the MMU
 * checks the leaf entry (EL0: valid, access flag set — no hardware AF on ARMv8.0 —, PTE_USER,
 * not PTE_RDONLY for a store — no DBM, so a clean writable PTE faults —, not UXN for a fetch);
 * when it faults, do_page_fault runs and the access is retried, as the CPU re-executes the
 * instruction. A store then records what it wrote (page-contents.ts). The MMU's TLB is not
 * consulted here: the machine's Mmu (hw-arm64) caches translations of these same tables and is
 * flushed through the flushTlbRange callback on every change, so walking the tables gives what
 * a TLB miss would; the lead's wiring puts the TLB in front for the cost model.
 *
 * A fault whose handler dropped mmap_lock to wait for I/O (VM_FAULT_RETRY: filemap_fault with
 * FAULT_FLAG_ALLOW_RETRY) is retried at once with FAULT_FLAG_TRIED, as 6.1's do_page_fault does;
 * handle_mm_fault counts pgfault on each attempt and the completed retry as a major fault.
 *
 * SIGSEGV is a result, not an exception: SEGV_MAPERR (no VMA, or below a VMA that may not grow)
 * or SEGV_ACCERR (the VMA's flags forbid the access). Such faults never reach handle_mm_fault,
 * so they are not counted in pgfault or min_flt (KERNEL-FACTS).
 *
 * Stack growth: a fault below a VM_GROWSDOWN VMA expands it with @mmsim/vma's expandStack
 * (mm/mmap.c's expand_downwards + acct_stack_growth: stack_guard_gap, RLIMIT_STACK, the commit
 * charge, all the machine's MmapContext's).
 */
import { MmBugError } from "@mmsim/core";
import { ACCESS_EXEC, ACCESS_WRITE, PTE_AF, PTE_RDONLY, PTE_USER, PTE_UXN_HI, PTE_VALID, type PgtableStore } from "@mmsim/hw-arm64";
import { type MmStruct, type MmapContext, type TaskStruct, VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE, type VmAreaStruct, expandStack } from "@mmsim/vma";
import { pmdTransHuge } from "./huge-memory.ts";
import {
  FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_INSTRUCTION, FAULT_FLAG_INTERRUPTIBLE, FAULT_FLAG_KILLABLE, FAULT_FLAG_TRIED, FAULT_FLAG_USER, FAULT_FLAG_WRITE,
  FS_STACK_GROW, type MmMemory, VM_FAULT_ERROR, VM_FAULT_OOM, VM_FAULT_RETRY, VM_FAULT_SIGBUS, VM_FAULT_HWPOISON, VM_FAULT_HWPOISON_LARGE,
} from "./memory.ts";
import { CONTENT_ZERO_ID } from "./page-contents.ts";
import { pmdWordOf, pteWordIndex, tableWordOf } from "./pgwalk.ts";

/** arm64's own vm_fault_t bits. Kernel: `VM_FAULT_BADMAP`, `VM_FAULT_BADACCESS` (arch/arm64/mm/fault.c). */
export const VM_FAULT_BADMAP = 0x010000;
export const VM_FAULT_BADACCESS = 0x020000;

/** What a faulting access ends in (0: handled, the access completed). */
export const FAULT_HANDLED = 0;
/** SIGSEGV, si_code SEGV_MAPERR (1): no mapping at the address. */
export const SEGV_MAPERR = 1;
/** SIGSEGV, si_code SEGV_ACCERR (2): the mapping forbids this access. */
export const SEGV_ACCERR = 2;
/** SIGBUS (BUS_ADRERR). */
export const FAULT_SIGBUS = 3;
/** VM_FAULT_OOM: pagefault_out_of_memory() (the OOM issue decides whom to kill). */
export const FAULT_OOM = 4;
export const faultResultNames: readonly string[] = Object.freeze(["ok", "SIGSEGV (SEGV_MAPERR)", "SIGSEGV (SEGV_ACCERR)", "SIGBUS", "OOM"]);

const PAGE = 4096;
/** Kernel: `FAULT_FLAG_DEFAULT` (include/linux/mm.h): what every user fault may do (drop mmap_lock and retry, be killed). */
const FAULT_FLAG_DEFAULT = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE | FAULT_FLAG_INTERRUPTIBLE;
/** mmsim's bound on VM_FAULT_RETRY loops (the kernel has none: a page cache that never finishes its I/O is a bug here). */
const MAX_FAULT_RETRIES = 8;

/** The arm64 user fault path of one machine. */
export class Arm64Fault {
  /** vm_fault_t of the last handle_mm_fault (or BADMAP/BADACCESS). */
  lastVmFault = 0;
  /** PFN the last completed access touched (-1 for none). */
  lastPfn = -1;
  /** The page tables' store, and the first address past the input range (2^VA_BITS). */
  private readonly store: PgtableStore;
  private readonly vaLimit: number;

  /**
   * @param m the page side (handle_mm_fault)
   * @param ctx the machine's mm context: expand_stack's limits and commit charge
   */
  constructor(
    readonly m: MmMemory,
    readonly ctx: MmapContext,
  ) {
    this.store = m.store;
    this.vaLimit = 2 ** m.store.vaBits;
  }

  /**
   * One EL0 load (ACCESS_READ), store (ACCESS_WRITE) or fetch (ACCESS_EXEC) by `task`, with
   * the faults the MMU raises on the way. A store records `content` in the page it wrote.
   * @returns FAULT_HANDLED, SEGV_MAPERR, SEGV_ACCERR, FAULT_SIGBUS or FAULT_OOM
   */
  userAccess(task: TaskStruct, addr: number, access: number, content = CONTENT_ZERO_ID): number {
    const mm = task.mm;
    if (mm === null) noMm(task);
    for (let attempt = 0; attempt < 4; attempt++) {
      const pfn = this.translate(mm, addr, access);
      if (pfn >= 0) {
        if ((access & ACCESS_WRITE) !== 0) this.m.contents.set(pfn, content);
        this.lastPfn = pfn;
        return FAULT_HANDLED;
      }
      const r = this.doPageFault(task, addr, access);
      if (r !== FAULT_HANDLED) {
        this.lastPfn = -1;
        return r;
      }
    }
    return stillFaults(addr);
  }

  /**
   * The MMU's walk and its permission check on the leaf entry for an EL0 access (no hardware AF
   * or DBM; leafPfn).
   * @returns the PFN accessed, or -1 when the access faults
   */
  translate(mm: MmStruct, addr: number, access: number): number {
    const pgt = mm.pgtables;
    if (pgt === null || addr < 0 || addr >= this.vaLimit) return -1;
    const store = this.store;
    // The walk reads 64 bits per level, from each descriptor straight to the next table's word (pgwalk.ts).
    let w = pmdWordOf(store, pgt.pgd, addr);
    if (w < 0) return -1;
    const words = store.words;
    const lo = words[w]!;
    const hi = words[w + 1]!;
    // Not a table: a huge PMD (bit 1 clear) or nothing to walk.
    if ((lo & 3) !== 3) return pmdTransHuge(lo, hi) ? leafPfn(lo, hi, access, Math.floor(addr / PAGE) & 511) : -1;
    w = tableWordOf(store, lo, hi);
    if (w < 0) return -1;
    w += pteWordIndex(addr);
    return leafPfn(words[w]!, words[w + 1]!, access, 0);
  }

  /**
   * Kernel: `do_page_fault()` → `__do_page_fault()`: find the VMA (growing a stack), check its
   * flags against the access, call handle_mm_fault, turn the result into a signal.
   */
  doPageFault(task: TaskStruct, addr: number, access: number): number {
    const mm = task.mm!;
    let vmFlags: number;
    let mmFlags = FAULT_FLAG_DEFAULT | FAULT_FLAG_USER;
    if ((access & ACCESS_EXEC) !== 0) {
      vmFlags = VM_EXEC;
      mmFlags |= FAULT_FLAG_INSTRUCTION;
    } else if ((access & ACCESS_WRITE) !== 0) {
      vmFlags = VM_WRITE;
      mmFlags |= FAULT_FLAG_WRITE;
    } else vmFlags = VM_READ | VM_WRITE | VM_EXEC; // write implies read; without EPAN exec implies read
    let fault: number;
    // a negative address is a TTBR1 (kernel) one: above every VMA, as find_vma sees it unsigned
    const vma = addr >= 0 && (addr < mm.taskSize || mm.taskSize === 0) ? mm.mt.findVma(addr) : null;
    if (vma === null) fault = VM_FAULT_BADMAP;
    else if (vma.vmStart > addr && ((vma.vmFlags & VM_GROWSDOWN) === 0 || this.expandStack(vma, addr) !== 0)) fault = VM_FAULT_BADMAP;
    else if ((vma.vmFlags & vmFlags) === 0) fault = VM_FAULT_BADACCESS;
    else {
      this.m.current = task;
      fault = this.m.handleMmFault(vma, addr, mmFlags);
      // The page cache dropped mmap_lock to wait for I/O (filemap_fault): retry, as a major fault.
      for (let retries = 0; (fault & VM_FAULT_RETRY) !== 0; retries++) {
        if (retries === MAX_FAULT_RETRIES) throw new MmBugError("fault.do_page_fault", `0x${addr.toString(16)}: still VM_FAULT_RETRY after ${retries} retries`);
        mmFlags |= FAULT_FLAG_TRIED;
        fault = this.m.handleMmFault(vma, addr, mmFlags);
      }
    }
    this.lastVmFault = fault;
    if ((fault & (VM_FAULT_ERROR | VM_FAULT_BADMAP | VM_FAULT_BADACCESS)) === 0) return FAULT_HANDLED;
    return faultSignal(fault);
  }

  /**
   * Kernel: `expand_stack()` (arm64: stacks grow down): @mmsim/vma's expandStack, counted in
   * mmsim's fault breakdown when the VMA grew.
   * @returns 0 or a negative errno
   */
  expandStack(vma: VmAreaStruct, address: number): number {
    const start = vma.vmStart;
    const err = expandStack(this.ctx, vma, address);
    if (err === 0 && vma.vmStart < start) this.m.stats[FS_STACK_GROW]!++;
    return err;
  }
}

/** The signal of a failed fault (do_page_fault's tail: VM_FAULT_OOM, SIGBUS, SIGSEGV with its code). */
function faultSignal(fault: number): number {
  if ((fault & VM_FAULT_OOM) !== 0) return FAULT_OOM;
  if ((fault & VM_FAULT_SIGBUS) !== 0 || (fault & (VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE)) !== 0) return FAULT_SIGBUS;
  return fault === VM_FAULT_BADACCESS ? SEGV_ACCERR : SEGV_MAPERR;
}

/** userAccess by a task without an mm (a kernel thread): a simulator bug. */
function noMm(task: TaskStruct): never {
  throw new MmBugError("fault.userAccess", `task ${task.pid} has no mm`);
}

/** An access that still faults after 4 handled faults: a simulator bug. */
function stillFaults(addr: number): never {
  throw new MmBugError("fault.userAccess", `access at 0x${addr.toString(16)} still faults after 4 handled faults`);
}

/**
 * The MMU's permission check on a leaf descriptor (lo, hi) for an EL0 access: valid, young (no
 * hardware AF), EL0-accessible, writable for a store (no DBM: a clean writable PTE faults),
 * executable for a fetch. @returns the PFN accessed (the block's PFN + `sub` for a huge PMD), or -1
 */
function leafPfn(lo: number, hi: number, access: number, sub: number): number {
  if ((lo & (PTE_VALID | PTE_AF | PTE_USER)) !== (PTE_VALID | PTE_AF | PTE_USER)) return -1;
  if ((access & ACCESS_WRITE) !== 0 && (lo & PTE_RDONLY) !== 0) return -1;
  if ((access & ACCESS_EXEC) !== 0 && (hi & PTE_UXN_HI) !== 0) return -1;
  return (hi & 0xffff) * 1048576 + ((lo & 0xfffff000) >>> 12) + sub;
}
