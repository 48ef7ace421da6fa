// Kernel: include/linux/oom.h, include/uapi/linux/oom.h, mm/oom_kill.c (oom_badness), fs/proc/base.c (proc_oom_score) (v6.1.166) — the `oom` slot's contract with the machine's tasks
/*
 * The `oom` slot (issue 19): what handles the machine running out of memory. Its modules
 * register core's OutOfMemoryHandler (out_of_memory(), called by the page allocator's slow path
 * after reclaim and compaction failed) and may add kernel threads, files and sysctls. The
 * kernel's killer (@mmsim/oom's `oom-killer`) is one; Android's lmkd, a user-space daemon that
 * reads PSI triggers and kills by oom_score_adj bands before the kernel's killer has to act, fits
 * the same slot: it registers its daemon and keeps the kernel's killer as the last resort, and
 * kills through the same OomHost.
 *
 * A policy is `type:policy` (core only): it sees the machine's tasks through OomHost, which the
 * machine's process module implements over its task table, the fault path (the OOM reaper's
 * unmap) and the page allocator (__show_mem).
 */
import { token } from "../di/token.ts";

/** Kernel: `OOM_SCORE_ADJ_MIN`, `OOM_SCORE_ADJ_MAX` (include/uapi/linux/oom.h). */
export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_SCORE_ADJ_MAX = 1000;

/** Kernel: `enum oom_constraint` (include/linux/oom.h). */
export const CONSTRAINT_NONE = 0;
export const CONSTRAINT_CPUSET = 1;
export const CONSTRAINT_MEMORY_POLICY = 2;
export const CONSTRAINT_MEMCG = 3;
/** Kernel: `oom_constraint_text[]`. */
export const OOM_CONSTRAINT_TEXT: readonly string[] = Object.freeze(["CONSTRAINT_NONE", "CONSTRAINT_CPUSET", "CONSTRAINT_MEMORY_POLICY", "CONSTRAINT_MEMCG"]);

/** One process as the OOM killer reads it (for_each_process → find_lock_task_mm). */
export interface OomTask {
  readonly pid: number;
  readonly tgid: number;
  /** task_uid() in the initial user namespace. */
  readonly uid: number;
  /** task->comm. */
  readonly comm: string;
  /** signal->oom_score_adj. */
  readonly oomScoreAdj: number;
  /** oom_unkillable_task(): is_global_init() or PF_KTHREAD. */
  readonly unkillable: boolean;
  /** The id of its mm, or -1 when no thread has one any more (find_lock_task_mm() is NULL). */
  readonly mmId: number;
  /** mm->total_vm (pages). */
  readonly totalVm: number;
  /** get_mm_counter(mm, MM_ANONPAGES / MM_FILEPAGES / MM_SHMEMPAGES / MM_SWAPENTS) (pages). */
  readonly anonRss: number;
  readonly fileRss: number;
  readonly shmemRss: number;
  readonly swapents: number;
  /** mm_pgtables_bytes(mm). */
  readonly pgtablesBytes: number;
  /** tsk_is_oom_victim(): marked by mark_oom_victim (signal->oom_mm set). */
  readonly oomVictim: boolean;
  /** MMF_OOM_SKIP on its mm (reaped, or exit_mmap past the point the reaper could help). */
  readonly oomSkip: boolean;
  /** __task_will_free_mem(): a fatal signal pending (SIGNAL_GROUP_EXIT) or exiting (PF_EXITING). */
  readonly exiting: boolean;
}

/** What an `oom` policy may ask of the machine. Implemented by the machine's process module. */
export interface OomHost {
  /** for_each_process(), in the task list's order (creation order). */
  tasks(): readonly OomTask[];
  /** `current`: the task the allocation runs for, or null in a kernel context (boot, a kernel thread). */
  current(): OomTask | null;
  /** totalram_pages() and total_swap_pages. */
  totalramPages(): number;
  totalSwapPages(): number;
  /** The board's nodes with memory (N_MEMORY), for nodemask=… in the oom-kill line. */
  nodesWithMemory(): readonly number[];
  /** dump_stack() from out_of_memory's caller: the task line, `Hardware name:` and the call trace mmsim knows. */
  dumpStack(frames: readonly string[]): void;
  /** `__show_mem(SHOW_MEM_FILTER_NODES, NULL, gfp_zone(gfp))`: the Mem-Info block, to the kernel log. */
  showMem(gfp: number): void;
  /**
   * `do_send_sig_info(SIGKILL, …)` + `mark_oom_victim()`: the task dies the next time it would
   * run (the current task: when its step returns to user space). Its allocations may then use
   * the reserves (ALLOC_OOM).
   */
  sigkill(pid: number): void;
  /**
   * `__oom_reap_task_mm()`: unmaps the private and anonymous VMAs of the task's mm and sets
   * MMF_OOM_SKIP. @returns false when it cannot reap now (the task is running its step: it will
   * free its memory through exit_mmap when the step returns)
   */
  reap(pid: number): boolean;
  /** MMF_OOM_SKIP without reaping (oom_reap_task's `done:` path; an mm pinned by init). */
  setOomSkip(pid: number): void;
}
export const OomHost = token<OomHost>("OomHost");

/**
 * The badness of a task: rss + swap entries + page tables in pages, plus oom_score_adj in
 * thousandths of the memory the allocation may use; null for a task that may not be chosen
 * (LONG_MIN). Kernel: `oom_badness()`.
 */
export function oomBadness(t: OomTask, totalpages: number): number | null {
  if (t.unkillable || t.mmId < 0) return null;
  if (t.oomScoreAdj === OOM_SCORE_ADJ_MIN || t.oomSkip) return null;
  const points = t.anonRss + t.fileRss + t.shmemRss + t.swapents + Math.trunc(t.pgtablesBytes / 4096);
  // adj *= totalpages / 1000 (unsigned long division, then a long product)
  return points + t.oomScoreAdj * Math.floor(totalpages / 1000);
}

/**
 * /proc/<pid>/oom_score: the badness scaled into 0..2000 (0 for an unkillable task), over
 * totalram + swap. Kernel: `proc_oom_score()`. @returns the file's text ("%lu\n")
 */
export function procOomScore(t: OomTask, totalpages: number): string {
  const badness = oomBadness(t, totalpages);
  let points = 0;
  // (1000 + badness * 1000 / (long)totalpages) * 2 / 3, in C's truncating long arithmetic
  if (badness !== null) points = Math.trunc(((1000 + Math.trunc((badness * 1000) / totalpages)) * 2) / 3);
  // %lu of a negative long (a badness below -totalpages can't be reached: adj ≥ -1000 · totalpages/1000)
  return `${points < 0 ? 0 : points}\n`;
}
