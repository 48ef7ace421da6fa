// Kernel: include/linux/blkdev.h (struct block_device_operations: rw_page, swap_slot_free_notify; bdev_nonrot) (v6.1) — what swap needs of the device under a swap area
/*
 * A swap area lives on a block device (a zram disk, a partition) or a regular file on a
 * filesystem. swapon reads its header (what mkswap wrote), claims it, and page_io.c reads and
 * writes pages at slot offsets. A device with rw_page (zram in 6.1) does synchronous I/O
 * (SWP_SYNCHRONOUS_IO); a non-rotational one gets per-CPU clusters (SWP_SOLIDSTATE).
 */
import type { SwapHeader } from "./swap-info.ts";

/** The device under a swap area. */
export interface SwapBdev {
  /** Its path: "/dev/zram0". */
  readonly path: string;
  /** A block device (S_ISBLK: "partition" in /proc/swaps) or a regular file ("file"). */
  readonly isBlk: boolean;
  /** Kernel: `bdev_nonrot()` (queue flag QUEUE_FLAG_NONROT). */
  readonly nonrot: boolean;
  /** Kernel: `bd_disk->fops->rw_page != NULL` (SWP_SYNCHRONOUS_IO). */
  readonly rwPage: boolean;
  /** Size in bytes (i_size / the capacity); 0 when it has none yet (an unset zram disk). */
  sizeBytes(): number;
  /** What mkswap wrote in page 0, or null. */
  header: SwapHeader | null;
  /** Claimed by swapon (blkdev_get_by_dev with FMODE_EXCL / S_SWAPFILE). */
  claimed: boolean;
  /**
   * Reads page `index` into MemMap page `page` (its content identity), synchronously.
   * Kernel: `rw_page(REQ_OP_READ)` / a read bio. @returns 0, or a negative errno
   */
  readPage(index: number, page: number): number;
  /**
   * Writes page `page` at `index`. Kernel: `rw_page(REQ_OP_WRITE)` / a write bio.
   * @returns 0, or a negative errno (-ENOMEM: zram's pool could not grow)
   */
  writePage(index: number, page: number): number;
  /** The slot is free: the device may drop what it holds there. Kernel: `swap_slot_free_notify`. */
  slotFreeNotify?(index: number): void;
}
