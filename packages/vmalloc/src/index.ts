// mmsim: @mmsim/vmalloc public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export { Vmalloc, VMALLOC_CONFIG } from "./vmalloc.ts";
export type { VmStructView } from "./vmalloc.ts";
export { VMALLOC, vmallocModule } from "./module.ts";
export {
  arm64VmallocLayout, resolveVmallocConfig, PMD_SHIFT, PMD_SIZE, PUD_SHIFT, IOREMAP_MAX_ORDER, MODULES_VSIZE,
  STRUCT_PAGE_MAX_SHIFT, CONFIG_NR_CPUS, PHYS_MASK_SHIFT,
} from "./layout.ts";
export type { VmallocLayout, VmallocConfig, ResolvedVmallocConfig } from "./layout.ts";
export {
  VmapPageTables, PAGE_KERNEL, PAGE_KERNEL_RO, PAGE_KERNEL_ROX, PAGE_KERNEL_EXEC, PROT_DEVICE_nGnRE, PROT_DEVICE_nGnRnE,
  PROT_NORMAL_NC, NR_VMAP_PROTS, vmapProtNames, pgprotNx, isVmapProt,
} from "./page-tables.ts";
export type { VmapProt } from "./page-tables.ts";
export { Arm64VmapPageTables, VMAP_PGPROTS } from "./arm64-page-tables.ts";
export {
  NIL_VM, VM_IOREMAP, VM_ALLOC, VM_MAP, VM_USERMAP, VM_DMA_COHERENT, VM_UNINITIALIZED, VM_NO_GUARD, VM_KASAN,
  VM_FLUSH_RESET_PERMS, VM_MAP_PUT_PAGES, VM_ALLOW_HUGE_VMAP, VM_DEFER_KMEMLEAK, SIZEOF_VM_STRUCT, SIZEOF_PAGE_PTR, VmStructs,
} from "./vm-struct.ts";
export {
  NIL_VA, VmapAreas, VMAP_AREA_LIST, FREE_VMAP_AREA_LIST, PURGE_VMAP_AREA_LIST, LOCAL_PURGE_LIST, NR_VA_LIST_HEADS,
  VMAP_AREA_ROOT, FREE_VMAP_AREA_ROOT, PURGE_VMAP_AREA_ROOT, NR_VA_ROOTS, RB_RED, RB_BLACK,
} from "./vmap-area.ts";
export {
  NOTHING_FIT, FL_FIT_TYPE, LE_FIT_TYPE, RE_FIT_TYPE, NE_FIT_TYPE, SIZEOF_VMAP_AREA, VA_ULONG_MAX, VA_KERNEL_MIN,
  allocVmapArea, findVmapArea, findVmapAreaExceedAddr, findVmapLowestMatch, classifyVaFitType, adjustVaToFitType,
  allocVmapAreaRange, freeVmapArea, freeVmapAreaNoflush, freeUnmapVmapArea, mergeOrAddVmapArea, isWithinThisVa,
  purgeVmapAreaLazy, purgeVmapAreaLazyRange, drainVmapAreaWork,
} from "./kva.ts";
export type { FitType } from "./kva.ts";
export { VmallocState, lazyMaxPages } from "./vmalloc-state.ts";
export type { VmallocCounters } from "./vmalloc-state.ts";
export { VMAP_MAX_ALLOC, VMAP_BBMAP_BITS_MAX, VMAP_BBMAP_BITS_MIN, vmapBbmapBits, VmapBlocks } from "./vmap-block-state.ts";
export { SIZEOF_VMAP_BLOCK, addrToVbIdx, vmMapRam, vmUnmapRam, vmUnmapAliases, purgeFragmentedBlocksAllcpus } from "./vmap-block.ts";
export {
  GFP_VMALLOC32, SHMLBA, getCountOrderLong, isVmallocAddr, isVmallocOrModuleAddr, warnAlloc, vmAreaAddEarly,
  vmAreaRegisterEarly, vmallocInit, getVmAreaNode, getVmAreaRange, getVmAreaCaller, findVmArea, removeVmArea,
  freeVmArea, vunmapArea, vunmapRange, vfree, vunmap, vmap, vmAreaAllocPages, vmallocAreaNode, vmallocNodeRange, vmallocNodeCaller,
  vmallocToPfn,
} from "./vm-area.ts";
export { ioremapAllowed, ioremapProt, ioremap, ioremapWc, ioremapNp, iounmap } from "./ioremap.ts";
export { INT_MAX, kvmallocNode, kvzallocNode, kvmallocArray, kvcalloc, kvfree } from "./kvmalloc.ts";
export { vmallocinfo, vmallocinfoLine, vmallocMeminfo } from "./vmallocinfo.ts";
export type { VmallocMeminfo } from "./vmallocinfo.ts";
export { KMALLOC_UNMODELLED } from "./slab-glue.ts";
export { validateVmalloc } from "./validate.ts";
export { VMALLOC_STEPS, vmallocStep, vfreeStep, kvmallocStep, kvfreeStep } from "./steps.ts";
export type { VmHandle } from "./steps.ts";
