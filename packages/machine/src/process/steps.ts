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
  describeValue, hasBuffer, int, sizeField, str, z,
} from "@mmsim/core";
import { ACCESS_READ, ACCESS_USER, ACCESS_WRITE, MMU, WalkOut } from "@mmsim/hw-arm64";
import {
  ACCESS_PATTERN_KINDS, AccessPattern, type AccessPatternKind, CONTENT_ZERO_ID, FAULT_HANDLED, FAULT_OOM, FAULT_SIGBUS, SEGV_ACCERR, SEGV_MAPERR, contentFill, contentText,
} from "@mmsim/fault";
import {
  MADV_COLD, MADV_DODUMP, MADV_DOFORK, MADV_DONTDUMP, MADV_DONTFORK, MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_KEEPONFORK, MADV_MERGEABLE,
  MADV_NOHUGEPAGE, MADV_NORMAL, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_RANDOM, MADV_SEQUENTIAL, MADV_UNMERGEABLE,
  MADV_WILLNEED, MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_LOCKED, MAP_NORESERVE, MAP_POPULATE,
  MAP_PRIVATE, MAP_SHARED, MAP_STACK, MLOCK_ONFAULT, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, PROT_EXEC, PROT_NONE, PROT_READ,
  PROT_WRITE, SIGKILL, SIGSEGV, staticElfImage, sysBrk, sysMadvise, sysMlock2, sysMmap, sysMprotect, sysMremap, sysMunlock, sysMunmap,
  CHUNK_HEADER, GlibcMalloc, MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, type MmStruct, sysMlockall, sysMunlockall,
} from "@mmsim/vma";
import { kernelAccess } from "../steps/user.ts";
import { FILE_STEPS, checkFd, fdField, fileMmap } from "./file-steps.ts";
import { MIGRATE_STEPS } from "./migrate-steps.ts";
import { MMAP_FAMILY, type MmapHandle, SYSCALLS, type SyscallRecord, current, errnoField, outcome } from "./syscall.ts";

export { MMAP_FAMILY, SYSCALLS, current, errnoField, outcome };
export type { MmapHandle, SyscallRecord };
import { TASK_ENGINE } from "../task-api.ts";
import { userAbort } from "./show-signal.ts";
import type { Processes } from "./processes.ts";

/** The handle family of tasks (fork and spawn name them). */
const TASK_FAMILY = "task";

/** The names the access step gives the current task's stack and brk heap. */
const STACK = "[stack]";
const HEAP = "[heap]";

/** A named task. */
interface TaskHandle extends Handle {
  readonly pid: number;
}

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

/** What every range syscall step has: the mapping, the range inside it, the errno expected. */
interface RangeFields {
  readonly as: string;
  readonly offset?: number;
  readonly size?: number;
  readonly errno?: string;
}

const rangeFields = {
  as: str("the name of an earlier mmap"),
  offset: sizeField.optional(),
  size: sizeField.optional(),
  errno: errnoField.optional(),
};

/**
 * The loader's host-cost bound of a range syscall: one that faults in, zaps or pages out the range
 * costs its pages (the loader gives a step without a size the size of the mapping it names).
 */
function rangeCost(step: RangeFields, walksPages: boolean): number {
  return walksPages ? Math.max(1, Math.ceil((step.size ?? PAGE_SIZE) / PAGE_SIZE)) : 1;
}

/**
 * A syscall step on [offset, offset + size) of a named mapping (mprotect, madvise, mlock,
 * munlock): the range fields, the step's own fields, and the call made as the current task.
 */
function rangeSyscallStep<K extends string, D extends RangeFields>(
  kind: K,
  doc: string,
  schema: z.ZodType<D, unknown>,
  call: (p: Processes, mm: MmStruct, start: number, len: number, step: D) => number,
  callName: (step: D) => string = () => kind,
  pagesWalked: (step: D) => boolean = () => false,
) {
  return defineStep({
    kind,
    doc,
    schema,
    make: (d: D, ctx) => ({ ...d, kind, line: ctx.line }),
    cost: (step) => rangeCost(step, pagesWalked(step)),
    check: (step, ctx) => checkMapping(step, ctx),
    run(step, ctx) {
      const { p, task } = current(ctx);
      const { start, len } = rangeOf(ctx, step.as, step.offset, step.size, kind);
      outcome(ctx, task, callName(step), call(p, task.mm!, start, len, step), step.errno);
    },
  });
}

export const mmapStep = defineStep({
  kind: "mmap",
  doc: "- mmap: { as, size, prot: rw, flags: [private], addr, fd, path, offset: 0, errno }   mmap(addr, size, prot, flags) in the current task (flags: shared, private, fixed, fixed_noreplace, populate, noreserve, locked, growsdown, stack); anonymous unless fd (an open's as, or a number) or path (opened for the mapping, closed after it) names a file, mapped from offset; pages appear when touched",
  schema: z.strictObject({
    as: str("a name for the mapping (later steps name it)"),
    size: sizeField,
    prot: protField.default(PROT_READ | PROT_WRITE),
    flags: mapFlagsField.default(MAP_PRIVATE),
    addr: sizeField.optional(),
    fd: fdField.optional(),
    path: str("a file's path", /^\//, "it must start with /").optional(),
    offset: sizeField.optional(),
    errno: errnoField.optional(),
  }),
  make: (d, ctx) => {
    if (d.fd !== undefined && d.path !== undefined) throw ctx.error([], "mmap takes fd or path, not both");
    return { kind: "mmap" as const, line: ctx.line, as: d.as, size: d.size, prot: d.prot, flags: d.flags, addr: d.addr ?? 0, fd: d.fd, path: d.path, offset: d.offset ?? 0, errno: d.errno };
  },
  cost: (step) => ((step.flags & (MAP_POPULATE | MAP_LOCKED)) !== 0 ? Math.max(1, Math.ceil(step.size / PAGE_SIZE)) : 1),
  check(step, ctx) {
    if ((step.flags & (MAP_SHARED | MAP_PRIVATE)) === 0) throw ctx.error(["flags"], "mmap needs shared or private in flags");
    checkFd(step.fd, ctx);
    if (!hasBuffer(ctx, step.as, MMAP_FAMILY)) declareBuffer(ctx, MMAP_FAMILY, step.as);
  },
  run(step, ctx) {
    const { p, task } = current(ctx);
    const r = step.fd === undefined && step.path === undefined
      ? sysMmap(p.mmap, task.mm!, step.addr, step.size, step.prot, step.flags | MAP_ANONYMOUS)
      : fileMmap(ctx, p, task, step.fd, step.path, step.addr, step.size, step.prot, step.flags, step.offset);
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
  doc: "- munmap: { as, offset: 0, size: all, errno }   munmap of a mapping or of [offset, offset + size) inside it (a head or tail unmapped: the name stands for the rest)",
  schema: z.strictObject(rangeFields),
  make: (d, ctx) => ({ kind: "munmap" as const, line: ctx.line, as: d.as, offset: d.offset, size: d.size, errno: d.errno }),
  check: (step, ctx) => checkMapping(step, ctx),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const { h, start, len } = rangeOf(ctx, step.as, step.offset, step.size, "munmap");
    const r = sysMunmap(p.mmap, task.mm!, start, len);
    if (!outcome(ctx, task, "munmap", r, step.errno) || task.pid !== h.pid) return;
    const end = h.start + h.len;
    // The whole mapping gone from its maker's address space: the name is free again. A head or a
    // tail gone: the name stands for what is left (a hole inside leaves the range as it is).
    if (start <= h.start && start + len >= end) ctx.handles.delete(MMAP_FAMILY, step.as);
    else if (start <= h.start && start + len > h.start) {
      h.len = end - (start + len);
      h.start = start + len;
    } else if (start > h.start && start < end && start + len >= end) h.len = start - h.start;
  },
});

export const mprotectStep = rangeSyscallStep(
  "mprotect",
  "- mprotect: { as, offset: 0, size: all, prot, errno }   change the protection of a mapping or part of it (VMAs split and merge as 6.1's)",
  z.strictObject({ ...rangeFields, prot: protField }),
  (p, mm, start, len, step) => sysMprotect(p.mmap, mm, start, len, step.prot),
);

export const mremapStep = defineStep({
  kind: "mremap",
  doc: "- mremap: { as, size, maymove: false, dontunmap: false, to, new_as, errno }   resize a mapping (grow in place, or move with maymove; to: a fixed new address); the name follows the mapping, or with new_as the new range gets that name and as keeps the old one (dontunmap leaves it mapped, empty)",
  schema: z.strictObject({
    as: str("the name of an earlier mmap"),
    new_as: str("a name for the new range (as keeps the old one)").optional(),
    size: sizeField,
    maymove: bool.default(false),
    dontunmap: bool.default(false),
    to: sizeField.optional(),
    errno: errnoField.optional(),
  }),
  make: (d, ctx) => ({ kind: "mremap" as const, line: ctx.line, as: d.as, newAs: d.new_as, size: d.size, maymove: d.maymove, dontunmap: d.dontunmap, to: d.to, errno: d.errno }),
  check(step, ctx) {
    checkMapping(step, ctx);
    if (step.newAs !== undefined && !hasBuffer(ctx, step.newAs, MMAP_FAMILY)) declareBuffer(ctx, MMAP_FAMILY, step.newAs);
  },
  run(step, ctx) {
    const { p, task } = current(ctx);
    const { h } = rangeOf(ctx, step.as, 0, undefined, "mremap");
    const flags = (step.maymove ? MREMAP_MAYMOVE : 0) | (step.dontunmap ? MREMAP_DONTUNMAP : 0) | (step.to !== undefined ? MREMAP_FIXED | MREMAP_MAYMOVE : 0);
    const r = sysMremap(p.mmap, task.mm!, h.start, h.len, step.size, flags, step.to ?? 0);
    if (!outcome(ctx, task, "mremap", r, step.errno)) return;
    const len = Math.ceil(step.size / PAGE_SIZE) * PAGE_SIZE;
    if (step.newAs !== undefined) {
      const n: MmapHandle = {
        pid: task.pid, start: r, len, line: step.line,
        buffers: (): HandleBuffer[] => [{ kind: "mmap (user memory)", space: "user", addr: n.start, size: n.len }],
      };
      ctx.handles.set(MMAP_FAMILY, step.newAs, n);
    } else if (task.pid === h.pid) {
      h.start = r;
      h.len = len;
    }
  },
});

export const madviseStep = defineStep({
  kind: "madvise",
  doc: "- madvise: { as, offset: 0, size: all, advice, stride, errno }   advice: dontneed, free, willneed, cold, pageout, populate_read, populate_write, hugepage, nohugepage, dontfork, wipeonfork, mergeable, …; with stride, the call is made on [offset + k·stride, + size) for k = 0, 1, … while that lies in the mapping, as a program's loop of madvise calls would (every other page: size 4K, stride 8K); the syscall log records the first error, or one success",
  schema: z.strictObject({ ...rangeFields, advice: adviceField, stride: sizeField.optional() }),
  make: (d, ctx) => ({ ...d, kind: "madvise" as const, line: ctx.line }),
  // With a stride, one call's pages (the number of calls depends on the mapping, known at run time).
  cost: (step) => rangeCost(step, PAGE_WALKING_ADVICE.has(step.advice)),
  check(step, ctx) {
    checkMapping(step, ctx);
    if (step.stride === undefined) return;
    if (step.size === undefined || step.size <= 0) throw ctx.error(["size"], "madvise with stride needs the size of each call (e.g. size: 4K, stride: 8K)");
    if (step.stride < step.size) throw ctx.error(["stride"], `stride ${step.stride} is below size ${step.size}: the calls would overlap (stride ≥ size)`);
  },
  run(step, ctx) {
    const { p, task } = current(ctx);
    const { h, start, len } = rangeOf(ctx, step.as, step.offset, step.size, "madvise");
    if (step.stride === undefined) {
      outcome(ctx, task, "madvise", sysMadvise(p.mmap, task.mm!, start, len, step.advice), step.errno);
      return;
    }
    const end = h.start + h.len;
    for (let s = start; s + len <= end; s += step.stride) {
      const r = sysMadvise(p.mmap, task.mm!, s, len, step.advice);
      if (r < 0) {
        outcome(ctx, task, "madvise", r, step.errno);
        return;
      }
    }
    outcome(ctx, task, "madvise", 0, step.errno);
  },
});

/** The advice that walks the range's pages (fault in, zap, deactivate, page out). */
const PAGE_WALKING_ADVICE: ReadonlySet<number> = new Set([MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE]);

export const mlockStep = rangeSyscallStep(
  "mlock",
  "- mlock: { as, offset: 0, size: all, onfault: false, errno }; munlock: { as, offset, size }   lock pages in memory (mlock2 MLOCK_ONFAULT with onfault)",
  z.strictObject({ ...rangeFields, onfault: bool.default(false) }),
  (p, mm, start, len, step) => sysMlock2(p.mmap, mm, start, len, step.onfault ? MLOCK_ONFAULT : 0),
  (step) => (step.onfault ? "mlock2" : "mlock"),
  (step) => !step.onfault, // mlock populates the range
);

export const munlockStep = rangeSyscallStep("munlock", "", z.strictObject(rangeFields), (p, mm, start, len) => sysMunlock(p.mmap, mm, start, len));

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

/** 2^64 as a BigInt, and the lowest TTBR1 (kernel) address with 48-bit VAs. */
const U64 = 2n ** 64n;
const KERNEL_VA_MIN = U64 - 2n ** 48n;

/** A user-space address as hex: a negative Va is a TTBR1 address, printed as its 64-bit value. */
export function userAddr(va: number): string {
  return (va < 0 ? BigInt(va) + U64 : BigInt(va)).toString(16);
}

/** An absolute address: a number or a "0x…" string; a kernel (TTBR1) one becomes a negative Va. */
const addressField = checked<number>((v) => {
  let a: bigint;
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) a = BigInt(v);
  else if (typeof v === "string" && /^(0[xX][0-9a-fA-F]{1,16}|[0-9]+)$/.test(v.trim())) a = BigInt(v.trim());
  else return `expected an address (a number, or hex such as 0x10 or 0xffff000008000000), got ${describeValue(v)}`;
  if (a < 2n ** 48n) return { ok: Number(a) };
  if (a >= KERNEL_VA_MIN && a < U64) return { ok: Number(a - U64) };
  return `0x${a.toString(16)} is not a canonical 48-bit address (user: below 0x1000000000000; kernel: 0xffff000000000000 and up)`;
});

const CONTENTS = Object.freeze(["zero", "fill", "random", "text"] as const);

export const accessStep = defineStep({
  kind: "access",
  doc: "- access: { as | at, write: false, pattern: sequential, pages: all, offset: 0, size: all, stride, theta, content: zero, value, compress, times: 1, cpu }   touch pages of a buffer (user mappings through the fault path; kernel buffers through the MMU); as: \"[stack]\" touches the current task's stack, size bytes (4K) ending offset bytes below the stack top: below the [stack] VMA it grows (expand_stack) up to RLIMIT_STACK and the stack_guard_gap, past them SIGSEGV; as: \"[heap]\" touches the brk heap from its start (offset, size: up to the break); at: an absolute address (0x10, 0xffff000008000000) touches size bytes (4K) from it as a raw pointer would (no VMA or a kernel address: SIGSEGV)",
  schema: z.strictObject({
    as: str("the name of an earlier kmalloc, vmalloc, kvmalloc, mmap or malloc, or \"[stack]\" or \"[heap]\"").optional(),
    at: addressField.optional(),
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
  make: (d, ctx) => ({ kind: "access" as const, line: ctx.line, ...d, as: d.as ?? (d.at === undefined ? "" : `0x${userAddr(d.at)}`) }),
  cost: (step) => (step.pages ?? Math.max(1, Math.ceil((step.size ?? PAGE_SIZE) / PAGE_SIZE))) * step.times,
  check(step, ctx) {
    if (step.cpu !== undefined) ctx.checkCpu(step.cpu, ["cpu"]);
    if (step.at !== undefined) {
      if (step.as !== `0x${userAddr(step.at)}`) throw ctx.error(["at"], `give "as" (a buffer's name) or "at" (an address), not both`);
      if (step.pattern !== "sequential" || step.pages !== undefined || step.offset !== undefined) throw ctx.error(["at"], `an access "at" an address touches size bytes (4K) from it in order: pattern, pages and offset are for named buffers`);
      return;
    }
    if (step.as === "") throw ctx.error(["as"], `an access needs "as" (a buffer's name, "${STACK}" or "${HEAP}") or "at" (an address, e.g. 0x10)`);
    if (step.as !== STACK && step.as !== HEAP && !hasBuffer(ctx, step.as)) throw ctx.error(["as"], `"${step.as}" names no buffer allocated before this step (kmalloc, vmalloc, kvmalloc, mmap or malloc), nor "${STACK}" or "${HEAP}"`);
  },
  run(step, ctx) {
    if (step.at !== undefined) {
      rawAccess(step, step.at, ctx);
      return;
    }
    if (step.as === STACK) {
      stackAccess(step, ctx);
      return;
    }
    if (step.as === HEAP) {
      heapAccess(step, ctx);
      return;
    }
    const user = ctx.handles.get<MmapHandle>(MMAP_FAMILY, step.as);
    if (user === undefined) {
      kernelAccess(step, ctx);
      return;
    }
    const off = Math.floor((step.offset ?? 0) / PAGE_SIZE) * PAGE_SIZE;
    const len = Math.ceil((step.size ?? user.len - off) / PAGE_SIZE) * PAGE_SIZE;
    if (len <= 0) throw ctx.error(`access ${step.as}`, `offset ${step.offset} is past the end of "${step.as}" (${user.len} bytes)`);
    userAccessRange(step, ctx, user.start + off, len);
  },
});

type AccessStep = Parameters<typeof accessStep.run>[0];

/**
 * `access` of `[stack]`: [top − offset − size, top − offset), `top` being the end of the stack
 * VMA (the one holding mm->start_stack; it does not move as the stack grows down). A touch below
 * the VMA grows it through the fault path's expand_stack (stack_guard_gap, RLIMIT_STACK); past
 * them it is SIGSEGV (SEGV_MAPERR).
 */
function stackAccess(step: AccessStep, ctx: StepRunContext): void {
  const { task } = current(ctx);
  const mm = task.mm!;
  const vma = mm.mt.lookup(mm.startStack);
  if (vma === null) throw ctx.error(`access ${STACK}`, `pid ${task.pid} has no stack VMA at mm->start_stack 0x${mm.startStack.toString(16)} (it was unmapped)`);
  const below = Math.ceil((step.offset ?? 0) / PAGE_SIZE) * PAGE_SIZE;
  const len = Math.ceil((step.size ?? PAGE_SIZE) / PAGE_SIZE) * PAGE_SIZE;
  const start = vma.vmEnd - below - len;
  if (start < 0) throw ctx.error(`access ${STACK}`, `offset + size (${below + len} bytes) reach below address 0`);
  userAccessRange(step, ctx, start, len);
}

/** `access` of `[heap]`: [start_brk + offset, start_brk + offset + size) (size: up to the break). */
function heapAccess(step: AccessStep, ctx: StepRunContext): void {
  const mm = current(ctx).task.mm!;
  const off = Math.floor((step.offset ?? 0) / PAGE_SIZE) * PAGE_SIZE;
  const len = Math.ceil((step.size ?? mm.brk - mm.startBrk - off) / PAGE_SIZE) * PAGE_SIZE;
  if (len <= 0) throw ctx.error(`access ${HEAP}`, `offset ${off} is at or past the break (the heap is ${mm.brk - mm.startBrk} bytes): brk grow first`);
  userAccessRange(step, ctx, mm.startBrk + off, len);
}

/**
 * `access` at an absolute address: the current task's loads or stores at `at`, `at` + 4K, … for
 * size bytes (one page by default), as a program's raw pointer would make them: through the MMU
 * and do_page_fault, wherever they land (no VMA: SIGSEGV SEGV_MAPERR; a kernel address: the walk
 * of TTBR1 refuses EL0, do_page_fault finds no VMA: SEGV_MAPERR, as the capture shows).
 */
function rawAccess(step: AccessStep, at: number, ctx: StepRunContext): void {
  const n = Math.max(1, Math.ceil((step.size ?? PAGE_SIZE) / PAGE_SIZE));
  const access = step.write ? ACCESS_WRITE : ACCESS_READ;
  const content = accessContent(step);
  const cpu = step.cpu ?? ctx.cpu;
  for (let t = 0; t < step.times; t++)
    for (let i = 0; i < n; i++) {
      const c = content === -1 ? contentFill(1 + ctx.workloadRng.below(0xfffffffe)) : content;
      if (!userTouch(ctx, cpu, at + i * PAGE_SIZE, access, c, `access at 0x${userAddr(at)}`)) return;
    }
}

/** A store's content identity for one access (-1: a fresh random value per page). */
function accessContent(step: AccessStep): number {
  if (!step.write) return CONTENT_ZERO_ID;
  switch (step.content) {
    case "fill":
      return contentFill(step.value ?? 0);
    case "text":
      return contentText(step.value ?? 0, step.compress ?? 0.5);
    case "random":
      return -1;
    default:
      return CONTENT_ZERO_ID;
  }
}

/** The current task's loads or stores over [start, start + len) in the step's pattern, through the MMU and the fault path. */
function userAccessRange(step: AccessStep, ctx: StepRunContext, start: number, len: number): void {
  const pattern = new AccessPattern(step.pattern, start, len, ctx.workloadRng, { stride: step.stride, theta: step.theta });
  const n = (step.pages ?? pattern.pages) * step.times;
  const access = step.write ? ACCESS_WRITE : ACCESS_READ;
  const content = accessContent(step);
  const cpu = step.cpu ?? ctx.cpu;
  for (let i = 0; i < n; i++) {
    const va = pattern.next();
    const c = content === -1 ? contentFill(1 + ctx.workloadRng.below(0xfffffffe)) : content;
    if (!userTouch(ctx, cpu, va, access, c, `access ${step.as}`)) return;
  }
}

/**
 * One load or store of the current task at `va`: the MMU first (TLB, then a walk of the task's
 * tables); a fault goes to do_page_fault, which handles it and retries the access. SIGSEGV and
 * SIGBUS kill the task (arm64_force_sig_fault with no handler).
 * @returns false when the task died of it
 */
export function userTouch(ctx: StepRunContext, cpu: number, va: number, access: number, content: number, what: string): boolean {
  const { p, task } = current(ctx);
  const hw = ctx.resolve(MMU);
  const out = ctx.state("access.out", () => new WalkOut());
  // an EL0 access: the walk checks the descriptors' EL0 permissions (AP[1], UXN)
  const mmuFault = hw.translate(cpu, va, access | ACCESS_USER, out);
  if (mmuFault === 0) {
    if (access === ACCESS_WRITE) p.memory.contents.set(Math.floor(out.pa / PAGE_SIZE), content);
    return true;
  }
  // the data abort the MMU raised (its kind and level make the ESR a fatal signal's log line shows)
  const mmuLevel = out.faultLevel;
  const flt = task.minFlt + task.majFlt;
  let r = p.fault.userAccess(task, va, access, content);
  // pagefault_out_of_memory(): no fatal signal (the OOM killer killed another task) → the fault is retried once more.
  if (r === FAULT_OOM && !p.fatalSignalPending(task.pid)) r = p.fault.userAccess(task, va, access, content);
  // Each fault taken (the exception, do_page_fault, handle_mm_fault) costs its fixed part; a
  // SIGSEGV took the exception too.
  ctx.advanceClock(ctx.resolve(COST_MODEL).faultEntry * Math.max(1, task.minFlt + task.majFlt - flt));
  // A SIGKILL (the OOM killer chose this task) is delivered on the way back to user space.
  if (p.fatalSignalPending(task.pid)) {
    ctx.state(SYSCALLS, (): SyscallRecord[] => []).push({ step: ctx.index, pid: task.pid, call: "access", result: `SIGKILL at 0x${userAddr(va)}` });
    ctx.resolve(TASK_ENGINE).exitCurrent(SIGKILL);
    return false;
  }
  if (r === FAULT_HANDLED) return true;
  if (r === SEGV_MAPERR || r === SEGV_ACCERR) {
    const code = r === SEGV_MAPERR ? "SEGV_MAPERR" : "SEGV_ACCERR";
    p.logSegv(task, code, userAbort(mmuFault, mmuLevel, access === ACCESS_WRITE, va), cpu);
    ctx.state(SYSCALLS, (): SyscallRecord[] => []).push({ step: ctx.index, pid: task.pid, call: "access", result: `SIGSEGV (${code}) at 0x${userAddr(va)}` });
    ctx.resolve(TASK_ENGINE).exitCurrent(SIGSEGV);
    return false;
  }
  if (r === FAULT_SIGBUS) {
    // do_page_fault: VM_FAULT_SIGBUS → arm64_force_sig_fault(SIGBUS, BUS_ADRERR, …): with no
    // handler the task dies of it (an access past the end of a mapped file, a swap-in error entry).
    p.logSigbus(task, userAbort(mmuFault, mmuLevel, access === ACCESS_WRITE, va), cpu);
    ctx.state(SYSCALLS, (): SyscallRecord[] => []).push({ step: ctx.index, pid: task.pid, call: "access", result: `SIGBUS (BUS_ADRERR) at 0x${userAddr(va)}` });
    ctx.resolve(TASK_ENGINE).exitCurrent(SIGBUS);
    return false;
  }
  // FAULT_OOM: the page allocator found no memory for the fault and no OOM killer freed any.
  throw ctx.error(what, `the fault at 0x${va.toString(16)} ran out of memory (VM_FAULT_OOM: no page could be allocated and the OOM killer did not free any); give the machine more memory or swap, or touch fewer pages`);
}

/** SIGBUS (arm64 uses the generic signal numbers). */
const SIGBUS = 7;

export const forkStep = defineStep({
  kind: "fork",
  doc: "- fork: { as, steps: [...] }   the current task forks; the child (named as) runs steps, then exits",
  schema: z.strictObject({ as: str("a name for the child (wait names it)").optional(), steps: z.array(z.unknown()) }),
  make: (d, ctx) => ({ kind: "fork" as const, line: ctx.line, as: d.as, steps: ctx.steps(d.steps, ["steps"]) }),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const pid = p.fork(task);
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
    const image = staticElfImage({ path: step.path, textSize: step.text, dataSize: step.data, bssSize: step.bss, ino: p.inodeOf(step.path) });
    const pid = p.spawn(image, task, [step.path]);
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

export const mallocStep = defineStep({
  kind: "malloc",
  doc: "- malloc: { as, size, errno }   malloc(size) in the current task (glibc's rules: brk heap below the mmap threshold, 128K at first, its own mmap above); it writes the chunk's header (a fault on a new page); access reaches the pages the block spans; one arena per mm, a fork's child inherits it",
  schema: z.strictObject({ as: str("a name for the block (access and malloc_free name it)"), size: sizeField, errno: errnoField.optional() }),
  make: (d, ctx) => ({ kind: "malloc" as const, line: ctx.line, as: d.as, size: d.size, errno: d.errno }),
  cost: () => 2,
  check(step, ctx) {
    if (!hasBuffer(ctx, step.as, MMAP_FAMILY)) declareBuffer(ctx, MMAP_FAMILY, step.as);
  },
  run(step, ctx) {
    const { p, task } = current(ctx);
    const mm = task.mm!;
    const ptr = p.mallocOf(task).malloc(step.size);
    // malloc returns NULL with errno ENOMEM when brk and mmap both refuse.
    if (!outcome(ctx, task, "malloc", ptr === 0 ? -12 : ptr, step.errno)) {
      ctx.failedAlloc(step.as);
      return;
    }
    const chunk = ptr - CHUNK_HEADER;
    const end = Math.ceil((ptr + step.size) / PAGE_SIZE) * PAGE_SIZE;
    const start = Math.floor(ptr / PAGE_SIZE) * PAGE_SIZE;
    const h: MmapHandle = {
      pid: task.pid, start, len: end - start, ptr, line: step.line,
      buffers: (): HandleBuffer[] => [{ kind: "malloc (user memory)", space: "user", addr: h.start, size: h.len }],
    };
    ctx.handles.set(MMAP_FAMILY, step.as, h);
    // glibc's set_head: the chunk's size word (chunk + 8); a heap chunk also writes the header of
    // what follows it (the top chunk's set_head, or the next chunk's PREV_INUSE bit).
    const cpu = ctx.cpu;
    if (!userTouch(ctx, cpu, chunk + 8, ACCESS_WRITE, headerContent(p, mm, chunk + 8, step.size), "malloc")) return;
    const next = chunk + GlibcMalloc.chunkSize(step.size) + 8;
    if (ptr >= mm.startBrk && ptr < mm.brk && next < mm.brk) userTouch(ctx, cpu, next, ACCESS_WRITE, headerContent(p, mm, next, step.size), "malloc");
  },
});

/** What a header store leaves in its page: the page's content if it has one, else the size word's. */
function headerContent(p: Processes, mm: MmStruct, va: number, size: number): number {
  const pfn = p.fault.translate(mm, va, ACCESS_READ);
  return pfn >= 0 ? p.memory.contents.get(pfn) : contentFill(GlibcMalloc.chunkSize(size));
}

export const mallocFreeStep = defineStep({
  kind: "malloc_free",
  doc: "- malloc_free: { as, errno }   free(3) of a malloc'd block (named malloc_free: `free` is the page allocator's step); an mmapped block is munmapped, the heap trims its top past M_TRIM_THRESHOLD; a block freed twice is EINVAL (glibc aborts)",
  schema: z.strictObject({ as: str("the name of an earlier malloc"), errno: errnoField.optional() }),
  make: (d, ctx) => ({ kind: "malloc_free" as const, line: ctx.line, as: d.as, errno: d.errno }),
  check: (step, ctx) => checkMapping(step, ctx),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const h = ctx.handles.get<MmapHandle>(MMAP_FAMILY, step.as);
    if (h === undefined) throw ctx.error(`malloc_free ${step.as}`, `"${step.as}" is not allocated (its malloc failed or never ran)`);
    if (h.ptr === undefined) throw ctx.error(`malloc_free ${step.as}`, `"${step.as}" is an mmap, not a malloc'd block: munmap it`);
    const r = p.mallocOf(task).freePtr(h.ptr);
    if (outcome(ctx, task, "free", r, step.errno) && task.pid === h.pid) ctx.handles.delete(MMAP_FAMILY, step.as);
  },
});

export const mlockallStep = defineStep({
  kind: "mlockall",
  doc: "- mlockall: { current: true, future: false, onfault: false, errno }; munlockall: {}   lock every mapping (MCL_CURRENT populates them), and those made later (MCL_FUTURE)",
  schema: z.strictObject({ current: bool.default(true), future: bool.default(false), onfault: bool.default(false), errno: errnoField.optional() }),
  make: (d, ctx) => ({ kind: "mlockall" as const, line: ctx.line, flags: (d.current ? MCL_CURRENT : 0) | (d.future ? MCL_FUTURE : 0) | (d.onfault ? MCL_ONFAULT : 0), errno: d.errno }),
  run(step, ctx) {
    const { p, task } = current(ctx);
    outcome(ctx, task, "mlockall", sysMlockall(p.mmap, task.mm!, step.flags), step.errno);
  },
});

export const munlockallStep = defineStep({
  kind: "munlockall",
  doc: "",
  schema: z.strictObject({ errno: errnoField.optional() }).default({}),
  make: (d, ctx) => ({ kind: "munlockall" as const, line: ctx.line, errno: d.errno }),
  run(step, ctx) {
    const { p, task } = current(ctx);
    outcome(ctx, task, "munlockall", sysMunlockall(p.mmap, task.mm!), step.errno);
  },
});

export const execStep = defineStep({
  kind: "exec",
  doc: "- exec: { path: /bin/prog, text: 508K, data: 16K, bss: 480K, errno }   execve of a static program in the current task: a new mm laid out as spawn's; the task's next steps run in it (names of the old mm's mappings now point into nothing)",
  schema: z.strictObject({
    path: str("the program's path", /^\//, "it must start with /").default("/bin/prog"),
    text: sizeField.default(0x7f000),
    data: sizeField.default(0x4000),
    bss: sizeField.default(0x78000),
    errno: errnoField.optional(),
  }),
  make: (d, ctx) => ({ kind: "exec" as const, line: ctx.line, path: d.path, text: d.text, data: d.data, bss: d.bss, errno: d.errno }),
  run(step, ctx) {
    const { p, task } = current(ctx);
    const image = staticElfImage({ path: step.path, textSize: step.text, dataSize: step.data, bssSize: step.bss, ino: p.inodeOf(step.path) });
    const r = p.exec(task, image, [step.path]);
    if (!outcome(ctx, task, "execve", r, step.errno)) {
      // Past exec's point of no return the task was killed (SIGSEGV), as 6.1 does.
      if (task.state === "Z (zombie)" || task.state === "X (dead)") ctx.resolve(TASK_ENGINE).exitCurrent(SIGSEGV);
      return;
    }
    // exec_mmap's activate_mm: the new mm on this CPU.
    p.activate(task, ctx.cpu);
  },
});

export const PROCESS_STEPS = Object.freeze([
  accessStep, mmapStep, munmapStep, mprotectStep, mremapStep, madviseStep, mlockStep, munlockStep, mlockallStep, munlockallStep, brkStep, mallocStep, mallocFreeStep,
  forkStep, spawnStep, execStep, exitStep, waitStep, ...FILE_STEPS, ...MIGRATE_STEPS,
] as const);
