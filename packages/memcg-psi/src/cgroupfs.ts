// Kernel: kernel/cgroup/cgroup.c (cgroup_base_files: cgroup.procs, cgroup.controllers, cgroup.subtree_control, cgroup.events), mm/memcontrol.c (memory_files[]: memory.current, min, low, high, max, events, events.local, stat, oom.group, peak, reclaim, swap.*) (v6.1) — the cgroup2 files of /sys/fs/cgroup
/*
 * The cgroup2 hierarchy as files: every online cgroup's directory holds the cgroup core files and,
 * when it has a memory css, memory_files[] (the root only those without CFTYPE_NOT_ON_ROOT:
 * memory.stat, memory.reclaim, memory.numa_stat is not modelled). Only the memory controller is
 * modelled, so cgroup.controllers lists "memory" alone (the reference's root lists cpuset cpu io
 * memory hugetlb pids rdma misc).
 */
import type { FileWriteResult } from "@mmsim/core";
import { type MemCgroup, type MemcgController, PAGE_COUNTER_MAX, pageCounterMemparse, tunable } from "./memcontrol.ts";

/** Where cgroup2 is mounted (systemd's mount point on the reference). */
export const CGROUP_ROOT = "/sys/fs/cgroup";

const CORE_FILES = Object.freeze(["cgroup.controllers", "cgroup.events", "cgroup.procs", "cgroup.subtree_control"] as const);
/** memory_files[] without CFTYPE_NOT_ON_ROOT (what the root shows). */
const ROOT_MEMORY_FILES = Object.freeze(["memory.reclaim", "memory.stat"] as const);
/** memory_files[] and swap_files[] of a non-root memcg, in 6.1's order. */
const MEMORY_FILES = Object.freeze([
  "memory.current", "memory.peak", "memory.min", "memory.low", "memory.high", "memory.max", "memory.events", "memory.events.local", "memory.stat", "memory.oom.group",
  "memory.reclaim", "memory.swap.current", "memory.swap.high", "memory.swap.max", "memory.swap.events",
] as const);

/** The cgroup directory and file name of a path under /sys/fs/cgroup, or null. */
export function splitCgroupPath(path: string): { dir: string; file: string } | null {
  if (!path.startsWith(`${CGROUP_ROOT}/`)) return null;
  const rest = path.slice(CGROUP_ROOT.length);
  const i = rest.lastIndexOf("/");
  return { dir: rest.slice(0, i) === "" ? "/" : rest.slice(0, i), file: rest.slice(i + 1) };
}

/** The files of one cgroup directory. */
export function cgroupFiles(cg: MemCgroup): string[] {
  const names: string[] = [...CORE_FILES];
  if (cg.isRoot) names.push(...ROOT_MEMORY_FILES);
  else if (cg.hasMemory) names.push(...MEMORY_FILES);
  const base = cg.isRoot ? CGROUP_ROOT : `${CGROUP_ROOT}${cg.path}`;
  return names.map((n) => `${base}/${n}`);
}

/** Every file of the hierarchy now. */
export function listCgroupFiles(ctl: MemcgController): string[] {
  return ctl.walk().flatMap((cg) => cgroupFiles(cg));
}

/** Reads one file (undefined when it does not exist). */
export function readCgroupFile(ctl: MemcgController, path: string): string | undefined {
  const sp = splitCgroupPath(path);
  if (sp === null) return undefined;
  const cg = ctl.lookup(sp.dir);
  if (cg === undefined || !cgroupFiles(cg).includes(path)) return undefined;
  const m = cg;
  switch (sp.file) {
    case "cgroup.controllers":
      return cg.hasMemory ? "memory\n" : "\n";
    case "cgroup.subtree_control":
      return cg.subtreeMemory ? "memory\n" : "\n";
    case "cgroup.procs":
      return ctl.tasksOf(cg).map((t) => `${t.pid}\n`).join("");
    case "cgroup.events": {
      const populated = ctl.walk(cg).some((c) => ctl.tasksOf(c).length > 0);
      return `populated ${populated ? 1 : 0}\nfrozen 0\n`;
    }
    case "memory.current":
      return `${m.memory.usage * 4096}\n`;
    case "memory.peak":
      return `${m.memory.watermark * 4096}\n`;
    case "memory.min":
      return tunable(m.memory.min);
    case "memory.low":
      return tunable(m.memory.low);
    case "memory.high":
      return tunable(m.memory.high);
    case "memory.max":
      return tunable(m.memory.max);
    case "memory.events":
    case "memory.events.local": {
      const e = sp.file === "memory.events" ? m.events : m.eventsLocal;
      return `low ${e[0]}\nhigh ${e[1]}\nmax ${e[2]}\noom ${e[3]}\noom_kill ${e[4]}\noom_group_kill ${e[5]}\n`;
    }
    case "memory.stat":
      return ctl.memoryStat(m);
    case "memory.oom.group":
      return `${m.oomGroup}\n`;
    case "memory.reclaim":
      return ""; // write-only (0200): mmsim shows it empty
    case "memory.swap.current":
      return `${m.swap.usage * 4096}\n`;
    case "memory.swap.high":
      return tunable(m.swapHigh);
    case "memory.swap.max":
      return tunable(m.swap.max);
    case "memory.swap.events":
      return `high ${m.events[6]}\nmax ${m.events[7]}\nfail ${m.events[8]}\n`;
  }
  return undefined;
}

const ERRNO: Readonly<Record<number, string>> = { [-1]: "EPERM", [-2]: "ENOENT", [-3]: "ESRCH", [-11]: "EAGAIN", [-16]: "EBUSY", [-22]: "EINVAL" };

/** `echo value > path`. */
export function writeCgroupFile(ctl: MemcgController, path: string, value: string): FileWriteResult {
  const sp = splitCgroupPath(path);
  const cg = sp === null ? undefined : ctl.lookup(sp.dir);
  if (sp === null || cg === undefined || !cgroupFiles(cg).includes(path)) return `no such file: ${path} (mkdir the cgroup first with a cgroup_mkdir step; memory.* files need "+memory" in the parent's cgroup.subtree_control)`;
  const fail = (err: number, why: string): string => `${path}: write of "${value.trim()}" fails with ${ERRNO[err] ?? err}: ${why}`;
  const pages = (): number | null => pageCounterMemparse(value, "max");
  switch (sp.file) {
    case "cgroup.procs": {
      const r = ctl.attach(cg, value);
      if (r === -16) return fail(r, "the cgroup has controllers in its cgroup.subtree_control (cgroup v2's no-internal-process rule): move the task into a leaf cgroup");
      if (r !== 0) return fail(r, "write a live task's pid (0 = the writing task)");
      return 0;
    }
    case "cgroup.subtree_control": {
      const r = ctl.subtreeControl(cg, value);
      if (r === -16) return fail(r, "the cgroup has tasks (move them to a child first), or a child still enables memory");
      if (r !== 0) return fail(r, 'write "+memory" or "-memory" (the only controller mmsim models), with memory enabled in the parent');
      return 0;
    }
    case "memory.oom.group": {
      const v = value.trim();
      if (v !== "0" && v !== "1") return fail(-22, "write 0 or 1");
      cg.oomGroup = Number(v);
      return 0;
    }
    case "memory.reclaim": {
      const n = pageCounterMemparse(value, "");
      if (n === null) return fail(-22, "write a size in bytes (K, M, G suffixes allowed)");
      const r = ctl.proactiveReclaim(cg, n);
      return r === 0 ? 0 : fail(r, "reclaim could not free that much (MAX_RECLAIM_RETRIES passes reclaimed nothing)");
    }
  }
  const n = pages();
  if (n === null) return fail(-22, 'write "max" or a size in bytes (K, M, G suffixes allowed)');
  switch (sp.file) {
    case "memory.min":
      ctl.setMin(cg, n);
      return 0;
    case "memory.low":
      ctl.setLow(cg, n);
      return 0;
    case "memory.high":
      ctl.setHigh(cg, n);
      return 0;
    case "memory.max":
      ctl.setMax(cg, n);
      return 0;
    case "memory.swap.high":
      cg.swapHigh = n;
      return 0;
    case "memory.swap.max":
      ctl.setSwapMax(cg, n);
      return 0;
  }
  return fail(-22, "the file is read-only");
}

export { PAGE_COUNTER_MAX };
