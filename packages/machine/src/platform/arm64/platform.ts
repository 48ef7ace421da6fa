// Kernel: arch/arm64/kernel/setup.c, arch/arm64/mm/init.c, arch/arm64/mm/mmu.c, arch/arm64/kernel/smp.c (v6.1) — the arm64 platform: what start_kernel asks of arch/arm64, for one board
/*
 * One machine's arm64 side of the boot, over an `Arm64Board` (./board.ts): setup_arch
 * (setup_machine_fdt, arm64_memblock_init, paging_init, bootmem_init with zone_sizes_init and
 * dma_contiguous_reserve), setup_per_cpu_areas' first chunk, mem_init's swiotlb, the MMU object
 * at vmalloc_init, smp_cpus_done's mark_linear_text_alias_ro, request_standard_resources,
 * free_initrd_mem, free_initmem and mark_rodata_ro; and the page-table validator (kernel trees
 * and every process's, from the UserPgtableRoot contributions). The MMU hardware itself
 * (tables, walk, TLBs, ASIDs, paging_init's table building) is @mmsim/hw-arm64's; the VA layout
 * is computed once, by paging_init (arm64Layout with PHYS_OFFSET and kimage_voffset), and every
 * consumer — ARM64_LAYOUT, vmalloc's ranges, meminfo's VmallocTotal, ptdump — reads that one.
 */
import { ArgumentError, MEM_MAP, type MemMap, NUMA_NO_NODE, PAGE_SIZE, Validator, type ValidationSink, pageBuddy, resolveToken } from "@mmsim/core";
import type { BuddyAllocator } from "@mmsim/buddy";
import { ARM64_LAYOUT, KERNEL_PAGE_TABLES, MMU, Mmu, PgtableAllocator, type PgtableRoot, type PgtableStore, __va, ptdumpKernel, validatePgtables, walk } from "@mmsim/hw-arm64";
import type { Resource } from "@mmsim/procfs";
import { Arm64VmapPageTables, type Vmalloc, VmapPageTables, arm64VmallocLayout } from "@mmsim/vmalloc";
import type {
  ArchVmalloc, EarlyVmAreaDesc, KernelImageSizes, PagingInit, Platform, PlatformContext, PlatformDescription, SetupArchCalls,
} from "../platform.ts";
import { EMPTY_ZERO_PAGE, UserPgtableRoot } from "../platform.ts";
import type { Arm64Board } from "./board.ts";
import { arm64StandardResources } from "./resources.ts";
import { zoneSizesInit } from "./zone-sizes.ts";
import {
  type Arm64PagingInit, arm64MemblockInit, arm64PagingInit, bootmemInitEarly, dmaContiguousReserve, parseMemLimit, setupPerCpuAreas, swiotlbInit,
} from "./setup.ts";

/** The module of slot `arch` an arm64 platform registers: the MMU hardware. */
export const ARM64_ARCH_MODULE = "hw-arm64";

/** An arm64 board preset (`machine.board`): its platform over the board's description. */
export function arm64PlatformDescription(board: Arm64Board): PlatformDescription {
  return { board: board.name, archModule: ARM64_ARCH_MODULE, create: (ctx) => new Arm64Platform(board, ctx) };
}

const notYet = (what: string): never => {
  throw new ArgumentError("machine.Arm64Platform", what, "a machine booted past the step that makes it (call boot() first)", "not made yet");
};

/** One machine's arm64 platform (see the file comment). */
export class Arm64Platform implements Platform {
  readonly banner: readonly string[];
  readonly memblockCallers: { readonly allocLargeSystemHash: string };
  readonly memoryLimit: number | undefined;
  readonly image: KernelImageSizes;
  private paging: Arm64PagingInit | undefined;
  private hw: Mmu<PgtableStore> | undefined;
  private dmaPhysLimit = 0;
  private cmaArea: { base: number; size: number } | undefined;

  constructor(
    readonly board: Arm64Board,
    private readonly ctx: PlatformContext,
  ) {
    this.banner = board.banner;
    this.memblockCallers = board.memblockCallers;
    this.memoryLimit = parseMemLimit(ctx.machine.cmdline);
    const img = board.image;
    this.image = {
      code: img._etext - img._stext,
      rwdata: img._edata - img._sdata,
      rodata: img.__end_rodata - img.__start_rodata,
      init: img.__init_end - img.__init_begin,
      bss: img.__bss_stop - img.__bss_start,
    };
    // empty_zero_page: the first page-aligned frame of .bss (arch/arm64/mm/mmu.c, __page_aligned_bss).
    ctx.container.register(EMPTY_ZERO_PAGE, { useValue: Math.ceil(img.__bss_start / PAGE_SIZE) });
    ctx.container.register(Validator, { useValue: { name: "page tables", validate: (sink: ValidationSink) => this.validatePgtables(sink) } });
  }

  get pgtables(): PagingInit {
    return this.paging ?? notYet("the page tables");
  }

  get mmu(): Mmu<PgtableStore> {
    return this.hw ?? notYet("the MMU");
  }

  get totalcmaPages(): number {
    return this.cmaArea ? this.cmaArea.size / PAGE_SIZE : 0;
  }

  get cma(): { readonly base: number; readonly size: number } | undefined {
    return this.cmaArea;
  }

  /**
   * setup_arch(): setup_machine_fdt (memory, DTB), the machine model, parse_early_param,
   * arm64_memblock_init, the board's reserved memory, paging_init, then bootmem_init: NUMA,
   * NODE_DATA and the vmemmap, zone_sizes_init → free_area_init, dma_contiguous_reserve, and
   * memblock_dump_all (memblock=debug) at its end.
   */
  setupArch(calls: SetupArchCalls): void {
    const { memblock: mb, log, machine, kernel } = this.ctx;
    const { memory, nodes, cmdline } = machine;
    const nodeRam = arm64MemblockInit(this.board, mb, memory, nodes, cmdline, {
      vaBits: kernel.config.vaBits,
      afterMachineFdt: () => {
        log.prInfo(this.board.machineModel);
        calls.parseEarlyParam();
      },
    });
    for (const r of machine.reserved) mb.memblockReserve(r.start, r.size, r.name);
    const paging = arm64PagingInit(this.board, mb, { vaBits: kernel.config.vaBits, cmdline, kfence: kernel.config.kfence });
    this.paging = paging;
    this.ctx.container.register(ARM64_LAYOUT, { useValue: paging.layout });
    this.ctx.container.register(KERNEL_PAGE_TABLES, { useValue: paging.kernel });
    bootmemInitEarly(this.board, mb, log, nodeRam, paging);
    const zs = zoneSizesInit({ dramStart: mb.memblockStartOfDRAM(), dramEnd: mb.memblockEndOfDRAM() });
    this.dmaPhysLimit = zs.arm64DmaPhysLimit;
    calls.freeAreaInit(zs.maxZonePfn);
    this.cmaArea = dmaContiguousReserve(mb, log, kernel.config.cmaMbytes, zs.arm64DmaPhysLimit);
    mb.memblockDumpAll(); // the end of bootmem_init (memblock=debug)
  }

  /** setup_per_cpu_areas(): one group on node 0 of a one-node board, on any node (-1) otherwise. */
  setupPerCpuAreas(): void {
    const { cpus, nodes } = this.ctx.machine;
    setupPerCpuAreas(this.board, this.ctx.memblock, this.ctx.log, cpus, nodes === 1 ? 0 : NUMA_NO_NODE);
  }

  /** mem_init(): the swiotlb bounce buffer when RAM is beyond the DMA limit. */
  memInit(): void {
    swiotlbInit(this.board, this.ctx.memblock, this.ctx.log, this.dmaPhysLimit);
  }

  /**
   * The MMU (per-CPU Cortex-A57 TLBs, ASIDs) over swapper_pg_dir, and init_mm's tables as
   * vmalloc maps into them (Arm64VmapPageTables: tables from the page allocator, TLB flushes
   * through the MMU). Registered as MMU and VmapPageTables.
   */
  mmuInit(pages: BuddyAllocator, mem: MemMap): ArchVmalloc {
    const { store, kernel, layout } = this.pgtables;
    const { container, clock, cost, machine, memblock } = this.ctx;
    const pgtAlloc = new PgtableAllocator(store, pages, mem);
    const hw = new Mmu(walk, store, clock, cost, { nrCpus: machine.cpus, vaBits: store.vaBits });
    hw.setSwapperPgDir(kernel.swapperPgDir);
    this.hw = hw;
    container.register(MMU, { useValue: hw });
    const vmapTables = new Arm64VmapPageTables(store, pgtAlloc, (start: number, end: number) => hw.flushTlbKernelRange(start, end));
    vmapTables.kernelPgtableFlusher = hw.tlbi; // __flush_tlb_kernel_pgtable when a block replaces a table
    container.register(VmapPageTables, { useValue: vmapTables });
    return {
      layout: arm64VmallocLayout(layout),
      pfnIsMapMemory: (pfn) => memblock.memblockIsMapMemory(pfn * PAGE_SIZE),
      pageAddress: (pfn) => __va(layout, pfn * PAGE_SIZE),
    };
  }

  get earlyVmAreas(): readonly EarlyVmAreaDesc[] {
    return this.pgtables.vmAreas.map((a) => ({ addr: a.addr, size: a.size, noGuard: a.noGuard, physAddr: a.physAddr, caller: this.board.pagingInitCallers[a.name] }));
  }

  /** smp_cpus_done() → mark_linear_text_alias_ro(): the linear alias of the kernel text read-only, TLB flushed. */
  smpCpusDone(): void {
    const hw = this.mmu;
    this.pgtables.kernel.markLinearTextAliasRo((start, end) => hw.flushTlbKernelRange(start, end));
  }

  standardResources(): Resource {
    const img = this.board.image;
    return arm64StandardResources(
      this.ctx.memblock,
      { start: img._stext, end: img.__init_begin - 1 },
      { start: img._sdata, end: img._end - 1 },
      { devices: this.board.devices(this.ctx.memblock.memblockEndOfDRAM()) },
    );
  }

  /** free_initrd_mem(): ARCH_KEEP_MEMBLOCK, so memblock forgets the initrd too. */
  freeInitrdMem(pages: BuddyAllocator): void {
    const { initrd } = this.board;
    this.ctx.memblock.memblockPhysFree(initrd.start, initrd.size, this.board.memblockCallers.freeInitrd);
    pages.freeReservedArea(initrd.start, initrd.start + initrd.size, "initrd");
  }

  /** free_initmem(): the init sections to the page allocator, unmapped (their vm_structs stay, as vmallocinfo shows). */
  freeInitmem(pages: BuddyAllocator, vm: Vmalloc): void {
    const img = this.board.image;
    pages.freeReservedArea(img.__init_begin, img.__init_end, "unused kernel");
    const { kernel } = this.pgtables;
    vm.vunmapRange(kernel.kimg(img.__init_begin), kernel.kimg(img.__init_end));
  }

  /** mark_rodata_ro(). */
  markRodataRo(): void {
    const hw = this.mmu;
    this.pgtables.kernel.markRodataRo((start, end) => hw.flushTlbKernelRange(start, end));
  }

  meminfo(): { pcpuNrPages: number; layout: PagingInit["layout"] } {
    return { pcpuNrPages: (this.board.pcpuFirstChunk.unit / PAGE_SIZE) * this.ctx.machine.cpus, layout: this.pgtables.layout };
  }

  kernelPageTablesShow(): string {
    const { store, layout } = this.pgtables;
    return ptdumpKernel(store, layout);
  }

  /**
   * Every page table (no table frame free in the buddy allocator, every linear-map address →
   * __pa(), every other leaf on a live frame): swapper_pg_dir, the idmap and each process's.
   */
  private validatePgtables(sink: ValidationSink): void {
    const { store, layout, kernel } = this.pgtables;
    const c = this.ctx.container;
    const roots: PgtableRoot[] = [
      { pgd: kernel.swapperPgDir, kernel: true, name: "swapper_pg_dir" },
      { pgd: kernel.idmapPgDir, kernel: false, name: "idmap_pg_dir" },
    ];
    const users = c.isRegistered(UserPgtableRoot, true) ? c.resolveAll<UserPgtableRoot>(UserPgtableRoot) : [];
    for (const u of users) for (const pgd of u.pgds()) roots.push({ pgd, kernel: false, name: u.name });
    const memory = kernel.memory; // memblock.memory as paging_init mapped it (fixed after boot)
    const mem = resolveToken(c, MEM_MAP);
    const imageVa = kernel.kimg(this.board.image._text);
    const imageEnd = kernel.kimg(this.board.image._end);
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
  }
}
