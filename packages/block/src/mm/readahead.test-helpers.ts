// mmsim: a page cache stand-in for the readahead tests — a set of cached indexes, PG_readahead marks, and filemap_read's calls into readahead (mm/filemap.c filemap_get_pages, v6.1), reading through a BlockDevice
import { EEXIST } from "@mmsim/core";
import { type BlockDevice, PAGE_SECTORS, REQ_OP_READ } from "../blk-dev.ts";
import { type FileRaState, type ReadaheadMapping, pageCacheAsyncRa, pageCacheSyncRa } from "./readahead.ts";

/** PAGEVEC_SIZE: folios filemap_get_read_batch gathers at once. */
const PAGEVEC_SIZE = 15;

/** A file's page cache as a set of indexes; reads go to `bdev` as one bio per run (blkdev/mpage readahead of contiguous blocks). */
export class FakeMapping implements ReadaheadMapping {
  readonly cached = new Set<number>();
  readonly marked = new Set<number>();
  readonly writeback = new Set<number>();
  /** Every readPages call: [start, nr]. */
  readonly reads: [number, number][] = [];
  /** Every folio added with PG_readahead. */
  readonly marks: number[] = [];
  /** Fail addFolio with this errno at these indexes. */
  readonly failAt = new Map<number, number>();
  now = 0;

  constructor(
    private readonly size: number,
    readonly ioPages = 320,
    private readonly bdev?: BlockDevice,
    /** First sector of page 0 (the file's blocks are contiguous from there). */
    private readonly sector0 = 0,
  ) {}

  iSize(): number {
    return this.size;
  }

  isCached(index: number): boolean {
    return this.cached.has(index);
  }

  addFolio(index: number, readahead: boolean): number {
    const err = this.failAt.get(index);
    if (err !== undefined) {
      if (err === -EEXIST) this.cached.add(index); // another task added it first
      return err;
    }
    this.cached.add(index);
    if (readahead) {
      this.marked.add(index);
      this.marks.push(index);
    }
    return 0;
  }

  readPages(start: number, nr: number): void {
    this.reads.push([start, nr]);
    if (!this.bdev) return;
    // mpage_readahead: one bio per contiguous run, at most BIO_MAX_VECS (256) pages, under read_pages' plug.
    this.bdev.startPlug();
    for (let i = 0; i < nr; i += 256) this.bdev.submitBio(REQ_OP_READ, this.sector0 + (start + i) * PAGE_SECTORS, Math.min(256, nr - i) * PAGE_SECTORS, this.now);
    this.bdev.finishPlug(this.now);
  }

  folioWriteback(index: number): boolean {
    return this.writeback.has(index);
  }

  clearReadahead(index: number): void {
    this.marked.delete(index);
  }

  /** Drops every page (kill_bdev at the last close of a block device, or drop_caches). */
  dropAll(): void {
    this.cached.clear();
    this.marked.clear();
  }
}

/** The cached run filemap_get_read_batch returns: from `index` to `max`, stopping after a marked folio. */
function readBatch(m: FakeMapping, index: number, max: number): number[] {
  const out: number[] = [];
  for (let i = index; i <= max && m.isCached(i) && out.length < PAGEVEC_SIZE; i++) {
    out.push(i);
    if (m.marked.has(i)) break;
  }
  return out;
}

/**
 * A read(2) of `count` bytes at `pos`: the readahead calls filemap_read makes through
 * filemap_get_pages (sync on a miss, async on a marked last folio), and prev_pos after each copy.
 * Pages are uptodate as soon as they are read (the fake has no I/O wait).
 * @returns bytes read
 */
export function filemapRead(m: FakeMapping, ra: FileRaState, pos: number, count: number): number {
  const isize = m.iSize();
  let done = 0;
  while (count > 0 && pos < isize) {
    const index = Math.floor(pos / 4096);
    const lastIndex = Math.ceil((pos + count) / 4096);
    let batch = readBatch(m, index, lastIndex - 1);
    if (batch.length === 0) {
      pageCacheSyncRa(m, ra, index, lastIndex - index);
      batch = readBatch(m, index, lastIndex - 1);
    }
    if (batch.length === 0) {
      // filemap_create_folio: one page through ->read_folio
      m.cached.add(index);
      m.readPages(index, 1);
      batch = [index];
    }
    const last = batch[batch.length - 1]!;
    if (m.marked.has(last)) pageCacheAsyncRa(m, ra, last, lastIndex - last);
    const end = Math.min(isize, pos + count);
    for (const i of batch) {
      const n = Math.min(end - pos, (i + 1) * 4096 - pos);
      if (n <= 0) break;
      pos += n;
      count -= n;
      done += n;
      ra.prevPos = pos;
    }
  }
  return done;
}
