// mmsim: @mmsim/fault's public API (named re-exports only, STYLE C11)
export {
  MmMemory, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_MAJOR, VM_FAULT_WRITE, VM_FAULT_HWPOISON,
  VM_FAULT_HWPOISON_LARGE, VM_FAULT_SIGSEGV, VM_FAULT_NOPAGE, VM_FAULT_LOCKED, VM_FAULT_RETRY, VM_FAULT_FALLBACK,
  VM_FAULT_DONE_COW, VM_FAULT_ERROR, FAULT_FLAG_WRITE, FAULT_FLAG_MKWRITE, FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_RETRY_NOWAIT,
  FAULT_FLAG_KILLABLE, FAULT_FLAG_TRIED, FAULT_FLAG_USER, FAULT_FLAG_REMOTE, FAULT_FLAG_INSTRUCTION,
  FAULT_FLAG_INTERRUPTIBLE, FAULT_FLAG_UNSHARE, FS_ANON, FS_ZERO, FS_WP_COPY, FS_WP_REUSE,
  FS_ACCESS_FLAG, FS_DIRTY, FS_SPURIOUS, FS_THP_ANON, FS_THP_ZERO, FS_THP_FALLBACK, FS_STACK_GROW, NR_FAULT_STATS,
  faultStatNames,
} from "./memory.ts";
export type { MmMemoryDeps } from "./memory.ts";
export {
  SwapPte, SWS_CACHE_HIT, SWS_READAHEAD, SWS_SYNC_IO, SWS_REUSE, SWS_FREE_SWAP, SWS_UNUSE, SWS_WILLNEED, NR_SWAP_FAULT_STATS, swapFaultStatNames,
} from "./swap-fault.ts";
export { MadvisePages } from "./madvise-pages.ts";
export {
  ThpSettings, HugeZeroPage, hugepageVmaCheck, vmaThpGfpMask, pmdTransHuge, splitHugePage, splitHugePmd,
} from "./huge-memory.ts";
export type { ThpEnabled, ThpDefrag } from "./huge-memory.ts";
export {
  Arm64Fault, VM_FAULT_BADMAP, VM_FAULT_BADACCESS, FAULT_HANDLED, SEGV_MAPERR, SEGV_ACCERR, FAULT_SIGBUS, FAULT_OOM,
  faultResultNames,
} from "./fault-arm64.ts";
export {
  PageContents, CONTENT_ZERO, CONTENT_FILL, CONTENT_RANDOM, CONTENT_TEXT, NR_CONTENT_KINDS, CONTENT_RATIO_UNITS,
  CONTENT_ZERO_ID, contentKindNames, contentFill, contentText, contentKind, contentCompressedBytes, formatContent,
} from "./page-contents.ts";
export {
  FileFault, FAULT_AROUND_BYTES_DEFAULT, FF_READ, FF_AROUND, FF_AROUND_PTES, FF_COW, FF_SHARED, FF_WP_SHARED, FF_MKWRITE, FF_MAJOR, FF_SIGBUS,
  NR_FILE_FAULT_STATS, fileFaultStatNames,
} from "./file-fault.ts";
export { AccessPattern, ACCESS_PATTERN_KINDS } from "./access-patterns.ts";
export type { AccessPatternKind, AccessPatternOptions } from "./access-patterns.ts";
export { validateMms } from "./validate.ts";
export {
  KhugepagedSettings, KhugepagedScan, hpageCollapseScanPmd, collapseHugePage, khugepagedDoScan, scanResultNames, SCAN_FAIL, SCAN_SUCCEED,
  SCAN_PMD_NULL, SCAN_PMD_MAPPED, SCAN_EXCEED_NONE_PTE, SCAN_EXCEED_SWAP_PTE, SCAN_EXCEED_SHARED_PTE, SCAN_PAGE_RO, SCAN_LACK_REFERENCED_PAGE,
  SCAN_PAGE_COUNT, SCAN_PAGE_LRU, SCAN_PAGE_LOCK, SCAN_PAGE_ANON, SCAN_PAGE_COMPOUND, SCAN_ALLOC_HUGE_PAGE_FAIL,
} from "./khugepaged.ts";
export { MM_MEMORY } from "./token.ts";
export { entryOfWord, pmdWordOf, pteWordIndex, tableWordOf } from "./pgwalk.ts";
