// Kernel: fs/proc/array.c (proc_pid_status, task_state, task_sig, task_cap, task_seccomp, task_cpus_allowed, task_context_switch_counts, task_core_dumping, task_thp_status), kernel/cgroup/cpuset.c (cpuset_task_status_allowed), kernel/fork.c (set_max_threads) (v6.1) — /proc/<pid>/status
/*
 * The memory lines come from the mm (task_mem: they lag the batched RSS counters, see
 * task-mmu.ts); the lines mmsim has no mechanism for (credentials, signals, capabilities,
 * seccomp, speculation) print what the reference kernel printed for a simple static program run
 * as root from the capture's shell (tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/proc_self_status).
 * A zombie has no mm, no fs and no files: no Umask line, FDSize 0, no memory lines.
 */
import { MMF_DISABLE_THP, type TaskStruct } from "@mmsim/vma";
import { taskMem } from "./task-mmu.ts";

/** What status needs besides the task. */
export interface StatusOptions {
  /** nr_cpu_ids (Cpus_allowed's width). */
  readonly nrCpuIds: number;
  /** Nodes with memory (N_MEMORY): Mems_allowed of a task in the root cpuset. */
  readonly memNodes: readonly number[];
  /** RLIMIT_SIGPENDING (SigQ's limit): rlimitSigpending(totalram pages at fork_init). */
  readonly sigQueueLimit: number;
}

/** Kernel: `CONFIG_NODES_SHIFT` on the reference (Mems_allowed prints MAX_NUMNODES = 16 bits). */
export const NODES_SHIFT = 4;
/** THREAD_SIZE on arm64 (16 KiB without KASAN). */
const THREAD_SIZE = 16384;

/**
 * RLIMIT_NPROC and RLIMIT_SIGPENDING of init: max_threads / 2, with max_threads = totalram ×
 * PAGE_SIZE / (THREAD_SIZE × 8) clamped to [MIN_THREADS 20, FUTEX_TID_MASK]. Kernel:
 * `set_max_threads()` + `fork_init()`. fork_init runs before the initramfs and __init memory
 * are freed, so its totalram is below MemTotal's (73 MiB below on the reference board).
 */
export function rlimitSigpending(totalramPagesAtForkInit: number): number {
  const threads = Math.min(0x3fffffff, Math.max(20, Math.floor((totalramPagesAtForkInit * 4096) / (THREAD_SIZE * 8))));
  return Math.floor(threads / 2);
}

/** Kernel: `%*pb` (bitmap_string): hex in 32-bit chunks separated by commas, the first chunk as wide as the bits it holds. */
export function bitmapString(bits: readonly number[], nbits: number): string {
  const chunks: string[] = [];
  for (let base = Math.floor((nbits - 1) / 32) * 32; base >= 0; base -= 32) {
    let word = 0;
    for (const b of bits) if (b >= base && b < base + 32) word = (word | (1 << (b - base))) >>> 0;
    const width = base + 32 > nbits ? Math.ceil((nbits - base) / 4) : 8;
    chunks.push(word.toString(16).padStart(width, "0"));
  }
  return chunks.join(",");
}

/** Kernel: `%*pbl` (bitmap_list_string): ranges "0-1,4". */
export function bitmapListString(bits: readonly number[]): string {
  const s = [...new Set(bits)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    out.push(i === j ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return out.join(",");
}

/** /proc/<pid>/status. Kernel: `proc_pid_status()`. */
export function procPidStatus(task: TaskStruct, opts: StatusOptions): string {
  const zombie = task.state === "Z (zombie)" || task.state === "X (dead)";
  // proc_task_name(m, task, true): comm, escaped
  let s = `Name:\t${task.comm.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n`;
  // task_state()
  if (!zombie) s += "Umask:\t0022\n";
  s += `State:\t${task.state}\n`;
  s += `Tgid:\t${task.pid}\nNgid:\t0\nPid:\t${task.pid}\nPPid:\t${task.parent?.pid ?? 0}\nTracerPid:\t0\n`;
  s += "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
  s += `FDSize:\t${zombie ? 0 : 64}\n`;
  s += "Groups:\t \n";
  s += `NStgid:\t${task.pid}\nNSpid:\t${task.pid}\nNSpgid:\t0\nNSsid:\t0\n`;
  const mm = task.mm;
  if (mm !== null) {
    s += taskMem(mm);
    s += "CoreDumping:\t0\n";
    s += `THP_enabled:\t${(mm.flags & (1 << MMF_DISABLE_THP)) !== 0 ? 0 : 1}\n`;
  }
  // task_sig()
  s += `Threads:\t1\nSigQ:\t0/${opts.sigQueueLimit}\n`;
  s += "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n";
  // task_cap(): root's capabilities, CAP_LAST_CAP 40
  s += "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n";
  // task_seccomp()
  s += "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\nSpeculation_Store_Bypass:\tvulnerable\nSpeculationIndirectBranch:\tunknown\n";
  // task_cpus_allowed(), cpuset_task_status_allowed()
  const cpus = Array.from({ length: opts.nrCpuIds }, (_, i) => i);
  s += `Cpus_allowed:\t${bitmapString(cpus, opts.nrCpuIds)}\nCpus_allowed_list:\t${bitmapListString(cpus)}\n`;
  s += `Mems_allowed:\t${bitmapString(opts.memNodes, 1 << NODES_SHIFT)}\nMems_allowed_list:\t${bitmapListString(opts.memNodes)}\n`;
  // task_context_switch_counts()
  s += `voluntary_ctxt_switches:\t${task.nvcsw}\nnonvoluntary_ctxt_switches:\t${task.nivcsw}\n`;
  return s;
}
