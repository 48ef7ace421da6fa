// Kernel: include/linux/blkdev.h (struct block_device_operations: rw_page, swap_slot_free_notify; bdev_nonrot), drivers/block/virtio_blk.c (virtblk_probe, virtblk_name_format), mm/page_io.c (the bio side of swap_readpage / __swap_writepage, end_swap_bio_read / end_swap_bio_write) (v6.1) — what swap needs of the device under a swap area, and a virtio disk as one
/*
 * A swap area lives on a block device (a zram disk, a partition) or a regular file on a
 * filesystem. swapon reads its header (what mkswap wrote), claims it, and page_io.c reads and
 * writes pages at slot offsets. A device with rw_page (zram in 6.1) does synchronous I/O
 * (SWP_SYNCHRONOUS_IO); a non-rotational one gets per-CPU clusters (SWP_SOLIDSTATE).
 */
import { BlockDevice, type BlockCosts, PAGE_SECTORS, REQ_OP_READ, REQ_OP_WRITE, VIRTBLK_MAJOR } from "@mmsim/block";
import { EIO, type MemMap, PGPGIN, PGPGOUT, type SimClock, type VmStat } from "@mmsim/core";
import type { PageContentStore } from "@mmsim/filemap";
import type { SwapHeader } from "./swap-info.ts";

/** The device under a swap area. */
export interface SwapBdev {
  /** Its path: "/dev/zram0". */
  readonly path: string;
  /** A block device (S_ISBLK: "partition" in /proc/swaps) or a regular file ("file"). */
  readonly isBlk: boolean;
  /** Kernel: `bdev_nonrot()` (queue flag QUEUE_FLAG_NONROT). */
  readonly nonrot: boolean;
  /** The device number (MAJOR/MINOR of bio_dev()), for the I/O error messages. */
  readonly major: number;
  readonly minor: number;
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

  // A device without rw_page whose bios complete on the simulated clock (a virtio disk): page_io
  // submits a bio and the page stays locked (read) or under writeback (write) until the bio ends.

  /**
   * Submits a one-page bio for slot `index` of page `page` (REQ_OP_READ / REQ_OP_WRITE), counting
   * pgpgin/pgpgout as submit_bio does. Kernel: `submit_bio()` of swap_readpage / __swap_writepage.
   * @returns 0, or a negative errno (-EIO: beyond the device)
   */
  submitPageBio?(op: number, index: number, page: number): number;
  /** The task sleeps until the bio of `page` has completed (and ends it). Kernel: `folio_wait_locked` / `folio_wait_writeback` on a bio. */
  waitOnPage?(page: number): void;
  /** Ends every bio completed by now (their bi_end_io). */
  reap?(): void;
  /** Kernel: `blk_start_plug()` / `blk_finish_plug()` on this device's queue. */
  startPlug?(): void;
  finishPlug?(): void;
}

/** What a SwapDisk needs of the machine. */
export interface SwapDiskEnv {
  readonly mem: MemMap;
  readonly vmstat: VmStat;
  readonly clock: SimClock;
  readonly cost: BlockCosts;
  readonly contents: () => PageContentStore;
  /** bi_end_io of a swap bio: end_swap_bio_read / end_swap_bio_write (page_io). `err` 0 or a negative errno. */
  readonly endIo: (op: number, page: number, err: number) => void;
  /** Simulated ns the tasks waited for the disk are added here (mmsim's iowait). */
  readonly onWait?: (ns: number) => void;
}

/** Kernel: `virtblk_name_format("vd", index)`: vda … vdz, vdaa, … */
export function virtblkName(index: number): string {
  let name = "";
  let i = index;
  do {
    name = String.fromCharCode(97 + (i % 26)) + name;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return "vd" + name;
}
/** Minors per virtio disk. Kernel: `1 << PART_BITS` (PART_BITS 4). */
export const VIRTBLK_MINORS = 16;

/**
 * A blank virtio-blk disk used as a swap device (`/dev/vdb` beside the machine's vda): a block
 * device without rw_page, so every swap page goes out and comes in as a one-page bio on
 * @mmsim/block's request queue and cost model (plugged readahead merges neighbouring slots into
 * one request). Rotational unless queue/rotational was set to 0 (virtio-blk sets no NONROT
 * flag in 6.1): swapon then counts it in nr_rotate_swap, which turns VMA readahead off.
 *
 * The disk keeps the content identity of each page written (a page read back is the page
 * written). Bios end lazily, in completion order, whenever the disk is used again or a task
 * waits for one (the interrupt's work, done when the simulation next looks).
 */
export class SwapDisk implements SwapBdev {
  readonly path: string;
  readonly isBlk = true;
  readonly rwPage = false;
  header: SwapHeader | null = null;
  claimed = false;
  readonly dev: BlockDevice;
  get major(): number {
    return this.dev.major;
  }
  get minor(): number {
    return this.dev.minor;
  }
  /** What each 4 KiB page of the disk holds (a content identity; NaN: never written: zeros). */
  private readonly data: Float64Array;
  // Bios in flight: page, request seq, op (parallel arrays, compacted by reap)
  private ifPage = new Int32Array(256);
  private ifSeq = new Float64Array(256);
  private ifOp = new Uint8Array(256);
  private nrInflight = 0;
  // Bios reap took off the list and is ending: page and op, a stack shared by nested reaps (see reap)
  private donePage = new Int32Array(64);
  private doneOp = new Uint8Array(64);
  private doneTop = 0;
  /** Simulated ns tasks waited for this disk. */
  iowaitNs = 0;

  constructor(
    /** The disk's index among the machine's virtio disks (0: vda, 1: vdb). */
    readonly index: number,
    sizeBytes: number,
    rotational: boolean,
    private readonly env: SwapDiskEnv,
    /** virtio_blk's dynamic block major (254 when it registered before zram). */
    major = VIRTBLK_MAJOR,
  ) {
    const name = virtblkName(index);
    this.path = `/dev/${name}`;
    this.dev = new BlockDevice({ capacitySectors: Math.floor(sizeBytes / 512), name, major, minor: index * VIRTBLK_MINORS, rotational }, env.cost);
    this.data = new Float64Array(Math.floor(sizeBytes / 4096)).fill(Number.NaN);
  }

  get nonrot(): boolean {
    return !this.dev.rotational;
  }

  sizeBytes(): number {
    return this.dev.capacitySectors * 512;
  }

  /** The content identity stored at `index`, or null if never written (tests). */
  stored(index: number): number | null {
    const v = this.data[index];
    return v === undefined || Number.isNaN(v) ? null : v;
  }

  submitPageBio(op: number, index: number, page: number): number {
    const env = this.env;
    this.reap();
    if (index < 0 || index >= this.data.length) return -EIO;
    const pfn = env.mem.pageToPfn(page);
    if (op === REQ_OP_WRITE) {
      this.data[index] = env.contents().get(pfn); // the bio carries the page as it is now
      env.vmstat.countVmEvents(PGPGOUT, PAGE_SECTORS);
    } else {
      const v = this.data[index]!;
      env.contents().set(pfn, Number.isNaN(v) ? 0 : v); // what the page holds once the read ends
      env.vmstat.countVmEvents(PGPGIN, PAGE_SECTORS);
    }
    const now = env.clock.now();
    const seq = this.dev.submitBio(op, index * PAGE_SECTORS, PAGE_SECTORS, now);
    if (seq < 0) return seq;
    // no free tag: the submitter slept until a request completed
    if (this.dev.submitterResumeNs > now) this.sleepUntil(this.dev.submitterResumeNs);
    if (this.nrInflight === this.ifPage.length) this.grow();
    const i = this.nrInflight++;
    this.ifPage[i] = page;
    this.ifSeq[i] = seq;
    this.ifOp[i] = op;
    return 0;
  }

  private grow(): void {
    const n = this.ifPage.length * 2;
    const p = new Int32Array(n);
    p.set(this.ifPage);
    const s = new Float64Array(n);
    s.set(this.ifSeq);
    const o = new Uint8Array(n);
    o.set(this.ifOp);
    this.ifPage = p;
    this.ifSeq = s;
    this.ifOp = o;
  }

  private sleepUntil(t: number): void {
    const d = t - this.env.clock.now();
    if (d <= 0) return;
    this.env.clock.advance(d);
    this.iowaitNs += d;
    this.env.onWait?.(d);
  }

  /** Completion time of in-flight bio i (dispatching the plug first if it is still there: the sleeper's io_schedule flushes it). */
  private completion(i: number): number {
    let t = this.dev.requestCompletion(this.ifSeq[i]!);
    if (Number.isNaN(t)) {
      this.dev.flushPlug(this.env.clock.now());
      t = this.dev.requestCompletion(this.ifSeq[i]!);
    }
    return t;
  }

  waitOnPage(page: number): void {
    for (let i = 0; i < this.nrInflight; i++) {
      if (this.ifPage[i] !== page) continue;
      this.sleepUntil(this.completion(i));
      break;
    }
    this.reap();
  }

  /**
   * Ends every bio completed by now. The completed ones leave the in-flight list before any is
   * ended, because ending one may come back here: a write's end rotates its page to the inactive
   * list's tail (folio_rotate_reclaimable), whose full batch lets kswapd run, whose pageout submits
   * a bio and reaps again. So the list is consistent at every end_io, and a nested reap pushes its
   * own completed bios above this one's on the done stack and pops them before it returns.
   */
  reap(): void {
    const now = this.env.clock.now();
    this.dev.advance(now);
    const base = this.doneTop;
    let kept = 0;
    const n = this.nrInflight;
    for (let i = 0; i < n; i++) {
      const t = this.dev.requestCompletion(this.ifSeq[i]!);
      if (!Number.isNaN(t) && t <= now) {
        if (this.doneTop === this.donePage.length) this.growDone();
        this.donePage[this.doneTop] = this.ifPage[i]!;
        this.doneOp[this.doneTop++] = this.ifOp[i]!;
        continue;
      }
      this.ifPage[kept] = this.ifPage[i]!;
      this.ifSeq[kept] = this.ifSeq[i]!;
      this.ifOp[kept] = this.ifOp[i]!;
      kept++;
    }
    this.nrInflight = kept;
    const top = this.doneTop;
    // the arrays are read through `this` each time: a nested reap may have grown them
    for (let j = base; j < top; j++) this.env.endIo(this.doneOp[j]!, this.donePage[j]!, 0);
    this.doneTop = base;
  }

  private growDone(): void {
    const p = new Int32Array(this.donePage.length * 2);
    p.set(this.donePage);
    const o = new Uint8Array(this.doneOp.length * 2);
    o.set(this.doneOp);
    this.donePage = p;
    this.doneOp = o;
  }

  /** Bios not yet ended. */
  get inflight(): number {
    return this.nrInflight;
  }

  /** Waits for every bio in flight (swapoff's end, tests). */
  waitAll(): void {
    while (this.nrInflight > 0) {
      let last = -1;
      for (let i = 0; i < this.nrInflight; i++) last = Math.max(last, this.completion(i));
      this.sleepUntil(last);
      this.reap();
    }
  }

  startPlug(): void {
    this.dev.startPlug();
  }

  finishPlug(): void {
    this.dev.finishPlug(this.env.clock.now());
  }

  /** A synchronous read (submit + wait). Kernel: swap_readpage(synchronous) on a bio device. */
  readPage(index: number, page: number): number {
    const r = this.submitPageBio(REQ_OP_READ, index, page);
    if (r === 0) this.waitOnPage(page);
    return r;
  }

  /** A synchronous write (submit + wait). */
  writePage(index: number, page: number): number {
    const r = this.submitPageBio(REQ_OP_WRITE, index, page);
    if (r === 0) this.waitOnPage(page);
    return r;
  }
}
