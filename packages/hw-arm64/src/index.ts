// mmsim: @mmsim/hw-arm64 public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export type { Va } from "./va.ts";
export { formatVa, formatVa0x, parseVa, vaFromBigInt, vaToBigInt } from "./va.ts";
export {
  STRUCT_PAGE_MAX_SHIFT, MODULES_VSIZE, PCI_IO_SIZE, MAX_FDT_SIZE, FIX_FDT_SIZE, FIX_BTMAPS_SLOTS, SEGMENT_ALIGN,
  arm64Layout, defaultArm64Layout, defaultFixmapPermanentSlots, isLmAddress, isKimgAddress, __va, __pa, virtToPhys,
  physToVirt, __paSymbol, __physToKimg, lmAlias, formatLayout, formatSize, layoutRegion,
} from "./layout.ts";
export type { Arm64Layout, Arm64LayoutConfig, PhysRange } from "./layout.ts";
export {
  PT_PAGE_SHIFT, PTRS_PER_PTE, PTRS_PER_PMD, PTRS_PER_PUD, TABLE_WORDS, PMD_SHIFT, PMD_SIZE, PUD_SHIFT, PUD_SIZE,
  PGDIR_SHIFT_4L, levelShift, CONT_PTE_SHIFT, CONT_PTES, CONT_PTE_SIZE, CONT_PMD_SHIFT, CONT_PMDS, CONT_PMD_SIZE,
  PTE_VALID, PTE_TYPE_MASK, PTE_TYPE_PAGE, PTE_TABLE_BIT, PMD_TYPE_MASK, PMD_TYPE_FAULT, PMD_TYPE_TABLE, PMD_TYPE_SECT,
  PUD_TYPE_TABLE, PUD_TYPE_SECT, P4D_TYPE_TABLE, PTE_ATTRINDX, PTE_ATTRINDX_MASK, PTE_NS, PTE_USER, PTE_RDONLY,
  PTE_SHARED, PTE_AF, PTE_NG, PMD_SECT_VALID, PMD_SECT_USER, PMD_SECT_RDONLY, PMD_SECT_S, PMD_SECT_AF, PMD_SECT_NG,
  PTE_SWP_EXCLUSIVE, PTE_ADDR_LO, PTE_ADDR_HI, PTE_GP_HI, PTE_DBM_HI, PTE_CONT_HI, PTE_PXN_HI, PTE_UXN_HI, PTE_WRITE_HI,
  PTE_DIRTY_HI, PTE_SPECIAL_HI, PTE_DEVMAP_HI, PTE_PROT_NONE_HI, TABLE_PXN_HI, TABLE_UXN_HI, TABLE_AP_HI, TABLE_NS_HI,
  PMD_TABLE_PXN_HI, PMD_TABLE_UXN_HI, PUD_TABLE_PXN_HI, PUD_TABLE_UXN_HI, P4D_TABLE_PXN_HI, P4D_TABLE_UXN_HI,
  MT_NORMAL, MT_NORMAL_TAGGED, MT_NORMAL_NC, MT_DEVICE_nGnRnE, MT_DEVICE_nGnRE, MT_NAMES, pteval, pteWords,
  formatPteval, descOutputAddress,
} from "./pgtable-hwdef.ts";
export {
  pgprot, _PROT_DEFAULT, _PROT_SECT_DEFAULT, PTE_MAYBE_NG, PROT_DEFAULT, PROT_SECT_DEFAULT, _PAGE_DEFAULT,
  PROT_DEVICE_nGnRnE, PROT_DEVICE_nGnRE, PROT_NORMAL_NC, PROT_NORMAL, PROT_NORMAL_TAGGED, PROT_SECT_DEVICE_nGnRE,
  PROT_SECT_NORMAL, PROT_SECT_NORMAL_EXEC, PAGE_KERNEL, PAGE_KERNEL_TAGGED, PAGE_KERNEL_RO, PAGE_KERNEL_ROX,
  PAGE_KERNEL_EXEC, PAGE_KERNEL_EXEC_CONT, PAGE_NONE, PAGE_SHARED, PAGE_SHARED_EXEC, PAGE_READONLY, PAGE_READONLY_EXEC,
  PAGE_EXECONLY, VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, protectionMap, vmGetPageProt, pgprotTagged, pgprotDevice,
  PGPROT_NAMES, decodeDescriptor, formatDescriptor, pgprotName,
} from "./pgtable-prot.ts";
export type { Pgprot, DescKind, DecodedDescriptor } from "./pgtable-prot.ts";
export {
  PgtableStore, TABLE_ORIGIN_IMAGE, TABLE_ORIGIN_MEMBLOCK, TABLE_ORIGIN_PAGE_ALLOC, TABLE_ORIGIN_PAGE_ALLOC_CTOR,
  NR_TABLE_ORIGINS, tableOriginNames, ptPfn,
} from "./pgtable-store.ts";
export type { PgtableStoreOptions } from "./pgtable-store.ts";
export {
  PteVal, NULL_ENTRY, pgdIndex, pudIndex, pmdIndex, pteIndex, pgdAddrEnd, pudAddrEnd, pmdAddrEnd, pgdOffsetPgd, pgdOffset,
  pgdOffsetK, p4dOffset, pudOffset, pmdOffset, pteOffsetKernel, pteOffsetMap, entryPagePaddr, ptepGet, setPte, setPmd,
  setPud, setP4d, setPgd, pteClear, pmdClear, pudClear, p4dClear, pteNone, ptePresent, pteValid, pteYoung, pteWrite,
  pteRdonly, pteUser, pteUserExec, pteCont, pteSpecial, pteDevmap, pteHwDirty, pteSwDirty, pteDirty, pteProtnone,
  ptePfn, pmdPfn, pudPfn, pmdNone, pmdPresent, pmdTable, pmdSect, pmdBad, pmdLeaf, pudNone, pudPresent, pudTable,
  pudSect, pudBad, pudLeaf, p4dNone, p4dBad, p4dPresent, pgdNone, pfnPte, pfnPmd, pmdMkhuge, pteMkyoung, pteMkold,
  pteMkdirty, pteMkclean, pteMkwrite, pteWrprotect, pteMkexec, pteMkspecial, pteMkcont, pteMknoncont, pteMkpresent,
  pteMkdevmap, pteModify, ptepTestAndClearYoung, ptepGetAndClear, ptepSetWrprotect,
  __SWP_TYPE_SHIFT, __SWP_TYPE_BITS, __SWP_OFFSET_SHIFT, __SWP_OFFSET_BITS, isSwapPte, pteSwpExclusive, pteSwpMkexclusive,
  pteSwpClearExclusive, mkSwapPte, pteSwpType, pteSwpOffset, pteToSwpEntry,
} from "./pgtable.ts";
export { GFP_PGTABLE_KERNEL, GFP_PGTABLE_USER, PgtableAllocator } from "./pgalloc.ts";
export type { PgtableAllocStats } from "./pgalloc.ts";
export {
  MmPgtables, mmAllocPgd, mmFreePgd, pmdPopulate, pudPopulate, p4dPopulate, populate, pmdInstall, __pteAlloc,
  __pteAllocKernel, __pudAlloc, __pmdAlloc, p4dAlloc, pudAlloc, pmdAlloc, pteAlloc, pteAllocKernel, walkToPmd,
  getLockedPte, freePgdRange,
} from "./mm-pgtables.ts";
export {
  NO_BLOCK_MAPPINGS, NO_CONT_MAPPINGS, NO_EXEC_MAPPINGS, levelOfShift, pgattrChangeIsSafe, createPgdMapping, pmdSetHuge,
  pudSetHuge, pmdClearHuge, pudClearHuge, pmdFreePtePage, pudFreePmdPage,
} from "./create-mapping.ts";
export type { KernelPgtableFlusher, PgtableAllocFn } from "./create-mapping.ts";
export {
  KernelPageTables, earlyPgtableAlloc, canSetDirectMap, arm64KfenceCanSetDirectMap, kfenceEarlyInit, pagingInit, fixToVirt,
  fixFdt, KFENCE_POOL_SIZE, CONFIG_KFENCE_NUM_OBJECTS,
} from "./paging-init.ts";
export { RODATA_FULL_DEFAULT_ENABLED, CONFIG_KFENCE_SAMPLE_INTERVAL, setDebugRodata, getOption, parseMapMemParams } from "./early-params.ts";
export type { MapMemParams } from "./early-params.ts";
export type { KernelSegments, MemoryRegion, EarlyVmArea, PagingInitOptions, PagingInitTables } from "./paging-init.ts";
export {
  FAULT_NONE, FAULT_TRANSLATION, FAULT_ACCESS_FLAG, FAULT_PERMISSION, FAULT_ADDRESS_SIZE, ACCESS_READ, ACCESS_WRITE,
  ACCESS_EXEC, ACCESS_USER, WalkOut, walk, permissionFault,
} from "./walk.ts";
export { faultNames, leafSizeNames, formatWalk, checkVa, ptWalk } from "./walk-format.ts";
export { vmemmapPopulate, vmemmapRange } from "./vmemmap.ts";
export { addressMarkers, ptdumpKernel, ptdumpWalk } from "./ptdump.ts";
export type { AddrMarker } from "./ptdump.ts";
export { validatePgtables } from "./validate.ts";
export type { PgtableRoot, PgtableValidateOptions } from "./validate.ts";
export { ARM64_LAYOUT, KERNEL_PAGE_TABLES, MMU, hwArm64Module } from "./module.ts";
// The TLB, the ASID allocator and the translate path
export {
  CORTEX_A57_TLB, CpuTlb, MAX_TLBI_OPS, NR_TLBI_KINDS, TLBI_ASIDE1IS, TLBI_NAMES, TLBI_VAAE1IS, TLBI_VAALE1IS, TLBI_VAE1IS,
  TLBI_VALE1IS, TLBI_VMALLE1, TLBI_VMALLE1IS, TLB_HIT_L1, TLB_HIT_L2, TLB_LEAF_SHIFTS, TLB_MISS, Tlb, TlbDomain,
} from "./tlb.ts";
export type { CpuTlbConfig, TlbDomainOptions, TlbGeometry, TlbHitLevel } from "./tlb.ts";
export { AsidAllocator, INIT_MM } from "./context.ts";
export type { AsidAllocatorConfig, LocalTlbFlusher } from "./context.ts";
export { Mmu } from "./mmu.ts";
export type { MmuConfig, TranslationWalker, WalkResult } from "./mmu.ts";
