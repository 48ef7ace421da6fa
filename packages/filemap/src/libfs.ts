// Kernel: fs/libfs.c (simple_write_begin, simple_write_end, simple_read_folio, simple_setattr, simple_unlink, simple_rmdir, simple_empty, generic_read_dir, simple_dir_operations) (v6.1) — the library functions in-memory filesystems share
import { EISDIR, ENOMEM, ENOTEMPTY, PAGE_SIZE, PG_uptodate } from "@mmsim/core";
import {
  ATTR_SIZE, type AddressSpace, type Dentry, type File, type FileOperations, type Iattr, type Inode, type WriteBeginOut, sIsReg,
} from "./fs.ts";
import { grabCachePageWriteBegin } from "./filemap.ts";
import { dDelete, dropNlink } from "./inode.ts";
import { zeroPageRange } from "./iov-iter.ts";
import { inodeNewsizeOk } from "./open.ts";
import { folioMarkDirty } from "./page-writeback.ts";
import { folioPut, folioUnlock } from "./swap.ts";
import { truncateSetsize } from "./truncate.ts";
import type { Vfs } from "./vfs.ts";

const UPTODATE = 1 << PG_uptodate;

/**
 * write_begin of a page-cache-only filesystem: the page found or added (locked), the parts a
 * partial write will not cover zeroed when it is new. Kernel: `simple_write_begin()`.
 * @returns 0 or -ENOMEM
 */
export function simpleWriteBegin(vfs: Vfs, mapping: AddressSpace, pos: number, len: number, out: WriteBeginOut): number {
  const index = Math.floor(pos / PAGE_SIZE);
  const page = grabCachePageWriteBegin(vfs, mapping, index);
  if (page < 0) return -ENOMEM;
  out.page = page;
  if ((vfs.mem.flags[page]! & UPTODATE) === 0 && len !== PAGE_SIZE) zeroPageRange(vfs, page, PAGE_SIZE - len);
  return 0;
}

/**
 * write_end of a page-cache-only filesystem: the page uptodate (the stale part of a short copy
 * zeroed), i_size extended, marked dirty, unlocked, its reference dropped. Kernel:
 * `simple_write_end()`.
 * @returns the bytes copied
 */
export function simpleWriteEnd(vfs: Vfs, mapping: AddressSpace, pos: number, len: number, copied: number, page: number): number {
  const inode = mapping.host;
  const flags = vfs.mem.flags;
  if ((flags[page]! & UPTODATE) === 0) {
    if (copied < len) zeroPageRange(vfs, page, len - copied);
    flags[page] = flags[page]! | UPTODATE;
  }
  if (pos + copied > inode.iSize) inode.iSize = pos + copied;
  folioMarkDirty(vfs, mapping, page);
  folioUnlock(vfs, page);
  folioPut(vfs, page);
  return copied;
}

/** read_folio of a page-cache-only filesystem: a hole reads as zeros. Kernel: `simple_read_folio()`. */
export function simpleReadFolio(vfs: Vfs, page: number): number {
  zeroPageRange(vfs, page, PAGE_SIZE);
  vfs.mem.flags[page] = vfs.mem.flags[page]! | UPTODATE;
  folioUnlock(vfs, page);
  return 0;
}

/** setattr of a simple filesystem: a new size through truncate_setsize. Kernel: `simple_setattr()`. @returns 0 or -errno */
export function simpleSetattr(vfs: Vfs, dentry: Dentry, attr: Iattr): number {
  const inode = dentry.dInode!;
  if ((attr.valid & ATTR_SIZE) !== 0) {
    const err = inodeNewsizeOk(inode, attr.size);
    if (err !== 0) return err;
    if (sIsReg(inode.iMode) && attr.size !== inode.iSize) truncateSetsize(vfs, inode, attr.size);
  }
  return 0;
}

/** Kernel: `simple_unlink()`: the name goes, the inode loses a link. */
export function simpleUnlink(vfs: Vfs, _dir: Inode, dentry: Dentry): number {
  dropNlink(dentry.dInode!);
  dDelete(vfs, dentry);
  return 0;
}

/** Kernel: `simple_empty()`. */
export function simpleEmpty(dentry: Dentry): boolean {
  return dentry.dChildren.size === 0;
}

/** Kernel: `simple_rmdir()`. @returns 0 or -ENOTEMPTY */
export function simpleRmdir(vfs: Vfs, dir: Inode, dentry: Dentry): number {
  if (!simpleEmpty(dentry)) return -ENOTEMPTY;
  dropNlink(dentry.dInode!);
  simpleUnlink(vfs, dir, dentry);
  dropNlink(dir);
  return 0;
}

/** A directory's file operations: read(2) of a directory is -EISDIR. Kernel: `simple_dir_operations` (generic_read_dir). */
export const SIMPLE_DIR_OPERATIONS: FileOperations = Object.freeze({
  name: "simple_dir_operations",
  readIter: (): number => -EISDIR,
  fsync: (): number => 0,
});

/** Kernel: `noop_fsync()`, as a FileOperations method. */
export function noopFsyncOp(_file: File): number {
  return 0;
}
