// Tests of a virtio disk as a swap device (SwapDisk): swap_writepage and swap_readpage as bios on @mmsim/block's queue and clock, SWP_ROTATIONAL and nr_rotate_swap, priorities with zram in /proc/swaps
import {
  CostModel, NR_WRITEBACK, PG_locked, PG_swapbacked, PG_uptodate, PG_writeback, PGPGIN, PGPGOUT, PSWPIN, PSWPOUT, SWAP_RA, swpOffset, swpType,
} from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { endSwapBio } from "./page-io.ts";
import { procSwapsShow } from "./proc-swaps.ts";
import { SwapDisk, virtblkName } from "./swap-bdev.ts";
import { SWP_BLKDEV, SWP_SOLIDSTATE, SWP_SYNCHRONOUS_IO } from "./swap-info.ts";
import { swapUseVmaReadahead } from "./swap-readahead.ts";
import { swapCacheEntry } from "./swap-state.ts";
import { SWAP_FLAG_PREFER } from "./swapfile.ts";
import { expectValid, testSwap, zramSwapon } from "./swap.test-helpers.ts";

const text = (id: number, ratio: number): number => (id * 512 + Math.round(ratio * 256)) * 8 + 3;
type T = ReturnType<typeof testSwap>;

/** vdb (the machine's second virtio disk) of `size` bytes on t's Swap, nameable by swapon. */
function addDisk(t: T, size: number, rotational = true): SwapDisk {
  const d = new SwapDisk(1, size, rotational, {
    mem: t.mem, vmstat: t.vmstat, clock: t.clock, cost: new CostModel(), contents: () => t.vfs.contents,
    endIo: (op, page, err) => endSwapBio(t.swap, op, page, err),
  });
  t.swap.registerDevice(d);
  return d;
}

/** An anonymous page holding `identity` swapped out (add_to_swap, a PTE's reference, swap_writepage); @returns the page and its entry */
function swapOut(t: T, identity: number): { page: number; entry: number } {
  const pfn = t.pages.allocPages(0, 0);
  const page = t.mem.pfnToPage(pfn);
  t.mem.flags[page] = 1 << PG_swapbacked;
  t.vfs.contents.set(pfn, identity);
  expect(t.swap.addToSwap(page)).toBe(true);
  const entry = t.mem.private[page]!;
  t.swap.swapDuplicate(entry);
  t.swap.swapWritepage(page);
  return { page, entry };
}

/** Reclaim's end of a swapped-out page once its writeback is over: out of the swap cache, freed. */
function dropPage(t: T, page: number): void {
  t.swap.deleteFromSwapCache(page, 0);
  t.vfs.contents.clear(t.mem.pageToPfn(page));
  t.pages.freePages(t.mem.pageToPfn(page), 0);
}

describe("a virtio disk as a swap device", () => {
  it("is named as virtio_blk names its disks (vda, vdb, …, vdz, vdaa) with minors 16 apart", () => {
    expect([0, 1, 25, 26, 27].map(virtblkName)).toEqual(["vda", "vdb", "vdz", "vdaa", "vdab"]);
    const t = testSwap();
    const d = addDisk(t, 64 << 20);
    expect(d.path).toBe("/dev/vdb");
    expect(d.dev.sysfsFile("dev")).toBe("254:16\n");
    expect(d.dev.sysfsFile("queue/rotational")).toBe("1\n");
  });

  it("swapon: a rotational block device (no rw_page): SWP_BLKDEV only, nr_rotate_swap counts it and VMA readahead is off; swapoff undoes it", () => {
    const t = testSwap();
    const d = addDisk(t, 64 << 20);
    expect(t.swap.mkswap(d.path)).toBe(0);
    expect(t.swap.swapon(d.path, 0)).toBe(0);
    const si = t.swap.swapInfo[0]!;
    expect(si.flags & (SWP_BLKDEV | SWP_SOLIDSTATE | SWP_SYNCHRONOUS_IO)).toBe(SWP_BLKDEV);
    expect(si.clusterCount).toBeNull(); // no per-CPU clusters on a rotational device
    expect(t.swap.nrRotateSwap).toBe(1);
    expect(swapUseVmaReadahead(t.swap)).toBe(false);
    expect(t.log.dmesg()).toContain("Adding 65532k swap on /dev/vdb.  Priority:-2 extents:1 across:65532k \n");
    expect(t.swap.swapoff(d.path)).toBe(0);
    expect(t.swap.nrRotateSwap).toBe(0);
    expect(swapUseVmaReadahead(t.swap)).toBe(true);
    // queue/rotational 0 before swapon: a solid-state device with clusters, VMA readahead stays on
    d.dev.rotational = false;
    expect(t.swap.swapon(d.path, 0)).toBe(0);
    expect(t.swap.swapInfo[0]!.flags & SWP_SOLIDSTATE).toBe(SWP_SOLIDSTATE);
    expect(t.swap.nrRotateSwap).toBe(0);
    expect(swapUseVmaReadahead(t.swap)).toBe(true);
    expect(t.log.dmesg()).toContain("Adding 65532k swap on /dev/vdb.  Priority:-2 extents:1 across:65532k SS\n");
  });

  it("zram at priority 100 and the disk at 10: pages go to zram until it is full, then to the disk; /proc/swaps lists them in swap_info order", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "1M", SWAP_FLAG_PREFER | 100);
    const d = addDisk(t, 8 << 20);
    expect(t.swap.mkswap(d.path)).toBe(0);
    expect(t.swap.swapon(d.path, SWAP_FLAG_PREFER | 10)).toBe(0);
    const types: number[] = [];
    for (let i = 0; i < 300; i++) {
      const { page, entry } = swapOut(t, text(i, 0.5));
      types.push(swpType(entry));
      d.waitAll();
      dropPage(t, page);
    }
    // zram0's 255 slots first (the slot cache hands out what get_swap_pages took from the highest priority)
    expect(types.indexOf(1)).toBe(255);
    expect(types.slice(255).every((x) => x === 1)).toBe(true);
    expect(procSwapsShow(t.swap)).toBe(
      "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n" +
        "/dev/zram0                              partition\t1020\t\t1020\t\t100\n" +
        "/dev/vdb                                partition\t8188\t\t256\t\t10\n",
    );
    // 45 pages on vdb, but its used slots are the 64 the slot cache took at once (256 KiB)
    expectValid(t.swap);
  });

  it("swap_writepage submits a write bio: the page stays under writeback, unlocked, until the bio completes on the clock", () => {
    const t = testSwap();
    const d = addDisk(t, 64 << 20);
    expect(t.swap.mkswap(d.path)).toBe(0);
    expect(t.swap.swapon(d.path, 0)).toBe(0);
    const t0 = t.clock.now();
    const { page, entry } = swapOut(t, text(7, 0.3));
    expect(t.clock.now()).toBe(t0); // writeback is asynchronous: reclaim does not wait
    expect(t.mem.flags[page]! & ((1 << PG_writeback) | (1 << PG_locked))).toBe(1 << PG_writeback);
    expect(t.vmstat.nodeStat(0)[NR_WRITEBACK]).toBe(1);
    expect(t.vmstat.vmEvents[PSWPOUT]).toBe(1);
    expect(t.vmstat.vmEvents[PGPGOUT]).toBe(8);
    expect(d.inflight).toBe(1);
    // the write completes after blkRequest + 8 × blkWritePerSector + blkWriteLatency
    const cost = new CostModel();
    t.clock.advance(cost.blkRequest + 8 * cost.blkWritePerSector + cost.blkWriteLatency);
    d.reap();
    expect(t.mem.flags[page]! & (1 << PG_writeback)).toBe(0);
    expect(t.vmstat.nodeStat(0)[NR_WRITEBACK]).toBe(0);
    expect(d.stored(swpOffset(entry))).toBe(text(7, 0.3));
    expect(d.dev.statFile(t.clock.now()).trim().split(/\s+/).slice(4, 6)).toEqual(["1", "0"]); // write ios 1, merges 0
    expectValid(t.swap);
  });

  it("a bio's end may come back into the disk (a write's end rotates its page, kswapd runs, its pageout submits and reaps): no bio is lost", () => {
    // Before reap took the completed bios off the list first, a nested reap compacted the list under
    // the outer one's loop and the outer one then overwrote it: a swap-in's read was never ended, its
    // page stayed locked and the fault retried until do_page_fault's bound (seen with random accesses
    // over anonymous memory swapped to a disk).
    const t = testSwap();
    let nested = 0;
    const ended: number[] = [];
    const d = new SwapDisk(1, 64 << 20, false, {
      mem: t.mem, vmstat: t.vmstat, clock: t.clock, cost: new CostModel(), contents: () => t.vfs.contents,
      endIo: (op, page, err) => {
        endSwapBio(t.swap, op, page, err);
        ended.push(page);
        // the first few ends swap out one more page each (and so reap again) while the outer reap is ending its bios
        if (nested < 3) {
          nested++;
          const more = swapOut(t, text(100 + nested, 0.5));
          t.clock.advance(1e6);
          d.reap();
          expect(ended).toContain(more.page);
        }
      },
    });
    t.swap.registerDevice(d);
    expect(t.swap.mkswap(d.path)).toBe(0);
    expect(t.swap.swapon(d.path, 0)).toBe(0);
    const pages = Array.from({ length: 8 }, (_, i) => swapOut(t, text(i + 1, 0.5)).page);
    t.clock.advance(1e7);
    d.reap();
    expect(d.inflight).toBe(0);
    for (const page of pages) expect(ended).toContain(page);
    expect(ended).toHaveLength(8 + 3);
    for (const page of ended) expect(t.mem.flags[page]! & (1 << PG_writeback)).toBe(0);
    expect(t.vmstat.nodeStat(0)[NR_WRITEBACK]).toBe(0);
    expectValid(t.swap);
  });

  it("swapoff waits for the writes still in flight (try_to_unuse's folio_wait_writeback) and frees the cached pages' slots", () => {
    const t = testSwap();
    const d = addDisk(t, 64 << 20);
    expect(t.swap.mkswap(d.path)).toBe(0);
    expect(t.swap.swapon(d.path, 0)).toBe(0);
    const pages: number[] = [];
    for (let i = 0; i < 40; i++) {
      // swap-cache pages being written (shrink_folio_list's pageout), no PTE left to map back
      const pfn = t.pages.allocPages(0, 0);
      const page = t.mem.pfnToPage(pfn);
      t.mem.flags[page] = 1 << PG_swapbacked;
      t.vfs.contents.set(pfn, text(300 + i, 0.5));
      expect(t.swap.addToSwap(page)).toBe(true);
      const entry = t.mem.private[page]!;
      t.swap.swapDuplicate(entry); // a PTE's user while pageout writes it …
      t.swap.swapWritepage(page);
      t.swap.swapFree(entry); // … gone since (zap): only the swap cache holds the slot
      pages.push(page);
    }
    expect(d.inflight).toBe(40);
    const t0 = t.clock.now();
    expect(t.swap.swapoff(d.path)).toBe(0);
    expect(t.clock.now()).toBeGreaterThan(t0); // it slept for the writes
    expect(d.inflight).toBe(0);
    for (const p of pages) expect(t.mem.flags[p]! & ((1 << PG_writeback) | (1 << PG_locked))).toBe(0);
    expect(t.vmstat.nodeStat(0)[NR_WRITEBACK]).toBe(0);
    expect(t.swap.totalSwapPages()).toBe(0);
    expectValid(t.swap);
  });

  it("swap-in reads the aligned cluster under one plug (one merged request), waits for the faulting page, and brings the content back", () => {
    const t = testSwap();
    const d = addDisk(t, 64 << 20);
    expect(t.swap.mkswap(d.path)).toBe(0);
    expect(t.swap.swapon(d.path, 0)).toBe(0);
    const entries: number[] = [];
    for (let i = 0; i < 16; i++) {
      const { page, entry } = swapOut(t, text(200 + i, 0.5));
      entries.push(entry);
      d.waitAll();
      dropPage(t, page);
    }
    // the slots of a rotational device are consecutive from cluster_next (1)
    expect(entries.map(swpOffset)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const reads0 = Number(d.dev.statFile(t.clock.now()).trim().split(/\s+/)[0]);
    const t0 = t.clock.now();
    const page = t.swap.swapinReadahead(entries[9]!, 0); // page-cluster 3: slots 8 … 15
    expect(page).toBeGreaterThanOrEqual(0);
    // read_swap_cache_async found the page read ahead (locked, in flight): do_swap_page waits for it
    if ((t.mem.flags[page]! & (1 << PG_locked)) !== 0) t.swap.waitOnPage(page);
    expect(t.mem.flags[page]! & ((1 << PG_locked) | (1 << PG_uptodate))).toBe(1 << PG_uptodate);
    expect(t.vfs.contents.get(t.mem.pageToPfn(page))).toBe(text(209, 0.5));
    expect(t.vmstat.vmEvents[PSWPIN]).toBe(8);
    expect(t.vmstat.vmEvents[PGPGIN]).toBe(64);
    expect(t.vmstat.vmEvents[SWAP_RA]).toBe(7);
    // one request of 8 pages: 7 bios merged behind the first
    const f = d.dev.statFile(t.clock.now()).trim().split(/\s+/).map(Number);
    expect(f[0]! - reads0).toBe(1);
    expect(f[1]).toBe(7);
    const cost = new CostModel();
    expect(t.clock.now() - t0).toBe(cost.blkRequest + 64 * cost.blkReadPerSector + cost.blkReadLatency);
    // every page of the window is in the swap cache, read
    for (let off = 8; off <= 15; off++) expect(swapCacheEntry(t.swap, entries[off - 1]!)).toBeGreaterThan(0);
    t.mem.refcount[page]!--;
    expectValid(t.swap);
  });
});
