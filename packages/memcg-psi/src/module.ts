// mmsim: DI wiring of the memory controller (cf. CONFIG_MEMCG=y, cgroup2 mounted at /sys/fs/cgroup by systemd): the MemcgCharger the page paths call, the /sys/fs/cgroup files, the cgroup_mkdir/cgroup_rmdir steps, the allocator's uncharge hook and the validator
import {
  Initcall, KERNEL_LOG, KernelFile, MemcgCharger, MemcgReclaimer, type MmsimModule, OomHost, OutOfMemoryHandler, PsiHooks, SIM_CLOCK, SwapOps, TOPOLOGY, VM_STAT, Validator, type ValidationSink,
  resolveToken,
} from "@mmsim/core";
import { BuddyAllocator } from "@mmsim/buddy";
import { TASK_TABLE } from "@mmsim/vma";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { CGROUP_ROOT, listCgroupFiles, readCgroupFile, writeCgroupFile } from "./cgroupfs.ts";
import { MemcgController } from "./memcontrol.ts";
import { MEMCG_STEPS } from "./steps.ts";
import { MEMCG } from "./token.ts";

/**
 * The memory controller on every machine (the reference boots with cgroup2 and CONFIG_MEMCG): the
 * root memcg holds every task until a workload makes cgroups and moves tasks into them.
 */
export const memcgModule: MmsimModule = {
  slot: "memcg",
  name: "memcg",
  description: "memory cgroups v2 of Linux 6.1 (mm/memcontrol.c): /sys/fs/cgroup, charging with per-CPU stocks, memory.max with limit reclaim and the memcg OOM, memory.high throttling, swap.max",
  register(container: DependencyContainer): void {
    container.register(MEMCG, {
      useFactory: instanceCachingFactory((c) => {
        const pa = c.resolve(BuddyAllocator).state;
        return new MemcgController({
          mem: pa.mem,
          clock: resolveToken(c, SIM_CLOCK),
          log: resolveToken(c, KERNEL_LOG),
          nrCpus: resolveToken(c, TOPOLOGY).nrCpus,
          tasks: () => (c.isRegistered(TASK_TABLE, true) ? resolveToken(c, TASK_TABLE) : null),
          reclaimer: () => (c.isRegistered(MemcgReclaimer, true) ? resolveToken(c, MemcgReclaimer) : null),
          oom: () => (c.isRegistered(OutOfMemoryHandler, true) ? resolveToken(c, OutOfMemoryHandler) : null),
          psi: () => (c.isRegistered(PsiHooks, true) ? resolveToken(c, PsiHooks) : null),
          currentDying: () => {
            if (!c.isRegistered(OomHost, true)) return false;
            const cur = resolveToken(c, OomHost).current();
            return cur !== null && (cur.oomVictim || cur.exiting);
          },
          pfMemalloc: () => pa.pfMemalloc > 0,
          totalSwapPages: () => (c.isRegistered(SwapOps, true) ? resolveToken(c, SwapOps).totalSwapPages() : 0),
          vmEvents: resolveToken(c, VM_STAT).vmEvents,
        });
      }),
    });
    container.register(MemcgCharger, { useFactory: (c) => resolveToken(c, MEMCG) });
    // mem_cgroup_init (subsys_initcall): the allocator's free path uncharges pages that carry a memcg
    container.register(Initcall, {
      useFactory: (c) => ({
        level: "subsys",
        name: "mem_cgroup_init",
        run: () => {
          c.resolve(BuddyAllocator).state.memcg = resolveToken(c, MEMCG);
          return 0;
        },
      }),
    });
    container.register(KernelFile, {
      useFactory: (c) => ({
        path: `${CGROUP_ROOT}/`,
        list: () => listCgroupFiles(resolveToken(c, MEMCG)),
        read: (path: string) => readCgroupFile(resolveToken(c, MEMCG), path),
        write: (path: string, value: string) => writeCgroupFile(resolveToken(c, MEMCG), path, value),
        // cgroups made by cgroup_mkdir steps appear during the run
        mayAppear: (path: string) => path.startsWith(`${CGROUP_ROOT}/`),
      }),
    });
    container.register(Validator, {
      useFactory: (c) => ({
        name: "memcg",
        validate: (sink: ValidationSink) => resolveToken(c, MEMCG).validate((msg) => sink.report("memcg", msg)),
      }),
    });
  },
  steps: MEMCG_STEPS,
};
