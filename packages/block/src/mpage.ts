// Kernel: fs/mpage.c (mpage_readahead → do_mpage_readpage, mpage_writepages → __mpage_writepage) with fs/ext2/inode.c's ext2_get_block (its BH_Boundary) (v6.1) — which bios a run of page-cache pages of the ext2 image becomes
/*
 * The block size is the page size, so each page is one block. A read of a run of pages maps
 * each page (reading the indirect blocks on the way: synchronous sb_bread of metadata, which the
 * caller serves from the block device's page cache) and packs pages whose blocks follow one
 * another into one bio, at most BIO_MAX_VECS (256) pages: a bio is sent when the next block is
 * not the one after the bio's last, when it is full, and right after a block ext2_get_block
 * flags BH_Boundary (the last block mapped by i_block's direct slots or by one indirect block:
 * the next data block lies past a metadata block). A hole is zero-filled with no I/O and does
 * not end the bio. Writeback packs dirty pages the same way (__mpage_writepage), over blocks
 * write_begin has already allocated.
 *
 * Not modelled: write_boundary_block (writing out a dirty indirect block right after the data
 * bio before it), the buffer-head fallback for pages with buffers attached (block_read_full_page).
 */
import { REQ_OP_READ, REQ_OP_WRITE } from "./blk-dev.ts";
import { BlockMapResult, EXT2_ADDR_PER_BLOCK, EXT2_BLOCK_SECTORS, EXT2_BLOCK_SIZE, EXT2_NDIR_BLOCKS, type Ext2Fs } from "./ext2-fs.ts";

/** Most pages in one bio. Kernel: `BIO_MAX_VECS`. */
export const BIO_MAX_VECS = 256;

/** What mpage asks of the page cache and the block layer. */
export interface MpageIo {
  /** Metadata block `pblk` must be read (sb_bread: from the block device's page cache, or a synchronous read). */
  readMetaBlock(pblk: number): void;
  /** File page `index` is a hole: zero-fill it and mark it uptodate (no I/O). */
  zeroPage(index: number): void;
  /**
   * Submit a bio at disk sector `sector` carrying the file pages `pages[0..nrPages)` (in disk
   * order; usually consecutive, but a hole between two mapped pages whose blocks follow each
   * other leaves them in one bio). The array is reused: copy what you keep.
   * Kernel: `mpage_bio_submit_read/write` → submit_bio.
   */
  submitBio(op: number, sector: number, nrSectors: number, pages: Int32Array, nrPages: number): void;
}

/** True when ext2_get_block would flag file block `lblk` BH_Boundary (the last block its direct slots or its indirect block map). */
export function ext2Boundary(lblk: number): boolean {
  if (lblk < EXT2_NDIR_BLOCKS) return lblk === EXT2_NDIR_BLOCKS - 1;
  return (lblk - EXT2_NDIR_BLOCKS) % EXT2_ADDR_PER_BLOCK === EXT2_ADDR_PER_BLOCK - 1;
}

/** An open bio being filled (struct mpage_readpage_args' bio + last_block_in_bio). */
class BioRun {
  readonly pages = new Int32Array(BIO_MAX_VECS);
  pblk = -1;
  nr = 0;
  cap = 0;
  constructor(private readonly op: number) {}

  submit(io: MpageIo): void {
    if (this.nr > 0) io.submitBio(this.op, this.pblk * EXT2_BLOCK_SECTORS, this.nr * EXT2_BLOCK_SECTORS, this.pages, this.nr);
    this.nr = 0;
  }

  /** Adds page `index` at block `pblk`; `remaining` pages (this one included) size a new bio. */
  add(io: MpageIo, index: number, pblk: number, remaining: number): void {
    if (this.nr > 0 && this.pblk + this.nr !== pblk) this.submit(io);
    if (this.nr > 0 && this.nr >= this.cap) this.submit(io);
    if (this.nr === 0) {
      this.pblk = pblk;
      this.cap = Math.min(remaining, BIO_MAX_VECS);
    }
    this.pages[this.nr++] = index;
  }
}

/**
 * Reads file pages [start, start + nr) of inode `ino` (all newly added, locked). Kernel:
 * `mpage_readahead` with ext2_get_block (blocksize = PAGE_SIZE). Pages past i_size are holes.
 */
export function mpageReadahead(fs: Ext2Fs, ino: number, start: number, nr: number, io: MpageIo): void {
  const run = new BioRun(REQ_OP_READ);
  const scratch = new BlockMapResult();
  const lastBlockInFile = Math.ceil(fs.iSize(ino) / EXT2_BLOCK_SIZE);
  for (let k = 0; k < nr; k++) {
    const index = start + k;
    if (index >= lastBlockInFile) {
      io.zeroPage(index);
      continue;
    }
    fs.bmap(ino, index, scratch);
    for (let m = 0; m < scratch.nMeta; m++) io.readMetaBlock(scratch.meta[m]!);
    if (scratch.pblk < 0) {
      io.zeroPage(index);
      continue;
    }
    // The bio is sized for the pages still to read (bio_max_segs(args->nr_pages)).
    run.add(io, index, scratch.pblk, nr - k);
    if (ext2Boundary(index)) run.submit(io);
  }
  run.submit(io);
}

/**
 * Writes the dirty pages `indexes[0..count)` (ascending) of inode `ino`, whose blocks
 * write_begin allocated. Kernel: `mpage_writepages` → `__mpage_writepage` (bios of up to
 * BIO_MAX_VECS pages). A page with no block (a hole: only for a caller that did not allocate)
 * is skipped.
 * @returns pages submitted
 */
export function mpageWritepages(fs: Ext2Fs, ino: number, indexes: ArrayLike<number>, count: number, io: MpageIo): number {
  const run = new BioRun(REQ_OP_WRITE);
  const scratch = new BlockMapResult();
  let written = 0;
  for (let k = 0; k < count; k++) {
    const index = indexes[k]!;
    fs.bmap(ino, index, scratch);
    for (let m = 0; m < scratch.nMeta; m++) io.readMetaBlock(scratch.meta[m]!);
    if (scratch.pblk < 0) continue;
    run.add(io, index, scratch.pblk, BIO_MAX_VECS);
    written++;
    if (ext2Boundary(index)) run.submit(io);
  }
  run.submit(io);
  return written;
}
