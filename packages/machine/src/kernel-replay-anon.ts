// mmsim: a cache trace replayed through anonymous memory and swap (issue 17 part 3, `--kernel-backing anon`) — each object a page of one private anonymous mapping, touched by a load; arch/arm64/mm/fault.c and mm/memory.c do the rest (no kernel counterpart as one function)
/*
 * The anonymous twin of kernel-replay.ts's file cell:
 *
 *  - **The memory.** A board as the file cell's (RAM for `capacity` pages and the kernel's own
 *    use, a balloon, the same calibration — of stores: see the constructor), with a swap area on a second virtio disk (a
 *    non-rotational `swap_disk` big enough for every object: the pages evicted go there, as the
 *    file cell's go back to its file) and one task (init) with a private anonymous mapping of one
 *    page per object. Object n is page layout[n] of the mapping (the same fixed permutation: swap
 *    readahead reads a faulting page's neighbours in the VMA, so objects numbered by first use
 *    would be read before their first request).
 *
 *  - **A request** is a load from the object's page by the task, through the MMU and, when it
 *    faults, arm64's do_page_fault: a present page with its access flag set is a hit with no
 *    kernel work (the access is seen only when reclaim reads and clears the young bit:
 *    folio_referenced, as for any mapped page); a page whose young bit reclaim cleared takes an
 *    access-flag fault (the Cortex-A57 has no hardware AF) that sets it again — a hit; a page in
 *    the swap cache is a minor fault — a hit; a swapped-out page is a major fault (do_swap_page:
 *    the disk read, with swap readahead) — a miss; the first request of an object is a store (a
 *    compulsory miss: the page is allocated and written, as a cache fills an object), so the
 *    page has contents to swap.
 *
 *  - **The misses** are therefore compulsory misses plus major faults (pgmajfault). `pagesRead` is
 *    pswpin (readahead included), `refaults` workingset_refault_anon, the cache the anonymous LRU
 *    lists (the task's mapped pages and the swap cache's, less what the board had before).
 *
 * Deterministic: the same trace and options give the same figures.
 */
import { ACCESS_READ, ACCESS_WRITE } from "@mmsim/hw-arm64";
import {
  COST_MODEL, NR_ACTIVE_ANON, NR_INACTIVE_ANON, PAGE_SIZE, contentText, PGMAJFAULT, PSWPIN, SIM_CLOCK, type SimClock, VM_STAT, type VmStat, WORKINGSET_REFAULT_ANON,
  WORKINGSET_ACTIVATE_ANON, resolveToken,
} from "@mmsim/core";
import { FAULT_HANDLED, type Arm64Fault } from "@mmsim/fault";
import { MADV_DONTNEED, type MmStruct, type TaskStruct, type VmAreaStruct, sysMadvise } from "@mmsim/vma";
import type { ModuleCatalog } from "./catalog.ts";
import type { Machine } from "./machine.ts";
import { PROCESSES } from "./process/token.ts";
import type { Processes } from "./process/processes.ts";
import {
  Balloon, type KernelReplayFigures, type KernelReplayOptions, ReplayTally, bootReplayBoard, calibrateBalloon, fileLayout, freePages, nodeSum,
  wmarkTarget,
} from "./kernel-replay.ts";

/** One anonymous kernel cell: a booted machine whose init touches one mapping. Shaped as @mmsim/cachesim's CacheAlgorithm. */
export class KernelAnonReplayCache {
  readonly machine: Machine;
  private readonly p: Processes;
  private readonly fault: Arm64Fault;
  private readonly task: TaskStruct;
  private readonly mm: MmStruct;
  private readonly vmstat: VmStat;
  private readonly clock: SimClock;
  /** The mapping's first address. */
  private readonly base: number;
  /** Object number → page of the mapping. */
  private readonly layout: Int32Array;
  /** 1 for an object touched once (its page written), per object. */
  private readonly touched: Uint8Array;
  private readonly startNs: number;
  /** Pages on the anonymous LRU lists before the replay's (init's own). */
  private readonly anonBase: number;
  private readonly tally: ReplayTally;
  private readonly balloon: Balloon;
  /** The cost model's faultEntry (ns per fault taken). */
  private readonly faultEntryNs: number;

  constructor(
    readonly name: string,
    readonly capacity: number,
    readonly options: KernelReplayOptions,
    catalog: ModuleCatalog,
    policy: string,
  ) {
    const objects = options.objects;
    const bytes = objects * PAGE_SIZE;
    // the swap area: every object's page, the header page and room for the swap cache's slack
    const swapMiB = Math.ceil((bytes * 1.02) / (1 << 20)) + 4;
    const { machine, memoryMiB } = bootReplayBoard(capacity, catalog, "kernel-replay-anon.yaml", (mib) =>
      `machine:\n  memory: ${mib}M\n  cpus: ${options.cpus ?? 2}\n` +
      `kernel:\n  policies:\n    reclaim: ${JSON.stringify(policy)}\n` +
      `workload:\n  - swap_disk: { size: ${swapMiB}M, rotational: false }\n  - mmap: { as: objects, size: ${bytes} }\n`);
    this.machine = machine;
    const m = this.machine;
    this.p = resolveToken(m.container, PROCESSES);
    this.fault = this.p.fault;
    this.task = this.p.current;
    this.mm = this.task.mm!;
    // the workload's mmap: init's anonymous VMA of the objects' size
    let found: VmAreaStruct | null = null;
    for (const v of this.mm.mt) if (v.vmEnd - v.vmStart === bytes && v.vmFile === null) found = v;
    if (found === null) throw new Error("mmsim: kernel replay: the objects' mapping is missing");
    this.base = found.vmStart;
    this.layout = fileLayout(objects, options.layout ?? "scattered", options.layoutSeed ?? 1);
    this.touched = new Uint8Array(objects);
    this.vmstat = resolveToken(m.container, VM_STAT);
    this.clock = resolveToken(m.container, SIM_CLOCK);
    this.faultEntryNs = resolveToken(m.container, COST_MODEL).faultEntry;
    this.anonBase = anonLru(this.vmstat);
    this.balloon = new Balloon(m);
    this.balloon.inflateTo(capacity + wmarkTarget(m));
    let calibration = 0;
    if (objects >= 1.5 * capacity) {
      let pos = 0;
      // Stores, every one: the replay's first touches are stores, so its evictions write to swap while pages
      // wait on that I/O; a calibration of loads would evict clean swap-cache pages (their slot still holds
      // them) and size the board for a cache the replay never reaches (scan-12k at 10 %: 299 of 488 pages
      // with loads, 431 with stores, under the classic LRU).
      calibration = calibrateBalloon(m, this.vmstat, this.balloon, capacity, objects, () => {
        this.touch(this.layout[pos]!, true);
        pos = (pos + 1) % objects;
        if ((pos & 4095) === 0) m.runDueKernelThreads();
      }, () => this.resident());
      // drop the calibration's pages and swap entries (zap_page_range: no shadows for anonymous memory)
      const r = sysMadvise(this.p.mmap, this.mm, this.base, bytes, MADV_DONTNEED);
      if (r !== 0) throw new Error(`mmsim: kernel replay: MADV_DONTNEED of the objects' mapping failed with ${r}`);
      m.runDueKernelThreads();
    }
    this.startNs = this.clock.now();
    this.tally = new ReplayTally(this.vmstat, [WORKINGSET_REFAULT_ANON, WORKINGSET_ACTIVATE_ANON], {
      memoryMiB, balloonPages: this.balloon.pages, startFreePages: freePages(m), calibrationRounds: calibration,
    });
  }

  /** One access to page `index` of the mapping: a store the first time (the page gets contents), a load after. */
  private touch(index: number, first: boolean): void {
    const va = this.base + index * PAGE_SIZE;
    const task = this.task;
    const faults = task.minFlt + task.majFlt;
    // the page's contents: incompressible data of its own (what the swap device stores)
    const r = first ? this.fault.userAccess(task, va, ACCESS_WRITE, contentText(index, 1)) : this.fault.userAccess(task, va, ACCESS_READ);
    if (r !== FAULT_HANDLED) throw new Error(`mmsim: kernel replay: the task's access to page ${index} of the objects' mapping ended in fault result ${r}`);
    // each fault taken costs its fixed part (the exception, do_page_fault), as a workload's access does
    this.clock.advance(this.faultEntryNs * (task.minFlt + task.majFlt - faults));
  }

  /**
   * The replay's anonymous pages in memory: the anonymous LRU lists (mapped pages and the swap
   * cache's unmapped ones, swap readahead's included: a load of one is a hit) less what the board
   * had on them before the replay.
   */
  resident(): number {
    return anonLru(this.vmstat) - this.anonBase;
  }

  /** Object numbers must stay below the mapping's pages. */
  reserve(objects: number): void {
    if (objects > this.options.objects) throw new Error(`mmsim: kernel replay: ${objects} objects, the mapping was made for ${this.options.objects}`);
  }

  /** Replays a batch: one access per request. @returns the misses */
  replay(batch: { readonly length: number; readonly obj: Int32Array }): number {
    const obj = batch.obj;
    const n = batch.length;
    const layout = this.layout;
    const touched = this.touched;
    const fault = this.fault;
    const mm = this.mm;
    const base = this.base;
    const ev = this.vmstat.vmEvents;
    const major0 = ev[PGMAJFAULT]!;
    let compulsory = 0;
    let fast = 0;
    for (let i = 0; i < n; i++) {
      if ((i & 1023) === 1023) this.tally.sample(this.resident());
      const o = obj[i]!;
      const index = layout[o]!;
      if (touched[o] === 0) {
        touched[o] = 1;
        compulsory++;
        this.touch(index, true);
        continue;
      }
      // the MMU: a present, young, readable PTE is a hit without the kernel
      if (fault.translate(mm, base + index * PAGE_SIZE, ACCESS_READ) >= 0) {
        fast++;
        continue;
      }
      this.touch(index, false);
    }
    const misses = compulsory + (ev[PGMAJFAULT]! - major0);
    const f = this.tally.f;
    f.misses += misses;
    f.fastHits += fast;
    f.slowReads += n - fast;
    this.machine.runDueKernelThreads();
    return misses;
  }

  /** Every validator of the machine. */
  validate(): string[] {
    const problems: string[] = [];
    this.machine.validate({ report: (where: string, problem: string) => void problems.push(`${where}: ${problem}`) });
    return problems;
  }

  /** The figures so far (pagesRead: pswpin; refaults: workingset_refault_anon; the cache: resident anonymous pages). */
  figures(): KernelReplayFigures {
    return this.tally.figures(this.tally.since(PSWPIN), this.clock.now() - this.startNs, this.resident());
  }
}

/** Pages on the anonymous LRU lists (inactive + active), over the nodes. */
function anonLru(v: VmStat): number {
  return nodeSum(v, NR_INACTIVE_ANON) + nodeSum(v, NR_ACTIVE_ANON);
}
