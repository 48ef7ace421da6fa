// Kernel: arch/arm64/kernel/syscall.c (invoke_syscall: a syscall's return value, an errno as -errno) (v6.1) — what every syscall step shares: the current task, the recorded outcome checked against the step's errno, the named mappings
import { type Handle, type StepRunContext, checked, describeValue, errname } from "@mmsim/core";
import type { TaskStruct } from "@mmsim/vma";
import { PROCESSES } from "./token.ts";

/** The handle family of user mappings. */
export const MMAP_FAMILY = "mmap";

/** A named mapping: where it is in the address space of the task that made it (and of its children after a fork). */
export interface MmapHandle extends Handle {
  readonly pid: number;
  start: number;
  len: number;
  /** A malloc'd block: the pointer malloc returned ([start, start + len) are the pages it spans). */
  readonly ptr?: number;
}

/** A syscall outcome a step recorded: the step, the call and its result. */
export interface SyscallRecord {
  readonly step: number;
  readonly pid: number;
  readonly call: string;
  readonly result: string;
}
export const SYSCALLS = "process.syscalls";

const ERRNOS = Object.freeze([
  "EINVAL", "ENOMEM", "EEXIST", "EFAULT", "EAGAIN", "EPERM", "EACCES", "EBUSY", "ECHILD", "ENODEV", "EOVERFLOW",
  // the file syscalls' (issue 15)
  "ENOENT", "EBADF", "EISDIR", "ENOTDIR", "EFBIG", "ENOSPC", "EMFILE", "ENAMETOOLONG", "ENOTEMPTY", "ESPIPE", "ENXIO",
] as const);
export const errnoField = checked<string>((v) => (typeof v === "string" && (ERRNOS as readonly string[]).includes(v) ? { ok: v } : `expected one of ${ERRNOS.join(", ")}, got ${describeValue(v)}`));

/** The current task and the machine's process mechanisms. */
export function current(ctx: StepRunContext) {
  const p = ctx.resolve(PROCESSES);
  return { p, task: p.current };
}

/** Records a syscall's outcome; checks it against the step's expected errno. @returns true when it succeeded */
export function outcome(ctx: StepRunContext, task: TaskStruct, call: string, r: number, expected: string | undefined, hex = true): boolean {
  const ok = r >= 0;
  const result = ok ? (hex && r > 0xffff ? `0x${r.toString(16)}` : String(r)) : errname(r);
  ctx.state(SYSCALLS, (): SyscallRecord[] => []).push({ step: ctx.index, pid: task.pid, call, result });
  if (expected !== undefined) {
    if (result !== `-${expected}`) ctx.failExpect(`${call} in pid ${task.pid}: expected -${expected}, got ${result}`);
    else ctx.passExpect();
  }
  return ok;
}

