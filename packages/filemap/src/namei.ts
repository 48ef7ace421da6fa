// Kernel: fs/namei.c (link_path_walk, walk_component, follow_dotdot, filename_lookup, filename_parentat, path_openat, open_last_lookups, do_open, may_open, filename_create, do_mkdirat, do_unlinkat, do_rmdir, vfs_create, vfs_mkdir, vfs_unlink, vfs_rmdir), fs/open.c (build_open_flags, do_dentry_open) (v6.1) — path lookup and the name-changing syscalls
/*
 * Paths resolve from the namespace root (every task's root and cwd is "/"), component by
 * component through the dentries, crossing mountpoints down (a mount hides what it is mounted
 * on) and up (".." at a mount's root goes to its mountpoint's parent). Errnos are the man pages':
 * ENOENT for a missing component or an empty path, ENOTDIR for a component that is not a
 * directory (or a trailing slash on a file), EISDIR for writing or creating over a directory,
 * EEXIST for O_CREAT|O_EXCL or mkdir of an existing name, ENOTEMPTY, EBUSY for a mountpoint,
 * ENAMETOOLONG beyond PATH_MAX (4096) or NAME_MAX (255).
 *
 * Simplified: no symlinks (O_NOFOLLOW has nothing to refuse), no permission checks (root), no
 * O_PATH or O_TMPFILE (-EINVAL), no relative dirfd (AT_FDCWD only).
 */
import {
  EBUSY, EEXIST, EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOMEM, ENOTDIR, ENOTEMPTY, EPERM,
} from "@mmsim/core";
import {
  ATTR_SIZE, type Dentry, FMODE_CAN_READ, FMODE_CAN_WRITE, FMODE_LSEEK, FMODE_OPENED, FMODE_PREAD, FMODE_PWRITE, type File, type Inode,
  O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_LARGEFILE, O_NOCTTY, O_PATH, O_TRUNC, type Path, type Vfsmount, sIsDir, sIsReg,
} from "./fs.ts";
import { dget, dput } from "./dcache.ts";
import { allocFile, dAlloc, fput } from "./inode.ts";
import type { Vfs } from "./vfs.ts";

/** Kernel: `PATH_MAX`, `NAME_MAX`. */
export const PATH_MAX = 4096;
export const NAME_MAX = 255;
/** `__O_TMPFILE` (with O_DIRECTORY): not supported here. */
export const __O_TMPFILE = 0o20000000;

/** A resolved parent: the directory and the last component. */
export interface ParentPath {
  readonly path: Path;
  /** The last component ("" for "/", "." or ".." as written). */
  readonly last: string;
  /** The last component was "." (LAST_DOT), ".." (LAST_DOTDOT), or the path was "/" (LAST_ROOT). */
  readonly lastType: "norm" | "dot" | "dotdot" | "root";
  /** The path ended with "/". */
  readonly trailingSlash: boolean;
}

/** The namespace root. */
function rootPath(vfs: Vfs): Path {
  const mnt = vfs.rootMnt;
  if (mnt === null) throw new Error("filemap: no root filesystem mounted (mountRootfs first)");
  return { mnt, dentry: mnt.mntRoot };
}

/** Goes down through the mounts stacked on a dentry. Kernel: `follow_mount()` / `traverse_mounts()`. */
export function followMounts(mnt: Vfsmount, dentry: Dentry): Path {
  while (dentry.mounted !== null) {
    mnt = dentry.mounted;
    dentry = mnt.mntRoot;
  }
  return { mnt, dentry };
}

/** "..": the parent, going up out of mounts whose root we are at; the namespace root is its own parent. Kernel: `follow_dotdot()`. */
function followDotdot(vfs: Vfs, p: Path): Path {
  const root = rootPath(vfs);
  let mnt = p.mnt;
  let d = p.dentry;
  for (;;) {
    if (mnt === root.mnt && d === root.dentry) return p;
    if (d !== mnt.mntRoot) break;
    if (mnt.mntParent === null || mnt.mntMountpoint === null) return p;
    d = mnt.mntMountpoint;
    mnt = mnt.mntParent;
  }
  return followMounts(mnt, d.dParent ?? d);
}

/** Splits a path into components; checks its length. @returns the components, or -errno */
function splitPath(name: string): { comps: string[]; trailingSlash: boolean } | number {
  if (name.length === 0) return -ENOENT;
  if (name.length >= PATH_MAX) return -ENAMETOOLONG;
  const comps = name.split("/").filter((c) => c !== "");
  for (const c of comps) if (c.length > NAME_MAX) return -ENAMETOOLONG;
  return { comps, trailingSlash: name.endsWith("/") && comps.length > 0 };
}

/**
 * The child `name` of a directory: from the dcache, or, when it is not cached (never looked up,
 * or pruned by the shrinker), from the filesystem's lookup, which reads the directory and the
 * inode and hashes a new dentry (left cached: unused, on the LRU). The parent is held across the
 * call, which may allocate and so reclaim. Kernel: `lookup_fast()` (d_lookup) then
 * `lookup_slow()` → `d_alloc_parallel()` + `i_op->lookup`. Negative dentries are not kept.
 * @returns the dentry (no reference taken), undefined when the name does not exist, or -ENOMEM
 */
export function lookupChild(vfs: Vfs, parent: Dentry, name: string): Dentry | undefined | number {
  const cached = parent.dChildren.get(name);
  if (cached !== undefined) return cached;
  const dir = parent.dInode;
  const lookup = dir?.iOp.lookup;
  if (dir === null || dir === undefined || lookup === undefined) return undefined;
  dget(parent);
  const d = dAlloc(vfs, parent, name);
  if (d === null) {
    dput(vfs, parent);
    return -ENOMEM;
  }
  const err = lookup.call(dir.iOp, dir, d);
  const found = err === 0 && !d.unhashed ? d : undefined;
  dput(vfs, d); // a found name stays cached; a miss dies (no negative dentries)
  dput(vfs, parent);
  return err !== 0 && err !== -ENOENT ? err : found;
}

/** Walks `comps` from the root (every path is taken from "/": the tasks' root and cwd). @returns the path, or -errno */
function walk(vfs: Vfs, comps: readonly string[]): Path | number {
  let p = followMounts(rootPath(vfs).mnt, rootPath(vfs).dentry);
  for (const c of comps) {
    const inode = p.dentry.dInode;
    if (inode === null || !sIsDir(inode.iMode)) return -ENOTDIR;
    if (c === ".") continue;
    if (c === "..") {
      p = followDotdot(vfs, p);
      continue;
    }
    const child = lookupChild(vfs, p.dentry, c);
    if (typeof child === "number") return child;
    if (child === undefined) return -ENOENT;
    p = followMounts(p.mnt, child);
  }
  return p;
}

/**
 * Resolves a path; a trailing slash or `mustBeDir` asks for a directory. Kernel:
 * `filename_lookup()` (LOOKUP_DIRECTORY).
 * @returns the path, or -errno
 */
export function filenameLookup(vfs: Vfs, name: string, mustBeDir = false): Path | number {
  const s = splitPath(name);
  if (typeof s === "number") return s;
  const p = walk(vfs, s.comps);
  if (typeof p === "number") return p;
  if ((s.trailingSlash || mustBeDir) && (p.dentry.dInode === null || !sIsDir(p.dentry.dInode.iMode))) return -ENOTDIR;
  return p;
}

/** Resolves all but the last component. Kernel: `filename_parentat()`. @returns the parent, or -errno */
export function filenameParentat(vfs: Vfs, name: string): ParentPath | number {
  const s = splitPath(name);
  if (typeof s === "number") return s;
  if (s.comps.length === 0) return { path: rootPath(vfs), last: "", lastType: "root", trailingSlash: false };
  const p = walk(vfs, s.comps.slice(0, -1));
  if (typeof p === "number") return p;
  const inode = p.dentry.dInode;
  if (inode === null || !sIsDir(inode.iMode)) return -ENOTDIR;
  const last = s.comps[s.comps.length - 1]!;
  return { path: p, last, lastType: last === "." ? "dot" : last === ".." ? "dotdot" : "norm", trailingSlash: s.trailingSlash };
}

/** Kernel: `OPEN_FMODE()`. */
function openFmode(flags: number): number {
  return (flags + 1) & O_ACCMODE;
}

/**
 * Opens the file at `path`: a new struct file with f_mode from the access mode, the inode's
 * f_op, then f_op->open. Kernel: `vfs_open()` → `do_dentry_open()`.
 * @returns the file, or -errno
 */
export function vfsOpen(_vfs: Vfs, path: Path, flags: number): File | number {
  const inode = path.dentry.dInode!;
  let fMode = openFmode(flags) | FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
  const fop = inode.iFop;
  if ((fMode & 1) !== 0 && fop.readIter !== undefined) fMode |= FMODE_CAN_READ;
  if ((fMode & 2) !== 0 && fop.writeIter !== undefined) fMode |= FMODE_CAN_WRITE;
  fMode |= FMODE_OPENED;
  const file = allocFile(path, inode, fMode, (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC)) | O_LARGEFILE);
  return file;
}

/** ATTR_SIZE on an inode through its setattr. Kernel: `do_truncate()` → `notify_change()`. @returns 0 or -errno */
export function doTruncate(_vfs: Vfs, dentry: Dentry, length: number): number {
  if (length < 0) return -EINVAL;
  const inode = dentry.dInode!;
  const setattr = inode.iOp.setattr;
  if (setattr === undefined) return -EPERM;
  return setattr.call(inode.iOp, dentry, { valid: ATTR_SIZE, size: length });
}

/**
 * open(2) of a path: lookup, O_CREAT's create (or EEXIST with O_EXCL), the directory checks,
 * the open, O_TRUNC. Kernel: `do_filp_open()` → `path_openat()` (open_last_lookups, do_open).
 * @returns the file (one reference), or -errno
 */
export function doFilpOpen(vfs: Vfs, name: string, flags: number, mode: number): File | number {
  const created: { dentry: Dentry | null } = { dentry: null };
  const result = pathOpenat(vfs, name, flags, mode, created);
  // the new dentry's creation reference: the file holds its own now (or the open failed)
  if (created.dentry !== null) dput(vfs, created.dentry);
  return result;
}

/** doFilpOpen's body; a dentry it creates is handed back in `out` with its creation reference. Kernel: `path_openat()`. */
function pathOpenat(vfs: Vfs, name: string, flags: number, mode: number, out: { dentry: Dentry | null }): File | number {
  if ((flags & (O_PATH | __O_TMPFILE)) !== 0) return -EINVAL;
  let path: Path;
  let created = false;
  let mustBeDir = (flags & O_DIRECTORY) !== 0;
  if ((flags & O_CREAT) === 0) {
    const p = filenameLookup(vfs, name, mustBeDir);
    if (typeof p === "number") return p;
    path = p;
  } else {
    const parent = filenameParentat(vfs, name);
    if (typeof parent === "number") return parent;
    if (parent.lastType !== "norm" || parent.trailingSlash) return -EISDIR;
    const dir = parent.path;
    const existing = lookupChild(vfs, dir.dentry, parent.last);
    if (typeof existing === "number") return existing;
    if (existing !== undefined) {
      if ((flags & O_EXCL) !== 0) return -EEXIST;
      path = followMounts(dir.mnt, existing);
      if (sIsDir(path.dentry.dInode!.iMode)) return -EISDIR;
    } else {
      const dirInode = dir.dentry.dInode!;
      const create = dirInode.iOp.create;
      if (create === undefined) return -EPERM;
      const dentry = dAlloc(vfs, dir.dentry, parent.last);
      if (dentry === null) return -ENOMEM;
      const err = create.call(dirInode.iOp, dirInode, dentry, mode & 0o7777);
      if (err !== 0) {
        dput(vfs, dentry);
        return err;
      }
      path = { mnt: dir.mnt, dentry };
      created = true;
      out.dentry = dentry;
    }
    mustBeDir = false;
  }
  const inode: Inode = path.dentry.dInode!;
  // do_open
  if (mustBeDir && !sIsDir(inode.iMode)) return -ENOTDIR;
  const accWrite = (flags & O_ACCMODE) !== 0 || ((flags & O_TRUNC) !== 0 && !created);
  if (sIsDir(inode.iMode) && accWrite) return -EISDIR; // may_open
  const file = vfsOpen(vfs, path, flags);
  if (typeof file === "number") return file;
  const open = file.fOp.open;
  if (open !== undefined) {
    const err = open.call(file.fOp, inode, file);
    if (err !== 0) {
      fput(vfs, file);
      return err;
    }
  }
  if (!created && (flags & O_TRUNC) !== 0 && sIsReg(inode.iMode)) {
    const err = doTruncate(vfs, path.dentry, 0); // handle_truncate
    if (err !== 0) {
      fput(vfs, file);
      return err;
    }
  }
  return file;
}

/**
 * mkdir(2). Kernel: `do_mkdirat()` (filename_create: EEXIST for an existing name or "."/"..")
 * → `vfs_mkdir()`.
 * @returns 0 or -errno
 */
export function doMkdirat(vfs: Vfs, name: string, mode: number): number {
  const parent = filenameParentat(vfs, name);
  if (typeof parent === "number") return parent;
  if (parent.lastType !== "norm") return -EEXIST;
  const dir = parent.path;
  const existing = lookupChild(vfs, dir.dentry, parent.last);
  if (typeof existing === "number") return existing;
  if (existing !== undefined) return -EEXIST;
  const dirInode = dir.dentry.dInode!;
  const mkdir = dirInode.iOp.mkdir;
  if (mkdir === undefined) return -EPERM;
  const d = dAlloc(vfs, dir.dentry, parent.last);
  if (d === null) return -ENOMEM;
  const err = mkdir.call(dirInode.iOp, dirInode, d, mode & 0o7777);
  dput(vfs, d);
  return err;
}

/**
 * unlink(2): the name goes; the file lives on while open or mapped. Kernel: `do_unlinkat()` →
 * `vfs_unlink()` (EISDIR for a directory, EBUSY for a mountpoint).
 * @returns 0 or -errno
 */
export function doUnlinkat(vfs: Vfs, name: string): number {
  const parent = filenameParentat(vfs, name);
  if (typeof parent === "number") return parent;
  if (parent.lastType !== "norm") return -EISDIR;
  const dir = parent.path;
  const child = lookupChild(vfs, dir.dentry, parent.last);
  if (typeof child === "number") return child;
  if (parent.trailingSlash) return child === undefined ? -ENOENT : sIsDir(child.dInode!.iMode) ? -EISDIR : -ENOTDIR;
  if (child === undefined) return -ENOENT;
  if (sIsDir(child.dInode!.iMode)) return -EISDIR;
  if (child.mounted !== null) return -EBUSY;
  const dirInode = dir.dentry.dInode!;
  const unlink = dirInode.iOp.unlink;
  if (unlink === undefined) return -EPERM;
  dget(dir.dentry);
  dget(child);
  const err = unlink.call(dirInode.iOp, dirInode, child);
  dput(vfs, child); // an unlinked name dies with this last reference
  dput(vfs, dir.dentry);
  return err;
}

/**
 * rmdir(2). Kernel: `do_rmdir()` → `vfs_rmdir()` (EINVAL for ".", ENOTEMPTY for ".." or a
 * non-empty directory, EBUSY for "/" or a mountpoint).
 * @returns 0 or -errno
 */
export function doRmdir(vfs: Vfs, name: string): number {
  const parent = filenameParentat(vfs, name);
  if (typeof parent === "number") return parent;
  if (parent.lastType === "dot") return -EINVAL;
  if (parent.lastType === "dotdot") return -ENOTEMPTY;
  if (parent.lastType === "root") return -EBUSY;
  const dir = parent.path;
  const child = lookupChild(vfs, dir.dentry, parent.last);
  if (typeof child === "number") return child;
  if (child === undefined) return -ENOENT;
  if (!sIsDir(child.dInode!.iMode)) return -ENOTDIR;
  if (child.mounted !== null) return -EBUSY;
  if (child.dChildren.size > 0) return -ENOTEMPTY;
  const dirInode = dir.dentry.dInode!;
  const rmdir = dirInode.iOp.rmdir;
  if (rmdir === undefined) return -EPERM;
  dget(dir.dentry);
  dget(child);
  const err = rmdir.call(dirInode.iOp, dirInode, child);
  dput(vfs, child);
  dput(vfs, dir.dentry);
  return err;
}
