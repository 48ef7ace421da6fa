// Kernel: drivers/block/zram/zram_drv.c, drivers/block/zram/zcomp.c (zcomp_available_show), block/genhd.c (part_stat_show) (v6.1) — a zram disk: disksize, same-filled pages, compressed pages in zsmalloc, huge pages, the stats and the /sys/block/zram0/ attributes
/*
 * A zram disk stores each written page in RAM: a same-filled page (zeros, a repeated word) as
 * just its value (ZRAM_SAME, no memory), any other compressed (lzo-rle by default) in a
 * zsmalloc object; a page whose compressed size reaches huge_class_size is stored whole
 * (ZRAM_HUGE, 4096 bytes). The simulator has no bytes: a page's content identity says whether
 * it is same-filled and what it compresses to (core's page-content.ts), and zram keeps the
 * identity per index so that a read gives back the same content.
 *
 * 6.1's zram has rw_page, so swap uses it synchronously (SWP_SYNCHRONOUS_IO); the time goes on
 * the simulated clock: zramCompress per stored page written, zramDecompress per stored page
 * read, zramSameFilled for a same-filled page (or an empty slot read as zeros).
 *
 * /sys/block/zram0/: disksize, initstate, reset, compact, mem_limit, mem_used_max, idle,
 * max_comp_streams, comp_algorithm, backing_dev, io_stat, mm_stat, bd_stat, debug_stat (the
 * reference config has CONFIG_ZRAM_WRITEBACK: bd_stat and backing_dev exist, nothing is written
 * back), and the block attributes stat, size, dev, ro, removable, queue/rotational.
 *
 * The device number: zram registers a dynamic block major (register_blkdev(0) hands majors out
 * from 254 down, in the order drivers register): 253 after virtio_blk's 254 on a board with a
 * disk at boot, 254 on one without (captured: ` 254       0 zram0 …` in /proc/diskstats of the
 * reference board, which has no virtio disk; a swap disk hot-added later then gets 253).
 * /proc/diskstats' line (diskstatsLine) counts zram's I/O as zram_rw_page's
 * bdev_start_io_acct/bdev_end_io_acct do: ios and sectors; its time fields stay 0 (zram's I/O
 * takes well under a jiffy; the reference shows a few jiffies for the set-up I/O under TCG).
 */
import {
  EBUSY, EINVAL, ENOMEM, ___GFP_HIGHMEM, ___GFP_KSWAPD_RECLAIM, ___GFP_MOVABLE, ___GFP_NOWARN, GFP_NOIO, PAGE_SIZE, type CostModel,
  type MemMap, type PageAllocator, type SimClock, type VmStat, contentCompressedBytes, contentSameFilled,
} from "@mmsim/core";
import type { PageContentStore } from "@mmsim/filemap";
import { memparse } from "@mmsim/filemap";
import type { SwapBdev } from "./swap-bdev.ts";
import type { SwapHeader } from "./swap-info.ts";
import { ZsPool } from "./zsmalloc.ts";

/** zram's per-slot flags. Kernel: `enum zram_pageflags` (ZRAM_SAME, ZRAM_HUGE; ZRAM_ALLOCATED marks a handle here). */
export const ZRAM_SAME = 1;
export const ZRAM_HUGE = 2;
export const ZRAM_ALLOCATED = 4;
/** The compressors the reference kernel offers, in zcomp.c's `backends[]` order. */
export const ZRAM_BACKENDS = Object.freeze(["lzo", "lzo-rle", "lz4", "lz4hc", "842", "zstd"]);
/** Kernel: `default_compressor` (CONFIG_ZRAM_DEF_COMP). */
export const ZRAM_DEFAULT_COMPRESSOR = "lzo-rle";
/** zram's block major after virtio_blk's (a board with a disk at boot); 254 without one (see the header). */
export const ZRAM_MAJOR = 253;
/** The first dynamic block major (register_blkdev(0) on a board where zram registers first). */
export const ZRAM_MAJOR_FIRST = 254;

/** zs_malloc's first try: no direct reclaim. Kernel: __zram_bvec_write's GFP. */
const ZRAM_GFP = ___GFP_KSWAPD_RECLAIM | ___GFP_NOWARN | ___GFP_HIGHMEM | ___GFP_MOVABLE;
/** The retry after a writestall. */
const ZRAM_GFP_RETRY = GFP_NOIO | ___GFP_HIGHMEM | ___GFP_MOVABLE;

/** Kernel: `struct zram_stats`. */
export class ZramStats {
  comprDataSize = 0;
  failedReads = 0;
  failedWrites = 0;
  invalidIo = 0;
  notifyFree = 0;
  samePages = 0;
  hugePages = 0;
  hugePagesSince = 0;
  pagesStored = 0;
  maxUsedPages = 0;
  writestall = 0;
  missFree = 0;
  /** The block layer's part_stat: ios and sectors by read (0) and write (1). */
  readonly ios = [0, 0];
  readonly sectors = [0, 0];
}

/** One zram disk. Kernel: `struct zram`. */
export class Zram implements SwapBdev {
  readonly path: string;
  readonly isBlk = true;
  readonly nonrot = true;
  readonly rwPage = true;
  /** Whether virtio_blk registered its major before zram (the board has a disk at boot). */
  virtioBlkFirst: () => boolean = () => true;
  /** The block major register_blkdev(0) gave zram: ZRAM_MAJOR, or ZRAM_MAJOR_FIRST on a board without a disk at boot. */
  get major(): number {
    return this.virtioBlkFirst() ? ZRAM_MAJOR : ZRAM_MAJOR_FIRST;
  }
  header: SwapHeader | null = null;
  claimed = false;
  /** Bytes; 0 until set. Kernel: `disksize`. */
  disksize = 0;
  /** Kernel: `limit_pages`. */
  limitPages = 0;
  compressor = ZRAM_DEFAULT_COMPRESSOR;
  stats = new ZramStats();
  /** Per index: content identity, stored size (bytes), flags, zsmalloc class. Kernel: `zram->table`. */
  private ids: Float64Array = new Float64Array(0);
  private objSize: Uint16Array = new Uint16Array(0);
  private flags: Uint8Array = new Uint8Array(0);
  private cls: Uint8Array = new Uint8Array(0);
  /** The zsmalloc pool (made by disksize). Kernel: `mem_pool`. */
  pool: ZsPool | null = null;

  constructor(
    readonly minor: number,
    private readonly env: {
      readonly mem: MemMap;
      readonly pages: PageAllocator;
      readonly vmstat: VmStat;
      readonly clock: SimClock;
      readonly cost: CostModel;
      readonly contents: () => PageContentStore;
      readonly cpu: () => number;
      readonly nrCpus: number;
    },
  ) {
    this.path = `/dev/zram${minor}`;
  }

  /** Kernel: `init_done()`. */
  initDone(): boolean {
    return this.disksize !== 0;
  }

  sizeBytes(): number {
    return this.disksize;
  }

  /** Pages the disk holds. */
  get nrPages(): number {
    return this.disksize / PAGE_SIZE;
  }

  /** Kernel: `zs_get_total_pages()` (0 before disksize). */
  memUsedPages(): number {
    return this.pool?.pagesAllocated ?? 0;
  }

  /**
   * Sets the size, making the table and the pool. Kernel: `disksize_store()`.
   * @returns 0, -EINVAL (0 or unparsable), -EBUSY (already initialized)
   */
  setDisksize(text: string): number {
    const p = memparse(text.trim());
    if (p === null || p.value === 0) return -EINVAL;
    if (this.initDone()) return -EBUSY; // "Cannot change disksize for initialized device"
    const disksize = Math.ceil(p.value / PAGE_SIZE) * PAGE_SIZE;
    const n = disksize / PAGE_SIZE;
    this.ids = new Float64Array(n);
    this.objSize = new Uint16Array(n);
    this.flags = new Uint8Array(n);
    this.cls = new Uint8Array(n);
    const env = this.env;
    this.pool = new ZsPool(env.mem, env.pages, env.vmstat, env.cpu);
    this.disksize = disksize;
    return 0;
  }

  /**
   * Empties the disk (unless swapon holds it). Kernel: `reset_store()` → `zram_reset_device()`.
   * @returns 0 or -EBUSY
   */
  reset(): number {
    if (this.claimed) return -EBUSY;
    this.pool?.destroy();
    this.pool = null;
    this.ids = new Float64Array(0);
    this.objSize = new Uint16Array(0);
    this.flags = new Uint8Array(0);
    this.cls = new Uint8Array(0);
    this.disksize = 0;
    this.limitPages = 0;
    this.header = null;
    this.stats = new ZramStats();
    return 0;
  }

  /** Kernel: `valid_io_request()` for one page. */
  private validIndex(index: number): boolean {
    return index >= 0 && index < this.ids.length;
  }

  /** Drops what slot `index` holds. Kernel: `zram_free_page()`. */
  freeSlot(index: number): void {
    const fl = this.flags[index]!;
    const st = this.stats;
    if ((fl & ZRAM_HUGE) !== 0) {
      st.hugePages--;
    }
    if ((fl & ZRAM_SAME) !== 0) {
      st.samePages--;
    } else if ((fl & ZRAM_ALLOCATED) !== 0) {
      this.pool!.free(this.cls[index]!);
      st.comprDataSize -= this.objSize[index]!;
    } else {
      return;
    }
    st.pagesStored--;
    this.flags[index] = 0;
    this.objSize[index] = 0;
    this.ids[index] = 0;
  }

  /**
   * Stores page `page` at `index`. Kernel: `zram_rw_page(REQ_OP_WRITE)` → `__zram_bvec_write()`
   * (page_same_filled, compression, zs_malloc with the writestall retry, the mem_limit check).
   * @returns 0, -EINVAL (beyond the disk), -ENOMEM (the pool could not grow, or mem_limit)
   */
  writePage(index: number, page: number): number {
    const env = this.env;
    const st = this.stats;
    if (!this.validIndex(index)) {
      st.invalidIo++;
      return -EINVAL;
    }
    st.ios[1]!++;
    st.sectors[1]! += 8;
    const id = env.contents().get(env.mem.pageToPfn(page));
    if (contentSameFilled(id)) {
      env.clock.advance(env.cost.zramSameFilled);
      this.freeSlot(index);
      this.flags[index] = ZRAM_SAME;
      this.ids[index] = id;
      st.samePages++;
      st.pagesStored++;
      return 0;
    }
    env.clock.advance(env.cost.zramCompress);
    const pool = this.pool!;
    let compLen = contentCompressedBytes(id);
    if (compLen === 0 || compLen >= pool.classes.hugeClassSize) compLen = PAGE_SIZE;
    const cls = pool.classFor(compLen);
    if (!pool.malloc(cls, ZRAM_GFP)) {
      st.writestall++;
      if (!pool.malloc(cls, ZRAM_GFP_RETRY)) {
        st.failedWrites++;
        return -ENOMEM;
      }
    }
    const alloced = pool.pagesAllocated;
    if (alloced > st.maxUsedPages) st.maxUsedPages = alloced; // update_used_max
    if (this.limitPages !== 0 && alloced > this.limitPages) {
      pool.free(cls);
      st.failedWrites++;
      return -ENOMEM;
    }
    st.comprDataSize += compLen;
    this.freeSlot(index);
    let fl = ZRAM_ALLOCATED;
    if (compLen === PAGE_SIZE) {
      fl |= ZRAM_HUGE;
      st.hugePages++;
      st.hugePagesSince++;
    }
    this.flags[index] = fl;
    this.objSize[index] = compLen;
    this.cls[index] = cls;
    this.ids[index] = id;
    st.pagesStored++;
    return 0;
  }

  /**
   * Reads slot `index` into `page`: its stored content, the same-filled value, or zeros for a
   * slot never written. Kernel: `zram_rw_page(REQ_OP_READ)` → `__zram_bvec_read()`.
   * @returns 0 or -EINVAL
   */
  readPage(index: number, page: number): number {
    const env = this.env;
    const st = this.stats;
    if (!this.validIndex(index)) {
      st.invalidIo++;
      st.failedReads++;
      return -EINVAL;
    }
    st.ios[0]!++;
    st.sectors[0]! += 8;
    const fl = this.flags[index]!;
    env.clock.advance((fl & ZRAM_ALLOCATED) !== 0 ? env.cost.zramDecompress : env.cost.zramSameFilled);
    env.contents().set(env.mem.pageToPfn(page), (fl & (ZRAM_SAME | ZRAM_ALLOCATED)) !== 0 ? this.ids[index]! : 0);
    return 0;
  }

  /** swap freed slot `index`. Kernel: `zram_slot_free_notify()`. */
  slotFreeNotify(index: number): void {
    this.stats.notifyFree++;
    if (this.validIndex(index)) this.freeSlot(index);
  }

  /** The content identity stored at `index` (tests, validate), or null when the slot holds nothing. */
  storedContent(index: number): number | null {
    if (!this.validIndex(index)) return null;
    return (this.flags[index]! & (ZRAM_SAME | ZRAM_ALLOCATED)) !== 0 ? this.ids[index]! : null;
  }

  // ----------------------------------------------------------------- sysfs

  /** The attribute files under /sys/block/zramN/. */
  static readonly ATTRS = Object.freeze([
    "disksize", "initstate", "reset", "compact", "mem_limit", "mem_used_max", "idle", "max_comp_streams", "comp_algorithm", "backing_dev",
    "io_stat", "mm_stat", "bd_stat", "debug_stat", "stat", "size", "dev", "ro", "removable", "queue/rotational",
  ]);

  /**
   * This disk's line of /proc/diskstats. Kernel: `diskstats_show`: `"%4d %7d %pg "` then the 17
   * numbers of part_stat (reads, merges, sectors, ticks; writes …; in flight, io_ticks,
   * time_in_queue; discards …; flushes …).
   */
  diskstatsLine(): string {
    const st = this.stats;
    return `${String(this.major).padStart(4)} ${String(this.minor).padStart(7)} zram${this.minor} ${st.ios[0]} 0 ${st.sectors[0]} 0 ${st.ios[1]} 0 ${st.sectors[1]} 0 0 0 0 0 0 0 0 0 0\n`;
  }

  /** Kernel: `mm_stat_show()`. */
  mmStat(): string {
    const st = this.stats;
    const memUsed = this.memUsedPages();
    const f = (v: number): string => String(v).padStart(8);
    return `${f(st.pagesStored * PAGE_SIZE)} ${f(st.comprDataSize)} ${f(memUsed * PAGE_SIZE)} ${f(this.limitPages * PAGE_SIZE)} ${f(st.maxUsedPages * PAGE_SIZE)} ${f(st.samePages)} ${f(0)} ${f(st.hugePages)} ${f(st.hugePagesSince)}\n`;
  }

  /** Reads an attribute. @returns the text, or undefined for no such attribute */
  readAttr(name: string): string | undefined {
    const st = this.stats;
    const f = (v: number): string => String(v).padStart(8);
    switch (name) {
      case "disksize":
        return `${this.disksize}\n`;
      case "initstate":
        return `${this.initDone() ? 1 : 0}\n`;
      // mem_limit, mem_used_max, reset, compact, idle are write-only (S_IWUSR): no text to read
      case "max_comp_streams":
        return `${this.env.nrCpus}\n`;
      case "comp_algorithm":
        return ZRAM_BACKENDS.map((b) => (b === this.compressor ? `[${b}] ` : `${b} `)).join("") + "\n";
      case "backing_dev":
        return "none\n";
      case "io_stat":
        return `${f(st.failedReads)} ${f(st.failedWrites)} ${f(st.invalidIo)} ${f(st.notifyFree)}\n`;
      case "mm_stat":
        return this.mmStat();
      case "bd_stat":
        return `${f(0)} ${f(0)} ${f(0)}\n`;
      case "debug_stat":
        return `version: 1\n${f(st.writestall)} ${f(st.missFree)}\n`;
      case "stat":
        return `${f(st.ios[0]!)} ${f(0)} ${f(st.sectors[0]!)} ${f(0)} ${f(st.ios[1]!)} ${f(0)} ${f(st.sectors[1]!)} ${f(0)} ${f(0)} ${f(0)} ${f(0)} ${f(0)} ${f(0)} ${f(0)} ${f(0)} ${f(0)} ${f(0)}\n`;
      case "size":
        return `${this.disksize / 512}\n`;
      case "dev":
        return `${this.major}:${this.minor}\n`;
      case "ro":
      case "removable":
        return "0\n";
      case "queue/rotational":
        return "0\n";
      default:
        return undefined;
    }
  }

  /**
   * Writes an attribute. @returns 0, a negative errno as write(2) returns it, or a sentence for a
   * read-only attribute
   */
  writeAttr(name: string, value: string): number | string {
    const v = value.trim();
    switch (name) {
      case "disksize":
        return this.setDisksize(v);
      case "reset": {
        const n = Number(v);
        if (!Number.isInteger(n)) return -EINVAL;
        return n === 0 ? 0 : this.reset();
      }
      case "mem_limit": {
        const p = memparse(v);
        if (p === null) return -EINVAL;
        this.limitPages = Math.ceil(p.value / PAGE_SIZE);
        return 0;
      }
      case "mem_used_max":
        if (v !== "0") return -EINVAL;
        if (this.initDone()) this.stats.maxUsedPages = this.memUsedPages();
        return 0;
      case "max_comp_streams":
        return 0; // kept for compatibility: the streams are per CPU
      case "comp_algorithm":
        if (!ZRAM_BACKENDS.includes(v)) return -EINVAL;
        if (this.initDone()) return -EBUSY; // "Can't change algorithm for initialized device"
        this.compressor = v;
        return 0;
      case "compact":
      case "idle":
        return this.initDone() ? 0 : -EINVAL;
      default:
        return `${this.path}'s ${name} is read-only (writable: disksize, reset, mem_limit, mem_used_max, comp_algorithm, compact, idle, max_comp_streams)`;
    }
  }
}
