// Kernel: lib/ratelimit.c, include/linux/ratelimit_types.h (v6.1) — ___ratelimit() on simulated time
/*
 * The printk rate limits of the simulated kernel's messages: printk_ratelimit() and the
 * pr_*_ratelimited() macros (DEFAULT_RATELIMIT_INTERVAL 5 s, DEFAULT_RATELIMIT_BURST 10: vmalloc's
 * "vmap allocation … failed", swap's "Write-error on swap-device"), warn_alloc()'s nopage_rs (10 s,
 * 1 message in 6.1.y). When an interval ends with calls suppressed, the next call logs
 * "<func>: N callbacks suppressed" first, as ___ratelimit() does.
 */
import { KERN_WARNING, type KernelLog } from "./printk.ts";
import type { SimClock } from "./clock.ts";

/** Kernel: `struct ratelimit_state` (interval and burst; begin, printed, missed). */
export class RatelimitState {
  private begin = -1;
  private printed = 0;
  private missed = 0;

  constructor(
    /** Interval in simulated ns (0 = no limit). */
    readonly intervalNs: number,
    readonly burst: number,
  ) {}

  /**
   * True when the caller may print. Kernel: `___ratelimit(rs, func)`.
   * @param func the caller's name, for the "callbacks suppressed" line
   */
  ratelimit(clock: SimClock, log: KernelLog, func: string): boolean {
    if (this.intervalNs === 0) return true;
    const now = clock.now();
    if (this.begin < 0) this.begin = now;
    if (now > this.begin + this.intervalNs) {
      if (this.missed > 0) {
        log.printk(KERN_WARNING, `${func}: ${this.missed} callbacks suppressed`);
        this.missed = 0;
      }
      this.begin = now;
      this.printed = 0;
    }
    if (this.burst > this.printed) {
      this.printed++;
      return true;
    }
    this.missed++;
    return false;
  }
}

/** Kernel: `DEFAULT_RATELIMIT_INTERVAL` (5 * HZ), in simulated ns. */
export const DEFAULT_RATELIMIT_INTERVAL = 5_000_000_000;
/** Kernel: `DEFAULT_RATELIMIT_BURST`. */
export const DEFAULT_RATELIMIT_BURST = 10;
