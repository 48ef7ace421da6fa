// mmsim: DI wiring of the machine's processes — tasks, their address spaces and faults, the task engine's host, the process steps, /proc/<pid>/ and mmsim's where/tlb debug files (no kernel counterpart)
import { KERNEL_LOG, KernelFile, type MmsimModule, OomHost, SwapOps, SwapUnuse, TOPOLOGY, VM_STAT, Validator, type ValidationSink, resolveToken } from "@mmsim/core";
import { VMSCAN } from "@mmsim/reclaim";
import { MachineOomHost } from "./process/oom-host.ts";
import { BuddyAllocator } from "@mmsim/buddy";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { UserPgtableRoot } from "./platform/platform.ts";
import { PROCESS_DEBUG_FILES, procPidFiles, validateProcesses } from "./process/files.ts";
import { Processes, createMmMemory } from "./process/processes.ts";
import { ANON_VMA_OPS, KsmMadvise, MADVISE_OPS, MM_PAGE_OPS, type MmStruct, TASK_TABLE, type VmAreaStruct } from "@mmsim/vma";
import { MadvisePages } from "@mmsim/fault";
import { PROCESS_STEPS } from "./process/steps.ts";
import { PROCESS_SYSCTLS } from "./process/sysctls.ts";
import { MM_MEMORY, PROCESSES } from "./process/token.ts";
import { tlbFile, whereFiles } from "./steps/user.ts";
import { TASK_HOST } from "./task-api.ts";

/**
 * The machine's processes (issue 14): @mmsim/vma's tasks and VMAs, @mmsim/rmap and @mmsim/fault
 * over the booted kernel, made at their first use after boot (when the workload starts, init is
 * spawned). It is the task engine's TaskHost. Every task's page-table root is a UserPgtableRoot
 * for the platform's page-table validator.
 */
export const processModule: MmsimModule = {
  slot: "process",
  name: "tasks",
  description: "tasks and their address spaces: fork/exec/exit, mmap and the other mm syscalls, demand paging and copy-on-write, anonymous rmap, /proc/<pid>/",
  register(container: DependencyContainer): void {
    // THP as hugepage_init() left it at boot: transparent_hugepage_flags cleared below 512 MiB of totalram
    container.register(MM_MEMORY, { useFactory: instanceCachingFactory((c) => createMmMemory(c, c.resolve(BuddyAllocator).state.hugepageFlagsEnabled)) });
    container.register(MM_PAGE_OPS, { useFactory: (c) => resolveToken(c, MM_MEMORY) });
    container.register(ANON_VMA_OPS, { useFactory: (c) => resolveToken(c, MM_MEMORY).rmap });
    // swapoff's unuse of anonymous PTEs (@mmsim/swap's try_to_unuse calls it): MM_MEMORY is resolved at the call, not when swap is built
    // madvise's page side (MADV_COLD, PAGEOUT, FREE, WILLNEED) over the fault path's page tables and the LRU,
    // made at its first use (MmapContext is built with it, before MmMemory may be)
    container.register(MADVISE_OPS, {
      useFactory: (c) => {
        let pages: MadvisePages | undefined;
        const get = () => (pages ??= new MadvisePages(resolveToken(c, MM_MEMORY)));
        return {
          willneed: (vma: VmAreaStruct, start: number, end: number) => get().willneed(vma, start, end),
          cold: (vma: VmAreaStruct, start: number, end: number) => get().cold(vma, start, end),
          pageout: (vma: VmAreaStruct, start: number, end: number) => get().pageout(vma, start, end),
          free: (vma: VmAreaStruct, start: number, end: number) => get().free(vma, start, end),
          // mm/ksm.c when the machine has KSM (its module contributes KsmMadvise), else nothing to do
          ksmEnter: (mm: MmStruct) => (c.isRegistered(KsmMadvise, true) ? resolveToken(c, KsmMadvise).ksmEnter(mm) : 0),
          unmergeKsmPages: (vma: VmAreaStruct, start: number, end: number) => (c.isRegistered(KsmMadvise, true) ? resolveToken(c, KsmMadvise).unmergeKsmPages(vma, start, end) : 0),
        };
      },
    });
    container.register(SwapUnuse, { useFactory: (c) => ({ unuseMms: (type: number) => resolveToken(c, MM_MEMORY).swap.unuseMms(type) }) });
    container.register(PROCESSES, { useFactory: instanceCachingFactory((c) => new Processes(c, resolveToken(c, TOPOLOGY).nrCpus)) });
    container.register(TASK_HOST, { useFactory: (c) => resolveToken(c, PROCESSES) });
    // the tasks as @mmsim/memcg-psi sees them (cgroup.procs, current's memcg)
    container.register(TASK_TABLE, {
      useFactory: instanceCachingFactory((c) => {
        const p = () => resolveToken(c, PROCESSES);
        return { lookup: (pid: number) => p().tasks.lookup(pid), list: () => p().tasks.list(), current: () => p().currentOrNull };
      }),
    });
    // the `oom` slot's view of the tasks (find_lock_task_mm, SIGKILL, the OOM reaper's unmap, __show_mem)
    container.register(OomHost, {
      useFactory: instanceCachingFactory(
        (c) =>
          new MachineOomHost({
            processes: () => resolveToken(c, PROCESSES),
            pa: c.resolve(BuddyAllocator).state,
            vmstat: resolveToken(c, VM_STAT),
            log: resolveToken(c, KERNEL_LOG),
            swap: () => (c.isRegistered(SwapOps, true) ? resolveToken(c, SwapOps) : null),
            // pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES (16)
            allUnreclaimable: (nid: number) => c.isRegistered(VMSCAN, true) && (resolveToken(c, VMSCAN).kswapd[nid]?.failures ?? 0) >= 16,
          }),
      ),
    });
    container.register(UserPgtableRoot, {
      useFactory: (c) => ({ name: "the tasks' page tables", pgds: () => resolveToken(c, PROCESSES).tasks.list().flatMap((t) => (t.mm?.pgtables ? [t.mm.pgtables.pgd] : [])) }),
    });
    container.register(KernelFile, { useFactory: procPidFiles });
    for (const file of PROCESS_DEBUG_FILES) container.register(KernelFile, { useFactory: file });
    container.register(KernelFile, { useFactory: tlbFile });
    container.register(KernelFile, { useFactory: whereFiles });
    container.register(Validator, { useFactory: (c) => ({ name: "processes", validate: (sink: ValidationSink) => validateProcesses(resolveToken(c, PROCESSES), sink) }) });
  },
  steps: PROCESS_STEPS,
  sysctls: PROCESS_SYSCTLS,
};
