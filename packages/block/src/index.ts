// mmsim: @mmsim/block's public API (named re-exports only, STYLE C11)
export {
  BLK_DEF_MAX_SECTORS, BLK_MAX_REQUEST_COUNT, BLK_PLUG_FLUSH_SIZE, BlockDevice, NR_STAT_GROUPS, PAGE_SECTORS, REQ_OP_FLUSH, REQ_OP_READ,
  REQ_OP_WRITE, SECTOR_SHIFT, SECTOR_SIZE, STAT_DISCARD, STAT_FLUSH, STAT_READ, STAT_WRITE, VIRTBLK_MAJOR,
} from "./blk-dev.ts";
export type { BlockCosts, BlockDeviceConfig } from "./blk-dev.ts";
export { HZ, TICK_NSEC, jiffiesToMsecs, jiffiesToNs, msecsToJiffies, nsToJiffies, nsToMsecs, timeAfter, timeBefore } from "./jiffies.ts";
export { DISK_MAX_SIZE, DISK_MIN_SIZE, EXT2_NAME_LEN, PATH_MAX, diskSpecField, parseDiskSpec } from "./disk-spec.ts";
export type { DiskContents, DiskFileSpec, DiskSpec } from "./disk-spec.ts";
export {
  BlockMapResult, DirLookupResult, EXT2_ADDR_PER_BLOCK, EXT2_BLOCK_SECTORS, EXT2_BLOCK_SIZE, EXT2_BLOCKS_PER_GROUP, EXT2_GOOD_OLD_FIRST_INO,
  EXT2_INODE_SIZE, EXT2_ROOT_INO, EXT2_SUPER_MAGIC, Ext2Fs, INODE_DIR, INODE_FILE, INODE_FREE, ext2BgHasSuper, ext2BlocksFor, ext2DirRecLen,
} from "./ext2-fs.ts";
export type { Ext2Statfs } from "./ext2-fs.ts";
export {
  FORCE_RA_CHUNK_PAGES, FileRaState, HPAGE_PMD_NR, MMAP_LOTSAMISS, POSIX_FADV_NORMAL, POSIX_FADV_RANDOM, POSIX_FADV_SEQUENTIAL, VM_READAHEAD_PAGES,
  doAsyncMmapReadahead, doPageCacheRa, doSyncMmapReadahead, fadviseRa, forcePageCacheRa, getInitRaSize, getNextRaSize, ondemandReadahead,
  pageCacheAsyncRa, pageCacheNextMiss, pageCachePrevMiss, pageCacheRaUnbounded, pageCacheSyncRa,
} from "./mm/readahead.ts";
export type { MmapRaHints, ReadaheadMapping } from "./mm/readahead.ts";
export {
  BANDWIDTH_INTERVAL, BdpRatelimits, DIRTY_EXCEEDED_RATELIMIT, DIRTY_POLL_THRESH, DirtySysctls, INIT_BW, INIT_NR_DIRTIED_PAUSE, MAX_PAUSE,
  RATELIMIT_CALC_SHIFT, TaskDirtyState, WbBandwidth, balanceDirtyPages, balanceDirtyPagesNeeded, dirtyFreerunCeiling, dirtyPollInterval,
  domainDirtyLimits, domainUpdateDirtyLimit, globalDirtyLimits, globalDirtyableMemory, hardDirtyLimit, posRatioPolynom, ratelimitPages, wbCalcThresh,
  wbDirtyLimits, wbMaxPause, wbMinPause, wbOverBgThresh, wbPositionRatio, wbStatError, wbUpdateBandwidth, wbUpdateDirtyRatelimit,
  wbUpdateWriteBandwidth, writebackSetRatelimit,
} from "./mm/page-writeback.ts";
export type { BalanceDecision, DirtyLimits, DirtyState, DirtyThrottleControl, DirtyableCounts, WbCounts } from "./mm/page-writeback.ts";
export {
  BdiWriteback, DIRTY_SCOPE, MIN_WRITEBACK_PAGES, WB_REASON_BACKGROUND, WB_REASON_FOREIGN_FLUSH, WB_REASON_FORKER_THREAD, WB_REASON_FS_FREE_SPACE,
  WB_REASON_LAPTOP_TIMER, WB_REASON_NAMES, WB_REASON_PERIODIC, WB_REASON_SYNC, WB_REASON_VMSCAN,
} from "./mm/fs-writeback.ts";
export type { WbRunResult, WbWork, WritebackIo } from "./mm/fs-writeback.ts";
export { BIO_MAX_VECS, ext2Boundary, mpageReadahead, mpageWritepages } from "./mpage.ts";
export type { MpageIo } from "./mpage.ts";
