// Kernel: kernel/cgroup/cgroup.c (cgroup_mkdir, cgroup_rmdir) (v6.1) — mkdir and rmdir in /sys/fs/cgroup as workload steps
import { checked, defineStep, describeValue } from "@mmsim/core";
import { CGROUP_ROOT } from "./cgroupfs.ts";
import { MEMCG } from "./token.ts";

/** A directory under /sys/fs/cgroup. */
const cgroupDir = checked<string>((v) =>
  typeof v === "string" && v.startsWith(`${CGROUP_ROOT}/`) && v.length > CGROUP_ROOT.length + 1 && !v.endsWith("/") && !v.includes("//")
    ? { ok: v }
    : `expected a directory under ${CGROUP_ROOT}/ (e.g. ${CGROUP_ROOT}/batch), got ${describeValue(v)}`,
);

const ERRNO: Readonly<Record<number, string>> = { [-1]: "EPERM", [-2]: "ENOENT", [-16]: "EBUSY", [-17]: "EEXIST", [-28]: "ENOSPC" };

/** `cgroup_mkdir: /sys/fs/cgroup/a`: mkdir(2) in the cgroup2 hierarchy. Kernel: `cgroup_mkdir()`. */
export const cgroupMkdirStep = defineStep({
  kind: "cgroup_mkdir",
  doc: "- cgroup_mkdir: /sys/fs/cgroup/a   mkdir a cgroup (memory.* files appear when the parent's cgroup.subtree_control has +memory)",
  schema: cgroupDir,
  make: (path, ctx) => ({ kind: "cgroup_mkdir" as const, line: ctx.line, path }),
  run(step, ctx) {
    const r = ctx.resolve(MEMCG).mkdir(step.path.slice(CGROUP_ROOT.length));
    if (typeof r === "number") throw ctx.error(`cgroup_mkdir ${step.path}`, `mkdir fails with ${ERRNO[r] ?? r}: ${r === -2 ? "make the parent cgroup first" : r === -17 ? "the cgroup exists (or the name is a cgroup.*/memory.* file's)" : "no memcg id is left (65535 at most)"}`);
  },
});

/** `cgroup_rmdir: /sys/fs/cgroup/a`. Kernel: `cgroup_rmdir()`. */
export const cgroupRmdirStep = defineStep({
  kind: "cgroup_rmdir",
  doc: "- cgroup_rmdir: /sys/fs/cgroup/a   rmdir an empty cgroup (no tasks, no children); its charged pages keep it as a zombie until freed",
  schema: cgroupDir,
  make: (path, ctx) => ({ kind: "cgroup_rmdir" as const, line: ctx.line, path }),
  run(step, ctx) {
    const r = ctx.resolve(MEMCG).rmdir(step.path.slice(CGROUP_ROOT.length));
    if (r !== 0) throw ctx.error(`cgroup_rmdir ${step.path}`, `rmdir fails with ${ERRNO[r] ?? r}: ${r === -16 ? "the cgroup still has tasks or child cgroups (move the tasks out through the parent's cgroup.procs)" : "no such cgroup"}`);
  },
});

export const MEMCG_STEPS = Object.freeze([cgroupMkdirStep, cgroupRmdirStep]);
