// Kernel: kernel/sysctl.c vm_table (swappiness: proc_dointvec_minmax 0..200; vfs_cache_pressure: proc_dointvec_minmax ≥ 0) (v6.1) — reclaim's vm sysctls
import { type AnySysctl, EINVAL, INT_MAX, type SysctlValue, defineSysctl, parseSysctlInt, token } from "@mmsim/core";
import type { Vmscan } from "./vmscan.ts";

/** The same token module.ts registers (kept here so the sysctl table is static data). */
const VMSCAN_SERVICE = token<Vmscan>("Vmscan");
const int = (v: SysctlValue, set: (n: number) => number): number => (typeof v === "number" ? set(v) : -EINVAL);

/** vm.swappiness: 0..200 (6.1's range, widened from 100 in 5.8). */
export const swappinessSysctl = defineSysctl({
  dir: "vm",
  procname: "swappiness",
  type: "integer 0..200",
  doc: "how much reclaim prefers anonymous pages (to swap) over the page cache: 0 file only while file pages remain, 100 equal cost, 200 anon first",
  parse: (v) => parseSysctlInt(v, 0, 200, "relative cost of swapping"),
  service: VMSCAN_SERVICE,
  write: (s: Vmscan, v) => int(v, (n) => ((s.swappiness = n), 0)),
  read: (s: Vmscan) => `${s.swappiness}\n`,
});

/** vm.vfs_cache_pressure: ≥ 0; super_cache_count scales the unused dentries and inodes of each disk superblock by it (0: they are never shrunk). */
export const vfsCachePressureSysctl = defineSysctl({
  dir: "vm",
  procname: "vfs_cache_pressure",
  type: "integer ≥ 0",
  doc: "pressure on the dentry and inode caches relative to the page cache: 100 counts their unused objects as they are, 0 never shrinks them, 200 twice as hard",
  parse: (v) => parseSysctlInt(v, 0, INT_MAX, "percent"),
  service: VMSCAN_SERVICE,
  write: (s: Vmscan, v) => int(v, (n) => ((s.vfsCachePressure = n), 0)),
  read: (s: Vmscan) => `${s.vfsCachePressure}\n`,
});

export const RECLAIM_SYSCTLS: readonly AnySysctl[] = Object.freeze([swappinessSysctl, vfsCachePressureSysctl]);
