// Kernel: mm/vmalloc.c, include/linux/vmalloc.h, mm/util.c (kvmalloc), mm/ioremap.c (v6.1) — the vmalloc service of one machine
/*
 * The API other subsystems and the machine's workload call, with the kernel's names in
 * camelCase. Every method delegates to the free functions (kva.ts, vm-area.ts, vmap-block.ts,
 * ioremap.ts, kvmalloc.ts) over one VmallocState.
 *
 * Life cycle, as in 6.1's start_kernel():
 *   1. new Vmalloc(config, pageAllocator, pageTables, log, clock)
 *   2. vmAreaAddEarly() for the kernel image segments (paging_init → map_kernel_segment)
 *   3. vmallocInit(slab?) (mm_init, after kmem_cache_init)
 *   4. vmalloc/vfree/vmap/ioremap/kvmalloc…
 *
 * Addresses: a vmalloc address is a `Va` (a negative number); 0 is NULL. Before each call the
 * caller may set `cpu` (smp_processor_id()) and `comm` (current->comm).
 */
import {
  ArgumentError, GFP_KERNEL, KERNEL_LOG, describeValue, type KernelLog, NIL_PAGE, NUMA_NO_NODE, PageAllocator, type MemMap, SIM_CLOCK, type SimClock,
  type SlabCommon, type Validatable, type ValidationSink, __GFP_ZERO, token,
} from "@mmsim/core";
import type { Va } from "@mmsim/hw-arm64";
import { inject, injectable } from "tsyringe";
import { ioremap, ioremapNp, ioremapProt, ioremapWc, iounmap } from "./ioremap.ts";
import { findVmapArea, purgeVmapAreaLazy } from "./kva.ts";
import { kvcalloc, kvfree, kvmallocArray, kvmallocNode, kvzallocNode } from "./kvmalloc.ts";
import { type ResolvedVmallocConfig, type VmallocConfig, resolveVmallocConfig } from "./layout.ts";
import { PAGE_KERNEL, VmapPageTables } from "./page-tables.ts";
import { validateVmalloc } from "./validate.ts";
import { VmallocState, type VmallocCounters } from "./vmalloc-state.ts";
import { type VmallocMeminfo, vmallocMeminfo, vmallocinfo } from "./vmallocinfo.ts";
import { NIL_VA } from "./vmap-area.ts";
import { vmMapRam, vmUnmapAliases, vmUnmapRam } from "./vmap-block.ts";
import {
  GFP_VMALLOC32, SHMLBA, findVmArea, freeVmArea, getVmAreaCaller, getVmAreaNode, getVmAreaRange, isVmallocAddr,
  isVmallocOrModuleAddr, removeVmArea, vfree, vmAreaAddEarly, vmAreaRegisterEarly, vmallocInit, vmallocNodeCaller,
  vmallocNodeRange, vmallocToPfn, vmap, vunmap, vunmapRange,
} from "./vm-area.ts";
import { NIL_VM, VM_ALLOW_HUGE_VMAP, VM_USERMAP } from "./vm-struct.ts";

/** The machine's vmalloc configuration (layout and shape). */
export const VMALLOC_CONFIG = token<VmallocConfig>("VmallocConfig");

/** A read-only view of one vm_struct, for tests and tools. */
export interface VmStructView {
  readonly id: number;
  readonly addr: Va;
  /** With the guard page. */
  readonly size: number;
  readonly flags: number;
  readonly nrPages: number;
  readonly pageOrder: number;
  readonly physAddr: number;
  /** The `pages` pointer (kmalloc address, vmalloc Va, or 0). */
  readonly pagesAddr: number;
  readonly caller: string | undefined;
  /** The PFNs of the area (vmalloc pages, or vmap's pages). */
  readonly pfns: readonly number[];
}

/** mm/vmalloc.c for one machine. */
@injectable()
export class Vmalloc implements Validatable {
  readonly state: VmallocState;

  constructor(
    @inject(VMALLOC_CONFIG) config: VmallocConfig,
    @inject(PageAllocator) pages: PageAllocator,
    @inject(VmapPageTables) pageTables: VmapPageTables,
    @inject(KERNEL_LOG) log: KernelLog,
    @inject(SIM_CLOCK) clock: SimClock,
  ) {
    this.state = new VmallocState(resolveVmallocConfig(config), pages, pageTables, log, clock);
  }

  /** The configuration with defaults filled in. */
  get config(): ResolvedVmallocConfig {
    return this.state.cfg;
  }

  /** smp_processor_id() of the calling context. */
  get cpu(): number {
    return this.state.cpu;
  }
  set cpu(cpu: number) {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.state.cfg.nrCpus) {
      throw new ArgumentError("vmalloc.Vmalloc.cpu", "cpu", `a CPU number in 0..${this.state.cfg.nrCpus - 1}`, describeValue(cpu));
    }
    this.state.cpu = cpu;
  }

  /** current->comm of the calling context (printed by warn_alloc). */
  get comm(): string {
    return this.state.comm;
  }
  set comm(comm: string) {
    this.state.comm = comm;
  }

  // ------------------------------------------------------------------ boot

  /**
   * Adds a fixed area before vmallocInit(). Kernel: `vm_area_add_early()` (paging_init's
   * map_kernel_segment() registers the kernel image segments with VM_MAP, and VM_NO_GUARD for
   * all but the last).
   * @returns the vm_struct id
   */
  vmAreaAddEarly(addr: Va, size: number, flags: number, physAddr: number, caller?: string): number {
    return vmAreaAddEarly(this.state, addr, size, flags, physAddr, caller);
  }

  /** Kernel: `vm_area_register_early()`. @returns the vm_struct id (see vmStruct() for its address) */
  vmAreaRegisterEarly(size: number, flags: number, align: number, caller?: string): number {
    return vmAreaRegisterEarly(this.state, size, flags, align, caller);
  }

  /**
   * Kernel: `vmalloc_init()`: the vmap_area cache, the busy areas of vmlist, the free space.
   * @param slab the machine's slab layer (kmem_cache_init() has run); without it the metadata
   *   is not accounted in /proc/slabinfo and kvmalloc() is unavailable
   */
  vmallocInit(slab?: SlabCommon): void {
    vmallocInit(this.state, slab);
  }

  // ------------------------------------------------------------------ vmalloc family

  /** Kernel: `vmalloc()`. @returns the address or 0 */
  vmalloc(size: number, caller?: string): Va {
    return vmallocNodeCaller(this.state, size, 1, GFP_KERNEL, NUMA_NO_NODE, caller);
  }

  /** Kernel: `vzalloc()`. */
  vzalloc(size: number, caller?: string): Va {
    return vmallocNodeCaller(this.state, size, 1, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE, caller);
  }

  /** Kernel: `vmalloc_node()`. */
  vmallocNode(size: number, node: number, caller?: string): Va {
    return vmallocNodeCaller(this.state, size, 1, GFP_KERNEL, node, caller);
  }

  /** Kernel: `vzalloc_node()`. */
  vzallocNode(size: number, node: number, caller?: string): Va {
    return vmallocNodeCaller(this.state, size, 1, GFP_KERNEL | __GFP_ZERO, node, caller);
  }

  /** Kernel: `__vmalloc()`. */
  vmallocGfp(size: number, gfp: number, caller?: string): Va {
    return vmallocNodeCaller(this.state, size, 1, gfp, NUMA_NO_NODE, caller);
  }

  /** Kernel: `__vmalloc_node()`. */
  vmallocNodeAlign(size: number, align: number, gfp: number, node: number, caller?: string): Va {
    return vmallocNodeCaller(this.state, size, align, gfp, node, caller);
  }

  /** Kernel: `__vmalloc_node_range()`. */
  vmallocNodeRange(size: number, align: number, start: Va, end: Va, gfp: number, prot: number, vmFlags: number, node: number, caller?: string): Va {
    return vmallocNodeRange(this.state, size, align, start, end, gfp, prot, vmFlags, node, caller);
  }

  /** Kernel: `vmalloc_huge()` (VM_ALLOW_HUGE_VMAP: 2 MiB pages for sizes ≥ 2 MiB). */
  vmallocHuge(size: number, gfp: number, caller?: string): Va {
    const s = this.state;
    return vmallocNodeRange(s, size, 1, s.cfg.vmallocStart, s.cfg.vmallocEnd, gfp, PAGE_KERNEL, VM_ALLOW_HUGE_VMAP, NUMA_NO_NODE, caller);
  }

  /** Kernel: `vmalloc_user()` (zeroed, VM_USERMAP, SHMLBA aligned). */
  vmallocUser(size: number, caller?: string): Va {
    const s = this.state;
    return vmallocNodeRange(s, size, SHMLBA, s.cfg.vmallocStart, s.cfg.vmallocEnd, GFP_KERNEL | __GFP_ZERO, PAGE_KERNEL, VM_USERMAP, NUMA_NO_NODE, caller);
  }

  /** Kernel: `vmalloc_32()` (GFP_DMA32 pages). */
  vmalloc32(size: number, caller?: string): Va {
    return vmallocNodeCaller(this.state, size, 1, GFP_VMALLOC32, NUMA_NO_NODE, caller);
  }

  /** Kernel: `vmalloc_32_user()`. */
  vmalloc32User(size: number, caller?: string): Va {
    const s = this.state;
    return vmallocNodeRange(s, size, SHMLBA, s.cfg.vmallocStart, s.cfg.vmallocEnd, GFP_VMALLOC32 | __GFP_ZERO, PAGE_KERNEL, VM_USERMAP, NUMA_NO_NODE, caller);
  }

  /** Kernel: `vfree()`: NULL is ignored; a bad address gives the kernel's WARN. */
  vfree(addr: Va): void {
    vfree(this.state, addr);
  }

  /** Kernel: `vfree_atomic()` (the deferred free runs at once in mmsim). */
  vfreeAtomic(addr: Va): void {
    vfree(this.state, addr);
  }

  // ------------------------------------------------------------------ vmap, areas

  /**
   * Kernel: `vmap()`. @param prot a protection id (PAGE_KERNEL…); made non-executable
   * @param pagesArrayAddr with VM_MAP_PUT_PAGES, the address of the pages array vfree() will kvfree()
   * @returns the address or 0
   */
  vmap(pfns: Int32Array, count: number, flags: number, prot: number, caller?: string, pagesArrayAddr = 0): Va {
    return vmap(this.state, pfns, count, flags, prot, caller, pagesArrayAddr);
  }

  /** Kernel: `vunmap()`. */
  vunmap(addr: Va): void {
    vunmap(this.state, addr);
  }

  /** Kernel: `vunmap_range()`: unmap [addr, end) and flush the TLB now (free_initmem). */
  vunmapRange(addr: Va, end: Va): void {
    vunmapRange(this.state, addr, end);
  }

  /** Kernel: `vm_map_ram()`. @returns the address or 0 */
  vmMapRam(pfns: Int32Array, count: number, node = NUMA_NO_NODE): Va {
    return vmMapRam(this.state, pfns, count, node);
  }

  /** Kernel: `vm_unmap_ram()`. */
  vmUnmapRam(mem: Va, count: number): void {
    vmUnmapRam(this.state, mem, count);
  }

  /** Kernel: `vm_unmap_aliases()`: flushes every lazy alias now. */
  vmUnmapAliases(): void {
    vmUnmapAliases(this.state);
  }

  /** Kernel: `get_vm_area_caller()` (get_vm_area()). @returns the vm_struct id or NIL_VM */
  getVmAreaCaller(size: number, flags: number, caller?: string): number {
    return getVmAreaCaller(this.state, size, flags, caller);
  }

  /** Kernel: `__get_vm_area_caller()`: an area in [start, end). */
  getVmAreaRange(size: number, flags: number, start: Va, end: Va, caller?: string): number {
    return getVmAreaRange(this.state, size, flags, start, end, caller);
  }

  /** Kernel: `__get_vm_area_node()`. */
  getVmAreaNode(size: number, align: number, shift: number, flags: number, start: Va, end: Va, node: number, gfp: number, caller?: string): number {
    return getVmAreaNode(this.state, size, align, shift, flags, start, end, node, gfp, caller);
  }

  /** Kernel: `find_vm_area()`. @returns the vm_struct id or NIL_VM */
  findVmArea(addr: Va): number {
    return findVmArea(this.state, addr);
  }

  /** Kernel: `remove_vm_area()`. */
  removeVmArea(addr: Va): number {
    return removeVmArea(this.state, addr);
  }

  /** Kernel: `free_vm_area()`. */
  freeVmArea(vm: number): void {
    freeVmArea(this.state, vm);
  }

  // ------------------------------------------------------------------ ioremap

  /** Kernel: `ioremap()` (PROT_DEVICE_nGnRE). @returns the address or 0 */
  ioremap(phys: number, size: number, caller?: string): Va {
    return ioremap(this.state, phys, size, caller);
  }

  /** Kernel: `ioremap_prot()`. */
  ioremapProt(phys: number, size: number, prot: number, caller?: string): Va {
    return ioremapProt(this.state, phys, size, prot, caller);
  }

  /** Kernel: `ioremap_wc()`. */
  ioremapWc(phys: number, size: number, caller?: string): Va {
    return ioremapWc(this.state, phys, size, caller);
  }

  /** Kernel: `ioremap_np()`. */
  ioremapNp(phys: number, size: number, caller?: string): Va {
    return ioremapNp(this.state, phys, size, caller);
  }

  /** Kernel: `iounmap()`. */
  iounmap(addr: Va): void {
    iounmap(this.state, addr);
  }

  // ------------------------------------------------------------------ kvmalloc

  /** Kernel: `kvmalloc()`. @returns a kmalloc (physical) address, a vmalloc Va, or 0 */
  kvmalloc(size: number, gfp: number, caller?: string): number {
    return kvmallocNode(this.state, size, gfp, NUMA_NO_NODE, caller);
  }

  /** Kernel: `kvmalloc_node()`. */
  kvmallocNode(size: number, gfp: number, node: number, caller?: string): number {
    return kvmallocNode(this.state, size, gfp, node, caller);
  }

  /** Kernel: `kvzalloc()`. */
  kvzalloc(size: number, gfp: number, caller?: string): number {
    return kvzallocNode(this.state, size, gfp, NUMA_NO_NODE, caller);
  }

  /** Kernel: `kvmalloc_array()`. */
  kvmallocArray(n: number, size: number, gfp: number, caller?: string): number {
    return kvmallocArray(this.state, n, size, gfp, caller);
  }

  /** Kernel: `kvcalloc()`. */
  kvcalloc(n: number, size: number, gfp: number, caller?: string): number {
    return kvcalloc(this.state, n, size, gfp, caller);
  }

  /** Kernel: `kvfree()`: vfree() for a vmalloc address, kfree() otherwise. */
  kvfree(addr: number): void {
    kvfree(this.state, addr);
  }

  // ------------------------------------------------------------------ queries

  /** Kernel: `is_vmalloc_addr()`. */
  isVmallocAddr(addr: Va): boolean {
    return isVmallocAddr(this.state, addr);
  }

  /** Kernel: `is_vmalloc_or_module_addr()`. */
  isVmallocOrModuleAddr(addr: Va): boolean {
    return isVmallocOrModuleAddr(this.state, addr);
  }

  /** Kernel: `vmalloc_to_pfn()`. @returns the PFN or NIL_PFN */
  vmallocToPfn(addr: Va): number {
    return vmallocToPfn(this.state, addr);
  }

  /** Kernel: `vmalloc_to_page()`: the page index in `mem`, or NIL_PAGE. */
  vmallocToPage(addr: Va, mem: MemMap): number {
    const pfn = vmallocToPfn(this.state, addr);
    return pfn < 0 ? NIL_PAGE : mem.pfnToPage(pfn);
  }

  /** Kernel: `find_vmap_area()`: the busy vmap_area containing addr, as [start, end), or undefined. */
  findVmapArea(addr: Va): { readonly vaStart: Va; readonly vaEnd: Va; readonly vm: number } | undefined {
    const s = this.state;
    const va = findVmapArea(s, addr);
    if (va === NIL_VA) return undefined;
    return { vaStart: s.areas.vaStart[va]!, vaEnd: s.areas.vaEnd[va]!, vm: s.areas.vm[va]! };
  }

  /** A vm_struct's fields, or undefined for NIL_VM / a free id. */
  vmStruct(vm: number): VmStructView | undefined {
    const v = this.state.vms;
    if (vm === NIL_VM || vm < 0 || vm >= v.capacity || v.inUse[vm] !== 1) return undefined;
    const pfns = v.pfns[vm];
    return {
      id: vm,
      addr: v.addr[vm]!,
      size: v.size[vm]!,
      flags: v.flags[vm]!,
      nrPages: v.nrPages[vm]!,
      pageOrder: v.pageOrder[vm]!,
      physAddr: v.physAddr[vm]!,
      pagesAddr: v.pagesAddr[vm]!,
      caller: v.caller[vm],
      pfns: pfns === undefined ? [] : Array.from(pfns.subarray(0, v.nrPfns[vm]!)),
    };
  }

  /** Kernel: `vmalloc_nr_pages()`. */
  vmallocNrPages(): number {
    return this.state.nrVmallocPages;
  }

  /** Kernel: `lazy_max_pages()`. */
  lazyMaxPages(): number {
    return this.state.lazyMaxPages;
  }

  /** Kernel: `purge_vmap_area_lazy()`. */
  purgeVmapAreaLazy(): void {
    purgeVmapAreaLazy(this.state);
  }

  /** vmap_lazy_nr, purge and flush counters. */
  counters(): VmallocCounters {
    const s = this.state;
    return {
      vmapLazyNr: s.vmapLazyNr,
      purges: s.purges,
      purgedPages: s.purgedPages,
      tlbFlushes: s.tlbFlushes,
      tlbFlushedPages: s.tlbFlushedPages,
      drainRuns: s.drainRuns,
      overflowPurges: s.overflowPurges,
    };
  }

  /** /proc/vmallocinfo. */
  vmallocinfo(): string {
    return vmallocinfo(this.state);
  }

  /** VmallocTotal, VmallocUsed, VmallocChunk of /proc/meminfo, in kB. */
  meminfo(): VmallocMeminfo {
    return vmallocMeminfo(this.state);
  }

  /** Checks every structure; see validate.ts. */
  validate(sink: ValidationSink): void {
    validateVmalloc(this.state, sink);
  }
}
