// Kernel: mm/vmalloc.c (s_show, show_numa_info, show_purge_info; v6.1), fs/proc/meminfo.c (VmallocTotal/Used/Chunk) — /proc/vmallocinfo and vmalloc's /proc/meminfo lines
/*
 * One line per busy vmap_area, in address order (vmap_area_list):
 *
 *   0x%pK-0x%pK %7ld [%pS] [pages=%d] [phys=%pa] [ioremap][vmalloc][vmap][user][dma-coherent][vpages] [N%u=%u…]
 *
 * or `0x%pK-0x%pK %7ld vm_map_ram` for an area without a vm_struct; after the last busy area,
 * `0x%pK-0x%pK %7ld unpurged vm_area` for each lazily freed area (purge_vmap_area_list).
 * The range and size of a vm_struct line are v->addr and v->size (guard page included).
 *
 * Addresses are printed as 16 hex digits: what root sees with kptr_restrict=1 (with 0, the
 * default on the reference system, %pK hashes them, which is why the reference capture shows
 * unrelated numbers). `phys=` is %pa: 0x + 16 hex digits. Callers are the strings given to the
 * API (the kernel prints the symbol of the return address).
 */
import { PAGE_SIZE } from "@mmsim/core";
import { formatVa } from "@mmsim/hw-arm64";
import type { VmallocState } from "./vmalloc-state.ts";
import { PURGE_VMAP_AREA_LIST, VMAP_AREA_LIST } from "./vmap-area.ts";
import {
  NIL_VM, VM_ALLOC, VM_DMA_COHERENT, VM_IOREMAP, VM_MAP, VM_UNINITIALIZED, VM_USERMAP,
} from "./vm-struct.ts";
import { isVmallocAddr } from "./vm-area.ts";

function pad7(n: number): string {
  return String(n).padStart(7, " ");
}

/** ` N<nid>=<pages>` for each node with pages of the area. Kernel: `show_numa_info()` (CONFIG_NUMA). */
function showNumaInfo(s: VmallocState, vm: number): string {
  const v = s.vms;
  if ((v.flags[vm]! & VM_UNINITIALIZED) !== 0) return "";
  const counters = s.numaCounters;
  counters.fill(0);
  const step = 2 ** v.pageOrder[vm]!;
  const pfns = v.pfns[vm];
  const toNid = s.cfg.pfnToNid;
  const n = v.nrPages[vm]!;
  if (pfns !== undefined) {
    for (let nr = 0; nr < n; nr += step) {
      const nid = toNid === undefined ? 0 : toNid(pfns[nr]!);
      counters[nid] = counters[nid]! + step;
    }
  }
  let out = "";
  for (let nid = 0; nid < counters.length; nid++) if (counters[nid]! > 0) out += ` N${nid}=${counters[nid]}`;
  return out;
}

/** The lazily freed areas. Kernel: `show_purge_info()`. */
function showPurgeInfo(s: VmallocState): string {
  const a = s.areas;
  let out = "";
  for (let va = a.next[PURGE_VMAP_AREA_LIST]!; va !== PURGE_VMAP_AREA_LIST; va = a.next[va]!) {
    out += `0x${formatVa(a.vaStart[va]!)}-0x${formatVa(a.vaEnd[va]!)} ${pad7(a.vaEnd[va]! - a.vaStart[va]!)} unpurged vm_area\n`;
  }
  return out;
}

/** One busy area's line. Kernel: `s_show()`. */
export function vmallocinfoLine(s: VmallocState, va: number): string {
  const a = s.areas;
  const vm = a.vm[va]!;
  if (vm === NIL_VM) return `0x${formatVa(a.vaStart[va]!)}-0x${formatVa(a.vaEnd[va]!)} ${pad7(a.vaEnd[va]! - a.vaStart[va]!)} vm_map_ram\n`;
  const v = s.vms;
  const addr = v.addr[vm]!;
  const size = v.size[vm]!;
  const flags = v.flags[vm]!;
  let out = `0x${formatVa(addr)}-0x${formatVa(addr + size)} ${pad7(size)}`;
  const caller = v.caller[vm];
  if (caller !== undefined && caller !== "") out += ` ${caller}`;
  if (v.nrPages[vm]! > 0) out += ` pages=${v.nrPages[vm]}`;
  if (v.physAddr[vm]! !== 0) out += ` phys=0x${v.physAddr[vm]!.toString(16).padStart(16, "0")}`;
  if ((flags & VM_IOREMAP) !== 0) out += " ioremap";
  if ((flags & VM_ALLOC) !== 0) out += " vmalloc";
  if ((flags & VM_MAP) !== 0) out += " vmap";
  if ((flags & VM_USERMAP) !== 0) out += " user";
  if ((flags & VM_DMA_COHERENT) !== 0) out += " dma-coherent";
  if (isVmallocAddr(s, v.pagesAddr[vm]!)) out += " vpages";
  out += showNumaInfo(s, vm);
  return `${out}\n`;
}

/** /proc/vmallocinfo. Kernel: the seq_file of `proc_vmalloc_init()` (s_start/s_next/s_show). */
export function vmallocinfo(s: VmallocState): string {
  const a = s.areas;
  let out = "";
  for (let va = a.next[VMAP_AREA_LIST]!; va !== VMAP_AREA_LIST; va = a.next[va]!) {
    out += vmallocinfoLine(s, va);
    if (a.next[va] === VMAP_AREA_LIST) out += showPurgeInfo(s); // list_is_last()
  }
  return out;
}

/** vmalloc's /proc/meminfo figures, in kB. */
export interface VmallocMeminfo {
  /** `VmallocTotal`: (VMALLOC_END - VMALLOC_START) >> 10. */
  readonly vmallocTotal: number;
  /** `VmallocUsed`: vmalloc_nr_pages() in kB (6.1: pages vmalloc allocated, not address space). */
  readonly vmallocUsed: number;
  /** `VmallocChunk`: 0 since 5.3. */
  readonly vmallocChunk: number;
}

/** Kernel: the Vmalloc lines of `meminfo_proc_show()` (fs/proc/meminfo.c). */
export function vmallocMeminfo(s: VmallocState): VmallocMeminfo {
  return {
    vmallocTotal: Math.floor((s.cfg.vmallocEnd - s.cfg.vmallocStart) / 1024),
    vmallocUsed: s.nrVmallocPages * (PAGE_SIZE / 1024),
    vmallocChunk: 0,
  };
}
