// Kernel: fs/fs-writeback.c (__mark_inode_dirty's list part, redirty_tail, requeue_io, move_expired_inodes, queue_io, requeue_inode, writeback_chunk_size, writeback_sb_inodes, wb_writeback, wb_check_old_data_flush, wb_check_background_flush, wb_check_start_all, wb_do_writeback, wb_workfn, wb_start_writeback, wb_start_background_writeback), mm/backing-dev.c (wb_wakeup_delayed, wb_init's last_old_flush) (v6.1.166) — when the flusher runs and which inodes it writes
/*
 * Pure logic: the disk's bdi_writeback as lists of inode numbers (b_dirty, b_io, b_more_io) with
 * each inode's dirtied_when, the flusher's timer (wb->dwork) and its passes, in jiffies. The
 * page cache (@mmsim/filemap) does the writing through WritebackIo; move this file there (or to
 * a writeback package between block and filemap) when it lands.
 *
 * The timing, as 6.1 has it:
 *   - the first dirty inode of an idle wb arms the flusher dirty_writeback_interval (5 s) later
 *     (wb_wakeup_delayed; an armed timer is not moved);
 *   - each run (wb_workfn) does the queued works, a WB_start_all request, the periodic
 *     "kupdate" flush at most once per 5 s (wb_check_old_data_flush: inodes whose dirtied_when is
 *     at least dirty_expire_interval (30 s) old), and background writeback while the dirty pages
 *     are over the background threshold (wb_check_background_flush); then, while dirty inodes
 *     remain, it re-arms itself 5 s on;
 *   - balance_dirty_pages and reclaim wake it at once (wb_wakeup).
 * dirtied_when is the inode's, set when it goes from clean to dirty: a page dirtied later in an
 * already dirty inode goes out with the inode's first page. An inode written only in part
 * (chunk used up) goes to b_more_io and is continued in the same pass; one left dirty with its
 * chunk not used up (pages it could not write, e.g. redirtied under writeback) goes back to
 * b_dirty as the newest, its dirtied_when moved to now if it was older (redirty_tail).
 *
 * Simplified: a pass takes no simulated time (the pages it submits complete on the block
 * device's clock), so writeback_sb_inodes' HZ/10 time slice never ends a pass and no inode is
 * found under I_SYNC; one superblock (no sb sorting in move_expired_inodes); no lazytime
 * (b_dirty_time); no cgroup writeback; the works queued by sync(2) and friends are run with
 * dirtied_before fixed at their start (for_sync).
 *
 * Invariants (validate()):
 *   - an inode is on at most one of b_dirty, b_io, b_more_io, and has a dirtied_when iff it is;
 *   - b_dirty is ordered by dirtied_when, oldest first;
 *   - the flusher's timer is armed whenever an inode is dirty and periodic writeback is on.
 */
import type { ValidationSink } from "@mmsim/core";
import type { DirtySysctls, WbBandwidth } from "./page-writeback.ts";

/** Why writeback runs. Kernel: `enum wb_reason` (include/linux/backing-dev-defs.h). */
export const WB_REASON_BACKGROUND = 0;
export const WB_REASON_VMSCAN = 1;
export const WB_REASON_SYNC = 2;
export const WB_REASON_PERIODIC = 3;
export const WB_REASON_LAPTOP_TIMER = 4;
export const WB_REASON_FS_FREE_SPACE = 5;
export const WB_REASON_FORKER_THREAD = 6;
export const WB_REASON_FOREIGN_FLUSH = 7;
/** Kernel: `wb_reason_name[]` (the writeback tracepoints' reason=). */
export const WB_REASON_NAMES: readonly string[] = Object.freeze([
  "background", "vmscan", "sync", "periodic", "laptop_timer", "fs_free_space", "forker_thread", "foreign_flush",
]);

/** A writeback chunk is at least this many pages: 4 MiB. Kernel: `MIN_WRITEBACK_PAGES` = 4096 >> (PAGE_SHIFT − 10). */
export const MIN_WRITEBACK_PAGES = 4096 >> 2;
/** Kernel: `DIRTY_SCOPE` (mm/internal.h). */
export const DIRTY_SCOPE = 8;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

/** What the flusher asks of the page cache. */
export interface WritebackIo {
  /**
   * Writes up to `nrToWrite` dirty pages of inode `ino` (do_writepages with WB_SYNC_NONE, or
   * WB_SYNC_ALL when `syncAll`): the pages are submitted (PG_writeback), not waited for.
   * @returns pages written
   */
  writepages(ino: number, nrToWrite: number, syncAll: boolean, reason: number): number;
  /** True while the inode's mapping has dirty pages (PAGECACHE_TAG_DIRTY). */
  hasDirtyPages(ino: number): boolean;
  /** Background writeback should go on (wb_over_bg_thresh with the counters of now). */
  overBgThresh(): boolean;
  /** NR_FILE_DIRTY + dirty inodes. Kernel: `get_nr_dirty_pages`. */
  nrDirtyPages(): number;
}

/** One writeback request. Kernel: `struct wb_writeback_work`. */
export interface WbWork {
  nrPages: number;
  readonly syncAll: boolean;
  readonly forKupdate: boolean;
  readonly forBackground: boolean;
  readonly forSync: boolean;
  readonly reason: number;
}

/** What one flusher run did (for tracepoints and tests). */
export interface WbRunResult {
  /** Pages written. */
  readonly pages: number;
  /** Inodes written in the order they were written, with the reason. */
  readonly written: readonly { readonly ino: number; readonly pages: number; readonly reason: number }[];
}

/** The disk's writeback state. Kernel: `struct bdi_writeback` (lists, dwork, last_old_flush, state bits). */
export class BdiWriteback {
  /** Dirty inodes, oldest first (the kernel's list tail first). */
  readonly bDirty: number[] = [];
  /** Inodes queued for this pass, next first. */
  readonly bIo: number[] = [];
  /** Inodes to continue after b_io, first requeued first. */
  readonly bMoreIo: number[] = [];
  /** Kernel: `inode->dirtied_when` (jiffies), of every inode on the lists. */
  readonly dirtiedWhen = new Map<number, number>();
  /** When wb_workfn runs next (jiffies), or −1 when the timer is not armed. Kernel: `wb->dwork`. */
  workAt = -1;
  /** Kernel: `wb->last_old_flush`. */
  lastOldFlush: number;
  /** Kernel: WB_start_all and `start_all_reason`. */
  startAll = false;
  startAllReason = WB_REASON_BACKGROUND;
  /** Kernel: WB_writeback_running (set while wb_do_writeback runs). */
  writebackRunning = false;
  /** Kernel: `wb->work_list`. */
  readonly workList: WbWork[] = [];
  private log: { ino: number; pages: number; reason: number }[] = [];

  /** @param now jiffies at wb_init (boot) */
  constructor(
    private readonly sysctls: DirtySysctls,
    private readonly bw: WbBandwidth,
    now = 0,
  ) {
    this.lastOldFlush = now;
  }

  /** Any dirty inode. Kernel: `wb_has_dirty_io`. */
  hasDirtyIo(): boolean {
    return this.bDirty.length + this.bIo.length + this.bMoreIo.length > 0;
  }

  /** Whether `ino` is dirty (on a list). */
  isDirty(ino: number): boolean {
    return this.dirtiedWhen.has(ino);
  }

  /**
   * An inode's pages became dirty (I_DIRTY_PAGES). Kernel: `__mark_inode_dirty`: a clean inode
   * gets dirtied_when = now and goes to b_dirty; the first dirty inode of the wb arms the flusher
   * (wb_wakeup_delayed). An inode already dirty keeps its place and time.
   * @returns true when the inode was clean
   */
  markInodeDirty(ino: number, now: number): boolean {
    if (this.dirtiedWhen.has(ino)) return false;
    const wasIdle = !this.hasDirtyIo();
    this.dirtiedWhen.set(ino, now);
    this.bDirty.push(ino);
    if (wasIdle) this.wakeupDelayed(now);
    return true;
  }

  /** The inode is clean or gone (written by fsync, truncated, evicted). Kernel: `inode_io_list_del` / inode_cgwb_move_to_attached. */
  inodeClean(ino: number): void {
    if (!this.dirtiedWhen.delete(ino)) return;
    if (!removeFrom(this.bDirty, ino) && !removeFrom(this.bIo, ino)) removeFrom(this.bMoreIo, ino);
  }

  /** Arms the flusher dirty_writeback_interval from now unless it is armed. Kernel: `wb_wakeup_delayed`. */
  wakeupDelayed(now: number): void {
    const j = this.sysctls.writebackJiffies;
    if (this.workAt < 0) this.workAt = now + j;
  }

  /** Runs the flusher now. Kernel: `wb_wakeup` (mod_delayed_work(…, 0)). */
  wakeup(now: number): void {
    this.workAt = now;
  }

  /** Kernel: `wb_start_background_writeback`. */
  startBackgroundWriteback(now: number): void {
    this.wakeup(now);
  }

  /** Write back everything (sync, drop_caches' callers, reclaim). Kernel: `wb_start_writeback` (WB_start_all, one pending at a time). */
  startWriteback(now: number, reason: number): void {
    if (!this.hasDirtyIo()) return;
    if (this.startAll) return;
    this.startAll = true;
    this.startAllReason = reason;
    this.wakeup(now);
  }

  /** Queues a work and wakes the flusher. Kernel: `wb_queue_work`. */
  queueWork(work: WbWork, now: number): void {
    this.workList.push(work);
    this.wakeup(now);
  }

  /** Pages per inode per turn. Kernel: `writeback_chunk_size`. */
  chunkSize(work: WbWork): number {
    if (work.syncAll) return LONG_MAX;
    let pages = Math.min(Math.floor(this.bw.avgWriteBandwidth / 2), Math.floor(this.bw.domDirtyLimit / DIRTY_SCOPE));
    pages = Math.min(pages, work.nrPages);
    return Math.floor((pages + MIN_WRITEBACK_PAGES) / MIN_WRITEBACK_PAGES) * MIN_WRITEBACK_PAGES;
  }

  /** Moves b_more_io and the b_dirty inodes dirtied at or before `dirtiedBefore` to b_io. Kernel: `queue_io` + `move_expired_inodes`. */
  private queueIo(dirtiedBefore: number): number {
    for (const ino of this.bMoreIo) this.bIo.push(ino);
    this.bMoreIo.length = 0;
    let moved = 0;
    while (moved < this.bDirty.length && !(this.dirtiedWhen.get(this.bDirty[moved]!)! - dirtiedBefore > 0)) this.bIo.push(this.bDirty[moved++]!);
    this.bDirty.splice(0, moved);
    return moved;
  }

  /** Kernel: `redirty_tail_locked`: to b_dirty as the newest, dirtied_when moved to now if older than the newest. */
  private redirtyTail(ino: number, now: number): void {
    const newest = this.bDirty.length ? this.bDirty[this.bDirty.length - 1]! : -1;
    if (newest >= 0 && this.dirtiedWhen.get(ino)! - this.dirtiedWhen.get(newest)! < 0) this.dirtiedWhen.set(ino, now);
    this.bDirty.push(ino);
  }

  /** Kernel: `writeback_sb_inodes` (one superblock, no time slice). @returns pages written + inodes cleaned */
  private writebackSbInodes(work: WbWork, now: number, io: WritebackIo): number {
    let total = 0;
    while (this.bIo.length > 0) {
      const ino = this.bIo.shift()!;
      const chunk = this.chunkSize(work);
      const wrote = Math.max(0, io.writepages(ino, chunk, work.syncAll, work.reason));
      const left = chunk - wrote;
      work.nrPages -= wrote;
      total += wrote;
      if (wrote) this.log.push({ ino, pages: wrote, reason: work.reason });
      // requeue_inode
      if (io.hasDirtyPages(ino)) {
        if (work.syncAll) this.dirtiedWhen.set(ino, now); // sync livelock prevention
        if (left <= 0) this.bMoreIo.push(ino); // slice used up: next turn
        else this.redirtyTail(ino, now);
      } else {
        total++;
        this.dirtiedWhen.delete(ino);
      }
      if (total && work.nrPages <= 0) break;
    }
    return total;
  }

  /** Kernel: `wb_writeback`. @returns pages written */
  private wbWriteback(work: WbWork, now: number, io: WritebackIo): number {
    const nrPages = work.nrPages;
    let dirtiedBefore = now;
    for (;;) {
      if (work.nrPages <= 0) break;
      if ((work.forBackground || work.forKupdate) && this.workList.length > 0) break;
      if (work.forBackground && !io.overBgThresh()) break;
      if (work.forKupdate) dirtiedBefore = now - this.sysctls.expireJiffies;
      else if (work.forBackground) dirtiedBefore = now;
      if (this.bIo.length === 0) this.queueIo(dirtiedBefore);
      const progress = this.writebackSbInodes(work, now, io);
      if (progress) continue;
      // Nothing written; with no inode under I_SYNC there is nothing to wait for.
      break;
    }
    return nrPages - work.nrPages;
  }

  /**
   * The flusher's run at jiffies `now` (call it when `workAt` is reached, or after wakeup()).
   * Kernel: `wb_workfn` → `wb_do_writeback`: queued works, WB_start_all, the periodic flush of
   * expired inodes, background writeback; then re-armed 5 s on while inodes are dirty.
   */
  workfn(now: number, io: WritebackIo): WbRunResult {
    this.workAt = -1;
    this.log = [];
    let pages = 0;
    do {
      this.writebackRunning = true;
      for (let work = this.workList.shift(); work; work = this.workList.shift()) pages += this.wbWriteback(work, now, io);
      // wb_check_start_all
      if (this.startAll) {
        const nr = io.nrDirtyPages();
        if (nr) pages += this.wbWriteback(makeWork(nr, false, false, false, this.startAllReason), now, io);
        this.startAll = false;
      }
      // wb_check_old_data_flush
      if (this.sysctls.dirtyWritebackCentisecs && !(now - (this.lastOldFlush + this.sysctls.writebackJiffies) < 0)) {
        this.lastOldFlush = now;
        const nr = io.nrDirtyPages();
        if (nr) pages += this.wbWriteback(makeWork(nr, true, false, false, WB_REASON_PERIODIC), now, io);
      }
      // wb_check_background_flush
      if (io.overBgThresh()) pages += this.wbWriteback(makeWork(LONG_MAX, false, true, false, WB_REASON_BACKGROUND), now, io);
      this.writebackRunning = false;
    } while (this.workList.length > 0);
    if (this.hasDirtyIo() && this.sysctls.dirtyWritebackCentisecs) this.wakeupDelayed(now);
    return { pages, written: this.log };
  }

  /** Checks the invariants in the header; reports to `sink`. */
  validate(sink: ValidationSink): void {
    const site = "block.BdiWriteback";
    const seen = new Set<number>();
    for (const list of [this.bDirty, this.bIo, this.bMoreIo]) {
      for (const ino of list) {
        if (seen.has(ino)) sink.report(site, `inode ${ino} is on two writeback lists`);
        seen.add(ino);
        if (!this.dirtiedWhen.has(ino)) sink.report(site, `inode ${ino} is listed with no dirtied_when`);
      }
    }
    for (const ino of this.dirtiedWhen.keys()) if (!seen.has(ino)) sink.report(site, `inode ${ino} has a dirtied_when but is on no list`);
    for (let i = 1; i < this.bDirty.length; i++) {
      if (this.dirtiedWhen.get(this.bDirty[i]!)! < this.dirtiedWhen.get(this.bDirty[i - 1]!)!) sink.report(site, `b_dirty out of order at ${i}`);
    }
    if (this.hasDirtyIo() && this.sysctls.dirtyWritebackCentisecs && this.workAt < 0) sink.report(site, "dirty inodes but the flusher's timer is not armed");
  }
}

function makeWork(nrPages: number, forKupdate: boolean, forBackground: boolean, syncAll: boolean, reason: number): WbWork {
  return { nrPages, syncAll, forKupdate, forBackground, forSync: false, reason };
}

function removeFrom(list: number[], ino: number): boolean {
  const i = list.indexOf(ino);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}
