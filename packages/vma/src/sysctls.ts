// Kernel: kernel/sysctl.c vm_table (max_map_count, overcommit_memory, overcommit_ratio, overcommit_kbytes, user_reserve_kbytes, admin_reserve_kbytes), mm/util.c (overcommit_policy_handler, overcommit_ratio_handler, overcommit_kbytes_handler) (v6.1) — the address-space sysctls, one ctl_table entry each
import { EINVAL, INT_MAX, type SysctlValue, defineSysctl, parseSysctlInt } from "@mmsim/core";
import { MmapContext } from "./mmap-context.ts";

const int = (v: SysctlValue, set: (n: number) => number) => (typeof v === "number" ? set(v) : -EINVAL);
/** ULONG_MAX as far as a double holds it exactly. */
const ULONG_MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** vm.max_map_count: proc_dointvec_minmax, extra1 = SYSCTL_ZERO. */
export const maxMapCountSysctl = defineSysctl({
  dir: "vm",
  procname: "max_map_count",
  type: "integer",
  doc: "most VMAs one process may have (mmap, mprotect and munmap splits fail with ENOMEM beyond it)",
  parse: (v) => parseSysctlInt(v, 0, INT_MAX, "VMAs"),
  service: MmapContext,
  write: (c, v) => int(v, (n) => ((c.maxMapCount = n), 0)),
  read: (c) => `${c.maxMapCount}\n`,
});

/** vm.overcommit_memory: overcommit_policy_handler, extra1 = SYSCTL_ZERO, extra2 = SYSCTL_TWO. */
export const overcommitMemorySysctl = defineSysctl({
  dir: "vm",
  procname: "overcommit_memory",
  type: "integer 0..2",
  doc: "0: heuristic overcommit, 1: always overcommit, 2: strict (Committed_AS may not reach CommitLimit)",
  parse: (v) => parseSysctlInt(v, 0, 2, "0 heuristic, 1 always, 2 never"),
  service: MmapContext,
  write: (c, v) => int(v, (n) => ((c.overcommit.overcommitMemory = n), 0)),
  read: (c) => `${c.overcommit.overcommitMemory}\n`,
});

/** vm.overcommit_ratio: proc_dointvec (no range); overcommit_ratio_handler clears overcommit_kbytes. */
export const overcommitRatioSysctl = defineSysctl({
  dir: "vm",
  procname: "overcommit_ratio",
  type: "integer",
  doc: "CommitLimit as a percentage of RAM (with overcommit_memory 2; a write clears overcommit_kbytes)",
  parse: (v) => parseSysctlInt(v, -INT_MAX - 1, INT_MAX, "percent of RAM"),
  service: MmapContext,
  write: (c, v) => int(v, (n) => c.overcommit.setOvercommitRatio(n)),
  read: (c) => `${c.overcommit.overcommitRatio}\n`,
});

/** vm.overcommit_kbytes: proc_doulongvec_minmax; overcommit_kbytes_handler clears overcommit_ratio. */
export const overcommitKbytesSysctl = defineSysctl({
  dir: "vm",
  procname: "overcommit_kbytes",
  type: "integer ≥ 0",
  doc: "CommitLimit in kbytes instead of a ratio (0: use overcommit_ratio; a write clears overcommit_ratio)",
  parse: (v) => parseSysctlInt(v, 0, ULONG_MAX_SAFE, "kbytes"),
  service: MmapContext,
  write: (c, v) => int(v, (n) => c.overcommit.setOvercommitKbytes(n)),
  read: (c) => `${c.overcommit.overcommitKbytes}\n`,
});

/** vm.user_reserve_kbytes: proc_doulongvec_minmax. */
export const userReserveKbytesSysctl = defineSysctl({
  dir: "vm",
  procname: "user_reserve_kbytes",
  type: "integer ≥ 0",
  doc: "memory strict overcommit keeps back from one process: min(its size / 32, this)",
  parse: (v) => parseSysctlInt(v, 0, ULONG_MAX_SAFE, "kbytes"),
  service: MmapContext,
  write: (c, v) => int(v, (n) => ((c.overcommit.userReserveKbytes = n), 0)),
  read: (c) => `${c.overcommit.userReserveKbytes}\n`,
});

/** vm.admin_reserve_kbytes: proc_doulongvec_minmax. */
export const adminReserveKbytesSysctl = defineSysctl({
  dir: "vm",
  procname: "admin_reserve_kbytes",
  type: "integer ≥ 0",
  doc: "memory strict overcommit keeps for tasks without CAP_SYS_ADMIN to leave alone",
  parse: (v) => parseSysctlInt(v, 0, ULONG_MAX_SAFE, "kbytes"),
  service: MmapContext,
  write: (c, v) => int(v, (n) => ((c.overcommit.adminReserveKbytes = n), 0)),
  read: (c) => `${c.overcommit.adminReserveKbytes}\n`,
});

/** The address-space sysctls, in vm_table's order. */
export const VMA_SYSCTLS = Object.freeze([
  adminReserveKbytesSysctl, maxMapCountSysctl, overcommitKbytesSysctl, overcommitMemorySysctl, overcommitRatioSysctl, userReserveKbytesSysctl,
] as const);
