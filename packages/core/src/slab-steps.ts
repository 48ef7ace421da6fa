// Kernel: mm/slab_common.c (v6.1) — the slab layer's workload steps, files and figures, whichever allocator fills the slab slot
/*
 * kmem_cache_create/alloc/free, kmalloc/kfree and slab_churn run through SlabCommon (the
 * machine's SLAB_COMMON, made at kmem_cache_init) over the chosen KmemCacheAllocator. The
 * objects a step holds are the handle family "slab": per name, the objects, their sizes and
 * the cache (-1 for kmalloc). /proc/slabinfo (with SLAB's tunables on write) and
 * /sys/kernel/slab/<cache>/<attr> are served from here.
 */
import type { DependencyContainer } from "tsyringe";
import { z } from "zod";
import { KernelFile } from "./contrib/kernel-file.ts";
import { CompareMetric } from "./contrib/metric.ts";
import type { MmsimModule } from "./di/module.ts";
import { resolveToken } from "./di/token.ts";
import { KERNEL_LOG, SIM_CLOCK, SLAB_COMMON } from "./di/tokens.ts";
import { describeValue } from "./errors.ts";
import { GFP_KERNEL } from "./gfp.ts";
import { KERNEL_CACHES } from "./kernel-caches.ts";
import type { SlabCommon } from "./slab-common.ts";
import { KMALLOC_MAX_SIZE } from "./slab-common.ts";
import { INT_MAX, MISSING, checked, countOrAll, cpuField, gfp, int, parseSlabFlags, str } from "./workload/fields.ts";
import { PAGE_SIZE } from "./sizes.ts";
import {
  type Handle, type HandleBuffer, type StepCheckContext, type StepRunContext, WORKLOAD_STATE, declareBuffer, defineStep, workloadRecord,
} from "./workload/step.ts";

/** The objects a workload holds under one name. */
export interface SlabHandle extends Handle {
  readonly objs: number[];
  /** Object size for a cache, the requested size for kmalloc (what compare counts as live). */
  readonly sizes: number[];
  /** Cache id, or -1 for kmalloc. */
  readonly cache: number;
}

/** The slab operations a workload performed (kmem_cache_alloc/kmalloc and their frees). */
export interface SlabOps {
  allocs: number;
  frees: number;
}

const FAMILY = "slab";
const NEEDS_SLAB = "this step needs a slab allocator; set kernel.policies.slab (slub, slab, or a module file)";

/** The machine's slab operation counters (made on first use). */
export function slabOpsOf(ctx: Pick<StepRunContext, "state">): SlabOps {
  return ctx.state<SlabOps>("slab.ops", () => ({ allocs: 0, frees: 0 }));
}

function requireSlab(ctx: StepRunContext): SlabCommon {
  if (!ctx.isRegistered(SLAB_COMMON)) throw ctx.error("kernel.policies.slab", NEEDS_SLAB);
  return ctx.resolve(SLAB_COMMON);
}

/** The buffers of a kmalloc handle: each object in the linear map (physical address). */
function kmallocBuffers(h: SlabHandle): HandleBuffer[] {
  if (h.cache >= 0) return [];
  return h.objs.map((o, i) => ({ kind: "kmalloc", space: "linear" as const, addr: o, size: h.sizes[i]! }));
}

function heldFor(ctx: StepRunContext, as: string, cache: number, line?: number): SlabHandle {
  let held = ctx.handles.get<SlabHandle>(FAMILY, as);
  if (!held) {
    const h: SlabHandle = { objs: [], sizes: [], cache, line, buffers: () => kmallocBuffers(h) };
    ctx.handles.set(FAMILY, as, (held = h));
  }
  if (held.cache !== cache) {
    throw ctx.error(`objects "${as}"`, `already names objects of another cache${held.line ? ` (line ${held.line})` : ""}; use another name`);
  }
  return held;
}

/** Frees held object k (swap-remove), through kfree or kmem_cache_free as it was allocated. */
function freeHeld(ctx: StepRunContext, slab: SlabCommon, from: { objs: number[]; sizes: number[] }, cacheId: number, k: number, cpu: number): void {
  const o = from.objs[k]!;
  from.objs[k] = from.objs[from.objs.length - 1]!;
  from.sizes[k] = from.sizes[from.sizes.length - 1]!;
  from.objs.pop();
  from.sizes.pop();
  if (cacheId < 0) slab.kfree(o, cpu);
  else slab.allocator.kmemCacheFree(cacheId, o, cpu);
  slabOpsOf(ctx).frees++;
}

/** The names the cross-field pass has seen: caches created and object handles. */
function names(ctx: StepCheckContext): { caches: Set<string>; objs: Set<string> } {
  return ctx.scratch("slab", () => ({ caches: new Set<string>(), objs: new Set<string>() }));
}

const isKmallocCache = (name: string) => /^(dma-)?kmalloc-/.test(name);

/** A list of kmalloc sizes (kmalloc and slab_churn steps). */
const kmallocSizes = checked<number[]>((v) =>
  Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 1 && x <= KMALLOC_MAX_SIZE)
    ? { ok: v as number[] }
    : `expected a non-empty list of sizes from 1 to ${KMALLOC_MAX_SIZE}, got ${describeValue(v)}`,
);

/** kmem_cache_free, kfree, vfree and kvfree: which objects, how many, from which CPU, in which order. */
export function freeSchema(asWhat: string) {
  return z.strictObject({
    as: str(asWhat),
    count: countOrAll.default("all"),
    cpu: cpuField().optional(),
    order: checked<"lifo" | "random">((v) => (v === "lifo" || v === "random" ? { ok: v } : `expected lifo or random, got ${describeValue(v)}`)).default("lifo"),
  });
}
const GFP_KERNEL_DEFAULT = { value: GFP_KERNEL, text: "GFP_KERNEL" } as const;

export const kmemCacheCreateStep = defineStep({
  kind: "kmem_cache_create",
  doc: "- kmem_cache_create: { name, size, align, flags }   a 6.1 kernel cache by name (dentry, …) or an explicit one",
  schema: z.strictObject({
    name: str("a cache name (a kernel cache such as dentry takes its 6.1 size and flags)"),
    size: int(8, KMALLOC_MAX_SIZE, "an object size in bytes").optional(),
    align: int(0, 4096, "an alignment in bytes").optional(),
    flags: checked<number>((v) => {
      const r = parseSlabFlags(v);
      return typeof r === "string" ? r : { ok: r };
    }).optional(),
  }),
  make(d, ctx) {
    const known = KERNEL_CACHES[d.name];
    if (!known && d.size === undefined) throw ctx.error(["size"], `${MISSING}: "${d.name}" is not a kernel cache mmsim knows (${Object.keys(KERNEL_CACHES).join(", ")}); give its size`);
    return { kind: "kmem_cache_create", line: ctx.line, name: d.name, size: d.size ?? known!.size, align: d.align ?? known?.align ?? 8, flags: d.flags ?? known?.flags ?? 0, usercopy: known?.usercopy ?? false, ctor: known?.ctor ?? false };
  },
  check(step, ctx) {
    names(ctx).caches.add(step.name);
  },
  run(step, ctx) {
    const slab = requireSlab(ctx);
    const ctor = step.ctor ? (_obj: number) => {} : undefined;
    const log = ctx.resolve(KERNEL_LOG);
    const before = log.length;
    const c = slab.kmemCacheCreate(step.name, step.size, step.align, step.flags, ctor, step.usercopy ? step.size : 0);
    if (!c) {
      const said = log.all().slice(before).map((r) => r.text).join("; ");
      throw ctx.error(`kmem_cache_create ${step.name}`, `the kernel refused to create the cache${said ? ` (its log: "${said}")` : ""}; check its size, align and flags`);
    }
  },
});

export const kmemCacheAllocStep = defineStep({
  kind: "kmem_cache_alloc",
  doc: "- kmem_cache_alloc: { cache, as, count: 1, cpu: 0, gfp: GFP_KERNEL }; kmem_cache_free: { as, count: all, order: lifo|random }",
  schema: z.strictObject({
    cache: str("the name of a cache created earlier (or a kmalloc cache such as kmalloc-256)"),
    as: str("a name for the objects (a later kmem_cache_free names it)"),
    count: int(1, INT_MAX, "a count").default(1),
    cpu: cpuField().optional(),
    gfp: gfp.default(GFP_KERNEL_DEFAULT),
  }),
  make: (d, ctx) => ({ kind: "kmem_cache_alloc", line: ctx.line, cache: d.cache, as: d.as, count: d.count, cpu: d.cpu, gfp: d.gfp.value, gfpText: d.gfp.text }),
  cost: (step) => step.count,
  check(step, ctx) {
    if (step.cpu !== undefined) ctx.checkCpu(step.cpu, ["cpu"]);
    if (!names(ctx).caches.has(step.cache) && !isKmallocCache(step.cache)) {
      throw ctx.error(["cache"], `no cache "${step.cache}" is created before this step; add a kmem_cache_create step, or use a kmalloc cache`);
    }
    names(ctx).objs.add(step.as);
    declareBuffer(ctx, FAMILY, step.as);
  },
  run(step, ctx) {
    const slab = requireSlab(ctx);
    const c = slab.findCache(step.cache);
    if (!c) throw ctx.error(`kmem_cache_alloc ${step.cache}`, `no cache "${step.cache}"`);
    const held = heldFor(ctx, step.as, c.id, step.line);
    const ops = slabOpsOf(ctx);
    for (let i = 0; i < step.count; i++) {
      const o = slab.allocator.kmemCacheAlloc(c.id, step.gfp, step.cpu ?? ctx.cpu);
      ops.allocs++;
      if (o === 0) ctx.failedAlloc(step.as);
      else {
        held.objs.push(o);
        held.sizes.push(c.objectSize);
      }
    }
  },
});

export const kmallocStep = defineStep({
  kind: "kmalloc",
  doc: "- kmalloc: { as, size | sizes, count: 1, cpu: 0, gfp: GFP_KERNEL }; kfree: { as, count: all, order: lifo|random }",
  schema: z.strictObject({
    as: str("a name for the objects (a later kfree names it)"),
    size: int(1, KMALLOC_MAX_SIZE, "a size in bytes").optional(),
    sizes: kmallocSizes.optional(),
    count: int(1, INT_MAX, "a count").default(1),
    cpu: cpuField().optional(),
    gfp: gfp.default(GFP_KERNEL_DEFAULT),
  }),
  make(d, ctx) {
    if ((d.size === undefined) === (d.sizes === undefined)) throw ctx.error([], "give either size or sizes (a list the seeded RNG picks from)");
    return { kind: "kmalloc", line: ctx.line, sizes: d.sizes ?? [d.size!], as: d.as, count: d.count, cpu: d.cpu, gfp: d.gfp.value, gfpText: d.gfp.text };
  },
  cost: (step) => step.count,
  check(step, ctx) {
    if (step.cpu !== undefined) ctx.checkCpu(step.cpu, ["cpu"]);
    names(ctx).objs.add(step.as);
    declareBuffer(ctx, FAMILY, step.as);
  },
  run(step, ctx) {
    const slab = requireSlab(ctx);
    const held = heldFor(ctx, step.as, -1, step.line);
    const ops = slabOpsOf(ctx);
    for (let i = 0; i < step.count; i++) {
      const size = step.sizes.length === 1 ? step.sizes[0]! : step.sizes[ctx.workloadRng.below(step.sizes.length)]!;
      const o = slab.kmalloc(size, step.gfp, step.cpu ?? ctx.cpu);
      ops.allocs++;
      if (o === 0) ctx.failedAlloc(step.as);
      else {
        held.objs.push(o);
        held.sizes.push(size);
      }
    }
  },
});

function slabFreeStep(kind: "kmem_cache_free" | "kfree", asWhat: string) {
  return defineStep({
    kind,
    doc: "",
    schema: freeSchema(asWhat),
    make: (d, ctx) => ({ kind, line: ctx.line, as: d.as, count: d.count, cpu: d.cpu, order: d.order }),
    check(step, ctx) {
      if (step.cpu !== undefined) ctx.checkCpu(step.cpu, ["cpu"]);
      if (!names(ctx).objs.has(step.as)) throw ctx.error(["as"], `"${step.as}" names no earlier kmem_cache_alloc or kmalloc`);
    },
    run(step, ctx) {
      const slab = requireSlab(ctx);
      const held = ctx.handles.get<SlabHandle>(FAMILY, step.as);
      if (!held) throw ctx.error(`free ${step.as}`, `nothing was allocated under "${step.as}"`);
      const n = step.count === "all" ? held.objs.length : step.count;
      if (n > held.objs.length) throw ctx.error(`free ${step.as}`, `asks to free ${n} objects but "${step.as}" holds ${held.objs.length}`);
      for (let i = 0; i < n; i++) {
        // lifo: newest first; random: a seeded choice among those held
        const k = step.order === "random" ? ctx.workloadRng.below(held.objs.length) : held.objs.length - 1;
        freeHeld(ctx, slab, held, held.cache, k, step.cpu ?? ctx.cpu);
      }
    },
  });
}
export const kmemCacheFreeStep = slabFreeStep("kmem_cache_free", "the name of an earlier kmem_cache_alloc");
export const kfreeStep = slabFreeStep("kfree", "the name of an earlier kmalloc");

const CORRUPTIONS = Object.freeze(["overflow", "use_after_free", "double_free"] as const);
type Corruption = (typeof CORRUPTIONS)[number];

/**
 * A bug on purpose, so learners can see slub_debug catch it: `overflow` writes `bytes` bytes
 * (0x41, 'A') just past the newest object of `as` (into its red zone with slub_debug=Z: caught
 * when it is freed or validated); `use_after_free` frees it, then writes its first bytes (over
 * the poison with P: caught when the object is allocated again or the cache validated);
 * `double_free` frees it twice (caught at the second free with F). Without slub_debug the
 * damage goes unseen or lands on a free pointer, as in the kernel.
 */
export const slabCorruptStep = defineStep({
  kind: "slab_corrupt",
  doc: "- slab_corrupt: { as, bug: overflow|use_after_free|double_free, bytes: 1, cpu }   a driver bug on the newest object of as (see slub_debug=FZPU catch it)",
  schema: z.strictObject({
    as: str("the name of an earlier kmem_cache_alloc or kmalloc"),
    bug: checked<Corruption>((v) => (typeof v === "string" && (CORRUPTIONS as readonly string[]).includes(v) ? { ok: v as Corruption } : `expected one of ${CORRUPTIONS.join(", ")}, got ${describeValue(v)}`)),
    bytes: int(1, 4096, "a number of bytes").default(1),
    cpu: cpuField().optional(),
  }),
  make: (d, ctx) => ({ kind: "slab_corrupt" as const, line: ctx.line, as: d.as, bug: d.bug, bytes: d.bytes, cpu: d.cpu }),
  check(step, ctx) {
    if (step.cpu !== undefined) ctx.checkCpu(step.cpu, ["cpu"]);
    if (!names(ctx).objs.has(step.as)) throw ctx.error(["as"], `"${step.as}" names no earlier kmem_cache_alloc or kmalloc`);
  },
  run(step, ctx) {
    const slab = requireSlab(ctx);
    const held = ctx.handles.get<SlabHandle>(FAMILY, step.as);
    if (!held || held.objs.length === 0) throw ctx.error(`slab_corrupt ${step.as}`, `"${step.as}" holds no object now (freed, or its allocation failed)`);
    const a = slab.allocator;
    const cpu = step.cpu ?? ctx.cpu;
    const k = held.objs.length - 1;
    const obj = held.objs[k]!;
    const cache = held.cache >= 0 ? held.cache : a.objectCache(obj);
    if (step.bug !== "double_free" && a.debugWrite === undefined) throw ctx.error(`slab_corrupt ${step.as}`, `the ${a.name} allocator simulates no object bytes; use double_free, or kernel.policies.slab: slub`);
    if (step.bug === "overflow") {
      a.debugWrite!(obj, a.geometry(cache).objectSize, step.bytes, 0x41);
      return;
    }
    freeHeld(ctx, slab, held, held.cache, k, cpu);
    if (step.bug === "use_after_free") a.debugWrite!(obj, 0, step.bytes, 0x41);
    else if (held.cache < 0) slab.kfree(obj, cpu);
    else a.kmemCacheFree(held.cache, obj, cpu);
  },
});

export const slabChurnStep = defineStep({
  kind: "slab_churn",
  doc: "- slab_churn: { cache | sizes, as, pattern: steady|burst|mixed, ops, live: 1000, cpus: [0] }   allocation churn from the workload RNG",
  schema: z.strictObject({
    cache: str("a cache created earlier (or a kmalloc cache)").optional(),
    sizes: kmallocSizes.optional(),
    as: str("a name for the objects left at the end"),
    pattern: checked<"steady" | "burst" | "mixed">((v) => (v === "steady" || v === "burst" || v === "mixed" ? { ok: v } : `expected steady, burst or mixed, got ${describeValue(v)}`)),
    ops: int(1, INT_MAX, "a number of operations"),
    live: int(0, INT_MAX, "objects kept live (steady)").default(1000),
    cpus: checked<number[]>((v) => (Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0 && x <= INT_MAX) ? { ok: v as number[] } : `expected a non-empty list of CPU numbers, got ${describeValue(v)}`)).default([0]),
    gfp: gfp.default(GFP_KERNEL_DEFAULT),
  }),
  make(d, ctx) {
    if ((d.cache === undefined) === (d.sizes === undefined)) throw ctx.error([], "give either cache or sizes (kmalloc sizes the seeded RNG picks from)");
    return { kind: "slab_churn", line: ctx.line, cache: d.cache, sizes: d.sizes ?? [], as: d.as, pattern: d.pattern, ops: d.ops, live: d.live, cpus: d.cpus, gfp: d.gfp.value, gfpText: d.gfp.text };
  },
  cost: (step) => step.ops + step.live,
  check(step, ctx) {
    for (const [i, c] of step.cpus.entries()) ctx.checkCpu(c, ["cpus", i]);
    if (step.cache !== undefined && !names(ctx).caches.has(step.cache) && !isKmallocCache(step.cache)) {
      throw ctx.error(["cache"], `no cache "${step.cache}" is created before this step; add a kmem_cache_create step, or use sizes`);
    }
    names(ctx).objs.add(step.as);
    declareBuffer(ctx, FAMILY, step.as);
  },
  /**
   * steady (keep ~live objects, each op frees a random one and allocates), burst (allocate ops
   * objects, then free them all in random order), mixed (1 in 5 allocations long-lived and kept,
   * the others freed after a short random lifetime). All choices come from the workload RNG.
   */
  run(step, ctx) {
    const slab = requireSlab(ctx);
    const rng = ctx.workloadRng;
    const ops = slabOpsOf(ctx);
    let cacheId = -1;
    let objSize = 0;
    if (step.cache !== undefined) {
      const c = slab.findCache(step.cache);
      if (!c) throw ctx.error(`slab_churn ${step.cache}`, `no cache "${step.cache}"`);
      cacheId = c.id;
      objSize = c.objectSize;
    }
    const held = heldFor(ctx, step.as, cacheId, step.line);
    const cpu = () => step.cpus[step.cpus.length === 1 ? 0 : rng.below(step.cpus.length)]!;
    const alloc = (into: { objs: number[]; sizes: number[] }): boolean => {
      const size = cacheId >= 0 ? objSize : step.sizes[step.sizes.length === 1 ? 0 : rng.below(step.sizes.length)]!;
      const o = cacheId >= 0 ? slab.allocator.kmemCacheAlloc(cacheId, step.gfp, cpu()) : slab.kmalloc(size, step.gfp, cpu());
      ops.allocs++;
      if (o === 0) {
        ctx.failedAlloc(step.as);
        return false;
      }
      into.objs.push(o);
      into.sizes.push(size);
      return true;
    };
    const freeAt = (from: { objs: number[]; sizes: number[] }, k: number) => freeHeld(ctx, slab, from, cacheId, k, cpu());
    if (step.pattern === "steady") {
      // Fill up to `live`; a program filling its working set stops at the first NULL (the loop
      // made no progress from there and would never end).
      while (held.objs.length < step.live) if (!alloc(held)) break;
      for (let i = 0; i < step.ops; i++) {
        if (held.objs.length > 0) freeAt(held, rng.below(held.objs.length));
        alloc(held);
      }
    } else if (step.pattern === "burst") {
      const burst = { objs: [] as number[], sizes: [] as number[] };
      for (let i = 0; i < step.ops; i++) alloc(burst);
      while (burst.objs.length > 0) freeAt(burst, rng.below(burst.objs.length));
    } else {
      // mixed: 1 in 5 long-lived (kept under `as`), the rest short-lived (freed within ~16 ops)
      const short = { objs: [] as number[], sizes: [] as number[] };
      for (let i = 0; i < step.ops; i++) {
        if (rng.below(5) === 0) alloc(held);
        else alloc(short);
        while (short.objs.length > 0 && rng.below(16) < short.objs.length) freeAt(short, rng.below(short.objs.length));
      }
      while (short.objs.length > 0) freeAt(short, short.objs.length - 1);
    }
  },
});

/** Bytes a workload's slab objects hold: object size for caches, the requested size for kmalloc. */
export function slabLiveBytes(handles: { family<H extends Handle>(f: string): ReadonlyMap<string, H> }): number {
  let n = 0;
  for (const h of handles.family<SlabHandle>(FAMILY).values()) for (const b of h.sizes) n += b;
  return n;
}

/** /proc/slabinfo: the caches, and SLAB's tunables on write ("name limit batchcount shared"). */
class SlabinfoFile implements KernelFile {
  readonly path = "/proc/slabinfo";
  constructor(private readonly slab: SlabCommon) {}
  read(): string {
    return this.slab.slabinfo();
  }
  write(_path: string, value: string): number | string {
    const w = this.slab.allocator.slabinfoWrite;
    if (!w) return `the ${this.slab.allocator.name} slab allocator has no tunables (only SLAB accepts writes: kernel.policies.slab: slab)`;
    return w.call(this.slab.allocator, value);
  }
}

/** /sys/kernel/slab/<cache>/<attr>: the allocator's sysfs, for a cache or one of its aliases. */
class SlabSysfs implements KernelFile {
  readonly path = "/sys/kernel/slab/";
  constructor(private readonly slab: SlabCommon) {}
  list(): string[] {
    const attrs = this.slab.allocator.sysfsAttributes?.() ?? [];
    const out: string[] = [];
    for (const c of this.slab.caches) for (const a of attrs) out.push(`${this.path}${c.name}/${a}`);
    return out;
  }
  read(path: string): string | undefined {
    const m = /^\/sys\/kernel\/slab\/([^/]+)\/([^/]+)$/.exec(path);
    const show = this.slab.allocator.sysfsShow;
    if (!m || !show) return undefined;
    const c = this.slab.findCache(m[1]!);
    return c ? show.call(this.slab.allocator, c.id, m[2]!, c.aliases.length, c.usersize) : undefined;
  }
}

/**
 * The figures `mmsim compare` shows for a slab allocator: pages held in slabs against the bytes
 * the workload's live objects hold (fragmentation), and the simulated cost per operation.
 */
const SLAB_METRIC_KEYS = Object.freeze(["slabPages", "slabKiB", "liveKiB", "overheadKiB", "fragmentationPct", "slabAllocs", "slabFrees", "nsPerSlabOp"]);

function slabMetrics(c: DependencyContainer): CompareMetric[] {
  const slab = () => resolveToken(c, SLAB_COMMON);
  const ws = resolveToken(c, WORKLOAD_STATE);
  const ops = () => slabOpsOf({ state: (key, init) => workloadRecord(ws, key, init) });
  const slabPages = () => {
    let n = 0;
    for (const cache of slab().caches) n += slab().allocator.slabPages(cache.id);
    return n;
  };
  const slabKiB = () => (slabPages() * PAGE_SIZE) / 1024;
  const liveKiB = () => Math.round(slabLiveBytes(ws.handles) / 1024);
  let t0 = 0;
  return [
    { key: "slabPages", rank: 10, label: "slab pages (KiB)", sample: slabPages, cell: (f) => `${f.slabPages} (${f.slabKiB})` },
    { key: "slabKiB", rank: 11, sample: slabKiB },
    { key: "liveKiB", rank: 20, label: "live objects (KiB)", sample: liveKiB },
    { key: "overheadKiB", rank: 30, label: "overhead (KiB)", sample: () => slabKiB() - liveKiB() },
    {
      key: "fragmentationPct",
      rank: 40,
      label: "fragmentation (%)",
      sample: () => (slabKiB() > 0 ? Math.round((1000 * (slabKiB() - liveKiB())) / slabKiB()) / 10 : 0),
      cell: (f) => f.fragmentationPct!.toFixed(1),
    },
    { key: "slabAllocs", rank: 70, label: "slab allocs / frees", sample: () => ops().allocs, cell: (f) => `${f.slabAllocs} / ${f.slabFrees}` },
    { key: "slabFrees", rank: 71, sample: () => ops().frees },
    {
      key: "nsPerSlabOp",
      rank: 100,
      label: "simulated ns per slab op",
      begin: () => {
        t0 = resolveToken(c, SIM_CLOCK).now();
      },
      sample: () => {
        const n = ops().allocs + ops().frees;
        return n > 0 ? Math.round((10 * (resolveToken(c, SIM_CLOCK).now() - t0)) / n) / 10 : 0;
      },
      cell: (f) => f.nsPerSlabOp!.toFixed(1),
    },
  ];
}

/**
 * The slab layer of a machine with a slab allocator: its files, workload steps and compare
 * figures. The machine registers it when the `slab` slot is filled and registers SLAB_COMMON at
 * kmem_cache_init.
 */
export const slabCommonModule: MmsimModule = {
  slot: "slab_common",
  name: "slab_common",
  description: "mm/slab_common.c (Linux 6.1): kmalloc caches, kmem_cache_create, /proc/slabinfo, /sys/kernel/slab over the chosen slab allocator",
  register(container: DependencyContainer): void {
    container.register(KernelFile, { useFactory: (c) => new SlabinfoFile(resolveToken(c, SLAB_COMMON)) });
    container.register(KernelFile, { useFactory: (c) => new SlabSysfs(resolveToken(c, SLAB_COMMON)) });
    for (const key of SLAB_METRIC_KEYS) container.register(CompareMetric, { useFactory: (c) => slabMetrics(c).find((m) => m.key === key)! });
  },
  steps: [kmemCacheCreateStep, kmemCacheAllocStep, kmemCacheFreeStep, kmallocStep, kfreeStep, slabChurnStep, slabCorruptStep],
};
