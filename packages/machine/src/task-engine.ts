// Kernel: kernel/sched/core.c (__schedule, context_switch), kernel/fork.c and kernel/exit.c as the workload sees them (v6.1) — tasks running their programs of steps on the machine's CPUs
/*
 * The workload engine runs every task's program of steps on the simulated CPUs under the CFS
 * model of sched.ts. The scenario's `workload` is the program of the first task (init, pid 1
 * when a process module provides tasks); steps that fork or spawn start more programs, which
 * then run beside it, interleaved step by step in simulated time.
 *
 * Before each step the machine's SimClock is switched to the clock of the CPU the step runs on
 * (each CPU has its own local time; the engine always runs the CPU whose time is earliest, so
 * steps start in the order of their simulated times). The process module, when it provides
 * tasks (TASK_HOST), makes the task current (its mm on the MMU, `current` for the fault
 * handler) and creates, ends and reaps them; without it the workload is one anonymous task.
 *
 * A task alone on the machine that sleeps lets time pass at once (nothing else could run
 * meanwhile), so a workload without tasks runs exactly as a plain loop over its steps would.
 */
import type { SimClock, StepBase } from "@mmsim/core";
import { ProgramCursor } from "./program.ts";
import type { TaskEngineApi, TaskHost } from "./task-api.ts";
import { SE_BLOCKED, SE_DEAD, SE_SLEEPING, type SchedEntity, Scheduler } from "./sched.ts";

/** SIGKILL: the exit code wait() reports for a task the OOM killer killed. */
const SIGKILL = 9;

interface Program {
  readonly cursor: ProgramCursor;
  readonly se: SchedEntity;
  /** The step to run again when woken (blockAndRetry). */
  retry: StepBase | undefined;
  /** Set by exitCurrent during a step. */
  exitCode: number | undefined;
}

/** One run of the workload's tasks. */
export class TaskEngine implements TaskEngineApi {
  readonly sched: Scheduler;
  private readonly programs = new Map<number, Program>();
  private current: Program | undefined;
  private blockRequested = false;
  private sleepNs = 0;
  /** Simulated time the current step let pass while it slept alone (not run time). */
  private sleptAloneNs = 0;

  constructor(
    nrCpus: number,
    private readonly clock: SimClock,
    private readonly host: TaskHost | undefined,
  ) {
    this.sched = new Scheduler(nrCpus);
    host?.setSigkillWaker?.((pid) => this.wakeToDie(pid));
  }

  /** SIGKILL wakes a sleeping or waiting task (signal_wake_up): it dies at its next turn. */
  private wakeToDie(pid: number): void {
    const p = this.programs.get(pid);
    if (p === undefined || p === this.current) return;
    if ((p.se.state === SE_BLOCKED && p.retry !== undefined) || p.se.state === SE_SLEEPING) this.sched.wake(p.se, this.clock.now());
  }

  get currentPid(): number {
    return this.current?.se.pid ?? 0;
  }

  get currentCpu(): number {
    return this.current?.se.cpu ?? 0;
  }

  /** Starts init's program (the scenario's workload) on CPU 0 at the current time. */
  startInit(steps: readonly StepBase[]): void {
    const pid = this.host?.init() ?? 1;
    const se = this.sched.addInit(pid, this.clock.now());
    this.programs.set(pid, { cursor: new ProgramCursor(steps), se, retry: undefined, exitCode: undefined });
  }

  start(pid: number, steps: readonly StepBase[]): void {
    const parent = this.current;
    if (parent === undefined) throw new Error("TaskEngine.start outside a step");
    const se = this.sched.fork(pid, parent.se);
    this.programs.set(pid, { cursor: new ProgramCursor(steps), se, retry: undefined, exitCode: undefined });
  }

  exitCurrent(code: number): void {
    if (this.current) this.current.exitCode = code;
  }

  blockAndRetry(): void {
    this.blockRequested = true;
  }

  sleep(ns: number): void {
    if (this.liveOthers() === 0) {
      // Alone: nothing else could run meanwhile, so the time passes at once.
      this.clock.advance(ns);
      this.sleptAloneNs += ns;
      return;
    }
    this.sleepNs += ns;
  }

  cpuClock(cpu: number): number {
    return this.current !== undefined && cpu === this.current.se.cpu ? this.clock.now() : this.sched.cpuClock(cpu);
  }

  isRunning(pid: number): boolean {
    const p = this.programs.get(pid);
    return p !== undefined && p.se.state !== SE_DEAD;
  }

  /**
   * The next step to run and its task, made current with the clock on its CPU; undefined when
   * every program has ended (or the tasks left are blocked for good).
   */
  next(): StepBase | undefined {
    for (;;) {
      const se = this.sched.pickNext();
      if (se === null) return undefined;
      const p = this.programs.get(se.pid)!;
      this.clock.switchTo(this.sched.cpuClock(se.cpu));
      this.current = p;
      const step = p.retry ?? p.cursor.next();
      p.retry = undefined;
      // A SIGKILL (the OOM killer's) is delivered before the task runs anything more: it exits.
      if (this.host?.fatalSignalPending?.(se.pid) === true) {
        this.end(p, SIGKILL, true);
        continue;
      }
      if (step === undefined) {
        this.end(p, 0);
        continue;
      }
      this.host?.switchTo(se.pid, se.cpu);
      this.blockRequested = false;
      this.sleepNs = 0;
      this.sleptAloneNs = 0;
      return step;
    }
  }

  /** After the step `next()` returned ran from `startNs`: accounts it, then sleeps, blocks or ends its task as the step asked. */
  afterStep(step: StepBase, startNs: number): void {
    const p = this.current!;
    const now = this.clock.now();
    this.sched.accountRun(p.se, now - startNs - this.sleptAloneNs, now);
    if (p.exitCode !== undefined) this.end(p, p.exitCode, true);
    else if (this.host?.fatalSignalPending?.(p.se.pid) === true) this.end(p, SIGKILL, true);
    else if (this.blockRequested) {
      // blocked until woken, or (a sleep in the same step) until a timer: the step runs again then
      p.retry = step;
      if (this.sleepNs > 0) this.sched.sleep(p.se, now + this.sleepNs);
      else if (this.sleptAloneNs === 0) this.sched.block(p.se);
    } else if (this.sleepNs > 0) this.sched.sleep(p.se, now + this.sleepNs);
  }

  /** Charges what ran on the current CPU since the step (kernel threads) to that CPU's clock. */
  syncClock(): void {
    if (this.current) this.sched.advanceCpuClock(this.current.se.cpu, this.clock.now());
  }

  /**
   * A task's program ended, or it exited (`explicit`). init whose program ran out does not exit
   * (it has nothing more to do, as an init waiting for its children); init that exits or is
   * killed makes the kernel panic (the host's exit throws the KernelPanic).
   */
  private end(p: Program, code: number, explicit = false): void {
    const pid = p.se.pid;
    const parent = this.host?.parentOf(pid); // before exit: a child of init is reaped at once
    const isInit = this.programs.keys().next().value === pid;
    if (isInit && explicit) this.host?.exit(pid, code);
    if (isInit) this.sched.block(p.se);
    else {
      this.sched.exit(p.se);
      this.host?.exit(pid, code);
    }
    const pp = parent === undefined ? undefined : this.programs.get(parent);
    if (pp !== undefined && pp.se.state === SE_BLOCKED && pp.retry !== undefined) this.sched.wake(pp.se, this.clock.now());
  }

  /** Tasks other than the current one that still have steps to run. */
  private liveOthers(): number {
    let n = 0;
    for (const p of this.programs.values()) if (p !== this.current && p.se.state !== SE_DEAD && !(p.se.state === SE_BLOCKED && p.retry === undefined)) n++;
    return n;
  }
}
