// Kernel: fs/file.c (alloc_fd, __get_unused_fd_flags, put_unused_fd, fd_install, close_fd, dup_fd, put_files_struct, close_files, fget) (v6.1) — per-task fd tables
/*
 * One files_struct per task (by pid in Vfs.files): an array of struct file references indexed
 * by fd. alloc_fd hands out the lowest free fd at or above next_fd (the hint close lowers), up to
 * RLIMIT_NOFILE (1024: -EMFILE); fork copies the table taking a reference to each file (dup_fd);
 * exit closes every fd (put_files_struct → close_files). Threads sharing a table (CLONE_FILES)
 * are not modelled.
 *
 * Invariant (validate.ts): every installed file has f_count ≥ the number of fds of all tables
 * that hold it.
 */
import { EBADF, EMFILE } from "@mmsim/core";
import { type File, INR_OPEN_CUR, O_CLOEXEC } from "./fs.ts";
import { fput, getFile } from "./inode.ts";
import type { Vfs } from "./vfs.ts";

/** A task's open files. Kernel: `struct files_struct` (+ its fdtable). */
export class FilesStruct {
  /** fd → file (null: free, or reserved by alloc_fd and not installed yet). Kernel: `fdt->fd`. */
  readonly fd: (File | null)[] = [];
  /** fds reserved or installed. Kernel: `fdt->open_fds`. */
  readonly openFds = new Set<number>();
  /** close-on-exec fds. Kernel: `fdt->close_on_exec`. */
  readonly closeOnExec = new Set<number>();
  /** The lowest fd that may be free. Kernel: `next_fd`. */
  nextFd = 0;
  /** RLIMIT_NOFILE (soft). */
  rlimitNofile = INR_OPEN_CUR;
}

/**
 * Reserves the lowest free fd ≥ start. Kernel: `alloc_fd()` (`__get_unused_fd_flags`).
 * @returns the fd, or -EMFILE
 */
export function allocFd(files: FilesStruct, start: number, flags: number): number {
  let fd = Math.max(start, files.nextFd);
  while (files.openFds.has(fd)) fd++;
  if (fd >= files.rlimitNofile) return -EMFILE;
  if (start <= files.nextFd) files.nextFd = fd + 1;
  files.openFds.add(fd);
  if ((flags & O_CLOEXEC) !== 0) files.closeOnExec.add(fd);
  else files.closeOnExec.delete(fd);
  while (files.fd.length <= fd) files.fd.push(null);
  return fd;
}

/** Gives back a reserved fd that was never installed. Kernel: `put_unused_fd()`. */
export function putUnusedFd(files: FilesStruct, fd: number): void {
  files.openFds.delete(fd);
  files.closeOnExec.delete(fd);
  if (fd < files.nextFd) files.nextFd = fd;
}

/** Installs the file (its reference) at a reserved fd. Kernel: `fd_install()`. */
export function fdInstall(files: FilesStruct, fd: number, file: File): void {
  files.fd[fd] = file;
}

/** The file at `fd`, or null (no reference taken: calls run one at a time). Kernel: `fget()` / `fdget()`. */
export function fget(files: FilesStruct, fd: number): File | null {
  if (!Number.isInteger(fd) || fd < 0 || fd >= files.fd.length) return null;
  return files.fd[fd] ?? null;
}

/** close(2). Kernel: `close_fd()` → `filp_close()`. @returns 0 or -EBADF */
export function closeFd(vfs: Vfs, files: FilesStruct, fd: number): number {
  const file = fget(files, fd);
  if (file === null) return -EBADF;
  files.fd[fd] = null;
  putUnusedFd(files, fd);
  // filp_close: f_op->flush (none here), then the fd's reference
  fput(vfs, file);
  return 0;
}

/** A copy of a table for a forked child: the same files, one more reference each. Kernel: `dup_fd()`. */
export function dupFd(old: FilesStruct): FilesStruct {
  const n = new FilesStruct();
  n.rlimitNofile = old.rlimitNofile;
  n.nextFd = old.nextFd;
  for (let fd = 0; fd < old.fd.length; fd++) {
    const f = old.fd[fd] ?? null;
    n.fd.push(f);
    if (f !== null) {
      getFile(f);
      n.openFds.add(fd);
      if (old.closeOnExec.has(fd)) n.closeOnExec.add(fd);
    }
  }
  return n;
}

/** Closes every fd of a table (exit). Kernel: `put_files_struct()` → `close_files()`. */
export function putFilesStruct(vfs: Vfs, files: FilesStruct): void {
  for (let fd = 0; fd < files.fd.length; fd++) {
    const f = files.fd[fd] ?? null;
    if (f === null) continue;
    files.fd[fd] = null;
    fput(vfs, f);
  }
  files.openFds.clear();
  files.closeOnExec.clear();
  files.nextFd = 0;
}

/** Closes the close-on-exec fds at execve. Kernel: `do_close_on_exec()`. */
export function doCloseOnExec(vfs: Vfs, files: FilesStruct): void {
  for (const fd of [...files.closeOnExec]) closeFd(vfs, files, fd);
}

/** The number of fds open in a table. */
export function nrOpenFds(files: FilesStruct): number {
  let n = 0;
  for (const f of files.fd) if (f !== null) n++;
  return n;
}
