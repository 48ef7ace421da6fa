// Kernel: mm/vmalloc.c (v6.1: vm_area_add_early … vmalloc_32_user) — vm_struct areas: get_vm_area, vmalloc, vfree, vmap, vunmap
/*
 * Followed: mm/vmalloc.c of 6.1.166 (line numbers of WARN lines are that file's).
 *
 * __get_vm_area_node() = a kzalloc'd vm_struct + alloc_vmap_area(size + guard page).
 * __vmalloc_node_range() = __get_vm_area_node(VM_ALLOC | VM_UNINITIALIZED) +
 * __vmalloc_area_node(): the pages array (kmalloc, or a nested vmalloc when larger than a
 * page: " vpages" in /proc/vmallocinfo), the pages (vm_area_alloc_pages()), the mapping
 * (vmap_pages_range()). vfree() = remove_vm_area() (unmap, lazy free of the vmap_area) + the
 * pages back to the page allocator + kvfree(pages) + kfree(vm_struct).
 *
 * Pages: 6.1 takes order-0 pages with alloc_pages_bulk_array_{mempolicy,node}() in batches of
 * at most 100, then falls back to alloc_pages() one by one for what the bulk call did not
 * deliver. mmsim has no bulk call in the PageAllocator interface: a batch is that many
 * allocPages(gfp & ~__GFP_NOFAIL, 0) calls, stopping at the first failure, and the fallback
 * loop follows as in the kernel. The bulk allocator takes the same pages from the same per-CPU
 * list while it has them; it differs in doing one watermark check per batch instead of one per
 * page. A huge vmalloc (VM_ALLOW_HUGE_VMAP, arm64 has HAVE_ARCH_HUGE_VMALLOC) takes order-9
 * blocks; the kernel split_page()s them and frees 512 order-0 pages, mmsim frees each block as
 * one order-9 block (core's PageAllocator has no split_page()).
 *
 * 6.1's __vmalloc_area_node() ORs __GFP_NOWARN into gfp_mask before its warn_alloc() calls, so
 * "failed to allocated page array", "failed to allocate pages" and "failed to map pages" are
 * never printed in 6.1 (fixed in 6.3 by "mm: vmalloc: correct use of __GFP_NOWARN mask in
 * __vmalloc_area_node()"). mmsim keeps that: a page-allocation failure fails silently; the
 * vm_struct allocation failure and the size check do print.
 *
 * `%p` in WARN texts is printed as the real address (as with no_hash_pointers).
 */
import {
  ArgumentError, GFP_DMA, GFP_DMA32, GFP_KERNEL, GFP_NOWAIT, GFP_RECLAIM_MASK, KERN_WARNING, NIL_PFN, NUMA_NO_NODE, PAGE_SHIFT,
  PAGE_SIZE, SLAB_PANIC, type SlabCommon, __GFP_HIGHMEM, __GFP_NOFAIL, __GFP_NOWARN, __GFP_ZERO, formatGfpMask, isPowerOf2,
} from "@mmsim/core";
import { formatVa, type Va } from "@mmsim/hw-arm64";
import { kvfree } from "./kvmalloc.ts";
import {
  SIZEOF_VMAP_AREA, VA_KERNEL_MIN, VA_ULONG_MAX, allocVmapArea, findVmapArea, flushTlbKernelRange, freeUnmapVmapArea,
  insertVmapArea, vaCacheAlloc, vmapInitFreeSpace,
} from "./kva.ts";
import { IOREMAP_MAX_ORDER, PMD_SHIFT, PMD_SIZE } from "./layout.ts";
import { PAGE_KERNEL, pgprotNx } from "./page-tables.ts";
import { kfree, kmallocNode } from "./slab-glue.ts";
import type { VmallocState } from "./vmalloc-state.ts";
import { NIL_VA, VMAP_AREA_LIST, VMAP_AREA_ROOT } from "./vmap-area.ts";
import { vmUnmapAliases, vmUnmapAliasesRange } from "./vmap-block.ts";
import {
  NIL_VM, SIZEOF_PAGE_PTR, SIZEOF_VM_STRUCT, VM_ALLOC, VM_ALLOW_HUGE_VMAP, VM_FLUSH_RESET_PERMS, VM_IOREMAP,
  VM_MAP_PUT_PAGES, VM_NO_GUARD, VM_UNINITIALIZED,
} from "./vm-struct.ts";

/** Kernel: `GFP_VMALLOC32` on arm64 (CONFIG_ZONE_DMA32): GFP_DMA32 | GFP_KERNEL. */
export const GFP_VMALLOC32 = GFP_DMA32 | GFP_KERNEL;
/** arm64 `SHMLBA` (asm-generic/shmparam.h): PAGE_SIZE. */
export const SHMLBA = PAGE_SIZE;
/** How often a __GFP_NOFAIL vmalloc retries before mmsim gives up (the kernel retries for ever). */
export const MAX_NOFAIL_RETRIES = 16;

/** A kernel address with [addr, addr + size) inside the kernel half; for API checks. */
function checkRange(site: string, start: Va, end: Va): void {
  if (!Number.isSafeInteger(start) || start >= 0 || start < VA_KERNEL_MIN) {
    throw new ArgumentError(site, "start", "a kernel address (a negative Va, at least 0xfff0000000000000)", String(start));
  }
  if (!Number.isSafeInteger(end) || end > 0 || end <= start) throw new ArgumentError(site, "end", `a kernel address above start (${start}), or 0 for the top`, String(end));
}

function checkSize(site: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new ArgumentError(site, "size", "a byte count, an integer in [0, 2^53)", String(size));
}

/** Kernel: `get_count_order_long()`: the order of the smallest power of two ≥ n (n ≥ 1). */
export function getCountOrderLong(n: number): number {
  let order = 0;
  while (2 ** order < n) order++;
  return order;
}

/** Kernel: `is_vmalloc_addr()`. */
export function isVmallocAddr(s: VmallocState, addr: Va): boolean {
  return addr >= s.cfg.vmallocStart && addr < s.cfg.vmallocEnd;
}

/** Kernel: `is_vmalloc_or_module_addr()` (CONFIG_MODULES, MODULES_VADDR defined). */
export function isVmallocOrModuleAddr(s: VmallocState, addr: Va): boolean {
  if (addr >= s.cfg.modulesVaddr && addr < s.cfg.modulesEnd) return true;
  return isVmallocAddr(s, addr);
}

/**
 * Logs an allocation failure in the kernel's words (first line only: no dump_stack/show_mem).
 * Kernel: `warn_alloc()` (mm/page_alloc.c; nopage_rs is 10*HZ, burst 1 in 6.1.y).
 */
export function warnAlloc(s: VmallocState, gfp: number, text: string): void {
  if ((gfp & __GFP_NOWARN) !== 0) return;
  if (!s.nopageRs.ratelimit(s.clock, s.log, "warn_alloc")) return;
  const nodes = s.cfg.nrNodes;
  s.log.printk(KERN_WARNING, `${s.comm}: ${text}, mode:${formatGfpMask(gfp)}, nodemask=(null),cpuset=/,mems_allowed=${nodes === 1 ? "0" : `0-${nodes - 1}`}`);
}

// ---------------------------------------------------------------------------------------------
// boot

/**
 * Adds a fixed area to vmlist before vmalloc_init(). Kernel: `vm_area_add_early()`, as
 * map_kernel_segment() (paging_init) fills the vm_struct: addr, size (with a guard page unless
 * VM_NO_GUARD), flags, phys_addr, caller.
 * @returns the (static) vm_struct
 * @throws ArgumentError after vmalloc_init() or for an area overlapping another (BUG_ON)
 */
export function vmAreaAddEarly(s: VmallocState, addr: Va, size: number, flags: number, physAddr: number, caller: string | undefined): number {
  if (s.vmapInitialized) throw new ArgumentError("vmalloc.vmAreaAddEarly", "vmapInitialized", "a call before vmallocInit() (BUG_ON(vmap_initialized))", "true");
  checkRange("vmalloc.vmAreaAddEarly", addr, addr + size);
  const v = s.vms;
  let prev = NIL_VM;
  let tmp = s.vmlist;
  for (; tmp !== NIL_VM; prev = tmp, tmp = v.next[tmp]!) {
    if (v.addr[tmp]! >= addr) {
      if (v.addr[tmp]! < addr + size) throw new ArgumentError("vmalloc.vmAreaAddEarly", "addr", "an area not overlapping the next one on vmlist (BUG_ON)", formatVa(addr));
      break;
    } else if (v.addr[tmp]! + v.size[tmp]! > addr) {
      throw new ArgumentError("vmalloc.vmAreaAddEarly", "addr", "an area not overlapping the previous one on vmlist (BUG_ON)", formatVa(addr));
    }
  }
  const vm = v.alloc();
  v.addr[vm] = addr;
  v.size[vm] = size;
  v.flags[vm] = flags;
  v.physAddr[vm] = physAddr;
  v.caller[vm] = caller;
  v.next[vm] = tmp;
  if (prev === NIL_VM) s.vmlist = vm;
  else v.next[prev] = vm;
  return vm;
}

/**
 * Registers an area of `size` bytes at the lowest `align`ed hole of vmlist above
 * VMALLOC_START, before vmalloc_init(). Kernel: `vm_area_register_early()`.
 * @returns the (static) vm_struct, its addr set
 */
export function vmAreaRegisterEarly(s: VmallocState, size: number, flags: number, align: number, caller: string | undefined): number {
  if (s.vmapInitialized) throw new ArgumentError("vmalloc.vmAreaRegisterEarly", "vmapInitialized", "a call before vmallocInit() (BUG_ON(vmap_initialized))", "true");
  const v = s.vms;
  let addr = Math.ceil(s.cfg.vmallocStart / align) * align;
  let prev = NIL_VM;
  let cur = s.vmlist;
  for (; cur !== NIL_VM; prev = cur, cur = v.next[cur]!) {
    const gap = v.addr[cur]! - addr; // unsigned in the kernel: an area below addr "fits"
    if (gap < 0 || gap >= size) break;
    addr = Math.ceil((v.addr[cur]! + v.size[cur]!) / align) * align;
  }
  if (addr > s.cfg.vmallocEnd - size) throw new ArgumentError("vmalloc.vmAreaRegisterEarly", "size", "an area that fits below VMALLOC_END (BUG_ON)", String(size));
  const vm = v.alloc();
  v.addr[vm] = addr;
  v.size[vm] = size;
  v.flags[vm] = flags;
  v.caller[vm] = caller;
  v.next[vm] = cur;
  if (prev === NIL_VM) s.vmlist = vm;
  else v.next[prev] = vm;
  return vm;
}

/**
 * Creates vmap_area_cachep, imports vmlist into the busy tree and builds the free tree.
 * Kernel: `vmalloc_init()` (after kmem_cache_init() in mm_init()).
 * @param slab the machine's slab layer, or undefined to run without one (see slab-glue.ts)
 */
export function vmallocInit(s: VmallocState, slab: SlabCommon | undefined): void {
  if (s.vmapInitialized) throw new ArgumentError("vmalloc.vmallocInit", "vmapInitialized", "one vmallocInit() per machine", "a second call");
  s.slab = slab;
  if (slab !== undefined) s.vmapAreaCache = slab.kmemCacheCreate("vmap_area", SIZEOF_VMAP_AREA, 8, SLAB_PANIC);
  const v = s.vms;
  const a = s.areas;
  for (let tmp = s.vmlist; tmp !== NIL_VM; tmp = v.next[tmp]!) {
    const va = vaCacheAlloc(s, GFP_NOWAIT | __GFP_ZERO, NUMA_NO_NODE);
    if (va === NIL_VA) {
      s.log.warnOnce("vmalloc:vmalloc_init", "mm/vmalloc.c:2443 vmalloc_init");
      continue;
    }
    a.vaStart[va] = v.addr[tmp]!;
    a.vaEnd[va] = v.addr[tmp]! + v.size[tmp]!;
    a.vm[va] = tmp;
    insertVmapArea(s, va, VMAP_AREA_ROOT, VMAP_AREA_LIST);
  }
  vmapInitFreeSpace(s);
  s.vmapInitialized = true;
}

// ---------------------------------------------------------------------------------------------
// vm_struct areas

/**
 * Reserves a kernel virtual area: a vm_struct and its vmap_area (with a guard page unless
 * VM_NO_GUARD). Kernel: `__get_vm_area_node()`.
 * @param shift the page shift the size is aligned to (PAGE_SHIFT, or PMD_SHIFT for huge vmalloc)
 * @returns the vm_struct, or NIL_VM
 */
export function getVmAreaNode(
  s: VmallocState, size: number, align: number, shift: number, flags: number, start: Va, end: Va, node: number, gfp: number, caller: string | undefined,
): number {
  const unit = 2 ** shift;
  size = Math.ceil(size / unit) * unit;
  if (size === 0) return NIL_VM;
  if ((flags & VM_IOREMAP) !== 0) align = 2 ** Math.min(Math.max(getCountOrderLong(size), PAGE_SHIFT), IOREMAP_MAX_ORDER);
  const v = s.vms;
  const obj = kmallocNode(s, SIZEOF_VM_STRUCT, (gfp & GFP_RECLAIM_MASK) | __GFP_ZERO, node);
  if (obj === 0) return NIL_VM;
  if ((flags & VM_NO_GUARD) === 0) size += PAGE_SIZE;
  const va = allocVmapArea(s, size, align, start, end, node, gfp);
  if (va < 0) {
    kfree(s, obj);
    return NIL_VM;
  }
  const vm = v.alloc();
  v.obj[vm] = obj;
  // setup_vmalloc_vm()
  v.flags[vm] = flags;
  v.addr[vm] = s.areas.vaStart[va]!;
  v.size[vm] = s.areas.vaEnd[va]! - s.areas.vaStart[va]!;
  v.caller[vm] = caller;
  s.areas.vm[va] = vm;
  return vm;
}

/** Kernel: `__get_vm_area_caller()`. */
export function getVmAreaRange(s: VmallocState, size: number, flags: number, start: Va, end: Va, caller: string | undefined): number {
  checkSize("vmalloc.getVmAreaRange", size);
  checkRange("vmalloc.getVmAreaRange", start, end);
  return getVmAreaNode(s, size, 1, PAGE_SHIFT, flags, start, end, NUMA_NO_NODE, GFP_KERNEL, caller);
}

/** Kernel: `get_vm_area_caller()` (and `get_vm_area()`). */
export function getVmAreaCaller(s: VmallocState, size: number, flags: number, caller: string | undefined): number {
  checkSize("vmalloc.getVmAreaCaller", size);
  return getVmAreaNode(s, size, 1, PAGE_SHIFT, flags, s.cfg.vmallocStart, s.cfg.vmallocEnd, NUMA_NO_NODE, GFP_KERNEL, caller);
}

/** The vm_struct of the busy area containing addr, or NIL_VM. Kernel: `find_vm_area()`. */
export function findVmArea(s: VmallocState, addr: Va): number {
  const va = findVmapArea(s, addr);
  return va === NIL_VA ? NIL_VM : s.areas.vm[va]!;
}

/**
 * Detaches the vm_struct of the area containing addr, unmaps the area and frees it lazily.
 * Kernel: `remove_vm_area()`.
 * @returns the vm_struct (still allocated), or NIL_VM
 */
export function removeVmArea(s: VmallocState, addr: Va): number {
  const va = findVmapArea(s, addr);
  if (va !== NIL_VA && s.areas.vm[va] !== NIL_VM) {
    const vm = s.areas.vm[va]!;
    s.areas.vm[va] = NIL_VM;
    freeUnmapVmapArea(s, va);
    return vm;
  }
  return NIL_VM;
}

/** kfree() of a vm_struct (a static one of vm_area_add_early() has no object: only its slot goes). */
function kfreeVm(s: VmallocState, vm: number): void {
  const obj = s.vms.obj[vm]!;
  if (obj !== 0) kfree(s, obj);
  s.vms.free(vm);
}

/** Kernel: `free_vm_area()`. */
export function freeVmArea(s: VmallocState, vm: number): void {
  const ret = removeVmArea(s, s.vms.addr[vm]!);
  if (ret !== vm) throw new ArgumentError("vmalloc.freeVmArea", "area", "a vm_struct whose area is still mapped (BUG_ON)", String(vm));
  kfreeVm(s, vm);
}

/** Kernel: `vm_remove_mappings()`. */
function vmRemoveMappings(s: VmallocState, vm: number, deallocatePages: boolean): void {
  const v = s.vms;
  removeVmArea(s, v.addr[vm]!);
  if ((v.flags[vm]! & VM_FLUSH_RESET_PERMS) === 0) return;
  if (!deallocatePages) {
    vmUnmapAliases(s);
    return;
  }
  // The direct-map range of the pages, flushed with the aliases (set_direct_map_*() is not modelled).
  let start = VA_ULONG_MAX;
  let end = VA_KERNEL_MIN;
  let flushDmap = false;
  const pageAddress = s.cfg.pageAddress;
  const pfns = v.pfns[vm];
  const step = 2 ** v.pageOrder[vm]!;
  if (pageAddress !== undefined && pfns !== undefined) {
    for (let i = 0; i < v.nrPages[vm]!; i += step) {
      const addr = pageAddress(pfns[i]!);
      if (addr !== 0) {
        start = Math.min(addr, start);
        end = Math.max(addr + PAGE_SIZE * step, end);
        flushDmap = true;
      }
    }
  }
  vmUnmapAliasesRange(s, start, end, flushDmap);
}

/**
 * Kernel: `__vunmap()`: the area containing addr goes (lazily); with deallocatePages its pages
 * go back to the page allocator and the pages array is kvfree()d.
 */
export function vunmapArea(s: VmallocState, addr: Va, deallocatePages: boolean): void {
  if (addr === 0) return;
  if (addr % PAGE_SIZE !== 0) {
    s.log.warn("mm/vmalloc.c:2695 __vunmap", `Trying to vfree() bad address (${formatVa(addr)})`);
    return;
  }
  const vm = findVmArea(s, addr);
  if (vm === NIL_VM) {
    s.log.warn("mm/vmalloc.c:2701 __vunmap", `Trying to vfree() nonexistent vm area (${formatVa(addr)})`);
    return;
  }
  vmRemoveMappings(s, vm, deallocatePages);
  const v = s.vms;
  if (deallocatePages) {
    const n = v.nrPages[vm]!;
    const pfns = v.pfns[vm];
    const order = v.pageOrder[vm]!;
    const step = 2 ** order;
    if (pfns !== undefined) for (let i = 0; i < n; i += step) s.pages.freePages(pfns[i]!, order, s.cpu);
    if ((v.flags[vm]! & VM_MAP_PUT_PAGES) === 0) s.nrVmallocPages -= n;
    kvfree(s, v.pagesAddr[vm]!);
  }
  kfreeVm(s, vm);
}

/**
 * Clears the PTEs of [addr, end) and flushes the TLB at once. Kernel: `vunmap_range()` (what
 * arm64's free_initmem() does to the __init part of the image, leaving its vm areas in place).
 */
export function vunmapRange(s: VmallocState, addr: Va, end: Va): void {
  s.pgtables.vunmapRangeNoflush(addr, end);
  flushTlbKernelRange(s, addr, end);
}

/** Kernel: `vfree()` (never in interrupt context in mmsim: no deferral). */
export function vfree(s: VmallocState, addr: Va): void {
  vunmapArea(s, addr, true);
}

/** Kernel: `vunmap()`. */
export function vunmap(s: VmallocState, addr: Va): void {
  if (addr !== 0) vunmapArea(s, addr, false);
}

/**
 * Maps `count` pages (pfns[0..count)) into a new virtually contiguous area. Kernel: `vmap()`.
 * @param pagesArrayAddr with VM_MAP_PUT_PAGES: the kmalloc/vmalloc address of the caller's
 *   pages array, which vfree() will kvfree() (0 when not modelled)
 * @returns the address, or 0 (NULL)
 */
export function vmap(s: VmallocState, pfns: Int32Array, count: number, flags: number, prot: number, caller: string | undefined, pagesArrayAddr = 0): Va {
  if ((flags & VM_NO_GUARD) !== 0) {
    s.log.warnOnce("vmalloc:vmap:VM_NO_GUARD", "mm/vmalloc.c:2856 vmap");
    flags &= ~VM_NO_GUARD;
  }
  if (count > s.totalramPages()) return 0;
  if (count > pfns.length) throw new ArgumentError("vmalloc.vmap", "count", `at most pfns.length (${pfns.length})`, String(count));
  const size = count * PAGE_SIZE;
  const vm = getVmAreaCaller(s, size, flags, caller);
  if (vm === NIL_VM) return 0;
  const v = s.vms;
  const addr = v.addr[vm]!;
  if (s.pgtables.vmapPagesRange(addr, pfns, count, pgprotNx(prot), PAGE_SHIFT) < 0) {
    vunmap(s, addr);
    return 0;
  }
  const buf = v.pfnBuffer(vm, count);
  for (let i = 0; i < count; i++) buf[i] = pfns[i]!;
  v.nrPfns[vm] = count;
  if ((flags & VM_MAP_PUT_PAGES) !== 0) {
    v.pagesAddr[vm] = pagesArrayAddr;
    v.nrPages[vm] = count;
  }
  return addr;
}

// ---------------------------------------------------------------------------------------------
// vmalloc

/**
 * Fills `pages` with nrPages PFNs in blocks of 2^order. Kernel: `vm_area_alloc_pages()`.
 * @returns how many small pages were obtained
 */
export function vmAreaAllocPages(s: VmallocState, gfp: number, nid: number, order: number, nrPages: number, pages: Int32Array): number {
  let nrAllocated = 0;
  let allocGfp = gfp;
  if (order === 0) {
    // alloc_pages_bulk_array_*(): batches of at most 100 (see the header)
    const bulkGfp = gfp & ~__GFP_NOFAIL;
    while (nrAllocated < nrPages) {
      const request = Math.min(100, nrPages - nrAllocated);
      let nr = 0;
      while (nr < request) {
        const pfn = s.pages.allocPages(bulkGfp, 0, s.cpu, nid);
        if (pfn < 0) break;
        pages[nrAllocated + nr] = pfn;
        nr++;
      }
      nrAllocated += nr;
      if (nr !== request) break;
    }
  } else if ((gfp & __GFP_NOFAIL) !== 0) {
    allocGfp &= ~__GFP_NOFAIL;
  }
  const step = 2 ** order;
  while (nrAllocated < nrPages) {
    const pfn = s.pages.allocPages(allocGfp, order, s.cpu, nid);
    if (pfn < 0) break;
    for (let i = 0; i < step; i++) pages[nrAllocated + i] = pfn + i;
    nrAllocated += step;
  }
  return nrAllocated;
}

/**
 * Backs an area with pages and maps them. Kernel: `__vmalloc_area_node()`.
 * @returns the address, or 0 (the area is freed)
 */
export function vmallocAreaNode(s: VmallocState, vm: number, gfp: number, prot: number, pageShift: number, node: number): Va {
  const v = s.vms;
  const nestedGfp = (gfp & GFP_RECLAIM_MASK) | __GFP_ZERO;
  const nofail = (gfp & __GFP_NOFAIL) !== 0;
  const addr = v.addr[vm]!;
  const size = v.areaSize(vm);
  const nrSmallPages = size / PAGE_SIZE;
  const arraySize = nrSmallPages * SIZEOF_PAGE_PTR;
  gfp |= __GFP_NOWARN;
  if ((gfp & (GFP_DMA | GFP_DMA32)) === 0) gfp |= __GFP_HIGHMEM;
  // The recursion is strictly bounded: 512 page pointers fit in a page.
  const pagesAddr = arraySize > PAGE_SIZE ? vmallocNodeCaller(s, arraySize, 1, nestedGfp, node, v.caller[vm]) : kmallocNode(s, arraySize, nestedGfp, node);
  v.pagesAddr[vm] = pagesAddr;
  if (pagesAddr === 0) {
    warnAlloc(s, gfp, `vmalloc error: size ${nrSmallPages * PAGE_SIZE}, failed to allocated page array size ${arraySize}`);
    freeVmArea(s, vm);
    return 0;
  }
  v.pageOrder[vm] = pageShift - PAGE_SHIFT;
  const pageOrder = v.pageOrder[vm]!;
  const buf = v.pfnBuffer(vm, nrSmallPages);
  const nr = vmAreaAllocPages(s, gfp | __GFP_NOWARN, node, pageOrder, nrSmallPages, buf);
  v.nrPages[vm] = nr;
  v.nrPfns[vm] = nr;
  s.nrVmallocPages += nr;
  if (nr !== nrSmallPages) {
    warnAlloc(s, gfp, `vmalloc error: size ${nr * PAGE_SIZE}, page order ${pageOrder}, failed to allocate pages`);
    vfree(s, addr);
    return 0;
  }
  let ret = s.pgtables.vmapPagesRange(addr, buf, nrSmallPages, prot, pageShift);
  for (let tries = 0; nofail && ret < 0 && tries < MAX_NOFAIL_RETRIES; tries++) {
    s.clock.advance(4_000_000); // schedule_timeout_uninterruptible(1): one jiffy at HZ=250
    ret = s.pgtables.vmapPagesRange(addr, buf, nrSmallPages, prot, pageShift);
  }
  if (ret < 0) {
    warnAlloc(s, gfp, `vmalloc error: size ${nr * PAGE_SIZE}, failed to map pages`);
    vfree(s, addr);
    return 0;
  }
  return addr;
}

/**
 * Allocates `size` bytes of virtually contiguous memory in [start, end).
 * Kernel: `__vmalloc_node_range()`.
 * @param vmFlags extra VM_* flags (VM_NO_GUARD, VM_USERMAP, VM_ALLOW_HUGE_VMAP, …)
 * @param node NUMA node for the pages and metadata, or NUMA_NO_NODE (-1)
 * @param caller the `%pS` text /proc/vmallocinfo shows
 * @returns the address, or 0 (NULL) after the kernel's message
 */
export function vmallocNodeRange(
  s: VmallocState, size: number, align: number, start: Va, end: Va, gfp: number, prot: number, vmFlags: number, node: number, caller: string | undefined,
): Va {
  checkSize("vmalloc.vmallocNodeRange", size);
  checkRange("vmalloc.vmallocNodeRange", start, end);
  if (!Number.isSafeInteger(align) || align <= 0 || !isPowerOf2(align)) {
    throw new ArgumentError("vmalloc.vmallocNodeRange", "align", "a power of two", String(align));
  }
  const realSize = size;
  const realAlign = align;
  let shift = PAGE_SHIFT;
  if (size === 0) {
    s.log.warnOnce("vmalloc:__vmalloc_node_range:size", "mm/vmalloc.c:3170 __vmalloc_node_range");
    return 0;
  }
  if (Math.floor(size / PAGE_SIZE) > s.totalramPages()) {
    warnAlloc(s, gfp, `vmalloc error: size ${realSize}, exceeds total pages`);
    return 0;
  }
  if (s.cfg.vmapAllowHuge && (vmFlags & VM_ALLOW_HUGE_VMAP) !== 0) {
    let sizePerNode = size;
    if (node === NUMA_NO_NODE) sizePerNode = Math.floor(sizePerNode / s.cfg.nrNodes);
    // arch_vmap_pte_supported_shift() is PAGE_SHIFT on arm64 6.1
    shift = s.cfg.archVmapPmdSupported && sizePerNode >= PMD_SIZE ? PMD_SHIFT : PAGE_SHIFT;
    align = Math.max(realAlign, 2 ** shift);
  }
  for (;;) {
    let ret = 0;
    let vm = getVmAreaNode(s, realSize, align, shift, VM_ALLOC | VM_UNINITIALIZED | vmFlags, start, end, node, gfp, caller);
    for (let tries = 0; vm === NIL_VM; tries++) {
      const nofail = (gfp & __GFP_NOFAIL) !== 0;
      warnAlloc(s, gfp, `vmalloc error: size ${realSize}, vm_struct allocation failed${nofail ? ". Retrying." : ""}`);
      if (!nofail || tries >= MAX_NOFAIL_RETRIES) break;
      s.clock.advance(4_000_000);
      vm = getVmAreaNode(s, realSize, align, shift, VM_ALLOC | VM_UNINITIALIZED | vmFlags, start, end, node, gfp, caller);
    }
    if (vm !== NIL_VM) ret = vmallocAreaNode(s, vm, gfp, prot, shift, node);
    if (ret !== 0) {
      s.vms.flags[vm] = s.vms.flags[vm]! & ~VM_UNINITIALIZED; // clear_vm_uninitialized_flag()
      return ret;
    }
    // fail:
    if (shift > PAGE_SHIFT) {
      shift = PAGE_SHIFT;
      align = realAlign;
      continue;
    }
    return 0;
  }
}

/** Kernel: `__vmalloc_node()`. */
export function vmallocNodeCaller(s: VmallocState, size: number, align: number, gfp: number, node: number, caller: string | undefined): Va {
  return vmallocNodeRange(s, size, align, s.cfg.vmallocStart, s.cfg.vmallocEnd, gfp, PAGE_KERNEL, 0, node, caller);
}

/**
 * The PFN mapped at a vmalloc address, from the area's vm_struct (its pages, or phys_addr for
 * ioremap and the kernel image). Kernel: `vmalloc_to_pfn()` (which walks init_mm's tables).
 * @returns the PFN, or NIL_PFN (no area, the guard page, a vm_map_ram area)
 */
export function vmallocToPfn(s: VmallocState, addr: Va): number {
  const va = findVmapArea(s, addr);
  if (va === NIL_VA) return NIL_PFN;
  const vm = s.areas.vm[va]!;
  if (vm === NIL_VM) return NIL_PFN;
  const v = s.vms;
  const idx = Math.floor((addr - v.addr[vm]!) / PAGE_SIZE);
  const pfns = v.pfns[vm];
  if (pfns !== undefined && idx < v.nrPfns[vm]!) return pfns[idx]!;
  if (v.physAddr[vm] !== 0 && idx * PAGE_SIZE < v.areaSize(vm)) return Math.floor(v.physAddr[vm]! / PAGE_SIZE) + idx;
  return NIL_PFN;
}
