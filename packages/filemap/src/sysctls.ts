// Kernel: kernel/sysctl.c vm_table (drop_caches, dirty_background_ratio, dirty_background_bytes, dirty_ratio, dirty_bytes, dirty_writeback_centisecs, dirty_expire_centisecs, dirtytime_expire_seconds), mm/page-writeback.c (their handlers) (v6.1) — this package's vm sysctls
/*
 * vm.drop_caches runs its handler (drop-caches.ts). The vm.dirty_* knobs are stored with 6.1's
 * ranges and handlers (a ratio write clears the bytes knob and the other way round) and read by
 * /proc/vmstat's nr_dirty_threshold; until writeback exists (the block issue) nothing else acts
 * on them.
 */
import { EINVAL, INT_MAX, PAGE_SIZE, type SysctlValue, defineSysctl, parseSysctlInt } from "@mmsim/core";
import { dropCachesSysctlHandler } from "./drop-caches.ts";
import { VFS, type Vfs } from "./vfs.ts";

const int = (v: SysctlValue, set: (n: number) => number): number => (typeof v === "number" ? set(v) : -EINVAL);
/** ULONG_MAX as far as a double holds it exactly. */
const ULONG_MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** vm.drop_caches: mode 0200, proc_dointvec_minmax 1..4, drop_caches_sysctl_handler. */
export const dropCachesSysctl = defineSysctl({
  dir: "vm",
  procname: "drop_caches",
  type: "integer 1..4",
  doc: "1: drop the clean, unmapped page cache (tmpfs pages are dirty and stay), 2: reclaimable slab, 3: both, 4: stop logging each write",
  parse: (v) => parseSysctlInt(v, 1, 4, "1 page cache, 2 slab, 3 both, 4 quiet"),
  service: VFS,
  write: (vfs: Vfs, v) => int(v, (n) => (n >= 1 && n <= 4 ? dropCachesSysctlHandler(vfs, n) : -EINVAL)),
  // the file is 0200 (reads refuse with EACCES); mmsim prints what proc_dointvec would
  read: (vfs: Vfs) => `${vfs.dropCaches}\n`,
});

/** vm.dirty_background_ratio: 0..100; a write clears dirty_background_bytes. */
export const dirtyBackgroundRatioSysctl = defineSysctl({
  dir: "vm",
  procname: "dirty_background_ratio",
  type: "integer 0..100",
  doc: "percent of dirtyable memory at which background writeback starts (a write clears dirty_background_bytes)",
  parse: (v) => parseSysctlInt(v, 0, 100, "percent"),
  service: VFS,
  write: (vfs: Vfs, v) => int(v, (n) => ((vfs.dirty.dirtyBackgroundRatio = n), (vfs.dirty.dirtyBackgroundBytes = 0), 0)),
  read: (vfs: Vfs) => `${vfs.dirty.dirtyBackgroundRatio}\n`,
});

/** vm.dirty_background_bytes: ≥ 1; a write clears dirty_background_ratio. */
export const dirtyBackgroundBytesSysctl = defineSysctl({
  dir: "vm",
  procname: "dirty_background_bytes",
  type: "integer ≥ 1",
  doc: "bytes of dirty memory at which background writeback starts, instead of the ratio (a write clears dirty_background_ratio)",
  parse: (v) => parseSysctlInt(v, 1, ULONG_MAX_SAFE, "bytes"),
  service: VFS,
  write: (vfs: Vfs, v) => int(v, (n) => ((vfs.dirty.dirtyBackgroundBytes = n), (vfs.dirty.dirtyBackgroundRatio = 0), 0)),
  read: (vfs: Vfs) => `${vfs.dirty.dirtyBackgroundBytes}\n`,
});

/** vm.dirty_ratio: 0..100; a write clears dirty_bytes. */
export const dirtyRatioSysctl = defineSysctl({
  dir: "vm",
  procname: "dirty_ratio",
  type: "integer 0..100",
  doc: "percent of dirtyable memory at which a writing task is throttled (a write clears dirty_bytes)",
  parse: (v) => parseSysctlInt(v, 0, 100, "percent"),
  service: VFS,
  write: (vfs: Vfs, v) => int(v, (n) => ((vfs.dirty.dirtyRatio = n), (vfs.dirty.dirtyBytes = 0), 0)),
  read: (vfs: Vfs) => `${vfs.dirty.dirtyRatio}\n`,
});

/** vm.dirty_bytes: ≥ 2 pages (dirty_bytes_min); a write clears dirty_ratio. */
export const dirtyBytesSysctl = defineSysctl({
  dir: "vm",
  procname: "dirty_bytes",
  type: `integer ≥ ${2 * PAGE_SIZE}`,
  doc: "bytes of dirty memory at which a writing task is throttled, instead of the ratio (a write clears dirty_ratio)",
  parse: (v) => parseSysctlInt(v, 2 * PAGE_SIZE, ULONG_MAX_SAFE, "bytes (at least two pages)"),
  service: VFS,
  write: (vfs: Vfs, v) => int(v, (n) => ((vfs.dirty.dirtyBytes = n), (vfs.dirty.dirtyRatio = 0), 0)),
  read: (vfs: Vfs) => `${vfs.dirty.dirtyBytes}\n`,
});

/** vm.dirty_writeback_centisecs: proc_dointvec (≥ 0 here). */
export const dirtyWritebackCentisecsSysctl = defineSysctl({
  dir: "vm",
  procname: "dirty_writeback_centisecs",
  type: "integer ≥ 0",
  doc: "interval of the flusher threads' periodic writeback, in centiseconds (0: off)",
  parse: (v) => parseSysctlInt(v, 0, INT_MAX, "centiseconds"),
  service: VFS,
  write: (vfs: Vfs, v) =>
    int(v, (n) => {
      const old = vfs.dirty.dirtyWritebackCentisecs;
      vfs.dirty.dirtyWritebackCentisecs = n;
      // dirty_writeback_centisecs_handler: a new non-zero interval wakes the flushers (wakeup_flusher_threads(WB_REASON_PERIODIC))
      if (n !== 0 && n !== old) vfs.disk?.wakeupFlusher();
      return 0;
    }),
  read: (vfs: Vfs) => `${vfs.dirty.dirtyWritebackCentisecs}\n`,
});

/** vm.dirty_expire_centisecs: proc_dointvec_minmax, ≥ 0. */
export const dirtyExpireCentisecsSysctl = defineSysctl({
  dir: "vm",
  procname: "dirty_expire_centisecs",
  type: "integer ≥ 0",
  doc: "age in centiseconds after which dirty data is written back by the flusher threads",
  parse: (v) => parseSysctlInt(v, 0, INT_MAX, "centiseconds"),
  service: VFS,
  write: (vfs: Vfs, v) => int(v, (n) => ((vfs.dirty.dirtyExpireCentisecs = n), 0)),
  read: (vfs: Vfs) => `${vfs.dirty.dirtyExpireCentisecs}\n`,
});

/** vm.dirtytime_expire_seconds: proc_doulongvec_minmax, ≥ 0. */
export const dirtytimeExpireSecondsSysctl = defineSysctl({
  dir: "vm",
  procname: "dirtytime_expire_seconds",
  type: "integer ≥ 0",
  doc: "age in seconds after which lazily updated inode times are written back",
  parse: (v) => parseSysctlInt(v, 0, ULONG_MAX_SAFE, "seconds"),
  service: VFS,
  write: (vfs: Vfs, v) => int(v, (n) => ((vfs.dirty.dirtytimeExpireSeconds = n), 0)),
  read: (vfs: Vfs) => `${vfs.dirty.dirtytimeExpireSeconds}\n`,
});

export const FILEMAP_SYSCTLS = Object.freeze([
  dropCachesSysctl, dirtyBackgroundRatioSysctl, dirtyBackgroundBytesSysctl, dirtyRatioSysctl, dirtyBytesSysctl, dirtyWritebackCentisecsSysctl,
  dirtyExpireCentisecsSysctl, dirtytimeExpireSecondsSysctl,
]);
