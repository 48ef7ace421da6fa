// Kernel: mm/cma.c (v6.1: cma_alloc, cma_release) — a driver's CMA allocations as workload steps, as dma_alloc_from_contiguous would make them from the default area
/*
 * `cma_alloc` takes `count` contiguous pages of the machine's CMA area (the `cma_mbytes` kernel
 * config: dma_contiguous_reserve's "reserved" area), aligned to 2^align pages, migrating the
 * movable pages that use them away; what it holds is the handle family "cma" (per name, the first
 * pfn and the count). `cma_release` gives them back.
 */
import { type Handle, INT_MAX, defineStep, int, str, z } from "@mmsim/core";
import { CMA } from "./cma-token.ts";

/** Pages a `cma_alloc` step holds. */
export interface CmaHandle extends Handle {
  readonly pfn: number;
  readonly count: number;
}

const FAMILY = "cma";

export const cmaAllocStep = defineStep({
  kind: "cma_alloc",
  doc: "- cma_alloc: { name, count, align: 0 }   cma_alloc() of count pages (aligned to 2^align pages) from the CMA area (kernel.config.cma_mbytes); used movable pages there migrate away; counts cma_alloc_success / cma_alloc_fail",
  schema: z.strictObject({
    name: str("a name for the pages (a later cma_release names it)"),
    count: int(1, INT_MAX, "a number of pages"),
    align: int(0, 20, "an alignment order").default(0),
  }),
  make: (d, ctx) => ({ kind: "cma_alloc" as const, line: ctx.line, name: d.name, count: d.count, align: d.align }),
  cost: (step) => step.count,
  run(step, ctx) {
    const cma = ctx.resolve(CMA);
    const area = cma.areas[0];
    if (area === undefined) throw ctx.error(`cma_alloc ${step.name}`, `the machine has no CMA area: set kernel.config.cma_mbytes (a size in MiB, as cma= on the command line) to reserve one`);
    if (ctx.handles.get<CmaHandle>(FAMILY, step.name) !== undefined) throw ctx.error(`cma_alloc ${step.name}`, `"${step.name}" already holds CMA pages; release them first or use another name`);
    const pfn = area.cmaAlloc(step.count, step.align, false, ctx.cpu);
    if (pfn < 0) ctx.failedAlloc(step.name);
    else {
      const held: CmaHandle = { pfn, count: step.count, line: step.line };
      ctx.handles.set(FAMILY, step.name, held);
    }
  },
});

export const cmaReleaseStep = defineStep({
  kind: "cma_release",
  doc: "- cma_release: { name }   cma_release() of the pages of an earlier cma_alloc",
  schema: z.strictObject({ name: str("the name of an earlier cma_alloc") }),
  make: (d, ctx) => ({ kind: "cma_release" as const, line: ctx.line, name: d.name }),
  cost: () => 1,
  run(step, ctx) {
    const held = ctx.handles.get<CmaHandle>(FAMILY, step.name);
    if (held === undefined) throw ctx.error(`cma_release ${step.name}`, `"${step.name}" holds no CMA pages (its cma_alloc failed or never ran)`);
    ctx.resolve(CMA).areas[0]!.cmaRelease(held.pfn, held.count, ctx.cpu);
    ctx.handles.delete(FAMILY, step.name);
  },
});

export const CMA_STEPS = Object.freeze([cmaAllocStep, cmaReleaseStep] as const);
