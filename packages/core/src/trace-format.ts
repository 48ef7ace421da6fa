// Kernel: kernel/trace/trace_output.c (trace_print_flags_seq, trace_print_symbols_seq), lib/vsprintf.c (ptr_to_id, %pS), include/trace/events/vmscan.h (show_reclaim_flags, show_throttle_flags), include/trace/events/mmflags.h (LRU_NAMES) (v6.1) — a fired tracepoint as the trace buffer prints it
/*
 * The text after `name: ` in /sys/kernel/tracing/trace: the event's TP_printk format (kept
 * verbatim in TRACEPOINTS) with its fields substituted as 6.1's vsnprintf and the trace_print_*
 * helpers render them:
 *
 *   %d %ld %lld %lu %zu   decimal
 *   %lx                   lowercase hex (the "0x" before it is the format's)
 *   %s                    by the field's kind: gfp → show_gfp_flags, lru → __print_symbolic(LRU_NAMES),
 *                         reclaim_flags → show_reclaim_flags, throttle → show_throttle_flags
 *   %p                    a hashed pointer (ptr_to_id): 16 hex digits, the upper 8 zero — the
 *                         kernel's hash is siphash with a random per-boot key, so only the shape
 *                         can match a real trace; mmsim's is a fixed 32-bit mix of the value
 *   %pS                   the function's symbol text registered on the bus (name+0x0/0xSIZE)
 *
 * A tracepoint without a format (the kmem, compaction and oom ones so far) prints its fields as
 * `name=value` pairs. Not on a hot path: called by readers of the bus, never by emitters.
 */
import { formatGfpFlags } from "./gfp.ts";
import { MIGRATE_REASON_NAMES } from "./policies/migrate.ts";
import {
  RECLAIM_WB_ANON, RECLAIM_WB_ASYNC, RECLAIM_WB_FILE, RECLAIM_WB_MIXED, RECLAIM_WB_SYNC, TRACEPOINTS, type TraceBus, type TraceFieldKind,
  type TracepointId, type TracepointInfo,
} from "./trace.ts";

/** Kernel: `LRU_NAMES` (include/trace/events/mmflags.h), indexed by enum lru_list. */
const LRU_NAMES: readonly string[] = Object.freeze(["inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable"]);

/** Kernel: show_reclaim_flags()'s table, in its order. */
const RECLAIM_FLAG_NAMES: readonly (readonly [number, string])[] = Object.freeze([
  [RECLAIM_WB_ANON, "RECLAIM_WB_ANON"],
  [RECLAIM_WB_FILE, "RECLAIM_WB_FILE"],
  [RECLAIM_WB_MIXED, "RECLAIM_WB_MIXED"],
  [RECLAIM_WB_SYNC, "RECLAIM_WB_SYNC"],
  [RECLAIM_WB_ASYNC, "RECLAIM_WB_ASYNC"],
] as const);

/** Kernel: show_throttle_flags()'s table: 1 << VMSCAN_THROTTLE_WRITEBACK, _ISOLATED, _NOPROGRESS, _CONGESTED. */
const THROTTLE_FLAG_NAMES: readonly (readonly [number, string])[] = Object.freeze([
  [1 << 0, "VMSCAN_THROTTLE_WRITEBACK"],
  [1 << 1, "VMSCAN_THROTTLE_ISOLATED"],
  [1 << 2, "VMSCAN_THROTTLE_NOPROGRESS"],
  [1 << 3, "VMSCAN_THROTTLE_CONGESTED"],
] as const);

/**
 * Kernel: `trace_print_flags_seq()`: the names of the bits set, in table order, joined by "|",
 * then the bits no name covers as one 0x… ; `none` when the value is 0 (the macros' `(flags) ? … : "…_NONE"`).
 */
export function tracePrintFlags(value: number, names: readonly (readonly [number, string])[], none: string): string {
  if (value === 0) return none;
  let rest = value >>> 0;
  let out = "";
  for (const [mask, name] of names) {
    if (rest === 0) break;
    if ((rest & mask) !== mask) continue;
    rest = (rest & ~mask) >>> 0;
    out += out === "" ? name : "|" + name;
  }
  if (rest !== 0) out += (out === "" ? "0x" : "|0x") + rest.toString(16);
  return out;
}

/** include/trace/events/migrate.h's MIGRATE_MODE (MIGRATE_SYNC_NO_COPY has no name there: it prints as 0x3). */
const MIGRATE_MODE_NAMES = Object.freeze(["MIGRATE_ASYNC", "MIGRATE_SYNC_LIGHT", "MIGRATE_SYNC"]);

/** Kernel: `trace_print_symbols_seq()`: the name of the value, or 0x… when it has none. */
function tracePrintSymbolic(value: number, names: readonly string[]): string {
  return value >= 0 && value < names.length && Number.isInteger(value) ? names[value]! : "0x" + (value >>> 0).toString(16);
}

/**
 * A %p as 6.1 prints it (ptr_to_id: the hash masked to 32 bits, zero-padded to 16 hex digits).
 * mmsim's hash is murmur3's fmix32 of the value's low and high 32 bits: deterministic, and as
 * opaque as the kernel's keyed one.
 */
export function hashedPointer(value: number): string {
  let h = (value >>> 0) ^ Math.imul(Math.floor(value / 2 ** 32) >>> 0, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return "00000000" + (h >>> 0).toString(16).padStart(8, "0");
}

/** One %s by the field's kind. */
function formatString(value: number, kind: TraceFieldKind): string {
  switch (kind) {
    case "gfp":
      return formatGfpFlags(value);
    case "lru":
      return tracePrintSymbolic(value, LRU_NAMES);
    case "reclaim_flags":
      return tracePrintFlags(value, RECLAIM_FLAG_NAMES, "RECLAIM_WB_NONE");
    case "throttle":
      return tracePrintFlags(value, THROTTLE_FLAG_NAMES, "VMSCAN_THROTTLE_NONE");
    case "bool":
      return value !== 0 ? "true" : "false";
    case "migrate_mode":
      return tracePrintSymbolic(value, MIGRATE_MODE_NAMES);
    case "migrate_reason":
      return tracePrintSymbolic(value, MIGRATE_REASON_NAMES);
    default:
      return String(value);
  }
}

/** The conversions the vmscan formats use (and %% for completeness). */
const CONVERSION_SOURCE = "%(%|pS|p|ll[du]|l[dux]|z[du]|[dux]|s)";

/** A parsed format: literal pieces around conversions, and each conversion's field index and spec. */
interface ParsedFormat {
  readonly literals: readonly string[];
  readonly specs: readonly string[];
  readonly fieldIndex: readonly number[];
}

function parse(info: TracepointInfo): ParsedFormat {
  const fmt = info.printk!;
  const literals: string[] = [];
  const specs: string[] = [];
  let last = 0;
  for (const m of fmt.matchAll(new RegExp(CONVERSION_SOURCE, "g"))) {
    if (m[1] === "%") continue;
    literals.push(fmt.slice(last, m.index).replaceAll("%%", "%"));
    specs.push(m[1]!);
    last = m.index! + m[0].length;
  }
  literals.push(fmt.slice(last).replaceAll("%%", "%"));
  const args = info.printArgs ?? [];
  if (args.length !== specs.length) throw new Error(`core.formatTraceEvent: ${info.name}'s format has ${specs.length} conversions but ${args.length} printArgs`);
  const fieldIndex = args.map((a) => {
    const i = info.fields.findIndex(([n]) => n === a);
    if (i < 0) throw new Error(`core.formatTraceEvent: ${info.name} prints field "${a}", which it does not have`);
    return i;
  });
  return Object.freeze({ literals: Object.freeze(literals), specs: Object.freeze(specs), fieldIndex: Object.freeze(fieldIndex) });
}

/** Every tracepoint's parsed format (null: it has none), made once when the module loads. */
const PARSED: readonly (ParsedFormat | null)[] = Object.freeze(TRACEPOINTS.map((t) => (t.printk === undefined ? null : parse(t))));

/**
 * The text the trace buffer prints for tracepoint `tp` with `fields` (TP_STRUCT__entry order,
 * as handlers receive them), e.g. "nid=0 order=0 gfp_flags=GFP_KERNEL". `bus` resolves %pS
 * function ids (without it they print as 0x…).
 */
export function formatTraceEvent(tp: TracepointId, fields: ArrayLike<number>, bus?: TraceBus): string {
  const info = TRACEPOINTS[tp];
  if (info === undefined) throw new Error(`core.formatTraceEvent: no tracepoint ${tp} (0 … ${TRACEPOINTS.length - 1})`);
  const p = PARSED[tp];
  if (p === null || p === undefined) return info.fields.map(([name], i) => `${name}=${formatString(fields[i] ?? 0, info.fields[i]![1])}`).join(" ");
  const { literals, specs, fieldIndex } = p;
  let out = literals[0]!;
  for (let i = 0; i < specs.length; i++) {
    const fi = fieldIndex[i]!;
    const v = fields[fi] ?? 0;
    const kind = info.fields[fi]![1];
    let s: string;
    switch (specs[i]) {
      case "s":
        s = formatString(v, kind);
        break;
      case "p":
        s = hashedPointer(kind === "pfn" ? v * 64 : v); // pfn_to_page(pfn): the pfn's struct page (64 bytes each)
        break;
      case "pS":
        s = bus?.symbolName(v) ?? "0x" + (v >>> 0).toString(16);
        break;
      case "lx":
      case "x":
        s = Math.trunc(v).toString(16);
        break;
      default:
        s = String(Math.trunc(v));
    }
    out += s + literals[i + 1]!;
  }
  return out;
}

/** `name: text`: what follows the timestamp on a trace line. */
export function formatTraceRecord(tp: TracepointId, fields: ArrayLike<number>, bus?: TraceBus): string {
  return `${TRACEPOINTS[tp]!.name}: ${formatTraceEvent(tp, fields, bus)}`;
}
