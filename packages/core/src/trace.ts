// Kernel: include/trace/events/kmem.h, vmscan.h, compaction.h, oom.h (v6.1) — tracepoints as a bus
/*
 * A tracepoint is an id with the kernel's name (`mm_page_alloc`) and its fields in TP_STRUCT
 * order. Code fires it with numbers only, behind one boolean test, so a disabled bus costs one
 * load and a branch (STYLE C8):
 *
 *     if (trace.on) trace.emit(TP_MM_PAGE_ALLOC, pfn, order, gfp, migratetype, 0, 0);
 *
 * `on` is true only while some handler is attached. Handlers receive the tracepoint id, the
 * simulated time and up to six numeric fields; they must not throw. Packages add their
 * tracepoints to TRACEPOINTS here, so ids stay dense and names unique.
 */
import type { SimClock } from "./clock.ts";

/** What a tracepoint field holds, which decides how it prints. */
export type TraceFieldKind = "pfn" | "dec" | "hex" | "gfp" | "bool" | "addr";

/** A tracepoint: its kernel name, its subsystem (trace system) and its fields. */
export interface TracepointInfo {
  readonly id: number;
  /** Trace system, e.g. `"kmem"`, `"vmscan"` (the directory under events/). */
  readonly system: string;
  /** Kernel name, e.g. `"mm_page_alloc"`. */
  readonly name: string;
  /** Field names in the kernel's TP_printk order, with how each prints. */
  readonly fields: readonly (readonly [name: string, kind: TraceFieldKind])[];
}

export const TP_MM_PAGE_FREE = 0;
export const TP_MM_PAGE_FREE_BATCHED = 1;
export const TP_MM_PAGE_ALLOC = 2;
export const TP_MM_PAGE_ALLOC_ZONE_LOCKED = 3;
export const TP_MM_PAGE_PCPU_DRAIN = 4;
export const TP_MM_PAGE_ALLOC_EXTFRAG = 5;
export const TP_KMALLOC = 6;
export const TP_KFREE = 7;
export const TP_KMEM_CACHE_ALLOC = 8;
export const TP_KMEM_CACHE_FREE = 9;
export const TP_MM_VMSCAN_WAKEUP_KSWAPD = 10;
export const TP_MM_VMSCAN_KSWAPD_WAKE = 11;
export const TP_MM_VMSCAN_DIRECT_RECLAIM_BEGIN = 12;
export const TP_MM_VMSCAN_DIRECT_RECLAIM_END = 13;
export const TP_MM_COMPACTION_BEGIN = 14;
export const TP_MM_COMPACTION_END = 15;
export const TP_MARK_VICTIM = 16;
/** Number of tracepoints; sizes per-tracepoint tables. */
export const NR_TRACEPOINTS = 17;
export type TracepointId = number;

/** Every tracepoint, indexed by id. Field lists follow each event's TP_printk in 6.1. */
export const TRACEPOINTS: readonly TracepointInfo[] = Object.freeze([
  { id: TP_MM_PAGE_FREE, system: "kmem", name: "mm_page_free", fields: [["pfn", "pfn"], ["order", "dec"]] },
  { id: TP_MM_PAGE_FREE_BATCHED, system: "kmem", name: "mm_page_free_batched", fields: [["pfn", "pfn"]] },
  {
    id: TP_MM_PAGE_ALLOC, system: "kmem", name: "mm_page_alloc",
    fields: [["pfn", "pfn"], ["order", "dec"], ["gfp_flags", "gfp"], ["migratetype", "dec"]],
  },
  {
    id: TP_MM_PAGE_ALLOC_ZONE_LOCKED, system: "kmem", name: "mm_page_alloc_zone_locked",
    fields: [["pfn", "pfn"], ["order", "dec"], ["migratetype", "dec"], ["percpu_refill", "dec"]],
  },
  {
    id: TP_MM_PAGE_PCPU_DRAIN, system: "kmem", name: "mm_page_pcpu_drain",
    fields: [["pfn", "pfn"], ["order", "dec"], ["migratetype", "dec"]],
  },
  {
    id: TP_MM_PAGE_ALLOC_EXTFRAG, system: "kmem", name: "mm_page_alloc_extfrag",
    fields: [["pfn", "pfn"], ["alloc_order", "dec"], ["fallback_order", "dec"], ["alloc_migratetype", "dec"],
      ["fallback_migratetype", "dec"], ["change_ownership", "dec"]],
  },
  {
    id: TP_KMALLOC, system: "kmem", name: "kmalloc",
    fields: [["ptr", "addr"], ["bytes_req", "dec"], ["bytes_alloc", "dec"], ["gfp_flags", "gfp"], ["node", "dec"]],
  },
  { id: TP_KFREE, system: "kmem", name: "kfree", fields: [["ptr", "addr"]] },
  {
    id: TP_KMEM_CACHE_ALLOC, system: "kmem", name: "kmem_cache_alloc",
    fields: [["ptr", "addr"], ["bytes_req", "dec"], ["bytes_alloc", "dec"], ["gfp_flags", "gfp"], ["node", "dec"]],
  },
  { id: TP_KMEM_CACHE_FREE, system: "kmem", name: "kmem_cache_free", fields: [["ptr", "addr"]] },
  {
    id: TP_MM_VMSCAN_WAKEUP_KSWAPD, system: "vmscan", name: "mm_vmscan_wakeup_kswapd",
    fields: [["nid", "dec"], ["zid", "dec"], ["order", "dec"], ["gfp_flags", "gfp"]],
  },
  { id: TP_MM_VMSCAN_KSWAPD_WAKE, system: "vmscan", name: "mm_vmscan_kswapd_wake", fields: [["nid", "dec"], ["zid", "dec"], ["order", "dec"]] },
  { id: TP_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, system: "vmscan", name: "mm_vmscan_direct_reclaim_begin", fields: [["order", "dec"], ["gfp_flags", "gfp"]] },
  { id: TP_MM_VMSCAN_DIRECT_RECLAIM_END, system: "vmscan", name: "mm_vmscan_direct_reclaim_end", fields: [["nr_reclaimed", "dec"]] },
  {
    id: TP_MM_COMPACTION_BEGIN, system: "compaction", name: "mm_compaction_begin",
    fields: [["zone_start", "hex"], ["migrate_pfn", "hex"], ["free_pfn", "hex"], ["zone_end", "hex"], ["mode", "dec"]],
  },
  {
    id: TP_MM_COMPACTION_END, system: "compaction", name: "mm_compaction_end",
    fields: [["zone_start", "hex"], ["migrate_pfn", "hex"], ["free_pfn", "hex"], ["zone_end", "hex"], ["status", "dec"]],
  },
  { id: TP_MARK_VICTIM, system: "oom", name: "mark_victim", fields: [["pid", "dec"]] },
]);

/** Finds a tracepoint by kernel name (`"mm_page_alloc"`), or undefined. */
export function tracepointByName(name: string): TracepointInfo | undefined {
  return TRACEPOINTS.find((t) => t.name === name);
}

/** Receives fired tracepoints. Fields not used by the tracepoint are 0. */
export type TraceHandler = (tp: TracepointId, tsNs: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => void;

/** The machine's tracepoint bus. Kernel: the tracepoint static keys plus ftrace's ring buffer writer. */
export class TraceBus {
  /** True while any handler is attached: test it before emit() in hot code. */
  on = false;
  /** Per tracepoint: how many attached handlers want it. */
  private readonly wanted = new Int32Array(NR_TRACEPOINTS);
  private handlers: { fn: TraceHandler; mask: Uint8Array }[] = [];

  constructor(private readonly clock?: SimClock) {}

  /**
   * Attaches a handler to the named tracepoints (all of them when omitted).
   * @returns a function that detaches it
   */
  attach(fn: TraceHandler, tracepoints?: readonly TracepointId[]): () => void {
    const mask = new Uint8Array(NR_TRACEPOINTS);
    if (tracepoints === undefined) mask.fill(1);
    else for (const tp of tracepoints) mask[tp] = 1;
    const entry = { fn, mask };
    this.handlers = [...this.handlers, entry];
    for (let i = 0; i < NR_TRACEPOINTS; i++) this.wanted[i]! += mask[i]!;
    this.on = true;
    return () => {
      if (!this.handlers.includes(entry)) return;
      this.handlers = this.handlers.filter((h) => h !== entry);
      for (let i = 0; i < NR_TRACEPOINTS; i++) this.wanted[i]! -= mask[i]!;
      this.on = this.handlers.length > 0;
    };
  }

  /** True when some handler wants `tp` (a tracepoint's static key). */
  enabled(tp: TracepointId): boolean {
    return this.wanted[tp]! > 0;
  }

  /** Fires `tp` with up to six numeric fields. */
  emit(tp: TracepointId, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): void {
    if (this.wanted[tp] === 0) return;
    const ts = this.clock ? this.clock.now() : 0;
    const hs = this.handlers;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i]!;
      if (h.mask[tp] === 1) h.fn(tp, ts, a0, a1, a2, a3, a4, a5);
    }
  }
}
