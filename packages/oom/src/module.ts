// mmsim: DI wiring of the `oom` policy slot's `oom-killer` (mm/oom_kill.c being built in; no Kconfig choice in the kernel: the slot lets lmkd or a user's policy take its place)
import { KERNEL_LOG, type MmsimModule, OomHost, OutOfMemoryHandler, SIM_CLOCK, VM_STAT, resolveToken } from "@mmsim/core";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { OomKiller } from "./oom-kill.ts";
import { OOM_KILLER, OOM_SYSCTLS } from "./sysctls.ts";

/**
 * The kernel's OOM killer in the `oom` slot: core's OutOfMemoryHandler (the page allocator is
 * built with it, before the tasks exist: a forwarder resolves the killer at its first call), the
 * vm sysctls panic_on_oom, oom_kill_allocating_task and oom_dump_tasks. The tasks are the
 * machine's, through core's OomHost (the process module implements it).
 */
export const oomKillerModule: MmsimModule = {
  slot: "oom",
  name: "oom-killer",
  description: "the kernel's OOM killer of Linux 6.1 (mm/oom_kill.c): out_of_memory after reclaim fails, oom_badness, the OOM reaper, panic_on_oom, the dmesg report",
  register(container: DependencyContainer): void {
    container.register(OOM_KILLER, {
      useFactory: instanceCachingFactory(
        (c) =>
          new OomKiller({
            host: () => resolveToken(c, OomHost),
            log: resolveToken(c, KERNEL_LOG),
            vmstat: resolveToken(c, VM_STAT),
            clock: resolveToken(c, SIM_CLOCK),
          }),
      ),
    });
    container.register(OutOfMemoryHandler, {
      useFactory: (c) => {
        let k: OomKiller | undefined;
        const killer = () => (k ??= resolveToken(c, OOM_KILLER));
        return {
          outOfMemory: (gfp: number, order: number, nid: number) => killer().outOfMemory(gfp, order, nid),
          currentIsOomVictim: () => killer().currentIsOomVictim(),
        };
      },
    });
  },
  sysctls: OOM_SYSCTLS,
};
