// mmsim: @mmsim/procfs public API (named re-exports only, STYLE C11)
export { KERNEL_PAGE_TABLES_DEBUGFS, PROC_VMALLOCINFO, ProcFs, readProcFile, listProcFiles } from "./proc-fs.ts";
export type { ProcFsSources } from "./proc-fs.ts";
export {
  PROC_BUDDYINFO, PROC_PAGETYPEINFO, PROC_ZONEINFO, PROC_VMSTAT, PAGETYPEINFO_FREECOUNT_CAP, fragShow, fragShowPrint,
  freeListCount, pagetypeinfoShow, pagetypeinfoShowNode, pagetypeinfoShowfreePrint, pageblockCounts,
  pagetypeinfoShowblockcountPrint, isZoneFirstPopulated, zoneinfoShow, zoneinfoShowPrint, vmstatValues, vmstatShow,
} from "./vmstat.ts";
export type { ZoneinfoOptions, VmstatOptions } from "./vmstat.ts";
export { DEFAULT_DIRTY_SYSCTL, globalDirtyableMemory, domainDirtyLimits, globalDirtyLimits } from "./page-writeback.ts";
export type { DirtySysctl, DirtyLimits } from "./page-writeback.ts";
export { PROC_MEMINFO, meminfoProcShow } from "./meminfo.ts";
export type { MeminfoOptions } from "./meminfo.ts";
export { siMemAvailable, siMeminfo } from "./page-alloc.ts";
export type { Sysinfo } from "./page-alloc.ts";
export { DEFAULT_OVERCOMMIT_SYSCTL, vmCommitLimit } from "./util.ts";
export type { OvercommitSysctl } from "./util.ts";
export { arm64Hstates, hugetlbTotalPages, hugetlbReportMeminfo } from "./hugetlb.ts";
export type { Hstate } from "./hugetlb.ts";
export { STRUCT_PAGE_MAX_SHIFT, ARM64_VA_BITS, vaBitsMin, vmallocStart, vmallocEnd, vmallocTotal } from "./memory-arm64.ts";
export {
  PROC_IOMEM, MAX_IORES_LEVEL, resource, iomemResource, requestResource, insertResource, insertResourceTree,
  reserveRegionWithSplit, rShow,
} from "./iomem.ts";
export type { Resource, IomemShowOptions } from "./iomem.ts";
export { MEMBLOCK_DEBUGFS_FILES, memblockMemoryShow, memblockReservedShow } from "./debugfs.ts";
export { padLeft, padRight, hexPad, ulong, seqPutDecimalUllWidth } from "./seq-file.ts";
export {
  parseMeminfo, parseVmstat, parseBuddyinfo, parsePagetypeinfo, parseZoneinfo, parseSlabinfo, parseSysctl, parseMemblockDebugfs,
  parseVmallocinfo, parseIomem,
} from "./parse.ts";
export type {
  BuddyinfoZone, PagetypeinfoFree, PagetypeinfoBlocks, Pagetypeinfo, ZoneinfoPageset, ZoneinfoZone, SlabinfoCache, Slabinfo,
  MemblockRegionRow, VmallocinfoArea, IomemResource,
} from "./parse.ts";
export {
  showMapVma, procPidMaps, procPidSmaps, procPidSmapsRollup, procPidStatm, showSmap, showSmapCommon, showSmapVmaFlags, smapGatherStats,
  newMemSizeStats, hugepageVmaCheck, taskMem,
} from "./task-mmu.ts";
export type { TaskMmuSources, ThpEnabled, MemSizeStats } from "./task-mmu.ts";
export { procPidStatus, rlimitSigpending, bitmapString, bitmapListString, NODES_SHIFT } from "./array.ts";
export type { StatusOptions } from "./array.ts";
export { oomScoreAdjRead, oomScoreAdjWrite, OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX } from "./base.ts";
export {
  pagemapEntry, pagemapRead, pagemapDecoded, PAGEMAP_DECODED, PM_ENTRY_BYTES, PM_SOFT_DIRTY_HI, PM_MMAP_EXCLUSIVE_HI, PM_UFFD_WP_HI, PM_FILE_HI,
  PM_SWAP_HI, PM_PRESENT_HI,
} from "./pagemap.ts";
export type { PagemapEntry } from "./pagemap.ts";
