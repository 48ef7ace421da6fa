// Kernel: fs/open.c, fs/read_write.c, fs/sync.c, fs/namei.c, fs/namespace.c, mm/mmap.c (ksys_mmap_pgoff's fget) as the workload calls them (v6.1) — the file syscall steps: open, close, read, write, pread, pwrite, lseek, fsync, fdatasync, ftruncate, truncate, unlink, mkdir, rmdir, mount, umount, and mmap of a file
/*
 * Each step runs as the current task, on its fd table (@mmsim/filemap's VFS), as the syscall of
 * the same name: a call the kernel refuses records its errno (the `errno` field says which one is
 * expected), never a crash. An fd is named by the open that made it (`as`), or given as a number
 * (0, 1, 2 are init's console, inherited by every task); a name stands for the fd number, so a
 * forked child reaches the same file through it.
 *
 * What a write stores is a content identity (the page-contents model of issue 14: zero, fill,
 * random, text), or the content of a user buffer named by `from` (an mmap or malloc: its pages
 * are read through the fault path, as copy_from_user does); a read can land in a named buffer
 * (`into`: its pages are written through the fault path, taking the file pages' content). A
 * fault in such a copy is -EFAULT for the syscall, not a signal. `returns` checks a read's or
 * write's byte count (a short write on a full tmpfs, 0 at EOF).
 */
import {
  COST_MODEL, type Handle, PAGE_SIZE, type StepCheckContext, type StepRunContext, checked, declareBuffer, defineStep, describeValue, hasBuffer, int, sizeField,
  str, z,
} from "@mmsim/core";
import { ACCESS_READ, ACCESS_WRITE } from "@mmsim/hw-arm64";
import { CONTENT_ZERO_ID, FAULT_HANDLED, contentFill, contentText } from "@mmsim/fault";
import {
  type FilesStruct, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_DSYNC, O_EXCL, O_NONBLOCK, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC, O_WRONLY,
  SEEK_CUR, SEEK_END, SEEK_SET, type UserBuffer, doFsync, doMkdirat, doMount, doRmdir, doSysFtruncate, doSysOpen, doSysTruncate, doUmount,
  doUnlinkat, fget, ksysLseek, ksysPread64, ksysPwrite64, ksysRead, ksysWrite, sysClose,
} from "@mmsim/filemap";
import { MAP_SHARED, PROT_WRITE, type TaskStruct, sysMmap } from "@mmsim/vma";
import type { Processes } from "./processes.ts";
import { MMAP_FAMILY, type MmapHandle, current, errnoField, outcome } from "./syscall.ts";

/** The handle family of open files. */
export const FD_FAMILY = "fd";

/** A named fd: the number open returned, in the task that opened it (and its children after a fork). */
interface FdHandle extends Handle {
  readonly fd: number;
  readonly pid: number;
  readonly path: string;
}

/** An fd: the name of an earlier open (`as`), or a number. */
export const fdField = checked<string | number>((v) => {
  if (typeof v === "number" && Number.isInteger(v) && v >= -1 && v <= 1 << 20) return { ok: v };
  if (typeof v === "string" && v !== "") return { ok: v };
  return `expected an fd: the name an open step gave (as), or a number, got ${describeValue(v)}`;
});

/** A file offset or length: a size (4K, 1M) or a negative integer (to see EINVAL). */
const offsetField = checked<number>((v) => {
  if (typeof v === "number" && Number.isSafeInteger(v) && v < 0) return { ok: v };
  return sizeField.safeParse(v).success ? { ok: sizeField.parse(v) as number } : `expected an offset: a size (bytes, or 4K, 64M) or a negative integer, got ${describeValue(v)}`;
});

const OPEN_FLAGS: Readonly<Record<string, number>> = Object.freeze({
  rdonly: O_RDONLY, wronly: O_WRONLY, rdwr: O_RDWR, creat: O_CREAT, excl: O_EXCL, trunc: O_TRUNC, append: O_APPEND, cloexec: O_CLOEXEC,
  directory: O_DIRECTORY, dsync: O_DSYNC, sync: O_SYNC, nonblock: O_NONBLOCK,
});
const openFlagsField = checked<number>((v) => {
  const names = typeof v === "string" ? [v] : v;
  if (!Array.isArray(names)) return `expected a list of open flags (${Object.keys(OPEN_FLAGS).join(", ")}), got ${describeValue(v)}`;
  let f = 0;
  for (const n of names) {
    const bit = typeof n === "string" ? OPEN_FLAGS[n] : undefined;
    if (bit === undefined) return `unknown open flag ${describeValue(n)}; known: ${Object.keys(OPEN_FLAGS).join(", ")}`;
    f |= bit;
  }
  if (names.filter((n) => n === "rdonly" || n === "wronly" || n === "rdwr").length > 1) return "open takes one of rdonly, wronly, rdwr";
  return { ok: f };
});

/** A mode: octal in a string ("0644"), or a number. */
const modeField = checked<number>((v) => {
  if (typeof v === "string" && /^0?[0-7]{1,4}$/.test(v)) return { ok: parseInt(v, 8) };
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0o7777) return { ok: v };
  return `expected a mode: octal in quotes ("0644") or a number up to 4095, got ${describeValue(v)}`;
});

const pathField = str("a path", /^\//, "it must start with / (the tasks' root and cwd are /)");
const CONTENTS = Object.freeze(["zero", "fill", "random", "text"] as const);
const contentField = checked<(typeof CONTENTS)[number]>((v) => (typeof v === "string" && (CONTENTS as readonly string[]).includes(v) ? { ok: v as (typeof CONTENTS)[number] } : `expected one of ${CONTENTS.join(", ")}, got ${describeValue(v)}`));

/** The current task's fd table. */
function filesOf(ctx: StepRunContext): { p: Processes; task: TaskStruct; files: FilesStruct } {
  const { p, task } = current(ctx);
  return { p, task, files: p.filesOf(task) };
}

/** The fd a step names. */
function fdOf(ctx: StepRunContext, fd: string | number, what: string): number {
  if (typeof fd === "number") return fd;
  const h = ctx.handles.get<FdHandle>(FD_FAMILY, fd);
  if (h === undefined) throw ctx.error(`${what} ${fd}`, `"${fd}" names no file an open step opened (its open failed or never ran)`);
  return h.fd;
}

export function checkFd(fd: string | number | undefined, ctx: StepCheckContext, field = "fd"): void {
  if (typeof fd === "string" && !hasBuffer(ctx, fd, FD_FAMILY)) throw ctx.error([field], `"${fd}" names no file opened by an earlier open step (as)`);
}

/** Charges the fixed part of each fault a copy to or from user memory took. */
function chargeFaults(ctx: StepRunContext, task: TaskStruct, before: number): void {
  const n = task.minFlt + task.majFlt - before;
  if (n > 0) ctx.advanceClock(ctx.resolve(COST_MODEL).faultEntry * n);
}

/**
 * The user memory of a named mapping as a syscall's buffer: copy_from_user reads its pages (a
 * read fault where nothing is mapped yet), copy_to_user stores into them (a write fault); a copy
 * outside the mapping, or one the fault path refuses, is -EFAULT.
 */
class MappingBuffer implements UserBuffer {
  constructor(
    private readonly p: Processes,
    private readonly task: TaskStruct,
    private readonly start: number,
    private readonly len: number,
  ) {}

  readContent(off: number, bytes: number): number {
    if (off + bytes > this.len) return -1;
    let id = -2;
    for (let va = this.start + off; va < this.start + off + bytes; va = (Math.floor(va / PAGE_SIZE) + 1) * PAGE_SIZE) {
      if (this.p.fault.userAccess(this.task, va, ACCESS_READ) !== FAULT_HANDLED) return -1;
      const c = this.p.memory.contents.get(this.p.fault.translate(this.task.mm!, va, ACCESS_READ));
      // bytes from two pages of different content: a mix equal to nothing else
      id = id === -2 || id === c ? c : this.p.memory.contents.contentRandom();
    }
    return id === -2 ? CONTENT_ZERO_ID : id;
  }

  writeContent(off: number, bytes: number, identity: number): boolean {
    if (off + bytes > this.len) return false;
    const end = this.start + off + bytes;
    for (let va = this.start + off; va < end; va = (Math.floor(va / PAGE_SIZE) + 1) * PAGE_SIZE) {
      const pageEnd = (Math.floor(va / PAGE_SIZE) + 1) * PAGE_SIZE;
      const whole = va % PAGE_SIZE === 0 && end >= pageEnd;
      const old = this.p.fault.translate(this.task.mm!, va, ACCESS_WRITE);
      const before = old >= 0 ? this.p.memory.contents.get(old) : -1;
      // part of a page over other content: a mix equal to nothing else
      const c = whole || before === identity ? identity : this.p.memory.contents.contentRandom();
      if (this.p.fault.userAccess(this.task, va, ACCESS_WRITE, c) !== FAULT_HANDLED) return false;
    }
    return true;
  }
}

/** The user buffer a step names (`into`/`from`), or a source of one content. */
function userBuffer(ctx: StepRunContext, p: Processes, task: TaskStruct, name: string | undefined, offset: number, what: string): UserBuffer | null {
  if (name === undefined) return null;
  const h = ctx.handles.get<MmapHandle>(MMAP_FAMILY, name);
  if (h === undefined) throw ctx.error(`${what} ${name}`, `"${name}" is not mapped (its mmap or malloc failed or never ran)`);
  return new MappingBuffer(p, task, h.start + offset, Math.max(0, h.len - offset));
}

/** What a write stores when no user buffer is named: one content for every page (random: a fresh one per page). */
class ContentSource implements UserBuffer {
  constructor(
    private readonly identity: number,
    private readonly fresh: (() => number) | null,
  ) {}
  readContent(): number {
    return this.fresh !== null ? this.fresh() : this.identity;
  }
  writeContent(): boolean {
    return true;
  }
}

export const openStep = defineStep({
  kind: "open",
  doc: "- open: { as, path, flags: [rdonly], mode: \"0644\", errno }   open(2) in the current task (flags: rdonly, wronly, rdwr, creat, excl, trunc, append, cloexec, directory, dsync, sync, nonblock); the lowest free fd (3 in init: 0-2 are the console); as names it",
  schema: z.strictObject({
    as: str("a name for the fd (later steps name it)").optional(),
    path: pathField,
    flags: openFlagsField.default(O_RDONLY),
    mode: modeField.default(0o644),
    errno: errnoField.optional(),
  }),
  make: (d, ctx) => ({ kind: "open" as const, line: ctx.line, as: d.as, path: d.path, flags: d.flags, mode: d.mode, errno: d.errno }),
  check(step, ctx) {
    if (step.as !== undefined && !hasBuffer(ctx, step.as, FD_FAMILY)) declareBuffer(ctx, FD_FAMILY, step.as);
  },
  run(step, ctx) {
    const { p, task, files } = filesOf(ctx);
    const fd = doSysOpen(p.vfs, files, step.path, step.flags, step.mode);
    if (!outcome(ctx, task, "open", fd, step.errno) || step.as === undefined) return;
    ctx.handles.set(FD_FAMILY, step.as, { fd, pid: task.pid, path: step.path, line: step.line } as FdHandle);
  },
});

export const closeStep = defineStep({
  kind: "close",
  doc: "- close: { fd, errno }   close(2) of an fd (an open's as, or a number)",
  schema: z.strictObject({ fd: fdField, errno: errnoField.optional() }),
  make: (d, ctx) => ({ kind: "close" as const, line: ctx.line, fd: d.fd, errno: d.errno }),
  check: (step, ctx) => checkFd(step.fd, ctx),
  run(step, ctx) {
    const { p, task, files } = filesOf(ctx);
    outcome(ctx, task, "close", sysClose(p.vfs, files, fdOf(ctx, step.fd, "close")), step.errno);
  },
});

const ioFields = {
  fd: fdField,
  size: sizeField,
  returns: sizeField.optional(),
  errno: errnoField.optional(),
};

/** Checks a read's or write's byte count against `returns`. */
function checkReturns(ctx: StepRunContext, call: string, task: TaskStruct, r: number, returns: number | undefined): void {
  if (returns === undefined || r < 0) return;
  if (r !== returns) ctx.failExpect(`${call} in pid ${task.pid}: expected ${returns} bytes, got ${r}`);
  else ctx.passExpect();
}

/** A read step: read(2), or pread64(2) when `positional`. */
function readStep<K extends "read" | "pread">(kind: K, positional: boolean) {
  return defineStep({
    kind,
    doc: positional
      ? "- pread: { fd, size, offset, into, into_offset: 0, returns, errno }   pread64(2): at offset, the file position stays"
      : "- read: { fd, size, into, into_offset: 0, returns, errno }   read(2) at the file position (it moves): through the page cache, 0 at EOF, holes read as zeros; into names an mmap or malloc the data lands in (its pages faulted in, taking the file's content); returns checks the byte count",
    schema: z.strictObject({ ...ioFields, offset: positional ? offsetField : offsetField.optional(), into: str("the name of an mmap or malloc").optional(), into_offset: sizeField.optional() }),
    make: (d, ctx) => ({ kind, line: ctx.line, fd: d.fd, size: d.size, offset: d.offset, into: d.into, intoOffset: d.into_offset ?? 0, returns: d.returns, errno: d.errno }),
    cost: (step) => Math.max(1, Math.ceil(step.size / PAGE_SIZE)),
    check(step, ctx) {
      checkFd(step.fd, ctx);
      if (step.into !== undefined && !hasBuffer(ctx, step.into, MMAP_FAMILY)) throw ctx.error(["into"], `"${step.into}" names no mmap or malloc made before this step`);
    },
    run(step, ctx) {
      const { p, task, files } = filesOf(ctx);
      const fd = fdOf(ctx, step.fd, kind);
      const buf = userBuffer(ctx, p, task, step.into, step.intoOffset, kind);
      const flt = task.minFlt + task.majFlt;
      const r = positional ? ksysPread64(p.vfs, files, fd, buf, step.size, step.offset ?? 0) : ksysRead(p.vfs, files, fd, buf, step.size);
      chargeFaults(ctx, task, flt);
      outcome(ctx, task, positional ? "pread64" : "read", r, step.errno, false);
      checkReturns(ctx, kind, task, r, step.returns);
    },
  });
}

/** The fields of write(2)'s step (the engine's `write` step takes them with an fd) and of pwrite's. */
export const writeFields = {
  fd: fdField,
  size: sizeField,
  returns: sizeField.optional(),
  errno: errnoField.optional(),
  content: contentField.optional(),
  compress: z.number().gt(0).lte(1).optional(),
  from: str("the name of an mmap or malloc").optional(),
  from_offset: sizeField.optional(),
};

/** A write(2) or pwrite64(2) as a step holds it. */
export interface WriteSyscall {
  readonly kind: string;
  readonly line?: number;
  readonly fd: string | number;
  readonly size: number;
  readonly offset?: number;
  readonly content: (typeof CONTENTS)[number];
  /** The fill value, or the text id. */
  readonly fill?: number;
  readonly compress?: number;
  readonly from?: string;
  readonly fromOffset: number;
  readonly returns?: number;
  readonly errno?: string;
}

/** Checks a write's fd and source buffer names before the run. */
export function checkWriteSyscall(step: WriteSyscall, ctx: StepCheckContext): void {
  checkFd(step.fd, ctx);
  if (step.from !== undefined && !hasBuffer(ctx, step.from, MMAP_FAMILY)) throw ctx.error(["from"], `"${step.from}" names no mmap or malloc made before this step`);
}

/** write(2) (or pwrite64(2) with an offset) as the current task: the content, or a user buffer, through the page cache. */
export function runWriteSyscall(step: WriteSyscall, ctx: StepRunContext, positional: boolean): void {
  const { p, task, files } = filesOf(ctx);
  const fd = fdOf(ctx, step.fd, step.kind);
  const contents = p.memory.contents;
  const buf = step.from !== undefined
    ? userBuffer(ctx, p, task, step.from, step.fromOffset, step.kind)
    : step.content === "random" ? new ContentSource(0, () => contents.contentRandom())
      : new ContentSource(step.content === "fill" ? contentFill(step.fill ?? 0) : step.content === "text" ? contentText(step.fill ?? 0, step.compress ?? 0.5) : CONTENT_ZERO_ID, null);
  const flt = task.minFlt + task.majFlt;
  const r = positional ? ksysPwrite64(p.vfs, files, fd, buf, step.size, step.offset ?? 0) : ksysWrite(p.vfs, files, fd, buf, step.size);
  chargeFaults(ctx, task, flt);
  outcome(ctx, task, positional ? "pwrite64" : "write", r, step.errno, false);
  checkReturns(ctx, step.kind, task, r, step.returns);
}

/** The doc line of the engine's `write` step's write(2) form. */
export const WRITE_SYSCALL_DOC =
  "- write: { fd, size, content: zero, value, compress, from, from_offset: 0, returns, errno }   write(2) at the file position (O_APPEND: at EOF) of an fd (an open's as, or a number): through the page cache, short when the filesystem fills (then ENOSPC); content says what the pages hold (zero, fill with value, random, text value at compress), or from names an mmap or malloc to copy from; returns checks the byte count";

export const pwriteStep = defineStep({
  kind: "pwrite",
  doc: "- pwrite: { fd, size, offset, content, value, compress, from, from_offset: 0, returns, errno }   pwrite64(2): at offset (O_APPEND: at EOF), the file position stays",
  schema: z.strictObject({ ...writeFields, offset: offsetField, value: int(0, 0xffffffff, "a 32-bit fill value, or a text id").optional() }),
  make: (d, ctx): WriteSyscall & { kind: "pwrite" } => ({
    kind: "pwrite", line: ctx.line, fd: d.fd, size: d.size, offset: d.offset, content: d.content ?? "zero", fill: d.value, compress: d.compress, from: d.from,
    fromOffset: d.from_offset ?? 0, returns: d.returns, errno: d.errno,
  }),
  cost: (step) => Math.max(1, Math.ceil(step.size / PAGE_SIZE)),
  check: (step, ctx) => checkWriteSyscall(step, ctx),
  run: (step, ctx) => runWriteSyscall(step, ctx, true),
});

export const readStepDef = readStep("read", false);
export const preadStep = readStep("pread", true);

const WHENCE: Readonly<Record<string, number>> = Object.freeze({ set: SEEK_SET, cur: SEEK_CUR, end: SEEK_END });

export const lseekStep = defineStep({
  kind: "lseek",
  doc: "- lseek: { fd, offset, whence: set, errno }   lseek(2) (whence: set, cur, end)",
  schema: z.strictObject({
    fd: fdField,
    offset: offsetField,
    whence: checked<number>((v) => (typeof v === "string" && WHENCE[v] !== undefined ? { ok: WHENCE[v] } : `expected set, cur or end, got ${describeValue(v)}`)).default(SEEK_SET),
    errno: errnoField.optional(),
  }),
  make: (d, ctx) => ({ kind: "lseek" as const, line: ctx.line, fd: d.fd, offset: d.offset, whence: d.whence, errno: d.errno }),
  check: (step, ctx) => checkFd(step.fd, ctx),
  run(step, ctx) {
    const { p, task, files } = filesOf(ctx);
    outcome(ctx, task, "lseek", ksysLseek(p.vfs, files, fdOf(ctx, step.fd, "lseek"), step.offset, step.whence), step.errno, false);
  },
});

/** fsync(2) / fdatasync(2). */
function syncStep<K extends "fsync" | "fdatasync">(kind: K) {
  return defineStep({
    kind,
    doc: kind === "fsync" ? "- fsync: { fd, errno }; fdatasync: { fd, errno }   write the file's dirty pages back (nothing to do on tmpfs; EINVAL for a device)" : "",
    schema: z.strictObject({ fd: fdField, errno: errnoField.optional() }),
    make: (d, ctx) => ({ kind, line: ctx.line, fd: d.fd, errno: d.errno }),
    check: (step, ctx) => checkFd(step.fd, ctx),
    run(step, ctx) {
      const { p, task, files } = filesOf(ctx);
      outcome(ctx, task, kind, doFsync(p.vfs, files, fdOf(ctx, step.fd, kind), kind === "fdatasync"), step.errno);
    },
  });
}
export const fsyncStep = syncStep("fsync");
export const fdatasyncStep = syncStep("fdatasync");

export const ftruncateStep = defineStep({
  kind: "ftruncate",
  doc: "- ftruncate: { fd, size, errno }; truncate: { path, size, errno }   set a file's size: pages beyond it are unmapped and freed, a partial last page zeroed",
  schema: z.strictObject({ fd: fdField, size: offsetField, errno: errnoField.optional() }),
  make: (d, ctx) => ({ kind: "ftruncate" as const, line: ctx.line, fd: d.fd, size: d.size, errno: d.errno }),
  check: (step, ctx) => checkFd(step.fd, ctx),
  run(step, ctx) {
    const { p, task, files } = filesOf(ctx);
    outcome(ctx, task, "ftruncate", doSysFtruncate(p.vfs, files, fdOf(ctx, step.fd, "ftruncate"), step.size), step.errno);
  },
});

export const truncateStep = defineStep({
  kind: "truncate",
  doc: "",
  schema: z.strictObject({ path: pathField, size: offsetField, errno: errnoField.optional() }),
  make: (d, ctx) => ({ kind: "truncate" as const, line: ctx.line, path: d.path, size: d.size, errno: d.errno }),
  run(step, ctx) {
    const { p, task } = current(ctx);
    outcome(ctx, task, "truncate", doSysTruncate(p.vfs, step.path, step.size), step.errno);
  },
});

/** A step that takes a path: unlink, rmdir, umount. */
function pathStep<K extends "unlink" | "rmdir" | "umount">(kind: K, doc: string, call: (p: Processes, path: string) => number) {
  return defineStep({
    kind,
    doc,
    schema: z.strictObject({ path: pathField, errno: errnoField.optional() }),
    make: (d, ctx) => ({ kind, line: ctx.line, path: d.path, errno: d.errno }),
    run(step, ctx) {
      const { p, task } = current(ctx);
      outcome(ctx, task, kind, call(p, step.path), step.errno);
    },
  });
}
export const unlinkStep = pathStep("unlink", "- unlink: { path, errno }; rmdir: { path, errno }   remove a name (an open or mapped file lives on, \"(deleted)\", until its last close or unmap)", (p, path) => doUnlinkat(p.vfs, path));
export const rmdirStep = pathStep("rmdir", "", (p, path) => doRmdir(p.vfs, path));
export const umountStep = pathStep("umount", "- umount: { path, errno }   unmount the filesystem mounted on path (EBUSY while a file on it is open or mapped); its files' pages are freed", (p, path) => doUmount(p.vfs, path));

export const mkdirStep = defineStep({
  kind: "mkdir",
  doc: "- mkdir: { path, mode: \"0755\", errno }   make a directory",
  schema: z.strictObject({ path: pathField, mode: modeField.default(0o755), errno: errnoField.optional() }),
  make: (d, ctx) => ({ kind: "mkdir" as const, line: ctx.line, path: d.path, mode: d.mode, errno: d.errno }),
  run(step, ctx) {
    const { p, task } = current(ctx);
    outcome(ctx, task, "mkdir", doMkdirat(p.vfs, step.path, step.mode), step.errno);
  },
});

export const mountStep = defineStep({
  kind: "mount",
  doc: "- mount: { path, fstype: tmpfs, options: \"size=64M,nr_inodes=1000\", source, errno }   mount a filesystem (tmpfs, ramfs) on a directory; tmpfs takes size= (bytes, K/M/G, or a % of RAM; default half of RAM), nr_inodes=, mode=",
  schema: z.strictObject({
    path: pathField,
    fstype: str("a filesystem type (tmpfs, ramfs)").default("tmpfs"),
    options: z.string().default(""),
    source: str("the device name mount(2) is given").optional(),
    errno: errnoField.optional(),
  }),
  make: (d, ctx) => ({ kind: "mount" as const, line: ctx.line, path: d.path, fstype: d.fstype, options: d.options, source: d.source ?? d.fstype, errno: d.errno }),
  run(step, ctx) {
    const { p, task } = current(ctx);
    outcome(ctx, task, "mount", doMount(p.vfs, step.source, step.path, step.fstype, 0, step.options), step.errno);
  },
});

/**
 * mmap of a file: by fd (fget, as ksys_mmap_pgoff: EBADF for a bad one), or by path (opened O_RDWR
 * for a writable shared mapping, else O_RDONLY, and closed after: the mapping keeps the file).
 * @returns the address, or -errno
 */
export function fileMmap(
  ctx: StepRunContext, p: Processes, task: TaskStruct, fd: string | number | undefined, path: string | undefined,
  addr: number, size: number, prot: number, flags: number, offset: number,
): number {
  const files = p.filesOf(task);
  if (path !== undefined) {
    const oflags = (flags & MAP_SHARED) !== 0 && (prot & PROT_WRITE) !== 0 ? O_RDWR : O_RDONLY;
    const tmp = doSysOpen(p.vfs, files, path, oflags, 0);
    if (tmp < 0) return tmp;
    const r = sysMmap(p.mmap, task.mm!, addr, size, prot, flags, fget(files, tmp), offset);
    sysClose(p.vfs, files, tmp);
    return r;
  }
  const file = fget(files, fdOf(ctx, fd!, "mmap"));
  if (file === null) return -9; // -EBADF
  return sysMmap(p.mmap, task.mm!, addr, size, prot, flags, file, offset);
}

export const FILE_STEPS = Object.freeze([
  openStep, closeStep, readStepDef, preadStep, pwriteStep, lseekStep, fsyncStep, fdatasyncStep, ftruncateStep, truncateStep,
  unlinkStep, mkdirStep, rmdirStep, mountStep, umountStep,
] as const);
