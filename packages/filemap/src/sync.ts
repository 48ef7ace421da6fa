// Kernel: fs/sync.c (vfs_fsync_range, vfs_fsync, do_fsync), fs/libfs.c (noop_fsync) (v6.1) — fsync(2) and fdatasync(2)
/*
 * fsync hands the file to its f_op->fsync: tmpfs and ramfs have noop_fsync (nothing is ever
 * written back), a disk filesystem writes its dirty pages and waits (the block issue's); a file
 * without one (a character device) gives -EINVAL, as the man page says.
 */
import { EBADF, EINVAL } from "@mmsim/core";
import type { File } from "./fs.ts";
import { type FilesStruct, fget } from "./file.ts";
import type { Vfs } from "./vfs.ts";

/** Kernel: `LLONG_MAX` as the end of an fsync range: the whole file. */
const WHOLE_FILE = Number.MAX_SAFE_INTEGER;

/** Kernel: `vfs_fsync_range()`. @returns 0 or -errno */
export function vfsFsyncRange(_vfs: Vfs, file: File, start: number, end: number, datasync: boolean): number {
  const fsync = file.fOp.fsync;
  if (fsync === undefined) return -EINVAL;
  return fsync.call(file.fOp, file, start, end, datasync);
}

/** fsync(2) (datasync false) and fdatasync(2) (true). Kernel: `do_fsync()`. @returns 0 or -errno */
export function doFsync(vfs: Vfs, files: FilesStruct, fd: number, datasync: boolean): number {
  const f = fget(files, fd);
  if (f === null) return -EBADF;
  return vfsFsyncRange(vfs, f, 0, WHOLE_FILE, datasync);
}

/** The fsync of a file with nothing to write back. Kernel: `noop_fsync()`. */
export function noopFsync(): number {
  return 0;
}
