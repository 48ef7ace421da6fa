// Kernel: fs/proc/base.c (oom_score_adj_read, oom_score_adj_write, __set_oom_adj), include/uapi/linux/oom.h (v6.1) — /proc/<pid>/oom_score_adj
import { EINVAL, ESRCH } from "@mmsim/core";
import type { TaskStruct } from "@mmsim/vma";

/** Kernel: `OOM_SCORE_ADJ_MIN` / `OOM_SCORE_ADJ_MAX`. */
export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_SCORE_ADJ_MAX = 1000;

/** Reading /proc/<pid>/oom_score_adj: `%hd\n`. Kernel: `oom_score_adj_read()`. */
export function oomScoreAdjRead(task: TaskStruct): string {
  return `${task.oomScoreAdj}\n`;
}

/**
 * Writing /proc/<pid>/oom_score_adj: an integer (kstrtoint with base 0: decimal, 0x hex or
 * 0 octal; surrounding whitespace stripped) in [-1000, 1000]. Root may lower it (CAP_SYS_RESOURCE). Kernel: `oom_score_adj_write()`
 * → `__set_oom_adj()` (one thread group per mm here, so no other process shares the value).
 * @returns 0, -EINVAL for a bad number or a value out of range, -ESRCH for an exited task
 */
export function oomScoreAdjWrite(task: TaskStruct, text: string): number {
  const m = /^([+-]?)(?:0x([0-9a-f]+)|(0[0-7]*)|([1-9][0-9]*))$/i.exec(text.trim());
  if (m === null) return -EINVAL;
  const mag = m[2] !== undefined ? parseInt(m[2], 16) : m[3] !== undefined ? parseInt(m[3], 8) : parseInt(m[4]!, 10);
  const v = m[1] === "-" ? -mag : mag;
  if (!Number.isSafeInteger(v) || v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX) return -EINVAL;
  if (task.state === "Z (zombie)" || task.state === "X (dead)") return -ESRCH;
  task.oomScoreAdj = v;
  return 0;
}
