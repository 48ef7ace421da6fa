// Kernel: kernel/fork.c (copy_process, kernel_clone), kernel/exit.c (release_task, do_wait), kernel/pid.c (find_task_by_vpid), include/linux/sched.h (v6.1) — one machine's tasks: pids, parents and children, spawn, fork, exec, exit, wait
/*
 * The TaskTable is the init pid namespace of one machine: tasks by pid, each with its parent
 * and children, its mm (null for a zombie or a kernel thread), and a zombie state until the
 * parent reaps it. Its methods are the system calls a workload issues, with the kernel's
 * return convention (a pid or 0 on success, a negative errno on failure):
 *
 *   spawn(image)       a new task running `image` (fork of its parent + execve, without copying
 *                      the parent's memory first: posix_spawn's CLONE_VM | CLONE_VFORK); the
 *                      first spawn is init, pid 1
 *   fork(parent)       copy_process with copy_mm → dup_mm (CLONE_VM is not modelled: one
 *                      thread per process)
 *   exec(task, image)  do_execve; a failure after the point of no return kills the task with
 *                      SIGSEGV as the kernel does
 *   exit(task, code)   do_exit: the task becomes a zombie, its children init's
 *   wait(parent, pid)  wait4(WNOHANG): reaps one zombie child (release_task frees its pid)
 *
 * Children of init that exit are reaped at once when `initReaps` is set (the default), as a
 * real init's SIGCHLD loop does shortly after; otherwise they stay zombies until wait(init).
 * Which CPU a call runs on is the caller's business (PgtableAllocator.cpu).
 */
import { ECHILD, type Rng, type ValidationSink, token } from "@mmsim/core";
import { DEFAULT_EXEC_SYSCTL, type ExecArgs, type ExecEnv, type ExecResult, type ExecSysctl, type ProgramImage, doExecve } from "./exec.ts";
import { doExit } from "./exit.ts";
import { dupMm, mmput } from "./fork.ts";
import { NR_MM_COUNTERS, TaskStruct, type MmStruct } from "./mm-types.ts";
import { PidAllocator } from "./pid.ts";

/** SIGSEGV (arm64 uses the generic numbers). */
export const SIGSEGV = 11;
/** SIGKILL. */
export const SIGKILL = 9;

/** Options of a TaskTable. */
export interface TaskTableOptions {
  /** num_possible_cpus() (pid_max scales with it). */
  readonly possibleCpus?: number;
  /** The first mm id handed to the MMU's ASID allocator (ids grow from it). */
  readonly firstMmId?: number;
  /** Reap init's zombie children at once (default true). */
  readonly initReaps?: boolean;
  /** Exec knobs (kernel.randomize_va_space, vm.mmap_rnd_bits, …); the reference's by default. */
  readonly sysctl?: Partial<ExecSysctl>;
}

/** How spawn and exec are called. */
export interface SpawnOptions {
  /** The parent (default: init; none for the first spawn, which is init). */
  readonly parent?: TaskStruct;
  /** argv (default: [image.path]) and envp (default: none). */
  readonly argv?: readonly string[];
  readonly envp?: readonly string[];
  /** personality(ADDR_NO_RANDOMIZE) (setarch -R). */
  readonly noRandomize?: boolean;
}

/** What wait() reaped. */
export interface WaitResult {
  readonly pid: number;
  readonly exitCode: number;
}

/**
 * The machine's tasks as a mechanism after vma sees them (the memory controller: cgroup.procs,
 * current's memcg). Registered by the machine's process module over its TaskTable.
 */
export interface TaskTableView {
  /** Kernel: `find_task_by_vpid()`. */
  lookup(pid: number): TaskStruct | undefined;
  /** Every task in pid order. */
  list(): TaskStruct[];
  /** `current`: the running task (init outside a run), null before init exists. */
  current(): TaskStruct | null;
}
export const TASK_TABLE = token<TaskTableView>("TaskTableView");

/** One machine's tasks. */
export class TaskTable {
  readonly pids: PidAllocator;
  /** The exec knobs; writable (the machine's sysctl handlers set them). */
  readonly sysctl: ExecSysctl;
  readonly initReaps: boolean;
  private readonly tasks = new Map<number, TaskStruct>();
  private nextMmId: number;
  private initTask: TaskStruct | null = null;
  /** The layout of the last successful exec of each live task (mm->context.vdso and the offsets drawn). */
  private readonly execInfo = new WeakMap<MmStruct, ExecResult>();

  constructor(
    private readonly env: ExecEnv,
    opts: TaskTableOptions = {},
  ) {
    this.pids = new PidAllocator(opts.possibleCpus ?? 1);
    this.nextMmId = opts.firstMmId ?? 1;
    this.initReaps = opts.initReaps ?? true;
    this.sysctl = { ...DEFAULT_EXEC_SYSCTL, ...opts.sysctl };
  }

  /** The machine's random source. */
  get rng(): Rng {
    return this.env.rng;
  }

  /** init (pid 1), or null before the first spawn. */
  get init(): TaskStruct | null {
    return this.initTask;
  }

  /** Number of tasks (zombies included). */
  get size(): number {
    return this.tasks.size;
  }

  /** The task with this pid, or undefined. Kernel: `find_task_by_vpid()`. */
  lookup(pid: number): TaskStruct | undefined {
    return this.tasks.get(pid);
  }

  /** Every task in pid order (/proc's readdir order). */
  list(): TaskStruct[] {
    return [...this.tasks.values()].sort((a, b) => a.pid - b.pid);
  }

  /** What exec laid out for this mm (its vDSO base, the random offsets), if exec made it. */
  execResult(mm: MmStruct): ExecResult | undefined {
    return this.execInfo.get(mm);
  }

  /**
   * Starts a new task running `image`.
   * @returns its pid, or a negative errno (-EAGAIN: no pid; -ENOMEM; -E2BIG …) with nothing left
   * @throws ArgumentError for a malformed image
   */
  spawn(image: ProgramImage, opts: SpawnOptions = {}): number {
    const parent = opts.parent ?? this.initTask;
    const pid = this.pids.allocPid();
    if (pid < 0) return pid;
    const task = new TaskStruct(pid, parent, null, parent?.comm ?? "swapper/0");
    if (parent !== null) task.cgroupId = parent.cgroupId; // cgroup_post_fork: the parent's css_set
    const r = doExecve(this.env, task, image, { argv: opts.argv ?? [image.path], envp: opts.envp ?? [] }, this.sysctl, this.nextMmId++, opts.noRandomize);
    if ("errno" in r) {
      // Nothing of the task is visible yet: the kernel's child would exit; here it never was.
      const mm = task.mm;
      task.mm = null;
      if (mm !== null) mmput(this.env, mm);
      this.pids.freePid(pid);
      return r.errno;
    }
    this.execInfo.set(r.mm, r);
    this.tasks.set(pid, task);
    if (parent !== null) parent.children.push(task);
    else this.initTask = task;
    return pid;
  }

  /**
   * Forks `parent`. Kernel: `kernel_clone()` → `copy_process()` (copy_mm → dup_mm).
   * @returns the child's pid, or a negative errno (-EAGAIN, -ENOMEM)
   */
  fork(parent: TaskStruct): number {
    this.checkLive(parent, "fork");
    const pid = this.pids.allocPid();
    if (pid < 0) return pid;
    const child = new TaskStruct(pid, parent, null, parent.comm);
    // copy_signal: oom_score_adj is inherited; rss_stat, min_flt, maj_flt, nvcsw, nivcsw start at 0.
    child.oomScoreAdj = parent.oomScoreAdj;
    child.cgroupId = parent.cgroupId; // cgroup_post_fork: the parent's css_set
    if (parent.mm !== null) {
      const mm = dupMm(this.env, parent.mm, this.nextMmId++);
      if (typeof mm === "number") {
        this.pids.freePid(pid);
        return mm;
      }
      child.mm = mm;
      const info = this.execInfo.get(parent.mm);
      if (info) this.execInfo.set(mm, { ...info, mm });
    }
    this.tasks.set(pid, child);
    parent.children.push(child);
    return pid;
  }

  /**
   * Runs `image` in place of the task's program. Kernel: `do_execve()`.
   * @returns 0, or a negative errno; the task keeps running its old program unless the failure
   *   came after the point of no return, where it is killed by SIGSEGV
   */
  exec(task: TaskStruct, image: ProgramImage, args?: Partial<ExecArgs>, noRandomize = false): number {
    this.checkLive(task, "exec");
    const r = doExecve(this.env, task, image, { argv: args?.argv ?? [image.path], envp: args?.envp ?? [] }, this.sysctl, this.nextMmId++, noRandomize);
    if ("errno" in r) {
      if (r.pointOfNoReturn) this.exit(task, SIGSEGV);
      return r.errno;
    }
    this.execInfo.set(r.mm, r);
    return 0;
  }

  /**
   * Ends a task (exit(code) or a fatal signal): a zombie until its parent reaps it.
   * @param code wait()'s status: `exitStatus << 8` for exit(), the signal number for a kill
   * @throws KernelPanic for init
   */
  exit(task: TaskStruct, code: number): void {
    this.checkKnown(task, "exit");
    doExit(this.env, task, code, this.initTask);
    if (this.initReaps && task.parent === this.initTask) this.releaseTask(task);
    if (this.initReaps && this.initTask !== null) {
      // The zombies just handed to init go too.
      for (const c of [...this.initTask.children]) if (c.state === "Z (zombie)") this.releaseTask(c);
    }
  }

  /**
   * Reaps a zombie child. Kernel: `wait4(pid, &status, WNOHANG)` → `wait_task_zombie()`.
   * @param pid a child's pid, or -1 for any (the oldest zombie child)
   * @returns what was reaped; 0 when the children are all alive; -ECHILD when there is no such child
   */
  wait(parent: TaskStruct, pid = -1): WaitResult | number {
    const kids = parent.children.filter((c) => pid === -1 || c.pid === pid);
    if (kids.length === 0) return -ECHILD;
    const z = kids.find((c) => c.state === "Z (zombie)");
    if (z === undefined) return 0;
    this.releaseTask(z);
    return { pid: z.pid, exitCode: z.exitCode };
  }

  /** Removes a dead task: its pid is freed, its parent forgets it. Kernel: `release_task()`. */
  private releaseTask(task: TaskStruct): void {
    task.state = "X (dead)";
    const p = task.parent;
    if (p !== null) {
      const i = p.children.indexOf(task);
      if (i >= 0) p.children.splice(i, 1);
    }
    this.tasks.delete(task.pid);
    this.pids.freePid(task.pid);
  }

  private checkKnown(task: TaskStruct, what: string): void {
    if (this.tasks.get(task.pid) !== task) throw new Error(`vma.TaskTable.${what}: pid ${task.pid} is not a task of this machine`);
  }

  private checkLive(task: TaskStruct, what: string): void {
    this.checkKnown(task, what);
    if (task.state === "Z (zombie)" || task.state === "X (dead)") throw new Error(`vma.TaskTable.${what}: pid ${task.pid} has exited (${task.state})`);
  }

  /** Checks the table's invariants (validateTasks). */
  validate(sink: ValidationSink): void {
    validateTasks(this, sink);
  }
}

/**
 * The task table's invariants: parent and child links agree, every task's pid is allocated,
 * every live task's mm counts it in mm_users, zombies hold no mm, each mm's map_count is its
 * tree's size and its VMAs belong to it, and the RSS counters (mm plus the unfolded batches)
 * are not negative.
 */
export function validateTasks(table: TaskTable, sink: ValidationSink): void {
  const users = new Map<MmStruct, number>();
  const tasks = table.list();
  if (table.pids.nrPids !== tasks.length) sink.report("tasks", `${table.pids.nrPids} pids allocated for ${tasks.length} tasks`);
  for (const t of tasks) {
    const where = `task ${t.pid} (${t.comm})`;
    if (!table.pids.isAllocated(t.pid)) sink.report(where, "pid not allocated");
    if (t.parent === null) {
      if (t !== table.init) sink.report(where, "no parent and not init");
    } else {
      if (table.lookup(t.parent.pid) !== t.parent) sink.report(where, `parent ${t.parent.pid} is not in the table`);
      if (!t.parent.children.includes(t)) sink.report(where, `parent ${t.parent.pid} does not list it as a child`);
    }
    for (const c of t.children) if (c.parent !== t) sink.report(where, `child ${c.pid} names ${c.parent?.pid ?? "none"} as its parent`);
    if (t.state === "Z (zombie)" || t.state === "X (dead)") {
      if (t.mm !== null) sink.report(where, `${t.state} still holds mm ${t.mm.id}`);
      continue;
    }
    if (t.mm !== null) users.set(t.mm, (users.get(t.mm) ?? 0) + 1);
  }
  for (const [mm, n] of users) {
    const where = `mm ${mm.id}`;
    if (mm.mmUsers !== n) sink.report(where, `mm_users ${mm.mmUsers} but ${n} live task(s) use it`);
    if (mm.mapCount !== mm.mt.size) sink.report(where, `map_count ${mm.mapCount} but ${mm.mt.size} VMAs in the tree`);
    let prevEnd = 0;
    for (const v of mm.mt) {
      if (v.vmMm !== mm) sink.report(where, `VMA 0x${v.vmStart.toString(16)} belongs to mm ${v.vmMm.id}`);
      if (v.vmStart < prevEnd || v.vmStart >= v.vmEnd) sink.report(where, `VMA 0x${v.vmStart.toString(16)}-0x${v.vmEnd.toString(16)} overlaps or is empty`);
      prevEnd = v.vmEnd;
    }
    for (let i = 0; i < NR_MM_COUNTERS; i++) {
      let sum = mm.rssStat[i]!;
      for (const t of tasks) if (t.mm === mm) sum += t.rssStat[i]!;
      if (sum < 0) sink.report(where, `rss_stat[${i}] is ${sum} with the batches folded`);
    }
    if (mm.pgtables === null) sink.report(where, "a live mm without a pgd");
  }
}
