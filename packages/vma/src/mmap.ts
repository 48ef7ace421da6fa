// Kernel: mm/mmap.c (do_mmap, mmap_region, get_unmapped_area, generic_get_unmapped_area_topdown, unmapped_area_topdown, unmapped_area, do_mas_munmap, do_mas_align_munmap, __vm_munmap, brk, do_brk_flags, expand_downwards, find_extend_vma), mm/util.c (vm_mmap_pgoff), mm/gup.c (__mm_populate, populate_vma_page_range), arch/arm64/kernel/sys.c (sys_mmap) (v6.1, the 6.1.y stable tree's unmapped_area{,_topdown} with the stack guard gap) — mmap, munmap and brk
/*
 * Each syscall returns what the kernel returns: an address, or a negative errno (brk: the new or
 * the old break). The page side goes through MmPageOps (unmap_region, populate); the anon_vma
 * side through AnonVmaOps; shared anonymous memory through VmFileOps.shmemZeroSetup.
 *
 * Layout rules (6.1, arm64, no randomisation of its own here: mmap_base is the mm's):
 *   - top-down placement below mm.mmapBase, the highest gap that fits (vm_unmapped_area), where
 *     a gap below a VM_GROWSDOWN VMA loses stack_guard_gap bytes (vm_start_gap); bottom-up from
 *     TASK_UNMAPPED_BASE (TASK_SIZE / 4) if the top-down search fails;
 *   - a hint address is taken when the range is free, page aligned up, at or above
 *     mmap_min_addr and clear of a stack's guard gap; MAP_FIXED takes it as it is (unmapping what
 *     was there); MAP_FIXED_NOREPLACE fails with -EEXIST instead.
 */
import { EACCES, EAGAIN, EBADF, EEXIST, EFAULT, EINVAL, ENOMEM, EOVERFLOW, EPERM, PAGE_SIZE } from "@mmsim/core";
import type { MmapContext } from "./mmap-context.ts";
import {
  canDoMlock, findVmaPrev, mayExpandVm, mlockFutureCheck, offsetInPage, pageAlign, pagesIn, removeVma, vmAreaAlloc, vmStatAccount, vmaLinkFile,
  vmaIsAccessible, vmaLink, VM_SPECIAL, VM_LOCKED_CLEAR_MASK,
} from "./mm-util.ts";
import type { MmStruct, VmAreaStruct, VmFile } from "./mm-types.ts";
import { OVERCOMMIT_NEVER } from "./overcommit.ts";
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_HUGETLB, MAP_LOCKED, MAP_NONBLOCK, MAP_NORESERVE, MAP_POPULATE,
  MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_SYNC, MAP_TYPE, PROT_EXEC, PROT_READ, PROT_WRITE, VM_ACCOUNT, VM_EXEC, VM_GROWSDOWN,
  VM_IO, VM_LOCKED, VM_LOCKONFAULT, VM_MAYEXEC, VM_MAYREAD, VM_MAYSHARE, VM_MAYWRITE, VM_NORESERVE, VM_PFNMAP, VM_READ, VM_SHARED,
  VM_SYNC, VM_WRITE, MAP_DENYWRITE, MAP_EXECUTABLE, MAP_STACK,
} from "./vm-flags.ts";
import { canVmaMergeAfter, canVmaMergeBefore, splitVmaUnchecked, vmaExpand } from "./vma-merge.ts";
import { hex } from "./vma-tree.ts";

/** Kernel: `EOPNOTSUPP` (95; not in @mmsim/core's list). */
export const EOPNOTSUPP = 95;

/** file->f_mode bits do_mmap checks. Kernel: `FMODE_READ`, `FMODE_WRITE` (include/linux/fs.h). */
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;

/** Kernel: `MAP_UNINITIALIZED` (uapi value; only honoured on NOMMU). */
export const MAP_UNINITIALIZED = 0x4000000;

/** The mmap flags a MAP_SHARED mapping silently keeps, and MAP_SHARED_VALIDATE accepts. Kernel: `LEGACY_MAP_MASK`. */
export const LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_GROWSDOWN
  | MAP_UNINITIALIZED | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;


/** Kernel: `VM_UNMAPPED_AREA_TOPDOWN`. */
export const VM_UNMAPPED_AREA_TOPDOWN = 1;

/** A request to vm_unmapped_area. Kernel: `struct vm_unmapped_area_info`. */
export interface VmUnmappedAreaInfo {
  flags: number;
  length: number;
  lowLimit: number;
  highLimit: number;
  alignMask: number;
  alignOffset: number;
}

/** Kernel: `vm_start_gap()`: a stack's start less stack_guard_gap (at least 0). */
export function vmStartGap(ctx: MmapContext, vma: VmAreaStruct): number {
  let start = vma.vmStart;
  if ((vma.vmFlags & VM_GROWSDOWN) !== 0) start = Math.max(0, start - ctx.stackGuardGap);
  return start;
}

/** Kernel: `vm_end_gap()` (no VM_GROWSUP on arm64). */
export function vmEndGap(vma: VmAreaStruct): number {
  return vma.vmEnd;
}

/** Kernel: `TASK_UNMAPPED_BASE` on arm64: PAGE_ALIGN(DEFAULT_MAP_WINDOW / 4). */
export function taskUnmappedBase(mm: MmStruct): number {
  return pageAlign(mm.taskSize / 4);
}

/**
 * The highest free range of info.length bytes within [lowLimit, highLimit), clear of a stack's
 * guard gap. Kernel: `unmapped_area_topdown()` (6.1.y, with its stack guard gap retry).
 * @returns the start address, or -ENOMEM
 */
export function unmappedAreaTopdown(ctx: MmapContext, mm: MmStruct, info: VmUnmappedAreaInfo): number {
  const length = info.length + info.alignMask;
  const lowLimit = Math.max(info.lowLimit, ctx.mmapMinAddr);
  let highLimit = info.highLimit;
  for (;;) {
    const last = mm.mt.emptyAreaRev(lowLimit, highLimit - 1, length);
    if (last < 0) return -ENOMEM;
    let gap = last + 1 - info.length;
    gap -= (gap - info.alignOffset) & info.alignMask;
    const gapEnd = last;
    const above = mm.mt.findVma(gapEnd);
    if (above !== null && (above.vmFlags & VM_GROWSDOWN) !== 0) {
      if (vmStartGap(ctx, above) <= gapEnd) {
        highLimit = vmStartGap(ctx, above);
        continue;
      }
    } else {
      const below = above !== null ? mm.mt.prev(above) : mm.mt.last();
      if (below !== null && vmEndGap(below) > gap) {
        highLimit = below.vmStart;
        continue;
      }
    }
    return gap;
  }
}

/**
 * The lowest free range of info.length bytes within [lowLimit, highLimit). Kernel: `unmapped_area()` (6.1.y).
 * @returns the start address, or -ENOMEM
 */
export function unmappedArea(ctx: MmapContext, mm: MmStruct, info: VmUnmappedAreaInfo): number {
  const length = info.length + info.alignMask;
  let lowLimit = Math.max(info.lowLimit, ctx.mmapMinAddr);
  const highLimit = info.highLimit;
  for (;;) {
    const first = mm.mt.emptyArea(lowLimit, highLimit - 1, length);
    if (first < 0) return -ENOMEM;
    let gap = first;
    gap += (info.alignOffset - gap) & info.alignMask;
    const above = mm.mt.findVma(gap);
    if (above !== null && (above.vmFlags & VM_GROWSDOWN) !== 0) {
      if (vmStartGap(ctx, above) < gap + length - 1) {
        lowLimit = above.vmEnd;
        continue;
      }
    } else {
      const below = above !== null ? mm.mt.prev(above) : mm.mt.last();
      if (below !== null && vmEndGap(below) > gap) {
        lowLimit = vmEndGap(below);
        continue;
      }
    }
    return gap;
  }
}

/** Kernel: `vm_unmapped_area()`. */
export function vmUnmappedArea(ctx: MmapContext, mm: MmStruct, info: VmUnmappedAreaInfo): number {
  return (info.flags & VM_UNMAPPED_AREA_TOPDOWN) !== 0 ? unmappedAreaTopdown(ctx, mm, info) : unmappedArea(ctx, mm, info);
}

/**
 * Places a mapping of `len` bytes: the hint if it fits, else the highest gap below mmap_base,
 * else bottom-up. Kernel: `generic_get_unmapped_area_topdown()` (arm64's mm->get_unmapped_area).
 * @returns the address, or -ENOMEM
 */
export function archGetUnmappedAreaTopdown(ctx: MmapContext, mm: MmStruct, addr: number, len: number, flags: number): number {
  const mmapEnd = mm.taskSize;
  const early = hintOrFixed(ctx, mm, addr, len, flags);
  if (early !== null) return early;
  const info: VmUnmappedAreaInfo = {
    flags: VM_UNMAPPED_AREA_TOPDOWN, length: len, lowLimit: Math.max(PAGE_SIZE, ctx.mmapMinAddr), highLimit: mm.mmapBase, alignMask: 0, alignOffset: 0,
  };
  let got = vmUnmappedArea(ctx, mm, info);
  if (got < 0) {
    info.flags = 0;
    info.lowLimit = taskUnmappedBase(mm);
    info.highLimit = mmapEnd;
    got = vmUnmappedArea(ctx, mm, info);
  }
  return got;
}

/**
 * The part both placements start with: too long (-ENOMEM), MAP_FIXED (the address as it is),
 * or a free, page-aligned hint clear of the neighbours' gaps. Kernel: the opening of
 * `generic_get_unmapped_area()` and `generic_get_unmapped_area_topdown()`.
 * @returns the address or -ENOMEM, or null when the search has to run
 */
function hintOrFixed(ctx: MmapContext, mm: MmStruct, addr: number, len: number, flags: number): number | null {
  const mmapEnd = mm.taskSize;
  if (len > mmapEnd - ctx.mmapMinAddr) return -ENOMEM;
  if ((flags & MAP_FIXED) !== 0) return addr;
  if (addr !== 0) {
    addr = pageAlign(addr);
    const vma = mm.mt.findVma(addr); // find_vma_prev
    const prev = vma !== null ? mm.mt.prev(vma) : mm.mt.last();
    if (mmapEnd - len >= addr && addr >= ctx.mmapMinAddr && (vma === null || addr + len <= vmStartGap(ctx, vma))
      && (prev === null || addr >= vmEndGap(prev))) {
      return addr;
    }
  }
  return null;
}

/**
 * Places a mapping of `len` bytes bottom-up (the legacy layout): the hint if it fits, else the
 * lowest gap at or above mmap_base. Kernel: `generic_get_unmapped_area()` (arch_get_unmapped_area).
 * @returns the address, or -ENOMEM
 */
export function archGetUnmappedArea(ctx: MmapContext, mm: MmStruct, addr: number, len: number, flags: number): number {
  const mmapEnd = mm.taskSize;
  const early = hintOrFixed(ctx, mm, addr, len, flags);
  if (early !== null) return early;
  return vmUnmappedArea(ctx, mm, { flags: 0, length: len, lowLimit: mm.mmapBase, highLimit: mmapEnd, alignMask: 0, alignOffset: 0 });
}

/**
 * Checks or chooses the address of a new mapping, through the mm's layout (top-down, or
 * bottom-up when `mm.legacyMmapLayout`). Kernel: `get_unmapped_area()` (shared
 * anonymous memory goes through shmem_get_unmapped_area, which with shmem THP "never" places it
 * as the generic function does).
 * @returns the address, or -ENOMEM / -EINVAL / -EPERM
 */
export function getUnmappedArea(ctx: MmapContext, mm: MmStruct, _file: VmFile | null, addr: number, len: number, _pgoff: number, flags: number): number {
  if (len > mm.taskSize) return -ENOMEM;
  const got = mm.legacyMmapLayout ? archGetUnmappedArea(ctx, mm, addr, len, flags) : archGetUnmappedAreaTopdown(ctx, mm, addr, len, flags);
  if (got < 0) return got;
  if (got > mm.taskSize - len) return -ENOMEM;
  if (offsetInPage(got)) return -EINVAL;
  // security_mmap_addr → cap_mmap_addr: below mmap_min_addr needs CAP_SYS_RAWIO.
  if (got < ctx.mmapMinAddr && !ctx.cred.sysRawio) return -EPERM;
  return got;
}

/** Kernel: `calc_vm_prot_bits()` (no PROT_BTI/PROT_MTE: the Cortex-A57 has neither). */
export function calcVmProtBits(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

/** Kernel: `calc_vm_flag_bits()`. */
export function calcVmFlagBits(flags: number): number {
  return (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) | (flags & MAP_LOCKED ? VM_LOCKED : 0) | (flags & MAP_SYNC ? VM_SYNC : 0);
}

/** Kernel: `round_hint_to_min()`. */
function roundHintToMin(ctx: MmapContext, hint: number): number {
  hint -= hint % PAGE_SIZE;
  if (hint !== 0 && hint < ctx.mmapMinAddr) return pageAlign(ctx.mmapMinAddr);
  return hint;
}

/** Pages of the VMAs that [addr, end) overlaps. Kernel: `count_vma_pages_range()`. */
export function countVmaPagesRange(mm: MmStruct, addr: number, end: number): number {
  let n = 0;
  for (let v = mm.mt.intersection(addr, end); v !== null && v.vmStart < end; v = mm.mt.next(v)) {
    n += pagesIn(Math.max(addr, v.vmStart), Math.min(end, v.vmEnd));
  }
  return n;
}

/** Kernel: `accountable_mapping()`: private writable without MAP_NORESERVE (no hugetlbfs). */
function accountableMapping(vmFlags: number): boolean {
  return (vmFlags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE;
}

/**
 * Makes the VMA for [addr, addr + len): unmaps what is there (MAP_FIXED), charges overcommit,
 * merges with the neighbours (vma_expand) or links a new VMA, and counts it. Kernel: `mmap_region()`.
 * @returns addr, or -ENOMEM
 */
export function mmapRegion(ctx: MmapContext, mm: MmStruct, file: VmFile | null, addr: number, len: number, vmFlags: number, pgoff: number): number {
  const pglen = len / PAGE_SIZE;
  const end = addr + len;
  if (!mayExpandVm(ctx, mm, vmFlags, pglen)) {
    const nrPages = countVmaPagesRange(mm, addr, end);
    if (!mayExpandVm(ctx, mm, vmFlags, pglen - nrPages)) return -ENOMEM;
  }
  if (doVmiMunmap(ctx, mm, addr, len) !== 0) return -ENOMEM;
  let charged = 0;
  if (accountableMapping(vmFlags)) {
    charged = pglen;
    if (ctx.overcommit.vmEnoughMemory(mm, charged) !== 0) return -ENOMEM;
    vmFlags |= VM_ACCOUNT;
  }
  const next = mm.mt.findVma(addr);
  const prev = next !== null ? mm.mt.prev(next) : mm.mt.last();
  let vma: VmAreaStruct | null = null;
  if ((vmFlags & VM_SPECIAL) === 0) {
    let mergeStart = addr;
    let mergeEnd = end;
    let vmPgoff = pgoff;
    if (next !== null && next.vmStart === end && canVmaMergeBefore(next, vmFlags, null, file, pgoff + pglen, null)) {
      mergeEnd = next.vmEnd;
      vma = next;
      vmPgoff = next.vmPgoff - pglen;
    }
    if (prev !== null && prev.vmEnd === addr && canVmaMergeAfter(prev, vmFlags, vma !== null ? vma.anonVma : null, file, pgoff, null)) {
      mergeStart = prev.vmStart;
      vma = prev;
      vmPgoff = prev.vmPgoff;
    }
    if (vma !== null && vmaExpand(ctx, mm, vma, mergeStart, mergeEnd, vmPgoff, next) !== 0) vma = null;
  }
  if (vma === null) {
    vma = vmAreaAlloc(mm, addr, end, vmFlags, pgoff);
    if (file !== null) {
      vma.vmFile = file;
      vmaLinkFile(ctx, vma);
      // call_mmap: the file sets vm_ops (generic_file_mmap, shmem_mmap) or refuses
      const err = file.mmap !== undefined ? file.mmap(vma) : 0;
      if (err !== 0) {
        removeVma(ctx, vma);
        if (charged !== 0) ctx.overcommit.vmUnacctMemory(charged);
        return err;
      }
    } else if ((vmFlags & VM_SHARED) !== 0) {
      const err = ctx.files.shmemZeroSetup(vma, ctx.overcommit);
      if (err !== 0) {
        if (charged !== 0) ctx.overcommit.vmUnacctMemory(charged);
        return err;
      }
      // the new shmem file's own reference is the VMA's; __vma_link_file puts the VMA on its i_mmap
      const mapping = vma.vmFile !== null ? vma.vmFile.mapping : null;
      if (mapping != null) mapping.iMmap.add(vma);
    }
    vmaLink(mm, vma);
  }
  vmStatAccount(mm, vmFlags, pglen);
  if ((vmFlags & VM_LOCKED) !== 0) {
    if ((vmFlags & VM_SPECIAL) !== 0) vma.vmFlags &= VM_LOCKED_CLEAR_MASK;
    else mm.lockedVm += pglen;
  }
  return addr;
}

/**
 * Validates an mmap request and maps it; sets ctx.mmapPopulate to the bytes vm_mmap_pgoff
 * should fault in (MAP_POPULATE, VM_LOCKED). Kernel: `do_mmap()`.
 * @returns the address, or a negative errno
 */
export function doMmap(ctx: MmapContext, mm: MmStruct, file: VmFile | null, addr: number, len: number, prot: number, flags: number, pgoff: number): number {
  ctx.mmapPopulate = 0;
  if (len === 0) return -EINVAL;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0) flags |= MAP_FIXED;
  if ((flags & MAP_FIXED) === 0) addr = roundHintToMin(ctx, addr);
  len = pageAlign(len);
  if (len === 0 || len > Number.MAX_SAFE_INTEGER) return -ENOMEM;
  if (pgoff + len / PAGE_SIZE > Number.MAX_SAFE_INTEGER) return -EOVERFLOW;
  if (mm.mapCount > ctx.maxMapCount) return -ENOMEM;
  addr = getUnmappedArea(ctx, mm, file, addr, len, pgoff, flags);
  if (addr < 0) return addr;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0 && mm.mt.intersection(addr, addr + len) !== null) return -EEXIST;
  let vmFlags = calcVmProtBits(prot) | calcVmFlagBits(flags) | mm.defFlags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  if ((flags & MAP_LOCKED) !== 0 && !canDoMlock(ctx)) return -EPERM;
  if (mlockFutureCheck(ctx, mm, vmFlags, len) !== 0) return -EAGAIN;
  if (file !== null) {
    const type = flags & MAP_TYPE;
    // a file without f_mode (a program image) is taken as opened O_RDWR
    const fMode = file.fMode ?? (FMODE_READ | FMODE_WRITE);
    if (type === MAP_SHARED || type === MAP_SHARED_VALIDATE) {
      // MAP_SHARED silently drops the flags MAP_SHARED_VALIDATE refuses.
      if (type === MAP_SHARED) flags &= LEGACY_MAP_MASK;
      if ((flags & ~LEGACY_MAP_MASK) !== 0) return -EOPNOTSUPP;
      if ((prot & PROT_WRITE) !== 0 && (fMode & FMODE_WRITE) === 0) return -EACCES;
      vmFlags |= VM_SHARED | VM_MAYSHARE;
      // a read-only shared mapping may never become writable: it is not VM_SHARED (maps still says 's': VM_MAYSHARE)
      if ((fMode & FMODE_WRITE) === 0) vmFlags &= ~(VM_MAYWRITE | VM_SHARED);
    } else if (type !== MAP_PRIVATE) {
      return -EINVAL;
    }
    if ((fMode & FMODE_READ) === 0) return -EACCES;
    if ((vmFlags & VM_GROWSDOWN) !== 0) return -EINVAL;
  } else {
    switch (flags & MAP_TYPE) {
      case MAP_SHARED:
        if ((vmFlags & VM_GROWSDOWN) !== 0) return -EINVAL;
        pgoff = 0;
        vmFlags |= VM_SHARED | VM_MAYSHARE;
        break;
      case MAP_PRIVATE:
        pgoff = addr / PAGE_SIZE;
        break;
      default:
        return -EINVAL;
    }
  }
  if ((flags & MAP_NORESERVE) !== 0 && ctx.overcommit.overcommitMemory !== OVERCOMMIT_NEVER) vmFlags |= VM_NORESERVE;
  const got = mmapRegion(ctx, mm, file, addr, len, vmFlags, pgoff);
  if (got >= 0 && ((vmFlags & VM_LOCKED) !== 0 || (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE)) ctx.mmapPopulate = len;
  return got;
}

/**
 * mmap(2) with a page offset: do_mmap, then fault in what MAP_POPULATE / VM_LOCKED ask for.
 * Kernel: `ksys_mmap_pgoff()` + `vm_mmap_pgoff()`.
 * @returns the address, or a negative errno (-EBADF: no file for a non-anonymous mapping;
 *   -ENOMEM for MAP_HUGETLB: no hugetlb pages are reserved in mmsim)
 */
export function ksysMmapPgoff(ctx: MmapContext, mm: MmStruct, addr: number, len: number, prot: number, flags: number, file: VmFile | null, pgoff: number): number {
  if ((flags & MAP_ANONYMOUS) === 0) {
    if (file === null) return -EBADF;
    if ((flags & MAP_HUGETLB) !== 0) return -EINVAL;
  } else {
    file = null;
    if ((flags & MAP_HUGETLB) !== 0) return -ENOMEM;
  }
  const ret = doMmap(ctx, mm, file, addr, len, prot, flags, pgoff);
  const populate = ctx.mmapPopulate;
  if (ret >= 0 && populate !== 0) mmPopulate(ctx, mm, ret, populate, true);
  return ret;
}

/**
 * mmap(2) as arm64's sys_mmap takes it: a byte offset that must be page aligned.
 * @returns the address, or a negative errno
 */
export function sysMmap(ctx: MmapContext, mm: MmStruct, addr: number, len: number, prot: number, flags: number, file: VmFile | null = null, off = 0): number {
  if (offsetInPage(off)) return -EINVAL;
  return ksysMmapPgoff(ctx, mm, addr, len, prot, flags, file, off / PAGE_SIZE);
}

/**
 * Unmaps [start, end) beginning at `vma` (the first VMA it overlaps): splits the VMAs at the
 * ends, takes the covered ones out of the tree, tears down their pages (unmap_region), and
 * uncounts them. Kernel: `do_mas_align_munmap()` (munmap_sidetree, remove_mt).
 * @returns 0 or -ENOMEM
 */
export function doVmiAlignMunmap(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, start: number, end: number): number {
  const mt = mm.mt;
  if (start > vma.vmStart) {
    // map_count may go one above the limit for a moment, not stay there.
    if (end < vma.vmEnd && mm.mapCount >= ctx.maxMapCount) return -ENOMEM;
    const err = splitVmaUnchecked(ctx, mm, vma, start, false);
    if (err !== 0) return err;
    vma = mt.lookup(start)!;
  }
  const prev = mt.prev(vma);
  const detach: VmAreaStruct[] = [];
  for (let v: VmAreaStruct | null = vma; v !== null && v.vmStart < end; v = mt.next(v)) {
    if (v.vmEnd > end) {
      const err = splitVmaUnchecked(ctx, mm, v, end, true);
      if (err !== 0) return err;
      detach.push(mt.lookup(end - 1)!);
      break;
    }
    detach.push(v);
  }
  const next = mt.next(detach[detach.length - 1]!);
  for (const v of detach) {
    // munmap_sidetree: a locked VMA going away.
    if ((v.vmFlags & VM_LOCKED) !== 0) {
      mm.lockedVm -= v.pages();
      const old = v.vmFlags;
      v.vmFlags &= VM_LOCKED_CLEAR_MASK;
      ctx.pageOps.mlockVmaPages?.(v, v.vmStart, v.vmEnd, old);
    }
  }
  for (const v of detach) mt.remove(v);
  mm.mapCount -= detach.length;
  ctx.pageOps.unmapRegion(mm, detach, start, end, prev, next);
  // remove_mt
  let nrAccounted = 0;
  for (const v of detach) {
    const n = v.pages();
    if ((v.vmFlags & VM_ACCOUNT) !== 0) nrAccounted += n;
    vmStatAccount(mm, v.vmFlags, -n);
    removeVma(ctx, v);
  }
  ctx.overcommit.vmUnacctMemory(nrAccounted);
  return 0;
}

/**
 * Unmaps [start, start + len). Kernel: `do_mas_munmap()` / `do_munmap()`.
 * @returns 0, -EINVAL (start not page aligned, range outside TASK_SIZE, len 0) or -ENOMEM
 */
export function doVmiMunmap(ctx: MmapContext, mm: MmStruct, start: number, len: number): number {
  if (offsetInPage(start) || start > mm.taskSize || len > mm.taskSize - start) return -EINVAL;
  const end = start + pageAlign(len);
  if (end === start) return -EINVAL;
  const vma = mm.mt.intersection(start, end);
  if (vma === null) return 0;
  return doVmiAlignMunmap(ctx, mm, vma, start, end);
}

/** munmap(2). Kernel: `__vm_munmap()`. @returns 0 or a negative errno */
export function sysMunmap(ctx: MmapContext, mm: MmStruct, addr: number, len: number): number {
  return doVmiMunmap(ctx, mm, addr, len);
}

/**
 * Grows the heap by [addr, addr + len): extends `vma` (the brk VMA) when its flags allow, else
 * links a new anonymous VMA. Kernel: `do_brk_flags()`.
 * @returns 0 or -ENOMEM
 */
export function doBrkFlags(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct | null, addr: number, len: number, flags: number): number {
  // VM_DATA_DEFAULT_FLAGS on arm64: VM_DATA_FLAGS_TSK_EXEC (no READ_IMPLIES_EXEC personality).
  flags |= VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT | mm.defFlags;
  const pages = len / PAGE_SIZE;
  if (!mayExpandVm(ctx, mm, flags, pages)) return -ENOMEM;
  if (mm.mapCount > ctx.maxMapCount) return -ENOMEM;
  if (ctx.overcommit.vmEnoughMemory(mm, pages) !== 0) return -ENOMEM;
  if (vma !== null && vma.vmEnd === addr && canVmaMergeAfter(vma, flags, null, null, addr / PAGE_SIZE, null)) {
    vma.vmEnd = addr + len;
    mm.mt.updated(vma);
  } else {
    vma = vmAreaAlloc(mm, addr, addr + len, flags, addr / PAGE_SIZE);
    vmaLink(mm, vma);
  }
  mm.totalVm += pages;
  mm.dataVm += pages;
  if ((flags & VM_LOCKED) !== 0) mm.lockedVm += pages;
  return 0;
}

/**
 * An anonymous, private, accounted mapping at a fixed address (exec's bss, the ELF loader's
 * set_brk): what is there is unmapped, and the new VMA extends the one below only when
 * can_vma_merge_after() accepts the caller's raw flags (0 or VM_EXEC), which no VMA has, so in
 * 6.1 exec's bss never extends its neighbour. Kernel: `vm_brk_flags()`.
 * @returns 0, -EINVAL (flags other than VM_EXEC), -ENOMEM
 */
export function vmBrkFlags(ctx: MmapContext, mm: MmStruct, addr: number, request: number, flags: number): number {
  if ((flags & ~VM_EXEC) !== 0) return -EINVAL;
  const len = pageAlign(request);
  if (len < request) return -ENOMEM;
  if (len === 0) return 0;
  // check_brk_limits()
  const mapped = getUnmappedArea(ctx, mm, null, addr, len, 0, MAP_FIXED);
  if (mapped < 0) return mapped;
  if (mlockFutureCheck(ctx, mm, mm.defFlags, len) !== 0) return -EAGAIN;
  let ret = doVmiMunmap(ctx, mm, addr, len);
  if (ret !== 0) return ret;
  let vma = findVmaPrev(mm, addr);
  if (vma === null || vma.vmEnd !== addr || !canVmaMergeAfter(vma, flags, null, null, addr / PAGE_SIZE, null)) vma = null;
  ret = doBrkFlags(ctx, mm, vma, addr, len, flags);
  if (ret === 0 && (mm.defFlags & VM_LOCKED) !== 0) mmPopulate(ctx, mm, addr, len, true);
  return ret;
}

/**
 * brk(2): moves the program break. Shrinking always works (unmapping the heap's tail); growing
 * needs the range free up to one page plus stack_guard_gap below the next VMA.
 * Kernel: `SYSCALL_DEFINE1(brk)`.
 * @returns the new break, or the old one when the request is refused (brk never returns an errno)
 */
export function sysBrk(ctx: MmapContext, mm: MmStruct, brk: number): number {
  const origbrk = mm.brk;
  const minBrk = ctx.compatBrk ? mm.endData : mm.startBrk;
  if (brk < minBrk) return origbrk;
  // check_data_rlimit
  if (ctx.rlimit.data !== Number.POSITIVE_INFINITY && brk - mm.startBrk + (mm.endData - mm.startData) > ctx.rlimit.data) return origbrk;
  const newbrk = pageAlign(brk);
  const oldbrk = pageAlign(mm.brk);
  if (oldbrk === newbrk) {
    mm.brk = brk;
    return brk;
  }
  if (brk <= mm.brk) {
    const brkvma = mm.mt.findVma(newbrk);
    if (brkvma === null || brkvma.vmStart >= oldbrk) return origbrk;
    mm.brk = brk;
    if (doVmiAlignMunmap(ctx, mm, brkvma, newbrk, oldbrk) !== 0) {
      mm.brk = origbrk;
      return origbrk;
    }
    return brk;
  }
  // check_brk_limits
  if (getUnmappedArea(ctx, mm, null, oldbrk, newbrk - oldbrk, 0, MAP_FIXED) < 0) return origbrk;
  if (mlockFutureCheck(ctx, mm, mm.defFlags, newbrk - oldbrk) !== 0) return origbrk;
  const next = mm.mt.findVma(oldbrk);
  if (next !== null && next.vmStart <= newbrk - 1 + PAGE_SIZE + ctx.stackGuardGap && newbrk + PAGE_SIZE > vmStartGap(ctx, next)) return origbrk;
  const below = findVmaPrev(mm, oldbrk);
  const brkvma = below !== null && below.vmEnd > mm.startBrk ? below : null;
  if (doBrkFlags(ctx, mm, brkvma, oldbrk, newbrk - oldbrk, 0) < 0) return origbrk;
  mm.brk = brk;
  if ((mm.defFlags & VM_LOCKED) !== 0) mmPopulate(ctx, mm, oldbrk, newbrk - oldbrk, true);
  return brk;
}

/**
 * Faults in [start, end) of one VMA as mlock and MAP_POPULATE do: nothing for VM_LOCKONFAULT,
 * write faults for private writable mappings (to break COW), -EFAULT for PROT_NONE (gup without
 * FOLL_FORCE). Kernel: `populate_vma_page_range()`.
 * @returns 0, or a negative errno
 */
export function populateVmaPageRange(ctx: MmapContext, vma: VmAreaStruct, start: number, end: number): number {
  if ((vma.vmFlags & VM_LOCKONFAULT) !== 0) return 0;
  if (!vmaIsAccessible(vma)) return -EFAULT; // check_vma_flags without FOLL_FORCE
  const write = (vma.vmFlags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  return ctx.pageOps.populate(vma, start, end, write);
}

/**
 * Faults in every VMA of [start, start + len), skipping VM_IO/VM_PFNMAP. Kernel: `__mm_populate()`.
 * @returns 0, or the first error if !ignoreErrors
 */
export function mmPopulate(ctx: MmapContext, mm: MmStruct, start: number, len: number, ignoreErrors: boolean): number {
  const end = start + len;
  for (let vma = mm.mt.intersection(start, end); vma !== null && vma.vmStart < end; vma = mm.mt.next(vma)) {
    if ((vma.vmFlags & (VM_IO | VM_PFNMAP)) !== 0) continue;
    const ret = populateVmaPageRange(ctx, vma, Math.max(start, vma.vmStart), Math.min(end, vma.vmEnd));
    if (ret < 0 && !ignoreErrors) return ret;
  }
  return 0;
}

/**
 * Checks and charges a stack growth of `grow` pages to `size` bytes. Kernel: `acct_stack_growth()`.
 * @returns 0 or -ENOMEM
 */
function acctStackGrowth(ctx: MmapContext, vma: VmAreaStruct, size: number, grow: number): number {
  const mm = vma.vmMm;
  if (!mayExpandVm(ctx, mm, vma.vmFlags, grow)) return -ENOMEM;
  if (size > ctx.rlimit.stack) return -ENOMEM;
  if ((vma.vmFlags & VM_LOCKED) !== 0) {
    const locked = mm.lockedVm + grow;
    if (locked > Math.floor(ctx.rlimit.memlock / PAGE_SIZE) && !ctx.cred.ipcLock) return -ENOMEM;
  }
  if (ctx.overcommit.vmEnoughMemory(mm, grow) !== 0) return -ENOMEM;
  return 0;
}

/**
 * Grows a VM_GROWSDOWN VMA down to `address` (a fault below the stack), keeping stack_guard_gap
 * from the accessible VMA below. Kernel: `expand_downwards()` (expand_stack on arm64).
 * @returns 0, -EPERM (below mmap_min_addr) or -ENOMEM
 */
export function expandStack(ctx: MmapContext, vma: VmAreaStruct, address: number): number {
  const mm = vma.vmMm;
  address -= address % PAGE_SIZE;
  if (address < ctx.mmapMinAddr) return -EPERM;
  const prev = mm.mt.prev(vma);
  if (prev !== null && (prev.vmFlags & VM_GROWSDOWN) === 0 && vmaIsAccessible(prev)) {
    if (address - prev.vmEnd < ctx.stackGuardGap) return -ENOMEM;
  }
  if (ctx.anonOps.anonVmaPrepare(vma) !== 0) return -ENOMEM;
  if (address < vma.vmStart) {
    const size = vma.vmEnd - address;
    const grow = (vma.vmStart - address) / PAGE_SIZE;
    if (grow > vma.vmPgoff) return -ENOMEM;
    const err = acctStackGrowth(ctx, vma, size, grow);
    if (err !== 0) return err;
    if ((vma.vmFlags & VM_LOCKED) !== 0) mm.lockedVm += grow;
    vmStatAccount(mm, vma.vmFlags, grow);
    vma.vmStart = address;
    vma.vmPgoff -= grow;
    mm.mt.updated(vma);
  }
  return 0;
}

/**
 * The VMA for `addr`, growing a stack down to it if that is what lies above. Kernel: `find_extend_vma()`.
 * @returns the VMA, or null (SIGSEGV)
 */
export function findExtendVma(ctx: MmapContext, mm: MmStruct, addr: number): VmAreaStruct | null {
  addr -= addr % PAGE_SIZE;
  const vma = mm.mt.findVma(addr);
  if (vma === null) return null;
  if (vma.vmStart <= addr) return vma;
  if ((vma.vmFlags & VM_GROWSDOWN) === 0) return null;
  const start = vma.vmStart;
  if (expandStack(ctx, vma, addr) !== 0) return null;
  if ((vma.vmFlags & VM_LOCKED) !== 0) populateVmaPageRange(ctx, vma, addr, start);
  return vma;
}

/** An address range for messages. */
export function fmtRange(start: number, end: number): string {
  return `[${hex(start)}, ${hex(end)})`;
}

