// Kernel: kernel/sched/fair.c (place_entity, sched_slice, check_preempt_tick, check_preempt_wakeup, pick_next_entity, update_min_vruntime, task_fork_fair), kernel/sched/core.c (wake_up_new_task, select_task_rq) (v6.1) — the tasks' CPUs in simulated time
/*
 * How the machine interleaves its tasks: CFS as 6.1 runs SCHED_NORMAL tasks of nice 0, over
 * per-CPU simulated clocks.
 *
 * Time. Each CPU has its own local clock (local_clock() is per-CPU in the kernel too). A task's
 * step runs on one CPU from that CPU's time, and every cost the step charges moves that CPU's
 * clock; the machine's SimClock is switched to the CPU's time before the step (`switchTo`) and
 * read back after it. The scheduler always runs next the CPU whose clock is earliest, and
 * processes a wake-up (a sleep ending, a child's exit) before any step that starts after it, so
 * events happen in the order of their simulated times and two runs of a scenario interleave
 * identically (ties: the lower CPU, then the lower pid). An idle CPU's clock jumps to the time
 * work arrives.
 *
 * Steps are the unit of execution: a step runs to its end once started (a kernel path does not
 * yield either, short of a sleep). CFS's decisions are taken between steps: the scheduler tick
 * (check_preempt_tick: the slice used up, or curr ahead of the leftmost task by more than its
 * slice), wake-up preemption (check_preempt_wakeup with the wake-up granularity), and
 * pick_next_entity (the leftmost vruntime). With one weight for every task (nice 0: 1024) a
 * task's vruntime advances by its run time.
 *
 * Tunables of 6.1 with SCHED_TUNABLESCALING_LOG: factor = 1 + ilog2(min(nr_cpus, 8));
 * sched_latency 6 ms × factor, min_granularity 0.75 ms × factor, wakeup_granularity 1 ms ×
 * factor, sched_nr_latency 8; START_DEBIT and GENTLE_FAIR_SLEEPERS on; child_runs_first off.
 *
 * Not modelled: load balancing after placement (a task stays on the CPU select_task_rq gave
 * it: the idlest by number of runnable tasks, ties to the lower CPU — wake_up_new_task's choice
 * on an idle machine), nice values and cgroups' group scheduling, RT classes.
 */
import { MmBugError, fls32 } from "@mmsim/core";

/** Nice-0 load weight. Kernel: `NICE_0_LOAD` (scale_load_down). */
export const NICE_0_LOAD = 1024;
/** Kernel: `sched_nr_latency`. */
export const SCHED_NR_LATENCY = 8;
const NS_PER_MS = 1_000_000;

/** What a task is doing, as the scheduler sees it. */
export const SE_RUNNABLE = 0;
export const SE_SLEEPING = 1;
export const SE_BLOCKED = 2;
export const SE_DEAD = 3;

/** One task's scheduling state. Kernel: `struct sched_entity` (+ the task's state). */
export class SchedEntity {
  vruntime = 0;
  /** Total run time (ns). Kernel: `se.sum_exec_runtime`. */
  sumExecRuntime = 0;
  /** sum_exec_runtime when it was last picked. Kernel: `se.prev_sum_exec_runtime`. */
  prevSumExecRuntime = 0;
  /** SE_RUNNABLE, SE_SLEEPING (until wakeAt), SE_BLOCKED (until woken), SE_DEAD. */
  state = SE_RUNNABLE;
  /** For SE_SLEEPING: the simulated time it wakes. */
  wakeAt = 0;
  /** Context switches: voluntary (slept or blocked) and involuntary (preempted). */
  nvcsw = 0;
  nivcsw = 0;

  constructor(
    /** The task's pid (ties are broken by it). */
    readonly pid: number,
    /** The CPU it runs on (task_cpu). */
    public cpu: number,
  ) {}
}

/** A CPU's runqueue. Kernel: `struct rq` + its `cfs_rq`. */
class Rq {
  /** Runnable entities not running, in no order (few per CPU: the leftmost is found by a scan). */
  readonly queue: SchedEntity[] = [];
  curr: SchedEntity | null = null;
  minVruntime = 0;
  /** The CPU's local clock (ns). */
  clock = 0;
  /** Set when the running entity must give the CPU up before its next step. Kernel: TIF_NEED_RESCHED. */
  needResched = false;

  nrRunning(): number {
    return this.queue.length + (this.curr !== null ? 1 : 0);
  }
}

/** The machine's CPUs and tasks. */
export class Scheduler {
  /**
   * Called after a CPU's runnable count changed (enqueue, dequeue: PSI's TSK_RUNNING), with the
   * CPU's clock. Kernel: psi_enqueue / psi_dequeue.
   */
  onNrRunning: ((cpu: number, at: number) => void) | null = null;
  /** sysctl_sched_latency, sysctl_sched_min_granularity, sysctl_sched_wakeup_granularity (ns). */
  readonly latencyNs: number;
  readonly minGranularityNs: number;
  readonly wakeupGranularityNs: number;
  private readonly rqs: Rq[];
  private readonly sleepers: SchedEntity[] = [];
  private readonly all: SchedEntity[] = [];

  constructor(readonly nrCpus: number) {
    if (!(nrCpus >= 1)) throw new MmBugError("machine.Scheduler", `nr_cpus ${nrCpus}`);
    // update_sysctl → get_update_sysctl_factor (SCHED_TUNABLESCALING_LOG)
    const factor = 1 + fls32(Math.min(nrCpus, 8));
    this.latencyNs = 6 * NS_PER_MS * factor;
    this.minGranularityNs = 0.75 * NS_PER_MS * factor;
    this.wakeupGranularityNs = 1 * NS_PER_MS * factor;
    this.rqs = Array.from({ length: nrCpus }, () => new Rq());
  }

  /** Every entity ever added (dead ones included), in pid order of creation. */
  entities(): readonly SchedEntity[] {
    return this.all;
  }

  /** A CPU's local clock. */
  cpuClock(cpu: number): number {
    return this.rqs[cpu]!.clock;
  }

  /** Moves a CPU's clock forward to `now` (work done on it between two steps: a kernel thread). */
  advanceCpuClock(cpu: number, now: number): void {
    const rq = this.rqs[cpu]!;
    if (now > rq.clock) rq.clock = now;
  }

  /** Runnable tasks on a CPU (the running one included). Kernel: `rq->nr_running`. */
  nrRunning(cpu: number): number {
    return this.rqs[cpu]!.nrRunning();
  }

  /** Kernel: `__sched_period()`. */
  schedPeriod(nrRunning: number): number {
    return nrRunning > SCHED_NR_LATENCY ? nrRunning * this.minGranularityNs : this.latencyNs;
  }

  /**
   * The wall-time slice of an entity on a runqueue with nrRunning entities (it included), all of
   * nice 0, at least min_granularity (BASE_SLICE). Kernel: `sched_slice()`.
   */
  schedSlice(nrRunning: number): number {
    const n = Math.max(1, nrRunning);
    return Math.max(this.schedPeriod(n) / n, this.minGranularityNs);
  }

  /**
   * The first task (init): runnable on CPU 0 at time `now`.
   * @returns its entity
   */
  addInit(pid: number, now: number): SchedEntity {
    const se = new SchedEntity(pid, 0);
    const rq = this.rqs[0]!;
    rq.clock = Math.max(rq.clock, now);
    this.all.push(se);
    rq.queue.push(se);
    this.onNrRunning?.(0, rq.clock);
    return se;
  }

  /**
   * A new task forked by `parent` at the parent CPU's time: its vruntime from the parent's
   * (task_fork_fair: max(parent's, min_vruntime + vslice) with START_DEBIT), carried relative
   * to min_vruntime to the CPU select_task_rq picks, enqueued runnable there.
   * Kernel: `sched_fork()` → `task_fork_fair()`, `wake_up_new_task()`.
   */
  fork(pid: number, parent: SchedEntity): SchedEntity {
    const from = this.rqs[parent.cpu]!;
    this.updateMinVruntime(from);
    const vslice = this.schedSlice(from.nrRunning() + 1);
    const rel = Math.max(parent.vruntime, from.minVruntime + vslice) - from.minVruntime;
    const cpu = this.selectTaskRq(parent.cpu);
    const to = this.rqs[cpu]!;
    const se = new SchedEntity(pid, cpu);
    this.updateMinVruntime(to);
    se.vruntime = to.minVruntime + rel;
    to.clock = Math.max(to.clock, from.clock); // an idle CPU starts when the work arrives
    this.all.push(se);
    to.queue.push(se);
    this.checkPreemptWakeup(to, se);
    this.onNrRunning?.(cpu, to.clock);
    return se;
  }

  /**
   * Puts the running entity to sleep until `until` (a voluntary switch). Kernel: the
   * `schedule()` of a sleeping task, the hrtimer that wakes it.
   */
  sleep(se: SchedEntity, until: number): void {
    this.dequeueCurr(se, SE_SLEEPING);
    se.wakeAt = until;
    this.sleepers.push(se);
  }

  /** Blocks the running entity until wake() (a parent in wait()). */
  block(se: SchedEntity): void {
    this.dequeueCurr(se, SE_BLOCKED);
  }

  /** The running entity exits. Kernel: `do_task_dead()`. */
  exit(se: SchedEntity): void {
    this.dequeueCurr(se, SE_DEAD);
  }

  /**
   * Wakes a blocked entity at time `at` (the waker's clock): back on its CPU with its vruntime
   * placed no more than half a latency behind min_vruntime (place_entity, GENTLE_FAIR_SLEEPERS),
   * and the running entity preempted if the woken one is ahead by more than the wake-up
   * granularity. Kernel: `try_to_wake_up()` → `enqueue_entity()`, `check_preempt_wakeup()`.
   */
  wake(se: SchedEntity, at: number): void {
    if (se.state !== SE_BLOCKED && se.state !== SE_SLEEPING) return;
    if (se.state === SE_SLEEPING) this.sleepers.splice(this.sleepers.indexOf(se), 1);
    const rq = this.rqs[se.cpu]!;
    rq.clock = Math.max(rq.clock, at);
    this.updateMinVruntime(rq);
    se.vruntime = Math.max(se.vruntime, rq.minVruntime - this.latencyNs / 2);
    se.state = SE_RUNNABLE;
    rq.queue.push(se);
    this.checkPreemptWakeup(rq, se);
    this.onNrRunning?.(se.cpu, rq.clock);
  }

  /**
   * The entity to run next and its CPU, or null when no task can run any more (all dead or
   * blocked). Wake-ups due before the earliest runnable CPU's clock happen first. On the CPU
   * chosen, a running entity keeps the CPU unless it must reschedule, else the leftmost is
   * picked. Kernel: `__schedule()` → `pick_next_task_fair()`.
   */
  pickNext(): SchedEntity | null {
    for (;;) {
      let cpu = -1;
      for (let c = 0; c < this.nrCpus; c++) {
        const rq = this.rqs[c]!;
        if (rq.nrRunning() > 0 && (cpu < 0 || rq.clock < this.rqs[cpu]!.clock)) cpu = c;
      }
      // The earliest sleeper wakes first if it wakes before that CPU's next step starts.
      let s = -1;
      for (let i = 0; i < this.sleepers.length; i++) {
        const x = this.sleepers[i]!;
        if (s < 0 || x.wakeAt < this.sleepers[s]!.wakeAt || (x.wakeAt === this.sleepers[s]!.wakeAt && x.pid < this.sleepers[s]!.pid)) s = i;
      }
      if (s >= 0 && (cpu < 0 || this.sleepers[s]!.wakeAt <= this.rqs[cpu]!.clock)) {
        const x = this.sleepers[s]!;
        this.wake(x, x.wakeAt);
        continue;
      }
      if (cpu < 0) return null;
      const rq = this.rqs[cpu]!;
      if (rq.curr !== null && !rq.needResched) return rq.curr;
      if (rq.curr !== null) {
        // put_prev_entity: a preempted entity goes back in the queue (an involuntary switch).
        const prev = rq.curr;
        rq.curr = null;
        rq.queue.push(prev);
        rq.needResched = false;
        const next = this.leftmost(rq);
        if (next !== prev) prev.nivcsw++;
        return this.setNext(rq, next);
      }
      return this.setNext(rq, this.leftmost(rq));
    }
  }

  /**
   * Accounts `deltaNs` of run time of the running entity of its CPU, whose clock is now `now`,
   * and takes the tick's decision. Kernel: `update_curr()`, `check_preempt_tick()`.
   */
  accountRun(se: SchedEntity, deltaNs: number, now: number): void {
    const rq = this.rqs[se.cpu]!;
    if (rq.curr !== se) throw new MmBugError("machine.Scheduler.accountRun", `pid ${se.pid} is not running on cpu ${se.cpu}`);
    rq.clock = Math.max(rq.clock, now);
    if (deltaNs > 0) {
      se.sumExecRuntime += deltaNs;
      se.vruntime += deltaNs; // calc_delta_fair at NICE_0_LOAD
    }
    this.updateMinVruntime(rq);
    if (rq.queue.length === 0) return;
    const ideal = this.schedSlice(rq.nrRunning());
    const ran = se.sumExecRuntime - se.prevSumExecRuntime;
    if (ran > ideal) {
      rq.needResched = true;
      return;
    }
    if (ran < this.minGranularityNs) return;
    if (se.vruntime - this.leftmost(rq).vruntime > ideal) rq.needResched = true;
  }

  /** Kernel: `set_next_entity()`. */
  private setNext(rq: Rq, next: SchedEntity): SchedEntity {
    rq.queue.splice(rq.queue.indexOf(next), 1);
    rq.curr = next;
    next.prevSumExecRuntime = next.sumExecRuntime;
    return next;
  }

  /** The CPU a new task goes to: the one with the fewest runnable tasks, the parent's on a tie, else the lowest. Kernel: `select_task_rq_fair()` (idlest, simplified). */
  private selectTaskRq(parentCpu: number): number {
    let best = parentCpu;
    for (let c = 0; c < this.nrCpus; c++) {
      const n = this.rqs[c]!.nrRunning();
      const b = this.rqs[best]!.nrRunning();
      if (n < b || (n === b && c < best && best !== parentCpu)) best = c;
    }
    return best;
  }

  private checkPreemptWakeup(rq: Rq, woken: SchedEntity): void {
    const curr = rq.curr;
    if (curr !== null && curr.vruntime - woken.vruntime > this.wakeupGranularityNs) rq.needResched = true;
  }

  private dequeueCurr(se: SchedEntity, state: number): void {
    const rq = this.rqs[se.cpu]!;
    if (rq.curr !== se) throw new MmBugError("machine.Scheduler", `pid ${se.pid} is not running on cpu ${se.cpu}`);
    rq.curr = null;
    rq.needResched = false;
    se.state = state;
    if (state !== SE_DEAD) se.nvcsw++;
    this.updateMinVruntime(rq);
    this.onNrRunning?.(se.cpu, rq.clock);
  }

  /** Leftmost: the lowest vruntime, ties to the lower pid. Kernel: `__pick_first_entity()`. */
  private leftmost(rq: Rq): SchedEntity {
    let best = rq.queue[0]!;
    for (let i = 1; i < rq.queue.length; i++) {
      const x = rq.queue[i]!;
      if (x.vruntime < best.vruntime || (x.vruntime === best.vruntime && x.pid < best.pid)) best = x;
    }
    return best;
  }

  /** Kernel: `update_min_vruntime()`: monotonic, following min(curr, leftmost). */
  private updateMinVruntime(rq: Rq): void {
    let v = rq.curr?.vruntime ?? Infinity;
    for (const x of rq.queue) if (x.vruntime < v) v = x.vruntime;
    if (v !== Infinity && v > rq.minVruntime) rq.minVruntime = v;
  }
}
