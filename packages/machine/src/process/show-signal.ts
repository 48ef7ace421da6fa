// Kernel: arch/arm64/kernel/traps.c (arm64_show_signal, arm64_force_sig_fault), arch/arm64/mm/fault.c (fault_info[], esr_to_fault_info, set_thread_esr, do_page_fault's tail), mm/memory.c (print_vma_addr), kernel/sysctl.c (debug.exception-trace) (v6.1) — the line a task's unhandled SIGSEGV or SIGBUS logs
/*
 * A user data abort the fault path cannot resolve kills a task with no handler, and 6.1 logs it
 * (arm64_show_signal) only when debug.exception-trace (show_unhandled_signals) is set — it is 0
 * by default on arm64 — under a DEFAULT_RATELIMIT (5 s, 10 lines) state:
 *
 *   segv[107]: unhandled exception: DABT (lower EL), ESR 0x0000000092000006, level 2 translation fault in segv[400000+7f000]
 *   CPU: 1 PID: 107 Comm: segv Not tainted 6.1.0-57-arm64 #1  Debian 6.1.192-3
 *   Hardware name: linux,dummy-virt (DT)
 *   pstate: … pc : … lr : … sp : … x29: …            (mmsim has no registers: not printed)
 *
 * (tests/conformance/fixtures/process/linux-6.1-arm64/segv). The ESR is the data abort's as the
 * MMU raised it: EC 0x24 (DABT_LOW) with IL, WnR for a store, the DFSC of the fault kind and
 * level the walk stopped at; set_thread_esr sanitises it for a TTBR1 (kernel) address to the
 * level-0 translation fault's DFSC, while the name printed stays the real fault's. The " in
 * file[start+size]" part is print_vma_addr of the PC: mmsim has no PC and names the VMA that
 * maps the program's text (the first executable file mapping), where a program's loads run.
 */
import { DEFAULT_RATELIMIT_BURST, DEFAULT_RATELIMIT_INTERVAL, type KernelLog, RatelimitState, type SimClock } from "@mmsim/core";
import { FAULT_ACCESS_FLAG, FAULT_PERMISSION, FAULT_TRANSLATION } from "@mmsim/hw-arm64";
import { type TaskStruct, VM_EXEC } from "@mmsim/vma";

/** ESR_ELx.EC of a data abort from a lower EL (EL0), shifted into place. Kernel: `ESR_ELx_EC_DABT_LOW << ESR_ELx_EC_SHIFT`. */
const ESR_EC_DABT_LOW = 0x24 * 2 ** 26;
/** ESR_ELx.IL: a 32-bit instruction. */
const ESR_IL = 2 ** 25;
/** ESR_ELx.WnR: the abort was a write. */
const ESR_WNR = 0x40;
/** ESR_ELx.CM: a cache maintenance instruction (never here). */
const ESR_CM = 0x100;
/** ESR_ELx_FSC_FAULT: the level-0 translation fault DFSC set_thread_esr reports for a kernel address. */
const ESR_FSC_FAULT = 0x04;

/** Kernel: `fault_info[].name` of DFSC 0…15 (fault.c; 8 and 12 cannot happen with 4 KiB pages). */
const FAULT_NAMES: readonly string[] = Object.freeze([
  "ttbr address size fault", "level 1 address size fault", "level 2 address size fault", "level 3 address size fault",
  "level 0 translation fault", "level 1 translation fault", "level 2 translation fault", "level 3 translation fault",
  "unknown 8", "level 1 access flag fault", "level 2 access flag fault", "level 3 access flag fault",
  "unknown 12", "level 1 permission fault", "level 2 permission fault", "level 3 permission fault",
]);

/** The DFSC of an MMU fault (walk.ts's FAULT_* and level). */
export function dfscOf(fault: number, level: number): number {
  const base = fault === FAULT_PERMISSION ? 0x0c : fault === FAULT_ACCESS_FLAG ? 0x08 : fault === FAULT_TRANSLATION ? 0x04 : 0;
  return base | (level & 3);
}

/** What the log line says of one user data abort. */
export interface UserAbort {
  /** ESR_EL1 as set_thread_esr leaves it in thread.fault_code. */
  readonly esr: number;
  /** fault_info[DFSC].name of the abort the MMU raised. */
  readonly name: string;
}

/**
 * The ESR and fault name of an EL0 data abort at `va` (negative: a TTBR1 address).
 * Kernel: the hardware's ESR_EL1, `esr_to_fault_info()` and `set_thread_esr()`.
 */
export function userAbort(fault: number, level: number, write: boolean, va: number): UserAbort {
  const dfsc = dfscOf(fault, level);
  const hi = ESR_EC_DABT_LOW + ESR_IL;
  const wnr = write ? ESR_WNR : 0;
  // set_thread_esr: for a kernel address keep only EC, IL, CM and WnR, and report a level-0 translation fault
  const lo = va < 0 ? (wnr & (ESR_WNR | ESR_CM)) | ESR_FSC_FAULT : wnr | dfsc;
  return { esr: hi + lo, name: FAULT_NAMES[dfsc]! };
}

/** debug.exception-trace and the ratelimit state of arm64_show_signal. */
export class ShowSignal {
  /** show_unhandled_signals: 0 on arm64 (traps.c), as the capture reads /proc/sys/debug/exception-trace. */
  exceptionTrace = 0;
  private readonly rs = new RatelimitState(DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);

  constructor(
    private readonly log: KernelLog,
    private readonly clock: SimClock,
    /** dump_stack_print_info's identity: `<release> <version>` and the DT model. */
    private readonly uts: string,
    private readonly hardwareName: string,
  ) {}

  /**
   * Kernel: `arm64_show_signal(signo, str)` for a task with no handler: the line, then
   * __show_regs' first lines (show_regs_print_info). Nothing when exception-trace is 0 or the
   * ratelimit suppresses it.
   */
  show(t: TaskStruct, cpu: number, abort: UserAbort): void {
    if (this.exceptionTrace === 0 || !this.rs.ratelimit(this.clock, this.log, "arm64_show_signal")) return;
    const esr = abort.esr !== 0 ? `DABT (lower EL), ESR 0x${abort.esr.toString(16).padStart(16, "0")}, ` : "";
    this.log.prInfo(`${t.comm}[${t.pid}]: unhandled exception: ${esr}${abort.name}${printVmaAddr(t)}`);
    this.log.prWarn(`CPU: ${cpu} PID: ${t.pid} Comm: ${t.comm.slice(0, 20)} Not tainted ${this.uts}`);
    this.log.prWarn(`Hardware name: ${this.hardwareName}`);
  }
}

/**
 * Kernel: `print_vma_addr(" in ", regs->pc)`: `" in %s[%lx+%lx]"` with the basename of the
 * VMA's file, its start and size. mmsim has no PC: the program's text VMA (the first
 * executable file mapping) stands for it; nothing when there is none.
 */
function printVmaAddr(t: TaskStruct): string {
  const mm = t.mm;
  if (mm === null) return "";
  for (const vma of mm.mt) {
    if ((vma.vmFlags & VM_EXEC) === 0 || vma.vmFile === null) continue;
    const path = vma.vmFile.path;
    return ` in ${path.slice(path.lastIndexOf("/") + 1)}[${vma.vmStart.toString(16)}+${(vma.vmEnd - vma.vmStart).toString(16)}]`;
  }
  return "";
}
