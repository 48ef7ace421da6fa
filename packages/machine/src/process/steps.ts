// Kernel: kernel/fork.c, kernel/exit.c, fs/exec.c, mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c, mm/mlock.c, arch/arm64/mm/fault.c (v6.1) — the workload's process steps: tasks and their syscalls, user memory touched through the fault path
/*
 * Each step runs as the current task (the one the task engine is running), as the syscall of
 * the same name would. A call the kernel refuses returns its errno and the scenario goes on:
 * the step records it (`errno` in the step says which one is expected; a different outcome is a
 * failed expectation). Mappings are named (`as`); a name stands for an address range, so after
 * a fork the child reaches the same range of its own copy of the address space. An access that
 * the kernel answers with SIGSEGV kills the task (init's death panics the kernel, as 6.1 does).
 */
import {
  COST_MODEL, type Handle, type HandleBuffer, MAX_REPEAT, PAGE_SIZE, type StepCheckContext, type StepRunContext, bool, checked, declareBuffer, defineStep,
  describeValue, errname, hasBuffer, int, sizeField, str, z,
} from "@mmsim/core";
import { ACCESS_READ, ACCESS_WRITE, MMU, WalkOut } from "@mmsim/hw-arm64";
import {
  ACCESS_PATTERN_KINDS, AccessPattern, type AccessPatternKind, CONTENT_ZERO_ID, FAULT_HANDLED, SEGV_ACCERR, SEGV_MAPERR, contentFill, contentText,
} from "@mmsim/fault";
import {
  MADV_COLD, MADV_DODUMP, MADV_DOFORK, MADV_DONTDUMP, MADV_DONTFORK, MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_KEEPONFORK, MADV_MERGEABLE,
  MADV_NOHUGEPAGE, MADV_NORMAL, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_RANDOM, MADV_SEQUENTIAL, MADV_UNMERGEABLE,
  MADV_WILLNEED, MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_LOCKED, MAP_NORESERVE, MAP_POPULATE,
  MAP_PRIVATE, MAP_SHARED, MAP_STACK, MLOCK_ONFAULT, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, PROT_EXEC, PROT_NONE, PROT_READ,
  PROT_WRITE, SIGSEGV, type TaskStruct, staticElfImage, sysBrk, sysMadvise, sysMlock2, sysMmap, sysMprotect, sysMremap, sysMunlock, sysMunmap,
} from "@mmsim/vma";
import { kernelAccess } from "../steps/user.ts";
import { TASK_ENGINE } from "../task-api.ts";
import { PROCESSES } from "./token.ts";

/** The handle family of user mappings. */
export const MMAP_FAMILY = "mmap";
/** The handle family of tasks (fork and spawn name them). */
const TASK_FAMILY = "task";

/** A named mapping: where it is in the address space of the task that made it (and of its children after a fork). */
export interface MmapHandle extends Handle {
  readonly pid: number;
  start: number;
  len: number;
}

/** A named task. */
interface TaskHandle extends Handle {
  readonly pid: number;
}

/** A syscall outcome a step recorded: the step, the call and its result. */
export interface SyscallRecord {
  readonly step: number;
  readonly pid: number;
  readonly call: string;
  readonly result: string;
}
export const SYSCALLS = "process.syscalls";

const ERRNOS = Object.freeze(["EINVAL", "ENOMEM", "EEXIST", "EFAULT", "EAGAIN", "EPERM", "EACCES", "EBUSY", "ECHILD", "ENODEV", "EOVERFLOW"] as const);
const errnoField = checked<string>((v) => (typeof v === "string" && (ERRNOS as readonly string[]).includes(v) ? { ok: v } : `expected one of ${ERRNOS.join(", ")}, got ${describeValue(v)}`));

/** prot: "rw", "r", "rx", "rwx", "none", … */
const protField = checked<number>((v) => {
  if (v === "none") return { ok: PROT_NONE };
  if (typeof v !== "string" || !/^r?w?x?$/.test(v) || v === "") return `expected a protection like "rw", "r", "rx" or "none", got ${describeValue(v)}`;
  return { ok: (v.includes("r") ? PROT_READ : 0) | (v.includes("w") ? PROT_WRITE : 0) | (v.includes("x") ? PROT_EXEC : 0) };
});

const MAP_FLAG_NAMES: Readonly<Record<string, number>> = Object.freeze({
  shared: MAP_SHARED, private: MAP_PRIVATE, fixed: MAP_FIXED, fixed_noreplace: MAP_FIXED_NOREPLACE, populate: MAP_POPULATE,
  noreserve: MAP_NORESERVE, locked: MAP_LOCKED, growsdown: MAP_GROWSDOWN, stack: MAP_STACK,
});
const mapFlagsField = checked<number>((v) => {
  const names = typeof v === "string" ? [v] : v;
  if (!Array.isArray(names)) return `expected a list of flags (${Object.keys(MAP_FLAG_NAMES).join(", ")}), got ${describeValue(v)}`;
  let f = 0;
  for (const n of names) {
    const bit = typeof n === "string" ? MAP_FLAG_NAMES[n] : undefined;
    if (bit === undefined) return `unknown mmap flag ${describeValue(n)}; known: ${Object.keys(MAP_FLAG_NAMES).join(", ")}`;
    f |= bit;
  }
  return { ok: f };
});

const ADVICE: Readonly<Record<string, number>> = Object.freeze({
  normal: MADV_NORMAL, random: MADV_RANDOM, sequential: MADV_SEQUENTIAL, willneed: MADV_WILLNEED, dontneed: MADV_DONTNEED, free: MADV_FREE,
  dontfork: MADV_DONTFORK, dofork: MADV_DOFORK, mergeable: MADV_MERGEABLE, unmergeable: MADV_UNMERGEABLE, hugepage: MADV_HUGEPAGE,
  nohugepage: MADV_NOHUGEPAGE, dontdump: MADV_DONTDUMP, dodump: MADV_DODUMP, wipeonfork: MADV_WIPEONFORK, keeponfork: MADV_KEEPONFORK,
  cold: MADV_COLD, pageout: MADV_PAGEOUT, populate_read: MADV_POPULATE_READ, populate_write: MADV_POPULATE_WRITE,
});
const adviceField = checked<number>((v) => (typeof v === "string" && ADVICE[v] !== undefined ? { ok: ADVICE[v] } : `expected one of ${Object.keys(ADVICE).join(", ")}, got ${describeValue(v)}`));

/** The current task and the machine's process mechanisms. */
function current(ctx: StepRunContext) {
  const p = ctx.resolve(PROCESSES);
  return { p, task: p.current };
}

/** Records a syscall's outcome; checks it against the step's expected errno. @returns true when it succeeded */
function outcome(ctx: StepRunContext, task: TaskStruct, call: string, r: number, expected: string | undefined): boolean {
  const ok = r >= 0;
  const result = ok ? (r > 0xffff ? `0x${r.toString(16)}` : String(r)) : errname(r);
  ctx.state(SYSCALLS, (): SyscallRecord[] => []).push({ step: ctx.index, pid: task.pid, call, result });
  if (expected !== undefined && result !== `-${expected}`) ctx.failExpect(`${call} in pid ${task.pid}: expected -${expected}, got ${result}`);
  return ok;
}

/** The range [start, start + len) of a named mapping a step names, with offset/size inside it. */
function rangeOf(ctx: StepRunContext, as: string, offset: number | undefined, size: number | undefined, what: string): { h: MmapHandle; start: number; len: number } {
  const h = ctx.handles.get<MmapHandle>(MMAP_FAMILY, as);
  if (h === undefined) throw ctx.error(`${what} ${as}`, `"${as}" is not mapped (its mmap failed or never ran)`);
  const off = offset ?? 0;
  return { h, start: h.start + off, len: size ?? Math.max(0, h.len - off) };
}

function checkMapping(step: { readonly as: string }, ctx: StepCheckContext): void {
  if (!hasBuffer(ctx, step.as, MMAP_FAMILY)) throw ctx.error(["as"], `"${step.as}" names no mapping made before this step (an mmap with that as)`);
}

const rangeFields = {
  as: str("the name of an earlier mmap"),
  offset: sizeField.optional(),
  size: sizeField.optional(),
  errno: errnoField.optional(),
};

export const mmapStep = defineStep({
  kind: "mmap",
  doc: "- mmap: { as, size, prot: rw, flags: [private], addr, errno }   mmap(addr, size, prot, MAP_ANONYMOUS|flags) in the current task (flags: shared, private, fixed, fixed_noreplace, populate, noreserve, locked, growsdown, stack); pages appear when touched",
  schema: z.strictObject({
    as: str("a name for the mapping (later steps name it)"),
    size: sizeField,
    prot: protField.default(PROT_READ | PROT_WRITE),
    flags: mapFlagsField.default(MAP_PRIVATE),
    addr: sizeField.optional(),
    errno: errnoField.optional(),
  }),
  make: (d, ctx) => ({ kind: "mmap" as const, line: ctx.line, as: d.as, size: d.size, prot: d.prot, flags: d.flags, addr: d.addr ?? 0, errno: d.errno }),
  cost: (step) => ((step.flags & (MAP_POPULATE | MAP_LOCKED)) !== 0 ? Math.max(1, Math.ceil(step.size / PAGE_SIZE)) : 1),
  check(step, ctx) {
    if ((step.flags & (MAP_SHARED | MAP_PRIVATE)) === 0) throw ctx.error(["flags"], "mmap needs shared or private in flags");
    if (!hasBuffer(ctx, step.as, MMAP_FAMILY)) declareBuffer(ctx, MMAP_FAMILY, step.as);
  },
  run(step, ctx) {
    const { p, task } = current(ctx);
    const r = sysMmap(p.mmap, task.mm!, step.addr, step.size, step.prot, step.flags | MAP_ANONYMOUS);
    if (!outcome(ctx, task, "mmap", r, step.errno)) {
      ctx.failedAlloc(step.as);
      return;
    }
    const h: MmapHandle = {
      pid: task.pid, start: r, len: Math.ceil(step.size / PAGE_SIZE) * PAGE_SIZE, line: step.line,
      buffers: (): HandleBuffer[] => [{ kind: "mmap (user memory)", space: "user", addr: h.start, size: h.len }],
    };
    ctx.handles.set(MMAP_FAMILY, step.as, h);
  },
});

export const munmapStep = defineStep({
  kind: "munmap",
  doc: "- munmap: { as, offset: 0, size: all, errno }   munmap of a mapping or of [offset, offset + size) inside it",
  schema: z.strictObject(rangeFields),
  make: (d, ctx) => ({ kind: "munmap" as const, line: ctx.line, as: d.as, offset: d.offset, size: d.size, errno: d.errno }),
  check: (step, ctx) => checkMapping(step, ctx),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const { h, start, len } = rangeOf(ctx, step.as, step.offset, step.size, "munmap");
    const r = sysMunmap(p.mmap, task.mm!, start, len);
    // The whole mapping gone from its maker's address space: the name is free again.
    if (outcome(ctx, task, "munmap", r, step.errno) && task.pid === h.pid && start <= h.start && start + len >= h.start + h.len) ctx.handles.delete(MMAP_FAMILY, step.as);
  },
});

export const mprotectStep = defineStep({
  kind: "mprotect",
  doc: "- mprotect: { as, offset: 0, size: all, prot, errno }   change the protection of a mapping or part of it (VMAs split and merge as 6.1's)",
  schema: z.strictObject({ ...rangeFields, prot: protField }),
  make: (d, ctx) => ({ kind: "mprotect" as const, line: ctx.line, as: d.as, offset: d.offset, size: d.size, prot: d.prot, errno: d.errno }),
  check: (step, ctx) => checkMapping(step, ctx),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const { start, len } = rangeOf(ctx, step.as, step.offset, step.size, "mprotect");
    outcome(ctx, task, "mprotect", sysMprotect(p.mmap, task.mm!, start, len, step.prot), step.errno);
  },
});

export const mremapStep = defineStep({
  kind: "mremap",
  doc: "- mremap: { as, size, maymove: false, dontunmap: false, to, errno }   resize a mapping (grow in place, or move with maymove; to: a fixed new address)",
  schema: z.strictObject({
    as: str("the name of an earlier mmap"),
    size: sizeField,
    maymove: bool.default(false),
    dontunmap: bool.default(false),
    to: sizeField.optional(),
    errno: errnoField.optional(),
  }),
  make: (d, ctx) => ({ kind: "mremap" as const, line: ctx.line, as: d.as, size: d.size, maymove: d.maymove, dontunmap: d.dontunmap, to: d.to, errno: d.errno }),
  check: (step, ctx) => checkMapping(step, ctx),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const { h } = rangeOf(ctx, step.as, 0, undefined, "mremap");
    const flags = (step.maymove ? MREMAP_MAYMOVE : 0) | (step.dontunmap ? MREMAP_DONTUNMAP : 0) | (step.to !== undefined ? MREMAP_FIXED | MREMAP_MAYMOVE : 0);
    const r = sysMremap(p.mmap, task.mm!, h.start, h.len, step.size, flags, step.to ?? 0);
    if (outcome(ctx, task, "mremap", r, step.errno) && task.pid === h.pid) {
      h.start = r;
      h.len = Math.ceil(step.size / PAGE_SIZE) * PAGE_SIZE;
    }
  },
});

export const madviseStep = defineStep({
  kind: "madvise",
  doc: "- madvise: { as, offset: 0, size: all, advice, errno }   advice: dontneed, free, willneed, cold, pageout, populate_read, populate_write, hugepage, nohugepage, dontfork, wipeonfork, mergeable, …",
  schema: z.strictObject({ ...rangeFields, advice: adviceField }),
  make: (d, ctx) => ({ kind: "madvise" as const, line: ctx.line, as: d.as, offset: d.offset, size: d.size, advice: d.advice, errno: d.errno }),
  check: (step, ctx) => checkMapping(step, ctx),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const { start, len } = rangeOf(ctx, step.as, step.offset, step.size, "madvise");
    outcome(ctx, task, "madvise", sysMadvise(p.mmap, task.mm!, start, len, step.advice), step.errno);
  },
});

export const mlockStep = defineStep({
  kind: "mlock",
  doc: "- mlock: { as, offset: 0, size: all, onfault: false, errno }; munlock: { as, offset, size }   lock pages in memory (mlock2 MLOCK_ONFAULT with onfault)",
  schema: z.strictObject({ ...rangeFields, onfault: bool.default(false) }),
  make: (d, ctx) => ({ kind: "mlock" as const, line: ctx.line, as: d.as, offset: d.offset, size: d.size, onfault: d.onfault, errno: d.errno }),
  check: (step, ctx) => checkMapping(step, ctx),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const { start, len } = rangeOf(ctx, step.as, step.offset, step.size, "mlock");
    outcome(ctx, task, step.onfault ? "mlock2" : "mlock", sysMlock2(p.mmap, task.mm!, start, len, step.onfault ? MLOCK_ONFAULT : 0), step.errno);
  },
});

export const munlockStep = defineStep({
  kind: "munlock",
  doc: "",
  schema: z.strictObject(rangeFields),
  make: (d, ctx) => ({ kind: "munlock" as const, line: ctx.line, as: d.as, offset: d.offset, size: d.size, errno: d.errno }),
  check: (step, ctx) => checkMapping(step, ctx),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const { start, len } = rangeOf(ctx, step.as, step.offset, step.size, "munlock");
    outcome(ctx, task, "munlock", sysMunlock(p.mmap, task.mm!, start, len), step.errno);
  },
});

export const brkStep = defineStep({
  kind: "brk",
  doc: "- brk: { grow | shrink, errno }   move the program break (the [heap] VMA) by a size",
  schema: z.strictObject({ grow: sizeField.optional(), shrink: sizeField.optional(), errno: errnoField.optional() }),
  make: (d, ctx) => {
    if ((d.grow === undefined) === (d.shrink === undefined)) throw ctx.error([], "brk needs exactly one of grow and shrink");
    return { kind: "brk" as const, line: ctx.line, delta: d.grow ?? -d.shrink!, errno: d.errno };
  },
  run(step, ctx) {
    const { p, task } = current(ctx);
    const mm = task.mm!;
    const want = mm.brk + step.delta;
    const r = sysBrk(p.mmap, mm, want);
    // brk() returns the new break, or the old one when it refuses: ENOMEM for the C library.
    outcome(ctx, task, "brk", r === want ? r : -12, step.errno);
  },
});

const CONTENTS = Object.freeze(["zero", "fill", "random", "text"] as const);

export const accessStep = defineStep({
  kind: "access",
  doc: "- access: { as, write: false, pattern: sequential, pages: all, offset: 0, size: all, stride, theta, content: zero, value, compress, times: 1, cpu }   touch pages of a buffer (user mappings through the fault path; kernel buffers through the MMU)",
  schema: z.strictObject({
    as: str("the name of an earlier kmalloc, vmalloc, kvmalloc or mmap"),
    cpu: int(0, 1 << 20, "a CPU number").optional(),
    write: bool.default(false),
    times: int(1, MAX_REPEAT, "how many passes over the buffer").default(1),
    pattern: checked<AccessPatternKind>((v) => (typeof v === "string" && (ACCESS_PATTERN_KINDS as readonly string[]).includes(v) ? { ok: v as AccessPatternKind } : `expected one of ${ACCESS_PATTERN_KINDS.join(", ")}, got ${describeValue(v)}`)).default("sequential" as AccessPatternKind),
    pages: int(1, 1 << 30, "a number of page accesses").optional(),
    offset: sizeField.optional(),
    size: sizeField.optional(),
    stride: sizeField.optional(),
    theta: z.number().positive().optional(),
    content: checked<(typeof CONTENTS)[number]>((v) => (typeof v === "string" && (CONTENTS as readonly string[]).includes(v) ? { ok: v as (typeof CONTENTS)[number] } : `expected one of ${CONTENTS.join(", ")}, got ${describeValue(v)}`)).default("zero"),
    value: int(0, 0xffffffff, "a 32-bit fill value").optional(),
    compress: z.number().gt(0).lte(1).optional(),
  }),
  make: (d, ctx) => ({ kind: "access" as const, line: ctx.line, ...d }),
  cost: (step) => (step.pages ?? Math.max(1, Math.ceil((step.size ?? PAGE_SIZE) / PAGE_SIZE))) * step.times,
  check(step, ctx) {
    if (step.cpu !== undefined) ctx.checkCpu(step.cpu, ["cpu"]);
    if (!hasBuffer(ctx, step.as)) throw ctx.error(["as"], `"${step.as}" names no buffer allocated before this step (kmalloc, vmalloc, kvmalloc or mmap)`);
  },
  run(step, ctx) {
    const user = ctx.handles.get<MmapHandle>(MMAP_FAMILY, step.as);
    if (user === undefined) {
      kernelAccess(step, ctx);
      return;
    }
    const { p, task } = current(ctx);
    const off = Math.floor((step.offset ?? 0) / PAGE_SIZE) * PAGE_SIZE;
    const len = Math.ceil((step.size ?? user.len - off) / PAGE_SIZE) * PAGE_SIZE;
    if (len <= 0) throw ctx.error(`access ${step.as}`, `offset ${step.offset} is past the end of "${step.as}" (${user.len} bytes)`);
    const pattern = new AccessPattern(step.pattern, user.start + off, len, ctx.workloadRng, { stride: step.stride, theta: step.theta });
    const n = (step.pages ?? pattern.pages) * step.times;
    const access = step.write ? ACCESS_WRITE : ACCESS_READ;
    const hw = ctx.resolve(MMU);
    const cost = ctx.resolve(COST_MODEL);
    const out = ctx.state("access.out", () => new WalkOut());
    const cpu = step.cpu ?? ctx.cpu;
    const content = !step.write ? CONTENT_ZERO_ID : step.content === "fill" ? contentFill(step.value ?? 0) : step.content === "text" ? contentText(step.value ?? 0, step.compress ?? 0.5) : step.content === "random" ? -1 : CONTENT_ZERO_ID;
    for (let i = 0; i < n; i++) {
      const va = pattern.next();
      const c = content === -1 ? contentFill(1 + ctx.workloadRng.below(0xfffffffe)) : content;
      // The MMU first (TLB, then a walk of the task's tables); a fault goes to do_page_fault,
      // which handles it and retries the access.
      if (hw.translate(cpu, va, access, out) === 0) {
        if (step.write) p.memory.contents.set(Math.floor(out.pa / PAGE_SIZE), c);
        continue;
      }
      const flt = task.minFlt + task.majFlt;
      const r = p.fault.userAccess(task, va, access, c);
      // Each fault taken (the exception, do_page_fault, handle_mm_fault) costs its fixed part; a
      // SIGSEGV took the exception too.
      ctx.advanceClock(cost.faultEntry * Math.max(1, task.minFlt + task.majFlt - flt));
      if (r === FAULT_HANDLED) continue;
      if (r === SEGV_MAPERR || r === SEGV_ACCERR) {
        p.logSegv(task, va, r === SEGV_MAPERR ? "SEGV_MAPERR" : "SEGV_ACCERR");
        ctx.state(SYSCALLS, (): SyscallRecord[] => []).push({ step: ctx.index, pid: task.pid, call: "access", result: `SIGSEGV (${r === SEGV_MAPERR ? "SEGV_MAPERR" : "SEGV_ACCERR"}) at 0x${va.toString(16)}` });
        ctx.resolve(TASK_ENGINE).exitCurrent(SIGSEGV);
        return;
      }
      throw ctx.error(`access ${step.as}`, `the fault at 0x${va.toString(16)} ended in ${r} (out of memory or SIGBUS: not simulated yet)`);
    }
  },
});

export const forkStep = defineStep({
  kind: "fork",
  doc: "- fork: { as, steps: [...] }   the current task forks; the child (named as) runs steps, then exits",
  schema: z.strictObject({ as: str("a name for the child (wait names it)").optional(), steps: z.array(z.unknown()) }),
  make: (d, ctx) => ({ kind: "fork" as const, line: ctx.line, as: d.as, steps: ctx.steps(d.steps, ["steps"]) }),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const pid = p.tasks.fork(task);
    if (!outcome(ctx, task, "fork", pid, undefined)) return;
    if (step.as !== undefined) ctx.handles.set(TASK_FAMILY, step.as, { pid, line: step.line, buffers: () => [] } as TaskHandle);
    ctx.resolve(TASK_ENGINE).start(pid, step.steps);
  },
});

export const spawnStep = defineStep({
  kind: "spawn",
  doc: "- spawn: { as, path: /bin/prog, text: 508K, data: 16K, bss: 480K, steps: [...] }   fork + execve of a static program; it runs steps, then exits",
  schema: z.strictObject({
    as: str("a name for the task (wait names it)").optional(),
    path: str("the program's path", /^\//, "it must start with /").default("/bin/prog"),
    text: sizeField.default(0x7f000),
    data: sizeField.default(0x4000),
    bss: sizeField.default(0x78000),
    steps: z.array(z.unknown()),
  }),
  make: (d, ctx) => ({ kind: "spawn" as const, line: ctx.line, as: d.as, path: d.path, text: d.text, data: d.data, bss: d.bss, steps: ctx.steps(d.steps, ["steps"]) }),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const image = staticElfImage({ path: step.path, textSize: step.text, dataSize: step.data, bssSize: step.bss });
    const pid = p.tasks.spawn(image, { parent: task, argv: [step.path] });
    if (!outcome(ctx, task, "spawn", pid, undefined)) return;
    if (step.as !== undefined) ctx.handles.set(TASK_FAMILY, step.as, { pid, line: step.line, buffers: () => [] } as TaskHandle);
    ctx.resolve(TASK_ENGINE).start(pid, step.steps);
  },
});

export const exitStep = defineStep({
  kind: "exit",
  doc: "- exit: { code: 0 }   the current task exits now (its program's end exits it with 0)",
  schema: z.strictObject({ code: int(0, 255, "an exit code").default(0) }),
  make: (d, ctx) => ({ kind: "exit" as const, line: ctx.line, code: d.code }),
  run(step, ctx) {
    ctx.resolve(TASK_ENGINE).exitCurrent(step.code);
  },
});

export const waitStep = defineStep({
  kind: "wait",
  doc: "- wait: { for }   wait for a child (named by fork/spawn's as; any child without for) to exit, and reap it",
  schema: z.strictObject({ for: str("the name of a task forked or spawned before").optional() }),
  make: (d, ctx) => ({ kind: "wait" as const, line: ctx.line, for: d.for }),
  run(step, ctx) {
    const { p, task } = current(ctx);
    let pid = -1;
    if (step.for !== undefined) {
      const h = ctx.handles.get<TaskHandle>(TASK_FAMILY, step.for);
      if (h === undefined) throw ctx.error(`wait ${step.for}`, `"${step.for}" names no task forked or spawned before this step`);
      pid = h.pid;
    }
    const engine = ctx.resolve(TASK_ENGINE);
    const r = p.tasks.wait(task, pid);
    if (typeof r === "number" && r === 0) {
      // Children still running: sleep until one exits (wait4 without WNOHANG), then try again.
      engine.blockAndRetry();
      return;
    }
    // init reaps its children at once (initReaps): a finished child of init is already gone.
    if (typeof r === "number" && r < 0 && pid > 0 && !engine.isRunning(pid)) return;
    outcome(ctx, task, "wait4", typeof r === "number" ? r : r.pid, undefined);
  },
});

export const PROCESS_STEPS = Object.freeze([accessStep, mmapStep, munmapStep, mprotectStep, mremapStep, madviseStep, mlockStep, munlockStep, brkStep, forkStep, spawnStep, exitStep, waitStep] as const);
