// Kernel: mm/mprotect.c (do_mprotect_pkey, mprotect_fixup), arch/arm64/include/asm/mman.h (arch_validate_prot) (v6.1) — mprotect: new permissions for a range, merging or splitting VMAs
/*
 * mprotect walks the VMAs of [start, start + len) (which must be mapped without holes: -ENOMEM
 * otherwise), and for each gives its part the new VM_READ/VM_WRITE/VM_EXEC bits, refusing a
 * permission the VMA may not have (VM_MAY*: -EACCES). mprotect_fixup first tries vma_merge with
 * the neighbours (cases 4–8), else splits the VMA at the range's ends; then the PTEs follow
 * (MmPageOps.changeProtection). A private mapping made writable for the first time is charged to
 * overcommit (VM_ACCOUNT); one made read-only keeps its charge, as in the kernel.
 */
import { EACCES, EINVAL, ENOMEM, PAGE_SIZE } from "@mmsim/core";
import { vmGetPageProt } from "@mmsim/hw-arm64";
import type { MmapContext } from "./mmap-context.ts";
import { calcVmProtBits, populateVmaPageRange } from "./mmap.ts";
import { findVmaPrev, mayExpandVm, pageAlign, vmStatAccount } from "./mm-util.ts";
import type { MmStruct, VmAreaStruct } from "./mm-types.ts";
import {
  PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_READ, PROT_WRITE, VM_ACCOUNT, VM_EXEC, VM_GROWSDOWN, VM_HUGETLB, VM_LOCKED, VM_NORESERVE,
  VM_READ, VM_SHARED, VM_WRITE,
} from "./vm-flags.ts";
import { splitVma, vmaMerge } from "./vma-merge.ts";

/** Kernel: `PROT_SEM` (accepted and ignored). */
export const PROT_SEM = 0x8;

/** arm64 accepts PROT_READ|WRITE|EXEC|SEM (PROT_BTI and PROT_MTE only with BTI/MTE, which the Cortex-A57 lacks). Kernel: `arch_validate_prot()`. */
export function archValidateProt(prot: number): boolean {
  return (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) === 0;
}

/**
 * Gives [start, end) of `vma` the flags `newflags`: charge, merge or split, change the PTEs,
 * recount. `pprev.v` is the VMA before the range on entry and the VMA now covering it on return.
 * Kernel: `mprotect_fixup()`.
 * @returns 0 or -ENOMEM
 */
export function mprotectFixup(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, pprev: { v: VmAreaStruct | null }, start: number, end: number, newflags: number): number {
  const oldflags = vma.vmFlags;
  const nrpages = (end - start) / PAGE_SIZE;
  let charged = 0;
  if (newflags === oldflags) {
    pprev.v = vma;
    return 0;
  }
  if ((newflags & VM_WRITE) !== 0) {
    if (!mayExpandVm(ctx, mm, newflags, nrpages) && mayExpandVm(ctx, mm, oldflags, nrpages)) return -ENOMEM;
    if ((oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)) === 0) {
      charged = nrpages;
      if (ctx.overcommit.vmEnoughMemory(mm, charged) !== 0) return -ENOMEM;
      newflags |= VM_ACCOUNT;
    }
  }
  const pgoff = vma.vmPgoff + (start - vma.vmStart) / PAGE_SIZE;
  const merged = vmaMerge(ctx, mm, pprev.v, start, end, newflags, vma.anonVma, vma.vmFile, pgoff, vma.anonName);
  if (merged !== null) {
    vma = merged;
  } else {
    if (start !== vma.vmStart) {
      const err = splitVma(ctx, mm, vma, start, true);
      if (err !== 0) {
        ctx.overcommit.vmUnacctMemory(charged);
        pprev.v = vma;
        return err;
      }
    }
    if (end !== vma.vmEnd) {
      const err = splitVma(ctx, mm, vma, end, false);
      if (err !== 0) {
        ctx.overcommit.vmUnacctMemory(charged);
        pprev.v = vma;
        return err;
      }
    }
  }
  pprev.v = vma;
  vma.vmFlags = newflags;
  vma.vmPageProt = vmGetPageProt(newflags);
  ctx.pageOps.changeProtection(vma, start, end);
  // A private VM_LOCKED VMA becoming writable: break COW now rather than on a later fault.
  if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) === VM_LOCKED && (newflags & VM_WRITE) !== 0) populateVmaPageRange(ctx, vma, start, end);
  vmStatAccount(mm, oldflags, -nrpages);
  vmStatAccount(mm, newflags, nrpages);
  return 0;
}

/**
 * mprotect(2). Kernel: `do_mprotect_pkey()` with pkey −1.
 * @returns 0, -EINVAL (unaligned start, bad prot, PROT_GROWSDOWN on a non-stack), -ENOMEM (a hole
 *   in the range, or a split beyond max_map_count) or -EACCES (a permission VM_MAY* forbids)
 */
export function sysMprotect(ctx: MmapContext, mm: MmStruct, start: number, len: number, prot: number): number {
  const grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
  prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (len === 0) return 0;
  len = pageAlign(len);
  let end = start + len;
  if (end <= start) return -ENOMEM;
  if (!archValidateProt(prot)) return -EINVAL;
  let vma = mm.mt.findVma(start);
  if (vma === null) return -ENOMEM;
  if ((grows & PROT_GROWSDOWN) !== 0) {
    if (vma.vmStart >= end) return -ENOMEM;
    start = vma.vmStart;
    if ((vma.vmFlags & VM_GROWSDOWN) === 0) return -EINVAL;
  } else {
    if (vma.vmStart > start) return -ENOMEM;
    if ((grows & PROT_GROWSUP) !== 0) {
      end = vma.vmEnd;
      return -EINVAL; // no VM_GROWSUP VMA on arm64
    }
  }
  const pprev = { v: start > vma.vmStart ? vma : findVmaPrev(mm, start) };
  let error = 0;
  for (let nstart = start; ;) {
    const newflags = calcVmProtBits(prot) | (vma.vmFlags & ~(VM_READ | VM_WRITE | VM_EXEC));
    // newflags >> 4 puts VM_MAY* where VM_* are.
    if ((newflags & ~(newflags >> 4) & (VM_READ | VM_WRITE | VM_EXEC)) !== 0) {
      error = -EACCES;
      break;
    }
    const tmp = Math.min(vma.vmEnd, end);
    error = mprotectFixup(ctx, mm, vma, pprev, nstart, tmp, newflags);
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
