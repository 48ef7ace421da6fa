// mmsim: one machine's VFS and page-cache state — what the kernel keeps in globals (the mounts, the registered filesystems, the anonymous device numbers, last_ino, the vm sysctls of this package) and the services the page cache calls (no kernel counterpart as one object)
/*
 * The syscalls and page-cache functions of this package are free functions taking a Vfs first,
 * as @mmsim/vma's take an MmapContext: it holds the machine's MemMap, page allocator, vmstat
 * counters, the page contents table, the FileMappings registry, vm_committed_as (overcommit),
 * the hook that unmaps file pages from page tables (MappingUnmapper, memory.c's zap), and the
 * calling task (cpu, mm, comm, pid). One Vfs per machine; nothing is module-level.
 */
import {
  ArgumentError, type KernelLog, type Lru, type MemcgCharger, type MemMap, type PageAllocator, type ShrinkerRegistry, type SlabCommon, type SwapOps, type VmStat, describeValue, token,
} from "@mmsim/core";
import { FileMappings, type MmStruct, VmOvercommit } from "@mmsim/vma";
import type { AddressSpace, FileOperations, FileSystemType, FsTask, SuperBlock, Vfsmount } from "./fs.ts";
import { IovIter, Kiocb, WriteBeginOut } from "./fs.ts";
import type { FilesStruct } from "./file.ts";
import type { Ramfs } from "./ramfs.ts";
import type { Shmem } from "./shmem.ts";
import { type ReadaheadOps, genericFileVmOps } from "./filemap.ts";
import type { VmOperationsStruct } from "@mmsim/vma";

/**
 * The content identities of user frames (@mmsim/fault's PageContents has this shape): a page
 * cache page's content follows it from write to read to mmap.
 */
export interface PageContentStore {
  /** The identity of frame `pfn` (0: zeros). */
  get(pfn: number): number;
  /** Frame `pfn` now holds `identity`. */
  set(pfn: number, identity: number): void;
  /** The frame is zeroed or freed. */
  clear(pfn: number): void;
  /** A fresh identity equal to no other (incompressible). */
  contentRandom(): number;
}

/** A PageContentStore of its own when the machine gives none (tests): a Map, frames with non-zero content only. */
export class MapContents implements PageContentStore {
  private readonly m = new Map<number, number>();
  private next = 1;
  get(pfn: number): number {
    return this.m.get(pfn) ?? 0;
  }
  set(pfn: number, identity: number): void {
    if (identity === 0) this.m.delete(pfn);
    else this.m.set(pfn, identity);
  }
  clear(pfn: number): void {
    this.m.delete(pfn);
  }
  contentRandom(): number {
    return (this.next++ * 512 + 256) * 8 + 2;
  }
  /** Every (pfn, identity) held. */
  entries(): [number, number][] {
    return [...this.m.entries()];
  }
}

/**
 * Unmaps pages [start, start + nr) of a file (nr 0: to the end) from every VMA of its i_mmap;
 * `evenCows` (truncation, hole punching) zaps the private COW copies in the range too, without
 * it (one page-cache folio going: unmap_mapping_folio) only the file's own pages go. The machine
 * wires it to @mmsim/fault (MmPageOps.unmapMappingPages). Kernel: `unmap_mapping_pages()`.
 */
export interface MappingUnmapper {
  unmapMappingPages(mapping: AddressSpace, start: number, nr: number, evenCows: boolean): void;
}

/**
 * What the page cache asks of the LRU: core's `Lru` (folio_add_lru, workingset_refault,
 * folio_mark_accessed, deactivate_file_folio, __page_cache_release), implemented by
 * @mmsim/reclaim; null without a reclaim module (pages are on no LRU, shadows are not consulted).
 */
export type PageCacheLruHooks = Lru;

/** A filesystem type with the code that mounts it. Kernel: `struct file_system_type` + its fill_super. */
export interface FileSystemDriver extends FileSystemType {
  /**
   * Makes the superblock of a new mount from mount(2)'s data ("size=64M,nr_inodes=1000").
   * @returns the superblock, or a negative errno (-EINVAL for a bad option)
   */
  mount(vfs: Vfs, flags: number, data: string): SuperBlock | number;
  /**
   * Tears the superblock down at its last umount; absent: kill_litter_super (tmpfs, ramfs, whose
   * files die with the mount). Kernel: `file_system_type.kill_sb` (a disk's kill_block_super).
   */
  killSb?(vfs: Vfs, sb: SuperBlock): void;
}

/** The vm.dirty_* knobs (plain values until writeback exists). Kernel: mm/page-writeback.c's globals. */
export interface DirtyKnobs {
  dirtyRatio: number;
  dirtyBackgroundRatio: number;
  dirtyBytes: number;
  dirtyBackgroundBytes: number;
  dirtyExpireCentisecs: number;
  dirtyWritebackCentisecs: number;
  dirtytimeExpireSeconds: number;
}

/** What a Vfs is built over. */
export interface VfsDeps {
  readonly mem: MemMap;
  readonly pages: PageAllocator;
  readonly vmstat: VmStat;
  /** The machine's page contents (the fault package's PageContents); default: a table of its own. */
  readonly contents?: PageContentStore;
  /** The machine's FILE_MAPPINGS (rmap finds mappings there); default: a registry of its own. */
  readonly mappings?: FileMappings;
  /**
   * vm_committed_as and the overcommit policy (the machine's MmapContext's, given as a function:
   * MmapContext is made after VM_FILE_OPS, which needs the Vfs); default: a policy of its own.
   */
  readonly overcommit?: VmOvercommit | (() => VmOvercommit);
  /** Unmaps file pages from page tables (truncate); default: none (nothing may be mapped). */
  readonly unmapper?: MappingUnmapper;
  /** The calling task; default: kernel context on CPU 0. */
  readonly current?: () => FsTask;
  /** totalram_pages() (tmpfs' default size and inode limits). */
  readonly totalramPages: () => number;
  /** The printk buffer (drop_caches' message). */
  readonly log?: KernelLog;
}

const KERNEL_TASK: FsTask = Object.freeze({ cpu: 0, mm: null as MmStruct | null, comm: "swapper/0", pid: 0 });

/** One machine's VFS. */
export class Vfs {
  readonly mem: MemMap;
  readonly pages: PageAllocator;
  readonly vmstat: VmStat;
  /** The page contents (useContents switches to the machine's). */
  contents: PageContentStore;
  readonly mappings: FileMappings;
  private readonly overcommitOf: () => VmOvercommit;
  unmapper: MappingUnmapper | null;
  /** Swap as shmem calls it (@mmsim/swap's, set when the machine's swap is made); null: no swap. */
  swap: SwapOps | null = null;
  /** The LRU (core's Lru, @mmsim/reclaim's); null without a reclaim module. */
  lru: Lru | null = null;
  /** The memory controller (core's MemcgCharger, @mmsim/memcg-psi's): page-cache and shmem charges; null without one. */
  memcg: MemcgCharger | null = null;
  /** The shrinker list (core's ShrinkerRegistry, @mmsim/reclaim's); null without a reclaim module (drop_caches=2 then frees nothing). */
  shrinkers: ShrinkerRegistry | null = null;
  /**
   * The slab layer dentries and inodes are allocated from, set by vfsCachesInit() once the
   * machine has booted; null before (the boot's own dentries and inodes are plain objects, so the
   * boot's /proc/slabinfo stays the one the real kernel's is compared with).
   */
  slab: SlabCommon | null = null;
  /** vm.vfs_cache_pressure (percent): super_cache_count scales the dentry and inode counts by it. Kernel: `sysctl_vfs_cache_pressure` (fs/dcache.c). */
  vfsCachePressure = 100;
  /** Dentries and inodes alive. Kernel: `nr_dentry`, `nr_inodes` (/proc/sys/fs/dentry-state, inode-nr). */
  nrDentry = 0;
  nrInodes = 0;
  readonly log: KernelLog | null;
  readonly totalramPages: () => number;
  private currentFn: () => FsTask;

  /** Registered filesystems by name. Kernel: `file_systems` (register_filesystem). */
  readonly fileSystems = new Map<string, FileSystemDriver>();
  /** Every superblock. Kernel: `super_blocks`. */
  readonly superBlocks: SuperBlock[] = [];
  /** The root of the mount tree (rootfs). Kernel: `init_task.fs->root`. */
  rootMnt: Vfsmount | null = null;
  /** The internal shmem mount shmem_zero_setup makes its files on. Kernel: `shm_mnt`. */
  shmMnt: Vfsmount | null = null;
  /** The files_struct of each task, by pid. Kernel: `task->files`. */
  readonly files = new Map<number, FilesStruct>();
  /** Minors of the anonymous block devices in use (0:n). Kernel: `unnamed_dev_ida`. */
  readonly anonDevs = new Set<number>();
  /** get_next_ino()'s per-CPU `last_ino`. */
  readonly lastInoCpu = new Map<number, number>();
  /** get_next_ino()'s `shared_last_ino`. */
  sharedLastIno = 0;
  /** vm.drop_caches: the last value written. Kernel: `sysctl_drop_caches`. */
  dropCaches = 0;
  /** drop_caches' "stfu": a write with bit 4 silences the message from then on. */
  dropCachesQuiet = false;
  readonly dirty: DirtyKnobs = {
    dirtyRatio: 20, dirtyBackgroundRatio: 10, dirtyBytes: 0, dirtyBackgroundBytes: 0,
    dirtyExpireCentisecs: 3000, dirtyWritebackCentisecs: 500, dirtytimeExpireSeconds: 43200,
  };

  /** Reused I/O descriptors of the read/write syscalls (one call at a time). */
  readonly kiocb = new Kiocb();
  readonly iter = new IovIter();
  /** filemap_read's folio batch (PAGEVEC_SIZE pages). */
  readonly batch = new Int32Array(15);
  /** filemap_add_folio's shadow out-parameter. */
  readonly shadow = new Float64Array(1);
  /** write_begin's page out-parameter. */
  readonly writeBegin = new WriteBeginOut();
  /** The readahead code (the block issue's); null: a miss reads the one page it needs. */
  readahead: ReadaheadOps | null = null;
  /** The machine's disk (ext2.ts), once a scenario declares one: the dirty throttle and I/O completions. */
  disk: { balanceDirtyPagesRatelimited(): void; reap(): void; nrBlockdevPages(): number; wakeupFlusher(): void; runFlusherIfDue(): void } | null = null;
  /** tmpfs and shmem of this machine (registerFilesystems). */
  shmem: Shmem | null = null;
  /** ramfs of this machine. */
  ramfs: Ramfs | null = null;
  /** def_chr_fops of this machine (mem.ts), made at its first use. */
  chrdevFops: FileOperations | undefined = undefined;
  /** generic_file_vm_ops of this machine. */
  readonly genericFileVmOps: VmOperationsStruct;

  constructor(deps: VfsDeps) {
    this.mem = deps.mem;
    this.pages = deps.pages;
    this.vmstat = deps.vmstat;
    this.contents = deps.contents ?? new MapContents();
    this.mappings = deps.mappings ?? new FileMappings();
    this.totalramPages = deps.totalramPages;
    const oc = deps.overcommit ?? new VmOvercommit({
      totalramPages: deps.totalramPages, totalSwapPages: () => 0, hugetlbTotalPages: () => 0, nrFreePages: () => deps.totalramPages(),
    });
    this.overcommitOf = typeof oc === "function" ? oc : () => oc;
    this.unmapper = deps.unmapper ?? null;
    this.currentFn = deps.current ?? (() => KERNEL_TASK);
    this.log = deps.log ?? null;
    this.genericFileVmOps = genericFileVmOps(this);
  }

  /** vm_committed_as and the overcommit policy. */
  get overcommit(): VmOvercommit {
    return this.overcommitOf();
  }

  /** Who calls from now on (the machine's processes, once they exist). */
  setCurrent(fn: () => FsTask): void {
    this.currentFn = fn;
  }

  /**
   * Uses the machine's page contents table from now on (the fault package's, made with the
   * processes); the frames with content so far move over.
   */
  useContents(store: PageContentStore): void {
    if (store === this.contents) return;
    const old = this.contents;
    if (old instanceof MapContents) for (const [pfn, id] of old.entries()) store.set(pfn, id);
    this.contents = store;
  }

  /** The calling task. Kernel: `current`. */
  current(): FsTask {
    return this.currentFn();
  }

  /** The registered filesystem `name`. @throws ArgumentError for an unknown one (mount checks first) */
  fileSystem(name: string): FileSystemDriver {
    const fs = this.fileSystems.get(name);
    if (fs === undefined) throw new ArgumentError("filemap.Vfs.fileSystem", "name", `a registered filesystem (${[...this.fileSystems.keys()].join(", ")})`, describeValue(name));
    return fs;
  }

  /** Kernel: `register_filesystem()`. */
  registerFilesystem(fs: FileSystemDriver): void {
    this.fileSystems.set(fs.name, fs);
  }
}

/** The machine's Vfs. */
export const VFS = token<Vfs>("Vfs");

