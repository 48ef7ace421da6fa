// mmsim: a cache trace replayed through the booted kernel's page cache and reclaim (issue 17 part 3) — each object a page of one ext2 file read with pread(2); mm/filemap.c's filemap_read hit path inlined (no kernel counterpart as one function)
/*
 * `mmsim replay … --algo kernel-lru,kernel-mglru` (or `kernel:./my-policy.mjs`, a reclaim policy
 * of the user's) makes one cell of the replay grid a booted machine:
 *
 *  - **The file.** The trace's objects are numbered densely in order of first appearance (the
 *    replay's ObjectIndex); object n is page layout[n] of one file, /mnt/disk/replay, on the
 *    board's virtio disk (an ext2 image: `machine.disk`), where `layout` is a fixed permutation
 *    (Fisher–Yates with the kernel's prandom, seed `layoutSeed`, default 1). Not page n: objects
 *    numbered by first appearance would put each new object right after the previous new one,
 *    and readahead would read objects before the trace asks for them (it beat the compulsory
 *    misses by 3× on cloudPhysicsIO) — the file would know the future. A trace's ids carry no
 *    file layout, so the pages are scattered as a random-access store's would be; `layout:
 *    "first-use"` keeps page n (an append-only log written in order of first use).
 *    A request is `pread(fd, buf, 4096, layout[n] × 4096)`:
 *    6.1's filemap_read, so a page not in the page cache is read from the disk through
 *    readahead (page_cache_sync_ra, ondemand_readahead: a random read reads its page; a run of
 *    cached neighbours makes it context readahead), and a page found there is marked accessed
 *    (folio_mark_accessed: PG_referenced then activation under the classic LRU, a tier's refs
 *    under MGLRU). read(2) rather than an mmap because folio_mark_accessed is what lets the
 *    LRU see every access as it happens (an mmap'd page's accesses are seen only through the
 *    young bit, when reclaim scans it). `readahead: false` opens the file as
 *    posix_fadvise(POSIX_FADV_RANDOM) would leave it (FMODE_RANDOM: each miss reads its page).
 *
 *  - **The memory.** The board gets RAM for `capacity` pages of page cache and the kernel's own
 *    use (MIN_MEMORY, 64 MiB, at least; beyond, the difference in whole MiB), is booted, opens the
 *    file, and then takes pages out of the buddy allocator (a balloon: GFP_KERNEL pages the
 *    replay holds to the end, as a balloon driver holds them) until
 *        free pages = capacity + (low watermark + high watermark) / 2
 *    summed over the zones: kswapd wakes when free pages fall below the low watermark and
 *    reclaims until they are above the high one, so the cache swings around what is left. That
 *    first guess misses what else takes pages as the cache fills (the per-CPU page lists,
 *    ext2's metadata in the bdev's cache, slab), so the board is then calibrated: the file is
 *    read in the replay's way (another open file, the same readahead, pages in the layout's order) until reclaim has run for
 *    max(2 × capacity, 4,096) pages, the file's mean cache over that stretch is compared with `capacity`,
 *    and the balloon is inflated or deflated by 0.7 × the difference, up to three rounds or until
 *    within 3 %. The calibration's pages are then dropped (invalidate_mapping_pages, as
 *    POSIX_FADV_DONTNEED: no shadows left) and the replay starts; its counters start there.
 *    What the cache reached during the replay is reported (`cachePagesMean/Min/Max`, sampled
 *    every 1,024 requests once reclaim has run, and `cachePagesEnd`). A file of fewer pages than 1.5 × capacity
 *    is not calibrated (its cache barely fills).
 *
 *  - **The miss.** A request misses when its page is not in the page cache (no entry, or a
 *    workingset shadow): filemap_fault's definition of a major fault, applied to the read. A
 *    page being read by async readahead is a hit that waits for its bio. `pagesRead` is pgpgin
 *    in pages (the file's and ext2's metadata, readahead included).
 *
 *  - **The path.** A hit on an uptodate page without PG_readahead and unlocked is filemap_read's
 *    one-page case done inline (filemapReadHit below: the lookup, folio_mark_accessed unless the
 *    previous read ended in this page, ra->prev_pos); everything else — a miss, a PG_readahead
 *    page (async readahead), a locked page (I/O in flight) — is a whole vfs_read(). A test
 *    checks that the inline path and vfs_read() give the same figures. Kernel threads that fall
 *    due on the simulated clock run after each batch (as between two workload steps); kswapd
 *    also runs beside the reader at the LRU's batch points on a board of two CPUs or more.
 *
 * Simulated time moves with the disk (a read waits for its bio), reclaim's costs and
 * throttling; a hit costs no simulated time (as a `read` step that hits costs none).
 * Deterministic: the same trace and options give the same figures.
 */
import {
  ArgumentError, GFP_KERNEL, NR_FREE_PAGES, PAGE_SIZE, PGPGIN, PGSCAN_DIRECT, PGSCAN_KSWAPD, PGSTEAL_DIRECT, PGSTEAL_KSWAPD, PG_locked,
  PG_readahead, PG_uptodate, SIM_CLOCK, type SimClock, VM_STAT, type VmStat, WORKINGSET_ACTIVATE_FILE, WORKINGSET_REFAULT_FILE, __GFP_NOWARN,
  ALLOCSTALL_DMA, ALLOCSTALL_MOVABLE, PGACTIVATE, resolveToken,
} from "@mmsim/core";
import { BuddyAllocator } from "@mmsim/buddy";
import { type File, O_RDONLY, VFS, type Vfs, doFilpOpen, folioMarkAccessed, invalidateMappingPages, vfsRead } from "@mmsim/filemap";
import type { MemMap } from "@mmsim/core";
import { Prandom } from "@mmsim/core";
import { ModuleCatalog } from "./catalog.ts";
import { Machine } from "./machine.ts";
import { isModulePath, loadScenario } from "./scenario.ts";
import { KernelAnonReplayCache } from "./kernel-replay-anon.ts";

/** The file every object is a page of, on the board's disk. */
export const KERNEL_REPLAY_FILE = "/mnt/disk/replay";

/** What a kernel cell is built from. */
export interface KernelReplayOptions {
  /** The `reclaim` policy: "lru", "mglru", or a module file of the user's (./second-chance.mjs). */
  readonly reclaim: string;
  /** Distinct objects of the trace: the file's size in pages. */
  readonly objects: number;
  /** Readahead as 6.1 does it (default), or off (the file opened as POSIX_FADV_RANDOM leaves it). */
  readonly readahead?: boolean;
  /** CPUs of the board (default 2: kswapd runs beside the reader). */
  readonly cpus?: number;
  /** The name in tables (default: kernel-<reclaim>, or kernel:<file>). */
  readonly name?: string;
  /** Object → file page: scattered by a fixed permutation (default), or page n for object n ("first-use"). */
  readonly layout?: "scattered" | "first-use";
  /** The permutation's seed (default 1). */
  readonly layoutSeed?: number;
  /** Serve hits through the inline path (default); false sends every request through vfs_read() (tests compare the two). */
  readonly inlineHits?: boolean;
  /** Objects as pages of a file read with pread(2) (default), or of a task's anonymous mapping swapped to a disk (kernel-replay-anon.ts). */
  readonly backing?: "file" | "anon";
}

/** The figures of a kernel cell, beyond its misses (`cells[].figures` in `mmsim replay --json`). */
// a type, not an interface: it must be assignable to Record<string, number> (CacheAlgorithm.figures)
export type KernelReplayFigures = {
  /** Requests whose page was not in the page cache. */
  misses: number;
  /** Requests served by the inline hit path / by a whole vfs_read() (misses, readahead marks, pages under I/O). */
  fastHits: number;
  slowReads: number;
  /** pgpgin in pages: what the disk read (the file's pages, readahead's, ext2's metadata). */
  pagesRead: number;
  /** workingset_refault_file / workingset_activate_file: misses on pages evicted recently enough to count. */
  refaults: number;
  refaultsActivated: number;
  /** pgactivate. */
  activations: number;
  /** pgscan_kswapd + pgscan_direct, pgsteal_kswapd + pgsteal_direct, and the direct parts. */
  pgscan: number;
  pgsteal: number;
  pgstealDirect: number;
  /** allocstall_* summed: allocations that entered direct reclaim. */
  allocstall: number;
  /** Simulated time of the replay, ns. */
  simulatedNs: number;
  /**
   * The file's page-cache pages, sampled every 1,024 requests once reclaim has run (the cache full):
   * mean, min, max (the size at the end when reclaim never ran); and at the end.
   */
  cachePagesMean: number;
  cachePagesMin: number;
  cachePagesMax: number;
  cachePagesEnd: number;
  /** The board: RAM (MiB), pages held by the balloon, free pages the replay started with, and calibration rounds run. */
  memoryMiB: number;
  balloonPages: number;
  startFreePages: number;
  calibrationRounds: number;
};

// Module-level copies of imported values the replay loop reads: an imported binding is a live
// one (a getter on the module namespace under vitest's transform), too slow per request.
const PAGE = PAGE_SIZE;
const markAccessed = folioMarkAccessed;
const UPTODATE = 1 << PG_uptodate;
const READAHEAD = 1 << PG_readahead;
const LOCKED = 1 << PG_locked;
/** The flags a page needs (uptodate) and must not have (readahead mark, lock) for the inline hit. */
const FAST_MASK = UPTODATE | READAHEAD | LOCKED;
/** Pages the board's RAM gets beyond the cache's, before the balloon takes the excess: the kernel's own use on a 64 MiB board (~7,600 pages) and headroom. */
const KERNEL_PAGES = 9216;
const MIB_PAGES = (1 << 20) / PAGE_SIZE;

/** The reclaim policy's catalog and name, a user's module file loaded. */
export async function loadKernelReplayPolicy(reclaim: string): Promise<{ catalog: ModuleCatalog; policy: string }> {
  const catalog = ModuleCatalog.default();
  if (!isModulePath(reclaim)) {
    if (!catalog.names("reclaim").includes(reclaim)) {
      throw new ArgumentError("machine.kernelReplay", "--algo", `kernel-<reclaim policy> with a policy of ${catalog.names("reclaim").join(", ")}, or kernel:<module file>`, `kernel-${reclaim}`);
    }
    return { catalog, policy: reclaim };
  }
  const { pathToFileURL } = await import("node:url");
  const { resolve } = await import("node:path");
  const mod = await catalog.loadModule(pathToFileURL(resolve(reclaim)).href, "<command line>", "--algo kernel:");
  if (mod.slot !== "reclaim") throw new ArgumentError("machine.kernelReplay", "--algo", `kernel:<a module of the reclaim slot>`, `${reclaim} registers slot "${mod.slot}"`);
  return { catalog, policy: mod.name };
}

/**
 * Makes kernel cells: `create(capacity)` boots a machine whose page cache holds about `capacity`
 * pages of the file. Shaped as @mmsim/cachesim's CacheAlgorithmFactory (the root does not import
 * the analysis package: the CLI hands it to the replay as one).
 */
export class KernelReplayFactory {
  readonly name: string;
  readonly description: string;
  readonly needsNextAccess = false;

  private constructor(
    readonly options: KernelReplayOptions,
    private readonly catalog: ModuleCatalog,
    private readonly policy: string,
  ) {
    this.name = options.name ?? (isModulePath(options.reclaim) ? `kernel:${options.reclaim}` : `kernel-${options.reclaim}`);
    this.description =
      options.backing === "anon"
        ? `Linux 6.1's anonymous memory, swap and reclaim (${this.policy}) on a booted board: each object a page of a task's private mapping, swapped to a disk`
        : `Linux 6.1's page cache and reclaim (${this.policy}) on a booted board: each object a page of one ext2 file, read with pread(2)`;
  }

  /**
   * A factory for `options` (a reclaim module file is loaded here).
   * @throws ArgumentError for an unknown policy or a bad object count
   */
  static async load(options: KernelReplayOptions): Promise<KernelReplayFactory> {
    if (!Number.isSafeInteger(options.objects) || options.objects < 1 || options.objects > 1 << 26) {
      throw new ArgumentError("machine.KernelReplayFactory", "objects", "the trace's distinct objects, 1 to 2^26 (a file of at most 256 GiB)", String(options.objects));
    }
    const { catalog, policy } = await loadKernelReplayPolicy(options.reclaim);
    return new KernelReplayFactory(options, catalog, policy);
  }

  /** A booted board whose page cache holds about `capacity` pages. */
  create(capacity: number): KernelReplayCell {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new ArgumentError("machine.KernelReplayFactory.create", "capacity", "a whole number of pages ≥ 1", String(capacity));
    if (this.options.backing === "anon") return new KernelAnonReplayCache(this.name, capacity, this.options, this.catalog, this.policy);
    return new KernelReplayCache(this.name, capacity, this.options, this.catalog, this.policy);
  }
}

/** A kernel cell of either backing (what KernelReplayFactory.create makes). */
export type KernelReplayCell = KernelReplayCache | KernelAnonReplayCache;

/** The RAM a board gets for a cache of `capacity` pages: 64 MiB at least, else the cache, the kernel's pages and 2 % (memmap, watermarks), in whole MiB. */
export function kernelReplayMemoryMiB(capacity: number): number {
  return Math.max(64, Math.ceil(((capacity + KERNEL_PAGES) * 1.02) / MIB_PAGES));
}

/** One kernel cell: a booted machine reading one file. Shaped as @mmsim/cachesim's CacheAlgorithm. */
export class KernelReplayCache {
  readonly machine: Machine;
  private readonly vfs: Vfs;
  private readonly file: File;
  private readonly mem: MemMap;
  private readonly vmstat: VmStat;
  private readonly clock: SimClock;
  /** Object number → page of the file. */
  private readonly layout: Int32Array;
  private readonly startNs: number;
  private readonly tally: ReplayTally;
  private readonly balloon: Balloon;

  constructor(
    readonly name: string,
    readonly capacity: number,
    readonly options: KernelReplayOptions,
    catalog: ModuleCatalog,
    policy: string,
  ) {
    const objects = options.objects;
    const fileBytes = objects * PAGE_SIZE;
    // ext2 with 4 KiB blocks: the file, its indirect blocks (one per 1,024), inode tables and bitmaps
    const diskMiB = Math.ceil((fileBytes * 1.01) / (1 << 20)) + 16;
    const { machine, memoryMiB } = bootReplayBoard(capacity, catalog, "kernel-replay.yaml", (mib) =>
      `machine:\n  memory: ${mib}M\n  cpus: ${options.cpus ?? 2}\n  disk:\n    size: ${diskMiB}M\n    files:\n      - { path: /replay, size: ${fileBytes}, contents: random }\n` +
      `kernel:\n  policies:\n    reclaim: ${JSON.stringify(policy)}\nworkload: []\n`);
    this.machine = machine;
    const m = this.machine;
    this.layout = fileLayout(objects, options.layout ?? "scattered", options.layoutSeed ?? 1);
    this.vfs = resolveToken(m.container, VFS);
    this.mem = this.vfs.mem;
    this.vmstat = resolveToken(m.container, VM_STAT);
    this.clock = resolveToken(m.container, SIM_CLOCK);
    const file = doFilpOpen(this.vfs, KERNEL_REPLAY_FILE, O_RDONLY, 0);
    if (typeof file === "number") throw new Error(`mmsim: kernel replay: open ${KERNEL_REPLAY_FILE} failed with errno ${-file}`);
    this.file = file;
    if (options.readahead === false) file.fRa.fmodeRandom = true;
    this.balloon = new Balloon(m);
    this.balloon.inflateTo(capacity + wmarkTarget(m));
    const calibration = objects >= 1.5 * capacity ? this.calibrate() : 0;
    this.startNs = this.clock.now();
    this.tally = new ReplayTally(this.vmstat, [WORKINGSET_REFAULT_FILE, WORKINGSET_ACTIVATE_FILE], {
      memoryMiB, balloonPages: this.balloon.pages, startFreePages: freePages(m), calibrationRounds: calibration,
    });
  }

  /**
   * Sizes the balloon so that the file's cache holds `capacity` pages once reclaim runs (see the
   * header), then empties the file's cache: another open file reads the file in the replay's way.
   * @returns calibration rounds run
   */
  private calibrate(): number {
    const m = this.machine;
    const vfs = this.vfs;
    const mapping = this.file.fMapping;
    const reader = doFilpOpen(vfs, KERNEL_REPLAY_FILE, O_RDONLY, 0) as File;
    reader.fRa.fmodeRandom = this.file.fRa.fmodeRandom;
    const pages = this.options.objects;
    const layout = this.layout;
    let pos = 0;
    const rounds = calibrateBalloon(m, this.vmstat, this.balloon, this.capacity, pages, () => {
      const r = vfsRead(vfs, reader, null, PAGE_SIZE, layout[pos]! * PAGE_SIZE);
      if (r !== PAGE_SIZE) throw new Error(`mmsim: kernel replay: calibration read of page ${layout[pos]} returned ${r}`);
      pos = (pos + 1) % pages;
      if ((pos & 4095) === 0) m.runDueKernelThreads();
    }, () => mapping.nrpages);
    this.vfs.lru?.lruAddDrainAll();
    invalidateMappingPages(vfs, mapping, 0, -1);
    return rounds;
  }

  /** Object numbers must stay below the file's pages. */
  reserve(objects: number): void {
    if (objects > this.options.objects) {
      throw new ArgumentError("machine.KernelReplayCache.reserve", "objects", `at most the ${this.options.objects} objects the file was made for`, String(objects));
    }
  }

  /** Replays a batch: one pread of a page per request. @returns the misses */
  replay(batch: { readonly length: number; readonly obj: Int32Array }): number {
    const obj = batch.obj;
    const n = batch.length;
    const xa = this.file.fMapping.iPages;
    const flags = this.mem.flags;
    const ra = this.file.fRa;
    const layout = this.layout;
    let misses = 0;
    let fast = 0;
    const inline = this.options.inlineHits !== false;
    const tally = this.tally;
    const f = tally.f;
    const vfs = this.vfs;
    const lru = vfs.lru;
    const mapping = this.file.fMapping;
    for (let i = 0; i < n; i++) {
      if ((i & 1023) === 1023) tally.sample(mapping.nrpages);
      const index = layout[obj[i]!]!;
      const e = xa.load(index);
      if (e > 0) {
        const page = e - 1;
        if ((flags[page]! & FAST_MASK) === UPTODATE && inline) {
          // filemapReadHit, inlined
          if (index !== Math.floor(ra.prevPos / PAGE)) {
            if (lru !== null) lru.folioMarkAccessed(page);
            else markAccessed(vfs, page);
          }
          ra.prevPos = (index + 1) * PAGE;
          fast++;
          continue;
        }
      } else misses++;
      this.readPage(index);
    }
    f.misses += misses;
    f.fastHits += fast;
    f.slowReads += n - fast;
    this.machine.runDueKernelThreads();
    return misses;
  }

  /** The whole read(2) path for one page. */
  private readPage(index: number): void {
    const r = vfsRead(this.vfs, this.file, null, PAGE_SIZE, index * PAGE_SIZE);
    if (r !== PAGE_SIZE) throw new Error(`mmsim: kernel replay: pread of page ${index} of ${KERNEL_REPLAY_FILE} returned ${r} (expected ${PAGE_SIZE})`);
  }

  /** Pages of the file in the page cache. */
  resident(): number {
    return this.file.fMapping.nrpages;
  }

  /** Every validator of the machine (the page cache, the LRU, the buddy lists, …). */
  validate(): string[] {
    const problems: string[] = [];
    this.machine.validate({ report: (where: string, problem: string) => void problems.push(`${where}: ${problem}`) });
    return problems;
  }

  /** The figures so far. */
  figures(): KernelReplayFigures {
    return this.tally.figures(this.tally.since(PGPGIN) / (PAGE_SIZE / 512), this.clock.now() - this.startNs, this.file.fMapping.nrpages);
  }
}

/**
 * Boots the board `yamlFor(MiB)` describes with kernelReplayMemoryMiB(capacity) of RAM, and again
 * with more (up to three times) until its free pages can hold the cache and kswapd's watermarks.
 * @throws ArgumentError when even the last board cannot
 */
export function bootReplayBoard(capacity: number, catalog: ModuleCatalog, file: string, yamlFor: (memoryMiB: number) => string): { machine: Machine; memoryMiB: number } {
  let memoryMiB = kernelReplayMemoryMiB(capacity);
  for (let attempt = 0; ; attempt++) {
    const m = Machine.create(loadScenario(yamlFor(memoryMiB), file), catalog);
    m.runWorkload();
    const free = freePages(m);
    const need = capacity + wmarkTarget(m);
    if (free >= need) return { machine: m, memoryMiB };
    if (attempt === 3) throw new ArgumentError("machine.KernelReplayCache", "capacity", `a cache the board can hold (${free} free pages on ${memoryMiB} MiB)`, `${capacity} pages`);
    memoryMiB += Math.ceil(((need - free) * 1.05) / MIB_PAGES);
  }
}

/**
 * Sizes `balloon` so that a cache filled by `readOne` holds `capacity` pages once reclaim runs:
 * fill until reclaim runs, then measure `resident()` while reclaim takes max(2 × capacity, 4,096)
 * pages; inflate or deflate by 0.7 × the error; up to three rounds or until within 3 %.
 * @returns rounds run
 */
export function calibrateBalloon(m: Machine, vmstat: VmStat, balloon: Balloon, capacity: number, pages: number, readOne: () => void, resident: () => number): number {
  let rounds = 0;
  const stolenNow = () => vmstat.vmEvents[PGSTEAL_KSWAPD]! + vmstat.vmEvents[PGSTEAL_DIRECT]!;
  while (rounds < 3) {
    rounds++;
    const steal0 = stolenNow();
    for (let i = 0; stolenNow() === steal0 && i < 4 * pages; i++) readOne();
    const at = stolenNow() - steal0;
    let sum = 0;
    let n = 0;
    const span = Math.max(2 * capacity, 4096);
    for (let i = 0; stolenNow() - steal0 - at < span && i < 4 * pages; i++) {
      readOne();
      if ((i & 15) === 0) {
        sum += resident();
        n++;
      }
    }
    m.runDueKernelThreads();
    const error = n === 0 ? 0 : Math.round(sum / n) - capacity;
    if (Math.abs(error) <= Math.max(8, capacity * 0.03)) break;
    // a damped step: the cache's swing between the watermarks makes one measurement noisy
    if (error > 0) balloon.inflate(Math.round(error * 0.7));
    else balloon.deflate(Math.round(-error * 0.7));
  }
  return rounds;
}

/** The board a cell replays on, as its figures report it. */
export interface ReplayBoard {
  readonly memoryMiB: number;
  readonly balloonPages: number;
  readonly startFreePages: number;
  readonly calibrationRounds: number;
}

/**
 * A cell's counts from the replay's start: the vmstat snapshot, the running figures `f` (misses,
 * hits, the cache's min and max) and the samples of its cache size; `figures()` adds the vmstat
 * differences.
 */
export class ReplayTally {
  readonly f: KernelReplayFigures;
  private readonly start: Float64Array;
  private samples = 0;
  private cacheSum = 0;

  /** @param refaults the workingset_refault_* and workingset_activate_* node items of the cell's pages */
  constructor(
    private readonly vmstat: VmStat,
    private readonly refaults: readonly [number, number],
    board: ReplayBoard,
  ) {
    this.start = snapshot(vmstat, refaults);
    this.f = {
      misses: 0, fastHits: 0, slowReads: 0, pagesRead: 0, refaults: 0, refaultsActivated: 0, activations: 0, pgscan: 0, pgsteal: 0, pgstealDirect: 0,
      allocstall: 0, simulatedNs: 0, cachePagesMean: 0, cachePagesMin: Infinity, cachePagesMax: 0, cachePagesEnd: 0, ...board,
    };
  }

  /** vmEvents[item] since the start. */
  since(item: number): number {
    return this.vmstat.vmEvents[item]! - this.start[item]!;
  }

  /** One sample of the cache's size, once reclaim has run in the replay (before, the cache is still filling). */
  sample(cached: number): void {
    if (this.since(PGSTEAL_KSWAPD) + this.since(PGSTEAL_DIRECT) === 0) return;
    const f = this.f;
    this.samples++;
    this.cacheSum += cached;
    if (cached < f.cachePagesMin) f.cachePagesMin = cached;
    if (cached > f.cachePagesMax) f.cachePagesMax = cached;
  }

  /** The figures: the running counts, the vmstat differences since the start, the cache sampled (or `cachedNow` when reclaim never ran). */
  figures(pagesRead: number, simulatedNs: number, cachedNow: number): KernelReplayFigures {
    const d = (i: number) => this.since(i);
    const node = (i: number) => nodeSum(this.vmstat, i) - this.start[EVENTS + i]!;
    let stall = 0;
    for (let i = ALLOCSTALL_DMA; i <= ALLOCSTALL_MOVABLE; i++) stall += d(i);
    const f = this.f;
    const sampled = this.samples > 0;
    return {
      ...f,
      pagesRead,
      refaults: node(this.refaults[0]),
      refaultsActivated: node(this.refaults[1]),
      activations: d(PGACTIVATE),
      pgscan: d(PGSCAN_KSWAPD) + d(PGSCAN_DIRECT),
      pgsteal: d(PGSTEAL_KSWAPD) + d(PGSTEAL_DIRECT),
      pgstealDirect: d(PGSTEAL_DIRECT),
      allocstall: stall,
      simulatedNs,
      cachePagesMean: sampled ? Math.round(this.cacheSum / this.samples) : cachedNow,
      cachePagesMin: sampled ? f.cachePagesMin : cachedNow,
      cachePagesMax: sampled ? f.cachePagesMax : cachedNow,
      cachePagesEnd: cachedNow,
    };
  }
}

/**
 * filemap_read() of one whole page found uptodate, unlocked and without PG_readahead at `index`
 * (filemap_get_pages' batch of one; its get and put cancel): folio_mark_accessed unless the
 * previous read ended in this page, then ra->prev_pos moves past it. Kernel: `filemap_read()`.
 */
export function filemapReadHit(vfs: Vfs, ra: File["fRa"], page: number, index: number): void {
  if (index !== Math.floor(ra.prevPos / PAGE)) markAccessed(vfs, page);
  ra.prevPos = (index + 1) * PAGE;
}

/** Object number → file page: a Fisher–Yates permutation drawn with prandom (seed), or the identity. */
export function fileLayout(objects: number, kind: "scattered" | "first-use", seed: number): Int32Array {
  const p = new Int32Array(objects);
  for (let i = 0; i < objects; i++) p[i] = i;
  if (kind === "first-use") return p;
  const rng = new Prandom(seed);
  for (let i = objects - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** vmEvents then the node counters `nodeItems` summed over nodes, at the replay's start. */
const EVENTS = 256;
function snapshot(v: VmStat, nodeItems: readonly number[]): Float64Array {
  const s = new Float64Array(EVENTS + 64);
  s.set(v.vmEvents);
  for (const i of nodeItems) s[EVENTS + i] = nodeSum(v, i);
  return s;
}

/** A node counter summed over the nodes. */
export function nodeSum(v: VmStat, item: number): number {
  const per = v.nodeVmStat.length / v.nrNodes;
  let sum = 0;
  for (let n = 0; n < v.nrNodes; n++) sum += v.nodeVmStat[n * per + item]!;
  return sum;
}

/** NR_FREE_PAGES over the zones with pages. */
export function freePages(m: Machine): number {
  let free = 0;
  for (const z of m.container.resolve(BuddyAllocator).state.zones) if (z.managed) free += z.vmStat[NR_FREE_PAGES]!;
  return free;
}

/** (low + high) / 2 watermarks over the zones: where kswapd's swing between them is centred. */
export function wmarkTarget(m: Machine): number {
  let w = 0;
  for (const z of m.container.resolve(BuddyAllocator).state.zones) if (z.managed) w += (z.lowWmarkPages() + z.highWmarkPages()) / 2;
  return Math.ceil(w);
}

/**
 * Pages taken from the buddy allocator and held (GFP_KERNEL order-0 pages: unmovable, as a
 * balloon driver's), given back on deflation, newest first.
 */
export class Balloon {
  private pfns = new Int32Array(1024);
  pages = 0;
  private readonly pa: BuddyAllocator;

  constructor(private readonly m: Machine) {
    this.pa = m.container.resolve(BuddyAllocator);
  }

  /** Takes pages until `keep` are free. */
  inflateTo(keep: number): void {
    this.inflate(freePages(this.m) - keep);
  }

  /** Takes `n` pages (fewer if the allocator refuses). */
  inflate(n: number): void {
    for (let i = 0; i < n; i++) {
      const pfn = this.pa.allocPages(GFP_KERNEL | __GFP_NOWARN, 0, 0);
      if (pfn < 0) return;
      if (this.pages === this.pfns.length) {
        const grown = new Int32Array(this.pfns.length * 2);
        grown.set(this.pfns);
        this.pfns = grown;
      }
      this.pfns[this.pages++] = pfn;
    }
  }

  /** Gives back `n` pages (at most what it holds). */
  deflate(n: number): void {
    for (let i = 0; i < n && this.pages > 0; i++) this.pa.freePages(this.pfns[--this.pages]!, 0, 0);
  }
}
