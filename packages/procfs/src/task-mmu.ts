// Kernel: fs/proc/task_mmu.c (task_mem, task_statm, show_map_vma, show_smap, show_smaps_rollup, smaps_account, smaps_pte_entry, smaps_pmd_entry, show_smap_vma_flags), fs/proc/array.c (proc_pid_statm), mm/huge_memory.c (hugepage_vma_check), mm/memory.c (vm_normal_page) (v6.1) — /proc/<pid>/maps, smaps, smaps_rollup, statm and status's Vm lines, of anonymous, file and shmem mappings
/*
 * Pure renderers over a task's mm: the VMAs from its tree, the pages from its page tables
 * (hw-arm64's store) and the mem map (mapcount, refcount, PG_* flags). smaps and smaps_rollup
 * walk the page tables, so they are exact at any moment; status and statm read mm->rss_stat
 * (get_mm_counter), which lags the task's batched faults (SPLIT_RSS_COUNTING) as on 6.1.
 *
 * Pages and mem map, as the fault and rmap mechanisms keep them: an anonymous page has a
 * negative `mapping` (PAGE_MAPPING_ANON), `mapcount` is _mapcount (mappings - 1); a PTE with
 * PTE_SPECIAL (the zero page, PFN maps) or a PFN outside the mem map has no struct page
 * (vm_normal_page returns NULL) and counts nowhere. A PMD block (a THP) counts as 512 pages
 * whose per-page mappings are @mmsim/rmap's pageMapcount() (page_mapcount(): the subpage's
 * _mapcount + 1, plus the compound mapcount in page[1].private + 1, less one with PG_double_map).
 *
 * File and shmem pages (mapping > 0) count as 6.1 counts them: a page mapped once is private
 * (Private_Clean/Dirty) even though the page cache holds a reference too; PageDirty (every
 * shmem page a write touched, a file page awaiting writeback) makes it dirty whatever its PTE
 * says; Anonymous counts only the anonymous COW copies in a private file mapping; Pss_Shmem
 * takes the swap-backed ones, Pss_File the others (the vdso's page counts there on the real
 * kernel). Not modelled: shmem's swapped-out pages in Swap (smaps_pte_hole / shmem_swap_usage:
 * the swap issue's).
 *
 * Swap PTEs (anonymous pages swapped out) count in Swap, a page each, and in SwapPss the page
 * divided by the slot's users (swp_swapcount, through the swap subsystem when `swap` is given;
 * a full page without it); other non-present entries (swap-in errors) count nowhere.
 */
import { type MemMap, PG_dirty, PG_referenced, PG_swapbacked, type SwapOps, nonSwapEntry } from "@mmsim/core";
import { pteToSwpEntry } from "@mmsim/hw-arm64";
import { NULL_ENTRY, type PgtableStore, pgdOffsetPgd, pmdOffset, pmdSect, ptePfn, ptePresent, pteDirty, pteOffsetKernel, pteSpecial, pteYoung, pudOffset, pudSect } from "@mmsim/hw-arm64";
import {
  MMF_DISABLE_THP, MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, type MmStruct, type TaskStruct, VM_DONTEXPAND, VM_GROWSDOWN, VM_HUGEPAGE, VM_HUGETLB, VM_IO,
  VM_LOCKED, VM_MAYSHARE, VM_MIXEDMAP, VM_NOHUGEPAGE, VM_PFNMAP, VM_RAND_READ, VM_READ, VM_SEQ_READ, VM_WRITE, VM_EXEC, type VmAreaStruct, getMmCounter,
} from "@mmsim/vma";
import { compoundHead, pageMapcount } from "@mmsim/rmap";
import { hexPad, seqPutDecimalUllWidth } from "./seq-file.ts";

const PAGE_SIZE = 4096;
const HPAGE_PMD_SIZE = 2 * 1024 * 1024;
/** Kernel: `PSS_SHIFT` (fixed-point Pss). */
const PSS_SHIFT = 12;
const PSS_ONE = PAGE_SIZE * 2 ** PSS_SHIFT;

/** /sys/kernel/mm/transparent_hugepage/enabled. */
export type ThpEnabled = "always" | "madvise" | "never";

/** What the per-task renderers read. */
export interface TaskMmuSources {
  readonly mem: MemMap;
  readonly store: PgtableStore;
  /** The THP sysfs mode (THPeligible). */
  readonly thpEnabled: ThpEnabled;
  /** The huge zero page's PFN, if one is allocated (smaps_pmd_entry skips it: follow_trans_huge_pmd's FOLL_DUMP). */
  readonly hugeZeroPfn?: number;
  /** The swap subsystem, for swap PTEs' users (smaps' SwapPss); absent or null: none. */
  readonly swap?: SwapOps | null;
}

// --- maps ------------------------------------------------------------------------------------

/** Kernel: `seq_setwidth(m, 25 + sizeof(void *) * 6 - 1)`: the name column starts after 72 characters. */
const MAPS_PAD = 25 + 8 * 6 - 1;

/** Kernel: `show_vma_header_prefix()`: `%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu `. */
function vmaHeaderPrefix(start: number, end: number, flags: number, pgoff: number, major: number, minor: number, ino: number): string {
  return `${hexPad(start, 8)}-${hexPad(end, 8)} ${(flags & VM_READ) !== 0 ? "r" : "-"}${(flags & VM_WRITE) !== 0 ? "w" : "-"}${(flags & VM_EXEC) !== 0 ? "x" : "-"}${(flags & VM_MAYSHARE) !== 0 ? "s" : "p"} ${hexPad(pgoff, 8)} ${hexPad(major, 2)}:${hexPad(minor, 2)} ${ino} `;
}

/** Kernel: `seq_pad(m, ' ')` after the prefix, then the name. */
function padName(prefix: string, name: string): string {
  return prefix.padEnd(MAPS_PAD, " ") + " " + name;
}

/** Kernel: `is_stack()`: the VMA holding mm->start_stack. */
function isStack(vma: VmAreaStruct, mm: MmStruct): boolean {
  return vma.vmStart <= mm.startStack && vma.vmEnd >= mm.startStack;
}

/** One line of /proc/<pid>/maps, with its newline. Kernel: `show_map_vma()`. */
export function showMapVma(vma: VmAreaStruct): string {
  const mm = vma.vmMm;
  const file = vma.vmFile;
  const prefix = vmaHeaderPrefix(vma.vmStart, vma.vmEnd, vma.vmFlags, file ? vma.vmPgoff * PAGE_SIZE : 0, file ? file.dev[0] : 0, file ? file.dev[1] : 0, file ? file.ino : 0);
  // seq_file_path(): d_path, which the files' path already is (" (deleted)" once unlinked: "/dev/zero (deleted)" for shared anonymous memory)
  if (file) return padName(prefix, file.path) + "\n";
  if (vma.vmSpecial !== null) return padName(prefix, vma.vmSpecial.name) + "\n"; // vm_ops->name
  const opsName = vma.vmOps !== null && vma.vmOps.name !== undefined ? vma.vmOps.name(vma) : null;
  if (opsName !== null) return padName(prefix, opsName) + "\n";
  if (vma.vmStart <= mm.brk && vma.vmEnd >= mm.startBrk) return padName(prefix, "[heap]") + "\n";
  if (isStack(vma, mm)) return padName(prefix, "[stack]") + "\n";
  if (vma.anonName !== null) return padName(prefix, `[anon:${vma.anonName}]`) + "\n";
  return prefix + "\n";
}

/** /proc/<pid>/maps: empty for a task without an mm (a zombie, a kernel thread). Kernel: `show_map()` over the tree. */
export function procPidMaps(task: TaskStruct): string {
  const mm = task.mm;
  if (mm === null) return "";
  let out = "";
  for (const vma of mm.mt) out += showMapVma(vma);
  return out;
}

// --- smaps -----------------------------------------------------------------------------------

/** Kernel: `struct mem_size_stats` (bytes; the pss fields in PSS_SHIFT fixed point). */
export interface MemSizeStats {
  resident: number;
  sharedClean: number;
  sharedDirty: number;
  privateClean: number;
  privateDirty: number;
  referenced: number;
  anonymous: number;
  lazyfree: number;
  anonymousThp: number;
  shmemThp: number;
  fileThp: number;
  swap: number;
  sharedHugetlb: number;
  privateHugetlb: number;
  pss: number;
  pssAnon: number;
  pssFile: number;
  pssShmem: number;
  pssDirty: number;
  pssLocked: number;
  swapPss: number;
}

/** A zeroed mem_size_stats. */
export function newMemSizeStats(): MemSizeStats {
  return {
    resident: 0, sharedClean: 0, sharedDirty: 0, privateClean: 0, privateDirty: 0, referenced: 0, anonymous: 0, lazyfree: 0, anonymousThp: 0, shmemThp: 0,
    fileThp: 0, swap: 0, sharedHugetlb: 0, privateHugetlb: 0, pss: 0, pssAnon: 0, pssFile: 0, pssShmem: 0, pssDirty: 0, pssLocked: 0, swapPss: 0,
  };
}

const flag = (mem: MemMap, page: number, bit: number): boolean => (mem.flags[page]! & (1 << bit)) !== 0;

/** Kernel: `smaps_page_accumulate()`. */
function smapsPageAccumulate(mem: MemMap, mss: MemSizeStats, page: number, size: number, pss: number, dirty: boolean, locked: boolean, priv: boolean): void {
  mss.pss += pss;
  // PageAnon() and the PF_HEAD flags read the head page (a subpage of a split THP too)
  const head = compoundHead(mem, page);
  if (mem.mapping[head]! < 0) mss.pssAnon += pss;
  else if (flag(mem, head, PG_swapbacked)) mss.pssShmem += pss;
  else mss.pssFile += pss;
  if (locked) mss.pssLocked += pss;
  if (dirty || flag(mem, head, PG_dirty)) {
    mss.pssDirty += pss;
    if (priv) mss.privateDirty += size;
    else mss.sharedDirty += size;
  } else if (priv) mss.privateClean += size;
  else mss.sharedClean += size;
}

/** Kernel: `smaps_account()` (no migration entries: those are the migration issue's). */
function smapsAccount(mem: MemMap, mss: MemSizeStats, page: number, nr: number, young: boolean, dirty: boolean, locked: boolean): void {
  const size = nr * PAGE_SIZE;
  const head = compoundHead(mem, page); // PageAnon(), PageSwapBacked(), PageDirty() read the head
  if (mem.mapping[head]! < 0) {
    mss.anonymous += size;
    if (!flag(mem, head, PG_swapbacked) && !dirty && !flag(mem, head, PG_dirty)) mss.lazyfree += size;
  }
  mss.resident += size;
  if (young || flag(mem, page, PG_referenced)) mss.referenced += size;
  // page_count(page) == 1: mapped exactly once, private whatever the mapcount says.
  if (mem.refcount[page] === 1) {
    smapsPageAccumulate(mem, mss, page, size, size * 2 ** PSS_SHIFT, dirty, locked, true);
    return;
  }
  for (let i = 0; i < nr; i++) {
    const mapcount = pageMapcount(mem, page + i);
    let pss = PSS_ONE;
    if (mapcount >= 2) pss = Math.floor(pss / mapcount);
    smapsPageAccumulate(mem, mss, page + i, PAGE_SIZE, pss, dirty, locked, mapcount < 2);
  }
}

/**
 * The struct page of a present PTE, or -1. Kernel: `vm_normal_page()` with
 * CONFIG_ARCH_HAS_PTE_SPECIAL: a special PTE (zero page, PFN map) or a PFN beyond the mem map
 * has none.
 */
function vmNormalPage(mem: MemMap, lo: number, hi: number): number {
  if (pteSpecial(hi)) return -1;
  const pfn = ptePfn(lo, hi);
  if (pfn < mem.basePfn || pfn >= mem.endPfn) return -1;
  return mem.pfnToPage(pfn);
}

/**
 * Walks [start, end) of a VMA's page tables into `mss`. Kernel: `smap_gather_stats()` →
 * `walk_page_range()` with smaps_pte_range (PTE and PMD entries; smaps_pte_entry's swap PTEs:
 * Swap, and SwapPss shared among the slot's swp_swapcount users).
 */
export function smapGatherStats(src: TaskMmuSources, vma: VmAreaStruct, mss: MemSizeStats, start = vma.vmStart): void {
  const mm = vma.vmMm;
  if (mm.pgtables === null || start >= vma.vmEnd) return;
  const { store, mem } = src;
  const locked = (vma.vmFlags & VM_LOCKED) !== 0;
  const pgd = mm.pgtables.pgd;
  let addr = start;
  const end = vma.vmEnd;
  while (addr < end) {
    const next = Math.min(end, (Math.floor(addr / HPAGE_PMD_SIZE) + 1) * HPAGE_PMD_SIZE);
    const pudp = pudOffset(store, pgdOffsetPgd(store, pgd, addr), addr);
    if (pudp === NULL_ENTRY || pudSect(store.readLo(pudp))) {
      addr = next;
      continue;
    }
    const pmdp = pmdOffset(store, pudp, addr);
    if (pmdp === NULL_ENTRY) {
      addr = next;
      continue;
    }
    const plo = store.readLo(pmdp);
    const phi = store.readHi(pmdp);
    if (plo === 0 && phi === 0) {
      addr = next;
      continue;
    }
    if (pmdSect(plo)) {
      // smaps_pmd_entry(): a THP mapped by one PMD
      const pfn = ptePfn(plo, phi);
      if (ptePresent(plo, phi) && pfn !== src.hugeZeroPfn && pfn >= mem.basePfn && pfn + 512 <= mem.endPfn) {
        const page = mem.pfnToPage(pfn);
        if (mem.mapping[page]! < 0) mss.anonymousThp += HPAGE_PMD_SIZE;
        else if (flag(mem, page, PG_swapbacked)) mss.shmemThp += HPAGE_PMD_SIZE;
        else mss.fileThp += HPAGE_PMD_SIZE;
        smapsAccount(mem, mss, page, 512, pteYoung(plo), pteDirty(plo, phi), locked);
      }
      addr = next;
      continue;
    }
    for (; addr < next; addr += PAGE_SIZE) {
      const ptep = pteOffsetKernel(store, pmdp, addr);
      const lo = store.readLo(ptep);
      const hi = store.readHi(ptep);
      if (lo === 0 && hi === 0) continue;
      if (!ptePresent(lo, hi)) {
        // is_swap_pte(): a genuine swap entry (swap-in error entries count nowhere; migration
        // and device entries, which would count their page, are not modelled)
        const entry = pteToSwpEntry(lo, hi);
        if (nonSwapEntry(entry)) continue;
        mss.swap += PAGE_SIZE;
        const mapcount = src.swap?.swpSwapcount?.(entry) ?? 1;
        mss.swapPss += mapcount >= 2 ? Math.floor(PSS_ONE / mapcount) : PSS_ONE; // do_div
        continue;
      }
      const page = vmNormalPage(mem, lo, hi);
      if (page >= 0) smapsAccount(mem, mss, page, 1, pteYoung(lo), pteDirty(lo, hi), locked);
    }
  }
}

/** Kernel: `VM_NO_KHUGEPAGED` = VM_SPECIAL | VM_HUGETLB. */
const VM_NO_KHUGEPAGED = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP | VM_HUGETLB;

/**
 * smaps' THPeligible. Kernel: `hugepage_vma_check(vma, vm_flags, smaps=true, in_pf=false,
 * enforce_sysfs=true)` (no shmem, no DAX, CONFIG_READ_ONLY_THP_FOR_FS off on the reference).
 */
export function hugepageVmaCheck(vma: VmAreaStruct, thp: ThpEnabled): boolean {
  const flags = vma.vmFlags;
  if ((flags & VM_NOHUGEPAGE) !== 0 || (vma.vmMm.flags & (1 << MMF_DISABLE_THP)) !== 0) return false;
  if ((flags & VM_NO_KHUGEPAGED) !== 0) return false;
  // transhuge_vma_suitable(vma, vm_end - HPAGE_PMD_SIZE)
  if (!vma.isAnonymous() && ((vma.vmStart / PAGE_SIZE - vma.vmPgoff) % 512 + 512) % 512 !== 0) return false;
  const haddr = Math.floor((vma.vmEnd - HPAGE_PMD_SIZE) / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
  if (haddr < vma.vmStart || haddr + HPAGE_PMD_SIZE > vma.vmEnd) return false;
  if (thp === "never" || (thp === "madvise" && (flags & VM_HUGEPAGE) === 0)) return false;
  if (!vma.isAnonymous()) return false;
  // vma_is_temporary_stack(): exec's stack before setup_arg_pages finished
  if ((flags & VM_GROWSDOWN) !== 0 && (flags & (VM_SEQ_READ | VM_RAND_READ)) === (VM_SEQ_READ | VM_RAND_READ)) return false;
  return true;
}

/** Kernel: `SEQ_PUT_DEC` of task_mmu.c's smaps part: `seq_put_decimal_ull_width(m, str, val >> 10, 8)`. */
const dec = (str: string, bytes: number): string => seqPutDecimalUllWidth(str, Math.floor(bytes / 1024), 8);
const pssBytes = (fixed: number): number => Math.floor(fixed / 2 ** PSS_SHIFT);

/** The fields smaps and smaps_rollup share. Kernel: `__show_smap()`. */
export function showSmapCommon(mss: MemSizeStats, rollup: boolean): string {
  let s = dec("Rss:            ", mss.resident);
  s += dec(" kB\nPss:            ", pssBytes(mss.pss));
  s += dec(" kB\nPss_Dirty:      ", pssBytes(mss.pssDirty));
  if (rollup) {
    s += dec(" kB\nPss_Anon:       ", pssBytes(mss.pssAnon));
    s += dec(" kB\nPss_File:       ", pssBytes(mss.pssFile));
    s += dec(" kB\nPss_Shmem:      ", pssBytes(mss.pssShmem));
  }
  s += dec(" kB\nShared_Clean:   ", mss.sharedClean);
  s += dec(" kB\nShared_Dirty:   ", mss.sharedDirty);
  s += dec(" kB\nPrivate_Clean:  ", mss.privateClean);
  s += dec(" kB\nPrivate_Dirty:  ", mss.privateDirty);
  s += dec(" kB\nReferenced:     ", mss.referenced);
  s += dec(" kB\nAnonymous:      ", mss.anonymous);
  s += dec(" kB\nLazyFree:       ", mss.lazyfree);
  s += dec(" kB\nAnonHugePages:  ", mss.anonymousThp);
  s += dec(" kB\nShmemPmdMapped: ", mss.shmemThp);
  s += dec(" kB\nFilePmdMapped:  ", mss.fileThp);
  s += dec(" kB\nShared_Hugetlb: ", mss.sharedHugetlb);
  s += seqPutDecimalUllWidth(" kB\nPrivate_Hugetlb: ", Math.floor(mss.privateHugetlb / 1024), 7);
  s += dec(" kB\nSwap:           ", mss.swap);
  s += dec(" kB\nSwapPss:        ", pssBytes(mss.swapPss));
  s += dec(" kB\nLocked:         ", pssBytes(mss.pssLocked));
  return s + " kB\n";
}

/**
 * VmFlags mnemonics by bit, 6.1 arm64 (VM_LOCKONFAULT, bit 19, has none: "??"; CONFIG_ARM64_BTI: bit 24 is "bt"; VM_SOFTDIRTY is 0 without
 * CONFIG_MEM_SOFT_DIRTY; bits 32+ (VM_UFFD_MINOR, MTE) are not kept by mmsim).
 */
const MNEMONICS: readonly string[] = [
  "rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "um", "pf", "??", "uw", "lo", "io", "sr",
  "rr", "dc", "de", "??", "ac", "nr", "ht", "sf", "bt", "wf", "dd", "??", "mm", "hg", "nh", "mg",
];

/** Kernel: `show_smap_vma_flags()`. */
export function showSmapVmaFlags(flags: number): string {
  let s = "VmFlags: ";
  for (let i = 0; i < 32; i++) if ((flags & (1 << i)) !== 0) s += MNEMONICS[i] + " ";
  return s + "\n";
}

/** One VMA's block of /proc/<pid>/smaps. Kernel: `show_smap()`. */
export function showSmap(src: TaskMmuSources, vma: VmAreaStruct): string {
  const mss = newMemSizeStats();
  smapGatherStats(src, vma, mss);
  let s = showMapVma(vma);
  s += dec("Size:           ", vma.vmEnd - vma.vmStart);
  s += dec(" kB\nKernelPageSize: ", PAGE_SIZE);
  s += dec(" kB\nMMUPageSize:    ", PAGE_SIZE);
  s += " kB\n";
  s += showSmapCommon(mss, false);
  s += `THPeligible:    ${hugepageVmaCheck(vma, src.thpEnabled) ? 1 : 0}\n`;
  return s + showSmapVmaFlags(vma.vmFlags);
}

/** /proc/<pid>/smaps. */
export function procPidSmaps(src: TaskMmuSources, task: TaskStruct): string {
  const mm = task.mm;
  if (mm === null) return "";
  let out = "";
  for (const vma of mm.mt) out += showSmap(src, vma);
  return out;
}

/**
 * /proc/<pid>/smaps_rollup: every VMA's statistics summed, under a header spanning the first
 * VMA's start to the last one's end. Kernel: `show_smaps_rollup()`.
 * @returns the text, or undefined for a task without an mm (the read fails with -ESRCH)
 */
export function procPidSmapsRollup(src: TaskMmuSources, task: TaskStruct): string | undefined {
  const mm = task.mm;
  if (mm === null) return undefined;
  const mss = newMemSizeStats();
  let vmaStart = 0;
  let lastVmaEnd = 0;
  let first = true;
  for (const vma of mm.mt) {
    if (first) vmaStart = vma.vmStart;
    first = false;
    smapGatherStats(src, vma, mss);
    lastVmaEnd = vma.vmEnd;
  }
  return padName(vmaHeaderPrefix(vmaStart, lastVmaEnd, 0, 0, 0, 0, 0), "[rollup]") + "\n" + showSmapCommon(mss, true);
}

// --- status's memory lines, statm -------------------------------------------------------------

/** `SEQ_PUT_DEC` of task_mem(): pages shown in kB, width 8. */
const decPages = (str: string, pages: number): string => seqPutDecimalUllWidth(str, pages * (PAGE_SIZE / 1024), 8);

/**
 * The Vm* and Rss* lines of /proc/<pid>/status (from get_mm_counter: they lag the task's
 * batched faults). Kernel: `task_mem()` then `hugetlb_report_usage()`.
 */
export function taskMem(mm: MmStruct): string {
  const anon = getMmCounter(mm, MM_ANONPAGES);
  const file = getMmCounter(mm, MM_FILEPAGES);
  const shmem = getMmCounter(mm, MM_SHMEMPAGES);
  const totalVm = mm.totalVm;
  const hiwaterVm = Math.max(totalVm, mm.hiwaterVm);
  const totalRss = anon + file + shmem;
  const hiwaterRss = Math.max(totalRss, mm.hiwaterRss);
  // split executable areas between text and lib
  let text = Math.ceil(mm.endCode / PAGE_SIZE) * PAGE_SIZE - Math.floor(mm.startCode / PAGE_SIZE) * PAGE_SIZE;
  text = Math.min(text, mm.execVm * PAGE_SIZE);
  const lib = mm.execVm * PAGE_SIZE - text;
  const swap = getMmCounter(mm, MM_SWAPENTS);
  let s = decPages("VmPeak:\t", hiwaterVm);
  s += decPages(" kB\nVmSize:\t", totalVm);
  s += decPages(" kB\nVmLck:\t", mm.lockedVm);
  s += decPages(" kB\nVmPin:\t", mm.pinnedVm);
  s += decPages(" kB\nVmHWM:\t", hiwaterRss);
  s += decPages(" kB\nVmRSS:\t", totalRss);
  s += decPages(" kB\nRssAnon:\t", anon);
  s += decPages(" kB\nRssFile:\t", file);
  s += decPages(" kB\nRssShmem:\t", shmem);
  s += decPages(" kB\nVmData:\t", mm.dataVm);
  s += decPages(" kB\nVmStk:\t", mm.stackVm);
  s += seqPutDecimalUllWidth(" kB\nVmExe:\t", Math.floor(text / 1024), 8);
  s += seqPutDecimalUllWidth(" kB\nVmLib:\t", Math.floor(lib / 1024), 8);
  s += seqPutDecimalUllWidth(" kB\nVmPTE:\t", Math.floor((mm.pgtables?.pgtablesBytes ?? 0) / 1024), 8);
  s += decPages(" kB\nVmSwap:\t", swap);
  s += " kB\n";
  // hugetlb_report_usage(): no hugetlb mappings in a process yet
  return s + "HugetlbPages:\t       0 kB\n";
}

/**
 * /proc/<pid>/statm: size resident shared text lib data dt, in pages (lib and dt are 0 since
 * 2.6). Kernel: `proc_pid_statm()` → `task_statm()`; a task without an mm prints zeros.
 */
export function procPidStatm(task: TaskStruct): string {
  const mm = task.mm;
  let size = 0;
  let resident = 0;
  let shared = 0;
  let text = 0;
  let data = 0;
  if (mm !== null) {
    shared = getMmCounter(mm, MM_FILEPAGES) + getMmCounter(mm, MM_SHMEMPAGES);
    text = (Math.ceil(mm.endCode / PAGE_SIZE) * PAGE_SIZE - Math.floor(mm.startCode / PAGE_SIZE) * PAGE_SIZE) / PAGE_SIZE;
    data = mm.dataVm + mm.stackVm;
    resident = shared + getMmCounter(mm, MM_ANONPAGES);
    size = mm.totalVm;
  }
  return `${size} ${resident} ${shared} ${text} 0 ${data} 0\n`;
}
