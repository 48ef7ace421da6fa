// Kernel: kernel/sysctl.c kern_table (randomize_va_space), vm_table (mmap_rnd_bits, legacy_va_layout), debug_table (exception-trace) (v6.1) — the exec layout's sysctls and the fatal-signal trace
import { EINVAL, type SysctlValue, defineSysctl, parseSysctlInt } from "@mmsim/core";
import { PROCESSES } from "./token.ts";

/** kernel.randomize_va_space: proc_dointvec (no range in 6.1: any int is stored; exec tests 0, ≥ 1, ≥ 2). */
export const randomizeVaSpaceSysctl = defineSysctl({
  dir: "kernel",
  procname: "randomize_va_space",
  type: "integer 0..2",
  doc: "address-space layout randomization of a new exec: 0 none (the real kernel's fixed addresses), 1 mmap base, stack and vDSO, 2 also the heap (brk); offsets come from the seeded RNG",
  parse: (v) => parseSysctlInt(v, 0, 2, "0 none, 1 mmap/stack/vdso, 2 also brk"),
  service: PROCESSES,
  write: (p, v: SysctlValue) => (typeof v === "number" && v >= 0 && v <= 2 ? ((p.tasks.sysctl.randomizeVaSpace = v as 0 | 1 | 2), 0) : -EINVAL),
  read: (p) => `${p.tasks.sysctl.randomizeVaSpace}\n`,
});

/** vm.mmap_rnd_bits: proc_dointvec_minmax between mmap_rnd_bits_min (18) and _max (33 with 48-bit VA). */
export const mmapRndBitsSysctl = defineSysctl({
  dir: "vm",
  procname: "mmap_rnd_bits",
  type: "integer 18..33",
  doc: "bits of randomness in the mmap base of a new exec (with randomize_va_space ≥ 1)",
  parse: (v) => parseSysctlInt(v, 18, 33, "bits"),
  service: PROCESSES,
  write: (p, v: SysctlValue) => (typeof v === "number" && v >= 18 && v <= 33 ? ((p.tasks.sysctl.mmapRndBits = v), 0) : -EINVAL),
  read: (p) => `${p.tasks.sysctl.mmapRndBits}\n`,
});

/**
 * debug.exception-trace: show_unhandled_signals (proc_dointvec: any int is stored; non-zero logs).
 * 0 by default on arm64 (traps.c), as the segv capture reads it; with it set a task killed by an
 * unhandled SIGSEGV or SIGBUS logs arm64_show_signal's lines (show-signal.ts).
 */
export const exceptionTraceSysctl = defineSysctl({
  dir: "debug",
  procname: "exception-trace",
  type: "integer",
  doc: "log the fatal SIGSEGVs and SIGBUSes of tasks with no handler (arm64_show_signal: \"comm[pid]: unhandled exception: …\"); 0 (arm64's default) logs nothing",
  parse: (v) => parseSysctlInt(v, -(2 ** 31), 2 ** 31 - 1, "0 off, other values on"),
  service: PROCESSES,
  write: (p, v: SysctlValue) => (typeof v === "number" && Number.isInteger(v) ? ((p.showSignal.exceptionTrace = v), 0) : -EINVAL),
  read: (p) => `${p.showSignal.exceptionTrace}\n`,
});

export const PROCESS_SYSCTLS = Object.freeze([randomizeVaSpaceSysctl, mmapRndBitsSysctl, exceptionTraceSysctl]);
