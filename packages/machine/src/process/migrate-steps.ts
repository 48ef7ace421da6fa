// Kernel: mm/migrate.c (move_pages: kernel_move_pages), mm/mempolicy.c (migrate_pages: kernel_migrate_pages) (v6.1) — the NUMA migration syscalls as workload steps, over @mmsim/migrate
import { type StepCheckContext, bool, defineStep, int, sizeField, str, z, PAGE_SIZE } from "@mmsim/core";
import { MIGRATE, MPOL_MF_MOVE, MPOL_MF_MOVE_ALL } from "@mmsim/migrate";
import { MMAP_FAMILY, type MmapHandle, current, errnoField, outcome } from "./syscall.ts";

/** A node of the machine, checked against machine.nodes. */
function checkNode(node: number | undefined, field: string, ctx: StepCheckContext): void {
  if (node !== undefined && node >= ctx.machine.nodes) {
    throw ctx.error([field], `node ${node} does not exist: the machine has ${ctx.machine.nodes} node${ctx.machine.nodes === 1 ? "" : "s"}${ctx.note("nodes")} (set machine.nodes or --nodes)`);
  }
}

export const movePagesStep = defineStep({
  kind: "move_pages",
  doc: "- move_pages: { as, offset: 0, size: all, node, all: false, errno }   move_pages(2) of every page of a mapping (or of [offset, offset + size)) to node (MPOL_MF_MOVE; MPOL_MF_MOVE_ALL with all: pages other processes map too); without node only where each page is; the result is the pages not moved",
  schema: z.strictObject({
    as: str("the name of an earlier mmap"),
    offset: sizeField.optional(),
    size: sizeField.optional(),
    node: int(0, 1023, "a NUMA node").optional(),
    all: bool.default(false),
    errno: errnoField.optional(),
  }),
  make: (d, ctx) => ({ kind: "move_pages" as const, line: ctx.line, as: d.as, offset: d.offset, size: d.size, node: d.node, all: d.all, errno: d.errno }),
  cost: (step) => Math.max(1, Math.ceil((step.size ?? 1 << 20) / PAGE_SIZE)),
  check(step, ctx) {
    checkNode(step.node, "node", ctx);
  },
  run(step, ctx) {
    const { task } = current(ctx);
    const h = ctx.handles.get<MmapHandle>(MMAP_FAMILY, step.as);
    if (h === undefined) throw ctx.error(`move_pages ${step.as}`, `"${step.as}" is not mapped (its mmap failed or never ran)`);
    const start = h.start + (step.offset ?? 0);
    const len = step.size ?? Math.max(0, h.len - (step.offset ?? 0));
    const addrs: number[] = [];
    for (let a = start; a < start + len; a += PAGE_SIZE) addrs.push(a);
    const status = new Int32Array(addrs.length);
    const r = ctx.resolve(MIGRATE).syscalls.movePages(task.mm!, addrs, step.node ?? null, step.all ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE, status, ctx.cpu);
    outcome(ctx, task, "move_pages", r, step.errno, false);
  },
});

export const migratePagesStep = defineStep({
  kind: "migrate_pages",
  doc: "- migrate_pages: { from: 0, to: 1, all: false, errno }   migrate_pages(2) of the current task: its pages on node from (mapped by it alone, or all with all) move to node to; the result is the pages not moved",
  schema: z.strictObject({ from: int(0, 1023, "a NUMA node"), to: int(0, 1023, "a NUMA node"), all: bool.default(false), errno: errnoField.optional() }),
  make: (d, ctx) => ({ kind: "migrate_pages" as const, line: ctx.line, from: d.from, to: d.to, all: d.all, errno: d.errno }),
  cost: () => 1024,
  check(step, ctx) {
    checkNode(step.from, "from", ctx);
    checkNode(step.to, "to", ctx);
  },
  run(step, ctx) {
    const { task } = current(ctx);
    const r = ctx.resolve(MIGRATE).syscalls.migratePages(task.mm!, step.from, step.to, step.all ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE, ctx.cpu);
    outcome(ctx, task, "migrate_pages", r, step.errno, false);
  },
});

export const MIGRATE_STEPS = Object.freeze([movePagesStep, migratePagesStep] as const);
