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
import { KERNEL_LOG, type KernelLog, MEM_MAP, PageAllocator, RNG, VM_STAT, resolveToken } from "@mmsim/core";
import { Arm64Fault, MmMemory, ThpSettings } from "@mmsim/fault";
import { KERNEL_PAGE_TABLES, MMU, type Mmu, PgtableAllocator, type PgtableStore } from "@mmsim/hw-arm64";
import { Rmap } from "@mmsim/rmap";
import {
  LAYOUT_PROBE_IMAGE, MapleTree, type MmStruct, MmapContext, type ProgramImage, type TaskStruct, TaskTable,
} from "@mmsim/vma";
import type { BuddyAllocator } from "@mmsim/buddy";
import type { DependencyContainer } from "tsyringe";
import { EMPTY_ZERO_PAGE } from "../platform/platform.ts";
import type { TaskHost } from "../task-api.ts";
import { MM_MEMORY } from "./token.ts";

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
  /** The running task of each CPU (null: none yet). */
  private readonly running: (TaskStruct | null)[];
  /** The task steps run as outside a workload run (`mmsim cat` after it): init. */
  private currentTask: TaskStruct | null = null;

  constructor(c: DependencyContainer, nrCpus: number) {
    this.store = resolveToken(c, KERNEL_PAGE_TABLES).store;
    this.hw = resolveToken(c, MMU);
    this.log = resolveToken(c, KERNEL_LOG);
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
    this.running = Array.from({ length: nrCpus }, () => null);
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
    return pid;
  }

  switchTo(pid: number, cpu: number): void {
    const t = this.tasks.lookup(pid);
    if (t === undefined) return;
    this.currentTask = t;
    this.memory.current = t;
    this.alloc.cpu = cpu;
    this.running[cpu] = t;
    // switch_mm: the task's mm on this CPU (a new mm gets its context first: init_new_context)
    const mm = t.mm;
    if (mm !== null && mm.pgtables !== null && this.hw.currentMm[cpu] !== mm.id) {
      if (!this.hw.contexts.hasContext(mm.id)) this.hw.contexts.initNewContext(mm.id);
      this.hw.switchMm(cpu, mm.id, mm.pgtables.pgd);
    }
  }

  exit(pid: number, code: number): void {
    const t = this.tasks.lookup(pid);
    if (t === undefined || t.state === "Z (zombie)") return;
    this.tasks.exit(t, code);
  }

  parentOf(pid: number): number | undefined {
    return this.tasks.lookup(pid)?.parent?.pid;
  }

  /** Logs what 6.1 logs when a task dies of SIGSEGV with no handler (show_unhandled_signals). */
  logSegv(t: TaskStruct, addr: number, code: "SEGV_MAPERR" | "SEGV_ACCERR"): void {
    // arm64_show_signal prints the ESR and registers; mmsim has neither, so it prints the first
    // part and the fault address (a documented simplification).
    this.log.prInfo(`${t.comm}[${t.pid}]: unhandled exception: ${code} at 0x${addr.toString(16).padStart(16, "0")}`);
  }
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
  const rmap = new Rmap({ mem, store, pages, vmstat, flushTlbRange: flush });
  const thp = new ThpSettings();
  if (!thpEnabled) thp.enabled = "never";
  return new MmMemory({ mem, alloc: new PgtableAllocator(store, pages, mem), pages, vmstat, rmap, flushTlbRange: flush, zeroPfn: resolveToken(c, EMPTY_ZERO_PAGE), thp });
}
