// Kernel: mm/page_io.c (swap_writepage, __swap_writepage, end_swap_bio_write, swap_readpage, end_swap_bio_read), block/bdev.c (bdev_write_page, bdev_read_page), mm/vmscan.c (pageout's part for a swap-cache page), mm/page-writeback.c (__folio_start_writeback, __folio_end_writeback counters) (v6.1) — swap I/O
/*
 * A device with rw_page (zram: SWP_SYNCHRONOUS_IO) is written and read synchronously: the page
 * is under writeback only for the call (NR_WRITEBACK up and down, NR_WRITTEN counted) and comes
 * back clean; the time the device takes (zram's compression) is charged to the simulated clock
 * by the device. A failed rw_page is retried as a bio, whose failure ends in end_swap_bio_write:
 * the page is dirty again, PG_reclaim cleared, "Write-error on swap-device" logged.
 *
 * pswpout is counted for each page submitted (even one that then fails, as 6.1's bio path
 * does), pswpin for each page read.
 *
 * A device without rw_page whose bios complete on the clock (a virtio disk, SwapBdev's
 * submitPageBio): a write leaves the page under writeback, unlocked, until its bio ends
 * (end_swap_bio_write: writeback ends, and a page reclaim tagged PG_reclaim goes to the inactive
 * tail: folio_rotate_reclaimable); a read leaves it locked and !uptodate until its bio ends
 * (end_swap_bio_read), and a synchronous read waits for that.
 */
import {
  KERN_ALERT, type Lru, NR_WRITEBACK, NR_WRITTEN, NR_ZONE_WRITE_PENDING, MAX_NR_ZONES, PAGE_KEEP, PAGE_SUCCESS, PG_dirty, PG_error, PG_locked,
  PG_reclaim, PG_swapcache, PG_uptodate, PG_writeback, PSWPIN, PSWPOUT, pageToNid, pageZonenum, swpOffset,
} from "@mmsim/core";
import { REQ_OP_READ, REQ_OP_WRITE } from "@mmsim/block";
import type { Swap } from "./swapfile.ts";

const DIRTY = 1 << PG_dirty;
const WRITEBACK = 1 << PG_writeback;
const RECLAIM = 1 << PG_reclaim;
const LOCKED = 1 << PG_locked;
const UPTODATE = 1 << PG_uptodate;
const ERROR = 1 << PG_error;
const SWAPCACHE = 1 << PG_swapcache;

/** Kernel: `__folio_start_writeback()`'s counters: PG_writeback, NR_WRITEBACK, NR_ZONE_WRITE_PENDING. */
function startWriteback(sw: Swap, page: number): void {
  const mem = sw.mem;
  mem.flags[page] = mem.flags[page]! | WRITEBACK;
  const nid = pageToNid(mem, page);
  sw.vmstat.modNodePageState(nid, NR_WRITEBACK, 1);
  sw.vmstat.modZonePageState(nid * MAX_NR_ZONES + pageZonenum(mem, page), NR_ZONE_WRITE_PENDING, 1);
}

/** Kernel: `folio_end_writeback()` → `__folio_end_writeback()`: NR_WRITEBACK and NR_ZONE_WRITE_PENDING down, NR_WRITTEN up. */
function endWriteback(sw: Swap, page: number): void {
  const mem = sw.mem;
  mem.flags[page] = mem.flags[page]! & ~WRITEBACK;
  const nid = pageToNid(mem, page);
  sw.vmstat.modNodePageState(nid, NR_WRITEBACK, -1);
  sw.vmstat.modZonePageState(nid * MAX_NR_ZONES + pageZonenum(mem, page), NR_ZONE_WRITE_PENDING, -1);
  sw.vmstat.modNodePageState(nid, NR_WRITTEN, 1);
}

/**
 * Writes a swap-cache page to its slot. PG_dirty is cleared first if the caller has not done so
 * (pageout's folio_clear_dirty_for_io; shmem_writepage comes after it); PG_reclaim is the
 * caller's (pageout sets it, and clears it when the page is not under writeback on return). A
 * page whose slot no one refers to any more just leaves the swap cache instead (folio_free_swap:
 * dirty again, not written). Kernel: `swap_writepage()`.
 * @returns PAGE_SUCCESS, or PAGE_KEEP for a page not in the swap cache
 */
export function swapWritepage(sw: Swap, page: number): number {
  const f = sw.mem.flags;
  if ((f[page]! & SWAPCACHE) === 0) return PAGE_KEEP;
  f[page] = (f[page]! & ~DIRTY) | LOCKED;
  if (sw.folioFreeSwap(page)) {
    f[page] = f[page]! & ~LOCKED;
    return PAGE_SUCCESS;
  }
  __swapWritepage(sw, page);
  return PAGE_SUCCESS;
}

/**
 * The write itself: bdev_write_page (rw_page) for a synchronous device, else a bio (here:
 * written at once as well). Kernel: `__swap_writepage()`.
 */
export function __swapWritepage(sw: Swap, page: number): void {
  const entry = sw.mem.private[page]!;
  const si = sw.swpSwapInfo(entry);
  const f = sw.mem.flags;
  if (si === null || si.bdev === null) {
    f[page] = f[page]! & ~LOCKED;
    return;
  }
  const dev = si.bdev;
  const offset = swpOffset(entry);
  if (dev.submitPageBio !== undefined) {
    // bdev_write_page: -EOPNOTSUPP (no rw_page) → a bio, ended later by end_swap_bio_write
    sw.vmstat.countVmEvent(PSWPOUT);
    startWriteback(sw, page);
    f[page] = f[page]! & ~LOCKED;
    const err = dev.submitPageBio(REQ_OP_WRITE, offset, page);
    if (err !== 0) endSwapBioWrite(sw, page, entry, false);
    return;
  }
  if (dev.rwPage) {
    // bdev_write_page: set_page_writeback, rw_page, page_endio(page, true, 0) → end_page_writeback.
    // Nothing runs between the two, so NR_WRITEBACK and NR_ZONE_WRITE_PENDING go up and down
    // unseen: only PG_writeback (for the device) and NR_WRITTEN are kept.
    f[page] = f[page]! | WRITEBACK;
    const ret = dev.writePage(offset, page);
    f[page] = f[page]! & ~WRITEBACK;
    if (ret === 0) {
      f[page] = f[page]! & ~LOCKED; // unlock_page
      sw.vmstat.modNodePageState(pageToNid(sw.mem, page), NR_WRITTEN, 1);
      sw.vmstat.countVmEvent(PSWPOUT);
      return;
    }
    sw.vmstat.modNodePageState(pageToNid(sw.mem, page), NR_WRITTEN, 1);
  }
  // the bio path: count, submit; the device completes it here at once
  sw.vmstat.countVmEvent(PSWPOUT);
  startWriteback(sw, page);
  f[page] = f[page]! & ~LOCKED;
  const ret = dev.writePage(offset, page);
  if (ret !== 0) endSwapBioWrite(sw, page, entry, false);
  else endWriteback(sw, page);
}

/**
 * end_swap_bio_write's / end_swap_bio_read's alert, rate-limited per call site as
 * pr_alert_ratelimited() is (5 s, 10). The sector is the bio's bi_sector when it ends: the slot's
 * first sector for a bio failed at submission (zram's bio_io_error), one page further for a bio
 * the block layer completed (blk_update_request's bio_advance before bio_endio).
 * Kernel: `pr_alert_ratelimited("%s-error on swap-device (%u:%u:%llu)\n", MAJOR(bio_dev(bio)), MINOR(…), bi_sector)`.
 */
function swapIoAlert(sw: Swap, write: boolean, entry: number, advanced: boolean): void {
  const log = sw.log;
  if (log === null || log === undefined) return;
  const rs = write ? sw.writeErrorRs : sw.readErrorRs;
  if (!rs.ratelimit(sw.clock, log, write ? "end_swap_bio_write" : "end_swap_bio_read")) return;
  const dev = sw.swpSwapInfo(entry)?.bdev ?? null;
  const sector = swpOffset(entry) * 8 + (advanced ? 8 : 0);
  log.printk(KERN_ALERT, `${write ? "Write" : "Read"}-error on swap-device (${dev?.major ?? 0}:${dev?.minor ?? 0}:${sector})`);
}

/** A failed swap write. Kernel: `end_swap_bio_write()` with bi_status set. */
function endSwapBioWrite(sw: Swap, page: number, entry: number, advanced: boolean): void {
  const f = sw.mem.flags;
  f[page] = (f[page]! | ERROR | DIRTY) & ~RECLAIM; // SetPageError, set_page_dirty, ClearPageReclaim
  swapIoAlert(sw, true, entry, advanced);
  endWriteback(sw, page);
}

/**
 * The end of a swap bio on a device whose bios complete on the clock: a read makes the page
 * uptodate and unlocks it (an error: PG_error, "Read-error on swap-device"); a write ends the
 * page's writeback and rotates a page reclaim is waiting for to the inactive tail. Kernel:
 * `end_swap_bio_read()`, `end_swap_bio_write()` → `end_page_writeback()` (folio_end_writeback).
 */
export function endSwapBio(sw: Swap, op: number, page: number, err: number, completed = true): void {
  const f = sw.mem.flags;
  if (op === REQ_OP_READ) {
    if (err === 0) f[page] = (f[page]! | UPTODATE) & ~LOCKED;
    else {
      f[page] = (f[page]! | ERROR) & ~(LOCKED | UPTODATE);
      swapIoAlert(sw, false, sw.mem.private[page]!, completed);
    }
    return;
  }
  if (err !== 0) {
    endSwapBioWrite(sw, page, sw.mem.private[page]!, completed);
    return;
  }
  // folio_end_writeback: a page reclaim tagged (PG_reclaim) goes to the inactive list's tail
  const rotate = (f[page]! & RECLAIM) !== 0;
  if (rotate) f[page] = f[page]! & ~RECLAIM;
  endWriteback(sw, page);
  if (rotate) (sw.lru as (Lru & { folioRotateReclaimable?(page: number): void }) | null)?.folioRotateReclaimable?.(page);
}

/**
 * Reads a locked swap-cache page from its slot: uptodate and unlocked after (a device error
 * leaves it !uptodate with PG_error, "Read-error on swap-device" logged); counts pswpin.
 * `synchronous` is whether the caller waits (the page is read at once either way here).
 * Kernel: `swap_readpage()` (bdev_read_page for a device with rw_page).
 */
export function swapReadpage(sw: Swap, page: number, synchronous: boolean): void {
  const entry = sw.mem.private[page]!;
  const si = sw.swpSwapInfo(entry);
  const f = sw.mem.flags;
  if (si === null || si.bdev === null) {
    f[page] = (f[page]! | ERROR) & ~(LOCKED | UPTODATE);
    return;
  }
  const dev = si.bdev;
  if (dev.submitPageBio !== undefined) {
    // bdev_read_page fails (no rw_page): a bio, ended by end_swap_bio_read; a synchronous caller polls for it
    sw.vmstat.countVmEvent(PSWPIN);
    const err = dev.submitPageBio(REQ_OP_READ, swpOffset(entry), page);
    if (err !== 0) endSwapBio(sw, REQ_OP_READ, page, err, false);
    else if (synchronous) dev.waitOnPage?.(page);
    return;
  }
  const ret = si.bdev.readPage(swpOffset(entry), page);
  sw.vmstat.countVmEvent(PSWPIN);
  if (ret === 0) {
    f[page] = (f[page]! | UPTODATE) & ~LOCKED; // page_endio(page, false, 0)
  } else {
    f[page] = (f[page]! | ERROR) & ~(LOCKED | UPTODATE);
    swapIoAlert(sw, false, entry, false); // bdev_read_page failed, then so did the bio zram ends with bio_io_error
  }
}
