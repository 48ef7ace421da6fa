// Kernel: kernel/fork.c, kernel/exit.c, fs/exec.c, mm/mmap.c, mm/memory.c, mm/rmap.c as one machine assembles them (v6.1) — the machine's tasks and their address spaces
/*
 * One machine's process mechanisms, wired over its booted kernel: @mmsim/rmap's Rmap (anon_vma,
 * page rmap), @mmsim/fault's MmMemory (memory.c: faults, zap, COW, copy at fork) and
 * Arm64Fault (do_page_fault), @mmsim/vma's MmapContext (the mm syscalls' sysctls, rlimits and
 * commit accounting) and TaskTable (pids, spawn/fork/exec/exit/wait). Page tables are the
 * kernel's PgtableStore (tables from the page allocator, as pte_alloc takes them); the zero page
 * is the platform's empty_zero_page; TLB flushes go to the MMU's TLBI operations for the mm's
 * ASID.
 *
 * It is the task engine's TaskHost: init (pid 1) is spawned from a static program image when
 * the workload starts, and each task's steps run with it as `current` on its CPU.
 */
import { KERNEL_LOG, KmemCacheAllocator, type KernelLog, Lru, MEM_MAP, MemcgCharger, MmBugError, PageAllocator, RNG, SIM_CLOCK, SwapOps, VM_STAT, resolveToken } from "@mmsim/core";
import { Arm64Fault, MmMemory, ThpSettings } from "@mmsim/fault";
import { KERNEL_PAGE_TABLES, MMU, type Mmu, PgtableAllocator, type PgtableStore } from "@mmsim/hw-arm64";
import { Rmap } from "@mmsim/rmap";
import { SWAP } from "@mmsim/swap";
import {
  FILE_MAPPINGS, GlibcMalloc, LAYOUT_PROBE_IMAGE, MapleTree, type MmStruct, MmapContext, type ProgramImage, type TaskStruct, TaskTable,
} from "@mmsim/vma";
import type { BuddyAllocator } from "@mmsim/buddy";
import { SlubAllocator } from "@mmsim/slub";
import {
  FilesStruct, type FsTask, O_RDWR, VFS, type Vfs, doCloseOnExec, doFilpOpen, dupFd, fdInstall, allocFd, getFile, putFilesStruct,
} from "@mmsim/filemap";
import type { DependencyContainer } from "tsyringe";
import { EMPTY_ZERO_PAGE } from "../platform/platform.ts";
import type { TaskHost } from "../task-api.ts";
import { MM_MEMORY } from "./token.ts";
import { HARDWARE_NAME, UTS } from "./oom-host.ts";
import { ShowSignal, type UserAbort } from "./show-signal.ts";

/** The program init runs: a static arm64 binary laid out as the probes' (tests/conformance/fixtures/process). */
export const INIT_IMAGE: ProgramImage = Object.freeze({ ...LAYOUT_PROBE_IMAGE, path: "/sbin/init" });

/** The machine's tasks and the mechanisms they run on. */
export class Processes implements TaskHost {
  readonly rmap: Rmap;
  readonly memory: MmMemory;
  readonly mmap: MmapContext;
  readonly fault: Arm64Fault;
  readonly tasks: TaskTable;
  readonly alloc: PgtableAllocator;
  readonly store: PgtableStore;
  readonly thp: ThpSettings;
  private readonly hw: Mmu<PgtableStore>;
  private readonly log: KernelLog;
  /** arm64_show_signal's switch (debug.exception-trace) and ratelimit. */
  readonly showSignal: ShowSignal;
  /** The task steps run as outside a workload run (`mmsim cat` after it): init. */
  private currentTask: TaskStruct | null = null;
  /** Inode numbers of the program files spawn and exec name, init's first (the initramfs' tmpfs). */
  private readonly inodes = new Map<string, number>([[INIT_IMAGE.path, INIT_IMAGE.ino]]);
  /** Each mm's malloc arena (the C library's state lives in the address space: a fork copies it, an exec drops it). */
  private readonly arenas = new WeakMap<MmStruct, GlibcMalloc>();
  /** The VFS the tasks' fd tables and file syscalls use (@mmsim/filemap's). */
  readonly vfs: Vfs;
  /** The running task as the VFS asks for it (current: its CPU, mm, comm and pid). */
  private readonly fsTask: FsTask;

  constructor(c: DependencyContainer, nrCpus: number) {
    this.store = resolveToken(c, KERNEL_PAGE_TABLES).store;
    this.hw = resolveToken(c, MMU);
    this.log = resolveToken(c, KERNEL_LOG);
    this.showSignal = new ShowSignal(this.log, resolveToken(c, SIM_CLOCK), UTS, HARDWARE_NAME);
    this.memory = resolveToken(c, MM_MEMORY);
    this.rmap = this.memory.rmap;
    this.alloc = this.memory.alloc;
    this.thp = this.memory.thp;
    this.mmap = c.resolve(MmapContext);
    this.fault = new Arm64Fault(this.memory, this.mmap);
    this.tasks = new TaskTable(
      { pgtableAlloc: this.alloc, mmap: this.mmap, newVmaTree: () => new MapleTree(), rng: resolveToken(c, RNG), taskSize: 2 ** this.store.vaBits },
      { possibleCpus: nrCpus, firstMmId: 2 },
    );
    // the VFS calls on behalf of the running task, and its pages' contents are the fault path's
    const self = (): TaskStruct | null => this.currentTask ?? this.tasks.init;
    const alloc = this.alloc;
    this.fsTask = {
      get cpu() {
        return alloc.cpu;
      },
      get mm() {
        return self()?.mm ?? null;
      },
      get comm() {
        return self()?.comm ?? "swapper/0";
      },
      get pid() {
        return self()?.pid ?? 0;
      },
    };
    this.vfs = resolveToken(c, VFS);
    this.vfs.setCurrent(() => this.fsTask);
    this.vfs.useContents(this.memory.contents);
    // SLUB's reports and struct track name `current` (the running task), as the kernel's do;
    // resolved at the first task switch (the workload runs after boot made the allocator)
    this.slubOf = () => {
      const slab = c.isRegistered(KmemCacheAllocator, true) ? resolveToken(c, KmemCacheAllocator) : null;
      return slab instanceof SlubAllocator ? slab : null;
    };
  }

  /** The SLUB allocator when it is the slab policy (undefined until the first switch): its reports' `current` follows the running task. */
  private slub: SlubAllocator | null | undefined;
  private readonly slubOf: () => SlubAllocator | null;

  /** A task's fd table. Kernel: `task->files`. @throws Error for a task without one (exited) */
  filesOf(t: TaskStruct): FilesStruct {
    const f = this.vfs.files.get(t.pid);
    if (f === undefined) throw new Error(`pid ${t.pid} has no files_struct (it exited)`);
    return f;
  }

  /**
   * init's fd table: /dev/console opened O_RDWR on fd 0 and dup'ed to 1 and 2, so the first
   * file a task opens gets fd 3. Kernel: `console_on_rootfs()` (kernel_init_freeable).
   */
  private consoleOnRootfs(pid: number): void {
    const files = new FilesStruct();
    this.vfs.files.set(pid, files);
    const f = doFilpOpen(this.vfs, "/dev/console", O_RDWR, 0);
    if (typeof f === "number") throw new Error(`Warning: unable to open an initial console (${f})`);
    fdInstall(files, allocFd(files, 0, 0), f);
    for (let fd = 1; fd <= 2; fd++) {
      getFile(f);
      fdInstall(files, allocFd(files, 0, 0), f);
    }
  }

  /** spawn (fork + execve) from `parent`: the child's fd table is a copy of its parent's. @returns the pid or an errno */
  spawn(image: ProgramImage, parent: TaskStruct, argv: readonly string[]): number {
    const pid = this.tasks.spawn(image, { parent, argv: [...argv] });
    if (pid > 0) {
      this.vfs.files.set(pid, dupFd(this.filesOf(parent)));
      doCloseOnExec(this.vfs, this.filesOf(this.tasks.lookup(pid)!));
    }
    return pid;
  }

  /** execve in `t`: the close-on-exec fds are closed. @returns 0 or an errno */
  exec(t: TaskStruct, image: ProgramImage, argv: readonly string[]): number {
    const r = this.tasks.exec(t, image, { argv: [...argv] });
    if (r === 0) doCloseOnExec(this.vfs, this.filesOf(t));
    return r;
  }

  /** Tasks with a SIGKILL pending (fatal_signal_pending): they die the next time they would run. */
  private readonly sigkilled = new Set<number>();
  /** OOM victims not yet exited (TIF_MEMDIE / tsk_is_oom_victim). */
  readonly oomVictims = new Set<number>();
  /** Called when a task gets a SIGKILL (the task engine wakes it to die). */
  onSigkill: ((pid: number) => void) | null = null;

  /** Kernel: `fatal_signal_pending()`. */
  fatalSignalPending(pid: number): boolean {
    return this.sigkilled.has(pid);
  }

  /** Kernel: `do_send_sig_info(SIGKILL, SEND_SIG_PRIV, t, PIDTYPE_TGID)`: the task dies on its way back to user space. */
  sendSigkill(t: TaskStruct): void {
    if (t.state === "Z (zombie)" || t.state === "X (dead)" || this.sigkilled.has(t.pid)) return;
    this.sigkilled.add(t.pid);
    this.onSigkill?.(t.pid);
  }

  /** The running task, or init outside a run; null before init exists (boot). */
  get currentOrNull(): TaskStruct | null {
    return this.currentTask ?? this.tasks.init;
  }

  /** The task a step runs as: the running one during a run, else init. */
  get current(): TaskStruct {
    const t = this.currentTask ?? this.tasks.init;
    if (t === null) throw new Error("no task yet: init is made when the workload starts");
    return t;
  }

  // --------------------------------------------------------------------- TaskHost

  init(): number {
    if (this.tasks.init !== null) return this.tasks.init.pid;
    this.alloc.cpu = 0;
    const pid = this.tasks.spawn(INIT_IMAGE, { argv: ["/sbin/init"] });
    if (pid < 0) throw new Error(`spawning init failed (${pid})`);
    this.currentTask = this.tasks.lookup(pid)!;
    this.consoleOnRootfs(pid);
    return pid;
  }

  switchTo(pid: number, cpu: number): void {
    const t = this.tasks.lookup(pid);
    if (t === undefined) return;
    this.currentTask = t;
    this.memory.current = t;
    this.alloc.cpu = cpu;
    (this.slub === undefined ? (this.slub = this.slubOf()) : this.slub)?.setContext({ pid: t.pid, comm: t.comm });
    this.activate(t, cpu);
  }

  /** switch_mm (and exec's activate_mm): the task's mm on this CPU (a new mm gets its context first: init_new_context). */
  activate(t: TaskStruct, cpu: number): void {
    const mm = t.mm;
    if (mm !== null && mm.pgtables !== null && this.hw.currentMm[cpu] !== mm.id) {
      if (!this.hw.contexts.hasContext(mm.id)) this.hw.contexts.initNewContext(mm.id);
      this.hw.switchMm(cpu, mm.id, mm.pgtables.pgd);
    }
  }

  /** fork() of `parent`: the task table's copy_process, and the C library's malloc state copied with the address space. @returns the child's pid or an errno */
  fork(parent: TaskStruct): number {
    const pid = this.tasks.fork(parent);
    // copy_files → dup_fd
    if (pid > 0) this.vfs.files.set(pid, dupFd(this.filesOf(parent)));
    const arena = parent.mm === null ? undefined : this.arenas.get(parent.mm);
    const child = pid > 0 ? this.tasks.lookup(pid) : undefined;
    if (arena !== undefined && child?.mm) this.arenas.set(child.mm, dupMalloc(arena, this.mmap, child.mm));
    return pid;
  }

  /**
   * The inode of a program file: each path gets the next number after those given, in order of
   * first use, as tmpfs numbers the files copied into the initramfs (shmem_get_inode → get_next_ino).
   */
  inodeOf(path: string): number {
    let ino = this.inodes.get(path);
    if (ino === undefined) this.inodes.set(path, (ino = Math.max(...this.inodes.values()) + 1));
    return ino;
  }

  /** The current mm's malloc arena (made at its first malloc). */
  mallocOf(t: TaskStruct): GlibcMalloc {
    const mm = t.mm;
    if (mm === null) throw new Error(`malloc in pid ${t.pid}, which has no mm`);
    let a = this.arenas.get(mm);
    if (a === undefined) this.arenas.set(mm, (a = new GlibcMalloc(this.mmap, mm)));
    return a;
  }

  exit(pid: number, code: number): void {
    const t = this.tasks.lookup(pid);
    if (t === undefined) return;
    // exit_oom_victim; the signal was delivered
    this.sigkilled.delete(pid);
    this.oomVictims.delete(pid);
    // exit_files → put_files_struct (a task an exec killed is a zombie already, its files still open)
    const files = this.vfs.files.get(pid);
    if (files !== undefined) {
      this.vfs.files.delete(pid);
      putFilesStruct(this.vfs, files);
    }
    if (t.state === "Z (zombie)") return;
    this.tasks.exit(t, code);
  }

  setSigkillWaker(wake: ((pid: number) => void) | null): void {
    this.onSigkill = wake;
  }

  parentOf(pid: number): number | undefined {
    return this.tasks.lookup(pid)?.parent?.pid;
  }

  /** SIGSEGVs the tasks died of, by si_code (mmsim's signals debug file). */
  readonly segvs = { SEGV_MAPERR: 0, SEGV_ACCERR: 0 };

  /**
   * A task dies of SIGSEGV with no handler: counted by si_code, and logged as 6.1's
   * arm64_force_sig_fault → arm64_show_signal does (show-signal.ts: only with
   * debug.exception-trace set).
   */
  logSegv(t: TaskStruct, code: "SEGV_MAPERR" | "SEGV_ACCERR", abort: UserAbort, cpu: number): void {
    this.segvs[code]++;
    this.showSignal.show(t, cpu, abort);
  }

  /** SIGBUSes the tasks died of (BUS_ADRERR: do_page_fault's VM_FAULT_SIGBUS). */
  sigbus = 0;

  /** A task dies of SIGBUS with no handler (do_page_fault's VM_FAULT_SIGBUS → arm64_force_sig_fault, logged as logSegv). */
  logSigbus(t: TaskStruct, abort: UserAbort, cpu: number): void {
    this.sigbus++;
    this.showSignal.show(t, cpu, abort);
  }
}

/** GlibcMalloc's state (its fields are private to @mmsim/vma; a fork copies them as memory is copied). */
interface MallocState {
  mmapThreshold: number;
  trimThreshold: number;
  topPad: number;
  noDynThreshold: boolean;
  heapStart: number;
  top: number;
  readonly free: [number, number][];
  readonly live: Map<number, { size: number; mmapped: boolean }>;
}

/**
 * The child's copy of a malloc arena at fork: the arena lives in the copied address space, so
 * the child's is the parent's as it was (the same chunks, top and thresholds) over the child's mm.
 * mmsim: @mmsim/vma's GlibcMalloc has no copy of its own yet; this copies its fields.
 */
function dupMalloc(src: GlibcMalloc, ctx: MmapContext, mm: MmStruct): GlibcMalloc {
  const dst = new GlibcMalloc(ctx, mm);
  const s = src as unknown as MallocState;
  const d = dst as unknown as MallocState;
  if (!(s.live instanceof Map) || !Array.isArray(s.free) || typeof s.top !== "number") throw new MmBugError("machine.dupMalloc", "GlibcMalloc's fields changed: update dupMalloc");
  d.mmapThreshold = s.mmapThreshold;
  d.trimThreshold = s.trimThreshold;
  d.topPad = s.topPad;
  d.noDynThreshold = s.noDynThreshold;
  d.heapStart = s.heapStart;
  d.top = s.top;
  for (const [a, n] of s.free) d.free.push([a, n]);
  for (const [p, c] of s.live) d.live.set(p, { size: c.size, mmapped: c.mmapped });
  return dst;
}

/**
 * The page side of the machine's mms (mm/memory.c and mm/rmap.c over the kernel's table store,
 * the page allocator, the vmstat counters and the MMU's TLBIs). Kernel: what memory.c and rmap.c
 * share as globals.
 */
export function createMmMemory(c: DependencyContainer, thpEnabled: boolean): MmMemory {
  const pages = resolveToken(c, PageAllocator) as BuddyAllocator;
  const mem = resolveToken(c, MEM_MAP);
  const vmstat = resolveToken(c, VM_STAT);
  const store = resolveToken(c, KERNEL_PAGE_TABLES).store;
  const hw = resolveToken(c, MMU);
  const flush = (mm: MmStruct, start: number, end: number): void => {
    if (hw.contexts.hasContext(mm.id)) hw.flushTlbRange(mm.id, start, end);
  };
  const rmap = new Rmap({ mem, store, pages, vmstat, flushTlbRange: flush, fileMappings: resolveToken(c, FILE_MAPPINGS) });
  rmap.swapHooks = resolveToken(c, SWAP).swap; // try_to_unmap's swap side: swap_duplicate, swap_free, the arm64 swap PTE
  const thp = new ThpSettings();
  if (!thpEnabled) thp.enabled = "never";
  // swap and the LRU where their modules are loaded (swap's module must not resolve MM_MEMORY while it is built: SwapUnuse is resolved late)
  const swapOps = c.isRegistered(SwapOps, true) ? resolveToken(c, SwapOps) : null;
  const lru = c.isRegistered(Lru, true) ? resolveToken(c, Lru) : null;
  const m = new MmMemory({ mem, alloc: new PgtableAllocator(store, pages, mem), pages, vmstat, rmap, flushTlbRange: flush, zeroPfn: resolveToken(c, EMPTY_ZERO_PAGE), thp, swapOps, lru });
  if (c.isRegistered(MemcgCharger, true)) m.memcg = resolveToken(c, MemcgCharger); // mem_cgroup_charge of new anonymous pages
  return m;
}
