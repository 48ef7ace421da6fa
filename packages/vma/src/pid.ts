// Kernel: kernel/pid.c (alloc_pid, free_pid, pid_idr_init), lib/idr.c (idr_alloc_cyclic, idr_alloc_u32), include/linux/threads.h (PID_MAX_DEFAULT, PID_MAX_LIMIT) (v6.1) — pid numbers as the kernel hands them out
/*
 * The init pid namespace's idr: pids are allocated cyclically (idr_alloc_cyclic) from the
 * cursor left by the last allocation, so a freed pid is not reused until the numbers wrap at
 * pid_max. The first wrap goes back to RESERVED_PIDS (300), not to 1: alloc_pid() uses
 * pid_min = 1 only while the cursor is ≤ RESERVED_PIDS (init must get 1).
 *
 * The idr is a bitmap over [0, PID_MAX_LIMIT) here (4 Mi bits = 512 KiB would be wasteful for
 * a machine that spawns a handful of tasks), so it is a Uint8Array grown to the highest pid
 * used: the search for the lowest free id ≥ the cursor is a linear scan from the cursor, as
 * the radix tree's would find (the cost does not matter: fork is not a hot path).
 */
import { ArgumentError, EAGAIN, EINVAL, MmBugError, describeValue } from "@mmsim/core";

/** Kernel: `PID_MAX_DEFAULT` (CONFIG_BASE_SMALL=n). */
export const PID_MAX_DEFAULT = 0x8000;
/** Kernel: `PID_MAX_LIMIT` on 64-bit: 4 Mi. */
export const PID_MAX_LIMIT = 4 * 1024 * 1024;
/** Kernel: `RESERVED_PIDS`: the wrap goes back here, not to 1. */
export const RESERVED_PIDS = 300;
/** Kernel: `PIDS_PER_CPU_DEFAULT` / `PIDS_PER_CPU_MIN` (pid_idr_init scales pid_max with the possible CPUs). */
export const PIDS_PER_CPU_DEFAULT = 1024;
export const PIDS_PER_CPU_MIN = 8;

/**
 * The pid allocator of the init pid namespace. Kernel: `init_pid_ns.idr` with `pid_max`,
 * `pid_max_min`, `pid_max_max`.
 */
export class PidAllocator {
  /** kernel.pid_max. */
  private pidMaxValue: number;
  /** The sysctl's bounds: [pid_max_min, pid_max_max]. */
  readonly pidMaxMin: number;
  readonly pidMaxMax = PID_MAX_LIMIT;
  /** idr->idr_next: where the next cyclic search starts. */
  private cursor = 0;
  /** used[id] = 1 while the pid is allocated. */
  private used = new Uint8Array(1024);
  /** Pids in use. */
  private count = 0;

  /**
   * @param possibleCpus num_possible_cpus(): pid_idr_init raises pid_max to 1024 per CPU and
   *   pid_max_min to 8 per CPU
   */
  constructor(possibleCpus = 1) {
    if (!Number.isSafeInteger(possibleCpus) || possibleCpus < 1) throw new ArgumentError("vma.PidAllocator", "possibleCpus", "an integer ≥ 1", describeValue(possibleCpus));
    // pid_idr_init()
    this.pidMaxValue = Math.min(PID_MAX_LIMIT, Math.max(PID_MAX_DEFAULT, PIDS_PER_CPU_DEFAULT * possibleCpus));
    this.pidMaxMin = Math.max(RESERVED_PIDS + 1, PIDS_PER_CPU_MIN * possibleCpus);
  }

  /** kernel.pid_max. */
  get pidMax(): number {
    return this.pidMaxValue;
  }

  /** Pids allocated now. */
  get nrPids(): number {
    return this.count;
  }

  /**
   * Writes kernel.pid_max (proc_dointvec_minmax with [pid_max_min, pid_max_max]). Pids already
   * above the new limit stay valid.
   * @returns 0, or -EINVAL outside the bounds
   */
  setPidMax(value: number): number {
    if (!Number.isSafeInteger(value) || value < this.pidMaxMin || value > this.pidMaxMax) return -EINVAL;
    this.pidMaxValue = value;
    return 0;
  }

  /**
   * Allocates the next pid. Kernel: `alloc_pid()` → `idr_alloc_cyclic(&ns->idr, NULL,
   * pid_min, pid_max)`.
   * @returns the pid, or -EAGAIN when every pid below pid_max is in use (fork's error)
   */
  allocPid(): number {
    // init really needs pid 1, but after reaching the maximum wrap back to RESERVED_PIDS
    const pidMin = this.cursor > RESERVED_PIDS ? RESERVED_PIDS : 1;
    const max = this.pidMaxValue - 1;
    let id = this.cursor < pidMin ? pidMin : this.cursor;
    let nr = this.idrAllocU32(id, max);
    if (nr < 0 && id > pidMin) {
      id = pidMin;
      nr = this.idrAllocU32(id, max);
    }
    if (nr < 0) return -EAGAIN; // alloc_pid: -ENOSPC becomes -EAGAIN
    this.cursor = nr + 1;
    return nr;
  }

  /**
   * Frees a pid (release_task → free_pid → idr_remove).
   * @throws MmBugError when the pid is not allocated
   */
  freePid(pid: number): void {
    if (!(pid > 0 && pid < this.used.length && this.used[pid] === 1)) throw new MmBugError("vma.freePid", `pid ${pid} is not allocated`);
    this.used[pid] = 0;
    this.count--;
  }

  /** True while `pid` is allocated. */
  isAllocated(pid: number): boolean {
    return pid > 0 && pid < this.used.length && this.used[pid] === 1;
  }

  /** Kernel: `idr_alloc_u32()`: the lowest free id in [start, max], or -1 (-ENOSPC). */
  private idrAllocU32(start: number, max: number): number {
    for (let id = start; id <= max; id++) {
      if (id >= this.used.length) this.grow(id);
      if (this.used[id] === 0) {
        this.used[id] = 1;
        this.count++;
        return id;
      }
    }
    return -1;
  }

  private grow(id: number): void {
    let n = this.used.length;
    while (n <= id) n *= 2;
    const u = new Uint8Array(Math.min(n, PID_MAX_LIMIT));
    u.set(this.used);
    this.used = u;
  }
}
