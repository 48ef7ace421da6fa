// Kernel: arch/arm64/mm (v6.1) — kernel buffers touched through the MMU, and mmsim's where/tlb debug files
/*
 * `access` of a kernel buffer (kmalloc, vmalloc, kvmalloc) translates each of its pages through
 * the MMU of a CPU (TLB, then a table walk on a miss); user mappings go through the fault path
 * instead (process/steps.ts). The `where/<name>` files walk the real tables for each page of a
 * buffer (the task's own tables for a user mapping); the `tlb` file prints the MMU's counters.
 */
import { KernelFile, PAGE_SIZE, type StepRunContext, WORKLOAD_STATE, resolveToken, workloadRecord } from "@mmsim/core";
import {
  ACCESS_READ, ACCESS_WRITE, ARM64_LAYOUT, INIT_MM, KERNEL_PAGE_TABLES, MMU, TLBI_NAMES, WalkOut, __va, faultNames, formatVa0x, layoutRegion,
  leafSizeNames, walk,
} from "@mmsim/hw-arm64";
import type { DependencyContainer } from "tsyringe";
import { MMAP_FAMILY, type MmapHandle } from "../process/syscall.ts";
import { PROCESSES } from "../process/token.ts";

/** mmsim's own debug files: where a workload buffer lives (`where/<as>`). */
export const WHERE_DIR = "/sys/kernel/debug/mmsim/where/";

/** Pages of one buffer a where/ file lists (256 MiB of 4 KiB pages); the rest are counted. */
export const MAX_WHERE_PAGES = 65536;
/** mmsim's own debug file: the MMU's TLB, walk and TLBI counters. */
export const TLB_FILE = "/sys/kernel/debug/mmsim/tlb";

/** A fault an `access` step met: the step's index, the address, the level and kind. */
interface AccessFault {
  readonly step: number;
  readonly va: number;
  readonly level: number;
  readonly fault: number;
}
const FAULTS = "access.faults";

/** An `access` of a kernel buffer: every page through the MMU of the step's CPU. */
export function kernelAccess(step: { readonly as: string; readonly cpu?: number; readonly write: boolean; readonly times: number }, ctx: StepRunContext): void {
  const hw = ctx.resolve(MMU);
  const layout = ctx.resolve(ARM64_LAYOUT);
  const cpu = step.cpu ?? ctx.cpu;
  const bufs = ctx.handles.buffersOf(step.as);
  if (bufs.length === 0) throw ctx.error(`access ${step.as}`, `"${step.as}" holds no buffer now (freed, or its allocation failed)`);
  const access = step.write ? ACCESS_WRITE : ACCESS_READ;
  const out = ctx.state("access.out", () => new WalkOut());
  const faults = ctx.state(FAULTS, (): AccessFault[] => []);
  for (let pass = 0; pass < step.times; pass++) {
    for (const b of bufs) {
      const va0 = b.space === "linear" ? __va(layout, b.addr) : b.addr;
      for (let va = Math.floor(va0 / PAGE_SIZE) * PAGE_SIZE; va < va0 + b.size; va += PAGE_SIZE) {
        if (hw.translate(cpu, va, access, out) !== 0) faults.push({ step: ctx.index, va, level: out.faultLevel, fault: out.fault });
      }
    }
  }
}

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
        const pgd = b.space === "user" ? userPgd(c, name) : store.swapperPgDir;
        if (pgd === undefined) continue;
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

/** The page-table root of the task that made the user mapping `name` (undefined once it has exited). */
function userPgd(c: DependencyContainer, name: string): number | undefined {
  const h = resolveToken(c, WORKLOAD_STATE).handles.get<MmapHandle>(MMAP_FAMILY, name);
  const t = h === undefined ? undefined : resolveToken(c, PROCESSES).tasks.lookup(h.pid);
  return t?.mm?.pgtables?.pgd;
}
