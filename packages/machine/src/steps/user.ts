// Kernel: mm/mmap.c, mm/memory.c, arch/arm64/mm (v6.1) — the workload process's steps (mmap, munmap, access) and mmsim's where/tlb debug files
/*
 * Until the vma and fault packages exist, the workload has one stand-in process
 * (PopulatedAnonMm, user-mm.ts). Its mappings are the handle family "mmap". `access` touches
 * every page of any named buffer (kmalloc, vmalloc, kvmalloc, mmap) through the MMU of a CPU,
 * switching to the process's mm first for a user buffer. The `where/<name>` files walk the real
 * tables for each page of a buffer; the `tlb` file prints the MMU's counters.
 */
import {
  type Handle, type HandleBuffer, KernelFile, WORKLOAD_STATE, MAX_REPEAT, PAGE_SIZE, bool, cpuField, declareBuffer, defineStep, forgetBuffer,
  hasBuffer, int, resolveToken, workloadRecord, sizeField, str, token, z,
} from "@mmsim/core";
import {
  ACCESS_READ, ACCESS_WRITE, ARM64_LAYOUT, INIT_MM, KERNEL_PAGE_TABLES, MMU, TLBI_NAMES, WalkOut, __va, faultNames, formatVa0x, layoutRegion,
  leafSizeNames, walk,
} from "@mmsim/hw-arm64";
import type { DependencyContainer } from "tsyringe";
import { type PopulatedAnonMm, WORKLOAD_MM } from "../user-mm.ts";

/** mmsim's own debug files: where a workload buffer lives (`where/<as>`). */
export const WHERE_DIR = "/sys/kernel/debug/mmsim/where/";

/** Pages of one buffer a where/ file lists (256 MiB of 4 KiB pages); the rest are counted. */
export const MAX_WHERE_PAGES = 65536;
/** mmsim's own debug file: the MMU's TLB, walk and TLBI counters. */
export const TLB_FILE = "/sys/kernel/debug/mmsim/tlb";

/** The workload's process (mm 1), made at vmalloc_init time. */
export const WORKLOAD_PROCESS = token<PopulatedAnonMm>("WorkloadProcess");


/** A fault an `access` step met: the step's index, the address, the level and kind. */
interface AccessFault {
  readonly step: number;
  readonly va: number;
  readonly level: number;
  readonly fault: number;
}
const FAULTS = "access.faults";
const FAMILY = "mmap";

/** A mapping the workload holds: its start address in the process. */
interface MmapHandle extends Handle {
  readonly start: number;
}

export const mmapStep = defineStep({
  kind: "mmap",
  doc: "- mmap: { as, size, cpu: 0 }    a user malloc: mmap(MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE) in the workload's process; munmap: { as }",
  schema: z.strictObject({
    as: str("a name for the mapping (a later munmap names it)"),
    size: sizeField,
    cpu: cpuField().default(0),
  }),
  make: (d, ctx) => ({ kind: "mmap" as const, line: ctx.line, as: d.as, size: d.size, cpu: d.cpu }),
  cost: (step) => Math.max(1, Math.ceil(step.size / PAGE_SIZE)),
  check(step, ctx) {
    ctx.checkCpu(step.cpu, ["cpu"]);
    if (hasBuffer(ctx, step.as, FAMILY)) throw ctx.error(["as"], `"${step.as}" is already mapped by an earlier mmap; munmap it first or use another name`);
    declareBuffer(ctx, FAMILY, step.as);
  },
  run(step, ctx) {
    const mm = ctx.resolve(WORKLOAD_PROCESS);
    const r = mm.mmapPopulate(step.size, step.cpu);
    if (r < 0) {
      ctx.failedAlloc(step.as);
      return;
    }
    const h: MmapHandle = { start: r, line: step.line, buffers: (): HandleBuffer[] => [{ kind: "mmap (user malloc)", space: "user", addr: r, size: mm.sizeOf(r) }] };
    ctx.handles.set(FAMILY, step.as, h);
  },
});

export const munmapStep = defineStep({
  kind: "munmap",
  doc: "",
  schema: z.strictObject({
    as: str("the name of an earlier mmap"),
    cpu: cpuField().default(0),
  }),
  make: (d, ctx) => ({ kind: "munmap" as const, line: ctx.line, as: d.as, cpu: d.cpu }),
  check(step, ctx) {
    ctx.checkCpu(step.cpu, ["cpu"]);
    if (!forgetBuffer(ctx, FAMILY, step.as)) throw ctx.error(["as"], `"${step.as}" names no earlier mmap still mapped`);
  },
  run(step, ctx) {
    const h = ctx.handles.get<MmapHandle>(FAMILY, step.as);
    if (h === undefined) throw ctx.error(`munmap ${step.as}`, `"${step.as}" is not mapped (its mmap failed)`);
    ctx.handles.delete(FAMILY, step.as);
    ctx.resolve(WORKLOAD_PROCESS).munmap(h.start, step.cpu);
  },
});

export const accessStep = defineStep({
  kind: "access",
  doc: "- access: { as, cpu: 0, write: false, times: 1 }   touch every page of a buffer through the MMU (TLB, then a table walk on a miss)",
  schema: z.strictObject({
    as: str("the name of an earlier kmalloc, vmalloc, kvmalloc or mmap"),
    cpu: cpuField().default(0),
    write: bool.default(false),
    times: int(1, MAX_REPEAT, "how many passes over the buffer").default(1),
  }),
  make: (d, ctx) => ({ kind: "access" as const, line: ctx.line, as: d.as, cpu: d.cpu, write: d.write, times: d.times }),
  check(step, ctx) {
    ctx.checkCpu(step.cpu, ["cpu"]);
    if (!hasBuffer(ctx, step.as)) throw ctx.error(["as"], `"${step.as}" names no buffer allocated before this step (kmalloc, vmalloc, kvmalloc or mmap)`);
  },
  run(step, ctx) {
    const hw = ctx.resolve(MMU);
    const layout = ctx.resolve(ARM64_LAYOUT);
    const bufs = ctx.handles.buffersOf(step.as);
    if (bufs.length === 0) throw ctx.error(`access ${step.as}`, `"${step.as}" holds no buffer now (freed, or its allocation failed)`);
    // A user buffer runs in the workload's process: switch_mm to it first (ASID, TTBR0).
    if (bufs.some((b) => b.space === "user") && hw.currentMm[step.cpu] !== WORKLOAD_MM) hw.switchMm(step.cpu, WORKLOAD_MM, ctx.resolve(WORKLOAD_PROCESS).pgd!);
    const access = step.write ? ACCESS_WRITE : ACCESS_READ;
    const out = ctx.state("access.out", () => new WalkOut());
    const faults = ctx.state(FAULTS, (): AccessFault[] => []);
    for (let pass = 0; pass < step.times; pass++) {
      for (const b of bufs) {
        const va0 = b.space === "linear" ? __va(layout, b.addr) : b.addr;
        for (let va = Math.floor(va0 / PAGE_SIZE) * PAGE_SIZE; va < va0 + b.size; va += PAGE_SIZE) {
          if (hw.translate(step.cpu, va, access, out) !== 0) faults.push({ step: ctx.index, va, level: out.faultLevel, fault: out.fault });
        }
      }
    }
  },
});

export const USER_STEPS = Object.freeze([accessStep, mmapStep, munmapStep] as const);

/**
 * mmsim's own debug file (no kernel counterpart): the MMU's counters — per CPU and TLB
 * structure the lookups that hit and missed, fills, evictions and entries removed by TLBIs; the
 * translations, table walks and faults; the TLBI instructions issued by kind; the ASID
 * allocator's generation rollovers; and the faults the workload's `access` steps met.
 */
export function tlbFile(c: DependencyContainer): KernelFile {
  return {
    path: TLB_FILE,
    read: () => {
      const hw = resolveToken(c, MMU);
      const lines = [`translations ${hw.translations} walks ${hw.walks} faults ${hw.faults} (on a TLB hit: ${hw.hitFaults})`];
      for (let cpu = 0; cpu < hw.nrCpus; cpu++) {
        const t = hw.tlbs[cpu]!;
        for (const [what, x] of [["itlb", t.itlb], ["dtlb", t.dtlb], ["main", t.main]] as const) {
          if (!x) continue;
          lines.push(`cpu${cpu} ${what.padEnd(4)} ${x.sets}x${x.ways}: hits ${x.hits} misses ${x.misses} fills ${x.inserts} evictions ${x.evictions} invalidated ${x.invalidated}`);
        }
        lines.push(`cpu${cpu} asid ${hw.asid[cpu]} mm ${hw.currentMm[cpu] === INIT_MM ? "init_mm" : hw.currentMm[cpu]}`);
      }
      lines.push(`tlbi ${TLBI_NAMES.map((n, k) => `${n} ${hw.tlbi.issued[k]}`).join(" ")}`);
      lines.push(`asid rollovers ${hw.contexts.rollovers} new contexts ${hw.contexts.newContexts}`);
      for (const f of workloadRecord(resolveToken(c, WORKLOAD_STATE), FAULTS, (): AccessFault[] => [])) lines.push(`access fault: step ${f.step} va ${formatVa0x(f.va)} level ${f.level} ${faultNames[f.fault]}`);
      return `${lines.join("\n")}\n`;
    },
  };
}

/**
 * mmsim's own debug files (no kernel counterpart): where the workload's buffers `name` live —
 * each buffer's virtual range and region, and every page of it translated by a walk of the
 * real page tables (swapper_pg_dir, or the process's for an mmap), with whether the frames are
 * physically contiguous. kmalloc addresses are linear-map addresses (`__va` of the object).
 */
export function whereFiles(c: DependencyContainer): KernelFile {
  const handles = () => resolveToken(c, WORKLOAD_STATE).handles;
  return {
    path: WHERE_DIR,
    list: () => handles().bufferNames().map((n) => `${WHERE_DIR}${n}`),
    read: (path) => {
      const name = path.slice(WHERE_DIR.length);
      const kernel = resolveToken(c, KERNEL_PAGE_TABLES);
      const { store, layout } = kernel;
      const bufs = handles().buffersOf(name);
      if (bufs.length === 0) return undefined;
      const out = new WalkOut();
      const lines: string[] = [];
      for (const b of bufs) {
        const va0 = b.space === "linear" ? __va(layout, b.addr) : b.addr;
        const pgd = b.space === "user" ? resolveToken(c, WORKLOAD_PROCESS).pgd! : store.swapperPgDir;
        lines.push(`${name}: ${b.kind}, ${b.size} bytes at ${formatVa0x(va0)}-${formatVa0x(va0 + b.size - 1)} (${layoutRegion(layout, va0)}; TTBR${va0 < 0 ? 1 : 0})`);
        let runs = 0;
        let prevPa = -1;
        let listed = 0;
        const first = Math.floor(va0 / PAGE_SIZE) * PAGE_SIZE;
        for (let va = first; va < va0 + b.size; va += PAGE_SIZE) {
          const f = walk(store, pgd, va, ACCESS_READ, out);
          const pa = f === 0 ? out.pa - (out.pa % PAGE_SIZE) : -1;
          if (pa < 0 || pa !== prevPa + PAGE_SIZE) runs++;
          prevPa = pa;
          // Every page is walked (for the contiguity line); at most MAX_WHERE_PAGES are listed, so a
          // 60 GiB mapping does not build 15 million lines in memory.
          if (listed++ < MAX_WHERE_PAGES) lines.push(`  ${formatVa0x(va)} -> ${f === 0 ? `PA 0x${pa.toString(16).padStart(9, "0")} (pfn ${pa / PAGE_SIZE}, ${leafSizeNames[out.level]})` : `level ${out.faultLevel} fault`}`);
        }
        if (listed > MAX_WHERE_PAGES) lines.push(`  … ${listed - MAX_WHERE_PAGES} more pages not listed (mmsim lists the first ${MAX_WHERE_PAGES} pages of a buffer)`);
        lines.push(`  physically contiguous: ${runs === 1 ? "yes" : `no (${runs} separate runs of frames)`}`);
      }
      return `${lines.join("\n")}\n`;
    },
  };
}
