// Kernel: fs/ramfs/inode.c (ramfs_get_inode, ramfs_mknod, ramfs_mkdir, ramfs_create, ramfs_fill_super, ramfs_kill_sb), fs/ramfs/file-mmu.c (ramfs_file_operations, ramfs_file_inode_operations) (v6.1) — ramfs: a page-cache-only filesystem through the generic paths
/*
 * ramfs keeps its files in the page cache and nowhere else, through the code a disk filesystem
 * uses: generic_file_read_iter (filemap_read), generic_file_write_iter with simple_write_begin/end,
 * generic_file_mmap (filemap_fault, filemap_map_pages, filemap_page_mkwrite), read_folio for holes
 * (simple_read_folio: zeros). Its pages are not swap-backed (NR_FILE_PAGES, not NR_SHMEM), their
 * mapping is unevictable (AS_UNEVICTABLE: the LRU will keep them), GFP_HIGHUSER (not movable),
 * dirty from their first write (noop_dirty_folio), never written back: drop_caches keeps them.
 * There is no size limit; inode numbers come from get_next_ino().
 */
import { GFP_HIGHUSER, PAGE_SIZE } from "@mmsim/core";
import {
  type AddressSpaceOperations, AS_UNEVICTABLE, type Dentry, type FileOperations, type Inode, type InodeOperations, MAX_LFS_FILESIZE,
  S_IFDIR, S_IFMT, S_IFCHR, S_IFREG, type SuperBlock, sIsDir, sIsReg,
} from "./fs.ts";
import { genericFileMmap, genericFileReadIter, genericFileWriteIter } from "./filemap.ts";
import { dInstantiate, dMakeRoot, getNextIno, incNlink, newInode } from "./inode.ts";
import { SIMPLE_DIR_OPERATIONS, simpleReadFolio, simpleRmdir, simpleSetattr, simpleUnlink, simpleWriteBegin, simpleWriteEnd } from "./libfs.ts";
import { chrdevFileOperations } from "./mem.ts";
import { noopDirtyFolio } from "./page-writeback.ts";
import { sgetAnon } from "./super.ts";
import type { FileSystemDriver, Vfs } from "./vfs.ts";

/** Kernel: `RAMFS_MAGIC`. */
export const RAMFS_MAGIC = 0x858458f6;
/** ramfs' default root mode. Kernel: `RAMFS_DEFAULT_MODE`. */
export const RAMFS_DEFAULT_MODE = 0o755;

/** One machine's ramfs: its operation tables and mount. */
export class Ramfs {
  readonly aops: AddressSpaceOperations;
  readonly fileOps: FileOperations;
  readonly fileInodeOps: InodeOperations;
  readonly dirInodeOps: InodeOperations;
  readonly fsType: FileSystemDriver;

  constructor(readonly vfs: Vfs) {
    this.aops = {
      name: "ram_aops",
      readFolio: (_file, page) => simpleReadFolio(vfs, page),
      dirtyFolio: (mapping, page) => noopDirtyFolio(vfs, mapping, page),
      writeBegin: (_file, mapping, pos, len, out) => simpleWriteBegin(vfs, mapping, pos, len, out),
      writeEnd: (_file, mapping, pos, len, copied, page) => simpleWriteEnd(vfs, mapping, pos, len, copied, page),
    };
    this.fileOps = {
      name: "ramfs_file_operations",
      readIter: (iocb, to) => genericFileReadIter(vfs, iocb, to),
      writeIter: (iocb, from) => genericFileWriteIter(vfs, iocb, from),
      mmap: (file, vma) => genericFileMmap(vfs, file, vma),
      fsync: () => 0, // noop_fsync
    };
    this.fileInodeOps = { name: "ramfs_file_inode_operations", setattr: (dentry, attr) => simpleSetattr(vfs, dentry, attr) };
    this.dirInodeOps = {
      name: "ramfs_dir_inode_operations",
      create: (dir, dentry, mode) => this.mknod(dir, dentry, mode | S_IFREG, [0, 0]),
      mkdir: (dir, dentry, mode) => this.mkdir(dir, dentry, mode),
      mknod: (dir, dentry, mode, rdev) => this.mknod(dir, dentry, mode, rdev),
      unlink: (dir, dentry) => simpleUnlink(vfs, dir, dentry),
      rmdir: (dir, dentry) => simpleRmdir(vfs, dir, dentry),
    };
    this.fsType = { name: "ramfs", fsFlags: 0, mount: (v, flags, data) => this.mountRamfs(v, flags, data) };
  }

  /** Kernel: `ramfs_get_inode()`. */
  getInode(sb: SuperBlock, mode: number, rdev: readonly [number, number]): Inode {
    const vfs = this.vfs;
    const ino = getNextIno(vfs, vfs.current().cpu);
    let iOp: InodeOperations = this.fileInodeOps;
    let iFop: FileOperations = chrdevFileOperations(vfs);
    if (sIsReg(mode)) iFop = this.fileOps;
    else if (sIsDir(mode)) {
      iOp = this.dirInodeOps;
      iFop = SIMPLE_DIR_OPERATIONS;
    }
    const inode = newInode(vfs, sb, ino, mode, this.aops, iOp, iFop);
    const mapping = inode.iMapping;
    mapping.gfpMask = GFP_HIGHUSER;
    mapping.flags |= 1 << AS_UNEVICTABLE;
    if (sIsDir(mode)) incNlink(inode); // "." : i_nlink starts at 2
    else if ((mode & S_IFMT) === S_IFCHR) inode.iRdev = rdev;
    return inode;
  }

  /** Kernel: `ramfs_mknod()`. */
  mknod(dir: Inode, dentry: Dentry, mode: number, rdev: readonly [number, number]): number {
    const inode = this.getInode(dir.iSb, mode, rdev);
    dInstantiate(dentry, inode);
    return 0;
  }

  /** Kernel: `ramfs_mkdir()`. */
  mkdir(dir: Inode, dentry: Dentry, mode: number): number {
    this.mknod(dir, dentry, mode | S_IFDIR, [0, 0]);
    incNlink(dir);
    return 0;
  }

  /** A new ramfs superblock (mode= is its one option). Kernel: `ramfs_fill_super()`. @returns the superblock or -errno */
  mountRamfs(vfs: Vfs, flags: number, data: string): SuperBlock | number {
    let mode = RAMFS_DEFAULT_MODE;
    for (const opt of data.split(",")) {
      const m = /^mode=([0-7]+)$/.exec(opt);
      if (m !== null) mode = parseInt(m[1]!, 8) & 0o7777;
      // ramfs ignores unknown options (the kernel's ramfs_parse_param lets them pass)
    }
    const sb = sgetAnon(vfs, this.fsType, flags);
    if (typeof sb === "number") return sb;
    sb.sMaxbytes = MAX_LFS_FILESIZE;
    sb.sBlocksize = PAGE_SIZE;
    sb.sMagic = RAMFS_MAGIC;
    sb.sPinDentries = true; // ramfs_mknod's dget
    sb.sRoot = dMakeRoot(this.getInode(sb, S_IFDIR | mode, [0, 0]));
    return sb;
  }
}
