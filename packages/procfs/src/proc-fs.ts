// mmsim: path → renderer dispatch for the simulated /proc and debugfs files (cf. fs/proc/generic.c proc_create_seq())
/*
 * The kernel registers each file once (proc_create_seq("buddyinfo", …) in init_mm_internals(),
 * proc_create_single("meminfo", …), …) and a read runs its show function. ProcFs keeps that
 * table: a path maps to a pure renderer over the machine's state, so reading a file never
 * changes the simulation. A file whose source is not given (no memblock, no iomem tree) is
 * absent, as a file is when its subsystem is not built in.
 */
import type { VmStat } from "@mmsim/core";
import type { PageAllocState } from "@mmsim/buddy";
import { MEMBLOCK_DEBUGFS_MEMORY, MEMBLOCK_DEBUGFS_RESERVED, type Memblock } from "@mmsim/memblock";
import { memblockMemoryShow, memblockReservedShow } from "./debugfs.ts";
import { PROC_IOMEM, type IomemShowOptions, type Resource, rShow } from "./iomem.ts";
import { type MeminfoOptions, PROC_MEMINFO, meminfoProcShow } from "./meminfo.ts";
import {
  PROC_BUDDYINFO, PROC_PAGETYPEINFO, PROC_VMSTAT, PROC_ZONEINFO, type VmstatOptions, type ZoneinfoOptions, fragShow,
  pagetypeinfoShow, vmstatShow, zoneinfoShow,
} from "./vmstat.ts";

/** What the files are rendered from. Only `pageAlloc` and `counters` are required. */
export interface ProcFsSources {
  /** The page allocator's state (zones, free lists, watermarks, pagesets): buddyinfo, pagetypeinfo, zoneinfo, meminfo. */
  readonly pageAlloc: PageAllocState;
  /** The machine's vmstat counters (VM_STAT; `pageAlloc.vmstat` of a machine): vmstat, zoneinfo, meminfo. */
  readonly counters: VmStat;
  /** memblock: /sys/kernel/debug/memblock/{memory,reserved}. */
  readonly memblock?: Memblock;
  /** The iomem_resource tree (e.g. from arm64StandardResources()): /proc/iomem. */
  readonly iomem?: Resource;
  /** Inputs of /proc/meminfo that no mechanism holds yet. */
  readonly meminfo?: MeminfoOptions;
  /** Inputs of /proc/zoneinfo that no mechanism holds yet. */
  readonly zoneinfo?: ZoneinfoOptions;
  /** Inputs of /proc/vmstat that no mechanism holds yet. */
  readonly vmstat?: VmstatOptions;
  /** Reader credentials for /proc/iomem. */
  readonly iomemShow?: IomemShowOptions;
  /** vmalloc's `s_show` over every vmap_area: /proc/vmallocinfo (e.g. `Vmalloc.vmallocinfo`). */
  readonly vmallocinfo?: () => string;
  /** ptdump of init_mm: /sys/kernel/debug/kernel_page_tables (e.g. hw-arm64's `ptdumpKernel`). */
  readonly kernelPageTables?: () => string;
}

/** One registered file. */
/** The vmalloc areas file. Kernel: proc_create_seq_private("vmallocinfo", …) in mm/vmalloc.c. */
export const PROC_VMALLOCINFO = "/proc/vmallocinfo";
/** ptdump's debugfs file (CONFIG_PTDUMP_DEBUGFS; mmsim renders it although the reference config lacks it). */
export const KERNEL_PAGE_TABLES_DEBUGFS = "/sys/kernel/debug/kernel_page_tables";

interface ProcEntry {
  readonly path: string;
  /** The optional source the file needs, if any. */
  readonly needs?: "memblock" | "iomem" | "vmallocinfo" | "kernelPageTables";
  readonly show: (src: ProcFsSources) => string;
}

/** Every file procfs can render, in a fixed order (the order listProcFiles() returns). */
const ENTRIES: readonly ProcEntry[] = [
  { path: PROC_BUDDYINFO, show: (src) => fragShow(src.pageAlloc) },
  { path: PROC_IOMEM, needs: "iomem", show: (src) => rShow(src.iomem!, src.iomemShow) },
  { path: PROC_MEMINFO, show: (src) => meminfoProcShow(src.pageAlloc, src.counters, src.meminfo) },
  { path: PROC_PAGETYPEINFO, show: (src) => pagetypeinfoShow(src.pageAlloc) },
  { path: PROC_VMSTAT, show: (src) => vmstatShow(src.pageAlloc, src.counters, src.vmstat) },
  { path: PROC_ZONEINFO, show: (src) => zoneinfoShow(src.pageAlloc, src.counters, src.zoneinfo) },
  { path: MEMBLOCK_DEBUGFS_MEMORY, needs: "memblock", show: (src) => memblockMemoryShow(src.memblock!) },
  { path: MEMBLOCK_DEBUGFS_RESERVED, needs: "memblock", show: (src) => memblockReservedShow(src.memblock!) },
  { path: PROC_VMALLOCINFO, needs: "vmallocinfo", show: (src) => src.vmallocinfo!() },
  { path: KERNEL_PAGE_TABLES_DEBUGFS, needs: "kernelPageTables", show: (src) => src.kernelPageTables!() },
];


/** True when `src` has what the entry needs. */
function present(e: ProcEntry, src: ProcFsSources): boolean {
  return e.needs === undefined || src[e.needs] !== undefined;
}

/**
 * Reads a simulated file.
 * @returns its text, or undefined for a path procfs does not have (or whose source is missing)
 */
export function readProcFile(src: ProcFsSources, path: string): string | undefined {
  for (const e of ENTRIES) if (e.path === path) return present(e, src) ? e.show(src) : undefined;
  return undefined;
}

/**
 * The paths procfs serves: all of them, or, given sources, those that can be rendered from them.
 */
export function listProcFiles(src?: ProcFsSources): string[] {
  const out: string[] = [];
  for (const e of ENTRIES) if (!src || present(e, src)) out.push(e.path);
  return out;
}

/** The files of one machine, bound to its state. */
export class ProcFs {
  constructor(readonly sources: ProcFsSources) {}

  /** Kernel: a read(2) of the file. @returns its text, or undefined for an unknown path */
  read(path: string): string | undefined {
    return readProcFile(this.sources, path);
  }

  /** The paths this machine has. */
  list(): string[] {
    return listProcFiles(this.sources);
  }
}
