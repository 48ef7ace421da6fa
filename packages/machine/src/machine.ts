// Kernel: init/main.c (v6.1) start_kernel → kernel_init — the composition root: one simulated machine, its boot and its workload
/*
 * A Machine is one tsyringe child container holding one simulated kernel: clock, cost model,
 * log, tracepoints, RNG, memblock, the mem_map and the page allocator. Nothing is shared between
 * two machines (a test builds two in one process and checks it). This file is the only place
 * that calls createChildContainer() and resolve() (STYLE C5).
 *
 * Boot is a generic start_kernel over the machine's Platform (platform/platform.ts: the arch
 * and board hooks; platform/arm64/ and platform/qemu-virt-arm64.ts for the one board), in 6.1's
 * order (each step names the kernel function it stands for):
 *   the banner; setup_arch (the platform: memblock, paging_init, bootmem_init, which calls back
 *     free_area_init here, CMA)
 *   setup_per_cpu_areas (the platform), build_all_zonelists, "Kernel command line",
 *     parse_args, vfs_caches_init_early
 *   mm_init → mem_init (the platform's part: swiotlb), memblock_free_all, mem_init_print_info
 *     ("Memory: …"), kmem_cache_init, vmalloc_init (the platform's MMU object)
 *   setup_per_cpu_pageset
 *   kernel_init_freeable → smp_cpus_done (the platform), page_alloc_init_late (deferred struct
 *     pages), the modules' initcalls level by level, request_standard_resources (/proc/iomem)
 *   kernel_init: free_initrd_mem, free_initmem, mark_rodata_ro (the platform)
 *   then the scenario's sysctls, as an init script would write them.
 * The simulated clock counts every cost from power-on, but printk prints 0.000000 until the
 * point 6.1 starts sched_clock (time_init, after mem_init), as the reference's dmesg does.
 */
import {
  BOOT_COMMAND_LINE, KernelParam, STACK_DEPOT, STACK_HASH_BUCKET_SIZE, STACK_HASH_ORDER_MAX, STACK_HASH_ORDER_MIN, STACK_HASH_SCALE,
  StackDepot, earlyParam, isStackDepotDisabled, parseBootParams, parseEarlyParam,
  ArgumentError, type AnySysctl, COST_MODEL, CostModel, Initcall, INITCALL_LEVELS, KERNEL_LOG, KernelFile, KernelThread, LRUVEC_LIST_HEADS, NR_FREE_PAGES, KernelLog,
  KmemCacheAllocator, MEM_MAP, MemMap, type MmsimModule, PAGE_SIZE, Prandom, RNG, SIM_CLOCK, SLAB_COMMON, ScenarioError, SimClock, SlabCommon,
  type SlabOps, type StepBase, type StepRunContext, WORKLOAD_STATE, type WorkloadState, CompareMetric, TOPOLOGY, TRACE_BUS, type Token, TraceBus, Validator, type ValidationSink, ZONES_SHIFT, HandleTable,
  VM_STAT, PSI_SYSTEM, describeValue, isKernelPanic, type KernelPanic, kernelFileCovers, logPanic, pfnDown, pfnUp, resolveToken, slabCommonModule, slabLiveBytes, slabOpsOf, sysctlPath, workloadRecord,
} from "@mmsim/core";
import { BuddyAllocator, PAGE_ALLOC_CONFIG, PageAllocState, type NodeMemory } from "@mmsim/buddy";
import { VFS, vfsCachesInit } from "@mmsim/filemap";
import { SWAP } from "@mmsim/swap";
import { MachineDisk, diskstatsShow } from "./disk.ts";
import { MEMBLOCK, type Memblock } from "@mmsim/memblock";
import { MEMBLOCK_DEBUGFS_FILES, ProcFs, type Resource, memblockMemoryShow, memblockReservedShow } from "@mmsim/procfs";
import { VMALLOC, VMALLOC_CONFIG, VM_MAP, VM_NO_GUARD, type Vmalloc } from "@mmsim/vmalloc";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { allocLargeSystemHash } from "./alloc-large-system-hash.ts";
import { ModuleCatalog } from "./catalog.ts";
import { platformFor } from "./platform/index.ts";
import type { PagingInit, Platform } from "./platform/platform.ts";
import type { KernelRegistry } from "./registry.ts";
import { isRepeat, noSuchFile } from "./steps/generic.ts";
import { TASK_ENGINE, TASK_HOST } from "./task-api.ts";
import { TaskEngine } from "./task-engine.ts";
import type { Processes } from "./process/processes.ts";
import { PROCESSES } from "./process/token.ts";
import { isModulePath } from "./scenario.ts";
import type { ResolvedScenario } from "./scenario-types.ts";

export { TLB_FILE, WHERE_DIR } from "./steps/user.ts";
export { readField } from "./steps/generic.ts";

/** Names of the sysctls machines of the default catalog accept (`/proc/sys/vm/<name>`). */
export const SUPPORTED_SYSCTLS: readonly string[] = Object.freeze([...ModuleCatalog.default().registry().sysctls.keys()]);

/** The machine's /proc/iomem tree and ProcFs, made at the end of boot. */
const PROC_FS = Symbol.for("mmsim:machine.ProcFs") as Token<ProcFs>;

/** What a workload run observes and where it may stop. */
export interface WorkloadObserver {
  /** After each executed step (repeats expanded): steps done so far, and the total. */
  onStep?(done: number, total: number): void;
  /**
   * A `show` step's file text; `step` is the 1-based index of the executed step, `previous` the
   * step executed just before it (by whichever task: the header of a show names it).
   */
  onShow?(path: string, text: string, step: number, previous: StepBase | undefined): void;
  /** Stop after the step with this label, or after this many executed steps. */
  stopAfter?: string | number;
}

/** The outcome of a workload run. */
export interface WorkloadResult {
  /** Steps executed, repeats expanded. */
  readonly steps: number;
  readonly failedExpects: readonly { step: number; line?: number; message: string }[];
  /** Expectations that held (expect steps, and steps' returns/errno checks), repeats counted each time. */
  readonly passedExpects: number;
  /** Set when the run stopped at `stopAfter`. */
  readonly stoppedAt?: string | number;
  /** Allocations that returned NIL_PFN (the kernel's failure, not an error), per alloc step name. */
  readonly failedAllocs: Readonly<Record<string, number>>;
  /** Set when the simulated kernel panicked (during boot, or in step `steps + 1`); the run stopped there. */
  readonly panic?: KernelPanic;
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
  /** The arch and board start_kernel boots (chosen by machine.board). */
  readonly platform: Platform;
  private buddyAllocator: BuddyAllocator | undefined;
  /** free_area_init's nr_kernel_pages and nr_all_pages, for alloc_large_system_hash. */
  private nrPages: { nrKernelPages: number; nrAllPages: number } | undefined;
  private vmallocService: Vmalloc | undefined;
  private procfs: ProcFs | undefined;
  private iomem: Resource | undefined;
  private slabCommon: SlabCommon | undefined;
  private booted = false;
  /** The panic that stopped this machine, if it panicked; its state stays as it was then. */
  private panicState: { panic: KernelPanic; duringBoot: boolean; logIndex: number } | undefined;
  /** What the workload's steps hold (named handles) and their families' records. */
  private readonly workload: WorkloadState = { handles: new HandleTable(), state: new Map() };
  /** The contributions, resolved once after boot. */
  private contributions: { files: KernelFile[]; threads: KernelThread[]; validators: Validator[]; metrics: CompareMetric[] } | undefined;
  /** Simulated time each periodic kernel thread runs next (0 = not armed yet). */
  private nextRunNs: number[] = [];
  /** The scenario's disk (machine.disk), or undefined. */
  readonly disk: MachineDisk | undefined;
  /** The steps and sysctls of the modules this machine's catalog holds. */
  readonly registry: KernelRegistry;

  private constructor(
    readonly scenario: ResolvedScenario,
    readonly catalog: ModuleCatalog,
  ) {
    const board = platformFor(scenario.machine.board, scenario.file);
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
    c.register(WORKLOAD_STATE, { useValue: this.workload });
    c.register(BOOT_COMMAND_LINE, { useValue: scenario.machine.cmdline });
    c.register(STACK_DEPOT, { useValue: new StackDepot() });
    this.registry = catalog.registry();
    // The mechanisms every machine has, in the kernel's link order; then the slab layer when a
    // slab allocator is chosen, the policies, and the extra modules (insmod).
    const policies = policiesWithDefaults(scenario.kernel.policies, catalog);
    const modules: MmsimModule[] = [
      catalog.get("memblock", "memblock"),
      catalog.get("buddy", "buddy"),
      catalog.get("arch", board.archModule),
      catalog.get("vmalloc", "vmalloc"),
      catalog.get("vma", "vma"),
      catalog.get("filemap", "filemap"),
      catalog.get("swap", "swap"),
      catalog.get("migrate", "migrate"),
      catalog.get("process", "tasks"),
    ];
    // The memory controller (CONFIG_MEMCG=y, cgroup2 at /sys/fs/cgroup on the reference) where the catalog has it
    if (catalog.names("memcg").includes("memcg")) modules.push(catalog.get("memcg", "memcg"));
    // PSI (kernel/sched/psi.c, CONFIG_PSI=y on the reference) where the catalog has it
    if (catalog.names("psi").includes("psi")) modules.push(catalog.get("psi", "psi"));
    // The reclaim mechanism, over the `reclaim` slot's policy (lru by default, as the reference kernel's lru_gen is off).
    if (policies.reclaim !== undefined && catalog.names("vmscan").includes("vmscan")) modules.push(catalog.get("vmscan", "vmscan"));
    // Compaction (CONFIG_COMPACTION=y on the reference), after reclaim in the order of mechanisms.
    if (catalog.names("compaction").includes("compaction")) modules.push(catalog.get("compaction", "compaction"));
    // KSM (CONFIG_KSM=y on the reference), last in the order of mechanisms.
    if (catalog.names("ksm").includes("ksm")) modules.push(catalog.get("ksm", "ksm"));
    if (policies.slab !== undefined) modules.push(slabCommonModule);
    for (const [slot, name] of Object.entries(policies)) modules.push(catalog.get(slot, name));
    for (const name of scenario.kernel.modules ?? []) modules.push(catalog.find(name, scenario.file));
    for (const m of modules) m.register(c, m.slot === "arch" ? { vaBits: scenario.kernel.config.vaBits } : undefined);
    this.registerOwnContributions();
    this.disk = scenario.machine.disk !== undefined ? new MachineDisk(scenario.machine.disk, this.clock, this.cost) : undefined;
    this.disk?.register(c);
    const disk = this.disk;
    c.register(KernelFile, { useFactory: (cc) => ({ path: "/proc/diskstats", read: () => diskstatsShow(disk, cc, this.clock.now()) }) });
    this.memblock = c.resolve<Memblock>(MEMBLOCK);
    this.platform = board.create({ container: c, memblock: this.memblock, log: this.log, clock: this.clock, cost: this.cost, machine: scenario.machine, kernel: scenario.kernel });
  }

  /**
   * Like create(), after loading every policy given as a module path (`./my-slab.mjs`) into the
   * catalog. Kernel: none — the scenario's way of building a kernel with a user's policy.
   */
  static async createAsync(scenario: ResolvedScenario, catalog: ModuleCatalog = ModuleCatalog.default()): Promise<Machine> {
    const { pathToFileURL } = await import("node:url");
    const { resolve } = await import("node:path");
    const policies: Record<string, string> = { ...scenario.kernel.policies };
    for (const [slot, value] of Object.entries(policies)) {
      if (!isModulePath(value)) continue;
      const mod = await catalog.loadModule(pathToFileURL(resolve(value)).href, scenario.file);
      if (mod.slot !== slot) throw new ScenarioError("machine.Machine.createAsync", scenario.file, `kernel.policies.${slot}`, `${value} registers slot "${mod.slot}", not "${slot}"`);
      policies[slot] = mod.name;
    }
    const modules: string[] = [];
    for (const value of scenario.kernel.modules ?? []) {
      if (!isModulePath(value)) modules.push(value);
      else modules.push((await catalog.loadModule(pathToFileURL(resolve(value)).href, scenario.file, "kernel.modules")).name);
    }
    return new Machine({ ...scenario, kernel: { ...scenario.kernel, policies, modules } }, catalog);
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
  get pgtables(): PagingInit {
    if (!this.booted) throw new ArgumentError("machine.Machine.pgtables", "machine", "a booted machine (call boot() first)", "not booted");
    return this.platform.pgtables;
  }

  /** The MMU: per-CPU TLBs, the ASID allocator, translate(). */
  get mmu(): Platform["mmu"] {
    if (!this.booted) throw new ArgumentError("machine.Machine.mmu", "machine", "a booted machine (call boot() first)", "not booted");
    return this.platform.mmu;
  }

  /** The machine's tasks and their address spaces (the process module's), after boot. */
  get processes(): Processes {
    if (!this.booted) throw new ArgumentError("machine.Machine.processes", "machine", "a booted machine (call boot() first)", "not booted");
    return resolveToken(this.container, PROCESSES);
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
   * The panic that stopped this machine (`duringBoot`: in boot(), else in a workload step), and
   * the index of its first log record; undefined while it has not panicked.
   */
  get panicked(): { readonly panic: KernelPanic; readonly duringBoot: boolean; readonly logIndex: number } | undefined {
    return this.panicState;
  }

  /**
   * Boots the machine: 6.1's memory bring-up, logging what 6.1 logs. Kernel: `start_kernel()`.
   * @param hooks what-if experiments: `beforeWatermarks` runs after CMA activation, right before
   *   init_per_zone_wmark_min (e.g. the conformance report sets managed pages to a real kernel's)
   * @throws KernelPanic when the simulated kernel panics during boot (logged; see `panicked`)
   */
  boot(hooks: BootHooks = {}): void {
    if (this.booted) return;
    if (this.panicState) throw this.panicState.panic;
    try {
      this.startKernel(hooks);
    } catch (e) {
      if (isKernelPanic(e)) this.onPanic(e, true);
      throw e;
    }
  }

  /**
   * Logs a panic as 6.1's panic() prints it and freezes the machine. After a panic during boot
   * only the files that exist by then are served: /proc/cmdline and memblock's debugfs files.
   */
  private onPanic(p: KernelPanic, duringBoot: boolean): void {
    if (this.panicState) return;
    const logIndex = this.log.length;
    logPanic(this.log, p, { memoryLimit: this.platform.memoryLimit });
    this.panicState = { panic: p, duringBoot, logIndex };
    if (duringBoot) {
      const mb = this.memblock;
      const early: KernelFile[] = [
        { path: "/proc/cmdline", read: () => `${this.scenario.machine.cmdline}\n` },
        { path: "/sys/kernel/debug/memblock/", list: () => [...MEMBLOCK_DEBUGFS_FILES], read: (path) => (path === MEMBLOCK_DEBUGFS_FILES[0] ? memblockMemoryShow(mb) : path === MEMBLOCK_DEBUGFS_FILES[1] ? memblockReservedShow(mb) : undefined) },
      ];
      this.contributions = { files: early, threads: [], validators: [], metrics: [] };
    }
  }

  /**
   * start_kernel → kernel_init, generic over the platform: the platform's hooks where 6.1
   * calls the arch's (see platform/platform.ts), the generic mm steps here.
   */
  private startKernel(hooks: BootHooks): void {
    const s = this.scenario;
    const log = this.log;
    const mb = this.memblock;
    const p = this.platform;
    const { cpus, nodes, cmdline } = s.machine;
    for (const line of p.banner) log.prInfo(line);

    // setup_arch: the platform's memblock, paging_init and bootmem_init, which calls back
    // parse_early_param (after setup_machine_fdt) and free_area_init (from zone_sizes_init).
    const params = this.container.isRegistered(KernelParam, true) ? this.container.resolveAll<KernelParam>(KernelParam) : [];
    p.setupArch({
      parseEarlyParam: () => parseEarlyParam(cmdline, params, log),
      freeAreaInit: (maxZonePfn) => this.freeAreaInit(maxZonePfn),
    });
    const buddy = this.buddy;
    const mem = resolveToken(this.container, MEM_MAP);
    const { nrKernelPages, nrAllPages } = this.nrPages!;

    // start_kernel
    p.setupPerCpuAreas();
    buddy.buildAllZonelists();
    log.prInfo(`Kernel command line: ${cmdline}`);
    parseBootParams(cmdline, params); // parse_args("Booting kernel"): the __setup() handlers
    // vfs_caches_init_early: only when the hash tables are not spread over nodes (hashdist 0).
    const hashCaller = p.memblockCallers.allocLargeSystemHash;
    if (nodes === 1) {
      allocLargeSystemHash(mb, log, "Dentry cache", 8, 13, nrKernelPages, nrAllPages, {}, hashCaller);
      allocLargeSystemHash(mb, log, "Inode-cache", 8, 14, nrKernelPages, nrAllPages, {}, hashCaller);
    }
    log.prInfo(`mem auto-init: stack:all(zero), heap alloc:${s.kernel.config.initOnAlloc ? "on" : "off"}, heap free:off`);
    // mm_init → stack_depot_early_init: the depot's hash table, when a subsystem asked for it (slub_debug with U)
    if (resolveToken(this.container, STACK_DEPOT).earlyInitNeeded()) {
      allocLargeSystemHash(mb, log, "stackdepot", STACK_HASH_BUCKET_SIZE, STACK_HASH_SCALE, nrKernelPages, nrAllPages, {
        low: 2 ** STACK_HASH_ORDER_MIN,
        high: 2 ** STACK_HASH_ORDER_MAX,
      }, hashCaller);
    }
    // mem_init: the platform's part (the swiotlb bounce buffer when RAM is beyond the DMA limit), then the hand-over.
    p.memInit();
    mb.memblockFreeAll(buddy);
    this.memInitPrintInfo(buddy);
    // kmem_cache_init: the chosen slab allocator and the kmalloc caches (create_kmalloc_caches)
    if (this.container.isRegistered(KmemCacheAllocator)) {
      this.slabCommon = new SlabCommon(resolveToken(this.container, KmemCacheAllocator), buddy, log);
      this.slabCommon.createKmallocCaches();
      this.slabCommon.allocator.kmemCacheInit?.();
      this.container.register(SLAB_COMMON, { useValue: this.slabCommon });
    }
    // vmalloc_init: the platform's MMU and the kernel tables vmalloc maps into (tables from the
    // page allocator: pte_alloc_kernel, pmd_alloc), the areas paging_init registered
    // (vm_area_add_early), then the kva allocator.
    const arch = p.mmuInit(buddy, mem);
    this.container.register(VMALLOC_CONFIG, {
      useValue: {
        ...arch.layout,
        nrCpus: cpus,
        nrNodes: nodes,
        totalramPages: () => buddy.state.totalramPages,
        pfnToNid: (pfn: number) => mem.nodeZone[pfn - mem.basePfn]! >> ZONES_SHIFT, // page_to_nid
        pfnIsMapMemory: arch.pfnIsMapMemory,
        pageAddress: arch.pageAddress,
      },
    });
    const vm = resolveToken(this.container, VMALLOC);
    this.vmallocService = vm;
    for (const a of p.earlyVmAreas) vm.vmAreaAddEarly(a.addr, a.size, VM_MAP | (a.noGuard ? VM_NO_GUARD : 0), a.physAddr, a.caller);
    vm.vmallocInit(this.slabCommon);
    buddy.setupPerCpuPageset();
    this.log.startClock(); // time_init → sched_clock: printk timestamps start here

    // kernel_init_freeable: smp_init → smp_cpus_done, then the initcalls
    p.smpCpusDone();
    buddy.pageAllocInitLate();
    // do_initcalls, level by level (cma_init_reserved_areas, init_per_zone_wmark_min, asids_init, hugepage_init, …)
    this.doInitcalls(hooks);
    this.iomem = p.standardResources();
    // kernel_init: free_initrd_mem, free_initmem, mark_rodata_ro
    p.freeInitrdMem(buddy);
    p.freeInitmem(buddy, vm);
    p.markRodataRo();

    for (const [name, value] of Object.entries(s.kernel.sysctl)) this.sysctlWrite(name, value);
    const disk = this.disk;
    const container = this.container;
    const swapInfo = () => resolveToken(container, SWAP).swap.siSwapinfo();
    this.procfs = new ProcFs({
      pageAlloc: buddy.state,
      counters: resolveToken(this.container, VM_STAT), // the vmstat service every module counts into (buddy.state.vmstat)
      memblock: mb,
      iomem: this.iomem,
      meminfo: {
        totalcmaPages: p.totalcmaPages,
        ...p.meminfo(),
        get bufferramPages() {
          return disk?.nrBlockdevPages() ?? 0;
        },
        get vmallocNrPages() {
          return vm.vmallocNrPages();
        },
        // si_swapinfo(): total and free swap, with the slots of an area being swapped off
        get totalSwapPages() {
          return swapInfo().totalswap;
        },
        get freeSwapPages() {
          return swapInfo().freeswap;
        },
      },
      // vm.dirty_* (the VFS's knobs) for nr_dirty_threshold and nr_dirty_background_threshold
      vmstat: { dirty: resolveToken(this.container, VFS).dirty },
      vmallocinfo: () => vm.vmallocinfo(),
      kernelPageTables: () => p.kernelPageTablesShow(),
    });
    this.container.register(PROC_FS, { useValue: this.procfs });
    // the disk, mounted once the VFS exists (as an fstab entry would be)
    disk?.attach(resolveToken(this.container, VFS), () => buddy.state.totalreservePages, this.scenario.machine.cpus);
    // From here the workload's dentries and inodes are slab objects (the boot's stay plain: /proc/slabinfo at boot is the real kernel's)
    if (this.slabCommon !== undefined) vfsCachesInit(resolveToken(this.container, VFS), this.slabCommon);
    this.booted = true;
  }

  /**
   * free_area_init(max_zone_pfn), called by the platform's zone_sizes_init: the mem_map over
   * memblock's DRAM span (MEM_MAP), the page allocator's configuration, its nodes and zones.
   * Kernel: `free_area_init()` (mm/page_alloc.c).
   */
  private freeAreaInit(maxZonePfn: readonly number[]): void {
    const s = this.scenario;
    const mb = this.memblock;
    const { cpus, nodes } = s.machine;
    const dramStart = mb.memblockStartOfDRAM();
    const dramEnd = mb.memblockEndOfDRAM();
    const basePfn = pfnDown(dramStart);
    const mem = new MemMap({ basePfn, nrPages: pfnDown(dramEnd) - basePfn, nrListHeads: PageAllocState.listHeadsNeeded(nodes, cpus) + nodes * LRUVEC_LIST_HEADS });
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
        maxZonePfn,
        transparentHugepage: s.kernel.config.transparentHugepage,
        deferredStructPageInit: s.kernel.config.deferredStructPageInit,
        initOnAlloc: s.kernel.config.initOnAlloc,
      },
    });
    const buddy = this.container.resolve(BuddyAllocator);
    this.buddyAllocator = buddy;
    const layout = buddy.freeAreaInit();
    this.nrPages = { nrKernelPages: layout.nrKernelPages, nrAllPages: layout.nrAllPages };
  }

  /**
   * The machine's own contributions: /proc/cmdline, the procfs files (registered now, made at
   * the end of boot) and core_initcall(cma_init_reserved_areas) for the CMA area the platform
   * reserved. (The page-table validator is the platform's.)
   */
  private registerOwnContributions(): void {
    const c = this.container;
    c.register(KernelFile, { useValue: { path: "/proc/cmdline", read: () => `${this.scenario.machine.cmdline}\n` } });
    c.register(KernelParam, { useFactory: (k) => earlyParam("stack_depot_disable", (v) => isStackDepotDisabled(resolveToken(k, STACK_DEPOT), v, this.log)) });
    c.register(KernelFile, {
      useFactory: (k) => {
        const procfs = resolveToken(k, PROC_FS);
        const paths = new Set(procfs.list());
        return { path: "/proc/", list: () => [...paths], read: (path: string) => (paths.has(path) ? procfs.read(path) : undefined) };
      },
    });
    c.register(KernelFile, {
      useFactory: (k) => {
        const procfs = resolveToken(k, PROC_FS);
        const paths = new Set(procfs.list().filter((p) => !p.startsWith("/proc/")));
        return { path: "/sys/kernel/debug/", list: () => [...paths], read: (path: string) => (paths.has(path) ? procfs.read(path) : undefined) };
      },
    });
    c.register(Initcall, {
      useValue: {
        level: "core",
        name: "cma_init_reserved_areas",
        run: () => {
          const cma = this.platform.cma;
          if (cma) this.buddy.cmaActivateArea(pfnDown(cma.base), cma.size / PAGE_SIZE);
          return 0;
        },
      },
    });
  }

  /**
   * The initcalls every module registered, level by level as do_pre_smp_initcalls and
   * do_initcalls run them (registration order within a level: the kernel's link order).
   * Kernel: `do_initcalls()` (init/main.c). A failing initcall is logged as initcall_debug would.
   */
  private doInitcalls(hooks: BootHooks): void {
    const calls = this.container.isRegistered(Initcall, true) ? this.container.resolveAll<Initcall>(Initcall) : [];
    for (const level of INITCALL_LEVELS) {
      if (level === "postcore") hooks.beforeWatermarks?.(this.buddy.state);
      for (const call of calls) {
        if (call.level !== level) continue;
        const ret = call.run();
        if (ret !== 0) this.log.prWarn(`initcall ${call.name} returned ${ret}`);
      }
    }
  }

  /**
   * The `Memory: …K/…K available (…)` line. Kernel: `mem_init_print_info()`.
   */
  private memInitPrintInfo(buddy: BuddyAllocator): void {
    const pa = buddy.state;
    const K = (pages: number): number => pages * (PAGE_SIZE / 1024);
    let physpages = 0;
    for (const p of pa.pgdat) physpages += p.nodePresentPages;
    const nrFree = pa.vmstat.globalZonePageState(NR_FREE_PAGES); // nr_free_pages()
    const img = this.platform.image;
    const totalcma = this.platform.totalcmaPages;
    this.log.prInfo(
      `Memory: ${K(nrFree)}K/${K(physpages)}K available (${img.code >> 10}K kernel code, ${img.rwdata >> 10}K rwdata, ` +
        `${img.rodata >> 10}K rodata, ${img.init >> 10}K init, ${img.bss >> 10}K bss, ` +
        `${K(physpages - pa.totalramPages - totalcma)}K reserved, ${K(totalcma)}K cma-reserved)`,
    );
  }

  /** The figures every module contributed for `mmsim compare`, ordered by rank (resolved once after boot). */
  metrics(): readonly CompareMetric[] {
    return this.contrib().metrics;
  }

  /** The files, kernel threads, validators and compare figures every module contributed, resolved once after boot. */
  private contrib(): { files: KernelFile[]; threads: KernelThread[]; validators: Validator[]; metrics: CompareMetric[] } {
    if (!this.booted && !this.panicState) this.boot();
    if (!this.contributions) {
      const all = <T>(tok: Token<T>): T[] => (this.container.isRegistered(tok, true) ? this.container.resolveAll<T>(tok) : []);
      this.contributions = {
        files: all(KernelFile),
        threads: all(KernelThread),
        validators: all(Validator),
        metrics: all(CompareMetric).sort((a, b) => a.rank - b.rank),
      };
      this.nextRunNs = this.contributions.threads.map(() => 0);
    }
    return this.contributions;
  }

  private sysctlService(s: AnySysctl): unknown {
    return this.container.resolve(s.service as Token<unknown>);
  }

  /**
   * Writes a sysctl as `echo value > /proc/sys/<dir>/<name>` would: through its table's handler.
   * @throws ScenarioError naming the sysctl when there is none, or the kernel's handler refuses the value (-EINVAL)
   */
  writeSysctl(name: string, value: number | readonly number[], line?: number): void {
    if (!this.booted) this.boot();
    this.sysctlWrite(name, value, line);
  }

  private sysctlWrite(name: string, value: number | readonly number[], line?: number): void {
    const s = this.registry.sysctls.get(name);
    if (!s) throw new ScenarioError("machine.writeSysctl", this.scenario.file, `sysctl.${name}`, `no such sysctl; supported: ${[...this.registry.sysctls.keys()].join(", ")}`, line);
    const err = s.write(this.sysctlService(s), value);
    if (err < 0) {
      throw new ScenarioError("machine.writeSysctl", this.scenario.file, `sysctl.${name}`, `the kernel refused ${describeValue(value)} (write: Invalid argument, ${err}); see its range in the kernel's sysctl documentation`, line);
    }
  }

  /** Reads a simulated file: every file a module contributed, and /proc/sys/*. @returns undefined for an unknown path */
  readFile(path: string): string | undefined {
    const { files } = this.contrib();
    for (const s of this.registry.sysctls.values()) if (sysctlPath(s) === path) return s.read(this.sysctlService(s));
    for (const f of files) {
      if (!kernelFileCovers(f, path)) continue;
      const text = f.read(path);
      if (text !== undefined) return text;
    }
    return undefined;
  }

  /**
   * Writes a simulated file as `echo value > path` would: /proc/sys/* through the sysctl table,
   * any other file through its contribution's write (/proc/slabinfo: SLAB's tunables).
   * @throws ScenarioError when the file is not writable or the kernel refuses the value
   */
  writeFile(path: string, value: string, line?: number): void {
    const { files } = this.contrib();
    const file = this.scenario.file;
    if (path.startsWith("/proc/sys/")) {
      // proc_dointvec & co.: a write of nothing but blanks parses no value and is -EINVAL
      // (__do_proc_dointvec: `if (write && first) return err ? : -EINVAL`).
      if (value.trim() === "") throw new ScenarioError("machine.writeFile", file, path, "the kernel refused an empty write (write: Invalid argument, -22); write a number", line);
      const nums = value.trim().split(/\s+/).map(Number);
      if (nums.some((n) => !Number.isFinite(n))) throw new ScenarioError("machine.writeFile", file, path, `expected numbers, got ${describeValue(value)}`, line);
      const s = [...this.registry.sysctls.values()].find((x) => sysctlPath(x) === path);
      this.writeSysctl(s ? s.procname : path.slice(path.lastIndexOf("/") + 1), nums.length === 1 ? nums[0]! : nums, line);
      return;
    }
    // A directory's write serves only the files it holds (or will: mayAppear), not every path under it.
    const f = files.find((x) => x.write && kernelFileCovers(x, path) && (!x.path.endsWith("/") || x.list === undefined || x.list().includes(path) || x.mayAppear?.(path) === true));
    if (f) {
      const r = f.write!(path, value);
      if (typeof r === "string") throw new ScenarioError("machine.writeFile", file, path, r, line);
      if (r < 0) throw new ScenarioError("machine.writeFile", file, path, `the kernel refused ${describeValue(value)} (write: ${r})`, line);
      return;
    }
    const writable = ["/proc/sys/vm/<name>", ...files.filter((x) => x.write).map((x) => x.path)];
    throw new ScenarioError("machine.writeFile", file, path, `not a file mmsim can write; writable: ${writable.join(", ")}`, line);
  }

  /** Every path readFile() serves now. */
  listFiles(): readonly string[] {
    const { files } = this.contrib();
    const out = new Set<string>();
    for (const f of files) for (const p of f.list ? f.list() : [f.path]) out.add(p);
    for (const s of this.registry.sysctls.values()) out.add(sysctlPath(s));
    return [...out].sort();
  }

  /**
   * Checks every mechanism's invariants: each module's validator (the buddy allocator's lists
   * and counters, vmalloc's trees, the TLBs and ASIDs) and the page tables.
   */
  validate(sink: ValidationSink): void {
    for (const v of this.contrib().validators) v.validate(sink);
  }

  /** Slab operations the workload performed (kmem_cache_alloc/kmalloc and their frees), for reports. */
  get slabOps(): Readonly<SlabOps> {
    return slabOpsOf({ state: (key, init) => workloadRecord(this.workload, key, init) });
  }

  /** Bytes the workload's slab objects hold: object size for caches, the requested size for kmalloc. */
  slabLiveBytes(): number {
    return slabLiveBytes(this.workload.handles);
  }

  /**
   * Runs the scenario's workload (booting first if needed): each step through its kind's
   * definition, then the kernel threads that are due on the simulated clock.
   * @throws ScenarioError for a step that cannot run as written (with its line)
   */
  runWorkload(observer: WorkloadObserver = {}): WorkloadResult {
    if (this.panicState) return { steps: 0, failedExpects: [], passedExpects: 0, failedAllocs: {}, panic: this.panicState.panic };
    try {
      this.boot();
    } catch (e) {
      if (isKernelPanic(e)) return { steps: 0, failedExpects: [], passedExpects: 0, failedAllocs: {}, panic: e };
      throw e;
    }
    this.contrib();
    const total = countSteps(this.scenario.workload);
    const failedExpects: { step: number; line?: number; message: string }[] = [];
    let passedExpects = 0;
    const failedAllocs: Record<string, number> = {};
    const file = this.scenario.file;
    let done = 0;
    let current: StepBase | undefined;
    let previous: StepBase | undefined;
    let stoppedAt: string | number | undefined;
    const stop = observer.stopAfter;
    const resolved = new Map<unknown, unknown>();
    const ctx: StepRunContext = {
      file,
      nrCpus: this.scenario.machine.cpus,
      index: 0,
      cpu: 0,
      workloadRng: this.workloadRng,
      handles: this.workload.handles,
      resolve: <T>(tok: Token<T> | (abstract new (...args: never[]) => T)): T => {
        let v = resolved.get(tok) as T | undefined;
        if (v === undefined) resolved.set(tok, (v = this.container.resolve(tok as Token<T>)));
        return v as T;
      },
      isRegistered: (tok) => this.container.isRegistered(tok as Token<unknown>, true),
      failedAlloc: (as) => {
        failedAllocs[as] = (failedAllocs[as] ?? 0) + 1;
      },
      error: (what, problem) => new ScenarioError("machine.runWorkload", file, what, problem, current?.line),
      readFile: (path) => this.readFile(path),
      writeFile: (path, value) => this.writeFile(path, value, current?.line),
      writeSysctl: (name, value) => this.writeSysctl(name, value, current?.line),
      listFiles: () => this.listFiles(),
      show: (path, text) => observer.onShow?.(path, text, ctx.index, previous),
      failExpect: (message) => failedExpects.push({ step: ctx.index, line: current?.line, message }),
      passExpect: () => void passedExpects++,
      advanceClock: (ns) => this.clock.advance(ns),
      state: (key, init) => workloadRecord(this.workload, key, init),
    };
    this.checkReads(this.scenario.workload);
    const threads = this.contrib().threads.length > 0;
    const host = this.container.isRegistered(TASK_HOST, true) ? resolveToken(this.container, TASK_HOST) : undefined;
    const engine = new TaskEngine(this.scenario.machine.cpus, this.clock, host);
    this.container.register(TASK_ENGINE, { useValue: engine });
    // PSI's TSK_RUNNING: the scheduler's enqueue and dequeue (psi_enqueue, psi_dequeue)
    if (this.container.isRegistered(PSI_SYSTEM, true)) {
      const psi = resolveToken(this.container, PSI_SYSTEM);
      engine.sched.onNrRunning = (cpu, at) => psi.setNrRunning(cpu, engine.sched.nrRunning(cpu), at);
    }
    try {
      engine.startInit(this.scenario.workload);
      for (let step = engine.next(); step !== undefined; step = engine.next()) {
        if (threads) this.runKernelThreads(); // what fell due on this CPU's clock before the step
        current = step;
        (ctx as { index: number }).index = done + 1;
        (ctx as { cpu: number }).cpu = engine.currentCpu;
        const def = this.registry.steps.get(step.kind);
        if (!def) throw new ScenarioError("machine.runWorkload", file, step.kind, `no module of this machine defines the step "${step.kind}"`, step.line);
        const start = this.clock.now();
        def.run(step, ctx);
        engine.afterStep(step, start);
        if (threads) {
          this.runKernelThreads();
          engine.syncClock();
        }
        previous = step;
        done++;
        observer.onStep?.(done, total);
        if ((typeof stop === "number" && done === stop) || (typeof stop === "string" && step.kind === "label" && (step as { name?: string }).name === stop)) {
          stoppedAt = stop;
          break;
        }
      }
    } catch (e) {
      if (!isKernelPanic(e)) throw e;
      this.onPanic(e, false);
      return { steps: done, failedExpects, passedExpects, failedAllocs, panic: e };
    }
    if (stop !== undefined && stoppedAt === undefined) {
      throw new ScenarioError("machine.runWorkload", file, "--after", `no ${typeof stop === "number" ? `step ${stop} (the workload has ${total} steps)` : `label "${stop}" in the workload`}`);
    }
    return { steps: done, failedExpects, passedExpects, stoppedAt, failedAllocs };
  }

  /**
   * What runWorkload() checks before its first step: every file a step will read exists after
   * boot or appears during the run. The CLI calls it before printing the boot log, so a mistyped
   * path fails before any output. Nothing to check after a panic during boot.
   * @throws ScenarioError at the step's line, with the nearest existing paths
   */
  checkWorkloadFiles(): void {
    if (!this.booted && !this.panicState) this.boot();
    if (this.booted) this.checkReads(this.scenario.workload);
  }

  /**
   * Checks, before the first step runs, that every file a step will read exists after boot or
   * lies in a directory whose files appear during the run (a new slab cache's sysfs, where/).
   * @throws ScenarioError at the step's line, with the nearest existing paths
   */
  private checkReads(steps: readonly StepBase[]): void {
    let files: readonly string[] | undefined;
    const all = this.contrib().files;
    const dirs = all.filter((f) => f.path.endsWith("/") && !f.path.startsWith("/proc/") && f.path !== "/sys/kernel/debug/").map((f) => f.path);
    const appearing = all.filter((f) => f.mayAppear !== undefined);
    for (const step of steps) {
      // A repeat's body, and the program of a task a step starts (fork, spawn)
      const nested = (step as { steps?: unknown }).steps;
      if (Array.isArray(nested)) this.checkReads(nested as StepBase[]);
      if (isRepeat(step)) continue;
      for (const path of this.registry.steps.get(step.kind)?.reads?.(step) ?? []) {
        if (dirs.some((d) => path.startsWith(d))) continue;
        if (appearing.some((f) => kernelFileCovers(f, path) && f.mayAppear!(path))) continue;
        files ??= this.listFiles();
        if (!files.includes(path)) throw new ScenarioError("machine.runWorkload", this.scenario.file, step.kind, noSuchFile(path, files), step.line);
      }
    }
  }

  /**
   * Runs the kernel threads due by the simulated clock, as runWorkload() does between two steps:
   * for a driver that calls kernel functions directly instead of running steps (the kernel
   * replay of `mmsim replay`, kernel-replay.ts).
   */
  runDueKernelThreads(): void {
    this.runKernelThreads();
  }

  /**
   * The kernel threads due by the simulated clock, earliest first (ties: registration order).
   * A periodic thread is armed at the first check after boot, one period ahead, as delayed work
   * queued then would be (SLAB's cache_reap: every REAPTIMEOUT_AC on each CPU).
   */
  private runKernelThreads(): void {
    const { threads } = this.contrib();
    if (threads.length === 0) return;
    const now = this.clock.now();
    for (let i = 0; i < threads.length; i++) if (threads[i]!.periodNs > 0 && this.nextRunNs[i] === 0) this.nextRunNs[i] = now + threads[i]!.periodNs;
    // Periodic threads that fell far behind (a step that let hours pass) or whose next time no
    // longer moves (a clock so large that next + period rounds to next) are parked for this check.
    let parked: Set<number> | undefined;
    let runs: number[] | undefined;
    for (;;) {
      let next = -1;
      for (let i = 0; i < threads.length; i++) {
        const t = threads[i]!;
        if (parked?.has(i)) continue;
        const due = t.periodNs > 0 ? this.nextRunNs[i]! <= this.clock.now() : t.pending?.() === true;
        if (due && (next < 0 || (t.periodNs > 0 && this.nextRunNs[i]! < (this.nextRunNs[next] ?? Infinity)))) next = i;
      }
      if (next < 0) return;
      const t = threads[next]!;
      if (t.perCpu) for (let cpu = 0; cpu < this.scenario.machine.cpus; cpu++) t.run(cpu);
      else t.run(0);
      if (t.periodNs > 0) {
        const was = this.nextRunNs[next]!;
        this.nextRunNs[next] = was + t.periodNs;
        runs ??= threads.map(() => 0);
        // Each missed period is run (as the kernel's timer would have fired) up to
        // MAX_KTHREAD_CATCHUP of them; beyond, the work ran once late, and is re-armed a period
        // after now, as delayed work re-queued from its own handler is (schedule_delayed_work).
        if (++runs[next]! >= MAX_KTHREAD_CATCHUP || !(this.nextRunNs[next]! > was)) {
          this.nextRunNs[next] = Math.max(this.nextRunNs[next]!, this.clock.now() + t.periodNs);
          (parked ??= new Set()).add(next);
        }
      }
    }
  }
}

/**
 * Missed periods of a periodic kernel thread run at one check between two steps: at most this
 * many (then it is re-armed a period after now). A `sleep` of a few seconds runs SLAB's 2 s
 * cache_reap once per missed period as before; a step that let a day pass does not run it 43,200 times.
 */
export const MAX_KTHREAD_CATCHUP = 64;

/** The reference config's choices for slots the scenario leaves out, when the catalog has them. */
const DEFAULT_POLICIES: Readonly<Record<string, string>> = Object.freeze({ slab: "slub", reclaim: "lru", oom: "oom-killer" });

function policiesWithDefaults(policies: Readonly<Record<string, string>>, catalog: ModuleCatalog): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [slot, name] of Object.entries(DEFAULT_POLICIES)) if (catalog.names(slot).includes(name)) out[slot] = name;
  return { ...out, ...policies };
}

/** Steps a workload executes, repeats expanded and the programs of the tasks it starts included; with `kind`, only the steps of that kind. */
export function countSteps(steps: readonly StepBase[], kind?: string): number {
  let n = 0;
  for (const s of steps) {
    if (isRepeat(s)) n += s.times * countSteps(s.steps, kind);
    else {
      if (kind === undefined || s.kind === kind) n++;
      // the program of a task the step starts (fork, spawn) runs once
      const nested = (s as { steps?: unknown }).steps;
      if (Array.isArray(nested)) n += countSteps(nested as StepBase[], kind);
    }
  }
  return n;
}
