// Kernel: include/linux/mm_types.h (struct mm_struct, struct vm_area_struct), include/linux/sched.h (struct task_struct), include/linux/rmap.h (struct anon_vma, struct anon_vma_chain: their shape only) (v6.1) — the address-space types every later mechanism shares
/*
 * The contract between the process packages, in the kernel's layering (docs/architecture.md,
 * "The order among mechanisms"): @mmsim/vma owns tasks, mm_struct and the VMAs; @mmsim/rmap
 * (above it) owns anon_vma and the anon_vma_chain and implements `AnonVmaOps`; @mmsim/fault
 * (above both) owns the page tables' contents (faults, zap, copy at fork, change_protection,
 * move_page_tables) and implements `MmPageOps`. mm/mmap.c calls down into rmap and memory.c in
 * the kernel; here those calls go through the two interfaces (mm-ops.ts), so vma depends on
 * neither.
 *
 * VMAs are objects (a process has tens to thousands; the per-page state lives in the mem map's
 * typed arrays). Addresses are numbers: user addresses are below TASK_SIZE (2^48), exact in a
 * double.
 */
import type { MmPgtables, Pgprot } from "@mmsim/hw-arm64";
import type { VmFileMapping, VmOperationsStruct } from "./vm-ops.ts";

/** `mm->rss_stat` indices. Kernel: `enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES }`. */
export const MM_FILEPAGES = 0;
export const MM_ANONPAGES = 1;
export const MM_SWAPENTS = 2;
export const MM_SHMEMPAGES = 3;
export const NR_MM_COUNTERS = 4;

/**
 * The shape of an anon_vma as mm/mmap.c sees it (merging compares identities; the root is the
 * fork hierarchy's). The object is made and owned by @mmsim/rmap, which extends this shape.
 */
export interface AnonVma {
  /** A stable id (mem map `mapping` of an anonymous page refers to it, with PAGE_MAPPING_ANON). */
  readonly id: number;
  readonly root: AnonVma;
}

/** One link of vma->anon_vma_chain (owned by @mmsim/rmap). Kernel: `struct anon_vma_chain`. */
export interface AnonVmaChain {
  readonly vma: VmAreaStruct;
  readonly anonVma: AnonVma;
}

/**
 * What a file-backed VMA maps (vm_file): filled in by the files issue. Kernel: `struct file`
 * (its f_mapping and f_inode, as far as mm sees them).
 */
export interface VmFile {
  /** The path /proc/<pid>/maps prints. */
  readonly path: string;
  /** Device major:minor and inode number as maps prints them. */
  readonly dev: readonly [number, number];
  readonly ino: number;
  /** f_mapping: the file's page cache as mm sees it (i_mmap, swap-backed, i_size); absent or null for a file without one. */
  readonly mapping?: VmFileMapping | null;
  /** FMODE_READ | FMODE_WRITE as the file was opened (mmap's checks); absent: opened O_RDWR. */
  readonly fMode?: number;
  /**
   * f_op->mmap: sets vma.vmOps (and may refuse: -ENODEV, -EACCES). Called by mmap_region after
   * the VMA took its file reference. Absent: the VMA gets no vm_ops. Kernel: `call_mmap()`.
   * @returns 0 or a negative errno
   */
  mmap?(vma: VmAreaStruct): number;
}

/**
 * A VMA installed by _install_special_mapping() ([vvar], [vdso]): its name (what the
 * vm_ops->name callback returns for /proc/<pid>/maps) and the frames its fault handler maps.
 * Kernel: `struct vm_special_mapping`.
 */
export interface VmSpecialMapping {
  /** "[vvar]", "[vdso]". */
  readonly name: string;
  /** PFNs of the pages the fault handler maps, page i at vm_start + i pages (empty when the machine has none). */
  readonly pages: Int32Array;
}

/** One VMA. Kernel: `struct vm_area_struct`. */
export class VmAreaStruct {
  /** Our start address within vm_mm. */
  vmStart: number;
  /** The first byte after our end address. */
  vmEnd: number;
  /** VM_* (vm-flags.ts). */
  vmFlags: number;
  /** Access permissions of this VMA: vm_get_page_prot(vm_flags) (hw-arm64's protection_map). */
  vmPageProt: Pgprot;
  /** Offset within vm_file in PAGE_SIZE units; for anonymous VMAs the virtual page number at creation (vm_start >> PAGE_SHIFT), as mmap_region sets it. */
  vmPgoff: number;
  vmFile: VmFile | null = null;
  /** Serialized by mmap_lock; null until the first anonymous fault (anon_vma_prepare). */
  anonVma: AnonVma | null = null;
  /** vma->anon_vma_chain: every anon_vma this VMA's pages may belong to (rmap keeps it). */
  readonly anonVmaChain: AnonVmaChain[] = [];
  /** anon_vma_name (prctl PR_SET_VMA_ANON_NAME), printed by maps as [anon:name]; null if none. */
  anonName: string | null = null;
  /** The special mapping behind vm_ops / vm_private_data ([vvar], [vdso]); null for every other VMA. */
  vmSpecial: VmSpecialMapping | null = null;
  /** The file's (or shmem's) fault operations, set by vm_file's mmap; null for anonymous and special VMAs. Kernel: `vma->vm_ops`. */
  vmOps: VmOperationsStruct | null = null;
  /**
   * VMA-based swap readahead's state: the page address of the last swap fault, the window and the
   * readahead hits, packed as SWAP_RA_VAL (@mmsim/swap's swap-readahead.ts); 0 until the first.
   * Kernel: `vma->swap_readahead_info` (CONFIG_SWAP).
   */
  swapReadaheadInfo = 0;

  constructor(
    readonly vmMm: MmStruct,
    vmStart: number,
    vmEnd: number,
    vmFlags: number,
    vmPageProt: Pgprot,
    vmPgoff: number,
  ) {
    this.vmStart = vmStart;
    this.vmEnd = vmEnd;
    this.vmFlags = vmFlags;
    this.vmPageProt = vmPageProt;
    this.vmPgoff = vmPgoff;
  }

  /** Kernel: `vma_is_anonymous()` (no vm_ops: not file-backed, not shmem, not a special mapping). */
  isAnonymous(): boolean {
    return this.vmFile === null && this.vmSpecial === null && this.vmOps === null;
  }

  /** Kernel: `vma_pages()`. */
  pages(): number {
    return (this.vmEnd - this.vmStart) / 4096;
  }
}

/**
 * The VMAs of one mm, ordered by address. 6.1 keeps them in a maple tree; the implementation
 * says what it uses and must have the same operations at the same cost (find in O(log n)).
 */
export interface VmaTree extends Iterable<VmAreaStruct> {
  /** Number of VMAs (mm->map_count counts the same). */
  readonly size: number;
  /** The first VMA with vm_end > addr, or null. Kernel: `find_vma()`. */
  findVma(addr: number): VmAreaStruct | null;
  /** The VMA containing addr, or null. Kernel: `vma_lookup()`. */
  lookup(addr: number): VmAreaStruct | null;
  /** The VMA before `vma` (by address), or null. Kernel: `vma_prev()` / `find_vma_prev()`. */
  prev(vma: VmAreaStruct): VmAreaStruct | null;
  /** The VMA after `vma`, or null. Kernel: `vma_next()`. */
  next(vma: VmAreaStruct): VmAreaStruct | null;
  /** The first VMA intersecting [start, end), or null. Kernel: `find_vma_intersection()`. */
  intersection(start: number, end: number): VmAreaStruct | null;
  /** The lowest VMA, or null. Kernel: `find_vma(mm, 0)`. */
  first(): VmAreaStruct | null;
  /** The highest VMA, or null. Kernel: `find_vma_prev(mm, ULONG_MAX)`'s prev. */
  last(): VmAreaStruct | null;
  /**
   * The lowest free range of at least `size` bytes within [low, high] (inclusive).
   * Kernel: `mas_empty_area()`. @returns its first address, or -1
   */
  emptyArea(low: number, high: number, size: number): number;
  /**
   * The highest free range of at least `size` bytes within [low, high] (inclusive).
   * Kernel: `mas_empty_area_rev()`. @returns its last address (inclusive), or -1
   */
  emptyAreaRev(low: number, high: number, size: number): number;
  /** Inserts a VMA that overlaps none. Kernel: `vma_mas_store()`. */
  insert(vma: VmAreaStruct): void;
  /** Removes a VMA. Kernel: `vma_mas_remove()`. */
  remove(vma: VmAreaStruct): void;
  /** Call after changing a VMA's vm_start or vm_end in place (vma_adjust). */
  updated(vma: VmAreaStruct): void;
}

/** A process's address space. Kernel: `struct mm_struct`. */
export class MmStruct {
  /** The page-table root (mm->pgd), null until pgd_alloc (mm_alloc_pgd) or after exit_mmap. */
  pgtables: MmPgtables | null = null;
  /** The VMAs (mm->mm_mt). */
  readonly mt: VmaTree;
  /** mm->mmap_base: where top-down get_unmapped_area starts (bottom-up with the legacy layout). */
  mmapBase = 0;
  /**
   * mm->get_unmapped_area is arch_get_unmapped_area (the legacy bottom-up layout from mmap_base:
   * vm.legacy_va_layout or an unlimited RLIMIT_STACK) instead of the top-down one.
   * Kernel: `arch_pick_mmap_layout()`'s choice.
   */
  legacyMmapLayout = false;
  /** mm->task_size (TASK_SIZE: 1 << VA_BITS for a 64-bit task). */
  taskSize = 0;
  startCode = 0;
  endCode = 0;
  startData = 0;
  endData = 0;
  startBrk = 0;
  brk = 0;
  startStack = 0;
  argStart = 0;
  argEnd = 0;
  envStart = 0;
  envEnd = 0;
  /** Pages mapped (VmSize), locked (VmLck), pinned, data (VmData), exec (VmExe + VmLib), stack (VmStk). */
  totalVm = 0;
  lockedVm = 0;
  pinnedVm = 0;
  dataVm = 0;
  execVm = 0;
  stackVm = 0;
  /** Peaks: VmHWM, VmPeak (pages). */
  hiwaterRss = 0;
  hiwaterVm = 0;
  /** mm->def_flags (VM_LOCKED after mlockall(MCL_FUTURE), VM_NOHUGEPAGE after PR_SET_THP_DISABLE). */
  defFlags = 0;
  /** mm->map_count (checked against vm.max_map_count). */
  mapCount = 0;
  /**
   * mm->rss_stat (MM_FILEPAGES …), what get_mm_counter() and so /proc/<pid>/status and statm
   * read. With SPLIT_RSS_COUNTING (6.1) a fault in the mm's own task adds to that task's
   * TaskStruct.rssStat instead (add_mm_counter_fast), folded in here by sync_mm_rss(); the
   * exact count is this plus the unfolded deltas of the tasks using the mm.
   */
  readonly rssStat = new Float64Array(NR_MM_COUNTERS);
  /** mm->mm_users (threads and get_task_mm users) and mm->mm_count (references to the struct). */
  mmUsers = 1;
  mmCount = 1;
  /** MMF_* bits of mm->flags (MMF_VM_HUGEPAGE, MMF_DISABLE_THP, …: the MMF_ constants below). */
  flags = 0;

  constructor(
    /** The id the MMU's ASID allocator knows this mm by (mm->context.id before an ASID is assigned). */
    readonly id: number,
    mt: VmaTree,
  ) {
    this.mt = mt;
  }
}

// mm->flags bits. Kernel: include/linux/sched/coredump.h (v6.1).
/** Bits 0-1: the dumpable state (SUID_DUMP_USER = 1 after exec). */
export const MMF_DUMPABLE_BITS = 2;
export const MMF_DUMPABLE_MASK = (1 << MMF_DUMPABLE_BITS) - 1;
/** Bits 2-10: the coredump filter. */
export const MMF_DUMP_FILTER_SHIFT = MMF_DUMPABLE_BITS;
export const MMF_DUMP_FILTER_BITS = 9;
export const MMF_DUMP_FILTER_MASK = ((1 << MMF_DUMP_FILTER_BITS) - 1) << MMF_DUMP_FILTER_SHIFT;
/** MMF_DUMP_ANON_PRIVATE | MMF_DUMP_ANON_SHARED | MMF_DUMP_HUGETLB_PRIVATE (the default coredump_filter 0x23, shifted). */
export const MMF_DUMP_FILTER_DEFAULT = ((1 << 0) | (1 << 1) | (1 << 5)) << MMF_DUMP_FILTER_SHIFT;
export const MMF_VM_MERGEABLE = 16;
export const MMF_VM_HUGEPAGE = 17;
export const MMF_HAS_UPROBES = 19;
export const MMF_RECALC_UPROBES = 20;
export const MMF_OOM_SKIP = 21;
export const MMF_UNSTABLE = 22;
export const MMF_HUGE_ZERO_PAGE = 23;
/** prctl(PR_SET_THP_DISABLE). */
export const MMF_DISABLE_THP = 24;
export const MMF_OOM_VICTIM = 25;
export const MMF_OOM_REAP_QUEUED = 26;
export const MMF_MULTIPROCESS = 27;
/** What a child's mm inherits at fork (mm_init). Kernel: `MMF_INIT_MASK`. */
export const MMF_INIT_MASK = MMF_DUMPABLE_MASK | MMF_DUMP_FILTER_MASK | (1 << MMF_DISABLE_THP);

/** Task states as /proc/<pid>/status prints them. Kernel: `task_state_array`. */
export type TaskState = "R (running)" | "S (sleeping)" | "D (disk sleep)" | "T (stopped)" | "t (tracing stop)" | "X (dead)" | "Z (zombie)" | "P (parked)" | "I (idle)";

/** A task. Kernel: `struct task_struct` (the parts mm and /proc read). */
export class TaskStruct {
  /** null for a kernel thread or after exit_mm. */
  mm: MmStruct | null;
  /** task->comm (16 bytes with the NUL: at most 15 characters). */
  comm: string;
  state: TaskState = "R (running)";
  /** min_flt / maj_flt. */
  minFlt = 0;
  majFlt = 0;
  /** signal->oom_score_adj (-1000…1000). */
  oomScoreAdj = 0;
  /** Exit code once a zombie (the signal number for a fatal signal, as wait() reports). */
  exitCode = 0;
  /**
   * task->rss_stat: per-task deltas not yet folded into mm->rss_stat, and the number of events
   * since the last fold (SPLIT_RSS_COUNTING in 6.1: check_sync_rss_stat folds every
   * TASK_RSS_EVENTS_THRESH = 64 events (at the 66th: `events++ > 64`), and at exit (do_exit)
   * and exec (exec_mmap); 6.1 does not fold on schedule out).
   */
  readonly rssStat = new Int32Array(NR_MM_COUNTERS);
  rssEvents = 0;
  /** nvcsw / nivcsw: voluntary and involuntary context switches (the scheduler counts them). */
  nvcsw = 0;
  nivcsw = 0;
  readonly children: TaskStruct[] = [];
  /**
   * The id of the task's cgroup (task->cgroups, its css_set; the memory css is that cgroup's or
   * its nearest ancestor's with the memory controller, which get_mem_cgroup_from_mm() finds
   * through mm->owner). 1 = the root cgroup; inherited at fork (cgroup_post_fork), changed by a
   * write to cgroup.procs (@mmsim/memcg-psi).
   */
  cgroupId = 1;

  constructor(
    readonly pid: number,
    /** task->real_parent (null for init); changes when the parent exits (forget_original_parent reparents to init). */
    public parent: TaskStruct | null,
    mm: MmStruct | null,
    comm: string,
  ) {
    this.mm = mm;
    this.comm = comm;
  }
}
