// mmsim: DI wiring of the `oom` policy slot: `oom-killer` (mm/oom_kill.c being built in; no Kconfig choice in the kernel) and `lmkd` (Android's user-space daemon in front of it)
import {
  CompareMetric, KERNEL_LOG, type MemcgOomControl, KernelFile, KernelThread, type MmsimModule, OomHost, OutOfMemoryHandler, PSI_SYSTEM, SIM_CLOCK, VM_STAT, checked, defineStep, describeValue,
  kernelFileCovers, resolveToken, token, z,
} from "@mmsim/core";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { Lmkd, PSI_POLL_PERIOD_SHORT_MS, defaultLmkdProperties } from "./lmkd.ts";
import { OomKiller } from "./oom-kill.ts";
import { OOM_KILLER, OOM_SYSCTLS } from "./sysctls.ts";

/** The machine's lmkd (the `lmkd` module registers it). */
export const LMKD = token<Lmkd>("Lmkd");

/** The kernel's OOM killer and core's OutOfMemoryHandler forwarding to it: both modules of the slot have it. */
function registerOomKiller(container: DependencyContainer): void {
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
        memcgOutOfMemory: (oc: MemcgOomControl) => killer().memcgOutOfMemory(oc),
      };
    },
  });
}

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
  register: registerOomKiller,
  sysctls: OOM_SYSCTLS,
};

/**
 * `setprop: { name: ro.lmk.swap_free_low_percentage, value: "20" }`: an Android property lmkd
 * reads, then `setprop lmkd.reinit 1` (lmkd re-reads its properties and re-creates its PSI
 * monitors).
 */
export const setpropStep = defineStep({
  kind: "setprop",
  doc: "- setprop: { name: ro.lmk.kill_heaviest_task, value: \"true\" }   set one of lmkd's ro.lmk.* properties and reinit lmkd (read by the `lmkd` oom policy; ignored by the others)",
  schema: z.strictObject({
    name: checked<string>((v) =>
      typeof v === "string" && v in defaultLmkdProperties() ? { ok: v } : `expected one of lmkd's properties (${Object.keys(defaultLmkdProperties()).join(", ")}), got ${describeValue(v)}`,
    ),
    value: checked<string>((v) => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? { ok: String(v) } : `expected a property value (a string), got ${describeValue(v)}`)),
  }),
  make: (d, ctx) => ({ kind: "setprop" as const, line: ctx.line, name: d.name, value: d.value }),
  run(step, ctx) {
    // with another oom policy the property is set and nobody reads it (as on a device without lmkd)
    if (!ctx.isRegistered(LMKD)) return;
    const lmkd = ctx.resolve(LMKD);
    try {
      lmkd.setProperty(step.name, step.value);
    } catch (e) {
      throw ctx.error("value", (e as Error).message);
    }
  },
});

/**
 * Android's lmkd in the `oom` slot: the daemon (a thread of the machine looking at its PSI
 * triggers every PSI_POLL_PERIOD_SHORT_MS of simulated time, deciding and killing as lmkd.cpp's
 * mp_event_psi), with the kernel's OOM killer behind it as the last resort, as on a phone.
 */
export const lmkdModule: MmsimModule = {
  slot: "oom",
  name: "lmkd",
  description: "Android 13's lmkd (system/memory/lmkd): PSI triggers, watermarks, swap and thrashing checks, kills by oom_score_adj before the kernel's OOM killer has to",
  register(container: DependencyContainer): void {
    registerOomKiller(container);
    container.register(LMKD, {
      useFactory: instanceCachingFactory((c) => {
        let files: KernelFile[] | undefined;
        return new Lmkd({
          host: () => resolveToken(c, OomHost),
          psi: () => (c.isRegistered(PSI_SYSTEM, true) ? resolveToken(c, PSI_SYSTEM) : null),
          readFile: (path) => {
            files ??= c.resolveAll(KernelFile);
            // as the machine's readFile: the first contribution covering the path that has it
            for (const f of files) {
              if (!kernelFileCovers(f, path)) continue;
              const text = f.read(path);
              if (text !== undefined) return text;
            }
            return undefined;
          },
          log: resolveToken(c, KERNEL_LOG),
          clock: resolveToken(c, SIM_CLOCK),
        });
      }),
    });
    container.register(KernelThread, {
      useFactory: (c) => ({
        name: "lmkd",
        periodNs: PSI_POLL_PERIOD_SHORT_MS * 1_000_000,
        perCpu: false,
        run: () => resolveToken(c, LMKD).tick(),
      }),
    });
    container.register(CompareMetric, {
      useFactory: (c) => ({ key: "lmkdKills", rank: 92, label: "lmkd kills", hideWhenZero: true, sample: () => resolveToken(c, LMKD).kills.length }),
    });
  },
  steps: [setpropStep],
  sysctls: OOM_SYSCTLS,
};
