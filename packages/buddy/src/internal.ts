// Kernel: mm/internal.h (v6.1) — alloc_flags and FPI flags of the page allocator, struct alloc_context
import { COMPACT_SKIPPED, WMARK_HIGH, WMARK_LOW, WMARK_MIN } from "@mmsim/core";
import type { Zone } from "./mmzone.ts";

/** Watermark to check: the low bits of alloc_flags index zone->_watermark[]. */
export const ALLOC_WMARK_MIN = WMARK_MIN;
export const ALLOC_WMARK_LOW = WMARK_LOW;
export const ALLOC_WMARK_HIGH = WMARK_HIGH;
/** Don't check watermarks at all. */
export const ALLOC_NO_WATERMARKS = 0x04;
export const ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1;
/** OOM victim: may dip deeper into reserves (CONFIG_MMU). */
export const ALLOC_OOM = 0x08;
/** Try to alloc harder (GFP_ATOMIC, rt tasks). */
export const ALLOC_HARDER = 0x10;
/** __GFP_HIGH set. */
export const ALLOC_HIGH = 0x20;
/** Check for correct cpuset. */
export const ALLOC_CPUSET = 0x40;
/** Allow allocations from CMA areas. */
export const ALLOC_CMA = 0x80;
/** Avoid mixing pageblock types (CONFIG_ZONE_DMA32). */
export const ALLOC_NOFRAGMENT = 0x100;
/** Allow waking of kswapd; equals __GFP_KSWAPD_RECLAIM. */
export const ALLOC_KSWAPD = 0x800;

/** Free page internal flags (`fpi_t`). Kernel: mm/page_alloc.c. */
export const FPI_NONE = 0;
/** Skip the free-page-reporting notification. */
export const FPI_SKIP_REPORT_NOTIFY = 1 << 0;
/** Place the freed page on the tail of the free list (boot, onlining). */
export const FPI_TO_TAIL = 1 << 1;
/** Skip KASAN poisoning (no KASAN in the reference config: no effect). */
export const FPI_SKIP_KASAN_POISON = 1 << 2;

/** Kernel: `MAX_RECLAIM_RETRIES` (mm/internal.h). */
export const MAX_RECLAIM_RETRIES = 16;

/**
 * What one allocation carries through its attempts. Kernel: `struct alloc_context`.
 * Each machine owns a stack of them (PageAllocState.acStack, one per nesting level: a hook of the
 * slow path may allocate), filled in place so that no allocation makes an object.
 */
export class AllocContext {
  zonelist: readonly Zone[] = [];
  /** `preferred_zoneref->zone`, or undefined when no zone of the zonelist is allowed. */
  preferred: Zone | undefined = undefined;
  highestZoneidx = 0;
  migratetype = 0;
  /** mmsim: the CPU the allocation runs on (the kernel's smp_processor_id()). */
  cpu = 0;
  /** mmsim: the preferred node (the kernel passes preferred_nid beside the context). */
  nid = 0;
  /**
   * mmsim: __alloc_pages_slowpath's locals that its helpers write through pointers
   * (`compact_result`, `did_some_progress`, `no_progress_loops`), kept here so that the slow
   * path makes no object either.
   */
  compactResult: number = COMPACT_SKIPPED;
  didSomeProgress = 0;
  noProgressLoops = 0;
}
