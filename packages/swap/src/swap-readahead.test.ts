// Tests of @mmsim/swap's VMA-based readahead (swap_vma_readahead, swap_ra_info, lookup_swap_cache with a VMA), reasoned from mm/swap_state.c (v6.1)
import { PG_readahead, PG_swapbacked, SWAP_RA, SWAP_RA_HIT, type SwapRaVma, type SwapVmFault, swpOffset } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { swapCacheEntry, totalSwapcachePages } from "./swap-state.ts";
import {
  getSwapRaVal, lookupSwapCacheVma, swapRaAddr, swapRaHits, swapRaVal, swapRaWin, swapUseVmaReadahead, swapinReadahead,
} from "./swap-readahead.ts";
import { expectValid, testSwap, zramSwapon } from "./swap.test-helpers.ts";

const text = (id: number, ratio: number): number => (id * 512 + Math.round(ratio * 256)) * 8 + 3;
const PAGE = 4096;
/** The VMA's first virtual page: 2 MiB-aligned (a PTE table of its own) plus 0. */
const BASE = 0x40000000 / PAGE;

type T = ReturnType<typeof testSwap>;

/**
 * `n` anonymous pages of a VMA at BASE swapped out to zram, each a swap PTE (one user) and
 * nothing else: virtual page BASE + i holds entry `entries[i]`. The slots are taken in reverse
 * virtual order, so a window of neighbouring PTEs is not a window of neighbouring slots.
 */
function swappedVma(t: T, n: number): { vma: SwapRaVma; entries: number[]; vmf: (vpn: number) => SwapVmFault } {
  const byVpn: number[] = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    const pfn = t.pages.allocPages(0, 0);
    const p = t.mem.pfnToPage(pfn);
    t.mem.flags[p] = 1 << PG_swapbacked;
    t.vfs.contents.set(pfn, text(1000 + i, 0.4));
    expect(t.swap.addToSwap(p)).toBe(true);
    const e = t.mem.private[p]!;
    t.swap.swapDuplicate(e); // the swap PTE's reference (try_to_unmap)
    t.swap.swapWritepage(p);
    t.swap.deleteFromSwapCache(p, 0);
    t.vfs.contents.clear(pfn);
    t.pages.freePages(pfn, 0);
    byVpn[i] = e;
  }
  const vma: SwapRaVma = { vmStart: BASE * PAGE, vmEnd: (BASE + n) * PAGE, swapReadaheadInfo: 0 };
  const vmf = (vpn: number): SwapVmFault => ({
    vma,
    address: vpn * PAGE,
    readPtes(startVpn: number, k: number, out: Int32Array): void {
      for (let i = 0; i < k; i++) {
        const j = startVpn + i - BASE;
        out[i] = j >= 0 && j < n ? byVpn[j]! : 0;
      }
    },
  });
  return { vma, entries: byVpn, vmf };
}

/** The virtual pages (relative to BASE) whose entries have a page in the swap cache (looked at without a lookup's side effects). */
function cachedVpns(t: T, entries: number[]): number[] {
  const out: number[] = [];
  entries.forEach((e, i) => {
    if (swapCacheEntry(t.swap, e) > 0) out.push(i);
  });
  return out;
}

describe("VMA-based swap readahead", () => {
  it("SWAP_RA_VAL packs the page address, the window (bits 6–11) and the hits (bits 0–5); a VMA starts at 4 hits", () => {
    const v = swapRaVal(0x7fff_1234_5678, 8, 3);
    expect(swapRaAddr(v)).toBe(0x7fff_1234_5000);
    expect(swapRaWin(v)).toBe(8);
    expect(swapRaHits(v)).toBe(3);
    expect(swapRaHits(swapRaVal(0, 0, 70))).toBe(70 & 63);
    expect(getSwapRaVal({ vmStart: 0, vmEnd: 0, swapReadaheadInfo: 0 })).toBe(4);
  });

  it("the first fault reads the 8 PTEs centred on it (hits 4 → window 8), whatever their slots; the readahead pages count swap_ra", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "16M");
    const { vma, entries, vmf } = swappedVma(t, 64);
    expect(swapUseVmaReadahead(t.swap)).toBe(true);
    const page = swapinReadahead(t.swap, entries[20]!, 0, vmf(BASE + 20));
    expect(page).toBeGreaterThanOrEqual(0);
    expect(t.vfs.contents.get(t.mem.pageToPfn(page))).toBe(text(1020, 0.4));
    // __swapin_nr_pages(0, fpfn, 4, 8, 0): not adjacent, hits 4 → 6 → 8; left = (8 − 1) / 2 = 3
    expect(cachedVpns(t, entries)).toEqual([17, 18, 19, 20, 21, 22, 23, 24]);
    expect(t.vmstat.vmEvents[SWAP_RA]).toBe(7);
    expect(vma.swapReadaheadInfo).toBe(swapRaVal((BASE + 20) * PAGE, 8, 0));
    // the slots read are not one aligned cluster: the PTEs were swapped out in reverse order
    expect(swpOffset(entries[17]!) - swpOffset(entries[24]!)).toBe(7);
    t.mem.refcount[page]!--;
    expectValid(t.swap);
  });

  it("a hit goes to the VMA (not to the cluster readahead's global hits) and the next window follows the VMA's hits and last window", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "16M");
    const { vma, entries, vmf } = swappedVma(t, 64);
    const p0 = swapinReadahead(t.swap, entries[20]!, 0, vmf(BASE + 20));
    t.mem.refcount[p0]!--;
    const globalHits = t.swap.swapinReadaheadHits;
    const hit = lookupSwapCacheVma(t.swap, entries[22]!, vma, (BASE + 22) * PAGE);
    expect(hit).toBeGreaterThanOrEqual(0);
    expect(t.mem.flags[hit]! & (1 << PG_readahead)).toBe(0); // TestClearPageReadahead
    expect(t.vmstat.vmEvents[SWAP_RA_HIT]).toBe(1);
    expect(t.swap.swapinReadaheadHits).toBe(globalHits);
    expect(vma.swapReadaheadInfo).toBe(swapRaVal((BASE + 22) * PAGE, 8, 1));
    t.mem.refcount[hit]!--;
    // a fault at 30: not next to 22; hits 1 → 3 → 4, at least half the last window (8 / 2 = 4)
    const ra = t.vmstat.vmEvents[SWAP_RA]!;
    const p1 = swapinReadahead(t.swap, entries[30]!, 0, vmf(BASE + 30));
    t.mem.refcount[p1]!--;
    expect(swapRaWin(vma.swapReadaheadInfo)).toBe(4);
    expect(cachedVpns(t, entries)).toEqual([17, 18, 19, 20, 21, 22, 23, 24, 29, 30, 31, 32]); // left = 1: [29, 33)
    expect(t.vmstat.vmEvents[SWAP_RA]! - ra).toBe(3);
    // readahead for the page one up from the last fault: forward from it
    const p2 = swapinReadahead(t.swap, entries[31]!, 0, vmf(BASE + 31));
    t.mem.refcount[p2]!--;
    // 31 = 30 + 1 with 0 hits: pages = 2 (adjacent), not below half of 4 → 2; forward: [31, 33)
    expect(swapRaWin(vma.swapReadaheadInfo)).toBe(2);
    expect(cachedVpns(t, entries)).toEqual([17, 18, 19, 20, 21, 22, 23, 24, 29, 30, 31, 32]);
    const p3 = swapinReadahead(t.swap, entries[33]!, 0, vmf(BASE + 33));
    t.mem.refcount[p3]!--;
    // 33 is not next to 31: 0 hits → 1 page, but not below half the last window (2 / 2 = 1): just the fault
    expect(swapRaWin(vma.swapReadaheadInfo)).toBe(1);
    expect(cachedVpns(t, entries)).toEqual([17, 18, 19, 20, 21, 22, 23, 24, 29, 30, 31, 32, 33]);
    // a fault one page below the last one (29, with 2 hits): backward from it
    vma.swapReadaheadInfo = swapRaVal((BASE + 29) * PAGE, 4, 2);
    const p4 = swapinReadahead(t.swap, entries[28]!, 0, vmf(BASE + 28));
    t.mem.refcount[p4]!--;
    // 28 = 29 − 1 with 2 hits: 4 pages backward from the fault, [25, 29)
    expect(cachedVpns(t, entries)).toEqual([17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33]);
    expectValid(t.swap);
  });

  it("the window is clamped to the VMA and to the fault's PTE table; page-cluster 0 reads only the fault, above 5 at most 32", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "16M");
    const { vma, entries, vmf } = swappedVma(t, 40);
    const p = swapinReadahead(t.swap, entries[1]!, 0, vmf(BASE + 1)); // window 8 centred: [−2, 6) → [0, 6)
    t.mem.refcount[p]!--;
    expect(cachedVpns(t, entries)).toEqual([0, 1, 2, 3, 4, 5]);
    // a VMA that starts in the middle of a PTE table and ends after it: the table's end (BASE + 512) bounds
    const u = testSwap();
    zramSwapon(u.swap, u.zram0, "16M");
    const w = swappedVma(u, 8);
    w.vma.swapReadaheadInfo = 0;
    const shifted: SwapRaVma = { vmStart: (BASE - 4) * PAGE, vmEnd: (BASE + 8) * PAGE, swapReadaheadInfo: 0 };
    const f: SwapVmFault = { ...w.vmf(BASE + 1), vma: shifted };
    const q = swapinReadahead(u.swap, w.entries[1]!, 0, f); // [BASE − 2, BASE + 6) clamped to the table at BASE
    u.mem.refcount[q]!--;
    expect(cachedVpns(u, w.entries)).toEqual([0, 1, 2, 3, 4, 5]);
    // page-cluster 0: no readahead, the VMA's state untouched
    const z = testSwap();
    zramSwapon(z.swap, z.zram0, "16M");
    const s = swappedVma(z, 16);
    z.swap.pageCluster = 0;
    const r = swapinReadahead(z.swap, s.entries[8]!, 0, s.vmf(BASE + 8));
    z.mem.refcount[r]!--;
    expect(totalSwapcachePages(z.swap)).toBe(1);
    expect(s.vma.swapReadaheadInfo).toBe(0);
    // page-cluster 8 (256 pages) is capped at SWAP_RA_ORDER_CEILING: 2^5
    const h = testSwap();
    zramSwapon(h.swap, h.zram0, "16M");
    const b = swappedVma(h, 64);
    h.swap.pageCluster = 8;
    b.vma.swapReadaheadInfo = swapRaVal(0, 0, 40); // 40 hits: 42 → 64, capped at 32
    const c = swapinReadahead(h.swap, b.entries[32]!, 0, b.vmf(BASE + 32));
    h.mem.refcount[c]!--;
    expect(swapRaWin(b.vma.swapReadaheadInfo)).toBe(32);
    expect(totalSwapcachePages(h.swap)).toBe(32);
    void vma;
  });

  it("vma_ra_enabled false, or a rotational swap device on, falls back to the cluster readahead around the slot", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "16M");
    const { vma, entries, vmf } = swappedVma(t, 64);
    t.swap.enableVmaReadahead = false;
    expect(swapUseVmaReadahead(t.swap)).toBe(false);
    const p = swapinReadahead(t.swap, entries[20]!, 0, vmf(BASE + 20));
    t.mem.refcount[p]!--;
    expect(vma.swapReadaheadInfo).toBe(0);
    // the aligned cluster of 8 slots around entries[20]'s slot: by slot, not by virtual page
    const off = swpOffset(entries[20]!);
    const got = cachedVpns(t, entries).map((i) => swpOffset(entries[i]!)).sort((a, b) => a - b);
    expect(got).toEqual(Array.from({ length: 8 }, (_, k) => (off & ~7) + k));
    t.swap.enableVmaReadahead = true;
    t.swap.nrRotateSwap = 1; // what swapon of a rotational disk does (see swap-disk.test.ts)
    expect(swapUseVmaReadahead(t.swap)).toBe(false);
    // without VMA readahead a hit counts for the cluster readahead, and the VMA is left alone
    const before = t.swap.swapinReadaheadHits;
    const j = (swpOffset(entries[21]!) & ~7) === (off & ~7) ? 21 : 19; // a neighbour read ahead in the same cluster
    const hit = lookupSwapCacheVma(t.swap, entries[j]!, vma, (BASE + j) * PAGE);
    t.mem.refcount[hit]!--;
    expect(t.swap.swapinReadaheadHits).toBe(before + 1);
    expect(vma.swapReadaheadInfo).toBe(0);
  });
});
