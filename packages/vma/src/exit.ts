// Kernel: kernel/exit.c (do_exit, exit_mm, exit_notify, forget_original_parent, release_task, wait_task_zombie) (v6.1) — a task's end: its mm released, its children reparented, a zombie until reaped
/*
 * do_exit() folds the task's RSS batch into its mm (sync_mm_rss), drops the mm (exit_mm →
 * mmput: exit_mmap frees everything when this was the last user), hands its children to the
 * child reaper (init) and becomes a zombie (EXIT_ZOMBIE) holding only its pid and exit code,
 * until its parent reaps it with wait() (release_task frees the pid). A zombie child of the
 * exiting task becomes init's zombie. init itself may not exit: the kernel panics.
 */
import { panic } from "@mmsim/core";
import { type MmEnv, mmput, syncMmRss } from "./fork.ts";
import type { TaskStruct } from "./mm-types.ts";

/** Detaches and releases the task's mm. Kernel: `exit_mm()`. */
export function exitMm(env: MmEnv, task: TaskStruct): void {
  const mm = task.mm;
  if (mm === null) return;
  task.mm = null;
  mmput(env, mm);
}

/** Hands every child to `reaper`. Kernel: `forget_original_parent()` → `reparent_leader()`. */
export function forgetOriginalParent(task: TaskStruct, reaper: TaskStruct): void {
  for (const child of task.children) {
    child.parent = reaper;
    reaper.children.push(child);
  }
  task.children.length = 0;
}

/**
 * Ends a task: its mm goes, its children go to `reaper`, it stays as a zombie. Kernel: `do_exit()`.
 * @param code the exit status as wait() reports it (exit code << 8, or the fatal signal's number)
 * @throws KernelPanic when init exits ("Attempted to kill init!")
 */
export function doExit(env: MmEnv, task: TaskStruct, code: number, reaper: TaskStruct | null): void {
  if (task.state === "Z (zombie)" || task.state === "X (dead)") return;
  if (task.parent === null) panic("do_exit", `Attempted to kill init! exitcode=0x${(code >>> 0).toString(16).padStart(8, "0")}`);
  if (task.mm !== null) syncMmRss(task, task.mm);
  exitMm(env, task);
  task.exitCode = code;
  if (reaper !== null && reaper !== task) forgetOriginalParent(task, reaper);
  task.state = "Z (zombie)"; // exit_notify: EXIT_ZOMBIE (autoreap only when the parent ignores SIGCHLD)
}
