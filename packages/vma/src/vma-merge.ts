// Kernel: mm/mmap.c (vma_merge, can_vma_merge_before, can_vma_merge_after, is_mergeable_vma, is_mergeable_anon_vma, __vma_adjust, vma_expand, __split_vma, split_vma) (v6.1) — merging and splitting VMAs
/*
 * vma_merge() is asked to give [addr, end) the flags `vmFlags` (and anon_vma, file, pgoff,
 * anon_name), where `prev` is the VMA before addr (or the one containing it) and the range is a
 * hole (mmap, brk, mremap's copy_vma) or lies inside one VMA (mprotect, mlock, madvise). It
 * merges with the neighbours when they are compatible, in the eight cases of 6.1's comment:
 *
 *     AAAA               AAAA                  AAAA
 *    PPPPPPNNNNNN     PPPPPPNNNNNN        PPPPPPNNNNNN
 *    cannot merge     might become        might become
 *                     PPNNNNNNNNNN        PPPPPPPPPPNN
 *    mmap, brk or     case 4 below        case 5 below
 *    mremap move:
 *                         AAAA                AAAA
 *                     PPPP    NNNN        PPPPNNNNXXXX
 *                     might become        might become
 *                     PPPPPPPPPPPP 1 or   PPPPPPPPPPPP 6 or
 *                     PPPPPPPPNNNN 2 or   PPPPPPPPXXXX 7 or
 *                     PPPPNNNNNNNN 3      PPPPXXXXXXXX 8
 *
 * ("AAAA" the range, "PPPP" prev, "NNNN" the VMA after prev, "XXXX" the one after that.)
 * Which VMA object survives is the kernel's: prev in cases 1, 2, 5, 6, 7; next in 3, 4, 8. A VMA
 * that grows over pages of another that has an anon_vma, while it has none, takes it
 * (__vma_adjust's importer/exporter: anon_vma_clone); removed VMAs are unlinked from their
 * anon_vmas (anon_vma_merge) and drop their file reference.
 *
 * Splitting keeps the original VMA object on the side the kernel keeps it: __split_vma with
 * new_below makes the new VMA the lower part, otherwise the upper part.
 */
import { ENOMEM, PAGE_SIZE } from "@mmsim/core";
import type { MmapContext } from "./mmap-context.ts";
import type { AnonVma, MmStruct, VmAreaStruct, VmFile } from "./mm-types.ts";
import { VM_SPECIAL, removeVma, vmAreaDup, vmaLinkFile } from "./mm-util.ts";
import { VM_SOFTDIRTY } from "./vm-flags.ts";

/** Kernel: `is_mergeable_vma()`: same flags (but VM_SOFTDIRTY), same file, same anon_vma_name. */
export function isMergeableVma(vma: VmAreaStruct, file: VmFile | null, vmFlags: number, anonName: string | null): boolean {
  if (((vma.vmFlags ^ vmFlags) & ~VM_SOFTDIRTY) !== 0) return false;
  if (vma.vmFile !== file) return false;
  if (vma.anonName !== anonName) return false;
  return true;
}

/**
 * Two anon_vmas are compatible when equal, or when one is missing and `vma` (the existing VMA
 * whose anon_vma is compared) is not linked to several anon_vmas (a forked VMA).
 * Kernel: `is_mergeable_anon_vma()`.
 */
export function isMergeableAnonVma(anonVma1: AnonVma | null, anonVma2: AnonVma | null, vma: VmAreaStruct | null): boolean {
  if ((anonVma1 === null || anonVma2 === null) && (vma === null || vma.anonVmaChain.length === 1)) return true;
  return anonVma1 === anonVma2;
}

/** `vma` can take a range ending where it starts, whose page offset runs into vma's. Kernel: `can_vma_merge_before()`. */
export function canVmaMergeBefore(
  vma: VmAreaStruct, vmFlags: number, anonVma: AnonVma | null, file: VmFile | null, vmPgoff: number, anonName: string | null,
): boolean {
  return isMergeableVma(vma, file, vmFlags, anonName) && isMergeableAnonVma(anonVma, vma.anonVma, vma) && vma.vmPgoff === vmPgoff;
}

/** `vma` can take a range starting where it ends, with the page offset following vma's. Kernel: `can_vma_merge_after()`. */
export function canVmaMergeAfter(
  vma: VmAreaStruct, vmFlags: number, anonVma: AnonVma | null, file: VmFile | null, vmPgoff: number, anonName: string | null,
): boolean {
  return isMergeableVma(vma, file, vmFlags, anonName) && isMergeableAnonVma(anonVma, vma.anonVma, vma) && vma.vmPgoff + vma.pages() === vmPgoff;
}

/** A VMA growing over pages of `exporter` takes its anon_vma if it has none. Kernel: `__vma_adjust()`'s importer/exporter. @returns 0 or -ENOMEM */
function importAnonVma(ctx: MmapContext, importer: VmAreaStruct, exporter: VmAreaStruct | null): number {
  if (exporter !== null && exporter.anonVma !== null && importer.anonVma === null) {
    importer.anonVma = exporter.anonVma;
    const err = ctx.anonOps.anonVmaClone(importer, exporter);
    if (err !== 0) {
      importer.anonVma = null;
      return err;
    }
  }
  return 0;
}

/**
 * Takes a VMA that a merge swallowed out of the tree and frees it: anon_vma_merge (its
 * anon_vma is the survivor's, its chain is unlinked) and remove_vma. Kernel: `__vma_adjust()`'s
 * remove_next.
 */
function mergeRemove(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct): void {
  mm.mt.remove(vma);
  mm.mapCount--;
  if (vma.anonVma !== null || vma.anonVmaChain.length !== 0) ctx.anonOps.unlinkAnonVmas(vma);
  removeVma(ctx, vma);
}

/**
 * Merges [addr, end) with prev and/or the VMA after it, if their flags, file, page offsets,
 * anon_vmas and names allow it (see the header for the cases).
 * Kernel: `vma_merge()`.
 * @returns the VMA now covering [addr, end), or null (no merge possible: the caller splits)
 */
export function vmaMerge(
  ctx: MmapContext, mm: MmStruct, prev: VmAreaStruct | null, addr: number, end: number, vmFlags: number,
  anonVma: AnonVma | null, file: VmFile | null, pgoff: number, anonName: string | null,
): VmAreaStruct | null {
  const pglen = (end - addr) / PAGE_SIZE;
  if ((vmFlags & VM_SPECIAL) !== 0) return null;
  const mt = mm.mt;
  let next = prev !== null ? mt.next(prev) : mt.findVma(0);
  const mid = next;
  if (next !== null && next.vmEnd === end) next = mt.next(next); // cases 6, 7, 8
  const mergePrev = prev !== null && prev.vmEnd === addr && canVmaMergeAfter(prev, vmFlags, anonVma, file, pgoff, anonName);
  const mergeNext = next !== null && end === next.vmStart && canVmaMergeBefore(next, vmFlags, anonVma, file, pgoff + pglen, anonName);

  if (mergePrev && mergeNext && isMergeableAnonVma(prev!.anonVma, next!.anonVma, null)) {
    prev = prev!;
    next = next!;
    // Cases 1 and 6: prev grows over the range and next (case 6: and mid).
    const case6 = mid !== next;
    const exporter = case6 && mid!.anonVma !== null ? mid : next;
    if (importAnonVma(ctx, prev, exporter) !== 0) return null;
    if (case6) mergeRemove(ctx, mm, mid!);
    const nextEnd = next.vmEnd;
    mergeRemove(ctx, mm, next);
    prev.vmEnd = nextEnd;
    mt.updated(prev);
    ctx.lastMergeCase = case6 ? 6 : 1;
    return prev;
  }
  if (mergePrev) {
    prev = prev!;
    // Cases 2 (hole), 5 (head of mid), 7 (all of mid): prev grows to end.
    if (mid !== null && mid.vmStart < end) {
      if (importAnonVma(ctx, prev, mid) !== 0) return null;
      if (mid.vmEnd === end) {
        mergeRemove(ctx, mm, mid);
        ctx.lastMergeCase = 7;
      } else {
        mid.vmPgoff += (end - mid.vmStart) / PAGE_SIZE;
        mid.vmStart = end;
        mt.updated(mid);
        ctx.lastMergeCase = 5;
      }
    } else {
      ctx.lastMergeCase = 2;
    }
    prev.vmEnd = end;
    mt.updated(prev);
    return prev;
  }
  if (mergeNext) {
    next = next!;
    if (prev !== null && addr < prev.vmEnd) {
      // Case 4: the tail of prev moves into next.
      if (importAnonVma(ctx, next, prev) !== 0) return null;
      prev.vmEnd = addr;
      mt.updated(prev);
      next.vmStart = addr;
      next.vmPgoff -= pglen;
      mt.updated(next);
      ctx.lastMergeCase = 4;
      return next;
    }
    // Cases 3 (hole) and 8 (all of mid): next grows down to addr.
    if (mid !== next) {
      if (importAnonVma(ctx, next, mid) !== 0) return null;
      mergeRemove(ctx, mm, mid!);
      ctx.lastMergeCase = 8;
    } else {
      ctx.lastMergeCase = 3;
    }
    next.vmStart = addr;
    next.vmPgoff -= pglen;
    mt.updated(next);
    return next;
  }
  return null;
}

/**
 * Grows `vma` to [start, end) with page offset pgoff, swallowing `next` when it ends at `end`
 * (mmap_region's merge with its neighbours). Kernel: `vma_expand()`.
 * @returns 0 or -ENOMEM
 */
export function vmaExpand(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, start: number, end: number, pgoff: number, next: VmAreaStruct | null): number {
  const removeNext = next !== null && vma !== next && end === next.vmEnd;
  if (removeNext && importAnonVma(ctx, vma, next) !== 0) return -ENOMEM;
  if (removeNext) mergeRemove(ctx, mm, next!);
  vma.vmStart = start;
  vma.vmEnd = end;
  vma.vmPgoff = pgoff;
  mm.mt.updated(vma);
  return 0;
}

/**
 * Splits `vma` at `addr`: a new VMA takes [vm_start, addr) if newBelow, else [addr, vm_end);
 * the original keeps the rest. No map_count limit (callers check). Kernel: `__split_vma()`.
 * @returns 0 or -ENOMEM
 */
export function splitVmaUnchecked(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, addr: number, newBelow: boolean): number {
  const nw = vmAreaDup(vma);
  if (newBelow) {
    nw.vmEnd = addr;
  } else {
    nw.vmStart = addr;
    nw.vmPgoff += (addr - vma.vmStart) / PAGE_SIZE;
  }
  nw.anonVma = vma.anonVma;
  const err = ctx.anonOps.anonVmaClone(nw, vma);
  if (err !== 0) return err;
  vmaLinkFile(ctx, nw);
  if (newBelow) {
    vma.vmPgoff += (addr - vma.vmStart) / PAGE_SIZE;
    vma.vmStart = addr;
  } else {
    vma.vmEnd = addr;
  }
  mm.mt.updated(vma);
  mm.mt.insert(nw);
  mm.mapCount++;
  return 0;
}

/** __split_vma, refused when map_count has reached vm.max_map_count. Kernel: `split_vma()`. @returns 0 or -ENOMEM */
export function splitVma(ctx: MmapContext, mm: MmStruct, vma: VmAreaStruct, addr: number, newBelow: boolean): number {
  if (mm.mapCount >= ctx.maxMapCount) return -ENOMEM;
  return splitVmaUnchecked(ctx, mm, vma, addr, newBelow);
}
