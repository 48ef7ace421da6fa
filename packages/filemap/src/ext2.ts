// Kernel: fs/ext2/inode.c (ext2_aops: ext2_read_folio, ext2_readahead, ext2_writepages, ext2_write_begin/end, ext2_get_block), fs/ext2/file.c (ext2_fsync), fs/ext2/namei.c + fs/ext2/dir.c (ext2_lookup, ext2_iget), fs/mpage.c (mpage_end_io, mpage_write_end_io), mm/page-writeback.c (folio_end_writeback, __folio_start_writeback, do_writepages), fs/fs-writeback.c (wb_workfn as a kernel thread), block/bdev.c (the block device's page cache), mm/readahead.c (read_pages) (v6.1) — a disk and its ext2 filesystem behind the page cache
/*
 * One disk (vda, @mmsim/block's BlockDevice) with the ext2 image a scenario declares
 * (@mmsim/block's Ext2Fs), mounted as a filesystem of the VFS:
 *
 *   - File pages are read with mpage_readahead / read_folio → bios → BlockDevice.submitBio; the
 *     pages stay locked and !uptodate while their bio is in flight (mpage_end_io unlocks them at
 *     the request's completion time). A task that needs such a page waits for it
 *     (folio_wait_locked): the simulated clock advances to the completion (DiskEnv.wait; the task
 *     engine has no way to block inside a step, so the waiting task's step simply takes that long).
 *     Readahead decisions are @mmsim/block's mm/readahead.c (ondemand_readahead, read-around).
 *   - Metadata (superblock, group descriptors, bitmaps, inode tables, directory and indirect
 *     blocks) lives in the block device's own page cache, the bdev mapping, read synchronously
 *     (sb_bread): meminfo's Buffers is its nrpages (nr_blockdev_pages). The blocks the mounted
 *     filesystem keeps buffer_heads of (superblock, group descriptors) hold a reference, so
 *     drop_caches keeps them, as the capture shows.
 *   - Writes allocate blocks in write_begin (ext2_get_block with create: block bitmap, new
 *     indirect blocks, group descriptor and inode table block dirtied in the bdev mapping), dirty
 *     pages through filemap_dirty_folio (NR_FILE_DIRTY, NR_DIRTIED) and __mark_inode_dirty (the
 *     flusher's b_dirty list, @mmsim/block's BdiWriteback). writepages clears PG_dirty, sets
 *     PG_writeback (NR_WRITEBACK) and submits mpage bios; completion ends writeback (NR_WRITTEN).
 *   - fsync writes and waits for the file's pages, its own metadata buffers (indirect blocks and
 *     the inode's table block: sync_mapping_buffers + sync_inode_metadata) and a REQ_OP_FLUSH
 *     (generic_file_fsync → blkdev_issue_flush). Bitmaps and descriptors wait for the flusher.
 *   - The flusher (wb_workfn) is a kernel thread the machine runs between steps when wb.workAt
 *     is due: kupdate-style writeback of inodes dirtied more than dirty_expire_centisecs ago,
 *     background writeback above the background threshold.
 *
 * Simplified: the whole directory tree is instantiated in the dcache at mount (a lookup reads
 * the inode's table block and its directory's blocks through the bdev mapping at its first open:
 * ext2_lookup + ext2_iget); no atime/mtime updates (the capture's relatime and mtime dirty one
 * inode buffer more); no rename of disk files; one disk per machine.
 */
import {
  EEXIST, EINVAL, EIO, ENOMEM, NR_FILE_DIRTY, NR_WRITEBACK, NR_WRITTEN, NR_ZONE_WRITE_PENDING, NR_ACTIVE_FILE, NR_INACTIVE_FILE,
  NR_FREE_PAGES, PAGE_SIZE, PGPGIN, PGPGOUT, PG_dirty, PG_locked, PG_readahead, PG_reclaim, PG_uptodate, PG_writeback, __GFP_NOFAIL,
} from "@mmsim/core";
import {
  BdiWriteback, BdpRatelimits, BlockDevice, type DirtyState, TaskDirtyState, balanceDirtyPages, balanceDirtyPagesNeeded, writebackSetRatelimit, BlockMapResult, DirLookupResult, DirtySysctls, EXT2_ROOT_INO, EXT2_SUPER_MAGIC, Ext2Fs, FileRaState as BlockRa,
  INODE_DIR, INODE_FILE, type DiskContents, type DiskSpec, type MpageIo, type ReadaheadMapping, REQ_OP_FLUSH, REQ_OP_READ, REQ_OP_WRITE,
  PAGE_SECTORS, WbBandwidth, WB_REASON_BACKGROUND, WB_REASON_PERIODIC, doAsyncMmapReadahead, doSyncMmapReadahead, globalDirtyLimits, mpageReadahead,
  mpageWritepages, jiffiesToNs, nsToJiffies, pageCacheAsyncRa, pageCacheSyncRa,
} from "@mmsim/block";
import type { CostModel } from "@mmsim/core";
import {
  ATTR_SIZE, type AddressSpace, type AddressSpaceOperations, type Dentry, type File, type FileOperations, type FileSystemType, type Iattr, Inode,
  type InodeOperations, sIsReg, type ReadaheadControl, S_IFDIR, S_IFREG, SuperBlock, WB_SYNC_ALL, type WritebackControl, type WriteBeginOut,
} from "./fs.ts";
import { filemapAddFolio, filemapAllocFolio, genericFileMmap, genericFileReadIter, genericFileWriteIter, grabCachePageWriteBegin, type ReadaheadOps } from "./filemap.ts";
import { dAlloc, dDelete, dInstantiate, dMakeRoot, destroyInode, dropNlink, newInode } from "./inode.ts";
import { dput, shrinkDcacheForUmount } from "./dcache.ts";
import { registerSuperShrinker, unregisterSuperShrinker } from "./super.ts";
import { truncateInodePages, truncateInodePagesFinal, truncateSetsize } from "./truncate.ts";
import { inodeNewsizeOk } from "./open.ts";
import { doMkdirat } from "./namei.ts";
import { doMount } from "./namespace.ts";
import { SIMPLE_DIR_OPERATIONS } from "./libfs.ts";
import { zeroPageRange } from "./iov-iter.ts";
import { PAGECACHE_TAG_DIRTY, PAGECACHE_TAG_WRITEBACK, filemapDirtyFolio, folioClearDirtyForIo, nodeStatModPage, zoneStatModPage } from "./page-writeback.ts";
import { folioPut, folioUnlock } from "./swap.ts";
import type { FileSystemDriver, Vfs } from "./vfs.ts";
import { XA_MAX_INDEX } from "./xarray.ts";

const LOCKED = 1 << PG_locked;
const UPTODATE = 1 << PG_uptodate;
const DIRTY = 1 << PG_dirty;
const WRITEBACK = 1 << PG_writeback;
const RECLAIM = 1 << PG_reclaim;
const READAHEAD = 1 << PG_readahead;

/** Kernel: `EOPNOTSUPP` (include/uapi/asm-generic/errno.h). */
const EOPNOTSUPP = 95;

/** balance_dirty_pages passes one call makes at most (the kernel loops while the limit holds; a bound here keeps a bug from hanging a run). */
const MAX_BDP_LOOPS = 10_000;

/** Kernel: `MMAP_LOTSAMISS`. */
const MMAP_LOTSAMISS_RA = 100;

/** Most flusher wakeups caught up at one check (a day-long sleep with dirty inodes left would be 17,280). */
const MAX_FLUSHER_CATCHUP = 100_000;

/** Where the disk is mounted when the declaration names no place. */
export const DEFAULT_DISK_MOUNT = "/mnt/disk";

/** What the disk needs from the machine. */
export interface DiskEnv {
  /** The simulated clock (ns). */
  now(): number;
  /** The calling task waits until `ns` (folio_wait_locked, wait_on_buffer, fsync's waits). */
  wait(ns: number): void;
  /** The content identity of page `index` of a file whose image bytes are `contents`. */
  contentOf(contents: DiskContents, ino: number, index: number): number;
  /** totalreserve_pages (global_dirtyable_memory's reserve); default 0. */
  totalreservePages?(): number;
}

/** One bio in flight. */
interface Bio {
  readonly seq: number;
  readonly op: number;
  readonly mapping: AddressSpace;
  readonly pages: number[];
}

/** The disk's part of the VFS: device, image, bdev mapping, I/O in flight, writeback state. Kernel: `struct block_device` + `struct ext2_sb_info` + the bdi. */
export class Disk {
  readonly fs: Ext2Fs;
  readonly dev: BlockDevice;
  /** The block device's inode, whose page cache holds the metadata blocks ("Buffers"). Kernel: `bdev->bd_inode`. */
  readonly bdev: Inode;
  readonly bdevSb: SuperBlock;
  /** The mounted ext2 superblock. */
  sb: SuperBlock | null = null;
  /** Inodes by ext2 inode number. Kernel: the inode hash (iget_locked). */
  readonly inodes = new Map<number, Inode>();
  /** Inodes whose table block has been read (ext2_iget done). */
  private readonly igotten = new Set<number>();
  /** Each data inode's own metadata blocks dirtied by allocation (its indirect blocks). Kernel: `mapping->private_list`. */
  private readonly inodeBuffers = new Map<number, Set<number>>();
  /** Bios in flight, and the bio of each page in one. */
  private readonly inflight: Bio[] = [];
  private readonly pageBio = new Map<number, Bio>();
  readonly sysctls = new DirtySysctls();
  readonly bw = new WbBandwidth();
  /** The flusher's state. Kernel: `bdi->wb`. */
  readonly wb: BdiWriteback;
  readonly aops: AddressSpaceOperations;
  readonly bdevAops: AddressSpaceOperations;
  readonly fileOps: FileOperations;
  readonly fileInodeOps: InodeOperations;
  readonly dirInodeOps: InodeOperations;
  readonly fsType: FileSystemDriver;
  private readonly scratch = new BlockMapResult();
  private readonly lookupOut = new DirLookupResult();
  /** Each writing task's balance_dirty_pages state, by pid. Kernel: `current->nr_dirtied` & co. */
  private readonly tasks = new Map<number, TaskDirtyState>();
  /** Per-CPU dirtied-page counts. Kernel: `bdp_ratelimits`. */
  private readonly bdp = new BdpRatelimits(256);
  /** CPUs of the machine (nr_cpu_ids for wb_stat_error and ratelimit_pages). */
  nrCpus = 1;
  /** The inode number the bdev inode has on the flusher's lists. */
  static readonly BDEV_INO = 0;

  constructor(
    readonly vfs: Vfs,
    readonly spec: DiskSpec,
    cost: CostModel,
    readonly env: DiskEnv,
  ) {
    this.fs = new Ext2Fs(spec);
    this.dev = new BlockDevice({ capacitySectors: spec.size / 512 }, cost);
    this.syncSysctls();
    this.wb = new BdiWriteback(this.sysctls, this.bw, this.jiffies());
    this.aops = {
      name: "ext2_aops", migrateFolio: "buffer_migrate_folio",
      readFolio: (file, page) => this.readFolio(file, page),
      readahead: (rac) => this.readahead(rac),
      writepages: (mapping, wbc) => this.writepages(mapping, wbc),
      dirtyFolio: (mapping, page) => this.dirtyFolio(mapping, page),
      writeBegin: (file, mapping, pos, len, out) => this.writeBegin(file, mapping, pos, len, out),
      writeEnd: (_file, mapping, pos, len, copied, page) => this.writeEnd(mapping, pos, len, copied, page),
    };
    this.bdevAops = {
      name: "def_blk_aops", migrateFolio: "buffer_migrate_folio_norefs",
      writepages: (mapping, wbc) => this.writepages(mapping, wbc),
      dirtyFolio: (mapping, page) => this.dirtyFolio(mapping, page),
      writeBegin: () => -EOPNOTSUPP,
      writeEnd: () => 0,
    };
    this.fileOps = {
      name: "ext2_file_operations",
      readIter: (iocb, to) => genericFileReadIter(vfs, iocb, to),
      writeIter: (iocb, from) => genericFileWriteIter(vfs, iocb, from),
      mmap: (file, vma) => genericFileMmap(vfs, file, vma),
      open: (inode) => this.iget(inode),
      fsync: (file, _start, _end, datasync) => this.fsync(file.fInode, datasync),
    };
    this.fileInodeOps = { name: "ext2_file_inode_operations", setattr: (dentry, attr) => this.setattr(dentry, attr) };
    this.dirInodeOps = {
      name: "ext2_dir_inode_operations",
      create: (dir, dentry) => this.create(dir, dentry, false),
      mkdir: (dir, dentry) => this.create(dir, dentry, true),
      unlink: (dir, dentry) => this.unlink(dir, dentry),
      rmdir: (dir, dentry) => this.rmdir(dir, dentry),
      lookup: (dir, dentry) => this.lookup(dir, dentry),
    };
    this.fsType = { name: "ext2", fsFlags: 1, mount: () => this.mount(), killSb: (_vfs, sb) => this.killSb(sb) };
    // The block device's inode on the bdev pseudo filesystem (blockdev_superblock): drop_caches walks it.
    const bdevType: FileSystemType = { name: "bdev", fsFlags: 0 };
    this.bdevSb = new SuperBlock(bdevType, [0, 0], 0);
    this.bdevSb.sBdiWriteback = true;
    vfs.superBlocks.push(this.bdevSb);
    this.bdev = newInode(vfs, this.bdevSb, Disk.BDEV_INO, 0o60660, this.bdevAops, this.fileInodeOps, SIMPLE_DIR_OPERATIONS);
    this.bdev.iSize = spec.size;
  }

  /**
   * The time the disk code acts at: the simulated clock, or while the flusher catches up on
   * wakeups that fell due during a step (a sleep), the time each was due.
   */
  now(): number {
    return this.flusherNow >= 0 ? this.flusherNow : this.env.now();
  }
  private flusherNow = -1;
  /** When the last bio was submitted (the flusher never acts before it). */
  private lastSubmitNs = 0;

  /** jiffies now (HZ 250, from the simulated clock). */
  jiffies(): number {
    return nsToJiffies(this.now());
  }

  /** Copies the VFS's vm.dirty_* knobs into the writeback logic's sysctls. */
  syncSysctls(): void {
    const d = this.vfs.dirty;
    const s = this.sysctls;
    s.dirtyRatio = d.dirtyRatio;
    s.dirtyBackgroundRatio = d.dirtyBackgroundRatio;
    s.dirtyBytes = d.dirtyBytes;
    s.dirtyBackgroundBytes = d.dirtyBackgroundBytes;
    s.dirtyExpireCentisecs = d.dirtyExpireCentisecs;
    s.dirtyWritebackCentisecs = d.dirtyWritebackCentisecs;
  }

  /** Pages of the block device's page cache. Kernel: `nr_blockdev_pages()` (meminfo Buffers). */
  nrBlockdevPages(): number {
    return this.bdev.iMapping.nrpages;
  }

  // -------------------------------------------------------------------------------------------
  // Mount and lookup
  // -------------------------------------------------------------------------------------------

  /** Kernel: `ext2_fill_super()`: reads the superblock, descriptors and root inode; the dcache gets the image's tree. */
  mount(): SuperBlock | number {
    if (this.sb !== null) return -16; // -EBUSY: one mount of the disk
    const sb = new SuperBlock(this.fsType, [this.dev.major, this.dev.minor], 0);
    sb.sBdiWriteback = true;
    sb.sMagic = EXT2_SUPER_MAGIC;
    sb.sBlocksize = PAGE_SIZE;
    sb.sOp = { name: "ext2_sops", evictInode: (inode) => this.evictInode(inode) };
    sb.sFsInfo = this;
    sb.sInodeCache = "ext4_inode_cache"; // the ext4 driver mounts ext2 (CONFIG_EXT4_USE_FOR_EXT2)
    this.vfs.superBlocks.push(sb);
    this.sb = sb;
    registerSuperShrinker(this.vfs, sb);
    // sb_bread of the superblock and the descriptors: ext2_sb_info keeps their buffer_heads (a reference each)
    for (const pblk of this.fs.mountBlocks()) {
      const page = this.bread(pblk);
      if (page >= 0) this.vfs.mem.refcount[page]!++;
    }
    this.igotten.add(EXT2_ROOT_INO);
    const root = this.inodeFor(sb, EXT2_ROOT_INO);
    sb.sRoot = dMakeRoot(root);
    this.populate(sb, EXT2_ROOT_INO, sb.sRoot);
    return sb;
  }

  /**
   * The last umount: everything dirty is written and waited for (sync_filesystem), the inodes
   * leave the cache with their pages (evict without deleting: they have links), and the block
   * device, closed by its last user, drops its page cache (kill_bdev): Buffers goes to 0.
   * Kernel: `kill_block_super()` → `generic_shutdown_super()` + `blkdev_put()`.
   */
  killSb(sb: SuperBlock): void {
    const all = { syncMode: WB_SYNC_ALL, rangeStart: 0, rangeEnd: -1, nrToWrite: Number.MAX_SAFE_INTEGER };
    for (const inode of sb.sInodes) this.writepages(inode.iMapping, { ...all });
    this.writepages(this.bdev.iMapping, { ...all });
    this.waitAll(null);
    unregisterSuperShrinker(this.vfs, sb);
    shrinkDcacheForUmount(this.vfs, sb);
    sb.sInodeLru.clear();
    for (const inode of [...sb.sInodes]) {
      this.wb.inodeClean(inode.iIno);
      truncateInodePagesFinal(this.vfs, inode.iMapping);
      sb.sInodes.delete(inode);
      this.vfs.mappings.unregister(inode.iMapping);
      destroyInode(this.vfs, inode);
    }
    this.wb.inodeClean(Disk.BDEV_INO);
    const bdev = this.bdev.iMapping;
    for (const pblk of this.fs.mountBlocks()) {
      const e = bdev.iPages.load(pblk);
      if (e > 0) folioPut(this.vfs, e - 1); // the buffer_heads ext2_sb_info held
    }
    truncateInodePages(this.vfs, bdev, 0);
    const i = this.vfs.superBlocks.indexOf(sb);
    if (i >= 0) this.vfs.superBlocks.splice(i, 1);
    this.sb = null;
    this.inodes.clear();
    this.igotten.clear();
    this.inodeBuffers.clear();
  }

  private inodeFor(sb: SuperBlock, ino: number): Inode {
    let inode = this.inodes.get(ino);
    if (inode !== undefined) return inode;
    const dir = this.fs.inodeKind(ino) === INODE_DIR;
    inode = newInode(this.vfs, sb, ino, dir ? S_IFDIR | 0o755 : S_IFREG | 0o644, this.aops, dir ? this.dirInodeOps : this.fileInodeOps, dir ? SIMPLE_DIR_OPERATIONS : this.fileOps);
    inode.iSize = this.fs.iSize(ino);
    inode.iBlocks = this.fs.iBlocks(ino);
    inode.iNlink = this.fs.nlink(ino);
    inode.iMapping.gfpMask &= ~0; // GFP_HIGHUSER_MOVABLE (inode_init_always)
    this.inodes.set(ino, inode);
    return inode;
  }

  /** The image's directory tree into the dcache (pinned, as the mount keeps it). */
  private populate(sb: SuperBlock, dirIno: number, dentry: Dentry): void {
    for (const name of this.fs.readdir(dirIno)) {
      if (name === "." || name === "..") continue;
      const ino = this.fs.lookup(dirIno, name, this.lookupOut);
      if (ino <= 0) continue;
      const kind = this.fs.inodeKind(ino);
      if (kind !== INODE_DIR && kind !== INODE_FILE) continue;
      const child = dAlloc(this.vfs, dentry, name)!; // at mount (boot): no slab object to fail
      dInstantiate(child, this.inodeFor(sb, ino));
      if (kind === INODE_DIR) this.populate(sb, ino, child);
      dput(this.vfs, child); // unused from here: cached on the LRU
    }
  }

  /**
   * A name not in the dcache (never instantiated, or pruned): the directory blocks the lookup
   * scans and, for an inode not in the inode cache, its table block, read through the bdev
   * mapping. Kernel: `ext2_lookup()` (ext2_inode_by_name, ext2_iget → iget_locked: a cached
   * inode is found in the hash and referenced).
   * @returns 0 (dentry instantiated) or -ENOENT
   */
  private lookup(dir: Inode, dentry: Dentry): number {
    const out = this.lookupOut;
    const ino = this.fs.lookup(dir.iIno, dentry.dName, out);
    for (let b = 0; b < out.blocksScanned; b++) {
      this.fs.bmap(dir.iIno, out.startBlock + b, this.scratch);
      if (this.scratch.pblk >= 0) this.bread(this.scratch.pblk);
    }
    if (ino <= 0) return -2; // -ENOENT
    const kind = this.fs.inodeKind(ino);
    if (kind !== INODE_DIR && kind !== INODE_FILE) return -2;
    let inode = this.inodes.get(ino);
    if (inode !== undefined) inode.iCount++; // __iget
    else {
      inode = this.inodeFor(dir.iSb, ino);
      this.igotten.add(ino);
      this.bread(this.fs.inodeTableBlock(ino));
    }
    dInstantiate(dentry, inode);
    return 0;
  }

  /**
   * The first open of an inode: what ext2_lookup and ext2_iget read — the directory blocks the
   * name's lookup scanned and the inode's table block — through the bdev mapping.
   */
  private iget(inode: Inode): number {
    const ino = inode.iIno;
    if (this.igotten.has(ino)) return 0;
    this.igotten.add(ino);
    const parent = this.parentOf(ino);
    if (parent > 0) {
      const name = this.nameOf(parent, ino);
      if (name !== null) {
        this.fs.lookup(parent, name, this.lookupOut);
        const out = this.lookupOut;
        for (let b = 0; b < out.blocksScanned; b++) {
          this.fs.bmap(parent, out.startBlock + b, this.scratch);
          if (this.scratch.pblk >= 0) this.bread(this.scratch.pblk);
        }
      }
    }
    this.bread(this.fs.inodeTableBlock(ino));
    return 0;
  }

  /**
   * A new file or directory. Kernel: `ext2_create()` / `ext2_mkdir()` (ext2_new_inode: the inode
   * bitmap, descriptor and table block dirty; ext2_add_link: the directory block dirty).
   * @returns 0 or -errno
   */
  private create(dir: Inode, dentry: Dentry, isDir: boolean): number {
    const fs = this.fs;
    const ino = fs.create(dir.iIno, dentry.dName, isDir, true);
    if (ino < 0) return ino;
    const g = fs.inodeGroup(ino);
    this.dirtyMeta(fs.inodeBitmapBlock(g), 0, false);
    this.dirtyMeta(fs.groupDescBlock(g), 0, false);
    this.dirtyMeta(fs.inodeTableBlock(ino), ino, false);
    if (fs.lastDirBlock >= 0) {
      fs.bmap(dir.iIno, fs.lastDirBlock, this.scratch);
      if (this.scratch.pblk >= 0) this.dirtyMeta(this.scratch.pblk, dir.iIno, fs.lastDirBlockNew);
    }
    this.igotten.add(ino);
    const inode = this.inodeFor(dir.iSb, ino);
    dInstantiate(dentry, inode);
    if (isDir) dir.iNlink = fs.nlink(dir.iIno);
    return 0;
  }

  /**
   * Removes a name: the directory block and the inode (its link count) dirty; the inode lives on
   * while open or mapped. Kernel: `ext2_unlink()` (ext2_delete_entry, inode_dec_link_count).
   * @returns 0 or -errno
   */
  private unlink(dir: Inode, dentry: Dentry): number {
    const inode = dentry.dInode!;
    const err = this.fs.unlink(dir.iIno, dentry.dName);
    if (err !== 0) return err;
    if (this.fs.lastDirBlock >= 0) {
      this.fs.bmap(dir.iIno, this.fs.lastDirBlock, this.scratch);
      if (this.scratch.pblk >= 0) this.dirtyMeta(this.scratch.pblk, dir.iIno, false);
    }
    this.dirtyMeta(this.fs.inodeTableBlock(inode.iIno), inode.iIno, false);
    dropNlink(inode);
    dDelete(this.vfs, dentry);
    return 0;
  }

  /**
   * Removes an empty directory: its entry as unlink removes a name, then its own link ('.') and
   * the parent's ('..') dropped; its blocks go when its last user does (evictInode). Kernel:
   * `ext2_rmdir()` (ext2_empty_dir, ext2_unlink, inode_dec_link_count twice).
   * @returns 0 or -errno (-ENOTEMPTY)
   */
  private rmdir(dir: Inode, dentry: Dentry): number {
    const inode = dentry.dInode!;
    const err = this.fs.rmdir(dir.iIno, dentry.dName);
    if (err !== 0) return err;
    if (this.fs.lastDirBlock >= 0) {
      this.fs.bmap(dir.iIno, this.fs.lastDirBlock, this.scratch);
      if (this.scratch.pblk >= 0) this.dirtyMeta(this.scratch.pblk, dir.iIno, false);
    }
    this.dirtyMeta(this.fs.inodeTableBlock(inode.iIno), inode.iIno, false);
    this.dirtyMeta(this.fs.inodeTableBlock(dir.iIno), dir.iIno, false);
    inode.iSize = 0;
    dropNlink(inode);
    dropNlink(inode);
    dropNlink(dir);
    dDelete(this.vfs, dentry);
    return 0;
  }

  /**
   * A new size for a regular file: the page cache beyond it unmapped (with the COWs) and dropped,
   * the partial page's tail zeroed, the blocks past it freed (and indirect blocks left empty);
   * the bitmap, the descriptor and the inode's table block dirty. Kernel: `ext2_setattr()` →
   * `ext2_setsize()` (block_truncate_page, truncate_setsize, __ext2_truncate_blocks). The freed
   * blocks are charged to the inode's group's bitmap (the kernel dirties each group's).
   * @returns 0 or -errno (-EFBIG past s_maxbytes)
   */
  private setattr(dentry: Dentry, attr: Iattr): number {
    const inode = dentry.dInode!;
    if ((attr.valid & ATTR_SIZE) === 0 || attr.size === inode.iSize) return 0;
    if (!sIsReg(inode.iMode)) return -EINVAL;
    const err0 = inodeNewsizeOk(inode, attr.size);
    if (err0 !== 0) return err0;
    const ino = inode.iIno;
    this.waitAll(inode.iMapping); // inode_dio_wait; truncate waits for pages under writeback
    truncateSetsize(this.vfs, inode, attr.size);
    const err = this.fs.truncate(ino, attr.size);
    if (err !== 0) return err;
    const g = this.fs.inodeGroup(ino);
    this.dirtyMeta(this.fs.blockBitmapBlock(g), 0, false);
    this.dirtyMeta(this.fs.groupDescBlock(g), 0, false);
    this.dirtyMeta(this.fs.inodeTableBlock(ino), ino, false);
    return 0;
  }

  /**
   * The last user of an unlinked inode is gone: its pages (after their writeback) and its blocks
   * go; the bitmaps, the descriptor and its table block are dirty. Kernel: `ext2_evict_inode()`
   * (truncate_inode_pages_final, ext2_truncate_blocks, ext2_free_inode). The freed indirect
   * blocks' buffers stay cached (the kernel's bforget drops them).
   */
  private evictInode(inode: Inode): void {
    const ino = inode.iIno;
    this.waitAll(inode.iMapping); // truncate waits for pages under writeback
    truncateInodePagesFinal(this.vfs, inode.iMapping);
    this.wb.inodeClean(ino);
    this.inodes.delete(ino);
    this.igotten.delete(ino);
    this.inodeBuffers.delete(ino);
    if (inode.iNlink !== 0 || this.fs.evictInode(ino) !== 0) return;
    const g = this.fs.inodeGroup(ino);
    this.dirtyMeta(this.fs.inodeBitmapBlock(g), 0, false);
    this.dirtyMeta(this.fs.blockBitmapBlock(g), 0, false);
    this.dirtyMeta(this.fs.groupDescBlock(g), 0, false);
    this.dirtyMeta(this.fs.inodeTableBlock(ino), 0, false);
  }

  private parentOf(ino: number): number {
    for (const [dirIno, inode] of this.inodes) {
      if (this.fs.inodeKind(dirIno) !== INODE_DIR || inode.iSb !== this.sb) continue;
      if (this.nameOf(dirIno, ino) !== null) return dirIno;
    }
    return -1;
  }

  private nameOf(dir: number, ino: number): string | null {
    for (const name of this.fs.readdir(dir)) {
      if (name === "." || name === "..") continue;
      if (this.fs.lookup(dir, name, this.lookupOut) === ino) return name;
    }
    return null;
  }

  // -------------------------------------------------------------------------------------------
  // The bdev mapping
  // -------------------------------------------------------------------------------------------

  /**
   * Block `pblk` through the block device's page cache, read synchronously on a miss. Kernel:
   * `sb_bread()` → `__bread_gfp()` → `__getblk` + `submit_bh(REQ_OP_READ)` + `wait_on_buffer`.
   * @returns the page, or -1 when no page could be had
   */
  bread(pblk: number): number {
    const vfs = this.vfs;
    const mapping = this.bdev.iMapping;
    const e = mapping.iPages.load(pblk);
    if (e > 0) {
      const page = e - 1;
      if ((vfs.mem.flags[page]! & UPTODATE) === 0) this.waitOnPage(page);
      return page;
    }
    const page = filemapAllocFolio(vfs, mapping.gfpMask);
    if (page < 0) return -1;
    if (filemapAddFolio(vfs, mapping, page, pblk, mapping.gfpMask | __GFP_NOFAIL) !== 0) { // grow_dev_page: __GFP_NOFAIL
      folioPut(vfs, page);
      return -1;
    }
    folioPut(vfs, page); // the cache's reference holds it
    this.submit(REQ_OP_READ, mapping, pblk * PAGE_SECTORS, PAGE_SECTORS, [page]);
    this.dev.flushPlug(this.now()); // io_schedule flushes the plug
    this.waitOnPage(page);
    return page;
  }

  /** A metadata block becomes dirty (mark_buffer_dirty); `ino` > 0: it belongs to that inode (its private list). */
  private dirtyMeta(pblk: number, ino: number, zero: boolean): void {
    const vfs = this.vfs;
    const mapping = this.bdev.iMapping;
    let page: number;
    if (zero) {
      // sb_getblk of a new block: no read, zeroed and uptodate
      const e = mapping.iPages.load(pblk);
      if (e > 0) page = e - 1;
      else {
        page = filemapAllocFolio(vfs, mapping.gfpMask);
        if (page < 0) return;
        if (filemapAddFolio(vfs, mapping, page, pblk, mapping.gfpMask | __GFP_NOFAIL) !== 0) { // grow_dev_page: __GFP_NOFAIL
          folioPut(vfs, page);
          return;
        }
        folioPut(vfs, page);
        zeroPageRange(vfs, page, PAGE_SIZE);
        vfs.mem.flags[page] = (vfs.mem.flags[page]! | UPTODATE) & ~LOCKED;
      }
    } else {
      page = this.bread(pblk);
      if (page < 0) return;
    }
    this.dirtyFolio(mapping, page);
    if (ino > 0) {
      let set = this.inodeBuffers.get(ino);
      if (set === undefined) this.inodeBuffers.set(ino, (set = new Set()));
      set.add(pblk);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Bios and their completion
  // -------------------------------------------------------------------------------------------

  /** submit_bio: counts pgpgin/pgpgout (sectors), queues the request, remembers the pages. */
  private submit(op: number, mapping: AddressSpace, sector: number, nrSectors: number, pages: number[]): void {
    const vs = this.vfs.vmstat;
    if (op === REQ_OP_READ) vs.countVmEvents(PGPGIN, nrSectors);
    else if (op === REQ_OP_WRITE) vs.countVmEvents(PGPGOUT, nrSectors);
    const now = this.now();
    if (now > this.lastSubmitNs) this.lastSubmitNs = now;
    const seq = this.dev.submitBio(op, sector, nrSectors, now);
    if (seq < 0) {
      // beyond the disk (cannot happen with blocks from the image): the pages fail
      for (const p of pages) this.vfs.mem.flags[p] = this.vfs.mem.flags[p]! & ~(LOCKED | WRITEBACK);
      return;
    }
    const bio: Bio = { seq, op, mapping, pages };
    this.inflight.push(bio);
    for (const p of pages) this.pageBio.set(p, bio);
  }

  /** Completion time of a bio (its plug dispatched first if it is still there). */
  private completion(bio: Bio): number {
    let t = this.dev.requestCompletion(bio.seq);
    if (Number.isNaN(t)) {
      this.dev.flushPlug(this.now());
      t = this.dev.requestCompletion(bio.seq);
    }
    return t;
  }

  /** Ends every bio completed by now. Kernel: the bios' bi_end_io (mpage_end_io, mpage_write_end_io, end_buffer_*). */
  reap(): void {
    const now = this.now();
    this.dev.advance(now);
    if (this.inflight.length === 0) return;
    let kept = 0;
    for (let i = 0; i < this.inflight.length; i++) {
      const bio = this.inflight[i]!;
      const t = this.dev.requestCompletion(bio.seq);
      if (!Number.isNaN(t) && t <= now) this.endIo(bio);
      else this.inflight[kept++] = bio;
    }
    this.inflight.length = kept;
  }

  /** True while some bio is in flight. */
  busy(): boolean {
    return this.inflight.length > 0;
  }

  private endIo(bio: Bio): void {
    const vfs = this.vfs;
    const flags = vfs.mem.flags;
    for (const page of bio.pages) {
      this.pageBio.delete(page);
      if (bio.op === REQ_OP_READ) {
        // folio_mark_uptodate + folio_unlock
        flags[page] = (flags[page]! | UPTODATE) & ~LOCKED;
      } else if (bio.op === REQ_OP_WRITE) this.endWriteback(bio.mapping, page);
    }
  }

  /** Kernel: `folio_end_writeback()` → `__folio_end_writeback()`: PG_writeback, the tag, NR_WRITEBACK, NR_ZONE_WRITE_PENDING, NR_WRITTEN. */
  private endWriteback(mapping: AddressSpace, page: number): void {
    const vfs = this.vfs;
    const flags = vfs.mem.flags;
    if ((flags[page]! & WRITEBACK) === 0) return;
    flags[page] = flags[page]! & ~WRITEBACK;
    // folio_end_writeback: a page reclaim wrote goes to the inactive tail, to be freed next
    if ((flags[page]! & RECLAIM) !== 0) {
      flags[page] = flags[page]! & ~RECLAIM;
      vfs.lru?.folioRotateReclaimable(page);
    }
    if (vfs.mem.mapping[page] === mapping.id) mapping.iPages.clearMark(vfs.mem.index[page]!, PAGECACHE_TAG_WRITEBACK);
    nodeStatModPage(vfs, page, NR_WRITEBACK, -1);
    zoneStatModPage(vfs, page, NR_ZONE_WRITE_PENDING, -1);
    nodeStatModPage(vfs, page, NR_WRITTEN, 1);
    this.bw.writtenStamp++;
  }

  /** The task waits for the I/O of `page` (folio_wait_locked / folio_wait_writeback). */
  waitOnPage(page: number): void {
    const bio = this.pageBio.get(page);
    if (bio === undefined) return;
    const t = this.completion(bio);
    if (t > this.now()) this.env.wait(t);
    this.reap();
  }

  /** Waits until every bio of `mapping` (all mappings when null) has completed. */
  waitAll(mapping: AddressSpace | null): void {
    for (;;) {
      let last = -1;
      for (const bio of this.inflight) if (mapping === null || bio.mapping === mapping) last = Math.max(last, this.completion(bio));
      if (last < 0) return;
      if (last > this.now()) this.env.wait(last);
      this.reap();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------------------------

  private mpageIo(mapping: AddressSpace): MpageIo {
    const ino = mapping.host.iIno;
    const contents = this.fs.fileContents(ino);
    const vfs = this.vfs;
    return {
      readMetaBlock: (pblk) => {
        this.dev.flushPlug(this.now());
        this.bread(pblk);
      },
      zeroPage: (index) => {
        const e = mapping.iPages.load(index);
        if (e <= 0) return;
        const page = e - 1;
        zeroPageRange(vfs, page, PAGE_SIZE);
        vfs.mem.flags[page] = (vfs.mem.flags[page]! | UPTODATE) & ~LOCKED;
      },
      submitBio: (op, sector, nrSectors, pages, nr) => {
        const list: number[] = [];
        const first = sector / PAGE_SECTORS;
        for (let k = 0; k < nr; k++) {
          const e = mapping.iPages.load(pages[k]!);
          if (e <= 0) continue;
          const page = e - 1;
          list.push(page);
          if (op === REQ_OP_READ) {
            // what the block holds: written since the image was made, or the declared contents
            const written = this.fs.blockContent(first + k);
            vfs.contents.set(vfs.mem.pageToPfn(page), Number.isNaN(written) ? this.env.contentOf(contents, ino, pages[k]!) : written);
          } else {
            this.fs.setBlockContent(first + k, vfs.contents.get(vfs.mem.pageToPfn(page)));
          }
        }
        this.submit(op, mapping, sector, nrSectors, list);
      },
    };
  }

  /** Kernel: `ext2_readahead()` → `mpage_readahead()` under read_pages' plug. */
  readahead(rac: ReadaheadControl): void {
    this.dev.startPlug();
    mpageReadahead(this.fs, rac.mapping.host.iIno, rac.index, rac.nrPages, this.mpageIo(rac.mapping));
    this.dev.finishPlug(this.now());
  }

  /** Kernel: `ext2_read_folio()` → `mpage_read_folio()`; filemap_read_folio then waits for it. */
  readFolio(_file: File | null, page: number): number {
    const vfs = this.vfs;
    const mapping = this.mappingOf(page);
    if (mapping === null) {
      folioUnlock(vfs, page);
      return -EIO;
    }
    this.dev.startPlug();
    mpageReadahead(this.fs, mapping.host.iIno, vfs.mem.index[page]!, 1, this.mpageIo(mapping));
    this.dev.finishPlug(this.now());
    this.waitOnPage(page);
    return 0;
  }

  private mappingOf(page: number): AddressSpace | null {
    const id = this.vfs.mem.mapping[page]!;
    for (const inode of this.inodes.values()) if (inode.iMapping.id === id) return inode.iMapping;
    return null;
  }

  /** readahead's view of one file's page cache (mm/readahead.c's calls into filemap). */
  raMapping(mapping: AddressSpace): ReadaheadMapping {
    const vfs = this.vfs;
    const mem = vfs.mem;
    return {
      iSize: () => mapping.host.iSize,
      ioPages: this.dev.ioPages,
      isCached: (i) => mapping.iPages.load(i) > 0,
      addFolio: (i, readahead) => {
        const page = filemapAllocFolio(vfs, mapping.gfpMask);
        if (page < 0) return -ENOMEM;
        const err = filemapAddFolio(vfs, mapping, page, i, mapping.gfpMask);
        folioPut(vfs, page); // read_pages drops the readahead_control's reference; the cache's stays
        if (err !== 0) return err;
        if (readahead) mem.flags[page] = mem.flags[page]! | READAHEAD;
        return 0;
      },
      readPages: (start, nr) => this.readahead({ file: null, mapping, index: start, nrPages: nr }),
      folioWriteback: (i) => {
        const e = mapping.iPages.load(i);
        return e > 0 && (mem.flags[e - 1]! & WRITEBACK) !== 0;
      },
      clearReadahead: (i) => {
        const e = mapping.iPages.load(i);
        if (e > 0) mem.flags[e - 1] = mem.flags[e - 1]! & ~READAHEAD;
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------------

  /** filemap_dirty_folio + __mark_inode_dirty(I_DIRTY_PAGES): the flusher learns of the inode. */
  dirtyFolio(mapping: AddressSpace, page: number): boolean {
    const was = filemapDirtyFolio(this.vfs, mapping, page);
    if (was) {
      // folio_account_dirtied: the task's and the CPU's counts of the dirty throttle
      const cur = this.vfs.current();
      let task = this.tasks.get(cur.pid);
      if (task === undefined) this.tasks.set(cur.pid, (task = new TaskDirtyState()));
      task.nrDirtied++;
      this.bdp.count[cur.cpu < this.bdp.count.length ? cur.cpu : 0]!++;
      this.bw.dirtiedStamp++;
      this.wb.markInodeDirty(mapping.host.iIno, this.jiffies());
    }
    return was;
  }

  /** Kernel: `ext2_write_begin()` → `block_write_begin()` with ext2_get_block (create). */
  writeBegin(_file: File, mapping: AddressSpace, pos: number, len: number, out: WriteBeginOut): number {
    const vfs = this.vfs;
    const index = Math.floor(pos / PAGE_SIZE);
    let page = grabCachePageWriteBegin(vfs, mapping, index);
    if (page < 0) return -ENOMEM;
    if ((vfs.mem.flags[page]! & WRITEBACK) !== 0) this.waitOnPage(page); // folio_wait_stable
    const ino = mapping.host.iIno;
    const r = this.scratch;
    r.reset();
    this.fs.getBlock(ino, index, r, true);
    if (r.err !== 0) {
      folioUnlock(vfs, page);
      folioPut(vfs, page);
      return r.err;
    }
    for (let m = 0; m < r.nMeta; m++) this.bread(r.meta[m]!);
    if (r.nNewMeta > 0 || r.bitmapBlock >= 0) {
      // ext2_alloc_branch: new indirect blocks zeroed and dirty (the inode's buffers); the bitmap,
      // the group descriptor and the inode (i_block, i_blocks) dirty
      const newMeta = Array.from(r.newMeta.subarray(0, r.nNewMeta));
      const bitmap = r.bitmapBlock;
      for (const b of newMeta) this.dirtyMeta(b, ino, true);
      if (bitmap >= 0) this.dirtyMeta(bitmap, 0, false);
      this.dirtyMeta(this.fs.groupDescBlock(this.fs.inodeGroup(ino)), 0, false);
      this.dirtyMeta(this.fs.inodeTableBlock(ino), ino, false);
      mapping.host.iBlocks = this.fs.iBlocks(ino);
    }
    page = out.page = page;
    const flags = vfs.mem.flags;
    if ((flags[page]! & UPTODATE) === 0) {
      if (r.isNew || index * PAGE_SIZE >= mapping.host.iSize) {
        if (len !== PAGE_SIZE) zeroPageRange(vfs, page, PAGE_SIZE - len);
      } else if (len !== PAGE_SIZE) {
        // a partial write of a block on disk reads it first (__block_write_begin's ll_rw_block + wait)
        this.dev.startPlug();
        mpageReadahead(this.fs, ino, index, 1, this.mpageIo(mapping));
        this.dev.finishPlug(this.now());
        this.waitOnPage(page);
        flags[page] = flags[page]! | LOCKED; // the read unlocked it; write_begin returns it locked
      }
    }
    return 0;
  }

  /** Kernel: `ext2_write_end()` → `generic_write_end()`: uptodate, dirty, i_size (the inode dirty). */
  writeEnd(mapping: AddressSpace, pos: number, len: number, copied: number, page: number): number {
    const vfs = this.vfs;
    const flags = vfs.mem.flags;
    const inode = mapping.host;
    if ((flags[page]! & UPTODATE) === 0) {
      if (copied < len) zeroPageRange(vfs, page, len - copied);
      flags[page] = flags[page]! | UPTODATE;
    }
    this.dirtyFolio(mapping, page);
    if (pos + copied > inode.iSize) {
      inode.iSize = pos + copied;
      this.fs.setSize(inode.iIno, inode.iSize);
    }
    folioUnlock(vfs, page);
    folioPut(vfs, page);
    return copied;
  }

  /**
   * Writes the dirty pages of `mapping` (a file's, or the bdev's): PG_dirty → PG_writeback, then
   * mpage bios (bdev: a bio per run of contiguous blocks). Kernel: `do_writepages()` →
   * `ext2_writepages` / `blkdev_writepages` (write_cache_pages, __folio_start_writeback).
   * @returns 0
   */
  writepages(mapping: AddressSpace, wbc: WritebackControl): number {
    const vfs = this.vfs;
    const flags = vfs.mem.flags;
    const xa = mapping.iPages;
    const start = Math.floor(wbc.rangeStart / PAGE_SIZE);
    const end = wbc.rangeEnd < 0 ? XA_MAX_INDEX : Math.min(XA_MAX_INDEX, Math.floor(wbc.rangeEnd / PAGE_SIZE));
    const indexes: number[] = [];
    for (let i = xa.find(start, end); i >= 0 && wbc.nrToWrite > 0; i = i < end ? xa.find(i + 1, end) : -1) {
      const e = xa.found;
      if (e <= 0) continue;
      const page = e - 1;
      if ((flags[page]! & DIRTY) === 0) continue;
      if ((flags[page]! & WRITEBACK) !== 0) {
        if (wbc.syncMode !== WB_SYNC_ALL) continue;
        this.waitOnPage(page);
      }
      if (!folioClearDirtyForIo(vfs, mapping, page)) continue;
      // __folio_start_writeback
      flags[page] = flags[page]! | WRITEBACK;
      xa.setMark(i, PAGECACHE_TAG_WRITEBACK);
      xa.clearMark(i, PAGECACHE_TAG_DIRTY);
      nodeStatModPage(vfs, page, NR_WRITEBACK, 1);
      zoneStatModPage(vfs, page, NR_ZONE_WRITE_PENDING, 1);
      indexes.push(i);
      wbc.nrToWrite--;
    }
    if (indexes.length === 0) return 0;
    this.dev.startPlug();
    if (mapping === this.bdev.iMapping) {
      // blkdev_writepages: block_write_full_page per buffer; the plug merges contiguous blocks
      for (const pblk of indexes) {
        const page = xa.load(pblk) - 1;
        this.submit(REQ_OP_WRITE, mapping, pblk * PAGE_SECTORS, PAGE_SECTORS, [page]);
      }
    } else {
      mpageWritepages(this.fs, mapping.host.iIno, indexes, indexes.length, this.mpageIo(mapping));
    }
    this.dev.finishPlug(this.now());
    if (!this.hasDirty(mapping)) this.wb.inodeClean(mapping.host.iIno);
    return 0;
  }

  private hasDirty(mapping: AddressSpace): boolean {
    const xa = mapping.iPages;
    return xa.find(0, XA_MAX_INDEX) >= 0 && this.countTagged(mapping) > 0;
  }

  private countTagged(mapping: AddressSpace): number {
    const xa = mapping.iPages;
    const flags = this.vfs.mem.flags;
    let n = 0;
    for (let i = xa.find(0, XA_MAX_INDEX); i >= 0; i = i < XA_MAX_INDEX ? xa.find(i + 1, XA_MAX_INDEX) : -1) {
      const e = xa.found;
      if (e > 0 && (flags[e - 1]! & DIRTY) !== 0) n++;
    }
    return n;
  }

  /**
   * fsync(2)/fdatasync(2) of a disk file: its pages written and waited for, its own metadata
   * buffers (indirect blocks, the inode's table block) written and waited for, then a cache
   * flush. Kernel: `ext2_fsync()` → `generic_file_fsync()` (file_write_and_wait_range,
   * sync_mapping_buffers, sync_inode_metadata, blkdev_issue_flush).
   * @returns 0 or -errno
   */
  fsync(inode: Inode, _datasync: boolean): number {
    this.reap();
    const mapping = inode.iMapping;
    this.writepages(mapping, { syncMode: WB_SYNC_ALL, rangeStart: 0, rangeEnd: -1, nrToWrite: Number.MAX_SAFE_INTEGER });
    this.waitAll(mapping);
    const own = this.inodeBuffers.get(inode.iIno);
    if (own !== undefined && own.size > 0) {
      const bdev = this.bdev.iMapping;
      const blocks = [...own].sort((a, b) => a - b);
      own.clear();
      for (const pblk of blocks) {
        const e = bdev.iPages.load(pblk);
        if (e <= 0 || (this.vfs.mem.flags[e - 1]! & DIRTY) === 0) continue;
        this.writepages(bdev, { syncMode: WB_SYNC_ALL, rangeStart: pblk * PAGE_SIZE, rangeEnd: pblk * PAGE_SIZE + PAGE_SIZE - 1, nrToWrite: 1 });
      }
      this.waitAll(bdev);
    }
    // blkdev_issue_flush: an empty REQ_PREFLUSH write, waited for
    const seq = this.dev.submitBio(REQ_OP_FLUSH, 0, 0, this.now());
    const t = this.dev.requestCompletion(seq);
    if (t > this.now()) this.env.wait(t);
    this.reap();
    return 0;
  }

  // -------------------------------------------------------------------------------------------
  // The flusher and the dirty throttle
  // -------------------------------------------------------------------------------------------

  /** Global dirty limits from the free and file pages now. Kernel: `global_dirty_limits()`. */
  dirtyLimits(): { thresh: number; bgThresh: number } {
    const vs = this.vfs.vmstat;
    this.syncSysctls();
    return globalDirtyLimits({
      nrFreePages: vs.globalZonePageState(NR_FREE_PAGES),
      totalreservePages: this.env.totalreservePages?.() ?? 0,
      nrInactiveFile: vs.globalNodePageState(NR_INACTIVE_FILE),
      nrActiveFile: vs.globalNodePageState(NR_ACTIVE_FILE),
    }, this.sysctls);
  }

  /** The counters balance_dirty_pages reads now. */
  private dirtyState(): DirtyState {
    const vs = this.vfs.vmstat;
    return {
      nrFreePages: vs.globalZonePageState(NR_FREE_PAGES),
      totalreservePages: this.env.totalreservePages?.() ?? 0,
      nrInactiveFile: vs.globalNodePageState(NR_INACTIVE_FILE),
      nrActiveFile: vs.globalNodePageState(NR_ACTIVE_FILE),
      nrFileDirty: vs.globalNodePageState(NR_FILE_DIRTY),
      nrWriteback: vs.globalNodePageState(NR_WRITEBACK),
    };
  }

  /**
   * A writer dirtied a page: every nr_dirtied_pause pages (or ratelimit_pages on its CPU) it goes
   * through balance_dirty_pages, which kicks background writeback and, above the freerun ceiling,
   * makes it sleep `pause` jiffies — on the simulated clock, during which the flusher runs and
   * bios complete — and again while the dirty pages stay at the limit. Kernel:
   * `balance_dirty_pages_ratelimited()` → `balance_dirty_pages()` (@mmsim/block's decisions).
   */
  balanceDirtyPagesRatelimited(): void {
    const cur = this.vfs.current();
    let task = this.tasks.get(cur.pid);
    if (task === undefined) this.tasks.set(cur.pid, (task = new TaskDirtyState()));
    this.syncSysctls();
    const g = this.dirtyState();
    const ratelimit = writebackSetRatelimit(this.bw, g, this.sysctls, this.nrCpus);
    const cpu = cur.cpu < this.bdp.count.length ? cur.cpu : 0;
    if (!balanceDirtyPagesNeeded(task, this.bdp, cpu, this.bw, ratelimit)) return;
    for (let n = 0; n < MAX_BDP_LOOPS; n++) {
      const st = this.dirtyState();
      const wbc = { reclaimable: st.nrFileDirty, writeback: st.nrWriteback, dirtied: this.bw.dirtiedStamp, written: this.bw.writtenStamp, completions: [1, 1] as const };
      const d = balanceDirtyPages(st, wbc, this.bw, task, this.sysctls, Math.max(task.nrDirtied, 1), this.jiffies(), this.wb.writebackRunning, this.nrCpus);
      if (d.startBackgroundWriteback) this.wb.startBackgroundWriteback(this.jiffies());
      if (d.pause <= 0) {
        // the flusher was kicked: it runs now (on a real machine, on another CPU at once)
        if (this.flusherPending()) this.flusherRun();
        return;
      }
      // io_schedule_timeout(pause): the flusher works meanwhile
      this.env.wait(this.env.now() + jiffiesToNs(d.pause));
      if (this.flusherPending()) this.flusherRun();
      this.reap();
      if (!d.again) return;
    }
  }

  /** Wakes the flusher now to write back everything dirty (WB_start_all). Kernel: `wakeup_flusher_threads()` for this bdi. */
  wakeupFlusher(): void {
    this.syncSysctls();
    this.wb.startWriteback(this.jiffies(), WB_REASON_PERIODIC);
  }

  /**
   * A task sleeping in the kernel (reclaim_throttle) lets the flusher, when it is due, write on
   * this CPU meanwhile; the I/O completed by now is reaped either way.
   */
  runFlusherIfDue(): void {
    if (this.flusherPending()) this.flusherRun();
  }

  /** True when the flusher is due (its delayed work's timer expired); else the I/O completed by now is reaped. */
  flusherPending(): boolean {
    if (this.wb.workAt >= 0 && this.jiffies() >= this.wb.workAt) return true;
    this.reap();
    return false;
  }

  /**
   * Runs the flusher at each time its delayed work fell due up to now (a step that let time
   * pass, a sleep, ran past them; the kernel's timer would have fired at each), then reaps what
   * completed. Kernel: `wb_workfn()` per wakeup. @returns pages written
   */
  flusherRun(): number {
    let pages = 0;
    const end = this.env.now();
    for (let n = 0; n < MAX_FLUSHER_CATCHUP && this.wb.workAt >= 0 && jiffiesToNs(this.wb.workAt) <= end; n++) {
      this.flusherNow = Math.max(jiffiesToNs(this.wb.workAt), this.lastSubmitNs);
      this.dev.advance(this.flusherNow);
      this.reap();
      pages += this.wbWorkfn();
    }
    this.flusherNow = -1;
    this.reap();
    return pages;
  }

  /** One wb_workfn pass at this.now(). */
  private wbWorkfn(): number {
    this.syncSysctls();
    this.wb.workAt = -1;
    const res = this.wb.workfn(this.jiffies(), {
      writepages: (ino, nrToWrite, syncAll) => {
        const inode = ino === Disk.BDEV_INO ? this.bdev : this.inodes.get(ino);
        if (inode === undefined) return 0;
        const wbc = { syncMode: syncAll ? WB_SYNC_ALL : 0, rangeStart: 0, rangeEnd: -1, nrToWrite };
        this.writepages(inode.iMapping, wbc);
        return nrToWrite - wbc.nrToWrite;
      },
      hasDirtyPages: (ino) => {
        const inode = ino === Disk.BDEV_INO ? this.bdev : this.inodes.get(ino);
        return inode !== undefined && this.countTagged(inode.iMapping) > 0;
      },
      overBgThresh: () => this.vfs.vmstat.globalNodePageState(NR_FILE_DIRTY) > this.dirtyLimits().bgThresh,
      nrDirtyPages: () => this.vfs.vmstat.globalNodePageState(NR_FILE_DIRTY) + this.wb.bDirty.length + this.wb.bIo.length + this.wb.bMoreIo.length,
    });
    return res.pages;
  }

  /** The background reason's name, for messages. */
  static readonly REASON_BACKGROUND = WB_REASON_BACKGROUND;
}

/**
 * The page cache's readahead for disk files (mm/readahead.c through @mmsim/block): a mapping
 * with a ->readahead gets ondemand readahead; others (ramfs) read the one page they need.
 */
export class DiskReadahead implements ReadaheadOps {
  constructor(private readonly disk: Disk) {}

  private ra(file: File | null): BlockRa | null {
    return file === null ? null : (file.fRa as unknown as BlockRa);
  }

  syncReadahead(mapping: AddressSpace, file: File | null, index: number, reqCount: number): void {
    const ra = this.ra(file);
    if (mapping.aOps !== this.disk.aops || ra === null) return;
    pageCacheSyncRa(this.disk.raMapping(mapping), ra, index, reqCount);
  }

  asyncReadahead(mapping: AddressSpace, file: File | null, _page: number, index: number, reqCount: number): void {
    const ra = this.ra(file);
    if (mapping.aOps !== this.disk.aops || ra === null) return;
    pageCacheAsyncRa(this.disk.raMapping(mapping), ra, index, reqCount);
  }

  /**
   * A fault missed the page cache: read-around. Kernel: `do_sync_mmap_readahead()`.
   * @returns -1 when the mapping is not the disk's; 1 when it read ahead with mmap_lock dropped
   *   (its `fpin`: the fault is retried), else 0
   */
  syncMmapReadahead(mapping: AddressSpace, file: File, pgoff: number, hints: { random?: boolean; sequential?: boolean }): number {
    const ra = this.ra(file);
    if (mapping.aOps !== this.disk.aops || ra === null) return -1;
    doSyncMmapReadahead(this.disk.raMapping(mapping), ra, pgoff, hints);
    // the cases that return before maybe_unlock_mmap_for_io: VM_RAND_READ, no ra_pages, too many misses
    if (hints.random || ra.raPages === 0) return 0;
    return hints.sequential || ra.mmapMiss <= MMAP_LOTSAMISS_RA ? 1 : 0;
  }

  /** A fault found its page: count a hit, read ahead at a PG_readahead page. Kernel: `do_async_mmap_readahead()`. */
  asyncMmapReadahead(mapping: AddressSpace, file: File, pgoff: number, readaheadFlag: boolean, hints: { random?: boolean; sequential?: boolean }): boolean {
    const ra = this.ra(file);
    if (mapping.aOps !== this.disk.aops || ra === null) return false;
    doAsyncMmapReadahead(this.disk.raMapping(mapping), ra, pgoff, readaheadFlag, hints);
    return true;
  }

  /** The task needs a locked page: wait for its read (folio_wait_locked). */
  waitOnPage(page: number): void {
    this.disk.waitOnPage(page);
  }
}

/**
 * Gives the machine its disk: vda with the declared ext2 image, the "ext2" filesystem
 * registered, mounted on `mountpoint` (its missing directories made on the rootfs, as a
 * `mkdir -p` before mount(8) would), readahead and the dirty throttle wired into the page cache.
 * @returns the disk, or a negative errno when the mount failed (mountpoint not a directory)
 */
export function attachDisk(vfs: Vfs, spec: DiskSpec, cost: CostModel, env: DiskEnv, mountpoint: string = DEFAULT_DISK_MOUNT): Disk | number {
  const disk = new Disk(vfs, spec, cost, env);
  vfs.registerFilesystem(disk.fsType);
  vfs.readahead = new DiskReadahead(disk);
  vfs.disk = disk;
  const parts = mountpoint.split("/").filter((p) => p !== "");
  for (let i = 1; i <= parts.length; i++) {
    const err = doMkdirat(vfs, "/" + parts.slice(0, i).join("/"), 0o755);
    if (err !== 0 && err !== -EEXIST) return err;
  }
  const err = doMount(vfs, "/dev/vda", mountpoint, "ext2", 0, "");
  return err !== 0 ? err : disk;
}
