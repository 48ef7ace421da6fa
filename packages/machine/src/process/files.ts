// Kernel: fs/proc/base.c (the /proc/<pid>/ entries, /proc/self), fs/proc/task_mmu.c, fs/proc/array.c, mm/huge_memory.c (transparent_hugepage/enabled), mm/memory.c (fault_around_bytes) (v6.1) — the files of the machine's tasks
/*
 * /proc/<pid>/{maps,smaps,smaps_rollup,status,statm,oom_score,oom_score_adj} of every task, rendered by
 * @mmsim/procfs from the task's mm and page tables; /proc/self/ is the task a step runs as
 * (init outside a run). mmsim's own debug files: `/sys/kernel/debug/mmsim/pagemap/<pid>` (each
 * mapped page's /proc/<pid>/pagemap entry decoded, as the probes print them) and
 * `/sys/kernel/debug/mmsim/syscalls` (the outcome of every syscall step), `…/mmsim/signals` (the
 * SIGSEGVs tasks died of, by si_code). A pid's files appear
 * when the task is made during a run: a step may name them before (KernelFile.mayAppear).
 */
import { KernelFile, OomHost, procOomScore, type ValidationSink, resolveToken, workloadRecord, WORKLOAD_STATE, TOPOLOGY, PageAllocator } from "@mmsim/core";
import { type TaskMmuSources, oomScoreAdjRead, oomScoreAdjWrite, pagemapDecoded, procPidMaps, procPidSmaps, procPidSmapsRollup, procPidStatm, procPidStatus, rlimitSigpending } from "@mmsim/procfs";
import { validateMms } from "@mmsim/fault";
import { type TaskStruct, validateMm, validateTasks } from "@mmsim/vma";
import type { BuddyAllocator } from "@mmsim/buddy";
import type { DependencyContainer } from "tsyringe";
import type { Processes } from "./processes.ts";
import { SYSCALLS, type SyscallRecord } from "./steps.ts";
import { PROCESSES } from "./token.ts";

/** The files of each /proc/<pid>/ directory mmsim serves. */
export const PROC_PID_FILES = Object.freeze(["maps", "smaps", "smaps_rollup", "status", "statm", "oom_score", "oom_score_adj"] as const);
const PID_FILE = new RegExp(`^/proc/(\\d+|self)/(${PROC_PID_FILES.join("|")})$`);
export const PAGEMAP_DIR = "/sys/kernel/debug/mmsim/pagemap/";
export const SYSCALLS_FILE = "/sys/kernel/debug/mmsim/syscalls";
export const THP_ENABLED_FILE = "/sys/kernel/mm/transparent_hugepage/enabled";
export const SIGNALS_FILE = "/sys/kernel/debug/mmsim/signals";
export const FAULT_AROUND_BYTES_FILE = "/sys/kernel/debug/fault_around_bytes";

function sources(p: Processes): TaskMmuSources {
  const hz = p.memory.hugeZero.pfn;
  return { mem: p.memory.mem, store: p.store, thpEnabled: p.thp.enabled, hugeZeroPfn: hz >= 0 ? hz : undefined, swap: p.memory.swap.ops };
}

/** The task a /proc/<pid|self>/ path names, if it is alive (zombies have no mm and no maps). */
function taskOf(p: Processes, who: string): TaskStruct | undefined {
  if (p.tasks.init === null) return undefined;
  return who === "self" ? p.current : p.tasks.lookup(Number(who));
}

/** /proc/<pid>/ of every task, /proc/self/, the decoded pagemaps, the syscall log and THP's enabled knob. */
export function procPidFiles(c: DependencyContainer): KernelFile {
  return {
    path: "/proc/",
    list: () => {
      const p = resolveToken(c, PROCESSES);
      if (p.tasks.init === null) return [];
      const out: string[] = [];
      for (const t of p.tasks.list()) if (t.mm !== null) for (const f of PROC_PID_FILES) out.push(`/proc/${t.pid}/${f}`);
      return out;
    },
    read: (path) => {
      const m = PID_FILE.exec(path);
      if (m === null) return undefined;
      const p = resolveToken(c, PROCESSES);
      const t = taskOf(p, m[1]!);
      if (t === undefined) return undefined;
      switch (m[2]) {
        case "maps":
          return t.mm === null ? "" : procPidMaps(t);
        case "smaps":
          return t.mm === null ? "" : procPidSmaps(sources(p), t);
        case "smaps_rollup":
          return t.mm === null ? undefined : procPidSmapsRollup(sources(p), t);
        case "status": {
          const topo = resolveToken(c, TOPOLOGY);
          const totalram = (resolveToken(c, PageAllocator) as BuddyAllocator).state.totalramPages;
          // SigQ's limit: fork_init sizes it from totalram_pages() at that point of boot; mmsim
          // uses today's totalram (the kernel's is a little lower, before memblock_free_all ends).
          return procPidStatus(t, { nrCpuIds: topo.nrCpus, memNodes: Array.from({ length: topo.nrNodes }, (_, i) => i), sigQueueLimit: rlimitSigpending(totalram) });
        }
        case "statm":
          return procPidStatm(t);
        case "oom_score": {
          // proc_oom_score(): oom_badness over totalram_pages() + total_swap_pages, scaled to 0..2000
          const host = resolveToken(c, OomHost);
          const task = host.tasks().find((x) => x.pid === t.pid);
          return task === undefined ? undefined : procOomScore(task, host.totalramPages() + host.totalSwapPages());
        }
        case "oom_score_adj":
          return oomScoreAdjRead(t);
      }
      return undefined;
    },
    write: (path, value) => {
      const m = PID_FILE.exec(path);
      if (m === null || m[2] !== "oom_score_adj") return `not writable; writable: /proc/<pid>/oom_score_adj`;
      const t = taskOf(resolveToken(c, PROCESSES), m[1]!);
      if (t === undefined) return `no task ${m[1]}`;
      return oomScoreAdjWrite(t, value);
    },
    mayAppear: (path) => PID_FILE.test(path),
  };
}

/** mmsim's decoded pagemap of each task (`pagemap/<pid>`). */
function pagemapDebugFile(c: DependencyContainer): KernelFile {
  return {
    path: PAGEMAP_DIR,
    list: () => {
      const p = resolveToken(c, PROCESSES);
      return p.tasks.init === null ? [] : p.tasks.list().filter((t) => t.mm !== null).map((t) => `${PAGEMAP_DIR}${t.pid}`);
    },
    read: (path) => {
      const p = resolveToken(c, PROCESSES);
      const t = taskOf(p, path.slice(PAGEMAP_DIR.length));
      return t?.mm ? pagemapDecoded(sources(p), t) : undefined;
    },
    mayAppear: (path) => /^\/sys\/kernel\/debug\/mmsim\/pagemap\/(\d+|self)$/.test(path),
  };
}

/** mmsim's log of every syscall step's result. */
function syscallsFile(c: DependencyContainer): KernelFile {
  return {
    path: SYSCALLS_FILE,
    read: () => {
      const recs = workloadRecord(resolveToken(c, WORKLOAD_STATE), SYSCALLS, (): SyscallRecord[] => []);
      return recs.map((r) => `step ${r.step} pid ${r.pid} ${r.call} = ${r.result}\n`).join("");
    },
  };
}

/** mmsim's SIGSEGV counts by si_code. */
function signalsFile(c: DependencyContainer): KernelFile {
  return {
    // mmsim's: how many tasks died of SIGSEGV, by si_code (an expect step can count them).
    path: SIGNALS_FILE,
    read: () => {
      const p = resolveToken(c, PROCESSES);
      return `SIGSEGV ${p.segvs.SEGV_MAPERR + p.segvs.SEGV_ACCERR}\nSEGV_MAPERR ${p.segvs.SEGV_MAPERR}\nSEGV_ACCERR ${p.segvs.SEGV_ACCERR}\n`;
    },
  };
}

/** /sys/kernel/mm/transparent_hugepage/enabled. */
function thpEnabledFile(c: DependencyContainer): KernelFile {
  return {
    path: THP_ENABLED_FILE,
    read: () => {
      const mode = resolveToken(c, PROCESSES).thp.enabled;
      return `${(["always", "madvise", "never"] as const).map((m) => (m === mode ? `[${m}]` : m)).join(" ")}\n`;
    },
    write: (_path, value) => {
      const v = value.trim();
      if (v !== "always" && v !== "madvise" && v !== "never") return -22;
      resolveToken(c, PROCESSES).thp.enabled = v;
      return 0;
    },
  };
}

/**
 * do_fault_around's window: `%llu` on read; a write is parsed as an unsigned number
 * (simple_attr_write's kstrtoull: decimal, 0x hex or 0 octal) and refused above PTRS_PER_PTE
 * pages. Kernel: mm/memory.c `fault_around_bytes_fops` (DEFINE_DEBUGFS_ATTRIBUTE).
 */
function faultAroundBytesFile(c: DependencyContainer): KernelFile {
  return {
    path: FAULT_AROUND_BYTES_FILE,
    read: () => resolveToken(c, PROCESSES).memory.file.showFaultAroundBytes(),
    write: (_path, value) => {
      const v = value.trim();
      if (!/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(v)) return -22;
      const n = /^0[0-7]+$/.test(v) ? parseInt(v, 8) : Number(v);
      return resolveToken(c, PROCESSES).memory.file.setFaultAroundBytes(n);
    },
  };
}

/** The process module's debug files, THP's enabled knob and fault_around_bytes, one factory each (the module registers every one). */
export const PROCESS_DEBUG_FILES: readonly ((c: DependencyContainer) => KernelFile)[] = Object.freeze([
  pagemapDebugFile, syscallsFile, signalsFile, thpEnabledFile, faultAroundBytesFile,
]);

/** Every task's mm (VMA tree, counters), the page side (mapcounts, rmap, RSS) and the task table. */
export function validateProcesses(p: Processes, sink: ValidationSink): void {
  if (p.tasks.init === null) return;
  const tasks = p.tasks.list().filter((t) => t.mm !== null);
  for (const t of tasks) validateMm(t.mm!, sink);
  validateMms(p.memory, tasks.map((t) => t.mm!), tasks, sink);
  validateTasks(p.tasks, sink);
}
