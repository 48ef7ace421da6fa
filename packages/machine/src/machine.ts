// Kernel: init/main.c (v6.1) start_kernel → kernel_init — the composition root: one simulated machine, its boot and its workload
/*
 * A Machine is one tsyringe child container holding one simulated kernel: clock, cost model,
 * log, tracepoints, RNG, memblock, the mem_map and the page allocator. Nothing is shared between
 * two machines (a test builds two in one process and checks it). This file is the only place
 * that calls createChildContainer() and resolve() (STYLE C5).
 *
 * Boot, in 6.1's order (each step names the kernel function it stands for):
 *   setup_arch: setup_machine_fdt, arm64_memblock_init, paging_init, bootmem_init (NUMA,
 *     NODE_DATA, sparse_init, zone_sizes_init → free_area_init, dma_contiguous_reserve)
 *   setup_per_cpu_areas, build_all_zonelists, "Kernel command line", vfs_caches_init_early
 *   mm_init → mem_init → swiotlb_init (RAM beyond the DMA limit), memblock_free_all,
 *     mem_init_print_info ("Memory: …")
 *   setup_per_cpu_pageset
 *   kernel_init_freeable → page_alloc_init_late (deferred struct pages)
 *   initcalls: cma_init_reserved_areas (core), init_per_zone_wmark_min (postcore),
 *     hugepage_init → set_recommended_min_free_kbytes, request_standard_resources +
 *     reserve_memblock_reserved_regions (/proc/iomem), free_initrd_mem
 *   free_initmem ("Freeing unused kernel memory")
 *   then the scenario's sysctls, as an init script would write them.
 * The simulated clock counts every cost from power-on, but printk prints 0.000000 until the
 * point 6.1 starts sched_clock (time_init, after mem_init), as the reference's dmesg does.
 */
import {
  ArgumentError, COST_MODEL, CostModel, EINVAL, KERNEL_LOG, NR_FREE_PAGES, KernelLog, KmemCacheAllocator, MEM_MAP, MemMap, NIL_PFN,
  PAGE_SIZE, Prandom, RNG, SIM_CLOCK, ScenarioError, SimClock, SlabCommon, TOPOLOGY, TRACE_BUS, TraceBus,
  type ValidationSink, ZONES_SHIFT, describeValue, pageBuddy, pfnDown, pfnUp, resolveToken,
} from "@mmsim/core";
import {
  BuddyAllocator, PAGE_ALLOC_CONFIG, PageAllocState, type NodeMemory, setLowmemReserveRatio, setMinFreeKbytes,
  setPercpuPagelistHighFraction, setWatermarkBoostFactor, setWatermarkScaleFactor, zoneSizesInit,
} from "@mmsim/buddy";
import {
  ACCESS_READ, ACCESS_WRITE, ARM64_LAYOUT, INIT_MM, TLBI_NAMES, KERNEL_PAGE_TABLES, Mmu, PgtableAllocator, type PgtableStore, WalkOut, __va, formatVa0x, layoutRegion,
  type PgtableRoot, faultNames, leafSizeNames, ptdumpKernel, validatePgtables, walk,
} from "@mmsim/hw-arm64";
import { MEMBLOCK, type Memblock } from "@mmsim/memblock";
import { REAPTIMEOUT_AC_NS } from "@mmsim/slab";
import { ProcFs, type Resource, arm64StandardResources } from "@mmsim/procfs";
import {
  Arm64VmapPageTables, VMALLOC, VMALLOC_CONFIG, VM_MAP, VM_NO_GUARD, type Vmalloc, VmapPageTables, arm64VmallocLayout, vmallocModule,
} from "@mmsim/vmalloc";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { BANNER, INITRD, KERNEL_IMAGE, PCPU_FIRST_CHUNK, QEMU_VIRT_ARM64, virtDevices } from "./board-qemu-virt-arm64.ts";
import { ModuleCatalog } from "./catalog.ts";
import { PopulatedAnonMm, WORKLOAD_MM } from "./user-mm.ts";

/**
 * The callers /proc/vmallocinfo names for paging_init's five vm areas, as the reference build
 * prints them (the fixture's `paging_init+0x130/0x610 … vmap` lines; offsets are that binary's).
 */
/** mmsim's own debug files: where a workload buffer lives (`where/<as>`). */
export const WHERE_DIR = "/sys/kernel/debug/mmsim/where/";
/** mmsim's own debug file: the MMU's TLB, walk and TLBI counters. */
export const TLB_FILE = "/sys/kernel/debug/mmsim/tlb";

const PAGING_INIT_CALLERS = {
  text: "paging_init+0x130/0x610",
  rodata: "paging_init+0x170/0x610",
  inittext: "paging_init+0x19c/0x610",
  initdata: "paging_init+0x1cc/0x610",
  data: "paging_init+0x1f8/0x610",
} as const;
import type { ResolvedScenario, WorkloadStep } from "./scenario-types.ts";
import {
  type Arm64PagingInit, allocLargeSystemHash, arm64MemblockInit, arm64PagingInit, bootmemInitEarly, dmaContiguousReserve,
  setupPerCpuAreas, swiotlbInit,
} from "./setup-arm64.ts";

/** The `vm.*` sysctls a scenario may set, with the kernel handler each one runs. */
const SYSCTLS = {
  min_free_kbytes: (pa: PageAllocState, v: number | readonly number[]) => (typeof v === "number" ? setMinFreeKbytes(pa, v) : -EINVAL),
  watermark_scale_factor: (pa: PageAllocState, v: number | readonly number[]) => (typeof v === "number" ? setWatermarkScaleFactor(pa, v) : -EINVAL),
  watermark_boost_factor: (pa: PageAllocState, v: number | readonly number[]) => (typeof v === "number" ? setWatermarkBoostFactor(pa, v) : -EINVAL),
  lowmem_reserve_ratio: (pa: PageAllocState, v: number | readonly number[]) => (typeof v === "number" ? -EINVAL : setLowmemReserveRatio(pa, v)),
  percpu_pagelist_high_fraction: (pa: PageAllocState, v: number | readonly number[]) => (typeof v === "number" ? setPercpuPagelistHighFraction(pa, v) : -EINVAL),
} as const;

/** Names of the sysctls machines accept (`/proc/sys/vm/<name>`). */
export const SUPPORTED_SYSCTLS = Object.keys(SYSCTLS) as (keyof typeof SYSCTLS)[];

/** What a workload run observes and where it may stop. */
export interface WorkloadObserver {
  /** After each executed step (repeats expanded): steps done so far, and the total. */
  onStep?(done: number, total: number): void;
  /** A `show` step's file text; `step` is the 1-based index of the executed step. */
  onShow?(path: string, text: string, step: number): void;
  /** Stop after the step with this label, or after this many executed steps. */
  stopAfter?: string | number;
}

/** The outcome of a workload run. */
export interface WorkloadResult {
  /** Steps executed, repeats expanded. */
  readonly steps: number;
  readonly failedExpects: readonly { step: number; line?: number; message: string }[];
  /** Set when the run stopped at `stopAfter`. */
  readonly stoppedAt?: string | number;
  /** Allocations that returned NIL_PFN (the kernel's failure, not an error), per alloc step name. */
  readonly failedAllocs: Readonly<Record<string, number>>;
}

/** Pages an `alloc` step holds: PFNs of blocks of one order. */
interface Held {
  readonly order: number;
  readonly pfns: number[];
  readonly line?: number;
}

/** Experiments run inside boot(), between two of its steps. */
export interface BootHooks {
  /** After the CMA area is activated, before the watermarks are first computed. */
  readonly beforeWatermarks?: (state: PageAllocState) => void;
}

/** One simulated machine. */
export class Machine {
  readonly container: DependencyContainer;
  readonly log: KernelLog;
  readonly clock: SimClock;
  readonly trace: TraceBus;
  /** The simulated kernel's random source (RNG token): freelist randomisation and the like. */
  readonly rng: Prandom;
  /**
   * The workload's own stream (kmalloc size draws, random free order), forked from the seed
   * apart from the kernel's, so every policy in a comparison sees the same workload.
   */
  readonly workloadRng: Prandom;
  readonly cost: CostModel;
  readonly memblock: Memblock;
  private buddyAllocator: BuddyAllocator | undefined;
  /** What paging_init built (layout, tables, swapper_pg_dir). */
  private arm64: Arm64PagingInit | undefined;
  /** The MMU: per-CPU TLBs, ASIDs, translate. */
  private hw: Mmu<PgtableStore> | undefined;
  private vmallocService: Vmalloc | undefined;
  private procfs: ProcFs | undefined;
  private iomem: Resource | undefined;
  private totalcmaPages = 0;
  /** Simulated time of the next periodic reap (REAPTIMEOUT_AC: every 2 s per CPU in SLAB). */
  private nextReapNs = 0;
  private slabCommon: SlabCommon | undefined;
  private booted = false;
  private readonly held = new Map<string, Held>();
  /** Slab operations the workload performed (kmem_cache_alloc/kmalloc and their frees), for reports. */
  readonly slabOps = { allocs: 0, frees: 0 };
  /** Slab objects a workload holds, by the step's `as` name: each with its cache id (-1 = kmalloc). */
  /** Faults met by the workload's `access` steps (the step's index, the address, the level and kind). */
  private readonly accessFaults: { step: number; va: number; level: number; fault: number }[] = [];
  private readonly accessOut = new WalkOut();
  /** The workload's mmaps by name: start addresses. */
  private readonly mmaps = new Map<string, number>();
  private userProcess: PopulatedAnonMm | undefined;
  /** vmalloc/kvmalloc buffers a workload holds, by the step's `as` name (a Va, or a kmalloc address for kvmalloc). */
  private readonly heldVm = new Map<string, number[]>();
  private readonly heldObjs = new Map<string, { objs: number[]; sizes: number[]; cache: number; line?: number }>();

  private constructor(
    readonly scenario: ResolvedScenario,
    readonly catalog: ModuleCatalog,
  ) {
    if (scenario.machine.board !== QEMU_VIRT_ARM64) {
      throw new ScenarioError("machine.Machine", scenario.file, "machine.board", `unknown board "${scenario.machine.board}"; the only board is ${QEMU_VIRT_ARM64}`);
    }
    this.container = rootContainer.createChildContainer();
    const c = this.container;
    this.clock = new SimClock();
    this.cost = new CostModel(scenario.kernel.costs, scenario.file);
    this.log = new KernelLog(this.clock, false);
    this.trace = new TraceBus(this.clock);
    this.rng = new Prandom(scenario.seed);
    this.workloadRng = new Prandom(scenario.seed).fork();
    c.register(SIM_CLOCK, { useValue: this.clock });
    c.register(COST_MODEL, { useValue: this.cost });
    c.register(KERNEL_LOG, { useValue: this.log });
    c.register(TRACE_BUS, { useValue: this.trace });
    c.register(RNG, { useValue: this.rng });
    const { cpus, nodes } = scenario.machine;
    c.register(TOPOLOGY, { useValue: { nrCpus: cpus, nrNodes: nodes, cpuToNode: Array.from({ length: cpus }, (_, i) => i % nodes) } });
    catalog.get("memblock", "memblock").register(c);
    catalog.get("buddy", "buddy").register(c);
    for (const [slot, name] of Object.entries(policiesWithDefaults(scenario.kernel.policies, catalog))) catalog.get(slot, name).register(c);
    this.memblock = c.resolve<Memblock>(MEMBLOCK);
  }

  /**
   * Like create(), after loading every policy given as a module path (`./my-slab.mjs`) into the
   * catalog. Kernel: none — the scenario's way of building a kernel with a user's policy.
   */
  static async createAsync(scenario: ResolvedScenario, catalog: ModuleCatalog = ModuleCatalog.default()): Promise<Machine> {
    const policies: Record<string, string> = { ...scenario.kernel.policies };
    for (const [slot, value] of Object.entries(policies)) {
      if (!isModulePath(value)) continue;
      const { pathToFileURL } = await import("node:url");
      const { resolve } = await import("node:path");
      const mod = await catalog.loadModule(pathToFileURL(resolve(value)).href, scenario.file);
      if (mod.slot !== slot) throw new ScenarioError("machine.Machine.createAsync", scenario.file, `kernel.policies.${slot}`, `${value} registers slot "${mod.slot}", not "${slot}"`);
      policies[slot] = mod.name;
    }
    return new Machine({ ...scenario, kernel: { ...scenario.kernel, policies } }, catalog);
  }

  /**
   * Builds a machine from a resolved scenario (not booted yet).
   * @throws UnknownPolicyError for a policy no module provides; ConfigError for a bad cost name
   */
  static create(scenario: ResolvedScenario, catalog: ModuleCatalog = ModuleCatalog.default()): Machine {
    return new Machine(scenario, catalog);
  }

  /** The page allocator (after boot). */
  get buddy(): BuddyAllocator {
    if (!this.buddyAllocator) throw new ArgumentError("machine.Machine.buddy", "machine", "a booted machine (call boot() first)", "not booted");
    return this.buddyAllocator;
  }

  /** What paging_init built: the VA layout, the table store with swapper_pg_dir, the early vm areas. */
  get pgtables(): Arm64PagingInit {
    if (!this.arm64) throw new ArgumentError("machine.Machine.pgtables", "machine", "a booted machine (call boot() first)", "not booted");
    return this.arm64;
  }

  /** The MMU: per-CPU TLBs, the ASID allocator, translate(). */
  get mmu(): Mmu<PgtableStore> {
    if (!this.hw) throw new ArgumentError("machine.Machine.mmu", "machine", "a booted machine (call boot() first)", "not booted");
    return this.hw;
  }

  /** The workload's process (its populated anonymous mappings and page tables), after boot. */
  get userMm(): PopulatedAnonMm {
    if (!this.userProcess) throw new ArgumentError("machine.Machine.userMm", "machine", "a booted machine (call boot() first)", "not booted");
    return this.userProcess;
  }

  /** vmalloc (mm/vmalloc.c) after boot. */
  get vmalloc(): Vmalloc {
    if (!this.vmallocService) throw new ArgumentError("machine.Machine.vmalloc", "machine", "a booted machine (call boot() first)", "not booted");
    return this.vmallocService;
  }

  /** The slab layer (kmalloc, kmem_cache_create, slabinfo) after boot, when a slab allocator is configured. */
  get slab(): SlabCommon | undefined {
    return this.slabCommon;
  }

  /**
   * Boots the machine: 6.1's memory bring-up, logging what 6.1 logs. Kernel: `start_kernel()`.
   * @param hooks what-if experiments: `beforeWatermarks` runs after CMA activation, right before
   *   init_per_zone_wmark_min (e.g. the conformance report sets managed pages to a real kernel's)
   */
  boot(hooks: BootHooks = {}): void {
    if (this.booted) return;
    const s = this.scenario;
    const log = this.log;
    const mb = this.memblock;
    const { cpus, nodes, memory, cmdline } = s.machine;
    log.prInfo(BANNER[0]);
    log.prInfo(BANNER[1]);

    // setup_arch
    const nodeRam = arm64MemblockInit(mb, log, memory, nodes, cmdline);
    log.prInfo(BANNER[2]);
    for (const r of s.machine.reserved) mb.memblockReserve(r.start, r.size, r.name);
    const mmu = arm64PagingInit(mb, { vaBits: s.kernel.config.vaBits, cmdline, kfence: s.kernel.config.kfence });
    this.arm64 = mmu;
    this.container.register(ARM64_LAYOUT, { useValue: mmu.layout });
    this.container.register(KERNEL_PAGE_TABLES, { useValue: mmu.kernel });
    bootmemInitEarly(mb, log, nodeRam, mmu);
    const dramStart = mb.memblockStartOfDRAM();
    const dramEnd = mb.memblockEndOfDRAM();
    const zs = zoneSizesInit({ dramStart, dramEnd });
    const basePfn = pfnDown(dramStart);
    const mem = new MemMap({ basePfn, nrPages: pfnDown(dramEnd) - basePfn, nrListHeads: PageAllocState.listHeadsNeeded(nodes, cpus) });
    this.container.register(MEM_MAP, { useValue: mem });
    const nodeMemory: NodeMemory[] = [];
    for (let nid = 0; nid < nodes; nid++) {
      const ranges: [number, number][] = [];
      for (let i = 0; i < mb.memory.cnt; i++) {
        const r = mb.region(mb.memory, i);
        if (r.size > 0 && (nodes === 1 || r.nid === nid)) ranges.push([pfnUp(r.base), pfnDown(r.base + r.size)]);
      }
      nodeMemory.push({ nid, ranges });
    }
    this.container.register(PAGE_ALLOC_CONFIG, {
      useValue: {
        nrCpus: cpus,
        cpuToNode: Array.from({ length: cpus }, (_, c) => c % nodes),
        nodes: nodeMemory,
        maxZonePfn: zs.maxZonePfn,
        transparentHugepage: s.kernel.config.transparentHugepage,
        deferredStructPageInit: s.kernel.config.deferredStructPageInit,
        initOnAlloc: s.kernel.config.initOnAlloc,
      },
    });
    const buddy = this.container.resolve(BuddyAllocator);
    this.buddyAllocator = buddy;
    const layout = buddy.freeAreaInit();
    const cma = dmaContiguousReserve(mb, log, s.kernel.config.cmaMbytes, zs.arm64DmaPhysLimit);
    this.totalcmaPages = cma ? cma.size / PAGE_SIZE : 0;

    // start_kernel
    setupPerCpuAreas(mb, log, cpus);
    buddy.buildAllZonelists();
    log.prInfo(`Kernel command line: ${cmdline}`);
    // vfs_caches_init_early: only when the hash tables are not spread over nodes (hashdist 0).
    if (nodes === 1) {
      allocLargeSystemHash(mb, log, "Dentry cache", 8, 13, layout.nrKernelPages, layout.nrAllPages);
      allocLargeSystemHash(mb, log, "Inode-cache", 8, 14, layout.nrKernelPages, layout.nrAllPages);
    }
    log.prInfo(`mem auto-init: stack:all(zero), heap alloc:${s.kernel.config.initOnAlloc ? "on" : "off"}, heap free:off`);
    // mem_init: the swiotlb bounce buffer when RAM is beyond the DMA limit, then the hand-over.
    swiotlbInit(mb, log, zs.arm64DmaPhysLimit);
    mb.memblockFreeAll(buddy);
    this.memInitPrintInfo(buddy);
    // kmem_cache_init: the chosen slab allocator and the kmalloc caches (create_kmalloc_caches)
    if (this.container.isRegistered(KmemCacheAllocator)) {
      this.slabCommon = new SlabCommon(resolveToken(this.container, KmemCacheAllocator), buddy, log);
      this.slabCommon.createKmallocCaches();
      this.slabCommon.allocator.kmemCacheInit?.();
    }
    // vmalloc_init: the areas paging_init registered (vm_area_add_early), then the kva allocator;
    // kernel tables it maps come from the page allocator (pte_alloc_kernel, pmd_alloc).
    const pgtAlloc = new PgtableAllocator(mmu.store, buddy, mem);
    this.hw = new Mmu(walk, mmu.store, this.clock, this.cost, { nrCpus: cpus, vaBits: mmu.store.vaBits });
    this.hw.setSwapperPgDir(mmu.kernel.swapperPgDir);
    const hw = this.hw;
    const vmapTables = new Arm64VmapPageTables(mmu.store, pgtAlloc, (start: number, end: number) => hw.flushTlbKernelRange(start, end));
    vmapTables.kernelPgtableFlusher = hw.tlbi; // __flush_tlb_kernel_pgtable when a block replaces a table
    this.container.register(VmapPageTables, { useValue: vmapTables });
    this.container.register(VMALLOC_CONFIG, {
      useValue: {
        ...arm64VmallocLayout(mmu.store.vaBits),
        nrCpus: cpus,
        nrNodes: nodes,
        totalramPages: () => buddy.state.totalramPages,
        pfnToNid: (pfn: number) => mem.nodeZone[pfn - mem.basePfn]! >> ZONES_SHIFT, // page_to_nid
        pfnIsMapMemory: (pfn: number) => mb.memblockIsMapMemory(pfn * PAGE_SIZE),
        pageAddress: (pfn: number) => __va(mmu.layout, pfn * PAGE_SIZE),
      },
    });
    vmallocModule.register(this.container);
    const vm = resolveToken(this.container, VMALLOC);
    this.vmallocService = vm;
    for (const a of mmu.vmAreas) vm.vmAreaAddEarly(a.addr, a.size, VM_MAP | (a.noGuard ? VM_NO_GUARD : 0), a.physAddr, PAGING_INIT_CALLERS[a.name]);
    vm.vmallocInit(this.slabCommon);
    // The workload's process: its mm gets an ASID like any other (init_new_context).
    hw.contexts.initNewContext(WORKLOAD_MM);
    this.userProcess = new PopulatedAnonMm(pgtAlloc, buddy, mmu.layout, (start, end) => hw.flushTlbRange(WORKLOAD_MM, start, end));
    buddy.setupPerCpuPageset();
    this.log.startClock(); // time_init → sched_clock: printk timestamps start here

    // kernel_init_freeable: smp_init → smp_cpus_done → mark_linear_text_alias_ro, then the initcalls
    mmu.kernel.markLinearTextAliasRo((start, end) => hw.flushTlbKernelRange(start, end));
    buddy.pageAllocInitLate();
    if (cma) buddy.cmaActivateArea(pfnDown(cma.base), cma.size / PAGE_SIZE);
    hooks.beforeWatermarks?.(buddy.state);
    buddy.initPerZoneWmarkMin();
    if (buddy.state.transparentHugepage) buddy.setRecommendedMinFreeKbytes();
    log.prInfo(hw.contexts.initMessage); // early_initcall asids_init
    this.iomem = arm64StandardResources(
      mb,
      { start: KERNEL_IMAGE._stext, end: KERNEL_IMAGE.__init_begin - 1 },
      { start: KERNEL_IMAGE._sdata, end: KERNEL_IMAGE._end - 1 },
      { devices: virtDevices(dramEnd) },
    );
    // free_initrd_mem (ARCH_KEEP_MEMBLOCK: memblock forgets it too), then free_initmem.
    mb.memblockPhysFree(INITRD.start, INITRD.size);
    buddy.freeReservedArea(INITRD.start, INITRD.start + INITRD.size, "initrd");
    buddy.freeReservedArea(KERNEL_IMAGE.__init_begin, KERNEL_IMAGE.__init_end, "unused kernel");
    // free_initmem unmaps the init sections but keeps their vm_structs; then mark_rodata_ro.
    vm.vunmapRange(mmu.kernel.kimg(KERNEL_IMAGE.__init_begin), mmu.kernel.kimg(KERNEL_IMAGE.__init_end));
    mmu.kernel.markRodataRo((start, end) => hw.flushTlbKernelRange(start, end));

    for (const [name, value] of Object.entries(s.kernel.sysctl)) this.writeSysctl(name, value);
    this.procfs = new ProcFs({
      pageAlloc: buddy.state,
      memblock: mb,
      iomem: this.iomem,
      meminfo: {
        totalcmaPages: this.totalcmaPages,
        pcpuNrPages: (PCPU_FIRST_CHUNK.unit / PAGE_SIZE) * cpus,
        vaBits: mmu.store.vaBits,
        get vmallocNrPages() {
          return vm.vmallocNrPages();
        },
      },
      vmallocinfo: () => vm.vmallocinfo(),
      kernelPageTables: () => ptdumpKernel(mmu.store, mmu.layout),
    });
    this.booted = true;
  }

  /**
   * The `Memory: …K/…K available (…)` line. Kernel: `mem_init_print_info()`.
   */
  private memInitPrintInfo(buddy: BuddyAllocator): void {
    const pa = buddy.state;
    const K = (pages: number): number => pages * (PAGE_SIZE / 1024);
    let physpages = 0;
    for (const p of pa.pgdat) physpages += p.nodePresentPages;
    let nrFree = 0;
    for (const z of pa.zones) nrFree += z.vmStat[NR_FREE_PAGES]!;
    const img = KERNEL_IMAGE;
    const codesize = img._etext - img._stext;
    const datasize = img._edata - img._sdata;
    const rosize = img.__end_rodata - img.__start_rodata;
    const bssSize = img.__bss_stop - img.__bss_start;
    const initSize = img.__init_end - img.__init_begin;
    this.log.prInfo(
      `Memory: ${K(nrFree)}K/${K(physpages)}K available (${codesize >> 10}K kernel code, ${datasize >> 10}K rwdata, ` +
        `${rosize >> 10}K rodata, ${initSize >> 10}K init, ${bssSize >> 10}K bss, ` +
        `${K(physpages - pa.totalramPages - this.totalcmaPages)}K reserved, ${K(this.totalcmaPages)}K cma-reserved)`,
    );
  }

  /**
   * Writes a `vm.*` sysctl as `echo value > /proc/sys/vm/name` would.
   * @throws ScenarioError naming the sysctl when the kernel's handler refuses the value (-EINVAL)
   */
  writeSysctl(name: string, value: number | readonly number[], line?: number): void {
    const handler = (SYSCTLS as Record<string, (pa: PageAllocState, v: number | readonly number[]) => number>)[name];
    if (!handler) throw new ScenarioError("machine.writeSysctl", this.scenario.file, `sysctl.${name}`, `no such sysctl; supported: ${SUPPORTED_SYSCTLS.join(", ")}`, line);
    const err = handler(this.buddy.state, value);
    if (err < 0) {
      throw new ScenarioError("machine.writeSysctl", this.scenario.file, `sysctl.${name}`, `the kernel refused ${describeValue(value)} (write: Invalid argument, ${err}); see its range in the kernel's sysctl documentation`, line);
    }
  }

  /** Reads a simulated file: procfs, /proc/cmdline, /proc/sys/vm/*. @returns undefined for an unknown path */
  readFile(path: string): string | undefined {
    if (!this.booted) this.boot();
    if (path === "/proc/cmdline") return `${this.scenario.machine.cmdline}\n`;
    if (path === "/proc/slabinfo") return this.slabCommon?.slabinfo();
    if (path.startsWith("/sys/kernel/slab/")) return this.readSlabSysfs(path);
    if (path.startsWith("/proc/sys/vm/")) return this.readSysctl(path.slice("/proc/sys/vm/".length));
    if (path.startsWith(WHERE_DIR)) return this.whereText(path.slice(WHERE_DIR.length));
    if (path === TLB_FILE) return this.tlbText();
    return this.procfs!.read(path);
  }

  /**
   * Checks every mechanism's invariants: the buddy allocator's lists and counters, the page
   * tables (no table frame free in the buddy allocator, every linear-map address → __pa(), every
   * other leaf on a live frame), vmalloc's trees and counters, the TLBs and ASIDs.
   */
  validate(sink: ValidationSink): void {
    if (!this.booted) this.boot();
    this.buddy.validate(sink);
    const { store, layout, kernel } = this.pgtables;
    const roots: PgtableRoot[] = [
      { pgd: kernel.swapperPgDir, kernel: true, name: "swapper_pg_dir" },
      { pgd: kernel.idmapPgDir, kernel: false, name: "idmap_pg_dir" },
    ];
    if (this.userMm.pgd !== undefined) roots.push({ pgd: this.userMm.pgd, kernel: false, name: "the workload's process" });
    const memory = kernel.memory; // memblock.memory as paging_init mapped it (fixed after boot)
    const mem = resolveToken(this.container, MEM_MAP);
    const imageVa = kernel.kimg(KERNEL_IMAGE._text);
    const imageEnd = kernel.kimg(KERNEL_IMAGE._end);
    validatePgtables(store, {
      roots, mem, memory, layout,
      // W+X is the kernel's debug_checkwx, which runs only with rodata on: rodata=off maps text RWX.
      checkWx: kernel.rodataEnabled,
      // The kernel keeps two aliases of frames it gave back, as 6.1 does: the image mapping of
      // [_data, _end) still covers init_pg_dir (freed by paging_init), and the FDT's fixmap
      // block covers the free pages after the DTB. Every other leaf must map a frame in use.
      isLiveFrame: (pfn, va) => {
        if (va >= imageVa && va < imageEnd) return true;
        if (va >= layout.FIXADDR_START && va < layout.FIXADDR_TOP) return true;
        // In use: not PageBuddy. (Not a refcount test: the tail pages of a huge vmalloc's order-9
        // block have none. A page parked on a per-CPU free list is not caught.)
        return mem.pfnValid(pfn) && !pageBuddy(mem, mem.pfnToPage(pfn));
      },
    }, sink);
    this.vmalloc.validate(sink);
    this.mmu.validate(sink);
  }

  /**
   * mmsim's own debug file (no kernel counterpart): the MMU's counters — per CPU and TLB
   * structure the lookups that hit and missed, fills, evictions and entries removed by TLBIs; the
   * translations, table walks and faults; the TLBI instructions issued by kind; the ASID
   * allocator's generation rollovers; and the faults the workload's `access` steps met.
   */
  private tlbText(): string {
    const hw = this.mmu;
    const lines = [`translations ${hw.translations} walks ${hw.walks} faults ${hw.faults} (on a TLB hit: ${hw.hitFaults})`];
    for (let cpu = 0; cpu < hw.nrCpus; cpu++) {
      const t = hw.tlbs[cpu]!;
      for (const [what, x] of [["itlb", t.itlb], ["dtlb", t.dtlb], ["main", t.main]] as const) {
        if (!x) continue;
        lines.push(`cpu${cpu} ${what.padEnd(4)} ${x.sets}x${x.ways}: hits ${x.hits} misses ${x.misses} fills ${x.inserts} evictions ${x.evictions} invalidated ${x.invalidated}`);
      }
      lines.push(`cpu${cpu} asid ${hw.asid[cpu]} mm ${hw.currentMm[cpu] === INIT_MM ? "init_mm" : hw.currentMm[cpu]}`);
    }
    lines.push(`tlbi ${TLBI_NAMES.map((n, k) => `${n} ${hw.tlbi.issued[k]}`).join(" ")}`);
    lines.push(`asid rollovers ${hw.contexts.rollovers} new contexts ${hw.contexts.newContexts}`);
    for (const f of this.accessFaults) lines.push(`access fault: step ${f.step} va ${formatVa0x(f.va)} level ${f.level} ${faultNames[f.fault]}`);
    return `${lines.join("\n")}\n`;
  }

  /** The names `where` files exist for: the workload's kmalloc, kvmalloc, vmalloc and mmap buffers it still holds. */
  private whereNames(): string[] {
    const names = new Set<string>();
    for (const [n, h] of this.heldObjs) if (h.cache < 0 && h.objs.length > 0) names.add(n);
    for (const [n, h] of this.heldVm) if (h.length > 0) names.add(n);
    for (const n of this.mmaps.keys()) names.add(n);
    return [...names].sort();
  }

  /**
   * mmsim's own debug file (no kernel counterpart): where the workload's buffers `name` live —
   * each buffer's virtual range and region, and every page of it translated by a walk of the
   * real page tables (swapper_pg_dir, or the process's for an mmap), with whether the frames are
   * physically contiguous. kmalloc addresses are linear-map addresses (`__va` of the object).
   */
  /** The workload buffers named `name` (kmalloc objects, vmalloc/kvmalloc buffers, an mmap): kind, address, size, and the table root that maps them. */
  private buffersOf(name: string): { kind: string; va: number; size: number; pgd: number }[] {
    const { store, layout } = this.pgtables;
    const bufs: { kind: string; va: number; size: number; pgd: number }[] = [];
    const held = this.heldObjs.get(name);
    if (held && held.cache < 0) for (let i = 0; i < held.objs.length; i++) bufs.push({ kind: "kmalloc", va: __va(layout, held.objs[i]!), size: held.sizes[i]!, pgd: store.swapperPgDir });
    for (const a of this.heldVm.get(name) ?? []) {
      const vm = this.vmalloc;
      if (vm.isVmallocAddr(a)) {
        const area = vm.findVmArea(a);
        bufs.push({ kind: "vmalloc", va: a, size: area >= 0 ? vm.state.vms.areaSize(area) : PAGE_SIZE, pgd: store.swapperPgDir });
      } else {
        bufs.push({ kind: "kmalloc (kvmalloc)", va: __va(layout, a), size: this.slabCommon?.ksize(a) ?? 0, pgd: store.swapperPgDir });
      }
    }
    const start = this.mmaps.get(name);
    if (start !== undefined) bufs.push({ kind: "mmap (user malloc)", va: start, size: this.userMm.sizeOf(start), pgd: this.userMm.pgd! });
    return bufs;
  }

  private whereText(name: string): string | undefined {
    const { store, layout } = this.pgtables;
    const bufs = this.buffersOf(name);
    if (bufs.length === 0) return undefined;
    const out = new WalkOut();
    const lines: string[] = [];
    for (const b of bufs) {
      lines.push(`${name}: ${b.kind}, ${b.size} bytes at ${formatVa0x(b.va)}-${formatVa0x(b.va + b.size - 1)} (${layoutRegion(layout, b.va)}; TTBR${b.va < 0 ? 1 : 0})`);
      let runs = 0;
      let prevPa = -1;
      const first = Math.floor(b.va / PAGE_SIZE) * PAGE_SIZE;
      for (let va = first; va < b.va + b.size; va += PAGE_SIZE) {
        const f = walk(store, b.pgd, va, ACCESS_READ, out);
        const pa = f === 0 ? out.pa - (out.pa % PAGE_SIZE) : -1;
        if (pa < 0 || pa !== prevPa + PAGE_SIZE) runs++;
        prevPa = pa;
        lines.push(`  ${formatVa0x(va)} -> ${f === 0 ? `PA 0x${pa.toString(16).padStart(9, "0")} (pfn ${pa / PAGE_SIZE}, ${leafSizeNames[out.level]})` : `level ${out.faultLevel} fault`}`);
      }
      lines.push(`  physically contiguous: ${runs === 1 ? "yes" : `no (${runs} separate runs of frames)`}`);
    }
    return `${lines.join("\n")}\n`;
  }

  /** `/sys/kernel/slab/<cache>/<attr>`: the allocator's sysfs, for a cache or one of its aliases. */
  private readSlabSysfs(path: string): string | undefined {
    const m = /^\/sys\/kernel\/slab\/([^/]+)\/([^/]+)$/.exec(path);
    const slab = this.slabCommon;
    if (!m || !slab || !slab.allocator.sysfsShow) return undefined;
    const c = slab.findCache(m[1]!);
    return c ? slab.allocator.sysfsShow(c.id, m[2]!, c.aliases.length, c.usersize) : undefined;
  }

  /**
   * Writes a simulated file as `echo value > path` would: /proc/sys/vm/* and /proc/slabinfo.
   * @throws ScenarioError when the file is not writable or the kernel refuses the value
   */
  writeFile(path: string, value: string, line?: number): void {
    if (!this.booted) this.boot();
    const file = this.scenario.file;
    if (path.startsWith("/proc/sys/vm/")) {
      const nums = value.trim().split(/\s+/).map(Number);
      if (nums.some((n) => !Number.isFinite(n))) throw new ScenarioError("machine.writeFile", file, path, `expected numbers, got ${describeValue(value)}`, line);
      this.writeSysctl(path.slice("/proc/sys/vm/".length), nums.length === 1 ? nums[0]! : nums, line);
      return;
    }
    if (path === "/proc/slabinfo") {
      const w = this.slabCommon?.allocator.slabinfoWrite;
      if (!w) throw new ScenarioError("machine.writeFile", file, path, `the ${this.slabCommon?.allocator.name ?? "configured"} slab allocator has no tunables (only SLAB accepts writes: kernel.policies.slab: slab)`, line);
      const r = w.call(this.slabCommon!.allocator, value);
      if (r < 0) throw new ScenarioError("machine.writeFile", file, path, `the kernel refused ${describeValue(value)} (write: ${r})`, line);
      return;
    }
    throw new ScenarioError("machine.writeFile", file, path, "not a file mmsim can write; writable: /proc/sys/vm/<name>, /proc/slabinfo", line);
  }

  private readSysctl(name: string): string | undefined {
    const sc = this.buddy.state.sysctl;
    switch (name) {
      case "min_free_kbytes":
        return `${sc.minFreeKbytes}\n`;
      case "watermark_scale_factor":
        return `${sc.watermarkScaleFactor}\n`;
      case "watermark_boost_factor":
        return `${sc.watermarkBoostFactor}\n`;
      case "lowmem_reserve_ratio":
        return `${Array.from(sc.lowmemReserveRatio).join("\t")}\n`;
      case "percpu_pagelist_high_fraction":
        return `${sc.percpuPagelistHighFraction}\n`;
      default:
        return undefined;
    }
  }

  /** Every path readFile() serves. */
  listFiles(): readonly string[] {
    if (!this.booted) this.boot();
    const slab: string[] = this.slabCommon ? ["/proc/slabinfo"] : [];
    const attrs = this.slabCommon?.allocator.sysfsAttributes?.() ?? [];
    for (const c of this.slabCommon?.caches ?? []) for (const a of attrs) slab.push(`/sys/kernel/slab/${c.name}/${a}`);
    const where = this.whereNames().map((n) => `${WHERE_DIR}${n}`);
    return [...this.procfs!.list(), "/proc/cmdline", ...slab, ...SUPPORTED_SYSCTLS.map((n) => `/proc/sys/vm/${n}`), ...where, TLB_FILE].sort();
  }

  /**
   * Runs the scenario's workload (booting first if needed).
   * @throws ScenarioError for a step that cannot run as written (with its line)
   */
  runWorkload(observer: WorkloadObserver = {}): WorkloadResult {
    if (!this.booted) this.boot();
    const total = countSteps(this.scenario.workload);
    const failedExpects: { step: number; line?: number; message: string }[] = [];
    const failedAllocs: Record<string, number> = {};
    let done = 0;
    let stoppedAt: string | number | undefined;
    const stop = observer.stopAfter;
    const run = (steps: readonly WorkloadStep[]): boolean => {
      for (const step of steps) {
        if (step.kind === "repeat") {
          for (let i = 0; i < step.times; i++) if (!run(step.steps)) return false;
          continue;
        }
        this.runStep(step, done + 1, failedExpects, failedAllocs, observer);
        this.runTimers();
        done++;
        observer.onStep?.(done, total);
        if ((typeof stop === "number" && done === stop) || (typeof stop === "string" && step.kind === "label" && step.name === stop)) {
          stoppedAt = stop;
          return false;
        }
      }
      return true;
    };
    run(this.scenario.workload);
    if (stop !== undefined && stoppedAt === undefined) {
      throw new ScenarioError("machine.runWorkload", this.scenario.file, "--after", `no ${typeof stop === "number" ? `step ${stop} (the workload has ${total} steps)` : `label "${stop}" in the workload`}`);
    }
    return { steps: done, failedExpects, stoppedAt, failedAllocs };
  }

  private runStep(step: Exclude<WorkloadStep, { kind: "repeat" }>, index: number, failed: { step: number; line?: number; message: string }[], failedAllocs: Record<string, number>, observer: WorkloadObserver): void {
    const file = this.scenario.file;
    switch (step.kind) {
      case "alloc": {
        let held = this.held.get(step.name);
        if (!held) this.held.set(step.name, (held = { order: step.order, pfns: [], line: step.line }));
        if (held.order !== step.order) {
          throw new ScenarioError("machine.runWorkload", file, `alloc ${step.name}`, `order ${step.order} differs from the order ${held.order} of the earlier alloc of the same name${held.line ? ` (line ${held.line})` : ""}; use another name`, step.line);
        }
        for (let i = 0; i < step.count; i++) {
          const pfn = this.buddy.allocPages(step.gfp, step.order, step.cpu, step.nid);
          if (pfn === NIL_PFN) failedAllocs[step.name] = (failedAllocs[step.name] ?? 0) + 1;
          else held.pfns.push(pfn);
        }
        return;
      }
      case "free": {
        const held = this.held.get(step.name);
        if (!held) throw new ScenarioError("machine.runWorkload", file, `free ${step.name}`, `nothing was allocated under "${step.name}"`, step.line);
        const n = step.count === "all" ? held.pfns.length : step.count;
        if (n > held.pfns.length) {
          throw new ScenarioError("machine.runWorkload", file, `free ${step.name}`, `asks to free ${n} blocks but "${step.name}" holds ${held.pfns.length}`, step.line);
        }
        for (let i = 0; i < n; i++) this.buddy.freePages(held.pfns.pop()!, held.order, step.cpu);
        return;
      }
      case "show": {
        const text = this.readFile(step.path);
        if (text === undefined) throw new ScenarioError("machine.runWorkload", file, "show", `no file ${step.path}; available: ${this.listFiles().join(", ")}`, step.line);
        observer.onShow?.(step.path, text, index);
        return;
      }
      case "sysctl":
        this.writeSysctl(step.name, step.value, step.line);
        return;
      case "write":
        this.writeFile(step.path, step.value, step.line);
        return;
      case "slab_churn":
        this.slabChurn(step, failedAllocs);
        return;
      case "sleep":
        this.clock.advance(step.ms * 1_000_000);
        return;
      case "expect": {
        const text = this.readFile(step.path);
        if (text === undefined) throw new ScenarioError("machine.runWorkload", file, "expect.path", `no file ${step.path}`, step.line);
        const got = readField(text, step.field);
        if (got === undefined) throw new ScenarioError("machine.runWorkload", file, "expect.field", `${step.path} has no field "${step.field}"`, step.line);
        if (!compare(got, step.op, step.value)) failed.push({ step: index, line: step.line, message: `${step.path} ${step.field} = ${got}, expected ${step.op} ${step.value}` });
        return;
      }
      case "label":
        return;
      case "kmem_cache_create": {
        const slab = this.requireSlab(step.line);
        const ctor = step.ctor ? (_obj: number) => {} : undefined;
        const c = slab.kmemCacheCreate(step.name, step.size, step.align, step.flags, ctor, step.usercopy ? step.size : 0);
        if (!c) throw new ScenarioError("machine.runWorkload", file, `kmem_cache_create ${step.name}`, "the kernel refused to create the cache (see the log)", step.line);
        return;
      }
      case "kmem_cache_alloc": {
        const slab = this.requireSlab(step.line);
        const c = slab.findCache(step.cache);
        if (!c) throw new ScenarioError("machine.runWorkload", file, `kmem_cache_alloc ${step.cache}`, `no cache "${step.cache}"`, step.line);
        const held = this.heldFor(step.as, c.id, step.line);
        for (let i = 0; i < step.count; i++) {
          const o = slab.allocator.kmemCacheAlloc(c.id, step.gfp, step.cpu);
          this.slabOps.allocs++;
          if (o === 0) failedAllocs[step.as] = (failedAllocs[step.as] ?? 0) + 1;
          else {
            held.objs.push(o);
            held.sizes.push(c.objectSize);
          }
        }
        return;
      }
      case "kmalloc": {
        const slab = this.requireSlab(step.line);
        const held = this.heldFor(step.as, -1, step.line);
        for (let i = 0; i < step.count; i++) {
          const size = step.sizes.length === 1 ? step.sizes[0]! : step.sizes[this.workloadRng.below(step.sizes.length)]!;
          const o = slab.kmalloc(size, step.gfp, step.cpu);
          this.slabOps.allocs++;
          if (o === 0) failedAllocs[step.as] = (failedAllocs[step.as] ?? 0) + 1;
          else {
            held.objs.push(o);
            held.sizes.push(size);
          }
        }
        return;
      }
      case "vmalloc":
      case "kvmalloc": {
        const vm = this.vmalloc;
        let held = this.heldVm.get(step.as);
        if (!held) this.heldVm.set(step.as, (held = []));
        vm.cpu = step.cpu;
        for (let i = 0; i < step.count; i++) {
          const addr =
            step.kind === "kvmalloc" ? vm.kvmalloc(step.size, step.gfp, step.caller) : step.zero ? vm.vzalloc(step.size, step.caller) : vm.vmalloc(step.size, step.caller);
          if (addr === 0) failedAllocs[step.as] = (failedAllocs[step.as] ?? 0) + 1;
          else held.push(addr);
        }
        return;
      }
      case "mmap": {
        const r = this.userMm.mmapPopulate(step.size, step.cpu);
        if (r < 0) failedAllocs[step.as] = (failedAllocs[step.as] ?? 0) + 1;
        else this.mmaps.set(step.as, r);
        return;
      }
      case "access": {
        const hw = this.mmu;
        const bufs = this.buffersOf(step.as);
        if (bufs.length === 0) throw new ScenarioError("machine.runWorkload", file, `access ${step.as}`, `"${step.as}" holds no buffer now (freed, or its allocation failed)`, step.line);
        // A user buffer runs in the workload's process: switch_mm to it first (ASID, TTBR0).
        if (bufs.some((b) => b.va >= 0) && hw.currentMm[step.cpu] !== WORKLOAD_MM) hw.switchMm(step.cpu, WORKLOAD_MM, this.userMm.pgd!);
        const access = step.write ? ACCESS_WRITE : ACCESS_READ;
        const out = this.accessOut;
        for (let pass = 0; pass < step.times; pass++) {
          for (const b of bufs) {
            for (let va = Math.floor(b.va / PAGE_SIZE) * PAGE_SIZE; va < b.va + b.size; va += PAGE_SIZE) {
              if (hw.translate(step.cpu, va, access, out) !== 0) this.accessFaults.push({ step: index, va, level: out.faultLevel, fault: out.fault });
            }
          }
        }
        return;
      }
      case "munmap": {
        const start = this.mmaps.get(step.as);
        if (start === undefined) throw new ScenarioError("machine.runWorkload", file, `munmap ${step.as}`, `"${step.as}" is not mapped (its mmap failed)`, step.line);
        this.mmaps.delete(step.as);
        this.userMm.munmap(start, step.cpu);
        return;
      }
      case "vm_free": {
        const vm = this.vmalloc;
        const held = this.heldVm.get(step.as);
        if (!held) throw new ScenarioError("machine.runWorkload", file, `${step.via} ${step.as}`, `nothing was allocated under "${step.as}"`, step.line);
        const n = step.count === "all" ? held.length : step.count;
        if (n > held.length) throw new ScenarioError("machine.runWorkload", file, `${step.via} ${step.as}`, `asks to free ${n} buffers but "${step.as}" holds ${held.length}`, step.line);
        vm.cpu = step.cpu;
        for (let i = 0; i < n; i++) {
          const k = step.order === "random" ? this.workloadRng.below(held.length) : held.length - 1;
          const addr = held[k]!;
          held[k] = held[held.length - 1]!;
          held.pop();
          if (step.via === "kvfree") vm.kvfree(addr);
          else vm.vfree(addr);
        }
        return;
      }
      case "slab_free": {
        const slab = this.requireSlab(step.line);
        const held = this.heldObjs.get(step.as);
        if (!held) throw new ScenarioError("machine.runWorkload", file, `free ${step.as}`, `nothing was allocated under "${step.as}"`, step.line);
        const n = step.count === "all" ? held.objs.length : step.count;
        if (n > held.objs.length) throw new ScenarioError("machine.runWorkload", file, `free ${step.as}`, `asks to free ${n} objects but "${step.as}" holds ${held.objs.length}`, step.line);
        for (let i = 0; i < n; i++) {
          // lifo: newest first; random: a seeded choice among those held
          const k = step.order === "random" ? this.workloadRng.below(held.objs.length) : held.objs.length - 1;
          this.freeHeld(slab, held, held.cache, k, step.cpu);
        }
        return;
      }
    }
  }

  private requireSlab(line?: number): SlabCommon {
    if (!this.slabCommon) throw new ScenarioError("machine.runWorkload", this.scenario.file, "kernel.policies.slab", "this step needs a slab allocator; set kernel.policies.slab (slub, slab, or a module file)", line);
    return this.slabCommon;
  }

  /**
   * Periodic kernel work due by the simulated clock: the slab allocator's per-CPU reap every
   * REAPTIMEOUT_AC (2 s; SLAB's cache_reap, which the kernel schedules as delayed work per CPU).
   */
  private runTimers(): void {
    const reap = this.slabCommon?.allocator.cacheReap;
    if (!reap) return;
    if (this.nextReapNs === 0) this.nextReapNs = this.clock.now() + REAPTIMEOUT_AC_NS;
    while (this.clock.now() >= this.nextReapNs) {
      for (let cpu = 0; cpu < this.scenario.machine.cpus; cpu++) reap.call(this.slabCommon!.allocator, cpu);
      this.nextReapNs += REAPTIMEOUT_AC_NS;
    }
  }

  /** Runs one churn pattern (see the slab_churn step). All choices come from workloadRng. */
  private slabChurn(step: Extract<WorkloadStep, { kind: "slab_churn" }>, failedAllocs: Record<string, number>): void {
    const slab = this.requireSlab(step.line);
    const rng = this.workloadRng;
    let cacheId = -1;
    let objSize = 0;
    if (step.cache !== undefined) {
      const c = slab.findCache(step.cache);
      if (!c) throw new ScenarioError("machine.runWorkload", this.scenario.file, `slab_churn ${step.cache}`, `no cache "${step.cache}"`, step.line);
      cacheId = c.id;
      objSize = c.objectSize;
    }
    const held = this.heldFor(step.as, cacheId, step.line);
    const cpu = () => step.cpus[step.cpus.length === 1 ? 0 : rng.below(step.cpus.length)]!;
    const alloc = (into: { objs: number[]; sizes: number[] }) => {
      const size = cacheId >= 0 ? objSize : step.sizes[step.sizes.length === 1 ? 0 : rng.below(step.sizes.length)]!;
      const o = cacheId >= 0 ? slab.allocator.kmemCacheAlloc(cacheId, step.gfp, cpu()) : slab.kmalloc(size, step.gfp, cpu());
      this.slabOps.allocs++;
      if (o === 0) failedAllocs[step.as] = (failedAllocs[step.as] ?? 0) + 1;
      else {
        into.objs.push(o);
        into.sizes.push(size);
      }
    };
    const freeAt = (from: { objs: number[]; sizes: number[] }, k: number) => this.freeHeld(slab, from, cacheId, k, cpu());
    if (step.pattern === "steady") {
      while (held.objs.length < step.live) alloc(held);
      for (let i = 0; i < step.ops; i++) {
        if (held.objs.length > 0) freeAt(held, rng.below(held.objs.length));
        alloc(held);
      }
    } else if (step.pattern === "burst") {
      const burst = { objs: [] as number[], sizes: [] as number[] };
      for (let i = 0; i < step.ops; i++) alloc(burst);
      while (burst.objs.length > 0) freeAt(burst, rng.below(burst.objs.length));
    } else {
      // mixed: 1 in 5 long-lived (kept under `as`), the rest short-lived (freed within ~16 ops)
      const short = { objs: [] as number[], sizes: [] as number[] };
      for (let i = 0; i < step.ops; i++) {
        if (rng.below(5) === 0) alloc(held);
        else alloc(short);
        while (short.objs.length > 0 && rng.below(16) < short.objs.length) freeAt(short, rng.below(short.objs.length));
      }
      while (short.objs.length > 0) freeAt(short, short.objs.length - 1);
    }
  }

  /** Frees held object k (swap-remove), through kfree or kmem_cache_free as it was allocated. */
  private freeHeld(slab: SlabCommon, from: { objs: number[]; sizes: number[] }, cacheId: number, k: number, cpu: number): void {
    const o = from.objs[k]!;
    from.objs[k] = from.objs[from.objs.length - 1]!;
    from.sizes[k] = from.sizes[from.sizes.length - 1]!;
    from.objs.pop();
    from.sizes.pop();
    if (cacheId < 0) slab.kfree(o, cpu);
    else slab.allocator.kmemCacheFree(cacheId, o, cpu);
    this.slabOps.frees++;
  }

  /** Bytes the workload's slab objects hold: object size for caches, the requested size for kmalloc. */
  slabLiveBytes(): number {
    let n = 0;
    for (const h of this.heldObjs.values()) for (const b of h.sizes) n += b;
    return n;
  }

  private heldFor(as: string, cache: number, line?: number): { objs: number[]; sizes: number[]; cache: number; line?: number } {
    let held = this.heldObjs.get(as);
    if (!held) this.heldObjs.set(as, (held = { objs: [], sizes: [], cache, line }));
    if (held.cache !== cache) {
      throw new ScenarioError("machine.runWorkload", this.scenario.file, `objects "${as}"`, `already names objects of another cache${held.line ? ` (line ${held.line})` : ""}; use another name`, line);
    }
    return held;
  }
}

/** True for a policy value that names a module file rather than a catalog entry. */
function isModulePath(value: string): boolean {
  return value.startsWith(".") || value.startsWith("/") || /\.(m?js)$/.test(value);
}

/** The reference config's choices for slots the scenario leaves out, when the catalog has them. */
const DEFAULT_POLICIES: Readonly<Record<string, string>> = { slab: "slub" };

function policiesWithDefaults(policies: Readonly<Record<string, string>>, catalog: ModuleCatalog): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [slot, name] of Object.entries(DEFAULT_POLICIES)) if (catalog.names(slot).includes(name)) out[slot] = name;
  return { ...out, ...policies };
}

/** Steps a workload executes, repeats expanded. */
export function countSteps(steps: readonly WorkloadStep[]): number {
  let n = 0;
  for (const s of steps) n += s.kind === "repeat" ? s.times * countSteps(s.steps) : 1;
  return n;
}

/**
 * The number a file gives for a field: the first line whose first word (without a trailing
 * colon) is `field` (`MemFree:  971180 kB` → 971180; `nr_free_pages 242732` → 242732), or the
 * single number of a one-value file (`/proc/sys/vm/min_free_kbytes`) for field "value".
 */
export function readField(text: string, field: string): number | undefined {
  for (const line of text.split("\n")) {
    const words = line.trim().split(/\s+/);
    if (words.length >= 2 && words[0]!.replace(/:$/, "") === field) {
      const v = Number(words[1]);
      if (Number.isFinite(v)) return v;
    }
  }
  if (field === "value") {
    const v = Number(text.trim().split(/\s+/)[0]);
    if (Number.isFinite(v)) return v;
  }
  return undefined;
}

function compare(got: number, op: string, want: number): boolean {
  switch (op) {
    case "==":
      return got === want;
    case "!=":
      return got !== want;
    case "<":
      return got < want;
    case "<=":
      return got <= want;
    case ">":
      return got > want;
    default:
      return got >= want;
  }
}
