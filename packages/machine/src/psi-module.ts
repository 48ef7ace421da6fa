// Kernel: kernel/sched/psi.c (psi_init, psi_show, psi_write, psi_avgs_work, psi_task_change via the scheduler's enqueue/dequeue), mm/page_alloc.c (__perform_reclaim's and __alloc_pages_direct_compact's psi_memstall_enter) (v6.1.166) — the machine's pressure stall information
/*
 * The system PSI group (core's PsiGroup) over the machine's CPUs: the scheduler reports each
 * CPU's runnable count (TSK_RUNNING, the running task on the CPU), the stall sites mark the
 * running task (PsiHooks: the page allocator's direct reclaim and direct compaction — compaction's
 * module gets it without a change —, zram's and the disk's swap-in of a workingset page through
 * SwapOps' caller), psi_avgs_work runs every PSI_FREQ as a kernel thread, and
 * /proc/pressure/{memory,cpu,io} show the group and take triggers. Why core and not
 * @mmsim/memcg-psi: the stall sites include the page allocator (buddy, before memcg-psi in the
 * order of mechanisms) and the task states come from the machine's scheduler (the root), so the
 * group is a core service as VmStat is; memcg's groups will be memcg-psi's (issue 20).
 *
 * Not modelled: kswapd's own stall (balance_pgdat's psi_memstall_enter: kswapd runs on no
 * simulated CPU), I/O wait (NR_IOWAIT: a task sleeping on a bio sleeps in its step's time, which
 * the scheduler sees as running), IRQ pressure.
 */
import { BuddyAllocator } from "@mmsim/buddy";
import {
  checked, defineStep, describeValue, int, z,
  Initcall, KernelFile, KernelThread, type MmsimModule, PSI_CPU, PSI_IO, PSI_MEM, PSI_PERIOD_NS, PSI_SYSTEM, PsiGroup, PsiHooks, SIM_CLOCK, TOPOLOGY, resolveToken,
} from "@mmsim/core";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { TASK_ENGINE } from "./task-api.ts";
import { SYSCALLS, type SyscallRecord } from "./process/syscall.ts";

/** poll()'s clock: psimon checks the triggers every rtpoll period; mmsim's poll step looks every 10 ms of simulated time. */
const POLL_STEP_NS = 10_000_000;

/**
 * `poll: { path: /proc/pressure/memory, timeout: 5000 }`: poll(2) for POLLPRI on a pressure
 * file after a trigger was written to it (psi_trigger_poll): the task sleeps until one of the
 * file's triggers fires (its event consumed) or the timeout (ms) passes; the syscall log says
 * which. Kernel: `psi_fop_poll()` → `psi_trigger_poll()`.
 */
export const pollStep = defineStep({
  kind: "poll",
  doc: "- poll: { path: /proc/pressure/memory, timeout: 10000 }   wait (ms, simulated) for a PSI trigger written to the file to fire (POLLPRI); the syscall log says POLLPRI or timeout",
  schema: z.strictObject({
    path: checked<string>((v) => (typeof v === "string" && PRESSURE_FILES.some(([p]) => p === v) ? { ok: v } : `expected one of ${PRESSURE_FILES.map(([p]) => p).join(", ")}, got ${describeValue(v)}`)),
    timeout: int(1, 86_400_000, "milliseconds of simulated time").default(10_000),
  }),
  make: (d, ctx) => ({ kind: "poll" as const, line: ctx.line, path: d.path, timeout: d.timeout }),
  run(step, ctx) {
    const engine = ctx.resolve(TASK_ENGINE);
    const psi = ctx.resolve(PSI_SYSTEM);
    const res = PRESSURE_FILES.find(([p]) => p === step.path)![1];
    const now = ctx.resolve(SIM_CLOCK).now();
    const waits = ctx.state("psi.poll", () => new Map<string, number>());
    const key = `${engine.currentPid}:${step.line}`;
    const start = waits.get(key) ?? now;
    waits.set(key, start);
    psi.pollTriggers(now);
    const t = psi.triggers.find((x) => x.event && Math.floor(x.state / 2) === res);
    const log = ctx.state(SYSCALLS, (): SyscallRecord[] => []);
    if (t !== undefined) {
      t.event = false;
      waits.delete(key);
      log.push({ step: ctx.index, pid: engine.currentPid, call: `poll ${step.path}`, result: `POLLPRI (${t.text}) after ${Math.round((now - start) / 1e6)} ms` });
      return;
    }
    if (now - start >= step.timeout * 1e6) {
      waits.delete(key);
      log.push({ step: ctx.index, pid: engine.currentPid, call: `poll ${step.path}`, result: "0 (timeout)" });
      return;
    }
    engine.sleep(Math.min(POLL_STEP_NS, start + step.timeout * 1e6 - now));
    engine.blockAndRetry();
  },
});

/** /proc/pressure/<res>: the files 6.1 creates in psi_proc_init (irq only with CONFIG_IRQ_TIME_ACCOUNTING). */
export const PRESSURE_FILES: readonly (readonly [string, number])[] = Object.freeze([
  ["/proc/pressure/io", PSI_IO],
  ["/proc/pressure/memory", PSI_MEM],
  ["/proc/pressure/cpu", PSI_CPU],
] as const);

/** The running step's CPU (CPU 0 outside a workload run). */
function currentCpu(c: DependencyContainer): number {
  return c.isRegistered(TASK_ENGINE, true) ? resolveToken(c, TASK_ENGINE).currentCpu : 0;
}

/** The machine's PSI: the system group, the stall hooks, the files and psi_avgs_work. */
export const psiModule: MmsimModule = {
  slot: "psi",
  name: "psi",
  description: "pressure stall information of Linux 6.1 (kernel/sched/psi.c): some/full memory, CPU and I/O pressure, avg10/60/300, totals, triggers",
  register(container: DependencyContainer): void {
    container.register(PSI_SYSTEM, {
      useFactory: instanceCachingFactory((c) => {
        const clock = resolveToken(c, SIM_CLOCK);
        const cpuClock = (cpu: number): number => (c.isRegistered(TASK_ENGINE, true) ? resolveToken(c, TASK_ENGINE).cpuClock(cpu) : clock.now());
        return new PsiGroup(resolveToken(c, TOPOLOGY).nrCpus, cpuClock, clock.now());
      }),
    });
    container.register(PsiHooks, {
      useFactory: instanceCachingFactory((c) => {
        const psi = () => resolveToken(c, PSI_SYSTEM);
        return {
          memstallEnter: () => psi().memstallEnter(currentCpu(c)),
          memstallLeave: (flags: number) => psi().memstallLeave(currentCpu(c), flags),
        };
      }),
    });
    // psi_init (core_initcall in sched_init's wake): the allocator's stall sites get the hooks
    container.register(Initcall, {
      useFactory: (c) => ({
        level: "core",
        name: "psi_init",
        run: () => {
          c.resolve(BuddyAllocator).state.psi = resolveToken(c, PsiHooks);
          return 0;
        },
      }),
    });
    for (const [path, res] of PRESSURE_FILES) {
      container.register(KernelFile, {
        useFactory: (c) => ({
          path,
          read: () => resolveToken(c, PSI_SYSTEM).show(res, resolveToken(c, SIM_CLOCK).now()),
          // psi_write → psi_trigger_create: the machine's tasks are root (CAP_SYS_RESOURCE: rtpoll triggers)
          write: (_p: string, value: string) => {
            const t = resolveToken(c, PSI_SYSTEM).createTrigger(res, value, resolveToken(c, SIM_CLOCK).now());
            return typeof t === "number" ? `${path}: psi_trigger_create refuses "${value.trim()}" (EINVAL): write "some|full <threshold µs> <window µs>", a window of 500000..10000000 µs and 0 < threshold ≤ window` : 0;
          },
        }),
      });
    }
    // psi_avgs_work: the delayed work every PSI_FREQ
    container.register(KernelThread, {
      useFactory: (c) => ({
        name: "psi_avgs_work",
        periodNs: PSI_PERIOD_NS,
        perCpu: false,
        run: () => {
          const now = resolveToken(c, SIM_CLOCK).now();
          const psi = resolveToken(c, PSI_SYSTEM);
          psi.avgsWork(now);
          psi.pollTriggers(now);
        },
      }),
    });
  },
  steps: [pollStep],
};
