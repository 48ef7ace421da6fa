// mmsim: swap PTEs end to end over a fake swap device — swap-out through try_to_unmap, do_swap_page (swap cache, readahead, skip-swapcache), fork, munmap/exit, mprotect/mremap, swapoff's unuse, MADV_WILLNEED, bad entries — validate() after every step
import { PGMAJFAULT, PG_anon_exclusive, PG_swapcache, SWP_SWAPIN_ERROR, type SwapOps, type SwapRaVma, swpEntry, swpOffset } from "@mmsim/core";
import {
  ACCESS_READ, ACCESS_WRITE, PTE_WRITE_HI, PteVal, isSwapPte, mkSwapPte, pgdOffsetPgd, pmdOffset, pteOffsetKernel, pteSwpExclusive,
  pteToSwpEntry, pudOffset, vmGetPageProt,
} from "@mmsim/hw-arm64";
import { MM_ANONPAGES, MM_SWAPENTS, type TaskStruct, VM_READ } from "@mmsim/vma";
import { describe, expect, it } from "vitest";
import { FAULT_HANDLED, FAULT_SIGBUS } from "./fault-arm64.ts";
import { MiB, Rig } from "./fault.test-helpers.ts";
import { FS_WP_COPY, FS_WP_REUSE } from "./memory.ts";
import { contentFill } from "./page-contents.ts";
import { SWS_CACHE_HIT, SWS_FREE_SWAP, SWS_READAHEAD, SWS_REUSE, SWS_SYNC_IO, SWS_UNUSE, SWS_WILLNEED } from "./swap-fault.ts";
import { CountingLru, FakeSwap } from "./swap-fault.test-helpers.ts";

const A = 0x7f0000000000; // 2 MiB aligned
const R = ACCESS_READ;
const W = ACCESS_WRITE;

function setup(): { rig: Rig; swap: FakeSwap; t: TaskStruct } {
  const rig = new Rig(64 * MiB);
  rig.m.thp.enabled = "never";
  const swap = new FakeSwap(rig).install();
  const t = rig.task();
  return { rig, swap, t };
}

/** The PTE words of `addr` in t's mm. */
function pte(rig: Rig, t: TaskStruct, addr: number): [number, number] {
  const s = rig.store;
  const pudp = pudOffset(s, pgdOffsetPgd(s, t.mm!.pgtables!.pgd, addr), addr);
  const ptep = pteOffsetKernel(s, pmdOffset(s, pudp, addr), addr);
  return [s.readLo(ptep), s.readHi(ptep)];
}
/** Writes `content` at addr and returns the page's PFN. */
function write(rig: Rig, t: TaskStruct, addr: number, content: number): number {
  expect(rig.f.userAccess(t, addr, W, content)).toBe(FAULT_HANDLED);
  return rig.f.lastPfn;
}
const rss = (t: TaskStruct, i: number) => t.mm!.rssStat[i]! + t.rssStat[i]!;
const majflt = (rig: Rig) => rig.vmstat.vmEvents[PGMAJFAULT]!;

describe("swap-out leaves a swap PTE; do_swap_page brings the page back", () => {
  it("a read maps the page read-only and exclusive (major fault); the write that follows reuses it and frees the slot", () => {
    const { rig, swap, t } = setup();
    rig.vma(t, A, 16 * 4096);
    const pfn = write(rig, t, A, contentFill(7));
    const entry = swap.swapOut(pfn);
    rig.check("swap-out");
    const [lo, hi] = pte(rig, t, A);
    expect(isSwapPte(lo, hi)).toBe(true);
    expect(pteToSwpEntry(lo, hi)).toBe(entry);
    expect(pteSwpExclusive(lo)).toBe(true); // PageAnonExclusive → PTE_SWP_EXCLUSIVE
    expect([rss(t, MM_ANONPAGES), rss(t, MM_SWAPENTS)]).toEqual([0, 1]);
    expect(swap.swapCount(entry)).toBe(1);

    expect(rig.f.userAccess(t, A + 8, R)).toBe(FAULT_HANDLED);
    rig.check("swap-in read");
    expect(majflt(rig)).toBe(1);
    expect(t.majFlt).toBe(1);
    expect(rig.m.swap.stats[SWS_READAHEAD]).toBe(1);
    const page = rig.mem.pfnToPage(rig.f.lastPfn);
    expect(rig.m.contents.get(rig.f.lastPfn)).toBe(contentFill(7)); // the content came back
    expect(rig.mem.flags[page]! & (1 << PG_anon_exclusive)).not.toBe(0); // RMAP_EXCLUSIVE
    expect(rig.mem.flags[page]! & (1 << PG_swapcache)).not.toBe(0); // still in the swap cache (swap not full)
    expect(pte(rig, t, A)[1] & PTE_WRITE_HI).toBe(0); // read fault: read-only
    expect(swap.swapCount(entry)).toBe(0);
    expect([rss(t, MM_ANONPAGES), rss(t, MM_SWAPENTS)]).toEqual([1, 0]);

    // the write: do_wp_page reuses the exclusive page at once (one minor fault); as in 6.1 the
    // page stays in the swap cache with its slot (SwapCached) until reclaim or a full swap drops it
    expect(rig.f.userAccess(t, A, W, contentFill(8))).toBe(FAULT_HANDLED);
    rig.check("write after swap-in");
    expect(rig.m.stats[FS_WP_REUSE]).toBe(1);
    expect(rig.m.stats[FS_WP_COPY]).toBe(0);
    expect(t.minFlt).toBe(2); // the first write and this one
    expect(rig.mem.flags[page]! & (1 << PG_swapcache)).not.toBe(0);
    expect(swap.used).toBe(1);
    expect(swap.swapCount(entry)).toBe(0);
    // munmap: the page goes, and with it the swap cache's copy and the slot (free_swap_cache: the PTE was present)
    rig.munmap(t, t.mm!.mt.lookup(A)!);
    rig.check("munmap");
    expect(swap.used).toBe(0);
    expect(rig.mem.refcount[page]).toBe(0);
  });

  it("do_swap_page gives lookup_swap_cache and swapin_readahead the VMA, the fault's page address and its PTE table (swap_ra_info's PTE copy)", () => {
    const { rig, swap, t } = setup();
    const vma = rig.vma(t, A, 16 * 4096);
    const entries: number[] = [];
    for (let i = 0; i < 8; i++) {
      const pfn = write(rig, t, A + i * 4096, contentFill(20 + i));
      entries.push(i === 5 ? 0 : swap.swapOut(pfn)); // page 5 stays present
    }
    const looked: [number, SwapRaVma, number][] = [];
    const read: { vma: SwapRaVma; address: number; ptes: number[] }[] = [];
    const ops = swap as SwapOps;
    ops.lookupSwapCacheVma = (entry, v, addr) => {
      looked.push([entry, v, addr]);
      return swap.lookupSwapCache(entry);
    };
    ops.swapinReadaheadVmf = (entry, gfp, vmf) => {
      const out = new Int32Array(10);
      vmf.readPtes(A / 4096 - 1, 10, out); // one before the VMA, the eight pages, one after
      read.push({ vma: vmf.vma, address: vmf.address, ptes: [...out] });
      return swap.swapinReadahead(entry, gfp);
    };
    expect(rig.f.userAccess(t, A + 3 * 4096 + 100, R)).toBe(FAULT_HANDLED);
    rig.check("swap-in through the VMA readahead entry points");
    expect(looked).toEqual([[entries[3], vma, A + 3 * 4096 + 100]]);
    expect(read).toHaveLength(1);
    expect(read[0]!.vma).toBe(vma);
    expect(read[0]!.address).toBe(A + 3 * 4096);
    // none (0) outside, the swap entries, 0 for the present page
    expect(read[0]!.ptes).toEqual([0, ...entries, 0]);
    expect(rig.m.contents.get(rig.f.lastPfn)).toBe(contentFill(23));
  });

  it("a write fault on an exclusive swap PTE maps the page writable at once and drops the swap cache's copy", () => {
    const { rig, swap, t } = setup();
    rig.vma(t, A, 16 * 4096);
    const entry = swap.swapOut(write(rig, t, A + 4096, contentFill(3)));
    expect(entry).not.toBe(0);
    expect(rig.f.userAccess(t, A + 4096, W, contentFill(4))).toBe(FAULT_HANDLED);
    rig.check("write swap-in");
    expect(rig.m.swap.stats[SWS_REUSE]).toBe(1);
    expect(rig.m.swap.stats[SWS_FREE_SWAP]).toBe(1); // should_try_to_free_swap: a write with page_count 2
    expect(pte(rig, t, A + 4096)[1] & PTE_WRITE_HI).not.toBe(0);
    expect(rig.m.stats[FS_WP_REUSE] + rig.m.stats[FS_WP_COPY]).toBe(0); // no do_wp_page
    expect(swap.used).toBe(0);
    expect(rig.m.contents.get(rig.f.lastPfn)).toBe(contentFill(4));
  });

  it("on a synchronous device (zram) a slot with one user is read without the swap cache, and the page goes to the LRU", () => {
    const { rig, swap, t } = setup();
    const lru = new CountingLru();
    rig.m.lru = lru;
    swap.synchronous = true;
    rig.vma(t, A, 16 * 4096);
    swap.swapOut(write(rig, t, A, contentFill(11)));
    expect(lru.calls).toHaveLength(1); // do_anonymous_page's folio_add_lru_vma of the first write
    lru.calls.length = 0;
    expect(rig.f.userAccess(t, A, R)).toBe(FAULT_HANDLED);
    rig.check("sync swap-in");
    const page = rig.mem.pfnToPage(rig.f.lastPfn);
    expect(rig.m.swap.stats[SWS_SYNC_IO]).toBe(1);
    expect(majflt(rig)).toBe(1);
    expect(rig.mem.flags[page]! & (1 << PG_swapcache)).toBe(0);
    expect(rig.mem.flags[page]! & (1 << PG_anon_exclusive)).not.toBe(0); // a fresh page is exclusive
    expect(rig.mem.private[page]).toBe(0);
    expect(lru.calls).toEqual([`add:${page}`]);
    expect(swap.used).toBe(0); // swap_free was the slot's last user
    expect(rig.m.contents.get(rig.f.lastPfn)).toBe(contentFill(11));
  });
});

describe("fork, munmap and exit of swapped ranges", () => {
  it("fork duplicates the entry and makes it shared; both sides fault the same page back, then copy on write", () => {
    const { rig, swap, t } = setup();
    rig.vma(t, A, 16 * 4096);
    const entry = swap.swapOut(write(rig, t, A, contentFill(21)));
    const child = rig.fork(t);
    rig.check("fork");
    expect(swap.swapCount(entry)).toBe(2);
    expect(pteSwpExclusive(pte(rig, t, A)[0])).toBe(false); // the parent's lost PTE_SWP_EXCLUSIVE
    expect(pteSwpExclusive(pte(rig, child, A)[0])).toBe(false);
    expect(rss(child, MM_SWAPENTS)).toBe(1);

    expect(rig.f.userAccess(t, A, R)).toBe(FAULT_HANDLED); // parent: read from the device
    rig.check("parent swap-in");
    const page = rig.mem.pfnToPage(rig.f.lastPfn);
    expect(rig.mem.flags[page]! & (1 << PG_anon_exclusive)).toBe(0); // shared: not exclusive
    expect(rig.f.userAccess(child, A, R)).toBe(FAULT_HANDLED); // child: a swap cache hit, minor
    rig.check("child swap-in");
    expect(rig.f.lastPfn).toBe(rig.mem.pageToPfn(page));
    expect(rig.m.swap.stats[SWS_CACHE_HIT]).toBe(1);
    expect(majflt(rig)).toBe(1);
    expect(child.majFlt).toBe(0);
    expect(rig.mem.mapcount[page]).toBe(1); // two mappings
    expect(swap.swapCount(entry)).toBe(0);

    // the child writes: a copy with the same content; then the parent writes: the page is its own again
    expect(rig.f.userAccess(child, A, W, contentFill(22))).toBe(FAULT_HANDLED);
    rig.check("child write");
    expect(rig.m.stats[FS_WP_COPY]).toBe(1);
    expect(rig.f.userAccess(t, A, W, contentFill(23))).toBe(FAULT_HANDLED);
    rig.check("parent write");
    expect(rig.m.stats[FS_WP_REUSE]).toBe(1);
    expect(rig.f.lastPfn).toBe(rig.mem.pageToPfn(page));
    expect(swap.used).toBe(0);
  });

  it("munmap and exit free the slots (free_swap_and_cache) and MM_SWAPENTS", () => {
    const { rig, swap, t } = setup();
    const v = rig.vma(t, A, 16 * 4096);
    for (let i = 0; i < 4; i++) swap.swapOut(write(rig, t, A + i * 4096, contentFill(100 + i)));
    const child = rig.fork(t);
    expect(swap.used).toBe(4);
    rig.exit(child);
    rig.check("child exit");
    expect(swap.used).toBe(4);
    for (const e of swap.slots.keys()) expect(swap.swapCount(e)).toBe(1);
    rig.munmap(t, v);
    rig.check("munmap");
    expect(swap.used).toBe(0);
    expect(rss(t, MM_SWAPENTS)).toBe(0);
  });

  it("MADV_DONTNEED (zap_page_range) of a swapped page whose copy is in the swap cache frees both", () => {
    const { rig, swap, t } = setup();
    const v = rig.vma(t, A, 16 * 4096);
    const entry = swap.swapOut(write(rig, t, A, contentFill(5)));
    rig.m.swap.madviseWillneed(v, A, A + 16 * 4096); // the page is read back into the swap cache
    expect(rig.m.swap.stats[SWS_WILLNEED]).toBe(1);
    const cached = swap.slots.get(entry)!.cache;
    expect(cached).toBeGreaterThanOrEqual(0);
    expect(rig.mem.refcount[cached]).toBe(1); // the swap cache's reference only
    rig.m.zapPageRange(v, A, A + 16 * 4096);
    rig.check("dontneed");
    expect(swap.used).toBe(0);
    expect(rig.mem.refcount[cached]).toBe(0); // freed
  });
});

describe("mprotect and mremap carry swap PTEs", () => {
  it("mprotect leaves swap PTEs alone; the fault after it maps the page with the new protection", () => {
    const { rig, swap, t } = setup();
    const v = rig.vma(t, A, 16 * 4096);
    const entry = swap.swapOut(write(rig, t, A, contentFill(9)));
    const before = pte(rig, t, A);
    v.vmFlags &= ~0x2; // VM_WRITE off
    v.vmPageProt = vmGetPageProt(VM_READ);
    expect(rig.m.changeProtection(v, A, A + 16 * 4096)).toBe(0);
    expect(pte(rig, t, A)).toEqual(before);
    expect(rig.f.userAccess(t, A, R)).toBe(FAULT_HANDLED);
    expect(rig.m.contents.get(rig.f.lastPfn)).toBe(contentFill(9));
    expect(swap.swapCount(entry)).toBe(0);
    rig.check("mprotect");
  });

  it("mremap moves swap PTEs (a whole PTE table, and PTE by PTE) with their exclusive bit", () => {
    const { rig, swap, t } = setup();
    const v = rig.vma(t, A, 4 * 4096);
    const e0 = swap.swapOut(write(rig, t, A, contentFill(31)));
    swap.swapOut(write(rig, t, A + 4096, contentFill(32)));
    // PTE by PTE: the new address is not PMD-aligned
    const B = A + 64 * MiB + 8 * 4096;
    expect(rig.m.movePageTables(v, A, v, B, 4 * 4096)).toBe(4 * 4096);
    t.mm!.mt.remove(v);
    v.vmStart = B;
    v.vmEnd = B + 4 * 4096;
    v.vmPgoff = B / 4096;
    t.mm!.mt.insert(v);
    rig.check("mremap");
    const [lo, hi] = pte(rig, t, B);
    expect(pteToSwpEntry(lo, hi)).toBe(e0);
    expect(pteSwpExclusive(lo)).toBe(true);
    expect(rig.f.userAccess(t, B + 4096, W, contentFill(33))).toBe(FAULT_HANDLED);
    expect(rig.m.swap.stats[SWS_REUSE]).toBe(1); // still exclusive: written in place
    expect(rig.f.userAccess(t, B, R)).toBe(FAULT_HANDLED);
    expect(rig.m.contents.get(rig.f.lastPfn)).toBe(contentFill(31));
    rig.check("faults after mremap");
    expect(swap.used).toBe(1); // B's page is still in the swap cache (a read)
  });
});

describe("swapoff's unuse, bad entries", () => {
  it("unuseMms maps every swap PTE of the device back (old, exclusive as it was), in every mm", () => {
    const { rig, swap, t } = setup();
    rig.vma(t, A, 16 * 4096);
    for (let i = 0; i < 3; i++) swap.swapOut(write(rig, t, A + i * 4096, contentFill(40 + i)));
    const child = rig.fork(t);
    swap.swapOut(write(rig, t, A + 8 * 4096, contentFill(48))); // the parent's own, after fork
    expect(rig.m.swap.unuseMms(swap.type)).toBe(0);
    rig.check("unuse");
    expect(rig.m.swap.stats[SWS_UNUSE]).toBe(7);
    expect(swap.used).toBe(0);
    expect([rss(t, MM_SWAPENTS), rss(child, MM_SWAPENTS)]).toEqual([0, 0]);
    expect(rss(child, MM_ANONPAGES)).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(rig.f.userAccess(child, A + i * 4096, R)).toBe(FAULT_HANDLED); // an access-flag fault (the PTE is old), no swap-in
      expect(rig.m.contents.get(rig.f.lastPfn)).toBe(contentFill(40 + i));
    }
    expect(majflt(rig)).toBe(0);
    const own = rig.mem.pfnToPage((() => {
      rig.f.userAccess(t, A + 8 * 4096, R);
      return rig.f.lastPfn;
    })());
    expect(rig.mem.flags[own]! & (1 << PG_anon_exclusive)).not.toBe(0);
    rig.check("after unuse");
  });

  it("a swap PTE whose device is off, or a swap-in error entry, gives SIGBUS; zap drops them", () => {
    const { rig, swap, t } = setup();
    const v = rig.vma(t, A, 16 * 4096);
    const entry = swap.swapOut(write(rig, t, A, contentFill(1)));
    swap.on = false;
    expect(rig.f.userAccess(t, A, R)).toBe(FAULT_SIGBUS);
    swap.on = true;
    // a swap-in error entry (unuse_pte on a page whose read failed)
    const s = rig.store;
    const ptep = pteOffsetKernel(s, pmdOffset(s, pudOffset(s, pgdOffsetPgd(s, t.mm!.pgtables!.pgd, A + 4096), A + 4096), A + 4096), A + 4096);
    const p = mkSwapPte(swpEntry(SWP_SWAPIN_ERROR, 0x1234), false, new PteVal());
    s.write(ptep, p.lo, p.hi);
    expect(rig.f.userAccess(t, A + 4096, R)).toBe(FAULT_SIGBUS);
    rig.check("bad entries");
    rig.munmap(t, v);
    expect(swap.used).toBe(0);
    expect(swpOffset(entry)).toBe(1);
  });
});
