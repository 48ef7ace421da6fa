// Kernel: kernel/sched/psi.c, include/linux/psi_types.h, include/linux/sched/loadavg.h (calc_load), kernel/sched/loadavg.c (calc_load_n, fixed_power_int) (v6.1.166) — pressure stall information: the system group's per-CPU states, totals, averages and triggers
/*
 * PSI as 6.1 computes it for the system group (psi_system; no cgroups):
 *  - per CPU, the task counts NR_IOWAIT, NR_MEMSTALL, NR_RUNNING, NR_MEMSTALL_RUNNING and the
 *    on-CPU flag; psi_group_change() records the time spent in each state since the last change
 *    (record_times) and recomputes the state mask (test_state, and FULL memory pressure while
 *    the task on the CPU is in a memstall);
 *  - collect_percpu_times(): each CPU's new state time, weighted by its non-idle time in jiffies,
 *    summed into `total` (ns); update_averages() every PSI_FREQ (2 s + 1 jiffy) feeds the
 *    percentage of the period into avg10/avg60/avg300 with calc_load's fixed point (FSHIFT 11,
 *    EXP_10s 1677, EXP_60s 1981, EXP_300s 2034), missed periods decayed with calc_load_n;
 *  - psi_show(): `some avg10=%lu.%02lu avg60=… avg300=… total=%llu` (µs), `full …` (zeros for the
 *    system's CPU full);
 *  - triggers (psi_trigger_create: `some|full <threshold µs> <window µs>`, window 500 ms…10 s,
 *    threshold ≤ window): window_update's interpolated growth, one event per window at most.
 *    Written by a privileged task (mmsim's tasks are root), so they are rtpoll triggers: checked
 *    at the rtpoll period (window / UPDATES_PER_WINDOW) while their state is active.
 * Not modelled: IRQ pressure (CONFIG_IRQ_TIME_ACCOUNTING), cgroup groups, the rtpoll thread's
 * own scheduling (its checks run when the machine asks: at each state change and file read).
 * Numbers are unsigned 64-bit in the kernel; here doubles, exact below 2^53 ns (104 days).
 */

import { token } from "./di/token.ts";

/** `enum psi_task_count`. */
export const NR_IOWAIT = 0;
export const NR_MEMSTALL = 1;
export const NR_RUNNING = 2;
export const NR_MEMSTALL_RUNNING = 3;
export const NR_PSI_TASK_COUNTS = 4;
/** Task state bits (TSK_*). */
export const TSK_IOWAIT = 1 << NR_IOWAIT;
export const TSK_MEMSTALL = 1 << NR_MEMSTALL;
export const TSK_RUNNING = 1 << NR_RUNNING;
export const TSK_MEMSTALL_RUNNING = 1 << NR_MEMSTALL_RUNNING;
/** `enum psi_res`. */
export const PSI_IO = 0;
export const PSI_MEM = 1;
export const PSI_CPU = 2;
/** `enum psi_states` (without CONFIG_IRQ_TIME_ACCOUNTING's PSI_IRQ_FULL). */
export const PSI_IO_SOME = 0;
export const PSI_IO_FULL = 1;
export const PSI_MEM_SOME = 2;
export const PSI_MEM_FULL = 3;
export const PSI_CPU_SOME = 4;
export const PSI_CPU_FULL = 5;
export const PSI_NONIDLE = 6;
export const NR_PSI_STATES = 7;
/** One bit of the state mask tracks TSK_ONCPU. */
const PSI_ONCPU = 1 << NR_PSI_STATES;
/** `enum psi_aggregators`. */
export const PSI_AVGS = 0;
export const PSI_POLL = 1;

/** loadavg.h's fixed point. */
export const FSHIFT = 11;
export const FIXED_1 = 1 << FSHIFT;
export const EXP_10s = 1677;
export const EXP_60s = 1981;
export const EXP_300s = 2034;
/** HZ of the reference config, and PSI_FREQ = 2*HZ+1 jiffies in ns (psi_period). */
const HZ = 250;
const NSEC_PER_JIFFY = 1_000_000_000 / HZ;
export const PSI_PERIOD_NS = (2 * HZ + 1) * NSEC_PER_JIFFY;
const NSEC_PER_USEC = 1000;
export const WINDOW_MIN_US = 500_000;
export const WINDOW_MAX_US = 10_000_000;
const UPDATES_PER_WINDOW = 10;
const EINVAL = 22;

/** Kernel: `calc_load()`: load·exp + active·(1 − exp), rounded up when rising. */
export function calcLoad(load: number, exp: number, active: number): number {
  let newload = load * exp + active * (FIXED_1 - exp);
  if (active >= load) newload += FIXED_1 - 1;
  return Math.floor(newload / FIXED_1);
}

/** Kernel: `fixed_power_int()`: x^n in fixed point with `fracBits` fraction bits. */
export function fixedPowerInt(x: number, fracBits: number, n: number): number {
  let result = 2 ** fracBits;
  const half = 2 ** (fracBits - 1);
  const one = 2 ** fracBits;
  while (n !== 0) {
    if ((n & 1) !== 0) result = Math.floor((result * x + half) / one);
    n = Math.floor(n / 2);
    if (n === 0) break;
    x = Math.floor((x * x + half) / one);
  }
  return result;
}

/** Kernel: `calc_load_n()`: n periods of calc_load at once. */
export function calcLoadN(load: number, exp: number, active: number, n: number): number {
  return calcLoad(load, fixedPowerInt(exp, FSHIFT, n), active);
}

/** `LOAD_INT(x).LOAD_FRAC(x)` as psi_show prints an average (%lu.%02lu). */
export function formatLoad(x: number): string {
  const int = Math.floor(x / FIXED_1);
  const frac = Math.floor(((x % FIXED_1) * 100) / FIXED_1);
  return `${int}.${String(frac).padStart(2, "0")}`;
}

/** Kernel: `test_state()`. */
function testState(tasks: Int32Array, base: number, s: number, oncpu: boolean): boolean {
  const iowait = tasks[base + NR_IOWAIT]!;
  const memstall = tasks[base + NR_MEMSTALL]!;
  const running = tasks[base + NR_RUNNING]!;
  switch (s) {
    case PSI_IO_SOME:
      return iowait !== 0;
    case PSI_IO_FULL:
      return iowait !== 0 && running === 0;
    case PSI_MEM_SOME:
      return memstall !== 0;
    case PSI_MEM_FULL:
      return memstall !== 0 && running === tasks[base + NR_MEMSTALL_RUNNING]!;
    case PSI_CPU_SOME:
      return running > (oncpu ? 1 : 0);
    case PSI_CPU_FULL:
      return running !== 0 && !oncpu;
    case PSI_NONIDLE:
      return iowait !== 0 || memstall !== 0 || running !== 0;
    default:
      return false;
  }
}

/** A trigger written to /proc/pressure/<res>. Kernel: `struct psi_trigger` with its `psi_window`. */
export class PsiTrigger {
  /** Set when an event fired and not yet consumed (poll() would return POLLPRI). */
  event = false;
  /** Events fired so far. */
  events = 0;
  lastEventTime = 0;
  pendingEvent = false;
  winStartTime = 0;
  winStartValue = 0;
  winPrevGrowth = 0;
  constructor(
    readonly state: number,
    /** ns */
    readonly threshold: number,
    /** ns */
    readonly winSize: number,
    /** What the trigger was written as. */
    readonly text: string,
  ) {}
}

/** The system group's pressure. Kernel: `struct psi_group` (psi_system). */
export class PsiGroup {
  private readonly tasks: Int32Array;
  private readonly stateMask: Int32Array;
  private readonly stateStart: Float64Array;
  private readonly inMemstall: Uint8Array;
  private readonly times: Float64Array;
  /** times_prev[aggregator][cpu][state]. */
  private readonly timesPrev: Float64Array;
  /** total[aggregator][state] (ns), states below PSI_NONIDLE. */
  readonly total = [new Float64Array(NR_PSI_STATES - 1), new Float64Array(NR_PSI_STATES - 1)];
  private readonly avgTotal = new Float64Array(NR_PSI_STATES - 1);
  /** avg[state][0..2]: avg10, avg60, avg300 in FIXED_1 units. */
  readonly avg: Float64Array[] = Array.from({ length: NR_PSI_STATES - 1 }, () => new Float64Array(3));
  avgNextUpdate: number;
  private avgLastUpdate: number;
  readonly triggers: PsiTrigger[] = [];
  private readonly rtpollTotal = new Float64Array(NR_PSI_STATES - 1);
  private rtpollNextUpdate = Number.POSITIVE_INFINITY;
  /** When the psimon worker runs next (rtpoll_scheduled with its timer); +∞ while not scheduled. */
  private rtpollScheduledAt = Number.POSITIVE_INFINITY;
  private rtpollUntil = 0;
  private rtpollMinPeriod = Number.POSITIVE_INFINITY;
  private rtpollStates = 0;

  /**
   * @param nrCpus possible CPUs
   * @param cpuClock cpu_clock(cpu): the CPU's own time in ns
   * @param start the time of group_init (psi_init at boot)
   */
  constructor(
    readonly nrCpus: number,
    private readonly cpuClock: (cpu: number) => number,
    start = 0,
  ) {
    this.tasks = new Int32Array(nrCpus * NR_PSI_TASK_COUNTS);
    this.stateMask = new Int32Array(nrCpus);
    this.stateStart = new Float64Array(nrCpus).fill(start);
    this.inMemstall = new Uint8Array(nrCpus);
    this.times = new Float64Array(nrCpus * NR_PSI_STATES);
    this.timesPrev = new Float64Array(2 * nrCpus * NR_PSI_STATES);
    // group_init: avg_last_update = sched_clock(); avg_next_update = avg_last_update + psi_period
    this.avgLastUpdate = start;
    this.avgNextUpdate = start + PSI_PERIOD_NS;
  }

  /** A CPU's task count. */
  taskCount(cpu: number, t: number): number {
    return this.tasks[cpu * NR_PSI_TASK_COUNTS + t]!;
  }

  /** Kernel: `record_times()`. */
  private recordTimes(cpu: number, now: number): void {
    const start = this.stateStart[cpu]!;
    const delta = now > start ? now - start : 0;
    this.stateStart[cpu] = Math.max(now, start);
    const m = this.stateMask[cpu]!;
    const t = cpu * NR_PSI_STATES;
    const times = this.times;
    if ((m & (1 << PSI_IO_SOME)) !== 0) {
      times[t + PSI_IO_SOME]! += delta;
      if ((m & (1 << PSI_IO_FULL)) !== 0) times[t + PSI_IO_FULL]! += delta;
    }
    if ((m & (1 << PSI_MEM_SOME)) !== 0) {
      times[t + PSI_MEM_SOME]! += delta;
      if ((m & (1 << PSI_MEM_FULL)) !== 0) times[t + PSI_MEM_FULL]! += delta;
    }
    if ((m & (1 << PSI_CPU_SOME)) !== 0) {
      times[t + PSI_CPU_SOME]! += delta;
      if ((m & (1 << PSI_CPU_FULL)) !== 0) times[t + PSI_CPU_FULL]! += delta;
    }
    if ((m & (1 << PSI_NONIDLE)) !== 0) times[t + PSI_NONIDLE]! += delta;
  }

  /**
   * Kernel: `psi_group_change()`: task counts of `cpu` change by `clear`/`set` (TSK_* bits); the
   * on-CPU flag becomes `oncpu`. The time since the last change goes to the old states.
   */
  groupChange(cpu: number, clear: number, set: number, oncpu: boolean, now = this.cpuClock(cpu)): void {
    this.pollTriggers(now);
    const base = cpu * NR_PSI_TASK_COUNTS;
    const tasks = this.tasks;
    for (let t = 0; t < NR_PSI_TASK_COUNTS; t++) if ((clear & (1 << t)) !== 0 && tasks[base + t]! > 0) tasks[base + t]!--;
    for (let t = 0; t < NR_PSI_TASK_COUNTS; t++) if ((set & (1 << t)) !== 0) tasks[base + t]!++;
    let mask = oncpu ? PSI_ONCPU : 0;
    for (let s = 0; s < NR_PSI_STATES; s++) if (testState(tasks, base, s, oncpu)) mask |= 1 << s;
    // a memstall is FULL while the task on the CPU is in it
    if (oncpu && this.inMemstall[cpu] !== 0) mask |= 1 << PSI_MEM_FULL;
    this.recordTimes(cpu, now);
    this.stateMask[cpu] = mask;
    // psi_schedule_rtpoll_work(group, 1, false): the worker runs a jiffy later, unless already scheduled
    if ((mask & this.rtpollStates) !== 0 && this.rtpollScheduledAt === Number.POSITIVE_INFINITY) this.rtpollScheduledAt = now + NSEC_PER_JIFFY;
  }

  /** The scheduler's runnable count of a CPU changed (enqueue/dequeue: TSK_RUNNING), its current task on the CPU while one is runnable. */
  setNrRunning(cpu: number, nr: number, now?: number): void {
    this.tasks[cpu * NR_PSI_TASK_COUNTS + NR_RUNNING] = nr;
    this.groupChange(cpu, 0, 0, nr > 0, now);
  }

  /** Kernel: `psi_memstall_enter()` for the task running on `cpu`. @returns the flags for psi_memstall_leave (1: it was already in one) */
  memstallEnter(cpu: number, now?: number): number {
    if (this.inMemstall[cpu] !== 0) return 1;
    this.inMemstall[cpu] = 1;
    this.groupChange(cpu, 0, TSK_MEMSTALL | TSK_MEMSTALL_RUNNING, this.taskCount(cpu, NR_RUNNING) > 0, now);
    return 0;
  }

  /** Kernel: `psi_memstall_leave()`. */
  memstallLeave(cpu: number, flags: number, now?: number): void {
    if (flags !== 0 || this.inMemstall[cpu] === 0) return;
    this.inMemstall[cpu] = 0;
    this.groupChange(cpu, TSK_MEMSTALL | TSK_MEMSTALL_RUNNING, 0, this.taskCount(cpu, NR_RUNNING) > 0, now);
  }

  /** Kernel: `get_recent_times()` + `collect_percpu_times()`: the new per-CPU state time, weighted by non-idle jiffies, into total[aggregator]. */
  collectPercpuTimes(aggregator: number, at?: number): number {
    let changed = 0;
    const deltas = new Float64Array(NR_PSI_STATES - 1);
    let nonidleTotal = 0;
    const recent = new Float64Array(NR_PSI_STATES);
    for (let cpu = 0; cpu < this.nrCpus; cpu++) {
      const now = Math.max(at === undefined ? this.cpuClock(cpu) : Math.min(at, this.cpuClock(cpu)), this.stateStart[cpu]!);
      const m = this.stateMask[cpu]!;
      const prev = (aggregator * this.nrCpus + cpu) * NR_PSI_STATES;
      for (let s = 0; s < NR_PSI_STATES; s++) {
        let t = this.times[cpu * NR_PSI_STATES + s]!;
        if ((m & (1 << s)) !== 0) t += now - this.stateStart[cpu]!;
        // u32 delta against the previous snapshot
        recent[s] = t - this.timesPrev[prev + s]!;
        this.timesPrev[prev + s] = t;
        if (recent[s] !== 0) changed |= 1 << s;
      }
      const nonidle = Math.floor(recent[PSI_NONIDLE]! / NSEC_PER_JIFFY); // nsecs_to_jiffies
      nonidleTotal += nonidle;
      for (let s = 0; s < PSI_NONIDLE; s++) deltas[s]! += recent[s]! * nonidle;
    }
    const tot = this.total[aggregator]!;
    for (let s = 0; s < NR_PSI_STATES - 1; s++) tot[s]! += Math.floor(deltas[s]! / Math.max(nonidleTotal, 1));
    return changed;
  }

  /** Kernel: `update_averages()`. @returns the next update time */
  updateAverages(now: number): number {
    let missed = 0;
    const expires = this.avgNextUpdate;
    if (now - expires >= PSI_PERIOD_NS) missed = Math.floor((now - expires) / PSI_PERIOD_NS);
    const next = expires + (1 + missed) * PSI_PERIOD_NS;
    const period = now - (this.avgLastUpdate + missed * PSI_PERIOD_NS);
    this.avgLastUpdate = now;
    const tot = this.total[PSI_AVGS]!;
    for (let s = 0; s < NR_PSI_STATES - 1; s++) {
      let sample = tot[s]! - this.avgTotal[s]!;
      if (sample > period) sample = period;
      this.avgTotal[s]! += sample;
      calcAvgs(this.avg[s]!, missed, sample, period);
    }
    return next;
  }

  /** Kernel: `psi_avgs_work()` (the delayed work every PSI_FREQ): collect, then the averages when due. */
  avgsWork(now: number): void {
    this.collectPercpuTimes(PSI_AVGS);
    if (now >= this.avgNextUpdate) this.avgNextUpdate = this.updateAverages(now);
  }

  /** Kernel: `psi_show()` for one resource: the `some` line and the `full` line. */
  show(res: number, now: number): string {
    this.avgsWork(now);
    this.pollTriggers(now);
    let out = "";
    for (let full = 0; full < 2; full++) {
      let avg: ArrayLike<number> = [0, 0, 0];
      let total = 0;
      // CPU FULL is undefined at the system level
      if (!(res === PSI_CPU && full === 1)) {
        avg = this.avg[res * 2 + full]!;
        total = Math.floor(this.total[PSI_AVGS]![res * 2 + full]! / NSEC_PER_USEC);
      }
      out += `${full === 1 ? "full" : "some"} avg10=${formatLoad(avg[0]!)} avg60=${formatLoad(avg[1]!)} avg300=${formatLoad(avg[2]!)} total=${total}\n`;
    }
    return out;
  }

  /**
   * Kernel: `psi_trigger_create()` for a privileged writer (an rtpoll trigger).
   * @returns the trigger, or -EINVAL for text the kernel refuses
   */
  createTrigger(res: number, text: string, now: number): PsiTrigger | number {
    const m = /^(some|full) (\d+) (\d+)/.exec(text.trim());
    if (m === null) return -EINVAL;
    const state = (m[1] === "some" ? PSI_IO_SOME : PSI_IO_FULL) + res * 2;
    const thresholdUs = Number(m[2]);
    const windowUs = Number(m[3]);
    if (state >= PSI_NONIDLE) return -EINVAL;
    if (thresholdUs > 0xffffffff || windowUs > 0xffffffff) return -EINVAL; // %u
    if (windowUs < WINDOW_MIN_US || windowUs > WINDOW_MAX_US) return -EINVAL;
    if (thresholdUs === 0 || thresholdUs > windowUs) return -EINVAL;
    if (res === PSI_CPU && state === PSI_CPU_FULL) return -EINVAL; // no CPU full at the system level (psi_write: -EOPNOTSUPP … kept as EINVAL)
    const t = new PsiTrigger(state, thresholdUs * NSEC_PER_USEC, windowUs * NSEC_PER_USEC, text.trim());
    t.winStartTime = now;
    t.winStartValue = this.total[PSI_POLL]![state]!;
    this.triggers.push(t);
    this.rtpollStates |= 1 << state;
    this.rtpollMinPeriod = Math.min(this.rtpollMinPeriod, Math.floor(t.winSize / UPDATES_PER_WINDOW));
    return t;
  }

  /** Kernel: `init_rtpoll_triggers()`: the windows restart when polling starts. */
  private initRtpollTriggers(now: number): void {
    const tot = this.total[PSI_POLL]!;
    for (const t of this.triggers) {
      t.winStartTime = now;
      t.winStartValue = tot[t.state]!;
      t.winPrevGrowth = 0;
    }
    this.rtpollTotal.set(tot);
    this.rtpollNextUpdate = now + this.rtpollMinPeriod;
  }

  /**
   * Runs the psimon worker (`psi_rtpoll_work()`) at each time it was scheduled for, up to `now`:
   * collect_percpu_times(PSI_POLL), start or extend polling while a polled state changes, and
   * update_triggers() when the rtpoll period is due. The machine calls this before every state
   * change and file read, so each run sees the states as they were at its time.
   * @returns the triggers that fired
   */
  pollTriggers(now: number): PsiTrigger[] {
    const fired: PsiTrigger[] = [];
    while (this.rtpollScheduledAt <= now) {
      const at = this.rtpollScheduledAt;
      this.rtpollScheduledAt = Number.POSITIVE_INFINITY;
      const force = !(at > this.rtpollUntil);
      const changed = this.collectPercpuTimes(PSI_POLL, at);
      if ((changed & this.rtpollStates) !== 0) {
        if (at > this.rtpollUntil) this.initRtpollTriggers(at);
        this.rtpollUntil = at + this.rtpollMinPeriod * UPDATES_PER_WINDOW;
      }
      if (at > this.rtpollUntil) {
        this.rtpollNextUpdate = Number.POSITIVE_INFINITY;
        continue;
      }
      if (at >= this.rtpollNextUpdate) this.rtpollNextUpdate = this.updateTriggers(at, fired);
      // psi_schedule_rtpoll_work(nsecs_to_jiffies(next − now) + 1, force): the timer's jiffy
      void force;
      this.rtpollScheduledAt = at + (Math.floor((this.rtpollNextUpdate - at) / NSEC_PER_JIFFY) + 1) * NSEC_PER_JIFFY;
    }
    return fired;
  }

  /** Kernel: `update_triggers(PSI_POLL)`. @returns the next rtpoll update time */
  private updateTriggers(now: number, fired: PsiTrigger[]): number {
    const tot = this.total[PSI_POLL]!;
    let updateTotal = false;
    for (const t of this.triggers) {
      const newStall = this.rtpollTotal[t.state] !== tot[t.state];
      if (!newStall && !t.pendingEvent) continue;
      if (newStall) {
        updateTotal = true;
        const growth = windowUpdate(t, now, tot[t.state]!);
        if (!t.pendingEvent) {
          if (growth < t.threshold) continue;
          t.pendingEvent = true;
        }
      }
      // Limit event signaling to once per window
      if (now < t.lastEventTime + t.winSize) continue;
      if (!t.event) {
        t.event = true;
        t.events++;
        fired.push(t);
      }
      t.lastEventTime = now;
      t.pendingEvent = false;
    }
    if (updateTotal) this.rtpollTotal.set(tot);
    return now + this.rtpollMinPeriod;
  }
}

/** Kernel: `calc_avgs()`. */
function calcAvgs(avg: Float64Array, missed: number, time: number, period: number): void {
  if (missed !== 0) {
    avg[0] = calcLoadN(avg[0]!, EXP_10s, 0, missed);
    avg[1] = calcLoadN(avg[1]!, EXP_60s, 0, missed);
    avg[2] = calcLoadN(avg[2]!, EXP_300s, 0, missed);
  }
  const pct = Math.floor((time * 100) / period) * FIXED_1;
  avg[0] = calcLoad(avg[0]!, EXP_10s, pct);
  avg[1] = calcLoad(avg[1]!, EXP_60s, pct);
  avg[2] = calcLoad(avg[2]!, EXP_300s, pct);
}

/** Kernel: `window_update()`: growth over the trigger's window, the previous window's growth interpolated. */
function windowUpdate(t: PsiTrigger, now: number, value: number): number {
  const elapsed = now - t.winStartTime;
  let growth = value - t.winStartValue;
  if (elapsed > t.winSize) {
    t.winStartTime = now;
    t.winStartValue = value;
    t.winPrevGrowth = growth;
  } else {
    const remaining = t.winSize - elapsed;
    growth += Math.floor((t.winPrevGrowth * remaining) / t.winSize);
  }
  return growth;
}

/**
 * The stall call sites' entry (psi_memstall_enter/leave around direct reclaim, direct compaction,
 * the swap-in or wait of a workingset page): for the task running now, on its CPU and clock.
 * Implemented by the machine (which knows the running task's CPU); a mechanism before the
 * machine calls it through this token.
 */
export interface PsiHooks {
  /** @returns the flags psi_memstall_leave takes */
  memstallEnter(): number;
  memstallLeave(flags: number): void;
}
export const PsiHooks = token<PsiHooks>("PsiHooks");

/** The machine's system PSI group (psi_system). */
export const PSI_SYSTEM = token<PsiGroup>("PsiGroup");
