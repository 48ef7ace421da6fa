// Kernel: mm/mmap.c (vm_stat_account, may_expand_vm, vma_link, remove_vma), mm/internal.h (mlock_future_check, is_*_mapping), include/linux/mm.h (vma_is_accessible, VM_SPECIAL), kernel/fork.c (vm_area_dup) (v6.1) — the helpers every mm syscall shares
import { EAGAIN, PAGE_SIZE } from "@mmsim/core";
import { vmGetPageProt } from "@mmsim/hw-arm64";
import type { MmapContext } from "./mmap-context.ts";
import { type MmStruct, VmAreaStruct } from "./mm-types.ts";
import {
  VM_EXEC, VM_IO, VM_DONTEXPAND, VM_LOCKED, VM_LOCKONFAULT, VM_MIXEDMAP, VM_PFNMAP, VM_READ, VM_SHARED, VM_STACK, VM_WRITE,
} from "./vm-flags.ts";

/** Flags that keep a VMA from merging and from mlock. Kernel: `VM_SPECIAL`. */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
/** Kernel: `VM_LOCKED_CLEAR_MASK` = ~(VM_LOCKED | VM_LOCKONFAULT). */
export const VM_LOCKED_CLEAR_MASK = ~(VM_LOCKED | VM_LOCKONFAULT);

/** Bytes rounded up to whole pages. Kernel: `PAGE_ALIGN()`. */
export function pageAlign(len: number): number {
  return Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
}

/** True when `addr` is not page aligned. Kernel: `offset_in_page()`. */
export function offsetInPage(addr: number): boolean {
  return addr % PAGE_SIZE !== 0;
}

/** Kernel: `is_exec_mapping()`: executable, not writable, not a stack. */
export function isExecMapping(flags: number): boolean {
  return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) === VM_EXEC;
}
/** Kernel: `is_stack_mapping()`. */
export function isStackMapping(flags: number): boolean {
  return (flags & VM_STACK) === VM_STACK;
}
/** Kernel: `is_data_mapping()`: private writable, not a stack. */
export function isDataMapping(flags: number): boolean {
  return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) === VM_WRITE;
}

/** Kernel: `vma_is_accessible()`. */
export function vmaIsAccessible(vma: VmAreaStruct): boolean {
  return (vma.vmFlags & (VM_READ | VM_WRITE | VM_EXEC)) !== 0;
}

/** Counts `npages` into total_vm and the one of exec_vm, stack_vm or data_vm the flags say. Kernel: `vm_stat_account()`. */
export function vmStatAccount(mm: MmStruct, flags: number, npages: number): void {
  mm.totalVm += npages;
  if (isExecMapping(flags)) mm.execVm += npages;
  else if (isStackMapping(flags)) mm.stackVm += npages;
  else if (isDataMapping(flags)) mm.dataVm += npages;
}

/** RLIMIT_AS and RLIMIT_DATA allow `npages` more of a mapping with `flags`. Kernel: `may_expand_vm()`. */
export function mayExpandVm(ctx: MmapContext, mm: MmStruct, flags: number, npages: number): boolean {
  if (mm.totalVm + npages > Math.floor(ctx.rlimit.as / PAGE_SIZE)) return false;
  if (isDataMapping(flags) && mm.dataVm + npages > Math.floor(ctx.rlimit.data / PAGE_SIZE)) return false;
  return true;
}

/** A VM_LOCKED mapping of `len` more bytes stays within RLIMIT_MEMLOCK (or CAP_IPC_LOCK). Kernel: `mlock_future_check()`. @returns 0 or -EAGAIN */
export function mlockFutureCheck(ctx: MmapContext, mm: MmStruct, flags: number, len: number): number {
  if ((flags & VM_LOCKED) !== 0) {
    const locked = len / PAGE_SIZE + mm.lockedVm;
    const limit = Math.floor(ctx.rlimit.memlock / PAGE_SIZE);
    if (locked > limit && !ctx.cred.ipcLock) return -EAGAIN;
  }
  return 0;
}

/** Kernel: `can_do_mlock()`: CAP_IPC_LOCK or a non-zero RLIMIT_MEMLOCK. */
export function canDoMlock(ctx: MmapContext): boolean {
  return ctx.cred.ipcLock || ctx.rlimit.memlock !== 0;
}

/** A new VMA of `mm` (its vm_page_prot from the flags). Kernel: `vm_area_alloc()` + the fields mmap_region sets. */
export function vmAreaAlloc(mm: MmStruct, start: number, end: number, flags: number, pgoff: number): VmAreaStruct {
  return new VmAreaStruct(mm, start, end, flags, vmGetPageProt(flags), pgoff);
}

/**
 * A copy of `orig` (same range, flags, file, anon_vma, anon_name, special mapping; an empty
 * anon_vma_chain that anon_vma_clone or anon_vma_fork fills), in `orig`'s mm unless dup_mmap
 * gives the child's (`tmp->vm_mm = mm`). Kernel: `vm_area_dup()`.
 */
export function vmAreaDup(orig: VmAreaStruct, mm: MmStruct = orig.vmMm): VmAreaStruct {
  const v = new VmAreaStruct(mm, orig.vmStart, orig.vmEnd, orig.vmFlags, orig.vmPageProt, orig.vmPgoff);
  v.vmFile = orig.vmFile;
  v.anonVma = orig.anonVma;
  v.anonName = orig.anonName;
  v.vmSpecial = orig.vmSpecial;
  v.vmOps = orig.vmOps;
  v.swapReadaheadInfo = orig.swapReadaheadInfo; // *new = *orig copies it
  return v;
}

/**
 * A new VMA (a copy, a split part, fork's child VMA, mmap_region's new VMA) takes a reference to
 * its file and joins the file's i_mmap. Kernel: `get_file()` + `__vma_link_file()`.
 */
export function vmaLinkFile(ctx: MmapContext, vma: VmAreaStruct): void {
  const file = vma.vmFile;
  if (file === null) return;
  ctx.files.getFile(file);
  const mapping = file.mapping;
  if (mapping != null) mapping.iMmap.add(vma);
}

/** Inserts a new VMA and counts it. Kernel: `vma_link()` (vma_mas_store + map_count++). */
export function vmaLink(mm: MmStruct, vma: VmAreaStruct): void {
  mm.mt.insert(vma);
  mm.mapCount++;
}

/**
 * Releases a VMA already out of the tree: its file reference. Its anon_vma links are not
 * touched: 6.1 unlinks them in free_pgtables (mm/memory.c, MmPageOps.unmapRegion / exitMmap),
 * before remove_vma runs; a VMA swallowed by vma_merge is unlinked there (anon_vma_merge).
 * Kernel: `remove_vma()`.
 */
export function removeVma(ctx: MmapContext, vma: VmAreaStruct): void {
  const file = vma.vmFile;
  if (file === null) return;
  // unlink_file_vma (6.1 does it in free_pgtables, before remove_vma; nothing walks i_mmap in between here)
  const mapping = file.mapping;
  if (mapping != null) mapping.iMmap.delete(vma);
  ctx.files.fput(file, ctx.overcommit);
}

/** Pages in [start, end). */
export function pagesIn(start: number, end: number): number {
  return (end - start) / PAGE_SIZE;
}


/** The last VMA starting below `addr`, or null. Kernel: `find_vma_prev()`'s prev for an address outside any VMA, or the VMA containing it. */
export function findVmaPrev(mm: MmStruct, addr: number): VmAreaStruct | null {
  const v = mm.mt.findVma(addr);
  if (v === null) return mm.mt.last();
  return v.vmStart < addr ? v : mm.mt.prev(v);
}
