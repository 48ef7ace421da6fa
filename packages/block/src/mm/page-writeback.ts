// Kernel: mm/page-writeback.c (global_dirtyable_memory, domain_dirty_limits, global_dirty_limits, writeback_set_ratelimit, the vm.dirty_* handlers, dirty_freerun_ceiling, hard_dirty_limit, __wb_calc_thresh, pos_ratio_polynom, wb_position_ratio, wb_update_write_bandwidth, update_dirty_limit, wb_update_dirty_ratelimit, __wb_update_bandwidth, dirty_poll_interval, wb_max_pause, wb_min_pause, wb_dirty_limits, balance_dirty_pages, balance_dirty_pages_ratelimited_flags, wb_over_bg_thresh), include/linux/backing-dev.h (wb_stat_error) (v6.1.166) — dirty limits and dirty throttling, as pure functions
/*
 * Pure logic, for @mmsim/filemap (move it there, or to a writeback package between block and
 * filemap, when the page cache lands). Everything is in pages and jiffies (HZ = 250), in the
 * kernel's integer arithmetic (divisions truncate; RATELIMIT_CALC_SHIFT fixed point).
 *
 * The machine has one writeback domain (no memcg writeback: CONFIG_CGROUP_WRITEBACK's memcg
 * domain is not modelled) and one bdi_writeback that does writeback, the disk's (tmpfs has no
 * BDI_CAP_WRITEBACK: balance_dirty_pages_ratelimited returns at once for it). Its share of the
 * domain's writeout completions (the fprop fraction __wb_calc_thresh reads) is therefore 1 once
 * it has completed any writeout, and 0/1 before (fprop_fraction_percpu). No BDI_CAP_STRICTLIMIT,
 * no min/max ratios, no real-time tasks (rt_task's +¼ lift), no PF_LOCAL_THROTTLE, no laptop
 * mode, highmem off (highmem_dirtyable_memory is 0).
 *
 * balance_dirty_pages is a loop that sleeps; here one pass of it is a function that returns what
 * the pass decided — run free (and how many pages until the next check), or sleep `pause`
 * jiffies — with the task's and the wb's state updated as the kernel updates them. The caller
 * sleeps the pause on the simulated clock and, when `again` is set (the pass found task_ratelimit
 * 0, i.e. dirty pages at the hard limit), calls it again with fresh counters, as the kernel loops.
 * The exit on a fatal signal and the BDP_ASYNC (-EAGAIN) exit are the caller's.
 *
 * Checked against the real kernel: with the reference board's counters (nr_free_pages 242732,
 * totalreserve_pages 8448 = the DMA zone's high watermark, no file pages) the limits are
 * nr_dirty_threshold 46845 and nr_dirty_background_threshold 23394, as its /proc/vmstat prints.
 */
import { EINVAL, ERANGE } from "@mmsim/core";
import { HZ, msecsToJiffies } from "../jiffies.ts";

const PAGE_SIZE = 4096;
const PAGE_SHIFT = 12;
/** Kernel: `RATELIMIT_CALC_SHIFT`. */
export const RATELIMIT_CALC_SHIFT = 10;
/** Sleep at most 200 ms at a time in balance_dirty_pages. Kernel: `MAX_PAUSE` = max(HZ/5, 1). */
export const MAX_PAUSE = Math.max(Math.floor(HZ / 5), 1);
/** Keep balance_dirty_pages call intervals above this many pages. Kernel: `DIRTY_POLL_THRESH` = 128 >> (PAGE_SHIFT − 10). */
export const DIRTY_POLL_THRESH = 128 >> (PAGE_SHIFT - 10);
/** Estimate write bandwidth at 200 ms intervals. Kernel: `BANDWIDTH_INTERVAL`. */
export const BANDWIDTH_INTERVAL = Math.max(Math.floor(HZ / 5), 1);
/** Initial bandwidth and ratelimit: 100 MB/s in pages. Kernel: `INIT_BW` (mm/backing-dev.c). */
export const INIT_BW = 100 << (20 - PAGE_SHIFT);
/** A new task's nr_dirtied_pause. Kernel: copy_process's `128 >> (PAGE_SHIFT - 10)`. */
export const INIT_NR_DIRTIED_PAUSE = 128 >> (PAGE_SHIFT - 10);
/** Dirty ratelimit while the wb is over its limits. Kernel: `32 >> (PAGE_SHIFT - 10)`. */
export const DIRTY_EXCEEDED_RATELIMIT = 32 >> (PAGE_SHIFT - 10);
const UINT_MAX = 0xffffffff;

function ilog2(n: number): number {
  return n < 1 ? 0 : Math.floor(Math.log2(n));
}

function roundupPowOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** vm.dirty_* (/proc/sys/vm), with the coupling their handlers add. Kernel: the variables of mm/page-writeback.c. */
export class DirtySysctls {
  /** Kernel: `vm_dirty_ratio` (%). */
  dirtyRatio = 20;
  /** Kernel: `dirty_background_ratio` (%). */
  dirtyBackgroundRatio = 10;
  /** Kernel: `vm_dirty_bytes` (0: use the ratio). */
  dirtyBytes = 0;
  /** Kernel: `dirty_background_bytes` (0: use the ratio). */
  dirtyBackgroundBytes = 0;
  /** Kernel: `dirty_writeback_interval` (centiseconds; 0 disables periodic writeback). */
  dirtyWritebackCentisecs = 500;
  /** Kernel: `dirty_expire_interval` (centiseconds). */
  dirtyExpireCentisecs = 3000;

  /** Writes vm.dirty_ratio (0–100); a change clears dirty_bytes. Kernel: `dirty_ratio_handler`. @returns 0 or −EINVAL */
  setDirtyRatio(v: number): number {
    if (!Number.isInteger(v) || v < 0 || v > 100) return -EINVAL;
    const old = this.dirtyRatio;
    this.dirtyRatio = v;
    if (v !== old) this.dirtyBytes = 0;
    return 0;
  }

  /** Writes vm.dirty_background_ratio (0–100); any write clears dirty_background_bytes. Kernel: `dirty_background_ratio_handler`. */
  setDirtyBackgroundRatio(v: number): number {
    if (!Number.isInteger(v) || v < 0 || v > 100) return -EINVAL;
    this.dirtyBackgroundRatio = v;
    this.dirtyBackgroundBytes = 0;
    return 0;
  }

  /** Writes vm.dirty_bytes (≥ 2 pages); a change clears dirty_ratio. Kernel: `dirty_bytes_handler`. @returns 0, −EINVAL or −ERANGE */
  setDirtyBytes(v: number): number {
    if (!Number.isSafeInteger(v) || v < 2 * PAGE_SIZE) return -EINVAL;
    if (Math.ceil(v / PAGE_SIZE) > UINT_MAX) return -ERANGE;
    const old = this.dirtyBytes;
    this.dirtyBytes = v;
    if (v !== old) this.dirtyRatio = 0;
    return 0;
  }

  /** Writes vm.dirty_background_bytes (≥ 1); clears dirty_background_ratio. Kernel: `dirty_background_bytes_handler`. */
  setDirtyBackgroundBytes(v: number): number {
    if (!Number.isSafeInteger(v) || v < 1) return -EINVAL;
    if (Math.ceil(v / PAGE_SIZE) > UINT_MAX) return -ERANGE;
    this.dirtyBackgroundBytes = v;
    this.dirtyBackgroundRatio = 0;
    return 0;
  }

  /** Writes vm.dirty_expire_centisecs (≥ 0). */
  setDirtyExpireCentisecs(v: number): number {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) return -EINVAL;
    this.dirtyExpireCentisecs = v;
    return 0;
  }

  /**
   * Writes vm.dirty_writeback_centisecs. The kernel's handler is proc_dointvec into an unsigned
   * int, so a negative write is taken as a huge interval; here it is −EINVAL. Waking the flushers
   * on a non-zero change (dirty_writeback_centisecs_handler) is the caller's.
   */
  setDirtyWritebackCentisecs(v: number): number {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) return -EINVAL;
    this.dirtyWritebackCentisecs = v;
    return 0;
  }

  /** dirty_expire_interval in jiffies (msecs_to_jiffies(dirty_expire_interval × 10)). */
  get expireJiffies(): number {
    return msecsToJiffies(this.dirtyExpireCentisecs * 10);
  }

  /** dirty_writeback_interval in jiffies (0: periodic writeback off). */
  get writebackJiffies(): number {
    return msecsToJiffies(this.dirtyWritebackCentisecs * 10);
  }
}

/** The global page counts the limits read. */
export interface DirtyableCounts {
  /** Kernel: `global_zone_page_state(NR_FREE_PAGES)`. */
  readonly nrFreePages: number;
  /** Kernel: `totalreserve_pages` (Σ over zones of max lowmem_reserve + high watermark). */
  readonly totalreservePages: number;
  /** Kernel: NR_INACTIVE_FILE and NR_ACTIVE_FILE (node stats). */
  readonly nrInactiveFile: number;
  readonly nrActiveFile: number;
}

/**
 * Pages that could hold dirty page cache: free pages above the reserves plus the file LRU, + 1.
 * Kernel: `global_dirtyable_memory` (highmem off).
 */
export function globalDirtyableMemory(c: DirtyableCounts): number {
  let x = c.nrFreePages;
  x -= Math.min(x, c.totalreservePages);
  x += c.nrInactiveFile;
  x += c.nrActiveFile;
  return x + 1;
}

/** The two limits of a domain. */
export interface DirtyLimits {
  /** Kernel: `dtc->thresh` — dirty + writeback pages where tasks are throttled hardest (nr_dirty_threshold). */
  readonly thresh: number;
  /** Kernel: `dtc->bg_thresh` — dirty pages above which background writeback starts (nr_dirty_background_threshold). */
  readonly bgThresh: number;
}

/**
 * thresh and bg_thresh for `avail` dirtyable pages. Kernel: `domain_dirty_limits` (global domain,
 * not a real-time task): the ratios are taken per PAGE_SIZE first — (20 × 4096) / 100 = 819 and
 * (10 × 4096) / 100 = 409 — so thresh = 819 × avail / 4096, not avail / 5; bytes settings win;
 * a bg_thresh ≥ thresh becomes thresh / 2.
 */
export function domainDirtyLimits(avail: number, s: DirtySysctls): DirtyLimits {
  const ratio = Math.floor((s.dirtyRatio * PAGE_SIZE) / 100);
  const bgRatio = Math.floor((s.dirtyBackgroundRatio * PAGE_SIZE) / 100);
  let thresh = s.dirtyBytes ? Math.ceil(s.dirtyBytes / PAGE_SIZE) : Math.floor((ratio * avail) / PAGE_SIZE);
  let bgThresh = s.dirtyBackgroundBytes ? Math.ceil(s.dirtyBackgroundBytes / PAGE_SIZE) : Math.floor((bgRatio * avail) / PAGE_SIZE);
  if (thresh > UINT_MAX) thresh = UINT_MAX;
  if (bgThresh >= thresh) bgThresh = Math.floor(thresh / 2);
  return { thresh, bgThresh };
}

/** The global limits: /proc/vmstat's nr_dirty_threshold and nr_dirty_background_threshold. Kernel: `global_dirty_limits`. */
export function globalDirtyLimits(c: DirtyableCounts, s: DirtySysctls): DirtyLimits {
  return domainDirtyLimits(globalDirtyableMemory(c), s);
}

/** Pages a CPU may dirty between checks. Kernel: `writeback_set_ratelimit`: dirty_thresh / (online CPUs × 32), at least 16. */
export function ratelimitPages(dirtyThresh: number, onlineCpus: number): number {
  const r = Math.floor(dirtyThresh / (onlineCpus * 32));
  return r < 16 ? 16 : r;
}

/**
 * Sets the domain's dirty_limit to the current thresh and returns ratelimit_pages. Kernel:
 * `writeback_set_ratelimit` (at boot, on a CPU coming online, on a dirty_ratio/dirty_bytes write).
 */
export function writebackSetRatelimit(bw: WbBandwidth, c: DirtyableCounts, s: DirtySysctls, onlineCpus: number): number {
  const lim = globalDirtyLimits(c, s);
  bw.domDirtyLimit = lim.thresh;
  return ratelimitPages(lim.thresh, onlineCpus);
}

/** Below this many dirty + writeback pages a task is never throttled. Kernel: `dirty_freerun_ceiling` = (thresh + bg_thresh) / 2. */
export function dirtyFreerunCeiling(thresh: number, bgThresh: number): number {
  return Math.floor((thresh + bgThresh) / 2);
}

/** Kernel: `hard_dirty_limit` = max(thresh, dom->dirty_limit). */
export function hardDirtyLimit(domDirtyLimit: number, thresh: number): number {
  return Math.max(thresh, domDirtyLimit);
}

/** The per-CPU counter error of wb stats. Kernel: `wb_stat_error` = nr_cpu_ids × WB_STAT_BATCH, WB_STAT_BATCH = 8 × (1 + ilog2(nr_cpu_ids)). */
export function wbStatError(nrCpuIds: number): number {
  return nrCpuIds * 8 * (1 + ilog2(nrCpuIds));
}

/**
 * The global control line: 1.0 + ((setpoint − dirty) / (limit − setpoint))³, in 1/1024 units,
 * clamped to [0, 2]. Kernel: `pos_ratio_polynom`.
 */
export function posRatioPolynom(setpoint: number, dirty: number, limit: number): number {
  const x = Math.trunc(((setpoint - dirty) * (1 << RATELIMIT_CALC_SHIFT)) / ((limit - setpoint) | 1));
  let pos = x;
  pos = Math.floor((pos * x) / (1 << RATELIMIT_CALC_SHIFT));
  pos = Math.floor((pos * x) / (1 << RATELIMIT_CALC_SHIFT));
  pos += 1 << RATELIMIT_CALC_SHIFT;
  return Math.min(Math.max(pos, 0), 2 << RATELIMIT_CALC_SHIFT);
}

/** The bandwidth and ratelimit state of the disk's bdi_writeback, and of its (global) domain. Kernel: fields of `struct bdi_writeback` and `struct wb_domain`. */
export class WbBandwidth {
  /** Kernel: `wb->write_bandwidth` (pages/s). */
  writeBandwidth = INIT_BW;
  /** Kernel: `wb->avg_write_bandwidth`. */
  avgWriteBandwidth = INIT_BW;
  /** Kernel: `wb->dirty_ratelimit` — the base throttle rate (pages/s). */
  dirtyRatelimit = INIT_BW;
  /** Kernel: `wb->balanced_dirty_ratelimit`. */
  balancedDirtyRatelimit = INIT_BW;
  /** Kernel: `wb->bw_time_stamp`, `dirtied_stamp`, `written_stamp`. */
  bwTimeStamp = 0;
  dirtiedStamp = 0;
  writtenStamp = 0;
  /** Kernel: `wb->dirty_exceeded`. */
  dirtyExceeded = false;
  /** Kernel: `global_wb_domain.dirty_limit` (follows thresh up at once, down by 1/32 per 200 ms) and its time stamp. */
  domDirtyLimit = 0;
  domDirtyLimitTstamp = 0;
}

/** What the disk's wb counts. Kernel: `wb_stat(wb, WB_RECLAIMABLE / WB_WRITEBACK / WB_DIRTIED / WB_WRITTEN)`. */
export interface WbCounts {
  /** Dirty pages of inodes on this wb. */
  readonly reclaimable: number;
  /** Pages under writeback. */
  readonly writeback: number;
  /** Pages ever dirtied / written (monotonic). */
  readonly dirtied: number;
  readonly written: number;
  /** The fprop fraction of writeout completions that are this wb's: [numerator, denominator]. */
  readonly completions: readonly [number, number];
}

/** A throttling domain's working values. Kernel: `struct dirty_throttle_control`. */
export interface DirtyThrottleControl {
  avail: number;
  /** file_dirty + writeback. */
  dirty: number;
  thresh: number;
  bgThresh: number;
  wbDirty: number;
  wbThresh: number;
  wbBgThresh: number;
  posRatio: number;
}

/** This wb's share of `thresh`. Kernel: `__wb_calc_thresh` (bdi_min_ratio 0, min 0, max 100). */
export function wbCalcThresh(thresh: number, completions: readonly [number, number]): number {
  const num = completions[0];
  let den = completions[1];
  if (den <= num) den = num ? num : 1;
  return Math.floor((thresh * num) / den);
}

/** Kernel: `wb_dirty_limits`: wb_thresh, wb_bg_thresh and wb_dirty (the exact sums when wb_thresh is small). */
export function wbDirtyLimits(dtc: DirtyThrottleControl, wb: WbCounts): void {
  dtc.wbThresh = wbCalcThresh(dtc.thresh, wb.completions);
  dtc.wbBgThresh = dtc.thresh ? Math.floor((dtc.wbThresh * dtc.bgThresh) / dtc.thresh) : 0;
  dtc.wbDirty = wb.reclaimable + wb.writeback;
}

/**
 * The position ratio (1/1024 units) from the global and the wb control lines. Kernel:
 * `wb_position_ratio` (no strictlimit).
 */
export function wbPositionRatio(dtc: DirtyThrottleControl, bw: WbBandwidth): void {
  const writeBw = bw.avgWriteBandwidth;
  const freerun = dirtyFreerunCeiling(dtc.thresh, dtc.bgThresh);
  const limit = hardDirtyLimit(bw.domDirtyLimit, dtc.thresh);
  let wbThresh = dtc.wbThresh;
  dtc.posRatio = 0;
  if (dtc.dirty >= limit) return;
  // global setpoint
  const setpoint = Math.floor((freerun + limit) / 2);
  let posRatio = posRatioPolynom(setpoint, dtc.dirty, limit);
  if (wbThresh > dtc.thresh) wbThresh = dtc.thresh;
  // An idle device's tiny wb_thresh gets a reasonable floor.
  wbThresh = Math.max(wbThresh, Math.floor((limit - dtc.dirty) / 8));
  // wb_setpoint = setpoint × wb_thresh / thresh, in 16.16 fixed point
  const x = Math.floor((wbThresh * 65536) / (dtc.thresh | 1));
  const wbSetpoint = Math.floor((setpoint * x) / 65536);
  const span = Math.floor(((dtc.thresh - wbThresh + 8 * writeBw) * x) / 65536);
  let xIntercept = wbSetpoint + span;
  if (dtc.wbDirty < xIntercept - Math.floor(span / 4)) {
    posRatio = Math.floor((posRatio * (xIntercept - dtc.wbDirty)) / ((xIntercept - wbSetpoint) | 1));
  } else posRatio = Math.floor(posRatio / 4);
  // wb reserve area, safeguard against dirty pool underrun and disk idle
  xIntercept = Math.floor(wbThresh / 2);
  if (dtc.wbDirty < xIntercept) {
    if (dtc.wbDirty > Math.floor(xIntercept / 8)) posRatio = Math.floor((posRatio * xIntercept) / dtc.wbDirty);
    else posRatio *= 8;
  }
  dtc.posRatio = posRatio;
}

/** Kernel: `wb_update_write_bandwidth`: a 3-second (roundup_pow_of_two(3 HZ) = 1024 jiffies) running average, smoothed again into avg. */
export function wbUpdateWriteBandwidth(bw: WbBandwidth, elapsed: number, written: number): void {
  const period = roundupPowOfTwo(3 * HZ);
  let avg = bw.avgWriteBandwidth;
  const old = bw.writeBandwidth;
  let b = (written - Math.min(written, bw.writtenStamp)) * HZ;
  if (elapsed > period) {
    b = Math.floor(b / elapsed);
    avg = b;
  } else {
    b += old * (period - elapsed);
    b = Math.floor(b / period); // >>= ilog2(period)
    if (avg > old && old >= b) avg -= (avg - old) >> 3;
    if (avg < old && old <= b) avg += (old - avg) >> 3;
  }
  avg = Math.max(avg, 1);
  bw.writeBandwidth = b;
  bw.avgWriteBandwidth = avg;
}

/** The domain's dirty_limit follows thresh up at once and down by 1/32 of the gap. Kernel: `update_dirty_limit` (+ domain_update_dirty_limit's 200 ms gate). */
export function domainUpdateDirtyLimit(bw: WbBandwidth, dtc: DirtyThrottleControl, now: number): void {
  if (now - (bw.domDirtyLimitTstamp + BANDWIDTH_INTERVAL) < 0) return;
  let thresh = dtc.thresh;
  let limit = bw.domDirtyLimit;
  if (limit < thresh) limit = thresh;
  else {
    thresh = Math.max(thresh, dtc.dirty);
    if (limit > thresh) limit -= (limit - thresh) >> 5;
  }
  bw.domDirtyLimit = limit;
  bw.domDirtyLimitTstamp = now;
}

/** Kernel: `wb_update_dirty_ratelimit` (no strictlimit). `dtc.posRatio` must be current. */
export function wbUpdateDirtyRatelimit(bw: WbBandwidth, dtc: DirtyThrottleControl, dirtied: number, elapsed: number): void {
  const dirty = dtc.dirty;
  const freerun = dirtyFreerunCeiling(dtc.thresh, dtc.bgThresh);
  const limit = hardDirtyLimit(bw.domDirtyLimit, dtc.thresh);
  const setpoint = Math.floor((freerun + limit) / 2);
  const writeBw = bw.avgWriteBandwidth;
  let dirtyRatelimit = bw.dirtyRatelimit;
  const dirtyRate = Math.floor(((dirtied - bw.dirtiedStamp) * HZ) / elapsed);
  let taskRatelimit = Math.floor((dirtyRatelimit * dtc.posRatio) / (1 << RATELIMIT_CALC_SHIFT));
  taskRatelimit++;
  let balanced = Math.floor((taskRatelimit * writeBw) / (dirtyRate | 1));
  if (balanced > writeBw) balanced = writeBw;
  let step = 0;
  if (dirty < setpoint) {
    const x = Math.min(bw.balancedDirtyRatelimit, balanced, taskRatelimit);
    if (dirtyRatelimit < x) step = x - dirtyRatelimit;
  } else {
    const x = Math.max(bw.balancedDirtyRatelimit, balanced, taskRatelimit);
    if (dirtyRatelimit > x) step = dirtyRatelimit - x;
  }
  // Decrease the track speed near the target.
  const shift = Math.floor(dirtyRatelimit / (2 * step + 1));
  if (shift < 64) step = Math.ceil(Math.floor(step / 2 ** shift) / 8);
  else step = 0;
  if (dirtyRatelimit < balanced) dirtyRatelimit += step;
  else dirtyRatelimit -= step;
  bw.dirtyRatelimit = Math.max(dirtyRatelimit, 1);
  bw.balancedDirtyRatelimit = balanced;
}

/** Kernel: `__wb_update_bandwidth` with the global domain: elapsed ≥ 1 jiffy; the ratelimit only from balance_dirty_pages. */
export function wbUpdateBandwidth(bw: WbBandwidth, dtc: DirtyThrottleControl | undefined, wb: WbCounts, now: number): void {
  const elapsed = Math.max(now - bw.bwTimeStamp, 1);
  if (dtc) {
    domainUpdateDirtyLimit(bw, dtc, now);
    wbUpdateDirtyRatelimit(bw, dtc, wb.dirtied, elapsed);
  }
  wbUpdateWriteBandwidth(bw, elapsed, wb.written);
  bw.dirtiedStamp = wb.dirtied;
  bw.writtenStamp = wb.written;
  bw.bwTimeStamp = now;
}

/** Pages to dirty before the next check when running free: 2^(ilog2(thresh − dirty) / 2). Kernel: `dirty_poll_interval`. */
export function dirtyPollInterval(dirty: number, thresh: number): number {
  if (thresh > dirty) return 2 ** (ilog2(thresh - dirty) >> 1);
  return 1;
}

/** The longest pause: wb_dirty / (1 + bw / 32) + 1 jiffies, at most MAX_PAUSE. Kernel: `wb_max_pause`. */
export function wbMaxPause(bw: WbBandwidth, wbDirty: number): number {
  const t = Math.floor(wbDirty / (1 + Math.floor(bw.avgWriteBandwidth / roundupPowOfTwo(1 + Math.floor(HZ / 8))))) + 1;
  return Math.min(t, MAX_PAUSE);
}

/** Kernel: `wb_min_pause`: the shortest pause worth sleeping and the next nr_dirtied_pause. */
export function wbMinPause(bw: WbBandwidth, maxPause: number, taskRatelimit: number, dirtyRatelimit: number): { minPause: number; nrDirtiedPause: number } {
  const hi = ilog2(bw.avgWriteBandwidth);
  const lo = ilog2(bw.dirtyRatelimit);
  let t = Math.max(1, Math.floor(HZ / 100)); // target for a 10 ms pause
  if (hi > lo) t += Math.floor(((hi - lo) * (10 * HZ)) / 1024);
  t = Math.min(t, 1 + Math.floor(maxPause / 2));
  const hzPow = roundupPowOfTwo(HZ);
  let pages = Math.floor((dirtyRatelimit * t) / hzPow);
  if (pages < DIRTY_POLL_THRESH) {
    t = maxPause;
    pages = Math.floor((dirtyRatelimit * t) / hzPow);
    if (pages > DIRTY_POLL_THRESH) {
      pages = DIRTY_POLL_THRESH;
      t = Math.floor((HZ * DIRTY_POLL_THRESH) / dirtyRatelimit);
    }
  }
  const pause = Math.floor((HZ * pages) / (taskRatelimit + 1));
  if (pause > maxPause) {
    t = maxPause;
    pages = Math.floor((taskRatelimit * t) / hzPow);
  }
  return { minPause: pages >= DIRTY_POLL_THRESH ? 1 + Math.floor(t / 2) : t, nrDirtiedPause: pages };
}

/** A task's dirty throttling state. Kernel: `nr_dirtied`, `nr_dirtied_pause`, `dirty_paused_when` of task_struct. */
export class TaskDirtyState {
  nrDirtied = 0;
  nrDirtiedPause = INIT_NR_DIRTIED_PAUSE;
  /** Jiffies; 0 = none. */
  dirtyPausedWhen = 0;
}

/** What one pass of balance_dirty_pages decided. */
export interface BalanceDecision {
  /** Kick the flusher (wb_start_background_writeback) if it is not already writing. */
  readonly startBackgroundWriteback: boolean;
  /** Jiffies to sleep (io_schedule_timeout); 0 when the task goes on at once. */
  readonly pause: number;
  /** Call again after the pause with fresh counters (task_ratelimit was 0: dirty pages at the limit). */
  readonly again: boolean;
  /** Below the freerun ceiling: no throttling at all. */
  readonly freerun: boolean;
  /** The control values, for tracepoints and tests. Kernel: the fields trace_balance_dirty_pages prints. */
  readonly dtc: DirtyThrottleControl;
  readonly taskRatelimit: number;
  readonly period: number;
}

/** The global state balance_dirty_pages reads. */
export interface DirtyState extends DirtyableCounts {
  /** Kernel: NR_FILE_DIRTY (node stat). */
  readonly nrFileDirty: number;
  /** Kernel: NR_WRITEBACK. */
  readonly nrWriteback: number;
}

/**
 * One pass of balance_dirty_pages for `pagesDirtied` pages at jiffies `now`.
 * Kernel: `balance_dirty_pages` (global domain, no strictlimit): below the freerun ceiling
 * (thresh + bg_thresh) / 2 the task runs free and checks again after dirty_poll_interval pages;
 * above it the pause is period − think time, period = HZ × pages_dirtied / task_ratelimit,
 * task_ratelimit = dirty_ratelimit × pos_ratio; a pause shorter than min_pause is not slept
 * (the debt is carried in dirty_paused_when); one longer than max_pause is cut to it.
 * Updates `task`, `bw` (dirty_exceeded, the 200 ms bandwidth estimate) as the kernel does.
 * @param writebackInProgress the flusher is already running for this wb (WB_writeback_running)
 */
export function balanceDirtyPages(
  g: DirtyState, wb: WbCounts, bw: WbBandwidth, task: TaskDirtyState, s: DirtySysctls, pagesDirtied: number, now: number,
  writebackInProgress: boolean, nrCpuIds: number,
): BalanceDecision {
  const nrReclaimable = g.nrFileDirty;
  const avail = globalDirtyableMemory(g);
  const lim = domainDirtyLimits(avail, s);
  const dtc: DirtyThrottleControl = {
    avail, dirty: nrReclaimable + g.nrWriteback, thresh: lim.thresh, bgThresh: lim.bgThresh, wbDirty: 0, wbThresh: 0, wbBgThresh: 0, posRatio: 0,
  };
  let startBg = nrReclaimable > dtc.bgThresh && !writebackInProgress;
  if (dtc.dirty <= dirtyFreerunCeiling(dtc.thresh, dtc.bgThresh)) {
    task.dirtyPausedWhen = now;
    task.nrDirtied = 0;
    task.nrDirtiedPause = dirtyPollInterval(dtc.dirty, dtc.thresh);
    return { startBackgroundWriteback: startBg, pause: 0, again: false, freerun: true, dtc, taskRatelimit: 0, period: 0 };
  }
  // Start writeback even when in laptop mode.
  if (!writebackInProgress) startBg = true;
  wbDirtyLimits(dtc, wb);
  const dirtyExceeded = dtc.wbDirty > dtc.wbThresh && dtc.dirty > dtc.thresh;
  wbPositionRatio(dtc, bw);
  if (dirtyExceeded !== bw.dirtyExceeded) bw.dirtyExceeded = dirtyExceeded;
  if (now - (bw.bwTimeStamp + BANDWIDTH_INTERVAL) > 0) wbUpdateBandwidth(bw, dtc, wb, now);
  const dirtyRatelimit = bw.dirtyRatelimit;
  const taskRatelimit = Math.floor((dirtyRatelimit * dtc.posRatio) / (1 << RATELIMIT_CALC_SHIFT));
  const maxPause = wbMaxPause(bw, dtc.wbDirty);
  const { minPause, nrDirtiedPause } = wbMinPause(bw, maxPause, taskRatelimit, dirtyRatelimit);
  let period: number;
  let pause: number;
  if (taskRatelimit === 0) {
    period = maxPause;
    pause = maxPause;
  } else {
    period = Math.floor((HZ * pagesDirtied) / taskRatelimit);
    pause = period;
    if (task.dirtyPausedWhen) pause -= now - task.dirtyPausedWhen;
    if (pause < minPause) {
      // Think time compensates the pause: no sleep.
      if (pause < -HZ) {
        task.dirtyPausedWhen = now;
        task.nrDirtied = 0;
      } else if (period) {
        task.dirtyPausedWhen += period;
        task.nrDirtied = 0;
      } else if (task.nrDirtiedPause <= pagesDirtied) task.nrDirtiedPause += pagesDirtied;
      return { startBackgroundWriteback: startBg, pause: 0, again: false, freerun: false, dtc, taskRatelimit, period };
    }
    if (pause > maxPause) {
      // for occasional dropped task_ratelimit
      now += Math.min(pause - maxPause, maxPause);
      pause = maxPause;
    }
  }
  task.dirtyPausedWhen = now + pause;
  task.nrDirtied = 0;
  task.nrDirtiedPause = nrDirtiedPause;
  const again = taskRatelimit === 0 && dtc.wbDirty > wbStatError(nrCpuIds);
  return { startBackgroundWriteback: startBg, pause, again, freerun: false, dtc, taskRatelimit, period };
}

/** Per-CPU page counts since the last check. Kernel: `bdp_ratelimits` (DEFINE_PER_CPU). */
export class BdpRatelimits {
  readonly count: Int32Array;
  constructor(nrCpus: number) {
    this.count = new Int32Array(nrCpus);
  }
}

/**
 * Whether a task that has just dirtied pages must go through balance_dirty_pages now.
 * Kernel: `balance_dirty_pages_ratelimited_flags`: the task's own count against nr_dirtied_pause
 * (8 while the wb's dirty limit is exceeded), and the CPU's count against ratelimit_pages (the
 * dirty_throttle_leaks of exited tasks are not modelled). The caller adds each newly dirtied page
 * to task.nrDirtied and to the CPU's count (folio_account_dirtied), then calls this.
 */
export function balanceDirtyPagesNeeded(task: TaskDirtyState, bdp: BdpRatelimits, cpu: number, bw: WbBandwidth, ratelimitPagesNow: number): boolean {
  let ratelimit = task.nrDirtiedPause;
  if (bw.dirtyExceeded) ratelimit = Math.min(ratelimit, DIRTY_EXCEEDED_RATELIMIT);
  if (task.nrDirtied >= ratelimit) bdp.count[cpu] = 0;
  else if (bdp.count[cpu]! >= ratelimitPagesNow) {
    bdp.count[cpu] = 0;
    ratelimit = 0;
  }
  return task.nrDirtied >= ratelimit;
}

/**
 * Whether background writeback should go on. Kernel: `wb_over_bg_thresh`: the global dirty
 * (not writeback) pages above bg_thresh, or this wb's dirty pages above its share of it.
 */
export function wbOverBgThresh(g: DirtyState, wb: WbCounts, s: DirtySysctls): boolean {
  const lim = globalDirtyLimits(g, s);
  if (g.nrFileDirty > lim.bgThresh) return true;
  const thresh = wbCalcThresh(lim.bgThresh, wb.completions);
  return wb.reclaimable > thresh;
}
