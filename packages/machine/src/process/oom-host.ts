// Kernel: mm/oom_kill.c (find_lock_task_mm, mark_oom_victim, __oom_reap_task_mm), kernel/signal.c (do_send_sig_info SIGKILL), lib/dump_stack.c (v6.1.166) — the machine's tasks as the `oom` slot sees them
/*
 * core's OomHost over the machine's processes: the task table read as for_each_process with
 * find_lock_task_mm (a zombie has no mm), SIGKILL as a pending fatal signal the task engine acts
 * on (the victim's program ends the next time it would run; the running task's at the end of its
 * step, or at once in an access: the signal is delivered on the return to user space), the OOM
 * reaper's unmap of the private VMAs through the fault path's zap, and __show_mem from the page
 * allocator. Processes are single-threaded and a process never shares its mm with another one
 * (no CLONE_VM), so tgid = pid and mm_users is 1.
 */
import { type KernelLog, MAX_NR_ZONES, NR_SWAPCACHE, type OomHost, type OomTask, type SwapOps, type VmStat, gfpZone } from "@mmsim/core";
import { type PageAllocState, showMem } from "@mmsim/buddy";
import {
  MMF_OOM_SKIP, MMF_OOM_VICTIM, MMF_UNSTABLE, MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, type TaskStruct, VM_HUGETLB, VM_PFNMAP, VM_SHARED, getMmCounter,
} from "@mmsim/vma";
import type { Processes } from "./processes.ts";

/** The reference kernel's dump_stack_print_info() identity (as @mmsim/slub's defaults: the Debian 6.1 build of the captures). */
export const UTS = "6.1.0-56-arm64 #1  Debian 6.1.192-2";
export const HARDWARE_NAME = "linux,dummy-virt (DT)";

/** What the host reads besides the processes. */
export interface OomHostSources {
  readonly processes: () => Processes;
  readonly pa: PageAllocState;
  readonly vmstat: VmStat;
  readonly log: KernelLog;
  /** The machine's swap, when its module is loaded. */
  readonly swap: () => SwapOps | null;
  /** pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES, when reclaim is loaded. */
  readonly allUnreclaimable: (nid: number) => boolean;
}

/** The machine's OomHost. */
export class MachineOomHost implements OomHost {
  constructor(private readonly src: OomHostSources) {}

  private oomTask(t: TaskStruct): OomTask {
    const p = this.src.processes();
    const mm = t.state === "Z (zombie)" || t.state === "X (dead)" ? null : t.mm;
    const c = (i: number): number => (mm === null ? 0 : getMmCounter(mm, i));
    return {
      pid: t.pid,
      tgid: t.pid,
      uid: 0,
      comm: t.comm,
      oomScoreAdj: t.oomScoreAdj,
      unkillable: t.parent === null, // is_global_init (mmsim's task table has no kernel threads)
      mmId: mm === null ? -1 : mm.id,
      totalVm: mm === null ? 0 : mm.totalVm,
      anonRss: c(MM_ANONPAGES),
      fileRss: c(MM_FILEPAGES),
      shmemRss: c(MM_SHMEMPAGES),
      swapents: c(MM_SWAPENTS),
      pgtablesBytes: mm?.pgtables?.pgtablesBytes ?? 0,
      oomVictim: p.oomVictims.has(t.pid),
      oomSkip: mm !== null && (mm.flags & (1 << MMF_OOM_SKIP)) !== 0,
      exiting: p.fatalSignalPending(t.pid),
    };
  }

  tasks(): readonly OomTask[] {
    return this.src.processes().tasks.list().map((t) => this.oomTask(t));
  }

  current(): OomTask | null {
    const t = this.src.processes().currentOrNull;
    return t === null ? null : this.oomTask(t);
  }

  totalramPages(): number {
    return this.src.pa.totalramPages;
  }

  totalSwapPages(): number {
    return this.src.swap()?.totalSwapPages() ?? 0;
  }

  nodesWithMemory(): readonly number[] {
    return this.src.pa.pgdat.filter((n) => n.nodePresentPages > 0).map((n) => n.nodeId);
  }

  /** Kernel: `dump_stack()` → dump_stack_print_info + the call trace (function names only: mmsim has no offsets). */
  dumpStack(frames: readonly string[]): void {
    const p = this.src.processes();
    const t = p.currentOrNull;
    const log = this.src.log;
    log.prWarn(`CPU: ${p.alloc.cpu} PID: ${t?.pid ?? 0} Comm: ${(t?.comm ?? "swapper/0").slice(0, 20)} Not tainted ${UTS}`);
    log.prWarn(`Hardware name: ${HARDWARE_NAME}`);
    log.prWarn("Call trace:");
    for (const f of ["dump_backtrace", "show_stack", "dump_stack_lvl", "dump_stack", ...frames]) log.prWarn(` ${f}`);
  }

  showMem(gfp: number): void {
    const swap = this.src.swap();
    const vs = this.src.vmstat;
    const maxZoneIdx = gfp === 0 ? MAX_NR_ZONES - 1 : gfpZone(gfp);
    showMem(this.src.pa, this.src.log, maxZoneIdx, {
      allUnreclaimable: this.src.allUnreclaimable,
      swapcachePages: () => vs.globalNodePageStatePages(NR_SWAPCACHE),
      nrSwapPages: () => swap?.nrSwapPages() ?? 0,
      totalSwapPages: () => swap?.totalSwapPages() ?? 0,
      totalcmaPages: () => this.src.pa.pgdat.reduce((n, pgdat) => n + pgdat.zones.reduce((m, z) => m + z.cmaPages, 0), 0),
      cpu: this.src.processes().alloc.cpu,
    });
  }

  sigkill(pid: number): void {
    const p = this.src.processes();
    const t = p.tasks.lookup(pid);
    if (t === undefined) return;
    p.sendSigkill(t);
    // mark_oom_victim: TIF_MEMDIE and signal->oom_mm
    if (!p.oomVictims.has(pid)) {
      p.oomVictims.add(pid);
      if (t.mm !== null) t.mm.flags |= 1 << MMF_OOM_VICTIM;
    }
  }

  /** Kernel: `oom_reap_task_mm()` → `__oom_reap_task_mm()`, then MMF_OOM_SKIP (oom_reap_task's done:). */
  reap(pid: number): boolean {
    const p = this.src.processes();
    const t = p.tasks.lookup(pid);
    if (t === undefined || t.mm === null) return false;
    if (p.currentOrNull === t) return false; // running its step: it frees its memory through exit_mmap on its way out
    const mm = t.mm;
    if ((mm.flags & (1 << MMF_OOM_SKIP)) !== 0) return false;
    mm.flags |= 1 << MMF_UNSTABLE;
    for (const vma of [...mm.mt]) {
      if ((vma.vmFlags & (VM_HUGETLB | VM_PFNMAP)) !== 0) continue;
      // Only anonymous and private pages: fs-backed shared pages were reclaimable already.
      if (vma.vmSpecial !== null) continue; // [vvar]/[vdso]: kernel pages, nothing to free
      if (vma.vmOps === null || (vma.vmFlags & VM_SHARED) === 0) p.memory.zapPageRange(vma, vma.vmStart, vma.vmEnd);
    }
    mm.flags |= 1 << MMF_OOM_SKIP;
    return true;
  }

  setOomSkip(pid: number): void {
    const mm = this.src.processes().tasks.lookup(pid)?.mm;
    if (mm) mm.flags |= 1 << MMF_OOM_SKIP;
  }
}
