// Kernel: include/linux/jiffies.h, kernel/time/time.c (msecs_to_jiffies, jiffies_to_msecs) (v6.1) — jiffies from the simulated clock at HZ = 250
/*
 * The reference build has CONFIG_HZ_250 (Debian's arm64 config): one jiffy is 4 ms. mmsim has no
 * timer interrupt; `jiffies` is the simulated clock divided by the tick, so a time in jiffies is
 * `floor(ns / 4 ms)` and two events in the same 4 ms read the same jiffies, as on the real kernel.
 * INITIAL_JIFFIES (jiffies start 5 minutes before wrapping) is left out: only differences of
 * jiffies are used here, and time_after() on 64-bit never sees a wrap in a simulated run.
 */
import { NSEC_PER_MSEC } from "@mmsim/core";

/** Ticks per second of the reference build. Kernel: `CONFIG_HZ` (CONFIG_HZ_250). */
export const HZ = 250;

/** Nanoseconds per jiffy (4 ms at HZ = 250). Kernel: `TICK_NSEC`. */
export const TICK_NSEC = 1_000_000_000 / HZ;

/** The jiffies count at simulated time `ns`. Kernel: `jiffies` (advanced by the tick). */
export function nsToJiffies(ns: number): number {
  return Math.floor(ns / TICK_NSEC);
}

/** The simulated time (ns) at which jiffies reaches `j`. */
export function jiffiesToNs(j: number): number {
  return j * TICK_NSEC;
}

/**
 * Milliseconds to jiffies, rounded up (HZ divides 1000: `(m + 3) / 4`).
 * Kernel: `msecs_to_jiffies` → `_msecs_to_jiffies` with HZ <= MSEC_PER_SEC && !(MSEC_PER_SEC % HZ).
 */
export function msecsToJiffies(m: number): number {
  const perTick = 1000 / HZ;
  return Math.floor((m + perTick - 1) / perTick);
}

/** Jiffies to milliseconds. Kernel: `jiffies_to_msecs` (HZ divides 1000: `j * (1000 / HZ)`). */
export function jiffiesToMsecs(j: number): number {
  return j * (1000 / HZ);
}

/** Nanoseconds to whole milliseconds, truncated. Kernel: `div_u64(ns, NSEC_PER_MSEC)`. */
export function nsToMsecs(ns: number): number {
  return Math.floor(ns / NSEC_PER_MSEC);
}

/** True when jiffies `a` is after `b`. Kernel: `time_after(a, b)`. */
export function timeAfter(a: number, b: number): boolean {
  return b - a < 0;
}

/** True when jiffies `a` is before `b`. Kernel: `time_before(a, b)`. */
export function timeBefore(a: number, b: number): boolean {
  return a - b < 0;
}
