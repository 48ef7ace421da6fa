// Kernel: fs/proc/task_mmu.c (pagemap_read, pagemap_pmd_range, pte_to_pagemap_entry, pagemap_pte_hole, make_pme), Documentation/admin-guide/mm/pagemap.rst (v6.1) — /proc/<pid>/pagemap and mmsim's decoded view of it
/*
 * One 64-bit little-endian entry per virtual page, at file offset (vaddr / PAGE_SIZE) × 8:
 *
 *   bits 0-54  PFN when present, or for a swap entry the type in bits 0-4 and the offset
 *              above (swp_type | swp_offset << MAX_SWAPFILES_SHIFT); both shown to CAP_SYS_ADMIN
 *              only (pm->show_pfn), 0 otherwise
 *   bit 55     soft-dirty (always 0: no CONFIG_MEM_SOFT_DIRTY on arm64 6.1)
 *   bit 56     exclusively mapped (page_mapcount == 1)
 *   bit 57     userfaultfd write-protected (not modelled: 0)
 *   bit 61     file page or shared anonymous (a page that is not PageAnon)
 *   bit 62     swapped
 *   bit 63     present
 *
 * A page outside every VMA, or a PTE that is none, reads 0. A PMD-mapped THP gives each of its
 * 512 pages an entry with its own PFN. The zero page and PFN maps are present with no struct
 * page: neither "file" nor "exclusive".
 *
 * The decoded view (`PAGEMAP_DECODED` under /sys/kernel/debug/mmsim/<pid>/) is mmsim's: one line
 * per non-zero entry of the task's VMAs, with the fields the probes print for the real kernel
 * (tests/conformance/fixtures/process/src/probe.h): `<vaddr> present=… swapped=… file_or_shared=…
 * exclusive=… soft_dirty=… uffd_wp=… pfn=0x…`.
 */
import { EINVAL, ESRCH, MAX_SWAPFILES_SHIFT, swpOffset, swpType } from "@mmsim/core";
import { pteToSwpEntry } from "@mmsim/hw-arm64";
import { NULL_ENTRY, pgdOffsetPgd, pmdOffset, pmdSect, ptePfn, ptePresent, pteOffsetKernel, pteSpecial, pudOffset } from "@mmsim/hw-arm64";
import { compoundHead, pageMapcount } from "@mmsim/rmap";
import type { TaskStruct, VmAreaStruct } from "@mmsim/vma";
import type { TaskMmuSources } from "./task-mmu.ts";

const PAGE_SIZE = 4096;
/** Kernel: `PM_ENTRY_BYTES`. */
export const PM_ENTRY_BYTES = 8;
/** Bits of the entry's high word (bit n of the entry = bit n - 32 here). Kernel: `PM_SOFT_DIRTY` … `PM_PRESENT`. */
export const PM_SOFT_DIRTY_HI = 1 << (55 - 32);
export const PM_MMAP_EXCLUSIVE_HI = 1 << (56 - 32);
export const PM_UFFD_WP_HI = 1 << (57 - 32);
export const PM_FILE_HI = 1 << (61 - 32);
export const PM_SWAP_HI = 1 << (62 - 32);
export const PM_PRESENT_HI = (1 << (63 - 32)) >>> 0;
/** PM_PFRAME_MASK's part in the high word (bits 32-54). */
const PM_PFRAME_HI_MASK = (1 << (55 - 32)) - 1;
/** Where the decoded view lives, per pid (mmsim's debugfs). */
export const PAGEMAP_DECODED = "pagemap";

/** One entry as two 32-bit words. */
export interface PagemapEntry {
  lo: number;
  hi: number;
}

/**
 * The entry of one virtual page. Kernel: `pte_to_pagemap_entry()` / `pagemap_pmd_range()` /
 * `pagemap_pte_hole()`.
 * @param showPfn the reader has CAP_SYS_ADMIN (pm->show_pfn)
 */
export function pagemapEntry(src: TaskMmuSources, vma: VmAreaStruct | null, addr: number, showPfn: boolean, out: PagemapEntry): PagemapEntry {
  out.lo = 0;
  out.hi = 0;
  const mm = vma?.vmMm;
  if (vma === null || mm === undefined || mm.pgtables === null) return out;
  const { store, mem } = src;
  const pudp = pudOffset(store, pgdOffsetPgd(store, mm.pgtables.pgd, addr), addr);
  if (pudp === NULL_ENTRY) return out;
  const pmdp = pmdOffset(store, pudp, addr);
  if (pmdp === NULL_ENTRY) return out;
  const plo = store.readLo(pmdp);
  const phi = store.readHi(pmdp);
  if (plo === 0 && phi === 0) return out;
  let lo: number;
  let hi: number;
  let pfn: number;
  if (pmdSect(plo)) {
    lo = plo;
    hi = phi;
    pfn = ptePfn(plo, phi) + Math.floor((addr % (2 * 1024 * 1024)) / PAGE_SIZE);
  } else {
    const ptep = pteOffsetKernel(store, pmdp, addr);
    lo = store.readLo(ptep);
    hi = store.readHi(ptep);
    if (lo === 0 && hi === 0) return out;
    pfn = ptePfn(lo, hi);
  }
  if (!ptePresent(lo, hi)) {
    // is_swap_pte(): frame = swp_type | swp_offset << MAX_SWAPFILES_SHIFT (arm64 6.1: no swap
    // soft-dirty or uffd-wp bits; migration entries, which would name their page, are not modelled)
    if (showPfn) {
      const entry = pteToSwpEntry(lo, hi);
      const frame = swpType(entry) + swpOffset(entry) * 2 ** MAX_SWAPFILES_SHIFT;
      out.lo = frame % 4294967296 >>> 0;
      out.hi = Math.floor(frame / 4294967296) & PM_PFRAME_HI_MASK;
    }
    out.hi = (out.hi | PM_SWAP_HI) >>> 0;
    return out;
  }
  let flags = PM_PRESENT_HI;
  if (showPfn) {
    out.lo = pfn % 4294967296 >>> 0;
    out.hi = Math.floor(pfn / 4294967296) & PM_PFRAME_HI_MASK;
  }
  const hasPage = !pteSpecial(hi) && pfn >= mem.basePfn && pfn < mem.endPfn;
  if (hasPage) {
    const page = mem.pfnToPage(pfn);
    // !PageAnon(page) (the folio's mapping) and page_mapcount(page) == 1 (a THP subpage counts its PMD mapping too).
    if (mem.mapping[compoundHead(mem, page)]! >= 0) flags |= PM_FILE_HI;
    if (pageMapcount(mem, page) === 1) flags |= PM_MMAP_EXCLUSIVE_HI;
  }
  out.hi = (out.hi | flags) >>> 0;
  return out;
}

/**
 * read() of /proc/<pid>/pagemap at `offset` for `count` bytes. Kernel: `pagemap_read()`.
 * @returns the bytes, or -EINVAL (offset or count not a multiple of 8), -ESRCH (no mm)
 */
export function pagemapRead(src: TaskMmuSources, task: TaskStruct, offset: number, count: number, showPfn = true): Uint8Array | number {
  const mm = task.mm;
  if (mm === null) return -ESRCH;
  if (offset % PM_ENTRY_BYTES !== 0 || count % PM_ENTRY_BYTES !== 0 || offset < 0 || count < 0) return -EINVAL;
  const first = offset / PM_ENTRY_BYTES;
  const n = Math.max(0, Math.min(count / PM_ENTRY_BYTES, mm.taskSize / PAGE_SIZE - first));
  const buf = new Uint8Array(n * PM_ENTRY_BYTES);
  const dv = new DataView(buf.buffer);
  const e: PagemapEntry = { lo: 0, hi: 0 };
  for (let i = 0; i < n; i++) {
    const addr = (first + i) * PAGE_SIZE;
    pagemapEntry(src, mm.mt.lookup(addr), addr, showPfn, e);
    dv.setUint32(i * 8, e.lo, true);
    dv.setUint32(i * 8 + 4, e.hi, true);
  }
  return buf;
}

/** mmsim's decoded view of the task's pagemap: one line per non-zero entry of its VMAs. */
export function pagemapDecoded(src: TaskMmuSources, task: TaskStruct): string {
  const mm = task.mm;
  if (mm === null) return "";
  const e: PagemapEntry = { lo: 0, hi: 0 };
  let out = "";
  for (const vma of mm.mt) {
    for (let addr = vma.vmStart; addr < vma.vmEnd; addr += PAGE_SIZE) {
      pagemapEntry(src, vma, addr, true, e);
      if (e.lo === 0 && e.hi === 0) continue;
      const bit = (b: number) => ((e.hi & b) !== 0 ? 1 : 0);
      const frame = (e.hi & PM_PFRAME_HI_MASK) * 4294967296 + e.lo;
      out += `0x${addr.toString(16)} present=${bit(PM_PRESENT_HI)} swapped=${bit(PM_SWAP_HI)} file_or_shared=${bit(PM_FILE_HI)} exclusive=${bit(PM_MMAP_EXCLUSIVE_HI)} soft_dirty=${bit(PM_SOFT_DIRTY_HI)} uffd_wp=${bit(PM_UFFD_WP_HI)}`;
      out += bit(PM_SWAP_HI) ? ` swap_type=${frame % 32} swap_offset=0x${Math.floor(frame / 32).toString(16)}\n` : ` pfn=0x${frame.toString(16)}\n`;
    }
  }
  return out;
}
