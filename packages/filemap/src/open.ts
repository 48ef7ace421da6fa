// Kernel: fs/open.c (do_sys_openat2, do_sys_truncate, vfs_truncate, do_sys_ftruncate, close_fd's syscall), fs/attr.c (inode_newsize_ok) (v6.1) — open(2), close(2), truncate(2), ftruncate(2)
/*
 * open reserves the lowest free fd first (EMFILE before any lookup, as do_sys_openat2 does),
 * then opens; truncate and ftruncate go through the inode's setattr (shmem_setattr,
 * simple_setattr), which unmaps and drops the pages beyond the new size.
 */
import { EBADF, EFBIG, EINVAL, EISDIR } from "@mmsim/core";
import { FMODE_WRITE, type Inode, sIsDir, sIsReg } from "./fs.ts";
import { type FilesStruct, allocFd, closeFd, fdInstall, fget, putUnusedFd } from "./file.ts";
import { dget, dput } from "./dcache.ts";
import { doFilpOpen, doTruncate, filenameLookup } from "./namei.ts";
import type { Vfs } from "./vfs.ts";

/**
 * open(2) / openat(AT_FDCWD): the lowest free fd, the file installed there. Kernel:
 * `do_sys_openat2()`.
 * @returns the fd, or -errno
 */
export function doSysOpen(vfs: Vfs, files: FilesStruct, name: string, flags: number, mode: number): number {
  const fd = allocFd(files, 0, flags);
  if (fd < 0) return fd;
  const f = doFilpOpen(vfs, name, flags, mode);
  if (typeof f === "number") {
    putUnusedFd(files, fd);
    return f;
  }
  fdInstall(files, fd, f);
  return fd;
}

/** close(2). Kernel: `sys_close()` → `close_fd()`. @returns 0 or -EBADF */
export function sysClose(vfs: Vfs, files: FilesStruct, fd: number): number {
  return closeFd(vfs, files, fd);
}

/** A new size the inode can take. Kernel: `inode_newsize_ok()` (no RLIMIT_FSIZE). @returns 0 or -EFBIG */
export function inodeNewsizeOk(inode: Inode, offset: number): number {
  if (offset > inode.iSize && offset > inode.iSb.sMaxbytes) return -EFBIG;
  return 0;
}

/**
 * truncate(2). Kernel: `do_sys_truncate()` → `vfs_truncate()` (EINVAL for a negative length or
 * a file that is not regular, EISDIR for a directory).
 * @returns 0 or -errno
 */
export function doSysTruncate(vfs: Vfs, name: string, length: number): number {
  if (length < 0) return -EINVAL;
  const p = filenameLookup(vfs, name);
  if (typeof p === "number") return p;
  const inode = p.dentry.dInode!;
  if (sIsDir(inode.iMode)) return -EISDIR;
  if (!sIsReg(inode.iMode)) return -EINVAL;
  dget(p.dentry); // the path held across the truncate (it may reclaim)
  const err = doTruncate(vfs, p.dentry, length);
  dput(vfs, p.dentry);
  return err;
}

/**
 * ftruncate(2). Kernel: `do_sys_ftruncate()` (EBADF without the fd; EINVAL for a file not
 * regular or not open for writing).
 * @returns 0 or -errno
 */
export function doSysFtruncate(vfs: Vfs, files: FilesStruct, fd: number, length: number): number {
  if (length < 0) return -EINVAL;
  const f = fget(files, fd);
  if (f === null) return -EBADF;
  const inode = f.fInode;
  if (!sIsReg(inode.iMode) || (f.fMode & FMODE_WRITE) === 0) return -EINVAL;
  return doTruncate(vfs, f.fPath.dentry, length);
}
