// Kernel: kernel/fork.c (mm_init, mm_alloc, mmget, mmput, __mmput, dup_mm, dup_mmap, copy_mm), mm/mmap.c (exit_mmap), mm/memory.c (sync_mm_rss, add_mm_counter_fast, check_sync_rss_stat), include/linux/mm.h (get_mm_counter, get_mm_rss) (v6.1) — an mm's life: made, duplicated at fork, torn down at the last mmput
/*
 * An mm is made by mm_alloc() (exec) or dup_mm() (fork): a new MmStruct with its own VMA tree
 * and a pgd from hw-arm64's mm_alloc_pgd(). dup_mmap() copies every VMA of the parent
 * (vm_area_dup) except VM_DONTCOPY ones, gives each copy its anon_vma (anon_vma_fork, through
 * AnonVmaOps) and copies the page tables (copy_page_range, through MmPageOps) unless the VMA
 * is VM_WIPEONFORK; VM_LOCKED and VM_LOCKONFAULT are cleared in the child (mlock is not
 * inherited) and locked_vm/pinned_vm start at 0. The last mmput() runs exit_mmap(): the pages
 * and tables go through MmPageOps.exitMmap (whose free_pgtables unlinks the anon_vmas), the
 * VMAs are removed here, and the commit charge of the VM_ACCOUNT ones is given back through the
 * machine's VmOvercommit.
 *
 * The RSS counters follow SPLIT_RSS_COUNTING (6.1): a fault in the mm's own task adds to the
 * task's rss_stat (add_mm_counter_fast), folded into mm->rss_stat every 64 events
 * (check_sync_rss_stat) and at exit and exec (sync_mm_rss); get_mm_counter() reads mm->rss_stat
 * only, which is why /proc/<pid>/status lags behind smaps.
 */
import { ENOMEM, MmBugError } from "@mmsim/core";
import { type PgtableAllocator, mmAllocPgd, mmFreePgd } from "@mmsim/hw-arm64";
import type { MmapContext } from "./mmap-context.ts";
import { MMF_DUMP_FILTER_DEFAULT, MMF_INIT_MASK, MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MmStruct, NR_MM_COUNTERS, type TaskStruct, type VmaTree } from "./mm-types.ts";
import { removeVma, vmAreaDup, vmStatAccount, vmaLinkFile } from "./mm-util.ts";
import { VM_ACCOUNT, VM_DONTCOPY, VM_LOCKED, VM_LOCKONFAULT, VM_NOHUGEPAGE, VM_WIPEONFORK } from "./vm-flags.ts";

/** What the task and mm code needs from the rest of the machine. */
export interface MmEnv {
  /** Page-table frames (mm_alloc_pgd / pgd_free); its `cpu` is the caller's CPU. */
  readonly pgtableAlloc: PgtableAllocator;
  /**
   * The machine's mm syscall context: the sysctls and rlimits, the commit accounting
   * (`VmOvercommit`: security_vm_enough_memory_mm / vm_unacct_memory), memory.c's side
   * (`pageOps`: copy_page_range, exit_mmap's unmap, populate, move_page_tables …: @mmsim/fault)
   * and rmap.c's side (`anonOps`: anon_vma_fork, anon_vma_prepare: @mmsim/rmap).
   */
  readonly mmap: MmapContext;
  /** A new, empty VMA tree for a new mm (mm->mm_mt): the machine's MapleTree. */
  newVmaTree(): VmaTree;
}

// ---------------------------------------------------------------------------------------------
// RSS counters (SPLIT_RSS_COUNTING)
// ---------------------------------------------------------------------------------------------

/** Kernel: `TASK_RSS_EVENTS_THRESH`. */
export const TASK_RSS_EVENTS_THRESH = 64;

/** mm->rss_stat[member], never negative (a transient negative from batching reads 0). Kernel: `get_mm_counter()`. */
export function getMmCounter(mm: MmStruct, member: number): number {
  const v = mm.rssStat[member]!;
  return v < 0 ? 0 : v;
}

/** Kernel: `get_mm_rss()`: file + anon + shmem pages. */
export function getMmRss(mm: MmStruct): number {
  return getMmCounter(mm, MM_FILEPAGES) + getMmCounter(mm, MM_ANONPAGES) + getMmCounter(mm, MM_SHMEMPAGES);
}

/** Kernel: `add_mm_counter()`: straight into mm->rss_stat (a fault on another task's mm, copy_page_range, zap). */
export function addMmCounter(mm: MmStruct, member: number, value: number): void {
  mm.rssStat[member]! += value;
}

/**
 * A fault's counter update: into the batch of `task` (the kernel's `current`) when it runs on
 * this mm, else into the mm (a remote fault: gup on another mm, or no task: kernel context).
 * Kernel: `add_mm_counter_fast()`.
 */
export function addMmCounterFast(task: TaskStruct | null, mm: MmStruct, member: number, value: number): void {
  if (task !== null && task.mm === mm) task.rssStat[member]! += value;
  else mm.rssStat[member]! += value;
}

/** Folds the task's batched deltas into its mm. Kernel: `sync_mm_rss()`. */
export function syncMmRss(task: TaskStruct, mm: MmStruct): void {
  for (let i = 0; i < NR_MM_COUNTERS; i++) {
    const d = task.rssStat[i]!;
    if (d !== 0) {
      mm.rssStat[i]! += d;
      task.rssStat[i] = 0;
    }
  }
  task.rssEvents = 0;
}

/** Called at the start of each fault: folds every 65th event. Kernel: `check_sync_rss_stat()`. */
export function checkSyncRssStat(task: TaskStruct): void {
  if (task.rssEvents++ > TASK_RSS_EVENTS_THRESH && task.mm !== null) syncMmRss(task, task.mm);
}

// ---------------------------------------------------------------------------------------------
// mm lifetime
// ---------------------------------------------------------------------------------------------

/**
 * A new mm with an empty tree and its own pgd. Kernel: `mm_alloc()` → `mm_init()` (flags:
 * default_dump_filter; def_flags 0) → `mm_alloc_pgd()`.
 * @returns the mm, or -ENOMEM when no frame is left for the pgd
 */
export function mmAlloc(env: MmEnv, id: number): MmStruct | number {
  const mm = new MmStruct(id, env.newVmaTree());
  mm.flags = MMF_DUMP_FILTER_DEFAULT;
  const pgtables = mmAllocPgd(env.pgtableAlloc);
  if (pgtables === null) return -ENOMEM;
  mm.pgtables = pgtables;
  return mm;
}

/** Kernel: `mmget()`: one more user (a thread, get_task_mm). */
export function mmget(mm: MmStruct): void {
  mm.mmUsers++;
}

/**
 * Drops a user; the last one tears the address space down. Kernel: `mmput()` → `__mmput()` →
 * `exit_mmap()`, then `mmdrop()`.
 */
export function mmput(env: MmEnv, mm: MmStruct): void {
  if (mm.mmUsers <= 0) throw new MmBugError("vma.mmput", `mm ${mm.id} has mm_users ${mm.mmUsers}`);
  if (--mm.mmUsers === 0) {
    exitMmap(env, mm);
    mm.mmCount--;
  }
}

/**
 * Frees everything of a dying mm: MmPageOps.exitMmap (unmap_vmas, then free_pgtables, which
 * unlinks every VMA from its anon_vmas as 6.1's does, then the pgd), then every VMA is removed
 * (remove_vma: its file reference) and the commit charge of the VM_ACCOUNT ones given back.
 * Kernel: `exit_mmap()`.
 */
export function exitMmap(env: MmEnv, mm: MmStruct): void {
  const ctx = env.mmap;
  ctx.pageOps.exitMmap(mm);
  // mm_free_pgd() is part of MmPageOps.exitMmap; free the pgd here if it was left.
  if (mm.pgtables !== null && mm.pgtables.pgd >= 0) mmFreePgd(env.pgtableAlloc, mm.pgtables);
  mm.pgtables = null;
  const vmas = [...mm.mt];
  let nrAccounted = 0;
  for (const vma of vmas) {
    if ((vma.vmFlags & VM_ACCOUNT) !== 0) nrAccounted += vma.pages();
    mm.mt.remove(vma);
    mm.mapCount--;
    removeVma(ctx, vma);
  }
  if (nrAccounted > 0) ctx.overcommit.vmUnacctMemory(nrAccounted);
}

/**
 * Copies the parent's address space into a new mm. Kernel: `dup_mm()` (memcpy of the parent's
 * mm, mm_init, dup_mmap, then hiwater_rss = get_mm_rss, hiwater_vm = total_vm).
 * @returns the child's mm, or a negative errno (-ENOMEM), with nothing left allocated
 */
export function dupMm(env: MmEnv, oldmm: MmStruct, id: number): MmStruct | number {
  const mm = new MmStruct(id, env.newVmaTree());
  // memcpy(mm, oldmm): the layout fields and the counters dup_mmap overwrites anyway.
  mm.mmapBase = oldmm.mmapBase;
  mm.taskSize = oldmm.taskSize;
  mm.startCode = oldmm.startCode;
  mm.endCode = oldmm.endCode;
  mm.startData = oldmm.startData;
  mm.endData = oldmm.endData;
  mm.startBrk = oldmm.startBrk;
  mm.brk = oldmm.brk;
  mm.startStack = oldmm.startStack;
  mm.argStart = oldmm.argStart;
  mm.argEnd = oldmm.argEnd;
  mm.envStart = oldmm.envStart;
  mm.envEnd = oldmm.envEnd;
  // mm_init(): flags & MMF_INIT_MASK, def_flags & VM_INIT_DEF_MASK, locked/pinned 0, rss 0.
  mm.flags = oldmm.flags & MMF_INIT_MASK;
  mm.defFlags = oldmm.defFlags & VM_NOHUGEPAGE;
  const pgtables = mmAllocPgd(env.pgtableAlloc);
  if (pgtables === null) return -ENOMEM;
  mm.pgtables = pgtables;
  const err = dupMmap(env, mm, oldmm);
  if (err !== 0) {
    // dup_mm's free_pt: mmput() tears down what was copied.
    mmput(env, mm);
    return err;
  }
  mm.hiwaterRss = getMmRss(mm);
  mm.hiwaterVm = mm.totalVm;
  return mm;
}

/**
 * Copies every VMA and its page tables. Kernel: `dup_mmap()`.
 * @returns 0 or a negative errno (the VMAs copied so far stay in `mm` for the caller's mmput)
 */
export function dupMmap(env: MmEnv, mm: MmStruct, oldmm: MmStruct): number {
  const ctx = env.mmap;
  mm.totalVm = oldmm.totalVm;
  mm.dataVm = oldmm.dataVm;
  mm.execVm = oldmm.execVm;
  mm.stackVm = oldmm.stackVm;
  // ksm_fork / khugepaged_fork: MMF_VM_MERGEABLE / MMF_VM_HUGEPAGE registration is not modelled.
  for (const mpnt of oldmm.mt) {
    if ((mpnt.vmFlags & VM_DONTCOPY) !== 0) {
      vmStatAccount(mm, mpnt.vmFlags, -mpnt.pages());
      continue;
    }
    let charge = 0;
    if ((mpnt.vmFlags & VM_ACCOUNT) !== 0) {
      const len = mpnt.pages();
      // security_vm_enough_memory_mm(oldmm, len): the kernel charges against the parent (sic).
      if (ctx.overcommit.vmEnoughMemory(oldmm, len) !== 0) return -ENOMEM;
      charge = len;
    }
    const tmp = vmAreaDup(mpnt, mm);
    if ((tmp.vmFlags & VM_WIPEONFORK) !== 0) {
      // A clean slate in the child: no anon_vma until the first fault, no pages copied.
      tmp.anonVma = null;
    } else if (ctx.anonOps.anonVmaFork(tmp, mpnt) !== 0) {
      if (charge > 0) ctx.overcommit.vmUnacctMemory(charge);
      return -ENOMEM;
    }
    tmp.vmFlags &= ~(VM_LOCKED | VM_LOCKONFAULT);
    vmaLinkFile(ctx, tmp);
    mm.mt.insert(tmp);
    mm.mapCount++;
    let retval = 0;
    if ((tmp.vmFlags & VM_WIPEONFORK) === 0) retval = ctx.pageOps.copyPageRange(tmp, mpnt);
    if (retval !== 0) return retval;
  }
  return 0;
}
