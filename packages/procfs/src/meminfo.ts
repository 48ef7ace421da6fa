// Kernel: fs/proc/meminfo.c (v6.1) — meminfo_proc_show(), show_val_kb()
/*
 * /proc/meminfo as 6.1 prints it on arm64 with the reference config (Debian 6.1.0-56-arm64):
 * CONFIG_ZSWAP (Zswap, Zswapped), CONFIG_MEMORY_FAILURE (HardwareCorrupted),
 * CONFIG_TRANSPARENT_HUGEPAGE (AnonHugePages … FilePmdMapped), CONFIG_CMA (CmaTotal, CmaFree),
 * HugeTLB lines; no CONFIG_HIGHMEM (HighTotal …), no CONFIG_SHADOW_CALL_STACK, and no DirectMap
 * lines (arch_report_meminfo() is the empty weak function on arm64).
 *
 * Formats: show_val_kb() prints a 16-column label, the value in KiB right-aligned in 8 columns
 * (seq_put_decimal_ull_width; a wider value is printed whole, as VmallocTotal's 12 digits are)
 * and " kB". KernelStack (already KiB), VmallocTotal, Zswap and Zswapped use "%8lu kB";
 * HardwareCorrupted uses "%5lu kB" after a 19-column label; HugePages_* use "%5lu".
 *
 * From PageAllocState: MemTotal (totalram_pages), the watermarks MemAvailable subtracts, CmaTotal
 * (Σ zone.cmaPages unless given). From the vmstat counters (VmStat): MemFree (NR_FREE_PAGES),
 * the LRU, slab, file, shmem, kernel-stack and page-table counters, Mlocked, Bounce, CmaFree
 * (NR_FREE_CMA_PAGES).
 * Inputs (MeminfoOptions), because no mmsim mechanism holds them yet: buffers, swap, zswap,
 * vm_committed_as and the overcommit sysctls, vmalloc pages, percpu pages, poisoned pages,
 * HugeTLB pools, VA_BITS. SwapCached reads the NR_SWAPCACHE node counter, which 6.1 keeps equal
 * to total_swapcache_pages() (both change in add_to_swap_cache/__delete_from_swap_cache).
 */
import {
  LRU_ACTIVE_ANON, LRU_ACTIVE_FILE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, LRU_UNEVICTABLE, NR_ANON_MAPPED, NR_ANON_THPS,
  NR_BOUNCE, NR_FILE_DIRTY, NR_FILE_MAPPED, NR_FILE_PAGES, NR_FILE_PMDMAPPED, NR_FILE_THPS, NR_FREE_CMA_PAGES,
  NR_KERNEL_MISC_RECLAIMABLE, NR_KERNEL_STACK_KB, NR_LRU_BASE, NR_LRU_LISTS, NR_MLOCK, NR_PAGETABLE,
  NR_SECONDARY_PAGETABLE, NR_SHMEM_PMDMAPPED, NR_SHMEM_THPS, NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B,
  NR_SWAPCACHE, NR_WRITEBACK, NR_WRITEBACK_TEMP, PAGE_SHIFT, type VmStat,
} from "@mmsim/core";
import type { PageAllocState } from "@mmsim/buddy";
import type { Arm64Layout } from "@mmsim/hw-arm64";
import { arm64Hstates, type Hstate, hugetlbReportMeminfo, hugetlbTotalPages } from "./hugetlb.ts";
import { ARM64_VA_BITS, vmallocTotal } from "./memory-arm64.ts";
import { siMemAvailable, siMeminfo } from "./page-alloc.ts";
import { padLeft, seqPutDecimalUllWidth } from "./seq-file.ts";
import { DEFAULT_OVERCOMMIT_SYSCTL, vmCommitLimit } from "./util.ts";

/** The /proc/meminfo path. */
export const PROC_MEMINFO = "/proc/meminfo";

/**
 * Inputs of /proc/meminfo that PageAllocState does not hold (pages unless stated). Every field
 * defaults to 0 except where noted; each names the mechanism that will own it.
 */
export interface MeminfoOptions {
  /** `nr_blockdev_pages()`: page cache of block devices ("Buffers"). Block layer. */
  readonly bufferramPages?: number;
  /** `total_swap_pages` (+ nr_to_be_unused): "SwapTotal". Swap. */
  readonly totalSwapPages?: number;
  /** `nr_swap_pages` (+ nr_to_be_unused): "SwapFree". Swap. */
  readonly freeSwapPages?: number;
  /** `zswap_pool_total_size`, in bytes: "Zswap". zswap. */
  readonly zswapPoolTotalSize?: number;
  /** `zswap_stored_pages`: "Zswapped". zswap. */
  readonly zswapStoredPages?: number;
  /** `vm_committed_as` (percpu_counter_sum_positive): "Committed_AS". mmap accounting (vma). */
  readonly committedAsPages?: number;
  /** `vm.overcommit_ratio`, default 50. */
  readonly overcommitRatio?: number;
  /** `vm.overcommit_kbytes`, default 0. */
  readonly overcommitKbytes?: number;
  /** `vmalloc_nr_pages()`: "VmallocUsed". vmalloc. */
  readonly vmallocNrPages?: number;
  /** `pcpu_nr_pages()`: "Percpu". The percpu allocator. */
  readonly pcpuNrPages?: number;
  /** `num_poisoned_pages`: "HardwareCorrupted". Memory failure. */
  readonly numPoisonedPages?: number;
  /** `totalcma_pages`: "CmaTotal". Default Σ zone.cmaPages (equal once the CMA areas are activated). */
  readonly totalcmaPages?: number;
  /** HugeTLB pools. Default: arm64Hstates() (four empty pools, 2 MiB default). HugeTLB. */
  readonly hstates?: readonly Hstate[];
  /** The arch's VA layout (the machine's ARM64_LAYOUT, computed once by its platform): VmallocTotal. */
  readonly layout?: Arm64Layout;
  /** CONFIG_ARM64_VA_BITS for VmallocTotal when no layout is given, default 48. */
  readonly vaBits?: number;
}

/** `num << (PAGE_SHIFT - 10)`: pages to KiB. */
function kb(pages: number): number {
  return pages * 2 ** (PAGE_SHIFT - 10);
}

/** One line: 16-column label, KiB right-aligned in 8, " kB". Kernel: `show_val_kb()`. */
function showValKb(label: string, pages: number): string {
  return `${seqPutDecimalUllWidth(label, kb(pages), 8)} kB\n`;
}

/**
 * The text of /proc/meminfo.
 * Kernel: `meminfo_proc_show()`.
 */
export function meminfoProcShow(pa: PageAllocState, vs: VmStat, opts: MeminfoOptions = {}): string {
  const i = siMeminfo(pa, vs, opts.bufferramPages ?? 0);
  const totalSwap = opts.totalSwapPages ?? 0;
  const freeSwap = opts.freeSwapPages ?? 0;
  const committed = opts.committedAsPages ?? 0;
  const swapcache = vs.globalNodePageState(NR_SWAPCACHE); // total_swapcache_pages()
  let cached = vs.globalNodePageState(NR_FILE_PAGES) - swapcache - i.bufferram;
  if (cached < 0) cached = 0;
  const pages: number[] = [];
  for (let lru = 0; lru < NR_LRU_LISTS; lru++) pages.push(vs.globalNodePageState(NR_LRU_BASE + lru));
  const available = siMemAvailable(pa, vs);
  const sreclaimable = vs.globalNodePageStatePages(NR_SLAB_RECLAIMABLE_B);
  const sunreclaim = vs.globalNodePageStatePages(NR_SLAB_UNRECLAIMABLE_B);
  const hstates = opts.hstates ?? arm64Hstates();
  let totalcma = opts.totalcmaPages;
  if (totalcma === undefined) {
    totalcma = 0;
    for (const zone of pa.zones) totalcma += zone.cmaPages;
  }
  const commitLimit = vmCommitLimit(pa.totalramPages, hugetlbTotalPages(hstates), totalSwap, {
    overcommitRatio: opts.overcommitRatio ?? DEFAULT_OVERCOMMIT_SYSCTL.overcommitRatio,
    overcommitKbytes: opts.overcommitKbytes ?? DEFAULT_OVERCOMMIT_SYSCTL.overcommitKbytes,
  });

  let s = "";
  s += showValKb("MemTotal:       ", i.totalram);
  s += showValKb("MemFree:        ", i.freeram);
  s += showValKb("MemAvailable:   ", available);
  s += showValKb("Buffers:        ", i.bufferram);
  s += showValKb("Cached:         ", cached);
  s += showValKb("SwapCached:     ", swapcache);
  s += showValKb("Active:         ", pages[LRU_ACTIVE_ANON]! + pages[LRU_ACTIVE_FILE]!);
  s += showValKb("Inactive:       ", pages[LRU_INACTIVE_ANON]! + pages[LRU_INACTIVE_FILE]!);
  s += showValKb("Active(anon):   ", pages[LRU_ACTIVE_ANON]!);
  s += showValKb("Inactive(anon): ", pages[LRU_INACTIVE_ANON]!);
  s += showValKb("Active(file):   ", pages[LRU_ACTIVE_FILE]!);
  s += showValKb("Inactive(file): ", pages[LRU_INACTIVE_FILE]!);
  s += showValKb("Unevictable:    ", pages[LRU_UNEVICTABLE]!);
  s += showValKb("Mlocked:        ", vs.globalZonePageState(NR_MLOCK));
  s += showValKb("SwapTotal:      ", totalSwap);
  s += showValKb("SwapFree:       ", freeSwap);
  s += `Zswap:          ${padLeft(Math.floor((opts.zswapPoolTotalSize ?? 0) / 1024), 8)} kB\n`;
  s += `Zswapped:       ${padLeft(kb(opts.zswapStoredPages ?? 0), 8)} kB\n`;
  s += showValKb("Dirty:          ", vs.globalNodePageState(NR_FILE_DIRTY));
  s += showValKb("Writeback:      ", vs.globalNodePageState(NR_WRITEBACK));
  s += showValKb("AnonPages:      ", vs.globalNodePageState(NR_ANON_MAPPED));
  s += showValKb("Mapped:         ", vs.globalNodePageState(NR_FILE_MAPPED));
  s += showValKb("Shmem:          ", i.sharedram);
  s += showValKb("KReclaimable:   ", sreclaimable + vs.globalNodePageState(NR_KERNEL_MISC_RECLAIMABLE));
  s += showValKb("Slab:           ", sreclaimable + sunreclaim);
  s += showValKb("SReclaimable:   ", sreclaimable);
  s += showValKb("SUnreclaim:     ", sunreclaim);
  s += `KernelStack:    ${padLeft(vs.globalNodePageState(NR_KERNEL_STACK_KB), 8)} kB\n`;
  s += showValKb("PageTables:     ", vs.globalNodePageState(NR_PAGETABLE));
  s += showValKb("SecPageTables:  ", vs.globalNodePageState(NR_SECONDARY_PAGETABLE));
  s += showValKb("NFS_Unstable:   ", 0);
  s += showValKb("Bounce:         ", vs.globalZonePageState(NR_BOUNCE));
  s += showValKb("WritebackTmp:   ", vs.globalNodePageState(NR_WRITEBACK_TEMP));
  s += showValKb("CommitLimit:    ", commitLimit);
  s += showValKb("Committed_AS:   ", committed);
  s += `VmallocTotal:   ${padLeft((vmallocTotal(opts.layout ?? opts.vaBits ?? ARM64_VA_BITS) >> 10n).toString(), 8)} kB\n`;
  s += showValKb("VmallocUsed:    ", opts.vmallocNrPages ?? 0);
  s += showValKb("VmallocChunk:   ", 0);
  s += showValKb("Percpu:         ", opts.pcpuNrPages ?? 0);
  s += `HardwareCorrupted: ${padLeft(kb(opts.numPoisonedPages ?? 0), 5)} kB\n`;
  s += showValKb("AnonHugePages:  ", vs.globalNodePageState(NR_ANON_THPS));
  s += showValKb("ShmemHugePages: ", vs.globalNodePageState(NR_SHMEM_THPS));
  s += showValKb("ShmemPmdMapped: ", vs.globalNodePageState(NR_SHMEM_PMDMAPPED));
  s += showValKb("FileHugePages:  ", vs.globalNodePageState(NR_FILE_THPS));
  s += showValKb("FilePmdMapped:  ", vs.globalNodePageState(NR_FILE_PMDMAPPED));
  s += showValKb("CmaTotal:       ", totalcma);
  s += showValKb("CmaFree:        ", vs.globalZonePageState(NR_FREE_CMA_PAGES));
  s += hugetlbReportMeminfo(hstates);
  return s;
}
