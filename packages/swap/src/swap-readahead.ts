// Kernel: mm/swap_state.c (v6.1) — VMA-based swap readahead: swap_use_vma_readahead, lookup_swap_cache with a VMA (the swap_readahead_info statistics), swap_ra_clamp_pfn, swap_ra_info, swap_vma_readahead, swapin_readahead
/*
 * A fault on a swap PTE of an anonymous VMA reads, besides its own page, the pages whose PTEs are
 * near it in the same VMA and PTE table (their slots may be anywhere on any device): the window
 * (1 … 2^min(page-cluster, 5) pages) comes from __swapin_nr_pages over the VMA's own state,
 * `vma->swap_readahead_info` = SWAP_RA_VAL(last fault's page address, last window, hits), where
 * a hit is a later lookup of a page this readahead brought in (PG_readahead). A fault next to the
 * previous one (one page up or down) reads forward (or backward) from itself; any other reads a
 * window centred on it. 6.1 uses this instead of the cluster readahead for every caller with a
 * VMA (do_swap_page, swapoff's unuse_pte_range) while /sys/kernel/mm/swap/vma_ra_enabled is true
 * and no rotational swap device is on (nr_rotate_swap == 0); shmem's swap-ins have no VMA and keep
 * swap_cluster_readahead.
 *
 * SWAP_RA_VAL packs the page address with the window in bits 6–11 and the hits in bits 0–5 (an
 * unsigned long in the kernel); here it is a JS number (addresses < 2^48: exact).
 */
import { SWAP_RA, SWAP_RA_HIT, type SwapRaVma, type SwapVmFault, nonSwapEntry, PG_readahead, PAGE_SHIFT } from "@mmsim/core";
import { swapReadpage } from "./page-io.ts";
import type { Swap } from "./swapfile.ts";
import {
  __readSwapCacheAsync, __swapinNrPages, lookupSwapCache, putPage, swapClusterReadahead,
} from "./swap-state.ts";

const PAGE_SIZE = 1 << PAGE_SHIFT;
const READAHEAD = 1 << PG_readahead;

/** Kernel: `SWAP_RA_WIN_SHIFT` (PAGE_SHIFT / 2), `SWAP_RA_HITS_MASK`, `SWAP_RA_HITS_MAX`, `SWAP_RA_WIN_MASK` (~PAGE_MASK & ~SWAP_RA_HITS_MASK). */
export const SWAP_RA_WIN_SHIFT = PAGE_SHIFT / 2;
export const SWAP_RA_HITS_MASK = (1 << SWAP_RA_WIN_SHIFT) - 1;
export const SWAP_RA_HITS_MAX = SWAP_RA_HITS_MASK;
export const SWAP_RA_WIN_MASK = (PAGE_SIZE - 1) & ~SWAP_RA_HITS_MASK;
/** Kernel: `SWAP_RA_ORDER_CEILING` (64-bit): VMA readahead reads at most 2^5 = 32 pages. */
export const SWAP_RA_ORDER_CEILING = 5;
/** PTEs per PTE table (4 KiB pages): a PMD maps 2 MiB. Kernel: `PTRS_PER_PTE`, `PMD_SIZE`. */
const PTRS_PER_PTE = 512;

/** Kernel: `SWAP_RA_HITS(v)`. */
export function swapRaHits(v: number): number {
  return v % PAGE_SIZE & SWAP_RA_HITS_MASK;
}
/** Kernel: `SWAP_RA_WIN(v)`. */
export function swapRaWin(v: number): number {
  return (v % PAGE_SIZE & SWAP_RA_WIN_MASK) >>> SWAP_RA_WIN_SHIFT;
}
/** Kernel: `SWAP_RA_ADDR(v)` (v & PAGE_MASK). */
export function swapRaAddr(v: number): number {
  return v - (v % PAGE_SIZE);
}
/** Kernel: `SWAP_RA_VAL(addr, win, hits)`. */
export function swapRaVal(addr: number, win: number, hits: number): number {
  return addr - (addr % PAGE_SIZE) + ((win << SWAP_RA_WIN_SHIFT) & SWAP_RA_WIN_MASK) + (hits & SWAP_RA_HITS_MASK);
}
/** Kernel: `GET_SWAP_RA_VAL(vma)`: the VMA's state, 4 hits before its first readahead (a small window to start). */
export function getSwapRaVal(vma: SwapRaVma): number {
  return vma.swapReadaheadInfo !== 0 ? vma.swapReadaheadInfo : 4;
}

/** Kernel: `swap_use_vma_readahead()`: vma_ra_enabled and no rotational swap device on. */
export function swapUseVmaReadahead(sw: Swap): boolean {
  return sw.enableVmaReadahead && sw.nrRotateSwap === 0;
}

/**
 * The swap-cache page of `entry` with a reference, or -1. A page brought in by readahead
 * (PG_readahead, cleared now) counts swap_ra_hit; with VMA readahead in use the hit goes to the
 * VMA's state (which also records `addr` as its last fault), else to the global
 * swapin_readahead_hits of the cluster readahead. `vma` null: shmem's lookup. Kernel:
 * `lookup_swap_cache(entry, vma, addr)`.
 */
export function lookupSwapCacheVma(sw: Swap, entry: number, vma: SwapRaVma | null, addr: number): number {
  const page = lookupSwapCache(sw, entry, true);
  if (page < 0) return -1;
  const vmaRa = swapUseVmaReadahead(sw);
  const f = sw.mem.flags;
  const readahead = (f[page]! & READAHEAD) !== 0;
  if (readahead) f[page] = f[page]! & ~READAHEAD; // TestClearPageReadahead
  if (vma !== null && vmaRa) {
    const raVal = getSwapRaVal(vma);
    const win = swapRaWin(raVal);
    let hits = swapRaHits(raVal);
    if (readahead) hits = Math.min(hits + 1, SWAP_RA_HITS_MAX);
    vma.swapReadaheadInfo = swapRaVal(addr, win, hits);
  }
  if (readahead) {
    sw.vmstat.countVmEvent(SWAP_RA_HIT);
    if (vma === null || !vmaRa) sw.swapinReadaheadHits++;
  }
  return page;
}

/** swap_ra_info's result. Kernel: `struct vma_swap_readahead` (win, nr_pte, offset; the PTEs copied into `ptes`). */
export class VmaSwapReadahead {
  win = 1;
  nrPte = 0;
  /** The faulting PTE's index in `ptes`. */
  offset = 0;
  /** The window's first and end virtual page numbers (swap_ra_clamp_pfn's start, end). */
  start = 0;
  end = 0;
  /** The swap entries of the window's PTEs (0: none or present). */
  readonly ptes = new Int32Array(1 << SWAP_RA_ORDER_CEILING);
}

/** Kernel: `swap_ra_clamp_pfn()`: [lpfn, rpfn) within the VMA and the PTE table of the fault at `fvpn` (virtual page numbers), into ra.start / ra.end. */
function swapRaClampPfn(ra: VmaSwapReadahead, vma: SwapRaVma, fvpn: number, lpfn: number, rpfn: number): void {
  const pmdStart = fvpn - (fvpn % PTRS_PER_PTE);
  ra.start = Math.max(lpfn, Math.floor(vma.vmStart / PAGE_SIZE), pmdStart);
  ra.end = Math.min(rpfn, Math.floor(vma.vmEnd / PAGE_SIZE), pmdStart + PTRS_PER_PTE);
}

/**
 * The window of a fault at vmf.address from the VMA's state, which then records this fault
 * (window, 0 hits); with a window above 1, the PTEs in it are copied. Kernel: `swap_ra_info()`.
 */
export function swapRaInfo(sw: Swap, vmf: SwapVmFault, ra: VmaSwapReadahead): void {
  const maxWin = 1 << Math.min(sw.pageCluster, SWAP_RA_ORDER_CEILING);
  ra.nrPte = 0;
  ra.offset = 0;
  if (maxWin === 1) {
    ra.win = 1;
    return;
  }
  const vma = vmf.vma;
  const faddr = vmf.address;
  const fpfn = Math.floor(faddr / PAGE_SIZE);
  const raVal = getSwapRaVal(vma);
  const pfn = Math.floor(swapRaAddr(raVal) / PAGE_SIZE);
  const prevWin = swapRaWin(raVal);
  const hits = swapRaHits(raVal);
  const win = __swapinNrPages(pfn, fpfn, hits, maxWin, prevWin);
  ra.win = win;
  vma.swapReadaheadInfo = swapRaVal(faddr, win, 0);
  if (win === 1) return;
  if (fpfn === pfn + 1) swapRaClampPfn(ra, vma, fpfn, fpfn, fpfn + win);
  else if (pfn === fpfn + 1) swapRaClampPfn(ra, vma, fpfn, fpfn - win + 1, fpfn + 1);
  else {
    const left = (win - 1) >>> 1;
    swapRaClampPfn(ra, vma, fpfn, fpfn - left, fpfn + win - left);
  }
  ra.nrPte = ra.end - ra.start;
  ra.offset = fpfn - ra.start;
  vmf.readPtes(ra.start, ra.nrPte, ra.ptes); // "Copy the PTEs because the page table may be unmapped"
}

/**
 * Reads the fault's page and, in the window swap_ra_info gives, every swapped-out page whose PTE
 * is near it (under a block plug; pages read ahead get PG_readahead and count swap_ra), then the
 * CPU's LRU batch is drained. Kernel: `swap_vma_readahead()`.
 * @returns the page of `fentry` with a reference, or -1
 */
export function swapVmaReadahead(sw: Swap, fentry: number, gfp: number, vmf: SwapVmFault): number {
  const ra = sw.vmaRaInfo; // the kernel's on-stack ra_info
  swapRaInfo(sw, vmf, ra);
  if (ra.win !== 1) {
    sw.blkStartPlug();
    const n = ra.nrPte;
    for (let i = 0; i < n; i++) {
      const entry = ra.ptes[i]!;
      if (entry === 0) continue; // pte_none or pte_present
      if (nonSwapEntry(entry)) continue;
      const page = __readSwapCacheAsync(sw, entry, gfp);
      if (page < 0) continue;
      if (sw.newPageAllocated) {
        swapReadpage(sw, page, false);
        if (i !== ra.offset) {
          sw.mem.flags[page] = sw.mem.flags[page]! | READAHEAD;
          sw.vmstat.countVmEvent(SWAP_RA);
        }
      }
      putPage(sw, page);
    }
    sw.blkFinishPlug();
    sw.lru?.lruAddDrain(sw.cpu());
  }
  return readSwapCacheAsyncPoll(sw, fentry, gfp, ra.win === 1);
}

/**
 * __read_swap_cache_async, then swap_readpage of a new page, waiting for the read when
 * `doPoll` (synchronous). Kernel: `read_swap_cache_async(entry, gfp, vma, addr, do_poll)`.
 * @returns the page, or -1
 */
export function readSwapCacheAsyncPoll(sw: Swap, entry: number, gfp: number, doPoll: boolean): number {
  const page = __readSwapCacheAsync(sw, entry, gfp);
  if (sw.newPageAllocated) swapReadpage(sw, page, doPoll);
  return page;
}

/**
 * A fault's swap-in: VMA readahead when swap_use_vma_readahead, else the cluster readahead
 * around the slot. Kernel: `swapin_readahead()`.
 * @returns the page with a reference, or -1
 */
export function swapinReadahead(sw: Swap, entry: number, gfp: number, vmf: SwapVmFault): number {
  return swapUseVmaReadahead(sw) ? swapVmaReadahead(sw, entry, gfp, vmf) : swapClusterReadahead(sw, entry, gfp);
}
