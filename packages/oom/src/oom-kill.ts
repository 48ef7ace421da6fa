// Kernel: mm/oom_kill.c (v6.1.166) — out_of_memory, select_bad_process, oom_evaluate_task, oom_kill_process, __oom_kill_process, dump_header, dump_tasks, the OOM reaper
/*
 * The kernel's OOM killer behind core's OutOfMemoryHandler, over the machine's tasks (OomHost).
 * Followed from 6.1.166 (unifreq/linux-6.1.y) line by line, with these differences:
 *  - No cpusets and no memory policies in mmsim: constrained_alloc() finds CONSTRAINT_NONE for
 *    the allocator's OOM (no nodemask, every zone allowed; totalpages = totalram +
 *    total_swap_pages) and CONSTRAINT_MEMCG for a memcg's (memcgOutOfMemory: the memcg's tasks,
 *    mem_cgroup_get_max as totalpages, the memcg's meminfo in the report). memory.oom.group is
 *    not acted on (the victim alone is killed).
 *  - No oom notifiers (no driver registers one), no sysrq OOM (order -1), no vfork children
 *    (in_vfork is false), no thread groups (a task is its own thread group; no CLONE_VM sharing
 *    across processes, so __oom_kill_process has no other process to kill).
 *  - The OOM reaper: 6.1 queues the victim on oom_reaper_list with a 2 s timer (OOM_REAPER_DELAY,
 *    so that a victim that exits by itself is not reaped), and the reaper thread then unmaps the
 *    victim's private VMAs. A victim that is not running reaches its exit only when its program
 *    gets the CPU again in mmsim, so the reaper acts at once (the 2 s timer would fire before the
 *    victim's next step in most workloads); a victim that is the allocating task exits as soon as
 *    its step returns to user space, and exit_mmap frees its memory (6.1 prints no reaper line
 *    then: the reaper finds MMF_OOM_SKIP set by exit_mmap).
 *  - should_dump_unreclaim_slab()'s slab dump (when unreclaimable slab exceeds the LRU pages) is
 *    not printed.
 */
import {
  CONSTRAINT_MEMCG, CONSTRAINT_NONE, GFP_KERNEL, type KernelLog, type MemcgOomControl, NSEC_PER_SEC, OOM_CONSTRAINT_TEXT, OOM_KILL, OOM_SCORE_ADJ_MIN, type OomHost, type OomTask, type OutOfMemoryHandler,
  type SimClock, type VmStat, __GFP_FS, formatGfpMask, oomBadness, panic,
} from "@mmsim/core";

/** `K(x)`: pages to KiB (4 KiB pages). */
const K = (x: number): number => x * 4;
/** HZ of the reference config. */
const HZ = 250;
/** DEFAULT_RATELIMIT_INTERVAL (5 * HZ) and DEFAULT_RATELIMIT_BURST (10): oom_kill_process's oom_rs. */
const OOM_RS_INTERVAL_NS = (5 * HZ * NSEC_PER_SEC) / HZ;
const OOM_RS_BURST = 10;

/** The frames below oom_kill_process/dump_header in dump_stack()'s trace: the allocator's slow path. */
const OOM_CALLERS: readonly string[] = Object.freeze(["out_of_memory", "__alloc_pages_slowpath.constprop.0", "__alloc_pages"]);

/** The frames of a memcg OOM's dump_stack(): the charge of a new anonymous page in a user fault (do_anonymous_page is inlined in __handle_mm_fault), as the capture shows them. */
const MEMCG_OOM_CALLERS: readonly string[] = Object.freeze([
  "out_of_memory", "mem_cgroup_out_of_memory", "try_charge_memcg", "charge_memcg", "__mem_cgroup_charge", "__handle_mm_fault", "handle_mm_fault", "do_page_fault",
  "do_translation_fault", "do_mem_abort", "el0_da", "el0t_64_sync_handler", "el0t_64_sync",
]);

/** `struct oom_control` (the fields mmsim uses). */
export interface OomControl {
  readonly gfp: number;
  readonly order: number;
  readonly nid: number;
  /** oc->memcg: the memcg whose limit was hit, or null for the allocator's OOM. */
  readonly memcg: MemcgOomControl | null;
  constraint: number;
  totalpages: number;
  /** null: none; "abort": a victim is still exiting (oc->chosen == -1); else the task. */
  chosen: OomTask | "abort" | null;
  chosenPoints: number;
}

/** What the killer needs from the machine besides the tasks. */
export interface OomKillerDeps {
  readonly host: () => OomHost;
  readonly log: KernelLog;
  readonly vmstat: VmStat;
  readonly clock: SimClock;
}

/**
 * The kernel's OOM killer: out_of_memory() for the page allocator, with vm.panic_on_oom,
 * vm.oom_kill_allocating_task and vm.oom_dump_tasks as fields (the sysctls write them).
 */
export class OomKiller implements OutOfMemoryHandler {
  /** vm.panic_on_oom: 0, 1 (system-wide OOMs panic), 2 (every OOM panics). */
  panicOnOom = 0;
  /** vm.oom_kill_allocating_task. */
  oomKillAllocatingTask = 0;
  /** vm.oom_dump_tasks (1 by default). */
  oomDumpTasks = 1;
  /** Kills made (the vmstat oom_kill counter is the machine's; this one is the killer's own, for tests). */
  kills = 0;
  /** The victims in the order they were killed: pid, comm, and the simulated time. */
  readonly victims: { pid: number; comm: string; atNs: number; message: string }[] = [];
  /** oom_rs: the start of the current interval and the messages printed in it. */
  private rsBegin = -1;
  private rsPrinted = 0;
  private rsMissed = 0;

  constructor(private readonly deps: OomKillerDeps) {}

  /** Kernel: `tsk_is_oom_victim(current)`. */
  currentIsOomVictim(): boolean {
    const cur = this.deps.host().current();
    return cur !== null && cur.oomVictim;
  }

  /**
   * Kernel: `out_of_memory()` for a global OOM (the allocator's __alloc_pages_may_oom).
   * @returns true when memory may have been freed (a task killed, or a victim still exiting)
   */
  outOfMemory(gfp: number, order: number, nid: number): boolean {
    const host = this.deps.host();
    const oc: OomControl = { gfp, order, nid, memcg: null, constraint: CONSTRAINT_NONE, totalpages: 0, chosen: null, chosenPoints: Number.NEGATIVE_INFINITY };
    // If current has a pending SIGKILL or is exiting, select it: let it allocate and exit.
    const cur = host.current();
    if (cur !== null && taskWillFreeMem(cur)) {
      host.sigkill(cur.pid); // mark_oom_victim (already marked: a no-op)
      this.queueOomReaper(cur);
      return true;
    }
    // The OOM killer does not compensate for IO-less reclaim.
    if (gfp !== 0 && (gfp & __GFP_FS) === 0) return true;
    oc.constraint = this.constrainedAlloc(oc);
    this.checkPanicOnOom(oc);
    if (this.oomKillAllocatingTask !== 0 && cur !== null && cur.mmId >= 0 && !cur.unkillable && cur.oomScoreAdj !== OOM_SCORE_ADJ_MIN) {
      oc.chosen = cur;
      this.oomKillProcess(oc, "Out of memory (oom_kill_allocating_task)");
      return true;
    }
    this.selectBadProcess(oc);
    // Found nothing?!?!
    if (oc.chosen === null) {
      this.dumpHeader(oc, null);
      this.deps.log.prWarn("Out of memory and no killable processes...");
      // An allocation at the system level cannot survive this: it would loop for ever in the allocator.
      panic("out_of_memory", "System is deadlocked on memory\n");
    }
    if (oc.chosen !== "abort") this.oomKillProcess(oc, "Out of memory");
    return true;
  }

  /**
   * Kernel: `out_of_memory()` with oc->memcg set (mem_cgroup_out_of_memory's call): the memcg's
   * tasks only, no panic when none can be killed (the charge fails instead).
   * @returns true when a task was killed or a victim is still exiting
   */
  memcgOutOfMemory(m: MemcgOomControl): boolean {
    const host = this.deps.host();
    const oc: OomControl = { gfp: m.gfp, order: m.order, nid: 0, memcg: m, constraint: CONSTRAINT_MEMCG, totalpages: Math.max(1, m.totalpages), chosen: null, chosenPoints: Number.NEGATIVE_INFINITY };
    const cur = host.current();
    if (cur !== null && taskWillFreeMem(cur)) {
      host.sigkill(cur.pid);
      this.queueOomReaper(cur);
      return true;
    }
    this.checkPanicOnOom(oc);
    this.selectBadProcess(oc);
    if (oc.chosen === null) {
      this.dumpHeader(oc, null);
      this.deps.log.prWarn("Out of memory and no killable processes...");
      return false;
    }
    if (oc.chosen !== "abort") this.oomKillProcess(oc, "Memory cgroup out of memory");
    return true;
  }

  /** Kernel: `constrained_alloc()`: mmsim has no cpusets or memory policies (see the header). */
  private constrainedAlloc(oc: OomControl): number {
    const host = this.deps.host();
    oc.totalpages = host.totalramPages() + host.totalSwapPages();
    return CONSTRAINT_NONE;
  }

  /** Kernel: `check_panic_on_oom()`. */
  private checkPanicOnOom(oc: OomControl): void {
    if (this.panicOnOom === 0) return;
    // panic_on_oom == 1 only affects CONSTRAINT_NONE
    if (this.panicOnOom !== 2 && oc.constraint !== CONSTRAINT_NONE) return;
    this.dumpHeader(oc, null);
    panic("out_of_memory", `Out of memory: ${this.panicOnOom === 2 ? "compulsory" : "system-wide"} panic_on_oom is enabled\n`);
  }

  /** Kernel: `select_bad_process()` → `oom_evaluate_task()` over for_each_process. */
  selectBadProcess(oc: OomControl): void {
    oc.chosenPoints = Number.NEGATIVE_INFINITY; // LONG_MIN
    for (const task of this.deps.host().tasks()) {
      if (task.unkillable) continue;
      if (oc.memcg !== null && !oc.memcg.contains(task.pid)) continue; // mem_cgroup_scan_tasks
      // A victim still exiting has the reserves: wait for it, unless it was reaped (MMF_OOM_SKIP).
      if (task.oomVictim) {
        if (task.oomSkip) continue;
        oc.chosen = "abort";
        return;
      }
      const points = oomBadness(task, oc.totalpages);
      if (points === null || points < oc.chosenPoints) continue;
      oc.chosen = task;
      oc.chosenPoints = points;
    }
  }

  /** Kernel: `oom_kill_process()`. */
  private oomKillProcess(oc: OomControl, message: string): void {
    const victim = oc.chosen as OomTask;
    const host = this.deps.host();
    // An exiting task only gets the reserves, no report.
    if (taskWillFreeMem(victim)) {
      host.sigkill(victim.pid);
      this.queueOomReaper(victim);
      return;
    }
    if (this.ratelimit()) this.dumpHeader(oc, victim);
    this.oomKillTask(victim, message);
    if (victim.mmId >= 0) oc.memcg?.killed(victim.pid); // memcg_memory_event_mm(mm, MEMCG_OOM_KILL)
  }

  /** Kernel: `__oom_kill_process()`. */
  private oomKillTask(victim: OomTask, message: string): void {
    const host = this.deps.host();
    const log = this.deps.log;
    if (victim.mmId < 0) {
      log.prInfo(`${message}: OOM victim ${victim.pid} (${victim.comm}) is already exiting. Skip killing the task`);
      return;
    }
    this.deps.vmstat.countVmEvent(OOM_KILL);
    host.sigkill(victim.pid);
    this.kills++;
    this.victims.push({ pid: victim.pid, comm: victim.comm, atNs: this.deps.clock.now(), message });
    log.prErr(
      `${message}: Killed process ${victim.pid} (${victim.comm}) total-vm:${K(victim.totalVm)}kB, anon-rss:${K(victim.anonRss)}kB, file-rss:${K(victim.fileRss)}kB,` +
        ` shmem-rss:${K(victim.shmemRss)}kB, UID:${victim.uid} pgtables:${Math.floor(victim.pgtablesBytes / 1024)}kB oom_score_adj:${victim.oomScoreAdj}`,
    );
    this.queueOomReaper(victim);
  }

  /**
   * Kernel: `queue_oom_reaper()` → (the timer, the reaper thread) `oom_reap_task()` →
   * `oom_reap_task_mm()`: reaps at once unless the victim is running (see the header).
   */
  private queueOomReaper(victim: OomTask): void {
    const host = this.deps.host();
    if (victim.oomSkip) return;
    if (!host.reap(victim.pid)) return; // the running victim: exit_mmap will free it
    const after = host.tasks().find((t) => t.pid === victim.pid);
    if (after === undefined) return;
    this.deps.log.prInfo(
      `oom_reaper: reaped process ${victim.pid} (${victim.comm}), now anon-rss:${K(after.anonRss)}kB, file-rss:${K(after.fileRss)}kB, shmem-rss:${K(after.shmemRss)}kB`,
    );
  }

  /** Kernel: `dump_header()`. */
  private dumpHeader(oc: OomControl, victim: OomTask | null): void {
    const host = this.deps.host();
    const log = this.deps.log;
    const cur = host.current();
    log.prWarn(`${cur?.comm ?? "swapper/0"} invoked oom-killer: gfp_mask=${formatGfpMask(oc.gfp === 0 ? GFP_KERNEL : oc.gfp)}, order=${oc.order}, oom_score_adj=${cur?.oomScoreAdj ?? 0}`);
    const callers = oc.memcg !== null ? MEMCG_OOM_CALLERS : OOM_CALLERS;
    host.dumpStack(victim !== null ? ["dump_header", "oom_kill_process", ...callers] : ["dump_header", ...callers]);
    if (oc.memcg !== null) oc.memcg.printMeminfo(); // mem_cgroup_print_oom_meminfo
    else host.showMem(oc.gfp);
    if (this.oomDumpTasks !== 0) this.dumpTasks(oc);
    if (victim !== null) this.dumpOomSummary(oc, victim);
  }

  /** Kernel: `dump_tasks()` → `dump_task()`. */
  private dumpTasks(oc: OomControl): void {
    const log = this.deps.log;
    log.prInfo("Tasks state (memory values in pages):");
    log.prInfo("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name");
    for (const t of this.deps.host().tasks()) {
      if (t.unkillable || t.mmId < 0) continue;
      if (oc.memcg !== null && !oc.memcg.contains(t.pid)) continue; // mem_cgroup_scan_tasks(oc->memcg, dump_task)
      const rss = t.anonRss + t.fileRss + t.shmemRss;
      log.prInfo(
        `[${pad(t.pid, 7)}] ${pad(t.uid, 5)} ${pad(t.tgid, 5)} ${pad(t.totalVm, 8)} ${pad(rss, 8)} ${pad(t.pgtablesBytes, 8)} ${pad(t.swapents, 8)}         ${pad(t.oomScoreAdj, 5)} ${t.comm}`,
      );
    }
  }

  /** Kernel: `dump_oom_summary()` with cpuset_print_current_mems_allowed and mem_cgroup_print_oom_context (the root cgroups). */
  private dumpOomSummary(oc: OomControl, victim: OomTask): void {
    const nodes = this.deps.host().nodesWithMemory();
    // mem_cgroup_print_oom_context: ",oom_memcg=<path>" for a memcg OOM, ",global_oom" else; then ",task_memcg=<path>"
    const ctx = oc.memcg !== null ? `oom_memcg=${oc.memcg.path}` : "global_oom";
    const taskMemcg = oc.memcg !== null ? oc.memcg.taskPath(victim.pid) : "/";
    this.deps.log.prInfo(
      `oom-kill:constraint=${OOM_CONSTRAINT_TEXT[oc.constraint]!},nodemask=(null),cpuset=/,mems_allowed=${nodeList(nodes)},${ctx},task_memcg=${taskMemcg},task=${victim.comm},pid=${victim.pid},uid=${victim.uid}`,
    );
  }

  /** oom_rs: `__ratelimit()` with DEFAULT_RATELIMIT_INTERVAL and _BURST on the simulated clock. */
  private ratelimit(): boolean {
    const now = this.deps.clock.now();
    if (this.rsBegin < 0) this.rsBegin = now;
    if (this.rsBegin + OOM_RS_INTERVAL_NS < now) {
      if (this.rsMissed !== 0) {
        this.deps.log.prWarn(`oom_kill_process: ${this.rsMissed} callbacks suppressed`);
        this.rsMissed = 0;
      }
      this.rsBegin = now;
      this.rsPrinted = 0;
    }
    if (this.rsPrinted < OOM_RS_BURST) {
      this.rsPrinted++;
      return true;
    }
    this.rsMissed++;
    return false;
  }
}

/** Kernel: `task_will_free_mem()` for a task that is its own thread group and does not share its mm. */
function taskWillFreeMem(t: OomTask): boolean {
  return t.mmId >= 0 && t.exiting && !t.oomSkip;
}

/** `%Nd`: right-aligned in N columns. */
function pad(n: number, width: number): string {
  return String(n).padStart(width, " ");
}

/** `%*pbl` of a node mask: ranges joined by commas ("0", "0-1"). */
export function nodeList(nodes: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < nodes.length; ) {
    let j = i;
    while (j + 1 < nodes.length && nodes[j + 1] === nodes[j]! + 1) j++;
    out.push(j === i ? `${nodes[i]!}` : `${nodes[i]!}-${nodes[j]!}`);
    i = j + 1;
  }
  return out.join(",");
}
