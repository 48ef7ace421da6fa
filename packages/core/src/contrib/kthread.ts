// Kernel: include/linux/kthread.h, include/linux/workqueue.h (v6.1) — kernel threads and delayed work on the simulated clock
/*
 * Periodic kernel work (SLAB's cache_reap every REAPTIMEOUT_AC, ksmd every sleep_millisecs,
 * kcompactd's proactive timer) and threads woken by events (kswapd, kcompactd) run on the
 * machine's simulated clock. The machine runs what is due between workload steps, in the order
 * of their due times (ties: registration order), so a thread never sees the host clock.
 */
import { token } from "../di/token.ts";

/** One kernel thread or piece of delayed work. */
export interface KernelThread {
  /** The thread's name as ps shows it (`kswapd0`), or the work function (`cache_reap`). */
  readonly name: string;
  /**
   * Simulated nanoseconds between runs for periodic work (schedule_delayed_work with a fixed
   * delay); 0 for a thread that only runs when woken.
   */
  readonly periodNs: number;
  /** Runs once per CPU each period (per-CPU delayed work such as cache_reap), or once. */
  readonly perCpu: boolean;
  /** True when the thread has been woken and has work (checked between steps); optional. */
  pending?(): boolean;
  /** One run: for per-CPU work, on `cpu`; else cpu is 0. */
  run(cpu: number): void;
}
export const KernelThread = token<KernelThread>("KernelThread");
