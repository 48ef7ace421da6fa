// mmsim: @mmsim/filemap's public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export {
  XArray, XA_CHUNK_SHIFT, XA_CHUNK_SIZE, XA_CHUNK_MASK, XA_MARK_0, XA_MARK_1, XA_MARK_2, XA_MAX_MARKS, XA_MAX_INDEX, XA_EMPTY, xaMkPage,
  xaToPage, xaMkValue, xaToValue, xaIsValue,
} from "./xarray.ts";
export {
  O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND, O_NONBLOCK, O_DSYNC, O_DIRECTORY, O_NOFOLLOW,
  O_DIRECT, O_LARGEFILE, O_NOATIME, O_CLOEXEC, __O_SYNC, O_SYNC, O_PATH, FMODE_READ, FMODE_WRITE, FMODE_LSEEK, FMODE_PREAD, FMODE_PWRITE,
  FMODE_EXEC, FMODE_ATOMIC_POS, FMODE_CAN_READ, FMODE_CAN_WRITE, FMODE_OPENED, S_IFMT, S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR,
  S_IFCHR, S_IFIFO, S_IRWXUGO, sIsReg, sIsDir, sIsChr, MAX_LFS_FILESIZE, SB_RDONLY, SB_NOSEC, SB_KERNMOUNT, SB_NOUSER, I_FREEING, I_REFERENCED, DCACHE_REFERENCED, DCACHE_LRU_LIST, DCACHE_SHRINK_LIST,
  S_PRIVATE, INR_OPEN_CUR, ATTR_SIZE, AS_EIO, AS_ENOSPC, AS_MM_ALL_LOCKS, AS_UNEVICTABLE, AS_EXITING, AS_NO_WRITEBACK_TAGS,
  AS_LARGE_FOLIO_SUPPORT, IovIter, IOCB_APPEND, IOCB_DSYNC, IOCB_SYNC, Kiocb, WriteBeginOut, WB_SYNC_NONE, WB_SYNC_ALL, SuperBlock,
  AddressSpace, Dentry, Vfsmount, Inode, FileRaState, File, dPath, fileInode,
} from "./fs.ts";
export type {
  UserBuffer, WritebackControl, ReadaheadControl, AddressSpaceOperations, FileOperations, Iattr, InodeOperations, SuperOperations,
  FileSystemType, ShmemInodeInfo, Path, FsTask,
} from "./fs.ts";
export { Vfs, VFS, MapContents } from "./vfs.ts";
export type { PageContentStore, MappingUnmapper, PageCacheLruHooks, FileSystemDriver, DirtyKnobs, VfsDeps } from "./vfs.ts";
export {
  FGP_ACCESSED, FGP_LOCK, FGP_CREAT, FGP_WRITE, FGP_NOFS, FGP_NOWAIT, FGP_FOR_MMAP, FGP_ENTRY, FGP_STABLE, PAGEVEC_SIZE, MAX_RW_COUNT,
  AOP_TRUNCATED_PAGE, AOP_WRITEPAGE_ACTIVATE, mappingEmpty, mappingMapped, mappingExiting, filemapAllocFolio, __filemapAddFolio, filemapAddFolio,
  filemapUnaccountFolio, pageCacheDelete, __filemapRemoveFolio, filemapFreeFolio, filemapRemoveFolio, filemapGetEntry, __filemapGetFolio,
  filemapGetFolio, filemapLockFolio, pagecacheGetPage, grabCachePageWriteBegin, filemapGetReadBatch, filemapReadFolio, filemapRead,
  genericFileReadIter, genericWriteChecks, genericPerformWrite, __genericFileWriteIter, genericFileWriteIter, vmaFile, filemapMapPages,
  filemapFault, filemapPageMkwrite, filemapDirtySharedPage, genericFileVmOps, genericFileMmap, mappingDirtyPages,
} from "./filemap.ts";
export type { ReadaheadOps } from "./filemap.ts";
export { contentAfterStore, zeroPageRange, copyPageToIter, copyPageFromIter, iterSourceContent } from "./iov-iter.ts";
export { folioGet, folioTryGet, folioPut, folioPutRefs, folioTrylock, folioLock, folioUnlock, folioMarkAccessed } from "./swap.ts";
export {
  PAGECACHE_TAG_DIRTY, PAGECACHE_TAG_WRITEBACK, PAGECACHE_TAG_TOWRITE, mappingCanWriteback, folioAccountDirtied, folioAccountCleaned,
  filemapDirtyFolio, noopDirtyFolio, folioMarkDirty, folioCancelDirty, folioClearDirtyForIo, balanceDirtyPagesRatelimited,
} from "./page-writeback.ts";
export {
  truncateCleanupFolio, truncateInodeFolio, truncateInodePartialFolio, truncateInodePagesRange, truncateInodePages, truncateInodePagesFinal,
  truncatePagecache, pagecacheIsizeExtended, truncateSetsize, mappingEvictFolio, invalidateMappingPages,
} from "./truncate.ts";
export { unmapMappingPages, unmapMappingRange } from "./memory.ts";
export {
  LAST_INO_BATCH, getNextIno, newInode, ihold, iput, evict, destroyInode, mappingShrinkable, inodeAddLru, pruneIcacheSb, incNlink, dropNlink,
  clearNlink, dAlloc, dInstantiate, dMakeRoot, dDelete, allocFile, getFile, fput,
} from "./inode.ts";
export { DNAME_INLINE_LEN, vfsCachesInit, vfsCacheId, dget, dput, dentryLruCount, pruneDcacheSb, shrinkDcacheForUmount } from "./dcache.ts";
export { FilesStruct, allocFd, putUnusedFd, fdInstall, fget, closeFd, dupFd, putFilesStruct, doCloseOnExec, nrOpenFds } from "./file.ts";
export { getAnonBdev, freeAnonBdev, sgetAnon, killLitterSuper, SUPER_SHRINK_BATCH, superShrinker, registerSuperShrinker, unregisterSuperShrinker } from "./super.ts";
export {
  PATH_MAX, NAME_MAX, followMounts, filenameLookup, filenameParentat, vfsOpen, doTruncate, doFilpOpen, doMkdirat, doUnlinkat, doRmdir,
} from "./namei.ts";
export type { ParentPath } from "./namei.ts";
export { doSysOpen, sysClose, inodeNewsizeOk, doSysTruncate, doSysFtruncate } from "./open.ts";
export { SEEK_SET, SEEK_CUR, SEEK_END, rwVerifyArea, vfsRead, vfsWrite, ksysRead, ksysWrite, ksysPread64, ksysPwrite64, ksysLseek } from "./read-write.ts";
export { vfsFsyncRange, doFsync, noopFsync } from "./sync.ts";
export {
  simpleWriteBegin, simpleWriteEnd, simpleReadFolio, simpleSetattr, simpleUnlink, simpleEmpty, simpleRmdir, SIMPLE_DIR_OPERATIONS,
} from "./libfs.ts";
export {
  SGP_READ, SGP_NOALLOC, SGP_CACHE, SGP_WRITE, SGP_FALLOC, BLOCKS_PER_PAGE, BOGO_DIRENT_SIZE, SHMEM_INO_BATCH, TMPFS_MAGIC, ShmemSbInfo,
  F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE, F_SEAL_FUTURE_WRITE, memparse, shmemParseOptions, shmemDefaultMaxBlocks,
  shmemDefaultMaxInodes, Shmem, ShmemFileOps,
} from "./shmem.ts";
export { RAMFS_MAGIC, RAMFS_DEFAULT_MODE, Ramfs } from "./ramfs.ts";
export { CHAR_DEVICES, chrdevFileOperations } from "./mem.ts";
export { ROOTFS_DIRS, ROOTFS_DEVICES, doMount, doUmount, registerFilesystems, vfsInit, mntInit } from "./namespace.ts";
export { dropPagecacheSb, dropCachesSysctlHandler } from "./drop-caches.ts";
export {
  FILEMAP_SYSCTLS, dropCachesSysctl, dirtyBackgroundRatioSysctl, dirtyBackgroundBytesSysctl, dirtyRatioSysctl, dirtyBytesSysctl,
  dirtyWritebackCentisecsSysctl, dirtyExpireCentisecsSysctl, dirtytimeExpireSecondsSysctl,
} from "./sysctls.ts";
export { validateFilemap } from "./validate.ts";
export { filemapModule } from "./module.ts";
export { DEFAULT_DISK_MOUNT, Disk, DiskReadahead, attachDisk } from "./ext2.ts";
export type { DiskEnv } from "./ext2.ts";
