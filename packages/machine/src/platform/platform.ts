// mmsim: the platform a generic start_kernel boots — the arch and board hooks init/main.c calls, in Linux 6.1's order (setup_arch, setup_per_cpu_areas, mem_init, smp_cpus_done, free_initmem, mark_rodata_ro …)
/*
 * `Machine.startKernel()` (machine.ts) is init/main.c's start_kernel → kernel_init with every
 * architecture- and board-specific step behind this interface, called where 6.1 calls it:
 *
 *   start_kernel        banner                       (smp_setup_processor_id, linux_banner)
 *     setup_arch        setupArch(calls)             setup_machine_fdt, "Machine model", calls.parseEarlyParam(),
 *                                                    the arch's memblock init, the board's reserved memory, paging_init,
 *                                                    bootmem_init (NUMA, NODE_DATA, sparse_init, zone_sizes_init →
 *                                                    calls.freeAreaInit(max_zone_pfn), dma_contiguous_reserve,
 *                                                    memblock_dump_all)
 *     setup_per_cpu_areas  setupPerCpuAreas()
 *     vfs_caches_init_early → alloc_large_system_hash (generic; the build's call site: memblockCallers)
 *     mm_init → mem_init   memInit()                the arch's part before memblock_free_all (swiotlb on arm64)
 *       mem_init_print_info  image, totalcmaPages
 *       vmalloc_init       mmuInit(), earlyVmAreas   the arch's MMU object and the kernel tables vmalloc maps into
 *   kernel_init_freeable
 *     smp_init → smp_cpus_done  smpCpusDone()
 *     do_initcalls       (modules' Initcalls; the CMA area: cma)
 *     arch_initcall      standardResources()        request_standard_resources + reserve_memblock_reserved_regions
 *   kernel_init          freeInitrdMem(), freeInitmem(), markRodataRo()
 *
 * and what the rest of the kernel asks the arch for: the MMU (mmu), the tables paging_init
 * built (pgtables), /proc/meminfo's arch lines (meminfo), the kernel_page_tables dump,
 * the panic notifier's memory limit. A platform is one per machine (it holds what setup_arch
 * decided); `createPlatform()` (./index.ts) makes the one `machine.board` names.
 */
import { type KernelLog, type MemMap, type CostModel, type SimClock, token } from "@mmsim/core";
import type { BuddyAllocator } from "@mmsim/buddy";
import type { Arm64Layout, EarlyVmArea, KernelPageTables, Mmu, PagingInitTables, PgtableStore } from "@mmsim/hw-arm64";
import type { Memblock } from "@mmsim/memblock";
import type { MeminfoOptions, Resource } from "@mmsim/procfs";
import type { Vmalloc, VmallocLayout } from "@mmsim/vmalloc";
import type { DependencyContainer } from "tsyringe";
import type { KernelSpec, MachineSpec } from "../scenario-types.ts";

/** What paging_init built: the VA layout (computed once, here), the table store with swapper_pg_dir, the early vm areas. */
export interface PagingInit {
  readonly layout: Arm64Layout;
  readonly store: PgtableStore;
  readonly kernel: KernelPageTables;
  readonly tables: PagingInitTables;
  readonly vmAreas: readonly EarlyVmArea[];
}

/** The generic steps setup_arch() calls back into. */
export interface SetupArchCalls {
  /** parse_early_param(): the modules' early_param()s, right after setup_machine_fdt(). */
  parseEarlyParam(): void;
  /**
   * free_area_init(max_zone_pfn) from the arch's zone_sizes_init(): the mem_map (sized from
   * memblock's DRAM span) and the page allocator's nodes and zones.
   */
  freeAreaInit(maxZonePfn: readonly number[]): void;
}

/** The kernel image's section sizes in bytes, as mem_init_print_info() prints them. */
export interface KernelImageSizes {
  readonly code: number;
  readonly rwdata: number;
  readonly rodata: number;
  readonly init: number;
  readonly bss: number;
}

/** What vmalloc_init() needs from the arch: its ranges and page_address(). */
export interface ArchVmalloc {
  readonly layout: VmallocLayout;
  pfnIsMapMemory(pfn: number): boolean;
  pageAddress(pfn: number): number;
}

/** One of the vm areas paging_init registered with vm_area_add_early(). */
export interface EarlyVmAreaDesc {
  readonly addr: number;
  readonly size: number;
  readonly noGuard: boolean;
  readonly physAddr: number;
  /** The caller /proc/vmallocinfo names (the build's `%pS`). */
  readonly caller: string;
}

/** The arch and board hooks of start_kernel (see the file comment). */
export interface Platform {
  /** start_kernel's lines before setup_arch. */
  readonly banner: readonly string[];
  /** What memblock=debug names as the caller of generic early allocations in this kernel build. */
  readonly memblockCallers: { readonly allocLargeSystemHash: string };
  /** The panic notifier's `Memory Limit:` (mem=), undefined for none. */
  readonly memoryLimit: number | undefined;

  /** setup_arch(). */
  setupArch(calls: SetupArchCalls): void;
  /** setup_per_cpu_areas(): the first chunk from memblock. */
  setupPerCpuAreas(): void;
  /** mem_init()'s arch part, before memblock_free_all(). */
  memInit(): void;
  /** The image's sections for mem_init_print_info(). */
  readonly image: KernelImageSizes;
  /** totalcma_pages (after setupArch). */
  readonly totalcmaPages: number;
  /** The CMA area dma_contiguous_reserve() reserved (cma_init_reserved_areas activates it), if any. */
  readonly cma: { readonly base: number; readonly size: number } | undefined;
  /**
   * vmalloc_init()'s arch part: creates the arch's MMU object (per-CPU TLBs, ASIDs) and the
   * kernel page-table service vmalloc maps into (registered in the container), and gives the ranges.
   */
  mmuInit(pages: BuddyAllocator, mem: MemMap): ArchVmalloc;
  /** paging_init's vm areas for vm_area_add_early(). */
  readonly earlyVmAreas: readonly EarlyVmAreaDesc[];
  /** smp_cpus_done(). */
  smpCpusDone(): void;
  /** The /proc/iomem tree: request_standard_resources() + reserve_memblock_reserved_regions() + the board's devices. */
  standardResources(): Resource;
  /** free_initrd_mem(). */
  freeInitrdMem(pages: BuddyAllocator): void;
  /** free_initmem(): the init sections back to the page allocator and unmapped. */
  freeInitmem(pages: BuddyAllocator, vm: Vmalloc): void;
  /** mark_rodata_ro(). */
  markRodataRo(): void;
  /** /proc/meminfo's arch inputs: Percpu (the first chunk), VmallocTotal (the layout). */
  meminfo(): Pick<MeminfoOptions, "pcpuNrPages" | "layout">;
  /** /sys/kernel/debug/kernel_page_tables. */
  kernelPageTablesShow(): string;
  /** What paging_init built (after setupArch). */
  readonly pgtables: PagingInit;
  /** The MMU (after mmuInit). */
  readonly mmu: Mmu<PgtableStore>;
}

/** What a platform is made from: the machine's services and its scenario. */
export interface PlatformContext {
  readonly container: DependencyContainer;
  readonly memblock: Memblock;
  readonly log: KernelLog;
  readonly clock: SimClock;
  readonly cost: CostModel;
  readonly machine: MachineSpec;
  readonly kernel: KernelSpec;
}

/** A board preset: its name, the arch module its MMU is, and how to make one machine's platform. */
export interface PlatformDescription {
  /** The preset's name in scenario files (`machine.board`). */
  readonly board: string;
  /** The module of slot `arch` (the MMU hardware) the machine registers, with `{ vaBits }`. */
  readonly archModule: string;
  /** Makes one machine's platform, after the modules are registered (it may register contributions: its validator). */
  create(ctx: PlatformContext): Platform;
}

/**
 * A page-table tree outside the kernel's own — a process's pgd — contributed by the module that
 * owns the mm, so the platform's page-table validator walks it with the kernel's (every stored
 * table must be reachable from some root).
 */
export interface UserPgtableRoot {
  /** For messages, e.g. "the workload's process". */
  readonly name: string;
  /** The pgds of the trees it owns now (one per live mm). */
  pgds(): readonly number[];
}
export const UserPgtableRoot = token<UserPgtableRoot>("UserPgtableRoot");

/**
 * The PFN of empty_zero_page: the frame every anonymous read fault maps before a write (a page
 * of the kernel image's .bss on arm64, `__page_aligned_bss`). Registered by the platform.
 */
export const EMPTY_ZERO_PAGE = token<number>("EmptyZeroPage");
