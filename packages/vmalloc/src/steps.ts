// Kernel: mm/vmalloc.c vmalloc/vzalloc/vfree, mm/util.c kvmalloc_node/kvfree (v6.1) — vmalloc's workload steps
/*
 * What vmalloc and kvmalloc steps hold is the handle family "vm": per name, the addresses they
 * returned (a vmalloc address, or for kvmalloc possibly a kmalloc'd object's physical address).
 * Each one is a buffer the access step and the `where` files can walk.
 */
import {
  GFP_KERNEL, INT_MAX, type Handle, type HandleBuffer, PAGE_SIZE, SLAB_COMMON, type StepCheckContext, type StepRunContext, bool, cpuField,
  declareBuffer, defineStep, freeSchema, gfpField, int, sizeField, str, z,
} from "@mmsim/core";
import { VMALLOC } from "./token.ts";
import type { Vmalloc } from "./vmalloc.ts";

/** The buffers a vmalloc or kvmalloc step holds under one name. */
export interface VmHandle extends Handle {
  readonly addrs: number[];
}

const FAMILY = "vm";

function vmNames(ctx: StepCheckContext): Map<string, "vmalloc" | "kvmalloc"> {
  return ctx.scratch("vm", () => new Map<string, "vmalloc" | "kvmalloc">());
}

function heldFor(ctx: StepRunContext, as: string, line?: number): VmHandle {
  let held = ctx.handles.get<VmHandle>(FAMILY, as);
  if (held) return held;
  const vm = ctx.resolve(VMALLOC);
  const ksize = (a: number) => (ctx.isRegistered(SLAB_COMMON) ? ctx.resolve(SLAB_COMMON).ksize(a) : 0);
  const h: VmHandle = {
    addrs: [],
    line,
    buffers: () =>
      h.addrs.map((a): HandleBuffer => {
        if (vm.isVmallocAddr(a)) {
          const area = vm.findVmArea(a);
          return { kind: "vmalloc", space: "kernel", addr: a, size: area >= 0 ? vm.state.vms.areaSize(area) : PAGE_SIZE };
        }
        return { kind: "kmalloc (kvmalloc)", space: "linear", addr: a, size: ksize(a) };
      }),
  };
  ctx.handles.set(FAMILY, as, (held = h));
  return held;
}

/** The cross-field checks of vmalloc and kvmalloc: the CPU exists; the name is now a buffer of that kind. */
function checkVmAlloc(kind: "vmalloc" | "kvmalloc", step: { readonly as: string; readonly cpu: number | undefined }, ctx: StepCheckContext): void {
  if (step.cpu !== undefined) ctx.checkCpu(step.cpu, ["cpu"]);
  vmNames(ctx).set(step.as, kind);
  declareBuffer(ctx, FAMILY, step.as);
}

/** Runs `count` allocations on `cpu` with `alloc`, holding what they return under `as` (0: the kernel's failure). */
function runVmAlloc(step: { readonly as: string; readonly cpu: number | undefined; readonly count: number; readonly line?: number }, ctx: StepRunContext, alloc: (vm: Vmalloc) => number): void {
  const vm = ctx.resolve(VMALLOC);
  const held = heldFor(ctx, step.as, step.line);
  vm.cpu = step.cpu ?? ctx.cpu;
  for (let i = 0; i < step.count; i++) {
    const addr = alloc(vm);
    if (addr === 0) ctx.failedAlloc(step.as);
    else held.addrs.push(addr);
  }
}

export const vmallocStep = defineStep({
  kind: "vmalloc",
  doc: "- vmalloc: { as, size, count: 1, cpu: 0, zero: false, caller }   vmalloc (vzalloc with zero) of size bytes (4K, 1M, …)",
  schema: z.strictObject({
    as: str("a name for the areas (a later vfree names it)"),
    size: sizeField,
    count: int(1, INT_MAX, "a count").default(1),
    cpu: cpuField().optional(),
    zero: bool.default(false),
    caller: str("the caller /proc/vmallocinfo prints (a symbol+off/size)").optional(),
  }),
  make: (d, ctx) => ({ kind: "vmalloc" as const, line: ctx.line, as: d.as, size: d.size, count: d.count, cpu: d.cpu, zero: d.zero, caller: d.caller ?? `${d.as}+0x0/0x0` }),
  cost: (step) => step.count * Math.max(1, Math.ceil(step.size / PAGE_SIZE)),
  check: (step, ctx) => checkVmAlloc("vmalloc", step, ctx),
  run: (step, ctx) => runVmAlloc(step, ctx, (vm) => (step.zero ? vm.vzalloc(step.size, step.caller) : vm.vmalloc(step.size, step.caller))),
});

export const kvmallocStep = defineStep({
  kind: "kvmalloc",
  doc: "- kvmalloc: { as, size, gfp: GFP_KERNEL, count: 1, cpu: 0 }   kmalloc first, vmalloc fallback; kvfree: { as }",
  schema: z.strictObject({
    as: str("a name for the buffers (a later kvfree names it)"),
    size: sizeField,
    count: int(1, INT_MAX, "a count").default(1),
    cpu: cpuField().optional(),
    gfp: gfpField.default({ value: GFP_KERNEL, text: "GFP_KERNEL" }),
    caller: str("the caller /proc/vmallocinfo prints if it falls back to vmalloc").optional(),
  }),
  make: (d, ctx) => ({ kind: "kvmalloc" as const, line: ctx.line, as: d.as, size: d.size, count: d.count, cpu: d.cpu, gfp: d.gfp.value, gfpText: d.gfp.text, caller: d.caller ?? `${d.as}+0x0/0x0` }),
  cost: (step) => step.count * Math.max(1, Math.ceil(step.size / PAGE_SIZE)),
  check: (step, ctx) => checkVmAlloc("kvmalloc", step, ctx),
  run: (step, ctx) => runVmAlloc(step, ctx, (vm) => vm.kvmalloc(step.size, step.gfp, step.caller)),
});

function vmFreeStep(via: "vfree" | "kvfree") {
  const want = via === "vfree" ? "vmalloc" : "kvmalloc";
  return defineStep({
    kind: via,
    doc: via === "vfree" ? "- vfree: { as, count: all }     vfree areas of an earlier vmalloc (lazily: purged past lazy_max_pages)" : "",
    schema: freeSchema(`the name of an earlier ${want}`),
    make: (d, ctx) => ({ kind: via, line: ctx.line, as: d.as, count: d.count, cpu: d.cpu, order: d.order }),
    check(step, ctx) {
      if (step.cpu !== undefined) ctx.checkCpu(step.cpu, ["cpu"]);
      const by = vmNames(ctx).get(step.as);
      if (by === undefined) throw ctx.error(["as"], `"${step.as}" names no earlier ${want}`);
      if (by !== want) throw ctx.error(["as"], `"${step.as}" was allocated by ${by}; free it with ${by === "vmalloc" ? "vfree" : "kvfree"}`);
    },
    run(step, ctx) {
      const vm = ctx.resolve(VMALLOC);
      const held = ctx.handles.get<VmHandle>(FAMILY, step.as);
      if (!held) throw ctx.error(`${via} ${step.as}`, `nothing was allocated under "${step.as}"`);
      const addrs = held.addrs;
      const n = step.count === "all" ? addrs.length : step.count;
      if (n > addrs.length) throw ctx.error(`${via} ${step.as}`, `asks to free ${n} buffers but "${step.as}" holds ${addrs.length}`);
      vm.cpu = step.cpu ?? ctx.cpu;
      for (let i = 0; i < n; i++) {
        const k = step.order === "random" ? ctx.workloadRng.below(addrs.length) : addrs.length - 1;
        const addr = addrs[k]!;
        addrs[k] = addrs[addrs.length - 1]!;
        addrs.pop();
        if (via === "kvfree") vm.kvfree(addr);
        else vm.vfree(addr);
      }
    },
  });
}
export const vfreeStep = vmFreeStep("vfree");
export const kvfreeStep = vmFreeStep("kvfree");

export const VMALLOC_STEPS = Object.freeze([vmallocStep, vfreeStep, kvmallocStep, kvfreeStep] as const);
