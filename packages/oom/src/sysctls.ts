// Kernel: mm/oom_kill.c vm_oom_kill_table (panic_on_oom: proc_dointvec_minmax 0..2; oom_kill_allocating_task, oom_dump_tasks: proc_dointvec) (v6.1.166) — the OOM killer's vm sysctls
import { type AnySysctl, EINVAL, INT_MAX, type SysctlValue, defineSysctl, parseSysctlInt, token } from "@mmsim/core";
import type { OomKiller } from "./oom-kill.ts";

/** The machine's OOM killer (the `oom-killer` module registers it under this token). */
export const OOM_KILLER = token<OomKiller>("OomKiller");
const int = (v: SysctlValue, set: (n: number) => void): number => (typeof v === "number" ? (set(v), 0) : -EINVAL);

/** vm.panic_on_oom: 0..2. */
export const panicOnOomSysctl = defineSysctl({
  dir: "vm",
  procname: "panic_on_oom",
  type: "integer 0..2",
  doc: "0: the OOM killer kills a task; 1: a system-wide OOM panics the kernel instead; 2: every OOM panics",
  parse: (v) => parseSysctlInt(v, 0, 2, "0, 1 or 2"),
  service: OOM_KILLER,
  write: (k: OomKiller, v) => int(v, (n) => (k.panicOnOom = n)),
  read: (k: OomKiller) => `${k.panicOnOom}\n`,
});

/** vm.oom_kill_allocating_task: any int (proc_dointvec); non-zero kills the allocating task instead of scanning. */
export const oomKillAllocatingTaskSysctl = defineSysctl({
  dir: "vm",
  procname: "oom_kill_allocating_task",
  type: "integer",
  doc: "non-zero: the OOM killer kills the task whose allocation failed (if killable) instead of the one with the highest badness",
  parse: (v) => parseSysctlInt(v, -INT_MAX - 1, INT_MAX, "0 or non-zero"),
  service: OOM_KILLER,
  write: (k: OomKiller, v) => int(v, (n) => (k.oomKillAllocatingTask = n)),
  read: (k: OomKiller) => `${k.oomKillAllocatingTask}\n`,
});

/** vm.oom_dump_tasks: any int (proc_dointvec); non-zero prints the task table in the OOM report (1 by default). */
export const oomDumpTasksSysctl = defineSysctl({
  dir: "vm",
  procname: "oom_dump_tasks",
  type: "integer",
  doc: "non-zero: the OOM report lists every killable task (pid, uid, total_vm, rss, page tables, swap entries, oom_score_adj)",
  parse: (v) => parseSysctlInt(v, -INT_MAX - 1, INT_MAX, "0 or non-zero"),
  service: OOM_KILLER,
  write: (k: OomKiller, v) => int(v, (n) => (k.oomDumpTasks = n)),
  read: (k: OomKiller) => `${k.oomDumpTasks}\n`,
});

export const OOM_SYSCTLS: readonly AnySysctl[] = Object.freeze([panicOnOomSysctl, oomKillAllocatingTaskSysctl, oomDumpTasksSysctl]);
