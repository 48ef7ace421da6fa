// Kernel: kernel/panic.c (v6.1) panic(), arch/arm64/kernel/setup.c arm64_panic_block_dump — a simulated kernel panic, an outcome of the simulation
/*
 * When the simulated kernel reaches a point where Linux 6.1 calls panic() (memblock cannot give
 * early_pgtable_alloc a page, a BUG() the kernel would hit), the code there throws KernelPanic.
 * It is not an error of mmsim nor of its input: the machine that owns the log catches it,
 * prints the lines 6.1's panic() prints (logPanic) and stops, keeping its state as it was at
 * the panic, so its files can still be read. The CLI reports it with an exit status of its own.
 *
 * 6.1's panic(), as far as it prints on an arm64 board with the reference config:
 *   vscnprintf(buf, fmt); a trailing newline of buf is dropped;
 *   pr_emerg("Kernel panic - not syncing: %s\n", buf);
 *   dump_stack()                      (CONFIG_DEBUG_BUGVERBOSE: CPU, Hardware name, Call trace)
 *   panic notifiers: arm64_panic_block_dump → dump_kernel_offset ("Kernel Offset: disabled"
 *     with nokaslr), dump_cpu_features ("CPU features: 0x…"), dump_mem_limit ("Memory Limit: …")
 *   pr_emerg("---[ end Kernel panic - not syncing: %s ]---\n", buf);
 * mmsim does not print dump_stack()'s call trace (the simulator has no kernel stack or symbol
 * offsets to show) nor the CPU features bitmap (the reference build's capability bits are not
 * known); every other line is the kernel's, at KERN_EMERG.
 */
import { KERN_EMERG, type KernelLog } from "./printk.ts";

/** 1 MiB, for dump_mem_limit's `memory_limit >> 20`. */
const MB_SHIFT = 20;

/**
 * The simulated kernel panicked. Thrown where 6.1 calls panic(); caught by the machine, which
 * logs it (logPanic) and keeps its state. Not an MmsimError: it is no input error and no bug.
 */
export class KernelPanic extends Error {
  readonly _tag = "KernelPanic" as const;
  /** panic()'s message, its trailing newline dropped as panic() drops it. */
  readonly reason: string;
  constructor(
    /** The kernel function that panicked (e.g. "early_pgtable_alloc"). */
    readonly where: string,
    reason: string,
  ) {
    const buf = reason.endsWith("\n") ? reason.slice(0, -1) : reason;
    super(`Kernel panic - not syncing: ${buf}`);
    this.name = "KernelPanic";
    this.reason = buf;
  }
}

/** True for a KernelPanic (also one thrown by another copy of this package). */
export function isKernelPanic(e: unknown): e is KernelPanic {
  return e instanceof KernelPanic || (e instanceof Error && (e as { _tag?: unknown })._tag === "KernelPanic");
}

/**
 * Panics: never returns. Kernel: `panic()`.
 * @param where the kernel function calling panic(), for the report
 * @param fmt the message as the kernel formats it (a trailing "\n" is dropped, as panic() does)
 * @throws KernelPanic always
 */
export function panic(where: string, fmt: string): never {
  throw new KernelPanic(where, fmt);
}

/** What the panic notifiers print about the board. */
export interface PanicBoardInfo {
  /** `mem=` as early_mem() kept it (bytes), or undefined when there is no limit (PHYS_ADDR_MAX). */
  readonly memoryLimit?: number;
}

/**
 * Logs what 6.1's panic() prints for `p`, at KERN_EMERG. Kernel: `panic()` with the arm64 panic
 * notifier `arm64_panic_block_dump()` (dump_kernel_offset, dump_mem_limit).
 */
export function logPanic(log: KernelLog, p: KernelPanic, board: PanicBoardInfo = {}): void {
  log.printk(KERN_EMERG, `Kernel panic - not syncing: ${p.reason}`);
  // dump_kernel_offset(): mmsim's image is at the fixed address of a nokaslr boot.
  log.printk(KERN_EMERG, "Kernel Offset: disabled");
  // dump_mem_limit()
  log.printk(KERN_EMERG, board.memoryLimit === undefined ? "Memory Limit: none" : `Memory Limit: ${Math.floor(board.memoryLimit / 2 ** MB_SHIFT)} MB`);
  log.printk(KERN_EMERG, `---[ end Kernel panic - not syncing: ${p.reason} ]---`);
}
