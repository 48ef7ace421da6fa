// Kernel: mm/shmem.c (v6.1) — tmpfs and shared memory: shmem_get_folio_gfp with the SGP_* modes, shmem_add_to_page_cache, block and inode accounting (shmem_inode_acct_block, shmem_reserve_inode, shmem_recalc_inode), shmem_file_read_iter, shmem_write_begin/end, shmem_setattr and shmem_undo_range, shmem_evict_inode, shmem_fault, shmem_mmap, tmpfs mount options, __shmem_file_setup and shmem_zero_setup
/*
 * Every page of a shmem mapping is PG_swapbacked and counts in NR_FILE_PAGES and NR_SHMEM (6.1
 * puts them on the anon LRU: the reclaim issue's). Reads of a hole give zeros without allocating
 * (SGP_READ); writes and faults allocate a zeroed page (SGP_WRITE, SGP_CACHE) with the mapping's
 * GFP_HIGHUSER_MOVABLE. Pages are dirty from their first write on (shmem_aops' dirty_folio is
 * noop_dirty_folio: PG_dirty, no Dirty in meminfo) and never written back (no swap yet), so
 * drop_caches keeps them; a clean page (a hole read by a fault and never written) may be dropped,
 * which shmem_recalc_inode notices ("the mm can drop undirtied hole pages behind our back").
 *
 * Accounting (6.1):
 *   - tmpfs files are VM_NORESERVE: each page allocated charges vm_committed_as (shmem_acct_block)
 *     and, on a mount with size=, the superblock's used_blocks, else -ENOSPC; a short write stops
 *     there;
 *   - shmem_zero_setup's files (MAP_SHARED|MAP_ANONYMOUS) charge their whole size once
 *     (shmem_acct_size) unless the VMA is VM_NORESERVE, and give it back at eviction;
 *   - nr_inodes= limits the inodes of a mount (directories and the root included); the internal
 *     mount (SB_KERNMOUNT: shm_mnt) has no limits and numbers its inodes in per-CPU batches of
 *     SHMEM_INO_BATCH;
 *   - i_blocks counts BLOCKS_PER_PAGE (8) per page allocated; directories' i_size grows by
 *     BOGO_DIRENT_SIZE (20) per entry.
 *
 * Swap (6.1's shmem_writepage / shmem_swapin_folio, through core's SwapOps in Vfs.swap): reclaim
 * writes a dirty shmem page out by the mapping's writepage — a slot (folio_alloc_swap), the swap
 * cache, the slot held for the file (swap_shmem_alloc), the page leaves the file's i_pages with
 * the swap entry as a value entry in its place (info->swapped + 1), then swap_writepage. A lookup
 * that finds a swap entry reads it back (the swap cache, or swap_cluster_readahead), puts the
 * page back in the file, drops it from the swap cache and frees the slot (info->swapped − 1).
 * Truncation frees the slots of swapped pages (shmem_free_swap → free_swap_and_cache); swapoff
 * reads every swapped page of the area back (shmem_unuse over the inodes with swap).
 *
 * Simplified: no shmem THP (huge= other than never is refused), no fallocate, seals, xattrs, or
 * mempolicy.
 *
 * Invariants (validate.ts): for every shmem inode, alloced = nrpages + swapped (after a recalc),
 * i_blocks = alloced × 8; a mount's used_blocks = the sum of its inodes' alloced.
 */
import {
  EEXIST, EFBIG, EINVAL, EIO, ENOMEM, ENOSPC, ENOTEMPTY, EPERM, PAGE_SIZE, PG_dirty, PG_locked, PG_referenced, PG_swapbacked, PG_swapcache,
  PG_uptodate, PG_writeback, NR_FILE_PAGES, NR_SHMEM, PGMAJFAULT, swpType,
} from "@mmsim/core";
import {
  VM_FAULT_MAJOR, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_LOCKED, VM_NORESERVE, type VmAreaStruct, type VmFault, type VmFileOps, type VmOperationsStruct,
  type VmOvercommit, type VmFile,
} from "@mmsim/vma";
import {
  type AddressSpace, type AddressSpaceOperations, ATTR_SIZE, type Dentry, File, type FileOperations, FMODE_CAN_READ, FMODE_CAN_WRITE,
  FMODE_LSEEK, FMODE_OPENED, FMODE_PREAD, FMODE_PWRITE, FMODE_READ, FMODE_WRITE, type Iattr, type Inode, type InodeOperations, type IovIter,
  type Kiocb, MAX_LFS_FILESIZE, O_LARGEFILE, O_RDWR, S_IFCHR, S_IFDIR, S_IFMT, S_IFREG, S_IRWXUGO, S_PRIVATE, SB_KERNMOUNT, SB_NOUSER,
  type SuperBlock, type SuperOperations, sIsDir, sIsReg,
} from "./fs.ts";
import {
  AOP_WRITEPAGE_ACTIVATE, filemapAllocFolio, filemapDirtySharedPage, filemapGetEntry, filemapMapPages, genericFileWriteIter, vmaFile,
} from "./filemap.ts";
import { clearNlink, dDelete, dInstantiate, dMakeRoot, dropNlink, fput, getFile, incNlink, newInode } from "./inode.ts";
import { copyPageToIter, zeroPageRange } from "./iov-iter.ts";
import { SIMPLE_DIR_OPERATIONS, simpleEmpty } from "./libfs.ts";
import { chrdevFileOperations } from "./mem.ts";
import { unmapMappingRange } from "./memory.ts";
import { inodeNewsizeOk } from "./open.ts";
import { folioMarkDirty, nodeStatModPage, noopDirtyFolio } from "./page-writeback.ts";
import { sgetAnon } from "./super.ts";
import { folioMarkAccessed, folioPut, folioTrylock, folioUnlock } from "./swap.ts";
import { truncateInodePartialFolio, truncateInodeFolio } from "./truncate.ts";
import type { FileSystemDriver, Vfs } from "./vfs.ts";
import { XA_MAX_INDEX, xaIsValue, xaMkValue, xaToValue } from "./xarray.ts";

/** How shmem_get_folio may get its page. Kernel: `enum sgp_type`. */
export const SGP_READ = 0;
export const SGP_NOALLOC = 1;
export const SGP_CACHE = 2;
export const SGP_WRITE = 3;
export const SGP_FALLOC = 4;
/** Kernel: `BLOCKS_PER_PAGE` (512-byte blocks per page). */
export const BLOCKS_PER_PAGE = PAGE_SIZE / 512;
/** Kernel: `BOGO_DIRENT_SIZE`: what each entry adds to a directory's i_size. */
export const BOGO_DIRENT_SIZE = 20;
/** Kernel: `SHMEM_INO_BATCH`. */
export const SHMEM_INO_BATCH = 1024;
/** Kernel: `TMPFS_MAGIC`. */
export const TMPFS_MAGIC = 0x01021994;
/** memfd seals (include/uapi/linux/fcntl.h); no step sets them yet. */
export const F_SEAL_SEAL = 0x1;
export const F_SEAL_SHRINK = 0x2;
export const F_SEAL_GROW = 0x4;
export const F_SEAL_WRITE = 0x8;
export const F_SEAL_FUTURE_WRITE = 0x10;

const UPTODATE = 1 << PG_uptodate;
const SWAPBACKED = 1 << PG_swapbacked;
const REFERENCED = 1 << PG_referenced;
const LOCKED = 1 << PG_locked;
const DIRTY = 1 << PG_dirty;
const SWAPCACHE = 1 << PG_swapcache;
const WRITEBACK = 1 << PG_writeback;

/** A tmpfs superblock's limits and counters. Kernel: `struct shmem_sb_info`. */
export class ShmemSbInfo {
  /** Pages the mount may hold (size= / nr_blocks=; 0: unlimited). */
  maxBlocks = 0;
  /** Pages allocated to its files. Kernel: `used_blocks` (a percpu counter). */
  usedBlocks = 0;
  /** Inodes it may hold (nr_inodes=; 0: unlimited). */
  maxInodes = 0;
  freeInodes = 0;
  /** The next inode number of a user mount (per superblock since 5.9). */
  nextIno = 1;
  /** SB_KERNMOUNT's per-CPU inode number batches (null on user mounts). */
  inoBatch: Map<number, number> | null = null;
  /** The root directory's mode (mode=; 01777 by default). */
  mode = 0o1777;
  /** inode64 (CONFIG_TMPFS_INODE64=y: the default). */
  fullInums = true;
}

/** The parsed mount options. Kernel: `struct shmem_options`. */
interface ShmemOptions {
  blocks: number;
  inodes: number;
  mode: number;
  seenBlocks: boolean;
  seenInodes: boolean;
}

/** The size of a mount option's number with K/M/G/T/P/E suffixes. Kernel: `memparse()`. @returns the value and what follows, or null */
export function memparse(s: string): { value: number; rest: string } | null {
  const m = /^(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([kKmMgGtTpPeE]?)(.*)$/.exec(s);
  if (m === null) return null;
  let v = m[1]!.startsWith("0x") ? parseInt(m[1]!.slice(2), 16) : m[1]!.length > 1 && m[1]!.startsWith("0") ? parseInt(m[1]!, 8) : parseInt(m[1]!, 10);
  const shift = " kmgtpe".indexOf(m[2]!.toLowerCase());
  if (shift > 0) v *= 2 ** (10 * shift);
  return { value: v, rest: m[3]! };
}

/**
 * Parses tmpfs mount data ("size=64M,nr_inodes=1000,mode=1777"). Kernel: `shmem_parse_one()`
 * (size= takes a memparse'd size or a percentage of RAM; huge= other than never is refused here:
 * no shmem THP).
 * @returns the options, or an error text (the mount fails with -EINVAL)
 */
export function shmemParseOptions(data: string, totalramPages: number): ShmemOptions | string {
  const o: ShmemOptions = { blocks: 0, inodes: 0, mode: 0o1777, seenBlocks: false, seenInodes: false };
  for (const opt of data.split(",")) {
    if (opt === "") continue;
    const eq = opt.indexOf("=");
    const key = eq < 0 ? opt : opt.slice(0, eq);
    const val = eq < 0 ? "" : opt.slice(eq + 1);
    switch (key) {
      case "size": {
        const p = memparse(val);
        if (p === null) return `tmpfs: Bad value for 'size' (${val}): a size like 64M, 1G or a percentage of RAM like 50%`;
        let size = p.value;
        let rest = p.rest;
        if (rest === "%") {
          size = Math.floor((size * PAGE_SIZE * totalramPages) / 100);
          rest = "";
        }
        if (rest !== "") return `tmpfs: Bad value for 'size' (${val})`;
        o.blocks = Math.ceil(size / PAGE_SIZE);
        o.seenBlocks = true;
        break;
      }
      case "nr_blocks": {
        const p = memparse(val);
        if (p === null || p.rest !== "") return `tmpfs: Bad value for 'nr_blocks' (${val})`;
        o.blocks = p.value;
        o.seenBlocks = true;
        break;
      }
      case "nr_inodes": {
        const p = memparse(val);
        if (p === null || p.rest !== "") return `tmpfs: Bad value for 'nr_inodes' (${val})`;
        o.inodes = p.value;
        o.seenInodes = true;
        break;
      }
      case "mode": {
        if (!/^[0-7]+$/.test(val)) return `tmpfs: Bad value for 'mode' (${val}): octal`;
        o.mode = parseInt(val, 8) & 0o7777;
        break;
      }
      case "huge":
        if (val !== "never" && val !== "deny") return `tmpfs: huge=${val}: shmem THP is not simulated (only huge=never)`;
        break;
      case "uid": case "gid": case "mpol": case "inode32": case "inode64": case "noswap":
        break;
      default:
        return `tmpfs: Unknown parameter '${key}' (known: size, nr_blocks, nr_inodes, mode, huge, uid, gid, mpol, inode32, inode64)`;
    }
  }
  return o;
}

/** Kernel: `shmem_default_max_blocks()`: half of RAM. */
export function shmemDefaultMaxBlocks(totalramPages: number): number {
  return Math.floor(totalramPages / 2);
}
/** Kernel: `shmem_default_max_inodes()`: min(totalram − totalhigh, totalram / 2) (no highmem on arm64). */
export function shmemDefaultMaxInodes(totalramPages: number): number {
  return Math.min(totalramPages, Math.floor(totalramPages / 2));
}

/** One machine's shmem: its operation tables (which call back with the Vfs) and its helpers. */
export class Shmem {
  readonly aops: AddressSpaceOperations;
  readonly fileOps: FileOperations;
  readonly inodeOps: InodeOperations;
  readonly dirInodeOps: InodeOperations;
  readonly specialInodeOps: InodeOperations;
  readonly superOps: SuperOperations;
  /** vm_ops of a mapped tmpfs file. Kernel: `shmem_vm_ops`. */
  readonly vmOps: VmOperationsStruct;
  /** vm_ops of shared anonymous memory. Kernel: `shmem_anon_vm_ops`. */
  readonly anonVmOps: VmOperationsStruct;
  /** The "tmpfs" filesystem type. Kernel: `shmem_fs_type`. */
  readonly fsType: FileSystemDriver;
  /** shmem_get_folio's page out-parameter (-1: none). */
  folioOut = -1;
  /** The last getFolio read its page from a swap device (shmem_fault's VM_FAULT_MAJOR). */
  private majorOut = false;
  /** Inodes that may have pages on swap. Kernel: `shmem_swaplist`. */
  readonly swaplist = new Set<Inode>();

  constructor(readonly vfs: Vfs) {
    this.aops = {
      name: "shmem_aops", migrateFolio: "migrate_folio",
      dirtyFolio: (mapping, page) => noopDirtyFolio(vfs, mapping, page),
      writeBegin: (_file, mapping, pos, len, out) => this.writeBegin(mapping, pos, len, out),
      writeEnd: (_file, mapping, pos, len, copied, page) => this.writeEnd(mapping, pos, len, copied, page),
      writepage: (page, forReclaim) => this.writepage(page, forReclaim),
    };
    this.fileOps = {
      name: "shmem_file_operations",
      readIter: (iocb, to) => this.fileReadIter(iocb, to),
      writeIter: (iocb, from) => genericFileWriteIter(vfs, iocb, from),
      mmap: (file, vma) => this.mmap(file, vma),
      fsync: () => 0, // noop_fsync
    };
    this.inodeOps = { name: "shmem_inode_operations", setattr: (dentry, attr) => this.setattr(dentry, attr) };
    this.dirInodeOps = {
      name: "shmem_dir_inode_operations",
      create: (dir, dentry, mode) => this.mknod(dir, dentry, mode | S_IFREG, [0, 0]),
      mkdir: (dir, dentry, mode) => this.mkdir(dir, dentry, mode),
      mknod: (dir, dentry, mode, rdev) => this.mknod(dir, dentry, mode, rdev),
      unlink: (dir, dentry) => this.unlink(dir, dentry),
      rmdir: (dir, dentry) => this.rmdir(dir, dentry),
      setattr: (dentry, attr) => this.setattr(dentry, attr),
    };
    this.specialInodeOps = { name: "shmem_special_inode_operations", setattr: (dentry, attr) => this.setattr(dentry, attr) };
    this.superOps = { name: "shmem_ops", evictInode: (inode) => this.evictInode(inode) };
    this.vmOps = {
      fault: (vmf) => this.fault(vmf),
      mapPages: (vmf, start, end) => filemapMapPages(vfs, vmf, start, end),
      dirtySharedPage: (vmf, page) => filemapDirtySharedPage(vfs, vmf, page),
    };
    this.anonVmOps = {
      fault: (vmf) => this.fault(vmf),
      mapPages: (vmf, start, end) => filemapMapPages(vfs, vmf, start, end),
      dirtySharedPage: (vmf, page) => filemapDirtySharedPage(vfs, vmf, page),
    };
    this.fsType = { name: "tmpfs", fsFlags: 0, mount: (v, flags, data) => this.mountTmpfs(v, flags, data) };
  }

  // ----------------------------------------------------------------- superblocks and inodes

  /** The shmem_sb_info of a tmpfs superblock. Kernel: `SHMEM_SB()`. */
  sbInfo(sb: SuperBlock): ShmemSbInfo {
    return sb.sFsInfo as ShmemSbInfo;
  }

  /**
   * A new tmpfs superblock from mount data (user mounts get half of RAM and the default inode
   * limit unless size=/nr_inodes= say otherwise; SB_KERNMOUNT ones are unlimited). Kernel:
   * `shmem_fill_super()` (+ shmem_parse_one).
   * @returns the superblock, or -EINVAL / -ENOMEM / -ENOSPC
   */
  mountTmpfs(vfs: Vfs, flags: number, data: string): SuperBlock | number {
    const total = vfs.totalramPages();
    const o = shmemParseOptions(data, total);
    if (typeof o === "string") {
      vfs.log?.printk(3, o);
      return -EINVAL;
    }
    const sbOrErr = sgetAnon(vfs, this.fsType, flags);
    if (typeof sbOrErr === "number") return sbOrErr;
    const sb = sbOrErr;
    sb.sPinDentries = true; // shmem_mknod's dget
    sb.sInodeCache = "shmem_inode_cache";
    const info = new ShmemSbInfo();
    if ((flags & SB_KERNMOUNT) === 0) {
      if (!o.seenBlocks) o.blocks = shmemDefaultMaxBlocks(total);
      if (!o.seenInodes) o.inodes = shmemDefaultMaxInodes(total);
    } else {
      sb.sFlags |= SB_NOUSER;
      info.inoBatch = new Map();
    }
    info.maxBlocks = o.blocks;
    info.maxInodes = o.inodes;
    info.freeInodes = o.inodes;
    info.mode = o.mode;
    sb.sFsInfo = info;
    sb.sMaxbytes = MAX_LFS_FILESIZE;
    sb.sBlocksize = PAGE_SIZE;
    sb.sMagic = TMPFS_MAGIC;
    sb.sOp = this.superOps;
    const root = this.getInode(sb, S_IFDIR | info.mode, [0, 0], VM_NORESERVE);
    if (root === null) return -ENOSPC;
    sb.sRoot = dMakeRoot(root);
    return sb;
  }

  /**
   * Takes an inode from the mount's budget and numbers it. Kernel: `shmem_reserve_inode()`.
   * @returns the inode number, or -ENOSPC
   */
  reserveInode(sb: SuperBlock): number {
    const info = this.sbInfo(sb);
    if ((sb.sFlags & SB_KERNMOUNT) === 0) {
      if (info.maxInodes !== 0) {
        if (info.freeInodes === 0) return -ENOSPC;
        info.freeInodes--;
      }
      let ino = info.nextIno++;
      if (ino === 0) ino = info.nextIno++;
      return ino;
    }
    // SB_KERNMOUNT: per-CPU batches
    const cpu = this.vfs.current().cpu;
    const batch = info.inoBatch!;
    let ino = batch.get(cpu) ?? 0;
    if (ino % SHMEM_INO_BATCH === 0) {
      ino = info.nextIno;
      info.nextIno += SHMEM_INO_BATCH;
      if (ino === 0) ino++;
    }
    batch.set(cpu, ino + 1);
    return ino;
  }

  /** Gives an inode back to the mount's budget. Kernel: `shmem_free_inode()`. */
  freeInode(sb: SuperBlock): void {
    const info = this.sbInfo(sb);
    if (info.maxInodes !== 0) info.freeInodes++;
  }

  /**
   * A new shmem inode: a regular file, a directory (i_nlink 2, i_size 2 × BOGO_DIRENT_SIZE) or a
   * character device. Kernel: `shmem_get_inode()`.
   * @returns the inode, or null when the mount has no inode left
   */
  getInode(sb: SuperBlock, mode: number, rdev: readonly [number, number], flags: number): Inode | null {
    const ino = this.reserveInode(sb);
    if (ino < 0) return null;
    const vfs = this.vfs;
    let iOp = this.specialInodeOps;
    let iFop: FileOperations = chrdevFileOperations(vfs);
    if (sIsReg(mode)) {
      iOp = this.inodeOps;
      iFop = this.fileOps;
    } else if (sIsDir(mode)) {
      iOp = this.dirInodeOps;
      iFop = SIMPLE_DIR_OPERATIONS;
    }
    const inode = newInode(vfs, sb, ino, mode, this.aops, iOp, iFop);
    inode.shmem = { flags: flags & VM_NORESERVE, alloced: 0, swapped: 0, seals: 0 };
    inode.iMapping.swapBacked = true;
    if (sIsDir(mode)) {
      incNlink(inode);
      inode.iSize = 2 * BOGO_DIRENT_SIZE;
    } else if ((mode & S_IFMT) === S_IFCHR) {
      inode.iRdev = rdev;
    }
    return inode;
  }

  /** Kernel: `shmem_mknod()`. @returns 0 or -ENOSPC */
  mknod(dir: Inode, dentry: Dentry, mode: number, rdev: readonly [number, number]): number {
    const inode = this.getInode(dir.iSb, mode, rdev, VM_NORESERVE);
    if (inode === null) return -ENOSPC;
    dir.iSize += BOGO_DIRENT_SIZE;
    dInstantiate(dentry, inode); // the dentry stays pinned until unlink (dget)
    return 0;
  }

  /** Kernel: `shmem_mkdir()`. */
  mkdir(dir: Inode, dentry: Dentry, mode: number): number {
    const err = this.mknod(dir, dentry, mode | S_IFDIR, [0, 0]);
    if (err !== 0) return err;
    incNlink(dir);
    return 0;
  }

  /** Kernel: `shmem_unlink()` (+ vfs_unlink's d_delete): the file lives on while open or mapped. */
  unlink(dir: Inode, dentry: Dentry): number {
    const inode = dentry.dInode!;
    if (inode.iNlink > 1 && !sIsDir(inode.iMode)) this.freeInode(inode.iSb);
    dir.iSize -= BOGO_DIRENT_SIZE;
    dropNlink(inode);
    dDelete(this.vfs, dentry);
    return 0;
  }

  /** Kernel: `shmem_rmdir()`. */
  rmdir(dir: Inode, dentry: Dentry): number {
    if (!simpleEmpty(dentry)) return -ENOTEMPTY;
    dropNlink(dentry.dInode!);
    dropNlink(dir);
    return this.unlink(dir, dentry);
  }

  // ----------------------------------------------------------------- accounting

  /** Kernel: `shmem_acct_block()`: a VM_NORESERVE file charges vm_committed_as per page. @returns 0 or -ENOMEM */
  private acctBlock(info: { flags: number }, pages: number): number {
    if ((info.flags & VM_NORESERVE) === 0) return 0;
    return this.vfs.overcommit.vmEnoughMemory(this.vfs.current().mm, pages);
  }

  private unacctBlocks(info: { flags: number }, pages: number): void {
    if ((info.flags & VM_NORESERVE) !== 0) this.vfs.overcommit.vmUnacctMemory(pages);
  }

  /**
   * Charges `pages` new pages of `inode`: vm_committed_as (VM_NORESERVE files), then the mount's
   * size. Kernel: `shmem_inode_acct_block()`.
   * @returns true if they may be allocated
   */
  inodeAcctBlock(inode: Inode, pages: number): boolean {
    const info = inode.shmem!;
    const sbinfo = this.sbInfo(inode.iSb);
    if (this.acctBlock(info, pages) !== 0) return false;
    if (sbinfo.maxBlocks !== 0) {
      if (sbinfo.usedBlocks > sbinfo.maxBlocks - pages) {
        this.unacctBlocks(info, pages);
        return false;
      }
      sbinfo.usedBlocks += pages;
    }
    return true;
  }

  /** Kernel: `shmem_inode_unacct_blocks()`. */
  inodeUnacctBlocks(inode: Inode, pages: number): void {
    const sbinfo = this.sbInfo(inode.iSb);
    if (sbinfo.maxBlocks !== 0) sbinfo.usedBlocks -= pages;
    this.unacctBlocks(inode.shmem!, pages);
  }

  /**
   * Gives back the blocks of pages that left the cache behind shmem's back (truncate, or a clean
   * page dropped by drop_caches): alloced − swapped − nrpages of them. Kernel: `shmem_recalc_inode()`.
   */
  recalcInode(inode: Inode): void {
    const info = inode.shmem!;
    const freed = info.alloced - info.swapped - inode.iMapping.nrpages;
    if (freed > 0) {
      info.alloced -= freed;
      inode.iBlocks -= freed * BLOCKS_PER_PAGE;
      this.inodeUnacctBlocks(inode, freed);
    }
  }

  /** Kernel: `shmem_acct_size()`: a file not VM_NORESERVE charges its whole size. @returns 0 or -ENOMEM */
  acctSize(flags: number, size: number): number {
    if ((flags & VM_NORESERVE) !== 0) return 0;
    return this.vfs.overcommit.vmEnoughMemory(this.vfs.current().mm, Math.ceil(size / PAGE_SIZE));
  }

  /** Kernel: `shmem_unacct_size()`. */
  unacctSize(flags: number, size: number): void {
    if ((flags & VM_NORESERVE) === 0) this.vfs.overcommit.vmUnacctMemory(Math.ceil(size / PAGE_SIZE));
  }

  /** Kernel: `shmem_reacct_size()`: a resized file not VM_NORESERVE. @returns 0 or -ENOMEM */
  reacctSize(flags: number, oldsize: number, newsize: number): number {
    if ((flags & VM_NORESERVE) !== 0) return 0;
    const o = Math.ceil(oldsize / PAGE_SIZE);
    const n = Math.ceil(newsize / PAGE_SIZE);
    if (n > o) return this.vfs.overcommit.vmEnoughMemory(this.vfs.current().mm, n - o);
    if (n < o) this.vfs.overcommit.vmUnacctMemory(o - n);
    return 0;
  }

  // ----------------------------------------------------------------- the page cache

  /**
   * Adds a locked, swap-backed page at `index`: the cache's reference, page->mapping/index, the
   * slot, nrpages, NR_FILE_PAGES and NR_SHMEM; `expected` is the value entry (a swap entry) the
   * slot must hold, or 0 for a hole. Kernel: `shmem_add_to_page_cache()`.
   * @returns 0, -EEXIST, or -ENOMEM (the memcg's charge failed)
   */
  addToPageCache(page: number, mapping: AddressSpace, index: number, expected = 0): number {
    const vfs = this.vfs;
    const mem = vfs.mem;
    if (mapping.iPages.load(index) !== expected) return -EEXIST;
    // mem_cgroup_charge(folio, charge_mm, gfp) unless the folio came from swap (charged at swap-in)
    if (vfs.memcg !== null && (mem.flags[page]! & SWAPCACHE) === 0 && vfs.memcg.charge(page, 1, mapping.gfpMask, vfs.current().cpu) !== 0) return -12;
    mem.refcount[page]!++;
    mem.mapping[page] = mapping.id;
    mem.index[page] = index;
    mapping.iPages.store(index, page + 1);
    mapping.nrpages++;
    nodeStatModPage(vfs, page, NR_FILE_PAGES, 1);
    nodeStatModPage(vfs, page, NR_SHMEM, 1);
    return 0;
  }

  /**
   * A new page for `inode`, charged: -ENOSPC when the mount (or overcommit) refuses, -ENOMEM when
   * the allocator has none; the page comes back locked and swap-backed. Kernel:
   * `shmem_alloc_and_acct_folio()` (order 0).
   * @returns the page, or -errno
   */
  allocAndAcctFolio(inode: Inode, gfp: number): number {
    if (!this.inodeAcctBlock(inode, 1)) return -ENOSPC;
    const page = filemapAllocFolio(this.vfs, gfp);
    if (page < 0) {
      this.inodeUnacctBlocks(inode, 1);
      return -ENOMEM;
    }
    const f = this.vfs.mem.flags;
    f[page] = f[page]! | (1 << 0) | SWAPBACKED; // __folio_set_locked, __folio_set_swapbacked
    return page;
  }

  /**
   * The page of `inode` at `index`, locked with a reference, in this.folioOut (-1 for none):
   * SGP_READ leaves a hole a hole (no page, 0); SGP_CACHE and SGP_WRITE allocate a zeroed page
   * (SGP_CACHE marks it uptodate at once; SGP_WRITE's write_end does), refusing beyond EOF for
   * SGP_READ/SGP_CACHE (-EINVAL). Kernel: `shmem_get_folio_gfp()`.
   * @returns 0 or -errno (-EFBIG, -EINVAL, -ENOSPC, -ENOMEM)
   */
  getFolio(inode: Inode, index: number, sgp: number): number {
    const vfs = this.vfs;
    const mem = vfs.mem;
    const mapping = inode.iMapping;
    this.folioOut = -1;
    if (index > MAX_LFS_FILESIZE / PAGE_SIZE - 1) return -EFBIG;
    if (sgp <= SGP_CACHE && index * PAGE_SIZE >= inode.iSize) return -EINVAL;
    this.majorOut = false;
    let e = filemapGetEntry(vfs, mapping, index);
    if (xaIsValue(e)) {
      // a swap entry: read it back into the file (SGP_READ / SGP_NOALLOC too: the data exists)
      const err = this.swapinFolio(inode, index, e, sgp);
      if (err === -EEXIST) return this.getFolio(inode, index, sgp); // raced: look again
      if (err !== 0) return err;
      e = this.folioOut + 1;
      this.folioOut = -1;
      const page = e - 1;
      if ((mem.flags[page]! & UPTODATE) !== 0) {
        this.folioOut = page;
        return 0;
      }
    }
    if (e > 0) {
      const page = e - 1;
      folioTrylock(vfs, page);
      if (sgp === SGP_WRITE) folioMarkAccessed(vfs, page);
      if ((mem.flags[page]! & UPTODATE) !== 0) {
        this.folioOut = page;
        return 0;
      }
      if (sgp !== SGP_READ) return this.clear(page, sgp);
      folioUnlock(vfs, page);
      folioPut(vfs, page);
    }
    // SGP_READ: a hole, with no page; SGP_NOALLOC fails
    if (sgp === SGP_READ) return 0;
    if (sgp === SGP_NOALLOC) return -2; // -ENOENT
    const page = this.allocAndAcctFolio(inode, mapping.gfpMask);
    if (page < 0) return page;
    if (sgp === SGP_WRITE) mem.flags[page] = mem.flags[page]! | REFERENCED;
    const err = this.addToPageCache(page, mapping, index);
    if (err !== 0) {
      folioUnlock(vfs, page);
      folioPut(vfs, page);
      this.inodeUnacctBlocks(inode, 1);
      return err;
    }
    vfs.lru?.folioAddLru(page, vfs.current().cpu);
    const info = inode.shmem!;
    info.alloced++;
    inode.iBlocks += BLOCKS_PER_PAGE;
    this.recalcInode(inode);
    return this.clear(page, sgp === SGP_FALLOC ? SGP_WRITE : sgp);
  }

  /** The end of shmem_get_folio_gfp: a page SGP_WRITE will not fill is cleared and uptodate. */
  private clear(page: number, sgp: number): number {
    const f = this.vfs.mem.flags;
    if (sgp !== SGP_WRITE && (f[page]! & UPTODATE) === 0) {
      zeroPageRange(this.vfs, page, PAGE_SIZE); // clear_highpage
      f[page] = f[page]! | UPTODATE;
    }
    this.folioOut = page;
    return 0;
  }

  // ----------------------------------------------------------------- read and write

  /**
   * read(2) of a tmpfs file: page by page to EOF; a hole reads as zeros with no page allocated; a
   * page read from its start is marked accessed. Kernel: `shmem_file_read_iter()`.
   * @returns bytes read, or -errno
   */
  fileReadIter(iocb: Kiocb, to: IovIter): number {
    const vfs = this.vfs;
    const inode = iocb.filp!.fInode;
    let index = Math.floor(iocb.pos / PAGE_SIZE);
    let offset = iocb.pos % PAGE_SIZE;
    let retval = 0;
    let error = 0;
    for (;;) {
      const iSize = inode.iSize;
      const endIndex = Math.floor(iSize / PAGE_SIZE);
      if (index > endIndex) break;
      let nr = PAGE_SIZE;
      if (index === endIndex) {
        nr = iSize % PAGE_SIZE;
        if (nr <= offset) break;
      }
      error = this.getFolio(inode, index, SGP_READ);
      if (error !== 0) {
        if (error === -EINVAL) error = 0;
        break;
      }
      const page = this.folioOut;
      if (page >= 0) folioUnlock(vfs, page);
      nr -= offset;
      let ret: number;
      if (page >= 0) {
        if (offset === 0) folioMarkAccessed(vfs, page);
        ret = copyPageToIter(vfs, page, offset, nr, to);
        folioPut(vfs, page);
      } else {
        ret = copyPageToIter(vfs, -1, offset, nr, to); // ZERO_PAGE(0)
      }
      retval += ret;
      offset += ret;
      index += Math.floor(offset / PAGE_SIZE);
      offset %= PAGE_SIZE;
      if (to.count === 0) break;
      if (ret < nr) {
        error = -14; // -EFAULT
        break;
      }
    }
    iocb.pos = index * PAGE_SIZE + offset;
    return retval > 0 ? retval : error;
  }

  /** Kernel: `shmem_write_begin()`. @returns 0 or -errno (-ENOSPC: the mount is full) */
  writeBegin(mapping: AddressSpace, pos: number, len: number, out: { page: number }): number {
    const inode = mapping.host;
    const seals = inode.shmem!.seals;
    if ((seals & (F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) !== 0) {
      if ((seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) !== 0) return -EPERM;
      if ((seals & F_SEAL_GROW) !== 0 && pos + len > inode.iSize) return -EPERM;
    }
    const err = this.getFolio(inode, Math.floor(pos / PAGE_SIZE), SGP_WRITE);
    if (err !== 0) return err;
    out.page = this.folioOut;
    return 0;
  }

  /**
   * Kernel: `shmem_write_end()`: i_size, the rest of a new page zeroed, uptodate, dirty
   * (noop_dirty_folio: no counter), unlocked, put.
   * @returns copied
   */
  writeEnd(mapping: AddressSpace, pos: number, _len: number, copied: number, page: number): number {
    const vfs = this.vfs;
    const inode = mapping.host;
    if (pos + copied > inode.iSize) inode.iSize = pos + copied;
    const f = vfs.mem.flags;
    if ((f[page]! & UPTODATE) === 0) {
      if (copied < PAGE_SIZE) zeroPageRange(vfs, page, PAGE_SIZE - copied);
      f[page] = f[page]! | UPTODATE;
    }
    folioMarkDirty(vfs, mapping, page);
    folioUnlock(vfs, page);
    folioPut(vfs, page);
    return copied;
  }

  // ----------------------------------------------------------------- truncate and evict

  /** A partial page at the edge of a truncated range (read back if any of it is within i_size). Kernel: `shmem_get_partial_folio()`. */
  private getPartialFolio(inode: Inode, index: number): number {
    this.getFolio(inode, index, SGP_READ);
    return this.folioOut;
  }

  /**
   * Removes the pages of bytes [lstart, lend] (lend −1: to the end), zeroing the covered part of
   * the pages at the edges (which stay dirty), then gives back their blocks. Kernel:
   * `shmem_undo_range()` (unfalloc = false; no swap entries to free).
   */
  undoRange(inode: Inode, lstart: number, lend: number): void {
    const vfs = this.vfs;
    const mapping = inode.iMapping;
    const xa = mapping.iPages;
    const mem = vfs.mem;
    const start = Math.ceil(lstart / PAGE_SIZE);
    const end = lend < 0 ? XA_MAX_INDEX + 1 : Math.floor((lend + 1) / PAGE_SIZE);
    let nrSwapsFreed = 0;
    for (let index = start < end ? xa.find(start, end - 1) : -1; index >= 0; index = index + 1 < end ? xa.find(index + 1, end - 1) : -1) {
      const e = xa.found;
      if (e < 0) {
        if (this.freeSwap(mapping, index, e)) nrSwapsFreed++;
        continue;
      }
      const page = e - 1;
      mem.refcount[page]!++;
      folioTrylock(vfs, page);
      truncateInodeFolio(vfs, mapping, page);
      folioUnlock(vfs, page);
      folioPut(vfs, page);
    }
    const firstIndex = Math.floor(lstart / PAGE_SIZE);
    let sameFolio = lend >= 0 && firstIndex === Math.floor(lend / PAGE_SIZE);
    let page = this.getPartialFolio(inode, firstIndex);
    if (page >= 0) {
      sameFolio = lend >= 0 && lend < (mem.index[page]! + 1) * PAGE_SIZE;
      folioMarkDirty(vfs, mapping, page);
      truncateInodePartialFolio(vfs, mapping, page, lstart, lend);
      folioUnlock(vfs, page);
      folioPut(vfs, page);
      page = -1;
    }
    if (!sameFolio && lend >= 0) page = this.getPartialFolio(inode, Math.floor(lend / PAGE_SIZE));
    if (page >= 0) {
      folioMarkDirty(vfs, mapping, page);
      truncateInodePartialFolio(vfs, mapping, page, lstart, lend);
      folioUnlock(vfs, page);
      folioPut(vfs, page);
    }
    inode.shmem!.swapped -= nrSwapsFreed;
    this.recalcInode(inode);
  }

  /**
   * Drops the swap entry `radswap` at `index` and the slot it holds. Kernel: `shmem_free_swap()`
   * (→ free_swap_and_cache).
   * @returns true if the entry was there
   */
  freeSwap(mapping: AddressSpace, index: number, radswap: number): boolean {
    if (mapping.iPages.load(index) !== radswap) return false;
    mapping.iPages.erase(index);
    this.vfs.swap?.freeSwapAndCache(xaToValue(radswap));
    return true;
  }

  // ----------------------------------------------------------------- swap

  /**
   * Reclaim's writepage of a dirty shmem page: to swap, leaving the swap entry in the file's
   * i_pages. Refused (the page dirty again; AOP_WRITEPAGE_ACTIVATE for reclaim) for a VM_LOCKED
   * (SHM_LOCK) file, with no swap, or with no free slot. Kernel: `shmem_writepage()`.
   * @returns 0 or AOP_WRITEPAGE_ACTIVATE
   */
  writepage(page: number, forReclaim: boolean): number {
    const vfs = this.vfs;
    const mem = vfs.mem;
    const f = mem.flags;
    const swap = vfs.swap;
    const mapping = vfs.mappings.get(mem.mapping[page]!) as unknown as AddressSpace | undefined;
    const redirty = (): number => {
      f[page] = f[page]! | DIRTY; // folio_mark_dirty: noop_dirty_folio
      if (forReclaim) return AOP_WRITEPAGE_ACTIVATE;
      f[page] = f[page]! & ~LOCKED;
      return 0;
    };
    if (mapping === undefined) return redirty();
    const inode = mapping.host;
    const info = inode.shmem!;
    const index = mem.index[page]!;
    if ((info.flags & VM_LOCKED) !== 0 || swap === null || swap.totalSwapPages() === 0) return redirty();
    if ((f[page]! & UPTODATE) === 0) {
      zeroPageRange(vfs, page, PAGE_SIZE); // folio_zero_range: a fallocated page written as zeros
      f[page] = f[page]! | UPTODATE;
    }
    const entry = swap.folioAllocSwap(page);
    if (entry === 0) return redirty();
    this.swaplist.add(inode);
    if (swap.addToSwapCache(page, entry, 0) === 0) {
      this.recalcInode(inode);
      info.swapped++;
      if (swap.swapShmemAlloc !== undefined) swap.swapShmemAlloc(entry);
      else swap.swapDuplicate(entry);
      this.deleteFromPageCache(page, mapping, index, xaMkValue(entry));
      swap.swapWritepage(page);
      return 0;
    }
    swap.putSwapFolio?.(entry); // put_swap_folio: the slot's cache bit goes
    return redirty();
  }

  /**
   * The page leaves the file, `radswap` in its place: page->mapping cleared, nrpages,
   * NR_FILE_PAGES and NR_SHMEM down, the file's reference dropped. Kernel: `shmem_delete_from_page_cache()`.
   */
  private deleteFromPageCache(page: number, mapping: AddressSpace, index: number, radswap: number): void {
    const vfs = this.vfs;
    mapping.iPages.store(index, radswap);
    vfs.mem.mapping[page] = 0;
    mapping.nrpages--;
    nodeStatModPage(vfs, page, NR_FILE_PAGES, -1);
    nodeStatModPage(vfs, page, NR_SHMEM, -1);
    folioPut(vfs, page);
  }

  /**
   * Reads the swapped page at `index` (value entry `radswap`) back into the file: the swap cache's
   * page, or one read by swap_cluster_readahead (a major fault); in the file, out of the swap
   * cache, dirty, its slot freed; locked with a reference in folioOut. Kernel: `shmem_swapin_folio()`.
   * @returns 0, -EEXIST (the entry changed: look again), -ENOMEM, -EIO
   */
  swapinFolio(inode: Inode, index: number, radswap: number, sgp: number): number {
    const vfs = this.vfs;
    const swap = vfs.swap;
    const mapping = inode.iMapping;
    const mem = vfs.mem;
    this.folioOut = -1;
    const entry = xaToValue(radswap);
    if (swap === null) return mapping.iPages.load(index) !== radswap ? -EEXIST : -EINVAL;
    let page = swap.lookupSwapCache(entry);
    if (page < 0) {
      this.majorOut = true;
      page = swap.swapinReadahead(entry, mapping.gfpMask);
      if (page < 0) return -ENOMEM;
    }
    const f = mem.flags;
    // folio_lock: a read still in flight (a disk swap device's bio) is slept on until it ends
    if ((f[page]! & LOCKED) !== 0) swap.waitOnPage?.(page);
    f[page] = f[page]! | LOCKED;
    if ((f[page]! & SWAPCACHE) === 0 || mem.private[page] !== entry || mapping.iPages.load(index) !== radswap) {
      f[page] = f[page]! & ~LOCKED;
      folioPut(vfs, page);
      return -EEXIST;
    }
    if ((f[page]! & UPTODATE) === 0) {
      f[page] = f[page]! & ~LOCKED;
      folioPut(vfs, page);
      return -EIO;
    }
    if ((f[page]! & WRITEBACK) !== 0) swap.waitOnPage?.(page); // folio_wait_writeback (a disk swap device's write bio)
    const err = this.addToPageCache(page, mapping, index, radswap);
    if (err !== 0) {
      f[page] = f[page]! & ~LOCKED;
      folioPut(vfs, page);
      return err;
    }
    const info = inode.shmem!;
    info.swapped--;
    this.recalcInode(inode);
    if (sgp === SGP_WRITE) folioMarkAccessed(vfs, page);
    // delete_from_swap_cache: out of the swap cache, the slot's cache bit, the cache's reference
    swap.deleteFromSwapCache(page, 0);
    folioPut(vfs, page);
    f[page] = f[page]! | DIRTY;
    swap.swapFree(entry);
    this.folioOut = page;
    return 0;
  }

  /**
   * swapoff: reads every page of swap area `type` held by a shmem file back into it. Kernel:
   * `shmem_unuse()` (shmem_unuse_inode over shmem_swaplist).
   * @returns 0, or -ENOMEM when a page could not be read back (what was read stays in memory)
   */
  unuse(type: number): number {
    for (const inode of [...this.swaplist]) {
      const info = inode.shmem;
      if (info === null || info.swapped === 0) {
        this.swaplist.delete(inode);
        continue;
      }
      const xa = inode.iMapping.iPages;
      for (let index = xa.find(0, XA_MAX_INDEX); index >= 0; index = index < XA_MAX_INDEX ? xa.find(index + 1, XA_MAX_INDEX) : -1) {
        const e = xa.found;
        if (!xaIsValue(e) || swpType(xaToValue(e)) !== type) continue;
        const err = this.swapinFolio(inode, index, e, SGP_CACHE);
        if (err === -EEXIST) continue;
        if (err !== 0) return err;
        const page = this.folioOut;
        folioUnlock(this.vfs, page);
        folioPut(this.vfs, page);
      }
      if (info.swapped === 0) this.swaplist.delete(inode);
    }
    return 0;
  }

  /** Kernel: `shmem_truncate_range()`. */
  truncateRange(inode: Inode, lstart: number, lend: number): void {
    this.undoRange(inode, lstart, lend);
  }

  /**
   * setattr: a new size (truncating unmaps and drops what lies beyond, twice around the
   * truncate for racing COWs, as 6.1). Kernel: `shmem_setattr()`.
   * @returns 0 or -errno (-EFBIG beyond s_maxbytes, -ENOMEM when a non-NORESERVE file cannot grow)
   */
  setattr(dentry: Dentry, attr: Iattr): number {
    const vfs = this.vfs;
    const inode = dentry.dInode!;
    if ((attr.valid & ATTR_SIZE) === 0 || !sIsReg(inode.iMode)) return 0;
    const err0 = inodeNewsizeOk(inode, attr.size);
    if (err0 !== 0) return err0;
    const info = inode.shmem!;
    const oldsize = inode.iSize;
    const newsize = attr.size;
    if (newsize !== oldsize) {
      const err = this.reacctSize(info.flags, oldsize, newsize);
      if (err !== 0) return err;
      inode.iSize = newsize;
    }
    if (newsize <= oldsize) {
      const holebegin = Math.ceil(newsize / PAGE_SIZE) * PAGE_SIZE;
      if (oldsize > holebegin) unmapMappingRange(vfs, inode.iMapping, holebegin, 0, true);
      if (info.alloced !== 0) this.truncateRange(inode, newsize, -1);
      if (oldsize > holebegin) unmapMappingRange(vfs, inode.iMapping, holebegin, 0, true);
    }
    return 0;
  }

  /**
   * The inode's last reference is gone and it has no name: its size is unaccounted (shmem_zero_setup
   * files), its pages freed, its inode given back. Kernel: `shmem_evict_inode()`.
   */
  evictInode(inode: Inode): void {
    if (inode.shmem !== null && sIsReg(inode.iMode)) {
      this.unacctSize(inode.shmem.flags, inode.iSize);
      inode.iSize = 0;
      inode.iMapping.flags |= 1 << 4; // mapping_set_exiting
      this.truncateRange(inode, 0, -1);
      this.swaplist.delete(inode);
    }
    this.freeInode(inode.iSb);
  }

  // ----------------------------------------------------------------- faults and mmap

  /**
   * vm_ops->fault of a tmpfs or shared anonymous mapping: the page at vmf.pgoff, allocated
   * (zeroed) if it was a hole (SGP_CACHE), with a reference, unlocked. SIGBUS beyond EOF or
   * when the mount is full, OOM when no page could be had. Kernel: `shmem_fault()` (its
   * VM_FAULT_LOCKED is not returned: the page lock is not held across calls here).
   * @returns 0, VM_FAULT_SIGBUS or VM_FAULT_OOM
   */
  fault(vmf: VmFault): number {
    const inode = vmaFile(vmf.vma!).fInode;
    const err = this.getFolio(inode, vmf.pgoff, SGP_CACHE);
    if (err !== 0) return err === -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
    const page = this.folioOut;
    folioUnlock(this.vfs, page);
    vmf.page = page;
    if (this.majorOut) {
      this.vfs.vmstat.countVmEvent(PGMAJFAULT);
      return VM_FAULT_MAJOR;
    }
    return 0;
  }

  /** f_op->mmap of a tmpfs file. Kernel: `shmem_mmap()`. */
  mmap(_file: File, vma: VmAreaStruct): number {
    vma.vmOps = this.vmOps;
    return 0;
  }

  /**
   * A file on the internal mount, unlinked from birth, of `size` bytes: charged at its size unless
   * VM_NORESERVE. Kernel: `__shmem_file_setup()` (shmem_kernel_file_setup: S_PRIVATE).
   * @returns the file (one reference), or -errno (-EINVAL, -ENOMEM, -ENOSPC)
   */
  fileSetup(name: string, size: number, flags: number): File | number {
    const vfs = this.vfs;
    const mnt = vfs.shmMnt;
    if (mnt === null) return -EINVAL;
    if (size < 0 || size > MAX_LFS_FILESIZE) return -EINVAL;
    if (this.acctSize(flags, size) !== 0) return -ENOMEM;
    const inode = this.getInode(mnt.mntSb, S_IFREG | S_IRWXUGO, [0, 0], flags);
    if (inode === null) {
      this.unacctSize(flags, size);
      return -ENOSPC;
    }
    inode.iFlags |= S_PRIVATE;
    inode.iSize = size;
    clearNlink(inode); // it is unlinked
    // alloc_file_pseudo: a dentry of its own, never hashed in a directory
    const dentry = dMakeRoot(inode);
    const fMode = FMODE_READ | FMODE_WRITE | FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE | FMODE_CAN_READ | FMODE_CAN_WRITE | FMODE_OPENED;
    // the inode's reference from shmem_get_inode is the file's
    return new File({ mnt, dentry }, inode, fMode, O_RDWR | O_LARGEFILE, `/${name}`);
  }

  /**
   * Gives a MAP_SHARED|MAP_ANONYMOUS VMA its shmem file ("/dev/zero (deleted)" on 00:01) and
   * shmem_anon_vm_ops. Kernel: `shmem_zero_setup()`.
   * @returns 0 or -errno
   */
  zeroSetup(vma: VmAreaStruct): number {
    const f = this.fileSetup("dev/zero", vma.vmEnd - vma.vmStart, vma.vmFlags);
    if (typeof f === "number") return f;
    if (vma.vmFile instanceof File) fput(this.vfs, vma.vmFile);
    vma.vmFile = f;
    vma.vmOps = this.anonVmOps;
    return 0;
  }
}

/**
 * mm/mmap.c's file side (VM_FILE_OPS) over this package: shmem_zero_setup, get_file and fput on
 * the page-cache files; files this package did not make (program images) are not counted.
 */
export class ShmemFileOps implements VmFileOps {
  constructor(
    private readonly vfs: Vfs,
    private readonly shmem: Shmem,
  ) {}
  shmemZeroSetup(vma: VmAreaStruct, _overcommit: VmOvercommit): number {
    return this.shmem.zeroSetup(vma);
  }
  getFile(file: VmFile): void {
    if (file instanceof File) getFile(file);
  }
  fput(file: VmFile, _overcommit: VmOvercommit): void {
    if (file instanceof File) fput(this.vfs, file);
  }
}

