// mmsim: @mmsim/vma's public API (named re-exports only, STYLE C11)
import "reflect-metadata";
export {
  VM_NONE, VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_MAYREAD, VM_MAYWRITE, VM_MAYEXEC, VM_MAYSHARE, VM_GROWSDOWN, VM_UFFD_MISSING,
  VM_PFNMAP, VM_UFFD_WP, VM_LOCKED, VM_IO, VM_SEQ_READ, VM_RAND_READ, VM_DONTCOPY, VM_DONTEXPAND, VM_LOCKONFAULT, VM_ACCOUNT, VM_NORESERVE,
  VM_HUGETLB, VM_SYNC, VM_ARCH_1, VM_WIPEONFORK, VM_DONTDUMP, VM_SOFTDIRTY, VM_MIXEDMAP, VM_HUGEPAGE, VM_NOHUGEPAGE, VM_MERGEABLE,
  VM_STACK, VM_LOCKED_MASK, VM_ACCESS_FLAGS, PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, MAP_SHARED,
  MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_TYPE, MAP_FIXED, MAP_ANONYMOUS, MAP_GROWSDOWN, MAP_DENYWRITE, MAP_EXECUTABLE, MAP_LOCKED,
  MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK, MAP_STACK, MAP_HUGETLB, MAP_SYNC, MAP_FIXED_NOREPLACE, MREMAP_MAYMOVE, MREMAP_FIXED,
  MREMAP_DONTUNMAP, MLOCK_ONFAULT, MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
  MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
  MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
  MADV_DONTNEED_LOCKED, MADV_COLLAPSE, vmGetPageProtFlags,
} from "./vm-flags.ts";
export {
  MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS, VmAreaStruct, MmStruct, MMF_DUMPABLE_BITS, MMF_DUMPABLE_MASK,
  MMF_DUMP_FILTER_SHIFT, MMF_DUMP_FILTER_BITS, MMF_DUMP_FILTER_MASK, MMF_DUMP_FILTER_DEFAULT, MMF_VM_MERGEABLE, MMF_VM_HUGEPAGE,
  MMF_HAS_UPROBES, MMF_RECALC_UPROBES, MMF_OOM_SKIP, MMF_UNSTABLE, MMF_HUGE_ZERO_PAGE, MMF_DISABLE_THP, MMF_OOM_VICTIM,
  MMF_OOM_REAP_QUEUED, MMF_MULTIPROCESS, MMF_INIT_MASK, TaskStruct,
} from "./mm-types.ts";
export type { AnonVma, AnonVmaChain, VmFile, VmSpecialMapping, VmaTree, TaskState } from "./mm-types.ts";
export { MM_PAGE_OPS, ANON_VMA_OPS } from "./mm-ops.ts";
export {
  VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_MAJOR, VM_FAULT_WRITE, VM_FAULT_HWPOISON, VM_FAULT_HWPOISON_LARGE, VM_FAULT_SIGSEGV,
  VM_FAULT_NOPAGE, VM_FAULT_LOCKED, VM_FAULT_RETRY, VM_FAULT_FALLBACK, VM_FAULT_DONE_COW, VM_FAULT_ERROR, FAULT_FLAG_WRITE,
  FAULT_FLAG_MKWRITE, FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_RETRY_NOWAIT, FAULT_FLAG_KILLABLE, FAULT_FLAG_TRIED, FAULT_FLAG_USER,
  FAULT_FLAG_REMOTE, FAULT_FLAG_INSTRUCTION, FAULT_FLAG_INTERRUPTIBLE, FAULT_FLAG_UNSHARE, FILE_MAPPINGS, FileMappings, VmFault,
  linearPageIndex, vmaFileMapping,
} from "./vm-ops.ts";
export type { FaultAroundSink, VmFileMapping, VmOperationsStruct } from "./vm-ops.ts";
export type { MmPageOps, AnonVmaOps } from "./mm-ops.ts";
export { MAPLE_NODE_SLOTS, MapleTree, hex } from "./vma-tree.ts";
export {
  DEFAULT_MAX_MAP_COUNT, DEFAULT_MMAP_MIN_ADDR, DEFAULT_STACK_GUARD_GAP, MADVISE_OPS, KsmMadvise, MLOCK_LIMIT, MmapContext, NoMadviseOps, RLIM_INFINITY,
  STK_LIM, ShmemZeroFiles, VM_FILE_OPS, type MadviseOps, type MmCred, type MmRlimits, type VmFileOps,
} from "./mmap-context.ts";
export {
  OVERCOMMIT_ALWAYS, OVERCOMMIT_GUESS, OVERCOMMIT_NEVER, VM_ACCT_MEMORY_INFO, VmOvercommit, type VmAcctMemoryInfo,
} from "./overcommit.ts";
export {
  VM_LOCKED_CLEAR_MASK, VM_SPECIAL, canDoMlock, findVmaPrev, isDataMapping, isExecMapping, isStackMapping, mayExpandVm,
  mlockFutureCheck, pageAlign, removeVma, vmAreaAlloc, vmAreaDup, vmStatAccount, vmaIsAccessible, vmaLink, vmaLinkFile,
} from "./mm-util.ts";
export {
  canVmaMergeAfter, canVmaMergeBefore, isMergeableAnonVma, isMergeableVma, splitVma, splitVmaUnchecked, vmaExpand, vmaMerge,
} from "./vma-merge.ts";
export {
  EOPNOTSUPP, LEGACY_MAP_MASK, MAP_UNINITIALIZED, archGetUnmappedArea, archGetUnmappedAreaTopdown, calcVmFlagBits, calcVmProtBits, countVmaPagesRange, doBrkFlags,
  doMmap, doVmiAlignMunmap, doVmiMunmap, expandStack, findExtendVma, getUnmappedArea, ksysMmapPgoff, mmPopulate, mmapRegion,
  populateVmaPageRange, sysBrk, sysMmap, sysMunmap, taskUnmappedBase, unmappedArea, unmappedAreaTopdown, vmEndGap, vmStartGap,
  vmBrkFlags, vmUnmappedArea, type VmUnmappedAreaInfo,
} from "./mmap.ts";
export { PROT_SEM, archValidateProt, mprotectFixup, sysMprotect } from "./mprotect.ts";
export { copyVma, sysMremap } from "./mremap.ts";
export { madviseBehaviorValid, madviseUpdateVma, sysMadvise } from "./madvise.ts";
export {
  applyVmaLockFlags, countMmMlockedPageNr, mlockFixup, sysMlock, sysMlock2, sysMlockall, sysMunlock, sysMunlockall,
} from "./mlock.ts";
export { validateMm, type ValidateMmOptions } from "./validate.ts";
export { VMA_SYSCTLS, adminReserveKbytesSysctl, maxMapCountSysctl, overcommitKbytesSysctl, overcommitMemorySysctl, overcommitRatioSysctl, userReserveKbytesSysctl } from "./sysctls.ts";
export { buddyAcctMemoryInfo, vmaModule } from "./module.ts";
export {
  CHUNK_HEADER, DEFAULT_MMAP_THRESHOLD, DEFAULT_MMAP_THRESHOLD_MAX, DEFAULT_TOP_PAD, DEFAULT_TRIM_THRESHOLD, GlibcMalloc, MALLOC_ALIGNMENT, MINSIZE,
} from "./malloc.ts";
export { PID_MAX_DEFAULT, PID_MAX_LIMIT, RESERVED_PIDS, PIDS_PER_CPU_DEFAULT, PIDS_PER_CPU_MIN, PidAllocator } from "./pid.ts";
export {
  TASK_RSS_EVENTS_THRESH, getMmCounter, getMmRss, addMmCounter, addMmCounterFast, syncMmRss, checkSyncRssStat, mmAlloc, mmget,
  mmput, exitMmap, dupMm, dupMmap,
} from "./fork.ts";
export type { MmEnv } from "./fork.ts";
export {
  PF_X, PF_W, PF_R, LAYOUT_PROBE_IMAGE, ELF_MAXPAGESIZE, ELF_EXEC_BASE, staticElfImage, checkProgramImage, DEFAULT_EXEC_SYSCTL,
  STACK_RND_MASK, VVAR_NR_PAGES, VDSO_PAGES, VM_DATA_DEFAULT_FLAGS, VM_STACK_FLAGS, VM_STACK_INCOMPLETE_SETUP, VM_ARM64_BTI,
  MAX_ARG_STRLEN, mmapBase, doExecve,
} from "./exec.ts";
export type { ElfLoadSegment, ProgramImage, ExecSysctl, ExecArgs, ExecEnv, ExecResult } from "./exec.ts";
export { exitMm, forgetOriginalParent, doExit } from "./exit.ts";
export { SIGSEGV, SIGKILL, TASK_TABLE, TaskTable, validateTasks } from "./task.ts";
export type { TaskTableOptions, TaskTableView, SpawnOptions, WaitResult } from "./task.ts";
