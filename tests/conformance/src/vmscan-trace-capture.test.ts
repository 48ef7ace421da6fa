// mmsim: the vmscan tracepoints against the real 6.1 arm64 kernel — each event's format file (print fmt, fields) and the lines its trace buffer printed, re-rendered from their own fields by core's formatTraceEvent (fixtures/trace/)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  RECLAIM_WB_ANON, RECLAIM_WB_ASYNC, RECLAIM_WB_FILE, RECLAIM_WB_MIXED, RECLAIM_WB_SYNC, TRACEPOINTS, TraceBus, formatTraceEvent, gfpflagNames,
  tracepointByName, type TracepointInfo,
} from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR } from "./fixtures.ts";

const CAPTURES = ["vmscan-lru", "vmscan-mglru"] as const;
const workload = (name: string) => readFileSync(join(FIXTURES_DIR, "trace", "linux-6.1-arm64", name, "workload"), "utf8");

interface EventFormat {
  readonly name: string;
  /** The fields after the common_* ones, in order. */
  readonly fields: string[];
  /** The quoted TP_printk format. */
  readonly fmt: string;
  /** The REC->field each conversion prints. */
  readonly args: string[];
}

/** Splits C arguments at the commas outside parentheses, braces and strings. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "(" || c === "{") depth++;
    else if (c === ")" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

/** The `--- format NAME` blocks: a copy of /sys/kernel/tracing/events/vmscan/NAME/format each. */
function parseFormats(text: string): EventFormat[] {
  const out: EventFormat[] = [];
  for (const block of text.split("\n--- format ").slice(1)) {
    const name = block.slice(0, block.indexOf("\n"));
    const fields = [...block.matchAll(/^\tfield:.*?([A-Za-z_][A-Za-z0-9_]*)(\[\d*\])?;\toffset/gm)].map((m) => m[1]!).filter((f) => !f.startsWith("common_"));
    const pf = block.slice(block.indexOf("print fmt: ") + "print fmt: ".length).split("\n")[0]!;
    const end = pf.indexOf('", ');
    const fmt = pf.slice(1, end);
    const args = splitTopLevel(pf.slice(end + 3)).map((a) => /REC->(\w+)/.exec(a)?.[1] ?? a);
    out.push({ name, fields, fmt, args });
  }
  return out;
}

/** Every traced line: `comm-pid [cpu] flags ts: name: text`. */
function traceLines(text: string): { name: string; text: string }[] {
  return [...text.matchAll(/^ +\S+ +\[\d{3}\] \S+ +\d+\.\d{6}: (\w+): (.*)$/gm)].map((m) => ({ name: m[1]!, text: m[2]! }));
}

const LRU_NAMES = ["inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable"];
const RECLAIM_NAMES: Record<string, number> = {
  RECLAIM_WB_ANON, RECLAIM_WB_FILE, RECLAIM_WB_MIXED, RECLAIM_WB_SYNC, RECLAIM_WB_ASYNC, RECLAIM_WB_NONE: 0,
};
const GFP_NAMES = new Map(gfpflagNames.map(([mask, name]) => [name, mask]));

/** The value a %s printed, read back by the field's kind. */
function readString(s: string, kind: string): number {
  const flags = (table: (n: string) => number | undefined) =>
    s.split("|").reduce((v, n) => v | (n.startsWith("0x") ? parseInt(n, 16) : table(n) ?? Number.NaN), 0);
  switch (kind) {
    case "gfp":
      return s === "none" ? 0 : flags((n) => GFP_NAMES.get(n));
    case "lru":
      return LRU_NAMES.indexOf(s);
    case "reclaim_flags":
      return flags((n) => RECLAIM_NAMES[n]);
    default:
      throw new Error(`no reader for %s of kind ${kind}`);
  }
}

/**
 * Reads a captured line back into fields with the tracepoint's own format (each conversion a
 * capture group); %pS text is registered on `bus`, %p values are kept aside (hashed: only their
 * shape can match).
 */
function readFields(info: TracepointInfo, text: string, bus: TraceBus): Float64Array | null {
  const convs: string[] = [];
  const pattern = info.printk!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%(pS|p|ll[du]|l[dux]|[dux]|s)/g, (_m, c: string) => {
    convs.push(c);
    return c === "pS" || c === "s" ? "(\\S+)" : c === "p" ? "([0-9a-f]{16})" : c === "lx" || c === "x" ? "([0-9a-f]+)" : "(-?\\d+)";
  });
  const m = new RegExp(`^${pattern}$`).exec(text);
  if (m === null) return null;
  const fields = new Float64Array(16);
  info.printArgs!.forEach((arg, i) => {
    const fi = info.fields.findIndex(([n]) => n === arg);
    const kind = info.fields[fi]![1];
    const v = m[i + 1]!;
    switch (convs[i]) {
      case "pS":
        fields[fi] = bus.registerSymbol(v);
        break;
      case "p":
        if (kind !== "pfn") fields[fi] = parseInt(v.slice(8), 16); // a stand-in: the kernel's hash is keyed per boot
        break;
      case "lx":
        fields[fi] = parseInt(v, 16);
        break;
      case "s":
        fields[fi] = readString(v, kind);
        break;
      default:
        fields[fi] = Number(v);
    }
  });
  return fields;
}

const maskPointers = (s: string) => s.replace(/\b00000000[0-9a-f]{8}\b/g, "00000000xxxxxxxx");

describe("vmscan tracepoints against the real 6.1 kernel (fixtures/trace/linux-6.1-arm64)", () => {
  for (const name of CAPTURES) {
    it(`${name}: every vmscan event of the kernel is defined here with its fields, its print fmt verbatim and the fields it prints`, () => {
      const formats = parseFormats(workload(name));
      expect(formats.map((f) => f.name).sort()).toEqual(TRACEPOINTS.filter((t) => t.system === "vmscan").map((t) => t.name).sort());
      for (const f of formats) {
        const t = tracepointByName(f.name)!;
        expect(t.fields.map(([n]) => n), f.name).toEqual(f.fields);
        expect(t.printk, f.name).toBe(f.fmt);
        expect(t.printArgs, f.name).toEqual(f.args);
      }
    });

    it(`${name}: every line the kernel printed, read back into its fields, prints the same (pointers up to their hash)`, () => {
      const bus = new TraceBus();
      const lines = traceLines(workload(name));
      expect(lines.length).toBeGreaterThan(50);
      const seen = new Set<string>();
      for (const l of lines) {
        const info = tracepointByName(l.name)!;
        expect(info, l.name).toBeDefined();
        const fields = readFields(info, l.text, bus);
        expect(fields, `${l.name}: ${l.text}`).not.toBeNull();
        expect(maskPointers(formatTraceEvent(info.id, fields!, bus))).toBe(maskPointers(l.text));
        seen.add(l.name);
      }
      for (const e of ["mm_vmscan_kswapd_wake", "mm_vmscan_kswapd_sleep", "mm_vmscan_wakeup_kswapd", "mm_vmscan_direct_reclaim_begin", "mm_vmscan_direct_reclaim_end", "mm_shrink_slab_start", "mm_shrink_slab_end", "mm_vmscan_write_folio"]) {
        expect(seen, e).toContain(e);
      }
      // The classic LRU's list events fire only under the classic LRU: 6.1's lru_gen has no tracepoint in scan_folios/evict_folios.
      const classic = ["mm_vmscan_lru_isolate", "mm_vmscan_lru_shrink_inactive"].every((e) => seen.has(e));
      expect(classic).toBe(name === "vmscan-lru");
    });
  }

  it("the same pointer hashes the same within a trace, as 6.1's ptr_to_id does", () => {
    const lines = traceLines(workload("vmscan-lru")).filter((l) => l.name === "mm_shrink_slab_start");
    const bySymbol = new Map<string, Set<string>>();
    for (const l of lines) {
      const [sym, ptr] = l.text.split(" ");
      if (!bySymbol.has(sym!)) bySymbol.set(sym!, new Set());
      bySymbol.get(sym!)!.add(ptr!);
    }
    expect(bySymbol.get("kfree_rcu_shrink_scan+0x0/0x1c0")?.size).toBe(1);
    expect([...bySymbol.keys()]).toContain("super_cache_scan+0x0/0x1b0");
  });
});
