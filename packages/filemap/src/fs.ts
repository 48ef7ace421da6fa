// Kernel: include/linux/fs.h, include/uapi/asm-generic/fcntl.h + arch/arm64/include/uapi/asm/fcntl.h, include/uapi/linux/stat.h, include/linux/dcache.h, include/linux/mount.h (v6.1) — superblocks, inodes, address_space, dentries, mounts, struct file and the operation tables a filesystem fills in
/*
 * The VFS objects, as plain classes (a machine has tens to thousands of files; per-page state
 * stays in MemMap's typed arrays and each mapping's XArray). A filesystem plugs in through the
 * kernel's four tables:
 *   - FileSystemType (init_fs_context + fill_super: here `mount`),
 *   - SuperOperations (evict_inode, statfs),
 *   - InodeOperations (create, lookup by the dcache here, mkdir, unlink, rmdir, mknod, setattr),
 *   - FileOperations (read_iter, write_iter, mmap, fsync, release),
 *   - AddressSpaceOperations (read_folio, readahead, writepages, dirty_folio, write_begin,
 *     write_end, release_folio, free_folio) — what the page cache calls; tmpfs (shmem.ts),
 *     ramfs (ramfs.ts) and later a disk filesystem (@mmsim/block) each give one.
 *
 * Simplified: one mount namespace; dentries exist only for linked names (no negative dentries;
 * tmpfs and ramfs pin theirs, a disk's are cached on the superblock's LRU: dcache.ts); no symlinks, hard links, rename, xattrs,
 * permissions (tasks are root, as on the capture board), or timestamps.
 */
import { GFP_HIGHUSER_MOVABLE, PAGE_SIZE, type Shrinker } from "@mmsim/core";
import type { MmStruct, VmAreaStruct, VmFile, VmFileMapping } from "@mmsim/vma";
import { XArray } from "./xarray.ts";

// ---------------------------------------------------------------------------------------------
// open flags (arm64 keeps the ARM values of O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE)
// ---------------------------------------------------------------------------------------------

export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECTORY = 0o40000;
export const O_NOFOLLOW = 0o100000;
export const O_DIRECT = 0o200000;
export const O_LARGEFILE = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const __O_SYNC = 0o4000000;
export const O_SYNC = __O_SYNC | O_DSYNC;
export const O_PATH = 0o10000000;

// ---------------------------------------------------------------------------------------------
// file->f_mode
// ---------------------------------------------------------------------------------------------

export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;
export const FMODE_LSEEK = 0x4;
export const FMODE_PREAD = 0x8;
export const FMODE_PWRITE = 0x10;
export const FMODE_EXEC = 0x20;
export const FMODE_ATOMIC_POS = 0x8000;
export const FMODE_CAN_READ = 0x20000;
export const FMODE_CAN_WRITE = 0x40000;
export const FMODE_OPENED = 0x80000;

// ---------------------------------------------------------------------------------------------
// i_mode
// ---------------------------------------------------------------------------------------------

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o60000;
export const S_IFDIR = 0o40000;
export const S_IFCHR = 0o20000;
export const S_IFIFO = 0o10000;
export const S_IRWXUGO = 0o777;
export function sIsReg(mode: number): boolean {
  return (mode & S_IFMT) === S_IFREG;
}
export function sIsDir(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}
export function sIsChr(mode: number): boolean {
  return (mode & S_IFMT) === S_IFCHR;
}

// ---------------------------------------------------------------------------------------------
// limits and flags
// ---------------------------------------------------------------------------------------------

/**
 * The largest file size: LLONG_MAX in the kernel (64-bit). mmsim: page->index is 32 bits
 * (MemMap.index is a Uint32Array), so a file ends at 2^32 pages = 16 TiB; writes and truncates
 * beyond it fail with -EFBIG as they would at s_maxbytes.
 */
export const MAX_LFS_FILESIZE = 2 ** 32 * PAGE_SIZE;
/** Kernel: `SB_RDONLY`, `SB_NOSEC`, `SB_KERNMOUNT`, `SB_NOUSER`. */
export const SB_RDONLY = 1 << 0;
export const SB_NOSEC = 1 << 28;
export const SB_KERNMOUNT = 1 << 22;
export const SB_NOUSER = 1 << 31;
/** inode->i_state: being evicted. Kernel: `I_FREEING`. */
export const I_FREEING = 1 << 5;
/** inode->i_state: used since it joined the inode LRU (one more pass there). Kernel: `I_REFERENCED`. */
export const I_REFERENCED = 1 << 8;
/** dentry->d_flags: used since it joined the dentry LRU. Kernel: `DCACHE_REFERENCED`. */
export const DCACHE_REFERENCED = 0x00000040;
/** dentry->d_flags: on the superblock's dentry LRU. Kernel: `DCACHE_LRU_LIST`. */
export const DCACHE_LRU_LIST = 0x00080000;
/** dentry->d_flags: on a shrinker's dispose list. Kernel: `DCACHE_SHRINK_LIST`. */
export const DCACHE_SHRINK_LIST = 0x00100000;
/** inode->i_flags: an internal inode (shmem_kernel_file_setup). Kernel: `S_PRIVATE`. */
export const S_PRIVATE = 1 << 9;
/** Kernel: `RLIMIT_NOFILE`'s default soft limit (INR_OPEN_CUR). */
export const INR_OPEN_CUR = 1024;
/** ATTR_SIZE for notify_change / setattr. */
export const ATTR_SIZE = 1 << 3;

/** address_space->flags bits. Kernel: `enum mapping_flags` (AS_EIO …, AS_UNEVICTABLE = 3, AS_EXITING = 4). */
export const AS_EIO = 0;
export const AS_ENOSPC = 1;
export const AS_MM_ALL_LOCKS = 2;
export const AS_UNEVICTABLE = 3;
export const AS_EXITING = 4;
export const AS_NO_WRITEBACK_TAGS = 5;
export const AS_LARGE_FOLIO_SUPPORT = 6;

// ---------------------------------------------------------------------------------------------
// The I/O descriptors: struct kiocb and the user side of struct iov_iter
// ---------------------------------------------------------------------------------------------

/**
 * The user memory a read copies to or a write copies from (copy_to_user / copy_from_user over
 * an iov_iter). The simulator carries no bytes, only content identities (see @mmsim/fault's
 * page-contents.ts): a write asks what `bytes` bytes at buffer offset `off` hold, a read says
 * what now lands there.
 */
export interface UserBuffer {
  /**
   * copy_page_from_iter: the content identity of [off, off + bytes) of the buffer.
   * @returns the identity, or -1 when the user memory faults (-EFAULT)
   */
  readContent(off: number, bytes: number): number;
  /**
   * copy_page_to_iter: [off, off + bytes) of the buffer now holds bytes of a page of content
   * `identity` (0: zeros, a hole).
   * @returns false when the user memory faults (-EFAULT)
   */
  writeContent(off: number, bytes: number, identity: number): boolean;
}

/** The user side of one read or write. Kernel: `struct iov_iter` (one segment). */
export class IovIter {
  /** Bytes left. Kernel: `iov_iter_count()`. */
  count = 0;
  /** Bytes done so far (the offset into the user buffer). */
  done = 0;
  /** The user buffer, or null when the data goes nowhere the simulator follows. */
  buf: UserBuffer | null = null;

  /** Starts a new transfer of `count` bytes; returns this. */
  init(buf: UserBuffer | null, count: number): IovIter {
    this.buf = buf;
    this.count = count;
    this.done = 0;
    return this;
  }
  /** Kernel: `iov_iter_advance()`. */
  advance(bytes: number): void {
    this.count -= bytes;
    this.done += bytes;
  }
  /** Kernel: `iov_iter_revert()`. */
  revert(bytes: number): void {
    this.count += bytes;
    this.done -= bytes;
  }
}

/** IOCB flags (ki_flags). Kernel: `IOCB_APPEND`, `IOCB_DSYNC`, `IOCB_SYNC`. */
export const IOCB_APPEND = 1 << 1;
export const IOCB_DSYNC = 1 << 4;
export const IOCB_SYNC = 1 << 5;

/** One I/O on an open file. Kernel: `struct kiocb`. */
export class Kiocb {
  filp: File | null = null;
  /** The file position the I/O starts at (and ends at after it). Kernel: `ki_pos`. */
  pos = 0;
  flags = 0;

  /** Kernel: `init_sync_kiocb()`. Returns this. */
  init(filp: File, pos: number): Kiocb {
    this.filp = filp;
    this.pos = pos;
    const f = filp.fFlags;
    this.flags = ((f & O_APPEND) !== 0 ? IOCB_APPEND : 0) | ((f & O_DSYNC) !== 0 ? IOCB_DSYNC : 0) | ((f & __O_SYNC) !== 0 ? IOCB_SYNC : 0);
    return this;
  }
}

// ---------------------------------------------------------------------------------------------
// Operation tables
// ---------------------------------------------------------------------------------------------

/** What write_begin hands write_end: the page to copy into. */
export class WriteBeginOut {
  /** The locked page cache page, or -1. Kernel: `*pagep`. */
  page = -1;
}

/** struct writeback_control, as far as writepages needs it. */
export interface WritebackControl {
  /** WB_SYNC_NONE (0) or WB_SYNC_ALL (1). */
  readonly syncMode: number;
  /** Byte range to write (range_start, range_end inclusive). */
  readonly rangeStart: number;
  readonly rangeEnd: number;
  /** Pages still to write (nr_to_write); writepages decrements it. */
  nrToWrite: number;
}
export const WB_SYNC_NONE = 0;
export const WB_SYNC_ALL = 1;

/** A readahead request. Kernel: `struct readahead_control` (the folios are already in the page cache, locked, not uptodate). */
export interface ReadaheadControl {
  readonly file: File | null;
  readonly mapping: AddressSpace;
  /** First page index and number of pages to read. */
  readonly index: number;
  readonly nrPages: number;
}

/**
 * What the page cache calls into the filesystem. Kernel: `struct address_space_operations`.
 * A disk filesystem implements readFolio/readahead/writepages with I/O on the simulated clock;
 * tmpfs and ramfs have no backing store.
 */
export interface AddressSpaceOperations {
  /** The table's kernel name ("shmem_aops", "ram_aops"), for messages. */
  readonly name: string;
  /** Reads one locked folio from the backing store and marks it uptodate. @returns 0 or -errno. Kernel: `read_folio`. */
  readFolio?(file: File | null, page: number): number;
  /** Reads the folios of a readahead window. Kernel: `readahead`. */
  readahead?(rac: ReadaheadControl): void;
  /** Writes dirty pages back (tagged PAGECACHE_TAG_DIRTY). @returns 0 or -errno. Kernel: `writepages`. */
  writepages?(mapping: AddressSpace, wbc: WritebackControl): number;
  /** Marks a folio dirty in the way this mapping accounts it. @returns true if it was clean. Kernel: `dirty_folio`. */
  dirtyFolio(mapping: AddressSpace, page: number): boolean;
  /**
   * Prepares the page the next `len` bytes at `pos` are copied into (found or allocated, read
   * when partly written). @returns 0 or -errno (-ENOSPC, -ENOMEM, -EFBIG). Kernel: `write_begin`.
   */
  writeBegin(file: File, mapping: AddressSpace, pos: number, len: number, out: WriteBeginOut): number;
  /**
   * Finishes a copy of `copied` bytes into `page`: uptodate, dirty, i_size, reference dropped.
   * @returns the bytes accepted. Kernel: `write_end`.
   */
  writeEnd(file: File, mapping: AddressSpace, pos: number, len: number, copied: number, page: number): number;
  /**
   * Writes one locked dirty page for reclaim (pageout() has cleared PG_dirty and set PG_reclaim):
   * shmem moves it to swap. @returns 0 (the page unlocked), AOP_WRITEPAGE_ACTIVATE (kept, still
   * locked, dirty again), or -errno. Kernel: `writepage` (`wbc->for_reclaim` when `forReclaim`).
   */
  writepage?(page: number, forReclaim: boolean): number;
  /** Kernel: `release_folio`. @returns true if the folio's private data is gone. */
  releaseFolio?(page: number): boolean;
  /** Called once a folio left the page cache. Kernel: `free_folio`. */
  freeFolio?(page: number): void;
  /**
   * How the mapping's folios migrate (@mmsim/migrate moves them): `migrate_folio` (shmem, the
   * swap cache), `buffer_migrate_folio` (disk files: without buffer heads, the same), or absent:
   * fallback_migrate_folio (a dirty folio must be written out first; ramfs). Kernel: `migrate_folio`.
   */
  readonly migrateFolio?: "migrate_folio" | "buffer_migrate_folio" | "buffer_migrate_folio_norefs";
}

/** Kernel: `struct file_operations`. */
export interface FileOperations {
  readonly name: string;
  /** @returns bytes read, or -errno. Kernel: `read_iter`. */
  readIter?(iocb: Kiocb, to: IovIter): number;
  /** @returns bytes written, or -errno. Kernel: `write_iter`. */
  writeIter?(iocb: Kiocb, from: IovIter): number;
  /** Sets vma.vmOps (or refuses). @returns 0 or -errno. Kernel: `mmap`. */
  mmap?(file: File, vma: VmAreaStruct): number;
  /** @returns 0 or -errno. Kernel: `open`. */
  open?(inode: Inode, file: File): number;
  /** The last reference to the file is gone. Kernel: `release`. */
  release?(inode: Inode, file: File): void;
  /** @returns 0 or -errno. Kernel: `fsync`. */
  fsync?(file: File, start: number, end: number, datasync: boolean): number;
}

/** Attributes to change. Kernel: `struct iattr` (size only here). */
export interface Iattr {
  readonly valid: number;
  readonly size: number;
}

/** Kernel: `struct inode_operations` (the directory and attribute ones used here). */
export interface InodeOperations {
  readonly name: string;
  /**
   * Finds `dentry`'s name in directory `dir` on the filesystem and instantiates it (a dcache
   * miss). @returns 0 (found: dentry hashed), -ENOENT, or -errno. Kernel: `lookup` (d_splice_alias).
   */
  lookup?(dir: Inode, dentry: Dentry): number;
  /** A new regular file `dentry` in `dir`. @returns 0 or -errno. Kernel: `create`. */
  create?(dir: Inode, dentry: Dentry, mode: number): number;
  /** @returns 0 or -errno. Kernel: `mkdir`. */
  mkdir?(dir: Inode, dentry: Dentry, mode: number): number;
  /** @returns 0 or -errno. Kernel: `mknod`. */
  mknod?(dir: Inode, dentry: Dentry, mode: number, rdev: readonly [number, number]): number;
  /** Removes the name (the inode lives on while open or mapped). @returns 0 or -errno. Kernel: `unlink`. */
  unlink?(dir: Inode, dentry: Dentry): number;
  /** @returns 0 or -errno (-ENOTEMPTY). Kernel: `rmdir`. */
  rmdir?(dir: Inode, dentry: Dentry): number;
  /** @returns 0 or -errno. Kernel: `setattr`. */
  setattr?(dentry: Dentry, attr: Iattr): number;
}

/** Kernel: `struct super_operations`. */
export interface SuperOperations {
  readonly name: string;
  /** The inode's last reference is gone and it has no name: free its pages and blocks. Kernel: `evict_inode`. */
  evictInode(inode: Inode): void;
  /** The superblock is going away (umount). Kernel: `put_super`. */
  putSuper?(sb: SuperBlock): void;
}

/** A filesystem type, by name ("tmpfs", "ramfs"). Kernel: `struct file_system_type`. */
export interface FileSystemType {
  readonly name: string;
  /** Kernel: `FS_REQUIRES_DEV`-style flags; none here. */
  readonly fsFlags: number;
}

// ---------------------------------------------------------------------------------------------
// The objects
// ---------------------------------------------------------------------------------------------

/** One mounted filesystem instance. Kernel: `struct super_block`. */
export class SuperBlock {
  /** s_dev as major:minor (anonymous devices: 0:n from get_anon_bdev). */
  readonly sDev: readonly [number, number];
  sFlags: number;
  sMaxbytes = MAX_LFS_FILESIZE;
  sBlocksize = PAGE_SIZE;
  sMagic = 0;
  sOp: SuperOperations | null = null;
  /** The root dentry. Kernel: `s_root`. */
  sRoot: Dentry | null = null;
  /** Every inode of this superblock (drop_caches walks them). Kernel: `s_inodes`. */
  readonly sInodes = new Set<Inode>();
  /** The filesystem's private info (shmem_sb_info, ramfs_fs_info). Kernel: `s_fs_info`. */
  sFsInfo: unknown = null;
  /** Mounts using this superblock. */
  sMounts = 0;
  /** The backing device writes back (BDI_CAP_WRITEBACK of s_bdi): false for tmpfs and ramfs (noop_backing_dev_info). */
  sBdiWriteback = false;
  /**
   * Unused dentries, oldest first (a Set keeps insertion order: list_lru_add appends, a rotate
   * deletes and re-adds). Kernel: `s_dentry_lru`.
   */
  readonly sDentryLru = new Set<Dentry>();
  /** Unused clean inodes without page cache, oldest first. Kernel: `s_inode_lru`. */
  readonly sInodeLru = new Set<Inode>();
  /** The superblock's shrinker (super_cache_count/scan), registered at mount of a disk filesystem; null: none. Kernel: `s_shrink`. */
  sShrink: Shrinker | null = null;
  /**
   * Dentries of this filesystem are pinned from creation to unlink (shmem_mknod's and
   * ramfs_mknod's extra dget): tmpfs and ramfs, whose files exist only in the cache.
   */
  sPinDentries = false;
  /** The slab cache its inodes come from ("shmem_inode_cache", "ext4_inode_cache", "inode_cache"). Kernel: `s_op->alloc_inode`'s cache. */
  sInodeCache = "inode_cache";

  constructor(
    readonly sType: FileSystemType,
    sDev: readonly [number, number],
    sFlags: number,
  ) {
    this.sDev = Object.freeze([sDev[0], sDev[1]] as const);
    this.sFlags = sFlags;
  }
}

/** One file's pages in memory. Kernel: `struct address_space` (inode->i_data). */
export class AddressSpace implements VmFileMapping {
  /** The index of its pages by offset, with value (shadow / swap) entries. Kernel: `i_pages`. */
  readonly iPages = new XArray();
  /** Pages in the page cache. Kernel: `nrpages`. */
  nrpages = 0;
  /** VMAs mapping the file (kept by @mmsim/vma). Kernel: `i_mmap`. */
  readonly iMmap = new Set<VmAreaStruct>();
  /** Shmem/tmpfs: pages are PG_swapbacked (counted in NR_SHMEM, MM_SHMEMPAGES). */
  swapBacked = false;
  aOps: AddressSpaceOperations;
  /** AS_* bits. */
  flags = 0;
  /** The GFP mask page cache allocations use. Kernel: `mapping_gfp_mask()` (inode_init_always: GFP_HIGHUSER_MOVABLE). */
  gfpMask = GFP_HIGHUSER_MOVABLE;
  /** Where the next writeback pass resumes (pages). Kernel: `writeback_index`. */
  writebackIndex = 0;

  constructor(
    /** The id its pages carry in mem.mapping (> 0). */
    readonly id: number,
    /** The inode. Kernel: `host`. */
    readonly host: Inode,
    aOps: AddressSpaceOperations,
  ) {
    this.aOps = aOps;
  }

  /**
   * folio_mark_dirty() for mm's callers (zap_pte_range and try_to_unmap_one on a dirty PTE): set
   * by newInode(), which knows the Vfs. @returns true if the page was clean
   */
  dirtyFolio?: (page: number) => boolean;
  /** folio_mark_accessed() for mm's callers (zap_pte_range on a young PTE): set by newInode(). */
  markAccessed?: (page: number) => void;

  /** i_size_read(host). */
  get iSize(): number {
    return this.host.iSize;
  }
}

/** One name in a directory. Kernel: `struct dentry`. */
export class Dentry {
  /** Children by name (directories). Kernel: `d_subdirs`. */
  readonly dChildren = new Map<string, Dentry>();
  /** Unlinked: d_path shows " (deleted)". Kernel: `d_unhashed()`. */
  unhashed = false;
  /** A filesystem mounted on this dentry, if any. Kernel: `d_mountpoint()` and the mount hash. */
  mounted: Vfsmount | null = null;
  /**
   * References: the creator's while it is being set up, each child's (d_parent), each open
   * file's (f_path), a mount on it, the pin of tmpfs and ramfs, a walk calling into the
   * filesystem below it. At 0 a hashed dentry stays cached on its superblock's LRU; an unhashed
   * one is freed. Kernel: `d_lockref.count`.
   */
  dCount = 0;
  /** DCACHE_* flags. Kernel: `d_flags`. */
  dFlags = 0;
  /** Its superblock. Kernel: `d_sb`. */
  dSb: SuperBlock | null = null;
  /** Its object in the `dentry` slab cache (an address), or 0: made before the VFS caches were set up (boot). */
  dObj = 0;
  /** It holds a reference to dInode (dropped when it is unlinked: d_delete's iput). */
  dInodeHeld = false;

  constructor(
    readonly dName: string,
    /** The parent (itself for a root). Kernel: `d_parent`. */
    public dParent: Dentry | null,
    public dInode: Inode | null,
  ) {}
}

/** A mounted superblock. Kernel: `struct vfsmount` + `struct mount`. */
export class Vfsmount {
  constructor(
    readonly mntSb: SuperBlock,
    readonly mntRoot: Dentry,
    /** The mount it is mounted on, and the dentry there (null for the root mount). */
    readonly mntParent: Vfsmount | null,
    readonly mntMountpoint: Dentry | null,
    /** The device name mount(2) was given ("tmpfs", "rootfs"). */
    readonly devName: string,
  ) {}
}

/** Per-inode shmem state. Kernel: `struct shmem_inode_info`. */
export interface ShmemInodeInfo {
  /** VM_NORESERVE for tmpfs files (blocks charged as allocated), 0 for shmem_zero_setup's (size charged at setup). */
  flags: number;
  /** Pages allocated to the file (in the page cache or swapped). Kernel: `alloced`. */
  alloced: number;
  /** Pages swapped out. Kernel: `swapped`. */
  swapped: number;
  /** F_SEAL_* (none set here). */
  seals: number;
}

/** One file. Kernel: `struct inode`. */
export class Inode {
  iMode: number;
  iNlink = 1;
  /** Bytes. Kernel: `i_size`. */
  iSize = 0;
  /** 512-byte blocks. Kernel: `i_blocks`. */
  iBlocks = 0;
  /** References: one per linked dentry, one per open struct file. Kernel: `i_count` (with the dentries' d_count folded in). */
  iCount = 0;
  iState = 0;
  iFlags = 0;
  /** Device number of a character device. Kernel: `i_rdev`. */
  iRdev: readonly [number, number] = [0, 0];
  iOp: InodeOperations;
  iFop: FileOperations;
  /** The page cache. Kernel: `i_data` (i_mapping points at it). */
  readonly iMapping: AddressSpace;
  /** shmem's per-inode info (SHMEM_I); null for other filesystems. */
  shmem: ShmemInodeInfo | null = null;
  /** Its object in its filesystem's inode cache (an address), or 0: made before the VFS caches were set up (boot). */
  iObj = 0;
  /** The slab cache id of iObj. */
  iCacheId = -1;

  constructor(
    readonly iSb: SuperBlock,
    readonly iIno: number,
    iMode: number,
    mappingId: number,
    aOps: AddressSpaceOperations,
    iOp: InodeOperations,
    iFop: FileOperations,
  ) {
    this.iMode = iMode;
    this.iOp = iOp;
    this.iFop = iFop;
    this.iMapping = new AddressSpace(mappingId, this, aOps);
  }
}

/** file->f_ra: readahead state (what filemap_map_pages and filemap_fault keep). Kernel: `struct file_ra_state`. */
export class FileRaState {
  start = 0;
  size = 0;
  asyncSize = 0;
  /** 32 × read_ahead_kb / 4 = 32 pages by default (VM_READAHEAD_PAGES). */
  raPages = 32;
  /** Cache-miss counter of mmap faults. Kernel: `mmap_miss`. */
  mmapMiss = 0;
  prevPos = -1;
  /** Opened or advised for random access. Kernel: `FMODE_RANDOM` in f_mode (@mmsim/block's FileRaState has the same shape). */
  fmodeRandom = false;
}

/** The path of a file: a mount and a dentry on it. Kernel: `struct path`. */
export interface Path {
  readonly mnt: Vfsmount;
  readonly dentry: Dentry;
}

/**
 * An open file. It is what mm sees as vm_file (VmFile): path, device and inode number for
 * /proc/<pid>/maps, f_mapping, f_mode, f_op->mmap. Kernel: `struct file`.
 */
export class File implements VmFile {
  /** Position for read/write without an offset. Kernel: `f_pos`. */
  fPos = 0;
  /** References: fds, VMAs, calls in flight. Kernel: `f_count`. */
  fCount = 1;
  readonly fRa = new FileRaState();
  /** It holds a reference to its dentry (alloc_file's path_get); pseudo files made by hand do not. */
  fPathRef = false;
  readonly fMapping: AddressSpace;
  readonly fOp: FileOperations;

  constructor(
    readonly fPath: Path,
    readonly fInode: Inode,
    /** FMODE_*. Kernel: `f_mode`. */
    readonly fMode: number,
    /** The open flags (O_*) less O_CREAT/O_EXCL/O_NOCTTY/O_TRUNC. Kernel: `f_flags`. */
    public fFlags: number,
    /** The name d_path gives a pseudo file (shmem_zero_setup's "/dev/zero"), or null to walk the dentries. */
    private readonly pseudoName: string | null = null,
  ) {
    this.fMapping = fInode.iMapping;
    this.fOp = fInode.iFop;
  }

  /** d_path(&file->f_path): what /proc/<pid>/maps prints, " (deleted)" once unlinked. */
  get path(): string {
    if (this.pseudoName !== null) return `${this.pseudoName} (deleted)`;
    const p = dPath(this.fPath);
    return this.fPath.dentry.unhashed ? `${p} (deleted)` : p;
  }
  /** The superblock's device, as maps prints it. */
  get dev(): readonly [number, number] {
    return this.fInode.iSb.sDev;
  }
  get ino(): number {
    return this.fInode.iIno;
  }
  /** f_mapping as mm sees it. */
  get mapping(): VmFileMapping {
    return this.fMapping;
  }

  /** call_mmap: f_op->mmap, or -ENODEV when the file has none. */
  mmap(vma: VmAreaStruct): number {
    const op = this.fOp.mmap;
    return op !== undefined ? op.call(this.fOp, this, vma) : -19; // -ENODEV
  }
}

/** The path of a dentry from the namespace root, crossing mountpoints. Kernel: `d_path()` / `prepend_path()`. */
export function dPath(path: Path): string {
  const parts: string[] = [];
  let mnt: Vfsmount | null = path.mnt;
  let d: Dentry = path.dentry;
  for (;;) {
    if (d === mnt.mntRoot) {
      if (mnt.mntParent === null || mnt.mntMountpoint === null) break;
      d = mnt.mntMountpoint;
      mnt = mnt.mntParent;
      continue;
    }
    parts.push(d.dName);
    d = d.dParent ?? d;
  }
  return "/" + parts.reverse().join("/");
}

/** file_inode(). */
export function fileInode(f: File): Inode {
  return f.fInode;
}

/** What a VFS call needs to know about the calling task. */
export interface FsTask {
  /** The CPU it runs on (page allocations use its per-CPU lists). */
  readonly cpu: number;
  /** current->mm (overcommit's checks), or null in kernel context. */
  readonly mm: MmStruct | null;
  /** current->comm and pid (drop_caches' message). */
  readonly comm: string;
  readonly pid: number;
}
