// Kernel: fs/read_write.c (ksys_read, ksys_write, ksys_pread64, ksys_pwrite64, vfs_read, vfs_write, rw_verify_area, new_sync_read, new_sync_write, generic_file_llseek's SEEK_SET/CUR/END) (v6.1) — read(2), write(2), pread(2), pwrite(2), lseek(2)
/*
 * Errnos as the man pages give them: EBADF for an fd not open (or not open for reading /
 * writing), EINVAL for a negative offset or a file that cannot do the I/O, ESPIPE for pread/pwrite
 * on a file without FMODE_PREAD/PWRITE, EISDIR for read of a directory; a read at or past EOF
 * returns 0; a write that fills the filesystem part-way returns the bytes written, the next one
 * -ENOSPC. Counts are cut to MAX_RW_COUNT.
 */
import { EBADF, EINVAL, ESPIPE } from "@mmsim/core";
import {
  FMODE_CAN_READ, FMODE_CAN_WRITE, FMODE_PREAD, FMODE_PWRITE, FMODE_READ, FMODE_WRITE, type File, type UserBuffer,
} from "./fs.ts";
import { type FilesStruct, fget } from "./file.ts";
import { MAX_RW_COUNT } from "./filemap.ts";
import type { Vfs } from "./vfs.ts";

/** Kernel: `SEEK_SET`, `SEEK_CUR`, `SEEK_END`. */
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

/** An I/O range the file takes: no negative position, no overflow. Kernel: `rw_verify_area()`. @returns 0 or -EINVAL */
export function rwVerifyArea(pos: number, count: number): number {
  if (pos < 0 || count < 0) return -EINVAL;
  if (pos + count > Number.MAX_SAFE_INTEGER) return -EINVAL;
  return 0;
}

/**
 * Reads `count` bytes at `pos` into `buf` (null: the data goes nowhere followed). Kernel:
 * `vfs_read()` → `new_sync_read()`.
 * @returns bytes read, or -errno; the position after it is in vfs.kiocb.pos
 */
export function vfsRead(vfs: Vfs, file: File, buf: UserBuffer | null, count: number, pos: number): number {
  if ((file.fMode & FMODE_READ) === 0) return -EBADF;
  if ((file.fMode & FMODE_CAN_READ) === 0) return -EINVAL;
  const err = rwVerifyArea(pos, count);
  if (err !== 0) return err;
  if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
  const readIter = file.fOp.readIter;
  if (readIter === undefined) return -EINVAL;
  const iocb = vfs.kiocb.init(file, pos);
  const iter = vfs.iter.init(buf, count);
  return readIter.call(file.fOp, iocb, iter);
}

/**
 * Writes `count` bytes at `pos` from `buf`. Kernel: `vfs_write()` → `new_sync_write()`.
 * @returns bytes written, or -errno; the position after it is in vfs.kiocb.pos
 */
export function vfsWrite(vfs: Vfs, file: File, buf: UserBuffer | null, count: number, pos: number): number {
  if ((file.fMode & FMODE_WRITE) === 0) return -EBADF;
  if ((file.fMode & FMODE_CAN_WRITE) === 0) return -EINVAL;
  const err = rwVerifyArea(pos, count);
  if (err !== 0) return err;
  if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
  const writeIter = file.fOp.writeIter;
  if (writeIter === undefined) return -EINVAL;
  const iocb = vfs.kiocb.init(file, pos);
  const iter = vfs.iter.init(buf, count);
  return writeIter.call(file.fOp, iocb, iter);
}

/** read(2) at the file position, which moves. Kernel: `ksys_read()`. @returns bytes, or -errno */
export function ksysRead(vfs: Vfs, files: FilesStruct, fd: number, buf: UserBuffer | null, count: number): number {
  const f = fget(files, fd);
  if (f === null) return -EBADF;
  const ret = vfsRead(vfs, f, buf, count, f.fPos);
  if (ret >= 0) f.fPos = vfs.kiocb.pos;
  return ret;
}

/** write(2) at the file position (O_APPEND: at EOF), which moves. Kernel: `ksys_write()`. @returns bytes, or -errno */
export function ksysWrite(vfs: Vfs, files: FilesStruct, fd: number, buf: UserBuffer | null, count: number): number {
  const f = fget(files, fd);
  if (f === null) return -EBADF;
  const ret = vfsWrite(vfs, f, buf, count, f.fPos);
  if (ret >= 0) f.fPos = vfs.kiocb.pos;
  return ret;
}

/** pread64(2): at `pos`; the file position stays. Kernel: `ksys_pread64()`. @returns bytes, or -errno */
export function ksysPread64(vfs: Vfs, files: FilesStruct, fd: number, buf: UserBuffer | null, count: number, pos: number): number {
  if (pos < 0) return -EINVAL;
  const f = fget(files, fd);
  if (f === null) return -EBADF;
  if ((f.fMode & FMODE_PREAD) === 0) return -ESPIPE;
  return vfsRead(vfs, f, buf, count, pos);
}

/** pwrite64(2): at `pos` (O_APPEND: at EOF, as Linux does); the file position stays. Kernel: `ksys_pwrite64()`. */
export function ksysPwrite64(vfs: Vfs, files: FilesStruct, fd: number, buf: UserBuffer | null, count: number, pos: number): number {
  if (pos < 0) return -EINVAL;
  const f = fget(files, fd);
  if (f === null) return -EBADF;
  if ((f.fMode & FMODE_PWRITE) === 0) return -ESPIPE;
  return vfsWrite(vfs, f, buf, count, pos);
}

/**
 * lseek(2). Kernel: `ksys_lseek()` → `generic_file_llseek()` (SEEK_SET, SEEK_CUR, SEEK_END;
 * EINVAL for another whence or a negative result).
 * @returns the new position, or -errno
 */
export function ksysLseek(_vfs: Vfs, files: FilesStruct, fd: number, offset: number, whence: number): number {
  const f = fget(files, fd);
  if (f === null) return -EBADF;
  let pos: number;
  if (whence === SEEK_SET) pos = offset;
  else if (whence === SEEK_CUR) pos = f.fPos + offset;
  else if (whence === SEEK_END) pos = f.fInode.iSize + offset;
  else return -EINVAL;
  if (pos < 0 || pos > f.fInode.iSb.sMaxbytes) return -EINVAL;
  f.fPos = pos;
  return pos;
}
