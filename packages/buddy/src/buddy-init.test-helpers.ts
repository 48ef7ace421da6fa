// mmsim: shared set-up for the boot-time tests of the buddy package (zone sizing, zonelists, watermarks, deferred init)
/*
 * Builds PageAllocState for a board and walks it through 6.1's boot order. The hand-over of
 * memblock_free_all() is replayed here from byte ranges (memory and reserved), because the
 * buddy package may not depend on @mmsim/memblock: the replay follows memblock's
 * free_low_memory_core_early() (reserve_bootmem_region for every reserved range, then the free
 * ranges in naturally aligned blocks of at most order MAX_ORDER − 1).
 */
import { readFileSync } from "node:fs";
import {
  CostModel, KernelLog, MAX_ORDER, MemMap, NIL_PAGE, PG_reserved, SimClock, TraceBus, pfnDown, pfnUp,
  type Validatable,
} from "@mmsim/core";
import { DeferredFreeRanges, earlyPageUninitialised, initReservedPage, type PfnRange } from "./mm-init.ts";
import { type NodeMemory, PageAllocState } from "./page-alloc-state.ts";
import { freePagesCore } from "./page-alloc.ts";
import { validateBuddy } from "./validate.ts";

/**
 * The zone limits free_area_init() gets on QEMU virt for RAM that starts below 4 GiB and ends at
 * `dramEnd` (zone_dma_bits 32, no dma-ranges): ZONE_DMA and ZONE_DMA32 end at min(dramEnd, 4 GiB),
 * ZONE_NORMAL at max_pfn, ZONE_MOVABLE 0 — what @mmsim/machine's arm64 platform computes with
 * zone_sizes_init() for these boards (the arch's code is the machine's, not this package's).
 */
export function virtZoneSizes(dramEnd: number): { maxZonePfn: number[] } {
  const dma = Math.min(dramEnd, 2 ** 32) / 4096;
  return { maxZonePfn: [dma, dma, dramEnd / 4096, 0] };
}

/** Reads a file of the real 6.1 capture of the 1 GiB / 2 CPU QEMU virt board. */
export function reference(name: string): string {
  return readFileSync(new URL(`../../../tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/${name}`, import.meta.url), "utf8");
}

/** The text of dmesg lines (timestamps cut off). */
export function referenceDmesgLines(): string[] {
  return reference("dmesg").split("\n").map((l) => l.replace(/^\[[ 0-9.]+\] /, ""));
}

/** Options of a test board. */
export interface BoardOptions {
  readonly nodes: readonly NodeMemory[];
  readonly maxZonePfn: readonly number[];
  readonly nrCpus: number;
  readonly cpuToNode?: readonly number[];
  readonly transparentHugepage?: boolean;
  readonly deferredStructPageInit?: boolean;
}

/** A PageAllocState whose MemMap spans from the lowest to the highest PFN of memory. */
export function makeBoard(opts: BoardOptions): PageAllocState {
  let base = Number.MAX_SAFE_INTEGER;
  let end = 0;
  for (const n of opts.nodes) {
    for (const [s, e] of n.ranges) {
      base = Math.min(base, s);
      end = Math.max(end, e);
    }
  }
  const mem = new MemMap({ basePfn: base, nrPages: end - base, nrListHeads: PageAllocState.listHeadsNeeded(opts.nodes.length, opts.nrCpus) });
  const clock = new SimClock();
  return new PageAllocState(mem, { ...opts }, clock, new CostModel(), new TraceBus(), new KernelLog(clock));
}

/** The allocator's own checker as a Validatable, for expectValid(). */
export function buddyValidatable(pa: PageAllocState): Validatable {
  return { validate: (sink) => validateBuddy(pa, sink) };
}

/** Memory minus reserved, as memblock's free ranges (bytes, ascending). */
function subtract(memory: readonly (readonly [number, number])[], reserved: readonly (readonly [number, number])[]): [number, number][] {
  const res = [...reserved].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [ms, me] of memory) {
    let cur = ms;
    for (const [rs, re] of res) {
      if (re <= cur || rs >= me) continue;
      if (rs > cur) out.push([cur, rs]);
      cur = Math.max(cur, re);
    }
    if (cur < me) out.push([cur, me]);
  }
  return out;
}

/** What the replayed hand-over did. */
export interface HandOver {
  /** Pages memblock_free_all() counts into totalram_pages (deferred ones included). */
  readonly pages: number;
  /** The blocks kept back for deferred init, as pageAllocInitLate() wants them. */
  readonly deferred: readonly PfnRange[];
}

/**
 * Replays memblock_free_all(): reset_all_zones_managed_pages(), reserve_bootmem_region() over
 * every reserved range (init_reserved_page + PageReserved), then memblock_free_pages() for the
 * free ranges in __free_pages_memory()'s blocks; kept-back blocks are recorded.
 */
export function handOver(pa: PageAllocState, memory: readonly (readonly [number, number])[], reserved: readonly (readonly [number, number])[]): HandOver {
  const mem = pa.mem;
  for (const zone of pa.zones) zone.managedPages = 0;
  for (const [s, e] of reserved) {
    for (let pfn = pfnDown(s); pfn < pfnUp(e); pfn++) {
      if (!mem.pfnValid(pfn)) continue;
      initReservedPage(pa, pfn);
      const page = mem.pfnToPage(pfn);
      mem.lruNext[page] = NIL_PAGE;
      mem.lruPrev[page] = NIL_PAGE;
      mem.flags[page] = mem.flags[page]! | (1 << PG_reserved);
    }
  }
  const deferred = new DeferredFreeRanges();
  let pages = 0;
  for (const [s, e] of subtract(memory, reserved)) {
    let start = pfnUp(s);
    const end = pfnDown(e);
    if (start >= end) continue;
    pages += end - start;
    while (start < end) {
      let order = 0;
      while (order < MAX_ORDER - 1 && start % 2 ** (order + 1) === 0) order++;
      while (start + 2 ** order > end) order--;
      if (earlyPageUninitialised(pa, start)) deferred.record(start, order);
      else freePagesCore(pa, mem.pfnToPage(start), order);
      start += 2 ** order;
    }
  }
  return { pages, deferred: deferred.ranges };
}

/** The reference board's memblock.memory: one bank, 1 GiB at 0x40000000 (sys_kernel_debug_memblock_memory). */
export const REFERENCE_MEMORY: readonly (readonly [number, number])[] = [[0x40000000, 0x80000000]];

/**
 * memblock.reserved at memblock_free_all() time on the reference board: the ranges of
 * sys_kernel_debug_memblock_reserved (captured after boot), plus the initrd (0x48000000, 964K
 * rounded to 0xf1000 bytes: "Freeing initrd memory: 964K" in dmesg and 48000000-480f1fff in
 * proc_iomem), which was still reserved then and was freed later.
 */
export function referenceReserved(): [number, number][] {
  const out: [number, number][] = [];
  for (const line of reference("sys_kernel_debug_memblock_reserved").split("\n")) {
    const m = /0x([0-9a-f]+)\.\.0x([0-9a-f]+)/.exec(line);
    if (m) out.push([parseInt(m[1]!, 16), parseInt(m[2]!, 16) + 1]);
  }
  out.push([0x48000000, 0x48000000 + 0xf1000]);
  return out.sort((a, b) => a[0] - b[0]);
}

/** The CMA area of the reference board: `cma: Reserved 64 MiB at 0x000000007ac00000` (dmesg). */
export const REFERENCE_CMA: readonly [number, number] = [0x7ac00000, 0x7ac00000 + 64 * 1024 * 1024];
