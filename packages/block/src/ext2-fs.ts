// Kernel: fs/ext2 (ext2.h: the on-disk layout; inode.c: ext2_block_to_path, ext2_get_branch, ext2_alloc_branch, ext2_truncate_blocks; dir.c: ext2_find_entry, ext2_add_link, ext2_delete_entry; balloc.c/ialloc.c: block and inode allocation; super.c: ext2_statfs), fs/ext4/namei.c and ext4/balloc.c where 6.1's ext4 driver mounts the image (v6.1) — an ext2 image on the disk
/*
 * The disk holds an ext2 revision-1 filesystem as
 *     mke2fs -t ext2 -b 4096 -I 256 -i 16384 -m 5 -O sparse_super,filetype,^resize_inode,^dir_index,^ext_attr
 * would make it, then populated file by file (the scenario's `disk.files`, in order):
 *   - block size 4096 (= PAGE_SIZE: one block per page-cache page, 8 sectors); first_data_block 0;
 *   - block groups of 32768 blocks (8 × block size bits in one bitmap block); a last group too
 *     small for its metadata and 50 data blocks is dropped, as mke2fs does;
 *   - in each group: a superblock copy and the group descriptor table when the group has a super
 *     (sparse_super: groups 0, 1 and powers of 3, 5, 7; the primary superblock is at byte 1024 of
 *     block 0), then the block bitmap, the inode bitmap and the inode table (256-byte inodes);
 *   - one inode per 16384 bytes of disk, rounded up to fill inode-table blocks;
 *   - inodes 1–10 reserved, 2 the root directory, 11 lost+found (16 KiB, as mke2fs makes it);
 *   - 5% of the blocks reserved for root (s_r_blocks_count);
 *   - files map their blocks through i_block[15]: 12 direct, then single, double and triple
 *     indirect blocks of 1024 block numbers each (ext2_block_to_path); a new branch's indirect
 *     blocks are allocated just before its data block (ext2_alloc_branch), so a file written in one
 *     go is laid out d0…d11, IND, d12…d1035, DIND, IND, d1036…;
 *   - directories are linear lists of ext2_dir_entry_2 records (rec_len = 8 + name_len rounded up
 *     to 4; the last record of a block stretches to its end), no htree (^dir_index): ext2_add_link
 *     takes the first record with room and grows the directory by a block when none has;
 *     ext2_delete_entry merges a record into the one before it; a lookup scans the blocks from
 *     the one of the last hit (i_dir_start_lookup) round to it.
 *
 * The reference kernel has no CONFIG_EXT2_FS: its ext4 driver mounts ext2 images
 * (CONFIG_EXT4_USE_FOR_EXT2). For the page cache that means metadata — the superblock, group
 * descriptors, bitmaps, inode-table blocks, indirect blocks and directory blocks — is read
 * through the block device's own mapping (sb_bread, ext4_bread), which is what /proc/meminfo's
 * Buffers counts. This module only says *which* blocks an operation reads or dirties (the
 * BlockMapResult and DirLookupResult below); the page cache (@mmsim/filemap) reads them through
 * the block device and keeps them. ENOSPC follows ext4_has_free_clusters for a filesystem without
 * extents (no s_resv_clusters): root may use the reserved 5%, others may not; statfs is
 * ext2_statfs's (the same numbers as ext4_statfs here: the overhead is the groups' metadata).
 *
 * Simplified: block allocation is first-fit from a goal (the block after the file's previous
 * block, else the first data block of the inode's group), then the following groups — no
 * reservation windows, no per-process colouring of the first goal (ext2_find_near adds
 * (pid % 16) × 2048); a new inode goes to the first free inode of its parent's group, then the
 * following groups (no Orlov spreading of directories); no timestamps, owners or permissions;
 * no sparse superblock backups are written, their blocks are only kept out of use. The bytes of
 * files are content identities (disk-spec.ts), not data.
 *
 * Invariants (validate()):
 *   - the free block and inode counts equal the clear bits of the bitmaps, per group and in total;
 *   - every block mapped by an inode (data and indirect) is in use, and no block is mapped twice;
 *   - metadata blocks (super, descriptors, bitmaps, inode tables) are in use and mapped by no inode;
 *   - i_blocks of every inode is 8 × the blocks it maps; a file maps no block at or past i_size;
 *   - every directory entry names a live inode; a directory's i_size is its blocks × 4096;
 *   - every inode's link count equals the entries naming it (+ "." and ".." for directories).
 */
import { ConfigError, EEXIST, EFBIG, EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, formatSize, type ValidationSink } from "@mmsim/core";
import type { DiskContents, DiskSpec } from "./disk-spec.ts";
import { EXT2_NAME_LEN } from "./disk-spec.ts";

/** Filesystem block size (= PAGE_SIZE). */
export const EXT2_BLOCK_SIZE = 4096;
/** Sectors per filesystem block. */
export const EXT2_BLOCK_SECTORS = EXT2_BLOCK_SIZE / 512;
/** Kernel: `EXT2_NDIR_BLOCKS`, `EXT2_IND_BLOCK`, `EXT2_DIND_BLOCK`, `EXT2_TIND_BLOCK`, `EXT2_N_BLOCKS`. */
export const EXT2_NDIR_BLOCKS = 12;
export const EXT2_IND_BLOCK = 12;
export const EXT2_DIND_BLOCK = 13;
export const EXT2_TIND_BLOCK = 14;
export const EXT2_N_BLOCKS = 15;
/** Block numbers per indirect block. Kernel: `EXT2_ADDR_PER_BLOCK(sb)`. */
export const EXT2_ADDR_PER_BLOCK = EXT2_BLOCK_SIZE / 4;
/** Kernel: `EXT2_ROOT_INO`. */
export const EXT2_ROOT_INO = 2;
/** First inode not reserved (lost+found). Kernel: `EXT2_GOOD_OLD_FIRST_INO`. */
export const EXT2_GOOD_OLD_FIRST_INO = 11;
/** On-disk inode size (mke2fs -I 256). */
export const EXT2_INODE_SIZE = 256;
/** Bytes of disk per inode (mke2fs -i 16384). */
export const EXT2_INODE_RATIO = 16384;
/** Blocks per group: the bits of one bitmap block. Kernel: `EXT2_BLOCKS_PER_GROUP`. */
export const EXT2_BLOCKS_PER_GROUP = 8 * EXT2_BLOCK_SIZE;
/** Size of a group descriptor. Kernel: `sizeof(struct ext2_group_desc)`. */
export const EXT2_DESC_SIZE = 32;
/** Percent of blocks reserved for root (mke2fs -m 5). */
export const EXT2_RESERVED_PERCENT = 5;
/** The size mke2fs gives lost+found. */
export const EXT2_LPF_SIZE = 16384;
/** Kernel: `EXT2_SUPER_MAGIC` (f_type of statfs). */
export const EXT2_SUPER_MAGIC = 0xef53;

const INODES_PER_BLOCK = EXT2_BLOCK_SIZE / EXT2_INODE_SIZE;
const NO_BLOCK = 0;

/** Kind of an inode. */
export const INODE_FREE = 0;
export const INODE_FILE = 1;
export const INODE_DIR = 2;

/** Bytes an entry with a name of `nameLen` bytes needs. Kernel: `EXT2_DIR_REC_LEN(name_len)`. */
export function ext2DirRecLen(nameLen: number): number {
  return (nameLen + 8 + 3) & ~3;
}

/**
 * What mapping one block of a file did: the block, and the metadata it read or made.
 * Reused by the caller across calls (no allocation per call).
 */
export class BlockMapResult {
  /** The disk block of the file block, or −1 for a hole. */
  pblk = -1;
  /** True when this call allocated the data block (it holds no data yet: zero it or write it). */
  isNew = false;
  /** Indirect blocks read on the way, outermost first (they are metadata: the bdev mapping). */
  readonly meta = new Int32Array(3);
  nMeta = 0;
  /** Indirect blocks this call allocated (zeroed, dirty in the bdev mapping), outermost first. */
  readonly newMeta = new Int32Array(3);
  nNewMeta = 0;
  /** The block bitmap block an allocation read and dirtied, or −1. */
  bitmapBlock = -1;
  /** 0, or −ENOSPC (no free block), −EFBIG (past the triple indirect range), −EINVAL. */
  err = 0;

  reset(): void {
    this.pblk = -1;
    this.isNew = false;
    this.nMeta = 0;
    this.nNewMeta = 0;
    this.bitmapBlock = -1;
    this.err = 0;
  }
}

/** What a directory lookup read. */
export class DirLookupResult {
  /** The inode named, or 0 when the name is not there. */
  ino = 0;
  /** The directory block (logical) where the scan started, and how many blocks it read. */
  startBlock = 0;
  blocksScanned = 0;
  /** The directory block (logical) holding the entry, or −1. */
  foundBlock = -1;
}

/** The numbers statfs(2) reports. Kernel: `struct kstatfs` as ext2_statfs fills it. */
export interface Ext2Statfs {
  readonly type: number;
  readonly bsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
  readonly namelen: number;
}

interface DirEntry {
  ino: number;
  name: string;
  nameLen: number;
  recLen: number;
}

interface DirState {
  /** Records of each directory block, in on-disk order. */
  readonly blocks: DirEntry[][];
  /** name → logical block holding it (a host-side index over `blocks`). */
  readonly index: Map<string, number>;
  /** Kernel: `ei->i_dir_start_lookup`. */
  startLookup: number;
}

function isPowerOf(n: number, b: number): boolean {
  if (n < 1) return false;
  while (n % b === 0) n /= b;
  return n === 1;
}

/** True when group `g` holds a superblock copy and the descriptors. Kernel: `ext2_bg_has_super` with sparse_super. */
export function ext2BgHasSuper(g: number): boolean {
  return g <= 1 || isPowerOf(g, 3) || isPowerOf(g, 5) || isPowerOf(g, 7);
}

/**
 * An ext2 filesystem image: its geometry, bitmaps, inodes, block maps and directories.
 * Kernel: what `ext2_fill_super` finds on the disk, and the operations of fs/ext2 on it.
 */
export class Ext2Fs {
  readonly blocksCount: number;
  readonly groupsCount: number;
  readonly blocksPerGroup = EXT2_BLOCKS_PER_GROUP;
  readonly inodesPerGroup: number;
  readonly inodesCount: number;
  /** Inode-table blocks per group. Kernel: `sbi->s_itb_per_group`. */
  readonly itbPerGroup: number;
  /** Group descriptor blocks. Kernel: `sbi->s_gdb_count`. */
  readonly gdtBlocks: number;
  /** Kernel: `es->s_r_blocks_count`. */
  readonly rBlocksCount: number;
  /** Blocks of filesystem metadata (ext2_statfs's overhead). */
  readonly overhead: number;

  private readonly blockBitmap: Uint32Array;
  private readonly inodeBitmap: Uint32Array;
  /** Free blocks / inodes per group. Kernel: `bg_free_blocks_count`, `bg_free_inodes_count`. */
  readonly groupFreeBlocks: Int32Array;
  readonly groupFreeInodes: Int32Array;
  freeBlocks = 0;
  freeInodes = 0;

  // Inodes, indexed by inode number (grown as numbers are used)
  private iKind = new Uint8Array(64);
  private iSizeArr = new Float64Array(64);
  /** Blocks mapped (data + indirect). */
  private iNrBlocks = new Float64Array(64);
  private iLinks = new Uint16Array(64);
  private iBlock = new Int32Array(64 * EXT2_N_BLOCKS);
  private iContents: (DiskContents | undefined)[] = [];
  /** Indirect blocks: block number → the 1024 block numbers it holds. */
  private readonly indirect = new Map<number, Int32Array>();
  private readonly dirs = new Map<number, DirState>();
  /** Content identities written to blocks since the image was made (block → identity). */
  private readonly written = new Map<number, number>();
  /** The directory block (logical) the last create/unlink/rmdir changed, and whether it was added. */
  lastDirBlock = -1;
  lastDirBlockNew = false;

  private readonly scratch = new BlockMapResult();
  private readonly prevScratch = new BlockMapResult();
  private readonly newBlocks = new Int32Array(4);

  /**
   * Makes the filesystem and creates the declared files in order.
   * @param file where the declaration came from, for errors
   * @throws ConfigError when the files do not fit (the message says how large the disk must be)
   */
  constructor(spec: DiskSpec, file = "<api>") {
    let blocks = Math.floor(spec.size / EXT2_BLOCK_SIZE);
    // Geometry (mke2fs's ext2fs_initialize): groups, inodes per group rounded to whole inode-table blocks.
    let groups = Math.ceil(blocks / EXT2_BLOCKS_PER_GROUP);
    const geometry = (nblocks: number, ngroups: number) => {
      const inodes = Math.floor((nblocks * EXT2_BLOCK_SIZE) / EXT2_INODE_RATIO);
      let ipg = Math.ceil(inodes / ngroups);
      ipg = Math.ceil(ipg / INODES_PER_BLOCK) * INODES_PER_BLOCK;
      if (ipg < INODES_PER_BLOCK) ipg = INODES_PER_BLOCK;
      if (ipg > EXT2_BLOCKS_PER_GROUP) ipg = EXT2_BLOCKS_PER_GROUP;
      const gdt = Math.ceil((ngroups * EXT2_DESC_SIZE) / EXT2_BLOCK_SIZE);
      return { ipg, itb: ipg / INODES_PER_BLOCK, gdt };
    };
    let geo = geometry(blocks, groups);
    const lastSize = blocks - (groups - 1) * EXT2_BLOCKS_PER_GROUP;
    const lastOverhead = (ext2BgHasSuper(groups - 1) ? 1 + geo.gdt : 0) + 2 + geo.itb;
    if (groups > 1 && lastSize < lastOverhead + 50) {
      // mke2fs drops a last group too small to be worth its metadata.
      groups--;
      blocks = groups * EXT2_BLOCKS_PER_GROUP;
      geo = geometry(blocks, groups);
    }
    this.blocksCount = blocks;
    this.groupsCount = groups;
    this.inodesPerGroup = geo.ipg;
    this.inodesCount = geo.ipg * groups;
    this.itbPerGroup = geo.itb;
    this.gdtBlocks = geo.gdt;
    this.rBlocksCount = Math.floor((blocks * EXT2_RESERVED_PERCENT) / 100);
    let overhead = 0;
    for (let g = 0; g < groups; g++) overhead += this.groupMetaBlocks(g);
    this.overhead = overhead;
    this.blockBitmap = new Uint32Array(Math.ceil(blocks / 32));
    this.inodeBitmap = new Uint32Array(Math.ceil(this.inodesCount / 32));
    this.groupFreeBlocks = new Int32Array(groups);
    this.groupFreeInodes = new Int32Array(groups);
    for (let g = 0; g < groups; g++) {
      const first = this.groupFirstBlock(g);
      const n = this.groupBlocks(g);
      const meta = this.groupMetaBlocks(g);
      if (meta + 1 > n) {
        throw new ConfigError("block.Ext2Fs", file, "disk.size", `a disk whose block group ${g} holds its ${meta} metadata blocks`, formatSize(spec.size));
      }
      for (let b = first; b < first + meta; b++) this.setBit(this.blockBitmap, b);
      this.groupFreeBlocks[g] = n - meta;
      this.groupFreeInodes[g] = this.inodesPerGroup;
    }
    this.freeBlocks = blocks - overhead;
    this.freeInodes = this.inodesCount;
    // Reserved inodes 1..10 (ext2's first_ino is 11).
    for (let ino = 1; ino < EXT2_GOOD_OLD_FIRST_INO; ino++) if (ino !== EXT2_ROOT_INO) this.takeInode(ino);
    this.makeInode(EXT2_ROOT_INO, INODE_DIR);
    this.iLinks[EXT2_ROOT_INO] = 2;
    const root = this.newDir(EXT2_ROOT_INO, EXT2_ROOT_INO, true);
    if (root < 0) throw this.tooSmall(spec, file, -1);
    // lost+found: inode 11, 16 KiB.
    const lpf = this.create(EXT2_ROOT_INO, "lost+found", true);
    if (lpf !== EXT2_GOOD_OLD_FIRST_INO) throw this.tooSmall(spec, file, -1);
    for (let k = 1; k < EXT2_LPF_SIZE / EXT2_BLOCK_SIZE; k++) {
      if (this.growDir(lpf, true) < 0) throw this.tooSmall(spec, file, -1);
    }
    // The declared files, in order.
    for (let i = 0; i < spec.files.length; i++) {
      const f = spec.files[i]!;
      const parts = f.path.split("/").slice(1);
      let dir = EXT2_ROOT_INO;
      for (let k = 0; k < parts.length - 1; k++) {
        const found = this.find(dir, parts[k]!);
        if (found > 0) dir = found;
        else {
          const d = this.create(dir, parts[k]!, true);
          if (d < 0) throw this.tooSmall(spec, file, i);
          dir = d;
        }
      }
      const ino = this.create(dir, parts[parts.length - 1]!, false);
      if (ino < 0) throw this.tooSmall(spec, file, i);
      this.iContents[ino] = f.contents;
      const nblocks = Math.ceil(f.size / EXT2_BLOCK_SIZE);
      const r = this.scratch;
      for (let lblk = 0; lblk < nblocks; lblk++) {
        this.getBlock(ino, lblk, r, true);
        if (r.err < 0) throw this.tooSmall(spec, file, i);
      }
      this.iSizeArr[ino] = f.size;
    }
  }

  private tooSmall(spec: DiskSpec, file: string, index: number): ConfigError {
    // What the declaration needs: metadata, root and lost+found, each file's data and indirect blocks, a block per directory.
    let need = this.overhead + 1 + EXT2_LPF_SIZE / EXT2_BLOCK_SIZE;
    const dirs = new Set<string>();
    for (const f of spec.files) {
      need += ext2BlocksFor(Math.ceil(f.size / EXT2_BLOCK_SIZE));
      const parts = f.path.split("/");
      for (let k = 2; k < parts.length; k++) dirs.add(parts.slice(0, k).join("/"));
    }
    need += dirs.size;
    const bytes = Math.ceil((need * EXT2_BLOCK_SIZE) / (1 << 20)) * (1 << 20);
    const where = index < 0 ? "disk.size" : `disk.files[${index}]`;
    const what = index < 0 ? "the filesystem's own metadata" : `${spec.files[index]!.path} (${formatSize(spec.files[index]!.size)})`;
    const inodes = spec.files.length + dirs.size + EXT2_GOOD_OLD_FIRST_INO;
    const lack = this.freeInodes === 0 ? `no free inode is left (the disk has ${this.inodesCount}, one per 16 KiB; the files and directories need ${inodes})` : `only ${this.freeBlocks} of ${this.blocksCount} blocks are free`;
    return new ConfigError("block.Ext2Fs", file, where, `files that fit on the disk: make disk.size at least ${formatSize(Math.max(bytes, inodes * EXT2_INODE_RATIO))}`, `${what} after ${lack}`);
  }

  // ---- geometry ----

  /** First block of group `g`. Kernel: `ext2_group_first_block_no`. */
  groupFirstBlock(g: number): number {
    return g * EXT2_BLOCKS_PER_GROUP;
  }

  /** Blocks in group `g` (the last may be shorter). */
  groupBlocks(g: number): number {
    return g === this.groupsCount - 1 ? this.blocksCount - g * EXT2_BLOCKS_PER_GROUP : EXT2_BLOCKS_PER_GROUP;
  }

  private groupMetaBlocks(g: number): number {
    return (ext2BgHasSuper(g) ? 1 + this.gdtBlocks : 0) + 2 + this.itbPerGroup;
  }

  /** The block bitmap of group `g`. Kernel: `bg_block_bitmap`. */
  blockBitmapBlock(g: number): number {
    return this.groupFirstBlock(g) + (ext2BgHasSuper(g) ? 1 + this.gdtBlocks : 0);
  }

  /** The inode bitmap of group `g`. Kernel: `bg_inode_bitmap`. */
  inodeBitmapBlock(g: number): number {
    return this.blockBitmapBlock(g) + 1;
  }

  /** The first inode-table block of group `g`. Kernel: `bg_inode_table`. */
  inodeTableStart(g: number): number {
    return this.blockBitmapBlock(g) + 2;
  }

  /** First data block of group `g`. */
  groupDataStart(g: number): number {
    return this.groupFirstBlock(g) + this.groupMetaBlocks(g);
  }

  /** Group of inode `ino`. */
  inodeGroup(ino: number): number {
    return Math.floor((ino - 1) / this.inodesPerGroup);
  }

  /** The inode-table block holding inode `ino` (read by iget, dirtied by write_inode). Kernel: `ext2_get_inode`'s block. */
  inodeTableBlock(ino: number): number {
    const g = this.inodeGroup(ino);
    const index = (ino - 1) % this.inodesPerGroup;
    return this.inodeTableStart(g) + Math.floor(index / INODES_PER_BLOCK);
  }

  /** The block holding group `g`'s descriptor (dirtied with its free counts). */
  groupDescBlock(g: number): number {
    return 1 + Math.floor((g * EXT2_DESC_SIZE) / EXT2_BLOCK_SIZE);
  }

  /**
   * The blocks mounting reads and keeps (pinned buffers in the block device's mapping): the
   * primary superblock's block 0 and the group descriptor table, then the root inode's
   * inode-table block (iget of the root). Kernel: `ext4_fill_super` (sb_bread of the superblock,
   * the descriptor blocks) and `ext4_iget(sb, EXT4_ROOT_INO)`.
   */
  mountBlocks(): number[] {
    const out = [0];
    for (let b = 1; b <= this.gdtBlocks; b++) out.push(b);
    out.push(this.inodeTableBlock(EXT2_ROOT_INO));
    return out;
  }

  /** The superblock's main fields (as dumpe2fs names them). Kernel: `struct ext2_super_block`. */
  superblock(): Readonly<Record<string, number>> {
    return {
      s_inodes_count: this.inodesCount,
      s_blocks_count: this.blocksCount,
      s_r_blocks_count: this.rBlocksCount,
      s_free_blocks_count: this.freeBlocks,
      s_free_inodes_count: this.freeInodes,
      s_first_data_block: 0,
      s_log_block_size: 2, // 1024 << 2 = 4096
      s_blocks_per_group: EXT2_BLOCKS_PER_GROUP,
      s_inodes_per_group: this.inodesPerGroup,
      s_magic: EXT2_SUPER_MAGIC,
      s_rev_level: 1,
      s_first_ino: EXT2_GOOD_OLD_FIRST_INO,
      s_inode_size: EXT2_INODE_SIZE,
    };
  }

  /** The disk's first sector of block `pblk`. */
  blockSector(pblk: number): number {
    return pblk * EXT2_BLOCK_SECTORS;
  }

  // ---- inodes ----

  /** INODE_FREE, INODE_FILE or INODE_DIR. */
  inodeKind(ino: number): number {
    return ino > 0 && ino < this.iKind.length ? this.iKind[ino]! : INODE_FREE;
  }

  /** i_size in bytes. */
  iSize(ino: number): number {
    return this.iSizeArr[ino]!;
  }

  /** i_blocks: 512-byte sectors of data and indirect blocks. */
  iBlocks(ino: number): number {
    return this.iNrBlocks[ino]! * EXT2_BLOCK_SECTORS;
  }

  /** i_nlink. */
  nlink(ino: number): number {
    return this.iLinks[ino]!;
  }

  /** What the file's bytes were when the image was made ("zero" for files made since). */
  fileContents(ino: number): DiskContents {
    return this.iContents[ino] ?? ZERO_CONTENTS;
  }

  /** The content identity written to block `pblk` since the image was made, or NaN (the file's own contents). */
  blockContent(pblk: number): number {
    const v = this.written.get(pblk);
    return v === undefined ? Number.NaN : v;
  }

  /** Records what a write to block `pblk` left there (writeback calls it when the block is written). */
  setBlockContent(pblk: number, identity: number): void {
    this.written.set(pblk, identity);
  }

  /** Sets i_size (a write that extends the file: generic_write_end → i_size_write). */
  setSize(ino: number, size: number): void {
    this.iSizeArr[ino] = size;
  }

  private ensureInodeArrays(ino: number): void {
    if (ino < this.iKind.length) return;
    let n = this.iKind.length;
    while (n <= ino) n *= 2;
    const grow = <T extends Uint8Array | Uint16Array | Float64Array | Int32Array>(a: T, len: number): T => {
      const b = new (a.constructor as new (l: number) => T)(len);
      b.set(a as never);
      return b;
    };
    this.iKind = grow(this.iKind, n);
    this.iSizeArr = grow(this.iSizeArr, n);
    this.iNrBlocks = grow(this.iNrBlocks, n);
    this.iLinks = grow(this.iLinks, n);
    this.iBlock = grow(this.iBlock, n * EXT2_N_BLOCKS);
  }

  private takeInode(ino: number): void {
    this.setBit(this.inodeBitmap, ino - 1);
    this.groupFreeInodes[this.inodeGroup(ino)]! -= 1;
    this.freeInodes--;
  }

  private makeInode(ino: number, kind: number): void {
    this.takeInode(ino);
    this.ensureInodeArrays(ino);
    this.iKind[ino] = kind;
    this.iSizeArr[ino] = 0;
    this.iNrBlocks[ino] = 0;
    this.iLinks[ino] = kind === INODE_DIR ? 2 : 1;
    this.iBlock.fill(NO_BLOCK, ino * EXT2_N_BLOCKS, (ino + 1) * EXT2_N_BLOCKS);
    this.iContents[ino] = undefined;
  }

  /** A free inode near `dir`: its group first, then the following ones. Kernel: `ext2_new_inode` (find_group_other, simplified). */
  private newInodeNumber(dir: number): number {
    if (this.freeInodes === 0) return -ENOSPC;
    const g0 = this.inodeGroup(dir);
    for (let k = 0; k < this.groupsCount; k++) {
      const g = (g0 + k) % this.groupsCount;
      if (this.groupFreeInodes[g] === 0) continue;
      const bit = this.findZero(this.inodeBitmap, g * this.inodesPerGroup, (g + 1) * this.inodesPerGroup);
      if (bit >= 0) return bit + 1;
    }
    return -ENOSPC;
  }

  // ---- bitmaps ----

  private setBit(bm: Uint32Array, i: number): void {
    bm[i >>> 5]! |= 1 << (i & 31);
  }

  private clearBit(bm: Uint32Array, i: number): void {
    bm[i >>> 5]! &= ~(1 << (i & 31));
  }

  private testBit(bm: Uint32Array, i: number): boolean {
    return (bm[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** First clear bit in [from, to), or −1. */
  private findZero(bm: Uint32Array, from: number, to: number): number {
    let i = from;
    while (i < to) {
      const w = bm[i >>> 5]!;
      if (w === -1 || w === 0xffffffff) {
        i = ((i >>> 5) + 1) << 5;
        continue;
      }
      if ((w & (1 << (i & 31))) === 0) return i;
      i++;
    }
    return -1;
  }

  /** True when block `b` is in use. */
  blockInUse(b: number): boolean {
    return this.testBit(this.blockBitmap, b);
  }

  /**
   * Whether `n` more blocks may be taken. Kernel: `ext4_has_free_clusters` without extents
   * (s_resv_clusters 0, no delayed allocation): root may dip into s_r_blocks_count.
   */
  hasFreeBlocks(n: number, privileged: boolean): boolean {
    if (this.freeBlocks >= this.rBlocksCount + n) return true;
    return privileged && this.freeBlocks >= n;
  }

  /** Takes the first free block at or after `goal` (wrapping). @returns the block, or −1 */
  private allocBlock(goal: number, r: BlockMapResult): number {
    if (goal < 0 || goal >= this.blocksCount) goal = 0;
    let g = Math.floor(goal / EXT2_BLOCKS_PER_GROUP);
    let from = goal;
    for (let k = 0; k <= this.groupsCount; k++) {
      if (this.groupFreeBlocks[g]! > 0) {
        const end = this.groupFirstBlock(g) + this.groupBlocks(g);
        const b = this.findZero(this.blockBitmap, from, end);
        if (b >= 0) {
          this.setBit(this.blockBitmap, b);
          this.groupFreeBlocks[g]! -= 1;
          this.freeBlocks--;
          r.bitmapBlock = this.blockBitmapBlock(g);
          return b;
        }
      }
      g = (g + 1) % this.groupsCount;
      from = this.groupFirstBlock(g);
    }
    return -1;
  }

  private freeBlock(b: number): void {
    this.clearBit(this.blockBitmap, b);
    this.groupFreeBlocks[Math.floor(b / EXT2_BLOCKS_PER_GROUP)]! += 1;
    this.freeBlocks++;
    this.written.delete(b);
  }

  // ---- block maps ----

  /**
   * The path of indexes from i_block to file block `lblk`. Kernel: `ext2_block_to_path`.
   * @returns the depth (1–4), or 0 past the triple indirect range; offsets in `out`
   */
  private blockToPath(lblk: number, out: Int32Array): number {
    const A = EXT2_ADDR_PER_BLOCK;
    if (lblk < 0) return 0;
    if (lblk < EXT2_NDIR_BLOCKS) {
      out[0] = lblk;
      return 1;
    }
    lblk -= EXT2_NDIR_BLOCKS;
    if (lblk < A) {
      out[0] = EXT2_IND_BLOCK;
      out[1] = lblk;
      return 2;
    }
    lblk -= A;
    if (lblk < A * A) {
      out[0] = EXT2_DIND_BLOCK;
      out[1] = Math.floor(lblk / A);
      out[2] = lblk % A;
      return 3;
    }
    lblk -= A * A;
    if (lblk < A * A * A) {
      out[0] = EXT2_TIND_BLOCK;
      out[1] = Math.floor(lblk / (A * A));
      out[2] = Math.floor(lblk / A) % A;
      out[3] = lblk % A;
      return 4;
    }
    return 0;
  }

  private readonly offsets = new Int32Array(4);

  /**
   * Maps file block `lblk` of `ino` without allocating. Kernel: `ext2_get_block(create = 0)` →
   * `ext2_get_branch`: the indirect blocks it reads are reported in `r.meta`.
   */
  bmap(ino: number, lblk: number, r: BlockMapResult): void {
    r.reset();
    const depth = this.blockToPath(lblk, this.offsets);
    if (depth === 0) {
      r.err = -EFBIG;
      return;
    }
    let p = this.iBlock[ino * EXT2_N_BLOCKS + this.offsets[0]!]!;
    for (let k = 1; k < depth && p !== NO_BLOCK; k++) {
      r.meta[r.nMeta++] = p;
      p = this.indirect.get(p)![this.offsets[k]!]!;
    }
    r.pblk = p === NO_BLOCK ? -1 : p;
  }

  /**
   * Maps file block `lblk` of `ino`, allocating it (and the indirect blocks on its path) when it
   * is a hole. Kernel: `ext2_get_block(create = 1)` → `ext2_get_blocks` → `ext2_find_goal`,
   * `ext2_alloc_branch` (indirect blocks first, then the data block, from one goal),
   * `ext2_splice_branch`; ENOSPC as `ext4_has_free_clusters` decides.
   * @param privileged the caller may use the root-reserved blocks (CAP_SYS_RESOURCE or s_resuid)
   */
  getBlock(ino: number, lblk: number, r: BlockMapResult, privileged: boolean): void {
    this.bmap(ino, lblk, r);
    if (r.pblk >= 0 || r.err < 0) return;
    // ext2_find_goal/ext2_find_near: the block after the previous block of the file, else the
    // indirect block on the path, else the first data block of the inode's group.
    let goal = -1;
    if (lblk > 0) {
      const prev = this.prevScratch;
      this.bmap(ino, lblk - 1, prev);
      if (prev.pblk >= 0) goal = prev.pblk + 1;
    }
    // r.nMeta indirect levels exist below i_block on the path; the rest are missing.
    const existing = r.nMeta;
    if (goal < 0 && existing > 0) goal = r.meta[existing - 1]! + 1;
    if (goal < 0) goal = this.groupDataStart(this.inodeGroup(ino));
    const depth = this.blockToPath(lblk, this.offsets);
    const missingMeta = depth - 1 - existing;
    if (!this.hasFreeBlocks(missingMeta + 1, privileged)) {
      r.err = -ENOSPC;
      return;
    }
    const newBlocks = this.newBlocks;
    for (let k = 0; k <= missingMeta; k++) {
      const b = this.allocBlock(goal, r);
      if (b < 0) {
        for (let j = 0; j < k; j++) this.freeBlock(newBlocks[j]!);
        r.err = -ENOSPC;
        return;
      }
      newBlocks[k] = b;
      goal = b + 1;
    }
    // Splice: new indirect blocks (zeroed) hang below the last existing level.
    let parentArr: Int32Array | undefined = existing > 0 ? this.indirect.get(r.meta[existing - 1]!) : undefined;
    let slot = this.offsets[existing]!;
    for (let k = 0; k < missingMeta; k++) {
      const blk = newBlocks[k]!;
      this.indirect.set(blk, new Int32Array(EXT2_ADDR_PER_BLOCK));
      if (parentArr) parentArr[slot] = blk;
      else this.iBlock[ino * EXT2_N_BLOCKS + slot] = blk;
      r.newMeta[r.nNewMeta++] = blk;
      parentArr = this.indirect.get(blk);
      slot = this.offsets[existing + k + 1]!;
    }
    const data = newBlocks[missingMeta]!;
    if (parentArr) parentArr[slot] = data;
    else this.iBlock[ino * EXT2_N_BLOCKS + slot] = data;
    this.iNrBlocks[ino]! += missingMeta + 1;
    r.pblk = data;
    r.isNew = true;
  }

  /**
   * Frees every block of `ino` at or past i_size `size` (rounded up to a block), and indirect blocks left
   * empty, and sets i_size. Kernel: `ext2_setsize` → `ext2_truncate_blocks` (__ext2_truncate_blocks).
   * @returns 0, or −EISDIR for a directory, −EINVAL for a bad size
   */
  truncate(ino: number, size: number): number {
    if (this.inodeKind(ino) === INODE_DIR) return -EISDIR;
    if (this.inodeKind(ino) !== INODE_FILE || !Number.isSafeInteger(size) || size < 0) return -EINVAL;
    const from = Math.ceil(size / EXT2_BLOCK_SIZE);
    const base = ino * EXT2_N_BLOCKS;
    let freed = 0;
    for (let k = 0; k < EXT2_NDIR_BLOCKS; k++) {
      const b = this.iBlock[base + k]!;
      if (k >= from && b !== NO_BLOCK) {
        this.freeBlock(b);
        this.iBlock[base + k] = NO_BLOCK;
        freed++;
      }
    }
    const A = EXT2_ADDR_PER_BLOCK;
    const starts = [EXT2_NDIR_BLOCKS, EXT2_NDIR_BLOCKS + A, EXT2_NDIR_BLOCKS + A + A * A];
    for (let level = 1; level <= 3; level++) {
      const slot = EXT2_NDIR_BLOCKS + level - 1;
      const b = this.iBlock[base + slot]!;
      if (b === NO_BLOCK) continue;
      const r = this.freeBranch(b, level, starts[level - 1]!, from);
      freed += r.freed;
      if (r.empty) this.iBlock[base + slot] = NO_BLOCK;
    }
    this.iNrBlocks[ino]! -= freed;
    this.iSizeArr[ino] = size;
    return 0;
  }

  /** Frees the part of an indirect tree at or past `from`; `first` is the file block its slot 0 maps. */
  private freeBranch(blk: number, level: number, first: number, from: number): { freed: number; empty: boolean } {
    const arr = this.indirect.get(blk)!;
    const span = EXT2_ADDR_PER_BLOCK ** (level - 1);
    let freed = 0;
    let live = 0;
    for (let i = 0; i < EXT2_ADDR_PER_BLOCK; i++) {
      const child = arr[i]!;
      if (child === NO_BLOCK) continue;
      const lo = first + i * span;
      if (level === 1) {
        if (lo >= from) {
          this.freeBlock(child);
          arr[i] = NO_BLOCK;
          freed++;
        } else live++;
      } else if (lo + span > from) {
        const r = this.freeBranch(child, level - 1, lo, from);
        freed += r.freed;
        if (r.empty) arr[i] = NO_BLOCK;
        else live++;
      } else live++;
    }
    if (live === 0) {
      this.indirect.delete(blk);
      this.freeBlock(blk);
      freed++;
    }
    return { freed, empty: live === 0 };
  }

  // ---- directories ----

  /** Gives a new directory its first block with "." and "..". */
  private newDir(ino: number, parent: number, privileged: boolean): number {
    const state: DirState = { blocks: [], index: new Map(), startLookup: 0 };
    this.dirs.set(ino, state);
    const r = this.scratch;
    this.getBlock(ino, 0, r, privileged);
    if (r.err < 0) return r.err;
    const dot: DirEntry = { ino, name: ".", nameLen: 1, recLen: ext2DirRecLen(1) };
    const dotdot: DirEntry = { ino: parent, name: "..", nameLen: 2, recLen: EXT2_BLOCK_SIZE - ext2DirRecLen(1) };
    state.blocks.push([dot, dotdot]);
    this.iSizeArr[ino] = EXT2_BLOCK_SIZE;
    return 0;
  }

  /** Appends an empty block to directory `ino`. Kernel: the i_size end of `ext2_add_link`. @returns the logical block or −ENOSPC */
  private growDir(ino: number, privileged: boolean): number {
    const state = this.dirs.get(ino)!;
    const lblk = state.blocks.length;
    const r = this.scratch;
    this.getBlock(ino, lblk, r, privileged);
    if (r.err < 0) return r.err;
    state.blocks.push([{ ino: 0, name: "", nameLen: 0, recLen: EXT2_BLOCK_SIZE }]);
    this.iSizeArr[ino] = (lblk + 1) * EXT2_BLOCK_SIZE;
    return lblk;
  }

  /** The inode `name` names in directory `dir`, or 0 (no scan accounting: for the image builder and tests). */
  private find(dir: number, name: string): number {
    const state = this.dirs.get(dir);
    if (!state) return 0;
    const b = state.index.get(name);
    if (b === undefined) return 0;
    for (const e of state.blocks[b]!) if (e.ino !== 0 && e.name === name) return e.ino;
    return 0;
  }

  /**
   * Looks `name` up in directory `dir`, reporting which directory blocks the scan read.
   * Kernel: `ext2_find_entry` (ext4_find_entry without htree): the scan starts at the block of
   * the last hit (i_dir_start_lookup) and wraps round; a hit moves the start there.
   * @returns the inode, 0 when the name is not there, −ENOTDIR when `dir` is not a directory
   */
  lookup(dir: number, name: string, out: DirLookupResult): number {
    out.ino = 0;
    out.foundBlock = -1;
    out.blocksScanned = 0;
    const state = this.dirs.get(dir);
    if (!state || this.inodeKind(dir) !== INODE_DIR) return -ENOTDIR;
    const n = state.blocks.length;
    const start = state.startLookup < n ? state.startLookup : 0;
    out.startBlock = start;
    const b = name === "." || name === ".." ? 0 : state.index.get(name);
    if (b === undefined) {
      out.blocksScanned = n;
      return 0;
    }
    out.blocksScanned = ((b - start + n) % n) + 1;
    out.foundBlock = b;
    state.startLookup = b;
    out.ino = name === "." ? dir : name === ".." ? state.blocks[0]![1]!.ino : this.find(dir, name);
    return out.ino;
  }

  /**
   * Resolves an absolute path to an inode (no read accounting: for setup and tests).
   * @returns the inode, or −ENOENT / −ENOTDIR
   */
  resolve(path: string): number {
    if (!path.startsWith("/")) return -ENOENT;
    let ino = EXT2_ROOT_INO;
    for (const part of path.split("/")) {
      if (part === "") continue;
      if (this.inodeKind(ino) !== INODE_DIR) return -ENOTDIR;
      const next = part === "." ? ino : part === ".." ? this.dirs.get(ino)!.blocks[0]![1]!.ino : this.find(ino, part);
      if (next <= 0) return -ENOENT;
      ino = next;
    }
    return ino;
  }

  /** Names in directory `dir` in on-disk order, without "." and ".." (readdir). */
  readdir(dir: number): string[] {
    const state = this.dirs.get(dir);
    if (!state) return [];
    const out: string[] = [];
    for (const blk of state.blocks) for (const e of blk) if (e.ino !== 0 && e.name !== "." && e.name !== "..") out.push(e.name);
    return out;
  }

  /**
   * Adds `name` → `ino` to directory `dir`. Kernel: `ext2_add_link`: the first record with
   * room (an unused one, or the slack after a used one), else a new block.
   */
  private addLink(dir: number, name: string, ino: number, privileged: boolean): number {
    const state = this.dirs.get(dir)!;
    const nameLen = Buffer.byteLength(name, "utf8");
    const recLen = ext2DirRecLen(nameLen);
    for (let b = 0; b < state.blocks.length; b++) {
      const blk = state.blocks[b]!;
      for (let i = 0; i < blk.length; i++) {
        const de = blk[i]!;
        const used = de.ino === 0 ? 0 : ext2DirRecLen(de.nameLen);
        if (de.ino === 0 && de.recLen >= recLen) {
          de.ino = ino;
          de.name = name;
          de.nameLen = nameLen;
          this.linked(state, name, b, false);
          return 0;
        }
        if (de.ino !== 0 && de.recLen >= used + recLen) {
          blk.splice(i + 1, 0, { ino, name, nameLen, recLen: de.recLen - used });
          de.recLen = used;
          this.linked(state, name, b, false);
          return 0;
        }
      }
    }
    const b = this.growDir(dir, privileged);
    if (b < 0) return b;
    const de = state.blocks[b]![0]!;
    de.ino = ino;
    de.name = name;
    de.nameLen = nameLen;
    this.linked(state, name, b, true);
    return 0;
  }

  private linked(state: DirState, name: string, b: number, grew: boolean): void {
    state.index.set(name, b);
    this.lastDirBlock = b;
    this.lastDirBlockNew = grew;
  }

  /** Removes `name` from `dir`. Kernel: `ext2_delete_entry` (merge into the previous record of the block). */
  private deleteEntry(dir: number, name: string): void {
    const state = this.dirs.get(dir)!;
    const b = state.index.get(name)!;
    const blk = state.blocks[b]!;
    const i = blk.findIndex((e) => e.ino !== 0 && e.name === name);
    if (i > 0) {
      blk[i - 1]!.recLen += blk[i]!.recLen;
      blk.splice(i, 1);
    } else {
      blk[i]!.ino = 0;
    }
    state.index.delete(name);
    this.lastDirBlock = b;
    this.lastDirBlockNew = false;
  }

  /**
   * Creates a file or directory `name` in `dir`. Kernel: `ext2_create` / `ext2_mkdir`
   * (ext2_new_inode, ext2_add_link; a directory gets its first block).
   * `lastDirBlock` says which block of `dir` the entry went to (dirty).
   * @returns the new inode, or −EEXIST, −ENOSPC, −ENOTDIR, −ENAMETOOLONG, −EINVAL
   */
  create(dir: number, name: string, isDir: boolean, privileged = true): number {
    if (this.inodeKind(dir) !== INODE_DIR) return -ENOTDIR;
    if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0")) return -EINVAL;
    if (Buffer.byteLength(name, "utf8") > EXT2_NAME_LEN) return -ENAMETOOLONG;
    if (this.find(dir, name) !== 0) return -EEXIST;
    const ino = this.newInodeNumber(dir);
    if (ino < 0) return ino;
    this.makeInode(ino, isDir ? INODE_DIR : INODE_FILE);
    if (isDir) {
      const err = this.newDir(ino, dir, privileged);
      if (err < 0) {
        this.releaseInode(ino);
        return err;
      }
    }
    const err = this.addLink(dir, name, ino, privileged);
    if (err < 0) {
      if (isDir) this.freeDirBlocks(ino);
      this.releaseInode(ino);
      return err;
    }
    if (isDir) this.iLinks[dir]! += 1;
    return ino;
  }

  /**
   * Removes the entry `name` (not a directory) from `dir` and drops the inode's link count; the
   * inode and its blocks stay until evictInode (the VFS calls it when the last user closes).
   * Kernel: `ext2_unlink`.
   * @returns 0, or −ENOENT, −EISDIR, −ENOTDIR
   */
  unlink(dir: number, name: string): number {
    if (this.inodeKind(dir) !== INODE_DIR) return -ENOTDIR;
    const ino = this.find(dir, name);
    if (ino <= 0 || name === "." || name === "..") return -ENOENT;
    if (this.inodeKind(ino) === INODE_DIR) return -EISDIR;
    this.deleteEntry(dir, name);
    this.iLinks[ino]! -= 1;
    return 0;
  }

  /** Removes the empty directory `name` from `dir`. Kernel: `ext2_rmdir`. @returns 0, −ENOENT, −ENOTDIR, −ENOTEMPTY */
  rmdir(dir: number, name: string): number {
    if (this.inodeKind(dir) !== INODE_DIR) return -ENOTDIR;
    const ino = this.find(dir, name);
    if (ino <= 0 || name === "." || name === "..") return -ENOENT;
    if (this.inodeKind(ino) !== INODE_DIR) return -ENOTDIR;
    if (this.readdir(ino).length > 0) return -ENOTEMPTY;
    this.deleteEntry(dir, name);
    this.iLinks[dir]! -= 1;
    this.iLinks[ino] = 0;
    return 0;
  }

  /**
   * Frees an unlinked inode and its blocks. Kernel: `ext2_evict_inode` (i_nlink 0) →
   * `ext2_truncate_blocks`, `ext2_free_inode`.
   * @returns 0, or −EBUSY-like −EINVAL when the inode still has links
   */
  evictInode(ino: number): number {
    const kind = this.inodeKind(ino);
    if (kind === INODE_FREE || this.iLinks[ino] !== 0) return -EINVAL;
    if (kind === INODE_DIR) this.freeDirBlocks(ino);
    else this.truncate(ino, 0);
    this.releaseInode(ino);
    return 0;
  }

  private freeDirBlocks(ino: number): void {
    this.iKind[ino] = INODE_FILE;
    this.truncate(ino, 0);
    this.iKind[ino] = INODE_DIR;
    this.dirs.delete(ino);
  }

  private releaseInode(ino: number): void {
    this.clearBit(this.inodeBitmap, ino - 1);
    this.groupFreeInodes[this.inodeGroup(ino)]! += 1;
    this.freeInodes++;
    this.iKind[ino] = INODE_FREE;
    this.iLinks[ino] = 0;
    this.iContents[ino] = undefined;
  }

  /** statfs(2). Kernel: `ext2_statfs`. */
  statfs(): Ext2Statfs {
    const bfree = this.freeBlocks;
    return {
      type: EXT2_SUPER_MAGIC,
      bsize: EXT2_BLOCK_SIZE,
      blocks: this.blocksCount - this.overhead,
      bfree,
      bavail: bfree < this.rBlocksCount ? 0 : bfree - this.rBlocksCount,
      files: this.inodesCount,
      ffree: this.freeInodes,
      namelen: EXT2_NAME_LEN,
    };
  }

  /** Live inodes (for iteration in tests and validate). */
  *inodes(): Generator<number> {
    for (let ino = 1; ino < this.iKind.length && ino <= this.inodesCount; ino++) if (this.iKind[ino] !== INODE_FREE) yield ino;
  }

  /** Every block `ino` maps (data and indirect), with the file block of each data block (−1 for indirect). */
  private forEachBlock(ino: number, fn: (pblk: number, lblk: number) => void): void {
    const base = ino * EXT2_N_BLOCKS;
    for (let k = 0; k < EXT2_NDIR_BLOCKS; k++) if (this.iBlock[base + k] !== NO_BLOCK) fn(this.iBlock[base + k]!, k);
    const A = EXT2_ADDR_PER_BLOCK;
    const walk = (blk: number, level: number, first: number) => {
      fn(blk, -1);
      const arr = this.indirect.get(blk);
      if (!arr) return;
      const span = A ** (level - 1);
      for (let i = 0; i < A; i++) {
        if (arr[i] === NO_BLOCK) continue;
        if (level === 1) fn(arr[i]!, first + i);
        else walk(arr[i]!, level - 1, first + i * span);
      }
    };
    const starts = [EXT2_NDIR_BLOCKS, EXT2_NDIR_BLOCKS + A, EXT2_NDIR_BLOCKS + A + A * A];
    for (let level = 1; level <= 3; level++) {
      const b = this.iBlock[base + EXT2_NDIR_BLOCKS + level - 1]!;
      if (b !== NO_BLOCK) walk(b, level, starts[level - 1]!);
    }
  }

  /** Checks the invariants in the header; reports to `sink`. */
  validate(sink: ValidationSink): void {
    const site = "block.Ext2Fs";
    const owner = new Int32Array(this.blocksCount);
    // Metadata
    for (let g = 0; g < this.groupsCount; g++) {
      const first = this.groupFirstBlock(g);
      for (let b = first; b < first + this.groupMetaBlocks(g); b++) {
        owner[b] = -1;
        if (!this.blockInUse(b)) sink.report(site, `metadata block ${b} of group ${g} is free in the bitmap`);
      }
    }
    const links = new Map<number, number>();
    for (const ino of this.inodes()) {
      if (ino < EXT2_ROOT_INO || (ino > EXT2_ROOT_INO && ino < EXT2_GOOD_OLD_FIRST_INO)) continue;
      let count = 0;
      const size = this.iSizeArr[ino]!;
      this.forEachBlock(ino, (pblk, lblk) => {
        count++;
        if (pblk <= 0 || pblk >= this.blocksCount) {
          sink.report(site, `inode ${ino} maps block ${pblk}, outside the disk`);
          return;
        }
        if (owner[pblk] !== 0) sink.report(site, `block ${pblk} is mapped by inode ${ino} and ${owner[pblk] === -1 ? "is metadata" : `by inode ${owner[pblk]}`}`);
        owner[pblk] = ino;
        if (!this.blockInUse(pblk)) sink.report(site, `block ${pblk} of inode ${ino} is free in the bitmap`);
        if (lblk >= 0 && lblk * EXT2_BLOCK_SIZE >= size && this.iKind[ino] === INODE_FILE) {
          sink.report(site, `inode ${ino} maps file block ${lblk} at or past i_size ${size}`);
        }
      });
      if (count !== this.iNrBlocks[ino]) sink.report(site, `inode ${ino}: i_blocks counts ${this.iNrBlocks[ino]} blocks, it maps ${count}`);
      if (this.iKind[ino] === INODE_DIR) {
        const state = this.dirs.get(ino);
        if (!state) {
          sink.report(site, `directory inode ${ino} has no directory records`);
          continue;
        }
        if (size !== state.blocks.length * EXT2_BLOCK_SIZE) sink.report(site, `directory ${ino}: i_size ${size} for ${state.blocks.length} blocks`);
        for (let b = 0; b < state.blocks.length; b++) {
          let bytes = 0;
          for (const e of state.blocks[b]!) {
            bytes += e.recLen;
            if (e.ino === 0) continue;
            if (this.inodeKind(e.ino) === INODE_FREE) sink.report(site, `directory ${ino} entry ${JSON.stringify(e.name)} names free inode ${e.ino}`);
            if (e.name !== "." && e.name !== "..") links.set(e.ino, (links.get(e.ino) ?? 0) + 1);
            if (e.name !== "." && e.name !== ".." && state.index.get(e.name) !== b) sink.report(site, `directory ${ino}: index of ${JSON.stringify(e.name)} is stale`);
          }
          if (bytes !== EXT2_BLOCK_SIZE) sink.report(site, `directory ${ino} block ${b}: records span ${bytes} bytes, not ${EXT2_BLOCK_SIZE}`);
        }
      }
    }
    for (const ino of this.inodes()) {
      if (ino !== EXT2_ROOT_INO && ino < EXT2_GOOD_OLD_FIRST_INO) continue;
      let expect = links.get(ino) ?? 0;
      if (this.iKind[ino] === INODE_DIR) {
        expect += 1; // "."
        for (const sub of this.readdir(ino)) if (this.inodeKind(this.find(ino, sub)) === INODE_DIR) expect += 1; // sub's ".."
        if (ino === EXT2_ROOT_INO) expect += 1; // the root's ".." names itself
      }
      if (expect !== this.iLinks[ino] && this.iLinks[ino] !== 0) sink.report(site, `inode ${ino}: i_nlink ${this.iLinks[ino]}, ${expect} entries name it`);
    }
    // Bitmaps against counters
    let freeB = 0;
    for (let g = 0; g < this.groupsCount; g++) {
      let f = 0;
      const first = this.groupFirstBlock(g);
      for (let b = first; b < first + this.groupBlocks(g); b++) {
        if (!this.blockInUse(b)) f++;
        else if (owner[b] === 0) sink.report(site, `block ${b} is in use but nothing maps it`);
      }
      if (f !== this.groupFreeBlocks[g]) sink.report(site, `group ${g}: bg_free_blocks_count ${this.groupFreeBlocks[g]}, bitmap has ${f} free`);
      freeB += f;
      let fi = 0;
      for (let i = g * this.inodesPerGroup; i < (g + 1) * this.inodesPerGroup; i++) if (!this.testBit(this.inodeBitmap, i)) fi++;
      if (fi !== this.groupFreeInodes[g]) sink.report(site, `group ${g}: bg_free_inodes_count ${this.groupFreeInodes[g]}, bitmap has ${fi} free`);
    }
    if (freeB !== this.freeBlocks) sink.report(site, `free blocks ${this.freeBlocks}, bitmaps have ${freeB}`);
  }
}

const ZERO_CONTENTS: DiskContents = Object.freeze({ kind: "zero" });

/** Blocks (data + indirect) a file of `n` data blocks written in one go takes. Kernel: the branches ext2_alloc_branch makes. */
export function ext2BlocksFor(n: number): number {
  const A = EXT2_ADDR_PER_BLOCK;
  let total = n;
  if (n > EXT2_NDIR_BLOCKS) total += 1; // IND
  if (n > EXT2_NDIR_BLOCKS + A) {
    const d = Math.min(n - EXT2_NDIR_BLOCKS - A, A * A);
    total += 1 + Math.ceil(d / A); // DIND + its INDs
  }
  if (n > EXT2_NDIR_BLOCKS + A + A * A) {
    const t = n - EXT2_NDIR_BLOCKS - A - A * A;
    total += 1 + Math.ceil(t / (A * A)) + Math.ceil(t / A);
  }
  return total;
}
