// Kernel: mm/mremap.c (mremap, mremap_to, move_vma, vma_to_resize, vma_expandable), mm/mmap.c (copy_vma) (v6.1) — resizing and moving mappings
/*
 * mremap shrinks in place (unmapping the tail), grows in place when the space after the VMA is
 * free (vma_merge of the extension: the VMA and possibly the next one merge), or, with
 * MREMAP_MAYMOVE, moves: a new VMA (copy_vma, merged with its new neighbours where possible),
 * the page tables moved (MmPageOps.movePageTables), the old range unmapped. MREMAP_FIXED moves to
 * new_addr, unmapping what is there; MREMAP_DONTUNMAP moves the pages but leaves the old VMA in
 * place, empty. Overcommit: the move keeps the charge of the moved pages (VM_ACCOUNT hidden from
 * the unmap of the old range) and charges only the growth.
 */
import { EAGAIN, EFAULT, EINVAL, ENOMEM, PAGE_SIZE } from "@mmsim/core";
import type { MmapContext } from "./mmap-context.ts";
import { doVmiMunmap, getUnmappedArea, mmPopulate } from "./mmap.ts";
import {
  VM_LOCKED_CLEAR_MASK, findVmaPrev, mayExpandVm, mlockFutureCheck, offsetInPage, pageAlign, vmAreaDup, vmStatAccount, vmaLink, vmaLinkFile,
} from "./mm-util.ts";
import type { MmStruct, VmAreaStruct } from "./mm-types.ts";
import {
  MAP_FIXED, MAP_SHARED, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, VM_ACCOUNT, VM_DONTEXPAND, VM_LOCKED, VM_MAYSHARE, VM_PFNMAP,
  VM_SHARED,
} from "./vm-flags.ts";
import { vmaMerge } from "./vma-merge.ts";

/**
 * A copy of `vma`'s [addr, addr + len) part at a new place: merged into a neighbour where
 * possible, else a new VMA. An anonymous VMA never faulted gets the page offset of its new
 * address (so it may merge there). Kernel: `copy_vma()`.
 * @returns the new VMA and whether the source itself was merged into it, or null (-ENOMEM)
 */
export function copyVma(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, addr: number, len: number, pgoff: number): { vma: VmAreaStruct; src: VmAreaStruct } | null {
  const vmaStart = vma.vmStart;
  if (vma.isAnonymous() && vma.anonVma === null) pgoff = addr / PAGE_SIZE;
  const there = mm.mt.findVma(addr);
  if (there !== null && there.vmStart < addr + len) return null;
  const prev = findVmaPrev(mm, addr);
  const merged = vmaMerge(ctx, mm, prev, addr, addr + len, vma.vmFlags, vma.anonVma, vma.vmFile, pgoff, vma.anonName);
  if (merged !== null) {
    // The source may have been merged into the copy (an anonymous VMA not yet faulted).
    const src = vmaStart >= merged.vmStart && vmaStart < merged.vmEnd ? merged : vma;
    return { vma: merged, src };
  }
  const nw = vmAreaDup(vma);
  nw.vmStart = addr;
  nw.vmEnd = addr + len;
  nw.vmPgoff = pgoff;
  if (ctx.anonOps.anonVmaClone(nw, vma) !== 0) return null;
  vmaLinkFile(ctx, nw);
  vmaLink(mm, nw);
  return { vma: nw, src: vma };
}

/**
 * Checks that [addr, addr + oldLen) may become newLen bytes. Kernel: `vma_to_resize()`.
 * @returns the VMA, or a negative errno
 */
function vmaToResize(ctx: MmapContext, mm: MmStruct, addr: number, oldLen: number, newLen: number, flags: number): VmAreaStruct | number {
  const vma = mm.mt.lookup(addr);
  if (vma === null) return -EFAULT;
  if (oldLen === 0 && (vma.vmFlags & (VM_SHARED | VM_MAYSHARE)) === 0) return -EINVAL;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && (vma.vmFlags & (VM_DONTEXPAND | VM_PFNMAP)) !== 0) return -EINVAL;
  if (oldLen > vma.vmEnd - addr) return -EFAULT;
  if (newLen === oldLen) return vma;
  if ((vma.vmFlags & (VM_DONTEXPAND | VM_PFNMAP)) !== 0) return -EFAULT;
  if (mlockFutureCheck(ctx, mm, vma.vmFlags, newLen - oldLen) !== 0) return -EAGAIN;
  if (!mayExpandVm(ctx, mm, vma.vmFlags, (newLen - oldLen) / PAGE_SIZE)) return -ENOMEM;
  return vma;
}

/**
 * Moves [oldAddr, oldAddr + oldLen) of `vma` to newAddr as newLen bytes. Kernel: `move_vma()`.
 * @returns newAddr, or a negative errno; sets ctx.mremapLocked when the caller must populate
 */
function moveVma(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, oldAddr: number, oldLen: number, newLen: number, newAddr: number, flags: number): number {
  if (mm.mapCount >= ctx.maxMapCount - 3) return -ENOMEM;
  let toAccount = newLen - oldLen;
  if ((flags & MREMAP_DONTUNMAP) !== 0) toAccount = newLen;
  const vmFlags = vma.vmFlags;
  if ((vmFlags & VM_ACCOUNT) !== 0 && ctx.overcommit.vmEnoughMemory(mm, toAccount / PAGE_SIZE) !== 0) return -ENOMEM;
  const newPgoff = vma.vmPgoff + (oldAddr - vma.vmStart) / PAGE_SIZE;
  const copy = copyVma(ctx, mm, vma, newAddr, newLen, newPgoff);
  if (copy === null) {
    if ((vmFlags & VM_ACCOUNT) !== 0) ctx.overcommit.vmUnacctMemory(toAccount / PAGE_SIZE);
    return -ENOMEM;
  }
  vma = copy.src;
  const newVma = copy.vma;
  let ret = newAddr;
  const moved = ctx.pageOps.movePageTables(vma, oldAddr, newVma, newAddr, oldLen);
  if (moved < oldLen) {
    // Move back what moved, and unmap the new area instead of the old.
    ctx.pageOps.movePageTables(newVma, newAddr, vma, oldAddr, moved);
    vma = newVma;
    oldLen = newLen;
    oldAddr = newAddr;
    ret = -ENOMEM;
  }
  let excess = 0;
  let split = false;
  if ((vmFlags & VM_ACCOUNT) !== 0 && (flags & MREMAP_DONTUNMAP) === 0) {
    vma.vmFlags &= ~VM_ACCOUNT;
    excess = vma.vmEnd - vma.vmStart - oldLen;
    split = oldAddr > vma.vmStart && oldAddr + oldLen < vma.vmEnd;
  }
  const hiwaterVm = mm.hiwaterVm;
  vmStatAccount(mm, vma.vmFlags, newLen / PAGE_SIZE);
  if (ret >= 0 && (flags & MREMAP_DONTUNMAP) !== 0) {
    const old = vma.vmFlags;
    vma.vmFlags &= VM_LOCKED_CLEAR_MASK;
    if ((old & VM_LOCKED) !== 0) ctx.pageOps.mlockVmaPages?.(vma, vma.vmStart, vma.vmEnd, old);
    if (newVma !== vma && vma.vmStart === oldAddr && vma.vmEnd === oldAddr + oldLen && vma.anonVma !== null) {
      ctx.anonOps.unlinkAnonVmas(vma);
      vma.anonVma = null;
    }
    // The old VMA is not unmapped, so locked_vm is left alone (the copy is VM_LOCKED now).
    return ret;
  }
  if (doVmiMunmap(ctx, mm, oldAddr, oldLen) < 0) {
    if ((vmFlags & VM_ACCOUNT) !== 0 && (flags & MREMAP_DONTUNMAP) === 0) ctx.overcommit.vmAcctMemory(oldLen / PAGE_SIZE);
    excess = 0;
  }
  if ((vmFlags & VM_LOCKED) !== 0) {
    mm.lockedVm += newLen / PAGE_SIZE;
    ctx.mremapLocked = true;
  }
  mm.hiwaterVm = hiwaterVm;
  if (excess !== 0) {
    vma.vmFlags |= VM_ACCOUNT;
    if (split) mm.mt.findVma(vma.vmEnd)!.vmFlags |= VM_ACCOUNT;
  }
  return ret;
}

/** MREMAP_FIXED / MREMAP_DONTUNMAP. Kernel: `mremap_to()`. */
function mremapTo(ctx: MmapContext, mm: MmStruct, addr: number, oldLen: number, newAddr: number, newLen: number, flags: number): number {
  if (offsetInPage(newAddr)) return -EINVAL;
  if (newLen > mm.taskSize || newAddr > mm.taskSize - newLen) return -EINVAL;
  if (addr + oldLen > newAddr && newAddr + newLen > addr) return -EINVAL;
  if (mm.mapCount + 2 >= ctx.maxMapCount - 3) return -ENOMEM;
  if ((flags & MREMAP_FIXED) !== 0) {
    const r = doVmiMunmap(ctx, mm, newAddr, newLen);
    if (r !== 0) return r;
  }
  if (oldLen > newLen) {
    const r = doVmiMunmap(ctx, mm, addr + newLen, oldLen - newLen);
    if (r !== 0) return r;
    oldLen = newLen;
  }
  const vma = vmaToResize(ctx, mm, addr, oldLen, newLen, flags);
  if (typeof vma === "number") return vma;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && !mayExpandVm(ctx, mm, vma.vmFlags, oldLen / PAGE_SIZE)) return -ENOMEM;
  let mapFlags = 0;
  if ((flags & MREMAP_FIXED) !== 0) mapFlags |= MAP_FIXED;
  if ((vma.vmFlags & VM_MAYSHARE) !== 0) mapFlags |= MAP_SHARED;
  const got = getUnmappedArea(ctx, mm, vma.vmFile, newAddr, newLen, vma.vmPgoff + (addr - vma.vmStart) / PAGE_SIZE, mapFlags);
  if (got < 0) return got;
  if ((flags & MREMAP_FIXED) === 0) newAddr = got;
  return moveVma(ctx, mm, vma, addr, oldLen, newLen, newAddr, flags);
}

/** Kernel: `vma_expandable()`: the `delta` bytes after the VMA are free and inside the address space. */
function vmaExpandable(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, delta: number): boolean {
  const end = vma.vmEnd + delta;
  if (mm.mt.intersection(vma.vmEnd, end) !== null) return false;
  if (getUnmappedArea(ctx, mm, null, vma.vmStart, end - vma.vmStart, 0, MAP_FIXED) < 0) return false;
  return true;
}

/**
 * mremap(2). Kernel: `SYSCALL_DEFINE5(mremap)`.
 * @returns the (new) address, or -EINVAL (bad flags, unaligned, new_len 0, overlapping FIXED
 *   ranges), -EFAULT (addr not mapped, or the range crosses VMAs), -ENOMEM (no room to grow in
 *   place without MAYMOVE, or no room anywhere), -EAGAIN (locked growth over RLIMIT_MEMLOCK)
 */
export function sysMremap(ctx: MmapContext, mm: MmStruct, addr: number, oldLen: number, newLen: number, flags: number, newAddr = 0): number {
  ctx.mremapLocked = false;
  if ((flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) !== 0) return -EINVAL;
  if ((flags & MREMAP_FIXED) !== 0 && (flags & MREMAP_MAYMOVE) === 0) return -EINVAL;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && ((flags & MREMAP_MAYMOVE) === 0 || oldLen !== newLen)) return -EINVAL;
  if (offsetInPage(addr)) return -EINVAL;
  oldLen = pageAlign(oldLen);
  newLen = pageAlign(newLen);
  if (newLen === 0) return -EINVAL;
  let vma = mm.mt.lookup(addr);
  let ret: number;
  if (vma === null) {
    ret = -EFAULT;
  } else if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0) {
    ret = mremapTo(ctx, mm, addr, oldLen, newAddr, newLen, flags);
    if (ret >= 0) newAddr = ret;
  } else if (oldLen >= newLen) {
    const r = doVmiMunmap(ctx, mm, addr + newLen, oldLen - newLen);
    ret = r < 0 && oldLen !== newLen ? r : addr;
  } else {
    const v = vmaToResize(ctx, mm, addr, oldLen, newLen, flags);
    if (typeof v === "number") {
      ret = v;
    } else {
      vma = v;
      ret = -ENOMEM;
      let done = false;
      if (oldLen === vma.vmEnd - addr && vmaExpandable(ctx, mm, vma, newLen - oldLen)) {
        done = true;
        const pages = (newLen - oldLen) / PAGE_SIZE;
        const extStart = addr + oldLen;
        const extEnd = addr + newLen;
        if ((vma.vmFlags & VM_ACCOUNT) !== 0 && ctx.overcommit.vmEnoughMemory(mm, pages) !== 0) {
          ret = -ENOMEM;
        } else {
          const extPgoff = vma.vmPgoff + (extStart - vma.vmStart) / PAGE_SIZE;
          const merged = vmaMerge(ctx, mm, vma, extStart, extEnd, vma.vmFlags, vma.anonVma, vma.vmFile, extPgoff, vma.anonName);
          if (merged === null) {
            ctx.overcommit.vmUnacctMemory(pages);
            ret = -ENOMEM;
          } else {
            vmStatAccount(mm, merged.vmFlags, pages);
            if ((merged.vmFlags & VM_LOCKED) !== 0) {
              mm.lockedVm += pages;
              ctx.mremapLocked = true;
              newAddr = addr;
            }
            ret = addr;
          }
        }
      }
      if (!done && (flags & MREMAP_MAYMOVE) !== 0) {
        const mapFlags = (vma.vmFlags & VM_MAYSHARE) !== 0 ? MAP_SHARED : 0;
        const got = getUnmappedArea(ctx, mm, vma.vmFile, 0, newLen, vma.vmPgoff + (addr - vma.vmStart) / PAGE_SIZE, mapFlags);
        if (got < 0) ret = got;
        else {
          newAddr = got;
          ret = moveVma(ctx, mm, vma, addr, oldLen, newLen, newAddr, flags);
        }
      }
    }
  }
  if (ret < 0) ctx.mremapLocked = false;
  if (ctx.mremapLocked && newLen > oldLen) mmPopulate(ctx, mm, newAddr + oldLen, newLen - oldLen, true);
  return ret;
}
