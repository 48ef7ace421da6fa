// Kernel: kernel/printk/printk.c — the simulated kernel log (dmesg)
/*
 * Each printk() is one record: simulated timestamp, log level, text. `dmesg()` renders them as
 * `dmesg` prints them, `[%5lu.%06lu] text`, so mmsim's log can be diffed with a real kernel's.
 * The early-boot lines of a real kernel print 0.000000 because sched_clock is not running yet:
 * timestamps are 0 until startClock() (the machine calls it where 6.1 runs time_init), then
 * count simulated time from that moment, as sched_clock counts from its own start.
 */
import type { SimClock } from "./clock.ts";

export const KERN_EMERG = 0;
export const KERN_ALERT = 1;
export const KERN_CRIT = 2;
export const KERN_ERR = 3;
export const KERN_WARNING = 4;
export const KERN_NOTICE = 5;
export const KERN_INFO = 6;
export const KERN_DEBUG = 7;
/** Log levels 0..7; KERN_DEBUG is the last. */
export type LogLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One printk record. */
export interface PrintkRecord {
  /** Simulated time in ns when it was logged. */
  readonly tsNs: number;
  readonly level: LogLevel;
  /** The line, without a trailing newline. */
  readonly text: string;
}

/** The machine's log buffer. Kernel: the printk ring buffer read by `dmesg`. */
export class KernelLog {
  private readonly records: PrintkRecord[] = [];
  private readonly onceKeys = new Set<string>();
  /** Records at a level above this (numerically) are dropped, like `loglevel=`/`ignore_loglevel` for the buffer. */
  recordLevel: LogLevel = KERN_INFO;
  /** Simulated time at which timestamps start counting; undefined while they print 0. */
  private origin: number | undefined;

  /**
   * @param clock the simulated clock
   * @param running false to print 0 timestamps until startClock() (early boot); true by default
   */
  constructor(
    private readonly clock?: SimClock,
    running = true,
  ) {
    this.origin = running ? 0 : undefined;
  }

  /** Timestamps count from now on. Kernel: `sched_clock_init()` / `time_init()`. */
  startClock(): void {
    if (this.origin === undefined) this.origin = this.clock ? this.clock.now() : 0;
  }

  /**
   * Logs `text` at `level`; a text with newlines becomes one record per line.
   * Kernel: `printk()`.
   */
  printk(level: LogLevel, text: string): void {
    if (level > this.recordLevel) return;
    const tsNs = this.clock && this.origin !== undefined ? this.clock.now() - this.origin : 0;
    const body = text.endsWith("\n") ? text.slice(0, -1) : text;
    for (const line of body.split("\n")) this.records.push({ tsNs, level, text: line });
  }

  /** Kernel: `pr_err()`. */
  prErr(text: string): void {
    this.printk(KERN_ERR, text);
  }
  /** Kernel: `pr_warn()`. */
  prWarn(text: string): void {
    this.printk(KERN_WARNING, text);
  }
  /** Kernel: `pr_notice()`. */
  prNotice(text: string): void {
    this.printk(KERN_NOTICE, text);
  }
  /** Kernel: `pr_info()`. */
  prInfo(text: string): void {
    this.printk(KERN_INFO, text);
  }
  /** Kernel: `pr_debug()` (kept only when recordLevel is KERN_DEBUG). */
  prDebug(text: string): void {
    this.printk(KERN_DEBUG, text);
  }

  /**
   * Logs a kernel WARNING: the `WARNING: ...` line of `__warn()`, without the register dump.
   * Kernel: `WARN()` / `WARN_ON()` in include/asm-generic/bug.h.
   * @param where the kernel function and file, e.g. `"memblock_alloc_range_nid (mm/memblock.c)"`
   */
  warn(where: string, text?: string): void {
    this.printk(KERN_WARNING, "------------[ cut here ]------------");
    if (text) this.printk(KERN_WARNING, text);
    this.printk(KERN_WARNING, `WARNING: CPU: 0 PID: 0 at ${where}`);
    this.printk(KERN_WARNING, "---[ end trace 0000000000000000 ]---");
  }

  /**
   * Like warn(), but only the first time for `key`.
   * Kernel: `WARN_ONCE()`.
   * @returns true if this call logged
   */
  warnOnce(key: string, where: string, text?: string): boolean {
    if (this.onceKeys.has(key)) return false;
    this.onceKeys.add(key);
    this.warn(where, text);
    return true;
  }

  /** Every record so far, oldest first. */
  all(): readonly PrintkRecord[] {
    return this.records;
  }

  /** Number of records so far. */
  get length(): number {
    return this.records.length;
  }

  /**
   * The log as `dmesg` prints it: `[    0.000000] text` per line.
   * @param from first record index (to show only what a step logged)
   */
  dmesg(from = 0): string {
    let out = "";
    for (let i = from; i < this.records.length; i++) {
      const r = this.records[i]!;
      out += `${formatPrintkTime(r.tsNs)} ${r.text}\n`;
    }
    return out;
  }
}

/** `[%5lu.%06lu]` of a timestamp in ns. Kernel: `print_time()` in printk.c. */
export function formatPrintkTime(tsNs: number): string {
  const sec = Math.floor(tsNs / 1e9);
  const usec = Math.floor((tsNs % 1e9) / 1e3);
  return `[${String(sec).padStart(5, " ")}.${String(usec).padStart(6, "0")}]`;
}
