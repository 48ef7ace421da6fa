// Kernel: include/trace/events/kmem.h, vmscan.h, compaction.h, oom.h, migrate.h (v6.1) — tracepoints as a bus
/*
 * A tracepoint is an id with the kernel's name (`mm_page_alloc`) and its fields in TP_STRUCT
 * order. Code fires it with numbers only, behind one boolean test, so a disabled bus costs one
 * load and a branch (STYLE C8):
 *
 *     if (trace.on) trace.emit(TP_MM_PAGE_ALLOC, pfn, order, gfp, migratetype, 0, 0);
 *
 * A tracepoint with more than six fields (mm_vmscan_lru_shrink_inactive has 13) fills the bus's
 * scratch array and fires it with emitArgs, behind the same single test:
 *
 *     if (trace.on) { const a = trace.args; a[0] = nid; … a[12] = flags; trace.emitArgs(TP_MM_VMSCAN_LRU_SHRINK_INACTIVE); }
 *
 * `on` is true only while some handler is attached. Handlers receive the tracepoint id, the
 * simulated time, the first six numeric fields, and the whole field array (every field, for
 * either form); they must not throw and must not fire tracepoints themselves (the array is the
 * bus's, reused by the next emit). Packages add their tracepoints to TRACEPOINTS here, so ids
 * stay dense and names unique. Each vmscan tracepoint carries its TP_printk format verbatim;
 * trace-format.ts renders an event as the kernel's trace buffer prints it.
 */
import type { SimClock } from "./clock.ts";

/** What a tracepoint field holds, which decides how it prints. */
export type TraceFieldKind =
  | "pfn" | "dec" | "hex" | "gfp" | "bool" | "addr"
  /** A kernel pointer printed with %p (hashed, as 6.1 prints every %p). */
  | "ptr"
  /** A kernel function printed with %pS: an id from TraceBus.registerSymbol. */
  | "sym"
  /** An LRU list (LRU_INACTIVE_ANON …) printed with __print_symbolic(lru, LRU_NAMES). */
  | "lru"
  /** RECLAIM_WB_* bits printed with show_reclaim_flags(). */
  | "reclaim_flags"
  /** 1 << VMSCAN_THROTTLE_* printed with show_throttle_flags(). */
  | "throttle"
  /** An `enum migrate_mode` printed with __print_symbolic(mode, MIGRATE_MODE) (include/trace/events/migrate.h). */
  | "migrate_mode"
  /** An `enum migrate_reason` printed with __print_symbolic(reason, MIGRATE_REASON). */
  | "migrate_reason";

/** A tracepoint: its kernel name, its subsystem (trace system) and its fields. */
export interface TracepointInfo {
  readonly id: number;
  /** Trace system, e.g. `"kmem"`, `"vmscan"` (the directory under events/). */
  readonly system: string;
  /** Kernel name, e.g. `"mm_page_alloc"`. */
  readonly name: string;
  /** Field names in the kernel's TP_STRUCT__entry order (the order emit passes them), with how each prints. */
  readonly fields: readonly (readonly [name: string, kind: TraceFieldKind])[];
  /** The kernel's TP_printk format string, verbatim (absent: trace-format.ts prints `name=value` pairs). */
  readonly printk?: string;
  /** The field each conversion of `printk` prints, in order. */
  readonly printArgs?: readonly string[];
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
export const TP_MM_VMSCAN_KSWAPD_SLEEP = 17;
/** memcg reclaim (try_to_free_mem_cgroup_pages, mem_cgroup_shrink_node): defined, fired once memcg exists (issue 20). */
export const TP_MM_VMSCAN_MEMCG_RECLAIM_BEGIN = 18;
export const TP_MM_VMSCAN_MEMCG_SOFTLIMIT_RECLAIM_BEGIN = 19;
export const TP_MM_VMSCAN_MEMCG_RECLAIM_END = 20;
export const TP_MM_VMSCAN_MEMCG_SOFTLIMIT_RECLAIM_END = 21;
/**
 * do_shrink_slab's pair (mm/vmscan.c 6.1). Nine and seven fields: fire with emitArgs.
 * start: [shr, shrink, nid, nr_objects_to_shrink, gfp_flags, cache_items, delta, total_scan, priority]
 * end:   [shr, nid, shrink, unused_scan, new_scan, retval, total_scan]
 * `shr` is the shrinker's address (any stable number: it prints hashed), `shrink` the id
 * registerSymbol gave its scan_objects function (it prints with %pS).
 */
export const TP_MM_SHRINK_SLAB_START = 22;
export const TP_MM_SHRINK_SLAB_END = 23;
export const TP_MM_VMSCAN_LRU_ISOLATE = 24;
export const TP_MM_VMSCAN_WRITE_FOLIO = 25;
export const TP_MM_VMSCAN_LRU_SHRINK_INACTIVE = 26;
export const TP_MM_VMSCAN_LRU_SHRINK_ACTIVE = 27;
/** __node_reclaim (zone_reclaim_mode on NUMA): defined, fired once node_reclaim exists. */
export const TP_MM_VMSCAN_NODE_RECLAIM_BEGIN = 28;
export const TP_MM_VMSCAN_NODE_RECLAIM_END = 29;
export const TP_MM_VMSCAN_THROTTLED = 30;
/** Number of tracepoints; sizes per-tracepoint tables. */
// include/trace/events/migrate.h (v6.1)
export const TP_MM_MIGRATE_PAGES = 31;
export const TP_MM_MIGRATE_PAGES_START = 32;
export const NR_TRACEPOINTS = 33;
/** The most fields any tracepoint has (TraceBus.args' length). */
export const MAX_TRACE_FIELDS = 16;
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
    printk: "nid=%d order=%d gfp_flags=%s", printArgs: ["nid", "order", "gfp_flags"],
  },
  {
    id: TP_MM_VMSCAN_KSWAPD_WAKE, system: "vmscan", name: "mm_vmscan_kswapd_wake", fields: [["nid", "dec"], ["zid", "dec"], ["order", "dec"]],
    printk: "nid=%d order=%d", printArgs: ["nid", "order"],
  },
  {
    id: TP_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, system: "vmscan", name: "mm_vmscan_direct_reclaim_begin", fields: [["order", "dec"], ["gfp_flags", "gfp"]],
    printk: "order=%d gfp_flags=%s", printArgs: ["order", "gfp_flags"],
  },
  {
    id: TP_MM_VMSCAN_DIRECT_RECLAIM_END, system: "vmscan", name: "mm_vmscan_direct_reclaim_end", fields: [["nr_reclaimed", "dec"]],
    printk: "nr_reclaimed=%lu", printArgs: ["nr_reclaimed"],
  },
  {
    id: TP_MM_COMPACTION_BEGIN, system: "compaction", name: "mm_compaction_begin",
    fields: [["zone_start", "hex"], ["migrate_pfn", "hex"], ["free_pfn", "hex"], ["zone_end", "hex"], ["mode", "dec"]],
  },
  {
    id: TP_MM_COMPACTION_END, system: "compaction", name: "mm_compaction_end",
    fields: [["zone_start", "hex"], ["migrate_pfn", "hex"], ["free_pfn", "hex"], ["zone_end", "hex"], ["status", "dec"]],
  },
  { id: TP_MARK_VICTIM, system: "oom", name: "mark_victim", fields: [["pid", "dec"]] },
  { id: TP_MM_VMSCAN_KSWAPD_SLEEP, system: "vmscan", name: "mm_vmscan_kswapd_sleep", fields: [["nid", "dec"]], printk: "nid=%d", printArgs: ["nid"] },
  {
    id: TP_MM_VMSCAN_MEMCG_RECLAIM_BEGIN, system: "vmscan", name: "mm_vmscan_memcg_reclaim_begin", fields: [["order", "dec"], ["gfp_flags", "gfp"]],
    printk: "order=%d gfp_flags=%s", printArgs: ["order", "gfp_flags"],
  },
  {
    id: TP_MM_VMSCAN_MEMCG_SOFTLIMIT_RECLAIM_BEGIN, system: "vmscan", name: "mm_vmscan_memcg_softlimit_reclaim_begin", fields: [["order", "dec"], ["gfp_flags", "gfp"]],
    printk: "order=%d gfp_flags=%s", printArgs: ["order", "gfp_flags"],
  },
  {
    id: TP_MM_VMSCAN_MEMCG_RECLAIM_END, system: "vmscan", name: "mm_vmscan_memcg_reclaim_end", fields: [["nr_reclaimed", "dec"]],
    printk: "nr_reclaimed=%lu", printArgs: ["nr_reclaimed"],
  },
  {
    id: TP_MM_VMSCAN_MEMCG_SOFTLIMIT_RECLAIM_END, system: "vmscan", name: "mm_vmscan_memcg_softlimit_reclaim_end", fields: [["nr_reclaimed", "dec"]],
    printk: "nr_reclaimed=%lu", printArgs: ["nr_reclaimed"],
  },
  {
    id: TP_MM_SHRINK_SLAB_START, system: "vmscan", name: "mm_shrink_slab_start",
    fields: [["shr", "ptr"], ["shrink", "sym"], ["nid", "dec"], ["nr_objects_to_shrink", "dec"], ["gfp_flags", "gfp"], ["cache_items", "dec"],
      ["delta", "dec"], ["total_scan", "dec"], ["priority", "dec"]],
    printk: "%pS %p: nid: %d objects to shrink %ld gfp_flags %s cache items %ld delta %lld total_scan %ld priority %d",
    printArgs: ["shrink", "shr", "nid", "nr_objects_to_shrink", "gfp_flags", "cache_items", "delta", "total_scan", "priority"],
  },
  {
    id: TP_MM_SHRINK_SLAB_END, system: "vmscan", name: "mm_shrink_slab_end",
    fields: [["shr", "ptr"], ["nid", "dec"], ["shrink", "sym"], ["unused_scan", "dec"], ["new_scan", "dec"], ["retval", "dec"], ["total_scan", "dec"]],
    printk: "%pS %p: nid: %d unused scan count %ld new scan count %ld total_scan %ld last shrinker return val %d",
    printArgs: ["shrink", "shr", "nid", "unused_scan", "new_scan", "total_scan", "retval"],
  },
  {
    id: TP_MM_VMSCAN_LRU_ISOLATE, system: "vmscan", name: "mm_vmscan_lru_isolate",
    fields: [["highest_zoneidx", "dec"], ["order", "dec"], ["nr_requested", "dec"], ["nr_scanned", "dec"], ["nr_skipped", "dec"], ["nr_taken", "dec"],
      ["isolate_mode", "dec"], ["lru", "lru"]],
    printk: "isolate_mode=%d classzone=%d order=%d nr_requested=%lu nr_scanned=%lu nr_skipped=%lu nr_taken=%lu lru=%s",
    printArgs: ["isolate_mode", "highest_zoneidx", "order", "nr_requested", "nr_scanned", "nr_skipped", "nr_taken", "lru"],
  },
  {
    id: TP_MM_VMSCAN_WRITE_FOLIO, system: "vmscan", name: "mm_vmscan_write_folio", fields: [["pfn", "pfn"], ["reclaim_flags", "reclaim_flags"]],
    printk: "page=%p pfn=0x%lx flags=%s", printArgs: ["pfn", "pfn", "reclaim_flags"],
  },
  {
    id: TP_MM_VMSCAN_LRU_SHRINK_INACTIVE, system: "vmscan", name: "mm_vmscan_lru_shrink_inactive",
    fields: [["nid", "dec"], ["nr_scanned", "dec"], ["nr_reclaimed", "dec"], ["nr_dirty", "dec"], ["nr_writeback", "dec"], ["nr_congested", "dec"],
      ["nr_immediate", "dec"], ["nr_activate0", "dec"], ["nr_activate1", "dec"], ["nr_ref_keep", "dec"], ["nr_unmap_fail", "dec"], ["priority", "dec"],
      ["reclaim_flags", "reclaim_flags"]],
    printk: "nid=%d nr_scanned=%ld nr_reclaimed=%ld nr_dirty=%ld nr_writeback=%ld nr_congested=%ld nr_immediate=%ld nr_activate_anon=%d nr_activate_file=%d nr_ref_keep=%ld nr_unmap_fail=%ld priority=%d flags=%s",
    printArgs: ["nid", "nr_scanned", "nr_reclaimed", "nr_dirty", "nr_writeback", "nr_congested", "nr_immediate", "nr_activate0", "nr_activate1",
      "nr_ref_keep", "nr_unmap_fail", "priority", "reclaim_flags"],
  },
  {
    id: TP_MM_VMSCAN_LRU_SHRINK_ACTIVE, system: "vmscan", name: "mm_vmscan_lru_shrink_active",
    fields: [["nid", "dec"], ["nr_taken", "dec"], ["nr_active", "dec"], ["nr_deactivated", "dec"], ["nr_referenced", "dec"], ["priority", "dec"],
      ["reclaim_flags", "reclaim_flags"]],
    printk: "nid=%d nr_taken=%ld nr_active=%ld nr_deactivated=%ld nr_referenced=%ld priority=%d flags=%s",
    printArgs: ["nid", "nr_taken", "nr_active", "nr_deactivated", "nr_referenced", "priority", "reclaim_flags"],
  },
  {
    id: TP_MM_VMSCAN_NODE_RECLAIM_BEGIN, system: "vmscan", name: "mm_vmscan_node_reclaim_begin", fields: [["nid", "dec"], ["order", "dec"], ["gfp_flags", "gfp"]],
    printk: "nid=%d order=%d gfp_flags=%s", printArgs: ["nid", "order", "gfp_flags"],
  },
  {
    id: TP_MM_VMSCAN_NODE_RECLAIM_END, system: "vmscan", name: "mm_vmscan_node_reclaim_end", fields: [["nr_reclaimed", "dec"]],
    printk: "nr_reclaimed=%lu", printArgs: ["nr_reclaimed"],
  },
  {
    id: TP_MM_VMSCAN_THROTTLED, system: "vmscan", name: "mm_vmscan_throttled",
    fields: [["nid", "dec"], ["usec_timeout", "dec"], ["usec_delayed", "dec"], ["reason", "throttle"]],
    printk: "nid=%d usec_timeout=%d usect_delayed=%d reason=%s", printArgs: ["nid", "usec_timeout", "usec_delayed", "reason"],
  },
  {
    id: TP_MM_MIGRATE_PAGES, system: "migrate", name: "mm_migrate_pages",
    fields: [["succeeded", "dec"], ["failed", "dec"], ["thp_succeeded", "dec"], ["thp_failed", "dec"], ["thp_split", "dec"], ["mode", "migrate_mode"],
      ["reason", "migrate_reason"]],
    printk: "nr_succeeded=%lu nr_failed=%lu nr_thp_succeeded=%lu nr_thp_failed=%lu nr_thp_split=%lu mode=%s reason=%s",
    printArgs: ["succeeded", "failed", "thp_succeeded", "thp_failed", "thp_split", "mode", "reason"],
  },
  {
    id: TP_MM_MIGRATE_PAGES_START, system: "migrate", name: "mm_migrate_pages_start", fields: [["mode", "migrate_mode"], ["reason", "migrate_reason"]],
    printk: "mode=%s reason=%s", printArgs: ["mode", "reason"],
  },
]);

/**
 * What %pS prints for the shrinkers' scan_objects on the reference kernel (Debian 6.1.0-57-arm64,
 * read from its trace: fixtures/trace/linux-6.1-arm64/vmscan-lru): register one with
 * TraceBus.registerSymbol for mm_shrink_slab_start/end's `shrink` field.
 */
export const SHRINKER_SCAN_SYMBOLS = Object.freeze({
  super_cache_scan: "super_cache_scan+0x0/0x1b0",
  kfree_rcu_shrink_scan: "kfree_rcu_shrink_scan+0x0/0x1c0",
});

/**
 * Fires mm_shrink_slab_start as do_shrink_slab does, before the scan loop (call it behind
 * `if (trace.on)`). `shr`: the shrinker's address (any stable number: it prints hashed);
 * `shrink`: its scan_objects' id from registerSymbol. Kernel: `trace_mm_shrink_slab_start()`.
 */
export function traceMmShrinkSlabStart(
  trace: TraceBus, shr: number, shrink: number, nid: number, nrObjectsToShrink: number, gfpFlags: number, cacheItems: number, delta: number,
  totalScan: number, priority: number,
): void {
  const a = trace.args;
  a[0] = shr; a[1] = shrink; a[2] = nid; a[3] = nrObjectsToShrink; a[4] = gfpFlags; a[5] = cacheItems; a[6] = delta; a[7] = totalScan; a[8] = priority;
  trace.emitArgs(TP_MM_SHRINK_SLAB_START);
}

/**
 * Fires mm_shrink_slab_end as do_shrink_slab does, after it (behind `if (trace.on)`):
 * `shrinkerRetval` is freed (the objects its scans freed), `unusedScanCnt` the nr_deferred it
 * took, `newScanCnt` what it left deferred. Kernel: `trace_mm_shrink_slab_end()`.
 */
export function traceMmShrinkSlabEnd(
  trace: TraceBus, shr: number, nid: number, shrink: number, shrinkerRetval: number, unusedScanCnt: number, newScanCnt: number, totalScan: number,
): void {
  const a = trace.args;
  a[0] = shr; a[1] = nid; a[2] = shrink; a[3] = unusedScanCnt; a[4] = newScanCnt; a[5] = shrinkerRetval; a[6] = totalScan;
  trace.emitArgs(TP_MM_SHRINK_SLAB_END);
}

/** Reclaim writeback flags of the vmscan tracepoints. Kernel: `RECLAIM_WB_*` (include/trace/events/vmscan.h). */
export const RECLAIM_WB_ANON = 0x0001;
export const RECLAIM_WB_FILE = 0x0002;
export const RECLAIM_WB_MIXED = 0x0010;
export const RECLAIM_WB_SYNC = 0x0004;
export const RECLAIM_WB_ASYNC = 0x0008;
/** Kernel: `trace_reclaim_flags(file)`: the type's bit, always async. */
export function traceReclaimFlags(file: boolean | number): number {
  return (file ? RECLAIM_WB_FILE : RECLAIM_WB_ANON) | RECLAIM_WB_ASYNC;
}

/** Finds a tracepoint by kernel name (`"mm_page_alloc"`), or undefined. */
export function tracepointByName(name: string): TracepointInfo | undefined {
  return TRACEPOINTS.find((t) => t.name === name);
}

/**
 * Receives fired tracepoints: the first six fields as numbers (0 where the tracepoint has fewer),
 * and `fields`, the bus's array holding every field (valid only during the call).
 */
export type TraceHandler = (
  tp: TracepointId, tsNs: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, fields: Float64Array,
) => void;

/** The machine's tracepoint bus. Kernel: the tracepoint static keys plus ftrace's ring buffer writer. */
export class TraceBus {
  /** True while any handler is attached: test it before emit() in hot code. */
  on = false;
  /**
   * The scratch field array of emitArgs (MAX_TRACE_FIELDS long): fill fields 0 … n−1 in
   * TP_STRUCT__entry order, then call emitArgs. Handlers read it as their `fields`.
   */
  readonly args = new Float64Array(MAX_TRACE_FIELDS);
  /** Per tracepoint: how many attached handlers want it. */
  private readonly wanted = new Int32Array(NR_TRACEPOINTS);
  private handlers: { fn: TraceHandler; mask: Uint8Array }[] = [];
  /** What %pS prints for each registered function id (index = id − 1). */
  private readonly symbolNames: string[] = [];

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
    const args = this.args;
    args[0] = a0; args[1] = a1; args[2] = a2; args[3] = a3; args[4] = a4; args[5] = a5;
    this.deliver(tp);
  }

  /** Fires `tp` with the fields the caller wrote into `args` (any number up to MAX_TRACE_FIELDS). */
  emitArgs(tp: TracepointId): void {
    if (this.wanted[tp] === 0) return;
    this.deliver(tp);
  }

  private deliver(tp: TracepointId): void {
    const ts = this.clock ? this.clock.now() : 0;
    const args = this.args;
    const hs = this.handlers;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i]!;
      if (h.mask[tp] === 1) h.fn(tp, ts, args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, args[5]!, args);
    }
  }

  /**
   * Registers a kernel function a tracepoint names with %pS (a shrinker's scan_objects) and
   * returns its id (≥ 1) for the `sym` field; the same text gets the same id. `text` is what
   * %pS prints: `name+0x0/0xSIZE` (6.1's sprint_symbol for a function's start; e.g.
   * "super_cache_scan+0x0/0x1b0", as the reference kernel prints it (fixtures/trace/)).
   */
  registerSymbol(text: string): number {
    const i = this.symbolNames.indexOf(text);
    if (i >= 0) return i + 1;
    this.symbolNames.push(text);
    return this.symbolNames.length;
  }

  /** What %pS prints for function id `id`; an unknown id prints as the kernel prints a raw address. */
  symbolName(id: number): string | undefined {
    return id >= 1 ? this.symbolNames[id - 1] : undefined;
  }
}
