// mmsim: the workload engine's own steps — show, expect, write (echo to a kernel file, or write(2) to an open file), sysctl, sleep, label, repeat (no kernel counterpart; what a shell script on the board would do)
import { TASK_ENGINE } from "../task-api.ts";
import { WRITE_SYSCALL_DOC, type WriteSyscall, checkWriteSyscall, runWriteSyscall, writeFields } from "../process/file-steps.ts";
import {
  type AnySysctl, MAX_REPEAT, MISSING, type StepBase, absPath, checked, defineStep, describeValue, int, nearest, str, unknownFieldProblem, z,
} from "@mmsim/core";

/** A repeat: its body runs `times` times. The engine expands it; it has no run of its own. */
export interface RepeatStep extends StepBase {
  readonly kind: "repeat";
  readonly times: number;
  readonly steps: readonly StepBase[];
}

/** True for a repeat step. */
export function isRepeat(s: StepBase): s is RepeatStep {
  return s.kind === "repeat";
}

const EXPECT_OPS = Object.freeze(["==", "!=", "<", "<=", ">", ">="] as const);
type ExpectOp = (typeof EXPECT_OPS)[number];

/**
 * The number a file gives for a field: the first line whose first word (without a trailing
 * colon) is `field` (`MemFree:  971180 kB` → 971180; `nr_free_pages 242732` → 242732), or the
 * single number of a one-value file (`/proc/sys/vm/min_free_kbytes`) for field "value".
 */
export function readField(text: string, field: string): number | undefined {
  for (const line of text.split("\n")) {
    const words = line.trim().split(/\s+/);
    if (words.length >= 2 && words[0]!.replace(/:$/, "") === field) {
      const v = Number(words[1]);
      if (Number.isFinite(v)) return v;
    }
  }
  if (field === "value") {
    const v = Number(text.trim().split(/\s+/)[0]);
    if (Number.isFinite(v)) return v;
  }
  return undefined;
}

function compare(got: number, op: ExpectOp, want: number): boolean {
  switch (op) {
    case "==":
      return got === want;
    case "!=":
      return got !== want;
    case "<":
      return got < want;
    case "<=":
      return got <= want;
    case ">":
      return got > want;
    default:
      return got >= want;
  }
}

/** "no file /proc/meminf; did you mean /proc/meminfo? (the machine has N files; …)": the nearest paths, never the whole list. */
export function noSuchFile(path: string, files: readonly string[]): string {
  const near = nearest(path, files, 3);
  return `no file ${path}${near.length > 0 ? `; did you mean ${near.join(" or ")}?` : ""} (the machine has ${files.length} files; \`mmsim cat\` of an unknown path lists them all)`;
}

/** Host operations a show counts for (MAX_WORKLOAD_OPS): 500,000 shows at most, gigabytes of output. */
const SHOW_COST = 100;

export const showStep = defineStep({
  kind: "show",
  doc: "- show: <path>                 print a file, e.g. /proc/buddyinfo",
  schema: absPath,
  make: (path, ctx) => ({ kind: "show" as const, line: ctx.line, path }),
  reads: (step) => [step.path],
  // The loader's host-cost bound: rendering and printing a file takes 0.1 ms (/proc/buddyinfo) to
  // 0.5 ms (/proc/zoneinfo, 10 KB) of host time, about SHOW_COST page operations of 3 µs.
  cost: () => SHOW_COST,
  run(step, ctx) {
    const text = ctx.readFile(step.path);
    if (text === undefined) throw ctx.error("show", noSuchFile(step.path, ctx.listFiles()));
    ctx.show(step.path, text);
  },
});

export const repeatStep = defineStep({
  kind: "repeat",
  doc: `- repeat: { times, steps: [...] }  times 1..${MAX_REPEAT}`,
  schema: z.strictObject({
    times: int(1, MAX_REPEAT, "a repeat count"),
    steps: checked<unknown[]>((v) => (Array.isArray(v) && v.length > 0 ? { ok: v } : v === undefined ? `${MISSING}: a list of steps` : `expected a non-empty list of steps, got ${describeValue(v)}`)),
  }),
  // The body's steps are recorded first, in file order; the cross-field pass sees the repeat after them.
  make: (d, ctx): RepeatStep => ({ kind: "repeat", line: ctx.line, times: d.times, steps: ctx.steps(d.steps, ["steps"]) }),
  run() {
    // expanded by the engine
  },
});

/** The sysctl step: its name is checked against the machine's sysctl table. */
export function sysctlStepOf(sysctls: () => ReadonlyMap<string, AnySysctl>) {
  return defineStep({
    kind: "sysctl",
    doc: "- sysctl: { name, value }       write a vm sysctl",
    schema: z.strictObject({ name: z.unknown(), value: z.unknown() }),
    make(d, ctx) {
      const table = sysctls();
      const names = [...table.keys()];
      const name = d.name;
      if (typeof name !== "string" || !table.has(name)) {
        throw ctx.error(["name"], typeof name === "string" ? unknownFieldProblem(name, names, "sysctls").replace("unknown field", "unknown sysctl") : `expected a sysctl name, got ${describeValue(name)}`);
      }
      const v = table.get(name)!.parse(d.value);
      if (typeof v === "string") throw ctx.error(["value"], d.value === undefined ? `${MISSING}: ${v}` : v);
      return { kind: "sysctl" as const, line: ctx.line, name, value: v.ok };
    },
    run(step, ctx) {
      ctx.writeSysctl(step.name, step.value);
    },
  });
}

export const expectStep = defineStep({
  kind: "expect",
  doc: "- expect: { path, field, op: \"==\", value }   op ==, !=, <, <=, >, >=; a failed expect exits 1",
  schema: z.strictObject({
    path: absPath,
    field: str("a field name, e.g. MemFree"),
    op: checked<ExpectOp>((v) => ((EXPECT_OPS as readonly unknown[]).includes(v) ? { ok: v as ExpectOp } : `expected one of ${EXPECT_OPS.join(" ")}, got ${describeValue(v)} (quote it: op: ">")`)).default("=="),
    value: checked<number>((v) => (typeof v === "number" && Number.isFinite(v) ? { ok: v } : v === undefined ? `${MISSING}: the number to compare with` : `expected a number, got ${describeValue(v)}`)),
  }),
  make: (d, ctx) => ({ kind: "expect" as const, line: ctx.line, path: d.path, field: d.field, op: d.op, value: d.value }),
  reads: (step) => [step.path],
  run(step, ctx) {
    const text = ctx.readFile(step.path);
    if (text === undefined) throw ctx.error("expect.path", noSuchFile(step.path, ctx.listFiles()));
    const got = readField(text, step.field);
    if (got === undefined) throw ctx.error("expect.field", `${step.path} has no field "${step.field}"`);
    if (!compare(got, step.op, step.value)) ctx.failExpect(`${step.path} ${step.field} = ${got}, expected ${step.op} ${step.value}`);
    else ctx.passExpect();
  },
});

/** `write`'s first form: echo value > a kernel file. */
interface EchoStep extends StepBase {
  readonly kind: "write";
  readonly path: string;
  readonly value: string;
}

export const writeStep = defineStep({
  kind: "write",
  doc: `- write: { path, value }        echo value > path (/proc/sys/vm/*, /proc/slabinfo tunables)\n  ${WRITE_SYSCALL_DOC}`,
  schema: z.strictObject({
    path: absPath.optional(),
    value: checked<string | number>((v) => (typeof v === "string" || typeof v === "number" ? { ok: v } : `expected the text to write (or, with fd, a fill value), got ${describeValue(v)}`)).optional(),
    ...writeFields,
    fd: writeFields.fd.optional(),
    size: writeFields.size.optional(),
  }),
  make: (d, ctx): EchoStep | (WriteSyscall & { readonly kind: "write" }) => {
    if (d.fd === undefined) {
      // echo value > path
      if (d.path === undefined || d.value === undefined) throw ctx.error([], "write takes { path, value } (echo value > path) or { fd, size, … } (write(2) to an open file)");
      const extra = (["size", "content", "compress", "from", "from_offset", "returns", "errno"] as const).find((k) => d[k] !== undefined);
      if (extra !== undefined) throw ctx.error([extra], `${extra} belongs to write(2) of an fd; echo value > path takes only path and value`);
      return { kind: "write" as const, line: ctx.line, path: d.path, value: String(d.value) };
    }
    if (d.path !== undefined) throw ctx.error(["path"], "write(2) writes to an fd (an open's as): drop path, or drop fd to echo a value into a kernel file");
    if (d.size === undefined) throw ctx.error(["size"], "write(2) needs size: how many bytes to write");
    const fill = d.value;
    if (fill !== undefined && (typeof fill !== "number" || !Number.isInteger(fill) || fill < 0 || fill > 0xffffffff)) throw ctx.error(["value"], `with fd, value is the fill value or text id: an integer in [0, 2^32), got ${describeValue(fill)}`);
    return {
      kind: "write" as const, line: ctx.line, fd: d.fd, size: d.size, content: d.content ?? "zero", fill, compress: d.compress, from: d.from,
      fromOffset: d.from_offset ?? 0, returns: d.returns, errno: d.errno,
    };
  },
  cost: (step) => ("size" in step ? Math.max(1, Math.ceil(step.size / 4096)) : 1),
  check(step, ctx) {
    if ("fd" in step) checkWriteSyscall(step, ctx);
  },
  run(step, ctx) {
    if ("fd" in step) runWriteSyscall(step, ctx, false);
    else ctx.writeFile(step.path, step.value);
  },
});

export const sleepStep = defineStep({
  kind: "sleep",
  doc: "- sleep: <ms>                   let simulated time pass (periodic work such as SLAB's cache_reap runs)",
  schema: int(1, 86_400_000, "milliseconds of simulated time"),
  make: (ms, ctx) => ({ kind: "sleep" as const, line: ctx.line, ms }),
  run(step, ctx) {
    ctx.resolve(TASK_ENGINE).sleep(step.ms * 1_000_000);
  },
});

export const labelStep = defineStep({
  kind: "label",
  doc: "- label: <name>                 a point for `mmsim cat --after <name>`",
  schema: checked<string>((v) =>
    typeof v === "number" || (typeof v === "string" && /^\d+$/.test(v))
      ? `a label must not be a number (--after ${v} means step ${v}); got ${describeValue(v)}`
      : typeof v === "string" && v !== "" ? { ok: v } : `expected a label name, got ${describeValue(v)}`,
  ),
  make: (name, ctx) => ({ kind: "label" as const, line: ctx.line, name }),
  check(step, ctx) {
    const labels = ctx.scratch("labels", () => new Map<string, number | undefined>());
    if (labels.has(step.name)) {
      const first = labels.get(step.name);
      throw ctx.error([], `label "${step.name}" is already used${first !== undefined ? ` at line ${first}` : ""}; labels must be unique`);
    }
    labels.set(step.name, step.line);
  },
  run() {},
});
