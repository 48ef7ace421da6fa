// Kernel: mm/page_alloc.c (v6.1) alloc_pages / __free_pages — the page allocator's workload steps
/*
 * `alloc` asks the page allocator for blocks of one order, as a driver calling alloc_pages()
 * would; `free` gives them back (__free_pages). What an alloc holds is the handle family
 * "pages": per name, the order and the PFNs of the blocks.
 */
import {
  GFP_KERNEL, INT_MAX, MAX_NODES, NIL_PFN, NR_PAGE_ORDERS, NUMA_NO_NODE, type Handle, type StepCheckContext, countOrAll, cpuField,
  defineStep, gfpField, int, str, z,
} from "@mmsim/core";
import { BuddyAllocator } from "./buddy-allocator.ts";

/** Pages an `alloc` step holds: PFNs of blocks of one order. */
export interface PagesHandle extends Handle {
  readonly order: number;
  readonly pfns: number[];
}

const FAMILY = "pages";
/** Largest allocation order (6.1's MAX_ORDER − 1). */
const MAX_ALLOC_ORDER = NR_PAGE_ORDERS - 1;

/** What the cross-field pass knows of allocs: those before the current step, and all of them. */
function allocs(ctx: StepCheckContext): { before: Map<string, number | undefined>; all: Map<string, number | undefined> } {
  return ctx.scratch("pages", () => {
    const all = new Map<string, number | undefined>();
    for (const s of ctx.all) if (s.kind === "alloc" && !all.has((s as AllocStep).name)) all.set((s as AllocStep).name, s.line);
    return { before: new Map<string, number | undefined>(), all };
  });
}

type AllocStep = { readonly kind: "alloc"; readonly line?: number; readonly name: string };

export const allocStep = defineStep({
  kind: "alloc",
  doc: `- alloc: { name, order: 0, gfp: GFP_KERNEL, cpu: 0, count: 1, nid: -1 }   order 0..${MAX_ALLOC_ORDER}; gfp "GFP_KERNEL | __GFP_ZERO" or a number`,
  schema: z.strictObject({
    name: str("a name for the pages (a later free names it)"),
    order: int(0, MAX_ALLOC_ORDER, "an order").default(0),
    gfp: gfpField.default({ value: GFP_KERNEL, text: "GFP_KERNEL" }),
    cpu: cpuField().optional(),
    count: int(1, INT_MAX, "a count").default(1),
    nid: int(NUMA_NO_NODE, MAX_NODES - 1, "a node (-1 = any)").default(NUMA_NO_NODE),
  }),
  make: (d, ctx) => ({ kind: "alloc" as const, line: ctx.line, name: d.name, order: d.order, gfp: d.gfp.value, gfpText: d.gfp.text, cpu: d.cpu, count: d.count, nid: d.nid }),
  cost: (step) => step.count,
  check(step, ctx) {
    if (step.cpu !== undefined) ctx.checkCpu(step.cpu, ["cpu"]);
    const m = ctx.machine;
    if (step.nid !== NUMA_NO_NODE && step.nid >= m.nodes) {
      throw ctx.error(["nid"], `node ${step.nid} does not exist: machine.nodes is ${m.nodes}${ctx.note("nodes")}; use -1 (any node) or a node from 0 to ${m.nodes - 1}`);
    }
    const a = allocs(ctx);
    if (!a.before.has(step.name)) a.before.set(step.name, step.line);
  },
  run(step, ctx) {
    const buddy = ctx.resolve(BuddyAllocator);
    let held = ctx.handles.get<PagesHandle>(FAMILY, step.name);
    if (!held) {
      held = { order: step.order, pfns: [], line: step.line } satisfies PagesHandle;
      ctx.handles.set(FAMILY, step.name, held);
    }
    if (held.order !== step.order) {
      throw ctx.error(`alloc ${step.name}`, `order ${step.order} differs from the order ${held.order} of the earlier alloc of the same name${held.line ? ` (line ${held.line})` : ""}; use another name`);
    }
    for (let i = 0; i < step.count; i++) {
      const pfn = buddy.allocPages(step.gfp, step.order, step.cpu ?? ctx.cpu, step.nid);
      if (pfn === NIL_PFN) ctx.failedAlloc(step.name);
      else held.pfns.push(pfn);
    }
  },
});

export const freeStep = defineStep({
  kind: "free",
  doc: "- free: { name, count: all, cpu: 0 }   free pages of an earlier alloc of that name",
  schema: z.strictObject({
    name: str("the name of an earlier alloc"),
    count: countOrAll.default("all"),
    cpu: cpuField().optional(),
  }),
  make: (d, ctx) => ({ kind: "free" as const, line: ctx.line, name: d.name, count: d.count, cpu: d.cpu }),
  check(step, ctx) {
    if (step.cpu !== undefined) ctx.checkCpu(step.cpu, ["cpu"]);
    const a = allocs(ctx);
    if (a.before.has(step.name)) return;
    const later = a.all.get(step.name);
    const known = [...a.before].map(([n, l]) => (l !== undefined ? `${n} (line ${l})` : n));
    throw ctx.error(
      ["name"],
      a.all.has(step.name)
        ? `free of "${step.name}" comes before its alloc${later !== undefined ? ` at line ${later}` : ""}; move the free after the alloc`
        : `free of "${step.name}" names no earlier alloc; allocs before it: ${known.length > 0 ? known.join(", ") : "none"}`,
    );
  },
  run(step, ctx) {
    const buddy = ctx.resolve(BuddyAllocator);
    const held = ctx.handles.get<PagesHandle>(FAMILY, step.name);
    if (!held) throw ctx.error(`free ${step.name}`, `nothing was allocated under "${step.name}"`);
    const n = step.count === "all" ? held.pfns.length : step.count;
    if (n > held.pfns.length) {
      throw ctx.error(`free ${step.name}`, `asks to free ${n} blocks but "${step.name}" holds ${held.pfns.length}`);
    }
    for (let i = 0; i < n; i++) buddy.freePages(held.pfns.pop()!, held.order, step.cpu ?? ctx.cpu);
  },
});

export const BUDDY_STEPS = Object.freeze([allocStep, freeStep] as const);
