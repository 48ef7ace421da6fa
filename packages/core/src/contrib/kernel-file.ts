// Kernel: fs/proc/generic.c proc_create(), fs/sysfs, fs/debugfs (v6.1) — a file the simulated kernel serves
/*
 * Every file a machine serves (/proc/*, /sys/*, debugfs) is contributed by the package that
 * owns the state it shows, as the kernel's proc_create()/sysfs attributes/debugfs_create_file()
 * are registered by the subsystem itself. A contribution serves one path or a whole directory
 * (`/sys/kernel/slab/` and everything under it). The machine asks each contribution in turn;
 * none may serve a path another serves.
 */
import { token } from "../di/token.ts";

/**
 * What a write does: 0 when accepted, a negative errno as write(2) would return it, or a
 * sentence for the user when the file refuses writes of this kind (it names what to do instead).
 */
export type FileWriteResult = number | string;

/** One file, or one directory of files. Kernel: a proc_ops/seq_file, a sysfs attribute, a debugfs file. */
export interface KernelFile {
  /** An exact path (`/proc/meminfo`), or a directory ending in `/` (`/sys/kernel/slab/`). */
  readonly path: string;
  /** For a directory: the files it holds now (exact paths). An exact path lists itself. */
  list?(): readonly string[];
  /** The file's text, or undefined when it does not exist (now). */
  read(path: string): string | undefined;
  /** `echo value > path`. Absent: the file is read-only. */
  write?(path: string, value: string): FileWriteResult;
  /**
   * For a directory whose files come and go during a run (`/proc/<pid>/` of tasks forked later):
   * true when `path` may exist once the workload has run up to the step that reads it, so the
   * check before the run accepts it.
   */
  mayAppear?(path: string): boolean;
}
export const KernelFile = token<KernelFile>("KernelFile");

/** True when `file` serves `path` (its exact path, or a path under its directory). */
export function kernelFileCovers(file: KernelFile, path: string): boolean {
  return file.path.endsWith("/") ? path.startsWith(file.path) : path === file.path;
}
