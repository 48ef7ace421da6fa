// Kernel: mm/mmap.c (sysctl_max_map_count, stack_guard_gap, mmap_min_addr), mm/shmem.c (shmem_zero_setup), include/linux/fs.h (get_file, fput), include/uapi/asm-generic/resource.h (RLIMIT_*) (v6.1) — one machine's state for the mm syscalls: sysctls, limits, and the interfaces to the mechanisms above
/*
 * The syscalls of this package (mmap.ts, mprotect.ts, mremap.ts, madvise.ts, mlock.ts) are free
 * functions taking an MmapContext first: it holds what the kernel keeps in globals (the vm
 * sysctls, stack_guard_gap, vm_committed_as) and the calls mm/mmap.c makes into memory.c, rmap.c,
 * shmem.c, ksm.c and the reclaim code, as interfaces (MmPageOps, AnonVmaOps, VmFileOps,
 * MadviseOps). One context per machine.
 *
 * Tasks are root on the capture board, so the capability checks pass (CAP_IPC_LOCK,
 * CAP_SYS_RAWIO, CAP_SYS_ADMIN); the `cred` fields turn them off for a scenario that wants an
 * unprivileged task. The rlimits are the kernel's defaults (INIT_RLIMITS with 6.1's 8 MiB
 * MLOCK_LIMIT); per-task rlimits are not modelled.
 */
import { inject, injectable } from "tsyringe";
import { ENOMEM, PAGE_SIZE, token } from "@mmsim/core";
import { ANON_VMA_OPS, type AnonVmaOps, MM_PAGE_OPS, type MmPageOps } from "./mm-ops.ts";
import type { MmStruct, VmAreaStruct, VmFile } from "./mm-types.ts";
import { VM_ACCT_MEMORY_INFO, type VmAcctMemoryInfo, VmOvercommit } from "./overcommit.ts";
import { VM_NORESERVE } from "./vm-flags.ts";

/** RLIM_INFINITY. */
export const RLIM_INFINITY = Number.POSITIVE_INFINITY;
/** Kernel: `DEFAULT_MAX_MAP_COUNT` = USHRT_MAX − MAPCOUNT_ELF_CORE_MARGIN (5). */
export const DEFAULT_MAX_MAP_COUNT = 65530;
/** Kernel: `CONFIG_DEFAULT_MMAP_MIN_ADDR` (4096; /proc/sys/vm/mmap_min_addr on the capture board). */
export const DEFAULT_MMAP_MIN_ADDR = 4096;
/** Kernel: `stack_guard_gap` = 256 << PAGE_SHIFT (the stack_guard_gap= boot parameter sets it in pages). */
export const DEFAULT_STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** Kernel: `MLOCK_LIMIT` (8 MiB since 5.16). */
export const MLOCK_LIMIT = 8 * 1024 * 1024;
/** Kernel: `_STK_LIM` (8 MiB). */
export const STK_LIM = 8 * 1024 * 1024;

/** The resource limits the mm syscalls check (bytes). Kernel: `rlimit(RLIMIT_*)`. */
export interface MmRlimits {
  /** RLIMIT_AS (address space): may_expand_vm. */
  as: number;
  /** RLIMIT_DATA: may_expand_vm for data mappings, brk's check_data_rlimit. */
  data: number;
  /** RLIMIT_MEMLOCK: mlock, MAP_LOCKED, mlockall. */
  memlock: number;
  /** RLIMIT_STACK: stack growth (acct_stack_growth). */
  stack: number;
}

/** The capabilities of the calling task (all true: root). */
export interface MmCred {
  /** CAP_IPC_LOCK: mlock beyond RLIMIT_MEMLOCK. */
  ipcLock: boolean;
  /** CAP_SYS_RAWIO: mappings below mmap_min_addr (cap_mmap_addr). */
  sysRawio: boolean;
}

/**
 * The file side of mm/mmap.c: shared anonymous mappings become shmem files, and VMAs hold file
 * references. The files issue implements it fully (page cache, i_mmap); `ShmemZeroFiles` is the
 * default for shared anonymous memory.
 */
export interface VmFileOps {
  /**
   * Gives a MAP_SHARED|MAP_ANONYMOUS VMA its shmem file ("/dev/zero (deleted)"), charging its
   * size to vm_committed_as unless VM_NORESERVE. Kernel: `shmem_zero_setup()` (shmem_file_setup,
   * shmem_acct_size). @returns 0 or -ENOMEM
   */
  shmemZeroSetup(vma: VmAreaStruct, overcommit: VmOvercommit): number;
  /** A VMA copy or split took a reference. Kernel: `get_file()`. */
  getFile(file: VmFile): void;
  /** A VMA referencing `file` went away; the last reference releases it (shmem unaccounts its size). Kernel: `fput()`. */
  fput(file: VmFile, overcommit: VmOvercommit): void;
}
export const VM_FILE_OPS = token<VmFileOps>("VmFileOps");

/** One shmem file made by shmem_zero_setup, with its reference count. */
interface ShmemZeroFile extends VmFile {
  refs: number;
  /** Pages charged to vm_committed_as (0 with VM_NORESERVE). Kernel: `shmem_acct_size()`. */
  readonly charged: number;
}

/**
 * Shared anonymous memory as shmem files until the files issue: each mapping gets a new
 * "/dev/zero (deleted)" inode on device 00:01 (the shm_mnt), charged at its full size.
 * Simplified: inode numbers count from 1 per machine (the kernel's get_next_ino is global).
 */
export class ShmemZeroFiles implements VmFileOps {
  private nextIno = 1;
  shmemZeroSetup(vma: VmAreaStruct, overcommit: VmOvercommit): number {
    const pages = vma.pages();
    const charged = (vma.vmFlags & VM_NORESERVE) !== 0 ? 0 : pages;
    if (charged !== 0 && overcommit.vmEnoughMemory(vma.vmMm, charged) !== 0) return -ENOMEM;
    const f: ShmemZeroFile = { path: "/dev/zero (deleted)", dev: [0, 1], ino: this.nextIno++, refs: 1, charged };
    vma.vmFile = f;
    return 0;
  }
  getFile(file: VmFile): void {
    (file as ShmemZeroFile).refs++;
  }
  fput(file: VmFile, overcommit: VmOvercommit): void {
    const f = file as ShmemZeroFile;
    if (typeof f.refs !== "number") return; // a file the files issue owns
    if (--f.refs === 0 && f.charged !== 0) overcommit.vmUnacctMemory(f.charged);
  }
}

/**
 * The page-side madvise behaviours that belong to reclaim, swap and KSM (later issues). The
 * defaults do nothing and succeed, which is what the kernel does when there is nothing to act on
 * (no swap: WILLNEED has nothing to read; no LRU pages yet).
 */
export interface MadviseOps {
  /** MADV_WILLNEED: swap-in / readahead of [start, end). Kernel: `madvise_willneed()`'s walk. */
  willneed(vma: VmAreaStruct, start: number, end: number): void;
  /** MADV_COLD: deactivate the pages. Kernel: `madvise_cold_page_range()`. */
  cold(vma: VmAreaStruct, start: number, end: number): void;
  /** MADV_PAGEOUT: reclaim the pages now. Kernel: `madvise_pageout_page_range()`. */
  pageout(vma: VmAreaStruct, start: number, end: number): void;
  /** MADV_FREE: mark clean anonymous pages lazily freeable. Kernel: `madvise_free_single_vma()`'s walk. @returns 0 or -errno */
  free(vma: VmAreaStruct, start: number, end: number): number;
  /** MADV_MERGEABLE on an mm not yet known to ksmd. Kernel: `__ksm_enter()`. @returns 0 or -errno */
  ksmEnter(mm: MmStruct): number;
  /** MADV_UNMERGEABLE: break KSM pages in the range. Kernel: `unmerge_ksm_pages()`. @returns 0 or -errno */
  unmergeKsmPages(vma: VmAreaStruct, start: number, end: number): number;
}
export const MADVISE_OPS = token<MadviseOps>("MadviseOps");

/**
 * KSM's side of madvise, contributed by @mmsim/ksm when a machine has KSM (the page-side
 * MadviseOps forward MADV_MERGEABLE / MADV_UNMERGEABLE to it). Kernel: `__ksm_enter()`, `unmerge_ksm_pages()`.
 */
export interface KsmMadvise {
  ksmEnter(mm: MmStruct): number;
  unmergeKsmPages(vma: VmAreaStruct, start: number, end: number): number;
}
export const KsmMadvise = token<KsmMadvise>("KsmMadvise");

/** MadviseOps before reclaim, swap and KSM exist: every hook is a successful no-op. */
export class NoMadviseOps implements MadviseOps {
  willneed(): void {}
  cold(): void {}
  pageout(): void {}
  free(): number {
    return 0;
  }
  ksmEnter(): number {
    return 0;
  }
  unmergeKsmPages(): number {
    return 0;
  }
}

/** The state and the interfaces the mm syscalls of one machine use. */
@injectable()
export class MmapContext {
  /** vm.max_map_count. Kernel: `sysctl_max_map_count`. */
  maxMapCount = DEFAULT_MAX_MAP_COUNT;
  /** vm.mmap_min_addr. Kernel: `mmap_min_addr` (= dac_mmap_min_addr without an LSM). */
  mmapMinAddr = DEFAULT_MMAP_MIN_ADDR;
  /** Kernel: `stack_guard_gap` (bytes). */
  stackGuardGap = DEFAULT_STACK_GUARD_GAP;
  /** CONFIG_COMPAT_BRK (off in Debian's arm64 kernel): brk may then shrink to end_data, not only start_brk. */
  compatBrk = false;
  readonly rlimit: MmRlimits = { as: RLIM_INFINITY, data: RLIM_INFINITY, memlock: MLOCK_LIMIT, stack: STK_LIM };
  readonly cred: MmCred = { ipcLock: true, sysRawio: true };
  /** do_mmap's `*populate` out-parameter: bytes vm_mmap_pgoff faults in after the mapping is made. */
  mmapPopulate = 0;
  /** mremap's `locked` out-parameter: a VM_LOCKED mapping grew and its new part is to be faulted in. */
  mremapLocked = false;
  /** Which of vma_merge's cases (1–8) the last successful merge was; 0 before any (tests, traces). */
  lastMergeCase = 0;
  readonly overcommit: VmOvercommit;
  readonly files: VmFileOps;
  readonly madvise: MadviseOps;

  constructor(
    @inject(MM_PAGE_OPS) readonly pageOps: MmPageOps,
    @inject(ANON_VMA_OPS) readonly anonOps: AnonVmaOps,
    @inject(VM_ACCT_MEMORY_INFO) info: VmAcctMemoryInfo,
    @inject(VM_FILE_OPS) files?: VmFileOps,
    @inject(MADVISE_OPS) madvise?: MadviseOps,
  ) {
    this.overcommit = new VmOvercommit(info);
    this.files = files ?? new ShmemZeroFiles();
    this.madvise = madvise ?? new NoMadviseOps();
  }
}
