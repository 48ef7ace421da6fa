// Kernel: mm/mlock.c (do_mlock, apply_vma_lock_flags, mlock_fixup, count_mm_mlocked_page_nr, apply_mlockall_flags, mlock, mlock2, munlock, mlockall, munlockall), mm/gup.c (__mlock_posix_error_return) (v6.1) — locking ranges in memory
/*
 * mlock sets VM_LOCKED (mlock2's MLOCK_ONFAULT adds VM_LOCKONFAULT: lock pages as they are
 * faulted, do not fault them in) on the VMAs of the range, merging or splitting as mprotect does,
 * counts mm->locked_vm, and then faults the range in (__mm_populate; nothing for ONFAULT).
 * munlock clears both flags. mlockall(MCL_FUTURE) puts VM_LOCKED in mm->def_flags so later
 * mappings and brk growth are locked too. The pages themselves (Mlocked, unevictable LRU) are the
 * fault package's, through MmPageOps.mlockVmaPages.
 */
import { EAGAIN, EFAULT, EINVAL, ENOMEM, EPERM, PAGE_SIZE } from "@mmsim/core";
import type { MmapContext } from "./mmap-context.ts";
import { mmPopulate } from "./mmap.ts";
import { VM_LOCKED_CLEAR_MASK, VM_SPECIAL, canDoMlock, findVmaPrev, pageAlign } from "./mm-util.ts";
import type { MmStruct, VmAreaStruct } from "./mm-types.ts";
import { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MLOCK_ONFAULT, VM_HUGETLB, VM_LOCKED, VM_LOCKONFAULT } from "./vm-flags.ts";
import { splitVma, vmaMerge } from "./vma-merge.ts";

/**
 * Gives [start, end) of `vma` the lock flags in `newflags` (merging or splitting), counts
 * locked_vm, and mlocks or munlocks the present pages. Special VMAs are left as they are.
 * Kernel: `mlock_fixup()`.
 * @returns 0 or -ENOMEM
 */
export function mlockFixup(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, pprev: { v: VmAreaStruct | null }, start: number, end: number, newflags: number): number {
  const oldflags = vma.vmFlags;
  let ret = 0;
  if (newflags === oldflags || (oldflags & VM_SPECIAL) !== 0 || (oldflags & VM_HUGETLB) !== 0) {
    pprev.v = vma;
    return 0;
  }
  const pgoff = vma.vmPgoff + (start - vma.vmStart) / PAGE_SIZE;
  const merged = vmaMerge(ctx, mm, pprev.v, start, end, newflags, vma.anonVma, vma.vmFile, pgoff, vma.anonName);
  if (merged !== null) {
    vma = merged;
  } else {
    if (start !== vma.vmStart) ret = splitVma(ctx, mm, vma, start, true);
    if (ret === 0 && end !== vma.vmEnd) ret = splitVma(ctx, mm, vma, end, false);
    if (ret !== 0) {
      pprev.v = vma;
      return ret;
    }
  }
  let nrPages = (end - start) / PAGE_SIZE;
  if ((newflags & VM_LOCKED) === 0) nrPages = -nrPages;
  else if ((oldflags & VM_LOCKED) !== 0) nrPages = 0;
  mm.lockedVm += nrPages;
  const before = vma.vmFlags;
  vma.vmFlags = newflags;
  if (!((newflags & VM_LOCKED) !== 0 && (oldflags & VM_LOCKED) !== 0)) ctx.pageOps.mlockVmaPages?.(vma, start, end, before);
  pprev.v = vma;
  return 0;
}

/**
 * Sets or clears the lock flags over [start, start + len), which must be mapped without holes.
 * Kernel: `apply_vma_lock_flags()`.
 * @returns 0, -EINVAL (wraps) or -ENOMEM (a hole, or a split beyond max_map_count)
 */
export function applyVmaLockFlags(ctx: MmapContext, mm: MmStruct, start: number, len: number, flags: number): number {
  const end = start + len;
  if (end < start) return -EINVAL;
  if (end === start) return 0;
  let vma = mm.mt.lookup(start);
  if (vma === null) return -ENOMEM;
  const pprev = { v: start > vma.vmStart ? vma : findVmaPrev(mm, start) };
  let error = 0;
  for (let nstart = start; ;) {
    const newflags = (vma.vmFlags & VM_LOCKED_CLEAR_MASK) | flags;
    const tmp = Math.min(vma.vmEnd, end);
    error = mlockFixup(ctx, mm, vma, pprev, nstart, tmp, newflags);
    if (error !== 0) break;
    nstart = tmp;
    const prev = pprev.v!;
    if (nstart < prev.vmEnd) nstart = prev.vmEnd;
    if (nstart >= end) break;
    const nx = mm.mt.findVma(prev.vmEnd);
    if (nx === null || nx.vmStart !== nstart) {
      error = -ENOMEM;
      break;
    }
    vma = nx;
  }
  return error;
}

/** Pages of [start, start + len) already in VM_LOCKED VMAs. Kernel: `count_mm_mlocked_page_nr()`. */
export function countMmMlockedPageNr(mm: MmStruct, start: number, len: number): number {
  const end = len === 0 ? Number.MAX_SAFE_INTEGER : start + len;
  let count = 0;
  for (let v = mm.mt.findVma(start); v !== null && v.vmStart < end; v = mm.mt.next(v)) {
    if ((v.vmFlags & VM_LOCKED) === 0) continue;
    if (start > v.vmStart) count -= (start - v.vmStart) / PAGE_SIZE;
    if (end < v.vmEnd) {
      count += (end - v.vmStart) / PAGE_SIZE;
      break;
    }
    count += v.pages();
  }
  return count;
}

/** gup's errors as POSIX mlock names them. Kernel: `__mlock_posix_error_return()`. */
function mlockPosixErrorReturn(err: number): number {
  if (err === -EFAULT) return -ENOMEM;
  if (err === -ENOMEM) return -EAGAIN;
  return err;
}

/** Kernel: `do_mlock()`. @returns 0 or a negative errno */
function doMlock(ctx: MmapContext, mm: MmStruct, start: number, len: number, flags: number): number {
  if (!canDoMlock(ctx)) return -EPERM;
  len = pageAlign(len + (start % PAGE_SIZE));
  start -= start % PAGE_SIZE;
  const lockLimit = Math.floor(ctx.rlimit.memlock / PAGE_SIZE);
  let locked = len / PAGE_SIZE + mm.lockedVm;
  let error = -ENOMEM;
  if (locked > lockLimit && !ctx.cred.ipcLock) locked -= countMmMlockedPageNr(mm, start, len);
  if (locked <= lockLimit || ctx.cred.ipcLock) error = applyVmaLockFlags(ctx, mm, start, len, flags);
  if (error !== 0) return error;
  error = mmPopulate(ctx, mm, start, len, false);
  return error !== 0 ? mlockPosixErrorReturn(error) : 0;
}

/** mlock(2). @returns 0, -ENOMEM (unmapped, or over RLIMIT_MEMLOCK), -EPERM, -EAGAIN */
export function sysMlock(ctx: MmapContext, mm: MmStruct, start: number, len: number): number {
  return doMlock(ctx, mm, start, len, VM_LOCKED);
}

/** mlock2(2). @returns as mlock, and -EINVAL for an unknown flag */
export function sysMlock2(ctx: MmapContext, mm: MmStruct, start: number, len: number, flags: number): number {
  if ((flags & ~MLOCK_ONFAULT) !== 0) return -EINVAL;
  return doMlock(ctx, mm, start, len, (flags & MLOCK_ONFAULT) !== 0 ? VM_LOCKED | VM_LOCKONFAULT : VM_LOCKED);
}

/** munlock(2). @returns 0 or -ENOMEM */
export function sysMunlock(ctx: MmapContext, mm: MmStruct, start: number, len: number): number {
  len = pageAlign(len + (start % PAGE_SIZE));
  start -= start % PAGE_SIZE;
  return applyVmaLockFlags(ctx, mm, start, len, 0);
}

/** Kernel: `apply_mlockall_flags()` (errors of single VMAs are ignored). */
function applyMlockallFlags(ctx: MmapContext, mm: MmStruct, flags: number): number {
  mm.defFlags &= VM_LOCKED_CLEAR_MASK;
  if ((flags & MCL_FUTURE) !== 0) {
    mm.defFlags |= VM_LOCKED;
    if ((flags & MCL_ONFAULT) !== 0) mm.defFlags |= VM_LOCKONFAULT;
    if ((flags & MCL_CURRENT) === 0) return 0;
  }
  let toAdd = 0;
  if ((flags & MCL_CURRENT) !== 0) {
    toAdd |= VM_LOCKED;
    if ((flags & MCL_ONFAULT) !== 0) toAdd |= VM_LOCKONFAULT;
  }
  const pprev = { v: null as VmAreaStruct | null };
  for (let vma = mm.mt.first(); vma !== null;) {
    const end = vma.vmEnd;
    mlockFixup(ctx, mm, vma, pprev, vma.vmStart, vma.vmEnd, (vma.vmFlags & VM_LOCKED_CLEAR_MASK) | toAdd);
    vma = mm.mt.findVma(Math.max(end, pprev.v?.vmEnd ?? end));
  }
  return 0;
}

/** mlockall(2). @returns 0, -EINVAL (no or unknown flags, MCL_ONFAULT alone), -EPERM, -ENOMEM (total_vm over RLIMIT_MEMLOCK) */
export function sysMlockall(ctx: MmapContext, mm: MmStruct, flags: number): number {
  if (flags === 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) !== 0 || flags === MCL_ONFAULT) return -EINVAL;
  if (!canDoMlock(ctx)) return -EPERM;
  const lockLimit = Math.floor(ctx.rlimit.memlock / PAGE_SIZE);
  let ret = -ENOMEM;
  if ((flags & MCL_CURRENT) === 0 || mm.totalVm <= lockLimit || ctx.cred.ipcLock) ret = applyMlockallFlags(ctx, mm, flags);
  if (ret === 0 && (flags & MCL_CURRENT) !== 0) mmPopulate(ctx, mm, 0, mm.taskSize, true);
  return ret;
}

/** munlockall(2). @returns 0 */
export function sysMunlockall(ctx: MmapContext, mm: MmStruct): number {
  return applyMlockallFlags(ctx, mm, 0);
}
