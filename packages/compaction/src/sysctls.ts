// Kernel: mm/compaction.c vm_compaction[] (compact_memory, compaction_proactiveness, extfrag_threshold, compact_unevictable_allowed) (v6.1: in kernel/sysctl.c's vm_table) — compaction's vm sysctls
import { type AnySysctl, EINVAL, type SysctlValue, defineSysctl, parseSysctlInt, token } from "@mmsim/core";
import type { Compaction } from "./compaction.ts";

/** The same token module.ts registers (kept here so the sysctl table is static data). */
const COMPACTION_SERVICE = token<Compaction>("Compaction");
const int = (v: SysctlValue, set: (n: number) => number): number => (typeof v === "number" ? set(v) : -EINVAL);

/** vm.compact_memory: mode 0200; any write compacts every node (sysctl_compaction_handler → compact_nodes). */
export const compactMemorySysctl = defineSysctl({
  dir: "vm",
  procname: "compact_memory",
  type: "integer (1)",
  doc: "writing 1 compacts all memory: every zone of every node, whole, in MIGRATE_SYNC mode (compact_nodes)",
  parse: (v) => parseSysctlInt(v, -2147483648, 2147483647, "any integer; 1 by convention"),
  service: COMPACTION_SERVICE,
  write: (s: Compaction, v) => int(v, (n) => ((s.compactMemory = n), s.compactNodes(), 0)),
  // the file is 0200 (reads refuse with EACCES); mmsim prints what proc_dointvec would
  read: (s: Compaction) => `${s.compactMemory}\n`,
});

/** vm.compaction_proactiveness: 0..100; a non-zero write triggers every node's kcompactd. */
export const compactionProactivenessSysctl = defineSysctl({
  dir: "vm",
  procname: "compaction_proactiveness",
  type: "integer 0..100",
  doc: "how hard kcompactd compacts in the background: it starts when a node's fragmentation score exceeds 100 - value + 10 and stops at 100 - value (0: never)",
  parse: (v) => parseSysctlInt(v, 0, 100, "percent"),
  service: COMPACTION_SERVICE,
  write: (s: Compaction, v) => int(v, (n) => s.setCompactionProactiveness(n)),
  read: (s: Compaction) => `${s.compactionProactiveness}\n`,
});

/** vm.extfrag_threshold: 0..1000. */
export const extfragThresholdSysctl = defineSysctl({
  dir: "vm",
  procname: "extfrag_threshold",
  type: "integer 0..1000",
  doc: "for orders above 3, compaction runs only when the fragmentation index is above this (a lower index means the failure is for lack of memory, so reclaim is tried instead)",
  parse: (v) => parseSysctlInt(v, 0, 1000, "fragmentation index"),
  service: COMPACTION_SERVICE,
  write: (s: Compaction, v) => int(v, (n) => ((s.extfragThreshold = n), 0)),
  read: (s: Compaction) => `${s.extfragThreshold}\n`,
});

/** vm.compact_unevictable_allowed: 0..1 (default 1). */
export const compactUnevictableAllowedSysctl = defineSysctl({
  dir: "vm",
  procname: "compact_unevictable_allowed",
  type: "integer 0..1",
  doc: "1: compaction may move unevictable (mlocked) pages; 0: it leaves them",
  parse: (v) => parseSysctlInt(v, 0, 1, "boolean"),
  service: COMPACTION_SERVICE,
  write: (s: Compaction, v) => int(v, (n) => ((s.compactUnevictableAllowed = n), 0)),
  read: (s: Compaction) => `${s.compactUnevictableAllowed}\n`,
});

export const COMPACTION_SYSCTLS: readonly AnySysctl[] = Object.freeze([
  compactMemorySysctl, compactionProactivenessSysctl, extfragThresholdSysctl, compactUnevictableAllowedSysctl,
]);
