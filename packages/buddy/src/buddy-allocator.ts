// mmsim: BuddyAllocator — the page allocator as a service (PageAllocator + BootPageSink), and its boot steps in 6.1's order
/*
 * The composition root calls the boot steps in the order Linux 6.1 runs them:
 *
 *   setup_arch → bootmem_init → zone_sizes_init → free_area_init     freeAreaInit()
 *   start_kernel → build_all_zonelists(NULL)                           buildAllZonelists()
 *   mm_init → mem_init → memblock_free_all()                           (memblock calls reserveBootmemRegion / memblockFreePages)
 *   start_kernel → setup_per_cpu_pageset()                             setupPerCpuPageset()
 *   kernel_init_freeable → page_alloc_init_late()                      pageAllocInitLate()
 *   postcore_initcall init_per_zone_wmark_min()                        initPerZoneWmarkMin()
 *   subsys_initcall hugepage_init (→ set_recommended_min_free_kbytes() from 512 MiB of totalram)   hugepageInit()
 *
 * `bootFromMemblock()` runs the steps from build_all_zonelists on; `createBuddyAllocator()` builds a
 * memblock from plain ranges and boots, for library users, tests and benchmarks.
 */
import {
  ArgumentError, type BootPageSink, COST_MODEL, type CostModel, DirectCompactor, DirectReclaimer, KERNEL_LOG,
  type KernelLog, KswapdWaker, MEM_MAP, MAX_PAGE_ORDER, MemMap, NIL_PFN, OutOfMemoryHandler, type PageAllocator,
  SIM_CLOCK, type SimClock, TRACE_BUS, TraceBus, type Validatable, type ValidationSink, CostModel as CostModelClass,
  KernelLog as KernelLogClass, SimClock as SimClockClass, PAGEBLOCK_NR_PAGES, PAGE_SIZE, clearPageReserved, describeValue,
  pfnDown, pfnPhys, pfnUp, setPageReserved, NR_VM_NODE_STAT_ITEMS,
  token, VM_STAT, VmStat,
} from "@mmsim/core";
import { MEMBLOCK_NONE, Memblock } from "@mmsim/memblock";
import { inject, injectable } from "tsyringe";
import { allocPages, freePages } from "./alloc-pages.ts";
import {
  DeferredFreeRanges, type FreeAreaInitResult, earlyPageUninitialised, freeAreaInit,
  initReservedPage, pageAllocInitLate,
} from "./mm-init.ts";
import { noOpHooks, type PageAllocHooks } from "./no-op-hooks.ts";
import { PageAllocState, type PageAllocConfig } from "./page-alloc-state.ts";
import { adjustManagedPageCount, freePagesCore, initCmaReservedPageblock } from "./page-alloc.ts";
import { validateBuddy } from "./validate.ts";
import { hugepageInit } from "./huge-memory.ts";
import { initPerZoneWmarkMin, setupPerCpuPageset } from "./watermarks.ts";
import { type BuildAllZonelistsResult, buildAllZonelists } from "./zonelist.ts";

/** The configuration the machine registers for the buddy allocator. */
export const PAGE_ALLOC_CONFIG = token<PageAllocConfig>("PageAllocConfig");

/** The page allocator of one machine. */
@injectable()
export class BuddyAllocator implements PageAllocator, BootPageSink, Validatable {
  readonly state: PageAllocState;
  /** Blocks memblock handed over while their struct pages were deferred (freed by pageAllocInitLate). */
  readonly deferred = new DeferredFreeRanges();
  /** What free_area_init decided (zone limits, nr_all_pages). */
  zoneLayout: FreeAreaInitResult | undefined;
  /** What build_all_zonelists decided (vm_total_pages, policy_zone). */
  zonelists: BuildAllZonelistsResult | undefined;

  constructor(
    @inject(MEM_MAP) mem: MemMap,
    @inject(PAGE_ALLOC_CONFIG) config: PageAllocConfig,
    @inject(SIM_CLOCK) clock: SimClock,
    @inject(COST_MODEL) cost: CostModel,
    @inject(TRACE_BUS) trace: TraceBus,
    @inject(KERNEL_LOG) log: KernelLog,
    @inject(KswapdWaker) kswapd: KswapdWaker,
    @inject(DirectCompactor) compactor: DirectCompactor,
    @inject(DirectReclaimer) reclaimer: DirectReclaimer,
    @inject(OutOfMemoryHandler) oom: OutOfMemoryHandler,
    @inject(VM_STAT) vmstat: VmStat,
  ) {
    this.state = new PageAllocState(mem, config, clock, cost, trace, log, vmstat);
    this.state.hooks = { kswapd, compactor, reclaimer, oom };
    this.state.deferredFreeRanges = () => this.deferred.ranges;
  }

  /** Replaces the slow path's mechanisms (tests, or a machine wiring reclaim later). */
  setHooks(hooks: PageAllocHooks): void {
    this.state.hooks = hooks;
  }

  // ------------------------------------------------------------------ boot

  /** Kernel: `free_area_init()` (logs the zone ranges and node ranges). */
  freeAreaInit(): FreeAreaInitResult {
    this.zoneLayout = freeAreaInit(this.state);
    return this.zoneLayout;
  }

  /** Kernel: `build_all_zonelists(NULL)` (logs the fallback order, total pages, policy zone). */
  buildAllZonelists(): BuildAllZonelistsResult {
    this.zonelists = buildAllZonelists(this.state);
    return this.zonelists;
  }

  /**
   * Marks the struct pages of a reserved range PageReserved. Kernel: `reserve_bootmem_region()`.
   */
  reserveBootmemRegion(start: number, end: number): void {
    const pa = this.state;
    const mem = pa.mem;
    for (let pfn = pfnDown(start); pfn < pfnUp(end); pfn++) {
      if (!mem.pfnValid(pfn)) continue;
      initReservedPage(pa, pfn);
      const page = mem.pfnToPage(pfn);
      mem.lruNext[page] = -1;
      mem.lruPrev[page] = -1;
      setPageReserved(mem, page);
    }
  }

  /** Kernel: `reset_all_zones_managed_pages()`. */
  resetAllZonesManagedPages(): void {
    for (const zone of this.state.zones) zone.managedPages = 0;
  }

  /** Kernel: `totalram_pages_add()`. */
  totalramPagesAdd(count: number): void {
    this.state.totalramPages += count;
  }

  /**
   * Takes one free block from memblock; keeps it back when its struct pages are deferred.
   * Kernel: `memblock_free_pages()`.
   */
  memblockFreePages(pfn: number, order: number): void {
    const pa = this.state;
    if (earlyPageUninitialised(pa, pfn)) {
      this.deferred.record(pfn, order);
      return;
    }
    freePagesCore(pa, pa.mem.pfnToPage(pfn), order);
  }

  /**
   * Activates a CMA area that memblock reserved: each pageblock becomes free MIGRATE_CMA memory.
   * Kernel: `cma_activate_area()` → `init_cma_reserved_pageblock()` (core_initcall
   * cma_init_reserved_areas). The caller adds the area to totalcma_pages when it reserves it.
   * @throws ArgumentError if the range is not pageblock-aligned memory of one zone
   */
  cmaActivateArea(basePfn: number, nrPages: number, cpu = 0): void {
    const pa = this.state;
    const mem = pa.mem;
    if (basePfn % PAGEBLOCK_NR_PAGES !== 0 || nrPages % PAGEBLOCK_NR_PAGES !== 0 || nrPages <= 0 || !mem.pfnValid(basePfn) || !mem.pfnValid(basePfn + nrPages - 1)) {
      throw new ArgumentError("buddy.cmaActivateArea", "basePfn/nrPages", `a pageblock-aligned (${PAGEBLOCK_NR_PAGES}-page) range of RAM`, `0x${basePfn.toString(16)} + ${nrPages}`);
    }
    const zone = pa.pageZone(mem.pfnToPage(basePfn));
    if (!zone.spansPfn(basePfn + nrPages - 1)) {
      // 6.1: "CMA area %s could not be activated" when the area crosses zones.
      pa.log.prErr(`cma: CMA area could not be activated`);
      return;
    }
    for (let pfn = basePfn; pfn < basePfn + nrPages; pfn += PAGEBLOCK_NR_PAGES) initCmaReservedPageblock(pa, mem.pfnToPage(pfn), cpu);
  }

  /**
   * Gives reserved pages (init memory, the initramfs) to the allocator one page at a time and
   * logs `Freeing <s> memory: <n>K`. Kernel: `free_reserved_area()` → `free_reserved_page()`.
   * @param start first byte; rounded up to a page (PAGE_ALIGN)
   * @param end last byte + 1; rounded down to a page
   * @returns pages freed
   */
  freeReservedArea(start: number, end: number, s?: string, cpu = 0): number {
    const pa = this.state;
    const mem = pa.mem;
    let pages = 0;
    for (let pfn = pfnUp(start); pfn < pfnDown(end); pfn++, pages++) {
      if (!mem.pfnValid(pfn)) continue;
      const page = mem.pfnToPage(pfn);
      clearPageReserved(mem, page);
      mem.refcount[page] = 1; // init_page_count
      freePages(pa, page, 0, cpu);
      adjustManagedPageCount(pa, page, 1);
    }
    if (pages > 0 && s) pa.log.prInfo(`Freeing ${s} memory: ${pages * (PAGE_SIZE / 1024)}K`);
    return pages;
  }

  /** Kernel: `setup_per_cpu_pageset()`: real pagesets with high/batch for every zone and CPU. */
  setupPerCpuPageset(): void {
    setupPerCpuPageset(this.state);
  }

  /** Kernel: `page_alloc_init_late()`: initialise and free the deferred struct pages. */
  pageAllocInitLate(): void {
    pageAllocInitLate(this.state, this.deferred.ranges);
    this.state.deferredPages = false;
  }

  /** Kernel: `init_per_zone_wmark_min()` (postcore_initcall). */
  initPerZoneWmarkMin(): void {
    initPerZoneWmarkMin(this.state);
  }

  /**
   * THP's subsys_initcall: under 512 MiB of totalram it leaves THP off and min_free_kbytes as
   * init_per_zone_wmark_min() set it; otherwise khugepaged's start raises min_free_kbytes.
   * Kernel: `hugepage_init()` → `start_stop_khugepaged()` → `set_recommended_min_free_kbytes()`.
   * @returns true when THP stays enabled
   */
  hugepageInit(): boolean {
    return hugepageInit(this.state);
  }

  /**
   * The boot step the composition root runs for THP (machine.ts calls it by this name): it is
   * hugepage_init(), which calls set_recommended_min_free_kbytes() only on boards with 512 MiB of
   * totalram or more. New callers use hugepageInit().
   */
  setRecommendedMinFreeKbytes(): void {
    this.hugepageInit();
  }

  /**
   * Runs every boot step after free_area_init in 6.1's order, taking the free memory from
   * `memblock` (memblock_free_all). The composition root logs what happens in between.
   */
  bootFromMemblock(memblock: Memblock): void {
    if (!this.zoneLayout) this.freeAreaInit();
    if (!this.zonelists) this.buildAllZonelists();
    memblock.memblockFreeAll(this);
    this.setupPerCpuPageset();
    this.pageAllocInitLate();
    this.initPerZoneWmarkMin();
    this.hugepageInit();
  }

  // ------------------------------------------------------------------ PageAllocator

  /**
   * Allocates 2^order pages. Kernel: `__alloc_pages()`.
   * @returns PFN of the first page, or NIL_PFN
   * @throws ArgumentError for a CPU or node that does not exist, or an order that is not an integer ≥ 0
   */
  allocPages(gfp: number, order: number, cpu: number, nid = -1, comm?: string): number {
    const pa = this.state;
    // One test on the hot path; the messages are built in a cold function (STYLE C8: the hot
    // function stays small enough for V8 to inline it into the fault path).
    if (!(Number.isInteger(cpu) && cpu >= 0 && cpu < pa.nrCpus && Number.isInteger(order) && order >= 0 && (nid === -1 || (Number.isInteger(nid) && nid >= 0 && nid < pa.pgdat.length)))) {
      badAllocPagesArgument(pa, order, cpu, nid);
    }
    const page = allocPages(pa, gfp >>> 0, order, cpu, nid, comm);
    return page < 0 ? NIL_PFN : pa.mem.pageToPfn(page);
  }

  /**
   * Frees 2^order pages at `pfn`. Kernel: `__free_pages()`.
   * @returns 0, or -EINVAL when the page was not allocated (logged as "Bad page state")
   * @throws ArgumentError for a PFN without a struct page, a misaligned PFN or a bad order/CPU
   */
  freePages(pfn: number, order: number, cpu: number): number {
    const pa = this.state;
    const mem = pa.mem;
    // One test on the hot path (an integer PFN in RAM, 2^order-aligned, its block in RAM), the messages in a cold function.
    if (!(Number.isInteger(order) && order >= 0 && order <= MAX_PAGE_ORDER && Number.isInteger(pfn) && pfn >= mem.basePfn && pfn + (1 << order) <= mem.endPfn
      && (pfn & ((1 << order) - 1)) === 0 && Number.isInteger(cpu) && cpu >= 0 && cpu < pa.nrCpus)) {
      badFreePagesArgument(pa, pfn, order, cpu);
    }
    return freePages(pa, mem.pfnToPage(pfn), order, cpu);
  }

  /**
   * Adds `delta` pages to a node counter of the node holding `pfn`, through the VmStat service
   * (NR_SLAB_*_B in pages, as PageAllocator documents). Kernel: `mod_node_page_state(page_pgdat(page), item, nr)`.
   */
  modNodePageState(pfn: number, item: number, delta: number): void {
    const pa = this.state;
    const nid = pa.pageZone(pa.mem.pfnToPage(pfn)).nid;
    // The node's counters are a view of the service's (pgdat->vm_stat): one write; a bad item goes through the service, which names it.
    if (item >= 0 && item < NR_VM_NODE_STAT_ITEMS && Number.isInteger(item)) pa.pgdat[nid]!.vmStat[item]! += delta;
    else pa.vmstat.nodePageStateAdd(delta, nid, item);
  }

  validate(sink: ValidationSink): void {
    validateBuddy(this.state, sink);
  }
}

/** Throws the ArgumentError for allocPages()'s first bad argument (cpu, order, nid, in that order). */
function badAllocPagesArgument(pa: PageAllocState, order: number, cpu: number, nid: number): never {
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= pa.nrCpus) throw new ArgumentError("buddy.allocPages", "cpu", "0.." + (pa.nrCpus - 1), describeValue(cpu));
  if (!Number.isInteger(order) || order < 0) throw new ArgumentError("buddy.allocPages", "order", "an integer ≥ 0", describeValue(order));
  throw new ArgumentError("buddy.allocPages", "nid", "-1 or 0.." + (pa.pgdat.length - 1), describeValue(nid));
}

/** Throws the ArgumentError for freePages()'s first bad argument (order, pfn, alignment, cpu, in that order). */
function badFreePagesArgument(pa: PageAllocState, pfn: number, order: number, cpu: number): never {
  if (!Number.isInteger(order) || order < 0 || order > MAX_PAGE_ORDER) throw new ArgumentError("buddy.freePages", "order", "0.." + MAX_PAGE_ORDER, describeValue(order));
  if (!Number.isInteger(pfn) || !pa.mem.pfnValid(pfn) || !pa.mem.pfnValid(pfn + (1 << order) - 1)) {
    throw new ArgumentError("buddy.freePages", "pfn", "a PFN of this machine's RAM (0x" + pa.mem.basePfn.toString(16) + "..0x" + (pa.mem.endPfn - 1).toString(16) + ")", describeValue(pfn));
  }
  if (pfn % (1 << order) !== 0) throw new ArgumentError("buddy.freePages", "pfn", "a multiple of 2^" + order, "0x" + pfn.toString(16));
  throw new ArgumentError("buddy.freePages", "cpu", "0.." + (pa.nrCpus - 1), describeValue(cpu));
}

/** What `createBuddyAllocator` needs: the config, plus optional services. */
export interface CreateBuddyOptions extends PageAllocConfig {
  /** Physical byte ranges to keep reserved (kernel image, …). */
  readonly reserved?: readonly (readonly [start: number, end: number])[];
  readonly clock?: SimClock;
  readonly cost?: CostModel;
  readonly trace?: TraceBus;
  readonly log?: KernelLog;
  readonly hooks?: PageAllocHooks;
  /** The vmstat service to count into (default: a new one for `nodes`). */
  readonly vmstat?: VmStat;
  /** Extra MemMap list heads for the caller's own lists. */
  readonly extraListHeads?: number;
}

/**
 * Builds a booted buddy allocator without DI (for library users, tests, benchmarks): sizes MemMap
 * from the node ranges, makes a memblock with those ranges and reservations, and runs every boot
 * step of bootFromMemblock().
 */
export function createBuddyAllocator(opts: CreateBuddyOptions): BuddyAllocator {
  let lo = Number.MAX_SAFE_INTEGER;
  let hi = 0;
  for (const n of opts.nodes) for (const [s, e] of n.ranges) {
    lo = Math.min(lo, s);
    hi = Math.max(hi, e);
  }
  if (hi <= lo) throw new ArgumentError("buddy.createBuddyAllocator", "nodes", "at least one non-empty PFN range", JSON.stringify(opts.nodes));
  const mem = new MemMap({ basePfn: lo, nrPages: hi - lo, nrListHeads: PageAllocState.listHeadsNeeded(opts.nodes.length, opts.nrCpus) + (opts.extraListHeads ?? 0) });
  const clock = opts.clock ?? new SimClockClass();
  const log = opts.log ?? new KernelLogClass(clock);
  const hooks = opts.hooks ?? noOpHooks();
  const b = new BuddyAllocator(
    mem, opts, clock, opts.cost ?? new CostModelClass(), opts.trace ?? new TraceBus(clock), log,
    hooks.kswapd, hooks.compactor, hooks.reclaimer, hooks.oom, opts.vmstat ?? new VmStat(opts.nodes.length),
  );
  const memblock = new Memblock(log);
  for (const n of opts.nodes) for (const [s, e] of n.ranges) memblock.memblockAddNode(pfnPhys(s), pfnPhys(e - s), n.nid, MEMBLOCK_NONE);
  for (const [s, e] of opts.reserved ?? []) memblock.memblockReserve(s, e - s);
  b.bootFromMemblock(memblock);
  return b;
}

