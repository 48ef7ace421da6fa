// Kernel: mm/madvise.c (do_madvise, madvise_behavior_valid, madvise_walk_vmas, madvise_vma_behavior, madvise_update_vma, madvise_dontneed_free, madvise_populate, madvise_cold, madvise_pageout, madvise_willneed), mm/khugepaged.c (hugepage_madvise), mm/ksm.c (ksm_madvise), mm/gup.c (faultin_vma_page_range, check_vma_flags) (v6.1) — madvise
/*
 * The VMA-flag behaviours (RANDOM, SEQUENTIAL, NORMAL, DONTFORK, DOFORK, WIPEONFORK, KEEPONFORK,
 * DONTDUMP, DODUMP, HUGEPAGE, NOHUGEPAGE, MERGEABLE, UNMERGEABLE) set or clear a VM_ flag on the
 * range, merging or splitting VMAs (madvise_update_vma). The page behaviours act on the pages:
 * DONTNEED zaps them (MmPageOps.zapPageRange), POPULATE_READ/WRITE fault them in
 * (MmPageOps.populate); WILLNEED, COLD, PAGEOUT and FREE belong to swap and reclaim and go
 * through MadviseOps, after the kernel's argument and VMA checks. A range with holes is done
 * where mapped and then fails with -ENOMEM, as the man page says.
 *
 * Not modelled: MADV_REMOVE (-EINVAL for an anonymous private mapping, as in the kernel; shmem
 * hole punching comes with the files issue), MADV_COLLAPSE (khugepaged), MADV_HWPOISON and
 * MADV_SOFT_OFFLINE (-EINVAL: no CONFIG_MEMORY_FAILURE modelled).
 */
import { EACCES, EAGAIN, EFAULT, EINVAL, ENOMEM, PAGE_SIZE } from "@mmsim/core";
import type { MmapContext } from "./mmap-context.ts";
import { VM_SPECIAL, findVmaPrev, pageAlign } from "./mm-util.ts";
import { MMF_VM_MERGEABLE, type MmStruct, type VmAreaStruct } from "./mm-types.ts";
import {
  MADV_COLD, MADV_COLLAPSE, MADV_DODUMP, MADV_DOFORK, MADV_DONTDUMP, MADV_DONTFORK, MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_FREE,
  MADV_HUGEPAGE, MADV_KEEPONFORK, MADV_MERGEABLE, MADV_NOHUGEPAGE, MADV_NORMAL, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
  MADV_RANDOM, MADV_REMOVE, MADV_SEQUENTIAL, MADV_UNMERGEABLE, MADV_WILLNEED, MADV_WIPEONFORK, VM_DONTCOPY, VM_DONTDUMP, VM_DONTEXPAND,
  VM_HUGEPAGE, VM_HUGETLB, VM_IO, VM_LOCKED, VM_MAYSHARE, VM_MERGEABLE, VM_MIXEDMAP, VM_NOHUGEPAGE, VM_PFNMAP, VM_RAND_READ,
  VM_READ, VM_SEQ_READ, VM_SHARED, VM_WIPEONFORK, VM_WRITE,
} from "./vm-flags.ts";
import { splitVmaUnchecked, vmaMerge } from "./vma-merge.ts";

/** Kernel: `madvise_behavior_valid()` (KSM and THP configured; no CONFIG_MEMORY_FAILURE). */
export function madviseBehaviorValid(behavior: number): boolean {
  switch (behavior) {
    case MADV_DOFORK: case MADV_DONTFORK: case MADV_NORMAL: case MADV_SEQUENTIAL: case MADV_RANDOM: case MADV_REMOVE: case MADV_WILLNEED:
    case MADV_DONTNEED: case MADV_DONTNEED_LOCKED: case MADV_FREE: case MADV_COLD: case MADV_PAGEOUT: case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE: case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_COLLAPSE:
    case MADV_DONTDUMP: case MADV_DODUMP: case MADV_WIPEONFORK: case MADV_KEEPONFORK:
      return true;
    default:
      return false;
  }
}

type Pprev = { v: VmAreaStruct | null };

/**
 * Gives [start, end) of `vma` new flags (and name), merging or splitting. Kernel: `madvise_update_vma()`.
 * @returns 0 or -ENOMEM
 */
export function madviseUpdateVma(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, pprev: Pprev, start: number, end: number, newFlags: number, anonName: string | null): number {
  if (newFlags === vma.vmFlags && vma.anonName === anonName) {
    pprev.v = vma;
    return 0;
  }
  const pgoff = vma.vmPgoff + (start - vma.vmStart) / PAGE_SIZE;
  const merged = vmaMerge(ctx, mm, pprev.v, start, end, newFlags, vma.anonVma, vma.vmFile, pgoff, anonName);
  if (merged !== null) {
    vma = merged;
  } else {
    pprev.v = vma;
    if (start !== vma.vmStart) {
      if (mm.mapCount >= ctx.maxMapCount) return -ENOMEM;
      const err = splitVmaUnchecked(ctx, mm, vma, start, true);
      if (err !== 0) return err;
    }
    if (end !== vma.vmEnd) {
      if (mm.mapCount >= ctx.maxMapCount) return -ENOMEM;
      const err = splitVmaUnchecked(ctx, mm, vma, end, false);
      if (err !== 0) return err;
    }
  }
  pprev.v = vma;
  vma.vmFlags = newFlags;
  if (vma.vmFile === null) vma.anonName = anonName;
  return 0;
}

/** Kernel: `can_madv_lru_vma()`. */
function canMadvLruVma(vma: VmAreaStruct): boolean {
  return (vma.vmFlags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB)) === 0;
}

/**
 * MADV_POPULATE_READ/WRITE over one VMA's part: -EINVAL where gup may not fault
 * (check_vma_flags: VM_IO/VM_PFNMAP, a write to a non-writable or a read of a non-readable VMA).
 * Kernel: `madvise_populate()` / `faultin_vma_page_range()`.
 */
function madvisePopulate(ctx: MmapContext, vma: VmAreaStruct, start: number, end: number, write: boolean): number {
  const f = vma.vmFlags;
  if ((f & (VM_IO | VM_PFNMAP)) !== 0) return -EINVAL;
  if (write ? (f & VM_WRITE) === 0 : (f & VM_READ) === 0) return -EINVAL;
  const r = ctx.pageOps.populate(vma, start, end, write);
  if (r === 0) return 0;
  if (r === -EFAULT || r === -EINVAL || r === -ENOMEM) return r;
  return -ENOMEM;
}

/** One VMA's part of a madvise. Kernel: `madvise_vma_behavior()`. @returns 0 or a negative errno */
function madviseVmaBehavior(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, pprev: Pprev, start: number, end: number, behavior: number): number {
  let newFlags = vma.vmFlags;
  switch (behavior) {
    case MADV_REMOVE:
      // madvise_remove: a shared writable file mapping gets a hole punched (the page cache side
      // comes with the files issue; here this mapping's pages are zapped).
      pprev.v = null;
      if ((vma.vmFlags & VM_LOCKED) !== 0) return -EINVAL;
      if (vma.vmFile === null) return -EINVAL;
      if ((vma.vmFlags & (VM_SHARED | VM_WRITE)) !== (VM_SHARED | VM_WRITE)) return -EACCES;
      ctx.pageOps.zapPageRange(vma, start, end);
      return 0;
    case MADV_WILLNEED:
      pprev.v = vma;
      ctx.madvise.willneed(vma, start, end);
      return 0;
    case MADV_COLD:
      pprev.v = vma;
      if (!canMadvLruVma(vma)) return -EINVAL;
      ctx.madvise.cold(vma, start, end);
      return 0;
    case MADV_PAGEOUT:
      pprev.v = vma;
      if (!canMadvLruVma(vma)) return -EINVAL;
      // can_do_pageout: anonymous memory always; a file mapping's owner check comes with the files issue.
      ctx.madvise.pageout(vma, start, end);
      return 0;
    case MADV_FREE:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED: {
      pprev.v = vma;
      // madvise_dontneed_free_valid_vma
      const forbidden = VM_PFNMAP | (behavior !== MADV_DONTNEED_LOCKED ? VM_LOCKED : 0);
      if ((vma.vmFlags & forbidden) !== 0) return -EINVAL;
      if (behavior === MADV_FREE) {
        if (!vma.isAnonymous()) return -EINVAL;
        return ctx.madvise.free(vma, start, end);
      }
      ctx.pageOps.zapPageRange(vma, start, end);
      return 0;
    }
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
      pprev.v = vma;
      return madvisePopulate(ctx, vma, start, end, behavior === MADV_POPULATE_WRITE);
    case MADV_NORMAL:
      newFlags &= ~(VM_RAND_READ | VM_SEQ_READ);
      break;
    case MADV_SEQUENTIAL:
      newFlags = (newFlags & ~VM_RAND_READ) | VM_SEQ_READ;
      break;
    case MADV_RANDOM:
      newFlags = (newFlags & ~VM_SEQ_READ) | VM_RAND_READ;
      break;
    case MADV_DONTFORK:
      newFlags |= VM_DONTCOPY;
      break;
    case MADV_DOFORK:
      if ((vma.vmFlags & VM_IO) !== 0) return -EINVAL;
      newFlags &= ~VM_DONTCOPY;
      break;
    case MADV_WIPEONFORK:
      if (vma.vmFile !== null || (vma.vmFlags & VM_SHARED) !== 0) return -EINVAL;
      newFlags |= VM_WIPEONFORK;
      break;
    case MADV_KEEPONFORK:
      newFlags &= ~VM_WIPEONFORK;
      break;
    case MADV_DONTDUMP:
      newFlags |= VM_DONTDUMP;
      break;
    case MADV_DODUMP:
      if ((vma.vmFlags & VM_HUGETLB) === 0 && (newFlags & VM_SPECIAL) !== 0) return -EINVAL;
      newFlags &= ~VM_DONTDUMP;
      break;
    case MADV_MERGEABLE:
      // ksm_madvise: ignored where KSM would not go.
      if ((newFlags & (VM_MERGEABLE | VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_HUGETLB | VM_MIXEDMAP)) !== 0) break;
      if ((mm.flags & (1 << MMF_VM_MERGEABLE)) === 0) {
        const err = ctx.madvise.ksmEnter(mm);
        if (err !== 0) return err === -ENOMEM ? -EAGAIN : err;
        mm.flags |= 1 << MMF_VM_MERGEABLE;
      }
      newFlags |= VM_MERGEABLE;
      break;
    case MADV_UNMERGEABLE:
      if ((newFlags & VM_MERGEABLE) === 0) break;
      if (vma.anonVma !== null) {
        const err = ctx.madvise.unmergeKsmPages(vma, start, end);
        if (err !== 0) return err === -ENOMEM ? -EAGAIN : err;
      }
      newFlags &= ~VM_MERGEABLE;
      break;
    case MADV_HUGEPAGE:
      newFlags = (newFlags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
      break;
    case MADV_NOHUGEPAGE:
      newFlags = (newFlags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
      break;
    case MADV_COLLAPSE:
      // khugepaged's synchronous collapse: not modelled yet (a later THP issue).
      pprev.v = vma;
      return -EINVAL;
  }
  const err = madviseUpdateVma(ctx, mm, vma, pprev, start, end, newFlags, vma.anonName);
  return err === -ENOMEM ? -EAGAIN : err;
}

/**
 * madvise(2). Kernel: `do_madvise()` + `madvise_walk_vmas()`.
 * @returns 0; -EINVAL (unknown advice, unaligned start, wrapping range, advice the VMA refuses);
 *   -ENOMEM (part of the range unmapped: the mapped parts are still advised); -EAGAIN (a split
 *   beyond max_map_count, as madvise names -ENOMEM from the VMA code); -EFAULT (POPULATE hit a
 *   SIGBUS/SIGSEGV)
 */
export function sysMadvise(ctx: MmapContext, mm: MmStruct, start: number, lenIn: number, behavior: number): number {
  if (!madviseBehaviorValid(behavior)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  const len = pageAlign(lenIn);
  if (lenIn !== 0 && len === 0) return -EINVAL;
  const end = start + len;
  if (end < start || end > Number.MAX_SAFE_INTEGER) return -EINVAL;
  if (end === start) return 0;
  let vma = mm.mt.findVma(start);
  const pprev: Pprev = { v: vma !== null && start > vma.vmStart ? vma : findVmaPrev(mm, start) };
  let unmappedError = 0;
  for (;;) {
    if (vma === null) return -ENOMEM;
    if (start < vma.vmStart) {
      unmappedError = -ENOMEM;
      start = vma.vmStart;
      if (start >= end) break;
    }
    const tmp = Math.min(vma.vmEnd, end);
    const error = madviseVmaBehavior(ctx, mm, vma, pprev, start, tmp, behavior);
    if (error !== 0) return error;
    start = tmp;
    const prev = pprev.v;
    if (prev !== null && start < prev.vmEnd) start = prev.vmEnd;
    if (start >= end) break;
    vma = mm.mt.findVma(prev !== null ? prev.vmEnd : start);
  }
  return unmappedError;
}
