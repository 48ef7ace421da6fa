// Kernel: fs/inode.c (get_next_ino, new_inode, inode_init_always, ihold, iput, iput_final, evict, generic_drop_inode, clear_nlink, drop_nlink, inc_nlink), fs/dcache.c (d_alloc, d_instantiate, d_delete, d_make_root), fs/file_table.c (alloc_file, get_file, fput, __fput) (v6.1) — inodes, dentries and struct file references
/*
 * Lifetimes:
 *   - an inode is referenced by each dentry linking it and each open struct file (i_count here
 *     folds the dentries' d_count in); when the last reference goes and it has no link left it is
 *     evicted: the filesystem's evict_inode frees its pages (truncate_inode_pages_final) and
 *     blocks, and its mapping leaves FileMappings;
 *   - a struct file is referenced by fds (several after fork or dup), by VMAs (get_file at mmap,
 *     split, fork) and by calls in flight; __fput at the last one calls f_op->release and drops
 *     the inode reference.
 * So an unlinked file lives on while it is open or mapped, as in the kernel ("(deleted)" in maps).
 */
import { MmBugError, debugVm } from "@mmsim/core";
import {
  type AddressSpaceOperations, Dentry, File, type FileOperations, I_FREEING, Inode, type InodeOperations, type Path, type SuperBlock,
} from "./fs.ts";
import { folioMarkDirty } from "./page-writeback.ts";
import { folioMarkAccessed } from "./swap.ts";
import { truncateInodePagesFinal } from "./truncate.ts";
import type { Vfs } from "./vfs.ts";

/** get_next_ino's per-CPU batch. Kernel: `LAST_INO_BATCH`. */
export const LAST_INO_BATCH = 1024;

/**
 * A new inode number for a filesystem without its own numbering (ramfs, the char devices):
 * per-CPU batches of LAST_INO_BATCH from one shared counter, never 0. Kernel: `get_next_ino()`.
 */
export function getNextIno(vfs: Vfs, cpu: number): number {
  let res = vfs.lastInoCpu.get(cpu) ?? 0;
  if ((res & (LAST_INO_BATCH - 1)) === 0) {
    vfs.sharedLastIno += LAST_INO_BATCH;
    res = vfs.sharedLastIno - LAST_INO_BATCH;
  }
  res++;
  if (res === 0) res++;
  vfs.lastInoCpu.set(cpu, res);
  return res;
}

/**
 * A new inode of `sb` with one reference (the caller's, which d_instantiate hands to a dentry),
 * its address_space registered in the machine's FileMappings. Kernel: `new_inode()` +
 * `inode_init_always()`.
 */
export function newInode(vfs: Vfs, sb: SuperBlock, ino: number, mode: number, aOps: AddressSpaceOperations, iOp: InodeOperations, iFop: FileOperations): Inode {
  const inode = new Inode(sb, ino, mode, vfs.mappings.allocId(), aOps, iOp, iFop);
  inode.iCount = 1;
  sb.sInodes.add(inode);
  const mapping = inode.iMapping;
  mapping.dirtyFolio = (page) => folioMarkDirty(vfs, mapping, page);
  mapping.markAccessed = (page) => folioMarkAccessed(vfs, page);
  vfs.mappings.register(mapping);
  return inode;
}

/** Takes a reference. Kernel: `ihold()` / `__iget()`. */
export function ihold(inode: Inode): void {
  inode.iCount++;
}

/**
 * Drops a reference; at the last one an inode without links is evicted. Kernel: `iput()` →
 * `iput_final()` (generic_drop_inode: !i_nlink).
 */
export function iput(vfs: Vfs, inode: Inode): void {
  if (debugVm.on && inode.iCount <= 0) throw new MmBugError("filemap.iput", `inode ${inode.iIno} of ${inode.iSb.sType.name} put with i_count ${inode.iCount}`);
  if (--inode.iCount > 0) return;
  if (inode.iNlink === 0) evict(vfs, inode);
}

/**
 * Frees an inode: its filesystem's evict_inode (or truncate_inode_pages_final), then it leaves
 * the superblock and FileMappings. Kernel: `evict()`.
 */
export function evict(vfs: Vfs, inode: Inode): void {
  inode.iState |= I_FREEING;
  const op = inode.iSb.sOp;
  if (op !== null) op.evictInode(inode);
  else truncateInodePagesFinal(vfs, inode.iMapping);
  inode.iSb.sInodes.delete(inode);
  vfs.mappings.unregister(inode.iMapping);
}

/** Kernel: `inc_nlink()`. */
export function incNlink(inode: Inode): void {
  inode.iNlink++;
}
/** Kernel: `drop_nlink()`. */
export function dropNlink(inode: Inode): void {
  if (inode.iNlink > 0) inode.iNlink--;
}
/** Kernel: `clear_nlink()`. */
export function clearNlink(inode: Inode): void {
  inode.iNlink = 0;
}

/** A new child dentry `name` of `parent` (not linked to an inode yet). Kernel: `d_alloc()`. */
export function dAlloc(parent: Dentry, name: string): Dentry {
  return new Dentry(name, parent, null);
}

/** Links a dentry to its inode (taking over the caller's inode reference) and hashes it in its parent. Kernel: `d_instantiate()` + `d_add()`. */
export function dInstantiate(dentry: Dentry, inode: Inode): void {
  dentry.dInode = inode;
  dentry.unhashed = false;
  dentry.dParent?.dChildren.set(dentry.dName, dentry);
}

/** The root dentry of a new superblock. Kernel: `d_make_root()`. */
export function dMakeRoot(inode: Inode): Dentry {
  const d = new Dentry("/", null, inode);
  d.dParent = d;
  return d;
}

/**
 * Unlinks a name: the dentry leaves its parent (d_path says " (deleted)" from now on) and its
 * reference to the inode goes. Kernel: `d_delete()` + the final `dput()`.
 */
export function dDelete(vfs: Vfs, dentry: Dentry): void {
  dentry.dParent?.dChildren.delete(dentry.dName);
  dentry.unhashed = true;
  const inode = dentry.dInode;
  if (inode !== null) iput(vfs, inode);
}

/** A new struct file for an open (one reference, the fd's), holding a reference to the inode. Kernel: `alloc_empty_file()` + `do_dentry_open()`. */
export function allocFile(path: Path, inode: Inode, fMode: number, fFlags: number, pseudoName: string | null = null): File {
  ihold(inode);
  return new File(path, inode, fMode, fFlags, pseudoName);
}

/** Kernel: `get_file()`. */
export function getFile(file: File): void {
  file.fCount++;
}

/**
 * Drops a reference to a file; the last one releases it (f_op->release) and its inode reference.
 * Kernel: `fput()` → `__fput()`.
 */
export function fput(vfs: Vfs, file: File): void {
  if (debugVm.on && file.fCount <= 0) throw new MmBugError("filemap.fput", `${file.path} put with f_count ${file.fCount}`);
  if (--file.fCount > 0) return;
  const inode = file.fInode;
  file.fOp.release?.(inode, file);
  iput(vfs, inode);
}
