// Kernel: block/blk-mq.c (blk_mq_submit_bio, blk_add_rq_to_plug, blk_account_io_start/done), block/blk-merge.c (blk_attempt_plug_merge, bio_attempt_back/front_merge), block/blk-core.c (update_io_ticks, blk_start_plug/blk_finish_plug), block/blk-flush.c, block/genhd.c (diskstats_show, part_stat_show, part_inflight_show), drivers/block/virtio_blk.c (v6.1) — a virtio-blk disk with its request queue and statistics
/*
 * One block device as 6.1 sees a QEMU virtio-blk disk (`-device virtio-blk-pci`): gendisk "vda",
 * dev_t 254:0 (virtio_blk registers its major with register_blkdev(0, "virtblk"), which takes the
 * highest free major, 254, on the reference board), 512-byte logical blocks, scheduler "none",
 * nr_requests 256, max_sectors_kb 1280 (BLK_DEF_MAX_SECTORS), read_ahead_kb 128. These are what
 * the real 6.1.0-57 kernel printed for such a disk (queue attributes read from
 * /sys/block/vda/queue on QEMU virt, recorded in the package README).
 *
 * A bio enters submitBio(); as in blk_mq_submit_bio it either merges into the last request of the
 * task's plug (blk_attempt_plug_merge: back or front merge of the same op, within max_sectors;
 * merges[] counted) or becomes a new request (blk_account_io_start: update_io_ticks, in_flight++),
 * which goes on the plug (blk_add_rq_to_plug: the plug is flushed first when it holds
 * BLK_MAX_REQUEST_COUNT requests or its last request is ≥ BLK_PLUG_FLUSH_SIZE) or, with no plug,
 * to the device at once. A FLUSH is an empty REQ_PREFLUSH write (blkdev_issue_flush): it skips
 * the plug (blk_insert_flush), and completes as one write of 0 sectors plus one flush
 * (blk_account_io_flush), as 6.1 counts it.
 *
 * Timing — the cost model (core's CostModel, `blk*` constants; numbers and sources there). The
 * device is one server: QEMU handles one virtqueue request at a time in its iothread, and the
 * host's bandwidth is shared. A request dispatched at time t
 *     starts   at s = max(t, busyUntil)                       (waits behind earlier requests)
 *     holds the queue until busyUntil = s + blkRequest + sectors × blk{Read,Write}PerSector
 *     completes at busyUntil + blk{Read,Write}Latency          (the access time overlaps the
 *                                                              next request's turn)
 * so a lone 4 KiB read takes 7.575 + 9.816 + 77.847 = 95.24 µs (10.5 k IOPS at queue depth 1),
 * and a deep queue of them completes one per 17.39 µs (57.5 k IOPS). A flush holds the queue for
 * blkRequest + blkFlush and completes when it releases it. Requests are *not* serialized
 * end to end: up to nr_requests (256) are in flight; a 257th waits for a tag (the submitter
 * sleeps until the earliest completion: blk_mq_get_tag → io_schedule, which flushes the plug).
 *
 * Simplified: one hardware queue (QEMU gives one per vCPU, but its iothread serves them in
 * turn); max_segments (254) is not checked — whether pages are physically contiguous decides
 * segments, and a 1 MiB read of fresh page-cache pages went out as one request on the real disk;
 * without a plug no merging happens (no scheduler: blk_mq_try_issue_directly dispatches at once);
 * a bio longer than max_sectors is split into max_sectors pieces (bio_split_to_limits), each a
 * request; no discard, no errors other than -EIO beyond the end of the disk (bio_check_eod).
 * Completions are applied to the statistics lazily, in completion order, whenever the device is
 * used or read at a later time (advance()).
 *
 * Invariants (validate()):
 *   - every in-flight request completes at or after it started, and the heap is ordered;
 *   - in_flight[read] + in_flight[write] equals the number of created, not yet completed requests;
 *   - at most nr_requests requests are in flight (dispatched and not completed);
 *   - the plug holds at most BLK_MAX_REQUEST_COUNT requests;
 *   - ios, sectors, merges and times only grow.
 */
import { ArgumentError, type CostModel, EIO, describeValue, type ValidationSink } from "@mmsim/core";
import { jiffiesToMsecs, nsToJiffies, nsToMsecs } from "./jiffies.ts";

/** Read a range of sectors. Kernel: `REQ_OP_READ`. */
export const REQ_OP_READ = 0;
/** Write a range of sectors. Kernel: `REQ_OP_WRITE`. */
export const REQ_OP_WRITE = 1;
/** Flush the device's volatile write cache (an empty REQ_PREFLUSH write). Kernel: `REQ_OP_FLUSH` / `blkdev_issue_flush`. */
export const REQ_OP_FLUSH = 2;

/** The statistics groups of struct disk_stats. Kernel: `enum stat_group` in include/linux/blk_types.h. */
export const STAT_READ = 0;
export const STAT_WRITE = 1;
export const STAT_DISCARD = 2;
export const STAT_FLUSH = 3;
export const NR_STAT_GROUPS = 4;

/** Bytes per sector. Kernel: `SECTOR_SHIFT` 9. */
export const SECTOR_SHIFT = 9;
export const SECTOR_SIZE = 512;
/** Sectors per 4 KiB page. Kernel: `PAGE_SECTORS`. */
export const PAGE_SECTORS = 8;

/** A plug holding this many requests is flushed before the next is added. Kernel: `BLK_MAX_REQUEST_COUNT` (block/blk.h). */
export const BLK_MAX_REQUEST_COUNT = 32;
/** A plug whose last request has this many bytes is flushed before the next is added. Kernel: `BLK_PLUG_FLUSH_SIZE`. */
export const BLK_PLUG_FLUSH_SIZE = 128 * 1024;
/** max_sectors of a queue whose driver sets no lower hardware limit (virtio-blk sets -1U). Kernel: `BLK_DEF_MAX_SECTORS`. */
export const BLK_DEF_MAX_SECTORS = 2560;
/** The major register_blkdev(0, "virtblk") gets on the reference board (/proc/devices: "254 virtblk"). */
export const VIRTBLK_MAJOR = 254;

/** The request costs the device charges: core's CostModel's `blk*` constants. */
export type BlockCosts = Pick<CostModel, "blkRequest" | "blkReadLatency" | "blkReadPerSector" | "blkWriteLatency" | "blkWritePerSector" | "blkFlush">;

/** How a disk is set up. Omitted fields take the reference virtio-blk disk's values. */
export interface BlockDeviceConfig {
  /** Capacity in 512-byte sectors (/sys/block/vda/size). */
  readonly capacitySectors: number;
  /** Disk name. Kernel: `disk->disk_name` ("vd" + index from virtblk_name_format). */
  readonly name?: string;
  readonly major?: number;
  readonly minor?: number;
  /** Kernel: queue/nr_requests (the tag set's queue_depth: half the 256-entry virtqueue without indirect descriptors … 256 on QEMU). */
  readonly nrRequests?: number;
  /** Kernel: queue/max_sectors_kb × 2. */
  readonly maxSectors?: number;
  /** Kernel: queue/read_ahead_kb (the bdi's ra_pages × 4). */
  readonly readAheadKb?: number;
  /** Kernel: queue/rotational (!QUEUE_FLAG_NONROT): 1 for virtio-blk in 6.1, which sets no NONROT flag. */
  readonly rotational?: boolean;
}

/** Capacity of the request table: how many recent requests requestCompletion() can still answer for. */
const REQ_TABLE = 4096;
const REQ_MASK = REQ_TABLE - 1;

/**
 * A virtio-blk disk: its request queue, plug, cost model and /proc/diskstats counters.
 * Kernel: `struct gendisk` + `struct request_queue` + `struct disk_stats` of part0.
 */
export class BlockDevice {
  readonly name: string;
  readonly major: number;
  readonly minor: number;
  readonly capacitySectors: number;
  readonly logicalBlockSize = SECTOR_SIZE;
  readonly nrRequests: number;
  readonly maxSectors: number;
  readonly readAheadKb: number;
  /** Kernel: queue/rotational, writable as 6.1's queue_store_nonrot allows (`echo 0 > …/queue/rotational`). */
  rotational: boolean;

  // struct disk_stats of part0, by stat group (Kernel: ios[], merges[], sectors[], nsecs[], io_ticks)
  /** Completed requests per group. */
  readonly ios = new Float64Array(NR_STAT_GROUPS);
  /** Bios merged into an existing request, per group. */
  readonly merges = new Float64Array(NR_STAT_GROUPS);
  /** Sectors completed per group. */
  readonly sectors = new Float64Array(NR_STAT_GROUPS);
  /** Sum of (completion − creation) ns of completed requests, per group. */
  readonly nsecs = new Float64Array(NR_STAT_GROUPS);
  /** Jiffies with at least one request in flight. Kernel: `io_ticks`. */
  ioTicks = 0;
  /** Kernel: `bdev->bd_stamp`, jiffies of the last update_io_ticks. */
  private stamp = 0;
  /** Created and not completed requests, [read, write]. Kernel: `in_flight[rw]` (part_in_flight). */
  readonly inFlight = new Int32Array(2);

  // The request table, slot = seq & REQ_MASK (struct request, the fields this model needs)
  private readonly rqOp = new Uint8Array(REQ_TABLE);
  private readonly rqSector = new Float64Array(REQ_TABLE);
  private readonly rqSectors = new Float64Array(REQ_TABLE);
  /** Creation time (ns). Kernel: `rq->start_time_ns`. */
  private readonly rqStart = new Float64Array(REQ_TABLE);
  /** Completion time (ns); NaN while on the plug. */
  private readonly rqDone = new Float64Array(REQ_TABLE);
  private nextSeq = 0;

  // The plug (Kernel: struct blk_plug's mq_list), seqs in submission order
  private readonly plugList = new Float64Array(BLK_MAX_REQUEST_COUNT);
  private plugCount = 0;
  private plugged = false;

  // Dispatched, not yet completed requests: a binary min-heap of seqs by (completion, seq)
  private readonly heap = new Float64Array(REQ_TABLE);
  private heapSize = 0;

  /** When the queue is free for the next request (ns). */
  private busyUntil = 0;
  /** Time up to which completions have been applied to the statistics (ns). */
  private accountedTo = 0;
  /** When the last submitBio's caller may continue (ns): `now`, or later after waiting for a tag. */
  submitterResumeNs = 0;

  constructor(
    config: BlockDeviceConfig,
    private readonly costs: BlockCosts,
  ) {
    const site = "block.BlockDevice";
    if (!Number.isSafeInteger(config.capacitySectors) || config.capacitySectors <= 0) {
      throw new ArgumentError(site, "config.capacitySectors", "a whole number of 512-byte sectors > 0", describeValue(config.capacitySectors));
    }
    this.capacitySectors = config.capacitySectors;
    this.name = config.name ?? "vda";
    this.major = config.major ?? VIRTBLK_MAJOR;
    this.minor = config.minor ?? 0;
    this.nrRequests = config.nrRequests ?? 256;
    this.maxSectors = config.maxSectors ?? BLK_DEF_MAX_SECTORS;
    this.readAheadKb = config.readAheadKb ?? 128;
    this.rotational = config.rotational ?? true;
    if (!Number.isInteger(this.nrRequests) || this.nrRequests < 1 || this.nrRequests > REQ_TABLE / 2) {
      throw new ArgumentError(site, "config.nrRequests", `an integer in [1, ${REQ_TABLE / 2}]`, describeValue(config.nrRequests));
    }
    if (!Number.isInteger(this.maxSectors) || this.maxSectors < PAGE_SECTORS) {
      throw new ArgumentError(site, "config.maxSectors", `an integer ≥ ${PAGE_SECTORS}`, describeValue(config.maxSectors));
    }
  }

  /** The bdi's readahead window in pages (read_ahead_kb / 4). Kernel: `bdi->ra_pages`. */
  get raPages(): number {
    return Math.floor(this.readAheadKb / 4);
  }

  /** The bdi's io_pages: max_sectors_kb in pages, the limit of an oversize readahead. Kernel: `bdi->io_pages`. */
  get ioPages(): number {
    return Math.floor(this.maxSectors / PAGE_SECTORS);
  }

  /** Starts plugging the current task's I/O. Kernel: `blk_start_plug`. */
  startPlug(): void {
    this.plugged = true;
  }

  /** Dispatches what the plug holds and stops plugging. Kernel: `blk_finish_plug` → `blk_mq_flush_plug_list`. */
  finishPlug(now: number): void {
    this.flushPlug(now);
    this.plugged = false;
  }

  /**
   * Dispatches what the plug holds and goes on plugging. Kernel: `blk_flush_plug`, which
   * `schedule()` calls when a plugging task sleeps: call it before waiting for a request (a
   * synchronous metadata read inside readahead, wait_on_buffer → io_schedule).
   */
  flushPlug(now: number): void {
    for (let i = 0; i < this.plugCount; i++) this.dispatch(this.plugList[i]!, now);
    this.plugCount = 0;
  }

  /**
   * Submits a bio of `nrSectors` sectors at `sector` (0 for a flush) at time `now` (ns).
   * Kernel: `submit_bio` → `blk_mq_submit_bio`. The caller counts PGPGIN/PGPGOUT (bio_sectors of a
   * READ/WRITE) as submit_bio does; the device counts /proc/diskstats.
   * @returns the sequence number of the request that carries the bio (requestCompletion() gives
   *   its completion time once dispatched), or -EIO when the range is beyond the disk. Sets
   *   `submitterResumeNs`.
   */
  submitBio(op: number, sector: number, nrSectors: number, now: number): number {
    this.submitterResumeNs = now;
    if (op === REQ_OP_FLUSH) {
      this.advance(now);
      const seq = this.createRequest(REQ_OP_FLUSH, 0, 0, now);
      this.dispatch(seq, this.submitterResumeNs);
      return seq;
    }
    if (op !== REQ_OP_READ && op !== REQ_OP_WRITE) throw new ArgumentError("block.submitBio", "op", "REQ_OP_READ, REQ_OP_WRITE or REQ_OP_FLUSH", describeValue(op));
    if (!Number.isSafeInteger(sector) || !Number.isSafeInteger(nrSectors) || sector < 0 || nrSectors <= 0) {
      throw new ArgumentError("block.submitBio", "sector, nrSectors", "whole numbers, nrSectors > 0", `${describeValue(sector)}, ${describeValue(nrSectors)}`);
    }
    // bio_check_eod
    if (sector + nrSectors > this.capacitySectors) return -EIO;
    this.advance(now);
    let seq = -1;
    // bio_split_to_limits: pieces of at most max_sectors
    while (nrSectors > 0) {
      const n = nrSectors > this.maxSectors ? this.maxSectors : nrSectors;
      seq = this.submitOne(op, sector, n, this.submitterResumeNs);
      sector += n;
      nrSectors -= n;
    }
    return seq;
  }

  /** Completion time (ns) of request `seq`; NaN while it is on the plug. */
  requestCompletion(seq: number): number {
    if (seq < 0 || seq >= this.nextSeq || seq < this.nextSeq - REQ_TABLE) {
      throw new ArgumentError("block.requestCompletion", "seq", `one of the last ${REQ_TABLE} requests (< ${this.nextSeq})`, describeValue(seq));
    }
    return this.rqDone[seq & REQ_MASK]!;
  }

  /** Time (ns) at which every request dispatched so far has completed. */
  idleAt(): number {
    let t = this.accountedTo;
    for (let i = 0; i < this.heapSize; i++) {
      const d = this.rqDone[this.heap[i]! & REQ_MASK]!;
      if (d > t) t = d;
    }
    return t;
  }

  /** Applies every completion up to `now` to the statistics, in completion order. */
  advance(now: number): void {
    while (this.heapSize > 0) {
      const seq = this.heap[0]!;
      const done = this.rqDone[seq & REQ_MASK]!;
      if (done > now) break;
      this.heapPop();
      this.accountDone(seq, done);
    }
    if (now > this.accountedTo) this.accountedTo = now;
  }

  private submitOne(op: number, sector: number, n: number, now: number): number {
    // blk_attempt_plug_merge: only the plug's last request is tried
    if (this.plugged && this.plugCount > 0) {
      const last = this.plugList[this.plugCount - 1]!;
      const s = last & REQ_MASK;
      if (this.rqOp[s] === op && this.rqSectors[s]! + n <= this.maxSectors) {
        if (this.rqSector[s]! + this.rqSectors[s]! === sector) {
          // bio_attempt_back_merge
          this.rqSectors[s] = this.rqSectors[s]! + n;
          this.merges[op]! += 1;
          return last;
        }
        if (this.rqSector[s]! - n === sector) {
          // bio_attempt_front_merge
          this.rqSector[s] = sector;
          this.rqSectors[s] = this.rqSectors[s]! + n;
          this.merges[op]! += 1;
          return last;
        }
      }
    }
    const seq = this.createRequest(op, sector, n, now);
    now = this.submitterResumeNs;
    if (this.plugged) {
      // blk_add_rq_to_plug
      if (this.plugCount > 0) {
        const last = this.plugList[this.plugCount - 1]! & REQ_MASK;
        if (this.plugCount >= BLK_MAX_REQUEST_COUNT || this.rqSectors[last]! * SECTOR_SIZE >= BLK_PLUG_FLUSH_SIZE) this.flushPlug(now);
      }
      this.plugList[this.plugCount++] = seq;
    } else {
      this.dispatch(seq, now);
    }
    return seq;
  }

  /** blk_mq_get_new_requests + blk_account_io_start: a new request, created at `now`. */
  private createRequest(op: number, sector: number, n: number, now: number): number {
    // No free tag: the submitter sleeps (io_schedule flushes its plug) until a request completes.
    if (this.heapSize + this.plugCount >= this.nrRequests) {
      if (this.plugCount > 0) this.flushPlug(now);
      if (this.heapSize >= this.nrRequests) {
        const t = this.rqDone[this.heap[0]! & REQ_MASK]!;
        this.advance(t);
        if (t > now) now = t;
        this.submitterResumeNs = now;
      }
    }
    const seq = this.nextSeq++;
    const s = seq & REQ_MASK;
    this.rqOp[s] = op;
    this.rqSector[s] = sector;
    this.rqSectors[s] = n;
    this.rqStart[s] = now;
    this.rqDone[s] = Number.NaN;
    this.updateIoTicks(nsToJiffies(now), false);
    this.inFlight[op === REQ_OP_READ ? 0 : 1]! += 1;
    return seq;
  }

  /** The device takes the request at `now`: the cost model above. */
  private dispatch(seq: number, now: number): void {
    const s = seq & REQ_MASK;
    const c = this.costs;
    const start = now > this.busyUntil ? now : this.busyUntil;
    let done: number;
    const op = this.rqOp[s]!;
    if (op === REQ_OP_FLUSH) {
      this.busyUntil = start + c.blkRequest + c.blkFlush;
      done = this.busyUntil;
    } else if (op === REQ_OP_READ) {
      this.busyUntil = start + c.blkRequest + this.rqSectors[s]! * c.blkReadPerSector;
      done = this.busyUntil + c.blkReadLatency;
    } else {
      this.busyUntil = start + c.blkRequest + this.rqSectors[s]! * c.blkWritePerSector;
      done = this.busyUntil + c.blkWriteLatency;
    }
    this.rqDone[s] = done;
    this.heapPush(seq);
  }

  /** blk_account_io_completion + blk_account_io_done (+ blk_account_io_flush for a flush). */
  private accountDone(seq: number, done: number): void {
    const s = seq & REQ_MASK;
    const op = this.rqOp[s]!;
    const grp = op === REQ_OP_READ ? STAT_READ : STAT_WRITE;
    const dur = done - this.rqStart[s]!;
    this.sectors[grp]! += this.rqSectors[s]!;
    if (op === REQ_OP_FLUSH) {
      this.ios[STAT_FLUSH]! += 1;
      this.nsecs[STAT_FLUSH]! += dur;
    }
    this.updateIoTicks(nsToJiffies(done), true);
    this.ios[grp]! += 1;
    this.nsecs[grp]! += dur;
    this.inFlight[grp]! -= 1;
  }

  /** Kernel: `update_io_ticks(part, now, end)` (jiffies). */
  private updateIoTicks(now: number, end: boolean): void {
    const stamp = this.stamp;
    if (now > stamp) {
      this.stamp = now;
      if (end || this.inFlight[0]! + this.inFlight[1]! > 0) this.ioTicks += now - stamp;
    }
  }

  private heapLess(a: number, b: number): boolean {
    const da = this.rqDone[a & REQ_MASK]!;
    const db = this.rqDone[b & REQ_MASK]!;
    return da < db || (da === db && a < b);
  }

  private heapPush(seq: number): void {
    let i = this.heapSize++;
    const h = this.heap;
    h[i] = seq;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.heapLess(h[i]!, h[p]!)) break;
      const t = h[i]!;
      h[i] = h[p]!;
      h[p] = t;
      i = p;
    }
  }

  private heapPop(): void {
    const h = this.heap;
    const n = --this.heapSize;
    h[0] = h[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && this.heapLess(h[r]!, h[l]!) ? r : l;
      if (!this.heapLess(h[m]!, h[i]!)) break;
      const t = h[i]!;
      h[i] = h[m]!;
      h[m] = t;
      i = m;
    }
  }

  /** Requests in flight at `now` (after applying completions), [read, write]. Kernel: `part_in_flight_rw`. */
  inflightAt(now: number): readonly [number, number] {
    this.advance(now);
    return [this.inFlight[0]!, this.inFlight[1]!];
  }

  /** diskstats_show/part_stat_show's prologue: completions up to `now`, and io_ticks brought up to date when busy. */
  private readStats(now: number): number {
    this.advance(now);
    const inflight = this.inFlight[0]! + this.inFlight[1]!;
    if (inflight) this.updateIoTicks(nsToJiffies(now), true);
    return inflight;
  }

  /** The 17 numbers both files print, in order. */
  private statFields(inflight: number): number[] {
    const ms = nsToMsecs;
    return [
      this.ios[STAT_READ]!, this.merges[STAT_READ]!, this.sectors[STAT_READ]!, ms(this.nsecs[STAT_READ]!),
      this.ios[STAT_WRITE]!, this.merges[STAT_WRITE]!, this.sectors[STAT_WRITE]!, ms(this.nsecs[STAT_WRITE]!),
      inflight, jiffiesToMsecs(this.ioTicks),
      ms(this.nsecs[STAT_READ]! + this.nsecs[STAT_WRITE]! + this.nsecs[STAT_DISCARD]! + this.nsecs[STAT_FLUSH]!),
      this.ios[STAT_DISCARD]!, this.merges[STAT_DISCARD]!, this.sectors[STAT_DISCARD]!, ms(this.nsecs[STAT_DISCARD]!),
      this.ios[STAT_FLUSH]!, ms(this.nsecs[STAT_FLUSH]!),
    ];
  }

  /**
   * This disk's line of /proc/diskstats at `now`.
   * Kernel: `diskstats_show`: `"%4d %7d %pg "` then 17 numbers separated by spaces, `"\n"`.
   */
  diskstatsLine(now: number): string {
    const f = this.statFields(this.readStats(now));
    return `${String(this.major).padStart(4)} ${String(this.minor).padStart(7)} ${this.name} ${f.join(" ")}\n`;
  }

  /**
   * /sys/block/<name>/stat at `now`. Kernel: `part_stat_show`: each number `"%8lu"`/`"%8u"`, one
   * space between them, `"\n"`.
   */
  statFile(now: number): string {
    const f = this.statFields(this.readStats(now));
    return f.map((v) => String(v).padStart(8)).join(" ") + "\n";
  }

  /** /sys/block/<name>/inflight at `now`. Kernel: `part_inflight_show`: `"%8u %8u\n"`. */
  inflightFile(now: number): string {
    this.advance(now);
    return `${String(this.inFlight[0]).padStart(8)} ${String(this.inFlight[1]).padStart(8)}\n`;
  }

  /**
   * Other /sys/block/<name>/ files, as the reference kernel printed them for a QEMU virtio-blk
   * disk (`dev`, `size`, `queue/*`), or undefined for a file mmsim does not model.
   */
  sysfsFile(path: string): string | undefined {
    switch (path) {
      case "dev":
        return `${this.major}:${this.minor}\n`;
      case "size":
        return `${this.capacitySectors}\n`;
      case "ro":
      case "removable":
        return "0\n";
      case "queue/logical_block_size":
      case "queue/physical_block_size":
      case "queue/hw_sector_size":
      case "queue/minimum_io_size":
        return `${this.logicalBlockSize}\n`;
      case "queue/max_sectors_kb":
        return `${this.maxSectors / 2}\n`;
      case "queue/max_hw_sectors_kb":
        return "2147483647\n";
      case "queue/max_segments":
        return "254\n";
      case "queue/nr_requests":
        return `${this.nrRequests}\n`;
      case "queue/read_ahead_kb":
        return `${this.readAheadKb}\n`;
      case "queue/rotational":
        return this.rotational ? "1\n" : "0\n";
      case "queue/scheduler":
        return "[none] mq-deadline \n";
      case "queue/write_cache":
        return "write back\n";
      default:
        return undefined;
    }
  }

  /** Checks the invariants in the header; reports to `sink`. */
  validate(sink: ValidationSink): void {
    const site = `block.BlockDevice(${this.name})`;
    let reads = 0;
    let writes = 0;
    for (let i = 0; i < this.heapSize; i++) {
      const seq = this.heap[i]!;
      const s = seq & REQ_MASK;
      if (!(this.rqDone[s]! >= this.rqStart[s]!)) sink.report(site, `request ${seq} completes at ${this.rqDone[s]} before it started at ${this.rqStart[s]}`);
      if (i > 0 && this.heapLess(seq, this.heap[(i - 1) >> 1]!)) sink.report(site, `completion heap out of order at ${i}`);
      if (this.rqOp[s] === REQ_OP_READ) reads++;
      else writes++;
    }
    for (let i = 0; i < this.plugCount; i++) {
      if (this.rqOp[this.plugList[i]! & REQ_MASK] === REQ_OP_READ) reads++;
      else writes++;
    }
    if (reads !== this.inFlight[0] || writes !== this.inFlight[1]) {
      sink.report(site, `in_flight is [${this.inFlight[0]}, ${this.inFlight[1]}] but [${reads}, ${writes}] requests are plugged or dispatched and not completed`);
    }
    if (this.heapSize > this.nrRequests) sink.report(site, `${this.heapSize} requests in flight, more than nr_requests ${this.nrRequests}`);
    if (this.plugCount > BLK_MAX_REQUEST_COUNT) sink.report(site, `the plug holds ${this.plugCount} requests, more than ${BLK_MAX_REQUEST_COUNT}`);
    for (let g = 0; g < NR_STAT_GROUPS; g++) {
      if (this.ios[g]! < 0 || this.sectors[g]! < 0 || this.nsecs[g]! < 0 || this.merges[g]! < 0) sink.report(site, `negative statistics in group ${g}`);
    }
  }
}
